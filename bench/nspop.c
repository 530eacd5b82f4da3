/*
 * nspop: many small network namespaces, as a host of pods has them, for
 * the --all-netns rows of the benchmarks (bench/run.sh).
 *
 *   nspop DIR PREFIX N
 *
 * Makes N namespaces, each bind-mounted at DIR/PREFIX-I as ip-netns(8)
 * does (so `ip -all netns exec` finds them when DIR is /run/netns), and
 * in each, on loopback: a listener on 127.0.0.1:8080 (the same address in
 * every namespace, as pods have), 4 connections to it (8 sockets), and a
 * UDP socket on 127.0.0.1:5353: 10 sockets per namespace, all held by
 * this one process, which stays in its own namespace. Then prints
 * "READY N" and waits; on SIGTERM or SIGINT it unmounts and removes what
 * it made and exits 0. Run it only inside a private mount namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define PER_NS_PAIRS	4

static volatile sig_atomic_t stop;
static const char *dir, *prefix;
static long made;

/* Unmount and remove the namespaces' files made so far. */
static void
cleanup(void)
{
	char path[4096];
	long i;

	for (i = 0; i < made; i++) {
		snprintf(path, sizeof(path), "%s/%s-%ld", dir, prefix, i);
		umount2(path, MNT_DETACH);
		unlink(path);
	}
}

static void
fail(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fputs("nspop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	cleanup();
	exit(1);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static struct sockaddr_in
lo_addr(int port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

static void
lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		fail("socket");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		fail("SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		fail("SIOCSIFFLAGS");
	close(fd);
}

/* The 10 sockets of one namespace, in the namespace we are in now. */
static void
populate_ns(void)
{
	struct sockaddr_in sa = lo_addr(8080);
	int l, c, s, u, i, one = 1;

	if ((l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		fail("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 64) < 0)
		fail("listen");
	for (i = 0; i < PER_NS_PAIRS; i++) {
		if ((c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
		    connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			fail("connect");
		if ((s = accept(l, NULL, NULL)) < 0)
			fail("accept");
	}
	sa = lo_addr(5353);
	if ((u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(u, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail("udp");
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct rlimit rl;
	char path[4096];
	long n, i;
	int home, fd;

	if (argc != 4 || (n = strtol(argv[3], NULL, 10)) < 1 || n > 5000) {
		fputs("usage: nspop DIR PREFIX N (1-5000)\n", stderr);
		return 2;
	}
	dir = argv[1];
	prefix = argv[2];
	/* 10 descriptors a namespace: more than the usual soft limit */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		fail("open own namespace");
	for (i = 0; i < n && !stop; i++) {
		snprintf(path, sizeof(path), "%s/%s-%ld", dir, prefix, i);
		if ((fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0444)) < 0)
			fail("create %s", path);
		close(fd);
		made = i + 1;
		if (unshare(CLONE_NEWNET) < 0)
			fail("unshare");
		if (mount("/proc/thread-self/ns/net", path, NULL, MS_BIND,
		    NULL) < 0)
			fail("mount %s", path);
		lo_up();
		populate_ns();
		if (setns(home, CLONE_NEWNET) < 0)
			fail("setns back");
	}
	if (!stop) {
		printf("READY %ld\n", n);
		fflush(stdout);
	}
	while (!stop)
		pause();
	cleanup();
	return 0;
}
