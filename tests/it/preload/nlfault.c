/*
 * nlfault.so: inject netlink sock_diag faults into an unmodified conntab.
 *
 *   LD_PRELOAD=build/it/nlfault.so CT_NLFAULT=udp:done-enoent conntab ...
 *
 * An LD_PRELOAD shim rather than a hook in conntab: the binary under test
 * is the one users run, and no test-only path ships in it. It wraps
 * socket(), close(), sendto() and recvmsg(), which libmnl calls through
 * the dynamic linker, and acts only on NETLINK_SOCK_DIAG sockets; every
 * other call goes straight to libc. (Under gcc's AddressSanitizer, add
 * verify_asan_link_order=0 to ASAN_OPTIONS: the shim precedes libasan.)
 *
 * CT_NLFAULT is one fault, or several separated by commas, each
 * "WHERE:WHAT". WHERE is "tcp", "udp" or "any": the dumps it applies to
 * (TCP includes the one-walk TCPDIAG_GETSOCK request). WHAT:
 *   socket-eperm  socket() fails with EPERM (WHERE: may be left out)
 *   eperm         sendto() of the request fails with EPERM
 *   enoent        the kernel's answer is an NLMSG_ERROR -ENOENT (an old
 *   einval        kernel without that diag module), or -EINVAL
 *   done-enoent   the answer is NLMSG_DONE carrying -ENOENT (how current
 *                 kernels without the module answer)
 *   intr          NLMSG_DONE carries NLM_F_DUMP_INTR on every attempt
 *   intr-once     the same on the first request of that protocol only
 *   intr-early    every message of the first datagram carries
 *                 NLM_F_DUMP_INTR, on the first request only: the rest
 *                 of that dump must be read and thrown away before a retry
 *   enobufs       the first datagram of the dump is lost: recvmsg() fails
 *                 with ENOBUFS (a receive buffer overrun)
 *   truncate      the first datagram ends in the middle of a message
 *   badlen        the first message's nlmsg_len claims more than arrived
 *   errmid        after the first record, an NLMSG_ERROR -EIO where the
 *                 dump should go on
 *   eintr         every other recvmsg() fails with EINTR, as if a signal
 *                 arrived (with any of the above, or alone)
 *   tiny-rcvbuf   SO_RCVBUF and SO_RCVBUFFORCE ask for the smallest receive
 *                 buffer the kernel grants (the destroy-event socket's),
 *                 so that a burst of events really overruns it (ENOBUFS)
 *   destroy-eopnotsupp  a SOCK_DESTROY request (-K) is answered with
 *                 NLMSG_ERROR -EOPNOTSUPP, as by a kernel without
 *                 CONFIG_INET_DIAG_DESTROY
 * Faults other than socket-eperm and eperm need the dump to hold at least
 * one record, so run them where there are sockets.
 */
#include <dlfcn.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NF_MAXFD	1024
#define NF_MAXRULES	8

enum nf_what {
	NF_SOCKET_EPERM, NF_EPERM, NF_ENOENT, NF_EINVAL, NF_DONE_ENOENT,
	NF_INTR, NF_INTR_ONCE, NF_INTR_EARLY, NF_ENOBUFS, NF_TRUNCATE,
	NF_BADLEN, NF_ERRMID, NF_EINTR, NF_TINY_RCVBUF, NF_DESTROY_EOPNOTSUPP,
};

static const char *const nf_names[] = {
	"socket-eperm", "eperm", "enoent", "einval", "done-enoent", "intr",
	"intr-once", "intr-early", "enobufs", "truncate", "badlen", "errmid",
	"eintr", "tiny-rcvbuf", "destroy-eopnotsupp",
};

struct nf_rule {
	int		 proto;		/* IPPROTO_TCP, IPPROTO_UDP, 0 = any */
	enum nf_what	 what;
};

static struct nf_rule rules[NF_MAXRULES];
static int nrules = -1;			/* -1: CT_NLFAULT not read yet */
static bool diagfd[NF_MAXFD];

/* The dump in progress on a socket: what was asked, what to do. */
static struct {
	uint32_t	 seq;
	int		 proto;
	int		 fault;		/* index into rules, -1 none */
	unsigned	 nrecv;		/* datagrams returned so far */
	unsigned	 attempts[2];	/* requests seen: TCP, UDP */
	char		 reply[64];	/* a made-up answer waiting for recvmsg */
	size_t		 replylen;
} cur = { .fault = -1 };

static void
nf_die(const char *msg)
{
	static const char pre[] = "nlfault: ";

	(void)!write(2, pre, sizeof(pre) - 1);
	(void)!write(2, msg, strlen(msg));
	(void)!write(2, "\n", 1);
	_exit(99);
}

