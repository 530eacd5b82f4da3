/*
 * The live view as text: which records it shows (the matching ones, the
 * ones closed since the last sample, the listeners they arrived on), in
 * which rows, with which marks and columns. No curses here, so the unit
 * tests read the view line by line; watch.c draws what this lays out.
 */
#include "watch_layout.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff.h"
#include "group.h"
#include "group_tree.h"
#include "listener.h"
#include "opts.h"
#include "owners.h"
#include "sock.h"
#include "util.h"

#define CMP(a, b)	(((a) > (b)) - ((a) < (b)))

/* ---- gathering a sample ------------------------------------------------ */

/* An accept queue more than half its backlog: the listener is falling behind. */
static bool
wl_high(const struct ct_sock *s)
{
	return s->proto == IPPROTO_TCP && s->state == CT_ST_LISTEN &&
	    s->rqueue > 0 && (uint64_t)s->rqueue * 2 > s->wqueue;
}

static void
wl_count(struct ct_wtotals *t, const struct ct_sock *s)
{
	if (listener_is(s))
		t->listen++;
	else if (s->state == CT_ST_ESTABLISHED)
		t->estab++;
	else if (s->state == CT_ST_TIME_WAIT)
		t->timewait++;
	else
		t->other++;
}

struct wl_lst_ctx {
	const struct ct_sock *v;
};

static int
wl_lst_cmp(const void *x, const void *y, void *arg)
{
	const struct wl_lst_ctx *c = arg;

	return listener_cmp_group(&c->v[*(const uint32_t *)x],
	    &c->v[*(const uint32_t *)y]);
}

/* The listener of cur in the SO_REUSEPORT group of l: 1 + index, or 0. */
static uint32_t
wl_find_listener(const struct ct_snap *cur, uint32_t **sorted, size_t *nsorted,
    const struct ct_sock *l)
{
	struct wl_lst_ctx c = { cur->socks.v };
	size_t lo = 0, hi, i;

	if (*sorted == NULL) {		/* built once, on the first need */
		*sorted = xcalloc(cur->socks.len, sizeof(**sorted));
		for (i = 0; i < cur->socks.len; i++)
			if (listener_is(&cur->socks.v[i]))
				(*sorted)[(*nsorted)++] = (uint32_t)i;
		qsort_r(*sorted, *nsorted, sizeof(**sorted), wl_lst_cmp, &c);
	}
	hi = *nsorted;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = listener_cmp_group(&cur->socks.v[(*sorted)[mid]], l);

		if (r == 0)
			return (*sorted)[mid] + 1;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * Where a closed connection's listener is now: a record of cur (1 + index
 * in *lcur), a closed listener (1 + index of prev in *lprev), or nowhere.
 */
static void
wl_ghost_listener(const struct ct_snap *prev, const struct ct_snap *cur,
    const struct ct_sock *g, const uint32_t *rev, const uint8_t *closed,
    uint32_t **sorted, size_t *nsorted, uint32_t *lcur, uint32_t *lprev)
{
	uint32_t l = g->listener;

	*lcur = *lprev = 0;
	if (l == 0 || l > prev->socks.len)
		return;
	if (rev[l - 1] != 0)
		*lcur = rev[l - 1];		/* it matched: the diff paired it */
	else if (closed[l - 1])
		*lprev = l;
	else
		*lcur = wl_find_listener(cur, sorted, nsorted,
		    &prev->socks.v[l - 1]);
}

/* Append record i of from to the view's records, tcp_info and all. */
static void
wl_copy_sock(struct ct_snap *vs, const struct ct_snap *from, size_t i)
{
	const struct ct_sock *s = &from->socks.v[i];
	const struct ct_tcpinfo *ti = sock_info(&from->socks, s);

	if (ti != NULL)
		*sock_list_info_at(&vs->socks, vs->socks.len) = *ti;
	vs->socks.v[vs->socks.len++] = *s;
}

void
watch_layout_build(const struct ct_snap *prev, const struct ct_snap *cur,
    const struct ct_diff *d, struct ct_wview *out)
{
	watch_layout_build_first(prev, cur, d, NULL, 0, out);
}

void
watch_layout_build_first(const struct ct_snap *prev, const struct ct_snap *cur,
    const struct ct_diff *d, const int64_t *first, size_t nfirst,
    struct ct_wview *out)
{
	size_t n = cur->socks.len, np = prev != NULL ? prev->socks.len : 0;
	size_t nclosed = prev != NULL ? d->nclosed : 0, i, k = 0, nsorted = 0;
	uint8_t *keep = xcalloc(n, 1);		/* 1 shown, 2 a listener of one */
	uint8_t *closed = xcalloc(np, 1);
	uint32_t *map = xcalloc(n, sizeof(*map));	/* cur -> 1 + view */
	uint32_t *rev = xcalloc(np, sizeof(*rev));	/* prev -> 1 + cur */
	uint32_t *pmap = xcalloc(np, sizeof(*pmap));	/* prev -> 1 + view */
	uint32_t *gcur = xcalloc(nclosed, sizeof(*gcur));
	uint32_t *gprev = xcalloc(nclosed, sizeof(*gprev));
	uint32_t *sorted = NULL;
	struct ct_snap *vs = &out->snap;

