/*
 * conntab -w: the live view on a terminal, drawn with curses, and the event
 * stream when there is no terminal. Both take a sample every interval with
 * one owner cache for the whole run, so /proc is read only for sockets not
 * seen before, and diff it against the previous one.
 *
 * What the view shows, row by row, comes from watch_layout.c; this file
 * owns the terminal, the clock and the keys. It is the only file that
 * includes <curses.h>.
 */
#include "watch.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "diff.h"
#include "fields.h"
#include "filter.h"
#include "metrics.h"
#include "opts.h"
#include "out_events.h"
#include "out_prom.h"
#include "output.h"
#include "snap.h"
#include "summary.h"
#include "util.h"
#include "watch_layout.h"

/* Set by the signal handler; read by both loops. Nothing else is safe there. */
static volatile sig_atomic_t watch_stop;
/* curses is up: watch_restore() has a terminal to give back. */
static bool watch_screen_up;
/* The exporter's file being written, for die() to remove. */
static struct ct_output *watch_out;

static void
watch_on_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/*
 * SIGINT, SIGTERM and SIGHUP end either loop. No SA_RESTART: the signal
 * interrupts getch() or poll(), so the loop sees the flag at once.
 */
static void
watch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static int64_t
watch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next sample time after one due at next: skip what was missed. */
static int64_t
watch_next(int64_t next, unsigned interval_ms, int64_t now)
{
	next += interval_ms;
	return next <= now ? now + interval_ms : next;
}

/* ---- the kernel's destroy events ----------------------------------------- */

/*
 * How long a socket gone from the samples waits for its destroy event
 * before the samples close it themselves (diff.h): long enough for the
 * kernel's work queue under load, short beside a person's attention.
 */
#define WATCH_GRACE_MS		1000
/*
 * After destroy events were read, the loops look again no sooner than
 * this: one wake-up reads a burst, at 10,000 closes a second too, and
 * the kernel's buffer holds far more than 5 ms of them.
 */
#define WATCH_EV_QUIET_MS	5

/* What a wait ended with. */
enum watch_woke { WW_DUE, WW_HEARD, WW_KEYS, WW_SIGNAL, WW_GONE, WW_STOP };

/* The descriptors a loop polls: its own first, then the event sockets. */
struct watch_fds {
	struct pollfd	*p;
	size_t		 n, cap;
	int		*ev;
	size_t		 capev;
};

static void
watch_fds_free(struct watch_fds *f)
{
	free(f->p);
	free(f->ev);
	memset(f, 0, sizeof(*f));
}

/* f->p[0..first) as the caller set them, then each event socket of sc. */
static void
watch_fds_events(struct watch_fds *f, size_t first, const struct ct_snap_cache *sc)
{
	size_t n = snap_events_fds(sc, NULL, 0), i;

	if (n > f->capev) {
		f->capev = n;
		f->ev = xreallocarray(f->ev, n, sizeof(*f->ev));
	}
	n = snap_events_fds(sc, f->ev, n);
	if (first + n > f->cap) {
		f->cap = first + n;
		f->p = xreallocarray(f->p, f->cap, sizeof(*f->p));
	}
	for (i = 0; i < n; i++) {
		f->p[first + i].fd = f->ev[i];
		f->p[first + i].events = POLLIN;
		f->p[first + i].revents = 0;
	}
	f->n = first + n;
}

/* Room for the caller's own first descriptors. */
static void
watch_fds_own(struct watch_fds *f, size_t first)
{
	if (f->cap < first) {
		f->cap = first;
		f->p = xreallocarray(f->p, f->cap, sizeof(*f->p));
	}
	f->n = first;
}

/*
 * Wait until deadline (monotonic ms), a signal, or: destroy events to
 * read (WW_HEARD; not before *quiet; hear false: never), a key (WW_KEYS,
 * with keys the fd of the terminal, or -1; WW_SIGNAL when a signal came,
 * SIGWINCH perhaps, which curses turns into a key), or the reader of out
 * gone (WW_GONE: a pipe's
 * write end polls POLLERR then, so `conntab -w | head -1` ends even when
 * no event comes to fail a write). out -1: none.
 */
static enum watch_woke
watch_wait(struct watch_fds *f, const struct ct_snap_cache *sc, int out,
    int keys, int64_t deadline, int64_t *quiet, bool hear)
{
	size_t own, i;
	int64_t now, until;
	int r;

	for (;;) {
		if (watch_stop)
			return WW_STOP;
		if ((now = watch_now_ms()) >= deadline)
			return WW_DUE;
		own = 0;
		watch_fds_own(f, 2);
		if (out >= 0) {
			f->p[own].fd = out;
			f->p[own].events = 0;
			f->p[own++].revents = 0;
		}
		if (keys >= 0) {
			f->p[own].fd = keys;
			f->p[own].events = POLLIN;
			f->p[own++].revents = 0;
		}
		until = deadline;
		if (hear && now >= *quiet)
			watch_fds_events(f, own, sc);
		else
			f->n = own;
		if (hear && now < *quiet && *quiet < until)
			until = *quiet;		/* then the events again */
		r = poll(f->p, f->n, until - now > 60000 ? 60000 : (int)(until - now));
		/* a signal: a stop (seen above), or SIGWINCH, which curses reads */
		if (r < 0 && errno == EINTR && keys >= 0)
			return WW_SIGNAL;
		if (r <= 0)
			continue;
		for (i = 0; i < f->n; i++) {
			if (f->p[i].revents == 0)
				continue;
			if (f->p[i].fd == out && out >= 0 && i == 0)
				return WW_GONE;
			if (f->p[i].fd == keys && i < own)
				return WW_KEYS;
			if (f->p[i].revents & (POLLIN | POLLERR)) {
				*quiet = now + WATCH_EV_QUIET_MS;
				return WW_HEARD;
			}
		}
	}
}

/*
 * Hear what the kernel destroyed since the last look: the closes into cl
 * (against last, the last sample), an overrun in *st (then the next
 * sample closes what it misses at once).
 */
