/* The live view's layout, as text: rows, marks, columns, header. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "diff.h"
#include "filter.h"
#include "fixture.h"
#include "label.h"
#include "listener.h"
#include "nstab.h"
#include "watch_layout.h"

static struct ct_snap a, b;		/* previous, current */
static struct ct_wview v;
static struct ct_diff d;
static char *text;
static size_t textlen;
static enum ct_wsort sorted;		/* the sort build() arranged by */

static int
setup(void **state)
{
	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&v, 0, sizeof(v));
	memset(&d, 0, sizeof(d));
	a.when.tv_sec = 100;
	b.when.tv_sec = 102;		/* two seconds later */
	text = NULL;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	watch_layout_free(&v);
	diff_free(&d);
	snap_free(&a);
	snap_free(&b);
	free(text);
	return 0;
}

static struct ct_sock *
sk(struct ct_snap *s, uint64_t cookie, uint8_t state, const char *laddr,
    uint16_t lport, const char *raddr, uint16_t rport)
{
	struct ct_sock *x = fx_sock(s, IPPROTO_TCP, state, laddr, lport, raddr,
	    rport);

	x->cookie = cookie;
	x->inode = (uint32_t)cookie + 100;
	return x;
}

static void
rated(struct ct_snap *sn, struct ct_sock *s, uint64_t in, uint64_t out)
{
	struct ct_tcpinfo *ti = fx_info(sn, s);

	ti->bytes_received = in;
	ti->bytes_acked = out;
	ti->rtt_us = 1500;
}

/* Link listeners as snap_take() does, diff, gather, arrange. */
static void
build(const struct ct_filter *f, enum ct_wgroup g, enum ct_wsort s, bool rev)
{
	listener_link(&a.socks);
	listener_link(&b.socks);
	assert_int_equal(diff_build(a.socks.len > 0 ? &a : NULL, &b, f, &d), 0);
	watch_layout_build(a.socks.len > 0 ? &a : NULL, &b, &d, &v);
	watch_layout_arrange(&v, g, s, rev);
	sorted = s;
}

/* Every row as the screen shows it, cols wide: the column head, then rows. */
static const char *
screen(size_t cols, bool procs)
{
	FILE *fp = open_memstream(&text, &textlen);
	struct ct_wfit fit;
	char line[512];
	size_t i;

	assert_non_null(fp);
	watch_layout_fit(&v, cols, procs, sorted, &fit);
	watch_layout_colhead(&fit, line, sizeof(line));
	fprintf(fp, "%s|\n", line);
	for (i = 0; i < v.nrows; i++) {
		watch_layout_line(&v, &v.rows[i], &fit, line, sizeof(line));
		fprintf(fp, "%s|\n", line);
	}
	assert_int_equal(fclose(fp), 0);
	return text;
}

/*
 * A listener on :500 with two clients in the previous sample; now one of
 * them is gone, a new one came, the listener's accept queue is 3 of 4, and
 * this host has one outgoing connection to :80.
 */
static void
server_pair(void)
{
	struct ct_sock *s;

	s = sk(&a, 1, CT_ST_LISTEN, "0.0.0.0", 500, "0.0.0.0", 0);
	s->wqueue = 4;
	fx_owner(&a, s, 10, 3, "srv");
	s = sk(&a, 2, CT_ST_ESTABLISHED, "127.0.0.1", 500, "127.0.0.1", 40002);
	fx_owner(&a, s, 10, 4, "srv");
	rated(&a, s, 0, 0);
	fx_owner(&a, sk(&a, 3, CT_ST_ESTABLISHED, "127.0.0.1", 500, "127.0.0.1",
	    40003), 10, 5, "srv");
	s = sk(&a, 5, CT_ST_ESTABLISHED, "127.0.0.1", 40005, "127.0.0.9", 80);
	fx_owner(&a, s, 20, 3, "cli");
	rated(&a, s, 1000, 0);

	s = sk(&b, 5, CT_ST_ESTABLISHED, "127.0.0.1", 40005, "127.0.0.9", 80);
	fx_owner(&b, s, 20, 3, "cli");
	rated(&b, s, 1000 + 2 * 3000, 2 * 1536 * 1024);
	s = sk(&b, 4, CT_ST_ESTABLISHED, "127.0.0.1", 500, "127.0.0.1", 40004);
	s = sk(&b, 2, CT_ST_ESTABLISHED, "127.0.0.1", 500, "127.0.0.1", 40002);
	fx_owner(&b, s, 10, 4, "srv");
	rated(&b, s, 2 * 100, 2 * 50);
	s = sk(&b, 1, CT_ST_LISTEN, "0.0.0.0", 500, "0.0.0.0", 0);
	s->rqueue = 3;
	s->wqueue = 4;
	fx_owner(&b, s, 10, 3, "srv");
	rated(&b, s, 0, 0);			/* a listener's rtt is 0: shown as "-" */
}