	/*
	 * Two passes: first decide what the view keeps (matching records, and
	 * the listeners they or the closed ones arrived on, even when those do
	 * not match), then copy it. Only the kept records are copied, so a
	 * narrow filter keeps the view small however many sockets there are.
	 */
	memset(out, 0, sizeof(*out));
	vs->when = cur->when;
	/*
	 * The namespaces and labels of cur: a set of namespaces keeps each
	 * one's index while it lives, and a little longer, so a closed
	 * record of prev names its namespace in cur's table too.
	 */
	nstab_copy(&vs->nstab, &cur->nstab);
	labels_copy(&vs->labels, &cur->labels);
	if (cur->nusers > 0) {		/* the detail pane names the user */
		vs->users = xcalloc(cur->nusers, sizeof(*vs->users));
		memcpy(vs->users, cur->users, cur->nusers * sizeof(*vs->users));
		vs->nusers = cur->nusers;
	}
	for (i = 0; i < n && i < d->ncur; i++) {
		const struct ct_sock *s = &cur->socks.v[i];

		if (!(d->cur[i].flags & CT_DF_MATCH))
			continue;
		keep[i] |= 1;
		if (s->listener != 0 && s->listener <= n)
			keep[s->listener - 1] |= 2;
		if (d->cur[i].prev != CT_DIFF_NONE && d->cur[i].prev < np)
			rev[d->cur[i].prev] = (uint32_t)i + 1;
		wl_count(&out->tot, s);
	}
	/* a closed connection stays beneath its listener, if that is there */
	for (i = 0; i < nclosed; i++)
		closed[d->closed[i]] = 1;
	for (i = 0; i < nclosed; i++) {
		wl_ghost_listener(prev, cur, &prev->socks.v[d->closed[i]], rev,
		    closed, &sorted, &nsorted, &gcur[i], &gprev[i]);
		if (gcur[i] != 0)
			keep[gcur[i] - 1] |= 2;
	}
	for (i = 0; i < n; i++)
		k += keep[i] != 0;
	vs->socks.cap = k + nclosed;
	vs->socks.v = xcalloc(vs->socks.cap, sizeof(*vs->socks.v));
	out->ws = xcalloc(vs->socks.cap, sizeof(*out->ws));
	owners_copy(&vs->owners, &cur->owners);
	for (i = 0; i < n; i++) {
		struct ct_wsock *w = &out->ws[vs->socks.len];
		const struct ct_diff_sock *ds = &d->cur[i];

		if (!keep[i])
			continue;
		map[i] = (uint32_t)vs->socks.len + 1;
		w->first_ms = first != NULL && i < nfirst ? first[i] : -1;
		wl_copy_sock(vs, cur, i);
		if (keep[i] & 1)
			w->mark |= CT_WM_SHOWN;
		if (ds->flags & CT_DF_NEW)
			w->mark |= CT_WM_NEW;
		if (ds->flags & CT_DF_STATE)
			w->mark |= CT_WM_STATE;
		if (ds->flags & CT_DF_RATED) {
			w->mark |= CT_WM_RATED;
			w->rate_in = d->rate[i].in;
			w->rate_out = d->rate[i].out;
		}
		if (wl_high(&cur->socks.v[i]))
			w->mark |= CT_WM_HIGH;
	}
	for (i = 0; i < nclosed; i++) {
		struct ct_sock *s = &vs->socks.v[vs->socks.len];

		pmap[d->closed[i]] = (uint32_t)vs->socks.len + 1;
		wl_copy_sock(vs, prev, d->closed[i]);
		if (owners_get(&prev->owners, s->owners) != NULL && vs->labels.len > 0)
			labels_copy_pid(&vs->labels, &prev->labels,
			    owners_get(&prev->owners, s->owners)->pid);
		s->owners = owners_copy_chain(&vs->owners, &prev->owners, s->owners);
		out->ws[vs->socks.len - 1].mark = CT_WM_SHOWN | CT_WM_GONE;
		out->ws[vs->socks.len - 1].first_ms = -1;
	}
	/* listener links: indexes into the view now */
	for (i = 0; i < k; i++) {
		struct ct_sock *s = &vs->socks.v[i];

		s->listener = s->listener != 0 && s->listener <= n ?
		    map[s->listener - 1] : 0;
	}
	for (i = 0; i < nclosed; i++)
		vs->socks.v[k + i].listener = gcur[i] != 0 ? map[gcur[i] - 1] :
		    gprev[i] != 0 ? pmap[gprev[i] - 1] : 0;
	out->tot.opened = prev != NULL ? d->nopened : 0;
	out->tot.closed = nclosed;
	out->tot.dt = prev != NULL ? d->dt : 0;
	free(sorted);
	free(gprev);
	free(gcur);
	free(pmap);
	free(rev);
	free(map);
	free(closed);
	free(keep);
}

void
watch_layout_free(struct ct_wview *v)
{
	if (v == NULL)
		return;
	snap_free(&v->snap);
	free(v->ws);
	free(v->rows);
	memset(v, 0, sizeof(*v));
}

/* ---- arranging the rows ------------------------------------------------ */

static const struct {
	const char	*name;
	enum ct_field_id id;		/* its field; CT_F_NFIELDS for none */
} wl_sorts[CT_WS_N] = {
	[CT_WS_DEFAULT] = { "default", CT_F_NFIELDS },
	[CT_WS_STATE] = { "state", CT_F_STATE },
	[CT_WS_REMOTE] = { "remote", CT_F_REMOTE },
	[CT_WS_PROCESS] = { "process", CT_F_PROCESS },
	[CT_WS_RECVQ] = { "recvq", CT_F_RECVQ },
	[CT_WS_SENDQ] = { "sendq", CT_F_SENDQ },
	[CT_WS_RATE_IN] = { "rate_in", CT_F_RATE_IN },
	[CT_WS_RATE_OUT] = { "rate_out", CT_F_RATE_OUT },
	[CT_WS_RTT] = { "rtt", CT_F_RTT },
};

const char *
watch_layout_group_name(enum ct_wgroup g)
{
	static const char *const names[CT_WG_N] = {
		"listener", "raddr", "process", "flat", "netns", "container"
	};

	return g < CT_WG_N ? names[g] : "?";
}

const char *
watch_layout_sort_name(enum ct_wsort s)
{
	return s < CT_WS_N ? wl_sorts[s].name : "?";
}

int
watch_layout_sort_lookup(enum ct_field_id id)
{
	int i;

	for (i = 1; i < CT_WS_N; i++)
		if (wl_sorts[i].id == id)
			return i;
	return -1;
}

struct wl_sort_ctx {
	const struct ct_wview *v;
	enum ct_wsort	 key;
	int		 dir;		/* 1, or -1 with -r */
	enum ct_field_id group;		/* CT_F_RADDR, CT_F_PROCESS, or none */
	struct ct_view	 view;		/* of v->snap */
};

/* Rated before unrated, then the larger value first. */
static int
wl_num_desc(bool ha, uint64_t a, bool hb, uint64_t b)
{
	if (ha != hb)
		return ha ? -1 : 1;
	return CMP(b, a);
}

