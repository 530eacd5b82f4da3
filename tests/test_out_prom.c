/*
 * --format prometheus and openmetrics on a small fixed snapshot, against
 * literal text: the families, the escapes, merging, the caps, the filter
 * first; and the counting of metrics.c underneath.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "filter.h"
#include "fixture.h"
#include "listener.h"
#include "metrics.h"
#include "nstab.h"
#include "out_prom.h"
#include "portrange.h"
#include "summary.h"

#define TCP	IPPROTO_TCP
#define UDP	IPPROTO_UDP
#define EST	CT_ST_ESTABLISHED

static struct ct_snap snap;
static struct ct_opts opts;

/* The snapshot's one namespace, with ports 40000-40999 (read, or not). */
static void
attach_range(bool known)
{
	struct ct_netns *ns = nstab_append(&snap.nstab);

	ns->range = xcalloc(1, sizeof(*ns->range));
	ns->range->low = 40000;
	ns->range->high = 40999;
	ns->range->known = known;
	portrange_count(ns->range);
}
static struct ct_filter *filter;

/*
 * A listener on 0.0.0.0:500 (backlog 128, 3 waiting) held by nginx, two
 * connections it accepted (two nginx processes), their client ends from
 * 127.0.0.5 held by processes with hostile names, and one in TIME_WAIT.
 */
static int
setup(void **state)
{
	struct ct_sock *s;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	fx_opts(&opts);
	opts.protos = CT_P_TCP;
	opts.families = CT_FAM_4;
	opts.series_max = CT_SERIES_MAX_DEFAULT;
	opts.summary = true;
	attach_range(true);
	filter = NULL;

	s = fx_sock(&snap, TCP, CT_ST_LISTEN, "0.0.0.0", 500, "0.0.0.0", 0);
	s->rqueue = 3;
	s->wqueue = 128;
	fx_owner(&snap, s, 100, 3, "nginx");
	s = fx_sock(&snap, TCP, EST, "127.0.0.1", 500, "127.0.0.5", 40001);
	fx_owner(&snap, s, 100, 4, "nginx");
	s = fx_sock(&snap, TCP, EST, "127.0.0.1", 500, "127.0.0.5", 40002);
	fx_owner(&snap, s, 101, 4, "nginx");
	s = fx_sock(&snap, TCP, EST, "127.0.0.5", 40001, "127.0.0.1", 500);
	fx_owner(&snap, s, 200, 5, "a\"b\\c");
	s = fx_sock(&snap, TCP, EST, "127.0.0.5", 40002, "127.0.0.1", 500);
	fx_owner(&snap, s, 201, 5, "evil\n\x1b[31m");
	fx_sock(&snap, TCP, CT_ST_TIME_WAIT, "127.0.0.5", 40003, "127.0.0.1", 500);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	snap_free(&snap);
	filter_free(filter);
	return 0;
}

/* The whole export of the fixture as the options say, NUL-terminated. */
static char *
render(const struct ct_prom_meta *meta)
{
	struct ct_metrics m;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	listener_link(&snap.socks);
	opts.filter = filter;
	assert_int_equal(metrics_build(&snap, &opts, &m), 0);
	assert_int_equal(out_prom_write(fp, &snap, &m, meta, &opts), 0);
	metrics_free(&m);
	fclose(fp);
	return buf;
}

static const struct ct_prom_meta meta_once = { 0.25, NULL };

/* Does text hold this line (a whole line)? */
static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static size_t
count_prefix(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	const char *p;

	for (p = text; *p != '\0'; p = strchr(p, '\n') + 1) {
		n += strncmp(p, prefix, len) == 0;
		if (strchr(p, '\n') == NULL)
			break;
	}
	return n;
}

