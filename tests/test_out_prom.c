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

/* ---- --all-netns ------------------------------------------------------ */

#define POD_UID	"11111111-2222-4333-8444-555555555501"
/* a bind mount's name is anyone's: a quote, ESC, a newline, a backslash */
#define WEB	"web\"\x1b[31m\n\\"

static struct ct_netns *
ns_add(const char *name, uint64_t ino, uint16_t low, uint16_t high)
{
	struct ct_netns *ns = nstab_append(&snap.nstab);

	ns->ino = ino;
	nstab_name(ns, name);
	if (low != 0) {
		ns->range = xcalloc(1, sizeof(*ns->range));
		portrange_default(ns->range);
		ns->range->low = low;
		ns->range->high = high;
		ns->range->known = true;
		portrange_count(ns->range);
	}
	return ns;
}

static uint32_t
ns_label(const char *container, const char *pod, const char *unit)
{
	struct ct_label l;

	memset(&l, 0, sizeof(l));
	snprintf(l.container, sizeof(l.container), "%s", container);
	snprintf(l.pod, sizeof(l.pod), "%s", pod);
	snprintf(l.unit, sizeof(l.unit), "%s", unit);
	return labels_intern(&snap.labels, &l);
}

static struct ct_sock *
ns_sock(uint16_t ns, uint8_t state, const char *laddr, uint16_t lport,
    const char *raddr, uint16_t rport)
{
	struct ct_sock *s = fx_sock(&snap, TCP, state, laddr, lport, raddr, rport);

	s->netns = ns;
	return s;
}

/* One connection to ns's 127.0.0.1:8080 from lport: both ends, owned. */
static void
ns_pair(uint16_t ns, uint16_t lport, uint32_t srv, uint32_t cli)
{
	fx_owner(&snap, ns_sock(ns, EST, "127.0.0.1", 8080, "127.0.0.1", lport),
	    srv, 4, "srv");
	fx_owner(&snap, ns_sock(ns, EST, "127.0.0.1", lport, "127.0.0.1", 8080),
	    cli, 5, "cli");
}

/*
 * Four namespaces: the host's (sshd on :22, in a unit, no container), a
 * Docker container's with a hostile name (127.0.0.1:8080, one connection,
 * ports 40000-40009), a Kubernetes pod's, "db" (127.0.0.1:8080, three
 * connections and a TIME_WAIT nobody holds, ports 40000-40099), and one
 * gone since. Their records come interleaved.
 */
static int
setup_netns(void **state)
{
	struct ct_sock *s;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	fx_opts(&opts);
	opts.protos = CT_P_TCP;
	opts.families = CT_FAM_4;
	opts.series_max = CT_SERIES_MAX_DEFAULT;
	opts.summary = true;
	opts.all_netns = true;
	filter = NULL;
	ns_add(NULL, 4026531840u, 32768, 60999)->flags |= CT_NS_HOST;
	nstab_name(&snap.nstab.v[0], NULL);
	ns_add(WEB, 4026532001u, 40000, 40009);
	ns_add("db", 4026532002u, 40000, 40099);
	ns_add("gone", 4026532003u, 0, 0)->flags |= CT_NS_GONE;
	labels_init(&snap.labels);
	labels_add_pid(&snap.labels, 100, ns_label("", "", "sshd.service"));
	labels_add_pid(&snap.labels, 200, ns_label("docker:0123456789ab", "", ""));
	labels_add_pid(&snap.labels, 201, ns_label("docker:0123456789ab", "", ""));
	labels_add_pid(&snap.labels, 300, ns_label("containerd:fedcba987654",
	    POD_UID, ""));
	labels_add_pid(&snap.labels, 301, ns_label("containerd:fedcba987654",
	    POD_UID, ""));
	snap.nstab.v[2].label = labels_of_pid(&snap.labels, 300);

	s = ns_sock(2, CT_ST_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0);
	s->rqueue = 1;
	s->wqueue = 64;
	fx_owner(&snap, s, 300, 3, "srv");
	s = ns_sock(1, CT_ST_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0);
	s->wqueue = 128;
	fx_owner(&snap, s, 200, 3, "srv");
	ns_pair(2, 40001, 300, 301);
	ns_pair(1, 40001, 200, 201);
	ns_pair(2, 40002, 300, 301);
	s = ns_sock(0, CT_ST_LISTEN, "0.0.0.0", 22, "0.0.0.0", 0);
	s->wqueue = 128;
	fx_owner(&snap, s, 100, 3, "sshd");
	ns_pair(2, 40003, 300, 301);
	ns_sock(2, CT_ST_TIME_WAIT, "127.0.0.1", 40004, "127.0.0.1", 8080);
	return 0;
}

