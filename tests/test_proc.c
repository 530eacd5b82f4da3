/*
 * Owners from a fake /proc (a temporary tree of PID/comm files and
 * PID/fd/N symlinks to "socket:[N]"): the one-shot scan and the cache that
 * the live view keeps between refreshes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "proc.h"

static char root[64];
static struct ct_socklist socks;
static struct ct_proc_cache *cache;

/*
 * Races, made to happen at a chosen point of a scan: this binary's own
 * openat() and readlinkat() come before libc's for the code linked into
 * it (proc.o), so they can change the fake tree just before (or after)
 * proc.c touches a given path, one whose full name ends in race.at (once),
 * or refuse it (every time, as a permission would).
 */
static struct {
	const char	*at;		/* path suffix, e.g. "/100/fd/3" */
	bool		 after;		/* act after the real call returned */
	void		(*act)(void);	/* change the tree */
	int		 err;		/* or fail the call with this errno */
	int		 fired;
} race;

static bool
race_due(int dirfd, const char *path, bool after)
{
	char dir[PATH_MAX], self[64], full[PATH_MAX + 256];
	size_t n, at;
	ssize_t len;

	if (race.at == NULL || (race.fired && race.err == 0) ||
	    race.after != after)
		return false;
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		snprintf(full, sizeof(full), "%s", path);
	} else {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", dirfd);
		if ((len = readlink(self, dir, sizeof(dir) - 1)) < 0)
			return false;
		dir[len] = '\0';
		snprintf(full, sizeof(full), "%s/%s", dir, path);
	}
	n = strlen(full);
	at = strlen(race.at);
	if (n < at || strcmp(full + n - at, race.at) != 0)
		return false;
	race.fired++;
	if (race.act != NULL)
		race.act();
	return true;
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "openat");
	if (race_due(dirfd, path, false) && race.err != 0) {
		errno = race.err;
		return -1;
	}
	return real(dirfd, path, flags, mode);
}

ssize_t
readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	static ssize_t (*real)(int, const char *, char *, size_t);
	ssize_t n;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "readlinkat");
	if (race_due(dirfd, path, false) && race.err != 0) {
		errno = race.err;
		return -1;
	}
	n = real(dirfd, path, buf, len);
	race_due(dirfd, path, true);
	return n;
}

static int
rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ct-proc.XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	memset(&socks, 0, sizeof(socks));
	memset(&race, 0, sizeof(race));
	cache = NULL;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	proc_cache_free(cache);
	sock_list_free(&socks);
	return nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void
fake_proc(uint32_t pid, const char *comm)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%u", root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%u/fd", root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%u/comm", root, pid);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "%s\n", comm);
	fclose(fp);
}

static void
fake_gone(uint32_t pid)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%u", root, pid);
	assert_int_equal(nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* Descriptor fd of pid names socket inode (0: a plain file); replaces. */
static void
fake_fd(uint32_t pid, int fd, uint32_t inode)
{
	char path[128], target[64];

	snprintf(path, sizeof(path), "%s/%u/fd/%d", root, pid, fd);
	unlink(path);
	if (inode == 0)
		snprintf(target, sizeof(target), "/var/log/syslog");
	else
		snprintf(target, sizeof(target), "socket:[%u]", inode);
	assert_int_equal(symlink(target, path), 0);
}

static void
fake_close(uint32_t pid, int fd)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%u/fd/%d", root, pid, fd);
	assert_int_equal(unlink(path), 0);
}

static struct ct_sock *
sock(uint32_t inode)
{
	struct ct_sock *s = sock_list_append(&socks);

	s->proto = IPPROTO_TCP;
	s->state = CT_ST_ESTABLISHED;
	s->inode = inode;
	return s;
}

static void
drop_sock(uint32_t inode)
{
	size_t i;

	for (i = 0; i < socks.len; i++)
		if (socks.v[i].inode == inode) {
			socks.v[i] = socks.v[--socks.len];
			return;
		}
	fail();
}

/* The owners of inode as "pid:fd,pid:fd"; "-" for none. */
static const char *
owners_of(const struct ct_owners *o, uint32_t inode)
{
	static char buf[256];
	size_t i, n = 0;
	uint32_t k;

	for (i = 0; i < socks.len; i++)
		if (socks.v[i].inode == inode)
			break;
	assert_true(i < socks.len);
	buf[0] = '\0';
	for (k = socks.v[i].owners; k != 0; k = o->v[k].next)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u:%d%s%s",
		    n > 0 ? "," : "", o->v[k].pid, o->v[k].fd,
		    *owners_comm(o, &o->v[k]) != '\0' ? "=" : "",
		    owners_comm(o, &o->v[k]));
	return n > 0 ? buf : "-";
}

