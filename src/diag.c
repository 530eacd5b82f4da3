/*
 * The collector's transport: one NETLINK_SOCK_DIAG socket (or a test's
 * stand-in), one SOCK_DIAG_BY_FAMILY dump per request, retried when the
 * kernel says the dump was interrupted.
 */
#include "diag.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "diag_parse.h"
#include "util.h"

/*
 * The kernel fills one dump message up to 32 KiB less skb overhead
 * (netlink_dump() caps max_recvmsg_len there), so a 32 KiB buffer takes a
 * whole message per recv. libmnl 1.0.4 lacks the upstream constant.
 */
#ifndef MNL_SOCKET_DUMP_SIZE
#define MNL_SOCKET_DUMP_SIZE	32768
#endif
#define CT_NL_BUFSZ		MNL_SOCKET_DUMP_SIZE
#define CT_DUMP_TRIES		4	/* the first try and 3 retries */

struct ct_diag {
	struct ct_diag_io io;
	uint32_t	 seq;
	char		*buf;
};

struct dump_ctx {
	struct ct_socklist *out;
	uint8_t		 proto;
	unsigned	 want;		/* CT_SX_WANT_* */
	int		 err;
};

static ssize_t
nl_send(void *ctx, const void *buf, size_t len)
{
	return mnl_socket_sendto(ctx, buf, len);
}

static ssize_t
nl_recv(void *ctx, void *buf, size_t len)
{
	return mnl_socket_recvfrom(ctx, buf, len);
}

static uint32_t
nl_portid(void *ctx)
{
	return mnl_socket_get_portid(ctx);
}

static void
nl_close(void *ctx)
{
	mnl_socket_close(ctx);
}

int
diag_open_io(const struct ct_diag_io *io, struct ct_diag **out)
{
	struct ct_diag *d = xcalloc(1, sizeof(*d));

	d->io = *io;
	d->buf = xmalloc(CT_NL_BUFSZ);
	*out = d;				/* caller frees: diag_close() */
	return 0;
}

int
diag_open(struct ct_diag **out)
{
	struct ct_diag_io io = { nl_send, nl_recv, nl_portid, nl_close, NULL };
	struct mnl_socket *nl;
	int rc;

	*out = NULL;
	if ((nl = mnl_socket_open(NETLINK_SOCK_DIAG)) == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		mnl_socket_close(nl);
		return rc;
	}
	io.ctx = nl;
	return diag_open_io(&io, out);
}

void
diag_close(struct ct_diag *d)
{
	if (d == NULL)
		return;
	if (d->io.close != NULL)
		d->io.close(d->io.ctx);
	free(d->buf);
	free(d);
}

static int
dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *ctx = arg;
	struct ct_sockx x;
	struct ct_sock *s;
	size_t i;

	/* replies carry the request's type: TCPDIAG_GETSOCK for the old one */
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY &&
	    nlh->nlmsg_type != TCPDIAG_GETSOCK)
		return MNL_CB_OK;		/* not ours to decode */
	/* decoded in place: diag_parse_msg() fills the whole record */
	s = sock_list_grow(ctx->out);
	x.want = ctx->want;
	if ((ctx->err = diag_parse_msg(nlh, s, &x)) != 0)
		return MNL_CB_ERROR;		/* mnl_cb_run() can only say -1 */
	if (s->proto == 0)
		s->proto = ctx->proto;
	i = ctx->out->len;
	if (s->flags & CT_SF_INFO)
		*sock_list_info_at(ctx->out, i) = x.info;
	/* the rest only when asked for: a plain listing stays 80 bytes a socket */
	if (s->flags & (CT_SF_MORE | CT_SF_MEM | CT_SF_EXT)) {
		if (s->flags & CT_SF_MORE)
			*sock_list_more_at(ctx->out, i) = x.more;
		if (s->flags & CT_SF_MEM)
			*sock_list_mem_at(ctx->out, i) = x.mem;
		if (s->flags & CT_SF_EXT)
			*sock_list_ext_at(ctx->out, i) = x.ext;
	}
	ctx->out->len++;
	return MNL_CB_OK;
}

/* An errno the kernel may send, negative; anything else is a corrupt reply. */
static int
diag_sane_errno(int32_t e)
{
	if (e < 0 && e > -4096)
		return e;
	if (e > 0 && e < 4096)		/* some subsystems send it positive */
		return -e;
	return -EBADMSG;
}

/*
 * NLMSG_ERROR: an ACK (error 0) ends the exchange, anything else fails
 * the dump with the kernel's errno.
 */
