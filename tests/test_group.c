/* The grouping layer on synthetic record sets: -g folds, orders, -T trees. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"
#include "filter.h"
#include "group.h"
#include "group_tree.h"
#include "listener.h"

#define TCP	IPPROTO_TCP
#define UDP	IPPROTO_UDP
#define EST	CT_ST_ESTABLISHED

static struct ct_snap snap;
static struct ct_opts opts;
static struct ct_filter *filt;

static int
setup(void **state)
{
	(void)state;
	memset(&snap, 0, sizeof(snap));
	fx_opts(&opts);
	filt = NULL;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	snap_free(&snap);
	filter_free(filt);
	return 0;
}

static void
set_cols(struct ct_cols *c, const char *list)
{
	const char *bad;
	size_t badlen;

	assert_int_equal(fields_parse_list(list, true, c, &bad, &badlen), 0);
}

/* -g keys, as main.c makes them: v4-mapped addresses fold into IPv4. */
static void
set_group(const char *list)
{
	set_cols(&opts.group, list);
	fields_cols_as_keys(&opts.group);
}

static void
set_filter(const char *word)
{
	struct ct_filter_error err;
	char *argv[] = { (char *)word, NULL };

	assert_int_equal(filter_parse(1, argv, &filt, &err), 0);
	opts.filter = filt;
}

/* One row as "key1 key2 ... count", the keys formatted as -g prints them. */
static void
row_text(const struct ct_group *g, const struct ct_cols *keys, char *out,
    size_t len)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < keys->n; i++) {
		char cell[CT_CELL_MAX];
		bool is_null = false;

		fields_get(keys->v[i].id)->fmt(FX_VIEW(&snap), g, keys->v[i].prefix, cell,
		    &is_null, NULL);
		n += (size_t)snprintf(out + n, len - n, "%s ", cell);
	}
	snprintf(out + n, len - n, "%u", g->count);
}

/* Build the table and compare its rows with the expected lines. */
static void
expect_rows(const char *const *want, size_t nwant)
{
	struct ct_table t;
	char got[512];
	size_t i;

	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	for (i = 0; i < t.nrows && i < nwant; i++) {
		row_text(&t.rows[i], &opts.group, got, sizeof(got));
		assert_string_equal(got, want[i]);
	}
	assert_int_equal(t.nrows, nwant);
	group_table_free(&t);
}

static struct ct_sock *
est(const char *laddr, uint16_t lport, const char *raddr, uint16_t rport)
{
	return fx_sock(&snap, TCP, EST, laddr, lport, raddr, rport);
}

/* The same population for most tests: one listener, clients, one UDP. */
static void
population(void)
{
	struct ct_sock *s;

	s = fx_sock(&snap, TCP, CT_ST_LISTEN, "0.0.0.0", 500, "0.0.0.0", 0);
	s->rqueue = 1;
	s->wqueue = 128;
	est("127.0.0.1", 500, "10.0.0.2", 40001)->rqueue = 5;
	est("127.0.0.1", 500, "10.0.0.1", 40002)->wqueue = 7;
	est("127.0.0.1", 500, "10.0.0.1", 40003);
	est("127.0.0.1", 500, "10.0.0.1", 40004)->wqueue = 3;
	est("127.0.0.1", 500, "10.0.0.3", 40005);
	fx_sock(&snap, TCP, CT_ST_TIME_WAIT, "127.0.0.1", 500, "10.0.0.2", 40006);
	est("::1", 600, "2001:db8:0:1::5", 40007);
	est("::1", 600, "2001:db8:0:2::5", 40008);
	fx_sock(&snap, UDP, CT_ST_CLOSE, "::", 53, "::", 0);
}

static int
cmp_default_qsort(const void *x, const void *y)
{
	return group_cmp_default(*(const struct ct_sock *const *)x,
	    *(const struct ct_sock *const *)y);
}

