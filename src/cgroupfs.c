/*
 * cgroup v2 paths of cgroup ids: a walk of the cgroup2 mount that stops
 * once every id asked for is found.
 */
#include "cgroupfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define CG_MAX_DEPTH	32		/* systemd nests a few; be generous */
#define CG_MAX_DIRS	200000		/* a bound on the walk, not a limit met */

struct cg_walk {
	const uint64_t	*want;		/* sorted, distinct */
	size_t		 nwant, left;
	struct ct_cgpath *out;
	size_t		 nout;
	size_t		 dirs;
	char		 path[4096];	/* the mount, then the walk's place */
	size_t		 root;		/* length of the mount's path */
};

static int
cg_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The cgroup id of directory name under dirfd, or 0. */
static uint64_t
cg_id_at(int dirfd, const char *name)
{
	struct {
		struct file_handle fh;
		uint64_t	 id;
	} h;
	uint64_t id = 0;
	int mnt;

	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = sizeof(h.id);
	if (name_to_handle_at(dirfd, name, &h.fh, &mnt, 0) == 0 &&
	    h.fh.handle_bytes == sizeof(h.id))
		memcpy(&id, h.fh.f_handle, sizeof(id));
	return id;
}

static void
cg_found(struct cg_walk *w, uint64_t id)
{
	const char *rel = w->path + w->root;

	if (id == 0 || bsearch(&id, w->want, w->nwant, sizeof(id),
	    cg_u64_cmp) == NULL)
		return;
	w->out = xreallocarray(w->out, w->nout + 1, sizeof(*w->out));
	w->out[w->nout].id = id;
	w->out[w->nout].path = xstrdup(*rel != '\0' ? rel : "/");
	w->nout++;
	w->left--;
}

/* Walk the directory at w->path (its id already counted). */
static void
cg_walk(struct cg_walk *w, int depth)
{
	size_t len = strlen(w->path);
	struct dirent *e;
	DIR *d;

	if (depth > CG_MAX_DEPTH || (d = opendir(w->path)) == NULL)
		return;
	while (w->left > 0 && w->dirs < CG_MAX_DIRS && (e = readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		if (len + 1 + strlen(e->d_name) + 1 > sizeof(w->path))
			continue;
		w->dirs++;
		w->path[len] = '/';
		strcpy(w->path + len + 1, e->d_name);
		cg_found(w, cg_id_at(dirfd(d), e->d_name));
		cg_walk(w, depth + 1);
		w->path[len] = '\0';
	}
	closedir(d);
}

int
cgroupfs_paths(const uint64_t *ids, size_t n, struct ct_cgpath **out,
    size_t *nout)
{
	struct cg_walk w;
	struct mntent *m;
	uint64_t *want;
	size_t i, k = 0;
	FILE *fp;

	*out = NULL;
	*nout = 0;
	memset(&w, 0, sizeof(w));
	if ((fp = setmntent("/proc/self/mounts", "r")) == NULL)
		return -errno;
	while ((m = getmntent(fp)) != NULL)
		if (strcmp(m->mnt_type, "cgroup2") == 0 &&
		    strlen(m->mnt_dir) < sizeof(w.path))
			break;
	if (m != NULL) {
		strcpy(w.path, m->mnt_dir);
		if (strcmp(w.path, "/") == 0)
			w.path[0] = '\0';
	}
	endmntent(fp);
	if (m == NULL)
		return -ENOENT;
	want = xcalloc(n + 1, sizeof(*want));
	for (i = 0; i < n; i++)
		if (ids[i] != 0)
			want[k++] = ids[i];
	qsort(want, k, sizeof(*want), cg_u64_cmp);
	for (i = 0, n = 0; i < k; i++)
		if (n == 0 || want[n - 1] != want[i])
			want[n++] = want[i];
	w.want = want;
	w.nwant = w.left = n;
	w.root = strlen(w.path);
	if (w.left > 0) {
		cg_found(&w, cg_id_at(AT_FDCWD, w.root > 0 ? w.path : "/"));
		cg_walk(&w, 0);
	}
	free(want);
	if (w.nout > 1)
		qsort(w.out, w.nout, sizeof(*w.out), view_cgpath_cmp);
	*out = w.out;
	*nout = w.nout;
	return 0;
}

void
cgroupfs_free(struct ct_cgpath *p, size_t n)
{
	size_t i;

	for (i = 0; p != NULL && i < n; i++)
		free(p[i].path);
	free(p);
}