/* One refresh through the cache; returns what it cost. */
static struct ct_proc_stats
refresh(struct ct_owners *o)
{
	struct ct_proc_stats st;

	owners_free(o);
	if (cache == NULL)
		assert_int_equal(proc_cache_open(root, &cache), 0);
	assert_int_equal(proc_cache_scan(cache, &socks, o), 0);
	proc_cache_stats(cache, &st);
	return st;
}

static void
test_proc_cache_like_scan(void **state)
{
	struct ct_owners a = { 0 }, b = { 0 };
	size_t i;

	(void)state;
	fake_proc(100, "nginx");
	fake_proc(101, "nginx");
	fake_proc(300, "nc");
	fake_fd(100, 3, 10);
	fake_fd(101, 3, 10);		/* shared after fork */
	fake_fd(101, 7, 11);
	fake_fd(101, 1, 0);
	fake_fd(300, 4, 12);
	fake_fd(300, 5, 999);		/* a socket this snapshot does not hold */
	sock(10);
	sock(11);
	sock(12);
	sock(13);			/* nobody's */
	sock(0);			/* TIME_WAIT: no inode */
	assert_int_equal(proc_scan(root, &socks, &a), 0);
	refresh(&b);
	for (i = 0; i < socks.len; i++)
		if (socks.v[i].inode != 0) {
			char one[256];

			snprintf(one, sizeof(one), "%s", owners_of(&a, socks.v[i].inode));
			assert_string_equal(owners_of(&b, socks.v[i].inode), one);
		}
	assert_string_equal(owners_of(&b, 10), "100:3=nginx,101:3=nginx");
	assert_string_equal(owners_of(&b, 11), "101:7=nginx");
	assert_string_equal(owners_of(&b, 13), "-");
	/* a name per process that holds a wanted socket, not per descriptor */
	assert_int_equal(a.ncomm, 3);
	assert_int_equal(b.ncomm, 3);
	owners_free(&a);
	owners_free(&b);
}

/* Nothing new: /proc is not read at all, only owners checked alive. */
static void
test_proc_cache_steady(void **state)
{
	struct ct_owners o = { 0 };
	struct ct_proc_stats st;

	(void)state;
	fake_proc(100, "srv");
	fake_fd(100, 3, 10);
	fake_fd(100, 4, 11);
	fake_proc(200, "idle");
	fake_fd(200, 0, 0);
	sock(10);
	sock(11);
	st = refresh(&o);
	assert_int_equal(st.scans, 1);
	assert_int_equal(st.links_read, 3);
	st = refresh(&o);
	assert_int_equal(st.scans, 0);
	assert_int_equal(st.dirs_read, 0);
	assert_int_equal(st.links_read, 0);
	assert_int_equal(st.pids_checked, 1);	/* only the owner, not "idle" */
	assert_string_equal(owners_of(&o, 11), "100:4=srv");
	owners_free(&o);
}

/* A new socket: only its descriptor's link is read. */
static void
test_proc_cache_new_socket(void **state)
{
	struct ct_owners o = { 0 };
	struct ct_proc_stats st;

	(void)state;
	fake_proc(100, "srv");
	fake_fd(100, 3, 10);
	fake_fd(100, 4, 0);
	sock(10);
	refresh(&o);
	fake_fd(100, 5, 20);
	sock(20);
	st = refresh(&o);
	assert_int_equal(st.scans, 1);
	assert_int_equal(st.links_read, 1);
	assert_string_equal(owners_of(&o, 20), "100:5=srv");
	assert_string_equal(owners_of(&o, 10), "100:3=srv");
	owners_free(&o);
}

/* A closed socket's descriptor reused by a new one (accept after close). */
static void
test_proc_cache_fd_reused(void **state)
{
	struct ct_owners o = { 0 };
	struct ct_proc_stats st;

	(void)state;
	fake_proc(100, "srv");
	fake_fd(100, 3, 10);
	fake_fd(100, 4, 11);
	sock(10);
	sock(11);
	refresh(&o);
	fake_fd(100, 4, 12);
	drop_sock(11);
	sock(12);
	st = refresh(&o);
	assert_int_equal(st.scans, 1);		/* found in the first pass */
	assert_int_equal(st.links_read, 1);
	assert_string_equal(owners_of(&o, 12), "100:4=srv");
	owners_free(&o);
}