static void
test_watch_layout_listener_tree(void **state)
{
	(void)state;
	server_pair();
	build(NULL, CT_WG_LISTENER, CT_WS_DEFAULT, false);
	assert_string_equal(screen(120, true),
	    "  PROTO STATE       LOCAL           REMOTE          PROCESS RECVQ SENDQ RATE_IN RATE_OUT   RTT|\n"
	    "! tcp   LISTEN      0.0.0.0:500     0.0.0.0:*       srv(10)     3     4       -        -     -|\n"
	    "    tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40002 srv(10)     0     0     100       50 1.500|\n"
	    "-   tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40003 srv(10)     0     0       -        -     -|\n"
	    "+   tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40004 -           0     0       -        -     -|\n"
	    "  tcp -> 127.0.0.9:80 (1)|\n"
	    "    tcp ESTABLISHED 127.0.0.1:40005 127.0.0.9:80    cli(20)     0     0    2.9K     1.5M 1.500|\n");
	assert_int_equal(v.tot.listen, 1);
	assert_int_equal(v.tot.estab, 3);
	assert_int_equal(v.tot.opened, 1);
	assert_int_equal(v.tot.closed, 1);
}

/*
 * Narrower screens drop columns from the end of one priority: rtt, then
 * the rates, the queues, the owner; a column never shows where one of
 * higher priority did not fit.
 */
static void
test_watch_layout_fit_width(void **state)
{
	struct ct_wfit fit;

	(void)state;
	server_pair();
	build(NULL, CT_WG_LISTENER, CT_WS_DEFAULT, false);
	/*
	 * The mark, then a blank before each column: 1 + 6 + 12 + 16 + 16 = 51
	 * always; process 8, queues 6 + 6, rates 8 + 9, rtt 6: 94 for all.
	 */
	watch_layout_fit(&v, 94, true, CT_WS_DEFAULT, &fit);
	assert_int_equal(fit.n, 10);
	assert_true(watch_layout_fit_info(&fit));
	watch_layout_fit(&v, 93, true, CT_WS_DEFAULT, &fit);
	assert_int_equal(fit.n, 9);
	assert_int_equal(fit.id[8], CT_F_RATE_OUT);
	watch_layout_fit(&v, 87, true, CT_WS_DEFAULT, &fit);
	assert_int_equal(fit.n, 7);		/* no room for the rates: 88 */
	assert_int_equal(fit.id[4], CT_F_PROCESS);
	assert_int_equal(fit.id[6], CT_F_SENDQ);	/* and so no rtt either */
	assert_false(watch_layout_fit_info(&fit));
	watch_layout_fit(&v, 80, false, CT_WS_DEFAULT, &fit);
	assert_int_equal(fit.n, 8);		/* -P: the rates take its room */
	assert_int_equal(fit.id[4], CT_F_RECVQ);
	assert_int_equal(fit.id[6], CT_F_RATE_IN);
	assert_int_equal(fit.id[7], CT_F_RATE_OUT);
	watch_layout_fit(&v, 58, true, CT_WS_DEFAULT, &fit);
	assert_int_equal(fit.n, 4);		/* the owner does not fit: nothing */
	assert_int_equal(fit.id[3], CT_F_REMOTE);
	assert_false(watch_layout_fit_info(&fit));
	watch_layout_fit(&v, 3, true, CT_WS_DEFAULT, &fit);
	assert_int_equal(fit.n, 4);		/* never fewer: cut at the edge */
	assert_string_equal(screen(58, true),
	    "  PROTO STATE       LOCAL           REMOTE|\n"
	    "! tcp   LISTEN      0.0.0.0:500     0.0.0.0:*|\n"
	    "    tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40002|\n"
	    "-   tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40003|\n"
	    "+   tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40004|\n"
	    "  tcp -> 127.0.0.9:80 (1)|\n"
	    "    tcp ESTABLISHED 127.0.0.1:40005 127.0.0.9:80|\n");
}