static int
wl_key_cmp(const struct wl_sort_ctx *c, uint32_t ia, uint32_t ib)
{
	const struct ct_snap *snap = &c->v->snap;
	const struct ct_sock *a = &snap->socks.v[ia], *b = &snap->socks.v[ib];
	const struct ct_tcpinfo *ta = sock_info(&snap->socks, a);
	const struct ct_tcpinfo *tb = sock_info(&snap->socks, b);
	const struct ct_wsock *wa = &c->v->ws[ia], *wb = &c->v->ws[ib];
	bool ra = wa->mark & CT_WM_RATED, rb = wb->mark & CT_WM_RATED;

	switch (c->key) {
	case CT_WS_DEFAULT:
	case CT_WS_N:
		return 0;
	case CT_WS_STATE:
	case CT_WS_REMOTE:
	case CT_WS_PROCESS:
		return fields_get(wl_sorts[c->key].id)->cmp(&c->view, a, b, -1);
	case CT_WS_RECVQ:
		return CMP(b->rqueue, a->rqueue);
	case CT_WS_SENDQ:
		return CMP(b->wqueue, a->wqueue);
	case CT_WS_RATE_IN:
		return wl_num_desc(ra, wa->rate_in, rb, wb->rate_in);
	case CT_WS_RATE_OUT:
		return wl_num_desc(ra, wa->rate_out, rb, wb->rate_out);
	case CT_WS_RTT:
		return wl_num_desc(ta != NULL, ta != NULL ? ta->rtt_us : 0,
		    tb != NULL, tb != NULL ? tb->rtt_us : 0);
	}
	return 0;
}

/* The group key, then the sort key, then the default order: total. */
static int
wl_idx_cmp(const void *x, const void *y, void *arg)
{
	const struct wl_sort_ctx *c = arg;
	uint32_t ia = *(const uint32_t *)x, ib = *(const uint32_t *)y;
	const struct ct_sock *a = &c->v->snap.socks.v[ia];
	const struct ct_sock *b = &c->v->snap.socks.v[ib];
	int r = 0;

	if (c->group != CT_F_NFIELDS &&
	    (r = fields_get(c->group)->cmp(&c->view, a, b, CT_PREFIX_KEY)) != 0)
		return r;
	if ((r = wl_key_cmp(c, ia, ib)) == 0)
		r = group_cmp_default(a, b);
	if ((r *= c->dir) != 0)
		return r;
	return CMP(ia, ib);	/* a closed socket and its successor, say */
}

static void
wl_push(struct ct_wview *v, enum ct_wrow_kind kind, unsigned depth,
    uint32_t sock, uint32_t count)
{
	struct ct_wrow *r = &v->rows[v->nrows++];

	r->kind = (uint8_t)kind;
	r->depth = (uint8_t)depth;
	r->sock = sock;
	r->count = count;
}

/* One group of the sorted records: idx[start...start + n). */
struct wl_run {
	size_t		 start, n;
	int		 dir;
};

/* The largest group first (-r: the smallest), then in the keys' order. */
static int
wl_run_cmp(const void *x, const void *y)
{
	const struct wl_run *a = x, *b = y;
	int c = CMP(b->n, a->n) * a->dir;

	return c != 0 ? c : CMP(a->start, b->start);
}

/*
 * Rows of the records idx[0..n), sorted by group key and sort key,
 * beneath their group heads, largest group first, as -g orders them.
 */
static void
wl_push_grouped(struct ct_wview *v, const struct wl_sort_ctx *c,
    const uint32_t *idx, size_t n, enum ct_wrow_kind kind)
{
	struct wl_run *run = xcalloc(n + 1, sizeof(*run));
	size_t i, j, k, nrun = 0;

	for (i = 0; i < n; i = j) {
		const struct ct_sock *first = &v->snap.socks.v[idx[i]];

		for (j = i + 1; j < n; j++)
			if (fields_get(c->group)->cmp(&c->view, first,
			    &v->snap.socks.v[idx[j]], CT_PREFIX_KEY) != 0)
				break;
		run[nrun++] = (struct wl_run){ i, j - i, c->dir };
	}
	qsort(run, nrun, sizeof(*run), wl_run_cmp);
	for (k = 0; k < nrun; k++) {
		wl_push(v, kind, 0, idx[run[k].start], (uint32_t)run[k].n);
		for (i = run[k].start; i < run[k].start + run[k].n; i++)
			wl_push(v, CT_WR_SOCK, 1, idx[i], 0);
	}
	free(run);
}

static void
wl_arrange_tree(struct ct_wview *v, struct wl_sort_ctx *c)
{
	const struct ct_sock *base = v->snap.socks.v;
	struct ct_opts o;
	struct ct_tree t;
	uint32_t *idx;
	size_t i, j;

	/*
	 * The view holds only what it shows, so the tree needs no filter; a
	 * listener kept for its connections alone is shown for them, as -T
	 * does. Listeners and destinations keep the default order, so they do
	 * not jump about as figures change; the connections beneath follow s.
	 */
	memset(&o, 0, sizeof(o));
	o.protos = CT_P_TCP | CT_P_UDP;
	o.families = CT_FAM_4 | CT_FAM_6;
	group_tree_build(&v->snap, &o, &t);
	v->rows = xcalloc(t.nrows + t.nnodes, sizeof(*v->rows));
	idx = xcalloc(t.nrows, sizeof(*idx));
	for (i = 0; i < t.nnodes; i++) {
		const struct ct_tree_node *nd = &t.nodes[i];

		if (i < t.nlisteners) {
			for (j = 0; j < nd->nmembers; j++)
				wl_push(v, CT_WR_SOCK, 0,
				    (uint32_t)(t.rows[nd->members + j].first - base), 0);
		} else {
			wl_push(v, CT_WR_DEST, 0,
			    (uint32_t)(nd->head.first - base), (uint32_t)nd->nconns);
		}
		for (j = 0; j < nd->nconns; j++)
			idx[j] = (uint32_t)(t.rows[nd->conns + j].first - base);
		qsort_r(idx, nd->nconns, sizeof(*idx), wl_idx_cmp, c);
		for (j = 0; j < nd->nconns; j++)
			wl_push(v, CT_WR_SOCK, 1, idx[j], 0);
	}
	free(idx);
	group_tree_free(&t);
}

static void	 wl_measure(struct ct_wview *v);