/* After fork the parent closes its copy and reuses the descriptor. */
static void
test_proc_cache_fd_reused_shared(void **state)
{
	struct ct_owners o = { 0 };
	struct ct_proc_stats st;

	(void)state;
	fake_proc(100, "parent");
	fake_proc(101, "child");
	fake_fd(100, 4, 11);
	fake_fd(101, 4, 11);
	sock(11);
	refresh(&o);
	assert_string_equal(owners_of(&o, 11), "100:4=parent,101:4=child");
	fake_fd(100, 4, 12);
	sock(12);
	st = refresh(&o);
	assert_int_equal(st.scans, 1);
	assert_string_equal(owners_of(&o, 11), "101:4=child");
	assert_string_equal(owners_of(&o, 12), "100:4=parent");
	owners_free(&o);
}

/* A file's descriptor reused by a socket: the second pass finds it. */
static void
test_proc_cache_file_to_socket(void **state)
{
	struct ct_owners o = { 0 };
	struct ct_proc_stats st;

	(void)state;
	fake_proc(100, "srv");
	fake_fd(100, 3, 0);
	fake_fd(100, 4, 10);
	sock(10);
	refresh(&o);
	fake_fd(100, 3, 20);
	sock(20);
	st = refresh(&o);
	assert_int_equal(st.scans, 2);
	assert_string_equal(owners_of(&o, 20), "100:3=srv");
	assert_int_equal(st.unowned, 0);
	owners_free(&o);
}

/* A socket no process holds is looked for once, not on every refresh. */
static void
test_proc_cache_unowned(void **state)
{
	struct ct_owners o = { 0 };
	struct ct_proc_stats st;

	(void)state;
	fake_proc(100, "srv");
	fake_fd(100, 3, 10);
	sock(10);
	sock(77);
	st = refresh(&o);
	assert_int_equal(st.scans, 3);		/* every pass, to be sure */
	assert_int_equal(st.unowned, 1);
	assert_string_equal(owners_of(&o, 77), "-");
	st = refresh(&o);
	assert_int_equal(st.scans, 0);
	/* gone and back (inodes are not reused soon, but a filter may hide it) */
	drop_sock(77);
	refresh(&o);
	sock(77);
	fake_fd(100, 9, 77);
	st = refresh(&o);
	assert_int_equal(st.scans, 1);
	assert_string_equal(owners_of(&o, 77), "100:9=srv");
	owners_free(&o);
}

/* A process that exited is dropped without reading /proc again. */
static void
test_proc_cache_exited(void **state)
{
	struct ct_owners o = { 0 };
	struct ct_proc_stats st;

	(void)state;
	fake_proc(100, "parent");
	fake_proc(101, "child");
	fake_fd(100, 3, 10);
	fake_fd(101, 3, 10);
	sock(10);
	refresh(&o);
	fake_gone(100);
	st = refresh(&o);
	assert_int_equal(st.scans, 0);
	assert_int_equal(st.pids_checked, 2);
	assert_string_equal(owners_of(&o, 10), "101:3=child");
	owners_free(&o);
}

/* Sockets the kernel filter keeps out are trusted, not read again. */
static void
test_proc_cache_filtered(void **state)
{
	struct ct_owners o = { 0 };
	struct ct_proc_stats st;

	(void)state;
	fake_proc(100, "srv");
	fake_fd(100, 3, 10);
	fake_fd(100, 4, 500);		/* never in a snapshot */
	fake_fd(100, 5, 501);
	sock(10);
	refresh(&o);
	fake_close(100, 3);
	fake_fd(100, 6, 11);
	drop_sock(10);
	sock(11);
	st = refresh(&o);
	assert_int_equal(st.scans, 1);
	assert_int_equal(st.links_read, 1);
	assert_string_equal(owners_of(&o, 11), "100:6=srv");
	owners_free(&o);
}

static void
test_proc_cache_no_root(void **state)
{
	struct ct_proc_cache *c;

	(void)state;
	assert_int_equal(proc_cache_open("/nonexistent/proc", &c), -ENOENT);
	assert_null(c);
	proc_cache_free(NULL);
}

