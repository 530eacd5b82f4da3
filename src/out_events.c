/*
 * The event stream: one line per socket that opened, closed or changed
 * state, for `conntab -w | tee log` where there is no terminal to draw on.
 */
#include "out_events.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fields.h"
#include "group.h"
#include "group_order.h"
#include "opts.h"
#include "out.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

/* The text line's columns unless -o chose them. */
static void
events_default_cols(const struct ct_opts *o, struct ct_cols *c)
{
	static const enum ct_field_id ids[] = { CT_F_PROTO, CT_F_STATE,
	    CT_F_LOCAL, CT_F_REMOTE, CT_F_PROCESS };
	size_t i;

	c->n = 0;
	if (o->all_netns) {		/* each line names its namespace */
		c->v[c->n].id = CT_F_NETNS;
		c->v[c->n++].prefix = -1;
	}
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (ids[i] == CT_F_PROCESS && o->no_procs)
			continue;
		c->v[c->n].id = ids[i];
		c->v[c->n++].prefix = -1;
	}
}

static const char *
events_name(enum ct_event ev)
{
	switch (ev) {
	case CT_EV_INITIAL:
		return "initial";
	case CT_EV_OPEN:
		return "open";
	case CT_EV_CLOSE:
		return "close";
	case CT_EV_STATE:
		return "state";
	}
	return "?";
}

/*
 * "2026-11-22T10:00:01Z", or with milliseconds, "...T10:00:01.250Z",
 * unless the interval is whole seconds: at -d 0.5 two samples a second
 * would read alike.
 */