static void
watch_hear(struct ct_snap_cache *sc, struct ct_ledger *lg,
    const struct ct_snap *last, const struct ct_opts *o, struct ct_closes *cl,
    struct ct_snap_evstat *st)
{
	struct ct_socklist ev;

	memset(&ev, 0, sizeof(ev));
	(void)snap_events_read(sc, &ev, st);	/* a socket that fails: unheard */
	if (ev.len > 0)
		diff_ledger_events(lg, last, &ev, o->filter, watch_now_ms(), cl);
	sock_list_free(&ev);
	if (st->overrun)
		diff_ledger_lost(lg);
}

/* ---- the event stream --------------------------------------------------- */

static void
watch_stream_warn(unsigned warn, unsigned *warned)
{
	unsigned bit;

	for (bit = 1; bit != 0 && bit <= warn; bit <<= 1) {
		if (!(warn & bit) || (*warned & bit))
			continue;
		*warned |= bit;
		fprintf(stderr, "conntab: warning: %s\n", snap_warn_text(bit));
	}
}

/* The closes of cl, and the line about an overrun, at the time now. */
static void
watch_stream_closes(FILE *fp, struct ct_closes *cl,
    const struct ct_snap_evstat *st, const struct ct_opts *o)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	out_events_closes(fp, cl, &now, o);
	if (st != NULL && st->overrun)
		out_events_lost(fp, st->lost_known, st->lost, &now, o);
	diff_closes_free(cl);
}

/* The stream's part of a loop: what it keeps between samples. */
struct watch_stream {
	struct ct_snap_cache *sc;
	struct ct_ledger *lg;
	struct ct_snap	 prev;		/* the last sample */
	bool		 have_prev;
	unsigned	 warned;
	int		 last_rc;
};

/*
 * A sample into the stream: first the closes the kernel told until now,
 * then those of the samples, then what opened or changed. -errno only
 * for a first sample that failed (*what says it).
 */
static int
watch_stream_sample(struct watch_stream *ws, struct ct_diag *d,
    const struct ct_opts *o, FILE *fp, const char **what)
{
	struct ct_snap_evstat st;
	struct ct_closes cl;
	struct ct_snap cur;
	struct ct_diff df;
	struct timespec now;
	int rc;

	if ((rc = snap_take_cached(d, o, ws->sc, &cur)) != 0) {
		if (!ws->have_prev) {
			*what = snap_failed_dump(&cur);
			return rc;
		}
		if (rc != ws->last_rc)	/* once per kind of failure */
			fprintf(stderr, "conntab: warning: %s: %s\n",
			    snap_failed_dump(&cur), strerror(-rc));
		ws->last_rc = rc;
		return 0;
	}
	ws->last_rc = 0;
	watch_stream_warn(cur.warn, &ws->warned);
	memset(&cl, 0, sizeof(cl));
	watch_hear(ws->sc, ws->lg, ws->have_prev ? &ws->prev : &cur, o, &cl, &st);
	watch_stream_closes(fp, &cl, &st, o);
	diff_build(ws->have_prev ? &ws->prev : NULL, &cur, o->filter, &df);
	diff_ledger_sample(ws->lg, ws->have_prev ? &ws->prev : NULL, &cur, &df,
	    &cl);
	watch_stream_closes(fp, &cl, NULL, o);
	clock_gettime(CLOCK_REALTIME, &now);
	out_events_changes(fp, ws->have_prev ? &ws->prev : NULL, &cur, &df, &now,
	    o);
	diff_free(&df);
	snap_free(&ws->prev);
	ws->prev = cur;
	ws->have_prev = true;
	return 0;
}

int
watch_stream(struct ct_diag *d, const struct ct_opts *o, FILE *fp,
    const char **what)
{
	struct watch_stream ws;
	struct watch_fds wf;
	struct ct_snap_evstat st;
	struct ct_closes cl;
	int64_t next, quiet = 0;
	int rc = 0;

	memset(&ws, 0, sizeof(ws));
	memset(&wf, 0, sizeof(wf));
	watch_signals();
	if (snap_cache_open(o, &ws.sc) != 0)
		ws.sc = NULL;		/* snap_take() tries /proc and warns */
	ws.lg = diff_ledger_open(WATCH_GRACE_MS);
	next = watch_now_ms();
	for (;;) {
		enum watch_woke why = watch_wait(&wf, ws.sc, fileno(fp), -1, next,
		    &quiet, ws.have_prev);

		if (why == WW_STOP || why == WW_GONE)
			break;
		if (why == WW_HEARD) {
			memset(&cl, 0, sizeof(cl));
			watch_hear(ws.sc, ws.lg, &ws.prev, o, &cl, &st);
			watch_stream_closes(fp, &cl, &st, o);
			if (st.overrun)
				next = watch_now_ms();	/* resync: a sample now */
		} else {
			if ((rc = watch_stream_sample(&ws, d, o, fp, what)) != 0)
				goto out;
			next = watch_next(next, o->interval_ms, watch_now_ms());
		}
		errno = 0;
		if (fflush(fp) != 0 || ferror(fp)) {
			rc = errno != 0 ? -errno : -EIO;
			*what = "write error";
			if (rc == -EPIPE)
				rc = 0;	/* the reader went away: done */
			goto out;
		}
	}
out:
	snap_free(&ws.prev);
	diff_ledger_free(ws.lg);
	snap_cache_free(ws.sc);
	watch_fds_free(&wf);
	return rc;
}

/* ---- the exporter ------------------------------------------------------- */

static void
watch_out_abort(void)
{
	output_abort(watch_out);
}

/* Seconds from the monotonic time t until now. */
static double
watch_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* One sample's metrics into o->output. 0 or -errno. */
static int
watch_export_write(const struct ct_opts *o, const struct ct_snap *snap,
    const struct ct_prom_meta *meta)
{
	struct ct_output out;
	struct ct_metrics m;
	int rc;

	metrics_build(snap, o, &m);
	if ((rc = output_open(&out, o->output)) == 0) {
		watch_out = &out;
		out_prom_write(out.fp, snap, &m, meta, o);
		rc = output_commit(&out);
		watch_out = NULL;
	}
	metrics_free(&m);
	return rc;
}

