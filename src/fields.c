/*
 * The one vocabulary (SPEC §3): every field's name, header, formatter and
 * comparator. Columns, -o, --sort, -g and JSON keys all come through here.
 */
#include "fields.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "label.h"
#include "nstab.h"
#include "owners.h"
#include "sock.h"
#include "util.h"
#include "view.h"

#define CMP(a, b)	(((a) > (b)) - ((a) < (b)))

/* "00" to "99": decimal two digits at a time. */
static const char digits2[200] =
    "00010203040506070809101112131415161718192021222324"
    "25262728293031323334353637383940414243444546474849"
    "50515253545556575859606162636465666768697071727374"
    "75767778798081828384858687888990919293949596979899";

/*
 * Decimal without stdio, two digits per division: this runs for every
 * number of every row (ports, queues), and most are short.
 */
static size_t
fmt_u64(char *buf, uint64_t v)
{
	uint64_t t;
	size_t n = 1;
	char *p;

	if (v < 10) {		/* most queues are empty */
		buf[0] = (char)('0' + v);
		buf[1] = '\0';
		return 1;
	}
	for (t = v; t >= 100; t /= 100)
		n += 2;
	n += t >= 10;
	p = buf + n;
	*p = '\0';
	while (v >= 100) {
		p -= 2;
		memcpy(p, &digits2[v % 100 * 2], 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(p - 2, &digits2[v * 2], 2);
	else
		p[-1] = (char)('0' + v);
	return n;
}

/* s, cut to max - 1 bytes, and a NUL. */
static size_t
fmt_strn(char *buf, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n >= max)
		n = max - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return n;
}

static size_t
fmt_str(char *buf, const char *s)
{
	return fmt_strn(buf, s, CT_CELL_MAX);
}

static size_t
fmt_null(char *buf, bool *is_null, const char *text)
{
	*is_null = true;
	return fmt_str(buf, text);
}

/*
 * The memo (see fields.h). Its whole text is copied out at once: a copy
 * of constant size is a few moves, where one of the text's own length
 * would be a call to memcpy() for each cell.
 */
static size_t
memo_out(char *buf, const struct ct_fmt_memo *m)
{
	memcpy(buf, m->text, sizeof(m->text));
	return m->len;
}

/* Does the memo hold the text of this small value (a state, a protocol)? */
static bool
memo_has_num(const struct ct_fmt_memo *m, uint32_t num)
{
	return m != NULL && m->len != 0 && m->num == num;
}

/* Does the memo hold text that starts with the spelling of address a? */
static bool
memo_has_addr(const struct ct_fmt_memo *m, const struct ct_addr *a)
{
	uint64_t x[2], y[2];

	if (m->len == 0 || m->addr.family != a->family)
		return false;
	memcpy(x, m->addr.bytes, sizeof(x));
	memcpy(y, a->bytes, sizeof(y));
	return x[0] == y[0] && x[1] == y[1];
}

/* A name (a protocol, a state) keyed by a small number, through the memo. */
static size_t
fmt_name(char *buf, const char *name, uint32_t num, struct ct_fmt_memo *m)
{
	if (m == NULL)
		return fmt_str(buf, name);
	m->num = num;
	m->len = (uint8_t)fmt_strn(m->text, name, sizeof(m->text));
	return memo_out(buf, m);
}

/*
 * The tests of sock.h, in words rather than calls to memcmp(): they run
 * in comparators, for every pair a sort of the whole snapshot compares.
 */
static inline bool
addr_v4mapped(const struct ct_addr *a)
{
	uint64_t w;
	uint32_t h;

	if (a->family != AF_INET6)
		return false;
	memcpy(&w, a->bytes, 8);
	memcpy(&h, a->bytes + 8, 4);
	return w == 0 && h == htonl(0xffff);
}

static inline bool
addr6_any(const struct ct_addr *a)
{
	uint64_t w[2];

	memcpy(w, a->bytes, 16);
	return (w[0] | w[1]) == 0;
}

/*
 * A key's address (prefix CT_PREFIX_KEY or a length, see fields.h): an
 * IPv4-mapped one (::ffff:a.b.c.d, a client of a dual-stack listener) is
 * its IPv4 address a.b.c.d, so that a client counts once however it came.
 * Otherwise, and for a column (CT_PREFIX_NONE), the address as it is.
 */
static const struct ct_addr *
addr_key(const struct ct_addr *a, int prefix, struct ct_addr *tmp)
{
	if (prefix == CT_PREFIX_NONE || !addr_v4mapped(a))
		return a;
	memset(tmp, 0, sizeof(*tmp));
	tmp->family = AF_INET;
	memcpy(tmp->bytes, a->bytes + 12, 4);
	return tmp;
}

/* Mask an address to its first prefix bits (clamped to the family's width). */
static void
addr_mask(struct ct_addr *a, int prefix)
{
	int bits = a->family == AF_INET6 ? 128 : 32, i;

	if (prefix < 0 || prefix >= bits)
		return;
	for (i = 0; i < 16; i++) {
		int keep = prefix - i * 8;

		if (keep <= 0)
			a->bytes[i] = 0;
		else if (keep < 8)
			a->bytes[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

/*
 * The dotted quad by hand: glibc's inet_ntop() runs sprintf() for every
 * IPv4 address, 38% of what conntab -P executed at 200,000 sockets.
 * Each byte value's text, with the dot after it, is copied four bytes at
 * a time. IPv6, with its zero compression, stays with inet_ntop();
 * test_fields checks that both spell IPv4 alike.
 */
struct byte_text {
	char		 text[4];	/* digits, '.', padding */
	uint8_t		 len;		/* digits and the dot */
};
#define BT_DIGIT(v, d)	((char)('0' + (v) / (d) % 10))
#define BT(v) { { \
	(v) >= 100 ? BT_DIGIT(v, 100) : (v) >= 10 ? BT_DIGIT(v, 10) : BT_DIGIT(v, 1), \
	(v) >= 100 ? BT_DIGIT(v, 10) : (v) >= 10 ? BT_DIGIT(v, 1) : '.', \
	(v) >= 100 ? BT_DIGIT(v, 1) : '.', '.' }, \
	(uint8_t)((v) >= 100 ? 4 : (v) >= 10 ? 3 : 2) }
#define BT4(v)		BT(v), BT((v) + 1), BT((v) + 2), BT((v) + 3)
#define BT16(v)		BT4(v), BT4((v) + 4), BT4((v) + 8), BT4((v) + 12)
#define BT64(v)		BT16(v), BT16((v) + 16), BT16((v) + 32), BT16((v) + 48)
static const struct byte_text byte_text[256] = {
	BT64(0), BT64(64), BT64(128), BT64(192)
};

/* "a.b.c.d." into buf (16 bytes at most, no NUL); returns its length. */
static size_t
fmt_ipv4_dots(char *buf, const uint8_t *b)
{
	size_t n = 0;
	int i;

	for (i = 0; i < 4; i++) {
		memcpy(buf + n, byte_text[b[i]].text, 4);
		n += byte_text[b[i]].len;
	}
	return n;
}

/* The address alone, IPv6 without brackets; buf holds INET6_ADDRSTRLEN. */
static size_t
fmt_addr(char *buf, const struct ct_addr *a)
{
	size_t n;

	if (a->family != AF_INET6) {
		n = fmt_ipv4_dots(buf, a->bytes) - 1;
		buf[n] = '\0';
		return n;
	}
	if (inet_ntop(AF_INET6, a->bytes, buf, INET6_ADDRSTRLEN) == NULL)
		return fmt_str(buf, "?");
	return strlen(buf);
}

/* An endpoint up to its port: "127.0.0.1:", "[::1]:". */
static size_t
fmt_endpoint_head(char *buf, const struct ct_addr *a)
{
	size_t n;

	if (a->family != AF_INET6) {
		n = fmt_ipv4_dots(buf, a->bytes);
		buf[n - 1] = ':';
		return n;
	}
	buf[0] = '[';
	n = 1 + fmt_addr(buf + 1, a);
	buf[n++] = ']';
	buf[n++] = ':';
	return n;
}

/*
 * A port; 0 is "*", as in ss. Five digits at most, and most ports have
 * five: the common case takes two pairs and a digit, without a loop.
 */
static size_t
fmt_port(char *buf, uint16_t port)
{
	unsigned hi, lo;

	if (port < 10000) {
		if (port == 0) {
			buf[0] = '*';
			buf[1] = '\0';
			return 1;
		}
		return fmt_u64(buf, port);
	}
	hi = port / 10000u;
	lo = port % 10000u;
	buf[0] = (char)('0' + hi);
	memcpy(buf + 1, &digits2[lo / 100 * 2], 2);
	memcpy(buf + 3, &digits2[lo % 100 * 2], 2);
	buf[5] = '\0';
	return 5;
}

/*
 * "127.0.0.1:500", "[::1]:500", "0.0.0.0:*". With a memo, a run of one
 * address is spelled once, and a run of one endpoint copied whole.
 *
 * Text is never copied out of the memo right after being written into
 * it: a wide load of bytes still waiting in the store buffer as narrow
 * stores cannot be forwarded, and stalls (perf put half of this
 * function's time there). A new port is written twice instead, into buf
 * and into the memo; a new address is copied from buf into the memo.
 */
static size_t
fmt_endpoint(char *buf, const struct ct_addr *a, uint16_t port,
    struct ct_fmt_memo *m)
{
	size_t n;

	if (m != NULL && memo_has_addr(m, a)) {
		if (m->num == port)
			return memo_out(buf, m);
		memo_out(buf, m);		/* its head, written long ago */
		m->num = port;
		m->len = (uint8_t)(m->head + fmt_port(m->text + m->head, port));
		fmt_port(buf + m->head, port);
		return m->len;
	}
	n = fmt_endpoint_head(buf, a);
	if (m != NULL)
		m->head = (uint8_t)n;
	n += fmt_port(buf + n, port);
	if (m != NULL) {
		m->addr = *a;
		m->num = port;
		m->len = (uint8_t)n;
		memcpy(m->text, buf, n + 1);
	}
	return n;
}

/*
 * An IPv6 socket on :: that is not IPV6_V6ONLY takes IPv4 as well: ss
 * writes that end "*", and so does conntab, apart from an IPv6-only
 * "[::]". (The kernel reports the flag for full sockets; a TIME_WAIT or
 * request socket never has :: at either end.)
 */
static bool
endpoint_is_dual(const struct ct_sock *s, const struct ct_addr *a)
{
	return a->family == AF_INET6 && !(s->flags & CT_SF_V6ONLY) &&
	    addr6_any(a);
}

/* "*:500", "*:*": a dual-stack wildcard end, as ss prints it. */
static size_t
fmt_endpoint_dual(char *buf, uint16_t port)
{
	buf[0] = '*';
	buf[1] = ':';
	return 2 + fmt_port(buf + 2, port);
}

/*
 * An address, or a key's: "127.0.0.1", "127.0.0.1" for ::ffff:127.0.0.1
 * as a key, and with a prefix "127.0.0.0/24", the masked address and the
 * prefix it was masked to, clamped to its family's width.
 */
static size_t
fmt_addr_prefix(char *buf, const struct ct_addr *addr, int prefix)
{
	struct ct_addr tmp, a = *addr_key(addr, prefix, &tmp);
	int bits = a.family == AF_INET6 ? 128 : 32;
	size_t n;

	addr_mask(&a, prefix);
	n = fmt_addr(buf, &a);
	if (prefix < 0)
		return n;
	buf[n++] = '/';
	return n + fmt_u64(buf + n, (uint64_t)(prefix < bits ? prefix : bits));
}

/* An address column (laddr, raddr) through the memo: keyed by the address. */
static size_t
fmt_addr_col(char *buf, const struct ct_addr *a, int prefix,
    struct ct_fmt_memo *m)
{
	if (m == NULL)
		return fmt_addr_prefix(buf, a, prefix);
	if (!memo_has_addr(m, a)) {
		m->addr = *a;
		m->len = (uint8_t)fmt_addr_prefix(m->text, a, prefix);
	}
	return memo_out(buf, m);
}

/* ---- formatters ------------------------------------------------------ */

#define FMT(name) static size_t name(const struct ct_view *view, \
    const struct ct_group *g, int prefix, char *buf, bool *is_null, \
    struct ct_fmt_memo *memo)
/* (void) on a parameter that is used as well is harmless */
#define UNUSED_FMT_ARGS (void)view; (void)prefix; (void)is_null; (void)memo

FMT(f_proto)
{
	uint8_t proto = g->first->proto;

	UNUSED_FMT_ARGS;
	if (memo_has_num(memo, proto))
		return memo_out(buf, memo);
	return fmt_name(buf, sock_proto_name(proto), proto, memo);
}

FMT(f_family)
{
	uint8_t family = g->first->local.family;

	UNUSED_FMT_ARGS;
	if (memo_has_num(memo, family))
		return memo_out(buf, memo);
	return fmt_name(buf, sock_family_name(family), family, memo);
}

FMT(f_state)
{
	const struct ct_sock *s = g->first;
	uint32_t key = (uint32_t)s->proto << 8 | s->state;

	UNUSED_FMT_ARGS;
	if (memo_has_num(memo, key))
		return memo_out(buf, memo);
	return fmt_name(buf, sock_state_name(s->proto, s->state), key, memo);
}

FMT(f_laddr)
{
	(void)view;
	(void)is_null;
	return fmt_addr_col(buf, &g->first->local, prefix, memo);
}

FMT(f_lport)
{
	UNUSED_FMT_ARGS;
	if (g->first->lport == 0)	/* "*" is for endpoints only */
		return fmt_u64(buf, 0);
	return fmt_port(buf, g->first->lport);
}

FMT(f_raddr)
{
	(void)view;
	if (sock_is_unconnected(g->first))
		return fmt_null(buf, is_null, "*");
	return fmt_addr_col(buf, &g->first->remote, prefix, memo);
}

FMT(f_rport)
{
	UNUSED_FMT_ARGS;
	if (sock_is_unconnected(g->first))
		return fmt_null(buf, is_null, "*");
	if (g->first->rport == 0)	/* connected UDP to port 0, say */
		return fmt_u64(buf, 0);
	return fmt_port(buf, g->first->rport);
}

/*
 * The memo never holds the "*" form: an address keys it, not the flag.
 * As a key (CT_PREFIX_KEY) a v4-mapped end is its IPv4 one, 10.0.0.1:80.
 */
FMT(f_local)
{
	const struct ct_sock *s = g->first;
	struct ct_addr tmp;

	(void)view;
	(void)is_null;
	if (endpoint_is_dual(s, &s->local))
		return fmt_endpoint_dual(buf, s->lport);
	return fmt_endpoint(buf, addr_key(&s->local, prefix, &tmp), s->lport,
	    memo);
}

FMT(f_remote)
{
	const struct ct_sock *s = g->first;
	struct ct_addr tmp;

	(void)view;
	(void)is_null;
	if (endpoint_is_dual(s, &s->remote))
		return fmt_endpoint_dual(buf, s->rport);
	return fmt_endpoint(buf, addr_key(&s->remote, prefix, &tmp), s->rport,
	    memo);
}

FMT(f_recvq) { UNUSED_FMT_ARGS; return fmt_u64(buf, g->rq); }
FMT(f_sendq) { UNUSED_FMT_ARGS; return fmt_u64(buf, g->wq); }
FMT(f_uid) { UNUSED_FMT_ARGS; return fmt_u64(buf, g->first->uid); }
FMT(f_inode) { UNUSED_FMT_ARGS; return fmt_u64(buf, g->first->inode); }

/* IPV6_V6ONLY of an IPv6 socket; an IPv4 one has no such option. */
FMT(f_v6only)
{
	const struct ct_sock *s = g->first;

	UNUSED_FMT_ARGS;
	if (s->local.family != AF_INET6)
		return fmt_null(buf, is_null, "-");
	return fmt_str(buf, (s->flags & CT_SF_V6ONLY) ? "true" : "false");
}

FMT(f_user)
{
	const char *name = view_user_name(view, g->first->uid);

	(void)prefix;
	(void)memo;
	(void)is_null;
	if (name == NULL || name[0] == '\0')
		return fmt_u64(buf, g->first->uid);
	return util_escape(name, strlen(name), buf, CT_CELL_MAX);
}

FMT(f_pid)
{
	const struct ct_owner *o = view_owner(view, g->first);

	(void)prefix;
	(void)memo;
	if (o == NULL)
		return fmt_null(buf, is_null, "-");
	return fmt_u64(buf, o->pid);
}

FMT(f_comm)
{
	const struct ct_owner *o = view_owner(view, g->first);
	const char *name;

	(void)prefix;
	(void)memo;
	if (o == NULL)
		return fmt_null(buf, is_null, "-");
	name = owners_comm(view->owners, o);
	return util_escape(name, strlen(name), buf, CT_CELL_MAX);
}

/* "comm(pid)", "comm(pid,+N)" when N more processes share the socket. */
FMT(f_process)
{
	const struct ct_owner *o = view_owner(view, g->first);
	const char *name;
	size_t n, more;

	(void)prefix;
	if (o == NULL)
		return fmt_null(buf, is_null, "-");
	/* rows in order come in runs of one process: its name escaped once */
	if (memo != NULL && memo->len != 0 && memo->num == o->comm + 1) {
		n = memo_out(buf, memo);
	} else {
		name = owners_comm(view->owners, o);
		n = util_escape(name, strlen(name), buf, CT_CELL_MAX - 32);
		if (memo != NULL && n > 0 && n < sizeof(memo->text)) {
			memcpy(memo->text, buf, n + 1);
			memo->len = (uint8_t)n;
			memo->num = o->comm + 1;
		}
	}
	buf[n++] = '(';
	n += fmt_u64(buf + n, o->pid);
	more = owners_pids(view->owners, g->first->owners) - 1;
	if (more > 0) {
		buf[n++] = ',';
		buf[n++] = '+';
		n += fmt_u64(buf + n, more);
	}
	buf[n++] = ')';
	buf[n] = '\0';
	return n;
}

/* Table text of every owner: "comm(pid,fd)" joined by ","; "+N" past room. */
FMT(f_owners)
{
	uint32_t i = g->first->owners;
	size_t n = 0, left;

	(void)prefix;
	(void)memo;
	if (view_owner(view, g->first) == NULL)
		return fmt_null(buf, is_null, "-");
	for (; i != 0; i = view->owners->v[i].next) {
		const struct ct_owner *o = &view->owners->v[i];
		const char *name = owners_comm(view->owners, o);
		char one[CT_CELL_MAX];
		size_t m;

		m = util_escape(name, strlen(name), one, sizeof(one) - 32);
		one[m++] = '(';
		m += fmt_u64(one + m, o->pid);
		one[m++] = ',';
		m += fmt_u64(one + m, (uint64_t)(uint32_t)o->fd);
		one[m++] = ')';
		if (n + m + 1 + 16 >= CT_CELL_MAX) {
			left = owners_count(view->owners, i);
			buf[n++] = '+';
			n += fmt_u64(buf + n, left);
			break;
		}
		memcpy(buf + n, one, m);
		n += m;
		if (view->owners->v[i].next != 0)
			buf[n++] = ',';
	}
	buf[n] = '\0';
	return n;
}

FMT(f_listener)
{
	const struct ct_sock *l = view_listener(view, g->first);

	(void)prefix;
	if (l == NULL)
		return fmt_null(buf, is_null, "-");
	if (endpoint_is_dual(l, &l->local))
		return fmt_endpoint_dual(buf, l->lport);
	return fmt_endpoint(buf, &l->local, l->lport, memo);
}

/* Microseconds as milliseconds with three decimals, as ss prints rtt. */
static size_t
fmt_ms(char *buf, uint64_t us)
{
	size_t n = fmt_u64(buf, us / 1000);

	buf[n++] = '.';
	buf[n++] = (char)('0' + us / 100 % 10);
	buf[n++] = (char)('0' + us / 10 % 10);
	buf[n++] = (char)('0' + us % 10);
	buf[n] = '\0';
	return n;
}

/* A figure of the first record's tcp_info, ti. */
#define FMT_INFO(name, expr) FMT(name) \
{ \
	const struct ct_tcpinfo *ti = sock_info(view->socks, g->first); \
	(void)prefix; (void)memo; \
	if (ti == NULL) \
		return fmt_null(buf, is_null, "-"); \
	return expr; \
}
FMT_INFO(f_rtt, fmt_ms(buf, ti->rtt_us))
FMT_INFO(f_rttvar, fmt_ms(buf, ti->rttvar_us))
FMT_INFO(f_cwnd, fmt_u64(buf, ti->cwnd))
FMT_INFO(f_retrans, fmt_u64(buf, ti->retrans))

/* Byte counts, summed over the row's records (see group_row_set()). */
#define FMT_BYTES(name, member) FMT(name) \
{ \
	UNUSED_FMT_ARGS; \
	if (!(g->first->flags & CT_SF_INFO)) \
		return fmt_null(buf, is_null, "-"); \
	return fmt_u64(buf, g->member); \
}
FMT_BYTES(f_bytes_sent, bytes_out)
FMT_BYTES(f_bytes_recv, bytes_in)

/* The kernel's id of the socket (sock_gen_cookie()); "-" when it gave none. */
FMT(f_cookie)
{
	UNUSED_FMT_ARGS;
	if (g->first->cookie == 0)
		return fmt_null(buf, is_null, "-");
	return fmt_u64(buf, g->first->cookie);
}

/*
 * Close events: seconds from the first sample that saw the socket to its
 * close, with milliseconds ("12.345"); null for one that no sample saw,
 * and on any other row.
 */
FMT(f_duration)
{
	uint64_t ms;
	size_t n;

	UNUSED_FMT_ARGS;
	if (!(g->has & CT_G_CLOSED) || g->duration_ms < 0)
		return fmt_null(buf, is_null, "-");
	ms = (uint64_t)g->duration_ms;
	n = fmt_u64(buf, ms / 1000);
	buf[n++] = '.';
	buf[n++] = (char)('0' + ms / 100 % 10);
	buf[n++] = (char)('0' + ms / 10 % 10);
	buf[n++] = (char)('0' + ms % 10);
	buf[n] = '\0';
	return n;
}

/* Rates need two samples; the live view fills them, a one-shot cannot. */
FMT(f_rate) { UNUSED_FMT_ARGS; (void)g; return fmt_null(buf, is_null, "-"); }
FMT(f_count) { UNUSED_FMT_ARGS; return fmt_u64(buf, g->count); }

/* Figures of the tree and the summary: "-" (null) on other rows. */
FMT(f_clients)
{
	UNUSED_FMT_ARGS;
	if (!(g->has & CT_G_LISTENER))
		return fmt_null(buf, is_null, "-");
	return fmt_u64(buf, g->clients);
}

FMT(f_ports_used)
{
	UNUSED_FMT_ARGS;
	if (!(g->has & CT_G_PORTS))
		return fmt_null(buf, is_null, "-");
	return fmt_u64(buf, g->ports_used);
}

FMT(f_ports_avail)
{
	UNUSED_FMT_ARGS;
	if (!(g->has & CT_G_PORTS) || g->ports_avail == 0)
		return fmt_null(buf, is_null, "-");
	return fmt_u64(buf, g->ports_avail);
}

/* ports_used against ports_avail in percent, two decimals: "1.06". */
FMT(f_ports_pct)
{
	uint64_t hundredths;
	size_t n;

	UNUSED_FMT_ARGS;
	if (!(g->has & CT_G_PORTS) || g->ports_avail == 0)
		return fmt_null(buf, is_null, "-");
	hundredths = ((uint64_t)g->ports_used * 10000 + g->ports_avail / 2) /
	    g->ports_avail;
	n = fmt_u64(buf, hundredths / 100);
	buf[n++] = '.';
	buf[n++] = (char)('0' + hundredths / 10 % 10);
	buf[n++] = (char)('0' + hundredths % 10);
	buf[n] = '\0';
	return n;
}

FMT(f_high)
{
	UNUSED_FMT_ARGS;
	if (!(g->has & (CT_G_LISTENER | CT_G_PORTS)))
		return fmt_null(buf, is_null, "-");
	return fmt_str(buf, g->high ? "true" : "false");
}

/*
 * The namespace's name, escaped (a bind mount's name is anyone's to
 * choose). Rows come in runs of one namespace: the memo keeps the text
 * of the last one, keyed by its index.
 */
FMT(f_netns)
{
	const struct ct_netns *ns = view_netns(view, g->first);
	size_t n;

	(void)prefix;
	if (ns == NULL)
		return fmt_null(buf, is_null, "-");
	if (memo != NULL && memo->len != 0 && memo->num == g->first->netns)
		return memo_out(buf, memo);
	n = util_escape(ns->name, strlen(ns->name), buf, CT_CELL_MAX);
	if (memo != NULL && n < sizeof(memo->text)) {
		memo->num = g->first->netns;
		memo->len = (uint8_t)n;
		memcpy(memo->text, buf, n + 1);
	}
	return n;
}

FMT(f_netns_ino)
{
	const struct ct_netns *ns = view_netns(view, g->first);

	(void)prefix;
	(void)memo;
	if (ns == NULL)
		return fmt_null(buf, is_null, "-");
	return fmt_u64(buf, ns->ino);
}

/* One part of the record's label, escaped: cgroup names are untrusted. */
static size_t
fmt_label(const struct ct_view *view, const struct ct_group *g,
    enum ct_label_part part, char *buf, bool *is_null)
{
	const char *t = labels_part(view_label(view, g->first), part);

	if (t[0] == '\0')
		return fmt_null(buf, is_null, "-");
	return util_escape(t, strlen(t), buf, CT_CELL_MAX);
}

FMT(f_container)
{
	(void)prefix;
	(void)memo;
	return fmt_label(view, g, CT_LP_CONTAINER, buf, is_null);
}

FMT(f_pod)
{
	(void)prefix;
	(void)memo;
	return fmt_label(view, g, CT_LP_POD, buf, is_null);
}

FMT(f_unit)
{
	(void)prefix;
	(void)memo;
	return fmt_label(view, g, CT_LP_UNIT, buf, is_null);
}
/* What ss's filter words test: the bound device, the mark, the cgroup. */
FMT(f_dev)
{
	uint32_t ifindex = g->first->ifindex;
	const char *name;

	(void)prefix;
	(void)memo;
	if (ifindex == 0)
		return fmt_null(buf, is_null, "-");
	if ((name = view_ifname(view, ifindex)) == NULL)
		return fmt_u64(buf, ifindex);	/* gone since the dump */
	return util_escape(name, strlen(name), buf, CT_CELL_MAX);
}

/* The first record's ct_sockext, x; the cell is null without one. */
#define FMT_EXT(name, expr) FMT(name) \
{ \
	const struct ct_sockext *x = sock_ext(view->socks, g->first); \
	(void)prefix; (void)memo; \
	if (x == NULL) \
		return fmt_null(buf, is_null, "-"); \
	return expr; \
}

/* A mark is a bit pattern: hexadecimal, as ss prints fwmark ("0x2a"). */
static size_t
fmt_hex(char *buf, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 2, i;
	uint32_t t;

	for (t = v >> 4; t != 0; t >>= 4)
		n++;
	buf[0] = '0';
	buf[1] = 'x';
	for (i = n + 1; i > 2; i--) {
		buf[i - 1] = hex[v & 0xf];
		v >>= 4;
	}
	buf[n + 1] = '\0';
	return n + 1;
}

FMT_EXT(f_fwmark, !(x->has & CT_SX_MARK) ? fmt_null(buf, is_null, "-") :
    fmt_hex(buf, x->mark))

/* The cgroup's path under the cgroup2 mount; its id when unknown. */
static size_t
fmt_cgroup(const struct ct_view *view, const struct ct_sockext *x, char *buf,
    bool *is_null)
{
	const char *path;

	if (x->cgroup_id == 0)
		return fmt_null(buf, is_null, "-");
	if ((path = view_cgpath(view, x->cgroup_id)) == NULL)
		return fmt_u64(buf, x->cgroup_id);
	return util_escape(path, strlen(path), buf, CT_CELL_MAX);
}

FMT_EXT(f_cgroup, fmt_cgroup(view, x, buf, is_null))

/* The timer of ss -o: its name, when it fires, how often it fired. */
static const char *
timer_name(uint8_t timer)
{
	static const char *const names[] = { "off", "on", "keepalive",
	    "timewait", "persist" };

	return timer < sizeof(names) / sizeof(names[0]) ? names[timer] :
	    "unknown";
}

FMT_EXT(f_timer, fmt_str(buf, timer_name(x->timer)))
FMT_EXT(f_expires, x->timer == CT_TIMER_OFF ? fmt_null(buf, is_null, "-") :
    fmt_u64(buf, x->expires_ms))
FMT_EXT(f_timer_retrans, fmt_u64(buf, x->timer_retrans))

/* Socket memory (-m): one of SK_MEMINFO_* of the first record. */
#define FMT_MEM(name, idx) FMT(name) \
{ \
	const struct ct_meminfo *mi = sock_mem(view->socks, g->first); \
	(void)prefix; (void)memo; \
	if (mi == NULL) \
		return fmt_null(buf, is_null, "-"); \
	return fmt_u64(buf, mi->v[idx]); \
}
FMT_MEM(f_rmem_alloc, CT_MEM_RMEM_ALLOC)
FMT_MEM(f_rcvbuf, CT_MEM_RCVBUF)
FMT_MEM(f_wmem_alloc, CT_MEM_WMEM_ALLOC)
FMT_MEM(f_sndbuf, CT_MEM_SNDBUF)
FMT_MEM(f_fwd_alloc, CT_MEM_FWD_ALLOC)
FMT_MEM(f_wmem_queued, CT_MEM_WMEM_QUEUED)
FMT_MEM(f_optmem, CT_MEM_OPTMEM)
FMT_MEM(f_backlog, CT_MEM_BACKLOG)
FMT_MEM(f_drops, CT_MEM_DROPS)

/* More of the first record's tcp_info, m (what ss -i prints). */
#define FMT_MORE(name, expr) FMT(name) \
{ \
	const struct ct_tcpinfo_more *m = sock_more(view->socks, g->first); \
	(void)prefix; (void)memo; \
	if (m == NULL) \
		return fmt_null(buf, is_null, "-"); \
	return expr; \
}
FMT_MORE(f_cong, m->cong[0] == '\0' ? fmt_null(buf, is_null, "-") :
    util_escape(m->cong, strnlen(m->cong, sizeof(m->cong)), buf, CT_CELL_MAX))
FMT_MORE(f_mss, fmt_u64(buf, m->snd_mss))
FMT_MORE(f_pmtu, fmt_u64(buf, m->pmtu))
FMT_MORE(f_min_rtt, fmt_ms(buf, m->min_rtt_us))
FMT_MORE(f_rto, fmt_ms(buf, m->rto_us))
FMT_MORE(f_ato, fmt_ms(buf, m->ato_us))
FMT_MORE(f_lost, fmt_u64(buf, m->lost))
FMT_MORE(f_sacked, fmt_u64(buf, m->sacked))
FMT_MORE(f_unacked, fmt_u64(buf, m->unacked))
FMT_MORE(f_reordering, fmt_u64(buf, m->reordering))
FMT_MORE(f_retrans_out, fmt_u64(buf, m->retrans_out))
/* rates in bits per second, as ss prints them */
FMT_MORE(f_delivery_rate, fmt_u64(buf, m->delivery_rate * 8))
FMT_MORE(f_pacing_rate, fmt_u64(buf, m->pacing_rate * 8))
FMT_MORE(f_rcv_space, fmt_u64(buf, m->rcv_space))
FMT_MORE(f_busy, fmt_ms(buf, m->busy_us))
FMT_MORE(f_rwnd_limited, fmt_ms(buf, m->rwnd_limited_us))
FMT_MORE(f_sndbuf_limited, fmt_ms(buf, m->sndbuf_limited_us))
FMT_MORE(f_app_limited, fmt_str(buf, m->app_limited ? "true" : "false"))

/* ---- comparators ------------------------------------------------------ */

#define CMPF(name) static int name(const struct ct_view *view, \
    const struct ct_sock *a, const struct ct_sock *b, int prefix)
