#ifndef CT_LABEL_H
#define CT_LABEL_H

#include <stddef.h>
#include <stdint.h>

/*
 * What a process's cgroup says about it: its container, its Kubernetes
 * pod, its systemd unit (cgroup.h makes one from a path). The label table
 * keeps each distinct label once and the label of each process that holds
 * a socket; the vocabulary and the filter read it through the view.
 */

#define CT_LABEL_CONTAINER	80	/* "docker:0123456789ab", "lxc:NAME" */
#define CT_LABEL_POD		40	/* a pod UID: 36 bytes */
#define CT_LABEL_UNIT		128	/* "nginx.service" */

/* One label; "" for what the cgroup path does not say. Raw: escape it. */
struct ct_label {
	char		 container[CT_LABEL_CONTAINER];
	char		 pod[CT_LABEL_POD];
	char		 unit[CT_LABEL_UNIT];
};

/* Which part of a label: the fields container, pod, unit. */
enum ct_label_part { CT_LP_CONTAINER, CT_LP_POD, CT_LP_UNIT };

struct ct_pid_label {
	uint32_t	 pid;
	uint32_t	 label;		/* index into ct_labels.v */
};

/*
 * The table: v[0] is the empty label, so that index 0 means "none";
 * pids is sorted by pid (labels_add_pid() keeps it so).
 */
struct ct_labels {
	struct ct_label	*v;
	size_t		 len, cap;
	struct ct_pid_label *pids;
	size_t		 npids, cappids;
};

/* Empty l (freeing nothing) and put the empty label v[0] in. */
void		 labels_init(struct ct_labels *l);
/* The index of a label equal to lab, added when new; 0 for an empty one. */
uint32_t	 labels_intern(struct ct_labels *l, const struct ct_label *lab);
/*
 * Record that process pid carries label idx (replacing what it had).
 * Cheapest in ascending pid order. Never fails (die() on ENOMEM).
 */
void		 labels_add_pid(struct ct_labels *l, uint32_t pid, uint32_t idx);
/* The label index of pid: 0 when it has none or is not in the table. */
uint32_t	 labels_of_pid(const struct ct_labels *l, uint32_t pid);
/* Is pid in the table (with any label, the empty one too)? */
int		 labels_has_pid(const struct ct_labels *l, uint32_t pid);
/* Label idx of l; the empty label for 0 or anything out of range. */
const struct ct_label *labels_get(const struct ct_labels *l, uint32_t idx);
/* One part of label lab: its text, "" when absent. */
const char	*labels_part(const struct ct_label *lab, enum ct_label_part part);
/* Copy pid's label from from into l (for a view that outlives from). */
void		 labels_copy_pid(struct ct_labels *l, const struct ct_labels *from,
		    uint32_t pid);
/* Make the empty table l a copy of from. */
void		 labels_copy(struct ct_labels *l, const struct ct_labels *from);
/* Release; NULL-safe, leaves it empty. */
void		 labels_free(struct ct_labels *l);

#endif /* CT_LABEL_H */
