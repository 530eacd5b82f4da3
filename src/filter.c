/*
 * The filter in user space: the authoritative evaluation of a parsed
 * filter on one record (always run, whatever the kernel already dropped),
 * and its canonical text for tests and debugging.
 */
#include "filter.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fields.h"
#include "filter_ast.h"
#include "label.h"
#include "nstab.h"
#include "owners.h"
#include "sock.h"
#include "util.h"
#include "view.h"

/* Do the first bits of a and b agree? */
static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned i;

	for (i = 0; i + 8 <= bits; i += 8)
		if (a[i / 8] != b[i / 8])
			return false;
	if (i == bits)
		return true;
	return ((a[i / 8] ^ b[i / 8]) & (0xff00u >> (bits - i))) == 0;
}

/*
 * Does address a (of a socket of family fam) and port match h? As the
 * kernel's inet_diag does it: an IPv4 prefix also matches the IPv4 inside
 * an IPv4-mapped IPv6 address; an IPv6 prefix never matches an IPv4 socket.
 */
static bool
host_match(const struct ct_bc_host *h, const struct ct_addr *a, uint8_t fam,
    uint16_t port)
{
	if (h->port >= 0 && h->port != port)
		return false;
	if (h->family == AF_UNSPEC)
		return true;
	if (h->family == fam)
		return prefix_match(a->bytes, h->addr, h->prefix);
	if (h->family == AF_INET && fam == AF_INET6 && sock_addr_is_v4mapped(a))
		return prefix_match(a->bytes + 12, h->addr, h->prefix);
	return false;
}

static bool
cmp_match(enum ct_fn_cmp cmp, uint32_t v, uint32_t want)
{
	switch (cmp) {
	case CT_CMP_EQ:
		return v == want;
	case CT_CMP_NE:
		return v != want;
	case CT_CMP_LT:
		return v < want;
	case CT_CMP_LE:
		return v <= want;
	case CT_CMP_GT:
		return v > want;
	case CT_CMP_GE:
		return v >= want;
	}
	return false;
}

/*
 * A process name against a pattern (fnmatch(3)). The kernel keeps 15
 * bytes of a name: a longer plain pattern matches a name cut there, so
 * "comm systemd-resolved" finds "systemd-resolve".
 */
static bool
comm_match(const char *pattern, const char *comm)
{
	size_t n = strlen(comm);

	if (fnmatch(pattern, comm, 0) == 0)
		return true;
	return n == 15 && strlen(pattern) > n &&
	    strpbrk(pattern, "*?[\\") == NULL && strncmp(pattern, comm, n) == 0;
}

bool
filter_netns_match(const struct ct_fnode *n, const struct ct_netns *ns)
{
	/* exactly first: "net:[INODE]" would read as a bracket expression */
	if (strcmp(n->name, ns->name) == 0 || (n->ino != 0 && n->ino == ns->ino))
		return true;
	return fnmatch(n->name, ns->name, 0) == 0;
}

/* A label part against a pattern; an absent one is "-", as printed. */
static bool
label_match(const struct ct_fnode *n, const struct ct_view *v,
    const struct ct_sock *s)
{
	const char *t = labels_part(view_label(v, s), (enum ct_label_part)n->num);

	return fnmatch(n->name, t[0] != '\0' ? t : "-", 0) == 0;
}

static bool
owners_match(const struct ct_fnode *n, const struct ct_view *v,
    const struct ct_sock *s)
{
	const struct ct_owner *o;

	for (o = view_owner(v, s); o != NULL; o = owners_get(v->owners, o->next))
		if (n->kind == CT_FN_PID ? o->pid == n->num :
		    comm_match(n->name, owners_comm(v->owners, o)))
			return true;
	return false;
}

static bool
node_match(const struct ct_fnode *n, const struct ct_view *v,
    const struct ct_sock *s)
{
	uint8_t fam = s->local.family, st;
	bool unconn;

	switch (n->kind) {
	case CT_FN_AND:
		return node_match(n->a, v, s) && node_match(n->b, v, s);
	case CT_FN_OR:
		return node_match(n->a, v, s) || node_match(n->b, v, s);
	case CT_FN_NOT:
		return !node_match(n->a, v, s);
	case CT_FN_PROTO:
		return s->proto == n->num;
	case CT_FN_FAMILY:
		return fam == n->num;
	case CT_FN_STATE:
		st = s->state == 12 ? CT_ST_SYN_RECV : s->state; /* NEW_SYN_RECV */
		return st < 16 &&
		    (n->states[s->proto == IPPROTO_UDP] & (1u << st)) != 0;
	case CT_FN_PORT:
		/* an unconnected socket has no remote port to compare */
		unconn = sock_is_unconnected(s);
		if (n->end == CT_END_LOCAL)
			return cmp_match(n->cmp, s->lport, n->num);
		if (n->end == CT_END_REMOTE)
			return !unconn && cmp_match(n->cmp, s->rport, n->num);
		return s->lport == n->num || (!unconn && s->rport == n->num);
	case CT_FN_HOST:
		unconn = sock_is_unconnected(s);
		if (n->end != CT_END_REMOTE &&
		    host_match(&n->host, &s->local, fam, s->lport))
			return true;
		return n->end != CT_END_LOCAL && !unconn &&
		    host_match(&n->host, &s->remote, fam, s->rport);
	case CT_FN_COMM:
	case CT_FN_PID:
		return owners_match(n, v, s);
	case CT_FN_UID:
		return s->uid == n->num;
	case CT_FN_NETNS: {
		const struct ct_netns *ns = view_netns(v, s);

		return ns != NULL && filter_netns_match(n, ns);
	}
	case CT_FN_LABEL:
		return label_match(n, v, s);
	}
	return false;
}

