/*
 * timeit: run one command with its stdout on /dev/null and print what it
 * cost, from wait4()'s rusage, which includes the children it waited for:
 *
 *   timeit [-t SECS] [-e ERRFILE] CMD [ARGS...]
 *   -> "WALL CPU USER SYS MAXRSS STATUS"
 *
 * WALL, CPU (= USER + SYS), USER and SYS in seconds, MAXRSS (the peak
 * resident set of the command or of its largest child) in KiB, STATUS the
 * exit status, 128 + N for signal N, or "timeout" when SECS ran out and
 * the command was killed.  stderr goes to ERRFILE (default: ours).  Like
 * system(), it ignores SIGINT and SIGQUIT while the command runs: Ctrl-C
 * ends the command, and its status (130) tells the caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t expired;

static void
on_alarm(int sig)
{
	(void)sig;
	expired = 1;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
	const char *errfile = NULL;
	struct sigaction sa;
	struct rusage ru;
	unsigned secs = 0;
	double t0, t1;
	pid_t pid, ppid = getpid();
	int ch, st;

	while ((ch = getopt(argc, argv, "+t:e:")) != -1) {
		switch (ch) {
		case 't':
			secs = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'e':
			errfile = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc)
		goto usage;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: wait4() returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	/* as system() does: Ctrl-C ends the command, which we then report */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	t0 = now();
	if ((pid = fork()) < 0) {
		perror("timeit: fork");
		return 1;
	}
	if (pid == 0) {
		int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
		int err = errfile == NULL ? -1 :
		    open(errfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		/* a killed timeit (the runner's cleanup) takes it along */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		if (getppid() != ppid)
			_exit(127);
		if (out < 0 || dup2(out, STDOUT_FILENO) < 0 ||
		    (err >= 0 && dup2(err, STDERR_FILENO) < 0))
			_exit(127);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "timeit: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	if (secs > 0)
		alarm(secs);
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("timeit: wait4");
			return 1;
		}
		if (expired)
			kill(pid, SIGKILL);
	}
	t1 = now();
	printf("%.4f %.4f %.4f %.4f %ld ", t1 - t0,
	    tv(ru.ru_utime) + tv(ru.ru_stime), tv(ru.ru_utime), tv(ru.ru_stime),
	    ru.ru_maxrss);
	if (expired)
		puts("timeout");
	else if (WIFSIGNALED(st))
		printf("%d\n", 128 + WTERMSIG(st));
	else
		printf("%d\n", WEXITSTATUS(st));
	return fflush(stdout) == 0 ? 0 : 1;
usage:
	fputs("usage: timeit [-t SECS] [-e ERRFILE] CMD [ARGS...]\n", stderr);
	return 2;
}
