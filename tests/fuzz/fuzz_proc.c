/*
 * Fuzz the /proc readers. Byte 0 is the length of a descriptor's link
 * text, which follows; the rest is the content of a comm file.
 *
 * - proc_parse_socket_link() on the link text must agree with a plain
 *   reference: "socket:[" digits "]" with a value that fits 32 bits.
 * - A fake /proc tree (one process, pid 7, whose fd/3 links to that text
 *   and whose comm file holds the rest) is scanned by proc_scan() and by
 *   a fresh proc cache: the owner is found exactly when the link names
 *   the wanted socket and the comm file is not empty (an empty read means
 *   the process is gone), its comm is the file's first 15 bytes less a
 *   final newline, always NUL-terminated, and both scans agree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "sock.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_proc: %s:%d: %s\n", __FILE__, __LINE__, \
		    #cond); \
		abort(); \
	} \
} while (0)

static char root[64];

static void
fz_cleanup(void)
{
	char path[128];

	if (root[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/7/fd/3", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/7/fd", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/7/comm", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/7", root);
	rmdir(path);
	rmdir(root);
}

static void
fz_init(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char path[128];

	snprintf(root, sizeof(root), "%s/fuzz_proc.XXXXXX", base);
	FZ_CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/7", root);
	FZ_CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/7/fd", root);
	FZ_CHECK(mkdir(path, 0755) == 0);
	atexit(fz_cleanup);
}

/* The reference parser: plain and slow. */
static int
ref_parse(const uint8_t *s, size_t len, uint32_t *inode)
{
	uint64_t v = 0;
	size_t i;

	if (len < 10 || memcmp(s, "socket:[", 8) != 0 || s[len - 1] != ']')
		return -EINVAL;
	for (i = 8; i < len - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	*inode = (uint32_t)v;
	return 0;
}

static void
fz_write(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/7/%s", root, name);
	FZ_CHECK((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0);
	FZ_CHECK(write(fd, p, n) == (ssize_t)n);
	close(fd);
}

/* The comm proc.c must report for file content p[0..n). */
static void
want_comm(const uint8_t *p, size_t n, char out[16])
{
	if (n > 15)
		n = 15;
	memcpy(out, p, n);
	out[n] = '\0';
	if (n > 0 && out[n - 1] == '\n')
		out[n - 1] = '\0';
}

static void
check_owners(const struct ct_socklist *socks, const struct ct_owners *o,
    bool owned, const char *comm)
{
	const struct ct_owner *w;

	if (!owned) {
		FZ_CHECK(socks->v[0].owners == 0);
		return;
	}
	FZ_CHECK(socks->v[0].owners != 0 && socks->v[0].owners < o->len);
	w = &o->v[socks->v[0].owners];
	FZ_CHECK(w->pid == 7 && w->fd == 3 && w->next == 0);
	FZ_CHECK(w->comm < o->ncomm);
	FZ_CHECK(memchr(o->comm[w->comm], '\0', sizeof(o->comm[0])) != NULL);
	FZ_CHECK(strcmp(owners_comm(o, w), comm) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_socklist socks = { 0 };
	struct ct_proc_cache *cache = NULL;
	struct ct_owners o1, o2;
	const uint8_t *link, *comm;
	size_t linklen, commlen;
	char path[128], target[300], want[16];
	uint32_t inode = 0, rinode = 0;
	bool owned;
	int rc, rrc;

	if (root[0] == '\0')
		fz_init();
	if (size < 1)
		return 0;
	linklen = data[0];
	if (linklen > size - 1)
		linklen = size - 1;
	link = data + 1;
	comm = link + linklen;
	commlen = size - 1 - linklen;

	rc = proc_parse_socket_link((const char *)link, linklen, &inode);
	rrc = ref_parse(link, linklen, &rinode);
	FZ_CHECK(rc == rrc);
	if (rc == 0)
		FZ_CHECK(inode == rinode);

	/* a symlink's text has no NUL and is not empty */
	if (linklen == 0 || memchr(link, '\0', linklen) != NULL)
		return 0;
	memcpy(target, link, linklen);
	target[linklen] = '\0';
	snprintf(path, sizeof(path), "%s/7/fd/3", root);
	unlink(path);
	FZ_CHECK(symlink(target, path) == 0);
	fz_write("comm", comm, commlen);
	want_comm(comm, commlen, want);

	/* the wanted socket: the one the link names, else another */
	sock_list_append(&socks)->inode = rc == 0 && inode != 0 ? inode : 4242;
	owned = rc == 0 && inode != 0 && linklen < 64 && commlen > 0;

	FZ_CHECK(proc_scan(root, &socks, &o1) == 0);
	check_owners(&socks, &o1, owned, want);
	FZ_CHECK(proc_cache_open(root, &cache) == 0);
	FZ_CHECK(proc_cache_scan(cache, &socks, &o2) == 0);
	check_owners(&socks, &o2, owned, want);
	proc_cache_free(cache);
	owners_free(&o1);
	owners_free(&o2);
	sock_list_free(&socks);
	return 0;
}
