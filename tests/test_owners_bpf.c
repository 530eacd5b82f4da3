/*
 * The BPF owner back-end: its record reader on hand-made streams (whole,
 * cut at every byte, short, torn, of unknown kinds and sizes), and, where
 * the program loads (root, BTF), the real iterator against the /proc
 * walk on this process's own sockets: socketpairs, a TCP socket, a fork
 * that shares them, a thread with a descriptor table of its own, and an
 * O_PATH descriptor of a bound unix socket's path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/bpf/owners_rec.h"
#include "owners_bpf.h"
#include "owners_link.h"
#include "proc.h"

/* ---- streams by hand ---------------------------------------------------- */

struct stream {
	unsigned char	 b[4096];
	size_t		 len;
};

static void
put(struct stream *s, const void *p, size_t n)
{
	assert_true(s->len + n <= sizeof(s->b));
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

static void
put_task(struct stream *s, uint32_t pid, const char *comm)
{
	struct ct_bpf_task t;

	memset(&t, 0, sizeof(t));
	t.h.kind = CT_BPF_REC_TASK;
	t.h.size = sizeof(t);
	t.pid = pid;
	/* up to all 16 bytes: a name of 16 has no NUL then */
	memcpy(t.comm, comm, strlen(comm) < sizeof(t.comm) ? strlen(comm) :
	    sizeof(t.comm));
	put(s, &t, sizeof(t));
}

static void
put_fd(struct stream *s, int32_t fd, uint64_t ino)
{
	struct ct_bpf_fd f;

	memset(&f, 0, sizeof(f));
	f.h.kind = CT_BPF_REC_FD;
	f.h.size = sizeof(f);
	f.fd = fd;
	f.ino = ino;
	put(s, &f, sizeof(f));
}

static void
put_end(struct stream *s, uint32_t nfd)
{
	struct ct_bpf_end e;

	memset(&e, 0, sizeof(e));
	e.h.kind = CT_BPF_REC_END;
	e.h.size = sizeof(e);
	e.nfd = nfd;
	put(s, &e, sizeof(e));
}

static void
put_hdr(struct stream *s, uint16_t kind, uint16_t size)
{
	struct ct_bpf_hdr h = { kind, size };
	unsigned char pad[64] = { 0 };

	put(s, &h, sizeof(h));
	if (size > sizeof(h))
		put(s, pad, size - sizeof(h) < sizeof(pad) ? size - sizeof(h) :
		    sizeof(pad));
}

/* What the callbacks were told, one line each: "task pid comm fd ino". */
struct told {
	char		 text[2048];
	size_t		 len;
	unsigned	 n;
};

static void
told_cb(void *arg, const struct ct_bpf_owner *o)
{
	struct told *t = arg;

	assert_non_null(memchr(o->comm, '\0', 16));
	t->len += (size_t)snprintf(t->text + t->len, sizeof(t->text) - t->len,
	    "%u %u %s %d %llu\n", o->task, o->pid, o->comm, o->fd,
	    (unsigned long long)o->ino);
	t->n++;
}

/*
 * Read s as the read() loop does, pieces of piece bytes at a time (0:
 * all at once), carrying a cut record over; the reader's verdict.
 */
static int
read_stream(const struct stream *s, size_t piece, struct told *t)
{
	struct ct_bpf_reader r;
	unsigned char buf[4096 + 64];
	size_t have = 0, off = 0, used, n;
	int rc;

	memset(t, 0, sizeof(*t));
	memset(&r, 0, sizeof(r));
	r.cb = told_cb;
	r.arg = t;
	if (piece == 0)
		piece = s->len;
	while (off < s->len) {
		n = s->len - off < piece ? s->len - off : piece;
		memcpy(buf + have, s->b + off, n);
		off += n;
		have += n;
		if ((rc = owners_bpf_parse(&r, buf, have, &used)) != 0)
			return rc;
		assert_true(used <= have);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	return owners_bpf_parse_end(&r, have);
}

static void
good_stream(struct stream *s)
{
	memset(s, 0, sizeof(*s));
	put_task(s, 10, "nginx");
	put_fd(s, 3, 100);
	put_fd(s, 4, 101);
	put_task(s, 11, "cli");
	put_fd(s, 5, 102);
	put_end(s, 3);
}

static const char good_told[] =
    "1 10 nginx 3 100\n"
    "1 10 nginx 4 101\n"
    "2 11 cli 5 102\n";

static void
test_bpf_parse_whole(void **state)
{
	struct stream s;
	struct told t;

	(void)state;
	good_stream(&s);
	assert_int_equal(read_stream(&s, 0, &t), 0);
	assert_string_equal(t.text, good_told);
}

/* Cut by the end of a read anywhere: the same records, nothing more. */
static void
test_bpf_parse_every_cut(void **state)
{
	struct stream s;
	struct told t;
	size_t piece;

	(void)state;
	good_stream(&s);
	for (piece = 1; piece <= s.len; piece++) {
		assert_int_equal(read_stream(&s, piece, &t), 0);
		assert_string_equal(t.text, good_told);
	}
}

/* No descriptor at all is a whole stream too. */
static void
test_bpf_parse_empty(void **state)
{
	struct stream s = { .len = 0 };
	struct told t;

	(void)state;
	put_end(&s, 0);
	assert_int_equal(read_stream(&s, 0, &t), 0);
	assert_int_equal(t.n, 0);
	s.len = 0;			/* nothing at all: no end record */
	assert_int_equal(read_stream(&s, 0, &t), -EBADMSG);
}

/* A stream that stops early: no end record, or one record cut short. */
static void
test_bpf_parse_short(void **state)
{
	struct stream s;
	struct told t;
	size_t len, full;

	(void)state;
	good_stream(&s);
	full = s.len;
	for (len = 0; len < full; len++) {
		s.len = len;
		assert_int_equal(read_stream(&s, 0, &t), -EBADMSG);
		assert_int_equal(read_stream(&s, 7, &t), -EBADMSG);
	}
}

/* The end record's count is not what came: records were lost. */
static void
test_bpf_parse_count(void **state)
{
	struct stream s = { .len = 0 };
	struct told t;

	(void)state;
	put_task(&s, 10, "nginx");
	put_fd(&s, 3, 100);
	put_end(&s, 2);
	assert_int_equal(read_stream(&s, 0, &t), -EBADMSG);
}

/* Unknown kinds, and known kinds of the wrong size, are refused at once. */
static void
test_bpf_parse_unknown(void **state)
{
	static const uint16_t bad[][2] = {
		{ 0, 8 }, { 4, 16 }, { 0xffff, 4 },
		{ CT_BPF_REC_TASK, 0 }, { CT_BPF_REC_TASK, 4 },
		{ CT_BPF_REC_TASK, sizeof(struct ct_bpf_task) + 4 },
		{ CT_BPF_REC_FD, sizeof(struct ct_bpf_fd) - 1 },
		{ CT_BPF_REC_END, 0xffff },
	};
	struct stream s;
	struct told t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0, sizeof(s));
		put_task(&s, 10, "nginx");
		put_hdr(&s, bad[i][0], bad[i][1]);
		put_end(&s, 0);
		assert_int_equal(read_stream(&s, 0, &t), -EBADMSG);
		/* the header alone, cut from its body, is judged already */
		assert_int_equal(read_stream(&s, 1, &t), -EBADMSG);
	}
}