/*
 * The default order (no -g, no --sort) is sorted on packed keys; it must
 * be exactly group_cmp_default()'s order, forwards and with -r, on a mix
 * made to collide: few addresses and ports, both families, v4-mapped and
 * ::-style addresses, twins that differ only in inode or cookie (a cookie
 * of its own keeps the order total, as the kernel's do).
 */
/* A mix made to collide: few addresses and ports, both families. */
static void
random_mix(size_t n)
{
	static const char *const addrs[] = {
		"127.0.0.1", "127.0.0.2", "10.1.2.3", "0.0.0.0", "255.255.255.255",
		"::1", "::", "::ffff:127.0.0.1", "2001:db8::1", "2001:db8::1:0",
		"fe80::1", "ffff::",
	};
	unsigned seed = 12345;
	size_t i, k;

	for (i = 0; i < n; i++) {
		struct ct_sock *s;
		const char *la, *ra;
		int v6;

		seed = seed * 1103515245 + 12345;
		v6 = (seed >> 8) & 1;
		k = (seed >> 9) % 6 + (v6 ? 6 : 0);
		la = addrs[k];
		k = (seed >> 13) % 6 + (v6 ? 6 : 0);
		ra = addrs[k];
		s = fx_sock(&snap, (seed >> 17) & 1 ? TCP : UDP,
		    (uint8_t)(1 + (seed >> 18) % 11), la,
		    (uint16_t)((seed >> 22) % 3 * 30000), ra,
		    (uint16_t)((seed >> 24) % 4));
		s->inode = (seed >> 26) % 3;
		/* unique, so that the order is total; not in record order */
		s->cookie = (uint64_t)i * 7919 % n;
		s->rqueue = (seed >> 20) % 7;
		s->wqueue = (seed >> 23) % 5;
	}
}

static void
test_group_default_order_exact(void **state)
{
	const struct ct_sock **want;
	struct ct_table t;
	size_t n = 6000, i, k;	/* the radix sort's size; filtered, not */

	(void)state;
	random_mix(n);
	want = calloc(n, sizeof(*want));
	assert_non_null(want);
	for (i = 0; i < n; i++)
		want[i] = &snap.socks.v[i];
	qsort(want, n, sizeof(*want), cmp_default_qsort);
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_int_equal(t.nrows, n);
	for (i = 0; i < n; i++)
		assert_ptr_equal(group_table_first(&snap, &t, i), want[i]);
	group_table_free(&t);
	opts.reverse = true;
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_int_equal(t.nrows, n);
	for (i = 0; i < n; i++)
		assert_ptr_equal(group_table_first(&snap, &t, i), want[n - 1 - i]);
	group_table_free(&t);
	/* with a filter: the same order, the others left out */
	opts.reverse = false;
	set_filter(":30000");
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	for (i = 0, k = 0; i < n; i++) {
		if (want[i]->lport != 30000 && want[i]->rport != 30000)
			continue;
		assert_true(k < t.nrows);
		assert_ptr_equal(group_table_first(&snap, &t, k++), want[i]);
	}
	assert_int_equal(t.nrows, k);
	group_table_free(&t);
	free(want);
}

/*
 * Records of several namespaces: the namespace comes first in the order,
 * by the fast path when each namespace's records come together (as the
 * snapshot gathers them), by the general one when they do not.
 */
