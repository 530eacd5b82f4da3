/* The vocabulary: list parsing, look-ups and suggestions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fields.h"
#include "fixture.h"
#include "group.h"
#include "snap.h"
#include "sock.h"

static void
test_fields_parse_list_ok(void **state)
{
	struct ct_cols c;
	const char *bad;
	size_t badlen;

	(void)state;
	assert_int_equal(fields_parse_list("raddr/24,LPORT,proc", true, &c, &bad,
	    &badlen), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.v[0].id, CT_F_RADDR);
	assert_int_equal(c.v[0].prefix, 24);
	assert_int_equal(c.v[1].id, CT_F_LPORT);
	assert_int_equal(c.v[1].prefix, -1);
	assert_int_equal(c.v[2].id, CT_F_PROCESS);
}

static void
test_fields_parse_list_unknown(void **state)
{
	struct ct_cols c;
	const char *bad;
	size_t badlen;

	(void)state;
	assert_int_equal(fields_parse_list("local,rprot,state", true, &c, &bad,
	    &badlen), -EINVAL);
	assert_int_equal(badlen, 5);
	assert_memory_equal(bad, "rprot", 5);
	assert_string_equal(fields_suggest(bad, badlen), "rport");
	assert_int_equal(fields_parse_list("local,", true, &c, &bad, &badlen),
	    -EINVAL);
	assert_int_equal(badlen, 0);
}

static void
test_fields_parse_list_prefix(void **state)
{
	struct ct_cols c;
	const char *bad;
	size_t badlen;

	(void)state;
	assert_int_equal(fields_parse_list("raddr/24", false, &c, &bad, &badlen),
	    -ERANGE);
	assert_int_equal(fields_parse_list("lport/24", true, &c, &bad, &badlen),
	    -ERANGE);
	assert_int_equal(fields_parse_list("raddr/129", true, &c, &bad, &badlen),
	    -ERANGE);
	assert_int_equal(fields_parse_list("raddr/", true, &c, &bad, &badlen),
	    -ERANGE);
	assert_int_equal(fields_parse_list("raddr/2x", true, &c, &bad, &badlen),
	    -ERANGE);
	assert_int_equal(fields_parse_list("laddr/128", true, &c, &bad, &badlen), 0);
}

static void
test_fields_parse_list_too_many(void **state)
{
	char list[CT_COLS_MAX * 6 + 8] = "";
	struct ct_cols c;
	const char *bad;
	size_t badlen, i;

	(void)state;
	for (i = 0; i <= CT_COLS_MAX; i++)
		strcat(list, i == 0 ? "proto" : ",proto");
	assert_int_equal(fields_parse_list(list, true, &c, &bad, &badlen),
	    -E2BIG);
}

static void
test_fields_suggest_far(void **state)
{
	(void)state;
	assert_null(fields_suggest("zzzzzzzz", 8));
	assert_string_equal(fields_suggest("stat", 4), "state");
	assert_string_equal(fields_suggest("remot", 5), "remote");
}

/* Every field has a unique name and a header that is its upper case. */
static void
test_fields_table_consistent(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < CT_F_NFIELDS; i++) {
		const struct ct_field *f = fields_get((enum ct_field_id)i);

		assert_non_null(f->name);
		assert_non_null(f->fmt);
		assert_int_equal(fields_lookup(f->name, strlen(f->name)), (int)i);
		for (j = 0; f->name[j] != '\0'; j++)
			assert_int_equal(f->header[j], f->name[j] >= 'a' &&
			    f->name[j] <= 'z' ? f->name[j] - 32 : f->name[j]);
	}
}

