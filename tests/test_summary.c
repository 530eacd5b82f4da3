/* -s: sysctl parsing, ephemeral port counting at the edges, the totals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "group.h"
#include "listener.h"
#include "netns.h"
#include "portrange.h"
#include "summary.h"

#define TCP	IPPROTO_TCP
#define UDP	IPPROTO_UDP
#define EST	CT_ST_ESTABLISHED

static struct ct_snap snap;
static struct ct_opts opts;
static struct ct_portrange *range;

static int
setup(void **state)
{
	(void)state;
	memset(&snap, 0, sizeof(snap));
	fx_opts(&opts);
	range = xcalloc(1, sizeof(*range));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	snap_free(&snap);
	free(range);
	return 0;
}

static bool
reserved(uint16_t port)
{
	return (range->reserved[port >> 3] >> (port & 7)) & 1;
}

static void
test_portrange_parse_range(void **state)
{
	uint16_t lo = 0, hi = 0;

	(void)state;
	assert_int_equal(portrange_parse_range("32768\t60999\n", &lo, &hi), 0);
	assert_int_equal(lo, 32768);
	assert_int_equal(hi, 60999);
	assert_int_equal(portrange_parse_range("1 65535", &lo, &hi), 0);
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 65535);
	assert_int_equal(portrange_parse_range("500 500\n", &lo, &hi), 0);
	assert_int_equal(portrange_parse_range("0 100", &lo, &hi), -EINVAL);
	assert_int_equal(portrange_parse_range("600 500", &lo, &hi), -EINVAL);
	assert_int_equal(portrange_parse_range("100 65536", &lo, &hi), -EINVAL);
	assert_int_equal(portrange_parse_range("100", &lo, &hi), -EINVAL);
	assert_int_equal(portrange_parse_range("100 200 300", &lo, &hi), -EINVAL);
	assert_int_equal(portrange_parse_range("", &lo, &hi), -EINVAL);
	assert_int_equal(portrange_parse_range("a b", &lo, &hi), -EINVAL);
	assert_int_equal(portrange_parse_range("-1 5", &lo, &hi), -EINVAL);
}

static void
test_portrange_parse_reserved(void **state)
{
	(void)state;
	assert_int_equal(portrange_parse_reserved("1000,2000-2010\n",
	    range->reserved), 0);
	assert_false(reserved(999));
	assert_true(reserved(1000));
	assert_false(reserved(1001));
	assert_false(reserved(1999));
	assert_true(reserved(2000));
	assert_true(reserved(2005));
	assert_true(reserved(2010));
	assert_false(reserved(2011));
	/* the range counts without the reserved ports in it */
	range->low = 1000;
	range->high = 2010;
	portrange_count(range);
	assert_int_equal(range->avail, 1011 - 12);
	range->low = 1001;
	range->high = 1999;
	portrange_count(range);
	assert_int_equal(range->avail, 999);
}