static void
test_group_default_order_netns(void **state)
{
	const struct ct_sock **want;
	struct ct_table t;
	size_t n = 9000, i, pass;

	(void)state;
	/* what the fast path packs: IPv4 and IPv6, TCP and UDP, few values */
	for (i = 0; i < n; i++) {
		static const char *const a4[] = { "127.0.0.1", "10.0.0.1", "0.0.0.0" };
		static const char *const a6[] = { "::1", "2001:db8::1", "::" };
		bool v6 = i % 7 == 0;
		struct ct_sock *s = fx_sock(&snap, i % 5 == 0 ? UDP : TCP,
		    (uint8_t)(1 + i % 11), v6 ? a6[i % 3] : a4[i % 3],
		    (uint16_t)(i % 4 * 1000), v6 ? a6[i / 3 % 3] : a4[i / 3 % 3],
		    (uint16_t)(i % 13));

		s->cookie = (uint64_t)i * 7919 % n;
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++)	/* in runs, then scattered */
			snap.socks.v[i].netns = (uint16_t)(pass == 0 ? i * 3 / n :
			    i % 3);
		want = calloc(n, sizeof(*want));
		assert_non_null(want);
		for (i = 0; i < n; i++)
			want[i] = &snap.socks.v[i];
		qsort(want, n, sizeof(*want), cmp_default_qsort);
		assert_int_equal(want[0]->netns, 0);
		assert_int_equal(want[n - 1]->netns, 2);
		assert_int_equal(group_table_build(&snap, &opts, &t), 0);
		assert_int_equal(t.nrows, n);
		/* the fast path keeps no rows, the general one does */
		assert_true((t.rows == NULL) == (pass == 0));
		for (i = 0; i < n; i++)
			assert_ptr_equal(group_table_first(&snap, &t, i), want[i]);
		group_table_free(&t);
		free(want);
	}
}

/*
 * Many distinct IPv6 addresses (the ranking table grows several times
 * while the keys are built), some shared, some v4-mapped, beside IPv4;
 * ports and addresses spread over every digit of the radix sort.
 */
static void
test_group_default_order_many_v6(void **state)
{
	const struct ct_sock **want;
	struct ct_table t;
	size_t n = 6000, i;
	unsigned seed = 777;
	char la[64], ra[64];

	(void)state;
	for (i = 0; i < n; i++) {
		struct ct_sock *s;

		seed = seed * 1103515245 + 12345;
		if ((seed >> 8) % 5 == 0) {
			snprintf(la, sizeof(la), "10.0.%u.%u", (seed >> 10) % 4,
			    (seed >> 12) % 200);
			snprintf(ra, sizeof(ra), "10.1.0.%u", (seed >> 20) % 3);
		} else {
			snprintf(la, sizeof(la), (seed >> 9) & 1 ? "2001:db8::%x" :
			    "::ffff:10.0.0.%u", (seed >> 10) % 700 % 256);
			snprintf(ra, sizeof(ra), "fe80::%x:%x", (seed >> 12) % 3,
			    (seed >> 16) % 900);
		}
		s = fx_sock(&snap, TCP, CT_ST_ESTABLISHED, la,
		    (uint16_t)(seed >> 24 & 3), ra, 443);
		s->cookie = (uint64_t)i * 7919 % n;
	}
	want = calloc(n, sizeof(*want));
	assert_non_null(want);
	for (i = 0; i < n; i++)
		want[i] = &snap.socks.v[i];
	qsort(want, n, sizeof(*want), cmp_default_qsort);
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_int_equal(t.nrows, n);
	for (i = 0; i < n; i++)
		assert_ptr_equal(group_table_first(&snap, &t, i), want[i]);
	group_table_free(&t);
	free(want);
}

/*
 * Keys that differ in local ports alone: the radix sort has an odd number
 * of digits to sort on, and its result must come back to the keys' array.
 */
static void
test_group_default_order_ports_only(void **state)
{
	const struct ct_sock **want;
	struct ct_table t;
	size_t n = 5000, i;
	unsigned seed = 99;

	(void)state;
	for (i = 0; i < n; i++) {
		struct ct_sock *s;

		seed = seed * 1103515245 + 12345;
		s = fx_sock(&snap, TCP, CT_ST_ESTABLISHED, "127.0.0.1",
		    (uint16_t)(seed >> 12), "127.0.0.2", 80);
		s->cookie = (uint64_t)i * 7919 % n;
	}
	want = calloc(n, sizeof(*want));
	assert_non_null(want);
	for (i = 0; i < n; i++)
		want[i] = &snap.socks.v[i];
	qsort(want, n, sizeof(*want), cmp_default_qsort);
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_int_equal(t.nrows, n);
	for (i = 0; i < n; i++)
		assert_ptr_equal(group_table_first(&snap, &t, i), want[i]);
	group_table_free(&t);
	free(want);
}

