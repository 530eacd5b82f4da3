/*
 * populate: build a large socket population in the current network namespace
 * and hold it until SIGTERM or SIGINT.  The benchmarks (bench/run.sh) measure
 * conntab, ss and netstat against it.
 *
 *   populate [N]        N established TCP pairs; default $BENCH_N, else 100000
 *
 * Run it only inside a private network namespace (`unshare -n`, lo up): it
 * binds fixed ports 9000-9199 and 10000-10511 on 127.0.0.0/8 and ::1, and it
 * refuses to run in the namespace of pid 1.
 *
 * What the namespace holds once "READY <P>" is printed on stdout:
 *   - N established pairs (2N TCP sockets), 1 in 8 over ::1, spread over
 *     ceil(N / 8900) holder processes, so that none holds more than ~17,800
 *     descriptors (the limit here is 20,000 per process).  Holder k listens
 *     on 127.0.0.1:10000+2k and [::1]:10001+2k; its IPv4 clients bind to
 *     127.1.k.1-64 (so -g raddr has groups) and all clients take an
 *     ephemeral port at connect time.
 *   - the special listener 127.0.0.1:P (P = 9000) with 9 accepted
 *     connections: `conntab sport :P` and `ss -tan 'sport = :P'` match
 *     exactly 10 sockets, the listener and the 9 accepted ends.  The 9
 *     client ends have rport P and local ports in the ephemeral range,
 *     outside 9000-10511, so nothing else has local port P (`:P`, either
 *     end, matches 19).
 *   - 8 idle listeners (0.0.0.0:9101-9104, [::]:9105-9108) and the TIME_WAIT
 *     source listener 127.0.0.1:9001: 10 + 2 * holders listeners in all.
 *   - 1000 TIME_WAIT sockets.  The kernel ends TIME_WAIT after 60 s, so the
 *     main process makes a fresh 1000 whenever a batch has expired.
 *   - 1000 UDP sockets: unconnected servers 127.0.0.1:9002 and [::1]:9002,
 *     800 IPv4 and 198 IPv6 clients, each bound then connected to one.
 *
 * Every socket is held by exactly one process (the holders are forked before
 * the main process opens anything), so owner lookups find one owner each.
 * SIGTERM or SIGINT to the main process ends every holder and exits 0; a
 * holder that fails ends everything with status 1; the holders die with the
 * main process (PR_SET_PDEATHSIG) however it ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAIRS_PER_HOLDER	8900	/* 2 fds per pair: 17,800 < 18,000 */
#define MAX_HOLDERS		250	/* 127.1.k.x, k < 256 */
#define BATCH			1024	/* connects in flight; < the backlog */
#define BACKLOG			4096	/* the default net.core.somaxconn */
#define PORT_SPECIAL		9000
#define PORT_TW			9001
#define PORT_UDP		9002
#define PORT_IDLE		9101	/* 9101-9108 */
#define PORT_HOLDER		10000	/* 10000 + 2k (IPv4), 10001 + 2k (IPv6) */
#define PORT_LAST		(PORT_HOLDER + 2 * MAX_HOLDERS + 11)
#define N_SPECIAL		9	/* + the listener: 10 sockets on port P */
#define N_TW			1000
#define TW_LIFE			60.0	/* TCP_TIMEWAIT_LEN, fixed in the kernel */
#define N_UDP4			800
#define N_UDP6			198
#define N_IDLE			8
#define HANDSHAKE_MS		5000	/* loopback answers in microseconds */

