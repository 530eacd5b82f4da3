/* diag_parse_msg() on replies built with libmnl's own builders. */
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

#include "diag_parse.h"

static struct inet_diag_msg *
put_msg(char *buf, uint8_t family, struct nlmsghdr **nlh)
{
	struct inet_diag_msg *m;

	*nlh = mnl_nlmsg_put_header(buf);
	(*nlh)->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m = mnl_nlmsg_put_extra_header(*nlh, sizeof(*m));
	m->idiag_family = family;
	return m;
}

static void
test_diag_parse_ipv4(void **state)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct inet_diag_msg *m = put_msg(buf, AF_INET, &nlh);
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	m->idiag_state = 10;
	m->id.idiag_sport = htons(500);
	m->id.idiag_dport = htons(54240);
	m->id.idiag_src[0] = htonl(0x7f000001);
	m->id.idiag_dst[0] = htonl(0x7f000002);
	m->id.idiag_cookie[0] = 0x11223344;
	m->id.idiag_cookie[1] = 0x55667788;
	m->idiag_rqueue = 3;
	m->idiag_wqueue = 128;
	m->idiag_uid = 1000;
	m->idiag_inode = 4242;
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_int_equal(s.local.family, AF_INET);
	assert_memory_equal(s.local.bytes, "\x7f\x00\x00\x01", 4);
	assert_memory_equal(s.remote.bytes, "\x7f\x00\x00\x02", 4);
	assert_int_equal(s.lport, 500);
	assert_int_equal(s.rport, 54240);
	assert_int_equal(s.state, 10);
	assert_int_equal(s.rqueue, 3);
	assert_int_equal(s.wqueue, 128);
	assert_int_equal(s.uid, 1000);
	assert_int_equal(s.inode, 4242);
	assert_true(s.cookie == 0x5566778811223344ull);
	assert_int_equal(s.proto, 0);		/* the caller knows it */
	assert_int_equal(s.flags & CT_SF_INFO, 0);
}

static void
test_diag_parse_v4mapped(void **state)
{
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff,
	    127, 0, 0, 1 };
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct inet_diag_msg *m = put_msg(buf, AF_INET6, &nlh);
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	memcpy(m->id.idiag_src, mapped, 16);
	memcpy(m->id.idiag_dst, mapped, 16);
	m->id.idiag_sport = htons(501);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_int_equal(s.local.family, AF_INET6);
	assert_memory_equal(s.local.bytes, mapped, 16);
	assert_true(sock_addr_is_v4mapped(&s.local));
	assert_false(sock_addr_is_any(&s.local));
}

static void
test_diag_parse_unknown_attr(void **state)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct inet_diag_msg *m = put_msg(buf, AF_INET, &nlh);
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	m->id.idiag_sport = htons(443);
	mnl_attr_put_u8(nlh, INET_DIAG_MAX + 3, 1);	/* from a future kernel */
	mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 1);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_int_equal(s.lport, 443);
	assert_true(s.flags & CT_SF_V6ONLY);
}

static void
test_diag_parse_protocol_attr(void **state)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	put_msg(buf, AF_INET6, &nlh);
	mnl_attr_put_u8(nlh, INET_DIAG_PROTOCOL, IPPROTO_UDP);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_int_equal(s.proto, IPPROTO_UDP);
}

static void
test_diag_parse_tcp_info(void **state)
{
	char buf[1024] = { 0 };
	struct nlmsghdr *nlh;
	struct tcp_info ti;
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	put_msg(buf, AF_INET, &nlh);
	memset(&ti, 0, sizeof(ti));
	ti.tcpi_rtt = 52000;
	ti.tcpi_rttvar = 26000;
	ti.tcpi_snd_cwnd = 10;
	ti.tcpi_total_retrans = 7;
	ti.tcpi_bytes_acked = 1ull << 40;
	ti.tcpi_bytes_received = 12345;
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_true(s.flags & CT_SF_INFO);
	assert_int_equal(x.info.rtt_us, 52000);
	assert_int_equal(x.info.rttvar_us, 26000);
	assert_int_equal(x.info.cwnd, 10);
	assert_int_equal(x.info.retrans, 7);
	assert_true(x.info.bytes_acked == 1ull << 40);
	assert_int_equal(x.info.bytes_received, 12345);
}

