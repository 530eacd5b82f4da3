#ifndef CT_GROUP_H
#define CT_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_cols;
struct ct_filter;
struct ct_opts;
struct ct_snap;
struct ct_sock;

/* ct_group.has: which of the figures beyond count a row carries */
#define CT_G_LISTENER	0x01	/* a listener: clients and high are set */
#define CT_G_PORTS	0x02	/* ephemeral port use: ports_*, high are set */

/* One output row: every record with equal values of the -g fields. */
struct ct_group {
	const struct ct_sock *first;
	uint32_t	 count;
	uint64_t	 rq, wq, bytes_in, bytes_out;
	uint32_t	 clients;	/* distinct remote addresses (CT_G_LISTENER) */
	uint32_t	 ports_used;	/* distinct local ports (CT_G_PORTS) */
	uint32_t	 ports_avail;	/* ephemeral ports there are; 0 = unknown */
	uint8_t		 has;		/* CT_G_* */
	bool		 high;		/* queue or port use above half its limit */
};

/*
 * The rows a renderer prints, in order, borrowing the snapshot's records.
 * A table of single records in the default order keeps no rows, only
 * the order of its records (a row is 64 bytes, an index 4, and at
 * 200,000 records each page costs a fault): read rows through
 * group_table_row().
 */
struct ct_table {
	struct ct_group	*rows;		/* NULL: see order */
	size_t		 nrows;
	int		 grouped;	/* rows fold several records (-g) */
	uint32_t	*order;		/* without rows: row i is record order[i] */
};

/* Make *g the row of the one record s of snap (its queues, its bytes). */
void		 group_row_set(struct ct_group *g, const struct ct_snap *snap,
		    const struct ct_sock *s);

/*
 * Row i of t: &t->rows[i], or the record of a table without rows made a
 * row in *tmp (valid until tmp is used again).
 */
const struct ct_group *group_table_row(const struct ct_snap *snap,
		    const struct ct_table *t, size_t i, struct ct_group *tmp);
/* The first record of row i of t, cheaply (to fetch it ahead). */
const struct ct_sock *group_table_first(const struct ct_snap *snap,
		    const struct ct_table *t, size_t i);

/*
 * Build the rows of snap that match o->filter: one per record, sorted by
 * --sort (or the default order), or folded by o->group. Groups come
 * largest count first, ties by the group key; with --sort, by those
 * fields first (count, recvq, sendq, bytes_sent, bytes_recv compare the
 * group's totals, a key field its value). -r reverses the whole order.
 * Returns 0; the caller frees with group_table_free().
 */
int		 group_table_build(const struct ct_snap *snap, const struct ct_opts *o,
		    struct ct_table *out);
/* Release; NULL-safe. */
void		 group_table_free(struct ct_table *t);

/* One row per record of snap that f matches (NULL: all), snapshot order. */
void		 group_table_select(const struct ct_snap *snap,
		    const struct ct_filter *f, struct ct_table *out);
/*
 * Sort rows by keys (then the default order, a total order), dir 1 or -1,
 * and, when fold, merge each run of equal keys into its first row, adding
 * counts, queues and bytes.
 */
void		 group_table_fold(const struct ct_snap *snap,
		    const struct ct_cols *keys, int dir, bool fold, struct ct_table *t);
/* The default total order of records: proto, family, local, remote, ... */
int		 group_cmp_default(const struct ct_sock *a, const struct ct_sock *b);

/*
 * -T: a listener (every member of its SO_REUSEPORT group) with the
 * connections it accepted, or, for the connections no listener in the
 * snapshot accepted, one destination (protocol, remote address and port).
 * head.first is the first member (the first connection for a destination);
 * head.count the connections, head.rq/wq the members' accept queues and
 * backlogs (the connections' queues for a destination), head.clients the
 * distinct remote addresses of the connections.
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

#endif /* CT_GROUP_H */
