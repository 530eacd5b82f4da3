/*
 * sockmix: build a known mix of TCP and UDP sockets on loopback, print a
 * manifest of what the kernel must now hold, print READY, wait for SIGTERM.
 *
 * Run it only inside a private network namespace (the integration tests do):
 * it uses fixed ports 5001-5099 on 127.0.0.0/8 and ::1.
 *
 *   sockmix                 the full mix (see main_mix below)
 *   sockmix listen A P      one TCP listener on address A, port P
 *   sockmix udpflood N      N extra UDP sockets on 127.0.0.1, ephemeral ports
 *   sockmix tcpflood N      3N+1 extra TCP sockets on 127.0.0.3: a listener on
 *                           port 5098 with N accepted connections, and N more
 *                           listeners on ephemeral ports
 *
 * Manifest lines, whitespace-separated, in conntab's notation:
 *
 *   sock PROTO STATE LOCAL REMOTE RECVQ SENDQ OWNERS TAG
 *   proc PID COMM                  COMM escaped as conntab must print it
 *   READY
 *
 * LOCAL/REMOTE: 127.0.0.1:5001, [::1]:5003, [::ffff:127.0.0.1]:5004, and
 * 0.0.0.0:* or [::]:* for an unconnected peer; an IPv6 wildcard that is not
 * IPV6_V6ONLY (it takes IPv4 too) is *:5004 and its peer *:*, as in ss.  RECVQ/SENDQ: a number, or
 * '?' when the value depends on the kernel (UDP memory accounting).  OWNERS:
 * '-' when no process holds the socket, else pid:fd[,pid:fd...] in
 * ascending pid order.  TAG: a word naming the socket's role for the tests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

static volatile sig_atomic_t stop;
static pid_t kids[8];
static int nkids;

static void
die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fputs("sockmix: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
	for (int i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	exit(1);
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Address text to sockaddr; ':' in it means IPv6. */
static socklen_t
mkaddr(struct sockaddr_storage *ss, const char *addr, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			die("bad address %s", addr);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
		die("bad address %s", addr);
	return sizeof(*s4);
}

/* conntab notation of a sockaddr; an unspecified peer prints as 0.0.0.0:*. */
static void
fmtaddr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], p[8];
	int port;

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
	}
	if (port)
		snprintf(p, sizeof(p), "%d", port);
	else
		strcpy(p, "*");
	if (ss->ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%s", a, p);
	else
		snprintf(buf, len, "%s:%s", a, p);
}

/* An IPv6 socket that is not IPV6_V6ONLY: it takes IPv4 as well. */
static int
dual_stack(int fd, int family)
{
	int v = 1;
	socklen_t vl = sizeof(v);

	if (family != AF_INET6)
		return 0;
	if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, &vl) < 0)
		die("getsockopt IPV6_V6ONLY");
	return !v;
}

static void
local_of(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const struct sockaddr_in6 *s6 = (const void *)&ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		die("getsockname");
	fmtaddr(&ss, buf, len);
	/* a dual-stack wildcard is "*", as ss and conntab write it */
	if (dual_stack(fd, ss.ss_family) &&
	    IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
		snprintf(buf, len, "*:%d", ntohs(s6->sin6_port));
}

static int
sock_family(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		die("getsockname");
	return ss.ss_family;
}

static void
remote_of(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0) {
		if (errno != ENOTCONN)
			die("getpeername");
		errno = 0;
		snprintf(buf, len, "%s", sock_family(fd) != AF_INET6 ? "0.0.0.0:*" :
		    dual_stack(fd, AF_INET6) ? "*:*" : "[::]:*");
		return;
	}
	fmtaddr(&ss, buf, len);
}

static int
xsocket(int family, int type)
{
	int fd = socket(family, type, 0);
	if (fd < 0)
		die("socket");
	return fd;
}

