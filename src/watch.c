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

/* ---- the event stream --------------------------------------------------- */

/*
 * Wait until deadline (monotonic ms) or a signal. Returns false when the
 * reader of fp has gone away: a pipe's write end polls POLLERR then, so
 * `conntab -w | head -1` ends even when no event comes to fail a write.
 * fp NULL: only the clock and the signals.
 */
static bool
watch_stream_wait(FILE *fp, int64_t deadline)
{
	struct pollfd pfd = { .fd = fp != NULL ? fileno(fp) : -1, .events = 0 };
	int64_t left;

	while (!watch_stop && (left = deadline - watch_now_ms()) > 0) {
		pfd.revents = 0;
		if (poll(&pfd, pfd.fd >= 0 ? 1 : 0,
		    left > 60000 ? 60000 : (int)left) > 0 &&
		    (pfd.revents & (POLLERR | POLLHUP)))
			return false;
	}
	return true;
}

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

int
watch_stream(struct ct_diag *d, const struct ct_opts *o, FILE *fp,
    const char **what)
{
	struct ct_snap_cache *sc = NULL;
	struct ct_snap prev, cur;
	struct ct_diff df;
	struct timespec now;
	bool have_prev = false;
	unsigned warned = 0;
	int64_t next;
	int rc = 0, last_rc = 0;

	memset(&prev, 0, sizeof(prev));
	watch_signals();
	if (snap_cache_open(o, &sc) != 0)
		sc = NULL;		/* snap_take() tries /proc and warns */
	next = watch_now_ms();
	while (!watch_stop) {
		if ((rc = snap_take_cached(d, o, sc, &cur)) != 0) {
			if (!have_prev) {
				*what = snap_failed_dump(&cur);
				goto out;
			}
			if (rc != last_rc)	/* once per kind of failure */
				fprintf(stderr, "conntab: warning: %s: %s\n",
				    snap_failed_dump(&cur), strerror(-rc));
			last_rc = rc;
			rc = 0;
		} else {
			last_rc = 0;
			watch_stream_warn(cur.warn, &warned);
			diff_build(have_prev ? &prev : NULL, &cur, o->filter, &df);
			clock_gettime(CLOCK_REALTIME, &now);
			out_events_diff(fp, have_prev ? &prev : NULL, &cur, &df,
			    &now, o);
			diff_free(&df);
			snap_free(&prev);
			prev = cur;
			have_prev = true;
			errno = 0;
			if (fflush(fp) != 0 || ferror(fp)) {
				rc = errno != 0 ? -errno : -EIO;
				*what = "write error";
				if (rc == -EPIPE)
					rc = 0;	/* the reader went away: done */
				goto out;
			}
		}
		next = watch_next(next, o->interval_ms, watch_now_ms());
		if (!watch_stream_wait(fp, next))
			break;
	}
out:
	snap_free(&prev);
	snap_cache_free(sc);
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

int
watch_export(struct ct_diag *d, const struct ct_opts *o, const char **what)
{
	struct ct_snap_cache *sc = NULL;
	struct ct_prom_meta meta;
	struct ct_snap cur;
	bool wrote = false;
	unsigned warned = 0;
	int64_t next;
	int rc = 0, last_rc = 0, last_wrc = 0;

	/*
	 * meta.counters stays NULL until the destroy events (issue 13) feed
	 * a struct ct_prom_counters kept here, across samples.
	 */
	memset(&meta, 0, sizeof(meta));
	watch_signals();
	util_on_die(watch_out_abort);
	if (snap_cache_open(o, &sc) != 0)
		sc = NULL;		/* snap_take() tries /proc and warns */
	next = watch_now_ms();
	while (!watch_stop) {
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
		} else {
			last_rc = 0;
			meta.collect_seconds = watch_since(&cur.when);
			watch_stream_warn(cur.warn, &warned);
			rc = watch_export_write(o, &cur, &meta);
			snap_free(&cur);
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
		next = watch_next(next, o->interval_ms, watch_now_ms());
		watch_stream_wait(NULL, next);
	}
out:
	util_on_die(NULL);
	snap_cache_free(sc);
	return rc;
}

/* ---- the live view ------------------------------------------------------ */

/* Colour pairs, when the terminal has colours and the user wants them. */
enum { WP_NEW = 1, WP_HIGH, WP_STATE, WP_HEAD };

struct watch_ui {
	struct ct_opts	 o;		/* the options, with the view's own filter */
	bool		 base_info;	/* -i: tcp_info always */
	bool		 want_info;	/* the columns on screen show tcp_info */
	struct ct_filter *filter;	/* a filter typed with /, owned here */
	char		*filter_text;	/* ... and its text */
	struct ct_snap_cache *sc;	/* owners remembered between samples */
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
	bool		 paused, help, editing, color;
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

/* The columns whose fields the snapshot must fill: owners unless -P. */
static void
watch_view_cols(struct ct_opts *o)
{
	static const enum ct_field_id ids[] = { CT_F_PROTO, CT_F_STATE,
	    CT_F_LOCAL, CT_F_REMOTE, CT_F_PROCESS };
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

/*
 * Take a sample and lay it out; a failure leaves the last one on screen,
 * with the error on the status line until a sample works again. The
 * previous sample is kept for the diff: what closed since, and the rates.
 */
static int
watch_sample(struct watch_ui *w, struct ct_diag *d)
{
	struct ct_snap next;
	struct timespec now;
	unsigned bit;
	char msg[200];
	int rc;

	/* tcp_info makes every record bigger: only when rates or rtt show */
	w->o.info = w->base_info || w->want_info;
	if ((rc = snap_take_cached(d, &w->o, w->sc, &next)) != 0) {
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
	watch_layout_free(&w->view);
	watch_layout_build(w->have_prev ? &w->prev : NULL, &w->cur, &w->diff,
	    &w->view);
	watch_layout_arrange(&w->view, w->group, w->sort, w->o.reverse);
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
 * the mark character says the same in any case.
 */
static attr_t
watch_row_attr(const struct watch_ui *w, const struct ct_wrow *r)
{
	uint8_t mark;

	if (r->kind != CT_WR_SOCK)
		return A_BOLD | (w->color ? COLOR_PAIR(WP_HEAD) : 0);
	mark = w->view.ws[r->sock].mark;
	if (mark & CT_WM_GONE)
		return A_DIM;
	if (mark & CT_WM_NEW)
		return A_BOLD | (w->color ? COLOR_PAIR(WP_NEW) : 0);
	if (mark & CT_WM_HIGH)
		return A_BOLD | (w->color ? COLOR_PAIR(WP_HIGH) : A_UNDERLINE);
	if (mark & CT_WM_STATE)
		return w->color ? COLOR_PAIR(WP_STATE) : A_UNDERLINE;
	return A_NORMAL;
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

static void
watch_draw_status(struct watch_ui *w, int y, int cols)
{
	char line[512];
	size_t end = w->top + w->body;

	if (w->editing) {
		w->edit_x = watch_layout_edit(w->edit, (size_t)cols, line,
		    sizeof(line));
		watch_put_line(y, line, cols, A_BOLD, true);
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
	if (end > w->view.nrows)
		end = w->view.nrows;
	snprintf(line, sizeof(line),
	    "%sgroup %s  sort %s%s  rows %zu-%zu of %zu  ? help  q quit",
	    w->paused ? "PAUSED  " : "", watch_layout_group_name(w->group),
	    watch_layout_sort_name(w->sort), w->o.reverse ? " (reversed)" : "",
	    w->view.nrows > 0 ? w->top + 1 : 0, end, w->view.nrows);
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
	maxtop = w->view.nrows > w->body ? w->view.nrows - w->body : 0;
	if (w->top > maxtop)
		w->top = maxtop;
	watch_layout_header(&w->view, &w->when, w->when_ms, w->o.interval_ms,
	    w->o.filter_text, (size_t)cols, line, sizeof(line));
	watch_put_line(0, line, cols, A_BOLD, false);
	watch_layout_fit(&w->view, (size_t)cols, !w->o.no_procs, w->sort, &fit);
	w->want_info = watch_layout_fit_info(&fit);
	if (w->help) {
		/* between the header and the status line, instead of the table */
		watch_draw_help(nlines - 2, cols);
	} else {
		if (nlines >= 3) {
			watch_layout_colhead(&fit, line, sizeof(line));
			watch_put_line(1, line, cols, A_REVERSE, true);
		}
		for (i = 0; i < body && w->top + (size_t)i < w->view.nrows; i++) {
			const struct ct_wrow *r = &w->view.rows[w->top + (size_t)i];

			watch_layout_line(&w->view, r, &fit, line, sizeof(line));
			watch_put_line(2 + i, line, cols, watch_row_attr(w, r),
			    false);
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

static enum watch_act
watch_key(struct watch_ui *w, int ch)
{
	size_t page = w->body > 1 ? w->body - 1 : 1;

	if (w->editing) {
		if (watch_edit_key(w, ch)) {
			w->editing = false;
			return w->have_cur ? WA_NONE : WA_SAMPLE;
		}
		return WA_NONE;
	}
	if (w->help && ch != KEY_RESIZE) {
		w->help = false;
		return ch == 'q' ? WA_QUIT : WA_NONE;
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
		break;
	case 's':
		w->sort = (enum ct_wsort)((w->sort + 1) % CT_WS_N);
		watch_layout_arrange(&w->view, w->group, w->sort, w->o.reverse);
		break;
	case '/':
		w->editing = true;
		snprintf(w->edit, sizeof(w->edit), "%s",
		    w->o.filter_text != NULL ? w->o.filter_text : "");
		w->editlen = strlen(w->edit);
		break;
	case '?':
		w->help = true;
		break;
	case KEY_UP:
	case 'k':
		if (w->top > 0)
			w->top--;
		break;
	case KEY_DOWN:
	case 'j':
		w->top++;		/* watch_draw() clamps it */
		break;
	case KEY_PPAGE:
		w->top = w->top > page ? w->top - page : 0;
		break;
	case KEY_NPAGE:
		w->top += page;
		break;
	case KEY_HOME:
		w->top = 0;
		break;
	case KEY_END:
		w->top = SIZE_MAX / 2;
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
	snap_cache_free(w->sc);
	filter_free(w->filter);
	free(w->filter_text);
}

int
watch_run(struct ct_diag *d, const struct ct_opts *o, const char **what)
{
	struct watch_ui *w = xcalloc(1, sizeof(*w));
	SCREEN *scr;
	int64_t next, now;
	int ch, rc = 0;

	/* a copy: / changes the filter, and the columns decide what is read */
	w->o = *o;
	watch_view_cols(&w->o);
	w->base_info = o->info;
	w->want_info = true;		/* until the first draw says otherwise */
	w->sort = CT_WS_DEFAULT;
	if (o->sort.n > 0 && watch_layout_sort_lookup(o->sort.v[0].id) >= 0)
		w->sort = (enum ct_wsort)watch_layout_sort_lookup(o->sort.v[0].id);
	if (snap_cache_open(o, &w->sc) != 0)
		w->sc = NULL;
	watch_signals();
	/* the first sample before the screen: a failure is a plain message */
	if ((rc = watch_sample(w, d)) != 0) {
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
		int wait;

		watch_draw(w);
		now = watch_now_ms();
		/* getch() is the clock: it waits for a key or the next sample */
		wait = w->paused ? 1000 : (next > now ? (int)(next - now) : 0);
		timeout(wait);
		if ((ch = getch()) != ERR)
			act = watch_key(w, ch);
		else if (!watch_stop && watch_now_ms() - now < wait / 2)
			/* no keys to read (stdin at its end): wait all the same */
			poll(NULL, 0, wait - (int)(watch_now_ms() - now));
		if (act == WA_QUIT)
			break;
		now = watch_now_ms();
		if (act == WA_SAMPLE || (!w->paused && now >= next)) {
			watch_sample(w, d);
			next = watch_next(act == WA_SAMPLE ? now : next,
			    o->interval_ms, watch_now_ms());
		}
	}
	watch_restore();
	util_on_die(NULL);
	delscreen(scr);
out:
	watch_ui_free(w);
	free(w);
	return rc;
}
