#ifndef CT_OUT_SUMMARY_H
#define CT_OUT_SUMMARY_H

#include <stdio.h>

struct ct_opts;
struct ct_snap;
struct ct_summary;

/*
 * -s in o->format: three tables (totals, listeners, ports) with their own
 * columns, separated by an empty line; in JSON one object with those three
 * keys. Write errors are left in fp. Returns 0.
 */
int		 out_summary_write(FILE *fp, const struct ct_snap *snap,
		    const struct ct_summary *s, const struct ct_opts *o);

#endif /* CT_OUT_SUMMARY_H */
