/* -N: enter another network namespace before the netlink socket opens. */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void
netns_path(const char *spec, char *buf, unsigned long len)
{
	size_t i, n = strlen(spec);
	bool digits = n > 0;

	for (i = 0; i < n; i++)
		if (spec[i] < '0' || spec[i] > '9')
			digits = false;
	if (digits)
		snprintf(buf, len, "/proc/%s/ns/net", spec);
	else if (strchr(spec, '/') != NULL)
		snprintf(buf, len, "%s", spec);
	else
		snprintf(buf, len, "/run/netns/%s", spec);
}

int
netns_enter(const char *spec)
{
	char path[4096];
	int fd, rc = 0;

	if (spec[0] == '\0' || strcmp(spec, ".") == 0 || strcmp(spec, "..") == 0)
		return -EINVAL;
	netns_path(spec, path, sizeof(path));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0)
		rc = -errno;		/* EINVAL: not a network namespace */
	close(fd);
	return rc;
}
