/*
 * Faults injected under the collector through diag_open_io(): a fake
 * transport answers each request with replies built by libmnl's own
 * builders, or with the failure a test wants. Each fault has one defined
 * outcome: the return code, and a list holding no partial garbage.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "opts.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

#define FK_PORTID	4242
#define FK_CHUNKSZ	32768
#define FK_MAXQ		64

/* One recv: bytes, or a failure with errno err. */
struct fk_chunk {
	char		*buf;
	size_t		 len;
	int		 err;
};

/* The request as the fake saw it. */
struct fk_req {
	uint16_t	 type;		/* SOCK_DIAG_BY_FAMILY, TCPDIAG_GETSOCK */
	uint8_t		 family, proto;
	uint32_t	 seq, states;
};

struct fake;
typedef void	(*fk_answer_fn)(struct fake *f, const struct fk_req *r);

struct fake {
	fk_answer_fn	 answer;	/* queues the reply to each request */
	int		 send_err;	/* send fails with this errno */
	struct fk_chunk	 q[FK_MAXQ];
	size_t		 nq, head;
	int		 nsend, nrecv;
	int		 overread;	/* recv with nothing queued: would block */
	int		 closed;
	struct fk_req	 last;
	int		 arg;		/* per-test knob */
};

static ssize_t
fk_send(void *ctx, const void *buf, size_t len)
{
	struct fake *f = ctx;
	const struct nlmsghdr *nlh = buf;
	struct fk_req r;

	f->nsend++;
	if (f->send_err != 0) {
		errno = f->send_err;
		return -1;
	}
	assert_true(len >= NLMSG_HDRLEN && nlh->nlmsg_len == len);
	assert_true(nlh->nlmsg_flags & NLM_F_DUMP);
	memset(&r, 0, sizeof(r));
	r.type = nlh->nlmsg_type;
	r.seq = nlh->nlmsg_seq;
	if (nlh->nlmsg_type == TCPDIAG_GETSOCK) {
		const struct inet_diag_req *q = mnl_nlmsg_get_payload(nlh);

		r.family = AF_UNSPEC;
		r.proto = IPPROTO_TCP;
		r.states = q->idiag_states;
	} else {
		const struct inet_diag_req_v2 *q = mnl_nlmsg_get_payload(nlh);

		assert_int_equal(nlh->nlmsg_type, SOCK_DIAG_BY_FAMILY);
		r.family = q->sdiag_family;
		r.proto = q->sdiag_protocol;
		r.states = q->idiag_states;
	}
	f->last = r;
	if (f->answer != NULL)
		f->answer(f, &r);
	return (ssize_t)len;
}

static ssize_t
fk_recv(void *ctx, void *buf, size_t len)
{
	struct fake *f = ctx;
	struct fk_chunk *c;
	size_t n;

	f->nrecv++;
	if (f->head == f->nq) {
		f->overread++;		/* a real socket would block here */
		errno = EAGAIN;
		return -1;
	}
	c = &f->q[f->head++];
	if (c->err != 0) {
		errno = c->err;
		return -1;
	}
	n = c->len < len ? c->len : len;
	memcpy(buf, c->buf, n);
	return (ssize_t)n;
}

static uint32_t
fk_portid(void *ctx)
{
	(void)ctx;
	return FK_PORTID;
}

static void
fk_close(void *ctx)
{
	((struct fake *)ctx)->closed++;
}

static struct ct_diag *
fk_open(struct fake *f)
{
	struct ct_diag_io io = { fk_send, fk_recv, fk_portid, fk_close, f };
	struct ct_diag *d = NULL;

	assert_int_equal(diag_open_io(&io, &d), 0);
	assert_non_null(d);
	return d;
}

static void
fk_free(struct fake *f)
{
	size_t i;

	for (i = 0; i < f->nq; i++)
		free(f->q[i].buf);
	f->nq = f->head = 0;
}

/* A new, empty recv chunk at the end of the queue. */
static struct fk_chunk *
fk_chunk(struct fake *f)
{
	struct fk_chunk *c;

	assert_true(f->nq < FK_MAXQ);
	c = &f->q[f->nq++];
	c->buf = xcalloc(1, FK_CHUNKSZ);
	c->len = 0;
	c->err = 0;
	return c;
}