/* A process holding one socket through two fds is one owner process. */
static void
test_owners_pids(void **state)
{
	struct ct_owners o = { 0 };
	uint32_t first;

	(void)state;
	fake_proc(100, "nginx");
	fake_proc(200, "nginx");
	fake_fd(100, 3, 7001);
	fake_fd(100, 9, 7001);		/* dup() of fd 3 */
	fake_fd(200, 3, 7001);		/* the forked child */
	fake_fd(200, 4, 7002);
	fake_fd(200, 5, 7002);
	sock(7001);
	sock(7002);
	sock(7003);			/* held by nobody */
	assert_int_equal(proc_scan(root, &socks, &o), 0);
	first = socks.v[0].owners;
	assert_int_equal(owners_count(&o, first), 3);
	assert_int_equal(owners_pids(&o, first), 2);
	first = socks.v[1].owners;
	assert_int_equal(owners_count(&o, first), 2);
	assert_int_equal(owners_pids(&o, first), 1);
	assert_int_equal(owners_pids(&o, socks.v[2].owners), 0);
	owners_free(&o);
}

/* ---- races and refusals during one scan -------------------------------- */

/*
 * The population of every race test: pid 100 "srv" holds sockets 10 (fd 3)
 * and 12 (fd 4); pid 200 "cli" holds 11 (fd 3). Socket 13 is the one a
 * process that takes pid 100 over would hold.
 */
static void
race_tree(void)
{
	fake_proc(100, "srv");
	fake_fd(100, 3, 10);
	fake_fd(100, 4, 12);
	fake_proc(200, "cli");
	fake_fd(200, 3, 11);
	sock(10);
	sock(11);
	sock(12);
	sock(13);
}

static void act_exit_100(void) { fake_gone(100); }
static void act_close_100_3(void) { fake_close(100, 3); }

/* pid 100 exits and a new process gets its pid, with other descriptors. */
static void
act_reuse_100(void)
{
	fake_gone(100);
	fake_proc(100, "impostor");
	fake_fd(100, 5, 13);
}

/*
 * Scan once, with proc_scan() or a fresh cache, and return the owners of
 * sockets 10, 11, 12 and 13 as "10=... 11=... 12=... 13=...". The race
 * must have happened, and nothing is an error.
 */
static const char *
race_scan(bool cached)
{
	static char buf[512];
	struct ct_owners o = { 0 };
	uint32_t inode;
	size_t n = 0;

	race.fired = 0;
	if (cached) {
		assert_int_equal(proc_cache_open(root, &cache), 0);
		assert_int_equal(proc_cache_scan(cache, &socks, &o), 0);
		proc_cache_free(cache);
		cache = NULL;
	} else {
		assert_int_equal(proc_scan(root, &socks, &o), 0);
	}
	assert_true(race.fired >= 1);
	for (inode = 10; inode <= 13; inode++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u=%s",
		    n > 0 ? " " : "", inode, owners_of(&o, inode));
	owners_free(&o);
	return buf;
}

/* Rebuild the tree for the next scanner. */
static void
race_reset(void)
{
	struct stat st;
	char path[128];

	snprintf(path, sizeof(path), "%s/100", root);
	if (stat(path, &st) == 0)
		fake_gone(100);
	fake_gone(200);
	socks.len = 0;
	race_tree();
}

/* A process exits between the listing of /proc and its fd directory. */
static void
test_proc_race_exit_before_fds(void **state)
{
	int cached;

	(void)state;
	race_tree();
	for (cached = 0; cached < 2; cached++) {
		race.at = "/100/fd";
		race.act = act_exit_100;
		assert_string_equal(race_scan(cached),
		    "10=- 11=200:3=cli 12=- 13=-");
		race_reset();
	}
}

/* A process exits while its descriptors are being read. */
static void
test_proc_race_exit_mid_fds(void **state)
{
	int cached;

	(void)state;
	race_tree();
	for (cached = 0; cached < 2; cached++) {
		race.at = "/100/fd/3";
		race.act = act_exit_100;
		assert_string_equal(race_scan(cached),
		    "10=- 11=200:3=cli 12=- 13=-");
		race_reset();
	}
}

/* A descriptor is closed between the fd listing and reading its link. */
static void
test_proc_race_fd_closed(void **state)
{
	int cached;

	(void)state;
	race_tree();
	for (cached = 0; cached < 2; cached++) {
		race.at = "/100/fd/3";
		race.act = act_close_100_3;
		assert_string_equal(race_scan(cached),
		    "10=- 11=200:3=cli 12=100:4=srv 13=-");
		race_reset();
	}
}

