/*
 * The kernel's share of the filter: the audit and the interpreter that
 * model net/ipv4/inet_diag.c, the compiler from expression trees, and
 * filter_kernel() checked against filter_match() on generated records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bytecode.h"
#include "filter.h"
#include "fixture.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

#define OP(code, yes, no)	{ (code), (yes), (no) }

/* A deterministic generator, so that a failure can be replayed. */
static uint64_t rng_state;

static uint32_t
rng(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

static uint32_t
rng_below(uint32_t n)
{
	return rng() % n;
}

static struct ct_sock
rec(uint8_t proto, uint8_t state, const char *laddr, uint16_t lport,
    const char *raddr, uint16_t rport)
{
	struct ct_sock s;

	memset(&s, 0, sizeof(s));
	s.proto = proto;
	s.state = state;
	s.local = fx_addr(laddr);
	s.remote = fx_addr(raddr);
	s.lport = lport;
	s.rport = rport;
	return s;
}

static void
hostcond(struct ct_bc_host *h, const char *addr, int prefix, int port)
{
	memset(h, 0, sizeof(*h));
	h->family = addr == NULL ? AF_UNSPEC : strchr(addr, ':') ? AF_INET6 :
	    AF_INET;
	if (addr != NULL)
		inet_pton(h->family, addr, h->addr);
	h->prefix = (uint8_t)prefix;
	h->port = port;
}

/* Audit ------------------------------------------------------------------ */

static void
test_bytecode_audit_minimal(void **state)
{
	struct inet_diag_bc_op nop[] = { OP(INET_DIAG_BC_NOP, 4, 0) };
	struct inet_diag_bc_op jmp[] = { OP(INET_DIAG_BC_JMP, 4, 8) };

	(void)state;
	assert_int_equal(bytecode_audit(nop, sizeof(nop), false), 0);
	assert_int_equal(bytecode_audit(jmp, sizeof(jmp), false), 0);
	assert_int_equal(bytecode_audit(nop, 2, false), -EINVAL);	/* not one op */
	assert_int_equal(bytecode_audit(nop, 0, false), -EINVAL);
}

static void
test_bytecode_audit_jumps(void **state)
{
	/* S_GE 1024 then S_LE 2048: the yes chain is 0, 8, 16 */
	struct inet_diag_bc_op ok[] = {
		OP(INET_DIAG_BC_S_GE, 8, 20), OP(0, 0, 1024),
		OP(INET_DIAG_BC_S_LE, 8, 12), OP(0, 0, 2048),
	};
	struct inet_diag_bc_op prog[4];

	(void)state;
	assert_int_equal(bytecode_audit(ok, sizeof(ok), false), 0);
	/* no into the port operand of the second compare (offset 12) */
	memcpy(prog, ok, sizeof(ok));
	prog[0].no = 12;
	assert_int_equal(bytecode_audit(prog, sizeof(prog), false), -EINVAL);
	/* no onto the second compare (offset 8): an op boundary, fine */
	prog[0].no = 8;
	assert_int_equal(bytecode_audit(prog, sizeof(prog), false), 0);
	/* no past end + 4 */
	prog[0].no = 24;
	assert_int_equal(bytecode_audit(prog, sizeof(prog), false), -EINVAL);
	/* no not a multiple of 4 */
	prog[0].no = 18;
	assert_int_equal(bytecode_audit(prog, sizeof(prog), false), -EINVAL);
	/* no shorter than the op: would spin or land in the operand */
	prog[0].no = 4;
	assert_int_equal(bytecode_audit(prog, sizeof(prog), false), -EINVAL);
	/* yes must skip the operand too */
	memcpy(prog, ok, sizeof(ok));
	prog[0].yes = 4;
	assert_int_equal(bytecode_audit(prog, sizeof(prog), false), -EINVAL);
	/* the last compare lacks its operand */
	assert_int_equal(bytecode_audit(ok, 12, false), -EINVAL);
}

static void
test_bytecode_audit_codes(void **state)
{
	struct inet_diag_bc_op mark[] = {
		OP(INET_DIAG_BC_MARK_COND, 12, 16), OP(0, 0, 0), OP(0, 0, 0),
	};
	struct inet_diag_bc_op bogus[] = { OP(99, 4, 8) };

	struct inet_diag_bc_op cut[] = { OP(INET_DIAG_BC_MARK_COND, 12, 16),
	    OP(0, 0, 0) };
	struct inet_diag_bc_op dev[] = { OP(INET_DIAG_BC_DEV_COND, 8, 12),
	    OP(0, 0, 0) };
	struct inet_diag_bc_op cg[] = { OP(INET_DIAG_BC_CGROUP_COND, 12, 16),
	    OP(0, 0, 0), OP(0, 0, 0) };
	struct inet_diag_bc_op aut[] = { OP(INET_DIAG_BC_AUTO, 4, 8) };

	(void)state;
	/* a mark condition needs CAP_NET_ADMIN, and its mark and mask */
	assert_int_equal(bytecode_audit(mark, sizeof(mark), false), -EPERM);
	assert_int_equal(bytecode_audit(mark, sizeof(mark), true), 0);
	assert_int_equal(bytecode_audit(cut, sizeof(cut), true), -EINVAL);
	assert_int_equal(bytecode_audit(dev, sizeof(dev), false), 0);
	assert_int_equal(bytecode_audit(dev, 4, false), -EINVAL);
	assert_int_equal(bytecode_audit(cg, sizeof(cg), false), 0);
	assert_int_equal(bytecode_audit(cg, 8, false), -EINVAL);
	assert_int_equal(bytecode_audit(aut, sizeof(aut), false), 0);
	assert_int_equal(bytecode_audit(bogus, sizeof(bogus), false), -EINVAL);
}

/* AUTO, DEV_COND, MARK_COND, CGROUP_COND as the kernel runs them. */
static void
test_bytecode_run_conds(void **state)
{
	struct ct_sock s = rec(IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 40000,
	    "127.0.0.1", 5006);
	struct ct_bc_socket k = { 0x2a, 77, false };
	struct ct_bc_expr *e;
	void *bc;
	size_t len;

	(void)state;
	s.ifindex = 3;
	/* autobound: no lock */
	e = bytecode_expr_auto();
	assert_int_equal(bytecode_compile(e, &bc, &len), 0);
	assert_int_equal(len, 4);
	assert_int_equal(bytecode_run(bc, len, &s, &k), 1);
	k.bindport_lock = true;
	assert_int_equal(bytecode_run(bc, len, &s, &k), 0);
	free(bc);
	bytecode_expr_free(e);
	/* the device */
	e = bytecode_expr_dev(3);
	assert_int_equal(bytecode_compile(e, &bc, &len), 0);
	assert_int_equal(bytecode_audit(bc, len, false), 0);
	assert_int_equal(bytecode_run(bc, len, &s, &k), 1);
	s.ifindex = 0;
	assert_int_equal(bytecode_run(bc, len, &s, &k), 0);
	free(bc);
	bytecode_expr_free(e);
	/* the mark, under a mask */
	e = bytecode_expr_mark(0x20, 0xf0);
	assert_int_equal(bytecode_compile(e, &bc, &len), 0);
	assert_int_equal(bytecode_audit(bc, len, true), 0);
	assert_int_equal(bytecode_run(bc, len, &s, &k), 1);
	assert_int_equal(bytecode_run(bc, len, &s, NULL), 0);	/* mark 0 */
	free(bc);
	bytecode_expr_free(e);
	/* a value with bits outside its mask matches no mark at all */
	e = bytecode_expr_mark(0x1, 0xf0);
	assert_int_equal(e->kind, CT_BC_FALSE);
	bytecode_expr_free(e);
	/* the cgroup id, 64 bits, unaligned in the program */
	e = bytecode_expr_and(bytecode_expr_auto(), bytecode_expr_cgroup(77));
	k.bindport_lock = false;
	assert_int_equal(bytecode_compile(e, &bc, &len), 0);
	assert_int_equal(len, 16);
	assert_int_equal(bytecode_audit(bc, len, false), 0);
	assert_int_equal(bytecode_run(bc, len, &s, &k), 1);
	k.cgroup_id = 78;
	assert_int_equal(bytecode_run(bc, len, &s, &k), 0);
	free(bc);
	bytecode_expr_free(e);
}

static void
test_bytecode_audit_hostcond(void **state)
{
	uint8_t buf[64];
	struct inet_diag_bc_op op = OP(INET_DIAG_BC_S_COND, 16, 20);
	struct inet_diag_hostcond hc = { AF_INET, 32, -1 };

	(void)state;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &op, sizeof(op));
	memcpy(buf + 4, &hc, sizeof(hc));
	assert_int_equal(bytecode_audit(buf, 16, false), 0);
	assert_int_equal(bytecode_audit(buf, 14, false), -EINVAL);	/* cut address */
	hc.prefix_len = 33;
	memcpy(buf + 4, &hc, sizeof(hc));
	assert_int_equal(bytecode_audit(buf, 16, false), -EINVAL);
	hc.family = 99;
	hc.prefix_len = 0;
	memcpy(buf + 4, &hc, sizeof(hc));
	assert_int_equal(bytecode_audit(buf, 16, false), -EINVAL);
	/* AF_UNSPEC: no address, prefix 0 only */
	op.yes = 12;
	op.no = 16;
	memcpy(buf, &op, sizeof(op));
	hc.family = AF_UNSPEC;
	memcpy(buf + 4, &hc, sizeof(hc));
	assert_int_equal(bytecode_audit(buf, 12, false), 0);
	hc.prefix_len = 1;
	memcpy(buf + 4, &hc, sizeof(hc));
	assert_int_equal(bytecode_audit(buf, 12, false), -EINVAL);
}

