#ifndef CT_OUT_H
#define CT_OUT_H

#include <stdio.h>

struct ct_cols;
struct ct_group;
struct ct_opts;
struct ct_snap;
struct ct_table;

/*
 * Renderers: rows in, text out to fp. They only read; write errors are left
 * in fp for the caller to check with ferror(). Each returns 0.
 */
int		 out_table_write(FILE *fp, const struct ct_snap *snap,
		    const struct ct_table *t, const struct ct_opts *o);
int		 out_sv_write(FILE *fp, const struct ct_snap *snap,
		    const struct ct_table *t, const struct ct_opts *o);	/* tsv, csv */
int		 out_json_write(FILE *fp, const struct ct_snap *snap,
		    const struct ct_table *t, const struct ct_opts *o);

/*
 * The pieces of one JSON object, shared with the event stream: the keys of
 * SPEC §6 for these options (o->cols with -o), and the members
 * "key":value,... of row g for keys k, without braces.
 */
void		 out_json_keys(const struct ct_opts *o, struct ct_cols *k);
void		 out_json_members(FILE *fp, const struct ct_snap *snap,
		    const struct ct_group *g, const struct ct_cols *k);

#endif /* CT_OUT_H */
