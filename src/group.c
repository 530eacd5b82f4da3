/*
 * The grouping layer: the records that match the filter, in a total order;
 * or folded into groups by the -g fields and counted; or (-T) arranged as
 * a tree of listeners, their connections, and the other connections by
 * destination.
 */
#include "group.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fields.h"
#include "filter.h"
#include "listener.h"
#include "opts.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

#define CMP(a, b)	(((a) > (b)) - ((a) < (b)))

struct sort_ctx {
	const struct ct_snap *snap;
	const struct ct_cols *keys;	/* compared first; may be empty */
	const struct ct_cols *group;	/* -g key, for ordering groups */
	int		 dir;		/* 1, or -1 for -r */
};

/*
 * The default order, written out rather than looked up field by field:
 * it runs some 3.5 million times for 200,000 records.
 */
int
group_cmp_default(const struct ct_sock *a, const struct ct_sock *b)
{
	int c;

	if ((c = CMP(a->proto, b->proto)) != 0 ||
	    (c = CMP(a->local.family, b->local.family)) != 0 ||
	    (c = memcmp(a->local.bytes, b->local.bytes, 16)) != 0 ||
	    (c = CMP(a->lport, b->lport)) != 0 ||
	    (c = CMP(a->remote.family, b->remote.family)) != 0 ||
	    (c = memcmp(a->remote.bytes, b->remote.bytes, 16)) != 0 ||
	    (c = CMP(a->rport, b->rport)) != 0 ||
	    (c = CMP(a->state, b->state)) != 0 ||
	    (c = CMP(a->inode, b->inode)) != 0)
		return c;
	return CMP(a->cookie, b->cookie);
}

/* Records: the keys, then the default order; all of it times dir. */
static int
group_sock_cmp(const struct sort_ctx *ctx, const struct ct_sock *a,
    const struct ct_sock *b)
{
	int c = 0;

	if (ctx->keys != NULL && ctx->keys->n > 0)
		c = fields_cmp_cols(ctx->snap, ctx->keys, a, b);
	if (c == 0)
		c = group_cmp_default(a, b);
	return c * ctx->dir;
}

static int
group_row_cmp(const void *x, const void *y, void *arg)
{
	return group_sock_cmp(arg, ((const struct ct_group *)x)->first,
	    ((const struct ct_group *)y)->first);
}

static int
group_ptr_cmp(const void *x, const void *y, void *arg)
{
	return group_sock_cmp(arg, *(const struct ct_sock *const *)x,
	    *(const struct ct_sock *const *)y);
}

/*
 * A sort key on folded rows: the totals for the summed fields, the value
 * of the first record for a key field (equal in the whole group).
 */
static int
group_key_cmp(const struct ct_snap *snap, const struct ct_col *k,
    const struct ct_group *a, const struct ct_group *b)
{
	const struct ct_field *f;

	switch (k->id) {
	case CT_F_COUNT:
		return CMP(a->count, b->count);
	case CT_F_RECVQ:
		return CMP(a->rq, b->rq);
	case CT_F_SENDQ:
		return CMP(a->wq, b->wq);
	case CT_F_BYTES_SENT:
		return CMP(a->bytes_out, b->bytes_out);
	case CT_F_BYTES_RECV:
		return CMP(a->bytes_in, b->bytes_in);
	default:
		f = fields_get(k->id);
		return f->cmp != NULL ? f->cmp(snap, a->first, b->first,
		    k->prefix) : 0;
	}
}

/* Groups: --sort keys, then largest count first, then the group key. */
static int
group_count_cmp(const void *x, const void *y, void *arg)
{
	const struct ct_group *a = x, *b = y;
	const struct sort_ctx *ctx = arg;
	size_t i;
	int c = 0;

	for (i = 0; c == 0 && ctx->keys != NULL && i < ctx->keys->n; i++)
		c = group_key_cmp(ctx->snap, &ctx->keys->v[i], a, b);
	if (c == 0)
		c = CMP(b->count, a->count);
	if (c == 0)
		c = fields_cmp_cols(ctx->snap, ctx->group, a->first, b->first);
	return c * ctx->dir;
}

void
group_row_set(struct ct_group *g, const struct ct_snap *snap,
    const struct ct_sock *s)
{
	const struct ct_tcpinfo *ti = sock_info(&snap->socks, s);

	memset(g, 0, sizeof(*g));
	g->first = s;
	g->count = 1;
	g->rq = s->rqueue;
	g->wq = s->wqueue;
	if (ti != NULL) {
		g->bytes_in = ti->bytes_received;
		g->bytes_out = ti->bytes_acked;
	}
}

static void
group_row_add(struct ct_group *acc, const struct ct_group *g)
{
	acc->count += g->count;
	acc->rq += g->rq;
	acc->wq += g->wq;
	acc->bytes_in += g->bytes_in;
	acc->bytes_out += g->bytes_out;
}