/* Interpreter ---------------------------------------------------------- */

static void
test_bytecode_run_ports(void **state)
{
	struct inet_diag_bc_op prog[] = {
		OP(INET_DIAG_BC_D_GE, 8, 20), OP(0, 0, 1024),
		OP(INET_DIAG_BC_D_LE, 8, 12), OP(0, 0, 2048),
	};
	struct ct_sock s = rec(IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 5,
	    "127.0.0.1", 1023);

	(void)state;
	assert_int_equal(bytecode_run(prog, sizeof(prog), &s, NULL), 0);
	s.rport = 1024;
	assert_int_equal(bytecode_run(prog, sizeof(prog), &s, NULL), 1);
	s.rport = 2048;
	assert_int_equal(bytecode_run(prog, sizeof(prog), &s, NULL), 1);
	s.rport = 2049;
	assert_int_equal(bytecode_run(prog, sizeof(prog), &s, NULL), 0);
	s.rport = 65535;
	assert_int_equal(bytecode_run(prog, sizeof(prog), &s, NULL), 0);
}

static void
test_bytecode_run_v4mapped(void **state)
{
	struct ct_bc_host h;
	struct ct_bc_expr *e;
	void *bc;
	size_t len;
	struct ct_sock v4 = rec(IPPROTO_TCP, CT_ST_ESTABLISHED, "10.1.2.3", 80,
	    "10.9.9.9", 4000);
	struct ct_sock mapped = rec(IPPROTO_TCP, CT_ST_ESTABLISHED,
	    "::ffff:10.1.2.3", 80, "::ffff:10.9.9.9", 4000);
	struct ct_sock v6 = rec(IPPROTO_TCP, CT_ST_ESTABLISHED, "2001:db8::1",
	    80, "2001:db8::2", 4000);

	(void)state;
	hostcond(&h, "10.0.0.0", 8, -1);
	e = bytecode_expr_host(false, &h);
	assert_int_equal(bytecode_compile(e, &bc, &len), 0);
	assert_int_equal(bytecode_audit(bc, len, false), 0);
	assert_int_equal(bytecode_run(bc, len, &v4, NULL), 1);
	assert_int_equal(bytecode_run(bc, len, &mapped, NULL), 1);	/* as the kernel */
	assert_int_equal(bytecode_run(bc, len, &v6, NULL), 0);
	free(bc);
	bytecode_expr_free(e);

	/* an IPv6 condition never matches an IPv4 socket */
	hostcond(&h, "::ffff:10.0.0.0", 104, 80);
	e = bytecode_expr_host(false, &h);
	assert_int_equal(bytecode_compile(e, &bc, &len), 0);
	assert_int_equal(bytecode_run(bc, len, &v4, NULL), 0);
	assert_int_equal(bytecode_run(bc, len, &mapped, NULL), 1);
	mapped.lport = 81;					/* port too */
	assert_int_equal(bytecode_run(bc, len, &mapped, NULL), 0);
	free(bc);
	bytecode_expr_free(e);
}

