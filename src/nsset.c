/*
 * The set of namespaces --all-netns dumps: the table, one socket per
 * namespace, and what it takes to reach each again (see nsset.h).
 */
#include "nsset.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "diag.h"
#include "diag_event.h"
#include "netns.h"
#include "nsscan.h"
#include "portrange.h"
#include "util.h"

/* What the set keeps beside each record of its table. */
struct nsslot {
	struct ct_diag	*diag;		/* NULL until first dumped */
	struct ct_diag_ev *ev;		/* its destroy events; NULL: none */
	struct ct_nsfound found;	/* how to reach it (path, pids) */
	unsigned	 gone_at;	/* the refresh that found it gone */
	bool		 pending;	/* not found but by descriptors, maybe */
};

struct ct_nsset {
	char		*procroot;
	int		 homefd;	/* conntab's own namespace, to come back */
	struct ct_nstab	 tab;
	struct nsslot	*slot;		/* parallel to tab.v */
	size_t		 capslot;
	unsigned	 refreshes;
	unsigned	 evgroups;	/* destroy events wanted (CT_EVG_*); 0: none */
	struct ct_nsscan scan;		/* this refresh's walk, descriptors aside */
	struct ct_nsscan fdscan;	/* ... and what descriptors alone hold */
};

int
nsset_can_enter(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0)
		return -errno;
	return data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32)) ?
	    0 : -EPERM;
}

int
nsset_open(const char *procroot, struct ct_nsset **out)
{
	struct ct_nsset *s;
	char path[4096];
	int fd;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/self/ns/net", procroot);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	s = xcalloc(1, sizeof(*s));
	s->procroot = xstrdup(procroot);
	s->homefd = fd;
	*out = s;			/* caller frees: nsset_free() */
	return 0;
}

static void
slot_clear(struct nsslot *sl)
{
	diag_close(sl->diag);
	sl->diag = NULL;
	diag_event_close(sl->ev);
	sl->ev = NULL;
	free(sl->found.path);
	free(sl->found.pids);
	memset(&sl->found, 0, sizeof(sl->found));
}

void
nsset_free(struct ct_nsset *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->tab.len; i++)
		slot_clear(&s->slot[i]);
	free(s->slot);
	nstab_free(&s->tab);
	nsscan_free(&s->scan);
	nsscan_free(&s->fdscan);
	close(s->homefd);
	free(s->procroot);
	free(s);
}

const struct ct_nstab *
nsset_table(const struct ct_nsset *s)
{
	return &s->tab;
}

const uint32_t *
nsset_pids(const struct ct_nsset *s, size_t i, size_t *n)
{
	*n = i < s->tab.len ? s->slot[i].found.npids : 0;
	return *n > 0 ? s->slot[i].found.pids : NULL;
}

/* Record ns as f describes it now; f's path and pids move into the slot. */
static void
slot_take(struct ct_netns *ns, struct nsslot *sl, struct ct_nsfound *f)
{
	free(sl->found.path);
	free(sl->found.pids);
	sl->found = *f;
	f->path = NULL;
	f->pids = NULL;
	f->npids = f->cappids = 0;
	ns->dev = sl->found.dev;
	ns->ino = sl->found.ino;
	ns->flags = (uint8_t)((sl->found.host ? CT_NS_HOST : 0) |
	    (sl->found.self ? CT_NS_SELF : 0) | (sl->ev != NULL ? CT_NS_EVENTS : 0));
	ns->error = 0;
	ns->label = 0;
	ns->nprocs = (uint32_t)sl->found.npids;
	nstab_name(ns, sl->found.name_rank >= 0 ? sl->found.name : NULL);
}

/* A record for a namespace new to the set: a slot freed long enough, or a new one. */
static size_t
nsset_new_slot(struct ct_nsset *s)
{
	size_t i;

	for (i = 0; i < s->tab.len; i++)
		if ((s->tab.v[i].flags & CT_NS_GONE) &&
		    s->slot[i].gone_at + 2 <= s->refreshes)
			return i;
	if (s->tab.len >= CT_NETNS_MAX)
		return SIZE_MAX;
	nstab_append(&s->tab);
	if (s->tab.len > s->capslot) {
		s->capslot = s->tab.cap;
		s->slot = xreallocarray(s->slot, s->capslot, sizeof(*s->slot));
	}
	memset(&s->slot[s->tab.len - 1], 0, sizeof(*s->slot));
	return s->tab.len - 1;
}

/* New namespaces in the table's order: by nstab_cmp() of their records. */
struct fresh {
	struct ct_netns	 ns;		/* first: nstab_cmp() reads it */
	size_t		 found;
};

/* Add the namespaces of scan not taken yet, in the table's order. */
static void
nsset_add_fresh(struct ct_nsset *s, struct ct_nsscan *scan, const bool *taken)
{
	struct fresh *fresh = xcalloc(scan->len + 1, sizeof(*fresh));
	size_t i, n = 0;

	for (i = 0; i < scan->len; i++) {
		struct ct_nsfound *f = &scan->v[i];

		if (taken[i])
			continue;
		fresh[n].ns.dev = f->dev;
		fresh[n].ns.ino = f->ino;
		fresh[n].ns.flags = (uint8_t)((f->host ? CT_NS_HOST : 0) |
		    (f->self ? CT_NS_SELF : 0));
		nstab_name(&fresh[n].ns, f->name_rank >= 0 ? f->name : NULL);
		fresh[n++].found = i;
	}
	qsort(fresh, n, sizeof(*fresh), nstab_cmp);
	for (i = 0; i < n; i++) {
		size_t at = nsset_new_slot(s);

		if (at == SIZE_MAX)
			break;		/* 65,535 namespaces: a record names no more */
		slot_clear(&s->slot[at]);
		s->slot[at].pending = false;
		free(s->tab.v[at].range);
		memset(&s->tab.v[at], 0, sizeof(s->tab.v[at]));
		slot_take(&s->tab.v[at], &s->slot[at], &scan->v[fresh[i].found]);
	}
	free(fresh);
}