static void
fk_fail(struct fake *f, int err)
{
	assert_true(f->nq < FK_MAXQ);
	f->q[f->nq].buf = NULL;
	f->q[f->nq].len = 0;
	f->q[f->nq++].err = err;
}

static struct nlmsghdr *
fk_put_hdr(struct fk_chunk *c, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(c->buf + c->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = FK_PORTID;
	return nlh;
}

static void
fk_end(struct fk_chunk *c, struct nlmsghdr *nlh)
{
	c->len += MNL_ALIGN(nlh->nlmsg_len);
	assert_true(c->len <= FK_CHUNKSZ);
}

/* One socket record: 127.0.0.1:lport (or ::1) -> peer port 1000 + lport. */
static struct nlmsghdr *
fk_put_sock(struct fk_chunk *c, const struct fk_req *r, uint8_t family,
    uint16_t lport, uint16_t flags)
{
	struct nlmsghdr *nlh = fk_put_hdr(c, r->type, NLM_F_MULTI | flags, r->seq);
	struct inet_diag_msg *m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));

	m->idiag_family = family;
	m->idiag_state = CT_ST_ESTABLISHED;
	m->id.idiag_sport = htons(lport);
	m->id.idiag_dport = htons((uint16_t)(1000 + lport));
	if (family == AF_INET6) {
		m->id.idiag_src[3] = htonl(1);
		m->id.idiag_dst[3] = htonl(1);
	} else {
		m->id.idiag_src[0] = htonl(0x7f000001);
		m->id.idiag_dst[0] = htonl(0x7f000001);
	}
	m->idiag_inode = lport;
	fk_end(c, nlh);
	return nlh;
}

static void
fk_put_done(struct fk_chunk *c, const struct fk_req *r, uint16_t flags)
{
	struct nlmsghdr *nlh = fk_put_hdr(c, NLMSG_DONE, NLM_F_MULTI | flags,
	    r->seq);
	int *zero = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*zero = 0;
	fk_end(c, nlh);
}

/* NLMSG_DONE carrying the dump's failure, as the kernel sends it. */
static void
fk_put_done_err(struct fk_chunk *c, const struct fk_req *r, int error)
{
	struct nlmsghdr *nlh = fk_put_hdr(c, NLMSG_DONE, NLM_F_MULTI, r->seq);
	int *e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*e = error;
	fk_end(c, nlh);
}

static void
fk_put_error(struct fk_chunk *c, const struct fk_req *r, int error)
{
	struct nlmsghdr *nlh = fk_put_hdr(c, NLMSG_ERROR, 0, r->seq);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = error;
	e->msg.nlmsg_len = NLMSG_HDRLEN;
	e->msg.nlmsg_type = r->type;
	e->msg.nlmsg_seq = r->seq;
	fk_end(c, nlh);
}

/* A record that was in the list before the dump: it must survive. */
static void
list_mark(struct ct_socklist *l)
{
	struct ct_sock *s = sock_list_append(l);

	s->proto = IPPROTO_UDP;
	s->lport = 7;
	s->inode = 777;
}

static void
assert_mark_intact(const struct ct_socklist *l, size_t len)
{
	assert_int_equal(l->len, len);
	assert_int_equal(l->v[0].lport, 7);
	assert_int_equal(l->v[0].inode, 777);
}

static const struct ct_diag_req req_tcp4 = { .family = AF_INET,
    .proto = IPPROTO_TCP, .states = CT_STATES_ALL };

/* Run one dump of req_tcp4 with answer, over a list holding the mark. */
static int
run_dump(struct fake *f, struct ct_socklist *l)
{
	struct ct_diag *d = fk_open(f);
	int rc;

	memset(l, 0, sizeof(*l));
	list_mark(l);
	rc = diag_dump(d, &req_tcp4, l);
	diag_close(d);
	assert_int_equal(f->closed, 1);
	return rc;
}

/* ---- answers ---------------------------------------------------------- */

/* Two records and NLMSG_DONE in one datagram. */
static void
ans_two(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c = fk_chunk(f);

	fk_put_sock(c, r, AF_INET, 10, 0);
	fk_put_sock(c, r, AF_INET, 11, 0);
	fk_put_done(c, r, 0);
}