/* What a record may not say. */
static void
test_bpf_parse_bad_values(void **state)
{
	struct stream s;
	struct told t;

	(void)state;
	memset(&s, 0, sizeof(s));	/* a descriptor before any process */
	put_fd(&s, 3, 100);
	put_end(&s, 1);
	assert_int_equal(read_stream(&s, 0, &t), -EBADMSG);
	memset(&s, 0, sizeof(s));	/* pid 0 */
	put_task(&s, 0, "swapper");
	put_end(&s, 0);
	assert_int_equal(read_stream(&s, 0, &t), -EBADMSG);
	memset(&s, 0, sizeof(s));	/* a negative descriptor */
	put_task(&s, 10, "nginx");
	put_fd(&s, -1, 100);
	put_end(&s, 1);
	assert_int_equal(read_stream(&s, 0, &t), -EBADMSG);
	memset(&s, 0, sizeof(s));	/* inode 0 */
	put_task(&s, 10, "nginx");
	put_fd(&s, 3, 0);
	put_end(&s, 1);
	assert_int_equal(read_stream(&s, 0, &t), -EBADMSG);
}

/* After the end record, nothing: a record, or a few stray bytes. */
static void
test_bpf_parse_after_end(void **state)
{
	struct stream s;
	struct told t;

	(void)state;
	good_stream(&s);
	put_end(&s, 3);
	assert_int_equal(read_stream(&s, 0, &t), -EBADMSG);
	good_stream(&s);
	put(&s, "\0\0", 2);
	assert_int_equal(read_stream(&s, 0, &t), -EBADMSG);
}

/* A name of 16 bytes and no NUL is cut to 15 and terminated. */
static void
test_bpf_parse_comm(void **state)
{
	struct stream s = { .len = 0 };
	struct told t;

	(void)state;
	put_task(&s, 10, "0123456789abcdefXYZ");
	put_fd(&s, 3, 100);
	put_end(&s, 1);
	assert_int_equal(read_stream(&s, 0, &t), 0);
	assert_string_equal(t.text, "1 10 0123456789abcde 3 100\n");
}

/* ---- the real iterator --------------------------------------------------- */

static struct ct_owners_bpf *bpf;

