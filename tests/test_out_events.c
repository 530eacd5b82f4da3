/* The event stream's lines and JSON objects, against literal text. */
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
#include "out_events.h"

static struct ct_snap a, b;		/* previous, current */
static char *text;
static size_t textlen;

/* 2026-11-22T10:00:01Z */
/* 2026-11-22T10:00:01.250Z */
#define WHEN	(&(const struct timespec){ 1795341601, 250000000 })

static int
setup(void **state)
{
	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.when.tv_sec = 100;
	b.when.tv_sec = 101;
	text = NULL;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	snap_free(&a);
	snap_free(&b);
	free(text);
	return 0;
}

/* One event through a memory stream; the text stays in `text`. */
static const char *
one(const struct ct_snap *snap, const struct ct_sock *s, enum ct_event ev,
    uint8_t old, const struct ct_opts *o)
{
	FILE *fp = open_memstream(&text, &textlen);

	assert_non_null(fp);
	out_events_write(fp, snap, s, ev, old, WHEN, o);
	assert_int_equal(fclose(fp), 0);
	return text;
}

static void
test_out_events_open_line(void **state)
{
	struct ct_opts o;
	struct ct_sock *s;

	(void)state;
	fx_opts(&o);
	s = fx_conn(&b, 1, 54240, CT_ST_ESTABLISHED);
	fx_owner(&b, s, 1234, 4, "nc");
	assert_string_equal(one(&b, s, CT_EV_OPEN, 0, &o),
	    "2026-11-22T10:00:01Z + tcp ESTABLISHED 127.0.0.1:500 "
	    "127.0.0.1:54240 nc(1234)\n");
}

static void
test_out_events_close_unknown_owner(void **state)
{
	struct ct_opts o;

	(void)state;
	fx_opts(&o);
	assert_string_equal(one(&a, fx_conn(&a, 1, 1, CT_ST_ESTABLISHED),
	    CT_EV_CLOSE, 0, &o),
	    "2026-11-22T10:00:01Z - tcp ESTABLISHED 127.0.0.1:500 127.0.0.1:1 -\n");
}

static void
test_out_events_state_line(void **state)
{
	struct ct_opts o;

	(void)state;
	fx_opts(&o);
	o.no_procs = true;		/* -P: no process column */
	assert_string_equal(one(&b, fx_conn(&b, 1, 2, CT_ST_FIN_WAIT1),
	    CT_EV_STATE, CT_ST_ESTABLISHED, &o),
	    "2026-11-22T10:00:01Z ~ tcp ESTABLISHED->FIN_WAIT1 127.0.0.1:500 "
	    "127.0.0.1:2\n");
}

/*
 * Whole seconds at a whole-second interval; milliseconds otherwise, where
 * two samples can fall in one second (-d 0.5) or between two (-d 1.5).
 */
static void
test_out_events_millis(void **state)
{
	static const struct {
		unsigned	 interval_ms;
		const char	*stamp;
	} cases[] = {
		{ 1000, "2026-11-22T10:00:01Z" }, { 2000, "2026-11-22T10:00:01Z" },
		{ 500, "2026-11-22T10:00:01.250Z" }, { 1500, "2026-11-22T10:00:01.250Z" },
		{ 10, "2026-11-22T10:00:01.250Z" },
	};
	struct ct_opts o;
	struct ct_sock *s;
	char want[256];
	size_t i;

	(void)state;
	s = fx_conn(&b, 1, 40000, CT_ST_ESTABLISHED);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx_opts(&o);
		o.no_procs = true;
		o.interval_ms = cases[i].interval_ms;
		snprintf(want, sizeof(want), "%s + tcp ESTABLISHED 127.0.0.1:500 "
		    "127.0.0.1:40000\n", cases[i].stamp);
		assert_string_equal(one(&b, s, CT_EV_OPEN, 0, &o), want);
		free(text);
		text = NULL;
		o.format = CT_FMT_JSON;
		o.cols_given = true;
		o.cols.n = 0;
		snprintf(want, sizeof(want), "{\"time\":\"%s\",\"event\":\"open\"}\n",
		    cases[i].stamp);
		assert_string_equal(one(&b, s, CT_EV_OPEN, 0, &o), want);
		free(text);
		text = NULL;
	}
}

