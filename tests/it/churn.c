/*
 * churn: short-lived TCP connections on loopback, for the destroy-event
 * tests and the event-stream bench. Run it only inside a private network
 * namespace.
 *
 *   churn [-r RATE] [-t SECS] [-R] PORT N BYTES
 *
 * Listens on 127.0.0.1:PORT, prints READY, waits for a line on stdin
 * (EOF also starts it), then makes N connections one after the other
 * (N = 0: until SECS have passed), each one carrying BYTES from client to
 * server before both ends close: the server first, then the client, so
 * that the server end's TIME_WAIT entry is the only thing left behind
 * (connect() reuses those on loopback, net.ipv4.tcp_tw_reuse); with -R
 * the client resets instead (SO_LINGER 0). -r paces the connections at
 * RATE per second (0: as fast as it can). At the end it prints
 * "done MADE" and exits 0; 1 on any failure, with a line on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
fail(const char *what)
{
	fprintf(stderr, "churn: %s: %s\n", what, strerror(errno));
	return 1;
}

/* One connection: connect, carry bytes, close both ends. */
static int
one(int lfd, const struct sockaddr_in *sa, long bytes, int reset)
{
	static char buf[65536];
	struct linger lg = { 1, 0 };
	long done = 0;
	ssize_t k;
	int c, s;

	if ((c = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return fail("socket");
	if (connect(c, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ||
	    (s = accept(lfd, NULL, NULL)) < 0) {
		close(c);
		return fail("connect");
	}
	while (done < bytes) {
		size_t want = (size_t)(bytes - done) < sizeof(buf) ?
		    (size_t)(bytes - done) : sizeof(buf);

		if ((k = write(c, buf, want)) <= 0 ||
		    (k = read(s, buf, (size_t)k)) <= 0) {
			close(c);
			close(s);
			return fail("send");
		}
		done += k;
	}
	close(s);
	/* wait for the server's FIN, so the client's close is the last one */
	(void)read(c, buf, 1);
	if (reset)
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in sa;
	double rate = 0, secs = 0, t0, due;
	long n, bytes, made = 0;
	int ch, lfd, one_ = 1, reset = 0;
	char line[64];

	while ((ch = getopt(argc, argv, "r:t:R")) != -1) {
		switch (ch) {
		case 'r': rate = atof(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'R': reset = 1; break;
		default:
			fprintf(stderr, "usage: churn [-r RATE] [-t SECS] [-R] "
			    "PORT N BYTES\n");
			return 2;
		}
	}
	if (argc - optind != 3) {
		fprintf(stderr, "usage: churn [-r RATE] [-t SECS] [-R] PORT N "
		    "BYTES\n");
		return 2;
	}
	n = atol(argv[optind + 1]);
	bytes = atol(argv[optind + 2]);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(argv[optind]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one_, sizeof(one_)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 128) < 0)
		return fail("listen");
	printf("READY\n");
	(void)fgets(line, sizeof(line), stdin);
	t0 = now_s();
	for (;;) {
		if (n > 0 && made >= n)
			break;
		if (n == 0 && now_s() - t0 >= secs)
			break;
		if (rate > 0) {
			/* catch up after a stall rather than drift */
			due = t0 + (double)made / rate;
			while (now_s() < due)
				usleep(50);
		}
		if (one(lfd, &sa, bytes, reset) != 0)
			return 1;
		made++;
	}
	printf("done %ld\n", made);
	close(lfd);
	return 0;
}
