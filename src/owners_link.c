/*
 * From hits to owner chains (owners_link.h): the inode index the owner
 * back-ends look sockets up in, and the one linking step they all end
 * with, so that the /proc walk (serial or parallel) and the BPF iterator
 * give the same table for the same descriptors.
 */
#include "owners_link.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
owners_index_build(struct ct_inode_index *h, const struct ct_socklist *socks)
{
	size_t cap = 64, i, pos;

	while (cap < socks->len * 2)
		cap <<= 1;
	h->slot = xcalloc(cap, sizeof(*h->slot));
	h->mask = cap - 1;
	for (i = 0; i < socks->len; i++) {
		uint32_t inode = socks->v[i].inode;

		if (inode == 0)		/* TIME_WAIT and request sockets */
			continue;
		pos = owners_index_pos(h, inode);
		while (h->slot[pos].inode != 0)
			pos = (pos + 1) & h->mask;
		h->slot[pos].inode = inode;
		h->slot[pos].idx = (uint32_t)i;
	}
}

void
owners_index_free(struct ct_inode_index *h)
{
	if (h == NULL)
		return;
	free(h->slot);
	h->slot = NULL;
	h->mask = 0;
}

struct ct_owner_seen *
owners_seen_add(struct ct_owners_seen *s)
{
	if (s->len == s->cap) {
		s->cap = s->cap < 256 ? 256 : s->cap * 2;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	return &s->v[s->len++];
}

void
owners_seen_free(struct ct_owners_seen *s)
{
	if (s == NULL)
		return;
	free(s->v);
	s->v = NULL;
	s->len = s->cap = 0;
}

struct ct_owner_hit *
owners_hits_add(struct ct_owner_hits *h)
{
	if (h->len == h->cap) {
		h->cap = h->cap < 256 ? 256 : h->cap * 2;
		h->v = xreallocarray(h->v, h->cap, sizeof(*h->v));
	}
	return &h->v[h->len++];
}

void
owners_hits_free(struct ct_owner_hits *h)
{
	if (h == NULL)
		return;
	free(h->v);
	h->v = NULL;
	h->len = h->cap = 0;
}

/* Within one record: pid, then fd; the name last, so that any order is total. */
static int
hit_cmp(const void *a, const void *b)
{
	const struct ct_owner_hit *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->fd != y->fd)
		return x->fd < y->fd ? -1 : 1;
	return (x->comm > y->comm) - (x->comm < y->comm);
}

/*
 * Put one record's hits in order. They nearly always come in order
 * already (both back-ends walk processes by pid, descriptors by number),
 * and nearly every socket has one or two: check, and sort only when not.
 */
