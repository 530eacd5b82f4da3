#ifndef CT_GROUP_H
#define CT_GROUP_H

#include <stddef.h>
#include <stdint.h>

struct ct_opts;
struct ct_snap;
struct ct_sock;

/* One output row: every record with equal values of the -g fields. */
struct ct_group {
	const struct ct_sock *first;
	uint32_t	 count;
	uint64_t	 rq, wq, bytes_in, bytes_out;
};

/* The rows a renderer prints, in order. Borrowed from the snapshot. */
struct ct_table {
	struct ct_group	*rows;
	size_t		 nrows;
	int		 grouped;	/* rows fold several records (-g) */
};

/*
 * Build the rows of snap that match o->filter: one per record, sorted by
 * --sort (or the default order), or folded by o->group and sorted by count.
 * Returns 0; the caller frees with group_table_free().
 */
int		 group_table_build(const struct ct_snap *snap, const struct ct_opts *o,
		    struct ct_table *out);
/* Release; NULL-safe. */
void		 group_table_free(struct ct_table *t);

#endif /* CT_GROUP_H */
