/* The -T and -s renderers on a small fixed snapshot, against literal text. */
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
#include "out_summary.h"
#include "out_tree.h"
#include "summary.h"

#define TCP	IPPROTO_TCP
#define UDP	IPPROTO_UDP
#define EST	CT_ST_ESTABLISHED

static struct ct_snap snap;

static int
setup(void **state)
{
	struct ct_sock *s;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	s = fx_sock(&snap, TCP, CT_ST_LISTEN, "0.0.0.0", 500, "0.0.0.0", 0);
	s->inode = 10;
	s->rqueue = 3;
	s->wqueue = 4;
	fx_owner(&snap, s, 100, 3, "srv");
	s = fx_sock(&snap, TCP, EST, "127.0.0.1", 500, "127.0.0.2", 40001);
	s->inode = 11;
	fx_owner(&snap, s, 100, 4, "srv");
	s = fx_sock(&snap, TCP, EST, "127.0.0.2", 40001, "127.0.0.1", 500);
	s->inode = 12;
	s->wqueue = 9;
	fx_owner(&snap, s, 200, 3, "cli\x1b");
	s = fx_sock(&snap, TCP, CT_ST_LISTEN, "::", 700, "::", 0);
	s->inode = 20;
	s->wqueue = 128;
	s = fx_sock(&snap, TCP, CT_ST_LISTEN, "::", 700, "::", 0);
	s->inode = 21;
	s->wqueue = 128;
	s = fx_sock(&snap, TCP, EST, "::ffff:127.0.0.1", 700, "::ffff:127.0.0.2",
	    40002);
	s->inode = 22;
	s = fx_sock(&snap, TCP, CT_ST_TIME_WAIT, "::1", 700, "::1", 40003);
	listener_link(&snap.socks);
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
default_cols(struct ct_opts *o)
{
	const char *bad;
	size_t badlen;

	assert_int_equal(fields_parse_list("proto,state,recvq,sendq,local,remote,"
	    "process", true, &o->cols, &bad, &badlen), 0);
}

static char *
render_tree(struct ct_opts *o)
{
	struct ct_tree t;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	assert_int_equal(group_tree_build(&snap, o, &t), 0);
	out_tree_write(fp, &snap, &t, o);
	fclose(fp);
	group_tree_free(&t);
	return text;
}

static char *
render_summary(struct ct_opts *o)
{
	struct ct_portrange *r = xcalloc(1, sizeof(*r));
	struct ct_summary sum;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	r->low = 40000;
	r->high = 40003;
	portrange_count(r);
	assert_int_equal(summary_build(&snap, o, r, &sum), 0);
	out_summary_write(fp, &snap, &sum, o);
	fclose(fp);
	summary_free(&sum);
	free(r);
	return text;
}

static void
expect(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
opts_for(struct ct_opts *o, enum ct_format f)
{
	fx_opts(o);
	default_cols(o);
	o->format = f;
}

static const char want_tree_table[] =
	    "tcp 0.0.0.0:500 LISTEN queue=3/4!  conns=1 clients=1 srv(100)\n"
	    "      127.0.0.1:500          <- 127.0.0.2:40001          ESTABLISHED 0 0 srv(100)\n"
	    "tcp *:700       LISTEN queue=0/256 conns=2 clients=2 reuseport=2\n"
	    "    + *:700 LISTEN queue=0/128 -\n"
	    "    + *:700 LISTEN queue=0/128 -\n"
	    "      [::1]:700              <- [::1]:40003              TIME_WAIT   0 0 -\n"
	    "      [::ffff:127.0.0.1]:700 <- [::ffff:127.0.0.2]:40002 ESTABLISHED 0 0 -\n"
	    "\n"
	    "tcp -> 127.0.0.1:500 conns=1\n"
	    "      127.0.0.2:40001 -> 127.0.0.1:500 ESTABLISHED 0 9 cli\\x1b(200)\n";

static const char want_summary_table[] =
	    "PROTO STATE       COUNT\n"
	    "tcp   ESTABLISHED     3\n"
	    "tcp   LISTEN          3\n"
	    "tcp   TIME_WAIT       1\n"
	    "\n"
	    "PROTO LOCAL       RECVQ SENDQ COUNT CLIENTS  HIGH PROCESS\n"
	    "tcp   *:700           0   256     2       2 false -\n"
	    "tcp   0.0.0.0:500     3     4     1       1  true srv(100)\n"
	    "\n"
	    "PROTO LADDR     RADDR     RPORT PORTS_USED PORTS_AVAIL PORTS_PCT  HIGH\n"
	    "tcp   127.0.0.2 127.0.0.1   500          1           4     25.00 false\n";

static const char want_tree_tsv[] =
	    "PROTO\tSTATE\tRECVQ\tSENDQ\tLOCAL\tREMOTE\tPROCESS\tLISTENER\n"
	    "tcp\tLISTEN\t3\t4\t0.0.0.0:500\t0.0.0.0:*\tsrv(100)\t-\n"
	    "tcp\tESTABLISHED\t0\t0\t127.0.0.1:500\t127.0.0.2:40001\tsrv(100)\t0.0.0.0:500\n"
	    "tcp\tLISTEN\t0\t128\t*:700\t*:*\t-\t-\n"
	    "tcp\tLISTEN\t0\t128\t*:700\t*:*\t-\t-\n"
	    "tcp\tTIME_WAIT\t0\t0\t[::1]:700\t[::1]:40003\t-\t*:700\n"
	    "tcp\tESTABLISHED\t0\t0\t[::ffff:127.0.0.1]:700\t[::ffff:127.0.0.2]:40002\t-\t*:700\n"
	    "tcp\tESTABLISHED\t0\t9\t127.0.0.2:40001\t127.0.0.1:500\tcli\\x1b(200)\t-\n";

static const char want_summary_tsv[] =
	    "PROTO\tSTATE\tCOUNT\n"
	    "tcp\tESTABLISHED\t3\n"
	    "tcp\tLISTEN\t3\n"
	    "tcp\tTIME_WAIT\t1\n"
	    "\n"
	    "PROTO\tLOCAL\tRECVQ\tSENDQ\tCOUNT\tCLIENTS\tHIGH\tPROCESS\n"
	    "tcp\t*:700\t0\t256\t2\t2\tfalse\t-\n"
	    "tcp\t0.0.0.0:500\t3\t4\t1\t1\ttrue\tsrv(100)\n"
	    "\n"
	    "PROTO\tLADDR\tRADDR\tRPORT\tPORTS_USED\tPORTS_AVAIL\tPORTS_PCT\tHIGH\n"
	    "tcp\t127.0.0.2\t127.0.0.1\t500\t1\t4\t25.00\tfalse\n";

static const char want_tree_csv[] =
	    "PROTO,STATE,RECVQ,SENDQ,LOCAL,REMOTE,PROCESS,LISTENER\r\n"
	    "tcp,LISTEN,3,4,0.0.0.0:500,0.0.0.0:*,srv(100),-\r\n"
	    "tcp,ESTABLISHED,0,0,127.0.0.1:500,127.0.0.2:40001,srv(100),0.0.0.0:500\r\n"
	    "tcp,LISTEN,0,128,*:700,*:*,-,-\r\n"
	    "tcp,LISTEN,0,128,*:700,*:*,-,-\r\n"
	    "tcp,TIME_WAIT,0,0,[::1]:700,[::1]:40003,-,*:700\r\n"
	    "tcp,ESTABLISHED,0,0,[::ffff:127.0.0.1]:700,[::ffff:127.0.0.2]:40002,-,*:700\r\n"
	    "tcp,ESTABLISHED,0,9,127.0.0.2:40001,127.0.0.1:500,cli\\x1b(200),-\r\n";

static const char want_summary_csv[] =
	    "PROTO,STATE,COUNT\r\n"
	    "tcp,ESTABLISHED,3\r\n"
	    "tcp,LISTEN,3\r\n"
	    "tcp,TIME_WAIT,1\r\n"
	    "\r\n"
	    "PROTO,LOCAL,RECVQ,SENDQ,COUNT,CLIENTS,HIGH,PROCESS\r\n"
	    "tcp,*:700,0,256,2,2,false,-\r\n"
	    "tcp,0.0.0.0:500,3,4,1,1,true,srv(100)\r\n"
	    "\r\n"
	    "PROTO,LADDR,RADDR,RPORT,PORTS_USED,PORTS_AVAIL,PORTS_PCT,HIGH\r\n"
	    "tcp,127.0.0.2,127.0.0.1,500,1,4,25.00,false\r\n";

static const char want_tree_json[] =
	    "{\"listeners\":[\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet\",\"state\":\"LISTEN\",\"laddr\":\"0.0.0.0\",\"lport\":500,\"local\":\"0.0.0.0:500\",\"recvq\":3,\"sendq\":4,\"count\":1,\"clients\":1,\"high\":true,\"members\":[\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet\",\"state\":\"LISTEN\",\"laddr\":\"0.0.0.0\",\"lport\":500,\"raddr\":null,\"rport\":null,\"recvq\":3,\"sendq\":4,\"uid\":0,\"inode\":10,\"v6only\":null,\"pid\":100,\"comm\":\"srv\",\"owners\":[{\"pid\":100,\"comm\":\"srv\",\"fd\":3}]}\n"
	    "]\n"
	    ",\"connections\":[\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet\",\"state\":\"ESTABLISHED\",\"laddr\":\"127.0.0.1\",\"lport\":500,\"raddr\":\"127.0.0.2\",\"rport\":40001,\"recvq\":0,\"sendq\":0,\"uid\":0,\"inode\":11,\"v6only\":null,\"pid\":100,\"comm\":\"srv\",\"owners\":[{\"pid\":100,\"comm\":\"srv\",\"fd\":4}]}\n"
	    "]\n"
	    "},\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet6\",\"state\":\"LISTEN\",\"laddr\":\"::\",\"lport\":700,\"local\":\"*:700\",\"recvq\":0,\"sendq\":256,\"count\":2,\"clients\":2,\"high\":false,\"members\":[\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet6\",\"state\":\"LISTEN\",\"laddr\":\"::\",\"lport\":700,\"raddr\":null,\"rport\":null,\"recvq\":0,\"sendq\":128,\"uid\":0,\"inode\":20,\"v6only\":false,\"pid\":null,\"comm\":null,\"owners\":[]},\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet6\",\"state\":\"LISTEN\",\"laddr\":\"::\",\"lport\":700,\"raddr\":null,\"rport\":null,\"recvq\":0,\"sendq\":128,\"uid\":0,\"inode\":21,\"v6only\":false,\"pid\":null,\"comm\":null,\"owners\":[]}\n"
	    "]\n"
	    ",\"connections\":[\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet6\",\"state\":\"TIME_WAIT\",\"laddr\":\"::1\",\"lport\":700,\"raddr\":\"::1\",\"rport\":40003,\"recvq\":0,\"sendq\":0,\"uid\":0,\"inode\":0,\"v6only\":false,\"pid\":null,\"comm\":null,\"owners\":[]},\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet6\",\"state\":\"ESTABLISHED\",\"laddr\":\"::ffff:127.0.0.1\",\"lport\":700,\"raddr\":\"::ffff:127.0.0.2\",\"rport\":40002,\"recvq\":0,\"sendq\":0,\"uid\":0,\"inode\":22,\"v6only\":false,\"pid\":null,\"comm\":null,\"owners\":[]}\n"
	    "]\n"
	    "}],\n"
	    "\"outgoing\":[\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet\",\"raddr\":\"127.0.0.1\",\"rport\":500,\"remote\":\"127.0.0.1:500\",\"recvq\":0,\"sendq\":9,\"count\":1,\"connections\":[\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet\",\"state\":\"ESTABLISHED\",\"laddr\":\"127.0.0.2\",\"lport\":40001,\"raddr\":\"127.0.0.1\",\"rport\":500,\"recvq\":0,\"sendq\":9,\"uid\":0,\"inode\":12,\"v6only\":null,\"pid\":200,\"comm\":\"cli\\\\x1b\",\"owners\":[{\"pid\":200,\"comm\":\"cli\\\\x1b\",\"fd\":3}]}\n"
	    "]\n"
	    "}]}\n";

static const char want_summary_json[] =
	    "{\"totals\":[\n"
	    "{\"proto\":\"tcp\",\"state\":\"ESTABLISHED\",\"count\":3},\n"
	    "{\"proto\":\"tcp\",\"state\":\"LISTEN\",\"count\":3},\n"
	    "{\"proto\":\"tcp\",\"state\":\"TIME_WAIT\",\"count\":1}\n"
	    "]\n"
	    ",\"listeners\":[\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet6\",\"laddr\":\"::\",\"lport\":700,\"local\":\"*:700\",\"recvq\":0,\"sendq\":256,\"count\":2,\"clients\":2,\"high\":false,\"pid\":null,\"comm\":null,\"owners\":[]},\n"
	    "{\"proto\":\"tcp\",\"family\":\"inet\",\"laddr\":\"0.0.0.0\",\"lport\":500,\"local\":\"0.0.0.0:500\",\"recvq\":3,\"sendq\":4,\"count\":1,\"clients\":1,\"high\":true,\"pid\":100,\"comm\":\"srv\",\"owners\":[{\"pid\":100,\"comm\":\"srv\",\"fd\":3}]}\n"
	    "]\n"
	    ",\"ports\":[\n"
	    "{\"proto\":\"tcp\",\"laddr\":\"127.0.0.2\",\"raddr\":\"127.0.0.1\",\"rport\":500,\"ports_used\":1,\"ports_avail\":4,\"ports_pct\":25.00,\"high\":false}\n"
	    "]\n"
	    "}\n";

#define TEST_FMT(name, fmt, render, want) \
static void \
name(void **state) \
{ \
	struct ct_opts o; \
	(void)state; \
	opts_for(&o, fmt); \
	expect(render(&o), want); \
}
TEST_FMT(test_out_tree_table, CT_FMT_TABLE, render_tree, want_tree_table)
TEST_FMT(test_out_tree_tsv, CT_FMT_TSV, render_tree, want_tree_tsv)
TEST_FMT(test_out_tree_csv, CT_FMT_CSV, render_tree, want_tree_csv)
TEST_FMT(test_out_tree_json, CT_FMT_JSON, render_tree, want_tree_json)
TEST_FMT(test_out_summary_table, CT_FMT_TABLE, render_summary, want_summary_table)
TEST_FMT(test_out_summary_tsv, CT_FMT_TSV, render_summary, want_summary_tsv)
TEST_FMT(test_out_summary_csv, CT_FMT_CSV, render_summary, want_summary_csv)
TEST_FMT(test_out_summary_json, CT_FMT_JSON, render_summary, want_summary_json)

/* -P: no process anywhere; -e: more columns on the connection lines. */
static void
test_out_tree_table_options(void **state)
{
	struct ct_opts o;
	const char *bad;
	size_t badlen;

	(void)state;
	fx_opts(&o);
	o.no_procs = true;
	assert_int_equal(fields_parse_list("proto,state,local,remote,inode",
	    true, &o.cols, &bad, &badlen), 0);
	expect(render_tree(&o),
	    "tcp 0.0.0.0:500 LISTEN queue=3/4!  conns=1 clients=1\n"
	    "      127.0.0.1:500          <- 127.0.0.2:40001          ESTABLISHED 11\n"
	    "tcp *:700       LISTEN queue=0/256 conns=2 clients=2 reuseport=2\n"
	    "    + *:700 LISTEN queue=0/128\n"
	    "    + *:700 LISTEN queue=0/128\n"
	    "      [::1]:700              <- [::1]:40003              TIME_WAIT   0\n"
	    "      [::ffff:127.0.0.1]:700 <- [::ffff:127.0.0.2]:40002 ESTABLISHED 22\n"
	    "\n"
	    "tcp -> 127.0.0.1:500 conns=1\n"
	    "      127.0.0.2:40001 -> 127.0.0.1:500 ESTABLISHED 12\n");
	o.format = CT_FMT_TABLE;
	o.no_header = true;
	expect(render_summary(&o),
	    "tcp ESTABLISHED 3\n"
	    "tcp LISTEN      3\n"
	    "tcp TIME_WAIT   1\n"
	    "\n"
	    "tcp *:700       0 256 2 2 false\n"
	    "tcp 0.0.0.0:500 3   4 1 1  true\n"
	    "\n"
	    "tcp 127.0.0.2 127.0.0.1 500 1 4 25.00 false\n");
}

/* Nothing at all: still well-formed. */
/*
 * A bound UDP socket heads its connected ones, but has no listen queue:
 * its line has no queue=, where a TCP listener's has its accept queue.
 */
static void
test_out_tree_udp(void **state)
{
	struct ct_opts o;
	struct ct_sock *s;

	(void)state;
	snap_free(&snap);
	memset(&snap, 0, sizeof(snap));
	s = fx_sock(&snap, UDP, CT_ST_CLOSE, "0.0.0.0", 53, "0.0.0.0", 0);
	s->rqueue = 8320;			/* bytes, not connections */
	fx_owner(&snap, s, 9, 3, "dnsd");
	s = fx_sock(&snap, UDP, EST, "127.0.0.1", 53, "127.0.0.5", 4000);
	s = fx_sock(&snap, UDP, CT_ST_CLOSE, "::", 54, "::", 0);
	s = fx_sock(&snap, UDP, CT_ST_CLOSE, "::", 54, "::", 0);
	s = fx_sock(&snap, TCP, CT_ST_LISTEN, "0.0.0.0", 80, "0.0.0.0", 0);
	s->wqueue = 128;
	listener_link(&snap.socks);
	opts_for(&o, CT_FMT_TABLE);
	expect(render_tree(&o),
	    "tcp 0.0.0.0:80 LISTEN queue=0/128 conns=0 clients=0 -\n"
	    "udp 0.0.0.0:53 UNCONN conns=1 clients=1 dnsd(9)\n"
	    "      127.0.0.1:53 <- 127.0.0.5:4000 ESTABLISHED 0 0 -\n"
	    "udp *:54       UNCONN conns=0 clients=0 reuseport=2\n"
	    "    + *:54 UNCONN -\n"
	    "    + *:54 UNCONN -\n");
}

static void
test_out_tree_empty(void **state)
{
	struct ct_opts o;

	(void)state;
	snap_free(&snap);
	opts_for(&o, CT_FMT_TABLE);
	expect(render_tree(&o), "");
	opts_for(&o, CT_FMT_JSON);
	expect(render_tree(&o), "{\"listeners\":[],\n\"outgoing\":[]}\n");
	expect(render_summary(&o),
	    "{\"totals\":[]\n,\"listeners\":[]\n,\"ports\":[]\n}\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_out_tree_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_tree_tsv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_tree_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_tree_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_tree_table_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_tree_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_tree_udp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_summary_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_summary_tsv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_summary_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_summary_json, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