static void
test_out_prom_text(void **state)
{
	static const char want[] =
"# HELP conntab_sockets Sockets by protocol, address family and state.\n"
"# TYPE conntab_sockets gauge\n"
"conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"CLOSE\"} 0\n"
"conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"CLOSE_WAIT\"} 0\n"
"conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"CLOSING\"} 0\n"
"conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"ESTABLISHED\"} 4\n"
"conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"FIN_WAIT1\"} 0\n"
"conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"FIN_WAIT2\"} 0\n"
"conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"LAST_ACK\"} 0\n"
"conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"LISTEN\"} 1\n"
"conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"SYN_RECV\"} 0\n"
"conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"SYN_SENT\"} 0\n"
"conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"TIME_WAIT\"} 1\n"
"# HELP conntab_listener_connections Open connections a listener accepted "
"(every SO_REUSEPORT member), as conntab -s counts them.\n"
"# TYPE conntab_listener_connections gauge\n"
"conntab_listener_connections{proto=\"tcp\",laddr=\"0.0.0.0\",lport=\"500\"} 2\n"
"# HELP conntab_listener_clients Distinct client addresses among a "
"listener's connections.\n"
"# TYPE conntab_listener_clients gauge\n"
"conntab_listener_clients{proto=\"tcp\",laddr=\"0.0.0.0\",lport=\"500\"} 1\n"
"# HELP conntab_listener_accept_queue Connections waiting in a TCP "
"listener's accept queue.\n"
"# TYPE conntab_listener_accept_queue gauge\n"
"conntab_listener_accept_queue{proto=\"tcp\",laddr=\"0.0.0.0\",lport=\"500\"} 3\n"
"# HELP conntab_listener_backlog The limit of a TCP listener's accept "
"queue: its listen() backlog, capped by net.core.somaxconn.\n"
"# TYPE conntab_listener_backlog gauge\n"
"conntab_listener_backlog{proto=\"tcp\",laddr=\"0.0.0.0\",lport=\"500\"} 128\n"
"# HELP conntab_ephemeral_ports_used Ephemeral local ports in use toward "
"one destination.\n"
"# TYPE conntab_ephemeral_ports_used gauge\n"
"conntab_ephemeral_ports_used{proto=\"tcp\",laddr=\"127.0.0.5\","
"raddr=\"127.0.0.1\",rport=\"500\"} 3\n"
"# HELP conntab_ephemeral_ports_available Ports connect() may choose "
"from: net.ipv4.ip_local_port_range less net.ipv4.ip_local_reserved_ports.\n"
"# TYPE conntab_ephemeral_ports_available gauge\n"
"conntab_ephemeral_ports_available 1000\n"
"# HELP conntab_process_sockets Sockets by the name of their first owning "
"process, protocol and state.\n"
"# TYPE conntab_process_sockets gauge\n"
"conntab_process_sockets{comm=\"nginx\",proto=\"tcp\",state=\"ESTABLISHED\"} 2\n"
"conntab_process_sockets{comm=\"-\",proto=\"tcp\",state=\"TIME_WAIT\"} 1\n"
"conntab_process_sockets{comm=\"a\\\"b\\\\\\\\c\",proto=\"tcp\","
"state=\"ESTABLISHED\"} 1\n"
"conntab_process_sockets{comm=\"evil\\\\x0a\\\\x1b[31m\",proto=\"tcp\","
"state=\"ESTABLISHED\"} 1\n"
"conntab_process_sockets{comm=\"nginx\",proto=\"tcp\",state=\"LISTEN\"} 1\n"
"# HELP conntab_collect_duration_seconds Time the socket dumps and the "
"owner lookup took.\n"
"# TYPE conntab_collect_duration_seconds gauge\n"
"conntab_collect_duration_seconds 0.250000\n"
"# HELP conntab_collect_warnings Warnings of this collection: interrupted "
"dumps, protocols the kernel cannot dump, an unreadable /proc or port "
"range.\n"
"# TYPE conntab_collect_warnings gauge\n"
"conntab_collect_warnings 0\n";
	char *got;

	(void)state;
	got = render(&meta_once);
	assert_string_equal(got, want);
	free(got);
}

/* OpenMetrics: TYPE first, UNIT, counters' samples in _total, # EOF. */
static void
test_out_prom_openmetrics(void **state)
{
	const struct ct_prom_counters c = { 7, 2, 1 };
	const struct ct_prom_meta meta = { 0.5, &c };
	char *got;

	(void)state;
	opts.format = CT_FMT_OPENMETRICS;
	opts.protos = CT_P_TCP | CT_P_UDP;
	got = render(&meta);
	assert_true(has_line(got, "# TYPE conntab_sockets gauge"));
	assert_true(has_line(got, "# TYPE conntab_closed_connections counter"));
	assert_true(has_line(got, "conntab_closed_connections_total{proto=\"tcp\"} 7"));
	assert_true(has_line(got, "conntab_closed_connections_total{proto=\"udp\"} 2"));
	assert_true(has_line(got, "# TYPE conntab_close_events_lost counter"));
	assert_true(has_line(got, "conntab_close_events_lost_total 1"));
	assert_true(has_line(got,
	    "# UNIT conntab_collect_duration_seconds seconds"));
	assert_true(has_line(got, "conntab_collect_duration_seconds 0.500000"));
	/* UDP dumped, none found: its states are there at 0 */
	assert_true(has_line(got,
	    "conntab_sockets{proto=\"udp\",family=\"inet\",state=\"UNCONN\"} 0"));
	assert_int_equal(count_prefix(got, "conntab_sockets{proto=\"udp\""), 2);
	assert_null(strstr(got, "_total counter"));
	assert_int_equal(strcmp(got + strlen(got) - 6, "# EOF\n"), 0);
	free(got);
}