/*
 * The column the rows are sorted on stays on screen, then the others by
 * their priority: sorted by rtt at 58 columns, rtt shows instead of
 * nothing; at 80, the owner and the queues come before it.
 */
static void
test_watch_layout_fit_sort(void **state)
{
	struct ct_wfit fit;

	(void)state;
	server_pair();
	build(NULL, CT_WG_LISTENER, CT_WS_RTT, false);
	watch_layout_fit(&v, 58, true, CT_WS_RTT, &fit);
	assert_int_equal(fit.n, 5);
	assert_int_equal(fit.id[4], CT_F_RTT);
	assert_true(watch_layout_fit_info(&fit));	/* so tcp_info is asked */
	watch_layout_fit(&v, 80, true, CT_WS_RTT, &fit);
	assert_int_equal(fit.n, 8);
	assert_int_equal(fit.id[4], CT_F_PROCESS);
	assert_int_equal(fit.id[6], CT_F_SENDQ);
	assert_int_equal(fit.id[7], CT_F_RTT);
	watch_layout_fit(&v, 60, true, CT_WS_RATE_OUT, &fit);
	assert_int_equal(fit.n, 5);
	assert_int_equal(fit.id[4], CT_F_RATE_OUT);
	watch_layout_fit(&v, 60, true, CT_WS_SENDQ, &fit);
	assert_int_equal(fit.n, 5);
	assert_int_equal(fit.id[4], CT_F_SENDQ);
	/* by process under -P: there is no process column to keep */
	watch_layout_fit(&v, 60, false, CT_WS_PROCESS, &fit);
	assert_int_equal(fit.n, 4);
	/* state and remote are always there */
	watch_layout_fit(&v, 58, true, CT_WS_REMOTE, &fit);
	assert_int_equal(fit.n, 4);
}

/*
 * Widths are the whole view's: a long name far down the rows widens the
 * process column for every page, so it neither moves nor goes while one
 * scrolls (at End, rtt stays).
 */
static void
test_watch_layout_fit_whole_view(void **state)
{
	struct ct_wfit fit;
	struct ct_sock *s;

	(void)state;
	server_pair();
	s = sk(&b, 9, CT_ST_ESTABLISHED, "127.0.0.1", 40009, "127.0.0.9", 80);
	fx_owner(&b, s, 30, 3, "fifteen-chars-x");
	build(NULL, CT_WG_FLAT, CT_WS_RTT, false);
	assert_int_equal(v.width[5], strlen("fifteen-chars-x(30)"));
	watch_layout_fit(&v, 100, true, CT_WS_RTT, &fit);
	assert_int_equal(fit.id[fit.n - 1], CT_F_RTT);
	assert_int_equal(fit.width[4], strlen("fifteen-chars-x(30)"));
}

/*
 * One head per remote address, the largest group first, as -g orders
 * them; ties in the order of the keys, an unconnected end ("*") first.
 */
