/* Decoding one SOCK_DIAG_BY_FAMILY reply: bytes in, one record out, no I/O. */
#include "diag_parse.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

/*
 * Check one attribute we know; false when it is malformed. An attribute
 * type past INET_DIAG_MAX comes from a newer kernel than our headers: the
 * caller skips it rather than fail, so that an old binary keeps working on
 * a new kernel.
 */
static bool
diag_attr_ok(const struct nlattr *a, uint16_t type)
{
	switch (type) {
	case INET_DIAG_PROTOCOL:
	case INET_DIAG_SKV6ONLY:
		return mnl_attr_validate(a, MNL_TYPE_U8) == 0;
	case INET_DIAG_INFO:
		/* older kernels send a shorter tcp_info; demand the part we read */
		return mnl_attr_get_payload_len(a) >=
		    offsetof(struct tcp_info, tcpi_rcv_rtt);
	default:
		return true;
	}
}

/*
 * Collect the attributes we know into tb, in one walk that also checks
 * that they use up the message: mnl_attr_parse() stops quietly at an
 * attribute whose length runs past the end, and a reply like that is
 * corrupt. (One walk, no callback: this runs for each of 200,000 replies.)
 */
static bool
diag_attrs_collect(const struct nlmsghdr *nlh, size_t offset,
    const struct nlattr **tb)
{
	const struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh, offset);
	int len = (int)nlh->nlmsg_len - (int)MNL_ALIGN(NLMSG_HDRLEN + offset);

	while (mnl_attr_ok(a, len)) {
		uint16_t type = mnl_attr_get_type(a);

		if (type <= INET_DIAG_MAX) {
			if (!diag_attr_ok(a, type))
				return false;
			tb[type] = a;
		}
		len -= (int)MNL_ALIGN(a->nla_len);
		if (len <= 0)
			return true;	/* the last one may lack its padding */
		a = mnl_attr_next(a);
	}
	return len < (int)MNL_ATTR_HDRLEN;
}

static void
diag_parse_info(const struct nlattr *a, struct ct_sock *s)
{
	struct tcp_info ti;
	size_t len = mnl_attr_get_payload_len(a);

	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, mnl_attr_get_payload(a), len < sizeof(ti) ? len : sizeof(ti));
	s->info.rtt_us = ti.tcpi_rtt;
	s->info.rttvar_us = ti.tcpi_rttvar;
	s->info.cwnd = ti.tcpi_snd_cwnd;
	s->info.retrans = ti.tcpi_total_retrans;
	/* the byte counters came in 4.1/4.2; a shorter struct leaves them 0 */
	s->info.bytes_acked = ti.tcpi_bytes_acked;
	s->info.bytes_received = ti.tcpi_bytes_received;
	s->flags |= CT_SF_INFO;
}

int
diag_parse_msg(const struct nlmsghdr *nlh, struct ct_sock *s)
{
	const struct nlattr *tb[INET_DIAG_MAX + 1] = { 0 };
	const struct inet_diag_msg *m;
	size_t alen;

	if (nlh->nlmsg_len < NLMSG_HDRLEN ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return -EBADMSG;
	m = mnl_nlmsg_get_payload(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EBADMSG;
	if (!diag_attrs_collect(nlh, sizeof(*m), tb))
		return -EBADMSG;

	memset(s, 0, sizeof(*s));
	alen = m->idiag_family == AF_INET6 ? 16 : 4;
	s->local.family = s->remote.family = m->idiag_family;
	memcpy(s->local.bytes, m->id.idiag_src, alen);
	memcpy(s->remote.bytes, m->id.idiag_dst, alen);
	s->lport = ntohs(m->id.idiag_sport);
	s->rport = ntohs(m->id.idiag_dport);
	s->state = m->idiag_state;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	s->ifindex = m->id.idiag_if;
	s->cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
	if (tb[INET_DIAG_PROTOCOL] != NULL)
		s->proto = mnl_attr_get_u8(tb[INET_DIAG_PROTOCOL]);
	if (tb[INET_DIAG_SKV6ONLY] != NULL && mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]))
		s->flags |= CT_SF_V6ONLY;
	if (tb[INET_DIAG_INFO] != NULL)
		diag_parse_info(tb[INET_DIAG_INFO], s);
	return 0;
}