/*
 * The closes of cl (and an overrun) counted into c, per protocol, as the
 * stream would have written them; an overrun of unknown size counts one.
 */
static void
watch_count(struct ct_prom_counters *c, struct ct_closes *cl,
    const struct ct_snap_evstat *st)
{
	size_t i;

	for (i = 0; i < cl->n; i++) {
		uint8_t proto = cl->snap->socks.v[cl->v[i].rec].proto;

		if (proto == IPPROTO_TCP)
			c->closed_tcp++;
		else if (proto == IPPROTO_UDP)
			c->closed_udp++;
	}
	if (st != NULL && st->overrun)
		c->events_lost += st->lost_known && st->lost > 0 ? st->lost : 1;
	diff_closes_free(cl);
}

int
watch_export(struct ct_diag *d, const struct ct_opts *o, const char **what)
{
	struct ct_snap_cache *sc = NULL;
	struct ct_ledger *lg = diff_ledger_open(WATCH_GRACE_MS);
	struct ct_prom_counters counters;
	struct ct_snap_evstat st;
	struct ct_prom_meta meta;
	struct ct_closes cl;
	struct ct_snap prev, cur;
	struct ct_diff df;
	struct watch_fds wf;
	bool wrote = false, have_prev = false;
	unsigned warned = 0;
	int64_t next, quiet = 0;
	int rc = 0, last_rc = 0, last_wrc = 0;

	/* the close counters run from the start, fed by the destroy events */
	memset(&meta, 0, sizeof(meta));
	memset(&counters, 0, sizeof(counters));
	memset(&prev, 0, sizeof(prev));
	memset(&wf, 0, sizeof(wf));
	meta.counters = &counters;
	watch_signals();
	util_on_die(watch_out_abort);
	if (snap_cache_open(o, &sc) != 0)
		sc = NULL;		/* snap_take() tries /proc and warns */
	next = watch_now_ms();
	for (;;) {
		enum watch_woke why = watch_wait(&wf, sc, -1, -1, next, &quiet,
		    have_prev);

		if (why == WW_STOP)
			break;
		memset(&cl, 0, sizeof(cl));
		if (why == WW_HEARD) {
			watch_hear(sc, lg, &prev, o, &cl, &st);
			watch_count(&counters, &cl, &st);
			if (st.overrun)
				next = watch_now_ms();
			continue;
		}
		next = watch_next(next, o->interval_ms, watch_now_ms());
		if ((rc = snap_take_cached(d, o, sc, &cur)) != 0) {
			if (!wrote) {
				*what = snap_failed_dump(&cur);
				goto out;
			}
			if (rc != last_rc)	/* once per kind of failure */
				fprintf(stderr, "conntab: warning: %s: %s\n",
				    snap_failed_dump(&cur), strerror(-rc));
			last_rc = rc;
			rc = 0;
			continue;
		}
		last_rc = 0;
		meta.collect_seconds = watch_since(&cur.when);
		watch_stream_warn(cur.warn, &warned);
		watch_hear(sc, lg, have_prev ? &prev : &cur, o, &cl, &st);
		watch_count(&counters, &cl, &st);
		diff_build(have_prev ? &prev : NULL, &cur, o->filter, &df);
		diff_ledger_sample(lg, have_prev ? &prev : NULL, &cur, &df, &cl);
		watch_count(&counters, &cl, NULL);
		diff_free(&df);
		rc = watch_export_write(o, &cur, &meta);
		snap_free(&prev);
		prev = cur;
		have_prev = true;
		if (rc != 0 && !wrote) {
			*what = "output";
			goto out;
		}
		if (rc != 0 && rc != last_wrc)
			fprintf(stderr, "conntab: warning: --output: %s; "
			    "the file keeps the last sample\n", strerror(-rc));
		last_wrc = rc;
		wrote = wrote || rc == 0;
		rc = 0;
	}
out:
	util_on_die(NULL);
	snap_free(&prev);
	diff_ledger_free(lg);
	snap_cache_free(sc);
	watch_fds_free(&wf);
	return rc;
}

/* ---- the live view ------------------------------------------------------ */

/* Colour pairs, when the terminal has colours and the user wants them. */
enum { WP_NEW = 1, WP_HIGH, WP_STATE, WP_HEAD };

/* What takes the place of the table between the header and the status. */
enum watch_pane { WV_TABLE, WV_HELP, WV_DETAIL, WV_CLOSED };

struct watch_ui {
	struct ct_opts	 o;		/* the options, with the view's own filter */
	struct ct_diag	*d;		/* the namespace's socket (K, samples) */
	bool		 base_info;	/* -i: tcp_info always */
	bool		 want_info;	/* the columns on screen show tcp_info */
	struct ct_filter *filter;	/* a filter typed with /, owned here */
	char		*filter_text;	/* ... and its text */
	struct ct_snap_cache *sc;	/* owners remembered between samples */
	struct ct_ledger *lg;		/* the samples and the kernel's closes */
	struct ct_snap	 prev, cur;
	bool		 have_prev, have_cur;
	struct ct_diff	 diff;
	struct ct_wview	 view;
	struct tm	 when;		/* local time of the current sample */
	unsigned	 when_ms;	/* ... and its milliseconds */
	enum ct_wgroup	 group;
	enum ct_wsort	 sort;
	size_t		 top;		/* first body row on screen */
	size_t		 body;		/* body rows on screen at the last draw */
	size_t		 cursor;	/* the cursor's row */
	struct ct_wsel	 sel;		/* ... and the socket on it */
	enum watch_pane	 pane;
	size_t		 pane_top;	/* a pane's first line on screen */
	struct ct_wsel	 detail;	/* the socket the detail pane is about */
	struct ct_wtext	 detail_last;	/* ... as last drawn, for once it is gone */
	bool		 asking;	/* K: the question is on the status line */
	struct ct_wsel	 victim;	/* ... about this socket */
	char		 ask[320];
	struct ct_wclosed_ring closed;	/* the last closes, for the c pane */
	size_t		 nclosed;	/* closes reported since the last sample */
	struct watch_fds wf;
	int64_t		 quiet;		/* no event read before this (ms) */
	bool		 keys_dead;	/* stdin at its end: not polled */
	unsigned	 keys_idle;	/* ... readable without a key, times */
	bool		 paused, editing, color;
	char		 edit[256];
	size_t		 editlen;
	size_t		 edit_x;	/* the cursor's column on the status line */
	char		 status[320];	/* a message for the status line */
	bool		 status_error;	/* ... shown as an error */
	int64_t		 status_until;	/* monotonic ms; 0 = until replaced */
	const char	*failed_dump;	/* the dump the last failed sample names */
};

