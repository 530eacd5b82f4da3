/*
 * --format prometheus and openmetrics: the figures of struct ct_metrics as
 * metric families, for node_exporter's textfile collector (--output) and
 * anything else that reads the exposition formats.
 *
 * Each family is built as a set of series first: a label set, spelled by
 * the fields' own formatters (the values the table prints), and its
 * figures. Equal label sets are merged, since a scrape must never see one
 * twice (two listeners bound to different interfaces on one address and
 * port are one series); then a capped set keeps its largest series and
 * folds the rest into one whose every label reads "other".
 *
 * With --all-netns every family that counts sockets carries a netns label
 * first, and the sockets, the container family and the available ports
 * are per namespace. The collection's own figures are not: one run.
 */
#include "out_prom.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fields.h"
#include "group.h"
#include "metrics.h"
#include "opts.h"
#include "snap.h"
#include "sock.h"
#include "summary.h"
#include "util.h"

/* The labels of one series at most: the four of the ports, and room. */
#define PROM_LABELS_MAX	6
/* The text of a label set at most: each value byte escapes to two. */
#define PROM_TEXT_MAX	(PROM_LABELS_MAX * (24 + 2 * CT_CELL_MAX))
/* What a folded series' labels say. */
#define PROM_OTHER	"other"

enum prom_type { PROM_GAUGE, PROM_COUNTER };

struct prom_family {
	const char	*name;		/* a counter's without "_total" */
	enum prom_type	 type;
	const char	*unit;		/* OpenMetrics UNIT (the name ends in it) */
	const char	*help;		/* no backslash or newline: printed as is */
};

enum {
	PF_SOCKETS,
	PF_LST_CONNS,
	PF_LST_CLIENTS,
	PF_LST_QUEUE,
	PF_LST_BACKLOG,
	PF_PORTS_USED,
	PF_PORTS_AVAIL,
	PF_PROCESS,
	PF_CONTAINER,
	PF_CLOSED,
	PF_LOST,
	PF_DURATION,
	PF_WARNINGS,
	PF_N
};

static const struct prom_family prom_families[PF_N] = {
	[PF_SOCKETS] = { "conntab_sockets", PROM_GAUGE, NULL,
	    "Sockets by protocol, address family and state." },
	[PF_LST_CONNS] = { "conntab_listener_connections", PROM_GAUGE, NULL,
	    "Open connections a listener accepted (every SO_REUSEPORT member), "
	    "as conntab -s counts them." },
	[PF_LST_CLIENTS] = { "conntab_listener_clients", PROM_GAUGE, NULL,
	    "Distinct client addresses among a listener's connections." },
	[PF_LST_QUEUE] = { "conntab_listener_accept_queue", PROM_GAUGE, NULL,
	    "Connections waiting in a TCP listener's accept queue." },
	[PF_LST_BACKLOG] = { "conntab_listener_backlog", PROM_GAUGE, NULL,
	    "The limit of a TCP listener's accept queue: its listen() backlog, "
	    "capped by net.core.somaxconn." },
	[PF_PORTS_USED] = { "conntab_ephemeral_ports_used", PROM_GAUGE, NULL,
	    "Ephemeral local ports in use toward one destination." },
	[PF_PORTS_AVAIL] = { "conntab_ephemeral_ports_available", PROM_GAUGE, NULL,
	    "Ports connect() may choose from: net.ipv4.ip_local_port_range less "
	    "net.ipv4.ip_local_reserved_ports." },
	[PF_PROCESS] = { "conntab_process_sockets", PROM_GAUGE, NULL,
	    "Sockets by the name of their first owning process, protocol and "
	    "state." },
	[PF_CONTAINER] = { "conntab_container_sockets", PROM_GAUGE, NULL,
	    "Sockets by the container and Kubernetes pod of their first owning "
	    "process (or the ones their namespace's processes share), protocol "
	    "and state." },
	[PF_CLOSED] = { "conntab_closed_connections", PROM_COUNTER, NULL,
	    "Connections closed, from the kernel's destroy events." },
	[PF_LOST] = { "conntab_close_events_lost", PROM_COUNTER, NULL,
	    "Destroy events the kernel dropped when conntab fell behind." },
	[PF_DURATION] = { "conntab_collect_duration_seconds", PROM_GAUGE,
	    "seconds", "Time the socket dumps and the owner lookup took." },
	[PF_WARNINGS] = { "conntab_collect_warnings", PROM_GAUGE, NULL,
	    "Warnings of this collection: interrupted dumps, protocols the "
	    "kernel cannot dump, an unreadable /proc or port range." },
};

