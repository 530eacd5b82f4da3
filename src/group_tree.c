/*
 * The listener tree (-T): each listener (every member of its SO_REUSEPORT
 * group) with the connections it accepted, then the other connections by
 * destination.
 */
#include "group_tree.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fields.h"
#include "filter.h"
#include "group.h"
#include "listener.h"
#include "opts.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

#define CMP(a, b)	(((a) > (b)) - ((a) < (b)))

struct tree_ctx {
	struct ct_order	 sort;
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

/*
 * A destination: protocol and remote end as a group key, so that the
 * IPv4 and the v4-mapped connections to one server are one destination.
 */
static int
tree_dest_cmp(const struct ct_sock *a, const struct ct_sock *b)
{
	int c;

	/* one destination address in two namespaces is two destinations */
	if ((c = CMP(a->netns, b->netns)) != 0 ||
	    (c = CMP(a->proto, b->proto)) != 0 ||
	    (c = fields_addr_key_cmp(&a->remote, &b->remote)) != 0)
		return c;
	return CMP(a->rport, b->rport);
}

/* Connections without a listener: by destination, then as asked. */
static int
tree_rest_cmp(const void *x, const void *y, void *arg)
{
	const struct ct_order *ctx = arg;
	const struct ct_sock *a = *(const struct ct_sock *const *)x;
	const struct ct_sock *b = *(const struct ct_sock *const *)y;
	int c = tree_dest_cmp(a, b) * ctx->dir;

	return c != 0 ? c : group_sock_cmp(ctx, a, b);
}

/* Clients are remote addresses as group keys: ::ffff:a.b.c.d is a.b.c.d. */
static int
tree_addr_cmp(const void *x, const void *y)
{
	return fields_addr_key_cmp(&(*(const struct ct_sock *const *)x)->remote,
	    &(*(const struct ct_sock *const *)y)->remote);
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
	const struct ct_view view = snap_view(snap);
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
		match[i] = filter_match(o->filter, &view, &v[i]);
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

	tc.sort = (struct ct_order){ &view, &o->sort, NULL, o->reverse ? -1 : 1 };
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
		qsort_r(conn + cs, cn, sizeof(*conn), group_sock_ptr_cmp, &tc.sort);
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