/* The text without its comment lines (HELP, TYPE: test_out_prom_text). */
static char *
samples_of(char *text)
{
	char *r = text, *w = text, *nl;

	for (; *r != '\0'; r = nl + 1) {
		nl = strchr(r, '\n');
		assert_non_null(nl);
		if (*r == '#')
			continue;
		memmove(w, r, (size_t)(nl - r) + 1);
		w += nl - r + 1;
	}
	*w = '\0';
	return text;
}

/* The netns label of WEB as the export spells it: escaped twice over. */
#define WEB_L	"netns=\"web\\\"\\\\x1b[31m\\\\x0a\\\\\\\\\""

/*
 * --all-netns: every family that counts sockets per namespace, netns
 * first; the zeros of each namespace shown (not the gone one); each
 * namespace's own ports; the container family, a TIME_WAIT nobody holds
 * under the container its namespace's processes share, sshd (a unit, no
 * container) under "-"; the hostile name escaped; the run's own figures
 * without netns.
 */
static void
test_out_prom_netns_text(void **state)
{
	static const char want[] =
"conntab_sockets{netns=\"db\",proto=\"tcp\",family=\"inet\","
    "state=\"CLOSE\"} 0\n"
"conntab_sockets{netns=\"db\",proto=\"tcp\",family=\"inet\","
    "state=\"CLOSE_WAIT\"} 0\n"
"conntab_sockets{netns=\"db\",proto=\"tcp\",family=\"inet\","
    "state=\"CLOSING\"} 0\n"
"conntab_sockets{netns=\"db\",proto=\"tcp\",family=\"inet\","
    "state=\"ESTABLISHED\"} 6\n"
"conntab_sockets{netns=\"db\",proto=\"tcp\",family=\"inet\","
    "state=\"FIN_WAIT1\"} 0\n"
"conntab_sockets{netns=\"db\",proto=\"tcp\",family=\"inet\","
    "state=\"FIN_WAIT2\"} 0\n"
"conntab_sockets{netns=\"db\",proto=\"tcp\",family=\"inet\","
    "state=\"LAST_ACK\"} 0\n"
"conntab_sockets{netns=\"db\",proto=\"tcp\",family=\"inet\","
    "state=\"LISTEN\"} 1\n"
"conntab_sockets{netns=\"db\",proto=\"tcp\",family=\"inet\","
    "state=\"SYN_RECV\"} 0\n"
"conntab_sockets{netns=\"db\",proto=\"tcp\",family=\"inet\","
    "state=\"SYN_SENT\"} 0\n"
"conntab_sockets{netns=\"db\",proto=\"tcp\",family=\"inet\","
    "state=\"TIME_WAIT\"} 1\n"
"conntab_sockets{netns=\"host\",proto=\"tcp\","
    "family=\"inet\",state=\"CLOSE\"} 0\n"
"conntab_sockets{netns=\"host\",proto=\"tcp\","
    "family=\"inet\",state=\"CLOSE_WAIT\"} 0\n"
"conntab_sockets{netns=\"host\",proto=\"tcp\","
    "family=\"inet\",state=\"CLOSING\"} 0\n"
"conntab_sockets{netns=\"host\",proto=\"tcp\","
    "family=\"inet\",state=\"ESTABLISHED\"} 0\n"
"conntab_sockets{netns=\"host\",proto=\"tcp\","
    "family=\"inet\",state=\"FIN_WAIT1\"} 0\n"
"conntab_sockets{netns=\"host\",proto=\"tcp\","
    "family=\"inet\",state=\"FIN_WAIT2\"} 0\n"
"conntab_sockets{netns=\"host\",proto=\"tcp\","
    "family=\"inet\",state=\"LAST_ACK\"} 0\n"
"conntab_sockets{netns=\"host\",proto=\"tcp\","
    "family=\"inet\",state=\"LISTEN\"} 1\n"
"conntab_sockets{netns=\"host\",proto=\"tcp\","
    "family=\"inet\",state=\"SYN_RECV\"} 0\n"
"conntab_sockets{netns=\"host\",proto=\"tcp\","
    "family=\"inet\",state=\"SYN_SENT\"} 0\n"
"conntab_sockets{netns=\"host\",proto=\"tcp\","
    "family=\"inet\",state=\"TIME_WAIT\"} 0\n"
"conntab_sockets{" WEB_L ",proto=\"tcp\",family=\"inet\","
    "state=\"CLOSE\"} 0\n"
"conntab_sockets{" WEB_L ",proto=\"tcp\",family=\"inet\","
    "state=\"CLOSE_WAIT\"} 0\n"
"conntab_sockets{" WEB_L ",proto=\"tcp\",family=\"inet\","
    "state=\"CLOSING\"} 0\n"
"conntab_sockets{" WEB_L ",proto=\"tcp\",family=\"inet\","
    "state=\"ESTABLISHED\"} 2\n"
"conntab_sockets{" WEB_L ",proto=\"tcp\",family=\"inet\","
    "state=\"FIN_WAIT1\"} 0\n"
"conntab_sockets{" WEB_L ",proto=\"tcp\",family=\"inet\","
    "state=\"FIN_WAIT2\"} 0\n"
"conntab_sockets{" WEB_L ",proto=\"tcp\",family=\"inet\","
    "state=\"LAST_ACK\"} 0\n"
"conntab_sockets{" WEB_L ",proto=\"tcp\",family=\"inet\","
    "state=\"LISTEN\"} 1\n"
"conntab_sockets{" WEB_L ",proto=\"tcp\",family=\"inet\","
    "state=\"SYN_RECV\"} 0\n"
"conntab_sockets{" WEB_L ",proto=\"tcp\",family=\"inet\","
    "state=\"SYN_SENT\"} 0\n"
"conntab_sockets{" WEB_L ",proto=\"tcp\",family=\"inet\","
    "state=\"TIME_WAIT\"} 0\n"
"conntab_listener_connections{netns=\"db\",proto=\"tcp\","
    "laddr=\"127.0.0.1\",lport=\"8080\"} 3\n"
"conntab_listener_connections{" WEB_L ",proto=\"tcp\","
    "laddr=\"127.0.0.1\",lport=\"8080\"} 1\n"
"conntab_listener_connections{netns=\"host\",proto=\"tcp\","
    "laddr=\"0.0.0.0\",lport=\"22\"} 0\n"
"conntab_listener_clients{netns=\"db\",proto=\"tcp\","
    "laddr=\"127.0.0.1\",lport=\"8080\"} 1\n"
"conntab_listener_clients{" WEB_L ",proto=\"tcp\","
    "laddr=\"127.0.0.1\",lport=\"8080\"} 1\n"
"conntab_listener_clients{netns=\"host\",proto=\"tcp\","
    "laddr=\"0.0.0.0\",lport=\"22\"} 0\n"
"conntab_listener_accept_queue{netns=\"db\",proto=\"tcp\","
    "laddr=\"127.0.0.1\",lport=\"8080\"} 1\n"
"conntab_listener_accept_queue{" WEB_L ",proto=\"tcp\","
    "laddr=\"127.0.0.1\",lport=\"8080\"} 0\n"
"conntab_listener_accept_queue{netns=\"host\",proto=\"tcp\","
    "laddr=\"0.0.0.0\",lport=\"22\"} 0\n"
"conntab_listener_backlog{netns=\"db\",proto=\"tcp\","
    "laddr=\"127.0.0.1\",lport=\"8080\"} 64\n"
"conntab_listener_backlog{" WEB_L ",proto=\"tcp\","
    "laddr=\"127.0.0.1\",lport=\"8080\"} 128\n"
"conntab_listener_backlog{netns=\"host\",proto=\"tcp\","
    "laddr=\"0.0.0.0\",lport=\"22\"} 128\n"
"conntab_ephemeral_ports_used{netns=\"db\",proto=\"tcp\","
    "laddr=\"127.0.0.1\",raddr=\"127.0.0.1\",rport=\"8080\"} 4\n"
"conntab_ephemeral_ports_used{" WEB_L ",proto=\"tcp\","
    "laddr=\"127.0.0.1\",raddr=\"127.0.0.1\",rport=\"8080\"} 1\n"
"conntab_ephemeral_ports_available{netns=\"db\"} 100\n"
"conntab_ephemeral_ports_available{netns=\"host\"} 28232\n"
"conntab_ephemeral_ports_available{" WEB_L "} 10\n"
"conntab_process_sockets{netns=\"db\",comm=\"cli\","
    "proto=\"tcp\",state=\"ESTABLISHED\"} 3\n"
"conntab_process_sockets{netns=\"db\",comm=\"srv\","
    "proto=\"tcp\",state=\"ESTABLISHED\"} 3\n"
"conntab_process_sockets{netns=\"db\",comm=\"-\","
    "proto=\"tcp\",state=\"TIME_WAIT\"} 1\n"
"conntab_process_sockets{netns=\"db\",comm=\"srv\","
    "proto=\"tcp\",state=\"LISTEN\"} 1\n"
"conntab_process_sockets{netns=\"host\",comm=\"sshd\","
    "proto=\"tcp\",state=\"LISTEN\"} 1\n"
"conntab_process_sockets{" WEB_L ",comm=\"cli\","
    "proto=\"tcp\",state=\"ESTABLISHED\"} 1\n"
"conntab_process_sockets{" WEB_L ",comm=\"srv\","
    "proto=\"tcp\",state=\"ESTABLISHED\"} 1\n"
"conntab_process_sockets{" WEB_L ",comm=\"srv\","
    "proto=\"tcp\",state=\"LISTEN\"} 1\n"
"conntab_container_sockets{netns=\"db\","
    "container=\"containerd:fedcba987654\",pod=\"" POD_UID "\","
    "proto=\"tcp\",state=\"ESTABLISHED\"} 6\n"
"conntab_container_sockets{" WEB_L ","
    "container=\"docker:0123456789ab\",pod=\"-\",proto=\"tcp\","
    "state=\"ESTABLISHED\"} 2\n"
"conntab_container_sockets{netns=\"db\","
    "container=\"containerd:fedcba987654\",pod=\"" POD_UID "\","
    "proto=\"tcp\",state=\"LISTEN\"} 1\n"
"conntab_container_sockets{netns=\"db\","
    "container=\"containerd:fedcba987654\",pod=\"" POD_UID "\","
    "proto=\"tcp\",state=\"TIME_WAIT\"} 1\n"
"conntab_container_sockets{netns=\"host\",container=\"-\","
    "pod=\"-\",proto=\"tcp\",state=\"LISTEN\"} 1\n"
"conntab_container_sockets{" WEB_L ","
    "container=\"docker:0123456789ab\",pod=\"-\",proto=\"tcp\","
    "state=\"LISTEN\"} 1\n"
"conntab_collect_duration_seconds 0.250000\n"
"conntab_collect_warnings 0\n";
	char *got;

	(void)state;
	got = samples_of(render(&meta_once));
	assert_string_equal(got, want);
	free(got);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Does each sample's name and label set (all before the value) occur once? */
static bool
label_sets_unique(const char *text)
{
	char *copy = xstrdup(text), *line, *save = NULL, *sp, *v[512];
	size_t n = 0, i;
	bool ok = true;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (*line == '#' || (sp = strrchr(line, ' ')) == NULL)
			continue;
		*sp = '\0';
		assert_true(n < sizeof(v) / sizeof(v[0]));
		v[n++] = line;
	}
	qsort(v, n, sizeof(v[0]), str_cmp);
	for (i = 1; i < n; i++)
		ok = ok && strcmp(v[i - 1], v[i]) != 0;
	free(copy);
	return ok;
}

