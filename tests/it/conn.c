/*
 * conn: opens and closes TCP connections on 127.0.0.1 on command, for the
 * live view's tests. Run it only inside a private network namespace.
 *
 * It prints READY, then reads one command per line on stdin and answers
 * each with one line on stdout:
 *
 *   listen PORT      "ok PORT"         a listener on 127.0.0.1:PORT
 *   open PORT        "ok ID LPORT"     connect to one of our listeners and
 *                                      accept: ID names the pair, LPORT is
 *                                      the client's ephemeral port
 *   send ID BYTES    "ok ID"           the client sends BYTES, the server
 *                                      reads them
 *   close ID         "ok ID"           both ends reset (SO_LINGER 0), so
 *                                      no TIME_WAIT socket stays behind
 *   peek ID          "ok ID WHAT"      what the client end reads within
 *                                      5 s: "reset" (ECONNRESET), "eof",
 *                                      "data", or "nothing" (-K's tests)
 *   quit             (no answer)
 *
 * A command that fails answers "err WHY".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXL	16
#define MAXC	256

static struct {
	int		 fd;
	int		 port;
} lst[MAXL];
static int nlst;

static struct {
	int		 cfd, sfd;	/* client and accepted server end */
} pair[MAXC];
static int npair;

static int
listen_on(int port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
reset_close(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void
cmd_open(int port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int i, c, s;

	for (i = 0; i < nlst && lst[i].port != port; i++)
		continue;
	if (i == nlst || npair == MAXC) {
		printf("err no listener of ours on %d, or too many\n", port);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (s = accept(lst[i].fd, NULL, NULL)) < 0) {
		printf("err open: %s\n", strerror(errno));
		return;
	}
	getsockname(c, (struct sockaddr *)&sa, &len);
	pair[npair].cfd = c;
	pair[npair].sfd = s;
	printf("ok %d %d\n", npair, ntohs(sa.sin_port));
	npair++;
}

static void
cmd_send(int id, long n)
{
	char buf[65536];
	long done = 0;
	ssize_t k;

	if (id < 0 || id >= npair || pair[id].cfd < 0 || n < 0) {
		printf("err no pair %d\n", id);
		return;
	}
	memset(buf, 'x', sizeof(buf));
	while (done < n) {
		size_t want = (size_t)(n - done) < sizeof(buf) ?
		    (size_t)(n - done) : sizeof(buf);

		if ((k = write(pair[id].cfd, buf, want)) <= 0 ||
		    read(pair[id].sfd, buf, (size_t)k) <= 0) {
			printf("err send: %s\n", strerror(errno));
			return;
		}
		done += k;
	}
	printf("ok %d\n", id);
}

static void
cmd_peek(int id)
{
	struct pollfd p;
	char c;
	ssize_t k;

	if (id < 0 || id >= npair || pair[id].cfd < 0) {
		printf("err no pair %d\n", id);
		return;
	}
	p.fd = pair[id].cfd;
	p.events = POLLIN;
	if (poll(&p, 1, 5000) <= 0) {
		printf("ok %d nothing\n", id);
		return;
	}
	k = recv(pair[id].cfd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (k < 0)
		printf("ok %d %s\n", id, errno == ECONNRESET ? "reset" :
		    errno == ECONNABORTED ? "aborted" : strerror(errno));
	else
		printf("ok %d %s\n", id, k == 0 ? "eof" : "data");
}

int
main(void)
{
	char line[256];
	int a, fd;
	long b;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("READY\n");
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (sscanf(line, "listen %d", &a) == 1) {
			if (nlst == MAXL || (fd = listen_on(a)) < 0) {
				printf("err listen %d: %s\n", a, strerror(errno));
				continue;
			}
			lst[nlst].fd = fd;
			lst[nlst++].port = a;
			printf("ok %d\n", a);
		} else if (sscanf(line, "open %d", &a) == 1) {
			cmd_open(a);
		} else if (sscanf(line, "send %d %ld", &a, &b) == 2) {
			cmd_send(a, b);
		} else if (sscanf(line, "close %d", &a) == 1) {
			if (a < 0 || a >= npair || pair[a].cfd < 0) {
				printf("err no pair %d\n", a);
				continue;
			}
			reset_close(pair[a].cfd);
			reset_close(pair[a].sfd);
			pair[a].cfd = pair[a].sfd = -1;
			printf("ok %d\n", a);
		} else if (sscanf(line, "peek %d", &a) == 1) {
			cmd_peek(a);
		} else if (strncmp(line, "quit", 4) == 0) {
			break;
		} else {
			printf("err unknown command\n");
		}
	}
	return 0;
}