/*
 * -g folds by hashing the key's text; it must give the groups the sorting
 * fold gives (group_table_fold()): the same first record, count and
 * queues, for keys with and without a prefix, one field and three.
 */
static void
test_group_hash_like_fold(void **state)
{
	static const char *const lists[] = {
		"raddr", "raddr/24,state", "laddr/64,lport,proto", "family,rport",
		"local", "state,inode",
	};
	struct ct_table t, want;
	size_t l, i, j, n = 2000;

	(void)state;
	random_mix(n);
	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		set_group(lists[l]);
		assert_int_equal(group_table_build(&snap, &opts, &t), 0);
		group_table_select(&snap, NULL, &want);
		group_table_fold(&snap, &opts.group, 1, true, &want);
		assert_int_equal(t.nrows, want.nrows);
		for (i = 0; i < want.nrows; i++) {
			for (j = 0; j < t.nrows; j++)
				if (t.rows[j].first == want.rows[i].first)
					break;
			assert_true(j < t.nrows);
			assert_int_equal(t.rows[j].count, want.rows[i].count);
			assert_int_equal(t.rows[j].rq, want.rows[i].rq);
			assert_int_equal(t.rows[j].wq, want.rows[i].wq);
		}
		/* largest first, as documented */
		for (i = 1; i < t.nrows; i++)
			assert_true(t.rows[i - 1].count >= t.rows[i].count);
		group_table_free(&t);
		group_table_free(&want);
	}
}

static void
test_group_one_field(void **state)
{
	static const char *const want[] = {
		"10.0.0.1 3", "* 2", "10.0.0.2 2", "10.0.0.3 1",
		"2001:db8:0:1::5 1", "2001:db8:0:2::5 1",
	};
	struct ct_table t;
	size_t i;

	(void)state;
	population();
	set_group("raddr");
	expect_rows(want, sizeof(want) / sizeof(want[0]));
	/* the queues add up within a group */
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_int_equal(t.rows[0].wq, 10);
	assert_int_equal(t.rows[2].rq, 5);
	/*
	 * "*": the listener and the UDP socket. The listener's accept queue
	 * and backlog (1 of 128) are no bytes and stay out of the sums; the
	 * UDP socket's queues are bytes and count.
	 */
	assert_int_equal(t.rows[1].rq, 0);
	assert_int_equal(t.rows[1].wq, 0);
	assert_true(t.grouped);
	group_table_free(&t);
	snap.socks.v[snap.socks.len - 1].rqueue = 768;	/* the UDP socket */
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_int_equal(t.rows[1].rq, 768);
	assert_int_equal(t.rows[1].wq, 0);
	group_table_free(&t);
	/* the same by sorting (rport folds that way): the listener left out */
	set_group("rport,state");
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	for (i = 0; i < t.nrows; i++)
		if (t.rows[i].first->state == CT_ST_LISTEN)
			assert_true(t.rows[i].rq == 0 && t.rows[i].wq == 0);
	group_table_free(&t);
}

static void
test_group_two_fields(void **state)
{
	static const char *const want[] = {
		"500 ESTABLISHED 5", "600 ESTABLISHED 2", "53 UNCONN 1",
		"500 LISTEN 1", "500 TIME_WAIT 1",
	};

	(void)state;
	population();
	set_group("lport,state");
	expect_rows(want, sizeof(want) / sizeof(want[0]));
}

static void
test_group_three_fields(void **state)
{
	static const char *const want[] = {
		"tcp 10.0.0.1 inet 3", "tcp 10.0.0.2 inet 2", "tcp * inet 1",
		"tcp 10.0.0.3 inet 1", "tcp 2001:db8:0:1::5 inet6 1",
		"tcp 2001:db8:0:2::5 inet6 1", "udp * inet6 1",
	};

	(void)state;
	population();
	set_group("proto,raddr,family");
	expect_rows(want, sizeof(want) / sizeof(want[0]));
}