/* One series: its label set, spelled and escaped, and its figures. */
struct prom_series {
	char		*labels;	/* `proto="tcp",lport="500"` */
	uint64_t	 v[4];		/* v[0] ranks the series for the cap */
	bool		 queue;		/* a TCP listener: v[2], v[3] are its
					   accept queue and backlog */
};

/* The series of one family (of the four listener families together). */
struct prom_set {
	struct prom_series *s;
	size_t		 n, cap;
	struct ct_cols	 cols;		/* the label fields, in order */
	const struct prom_netns *ns;	/* the netns label's text; NULL: none */
};

/*
 * --all-netns: the netns label of each namespace of the snapshot, spelled
 * once (prom_netns_names()).
 */
struct prom_netns {
	char		**name;		/* by namespace index */
	size_t		 n;
};

struct prom_text {
	char		 buf[PROM_TEXT_MAX];
	size_t		 len;
};

static void
prom_put(struct prom_text *t, const char *s, size_t n)
{
	if (n > sizeof(t->buf) - 1 - t->len)	/* never, with these bounds */
		n = sizeof(t->buf) - 1 - t->len;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/*
 * name="value": the escapes both formats want in a label value. The
 * fields' text has no newline or control byte left (util_escape()), but
 * a process name may well hold a quote or a backslash.
 */
static void
prom_put_label(struct prom_text *t, const char *name, const char *v, size_t n)
{
	size_t i, run;

	if (t->len > 0)
		prom_put(t, ",", 1);
	prom_put(t, name, strlen(name));
	prom_put(t, "=\"", 2);
	for (i = 0; i < n; i += run) {
		run = strcspn(v + i, "\\\"\n");
		if (run > n - i)
			run = n - i;
		prom_put(t, v + i, run);
		if (i + run == n)
			break;
		prom_put(t, v[i + run] == '\\' ? "\\\\" : v[i + run] == '"' ?
		    "\\\"" : "\\n", 2);
		run++;
	}
	prom_put(t, "\"", 1);
}

/*
 * A family's label fields: ids, after netns when ns is not NULL (the
 * row's first record names its namespace, as it spells any label).
 */
static void
prom_set_init(struct prom_set *set, const enum ct_field_id *ids, size_t n,
    const struct prom_netns *ns)
{
	size_t i;

	memset(set, 0, sizeof(*set));
	set->ns = ns;
	if (ns != NULL) {
		set->cols.v[set->cols.n].id = CT_F_NETNS;
		set->cols.v[set->cols.n++].prefix = -1;
	}
	for (i = 0; i < n && set->cols.n < PROM_LABELS_MAX; i++) {
		set->cols.v[set->cols.n].id = ids[i];
		set->cols.v[set->cols.n++].prefix = -1;
	}
}

static void
prom_set_push(struct prom_set *set, char *labels, const uint64_t *v, bool queue)
{
	struct prom_series *s;

	if (set->n == set->cap) {
		set->cap = set->cap > 0 ? set->cap * 2 : 16;
		set->s = xreallocarray(set->s, set->cap, sizeof(*set->s));
	}
	s = &set->s[set->n++];
	s->labels = labels;
	memcpy(s->v, v, sizeof(s->v));
	s->queue = queue;
}

/* A series for row g: its labels as the fields spell them. */
static void
prom_set_add(struct prom_set *set, const struct ct_view *view,
    const struct ct_group *g, const uint64_t *v, bool queue)
{
	struct prom_text t = { .len = 0 };
	char cell[CT_CELL_MAX];
	size_t i, len;

	t.buf[0] = '\0';
	for (i = 0; i < set->cols.n; i++) {
		const struct ct_field *f = fields_get(set->cols.v[i].id);
		bool is_null = false;

		if (set->cols.v[i].id == CT_F_NETNS && set->ns != NULL) {
			const char *name = g->first->netns < set->ns->n ?
			    set->ns->name[g->first->netns] : "-";

			prom_put_label(&t, f->name, name, strlen(name));
			continue;
		}
		len = f->fmt(view, g, set->cols.v[i].prefix, cell, &is_null, NULL);
		prom_put_label(&t, f->name, cell, len);
	}
	prom_set_push(set, xstrdup(t.buf), v, queue);
}

static int
prom_series_label_cmp(const void *x, const void *y)
{
	return strcmp(((const struct prom_series *)x)->labels,
	    ((const struct prom_series *)y)->labels);
}

/* Largest first, then by the labels: a total order. */
static int
prom_series_rank_cmp(const void *x, const void *y)
{
	const struct prom_series *a = x, *b = y;

	if (a->v[0] != b->v[0])
		return a->v[0] < b->v[0] ? 1 : -1;
	return strcmp(a->labels, b->labels);
}

static void
prom_series_add(struct prom_series *acc, const struct prom_series *s)
{
	size_t i;

	for (i = 0; i < 4; i++)
		acc->v[i] += s->v[i];
	acc->queue |= s->queue;
}

/* Sort by the labels and merge equal label sets, adding their figures. */
static void
prom_set_merge(struct prom_set *set)
{
	size_t i, n = 0;

	if (set->n == 0)
		return;		/* no array at all: qsort() wants one */
	qsort(set->s, set->n, sizeof(*set->s), prom_series_label_cmp);
	for (i = 0; i < set->n; i++) {
		if (n > 0 && strcmp(set->s[n - 1].labels, set->s[i].labels) == 0) {
			prom_series_add(&set->s[n - 1], &set->s[i]);
			free(set->s[i].labels);
		} else {
			set->s[n++] = set->s[i];
		}
	}
	set->n = n;
}

/*
 * Keep the max largest series (all of them for max 0), in that order, and
 * fold the rest into one more, last, whose every label reads "other" and
 * whose figures are their sums. No real series reads "other" in every
 * label (proto is always tcp or udp), so the fold is a series of its own.
 */
static void
prom_set_cap(struct prom_set *set, unsigned max)
{
	struct prom_text t = { .len = 0 };
	struct prom_series other;
	size_t i;

	if (set->n > 0)
		qsort(set->s, set->n, sizeof(*set->s), prom_series_rank_cmp);
	if (max == 0 || set->n <= max)
		return;
	memset(&other, 0, sizeof(other));
	for (i = max; i < set->n; i++) {
		prom_series_add(&other, &set->s[i]);
		free(set->s[i].labels);
	}
	t.buf[0] = '\0';
	for (i = 0; i < set->cols.n; i++)
		prom_put_label(&t, fields_get(set->cols.v[i].id)->name, PROM_OTHER,
		    strlen(PROM_OTHER));
	set->n = max;
	prom_set_push(set, xstrdup(t.buf), other.v, other.queue);
}

static void
prom_set_free(struct prom_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->s[i].labels);
	free(set->s);
	memset(set, 0, sizeof(*set));
}