/*
 * pid 100 is reused right after its first link was read. The new
 * process's name must never be put on the old one's descriptors, nor the
 * reverse. proc_scan() reads the name after the links, so it finds the
 * process gone and drops it. The cache reads the name first, and then,
 * with sockets still unowned, looks at /proc again in the same scan: it
 * ends with the new process and its socket.
 */
static void
test_proc_race_pid_reused(void **state)
{
	(void)state;
	race_tree();
	race.at = "/100/fd/3";
	race.after = true;
	race.act = act_reuse_100;
	assert_string_equal(race_scan(false), "10=- 11=200:3=cli 12=- 13=-");
	race_reset();
	race.at = "/100/fd/3";
	race.after = true;
	race.act = act_reuse_100;
	assert_string_equal(race_scan(true),
	    "10=- 11=200:3=cli 12=- 13=100:5=impostor");
}

/* Reused before it was opened: the new process, consistently. */
static void
test_proc_race_pid_reused_early(void **state)
{
	int cached;

	(void)state;
	race_tree();
	for (cached = 0; cached < 2; cached++) {
		race.at = "/100";		/* opening /proc/100 itself */
		race.act = act_reuse_100;
		assert_string_equal(race_scan(cached),
		    "10=- 11=200:3=cli 12=- 13=100:5=impostor");
		race_reset();
	}
}

/* Another user's process: its fd directory, a link or its name refused. */
static void
test_proc_refused(void **state)
{
	static const char *const where[] = { "/100/fd", "/100/fd/3",
	    "/100/comm", "/100" };
	static const char *const want[] = {
		"10=- 11=200:3=cli 12=- 13=-",
		"10=- 11=200:3=cli 12=100:4=srv 13=-",
		"10=- 11=200:3=cli 12=- 13=-",
		"10=- 11=200:3=cli 12=- 13=-",
	};
	size_t i;
	int cached;

	(void)state;
	race_tree();
	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		for (cached = 0; cached < 2; cached++) {
			race.at = where[i];
			race.err = EACCES;
			assert_string_equal(race_scan(cached), want[i]);
			race_reset();
		}
	}
}

/*
 * A refill source (the BPF iterator, in conntab): tells the descriptors
 * in src, or fails with src_err; counts its calls.
 */
static struct {
	struct { uint32_t pid, inode; int32_t fd; const char *comm; } v[8];
	size_t		 n;
	int		 err;
	unsigned	 calls;
} src;

static int
src_cb(void *arg, struct ct_owners_seen *seen, struct ct_owners *names)
{
	size_t i;

	(void)arg;
	src.calls++;
	if (src.err != 0)
		return src.err;
	for (i = 0; i < src.n; i++) {
		struct ct_owner_seen *e = owners_seen_add(seen);

		e->pid = src.v[i].pid;
		e->inode = src.v[i].inode;
		e->fd = src.v[i].fd;
		e->comm = owners_add_comm(names, src.v[i].comm);
	}
	return 0;
}

static struct ct_proc_stats
refresh_from(struct ct_owners *o)
{
	struct ct_proc_stats st;

	owners_free(o);
	if (cache == NULL)
		assert_int_equal(proc_cache_open(root, &cache), 0);
	assert_int_equal(proc_cache_scan_from(cache, &socks, src_cb, NULL, o), 0);
	proc_cache_stats(cache, &st);
	return st;
}

/*
 * With a refill source, a socket of unknown owner fills the cache from
 * it, /proc unread (its tree here says otherwise, to tell); what the
 * source does not tell, nobody holds; with nothing new, the source is
 * not asked; when it fails, /proc fills the cache.
 */
static void
test_proc_cache_refill(void **state)
{
	struct ct_owners o = { 0 };
	struct ct_proc_stats st;

	(void)state;
	memset(&src, 0, sizeof(src));
	fake_proc(100, "procfs");
	fake_fd(100, 3, 10);
	fake_fd(100, 4, 11);
	sock(10);
	sock(11);
	sock(12);
	src.v[0].pid = 100; src.v[0].inode = 10; src.v[0].fd = 7; src.v[0].comm = "iter";
	src.v[1].pid = 300; src.v[1].inode = 10; src.v[1].fd = 2; src.v[1].comm = "kid";
	src.v[2].pid = 100; src.v[2].inode = 11; src.v[2].fd = 8; src.v[2].comm = "iter";
	src.n = 3;
	st = refresh_from(&o);
	assert_int_equal(src.calls, 1);
	assert_int_equal(st.refills, 1);
	assert_int_equal(st.scans, 0);
	assert_int_equal(st.dirs_read, 0);
	assert_string_equal(owners_of(&o, 10), "100:7=iter,300:2=kid");
	assert_string_equal(owners_of(&o, 11), "100:8=iter");
	assert_string_equal(owners_of(&o, 12), "-");
	assert_int_equal(st.unowned, 1);
	/* nothing new: the cache answers; 300 is checked alive and is not */
	st = refresh_from(&o);
	assert_int_equal(src.calls, 1);
	assert_int_equal(st.refills + st.scans, 0);
	/* 300 "exited" (it was never in the tree): forgotten */
	assert_string_equal(owners_of(&o, 10), "100:7=iter");
	/* a new socket; the source fails: /proc fills the cache */
	sock(20);
	fake_fd(100, 5, 20);
	src.err = -EPERM;
	st = refresh_from(&o);
	assert_int_equal(src.calls, 2);
	assert_int_equal(st.refills, 0);
	assert_true(st.scans >= 1);
	assert_string_equal(owners_of(&o, 20), "100:5=procfs");
	owners_free(&o);
}