void
group_table_select(const struct ct_snap *snap, const struct ct_filter *f,
    struct ct_table *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->rows = xcalloc(snap->socks.len, sizeof(*out->rows));
	for (i = 0; i < snap->socks.len; i++) {
		const struct ct_sock *s = &snap->socks.v[i];

		if (filter_match(f, snap, s))
			group_row_set(&out->rows[out->nrows++], snap, s);
	}
}

void
group_table_fold(const struct ct_snap *snap, const struct ct_cols *keys,
    int dir, bool fold, struct ct_table *t)
{
	struct sort_ctx ctx = { snap, keys, NULL, dir };
	size_t i, n = 0;

	qsort_r(t->rows, t->nrows, sizeof(*t->rows), group_row_cmp, &ctx);
	if (!fold)
		return;
	for (i = 0; i < t->nrows; i++) {
		if (n > 0 && fields_cmp_cols(snap, keys, t->rows[n - 1].first,
		    t->rows[i].first) == 0)
			group_row_add(&t->rows[n - 1], &t->rows[i]);
		else
			t->rows[n++] = t->rows[i];
	}
	t->nrows = n;
	t->grouped = 1;
}

/* ---- the default order, fast ---------------------------------------- */

/*
 * qsort_r() in the default order through group_row_cmp() was a quarter of
 * conntab -P's time at 200,000 records: every comparison chased two
 * pointers into the record array and called memcmp() twice. Instead each
 * record gets its default-order key packed in one 128-bit number, k0 the
 * high half and k1 the low one, from the most significant bit:
 *   proto:2 family:1 laddr:32 lport:16 raddr:32 rport:16 state:4 idx:25
 * proto is 1 for TCP and 2 for UDP, family 0 for inet and 1 for inet6;
 * an IPv6 address does not fit, so it is replaced by its rank among the
 * distinct IPv6 addresses of the snapshot (there are few: a host's own,
 * and one per client). The remote family is the local one. A record
 * that does not fit (another protocol or family, mixed families, a
 * state past 15, IPv4 bytes past the fourth) sends the whole table down
 * the general path. idx is the record's index in snap->socks; keys equal
 * but for it (only inode and cookie differ) are ordered by
 * group_cmp_default(), which therefore decides the order exactly.
 */
struct sort_key {
	uint64_t	 k0, k1;
};

#define KEY_IDX_BITS	25
#define KEY_IDX_MAX	(1u << KEY_IDX_BITS)
/* Where each field starts, counting from the least significant bit. */
#define KEY_STATE	KEY_IDX_BITS
#define KEY_RPORT	(KEY_STATE + 4)
#define KEY_RADDR	(KEY_RPORT + 16)
#define KEY_LPORT	(KEY_RADDR + 32)
#define KEY_LADDR	(KEY_LPORT + 16)
#define KEY_FAMILY	(KEY_LADDR + 32)
#define KEY_PROTO	(KEY_FAMILY + 1)

/* Bits [pos, pos + len) of the key (0 < len <= 32). */
static inline uint64_t
key_get(const struct sort_key *k, unsigned pos, unsigned len)
{
	uint64_t w;

	if (pos >= 64)
		w = k->k0 >> (pos - 64);
	else if (pos + len <= 64)
		w = k->k1 >> pos;
	else
		w = k->k1 >> pos | k->k0 << (64 - pos);
	return w & ((1ull << len) - 1);
}

/* Set bits [pos, pos + len) of the key to v (0 < len <= 32, v < 2^len). */
static inline void
key_set(struct sort_key *k, unsigned pos, unsigned len, uint64_t v)
{
	uint64_t mask = (1ull << len) - 1;

	if (pos >= 64) {
		k->k0 = (k->k0 & ~(mask << (pos - 64))) | v << (pos - 64);
		return;
	}
	k->k1 = (k->k1 & ~(mask << pos)) | v << pos;
	if (pos + len > 64)
		k->k0 = (k->k0 & ~(mask >> (64 - pos))) | v >> (64 - pos);
}

static inline uint32_t
key_idx(const struct sort_key *k)
{
	return (uint32_t)(k->k1 & (KEY_IDX_MAX - 1));
}

/* Equal but for the record index? */
static inline bool
key_same(const struct sort_key *a, const struct sort_key *b)
{
	return a->k0 == b->k0 && (a->k1 ^ b->k1) >> KEY_IDX_BITS == 0;
}

static inline bool
key_less(const struct sort_key *a, const struct sort_key *b,
    const struct ct_sock *v)
{
	if (a->k0 != b->k0)
		return a->k0 < b->k0;
	if (a->k1 >> KEY_IDX_BITS != b->k1 >> KEY_IDX_BITS)
		return a->k1 >> KEY_IDX_BITS < b->k1 >> KEY_IDX_BITS;
	return group_cmp_default(&v[key_idx(a)], &v[key_idx(b)]) < 0;
}

