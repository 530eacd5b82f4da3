/*
 * The renderers at the edges: every number at its type's maximum, queue
 * sums past 32 bits, names that escape to four times their length, and
 * more owners than a cell holds. Nothing is cut in the middle, nothing
 * wraps, and no byte outside printable ASCII (bar the format's own tab,
 * CR and LF) comes out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"
#include "group.h"
#include "group_tree.h"
#include "listener.h"
#include "out.h"
#include "out_tree.h"

static struct ct_snap snap;

/* A comm of 15 bytes that each escape to four: 60 characters. */
static const char hostile[] = "\xff\x1b\x9b\x07\r\n\t\x7f\x01\x80\xfe\x1b\x1b\x1b\x1b";
#define HOSTILE_ESC "\\xff\\x1b\\x9b\\x07\\x0d\\x0a\\x09\\x7f\\x01\\x80\\xfe" \
	"\\x1b\\x1b\\x1b\\x1b"

/* The same in a JSON string, where each backslash is escaped again. */
#define HOSTILE_JSON "\\\\xff\\\\x1b\\\\x9b\\\\x07\\\\x0d\\\\x0a" \
	"\\\\x09\\\\x7f\\\\x01\\\\x80\\\\xfe\\\\x1b\\\\x1b\\\\x1b\\\\x1b"

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

static void
set_cols(struct ct_opts *o, const char *list)
{
	const char *bad;
	size_t badlen;

	assert_int_equal(fields_parse_list(list, true, &o->cols, &bad, &badlen), 0);
}

/* Render the snapshot as o says (table, tsv, csv, json, -g, -T). */
static char *
render(struct ct_opts *o)
{
	struct ct_table t;
	struct ct_tree tree;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	if (o->tree) {
		assert_int_equal(group_tree_build(&snap, o, &tree), 0);
		out_tree_write(fp, &snap, &tree, o);
		group_tree_free(&tree);
	} else {
		assert_int_equal(group_table_build(&snap, o, &t), 0);
		if (o->format == CT_FMT_TABLE)
			out_table_write(fp, &snap, &t, o);
		else if (o->format == CT_FMT_JSON)
			out_json_write(fp, &snap, &t, o);
		else
			out_sv_write(fp, &snap, &t, o);
		group_table_free(&t);
	}
	assert_int_equal(fclose(fp), 0);
	return text;
}

/* Only printable ASCII, LF, and the format's own tab or CR. */
static void
assert_clean(const char *text, enum ct_format fmt)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++) {
		if ((*p >= 0x20 && *p < 0x7f) || *p == '\n')
			continue;
		if (*p == '\t' && fmt == CT_FMT_TSV)
			continue;
		if (*p == '\r' && fmt == CT_FMT_CSV)
			continue;
		fail_msg("byte 0x%02x at offset %td", *p, (const char *)p - text);
	}
}

/* An owner named hostile. */
static void
owner_hostile(struct ct_sock *s, uint32_t pid, int fd)
{
	fx_owner(&snap, s, pid, fd, hostile);
}

/* Every per-socket number at its maximum. */
static void
fill_max(void)
{
	struct ct_tcpinfo *ti;
	struct ct_sock *s;

	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED,
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535,
	    "255.255.255.255", 65535);
	s->remote = fx_addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	s->rqueue = UINT32_MAX;
	s->wqueue = UINT32_MAX;
	s->uid = UINT32_MAX;
	s->inode = UINT32_MAX;
	ti = fx_info(&snap, s);
	ti->rtt_us = UINT32_MAX;
	ti->rttvar_us = UINT32_MAX;
	ti->cwnd = UINT32_MAX;
	ti->retrans = UINT32_MAX;
	ti->bytes_acked = UINT64_MAX;
	ti->bytes_received = UINT64_MAX;
	owner_hostile(s, UINT32_MAX, INT32_MAX);
}

static const char *const maxcols = "lport,rport,recvq,sendq,uid,user,inode,"
    "rtt,rttvar,cwnd,retrans,bytes_sent,bytes_recv,pid,comm,process,owners";

