/*
 * Finding every network namespace (see nsscan.h). One walk over /proc:
 * each process's namespace, its threads', its nsfs descriptors; then the
 * nsfs mounts of each mount namespace met on the way, and the directories
 * where tools bind-mount namespaces. Discovery only stat()s and reads
 * links: a namespace is opened (and its identity checked on the open
 * descriptor) when it is entered, by nsscan_open().
 */
#include "nsscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* ---- parsing ------------------------------------------------------------ */

int
nsscan_parse_nslink(const char *text, size_t len, uint64_t *ino)
{
	uint64_t v = 0;
	size_t i;

	if (len < 7 || memcmp(text, "net:[", 5) != 0 || text[len - 1] != ']')
		return -EINVAL;
	for (i = 5; i < len - 1; i++) {
		if (text[i] < '0' || text[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(text[i] - '0');
	}
	*ino = v;
	return 0;
}

/*
 * The next space-separated field of [*p, end) into out (size bytes),
 * "\ooo" escapes undone when unescape. 0, -EINVAL (no field),
 * -ENAMETOOLONG.
 */
static int
mi_field(const char **p, const char *end, char *out, size_t size,
    bool unescape)
{
	const char *s = *p;
	size_t k = 0;

	if (s >= end || *s == ' ')
		return -EINVAL;
	while (s < end && *s != ' ') {
		char ch = *s++;

		if (unescape && ch == '\\' && end - s >= 3 &&
		    s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7') {
			ch = (char)((s[0] - '0') << 6 | (s[1] - '0') << 3 |
			    (s[2] - '0'));
			s += 3;
		}
		if (k + 1 >= size || ch == '\0')
			return ch == '\0' ? -EINVAL : -ENAMETOOLONG;
		out[k++] = ch;
	}
	out[k] = '\0';
	if (s < end)
		s++;			/* the one space after it */
	*p = s;
	return 0;
}

/* Skip one field; -EINVAL when there is none. */
static int
mi_skip(const char **p, const char *end)
{
	const char *s = *p;

	if (s >= end || *s == ' ')
		return -EINVAL;
	while (s < end && *s != ' ')
		s++;
	if (s < end)
		s++;
	*p = s;
	return 0;
}

int
nsscan_parse_mountinfo(const char *line, size_t len, struct ct_mountinfo *out)
{
	const char *p = line, *end = line + len;
	int rc, i;

	memset(out, 0, sizeof(*out));
	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	/* mount ID, parent ID, major:minor */
	for (i = 0; i < 3; i++)
		if (mi_skip(&p, end) != 0)
			return -EINVAL;
	if ((rc = mi_field(&p, end, out->root, sizeof(out->root), true)) != 0 ||
	    (rc = mi_field(&p, end, out->point, sizeof(out->point), true)) != 0)
		return rc;
	if (mi_skip(&p, end) != 0)	/* mount options */
		return -EINVAL;
	/* optional fields, up to the "-" that ends them */
	for (;;) {
		if (p >= end)
			return -EINVAL;
		if (p[0] == '-' && (p + 1 == end || p[1] == ' ')) {
			p += p + 1 == end ? 1 : 2;
			break;
		}
		if (mi_skip(&p, end) != 0)
			return -EINVAL;
	}
	if ((rc = mi_field(&p, end, out->fstype, sizeof(out->fstype), false)) != 0)
		return rc;
	return 0;
}

/* ---- the table of what was found ----------------------------------------- */

static size_t
ns_hash(uint64_t ino, size_t mask)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15u) >> 17) & mask;
}

static void
scan_rehash(struct ct_nsscan *s)
{
	size_t slots = s->mask == 0 ? 64 : 2 * (s->mask + 1), i, pos;

	free(s->slot);
	s->slot = xcalloc(slots, sizeof(*s->slot));
	s->mask = slots - 1;
	for (i = 0; i < s->len; i++) {
		for (pos = ns_hash(s->v[i].ino, s->mask); s->slot[pos] != 0;
		    pos = (pos + 1) & s->mask)
			;
		s->slot[pos] = (uint32_t)i + 1;
	}
}