static inline void
key_swap(struct sort_key *a, struct sort_key *b)
{
	struct sort_key t = *a;

	*a = *b;
	*b = t;
}

static void
key_sift(struct sort_key *a, size_t root, size_t n, const struct ct_sock *v)
{
	size_t child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && key_less(&a[child], &a[child + 1], v))
			child++;
		if (!key_less(&a[root], &a[child], v))
			return;
		key_swap(&a[root], &a[child]);
		root = child;
	}
}

/* Introsort: quicksort, heapsort when it degenerates, insertion at the end. */
static void
key_sort(struct sort_key *a, size_t n, const struct ct_sock *v, int depth)
{
	size_t i, j, lo, hi;

	while (n > 16) {
		if (depth-- == 0) {
			for (i = n / 2; i-- > 0; )
				key_sift(a, i, n, v);
			for (i = n; --i > 0; ) {
				key_swap(&a[0], &a[i]);
				key_sift(a, 0, i, v);
			}
			return;
		}
		/* median of three into a[0], the pivot */
		i = n / 2;
		if (key_less(&a[i], &a[0], v))
			key_swap(&a[i], &a[0]);
		if (key_less(&a[n - 1], &a[i], v)) {
			key_swap(&a[n - 1], &a[i]);
			if (key_less(&a[i], &a[0], v))
				key_swap(&a[i], &a[0]);
		}
		key_swap(&a[0], &a[i]);
		/* Hoare partition; a[n - 1] >= pivot stops the first scan */
		lo = 0;
		hi = n;
		for (;;) {
			while (key_less(&a[++lo], &a[0], v))
				;
			while (key_less(&a[0], &a[--hi], v))
				;
			if (lo >= hi)
				break;
			key_swap(&a[lo], &a[hi]);
		}
		key_swap(&a[0], &a[hi]);
		/* recurse into the smaller side, loop on the larger */
		if (hi < n - hi - 1) {
			key_sort(a, hi, v, depth);
			a += hi + 1;
			n -= hi + 1;
		} else {
			key_sort(a + hi + 1, n - hi - 1, v, depth);
			n = hi;
		}
	}
	for (i = 1; i < n; i++) {
		struct sort_key t = a[i];

		for (j = i; j > 0 && key_less(&t, &a[j - 1], v); j--)
			a[j] = a[j - 1];
		a[j] = t;
	}
}

/*
 * Radix sort on the key above the record index: 12 bits at a time from
 * the least significant, each pass a counting scatter with no branch on
 * the data, where quicksort mispredicts about one comparison in two (its
 * 18 ms were the largest part of conntab -P's grouping stage at 200,000
 * records). Digits on which every key agrees are skipped. The sort is
 * stable: keys equal but for the index stay in record order, which
 * key_order_ties() then makes group_cmp_default()'s.
 */
#define RADIX_BITS	12		/* 11 and 13 did no better */
#define RADIX_SIZE	(1u << RADIX_BITS)
#define RADIX_DIGITS	((128 - KEY_IDX_BITS + RADIX_BITS - 1) / RADIX_BITS)
/* Below this many keys the passes cost more than they save. */
#define RADIX_MIN	4096

/* Digit d (0 = least significant) of the key above the index. */
static inline unsigned
key_digit(const struct sort_key *k, unsigned d)
{
	unsigned pos = KEY_IDX_BITS + d * RADIX_BITS;

	/* the top digit is short: there are no bits past 127 */
	return (unsigned)key_get(k, pos, pos + RADIX_BITS > 128 ? 128 - pos :
	    RADIX_BITS);
}

/*
 * Sort a[0..n) on the key above the index, stable, with tmp (room for n
 * keys) as the other half of each pass; the result ends in a.
 */
