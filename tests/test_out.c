/* The renderers on a small fixed snapshot, against literal text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"
#include "group.h"
#include "out.h"

static struct ct_snap snap;

static int
setup(void **state)
{
	struct ct_sock *s;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	/* inserted out of order: the renderers must see the default order */
	s = fx_sock(&snap, IPPROTO_UDP, CT_ST_CLOSE, "127.0.0.1", 53, "0.0.0.0", 0);
	s->inode = 13;
	fx_owner(&snap, s, 300, 5, "a,\"b");
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED, "::1", 443, "::1", 40000);
	s->inode = 12;
	s->uid = 1000;
	fx_owner(&snap, s, 200, 4, "evil\x1b[31m");
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 500,
	    "127.0.0.2", 1);
	s->rqueue = 5;			/* waiting in the accept queue: no owner */
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 500,
	    "127.0.0.1", 54240);
	s->inode = 11;
	fx_owner(&snap, s, 101, 7, "nginx");
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN, "0.0.0.0", 500, "0.0.0.0", 0);
	s->inode = 10;
	s->rqueue = 1;
	s->wqueue = 128;
	fx_owner(&snap, s, 100, 3, "nginx");
	fx_owner(&snap, s, 101, 3, "nginx");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	snap_free(&snap);
	return 0;
}

/* Render with o and return the text; the caller frees it. */
static char *
render(struct ct_opts *o)
{
	struct ct_table t;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	assert_int_equal(group_table_build(&snap, o, &t), 0);
	switch (o->format) {
	case CT_FMT_TABLE:
		out_table_write(fp, &snap, &t, o);
		break;
	case CT_FMT_TSV:
	case CT_FMT_CSV:
		out_sv_write(fp, &snap, &t, o);
		break;
	case CT_FMT_JSON:
		out_json_write(fp, &snap, &t, o);
		break;
	case CT_FMT_PROMETHEUS:
	case CT_FMT_OPENMETRICS:
		fail_msg("no table in a metric format");
		break;
	}
	fclose(fp);
	group_table_free(&t);
	return text;
}

static void
set_cols(struct ct_opts *o, const char *list)
{
	const char *bad;
	size_t badlen;

	assert_int_equal(fields_parse_list(list, true, &o->cols, &bad, &badlen), 0);
}

static void
test_out_table_default(void **state)
{
	struct ct_opts o;
	char *text;

	(void)state;
	fx_opts(&o);
	set_cols(&o, "proto,state,recvq,sendq,local,remote,process");
	text = render(&o);
	assert_string_equal(text,
"PROTO STATE       RECVQ SENDQ LOCAL         REMOTE          PROCESS\n"
"tcp   LISTEN          1   128 0.0.0.0:500   0.0.0.0:*       nginx(100,+1)\n"
"tcp   ESTABLISHED     0     0 127.0.0.1:500 127.0.0.1:54240 nginx(101)\n"
"tcp   ESTABLISHED     5     0 127.0.0.1:500 127.0.0.2:1     -\n"
"tcp   ESTABLISHED     0     0 [::1]:443     [::1]:40000     evil\\x1b[31m(200)\n"
"udp   UNCONN          0     0 127.0.0.1:53  0.0.0.0:*       a,\"b(300)\n");
	free(text);
}

static void
test_out_table_no_header_reverse(void **state)
{
	struct ct_opts o;
	char *text;

	(void)state;
	fx_opts(&o);
	o.no_header = true;
	o.reverse = true;
	set_cols(&o, "lport,raddr,rport");
	text = render(&o);
	assert_string_equal(text,
" 53 *             *\n"
"443 ::1       40000\n"
"500 127.0.0.2     1\n"
"500 127.0.0.1 54240\n"
"500 *             *\n");
	free(text);
}

static void
test_out_table_sort(void **state)
{
	struct ct_opts o;
	const char *bad;
	size_t badlen;
	char *text;

	(void)state;
	fx_opts(&o);
	set_cols(&o, "inode,comm");
	assert_int_equal(fields_parse_list("recvq", false, &o.sort, &bad,
	    &badlen), 0);
	o.reverse = true;
	text = render(&o);
	assert_string_equal(text,
"INODE COMM\n"
"    0 -\n"
"   10 nginx\n"
"   13 a,\"b\n"
"   12 evil\\x1b[31m\n"
"   11 nginx\n");
	free(text);
}