static void
watch_restore(void)
{
	if (!watch_screen_up)
		return;
	watch_screen_up = false;
	endwin();
	fflush(stdout);
}

static void
watch_message(struct watch_ui *w, bool error, int64_t ms, const char *msg)
{
	snprintf(w->status, sizeof(w->status), "%s", msg);
	w->status_error = error;
	w->status_until = ms > 0 ? watch_now_ms() + ms : 0;
}

/*
 * The columns whose fields the snapshot must fill: owners unless -P, and
 * the user's name, which the detail pane shows.
 */
static void
watch_view_cols(struct ct_opts *o)
{
	static const enum ct_field_id ids[] = { CT_F_PROTO, CT_F_STATE,
	    CT_F_LOCAL, CT_F_REMOTE, CT_F_PROCESS, CT_F_USER };
	size_t i;

	o->cols.n = 0;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (ids[i] == CT_F_PROCESS && o->no_procs)
			continue;
		o->cols.v[o->cols.n].id = ids[i];
		o->cols.v[o->cols.n++].prefix = -1;
	}
	o->cols_given = false;
	o->sort.n = 0;
	o->group.n = 0;
	o->format = CT_FMT_TABLE;
}

/* Keep the cursor on its socket, or, once that is gone, where it was. */
static void
watch_cursor_follow(struct watch_ui *w)
{
	size_t at = watch_layout_find(&w->view, &w->sel);

	if (at == SIZE_MAX)
		at = watch_layout_move(&w->view, w->cursor, 0);
	w->cursor = at != SIZE_MAX ? at : 0;
	watch_layout_select(&w->view, w->cursor, &w->sel);
}

/* Closes into the c pane's ring, and counted for the header. */
static void
watch_closes(struct watch_ui *w, struct ct_closes *cl)
{
	struct timespec now;
	struct tm tm;
	size_t i;

	if (cl->n > 0) {
		clock_gettime(CLOCK_REALTIME, &now);
		localtime_r(&now.tv_sec, &tm);
		for (i = 0; i < cl->n; i++)
			watch_layout_closed_add(&w->closed, cl, i, &tm,
			    (unsigned)(now.tv_nsec / 1000000));
		w->nclosed += cl->n;
	}
	diff_closes_free(cl);
}

/*
 * Hear the kernel's closes (against last). True after an overrun, which
 * the status line tells: then a sample resyncs at once.
 */
static bool
watch_view_hear(struct watch_ui *w, const struct ct_snap *last)
{
	struct ct_snap_evstat st;
	struct ct_closes cl;
	char msg[200];

	memset(&cl, 0, sizeof(cl));
	watch_hear(w->sc, w->lg, last, &w->o, &cl, &st);
	watch_closes(w, &cl);
	if (!st.overrun)
		return false;
	if (st.lost_known)
		snprintf(msg, sizeof(msg), "events lost: the kernel dropped %llu "
		    "destroy events; resynced from a full sample",
		    (unsigned long long)st.lost);
	else
		snprintf(msg, sizeof(msg), "events lost: the kernel dropped "
		    "destroy events; resynced from a full sample");
	watch_message(w, true, 10000, msg);
	return true;
}

/*
 * Take a sample and lay it out; a failure leaves the last one on screen,
 * with the error on the status line until a sample works again. The
 * previous sample is kept for the diff: what closed since, and the rates.
 * The closes the kernel told until now come first.
 */
static int
watch_sample(struct watch_ui *w)
{
	struct ct_snap next;
	struct ct_closes cl;
	struct timespec now;
	const int64_t *first;
	size_t nfirst;
	unsigned bit;
	char msg[200];
	int rc;

	/* tcp_info makes every record bigger: only when rates or rtt show */
	w->o.info = w->base_info || w->want_info;
	if ((rc = snap_take_cached(w->d, &w->o, w->sc, &next)) != 0) {
		w->failed_dump = snap_failed_dump(&next);
		snprintf(msg, sizeof(msg), "%s: %s", w->failed_dump,
		    strerror(-rc));
		watch_message(w, true, 0, msg);
		return rc;
	}
	if (w->status_error && w->status_until == 0)
		w->status[0] = '\0';	/* the dump works again */
	for (bit = 1; bit <= next.warn; bit <<= 1)
		if (next.warn & bit) {
			snprintf(msg, sizeof(msg), "warning: %s",
			    snap_warn_text(bit));
			watch_message(w, true, 5000, msg);
		}
	(void)watch_view_hear(w, w->have_cur ? &w->cur : &next);
	if (w->have_cur) {
		snap_free(&w->prev);
		w->prev = w->cur;
		w->have_prev = true;
	}
	w->cur = next;
	w->have_cur = true;
	diff_free(&w->diff);
	diff_build(w->have_prev ? &w->prev : NULL, &w->cur, w->o.filter,
	    &w->diff);
	memset(&cl, 0, sizeof(cl));
	diff_ledger_sample(w->lg, w->have_prev ? &w->prev : NULL, &w->cur,
	    &w->diff, &cl);
	watch_closes(w, &cl);
	first = diff_ledger_first(w->lg, &nfirst);
	watch_layout_free(&w->view);
	watch_layout_build_first(w->have_prev ? &w->prev : NULL, &w->cur,
	    &w->diff, first, nfirst, &w->view);
	/* closed per second: every close told, the kernel's between samples */
	w->view.tot.closed = w->have_prev ? w->nclosed : 0;
	w->nclosed = 0;
	watch_layout_arrange(&w->view, w->group, w->sort, w->o.reverse);
	watch_cursor_follow(w);
	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &w->when);
	w->when_ms = (unsigned)(now.tv_nsec / 1000000);
	return 0;
}