static void
key_radix(struct sort_key *a, struct sort_key *tmp, size_t n)
{
	uint32_t (*count)[RADIX_SIZE] = xcalloc(RADIX_DIGITS, sizeof(*count));
	struct sort_key *src = a, *dst = tmp, *t, diff = { 0, 0 };
	unsigned d, c;
	size_t i;

	/* every digit's counts in one read, and which digits vary at all */
	for (i = 0; i < n; i++) {
		diff.k0 |= a[i].k0 ^ a[0].k0;
		diff.k1 |= a[i].k1 ^ a[0].k1;
		for (d = 0; d < RADIX_DIGITS; d++)
			count[d][key_digit(&a[i], d)]++;
	}
	for (d = 0; d < RADIX_DIGITS; d++) {
		unsigned pos = KEY_IDX_BITS + d * RADIX_BITS;
		uint32_t *at = count[d], sum = 0, x;

		if (key_digit(&diff, d) == 0)
			continue;		/* every key has the same digit */
		for (c = 0; c < RADIX_SIZE; c++) {
			x = at[c];
			at[c] = sum;
			sum += x;
		}
		/* the digit's place, decided once per pass, not per key */
		if (pos >= 64) {
			for (i = 0; i < n; i++)
				dst[at[(src[i].k0 >> (pos - 64)) & (RADIX_SIZE - 1)]++] =
				    src[i];
		} else if (pos + RADIX_BITS <= 64) {
			for (i = 0; i < n; i++)
				dst[at[(src[i].k1 >> pos) & (RADIX_SIZE - 1)]++] = src[i];
		} else {
			for (i = 0; i < n; i++)
				dst[at[key_digit(&src[i], d)]++] = src[i];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
	free(count);
}

/* Runs of keys equal but for the index into group_cmp_default() order. */
static void
key_order_ties(struct sort_key *a, size_t n, const struct ct_sock *v)
{
	size_t i, j, m;
	int depth;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && key_same(&a[j], &a[i]); j++)
			;
		if (j - i < 2)
			continue;
		for (depth = 0, m = j - i; m > 0; m >>= 1)
			depth += 2;
		key_sort(a + i, j - i, v, depth);
	}
}

/*
 * The distinct IPv6 addresses of the keys, interned as the records go by
 * (a table that doubles when half full: a host has few of them), then
 * ranked.
 */
struct v6_rank {
	uint32_t	*slot;		/* 1 + index into addr; 0 = empty */
	size_t		 mask;		/* slots - 1; 0 before the first */
	uint8_t		(*addr)[16];	/* distinct addresses, first seen first */
	uint32_t	*rank;		/* distinct index -> rank */
	size_t		 n, cap;	/* addresses, room for them */
};

static size_t
v6_hash(const uint8_t *b, size_t mask)
{
	uint64_t x, y;

	memcpy(&x, b, 8);
	memcpy(&y, b + 8, 8);
	x = (x ^ (y * 0x9e3779b97f4a7c15u)) * 0xff51afd7ed558ccdu;
	return (size_t)(x ^ (x >> 29)) & mask;
}

/* Twice the slots (64 at first), the addresses hashed anew. */
static void
v6_grow(struct v6_rank *r)
{
	size_t slots = r->mask == 0 ? 64 : 2 * (r->mask + 1), i, pos;

	free(r->slot);
	r->slot = xcalloc(slots, sizeof(*r->slot));
	r->mask = slots - 1;
	for (i = 0; i < r->n; i++) {
		for (pos = v6_hash(r->addr[i], r->mask); r->slot[pos] != 0;
		    pos = (pos + 1) & r->mask)
			;
		r->slot[pos] = (uint32_t)i + 1;
	}
}

/* The distinct index of an IPv6 address, added when new. */
static uint32_t
v6_intern(struct v6_rank *r, const uint8_t *b)
{
	size_t pos;

	if (2 * (r->n + 1) > r->mask + 1)	/* at most half full */
		v6_grow(r);
	for (pos = v6_hash(b, r->mask); r->slot[pos] != 0;
	    pos = (pos + 1) & r->mask)
		if (memcmp(r->addr[r->slot[pos] - 1], b, 16) == 0)
			return r->slot[pos] - 1;
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 64 : 2 * r->cap;
		r->addr = xreallocarray(r->addr, r->cap, sizeof(*r->addr));
	}
	memcpy(r->addr[r->n], b, 16);
	r->slot[pos] = (uint32_t)++r->n;
	return (uint32_t)(r->n - 1);
}

static int
v6_cmp(const void *x, const void *y, void *arg)
{
	const uint8_t (*addr)[16] = arg;

	return memcmp(addr[*(const uint32_t *)x], addr[*(const uint32_t *)y], 16);
}

/* After every v6_intern(): rank[i] orders the distinct addresses. */
static void
v6_rank_finish(struct v6_rank *r)
{
	uint32_t *order = xcalloc(r->n + 1, sizeof(*order));
	size_t i;

	for (i = 0; i < r->n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, r->n, sizeof(*order), v6_cmp, r->addr);
	r->rank = xcalloc(r->n + 1, sizeof(*r->rank));
	for (i = 0; i < r->n; i++)
		r->rank[order[i]] = (uint32_t)i;
	free(order);
}

static bool
addr_tail_zero(const struct ct_addr *a)
{
	static const uint8_t zero[12];

	return memcmp(a->bytes + 4, zero, 12) == 0;
}

