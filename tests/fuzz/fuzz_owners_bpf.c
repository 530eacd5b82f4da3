/*
 * Fuzz the reader of the BPF owner iterator's stream (owners_bpf_parse()),
 * untrusted input from the kernel. Byte 0 chooses how the stream is cut
 * into reads (pieces of byte 0 + 1 bytes, a record cut by the end of one
 * carried over to the next, as owners_bpf.c's read loop does); the rest is
 * the stream (layout in src/bpf/owners_rec.h).
 *
 * What must hold whatever the bytes:
 * - the reader never consumes more than it was given, nor a piece of a
 *   record;
 * - read whole or cut into pieces, the verdict and every descriptor told
 *   are the same;
 * - what it tells is sane: a pid, a descriptor >= 0, an inode, a name
 *   NUL-terminated within 16 bytes, a process number that only grows;
 * - a stream it accepts ended with an end record that counted it;
 * - linked to records (owners_link_seen()), every chain is in pid and fd
 *   order, without a repeated (pid, fd), and names a known process.
 */
#include <errno.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/bpf/owners_rec.h"
#include "owners_bpf.h"
#include "owners_link.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_owners_bpf: %s:%d: %s\n", __FILE__, \
		    __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* The descriptors told, kept for comparing the two readings. */
struct told {
	struct ct_bpf_owner *v;
	char		(*comm)[16];
	size_t		 len, cap;
	uint32_t	 last_task;
};

static void
told_cb(void *arg, const struct ct_bpf_owner *o)
{
	struct told *t = arg;

	FZ_CHECK(o->pid != 0 && o->fd >= 0 && o->ino != 0);
	FZ_CHECK(o->comm != NULL && memchr(o->comm, '\0', 16) != NULL);
	FZ_CHECK(o->task >= 1 && o->task >= t->last_task);
	t->last_task = o->task;
	if (t->len == t->cap) {
		t->cap = t->cap < 64 ? 64 : t->cap * 2;
		FZ_CHECK((t->v = realloc(t->v, t->cap * sizeof(*t->v))) != NULL);
		FZ_CHECK((t->comm = realloc(t->comm,
		    t->cap * sizeof(*t->comm))) != NULL);
	}
	t->v[t->len] = *o;
	memset(t->comm[t->len], 0, sizeof(t->comm[0]));
	strcpy(t->comm[t->len], o->comm);
	t->v[t->len].comm = NULL;	/* the reader's buffer: not kept */
	t->len++;
}

/* Read p[0 .. n) in pieces of piece bytes; the verdict. */
static int
fz_read(const uint8_t *p, size_t n, size_t piece, struct told *t,
    struct ct_bpf_reader *r)
{
	uint8_t *buf = malloc(n + 1);
	size_t have = 0, off = 0, used, k;
	int rc = 0;

	FZ_CHECK(buf != NULL);
	memset(r, 0, sizeof(*r));
	r->cb = told_cb;
	r->arg = t;
	while (off < n) {
		k = n - off < piece ? n - off : piece;
		memcpy(buf + have, p + off, k);
		off += k;
		have += k;
		if ((rc = owners_bpf_parse(r, buf, have, &used)) != 0)
			break;
		FZ_CHECK(used <= have);
		/* what is left is less than the largest record */
		FZ_CHECK(have - used < sizeof(struct ct_bpf_task));
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	if (rc == 0)
		rc = owners_bpf_parse_end(r, have);
	FZ_CHECK(rc == 0 || rc == -EBADMSG);
	free(buf);
	return rc;
}

static void
told_free(struct told *t)
{
	free(t->v);
	free(t->comm);
}

/* Link what was told to records of every inode it named, and check. */
static void
fz_link(const struct told *t)
{
	struct ct_socklist socks = { 0 };
	struct ct_owners_seen seen = { 0 };
	struct ct_owners out;
	size_t i;

	memset(&out, 0, sizeof(out));
	owners_init(&out);
	for (i = 0; i < t->len && i < 512; i++) {
		struct ct_owner_seen *e;

		if (t->v[i].ino > UINT32_MAX)
			continue;
		e = owners_seen_add(&seen);
		e->inode = (uint32_t)t->v[i].ino;
		e->pid = t->v[i].pid;
		e->fd = t->v[i].fd;
		e->comm = owners_add_comm(&out, t->comm[i]);
		if (i % 3 != 2)		/* some inodes are not in the snapshot */
			sock_list_append(&socks)->inode = e->inode;
	}
	owners_link_seen(&seen, &socks, &out);
	for (i = 0; i < socks.len; i++) {
		const struct ct_owner *w, *prev = NULL;

		for (w = owners_get(&out, socks.v[i].owners); w != NULL;
		    w = owners_get(&out, w->next)) {
			FZ_CHECK(w->comm < out.ncomm);
			if (prev != NULL)
				FZ_CHECK(prev->pid < w->pid ||
				    (prev->pid == w->pid && prev->fd < w->fd));
			prev = w;
		}
	}
	owners_seen_free(&seen);
	owners_free(&out);
	sock_list_free(&socks);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_bpf_reader r1, r2;
	struct told t1 = { 0 }, t2 = { 0 };
	size_t i;
	int rc1, rc2;

	if (size < 1)
		return 0;
	rc1 = fz_read(data + 1, size - 1, size, &t1, &r1);
	rc2 = fz_read(data + 1, size - 1, (size_t)data[0] + 1, &t2, &r2);
	FZ_CHECK(rc1 == rc2);
	/* up to a failure too, both readings told the same */
	FZ_CHECK(t1.len == t2.len);
	for (i = 0; i < t1.len; i++) {
		FZ_CHECK(t1.v[i].pid == t2.v[i].pid);
		FZ_CHECK(t1.v[i].fd == t2.v[i].fd);
		FZ_CHECK(t1.v[i].ino == t2.v[i].ino);
		FZ_CHECK(t1.v[i].task == t2.v[i].task);
		FZ_CHECK(strcmp(t1.comm[i], t2.comm[i]) == 0);
	}
	if (rc1 == 0) {
		FZ_CHECK(r1.ended && r2.ended && r1.nfd == t1.len);
		fz_link(&t1);
	}
	told_free(&t1);
	told_free(&t2);
	return 0;
}