/* Forget the samples: the next one is a first one (nothing new, no rates). */
static void
watch_forget(struct watch_ui *w)
{
	snap_free(&w->prev);
	snap_free(&w->cur);
	w->have_prev = w->have_cur = false;
	diff_ledger_reset(w->lg);
}

static void
watch_colors(struct watch_ui *w)
{
	const char *nc = getenv("NO_COLOR");
	short bg = COLOR_BLACK;

	w->color = false;
	if (w->o.color_when == CT_COLOR_NEVER || !has_colors())
		return;
	if (w->o.color_when == CT_COLOR_AUTO && nc != NULL && nc[0] != '\0')
		return;
	if (start_color() != OK)
		return;
	if (use_default_colors() == OK)
		bg = -1;
	init_pair(WP_NEW, COLOR_GREEN, bg);
	init_pair(WP_HIGH, COLOR_RED, bg);
	init_pair(WP_STATE, COLOR_YELLOW, bg);
	init_pair(WP_HEAD, COLOR_CYAN, bg);
	w->color = true;
}

/*
 * The attributes of a body row. Colour only adds to bold, dim and
 * underline, so NO_COLOR and --color=never lose nothing but the hue, and
 * the mark character says the same in any case. The cursor's row is in
 * reverse video, whatever else it is.
 */
static attr_t
watch_row_attr(const struct watch_ui *w, const struct ct_wrow *r, bool cursor)
{
	attr_t rev = cursor ? A_REVERSE : 0;
	uint8_t mark;

	if (r->kind != CT_WR_SOCK)
		return rev | A_BOLD | (w->color ? COLOR_PAIR(WP_HEAD) : 0);
	mark = w->view.ws[r->sock].mark;
	if (mark & CT_WM_GONE)
		return rev | A_DIM;
	if (mark & CT_WM_NEW)
		return rev | A_BOLD | (w->color ? COLOR_PAIR(WP_NEW) : 0);
	if (mark & CT_WM_HIGH)
		return rev | A_BOLD | (w->color ? COLOR_PAIR(WP_HIGH) : A_UNDERLINE);
	if (mark & CT_WM_STATE)
		return rev | (w->color ? COLOR_PAIR(WP_STATE) : A_UNDERLINE);
	return rev | A_NORMAL;
}

/* Text at (y, 0), cut at the width, the rest of the line in attr too. */
static void
watch_put_line(int y, const char *s, int cols, attr_t attr, bool fill)
{
	int n = (int)strlen(s), x;

	if (cols <= 0)
		return;
	attrset(attr);
	mvaddnstr(y, 0, s, cols);
	for (x = n; fill && x < cols; x++)
		mvaddch(y, x, ' ');
	attrset(A_NORMAL);
}

/*
 * The help in place of the column header and the body, every line of it
 * filled to the edge: no table text shows beside it.
 */
static void
watch_draw_help(int rows, int cols)
{
	size_t i, n = watch_layout_help_rows(rows > 0 ? (size_t)rows : 0);
	char line[256];

	for (i = 0; i < n; i++) {
		watch_layout_help_line(i, (size_t)rows, (size_t)cols, line,
		    sizeof(line));
		watch_put_line((int)i + 1, line, cols, A_REVERSE, true);
	}
}

/*
 * A pane of text in place of the column header and the body (rows lines
 * from line 1): its first line and, with head, its second stay put as
 * titles; the rest scrolls from w->pane_top.
 */
static void
watch_draw_text(struct watch_ui *w, const struct ct_wtext *t, int rows,
    int cols, size_t head)
{
	size_t i, fixed = head < t->n ? head : t->n, room, maxtop;
	int y = 1;

	if (rows <= 0)
		return;
	for (i = 0; i < fixed && y <= rows; i++, y++)
		watch_put_line(y, t->line[i], cols, i == 0 ? A_BOLD : A_REVERSE,
		    i > 0);
	room = rows >= y ? (size_t)(rows - y + 1) : 0;
	maxtop = t->n - fixed > room ? t->n - fixed - room : 0;
	if (w->pane_top > maxtop)
		w->pane_top = maxtop;
	for (i = fixed + w->pane_top; i < t->n && y <= rows; i++, y++)
		watch_put_line(y, t->line[i], cols, A_NORMAL, false);
	w->body = room;
}

/* The detail pane: the socket as the view has it now, or as last drawn. */
static void
watch_draw_detail(struct watch_ui *w, int rows, int cols)
{
	size_t at = watch_layout_find(&w->view, &w->detail);
	struct timespec now;

	if (at != SIZE_MAX) {
		clock_gettime(CLOCK_REALTIME, &now);
		watch_layout_text_free(&w->detail_last);
		watch_layout_detail(&w->view, w->view.rows[at].sock,
		    watch_now_ms(), &now, &w->detail_last);
	}
	watch_draw_text(w, &w->detail_last, rows, cols, 1);
}

static void
watch_draw_closed(struct watch_ui *w, int rows, int cols)
{
	struct ct_wtext t;

	memset(&t, 0, sizeof(t));
	watch_layout_closed(&w->closed, &t);
	watch_draw_text(w, &t, rows, cols, 2);
	watch_layout_text_free(&t);
}