/* Three datagrams: one record each, the last with NLMSG_DONE. */
static void
ans_three_chunks(struct fake *f, const struct fk_req *r)
{
	fk_put_sock(fk_chunk(f), r, AF_INET, 10, 0);
	fk_put_sock(fk_chunk(f), r, AF_INET6, 11, 0);
	fk_put_sock(fk_chunk(f), r, AF_INET, 12, 0);
	fk_put_done(&f->q[f->nq - 1], r, 0);
}

/* Two good datagrams, then recv fails with f->arg. */
static void
ans_then_fail(struct fake *f, const struct fk_req *r)
{
	fk_put_sock(fk_chunk(f), r, AF_INET, 10, 0);
	fk_put_sock(fk_chunk(f), r, AF_INET, 11, 0);
	fk_fail(f, f->arg);
}

/* One record, then the transport ends (recv returns 0). */
static void
ans_then_eof(struct fake *f, const struct fk_req *r)
{
	fk_put_sock(fk_chunk(f), r, AF_INET, 10, 0);
	fk_chunk(f);			/* zero bytes */
}

/* A record, then a second one cut off after f->arg bytes. */
static void
ans_truncated(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c = fk_chunk(f), *rest;
	size_t at;

	fk_put_sock(c, r, AF_INET, 10, 0);
	at = c->len;
	fk_put_sock(c, r, AF_INET, 11, 0);
	c->len = at + (size_t)f->arg;
	/* the rest of the dump, should anyone read on */
	rest = fk_chunk(f);
	fk_put_sock(rest, r, AF_INET, 12, 0);
	fk_put_done(rest, r, 0);
}

/* The second record's nlmsg_len says f->arg. */
static void
ans_len_lies(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c = fk_chunk(f);
	struct nlmsghdr *bad;

	fk_put_sock(c, r, AF_INET, 10, 0);
	bad = fk_put_sock(c, r, AF_INET, 11, 0);
	fk_put_sock(c, r, AF_INET, 12, 0);
	fk_put_done(c, r, 0);
	bad->nlmsg_len = (uint32_t)f->arg;
}

/* Two records, then NLMSG_ERROR f->arg where the dump should go on. */
static void
ans_error_mid(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c = fk_chunk(f);

	fk_put_sock(c, r, AF_INET, 10, 0);
	fk_put_sock(c, r, AF_INET, 11, 0);
	fk_put_error(c, r, f->arg);
}

/* NLMSG_ERROR f->arg and nothing else. */
static void
ans_error(struct fake *f, const struct fk_req *r)
{
	fk_put_error(fk_chunk(f), r, f->arg);
}

/* A record, then NLMSG_DONE carrying f->arg (a dump that failed late). */
static void
ans_done_error(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c = fk_chunk(f);

	fk_put_sock(c, r, AF_INET, 10, 0);
	fk_put_done_err(c, r, f->arg);
}

/* recv is interrupted by a signal before each datagram. */
static void
ans_recv_eintr(struct fake *f, const struct fk_req *r)
{
	fk_fail(f, EINTR);
	fk_put_sock(fk_chunk(f), r, AF_INET, 10, 0);
	fk_fail(f, EINTR);
	fk_put_sock(fk_chunk(f), r, AF_INET, 11, 0);
	fk_put_done(&f->q[f->nq - 1], r, 0);
}

/*
 * Every attempt interrupted: two good records, a third flagged
 * NLM_F_DUMP_INTR, and NLMSG_DONE in the same datagram (as the kernel
 * appends it when there is room). Nothing more may be read.
 */
static void
ans_intr_always(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c = fk_chunk(f);

	fk_put_sock(c, r, r->family == AF_INET6 ? AF_INET6 : AF_INET, 10, 0);
	fk_put_sock(c, r, AF_INET, 11, 0);
	fk_put_sock(c, r, AF_INET, 12, NLM_F_DUMP_INTR);
	fk_put_done(c, r, NLM_F_DUMP_INTR);
}

/*
 * The first attempt is interrupted with the rest of its dump still to
 * come in a later datagram; the second attempt is clean.
 */
