/* The read-only view of a snapshot (view.h): user, device and cgroup names. */
#include "view.h"

#include <stdlib.h>

int
view_user_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct ct_user *)a)->uid;
	uint32_t y = ((const struct ct_user *)b)->uid;

	return (x > y) - (x < y);
}

const char *
view_user_name(const struct ct_view *v, uint32_t uid)
{
	struct ct_user key = { .uid = uid };
	const struct ct_user *u;

	if (v->nusers == 0)
		return NULL;
	u = bsearch(&key, v->users, v->nusers, sizeof(key), view_user_cmp);
	return u != NULL && u->name[0] != '\0' ? u->name : NULL;
}

uint32_t
view_label_idx(const struct ct_view *v, const struct ct_sock *s)
{
	const struct ct_owner *o = view_owner(v, s);
	const struct ct_netns *ns;

	if (o != NULL)
		return labels_of_pid(v->labels, o->pid);
	if ((ns = view_netns(v, s)) != NULL)
		return ns->label;
	return 0;
}

const struct ct_label *
view_label(const struct ct_view *v, const struct ct_sock *s)
{
	return labels_get(v->labels, view_label_idx(v, s));
}

int
view_ifname_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct ct_ifname *)a)->ifindex;
	uint32_t y = ((const struct ct_ifname *)b)->ifindex;

	return (x > y) - (x < y);
}

int
view_cgpath_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct ct_cgpath *)a)->id;
	uint64_t y = ((const struct ct_cgpath *)b)->id;

	return (x > y) - (x < y);
}

const char *
view_ifname(const struct ct_view *v, uint32_t ifindex)
{
	struct ct_ifname key = { .ifindex = ifindex };
	const struct ct_ifname *d;

	if (v->nifnames == 0)
		return NULL;
	d = bsearch(&key, v->ifnames, v->nifnames, sizeof(key), view_ifname_cmp);
	return d != NULL && d->name[0] != '\0' ? d->name : NULL;
}

const char *
view_cgpath(const struct ct_view *v, uint64_t id)
{
	struct ct_cgpath key = { .id = id };
	const struct ct_cgpath *c;

	if (v->ncgpaths == 0)
		return NULL;
	c = bsearch(&key, v->cgpaths, v->ncgpaths, sizeof(key), view_cgpath_cmp);
	return c != NULL ? c->path : NULL;
}