void
watch_layout_arrange(struct ct_wview *v, enum ct_wgroup g, enum ct_wsort s,
    bool reverse)
{
	struct wl_sort_ctx c = { v, s, reverse ? -1 : 1, CT_F_NFIELDS,
	    snap_view(&v->snap) };
	uint32_t *idx;
	size_t i, n = 0;

	free(v->rows);
	v->rows = NULL;
	v->nrows = 0;
	if (g == CT_WG_LISTENER) {
		wl_arrange_tree(v, &c);
		wl_measure(v);
		return;
	}
	idx = xcalloc(v->snap.socks.len, sizeof(*idx));
	for (i = 0; i < v->snap.socks.len; i++)
		if (v->ws[i].mark & CT_WM_SHOWN)
			idx[n++] = (uint32_t)i;
	if (g == CT_WG_RADDR)
		c.group = CT_F_RADDR;
	else if (g == CT_WG_PROCESS)
		c.group = CT_F_PROCESS;
	else if (g == CT_WG_NETNS)
		c.group = CT_F_NETNS;
	else if (g == CT_WG_CONTAINER)
		c.group = CT_F_CONTAINER;
	qsort_r(idx, n, sizeof(*idx), wl_idx_cmp, &c);
	v->rows = xcalloc(2 * n, sizeof(*v->rows));
	if (g == CT_WG_FLAT) {
		for (i = 0; i < n; i++)
			wl_push(v, CT_WR_SOCK, 0, idx[i], 0);
	} else {
		wl_push_grouped(v, &c, idx, n,
		    g == CT_WG_RADDR ? CT_WR_RADDR : g == CT_WG_PROCESS ?
		    CT_WR_PROC : g == CT_WG_NETNS ? CT_WR_NETNS : CT_WR_CONTAINER);
	}
	free(idx);
	wl_measure(v);
}

/* ---- columns and text -------------------------------------------------- */

size_t
watch_layout_rate(uint64_t bps, char *buf)
{
	static const char unit[] = "KMGTPE";
	double x = (double)bps;
	int u = -1;

	if (bps < 1000)
		return (size_t)snprintf(buf, 8, "%u", (unsigned)bps);
	/* powers of 1024; below 999.5 of a unit, so it never prints 1000 */
	do {
		x /= 1024;
		u++;
	} while (x >= 999.5 && u < 5);
	if (x < 9.95)
		return (size_t)snprintf(buf, 8, "%.1f%c", x, unit[u]);
	return (size_t)snprintf(buf, 8, "%.0f%c", x, unit[u]);
}

/*
 * The body's columns in display order (ct_wview.width follows it). The
 * namespace comes first, as in the table, where there are several; then
 * the WL_NALWAYS that always show; the others come by wl_prio below.
 */
static const enum ct_field_id wl_cols[] = {
	CT_F_NETNS, CT_F_PROTO, CT_F_STATE, CT_F_LOCAL, CT_F_REMOTE,
	CT_F_PROCESS, CT_F_RECVQ, CT_F_SENDQ, CT_F_RATE_IN, CT_F_RATE_OUT,
	CT_F_RTT,
};
#define WL_NCOLS	(sizeof(wl_cols) / sizeof(wl_cols[0]))
#define WL_FIRST	1		/* the 5-tuple and the state: always */
#define WL_NALWAYS	4
#define WL_STATE	2		/* wl_cols[WL_STATE] is CT_F_STATE */
#define WL_PROCESS	5		/* wl_cols[WL_PROCESS]: dropped with -P */
#define WL_NETNS	0		/* wl_cols[WL_NETNS]: with several namespaces */

/*
 * The optional columns by priority, in twos when they mean one thing:
 * the process, the queues, the rates, the rtt (the man page's order).
 */
static const struct {
	size_t		 first, n;	/* into wl_cols */
} wl_prio[] = { { 5, 1 }, { 0, 1 }, { 6, 2 }, { 8, 2 }, { 10, 1 } };

/*
 * One cell of record i: "-" when absent, never empty; prefix
 * CT_PREFIX_KEY for the text of a head (a group key), else
 * CT_PREFIX_NONE.
 */
static size_t
wl_cell_as(const struct ct_wview *v, uint32_t i, enum ct_field_id id,
    int prefix, char *buf)
{
	const struct ct_sock *s = &v->snap.socks.v[i];
	const struct ct_wsock *w = &v->ws[i];
	const struct ct_view view = snap_view(&v->snap);
	struct ct_group g;
	bool is_null = false;
	size_t n;

	/* a listener moves no data: its tcp_info figures are all zero */
	if ((fields_get(id)->flags & CT_FF_INFO) && listener_is(s)) {
		buf[0] = '-';
		buf[1] = '\0';
		return 1;
	}
	if (id == CT_F_RATE_IN || id == CT_F_RATE_OUT) {
		if (!(w->mark & CT_WM_RATED)) {
			buf[0] = '-';
			buf[1] = '\0';
			return 1;
		}
		return watch_layout_rate(id == CT_F_RATE_IN ? w->rate_in :
		    w->rate_out, buf);
	}
	group_row_set(&g, &v->snap, s);
	if ((n = fields_get(id)->fmt(&view, &g, prefix, buf, &is_null,
	    NULL)) == 0) {
		buf[0] = '-';
		buf[1] = '\0';
		n = 1;
	}
	return n;
}

static size_t
wl_cell(const struct ct_wview *v, uint32_t i, enum ct_field_id id, char *buf)
{
	return wl_cell_as(v, i, id, CT_PREFIX_NONE, buf);
}

/*
 * The widths of the view's columns: the widest cell of every row (heads
 * have no cells), and the header. Measured over the whole view once per
 * arrangement, not over the page on screen, so that a column neither
 * widens nor vanishes as one scrolls; the state column is kept at its
 * widest, so that states coming and going do not shift what follows.
 * The rates never pass their header's width (watch_layout_rate()).
 */
static void
wl_measure(struct ct_wview *v)
{
	char cell[CT_CELL_MAX];
	size_t i, j;

	for (j = 0; j < WL_NCOLS; j++)
		v->width[j] = strlen(fields_get(wl_cols[j])->header);
	v->width[WL_STATE] = strlen("ESTABLISHED");	/* states come and go */
	for (i = 0; i < v->nrows; i++) {
		const struct ct_wrow *r = &v->rows[i];

		if (r->kind != CT_WR_SOCK)
			continue;
		for (j = 0; j < WL_NCOLS; j++) {
			size_t len;

			if (wl_cols[j] == CT_F_STATE || wl_cols[j] == CT_F_RATE_IN ||
			    wl_cols[j] == CT_F_RATE_OUT)
				continue;
			len = wl_cell(v, r->sock, wl_cols[j], cell);
			/* the first shown is indented: the namespace, or proto */
			if (j <= WL_FIRST)
				len += 2 * r->depth;
			if (len > v->width[j])
				v->width[j] = len;
		}
	}
}

