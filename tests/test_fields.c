/* The vocabulary: list parsing, look-ups and suggestions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fields.h"
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
			len = laddr->fmt(&snap, &g, -1, got, &is_null);
			assert_string_equal(got, want);
			assert_int_equal(len, strlen(want));
			snprintf(ep, sizeof(ep), "%s:%u", want, s.lport);
			if (s.lport == 0)
				snprintf(ep, sizeof(ep), "%s:*", want);
			len = local->fmt(&snap, &g, -1, got, &is_null);
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
		assert_int_equal(f->fmt(&snap, &g, -1, got, &is_null), strlen(want));
		assert_string_equal(got, want);
	}
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