static void
nf_load(void)
{
	const char *env = getenv("CT_NLFAULT");
	char buf[256], *tok, *save = NULL;
	size_t i;

	nrules = 0;
	if (env == NULL || strlen(env) >= sizeof(buf))
		return;
	strcpy(buf, env);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		struct nf_rule r = { 0, NF_SOCKET_EPERM };

		if (colon == NULL && strcmp(tok, "socket-eperm") == 0 &&
		    nrules < NF_MAXRULES) {
			rules[nrules++] = r;
			continue;
		}
		if (colon == NULL || nrules == NF_MAXRULES)
			nf_die("CT_NLFAULT: expected WHERE:WHAT[,WHERE:WHAT...]");
		*colon = '\0';
		if (strcmp(tok, "tcp") == 0)
			r.proto = IPPROTO_TCP;
		else if (strcmp(tok, "udp") == 0)
			r.proto = IPPROTO_UDP;
		else if (strcmp(tok, "any") != 0)
			nf_die("CT_NLFAULT: WHERE is tcp, udp or any");
		for (i = 0; i < sizeof(nf_names) / sizeof(nf_names[0]); i++)
			if (strcmp(colon + 1, nf_names[i]) == 0)
				break;
		if (i == sizeof(nf_names) / sizeof(nf_names[0]))
			nf_die("CT_NLFAULT: unknown fault");
		r.what = (enum nf_what)i;
		rules[nrules++] = r;
	}
}

/* The first rule for this protocol doing one of the faults in [lo, hi]. */
static int
nf_find(int proto, enum nf_what lo, enum nf_what hi)
{
	int i;

	if (nrules < 0)
		nf_load();
	for (i = 0; i < nrules; i++)
		if ((rules[i].proto == 0 || rules[i].proto == proto) &&
		    rules[i].what >= lo && rules[i].what <= hi)
			return i;
	return -1;
}

static void *
nf_next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL)
		nf_die("dlsym failed");
	return f;
}

int
socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);
	int fd;

	if (real == NULL)
		real = (int (*)(int, int, int))nf_next("socket");
	if (domain == AF_NETLINK && protocol == NETLINK_SOCK_DIAG) {
		if (nf_find(0, NF_SOCKET_EPERM, NF_SOCKET_EPERM) >= 0) {
			errno = EPERM;
			return -1;
		}
		if ((fd = real(domain, type, protocol)) >= 0 && fd < NF_MAXFD)
			diagfd[fd] = true;
		return fd;
	}
	return real(domain, type, protocol);
}

int
close(int fd)
{
	static int (*real)(int);

	if (real == NULL)
		real = (int (*)(int))nf_next("close");
	if (fd >= 0 && fd < NF_MAXFD)
		diagfd[fd] = false;
	return real(fd);
}

/* A made-up one-message answer to the current request. */
static void
nf_answer(uint16_t type, int32_t error)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)cur.reply;
	size_t len = type == NLMSG_ERROR ?
	    NLMSG_LENGTH(sizeof(struct nlmsgerr)) : NLMSG_LENGTH(sizeof(int32_t));

	memset(cur.reply, 0, sizeof(cur.reply));
	nlh->nlmsg_len = (uint32_t)len;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = type == NLMSG_DONE ? NLM_F_MULTI : 0;
	nlh->nlmsg_seq = cur.seq;
	nlh->nlmsg_pid = 0;		/* libmnl accepts 0 from anyone */
	memcpy(NLMSG_DATA(nlh), &error, sizeof(error));
	cur.replylen = len;
}

ssize_t
sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	static ssize_t (*real)(int, const void *, size_t, int,
	    const struct sockaddr *, socklen_t);
	const struct nlmsghdr *nlh = buf;

	if (real == NULL)
		real = (ssize_t (*)(int, const void *, size_t, int,
		    const struct sockaddr *, socklen_t))nf_next("sendto");
	if (fd < 0 || fd >= NF_MAXFD || !diagfd[fd] || len < NLMSG_HDRLEN)
		return real(fd, buf, len, flags, to, tolen);
	cur.seq = nlh->nlmsg_seq;
	cur.proto = IPPROTO_TCP;
	if ((nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY ||
	    nlh->nlmsg_type == SOCK_DESTROY) &&
	    len >= NLMSG_LENGTH(sizeof(struct inet_diag_req_v2)))
		cur.proto = ((const struct inet_diag_req_v2 *)NLMSG_DATA(nlh))->
		    sdiag_protocol;
	cur.nrecv = 0;
	cur.replylen = 0;
	if (nlh->nlmsg_type == SOCK_DESTROY) {
		if (nf_find(cur.proto, NF_DESTROY_EOPNOTSUPP,
		    NF_DESTROY_EOPNOTSUPP) < 0)
			return real(fd, buf, len, flags, to, tolen);
		nf_answer(NLMSG_ERROR, -EOPNOTSUPP);
		return (ssize_t)len;
	}
	cur.fault = nf_find(cur.proto, NF_EPERM, NF_ERRMID);
	if (cur.proto == IPPROTO_TCP || cur.proto == IPPROTO_UDP)
		cur.attempts[cur.proto == IPPROTO_UDP]++;
	if (cur.fault < 0)
		return real(fd, buf, len, flags, to, tolen);
	switch (rules[cur.fault].what) {
	case NF_EPERM:
		errno = EPERM;
		return -1;
	case NF_ENOENT:
		nf_answer(NLMSG_ERROR, -ENOENT);
		return (ssize_t)len;	/* the kernel never sees it */
	case NF_EINVAL:
		nf_answer(NLMSG_ERROR, -EINVAL);
		return (ssize_t)len;
	case NF_DONE_ENOENT:
		nf_answer(NLMSG_DONE, -ENOENT);
		return (ssize_t)len;
	default:
		return real(fd, buf, len, flags, to, tolen);
	}
}

