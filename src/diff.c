/*
 * Two snapshots compared: which sockets opened, closed or changed state,
 * and how fast each TCP connection moves bytes.
 *
 * The previous snapshot goes into an open-addressing hash keyed on the
 * socket's identity, and every record of the current one probes it once:
 * O(n) at any size, where a sort would be O(n log n) twice over.
 */
#include "diff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

struct diff_hash {
	uint32_t	*slot;		/* 1 + record index in prev; 0 = empty */
	size_t		 mask;
};

/* splitmix64's finaliser: cookies count up by one, so spread them. */
static uint64_t
diff_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* FNV-1a over the bytes that tell a cookie-less socket apart. */
static uint64_t
diff_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t
diff_key(const struct ct_sock *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	if (s->cookie != 0)
		return diff_mix(s->cookie);
	h = diff_hash_bytes(h, &s->proto, sizeof(s->proto));
	h = diff_hash_bytes(h, &s->local, sizeof(s->local));
	h = diff_hash_bytes(h, &s->remote, sizeof(s->remote));
	h = diff_hash_bytes(h, &s->lport, sizeof(s->lport));
	h = diff_hash_bytes(h, &s->rport, sizeof(s->rport));
	h = diff_hash_bytes(h, &s->inode, sizeof(s->inode));
	return diff_mix(h);
}

bool
diff_same_sock(const struct ct_sock *a, const struct ct_sock *b)
{
	/*
	 * The cookie is the kernel's own id of the socket (sock_gen_cookie()),
	 * kept when a TCP socket turns into its TIME_WAIT stand-in. When it is
	 * there, nothing else matters: a new socket on an old 5-tuple has a new
	 * cookie. Old kernels and synthetic records have none.
	 */
	if (a->cookie != 0 || b->cookie != 0)
		return a->cookie == b->cookie;
	return a->proto == b->proto && a->lport == b->lport &&
	    a->rport == b->rport && a->inode == b->inode &&
	    a->local.family == b->local.family &&
	    memcmp(a->local.bytes, b->local.bytes, 16) == 0 &&
	    a->remote.family == b->remote.family &&
	    memcmp(a->remote.bytes, b->remote.bytes, 16) == 0;
}

int
diff_rate(uint64_t before, uint64_t after, double dt, uint64_t *rate)
{
	uint64_t delta = after - before;	/* modulo 2^64: a wrap still counts */
	double r;

	*rate = 0;
	if (!(dt > 0) || delta > UINT64_MAX / 2)
		return -ERANGE;		/* went back: the counter was reset */
	r = (double)delta / dt + 0.5;
	*rate = r >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)r;
	return 0;
}

static double
diff_seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
diff_hash_build(struct diff_hash *h, const struct ct_snap *prev,
    const struct ct_filter *f, uint8_t *match)
{
	const struct ct_view view = snap_view(prev);
	size_t cap = 64, i, pos;

	while (cap < prev->socks.len * 2)
		cap <<= 1;
	h->slot = xcalloc(cap, sizeof(*h->slot));
	h->mask = cap - 1;
	for (i = 0; i < prev->socks.len; i++) {
		const struct ct_sock *s = &prev->socks.v[i];

		if (!filter_match(f, &view, s))
			continue;
		match[i] = 1;
		pos = (size_t)diff_key(s) & h->mask;
		while (h->slot[pos] != 0)
			pos = (pos + 1) & h->mask;
		h->slot[pos] = (uint32_t)i + 1;
	}
}

/* The unclaimed record of prev that is s, or CT_DIFF_NONE. */
static uint32_t
diff_hash_claim(const struct diff_hash *h, const struct ct_snap *prev,
    const struct ct_sock *s, uint8_t *match)
{
	size_t pos = (size_t)diff_key(s) & h->mask;

	for (; h->slot[pos] != 0; pos = (pos + 1) & h->mask) {
		uint32_t idx = h->slot[pos] - 1;

		/* match[idx] == 2: claimed already (a dump that repeated a socket) */
		if (match[idx] == 1 && diff_same_sock(&prev->socks.v[idx], s)) {
			match[idx] = 2;
			return idx;
		}
	}
	return CT_DIFF_NONE;
}

/* Rates of record p of prev becoming record s of cur. */
static void
diff_rates(const struct ct_snap *prev, const struct ct_sock *p,
    const struct ct_snap *cur, const struct ct_sock *s, double dt,
    struct ct_diff_sock *ds, struct ct_diff_rate *r)
{
	const struct ct_tcpinfo *pi = sock_info(&prev->socks, p);
	const struct ct_tcpinfo *si = sock_info(&cur->socks, s);

	if (pi == NULL || si == NULL)
		return;
	if (diff_rate(pi->bytes_received, si->bytes_received, dt,
	    &r->in) != 0 ||
	    diff_rate(pi->bytes_acked, si->bytes_acked, dt, &r->out) != 0) {
		r->in = r->out = 0;
		return;
	}
	ds->flags |= CT_DF_RATED;
}

int
diff_build(const struct ct_snap *prev, const struct ct_snap *cur,
    const struct ct_filter *f, struct ct_diff *out)
{
	const struct ct_view view = snap_view(cur);
	struct diff_hash h = { NULL, 0 };
	uint8_t *match = NULL;		/* prev: 0 no match, 1 matches, 2 claimed */
	size_t i, n;

	memset(out, 0, sizeof(*out));
	out->ncur = cur->socks.len;
	out->cur = xcalloc(out->ncur, sizeof(*out->cur));
	if (prev != NULL) {
		out->dt = diff_seconds(&prev->when, &cur->when);
		match = xcalloc(prev->socks.len, 1);
		diff_hash_build(&h, prev, f, match);
		if (prev->socks.info != NULL && cur->socks.info != NULL)
			out->rate = xcalloc(out->ncur, sizeof(*out->rate));
	}
	for (i = 0; i < cur->socks.len; i++) {
		const struct ct_sock *s = &cur->socks.v[i];
		struct ct_diff_sock *ds = &out->cur[i];

		ds->prev = CT_DIFF_NONE;
		if (!filter_match(f, &view, s))
			continue;
		ds->flags = CT_DF_MATCH;
		out->nmatch++;
		if (prev == NULL) {
			ds->flags |= CT_DF_FIRST;
			continue;
		}
		if ((ds->prev = diff_hash_claim(&h, prev, s, match)) ==
		    CT_DIFF_NONE) {
			ds->flags |= CT_DF_NEW;
			out->nopened++;
			continue;
		}
		if (prev->socks.v[ds->prev].state != s->state) {
			ds->flags |= CT_DF_STATE;
			ds->old_state = prev->socks.v[ds->prev].state;
			out->nchanged++;
		}
		if (out->rate != NULL)
			diff_rates(prev, &prev->socks.v[ds->prev], cur, s,
			    out->dt, ds, &out->rate[i]);
	}
	if (prev != NULL) {
		for (i = 0, n = 0; i < prev->socks.len; i++)
			n += match[i] == 1;
		out->closed = xcalloc(n, sizeof(*out->closed));
		for (i = 0; i < prev->socks.len; i++)
			if (match[i] == 1)
				out->closed[out->nclosed++] = (uint32_t)i;
	}
	free(match);
	free(h.slot);
	return 0;
}

void
diff_free(struct ct_diff *d)
{
	if (d == NULL)
		return;
	free(d->cur);
	free(d->rate);
	free(d->closed);
	memset(d, 0, sizeof(*d));
}
