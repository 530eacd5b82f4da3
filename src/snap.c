/*
 * One snapshot: the kernel dumps (with the kernel's share of the filter),
 * then owners (the BPF iterator where it loads, else /proc) and user
 * names, when shown or filtered on.
 */
#include "snap.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "filter.h"
#include "listener.h"
#include "opts.h"
#include "owners_bpf.h"
#include "owners_link.h"
#include "proc.h"
#include "util.h"

/* Which part of one protocol's sockets a dump asks for. */
enum snap_part {
	SNAP_ALL,		/* everything the filter may match */
	SNAP_LISTENERS,		/* every listener, whatever the filter says */
	SNAP_REST,		/* what the filter may match, listeners aside */
};

/* Does any column, sort key or group key need this field flag? */
static bool
snap_cols_need(const struct ct_cols *c, unsigned flag, int id)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if ((fields_get(c->v[i].id)->flags & flag) || (int)c->v[i].id == id)
			return true;
	return false;
}

static bool
snap_opts_need(const struct ct_opts *o, unsigned flag, int id)
{
	return snap_cols_need(&o->cols, flag, id) ||
	    snap_cols_need(&o->sort, flag, id) ||
	    snap_cols_need(&o->group, flag, id);
}

static bool
kfilter_same(const struct ct_kfilter *a, const struct ct_kfilter *b)
{
	return a->skip == b->skip && a->states == b->states &&
	    a->bytecode_len == b->bytecode_len &&
	    (a->bytecode_len == 0 ||
	    memcmp(a->bytecode, b->bytecode, a->bytecode_len) == 0);
}

/*
 * The kernel's share of the filter. For the single walk over both
 * families (AF_UNSPEC) it must hold for each family alike: when the two
 * compile differently, -EXDEV tells the caller to dump them one by one.
 */
static int
snap_kfilter(const struct ct_opts *o, uint8_t family, uint8_t proto,
    uint32_t states, struct ct_kfilter *kf)
{
	struct ct_kfilter k6;
	int rc;

	if (family != AF_UNSPEC)
		return filter_kernel(o->filter, family, proto, states, kf);
	if ((rc = filter_kernel(o->filter, AF_INET, proto, states, kf)) != 0)
		return rc;
	if ((rc = filter_kernel(o->filter, AF_INET6, proto, states, &k6)) != 0) {
		filter_kernel_free(kf);
		return rc;
	}
	if (!kfilter_same(kf, &k6)) {
		filter_kernel_free(kf);
		rc = -EXDEV;
	}
	filter_kernel_free(&k6);
	return rc;
}

/*
 * Who reads the links from connections to their listeners: the tree, the
 * summary, the live view and the listener field. Nothing else does, and
 * at 200,000 records the linking is 6% of what conntab -P executes.
 */
static bool
snap_needs_listeners(const struct ct_opts *o)
{
	return o->tree || o->summary || o->watch ||
	    snap_opts_need(o, 0, CT_F_LISTENER);
}

/*
 * Listener association needs every listener, but the kernel's share of the
 * filter may leave them out (conntab -T dport :X). Then the listeners come
 * in a dump of their own, without the filter, and the filtered dump leaves
 * them out; the user-space filter still decides what is shown.
 */
static bool
snap_split_listeners(const struct ct_opts *o)
{
	return o->filter != NULL && !o->no_pushdown && snap_needs_listeners(o);
}

