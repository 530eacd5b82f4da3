/*
 * -T: each listener, the members of its SO_REUSEPORT group, the
 * connections it accepted beneath it; then the other connections by
 * destination. The table is an indented tree for reading; tsv/csv give one
 * row per socket with the listener column; JSON nests.
 */
#include "out_tree.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "group.h"
#include "group_tree.h"
#include "opts.h"
#include "out.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

/* Line kinds of the table; each has its own column widths. */
enum {
	TL_HEAD,		/* a listener: proto local state queue conns ... */
	TL_MEMBER,		/* one SO_REUSEPORT member */
	TL_UHEAD,		/* a UDP one: no listen queue, so no queue= */
	TL_UMEMBER,
	TL_CONN,		/* a connection: local <- remote, then columns */
	TL_OUT,			/* an outgoing one: local -> remote, ... */
	TL_DEST,		/* a destination: proto -> remote conns */
	TL_BLANK,		/* between the two sections */
	TL_NKINDS
};

static const char *const tl_indent[TL_NKINDS] = {
	"", "    + ", "", "    + ", "      ", "      ", "", ""
};

#define TL_CELLS	(CT_COLS_MAX + 8)

/* Every line's cells, formatted once; widths measured on the way. */
struct tree_text {
	char		*buf;
	size_t		 len, cap;
	size_t		 width[TL_NKINDS][TL_CELLS];
};

/* Start a line: its kind and cell count go first, as two bytes. */
static void
tt_line(struct tree_text *tt, int kind, size_t ncells)
{
	if (tt->len + 2 > tt->cap) {
		tt->cap = tt->cap == 0 ? 1 << 16 : tt->cap * 2;
		tt->buf = xreallocarray(tt->buf, tt->cap, 1);
	}
	tt->buf[tt->len++] = (char)kind;
	tt->buf[tt->len++] = (char)ncells;
}

/* Room for one cell; the caller writes it and calls tt_done(). */
static char *
tt_cell(struct tree_text *tt)
{
	while (tt->len + CT_CELL_MAX + 32 > tt->cap) {
		tt->cap = tt->cap == 0 ? 1 << 16 : tt->cap * 2;
		tt->buf = xreallocarray(tt->buf, tt->cap, 1);
	}
	return tt->buf + tt->len;
}

static void
tt_done(struct tree_text *tt, int kind, size_t col, size_t len)
{
	if (len > tt->width[kind][col])
		tt->width[kind][col] = len;
	tt->len += len + 1;
}

static void
tt_str(struct tree_text *tt, int kind, size_t col, const char *s)
{
	char *p = tt_cell(tt);
	size_t n = strlen(s);

	memcpy(p, s, n + 1);
	tt_done(tt, kind, col, n);
}

static void
tt_field(struct tree_text *tt, int kind, size_t col, const struct ct_view *view,
    const struct ct_group *g, enum ct_field_id id, int prefix)
{
	char *p = tt_cell(tt);
	bool is_null = false;
	size_t n = fields_get(id)->fmt(view, g, prefix, p, &is_null, NULL);

	if (n == 0) {			/* never an empty word */
		p[0] = '-';
		p[1] = '\0';
		n = 1;
	}
	tt_done(tt, kind, col, n);
}

/* "key=" and a field, as one cell: "conns=300". */
static void
tt_keyed(struct tree_text *tt, int kind, size_t col, const char *key,
    const struct ct_view *view, const struct ct_group *g, enum ct_field_id id)
{
	char *p = tt_cell(tt);
	size_t k = strlen(key), n;
	bool is_null = false;

	memcpy(p, key, k);
	n = fields_get(id)->fmt(view, g, -1, p + k, &is_null, NULL);
	tt_done(tt, kind, col, k + n);
}

