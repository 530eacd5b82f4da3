#ifndef CT_METRICS_H
#define CT_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "group.h"
#include "summary.h"

struct ct_opts;
struct ct_snap;

/*
 * What --format prometheus and openmetrics export, counted but not yet
 * spelled: the summary of -s (listeners, ephemeral ports per destination),
 * and the sockets per (proto, family, state) and per (comm, proto, state).
 * Rows borrow the snapshot's records as a ct_table does: a row's first
 * record is one of its group, so the fields spell the row's labels, and
 * its count is how many records the group holds.
 */
struct ct_metrics {
	struct ct_summary sum;		/* listeners and ports as -s has them */
	struct ct_table	 sockets;	/* per (proto, family, state) */
	struct ct_table	 procs;		/* per (comm of the first owner, proto,
					   state), names in strcmp() order; no
					   owner is a group of its own, first */
	bool		 have_procs;	/* owners were looked up (not -P) */
	uint32_t	 ports_avail;	/* the range less the reserved ports */
	unsigned	 warnings;	/* the snapshot's warnings, and one for a
					   port range that could not be read */
};

/*
 * Count the records of snap that o->filter matches, the ephemeral ports
 * against each namespace's range as the snapshot read it (summary_build();
 * the first namespace's range is ports_avail). Returns 0; free with
 * metrics_free().
 */
int		 metrics_build(const struct ct_snap *snap, const struct ct_opts *o,
		    struct ct_metrics *out);
/* Release; NULL-safe. */
void		 metrics_free(struct ct_metrics *m);

#endif /* CT_METRICS_H */