int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);
	static const int tiny = 1;	/* the kernel rounds it up to its floor */

	if (real == NULL)
		real = (int (*)(int, int, int, const void *, socklen_t))
		    nf_next("setsockopt");
	if (fd >= 0 && fd < NF_MAXFD && diagfd[fd] && level == SOL_SOCKET &&
	    (name == SO_RCVBUF || name == SO_RCVBUFFORCE) &&
	    nf_find(0, NF_TINY_RCVBUF, NF_TINY_RCVBUF) >= 0)
		return real(fd, level, name, &tiny, sizeof(tiny));
	return real(fd, level, name, val, len);
}

/* The offset of the message after the one at off in buf[0..n), or n. */
static size_t
nf_msg_next(const char *buf, size_t off, size_t n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)(buf + off);

	if (n - off < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > n - off)
		return n;
	return off + NLMSG_ALIGN(nlh->nlmsg_len);
}

/* Change one real datagram as the current fault says; its new length. */
static size_t
nf_mangle(char *buf, size_t n, size_t cap)
{
	enum nf_what what = rules[cur.fault].what;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	size_t off, second = nf_msg_next(buf, 0, n);

	switch (what) {
	case NF_INTR:
	case NF_INTR_ONCE:
		if (what == NF_INTR_ONCE && cur.attempts[cur.proto == IPPROTO_UDP] > 1)
			return n;
		for (off = 0; off < n; off = nf_msg_next(buf, off, n)) {
			nlh = (struct nlmsghdr *)(buf + off);
			if (nlh->nlmsg_type == NLMSG_DONE)
				nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
		}
		return n;
	case NF_INTR_EARLY:
		if (cur.nrecv > 1 || cur.attempts[cur.proto == IPPROTO_UDP] > 1)
			return n;
		for (off = 0; off < n; off = nf_msg_next(buf, off, n))
			((struct nlmsghdr *)(buf + off))->nlmsg_flags |=
			    NLM_F_DUMP_INTR;
		return n;
	case NF_TRUNCATE:
		if (cur.nrecv > 1)
			return n;
		/* into the second message if there is one, else the first */
		return second < n ? second + (n - second) / 2 : n / 2;
	case NF_BADLEN:
		if (cur.nrecv == 1)
			nlh->nlmsg_len = (uint32_t)n + 64;
		return n;
	case NF_ERRMID:
		if (cur.nrecv > 1 || nlh->nlmsg_type == NLMSG_DONE ||
		    second + NLMSG_LENGTH(sizeof(struct nlmsgerr)) > cap)
			return n;
		nlh = (struct nlmsghdr *)(buf + second);
		memset(nlh, 0, NLMSG_LENGTH(sizeof(struct nlmsgerr)));
		nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr));
		nlh->nlmsg_type = NLMSG_ERROR;
		nlh->nlmsg_seq = cur.seq;
		((struct nlmsgerr *)NLMSG_DATA(nlh))->error = -EIO;
		return second + nlh->nlmsg_len;
	default:
		return n;
	}
}

ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, struct msghdr *, int);
	static unsigned calls;
	ssize_t n;

	if (real == NULL)
		real = (ssize_t (*)(int, struct msghdr *, int))nf_next("recvmsg");
	if (fd < 0 || fd >= NF_MAXFD || !diagfd[fd] || msg->msg_iovlen != 1)
		return real(fd, msg, flags);
	if (nf_find(cur.proto, NF_EINTR, NF_EINTR) >= 0 && calls++ % 2 == 0) {
		errno = EINTR;
		return -1;
	}
	if (cur.replylen > 0) {
		n = (ssize_t)cur.replylen;
		if ((size_t)n > msg->msg_iov[0].iov_len)
			n = (ssize_t)msg->msg_iov[0].iov_len;
		memcpy(msg->msg_iov[0].iov_base, cur.reply, (size_t)n);
		cur.replylen = 0;
		return n;
	}
	if ((n = real(fd, msg, flags)) <= 0 || cur.fault < 0)
		return n;
	cur.nrecv++;
	if (rules[cur.fault].what == NF_ENOBUFS && cur.nrecv == 1) {
		errno = ENOBUFS;	/* that datagram is lost */
		return -1;
	}
	return (ssize_t)nf_mangle(msg->msg_iov[0].iov_base, (size_t)n,
	    msg->msg_iov[0].iov_len);
}