/* "queue=R/S", with "!" when the accept queue is over half full. */
static void
tt_queue(struct tree_text *tt, int kind, size_t col, const struct ct_view *view,
    const struct ct_group *g, bool high)
{
	char *p = tt_cell(tt);
	size_t n = 0;
	bool is_null = false;

	memcpy(p, "queue=", 6);
	n = 6;
	n += fields_get(CT_F_RECVQ)->fmt(view, g, -1, p + n, &is_null,
	    NULL);
	p[n++] = '/';
	n += fields_get(CT_F_SENDQ)->fmt(view, g, -1, p + n, &is_null,
	    NULL);
	if (high)
		p[n++] = '!';
	p[n] = '\0';
	tt_done(tt, kind, col, n);
}

static bool
cols_has(const struct ct_cols *c, enum ct_field_id id)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].id == id)
			return true;
	return false;
}

/* The columns a connection line adds after "local <- remote". */
static void
tree_conn_cols(const struct ct_opts *o, struct ct_cols *out)
{
	size_t i;

	out->n = 0;
	for (i = 0; i < o->cols.n; i++) {
		enum ct_field_id id = o->cols.v[i].id;

		/* --all-netns: the head line names the namespace already */
		if (id == CT_F_NETNS && o->all_netns && !o->cols_given)
			continue;
		if (id != CT_F_PROTO && id != CT_F_LOCAL && id != CT_F_REMOTE)
			out->v[out->n++] = o->cols.v[i];
	}
}

static void
tree_text_conn(struct tree_text *tt, int kind, const struct ct_view *view,
    const struct ct_group *g, const struct ct_cols *extra)
{
	size_t j;

	tt_line(tt, kind, 3 + extra->n);
	tt_field(tt, kind, 0, view, g, CT_F_LOCAL, -1);
	tt_str(tt, kind, 1, kind == TL_CONN ? "<-" : "->");
	tt_field(tt, kind, 2, view, g, CT_F_REMOTE, -1);
	for (j = 0; j < extra->n; j++)
		tt_field(tt, kind, 3 + j, view, g, extra->v[j].id,
		    extra->v[j].prefix);
}

static void
tree_text_listener(struct tree_text *tt, const struct ct_view *view,
    const struct ct_tree *t, const struct ct_tree_node *nd,
    const struct ct_opts *o, const struct ct_cols *extra)
{
	bool procs = cols_has(&o->cols, CT_F_PROCESS);
	const struct ct_group *h = &nd->head;
	/*
	 * A bound UDP socket has no listen queue: its recvq and sendq are
	 * bytes, and "queue=R/S" would read as an accept queue and backlog.
	 */
	bool tcp = h->first->proto == IPPROTO_TCP;
	int head = tcp ? TL_HEAD : TL_UHEAD, member = tcp ? TL_MEMBER : TL_UMEMBER;
	char cell[64];
	size_t i, col = 0;

	tt_line(tt, head, 5 + tcp + (nd->nmembers > 1 || procs) + o->all_netns);
	if (o->all_netns)	/* two namespaces may serve one address */
		tt_field(tt, head, col++, view, h, CT_F_NETNS, -1);
	tt_field(tt, head, col++, view, h, CT_F_PROTO, -1);
	tt_field(tt, head, col++, view, h, CT_F_LOCAL, -1);
	tt_field(tt, head, col++, view, h, CT_F_STATE, -1);
	if (tcp)
		tt_queue(tt, head, col++, view, h, h->high);
	tt_keyed(tt, head, col++, "conns=", view, h, CT_F_COUNT);
	tt_keyed(tt, head, col++, "clients=", view, h, CT_F_CLIENTS);
	if (nd->nmembers > 1) {
		snprintf(cell, sizeof(cell), "reuseport=%zu", nd->nmembers);
		tt_str(tt, head, col++, cell);
	} else if (procs) {
		tt_field(tt, head, col++, view, h, CT_F_PROCESS, -1);
	}
	for (i = 0; nd->nmembers > 1 && i < nd->nmembers; i++) {
		const struct ct_group *m = &t->rows[nd->members + i];
		const struct ct_sock *s = m->first;

		col = 0;
		tt_line(tt, member, 2 + tcp + procs);
		tt_field(tt, member, col++, view, m, CT_F_LOCAL, -1);
		tt_field(tt, member, col++, view, m, CT_F_STATE, -1);
		if (tcp)
			tt_queue(tt, member, col++, view, m, s->rqueue > 0 &&
			    (uint64_t)s->rqueue * 2 > s->wqueue);
		if (procs)
			tt_field(tt, member, col++, view, m, CT_F_PROCESS, -1);
	}
	for (i = 0; i < nd->nconns; i++)
		tree_text_conn(tt, TL_CONN, view, &t->rows[nd->conns + i], extra);
}