/* The column of wl_cols a sort key orders by, or -1 for none optional. */
static int
wl_sort_col(enum ct_wsort sort)
{
	size_t j;

	for (j = WL_FIRST + WL_NALWAYS; sort < CT_WS_N && j < WL_NCOLS; j++)
		if (wl_cols[j] == wl_sorts[sort].id)
			return (int)j;
	return -1;
}

void
watch_layout_fit(const struct ct_wview *v, size_t cols, bool procs,
    enum ct_wsort sort, struct ct_wfit *out)
{
	bool use[WL_NCOLS] = { 0 };
	size_t i, j, total, need;
	int keep = wl_sort_col(sort);

	/* the mark and a blank, then the columns with a blank between */
	total = 1;
	for (j = WL_FIRST; j < WL_FIRST + WL_NALWAYS; j++) {
		use[j] = true;
		total += 1 + v->width[j];
	}
	if (keep >= 0 && (keep != WL_PROCESS || procs)) {
		use[keep] = true;
		total += 1 + v->width[keep];
	}
	for (i = 0; i < sizeof(wl_prio) / sizeof(wl_prio[0]); i++) {
		if (wl_prio[i].first == WL_PROCESS && !procs)
			continue;
		/* the namespace column, where there is more than one */
		if (wl_prio[i].first == WL_NETNS && v->snap.nstab.len < 2)
			continue;
		need = 0;
		for (j = wl_prio[i].first; j < wl_prio[i].first + wl_prio[i].n; j++)
			need += use[j] ? 0 : 1 + v->width[j];
		if (total + need > cols)
			break;		/* and nothing of lower priority either */
		total += need;
		for (j = wl_prio[i].first; j < wl_prio[i].first + wl_prio[i].n; j++)
			use[j] = true;
	}
	out->n = 0;
	for (j = 0; j < WL_NCOLS; j++) {
		if (!use[j])
			continue;
		out->id[out->n] = wl_cols[j];
		out->width[out->n++] = v->width[j];
	}
}

bool
watch_layout_fit_info(const struct ct_wfit *fit)
{
	size_t j;

	for (j = 0; j < fit->n; j++)
		if (fields_get(fit->id[j])->flags & CT_FF_INFO)
			return true;
	return false;
}

/* A bounded writer: appends while there is room, always NUL-terminated. */
struct wl_buf {
	char		*p;
	size_t		 len, size;
};

static void
wl_put(struct wl_buf *b, const char *s, size_t n)
{
	if (b->size == 0)
		return;
	if (n > b->size - 1 - b->len)
		n = b->size - 1 - b->len;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
wl_puts(struct wl_buf *b, const char *s)
{
	wl_put(b, s, strlen(s));
}

static void
wl_pad(struct wl_buf *b, size_t n)
{
	for (; n > 0; n--)
		wl_put(b, " ", 1);
}

/* A cell padded to width; numbers to the right; the last one unpadded. */
static void
wl_put_cell(struct wl_buf *b, const char *s, size_t len, size_t width,
    bool right, bool last)
{
	size_t pad = width > len ? width - len : 0;

	if (right)
		wl_pad(b, pad);
	wl_put(b, s, len);
	if (!right && !last)
		wl_pad(b, pad);
}

/* One character, so the marks read without colour and in a capture. */
static char
wl_mark(uint8_t mark)
{
	if (mark & CT_WM_GONE)
		return '-';
	if (mark & CT_WM_NEW)
		return '+';
	if (mark & CT_WM_HIGH)
		return '!';
	if (mark & CT_WM_STATE)
		return '~';
	return ' ';
}

size_t
watch_layout_line(const struct ct_wview *v, const struct ct_wrow *r,
    const struct ct_wfit *fit, char *buf, size_t size)
{
	struct wl_buf b = { buf, 0, size };
	char cell[CT_CELL_MAX + 8], num[24];
	size_t j, len;

	if (size > 0)
		buf[0] = '\0';
	if (r->kind != CT_WR_SOCK) {
		/* a head: "tcp -> 127.0.0.1:80 (3)", "127.0.0.1 (5)", "nc(7) (2)" */
		wl_puts(&b, "  ");
		if (r->kind == CT_WR_DEST) {
			wl_cell(v, r->sock, CT_F_PROTO, cell);
			wl_puts(&b, cell);
			wl_puts(&b, " -> ");
			wl_cell_as(v, r->sock, CT_F_REMOTE, CT_PREFIX_KEY, cell);
		} else {
			wl_cell_as(v, r->sock, r->kind == CT_WR_RADDR ? CT_F_RADDR :
			    r->kind == CT_WR_PROC ? CT_F_PROCESS :
			    r->kind == CT_WR_NETNS ? CT_F_NETNS : CT_F_CONTAINER,
			    CT_PREFIX_KEY, cell);
		}
		wl_puts(&b, cell);
		snprintf(num, sizeof(num), " (%u)", r->count);
		wl_puts(&b, num);
		return b.len;
	}
	cell[0] = wl_mark(v->ws[r->sock].mark);
	wl_put(&b, cell, 1);
	for (j = 0; j < fit->n; j++) {
		const struct ct_field *f = fields_get(fit->id[j]);
		size_t ind = j == 0 ? 2u * r->depth : 0;

		memset(cell, ' ', ind);
		len = ind + wl_cell(v, r->sock, fit->id[j], cell + ind);
		wl_put(&b, " ", 1);
		wl_put_cell(&b, cell, len, fit->width[j],
		    (f->flags & CT_FF_NUM) != 0, j + 1 == fit->n);
	}
	return b.len;
}

size_t
watch_layout_colhead(const struct ct_wfit *fit, char *buf, size_t size)
{
	struct wl_buf b = { buf, 0, size };
	size_t j;

	if (size > 0)
		buf[0] = '\0';
	wl_put(&b, " ", 1);
	for (j = 0; j < fit->n; j++) {
		const struct ct_field *f = fields_get(fit->id[j]);

		wl_put(&b, " ", 1);
		wl_put_cell(&b, f->header, strlen(f->header), fit->width[j],
		    (f->flags & CT_FF_NUM) != 0, j + 1 == fit->n);
	}
	return b.len;
}

/* Untrusted-looking text for the screen: printable ASCII, else "\xNN". */
static size_t
wl_escape(const char *in, size_t inlen, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < inlen && n + 5 < size; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch >= 0x20 && ch < 0x7f)
			out[n++] = (char)ch;
		else
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", ch);
	}
	out[n] = '\0';
	return n;
}