static pid_t holders[MAX_HOLDERS];
static int nholders;

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fputs("populate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e != 0)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
	/* in a holder nholders is 0; the main process takes its holders along */
	for (int i = 0; i < nholders; i++)
		kill(holders[i], SIGKILL);
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static socklen_t
sa4(struct sockaddr_storage *ss, uint32_t addr, int port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_addr.s_addr = htonl(addr);
	s->sin_port = htons(port);
	return sizeof(*s);
}

/* loopback: ::1; any: [::] */
static socklen_t
sa6(struct sockaddr_storage *ss, int loopback, int port)
{
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin6_family = AF_INET6;
	s->sin6_addr = loopback ? in6addr_loopback : in6addr_any;
	s->sin6_port = htons(port);
	return sizeof(*s);
}

static void
setint(int fd, int level, int opt, int val)
{
	if (setsockopt(fd, level, opt, &val, sizeof(val)) < 0)
		die("setsockopt %d/%d", level, opt);
}

/* A non-blocking listener; accepts are paced with poll(). */
static int
tcp_listen(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	setint(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (ss->ss_family == AF_INET6)
		setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	if (bind(fd, (const struct sockaddr *)ss, len) < 0)
		die("bind listener");
	if (listen(fd, BACKLOG) < 0)
		die("listen");
	return fd;
}

/*
 * Start a non-blocking connect from src (NULL: the kernel picks) to dst.
 * IP_BIND_ADDRESS_NO_PORT defers the port choice to connect(), where a port
 * is shared by every 4-tuple that differs elsewhere; a plain bind() would
 * take a port for itself and run out after 28,232 of them.
 */
static int
tcp_connect(const struct sockaddr_storage *src, socklen_t srclen,
    const struct sockaddr_storage *dst, socklen_t dstlen, int rst)
{
	int fd = socket(dst->ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	if (src != NULL) {
		setint(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
		if (bind(fd, (const struct sockaddr *)src, srclen) < 0)
			die("bind client");
	}
	if (rst) {
		/* close() sends RST: teardown leaves no TIME_WAIT behind */
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) < 0)
			die("SO_LINGER");
	}
	if (connect(fd, (const struct sockaddr *)dst, dstlen) < 0 &&
	    errno != EINPROGRESS)
		die("connect");
	return fd;
}

/* Accept n connections; store their fds in out when it is not NULL. */
static void
tcp_accept(int lfd, int n, int *out)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	while (n > 0) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			if (out != NULL)
				*out++ = fd;
			n--;
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno != EAGAIN)
			die("accept");
		if (poll(&p, 1, HANDSHAKE_MS) == 0) {
			errno = 0;
			die("handshake timeout, %d connections missing", n);
		}
	}
}

/*
 * Holder k: npairs established pairs, both ends held here.  Each batch is
 * connected first and accepted afterwards, so the kernel completes the
 * handshakes while this process is busy issuing the next connects.
 */
static void
holder_run(int k, int npairs, int ready)
{
	struct sockaddr_storage l4, l6, src;
	socklen_t l4len = sa4(&l4, INADDR_LOOPBACK, PORT_HOLDER + 2 * k);
	socklen_t l6len = sa6(&l6, 1, PORT_HOLDER + 2 * k + 1);
	int lfd4 = tcp_listen(&l4, l4len);
	int lfd6 = tcp_listen(&l6, l6len);

	for (int done = 0; done < npairs; ) {
		int b = npairs - done < BATCH ? npairs - done : BATCH;
		int n4 = 0, n6 = 0;

		for (int i = done; i < done + b; i++) {
			if (i % 8 == 7) {
				tcp_connect(NULL, 0, &l6, l6len, 1);
				n6++;
				continue;
			}
			socklen_t sl = sa4(&src, 0x7f010000 | (uint32_t)k << 8 |
			    (1 + i % 64), 0);
			tcp_connect(&src, sl, &l4, l4len, 1);
			n4++;
		}
		tcp_accept(lfd4, n4, NULL);
		tcp_accept(lfd6, n6, NULL);
		done += b;
	}
	if (write(ready, "k", 1) != 1)
		die("write");
	close(ready);
	for (;;)
		pause();		/* SIGTERM's default action ends us */
}