/* One (family, proto) dump, with the kernel's share of the filter. */
static int
snap_dump_raw(struct ct_diag *d, const struct ct_opts *o, uint8_t family,
    uint8_t proto, enum snap_part part, struct ct_snap *snap)
{
	/* a UDP "listener" is a bound, unconnected socket */
	uint32_t lstates = 1u << (proto == IPPROTO_TCP ? CT_ST_LISTEN : CT_ST_CLOSE);
	uint32_t states = CT_STATES_ALL;
	struct ct_diag_req req;
	struct ct_kfilter kf;
	int rc;

	if (o->listening || part == SNAP_LISTENERS)
		states = lstates;
	memset(&kf, 0, sizeof(kf));
	kf.states = states;
	/* CONNTAB_NO_PUSHDOWN: the kernel gets no part of the filter at all */
	if (!o->no_pushdown && part != SNAP_LISTENERS &&
	    (rc = snap_kfilter(o, family, proto, states, &kf)) != 0)
		return rc;
	if (part == SNAP_REST)
		kf.states &= ~lstates;
	if (kf.skip || kf.states == 0) {
		filter_kernel_free(&kf);
		return 0;
	}
	memset(&req, 0, sizeof(req));
	req.family = family;
	req.proto = proto;
	req.states = kf.states;
	req.info = o->info && proto == IPPROTO_TCP;
	req.bytecode = kf.bytecode;
	req.bytecode_len = kf.bytecode_len;
	rc = diag_dump(d, &req, &snap->socks);
	if (req.bytecode != NULL)
		snap->bc_sent++;
	if (rc == -EINVAL && req.bytecode != NULL) {
		/* the kernel refused our bytecode: the user-space filter suffices */
		snap->bc_refused++;
		req.bytecode = NULL;
		req.bytecode_len = 0;
		rc = diag_dump(d, &req, &snap->socks);
	}
	filter_kernel_free(&kf);
	return rc;
}

static bool
snap_no_diag(int rc)
{
	/* no such diag module in this kernel, or a request it cannot parse */
	return rc == -ENOENT || rc == -EINVAL || rc == -EOPNOTSUPP ||
	    rc == -EPROTONOSUPPORT;
}

/* Dump; what the kernel cannot give becomes a warning, not a failure. */
static int
snap_dump_part(struct ct_diag *d, const struct ct_opts *o, uint8_t family,
    uint8_t proto, enum snap_part part, struct ct_snap *snap)
{
	int rc = snap_dump_raw(d, o, family, proto, part, snap);

	if (rc == 0)
		return 0;
	if (family == AF_UNSPEC && (snap_no_diag(rc) || rc == -EXDEV)) {
		/* no single-walk request here: one dump per family then */
		if ((rc = snap_dump_part(d, o, AF_INET, proto, part, snap)) != 0)
			return rc;
		return snap_dump_part(d, o, AF_INET6, proto, part, snap);
	}
	if (snap_no_diag(rc)) {
		snap->warn |= proto == IPPROTO_TCP ? CT_WARN_NODIAG_TCP :
		    CT_WARN_NODIAG_UDP;
		return 0;
	}
	switch (rc) {
	case -EINTR:	/* the partial list is kept */
		snap->warn |= proto == IPPROTO_TCP ? CT_WARN_INTR_TCP : CT_WARN_INTR_UDP;
		return 0;
	default:
		return rc;
	}
}

static int
snap_dump(struct ct_diag *d, const struct ct_opts *o, uint8_t family,
    uint8_t proto, struct ct_snap *snap)
{
	int rc;

	if (!snap_split_listeners(o))
		return snap_dump_part(d, o, family, proto, SNAP_ALL, snap);
	if ((rc = snap_dump_part(d, o, family, proto, SNAP_LISTENERS, snap)) != 0)
		return rc;
	return snap_dump_part(d, o, family, proto, SNAP_REST, snap);
}

/* Names for the distinct uids of the snapshot, looked up once each. */
static void
snap_load_users(struct ct_snap *snap)
{
	size_t i, n = 0;

	for (i = 0; i < snap->socks.len; i++) {
		struct ct_user key = { .uid = snap->socks.v[i].uid };

		if (n > 0 && bsearch(&key, snap->users, n, sizeof(key), view_user_cmp))
			continue;
		snap->users = xreallocarray(snap->users, n + 1, sizeof(*snap->users));
		snap->users[n] = key;
		n++;
		qsort(snap->users, n, sizeof(*snap->users), view_user_cmp);
	}
	for (i = 0; i < n; i++) {
		struct passwd *pw = getpwuid(snap->users[i].uid);

		if (pw != NULL)
			snprintf(snap->users[i].name, sizeof(snap->users[i].name),
			    "%s", pw->pw_name);
	}
	snap->nusers = n;
}

