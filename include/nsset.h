#ifndef CT_NSSET_H
#define CT_NSSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nstab.h"

struct ct_diag;
struct ct_diag_ev;

/*
 * --all-netns: the namespaces of the host (nsscan.h finds them) as a
 * table, each with its own sock_diag socket, opened inside it the first
 * time it is dumped. A live view keeps one set for its whole run: a
 * namespace keeps its index while it lives, one that appears is added at
 * the next refresh, one that is gone is marked so and its socket closed
 * (its index is given out again two refreshes later, when no snapshot in
 * use names it).
 */
struct ct_nsset;

/*
 * May this process enter other network namespaces? 0, or -EPERM without
 * CAP_SYS_ADMIN (in its effective set).
 */
int		 nsset_can_enter(void);
/* A set over procroot, empty until nsset_refresh(). 0 or -errno. */
int		 nsset_open(const char *procroot, struct ct_nsset **out);
/* Release, closing every socket; NULL-safe. */
void		 nsset_free(struct ct_nsset *s);
/*
 * Find the namespaces again and bring the table up to date: names, flags,
 * new namespaces, gone ones. Returns 0 or -errno. In three steps, so that
 * the walk of every descriptor (the dearest part) runs while threads
 * dump what the rest found:
 *   nsset_refresh_begin()  the walk without descriptors; the table grows
 *                          by what it found; a namespace it did not find
 *                          stays (dumped through its socket) until...
 *   nsset_refresh_fds()    the descriptor walk; touches no part of the
 *                          table, so threads may use the set meanwhile;
 *   nsset_refresh_end()    ...a namespace neither found is marked gone and
 *                          its socket closed; those held by descriptors
 *                          alone join the table. Returns how many joined
 *                          (their records are new or reused ones: dump
 *                          each not dumped yet).
 */
int		 nsset_refresh(struct ct_nsset *s);
int		 nsset_refresh_begin(struct ct_nsset *s);
int		 nsset_refresh_fds(struct ct_nsset *s);
size_t		 nsset_refresh_end(struct ct_nsset *s);
/* The table: index i is namespace i of the set. */
const struct ct_nstab *nsset_table(const struct ct_nsset *s);
/*
 * The sock_diag socket of namespace i, opened inside it by the calling
 * thread if it has none yet (reading the namespace's port range too when
 * range). Threads may call this at once for distinct i. Returns 0;
 * -ENOENT when the namespace is gone (marked CT_NS_GONE); another -errno
 * when it refused entry or the socket (marked CT_NS_REFUSED, with the
 * error); -ENOTRECOVERABLE when the thread could not come back to its
 * own namespace.
 */
int		 nsset_diag(struct ct_nsset *s, size_t i, bool range,
		    struct ct_diag **out);
/*
 * Hear the destroy events (diag_event.h, groups CT_EVG_*) of every
 * namespace too: from now on nsset_diag() opens an event socket beside
 * each sock_diag socket, inside the namespace, before its first dump, and
 * marks the namespace CT_NS_EVENTS when that worked.
 */
void		 nsset_events(struct ct_nsset *s, unsigned groups);
/* The event socket of namespace i, or NULL (none, or gone). */
struct ct_diag_ev *nsset_event(const struct ct_nsset *s, size_t i);
/* Close namespace i's socket now (a one-shot needs it once). */
void		 nsset_close(struct ct_nsset *s, size_t i);
/* The processes found in namespace i at the last refresh, ascending. */
const uint32_t	*nsset_pids(const struct ct_nsset *s, size_t i, size_t *n);

#endif /* CT_NSSET_H */