static void
test_watch_layout_raddr(void **state)
{
	(void)state;
	server_pair();
	build(NULL, CT_WG_RADDR, CT_WS_DEFAULT, false);
	assert_string_equal(screen(60, false),
	    "  PROTO STATE       LOCAL           REMOTE|\n"
	    "  127.0.0.1 (3)|\n"
	    "    tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40002|\n"
	    "-   tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40003|\n"
	    "+   tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40004|\n"
	    "  * (1)|\n"
	    "!   tcp LISTEN      0.0.0.0:500     0.0.0.0:*|\n"
	    "  127.0.0.9 (1)|\n"
	    "    tcp ESTABLISHED 127.0.0.1:40005 127.0.0.9:80|\n");
}

/*
 * By process, the largest group first, ties by key (unknown owners last);
 * within one, by the sort key, whose column (rate_in) is kept on screen.
 */
static void
test_watch_layout_process_sorted(void **state)
{
	(void)state;
	server_pair();
	build(NULL, CT_WG_PROCESS, CT_WS_RATE_IN, false);
	assert_string_equal(screen(80, true),
	    "  PROTO STATE       LOCAL           REMOTE          PROCESS RECVQ SENDQ RATE_IN|\n"
	    "  srv(10) (3)|\n"
	    "    tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40002 srv(10)     0     0     100|\n"
	    "!   tcp LISTEN      0.0.0.0:500     0.0.0.0:*       srv(10)     3     4       -|\n"
	    "-   tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40003 srv(10)     0     0       -|\n"
	    "  cli(20) (1)|\n"
	    "    tcp ESTABLISHED 127.0.0.1:40005 127.0.0.9:80    cli(20)     0     0    2.9K|\n"
	    "  - (1)|\n"
	    "+   tcp ESTABLISHED 127.0.0.1:500   127.0.0.1:40004 -           0     0       -|\n");
}

/* Flat: no heads; -r turns the whole order around. */
static void
test_watch_layout_flat_reverse(void **state)
{
	(void)state;
	server_pair();
	build(NULL, CT_WG_FLAT, CT_WS_RATE_OUT, false);
	assert_string_equal(screen(56, false),
	    "  PROTO STATE       LOCAL           REMOTE          RATE_OUT|\n"
	    "  tcp   ESTABLISHED 127.0.0.1:40005 127.0.0.9:80        1.5M|\n"
	    "  tcp   ESTABLISHED 127.0.0.1:500   127.0.0.1:40002       50|\n"
	    "! tcp   LISTEN      0.0.0.0:500     0.0.0.0:*              -|\n"
	    "- tcp   ESTABLISHED 127.0.0.1:500   127.0.0.1:40003        -|\n"
	    "+ tcp   ESTABLISHED 127.0.0.1:500   127.0.0.1:40004        -|\n");
	watch_layout_arrange(&v, CT_WG_FLAT, CT_WS_RATE_OUT, true);
	assert_int_equal(v.nrows, 5);
	assert_int_equal(v.snap.socks.v[v.rows[0].sock].rport, 40004);
	assert_int_equal(v.snap.socks.v[v.rows[4].sock].rport, 80);
}

/*
 * Only what the filter matches is shown, with the listener the matching
 * connections arrived on even when the listener itself does not match;
 * that holds for a closed connection too.
 */
static void
test_watch_layout_filter(void **state)
{
	struct ct_filter_error err;
	char *argv[] = { (char *)":40003" };
	struct ct_filter *f = NULL;

	(void)state;
	server_pair();
	assert_int_equal(filter_parse(1, argv, &f, &err), 0);
	build(f, CT_WG_LISTENER, CT_WS_DEFAULT, false);
	assert_string_equal(screen(60, false),
	    "  PROTO STATE       LOCAL         REMOTE|\n"
	    "! tcp   LISTEN      0.0.0.0:500   0.0.0.0:*|\n"
	    "-   tcp ESTABLISHED 127.0.0.1:500 127.0.0.1:40003|\n");
	assert_int_equal(v.tot.listen + v.tot.estab + v.tot.other, 0);
	assert_int_equal(v.tot.closed, 1);
	filter_free(f);
}

/*
 * A closed listener stays one sample, with the connections that closed
 * with it beneath it; one that outlives it goes with the destinations, as
 * in -T, since no listener is there to have accepted it.
 */
