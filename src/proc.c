/*
 * Owners: which processes hold which socket, from /proc/PID/fd links.
 *
 * The lookup goes the cheap way round: a hash of the inodes we want (sized
 * to the record list, so it stays O(1) at 200,000 sockets), probed once per
 * descriptor found in /proc. Processes and descriptors that vanish while we
 * read are skipped: that is a race, not an error.
 */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct inode_hash {
	uint32_t	*slot;		/* 1 + record index; 0 = empty */
	size_t		 mask;
};

static size_t
inode_hash_pos(uint32_t inode, size_t mask)
{
	/* Fibonacci hashing: socket inodes are nearly sequential */
	return (size_t)((inode * 2654435769u) >> 7) & mask;
}

static void
inode_hash_build(struct inode_hash *h, const struct ct_socklist *socks)
{
	size_t cap = 64, i, pos;

	while (cap < socks->len * 2)
		cap <<= 1;
	h->slot = xcalloc(cap, sizeof(*h->slot));
	h->mask = cap - 1;
	for (i = 0; i < socks->len; i++) {
		uint32_t inode = socks->v[i].inode;

		if (inode == 0)		/* TIME_WAIT and request sockets */
			continue;
		pos = inode_hash_pos(inode, h->mask);
		while (h->slot[pos] != 0)
			pos = (pos + 1) & h->mask;
		h->slot[pos] = (uint32_t)i + 1;
	}
}

/* The next record with this inode from *pos on, or -1 (a dump may repeat one). */
static long
inode_hash_find(const struct inode_hash *h, const struct ct_socklist *socks,
    uint32_t inode, size_t *pos)
{
	for (; h->slot[*pos] != 0; *pos = (*pos + 1) & h->mask) {
		uint32_t idx = h->slot[*pos] - 1;

		if (socks->v[idx].inode == inode) {
			*pos = (*pos + 1) & h->mask;
			return idx;
		}
	}
	return -1;
}

int
proc_parse_socket_link(const char *link, size_t len, uint32_t *inode)
{
	uint64_t v = 0;
	size_t i;

	if (len < 10 || memcmp(link, "socket:[", 8) != 0 || link[len - 1] != ']')
		return -EINVAL;
	for (i = 8; i < len - 1; i++) {
		if (link[i] < '0' || link[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(link[i] - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	*inode = (uint32_t)v;
	return 0;
}

static uint32_t
owners_add(struct ct_owners *o)
{
	if (o->len == o->cap) {
		o->cap = o->cap < 64 ? 64 : o->cap * 2;
		o->v = xreallocarray(o->v, o->cap, sizeof(*o->v));
	}
	memset(&o->v[o->len], 0, sizeof(o->v[0]));
	return (uint32_t)o->len++;
}

/* Read /proc/PID/comm; an unreadable one (exited, hidepid) stays empty. */
static void
proc_read_comm(int procfd, const char *pid, char comm[16])
{
	char path[32];
	ssize_t n;
	int fd;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "%s/comm", pid);
	if ((fd = openat(procfd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, comm, 15);
	close(fd);
	if (n <= 0)
		return;
	comm[n] = '\0';
	if (comm[n - 1] == '\n')	/* the kernel appends one; a name may not */
		comm[n - 1] = '\0';
}

static int
pid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The pids in procroot, ascending, so that the first owner is the oldest. */
static uint32_t *
proc_list_pids(int procfd, size_t *n)
{
	DIR *dir;
	struct dirent *e;
	uint32_t *pids = NULL;
	size_t cap = 0;
	int fd;

	*n = 0;
	if ((fd = dup(procfd)) < 0)
		return NULL;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return NULL;
	}
	while ((e = readdir(dir)) != NULL) {
		char *end;
		unsigned long pid = strtoul(e->d_name, &end, 10);

		if (e->d_name[0] < '1' || e->d_name[0] > '9' || *end != '\0' ||
		    pid > UINT32_MAX)
			continue;
		if (*n == cap) {
			cap = cap < 256 ? 256 : cap * 2;
			pids = xreallocarray(pids, cap, sizeof(*pids));
		}
		pids[(*n)++] = (uint32_t)pid;
	}
	closedir(dir);
	qsort(pids, *n, sizeof(*pids), pid_cmp);
	return pids;
}

/* Link every descriptor of one process that names a wanted socket. */
static void
proc_scan_pid(int procfd, uint32_t pid, const struct inode_hash *h,
    struct ct_socklist *socks, uint32_t *tail, struct ct_owners *out)
{
	char name[16], path[32], link[64];
	char comm[16] = "";
	bool have_comm = false;
	struct dirent *e;
	DIR *dir;
	int fd;

	snprintf(name, sizeof(name), "%u", pid);
	snprintf(path, sizeof(path), "%u/fd", pid);
	if ((fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;			/* gone, or not ours to read */
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		uint32_t inode;
		ssize_t n;
		size_t pos;
		long idx;

		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(fd, e->d_name, link, sizeof(link));
		if (n <= 0 || (size_t)n >= sizeof(link) ||
		    proc_parse_socket_link(link, (size_t)n, &inode) != 0)
			continue;
		pos = inode_hash_pos(inode, h->mask);
		while ((idx = inode_hash_find(h, socks, inode, &pos)) >= 0) {
			uint32_t o = owners_add(out);

			if (!have_comm) {
				proc_read_comm(procfd, name, comm);
				have_comm = true;
			}
			out->v[o].pid = pid;
			out->v[o].fd = (int32_t)strtol(e->d_name, NULL, 10);
			memcpy(out->v[o].comm, comm, sizeof(comm));
			if (tail[idx] == 0)
				socks->v[idx].owners = o;
			else
				out->v[tail[idx]].next = o;
			tail[idx] = o;
		}
	}
	closedir(dir);
}

int
proc_scan(const char *procroot, struct ct_socklist *socks, struct ct_owners *out)
{
	struct inode_hash h;
	uint32_t *pids, *tail;
	size_t npids, i;
	int procfd;

	memset(out, 0, sizeof(*out));
	owners_add(out);			/* index 0: "unknown" */
	for (i = 0; i < socks->len; i++)
		socks->v[i].owners = 0;
	if ((procfd = open(procroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	inode_hash_build(&h, socks);
	tail = xcalloc(socks->len + 1, sizeof(*tail));
	pids = proc_list_pids(procfd, &npids);
	for (i = 0; i < npids; i++)
		proc_scan_pid(procfd, pids[i], &h, socks, tail, out);
	free(pids);
	free(tail);
	free(h.slot);
	close(procfd);
	return 0;
}

size_t
proc_owner_count(const struct ct_owners *o, uint32_t first)
{
	size_t n = 0;

	for (; first != 0 && first < o->len; first = o->v[first].next)
		n++;
	return n;
}

void
proc_owners_free(struct ct_owners *o)
{
	if (o == NULL)
		return;
	free(o->v);
	o->v = NULL;
	o->len = o->cap = 0;
}