static void
prom_head(FILE *fp, const struct prom_family *f, bool om)
{
	const char *type = f->type == PROM_COUNTER ? "counter" : "gauge";
	/* 0.0.4 names a counter family by its samples; OpenMetrics does not */
	const char *total = f->type == PROM_COUNTER && !om ? "_total" : "";

	if (om) {
		fprintf(fp, "# TYPE %s %s\n", f->name, type);
		if (f->unit != NULL)
			fprintf(fp, "# UNIT %s %s\n", f->name, f->unit);
		fprintf(fp, "# HELP %s %s\n", f->name, f->help);
		return;
	}
	fprintf(fp, "# HELP %s%s %s\n# TYPE %s%s %s\n", f->name, total, f->help,
	    f->name, total, type);
}

static void
prom_sample(FILE *fp, const struct prom_family *f, const char *labels,
    const char *value)
{
	fputs(f->name, fp);
	if (f->type == PROM_COUNTER)
		fputs("_total", fp);
	if (labels[0] != '\0') {
		putc_unlocked('{', fp);
		fputs(labels, fp);
		putc_unlocked('}', fp);
	}
	putc_unlocked(' ', fp);
	fputs(value, fp);
	putc_unlocked('\n', fp);
}

/* Family f from figure k of each series (of TCP listeners only: queue). */
static void
prom_write_set(FILE *fp, int fam, const struct prom_set *set, size_t k,
    bool queue, bool om)
{
	const struct prom_family *f = &prom_families[fam];
	char num[24];
	bool head = false;
	size_t i;

	for (i = 0; i < set->n; i++) {
		if (queue && !set->s[i].queue)
			continue;
		if (!head)
			prom_head(fp, f, om);
		head = true;
		snprintf(num, sizeof(num), "%" PRIu64, set->s[i].v[k]);
		prom_sample(fp, f, set->s[i].labels, num);
	}
}