/*
 * Names are not unique: two "web" from two mount namespaces, a bind
 * mount named "host" beside PID 1's, one named as an unnamed one's
 * "net:[15]", one named as the first web's replacement will be, two long
 * names the cell cuts alike. Each name shared is replaced, for those that
 * took it from a bind mount, by their own net:[INODE], until none is
 * shared; an unshared name stays, and PID 1's keeps "host".
 */
static void
test_out_prom_netns_names(void **state)
{
	char a[201], b[201], *got;

	(void)state;
	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	a[199] = '1';
	b[199] = '2';
	snap_free(&snap);
	memset(&snap, 0, sizeof(snap));
	ns_add("web", 11, 40000, 40000);
	ns_add("web", 12, 40000, 40001);
	ns_add("host", 13, 40000, 40002);
	ns_add(NULL, 1, 40000, 40003)->flags |= CT_NS_HOST;
	nstab_name(&snap.nstab.v[3], NULL);
	ns_add("net:[15]", 14, 40000, 40004);
	ns_add(NULL, 15, 40000, 40005);
	ns_add("net:[11]", 16, 40000, 40006);
	ns_add(a, 17, 40000, 40007);
	ns_add(b, 18, 40000, 40008);
	ns_add("solo", 19, 40000, 40009);
	/* gone: its name meets nobody's */
	ns_add("solo", 20, 0, 0)->flags |= CT_NS_GONE;
	opts.no_procs = true;
	got = render(&meta_once);
	assert_int_equal(count_prefix(got, "conntab_ephemeral_ports_available{"), 10);
	assert_true(has_line(got, "conntab_ephemeral_ports_available{netns=\"net:[11]\"} 1"));
	assert_true(has_line(got, "conntab_ephemeral_ports_available{netns=\"net:[12]\"} 2"));
	assert_true(has_line(got, "conntab_ephemeral_ports_available{netns=\"net:[13]\"} 3"));
	assert_true(has_line(got, "conntab_ephemeral_ports_available{netns=\"host\"} 4"));
	assert_true(has_line(got, "conntab_ephemeral_ports_available{netns=\"net:[14]\"} 5"));
	assert_true(has_line(got, "conntab_ephemeral_ports_available{netns=\"net:[15]\"} 6"));
	assert_true(has_line(got, "conntab_ephemeral_ports_available{netns=\"net:[16]\"} 7"));
	assert_true(has_line(got, "conntab_ephemeral_ports_available{netns=\"net:[17]\"} 8"));
	assert_true(has_line(got, "conntab_ephemeral_ports_available{netns=\"net:[18]\"} 9"));
	assert_true(has_line(got, "conntab_ephemeral_ports_available{netns=\"solo\"} 10"));
	/* 11 zeros in each of the ten, every label set once */
	assert_int_equal(count_prefix(got, "conntab_sockets{"), 110);
	assert_true(label_sets_unique(got));
	free(got);
}

