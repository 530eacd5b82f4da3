#ifndef CT_GROUP_TREE_H
#define CT_GROUP_TREE_H

#include <stddef.h>

#include "view.h"

struct ct_opts;
struct ct_snap;

/*
 * -T: a listener (every member of its SO_REUSEPORT group) with the
 * connections it accepted, or, for the connections no listener in the
 * snapshot accepted, one destination (protocol, remote address and port,
 * as a group key: a v4-mapped address is its IPv4 one, CT_PREFIX_KEY).
 * head.first is the first member (the first connection for a destination);
 * head.count the connections, head.rq/wq the members' accept queues and
 * backlogs (the connections' queues for a destination), head.clients the
 * distinct remote addresses of the connections (as group keys too).
 */
struct ct_tree_node {
	struct ct_group	 head;
	size_t		 members, nmembers;	/* rows[members...]: listeners */
	size_t		 conns, nconns;		/* rows[conns...]: connections */
};

struct ct_tree {
	struct ct_tree_node *nodes;	/* listeners first, then destinations */
	size_t		 nnodes, nlisteners;
	struct ct_group	*rows;		/* one per socket, in printing order */
	size_t		 nrows;
};

/*
 * Build the tree of the records o->filter matches. A listener is shown
 * when it matches or when one of its connections does (its figures count
 * the matching connections only). Listeners come in --sort/default order
 * of their first member, destinations by (proto, remote); connections in
 * --sort/default order; -r reverses each. Free with group_tree_free().
 */
int		 group_tree_build(const struct ct_snap *snap, const struct ct_opts *o,
		    struct ct_tree *out);
/* Release; NULL-safe. */
void		 group_tree_free(struct ct_tree *t);

#endif /* CT_GROUP_TREE_H */
