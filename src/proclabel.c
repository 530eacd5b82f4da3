/* Process labels from /proc/PID/cgroup (parsing is cgroup.c's). */
#include "proclabel.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

/*
 * A cgroup file holds one line per hierarchy, each a path of at most
 * PATH_MAX: a dozen hierarchies fit with room to spare. Longer text is
 * cut, and its last line may then be cut too; the parser takes it as it is.
 */
#define CG_FILE_MAX	(64 * 1024)

int
proclabel_read(int procfd, uint32_t pid, struct ct_label *out)
{
	char rel[32], *buf;
	size_t got = 0;
	ssize_t n;
	int fd, rc = 0;

	memset(out, 0, sizeof(*out));
	snprintf(rel, sizeof(rel), "%u/cgroup", pid);
	if ((fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	buf = xmalloc(CG_FILE_MAX);
	while (got < CG_FILE_MAX) {
		if ((n = read(fd, buf + got, CG_FILE_MAX - got)) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (rc == 0 && got == 0)
		rc = -ESRCH;		/* a zombie's file is empty */
	if (rc == 0)
		cgroup_parse_file(buf, got, out);	/* nothing said: empty */
	free(buf);
	return rc;
}

int
proclabel_add(const char *procroot, const uint32_t *pids, size_t n,
    struct ct_labels *l)
{
	struct ct_label lab;
	size_t i;
	int procfd;

	if ((procfd = open(procroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if (l->len == 0)
		labels_init(l);
	for (i = 0; i < n; i++) {
		if (labels_has_pid(l, pids[i]))
			continue;
		if (proclabel_read(procfd, pids[i], &lab) != 0)
			continue;	/* exited: no label, not an error */
		labels_add_pid(l, pids[i], labels_intern(l, &lab));
	}
	close(procfd);
	return 0;
}

uint32_t
proclabel_shared(const char *procroot, const uint32_t *pids, size_t n,
    struct ct_labels *l)
{
	uint32_t self = (uint32_t)getpid(), idx, shared = 0;
	struct ct_label lab;
	bool any = false;
	size_t i;
	int procfd;

	if ((procfd = open(procroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	if (l->len == 0)
		labels_init(l);
	for (i = 0; i < n; i++) {
		if (pids[i] == self)
			continue;
		if (labels_has_pid(l, pids[i]))
			idx = labels_of_pid(l, pids[i]);
		else if (proclabel_read(procfd, pids[i], &lab) == 0)
			idx = labels_intern(l, &lab);
		else
			continue;	/* exited meanwhile */
		if (any && idx != shared) {
			shared = 0;
			break;
		}
		shared = idx;
		any = true;
	}
	close(procfd);
	return shared;
}