static void
test_bytecode_run_bounds(void **state)
{
	/* a jump that lands outside: the model says so instead of reading */
	struct inet_diag_bc_op prog[] = {
		OP(INET_DIAG_BC_S_GE, 8, 12), OP(0, 0, 5),
	};
	struct ct_sock s = rec(IPPROTO_TCP, CT_ST_LISTEN, "0.0.0.0", 4,
	    "0.0.0.0", 0);

	(void)state;
	assert_int_equal(bytecode_run(prog, sizeof(prog), &s, NULL), 0);
	assert_int_equal(bytecode_run(prog, 6, &s, NULL), -EINVAL);
}

/* Compiler --------------------------------------------------------------- */

/* The tree's meaning, written down separately from the compiler. */
static bool
tree_eval(const struct ct_bc_expr *e, const struct ct_sock *s,
    const struct ct_bc_socket *k)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct ct_addr *a;
	const uint8_t *ab;
	unsigned i, bits;
	int port;

	switch (e->kind) {
	case CT_BC_TRUE:
		return true;
	case CT_BC_FALSE:
		return false;
	case CT_BC_AND:
		return tree_eval(e->a, s, k) && tree_eval(e->b, s, k);
	case CT_BC_OR:
		return tree_eval(e->a, s, k) || tree_eval(e->b, s, k);
	case CT_BC_NOT:
		return !tree_eval(e->a, s, k);
	case CT_BC_PORT:
		port = e->remote ? s->rport : s->lport;
		return port >= e->lo && port <= e->hi;
	case CT_BC_HOST:
		a = e->remote ? &s->remote : &s->local;
		port = e->remote ? s->rport : s->lport;
		if (e->host.port != -1 && e->host.port != port)
			return false;
		ab = a->bytes;
		if (e->host.family != s->local.family) {
			if (e->host.family != AF_INET || s->local.family != AF_INET6 ||
			    memcmp(ab, mapped, 12) != 0)
				return false;
			ab += 12;
		}
		bits = e->host.prefix;
		for (i = 0; i < bits; i++)
			if (((ab[i / 8] ^ e->host.addr[i / 8]) >> (7 - i % 8)) & 1)
				return false;
		return true;
	case CT_BC_AUTO:
		return !k->bindport_lock;
	case CT_BC_DEV:
		return s->ifindex == e->num;
	case CT_BC_MARK:
		return (k->mark & e->mask) == e->num;
	case CT_BC_CGROUP:
		return k->cgroup_id == e->id;
	}
	return false;
}