/* 0.0.4: a counter's family is named by its samples, _total included. */
static void
test_out_prom_counters_text(void **state)
{
	const struct ct_prom_counters c = { 7, 2, 1 };
	const struct ct_prom_meta meta = { 0.5, &c };
	char *got;

	(void)state;
	got = render(&meta);
	assert_true(has_line(got, "# TYPE conntab_closed_connections_total counter"));
	assert_true(has_line(got, "conntab_closed_connections_total{proto=\"tcp\"} 7"));
	/* -t: no UDP series */
	assert_null(strstr(got, "proto=\"udp\""));
	assert_null(strstr(got, "# EOF"));
	assert_null(strstr(got, "# UNIT"));
	free(got);
}

/*
 * Six listeners with 1 to 6 connections and max 2: the two largest, then
 * one "other" whose every figure is the sum of the four others.
 */
static void
test_out_prom_cap(void **state)
{
	uint16_t port, i;
	char *got;

	(void)state;
	snap_free(&snap);
	memset(&snap, 0, sizeof(snap));
	for (port = 601; port <= 606; port++) {
		struct ct_sock *s = fx_sock(&snap, TCP, CT_ST_LISTEN, "127.0.0.1",
		    port, "0.0.0.0", 0);

		s->rqueue = 1;
		s->wqueue = 10;
		for (i = 0; i < port - 600; i++)
			fx_sock(&snap, TCP, EST, "127.0.0.1", port, "127.0.0.9",
			    (uint16_t)(1000 + port * 10 + i));
	}
	opts.series_max = 2;
	opts.no_procs = true;
	got = render(&meta_once);
	assert_int_equal(count_prefix(got, "conntab_listener_connections{"), 3);
	assert_true(has_line(got, "conntab_listener_connections{proto=\"tcp\","
	    "laddr=\"127.0.0.1\",lport=\"606\"} 6"));
	assert_true(has_line(got, "conntab_listener_connections{proto=\"tcp\","
	    "laddr=\"127.0.0.1\",lport=\"605\"} 5"));
	assert_true(has_line(got, "conntab_listener_connections{proto=\"other\","
	    "laddr=\"other\",lport=\"other\"} 10"));
	assert_true(has_line(got, "conntab_listener_clients{proto=\"other\","
	    "laddr=\"other\",lport=\"other\"} 4"));
	assert_true(has_line(got, "conntab_listener_accept_queue{proto=\"other\","
	    "laddr=\"other\",lport=\"other\"} 4"));
	assert_true(has_line(got, "conntab_listener_backlog{proto=\"other\","
	    "laddr=\"other\",lport=\"other\"} 40"));
	/* the largest first, the fold last */
	assert_true(strstr(got, "lport=\"606\"} 6") < strstr(got, "lport=\"605\"} 5"));
	assert_true(strstr(got, "lport=\"605\"} 5") < strstr(got, "lport=\"other\"} 10"));
	/* -P: no owners, no process family */
	assert_null(strstr(got, "conntab_process_sockets"));
	free(got);

	/* 0: no cap at all */
	opts.series_max = 0;
	got = render(&meta_once);
	assert_int_equal(count_prefix(got, "conntab_listener_connections{"), 6);
	assert_null(strstr(got, "other"));
	free(got);
}

/* Processes are counted by name, and the cap folds names too. */
static void
test_out_prom_cap_names(void **state)
{
	char *got;

	(void)state;
	opts.series_max = 1;
	got = render(&meta_once);
	assert_int_equal(count_prefix(got, "conntab_process_sockets{"), 2);
	assert_true(has_line(got, "conntab_process_sockets{comm=\"nginx\","
	    "proto=\"tcp\",state=\"ESTABLISHED\"} 2"));
	assert_true(has_line(got, "conntab_process_sockets{comm=\"other\","
	    "proto=\"other\",state=\"other\"} 4"));
	free(got);
}

/*
 * Two listeners on one address and port, bound to different interfaces,
 * print alike: one series, their figures added, never a label set twice.
 */
