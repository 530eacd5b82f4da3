/*
 * One snapshot: the kernel dumps (with the kernel's share of the filter),
 * in one namespace or, with --all-netns, in every namespace at once (one
 * thread per core, each dumping namespace after namespace through their
 * own sockets), then owners (the BPF iterator where it loads, else /proc,
 * collected on a thread of their own while the dumps run), their labels
 * and user names, when shown or filtered on.
 */
#include "snap.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bytecode.h"
#include "cgroupfs.h"
#include "diag.h"
#include "diag_event.h"
#include "filter.h"
#include "listener.h"
#include "netns.h"
#include "nsset.h"
#include "opts.h"
#include "owners_bpf.h"
#include "owners_link.h"
#include "portrange.h"
#include "proc.h"
#include "proclabel.h"
#include "util.h"

/* What the dumps of one namespace bring: its records, and what went wrong. */
struct snap_acc {
	struct ct_socklist socks;
	unsigned	 warn;		/* CT_WARN_* */
	unsigned	 bc_sent, bc_refused;
	uint8_t		 failed;	/* the protocol of a dump that failed */
	int		 rc;		/* 0, or that dump's -errno */
	bool		 done;		/* --all-netns: taken by a thread */
	bool		 gone;		/* ... and its namespace was gone then */
};

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

/*
 * tcp_info makes every reply bigger: asked for with -i, or when a column,
 * sort key or group key reads it (-o rtt, --sort rtt), which would be
 * empty otherwise. (No filter word reads tcp_info.)
 */