/* The key of record idx, s, with addresses la and ra (IPv6: for now). */
static void
key_pack(struct sort_key *k, const struct ct_sock *s, uint32_t idx,
    uint64_t la, uint64_t ra)
{
	k->k0 = (s->proto == IPPROTO_TCP ? 1ull : 2ull) << (KEY_PROTO - 64) |
	    (uint64_t)(s->local.family == AF_INET6) << (KEY_FAMILY - 64) |
	    la << (KEY_LADDR - 64) | (uint64_t)s->lport << (KEY_LPORT - 64) |
	    ra >> (64 - KEY_RADDR);
	k->k1 = ra << KEY_RADDR | (uint64_t)s->rport << KEY_RPORT |
	    (uint64_t)s->state << KEY_STATE | idx;
}

static uint64_t
addr_ipv4(const struct ct_addr *a)
{
	return (uint64_t)a->bytes[0] << 24 | (uint64_t)a->bytes[1] << 16 |
	    (uint64_t)a->bytes[2] << 8 | a->bytes[3];
}

/*
 * The keys of the records f matches, or false when one of them does not
 * fit the packing: then the caller takes the general path. Each record
 * is read once, in array order: an IPv6 one is keyed with its
 * addresses' distinct indexes, which their ranks replace at the end
 * (reading the records again, scattered, cost more than the rest).
 */
static bool
keys_build(const struct ct_snap *snap, const struct ct_filter *f,
    struct sort_key *keys, size_t *nkeys)
{
	const struct ct_sock *v = snap->socks.v;
	struct v6_rank r = { 0 };
	size_t i, n = 0;
	bool ok = snap->socks.len < KEY_IDX_MAX;

	for (i = 0; ok && i < snap->socks.len; i++) {
		const struct ct_sock *s = &v[i];

		if (f != NULL && !filter_match(f, snap, s))
			continue;
		if (s->local.family != s->remote.family || s->state > 15 ||
		    (s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP)) {
			ok = false;
			break;
		}
		if (s->local.family == AF_INET6) {
			key_pack(&keys[n++], s, (uint32_t)i,
			    v6_intern(&r, s->local.bytes),
			    v6_intern(&r, s->remote.bytes));
			continue;
		}
		if (s->local.family != AF_INET || !addr_tail_zero(&s->local) ||
		    !addr_tail_zero(&s->remote)) {
			ok = false;
			break;
		}
		key_pack(&keys[n++], s, (uint32_t)i, addr_ipv4(&s->local),
		    addr_ipv4(&s->remote));
	}
	*nkeys = n;
	if (ok && r.n > 0) {
		v6_rank_finish(&r);
		for (i = 0; i < n; i++) {
			struct sort_key *k = &keys[i];

			if (!key_get(k, KEY_FAMILY, 1))
				continue;
			key_set(k, KEY_LADDR, 32, r.rank[key_get(k, KEY_LADDR, 32)]);
			key_set(k, KEY_RADDR, 32, r.rank[key_get(k, KEY_RADDR, 32)]);
		}
	}
	free(r.slot);
	free(r.addr);
	free(r.rank);
	return ok;
}

/*
 * The records f matches in the default order, dir 1 or -1, as a table
 * without rows (see struct ct_table). The keys (16 bytes each) are sorted
 * at the start of one array, the radix sort's other half right after
 * them, and the order of the records is then written over the keys, four
 * bytes for each sixteen, front to back. Rows (64 bytes each) would
 * double the pages: 12.9 MiB against 6.4 at 200,000 records, and a page
 * fault costs more than making a row afresh each time a renderer reads
 * one.
 */
static bool
group_table_default(const struct ct_snap *snap, const struct ct_filter *f,
    int dir, struct ct_table *out)
{
	size_t len = snap->socks.len + 1, i, n;
	struct sort_key *keys = xcalloc(len, 2 * sizeof(*keys));
	const struct ct_sock *v = snap->socks.v;
	uint32_t *order, t;
	int depth = 0;

	/* every page is written (keys, sort): faulted in at once, not one by one */
	if (f == NULL)
		util_prefault(keys, len * 2 * sizeof(*keys));
	if (!keys_build(snap, f, keys, &n)) {
		free(keys);
		return false;
	}
	if (n >= RADIX_MIN) {
		key_radix(keys, keys + n, n);
		key_order_ties(keys, n, v);
	} else {
		for (i = n; i > 0; i >>= 1)
			depth += 2;
		key_sort(keys, n, v, depth);
	}
	order = (uint32_t *)(void *)keys;
	for (i = 0; i < n; i++)
		order[i] = key_idx(&keys[i]);	/* read before it is written over */
	for (i = 0; dir < 0 && i < n / 2; i++) {
		t = order[i];
		order[i] = order[n - 1 - i];
		order[n - 1 - i] = t;
	}
	memset(out, 0, sizeof(*out));
	out->order = order;
	out->nrows = n;
	return true;
}

/* ---- -g by hashing ---------------------------------------------------- */