static void
test_out_tsv(void **state)
{
	struct ct_opts o;
	char *text;

	(void)state;
	fx_opts(&o);
	o.format = CT_FMT_TSV;
	set_cols(&o, "proto,local,remote,pid,owners");
	text = render(&o);
	assert_string_equal(text,
"PROTO\tLOCAL\tREMOTE\tPID\tOWNERS\n"
"tcp\t0.0.0.0:500\t0.0.0.0:*\t100\tnginx(100,3),nginx(101,3)\n"
"tcp\t127.0.0.1:500\t127.0.0.1:54240\t101\tnginx(101,7)\n"
"tcp\t127.0.0.1:500\t127.0.0.2:1\t-\t-\n"
"tcp\t[::1]:443\t[::1]:40000\t200\tevil\\x1b[31m(200,4)\n"
"udp\t127.0.0.1:53\t0.0.0.0:*\t300\ta,\"b(300,5)\n");
	free(text);
}

static void
test_out_csv(void **state)
{
	struct ct_opts o;
	char *text;

	(void)state;
	fx_opts(&o);
	o.format = CT_FMT_CSV;
	o.no_header = true;
	set_cols(&o, "state,comm,process");
	text = render(&o);
	assert_string_equal(text,
"LISTEN,nginx,\"nginx(100,+1)\"\r\n"
"ESTABLISHED,nginx,nginx(101)\r\n"
"ESTABLISHED,-,-\r\n"
"ESTABLISHED,evil\\x1b[31m,evil\\x1b[31m(200)\r\n"
"UNCONN,\"a,\"\"b\",\"a,\"\"b(300)\"\r\n");
	free(text);
}

static void
test_out_json_default(void **state)
{
	struct ct_opts o;
	char *text;

	(void)state;
	fx_opts(&o);
	o.format = CT_FMT_JSON;
	text = render(&o);
	assert_string_equal(text, "[\n"
"{\"proto\":\"tcp\",\"family\":\"inet\",\"state\":\"LISTEN\",\"laddr\":\"0.0.0.0\",\"lport\":500,\"raddr\":null,\"rport\":null,\"recvq\":1,\"sendq\":128,\"uid\":0,\"inode\":10,\"v6only\":null,\"pid\":100,\"comm\":\"nginx\",\"owners\":[{\"pid\":100,\"comm\":\"nginx\",\"fd\":3},{\"pid\":101,\"comm\":\"nginx\",\"fd\":3}]},\n"
"{\"proto\":\"tcp\",\"family\":\"inet\",\"state\":\"ESTABLISHED\",\"laddr\":\"127.0.0.1\",\"lport\":500,\"raddr\":\"127.0.0.1\",\"rport\":54240,\"recvq\":0,\"sendq\":0,\"uid\":0,\"inode\":11,\"v6only\":null,\"pid\":101,\"comm\":\"nginx\",\"owners\":[{\"pid\":101,\"comm\":\"nginx\",\"fd\":7}]},\n"
"{\"proto\":\"tcp\",\"family\":\"inet\",\"state\":\"ESTABLISHED\",\"laddr\":\"127.0.0.1\",\"lport\":500,\"raddr\":\"127.0.0.2\",\"rport\":1,\"recvq\":5,\"sendq\":0,\"uid\":0,\"inode\":0,\"v6only\":null,\"pid\":null,\"comm\":null,\"owners\":[]},\n"
"{\"proto\":\"tcp\",\"family\":\"inet6\",\"state\":\"ESTABLISHED\",\"laddr\":\"::1\",\"lport\":443,\"raddr\":\"::1\",\"rport\":40000,\"recvq\":0,\"sendq\":0,\"uid\":1000,\"inode\":12,\"v6only\":false,\"pid\":200,\"comm\":\"evil\\\\x1b[31m\",\"owners\":[{\"pid\":200,\"comm\":\"evil\\\\x1b[31m\",\"fd\":4}]},\n"
"{\"proto\":\"udp\",\"family\":\"inet\",\"state\":\"UNCONN\",\"laddr\":\"127.0.0.1\",\"lport\":53,\"raddr\":null,\"rport\":null,\"recvq\":0,\"sendq\":0,\"uid\":0,\"inode\":13,\"v6only\":null,\"pid\":300,\"comm\":\"a,\\\"b\",\"owners\":[{\"pid\":300,\"comm\":\"a,\\\"b\",\"fd\":5}]}\n"
"]\n");
	free(text);
}