static void
tree_text_dest(struct tree_text *tt, const struct ct_view *view,
    const struct ct_tree *t, const struct ct_tree_node *nd,
    const struct ct_cols *extra, bool netns)
{
	size_t i, col = 0;

	tt_line(tt, TL_DEST, 4 + netns);
	if (netns)
		tt_field(tt, TL_DEST, col++, view, &nd->head, CT_F_NETNS, -1);
	tt_field(tt, TL_DEST, col++, view, &nd->head, CT_F_PROTO, -1);
	tt_str(tt, TL_DEST, col++, "->");
	/* as the group key: a v4-mapped destination is its IPv4 one */
	tt_field(tt, TL_DEST, col++, view, &nd->head, CT_F_REMOTE,
	    CT_PREFIX_KEY);
	tt_keyed(tt, TL_DEST, col, "conns=", view, &nd->head, CT_F_COUNT);
	for (i = 0; i < nd->nconns; i++)
		tree_text_conn(tt, TL_OUT, view, &t->rows[nd->conns + i], extra);
}

static void
tree_write_table(FILE *fp, const struct ct_snap *snap, const struct ct_tree *t,
    const struct ct_opts *o)
{
	const struct ct_view view = snap_view(snap);
	struct tree_text tt;
	struct ct_cols extra;
	const char *p;
	size_t i, end;

	memset(&tt, 0, sizeof(tt));
	tree_conn_cols(o, &extra);
	for (i = 0; i < t->nnodes; i++) {
		if (i == t->nlisteners && i > 0)
			tt_line(&tt, TL_BLANK, 0);
		if (i < t->nlisteners)
			tree_text_listener(&tt, &view, t, &t->nodes[i], o, &extra);
		else
			tree_text_dest(&tt, &view, t, &t->nodes[i], &extra,
			    o->all_netns);
	}
	for (p = tt.buf, end = tt.len; p < tt.buf + end;) {
		int kind = p[0];
		size_t n = (unsigned char)p[1], j, len, pad;
		const char *cell;

		p += 2;
		fputs(tl_indent[kind], fp);
		for (j = 0; j < n; j++) {
			cell = p;
			len = strlen(cell);
			p += len + 1;
			if (j > 0)
				putc_unlocked(' ', fp);
			fwrite(cell, 1, len, fp);
			for (pad = tt.width[kind][j] - len; j + 1 < n && pad > 0; pad--)
				putc_unlocked(' ', fp);
		}
		putc_unlocked('\n', fp);
	}
	free(tt.buf);
}

/* tsv, csv: the rows in tree order, with the listener column. */
static void
tree_write_sv(FILE *fp, const struct ct_snap *snap, const struct ct_tree *t,
    const struct ct_opts *o)
{
	struct ct_table flat = { .rows = t->rows, .nrows = t->nrows };
	struct ct_opts so = *o;

	if (!cols_has(&so.cols, CT_F_LISTENER) && so.cols.n < CT_COLS_MAX) {
		so.cols.v[so.cols.n].id = CT_F_LISTENER;
		so.cols.v[so.cols.n++].prefix = -1;
	}
	out_sv_write(fp, snap, &flat, &so);
}