static void
ans_intr_once(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c;

	if (f->nsend > 1) {
		c = fk_chunk(f);
		fk_put_sock(c, r, AF_INET, 20, 0);
		fk_put_done(c, r, 0);
		return;
	}
	c = fk_chunk(f);
	fk_put_sock(c, r, AF_INET, 10, 0);
	fk_put_sock(c, r, AF_INET, 11, NLM_F_DUMP_INTR);
	c = fk_chunk(f);
	fk_put_sock(c, r, AF_INET, 12, NLM_F_DUMP_INTR);
	c = fk_chunk(f);
	fk_put_sock(c, r, AF_INET, 13, NLM_F_DUMP_INTR);
	fk_put_done(c, r, NLM_F_DUMP_INTR);
}

/* Only NLMSG_DONE carries the flag: the records are there, the set is not sure. */
static void
ans_intr_on_done(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c = fk_chunk(f);

	fk_put_sock(c, r, AF_INET, 10, 0);
	fk_put_done(c, r, NLM_F_DUMP_INTR);
}

/* ---- diag_dump -------------------------------------------------------- */

static void
test_diag_dump_ok(void **state)
{
	struct fake f = { .answer = ans_two };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), 0);
	assert_mark_intact(&l, 3);
	assert_int_equal(l.v[1].lport, 10);
	assert_int_equal(l.v[1].rport, 1010);
	assert_int_equal(l.v[1].proto, IPPROTO_TCP);	/* from the request */
	assert_int_equal(l.v[2].lport, 11);
	assert_int_equal(f.nsend, 1);
	assert_int_equal(f.overread, 0);
	assert_int_equal(f.last.family, AF_INET);
	assert_int_equal(f.last.proto, IPPROTO_TCP);
	sock_list_free(&l);
	fk_free(&f);
}

static void
test_diag_dump_many_datagrams(void **state)
{
	struct fake f = { .answer = ans_three_chunks };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), 0);
	assert_mark_intact(&l, 4);
	assert_int_equal(l.v[2].local.family, AF_INET6);
	assert_int_equal(l.v[3].lport, 12);
	assert_int_equal(f.nrecv, 3);
	assert_int_equal(f.overread, 0);
	sock_list_free(&l);
	fk_free(&f);
}

static void
test_diag_send_eperm(void **state)
{
	struct fake f = { .answer = ans_two, .send_err = EPERM };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), -EPERM);
	assert_mark_intact(&l, 1);
	assert_int_equal(f.nsend, 1);		/* not retried */
	assert_int_equal(f.nrecv, 0);
	sock_list_free(&l);
	fk_free(&f);
}

static void
test_diag_recv_enobufs(void **state)
{
	struct fake f = { .answer = ans_then_fail, .arg = ENOBUFS };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), -ENOBUFS);
	assert_mark_intact(&l, 1);		/* the two records are gone */
	assert_int_equal(f.nsend, 1);
	sock_list_free(&l);
	fk_free(&f);
}

static void
test_diag_recv_eof(void **state)
{
	struct fake f = { .answer = ans_then_eof };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), -EPIPE);
	assert_mark_intact(&l, 1);
	sock_list_free(&l);
	fk_free(&f);
}

/* A datagram that ends inside a message, at every possible byte. */
static void
test_diag_truncated_mid_message(void **state)
{
	size_t msglen = MNL_ALIGN(NLMSG_HDRLEN) +
	    MNL_ALIGN(sizeof(struct inet_diag_msg));
	int cut;

	(void)state;
	for (cut = 1; cut < (int)msglen; cut++) {
		struct fake f = { .answer = ans_truncated, .arg = cut };
		struct ct_socklist l;

		assert_int_equal(run_dump(&f, &l), -EBADMSG);
		assert_mark_intact(&l, 1);
		assert_int_equal(f.overread, 0);
		sock_list_free(&l);
		fk_free(&f);
	}
}

static void
test_diag_nlmsg_len_too_long(void **state)
{
	/* and 2 GiB or more, which libmnl's mnl_nlmsg_ok() takes as negative */
	static const int lies[] = { 4096, FK_CHUNKSZ, INT_MAX, INT_MIN, -4, -1 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		struct fake f = { .answer = ans_len_lies, .arg = lies[i] };
		struct ct_socklist l;

		assert_int_equal(run_dump(&f, &l), -EBADMSG);
		assert_mark_intact(&l, 1);
		assert_int_equal(f.overread, 0);
		sock_list_free(&l);
		fk_free(&f);
	}
}

