#ifndef CT_PROC_H
#define CT_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "owners.h"
#include "owners_link.h"
#include "sock.h"

/*
 * Scan procroot ("/proc") for descriptors that name sockets in socks and
 * link each record's owners chain (lowest pid first, then fd). Only
 * /proc/PID/fd is read: the table of a thread that unshared its own
 * (unshare(CLONE_FILES)) is not, as ss -p does not. Processes that vanish
 * mid-scan are skipped. Returns 0 or -errno when procroot cannot be read.
 * The caller frees out with owners_free().
 */
int		 proc_scan(const char *procroot, struct ct_socklist *socks,
		    struct ct_owners *out);
/*
 * proc_scan() on nthreads threads (1: the calling thread alone; at most
 * 16): the processes are shared out, a large one's descriptors too. The
 * result is the same whatever nthreads, as the hits are linked in one
 * order at the end.
 */
int		 proc_scan_threads(const char *procroot, unsigned nthreads,
		    struct ct_socklist *socks, struct ct_owners *out);
/*
 * The walk of proc_scan_threads() without a snapshot: every descriptor
 * of every readable process that names a socket goes into seen, the
 * process's name into names (owners_add_comm()). Link them to records
 * with owners_link_seen(). Returns 0, or -errno when procroot cannot be
 * read (seen and names are then untouched).
 */
int		 proc_collect(const char *procroot, unsigned nthreads,
		    struct ct_owners_seen *seen, struct ct_owners *names);
/* The threads proc_scan() uses: the online CPUs, at most 16. */
unsigned	 proc_walk_threads(void);
/*
 * Owners remembered between snapshots (the live view), so that a refresh
 * reads /proc only when a snapshot holds a socket whose owner is not known:
 * then every process's fd directory is listed, but only descriptors that
 * are new, or whose remembered socket is gone or shared, are read again.
 */
struct ct_proc_cache;

/* What the last proc_cache_scan() cost, for benchmarks and tests. */
struct ct_proc_stats {
	unsigned	 scans;		/* 0: nothing new, /proc left alone */
	unsigned	 pids_checked;	/* known owners checked for being alive */
	unsigned	 dirs_read;	/* /proc/PID/fd directories listed */
	unsigned	 links_read;	/* descriptors read with readlink() */
	unsigned	 unowned;	/* sockets no readable process holds */
	unsigned	 refills;	/* 1: filled from the refill source instead */
};

/* A cache over procroot. Returns 0 or -errno; free with proc_cache_free(). */
int		 proc_cache_open(const char *procroot, struct ct_proc_cache **out);
/* Release; NULL-safe. */
void		 proc_cache_free(struct ct_proc_cache *c);
/*
 * proc_scan() with the cache's memory: the same result for the same /proc,
 * with far less reading. Owners of processes that have exited are dropped;
 * a socket no process holds is looked for once, then not again while it
 * lives. Returns 0 or -errno; out is freed with owners_free().
 */
int		 proc_cache_scan(struct ct_proc_cache *c, struct ct_socklist *socks,
		    struct ct_owners *out);
/*
 * A source that sees every socket descriptor of every process (the BPF
 * iterator): fills seen and its names (owners_add_comm()); 0, or -errno
 * when it could not.
 */
typedef int	(*ct_proc_refill_cb)(void *arg, struct ct_owners_seen *seen,
		    struct ct_owners *names);
/*
 * proc_cache_scan(), but when a socket has no known owner, the cache is
 * filled from refill(arg, ...) instead of /proc (and /proc only when
 * refill fails). refill NULL: proc_cache_scan().
 */
int		 proc_cache_scan_from(struct ct_proc_cache *c,
		    struct ct_socklist *socks, ct_proc_refill_cb refill,
		    void *arg, struct ct_owners *out);
/* The cost of the last proc_cache_scan(). */
void		 proc_cache_stats(const struct ct_proc_cache *c,
		    struct ct_proc_stats *out);

/*
 * Parse a /proc/PID/fd link target "socket:[N]" into *inode.
 * Returns 0, or -EINVAL when it names something else.
 */
int		 proc_parse_socket_link(const char *link, size_t len,
		    uint32_t *inode);

#endif /* CT_PROC_H */
