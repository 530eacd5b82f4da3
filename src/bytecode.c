/*
 * The kernel's share of a filter as inet_diag bytecode (INET_DIAG_REQ_BYTECODE),
 * and a user-space model of how the kernel audits and runs such a program
 * (net/ipv4/inet_diag.c: inet_diag_bc_audit(), inet_diag_bc_run()).
 *
 * A program is a sequence of struct inet_diag_bc_op. Each op tests one
 * thing; when the test holds the kernel moves on by op->yes bytes, else by
 * op->no bytes. The program accepts a socket when it steps exactly onto
 * its end, and rejects it when it steps past (conventionally end + 4).
 * The audit only lets op->no land on an op that the chain of op->yes
 * offsets from the start reaches, and we always make op->yes the op's own
 * size, so the ops form a straight line and only op->no ever branches.
 *
 * The compiler keeps one invariant for every fragment of code it emits: a
 * fragment of length L exits "true" by falling off its end (offset L) and
 * "false" by jumping to L + 4. Then:
 *   a and b:  a b      a's false jumps are moved by len(b) to b's false
 *   a or b:   a JMP b  a true reaches JMP, which jumps to the end; a false
 *                      lands at a's L + 4, the start of b
 *   not a:    a JMP    a true reaches JMP, which jumps to L + 8, the false
 *                      exit of the longer fragment; a false lands at L + 4,
 *                      the end: true
 * (the same plan as iproute2's ssfilter_bytecompile()).
 */
#include "bytecode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sock.h"
#include "util.h"

#define BC_OP		((int)sizeof(struct inet_diag_bc_op))
#define BC_HOSTCOND	((int)sizeof(struct inet_diag_hostcond))

/* Constructors ---------------------------------------------------------- */

static struct ct_bc_expr *
bc_new(enum ct_bc_kind kind)
{
	struct ct_bc_expr *e = xcalloc(1, sizeof(*e));

	e->kind = kind;
	return e;
}

struct ct_bc_expr *
bytecode_expr_const(bool value)
{
	return bc_new(value ? CT_BC_TRUE : CT_BC_FALSE);
}

struct ct_bc_expr *
bytecode_expr_port(bool remote, uint16_t lo, uint16_t hi)
{
	struct ct_bc_expr *e;

	if (lo > hi)
		return bytecode_expr_const(false);
	if (lo == 0 && hi == UINT16_MAX)
		return bytecode_expr_const(true);
	e = bc_new(CT_BC_PORT);
	e->remote = remote;
	e->lo = lo;
	e->hi = hi;
	return e;
}

struct ct_bc_expr *
bytecode_expr_host(bool remote, const struct ct_bc_host *h)
{
	struct ct_bc_expr *e;

	if (h->family == AF_UNSPEC) {
		/* any address: only the port is left to test */
		if (h->port < 0)
			return bytecode_expr_const(true);
		return bytecode_expr_port(remote, (uint16_t)h->port,
		    (uint16_t)h->port);
	}
	e = bc_new(CT_BC_HOST);
	e->remote = remote;
	e->host = *h;
	return e;
}

struct ct_bc_expr *
bytecode_expr_auto(void)
{
	return bc_new(CT_BC_AUTO);
}

struct ct_bc_expr *
bytecode_expr_dev(uint32_t ifindex)
{
	struct ct_bc_expr *e = bc_new(CT_BC_DEV);

	e->num = ifindex;
	return e;
}

struct ct_bc_expr *
bytecode_expr_mark(uint32_t mark, uint32_t mask)
{
	struct ct_bc_expr *e;

	if ((mark & ~mask) != 0)
		return bytecode_expr_const(false);	/* no mark can match */
	e = bc_new(CT_BC_MARK);
	e->num = mark;
	e->mask = mask;
	return e;
}

struct ct_bc_expr *
bytecode_expr_cgroup(uint64_t id)
{
	struct ct_bc_expr *e = bc_new(CT_BC_CGROUP);

	e->id = id;
	return e;
}

