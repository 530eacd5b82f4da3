/*
 * Fuzz the collector's receive side: diag_dump() over a transport whose
 * recvs return the fuzz input (layout in fuzz_diag.h), so that the whole
 * loop runs: framing, mnl_cb_run(), sequence and port checks, the
 * interrupted-dump retries and drain, and diag_parse_msg() on every record.
 *
 * What must hold whatever the bytes:
 * - the records in the list before the dump are untouched;
 * - a failure other than -EINTR leaves the list as it was;
 * - every record added is a whole one (a known family, a protocol);
 * - the return is 0 or a sane -errno;
 * - no recv once a datagram holding the end of the dump (NLMSG_DONE or
 *   NLMSG_ERROR) was returned, until the next request: on a real socket
 *   that recv would block for ever.
 *
 * Whatever the dump kept (up to FZ_RENDER_MAX records, to keep the pace)
 * then goes through the rest of the pipeline as conntab would show it
 * (listener links, every column, the table, tsv, csv and json, -g, -T,
 * the metrics of --format prometheus and openmetrics), and no renderer may
 * let a control byte through: a hostile or broken reply must not reach
 * the terminal raw. Every metrics line must be a comment or one whole
 * sample: a name, labels quoted and escaped, a number; no name and label
 * set twice. The metrics go once more as --all-netns has them, over
 * namespaces named by the records' own bytes (some alike, some unnamed,
 * and records naming none).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "fields.h"
#include "fuzz_diag.h"
#include "group.h"
#include "group_tree.h"
#include "listener.h"
#include "metrics.h"
#include "nstab.h"
#include "opts.h"
#include "out.h"
#include "out_prom.h"
#include "out_tree.h"
#include "snap.h"
#include "sock.h"
#include "summary.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_RENDER_MAX	64

struct fz_io {
	const uint8_t	*p, *end;
	uint32_t	 portid;
	bool		 ended;		/* the last datagram ended the dump */
	unsigned	 sends;
};

#define FZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_diag: %s:%d: %s\n", __FILE__, __LINE__, \
		    #cond); \
		abort(); \
	} \
} while (0)

static ssize_t
fz_send(void *ctx, const void *buf, size_t len)
{
	struct fz_io *io = ctx;

	(void)buf;
	io->ended = false;
	io->sends++;
	return (ssize_t)len;
}

/*
 * Does the datagram end the dump? Walked by hand: libmnl's mnl_nlmsg_ok()
 * lets a length of 2 GiB or more through (see diag_msg_ok() in diag.c).
 */
static bool
fz_chunk_ends(const void *buf, size_t n)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)n;

	for (; len >= NLMSG_HDRLEN && nlh->nlmsg_len >= NLMSG_HDRLEN &&
	    nlh->nlmsg_len <= (uint32_t)len; nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
			return true;
	return false;
}

static ssize_t
fz_recv(void *ctx, void *buf, size_t len)
{
	struct fz_io *io = ctx;
	size_t n;

	FZ_CHECK(!io->ended);
	if (io->end - io->p < 2)
		return 0;
	n = (size_t)io->p[0] | (size_t)io->p[1] << 8;
	io->p += 2;
	if (n == FZD_FAIL) {
		errno = io->p < io->end ? *io->p++ : 0;
		if (errno == 0 || errno == EAGAIN)
			errno = EIO;
		return -1;
	}
	if (n > (size_t)(io->end - io->p))
		n = (size_t)(io->end - io->p);
	/* a datagram longer than the buffer is cut, as recv would */
	memcpy(buf, io->p, n < len ? n : len);
	io->p += n;
	n = n < len ? n : len;
	io->ended = fz_chunk_ends(buf, n);
	return (ssize_t)n;
}

static uint32_t
fz_portid(void *ctx)
{
	return ((struct fz_io *)ctx)->portid;
}