static void
test_watch_layout_closed_listener(void **state)
{
	struct ct_sock *s;

	(void)state;
	s = sk(&a, 1, CT_ST_LISTEN, "::", 22, "::", 0);
	s->wqueue = 128;
	s->flags |= CT_SF_V6ONLY;		/* "[::]", not the dual-stack "*" */
	sk(&a, 2, CT_ST_ESTABLISHED, "::1", 22, "::1", 50000);
	sk(&a, 3, CT_ST_ESTABLISHED, "::1", 22, "::1", 50001);
	s = sk(&b, 2, CT_ST_CLOSE_WAIT, "::1", 22, "::1", 50000);
	s->rqueue = 1;
	build(NULL, CT_WG_LISTENER, CT_WS_DEFAULT, false);
	assert_string_equal(screen(60, false),
	    "  PROTO STATE       LOCAL    REMOTE      RECVQ SENDQ|\n"
	    "- tcp   LISTEN      [::]:22  [::]:*          0   128|\n"
	    "-   tcp ESTABLISHED [::1]:22 [::1]:50001     0     0|\n"
	    "  tcp -> [::1]:50000 (1)|\n"
	    "~   tcp CLOSE_WAIT  [::1]:22 [::1]:50000     1     0|\n");
	assert_int_equal(v.tot.other, 1);
	assert_int_equal(v.tot.closed, 2);
}

/*
 * A closed socket's owner comes from the previous sample, whose names are
 * not the current sample's: each row names its own process.
 */
static void
test_watch_layout_closed_owner_names(void **state)
{
	struct ct_sock *s;

	(void)state;
	s = sk(&a, 1, CT_ST_LISTEN, "::", 22, "::", 0);
	fx_owner(&a, s, 1, 3, "sshd");
	fx_owner(&a, sk(&a, 2, CT_ST_ESTABLISHED, "::1", 22, "::1", 50000),
	    700, 4, "sshd-session");
	s = sk(&b, 1, CT_ST_LISTEN, "::", 22, "::", 0);
	fx_owner(&b, s, 1, 3, "sshd");
	fx_owner(&b, sk(&b, 3, CT_ST_ESTABLISHED, "::1", 22, "::1", 50001),
	    800, 4, "scp");
	build(NULL, CT_WG_LISTENER, CT_WS_DEFAULT, false);
	assert_string_equal(screen(80, true),
	    "  PROTO STATE       LOCAL    REMOTE      PROCESS           RECVQ SENDQ|\n"
	    "  tcp   LISTEN      *:22     *:*         sshd(1)               0     0|\n"
	    "-   tcp ESTABLISHED [::1]:22 [::1]:50000 sshd-session(700)     0     0|\n"
	    "+   tcp ESTABLISHED [::1]:22 [::1]:50001 scp(800)              0     0|\n");
}

static void
test_watch_layout_header(void **state)
{
	struct tm tm;
	char buf[256];

	(void)state;
	server_pair();
	build(NULL, CT_WG_LISTENER, CT_WS_DEFAULT, false);
	memset(&tm, 0, sizeof(tm));
	tm.tm_hour = 10;
	tm.tm_sec = 1;
	watch_layout_header(&v, &tm, 125, 1000, ":500", 200, buf, sizeof(buf));
	assert_string_equal(buf, "10:00:01 every 1s filter :500  listen 1 "
	    "estab 3 tw 0 other 0  +0.5/s -0.5/s");
	/* under a second (or not whole seconds): the sample's milliseconds */
	watch_layout_header(&v, &tm, 125, 250, "dport\x1b:5", 200, buf,
	    sizeof(buf));
	assert_string_equal(buf, "10:00:01.125 every 0.25s filter dport\\x1b:5  "
	    "listen 1 estab 3 tw 0 other 0  +0.5/s -0.5/s");
	watch_layout_header(&v, &tm, 7, 1500, NULL, 200, buf, sizeof(buf));
	assert_string_equal(buf, "10:00:01.007 every 1.5s  listen 1 "
	    "estab 3 tw 0 other 0  +0.5/s -0.5/s");
	assert_int_equal(watch_layout_header(&v, &tm, 0, 1000, "", 200, buf, 12),
	    11);
	assert_string_equal(buf, "10:00:01 ev");
}

