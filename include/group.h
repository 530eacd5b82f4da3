#ifndef CT_GROUP_H
#define CT_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "group_order.h"
#include "view.h"

struct ct_cols;
struct ct_filter;
struct ct_opts;
struct ct_snap;
struct ct_sock;

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
 * --sort (or the default order), or folded by o->group (recvq and sendq
 * summing bytes queued: TCP listeners' queues left out). Groups come
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
 * counts, queues and bytes; the queues of a folded row are bytes, so a
 * TCP listener's (its accept queue and backlog) are left out.
 */
void		 group_table_fold(const struct ct_snap *snap,
		    const struct ct_cols *keys, int dir, bool fold, struct ct_table *t);
/* An order of records or groups, for the comparators below. */
struct ct_order {
	const struct ct_view *view;
	const struct ct_cols *keys;	/* compared first; may be NULL or empty */
	const struct ct_cols *group;	/* -g key, for ordering groups; or NULL */
	int		 dir;		/* 1, or -1 for -r */
};

/* Records by o->keys, then the default order; all of it times o->dir. */
int		 group_sock_cmp(const struct ct_order *o, const struct ct_sock *a,
		    const struct ct_sock *b);
/* The same for qsort_r(): x, y point to record pointers, arg to the order. */
int		 group_sock_ptr_cmp(const void *x, const void *y, void *arg);

#endif /* CT_GROUP_H */
