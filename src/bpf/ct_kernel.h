/*
 * The kernel types owners.bpf.c reads, and only those fields, declared by
 * hand instead of a vmlinux.h dumped from the build machine. Every struct
 * carries preserve_access_index: clang records each field access as a
 * CO-RE relocation, and the loader fixes the offsets against the running
 * kernel's BTF, so the object builds anywhere and the layouts here need
 * not match any one kernel. Fields a kernel lacks make the load fail, and
 * conntab falls back to /proc.
 */
#ifndef CT_BPF_KERNEL_H
#define CT_BPF_KERNEL_H

typedef signed char		__s8;
typedef unsigned char		__u8;
typedef short			__s16;
typedef unsigned short		__u16;
typedef int			__s32;
typedef unsigned int		__u32;
typedef long long		__s64;
typedef unsigned long long	__u64;
typedef __u16			__be16;
typedef __u32			__be32;
typedef __u32			__wsum;
typedef _Bool			bool;
#define true	1
#define false	0

#pragma clang attribute push (__attribute__((preserve_access_index)), \
    apply_to = record)

struct seq_file;
struct pid_namespace;

struct bpf_iter_meta {
	struct seq_file		*seq;
	__u64			 session_id;
	__u64			 seq_num;
};

/* The context of an iter/task_file program: one (task, fd, file). */
struct bpf_iter__task_file {
	struct bpf_iter_meta	*meta;
	struct task_struct	*task;
	__u32			 fd;
	struct file		*file;
};

struct upid {
	int			 nr;
	struct pid_namespace	*ns;
};

struct pid {
	unsigned int		 level;
	struct upid		 numbers[1];
};

struct task_struct {
	int			 pid;		/* global thread id */
	int			 tgid;		/* global process id */
	struct pid		*thread_pid;
	char			 comm[16];
};

struct super_block {
	unsigned long		 s_magic;
};

struct inode {
	unsigned short		 i_mode;
	struct super_block	*i_sb;
	unsigned long		 i_ino;
};

struct file {
	struct inode		*f_inode;
};

#pragma clang attribute pop

#define S_IFMT		00170000
#define S_IFSOCK	0140000
#define SOCKFS_MAGIC	0x534F434B
#define MAX_PID_NS_LEVEL 32

#endif /* CT_BPF_KERNEL_H */