static void
test_portrange_parse_reserved_edges(void **state)
{
	(void)state;
	assert_int_equal(portrange_parse_reserved("", range->reserved), 0);
	assert_int_equal(portrange_parse_reserved("\n", range->reserved), 0);
	assert_int_equal(portrange_parse_reserved("65535,0", range->reserved), 0);
	assert_true(reserved(65535));
	assert_true(reserved(0));
	assert_int_equal(portrange_parse_reserved("70000", range->reserved), -ERANGE);
	assert_int_equal(portrange_parse_reserved("10-5", range->reserved), -ERANGE);
	assert_int_equal(portrange_parse_reserved("1,,2", range->reserved), -EINVAL);
	assert_int_equal(portrange_parse_reserved("1 2", range->reserved), -EINVAL);
	assert_int_equal(portrange_parse_reserved("5-", range->reserved), -EINVAL);
	assert_int_equal(portrange_parse_reserved("x", range->reserved), -EINVAL);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/sys/net/ipv4/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

static void
test_netns_read_range(void **state)
{
	char dir[] = "/tmp/conntab-summary.XXXXXX", path[512];

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* nothing there: the kernel's default, and the error */
	assert_int_equal(netns_read_range(dir, range), -ENOENT);
	assert_false(range->known);
	assert_int_equal(range->low, CT_PORTS_LOW);
	assert_int_equal(range->high, CT_PORTS_HIGH);
	assert_int_equal(range->avail, CT_PORTS_HIGH - CT_PORTS_LOW + 1);
	snprintf(path, sizeof(path), "%s/sys", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/sys/net", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/sys/net/ipv4", dir);
	mkdir(path, 0700);
	write_file(dir, "ip_local_port_range", "40000\t40099\n");
	/* no reserved file (an old kernel): none reserved */
	assert_int_equal(netns_read_range(dir, range), 0);
	assert_true(range->known);
	assert_int_equal(range->avail, 100);
	write_file(dir, "ip_local_reserved_ports", "40000,40050-40059,50000\n");
	assert_int_equal(netns_read_range(dir, range), 0);
	assert_int_equal(range->avail, 89);
	assert_false(portrange_ephemeral(range, 40000));
	assert_true(portrange_ephemeral(range, 40001));
	write_file(dir, "ip_local_reserved_ports", "junk\n");
	assert_int_equal(netns_read_range(dir, range), -EINVAL);
	assert_int_equal(range->avail, 100);
	write_file(dir, "ip_local_port_range", "junk\n");
	assert_int_equal(netns_read_range(dir, range), -EINVAL);
	assert_int_equal(range->low, CT_PORTS_LOW);
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_local_port_range", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_local_reserved_ports", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sys/net/ipv4", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys/net", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys", dir);
	rmdir(path);
	rmdir(dir);
}

static void
set_range(uint16_t lo, uint16_t hi)
{
	range->low = lo;
	range->high = hi;
	portrange_count(range);
}

static struct ct_sock *
client(uint8_t state, const char *laddr, uint16_t lport, const char *raddr,
    uint16_t rport)
{
	return fx_sock(&snap, TCP, state, laddr, lport, raddr, rport);
}

static void
build(struct ct_summary *sum)
{
	listener_link(&snap.socks);
	assert_int_equal(summary_build(&snap, &opts, range, sum), 0);
}

static void
test_summary_ports_edges(void **state)
{
	struct ct_summary sum;

	(void)state;
	set_range(40000, 40009);
	client(EST, "127.0.0.2", 39999, "127.0.0.1", 500);	/* below */
	client(EST, "127.0.0.2", 40000, "127.0.0.1", 500);	/* == low */
	client(EST, "127.0.0.2", 40009, "127.0.0.1", 500);	/* == high */
	client(EST, "127.0.0.2", 40010, "127.0.0.1", 500);	/* above */
	build(&sum);
	assert_int_equal(sum.ports.nrows, 1);
	assert_int_equal(sum.ports.rows[0].ports_used, 2);
	assert_int_equal(sum.ports.rows[0].ports_avail, 10);
	assert_true(sum.ports.rows[0].has & CT_G_PORTS);
	assert_false(sum.ports.rows[0].high);
	summary_free(&sum);
}

static void
test_summary_ports_what_counts(void **state)
{
	struct ct_summary sum;

	(void)state;
	set_range(40000, 40099);
	assert_int_equal(portrange_parse_reserved("40090", range->reserved), 0);
	portrange_count(range);
	client(EST, "127.0.0.2", 40001, "127.0.0.1", 500);
	client(CT_ST_TIME_WAIT, "127.0.0.2", 40002, "127.0.0.1", 500);
	client(CT_ST_SYN_SENT, "127.0.0.2", 40003, "127.0.0.1", 500);
	/* a listener's port is not ephemeral, nor what it accepted */
	fx_sock(&snap, TCP, CT_ST_LISTEN, "0.0.0.0", 40050, "0.0.0.0", 0);
	client(EST, "127.0.0.1", 40050, "127.0.0.2", 40060);
	client(CT_ST_TIME_WAIT, "127.0.0.1", 40050, "127.0.0.2", 40061);
	/* a reserved port was not the kernel's pick */
	client(EST, "127.0.0.2", 40090, "127.0.0.1", 500);
	/* unconnected: no destination */
	client(CT_ST_CLOSE, "127.0.0.2", 40004, "0.0.0.0", 0);
	/* another destination, other protocol, other local address */
	client(EST, "127.0.0.2", 40005, "127.0.0.1", 501);
	fx_sock(&snap, UDP, EST, "127.0.0.2", 40006, "127.0.0.1", 500);
	client(EST, "127.0.0.3", 40007, "127.0.0.1", 500);
	build(&sum);
	assert_int_equal(range->avail, 99);
	assert_int_equal(sum.ports.nrows, 4);
	assert_int_equal(sum.ports.rows[0].ports_used, 3);
	assert_int_equal(sum.ports.rows[0].count, 3);
	assert_int_equal(sum.ports.rows[0].first->rport, 500);
	/* ties: by key, i.e. proto, laddr, raddr, rport */
	assert_int_equal(sum.ports.rows[1].first->proto, TCP);
	assert_int_equal(sum.ports.rows[1].first->rport, 501);
	assert_int_equal(sum.ports.rows[2].first->lport, 40007);
	assert_int_equal(sum.ports.rows[3].first->proto, UDP);
	summary_free(&sum);
}

static void
test_summary_ports_high(void **state)
{
	struct ct_summary sum;

	(void)state;
	set_range(40000, 40003);
	client(EST, "127.0.0.2", 40000, "127.0.0.1", 500);
	client(EST, "127.0.0.2", 40001, "127.0.0.1", 500);	/* 2 of 4 */
	client(EST, "127.0.0.2", 40000, "127.0.0.1", 501);
	client(EST, "127.0.0.2", 40001, "127.0.0.1", 501);
	client(EST, "127.0.0.2", 40002, "127.0.0.1", 501);	/* 3 of 4 */
	build(&sum);
	assert_int_equal(sum.ports.nrows, 2);
	assert_int_equal(sum.ports.rows[0].ports_used, 3);
	assert_true(sum.ports.rows[0].high);
	assert_int_equal(sum.ports.rows[1].ports_used, 2);
	assert_false(sum.ports.rows[1].high);		/* half is not above */
	summary_free(&sum);
}

/*
 * An IPv4 socket and a v4-mapped IPv6 one toward one server draw on one
 * pool of ports: one destination, as group keys fold the mapped address.
 */
static void
test_summary_ports_v4mapped(void **state)
{
	struct ct_summary sum;

	(void)state;
	set_range(40000, 40009);
	client(EST, "127.0.0.2", 40001, "127.0.0.1", 500);
	client(EST, "::ffff:127.0.0.2", 40002, "::ffff:127.0.0.1", 500);
	client(CT_ST_TIME_WAIT, "::ffff:127.0.0.2", 40003, "::ffff:127.0.0.1", 500);
	client(EST, "::1", 40004, "::1", 500);
	build(&sum);
	assert_int_equal(sum.ports.nrows, 2);
	assert_int_equal(sum.ports.rows[0].ports_used, 3);
	assert_int_equal(sum.ports.rows[0].count, 3);
	assert_int_equal(sum.ports.rows[0].first->local.family, AF_INET);
	assert_int_equal(sum.ports.rows[1].ports_used, 1);
	summary_free(&sum);
}

static void
test_summary_totals_listeners(void **state)
{
	struct ct_summary sum;
	struct ct_sock *l;

	(void)state;
	set_range(32768, 60999);
	l = fx_sock(&snap, TCP, CT_ST_LISTEN, "0.0.0.0", 500, "0.0.0.0", 0);
	l->rqueue = 65;
	l->wqueue = 128;
	l = fx_sock(&snap, TCP, CT_ST_LISTEN, "127.0.0.1", 600, "0.0.0.0", 0);
	l->rqueue = 64;
	l->wqueue = 128;
	client(EST, "127.0.0.1", 500, "127.0.0.2", 40001);
	client(EST, "127.0.0.1", 500, "127.0.0.2", 40002);
	client(EST, "127.0.0.1", 500, "127.0.0.3", 40003);
	client(CT_ST_TIME_WAIT, "127.0.0.1", 600, "127.0.0.3", 40004);
	fx_sock(&snap, UDP, CT_ST_CLOSE, "0.0.0.0", 53, "0.0.0.0", 0);
	build(&sum);
	/* tcp first, largest first; then udp */
	assert_int_equal(sum.totals.nrows, 4);
	assert_int_equal(sum.totals.rows[0].first->state, EST);
	assert_int_equal(sum.totals.rows[0].count, 3);
	assert_int_equal(sum.totals.rows[1].first->state, CT_ST_LISTEN);
	assert_int_equal(sum.totals.rows[1].count, 2);
	assert_int_equal(sum.totals.rows[2].first->state, CT_ST_TIME_WAIT);
	assert_int_equal(sum.totals.rows[3].first->proto, UDP);
	/* listeners: most connections first */
	assert_int_equal(sum.listeners.nrows, 3);
	assert_int_equal(sum.listeners.rows[0].first->lport, 500);
	assert_int_equal(sum.listeners.rows[0].count, 3);
	assert_int_equal(sum.listeners.rows[0].clients, 2);
	assert_int_equal(sum.listeners.rows[0].rq, 65);
	assert_true(sum.listeners.rows[0].high);	/* 65 of 128 */
	assert_int_equal(sum.listeners.rows[1].first->lport, 600);
	assert_int_equal(sum.listeners.rows[1].count, 1);
	assert_false(sum.listeners.rows[1].high);	/* 64 of 128 */
	assert_int_equal(sum.listeners.rows[2].first->proto, UDP);
	assert_false(sum.listeners.rows[2].high);
	/* the server side is no client: no ephemeral use */
	assert_int_equal(sum.ports.nrows, 0);
	summary_free(&sum);
	summary_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_portrange_parse_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_portrange_parse_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_portrange_parse_reserved_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_netns_read_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_ports_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_ports_what_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_ports_high, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_totals_listeners, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_ports_v4mapped, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