/* Only printable ASCII and the format's own separators and line ends. */
static void
fz_check_text(const char *buf, size_t len, enum ct_format fmt)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c >= 0x20 && c < 0x7f) || c == '\n')
			continue;
		FZ_CHECK((c == '\t' && fmt == CT_FMT_TSV) ||
		    (c == '\r' && fmt == CT_FMT_CSV));
	}
}

/* The renderer main.c picks for o->format. */
static void
fz_write(FILE *fp, const struct ct_snap *snap, const struct ct_table *t,
    const struct ct_opts *o)
{
	switch (o->format) {
	case CT_FMT_TABLE:
		out_table_write(fp, snap, t, o);
		break;
	case CT_FMT_TSV:
	case CT_FMT_CSV:
		out_sv_write(fp, snap, t, o);
		break;
	case CT_FMT_JSON:
		out_json_write(fp, snap, t, o);
		break;
	case CT_FMT_PROMETHEUS:
	case CT_FMT_OPENMETRICS:
		break;			/* fz_render_metrics() */
	}
}

/* One line of a metrics text: a comment, or name{l="v",...} number. */
static void
fz_check_sample(const char *p, const char *end)
{
	if (p == end || *p == '#')
		return;
	while (p < end && (*p == '_' || *p == ':' || (*p >= 'a' && *p <= 'z') ||
	    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
		p++;
	if (p < end && *p == '{') {
		do {
			p++;
			while (p < end && ((*p >= 'a' && *p <= 'z') || *p == '_'))
				p++;
			FZ_CHECK(p + 1 < end && p[0] == '=' && p[1] == '"');
			for (p += 2; p < end && *p != '"'; p++)
				if (*p == '\\') {
					FZ_CHECK(p + 1 < end && (p[1] == '\\' ||
					    p[1] == '"' || p[1] == 'n'));
					p++;
				}
			FZ_CHECK(p < end);
			p++;
		} while (p < end && *p == ',');
		FZ_CHECK(p < end && *p == '}');
		p++;
	}
	FZ_CHECK(p < end && *p == ' ');
	for (p++; p < end; p++)
		FZ_CHECK((*p >= '0' && *p <= '9') || *p == '.');
}

static int
fz_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* No two samples of buf (NUL-terminated) with one name and label set. */
static void
fz_check_unique(char *buf)
{
	char **v = NULL, *line, *save = NULL, *sp;
	size_t n = 0, cap = 0, i;

	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (*line == '#' || (sp = strrchr(line, ' ')) == NULL)
			continue;
		*sp = '\0';		/* the value: a number, no blank in it */
		if (n == cap) {
			cap = cap > 0 ? cap * 2 : 64;
			FZ_CHECK((v = realloc(v, cap * sizeof(*v))) != NULL);
		}
		v[n++] = line;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), fz_str_cmp);
	for (i = 1; i < n; i++)
		FZ_CHECK(strcmp(v[i - 1], v[i]) != 0);
	free(v);
}

/*
 * A copy of snap over up to four namespaces named by bytes of its first
 * records (any byte but NUL; the third named as the first, the second
 * unnamed), each record in the namespace its local port picks, or in none
 * the table has. Free with fz_netns_free().
 */
