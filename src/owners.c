/*
 * The owner table (owners.h): growth, names, chains. Pure data: the
 * back-ends that discover owners live elsewhere (proc.c).
 */
#include "owners.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One more zeroed entry at the end; its index. */
static uint32_t
owners_push(struct ct_owners *o)
{
	if (o->len == o->cap) {
		o->cap = o->cap < 64 ? 64 : o->cap * 2;
		o->v = xreallocarray(o->v, o->cap, sizeof(*o->v));
	}
	memset(&o->v[o->len], 0, sizeof(o->v[0]));
	return (uint32_t)o->len++;
}

void
owners_init(struct ct_owners *o)
{
	o->len = 0;
	o->ncomm = 0;
	owners_push(o);			/* index 0: "unknown" */
}

uint32_t
owners_append(struct ct_owners *o)
{
	if (o->len == 0)
		owners_push(o);		/* the sentinel first */
	return owners_push(o);
}

uint32_t
owners_add_comm(struct ct_owners *o, const char *comm)
{
	if (o->ncomm == o->capcomm) {
		o->capcomm = o->capcomm < 16 ? 16 : o->capcomm * 2;
		o->comm = xreallocarray(o->comm, o->capcomm, sizeof(*o->comm));
	}
	memset(o->comm[o->ncomm], 0, sizeof(o->comm[0]));
	strncpy(o->comm[o->ncomm], comm, sizeof(o->comm[0]) - 1);
	return (uint32_t)o->ncomm++;
}

void
owners_copy(struct ct_owners *o, const struct ct_owners *from)
{
	if (from->len > 0) {
		o->cap = o->len = from->len;
		o->v = xcalloc(o->cap, sizeof(*o->v));
		memcpy(o->v, from->v, from->len * sizeof(*o->v));
	}
	if (from->ncomm > 0) {
		o->capcomm = o->ncomm = from->ncomm;
		o->comm = xcalloc(o->capcomm, sizeof(*o->comm));
		memcpy(o->comm, from->comm, from->ncomm * sizeof(*o->comm));
	}
}

uint32_t
owners_copy_chain(struct ct_owners *o, const struct ct_owners *from,
    uint32_t first)
{
	const struct ct_owner *w;
	uint32_t head = 0, last = 0, i;

	for (w = owners_get(from, first); w != NULL;
	    w = owners_get(from, w->next)) {
		i = owners_append(o);
		o->v[i].pid = w->pid;
		o->v[i].fd = w->fd;
		o->v[i].comm = owners_add_comm(o, owners_comm(from, w));
		if (last == 0)
			head = i;
		else
			o->v[last].next = i;
		last = i;
	}
	return head;
}

size_t
owners_count(const struct ct_owners *o, uint32_t first)
{
	const struct ct_owner *w;
	size_t n = 0;

	for (w = owners_get(o, first); w != NULL; w = owners_get(o, w->next))
		n++;
	return n;
}

size_t
owners_pids(const struct ct_owners *o, uint32_t first)
{
	const struct ct_owner *w;
	uint32_t last = 0;
	size_t n = 0;

	/* chains are in pid order, so each process is one run */
	for (w = owners_get(o, first); w != NULL; w = owners_get(o, w->next)) {
		if (n == 0 || w->pid != last)
			n++;
		last = w->pid;
	}
	return n;
}

void
owners_free(struct ct_owners *o)
{
	if (o == NULL)
		return;
	free(o->v);
	free(o->comm);
	o->v = NULL;
	o->comm = NULL;
	o->len = o->cap = o->ncomm = o->capcomm = 0;
}
