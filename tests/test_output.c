/*
 * --output: the temporary file beside the target, the rename, the mode,
 * the signals held meanwhile, and nothing left behind on any failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

static char dir[64];
static char path[128];
static volatile sig_atomic_t got_term;

static void
on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/conntab-test-output.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/conntab.prom", dir);
	return 0;
}

static int
teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	(void)state;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
	return 0;
}

/* Entries of the directory other than . and .. */
static int
entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void
slurp(const char *p, char *buf, size_t len)
{
	FILE *fp = fopen(p, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static void
spit(const char *p, const char *text, mode_t mode)
{
	FILE *fp = fopen(p, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(p, mode), 0);
}

static bool
blocked(int sig)
{
	sigset_t now;

	sigprocmask(SIG_BLOCK, NULL, &now);
	return sigismember(&now, sig) == 1;
}

static void
test_output_commit(void **state)
{
	struct ct_output out;
	struct stat st;
	char buf[64];
	mode_t old = umask(027);

	(void)state;
	assert_int_equal(output_open(&out, path), 0);
	/* the temporary file is hidden, and not a *.prom file */
	assert_int_equal(entries(), 1);
	assert_non_null(strstr(out.tmp, "/.conntab.prom."));
	assert_int_not_equal(strcmp(out.tmp + strlen(out.tmp) - 5, ".prom"), 0);
	fputs("a 1\n", out.fp);
	assert_int_equal(output_commit(&out), 0);
	umask(old);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "a 1\n");
	assert_int_equal(entries(), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);	/* 0666 less the umask */
	assert_null(out.tmp);
	output_abort(&out);				/* nothing open: no-op */
}

/* An existing file is replaced, and keeps the mode it was given. */
static void
test_output_keep_mode(void **state)
{
	struct ct_output out;
	struct stat st;
	char buf[64];

	(void)state;
	spit(path, "old\n", 0604);
	assert_int_equal(output_open(&out, path), 0);
	fputs("new\n", out.fp);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "old\n");	/* untouched until the rename */
	assert_int_equal(output_commit(&out), 0);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "new\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0604);
	assert_int_equal(entries(), 1);
}

static void
test_output_abort(void **state)
{
	struct ct_output out;
	char buf[64];

	(void)state;
	spit(path, "old\n", 0644);
	assert_int_equal(output_open(&out, path), 0);
	fputs("half", out.fp);
	output_abort(&out);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "old\n");
	assert_int_equal(entries(), 1);
	output_abort(&out);
	assert_false(blocked(SIGTERM));
}

static void
test_output_bad_paths(void **state)
{
	struct ct_output out;
	char p[160];

	(void)state;
	snprintf(p, sizeof(p), "%s/no/such/dir/x.prom", dir);
	assert_int_equal(output_open(&out, p), -ENOENT);
	assert_int_equal(output_open(&out, dir), -EISDIR);
	snprintf(p, sizeof(p), "%s/", dir);
	assert_int_equal(output_open(&out, p), -EISDIR);
	snprintf(p, sizeof(p), "%s/..", dir);
	assert_int_equal(output_open(&out, p), -EISDIR);
	assert_int_equal(entries(), 0);
	assert_false(blocked(SIGTERM));
	output_abort(&out);
	assert_int_equal(output_commit(&out), -EBADF);
}

/*
 * SIGTERM while the temporary file exists waits for the rename, then
 * arrives; the faults stay deliverable.
 */
static void
test_output_signals(void **state)
{
	struct sigaction sa, old;
	struct ct_output out;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, &old);
	got_term = 0;
	assert_int_equal(output_open(&out, path), 0);
	assert_true(blocked(SIGTERM));
	assert_true(blocked(SIGINT));
	assert_true(blocked(SIGHUP));
	assert_false(blocked(SIGSEGV));
	assert_false(blocked(SIGABRT));
	raise(SIGTERM);
	assert_int_equal(got_term, 0);
	fputs("whole\n", out.fp);
	assert_int_equal(output_commit(&out), 0);
	assert_int_equal(got_term, 1);
	assert_false(blocked(SIGTERM));
	assert_int_equal(entries(), 1);
	sigaction(SIGTERM, &old, NULL);
}

/* A write that fails (the file size limit) fails the commit, cleanly. */
static void
test_output_write_error(void **state)
{
	struct rlimit rl, small = { 4096, 4096 };
	struct ct_output out;
	char buf[64];
	void (*xfsz)(int);
	int i;

	(void)state;
	spit(path, "old\n", 0644);
	getrlimit(RLIMIT_FSIZE, &rl);
	xfsz = signal(SIGXFSZ, SIG_IGN);	/* write() says EFBIG instead */
	small.rlim_max = rl.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(output_open(&out, path), 0);
	for (i = 0; i < 1000; i++)
		fputs("0123456789abcdef\n", out.fp);
	assert_int_equal(output_commit(&out), -EFBIG);
	setrlimit(RLIMIT_FSIZE, &rl);
	signal(SIGXFSZ, xfsz);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "old\n");
	assert_int_equal(entries(), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_output_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_keep_mode, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_output_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_bad_paths, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_output_signals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_output_write_error, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
