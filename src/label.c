/* The label table: distinct labels once each, and each process's label. */
#include "label.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct ct_label label_none;

void
labels_init(struct ct_labels *l)
{
	memset(l, 0, sizeof(*l));
	l->cap = 8;
	l->v = xcalloc(l->cap, sizeof(*l->v));
	l->len = 1;
}

static int
label_same(const struct ct_label *a, const struct ct_label *b)
{
	return strcmp(a->container, b->container) == 0 &&
	    strcmp(a->pod, b->pod) == 0 && strcmp(a->unit, b->unit) == 0;
}

uint32_t
labels_intern(struct ct_labels *l, const struct ct_label *lab)
{
	size_t i;

	if (l->len == 0)
		labels_init(l);
	/* a host has few distinct labels: one per container and unit */
	for (i = 0; i < l->len; i++)
		if (label_same(&l->v[i], lab))
			return (uint32_t)i;
	if (l->len == l->cap) {
		l->cap *= 2;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->len] = *lab;
	return (uint32_t)l->len++;
}

/* The first entry of l->pids whose pid is not below pid. */
static size_t
labels_lower(const struct ct_labels *l, uint32_t pid)
{
	size_t lo = 0, hi = l->npids;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->pids[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
labels_add_pid(struct ct_labels *l, uint32_t pid, uint32_t idx)
{
	size_t at = l->npids > 0 && l->pids[l->npids - 1].pid < pid ?
	    l->npids : labels_lower(l, pid);

	if (at < l->npids && l->pids[at].pid == pid) {
		l->pids[at].label = idx;
		return;
	}
	if (l->npids == l->cappids) {
		l->cappids = l->cappids < 64 ? 64 : l->cappids * 2;
		l->pids = xreallocarray(l->pids, l->cappids, sizeof(*l->pids));
	}
	memmove(&l->pids[at + 1], &l->pids[at],
	    (l->npids - at) * sizeof(*l->pids));
	l->pids[at].pid = pid;
	l->pids[at].label = idx;
	l->npids++;
}

uint32_t
labels_of_pid(const struct ct_labels *l, uint32_t pid)
{
	size_t at;

	if (l == NULL || l->npids == 0)
		return 0;
	at = labels_lower(l, pid);
	return at < l->npids && l->pids[at].pid == pid ? l->pids[at].label : 0;
}

int
labels_has_pid(const struct ct_labels *l, uint32_t pid)
{
	size_t at;

	if (l == NULL || l->npids == 0)
		return 0;
	at = labels_lower(l, pid);
	return at < l->npids && l->pids[at].pid == pid;
}

const struct ct_label *
labels_get(const struct ct_labels *l, uint32_t idx)
{
	if (l == NULL || idx >= l->len)
		return &label_none;
	return &l->v[idx];
}

const char *
labels_part(const struct ct_label *lab, enum ct_label_part part)
{
	switch (part) {
	case CT_LP_CONTAINER:
		return lab->container;
	case CT_LP_POD:
		return lab->pod;
	case CT_LP_UNIT:
		return lab->unit;
	}
	return "";
}

void
labels_copy_pid(struct ct_labels *l, const struct ct_labels *from,
    uint32_t pid)
{
	if (!labels_has_pid(from, pid) || labels_has_pid(l, pid))
		return;
	labels_add_pid(l, pid, labels_intern(l,
	    labels_get(from, labels_of_pid(from, pid))));
}

void
labels_copy(struct ct_labels *l, const struct ct_labels *from)
{
	memset(l, 0, sizeof(*l));
	if (from->len == 0)
		return;
	l->cap = l->len = from->len;
	l->v = xcalloc(l->cap, sizeof(*l->v));
	memcpy(l->v, from->v, from->len * sizeof(*l->v));
	if (from->npids > 0) {
		l->cappids = l->npids = from->npids;
		l->pids = xcalloc(l->cappids, sizeof(*l->pids));
		memcpy(l->pids, from->pids, from->npids * sizeof(*l->pids));
	}
}

void
labels_free(struct ct_labels *l)
{
	if (l == NULL)
		return;
	free(l->v);
	free(l->pids);
	memset(l, 0, sizeof(*l));
}