static void
test_diag_nlmsg_len_too_short(void **state)
{
	/* under a header; a bare header; a header and half a record */
	static const int lies[] = { 0, 8, NLMSG_HDRLEN,
	    NLMSG_HDRLEN + (int)sizeof(struct inet_diag_msg) / 2 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		struct fake f = { .answer = ans_len_lies, .arg = lies[i] };
		struct ct_socklist l;

		assert_int_equal(run_dump(&f, &l), -EBADMSG);
		assert_mark_intact(&l, 1);
		assert_int_equal(f.overread, 0);
		sock_list_free(&l);
		fk_free(&f);
	}
}

static void
test_diag_error_mid_dump(void **state)
{
	struct fake f = { .answer = ans_error_mid, .arg = -ENOMEM };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), -ENOMEM);
	assert_mark_intact(&l, 1);
	assert_int_equal(f.nsend, 1);
	assert_int_equal(f.overread, 0);	/* an error ends the dump */
	sock_list_free(&l);
	fk_free(&f);
}

static void
test_diag_error_enoent(void **state)
{
	struct fake f = { .answer = ans_error, .arg = -ENOENT };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), -ENOENT);
	assert_mark_intact(&l, 1);
	sock_list_free(&l);
	fk_free(&f);
}

/*
 * A dump whose NLMSG_DONE carries an error (how a kernel without the diag
 * module answers): the error, not an empty success, and the record before
 * it dropped.
 */
static void
test_diag_done_error(void **state)
{
	static const int errs[] = { -ENOENT, -ENOMEM, ENOENT, INT_MIN };
	static const int want[] = { -ENOENT, -ENOMEM, -ENOENT, -EBADMSG };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		struct fake f = { .answer = ans_done_error, .arg = errs[i] };
		struct ct_socklist l;

		assert_int_equal(run_dump(&f, &l), want[i]);
		assert_mark_intact(&l, 1);
		assert_int_equal(f.nsend, 1);
		assert_int_equal(f.overread, 0);
		sock_list_free(&l);
		fk_free(&f);
	}
}

/* A signal interrupting recv is not the kernel interrupting the dump. */
static void
test_diag_recv_eintr(void **state)
{
	struct fake f = { .answer = ans_recv_eintr };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), 0);
	assert_mark_intact(&l, 3);
	assert_int_equal(l.v[1].lport, 10);
	assert_int_equal(l.v[2].lport, 11);
	assert_int_equal(f.nsend, 1);		/* not a new dump */
	assert_int_equal(f.overread, 0);
	sock_list_free(&l);
	fk_free(&f);
}

/* An error number no errno can be: the reply is corrupt. */
static void
test_diag_error_insane(void **state)
{
	static const int bad[] = { INT_MIN, -100000, 100000 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fake f = { .answer = ans_error, .arg = bad[i] };
		struct ct_socklist l;

		assert_int_equal(run_dump(&f, &l), -EBADMSG);
		assert_mark_intact(&l, 1);
		sock_list_free(&l);
		fk_free(&f);
	}
}

static void
test_diag_dump_intr_always(void **state)
{
	struct fake f = { .answer = ans_intr_always };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), -EINTR);
	assert_int_equal(f.nsend, 4);		/* the first try and 3 retries */
	assert_int_equal(f.overread, 0);	/* NLMSG_DONE was already read */
	/* the last attempt's partial list, once, after the mark */
	assert_mark_intact(&l, 3);
	assert_int_equal(l.v[1].lport, 10);
	assert_int_equal(l.v[2].lport, 11);
	sock_list_free(&l);
	fk_free(&f);
}

static void
test_diag_dump_intr_then_ok(void **state)
{
	struct fake f = { .answer = ans_intr_once };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), 0);
	assert_int_equal(f.nsend, 2);
	assert_int_equal(f.overread, 0);
	assert_mark_intact(&l, 2);		/* the retry's record only */
	assert_int_equal(l.v[1].lport, 20);
	sock_list_free(&l);
	fk_free(&f);
}

