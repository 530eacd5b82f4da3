/*
 * ssextra: the sockets that ss's filter words dev, fwmark, cgroup and
 * autobound tell apart, beside sockmix's mix; prints a manifest, READY,
 * and waits for SIGTERM.
 *
 *   ssextra DEV CGDIR       DEV: a device with no address to bind to
 *                           ("-": none); CGDIR: a cgroup v2 directory for
 *                           the child that makes the cgroup's sockets
 *                           ("-": none)
 *
 * Run it only inside a private network namespace (the integration tests
 * do): it uses fixed ports 5040-5059 on 127.0.0.1 and ::1.
 *
 * Manifest lines: "sock PROTO LOCAL REMOTE TAG", then READY.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static pid_t kid;

static void
die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fputs("ssextra: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
	if (kid > 0)
		kill(kid, SIGKILL);
	exit(1);
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

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

static void
setint(int fd, int level, int opt, int val, const char *what)
{
	if (setsockopt(fd, level, opt, &val, sizeof(val)) < 0)
		die("setsockopt %s", what);
}

/* A socket of type on addr:port (port 0: the kernel's choice at bind). */
static int
sock_at(int type, const char *addr, int port, int mark, const char *dev)
{
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(&ss, addr, port);
	int fd = socket(ss.ss_family, type, 0);

	if (fd < 0)
		die("socket");
	setint(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
	if (mark)
		setint(fd, SOL_SOCKET, SO_MARK, mark, "SO_MARK");
	if (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev,
	    (socklen_t)strlen(dev)) < 0)
		die("SO_BINDTODEVICE %s", dev);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		die("bind %s:%d", addr, port);
	return fd;
}

static int
listener(const char *addr, int port, int mark, const char *dev)
{
	int fd = sock_at(SOCK_STREAM, addr, port, mark, dev);

	if (listen(fd, 16) < 0)
		die("listen %s:%d", addr, port);
	return fd;
}

/*
 * A client to addr:port: from a port bound by hand (lport > 0), from one
 * the kernel chose at bind (lport 0 with bound), or at connect (neither).
 */
static int
client(int type, const char *addr, int port, const char *from, int lport,
    int bound, int mark)
{
	struct sockaddr_storage ss;
	socklen_t sl = mkaddr(&ss, addr, port);
	int fd;

	if (lport > 0 || bound) {
		fd = sock_at(type, from, lport, mark, NULL);
	} else {
		if ((fd = socket(ss.ss_family, type, 0)) < 0)
			die("socket");
		if (mark)
			setint(fd, SOL_SOCKET, SO_MARK, mark, "SO_MARK");
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0)
		die("connect %s:%d", addr, port);
	return fd;
}

static void
xaccept(int lfd)
{
	if (accept(lfd, NULL, NULL) < 0)
		die("accept");
}

/* A port bound by hand inside the ephemeral range: the first one free. */
static int
client_inrange(const char *addr, int port)
{
	struct sockaddr_storage to, from;
	socklen_t tl = mkaddr(&to, addr, port), fl;
	int p, fd;

	for (p = 40123; p < 40173; p++) {
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			die("socket");
		fl = mkaddr(&from, "127.0.0.1", p);
		if (bind(fd, (struct sockaddr *)&from, fl) == 0) {
			if (connect(fd, (struct sockaddr *)&to, tl) < 0)
				die("connect %s:%d", addr, port);
			return p;
		}
		if (errno != EADDRINUSE)
			die("bind 127.0.0.1:%d", p);
		close(fd);
	}
	die("no free port from 40123");
	return -1;
}

static void
wait_term(void)
{
	sigset_t none;

	sigemptyset(&none);
	while (!stop)
		sigsuspend(&none);
}

/* The child in CGDIR: sockets made there carry its cgroup id. */
static void
cgroup_kid(const char *cgdir, int ready)
{
	char path[4096], pid[32];
	int fd, n;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgdir);
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if ((fd = open(path, O_WRONLY)) < 0 || write(fd, pid, (size_t)n) != n)
		die("join %s", path);
	close(fd);
	listener("127.0.0.1", 5044, 0, NULL);
	sock_at(SOCK_DGRAM, "127.0.0.1", 5045, 0, NULL);
	if (write(ready, "R", 1) != 1)
		_exit(1);
	close(ready);
	wait_term();
	_exit(0);
}