static struct ct_bc_expr *
bc_binary(enum ct_bc_kind kind, struct ct_bc_expr *a, struct ct_bc_expr *b)
{
	/* and: false absorbs, true is neutral; or: the other way round */
	enum ct_bc_kind absorb = kind == CT_BC_AND ? CT_BC_FALSE : CT_BC_TRUE;
	enum ct_bc_kind neutral = kind == CT_BC_AND ? CT_BC_TRUE : CT_BC_FALSE;
	struct ct_bc_expr *e;

	if (a->kind == absorb || b->kind == neutral) {
		bytecode_expr_free(b);
		return a;
	}
	if (b->kind == absorb || a->kind == neutral) {
		bytecode_expr_free(a);
		return b;
	}
	e = bc_new(kind);
	e->a = a;
	e->b = b;
	return e;
}

struct ct_bc_expr *
bytecode_expr_and(struct ct_bc_expr *a, struct ct_bc_expr *b)
{
	return bc_binary(CT_BC_AND, a, b);
}

struct ct_bc_expr *
bytecode_expr_or(struct ct_bc_expr *a, struct ct_bc_expr *b)
{
	return bc_binary(CT_BC_OR, a, b);
}

struct ct_bc_expr *
bytecode_expr_not(struct ct_bc_expr *a)
{
	struct ct_bc_expr *e;

	switch (a->kind) {
	case CT_BC_TRUE:
		a->kind = CT_BC_FALSE;
		return a;
	case CT_BC_FALSE:
		a->kind = CT_BC_TRUE;
		return a;
	case CT_BC_NOT:
		e = a->a;
		free(a);
		return e;
	default:
		e = bc_new(CT_BC_NOT);
		e->a = a;
		return e;
	}
}

struct ct_bc_expr *
bytecode_expr_dup(const struct ct_bc_expr *e)
{
	struct ct_bc_expr *c;

	if (e == NULL)
		return NULL;
	c = xmalloc(sizeof(*c));
	*c = *e;
	c->a = bytecode_expr_dup(e->a);
	c->b = bytecode_expr_dup(e->b);
	return c;
}

bool
bytecode_expr_equal(const struct ct_bc_expr *a, const struct ct_bc_expr *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case CT_BC_PORT:
		return a->remote == b->remote && a->lo == b->lo &&
		    a->hi == b->hi;
	case CT_BC_HOST:
		return a->remote == b->remote &&
		    a->host.family == b->host.family &&
		    a->host.prefix == b->host.prefix &&
		    a->host.port == b->host.port &&
		    memcmp(a->host.addr, b->host.addr, sizeof(a->host.addr)) == 0;
	case CT_BC_DEV:
	case CT_BC_MARK:
	case CT_BC_CGROUP:
		return a->num == b->num && a->mask == b->mask && a->id == b->id;
	default:
		return bytecode_expr_equal(a->a, b->a) &&
		    bytecode_expr_equal(a->b, b->b);
	}
}

void
bytecode_expr_free(struct ct_bc_expr *e)
{
	if (e == NULL)
		return;
	bytecode_expr_free(e->a);
	bytecode_expr_free(e->b);
	free(e);
}

/* Compiler -------------------------------------------------------------- */

struct bc_buf {
	uint8_t		*p;
	size_t		 len, cap;
	int		 rc;		/* -E2BIG once anything overflowed */
};

