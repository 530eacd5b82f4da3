/*
 * Owners: which processes hold which socket, from /proc/PID/fd links.
 *
 * The lookup goes the cheap way round: an index of the inodes we want
 * (owners_link.h), probed once per descriptor found in /proc. Processes
 * and descriptors that vanish while we read are skipped: that is a race,
 * not an error.
 *
 * The one-shot walk runs on several threads: a readlink() is about 2.5 us
 * of kernel time, and 200,000 of them are most of what conntab costs.
 * Threads take processes from one list, and a process with many
 * descriptors is split into chunks that any thread may read; the hits are
 * linked at the end in one order (owners_link()), so the result does not
 * depend on which thread read what.
 */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "owners_link.h"
#include "util.h"

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

/* ---- the one-shot walk, on several threads ------------------------------ */

/*
 * A process with more descriptors than this is read in chunks of this
 * many, queued for every thread: about 2.5 ms of readlink() each, enough
 * to pay for the queueing, small enough to share one large server out.
 */
#define WALK_CHUNK	1024
#define WALK_MAX_THREADS 16

/* A process's name, once its descriptors have been read. */
enum walk_state {
	WALK_NONE,		/* no socket: its name was not needed */
	WALK_NAMED,		/* named: its descriptors count */
	WALK_GONE,		/* exited (or hidden) before it could be named */
};

struct walk_name {
	char		 comm[16];
	uint8_t		 state;		/* enum walk_state */
	uint32_t	 idx;		/* at the end: its index in the owner names */
};

/* One process being read; shared by the threads that read its chunks. */
struct walk_proc {
	uint32_t	 slot;		/* its index in walk.pids */
	int		 pidfd;		/* /proc/PID */
	DIR		*dir;		/* /proc/PID/fd, for readlinkat(dirfd()) */
	int32_t		*fds;		/* its descriptors, as listed */
	size_t		 nfds;
	unsigned	 pending;	/* chunks not read yet (walk.lock) */
	bool		 sock;		/* a chunk found a socket (walk.lock) */
};

struct walk_chunk {
	struct walk_proc *p;
	size_t		 from, to;	/* p->fds[from .. to) */
};

struct walk {
	int		 procfd;
	const uint32_t	*pids;		/* ascending */
	size_t		 npids;
	struct walk_name *names;	/* one per pid */
	pthread_mutex_t	 lock;		/* guards what follows */
	pthread_cond_t	 cond;		/* chunks queued, or no more will be */
	size_t		 next;		/* the next pid to take */
	struct walk_chunk *queue;
	size_t		 qhead, qtail, qcap;	/* queue[qhead .. qtail) */
	unsigned	 listing;	/* threads listing a process: may queue */
};

/* One thread: what it saw, comm holding the pid's slot until the end. */
struct walker {
	struct walk	*w;
	struct ct_owners_seen seen;
	pthread_t	 tid;
};

/* Read the links of p->fds[from .. to); true when one names a socket. */
static bool
walk_links(struct walker *k, const struct walk_proc *p, size_t from, size_t to)
{
	uint32_t pid = k->w->pids[p->slot];
	char name[16], link[64];
	int dfd = dirfd(p->dir);
	bool sock = false;
	size_t i;

	for (i = from; i < to; i++) {
		struct ct_owner_seen *e;
		uint32_t inode;
		ssize_t n;

		snprintf(name, sizeof(name), "%d", p->fds[i]);
		n = readlinkat(dfd, name, link, sizeof(link));
		if (n <= 0 || (size_t)n >= sizeof(link) ||
		    proc_parse_socket_link(link, (size_t)n, &inode) != 0 ||
		    inode == 0)
			continue;	/* closed meanwhile, or not a socket */
		e = owners_seen_add(&k->seen);
		e->inode = inode;
		e->pid = pid;
		e->fd = p->fds[i];
		e->comm = p->slot;
		sock = true;
	}
	return sock;
}

/*
 * Every descriptor of p is read: name the process if it holds a socket.
 * The name is read after the links, through the same /proc/PID: if the
 * process exited meanwhile, it cannot be named and its descriptors are
 * dropped at the end (a pid reused since is another process, which this
 * descriptor does not reach).
 */