static int
error_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *ctx = arg;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		ctx->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	ctx->err = diag_sane_errno(e->error);
	return MNL_CB_ERROR;
}

/*
 * NLMSG_DONE carries the dump's own result: when the dump callback fails
 * (a kernel without udp_diag answers -ENOENT this way, not with an
 * NLMSG_ERROR), the error is in its payload. libmnl's default handler
 * ignores it and reports a complete, empty dump.
 */
static int
done_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *ctx = arg;
	int32_t e;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(e))
		return MNL_CB_STOP;		/* old kernels send none */
	memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	if (e == 0)
		return MNL_CB_STOP;
	ctx->err = diag_sane_errno(e);
	return MNL_CB_ERROR;
}

/*
 * AF_UNSPEC asks for TCP of both families through the older inet_diag_req
 * (TCPDIAG_GETSOCK): the kernel keeps IPv4 and IPv6 TCP sockets in one
 * hash, and this request walks it once instead of once per family.
 */
static int
diag_send_req(struct ct_diag *d, const struct ct_diag_req *req)
{
	bool compat = req->family == AF_UNSPEC;
	size_t hdr = compat ? sizeof(struct inet_diag_req) :
	    sizeof(struct inet_diag_req_v2);
	size_t size = MNL_ALIGN(sizeof(struct nlmsghdr)) + MNL_ALIGN(hdr) +
	    MNL_ATTR_HDRLEN + MNL_ALIGN(req->bytecode_len);
	char *buf = xcalloc(1, size);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint8_t ext = (uint8_t)((req->info ? 1 << (INET_DIAG_INFO - 1) : 0) |
	    (req->info && req->more ? 1 << (INET_DIAG_CONG - 1) : 0) |
	    (req->meminfo ? 1 << (INET_DIAG_SKMEMINFO - 1) : 0));
	int rc = 0;

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++d->seq;
	if (compat) {
		struct inet_diag_req *r = mnl_nlmsg_put_extra_header(nlh, hdr);

		nlh->nlmsg_type = TCPDIAG_GETSOCK;
		r->idiag_states = req->states;
		r->idiag_ext = ext;
	} else {
		struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, hdr);

		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		r->sdiag_family = req->family;
		r->sdiag_protocol = req->proto;
		r->idiag_states = req->states;
		r->idiag_ext = ext;
	}
	if (req->bytecode != NULL && req->bytecode_len > 0)
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, req->bytecode_len,
		    req->bytecode);
	if (d->io.send(d->io.ctx, nlh, nlh->nlmsg_len) < 0)
		rc = -errno;
	free(buf);
	return rc;
}

/*
 * mnl_nlmsg_ok() as it should be: libmnl 1.0.4 compares (int)nlmsg_len
 * with what is left, so a length of 2 GiB or more passes as negative; the
 * walk then jumps past the buffer, or (from 0xfffffffd, which MNL_ALIGN
 * wraps to 0) never moves at all.
 */
static bool
diag_msg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	    nlh->nlmsg_len <= (uint32_t)len;
}

/* Does this datagram hold the end of a dump (NLMSG_DONE or NLMSG_ERROR)? */
static bool
diag_chunk_ends(const void *buf, size_t n)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)n;

	for (; diag_msg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
			return true;
	return false;
}

/*
 * After a dump we stopped reading early (interrupted, or a record we could
 * not decode), read the rest of it so that the next one starts clean. The
 * kernel often puts NLMSG_DONE in the same datagram as the last records:
 * then the dump is already over, and one more recv would block for ever.
 */
static void
diag_drain(struct ct_diag *d, size_t n)
{
	ssize_t got;

	if (diag_chunk_ends(d->buf, n))
		return;
	for (;;) {
		got = d->io.recv(d->io.ctx, d->buf, CT_NL_BUFSZ);
		if (got < 0 && errno == EINTR)
			continue;	/* a signal: the rest is still to come */
		if (got <= 0 || diag_chunk_ends(d->buf, (size_t)got))
			return;
	}
}

/*
 * A datagram is whole messages: mnl_cb_run() stops quietly at one that
 * runs past the end (or claims less than a header), which would drop
 * every record after it without a word. Once this holds, every length is
 * below the buffer's size and libmnl's own walk is safe too.
 */
static bool
diag_chunk_whole(const void *buf, size_t n)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)n;

	while (diag_msg_ok(nlh, len))
		nlh = mnl_nlmsg_next(nlh, &len);
	return len <= 0;	/* < 0: the last one lacks its padding */
}

/* errno after mnl_cb_run() failed: a sane errno, else a corrupt reply. */
static int
diag_cb_errno(void)
{
	return errno > 0 && errno < 4096 ? -errno : -EBADMSG;
}

