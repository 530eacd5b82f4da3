#ifndef CT_SUMMARY_H
#define CT_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "group.h"

struct ct_opts;
struct ct_snap;

/* The kernel's defaults, used when the sysctl cannot be read. */
#define CT_PORTS_LOW	32768
#define CT_PORTS_HIGH	60999

/* net.ipv4.ip_local_port_range less net.ipv4.ip_local_reserved_ports */
struct ct_portrange {
	uint16_t	 low, high;
	uint32_t	 avail;			/* ports in [low, high], not reserved */
	bool		 known;			/* read from the sysctl */
	uint8_t		 reserved[65536 / 8];	/* bitmap of reserved ports */
};

/* -s: three tables of rows, borrowed from the snapshot like ct_table. */
struct ct_summary {
	struct ct_table	 totals;	/* proto, state, count */
	struct ct_table	 listeners;	/* one per listener: count, clients,
					   accept queue and backlog, high */
	struct ct_table	 ports;		/* per (proto, laddr, raddr, rport):
					   ephemeral ports used, high */
};

/* "32768\t60999\n" into *low, *high. 0, or -EINVAL. */
int		 summary_parse_range(const char *text, uint16_t *low,
		    uint16_t *high);
/* "1000,2000-2010\n" (or "") into the bitmap, bits added. 0, -EINVAL, -ERANGE. */
int		 summary_parse_reserved(const char *text, uint8_t *bitmap);
/* Recount r->avail from low, high and reserved. */
void		 summary_range_count(struct ct_portrange *r);
/*
 * Read the range of the current network namespace from
 * PROCROOT/sys/net/ipv4/ip_local_port_range and ..._reserved_ports (a
 * missing reserved file means none). On failure r holds the kernel's
 * defaults with known false, and -errno comes back.
 */
int		 summary_read_range(const char *procroot, struct ct_portrange *r);
/* Is port one the kernel may pick for connect()? */
bool		 summary_port_ephemeral(const struct ct_portrange *r, uint16_t port);

/*
 * Count the records of snap that o->filter matches: totals by protocol and
 * state (per protocol, largest first); listeners as -T shows them (most
 * connections first), high when an accept queue is over half its backlog;
 * and, for client-side sockets (local port ephemeral and no listener's,
 * connected, TIME_WAIT included), the distinct local ports in use per
 * (proto, laddr, raddr, rport), as group keys (a v4-mapped address is its
 * IPv4 one: CT_PREFIX_KEY), against r->avail, most first, high above
 * half. Returns 0; free with summary_free().
 */
int		 summary_build(const struct ct_snap *snap, const struct ct_opts *o,
		    const struct ct_portrange *r, struct ct_summary *out);
/* Release; NULL-safe. */
void		 summary_free(struct ct_summary *s);

#endif /* CT_SUMMARY_H */