#define UNUSED_CMP_ARGS (void)view; (void)prefix

int
fields_addr_key_cmp(const struct ct_addr *x, const struct ct_addr *y)
{
	struct ct_addr mx, my;
	int c;

	x = addr_key(x, CT_PREFIX_KEY, &mx);
	y = addr_key(y, CT_PREFIX_KEY, &my);
	if ((c = CMP(x->family, y->family)) != 0)
		return c;
	return memcmp(x->bytes, y->bytes, 16);
}

/* Addresses, or keys' (folded, masked) as fmt_addr_prefix() spells them. */
static int
addr_cmp(const struct ct_addr *x, const struct ct_addr *y, int prefix)
{
	struct ct_addr mx, my;
	int c;

	if (prefix == CT_PREFIX_KEY)
		return fields_addr_key_cmp(x, y);
	if (prefix != CT_PREFIX_NONE) {
		x = addr_key(x, prefix, &mx);
		y = addr_key(y, prefix, &my);
	}
	if ((c = CMP(x->family, y->family)) != 0)
		return c;
	if (prefix < 0)
		return memcmp(x->bytes, y->bytes, 16);
	mx = *x;
	my = *y;
	addr_mask(&mx, prefix);
	addr_mask(&my, prefix);
	return memcmp(mx.bytes, my.bytes, 16);
}

