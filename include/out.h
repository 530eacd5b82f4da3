#ifndef CT_OUT_H
#define CT_OUT_H

#include <stdio.h>

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

#endif /* CT_OUT_H */