static void
test_out_events_listener_v6(void **state)
{
	struct ct_opts o;
	struct ct_sock *s;

	(void)state;
	fx_opts(&o);
	s = fx_sock(&b, IPPROTO_TCP, CT_ST_LISTEN, "::", 500, "::", 0);
	fx_owner(&b, s, 7, 3, "evil\x1b[31m");
	fx_owner(&b, s, 8, 3, "evil\x1b[31m");
	/* dual-stack: "*", as ss writes it; IPv6-only: "[::]" */
	assert_string_equal(one(&b, s, CT_EV_INITIAL, 0, &o),
	    "2026-11-22T10:00:01Z = tcp LISTEN *:500 *:* "
	    "evil\\x1b[31m(7,+1)\n");
	free(text);
	text = NULL;
	s->flags |= CT_SF_V6ONLY;
	assert_string_equal(one(&b, s, CT_EV_INITIAL, 0, &o),
	    "2026-11-22T10:00:01Z = tcp LISTEN [::]:500 [::]:* "
	    "evil\\x1b[31m(7,+1)\n");
}

static void
test_out_events_cols(void **state)
{
	struct ct_opts o;
	const char *bad;
	size_t badlen;

	(void)state;
	fx_opts(&o);
	assert_int_equal(fields_parse_list("rport,local,pid", false, &o.cols,
	    &bad, &badlen), 0);
	o.cols_given = true;
	assert_string_equal(one(&b, fx_conn(&b, 1, 9, CT_ST_SYN_RECV),
	    CT_EV_OPEN, 0, &o), "2026-11-22T10:00:01Z + 9 127.0.0.1:500 -\n");
}

static void
test_out_events_json(void **state)
{
	struct ct_opts o;
	struct ct_sock *s;

	(void)state;
	fx_opts(&o);
	o.format = CT_FMT_JSON;
	s = fx_conn(&b, 1, 54240, CT_ST_CLOSE_WAIT);
	s->uid = 1000;
	s->rqueue = 3;
	fx_owner(&b, s, 1234, 4, "n\"c");
	assert_string_equal(one(&b, s, CT_EV_STATE, CT_ST_ESTABLISHED, &o),
	    "{\"time\":\"2026-11-22T10:00:01Z\",\"event\":\"state\","
	    "\"old_state\":\"ESTABLISHED\",\"proto\":\"tcp\",\"family\":\"inet\","
	    "\"state\":\"CLOSE_WAIT\",\"laddr\":\"127.0.0.1\",\"lport\":500,"
	    "\"raddr\":\"127.0.0.1\",\"rport\":54240,\"recvq\":3,\"sendq\":0,"
	    "\"uid\":1000,\"inode\":1001,\"v6only\":null,\"pid\":1234,"
	    "\"comm\":\"n\\\"c\","
	    "\"owners\":[{\"pid\":1234,\"comm\":\"n\\\"c\",\"fd\":4}]}\n");
}

static void
test_out_events_json_unconnected(void **state)
{
	struct ct_opts o;

	(void)state;
	fx_opts(&o);
	o.format = CT_FMT_JSON;
	o.no_procs = true;
	assert_string_equal(one(&b, fx_sock(&b, IPPROTO_UDP, CT_ST_CLOSE,
	    "127.0.0.1", 53, "0.0.0.0", 0), CT_EV_CLOSE, 0, &o),
	    "{\"time\":\"2026-11-22T10:00:01Z\",\"event\":\"close\","
	    "\"proto\":\"udp\",\"family\":\"inet\",\"state\":\"UNCONN\","
	    "\"laddr\":\"127.0.0.1\",\"lport\":53,\"raddr\":null,\"rport\":null,"
	    "\"recvq\":0,\"sendq\":0,\"uid\":0,\"inode\":0,\"v6only\":null}\n");
}

/* Run out_events_diff over prev/cur; returns the event count. */
static size_t
batch(const struct ct_snap *prev, const struct ct_snap *cur,
    const struct ct_opts *o)
{
	FILE *fp = open_memstream(&text, &textlen);
	struct ct_diff d;
	size_t n;

	assert_non_null(fp);
	assert_int_equal(diff_build(prev, cur, o->filter, &d), 0);
	n = out_events_diff(fp, prev, cur, &d, WHEN, o);
	diff_free(&d);
	assert_int_equal(fclose(fp), 0);
	return n;
}

