/*
 * The figures of --format prometheus and openmetrics: the summary of -s,
 * and the sockets counted per (proto, family, state), per process name
 * and (--all-netns) per container, in one pass over the records, per
 * namespace with --all-netns. Process names are counted by name, never
 * by pid: a name is what an alert can hold on to, pids come and go.
 */
#include "metrics.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "label.h"
#include "opts.h"
#include "nstab.h"
#include "owners.h"
#include "portrange.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

/*
 * Cells are keyed by small numbers: a protocol (TCP, UDP, or one this
 * build does not know), a family, a name or a label, and a state. The
 * kernel's states are below 16; anything else counts as state 0, which
 * spells "UNKNOWN" like them. Every record of a cell spells the same
 * labels. With --all-netns the namespace is one more key, outermost:
 * the records are counted one namespace at a time (see metrics_count).
 */
#define PROTOS		3
#define STATES		16
#define SOCK_CELLS	(PROTOS * 2 * STATES)
#define SOCK_CELL(p, f, st)	(((size_t)(p) * 2 + (f)) * STATES + (st))
#define NAME_CELL(n, p, st)	(((size_t)(n) * PROTOS + (p)) * STATES + (st))

/* One group being counted: its records, and the first of them. */
struct metrics_cell {
	uint32_t	 count;
	uint32_t	 rep;		/* 1 + index of its first record */
};

/*
 * One table being counted, a namespace at a time. The cells of one
 * namespace are dense; the ones it touched are listed, so that going on
 * to the next namespace costs what this one counted, not the whole key
 * space: names times states times namespaces would not fit in memory.
 */
struct metrics_count {
	struct metrics_cell *c;
	uint32_t	*touched;	/* cells counted in this namespace */
	size_t		 ntouched;
	struct ct_table	*t;		/* the rows so far */
	size_t		 cap;		/* rows t has room for */
};

static int
metrics_comm_cmp(const void *x, const void *y, void *arg)
{
	const struct ct_owners *o = arg;

	return strncmp(o->comm[*(const uint32_t *)x], o->comm[*(const uint32_t *)y],
	    CT_COMM_SIZE);
}

/*
 * The owner table keeps a name per process: map each to its distinct
 * name's rank, 1-based, in strcmp() order. Returns the number of names.
 */
static size_t
metrics_names(const struct ct_owners *o, uint32_t *rank)
{
	uint32_t *idx = xcalloc(o->ncomm + 1, sizeof(*idx));
	size_t i, n = 0;

	for (i = 0; i < o->ncomm; i++)
		idx[i] = (uint32_t)i;
	qsort_r(idx, o->ncomm, sizeof(*idx), metrics_comm_cmp, (void *)o);
	for (i = 0; i < o->ncomm; i++) {
		if (i == 0 || strncmp(o->comm[idx[i - 1]], o->comm[idx[i]],
		    CT_COMM_SIZE) != 0)
			n++;
		rank[idx[i]] = (uint32_t)n;
	}
	free(idx);
	return n;
}

static int
metrics_label_cmp(const void *x, const void *y, void *arg)
{
	const struct ct_labels *l = arg;
	const struct ct_label *a = &l->v[*(const uint32_t *)x];
	const struct ct_label *b = &l->v[*(const uint32_t *)y];
	int c = strcmp(a->container, b->container);

	return c != 0 ? c : strcmp(a->pod, b->pod);
}

/*
 * Labels differ by their unit too, which the container family does not
 * show: map each label to the rank of its (container, pod), 1-based in
 * strcmp() order, and to 0 when it names neither. Returns the ranks.
 */
static size_t
metrics_containers(const struct ct_labels *l, uint32_t *rank)
{
	uint32_t *idx = xcalloc(l->len + 1, sizeof(*idx));
	size_t i, n = 0;

	for (i = 0; i < l->len; i++)
		idx[i] = (uint32_t)i;
	qsort_r(idx, l->len, sizeof(*idx), metrics_label_cmp, (void *)l);
	for (i = 0; i < l->len; i++) {
		const struct ct_label *lab = &l->v[idx[i]];

		if (lab->container[0] == '\0' && lab->pod[0] == '\0') {
			rank[idx[i]] = 0;
			continue;
		}
		if (n == 0 || metrics_label_cmp(&idx[i - 1], &idx[i], (void *)l) != 0)
			n++;
		rank[idx[i]] = (uint32_t)n;
	}
	free(idx);
	return n;
}