static const char *const addrs4[] = {
	"127.0.0.1", "127.0.0.2", "10.1.2.3", "0.0.0.0", "192.168.1.1",
};
static const char *const addrs6[] = {
	"::1", "::", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "2001:db8::5",
	"::ffff:0.0.0.0",
};
static const uint16_t ports[] = {
	0, 1, 2, 22, 80, 443, 500, 1023, 1024, 1025, 5006, 65534, 65535,
};

static struct ct_bc_expr *
random_tree(int depth)
{
	struct ct_bc_host h;
	uint16_t lo, hi;
	const char *a;

	switch (depth <= 0 ? 3 + rng_below(4) : rng_below(7)) {
	case 0:
		return bytecode_expr_and(random_tree(depth - 1),
		    random_tree(depth - 1));
	case 1:
		return bytecode_expr_or(random_tree(depth - 1),
		    random_tree(depth - 1));
	case 2:
		return bytecode_expr_not(random_tree(depth - 1));
	case 3:
		lo = ports[rng_below(sizeof(ports) / sizeof(ports[0]))];
		hi = ports[rng_below(sizeof(ports) / sizeof(ports[0]))];
		return bytecode_expr_port(rng_below(2), lo, hi);
	case 4:
		a = rng_below(2) ? addrs4[rng_below(5)] : addrs6[rng_below(6)];
		hostcond(&h, a, 0, -1);
		h.prefix = (uint8_t)rng_below(h.family == AF_INET ? 33 : 129);
		if (rng_below(3) == 0)
			h.port = ports[rng_below(sizeof(ports) / sizeof(ports[0]))];
		return bytecode_expr_host(rng_below(2), &h);
	case 6:
		switch (rng_below(4)) {
		case 0:
			return bytecode_expr_auto();
		case 1:
			return bytecode_expr_dev(rng_below(3));
		case 2:
			return bytecode_expr_mark(rng_below(2) ? 0x2a : 0,
			    rng_below(2) ? 0xffffffff : 0xff);
		default:
			return bytecode_expr_cgroup(rng_below(3));
		}
	default:
		return bytecode_expr_const(rng_below(2));
	}
}

/* What the kernel knows of a random record beyond its fields. */
static struct ct_bc_socket
random_k(void)
{
	static const uint32_t marks[] = { 0, 0x2a, 0x12a, 0xffffffff };
	struct ct_bc_socket k;

	k.mark = marks[rng_below(4)];
	k.cgroup_id = rng_below(3);
	k.bindport_lock = rng_below(2);
	return k;
}

static struct ct_sock
random_rec(void)
{
	bool v6 = rng_below(2);
	const char *l = v6 ? addrs6[rng_below(6)] : addrs4[rng_below(5)];
	const char *r = v6 ? addrs6[rng_below(6)] : addrs4[rng_below(5)];
	uint16_t lp = ports[rng_below(sizeof(ports) / sizeof(ports[0]))];
	uint16_t rp = ports[rng_below(sizeof(ports) / sizeof(ports[0]))];
	bool udp = rng_below(3) == 0;
	uint8_t st;
	struct ct_sock s;

	if (udp)
		st = rng_below(2) ? CT_ST_CLOSE : CT_ST_ESTABLISHED;
	else
		st = (uint8_t)(1 + rng_below(CT_ST_MAX - 1));
	if (rng_below(4) == 0) {		/* an unconnected end */
		r = v6 ? "::" : "0.0.0.0";
		rp = 0;
	}
	s = rec(udp ? IPPROTO_UDP : IPPROTO_TCP, st, l, lp, r, rp);
	s.uid = rng_below(2) ? 0 : 1000;
	s.ifindex = rng_below(3);
	return s;
}

/* Every compiled tree passes the audit and runs as the tree means. */
static void
test_bytecode_compile_random(void **state)
{
	int i, j;

	(void)state;
	rng_state = 1;
	for (i = 0; i < 3000; i++) {
		struct ct_bc_expr *e = random_tree(1 + (int)rng_below(5));
		void *bc;
		size_t len;

		assert_int_equal(bytecode_compile(e, &bc, &len), 0);
		if (e->kind == CT_BC_TRUE) {
			assert_null(bc);
			assert_int_equal(len, 0);
		} else {
			assert_non_null(bc);
			assert_int_equal(bytecode_audit(bc, len, true), 0);
		}
		for (j = 0; j < 60; j++) {
			struct ct_sock s = random_rec();
			struct ct_bc_socket k = random_k();
			int want = tree_eval(e, &s, &k);
			int got = bc == NULL ? 1 : bytecode_run(bc, len, &s, &k);

			if (got != want) {
				char dump[4096];

				bytecode_dump(bc, len, dump, sizeof(dump));
				print_message("tree %d record %d: run %d, tree %d\n%s",
				    i, j, got, want, dump);
			}
			assert_int_equal(got, want);
		}
		free(bc);
		bytecode_expr_free(e);
	}
}