static void *
bc_grow(struct bc_buf *b, size_t n)
{
	void *at;

	if (b->len + n > CT_BC_MAX) {
		b->rc = -E2BIG;
		return NULL;
	}
	if (b->len + n > b->cap) {
		b->cap = b->cap == 0 ? 256 : b->cap * 2;
		if (b->cap > CT_BC_MAX + 64)
			b->cap = CT_BC_MAX + 64;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	at = b->p + b->len;
	b->len += n;
	return at;
}

/* Ops are written with memcpy: the buffer offers no alignment promise. */
static void
bc_put_op(struct bc_buf *b, uint8_t code, uint8_t yes, size_t no)
{
	struct inet_diag_bc_op op = { code, yes, (unsigned short)no };
	void *at;

	if (no > UINT16_MAX)
		b->rc = -E2BIG;
	if ((at = bc_grow(b, sizeof(op))) != NULL)
		memcpy(at, &op, sizeof(op));
}

static struct inet_diag_bc_op
bc_get_op(const uint8_t *p)
{
	struct inet_diag_bc_op op;

	memcpy(&op, p, sizeof(op));
	return op;
}

static void
bc_set_no(struct bc_buf *b, size_t at, size_t no)
{
	struct inet_diag_bc_op op = bc_get_op(b->p + at);

	if (no > UINT16_MAX) {
		b->rc = -E2BIG;
		return;
	}
	op.no = (unsigned short)no;
	memcpy(b->p + at, &op, sizeof(op));
}

/*
 * The fragment [start, start + alen) is now followed by blen more bytes:
 * its "false" jumps (to its own end + 4) must go to the new end + 4.
 */
static void
bc_relocate_false(struct bc_buf *b, size_t start, size_t alen, size_t blen)
{
	size_t at = start, end = start + alen;

	while (at < end) {
		struct inet_diag_bc_op op = bc_get_op(b->p + at);

		if (op.no == end - at + 4)
			bc_set_no(b, at, op.no + blen);
		at += op.yes;
	}
}

/* One port comparison: a fragment of 8 bytes, false exit at 12. */
static void
bc_emit_cmp(struct bc_buf *b, uint8_t code, uint16_t port)
{
	bc_put_op(b, code, 2 * BC_OP, 3 * BC_OP);
	bc_put_op(b, 0, 0, port);	/* the operand rides in op[1].no */
}

static void
bc_emit(struct bc_buf *b, const struct ct_bc_expr *e)
{
	struct inet_diag_hostcond hc;
	size_t start, alen, at;
	int size, alen_b;
	uint8_t *p;

	if (b->rc != 0)
		return;
	switch (e->kind) {
	case CT_BC_TRUE:
		break;			/* nothing to test: fall through */
	case CT_BC_FALSE:
		bc_put_op(b, INET_DIAG_BC_JMP, BC_OP, 2 * BC_OP);
		break;
	case CT_BC_PORT:
		start = b->len;
		if (e->lo > 0)
			bc_emit_cmp(b, e->remote ? INET_DIAG_BC_D_GE :
			    INET_DIAG_BC_S_GE, e->lo);
		alen = b->len - start;
		if (e->hi < UINT16_MAX)
			bc_emit_cmp(b, e->remote ? INET_DIAG_BC_D_LE :
			    INET_DIAG_BC_S_LE, e->hi);
		if (b->rc == 0)
			bc_relocate_false(b, start, alen, b->len - start - alen);
		break;
	case CT_BC_HOST:
		alen_b = e->host.family == AF_INET6 ? 16 :
		    e->host.family == AF_INET ? 4 : 0;
		size = BC_OP + BC_HOSTCOND + alen_b;
		bc_put_op(b, e->remote ? INET_DIAG_BC_D_COND : INET_DIAG_BC_S_COND,
		    (uint8_t)size, (size_t)size + 4);
		memset(&hc, 0, sizeof(hc));
		hc.family = e->host.family;
		hc.prefix_len = e->host.prefix;
		hc.port = e->host.port;
		if ((p = bc_grow(b, (size_t)(BC_HOSTCOND + alen_b))) != NULL) {
			memcpy(p, &hc, sizeof(hc));
			memcpy(p + BC_HOSTCOND, e->host.addr, (size_t)alen_b);
		}
		break;
	case CT_BC_AUTO:
		bc_put_op(b, INET_DIAG_BC_AUTO, BC_OP, 2 * BC_OP);
		break;
	case CT_BC_DEV:
	case CT_BC_MARK:
	case CT_BC_CGROUP: {
		/* one op and its operand: 4, 8 or 8 bytes, unaligned */
		struct inet_diag_markcond mc = { e->num, e->mask };
		size_t arg = e->kind == CT_BC_DEV ? sizeof(e->num) :
		    e->kind == CT_BC_MARK ? sizeof(mc) : sizeof(e->id);

		bc_put_op(b, e->kind == CT_BC_DEV ? INET_DIAG_BC_DEV_COND :
		    e->kind == CT_BC_MARK ? INET_DIAG_BC_MARK_COND :
		    INET_DIAG_BC_CGROUP_COND, (uint8_t)(BC_OP + arg),
		    BC_OP + arg + 4);
		if ((p = bc_grow(b, arg)) != NULL)
			memcpy(p, e->kind == CT_BC_DEV ? (const void *)&e->num :
			    e->kind == CT_BC_MARK ? (const void *)&mc :
			    (const void *)&e->id, arg);
		break;
	}
	case CT_BC_AND:
		start = b->len;
		bc_emit(b, e->a);
		alen = b->len - start;
		bc_emit(b, e->b);
		if (b->rc == 0)
			bc_relocate_false(b, start, alen, b->len - start - alen);
		break;
	case CT_BC_OR:
		bc_emit(b, e->a);
		at = b->len;
		bc_put_op(b, INET_DIAG_BC_JMP, BC_OP, 0);	/* no: set below */
		bc_emit(b, e->b);
		if (b->rc == 0)
			bc_set_no(b, at, b->len - at);	/* to the end: true */
		break;
	case CT_BC_NOT:
		bc_emit(b, e->a);
		bc_put_op(b, INET_DIAG_BC_JMP, BC_OP, 2 * BC_OP);
		break;
	}
}

int
bytecode_compile(const struct ct_bc_expr *e, void **out, size_t *len)
{
	struct bc_buf b = { NULL, 0, 0, 0 };

	*out = NULL;
	*len = 0;
	if (e->kind == CT_BC_TRUE)
		return 0;
	bc_emit(&b, e);
	if (b.rc != 0) {
		free(b.p);
		return b.rc;
	}
	*out = b.p;			/* caller frees: free() */
	*len = b.len;
	return 0;
}

/* The kernel's audit --------------------------------------------------- */

/* Is cc (bytes left at a jump target) an op boundary on the yes chain? */
static bool
bc_valid_cc(const uint8_t *bc, int len, int cc)
{
	while (len >= 0) {
		struct inet_diag_bc_op op;

		if (cc > len)
			return false;
		if (cc == len)
			return true;
		if (len < BC_OP)
			return false;	/* the kernel would read past the end */
		op = bc_get_op(bc);
		if (op.yes < 4 || (op.yes & 3) != 0)
			return false;
		len -= op.yes;
		bc += op.yes;
	}
	return false;
}

static bool
bc_valid_hostcond(const uint8_t *bc, int len, int *min_len)
{
	struct inet_diag_hostcond hc;
	int addr_len;

	*min_len += BC_HOSTCOND;
	if (len < *min_len)
		return false;
	memcpy(&hc, bc + BC_OP, sizeof(hc));
	switch (hc.family) {
	case AF_UNSPEC:
		addr_len = 0;
		break;
	case AF_INET:
		addr_len = 4;
		break;
	case AF_INET6:
		addr_len = 16;
		break;
	default:
		return false;
	}
	*min_len += addr_len;
	if (len < *min_len)
		return false;
	return hc.prefix_len <= 8 * addr_len;
}

int
bytecode_audit(const void *prog, size_t size, bool net_admin)
{
	const uint8_t *bc = prog;
	int len = (int)size;

	if (size < (size_t)BC_OP || size > UINT16_MAX)
		return -EINVAL;
	while (len > 0) {
		int min_len = BC_OP;
		struct inet_diag_bc_op op;

		if (len < BC_OP)
			return -EINVAL;
		op = bc_get_op(bc);
		switch (op.code) {
		case INET_DIAG_BC_S_COND:
		case INET_DIAG_BC_D_COND:
			if (!bc_valid_hostcond(bc, len, &min_len))
				return -EINVAL;
			break;
		case INET_DIAG_BC_DEV_COND:
			min_len += (int)sizeof(uint32_t);
			if (len < min_len)
				return -EINVAL;
			break;
		case INET_DIAG_BC_S_EQ:
		case INET_DIAG_BC_S_GE:
		case INET_DIAG_BC_S_LE:
		case INET_DIAG_BC_D_EQ:
		case INET_DIAG_BC_D_GE:
		case INET_DIAG_BC_D_LE:
			/* the port sits in a follow-on op */
			min_len += BC_OP;
			if (len < min_len)
				return -EINVAL;
			break;
		case INET_DIAG_BC_MARK_COND:
			if (!net_admin)
				return -EPERM;	/* needs CAP_NET_ADMIN */
			min_len += (int)sizeof(struct inet_diag_markcond);
			if (len < min_len)
				return -EINVAL;
			break;
		case INET_DIAG_BC_CGROUP_COND:
			min_len += (int)sizeof(uint64_t);
			if (len < min_len)
				return -EINVAL;
			break;
		case INET_DIAG_BC_AUTO:
		case INET_DIAG_BC_JMP:
		case INET_DIAG_BC_NOP:
			break;
		default:
			return -EINVAL;
		}
		if (op.code != INET_DIAG_BC_NOP) {
			if (op.no < min_len || op.no > len + 4 || (op.no & 3) != 0)
				return -EINVAL;
			if (op.no < len &&
			    !bc_valid_cc(prog, (int)size, len - op.no))
				return -EINVAL;
		}
		if (op.yes < min_len || op.yes > len + 4 || (op.yes & 3) != 0)
			return -EINVAL;
		bc += op.yes;
		len -= op.yes;
	}
	return len == 0 ? 0 : -EINVAL;
}

/* The kernel's interpreter --------------------------------------------- */

/* Do the first bits of a and b agree? (the kernel's bitstring_match) */
static bool
bc_prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[bytes] ^ b[bytes]) & (0xff00 >> rest) & 0xff) == 0;
}

