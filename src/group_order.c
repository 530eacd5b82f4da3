/*
 * The default order of records, fast: the sort behind every plain
 * listing (conntab, conntab -P), packed into 128-bit keys and radix-sorted.
 */
#include "group_order.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

#define CMP(a, b)	(((a) > (b)) - ((a) < (b)))

/*
 * The default order, written out rather than looked up field by field:
 * it runs some 3.5 million times for 200,000 records.
 */
int
group_cmp_default(const struct ct_sock *a, const struct ct_sock *b)
{
	int c;

	if ((c = CMP(a->netns, b->netns)) != 0 ||
	    (c = CMP(a->proto, b->proto)) != 0 ||
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
	const struct ct_view view = snap_view(snap);
	const struct ct_sock *v = snap->socks.v;
	struct v6_rank r = { 0 };
	size_t i, n = 0;
	bool ok = snap->socks.len < KEY_IDX_MAX;

	for (i = 0; ok && i < snap->socks.len; i++) {
		const struct ct_sock *s = &v[i];

		if (f != NULL && !filter_match(f, &view, s))
			continue;
		/*
		 * The key has no room for the namespace: each namespace's
		 * records are sorted on their own, so they must come
		 * together, in ascending order (the snapshot dumps them so).
		 */
		if (n > 0 && s->netns < v[key_idx(&keys[n - 1])].netns) {
			ok = false;
			break;
		}
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

/* Sort keys[0..n) (tmp: room for n more) in the default order. */
static void
keys_sort(struct sort_key *keys, struct sort_key *tmp, size_t n,
    const struct ct_sock *v)
{
	size_t i;
	int depth = 0;

	if (n >= RADIX_MIN) {
		key_radix(keys, tmp, n);
		key_order_ties(keys, n, v);
	} else {
		for (i = n; i > 0; i >>= 1)
			depth += 2;
		key_sort(keys, n, v, depth);
	}
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
bool
group_order_default(const struct ct_snap *snap, const struct ct_filter *f,
    int dir, uint32_t **order_out, size_t *n_out)
{
	size_t len = snap->socks.len + 1, i, n;
	struct sort_key *keys = xcalloc(len, 2 * sizeof(*keys));
	const struct ct_sock *v = snap->socks.v;
	uint32_t *order, t;
	size_t a, b;

	/* every page is written (keys, sort): faulted in at once, not one by one */
	if (f == NULL)
		util_prefault(keys, len * 2 * sizeof(*keys));
	if (!keys_build(snap, f, keys, &n)) {
		free(keys);
		return false;
	}
	/* namespace by namespace: the namespace comes first in the order */
	for (a = 0; a < n; a = b) {
		for (b = a + 1; b < n && v[key_idx(&keys[b])].netns ==
		    v[key_idx(&keys[a])].netns; b++)
			;
		keys_sort(keys + a, keys + n, b - a, v);
	}
	order = (uint32_t *)(void *)keys;
	for (i = 0; i < n; i++)
		order[i] = key_idx(&keys[i]);	/* read before it is written over */
	for (i = 0; dir < 0 && i < n / 2; i++) {
		t = order[i];
		order[i] = order[n - 1 - i];
		order[n - 1 - i] = t;
	}
	*order_out = order;
	*n_out = n;
	return true;
}