static void
hits_order(struct ct_owner_hit *v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n && hit_cmp(&v[i - 1], &v[i]) <= 0; i++)
		;
	if (i == n)
		return;
	if (n > 16) {
		qsort(v, n, sizeof(*v), hit_cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		struct ct_owner_hit t = v[i];

		for (j = i; j > 0 && hit_cmp(&v[j - 1], &t) > 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

/*
 * A stable radix sort by record (11 bits a pass: two passes up to 4
 * million records), so that records and chains are then written in
 * order: linking as the hits came wrote to the record and a chain tail,
 * both all over memory, for each of 200,000 descriptors.
 */
static struct ct_owner_hit *
hits_by_record(struct ct_owner_hits *hits)
{
	struct ct_owner_hit *v = hits->v, *tmp, *t;
	size_t i, *count, shift, n = hits->len;
	uint32_t top = 0;

	for (i = 0; i < n; i++)
		if (v[i].idx > top)
			top = v[i].idx;
	tmp = xcalloc(n + 1, sizeof(*tmp));
	count = xcalloc(2048, sizeof(*count));
	for (shift = 0; shift < 32 && (shift == 0 || top >> shift); shift += 11) {
		size_t sum = 0, c;

		memset(count, 0, 2048 * sizeof(*count));
		for (i = 0; i < n; i++)
			count[v[i].idx >> shift & 2047]++;
		for (i = 0; i < 2048; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[v[i].idx >> shift & 2047]++] = v[i];
		t = v;
		v = tmp;
		tmp = t;
	}
	free(count);
	/* v holds the sorted hits, tmp the other array: keep v */
	if (v != hits->v)
		hits->cap = n + 1;
	free(tmp);
	hits->v = v;
	return v;
}

void
owners_link(struct ct_owner_hits *hits, struct ct_socklist *socks,
    struct ct_owners *out)
{
	struct ct_owner_hit *v;
	size_t i, j, k, n = hits->len;

	for (i = 0; i < socks->len; i++)
		socks->v[i].owners = 0;
	if (out->len == 0)
		owners_init(out);
	if (n == 0 || socks->len == 0)
		return;
	v = hits_by_record(hits);
	if (out->cap < out->len + n) {
		out->cap = out->len + n;
		out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
	}
	for (i = 0; i < n; i = j) {
		uint32_t last = 0;

		for (j = i + 1; j < n && v[j].idx == v[i].idx; j++)
			;
		hits_order(&v[i], j - i);
		if (v[i].idx >= socks->len)
			continue;	/* not a record of this list */
		for (k = i; k < j; k++) {
			struct ct_owner *o;

			if (k > i && v[k].pid == v[k - 1].pid &&
			    v[k].fd == v[k - 1].fd)
				continue;	/* the same descriptor again */
			o = &out->v[out->len];
			o->pid = v[k].pid;
			o->fd = v[k].fd;
			o->comm = v[k].comm;
			o->next = 0;
			if (last == 0)
				socks->v[v[k].idx].owners = (uint32_t)out->len;
			else
				out->v[last].next = (uint32_t)out->len;
			last = (uint32_t)out->len++;
		}
	}
}

/* Descriptors looked up together, their index slots prefetched. */
#define LINK_BATCH	64

/* Is seen in (pid, fd) order already, as the iterator and the cache tell? */
static bool
seen_in_order(const struct ct_owners_seen *seen)
{
	size_t i;

	for (i = 1; i < seen->len; i++) {
		const struct ct_owner_seen *a = &seen->v[i - 1], *b = &seen->v[i];

		if (a->pid > b->pid || (a->pid == b->pid && a->fd > b->fd))
			return false;
	}
	return true;
}

/*
 * Where the next batch of seen descriptors, from i on, starts its lookups:
 * the index is as large as the records (4 MiB at 200,000), so a batch's
 * slots are fetched before any is probed, or each probe waits for memory.
 * Returns the batch's size.
 */
static size_t
link_batch(const struct ct_inode_index *h, const struct ct_owners_seen *seen,
    size_t i, size_t pos[LINK_BATCH])
{
	size_t j, n = seen->len - i < LINK_BATCH ? seen->len - i : LINK_BATCH;

	for (j = 0; j < n; j++) {
		pos[j] = owners_index_pos(h, seen->v[i + j].inode);
		__builtin_prefetch(&h->slot[pos[j]]);
	}
	return n;
}

/* Not in order: through hits and owners_link()'s sort. */
static void
link_sorting(const struct ct_owners_seen *seen, const struct ct_inode_index *h,
    struct ct_socklist *socks, struct ct_owners *out)
{
	struct ct_owner_hits hits = { 0 };
	size_t pos[LINK_BATCH], i, j, n;
	long idx;

	for (i = 0; i < seen->len; i += n) {
		n = link_batch(h, seen, i, pos);
		for (j = 0; j < n; j++) {
			const struct ct_owner_seen *e = &seen->v[i + j];

			while ((idx = owners_index_next(h, e->inode, &pos[j])) >= 0) {
				struct ct_owner_hit *t = owners_hits_add(&hits);

				t->idx = (uint32_t)idx;
				t->pid = e->pid;
				t->fd = e->fd;
				t->comm = e->comm;
			}
		}
	}
	owners_link(&hits, socks, out);
	owners_hits_free(&hits);
}

void
owners_linker_start(struct ct_owners_linker *l, const struct ct_inode_index *h,
    struct ct_socklist *socks, struct ct_owners *out, size_t hint)
{
	size_t i;

	l->h = h;
	l->socks = socks;
	l->out = out;
	for (i = 0; i < socks->len; i++)
		socks->v[i].owners = 0;
	if (out->len == 0)
		owners_init(out);
	/*
	 * Room for what will be told, the puts need not grow the table; no
	 * more than a owner per record, though: a filtered snapshot's few
	 * records would otherwise get room for every socket of the host.
	 */
	if (hint > socks->len)
		hint = socks->len;
	if (out->cap < out->len + hint) {
		out->cap = out->len + hint;
		out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
	}
	l->tail = xcalloc(socks->len + 1, sizeof(*l->tail));
}

void
owners_linker_end(struct ct_owners_linker *l)
{
	free(l->tail);
	l->tail = NULL;
}

/*
 * In order already: append each owner to its record's chain as it comes,
 * which keeps every chain in order, with no sort at all.
 */
static void
link_in_order(const struct ct_owners_seen *seen, const struct ct_inode_index *h,
    struct ct_socklist *socks, struct ct_owners *out)
{
	struct ct_owners_linker l;
	size_t pos[LINK_BATCH], i, j, n;
	long idx;

	owners_linker_start(&l, h, socks, out, seen->len);
	for (i = 0; i < seen->len; i += n) {
		n = link_batch(h, seen, i, pos);
		for (j = 0; j < n; j++) {
			const struct ct_owner_seen *e = &seen->v[i + j];

			while ((idx = owners_index_next(h, e->inode, &pos[j])) >= 0)
				owners_linker_put(&l, idx, e->pid, e->fd, e->comm);
		}
	}
	owners_linker_end(&l);
}

void
owners_link_seen_with(const struct ct_owners_seen *seen,
    const struct ct_inode_index *h, struct ct_socklist *socks,
    struct ct_owners *out)
{
	if (seen_in_order(seen))
		link_in_order(seen, h, socks, out);
	else
		link_sorting(seen, h, socks, out);
}

void
owners_link_seen(const struct ct_owners_seen *seen, struct ct_socklist *socks,
    struct ct_owners *out)
{
	struct ct_inode_index h;

	owners_index_build(&h, socks);
	owners_link_seen_with(seen, &h, socks, out);
	owners_index_free(&h);
}