static void
test_out_json_no_procs_and_cols(void **state)
{
	struct ct_opts o;
	char *text;

	(void)state;
	fx_opts(&o);
	o.format = CT_FMT_JSON;
	o.no_procs = true;
	o.cols_given = true;
	set_cols(&o, "local,rport");
	o.reverse = true;
	text = render(&o);
	assert_string_equal(text, "[\n"
"{\"local\":\"127.0.0.1:53\",\"rport\":null},\n"
"{\"local\":\"[::1]:443\",\"rport\":40000},\n"
"{\"local\":\"127.0.0.1:500\",\"rport\":1},\n"
"{\"local\":\"127.0.0.1:500\",\"rport\":54240},\n"
"{\"local\":\"0.0.0.0:500\",\"rport\":null}\n"
"]\n");
	free(text);
}

static void
test_out_json_empty(void **state)
{
	struct ct_snap empty;
	struct ct_table t;
	struct ct_opts o;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	memset(&empty, 0, sizeof(empty));
	fx_opts(&o);
	assert_int_equal(group_table_build(&empty, &o, &t), 0);
	fp = open_memstream(&text, &len);
	out_json_write(fp, &empty, &t, &o);
	fclose(fp);
	assert_string_equal(text, "[]\n");
	free(text);
	group_table_free(&t);
}

static void
test_out_grouped(void **state)
{
	struct ct_opts o;
	const char *bad;
	size_t badlen;
	char *text;

	(void)state;
	fx_opts(&o);
	assert_int_equal(fields_parse_list("lport", true, &o.group, &bad,
	    &badlen), 0);
	set_cols(&o, "lport,count,recvq,sendq");
	text = render(&o);
	assert_string_equal(text,
"LPORT COUNT RECVQ SENDQ\n"
"  500     3     5     0\n"
"   53     1     0     0\n"
"  443     1     0     0\n");
	free(text);
}

/*
 * -g raddr/24 in JSON: the key is the field's name, the address alone,
 * and the length in a key of its own; null for both without an address.
 */
static void
test_out_json_prefix(void **state)
{
	struct ct_opts o;
	const char *bad;
	size_t badlen;
	char *text;

	(void)state;
	fx_opts(&o);
	o.format = CT_FMT_JSON;
	assert_int_equal(fields_parse_list("raddr/24", true, &o.group, &bad,
	    &badlen), 0);
	fields_cols_as_keys(&o.group);
	set_cols(&o, "raddr/24,count");
	text = render(&o);
	assert_string_equal(text,
"[\n"
"{\"raddr\":null,\"raddr_prefixlen\":null,\"count\":2},\n"
"{\"raddr\":\"127.0.0.0\",\"raddr_prefixlen\":24,\"count\":2},\n"
"{\"raddr\":\"::\",\"raddr_prefixlen\":24,\"count\":1}\n"
"]\n");
	free(text);
	/* longer than an IPv4 address: clamped, as the table's text is */
	set_cols(&o, "laddr/64,count");
	o.group = o.cols;
	o.group.n = 1;
	text = render(&o);
	assert_string_equal(text,
"[\n"
"{\"laddr\":\"127.0.0.1\",\"laddr_prefixlen\":32,\"count\":3},\n"
"{\"laddr\":\"0.0.0.0\",\"laddr_prefixlen\":32,\"count\":1},\n"
"{\"laddr\":\"::\",\"laddr_prefixlen\":64,\"count\":1}\n"
"]\n");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_table_default),
		cmocka_unit_test(test_out_table_no_header_reverse),
		cmocka_unit_test(test_out_table_sort),
		cmocka_unit_test(test_out_tsv),
		cmocka_unit_test(test_out_csv),
		cmocka_unit_test(test_out_json_default),
		cmocka_unit_test(test_out_json_no_procs_and_cols),
		cmocka_unit_test(test_out_json_empty),
		cmocka_unit_test(test_out_grouped),
		cmocka_unit_test(test_out_json_prefix),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
