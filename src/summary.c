/*
 * -s: totals per protocol and state, figures per listener, and the
 * ephemeral ports in use toward each destination against the size of
 * net.ipv4.ip_local_port_range: the limit a client really meets.
 */
#include "summary.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "filter.h"
#include "group_tree.h"
#include "listener.h"
#include "nstab.h"
#include "opts.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

#define CMP(a, b)	(((a) > (b)) - ((a) < (b)))

/* Totals: per protocol, largest first, then by state name. */
static int
summary_totals_cmp(const void *x, const void *y)
{
	const struct ct_group *a = x, *b = y;
	int c;

	if ((c = CMP(a->first->proto, b->first->proto)) != 0 ||
	    (c = CMP(b->count, a->count)) != 0)
		return c;
	return strcmp(sock_state_name(a->first->proto, a->first->state),
	    sock_state_name(b->first->proto, b->first->state));
}

/* Listeners: most connections first, then the default order. */
static int
summary_listeners_cmp(const void *x, const void *y)
{
	const struct ct_group *a = x, *b = y;
	int c = CMP(b->count, a->count);

	return c != 0 ? c : group_cmp_default(a->first, b->first);
}

struct ports_ctx {
	const struct ct_view *view;
	const struct ct_cols *keys;
};

/* Destinations: most ports first, then the key (a total order). */
static int
summary_ports_cmp(const void *x, const void *y, void *arg)
{
	const struct ct_group *a = x, *b = y;
	const struct ports_ctx *ctx = arg;
	int c = CMP(b->ports_used, a->ports_used);

	if (c == 0)
		c = CMP(b->count, a->count);
	if (c == 0)
		c = fields_cmp_cols(ctx->view, ctx->keys, a->first, b->first);
	return c;
}

static void
summary_add_key(struct ct_cols *c, enum ct_field_id id)
{
	c->v[c->n].id = id;
	c->v[c->n++].prefix = -1;
}

static void
summary_totals(const struct ct_snap *snap, const struct ct_opts *o,
    struct ct_table *t)
{
	struct ct_cols keys = { .n = 0 };

	summary_add_key(&keys, CT_F_PROTO);
	summary_add_key(&keys, CT_F_STATE);
	group_table_select(snap, o->filter, t);
	group_table_fold(snap, &keys, 1, true, t);
	qsort(t->rows, t->nrows, sizeof(*t->rows), summary_totals_cmp);
}

static void
summary_listeners(const struct ct_snap *snap, const struct ct_opts *o,
    struct ct_table *t)
{
	struct ct_tree tree;
	size_t i;

	group_tree_build(snap, o, &tree);
	memset(t, 0, sizeof(*t));
	t->rows = xcalloc(tree.nlisteners, sizeof(*t->rows));
	for (i = 0; i < tree.nlisteners; i++)
		t->rows[t->nrows++] = tree.nodes[i].head;
	t->grouped = 1;
	group_tree_free(&tree);
	qsort(t->rows, t->nrows, sizeof(*t->rows), summary_listeners_cmp);
}

/* A listener's (namespace, protocol, port), as one number. */
static uint64_t
ports_lkey(const struct ct_sock *s)
{
	return (uint64_t)s->netns << 17 | (uint64_t)(s->proto == IPPROTO_UDP) << 16 |
	    s->lport;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return CMP(x, y);
}

/* The range of record s's namespace: its own, else r, else the defaults. */
static const struct ct_portrange *
ports_range(const struct ct_snap *snap, const struct ct_sock *s,
    const struct ct_portrange *r, const struct ct_portrange *def)
{
	const struct ct_netns *ns = nstab_get(&snap->nstab, s->netns);

	if (ns != NULL && ns->range != NULL)
		return ns->range;
	return r != NULL ? r : def;
}

static void
summary_ports(const struct ct_snap *snap, const struct ct_opts *o,
    const struct ct_portrange *r, struct ct_table *t)
{
	const struct ct_view view = snap_view(snap);
	struct ct_portrange *def = xmalloc(sizeof(*def));
	struct ct_cols keys = { .n = 0 };
	struct ports_ctx ctx = { &view, &keys };
	uint64_t *lkeys, key;
	size_t i, j, n = 0, nl = 0;

	portrange_default(def);
	/* the ports listeners hold, namespace by namespace */
	lkeys = xcalloc(snap->socks.len + 1, sizeof(*lkeys));
	for (i = 0; i < snap->socks.len; i++)
		if (listener_is(&snap->socks.v[i]))
			lkeys[nl++] = ports_lkey(&snap->socks.v[i]);
	qsort(lkeys, nl, sizeof(*lkeys), u64_cmp);
	group_table_select(snap, o->filter, t);
	for (i = 0; i < t->nrows; i++) {
		const struct ct_sock *s = t->rows[i].first;

		if (listener_is(s) || sock_is_unconnected(s) ||
		    !portrange_ephemeral(ports_range(snap, s, r, def), s->lport))
			continue;
		key = ports_lkey(s);
		if (nl > 0 && bsearch(&key, lkeys, nl, sizeof(*lkeys), u64_cmp))
			continue;
		t->rows[n++] = t->rows[i];
	}
	t->nrows = n;
	free(lkeys);
	summary_add_key(&keys, CT_F_NETNS);
	summary_add_key(&keys, CT_F_PROTO);
	summary_add_key(&keys, CT_F_LADDR);
	summary_add_key(&keys, CT_F_RADDR);
	summary_add_key(&keys, CT_F_RPORT);
	/* one destination whether reached over IPv4 or v4-mapped IPv6 */
	fields_cols_as_keys(&keys);
	/* sorted by the key, then by local port inside each destination */
	group_table_fold(snap, &keys, 1, false, t);
	for (i = 0, n = 0; i < t->nrows; i = j) {
		struct ct_group g = t->rows[i];
		uint32_t avail = ports_range(snap, g.first, r, def)->avail;

		g.has = CT_G_PORTS;
		g.ports_used = 1;
		g.ports_avail = avail;
		for (j = i + 1; j < t->nrows && fields_cmp_cols(&view, &keys,
		    t->rows[i].first, t->rows[j].first) == 0; j++) {
			if (t->rows[j].first->lport != t->rows[j - 1].first->lport)
				g.ports_used++;
			g.count += t->rows[j].count;
			g.rq += t->rows[j].rq;
			g.wq += t->rows[j].wq;
			g.bytes_in += t->rows[j].bytes_in;
			g.bytes_out += t->rows[j].bytes_out;
		}
		g.high = avail > 0 && (uint64_t)g.ports_used * 2 > avail;
		t->rows[n++] = g;
	}
	t->nrows = n;
	t->grouped = 1;
	qsort_r(t->rows, t->nrows, sizeof(*t->rows), summary_ports_cmp, &ctx);
	free(def);
}

int
summary_build(const struct ct_snap *snap, const struct ct_opts *o,
    const struct ct_portrange *r, struct ct_summary *out)
{
	memset(out, 0, sizeof(*out));
	summary_totals(snap, o, &out->totals);
	summary_listeners(snap, o, &out->listeners);
	summary_ports(snap, o, r, &out->ports);
	return 0;
}

void
summary_free(struct ct_summary *s)
{
	if (s == NULL)
		return;
	group_table_free(&s->totals);
	group_table_free(&s->listeners);
	group_table_free(&s->ports);
}
