/*
 * Network namespaces from the inside: -N enters one before the netlink
 * socket opens; --all-netns opens one socket inside each namespace and
 * comes back, and reads what only the inside shows (the port range).
 */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "diag_event.h"
#include "nstab.h"
#include "portrange.h"
#include "util.h"

static bool
netns_is_pid(const char *spec)
{
	size_t i, n = strlen(spec);

	for (i = 0; i < n; i++)
		if (spec[i] < '0' || spec[i] > '9')
			return false;
	return n > 0;
}

void
netns_path(const char *spec, char *buf, unsigned long len)
{
	if (netns_is_pid(spec))
		snprintf(buf, len, "/proc/%s/ns/net", spec);
	else if (strchr(spec, '/') != NULL)
		snprintf(buf, len, "%s", spec);
	else
		snprintf(buf, len, "/run/netns/%s", spec);
}

const char *
netns_spec_name(const char *spec)
{
	if (spec == NULL || netns_is_pid(spec) || strchr(spec, '/') != NULL)
		return NULL;
	return spec;
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

int
netns_describe_self(const char *procroot, const char *name,
    struct ct_netns *out)
{
	char path[4096];
	struct stat st, init;

	memset(out, 0, sizeof(*out));
	/* thread-self: a thread may sit in another namespace than its leader */
	snprintf(path, sizeof(path), "%s/thread-self/ns/net", procroot);
	if (stat(path, &st) != 0) {
		snprintf(path, sizeof(path), "%s/self/ns/net", procroot);
		if (stat(path, &st) != 0)
			return -errno;
	}
	out->dev = (uint64_t)st.st_dev;
	out->ino = (uint64_t)st.st_ino;
	out->flags = CT_NS_SELF;
	snprintf(path, sizeof(path), "%s/1/ns/net", procroot);
	if (stat(path, &init) == 0 && init.st_dev == st.st_dev &&
	    init.st_ino == st.st_ino)
		out->flags |= CT_NS_HOST;
	nstab_name(out, name);
	return 0;
}

/* The whole of a small file into buf (NUL-terminated); 0 or -errno. */
static int
read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	size_t got = 0;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	while (got + 1 < len) {
		if ((n = read(fd, buf + got, len - 1 - got)) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (rc == 0 && got + 1 >= len)
		rc = -EFBIG;
	buf[got] = '\0';
	close(fd);
	return rc;
}

int
netns_read_range(const char *procroot, struct ct_portrange *r)
{
	char path[4096], *buf;
	int rc;

	portrange_default(r);
	buf = xmalloc(1 << 16);
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_local_port_range",
	    procroot);
	if ((rc = read_small(path, buf, 64)) != 0 ||
	    (rc = portrange_parse_range(buf, &r->low, &r->high)) != 0) {
		r->low = CT_PORTS_LOW;
		r->high = CT_PORTS_HIGH;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_local_reserved_ports",
	    procroot);
	if ((rc = read_small(path, buf, 1 << 16)) == -ENOENT)
		rc = 0;			/* an old kernel: nothing reserved */
	else if (rc == 0)
		rc = portrange_parse_reserved(buf, r->reserved);
	if (rc != 0) {
		memset(r->reserved, 0, sizeof(r->reserved));
		goto out;
	}
	r->known = true;
out:
	portrange_count(r);
	free(buf);
	return rc;
}

int
netns_diag_open(int nsfd, int homefd, const char *procroot,
    struct ct_diag **out, struct ct_portrange *range)
{
	return netns_diag_open_events(nsfd, homefd, procroot, out, range, 0,
	    NULL);
}

int
netns_diag_open_events(int nsfd, int homefd, const char *procroot,
    struct ct_diag **out, struct ct_portrange *range, unsigned evgroups,
    struct ct_diag_ev **ev)
{
	int rc;

	*out = NULL;
	if (ev != NULL)
		*ev = NULL;
	if (setns(nsfd, CLONE_NEWNET) != 0)
		return -errno;
	/* the sockets belong to the namespace they were made in, for good */
	if (ev != NULL && evgroups != 0 && diag_event_open(evgroups, ev) != 0)
		*ev = NULL;		/* no events here: the samples tell */
	rc = diag_open(out);
	if (rc == 0 && range != NULL)
		netns_read_range(procroot, range);	/* defaults on failure */
	if (setns(homefd, CLONE_NEWNET) != 0) {
		diag_close(*out);
		*out = NULL;
		if (ev != NULL) {
			diag_event_close(*ev);
			*ev = NULL;
		}
		return -ENOTRECOVERABLE;
	}
	if (rc != 0 && ev != NULL) {
		diag_event_close(*ev);
		*ev = NULL;
	}
	return rc;
}