/* An old kernel's shorter tcp_info: read what is there, zero the rest. */
static void
test_diag_parse_tcp_info_short(void **state)
{
	char buf[1024] = { 0 };
	struct nlmsghdr *nlh;
	struct tcp_info ti;
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	put_msg(buf, AF_INET, &nlh);
	memset(&ti, 0xff, sizeof(ti));
	ti.tcpi_rtt = 1000;
	mnl_attr_put(nlh, INET_DIAG_INFO,
	    offsetof(struct tcp_info, tcpi_bytes_acked), &ti);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_int_equal(x.info.rtt_us, 1000);
	assert_true(x.info.bytes_acked == 0);
}

static void
test_diag_parse_tcp_info_too_short(void **state)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct ct_sockx x = { 0 };
	struct ct_sock s;
	uint32_t tiny = 1;

	(void)state;
	put_msg(buf, AF_INET, &nlh);
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(tiny), &tiny);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), -EBADMSG);
}

static void
test_diag_parse_truncated(void **state)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	put_msg(buf, AF_INET, &nlh);
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(struct inet_diag_msg) - 1;
	assert_int_equal(diag_parse_msg(nlh, &s, &x), -EBADMSG);
	nlh->nlmsg_len = 4;			/* shorter than the header */
	assert_int_equal(diag_parse_msg(nlh, &s, &x), -EBADMSG);
}

/* An attribute whose length runs past the end of the message. */
static void
test_diag_parse_attr_overrun(void **state)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	put_msg(buf, AF_INET, &nlh);
	a = (struct nlattr *)((char *)nlh + nlh->nlmsg_len);
	mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, 1);
	a->nla_len = 200;			/* lies */
	assert_int_equal(diag_parse_msg(nlh, &s, &x), -EBADMSG);
}

static void
test_diag_parse_wrong_attr_len(void **state)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	put_msg(buf, AF_INET, &nlh);
	mnl_attr_put_u32(nlh, INET_DIAG_PROTOCOL, 6);	/* a u8 attribute */
	assert_int_equal(diag_parse_msg(nlh, &s, &x), -EBADMSG);
}

/* The mark, the cgroup id and the timer, kept when asked for. */
static void
test_diag_parse_ext(void **state)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct inet_diag_msg *m = put_msg(buf, AF_INET, &nlh);
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	m->idiag_timer = CT_TIMER_KEEPALIVE;
	m->idiag_retrans = 3;
	m->idiag_expires = 7200000;
	mnl_attr_put_u32(nlh, INET_DIAG_MARK, 0x2a);
	mnl_attr_put_u64(nlh, INET_DIAG_CGROUP_ID, 0x1234567890ull);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_int_equal(s.flags & CT_SF_EXT, 0);	/* not asked for */
	x.want = CT_SX_WANT_EXT;
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_true(s.flags & CT_SF_EXT);
	assert_int_equal(x.ext.has, CT_SX_MARK | CT_SX_CGROUP);
	assert_int_equal(x.ext.mark, 0x2a);
	assert_true(x.ext.cgroup_id == 0x1234567890ull);
	assert_int_equal(x.ext.timer, CT_TIMER_KEEPALIVE);
	assert_int_equal(x.ext.timer_retrans, 3);
	assert_int_equal(x.ext.expires_ms, 7200000);
	/* a mark is a u32: anything else is a corrupt reply */
	put_msg(buf, AF_INET, &nlh);
	mnl_attr_put_u8(nlh, INET_DIAG_MARK, 1);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), -EBADMSG);
	/* no mark (no CAP_NET_ADMIN): has says so */
	put_msg(buf, AF_INET, &nlh);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_int_equal(x.ext.has, 0);
}