/* A family of one series without labels. */
static void
prom_write_one(FILE *fp, int fam, const char *value, bool om)
{
	prom_head(fp, &prom_families[fam], om);
	prom_sample(fp, &prom_families[fam], "", value);
}

/* Which states a protocol shows even at 0, so a series does not vanish. */
static bool
prom_state_shown(uint8_t proto, uint8_t state, bool listening)
{
	if (proto == IPPROTO_UDP)
		return state == CT_ST_CLOSE || (!listening && state == CT_ST_ESTABLISHED);
	return state == CT_ST_LISTEN || !listening;
}

/*
 * conntab_sockets: the counted rows, and every state of every protocol
 * and family dumped at 0 (a protocol the kernel cannot dump is left out),
 * spelled from a record made up for it; with --all-netns, in every
 * namespace shown.
 */
static void
prom_sockets(const struct ct_snap *snap, const struct ct_metrics *m,
    const struct ct_opts *o, const struct prom_netns *nsn, struct prom_set *set)
{
	static const enum ct_field_id ids[] = { CT_F_PROTO, CT_F_FAMILY,
	    CT_F_STATE };
	static const struct {
		uint8_t		 proto;
		unsigned	 opt, nodiag;
	} protos[] = { { IPPROTO_TCP, CT_P_TCP, CT_WARN_NODIAG_TCP },
	    { IPPROTO_UDP, CT_P_UDP, CT_WARN_NODIAG_UDP } };
	static const struct {
		uint8_t		 family;
		unsigned	 opt;
	} fams[] = { { AF_INET, CT_FAM_4 }, { AF_INET6, CT_FAM_6 } };
	const struct ct_view view = snap_view(snap);
	uint64_t v[4] = { 0 };
	size_t i, p, f, ns, nns = nsn != NULL ? m->nns : 1;
	uint8_t st;

	prom_set_init(set, ids, sizeof(ids) / sizeof(ids[0]), nsn);
	for (i = 0; i < m->sockets.nrows; i++) {
		v[0] = m->sockets.rows[i].count;
		prom_set_add(set, &view, &m->sockets.rows[i], v, false);
	}
	v[0] = 0;
	for (ns = 0; ns < nns; ns++) {
		if (nsn != NULL && !m->ns[ns].shown)
			continue;
		for (p = 0; p < 2; p++) {
			if (!(o->protos & protos[p].opt) ||
			    (snap->warn & protos[p].nodiag))
				continue;
			for (f = 0; f < 2; f++) {
				if (!(o->families & fams[f].opt))
					continue;
				for (st = 1; st < CT_ST_MAX; st++) {
					struct ct_sock fake;
					struct ct_group g;

					if (!prom_state_shown(protos[p].proto, st,
					    o->listening))
						continue;
					memset(&fake, 0, sizeof(fake));
					memset(&g, 0, sizeof(g));
					fake.proto = protos[p].proto;
					fake.state = st;
					fake.local.family = fams[f].family;
					fake.remote.family = fams[f].family;
					fake.netns = (uint16_t)ns;
					g.first = &fake;
					prom_set_add(set, &view, &g, v, false);
				}
			}
		}
	}
	prom_set_merge(set);
}