static void
test_out_events_diff_first(void **state)
{
	struct ct_opts o;

	(void)state;
	fx_opts(&o);
	o.no_procs = true;
	fx_conn(&b, 2, 40002, CT_ST_ESTABLISHED);
	fx_sock(&b, IPPROTO_TCP, CT_ST_LISTEN, "0.0.0.0", 500, "0.0.0.0", 0)->cookie = 9;
	fx_conn(&b, 1, 40001, CT_ST_ESTABLISHED);
	assert_int_equal(batch(NULL, &b, &o), 3);
	assert_string_equal(text,
	    "2026-11-22T10:00:01Z = tcp LISTEN 0.0.0.0:500 0.0.0.0:*\n"
	    "2026-11-22T10:00:01Z = tcp ESTABLISHED 127.0.0.1:500 127.0.0.1:40001\n"
	    "2026-11-22T10:00:01Z = tcp ESTABLISHED 127.0.0.1:500 127.0.0.1:40002\n");
}

static void
test_out_events_diff_changes(void **state)
{
	struct ct_opts o;

	(void)state;
	fx_opts(&o);
	o.no_procs = true;
	fx_conn(&a, 1, 40001, CT_ST_ESTABLISHED);
	fx_conn(&a, 2, 40002, CT_ST_ESTABLISHED);
	fx_conn(&a, 3, 40003, CT_ST_ESTABLISHED);	/* stays as it is: no event */
	fx_conn(&a, 4, 40004, CT_ST_ESTABLISHED);
	fx_conn(&b, 3, 40003, CT_ST_ESTABLISHED);
	fx_conn(&b, 6, 40001, CT_ST_ESTABLISHED);	/* 40001 again: a new socket */
	fx_conn(&b, 4, 40004, CT_ST_CLOSE_WAIT);
	fx_conn(&b, 5, 40000, CT_ST_SYN_RECV);
	assert_int_equal(batch(&a, &b, &o), 5);
	assert_string_equal(text,
	    "2026-11-22T10:00:01Z - tcp ESTABLISHED 127.0.0.1:500 127.0.0.1:40001\n"
	    "2026-11-22T10:00:01Z - tcp ESTABLISHED 127.0.0.1:500 127.0.0.1:40002\n"
	    "2026-11-22T10:00:01Z + tcp SYN_RECV 127.0.0.1:500 127.0.0.1:40000\n"
	    "2026-11-22T10:00:01Z + tcp ESTABLISHED 127.0.0.1:500 127.0.0.1:40001\n"
	    "2026-11-22T10:00:01Z ~ tcp ESTABLISHED->CLOSE_WAIT 127.0.0.1:500 "
	    "127.0.0.1:40004\n");
}

/* Only records the filter matches have events, on either side. */
static void
test_out_events_diff_filter(void **state)
{
	struct ct_filter_error err;
	char *argv[] = { (char *)":40002" };
	struct ct_filter *f = NULL;
	struct ct_opts o;

	(void)state;
	fx_opts(&o);
	o.no_procs = true;
	assert_int_equal(filter_parse(1, argv, &f, &err), 0);
	o.filter = f;
	fx_conn(&a, 1, 40001, CT_ST_ESTABLISHED);
	fx_conn(&b, 2, 40002, CT_ST_ESTABLISHED);
	assert_int_equal(batch(&a, &b, &o), 1);
	assert_string_equal(text,
	    "2026-11-22T10:00:01Z + tcp ESTABLISHED 127.0.0.1:500 127.0.0.1:40002\n");
	filter_free(f);
}

static void
test_out_events_diff_nothing(void **state)
{
	struct ct_opts o;

	(void)state;
	fx_opts(&o);
	fx_conn(&a, 1, 40001, CT_ST_ESTABLISHED);
	fx_conn(&b, 1, 40001, CT_ST_ESTABLISHED);
	assert_int_equal(batch(&a, &b, &o), 0);
	assert_string_equal(text, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_out_events_open_line),
		T(test_out_events_close_unknown_owner),
		T(test_out_events_state_line),
		T(test_out_events_millis),
		T(test_out_events_listener_v6),
		T(test_out_events_cols),
		T(test_out_events_json),
		T(test_out_events_json_unconnected),
		T(test_out_events_diff_first),
		T(test_out_events_diff_changes),
		T(test_out_events_diff_filter),
		T(test_out_events_diff_nothing),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
