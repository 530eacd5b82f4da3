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
 * The attributes a record is made of; the others are skipped. Those only
 * some requests bring are read where rare says they came, so that a
 * plain reply clears four pointers, not eight.
 */
struct diag_attrs {
	const struct nlattr *proto, *v6only, *info;
	unsigned	 rare;		/* DA_* */
	const struct nlattr *mem, *mark, *cgroup, *cong;
};
#define DA_MEM		0x01
#define DA_MARK		0x02
#define DA_CGROUP	0x04
#define DA_CONG		0x08

/*
 * Validate the attributes we read and collect them, in one walk that
 * also checks that the attributes use up the message: mnl_attr_parse()
 * stops quietly at an attribute whose length runs past the end, and a
 * reply like that is corrupt. Other types, those of a newer kernel than
 * our headers included, are skipped rather than refused, so that an old
 * binary keeps working on a new kernel. (One walk, no callback, no table
 * of every type to clear: this runs for each of 200,000 replies.)
 */
static inline __attribute__((always_inline)) bool
diag_attrs_walk(const struct nlmsghdr *nlh, size_t offset,
    struct diag_attrs *at, const bool ext)
{
	const struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh, offset);
	int len = (int)nlh->nlmsg_len - (int)MNL_ALIGN(NLMSG_HDRLEN + offset);

	while (mnl_attr_ok(a, len)) {
		switch (mnl_attr_get_type(a)) {
		case INET_DIAG_PROTOCOL:
			if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
				return false;
			at->proto = a;
			break;
		case INET_DIAG_SKV6ONLY:
			if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
				return false;
			at->v6only = a;
			break;
		case INET_DIAG_INFO:
			/* older kernels send a shorter tcp_info: demand what we read */
			if (mnl_attr_get_payload_len(a) <
			    offsetof(struct tcp_info, tcpi_rcv_rtt))
				return false;
			at->info = a;
			break;
		case INET_DIAG_SKMEMINFO:
			/* a newer kernel may add figures at the end */
			if (mnl_attr_get_payload_len(a) <
			    CT_MEM_N * sizeof(uint32_t))
				return false;
			at->mem = a;
			at->rare |= DA_MEM;
			break;
		/*
		 * The kernel sends these two with every reply (the mark to
		 * CAP_NET_ADMIN): skipped unread unless asked for, they cost
		 * the plain listing nothing.
		 */
		case INET_DIAG_MARK:
			if (!ext)
				break;
			if (a->nla_len != MNL_ATTR_HDRLEN + sizeof(uint32_t))
				return false;
			at->mark = a;
			at->rare |= DA_MARK;
			break;
		case INET_DIAG_CGROUP_ID:
			if (!ext)
				break;
			if (a->nla_len != MNL_ATTR_HDRLEN + sizeof(uint64_t))
				return false;
			at->cgroup = a;
			at->rare |= DA_CGROUP;
			break;
		case INET_DIAG_CONG:
			at->cong = a;	/* a name, read to its NUL or end */
			at->rare |= DA_CONG;
			break;
		}
		len -= (int)MNL_ALIGN(a->nla_len);
		if (len <= 0)
			return true;	/* the last one may lack its padding */
		a = mnl_attr_next(a);
	}
	return len < (int)MNL_ATTR_HDRLEN;
}

/* What ss -i prints beyond conntab's -i: from tcp_info and INET_DIAG_CONG. */
static void
diag_parse_more(const struct tcp_info *ti, const struct nlattr *cong,
    struct ct_tcpinfo_more *m)
{
	size_t n;

	m->pacing_rate = ti->tcpi_pacing_rate;
	m->delivery_rate = ti->tcpi_delivery_rate;
	m->busy_us = ti->tcpi_busy_time;
	m->rwnd_limited_us = ti->tcpi_rwnd_limited;
	m->sndbuf_limited_us = ti->tcpi_sndbuf_limited;
	m->rto_us = ti->tcpi_rto;
	m->ato_us = ti->tcpi_ato;
	m->snd_mss = ti->tcpi_snd_mss;
	m->pmtu = ti->tcpi_pmtu;
	m->min_rtt_us = ti->tcpi_min_rtt;
	m->lost = ti->tcpi_lost;
	m->sacked = ti->tcpi_sacked;
	m->unacked = ti->tcpi_unacked;
	m->reordering = ti->tcpi_reordering;
	m->rcv_space = ti->tcpi_rcv_space;
	m->retrans_out = ti->tcpi_retrans;
	m->app_limited = ti->tcpi_delivery_rate_app_limited;
	memset(m->cong, 0, sizeof(m->cong));
	if (cong != NULL) {
		n = mnl_attr_get_payload_len(cong);
		if (n > sizeof(m->cong) - 1)
			n = sizeof(m->cong) - 1;
		memcpy(m->cong, mnl_attr_get_payload(cong), n);
	}
}

