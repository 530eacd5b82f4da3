/*
 * -s: totals per protocol and state, figures per listener, and the
 * ephemeral ports in use toward each destination against the size of
 * net.ipv4.ip_local_port_range: the limit a client really meets.
 */
#include "summary.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fields.h"
#include "filter.h"
#include "group_tree.h"
#include "listener.h"
#include "opts.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

#define CMP(a, b)	(((a) > (b)) - ((a) < (b)))

static bool
bit_get(const uint8_t *map, uint16_t i)
{
	return (map[i >> 3] >> (i & 7)) & 1;
}

static void
bit_set(uint8_t *map, uint16_t i)
{
	map[i >> 3] |= (uint8_t)(1u << (i & 7));
}

/* A port number at *p, advancing it; -EINVAL or -ERANGE. */
static int
parse_port(const char **p, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	errno = 0;
	*out = strtoul(*p, &end, 10);
	if (errno != 0 || *out > 65535)
		return -ERANGE;
	*p = end;
	return 0;
}

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return p;
}

int
summary_parse_range(const char *text, uint16_t *low, uint16_t *high)
{
	const char *p = skip_blanks(text);
	unsigned long lo, hi;

	if (parse_port(&p, &lo) != 0)
		return -EINVAL;
	if (*p != ' ' && *p != '\t')
		return -EINVAL;
	p = skip_blanks(p);
	if (parse_port(&p, &hi) != 0 || *skip_blanks(p) != '\0')
		return -EINVAL;
	if (lo == 0 || lo > hi)
		return -EINVAL;
	*low = (uint16_t)lo;
	*high = (uint16_t)hi;
	return 0;
}

int
summary_parse_reserved(const char *text, uint8_t *bitmap)
{
	const char *p = skip_blanks(text);
	unsigned long lo, hi, i;
	int rc;

	while (*p != '\0') {
		if ((rc = parse_port(&p, &lo)) != 0)
			return rc;
		hi = lo;
		if (*p == '-') {
			p++;
			if ((rc = parse_port(&p, &hi)) != 0)
				return rc;
			if (hi < lo)
				return -ERANGE;
		}
		for (i = lo; i <= hi; i++)
			bit_set(bitmap, (uint16_t)i);
		p = skip_blanks(p);
		if (*p == ',')
			p = skip_blanks(p + 1);
		else if (*p != '\0')
			return -EINVAL;
	}
	return 0;
}

void
summary_range_count(struct ct_portrange *r)
{
	uint32_t p;

	r->avail = 0;
	for (p = r->low; p <= r->high; p++)
		if (!bit_get(r->reserved, (uint16_t)p))
			r->avail++;
}

bool
summary_port_ephemeral(const struct ct_portrange *r, uint16_t port)
{
	return port >= r->low && port <= r->high && !bit_get(r->reserved, port);
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
summary_read_range(const char *procroot, struct ct_portrange *r)
{
	char path[4096], *buf;
	int rc;

	memset(r, 0, sizeof(*r));
	r->low = CT_PORTS_LOW;
	r->high = CT_PORTS_HIGH;
	buf = xmalloc(1 << 16);
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_local_port_range",
	    procroot);
	if ((rc = read_small(path, buf, 64)) != 0 ||
	    (rc = summary_parse_range(buf, &r->low, &r->high)) != 0) {
		r->low = CT_PORTS_LOW;
		r->high = CT_PORTS_HIGH;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_local_reserved_ports",
	    procroot);
	if ((rc = read_small(path, buf, 1 << 16)) == -ENOENT)
		rc = 0;			/* an old kernel: nothing reserved */
	else if (rc == 0)
		rc = summary_parse_reserved(buf, r->reserved);
	if (rc != 0) {
		memset(r->reserved, 0, sizeof(r->reserved));
		goto out;
	}
	r->known = true;
out:
	summary_range_count(r);
	free(buf);
	return rc;
}

/* Totals: per protocol, largest first, then by state name. */
static int
summary_totals_cmp(const void *x, const void *y)
{
	const struct ct_group *a = x, *b = y;
	int c;

	if ((c = CMP(a->first->proto, b->first->proto)) != 0 ||
	    (c = CMP(b->count, a->count)) != 0)
		return c;
	return strcmp(sock_state_name(a->first->proto, a->first->state),
	    sock_state_name(b->first->proto, b->first->state));
}

/* Listeners: most connections first, then the default order. */
static int
summary_listeners_cmp(const void *x, const void *y)
{
	const struct ct_group *a = x, *b = y;
	int c = CMP(b->count, a->count);

	return c != 0 ? c : group_cmp_default(a->first, b->first);
}

struct ports_ctx {
	const struct ct_view *view;
	const struct ct_cols *keys;
};

