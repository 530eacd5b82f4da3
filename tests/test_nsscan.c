/*
 * Finding namespaces: the mountinfo and nsfs-link parsers on their own,
 * then a real walk of /proc, which must find conntab's own namespace.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns.h"
#include "nsscan.h"
#include "nsset.h"
#include "nstab.h"

static int
mi(const char *line, struct ct_mountinfo *out)
{
	return nsscan_parse_mountinfo(line, strlen(line), out);
}

static void
test_nsscan_mountinfo(void **state)
{
	struct ct_mountinfo *m = malloc(sizeof(*m));
	char *big;
	size_t n;

	(void)state;
	assert_non_null(m);
	assert_int_equal(mi("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 "
	    "/dev/root rw,errors=continue\n", m), 0);
	assert_string_equal(m->root, "/mnt1");
	assert_string_equal(m->point, "/mnt2");
	assert_string_equal(m->fstype, "ext3");
	assert_int_equal(mi("604 28 0:4 net:[4026532283] /run/netns/web1 rw - "
	    "nsfs nsfs rw", m), 0);
	assert_string_equal(m->root, "net:[4026532283]");
	assert_string_equal(m->point, "/run/netns/web1");
	assert_string_equal(m->fstype, "nsfs");
	/* no optional field, several of them, escapes in the point */
	assert_int_equal(mi("1 2 0:4 net:[1] /run/netns/a\\040b\\134c rw - nsfs x y",
	    m), 0);
	assert_string_equal(m->point, "/run/netns/a b\\c");
	assert_int_equal(mi("1 2 0:4 / /x rw shared:1 master:2 propagate_from:3 - "
	    "tmpfs t rw", m), 0);
	assert_string_equal(m->fstype, "tmpfs");
	/* a lone backslash and a bad escape stay as they are */
	assert_int_equal(mi("1 2 0:4 / /a\\9b rw - tmpfs t rw", m), 0);
	assert_string_equal(m->point, "/a\\9b");
	/* malformed */
	assert_int_equal(mi("", m), -EINVAL);
	assert_int_equal(mi("1 2 0:4 / /x rw", m), -EINVAL);	/* no "-" */
	assert_int_equal(mi("1 2 0:4 / /x rw -", m), -EINVAL);	/* no type */
	assert_int_equal(mi("1 2 0:4 /  /x rw - t s o", m), -EINVAL);
	assert_int_equal(mi("1 2 0:4 / /x\\000y rw - t s o", m), -EINVAL);
	assert_int_equal(mi("1 2", m), -EINVAL);
	/* a root too long for an nsfs root, a point past PATH_MAX */
	assert_int_equal(mi("1 2 0:4 /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaa /x rw - t s o", m), -ENAMETOOLONG);
	n = 5000;
	big = malloc(n + 64);
	assert_non_null(big);
	memcpy(big, "1 2 0:4 / /", 11);
	memset(big + 11, 'p', n);
	strcpy(big + 11 + n, " rw - t s o");
	assert_int_equal(mi(big, m), -ENAMETOOLONG);
	free(big);
	free(m);
}

static void
test_nsscan_nslink(void **state)
{
	uint64_t ino = 0;

	(void)state;
	assert_int_equal(nsscan_parse_nslink("net:[4026531992]", 16, &ino), 0);
	assert_true(ino == 4026531992u);
	assert_int_equal(nsscan_parse_nslink("net:[]", 6, &ino), -EINVAL);
	assert_int_equal(nsscan_parse_nslink("mnt:[4026531992]", 16, &ino), -EINVAL);
	assert_int_equal(nsscan_parse_nslink("net:[12a]", 9, &ino), -EINVAL);
	assert_int_equal(nsscan_parse_nslink("net:[123", 8, &ino), -EINVAL);
	assert_int_equal(nsscan_parse_nslink("net:[99999999999999999999999]", 29,
	    &ino), -EINVAL);
	assert_int_equal(nsscan_parse_nslink("socket:[5]", 10, &ino), -EINVAL);
}

/* The walk finds our own namespace, with us in it, and can reopen it. */
static void
test_nsscan_self(void **state)
{
	struct ct_nsscan s;
	struct ct_nsfound *f;
	struct ct_netns me;
	struct stat st;
	size_t i;
	int fd;

	(void)state;
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	assert_int_equal(nsscan_run("/proc", CT_NSSCAN_FDS, &s), 0);
	assert_true(s.nsfs_dev == (uint64_t)st.st_dev);
	f = nsscan_find(&s, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
	assert_non_null(f);
	assert_true(f->self);
	for (i = 0; i < f->npids && f->pids[i] != (uint32_t)getpid(); i++)
		;
	assert_true(i < f->npids);
	assert_int_equal(nsscan_open("/proc", f, &fd), 0);
	close(fd);
	assert_int_equal(netns_describe_self("/proc", NULL, &me), 0);
	assert_true(me.ino == (uint64_t)st.st_ino);
	assert_true(me.flags & CT_NS_SELF);
	nsscan_free(&s);
	assert_int_equal(nsscan_run("/nonexistent", CT_NSSCAN_FDS, &s), -ENOENT);
	nsscan_free(&s);
}

/* A found namespace whose files all name another one is gone. */
static void
test_nsscan_open_checks(void **state)
{
	struct ct_nsfound f;
	struct stat st;
	int fd = -1;

	(void)state;
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	memset(&f, 0, sizeof(f));
	f.dev = (uint64_t)st.st_dev;
	f.ino = (uint64_t)st.st_ino + 1;	/* not what the path is */
	f.path = (char *)"/proc/self/ns/net";
	assert_int_equal(nsscan_open("/proc", &f, &fd), -ENOENT);
	assert_int_equal(fd, -1);
	f.ino = (uint64_t)st.st_ino;
	assert_int_equal(nsscan_open("/proc", &f, &fd), 0);
	close(fd);
	f.path = (char *)"/nonexistent";
	assert_int_equal(nsscan_open("/proc", &f, &fd), -ENOENT);
}

/* A set: refreshed twice, our namespace keeps its index. */
static void
test_nsset_refresh(void **state)
{
	struct ct_nsset *set;
	const struct ct_nstab *t;
	struct stat st;
	long at;

	(void)state;
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	assert_int_equal(nsset_open("/proc", &set), 0);
	assert_int_equal(nsset_refresh(set), 0);
	t = nsset_table(set);
	assert_true(t->len >= 1);
	at = nstab_find(t, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
	assert_true(at >= 0);
	assert_true(t->v[at].flags & CT_NS_SELF);
	assert_int_equal(nsset_refresh(set), 0);
	assert_int_equal(nstab_find(nsset_table(set), (uint64_t)st.st_dev,
	    (uint64_t)st.st_ino), at);
	nsset_free(set);
	nsset_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nsscan_mountinfo),
		cmocka_unit_test(test_nsscan_nslink),
		cmocka_unit_test(test_nsscan_self),
		cmocka_unit_test(test_nsscan_open_checks),
		cmocka_unit_test(test_nsset_refresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
