/*
 * The user side of the BPF owner back-end (owners_bpf.h): load the light
 * skeleton of src/bpf/owners.bpf.c, run its iterator, and read the
 * records it streams as untrusted input.
 *
 * The skeleton (build/bpf/owners.lskel.h, from bpftool gen skeleton -L)
 * carries the program and a small loader program that the kernel runs to
 * load it, CO-RE relocations included, against the kernel's own BTF: no
 * libbpf at run time, and none of the ~50 ms libbpf spends parsing
 * vmlinux BTF in user space. Without clang and bpftool at build time,
 * CT_HAVE_BPF is undefined and this file is the record reader alone.
 */
#include "owners_bpf.h"

#include <errno.h>
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf/owners_rec.h"
#include "owners_link.h"
#include "util.h"

#ifdef CT_HAVE_BPF
#include <owners.lskel.h>
#endif

/* ---- the record reader ---------------------------------------------------- */

/* Every record has a fixed size for its kind; 0 for an unknown kind. */
static size_t
rec_size(uint16_t kind)
{
	switch (kind) {
	case CT_BPF_REC_TASK:
		return sizeof(struct ct_bpf_task);
	case CT_BPF_REC_FD:
		return sizeof(struct ct_bpf_fd);
	case CT_BPF_REC_END:
		return sizeof(struct ct_bpf_end);
	}
	return 0;
}

int
owners_bpf_parse(struct ct_bpf_reader *r, const void *buf, size_t len,
    size_t *used)
{
	const unsigned char *p = buf;
	size_t off = 0, size;

	*used = 0;
	while (len - off >= sizeof(struct ct_bpf_hdr)) {
		struct ct_bpf_hdr h;

		/* memcpy: a record is only 4-aligned in the stream */
		memcpy(&h, p + off, sizeof(h));
		if (r->ended || (size = rec_size(h.kind)) == 0 || h.size != size)
			return -EBADMSG;
		if (len - off < size)
			break;		/* the rest comes with the next read */
		if (h.kind == CT_BPF_REC_TASK) {
			struct ct_bpf_task t;

			memcpy(&t, p + off, sizeof(t));
			if (t.pid == 0)
				return -EBADMSG;
			r->task++;
			r->pid = t.pid;
			memcpy(r->comm, t.comm, sizeof(r->comm) - 1);
			r->comm[sizeof(r->comm) - 1] = '\0';
		} else if (h.kind == CT_BPF_REC_FD) {
			struct ct_bpf_owner o;
			struct ct_bpf_fd f;

			memcpy(&f, p + off, sizeof(f));
			if (r->task == 0 || f.fd < 0 || f.ino == 0 ||
			    r->nfd == UINT32_MAX)
				return -EBADMSG;
			r->nfd++;
			o.pid = r->pid;
			o.fd = f.fd;
			o.ino = f.ino;
			o.task = r->task;
			o.comm = r->comm;
			if (r->cb != NULL)
				r->cb(r->arg, &o);
		} else {
			struct ct_bpf_end e;

			memcpy(&e, p + off, sizeof(e));
			/* the program counted what it wrote: was it all read? */
			if (e.nfd != r->nfd)
				return -EBADMSG;
			r->ended = true;
		}
		off += size;
		*used = off;
	}
	return 0;
}

int
owners_bpf_parse_end(const struct ct_bpf_reader *r, size_t left)
{
	return r->ended && left == 0 ? 0 : -EBADMSG;
}

/* ---- loading and walking -------------------------------------------------- */

#ifdef CT_HAVE_BPF

/* bpf_seq_read() hands out at most its 8-page buffer per read() */
#define BPF_READ_SIZE	(64 * 1024)

struct ct_owners_bpf {
	struct owners_bpf_skel *skel;
	unsigned char	*buf;		/* BPF_READ_SIZE */
};

/* What one walk collects from the reader's callbacks. */
struct bpf_collect {
	struct ct_owners_seen *seen;
	struct ct_owners *names;
	uint32_t	 task;		/* the process of the last descriptor */
	uint32_t	 comm;		/* its name's index in names */
};

static void
bpf_owner_cb(void *arg, const struct ct_bpf_owner *o)
{
	struct bpf_collect *c = arg;
	struct ct_owner_seen *e;

	if (o->ino > UINT32_MAX)
		return;			/* no record has such an inode */
	if (o->task != c->task) {
		c->comm = owners_add_comm(c->names, o->comm);
		c->task = o->task;
	}
	e = owners_seen_add(c->seen);
	e->inode = (uint32_t)o->ino;
	e->pid = o->pid;
	e->fd = o->fd;
	e->comm = c->comm;
}