static void
test_group_prefix(void **state)
{
	static const char *const want24[] = {
		"10.0.0.0/24 6", "* 2", "2001:d00::/24 2",
	};
	static const char *const want64[] = {
		/* longer than 32: an IPv4 address stays whole, a /32 */
		"10.0.0.1/32 3", "* 2", "10.0.0.2/32 2", "10.0.0.3/32 1",
		"2001:db8:0:1::/64 1", "2001:db8:0:2::/64 1",
	};

	(void)state;
	population();
	set_group("raddr/24");
	expect_rows(want24, sizeof(want24) / sizeof(want24[0]));
	set_group("raddr/64");
	expect_rows(want64, sizeof(want64) / sizeof(want64[0]));
}

/*
 * A dual-stack listener's IPv4 clients are IPv4 clients: as group keys,
 * ::ffff:a.b.c.d is a.b.c.d, with a prefix and without, so a client that
 * came to both an IPv4 and a dual-stack listener counts once.
 */
static void
test_group_prefix_v4mapped(void **state)
{
	static const char *const want24[] = {
		"10.0.1.0/24 3", "10.0.2.0/24 1", "10.0.3.0/24 1",
	};
	static const char *const want[] = {
		"10.0.1.9 2", "10.0.1.8 1", "10.0.2.8 1", "10.0.3.8 1",
	};
	static const char *const remote[] = {
		"10.0.1.9:80 2", "10.0.1.8:80 1", "10.0.2.8:80 1", "10.0.3.8:80 1",
	};
	struct ct_table t;

	(void)state;
	est("::ffff:127.0.0.1", 700, "::ffff:10.0.1.9", 40001);
	est("::ffff:127.0.0.1", 700, "::ffff:10.0.1.8", 40002);
	est("::ffff:127.0.0.1", 700, "::ffff:10.0.2.8", 40003);
	est("::ffff:127.0.0.1", 700, "::ffff:10.0.3.8", 40004);
	est("127.0.0.1", 500, "10.0.1.9", 40005);
	set_group("raddr/24");
	expect_rows(want24, sizeof(want24) / sizeof(want24[0]));
	set_group("raddr");
	expect_rows(want, sizeof(want) / sizeof(want[0]));
	/* the row keeps its first record, the IPv4 one, in the default order */
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_int_equal(t.rows[0].first->local.family, AF_INET);
	group_table_free(&t);
	/* a remote endpoint too: the client's 10.0.1.9:80, twice */
	snap.socks.v[0].rport = snap.socks.v[4].rport = 80;
	snap.socks.v[1].rport = snap.socks.v[2].rport = snap.socks.v[3].rport = 80;
	set_group("remote");
	expect_rows(remote, sizeof(remote) / sizeof(remote[0]));
	/* a column is what the kernel holds */
	set_cols(&opts.group, "raddr");
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_int_equal(t.nrows, 5);
	group_table_free(&t);
}

/* IPv6 keys are whole 128-bit addresses, not cut anywhere. */
static void
test_group_ipv6_full(void **state)
{
	static const char *const want[] = {
		"2001:db8::1:0:0:1 2", "2001:db8::1 1",
	};

	(void)state;
	est("::1", 600, "2001:db8::1", 1);
	est("::1", 600, "2001:db8::1:0:0:1", 2);
	est("::1", 600, "2001:db8::1:0:0:1", 3);
	set_group("raddr");
	expect_rows(want, sizeof(want) / sizeof(want[0]));
}

/* Ties keep one order whatever order the kernel returned the records in. */
static void
test_group_stable(void **state)
{
	static const char *const want[] = {
		"10.0.0.1 2", "10.0.0.2 2", "10.0.0.3 2", "10.0.0.4 2",
	};
	static const char *const addrs[] = {
		"10.0.0.3", "10.0.0.1", "10.0.0.4", "10.0.0.2",
	};
	size_t i, k;

	(void)state;
	set_group("raddr");
	for (k = 0; k < 4; k++) {
		snap_free(&snap);
		for (i = 0; i < 8; i++)
			est("127.0.0.1", 500, addrs[(i + k) % 4], (uint16_t)(i + 1));
		expect_rows(want, sizeof(want) / sizeof(want[0]));
	}
}

