/*
 * The kernel's share of a filter: for one (family, protocol) dump, which
 * states to ask for (idiag_states), whether to skip the dump, and an
 * INET_DIAG_REQ_BYTECODE program for ports and addresses.
 *
 * The kernel's copy must keep every socket the user-space filter keeps: it
 * may return more, never less. Each node is therefore reduced to a bytecode
 * expression in one of two directions:
 *   upper(t)  true for at least every socket where t is true (a superset),
 *   lower(t)  true for at most the sockets where t is true (a subset),
 * with upper(not t) = not lower(t) and lower(not t) = not upper(t); and and
 * or keep the direction. A term the kernel cannot judge (owners, uid) is
 * "true" upwards and "false" downwards, so that "not comm x" keeps
 * everything rather than nothing. The program sent is upper(filter).
 *
 * Ports, addresses, devices, marks and cgroups the kernel judges exactly,
 * in either direction; autobound only upwards (see k_expr()).
 *
 * Protocol and family are known for a dump and state is one of the states
 * asked for: those terms become constants. A state for which upper() folds
 * to false is not asked for at all; the program is the "or" of the
 * distinct upper() of the remaining states.
 */
#include "filter.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bytecode.h"
#include "filter_ast.h"
#include "sock.h"

/* What is known of every socket of one dump, and of one state of it. */
struct kctx {
	uint8_t		 family, proto, state;
	const struct ct_netns *ns;	/* the dump's namespace; NULL: unknown */
};

/* The range [lo, hi] of a port comparison; false (lo > hi) when empty. */
static struct ct_bc_expr *
k_range(bool remote, long lo, long hi)
{
	if (lo > hi || lo > UINT16_MAX || hi < 0)
		return bytecode_expr_const(false);
	return bytecode_expr_port(remote, (uint16_t)lo, (uint16_t)hi);
}

/*
 * Ports and addresses are judged exactly: the user-space filter compares
 * what the kernel's program compares (an unconnected end is port 0 and
 * the wildcard address in both), so these need no direction.
 */
static struct ct_bc_expr *
k_port(bool remote, enum ct_fn_cmp cmp, long v)
{
	switch (cmp) {
	case CT_CMP_EQ:
		return k_range(remote, v, v);
	case CT_CMP_NE:
		return bytecode_expr_or(k_range(remote, 0, v - 1),
		    k_range(remote, v + 1, UINT16_MAX));
	case CT_CMP_LT:
		return k_range(remote, 0, v - 1);
	case CT_CMP_LE:
		return k_range(remote, 0, v);
	case CT_CMP_GT:
		return k_range(remote, v + 1, UINT16_MAX);
	case CT_CMP_GE:
		return k_range(remote, v, UINT16_MAX);
	}
	return bytecode_expr_const(true);
}

static struct ct_bc_expr *
k_expr(const struct ct_fnode *n, const struct kctx *c, bool upper)
{
	switch (n->kind) {
	case CT_FN_AND:
		return bytecode_expr_and(k_expr(n->a, c, upper),
		    k_expr(n->b, c, upper));
	case CT_FN_OR:
		return bytecode_expr_or(k_expr(n->a, c, upper),
		    k_expr(n->b, c, upper));
	case CT_FN_NOT:
		return bytecode_expr_not(k_expr(n->a, c, !upper));
	case CT_FN_PROTO:
		return bytecode_expr_const(c->proto == n->num);
	case CT_FN_FAMILY:
		return bytecode_expr_const(c->family == n->num);
	case CT_FN_STATE:
		return bytecode_expr_const((n->states & (1u << c->state)) != 0);
	case CT_FN_PORT:
		if (n->end != CT_END_EITHER)
			return k_port(n->end == CT_END_REMOTE, n->cmp, n->num);
		return bytecode_expr_or(k_port(false, n->cmp, n->num),
		    k_port(true, n->cmp, n->num));
	case CT_FN_HOST:
		if (n->end != CT_END_EITHER)
			return bytecode_expr_host(n->end == CT_END_REMOTE, &n->host);
		return bytecode_expr_or(bytecode_expr_host(false, &n->host),
		    bytecode_expr_host(true, &n->host));
	case CT_FN_NETNS:
		if (c->ns != NULL)	/* one namespace per dump: a constant */
			return bytecode_expr_const(filter_netns_match(n, c->ns));
		break;
	case CT_FN_DEV:
		return bytecode_expr_dev(n->num);
	case CT_FN_MARK:
		return bytecode_expr_mark(n->num, n->mask);
	case CT_FN_CGROUP:
		return bytecode_expr_cgroup(n->id);
	case CT_FN_AUTO:
		/*
		 * autobound is the kernel's AUTO (no SOCK_BINDPORT_LOCK) and a
		 * port in the ephemeral range (snap.c): AUTO holds for at
		 * least those sockets, and says nothing of a subset.
		 */
		if (upper)
			return bytecode_expr_auto();
		break;
	case CT_FN_COMM:
	case CT_FN_PID:
	case CT_FN_UID:
	case CT_FN_LABEL:
		break;
	}
	return bytecode_expr_const(upper);	/* the kernel cannot tell */
}

int
filter_kernel(const struct ct_filter *f, uint8_t family, uint8_t proto,
    uint32_t states, struct ct_kfilter *out)
{
	return filter_kernel_ns(f, family, proto, states, NULL, out);
}

int
filter_kernel_ns(const struct ct_filter *f, uint8_t family, uint8_t proto,
    uint32_t states, const struct ct_netns *ns, struct ct_kfilter *out)
{
	struct ct_bc_expr *distinct[CT_ST_MAX], *prog;
	struct kctx c = { family, proto, 0, ns };
	size_t ndistinct = 0, i;
	uint32_t kept = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->states = states;
	if (f == NULL)
		return 0;
	for (c.state = 1; c.state < CT_ST_MAX; c.state++) {
		struct ct_bc_expr *e;

		if (!(states & (1u << c.state)))
			continue;
		e = k_expr(f->root, &c, true);
		if (e->kind == CT_BC_FALSE) {
			bytecode_expr_free(e);
			continue;
		}
		kept |= 1u << c.state;
		for (i = 0; i < ndistinct; i++)
			if (bytecode_expr_equal(distinct[i], e))
				break;
		if (i < ndistinct)
			bytecode_expr_free(e);
		else
			distinct[ndistinct++] = e;
	}
	/* bits outside the states we judge go to the kernel untouched */
	out->states = (states & ~(uint32_t)CT_STATES_ALL) | kept;
	if (ndistinct == 0) {
		out->skip = out->states == 0;
		return 0;
	}
	prog = distinct[0];
	for (i = 1; i < ndistinct; i++)
		prog = bytecode_expr_or(prog, distinct[i]);
	rc = bytecode_compile(prog, &out->bytecode, &out->bytecode_len);
	bytecode_expr_free(prog);
	if (rc == -E2BIG)
		rc = 0;			/* too long to send: states alone */
	return rc;
}

void
filter_kernel_free(struct ct_kfilter *k)
{
	if (k == NULL)
		return;
	free(k->bytecode);
	k->bytecode = NULL;
	k->bytecode_len = 0;
}
