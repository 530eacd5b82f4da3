#ifndef CT_OUT_TREE_H
#define CT_OUT_TREE_H

#include <stdio.h>

struct ct_opts;
struct ct_snap;
struct ct_tree;

/*
 * -T in o->format: table (an indented tree, for reading), tsv/csv (one
 * row per socket in tree order, with the listener column), json (an
 * object: "listeners" with nested "members" and "connections", then
 * "outgoing"). Write errors are left in fp. Returns 0.
 */
int		 out_tree_write(FILE *fp, const struct ct_snap *snap,
		    const struct ct_tree *t, const struct ct_opts *o);

#endif /* CT_OUT_TREE_H */