CMPF(c_proto) { UNUSED_CMP_ARGS; return CMP(a->proto, b->proto); }
CMPF(c_family) { UNUSED_CMP_ARGS; return CMP(a->local.family, b->local.family); }
CMPF(c_state)
{
	UNUSED_CMP_ARGS;
	return strcmp(sock_state_name(a->proto, a->state),
	    sock_state_name(b->proto, b->state));
}
CMPF(c_laddr) { (void)view; return addr_cmp(&a->local, &b->local, prefix); }
CMPF(c_lport) { UNUSED_CMP_ARGS; return CMP(a->lport, b->lport); }
/* Unconnected ends print "*" whatever their family: one value, first. */
CMPF(c_raddr)
{
	bool ua = sock_is_unconnected(a), ub = sock_is_unconnected(b);

	(void)view;
	if (ua || ub)
		return CMP(ub, ua);
	return addr_cmp(&a->remote, &b->remote, prefix);
}
CMPF(c_rport) { UNUSED_CMP_ARGS; return CMP(a->rport, b->rport); }
/* "*:22" and "[::]:22" print apart, so they compare apart (after "[::]"). */
CMPF(c_local)
{
	int c = addr_cmp(&a->local, &b->local, prefix);

	(void)view;
	if (c == 0)
		c = CMP(endpoint_is_dual(a, &a->local),
		    endpoint_is_dual(b, &b->local));
	return c != 0 ? c : CMP(a->lport, b->lport);
}
CMPF(c_remote)
{
	int c = addr_cmp(&a->remote, &b->remote, prefix);

	(void)view;
	if (c == 0)
		c = CMP(endpoint_is_dual(a, &a->remote),
		    endpoint_is_dual(b, &b->remote));
	return c != 0 ? c : CMP(a->rport, b->rport);
}
CMPF(c_recvq) { UNUSED_CMP_ARGS; return CMP(a->rqueue, b->rqueue); }
CMPF(c_sendq) { UNUSED_CMP_ARGS; return CMP(a->wqueue, b->wqueue); }
CMPF(c_uid) { UNUSED_CMP_ARGS; return CMP(a->uid, b->uid); }
CMPF(c_inode) { UNUSED_CMP_ARGS; return CMP(a->inode, b->inode); }
CMPF(c_cookie) { UNUSED_CMP_ARGS; return CMP(a->cookie, b->cookie); }
/* IPv4 first (no flag), then dual-stack, then IPv6-only. */
CMPF(c_v6only)
{
	int x = a->local.family != AF_INET6 ? 0 : 1 + !!(a->flags & CT_SF_V6ONLY);
	int y = b->local.family != AF_INET6 ? 0 : 1 + !!(b->flags & CT_SF_V6ONLY);

	UNUSED_CMP_ARGS;
	return CMP(x, y);
}

