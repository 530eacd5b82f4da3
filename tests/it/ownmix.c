/*
 * ownmix: the sockets whose owners are hard to get right, for
 * tests/it/test_owners.sh. Run it only inside a private network namespace.
 *
 *   ownmix mix ADDR PORT    on IPv4 address ADDR, ports PORT .. PORT+5:
 *     shared   a TCP listener on PORT, held by this process and a child
 *              forked after listen() (the child's fd is the same number)
 *     queued   a TCP listener on PORT+1 and a client connected to it, never
 *              accepted: the server's end waits in the accept queue, and no
 *              process holds it
 *     thread   TCP listeners on PORT+2 .. PORT+4, each opened by a thread of
 *              this process that shares its descriptor table
 *     lone     a UDP socket on PORT+5, opened by a thread after
 *              unshare(CLONE_FILES): only that thread's own table holds it,
 *              which /proc/PID/fd does not show: no owner
 *     opath    a bound unix socket and an O_PATH descriptor of its path: a
 *              file of mode S_IFSOCK that is not a socket, owner of nothing
 *   ownmix churn ADDR       children that each open a TCP listener on ADDR,
 *                           live a few milliseconds and exit, without end
 *
 * Prints a manifest, then READY, and waits for SIGTERM:
 *   sock PROTO STATE LOCAL REMOTE ? ? OWNERS TAG   as sockmix prints them
 *                                              (queues not told)
 *   opath PID FD                               the O_PATH descriptor
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static char sockdir[64];

static void
die(const char *what)
{
	fprintf(stderr, "ownmix: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static struct sockaddr_in
sin_of(const char *addr, int port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &s.sin_addr) != 1) {
		errno = EINVAL;
		die(addr);
	}
	return s;
}

static int
tcp_listen(const char *addr, int port)
{
	struct sockaddr_in s = sin_of(addr, port);
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&s, sizeof(s)) < 0 || listen(fd, 8) < 0)
		die("bind/listen");
	return fd;
}

static int
local_port(int fd)
{
	struct sockaddr_in s;
	socklen_t sl = sizeof(s);

	if (getsockname(fd, (struct sockaddr *)&s, &sl) < 0)
		die("getsockname");
	return ntohs(s.sin_port);
}

struct opener {
	const char	*addr;
	int		 port;
	int		 fd;
	int		 lone;		/* unshare(CLONE_FILES) first; UDP */
	int		 go[2];		/* a byte here: close and end */
	int		 ready[2];
};

