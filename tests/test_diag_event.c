/*
 * diag_event_parse(): datagrams of destroy events built with libmnl's own
 * builders, as the kernel's multicast sends them, and broken ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>

#include "diag_event.h"
#include "sock.h"

/* One destroy event at p: TCP (with tcp_info) or UDP; its length. */
static size_t
put_event(char *p, uint8_t proto, uint16_t sport, uint32_t pid)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(p);
	struct inet_diag_msg *m;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_pid = pid;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->idiag_family = AF_INET;
	m->idiag_state = 7;			/* TCP_CLOSE */
	m->id.idiag_sport = htons(sport);
	m->id.idiag_dport = htons(40000);
	m->id.idiag_src[0] = htonl(0x7f000001);
	m->id.idiag_dst[0] = htonl(0x7f000001);
	m->id.idiag_cookie[0] = sport;
	m->idiag_wqueue = UINT32_MAX;		/* what a freed socket reads */
	mnl_attr_put_u8(nlh, INET_DIAG_PROTOCOL, proto);
	if (proto == IPPROTO_TCP) {
		struct tcp_info ti;

		memset(&ti, 0, sizeof(ti));
		ti.tcpi_bytes_acked = 1001;
		ti.tcpi_bytes_received = 2002;
		mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	}
	return NLMSG_ALIGN(nlh->nlmsg_len);
}

static void
test_diag_event_tcp_udp(void **state)
{
	char buf[4096] __attribute__((aligned(4))) = { 0 };
	struct ct_socklist l = { 0 };
	const struct ct_tcpinfo *ti;
	size_t len = 0, bad = 0;

	(void)state;
	len += put_event(buf + len, IPPROTO_TCP, 500, 0);
	len += put_event(buf + len, IPPROTO_UDP, 53, 0);
	assert_int_equal(diag_event_parse(buf, len, &l, &bad), 2);
	assert_int_equal(bad, 0);
	assert_int_equal(l.len, 2);
	assert_int_equal(l.v[0].proto, IPPROTO_TCP);
	assert_int_equal(l.v[0].lport, 500);
	assert_int_equal(l.v[0].rport, 40000);
	assert_true(l.v[0].cookie == 500);
	assert_int_equal(l.v[0].wqueue, 0);	/* the kernel's -1: nothing queued */
	ti = sock_info(&l, &l.v[0]);
	assert_non_null(ti);
	assert_true(ti->bytes_acked == 1001 && ti->bytes_received == 2002);
	assert_int_equal(l.v[1].proto, IPPROTO_UDP);
	assert_null(sock_info(&l, &l.v[1]));
	sock_list_free(&l);
}

static void
test_diag_event_foreign_and_noop(void **state)
{
	char buf[4096] __attribute__((aligned(4))) = { 0 };
	struct ct_socklist l = { 0 };
	struct nlmsghdr *nlh;
	size_t len = 0, bad = 0;

	(void)state;
	/* another process's message (port id not 0): counted, dropped */
	len += put_event(buf + len, IPPROTO_TCP, 501, 4242);
	nlh = mnl_nlmsg_put_header(buf + len);
	nlh->nlmsg_type = NLMSG_NOOP;
	len += NLMSG_ALIGN(nlh->nlmsg_len);
	/* a protocol that is none of ours */
	len += put_event(buf + len, IPPROTO_SCTP, 502, 0);
	len += put_event(buf + len, IPPROTO_TCP, 503, 0);
	assert_int_equal(diag_event_parse(buf, len, &l, &bad), 1);
	assert_int_equal(bad, 2);
	assert_int_equal(l.len, 1);
	assert_int_equal(l.v[0].lport, 503);
	sock_list_free(&l);
}

static void
test_diag_event_broken(void **state)
{
	char buf[4096] __attribute__((aligned(4))) = { 0 };
	struct ct_socklist l = { 0 };
	size_t len, bad = 0;

	(void)state;
	len = put_event(buf, IPPROTO_TCP, 500, 0);
	len += put_event(buf + len, IPPROTO_TCP, 501, 0);
	/* cut short: nothing of it is taken, not even the whole first one */
	assert_int_equal(diag_event_parse(buf, len - 5, &l, &bad), -EBADMSG);
	assert_int_equal(l.len, 0);
	/* a length that claims more than is there */
	((struct nlmsghdr *)buf)->nlmsg_len = (uint32_t)len + 64;
	assert_int_equal(diag_event_parse(buf, len, &l, &bad), -EBADMSG);
	assert_int_equal(l.len, 0);
	assert_int_equal(diag_event_parse(buf, 0, &l, &bad), 0);
	sock_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_event_tcp_udp),
		cmocka_unit_test(test_diag_event_foreign_and_noop),
		cmocka_unit_test(test_diag_event_broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