CMPF(c_user)
{
	const char *x = view_user_name(view, a->uid);
	const char *y = view_user_name(view, b->uid);

	(void)prefix;
	if (x == NULL || y == NULL)
		return x == y ? CMP(a->uid, b->uid) : (x == NULL ? 1 : -1);
	return strcmp(x, y);
}

static int
owner_cmp(const struct ct_view *view, const struct ct_sock *a,
    const struct ct_sock *b, bool by_comm)
{
	const struct ct_owner *x = view_owner(view, a);
	const struct ct_owner *y = view_owner(view, b);
	int c;

	if (x == NULL || y == NULL)	/* unknown owners sort last */
		return (x == NULL) - (y == NULL);
	if (by_comm && (c = strcmp(owners_comm(view->owners, x),
	    owners_comm(view->owners, y))) != 0)
		return c;
	if ((c = CMP(x->pid, y->pid)) != 0 || !by_comm)
		return c;
	/* "comm(pid)" and "comm(pid,+N)" print apart: keep them apart */
	return CMP(owners_count(view->owners, a->owners),
	    owners_count(view->owners, b->owners));
}

CMPF(c_pid) { UNUSED_CMP_ARGS; return owner_cmp(view, a, b, false); }
CMPF(c_comm)
{
	const struct ct_owner *x = view_owner(view, a);
	const struct ct_owner *y = view_owner(view, b);

	(void)prefix;
	if (x == NULL || y == NULL)
		return (x == NULL) - (y == NULL);
	return strcmp(owners_comm(view->owners, x),
	    owners_comm(view->owners, y));
}
CMPF(c_process) { UNUSED_CMP_ARGS; return owner_cmp(view, a, b, true); }

