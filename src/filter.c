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
 * A process name against a comm term: the name itself, as the output
 * spells it once unescaped (so that a name pasted from a table always
 * finds itself, '[' and '*' in it or not), or the shell pattern
 * (fnmatch(3)). The kernel keeps 15 bytes of a name: a longer name
 * matches a name cut there, so "comm systemd-resolved" finds
 * "systemd-resolve".
 */
static bool
comm_match(const struct ct_fnode *n, const char *comm)
{
	size_t len = strlen(comm);

	if (strcmp(n->name, comm) == 0 || fnmatch(n->pattern, comm, 0) == 0)
		return true;
	return len == 15 && strlen(n->name) > len &&
	    strncmp(n->name, comm, len) == 0;
}

bool
filter_netns_match(const struct ct_fnode *n, const struct ct_netns *ns)
{
	/* exactly first: "net:[INODE]" would read as a bracket expression */
	if (strcmp(n->name, ns->name) == 0 || (n->ino != 0 && n->ino == ns->ino))
		return true;
	return fnmatch(n->pattern, ns->name, 0) == 0;
}

/* A label part against a pattern; an absent one is "-", as printed. */
static bool
label_match(const struct ct_fnode *n, const struct ct_view *v,
    const struct ct_sock *s)
{
	const char *t = labels_part(view_label(v, s), (enum ct_label_part)n->num);

	if (t[0] == '\0')
		t = "-";
	return strcmp(n->name, t) == 0 || fnmatch(n->pattern, t, 0) == 0;
}

static bool
owners_match(const struct ct_fnode *n, const struct ct_view *v,
    const struct ct_sock *s)
{
	const struct ct_owner *o;

	for (o = view_owner(v, s); o != NULL; o = owners_get(v->owners, o->next))
		if (n->kind == CT_FN_PID ? o->pid == n->num :
		    comm_match(n, owners_comm(v->owners, o)))
			return true;
	return false;
}

/* The mark and cgroup id of s as the kernel's bytecode sees them. */
static const struct ct_sockext *
sock_ext_of(const struct ct_view *v, const struct ct_sock *s)
{
	static const struct ct_sockext none;
	const struct ct_sockext *x = v != NULL ? sock_ext(v->socks, s) : NULL;

	return x != NULL ? x : &none;
}

static bool
node_match(const struct ct_fnode *n, const struct ct_view *v,
    const struct ct_sock *s)
{
	uint8_t fam = s->local.family, st;

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
		return st < 16 && (n->states & (1u << st)) != 0;
	case CT_FN_PORT:
		/* an unconnected socket's remote port is 0, as in the kernel */
		if (n->end == CT_END_LOCAL)
			return cmp_match(n->cmp, s->lport, n->num);
		if (n->end == CT_END_REMOTE)
			return cmp_match(n->cmp, s->rport, n->num);
		return s->lport == n->num || s->rport == n->num;
	case CT_FN_HOST:
		if (n->end != CT_END_REMOTE &&
		    host_match(&n->host, &s->local, fam, s->lport))
			return true;
		return n->end != CT_END_LOCAL &&
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
	case CT_FN_DEV:
		return s->ifindex == n->num;
	case CT_FN_MARK:
		return (sock_ext_of(v, s)->mark & n->mask) == n->num;
	case CT_FN_CGROUP:
		return sock_ext_of(v, s)->cgroup_id == n->id;
	case CT_FN_AUTO:
		return (s->flags & CT_SF_AUTO) != 0;
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
	return (filter_needs(f) & CT_FNEED_OWNERS) != 0;
}

unsigned
filter_needs(const struct ct_filter *f)
{
	return f != NULL ? f->needs : 0;
}

bool
filter_needs_labels(const struct ct_filter *f)
{
	return (filter_needs(f) & CT_FNEED_LABELS) != 0;
}

void
filter_node_free(struct ct_fnode *n)
{
	if (n == NULL)
		return;
	filter_node_free(n->a);
	filter_node_free(n->b);
	free(n->name);
	free(n->pattern);
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

/*
 * A state set: the name of an ss class when it is one, else the states
 * one by one, in the kernel's order.
 */
static void
states_print(struct pbuf *b, uint16_t states)
{
	static const struct {
		const char	*name;
		uint16_t	 states;
	} classes[] = {
		{ "all", CT_STATES_ALL },
		{ "connected", CT_STATES_ALL & ~(1u << CT_ST_LISTEN |
		    1u << CT_ST_CLOSE) },
		{ "synchronized", CT_STATES_ALL & ~(1u << CT_ST_LISTEN |
		    1u << CT_ST_CLOSE | 1u << CT_ST_SYN_SENT) },
		{ "bucket", 1u << CT_ST_SYN_RECV | 1u << CT_ST_TIME_WAIT },
		{ "big", CT_STATES_ALL & ~(1u << CT_ST_SYN_RECV |
		    1u << CT_ST_TIME_WAIT) },
	};
	static const char *const names[CT_ST_MAX] = {
		[CT_ST_ESTABLISHED] = "established", [CT_ST_SYN_SENT] = "syn_sent",
		[CT_ST_SYN_RECV] = "syn_recv", [CT_ST_FIN_WAIT1] = "fin_wait1",
		[CT_ST_FIN_WAIT2] = "fin_wait2", [CT_ST_TIME_WAIT] = "time_wait",
		[CT_ST_CLOSE] = "close", [CT_ST_CLOSE_WAIT] = "close_wait",
		[CT_ST_LAST_ACK] = "last_ack", [CT_ST_LISTEN] = "listen",
		[CT_ST_CLOSING] = "closing",
	};
	size_t i;

	pb_add(b, "(state");
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (states == classes[i].states) {
			pb_add(b, " %s)", classes[i].name);
			return;
		}
	}
	if (states == 0)
		pb_add(b, " none");
	for (i = 1; i < CT_ST_MAX; i++)
		if (states & (1u << i))
			pb_add(b, " %s", names[i]);
	pb_add(b, ")");
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
		states_print(b, n->states);
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
	case CT_FN_DEV:
		pb_add(b, "(dev %u)", n->num);
		return;
	case CT_FN_MARK:
		pb_add(b, "(fwmark 0x%x/0x%x)", n->num, n->mask);
		return;
	case CT_FN_CGROUP:
		util_escape(n->name, strlen(n->name), esc, sizeof(esc));
		pb_add(b, "(cgroup \"%s\" %llu)", esc, (unsigned long long)n->id);
		return;
	case CT_FN_AUTO:
		pb_add(b, "(autobound)");
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
