/* Listener association on synthetic record sets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fixture.h"
#include "listener.h"

#define TCP	IPPROTO_TCP
#define UDP	IPPROTO_UDP
#define EST	CT_ST_ESTABLISHED

static struct ct_snap snap;

static int
setup(void **state)
{
	(void)state;
	memset(&snap, 0, sizeof(snap));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	snap_free(&snap);
	return 0;
}

static struct ct_sock *
lst(uint8_t proto, const char *addr, uint16_t port, uint32_t inode)
{
	const char *any = strchr(addr, ':') != NULL ? "::" : "0.0.0.0";
	struct ct_sock *s = fx_sock(&snap, proto,
	    proto == TCP ? CT_ST_LISTEN : CT_ST_CLOSE, addr, port, any, 0);

	s->inode = inode;
	return s;
}

static struct ct_sock *
conn(uint8_t proto, uint8_t state, const char *laddr, uint16_t lport,
    const char *raddr, uint16_t rport)
{
	return fx_sock(&snap, proto, state, laddr, lport, raddr, rport);
}

/* The inode of the listener record i is linked to; 0 for none. */
static uint32_t
linked(size_t i)
{
	const struct ct_sock *s = &snap.socks.v[i];

	if (s->listener == 0)
		return 0;
	assert_true(s->listener <= snap.socks.len);
	return snap.socks.v[s->listener - 1].inode;
}

static void
test_listener_wildcard(void **state)
{
	(void)state;
	lst(TCP, "0.0.0.0", 500, 10);
	conn(TCP, EST, "127.0.0.1", 500, "127.0.0.2", 40000);
	conn(TCP, CT_ST_TIME_WAIT, "127.0.0.5", 500, "127.0.0.2", 40001);
	conn(TCP, EST, "127.0.0.1", 501, "127.0.0.2", 40002);	/* other port */
	conn(UDP, EST, "127.0.0.1", 500, "127.0.0.2", 40003);	/* other proto */
	listener_link(&snap.socks);
	assert_int_equal(linked(0), 0);			/* a listener has none */
	assert_int_equal(linked(1), 10);
	assert_int_equal(linked(2), 10);
	assert_int_equal(linked(3), 0);
	assert_int_equal(linked(4), 0);
}

static void
test_listener_specific_wins(void **state)
{
	(void)state;
	/* both orders of insertion: the specific address wins either way */
	lst(TCP, "0.0.0.0", 500, 10);
	lst(TCP, "127.0.0.1", 500, 11);
	lst(TCP, "0.0.0.0", 600, 12);
	lst(TCP, "127.0.0.1", 600, 13);
	conn(TCP, EST, "127.0.0.1", 500, "127.0.0.2", 40000);
	conn(TCP, EST, "127.0.0.9", 500, "127.0.0.2", 40001);
	conn(TCP, EST, "127.0.0.1", 600, "127.0.0.2", 40002);
	listener_link(&snap.socks);
	assert_int_equal(linked(4), 11);
	assert_int_equal(linked(5), 10);
	assert_int_equal(linked(6), 13);
}

static void
test_listener_dual_stack(void **state)
{
	(void)state;
	lst(TCP, "::", 700, 20);		/* dual-stack: not V6ONLY */
	conn(TCP, EST, "::ffff:127.0.0.1", 700, "::ffff:127.0.0.2", 40000);
	conn(TCP, EST, "::1", 700, "::1", 40001);
	/* a plain AF_INET socket never comes from an AF_INET6 listener */
	conn(TCP, EST, "127.0.0.1", 700, "127.0.0.2", 40002);
	listener_link(&snap.socks);
	assert_int_equal(linked(1), 20);
	assert_int_equal(linked(2), 20);
	assert_int_equal(linked(3), 0);
}

static void
test_listener_v6only(void **state)
{
	struct ct_sock *l;

	(void)state;
	l = lst(TCP, "::", 700, 20);
	l->flags |= CT_SF_V6ONLY;
	lst(TCP, "0.0.0.0", 700, 21);
	conn(TCP, EST, "::1", 700, "::1", 40001);
	conn(TCP, EST, "127.0.0.1", 700, "127.0.0.2", 40002);
	conn(TCP, EST, "::ffff:127.0.0.1", 700, "::ffff:127.0.0.2", 40003);
	listener_link(&snap.socks);
	assert_int_equal(linked(2), 20);
	assert_int_equal(linked(3), 21);
	assert_int_equal(linked(4), 0);		/* V6ONLY takes no v4 */
}

static void
test_listener_v4mapped_specific(void **state)
{
	(void)state;
	lst(TCP, "::", 700, 20);
	lst(TCP, "::ffff:127.0.0.1", 700, 21);
	conn(TCP, EST, "::ffff:127.0.0.1", 700, "::ffff:127.0.0.2", 40000);
	conn(TCP, EST, "::ffff:127.0.0.3", 700, "::ffff:127.0.0.2", 40001);
	listener_link(&snap.socks);
	assert_int_equal(linked(2), 21);
	assert_int_equal(linked(3), 20);
}

