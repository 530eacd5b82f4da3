/*
 * The kernel's destroy events: one NETLINK_SOCK_DIAG socket joined to the
 * destroy groups, read without blocking, each datagram decoded by the
 * pure diag_event_parse() (see diag_event.h).
 */
#include "diag_event.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag_parse.h"
#include "util.h"

/*
 * One message a datagram: an inet_diag_msg, the protocol and a tcp_info,
 * under 600 bytes today. The buffer leaves room for many kernels' growth;
 * a datagram longer still is truncated by the kernel and dropped here.
 */
#define CT_EV_BUFSZ	8192
/* Asked for; the kernel grants what SO_RCVBUFFORCE or rmem_max allow. */
#define CT_EV_RCVBUF	(8 << 20)
/*
 * Datagrams one diag_event_read() takes at most: a flood must not keep
 * the caller from its clock and its keys; the rest waits for the next.
 */
#define CT_EV_BATCH	4096

struct ct_diag_ev {
	struct mnl_socket *nl;
	uint32_t	 drops;		/* the kernel's count at the last look */
	bool		 counts;	/* ... and it has one (SO_MEMINFO) */
	char		*buf;
};

/* The kernel's count of messages it dropped for this socket, into *out. */
static bool
diag_event_drops(const struct ct_diag_ev *ev, uint32_t *out)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	memset(mem, 0, sizeof(mem));
	if (getsockopt(mnl_socket_get_fd(ev->nl), SOL_SOCKET, SO_MEMINFO, mem,
	    &len) != 0 || len < (SK_MEMINFO_DROPS + 1) * sizeof(mem[0]))
		return false;
	*out = mem[SK_MEMINFO_DROPS];
	return true;
}

int
diag_event_open(unsigned groups, struct ct_diag_ev **out)
{
	struct ct_diag_ev *ev;
	struct mnl_socket *nl;
	int size = CT_EV_RCVBUF, fd, rc;

	*out = NULL;
	if ((nl = mnl_socket_open(NETLINK_SOCK_DIAG)) == NULL)
		return -errno;
	fd = mnl_socket_get_fd(nl);
	/* a burst of closes must fit while the reader is busy elsewhere */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* the groups' bits are 1 << (SKNLGRP_* - 1), as CT_EVG_* are */
	if (mnl_socket_bind(nl, groups & CT_EVG_ALL, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		mnl_socket_close(nl);
		return rc;
	}
	ev = xcalloc(1, sizeof(*ev));
	ev->nl = nl;
	ev->buf = xmalloc(CT_EV_BUFSZ);
	ev->counts = diag_event_drops(ev, &ev->drops);
	*out = ev;			/* caller frees: diag_event_close() */
	return 0;
}

void
diag_event_close(struct ct_diag_ev *ev)
{
	if (ev == NULL)
		return;
	mnl_socket_close(ev->nl);
	free(ev->buf);
	free(ev);
}

int
diag_event_fd(const struct ct_diag_ev *ev)
{
	return mnl_socket_get_fd(ev->nl);
}

/* As diag.c's: a message that fits in what is left, lengths sane. */
static bool
ev_msg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	    nlh->nlmsg_len <= (uint32_t)len;
}

int
diag_event_parse(const void *buf, size_t len, struct ct_socklist *out,
    size_t *bad)
{
	const struct nlmsghdr *nlh;
	struct ct_sockx x;
	struct ct_sock *s;
	int left, added = 0;

	if (len > CT_EV_BUFSZ * 16)
		return -EBADMSG;	/* no datagram of ours is that long */
	/* whole messages first: nothing of a broken datagram is taken */
	left = (int)len;
	for (nlh = buf; ev_msg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
		continue;
	if (left > 0)
		return -EBADMSG;
	left = (int)len;
	memset(&x, 0, sizeof(x));	/* want nothing beyond tcp_info */
	for (nlh = buf; ev_msg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;	/* NOOP and the like: nothing to decode */
		s = sock_list_grow(out);
		if (nlh->nlmsg_pid != 0 || diag_parse_msg(nlh, s, &x) != 0 ||
		    (s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP)) {
			(*bad)++;	/* not counted: dropped */
			continue;
		}
		/*
		 * A freed socket's queues: the write count is taken less the
		 * one the kernel holds for itself, which is gone by then, so
		 * it reads -1; nothing is queued any more.
		 */
		if (s->wqueue == UINT32_MAX)
			s->wqueue = 0;
		if (s->rqueue == UINT32_MAX)
			s->rqueue = 0;
		/* the list keeps tcp_info alone of what a record may carry */
		s->flags &= ~(CT_SF_MEM | CT_SF_MORE | CT_SF_EXT);
		if (s->flags & CT_SF_INFO)
			*sock_list_info_at(out, out->len) = x.info;
		out->len++;
		added++;
	}
	return added;
}

int
diag_event_read(struct ct_diag_ev *ev, struct ct_socklist *out, uint64_t *lost)
{
	struct sockaddr_nl sa;
	struct iovec iov = { ev->buf, CT_EV_BUFSZ };
	struct msghdr msg;
	uint32_t drops;
	ssize_t n;
	size_t bad = 0;
	unsigned i;

	*lost = 0;
	for (i = 0; i < CT_EV_BATCH; i++) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &sa;
		msg.msg_namelen = sizeof(sa);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if ((n = recvmsg(mnl_socket_get_fd(ev->nl), &msg,
		    MSG_DONTWAIT)) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno != ENOBUFS)
				return -errno;
			/* the kernel counts each message it could not queue */
			*lost = CT_EV_LOST_UNKNOWN;
			if (ev->counts && diag_event_drops(ev, &drops)) {
				if (drops != ev->drops)
					*lost = (uint32_t)(drops - ev->drops);
				ev->drops = drops;
			}
			return -ENOBUFS;
		}
		/*
		 * Only the kernel's multicast: another process may send to our
		 * port id, and a truncated datagram is not a whole message.
		 */
		if ((msg.msg_flags & MSG_TRUNC) || msg.msg_namelen < sizeof(sa) ||
		    sa.nl_family != AF_NETLINK || sa.nl_pid != 0 ||
		    sa.nl_groups == 0)
			continue;
		(void)diag_event_parse(ev->buf, (size_t)n, out, &bad);
	}
	return 0;
}
