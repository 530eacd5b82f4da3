#ifndef CT_PROCLABEL_H
#define CT_PROCLABEL_H

#include <stddef.h>
#include <stdint.h>

#include "label.h"

/*
 * Labels of processes: /proc/PID/cgroup read, and handed to the pure
 * parser of cgroup.h. Which processes, and what a socket's label is, the
 * snapshot decides.
 */

/*
 * The label of process pid under procroot into *out. Returns 0, or
 * -errno when its cgroup file cannot be read (it has exited, say).
 */
int		 proclabel_read(int procfd, uint32_t pid, struct ct_label *out);
/*
 * Add the labels of pids[0..n) to l, each process once (those already in
 * l are not read again); a process that cannot be read is left out.
 * Returns 0 or -errno when procroot cannot be opened.
 */
int		 proclabel_add(const char *procroot, const uint32_t *pids, size_t n,
		    struct ct_labels *l);

/*
 * The label that every readable process of pids[0..n) carries (conntab
 * itself left out: it is only visiting), added to l; 0 when two disagree
 * or none can be read. Stops reading at the first disagreement.
 */
uint32_t	 proclabel_shared(const char *procroot, const uint32_t *pids,
		    size_t n, struct ct_labels *l);

#endif /* CT_PROCLABEL_H */