static void
test_group_reverse(void **state)
{
	static const char *const want[] = {
		"2001:db8:0:2::5 1", "2001:db8:0:1::5 1", "10.0.0.3 1",
		"10.0.0.2 2", "* 2", "10.0.0.1 3",
	};

	(void)state;
	population();
	set_group("raddr");
	opts.reverse = true;
	expect_rows(want, sizeof(want) / sizeof(want[0]));
}

static void
test_group_sort_key(void **state)
{
	static const char *const by_key[] = {
		"* 2", "10.0.0.1 3", "10.0.0.2 2", "10.0.0.3 1",
		"2001:db8:0:1::5 1", "2001:db8:0:2::5 1",
	};
	/* "*" sums no listener's backlog: its sendq is 0 */
	static const char *const by_sendq[] = {
		"* 2", "10.0.0.2 2", "10.0.0.3 1", "2001:db8:0:1::5 1",
		"2001:db8:0:2::5 1", "10.0.0.1 3",
	};

	(void)state;
	population();
	set_group("raddr");
	set_cols(&opts.sort, "raddr");
	expect_rows(by_key, sizeof(by_key) / sizeof(by_key[0]));
	/* a summed figure: the group's total, then count, then key */
	set_cols(&opts.sort, "sendq");
	expect_rows(by_sendq, sizeof(by_sendq) / sizeof(by_sendq[0]));
}

static void
test_group_filter(void **state)
{
	static const char *const want[] = {
		"10.0.0.1 3", "10.0.0.2 2", "* 1", "10.0.0.3 1",
	};

	(void)state;
	population();
	set_group("raddr");
	set_filter(":500");
	expect_rows(want, sizeof(want) / sizeof(want[0]));
}

/*
 * The default order keeps no rows: group_table_row() makes each from its
 * record, its queues and, with tcp_info, its byte counts, as a row of a
 * folded table would hold them; a table with rows hands out its own.
 */
static void
test_group_row_of_record(void **state)
{
	const struct ct_group *g;
	struct ct_tcpinfo *ti;
	struct ct_group one;
	struct ct_table t;
	struct ct_sock *s;

	(void)state;
	s = est("127.0.0.1", 80, "127.0.0.2", 40001);
	s->rqueue = 7;
	s->wqueue = 9;
	ti = fx_info(&snap, s);
	ti->bytes_received = 1ull << 40;
	ti->bytes_acked = 3;
	est("127.0.0.1", 80, "127.0.0.2", 40000);
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_null(t.rows);
	assert_int_equal(t.nrows, 2);
	g = group_table_row(&snap, &t, 1, &one);
	assert_ptr_equal(g, &one);
	assert_ptr_equal(g->first, &snap.socks.v[0]);
	assert_ptr_equal(group_table_first(&snap, &t, 1), &snap.socks.v[0]);
	assert_int_equal(g->count, 1);
	assert_int_equal(g->rq, 7);
	assert_int_equal(g->wq, 9);
	assert_true(g->bytes_in == 1ull << 40);
	assert_int_equal(g->bytes_out, 3);
	g = group_table_row(&snap, &t, 0, &one);
	assert_ptr_equal(g->first, &snap.socks.v[1]);
	assert_int_equal(g->rq, 0);
	assert_true(g->bytes_in == 0);
	group_table_free(&t);
	/* folded: the table's own rows */
	set_group("lport");
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_non_null(t.rows);
	assert_ptr_equal(group_table_row(&snap, &t, 0, &one), &t.rows[0]);
	assert_int_equal(t.rows[0].rq, 7);
	group_table_free(&t);
}