static void
test_bytecode_compile_folds(void **state)
{
	struct ct_bc_expr *e;
	void *bc;
	size_t len;
	struct ct_sock s = rec(IPPROTO_TCP, CT_ST_ESTABLISHED, "::1", 1, "::1", 2);

	(void)state;
	/* not(not(x)) is x; x and false is false; x or true is true */
	e = bytecode_expr_not(bytecode_expr_not(bytecode_expr_port(false, 5, 9)));
	assert_int_equal(e->kind, CT_BC_PORT);
	e = bytecode_expr_and(e, bytecode_expr_const(false));
	assert_int_equal(e->kind, CT_BC_FALSE);
	/* false compiles to a program that keeps nothing */
	assert_int_equal(bytecode_compile(e, &bc, &len), 0);
	assert_int_equal(len, 4);
	assert_int_equal(bytecode_audit(bc, len, false), 0);
	assert_int_equal(bytecode_run(bc, len, &s, NULL), 0);
	free(bc);
	e = bytecode_expr_or(e, bytecode_expr_const(true));
	assert_int_equal(e->kind, CT_BC_TRUE);
	assert_int_equal(bytecode_compile(e, &bc, &len), 0);
	assert_null(bc);
	bytecode_expr_free(e);
	/* an empty or full range */
	e = bytecode_expr_port(true, 9, 5);
	assert_int_equal(e->kind, CT_BC_FALSE);
	bytecode_expr_free(e);
	e = bytecode_expr_port(true, 0, 65535);
	assert_int_equal(e->kind, CT_BC_TRUE);
	bytecode_expr_free(e);
}

static void
test_bytecode_compile_too_big(void **state)
{
	struct ct_bc_expr *e = bytecode_expr_port(false, 1, 1);
	void *bc;
	size_t len;
	int i;

	(void)state;
	for (i = 2; i < 9000; i++)
		e = bytecode_expr_or(e, bytecode_expr_port(false, (uint16_t)i,
		    (uint16_t)i));
	assert_int_equal(bytecode_compile(e, &bc, &len), -E2BIG);
	assert_null(bc);
	assert_int_equal(len, 0);
	bytecode_expr_free(e);
}

static void
test_bytecode_dump_text(void **state)
{
	struct ct_bc_host h;
	struct ct_bc_expr *e;
	char text[512];
	void *bc;
	size_t len;

	(void)state;
	hostcond(&h, "127.0.0.0", 8, 500);
	e = bytecode_expr_or(bytecode_expr_port(false, 1024, 65535),
	    bytecode_expr_host(true, &h));
	assert_int_equal(bytecode_compile(e, &bc, &len), 0);
	bytecode_dump(bc, len, text, sizeof(text));
	assert_string_equal(text,
	    "0: S_GE 1024 yes 8 no 12\n"
	    "8: JMP yes 4 no 20\n"
	    "12: D_COND 127.0.0.0/8 port 500 yes 16 no 20\n");
	free(bc);
	bytecode_expr_free(e);
}

/* filter_kernel() against filter_match() ------------------------------ */

static struct ct_snap fsnap;

/* Records of every kind the kernel may hand us, with owners. */
static void
make_records(void)
{
	static const struct {
		uint8_t proto, state;
		const char *l;
		uint16_t lp;
		const char *r;
		uint16_t rp;
	} fixed[] = {
		{ IPPROTO_TCP, CT_ST_LISTEN, "0.0.0.0", 22, "0.0.0.0", 0 },
		{ IPPROTO_TCP, CT_ST_LISTEN, "::", 80, "::", 0 },
		{ IPPROTO_TCP, CT_ST_ESTABLISHED, "::ffff:127.0.0.1", 80,
		    "::ffff:127.0.0.1", 40000 },
		{ IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 1, "127.0.0.1", 65535 },
		{ IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 65535, "127.0.0.1", 1 },
		{ IPPROTO_TCP, CT_ST_TIME_WAIT, "::1", 0, "::1", 0 },
		{ IPPROTO_TCP, 12, "127.0.0.1", 500, "127.0.0.1", 4000 },
		{ IPPROTO_UDP, CT_ST_CLOSE, "0.0.0.0", 53, "0.0.0.0", 0 },
		{ IPPROTO_UDP, CT_ST_CLOSE, "::", 53, "::", 0 },
		{ IPPROTO_UDP, CT_ST_ESTABLISHED, "::ffff:10.1.2.3", 500,
		    "::ffff:0.0.0.0", 0 },
		{ IPPROTO_UDP, CT_ST_ESTABLISHED, "10.1.2.3", 500, "10.9.9.9", 0 },
	};
	size_t i;

	memset(&fsnap, 0, sizeof(fsnap));
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		fx_sock(&fsnap, fixed[i].proto, fixed[i].state, fixed[i].l,
		    fixed[i].lp, fixed[i].r, fixed[i].rp);
	rng_state = 7;
	for (i = 0; i < 1500; i++)
		*sock_list_append(&fsnap.socks) = random_rec();
	/* marks, cgroups and autobound, on some */
	for (i = 0; i < fsnap.socks.len; i++) {
		struct ct_sockext *x = sock_list_ext_at(&fsnap.socks, i);

		memset(x, 0, sizeof(*x));
		x->has = CT_SX_MARK | CT_SX_CGROUP;
		x->mark = i % 5 == 0 ? 0x2a : i % 7 == 0 ? 0x12a : 0;
		x->cgroup_id = i % 3;
		fsnap.socks.v[i].flags |= CT_SF_EXT;
		if (i % 4 == 1)
			fsnap.socks.v[i].flags |= CT_SF_AUTO;
		if (i % 6 == 2)
			fsnap.socks.v[i].ifindex = 1;
	}
	/* every third record has an owner */
	fsnap.owners.cap = fsnap.socks.len / 3 + 2;
	fsnap.owners.v = xcalloc(fsnap.owners.cap, sizeof(*fsnap.owners.v));
	fsnap.owners.len = 1;
	for (i = 0; i < fsnap.socks.len; i += 3) {
		struct ct_owner *o = &fsnap.owners.v[fsnap.owners.len];

		o->pid = i % 2 ? 42 : 43;
		o->fd = 3;
		o->comm = owners_add_comm(&fsnap.owners,
		    i % 2 ? "nginx" : "sshd");
		fsnap.socks.v[i].owners = (uint32_t)fsnap.owners.len++;
	}
}