int
owners_bpf_open(struct ct_owners_bpf **out, const char **stage)
{
	struct ct_owners_bpf *b;
	int rc;

	*out = NULL;
	/* a light skeleton relocates against the kernel's BTF: none, no load */
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		*stage = "kernel BTF";
		return -errno;
	}
	b = xcalloc(1, sizeof(*b));
	*stage = "load";
	if ((b->skel = owners_bpf_skel__open()) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	errno = 0;
	if ((rc = owners_bpf_skel__load(b->skel)) != 0) {
		rc = rc < 0 ? rc : errno != 0 ? -errno : -EINVAL;
		goto fail;
	}
	*stage = "attach";
	if (owners_bpf_skel__attach(b->skel) != 0) {
		rc = errno != 0 ? -errno : -EINVAL;
		goto fail;
	}
	b->buf = xmalloc(BPF_READ_SIZE);
	*out = b;			/* caller frees: owners_bpf_close() */
	return 0;
fail:
	owners_bpf_close(b);
	return rc;
}

void
owners_bpf_close(struct ct_owners_bpf *b)
{
	if (b == NULL)
		return;
	if (b->skel != NULL)
		owners_bpf_skel__destroy(b->skel);
	free(b->buf);
	free(b);
}

/* A new walk of the attached iterator: a descriptor to read() it from. */
static int
bpf_walk_open(const struct ct_owners_bpf *b)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.iter_create.link_fd = (__u32)b->skel->links.ct_owners_fd;
	fd = (int)syscall(__NR_bpf, BPF_ITER_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* Read the stream of iterator fd to the end, feeding r. */
static int
bpf_read_all(struct ct_owners_bpf *b, int fd, struct ct_bpf_reader *r,
    const char **stage)
{
	size_t have = 0, used;
	ssize_t n;
	int rc;

	for (;;) {
		n = read(fd, b->buf + have, BPF_READ_SIZE - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*stage = "read";
			return -errno;
		}
		*stage = "records";
		if (n == 0)
			return owners_bpf_parse_end(r, have);
		have += (size_t)n;
		if ((rc = owners_bpf_parse(r, b->buf, have, &used)) != 0)
			return rc;
		/* a record cut by the end of the read: keep its start */
		memmove(b->buf, b->buf + used, have - used);
		have -= used;
	}
}

int
owners_bpf_collect(struct ct_owners_bpf *b, struct ct_owners_seen *seen,
    struct ct_owners *names, const char **stage)
{
	struct bpf_collect c = { seen, names, 0, 0 };
	size_t len = seen->len, ncomm = names->ncomm;
	struct ct_bpf_reader r;
	int fd, rc;

	/* what the program remembers from the last walk: forget it */
	b->skel->bss->ct_last_task = 0;
	b->skel->bss->ct_last_skip = 0;
	b->skel->bss->ct_nfd = 0;
	*stage = "iterator";
	if ((fd = bpf_walk_open(b)) < 0)
		return fd;
	memset(&r, 0, sizeof(r));
	r.cb = bpf_owner_cb;
	r.arg = &c;
	rc = bpf_read_all(b, fd, &r, stage);
	close(fd);
	if (rc != 0) {
		seen->len = len;	/* nothing of a stream that fails */
		names->ncomm = ncomm;
	}
	return rc;
}

int
owners_bpf_scan(struct ct_owners_bpf *b, struct ct_socklist *socks,
    struct ct_owners *out, const char **stage)
{
	struct ct_owners_seen seen = { 0 };
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	owners_init(out);
	for (i = 0; i < socks->len; i++)
		socks->v[i].owners = 0;
	if ((rc = owners_bpf_collect(b, &seen, out, stage)) == 0)
		owners_link_seen(&seen, socks, out);
	owners_seen_free(&seen);
	return rc;
}

#else /* !CT_HAVE_BPF */

struct ct_owners_bpf {
	int		 unused;
};

int
owners_bpf_open(struct ct_owners_bpf **out, const char **stage)
{
	*out = NULL;
	*stage = "not built in";
	return -ENOTSUP;
}

void
owners_bpf_close(struct ct_owners_bpf *b)
{
	free(b);
}

int
owners_bpf_collect(struct ct_owners_bpf *b, struct ct_owners_seen *seen,
    struct ct_owners *names, const char **stage)
{
	(void)b;
	(void)seen;
	(void)names;
	*stage = "not built in";
	return -ENOTSUP;
}

int
owners_bpf_scan(struct ct_owners_bpf *b, struct ct_socklist *socks,
    struct ct_owners *out, const char **stage)
{
	size_t i;

	(void)b;
	memset(out, 0, sizeof(*out));
	owners_init(out);
	for (i = 0; i < socks->len; i++)
		socks->v[i].owners = 0;
	*stage = "not built in";
	return -ENOTSUP;
}

#endif /* CT_HAVE_BPF */