int
snap_take(struct ct_diag *d, const struct ct_opts *o, struct ct_snap *snap)
{
	return snap_take_cached(d, o, NULL, snap);
}

/*
 * What a series of snapshots keeps: the /proc cache, and the BPF iterator,
 * loaded at the first snapshot that needs owners, to fill the cache when
 * a socket turns up whose owner it does not know (instead of a pass over
 * /proc). A sample in which nothing is new costs a check of the cache:
 * at 40,000 sockets a third of walking the iterator again.
 */
struct ct_snap_cache {
	struct ct_proc_cache *pc;	/* owners remembered */
	struct ct_owners_bpf *bpf;	/* the loaded iterator, or NULL */
	bool		 bpf_tried;	/* loaded, or failed to: not again */
	int		 bpf_err;	/* why it did not load */
	const char	*bpf_stage;
};

int
snap_cache_open(const struct ct_opts *o, struct ct_snap_cache **out)
{
	struct ct_snap_cache *c = xcalloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if ((rc = proc_cache_open(o->procroot, &c->pc)) != 0) {
		free(c);
		return rc;
	}
	*out = c;			/* caller frees: snap_cache_free() */
	return 0;
}

void
snap_cache_free(struct ct_snap_cache *c)
{
	if (c == NULL)
		return;
	owners_bpf_close(c->bpf);
	proc_cache_free(c->pc);
	free(c);
}

/*
 * A one-shot snapshot's owners are collected while its dumps run: a
 * thread walks the BPF iterator (or /proc) into a list of every socket
 * descriptor it saw, linked to the records once they are all in. On two
 * cores the owners then cost little more than the listing.
 */
struct snap_job {
	const struct ct_opts *o;
	struct ct_snap_cache *c;	/* a series': no thread, see snap_owners_cached() */
	bool		 wanted;	/* owners are shown or filtered on */
	bool		 thread;	/* running on tid */
	pthread_t	 tid;
	int		 rc;		/* CONNTAB_OWNERS=bpf could not be served */
	int		 proc_rc;	/* /proc could not be read: a warning */
	struct ct_owners_seen seen;	/* what the back-end saw */
	struct ct_owners names;		/* the owner table to be, names first */
	uint8_t		 from;		/* CT_FROM_* */
	unsigned	 threads;
	int		 bpf_err;
	const char	*bpf_stage;
};

/*
 * The iterator sees the processes of conntab's own PID namespace, not
 * those of another procroot: a test's fake /proc is walked instead.
 */
static bool
snap_bpf_usable(const struct ct_opts *o, int *err, const char **stage)
{
	if (o->owners_src == CT_OWNERS_PROC) {
		*stage = "CONNTAB_OWNERS=proc";
		return false;
	}
	if (strcmp(o->procroot, "/proc") != 0) {
		*err = -ENOTSUP;
		*stage = "a procroot other than /proc";
		return false;
	}
	return true;
}

/*
 * The back-ends in order, silently: the BPF iterator (unless
 * CONNTAB_OWNERS=proc), then /proc. Only CONNTAB_OWNERS=bpf makes the
 * iterator's failure an error.
 */
static void
snap_job_run(struct snap_job *j)
{
	struct ct_owners_bpf *b = NULL;
	int rc;

	if (snap_bpf_usable(j->o, &j->bpf_err, &j->bpf_stage)) {
		if ((rc = owners_bpf_open(&b, &j->bpf_stage)) == 0)
			rc = owners_bpf_collect(b, &j->seen, &j->names,
			    &j->bpf_stage);
		owners_bpf_close(b);
		if (rc == 0) {
			j->from = CT_FROM_BPF;
			return;
		}
		j->bpf_err = rc;
	}
	if (j->o->owners_src == CT_OWNERS_BPF) {
		j->rc = j->bpf_err != 0 ? j->bpf_err : -ENOTSUP;
		return;
	}
	j->from = CT_FROM_PROC;
	j->threads = proc_walk_threads();
	j->proc_rc = proc_collect(j->o->procroot, j->threads, &j->seen,
	    &j->names);
}