bool
filter_match(const struct ct_filter *f, const struct ct_view *v,
    const struct ct_sock *s)
{
	return f == NULL || node_match(f->root, v, s);
}

bool
filter_needs_owners(const struct ct_filter *f)
{
	return f != NULL && f->owners;
}

bool
filter_needs_labels(const struct ct_filter *f)
{
	return f != NULL && f->labels;
}

void
filter_node_free(struct ct_fnode *n)
{
	if (n == NULL)
		return;
	filter_node_free(n->a);
	filter_node_free(n->b);
	free(n->name);
	free(n);
}

void
filter_free(struct ct_filter *f)
{
	if (f == NULL)
		return;
	filter_node_free(f->root);
	free(f);
}

/* Canonical text -------------------------------------------------------- */

struct pbuf {
	char		*buf;
	size_t		 size, len;	/* len: what snprintf would have made */
};

static void __attribute__((format(printf, 2, 3)))
pb_add(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->len < b->size ? b->buf + b->len : NULL,
	    b->len < b->size ? b->size - b->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

static const char *
cmp_text(enum ct_fn_cmp cmp)
{
	static const char *const text[] = { "=", "!=", "<", "<=", ">", ">=" };

	return text[cmp];
}

static const char *
end_text(enum ct_fn_end end, bool port)
{
	if (end == CT_END_LOCAL)
		return fields_get(port ? CT_F_LPORT : CT_F_LADDR)->name;
	if (end == CT_END_REMOTE)
		return fields_get(port ? CT_F_RPORT : CT_F_RADDR)->name;
	return port ? "port" : "addr";
}

static void
node_print(struct pbuf *b, const struct ct_fnode *n)
{
	char addr[INET6_ADDRSTRLEN], esc[CT_ESCAPE_MAX(64)];

	switch (n->kind) {
	case CT_FN_AND:
	case CT_FN_OR:
		pb_add(b, "(%s ", n->kind == CT_FN_AND ? "and" : "or");
		node_print(b, n->a);
		pb_add(b, " ");
		node_print(b, n->b);
		pb_add(b, ")");
		return;
	case CT_FN_NOT:
		pb_add(b, "(not ");
		node_print(b, n->a);
		pb_add(b, ")");
		return;
	case CT_FN_PROTO:
		pb_add(b, "(proto %s)", sock_proto_name((uint8_t)n->num));
		return;
	case CT_FN_FAMILY:
		pb_add(b, "(family %s)", sock_family_name((uint8_t)n->num));
		return;
	case CT_FN_STATE:
		pb_add(b, "(state %s)", n->label);
		return;
	case CT_FN_PORT:
		pb_add(b, "(%s %s %u)", end_text(n->end, true), cmp_text(n->cmp),
		    n->num);
		return;
	case CT_FN_HOST:
		if (n->host.family == AF_UNSPEC)
			pb_add(b, "(%s *", end_text(n->end, false));
		else
			pb_add(b, "(%s %s/%u", end_text(n->end, false),
			    inet_ntop(n->host.family, n->host.addr, addr,
			    sizeof(addr)), n->host.prefix);
		if (n->host.port >= 0)
			pb_add(b, " port %d", n->host.port);
		pb_add(b, ")");
		return;
	case CT_FN_COMM:
		util_escape(n->name, strlen(n->name), esc, sizeof(esc));
		pb_add(b, "(comm \"%s\")", esc);
		return;
	case CT_FN_PID:
	case CT_FN_UID:
		pb_add(b, "(%s %u)", n->kind == CT_FN_PID ? "pid" : "uid", n->num);
		return;
	case CT_FN_NETNS:
	case CT_FN_LABEL:
		util_escape(n->name, strlen(n->name), esc, sizeof(esc));
		pb_add(b, "(%s \"%s\")", n->kind == CT_FN_NETNS ?
		    fields_get(CT_F_NETNS)->name :
		    fields_get(n->num == CT_LP_CONTAINER ? CT_F_CONTAINER :
		    n->num == CT_LP_POD ? CT_F_POD : CT_F_UNIT)->name, esc);
		return;
	}
}

int
filter_print(const struct ct_filter *f, char *buf, size_t size)
{
	struct pbuf b = { buf, size, 0 };

	if (size > 0)
		buf[0] = '\0';
	if (f == NULL)
		pb_add(&b, "(all)");
	else
		node_print(&b, f->root);
	return (int)b.len;
}