static void
metrics_count_init(struct metrics_count *mc, size_t ncells, size_t nrecords,
    struct ct_table *t)
{
	memset(mc, 0, sizeof(*mc));
	mc->c = xcalloc(ncells, sizeof(*mc->c));
	/* a namespace touches no more cells than there are, or records */
	mc->touched = xcalloc((ncells < nrecords ? ncells : nrecords) + 1,
	    sizeof(*mc->touched));
	mc->t = t;
	memset(t, 0, sizeof(*t));
	mc->cap = 16;
	t->rows = xcalloc(mc->cap, sizeof(*t->rows));
	t->grouped = 1;
}

static void
metrics_count_add(struct metrics_count *mc, size_t cell, size_t i)
{
	struct metrics_cell *c = &mc->c[cell];

	if (c->count++ == 0) {
		c->rep = (uint32_t)i + 1;
		mc->touched[mc->ntouched++] = (uint32_t)cell;
	}
}

static int
metrics_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The cells this namespace counted, in cell order, as rows; cells zeroed. */
static void
metrics_count_flush(const struct ct_snap *snap, struct metrics_count *mc)
{
	struct ct_table *t = mc->t;
	size_t i;

	if (mc->ntouched > 1)
		qsort(mc->touched, mc->ntouched, sizeof(*mc->touched),
		    metrics_u32_cmp);
	for (i = 0; i < mc->ntouched; i++) {
		struct metrics_cell *c = &mc->c[mc->touched[i]];
		struct ct_group *g;

		if (t->nrows == mc->cap) {
			mc->cap *= 2;
			t->rows = xreallocarray(t->rows, mc->cap, sizeof(*t->rows));
		}
		g = &t->rows[t->nrows++];
		memset(g, 0, sizeof(*g));
		g->first = &snap->socks.v[c->rep - 1];
		g->count = c->count;
		memset(c, 0, sizeof(*c));
	}
	mc->ntouched = 0;
}

static void
metrics_count_free(struct metrics_count *mc)
{
	free(mc->c);
	free(mc->touched);
}

/*
 * Can the filter match anything in namespace ns, in a dump conntab makes?
 * Its netns terms are constants there (filter_kernel_ns()): a namespace
 * the filter leaves out gets no zeros and no ports_avail of its own.
 */
static bool
metrics_ns_shown(const struct ct_opts *o, const struct ct_netns *ns)
{
	static const struct {
		uint8_t		 family, proto;
		unsigned	 fopt, popt;
	} dumps[] = {
		{ AF_INET, IPPROTO_TCP, CT_FAM_4, CT_P_TCP },
		{ AF_INET6, IPPROTO_TCP, CT_FAM_6, CT_P_TCP },
		{ AF_INET, IPPROTO_UDP, CT_FAM_4, CT_P_UDP },
		{ AF_INET6, IPPROTO_UDP, CT_FAM_6, CT_P_UDP },
	};
	struct ct_kfilter k;
	size_t i;
	bool skip;

	if (ns->flags & (CT_NS_GONE | CT_NS_REFUSED))
		return false;
	if (o->filter == NULL)
		return true;
	for (i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		if (!(o->families & dumps[i].fopt) || !(o->protos & dumps[i].popt))
			continue;
		if (filter_kernel_ns(o->filter, dumps[i].family, dumps[i].proto,
		    CT_STATES_ALL, ns, &k) != 0)
			return true;		/* cannot tell: keep it */
		skip = k.skip;
		filter_kernel_free(&k);
		if (!skip)
			return true;
	}
	return false;
}

/*
 * --all-netns: whether each namespace is shown, and its port range (the
 * kernel's defaults, set later, where it was not read: as summary_build()).
 */
static void
metrics_namespaces(const struct ct_snap *snap, const struct ct_opts *o,
    struct ct_metrics *out)
{
	size_t i;

	out->nns = snap->nstab.len;
	out->ns = xcalloc(out->nns + 1, sizeof(*out->ns));
	for (i = 0; i < out->nns; i++) {
		const struct ct_netns *ns = &snap->nstab.v[i];

		out->ns[i].shown = metrics_ns_shown(o, ns);
		if (ns->range != NULL)
			out->ns[i].ports_avail = ns->range->avail;
	}
}

/*
 * The records in namespace order: a counting sort on ct_sock.netns (a
 * record naming no namespace of the table goes last, after them all).
 * The snapshot gathers each namespace's records together, but a table
 * copied between the live view's samples need not be.
 */
static uint32_t *
metrics_ns_order(const struct ct_snap *snap, size_t **startp)
{
	size_t nns = snap->nstab.len, n = snap->socks.len, i, *start;
	uint32_t *order = xcalloc(n + 1, sizeof(*order));

	start = xcalloc(nns + 2, sizeof(*start));
	for (i = 0; i < n; i++) {
		size_t b = snap->socks.v[i].netns < nns ? snap->socks.v[i].netns : nns;

		start[b + 1]++;
	}
	for (i = 1; i <= nns + 1; i++)
		start[i] += start[i - 1];
	for (i = 0; i < n; i++) {
		size_t b = snap->socks.v[i].netns < nns ? snap->socks.v[i].netns : nns;

		order[start[b]++] = (uint32_t)i;
	}
	/* start[b] is now where bucket b ends: shift back to where it begins */
	memmove(start + 1, start, (nns + 1) * sizeof(*start));
	start[0] = 0;
	*startp = start;
	return order;
}