/* The listeners of -s: connections, clients, accept queue, backlog. */
static void
prom_listeners(const struct ct_snap *snap, const struct ct_metrics *m,
    const struct ct_opts *o, const struct prom_netns *nsn, struct prom_set *set)
{
	static const enum ct_field_id ids[] = { CT_F_PROTO, CT_F_LADDR,
	    CT_F_LPORT };
	const struct ct_view view = snap_view(snap);
	const struct ct_table *t = &m->sum.listeners;
	size_t i;

	prom_set_init(set, ids, sizeof(ids) / sizeof(ids[0]), nsn);
	for (i = 0; i < t->nrows; i++) {
		const struct ct_group *g = &t->rows[i];
		/* a UDP socket's queues are bytes, not connections */
		bool tcp = g->first->proto == IPPROTO_TCP;
		uint64_t v[4] = { g->count, g->clients, tcp ? g->rq : 0,
		    tcp ? g->wq : 0 };

		prom_set_add(set, &view, g, v, tcp);
	}
	prom_set_merge(set);
	prom_set_cap(set, o->series_max);
}

/* The destinations of -s, by ephemeral ports used. */
static void
prom_ports(const struct ct_snap *snap, const struct ct_metrics *m,
    const struct ct_opts *o, const struct prom_netns *nsn, struct prom_set *set)
{
	static const enum ct_field_id ids[] = { CT_F_PROTO, CT_F_LADDR,
	    CT_F_RADDR, CT_F_RPORT };
	const struct ct_view view = snap_view(snap);
	const struct ct_table *t = &m->sum.ports;
	size_t i;

	prom_set_init(set, ids, sizeof(ids) / sizeof(ids[0]), nsn);
	for (i = 0; i < t->nrows; i++) {
		uint64_t v[4] = { t->rows[i].ports_used, 0, 0, 0 };

		prom_set_add(set, &view, &t->rows[i], v, false);
	}
	prom_set_merge(set);
	prom_set_cap(set, o->series_max);
}

/*
 * With --all-netns, the ports a namespace's range leaves connect() (each
 * namespace has its own), one series per namespace shown, so that the
 * division by the ports used pairs them by netns.
 */
static void
prom_avail(const struct ct_snap *snap, const struct ct_metrics *m,
    const struct prom_netns *nsn, struct prom_set *set)
{
	const struct ct_view view = snap_view(snap);
	size_t ns;

	prom_set_init(set, NULL, 0, nsn);
	for (ns = 0; ns < m->nns; ns++) {
		uint64_t v[4] = { m->ns[ns].ports_avail, 0, 0, 0 };
		struct ct_sock fake;
		struct ct_group g;

		if (!m->ns[ns].shown)
			continue;
		memset(&fake, 0, sizeof(fake));
		memset(&g, 0, sizeof(g));
		fake.netns = (uint16_t)ns;
		g.first = &fake;
		prom_set_add(set, &view, &g, v, false);
	}
	/* one per namespace and no two spelled alike: nothing merges */
	prom_set_merge(set);
}

/* The rows of t (per name, per container) as a capped family. */
static void
prom_counted(const struct ct_snap *snap, const struct ct_table *t,
    const enum ct_field_id *ids, size_t nids, const struct ct_opts *o,
    const struct prom_netns *nsn, struct prom_set *set)
{
	const struct ct_view view = snap_view(snap);
	size_t i;

	prom_set_init(set, ids, nids, nsn);
	for (i = 0; i < t->nrows; i++) {
		uint64_t v[4] = { t->rows[i].count, 0, 0, 0 };

		prom_set_add(set, &view, &t->rows[i], v, false);
	}
	prom_set_merge(set);
	prom_set_cap(set, o->series_max);
}