/*
 * A long filter is cut, ending in "...", so that the totals still fit;
 * on a screen too narrow even for them, its first 12 characters show.
 */
static void
test_watch_layout_header_long_filter(void **state)
{
	static const char tail[] = "  listen 1 estab 3 tw 0 other 0  +0.5/s -0.5/s";
	const char *filter = "dport >= 1024 and not dst 127.0.0.0/8 and "
	    "not comm sshd and state established";
	struct tm tm;
	char buf[256], want[256];
	size_t n;

	(void)state;
	server_pair();
	build(NULL, CT_WG_LISTENER, CT_WS_DEFAULT, false);
	memset(&tm, 0, sizeof(tm));
	tm.tm_hour = 10;

	n = watch_layout_header(&v, &tm, 0, 1000, filter, 100, buf, sizeof(buf));
	assert_int_equal(n, 100);
	snprintf(want, sizeof(want), "10:00:00 every 1s filter dport >= 1024 and "
	    "not dst ...%s", tail);
	assert_string_equal(buf, want);
	/* it fits: whole */
	n = watch_layout_header(&v, &tm, 0, 1000, filter, 200, buf, sizeof(buf));
	snprintf(want, sizeof(want), "10:00:00 every 1s filter %s%s", filter, tail);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	/* too narrow even for the totals: the filter's start, cut */
	watch_layout_header(&v, &tm, 0, 1000, filter, 40, buf, sizeof(buf));
	snprintf(want, sizeof(want), "10:00:00 every 1s filter dport >= ...%s",
	    tail);
	assert_string_equal(buf, want);
	watch_layout_header(&v, &tm, 0, 1000, ":500", 40, buf, sizeof(buf));
	snprintf(want, sizeof(want), "10:00:00 every 1s filter :500%s", tail);
	assert_string_equal(buf, want);
}
/* The first sample: nothing is new, and there are no rates yet. */
static void
test_watch_layout_first(void **state)
{
	struct tm tm;
	char buf[256];

	(void)state;
	server_pair();
	snap_free(&a);
	memset(&a, 0, sizeof(a));
	build(NULL, CT_WG_FLAT, CT_WS_DEFAULT, false);
	memset(&tm, 0, sizeof(tm));
	watch_layout_header(&v, &tm, 0, 2000, NULL, 200, buf, sizeof(buf));
	assert_string_equal(buf, "00:00:00 every 2s  listen 1 estab 3 tw 0 "
	    "other 0  +0.0/s -0.0/s");
	assert_string_equal(screen(70, false),
	    "  PROTO STATE       LOCAL           REMOTE          RECVQ SENDQ|\n"
	    "! tcp   LISTEN      0.0.0.0:500     0.0.0.0:*           3     4|\n"
	    "  tcp   ESTABLISHED 127.0.0.1:500   127.0.0.1:40002     0     0|\n"
	    "  tcp   ESTABLISHED 127.0.0.1:500   127.0.0.1:40004     0     0|\n"
	    "  tcp   ESTABLISHED 127.0.0.1:40005 127.0.0.9:80        0     0|\n");
}

/*
 * The help fits 60x15 (13 lines between the header and the status line),
 * no line wider than the screen; on a smaller one, lines are cut with a
 * '>' and the last one says there is more.
 */