static struct ct_nsfound *
scan_find(const struct ct_nsscan *s, uint64_t dev, uint64_t ino)
{
	size_t pos;

	if (s->mask == 0)
		return NULL;
	for (pos = ns_hash(ino, s->mask); s->slot[pos] != 0;
	    pos = (pos + 1) & s->mask) {
		struct ct_nsfound *f = &s->v[s->slot[pos] - 1];

		if (f->ino == ino && f->dev == dev)
			return f;
	}
	return NULL;
}

/* The namespace (dev, ino), added with path when new. */
static struct ct_nsfound *
scan_add(struct ct_nsscan *s, uint64_t dev, uint64_t ino, const char *path)
{
	struct ct_nsfound *f = scan_find(s, dev, ino);

	if (f != NULL)
		return f;
	if (s->len >= CT_NETNS_MAX)
		return NULL;		/* more than a record can name */
	if (s->len == s->cap) {
		s->cap = s->cap < 16 ? 16 : s->cap * 2;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	f = &s->v[s->len++];
	memset(f, 0, sizeof(*f));
	f->dev = dev;
	f->ino = ino;
	f->path = xstrdup(path);
	f->name_rank = -1;
	if (2 * s->len > s->mask + 1) {
		scan_rehash(s);
	} else {
		size_t pos;

		for (pos = ns_hash(ino, s->mask); s->slot[pos] != 0;
		    pos = (pos + 1) & s->mask)
			;
		s->slot[pos] = (uint32_t)s->len;
	}
	return f;
}

/* Record that process pid has a thread in f (pids come in ascending order). */
static void
found_add_pid(struct ct_nsfound *f, uint32_t pid)
{
	if (f->npids > 0 && f->pids[f->npids - 1] == pid)
		return;
	if (f->npids == f->cappids) {
		f->cappids = f->cappids < 8 ? 8 : f->cappids * 2;
		f->pids = xreallocarray(f->pids, f->cappids, sizeof(*f->pids));
	}
	f->pids[f->npids++] = pid;
}

/* Offer f a bind mount's name: kept when it ranks better than what f has. */
static void
found_name(struct ct_nsfound *f, const char *name, int rank, const char *path)
{
	if (name[0] == '\0' || (f->name_rank >= 0 && (rank > f->name_rank ||
	    (rank == f->name_rank && strcmp(name, f->name) >= 0))))
		return;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->name_rank = rank;
	if (path != NULL) {
		/* a mount is the steadiest way back: no pid to be reused */
		free(f->path);
		f->path = xstrdup(path);
	}
}

/* ---- the walk ----------------------------------------------------------- */

struct mntns {
	uint64_t	 dev, ino;
	uint32_t	 pid;		/* a process in it, to read its mountinfo */
};

struct walk {
	struct ct_nsscan *s;
	const struct ct_nsscan *known;	/* found before (nsscan_fds()), or NULL */
	const char	*procroot;
	int		 procfd;
	struct mntns	*mnt;
	size_t		 nmnt, capmnt;
	uint64_t	 self_mnt_dev, self_mnt_ino;
};

static int
pid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The numeric entries of directory fd (pids, tids), ascending. */
static uint32_t *
list_numeric(int fd, size_t *n)
{
	uint32_t *v = NULL;
	size_t cap = 0;
	struct dirent *e;
	DIR *dir;
	int dfd;

	*n = 0;
	if ((dfd = dup(fd)) < 0)
		return NULL;
	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return NULL;
	}
	rewinddir(dir);
	while ((e = readdir(dir)) != NULL) {
		char *end;
		unsigned long x = strtoul(e->d_name, &end, 10);

		if (e->d_name[0] < '1' || e->d_name[0] > '9' || *end != '\0' ||
		    x > UINT32_MAX)
			continue;
		if (*n == cap) {
			cap = cap < 64 ? 64 : cap * 2;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[(*n)++] = (uint32_t)x;
	}
	closedir(dir);
	qsort(v, *n, sizeof(*v), pid_cmp);
	return v;
}

/* The namespace of one task's file REL (under procroot), and its pid. */
static struct ct_nsfound *
walk_task(struct walk *w, const char *rel, uint32_t pid)
{
	char path[4096];
	struct ct_nsfound *f;
	struct stat st;

	if (fstatat(w->procfd, rel, &st, 0) != 0)
		return NULL;		/* gone, or not ours to see */
	snprintf(path, sizeof(path), "%s/%s", w->procroot, rel);
	if ((f = scan_add(w->s, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
	    path)) != NULL && pid != 0)
		found_add_pid(f, pid);
	return f;
}

static void
walk_mntns(struct walk *w, uint32_t pid)
{
	char rel[64];
	struct stat st;
	size_t i;

	snprintf(rel, sizeof(rel), "%u/ns/mnt", pid);
	if (fstatat(w->procfd, rel, &st, 0) != 0)
		return;
	for (i = 0; i < w->nmnt; i++)
		if (w->mnt[i].ino == (uint64_t)st.st_ino &&
		    w->mnt[i].dev == (uint64_t)st.st_dev)
			return;
	if (w->nmnt == w->capmnt) {
		w->capmnt = w->capmnt < 8 ? 8 : w->capmnt * 2;
		w->mnt = xreallocarray(w->mnt, w->capmnt, sizeof(*w->mnt));
	}
	w->mnt[w->nmnt].dev = (uint64_t)st.st_dev;
	w->mnt[w->nmnt].ino = (uint64_t)st.st_ino;
	w->mnt[w->nmnt++].pid = pid;
}

/* The threads of pid whose namespace may differ from their leader's. */
static void
walk_threads(struct walk *w, uint32_t pid)
{
	char rel[96];
	uint32_t *tids;
	size_t n, i;
	int fd;

	snprintf(rel, sizeof(rel), "%u/task", pid);
	if ((fd = openat(w->procfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	tids = list_numeric(fd, &n);
	close(fd);
	for (i = 0; i < n; i++) {
		if (tids[i] == pid)
			continue;	/* the leader: seen already */
		snprintf(rel, sizeof(rel), "%u/task/%u/ns/net", pid, tids[i]);
		walk_task(w, rel, pid);
	}
	free(tids);
}

/* nsfs holds every kind of namespace: is the file at dirfd/name a net one? */
static bool
nsfs_is_net(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	bool net;

	if (fd < 0)
		return false;
	net = ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNET;
	close(fd);
	return net;
}

/*
 * Namespaces held open as descriptors, in /proc/PID/fd: a link
 * "net:[INODE]", or "/" for one opened through a bind mount that has
 * been taken away since (ip netns del detaches it): that one is stat()ed
 * to tell it from a descriptor of the root directory.
 */
static void
walk_fds(struct walk *w, uint32_t pid)
{
	char rel[96], link[64], path[4096];
	struct dirent *e;
	struct stat st;
	DIR *dir;
	int fd;

	snprintf(rel, sizeof(rel), "%u/fd", pid);
	if ((fd = openat(w->procfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		uint64_t ino;
		ssize_t n;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		n = readlinkat(fd, e->d_name, link, sizeof(link));
		if (n == 1 && link[0] == '/') {
			if (fstatat(fd, e->d_name, &st, 0) != 0 ||
			    (uint64_t)st.st_dev != w->s->nsfs_dev ||
			    scan_find(w->s, w->s->nsfs_dev, (uint64_t)st.st_ino) ||
			    (w->known != NULL && scan_find(w->known, w->s->nsfs_dev,
			    (uint64_t)st.st_ino)) || !nsfs_is_net(fd, e->d_name))
				continue;
			ino = (uint64_t)st.st_ino;
		} else if (n <= 5 || (size_t)n >= sizeof(link) || link[0] != 'n' ||
		    nsscan_parse_nslink(link, (size_t)n, &ino) != 0) {
			continue;
		}
		if (scan_find(w->s, w->s->nsfs_dev, ino) != NULL ||
		    (w->known != NULL && scan_find(w->known, w->s->nsfs_dev, ino)))
			continue;
		/* only the descriptor holds it: reach it through the descriptor */
		snprintf(path, sizeof(path), "%s/%u/fd/%s", w->procroot, pid,
		    e->d_name);
		scan_add(w->s, w->s->nsfs_dev, ino, path);
	}
	closedir(dir);
}

/* Is the directory of mount point p one where tools keep named namespaces? */
static bool
netns_dir(const char *p)
{
	static const char *const dirs[] = { "/run/netns/", "/var/run/netns/" };
	size_t i, n;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		n = strlen(dirs[i]);
		if (strncmp(p, dirs[i], n) == 0 && strchr(p + n, '/') == NULL)
			return true;
	}
	return false;
}

/*
 * The nsfs mounts of network namespaces in the mountinfo of one mount
 * namespace (nsrank: 0 conntab's own, 1 PID 1's, 2 another), reached
 * through procroot/PID/root.
 */
static void
walk_mountinfo(struct walk *w, uint32_t pid, int nsrank)
{
	struct ct_mountinfo *mi = xmalloc(sizeof(*mi));
	char rel[64], *line = NULL, *path;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int fd;

	snprintf(rel, sizeof(rel), "%u/mountinfo", pid);
	if ((fd = openat(w->procfd, rel, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (fp = fdopen(fd, "r")) == NULL) {
		if (fd >= 0)
			close(fd);
		free(mi);
		return;
	}
	path = xmalloc(sizeof(mi->point) + 64 + strlen(w->procroot));
	while ((n = getline(&line, &cap, fp)) > 0) {
		struct ct_nsfound *f;
		const char *base;
		uint64_t ino;

		if (nsscan_parse_mountinfo(line, (size_t)n, mi) != 0 ||
		    strcmp(mi->fstype, "nsfs") != 0 ||
		    nsscan_parse_nslink(mi->root, strlen(mi->root), &ino) != 0)
			continue;
		sprintf(path, "%s/%u/root%s", w->procroot, pid, mi->point);
		if ((f = scan_add(w->s, w->s->nsfs_dev, ino, path)) == NULL)
			continue;
		base = strrchr(mi->point, '/');
		base = base != NULL ? base + 1 : mi->point;
		found_name(f, base, (netns_dir(mi->point) ? 0 : 3) + nsrank,
		    nsrank == 0 ? mi->point : path);
	}
	free(line);
	free(path);
	free(mi);
	fclose(fp);
}

/*
 * The directories where ip-netns(8) and Docker bind-mount namespaces, in
 * conntab's own mount namespace: a file there that is a network
 * namespace names it, even when no mountinfo was readable.
 */
static void
walk_dirs(struct walk *w)
{
	static const char *const dirs[] = { "/run/netns", "/var/run/netns",
	    "/run/docker/netns" };
	char path[4096];
	struct dirent *e;
	struct stat st;
	size_t i;
	DIR *dir;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if ((dir = opendir(dirs[i])) == NULL)
			continue;
		while ((e = readdir(dir)) != NULL) {
			struct ct_nsfound *f;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[i], e->d_name);
			if (stat(path, &st) != 0 ||
			    (uint64_t)st.st_dev != w->s->nsfs_dev)
				continue;	/* not mounted: an empty file */
			f = scan_find(w->s, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
			if (f == NULL) {
				if (!nsfs_is_net(AT_FDCWD, path) ||
				    (f = scan_add(w->s, (uint64_t)st.st_dev,
				    (uint64_t)st.st_ino, path)) == NULL)
					continue;
			}
			found_name(f, e->d_name, i < 2 ? 0 : 3, path);
		}
		closedir(dir);
	}
}

int
nsscan_run(const char *procroot, unsigned flags, struct ct_nsscan *out)
{
	struct walk w = { out, NULL, procroot, -1, NULL, 0, 0, 0, 0 };
	struct ct_nsfound *f;
	char path[4096];
	uint32_t *pids, self = (uint32_t)getpid();
	struct stat st;
	size_t n, i;

	memset(out, 0, sizeof(*out));
	if ((w.procfd = open(procroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	/* conntab's own: its main thread never leaves it */
	if (fstatat(w.procfd, "self/ns/net", &st, 0) != 0) {
		int rc = -errno;

		close(w.procfd);
		return rc;
	}
	out->nsfs_dev = (uint64_t)st.st_dev;
	snprintf(path, sizeof(path), "%s/self/ns/net", procroot);
	if ((f = scan_add(out, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
	    path)) != NULL) {
		f->self = true;
		found_add_pid(f, self);
	}
	if (fstatat(w.procfd, "self/ns/mnt", &st, 0) == 0) {
		w.self_mnt_dev = (uint64_t)st.st_dev;
		w.self_mnt_ino = (uint64_t)st.st_ino;
		walk_mntns(&w, self);
	}
	if ((f = walk_task(&w, "1/ns/net", 0)) != NULL)
		f->host = true;
	walk_mntns(&w, 1);		/* PID 1's mount namespace first */
	pids = list_numeric(w.procfd, &n);
	for (i = 0; i < n; i++) {
		char rel[64];

		if (pids[i] == self)
			continue;	/* our threads enter namespaces and come back */
		out->pids_seen++;
		snprintf(rel, sizeof(rel), "%u/ns/net", pids[i]);
		if (walk_task(&w, rel, pids[i]) == NULL)
			continue;	/* exited, or a kernel thread hidden from us */
		walk_threads(&w, pids[i]);
		if (flags & CT_NSSCAN_FDS)
			walk_fds(&w, pids[i]);
		walk_mntns(&w, pids[i]);
	}
	free(pids);
	for (i = 0; i < w.nmnt; i++) {
		int rank = 2;

		if (w.mnt[i].dev == w.self_mnt_dev && w.mnt[i].ino == w.self_mnt_ino)
			rank = 0;
		else if (w.mnt[i].pid == 1)
			rank = 1;
		walk_mountinfo(&w, rank == 0 ? self : w.mnt[i].pid, rank);
	}
	if (w.self_mnt_ino == 0)
		walk_mountinfo(&w, self, 0);	/* no ns/mnt to tell: ours */
	walk_dirs(&w);
	free(w.mnt);
	close(w.procfd);
	return 0;
}

int
nsscan_fds(const char *procroot, const struct ct_nsscan *known,
    struct ct_nsscan *out)
{
	struct walk w = { out, known, procroot, -1, NULL, 0, 0, 0, 0 };
	uint32_t *pids, self = (uint32_t)getpid();
	size_t n, i;

	memset(out, 0, sizeof(*out));
	out->nsfs_dev = known->nsfs_dev;
	if ((w.procfd = open(procroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	pids = list_numeric(w.procfd, &n);
	for (i = 0; i < n; i++)
		if (pids[i] != self)
			walk_fds(&w, pids[i]);
	free(pids);
	close(w.procfd);
	return 0;
}

struct ct_nsfound *
nsscan_find(const struct ct_nsscan *s, uint64_t dev, uint64_t ino)
{
	return scan_find(s, dev, ino);
}

int
nsscan_open(const char *procroot, const struct ct_nsfound *f, int *fd)
{
	char path[4096];
	struct stat st;
	size_t i;
	int k;

	*fd = -1;
	for (i = 0; i <= f->npids; i++) {
		if (i == 0)
			snprintf(path, sizeof(path), "%s", f->path);
		else
			snprintf(path, sizeof(path), "%s/%u/ns/net", procroot,
			    f->pids[i - 1]);
		if ((k = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		/* what the descriptor is, not what the path was a moment ago */
		if (fstat(k, &st) == 0 && (uint64_t)st.st_ino == f->ino &&
		    (uint64_t)st.st_dev == f->dev) {
			*fd = k;
			return 0;
		}
		close(k);
	}
	return -ENOENT;
}

void
nsscan_free(struct ct_nsscan *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->len; i++) {
		free(s->v[i].path);
		free(s->v[i].pids);
	}
	free(s->v);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}