static int
bc_host_match(const uint8_t *bc, int left, const struct ct_sock *s,
    bool remote)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct ct_addr *addr = remote ? &s->remote : &s->local;
	int port = remote ? s->rport : s->lport;
	struct inet_diag_hostcond hc;
	const uint8_t *want;

	if (left < BC_OP + BC_HOSTCOND)
		return -EINVAL;
	memcpy(&hc, bc + BC_OP, sizeof(hc));
	want = bc + BC_OP + BC_HOSTCOND;
	if (left < BC_OP + BC_HOSTCOND + (hc.prefix_len + 7) / 8)
		return -EINVAL;
	if (hc.port != -1 && hc.port != port)
		return 0;
	if (hc.family != AF_UNSPEC && hc.family != s->local.family) {
		/* an IPv4 condition also matches an IPv4-mapped IPv6 socket */
		if (s->local.family == AF_INET6 && hc.family == AF_INET &&
		    hc.prefix_len <= 32 &&
		    memcmp(addr->bytes, v4mapped, 12) == 0 &&
		    bc_prefix_match(addr->bytes + 12, want, hc.prefix_len))
			return 1;
		return 0;
	}
	if (hc.prefix_len == 0)
		return 1;
	if (hc.prefix_len > (s->local.family == AF_INET6 ? 128 : 32))
		return -EINVAL;		/* would read past the socket's address */
	return bc_prefix_match(addr->bytes, want, hc.prefix_len);
}