static void *
snap_job_main(void *arg)
{
	snap_job_run(arg);
	return NULL;
}

/* Start collecting owners, if the snapshot o asks for needs them. */
static void
snap_owners_start(const struct ct_opts *o, struct ct_snap_cache *c,
    struct snap_job *j)
{
	memset(j, 0, sizeof(*j));
	j->o = o;
	j->c = c;
	j->wanted = (!o->no_procs && snap_opts_need(o, CT_FF_OWNERS, -1)) ||
	    filter_needs_owners(o->filter) ||
	    (!o->no_procs && o->format == CT_FMT_JSON);
	if (!j->wanted || c != NULL)
		return;
	owners_init(&j->names);
	/* no thread to be had: collected at the end, after the dumps */
	j->thread = pthread_create(&j->tid, NULL, snap_job_main, j) == 0;
}

/* Wait for the collection to end; release what it holds. */
static void
snap_owners_abort(struct snap_job *j)
{
	if (j->thread)
		pthread_join(j->tid, NULL);
	j->thread = false;
	owners_seen_free(&j->seen);
	owners_free(&j->names);
}

/* What the cache of a series asks of the iterator, and how that went. */
struct snap_refill {
	struct ct_owners_bpf *bpf;
	int		 rc;
	const char	*stage;
};

static int
snap_refill_cb(void *arg, struct ct_owners_seen *seen, struct ct_owners *names)
{
	struct snap_refill *r = arg;

	r->rc = owners_bpf_collect(r->bpf, seen, names, &r->stage);
	return r->rc;
}

/*
 * A series' owners: the cache, filled by the iterator where it loaded
 * (once, at the first snapshot that needs owners), else by /proc.
 */
static int
snap_owners_cached(const struct ct_opts *o, struct ct_snap_cache *c,
    struct ct_snap *snap)
{
	struct snap_refill r = { NULL, 0, NULL };
	int err = 0;

	snap->owners_threads = 1;
	if (snap_bpf_usable(o, &err, &snap->bpf_stage)) {
		if (!c->bpf_tried) {
			c->bpf_tried = true;
			c->bpf_err = owners_bpf_open(&c->bpf, &c->bpf_stage);
		}
		err = c->bpf_err;
		snap->bpf_stage = c->bpf_stage;
		r.bpf = c->bpf;
	}
	snap->bpf_err = err;
	if (r.bpf == NULL && o->owners_src == CT_OWNERS_BPF)
		return err != 0 ? err : -ENOTSUP;
	if (proc_cache_scan_from(c->pc, &snap->socks, r.bpf != NULL ?
	    snap_refill_cb : NULL, &r, &snap->owners) != 0)
		snap->warn |= CT_WARN_PROC;
	if (r.bpf != NULL && r.rc != 0) {
		/* this once, /proc filled the cache */
		snap->bpf_err = r.rc;
		snap->bpf_stage = r.stage;
		if (o->owners_src == CT_OWNERS_BPF) {
			owners_free(&snap->owners);
			return r.rc;
		}
	}
	snap->owners_from = r.bpf != NULL && r.rc == 0 ? CT_FROM_BPF :
	    CT_FROM_PROC;
	return 0;
}

/* The records are in: link the owners to them (or fail, for =bpf). */
static int
snap_owners_finish(struct snap_job *j, struct ct_snap *snap)
{
	int rc;

	if (!j->wanted)
		return 0;
	if (j->c != NULL)
		return snap_owners_cached(j->o, j->c, snap);
	if (j->thread)
		pthread_join(j->tid, NULL);
	else
		snap_job_run(j);
	j->thread = false;
	snap->owners_from = j->from;
	snap->owners_threads = j->threads;
	snap->bpf_err = j->bpf_err;
	snap->bpf_stage = j->bpf_stage;
	if ((rc = j->rc) != 0) {
		snap_owners_abort(j);
		return rc;
	}
	if (j->proc_rc != 0)
		snap->warn |= CT_WARN_PROC;
	snap->owners = j->names;	/* the names are the table's */
	memset(&j->names, 0, sizeof(j->names));
	owners_link_seen(&j->seen, &snap->socks, &snap->owners);
	owners_seen_free(&j->seen);
	return 0;
}