/* conntab spells IPv4 itself (for speed): it must agree with inet_ntop(). */
static void
test_fields_ipv4_like_inet_ntop(void **state)
{
	const struct ct_field *laddr = fields_get(CT_F_LADDR);
	const struct ct_field *local = fields_get(CT_F_LOCAL);
	struct ct_snap snap;
	struct ct_sock s;
	struct ct_group g;
	char want[INET_ADDRSTRLEN], got[CT_CELL_MAX], ep[CT_CELL_MAX];
	unsigned pos, v;
	size_t len;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	memset(&g, 0, sizeof(g));
	g.first = &s;
	/* every byte value in every position, the others varying too */
	for (pos = 0; pos < 4; pos++) {
		for (v = 0; v < 256; v++) {
			bool is_null = false;
			unsigned i;

			memset(&s, 0, sizeof(s));
			s.local.family = AF_INET;
			for (i = 0; i < 4; i++)
				s.local.bytes[i] = (uint8_t)(i == pos ? v : v * 37 + i * 101);
			s.lport = (uint16_t)(v * 251);
			assert_non_null(inet_ntop(AF_INET, s.local.bytes, want,
			    sizeof(want)));
			len = laddr->fmt(FX_VIEW(&snap), &g, -1, got, &is_null, NULL);
			assert_string_equal(got, want);
			assert_int_equal(len, strlen(want));
			snprintf(ep, sizeof(ep), "%s:%u", want, s.lport);
			if (s.lport == 0)
				snprintf(ep, sizeof(ep), "%s:*", want);
			len = local->fmt(FX_VIEW(&snap), &g, -1, got, &is_null, NULL);
			assert_string_equal(got, ep);
			assert_int_equal(len, strlen(ep));
		}
	}
}

/* Decimal formatting at the edges of each digit count, up to 2^64 - 1. */
static void
test_fields_decimal_edges(void **state)
{
	static const uint64_t v[] = {
		0, 1, 9, 10, 11, 99, 100, 999, 1000, 65535, 4294967295u,
		4294967296u, 10000000000000000000u, 18446744073709551615u,
	};
	const struct ct_field *f = fields_get(CT_F_BYTES_SENT);
	struct ct_snap snap;
	struct ct_sock s;
	struct ct_group g;
	char want[32], got[CT_CELL_MAX];
	size_t i;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	memset(&s, 0, sizeof(s));
	memset(&g, 0, sizeof(g));
	s.flags = CT_SF_INFO;
	g.first = &s;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		bool is_null = false;

		g.bytes_out = v[i];
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v[i]);
		assert_int_equal(f->fmt(FX_VIEW(&snap), &g, -1, got, &is_null, NULL),
		    strlen(want));
		assert_string_equal(got, want);
	}
}

/* Every count of digits and the values around each power of ten. */
static void
test_fields_decimal_like_printf(void **state)
{
	const struct ct_field *f = fields_get(CT_F_BYTES_RECV);
	struct ct_snap snap;
	struct ct_sock s;
	struct ct_group g;
	char want[32], got[CT_CELL_MAX];
	uint64_t p, v, d;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	memset(&s, 0, sizeof(s));
	memset(&g, 0, sizeof(g));
	s.flags = CT_SF_INFO;
	g.first = &s;
	for (v = 0; v <= 100000; v++) {		/* every port and then some */
		bool is_null = false;

		g.bytes_in = v;
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
		assert_int_equal(f->fmt(FX_VIEW(&snap), &g, -1, got, &is_null, NULL),
		    strlen(want));
		assert_string_equal(got, want);
	}
	for (p = 1; p != 0 && p <= UINT64_MAX / 10; p *= 10) {
		for (d = 0; d < 3; d++) {
			bool is_null = false;

			v = p * 10 - 1 + d;		/* 9..9, 10..0, 10..1 */
			g.bytes_in = v;
			snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
			assert_int_equal(f->fmt(FX_VIEW(&snap), &g, -1, got, &is_null,
			    NULL), strlen(want));
			assert_string_equal(got, want);
		}
	}
}

static void
set_addr(struct ct_addr *a, int family, const char *text)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	assert_int_equal(inet_pton(family, text, a->bytes), 1);
}

/*
 * A memo must never change a cell: every column formatted row after row
 * with its memo reads as it does without one, through runs of equal
 * addresses, ports that change under one address, families that change
 * under equal bytes, port 0 and unconnected ends.
 */