CMPF(c_listener)
{
	const struct ct_sock *x = view_listener(view, a);
	const struct ct_sock *y = view_listener(view, b);

	(void)prefix;
	if (x == NULL || y == NULL)
		return (x == NULL) - (y == NULL);
	return c_local(view, x, y, -1);
}

/* Records without tcp_info sort last. */
#define CMP_INFO(name, member) CMPF(name) \
{ \
	const struct ct_tcpinfo *x = sock_info(view->socks, a); \
	const struct ct_tcpinfo *y = sock_info(view->socks, b); \
	(void)prefix; \
	if (x == NULL || y == NULL) \
		return (x == NULL) - (y == NULL); \
	return CMP(x->member, y->member); \
}
CMP_INFO(c_rtt, rtt_us)
CMP_INFO(c_rttvar, rttvar_us)
CMP_INFO(c_cwnd, cwnd)
CMP_INFO(c_retrans, retrans)
CMP_INFO(c_bytes_sent, bytes_acked)
CMP_INFO(c_bytes_recv, bytes_received)

/* By name, then by index (two namespaces may share a name); none last. */
CMPF(c_netns)
{
	const struct ct_netns *x = view_netns(view, a), *y = view_netns(view, b);
	int c;

	(void)prefix;
	if (x == NULL || y == NULL)
		return (x == NULL) - (y == NULL);
	if (a->netns == b->netns)
		return 0;
	c = strcmp(x->name, y->name);
	return c != 0 ? c : CMP(a->netns, b->netns);
}