static void
walk_done(struct walk *w, struct walk_proc *p, bool sock)
{
	struct walk_name *nm = &w->names[p->slot];

	if (sock)
		nm->state = proc_read_comm(p->pidfd, nm->comm) ? WALK_NAMED :
		    WALK_GONE;
	closedir(p->dir);
	close(p->pidfd);
	free(p->fds);
	free(p);
}

/* List the descriptors of one process; NULL when it is gone or not ours. */
static struct walk_proc *
walk_open(struct walk *w, size_t slot)
{
	struct walk_proc *p;
	struct dirent *e;
	size_t cap = 0;
	int pidfd, fd;

	if ((pidfd = proc_open_pid(w->procfd, w->pids[slot])) < 0)
		return NULL;		/* gone, or hidden from us */
	p = xcalloc(1, sizeof(*p));
	p->slot = (uint32_t)slot;
	p->pidfd = pidfd;
	fd = openat(pidfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (p->dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		close(pidfd);
		free(p);
		return NULL;		/* gone, or not ours to read */
	}
	while ((e = readdir(p->dir)) != NULL) {
		char *end;
		long v;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		v = strtol(e->d_name, &end, 10);
		if (*end != '\0' || v < 0 || v > INT32_MAX)
			continue;
		if (p->nfds == cap) {
			cap = cap < 64 ? 64 : cap * 2;
			p->fds = xreallocarray(p->fds, cap, sizeof(*p->fds));
		}
		p->fds[p->nfds++] = (int32_t)v;
	}
	return p;
}

/*
 * One process: a small one read here and now; a large one queued in
 * chunks, for whichever threads come first (this one included).
 */
static void
walk_pid(struct walker *k, size_t slot)
{
	struct walk *w = k->w;
	struct walk_proc *p;
	size_t from, n;

	if ((p = walk_open(w, slot)) == NULL)
		return;
	if (p->nfds <= WALK_CHUNK) {
		walk_done(w, p, walk_links(k, p, 0, p->nfds));
		return;
	}
	n = (p->nfds + WALK_CHUNK - 1) / WALK_CHUNK;
	pthread_mutex_lock(&w->lock);
	if (w->qhead == w->qtail)
		w->qhead = w->qtail = 0;	/* drained: start over */
	if (w->qtail + n > w->qcap) {
		w->qcap = w->qtail + n + 64;
		w->queue = xreallocarray(w->queue, w->qcap, sizeof(*w->queue));
	}
	p->pending = (unsigned)n;
	for (from = 0; from < p->nfds; from += WALK_CHUNK) {
		struct walk_chunk *c = &w->queue[w->qtail++];

		c->p = p;
		c->from = from;
		c->to = from + WALK_CHUNK < p->nfds ? from + WALK_CHUNK : p->nfds;
	}
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* Read one chunk; the thread that reads a process's last one finishes it. */
static void
walk_chunk(struct walker *k, const struct walk_chunk *c)
{
	struct walk *w = k->w;
	struct walk_proc *p = c->p;
	bool sock = walk_links(k, p, c->from, c->to), last;

	pthread_mutex_lock(&w->lock);
	p->sock |= sock;
	last = --p->pending == 0;
	sock = p->sock;
	pthread_mutex_unlock(&w->lock);
	if (last)
		walk_done(w, p, sock);
}

/*
 * A thread's loop: queued chunks first (they finish processes already
 * begun), then the next process. It waits while the list is done and
 * the queue empty but another thread, listing a process, may queue more.
 */
static void *
walk_run(void *arg)
{
	struct walker *k = arg;
	struct walk *w = k->w;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		if (w->qhead < w->qtail) {
			struct walk_chunk c = w->queue[w->qhead++];

			pthread_mutex_unlock(&w->lock);
			walk_chunk(k, &c);
			pthread_mutex_lock(&w->lock);
		} else if (w->next < w->npids) {
			size_t slot = w->next++;

			w->listing++;
			pthread_mutex_unlock(&w->lock);
			walk_pid(k, slot);
			pthread_mutex_lock(&w->lock);
			if (--w->listing == 0)
				pthread_cond_broadcast(&w->cond);
		} else if (w->listing > 0) {
			pthread_cond_wait(&w->cond, &w->lock);
		} else {
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

unsigned
proc_walk_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > WALK_MAX_THREADS ? WALK_MAX_THREADS : (unsigned)n;
}

/*
 * Gather the threads' descriptors into one list: only those of processes
 * that could be named, each name added once, in pid order.
 */
static void
walk_gather(struct walk *w, struct walker *k, unsigned nk,
    struct ct_owners_seen *seen, struct ct_owners *names)
{
	size_t i, j, n = seen->len;

	for (i = 0; i < w->npids; i++)
		if (w->names[i].state == WALK_NAMED)
			w->names[i].idx = owners_add_comm(names, w->names[i].comm);
	for (i = 0; i < nk; i++)
		n += k[i].seen.len;
	if (n > seen->cap) {
		seen->cap = n;
		seen->v = xreallocarray(seen->v, seen->cap, sizeof(*seen->v));
	}
	for (i = 0; i < nk; i++) {
		for (j = 0; j < k[i].seen.len; j++) {
			struct ct_owner_seen e = k[i].seen.v[j];
			const struct walk_name *nm = &w->names[e.comm];

			if (nm->state != WALK_NAMED)
				continue;
			e.comm = nm->idx;
			seen->v[seen->len++] = e;
		}
		owners_seen_free(&k[i].seen);
	}
}

int
proc_collect(const char *procroot, unsigned nthreads,
    struct ct_owners_seen *seen, struct ct_owners *names)
{
	struct walker *k;
	struct walk w;
	uint32_t *pids;
	unsigned i, nk;
	int fd;

	if ((fd = open(procroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > WALK_MAX_THREADS)
		nthreads = WALK_MAX_THREADS;
	memset(&w, 0, sizeof(w));
	w.procfd = fd;
	w.pids = pids = proc_list_pids(fd, &w.npids);
	w.names = xcalloc(w.npids + 1, sizeof(*w.names));
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	k = xcalloc(nthreads, sizeof(*k));
	/* this thread is walker 0; a thread that cannot start is not needed */
	for (nk = 1; nk < nthreads; nk++) {
		k[nk].w = &w;
		if (pthread_create(&k[nk].tid, NULL, walk_run, &k[nk]) != 0)
			break;
	}
	k[0].w = &w;
	walk_run(&k[0]);
	for (i = 1; i < nk; i++)
		pthread_join(k[i].tid, NULL);
	walk_gather(&w, k, nk, seen, names);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	free(k);
	free(w.queue);
	free(w.names);
	free(pids);
	close(fd);
	return 0;
}

int
proc_scan_threads(const char *procroot, unsigned nthreads,
    struct ct_socklist *socks, struct ct_owners *out)
{
	struct ct_owners_seen seen = { 0 };
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	owners_init(out);
	for (i = 0; i < socks->len; i++)
		socks->v[i].owners = 0;
	if ((rc = proc_collect(procroot, nthreads, &seen, out)) == 0)
		owners_link_seen(&seen, socks, out);
	owners_seen_free(&seen);
	return rc;
}

int
proc_scan(const char *procroot, struct ct_socklist *socks, struct ct_owners *out)
{
	return proc_scan_threads(procroot, proc_walk_threads(), socks, out);
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

static bool
pc_unowned(const struct ct_proc_cache *c, uint32_t inode)
{
	return c->nunowned > 0 && bsearch(&inode, c->unowned, c->nunowned,
	    sizeof(inode), pid_cmp) != NULL;
}

static bool
pc_trusted(const struct pc_fd *f, enum pc_trust trust,
    const struct ct_inode_index *h, const uint32_t *holders)
{
	long idx;

	if (trust == PC_TRUST_NONE)
		return false;
	if (f->inode == 0)		/* a file then; a socket now if reused */
		return trust == PC_TRUST_MOST;
	if ((idx = owners_index_find(h, f->inode)) >= 0)
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
    enum pc_trust trust, const struct ct_inode_index *h, const uint32_t *holders)
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
    const struct ct_inode_index *h, const uint32_t *holders)
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
pc_count(struct ct_proc_cache *c, bool check, const struct ct_inode_index *h,
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
				if (owners_index_find(h, p->fds[j].inode) >= 0)
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
			pos = owners_index_pos(h, f->inode);
			while ((idx = owners_index_next(h, f->inode, &pos)) >= 0) {
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

static int
seen_cmp(const void *a, const void *b)
{
	const struct ct_owner_seen *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/*
 * Forget what /proc said and remember what another source saw instead:
 * every socket descriptor of every process (not the other descriptors,
 * which only a later pass over /proc would read again).
 */
static void
pc_fill(struct ct_proc_cache *c, const struct ct_owners_seen *seen,
    const struct ct_owners *names)
{
	const struct ct_owner_seen *v = seen->v;
	struct ct_owner_seen *sorted = NULL;
	size_t i, j, n = 0;

	for (i = 0; i < c->len; i++)
		pc_proc_free(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->len = 0;
	if (seen->len == 0)
		return;
	/* the iterator walks pids and descriptors in order: a sorted copy if not */
	for (i = 1; i < seen->len && seen_cmp(&v[i - 1], &v[i]) <= 0; i++)
		;
	if (i < seen->len) {
		sorted = xcalloc(seen->len, sizeof(*sorted));
		memcpy(sorted, seen->v, seen->len * sizeof(*sorted));
		qsort(sorted, seen->len, sizeof(*sorted), seen_cmp);
		v = sorted;
	}
	for (i = 1, n = 1; i < seen->len; i++)
		n += v[i].pid != v[i - 1].pid;
	c->v = xcalloc(n, sizeof(*c->v));
	n = 0;
	for (i = 0; i < seen->len; i = j) {
		struct pc_proc *p = &c->v[n++];

		for (j = i + 1; j < seen->len && v[j].pid == v[i].pid; j++)
			;
		p->pid = v[i].pid;
		snprintf(p->comm, sizeof(p->comm), "%s",
		    v[i].comm < names->ncomm ? names->comm[v[i].comm] : "");
		p->fds = xcalloc(j - i, sizeof(*p->fds));
		for (; i < j; i++) {
			if (p->nfds > 0 && p->fds[p->nfds - 1].fd ==
			    (uint32_t)v[i].fd)
				continue;	/* told twice */
			p->fds[p->nfds].fd = (uint32_t)v[i].fd;
			p->fds[p->nfds++].inode = v[i].inode;
		}
	}
	c->len = n;
	free(sorted);
}

int
proc_cache_scan(struct ct_proc_cache *c, struct ct_socklist *socks,
    struct ct_owners *out)
{
	return proc_cache_scan_from(c, socks, NULL, NULL, out);
}

int
proc_cache_scan_from(struct ct_proc_cache *c, struct ct_socklist *socks,
    ct_proc_refill_cb refill, void *arg, struct ct_owners *out)
{
	struct ct_owners_seen seen = { 0 };
	struct ct_owners_linker l;
	struct ct_inode_index h;
	uint32_t *holders;
	size_t i, j, missing;

	memset(&c->stats, 0, sizeof(c->stats));
	memset(out, 0, sizeof(*out));
	owners_init(out);
	for (i = 0; i < socks->len; i++)
		socks->v[i].owners = 0;
	owners_index_build(&h, socks);
	holders = xcalloc(socks->len + 1, sizeof(*holders));
	/*
	 * Sockets nobody holds (a kernel socket, one in flight over a unix
	 * socket, another user's) would send every refresh to /proc: once a
	 * scan has found no holder, they are not looked for again while they
	 * live. pc_count() leaves them out of what is missing.
	 */
	missing = pc_count(c, true, &h, socks, holders);
	if (missing > 0 && refill != NULL) {
		struct ct_owners names = { 0 };

		/* a source that sees every descriptor: what it misses, nobody holds */
		if (refill(arg, &seen, &names) == 0) {
			c->stats.refills++;
			pc_fill(c, &seen, &names);
			(void)pc_count(c, false, &h, socks, holders);
			missing = 0;
		}
		owners_seen_free(&seen);
		owners_free(&names);
	}
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
	/*
	 * The same linking as proc_scan(): the cache is in pid and fd order,
	 * so each owner goes at its chain's end as it comes, with no list.
	 */
	for (i = 0, j = 0; i < c->len; i++)
		j += c->v[i].nfds;
	owners_linker_start(&l, &h, socks, out, j);
	for (i = 0; i < c->len; i++) {
		const struct pc_proc *p = &c->v[i];
		uint32_t comm = UINT32_MAX;	/* its name, kept at its first socket */

		for (j = 0; j < p->nfds; j++) {
			if (p->fds[j].inode == 0)
				continue;
			if (comm == UINT32_MAX)
				comm = owners_add_comm(out, p->comm);
			owners_linker_add(&l, p->fds[j].inode, p->pid,
			    (int32_t)p->fds[j].fd, comm);
		}
	}
	owners_linker_end(&l);
	owners_seen_free(&seen);
	free(holders);
	owners_index_free(&h);
	return 0;
}