/* A netns filter: only that namespace's zeros and ports; none other. */
static void
test_out_prom_netns_filter(void **state)
{
	struct ct_filter_error err;
	char *argv[] = { (char *)"netns", (char *)"db" };
	char *got;

	(void)state;
	assert_int_equal(filter_parse(2, argv, &filter, &err), 0);
	snap.nstab.v[0].flags |= CT_NS_REFUSED;
	got = render(&meta_once);
	assert_int_equal(count_prefix(got, "conntab_sockets{netns=\"db\","), 11);
	assert_int_equal(count_prefix(got, "conntab_sockets{"), 11);
	assert_int_equal(count_prefix(got, "conntab_ephemeral_ports_available{"), 1);
	assert_true(has_line(got, "conntab_ephemeral_ports_available{netns=\"db\"} 100"));
	assert_null(strstr(got, "host"));
	assert_null(strstr(got, "web"));
	assert_int_equal(count_prefix(got, "conntab_container_sockets{"), 3);
	free(got);

	/*
	 * No filter: the refused namespace has neither zeros nor ports (its
	 * one record here, which a real refusal would not have, still counts)
	 */
	filter_free(filter);
	filter = NULL;
	got = render(&meta_once);
	assert_int_equal(count_prefix(got, "conntab_sockets{"), 23);
	assert_int_equal(count_prefix(got, "conntab_sockets{netns=\"host\","), 1);
	assert_null(strstr(got, "conntab_ephemeral_ports_available{netns=\"host\"}"));
	free(got);
}