/*
 * "key":value for the fields ids of g, as plain JSON has them (prefix
 * CT_PREFIX_NONE) or as a group key (CT_PREFIX_KEY), and the namespace
 * with --all-netns; then a comma.
 */
static void
json_keys(FILE *fp, const struct ct_snap *snap, const struct ct_group *g,
    const enum ct_field_id *ids, size_t n, int prefix, bool netns)
{
	struct ct_cols k;
	size_t i;

	for (i = 0; i < n && i < CT_COLS_MAX; i++) {
		k.v[i].id = ids[i];
		k.v[i].prefix = prefix;
	}
	k.n = i;
	if (netns && k.n < CT_COLS_MAX) {
		k.v[k.n].id = CT_F_NETNS;
		k.v[k.n++].prefix = -1;
	}
	out_json_members(fp, snap, g, &k, NULL);
	putc_unlocked(',', fp);
}

/* An array of socket objects, keyed as plain JSON output is. */
static void
json_rows(FILE *fp, const struct ct_snap *snap, const struct ct_tree *t,
    size_t first, size_t n, const struct ct_opts *o)
{
	struct ct_table sub = { .rows = t->rows + first, .nrows = n };

	out_json_write(fp, snap, &sub, o);
}

static void
tree_write_json(FILE *fp, const struct ct_snap *snap, const struct ct_tree *t,
    const struct ct_opts *o)
{
	static const enum ct_field_id lkeys[] = { CT_F_PROTO, CT_F_FAMILY,
	    CT_F_STATE, CT_F_LADDR, CT_F_LPORT, CT_F_LOCAL, CT_F_RECVQ,
	    CT_F_SENDQ, CT_F_COUNT, CT_F_CLIENTS, CT_F_HIGH };
	static const enum ct_field_id dkeys[] = { CT_F_PROTO, CT_F_FAMILY,
	    CT_F_RADDR, CT_F_RPORT, CT_F_REMOTE, CT_F_RECVQ, CT_F_SENDQ,
	    CT_F_COUNT };
	size_t i;

	fputs("{\"listeners\":[", fp);
	for (i = 0; i < t->nnodes; i++) {
		const struct ct_tree_node *nd = &t->nodes[i];

		if (i == t->nlisteners)
			fputs("],\n\"outgoing\":[", fp);
		else if (i > 0)
			putc_unlocked(',', fp);
		fputs("\n{", fp);
		if (i < t->nlisteners) {
			json_keys(fp, snap, &nd->head, lkeys,
			    sizeof(lkeys) / sizeof(lkeys[0]), CT_PREFIX_NONE,
			    o->all_netns);
			fputs("\"members\":", fp);
			json_rows(fp, snap, t, nd->members, nd->nmembers, o);
			putc_unlocked(',', fp);
		} else {
			json_keys(fp, snap, &nd->head, dkeys,
			    sizeof(dkeys) / sizeof(dkeys[0]), CT_PREFIX_KEY,
			    o->all_netns);
		}
		fputs("\"connections\":", fp);
		json_rows(fp, snap, t, nd->conns, nd->nconns, o);
		putc_unlocked('}', fp);
	}
	if (t->nlisteners == t->nnodes)
		fputs("],\n\"outgoing\":[", fp);
	fputs("]}\n", fp);
}

int
out_tree_write(FILE *fp, const struct ct_snap *snap, const struct ct_tree *t,
    const struct ct_opts *o)
{
	switch (o->format) {
	case CT_FMT_TABLE:
		tree_write_table(fp, snap, t, o);
		break;
	case CT_FMT_TSV:
	case CT_FMT_CSV:
		tree_write_sv(fp, snap, t, o);
		break;
	case CT_FMT_JSON:
		tree_write_json(fp, snap, t, o);
		break;
	case CT_FMT_PROMETHEUS:
	case CT_FMT_OPENMETRICS:
		break;		/* no tree in metrics: main.c says so */
	}
	return 0;
}
