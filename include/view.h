#ifndef CT_VIEW_H
#define CT_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "label.h"
#include "nstab.h"
#include "owners.h"
#include "sock.h"

/*
 * What the vocabulary, the filter and the renderers may read of a
 * snapshot: its records, their owners, user names and listener links, as
 * const pointers into whoever holds them (snap.c fills one from a
 * snapshot: snap_view()). And one output row of those records.
 */

/* uid -> user name, for the uids a snapshot holds. */
struct ct_user {
	uint32_t	 uid;
	char		 name[33];	/* raw; "" when the uid has no name */
};

/* ifindex -> device name, for the bound devices a snapshot holds. */
struct ct_ifname {
	uint32_t	 ifindex;
	char		 name[16];	/* IF_NAMESIZE; raw */
};

/* cgroup id -> cgroup v2 path under the mount ("/system.slice/x"). */
struct ct_cgpath {
	uint64_t	 id;
	char		*path;		/* raw; owned by the snapshot */
};

struct ct_view {
	const struct ct_socklist *socks;
	const struct ct_owners *owners;	/* empty with -P */
	const struct ct_user *users;	/* sorted by uid (view_user_cmp) */
	size_t		 nusers;
	const struct ct_nstab *nstab;	/* the records' namespaces; NULL: none */
	const struct ct_labels *labels;	/* owners' labels; NULL or empty: none */
	const struct ct_ifname *ifnames; /* sorted by ifindex; when asked for */
	size_t		 nifnames;
	const struct ct_cgpath *cgpaths; /* sorted by id; when asked for */
	size_t		 ncgpaths;
};

/* ct_group.has: which of the figures beyond count a row carries */
#define CT_G_LISTENER	0x01	/* a listener: clients and high are set */
#define CT_G_PORTS	0x02	/* ephemeral port use: ports_*, high are set */
#define CT_G_CLOSED	0x04	/* a close event: duration_ms is set */

/* One output row: every record with equal values of the -g fields. */
struct ct_group {
	const struct ct_sock *first;
	uint32_t	 count;
	uint64_t	 rq, wq, bytes_in, bytes_out;
	uint32_t	 clients;	/* distinct remote addresses (CT_G_LISTENER) */
	uint32_t	 ports_used;	/* distinct local ports (CT_G_PORTS) */
	uint32_t	 ports_avail;	/* ephemeral ports there are; 0 = unknown */
	uint8_t		 has;		/* CT_G_* */
	bool		 high;		/* queue or port use above half its limit */
	int64_t		 duration_ms;	/* CT_G_CLOSED: since first seen; -1 for
					   a socket no sample saw */
};

/* The order of a view's users: by uid (qsort()/bsearch() comparator). */
int		 view_user_cmp(const void *a, const void *b);
/* The name of uid, or NULL when the view has none for it. */
const char	*view_user_name(const struct ct_view *v, uint32_t uid);
/* The orders of ifnames and cgpaths (qsort()/bsearch() comparators). */
int		 view_ifname_cmp(const void *a, const void *b);
int		 view_cgpath_cmp(const void *a, const void *b);
/* The name of device ifindex, or NULL when the view has none for it. */
const char	*view_ifname(const struct ct_view *v, uint32_t ifindex);
/* The path of cgroup id, or NULL when the view has none for it. */
const char	*view_cgpath(const struct ct_view *v, uint64_t id);

/* The first owner of record s, or NULL when none is known. */
static inline const struct ct_owner *
view_owner(const struct ct_view *v, const struct ct_sock *s)
{
	return owners_get(v->owners, s->owners);
}

/* The listener that accepted record s, or NULL (see listener_link()). */
static inline const struct ct_sock *
view_listener(const struct ct_view *v, const struct ct_sock *s)
{
	if (s->listener == 0 || s->listener > v->socks->len)
		return NULL;
	return &v->socks->v[s->listener - 1];
}

/* The namespace of record s, or NULL when the view has no table for it. */
static inline const struct ct_netns *
view_netns(const struct ct_view *v, const struct ct_sock *s)
{
	return nstab_get(v->nstab, s->netns);
}

/*
 * The label of record s (never NULL; empty when unknown): its first
 * owner's, or, for a socket without a known owner, the one every process
 * of its namespace shares.
 */
const struct ct_label *view_label(const struct ct_view *v,
		    const struct ct_sock *s);
/*
 * The same, as an index into v->labels (labels_get() spells it): 0, the
 * empty label, when unknown. For counting per label without the text.
 */
uint32_t	 view_label_idx(const struct ct_view *v, const struct ct_sock *s);

#endif /* CT_VIEW_H */