/* Without --all-netns nothing changes: no netns label, no containers. */
static void
test_out_prom_netns_off(void **state)
{
	char *got;

	(void)state;
	opts.all_netns = false;
	got = render(&meta_once);
	assert_null(strstr(got, "netns="));
	assert_null(strstr(got, "conntab_container_sockets"));
	assert_int_equal(count_prefix(got, "conntab_sockets{"), 11);
	/* the namespace looked at is the first one */
	assert_true(has_line(got, "conntab_ephemeral_ports_available 28232"));
	free(got);
}

/*
 * The caps run over every namespace at once: the largest series, then
 * one whose every label, netns too, is "other". -P: no container family.
 */
static void
test_out_prom_netns_cap(void **state)
{
	char *got;

	(void)state;
	opts.series_max = 1;
	got = render(&meta_once);
	assert_int_equal(count_prefix(got, "conntab_container_sockets{"), 2);
	assert_true(has_line(got, "conntab_container_sockets{netns=\"db\","
	    "container=\"containerd:fedcba987654\",pod=\"" POD_UID "\","
	    "proto=\"tcp\",state=\"ESTABLISHED\"} 6"));
	assert_true(has_line(got, "conntab_container_sockets{netns=\"other\","
	    "container=\"other\",pod=\"other\",proto=\"other\","
	    "state=\"other\"} 6"));
	assert_true(has_line(got, "conntab_listener_connections{netns=\"other\","
	    "proto=\"other\",laddr=\"other\",lport=\"other\"} 1"));
	assert_true(has_line(got, "conntab_listener_backlog{netns=\"other\","
	    "proto=\"other\",laddr=\"other\",lport=\"other\"} 256"));
	/* one per namespace, never capped */
	assert_int_equal(count_prefix(got, "conntab_ephemeral_ports_available{"), 3);
	free(got);

	opts.no_procs = true;
	got = render(&meta_once);
	assert_null(strstr(got, "conntab_container_sockets"));
	assert_null(strstr(got, "conntab_process_sockets"));
	free(got);
}

