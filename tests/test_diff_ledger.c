/*
 * The ledger (diff.h): samples and destroy events together, each close
 * told once. Synthetic snapshots of one namespace whose events are heard.
 */
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
#include "nstab.h"

#define GRACE	1000
#define NSNAP	5

static struct ct_snap sn[NSNAP];
static struct ct_ledger *lg;

static int
setup(void **state)
{
	size_t i;

	(void)state;
	memset(sn, 0, sizeof(sn));
	for (i = 0; i < NSNAP; i++) {
		sn[i].when.tv_sec = 100 + 2 * (time_t)i;	/* past the grace */
		nstab_append(&sn[i].nstab)->flags = CT_NS_EVENTS;
	}
	lg = diff_ledger_open(GRACE);
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NSNAP; i++)
		snap_free(&sn[i]);
	diff_ledger_free(lg);
	return 0;
}

/* Sample i into the ledger; its closes into out (which it frees first). */
static void
sample(size_t i, struct ct_diff *d, struct ct_closes *out)
{
	diff_closes_free(out);
	assert_int_equal(diff_build(i > 0 ? &sn[i - 1] : NULL, &sn[i], NULL,
	    d), 0);
	diff_ledger_sample(lg, i > 0 ? &sn[i - 1] : NULL, &sn[i], d, out);
}

/* One destroy event for cookie, heard at ms against sample last. */
static void
event(size_t last, uint64_t cookie, uint16_t rport, int64_t ms,
    struct ct_closes *out)
{
	struct ct_snap ev;

	memset(&ev, 0, sizeof(ev));
	fx_conn(&ev, cookie, rport, CT_ST_CLOSE);
	diff_closes_free(out);
	diff_ledger_events(lg, &sn[last], &ev.socks, NULL, ms, out);
	sock_list_free(&ev.socks);
}

static int64_t
ms_of(size_t i)
{
	return diff_ms(&sn[i].when);
}

/* Killed under its process: the samples close it, its late event is no news. */
static void
test_ledger_late_event(void **state)
{
	struct ct_closes out = { 0 };
	struct ct_diff d;

	(void)state;
	fx_conn(&sn[0], 1, 40001, CT_ST_ESTABLISHED);
	sample(0, &d, &out);
	assert_int_equal(out.n, 0);
	diff_free(&d);
	sample(1, &d, &out);		/* gone: held for its event */
	assert_int_equal(out.n, 0);
	diff_free(&d);
	sample(2, &d, &out);		/* the grace is over */
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].src, CT_CLOSE_SAMPLE);
	assert_true(out.v[0].sampled);
	diff_free(&d);
	sample(3, &d, &out);
	assert_int_equal(out.n, 0);
	diff_free(&d);
	/* the process lets go of it much later */
	event(3, 1, 40001, ms_of(3) + 60000, &out);
	assert_int_equal(out.n, 0);
	diff_closes_free(&out);
}

/* A TIME_WAIT entry seen before its socket's event: no '+', one close. */
static void
test_ledger_tw_before_event(void **state)
{
	struct ct_closes out = { 0 };
	struct ct_diff d;

	(void)state;
	sample(0, &d, &out);
	diff_free(&d);
	fx_conn(&sn[1], 5, 40005, CT_ST_TIME_WAIT);
	sample(1, &d, &out);
	assert_int_equal(d.nopened, 0);
	assert_false(d.cur[0].flags & CT_DF_NEW);
	diff_free(&d);
	event(1, 5, 40005, ms_of(1) + 10, &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].src, CT_CLOSE_KERNEL);
	diff_free(&d);
	fx_conn(&sn[2], 5, 40005, CT_ST_TIME_WAIT);
	sample(2, &d, &out);
	assert_int_equal(d.nopened + d.nchanged, 0);
	assert_int_equal(out.n, 0);
	diff_free(&d);
	sample(3, &d, &out);		/* the entry expires */
	assert_int_equal(out.n, 0);
	diff_free(&d);
	diff_closes_free(&out);
}

/* An event read right after a dump that walked past its stand-in. */
static void
test_ledger_event_before_tw(void **state)
{
	struct ct_closes out = { 0 };
	struct ct_diff d;

	(void)state;
	sample(0, &d, &out);
	diff_free(&d);
	event(0, 7, 40007, ms_of(0) + 500, &out);	/* never sampled */
	assert_int_equal(out.n, 1);
	assert_false(out.v[0].sampled);
	assert_true(out.v[0].duration_ms == -1);
	sample(1, &d, &out);		/* its TIME_WAIT not in this dump */
	assert_int_equal(out.n, 0);
	diff_free(&d);
	fx_conn(&sn[2], 7, 40007, CT_ST_TIME_WAIT);
	sample(2, &d, &out);
	assert_int_equal(d.nopened, 0);
	assert_int_equal(out.n, 0);
	diff_free(&d);
	sample(3, &d, &out);		/* it expires: nothing more to say */
	assert_int_equal(out.n, 0);
	diff_free(&d);
	diff_closes_free(&out);
}

/* One of the last sample: closed at once by its event, as sampled. */
static void
test_ledger_event_of_sampled(void **state)
{
	struct ct_closes out = { 0 };
	struct ct_diff d;

	(void)state;
	fx_conn(&sn[0], 9, 40009, CT_ST_ESTABLISHED);
	sample(0, &d, &out);
	diff_free(&d);
	event(0, 9, 40009, ms_of(0) + 1500, &out);
	assert_int_equal(out.n, 1);
	assert_true(out.v[0].sampled);
	assert_true(out.v[0].duration_ms == 1500);
	assert_int_equal(out.v[0].src, CT_CLOSE_KERNEL);
	sample(1, &d, &out);		/* gone from the dump: told already */
	assert_int_equal(out.n, 0);
	diff_free(&d);
	sample(2, &d, &out);
	assert_int_equal(out.n, 0);
	diff_free(&d);
	diff_closes_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ledger_late_event, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ledger_tw_before_event,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ledger_event_before_tw,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ledger_event_of_sampled,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