struct kstats {
	size_t		 matched;	/* by filter_match() */
	size_t		 kept;		/* by the kernel's share */
};

/*
 * Check one filter over every record: the kernel's share (states, skip,
 * bytecode) keeps every record that filter_match() keeps.
 */
static void
check_superset(const char *text, struct kstats *ks)
{
	static const uint8_t fams[] = { AF_INET, AF_INET6 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	char *argv[] = { (char *)text };
	struct ct_filter_error err;
	struct ct_kfilter kf[2][2];
	struct ct_filter *f;
	size_t i, p, fa;

	if (filter_parse(1, argv, &f, &err) != 0)
		fail_msg("'%s' does not parse: %s", text, err.msg);
	for (p = 0; p < 2; p++)
		for (fa = 0; fa < 2; fa++) {
			assert_int_equal(filter_kernel(f, fams[fa], protos[p],
			    CT_STATES_ALL, &kf[p][fa]), 0);
			if (kf[p][fa].bytecode != NULL)
				assert_int_equal(bytecode_audit(kf[p][fa].bytecode,
				    kf[p][fa].bytecode_len, true), 0);
		}
	memset(ks, 0, sizeof(*ks));
	for (i = 0; i < fsnap.socks.len; i++) {
		const struct ct_sock *s = &fsnap.socks.v[i];
		const struct ct_kfilter *k = &kf[s->proto == IPPROTO_UDP]
		    [s->local.family == AF_INET6];
		uint8_t st = s->state == 12 ? CT_ST_SYN_RECV : s->state;
		const struct ct_sockext *x = sock_ext(&fsnap.socks, s);
		struct ct_bc_socket kk = { x->mark, x->cgroup_id,
		    !(s->flags & CT_SF_AUTO) };
		bool kept = !k->skip && (k->states & (1u << st)) &&
		    (k->bytecode == NULL ||
		    bytecode_run(k->bytecode, k->bytecode_len, s, &kk) == 1);
		bool match = filter_match(f, FX_VIEW(&fsnap), s);

		if (match && !kept) {
			char a[64], b[64], dump[4096];

			inet_ntop(s->local.family, s->local.bytes, a, sizeof(a));
			inet_ntop(s->local.family, s->remote.bytes, b, sizeof(b));
			bytecode_dump(k->bytecode, k->bytecode_len, dump,
			    sizeof(dump));
			fail_msg("'%s': the kernel drops %s %u %s:%u %s:%u that "
			    "the filter keeps (skip %d, states %#x)\n%s", text,
			    s->proto == IPPROTO_UDP ? "udp" : "tcp", s->state, a,
			    s->lport, b, s->rport, k->skip, k->states, dump);
		}
		ks->matched += match;
		ks->kept += kept;
	}
	for (p = 0; p < 2; p++)
		for (fa = 0; fa < 2; fa++)
			filter_kernel_free(&kf[p][fa]);
	filter_free(f);
}

/* Filters the kernel judges exactly: it keeps what the filter keeps. */
static void
test_bytecode_filter_exact(void **state)
{
	static const char *const exact[] = {
		"sport :22", ":500", "sport >= 1024", "sport < 1024",
		"sport != 500", "src 127.0.0.0/8", "src ::1", "dst 10.9.9.9",
		"src 127.0.0.1:80", "[::1]:0", "sport :1 or sport :65535",
		"dport :65535", "dst 127.0.0.1 and dport > 1024",
		"not sport :22", "not (src 10.0.0.0/8 or dst ::1)",
		"tcp and sport :80", "inet6 and src ::ffff:127.0.0.1",
		"state listen", "state established and udp", "state bucket",
		"udp or dport = 1", "src 0.0.0.0", "not state connected",
		/* an unconnected end is the wildcard and port 0, as here */
		"dport != 443", "not dport != 443", "dst 0.0.0.0/0",
		"not dst 0.0.0.0/0", "not dst ::/0", "dport = 0", "not dst *:0",
		"not dport < 2", "not :0", "dst 0.0.0.0", "dst ::",
		/* ss's words */
		"dev 1", "dev != 2", "fwmark 0x2a", "fwmark 0x20/0xf0",
		"fwmark != 0", "not fwmark 0x2a and dev 1", "src 127/8",
		"sport neq 22", "dport geq 1024", "sport leq 1023",
		"state established state close-wait", "exclude listening",
		"state connected exclude time-wait", "src = 127.0.0.1",
	};
	struct kstats ks;
	size_t i;

	(void)state;
	make_records();
	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
		check_superset(exact[i], &ks);
		if (ks.kept != ks.matched)
			fail_msg("'%s': the kernel keeps %zu, the filter %zu",
			    exact[i], ks.kept, ks.matched);
		assert_true(ks.matched > 0);
	}
	snap_free(&fsnap);
}