/* Without -g: one row per record, default order, -r reverses. */
static void
test_group_flat(void **state)
{
	struct ct_table t;

	(void)state;
	population();
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_int_equal(t.nrows, snap.socks.len);
	assert_false(t.grouped);
	assert_int_equal(group_table_first(&snap, &t, 0)->state, CT_ST_LISTEN);
	assert_int_equal(group_table_first(&snap, &t, t.nrows - 1)->proto, UDP);
	group_table_free(&t);
	opts.reverse = true;
	assert_int_equal(group_table_build(&snap, &opts, &t), 0);
	assert_int_equal(group_table_first(&snap, &t, 0)->proto, UDP);
	group_table_free(&t);
}

/* ---- the tree ------------------------------------------------------ */

static struct ct_sock *
listen_on(const char *addr, uint16_t port, uint32_t inode)
{
	const char *any = strchr(addr, ':') != NULL ? "::" : "0.0.0.0";
	struct ct_sock *s = fx_sock(&snap, TCP, CT_ST_LISTEN, addr, port, any, 0);

	s->inode = inode;
	s->wqueue = 128;
	return s;
}

static void
tree_population(void)
{
	listen_on("127.0.0.1", 600, 2);
	est("127.0.0.1", 500, "127.0.0.2", 40001);	/* accepted on :500 */
	est("127.0.0.2", 40001, "127.0.0.1", 500);	/* ... its client */
	est("127.0.0.1", 600, "127.0.0.3", 40002);
	est("127.0.0.1", 500, "127.0.0.3", 40003);
	est("127.0.0.3", 40003, "127.0.0.1", 500);
	est("127.0.0.3", 40002, "127.0.0.1", 600);
	est("127.0.0.1", 500, "127.0.0.2", 40004);
	est("127.0.0.2", 40004, "127.0.0.1", 500);
	est("127.0.0.9", 40100, "127.0.0.8", 80);	/* no listener */
	listen_on("0.0.0.0", 500, 1);
	listener_link(&snap.socks);
}

static void
test_group_tree_basic(void **state)
{
	const struct ct_tree_node *nd;
	struct ct_tree t;
	size_t i;

	(void)state;
	tree_population();
	assert_int_equal(group_tree_build(&snap, &opts, &t), 0);
	assert_int_equal(t.nlisteners, 2);
	assert_int_equal(t.nnodes, 2 + 3);
	/* 0.0.0.0:500 first (default order), its three connections */
	nd = &t.nodes[0];
	assert_int_equal(nd->head.first->lport, 500);
	assert_int_equal(nd->nmembers, 1);
	assert_ptr_equal(t.rows[nd->members].first, nd->head.first);
	assert_int_equal(nd->nconns, 3);
	assert_int_equal(nd->head.count, 3);
	assert_int_equal(nd->head.clients, 2);
	assert_int_equal(nd->head.wq, 128);
	assert_true(nd->head.has & CT_G_LISTENER);
	for (i = 0; i < nd->nconns; i++) {
		const struct ct_sock *c = t.rows[nd->conns + i].first;

		assert_int_equal(c->lport, 500);
		assert_ptr_equal(&snap.socks.v[c->listener - 1], nd->head.first);
	}
	/* in order: 127.0.0.2:40001, 127.0.0.2:40004, 127.0.0.3:40003 */
	assert_int_equal(t.rows[nd->conns].first->rport, 40001);
	assert_int_equal(t.rows[nd->conns + 1].first->rport, 40004);
	assert_int_equal(t.rows[nd->conns + 2].first->rport, 40003);
	nd = &t.nodes[1];
	assert_int_equal(nd->head.first->lport, 600);
	assert_int_equal(nd->nconns, 1);
	/* destinations: 127.0.0.1:500 (3), 127.0.0.1:600 (1), 127.0.0.8:80 */
	assert_int_equal(t.nodes[2].head.first->rport, 500);
	assert_int_equal(t.nodes[2].nconns, 3);
	assert_int_equal(t.nodes[2].nmembers, 0);
	assert_int_equal(t.nodes[3].head.first->rport, 600);
	assert_int_equal(t.nodes[4].head.first->rport, 80);
	assert_int_equal(t.nrows, 2 + 4 + 5);
	group_tree_free(&t);
	group_tree_free(&t);			/* idempotent */
}