static void
test_listener_reuseport(void **state)
{
	(void)state;
	/* three members of one group, inserted out of inode order */
	lst(TCP, "127.0.0.1", 800, 33);
	lst(TCP, "127.0.0.1", 800, 31);
	lst(TCP, "127.0.0.1", 800, 32);
	conn(TCP, EST, "127.0.0.1", 800, "127.0.0.2", 40000);
	conn(TCP, CT_ST_SYN_RECV, "127.0.0.1", 800, "127.0.0.2", 40001);
	listener_link(&snap.socks);
	/* the group is one listener; the lowest inode stands for it */
	assert_int_equal(linked(3), 31);
	assert_int_equal(linked(4), 31);
	assert_int_equal(listener_cmp_group(&snap.socks.v[0], &snap.socks.v[1]), 0);
}

static void
test_listener_ifindex(void **state)
{
	struct ct_sock *l, *c;

	(void)state;
	lst(TCP, "0.0.0.0", 80, 40);
	l = lst(TCP, "0.0.0.0", 80, 41);
	l->ifindex = 7;
	c = conn(TCP, EST, "127.0.0.1", 80, "127.0.0.2", 40000);
	c->ifindex = 7;			/* inherited from the bound listener */
	conn(TCP, EST, "127.0.0.1", 80, "127.0.0.2", 40001);
	listener_link(&snap.socks);
	assert_int_equal(linked(2), 41);
	assert_int_equal(linked(3), 40);
	assert_int_not_equal(listener_cmp_group(&snap.socks.v[0],
	    &snap.socks.v[1]), 0);
}

static void
test_listener_client_side(void **state)
{
	(void)state;
	lst(TCP, "0.0.0.0", 500, 10);
	/* a client bound to the listener's port, still connecting */
	conn(TCP, CT_ST_SYN_SENT, "127.0.0.1", 500, "127.0.0.9", 80);
	/* a bound socket that neither listens nor connects */
	conn(TCP, CT_ST_CLOSE, "127.0.0.1", 500, "0.0.0.0", 0);
	listener_link(&snap.socks);
	assert_int_equal(linked(1), 0);
	assert_int_equal(linked(2), 0);
}

static void
test_listener_udp(void **state)
{
	(void)state;
	lst(UDP, "0.0.0.0", 443, 50);		/* UNCONN */
	conn(UDP, EST, "127.0.0.1", 443, "127.0.0.2", 40000);	/* connected */
	conn(UDP, EST, "127.0.0.1", 40001, "127.0.0.1", 53);	/* a client */
	listener_link(&snap.socks);
	assert_true(listener_is(&snap.socks.v[0]));
	assert_false(listener_is(&snap.socks.v[1]));
	assert_int_equal(linked(1), 50);
	assert_int_equal(linked(2), 0);
}

static void
test_listener_none(void **state)
{
	(void)state;
	conn(TCP, EST, "127.0.0.1", 500, "127.0.0.2", 40000);
	listener_link(&snap.socks);
	assert_int_equal(linked(0), 0);
	snap_free(&snap);
	listener_link(&snap.socks);		/* empty list */
}

/* 200,000 records: the association must not be O(n * m). */
static void
test_listener_many(void **state)
{
	struct timespec t0, t1;
	size_t i;
	double ms;

	(void)state;
	for (i = 0; i < 2000; i++) {
		char a[32];

		snprintf(a, sizeof(a), "127.0.%zu.%zu", i / 250, i % 250 + 1);
		lst(TCP, a, 500, (uint32_t)i + 1);
	}
	lst(TCP, "0.0.0.0", 500, 99999);
	for (i = 0; i < 198000; i++)
		conn(TCP, EST, "10.0.0.1", 500, "10.1.0.1", (uint16_t)(i % 60000 + 1));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	listener_link(&snap.socks);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_int_equal(linked(2001), 99999);
	assert_int_equal(linked(snap.socks.len - 1), 99999);
	print_message("listener_link over %zu records: %.1f ms\n",
	    snap.socks.len, ms);
	assert_true(ms < 2000);		/* O(n*m) would be 4e8 steps */
}

/* Two namespaces serve 127.0.0.1:8080: each adopts its own connections. */
static void
test_listener_per_netns(void **state)
{
	struct ct_sock *s;

	(void)state;
	s = fx_sock(&snap, TCP, CT_ST_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0);
	s->inode = 1;
	s = fx_sock(&snap, TCP, EST, "127.0.0.1", 8080, "127.0.0.1", 40001);
	s->netns = 1;
	s = fx_sock(&snap, TCP, CT_ST_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0);
	s->netns = 1;
	s->inode = 2;
	fx_sock(&snap, TCP, EST, "127.0.0.1", 8080, "127.0.0.1", 40001);
	/* a namespace with a connection on 8080 and no listener of its own */
	s = fx_sock(&snap, TCP, EST, "127.0.0.1", 8080, "127.0.0.1", 40002);
	s->netns = 2;
	listener_link(&snap.socks);
	assert_int_equal(snap.socks.v[1].listener, 3);	/* namespace 1's */
	assert_int_equal(snap.socks.v[3].listener, 1);	/* namespace 0's */
	assert_int_equal(snap.socks.v[4].listener, 0);
	assert_true(listener_cmp_group(&snap.socks.v[0], &snap.socks.v[2]) != 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_listener_wildcard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_per_netns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_specific_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_dual_stack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_v6only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_v4mapped_specific, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_reuseport, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_ifindex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_client_side, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_udp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_many, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