static void
setint(int fd, int level, int opt, int val, const char *what)
{
	if (setsockopt(fd, level, opt, &val, sizeof(val)) < 0)
		die("setsockopt %s", what);
}

/* v6only: -1 leaves the default alone. */
static int
tcp_listen(const char *addr, int port, int backlog, int v6only, int reuseport)
{
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(&ss, addr, port);
	int fd = xsocket(ss.ss_family, SOCK_STREAM);

	setint(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (reuseport)
		setint(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
	if (v6only >= 0)
		setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only, "IPV6_V6ONLY");
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		die("bind %s:%d", addr, port);
	if (listen(fd, backlog) < 0)
		die("listen %s:%d", addr, port);
	return fd;
}

static int
tcp_connect(const char *addr, int port, int nonblock)
{
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(&ss, addr, port);
	int fd = xsocket(ss.ss_family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0));

	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		if (!(nonblock && errno == EINPROGRESS))
			die("connect %s:%d", addr, port);
		errno = 0;
	}
	return fd;
}

/* A blocking connect from a socket with small buffers (bytes, 0: default). */
static int
tcp_connect_buf(const char *addr, int port, int sndbuf, int rcvbuf)
{
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(&ss, addr, port);
	int fd = xsocket(ss.ss_family, SOCK_STREAM);

	if (sndbuf)
		setint(fd, SOL_SOCKET, SO_SNDBUF, sndbuf, "SO_SNDBUF");
	if (rcvbuf)
		setint(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf, "SO_RCVBUF");
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0)
		die("connect %s:%d", addr, port);
	return fd;
}

static int
udp_bind(const char *addr, int port, int v6only)
{
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(&ss, addr, port);
	int fd = xsocket(ss.ss_family, SOCK_DGRAM);

	if (v6only >= 0)
		setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only, "IPV6_V6ONLY");
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		die("bind udp %s:%d", addr, port);
	return fd;
}

static int
xaccept(int lfd)
{
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	return fd;
}

static void
msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int
tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t sl = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &sl) < 0)
		die("TCP_INFO");
	return ti.tcpi_state;
}

static void
wait_state(int fd, int state, const char *what)
{
	for (int i = 0; i < 5000; i++) {
		if (tcp_state(fd) == state)
			return;
		msleep(1);
	}
	die("%s: TCP state %d, waited for %d", what, tcp_state(fd), state);
}

/* For a listener, tcpi_unacked is the accept queue length. */
static void
wait_acceptq(int lfd, unsigned n, const char *what)
{
	struct tcp_info ti;
	socklen_t sl;

	for (int i = 0; i < 5000; i++) {
		sl = sizeof(ti);
		if (getsockopt(lfd, IPPROTO_TCP, TCP_INFO, &ti, &sl) < 0)
			die("TCP_INFO");
		if (ti.tcpi_unacked == n)
			return;
		msleep(1);
	}
	die("%s: accept queue %u, waited for %u", what, ti.tcpi_unacked, n);
}

static void
wait_inq(int fd, int n, const char *what)
{
	int q = -1;

	for (int i = 0; i < 5000; i++) {
		if (ioctl(fd, SIOCINQ, &q) < 0)
			die("SIOCINQ");
		if (q == n)
			return;
		msleep(1);
	}
	die("%s: %d bytes queued, waited for %d", what, q, n);
}

static int
queued(int fd, unsigned long req)
{
	int q;

	if (ioctl(fd, req, &q) < 0)
		die("SIOCINQ/SIOCOUTQ");
	return q;
}

/*
 * Write to fd until the peer's receive window is closed and nothing moves
 * any more: the send queue then stays as it is while nobody reads.
 */