/* The chains of every record, as text: "ino=pid:fd,pid:fd ...". */
static char *
chains(const struct ct_socklist *socks, const struct ct_owners *o)
{
	size_t i, len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	uint32_t k;

	assert_non_null(buf);
	buf[0] = '\0';
	for (i = 0; i < socks->len; i++) {
		if (len + 4096 > cap) {
			cap *= 2;
			assert_non_null(buf = realloc(buf, cap));
		}
		len += (size_t)snprintf(buf + len, cap - len, "%u=",
		    socks->v[i].inode);
		for (k = socks->v[i].owners; k != 0; k = o->v[k].next)
			len += (size_t)snprintf(buf + len, cap - len, "%u:%d:%s,",
			    o->v[k].pid, o->v[k].fd, owners_comm(o, &o->v[k]));
		len += (size_t)snprintf(buf + len, cap - len, "\n");
	}
	return buf;
}

/* The owners of the record with inode ino, as "pid:fd,..."; "-" for none. */
static const char *
owners_of(const struct ct_socklist *socks, const struct ct_owners *o,
    uint32_t ino)
{
	static char buf[512];
	size_t i, n = 0;
	uint32_t k;

	for (i = 0; i < socks->len && socks->v[i].inode != ino; i++)
		;
	assert_true(i < socks->len);
	buf[0] = '\0';
	for (k = socks->v[i].owners; k != 0; k = o->v[k].next)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u:%d",
		    n > 0 ? "," : "", o->v[k].pid, o->v[k].fd);
	return n > 0 ? buf : "-";
}

static int
setup_bpf(void **state)
{
	const char *stage;

	(void)state;
	bpf = NULL;
	if (owners_bpf_open(&bpf, &stage) != 0)
		bpf = NULL;
	return 0;
}

static int
teardown_bpf(void **state)
{
	(void)state;
	owners_bpf_close(bpf);
	bpf = NULL;
	return 0;
}

static uint32_t
ino_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return (uint32_t)st.st_ino;
}

/* A thread that unshares its table, then opens a socket only it holds. */
struct lone {
	int		 fd;
	uint32_t	 ino;
	int		 go[2];		/* main -> thread: you may end */
	int		 ready[2];	/* thread -> main: socket open */
};