static void
fz_netns(const struct ct_snap *snap, struct ct_snap *out)
{
	size_t i, nns = snap->socks.len < 4 ? snap->socks.len : 4;

	*out = *snap;
	memset(&out->nstab, 0, sizeof(out->nstab));
	memset(&out->socks, 0, sizeof(out->socks));
	out->socks.len = out->socks.cap = snap->socks.len;
	FZ_CHECK((out->socks.v = calloc(snap->socks.len + 1,
	    sizeof(*out->socks.v))) != NULL);
	if (snap->socks.len > 0)
		memcpy(out->socks.v, snap->socks.v,
		    snap->socks.len * sizeof(*out->socks.v));
	out->socks.info = snap->socks.info;	/* borrowed, read only */
	for (i = 0; i < nns; i++) {
		const struct ct_sock *s = &snap->socks.v[i];
		struct ct_netns *ns = nstab_append(&out->nstab);
		char name[2 * sizeof(s->local.bytes) + 1];

		memcpy(name, s->local.bytes, sizeof(s->local.bytes));
		memcpy(name + sizeof(s->local.bytes), s->remote.bytes,
		    sizeof(s->remote.bytes));
		name[sizeof(name) - 1] = '\0';
		ns->ino = 4026531840u + s->inode;
		ns->flags = i == 0 && (s->lport & 1) ? CT_NS_HOST : 0;
		nstab_name(ns, i == 1 ? NULL : i == 2 ? out->nstab.v[0].name : name);
	}
	for (i = 0; i < out->socks.len; i++)
		out->socks.v[i].netns = (uint16_t)(out->socks.v[i].lport % (nns + 1));
}

static void
fz_netns_free(struct ct_snap *s)
{
	nstab_free(&s->nstab);
	free(s->socks.v);
}

/*
 * The metrics of snap in both formats, two series kept of each family;
 * then with --all-netns (fz_netns()).
 */
static void
fz_render_metrics(const struct ct_snap *plain)
{
	static const enum ct_format fmts[] = { CT_FMT_PROMETHEUS,
	    CT_FMT_OPENMETRICS, CT_FMT_PROMETHEUS, CT_FMT_OPENMETRICS };
	const struct ct_prom_counters c = { 1, 2, 3 };
	const struct ct_prom_meta meta = { 0.5, &c };
	const struct ct_snap *snap = plain;
	struct ct_snap many;
	struct ct_metrics m;
	struct ct_opts o;
	size_t f, len;
	char *buf, *p, *nl;
	FILE *fp;

	fz_netns(plain, &many);
	for (f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		memset(&o, 0, sizeof(o));
		o.protos = CT_P_TCP | CT_P_UDP;
		o.families = CT_FAM_4 | CT_FAM_6;
		o.format = fmts[f];
		o.procroot = "/nonexistent";
		o.summary = true;
		o.series_max = 2;
		o.all_netns = f >= 2;
		snap = o.all_netns ? &many : plain;
		FZ_CHECK((fp = open_memstream(&buf, &len)) != NULL);
		metrics_build(snap, &o, &m);
		out_prom_write(fp, snap, &m, &meta, &o);
		metrics_free(&m);
		FZ_CHECK(fclose(fp) == 0);
		fz_check_text(buf, len, fmts[f]);
		FZ_CHECK(len > 0 && buf[len - 1] == '\n');
		for (p = buf; p < buf + len; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(buf + len - p));
			fz_check_sample(p, nl);
		}
		fz_check_unique(buf);
		free(buf);
	}
	fz_netns_free(&many);
}