static void
prom_procs(const struct ct_snap *snap, const struct ct_metrics *m,
    const struct ct_opts *o, const struct prom_netns *nsn, struct prom_set *set)
{
	static const enum ct_field_id ids[] = { CT_F_COMM, CT_F_PROTO,
	    CT_F_STATE };

	prom_counted(snap, &m->procs, ids, sizeof(ids) / sizeof(ids[0]), o, nsn,
	    set);
}

/* --all-netns: per container and pod (labels two units apart are one). */
static void
prom_containers(const struct ct_snap *snap, const struct ct_metrics *m,
    const struct ct_opts *o, const struct prom_netns *nsn, struct prom_set *set)
{
	static const enum ct_field_id ids[] = { CT_F_CONTAINER, CT_F_POD,
	    CT_F_PROTO, CT_F_STATE };

	prom_counted(snap, &m->containers, ids, sizeof(ids) / sizeof(ids[0]), o,
	    nsn, set);
}

/* -w: the destroy events' counters, per protocol dumped. */
static void
prom_closed(const struct ct_snap *snap, const struct ct_prom_counters *c,
    const struct ct_opts *o, struct prom_set *set)
{
	static const enum ct_field_id ids[] = { CT_F_PROTO };
	const struct ct_view view = snap_view(snap);
	size_t p;

	prom_set_init(set, ids, 1, NULL);	/* one run: no namespace */
	for (p = 0; p < 2; p++) {
		uint64_t v[4] = { p == 0 ? c->closed_tcp : c->closed_udp, 0, 0, 0 };
		struct ct_sock fake;
		struct ct_group g;

		if (!(o->protos & (p == 0 ? CT_P_TCP : CT_P_UDP)))
			continue;
		memset(&fake, 0, sizeof(fake));
		memset(&g, 0, sizeof(g));
		fake.proto = p == 0 ? IPPROTO_TCP : IPPROTO_UDP;
		g.first = &fake;
		prom_set_add(set, &view, &g, v, false);
	}
}

struct prom_name_ctx {
	char		**name;
};

static int
prom_name_cmp(const void *x, const void *y, void *arg)
{
	const struct prom_name_ctx *c = arg;

	return strcmp(c->name[*(const uint32_t *)x], c->name[*(const uint32_t *)y]);
}

/*
 * The netns label of each namespace: what the field prints (escaped, cut
 * at CT_CELL_MAX as the table cuts it). But names are not unique: two
 * mount namespaces may each bind-mount one as "web", anyone who can mount
 * may name one "host", two long names may cut alike. A label value must
 * never stand for two namespaces (the division of the ports pairs by it,
 * and a scrape must not see one label set twice), so a name that the
 * namespaces in the export share is replaced, for each that took it from
 * a bind mount, by "net:[INODE]", which no other can spell; again, until
 * no two share one (a replacement may meet a name "net:[INODE]" too).
 */
static void
prom_netns_names(const struct ct_snap *snap, const struct ct_metrics *m,
    struct prom_netns *out)
{
	const struct ct_view view = snap_view(snap);
	const struct ct_field *f = fields_get(CT_F_NETNS);
	struct prom_name_ctx ctx;
	char cell[CT_CELL_MAX];
	uint32_t *idx;
	bool *fallen, changed = true;
	size_t i, j, k, n = 0, round;

