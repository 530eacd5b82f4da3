/*
 * The figures of --format prometheus and openmetrics: the summary of -s,
 * and the sockets counted per (proto, family, state) and per process name,
 * in one pass over the records. Process names are counted by name, never
 * by pid: a name is what an alert can hold on to, pids come and go.
 */
#include "metrics.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "opts.h"
#include "nstab.h"
#include "owners.h"
#include "portrange.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

/*
 * Cells are keyed by small numbers: a protocol (TCP, UDP, or one this
 * build does not know), a family or a name, and a state. The kernel's
 * states are below 16; anything else counts as state 0, which spells
 * "UNKNOWN" like them. Every record of a cell spells the same labels.
 */
#define PROTOS		3
#define STATES		16
#define SOCK_CELL(p, f, st)	(((size_t)(p) * 2 + (f)) * STATES + (st))
#define PROC_CELL(n, p, st)	(((size_t)(n) * PROTOS + (p)) * STATES + (st))

/* One group being counted: its records, and the first of them. */
struct metrics_cell {
	uint32_t	 count;
	uint32_t	 rep;		/* 1 + index of its first record; 0 = none */
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

static void
metrics_add(struct metrics_cell *c, size_t i)
{
	if (c->count++ == 0)
		c->rep = (uint32_t)i + 1;
}

/* The cells that hold records, in cell order, as rows of t. */
static void
metrics_rows(const struct ct_snap *snap, const struct metrics_cell *c,
    size_t ncells, struct ct_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < ncells; i++)
		n += c[i].count > 0;
	memset(t, 0, sizeof(*t));
	t->rows = xcalloc(n + 1, sizeof(*t->rows));
	t->grouped = 1;
	for (i = 0; i < ncells; i++) {
		struct ct_group *g;

		if (c[i].count == 0)
			continue;
		g = &t->rows[t->nrows++];
		g->first = &snap->socks.v[c[i].rep - 1];
		g->count = c[i].count;
	}
}

int
metrics_build(const struct ct_snap *snap, const struct ct_opts *o,
    struct ct_metrics *out)
{
	const struct ct_view view = snap_view(snap);
	const struct ct_owners *ow = &snap->owners;
	struct metrics_cell socks[PROTOS * 2 * STATES], *procs = NULL;
	const struct ct_netns *ns;
	struct ct_portrange dflt;
	uint32_t *rank = NULL;
	size_t i, nnames = 0;
	unsigned bit;

	memset(out, 0, sizeof(*out));
	memset(socks, 0, sizeof(socks));
	out->have_procs = !o->no_procs;
	if (out->have_procs) {
		rank = xcalloc(ow->ncomm + 1, sizeof(*rank));
		nnames = metrics_names(ow, rank);
		procs = xcalloc((nnames + 1) * PROTOS * STATES, sizeof(*procs));
	}
	for (i = 0; i < snap->socks.len; i++) {
		const struct ct_sock *s = &snap->socks.v[i];
		const struct ct_owner *w;
		int p = s->proto == IPPROTO_TCP ? 0 : s->proto == IPPROTO_UDP ? 1 : 2;
		uint8_t st = s->state < STATES ? s->state : 0;

		if (!filter_match(o->filter, &view, s))
			continue;
		metrics_add(&socks[SOCK_CELL(p, s->local.family == AF_INET6, st)], i);
		if (procs == NULL)
			continue;
		w = view_owner(&view, s);
		metrics_add(&procs[PROC_CELL(w != NULL && w->comm < ow->ncomm ?
		    rank[w->comm] : 0, p, st)], i);
	}
	metrics_rows(snap, socks, sizeof(socks) / sizeof(socks[0]), &out->sockets);
	if (procs != NULL)
		metrics_rows(snap, procs, (nnames + 1) * PROTOS * STATES, &out->procs);
	free(procs);
	free(rank);
	summary_build(snap, o, NULL, &out->sum);
	ns = nstab_get(&snap->nstab, 0);
	if (ns != NULL && ns->range != NULL) {
		out->ports_avail = ns->range->avail;
	} else {
		portrange_default(&dflt);
		out->ports_avail = dflt.avail;
	}
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
}