static void
test_diag_dump_intr_on_done(void **state)
{
	struct fake f = { .answer = ans_intr_on_done };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), -EINTR);
	assert_int_equal(f.nsend, 4);
	assert_int_equal(f.overread, 0);
	assert_mark_intact(&l, 2);
	sock_list_free(&l);
	fk_free(&f);
}

/* A reply to an older request, or from another port: not ours. */
static void
ans_wrong_seq(struct fake *f, const struct fk_req *r)
{
	struct fk_req old = *r;
	struct fk_chunk *c = fk_chunk(f);

	old.seq = r->seq + 1000;
	fk_put_sock(c, &old, AF_INET, 10, 0);
	fk_put_done(c, &old, 0);
}

static void
ans_wrong_port(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c = fk_chunk(f);
	struct nlmsghdr *nlh = fk_put_sock(c, r, AF_INET, 10, 0);

	nlh->nlmsg_pid = FK_PORTID + 1;
	fk_put_done(c, r, 0);
}

static void
test_diag_wrong_seq(void **state)
{
	struct fake f = { .answer = ans_wrong_seq };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), -EPROTO);
	assert_mark_intact(&l, 1);
	sock_list_free(&l);
	fk_free(&f);
}

static void
test_diag_wrong_port(void **state)
{
	struct fake f = { .answer = ans_wrong_port };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), -ESRCH);
	assert_mark_intact(&l, 1);
	sock_list_free(&l);
	fk_free(&f);
}

/* Messages of other types (NOOP, a future type) are passed over. */
static void
ans_other_types(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c = fk_chunk(f);
	struct nlmsghdr *nlh;

	nlh = fk_put_hdr(c, NLMSG_NOOP, NLM_F_MULTI, r->seq);
	fk_end(c, nlh);
	fk_put_sock(c, r, AF_INET, 10, 0);
	nlh = fk_put_hdr(c, 0x7f, NLM_F_MULTI, r->seq);
	mnl_attr_put_u32(nlh, 1, 0xdeadbeef);
	fk_end(c, nlh);
	fk_put_done(c, r, 0);
}

static void
test_diag_other_types_skipped(void **state)
{
	struct fake f = { .answer = ans_other_types };
	struct ct_socklist l;

	(void)state;
	assert_int_equal(run_dump(&f, &l), 0);
	assert_mark_intact(&l, 2);
	assert_int_equal(l.v[1].lport, 10);
	sock_list_free(&l);
	fk_free(&f);
}

/*
 * A malformed record in the middle of a dump fails it, and the rest of
 * that dump is read and dropped: the next dump on the same transport (the
 * live view's next refresh) starts clean.
 */
static void
ans_bad_record_then_good(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c;
	struct nlmsghdr *nlh;

	if (f->nsend > 1) {
		ans_two(f, r);
		return;
	}
	c = fk_chunk(f);
	fk_put_sock(c, r, AF_INET, 10, 0);
	nlh = fk_put_sock(c, r, AF_INET, 11, 0);
	((struct inet_diag_msg *)mnl_nlmsg_get_payload(nlh))->idiag_family = 99;
	c = fk_chunk(f);
	fk_put_sock(c, r, AF_INET, 12, 0);
	fk_put_done(c, r, 0);
}

static void
test_diag_bad_record_then_next_dump(void **state)
{
	struct fake f = { .answer = ans_bad_record_then_good };
	struct ct_diag *d = fk_open(&f);
	struct ct_socklist l = { 0 };

	(void)state;
	list_mark(&l);
	assert_int_equal(diag_dump(d, &req_tcp4, &l), -EBADMSG);
	assert_mark_intact(&l, 1);
	assert_int_equal(diag_dump(d, &req_tcp4, &l), 0);
	assert_mark_intact(&l, 3);
	assert_int_equal(l.v[1].lport, 10);
	assert_int_equal(l.v[2].lport, 11);
	assert_int_equal(f.overread, 0);
	diag_close(d);
	sock_list_free(&l);
	fk_free(&f);
}

static void
test_diag_close_null(void **state)
{
	(void)state;
	diag_close(NULL);
}

