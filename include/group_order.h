#ifndef CT_GROUP_ORDER_H
#define CT_GROUP_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_filter;
struct ct_snap;
struct ct_sock;

/*
 * The default total order of records: namespace (its index), protocol,
 * family, local address and port, remote address and port, state, inode,
 * cookie.
 */
int		 group_cmp_default(const struct ct_sock *a, const struct ct_sock *b);

/*
 * The indexes of the records of snap that f matches (NULL: all) in the
 * default order, reversed when dir < 0: *order (*n of them; the caller
 * frees it with free()). False, with nothing allocated, when a record
 * does not fit the packed keys (another protocol or family, mixed
 * families, namespaces out of order): then the caller sorts the general
 * way.
 */
bool		 group_order_default(const struct ct_snap *snap,
		    const struct ct_filter *f, int dir, uint32_t **order,
		    size_t *n);

#endif /* CT_GROUP_ORDER_H */