static void
events_stamp(char *buf, size_t size, const struct timespec *when,
    const struct ct_opts *o)
{
	struct tm tm;
	size_t n;

	gmtime_r(&when->tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (o->interval_ms % 1000 != 0)
		snprintf(buf + n, size - n, ".%03ldZ", when->tv_nsec / 1000000);
	else
		snprintf(buf + n, size - n, "Z");
}

/* Add field id to c unless it is there already. */
static void
events_add_col(struct ct_cols *c, enum ct_field_id id)
{
	size_t j;

	for (j = 0; j < c->n; j++)
		if (c->v[j].id == id)
			return;
	if (c->n < CT_COLS_MAX) {
		c->v[c->n].id = id;
		c->v[c->n++].prefix = -1;
	}
}

/*
 * One event about row g (of record s of snap): cl is NULL, or the close
 * the ledger reported (then g carries its duration, and its record the
 * kernel's final tcp_info when it has them).
 */
static void
events_line(FILE *fp, const struct ct_snap *snap, const struct ct_group *g,
    enum ct_event ev, uint8_t old_state, const struct ct_close *cl,
    const struct timespec *when, const struct ct_opts *o)
{
	const struct ct_view view = snap_view(snap);
	const struct ct_sock *s = g->first;
	struct ct_cols cols;
	char stamp[48], cell[CT_CELL_MAX];
	size_t j, len;

	events_stamp(stamp, sizeof(stamp), when, o);
	if (o->format == CT_FMT_JSON) {
		/* the keys and values of the JSON table, so one parser reads both */
		out_json_keys(o, &cols);
		/* a close says how long it lived and what it moved, -i or not */
		if (cl != NULL && !o->cols_given) {
			events_add_col(&cols, CT_F_BYTES_SENT);
			events_add_col(&cols, CT_F_BYTES_RECV);
			events_add_col(&cols, CT_F_DURATION);
		}
		fprintf(fp, "{\"time\":\"%s\",\"event\":\"%s\"", stamp,
		    events_name(ev));
		if (ev == CT_EV_STATE)
			fprintf(fp, ",\"old_state\":\"%s\"",
			    sock_state_name(s->proto, old_state));
		if (cl != NULL)
			fprintf(fp, ",\"sampled\":%s,\"source\":\"%s\"",
			    cl->sampled ? "true" : "false",
			    cl->src == CT_CLOSE_KERNEL ? "kernel" : "sample");
		if (cols.n > 0)
			putc_unlocked(',', fp);
		out_json_members(fp, snap, g, &cols, NULL);
		fputs("}\n", fp);
		return;
	}
	if (o->cols_given) {
		cols = o->cols;
	} else {
		events_default_cols(o, &cols);
		if (cl != NULL) {
			events_add_col(&cols, CT_F_DURATION);
			events_add_col(&cols, CT_F_BYTES_SENT);
			events_add_col(&cols, CT_F_BYTES_RECV);
		}
	}
	fprintf(fp, "%s %c", stamp, (char)ev);
	for (j = 0; j < cols.n; j++) {
		const struct ct_field *f = fields_get(cols.v[j].id);
		bool is_null = false;

		putc_unlocked(' ', fp);
		if (cols.v[j].id == CT_F_STATE && ev == CT_EV_STATE) {
			fputs(sock_state_name(s->proto, old_state), fp);
			fputs("->", fp);
		}
		/* a socket no sample saw: say so, rather than an unknown "-" */
		if (cols.v[j].id == CT_F_DURATION && cl != NULL && !cl->sampled) {
			fputs("unsampled", fp);
			continue;
		}
		len = f->fmt(&view, g, cols.v[j].prefix, cell, &is_null, NULL);
		if (len == 0)
			putc_unlocked('-', fp);	/* never an empty field: awk counts */
		else
			fwrite(cell, 1, len, fp);
	}
	putc_unlocked('\n', fp);
}

void
out_events_write(FILE *fp, const struct ct_snap *snap, const struct ct_sock *s,
    enum ct_event ev, uint8_t old_state, const struct timespec *when,
    const struct ct_opts *o)
{
	struct ct_group g;

	group_row_set(&g, snap, s);
	events_line(fp, snap, &g, ev, old_state, NULL, when, o);
}

void
out_events_close(FILE *fp, const struct ct_closes *c, size_t i,
    const struct timespec *when, const struct ct_opts *o)
{
	const struct ct_close *cl = &c->v[i];
	struct ct_group g;

	group_row_set(&g, c->snap, &c->snap->socks.v[cl->rec]);
	g.has |= CT_G_CLOSED;
	g.duration_ms = cl->duration_ms;
	events_line(fp, c->snap, &g, CT_EV_CLOSE, 0, cl, when, o);
}

static int
events_sock_cmp(const void *x, const void *y)
{
	return group_cmp_default(*(const struct ct_sock *const *)x,
	    *(const struct ct_sock *const *)y);
}

/*
 * Sort v[0..n) of snap into the default order and write each with its
 * event. The kernel dumps in hash order; sorted, two runs over the same
 * changes write the same lines, and a log diffs cleanly.
 */
static void
events_batch(FILE *fp, const struct ct_snap *snap, const struct ct_sock **v,
    size_t n, const struct ct_diff *d, const struct ct_snap *prev,
    const struct timespec *when,
    const struct ct_opts *o)
{
	size_t i;

	qsort(v, n, sizeof(*v), events_sock_cmp);
	for (i = 0; i < n; i++) {
		enum ct_event ev = CT_EV_INITIAL;
		uint8_t old = 0;

		if (prev != NULL && snap == prev) {
			ev = CT_EV_CLOSE;
		} else if (d != NULL) {
			const struct ct_diff_sock *ds = &d->cur[v[i] - snap->socks.v];

			if (ds->flags & CT_DF_NEW) {
				ev = CT_EV_OPEN;
			} else if (ds->flags & CT_DF_STATE) {
				ev = CT_EV_STATE;
				old = ds->old_state;
			}
		}
		out_events_write(fp, snap, v[i], ev, old, when, o);
	}
}

/* The closes of one batch in the default order of their records. */
static int
events_close_cmp(const void *x, const void *y, void *arg)
{
	const struct ct_closes *c = arg;
	const struct ct_sock *a = &c->snap->socks.v[c->v[*(const size_t *)x].rec];
	const struct ct_sock *b = &c->snap->socks.v[c->v[*(const size_t *)y].rec];
	int r = group_cmp_default(a, b);

	return r != 0 ? r : (*(const size_t *)x > *(const size_t *)y) -
	    (*(const size_t *)x < *(const size_t *)y);
}

size_t
out_events_closes(FILE *fp, const struct ct_closes *c,
    const struct timespec *when, const struct ct_opts *o)
{
	size_t *idx, i;

	if (c->n == 0)
		return 0;
	idx = xcalloc(c->n, sizeof(*idx));
	for (i = 0; i < c->n; i++)
		idx[i] = i;
	qsort_r(idx, c->n, sizeof(*idx), events_close_cmp, (void *)c);
	for (i = 0; i < c->n; i++)
		out_events_close(fp, c, idx[i], when, o);
	free(idx);
	return c->n;
}

void
out_events_lost(FILE *fp, bool known, uint64_t lost,
    const struct timespec *when, const struct ct_opts *o)
{
	char stamp[48];

	events_stamp(stamp, sizeof(stamp), when, o);
	if (o->format == CT_FMT_JSON) {
		fprintf(fp, "{\"time\":\"%s\",\"event\":\"lost\",\"lost\":",
		    stamp);
		if (known)
			fprintf(fp, "%" PRIu64 "}\n", lost);
		else
			fputs("null}\n", fp);
		return;
	}
	if (known)
		fprintf(fp, "%s ! events lost: the kernel dropped %" PRIu64
		    " destroy events (its buffer overran); resync from a full "
		    "sample\n", stamp, lost);
	else
		fprintf(fp, "%s ! events lost: the kernel dropped destroy events "
		    "(its buffer overran); resync from a full sample\n", stamp);
}

size_t
out_events_diff(FILE *fp, const struct ct_snap *prev, const struct ct_snap *cur,
    const struct ct_diff *d, const struct timespec *when,
    const struct ct_opts *o)
{
	const struct ct_sock **v;
	size_t i, total = 0;

	if (prev != NULL && d->nclosed > 0) {
		v = xcalloc(d->nclosed, sizeof(*v));
		for (i = 0; i < d->nclosed; i++)
			v[i] = &prev->socks.v[d->closed[i]];
		events_batch(fp, prev, v, d->nclosed, NULL, prev, when, o);
		total += d->nclosed;
		free(v);
	}
	return total + out_events_changes(fp, prev, cur, d, when, o);
}

size_t
out_events_changes(FILE *fp, const struct ct_snap *prev,
    const struct ct_snap *cur, const struct ct_diff *d,
    const struct timespec *when, const struct ct_opts *o)
{
	const struct ct_sock **v;
	size_t i, n = 0;

	/* only what changed is gathered and sorted: a quiet sample costs O(n) */
	v = xcalloc(d->ncur, sizeof(*v));
	for (i = 0; i < d->ncur && i < cur->socks.len; i++) {
		uint8_t fl = d->cur[i].flags;

		if ((fl & CT_DF_MATCH) &&
		    (fl & (CT_DF_FIRST | CT_DF_NEW | CT_DF_STATE)))
			v[n++] = &cur->socks.v[i];
	}
	events_batch(fp, cur, v, n, d, prev, when, o);
	free(v);
	return n;
}