/* ---- through snap_take: what the user is told ------------------------- */

static void
opts_init(struct ct_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->protos = CT_P_TCP | CT_P_UDP;
	o->families = CT_FAM_4 | CT_FAM_6;
	o->no_procs = true;
	o->procroot = "/nonexistent";
	o->interval_ms = 1000;
}

/* TCP answers with records; UDP with NLMSG_ERROR f->arg. */
static void
ans_udp_error(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c;

	if (r->proto == IPPROTO_UDP) {
		fk_put_error(fk_chunk(f), r, f->arg);
		return;
	}
	c = fk_chunk(f);
	fk_put_sock(c, r, AF_INET, 10, 0);
	fk_put_sock(c, r, AF_INET6, 11, 0);
	fk_put_done(c, r, 0);
}

static void
snap_udp_error(int err)
{
	struct fake f = { .answer = ans_udp_error, .arg = -err };
	struct ct_diag *d = fk_open(&f);
	struct ct_snap snap;
	struct ct_opts o;
	size_t i;

	opts_init(&o);
	assert_int_equal(snap_take(d, &o, &snap), 0);
	assert_int_equal(snap.warn, CT_WARN_NODIAG_UDP);	/* one warning */
	assert_true(snap.socks.len >= 2);
	for (i = 0; i < snap.socks.len; i++)
		assert_int_equal(snap.socks.v[i].proto, IPPROTO_TCP);
	assert_int_equal(f.overread, 0);
	snap_free(&snap);
	diag_close(d);
	fk_free(&f);
}

static void
test_snap_udp_enoent(void **state)
{
	(void)state;
	snap_udp_error(ENOENT);
}

/* The same, told the way current kernels tell it: in NLMSG_DONE. */
static void
ans_udp_done_enoent(struct fake *f, const struct fk_req *r)
{
	if (r->proto == IPPROTO_UDP)
		fk_put_done_err(fk_chunk(f), r, -ENOENT);
	else
		ans_udp_error(f, r);
}

static void
test_snap_udp_done_enoent(void **state)
{
	struct fake f = { .answer = ans_udp_done_enoent };
	struct ct_diag *d = fk_open(&f);
	struct ct_snap snap;
	struct ct_opts o;
	size_t i;

	(void)state;
	opts_init(&o);
	assert_int_equal(snap_take(d, &o, &snap), 0);
	assert_int_equal(snap.warn, CT_WARN_NODIAG_UDP);
	assert_true(snap.socks.len >= 2);
	for (i = 0; i < snap.socks.len; i++)
		assert_int_equal(snap.socks.v[i].proto, IPPROTO_TCP);
	assert_int_equal(f.overread, 0);
	snap_free(&snap);
	diag_close(d);
	fk_free(&f);
}

static void
test_snap_udp_einval(void **state)
{
	(void)state;
	snap_udp_error(EINVAL);
}

static void
test_snap_intr_every_attempt(void **state)
{
	struct fake f = { .answer = ans_intr_always };
	struct ct_diag *d = fk_open(&f);
	struct ct_snap snap;
	struct ct_opts o;
	size_t i, tcp = 0, udp = 0;

	(void)state;
	opts_init(&o);
	assert_int_equal(snap_take(d, &o, &snap), 0);
	assert_int_equal(snap.warn, CT_WARN_INTR_TCP | CT_WARN_INTR_UDP);
	assert_int_equal(f.nsend % 4, 0);	/* each dump tried 4 times */
	assert_int_equal(f.overread, 0);
	for (i = 0; i < snap.socks.len; i++) {
		if (snap.socks.v[i].proto == IPPROTO_TCP)
			tcp++;
		else
			udp++;
	}
	/* each dump keeps its last attempt's two records, once */
	assert_int_equal(tcp % 2, 0);
	assert_true(tcp >= 2);
	assert_int_equal(udp, 4);		/* UDP over IPv4 and IPv6 */
	snap_free(&snap);
	diag_close(d);
	fk_free(&f);
}

