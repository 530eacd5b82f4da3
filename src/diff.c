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
#include <netinet/in.h>
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

/* ---- the ledger ---------------------------------------------------------- */

/* A map from a nonzero 64-bit key to an index: open addressing, no removal. */
struct lg_map {
	uint64_t	*key;		/* 0: empty */
	uint32_t	*val;
	size_t		 mask, n;
};

static void
lg_map_free(struct lg_map *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

/* An empty map with room for n keys at half load. */
static void
lg_map_init(struct lg_map *m, size_t n)
{
	size_t cap = 16;

	lg_map_free(m);
	while (cap < n * 2)
		cap <<= 1;
	m->key = xcalloc(cap, sizeof(*m->key));
	m->val = xcalloc(cap, sizeof(*m->val));
	m->mask = cap - 1;
}

static void	 lg_map_put(struct lg_map *m, uint64_t key, uint32_t val);

static void
lg_map_grow(struct lg_map *m)
{
	struct lg_map old = *m;
	size_t i;

	memset(m, 0, sizeof(*m));
	lg_map_init(m, (old.mask + 1));
	for (i = 0; i <= old.mask; i++)
		if (old.key[i] != 0)
			lg_map_put(m, old.key[i], old.val[i]);
	lg_map_free(&old);
}

/* Put key -> val, replacing what key had. */
static void
lg_map_put(struct lg_map *m, uint64_t key, uint32_t val)
{
	size_t pos;

	if (m->key == NULL)
		lg_map_init(m, 8);
	if ((m->n + 1) * 2 > m->mask + 1)
		lg_map_grow(m);
	for (pos = (size_t)diff_mix(key) & m->mask; m->key[pos] != 0;
	    pos = (pos + 1) & m->mask) {
		if (m->key[pos] == key) {
			m->val[pos] = val;
			return;
		}
	}
	m->key[pos] = key;
	m->val[pos] = val;
	m->n++;
}

/* The value of key, or UINT32_MAX. */
static uint32_t
lg_map_get(const struct lg_map *m, uint64_t key)
{
	size_t pos;

	if (m->key == NULL || key == 0)
		return UINT32_MAX;
	for (pos = (size_t)diff_mix(key) & m->mask; m->key[pos] != 0;
	    pos = (pos + 1) & m->mask)
		if (m->key[pos] == key)
			return m->val[pos];
	return UINT32_MAX;
}

/* A socket reported closed, whose record may still show (its TIME_WAIT). */
struct lg_rep {
	uint64_t	 cookie;
	uint64_t	 tuple;		/* lg_tuple() for TCP, else 0 */
	unsigned	 born;		/* the sample count when it was added */
	unsigned	 seen;		/* the last sample that showed it */
	int64_t		 until;		/* closed by the samples: kept till then
					   for its late event; 0 otherwise */
};

/*
 * A socket destroyed while a process still holds its descriptor (one that
 * -K or a peer's reset took down) leaves the dumps at once, but the kernel
 * frees it, and tells, only when the descriptor is closed: maybe much
 * later. The samples report such a close after the grace; its event, when
 * it comes, is no news. Remember those for a while, and not too many.
 */
#define LG_LATE_MS	(10 * 60 * 1000)
#define LG_LATE_MAX	65536

struct ct_ledger {
	unsigned	 grace_ms;
	unsigned	 nsample;	/* samples so far */
	bool		 lost;		/* events were dropped since the last sample */
	/* the last sample: when each record was first seen, by cookie */
	int64_t		*first;		/* -1: not matching the filter */
	size_t		 nfirst;
	struct lg_map	 last;		/* cookie -> index in the last sample */
	/* gone from the samples, their closes awaited from the kernel */
	struct ct_snap	*pend;
	int64_t		*pfirst, *pgone;
	uint8_t		*pdone;		/* 1: reported since */
	size_t		 pcap;
	struct lg_map	 pmap;		/* cookie -> index in pend */
	/* reported closed */
	struct lg_rep	*rep;
	size_t		 nrep, caprep;
	struct lg_map	 rcookie, rtuple;	/* -> index in rep */
};

int64_t
diff_ms(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

/* The identity of a TCP socket that its TIME_WAIT stand-in shares. */
static uint64_t
lg_tuple(const struct ct_sock *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	if (s->proto != IPPROTO_TCP)
		return 0;
	h = diff_hash_bytes(h, &s->netns, sizeof(s->netns));
	h = diff_hash_bytes(h, &s->local, sizeof(s->local));
	h = diff_hash_bytes(h, &s->remote, sizeof(s->remote));
	h = diff_hash_bytes(h, &s->lport, sizeof(s->lport));
	h = diff_hash_bytes(h, &s->rport, sizeof(s->rport));
	h = diff_mix(h);
	return h != 0 ? h : 1;
}

/* The cookie as a key of its namespace: cookies are host-wide, but be safe. */
static uint64_t
lg_key(const struct ct_sock *s)
{
	uint64_t k;

	if (s->cookie == 0)
		return 0;
	k = s->cookie ^ ((uint64_t)s->netns << 48);
	return k != 0 ? k : 1;
}

struct ct_ledger *
diff_ledger_open(unsigned grace_ms)
{
	struct ct_ledger *l = xcalloc(1, sizeof(*l));

	l->grace_ms = grace_ms;
	return l;
}

static void
lg_pend_free(struct ct_ledger *l)
{
	if (l->pend != NULL) {
		snap_free(l->pend);
		free(l->pend);
	}
	free(l->pfirst);
	free(l->pgone);
	free(l->pdone);
	l->pend = NULL;
	l->pfirst = l->pgone = NULL;
	l->pdone = NULL;
	l->pcap = 0;
	lg_map_free(&l->pmap);
}

void
diff_ledger_reset(struct ct_ledger *l)
{
	free(l->first);
	l->first = NULL;
	l->nfirst = 0;
	lg_map_free(&l->last);
	lg_pend_free(l);
	l->lost = false;
}

void
diff_ledger_free(struct ct_ledger *l)
{
	if (l == NULL)
		return;
	diff_ledger_reset(l);
	free(l->rep);
	lg_map_free(&l->rcookie);
	lg_map_free(&l->rtuple);
	free(l);
}

void
diff_ledger_lost(struct ct_ledger *l)
{
	l->lost = true;
}

const int64_t *
diff_ledger_first(const struct ct_ledger *l, size_t *n)
{
	*n = l->nfirst;
	return l->first;
}

void
diff_closes_free(struct ct_closes *c)
{
	if (c == NULL)
		return;
	if (c->snap != NULL) {
		snap_free(c->snap);
		free(c->snap);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/*
 * A snapshot to copy records into, its namespaces and labels those of
 * ctx (the latest sample's), so the copies name them alike.
 */
static struct ct_snap *
lg_snap_new(const struct ct_snap *ctx)
{
	struct ct_snap *s = xcalloc(1, sizeof(*s));

	s->when = ctx->when;
	nstab_copy(&s->nstab, &ctx->nstab);
	labels_copy(&s->labels, &ctx->labels);
	owners_init(&s->owners);
	return s;
}

/*
 * Append a copy of record s of from to snapshot to: owners, label, and
 * tcp_info (info when given: the kernel's final figures). Its index.
 */
static uint32_t
lg_copy(struct ct_snap *to, const struct ct_snap *from, const struct ct_sock *s,
    const struct ct_tcpinfo *info)
{
	const struct ct_tcpinfo *ti = info != NULL ? info :
	    sock_info(&from->socks, s);
	const struct ct_owner *w = owners_get(&from->owners, s->owners);
	struct ct_sock *c = sock_list_grow(&to->socks);
	size_t at = to->socks.len;

	*c = *s;
	c->listener = 0;		/* no listener beside it in the copy */
	c->flags &= (uint8_t)~CT_SF_INFO;
	if (ti != NULL) {
		*sock_list_info_at(&to->socks, at) = *ti;
		c->flags |= CT_SF_INFO;
	}
	if (w != NULL && from->labels.len > 0) {
		if (to->labels.len == 0)
			labels_init(&to->labels);
		labels_copy_pid(&to->labels, &from->labels, w->pid);
	}
	c->owners = owners_copy_chain(&to->owners, &from->owners, s->owners);
	to->socks.len++;
	return (uint32_t)at;
}

/* Report record s of from closed: into out, whose snapshot is like ctx's. */
static void
lg_close(struct ct_closes *out, const struct ct_snap *ctx,
    const struct ct_snap *from, const struct ct_sock *s,
    const struct ct_tcpinfo *info, enum ct_close_src src, int64_t duration)
{
	struct ct_close *c;

	if (out->snap == NULL)
		out->snap = lg_snap_new(ctx);
	if (out->n == out->cap) {
		out->cap = out->cap > 0 ? out->cap * 2 : 16;
		out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
	}
	c = &out->v[out->n++];
	c->rec = lg_copy(out->snap, from, s, info);
	c->src = (uint8_t)src;
	c->sampled = duration >= 0;
	c->duration_ms = duration >= 0 ? duration : -1;
}

/* The report of s's close, by its cookie, or by its 5-tuple (tw: a stand-in). */
static struct lg_rep *
lg_rep_find(struct ct_ledger *l, const struct ct_sock *s, bool tw)
{
	uint32_t i = lg_map_get(&l->rcookie, lg_key(s));

	if (i == UINT32_MAX && tw && s->state == CT_ST_TIME_WAIT)
		i = lg_map_get(&l->rtuple, lg_tuple(s));
	return i != UINT32_MAX && i < l->nrep ? &l->rep[i] : NULL;
}

/* Remember that s was reported closed (until no sample shows it). */
static void
lg_rep_add(struct ct_ledger *l, const struct ct_sock *s, int64_t until)
{
	struct lg_rep *r;
	uint64_t k = lg_key(s);

	if (k == 0)
		return;			/* nothing to know it again by */
	if (l->nrep == l->caprep) {
		l->caprep = l->caprep > 0 ? l->caprep * 2 : 64;
		l->rep = xreallocarray(l->rep, l->caprep, sizeof(*l->rep));
	}
	r = &l->rep[l->nrep];
	r->cookie = k;
	r->tuple = lg_tuple(s);
	r->born = l->nsample;
	r->seen = 0;
	r->until = until;
	lg_map_put(&l->rcookie, k, (uint32_t)l->nrep);
	if (r->tuple != 0)
		lg_map_put(&l->rtuple, r->tuple, (uint32_t)l->nrep);
	l->nrep++;
}

/*
 * Keep the reports a sample still shows, or made since the sample before
 * this one, and the newest LG_LATE_MAX of those awaiting a late event (till their time).
 */
static void
lg_rep_prune(struct ct_ledger *l, int64_t now)
{
	size_t i, n = 0, late = 0, skip;

	for (i = 0; i < l->nrep; i++)
		if (l->rep[i].until > now)
			late++;
	skip = late > LG_LATE_MAX ? late - LG_LATE_MAX : 0;
	for (i = 0; i < l->nrep; i++) {
		const struct lg_rep *r = &l->rep[i];

		/*
		 * Made since the sample before, too: an event read just after
		 * a dump may be of a socket whose TIME_WAIT stand-in that dump
		 * walked past; the next one shows it.
		 */
		if (r->seen == l->nsample || r->born + 1 >= l->nsample)
			l->rep[n++] = *r;
		else if (r->until > now && skip > 0)
			skip--;		/* the oldest go first */
		else if (r->until > now)
			l->rep[n++] = *r;
	}
	l->nrep = n;
	lg_map_init(&l->rcookie, n);
	lg_map_init(&l->rtuple, n);
	for (i = 0; i < n; i++) {
		lg_map_put(&l->rcookie, l->rep[i].cookie, (uint32_t)i);
		if (l->rep[i].tuple != 0)
			lg_map_put(&l->rtuple, l->rep[i].tuple, (uint32_t)i);
	}
}

/* Hold record p of prev for its destroy event, into the new pending set. */
static void
lg_pend_add(struct ct_ledger *l, const struct ct_snap *ctx,
    const struct ct_snap *from, const struct ct_sock *p, int64_t first,
    int64_t gone)
{
	uint32_t at;

	if (l->pend == NULL)
		l->pend = lg_snap_new(ctx);
	at = lg_copy(l->pend, from, p, NULL);
	if (at >= l->pcap) {
		l->pcap = l->pcap > 0 ? l->pcap * 2 : 64;
		l->pfirst = xreallocarray(l->pfirst, l->pcap, sizeof(*l->pfirst));
		l->pgone = xreallocarray(l->pgone, l->pcap, sizeof(*l->pgone));
		l->pdone = xreallocarray(l->pdone, l->pcap, sizeof(*l->pdone));
	}
	l->pfirst[at] = first;
	l->pgone[at] = gone;
	l->pdone[at] = 0;
	lg_map_put(&l->pmap, lg_key(p), at);
}

/* Are the destroy events of s's namespace heard? */
static bool
lg_heard(const struct ct_snap *snap, const struct ct_sock *s)
{
	const struct ct_netns *ns = nstab_get(&snap->nstab, s->netns);

	return ns != NULL && (ns->flags & CT_NS_EVENTS);
}

/* Will the kernel tell when s closes? */
static bool
lg_kernel_tells(const struct ct_snap *snap, const struct ct_sock *s)
{
	const struct ct_netns *ns = nstab_get(&snap->nstab, s->netns);

	/* TIME_WAIT entries and request sockets are no full sockets */
	return s->cookie != 0 && ns != NULL && (ns->flags & CT_NS_EVENTS) &&
	    s->state != CT_ST_TIME_WAIT && s->state != CT_ST_SYN_RECV;
}

void
diff_ledger_sample(struct ct_ledger *l, const struct ct_snap *prev,
    const struct ct_snap *cur, struct ct_diff *d, struct ct_closes *out)
{
	int64_t now = diff_ms(&cur->when), *nf, *opfirst, *opgone;
	struct ct_snap *oldpend;
	uint8_t *opdone;
	struct lg_map opmap;
	struct lg_rep *r;
	size_t i, n;
	uint32_t k;

	l->nsample++;
	if (prev == NULL)
		diff_ledger_reset(l);
	/* what was held moves aside: the new set is made of what stays */
	oldpend = l->pend;
	opfirst = l->pfirst;
	opgone = l->pgone;
	opdone = l->pdone;
	opmap = l->pmap;
	l->pend = NULL;
	l->pfirst = l->pgone = NULL;
	l->pdone = NULL;
	l->pcap = 0;
	memset(&l->pmap, 0, sizeof(l->pmap));

	/* what each record of cur was first seen, and what not to say again */
	nf = xcalloc(cur->socks.len + 1, sizeof(*nf));
	for (i = 0; i < cur->socks.len; i++) {
		const struct ct_sock *s = &cur->socks.v[i];
		struct ct_diff_sock *ds = i < d->ncur ? &d->cur[i] : NULL;

		nf[i] = -1;
		if (ds == NULL || !(ds->flags & CT_DF_MATCH))
			continue;
		nf[i] = now;
		if (ds->prev != CT_DIFF_NONE && ds->prev < l->nfirst &&
		    l->first[ds->prev] >= 0)
			nf[i] = l->first[ds->prev];
		/* back in a dump after missing from one: the same socket */
		if ((ds->flags & CT_DF_NEW) && oldpend != NULL &&
		    (k = lg_map_get(&opmap, lg_key(s))) != UINT32_MAX &&
		    !opdone[k]) {
			opdone[k] = 1;
			nf[i] = opfirst[k];
			ds->flags &= (uint8_t)~CT_DF_NEW;
			d->nopened--;
		}
		if (l->nrep > 0 && (r = lg_rep_find(l, s, true)) != NULL) {
			/* its close was told: this is its TIME_WAIT, no news */
			r->seen = l->nsample;
			if (r->cookie != lg_key(s)) {
				r->cookie = lg_key(s);
				lg_map_put(&l->rcookie, r->cookie,
				    (uint32_t)(r - l->rep));
			}
			if (ds->flags & CT_DF_NEW) {
				ds->flags &= (uint8_t)~CT_DF_NEW;
				d->nopened--;
			}
			if (ds->flags & CT_DF_STATE) {
				ds->flags &= (uint8_t)~CT_DF_STATE;
				d->nchanged--;
			}
		} else if ((ds->flags & CT_DF_NEW) &&
		    s->state == CT_ST_TIME_WAIT && lg_heard(cur, s)) {
			/*
			 * The stand-in of a socket whose destroy event has not
			 * come yet: the kernel broadcasts from a work queue, so
			 * a dump can see the TIME_WAIT entry first. It shares
			 * its socket's cookie: the event, when it comes, closes
			 * it as this sample saw it, and its going is no news.
			 */
			ds->flags &= (uint8_t)~CT_DF_NEW;
			d->nopened--;
		}
	}
	/* held last time: closed now if the grace is over, else held on */
	for (i = 0; oldpend != NULL && i < oldpend->socks.len; i++) {
		const struct ct_sock *p = &oldpend->socks.v[i];

		if (opdone[i])
			continue;
		if (l->lost || now - opgone[i] >= (int64_t)l->grace_ms) {
			lg_close(out, cur, oldpend, p, NULL, CT_CLOSE_SAMPLE,
			    opgone[i] - opfirst[i]);
			/* an event late still is no news */
			lg_rep_add(l, p, now + LG_LATE_MS);
		} else {
			lg_pend_add(l, cur, oldpend, p, opfirst[i], opgone[i]);
		}
	}
	/* gone since the last sample */
	for (n = 0; prev != NULL && n < d->nclosed; n++) {
		const struct ct_sock *p = &prev->socks.v[d->closed[n]];
		int64_t first = d->closed[n] < l->nfirst &&
		    l->first[d->closed[n]] >= 0 ? l->first[d->closed[n]] :
		    diff_ms(&prev->when);

		if (lg_rep_find(l, p, false) != NULL)
			continue;		/* the kernel told already */
		if (!l->lost && lg_kernel_tells(prev, p)) {
			lg_pend_add(l, cur, prev, p, first, now);
			continue;
		}
		lg_close(out, cur, prev, p, NULL, CT_CLOSE_SAMPLE, now - first);
		if (lg_kernel_tells(prev, p))
			lg_rep_add(l, p, now + LG_LATE_MS);
	}
	if (oldpend != NULL) {
		snap_free(oldpend);
		free(oldpend);
	}
	free(opfirst);
	free(opgone);
	free(opdone);
	lg_map_free(&opmap);
	lg_rep_prune(l, now);

	/* cur is the last sample now */
	free(l->first);
	l->first = nf;
	l->nfirst = cur->socks.len;
	lg_map_init(&l->last, cur->socks.len);
	for (i = 0; i < cur->socks.len; i++)
		if (lg_key(&cur->socks.v[i]) != 0)
			lg_map_put(&l->last, lg_key(&cur->socks.v[i]), (uint32_t)i);
	l->lost = false;
}

void
diff_ledger_events(struct ct_ledger *l, const struct ct_snap *last,
    const struct ct_socklist *ev, const struct ct_filter *f, int64_t now_ms,
    struct ct_closes *out)
{
	struct ct_owners none;
	struct ct_snap one;		/* the kernel's records, for the filter */
	struct ct_view view;
	size_t i;
	uint32_t k;

	memset(&none, 0, sizeof(none));
	memset(&one, 0, sizeof(one));
	one.socks = *ev;
	one.nstab = last->nstab;
	one.labels = last->labels;
	view = snap_view(&one);
	view.owners = &none;
	for (i = 0; i < ev->len; i++) {
		const struct ct_sock *e = &ev->v[i];
		const struct ct_tcpinfo *ti = sock_info(ev, e);

		if (lg_rep_find(l, e, false) != NULL)
			continue;		/* told already */
		k = lg_map_get(&l->last, lg_key(e));
		if (k != UINT32_MAX && k < last->socks.len && k < l->nfirst &&
		    last->socks.v[k].netns == e->netns) {
			/* as the last sample saw it, with the kernel's last figures */
			if (l->first[k] >= 0)
				lg_close(out, last, last, &last->socks.v[k], ti,
				    CT_CLOSE_KERNEL, now_ms - l->first[k]);
			lg_rep_add(l, e, 0);
			continue;
		}
		k = lg_map_get(&l->pmap, lg_key(e));
		if (k != UINT32_MAX && l->pend != NULL && k < l->pend->socks.len &&
		    !l->pdone[k]) {
			l->pdone[k] = 1;
			lg_close(out, last, l->pend, &l->pend->socks.v[k], ti,
			    CT_CLOSE_KERNEL, now_ms - l->pfirst[k]);
			continue;
		}
		/* no sample saw it: the kernel's record is all there is */
		if (filter_match(f, &view, e))
			lg_close(out, last, &one, e, ti, CT_CLOSE_KERNEL, -1);
		lg_rep_add(l, e, 0);
	}
}