/* A listener the filter leaves out still heads its matching connections. */
static void
test_group_tree_filter_context(void **state)
{
	struct ct_tree t;

	(void)state;
	tree_population();
	set_filter(":40004");			/* one connection and its client */
	assert_int_equal(group_tree_build(&snap, &opts, &t), 0);
	assert_int_equal(t.nlisteners, 1);
	assert_int_equal(t.nodes[0].head.first->lport, 500);
	assert_int_equal(t.nodes[0].nconns, 1);
	assert_int_equal(t.nodes[0].head.count, 1);
	assert_int_equal(t.nodes[0].head.clients, 1);
	assert_int_equal(t.nnodes, 2);		/* + the client, by destination */
	assert_int_equal(t.nodes[1].nconns, 1);
	group_tree_free(&t);
}

static void
test_group_tree_reuseport(void **state)
{
	struct ct_tree t;
	struct ct_sock *s;

	(void)state;
	listen_on("127.0.0.1", 800, 33)->rqueue = 100;
	listen_on("127.0.0.1", 800, 31);
	s = listen_on("127.0.0.1", 800, 32);
	s->rqueue = 2;
	est("127.0.0.1", 800, "127.0.0.2", 40001);
	est("127.0.0.1", 800, "127.0.0.2", 40002);
	listener_link(&snap.socks);
	assert_int_equal(group_tree_build(&snap, &opts, &t), 0);
	assert_int_equal(t.nlisteners, 1);
	assert_int_equal(t.nnodes, 1);
	assert_int_equal(t.nodes[0].nmembers, 3);
	assert_int_equal(t.rows[0].first->inode, 31);
	assert_int_equal(t.rows[1].first->inode, 32);
	assert_int_equal(t.rows[2].first->inode, 33);
	assert_int_equal(t.nodes[0].head.rq, 102);
	assert_int_equal(t.nodes[0].head.wq, 384);
	/* one member's queue (100 of 128) is over half full */
	assert_true(t.nodes[0].head.high);
	assert_int_equal(t.nodes[0].nconns, 2);
	group_tree_free(&t);
}

/*
 * Outgoing connections to one server, over IPv4 and over a v4-mapped
 * IPv6 socket, are one destination: the key folds the mapped address.
 */
static void
test_group_tree_dest_v4mapped(void **state)
{
	struct ct_tree t;

	(void)state;
	est("127.0.0.1", 40001, "127.0.0.9", 500);
	est("::ffff:127.0.0.1", 40002, "::ffff:127.0.0.9", 500);
	est("::ffff:127.0.0.1", 40003, "::ffff:127.0.0.9", 501);
	assert_int_equal(group_tree_build(&snap, &opts, &t), 0);
	assert_int_equal(t.nlisteners, 0);
	assert_int_equal(t.nnodes, 2);
	assert_int_equal(t.nodes[0].nconns, 2);
	assert_int_equal(t.nodes[0].head.count, 2);
	assert_int_equal(t.nodes[0].head.first->remote.family, AF_INET);
	assert_int_equal(t.nodes[1].nconns, 1);
	group_tree_free(&t);
}

static void
test_group_tree_empty(void **state)
{
	struct ct_tree t;

	(void)state;
	assert_int_equal(group_tree_build(&snap, &opts, &t), 0);
	assert_int_equal(t.nnodes, 0);
	assert_int_equal(t.nrows, 0);
	group_tree_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_default_order_many_v6,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_row_of_record,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_default_order_ports_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_default_order_netns,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_default_order_exact,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_hash_like_fold,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_one_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_two_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_three_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_prefix_v4mapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_ipv6_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_stable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_reverse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_sort_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_flat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_tree_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_tree_filter_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_tree_reuseport, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_tree_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_tree_dest_v4mapped, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