static void
diag_parse_info(const struct diag_attrs *at, struct ct_sock *s,
    struct ct_sockx *x)
{
	struct tcp_info ti;
	size_t len = mnl_attr_get_payload_len(at->info);

	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, mnl_attr_get_payload(at->info),
	    len < sizeof(ti) ? len : sizeof(ti));
	x->info.rtt_us = ti.tcpi_rtt;
	x->info.rttvar_us = ti.tcpi_rttvar;
	x->info.cwnd = ti.tcpi_snd_cwnd;
	x->info.retrans = ti.tcpi_total_retrans;
	/* the byte counters came in 4.1/4.2; a shorter struct leaves them 0 */
	x->info.bytes_acked = ti.tcpi_bytes_acked;
	x->info.bytes_received = ti.tcpi_bytes_received;
	s->flags |= CT_SF_INFO;
	if (x->want & CT_SX_WANT_MORE) {
		diag_parse_more(&ti, at->rare & DA_CONG ? at->cong : NULL,
		    &x->more);
		s->flags |= CT_SF_MORE;
	}
}

/*
 * The walk twice over, the mark and the cgroup id read or not: the plain
 * listing's walk has no test for them at all.
 */
static bool
diag_attrs_collect(const struct nlmsghdr *nlh, size_t offset,
    struct diag_attrs *at, unsigned want)
{
	if (want & CT_SX_WANT_EXT)
		return diag_attrs_walk(nlh, offset, at, true);
	return diag_attrs_walk(nlh, offset, at, false);
}

/* Socket memory, mark, cgroup id and timer: what few requests ask for. */
static void __attribute__((noinline))
diag_parse_rare(const struct diag_attrs *at, const struct inet_diag_msg *m,
    struct ct_sock *s, struct ct_sockx *x)
{
	if (at->rare & DA_MEM) {
		memcpy(x->mem.v, mnl_attr_get_payload(at->mem), sizeof(x->mem.v));
		s->flags |= CT_SF_MEM;
	}
	if (x->want & CT_SX_WANT_EXT) {
		x->ext.timer = m->idiag_timer;
		x->ext.timer_retrans = m->idiag_retrans;
		x->ext.expires_ms = m->idiag_expires;
		x->ext.has = (at->rare & DA_MARK ? CT_SX_MARK : 0) |
		    (at->rare & DA_CGROUP ? CT_SX_CGROUP : 0);
		x->ext.mark = at->rare & DA_MARK ? mnl_attr_get_u32(at->mark) : 0;
		x->ext.cgroup_id = at->rare & DA_CGROUP ?
		    mnl_attr_get_u64(at->cgroup) : 0;
		s->flags |= CT_SF_EXT;
	}
}

int
diag_parse_msg(const struct nlmsghdr *nlh, struct ct_sock *s,
    struct ct_sockx *x)
{
	struct diag_attrs at;
	const struct inet_diag_msg *m;

	if (nlh->nlmsg_len < NLMSG_HDRLEN ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*m))
		return -EBADMSG;
	m = mnl_nlmsg_get_payload(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EBADMSG;
	at.proto = at.v6only = at.info = NULL;
	at.rare = 0;
	if (!diag_attrs_collect(nlh, sizeof(*m), &at, x->want))
		return -EBADMSG;

	memset(s, 0, sizeof(*s));
	s->local.family = s->remote.family = m->idiag_family;
	/* sizes the compiler sees: moves, not calls to memcpy() */
	if (m->idiag_family == AF_INET6) {
		memcpy(s->local.bytes, m->id.idiag_src, 16);
		memcpy(s->remote.bytes, m->id.idiag_dst, 16);
	} else {
		memcpy(s->local.bytes, m->id.idiag_src, 4);
		memcpy(s->remote.bytes, m->id.idiag_dst, 4);
	}
	s->lport = ntohs(m->id.idiag_sport);
	s->rport = ntohs(m->id.idiag_dport);
	s->state = m->idiag_state;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	s->ifindex = m->id.idiag_if;
	s->cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
	if (at.proto != NULL)
		s->proto = mnl_attr_get_u8(at.proto);
	if (at.v6only != NULL && mnl_attr_get_u8(at.v6only))
		s->flags |= CT_SF_V6ONLY;
	if (at.info != NULL)
		diag_parse_info(&at, s, x);
	if (__builtin_expect((at.rare | x->want) != 0, 0))
		diag_parse_rare(&at, m, s, x);
	return 0;
}