/* The largest value of every column, whole. */
static void
test_out_limits_max_table(void **state)
{
	struct ct_opts o;
	char *text;

	(void)state;
	fill_max();
	fx_opts(&o);
	o.no_header = true;
	set_cols(&o, maxcols);
	text = render(&o);
	assert_string_equal(text, "65535 65535 4294967295 4294967295 "
	    "4294967295 4294967295 4294967295 4294967.295 4294967.295 "
	    "4294967295 4294967295 18446744073709551615 18446744073709551615 "
	    "4294967295 " HOSTILE_ESC " " HOSTILE_ESC "(4294967295) "
	    HOSTILE_ESC "(4294967295,2147483647)\n");
	free(text);
}

static void
test_out_limits_max_sv(void **state)
{
	static const char row[] = "65535|65535|4294967295|4294967295|"
	    "4294967295|4294967295|4294967295|4294967.295|4294967.295|"
	    "4294967295|4294967295|18446744073709551615|18446744073709551615|"
	    "4294967295|" HOSTILE_ESC "|" HOSTILE_ESC "(4294967295)|"
	    HOSTILE_ESC "(4294967295,2147483647)";
	char want[sizeof(row) + 4], *p;
	struct ct_opts o;
	char *text;

	(void)state;
	fill_max();
	fx_opts(&o);
	o.no_header = true;
	set_cols(&o, maxcols);
	o.format = CT_FMT_TSV;
	text = render(&o);
	assert_clean(text, o.format);
	snprintf(want, sizeof(want), "%s\n", row);
	for (p = want; *p != '\0'; p++)
		if (*p == '|')
			*p = '\t';
	assert_string_equal(text, want);
	free(text);
	o.format = CT_FMT_CSV;
	text = render(&o);
	assert_clean(text, o.format);
	snprintf(want, sizeof(want), "%s\r\n", row);
	for (p = want; *p != '\0'; p++)
		if (*p == '|')
			*p = ',';
	/* RFC 4180: the owners cell holds a comma, so it is quoted */
	p = strrchr(want, ',') - strlen(HOSTILE_ESC "(4294967295");
	memmove(p + 1, p, strlen(p) + 1);
	*p = '"';
	memmove(want + strlen(want) - 2, "\"\r\n", 4);
	assert_string_equal(text, want);
	free(text);
}

static void
test_out_limits_max_json(void **state)
{
	static const char *const want[] = { "\"rport\":65535,",
	    "\"recvq\":4294967295,", "\"sendq\":4294967295,",
	    "\"uid\":4294967295,", "\"inode\":4294967295,",
	    "\"cwnd\":4294967295,", "\"retrans\":4294967295,",
	    "\"bytes_sent\":18446744073709551615,",
	    "\"bytes_recv\":18446744073709551615",
	    "\"pid\":4294967295,", "\"comm\":\"" HOSTILE_JSON "\"",
	    "\"fd\":2147483647}" };
	struct ct_opts o;
	char *text;
	size_t i;

	(void)state;
	fill_max();
	fx_opts(&o);
	o.format = CT_FMT_JSON;
	o.info = true;
	text = render(&o);
	assert_clean(text, o.format);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(text, want[i]) == NULL)
			fail_msg("no %s in %s", want[i], text);
	free(text);
}

/* Queue and byte sums of a group go past 32 bits without wrapping. */
static void
test_out_limits_group_sums(void **state)
{
	struct ct_tcpinfo *ti;
	struct ct_opts o;
	struct ct_sock *s;
	const char *bad;
	size_t badlen;
	char *text;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		s = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1",
		    80, "127.0.0.2", (uint16_t)(40000 + i));
		s->rqueue = UINT32_MAX;
		s->wqueue = UINT32_MAX;
		ti = fx_info(&snap, s);
		ti->bytes_acked = (uint64_t)1 << 40;
		ti->bytes_received = UINT32_MAX;
	}
	fx_opts(&o);
	o.no_header = true;
	o.info = true;
	assert_int_equal(fields_parse_list("lport", true, &o.group, &bad,
	    &badlen), 0);
	set_cols(&o, "lport,count,recvq,sendq,bytes_sent,bytes_recv");
	text = render(&o);
	assert_string_equal(text, "80 3 12884901885 12884901885 "
	    "3298534883328 12884901885\n");
	free(text);
}

