#ifndef CT_NSTAB_H
#define CT_NSTAB_H

#include <stddef.h>
#include <stdint.h>

#include "portrange.h"

/*
 * The network namespaces of a snapshot: one record each, which a socket
 * names by index (ct_sock.netns). The collector fills the table (netns.h,
 * nsset.h); the vocabulary, the filter and the renderers read it through
 * the view.
 */

/* A name: a bind-mount name (NAME_MAX), "host" or "net:[INODE]", and a NUL. */
#define CT_NETNS_NAME	256
/* The most namespaces one table holds: ct_sock.netns is 16 bits. */
#define CT_NETNS_MAX	65535

/* ct_netns.flags */
#define CT_NS_HOST	0x01	/* the namespace of PID 1 */
#define CT_NS_NAMED	0x02	/* name is the name of a bind mount */
#define CT_NS_SELF	0x04	/* the namespace conntab itself runs in */
#define CT_NS_GONE	0x08	/* no longer found (live view): not dumped */
#define CT_NS_REFUSED	0x10	/* could not be entered: not dumped */
#define CT_NS_EVENTS	0x20	/* its destroy events are heard (-w): what
				   closes there is reported by the kernel */

/* One network namespace: who it is, and what was read inside it. */
struct ct_netns {
	uint64_t	 dev, ino;	/* its nsfs file: (st_dev, st_ino) */
	char		 name[CT_NETNS_NAME];	/* raw (a mount's name): escape it */
	uint32_t	 label;		/* the label every process in it shares
					   (label.h), for sockets without a known
					   owner; 0 = none, or they disagree */
	uint32_t	 nprocs;	/* processes found in it, threads aside */
	uint8_t		 flags;		/* CT_NS_* */
	int32_t		 error;		/* with CT_NS_REFUSED: why (-errno) */
	struct ct_portrange *range;	/* its ephemeral ports; NULL: not read */
};

/* The table: v[i] is the namespace of records whose netns is i. */
struct ct_nstab {
	struct ct_netns	*v;
	size_t		 len, cap;
};

/* Append one zeroed record and return it; never fails (die() on ENOMEM). */
struct ct_netns	*nstab_append(struct ct_nstab *t);
/* Namespace idx of t, or NULL when t has none by that index. */
static inline const struct ct_netns *
nstab_get(const struct ct_nstab *t, uint32_t idx)
{
	return t == NULL || idx >= t->len ? NULL : &t->v[idx];
}
/* The index of the namespace (dev, ino) in t, or -1. */
long		 nstab_find(const struct ct_nstab *t, uint64_t dev, uint64_t ino);
/*
 * Give ns its name: a bind mount's name when it has one (name not NULL),
 * else "host" for PID 1's, else "net:[INODE]" as readlink(2) of
 * /proc/PID/ns/net spells it. Sets CT_NS_NAMED as fits.
 */
void		 nstab_name(struct ct_netns *ns, const char *name);
/*
 * The order namespaces are listed in: PID 1's first, then named ones by
 * name, then the rest by inode; a total order (qsort() comparator).
 */
int		 nstab_cmp(const void *a, const void *b);
/* Make the empty table t a copy of from, port ranges and all. */
void		 nstab_copy(struct ct_nstab *t, const struct ct_nstab *from);
/* Release the table and its port ranges; NULL-safe, leaves it empty. */
void		 nstab_free(struct ct_nstab *t);

#endif /* CT_NSTAB_H */