static void
holders_start(int npairs, int ready[2])
{
	sigset_t none;

	sigemptyset(&none);
	for (int k = 0; npairs > 0; k++) {
		int n = npairs < PAIRS_PER_HOLDER ? npairs : PAIRS_PER_HOLDER;
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			nholders = 0;
			close(ready[0]);
			/* a main process killed by SIGKILL takes us along too */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(1);
			sigprocmask(SIG_SETMASK, &none, NULL);
			holder_run(k, n, ready[1]);
		}
		holders[nholders++] = pid;
		npairs -= n;
	}
}

/*
 * TIME_WAIT sockets last 60 s and no sysctl changes that, so they are made
 * in batches: one now, and a new one each time a batch has expired.  The
 * client closes first and so is the end that enters TIME_WAIT.
 */
struct tw {
	int	 lfd;
	double	 born;			/* when the live batch was made */
};

static void
tw_batch(struct tw *tw)
{
	struct sockaddr_storage dst;
	socklen_t dl = sa4(&dst, INADDR_LOOPBACK, PORT_TW);
	static int c[N_TW], s[N_TW];

	for (int i = 0; i < N_TW; i++)
		c[i] = tcp_connect(NULL, 0, &dst, dl, 0);
	tcp_accept(tw->lfd, N_TW, s);
	for (int i = 0; i < N_TW; i++)
		close(c[i]);
	for (int i = 0; i < N_TW; i++)
		close(s[i]);
	tw->born = now();
}

