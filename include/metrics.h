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
 * and the sockets per (proto, family, state), per (comm, proto, state)
 * and, with --all-netns, per (container, pod, proto, state). With
 * --all-netns every count is per namespace too, the namespace outermost.
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
	struct ct_table	 containers;	/* per (container, pod, proto, state) of
					   the record's label (view_label()), in
					   strcmp() order, no container first */
	bool		 have_procs;	/* owners were looked up (not -P) */
	bool		 have_containers; /* --all-netns, not -P */
	uint32_t	 ports_avail;	/* the range less the reserved ports */
	struct ct_metrics_ns *ns;	/* --all-netns: one per namespace of the
					   snapshot's table; else NULL */
	size_t		 nns;
	unsigned	 warnings;	/* the snapshot's warnings, and one for a
					   port range that could not be read */
};

/* What the metrics say of one namespace of the snapshot (--all-netns). */
struct ct_metrics_ns {
	bool		 shown;		/* dumped (not gone, not refused) and the
					   filter may match there: it has its
					   zeros and its ports_avail */
	uint32_t	 ports_avail;	/* its range less its reserved ports */
	uint32_t	 nsocks;	/* its records the filter matched */
};

/*
 * Count the records of snap that o->filter matches, the ephemeral ports
 * against each namespace's range as the snapshot read it (summary_build();
 * the first namespace's range is ports_avail, and with o->all_netns each
 * namespace's is in ns[]). Returns 0; free with metrics_free().
 */
int		 metrics_build(const struct ct_snap *snap, const struct ct_opts *o,
		    struct ct_metrics *out);
/* Release; NULL-safe. */
void		 metrics_free(struct ct_metrics *m);

#endif /* CT_METRICS_H */