/* OpenMetrics: the same families, the ports per namespace, # EOF. */
static void
test_out_prom_netns_openmetrics(void **state)
{
	char *got;

	(void)state;
	opts.format = CT_FMT_OPENMETRICS;
	got = render(&meta_once);
	assert_true(has_line(got, "# TYPE conntab_container_sockets gauge"));
	assert_true(has_line(got, "# TYPE conntab_ephemeral_ports_available gauge"));
	assert_true(has_line(got,
	    "conntab_ephemeral_ports_available{" WEB_L "} 10"));
	assert_true(has_line(got, "conntab_collect_warnings 0"));
	assert_int_equal(strcmp(got + strlen(got) - 6, "# EOF\n"), 0);
	free(got);
}

/*
 * Per namespace, outermost, whatever order the records come in; each
 * namespace's range, shown or not, and its matched records; containers
 * by (container, pod), "-" (no container: sshd's unit) first.
 */
static void
test_metrics_build_netns(void **state)
{
	struct ct_metrics m;
	size_t i;

	(void)state;
	listener_link(&snap.socks);
	assert_int_equal(metrics_build(&snap, &opts, &m), 0);
	assert_int_equal(m.nns, 4);
	assert_true(m.ns[0].shown && m.ns[1].shown && m.ns[2].shown);
	assert_false(m.ns[3].shown);
	assert_int_equal(m.ns[0].ports_avail, 28232);
	assert_int_equal(m.ns[1].ports_avail, 10);
	assert_int_equal(m.ns[2].ports_avail, 100);
	assert_int_equal(m.ns[3].ports_avail, 28232);	/* not read: defaults */
	assert_int_equal(m.ns[0].nsocks, 1);
	assert_int_equal(m.ns[1].nsocks, 3);
	assert_int_equal(m.ns[2].nsocks, 8);
	/* host LISTEN; web ESTABLISHED, LISTEN; db ESTABLISHED, LISTEN, TW */
	assert_int_equal(m.sockets.nrows, 6);
	for (i = 1; i < m.sockets.nrows; i++)
		assert_true(m.sockets.rows[i - 1].first->netns <=
		    m.sockets.rows[i].first->netns);
	assert_int_equal(m.sockets.rows[3].first->netns, 2);
	assert_int_equal(m.sockets.rows[3].count, 6);
	assert_true(m.have_containers);
	assert_int_equal(m.containers.nrows, 6);
	assert_int_equal(m.containers.rows[0].first->netns, 0);
	assert_int_equal(m.containers.rows[0].count, 1);
	/* in db: ESTABLISHED, TIME_WAIT, LISTEN: the states' own order */
	assert_int_equal(m.containers.rows[4].first->state, CT_ST_TIME_WAIT);
	assert_int_equal(m.containers.rows[4].first->owners, 0);
	metrics_free(&m);

	opts.all_netns = false;
	assert_int_equal(metrics_build(&snap, &opts, &m), 0);
	assert_null(m.ns);
	assert_false(m.have_containers);
	/* every namespace in one: ESTABLISHED, LISTEN, TIME_WAIT */
	assert_int_equal(m.sockets.nrows, 3);
	assert_int_equal(m.sockets.rows[0].count, 8);
	metrics_free(&m);
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
		cmocka_unit_test_setup_teardown(test_out_prom_netns_text,
		    setup_netns, teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_netns_names,
		    setup_netns, teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_netns_filter,
		    setup_netns, teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_netns_off,
		    setup_netns, teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_netns_cap,
		    setup_netns, teardown),
		cmocka_unit_test_setup_teardown(test_out_prom_netns_openmetrics,
		    setup_netns, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_build_netns,
		    setup_netns, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