CMPF(c_netns_ino)
{
	const struct ct_netns *x = view_netns(view, a), *y = view_netns(view, b);

	(void)prefix;
	if (x == NULL || y == NULL)
		return (x == NULL) - (y == NULL);
	return CMP(x->ino, y->ino);
}

/* Labels by text; records without one sort last. */
static int
label_cmp(const struct ct_view *view, const struct ct_sock *a,
    const struct ct_sock *b, enum ct_label_part part)
{
	const char *x = labels_part(view_label(view, a), part);
	const char *y = labels_part(view_label(view, b), part);

	if (x[0] == '\0' || y[0] == '\0')
		return (x[0] == '\0') - (y[0] == '\0');
	return strcmp(x, y);
}

CMPF(c_container) { UNUSED_CMP_ARGS; return label_cmp(view, a, b, CT_LP_CONTAINER); }
CMPF(c_pod) { UNUSED_CMP_ARGS; return label_cmp(view, a, b, CT_LP_POD); }
CMPF(c_unit) { UNUSED_CMP_ARGS; return label_cmp(view, a, b, CT_LP_UNIT); }
CMPF(c_dev) { UNUSED_CMP_ARGS; return CMP(a->ifindex, b->ifindex); }

/* Records without the figure sort last, as with tcp_info. */
#define CMP_EXT(name, expr) CMPF(name) \
{ \
	const struct ct_sockext *x = sock_ext(view->socks, a); \
	const struct ct_sockext *y = sock_ext(view->socks, b); \
	(void)prefix; \
	if (x == NULL || y == NULL) \
		return (x == NULL) - (y == NULL); \
	return expr; \
}
CMP_EXT(c_fwmark, CMP(x->has & CT_SX_MARK ? (int64_t)x->mark : -1,
    y->has & CT_SX_MARK ? (int64_t)y->mark : -1))
CMP_EXT(c_timer, CMP(x->timer, y->timer))
CMP_EXT(c_expires, CMP(x->expires_ms, y->expires_ms))
CMP_EXT(c_timer_retrans, CMP(x->timer_retrans, y->timer_retrans))

/* By path where both are known, else by id. */
static int
cgroup_cmp(const struct ct_view *view, const struct ct_sockext *x,
    const struct ct_sockext *y)
{
	const char *p = view_cgpath(view, x->cgroup_id);
	const char *q = view_cgpath(view, y->cgroup_id);

	if (p != NULL && q != NULL)
		return strcmp(p, q);
	if (p != NULL || q != NULL)
		return p == NULL ? 1 : -1;
	return CMP(x->cgroup_id, y->cgroup_id);
}
CMP_EXT(c_cgroup, cgroup_cmp(view, x, y))

#define CMP_MEM(name, idx) CMPF(name) \
{ \
	const struct ct_meminfo *x = sock_mem(view->socks, a); \
	const struct ct_meminfo *y = sock_mem(view->socks, b); \
	(void)prefix; \
	if (x == NULL || y == NULL) \
		return (x == NULL) - (y == NULL); \
	return CMP(x->v[idx], y->v[idx]); \
}
CMP_MEM(c_rmem_alloc, CT_MEM_RMEM_ALLOC)
CMP_MEM(c_rcvbuf, CT_MEM_RCVBUF)
CMP_MEM(c_wmem_alloc, CT_MEM_WMEM_ALLOC)
CMP_MEM(c_sndbuf, CT_MEM_SNDBUF)
CMP_MEM(c_fwd_alloc, CT_MEM_FWD_ALLOC)
CMP_MEM(c_wmem_queued, CT_MEM_WMEM_QUEUED)
CMP_MEM(c_optmem, CT_MEM_OPTMEM)
CMP_MEM(c_backlog, CT_MEM_BACKLOG)
CMP_MEM(c_drops, CT_MEM_DROPS)

#define CMP_MORE(name, expr) CMPF(name) \
{ \
	const struct ct_tcpinfo_more *x = sock_more(view->socks, a); \
	const struct ct_tcpinfo_more *y = sock_more(view->socks, b); \
	(void)prefix; \
	if (x == NULL || y == NULL) \
		return (x == NULL) - (y == NULL); \
	return expr; \
}
CMP_MORE(c_cong, strncmp(x->cong, y->cong, sizeof(x->cong)))
CMP_MORE(c_mss, CMP(x->snd_mss, y->snd_mss))
CMP_MORE(c_pmtu, CMP(x->pmtu, y->pmtu))
CMP_MORE(c_min_rtt, CMP(x->min_rtt_us, y->min_rtt_us))
CMP_MORE(c_rto, CMP(x->rto_us, y->rto_us))
CMP_MORE(c_ato, CMP(x->ato_us, y->ato_us))
CMP_MORE(c_lost, CMP(x->lost, y->lost))
CMP_MORE(c_sacked, CMP(x->sacked, y->sacked))
CMP_MORE(c_unacked, CMP(x->unacked, y->unacked))
CMP_MORE(c_reordering, CMP(x->reordering, y->reordering))
CMP_MORE(c_retrans_out, CMP(x->retrans_out, y->retrans_out))
CMP_MORE(c_delivery_rate, CMP(x->delivery_rate, y->delivery_rate))
CMP_MORE(c_pacing_rate, CMP(x->pacing_rate, y->pacing_rate))
CMP_MORE(c_rcv_space, CMP(x->rcv_space, y->rcv_space))
CMP_MORE(c_busy, CMP(x->busy_us, y->busy_us))
CMP_MORE(c_rwnd_limited, CMP(x->rwnd_limited_us, y->rwnd_limited_us))
CMP_MORE(c_sndbuf_limited, CMP(x->sndbuf_limited_us, y->sndbuf_limited_us))
CMP_MORE(c_app_limited, CMP(x->app_limited, y->app_limited))