static void
test_watch_layout_help(void **state)
{
	char buf[256];
	size_t i, n;

	(void)state;
	n = watch_layout_help_rows(13);
	assert_true(n >= 10 && n <= 13);
	for (i = 0; i < n; i++) {
		size_t len = watch_layout_help_line(i, 13, 60, buf, sizeof(buf));

		assert_int_equal(len, strlen(buf));
		assert_true(len <= 60);
		assert_true(len > 0 && buf[len - 1] != '>');
		assert_null(strstr(buf, "..."));
	}
	assert_int_equal(watch_layout_help_line(n, 13, 60, buf, sizeof(buf)), 0);
	/* 40x8: six lines, the last one says more, the wide ones are cut */
	assert_int_equal(watch_layout_help_rows(6), 6);
	for (i = 0; i < 6; i++) {
		size_t len = watch_layout_help_line(i, 6, 40, buf, sizeof(buf));

		assert_true(len <= 40);
		if (i == 4)		/* "  s  sort: default, state, ..." */
			assert_int_equal(buf[len - 1], '>');
	}
	assert_int_equal(strncmp(buf, " ...", 4), 0);
	assert_int_equal(watch_layout_help_rows(0), 0);
}

/* A long filter being edited shows its end, where one types. */
static void
test_watch_layout_edit(void **state)
{
	char buf[256];
	size_t x;

	(void)state;
	x = watch_layout_edit("dport :500", 80, buf, sizeof(buf));
	assert_string_equal(buf, "filter: dport :500");
	assert_int_equal(x, 18);
	x = watch_layout_edit("dport >= 1024 and not dst 127.0.0.0/8", 30, buf,
	    sizeof(buf));
	assert_string_equal(buf, "filter: < not dst 127.0.0.0/8");
	assert_int_equal(x, 29);		/* the cursor on the last column */
	assert_int_equal(strlen(buf), 29);
}

/*
 * Grouped by remote address, an IPv4 client and a v4-mapped one are one
 * head, written as IPv4; -r puts the smallest group first.
 */
static void
test_watch_layout_raddr_v4mapped(void **state)
{
	(void)state;
	sk(&b, 1, CT_ST_ESTABLISHED, "127.0.0.1", 40001, "127.0.0.9", 80);
	sk(&b, 2, CT_ST_ESTABLISHED, "::ffff:127.0.0.1", 40002, "::ffff:127.0.0.9",
	    80);
	sk(&b, 3, CT_ST_ESTABLISHED, "::1", 40003, "::1", 80);
	build(NULL, CT_WG_RADDR, CT_WS_DEFAULT, false);
	assert_string_equal(screen(60, false),
	    "  PROTO STATE       LOCAL                    REMOTE|\n"
	    "  127.0.0.9 (2)|\n"
	    "    tcp ESTABLISHED 127.0.0.1:40001          127.0.0.9:80|\n"
	    "    tcp ESTABLISHED [::ffff:127.0.0.1]:40002 [::ffff:127.0.0.9]:80|\n"
	    "  ::1 (1)|\n"
	    "    tcp ESTABLISHED [::1]:40003              [::1]:80|\n");
	watch_layout_arrange(&v, CT_WG_RADDR, CT_WS_DEFAULT, true);
	assert_int_equal(v.rows[0].kind, CT_WR_RADDR);
	assert_int_equal(v.rows[0].count, 1);
	assert_int_equal(v.rows[2].count, 2);
}

static void
test_watch_layout_rate_text(void **state)
{
	static const struct {
		uint64_t	 bps;
		const char	*text;
	} cases[] = {
		{ 0, "0" }, { 999, "999" }, { 1000, "1.0K" }, { 1536, "1.5K" },
		{ 10188, "9.9K" }, { 10239, "10K" }, { 10240, "10K" },
		{ 1023487, "999K" }, { 1023999, "1.0M" }, { 1024000, "1.0M" },
		{ 5ull << 30, "5.0G" }, { UINT64_MAX, "16E" },
	};
	char buf[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = watch_layout_rate(cases[i].bps, buf);

		assert_string_equal(buf, cases[i].text);
		assert_int_equal(n, strlen(cases[i].text));
		assert_true(n <= 4);
	}
}

static void
test_watch_layout_sort_names(void **state)
{
	(void)state;
	assert_int_equal(watch_layout_sort_lookup(CT_F_RATE_IN), CT_WS_RATE_IN);
	assert_int_equal(watch_layout_sort_lookup(CT_F_STATE), CT_WS_STATE);
	assert_int_equal(watch_layout_sort_lookup(CT_F_INODE), -1);
	assert_string_equal(watch_layout_sort_name(CT_WS_RTT), "rtt");
	assert_string_equal(watch_layout_group_name(CT_WG_RADDR), "raddr");
}

