/* The snapshot diff on synthetic pairs of snapshots, and the rate arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "diff.h"
#include "filter.h"
#include "fixture.h"

static struct ct_snap a, b;		/* previous, current */

static int
setup(void **state)
{
	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.when.tv_sec = 100;
	b.when.tv_sec = 101;		/* one second later */
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	snap_free(&a);
	snap_free(&b);
	return 0;
}

static void
info(struct ct_snap *sn, struct ct_sock *s, uint64_t in, uint64_t out)
{
	struct ct_tcpinfo *ti = fx_info(sn, s);

	ti->bytes_received = in;
	ti->bytes_acked = out;
}

static void
test_diff_first(void **state)
{
	struct ct_diff d;

	(void)state;
	fx_conn(&b, 1, 40001, CT_ST_ESTABLISHED);
	fx_conn(&b, 2, 40002, CT_ST_ESTABLISHED);
	assert_int_equal(diff_build(NULL, &b, NULL, &d), 0);
	assert_int_equal(d.ncur, 2);
	assert_int_equal(d.nmatch, 2);
	assert_int_equal(d.nopened, 0);
	assert_int_equal(d.nclosed, 0);
	assert_int_equal(d.cur[0].flags, CT_DF_MATCH | CT_DF_FIRST);
	assert_int_equal(d.cur[1].prev, CT_DIFF_NONE);
	assert_true(d.dt == 0);
	diff_free(&d);
}

static void
test_diff_opened_closed(void **state)
{
	struct ct_diff d;

	(void)state;
	fx_conn(&a, 1, 40001, CT_ST_ESTABLISHED);
	fx_conn(&a, 2, 40002, CT_ST_ESTABLISHED);
	fx_conn(&a, 3, 40003, CT_ST_ESTABLISHED);
	/* 2 closed, 4 opened; order in the dump changes */
	fx_conn(&b, 4, 40004, CT_ST_ESTABLISHED);
	fx_conn(&b, 3, 40003, CT_ST_ESTABLISHED);
	fx_conn(&b, 1, 40001, CT_ST_ESTABLISHED);
	assert_int_equal(diff_build(&a, &b, NULL, &d), 0);
	assert_true(d.dt == 1.0);
	assert_null(d.rate);		/* no tcp_info: no room for rates */
	assert_int_equal(d.nopened, 1);
	assert_int_equal(d.nchanged, 0);
	assert_int_equal(d.cur[0].flags, CT_DF_MATCH | CT_DF_NEW);
	assert_int_equal(d.cur[0].prev, CT_DIFF_NONE);
	assert_int_equal(d.cur[1].flags, CT_DF_MATCH);
	assert_int_equal(d.cur[1].prev, 2);
	assert_int_equal(d.cur[2].prev, 0);
	assert_int_equal(d.nclosed, 1);
	assert_int_equal(d.closed[0], 1);
	diff_free(&d);
}

static void
test_diff_state_change(void **state)
{
	struct ct_diff d;

	(void)state;
	fx_conn(&a, 7, 40007, CT_ST_ESTABLISHED);
	fx_conn(&b, 7, 40007, CT_ST_TIME_WAIT)->inode = 0;	/* tw keeps the cookie */
	assert_int_equal(diff_build(&a, &b, NULL, &d), 0);
	assert_int_equal(d.nopened, 0);
	assert_int_equal(d.nclosed, 0);
	assert_int_equal(d.nchanged, 1);
	assert_int_equal(d.cur[0].flags, CT_DF_MATCH | CT_DF_STATE);
	assert_int_equal(d.cur[0].old_state, CT_ST_ESTABLISHED);
	diff_free(&d);
}

/* A new socket on the very same 5-tuple: a new cookie, so a new socket. */
static void
test_diff_reused_tuple(void **state)
{
	struct ct_diff d;

	(void)state;
	info(&a, fx_conn(&a, 10, 40010, CT_ST_ESTABLISHED), 5000, 5000);
	info(&b, fx_conn(&b, 11, 40010, CT_ST_ESTABLISHED), 100, 100);
	assert_int_equal(diff_build(&a, &b, NULL, &d), 0);
	assert_int_equal(d.nopened, 1);
	assert_int_equal(d.nclosed, 1);
	assert_int_equal(d.closed[0], 0);
	assert_false(d.cur[0].flags & CT_DF_RATED);	/* no rate across sockets */
	diff_free(&d);
}

