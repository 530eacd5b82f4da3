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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/*
 * A slot holds the inode itself, so that a probe touches the table only:
 * the records are 22 MiB at 200,000 sockets, and a probe that read each
 * candidate's inode there missed the cache every time.
 */
struct inode_slot {
	uint32_t	 inode;		/* 0 = empty: sockets have no inode 0 */
	uint32_t	 idx;		/* record index */
};

struct inode_hash {
	struct inode_slot *slot;
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
		while (h->slot[pos].inode != 0)
			pos = (pos + 1) & h->mask;
		h->slot[pos].inode = inode;
		h->slot[pos].idx = (uint32_t)i;
	}
}

/* The next record with this inode from *pos on, or -1 (a dump may repeat one). */
static long
inode_hash_find(const struct inode_hash *h, uint32_t inode, size_t *pos)
{
	for (; h->slot[*pos].inode != 0; *pos = (*pos + 1) & h->mask) {
		if (h->slot[*pos].inode == inode) {
			long idx = h->slot[*pos].idx;

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

/*
 * Open /proc/PID, or -1 when it is gone. Everything about a process is
 * then read through this descriptor: procfs ties it to that process, so
 * if the process exits and its pid is reused meanwhile, reads through it
 * fail instead of mixing the new process's name with the old one's
 * descriptors (or the reverse).
 */
static int
proc_open_pid(int procfd, uint32_t pid)
{
	char name[16];

	snprintf(name, sizeof(name), "%u", pid);
	return openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/*
 * Read comm from an open /proc/PID. False when it cannot be read: the
 * process has exited (or is hidden from us), so what we know of it is
 * stale.
 */
static bool
proc_read_comm(int pidfd, char comm[16])
{
	ssize_t n;
	int fd;

	comm[0] = '\0';
	if ((fd = openat(pidfd, "comm", O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, comm, 15);
	close(fd);
	if (n <= 0)
		return false;
	comm[n] = '\0';
	if (comm[n - 1] == '\n')	/* the kernel appends one; a name may not */
		comm[n - 1] = '\0';
	return true;
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

/*
 * What the scan found: one entry per (record, descriptor) in scan order
 * (pid ascending, then descriptor), linked into owner chains only at the
 * end, sorted by record. Linking as the scan went wrote to the record and
 * a chain tail, both all over memory, for each of 200,000 descriptors.
 */
struct scan_hit {
	uint32_t	 idx;		/* record index */
	uint32_t	 pid;
	int32_t		 fd;
	uint32_t	 comm;		/* index into scan.comm */
};

struct scan {
	const struct inode_hash *h;
	int		 procfd;
	struct scan_hit	*hit;
	size_t		 nhit, caphit;
	char		(*comm)[16];	/* one per process with a hit */
	size_t		 ncomm, capcomm;
};

/* Descriptors whose links are read before their inodes are looked up. */
#define SCAN_BATCH	64

struct scan_fd {
	uint32_t	 inode;
	int32_t		 fd;
	size_t		 pos;
};

/*
 * Look a batch of one process's socket descriptors up. The table's slots
 * are fetched for the whole batch first: a readlinkat() in between leaves
 * little of the table in the cache. The name is read (through pidfd, an
 * open /proc/PID) at the first hit, after the links that name it; false
 * when it cannot be, as the process is gone: none of its hits are kept.
 */
static bool
scan_lookup(struct scan *sc, uint32_t pid, int pidfd, struct scan_fd *b,
    size_t nb, bool *have_comm)
{
	const struct inode_hash *h = sc->h;
	size_t k;
	long idx;

	for (k = 0; k < nb; k++) {
		b[k].pos = inode_hash_pos(b[k].inode, h->mask);
		__builtin_prefetch(&h->slot[b[k].pos]);
	}
	for (k = 0; k < nb; k++) {
		while ((idx = inode_hash_find(h, b[k].inode, &b[k].pos)) >= 0) {
			struct scan_hit *t;

			if (!*have_comm) {
				if (sc->ncomm == sc->capcomm) {
					sc->capcomm = sc->capcomm < 64 ? 64 :
					    sc->capcomm * 2;
					sc->comm = xreallocarray(sc->comm,
					    sc->capcomm, sizeof(*sc->comm));
				}
				if (!proc_read_comm(pidfd, sc->comm[sc->ncomm]))
					return false;
				sc->ncomm++;
				*have_comm = true;
			}
			if (sc->nhit == sc->caphit) {
				sc->caphit = sc->caphit < 256 ? 256 : sc->caphit * 2;
				sc->hit = xreallocarray(sc->hit, sc->caphit,
				    sizeof(*sc->hit));
			}
			t = &sc->hit[sc->nhit++];
			t->idx = (uint32_t)idx;
			t->pid = pid;
			t->fd = b[k].fd;
			t->comm = (uint32_t)sc->ncomm - 1;
		}
	}
	return true;
}

/* Find every descriptor of one process that names a wanted socket. */
static void
proc_scan_pid(struct scan *sc, uint32_t pid)
{
	struct scan_fd b[SCAN_BATCH];
	char link[64];
	bool have_comm = false;
	struct dirent *e;
	size_t nb = 0;
	DIR *dir;
	int pidfd, fd;

	if ((pidfd = proc_open_pid(sc->procfd, pid)) < 0)
		return;			/* gone, or hidden from us */
	fd = openat(pidfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		close(pidfd);
		return;			/* gone, or not ours to read */
	}
	while ((e = readdir(dir)) != NULL) {
		uint32_t inode;
		ssize_t n;

		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(fd, e->d_name, link, sizeof(link));
		if (n <= 0 || (size_t)n >= sizeof(link) ||
		    proc_parse_socket_link(link, (size_t)n, &inode) != 0)
			continue;
		b[nb].inode = inode;
		b[nb].fd = (int32_t)strtol(e->d_name, NULL, 10);
		if (++nb == SCAN_BATCH) {
			if (!scan_lookup(sc, pid, pidfd, b, nb, &have_comm))
				goto gone;
			nb = 0;
		}
	}
	scan_lookup(sc, pid, pidfd, b, nb, &have_comm);
gone:
	closedir(dir);
	close(pidfd);
}

/*
 * Link the hits into owner chains: a stable radix sort by record keeps
 * each record's owners in scan order (lowest pid first, then ascending
 * fd), and then records and chains are written in order.
 */
static void
scan_link(struct scan *sc, struct ct_socklist *socks, struct ct_owners *out)
{
	struct scan_hit *v = sc->hit, *tmp;
	size_t i, *count, shift, n = sc->nhit;

	tmp = xcalloc(n + 1, sizeof(*tmp));
	count = xcalloc(2048, sizeof(*count));
	for (shift = 0; shift < 32 && (shift == 0 || (socks->len - 1) >> shift); shift += 11) {
		size_t sum = 0, c;
		struct scan_hit *t;

		memset(count, 0, 2048 * sizeof(*count));
		for (i = 0; i < n; i++)
			count[v[i].idx >> shift & 2047]++;
		for (i = 0; i < 2048; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[v[i].idx >> shift & 2047]++] = v[i];
		t = v;
		v = tmp;
		tmp = t;
	}
	free(count);
	out->cap = n + 1;
	out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
	for (i = 0; i < n; i++) {
		struct ct_owner *o = &out->v[1 + i];

		o->pid = v[i].pid;
		o->fd = v[i].fd;
		o->next = i + 1 < n && v[i + 1].idx == v[i].idx ?
		    (uint32_t)(2 + i) : 0;
		o->comm = v[i].comm;
		if (i == 0 || v[i - 1].idx != v[i].idx)
			socks->v[v[i].idx].owners = (uint32_t)(1 + i);
	}
	out->len = n + 1;
	/* the names found are the table's names, indexes and all */
	out->comm = sc->comm;
	out->ncomm = sc->ncomm;
	out->capcomm = sc->capcomm;
	sc->comm = NULL;
	free(v == sc->hit ? tmp : v);
	free(sc->hit);
	sc->hit = NULL;
}

int
proc_scan(const char *procroot, struct ct_socklist *socks, struct ct_owners *out)
{
	struct inode_hash h;
	struct scan sc;
	uint32_t *pids;
	size_t npids, i;

	memset(out, 0, sizeof(*out));
	owners_init(out);
	for (i = 0; i < socks->len; i++)
		socks->v[i].owners = 0;
	memset(&sc, 0, sizeof(sc));
	if ((sc.procfd = open(procroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	inode_hash_build(&h, socks);
	sc.h = &h;
	pids = proc_list_pids(sc.procfd, &npids);
	for (i = 0; i < npids; i++)
		proc_scan_pid(&sc, pids[i]);
	free(pids);
	free(h.slot);
	close(sc.procfd);
	if (sc.nhit > 0)
		scan_link(&sc, socks, out);
	free(sc.hit);
	free(sc.comm);
	return 0;
}

/* ---- the cache across refreshes ---------------------------------------- */

/*
 * Listing a process's fd directory costs about 0.7 us per descriptor and
 * reading one link about 2.5 us (measured with 19,000 sockets in one
 * process), so 100,000 sockets cost some 300 ms a scan. The cache keeps
 * every descriptor it has read, socket or not, and reads a link again only
 * when it cannot trust what it remembers.
 */
struct pc_fd {
	uint32_t	 fd : 31;	/* 0 .. INT32_MAX */
	uint32_t	 seen : 1;	/* its socket has been in a snapshot */
	uint32_t	 inode;		/* socket inode; 0 = not a socket */
};

struct pc_proc {
	uint32_t	 pid;
	char		 comm[16];
	struct pc_fd	*fds;		/* ascending fd */
	size_t		 nfds;
};

struct ct_proc_cache {
	int		 procfd;
	struct pc_proc	*v;		/* ascending pid */
	size_t		 len;
	uint32_t	*unowned;	/* ascending: inodes no process was found to hold */
	size_t		 nunowned;
	struct ct_proc_stats stats;
};

/* How much of what it remembers a pass over /proc believes. */
enum pc_trust {
	PC_TRUST_MOST,		/* all but the sockets that closed or are shared */
	PC_TRUST_SOCKETS,	/* only sockets in the snapshot with one holder */
	PC_TRUST_NONE,		/* read every link again */
};

int
proc_cache_open(const char *procroot, struct ct_proc_cache **out)
{
	struct ct_proc_cache *c;
	int fd;

	*out = NULL;
	if ((fd = open(procroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	c = xcalloc(1, sizeof(*c));
	c->procfd = fd;
	*out = c;			/* caller frees: proc_cache_free() */
	return 0;
}

static void
pc_proc_free(struct pc_proc *p)
{
	free(p->fds);
	p->fds = NULL;
	p->nfds = 0;
}

void
proc_cache_free(struct ct_proc_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->len; i++)
		pc_proc_free(&c->v[i]);
	free(c->v);
	free(c->unowned);
	close(c->procfd);
	free(c);
}

void
proc_cache_stats(const struct ct_proc_cache *c, struct ct_proc_stats *out)
{
	*out = c->stats;
}

/* Is inode in the snapshot? The first record that has it, or -1. */
static long
pc_find(const struct inode_hash *h, uint32_t inode)
{
	size_t pos;

	if (inode == 0)
		return -1;
	pos = inode_hash_pos(inode, h->mask);
	return inode_hash_find(h, inode, &pos);
}

static bool
pc_unowned(const struct ct_proc_cache *c, uint32_t inode)
{
	return c->nunowned > 0 && bsearch(&inode, c->unowned, c->nunowned,
	    sizeof(inode), pid_cmp) != NULL;
}

static bool
pc_trusted(const struct pc_fd *f, enum pc_trust trust,
    const struct inode_hash *h, const uint32_t *holders)
{
	long idx;

	if (trust == PC_TRUST_NONE)
		return false;
	if (f->inode == 0)		/* a file then; a socket now if reused */
		return trust == PC_TRUST_MOST;
	if ((idx = pc_find(h, f->inode)) >= 0)
		/*
		 * Its socket is still there, so this descriptor was not closed
		 * and reused, unless another process holds the socket too
		 * (after fork the parent closes its copy and accepts anew).
		 */
		return holders[idx] == 1;
	/*
	 * Not in the snapshot: closed (the descriptor may have been reused)
	 * if it was ever seen; never seen means the kernel filter kept it out.
	 */
	return trust == PC_TRUST_MOST && !f->seen;
}

static int
pc_fd_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct pc_fd *)a)->fd, y = ((const struct pc_fd *)b)->fd;

	return (x > y) - (x < y);
}

/*
 * Read one process through an open /proc/PID: its name (again on every
 * pass: exec changes it), then its descriptors, reading only the links
 * not trusted.
 */
static void
pc_read_proc(struct ct_proc_cache *c, struct pc_proc *p, int pidfd,
    enum pc_trust trust, const struct inode_hash *h, const uint32_t *holders)
{
	char link[64];
	struct pc_fd *nv = NULL;
	const struct pc_fd *old;
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	DIR *dir;
	int fd = -1;

	if (!proc_read_comm(pidfd, p->comm) ||
	    (fd = openat(pidfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		pc_proc_free(p);	/* gone, or not ours to read */
		return;
	}
	c->stats.dirs_read++;
	while ((e = readdir(dir)) != NULL) {
		struct pc_fd f = { 0, 0, 0 };
		char *end;
		long v;
		ssize_t len;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		v = strtol(e->d_name, &end, 10);
		if (*end != '\0' || v < 0 || v > INT32_MAX)
			continue;
		f.fd = (uint32_t)v;
		old = p->nfds == 0 ? NULL :
		    bsearch(&f, p->fds, p->nfds, sizeof(f), pc_fd_cmp);
		if (old != NULL && pc_trusted(old, trust, h, holders)) {
			f = *old;
		} else {
			c->stats.links_read++;
			len = readlinkat(fd, e->d_name, link, sizeof(link));
			if (len <= 0)
				continue;	/* closed meanwhile */
			if ((size_t)len >= sizeof(link) ||
			    proc_parse_socket_link(link, (size_t)len, &f.inode) != 0)
				f.inode = 0;
		}
		if (n == cap) {
			cap = cap < 16 ? 16 : cap * 2;
			nv = xreallocarray(nv, cap, sizeof(*nv));
		}
		nv[n++] = f;
	}
	closedir(dir);
	/* /proc lists descriptors in ascending order; a test's tree may not */
	for (i = 1; i < n && nv[i - 1].fd < nv[i].fd; i++)
		;
	if (i < n)
		qsort(nv, n, sizeof(*nv), pc_fd_cmp);
	free(p->fds);
	p->fds = nv;
	p->nfds = n;
}

/* One pass over /proc: new processes read whole, known ones as trust says. */
static void
pc_rescan(struct ct_proc_cache *c, enum pc_trust trust,
    const struct inode_hash *h, const uint32_t *holders)
{
	struct pc_proc *nv;
	uint32_t *pids;
	size_t npids, i, j = 0, n = 0;
	int fd;

	/* a description of our own: the listing reads it from the start */
	if ((fd = openat(c->procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	pids = proc_list_pids(fd, &npids);
	close(fd);
	nv = xcalloc(npids, sizeof(*nv));
	for (i = 0; i < npids; i++) {
		struct pc_proc *p = &nv[n];

		while (j < c->len && c->v[j].pid < pids[i])
			pc_proc_free(&c->v[j++]);	/* exited */
		if (j < c->len && c->v[j].pid == pids[i])
			*p = c->v[j++];
		else
			p->pid = pids[i];
		if ((fd = proc_open_pid(c->procfd, p->pid)) >= 0) {
			pc_read_proc(c, p, fd, trust, h, holders);
			close(fd);
		} else {
			pc_proc_free(p);	/* exited since the listing */
		}
		n++;
	}
	while (j < c->len)
		pc_proc_free(&c->v[j++]);
	free(pids);
	free(c->v);
	c->v = nv;
	c->len = n;
}

/*
 * Count, for every record, the remembered descriptors that name its
 * socket, and mark those sockets seen. With check, a process holding any
 * of them is first checked for being alive, and forgotten when it is not.
 * Returns the records whose socket no descriptor names.
 */
static size_t
pc_count(struct ct_proc_cache *c, bool check, const struct inode_hash *h,
    const struct ct_socklist *socks, uint32_t *holders)
{
	size_t i, j, k, n = 0, missing = 0;
	struct stat st;
	char name[16];

	memset(holders, 0, socks->len * sizeof(*holders));
	for (i = 0; i < c->len; i++) {
		struct pc_proc *p = &c->v[i];

		if (check) {
			for (j = 0; j < p->nfds; j++)
				if (pc_find(h, p->fds[j].inode) >= 0)
					break;
			if (j < p->nfds) {
				c->stats.pids_checked++;
				snprintf(name, sizeof(name), "%u", p->pid);
				if (fstatat(c->procfd, name, &st, 0) != 0 &&
				    errno == ENOENT) {
					pc_proc_free(p);
					continue;	/* exited: forget it */
				}
			}
		}
		for (j = 0; j < p->nfds; j++) {
			struct pc_fd *f = &p->fds[j];
			size_t pos;
			long idx;

			if (f->inode == 0)
				continue;
			pos = inode_hash_pos(f->inode, h->mask);
			while ((idx = inode_hash_find(h, f->inode, &pos)) >= 0) {
				holders[idx]++;
				f->seen = 1;
			}
		}
		c->v[n++] = *p;
	}
	c->len = n;
	for (k = 0; k < socks->len; k++)
		missing += socks->v[k].inode != 0 && holders[k] == 0 &&
		    !pc_unowned(c, socks->v[k].inode);
	return missing;
}

/* Remember the sockets of this snapshot that no descriptor names. */
static void
pc_set_unowned(struct ct_proc_cache *c, const struct ct_socklist *socks,
    const uint32_t *holders)
{
	size_t i, n = 0;

	free(c->unowned);
	c->unowned = xcalloc(socks->len + 1, sizeof(*c->unowned));
	for (i = 0; i < socks->len; i++)
		if (socks->v[i].inode != 0 && holders[i] == 0)
			c->unowned[n++] = socks->v[i].inode;
	qsort(c->unowned, n, sizeof(*c->unowned), pid_cmp);	/* u32 order */
	c->nunowned = n;
}

int
proc_cache_scan(struct ct_proc_cache *c, struct ct_socklist *socks,
    struct ct_owners *out)
{
	struct inode_hash h;
	uint32_t *holders, *tail;
	size_t i, j, missing;

	memset(&c->stats, 0, sizeof(c->stats));
	memset(out, 0, sizeof(*out));
	owners_init(out);
	for (i = 0; i < socks->len; i++)
		socks->v[i].owners = 0;
	inode_hash_build(&h, socks);
	holders = xcalloc(socks->len + 1, sizeof(*holders));
	/*
	 * Sockets nobody holds (a kernel socket, one in flight over a unix
	 * socket, another user's) would send every refresh to /proc: once a
	 * scan has found no holder, they are not looked for again while they
	 * live. pc_count() leaves them out of what is missing.
	 */
	missing = pc_count(c, true, &h, socks, holders);
	if (missing > 0) {
		static const enum pc_trust passes[] = { PC_TRUST_MOST,
		    PC_TRUST_SOCKETS, PC_TRUST_NONE };

		for (i = 0; i < 3 && missing > 0; i++) {
			c->stats.scans++;
			pc_rescan(c, passes[i], &h, holders);
			missing = pc_count(c, false, &h, socks, holders);
		}
	}
	pc_set_unowned(c, socks, holders);
	c->stats.unowned = (unsigned)c->nunowned;
	/* link the chains: lowest pid first, then ascending fd, as proc_scan() */
	tail = xcalloc(socks->len + 1, sizeof(*tail));
	for (i = 0; i < c->len; i++) {
		const struct pc_proc *p = &c->v[i];
		uint32_t comm = UINT32_MAX;	/* its name, kept at its first hit */

		for (j = 0; j < p->nfds; j++) {
			uint32_t inode = p->fds[j].inode;
			size_t pos;
			long idx;

			if (inode == 0)
				continue;
			pos = inode_hash_pos(inode, h.mask);
			while ((idx = inode_hash_find(&h, inode, &pos)) >= 0) {
				uint32_t o = owners_append(out);

				out->v[o].pid = p->pid;
				out->v[o].fd = (int32_t)p->fds[j].fd;
				if (comm == UINT32_MAX)
					comm = owners_add_comm(out, p->comm);
				out->v[o].comm = comm;
				if (tail[idx] == 0)
					socks->v[idx].owners = o;
				else
					out->v[tail[idx]].next = o;
				tail[idx] = o;
			}
		}
	}
	free(tail);
	free(holders);
	free(h.slot);
	return 0;
}
