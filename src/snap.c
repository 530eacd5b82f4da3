/*
 * One snapshot: the kernel dumps (with the kernel's share of the filter),
 * then owners from /proc and user names, when shown or filtered on.
 */
#include "snap.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bytecode.h"
#include "cgroupfs.h"
#include "diag.h"
#include "filter.h"
#include "listener.h"
#include "opts.h"
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

/* What a snapshot asks the kernel for beyond the records. */
static void
snap_req_wants(const struct ct_opts *o, uint8_t proto, struct ct_diag_req *req)
{
	unsigned fneeds = filter_needs(o->filter);

	req->more = proto == IPPROTO_TCP && snap_opts_need(o, CT_FF_MORE, -1);
	req->info = proto == IPPROTO_TCP && (o->info || req->more);
	req->meminfo = snap_opts_need(o, CT_FF_MEM, -1);
	req->ext = (fneeds & CT_FNEED_EXT) || snap_opts_need(o, CT_FF_EXT, -1);
}

/* The ephemeral port range of this namespace (autobound), as ss reads it. */
static void
snap_port_range(const struct ct_opts *o, uint16_t *lo, uint16_t *hi)
{
	char path[4096];
	unsigned a, b;
	FILE *fp;

	*lo = 32768;			/* the kernel's default */
	*hi = 60999;
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_local_port_range",
	    o->procroot);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	if (fscanf(fp, "%u %u", &a, &b) == 2 && a <= b && b <= 65535) {
		*lo = (uint16_t)a;
		*hi = (uint16_t)b;
	}
	fclose(fp);
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
snap_mark_auto(struct ct_diag *d, const struct ct_opts *o,
    const struct ct_diag_req *req, struct ct_snap *snap, size_t mark)
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
	snap_port_range(o, &lo, &hi);
	for (i = mark; i < snap->socks.len; i++) {
		struct ct_sock *s = &snap->socks.v[i];

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
snap_dump_raw(struct ct_diag *d, const struct ct_opts *o, uint8_t family,
    uint8_t proto, enum snap_part part, struct ct_snap *snap)
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
		snap_mark_auto(d, o, &req, snap, mark);
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

struct ct_snap_cache {
	struct ct_proc_cache *pc;	/* owners from /proc */
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
	proc_cache_free(c->pc);
	free(c);
}

int
snap_take_cached(struct ct_diag *d, const struct ct_opts *o,
    struct ct_snap_cache *c, struct ct_snap *snap)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	size_t f, p;
	int rc;

	memset(snap, 0, sizeof(*snap));
	clock_gettime(CLOCK_MONOTONIC, &snap->when);
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
	if ((rc = snap_check_marks(o, snap)) != 0) {
		snap_free(snap);
		snap->failed = CT_SNAP_FAIL_MARK;
		return rc;
	}
	/* unlinked records keep listener 0, as diag_parse_msg() left it */
	if (snap_needs_listeners(o))
		listener_link(&snap->socks);
	if ((!o->no_procs && snap_opts_need(o, CT_FF_OWNERS, -1)) ||
	    filter_needs_owners(o->filter) || (!o->no_procs && o->format == CT_FMT_JSON)) {
		if ((c != NULL ? proc_cache_scan(c->pc, &snap->socks, &snap->owners) :
		    proc_scan(o->procroot, &snap->socks, &snap->owners)) != 0)
			snap->warn |= CT_WARN_PROC;
	}
	if (snap_opts_need(o, 0, CT_F_USER))
		snap_load_users(snap);
	if (snap_opts_need(o, CT_FF_IFNAME, -1))
		snap_load_ifnames(snap);
	if (snap_opts_need(o, CT_FF_CGPATH, -1))
		snap_load_cgpaths(snap);
	return 0;
fail:
	snap_free(snap);
	snap->failed = protos[p];
	return rc;
}

const char *
snap_failed_dump(const struct ct_snap *snap)
{
	if (snap->failed == CT_SNAP_FAIL_MARK)
		return "fwmark: reading socket marks needs CAP_NET_ADMIN";
	return snap->failed == IPPROTO_UDP ? "UDP socket dump" :
	    "TCP socket dump";
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
	free(snap->ifnames);
	snap->ifnames = NULL;
	snap->nifnames = 0;
	cgroupfs_free(snap->cgpaths, snap->ncgpaths);
	snap->cgpaths = NULL;
	snap->ncgpaths = 0;
}