/* Without cookies, the 5-tuple and the inode tell sockets apart. */
static void
test_diff_no_cookie(void **state)
{
	struct ct_diff d;

	(void)state;
	fx_sock(&a, IPPROTO_TCP, CT_ST_ESTABLISHED, "::1", 443, "::1", 1)->inode = 5;
	fx_sock(&a, IPPROTO_TCP, CT_ST_ESTABLISHED, "::1", 443, "::1", 2)->inode = 6;
	fx_sock(&a, IPPROTO_UDP, CT_ST_CLOSE, "::1", 53, "::", 0)->inode = 7;
	fx_sock(&b, IPPROTO_TCP, CT_ST_CLOSE_WAIT, "::1", 443, "::1", 1)->inode = 5;
	fx_sock(&b, IPPROTO_TCP, CT_ST_ESTABLISHED, "::1", 443, "::1", 2)->inode = 8;
	fx_sock(&b, IPPROTO_TCP, CT_ST_CLOSE, "::1", 53, "::", 0)->inode = 7;
	assert_int_equal(diff_build(&a, &b, NULL, &d), 0);
	assert_int_equal(d.cur[0].prev, 0);
	assert_true(d.cur[0].flags & CT_DF_STATE);
	assert_true(d.cur[1].flags & CT_DF_NEW);	/* same tuple, new inode */
	assert_true(d.cur[2].flags & CT_DF_NEW);	/* same inode, other proto */
	assert_int_equal(d.nclosed, 2);
	assert_int_equal(d.closed[0], 1);
	assert_int_equal(d.closed[1], 2);
	diff_free(&d);
}

/* A cookie on one side only is not the same socket. */
static void
test_diff_cookie_one_side(void **state)
{
	assert_false(diff_same_sock(
	    fx_conn(&a, 0, 40001, CT_ST_ESTABLISHED),
	    fx_conn(&b, 9, 40001, CT_ST_ESTABLISHED)));
	(void)state;
}

static void
test_diff_rates(void **state)
{
	struct ct_diff d;

	(void)state;
	b.when.tv_sec = 100;
	b.when.tv_nsec = 500000000;	/* half a second */
	info(&a, fx_conn(&a, 1, 40001, CT_ST_ESTABLISHED), 1000, 0);
	info(&b, fx_conn(&b, 1, 40001, CT_ST_ESTABLISHED), 3000, 1);
	fx_conn(&a, 2, 40002, CT_ST_ESTABLISHED);		/* no tcp_info before */
	info(&b, fx_conn(&b, 2, 40002, CT_ST_ESTABLISHED), 10, 10);
	assert_int_equal(diff_build(&a, &b, NULL, &d), 0);
	assert_true(d.dt == 0.5);
	assert_true(d.cur[0].flags & CT_DF_RATED);
	assert_non_null(d.rate);
	assert_int_equal(d.rate[0].in, 4000);
	assert_int_equal(d.rate[0].out, 2);
	assert_false(d.cur[1].flags & CT_DF_RATED);
	diff_free(&d);
}

static void
test_diff_rate_wrap(void **state)
{
	struct ct_diff d;

	(void)state;
	info(&a, fx_conn(&a, 1, 40001, CT_ST_ESTABLISHED), UINT64_MAX - 99, 0);
	info(&b, fx_conn(&b, 1, 40001, CT_ST_ESTABLISHED), 100, 0);
	info(&a, fx_conn(&a, 2, 40002, CT_ST_ESTABLISHED), 5000, 5000);
	info(&b, fx_conn(&b, 2, 40002, CT_ST_ESTABLISHED), 4000, 6000);	/* reset */
	assert_int_equal(diff_build(&a, &b, NULL, &d), 0);
	assert_true(d.cur[0].flags & CT_DF_RATED);
	assert_int_equal(d.rate[0].in, 200);
	assert_false(d.cur[1].flags & CT_DF_RATED);
	assert_int_equal(d.rate[1].out, 0);
	diff_free(&d);
}