int
bytecode_run(const void *prog, size_t size, const struct ct_sock *s,
    const struct ct_bc_socket *k)
{
	static const struct ct_bc_socket none;
	const uint8_t *start = prog, *bc = prog;
	long len = (long)size;

	if (k == NULL)
		k = &none;
	while (len > 0) {
		struct inet_diag_bc_op op;
		int yes = 1, port = -1;
		uint32_t u32;
		long step;

		if (len < BC_OP)
			return -EINVAL;
		op = bc_get_op(bc);
		switch (op.code) {
		case INET_DIAG_BC_S_EQ: case INET_DIAG_BC_S_GE:
		case INET_DIAG_BC_S_LE: case INET_DIAG_BC_D_EQ:
		case INET_DIAG_BC_D_GE: case INET_DIAG_BC_D_LE:
			if (len < 2 * BC_OP)
				return -EINVAL;
			port = bc_get_op(bc + BC_OP).no;
			break;
		}
		switch (op.code) {
		case INET_DIAG_BC_NOP:
			break;
		case INET_DIAG_BC_JMP:
			yes = 0;
			break;
		case INET_DIAG_BC_S_EQ:
			yes = s->lport == port;
			break;
		case INET_DIAG_BC_S_GE:
			yes = s->lport >= port;
			break;
		case INET_DIAG_BC_S_LE:
			yes = s->lport <= port;
			break;
		case INET_DIAG_BC_D_EQ:
			yes = s->rport == port;
			break;
		case INET_DIAG_BC_D_GE:
			yes = s->rport >= port;
			break;
		case INET_DIAG_BC_D_LE:
			yes = s->rport <= port;
			break;
		case INET_DIAG_BC_AUTO:
			yes = !k->bindport_lock;
			break;
		case INET_DIAG_BC_S_COND:
		case INET_DIAG_BC_D_COND:
			yes = bc_host_match(bc, (int)len, s,
			    op.code == INET_DIAG_BC_D_COND);
			if (yes < 0)
				return yes;
			break;
		case INET_DIAG_BC_DEV_COND:
			if (len < BC_OP + 4)
				return -EINVAL;
			memcpy(&u32, bc + BC_OP, sizeof(u32));
			yes = u32 == s->ifindex;
			break;
		case INET_DIAG_BC_MARK_COND: {
			struct inet_diag_markcond mc;

			if (len < BC_OP + (long)sizeof(mc))
				return -EINVAL;
			memcpy(&mc, bc + BC_OP, sizeof(mc));
			yes = (k->mark & mc.mask) == mc.mark;
			break;
		}
		case INET_DIAG_BC_CGROUP_COND: {
			uint64_t id;

			if (len < BC_OP + 8)
				return -EINVAL;
			memcpy(&id, bc + BC_OP, sizeof(id));
			yes = id == k->cgroup_id;
			break;
		}
		default:
			break;			/* the kernel ignores the code */
		}
		step = yes ? op.yes : op.no;
		if (step == 0)
			return -EINVAL;		/* the kernel would spin */
		len -= step;
		bc += step;
		if (len > 0 && bc < start)
			return -EINVAL;
	}
	return len == 0;
}