/* ---- the table -------------------------------------------------------- */

static const struct ct_field fields[CT_F_NFIELDS] = {
	[CT_F_PROTO] = { "proto", "PROTO", 0, f_proto, c_proto, 3 },
	[CT_F_FAMILY] = { "family", "FAMILY", 0, f_family, c_family, 5 },
	[CT_F_STATE] = { "state", "STATE", 0, f_state, c_state, 11 },
	[CT_F_LADDR] = { "laddr", "LADDR", CT_FF_ADDR, f_laddr, c_laddr, 0 },
	[CT_F_LPORT] = { "lport", "LPORT", CT_FF_NUM, f_lport, c_lport, 5 },
	[CT_F_RADDR] = { "raddr", "RADDR", CT_FF_ADDR, f_raddr, c_raddr, 0 },
	[CT_F_RPORT] = { "rport", "RPORT", CT_FF_NUM, f_rport, c_rport, 5 },
	[CT_F_LOCAL] = { "local", "LOCAL", 0, f_local, c_local, 0 },
	[CT_F_REMOTE] = { "remote", "REMOTE", 0, f_remote, c_remote, 0 },
	[CT_F_RECVQ] = { "recvq", "RECVQ", CT_FF_NUM, f_recvq, c_recvq, 0 },
	[CT_F_SENDQ] = { "sendq", "SENDQ", CT_FF_NUM, f_sendq, c_sendq, 0 },
	[CT_F_UID] = { "uid", "UID", CT_FF_NUM, f_uid, c_uid, 0 },
	[CT_F_USER] = { "user", "USER", 0, f_user, c_user, 0 },
	[CT_F_INODE] = { "inode", "INODE", CT_FF_NUM, f_inode, c_inode, 0 },
	[CT_F_V6ONLY] = { "v6only", "V6ONLY", CT_FF_NUM | CT_FF_BOOL, f_v6only,
	    c_v6only, 5 },
	[CT_F_PID] = { "pid", "PID", CT_FF_NUM | CT_FF_OWNERS, f_pid, c_pid, 0 },
	[CT_F_COMM] = { "comm", "COMM", CT_FF_OWNERS, f_comm, c_comm, 0 },
	[CT_F_OWNERS] = { "owners", "OWNERS", CT_FF_OWNERS, f_owners, NULL, 0 },
	[CT_F_PROCESS] = { "process", "PROCESS", CT_FF_OWNERS, f_process, c_process, 0 },
	[CT_F_LISTENER] = { "listener", "LISTENER", 0, f_listener, c_listener, 0 },
	[CT_F_RTT] = { "rtt", "RTT", CT_FF_NUM | CT_FF_INFO, f_rtt, c_rtt, 0 },
	[CT_F_RTTVAR] = { "rttvar", "RTTVAR", CT_FF_NUM | CT_FF_INFO, f_rttvar, c_rttvar, 0 },
	[CT_F_CWND] = { "cwnd", "CWND", CT_FF_NUM | CT_FF_INFO, f_cwnd, c_cwnd, 0 },
	[CT_F_RETRANS] = { "retrans", "RETRANS", CT_FF_NUM | CT_FF_INFO, f_retrans, c_retrans, 0 },
	[CT_F_BYTES_SENT] = { "bytes_sent", "BYTES_SENT", CT_FF_NUM | CT_FF_INFO,
	    f_bytes_sent, c_bytes_sent, 0 },
	[CT_F_BYTES_RECV] = { "bytes_recv", "BYTES_RECV", CT_FF_NUM | CT_FF_INFO,
	    f_bytes_recv, c_bytes_recv, 0 },
	[CT_F_RATE_IN] = { "rate_in", "RATE_IN", CT_FF_NUM | CT_FF_INFO | CT_FF_RATE,
	    f_rate, NULL, 0 },
	[CT_F_RATE_OUT] = { "rate_out", "RATE_OUT", CT_FF_NUM | CT_FF_INFO | CT_FF_RATE,
	    f_rate, NULL, 0 },
	[CT_F_COUNT] = { "count", "COUNT", CT_FF_NUM | CT_FF_GROUPED, f_count, NULL, 0 },
	[CT_F_CLIENTS] = { "clients", "CLIENTS", CT_FF_NUM | CT_FF_GROUPED,
	    f_clients, NULL, 0 },
	[CT_F_PORTS_USED] = { "ports_used", "PORTS_USED", CT_FF_NUM | CT_FF_GROUPED,
	    f_ports_used, NULL, 0 },
	[CT_F_PORTS_AVAIL] = { "ports_avail", "PORTS_AVAIL",
	    CT_FF_NUM | CT_FF_GROUPED, f_ports_avail, NULL, 0 },
	[CT_F_PORTS_PCT] = { "ports_pct", "PORTS_PCT", CT_FF_NUM | CT_FF_GROUPED,
	    f_ports_pct, NULL, 0 },
	[CT_F_HIGH] = { "high", "HIGH", CT_FF_NUM | CT_FF_BOOL | CT_FF_GROUPED,
	    f_high, NULL, 5 },
	[CT_F_NETNS] = { "netns", "NETNS", 0, f_netns, c_netns, 0 },
	[CT_F_NETNS_INO] = { "netns_ino", "NETNS_INO", CT_FF_NUM, f_netns_ino,
	    c_netns_ino, 0 },
	[CT_F_CONTAINER] = { "container", "CONTAINER", CT_FF_OWNERS | CT_FF_LABEL,
	    f_container, c_container, 0 },
	[CT_F_POD] = { "pod", "POD", CT_FF_OWNERS | CT_FF_LABEL, f_pod, c_pod, 0 },
	[CT_F_UNIT] = { "unit", "UNIT", CT_FF_OWNERS | CT_FF_LABEL, f_unit,
	    c_unit, 0 },
	[CT_F_DEV] = { "dev", "DEV", CT_FF_IFNAME, f_dev, c_dev, 0 },
	[CT_F_FWMARK] = { "fwmark", "FWMARK", CT_FF_EXT, f_fwmark, c_fwmark, 10 },
	[CT_F_CGROUP] = { "cgroup", "CGROUP", CT_FF_EXT | CT_FF_CGPATH, f_cgroup,
	    c_cgroup, 0 },
#define MEMF(id, name, hdr, fmt, cmp) \
	[id] = { name, hdr, CT_FF_NUM | CT_FF_MEM, fmt, cmp, 10 }
	MEMF(CT_F_RMEM_ALLOC, "rmem_alloc", "RMEM_ALLOC", f_rmem_alloc, c_rmem_alloc),
	MEMF(CT_F_RCVBUF, "rcvbuf", "RCVBUF", f_rcvbuf, c_rcvbuf),
	MEMF(CT_F_WMEM_ALLOC, "wmem_alloc", "WMEM_ALLOC", f_wmem_alloc, c_wmem_alloc),
	MEMF(CT_F_SNDBUF, "sndbuf", "SNDBUF", f_sndbuf, c_sndbuf),
	MEMF(CT_F_FWD_ALLOC, "fwd_alloc", "FWD_ALLOC", f_fwd_alloc, c_fwd_alloc),
	MEMF(CT_F_WMEM_QUEUED, "wmem_queued", "WMEM_QUEUED", f_wmem_queued,
	    c_wmem_queued),
	MEMF(CT_F_OPTMEM, "optmem", "OPTMEM", f_optmem, c_optmem),
	MEMF(CT_F_BACKLOG, "backlog", "BACKLOG", f_backlog, c_backlog),
	MEMF(CT_F_DROPS, "drops", "DROPS", f_drops, c_drops),
#undef MEMF
	[CT_F_TIMER] = { "timer", "TIMER", CT_FF_EXT, f_timer, c_timer, 9 },
	[CT_F_EXPIRES] = { "expires", "EXPIRES", CT_FF_NUM | CT_FF_EXT, f_expires,
	    c_expires, 10 },
	[CT_F_TIMER_RETRANS] = { "timer_retrans", "TIMER_RETRANS",
	    CT_FF_NUM | CT_FF_EXT, f_timer_retrans, c_timer_retrans, 3 },
#define MOREF(id, name, hdr, fl, fmt, cmp) \
	[id] = { name, hdr, CT_FF_INFO | CT_FF_MORE | (fl), fmt, cmp, 0 }
	MOREF(CT_F_CONG, "cong", "CONG", 0, f_cong, c_cong),
	MOREF(CT_F_MSS, "mss", "MSS", CT_FF_NUM, f_mss, c_mss),
	MOREF(CT_F_PMTU, "pmtu", "PMTU", CT_FF_NUM, f_pmtu, c_pmtu),
	MOREF(CT_F_MIN_RTT, "min_rtt", "MIN_RTT", CT_FF_NUM, f_min_rtt, c_min_rtt),
	MOREF(CT_F_RTO, "rto", "RTO", CT_FF_NUM, f_rto, c_rto),
	MOREF(CT_F_ATO, "ato", "ATO", CT_FF_NUM, f_ato, c_ato),
	MOREF(CT_F_LOST, "lost", "LOST", CT_FF_NUM, f_lost, c_lost),
	MOREF(CT_F_SACKED, "sacked", "SACKED", CT_FF_NUM, f_sacked, c_sacked),
	MOREF(CT_F_UNACKED, "unacked", "UNACKED", CT_FF_NUM, f_unacked, c_unacked),
	MOREF(CT_F_REORDERING, "reordering", "REORDERING", CT_FF_NUM,
	    f_reordering, c_reordering),
	MOREF(CT_F_RETRANS_OUT, "retrans_out", "RETRANS_OUT", CT_FF_NUM,
	    f_retrans_out, c_retrans_out),
	MOREF(CT_F_DELIVERY_RATE, "delivery_rate", "DELIVERY_RATE", CT_FF_NUM,
	    f_delivery_rate, c_delivery_rate),
	MOREF(CT_F_PACING_RATE, "pacing_rate", "PACING_RATE", CT_FF_NUM,
	    f_pacing_rate, c_pacing_rate),
	MOREF(CT_F_RCV_SPACE, "rcv_space", "RCV_SPACE", CT_FF_NUM, f_rcv_space,
	    c_rcv_space),
	MOREF(CT_F_BUSY, "busy", "BUSY", CT_FF_NUM, f_busy, c_busy),
	MOREF(CT_F_RWND_LIMITED, "rwnd_limited", "RWND_LIMITED", CT_FF_NUM,
	    f_rwnd_limited, c_rwnd_limited),
	MOREF(CT_F_SNDBUF_LIMITED, "sndbuf_limited", "SNDBUF_LIMITED", CT_FF_NUM,
	    f_sndbuf_limited, c_sndbuf_limited),
	MOREF(CT_F_APP_LIMITED, "app_limited", "APP_LIMITED",
	    CT_FF_NUM | CT_FF_BOOL, f_app_limited, c_app_limited),
#undef MOREF
	[CT_F_COOKIE] = { "cookie", "COOKIE", CT_FF_NUM, f_cookie, c_cookie, 20 },
	[CT_F_DURATION] = { "duration", "DURATION", CT_FF_NUM, f_duration, NULL,
	    0 },
};