static void
test_snap_send_eperm(void **state)
{
	struct fake f = { .answer = ans_two, .send_err = EPERM };
	struct ct_diag *d = fk_open(&f);
	struct ct_snap snap;
	struct ct_opts o;

	(void)state;
	opts_init(&o);
	assert_int_equal(snap_take(d, &o, &snap), -EPERM);
	assert_int_equal(snap.socks.len, 0);
	assert_null(snap.socks.v);
	snap_free(&snap);			/* harmless twice */
	diag_close(d);
	fk_free(&f);
}

/* UDP's recv fails after TCP went well: nothing is shown. */
static void
ans_udp_enobufs(struct fake *f, const struct fk_req *r)
{
	if (r->proto == IPPROTO_UDP) {
		f->arg = ENOBUFS;
		ans_then_fail(f, r);
	} else {
		ans_two(f, r);
	}
}

static void
test_snap_udp_enobufs(void **state)
{
	struct fake f = { .answer = ans_udp_enobufs };
	struct ct_diag *d = fk_open(&f);
	struct ct_snap snap;
	struct ct_opts o;

	(void)state;
	opts_init(&o);
	assert_int_equal(snap_take(d, &o, &snap), -ENOBUFS);
	assert_int_equal(snap.socks.len, 0);
	snap_free(&snap);
	diag_close(d);
	fk_free(&f);
}

/* A kernel without the single TCP walk: one dump per family, no warning. */
static void
ans_no_compat(struct fake *f, const struct fk_req *r)
{
	struct fk_chunk *c;

	if (r->family == AF_UNSPEC) {
		fk_put_error(fk_chunk(f), r, -EINVAL);
		return;
	}
	c = fk_chunk(f);
	fk_put_sock(c, r, r->family, r->family == AF_INET ? 10 : 11, 0);
	fk_put_done(c, r, 0);
}

static void
test_snap_tcp_compat_refused(void **state)
{
	struct fake f = { .answer = ans_no_compat };
	struct ct_diag *d = fk_open(&f);
	struct ct_snap snap;
	struct ct_opts o;
	size_t i, tcp4 = 0, tcp6 = 0;

	(void)state;
	opts_init(&o);
	assert_int_equal(snap_take(d, &o, &snap), 0);
	assert_int_equal(snap.warn, 0);
	for (i = 0; i < snap.socks.len; i++) {
		const struct ct_sock *s = &snap.socks.v[i];

		if (s->proto != IPPROTO_TCP)
			continue;
		if (s->local.family == AF_INET)
			tcp4++;
		else
			tcp6++;
	}
	assert_true(tcp4 >= 1);
	assert_true(tcp6 >= 1);
	snap_free(&snap);
	diag_close(d);
	fk_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_dump_ok),
		cmocka_unit_test(test_diag_dump_many_datagrams),
		cmocka_unit_test(test_diag_send_eperm),
		cmocka_unit_test(test_diag_recv_enobufs),
		cmocka_unit_test(test_diag_recv_eof),
		cmocka_unit_test(test_diag_truncated_mid_message),
		cmocka_unit_test(test_diag_nlmsg_len_too_long),
		cmocka_unit_test(test_diag_nlmsg_len_too_short),
		cmocka_unit_test(test_diag_error_mid_dump),
		cmocka_unit_test(test_diag_error_enoent),
		cmocka_unit_test(test_diag_error_insane),
		cmocka_unit_test(test_diag_done_error),
		cmocka_unit_test(test_diag_recv_eintr),
		cmocka_unit_test(test_diag_dump_intr_always),
		cmocka_unit_test(test_diag_dump_intr_then_ok),
		cmocka_unit_test(test_diag_dump_intr_on_done),
		cmocka_unit_test(test_diag_wrong_seq),
		cmocka_unit_test(test_diag_wrong_port),
		cmocka_unit_test(test_diag_other_types_skipped),
		cmocka_unit_test(test_diag_bad_record_then_next_dump),
		cmocka_unit_test(test_diag_close_null),
		cmocka_unit_test(test_snap_udp_enoent),
		cmocka_unit_test(test_snap_udp_einval),
		cmocka_unit_test(test_snap_udp_done_enoent),
		cmocka_unit_test(test_snap_intr_every_attempt),
		cmocka_unit_test(test_snap_send_eperm),
		cmocka_unit_test(test_snap_udp_enobufs),
		cmocka_unit_test(test_snap_tcp_compat_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
