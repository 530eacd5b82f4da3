#ifndef CT_CGROUPFS_H
#define CT_CGROUPFS_H

#include <stddef.h>
#include <stdint.h>

#include "view.h"

/*
 * cgroup v2 ids and paths: the kernel reports a socket's cgroup as the id
 * of its directory (INET_DIAG_CGROUP_ID), the one name_to_handle_at(2)
 * gives on cgroupfs; ss and conntab show it as the directory's path under
 * the cgroup2 mount.
 */

/*
 * The paths of the ids[0..n-1] (any order, repeats allowed; 0 skipped):
 * *out (sorted by id, view_cgpath_cmp; free with cgroupfs_free()) and
 * *nout, one entry per id found under the first cgroup2 mount of
 * /proc/self/mounts, "/" for its root. Ids of directories gone since the
 * dump are left out. Returns 0, or -errno when there is no cgroup2 mount
 * (then *out is NULL).
 */
int		 cgroupfs_paths(const uint64_t *ids, size_t n,
		    struct ct_cgpath **out, size_t *nout);
/* Release what cgroupfs_paths() made; NULL-safe. */
void		 cgroupfs_free(struct ct_cgpath *p, size_t n);

#endif /* CT_CGROUPFS_H */