/* Other spellings people type; each maps onto one field of the table. */
static const struct {
	const char	*alias;
	enum ct_field_id id;
} aliases[] = {
	{ "proc", CT_F_PROCESS },
	{ "ino", CT_F_INODE },
};

const struct ct_field *
fields_get(enum ct_field_id id)
{
	return &fields[id];
}

int
fields_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < CT_F_NFIELDS; i++)
		if (strlen(fields[i].name) == len &&
		    strncasecmp(fields[i].name, name, len) == 0)
			return (int)i;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strlen(aliases[i].alias) == len &&
		    strncasecmp(aliases[i].alias, name, len) == 0)
			return (int)aliases[i].id;
	return -1;
}

/*
 * Edit distance counting a swap of two neighbours as one edit (optimal
 * string alignment), case-insensitive: "dprot" is one step from "dport".
 */
size_t
fields_distance(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b), d[32][32], i, j;

	if (alen >= 32 || blen >= 32)
		return 32;
	for (i = 0; i <= alen; i++)
		d[i][0] = i;
	for (j = 0; j <= blen; j++)
		d[0][j] = j;
	for (i = 1; i <= alen; i++) {
		for (j = 1; j <= blen; j++) {
			int ca = a[i - 1] | 0x20, cb = b[j - 1] | 0x20;
			size_t best = d[i - 1][j - 1] + (ca != cb);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == (b[j - 2] | 0x20) &&
			    (a[i - 2] | 0x20) == cb && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[alen][blen];
}

const char *
fields_suggest(const char *word, size_t len)
{
	const char *best = NULL;
	size_t i, d, bestd = (len + 2) / 3 + 1;	/* about a third may differ */

	if (bestd > 3)
		bestd = 3;
	for (i = 0; i < CT_F_NFIELDS; i++) {
		d = fields_distance(word, len, fields[i].name);
		if (d < bestd || (d == bestd && best == NULL && d <= 1)) {
			bestd = d;
			best = fields[i].name;
		}
	}
	return best;
}

int
fields_parse_list(const char *list, bool allow_prefix, struct ct_cols *out,
    const char **bad, size_t *badlen)
{
	const char *p = list;

	out->n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		size_t namelen = len;
		const char *slash = memchr(p, '/', len);
		int id, prefix = -1;

		*bad = p;
		*badlen = len;
		if (slash != NULL) {
			char *end;
			long v;

			namelen = (size_t)(slash - p);
			v = strtol(slash + 1, &end, 10);
			if (!allow_prefix || slash[1] < '0' || slash[1] > '9' ||
			    end != p + len || v > 128)
				return -ERANGE;
			prefix = (int)v;
		}
		if ((id = fields_lookup(p, namelen)) < 0) {
			*badlen = namelen;
			return -EINVAL;
		}
		if (prefix >= 0 && !(fields[id].flags & CT_FF_ADDR))
			return -ERANGE;
		if (out->n == CT_COLS_MAX)
			return -E2BIG;
		out->v[out->n].id = (enum ct_field_id)id;
		out->v[out->n].prefix = prefix;
		out->n++;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

void
fields_cols_as_keys(struct ct_cols *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].prefix == CT_PREFIX_NONE)
			c->v[i].prefix = CT_PREFIX_KEY;
}

int
fields_cmp_cols(const struct ct_view *view, const struct ct_cols *c,
    const struct ct_sock *a, const struct ct_sock *b)
{
	size_t i;
	int r;

	for (i = 0; i < c->n; i++) {
		const struct ct_field *f = &fields[c->v[i].id];

		if (f->cmp != NULL && (r = f->cmp(view, a, b, c->v[i].prefix)) != 0)
			return r;
	}
	return 0;
}