/* Render snap every way conntab can, and check each text. */
static void
fz_render(const struct ct_snap *snap)
{
	static const enum ct_format fmts[] = { CT_FMT_TABLE, CT_FMT_TSV,
	    CT_FMT_CSV, CT_FMT_JSON };
	struct ct_opts o;
	struct ct_table t;
	struct ct_tree tree;
	size_t i, f, len;
	char *buf;
	FILE *fp;

	for (f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		memset(&o, 0, sizeof(o));
		o.protos = CT_P_TCP | CT_P_UDP;
		o.families = CT_FAM_4 | CT_FAM_6;
		o.format = fmts[f];
		o.procroot = "/nonexistent";
		/* every per-socket column, and -o's JSON keys with it */
		for (i = 0; i <= CT_F_RATE_OUT; i++) {
			o.cols.v[o.cols.n].id = (enum ct_field_id)i;
			o.cols.v[o.cols.n++].prefix = -1;
		}

		o.cols_given = true;
		FZ_CHECK((fp = open_memstream(&buf, &len)) != NULL);
		group_table_build(snap, &o, &t);
		fz_write(fp, snap, &t, &o);
		group_table_free(&t);
		/* ss's fields: dev, fwmark, cgroup, memory, timer, more of -i */
		for (i = CT_F_DEV; i < CT_F_NFIELDS; ) {
			for (o.cols.n = 0; i < CT_F_NFIELDS &&
			    o.cols.n < CT_COLS_MAX; i++) {
				o.cols.v[o.cols.n].id = (enum ct_field_id)i;
				o.cols.v[o.cols.n++].prefix = -1;
			}
			group_table_build(snap, &o, &t);
			fz_write(fp, snap, &t, &o);
			group_table_free(&t);
		}
		/* -g raddr/24,state,lport */
		o.cols_given = false;
		o.group.n = 3;
		o.group.v[0].id = CT_F_RADDR;
		o.group.v[0].prefix = 24;
		o.group.v[1].id = CT_F_STATE;
		o.group.v[1].prefix = -1;
		o.group.v[2].id = CT_F_LPORT;
		o.group.v[2].prefix = -1;
		o.cols = o.group;
		o.cols.v[o.cols.n].id = CT_F_COUNT;
		o.cols.v[o.cols.n++].prefix = -1;
		group_table_build(snap, &o, &t);
		fz_write(fp, snap, &t, &o);
		group_table_free(&t);
		/* -T */
		o.group.n = 0;
		o.tree = true;
		group_tree_build(snap, &o, &tree);
		out_tree_write(fp, snap, &tree, &o);
		group_tree_free(&tree);
		FZ_CHECK(fclose(fp) == 0);
		fz_check_text(buf, len, fmts[f]);
		free(buf);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t fams[] = { AF_UNSPEC, AF_INET, AF_INET6, AF_INET };
	struct fz_io io;
	struct ct_diag_io dio = { fz_send, fz_recv, fz_portid, NULL, &io };
	struct ct_diag_req req;
	struct ct_socklist l = { 0 };
	struct ct_diag *d = NULL;
	struct ct_sock *s;
	size_t i;
	int rc;

	if (size < FZD_HDRLEN)
		return 0;
	memset(&io, 0, sizeof(io));
	io.portid = (uint32_t)data[1] | (uint32_t)data[2] << 8 |
	    (uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;
	io.p = data + FZD_HDRLEN;
	io.end = data + size;
	memset(&req, 0, sizeof(req));
	req.family = fams[data[0] & FZD_FAMILY_MASK];
	req.proto = data[0] & FZD_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	req.states = CT_STATES_ALL;
	req.info = (data[0] & FZD_INFO) != 0;
	req.more = req.meminfo = req.ext = (data[0] & FZD_MORE) != 0;

	s = sock_list_append(&l);		/* the mark: must survive */
	s->lport = 4242;
	s->inode = 4242;
	FZ_CHECK(diag_open_io(&dio, &d) == 0);
	rc = diag_dump(d, &req, &l);
	diag_close(d);

	FZ_CHECK(rc <= 0 && rc > -4096);
	FZ_CHECK(io.sends >= 1 && io.sends <= 4);
	FZ_CHECK(l.len >= 1 && l.v[0].lport == 4242 && l.v[0].inode == 4242);
	if (rc != 0 && rc != -EINTR)
		FZ_CHECK(l.len == 1);
	for (i = 1; i < l.len; i++) {
		s = &l.v[i];
		FZ_CHECK(s->local.family == AF_INET || s->local.family == AF_INET6);
		FZ_CHECK(s->remote.family == s->local.family);
		FZ_CHECK(s->proto != 0);
	}
	if ((rc == 0 || rc == -EINTR) && l.len <= FZ_RENDER_MAX) {
		struct ct_snap snap;

		memset(&snap, 0, sizeof(snap));
		snap.socks = l;			/* borrowed: freed below */
		listener_link(&snap.socks);
		fz_render(&snap);
		fz_render_metrics(&snap);
		l = snap.socks;
	}
	sock_list_free(&l);
	return 0;
}
