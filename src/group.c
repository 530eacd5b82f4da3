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

static void
group_row_set(struct ct_group *g, const struct ct_sock *s)
{
	memset(g, 0, sizeof(*g));
	g->first = s;
	g->count = 1;
	g->rq = s->rqueue;
	g->wq = s->wqueue;
	g->bytes_in = s->info.bytes_received;
	g->bytes_out = s->info.bytes_acked;
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
			group_row_set(&out->rows[out->nrows++], s);
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

int
group_table_build(const struct ct_snap *snap, const struct ct_opts *o,
    struct ct_table *out)
{
	struct sort_ctx ctx = { snap, &o->sort, &o->group, o->reverse ? -1 : 1 };

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

void
group_table_free(struct ct_table *t)
{
	if (t == NULL)
		return;
	free(t->rows);
	t->rows = NULL;
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
tree_add_conns(struct ct_tree *t, struct ct_tree_node *nd,
    const struct ct_sock **v, size_t n, const struct ct_sock **scratch)
{
	size_t i;

	nd->conns = t->nrows;
	nd->nconns = n;
	for (i = 0; i < n; i++) {
		struct ct_group *g = &t->rows[t->nrows++];

		group_row_set(g, v[i]);
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

			group_row_set(&out->rows[out->nrows++], m);
			nd->nmembers++;
			nd->head.rq += m->rqueue;
			nd->head.wq += m->wqueue;
			/* an accept queue more than half full, in any member */
			if (m->proto == IPPROTO_TCP && m->rqueue > 0 &&
			    (uint64_t)m->rqueue * 2 > m->wqueue)
				nd->head.high = true;
		}
		qsort_r(conn + cs, cn, sizeof(*conn), group_ptr_cmp, &tc.sort);
		tree_add_conns(out, nd, conn + cs, cn, scratch);
	}
	out->nlisteners = out->nnodes;
	for (i = 0; i < nrest; i = j) {
		struct ct_tree_node *nd = &out->nodes[out->nnodes++];

		for (j = i + 1; j < nrest && tree_dest_cmp(rest[i], rest[j]) == 0; j++)
			continue;
		nd->head.first = rest[i];
		tree_add_conns(out, nd, rest + i, j - i, scratch);
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