int
snap_take_cached(struct ct_diag *d, const struct ct_opts *o,
    struct ct_snap_cache *c, struct ct_snap *snap)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct snap_job job;
	size_t f, p;
	int rc;

	memset(snap, 0, sizeof(*snap));
	clock_gettime(CLOCK_MONOTONIC, &snap->when);
	snap_owners_start(o, c, &job);
	for (p = 0; p < 2; p++) {
		if (!(o->protos & (p == 0 ? CT_P_TCP : CT_P_UDP)))
			continue;
		if (protos[p] == IPPROTO_TCP &&
		    o->families == (CT_FAM_4 | CT_FAM_6)) {
			if ((rc = snap_dump(d, o, AF_UNSPEC, IPPROTO_TCP, snap)) != 0)
				goto fail;
			continue;
		}
		for (f = 0; f < 2; f++) {
			if (!(o->families & (f == 0 ? CT_FAM_4 : CT_FAM_6)))
				continue;
			if ((rc = snap_dump(d, o, families[f], protos[p], snap)) != 0)
				goto fail;
		}
	}
	/* unlinked records keep listener 0, as diag_parse_msg() left it */
	if (snap_needs_listeners(o))
		listener_link(&snap->socks);
	if ((rc = snap_owners_finish(&job, snap)) != 0) {
		snap_free(snap);
		snap->failed = CT_FAILED_OWNERS;
		return rc;
	}
	if (snap_opts_need(o, 0, CT_F_USER))
		snap_load_users(snap);
	return 0;
fail:
	snap_owners_abort(&job);
	snap_free(snap);
	snap->failed = protos[p];
	return rc;
}

const char *
snap_failed_dump(const struct ct_snap *snap)
{
	if (snap->failed == CT_FAILED_OWNERS)
		return "BPF owner iterator";
	return snap->failed == IPPROTO_UDP ? "UDP socket dump" :
	    "TCP socket dump";
}

const char *
snap_owners_text(const struct ct_snap *snap, char *buf, size_t size)
{
	char why[160] = "";

	if (snap->bpf_stage != NULL)
		/* ENOTSUP: the stage says it all ("not built in") */
		snprintf(why, sizeof(why), "; not the BPF iterator: %s%s%s",
		    snap->bpf_stage,
		    snap->bpf_err != 0 && snap->bpf_err != -ENOTSUP ? ": " : "",
		    snap->bpf_err != 0 && snap->bpf_err != -ENOTSUP ?
		    strerror(-snap->bpf_err) : "");
	switch (snap->owners_from) {
	case CT_FROM_BPF:
		snprintf(buf, size, "owners from the BPF iterator");
		break;
	case CT_FROM_PROC:
		snprintf(buf, size, "owners from /proc (%u thread%s)%s",
		    snap->owners_threads, snap->owners_threads == 1 ? "" : "s",
		    why);
		break;
	default:
		snprintf(buf, size, "owners not looked up");
		break;
	}
	return buf;
}

const char *
snap_warn_text(unsigned bit)
{
	switch (bit) {
	case CT_WARN_NODIAG_TCP:
		return "cannot dump TCP sockets: this kernel lacks tcp_diag";
	case CT_WARN_NODIAG_UDP:
		return "cannot dump UDP sockets: this kernel lacks udp_diag";
	case CT_WARN_INTR_TCP:
		return "the TCP dump was interrupted 4 times; the list may be incomplete";
	case CT_WARN_INTR_UDP:
		return "the UDP dump was interrupted 4 times; the list may be incomplete";
	case CT_WARN_PROC:
		return "cannot read /proc: owners are unknown";
	}
	return "unknown warning";
}

void
snap_free(struct ct_snap *snap)
{
	if (snap == NULL)
		return;
	sock_list_free(&snap->socks);
	owners_free(&snap->owners);
	free(snap->users);
	snap->users = NULL;
	snap->nusers = 0;
}
