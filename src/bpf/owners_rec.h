/*
 * The records owners.bpf.c streams out of the kernel, and owners_bpf.c
 * reads: the one layout both sides share. Every record starts with its
 * kind and its size in bytes; the reader takes nothing on trust (see
 * owners_bpf_parse()).
 *
 * The stream is: for each process with a socket descriptor, one TASK
 * record, then one FD record per such descriptor; at the end one END
 * record that counts the FD records, so that a stream cut short is told
 * from a whole one.
 */
#ifndef CT_BPF_OWNERS_REC_H
#define CT_BPF_OWNERS_REC_H

#define CT_BPF_REC_TASK	1
#define CT_BPF_REC_FD	2
#define CT_BPF_REC_END	3

struct ct_bpf_hdr {
	__u16		 kind;		/* CT_BPF_REC_* */
	__u16		 size;		/* of the whole record */
};

/* A process: the FD records that follow are its descriptors. */
struct ct_bpf_task {
	struct ct_bpf_hdr h;
	__u32		 pid;		/* as the reader's PID namespace sees it */
	char		 comm[16];	/* the process's name (its leader's) */
};

/* One descriptor of that process that names a socket. */
struct ct_bpf_fd {
	struct ct_bpf_hdr h;
	__s32		 fd;
	__u64		 ino;		/* the socket's inode */
};

/* The end of the walk. */
struct ct_bpf_end {
	struct ct_bpf_hdr h;
	__u32		 nfd;		/* FD records before it */
};

#endif /* CT_BPF_OWNERS_REC_H */