size_t
watch_layout_header(const struct ct_wview *v, const struct tm *tm, unsigned ms,
    unsigned interval_ms, const char *filter_text, size_t cols, char *buf,
    size_t size)
{
	struct wl_buf b = { buf, 0, size };
	const struct ct_wtotals *t = &v->tot;
	double dt = t->dt > 0 ? t->dt : 1;
	char head[64], tot[160], filt[CT_ESCAPE_MAX(256)];
	size_t hlen, tlen, flen = 0, room;

	if (size > 0)
		buf[0] = '\0';
	/* milliseconds where two samples may fall in one second */
	hlen = (size_t)snprintf(head, sizeof(head), "%02d:%02d:%02d",
	    tm->tm_hour, tm->tm_min, tm->tm_sec);
	if (interval_ms % 1000 != 0)
		hlen += (size_t)snprintf(head + hlen, sizeof(head) - hlen, ".%03u",
		    ms % 1000);
	hlen += (size_t)snprintf(head + hlen, sizeof(head) - hlen, " every %gs",
	    interval_ms / 1000.0);
	/* per second over the real time between the samples, not the interval */
	tlen = (size_t)snprintf(tot, sizeof(tot),
	    "  listen %zu estab %zu tw %zu other %zu  +%.1f/s -%.1f/s",
	    t->listen, t->estab, t->timewait, t->other,
	    t->dt > 0 ? t->opened / dt : 0.0, t->dt > 0 ? t->closed / dt : 0.0);
	wl_puts(&b, head);
	if (filter_text != NULL && filter_text[0] != '\0') {
		/* typed by the user, yet no control byte reaches the screen */
		flen = wl_escape(filter_text, strnlen(filter_text, 256), filt,
		    sizeof(filt));
		/*
		 * Cut the filter, not the totals: "filter dport >= 10...". Where
		 * even "..." leaves no room for them, they are cut at the edge
		 * anyway, and some of the filter says more than the mark alone.
		 */
		room = cols > hlen + 8 + tlen ? cols - hlen - 8 - tlen : 0;
		if (room < 3)
			room = 12;
		if (flen > room) {
			flen = room - 3;
			memcpy(filt + flen, "...", 4);
			flen += 3;
		}
		wl_puts(&b, " filter ");
		wl_put(&b, filt, flen);
	}
	wl_put(&b, tot, tlen);
	return b.len;
}

size_t
watch_layout_edit(const char *text, size_t cols, char *buf, size_t size)
{
	struct wl_buf b = { buf, 0, size };
	static const char label[] = "filter: ";
	size_t len = strlen(text), lab = sizeof(label) - 1, keep;

	if (size > 0)
		buf[0] = '\0';
	wl_puts(&b, label);
	/* the text and the cursor after it fit: as typed */
	if (lab + len + 1 <= cols) {
		wl_put(&b, text, len);
		return lab + len;
	}
	/* else its end, after a mark, so that typing stays in view */
	keep = cols > lab + 2 ? cols - lab - 2 : 0;
	wl_put(&b, "<", 1);
	wl_put(&b, text + len - (keep < len ? keep : len), keep < len ? keep : len);
	return lab + 1 + (keep < len ? keep : len);
}

/* The help, narrow and short enough for 60x15 (13 lines between bars). */
static const char *const wl_help[] = {
	"conntab -w: keys                     (any key closes this)",
	"  q  quit (Ctrl-C too)     space  pause and resume",
	"  g  group: listener, raddr, process, flat",
	"     (--all-netns also: netns, container)",
	"  s  sort: default, state, remote, process, recvq,",
	"     sendq, rate_in, rate_out, rtt (largest first)",
	"  /  filter: Enter applies, Esc cancels, ^U clears",
	"  Up Down k j PgUp PgDn Home End: move the cursor",
	"  Enter  the socket's details (Enter or Esc: back)",
	"  K  kill it (asks y/n; needs CAP_NET_ADMIN)",
	"  c  the last 100 closed connections     ?  this help",
	"marks: + new  - closed (dimmed)  ~ changed state",
	"  ! queue over half its backlog; rates: bytes/s, K=1024",
};
#define WL_NHELP	(sizeof(wl_help) / sizeof(wl_help[0]))

size_t
watch_layout_help_rows(size_t rows)
{
	return rows < WL_NHELP ? rows : WL_NHELP;
}

size_t
watch_layout_help_line(size_t i, size_t rows, size_t cols, char *buf,
    size_t size)
{
	struct wl_buf b = { buf, 0, size };
	const char *text;
	size_t len;

	if (size > 0)
		buf[0] = '\0';
	if (i >= watch_layout_help_rows(rows) || cols == 0)
		return 0;
	/* the last line that fits says that more did not */
	text = rows < WL_NHELP && i + 1 == rows ?
	    "... (more keys: a taller terminal shows them)" : wl_help[i];
	len = strlen(text);
	wl_put(&b, " ", 1);
	if (1 + len <= cols) {
		wl_put(&b, text, len);
		return b.len;
	}
	if (cols > 2)
		wl_put(&b, text, cols - 2);
	wl_put(&b, ">", 1);
	return b.len;
}

/* ---- the cursor --------------------------------------------------------- */

bool
watch_layout_select(const struct ct_wview *v, size_t row, struct ct_wsel *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (row >= v->nrows || v->rows[row].kind != CT_WR_SOCK ||
	    v->rows[row].sock >= v->snap.socks.len)
		return false;
	sel->s = v->snap.socks.v[v->rows[row].sock];
	sel->valid = true;
	return true;
}

size_t
watch_layout_find(const struct ct_wview *v, const struct ct_wsel *sel)
{
	size_t i;

	if (!sel->valid)
		return SIZE_MAX;
	for (i = 0; i < v->nrows; i++) {
		const struct ct_wrow *r = &v->rows[i];
		const struct ct_sock *s;

		if (r->kind != CT_WR_SOCK || r->sock >= v->snap.socks.len)
			continue;
		s = &v->snap.socks.v[r->sock];
		if (s->netns == sel->s.netns && diff_same_sock(s, &sel->s))
			return i;
	}
	return SIZE_MAX;
}