/* Every record's chain, as text, for comparing whole scans. */
static char *
all_chains(const struct ct_owners *o)
{
	size_t i, n = 0, cap = 1 << 20;
	char *buf = malloc(cap);

	assert_non_null(buf);
	for (i = 0; i < socks.len; i++) {
		assert_true(n + 1024 < cap);
		n += (size_t)snprintf(buf + n, cap - n, "%u=%s\n", socks.v[i].inode,
		    owners_of(o, socks.v[i].inode));
	}
	return buf;
}

/*
 * The parallel walk gives exactly what the serial one gives, whatever the
 * number of threads: 60 small processes sharing sockets after "fork", and
 * one of 3000 descriptors, read in chunks by several threads at once.
 */
static void
test_proc_threads_like_serial(void **state)
{
	static const unsigned nthreads[] = { 2, 3, 4, 16, 64 };
	struct ct_owners o = { 0 };
	char *want, *got, name[16];
	uint32_t pid, i;
	size_t t;

	(void)state;
	for (pid = 100; pid < 160; pid++) {
		snprintf(name, sizeof(name), "p%u", pid);
		fake_proc(pid, name);
		fake_fd(pid, 0, 0);
		fake_fd(pid, 3, 1000 + pid);
		fake_fd(pid, 4, 1000 + pid / 2);	/* shared with a sibling */
		fake_fd(pid, 7, 0);
	}
	fake_proc(200, "big");
	for (i = 0; i < 3000; i++)
		fake_fd(200, (int)i + 3, i % 7 == 0 ? 0 : 5000 + i);
	fake_fd(200, 4000, 1000 + 120);		/* one of the small ones' */
	for (i = 1000; i < 1160; i++)
		sock(i);
	for (i = 5000; i < 8000; i += 2)
		sock(i);
	sock(9999);				/* nobody's */
	assert_int_equal(proc_scan_threads(root, 1, &socks, &o), 0);
	want = all_chains(&o);
	assert_non_null(strstr(want, "\n1120=120:3=p120,200:4000=big\n"));
	assert_non_null(strstr(want, "\n1050=100:4=p100,101:4=p101\n"));
	assert_non_null(strstr(want, "\n9999=-\n"));
	owners_free(&o);
	for (t = 0; t < sizeof(nthreads) / sizeof(nthreads[0]); t++) {
		assert_int_equal(proc_scan_threads(root, nthreads[t], &socks, &o),
		    0);
		got = all_chains(&o);
		assert_string_equal(got, want);
		free(got);
		owners_free(&o);
	}
	refresh(&o);				/* and the cache */
	got = all_chains(&o);
	assert_string_equal(got, want);
	free(got);
	owners_free(&o);
	free(want);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_owners_pids),
		T(test_proc_cache_like_scan),
		T(test_proc_cache_steady),
		T(test_proc_cache_new_socket),
		T(test_proc_cache_fd_reused),
		T(test_proc_cache_fd_reused_shared),
		T(test_proc_cache_file_to_socket),
		T(test_proc_cache_unowned),
		T(test_proc_cache_exited),
		T(test_proc_cache_filtered),
		T(test_proc_cache_no_root),
		T(test_proc_race_exit_before_fds),
		T(test_proc_race_exit_mid_fds),
		T(test_proc_race_fd_closed),
		T(test_proc_race_pid_reused),
		T(test_proc_race_pid_reused_early),
		T(test_proc_refused),
		T(test_proc_threads_like_serial),
		T(test_proc_cache_refill),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