static void *
lone_main(void *arg)
{
	struct lone *l = arg;
	char c;

	if (unshare(CLONE_FILES) != 0)
		l->fd = -errno;
	else if ((l->fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0)
		l->ino = ino_of(l->fd);
	/* the pipes' descriptors are in both tables: unshare copied them */
	c = 1;
	if (write(l->ready[1], &c, 1) != 1)
		return NULL;
	if (read(l->go[0], &c, 1) < 0)
		return NULL;
	if (l->fd >= 0)
		close(l->fd);
	return NULL;
}

/*
 * Many sockets (more than a chunk of the parallel walk), some shared
 * with a child, one held only by a thread's own table, one path opened
 * O_PATH: the iterator and the /proc walk, on one thread and on four,
 * give the same owners, record for record.
 */
static void
test_bpf_against_proc(void **state)
{
	struct ct_socklist socks = { 0 };
	struct ct_owners ob, o1, o4;
	struct sockaddr_un sun;
	struct rlimit rl;
	struct lone lone;
	pthread_t tid;
	const char *stage;
	char dir[] = "/tmp/ct-bpf.XXXXXX", *a, *b, *c, ch;
	int fds[2600], n = 0, i, us, opath, udp, sync[2];
	uint32_t path_ino;
	pid_t kid;
	struct stat st;

	(void)state;
	if (bpf == NULL)
		skip();
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < 4096 && rl.rlim_max >= 4096) {
		rl.rlim_cur = 4096;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	if (rl.rlim_cur < 4096)
		skip();
	for (i = 0; i < 1250; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds + n), 0);
		n += 2;
	}
	assert_true((udp = socket(AF_INET6, SOCK_DGRAM, 0)) >= 0);
	/* a bound unix socket, and its path opened O_PATH: S_IFSOCK too */
	assert_non_null(mkdtemp(dir));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/s", dir);
	assert_true((us = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(us, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_true((opath = open(sun.sun_path, O_PATH | O_CLOEXEC)) >= 0);
	assert_int_equal(fstat(opath, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	path_ino = (uint32_t)st.st_ino;
	/* a child holding everything (fork-shared), until told to go */
	assert_int_equal(pipe(sync), 0);
	if ((kid = fork()) == 0) {
		close(sync[1]);
		if (read(sync[0], &ch, 1) < 0)
			_exit(1);
		_exit(0);
	}
	assert_true(kid > 0);
	close(sync[0]);
	/* a thread with its own table and a socket only that table holds */
	memset(&lone, 0, sizeof(lone));
	assert_int_equal(pipe(lone.go), 0);
	assert_int_equal(pipe(lone.ready), 0);
	assert_int_equal(pthread_create(&tid, NULL, lone_main, &lone), 0);
	assert_int_equal(read(lone.ready[0], &ch, 1), 1);
	assert_true(lone.fd >= 0);

	for (i = 0; i < n; i++)
		sock_list_append(&socks)->inode = ino_of(fds[i]);
	sock_list_append(&socks)->inode = ino_of(udp);
	sock_list_append(&socks)->inode = ino_of(us);
	sock_list_append(&socks)->inode = lone.ino;
	sock_list_append(&socks)->inode = path_ino;

	assert_int_equal(owners_bpf_scan(bpf, &socks, &ob, &stage), 0);
	a = chains(&socks, &ob);
	assert_int_equal(proc_scan_threads("/proc", 1, &socks, &o1), 0);
	b = chains(&socks, &o1);
	assert_int_equal(proc_scan_threads("/proc", 4, &socks, &o4), 0);
	c = chains(&socks, &o4);
	assert_string_equal(a, b);
	assert_string_equal(b, c);

	{
		char want[64];

		/* fork-shared: the parent, then the child, each at its fd */
		snprintf(want, sizeof(want), "%d:%d,%d:%d", getpid(), fds[0],
		    kid, fds[0]);
		assert_string_equal(owners_of(&socks, &ob, ino_of(fds[0])), want);
		/* the lone thread's socket: no table /proc/PID/fd shows */
		assert_string_equal(owners_of(&socks, &ob, lone.ino), "-");
		/* the O_PATH descriptor is no owner of anything */
		snprintf(want, sizeof(want), "%d:%d", getpid(), opath);
		assert_null(strstr(owners_of(&socks, &ob, path_ino), want));
	}

	free(a);
	free(b);
	free(c);
	owners_free(&ob);
	owners_free(&o1);
	owners_free(&o4);
	ch = 1;
	assert_int_equal(write(lone.go[1], &ch, 1), 1);
	pthread_join(tid, NULL);
	close(sync[1]);
	waitpid(kid, NULL, 0);
	for (i = 0; i < n; i++)
		close(fds[i]);
	close(lone.go[0]);
	close(lone.go[1]);
	close(lone.ready[0]);
	close(lone.ready[1]);
	close(udp);
	close(opath);
	close(us);
	unlink(sun.sun_path);
	rmdir(dir);
	sock_list_free(&socks);
}

/* A walk again and again through one loaded program: the same each time. */
static void
test_bpf_rewalk(void **state)
{
	struct ct_socklist socks = { 0 };
	struct ct_owners o;
	const char *stage;
	char want[32];
	int i, fd;

	(void)state;
	if (bpf == NULL)
		skip();
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	sock_list_append(&socks)->inode = ino_of(fd);
	snprintf(want, sizeof(want), "%d:%d", getpid(), fd);
	for (i = 0; i < 5; i++) {
		assert_int_equal(owners_bpf_scan(bpf, &socks, &o, &stage), 0);
		assert_string_equal(owners_of(&socks, &o, ino_of(fd)), want);
		owners_free(&o);
	}
	close(fd);
	sock_list_free(&socks);
}

/* Without privileges the program does not load: an error, not a crash. */
static void
test_bpf_unprivileged(void **state)
{
	struct ct_owners_bpf *b = NULL;
	const char *stage = NULL;
	int st, rc;
	pid_t kid;

	(void)state;
	if (bpf == NULL || geteuid() != 0)
		skip();
	if ((kid = fork()) == 0) {
		/* nobody: no CAP_BPF, no CAP_PERFMON, no CAP_SYS_ADMIN */
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		rc = owners_bpf_open(&b, &stage);
		_exit(rc == -EPERM && b == NULL && stage != NULL ? 0 : 1);
	}
	assert_true(kid > 0);
	assert_int_equal(waitpid(kid, &st, 0), kid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bpf_parse_whole),
		cmocka_unit_test(test_bpf_parse_every_cut),
		cmocka_unit_test(test_bpf_parse_empty),
		cmocka_unit_test(test_bpf_parse_short),
		cmocka_unit_test(test_bpf_parse_count),
		cmocka_unit_test(test_bpf_parse_unknown),
		cmocka_unit_test(test_bpf_parse_bad_values),
		cmocka_unit_test(test_bpf_parse_after_end),
		cmocka_unit_test(test_bpf_parse_comm),
		cmocka_unit_test_setup_teardown(test_bpf_against_proc,
		    setup_bpf, teardown_bpf),
		cmocka_unit_test_setup_teardown(test_bpf_rewalk,
		    setup_bpf, teardown_bpf),
		cmocka_unit_test_setup_teardown(test_bpf_unprivileged,
		    setup_bpf, teardown_bpf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
