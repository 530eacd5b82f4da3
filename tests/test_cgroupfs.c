/* cgroupfs_paths() on this machine's cgroup2 mount, when it has one. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupfs.h"

/* The cgroup2 mount of /proc/self/mounts, into buf; false when none. */
static bool
cg2_mount(char *buf, size_t size)
{
	struct mntent *m;
	bool found = false;
	FILE *fp = setmntent("/proc/self/mounts", "r");

	if (fp == NULL)
		return false;
	while ((m = getmntent(fp)) != NULL)
		if (strcmp(m->mnt_type, "cgroup2") == 0) {
			snprintf(buf, size, "%s", m->mnt_dir);
			found = true;
			break;
		}
	endmntent(fp);
	return found;
}

static uint64_t
cg2_id(const char *path)
{
	struct {
		struct file_handle fh;
		uint64_t	 id;
	} h;
	uint64_t id = 0;
	int mnt;

	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = sizeof(h.id);
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mnt, 0) == 0)
		memcpy(&id, h.fh.f_handle, sizeof(id));
	return id;
}

/* The root is "/", ids repeat, unknown ids and 0 are left out. */
static void
test_cgroupfs_root(void **state)
{
	struct ct_cgpath *p;
	char mnt[4096];
	uint64_t ids[4];
	size_t n;

	(void)state;
	if (!cg2_mount(mnt, sizeof(mnt)))
		skip();
	ids[0] = cg2_id(mnt);
	ids[1] = 0;
	ids[2] = ids[0];
	ids[3] = UINT64_MAX - 7;		/* no such cgroup */
	assert_true(ids[0] != 0);
	assert_int_equal(cgroupfs_paths(ids, 4, &p, &n), 0);
	assert_int_equal(n, 1);
	assert_true(p[0].id == ids[0]);
	assert_string_equal(p[0].path, "/");
	cgroupfs_free(p, n);
	assert_int_equal(cgroupfs_paths(ids, 0, &p, &n), 0);
	assert_int_equal(n, 0);
	cgroupfs_free(p, n);
}

/* A directory made for the test is found by its id, as a path. */
static void
test_cgroupfs_child(void **state)
{
	char mnt[4096], dir[4400], sub[4500], want[200];
	struct ct_cgpath *p;
	uint64_t ids[2];
	size_t n;

	(void)state;
	if (!cg2_mount(mnt, sizeof(mnt)) || getuid() != 0)
		skip();
	snprintf(want, sizeof(want), "/conntab-test-%d", (int)getpid());
	snprintf(dir, sizeof(dir), "%s%s", mnt, want);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	if (mkdir(dir, 0755) != 0)
		skip();
	if (mkdir(sub, 0755) != 0) {
		rmdir(dir);			/* what the test made, it removes */
		fail_msg("mkdir %s", sub);
	}
	ids[0] = cg2_id(sub);
	ids[1] = cg2_id(dir);
	assert_int_equal(cgroupfs_paths(ids, 2, &p, &n), 0);
	rmdir(sub);
	rmdir(dir);
	assert_int_equal(n, 2);
	/* sorted by id: the parent was made first */
	assert_string_equal(p[0].path, want);
	strcat(want, "/sub");
	assert_string_equal(p[1].path, want);
	cgroupfs_free(p, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroupfs_root),
		cmocka_unit_test(test_cgroupfs_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