static void
watch_draw_status(struct watch_ui *w, int y, int cols)
{
	char line[512];

	if (w->editing) {
		w->edit_x = watch_layout_edit(w->edit, (size_t)cols, line,
		    sizeof(line));
		watch_put_line(y, line, cols, A_BOLD, true);
		return;
	}
	if (w->asking) {
		watch_put_line(y, w->ask, cols, A_BOLD | A_REVERSE, true);
		return;
	}
	if (w->status[0] != '\0' && w->status_until != 0 &&
	    watch_now_ms() >= w->status_until)
		w->status[0] = '\0';
	if (w->status[0] != '\0') {
		watch_put_line(y, w->status, cols,
		    w->status_error ? A_BOLD | (w->color ? COLOR_PAIR(WP_HIGH) :
		    A_REVERSE) : A_BOLD, true);
		return;
	}
	if (w->pane == WV_DETAIL || w->pane == WV_CLOSED) {
		snprintf(line, sizeof(line), "%s%s  Up Down: scroll  %s: back  "
		    "q quit", w->paused ? "PAUSED  " : "",
		    w->pane == WV_DETAIL ? "details" : "closed",
		    w->pane == WV_DETAIL ? "Enter Esc" : "c Esc");
		watch_put_line(y, line, cols, w->paused ? A_REVERSE : A_NORMAL,
		    true);
		return;
	}
	snprintf(line, sizeof(line),
	    "%sgroup %s  sort %s%s  row %zu of %zu  ? help  q quit",
	    w->paused ? "PAUSED  " : "", watch_layout_group_name(w->group),
	    watch_layout_sort_name(w->sort), w->o.reverse ? " (reversed)" : "",
	    w->view.nrows > 0 ? w->cursor + 1 : 0, w->view.nrows);
	watch_put_line(y, line, cols, w->paused ? A_REVERSE : A_NORMAL, true);
}