static void
fill(int fd, int peer)
{
	static char junk[65536];
	int stable = 0, last_out = -1, last_in = -1;

	memset(junk, 'x', sizeof(junk));
	for (int i = 0; i < 2000 && stable < 10; i++) {
		ssize_t n = send(fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			die("send");
		errno = 0;
		msleep(5);
		int out = queued(fd, SIOCOUTQ), in = queued(peer, SIOCINQ);
		if (n <= 0 && out == last_out && in == last_in)
			stable++;
		else
			stable = 0;
		last_out = out;
		last_in = in;
	}
	if (stable < 10)
		die("the send queue does not settle");
}

/* One manifest line for a socket this process holds. */
static void
emit(int fd, const char *proto, const char *state, const char *rq,
    const char *sq, const char *owners, const char *tag)
{
	char l[80], r[80], own[64];

	local_of(fd, l, sizeof(l));
	remote_of(fd, r, sizeof(r));
	if (!owners) {
		snprintf(own, sizeof(own), "%d:%d", (int)getpid(), fd);
		owners = own;
	}
	printf("sock %s %s %s %s %s %s %s %s\n", proto, state, l, r, rq, sq,
	    owners, tag);
}

/* A manifest line for a socket no process holds: given addresses. */
static void
emit_raw(const char *proto, const char *state, const char *l, const char *r,
    const char *rq, const char *sq, const char *tag)
{
	printf("sock %s %s %s %s %s %s - %s\n", proto, state, l, r, rq, sq, tag);
}

static void
wait_for_term(void)
{
	sigset_t none;

	sigemptyset(&none);
	while (!stop)
		sigsuspend(&none);
}

static void
setup_signals(void)
{
	struct sigaction sa;
	sigset_t blk;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Block them outside sigsuspend so none is lost before we wait. */
	sigemptyset(&blk);
	sigaddset(&blk, SIGTERM);
	sigaddset(&blk, SIGINT);
	sigprocmask(SIG_BLOCK, &blk, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
reap_kids(void)
{
	for (int i = 0; i < nkids; i++)
		kill(kids[i], SIGTERM);
	for (int i = 0; i < nkids; i++)
		waitpid(kids[i], NULL, 0);
}

/*
 * Fork a helper that renames itself and runs fn, which creates the helper's
 * socket (closing the fds it must not hold) and returns its fd, or -1.  The
 * helper writes that fd number to the pipe, then waits for SIGTERM or for
 * the parent's death.  Returns the helper's pid; *fdp gets its fd.
 */
static pid_t
helper(const char *name, int (*fn)(int *fds, int n), int *fds, int n, int *fdp)
{
	int p[2], kfd;
	pid_t parent = getpid(), pid;

	if (pipe(p) < 0)
		die("pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		sigset_t none;

		nkids = 0;
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(0);
		if (prctl(PR_SET_NAME, name) < 0)
			die("PR_SET_NAME");
		kfd = fn(fds, n);
		if (write(p[1], &kfd, sizeof(kfd)) != sizeof(kfd))
			_exit(1);
		close(p[1]);
		sigemptyset(&none);
		while (!stop)
			sigsuspend(&none);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &kfd, sizeof(kfd)) != sizeof(kfd))
		die("helper %s failed", name);
	close(p[0]);
	kids[nkids++] = pid;
	if (fdp)
		*fdp = kfd;
	return pid;
}

/* The shared-listener child only keeps the fds it inherited. */
static int
kid_keep(int *fds, int n)
{
	(void)n;
	return fds[0];
}

/* The other helpers drop the shared listener and make their own socket. */
static int
kid_own_tcp(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return tcp_listen("127.0.0.1", 5014, 16, -1, 0);
}

static int
kid_own_udp(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return udp_bind("127.0.0.1", 5016, -1);
}

static void
print_comm(pid_t pid, const char *name)
{
	printf("proc %d ", (int)pid);
	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", stdout);
		else if (*s > 0x20 && *s < 0x7f)
			putchar(*s);
		else
			printf("\\x%02x", *s);
	}
	putchar('\n');
}

static void
owners2(char *buf, size_t len, pid_t a, int fa, pid_t b, int fb)
{
	if (a < b)
		snprintf(buf, len, "%d:%d,%d:%d", (int)a, fa, (int)b, fb);
	else
		snprintf(buf, len, "%d:%d,%d:%d", (int)b, fb, (int)a, fa);
}

/* The client port of 5008's TIME_WAIT socket: fixed, so that it can be made again. */
#define TW_PORT	5030

/*
 * One full close of 127.0.0.1:TW_PORT -> 127.0.0.1:5008, client first: the
 * client is left in TIME_WAIT. The server shuts down instead of closing so
 * that we can see it reach CLOSE, which it does on the client's last ACK.
 * The kernel keeps a TIME_WAIT socket 60 s, less than a slow test run
 * (ASan, valgrind) lasts; on loopback it lets a connect reuse that
 * four-tuple, so remaking it before then keeps the manifest true for as
 * long as sockmix runs. Returns 0, or -1 (unless fatal) when refused.
 */
static int
timewait_make(int l8, int fatal)
{
	struct sockaddr_storage from, to;
	socklen_t fl = mkaddr(&from, "127.0.0.1", TW_PORT);
	socklen_t tl = mkaddr(&to, "127.0.0.1", 5008);
	int c = xsocket(AF_INET, SOCK_STREAM), s;

	setint(c, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (bind(c, (struct sockaddr *)&from, fl) < 0 ||
	    connect(c, (struct sockaddr *)&to, tl) < 0) {
		if (fatal)
			die("TIME_WAIT client %d -> 5008", TW_PORT);
		close(c);
		return -1;
	}
	s = xaccept(l8);
	close(c);
	wait_state(s, TCP_CLOSE_WAIT, "5008 server");
	if (shutdown(s, SHUT_WR) < 0)
		die("shutdown");
	wait_state(s, TCP_CLOSE, "5008 server");
	close(s);
	return 0;
}

static int
main_mix(void)
{
	static const char evil[] = "evil\x1b[31m";
	static const char comma[] = "q,\"a b\\";
	char own[64], l[80], tw_local[80];
	pid_t me = getpid(), kid, evilpid, commapid;
	int shared, kidfd, evilfd, commafd;

	if (prctl(PR_SET_NAME, "sockmix") < 0)
		die("PR_SET_NAME");

	/*
	 * Helpers first, so that they inherit nothing but what they must.
	 * 5013: one listener held by this process and by a forked child.
	 */
	shared = tcp_listen("127.0.0.1", 5013, 16, -1, 0);
	kid = helper("sockmix-kid", kid_keep, &shared, 1, &kidfd);
	/* 5014: a listener owned by a process whose name holds an ESC. */
	evilpid = helper(evil, kid_own_tcp, &shared, 1, &evilfd);
	/* 5016: UDP owned by a process named q,"a b\ (CSV quoting, blank). */
	commapid = helper(comma, kid_own_udp, &shared, 1, &commafd);

	owners2(own, sizeof(own), me, shared, kid, kidfd);
	emit(shared, "tcp", "LISTEN", "0", "16", own, "shared");
	snprintf(own, sizeof(own), "%d:%d", (int)evilpid, evilfd);
	printf("sock tcp LISTEN 127.0.0.1:5014 0.0.0.0:* 0 16 %s evil\n", own);
	snprintf(own, sizeof(own), "%d:%d", (int)commapid, commafd);
	printf("sock udp UNCONN 127.0.0.1:5016 0.0.0.0:* 0 0 %s comma\n", own);

	/* 5001, 5002: listeners on the wildcard and on a specific 127.x. */
	int l1 = tcp_listen("0.0.0.0", 5001, 16, -1, 0);
	emit(l1, "tcp", "LISTEN", "0", "16", NULL, "any4");
	int l2 = tcp_listen("127.0.0.2", 5002, 16, -1, 0);
	emit(l2, "tcp", "LISTEN", "0", "16", NULL, "lo2");

	/* 5003: ::1 only (IPV6_V6ONLY), with one connection over ::1. */
	int l3 = tcp_listen("::1", 5003, 16, 1, 0);
	emit(l3, "tcp", "LISTEN", "0", "16", NULL, "lo6");
	int c3 = tcp_connect("::1", 5003, 0);
	int s3 = xaccept(l3);
	emit(c3, "tcp", "ESTABLISHED", "0", "0", NULL, "lo6-client");
	emit(s3, "tcp", "ESTABLISHED", "0", "0", NULL, "lo6-server");

	/* 5026: [::] with IPV6_V6ONLY, which ss writes [::]:5026, not *. */
	int l26 = tcp_listen("::", 5026, 16, 1, 0);
	emit(l26, "tcp", "LISTEN", "0", "16", NULL, "v6only");

	/* 5004: dual-stack [::] (V6ONLY=0) accepting from 127.0.0.1. */
	int l4 = tcp_listen("::", 5004, 16, 0, 0);
	emit(l4, "tcp", "LISTEN", "0", "16", NULL, "dual");
	int c4 = tcp_connect("127.0.0.1", 5004, 0);
	int s4 = xaccept(l4);
	emit(c4, "tcp", "ESTABLISHED", "0", "0", NULL, "dual-client");
	emit(s4, "tcp", "ESTABLISHED", "0", "0", NULL, "mapped");

	/* 5005: two SO_REUSEPORT listeners on one address and port. */
	int l5a = tcp_listen("127.0.0.1", 5005, 16, -1, 1);
	int l5b = tcp_listen("127.0.0.1", 5005, 16, -1, 1);
	emit(l5a, "tcp", "LISTEN", "0", "16", NULL, "reuseport");
	emit(l5b, "tcp", "LISTEN", "0", "16", NULL, "reuseport");

	/* 5006: five clients from 127.0.0.1 to one port; the first one sends
	 * 6 bytes that the server never reads (RECVQ 6 on its side). */
	int l6 = tcp_listen("127.0.0.1", 5006, 16, -1, 0);
	emit(l6, "tcp", "LISTEN", "0", "16", NULL, "many");
	for (int i = 0; i < 5; i++) {
		int c = tcp_connect("127.0.0.1", 5006, 0);
		int s = xaccept(l6);
		if (i == 0) {
			if (write(c, "hello\n", 6) != 6)
				die("write");
			wait_inq(s, 6, "5006 recvq");
		}
		emit(c, "tcp", "ESTABLISHED", "0", "0", NULL, "many-client");
		emit(s, "tcp", "ESTABLISHED", i == 0 ? "6" : "0", "0", NULL,
		    "many-server");
	}

	/* 5007: the client shuts down its side, the server never closes:
	 * FIN_WAIT2 on the client, CLOSE_WAIT on the server.  The FIN counts
	 * in the server's receive sequence: RECVQ 1. */
	int l7 = tcp_listen("127.0.0.1", 5007, 16, -1, 0);
	emit(l7, "tcp", "LISTEN", "0", "16", NULL, "halfclose");
	int c7 = tcp_connect("127.0.0.1", 5007, 0);
	int s7 = xaccept(l7);
	if (shutdown(c7, SHUT_WR) < 0)
		die("shutdown");
	wait_state(s7, TCP_CLOSE_WAIT, "5007 server");
	wait_state(c7, TCP_FIN_WAIT2, "5007 client");
	emit(c7, "tcp", "FIN_WAIT2", "0", "0", NULL, "finwait2");
	emit(s7, "tcp", "CLOSE_WAIT", "1", "0", NULL, "closewait");

	/* 5008: a full close, client first: the client is left in TIME_WAIT
	 * (made again every 40 s: see timewait_make()). */
	int l8 = tcp_listen("127.0.0.1", 5008, 16, -1, 0);
	emit(l8, "tcp", "LISTEN", "0", "16", NULL, "timewait-listener");
	timewait_make(l8, 1);
	snprintf(tw_local, sizeof(tw_local), "127.0.0.1:%d", TW_PORT);
	emit_raw("tcp", "TIME_WAIT", tw_local, "127.0.0.1:5008", "0", "0",
	    "timewait");

	/* 5009: backlog 0 holds one connection in the accept queue; the
	 * queue is then full and the next SYN is dropped: SYN_SENT. */
	int l9 = tcp_listen("127.0.0.1", 5009, 0, -1, 0);
	int c9 = tcp_connect("127.0.0.1", 5009, 0);
	wait_acceptq(l9, 1, "5009");
	emit(l9, "tcp", "LISTEN", "1", "0", NULL, "full");
	emit(c9, "tcp", "ESTABLISHED", "0", "0", NULL, "full-client");
	local_of(c9, l, sizeof(l));
	emit_raw("tcp", "ESTABLISHED", "127.0.0.1:5009", l, "0", "0",
	    "full-queued");
	int c9b = tcp_connect("127.0.0.1", 5009, 1);
	/* SYN retries for hours rather than 2 minutes, so that a slow run
	 * (make memcheck's valgrind) still sees SYN_SENT at its end */
	setint(c9b, IPPROTO_TCP, TCP_SYNCNT, 127, "TCP_SYNCNT");
	wait_state(c9b, TCP_SYN_SENT, "5009 second client");

	/* 5015: a connection waiting in the accept queue, never accepted. */
	int l15 = tcp_listen("127.0.0.1", 5015, 8, -1, 0);
	int c15 = tcp_connect("127.0.0.1", 5015, 0);
	wait_acceptq(l15, 1, "5015");
	emit(l15, "tcp", "LISTEN", "1", "8", NULL, "queue");
	emit(c15, "tcp", "ESTABLISHED", "0", "0", NULL, "queued-client");
	local_of(c15, l, sizeof(l));
	emit_raw("tcp", "ESTABLISHED", "127.0.0.1:5015", l, "0", "0",
	    "queued");

	/* UDP: bound 5010, connected 5011 -> 5010 (one datagram sent and
	 * left unread: 5010's RECVQ is the kernel's buffer accounting), ::1
	 * 5012, wildcard 5017, dual-stack [::] 5018. */
	int u10 = udp_bind("127.0.0.1", 5010, -1);
	int u11 = udp_bind("127.0.0.1", 5011, -1);
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(&ss, "127.0.0.1", 5010);
	if (connect(u11, (struct sockaddr *)&ss, sl) < 0)
		die("connect udp");
	if (send(u11, "ping", 4, 0) != 4)
		die("send udp");
	wait_inq(u10, 4, "5010");
	emit(u10, "udp", "UNCONN", "?", "0", NULL, "udp-bound");
	emit(u11, "udp", "ESTABLISHED", "0", "0", NULL, "udp-connected");
	int u12 = udp_bind("::1", 5012, 1);
	emit(u12, "udp", "UNCONN", "0", "0", NULL, "udp6");
	int u17 = udp_bind("0.0.0.0", 5017, -1);
	emit(u17, "udp", "UNCONN", "0", "0", NULL, "udp-any4");
	int u18 = udp_bind("::", 5018, 0);
	emit(u18, "udp", "UNCONN", "0", "0", NULL, "udp-dual");

	/* UDP over ::1, connected; a UDP socket held twice by this process
	 * (dup: two owners, one process). */
	int u24 = udp_bind("::1", 5024, 1);
	sl = mkaddr(&ss, "::1", 5012);
	if (connect(u24, (struct sockaddr *)&ss, sl) < 0)
		die("connect udp6");
	emit(u24, "udp", "ESTABLISHED", "0", "0", NULL, "udp6-connected");
	int u25 = udp_bind("127.0.0.1", 5025, -1);
	int d25 = dup(u25);
	if (d25 < 0)
		die("dup");
	snprintf(own, sizeof(own), "%d:%d,%d:%d", (int)me, u25, (int)me, d25);
	emit(u25, "udp", "UNCONN", "0", "0", own, "dup");

	/* 5019: TCP_DEFER_ACCEPT drops the handshake's last ACK while no data
	 * comes: the server side stays a SYN_RECV request, owned by nobody. */
	int l19 = tcp_listen("127.0.0.1", 5019, 16, -1, 0);
	/* an hour (in SYN-ACK retransmissions), not 2 minutes: slow runs too */
	setint(l19, IPPROTO_TCP, TCP_DEFER_ACCEPT, 3600, "TCP_DEFER_ACCEPT");
	int c19 = tcp_connect("127.0.0.1", 5019, 0);
	emit(l19, "tcp", "LISTEN", "0", "16", NULL, "defer");
	emit(c19, "tcp", "ESTABLISHED", "0", "0", NULL, "defer-client");
	local_of(c19, l, sizeof(l));
	emit_raw("tcp", "SYN_RECV", "127.0.0.1:5019", l, "0", "0", "synrecv");

	/* The states of a close that cannot finish: the FIN waits behind data
	 * the peer does not read (small buffers keep the queues short).  Queue
	 * sizes depend on the kernel's buffer accounting: '?'. */
	/* 5020: the client shuts down behind unread data: FIN_WAIT1. */
	int l20 = tcp_listen("127.0.0.1", 5020, 16, -1, 0);
	emit(l20, "tcp", "LISTEN", "0", "16", NULL, "finwait1-listener");
	int c20 = tcp_connect_buf("127.0.0.1", 5020, 4096, 0);
	int s20 = xaccept(l20);
	setint(s20, SOL_SOCKET, SO_RCVBUF, 4096, "SO_RCVBUF");
	fill(c20, s20);
	if (shutdown(c20, SHUT_WR) < 0)
		die("shutdown");
	wait_state(c20, TCP_FIN_WAIT1, "5020 client");
	emit(c20, "tcp", "FIN_WAIT1", "0", "?", NULL, "finwait1");
	emit(s20, "tcp", "ESTABLISHED", "?", "0", NULL, "finwait1-peer");

	/* 5021: the client shuts down first (FIN_WAIT2), then the server
	 * shuts down behind data the client does not read: LAST_ACK. */
	int l21 = tcp_listen("127.0.0.1", 5021, 16, -1, 0);
	emit(l21, "tcp", "LISTEN", "0", "16", NULL, "lastack-listener");
	int c21 = tcp_connect_buf("127.0.0.1", 5021, 0, 4096);
	int s21 = xaccept(l21);
	setint(s21, SOL_SOCKET, SO_SNDBUF, 4096, "SO_SNDBUF");
	if (shutdown(c21, SHUT_WR) < 0)
		die("shutdown");
	wait_state(s21, TCP_CLOSE_WAIT, "5021 server");
	wait_state(c21, TCP_FIN_WAIT2, "5021 client");
	fill(s21, c21);
	if (shutdown(s21, SHUT_WR) < 0)
		die("shutdown");
	wait_state(s21, TCP_LAST_ACK, "5021 server");
	emit(c21, "tcp", "FIN_WAIT2", "?", "0", NULL, "lastack-peer");
	emit(s21, "tcp", "LAST_ACK", "1", "?", NULL, "lastack");

	/* 5023: the client's FIN waits behind data (FIN_WAIT1) when the
	 * server's FIN arrives: simultaneous close, CLOSING; the server has
	 * its FIN acknowledged: FIN_WAIT2. */
	int l23 = tcp_listen("127.0.0.1", 5023, 16, -1, 0);
	emit(l23, "tcp", "LISTEN", "0", "16", NULL, "closing-listener");
	int c23 = tcp_connect_buf("127.0.0.1", 5023, 4096, 0);
	int s23 = xaccept(l23);
	setint(s23, SOL_SOCKET, SO_RCVBUF, 4096, "SO_RCVBUF");
	fill(c23, s23);
	if (shutdown(c23, SHUT_WR) < 0)
		die("shutdown");
	wait_state(c23, TCP_FIN_WAIT1, "5023 client");
	if (shutdown(s23, SHUT_WR) < 0)
		die("shutdown");
	wait_state(c23, TCP_CLOSING, "5023 client");
	wait_state(s23, TCP_FIN_WAIT2, "5023 server");
	emit(c23, "tcp", "CLOSING", "1", "?", NULL, "closing");
	emit(s23, "tcp", "FIN_WAIT2", "?", "0", NULL, "closing-peer");

	/* Last, so that it is as fresh as can be: the SYN_SENT client. The
	 * SYN carries one sequence number: SENDQ 1. */
	if (tcp_state(c9b) != TCP_SYN_SENT)
		die("5009 second client left SYN_SENT");
	local_of(c9b, l, sizeof(l));
	printf("sock tcp SYN_SENT %s 127.0.0.1:5009 0 1 %d:%d synsent\n", l,
	    (int)me, c9b);

	print_comm(me, "sockmix");
	print_comm(kid, "sockmix-kid");
	print_comm(evilpid, evil);
	print_comm(commapid, comma);
	puts("READY");

	/* wait_for_term(), remaking the TIME_WAIT socket before it expires */
	sigset_t none;
	struct timespec every = { 40, 0 };

	sigemptyset(&none);
	while (!stop)
		if (ppoll(NULL, 0, &every, &none) == 0 && !stop)
			timewait_make(l8, 0);
	reap_kids();
	return 0;
}

static int
main_listen(const char *addr, int port)
{
	int fd = tcp_listen(addr, port, 16, -1, 0);

	emit(fd, "tcp", "LISTEN", "0", "16", NULL, "listen");
	print_comm(getpid(), "sockmix");
	puts("READY");
	wait_for_term();
	return 0;
}

static int
main_udpflood(int n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("getrlimit");
	if (rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = (rlim_t)n + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			die("setrlimit %d files", n + 64);
	}
	for (int i = 0; i < n; i++)
		udp_bind("127.0.0.1", 0, -1);
	printf("flood %d\n", n);
	puts("READY");
	wait_for_term();
	return 0;
}

/* 3N+1 TCP sockets on 127.0.0.3: N connections to :5098, accepted, and
 * N more listeners on ephemeral ports. */
static int
main_tcpflood(int n)
{
	struct rlimit rl;
	int lfd;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("getrlimit");
	if (rl.rlim_cur < (rlim_t)3 * n + 64) {
		rl.rlim_cur = (rlim_t)3 * n + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			die("setrlimit %d files", 3 * n + 64);
	}
	/* Linger 0: at exit the connections are reset, not left in TIME_WAIT
	 * to disturb the tests that follow. */
	struct linger lg = { 1, 0 };
	lfd = tcp_listen("127.0.0.3", 5098, n, -1, 0);
	for (int i = 0; i < n; i++) {
		int c = tcp_connect("127.0.0.3", 5098, 0);
		int a = xaccept(lfd);
		if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0 ||
		    setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
			die("SO_LINGER");
	}
	for (int i = 0; i < n; i++)
		tcp_listen("127.0.0.3", 0, 4, -1, 0);
	printf("flood %d\n", 3 * n + 1);
	puts("READY");
	wait_for_term();
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup_signals();
	if (argc == 1)
		return main_mix();
	if (argc == 4 && !strcmp(argv[1], "listen"))
		return main_listen(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "udpflood"))
		return main_udpflood(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "tcpflood"))
		return main_tcpflood(atoi(argv[2]));
	die("usage: sockmix [listen ADDR PORT | udpflood N | tcpflood N]");
	return 1;
}
