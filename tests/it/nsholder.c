/*
 * nsholder: sockets in network namespaces, held in the ways a host holds
 * them, for the --all-netns tests. Run it only inside the tests' private
 * namespaces: it makes loopback sockets only.
 *
 * Commands, in order, as arguments; then it prints "pid PID" and READY
 * and holds everything until SIGTERM:
 *
 *   enter PATH              the process enters the network namespace of
 *                           PATH (a /run/netns file, /proc/PID/ns/net)
 *   lo                      bring loopback up in the current namespace
 *   listen ADDR PORT        a TCP listener (accepts what connects)
 *   connect N ADDR PORT     N connections to a listener made here
 *   timewait N ADDR PORT    N connections to a listener made here, closed
 *                           by the client first: N TIME_WAIT sockets
 *   sockin PATH ADDR PORT   a listener made inside PATH's namespace, the
 *                           process staying where it is
 *   holdfd PATH             keep PATH open (a namespace held by a
 *                           descriptor)
 *   thread PATH PORT        a thread that enters PATH's namespace, makes a
 *                           listener on 127.0.0.1:PORT there and sleeps:
 *                           prints "tid TID"
 *   exit                    exit at once, after READY (the sockets it
 *                           leaves, TIME_WAIT ones, outlive it)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static int lfd[64];
static uint16_t lport[64];
static int nl;

static void
fail(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fputs("nsholder: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(1);
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static struct sockaddr_in
addr_of(const char *a, int port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, a, &sa.sin_addr) != 1) {
		errno = EINVAL;
		fail("address %s", a);
	}
	return sa;
}

static int
make_listener(const char *a, int port)
{
	struct sockaddr_in sa = addr_of(a, port);
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		fail("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 64) < 0)
		fail("listen %s:%d", a, port);
	return fd;
}

static void
add_listener(const char *a, int port)
{
	if (nl == 64) {
		errno = E2BIG;
		fail("listeners");
	}
	lfd[nl] = make_listener(a, port);
	lport[nl++] = (uint16_t)port;
}

/* One connection to our own listener on port; both ends returned. */
static void
pair(const char *a, int port, int *cfd, int *sfd)
{
	struct sockaddr_in sa = addr_of(a, port);
	int i;

	for (i = 0; i < nl && lport[i] != port; i++)
		;
	if (i == nl) {
		errno = ENOENT;
		fail("no listener of ours on %d", port);
	}
	if ((*cfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(*cfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail("connect %s:%d", a, port);
	if ((*sfd = accept(lfd[i], NULL, NULL)) < 0)
		fail("accept");
}

static void
enter(const char *path)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		fail("open %s", path);
	if (setns(fd, CLONE_NEWNET) < 0)
		fail("setns %s", path);
	close(fd);
}

static void
lo_up(void)
{
	struct ifreq ifr;
	int fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
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

struct th_arg {
	const char	*path;
	int		 port;
	pid_t		 tid;
	int		 ready;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
};

static void *
th_main(void *p)
{
	struct th_arg *t = p;
	int fd;

	enter(t->path);
	fd = make_listener("127.0.0.1", t->port);
	pthread_mutex_lock(&t->mu);
	t->tid = (pid_t)syscall(SYS_gettid);
	t->ready = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	for (;;)
		pause();
	close(fd);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	int i, k, n, cfd, sfd, self, quit = 0;
	char buf[1];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 1; i < argc; i++) {
		const char *c = argv[i];

		if (strcmp(c, "enter") == 0 && i + 1 < argc) {
			enter(argv[++i]);
		} else if (strcmp(c, "lo") == 0) {
			lo_up();
		} else if (strcmp(c, "listen") == 0 && i + 2 < argc) {
			add_listener(argv[i + 1], atoi(argv[i + 2]));
			i += 2;
		} else if ((strcmp(c, "connect") == 0 || strcmp(c, "timewait") == 0) &&
		    i + 3 < argc) {
			n = atoi(argv[i + 1]);
			for (k = 0; k < n; k++) {
				pair(argv[i + 2], atoi(argv[i + 3]), &cfd, &sfd);
				if (c[0] == 't') {
					/* the client closes first: its end waits */
					close(cfd);
					if (read(sfd, buf, 1) != 0)
						fail("no EOF");
					close(sfd);
				}
			}
			i += 3;
		} else if (strcmp(c, "sockin") == 0 && i + 3 < argc) {
			if ((self = open("/proc/thread-self/ns/net", O_RDONLY |
			    O_CLOEXEC)) < 0)
				fail("open own namespace");
			enter(argv[i + 1]);
			add_listener(argv[i + 2], atoi(argv[i + 3]));
			if (setns(self, CLONE_NEWNET) < 0)
				fail("setns back");
			close(self);
			i += 3;
		} else if (strcmp(c, "holdfd") == 0 && i + 1 < argc) {
			if (open(argv[++i], O_RDONLY) < 0)	/* kept open */
				fail("open %s", argv[i]);
		} else if (strcmp(c, "thread") == 0 && i + 2 < argc) {
			static struct th_arg t;
			pthread_t th;

			t.path = argv[i + 1];
			t.port = atoi(argv[i + 2]);
			pthread_mutex_init(&t.mu, NULL);
			pthread_cond_init(&t.cv, NULL);
			if ((errno = pthread_create(&th, NULL, th_main, &t)) != 0)
				fail("pthread_create");
			pthread_mutex_lock(&t.mu);
			while (!t.ready)
				pthread_cond_wait(&t.cv, &t.mu);
			pthread_mutex_unlock(&t.mu);
			printf("tid %d\n", (int)t.tid);
			i += 2;
		} else if (strcmp(c, "exit") == 0) {
			quit = 1;
		} else {
			errno = EINVAL;
			fail("bad command '%s'", c);
		}
	}
	printf("pid %d\nREADY\n", (int)getpid());
	fflush(stdout);
	if (quit)
		return 0;
	while (!stop)
		pause();
	return 0;
}