/* The special listener with its 10 connections, idle listeners, UDP. */
static void
main_sockets(void)
{
	struct sockaddr_storage a, srv4, srv6;
	socklen_t al, s4l, s6l;
	int lfd, fd;

	al = sa4(&a, INADDR_LOOPBACK, PORT_SPECIAL);
	lfd = tcp_listen(&a, al);
	for (int i = 0; i < N_SPECIAL; i++)
		tcp_connect(NULL, 0, &a, al, 1);
	tcp_accept(lfd, N_SPECIAL, NULL);

	for (int i = 0; i < N_IDLE; i++) {
		al = i < N_IDLE / 2 ? sa4(&a, INADDR_ANY, PORT_IDLE + i) :
		    sa6(&a, 0, PORT_IDLE + i);
		tcp_listen(&a, al);
	}

	s4l = sa4(&srv4, INADDR_LOOPBACK, PORT_UDP);
	s6l = sa6(&srv6, 1, PORT_UDP);
	for (int i = 0; i < 2 + N_UDP4 + N_UDP6; i++) {
		int v6 = i == 1 || i >= 2 + N_UDP4;
		struct sockaddr_storage *srv = v6 ? &srv6 : &srv4;
		socklen_t sl = v6 ? s6l : s4l;

		fd = socket(srv->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket udp");
		if (i < 2) {		/* the two servers */
			if (bind(fd, (struct sockaddr *)srv, sl) < 0)
				die("bind udp server");
			continue;
		}
		al = v6 ? sa6(&a, 1, 0) : sa4(&a, INADDR_LOOPBACK, 0);
		if (bind(fd, (struct sockaddr *)&a, al) < 0)
			die("bind udp");
		if (connect(fd, (struct sockaddr *)srv, sl) < 0)
			die("connect udp");
	}
}

/* Our fixed ports must lie outside the ephemeral range, or a client might
 * take local port P and `sport :P` would match more than 10 sockets. */
static void
check_port_range(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	int lo, hi;

	if (f == NULL)
		die("ip_local_port_range");
	if (fscanf(f, "%d %d", &lo, &hi) != 2)
		die("ip_local_port_range: unreadable");
	fclose(f);
	errno = 0;
	if (lo <= PORT_LAST && hi >= PORT_SPECIAL)
		die("ip_local_port_range %d-%d overlaps ports %d-%d", lo, hi,
		    PORT_SPECIAL, PORT_LAST);
}

/*
 * The fixed ports and the 200,000 sockets belong in a namespace of their
 * own: refuse the one pid 1 lives in (the host's, in all likelihood).
 */
static void
check_netns(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/net", &self) < 0)
		die("/proc/self/ns/net");
	if (stat("/proc/1/ns/net", &init) == 0 && self.st_ino == init.st_ino &&
	    self.st_dev == init.st_dev) {
		errno = 0;
		die("not in a private network namespace (try unshare -n)");
	}
}

/* A holder needs ~17,800 descriptors, the main process ~3,100. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit");
	if (rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 2 * PAIRS_PER_HOLDER + 64) {
		errno = 0;
		die("the descriptor limit is %llu; a holder needs %d",
		    (unsigned long long)rl.rlim_cur, 2 * PAIRS_PER_HOLDER + 64);
	}
}

static void
holders_stop(void)
{
	for (int i = 0; i < nholders; i++)
		kill(holders[i], SIGTERM);
	for (int i = 0; i < nholders; i++)
		waitpid(holders[i], NULL, 0);
	nholders = 0;
}

int
main(int argc, char **argv)
{
	const char *arg = argc > 1 ? argv[1] : getenv("BENCH_N");
	struct sockaddr_storage a;
	struct signalfd_siginfo si;
	struct pollfd p[2];
	struct tw tw;
	sigset_t sigs;
	int ready[2], sfd, got = 0, rc = 0;
	double t0 = now();
	long n = 100000, n6 = 0;
	char *end;

	if (arg != NULL && *arg != '\0') {
		errno = 0;
		n = strtol(arg, &end, 10);
		if (errno != 0 || *end != '\0' || n < 0 ||
		    n > (long)PAIRS_PER_HOLDER * MAX_HOLDERS) {
			errno = 0;
			die("N must be 0-%d, not '%s'",
			    PAIRS_PER_HOLDER * MAX_HOLDERS, arg);
		}
	}
	check_netns();
	check_port_range();
	raise_nofile();

	/* Signals arrive through a descriptor, so no handler races setup. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) < 0)
		die("sigprocmask");
	if (pipe2(ready, O_CLOEXEC) < 0)
		die("pipe");
	holders_start((int)n, ready);
	close(ready[1]);
	if ((sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) < 0)
		die("signalfd");

	main_sockets();
	tw.lfd = tcp_listen(&a, sa4(&a, INADDR_LOOPBACK, PORT_TW));
	tw_batch(&tw);

	p[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = ready[0], .events = POLLIN };
	while (got < nholders) {
		char c;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			die("poll");
		if (p[0].revents != 0)	/* stopped, or a holder failed */
			goto out;
		if (p[1].revents != 0 && read(ready[0], &c, 1) == 1)
			got++;
	}
	close(ready[0]);

	printf("READY %d\n", PORT_SPECIAL);
	fflush(stdout);
	/* holder k's pair i is IPv6 when i % 8 == 7 */
	for (long left = n; left > 0; left -= PAIRS_PER_HOLDER)
		n6 += (left < PAIRS_PER_HOLDER ? left : PAIRS_PER_HOLDER) / 8;
	fprintf(stderr, "populate: %ld pairs (%ld over ::1) in %d holders, "
	    "%d listeners, %d TIME_WAIT, %d UDP; setup %.2f s\n", n, n6,
	    nholders, 2 * nholders + N_IDLE + 2, N_TW, 2 + N_UDP4 + N_UDP6,
	    now() - t0);

	for (;;) {
		int left = (int)((tw.born + TW_LIFE - now()) * 1000);

		if (left <= 0) {
			tw_batch(&tw);
			continue;
		}
		if (poll(p, 1, left) < 0 && errno != EINTR)
			die("poll");
		if (p[0].revents != 0)
			break;
	}
out:
	if (read(sfd, &si, sizeof(si)) == sizeof(si) &&
	    si.ssi_signo == SIGCHLD) {
		fprintf(stderr, "populate: a holder exited\n");
		rc = 1;
	}
	holders_stop();
	return rc;
}