/*
 * Filters the kernel cannot judge in full: it keeps a superset, and the
 * push-down still narrows where it can.
 */
static void
test_bytecode_filter_conservative(void **state)
{
	static const struct {
		const char *text;
		bool narrows;		/* the kernel keeps less than all */
	} cases[] = {
		{ "comm nginx", false },
		{ "not comm nginx", false },
		{ "sport :22 and comm sshd", true },
		{ "not (sport :22 and comm sshd)", false },
		{ "not (sport :22 or comm sshd)", true },
		{ "uid 0 or pid 42", false },
		{ "autobound", true },		/* AUTO, a superset */
		{ "not autobound", false },	/* nothing the kernel says */
		{ "autobound and sport > 1024", true },
		{ "user root and not src ::1", true },
		{ "not (state listen and comm sshd)", false },
		{ "state listen and not comm sshd", true },
		{ "(tcp and state time-wait) or (udp and dport = 500)", true },
		{ "not :0", true },
		{ "not (:22 or :80) or pid 43", false },
	};
	struct kstats ks;
	size_t i;

	(void)state;
	make_records();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_superset(cases[i].text, &ks);
		if (cases[i].narrows != (ks.kept < fsnap.socks.len))
			fail_msg("'%s': the kernel keeps %zu of %zu", cases[i].text,
			    ks.kept, fsnap.socks.len);
	}
	snap_free(&fsnap);
}

static const char *const atoms[] = {
	":22", ":500", ":0", "sport :80", "dport :443", "sport < 1024",
	"dport >= 1024", "sport != 500", "dport != 0", "dport = 0",
	"sport > 65534", "dport le 1", "dport ge 65535", "src 127.0.0.1",
	"dst 127.0.0.0/8", "src 10.0.0.0/8", "dst ::1", "src ::/0",
	"dst 0.0.0.0/0", "dst 0.0.0.0", "src ::ffff:127.0.0.1",
	"dst ::ffff:0.0.0.0/96", "127.0.0.1:500", "[::1]:22", "src *:80",
	"dst *", "dst :0", "src 0.0.0.0/0:0", "dst ::", "dst ::/0",
	"src 2001:db8::/32", "0.0.0.0/1", "state established",
	"state listen", "state connected", "state bucket", "state unconn",
	"state synchronized", "state big", "state syn-recv", "tcp", "udp",
	"inet", "inet6", "comm nginx", "pid 42", "uid 0", "uid 1000",
	"dev 1", "dev 0", "fwmark 0x2a", "fwmark 0/0xff", "autobound",
	"exclude listening", "(state listening state close)", "src 127/8",
	"dport neq 22", "sport geq 1024",
};

static void
random_filter(char *buf, size_t size, int depth)
{
	size_t n = strlen(buf);

	if (depth <= 0 || rng_below(3) == 0) {
		snprintf(buf + n, size - n, "%s",
		    atoms[rng_below(sizeof(atoms) / sizeof(atoms[0]))]);
		return;
	}
	switch (rng_below(4)) {
	case 0:
		snprintf(buf + n, size - n, "not ");
		random_filter(buf, size, depth - 1);
		return;
	default:
		snprintf(buf + n, size - n, "(");
		random_filter(buf, size, depth - 1);
		n = strlen(buf);
		snprintf(buf + n, size - n, rng_below(2) ? " or " :
		    rng_below(2) ? " and " : " ");
		random_filter(buf, size, depth - 1);
		n = strlen(buf);
		snprintf(buf + n, size - n, ")");
		return;
	}
}

static void
test_bytecode_filter_random(void **state)
{
	struct kstats ks;
	char text[4096];
	int i;

	(void)state;
	make_records();
	for (i = 0; i < 1500; i++) {
		rng_state = 1000 + (uint64_t)i;
		text[0] = '\0';
		random_filter(text, sizeof(text), 1 + (int)rng_below(5));
		check_superset(text, &ks);
	}
	snap_free(&fsnap);
}