/*
 * Folding by sorting every record on the -g key cost conntab -g raddr
 * more than the whole plain listing at 200,000 records (each comparison
 * reaching into the record array). Instead each record is hashed on the
 * text of its key fields, and equal keys, as fields_cmp_cols() decides,
 * meet in one table slot; each group keeps its first record in the
 * default order, which is the one the sorting fold kept. Only the groups
 * are sorted.
 *
 * The text hash is sound when records the comparator calls equal print
 * alike. Two fields break that at the edges, and fold by sorting: rport
 * (0 prints "*" on an unconnected socket only) and process (it compares
 * descriptors, prints processes).
 */
static bool
group_hash_ok(const struct ct_cols *keys)
{
	size_t i;

	for (i = 0; i < keys->n; i++)
		if (keys->v[i].id == CT_F_RPORT || keys->v[i].id == CT_F_PROCESS)
			return false;
	return true;
}

/* FNV-1a over the key fields' text, each ended by a NUL. */
static uint64_t
group_hash_key(const struct ct_snap *snap, const struct ct_cols *keys,
    const struct ct_group *g, struct ct_fmt_memo *memo)
{
	uint64_t h = 0xcbf29ce484222325u;
	char cell[CT_CELL_MAX];
	size_t i, j, len;

	for (i = 0; i < keys->n; i++) {
		bool is_null = false;

		len = fields_get(keys->v[i].id)->fmt(snap, g, keys->v[i].prefix,
		    cell, &is_null, &memo[i]);
		for (j = 0; j <= len; j++)
			h = (h ^ (uint8_t)cell[j]) * 0x100000001b3u;
	}
	return h;
}

static void
group_table_hash(const struct ct_snap *snap, const struct ct_opts *o,
    struct ct_table *out)
{
	const struct ct_cols *keys = &o->group;
	struct ct_fmt_memo memo[CT_COLS_MAX];
	size_t i, pos, cap = 16, n = snap->socks.len;
	uint32_t *slot;
	uint64_t *hash;

	while (cap < 2 * n)
		cap <<= 1;
	/* sized for one group per record; pages never used stay unmapped */
	slot = xcalloc(cap, sizeof(*slot));	/* 1 + group; 0 = empty */
	hash = xcalloc(n + 1, sizeof(*hash));
	memset(out, 0, sizeof(*out));
	memset(memo, 0, sizeof(memo));
	out->rows = xcalloc(n + 1, sizeof(*out->rows));
	for (i = 0; i < n; i++) {
		const struct ct_sock *s = &snap->socks.v[i];
		struct ct_group one, *g;
		uint64_t h;

		if (!filter_match(o->filter, snap, s))
			continue;
		group_row_set(&one, snap, s);
		h = group_hash_key(snap, keys, &one, memo);
		for (pos = h & (cap - 1); slot[pos] != 0; pos = (pos + 1) & (cap - 1)) {
			g = &out->rows[slot[pos] - 1];
			if (hash[slot[pos] - 1] == h &&
			    fields_cmp_cols(snap, keys, g->first, s) == 0)
				break;
		}
		if (slot[pos] == 0) {
			hash[out->nrows] = h;
			out->rows[out->nrows] = one;
			slot[pos] = (uint32_t)++out->nrows;
			continue;
		}
		g = &out->rows[slot[pos] - 1];
		group_row_add(g, &one);
		if (group_cmp_default(s, g->first) < 0)
			g->first = s;
	}
	out->grouped = 1;
	free(hash);
	free(slot);
}

int
group_table_build(const struct ct_snap *snap, const struct ct_opts *o,
    struct ct_table *out)
{
	struct sort_ctx ctx = { snap, &o->sort, &o->group, o->reverse ? -1 : 1 };

	if (o->group.n == 0 && o->sort.n == 0 &&
	    group_table_default(snap, o->filter, ctx.dir, out))
		return 0;
	if (o->group.n > 0 && group_hash_ok(&o->group)) {
		group_table_hash(snap, o, out);
		qsort_r(out->rows, out->nrows, sizeof(*out->rows),
		    group_count_cmp, &ctx);
		return 0;
	}
	group_table_select(snap, o->filter, out);
	if (o->group.n == 0) {
		group_table_fold(snap, &o->sort, ctx.dir, false, out);
		return 0;
	}
	/*
	 * Sort by the key, then the default order, so that each group's
	 * first record (shown for fields outside the key) is the same from
	 * run to run; then order the groups.
	 */
	group_table_fold(snap, &o->group, 1, true, out);
	qsort_r(out->rows, out->nrows, sizeof(*out->rows), group_count_cmp, &ctx);
	return 0;
}

const struct ct_group *
group_table_row(const struct ct_snap *snap, const struct ct_table *t, size_t i,
    struct ct_group *tmp)
{
	if (t->rows != NULL)
		return &t->rows[i];
	group_row_set(tmp, snap, &snap->socks.v[t->order[i]]);
	return tmp;
}