/* The namespace is gone: our socket alone keeps it alive now, let it go. */
static void
nsset_gone(struct ct_nsset *s, size_t i)
{
	slot_clear(&s->slot[i]);
	s->slot[i].pending = false;
	free(s->tab.v[i].range);
	s->tab.v[i].range = NULL;
	s->tab.v[i].flags = CT_NS_GONE;
	s->slot[i].gone_at = s->refreshes;
}

int
nsset_refresh_begin(struct ct_nsset *s)
{
	bool *taken;
	size_t i;
	int rc;

	nsscan_free(&s->scan);
	nsscan_free(&s->fdscan);
	if ((rc = nsscan_run(s->procroot, 0, &s->scan)) != 0)
		return rc;
	s->refreshes++;
	taken = xcalloc(s->scan.len + 1, sizeof(*taken));
	for (i = 0; i < s->tab.len; i++) {
		struct ct_netns *ns = &s->tab.v[i];
		struct ct_nsfound *f;

		if (ns->flags & CT_NS_GONE)
			continue;
		if ((f = nsscan_find(&s->scan, ns->dev, ns->ino)) == NULL) {
			/* held by a descriptor alone, or gone: the end says */
			s->slot[i].pending = true;
			continue;
		}
		taken[f - s->scan.v] = true;
		s->slot[i].pending = false;
		slot_take(ns, &s->slot[i], f);
	}
	nsset_add_fresh(s, &s->scan, taken);
	free(taken);
	return 0;
}

int
nsset_refresh_fds(struct ct_nsset *s)
{
	return nsscan_fds(s->procroot, &s->scan, &s->fdscan);
}

size_t
nsset_refresh_end(struct ct_nsset *s)
{
	bool *taken = xcalloc(s->fdscan.len + 1, sizeof(*taken));
	size_t i, added = 0;

	for (i = 0; i < s->tab.len; i++) {
		struct ct_nsfound *f;

		if (!s->slot[i].pending)
			continue;
		if ((f = nsscan_find(&s->fdscan, s->tab.v[i].dev,
		    s->tab.v[i].ino)) == NULL) {
			nsset_gone(s, i);
			continue;
		}
		taken[f - s->fdscan.v] = true;
		s->slot[i].pending = false;
		slot_take(&s->tab.v[i], &s->slot[i], f);
	}
	for (i = 0; i < s->fdscan.len; i++)
		added += !taken[i];
	nsset_add_fresh(s, &s->fdscan, taken);
	free(taken);
	return added;
}

int
nsset_refresh(struct ct_nsset *s)
{
	int rc;

	if ((rc = nsset_refresh_begin(s)) != 0 ||
	    (rc = nsset_refresh_fds(s)) != 0)
		return rc;
	nsset_refresh_end(s);
	return 0;
}

int
nsset_diag(struct ct_nsset *s, size_t i, bool range, struct ct_diag **out)
{
	struct ct_netns *ns = &s->tab.v[i];
	struct nsslot *sl = &s->slot[i];
	struct ct_portrange *r = NULL;
	int fd, rc;

	*out = NULL;
	if (ns->flags & CT_NS_GONE)
		return -ENOENT;
	/* pending: dumped through the socket we hold, if we hold one */
	if (sl->diag != NULL && (sl->pending || !range || ns->range != NULL)) {
		*out = sl->diag;
		return 0;
	}
	if (sl->pending)
		return -ENOENT;		/* no socket: nsset_refresh_end() will tell */
	if (nsscan_open(s->procroot, &sl->found, &fd) != 0) {
		ns->flags |= CT_NS_GONE;	/* gone since the walk: skipped */
		sl->gone_at = s->refreshes;
		return -ENOENT;
	}
	if (range)
		r = xcalloc(1, sizeof(*r));
	diag_close(sl->diag);
	sl->diag = NULL;
	diag_event_close(sl->ev);
	sl->ev = NULL;
	rc = netns_diag_open_events(fd, s->homefd, s->procroot, &sl->diag, r,
	    s->evgroups, s->evgroups != 0 ? &sl->ev : NULL);
	close(fd);
	if (sl->ev != NULL)
		ns->flags |= CT_NS_EVENTS;
	if (rc != 0) {
		free(r);
		if (rc != -ENOTRECOVERABLE) {
			ns->flags |= CT_NS_REFUSED;
			ns->error = rc;
		}
		return rc;
	}
	if (r != NULL) {
		free(ns->range);
		ns->range = r;
	}
	*out = sl->diag;
	return 0;
}

void
nsset_events(struct ct_nsset *s, unsigned groups)
{
	s->evgroups = groups;
}

struct ct_diag_ev *
nsset_event(const struct ct_nsset *s, size_t i)
{
	return i < s->tab.len ? s->slot[i].ev : NULL;
}

void
nsset_close(struct ct_nsset *s, size_t i)
{
	if (i < s->tab.len) {
		diag_close(s->slot[i].diag);
		s->slot[i].diag = NULL;
	}
}
