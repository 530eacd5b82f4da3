/*
 * group_conns: build TCP listeners and connections on loopback for the
 * grouping tests, print READY, hold every socket until SIGTERM.
 *
 * Run it only inside a private network namespace (test_group.sh does).
 * Commands, in order, as arguments:
 *
 *   listen ADDR PORT          a listener; on an IPv6 address dual-stack
 *   listen6only ADDR PORT     an IPv6 listener with IPV6_V6ONLY
 *   reuseport N ADDR PORT     N listeners sharing ADDR PORT (SO_REUSEPORT)
 *   backlog B ADDR PORT       a listener with backlog B that never accepts
 *   listenq B ADDR PORT       a listener with backlog B that accepts
 *   connect N LADDR ADDR PORT N connections from LADDR (port chosen by the
 *                             kernel; "-" for no bind) to ADDR PORT;
 *                             listeners accept them as they come
 *   bindconnect LADDR LPORT ADDR PORT
 *                             one connection from LADDR:LPORT
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static int lfd[256];
static int nlfd;

static void
fail(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fputs("group_conns: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
	exit(1);
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static socklen_t
sockaddr_of(const char *addr, unsigned port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return sizeof(*in6);
	}
	errno = 0;
	fail("bad address '%s'", addr);
	return 0;
}

static int
listener(const char *addr, unsigned port, int v6only, int reuseport,
    int backlog, int accepting)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(addr, port, &ss);
	int fd, one = 1;

	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		fail("SO_REUSEPORT");
	if (ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0)
		fail("IPV6_V6ONLY");
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		fail("bind %s %u", addr, port);
	if (listen(fd, backlog) < 0)
		fail("listen");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (accepting) {
		if (nlfd == (int)(sizeof(lfd) / sizeof(lfd[0])))
			fail("too many listeners");
		lfd[nlfd++] = fd;
	}
	return fd;
}

/* Take every connection waiting on the accepting listeners. */
static void
accept_all(void)
{
	int i, fd;

	for (i = 0; i < nlfd; i++)
		while ((fd = accept(lfd[i], NULL, NULL)) >= 0)
			continue;	/* kept open until exit */
}

static void
connect_one(const char *laddr, unsigned lport, const char *addr, unsigned port)
{
	struct sockaddr_storage ss, ls;
	socklen_t len = sockaddr_of(addr, port, &ss), llen;
	int fd, one = 1;

	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		fail("socket");
	if (strcmp(laddr, "-") != 0) {
		llen = sockaddr_of(laddr, lport, &ls);
		if (lport != 0)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ls, llen) < 0)
			fail("bind %s", laddr);
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		fail("connect %s %u", addr, port);
	accept_all();
}

static unsigned
num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v > 100000) {
		errno = 0;
		fail("bad number '%s'", s);
	}
	return (unsigned)v;
}

int
main(int argc, char *argv[])
{
	struct rlimit rl;
	unsigned i, n;
	int a = 1;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (a < argc) {
		const char *cmd = argv[a];

		if (strcmp(cmd, "listen") == 0 && a + 2 < argc) {
			listener(argv[a + 1], num(argv[a + 2]), 0, 0, 4096, 1);
			a += 3;
		} else if (strcmp(cmd, "listen6only") == 0 && a + 2 < argc) {
			listener(argv[a + 1], num(argv[a + 2]), 1, 0, 4096, 1);
			a += 3;
		} else if (strcmp(cmd, "reuseport") == 0 && a + 3 < argc) {
			for (i = 0, n = num(argv[a + 1]); i < n; i++)
				listener(argv[a + 2], num(argv[a + 3]), 0, 1, 4096, 1);
			a += 4;
		} else if (strcmp(cmd, "backlog") == 0 && a + 3 < argc) {
			listener(argv[a + 2], num(argv[a + 3]), 0, 0,
			    (int)num(argv[a + 1]), 0);
			a += 4;
		} else if (strcmp(cmd, "listenq") == 0 && a + 3 < argc) {
			listener(argv[a + 2], num(argv[a + 3]), 0, 0,
			    (int)num(argv[a + 1]), 1);
			a += 4;
		} else if (strcmp(cmd, "connect") == 0 && a + 4 < argc) {
			for (i = 0, n = num(argv[a + 1]); i < n; i++)
				connect_one(argv[a + 2], 0, argv[a + 3],
				    num(argv[a + 4]));
			a += 5;
		} else if (strcmp(cmd, "bindconnect") == 0 && a + 4 < argc) {
			connect_one(argv[a + 1], num(argv[a + 2]), argv[a + 3],
			    num(argv[a + 4]));
			a += 5;
		} else {
			errno = 0;
			fail("bad command at '%s'", cmd);
		}
	}
	accept_all();
	printf("READY\n");
	fflush(stdout);
	while (!stop)
		pause();
	return 0;
}