/* Socket memory, and a newer kernel's longer array. */
static void
test_diag_parse_meminfo(void **state)
{
	uint32_t mem[CT_MEM_N + 2] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	put_msg(buf, AF_INET, &nlh);
	mnl_attr_put(nlh, INET_DIAG_SKMEMINFO, sizeof(mem), mem);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_true(s.flags & CT_SF_MEM);
	assert_int_equal(x.mem.v[CT_MEM_RMEM_ALLOC], 1);
	assert_int_equal(x.mem.v[CT_MEM_DROPS], 9);
	put_msg(buf, AF_INET, &nlh);
	mnl_attr_put(nlh, INET_DIAG_SKMEMINFO, 8 * sizeof(uint32_t), mem);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), -EBADMSG);
}

/* More of tcp_info and the congestion control, when asked for. */
static void
test_diag_parse_more(void **state)
{
	char buf[1024] = { 0 };
	struct nlmsghdr *nlh;
	struct tcp_info ti;
	struct ct_sockx x = { .want = CT_SX_WANT_MORE };
	struct ct_sock s;

	(void)state;
	put_msg(buf, AF_INET, &nlh);
	memset(&ti, 0, sizeof(ti));
	ti.tcpi_snd_mss = 65483;
	ti.tcpi_pmtu = 65535;
	ti.tcpi_rto = 204000;
	ti.tcpi_min_rtt = 17;
	ti.tcpi_delivery_rate = 1000;
	ti.tcpi_delivery_rate_app_limited = 1;
	ti.tcpi_retrans = 2;
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	mnl_attr_put_strz(nlh, INET_DIAG_CONG, "cubic");
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_true(s.flags & CT_SF_MORE);
	assert_string_equal(x.more.cong, "cubic");
	assert_int_equal(x.more.snd_mss, 65483);
	assert_int_equal(x.more.pmtu, 65535);
	assert_int_equal(x.more.rto_us, 204000);
	assert_int_equal(x.more.min_rtt_us, 17);
	assert_true(x.more.delivery_rate == 1000);
	assert_int_equal(x.more.app_limited, 1);
	assert_int_equal(x.more.retrans_out, 2);
	/* a name longer than the room is cut, still a string */
	put_msg(buf, AF_INET, &nlh);
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(ti), &ti);
	mnl_attr_put(nlh, INET_DIAG_CONG, 20, "abcdefghijklmnopqrst");
	assert_int_equal(diag_parse_msg(nlh, &s, &x), 0);
	assert_string_equal(x.more.cong, "abcdefghijklmno");
}

static void
test_diag_parse_bad_family(void **state)
{
	char buf[512] = { 0 };
	struct nlmsghdr *nlh;
	struct ct_sockx x = { 0 };
	struct ct_sock s;

	(void)state;
	put_msg(buf, AF_UNIX, &nlh);
	assert_int_equal(diag_parse_msg(nlh, &s, &x), -EBADMSG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_parse_ipv4),
		cmocka_unit_test(test_diag_parse_v4mapped),
		cmocka_unit_test(test_diag_parse_unknown_attr),
		cmocka_unit_test(test_diag_parse_protocol_attr),
		cmocka_unit_test(test_diag_parse_tcp_info),
		cmocka_unit_test(test_diag_parse_tcp_info_short),
		cmocka_unit_test(test_diag_parse_tcp_info_too_short),
		cmocka_unit_test(test_diag_parse_truncated),
		cmocka_unit_test(test_diag_parse_attr_overrun),
		cmocka_unit_test(test_diag_parse_wrong_attr_len),
		cmocka_unit_test(test_diag_parse_ext),
		cmocka_unit_test(test_diag_parse_meminfo),
		cmocka_unit_test(test_diag_parse_more),
		cmocka_unit_test(test_diag_parse_bad_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
