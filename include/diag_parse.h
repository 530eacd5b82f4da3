#ifndef CT_DIAG_PARSE_H
#define CT_DIAG_PARSE_H

#include <linux/netlink.h>

#include "sock.h"

/*
 * Decode one SOCK_DIAG_BY_FAMILY reply into *s (proto is left 0 for the
 * caller, who knows what it asked for; INET_DIAG_PROTOCOL sets it when
 * present). When the reply carries tcp_info, its figures go to *info and
 * CT_SF_INFO is set; otherwise *info is left alone. Unknown attributes
 * are skipped; known ones are validated. Returns 0 or -EBADMSG for a
 * short or malformed message.
 */
int		 diag_parse_msg(const struct nlmsghdr *nlh, struct ct_sock *s,
		    struct ct_tcpinfo *info);

#endif /* CT_DIAG_PARSE_H */