/*
 * More owners than a table cell holds: whole owners, then "+N" for the
 * rest, never half an escape; JSON lists every one.
 */
static void
test_out_limits_many_owners(void **state)
{
	struct ct_sock *s;
	struct ct_opts o;
	char *text, *p;
	size_t n, shown;
	uint32_t i;

	(void)state;
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN, "0.0.0.0", 80,
	    "0.0.0.0", 0);
	for (i = 0; i < 12; i++)
		owner_hostile(s, UINT32_MAX - i, INT32_MAX);
	fx_opts(&o);
	o.no_header = true;
	set_cols(&o, "owners,process");
	text = render(&o);
	assert_clean(text, o.format);
	/* the owners cell: one whole owner (83 bytes leave no room for two) */
	p = strchr(text, ' ');
	assert_non_null(p);
	n = (size_t)(p - text);
	assert_true(n < CT_CELL_MAX);
	shown = strlen(HOSTILE_ESC "(4294967295,2147483647),");
	assert_memory_equal(text, HOSTILE_ESC "(4294967295,2147483647),+11",
	    shown + 3);
	assert_int_equal(n, shown + 3);
	assert_string_equal(p + strspn(p, " "), HOSTILE_ESC "(4294967295,+11)\n");
	free(text);

	o.format = CT_FMT_JSON;
	set_cols(&o, "owners");
	text = render(&o);
	assert_clean(text, o.format);
	for (n = 0, p = text; (p = strstr(p, "\"fd\":2147483647}")) != NULL; p++)
		n++;
	assert_int_equal(n, 12);
	free(text);
}

/* A user name is escaped like a process name. */
static void
test_out_limits_user_name(void **state)
{
	struct ct_sock *s;
	struct ct_opts o;
	char *text;
	size_t n;

	(void)state;
	s = fx_sock(&snap, IPPROTO_UDP, CT_ST_CLOSE, "127.0.0.1", 53,
	    "0.0.0.0", 0);
	s->uid = 4242;
	snap.users = xcalloc(1, sizeof(*snap.users));
	snap.nusers = 1;
	snap.users[0].uid = 4242;
	memset(snap.users[0].name, '\x1b', sizeof(snap.users[0].name) - 1);
	fx_opts(&o);
	o.no_header = true;
	set_cols(&o, "user");
	text = render(&o);
	assert_clean(text, o.format);
	/* a cell holds CT_CELL_MAX - 1 bytes: the 32nd escape is left out whole */
	assert_int_equal(strlen(text), 31 * 4 + 1);
	for (n = 0; n < 31; n++)
		assert_memory_equal(text + 4 * n, "\\x1b", 4);
	free(text);
}

/* The tree, in every format, with the hostile owner on both ends. */
static void
test_out_limits_tree(void **state)
{
	static const enum ct_format fmts[] = { CT_FMT_TABLE, CT_FMT_TSV,
	    CT_FMT_CSV, CT_FMT_JSON };
	struct ct_sock *s;
	struct ct_opts o;
	char *text;
	size_t f;

	(void)state;
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN, "0.0.0.0", 80,
	    "0.0.0.0", 0);
	s->rqueue = UINT32_MAX;
	s->wqueue = UINT32_MAX;
	owner_hostile(s, UINT32_MAX, INT32_MAX);
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 80,
	    "127.0.0.1", 65535);
	owner_hostile(s, 1, 0);
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 65535,
	    "127.0.0.1", 80);
	owner_hostile(s, 2, 1);
	listener_link(&snap.socks);
	for (f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		fx_opts(&o);
		o.tree = true;
		o.format = fmts[f];
		set_cols(&o, "proto,state,recvq,sendq,local,remote,process");
		text = render(&o);
		assert_clean(text, o.format);
		assert_non_null(strstr(text, fmts[f] == CT_FMT_JSON ?
		    HOSTILE_JSON : HOSTILE_ESC));
		assert_non_null(strstr(text, "4294967295"));
		free(text);
	}
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_out_limits_max_table),
		T(test_out_limits_max_sv),
		T(test_out_limits_max_json),
		T(test_out_limits_group_sums),
		T(test_out_limits_many_owners),
		T(test_out_limits_user_name),
		T(test_out_limits_tree),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
