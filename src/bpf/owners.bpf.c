// SPDX-License-Identifier: GPL-2.0
/*
 * Owners from inside the kernel: an iter/task_file program visits every
 * (task, descriptor, file) of the PID namespace of the process that reads
 * it, and writes the socket descriptors out as records (owners_rec.h)
 * through the iterator's seq_file. One read() loop then gets what a walk
 * of /proc/PID/fd gets with a readlink() per descriptor.
 *
 * GPL: bpf_seq_write() is offered to GPL programs only.
 */
#include "ct_kernel.h"

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "owners_rec.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * What the walk remembers between calls (.bss; the reader zeroes it
 * before each walk): the task whose TASK record went out last, and how
 * many FD records were written.
 */
__u64 ct_last_task;
__u32 ct_last_skip;		/* that task is not counted: no records */
__u32 ct_nfd;

/*
 * The pid of task (a thread group leader) as the reader's PID namespace
 * sees it; 0 when it has none there. task->tgid is the number in the
 * initial namespace, which a conntab inside a container cannot find.
 */
static __u32
ns_pid(struct task_struct *task)
{
	struct task_struct *me = bpf_get_current_task_btf();
	struct pid *mine = me->thread_pid, *theirs = task->thread_pid;
	unsigned int level = mine->level;
	struct upid a, b;
	__u64 base, stride;

	if (level > MAX_PID_NS_LEVEL || theirs->level < level)
		return 0;
	/*
	 * numbers[level] has a variable offset, which the verifier does not
	 * let a typed pointer take: read both through plain addresses, the
	 * array's offset and stride relocated for the running kernel.
	 */
	base = bpf_core_field_offset(struct pid, numbers);
	stride = bpf_core_type_size(struct upid);
	if (bpf_probe_read_kernel(&a, sizeof(a),
	    (void *)((__u64)mine + base + level * stride)) != 0 ||
	    bpf_probe_read_kernel(&b, sizeof(b),
	    (void *)((__u64)theirs + base + level * stride)) != 0)
		return 0;
	/* the same namespace at that level, or a stranger's number */
	if (a.ns != b.ns || b.nr <= 0)
		return 0;
	return (__u32)b.nr;
}

SEC("iter/task_file")
int
ct_owners(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct inode *inode;
	struct {
		struct ct_bpf_task t;
		struct ct_bpf_fd f;
	} r;

	if (task == NULL || file == NULL) {
		/* the walk is over: say how much it wrote */
		struct ct_bpf_end e = { { CT_BPF_REC_END, sizeof(e) }, ct_nfd };

		if (task == NULL)
			bpf_seq_write(seq, &e, sizeof(e));
		return 0;
	}
	/*
	 * Only the leader's table counts, as in /proc/PID/fd: a thread that
	 * unshared its table (unshare(CLONE_FILES)) is visited with it, but
	 * its descriptors are left out, by both back-ends (conntab(1)).
	 */
	if (task->pid != task->tgid)
		return 0;
	inode = file->f_inode;
	if (inode == NULL)
		return 0;
	/*
	 * A socket's file: an inode of sockfs. S_IFSOCK alone is not enough:
	 * an O_PATH descriptor of a bound unix socket's path has that mode
	 * too, on the file system the path lives in.
	 */
	if ((inode->i_mode & S_IFMT) != S_IFSOCK ||
	    inode->i_sb->s_magic != SOCKFS_MAGIC)
		return 0;

	r.f.h.kind = CT_BPF_REC_FD;
	r.f.h.size = sizeof(r.f);
	r.f.fd = (__s32)ctx->fd;
	r.f.ino = inode->i_ino;
	if ((__u64)task == ct_last_task) {
		if (ct_last_skip)
			return 0;
		if (bpf_seq_write(seq, &r.f, sizeof(r.f)) == 0)
			ct_nfd++;
		return 0;
	}
	r.t.h.kind = CT_BPF_REC_TASK;
	r.t.h.size = sizeof(r.t);
	r.t.pid = ns_pid(task);
	if (r.t.pid == 0) {
		ct_last_task = (__u64)task;
		ct_last_skip = 1;
		return 0;
	}
	bpf_probe_read_kernel(r.t.comm, sizeof(r.t.comm), task->comm);
	/*
	 * One write for both records: when the seq_file is full, the kernel
	 * drops this call's output and calls again for the same descriptor
	 * on the next read(), so what is remembered changes only with a
	 * write that went out whole.
	 */
	if (bpf_seq_write(seq, &r, sizeof(r)) == 0) {
		ct_last_task = (__u64)task;
		ct_last_skip = 0;
		ct_nfd++;
	}
	return 0;
}