static void
test_fields_memo_same_text(void **state)
{
	static const struct {
		int		 family;
		const char	*local, *remote;
		uint16_t	 lport, rport;
		uint8_t		 proto, st, flags;
	} rows[] = {
		{ AF_INET, "127.0.0.1", "0.0.0.0", 9000, 0, IPPROTO_TCP, 10, 0 },
		{ AF_INET, "127.0.0.1", "127.1.0.1", 9000, 40000, IPPROTO_TCP, 1, 0 },
		{ AF_INET, "127.0.0.1", "127.1.0.1", 9000, 40001, IPPROTO_TCP, 1, 0 },
		{ AF_INET, "127.0.0.1", "127.1.0.1", 9000, 40001, IPPROTO_TCP, 6, 0 },
		{ AF_INET, "127.0.0.1", "127.1.0.2", 9001, 40001, IPPROTO_TCP, 1, 0 },
		{ AF_INET, "127.0.0.1", "0.0.0.0", 9002, 0, IPPROTO_UDP, 7, 0 },
		{ AF_INET, "127.0.0.1", "127.0.0.1", 9002, 0, IPPROTO_UDP, 7, 0 },
		{ AF_INET, "255.255.255.255", "1.2.3.4", 65535, 1, IPPROTO_UDP, 1, 0 },
		{ AF_INET6, "::", "::", 9000, 0, IPPROTO_TCP, 10, 0 },
		/* "[::]" after "*" and before it: one address, two texts */
		{ AF_INET6, "::", "::", 9000, 0, IPPROTO_TCP, 10, CT_SF_V6ONLY },
		{ AF_INET6, "::", "::", 9000, 0, IPPROTO_TCP, 10, 0 },
		{ AF_INET6, "::", "::", 9001, 0, IPPROTO_UDP, 7, CT_SF_V6ONLY },
		{ AF_INET6, "::1", "::1", 9000, 50000, IPPROTO_TCP, 1, 0 },
		{ AF_INET6, "::1", "::1", 50000, 9000, IPPROTO_TCP, 1, 0 },
		{ AF_INET6, "::ffff:127.0.0.1", "::ffff:127.1.0.1", 9000, 1,
		    IPPROTO_TCP, 1, 0 },
		{ AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 65535, 65535,
		    IPPROTO_TCP, 12, 0 },
		{ AF_INET, "127.0.0.1", "127.1.0.1", 9000, 40000, IPPROTO_TCP, 1, 0 },
		{ AF_INET6, "::", "::", 0, 0, IPPROTO_TCP, 7, 0 },
		{ AF_INET, "0.0.0.0", "0.0.0.0", 0, 0, IPPROTO_TCP, 7, 0 },
	};
	static const enum ct_field_id ids[] = { CT_F_PROTO, CT_F_FAMILY,
	    CT_F_STATE, CT_F_LADDR, CT_F_RADDR, CT_F_LOCAL, CT_F_REMOTE,
	    CT_F_LPORT, CT_F_RPORT };
	static const int prefixes[] = { CT_PREFIX_NONE, CT_PREFIX_KEY, 0, 8, 24,
	    32, 64, 127, 128 };
	struct ct_fmt_memo memo;
	struct ct_snap snap;
	struct ct_sock s;
	struct ct_group g;
	char want[CT_CELL_MAX], got[CT_CELL_MAX];
	size_t i, k, pi, pass;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	memset(&g, 0, sizeof(g));
	g.first = &s;
	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		const struct ct_field *f = fields_get(ids[k]);

		for (pi = 0; pi < sizeof(prefixes) / sizeof(prefixes[0]); pi++) {
			int prefix = prefixes[pi];

			if (prefix >= 0 && !(f->flags & CT_FF_ADDR))
				continue;
			memset(&memo, 0, sizeof(memo));
			/* twice over: the memo then holds the last row's text */
			for (pass = 0; pass < 2; pass++) {
				for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
					bool n1 = false, n2 = false;
					size_t l1, l2;

					memset(&s, 0, sizeof(s));
					set_addr(&s.local, rows[i].family, rows[i].local);
					set_addr(&s.remote, rows[i].family, rows[i].remote);
					s.lport = rows[i].lport;
					s.rport = rows[i].rport;
					s.proto = rows[i].proto;
					s.state = rows[i].st;
					s.flags = rows[i].flags;
					l1 = f->fmt(FX_VIEW(&snap), &g, prefix, want, &n1, NULL);
					l2 = f->fmt(FX_VIEW(&snap), &g, prefix, got, &n2, &memo);
					assert_int_equal(l2, l1);
					assert_string_equal(got, want);
					assert_int_equal(n2, n1);
				}
			}
		}
	}
}