/* Disassembler ---------------------------------------------------------- */

static const char *
bc_code_name(unsigned code)
{
	static const char *const names[] = {
		"NOP", "JMP", "S_GE", "S_LE", "D_GE", "D_LE", "AUTO", "S_COND",
		"D_COND", "DEV_COND", "MARK_COND", "S_EQ", "D_EQ", "CGROUP_COND",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] : "?";
}

int
bytecode_dump(const void *prog, size_t size, char *buf, size_t bufsz)
{
	const uint8_t *bc = prog;
	size_t at = 0, used = 0;
	char addr[64];

	if (bufsz > 0)
		buf[0] = '\0';
	while (at + BC_OP <= size) {
		struct inet_diag_bc_op op = bc_get_op(bc + at);
		char arg[96] = "";
		int n;

		if (op.code >= INET_DIAG_BC_S_GE && op.code <= INET_DIAG_BC_D_LE &&
		    op.code != INET_DIAG_BC_AUTO && at + 2 * BC_OP <= size) {
			snprintf(arg, sizeof(arg), " %u", bc_get_op(bc + at + BC_OP).no);
		} else if ((op.code == INET_DIAG_BC_S_COND ||
		    op.code == INET_DIAG_BC_D_COND) &&
		    at + BC_OP + BC_HOSTCOND <= size) {
			struct inet_diag_hostcond hc;
			size_t alen;

			memcpy(&hc, bc + at + BC_OP, sizeof(hc));
			alen = hc.family == AF_INET6 ? 16 : hc.family == AF_INET ? 4 : 0;
			strcpy(addr, "*");
			if (alen > 0 && at + BC_OP + BC_HOSTCOND + alen <= size) {
				uint8_t a[16] = { 0 };

				memcpy(a, bc + at + BC_OP + BC_HOSTCOND, alen);
				inet_ntop(hc.family, a, addr, sizeof(addr));
			}
			snprintf(arg, sizeof(arg), " %s/%u port %d", addr,
			    hc.prefix_len, hc.port);
		} else if (op.code == INET_DIAG_BC_DEV_COND &&
		    at + BC_OP + 4 <= size) {
			uint32_t ifindex;

			memcpy(&ifindex, bc + at + BC_OP, sizeof(ifindex));
			snprintf(arg, sizeof(arg), " %u", ifindex);
		} else if (op.code == INET_DIAG_BC_MARK_COND &&
		    at + BC_OP + 8 <= size) {
			struct inet_diag_markcond mc;

			memcpy(&mc, bc + at + BC_OP, sizeof(mc));
			snprintf(arg, sizeof(arg), " %#x/%#x", mc.mark, mc.mask);
		} else if (op.code == INET_DIAG_BC_CGROUP_COND &&
		    at + BC_OP + 8 <= size) {
			uint64_t id;

			memcpy(&id, bc + at + BC_OP, sizeof(id));
			snprintf(arg, sizeof(arg), " %llu", (unsigned long long)id);
		}
		n = snprintf(buf + used, used < bufsz ? bufsz - used : 0,
		    "%zu: %s%s yes %u no %u\n", at, bc_code_name(op.code), arg,
		    op.yes, op.no);
		used += (size_t)n;
		if (op.yes == 0)
			break;
		at += op.yes;
	}
	return (int)used;
}
