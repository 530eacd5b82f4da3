#ifndef CT_DIAG_PARSE_H
#define CT_DIAG_PARSE_H

#include <linux/netlink.h>

#include "sock.h"

/*
 * Decode one SOCK_DIAG_BY_FAMILY reply into *s (proto is left 0 for the
 * caller, who knows what it asked for; INET_DIAG_PROTOCOL sets it when
 * present). Unknown attributes are skipped; known ones are validated.
 * Returns 0 or -EBADMSG for a short or malformed message.
 */
int		 diag_parse_msg(const struct nlmsghdr *nlh, struct ct_sock *s);

#endif /* CT_DIAG_PARSE_H */
