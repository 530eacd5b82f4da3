#ifndef CT_SNAP_H
#define CT_SNAP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "label.h"
#include "nstab.h"
#include "owners.h"
#include "sock.h"
#include "view.h"

struct ct_diag;
struct ct_opts;

/* snap.warn bits: things main.c tells the user on stderr */
#define CT_WARN_INTR_TCP	0x01	/* TCP dump still interrupted after retries */
#define CT_WARN_INTR_UDP	0x02
#define CT_WARN_NODIAG_TCP	0x04	/* kernel cannot dump TCP sockets */
#define CT_WARN_NODIAG_UDP	0x08
#define CT_WARN_PROC		0x10	/* /proc could not be read */
#define CT_WARN_NETNS		0x20	/* a namespace refused entry or its dump
					   (CT_NS_REFUSED in the table): left out */
#define CT_WARN_RANGE		0x40	/* the port range could not be read */
#define CT_WARN_EVENTS		0x80	/* -w: the kernel's destroy events cannot be
					   heard (in a namespace): closes there
					   come from the samples alone */

/* snap.failed when the namespaces could not be found (--all-netns) */
#define CT_SNAP_FAILED_NETNS	0xff

/* snap.owners_from: the owner back-end that filled snap.owners */
#define CT_FROM_NONE		0	/* owners were not asked for */
#define CT_FROM_PROC		1	/* the /proc walk (or its cache) */
#define CT_FROM_BPF		2	/* the BPF task_file iterator */

/* snap.failed when the owners failed (CONNTAB_OWNERS=bpf, unavailable) */
#define CT_FAILED_OWNERS	0xfe

/* One look at the kernel: every record the dumps returned, and owners. */
struct ct_snap {
	struct ct_socklist socks;
	struct ct_owners owners;	/* empty with -P */
	struct ct_user	*users;		/* sorted by uid */
	size_t		 nusers;
	struct ct_nstab	 nstab;		/* the namespaces; records name them */
	struct ct_labels labels;	/* owners' labels, when read */
	struct ct_ifname *ifnames;	/* sorted by ifindex: the dev field */
	size_t		 nifnames;
	struct ct_cgpath *cgpaths;	/* sorted by id: the cgroup field */
	size_t		 ncgpaths;
	struct timespec	 when;		/* CLOCK_MONOTONIC at the dump */
	unsigned	 warn;		/* CT_WARN_* */
	unsigned	 bc_sent;	/* dumps that carried filter bytecode */
	unsigned	 bc_refused;	/* of those, refused by the kernel */
	uint8_t		 failed;	/* after a failed snap_take(): IPPROTO_TCP
					 * or IPPROTO_UDP, the dump that failed;
					 * or CT_SNAP_FAIL_MARK, CT_SNAP_FAILED_NETNS,
					 * CT_FAILED_OWNERS */
	uint8_t		 owners_from;	/* CT_FROM_* */
	unsigned	 owners_threads; /* CT_FROM_PROC: threads of the walk */
	int		 bpf_err;	/* why not CT_FROM_BPF: -errno, or 0 */
	const char	*bpf_stage;	/* and at which step (static text) */
};
/* snap.failed: fwmark in the filter, and no marks without CAP_NET_ADMIN */
#define CT_SNAP_FAIL_MARK	0xfd

/*
 * Take a snapshot as the options ask: the dumps (with the kernel part of
 * the filter), the links to listeners when read (-T, -s, -w, the listener
 * field; else every link is 0), owners when shown or filtered on, and
 * user names.
 * Returns 0 or -errno for a failure that leaves nothing to show; warnings
 * are in snap->warn. The caller frees with snap_free().
 */
int		 snap_take(struct ct_diag *d, const struct ct_opts *o,
		    struct ct_snap *snap);
/*
 * What a series of snapshots (the live view, the event stream) remembers
 * from one to the next: the owners already found, so that a refresh looks
 * further only for sockets not seen before, walking the BPF iterator
 * (loaded once) where it loads, else /proc (see proc_cache_scan_from()).
 */
struct ct_snap_cache;

/*
 * A cache for snapshots taken with options o. Returns 0 or -errno (then
 * snapshots are taken without one); free with snap_cache_free().
 */
int		 snap_cache_open(const struct ct_opts *o, struct ct_snap_cache **out);
/* Release; NULL-safe. */
void		 snap_cache_free(struct ct_snap_cache *c);
/* snap_take() for a refresh, through cache c; c NULL: snap_take(). */
int		 snap_take_cached(struct ct_diag *d, const struct ct_opts *o,
		    struct ct_snap_cache *c, struct ct_snap *snap);
/*
 * The kernel's destroy events (-w): a cache opened with o->watch hears
 * them in every namespace it dumps (one socket each, opened with the
 * namespace's sock_diag socket, before its first dump), and marks those
 * namespaces CT_NS_EVENTS in each snapshot's table.
 */
/* What snap_events_read() found beside the records. */
struct ct_snap_evstat {
	bool		 overrun;	/* the kernel dropped events: resync */
	bool		 lost_known;	/* ... and lost is their number */
	uint64_t	 lost;
};
/*
 * The descriptors to poll() for POLLIN: the first max of them into fds.
 * Returns how many there are (0 without a cache or events).
 */
size_t		 snap_events_fds(const struct ct_snap_cache *c, int *fds,
		    size_t max);
/*
 * Read every destroy event waiting, without blocking, into out: one
 * record each (what the kernel says of the socket as it freed it: no uid,
 * inode or owner; tcp_info for TCP), its netns the index of its
 * namespace in the last snapshot's table. Returns 0 or -errno (a socket
 * that failed; the others were read); an overrun is in *st, not an error.
 */
int		 snap_events_read(struct ct_snap_cache *c, struct ct_socklist *out,
		    struct ct_snap_evstat *st);
/*
 * Destroy the socket s of snap (SOCK_DESTROY, diag_destroy()) through
 * the socket of its namespace: d, or with --all-netns the cache's for
 * that namespace (c must be the cache snap came through). 0 or -errno as
 * diag_destroy(); -ENOENT too when its namespace is gone.
 */
int		 snap_destroy(struct ct_diag *d, struct ct_snap_cache *c,
		    const struct ct_snap *snap, const struct ct_sock *s);
/*
 * "TCP socket dump" or "UDP socket dump": what a failed snap_take() names
 * ("BPF owner iterator" when CONNTAB_OWNERS=bpf could not be served).
 */
const char	*snap_failed_dump(const struct ct_snap *snap);
/*
 * The message for one CT_WARN_* bit (static text, no "conntab:" prefix),
 * so the one-shot, the live view and the event stream say the same.
 */
const char	*snap_warn_text(unsigned bit);
/*
 * Where the owners of snap came from, and why not from the BPF iterator,
 * as one line of text for CONNTAB_DEBUG, in buf.
 */
const char	*snap_owners_text(const struct ct_snap *snap, char *buf,
		    size_t size);
/* Release; NULL-safe, leaves an empty snapshot. */
void		 snap_free(struct ct_snap *snap);
/* The read-only view of snap that formatters and the filter read. */
static inline struct ct_view
snap_view(const struct ct_snap *snap)
{
	struct ct_view v = { &snap->socks, &snap->owners, snap->users,
	    snap->nusers, &snap->nstab, &snap->labels, snap->ifnames,
	    snap->nifnames, snap->cgpaths, snap->ncgpaths };

	return v;
}

#endif /* CT_SNAP_H */
