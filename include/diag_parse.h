#ifndef CT_DIAG_PARSE_H
#define CT_DIAG_PARSE_H

#include <linux/netlink.h>

#include "sock.h"

/* What a reply carries beyond the record, decoded beside it. */
struct ct_sockx {
	unsigned	 want;		/* CT_SX_WANT_*: set by the caller */
	struct ct_tcpinfo info;		/* CT_SF_INFO */
	struct ct_tcpinfo_more more;	/* CT_SF_MORE */
	struct ct_meminfo mem;		/* CT_SF_MEM */
	struct ct_sockext ext;		/* CT_SF_EXT */
};
/* ct_sockx.want: the parts decoded only when asked for */
#define CT_SX_WANT_EXT	0x01	/* mark, cgroup id, timer */
#define CT_SX_WANT_MORE	0x02	/* more of tcp_info, and the congestion control */

/*
 * Decode one SOCK_DIAG_BY_FAMILY reply into *s (proto is left 0 for the
 * caller, who knows what it asked for; INET_DIAG_PROTOCOL sets it when
 * present). What the reply carries beyond the record goes to *x, each part
 * with its flag in s->flags: tcp_info (CT_SF_INFO), socket memory
 * (CT_SF_MEM), and when x->want asks, more of tcp_info (CT_SF_MORE) and
 * the mark, cgroup id and timer (CT_SF_EXT); the other parts of *x are
 * left alone. Unknown attributes are skipped; known ones are validated.
 * Returns 0 or -EBADMSG for a short or malformed message.
 */
int		 diag_parse_msg(const struct nlmsghdr *nlh, struct ct_sock *s,
		    struct ct_sockx *x);

#endif /* CT_DIAG_PARSE_H */