/* Destinations: most ports first, then the key (a total order). */
static int
summary_ports_cmp(const void *x, const void *y, void *arg)
{
	const struct ct_group *a = x, *b = y;
	const struct ports_ctx *ctx = arg;
	int c = CMP(b->ports_used, a->ports_used);

	if (c == 0)
		c = CMP(b->count, a->count);
	if (c == 0)
		c = fields_cmp_cols(ctx->view, ctx->keys, a->first, b->first);
	return c;
}

static void
summary_add_key(struct ct_cols *c, enum ct_field_id id)
{
	c->v[c->n].id = id;
	c->v[c->n++].prefix = -1;
}

static void
summary_totals(const struct ct_snap *snap, const struct ct_opts *o,
    struct ct_table *t)
{
	struct ct_cols keys = { .n = 0 };

	summary_add_key(&keys, CT_F_PROTO);
	summary_add_key(&keys, CT_F_STATE);
	group_table_select(snap, o->filter, t);
	group_table_fold(snap, &keys, 1, true, t);
	qsort(t->rows, t->nrows, sizeof(*t->rows), summary_totals_cmp);
}

static void
summary_listeners(const struct ct_snap *snap, const struct ct_opts *o,
    struct ct_table *t)
{
	struct ct_tree tree;
	size_t i;

	group_tree_build(snap, o, &tree);
	memset(t, 0, sizeof(*t));
	t->rows = xcalloc(tree.nlisteners, sizeof(*t->rows));
	for (i = 0; i < tree.nlisteners; i++)
		t->rows[t->nrows++] = tree.nodes[i].head;
	t->grouped = 1;
	group_tree_free(&tree);
	qsort(t->rows, t->nrows, sizeof(*t->rows), summary_listeners_cmp);
}

static void
summary_ports(const struct ct_snap *snap, const struct ct_opts *o,
    const struct ct_portrange *r, struct ct_table *t)
{
	const struct ct_view view = snap_view(snap);
	uint8_t *lports = xcalloc(2, 65536 / 8);	/* TCP, UDP listener ports */
	struct ct_cols keys = { .n = 0 };
	struct ports_ctx ctx = { &view, &keys };
	size_t i, j, n = 0;

	for (i = 0; i < snap->socks.len; i++) {
		const struct ct_sock *s = &snap->socks.v[i];

		if (listener_is(s))
			bit_set(lports + (s->proto == IPPROTO_UDP) * 8192, s->lport);
	}
	group_table_select(snap, o->filter, t);
	for (i = 0; i < t->nrows; i++) {
		const struct ct_sock *s = t->rows[i].first;

		if (listener_is(s) || sock_is_unconnected(s) ||
		    !summary_port_ephemeral(r, s->lport) ||
		    bit_get(lports + (s->proto == IPPROTO_UDP) * 8192, s->lport))
			continue;
		t->rows[n++] = t->rows[i];
	}
	t->nrows = n;
	free(lports);
	summary_add_key(&keys, CT_F_PROTO);
	summary_add_key(&keys, CT_F_LADDR);
	summary_add_key(&keys, CT_F_RADDR);
	summary_add_key(&keys, CT_F_RPORT);
	/* one destination whether reached over IPv4 or v4-mapped IPv6 */
	fields_cols_as_keys(&keys);
	/* sorted by the key, then by local port inside each destination */
	group_table_fold(snap, &keys, 1, false, t);
	for (i = 0, n = 0; i < t->nrows; i = j) {
		struct ct_group g = t->rows[i];

		g.has = CT_G_PORTS;
		g.ports_used = 1;
		g.ports_avail = r->avail;
		for (j = i + 1; j < t->nrows && fields_cmp_cols(&view, &keys,
		    t->rows[i].first, t->rows[j].first) == 0; j++) {
			if (t->rows[j].first->lport != t->rows[j - 1].first->lport)
				g.ports_used++;
			g.count += t->rows[j].count;
			g.rq += t->rows[j].rq;
			g.wq += t->rows[j].wq;
			g.bytes_in += t->rows[j].bytes_in;
			g.bytes_out += t->rows[j].bytes_out;
		}
		g.high = r->avail > 0 && (uint64_t)g.ports_used * 2 > r->avail;
		t->rows[n++] = g;
	}
	t->nrows = n;
	t->grouped = 1;
	qsort_r(t->rows, t->nrows, sizeof(*t->rows), summary_ports_cmp, &ctx);
}

int
summary_build(const struct ct_snap *snap, const struct ct_opts *o,
    const struct ct_portrange *r, struct ct_summary *out)
{
	memset(out, 0, sizeof(*out));
	summary_totals(snap, o, &out->totals);
	summary_listeners(snap, o, &out->listeners);
	summary_ports(snap, o, r, &out->ports);
	return 0;
}

void
summary_free(struct ct_summary *s)
{
	if (s == NULL)
		return;
	group_table_free(&s->totals);
	group_table_free(&s->listeners);
	group_table_free(&s->ports);
}