static bool
snap_needs_info(const struct ct_opts *o)
{
	return o->info || snap_opts_need(o, CT_FF_INFO, -1);
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
snap_kfilter(const struct ct_opts *o, const struct ct_netns *ns, uint8_t family,
    uint8_t proto, uint32_t states, struct ct_kfilter *kf)
{
	struct ct_kfilter k6;
	int rc;

	if (family != AF_UNSPEC)
		return filter_kernel_ns(o->filter, family, proto, states, ns, kf);
	if ((rc = filter_kernel_ns(o->filter, AF_INET, proto, states, ns,
	    kf)) != 0)
		return rc;
	if ((rc = filter_kernel_ns(o->filter, AF_INET6, proto, states, ns,
	    &k6)) != 0) {
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
 * Who reads each namespace's ephemeral port range: -s and the metrics
 * count ports against it, and autobound asks whether a port lies in it.
 */
static bool
snap_needs_ranges(const struct ct_opts *o)
{
	return o->summary || o->format == CT_FMT_PROMETHEUS ||
	    o->format == CT_FMT_OPENMETRICS ||
	    (filter_needs(o->filter) & CT_FNEED_AUTO);
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

/* What a snapshot asks the kernel for beyond the records. */
static void
snap_req_wants(const struct ct_opts *o, uint8_t proto, struct ct_diag_req *req)
{
	unsigned fneeds = filter_needs(o->filter);

	req->more = proto == IPPROTO_TCP && snap_opts_need(o, CT_FF_MORE, -1);
	req->info = proto == IPPROTO_TCP && (snap_needs_info(o) || req->more);
	req->meminfo = snap_opts_need(o, CT_FF_MEM, -1);
	req->ext = (fneeds & CT_FNEED_EXT) || snap_opts_need(o, CT_FF_EXT, -1);
}

static int
snap_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * autobound for the records [mark, len) of this dump: the kernel says
 * which sockets hold no SOCK_BINDPORT_LOCK (no port bound by hand) only
 * through its bytecode, so one more dump with the AUTO condition alone
 * names them by cookie. As in ss, the port must also lie in the ephemeral
 * range: the kernel knows no locks of TIME_WAIT and SYN_RECV sockets.
 */
static void
snap_mark_auto(struct ct_diag *d, const struct ct_netns *ns, const struct ct_diag_req *req,
    struct ct_socklist *socks, size_t mark)
{
	struct ct_socklist aut = { 0 };
	struct ct_diag_req ar = *req;
	struct ct_bc_expr *e = bytecode_expr_auto();
	uint64_t *cookies;
	uint16_t lo, hi;
	size_t i;
	void *bc;

	if (bytecode_compile(e, &bc, &ar.bytecode_len) != 0) {
		bytecode_expr_free(e);
		return;
	}
	bytecode_expr_free(e);
	ar.bytecode = bc;
	ar.info = ar.more = ar.meminfo = ar.ext = false;
	if (diag_dump(d, &ar, &aut) != 0 && aut.len == 0) {
		free(bc);
		return;			/* none marked: autobound matches none */
	}
	free(bc);
	cookies = xcalloc(aut.len + 1, sizeof(*cookies));
	for (i = 0; i < aut.len; i++)
		cookies[i] = aut.v[i].cookie;
	qsort(cookies, aut.len, sizeof(*cookies), snap_u64_cmp);
	/* the range was read inside the namespace (snap_needs_ranges()) */
	lo = ns != NULL && ns->range != NULL ? ns->range->low : CT_PORTS_LOW;
	hi = ns != NULL && ns->range != NULL ? ns->range->high : CT_PORTS_HIGH;
	for (i = mark; i < socks->len; i++) {
		struct ct_sock *s = &socks->v[i];

		if (s->lport >= lo && s->lport <= hi &&
		    bsearch(&s->cookie, cookies, aut.len, sizeof(*cookies),
		    snap_u64_cmp) != NULL)
			s->flags |= CT_SF_AUTO;
	}
	free(cookies);
	sock_list_free(&aut);
}

/* One (family, proto) dump, with the kernel's share of the filter. */
static int
snap_dump_raw(struct ct_diag *d, const struct ct_opts *o,
    const struct ct_netns *ns, uint8_t family, uint8_t proto,
    enum snap_part part, struct snap_acc *snap)
{
	/* a UDP "listener" is a bound, unconnected socket */
	uint32_t lstates = 1u << (proto == IPPROTO_TCP ? CT_ST_LISTEN : CT_ST_CLOSE);
	uint32_t states = CT_STATES_ALL;
	struct ct_diag_req req;
	struct ct_kfilter kf;
	size_t mark = snap->socks.len;
	int rc;

	if (o->listening || part == SNAP_LISTENERS)
		states = lstates;
	memset(&kf, 0, sizeof(kf));
	kf.states = states;
	/* CONNTAB_NO_PUSHDOWN: the kernel gets no part of the filter at all */
	if (!o->no_pushdown && part != SNAP_LISTENERS &&
	    (rc = snap_kfilter(o, ns, family, proto, states, &kf)) != 0)
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
	snap_req_wants(o, proto, &req);
	req.bytecode = kf.bytecode;
	req.bytecode_len = kf.bytecode_len;
	rc = diag_dump(d, &req, &snap->socks);
	if (req.bytecode != NULL)
		snap->bc_sent++;
	if ((rc == -EINVAL || rc == -EPERM) && req.bytecode != NULL) {
		/*
		 * the kernel refused our bytecode (EPERM: a mark condition
		 * without CAP_NET_ADMIN): the user-space filter suffices
		 */
		snap->bc_refused++;
		req.bytecode = NULL;
		req.bytecode_len = 0;
		rc = diag_dump(d, &req, &snap->socks);
	}
	filter_kernel_free(&kf);
	if ((rc == 0 || rc == -EINTR) &&
	    (filter_needs(o->filter) & CT_FNEED_AUTO))
		snap_mark_auto(d, ns, &req, &snap->socks, mark);
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
snap_dump_part(struct ct_diag *d, const struct ct_opts *o,
    const struct ct_netns *ns, uint8_t family, uint8_t proto,
    enum snap_part part, struct snap_acc *snap)
{
	int rc = snap_dump_raw(d, o, ns, family, proto, part, snap);

	if (rc == 0)
		return 0;
	if (family == AF_UNSPEC && (snap_no_diag(rc) || rc == -EXDEV)) {
		/* no single-walk request here: one dump per family then */
		if ((rc = snap_dump_part(d, o, ns, AF_INET, proto, part,
		    snap)) != 0)
			return rc;
		return snap_dump_part(d, o, ns, AF_INET6, proto, part, snap);
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
snap_dump(struct ct_diag *d, const struct ct_opts *o, const struct ct_netns *ns,
    uint8_t family, uint8_t proto, struct snap_acc *snap)
{
	int rc;

	if (!snap_split_listeners(o))
		return snap_dump_part(d, o, ns, family, proto, SNAP_ALL, snap);
	if ((rc = snap_dump_part(d, o, ns, family, proto, SNAP_LISTENERS,
	    snap)) != 0)
		return rc;
	return snap_dump_part(d, o, ns, family, proto, SNAP_REST, snap);
}

static const uint8_t snap_families[] = { AF_INET, AF_INET6 };
static const uint8_t snap_protos[] = { IPPROTO_TCP, IPPROTO_UDP };

/*
 * The dumps the options ask for, in one namespace (ns: its record, for
 * the filter's netns terms), into acc. On failure acc->failed names the
 * protocol and acc->rc the error, which comes back too.
 */
static int
snap_dump_ns(struct ct_diag *d, const struct ct_opts *o,
    const struct ct_netns *ns, struct snap_acc *acc)
{
	size_t f, p;
	int rc;

	for (p = 0; p < 2; p++) {
		if (!(o->protos & (p == 0 ? CT_P_TCP : CT_P_UDP)))
			continue;
		if (snap_protos[p] == IPPROTO_TCP &&
		    o->families == (CT_FAM_4 | CT_FAM_6)) {
			if ((rc = snap_dump(d, o, ns, AF_UNSPEC, IPPROTO_TCP,
			    acc)) != 0)
				goto fail;
			continue;
		}
		for (f = 0; f < 2; f++) {
			if (!(o->families & (f == 0 ? CT_FAM_4 : CT_FAM_6)))
				continue;
			if ((rc = snap_dump(d, o, ns, snap_families[f],
			    snap_protos[p], acc)) != 0)
				goto fail;
		}
	}
	return 0;
fail:
	acc->failed = snap_protos[p];
	acc->rc = rc;
	return rc;
}

/*
 * Can nothing in namespace ns match the filter (its netns terms false
 * there)? Then it is not entered at all. Conservative: false when unsure.
 */
static bool
snap_ns_skip(const struct ct_opts *o, const struct ct_netns *ns)
{
	struct ct_kfilter kf;
	size_t f, p;
	bool skip;

	if (o->filter == NULL || o->no_pushdown)
		return false;
	for (p = 0; p < 2; p++) {
		if (!(o->protos & (p == 0 ? CT_P_TCP : CT_P_UDP)))
			continue;
		for (f = 0; f < 2; f++) {
			if (!(o->families & (f == 0 ? CT_FAM_4 : CT_FAM_6)))
				continue;
			if (filter_kernel_ns(o->filter, snap_families[f],
			    snap_protos[p], CT_STATES_ALL, ns, &kf) != 0)
				return false;
			skip = kf.skip;
			filter_kernel_free(&kf);
			if (!skip)
				return false;
		}
	}
	return true;
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

/* Names for the distinct bound devices of the snapshot (the dev field). */
static void
snap_load_ifnames(struct ct_snap *snap)
{
	size_t i, n = 0;

	for (i = 0; i < snap->socks.len; i++) {
		struct ct_ifname key = { .ifindex = snap->socks.v[i].ifindex };

		if (key.ifindex == 0 || (n > 0 && bsearch(&key, snap->ifnames, n,
		    sizeof(key), view_ifname_cmp)))
			continue;
		/* the kernel's own names: the namespace the dump ran in */
		if (if_indextoname(key.ifindex, key.name) == NULL)
			key.name[0] = '\0';
		snap->ifnames = xreallocarray(snap->ifnames, n + 1,
		    sizeof(*snap->ifnames));
		snap->ifnames[n++] = key;
		qsort(snap->ifnames, n, sizeof(*snap->ifnames), view_ifname_cmp);
	}
	snap->nifnames = n;
}

/* Paths for the distinct cgroup ids of the snapshot (the cgroup field). */
static void
snap_load_cgpaths(struct ct_snap *snap)
{
	uint64_t *ids = xcalloc(snap->socks.len + 1, sizeof(*ids));
	size_t i, n = 0;

	for (i = 0; i < snap->socks.len; i++) {
		const struct ct_sockext *x = sock_ext(&snap->socks,
		    &snap->socks.v[i]);

		/* sockets of one process come in runs: one id per run */
		if (x != NULL && x->cgroup_id != 0 &&
		    (n == 0 || ids[n - 1] != x->cgroup_id))
			ids[n++] = x->cgroup_id;
	}
	if (n > 0)
		(void)cgroupfs_paths(ids, n, &snap->cgpaths, &snap->ncgpaths);
	free(ids);
}

/*
 * fwmark in the filter needs every socket's mark, which the kernel sends
 * only to CAP_NET_ADMIN: without it, say so rather than match nothing.
 */
static int
snap_check_marks(const struct ct_opts *o, const struct ct_snap *snap)
{
	size_t i;

	if (!(filter_needs(o->filter) & CT_FNEED_MARK))
		return 0;
	for (i = 0; i < snap->socks.len; i++) {
		const struct ct_sockext *x = sock_ext(&snap->socks,
		    &snap->socks.v[i]);

		if (x == NULL || !(x->has & CT_SX_MARK))
			return -EPERM;
	}
	return 0;
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
	struct ct_nsset	*set;		/* --all-netns: namespaces, sockets */
	unsigned	 evgroups;	/* -w: destroy events heard (CT_EVG_*) */
	struct ct_diag_ev *ev;		/* ... in the one namespace, if it works */
};

/* The destroy groups the options can see: their protocols and families. */
static unsigned
snap_evgroups(const struct ct_opts *o)
{
	unsigned g = 0;

	if (o->protos & CT_P_TCP)
		g |= (o->families & CT_FAM_4 ? CT_EVG_TCP4 : 0) |
		    (o->families & CT_FAM_6 ? CT_EVG_TCP6 : 0);
	if (o->protos & CT_P_UDP)
		g |= (o->families & CT_FAM_4 ? CT_EVG_UDP4 : 0) |
		    (o->families & CT_FAM_6 ? CT_EVG_UDP6 : 0);
	return g;
}

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
	/* one socket per namespace for the whole run, not one per sample */
	if (o->all_netns && (rc = nsset_open(o->procroot, &c->set)) != 0) {
		snap_cache_free(c);
		return rc;
	}
	/*
	 * -w hears what the kernel destroys, from before the first sample:
	 * then no socket a sample shows can close unheard. Failing that, the
	 * samples alone tell (CT_WARN_EVENTS).
	 */
	if (o->watch) {
		c->evgroups = snap_evgroups(o);
		if (c->set != NULL)
			nsset_events(c->set, c->evgroups);
		else if (diag_event_open(c->evgroups, &c->ev) != 0)
			c->ev = NULL;
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
	nsset_free(c->set);
	diag_event_close(c->ev);
	free(c);
}

/* Does anything read the labels of owners (container, pod, unit)? */
static bool
snap_needs_labels(const struct ct_opts *o)
{
	/*
	 * JSON with --all-netns carries them, the live view groups by them,
	 * the metrics count sockets per container
	 */
	return filter_needs_labels(o->filter) ||
	    (!o->no_procs && (snap_opts_need(o, CT_FF_LABEL, -1) ||
	    (o->all_netns && ((o->format == CT_FMT_JSON && !o->cols_given) ||
	    o->watch || o->format == CT_FMT_PROMETHEUS ||
	    o->format == CT_FMT_OPENMETRICS))));
}

/* ---- every namespace at once ------------------------------------------ */

/* The work of one --all-netns snapshot, shared by its threads. */
struct snap_job {
	const struct ct_opts *o;
	struct ct_nsset	*set;
	const struct ct_nstab *tab;
	struct snap_acc	*acc;		/* one per namespace of tab */
	bool		 range;		/* read each namespace's port range */
	bool		 keep;		/* keep the sockets (a cache's set) */
	bool		 events;	/* ... and hear each one's destroy events */
	size_t		 next;		/* the next namespace to take (atomic) */
	size_t		 end;		/* ... up to this one */
	int		 fatal;		/* -ENOTRECOVERABLE: a thread is lost */
};

/*
 * A thread: namespace after namespace, opening each one's socket inside
 * it if it has none (nsset_diag() enters and comes back), then dumping.
 * A namespace that is gone or refuses is marked in the set's table and
 * left out; the others go on.
 */
static void *
snap_worker(void *arg)
{
	struct snap_job *j = arg;
	struct ct_diag *d;
	size_t i;
	int rc;

	while ((i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) < j->end) {
		const struct ct_netns *ns = &j->tab->v[i];

		if (j->acc[i].done)
			continue;	/* in the first round: see snap_dump_all_netns() */
		j->acc[i].done = true;
		if (ns->flags & CT_NS_GONE) {
			j->acc[i].gone = true;
			continue;
		}
		if (snap_ns_skip(j->o, ns))
			continue;
		if ((rc = nsset_diag(j->set, i, j->range, &d)) != 0) {
			if (rc == -ENOTRECOVERABLE) {
				__atomic_store_n(&j->fatal, rc, __ATOMIC_RELAXED);
				break;
			}
			continue;
		}
		if (j->events && nsset_event(j->set, i) == NULL)
			j->acc[i].warn |= CT_WARN_EVENTS;
		snap_dump_ns(d, j->o, ns, &j->acc[i]);
		if (!j->keep)
			nsset_close(j->set, i);
	}
	return NULL;
}

/* Threads to dump with: one per core (CONNTAB_THREADS may say), at least one. */
static size_t
snap_threads(size_t nns)
{
	const char *env = getenv("CONNTAB_THREADS");
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (env != NULL && env[0] != '\0')
		n = strtol(env, NULL, 10);
	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	return (size_t)n < nns ? (size_t)n : (nns > 0 ? nns : 1);
}

/*
 * Run the job on its threads, and meanwhile, in the calling thread, the
 * set's walk of every descriptor when fds (it reads no part of the table
 * the threads use). The calling thread never leaves its namespace, so
 * nothing it opens (/proc, the terminal) lands in another one. If no
 * thread can be made, it does the dumps itself: nsset_diag() comes back
 * each time. Returns the descriptor walk's result (0 without fds).
 */
static int
snap_run_job(struct snap_job *j, bool fds)
{
	size_t n = snap_threads(j->end), i, made = 0;
	pthread_t *t = xcalloc(n, sizeof(*t));
	int rc = 0;

	j->next = 0;
	for (i = 0; i < n; i++)
		if (pthread_create(&t[made], NULL, snap_worker, j) == 0)
			made++;
	if (fds)
		rc = nsset_refresh_fds(j->set);
	if (made == 0)
		snap_worker(j);
	for (i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	free(t);
	return rc;
}

/*
 * The records of every namespace into snap, namespace by namespace in
 * table order (each record naming its namespace), so that each one's
 * records stay together. A namespace whose dump failed is left out,
 * with a warning, as one that refused entry.
 */
static void
snap_gather(struct ct_snap *snap, struct snap_acc *acc, size_t n)
{
	size_t i, k, total = 0, at = 0;
	bool info = false;

	for (i = 0; i < n; i++) {
		if (acc[i].rc != 0) {
			sock_list_free(&acc[i].socks);
			snap->nstab.v[i].flags |= CT_NS_REFUSED;
			snap->nstab.v[i].error = acc[i].rc;
		}
		total += acc[i].socks.len;
		info |= acc[i].socks.info != NULL;
		snap->warn |= acc[i].warn;
		snap->bc_sent += acc[i].bc_sent;
		snap->bc_refused += acc[i].bc_refused;
	}
	snap->socks.cap = total > 0 ? total : 1;
	snap->socks.v = xcalloc(snap->socks.cap, sizeof(*snap->socks.v));
	if (info)
		snap->socks.info = xcalloc(snap->socks.cap,
		    sizeof(*snap->socks.info));
	for (i = 0; i < n; i++) {
		struct ct_socklist *l = &acc[i].socks;

		if (l->len == 0) {
			sock_list_free(l);
			continue;
		}
		memcpy(&snap->socks.v[at], l->v, l->len * sizeof(*l->v));
		if (l->info != NULL)
			memcpy(&snap->socks.info[at], l->info,
			    l->len * sizeof(*l->info));
		for (k = 0; k < l->len; k++)
			snap->socks.v[at + k].netns = (uint16_t)i;
		at += l->len;
		sock_list_free(l);
	}
	snap->socks.len = at;
	for (i = 0; i < n; i++)
		if (snap->nstab.v[i].flags & CT_NS_REFUSED)
			snap->warn |= CT_WARN_NETNS;
}

/* The dumps of every namespace of set (refreshed first) into snap. */
static int
snap_dump_all_netns(struct ct_nsset *set, bool keep, bool events,
    const struct ct_opts *o, struct ct_snap *snap)
{
	struct snap_job j;
	size_t n;
	int rc;

	if ((rc = nsset_refresh_begin(set)) != 0)
		return rc;
	memset(&j, 0, sizeof(j));
	j.o = o;
	j.set = set;
	j.tab = nsset_table(set);
	j.end = j.tab->len;
	j.acc = xcalloc(j.tab->len + 1, sizeof(*j.acc));
	j.range = snap_needs_ranges(o);
	j.keep = keep;
	j.events = events;
	/*
	 * The dumps of what processes, threads and mounts show, while this
	 * thread reads every descriptor's link for namespaces that only a
	 * descriptor holds (on a busy host as dear as the owner walk); then
	 * a second round for those, usually none.
	 */
	rc = snap_run_job(&j, true);
	if ((n = nsset_refresh_end(set)) > 0 && j.fatal == 0) {
		/* new ones: appended, or in a record given out again */
		for (n = 0; n < j.end; n++)
			if (j.acc[n].gone && !(j.tab->v[n].flags & CT_NS_GONE))
				j.acc[n].done = j.acc[n].gone = false;
		j.acc = xreallocarray(j.acc, j.tab->len + 1, sizeof(*j.acc));
		memset(&j.acc[j.end], 0, (j.tab->len + 1 - j.end) * sizeof(*j.acc));
		j.end = j.tab->len;
		snap_run_job(&j, false);
	}
	(void)rc;		/* a descriptor walk that failed found nothing */
	/* the table as the threads left it: who refused, who is gone */
	nstab_copy(&snap->nstab, j.tab);
	snap_gather(snap, j.acc, j.tab->len);
	free(j.acc);
	return j.fatal;
}

/*
 * The label the processes of namespace i share, for its sockets without
 * a known owner: read (and kept) only for namespaces that have such
 * sockets, process by process until two disagree.
 */
static void
snap_ns_labels(struct ct_snap *snap, const struct ct_nsset *set,
    const struct ct_opts *o)
{
	bool *orphans = xcalloc(snap->nstab.len + 1, sizeof(*orphans));
	size_t i;

	for (i = 0; i < snap->socks.len; i++)
		if (snap->socks.v[i].owners == 0)
			orphans[snap->socks.v[i].netns] = true;
	for (i = 0; i < snap->nstab.len; i++) {
		const uint32_t *pids;
		size_t n;

		if (!orphans[i] || (pids = nsset_pids(set, i, &n)) == NULL)
			continue;
		snap->nstab.v[i].label = proclabel_shared(o->procroot, pids, n,
		    &snap->labels);
	}
	free(orphans);
}

/* The labels of every record's first owner. */
static void
snap_load_labels(struct ct_snap *snap, const struct ct_opts *o)
{
	uint32_t *pids = xcalloc(snap->socks.len + 1, sizeof(*pids));
	size_t i, n = 0;

	for (i = 0; i < snap->socks.len; i++) {
		const struct ct_owner *w = owners_get(&snap->owners,
		    snap->socks.v[i].owners);

		if (w != NULL && (n == 0 || pids[n - 1] != w->pid))
			pids[n++] = w->pid;
	}
	proclabel_add(o->procroot, pids, n, &snap->labels);
	free(pids);
}

/* The one namespace of a snapshot without --all-netns: where we are. */
static void
snap_this_netns(struct ct_snap *snap, const struct ct_opts *o)
{
	struct ct_netns *ns = nstab_append(&snap->nstab);

	if (netns_describe_self(o->procroot, netns_spec_name(o->netns), ns) != 0)
		nstab_name(ns, netns_spec_name(o->netns));
	if (snap_needs_ranges(o)) {
		ns->range = xmalloc(sizeof(*ns->range));
		if (netns_read_range(o->procroot, ns->range) != 0)
			snap->warn |= CT_WARN_RANGE;	/* the defaults, then */
	}
}

/*
 * A one-shot snapshot's owners are collected while its dumps run: a
 * thread walks the BPF iterator (or /proc) into a list of every socket
 * descriptor it saw, linked to the records once they are all in. On two
 * cores the owners then cost little more than the listing.
 */
struct snap_owners_job {
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
snap_job_run(struct snap_owners_job *j)
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
    struct snap_owners_job *j)
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
snap_owners_abort(struct snap_owners_job *j)
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
snap_owners_finish(struct snap_owners_job *j, struct ct_snap *snap)
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
	struct ct_nsset *set = c != NULL ? c->set : NULL, *tmp = NULL;
	struct snap_owners_job job;
	struct snap_acc acc;
	int rc;

	memset(snap, 0, sizeof(*snap));
	clock_gettime(CLOCK_MONOTONIC, &snap->when);
	snap_owners_start(o, c, &job);
	if (o->all_netns) {
		if (set == NULL && (rc = nsset_open(o->procroot, &tmp)) != 0)
			goto fail_netns;
		if ((rc = snap_dump_all_netns(set != NULL ? set : tmp, set != NULL,
		    set != NULL && c->evgroups != 0, o, snap)) != 0)
			goto fail_netns;
	} else {
		snap_this_netns(snap, o);
		if (c != NULL && c->evgroups != 0) {
			if (c->ev != NULL)
				snap->nstab.v[0].flags |= CT_NS_EVENTS;
			else
				snap->warn |= CT_WARN_EVENTS;
		}
		memset(&acc, 0, sizeof(acc));
		if ((rc = snap_dump_ns(d, o, &snap->nstab.v[0], &acc)) != 0) {
			snap_owners_abort(&job);
			sock_list_free(&acc.socks);
			snap_free(snap);
			snap->failed = acc.failed;
			return rc;
		}
		snap->socks = acc.socks;
		snap->warn |= acc.warn;
		snap->bc_sent = acc.bc_sent;
		snap->bc_refused = acc.bc_refused;
	}
	if ((rc = snap_check_marks(o, snap)) != 0) {
		snap_free(snap);
		snap->failed = CT_SNAP_FAIL_MARK;
		return rc;
	}
	/* unlinked records keep listener 0, as diag_parse_msg() left it */
	if (snap_needs_listeners(o))
		listener_link(&snap->socks);
	/* socket inodes are unique host-wide: one walk finds every namespace's */
	if ((rc = snap_owners_finish(&job, snap)) != 0) {
		nsset_free(tmp);
		snap_free(snap);
		snap->failed = CT_FAILED_OWNERS;
		return rc;
	}
	if (snap_needs_labels(o)) {
		labels_init(&snap->labels);
		snap_load_labels(snap, o);
		if (o->all_netns)
			snap_ns_labels(snap, set != NULL ? set : tmp, o);
	}
	if (snap_opts_need(o, 0, CT_F_USER))
		snap_load_users(snap);
	nsset_free(tmp);
	if (snap_opts_need(o, CT_FF_IFNAME, -1))
		snap_load_ifnames(snap);
	if (snap_opts_need(o, CT_FF_CGPATH, -1))
		snap_load_cgpaths(snap);
	return 0;
fail_netns:
	snap_owners_abort(&job);
	nsset_free(tmp);
	snap_free(snap);
	snap->failed = CT_SNAP_FAILED_NETNS;
	return rc;
}

size_t
snap_events_fds(const struct ct_snap_cache *c, int *fds, size_t max)
{
	const struct ct_nstab *t;
	struct ct_diag_ev *ev;
	size_t i, n = 0;

	if (c == NULL || c->evgroups == 0)
		return 0;
	if (c->set == NULL) {
		if (c->ev != NULL && max > 0)
			fds[0] = diag_event_fd(c->ev);
		return c->ev != NULL;
	}
	t = nsset_table(c->set);
	for (i = 0; i < t->len; i++) {
		if ((ev = nsset_event(c->set, i)) == NULL)
			continue;
		if (n < max)
			fds[n] = diag_event_fd(ev);
		n++;
	}
	return n;
}

/* The events of one socket into out, their records named namespace ns. */
static int
snap_events_one(struct ct_diag_ev *ev, uint16_t ns, struct ct_socklist *out,
    struct ct_snap_evstat *st)
{
	size_t mark = out->len, i;
	uint64_t lost;
	int rc = diag_event_read(ev, out, &lost);

	for (i = mark; i < out->len; i++)
		out->v[i].netns = ns;
	if (rc != -ENOBUFS)
		return rc;
	/* the overrun is news, not a failure: the caller resyncs */
	if (!st->overrun)
		st->lost_known = true;
	st->overrun = true;
	if (lost == CT_EV_LOST_UNKNOWN)
		st->lost_known = false;
	else
		st->lost += lost;
	return 0;
}

int
snap_events_read(struct ct_snap_cache *c, struct ct_socklist *out,
    struct ct_snap_evstat *st)
{
	const struct ct_nstab *t;
	struct ct_diag_ev *ev;
	size_t i;
	int rc, first = 0;

	memset(st, 0, sizeof(*st));
	if (c == NULL || c->evgroups == 0)
		return 0;
	if (c->set == NULL)
		return c->ev != NULL ? snap_events_one(c->ev, 0, out, st) : 0;
	t = nsset_table(c->set);
	for (i = 0; i < t->len; i++) {
		if ((ev = nsset_event(c->set, i)) == NULL)
			continue;
		if ((rc = snap_events_one(ev, (uint16_t)i, out, st)) != 0 &&
		    first == 0)
			first = rc;
	}
	return first;
}

int
snap_destroy(struct ct_diag *d, struct ct_snap_cache *c,
    const struct ct_snap *snap, const struct ct_sock *s)
{
	const struct ct_netns *ns, *now;
	struct ct_diag *dd;
	int rc;

	if (c == NULL || c->set == NULL)
		return d != NULL ? diag_destroy(d, s) : -ENOTCONN;
	/* the namespace the record names must still be the set's one there */
	ns = nstab_get(&snap->nstab, s->netns);
	now = nstab_get(nsset_table(c->set), s->netns);
	if (ns == NULL || now == NULL || ns->dev != now->dev ||
	    ns->ino != now->ino || (now->flags & CT_NS_GONE))
		return -ENOENT;
	if ((rc = nsset_diag(c->set, s->netns, false, &dd)) != 0)
		return rc;
	return diag_destroy(dd, s);
}

const char *
snap_failed_dump(const struct ct_snap *snap)
{
	if (snap->failed == CT_SNAP_FAILED_NETNS)
		return "--all-netns";
	if (snap->failed == CT_FAILED_OWNERS)
		return "BPF owner iterator";
	if (snap->failed == CT_SNAP_FAIL_MARK)
		return "fwmark: reading socket marks needs CAP_NET_ADMIN";
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
	case CT_WARN_NETNS:
		return "a network namespace could not be entered or dumped; "
		    "its sockets are not listed";
	case CT_WARN_RANGE:
		return "cannot read net.ipv4.ip_local_port_range; assuming "
		    "32768-60999, none reserved";
	case CT_WARN_EVENTS:
		return "cannot hear the kernel's destroy events; closes come "
		    "from the samples alone";
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
	nstab_free(&snap->nstab);
	labels_free(&snap->labels);
	free(snap->ifnames);
	snap->ifnames = NULL;
	snap->nifnames = 0;
	cgroupfs_free(snap->cgpaths, snap->ncgpaths);
	snap->cgpaths = NULL;
	snap->ncgpaths = 0;
}
