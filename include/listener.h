#ifndef CT_LISTENER_H
#define CT_LISTENER_H

#include <stdbool.h>

#include "sock.h"

/*
 * A listening socket: TCP in LISTEN, or a bound UDP socket that is not
 * connected (UNCONN), whose port connected UDP sockets may share.
 */
bool		 listener_is(const struct ct_sock *s);

/*
 * Order listeners by (namespace, protocol, port, family, address,
 * interface): 0 when a and b are members of one SO_REUSEPORT group, i.e.
 * the same listener.
 */
int		 listener_cmp_group(const struct ct_sock *a, const struct ct_sock *b);

/*
 * Set s->listener for every record of l: 1 + the index of the listening
 * socket the connection arrived on, 0 for none. Same namespace, protocol
 * and port; the
 * listener's address equals the connection's local address or is the
 * wildcard of its family (a dual-stack "::" also takes v4-mapped
 * connections); a specific address wins over the wildcard, an interface-
 * bound listener over an unbound one; among SO_REUSEPORT members the first
 * in listener_cmp_group() order, then by inode, stands for the group.
 * Listeners and SYN_SENT sockets get 0. O(n log m) for m listeners.
 */
void		 listener_link(struct ct_socklist *l);

#endif /* CT_LISTENER_H */
