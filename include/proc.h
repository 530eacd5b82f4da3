#ifndef CT_PROC_H
#define CT_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "sock.h"

/* A process name as the kernel keeps it: 15 bytes at most, and a NUL. */
#define CT_COMM_SIZE	16

/* One process holding one socket through one descriptor: 16 bytes. */
struct ct_owner {
	uint32_t	 pid;
	int32_t		 fd;
	uint32_t	 next;		/* next owner of the same socket; 0 = end */
	uint32_t	 comm;		/* its process's name: ct_owners.comm[comm] */
};

/*
 * Owner table: v[0] is a sentinel so that index 0 means "unknown". Names
 * are kept once per process, not per descriptor: a server holding 20,000
 * sockets has one name, not 20,000 copies of it.
 */
struct ct_owners {
	struct ct_owner	*v;
	size_t		 len, cap;
	char		(*comm)[CT_COMM_SIZE]; /* raw /proc/PID/comm: untrusted */
	size_t		 ncomm, capcomm;
};

/* The name of owner w of table o, NUL-terminated; escape it to print. */
static inline const char *
proc_owner_comm(const struct ct_owners *o, const struct ct_owner *w)
{
	return w->comm < o->ncomm ? o->comm[w->comm] : "";
}

/* Keep one more name (its first 15 bytes) in o; its index. */
uint32_t	 proc_owners_add_comm(struct ct_owners *o, const char *comm);

/*
 * Scan procroot ("/proc") for descriptors that name sockets in socks and
 * link each record's owners chain (lowest pid first). Processes that vanish
 * mid-scan are skipped. Returns 0 or -errno when procroot cannot be read.
 * The caller frees out with proc_owners_free().
 */
int		 proc_scan(const char *procroot, struct ct_socklist *socks,
		    struct ct_owners *out);
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
};

/* A cache over procroot. Returns 0 or -errno; free with proc_cache_free(). */
int		 proc_cache_open(const char *procroot, struct ct_proc_cache **out);
/* Release; NULL-safe. */
void		 proc_cache_free(struct ct_proc_cache *c);
/*
 * proc_scan() with the cache's memory: the same result for the same /proc,
 * with far less reading. Owners of processes that have exited are dropped;
 * a socket no process holds is looked for once, then not again while it
 * lives. Returns 0 or -errno; out is freed with proc_owners_free().
 */
int		 proc_cache_scan(struct ct_proc_cache *c, struct ct_socklist *socks,
		    struct ct_owners *out);
/* The cost of the last proc_cache_scan(). */
void		 proc_cache_stats(const struct ct_proc_cache *c,
		    struct ct_proc_stats *out);

/* Number of owners on the chain that starts at index first. */
size_t		 proc_owner_count(const struct ct_owners *o, uint32_t first);
/* Number of distinct processes on that chain (one may hold it twice). */
size_t		 proc_owner_pids(const struct ct_owners *o, uint32_t first);
/* Release the table; NULL-safe. */
void		 proc_owners_free(struct ct_owners *o);

/*
 * Parse a /proc/PID/fd link target "socket:[N]" into *inode.
 * Returns 0, or -EINVAL when it names something else.
 */
int		 proc_parse_socket_link(const char *link, size_t len,
		    uint32_t *inode);

#endif /* CT_PROC_H */