static void *
opener_main(void *arg)
{
	struct opener *o = arg;
	char c = 1;

	if (o->lone) {
		struct sockaddr_in s = sin_of(o->addr, o->port);

		if (unshare(CLONE_FILES) < 0)
			die("unshare(CLONE_FILES)");
		if ((o->fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
		    bind(o->fd, (struct sockaddr *)&s, sizeof(s)) < 0)
			die("udp");
	} else {
		o->fd = tcp_listen(o->addr, o->port);
	}
	if (write(o->ready[1], &c, 1) != 1)
		die("write");
	while (read(o->go[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void
opener_start(struct opener *o, pthread_t *tid)
{
	char c;

	if (pipe(o->go) < 0 || pipe(o->ready) < 0)
		die("pipe");
	if (pthread_create(tid, NULL, opener_main, o) != 0)
		die("pthread_create");
	if (read(o->ready[0], &c, 1) != 1)
		die("read");
}

static void
cleanup(void)
{
	char path[128];

	if (sockdir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/s", sockdir);
	unlink(path);
	rmdir(sockdir);
}

static int
mix(const char *addr, int port)
{
	struct opener op[4];
	pthread_t tid[4];
	struct sockaddr_in s;
	struct sockaddr_un sun;
	sigset_t set;
	pid_t kid, me;
	int lfd, qfd, cfd, ufd, pfd, i, sig;
	char c;

	/* SIGTERM waits for sigwait(), in every thread */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* shared: the child holds the listener at the same fd */
	lfd = tcp_listen(addr, port);
	me = getpid();
	if ((kid = fork()) < 0)
		die("fork");
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlive us */
		if (getppid() != me)
			_exit(0);		/* too late: already gone */
		for (;;)
			pause();
	}
	/* queued: a connection nobody accepts */
	qfd = tcp_listen(addr, port + 1);
	s = sin_of(addr, 0);		/* from ADDR too, not 127.0.0.1 */
	if ((cfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(cfd, (struct sockaddr *)&s, sizeof(s)) < 0)
		die("client bind");
	s = sin_of(addr, port + 1);
	if (connect(cfd, (struct sockaddr *)&s, sizeof(s)) < 0)
		die("connect");
	/* thread: three listeners from threads of one table; lone: its own */
	for (i = 0; i < 4; i++) {
		memset(&op[i], 0, sizeof(op[i]));
		op[i].addr = addr;
		op[i].port = port + 2 + i;
		op[i].lone = i == 3;
		opener_start(&op[i], &tid[i]);
	}
	/* opath: a bound unix socket's path, opened O_PATH */
	snprintf(sockdir, sizeof(sockdir), "/tmp/ownmix.XXXXXX");
	if (mkdtemp(sockdir) == NULL)
		die("mkdtemp");
	atexit(cleanup);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s", sockdir);
	if ((ufd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(ufd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die("unix bind");
	if ((pfd = open(sun.sun_path, O_PATH | O_CLOEXEC)) < 0)
		die("O_PATH");

	/* owners in ascending pid order, as conntab lists them */
	printf("sock tcp LISTEN %s:%d 0.0.0.0:* ? ? %d:%d,%d:%d shared\n", addr, port,
	    (int)(kid < getpid() ? kid : getpid()), lfd,
	    (int)(kid < getpid() ? getpid() : kid), lfd);
	printf("sock tcp LISTEN %s:%d 0.0.0.0:* ? ? %d:%d queued_listener\n", addr,
	    port + 1, (int)getpid(), qfd);
	printf("sock tcp ESTABLISHED %s:%d %s:%d ? ? %d:%d queued_client\n", addr,
	    local_port(cfd), addr, port + 1, (int)getpid(), cfd);
	printf("sock tcp ESTABLISHED %s:%d %s:%d ? ? - queued_server\n", addr,
	    port + 1, addr, local_port(cfd));
	for (i = 0; i < 3; i++)
		printf("sock tcp LISTEN %s:%d 0.0.0.0:* ? ? %d:%d thread\n", addr,
		    op[i].port, (int)getpid(), op[i].fd);
	printf("sock udp UNCONN %s:%d 0.0.0.0:* ? ? - lone\n", addr, op[3].port);
	printf("opath %d %d\n", (int)getpid(), pfd);
	printf("READY\n");
	fflush(stdout);
	sigwait(&set, &sig);
	c = 1;
	for (i = 0; i < 4; i++) {
		if (write(op[i].go[1], &c, 1) != 1)
			die("write");
		pthread_join(tid[i], NULL);
	}
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	return 0;
}

/* Short-lived holders, one after another, until SIGTERM. */
static int
churn(const char *addr)
{
	struct timespec ts;
	unsigned n = 0;
	pid_t kid;

	signal(SIGTERM, on_term);
	printf("READY\n");
	fflush(stdout);
	while (!stop) {
		if ((kid = fork()) < 0)
			die("fork");
		if (kid == 0) {
			tcp_listen(addr, 0);
			ts.tv_sec = 0;
			ts.tv_nsec = (long)(n % 4) * 1000000L;
			nanosleep(&ts, NULL);
			_exit(0);
		}
		n++;
		/* a few at a time: some exit while a scan reads them */
		if (n % 4 == 0)
			while (waitpid(-1, NULL, 0) > 0)
				;
	}
	while (waitpid(-1, NULL, 0) > 0)
		;
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "mix") == 0)
		return mix(argv[2], atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "churn") == 0)
		return churn(argv[2]);
	fprintf(stderr, "usage: ownmix mix ADDR PORT | churn ADDR\n");
	return 2;
}