	out->n = m->nns;
	out->name = xcalloc(out->n + 1, sizeof(*out->name));
	idx = xcalloc(out->n + 1, sizeof(*idx));
	fallen = xcalloc(out->n + 1, sizeof(*fallen));
	for (i = 0; i < out->n; i++) {
		struct ct_sock fake;
		struct ct_group g;
		bool is_null = false;

		memset(&fake, 0, sizeof(fake));
		memset(&g, 0, sizeof(g));
		fake.netns = (uint16_t)i;
		g.first = &fake;
		f->fmt(&view, &g, -1, cell, &is_null, NULL);
		out->name[i] = xstrdup(cell);
		/* only the namespaces that are in the export can meet */
		if (m->ns[i].shown || m->ns[i].nsocks > 0)
			idx[n++] = (uint32_t)i;
	}
	ctx.name = out->name;
	/* each round replaces one name at least, or ends: n + 1 at most */
	for (round = 0; changed && round <= n; round++) {
		changed = false;
		if (n > 1)
			qsort_r(idx, n, sizeof(*idx), prom_name_cmp, &ctx);
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && prom_name_cmp(&idx[i], &idx[j],
			    &ctx) == 0; j++)
				;
			for (k = i; j - i > 1 && k < j; k++) {
				const struct ct_netns *ns = &snap->nstab.v[idx[k]];

				if (!(ns->flags & CT_NS_NAMED) || fallen[idx[k]])
					continue;
				snprintf(cell, sizeof(cell), "net:[%" PRIu64 "]",
				    ns->ino);
				free(out->name[idx[k]]);
				out->name[idx[k]] = xstrdup(cell);
				fallen[idx[k]] = true;
				changed = true;
			}
		}
	}
	free(fallen);
	free(idx);
}

static void
prom_netns_free(struct prom_netns *nsn)
{
	size_t i;

	for (i = 0; i < nsn->n; i++)
		free(nsn->name[i]);
	free(nsn->name);
	memset(nsn, 0, sizeof(*nsn));
}

int
out_prom_write(FILE *fp, const struct ct_snap *snap, const struct ct_metrics *m,
    const struct ct_prom_meta *meta, const struct ct_opts *o)
{
	bool om = o->format == CT_FMT_OPENMETRICS;
	struct prom_netns names = { NULL, 0 }, *nsn = NULL;
	struct prom_set set;
	char num[32];

	/* --all-netns: the netns label on every family that counts sockets */
	if (o->all_netns && m->ns != NULL) {
		prom_netns_names(snap, m, &names);
		nsn = &names;
	}
	prom_sockets(snap, m, o, nsn, &set);
	prom_write_set(fp, PF_SOCKETS, &set, 0, false, om);
	prom_set_free(&set);

	prom_listeners(snap, m, o, nsn, &set);
	prom_write_set(fp, PF_LST_CONNS, &set, 0, false, om);
	prom_write_set(fp, PF_LST_CLIENTS, &set, 1, false, om);
	prom_write_set(fp, PF_LST_QUEUE, &set, 2, true, om);
	prom_write_set(fp, PF_LST_BACKLOG, &set, 3, true, om);
	prom_set_free(&set);

	prom_ports(snap, m, o, nsn, &set);
	prom_write_set(fp, PF_PORTS_USED, &set, 0, false, om);
	prom_set_free(&set);
	if (nsn != NULL) {
		prom_avail(snap, m, nsn, &set);
		prom_write_set(fp, PF_PORTS_AVAIL, &set, 0, false, om);
		prom_set_free(&set);
	} else {
		snprintf(num, sizeof(num), "%" PRIu32, m->ports_avail);
		prom_write_one(fp, PF_PORTS_AVAIL, num, om);
	}

	if (m->have_procs) {
		prom_procs(snap, m, o, nsn, &set);
		prom_write_set(fp, PF_PROCESS, &set, 0, false, om);
		prom_set_free(&set);
	}
	if (m->have_containers) {
		prom_containers(snap, m, o, nsn, &set);
		prom_write_set(fp, PF_CONTAINER, &set, 0, false, om);
		prom_set_free(&set);
	}
	prom_netns_free(&names);
	if (meta->counters != NULL) {
		prom_closed(snap, meta->counters, o, &set);
		prom_write_set(fp, PF_CLOSED, &set, 0, false, om);
		prom_set_free(&set);
		snprintf(num, sizeof(num), "%" PRIu64, meta->counters->events_lost);
		prom_write_one(fp, PF_LOST, num, om);
	}
	snprintf(num, sizeof(num), "%.6f", meta->collect_seconds);
	prom_write_one(fp, PF_DURATION, num, om);
	snprintf(num, sizeof(num), "%u", m->warnings);
	prom_write_one(fp, PF_WARNINGS, num, om);
	if (om)
		fputs("# EOF\n", fp);
	return 0;
}