int
metrics_build(const struct ct_snap *snap, const struct ct_opts *o,
    struct ct_metrics *out)
{
	const struct ct_view view = snap_view(snap);
	const struct ct_owners *ow = &snap->owners;
	const struct ct_labels *lb = &snap->labels;
	struct metrics_count socks, procs, conts;
	const struct ct_netns *ns;
	struct ct_portrange dflt;
	uint32_t *rank = NULL, *lrank = NULL, *order = NULL;
	size_t *start = NULL, nbuckets = 1, b, k, i, nnames = 0, nconts = 0;
	size_t n = snap->socks.len;
	unsigned bit;

	memset(out, 0, sizeof(*out));
	out->have_procs = !o->no_procs;
	out->have_containers = o->all_netns && !o->no_procs;
	metrics_count_init(&socks, SOCK_CELLS, n, &out->sockets);
	if (out->have_procs) {
		rank = xcalloc(ow->ncomm + 1, sizeof(*rank));
		nnames = metrics_names(ow, rank);
		metrics_count_init(&procs, (nnames + 1) * PROTOS * STATES, n,
		    &out->procs);
	}
	if (out->have_containers) {
		lrank = xcalloc(lb->len + 1, sizeof(*lrank));
		nconts = metrics_containers(lb, lrank);
		metrics_count_init(&conts, (nconts + 1) * PROTOS * STATES, n,
		    &out->containers);
	}
	if (o->all_netns) {
		metrics_namespaces(snap, o, out);
		order = metrics_ns_order(snap, &start);
		nbuckets = snap->nstab.len + 1;
	}
	for (b = 0; b < nbuckets; b++) {
		size_t from = order != NULL ? start[b] : 0;
		size_t to = order != NULL ? start[b + 1] : n;

		for (k = from; k < to; k++) {
			const struct ct_sock *s;
			const struct ct_owner *w;
			uint32_t li;
			int p;
			uint8_t st;

			i = order != NULL ? order[k] : k;
			s = &snap->socks.v[i];
			if (!filter_match(o->filter, &view, s))
				continue;
			if (b < out->nns)
				out->ns[b].nsocks++;
			p = s->proto == IPPROTO_TCP ? 0 : s->proto == IPPROTO_UDP ? 1 : 2;
			st = s->state < STATES ? s->state : 0;
			metrics_count_add(&socks, SOCK_CELL(p,
			    s->local.family == AF_INET6, st), i);
			if (out->have_procs) {
				w = view_owner(&view, s);
				metrics_count_add(&procs, NAME_CELL(w != NULL &&
				    w->comm < ow->ncomm ? rank[w->comm] : 0, p, st), i);
			}
			if (out->have_containers) {
				li = view_label_idx(&view, s);
				metrics_count_add(&conts, NAME_CELL(li < lb->len ?
				    lrank[li] : 0, p, st), i);
			}
		}
		metrics_count_flush(snap, &socks);
		if (out->have_procs)
			metrics_count_flush(snap, &procs);
		if (out->have_containers)
			metrics_count_flush(snap, &conts);
	}
	metrics_count_free(&socks);
	if (out->have_procs)
		metrics_count_free(&procs);
	if (out->have_containers)
		metrics_count_free(&conts);
	free(order);
	free(start);
	free(rank);
	free(lrank);
	summary_build(snap, o, NULL, &out->sum);
	portrange_default(&dflt);
	ns = nstab_get(&snap->nstab, 0);
	out->ports_avail = ns != NULL && ns->range != NULL ? ns->range->avail :
	    dflt.avail;
	for (i = 0; i < out->nns; i++)
		if (snap->nstab.v[i].range == NULL)
			out->ns[i].ports_avail = dflt.avail;
	/* CT_WARN_RANGE among them: a range that could not be read */
	for (bit = 1; bit != 0; bit <<= 1)
		out->warnings += (snap->warn & bit) != 0;
	return 0;
}

void
metrics_free(struct ct_metrics *m)
{
	if (m == NULL)
		return;
	summary_free(&m->sum);
	group_table_free(&m->sockets);
	group_table_free(&m->procs);
	group_table_free(&m->containers);
	free(m->ns);
	m->ns = NULL;
	m->nns = 0;
}