/*
 * A wildcard IPv6 socket that is not IPV6_V6ONLY takes IPv4 too: its ends
 * print "*" as ss prints them, an IPv6-only one's "[::]"; the v6only field
 * says which, and is absent for IPv4. The two compare apart as they print.
 */
static void
test_fields_v6only(void **state)
{
	static const enum ct_field_id ids[] = { CT_F_LOCAL, CT_F_REMOTE,
	    CT_F_LADDR, CT_F_V6ONLY, CT_F_LISTENER };
	static const char *const want[][5] = {
		{ "*:22", "*:*", "::", "false", "*:22" },
		{ "[::]:22", "[::]:*", "::", "true", "[::]:22" },
		{ "0.0.0.0:22", "0.0.0.0:*", "0.0.0.0", "-", "0.0.0.0:22" },
		{ "[::1]:22", "[::1]:40000", "::1", "false", "*:22" },
	};
	struct ct_snap snap;
	struct ct_group g;
	char got[CT_CELL_MAX];
	size_t i, k;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	memset(&g, 0, sizeof(g));
	fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN, "::", 22, "::", 0);
	fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN, "::", 22, "::", 0)->flags =
	    CT_SF_V6ONLY;
	fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN, "0.0.0.0", 22, "0.0.0.0", 0);
	fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED, "::1", 22, "::1", 40000);
	for (i = 0; i < 3; i++)
		snap.socks.v[i].listener = (uint32_t)i + 1;	/* itself */
	snap.socks.v[3].listener = 1;
	for (i = 0; i < 4; i++) {
		g.first = &snap.socks.v[i];
		for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
			bool is_null = false;

			fields_get(ids[k])->fmt(FX_VIEW(&snap), &g, -1, got, &is_null,
			    NULL);
			assert_string_equal(got, want[i][k]);
			assert_int_equal(is_null, i == 2 && ids[k] == CT_F_V6ONLY);
		}
	}
	/* "*:22" and "[::]:22" are two values of local, and of v6only */
	assert_true(fields_get(CT_F_LOCAL)->cmp(FX_VIEW(&snap), &snap.socks.v[0],
	    &snap.socks.v[1], -1) != 0);
	assert_true(fields_get(CT_F_REMOTE)->cmp(FX_VIEW(&snap), &snap.socks.v[0],
	    &snap.socks.v[1], -1) != 0);
	assert_int_equal(fields_get(CT_F_LADDR)->cmp(FX_VIEW(&snap),
	    &snap.socks.v[0], &snap.socks.v[1], -1), 0);
	assert_true(fields_get(CT_F_V6ONLY)->cmp(FX_VIEW(&snap), &snap.socks.v[2],
	    &snap.socks.v[0], -1) < 0);
	assert_true(fields_get(CT_F_V6ONLY)->cmp(FX_VIEW(&snap), &snap.socks.v[0],
	    &snap.socks.v[1], -1) < 0);
	snap_free(&snap);
}

/*
 * A field's maxlen bounds every text it prints (the table stops measuring
 * a column once it is that wide), and ports read as printf() spells them.
 */
