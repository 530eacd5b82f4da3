#ifndef CT_SUMMARY_H
#define CT_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "group.h"
#include "portrange.h"

struct ct_opts;
struct ct_snap;

/* -s: three tables of rows, borrowed from the snapshot like ct_table. */
struct ct_summary {
	struct ct_table	 totals;	/* proto, state, count */
	struct ct_table	 listeners;	/* one per listener: count, clients,
					   accept queue and backlog, high */
	struct ct_table	 ports;		/* per (netns, proto, laddr, raddr,
					   rport): ephemeral ports used, high */
};

/*
 * Count the records of snap that o->filter matches: totals by protocol and
 * state (per protocol, largest first); listeners as -T shows them (most
 * connections first), high when an accept queue is over half its backlog;
 * and, for client-side sockets (local port ephemeral and no listener's in
 * its namespace, connected, TIME_WAIT included), the distinct local ports
 * in use per (netns, proto, laddr, raddr, rport), as group keys (a
 * v4-mapped address is its IPv4 one: CT_PREFIX_KEY), against the available
 * ports of its namespace's range (ct_netns.range; r for a namespace whose
 * range was not read, the kernel's defaults when r is NULL too), most
 * first, high above half. Returns 0; free with summary_free().
 */
int		 summary_build(const struct ct_snap *snap, const struct ct_opts *o,
		    const struct ct_portrange *r, struct ct_summary *out);
/* Release; NULL-safe. */
void		 summary_free(struct ct_summary *s);

#endif /* CT_SUMMARY_H */