int
main(int argc, char **argv)
{
	const char *dev, *cgdir;
	struct sigaction sa;
	sigset_t blk;
	int l, p[2], inrange;
	char c;

	if (argc != 3)
		die("usage: ssextra DEV|- CGDIR|-");
	dev = strcmp(argv[1], "-") ? argv[1] : NULL;
	cgdir = strcmp(argv[2], "-") ? argv[2] : NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&blk);
	sigaddset(&blk, SIGTERM);
	sigaddset(&blk, SIGINT);
	sigprocmask(SIG_BLOCK, &blk, NULL);

	/* 5044, 5045: made inside the cgroup, by a child living there */
	if (cgdir) {
		if (pipe(p) < 0)
			die("pipe");
		fflush(NULL);
		if ((kid = fork()) < 0)
			die("fork");
		if (kid == 0) {
			close(p[0]);
			cgroup_kid(cgdir, p[1]);
		}
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			die("the cgroup child failed");
		close(p[0]);
		puts("sock tcp 127.0.0.1:5044 0.0.0.0:* cgroup");
		puts("sock udp 127.0.0.1:5045 0.0.0.0:* cgroup");
	}

	/* 5040: a listener bound to lo; 5041, 5042 to a device without address */
	listener("127.0.0.1", 5040, 0, "lo");
	puts("sock tcp 127.0.0.1:5040 0.0.0.0:* dev-lo");
	if (dev) {
		sock_at(SOCK_DGRAM, "0.0.0.0", 5041, 0, dev);
		listener("0.0.0.0", 5042, 0, dev);
		puts("sock udp 0.0.0.0:5041 0.0.0.0:* dev");
		puts("sock tcp 0.0.0.0:5042 0.0.0.0:* dev");
	}

	/* 5043: marks 0x2a on the listener (and what it accepts), 0x12a on
	 * the client; 5047 over ::1 with 0x2b */
	l = listener("127.0.0.1", 5043, 0x2a, NULL);
	client(SOCK_STREAM, "127.0.0.1", 5043, NULL, 0, 0, 0x12a);
	xaccept(l);
	puts("sock tcp 127.0.0.1:5043 0.0.0.0:* mark");
	l = listener("::1", 5047, 0x2b, NULL);
	client(SOCK_STREAM, "::1", 5047, "::1", 5053, 0, 0);
	xaccept(l);
	puts("sock tcp [::1]:5047 [::]:* mark6");

	/* 5046: clients from ports bound by hand and chosen by the kernel */
	l = listener("127.0.0.1", 5046, 0, NULL);
	client(SOCK_STREAM, "127.0.0.1", 5046, "127.0.0.1", 5051, 0, 0);
	xaccept(l);
	puts("sock tcp 127.0.0.1:5051 127.0.0.1:5046 explicit");
	inrange = client_inrange("127.0.0.1", 5046);
	xaccept(l);
	printf("sock tcp 127.0.0.1:%d 127.0.0.1:5046 explicit-inrange\n", inrange);
	client(SOCK_STREAM, "127.0.0.1", 5046, NULL, 0, 0, 0);
	xaccept(l);
	puts("sock tcp auto 127.0.0.1:5046 auto-connect");
	client(SOCK_STREAM, "127.0.0.1", 5046, "127.0.0.1", 0, 1, 0);
	xaccept(l);
	puts("sock tcp auto 127.0.0.1:5046 auto-bind");
	/* UDP: connected from a kernel-chosen port and from 5052 */
	client(SOCK_DGRAM, "127.0.0.1", 5046, NULL, 0, 0, 0);
	puts("sock udp auto 127.0.0.1:5046 udp-auto");
	client(SOCK_DGRAM, "127.0.0.1", 5046, "127.0.0.1", 5052, 0, 0);
	puts("sock udp 127.0.0.1:5052 127.0.0.1:5046 udp-explicit");

	puts("READY");
	wait_term();
	if (kid > 0) {
		kill(kid, SIGTERM);
		waitpid(kid, NULL, 0);
	}
	return 0;
}