static void
test_fields_maxlen_holds(void **state)
{
	static const uint8_t families[] = { AF_INET, AF_INET6, 0, 99 };
	struct ct_snap snap;
	struct ct_sock s;
	struct ct_group g;
	char got[CT_CELL_MAX], want[16];
	unsigned v, f, k;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	memset(&g, 0, sizeof(g));
	g.first = &s;
	g.has = CT_G_LISTENER;
	for (v = 0; v < 65536; v++) {
		for (f = 0; f < sizeof(families); f++) {
			memset(&s, 0, sizeof(s));
			s.proto = (uint8_t)v;
			s.state = (uint8_t)(v >> 8);
			s.local.family = s.remote.family = families[f];
			s.lport = (uint16_t)v;
			s.rport = (uint16_t)(65535 - v);
			s.remote.bytes[3] = (uint8_t)f;	/* connected or not */
			g.high = v & 1;
			for (k = 0; k < CT_F_NFIELDS; k++) {
				const struct ct_field *fl = fields_get((enum ct_field_id)k);
				bool is_null = false;
				size_t len;

				if (fl->maxlen == 0)
					continue;
				len = fl->fmt(FX_VIEW(&snap), &g, -1, got, &is_null, NULL);
				assert_int_equal(len, strlen(got));
				assert_true(len <= fl->maxlen);
			}
			if (f != 0)
				continue;
			snprintf(want, sizeof(want), "%u", v);
			assert_int_equal(fields_get(CT_F_LPORT)->fmt(FX_VIEW(&snap), &g, -1,
			    got, &(bool){ false }, NULL), strlen(want));
			assert_string_equal(got, want);
		}
	}
}

/* The text of field id for record 0 of snap. */
static const char *
cell(struct ct_snap *snap, enum ct_field_id id, char *buf, bool *is_null)
{
	struct ct_group g;

	memset(&g, 0, sizeof(g));
	g.first = &snap->socks.v[0];
	g.count = 1;
	*is_null = false;
	fields_get(id)->fmt(FX_VIEW(snap), &g, -1, buf, is_null, NULL);
	return buf;
}