static void
test_out_prom_merge(void **state)
{
	struct ct_sock *s;
	char *got;

	(void)state;
	s = fx_sock(&snap, TCP, CT_ST_LISTEN, "127.0.0.1", 700, "0.0.0.0", 0);
	s->ifindex = 1;
	s->wqueue = 10;
	s = fx_sock(&snap, TCP, CT_ST_LISTEN, "127.0.0.1", 700, "0.0.0.0", 0);
	s->ifindex = 2;
	s->wqueue = 20;
	got = render(&meta_once);
	assert_int_equal(count_prefix(got, "conntab_listener_backlog{proto=\"tcp\","
	    "laddr=\"127.0.0.1\",lport=\"700\"}"), 1);
	assert_true(has_line(got, "conntab_listener_backlog{proto=\"tcp\","
	    "laddr=\"127.0.0.1\",lport=\"700\"} 30"));
	free(got);
}

/* The filter first: :40001 leaves two sockets, and no listener. */
static void
test_out_prom_filter(void **state)
{
	struct ct_filter_error err;
	char *argv[] = { (char *)":40001" };
	char *got;

	(void)state;
	assert_int_equal(filter_parse(1, argv, &filter, &err), 0);
	got = render(&meta_once);
	assert_true(has_line(got,
	    "conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"ESTABLISHED\"} 2"));
	assert_true(has_line(got,
	    "conntab_sockets{proto=\"tcp\",family=\"inet\",state=\"LISTEN\"} 0"));
	/* the listener is shown for its matching connection, as in -s */
	assert_true(has_line(got, "conntab_listener_connections{proto=\"tcp\","
	    "laddr=\"0.0.0.0\",lport=\"500\"} 1"));
	assert_true(has_line(got, "conntab_ephemeral_ports_used{proto=\"tcp\","
	    "laddr=\"127.0.0.5\",raddr=\"127.0.0.1\",rport=\"500\"} 1"));
	assert_null(strstr(got, "TIME_WAIT\"} 1"));
	free(got);
}

/* No listener, no destination: those families are left out whole. */
static void
test_out_prom_empty(void **state)
{
	char *got;

	(void)state;
	snap_free(&snap);
	memset(&snap, 0, sizeof(snap));
	/* the range could not be read: the kernel's defaults are not used here */
	snap.warn = CT_WARN_NODIAG_UDP | CT_WARN_INTR_TCP | CT_WARN_RANGE;
	opts.protos = CT_P_TCP | CT_P_UDP;
	attach_range(false);
	got = render(&meta_once);
	assert_null(strstr(got, "conntab_listener"));
	assert_null(strstr(got, "conntab_ephemeral_ports_used"));
	assert_null(strstr(got, "conntab_process_sockets"));
	assert_true(has_line(got, "conntab_ephemeral_ports_available 1000"));
	/* a protocol the kernel cannot dump shows no zeros */
	assert_null(strstr(got, "proto=\"udp\""));
	assert_true(has_line(got, "conntab_collect_warnings 3"));
	free(got);
}

/* -l: the zeros are the listening states' only. */
static void
test_out_prom_listening(void **state)
{
	char *got;

	(void)state;
	/* what a -l dump brings: the listener alone */
	snap.socks.len = 1;
	opts.listening = true;
	opts.protos = CT_P_TCP | CT_P_UDP;
	got = render(&meta_once);
	assert_int_equal(count_prefix(got, "conntab_sockets{"), 2);
	assert_true(has_line(got,
	    "conntab_sockets{proto=\"udp\",family=\"inet\",state=\"UNCONN\"} 0"));
	free(got);
}

/* One pass: per state, per distinct name, the first record of each. */
static void
test_metrics_build(void **state)
{
	struct ct_metrics m;

	(void)state;
	listener_link(&snap.socks);
	assert_int_equal(metrics_build(&snap, &opts, &m), 0);
	assert_int_equal(m.sockets.nrows, 3);	/* ESTABLISHED, TIME_WAIT, LISTEN */
	assert_int_equal(m.sockets.rows[0].count, 4);
	assert_ptr_equal(m.sockets.rows[0].first, &snap.socks.v[1]);
	assert_true(m.have_procs);
	/* -, then a"b\c, evil..., nginx (twice: ESTABLISHED, LISTEN) */
	assert_int_equal(m.procs.nrows, 5);
	assert_int_equal(m.procs.rows[0].first->owners, 0);
	assert_int_equal(m.procs.rows[3].count, 2);
	assert_int_equal(m.procs.rows[3].first->state, EST);
	assert_int_equal(m.ports_avail, 1000);
	assert_int_equal(m.warnings, 0);
	assert_int_equal(m.sum.listeners.nrows, 1);
	assert_int_equal(m.sum.ports.nrows, 1);
	metrics_free(&m);
	metrics_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_out_prom_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_openmetrics, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_counters_text, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_cap_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_listening, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_metrics_build, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