const struct ct_sock *
group_table_first(const struct ct_snap *snap, const struct ct_table *t,
    size_t i)
{
	return t->rows != NULL ? t->rows[i].first : &snap->socks.v[t->order[i]];
}

void
group_table_free(struct ct_table *t)
{
	if (t == NULL)
		return;
	free(t->rows);
	free(t->order);
	t->rows = NULL;
	t->order = NULL;
	t->nrows = 0;
}

/* ---- the listener tree ----------------------------------------------- */

struct tree_ctx {
	struct sort_ctx	 sort;
	const struct ct_sock *const *lst;	/* listeners, group by group */
	const size_t	*gstart;		/* group -> first index in lst */
};

/* Listeners: SO_REUSEPORT group together, then the default order. */
static int
tree_lst_cmp(const void *x, const void *y)
{
	const struct ct_sock *a = *(const struct ct_sock *const *)x;
	const struct ct_sock *b = *(const struct ct_sock *const *)y;
	int c = listener_cmp_group(a, b);

	return c != 0 ? c : group_cmp_default(a, b);
}

/* Groups in the order of their first members. */
static int
tree_group_cmp(const void *x, const void *y, void *arg)
{
	const struct tree_ctx *t = arg;

	return group_sock_cmp(&t->sort, t->lst[t->gstart[*(const size_t *)x]],
	    t->lst[t->gstart[*(const size_t *)y]]);
}

static int
tree_dest_cmp(const struct ct_sock *a, const struct ct_sock *b)
{
	int c;

	if ((c = CMP(a->proto, b->proto)) != 0 ||
	    (c = CMP(a->remote.family, b->remote.family)) != 0 ||
	    (c = memcmp(a->remote.bytes, b->remote.bytes, 16)) != 0)
		return c;
	return CMP(a->rport, b->rport);
}

/* Connections without a listener: by destination, then as asked. */
static int
tree_rest_cmp(const void *x, const void *y, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct ct_sock *a = *(const struct ct_sock *const *)x;
	const struct ct_sock *b = *(const struct ct_sock *const *)y;
	int c = tree_dest_cmp(a, b) * ctx->dir;

	return c != 0 ? c : group_sock_cmp(ctx, a, b);
}

static int
tree_addr_cmp(const void *x, const void *y)
{
	const struct ct_sock *a = *(const struct ct_sock *const *)x;
	const struct ct_sock *b = *(const struct ct_sock *const *)y;
	int c = CMP(a->remote.family, b->remote.family);

	return c != 0 ? c : memcmp(a->remote.bytes, b->remote.bytes, 16);
}

/* Distinct remote addresses of v[0..n); reorders v. */
static uint32_t
tree_count_clients(const struct ct_sock **v, size_t n)
{
	uint32_t k = 0;
	size_t i;

	qsort(v, n, sizeof(*v), tree_addr_cmp);
	for (i = 0; i < n; i++)
		if (i == 0 || tree_addr_cmp(&v[i - 1], &v[i]) != 0)
			k++;
	return k;
}

/* Append the connections v[0..n) as rows of node nd, with the totals. */
static void
tree_add_conns(const struct ct_snap *snap, struct ct_tree *t,
    struct ct_tree_node *nd, const struct ct_sock **v, size_t n,
    const struct ct_sock **scratch)
{
	size_t i;

	nd->conns = t->nrows;
	nd->nconns = n;
	for (i = 0; i < n; i++) {
		struct ct_group *g = &t->rows[t->nrows++];

		group_row_set(g, snap, v[i]);
		nd->head.count++;
		nd->head.bytes_in += g->bytes_in;
		nd->head.bytes_out += g->bytes_out;
		scratch[i] = v[i];
	}
	nd->head.clients = tree_count_clients(scratch, n);
}

int
group_tree_build(const struct ct_snap *snap, const struct ct_opts *o,
    struct ct_tree *out)
{
	const struct ct_sock *v = snap->socks.v;
	size_t n = snap->socks.len, nl = 0, ng = 0, nshown = 0, nrest = 0;
	size_t i, j, g, *gstart, *gorder, *cstart;
	const struct ct_sock **lst, **conn, **rest, **scratch;
	uint32_t *gof;
	bool *match, *shown;
	struct tree_ctx tc;