/* What ss's filter words test, ss -o's timer, ss -m, more of ss -i. */
static void
test_fields_ss_fields(void **state)
{
	static const struct { uint32_t v; const char *text; } marks[] = {
		{ 0, "0x0" }, { 0xf, "0xf" }, { 0x2a, "0x2a" }, { 0x100, "0x100" },
		{ 0x12345678, "0x12345678" }, { 0xffffffff, "0xffffffff" },
	};
	struct ct_ifname ifn[] = { { 1, "lo" }, { 7, "eth\x1b" "0" } };
	struct ct_cgpath cgp[] = { { 9, (char *)"/system.slice/a b.service" } };
	struct ct_snap snap;
	struct ct_sock *s;
	struct ct_sockext *x;
	struct ct_meminfo *mi;
	struct ct_tcpinfo_more *m;
	char buf[CT_CELL_MAX];
	bool is_null;
	size_t i;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 1,
	    "127.0.0.1", 2);
	/* nothing known: every one of them is null */
	for (i = CT_F_DEV; i < CT_F_NFIELDS; i++) {
		cell(&snap, (enum ct_field_id)i, buf, &is_null);
		assert_true(is_null);
		assert_string_equal(buf, "-");
	}
	snap.ifnames = ifn;
	snap.nifnames = 2;
	snap.cgpaths = cgp;
	snap.ncgpaths = 1;
	s->ifindex = 7;
	assert_string_equal(cell(&snap, CT_F_DEV, buf, &is_null), "eth\\x1b0");
	s->ifindex = 3;				/* gone since the dump */
	assert_string_equal(cell(&snap, CT_F_DEV, buf, &is_null), "3");
	s->flags |= CT_SF_EXT | CT_SF_MEM | CT_SF_MORE | CT_SF_INFO;
	x = sock_list_ext_at(&snap.socks, 0);
	memset(x, 0, sizeof(*x));
	x->has = CT_SX_MARK | CT_SX_CGROUP;
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		x->mark = marks[i].v;
		assert_string_equal(cell(&snap, CT_F_FWMARK, buf, &is_null),
		    marks[i].text);
		assert_true(strlen(buf) <= fields_get(CT_F_FWMARK)->maxlen);
	}
	x->has = CT_SX_CGROUP;			/* no CAP_NET_ADMIN: no mark */
	cell(&snap, CT_F_FWMARK, buf, &is_null);
	assert_true(is_null);
	x->cgroup_id = 9;
	assert_string_equal(cell(&snap, CT_F_CGROUP, buf, &is_null),
	    "/system.slice/a\\x20b.service");
	x->cgroup_id = 10;			/* no path known: its id */
	assert_string_equal(cell(&snap, CT_F_CGROUP, buf, &is_null), "10");
	x->timer = CT_TIMER_KEEPALIVE;
	x->expires_ms = 7199999;
	x->timer_retrans = 2;
	assert_string_equal(cell(&snap, CT_F_TIMER, buf, &is_null), "keepalive");
	assert_string_equal(cell(&snap, CT_F_EXPIRES, buf, &is_null), "7199999");
	assert_string_equal(cell(&snap, CT_F_TIMER_RETRANS, buf, &is_null), "2");
	x->timer = CT_TIMER_OFF;
	cell(&snap, CT_F_EXPIRES, buf, &is_null);
	assert_true(is_null);
	x->timer = 9;
	assert_string_equal(cell(&snap, CT_F_TIMER, buf, &is_null), "unknown");
	mi = sock_list_mem_at(&snap.socks, 0);
	for (i = 0; i < CT_MEM_N; i++)
		mi->v[i] = (uint32_t)(i + 1) * 1000;
	assert_string_equal(cell(&snap, CT_F_RMEM_ALLOC, buf, &is_null), "1000");
	assert_string_equal(cell(&snap, CT_F_BACKLOG, buf, &is_null), "8000");
	assert_string_equal(cell(&snap, CT_F_DROPS, buf, &is_null), "9000");
	m = sock_list_more_at(&snap.socks, 0);
	memset(m, 0, sizeof(*m));
	strcpy(m->cong, "cubic");
	m->snd_mss = 65483;
	m->min_rtt_us = 17;
	m->rto_us = 204000;
	m->delivery_rate = 125000000;		/* bytes/s: 1 Gbit/s */
	m->busy_us = 1234567;
	m->app_limited = 1;
	assert_string_equal(cell(&snap, CT_F_CONG, buf, &is_null), "cubic");
	assert_string_equal(cell(&snap, CT_F_MSS, buf, &is_null), "65483");
	assert_string_equal(cell(&snap, CT_F_MIN_RTT, buf, &is_null), "0.017");
	assert_string_equal(cell(&snap, CT_F_RTO, buf, &is_null), "204.000");
	assert_string_equal(cell(&snap, CT_F_DELIVERY_RATE, buf, &is_null),
	    "1000000000");
	assert_string_equal(cell(&snap, CT_F_BUSY, buf, &is_null), "1234.567");
	assert_string_equal(cell(&snap, CT_F_APP_LIMITED, buf, &is_null), "true");
	m->cong[0] = '\0';
	cell(&snap, CT_F_CONG, buf, &is_null);
	assert_true(is_null);
	snap.ifnames = NULL;			/* not the snapshot's to free */
	snap.nifnames = 0;
	snap.cgpaths = NULL;
	snap.ncgpaths = 0;
	snap_free(&snap);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_parse_list_ok),
		cmocka_unit_test(test_fields_parse_list_unknown),
		cmocka_unit_test(test_fields_parse_list_prefix),
		cmocka_unit_test(test_fields_parse_list_too_many),
		cmocka_unit_test(test_fields_suggest_far),
		cmocka_unit_test(test_fields_table_consistent),
		cmocka_unit_test(test_fields_ipv4_like_inet_ntop),
		cmocka_unit_test(test_fields_decimal_edges),
		cmocka_unit_test(test_fields_decimal_like_printf),
		cmocka_unit_test(test_fields_memo_same_text),
		cmocka_unit_test(test_fields_maxlen_holds),
		cmocka_unit_test(test_fields_v6only),
		cmocka_unit_test(test_fields_ss_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