size_t
watch_layout_move(const struct ct_wview *v, size_t row, long delta)
{
	size_t i, at = SIZE_MAX;
	long step = delta < 0 ? -1 : 1, left = delta < 0 ? -delta : delta;

	if (row >= v->nrows)
		row = v->nrows > 0 ? v->nrows - 1 : 0;
	/* where we stand: this row, else the nearest socket row either way */
	for (i = row; i < v->nrows && at == SIZE_MAX; i++)
		if (v->rows[i].kind == CT_WR_SOCK)
			at = i;
	for (i = row + 1; i-- > 0 && at == SIZE_MAX;)
		if (v->rows[i].kind == CT_WR_SOCK)
			at = i;
	if (at == SIZE_MAX)
		return SIZE_MAX;
	while (left > 0) {
		size_t j = at;

		do {
			if ((step < 0 && j == 0) || (step > 0 && j + 1 >= v->nrows)) {
				j = SIZE_MAX;
				break;
			}
			j = (size_t)((long)j + step);
		} while (v->rows[j].kind != CT_WR_SOCK);
		if (j == SIZE_MAX)
			break;		/* the first or the last: stay */
		at = j;
		left--;
	}
	return at;
}

/* ---- panes -------------------------------------------------------------- */

void
watch_layout_text_free(struct ct_wtext *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->line[i]);
	free(t->line);
	memset(t, 0, sizeof(*t));
}

static void __attribute__((format(printf, 2, 3)))
wl_text(struct ct_wtext *t, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (t->n == t->cap) {
		t->cap = t->cap > 0 ? t->cap * 2 : 32;
		t->line = xreallocarray(t->line, t->cap, sizeof(*t->line));
	}
	t->line[t->n++] = xstrdup(buf);
}

/* "tcp 127.0.0.1:800 <- 127.0.0.1:40112", as the kill question names it. */
static size_t
wl_sock_name(const struct ct_wview *v, uint32_t sock, char *buf, size_t size)
{
	const struct ct_sock *s = &v->snap.socks.v[sock];
	char proto[CT_CELL_MAX], local[CT_CELL_MAX], remote[CT_CELL_MAX];

	wl_cell(v, sock, CT_F_PROTO, proto);
	wl_cell(v, sock, CT_F_LOCAL, local);
	wl_cell(v, sock, CT_F_REMOTE, remote);
	if (sock_is_unconnected(s))
		return (size_t)snprintf(buf, size, "%s %s", proto, local);
	return (size_t)snprintf(buf, size, "%s %s %s %s", proto, local,
	    s->listener != 0 ? "<-" : "->", remote);
}

/* How long ago, in the largest units that say it: "42s", "3m12s", "2h05m". */
static void
wl_ago(int64_t ms, char *buf, size_t size)
{
	int64_t s = ms / 1000;

	if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", (long long)(s / 60),
		    (long long)(s % 60));
	else
		snprintf(buf, size, "%lldh%02lldm", (long long)(s / 3600),
		    (long long)(s / 60 % 60));
}

void
watch_layout_detail(const struct ct_wview *v, uint32_t sock, int64_t now_ms,
    const struct timespec *now, struct ct_wtext *out)
{
	const struct ct_view view = snap_view(&v->snap);
	const struct ct_sock *s;
	const struct ct_owner *w;
	const struct ct_wsock *ws;
	char name[CT_CELL_MAX * 3 + 8], cell[CT_CELL_MAX], comm[CT_ESCAPE_MAX(CT_COMM_SIZE)];
	size_t i, n = 0;

	if (sock >= v->snap.socks.len)
		return;
	s = &v->snap.socks.v[sock];
	ws = &v->ws[sock];
	wl_sock_name(v, sock, name, sizeof(name));
	wl_text(out, "%s%s", name, ws->mark & CT_WM_GONE ? "  (closed)" : "");
	for (i = 0; i < CT_F_NFIELDS; i++) {
		const struct ct_field *f = fields_get((enum ct_field_id)i);

		/* the owners below, each; the figures of groups are no socket's */
		if ((f->flags & CT_FF_GROUPED) || i == CT_F_PID || i == CT_F_COMM ||
		    i == CT_F_OWNERS || i == CT_F_PROCESS || i == CT_F_DURATION)
			continue;
		/*
		 * what the view's copies of a sample do not keep (ss's -m, -o
		 * and the rest of -i: one-shot figures) would read "-" each
		 */
		if (f->flags & (CT_FF_MEM | CT_FF_MORE | CT_FF_EXT | CT_FF_CGPATH))
			continue;
		/* one namespace, one label: nothing to say that way */
		if ((i == CT_F_NETNS || i == CT_F_NETNS_INO) && v->snap.nstab.len < 2)
			continue;
		wl_cell(v, sock, (enum ct_field_id)i, cell);
		wl_text(out, "  %-12s %s", f->name, cell);
	}
	for (w = view_owner(&view, s); w != NULL;
	    w = owners_get(view.owners, w->next)) {
		const char *c = owners_comm(view.owners, w);

		util_escape(c, strnlen(c, CT_COMM_SIZE), comm, sizeof(comm));
		wl_text(out, "  %-12s pid %u fd %d %s", n++ == 0 ? "owners" : "",
		    w->pid, w->fd, comm);
	}
	if (n == 0)
		wl_text(out, "  %-12s -", "owners");
	if (ws->first_ms >= 0 && now != NULL) {
		struct timespec t = *now;
		int64_t ago = now_ms - ws->first_ms, ms;
		struct tm tm;
		char when[32];

		if (ago < 0)
			ago = 0;
		ms = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000 - ago;
		t.tv_sec = (time_t)(ms / 1000);
		localtime_r(&t.tv_sec, &tm);
		wl_ago(ago, when, sizeof(when));
		wl_text(out, "  %-12s %02d:%02d:%02d.%03d (%s ago)", "first seen",
		    tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000), when);
	} else {
		wl_text(out, "  %-12s -", "first seen");
	}
}

size_t
watch_layout_kill_prompt(const struct ct_wview *v, uint32_t sock, char *buf,
    size_t size)
{
	char name[CT_CELL_MAX * 3 + 8];

	if (sock >= v->snap.socks.len)
		return (size_t)snprintf(buf, size, "kill: no socket here");
	wl_sock_name(v, sock, name, sizeof(name));
	return (size_t)snprintf(buf, size, "kill %s? y/n", name);
}

