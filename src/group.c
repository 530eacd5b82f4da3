/*
 * The grouping layer: the records that match the filter, in a total order
 * (the default order's fast path is group_order.c), or folded into groups
 * by the -g fields and counted. The listener tree (-T) is group_tree.c.
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

int
group_sock_cmp(const struct ct_order *ctx, const struct ct_sock *a,
    const struct ct_sock *b)
{
	int c = 0;

	if (ctx->keys != NULL && ctx->keys->n > 0)
		c = fields_cmp_cols(ctx->view, ctx->keys, a, b);
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

int
group_sock_ptr_cmp(const void *x, const void *y, void *arg)
{
	return group_sock_cmp(arg, *(const struct ct_sock *const *)x,
	    *(const struct ct_sock *const *)y);
}

/*
 * A sort key on folded rows: the totals for the summed fields, the value
 * of the first record for a key field (equal in the whole group).
 */
static int
group_key_cmp(const struct ct_view *view, const struct ct_col *k,
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
		return f->cmp != NULL ? f->cmp(view, a->first, b->first,
		    k->prefix) : 0;
	}
}

/* Groups: --sort keys, then largest count first, then the group key. */
static int
group_count_cmp(const void *x, const void *y, void *arg)
{
	const struct ct_group *a = x, *b = y;
	const struct ct_order *ctx = arg;
	size_t i;
	int c = 0;

	for (i = 0; c == 0 && ctx->keys != NULL && i < ctx->keys->n; i++)
		c = group_key_cmp(ctx->view, &ctx->keys->v[i], a, b);
	if (c == 0)
		c = CMP(b->count, a->count);
	if (c == 0)
		c = fields_cmp_cols(ctx->view, ctx->group, a->first, b->first);
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

/*
 * A row about to be folded into a group: the group's recvq and sendq add
 * up bytes queued. A TCP listener's are its accept queue and backlog,
 * connections and a limit that do not add up with bytes (two idle
 * listeners are no 8192 bytes), so a group leaves them out; -T and -s
 * show them per listener. (A UDP socket's queues are bytes: they count.)
 */
static void
group_row_fold_start(struct ct_group *g)
{
	if (g->first->proto == IPPROTO_TCP && g->first->state == CT_ST_LISTEN)
		g->rq = g->wq = 0;
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
	const struct ct_view view = snap_view(snap);
	size_t i;

	memset(out, 0, sizeof(*out));
	out->rows = xcalloc(snap->socks.len, sizeof(*out->rows));
	for (i = 0; i < snap->socks.len; i++) {
		const struct ct_sock *s = &snap->socks.v[i];

		if (filter_match(f, &view, s))
			group_row_set(&out->rows[out->nrows++], snap, s);
	}
}

void
group_table_fold(const struct ct_snap *snap, const struct ct_cols *keys,
    int dir, bool fold, struct ct_table *t)
{
	const struct ct_view view = snap_view(snap);
	struct ct_order ctx = { &view, keys, NULL, dir };
	size_t i, n = 0;

	qsort_r(t->rows, t->nrows, sizeof(*t->rows), group_row_cmp, &ctx);
	if (!fold)
		return;
	for (i = 0; i < t->nrows; i++) {
		group_row_fold_start(&t->rows[i]);
		if (n > 0 && fields_cmp_cols(&view, keys, t->rows[n - 1].first,
		    t->rows[i].first) == 0)
			group_row_add(&t->rows[n - 1], &t->rows[i]);
		else
			t->rows[n++] = t->rows[i];
	}
	t->nrows = n;
	t->grouped = 1;
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
group_hash_key(const struct ct_view *view, const struct ct_cols *keys,
    const struct ct_group *g, struct ct_fmt_memo *memo)
{
	uint64_t h = 0xcbf29ce484222325u;
	char cell[CT_CELL_MAX];
	size_t i, j, len;

	for (i = 0; i < keys->n; i++) {
		bool is_null = false;

		len = fields_get(keys->v[i].id)->fmt(view, g, keys->v[i].prefix,
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
	const struct ct_view view = snap_view(snap);
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

		if (!filter_match(o->filter, &view, s))
			continue;
		group_row_set(&one, snap, s);
		group_row_fold_start(&one);
		h = group_hash_key(&view, keys, &one, memo);
		for (pos = h & (cap - 1); slot[pos] != 0; pos = (pos + 1) & (cap - 1)) {
			g = &out->rows[slot[pos] - 1];
			if (hash[slot[pos] - 1] == h &&
			    fields_cmp_cols(&view, keys, g->first, s) == 0)
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
	const struct ct_view view = snap_view(snap);
	struct ct_order ctx = { &view, &o->sort, &o->group, o->reverse ? -1 : 1 };

	memset(out, 0, sizeof(*out));
	if (o->group.n == 0 && o->sort.n == 0 &&
	    group_order_default(snap, o->filter, ctx.dir, &out->order,
	    &out->nrows))
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
