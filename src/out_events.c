/*
 * The event stream: one line per socket that opened, closed or changed
 * state, for `conntab -w | tee log` where there is no terminal to draw on.
 */
#include "out_events.h"

#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fields.h"
#include "group.h"
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

void
out_events_write(FILE *fp, const struct ct_snap *snap, const struct ct_sock *s,
    enum ct_event ev, uint8_t old_state, const struct timespec *when,
    const struct ct_opts *o)
{
	const struct ct_view view = snap_view(snap);
	struct ct_group g;
	struct ct_cols cols;
	char stamp[48], cell[CT_CELL_MAX];
	size_t j, len;

	group_row_set(&g, snap, s);
	events_stamp(stamp, sizeof(stamp), when, o);
	if (o->format == CT_FMT_JSON) {
		/* the keys and values of the JSON table, so one parser reads both */
		out_json_keys(o, &cols);
		fprintf(fp, "{\"time\":\"%s\",\"event\":\"%s\"", stamp,
		    events_name(ev));
		if (ev == CT_EV_STATE)
			fprintf(fp, ",\"old_state\":\"%s\"",
			    sock_state_name(s->proto, old_state));
		if (cols.n > 0)
			putc_unlocked(',', fp);
		out_json_members(fp, snap, &g, &cols, NULL);
		fputs("}\n", fp);
		return;
	}
	if (o->cols_given)
		cols = o->cols;
	else
		events_default_cols(o, &cols);
	fprintf(fp, "%s %c", stamp, (char)ev);
	for (j = 0; j < cols.n; j++) {
		const struct ct_field *f = fields_get(cols.v[j].id);
		bool is_null = false;

		putc_unlocked(' ', fp);
		if (cols.v[j].id == CT_F_STATE && ev == CT_EV_STATE) {
			fputs(sock_state_name(s->proto, old_state), fp);
			fputs("->", fp);
		}
		len = f->fmt(&view, &g, cols.v[j].prefix, cell, &is_null, NULL);
		if (len == 0)
			putc_unlocked('-', fp);	/* never an empty field: awk counts */
		else
			fwrite(cell, 1, len, fp);
	}
	putc_unlocked('\n', fp);
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

size_t
out_events_diff(FILE *fp, const struct ct_snap *prev, const struct ct_snap *cur,
    const struct ct_diff *d, const struct timespec *when,
    const struct ct_opts *o)
{
	const struct ct_sock **v;
	size_t i, n = 0, total = 0;

	if (prev != NULL && d->nclosed > 0) {
		v = xcalloc(d->nclosed, sizeof(*v));
		for (i = 0; i < d->nclosed; i++)
			v[i] = &prev->socks.v[d->closed[i]];
		events_batch(fp, prev, v, d->nclosed, NULL, prev, when, o);
		total += d->nclosed;
		free(v);
	}
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
	return total + n;
}