size_t
watch_layout_kill_result(const struct ct_wview *v, uint32_t sock, int rc,
    char *buf, size_t size)
{
	char name[CT_CELL_MAX * 3 + 8];

	if (sock >= v->snap.socks.len)
		return (size_t)snprintf(buf, size, "kill: no socket here");
	wl_sock_name(v, sock, name, sizeof(name));
	switch (rc) {
	case 0:
		return (size_t)snprintf(buf, size, "killed %s", name);
	case -ENOENT:
		return (size_t)snprintf(buf, size, "kill %s: already gone", name);
	case -EPERM:
	case -EACCES:
		return (size_t)snprintf(buf, size, "kill %s: killing needs "
		    "CAP_NET_ADMIN (run conntab as root)", name);
	case -EOPNOTSUPP:
		return (size_t)snprintf(buf, size, "kill %s: this kernel cannot "
		    "destroy %s sockets (no SOCK_DESTROY: "
		    "CONFIG_INET_DIAG_DESTROY)", name,
		    sock_proto_name(v->snap.socks.v[sock].proto));
	}
	return (size_t)snprintf(buf, size, "kill %s: %s", name, strerror(-rc));
}

/* ---- the closed pane ---------------------------------------------------- */

/* The text of one field of row g into dst (size bytes), "-" when empty. */
static void
wl_cell_into(const struct ct_view *view, const struct ct_group *g,
    enum ct_field_id id, char *dst, size_t size)
{
	char cell[CT_CELL_MAX];
	bool is_null = false;
	size_t n = fields_get(id)->fmt(view, g, CT_PREFIX_NONE, cell, &is_null,
	    NULL);

	if (n == 0) {
		cell[0] = '-';
		n = 1;
	}
	if (n >= size)
		n = size - 1;
	memcpy(dst, cell, n);
	dst[n] = '\0';
}

void
watch_layout_closed_add(struct ct_wclosed_ring *r, const struct ct_closes *c,
    size_t i, const struct tm *tm, unsigned ms)
{
	const struct ct_close *cl = &c->v[i];
	const struct ct_sock *s = &c->snap->socks.v[cl->rec];
	const struct ct_tcpinfo *ti = sock_info(&c->snap->socks, s);
	const struct ct_view view = snap_view(c->snap);
	struct ct_wclosed *e;
	struct ct_group g;

	if (r->v == NULL)
		r->v = xcalloc(CT_WCLOSED_MAX, sizeof(*r->v));
	e = &r->v[r->next];
	r->next = (r->next + 1) % CT_WCLOSED_MAX;
	if (r->n < CT_WCLOSED_MAX)
		r->n++;
	r->total++;
	memset(e, 0, sizeof(*e));
	e->tm = *tm;
	e->ms = ms % 1000;
	group_row_set(&g, c->snap, s);
	wl_cell_into(&view, &g, CT_F_PROTO, e->proto, sizeof(e->proto));
	wl_cell_into(&view, &g, CT_F_LOCAL, e->local, sizeof(e->local));
	wl_cell_into(&view, &g, CT_F_REMOTE, e->remote, sizeof(e->remote));
	wl_cell_into(&view, &g, CT_F_PROCESS, e->owner, sizeof(e->owner));
	wl_cell_into(&view, &g, CT_F_NETNS, e->netns, sizeof(e->netns));
	e->duration_ms = cl->sampled ? cl->duration_ms : -1;
	if (ti != NULL) {
		e->bytes = true;
		e->sent = ti->bytes_acked;
		e->recv = ti->bytes_received;
	}
}

void
watch_layout_closed_free(struct ct_wclosed_ring *r)
{
	if (r == NULL)
		return;
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* Seconds with milliseconds, "unsampled" for a socket no sample saw. */
static void
wl_duration(int64_t ms, char *buf, size_t size)
{
	if (ms < 0)
		snprintf(buf, size, "unsampled");
	else
		snprintf(buf, size, "%lld.%03llds", (long long)(ms / 1000),
		    (long long)(ms % 1000));
}

void
watch_layout_closed(const struct ct_wclosed_ring *r, struct ct_wtext *out)
{
	size_t wl = strlen("LOCAL"), wr = strlen("REMOTE"), wp = strlen("PROCESS");
	size_t k;
	bool netns = false;
	char dur[32], sent[8], recv[8];

	/* the entries, newest first: next - 1, next - 2, ... */
	for (k = 0; k < r->n; k++) {
		const struct ct_wclosed *e =
		    &r->v[(r->next + CT_WCLOSED_MAX - 1 - k) % CT_WCLOSED_MAX];

		wl = strlen(e->local) > wl ? strlen(e->local) : wl;
		wr = strlen(e->remote) > wr ? strlen(e->remote) : wr;
		wp = strlen(e->owner) > wp ? strlen(e->owner) : wp;
		if (k > 0 && strcmp(e->netns, r->v[(r->next + CT_WCLOSED_MAX -
		    1) % CT_WCLOSED_MAX].netns) != 0)
			netns = true;
	}
	wl_text(out, "closed: the last %zu of %zu closes, newest first "
	    "(c or Esc: back)", r->n, r->total);
	wl_text(out, "%-12s %-5s %-*s %-*s %-*s %10s %5s %5s%s", "TIME", "PROTO",
	    (int)wl, "LOCAL", (int)wr, "REMOTE", (int)wp, "PROCESS", "DURATION",
	    "SENT", "RECV", netns ? " NETNS" : "");
	for (k = 0; k < r->n; k++) {
		const struct ct_wclosed *e =
		    &r->v[(r->next + CT_WCLOSED_MAX - 1 - k) % CT_WCLOSED_MAX];

		wl_duration(e->duration_ms, dur, sizeof(dur));
		if (e->bytes) {
			watch_layout_rate(e->sent, sent);
			watch_layout_rate(e->recv, recv);
		} else {
			snprintf(sent, sizeof(sent), "-");
			snprintf(recv, sizeof(recv), "-");
		}
		wl_text(out, "%02d:%02d:%02d.%03u %-5s %-*s %-*s %-*s %10s %5s "
		    "%5s%s%s", e->tm.tm_hour, e->tm.tm_min, e->tm.tm_sec, e->ms,
		    e->proto, (int)wl, e->local, (int)wr, e->remote, (int)wp,
		    e->owner, dur, sent, recv, netns ? " " : "",
		    netns ? e->netns : "");
	}
}