/* The single TCP walk needs one program for both families. */
static void
test_bytecode_filter_families_agree(void **state)
{
	static const char *const same[] = {
		":22", "dst 127.0.0.1 or src ::1", "not comm x", "state listen",
	};
	struct ct_kfilter a, b;
	struct ct_filter_error err;
	struct ct_filter *f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char *argv[] = { (char *)same[i] };

		assert_int_equal(filter_parse(1, argv, &f, &err), 0);
		assert_int_equal(filter_kernel(f, AF_INET, IPPROTO_TCP,
		    CT_STATES_ALL, &a), 0);
		assert_int_equal(filter_kernel(f, AF_INET6, IPPROTO_TCP,
		    CT_STATES_ALL, &b), 0);
		assert_int_equal(a.states, b.states);
		assert_int_equal(a.bytecode_len, b.bytecode_len);
		if (a.bytecode_len > 0)
			assert_memory_equal(a.bytecode, b.bytecode, a.bytecode_len);
		filter_kernel_free(&a);
		filter_kernel_free(&b);
		filter_free(f);
	}
}

/* Protocol, family and state decide what is dumped at all. */
static void
test_bytecode_filter_states_skip(void **state)
{
	struct ct_filter_error err;
	struct ct_filter *f;
	struct ct_kfilter k;
	char *argv1[] = { (char *)"udp and state unconnected" };
	char *argv4[] = { (char *)"state listen" };
	char *argv2[] = { (char *)"inet6 or sport :22" };
	char *argv3[] = { (char *)"state time-wait or state established" };

	(void)state;
	assert_int_equal(filter_parse(1, argv1, &f, &err), 0);
	assert_int_equal(filter_kernel(f, AF_INET, IPPROTO_TCP, CT_STATES_ALL,
	    &k), 0);
	assert_true(k.skip);
	assert_int_equal(filter_kernel(f, AF_INET, IPPROTO_UDP, CT_STATES_ALL,
	    &k), 0);
	assert_false(k.skip);
	assert_int_equal(k.states, 1u << CT_ST_CLOSE);	/* UNCONN */
	assert_null(k.bytecode);
	filter_free(f);

	assert_int_equal(filter_parse(1, argv2, &f, &err), 0);
	assert_int_equal(filter_kernel(f, AF_INET6, IPPROTO_TCP, CT_STATES_ALL,
	    &k), 0);
	assert_null(k.bytecode);			/* all of inet6 */
	assert_int_equal(filter_kernel(f, AF_INET, IPPROTO_TCP, CT_STATES_ALL,
	    &k), 0);
	assert_non_null(k.bytecode);			/* sport 22 only */
	filter_kernel_free(&k);
	filter_free(f);

	assert_int_equal(filter_parse(1, argv3, &f, &err), 0);
	assert_int_equal(filter_kernel(f, AF_INET, IPPROTO_TCP,
	    1u << CT_ST_LISTEN, &k), 0);
	assert_true(k.skip);				/* -l asks for none */
	assert_int_equal(filter_kernel(f, AF_INET, IPPROTO_TCP, CT_STATES_ALL,
	    &k), 0);
	assert_int_equal(k.states, (1u << CT_ST_TIME_WAIT) |
	    (1u << CT_ST_ESTABLISHED));
	filter_free(f);

	/* listen is LISTEN alone, for UDP too (as ss): none there */
	assert_int_equal(filter_parse(1, argv4, &f, &err), 0);
	assert_int_equal(filter_kernel(f, AF_INET, IPPROTO_UDP, CT_STATES_ALL,
	    &k), 0);
	assert_int_equal(k.states, 1u << CT_ST_LISTEN);
	assert_null(k.bytecode);
	filter_free(f);

	/* no filter: everything asked for, nothing else */
	assert_int_equal(filter_kernel(NULL, AF_INET, IPPROTO_UDP,
	    1u << CT_ST_CLOSE, &k), 0);
	assert_false(k.skip);
	assert_int_equal(k.states, 1u << CT_ST_CLOSE);
	assert_null(k.bytecode);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytecode_audit_minimal),
		cmocka_unit_test(test_bytecode_audit_jumps),
		cmocka_unit_test(test_bytecode_audit_codes),
		cmocka_unit_test(test_bytecode_audit_hostcond),
		cmocka_unit_test(test_bytecode_run_ports),
		cmocka_unit_test(test_bytecode_run_conds),
		cmocka_unit_test(test_bytecode_run_v4mapped),
		cmocka_unit_test(test_bytecode_run_bounds),
		cmocka_unit_test(test_bytecode_compile_random),
		cmocka_unit_test(test_bytecode_compile_folds),
		cmocka_unit_test(test_bytecode_compile_too_big),
		cmocka_unit_test(test_bytecode_dump_text),
		cmocka_unit_test(test_bytecode_filter_exact),
		cmocka_unit_test(test_bytecode_filter_conservative),
		cmocka_unit_test(test_bytecode_filter_random),
		cmocka_unit_test(test_bytecode_filter_families_agree),
		cmocka_unit_test(test_bytecode_filter_states_skip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