static int
diag_dump_once(struct ct_diag *d, const struct ct_diag_req *req,
    struct ct_socklist *out)
{
	/* libmnl's own handling for NLMSG_NOOP; ours for ERROR and DONE */
	mnl_cb_t ctl[NLMSG_DONE + 1] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct dump_ctx ctx = { out, req->proto,
	    (req->ext ? CT_SX_WANT_EXT : 0u) | (req->more ? CT_SX_WANT_MORE : 0u),
	    0 };
	uint32_t portid = d->io.portid(d->io.ctx);
	ssize_t n;
	int rc;

	if ((rc = diag_send_req(d, req)) != 0)
		return rc;
	for (;;) {
		if ((n = d->io.recv(d->io.ctx, d->buf, CT_NL_BUFSZ)) < 0) {
			/* a signal, not the kernel: the dump goes on */
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;		/* the transport ended mid-dump */
		if (!diag_chunk_whole(d->buf, (size_t)n))
			return -EBADMSG;
		errno = 0;
		rc = mnl_cb_run2(d->buf, (size_t)n, d->seq, portid, dump_cb, &ctx,
		    ctl, NLMSG_DONE + 1);
		if (rc == MNL_CB_STOP)
			return 0;		/* NLMSG_DONE */
		if (rc < 0) {
			rc = ctx.err != 0 ? ctx.err : diag_cb_errno();
			if (rc == -EINTR || ctx.err != 0)
				diag_drain(d, (size_t)n);
			return rc;
		}
	}
}

int
diag_dump(struct ct_diag *d, const struct ct_diag_req *req,
    struct ct_socklist *out)
{
	size_t mark = out->len;
	int rc = 0, i;

	for (i = 0; i < CT_DUMP_TRIES; i++) {
		out->len = mark;		/* a retry starts from scratch */
		errno = 0;
		if ((rc = diag_dump_once(d, req, out)) != -EINTR)
			break;
	}
	if (rc != 0 && rc != -EINTR)
		out->len = mark;		/* no partial garbage on failure */
	return rc;
}

/* The request that names s exactly, cookie and all (inet_diag_find_one_icsk()). */
static void
diag_destroy_req(struct nlmsghdr *nlh, uint32_t seq, const struct ct_sock *s)
{
	struct inet_diag_req_v2 *r;
	size_t alen = s->local.family == AF_INET6 ? 16 : 4;

	nlh->nlmsg_type = SOCK_DESTROY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = s->local.family;
	r->sdiag_protocol = s->proto;
	r->idiag_states = ~0u;
	r->id.idiag_sport = htons(s->lport);
	r->id.idiag_dport = htons(s->rport);
	memcpy(r->id.idiag_src, s->local.bytes, alen);
	memcpy(r->id.idiag_dst, s->remote.bytes, alen);
	r->id.idiag_if = s->ifindex;
	if (s->cookie != 0) {
		r->id.idiag_cookie[0] = (uint32_t)s->cookie;
		r->id.idiag_cookie[1] = (uint32_t)(s->cookie >> 32);
	} else {
		r->id.idiag_cookie[0] = r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	}
}

int
diag_destroy(struct ct_diag *d, const struct ct_sock *s)
{
	mnl_cb_t ctl[NLMSG_DONE + 1] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct dump_ctx ctx = { NULL, s->proto, 0, 0 };
	char req[MNL_ALIGN(sizeof(struct nlmsghdr)) +
	    MNL_ALIGN(sizeof(struct inet_diag_req_v2))];
	struct nlmsghdr *nlh;
	uint32_t portid = d->io.portid(d->io.ctx);
	ssize_t n;
	int rc;

	if (s->local.family != AF_INET && s->local.family != AF_INET6)
		return -EAFNOSUPPORT;
	memset(req, 0, sizeof(req));
	nlh = mnl_nlmsg_put_header(req);
	diag_destroy_req(nlh, ++d->seq, s);
	if (d->io.send(d->io.ctx, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		if ((n = d->io.recv(d->io.ctx, d->buf, CT_NL_BUFSZ)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		if (!diag_chunk_whole(d->buf, (size_t)n))
			return -EBADMSG;
		errno = 0;
		/* nothing but the answer is expected: no data callback */
		rc = mnl_cb_run2(d->buf, (size_t)n, d->seq, portid, NULL, &ctx,
		    ctl, NLMSG_DONE + 1);
		if (rc == MNL_CB_STOP)
			return 0;		/* the ACK: error 0 */
		if (rc < 0)
			return ctx.err != 0 ? ctx.err : diag_cb_errno();
	}
}