	memset(out, 0, sizeof(*out));
	match = xcalloc(n, sizeof(*match));
	gof = xcalloc(n, sizeof(*gof));
	lst = xcalloc(n, sizeof(*lst));
	for (i = 0; i < n; i++) {
		match[i] = filter_match(o->filter, snap, &v[i]);
		if (listener_is(&v[i]))
			lst[nl++] = &v[i];
	}
	/* listeners into SO_REUSEPORT groups: gof[record] = 1 + group */
	qsort(lst, nl, sizeof(*lst), tree_lst_cmp);
	gstart = xcalloc(nl + 1, sizeof(*gstart));
	for (i = 0; i < nl; i++) {
		if (i == 0 || listener_cmp_group(lst[i - 1], lst[i]) != 0)
			gstart[ng++] = i;
		gof[lst[i] - v] = (uint32_t)ng;
	}
	gstart[ng] = nl;
	shown = xcalloc(ng + 1, sizeof(*shown));
	cstart = xcalloc(ng + 2, sizeof(*cstart));
	for (i = 0; i < nl; i++)
		if (match[lst[i] - v])
			shown[gof[lst[i] - v] - 1] = true;
	/* count the matching connections per group (cstart[g + 2]) */
	for (i = 0; i < n; i++) {
		if (!match[i] || listener_is(&v[i]))
			continue;
		if (v[i].listener != 0 && v[i].listener <= n &&
		    (g = gof[v[i].listener - 1]) != 0) {
			cstart[g + 1]++;
			shown[g - 1] = true;
		} else {
			nrest++;
		}
	}
	for (g = 0; g < ng; g++)
		cstart[g + 2] += cstart[g + 1];
	/* bucket them: group g's connections are conn[cstart[g]...] */
	conn = xcalloc(n, sizeof(*conn));
	rest = xcalloc(nrest, sizeof(*rest));
	scratch = xcalloc(n, sizeof(*scratch));
	nrest = 0;
	for (i = 0; i < n; i++) {
		if (!match[i] || listener_is(&v[i]))
			continue;
		if (v[i].listener != 0 && v[i].listener <= n &&
		    (g = gof[v[i].listener - 1]) != 0)
			conn[cstart[g]++] = &v[i];
		else
			rest[nrest++] = &v[i];
	}
	/* now cstart[k] and cstart[k + 1] bound group k (0-based) */

	tc.sort = (struct sort_ctx){ snap, &o->sort, NULL, o->reverse ? -1 : 1 };
	tc.lst = lst;
	tc.gstart = gstart;
	gorder = xcalloc(ng, sizeof(*gorder));
	for (g = 0; g < ng; g++)
		if (shown[g])
			gorder[nshown++] = g;
	qsort_r(gorder, nshown, sizeof(*gorder), tree_group_cmp, &tc);
	qsort_r(rest, nrest, sizeof(*rest), tree_rest_cmp, &tc.sort);
	for (i = 0, j = 0; i < nrest; i++)
		if (i == 0 || tree_dest_cmp(rest[i - 1], rest[i]) != 0)
			j++;

	out->rows = xcalloc(n, sizeof(*out->rows));
	out->nodes = xcalloc(nshown + j, sizeof(*out->nodes));
	for (i = 0; i < nshown; i++) {
		struct ct_tree_node *nd = &out->nodes[out->nnodes++];
		size_t cs, cn;

		g = gorder[i];
		cs = cstart[g];
		cn = cstart[g + 1] - cs;
		nd->head.first = lst[gstart[g]];
		nd->head.has = CT_G_LISTENER;
		nd->members = out->nrows;
		for (j = gstart[g]; j < gstart[g + 1]; j++) {
			const struct ct_sock *m = lst[j];

			group_row_set(&out->rows[out->nrows++], snap, m);
			nd->nmembers++;
			nd->head.rq += m->rqueue;
			nd->head.wq += m->wqueue;
			/* an accept queue more than half full, in any member */
			if (m->proto == IPPROTO_TCP && m->rqueue > 0 &&
			    (uint64_t)m->rqueue * 2 > m->wqueue)
				nd->head.high = true;
		}
		qsort_r(conn + cs, cn, sizeof(*conn), group_ptr_cmp, &tc.sort);
		tree_add_conns(snap, out, nd, conn + cs, cn, scratch);
	}
	out->nlisteners = out->nnodes;
	for (i = 0; i < nrest; i = j) {
		struct ct_tree_node *nd = &out->nodes[out->nnodes++];

		for (j = i + 1; j < nrest && tree_dest_cmp(rest[i], rest[j]) == 0; j++)
			continue;
		nd->head.first = rest[i];
		tree_add_conns(snap, out, nd, rest + i, j - i, scratch);
		for (g = i; g < j; g++) {
			nd->head.rq += rest[g]->rqueue;
			nd->head.wq += rest[g]->wqueue;
		}
	}
	free(gorder);
	free(scratch);
	free(rest);
	free(conn);
	free(cstart);
	free(shown);
	free(gstart);
	free(lst);
	free(gof);
	free(match);
	return 0;
}

void
group_tree_free(struct ct_tree *t)
{
	if (t == NULL)
		return;
	free(t->nodes);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}