static void
watch_draw(struct watch_ui *w)
{
	int nlines = LINES, cols = COLS, body, i;
	struct ct_wfit fit;
	char line[1024];
	size_t maxtop;

	erase();
	/*
	 * Nothing on a screen one column wide: there the lower-right cell is
	 * column 0, and ncurses 6.4 (TERM=screen, inside tmux) reads the cell
	 * before the line to write it (valgrind under make memcheck).
	 */
	if (nlines <= 0 || cols < 2)
		return;
	body = nlines - 3 > 0 ? nlines - 3 : 0;
	w->body = (size_t)body;
	/* the cursor's row on screen, the page no further than it needs */
	if (w->cursor < w->top)
		w->top = w->cursor;
	if (body > 0 && w->cursor >= w->top + w->body)
		w->top = w->cursor - w->body + 1;
	maxtop = w->view.nrows > w->body ? w->view.nrows - w->body : 0;
	if (w->top > maxtop)
		w->top = maxtop;
	watch_layout_header(&w->view, &w->when, w->when_ms, w->o.interval_ms,
	    w->o.filter_text, (size_t)cols, line, sizeof(line));
	watch_put_line(0, line, cols, A_BOLD, false);
	watch_layout_fit(&w->view, (size_t)cols, !w->o.no_procs, w->sort, &fit);
	w->want_info = watch_layout_fit_info(&fit);
	if (w->pane == WV_HELP) {
		/* between the header and the status line, instead of the table */
		watch_draw_help(nlines - 2, cols);
	} else if (w->pane == WV_DETAIL) {
		watch_draw_detail(w, nlines - 2, cols);
	} else if (w->pane == WV_CLOSED) {
		watch_draw_closed(w, nlines - 2, cols);
	} else {
		if (nlines >= 3) {
			watch_layout_colhead(&fit, line, sizeof(line));
			watch_put_line(1, line, cols, A_REVERSE, true);
		}
		for (i = 0; i < body && w->top + (size_t)i < w->view.nrows; i++) {
			size_t ri = w->top + (size_t)i;
			const struct ct_wrow *r = &w->view.rows[ri];

			watch_layout_line(&w->view, r, &fit, line, sizeof(line));
			watch_put_line(2 + i, line, cols,
			    watch_row_attr(w, r, ri == w->cursor), ri == w->cursor);
		}
	}
	if (nlines >= 2)
		watch_draw_status(w, nlines - 1, cols);
	if (w->editing && nlines >= 2) {
		int x = (int)w->edit_x;

		move(nlines - 1, x < cols ? x : cols - 1);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

/* Enter in the filter editor: the text as one filter word, or none. */
static void
watch_apply_filter(struct watch_ui *w)
{
	struct ct_filter_error err;
	struct ct_filter *f = NULL;
	char *argv[1], msg[300];
	size_t b = 0, e = w->editlen;

	while (b < e && w->edit[b] == ' ')
		b++;
	while (e > b && w->edit[e - 1] == ' ')
		e--;
	w->edit[e] = '\0';
	argv[0] = w->edit + b;
	memset(&err, 0, sizeof(err));
	if (filter_parse(e > b ? 1 : 0, argv, &f, &err) != 0) {
		/* the old filter stays; err.msg is escaped already */
		snprintf(msg, sizeof(msg), "filter: %s", err.msg);
		watch_message(w, true, 10000, msg);
		return;
	}
	filter_free(w->filter);
	free(w->filter_text);
	w->filter = f;
	w->filter_text = xstrdup(w->edit + b);
	w->o.filter = f;
	w->o.filter_text = w->filter_text;
	w->top = 0;
	w->status[0] = '\0';
	watch_forget(w);	/* else what the old filter hid reads as new */
}

/* A key while the filter is edited. Returns true when editing ends. */
static bool
watch_edit_key(struct watch_ui *w, int ch)
{
	switch (ch) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		watch_apply_filter(w);
		return true;
	case 27:			/* Esc */
		return true;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (w->editlen > 0)
			w->edit[--w->editlen] = '\0';
		return false;
	case 21:			/* Ctrl-U */
		w->editlen = 0;
		w->edit[0] = '\0';
		return false;
	}
	if (ch >= 0x20 && ch < 0x7f && w->editlen + 1 < sizeof(w->edit)) {
		w->edit[w->editlen++] = (char)ch;
		w->edit[w->editlen] = '\0';
	}
	return false;
}

enum watch_act { WA_NONE, WA_QUIT, WA_SAMPLE };

/* K: ask about the socket sel names, if it is one that can go. */
static void
watch_ask_kill(struct watch_ui *w, const struct ct_wsel *sel)
{
	size_t at = watch_layout_find(&w->view, sel);

	if (at == SIZE_MAX) {
		watch_message(w, true, 3000, "kill: move the cursor to a socket");
		return;
	}
	if (w->view.ws[w->view.rows[at].sock].mark & CT_WM_GONE) {
		watch_message(w, true, 3000, "kill: that socket is closed already");
		return;
	}
	w->victim = *sel;
	watch_layout_kill_prompt(&w->view, w->view.rows[at].sock, w->ask,
	    sizeof(w->ask));
	w->asking = true;
}

/* The answer to the question K asked: y destroys, anything else cancels. */
static enum watch_act
watch_answer(struct watch_ui *w, int ch)
{
	size_t at;
	char msg[320];
	int rc;

	if (ch == KEY_RESIZE)
		return WA_NONE;		/* no answer: the question stays */
	w->asking = false;
	if (ch != 'y' && ch != 'Y') {
		watch_message(w, false, 3000, "kill: cancelled");
		return WA_NONE;
	}
	if ((at = watch_layout_find(&w->view, &w->victim)) == SIZE_MAX) {
		watch_message(w, true, 5000, "kill: that socket is gone already");
		return WA_SAMPLE;
	}
	rc = snap_destroy(w->d, w->sc, &w->view.snap,
	    &w->view.snap.socks.v[w->view.rows[at].sock]);
	watch_layout_kill_result(&w->view, w->view.rows[at].sock, rc, msg,
	    sizeof(msg));
	/* gone on its own meanwhile: it is gone all the same */
	watch_message(w, rc != 0 && rc != -ENOENT, 5000, msg);
	return WA_SAMPLE;
}

/* Scroll keys in a pane of text; true when ch was one. */
static bool
watch_pane_scroll(struct watch_ui *w, int ch)
{
	size_t page = w->body > 1 ? w->body - 1 : 1;

	switch (ch) {
	case KEY_UP:
	case 'k':
		if (w->pane_top > 0)
			w->pane_top--;
		return true;
	case KEY_DOWN:
	case 'j':
		w->pane_top++;		/* watch_draw_text() clamps it */
		return true;
	case KEY_PPAGE:
		w->pane_top = w->pane_top > page ? w->pane_top - page : 0;
		return true;
	case KEY_NPAGE:
		w->pane_top += page;
		return true;
	case KEY_HOME:
		w->pane_top = 0;
		return true;
	case KEY_END:
		w->pane_top = SIZE_MAX / 2;
		return true;
	}
	return false;
}

/* Move the cursor delta socket rows; it takes its socket along. */
static void
watch_cursor_move(struct watch_ui *w, long delta)
{
	size_t at = watch_layout_move(&w->view, w->cursor, delta);

	if (at == SIZE_MAX)
		return;
	w->cursor = at;
	watch_layout_select(&w->view, w->cursor, &w->sel);
}

static enum watch_act
watch_key(struct watch_ui *w, int ch)
{
	long page = w->body > 1 ? (long)w->body - 1 : 1;

	if (w->editing) {
		if (watch_edit_key(w, ch)) {
			w->editing = false;
			return w->have_cur ? WA_NONE : WA_SAMPLE;
		}
		return WA_NONE;
	}
	if (w->asking)
		return watch_answer(w, ch);
	if (ch == KEY_RESIZE)
		return WA_NONE;
	if (w->pane == WV_HELP) {
		w->pane = WV_TABLE;
		return ch == 'q' ? WA_QUIT : WA_NONE;
	}
	if (w->pane == WV_DETAIL || w->pane == WV_CLOSED) {
		if (ch == 'q' || ch == 'Q')
			return WA_QUIT;
		if (ch == 27 || (w->pane == WV_DETAIL && (ch == '\n' ||
		    ch == '\r' || ch == KEY_ENTER)) ||
		    (w->pane == WV_CLOSED && ch == 'c')) {
			w->pane = WV_TABLE;
			return WA_NONE;
		}
		if (ch == 'K' && w->pane == WV_DETAIL) {
			watch_ask_kill(w, &w->detail);
			return WA_NONE;
		}
		if (ch == ' ') {
			w->paused = !w->paused;
			return w->paused ? WA_NONE : WA_SAMPLE;
		}
		(void)watch_pane_scroll(w, ch);
		return WA_NONE;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return WA_QUIT;
	case ' ':
		w->paused = !w->paused;
		return w->paused ? WA_NONE : WA_SAMPLE;
	case 'g':
		/* by namespace and by container: with --all-netns only */
		do {
			w->group = (enum ct_wgroup)((w->group + 1) % CT_WG_N);
		} while (!w->o.all_netns && (w->group == CT_WG_NETNS ||
		    w->group == CT_WG_CONTAINER));
		w->top = 0;
		watch_layout_arrange(&w->view, w->group, w->sort, w->o.reverse);
		watch_cursor_follow(w);
		break;
	case 's':
		w->sort = (enum ct_wsort)((w->sort + 1) % CT_WS_N);
		watch_layout_arrange(&w->view, w->group, w->sort, w->o.reverse);
		watch_cursor_follow(w);
		break;
	case '/':
		w->editing = true;
		snprintf(w->edit, sizeof(w->edit), "%s",
		    w->o.filter_text != NULL ? w->o.filter_text : "");
		w->editlen = strlen(w->edit);
		break;
	case '?':
		w->pane = WV_HELP;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (!watch_layout_select(&w->view, w->cursor, &w->detail)) {
			watch_message(w, true, 3000, "details: move the cursor "
			    "to a socket");
			break;
		}
		watch_layout_text_free(&w->detail_last);
		w->pane = WV_DETAIL;
		w->pane_top = 0;
		break;
	case 'K':
		watch_ask_kill(w, &w->sel);
		break;
	case 'c':
		w->pane = WV_CLOSED;
		w->pane_top = 0;
		break;
	case KEY_UP:
	case 'k':
		watch_cursor_move(w, -1);
		break;
	case KEY_DOWN:
	case 'j':
		watch_cursor_move(w, 1);
		break;
	case KEY_PPAGE:
		watch_cursor_move(w, -page);
		break;
	case KEY_NPAGE:
		watch_cursor_move(w, page);
		break;
	case KEY_HOME:
		watch_cursor_move(w, -(long)(SIZE_MAX / 4));
		break;
	case KEY_END:
		watch_cursor_move(w, (long)(SIZE_MAX / 4));
		break;
	case 12:			/* Ctrl-L: repaint everything */
		clearok(curscr, TRUE);
		break;
	}
	return WA_NONE;
}

/* Can the terminal setupterm() found move the cursor anywhere? */
static bool
watch_term_addressable(void)
{
	const char *cup = tigetstr("cup");

	return cup != NULL && cup != (char *)-1 && tigetflag("hc") <= 0 &&
	    tigetflag("gn") <= 0;
}

static void
watch_ui_free(struct watch_ui *w)
{
	watch_layout_free(&w->view);
	diff_free(&w->diff);
	watch_forget(w);
	diff_ledger_free(w->lg);
	snap_cache_free(w->sc);
	filter_free(w->filter);
	free(w->filter_text);
	watch_layout_text_free(&w->detail_last);
	watch_layout_closed_free(&w->closed);
	watch_fds_free(&w->wf);
}

/*
 * Every key curses has for us now, without waiting; a stdin at its end
 * (poll says readable, there is never a key) is not polled any more.
 */
static enum watch_act
watch_keys(struct watch_ui *w, bool polled)
{
	enum watch_act act = WA_NONE, a;
	int ch, n = 0;

	timeout(0);
	while (act != WA_QUIT && (ch = getch()) != ERR) {
		n++;
		if ((a = watch_key(w, ch)) != WA_NONE)
			act = a;
	}
	/* readable three times over and never a key: its end */
	w->keys_idle = polled && n == 0 ? w->keys_idle + 1 : 0;
	if (w->keys_idle >= 3)
		w->keys_dead = true;
	return act;
}

int
watch_run(struct ct_diag *d, const struct ct_opts *o, const char **what)
{
	struct watch_ui *w = xcalloc(1, sizeof(*w));
	SCREEN *scr;
	int64_t next, now;
	bool dirty = true;
	int ch, rc = 0;

	/* a copy: / changes the filter, and the columns decide what is read */
	w->o = *o;
	w->d = d;
	watch_view_cols(&w->o);
	w->base_info = o->info;
	w->want_info = true;		/* until the first draw says otherwise */
	w->sort = CT_WS_DEFAULT;
	if (o->sort.n > 0 && watch_layout_sort_lookup(o->sort.v[0].id) >= 0)
		w->sort = (enum ct_wsort)watch_layout_sort_lookup(o->sort.v[0].id);
	if (snap_cache_open(o, &w->sc) != 0)
		w->sc = NULL;
	w->lg = diff_ledger_open(WATCH_GRACE_MS);
	watch_signals();
	/* the first sample before the screen: a failure is a plain message */
	if ((rc = watch_sample(w)) != 0) {
		*what = w->failed_dump;
		goto out;
	}
	/*
	 * Ask terminfo first: newterm() on an unknown TERM fails too, but
	 * leaves memory behind that nothing can free.
	 */
	if (setupterm(NULL, fileno(stdout), &ch) != OK) {
		*what = "terminal";
		rc = -ENOTTY;
		goto out;
	}
	/*
	 * One that cannot address the cursor (TERM=dumb, a printing or a
	 * generic terminal) would get blank lines and a status line glued
	 * to numbers: refuse it too, before the screen is touched.
	 */
	if (!watch_term_addressable()) {
		del_curterm(cur_term);
		*what = "cursor";
		rc = -ENOTTY;
		goto out;
	}
	del_curterm(cur_term);
	if ((scr = newterm(NULL, stdout, stdin)) == NULL) {
		*what = "terminal";
		rc = -ENOTTY;
		goto out;
	}
	/* from here on every way out, die() too, gives the terminal back */
	watch_screen_up = true;
	util_on_die(watch_restore);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(50);	/* Esc cancels an edit; no second's wait for it */
	watch_colors(w);
	next = watch_now_ms() + o->interval_ms;
	while (!watch_stop) {
		enum watch_act act = WA_NONE;
		enum watch_woke why;
		int64_t until;

		/* the kernel's closes alone change nothing on screen but a pane */
		if (dirty) {
			watch_draw(w);
			refresh();
		}
		/* poll() is the clock: a key, the kernel's closes, the sample */
		until = w->paused ? watch_now_ms() + 1000 : next;
		if (w->status_until != 0 && w->status_until < until)
			until = w->status_until;	/* a message to take away */
		why = watch_wait(&w->wf, w->sc, -1, w->keys_dead ? -1 :
		    fileno(stdin), until, &w->quiet, w->have_cur);
		if (why == WW_STOP)
			break;
		dirty = why != WW_HEARD || w->pane == WV_CLOSED;
		if (why == WW_HEARD && watch_view_hear(w, &w->cur))
			act = WA_SAMPLE;	/* an overrun: resync now */
		switch (watch_keys(w, why == WW_KEYS)) {
		case WA_QUIT:
			goto quit;
		case WA_SAMPLE:
			act = WA_SAMPLE;
			break;
		case WA_NONE:
			break;
		}
		now = watch_now_ms();
		if (act == WA_SAMPLE || (!w->paused && now >= next)) {
			dirty = true;
			watch_sample(w);
			next = watch_next(act == WA_SAMPLE ? now : next,
			    o->interval_ms, watch_now_ms());
		}
	}
quit:
	watch_restore();
	util_on_die(NULL);
	delscreen(scr);
out:
	watch_ui_free(w);
	free(w);
	return rc;
}
