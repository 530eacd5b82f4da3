/* The namespace table: records, names, order, copies. */
#include "nstab.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CMP(a, b)	(((a) > (b)) - ((a) < (b)))

struct ct_netns *
nstab_append(struct ct_nstab *t)
{
	struct ct_netns *ns;

	if (t->len == t->cap) {
		t->cap = t->cap < 8 ? 8 : t->cap * 2;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	ns = &t->v[t->len++];
	memset(ns, 0, sizeof(*ns));
	return ns;
}

long
nstab_find(const struct ct_nstab *t, uint64_t dev, uint64_t ino)
{
	size_t i;

	for (i = 0; i < t->len; i++)
		if (t->v[i].ino == ino && t->v[i].dev == dev)
			return (long)i;
	return -1;
}

void
nstab_name(struct ct_netns *ns, const char *name)
{
	ns->flags &= (uint8_t)~CT_NS_NAMED;
	if (name != NULL && name[0] != '\0') {
		snprintf(ns->name, sizeof(ns->name), "%s", name);
		ns->flags |= CT_NS_NAMED;
	} else if (ns->flags & CT_NS_HOST) {
		snprintf(ns->name, sizeof(ns->name), "host");
	} else {
		snprintf(ns->name, sizeof(ns->name), "net:[%" PRIu64 "]", ns->ino);
	}
}

int
nstab_cmp(const void *x, const void *y)
{
	const struct ct_netns *a = x, *b = y;
	int c;

	if ((c = CMP(!(a->flags & CT_NS_HOST), !(b->flags & CT_NS_HOST))) != 0 ||
	    (c = CMP(!(a->flags & CT_NS_NAMED), !(b->flags & CT_NS_NAMED))) != 0)
		return c;
	if ((a->flags & CT_NS_NAMED) && (c = strcmp(a->name, b->name)) != 0)
		return c;
	if ((c = CMP(a->ino, b->ino)) != 0)
		return c;
	return CMP(a->dev, b->dev);
}

void
nstab_copy(struct ct_nstab *t, const struct ct_nstab *from)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if (from->len == 0)
		return;
	t->cap = t->len = from->len;
	t->v = xcalloc(t->cap, sizeof(*t->v));
	memcpy(t->v, from->v, from->len * sizeof(*t->v));
	for (i = 0; i < t->len; i++) {
		if (from->v[i].range == NULL)
			continue;
		t->v[i].range = xmalloc(sizeof(*t->v[i].range));
		*t->v[i].range = *from->v[i].range;
	}
}

void
nstab_free(struct ct_nstab *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->len; i++)
		free(t->v[i].range);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