static void
test_diff_rate_arith(void **state)
{
	uint64_t r;

	(void)state;
	assert_int_equal(diff_rate(0, 1000, 1.0, &r), 0);
	assert_int_equal(r, 1000);
	assert_int_equal(diff_rate(0, 1, 3.0, &r), 0);
	assert_int_equal(r, 0);				/* 0.33 rounds down */
	assert_int_equal(diff_rate(0, 2, 3.0, &r), 0);
	assert_int_equal(r, 1);				/* 0.67 rounds up */
	assert_int_equal(diff_rate(10, 10, 0.25, &r), 0);
	assert_int_equal(r, 0);
	assert_int_equal(diff_rate(0, 1000, 0.0, &r), -ERANGE);
	assert_int_equal(diff_rate(0, 1000, -1.0, &r), -ERANGE);
	assert_int_equal(diff_rate(1001, 1000, 1.0, &r), -ERANGE);
	assert_int_equal(diff_rate(UINT64_MAX, 0, 1.0, &r), 0);
	assert_int_equal(r, 1);
	assert_int_equal(diff_rate(0, UINT64_MAX / 2, 1e-9, &r), 0);
	assert_true(r == UINT64_MAX);			/* saturates */
}

static void
test_diff_filter(void **state)
{
	char *argv[] = { (char *)":500" };
	struct ct_filter_error err;
	struct ct_filter *f;
	struct ct_diff d;

	(void)state;
	assert_int_equal(filter_parse(1, argv, &f, &err), 0);
	fx_conn(&a, 1, 40001, CT_ST_ESTABLISHED);
	fx_sock(&a, IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 22, "127.0.0.1",
	    40100)->cookie = 2;
	fx_conn(&b, 3, 40003, CT_ST_ESTABLISHED);
	fx_sock(&b, IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 22, "127.0.0.1",
	    40200)->cookie = 4;
	assert_int_equal(diff_build(&a, &b, f, &d), 0);
	assert_int_equal(d.nmatch, 1);
	assert_int_equal(d.nopened, 1);
	assert_int_equal(d.cur[1].flags, 0);		/* not shown, not counted */
	assert_int_equal(d.nclosed, 1);
	assert_int_equal(d.closed[0], 0);
	diff_free(&d);
	filter_free(f);
}

/* A dump that lists one socket twice: the second copy is not the same one. */
static void
test_diff_duplicate(void **state)
{
	struct ct_diff d;

	(void)state;
	fx_conn(&a, 1, 40001, CT_ST_ESTABLISHED);
	fx_conn(&b, 1, 40001, CT_ST_ESTABLISHED);
	fx_conn(&b, 1, 40001, CT_ST_ESTABLISHED);
	assert_int_equal(diff_build(&a, &b, NULL, &d), 0);
	assert_int_equal(d.cur[0].prev, 0);
	assert_int_equal(d.cur[1].prev, CT_DIFF_NONE);
	assert_int_equal(d.nclosed, 0);
	diff_free(&d);
}

/* 200,000 records, the order reversed, one in ten replaced: linear work. */
static void
test_diff_large(void **state)
{
	enum { N = 200000 };
	struct ct_diff d;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++)
		fx_conn(&a, i + 1, (uint16_t)i, CT_ST_ESTABLISHED);
	for (i = N; i-- > 0;)
		fx_conn(&b, i % 10 == 0 ? i + 1 + N : i + 1, (uint16_t)i,
		    CT_ST_ESTABLISHED);
	assert_int_equal(diff_build(&a, &b, NULL, &d), 0);
	assert_int_equal(d.nopened, N / 10);
	assert_int_equal(d.nclosed, N / 10);
	for (i = 0; i < N; i++)
		if (!(d.cur[i].flags & CT_DF_NEW))
			assert_int_equal(d.cur[i].prev, N - 1 - i);
	diff_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_diff_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_opened_closed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_diff_state_change, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_diff_reused_tuple, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_diff_no_cookie, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_diff_cookie_one_side, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_diff_rates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_rate_wrap, setup,
		    teardown),
		cmocka_unit_test(test_diff_rate_arith),
		cmocka_unit_test_setup_teardown(test_diff_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff_duplicate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_diff_large, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