/*
 * --all-netns: one listener address in two namespaces, grouped by
 * namespace and by container; the NETNS column where there are two, and
 * a closed record of the previous sample still naming its namespace.
 */
static void
netns_pair(void)
{
	struct ct_snap *sn[2] = { &a, &b };
	struct ct_label l;
	struct ct_sock *s;
	size_t i;

	for (i = 0; i < 2; i++) {
		nstab_name(nstab_append(&sn[i]->nstab), "web");
		nstab_name(nstab_append(&sn[i]->nstab), "db");
		labels_init(&sn[i]->labels);
		memset(&l, 0, sizeof(l));
		strcpy(l.container, "docker:0123456789ab");
		labels_add_pid(&sn[i]->labels, 10, labels_intern(&sn[i]->labels, &l));
		s = sk(sn[i], 1, CT_ST_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0);
		fx_owner(sn[i], s, 10, 3, "srv");
		s = sk(sn[i], 2, CT_ST_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0);
		s->netns = 1;
		fx_owner(sn[i], s, 20, 3, "srv");
	}
	s = sk(&a, 3, CT_ST_ESTABLISHED, "127.0.0.1", 8080, "127.0.0.1", 40001);
	s->netns = 1;
	fx_owner(&a, s, 20, 4, "srv");
}

/* Groups by namespace and by container, largest first (issue 16). */
static void
test_watch_layout_netns(void **state)
{
	(void)state;
	netns_pair();
	build(NULL, CT_WG_NETNS, CT_WS_DEFAULT, false);
	assert_string_equal(screen(66, true),
	    "  NETNS PROTO STATE       LOCAL          REMOTE          PROCESS|\n"
	    "  db (2)|\n"
	    "    db  tcp   LISTEN      127.0.0.1:8080 0.0.0.0:*       srv(20)|\n"
	    "-   db  tcp   ESTABLISHED 127.0.0.1:8080 127.0.0.1:40001 srv(20)|\n"
	    "  web (1)|\n"
	    "    web tcp   LISTEN      127.0.0.1:8080 0.0.0.0:*       srv(10)|\n");
	watch_layout_arrange(&v, CT_WG_CONTAINER, CT_WS_DEFAULT, false);
	free(text);
	text = NULL;
	assert_string_equal(screen(66, true),
	    "  NETNS PROTO STATE       LOCAL          REMOTE          PROCESS|\n"
	    "  - (2)|\n"
	    "    db  tcp   LISTEN      127.0.0.1:8080 0.0.0.0:*       srv(20)|\n"
	    "-   db  tcp   ESTABLISHED 127.0.0.1:8080 127.0.0.1:40001 srv(20)|\n"
	    "  docker:0123456789ab (1)|\n"
	    "    web tcp   LISTEN      127.0.0.1:8080 0.0.0.0:*       srv(10)|\n");
	assert_string_equal(watch_layout_group_name(CT_WG_NETNS), "netns");
	assert_string_equal(watch_layout_group_name(CT_WG_CONTAINER), "container");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_watch_layout_netns, setup,
		    teardown),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_watch_layout_listener_tree),
		T(test_watch_layout_fit_width),
		T(test_watch_layout_fit_sort),
		T(test_watch_layout_fit_whole_view),
		T(test_watch_layout_raddr),
		T(test_watch_layout_process_sorted),
		T(test_watch_layout_flat_reverse),
		T(test_watch_layout_filter),
		T(test_watch_layout_closed_listener),
		T(test_watch_layout_closed_owner_names),
		T(test_watch_layout_header),
		T(test_watch_layout_header_long_filter),
		T(test_watch_layout_first),
		T(test_watch_layout_help),
		T(test_watch_layout_edit),
		T(test_watch_layout_raddr_v4mapped),
		T(test_watch_layout_rate_text),
		T(test_watch_layout_sort_names),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
