#ifndef CT_BYTECODE_H
#define CT_BYTECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_sock;

/*
 * What the kernel's inet_diag bytecode can test, as a tree: the filter
 * module reduces its AST to this (conservatively), this module lays it out
 * as INET_DIAG_REQ_BYTECODE. The same module audits a program as the
 * kernel's inet_diag_bc_audit() does and runs it as inet_diag_bc_run()
 * does, so tests and fuzzers can check the compiler without a kernel.
 */
enum ct_bc_kind {
	CT_BC_TRUE,
	CT_BC_FALSE,
	CT_BC_AND,		/* a and b */
	CT_BC_OR,		/* a or b */
	CT_BC_NOT,		/* not a */
	CT_BC_PORT,		/* lo <= port <= hi, local or remote end */
	CT_BC_HOST,		/* S_COND/D_COND: address prefix and port */
	CT_BC_AUTO,		/* AUTO: no SOCK_BINDPORT_LOCK (port not bound by hand) */
	CT_BC_DEV,		/* DEV_COND: bound device == ifindex */
	CT_BC_MARK,		/* MARK_COND: (mark & mask) == mark (CAP_NET_ADMIN) */
	CT_BC_CGROUP,		/* CGROUP_COND: cgroup id == id */
};

/* An address condition, as struct inet_diag_hostcond means it. */
struct ct_bc_host {
	uint8_t		 family;	/* AF_UNSPEC (any address), AF_INET, AF_INET6 */
	uint8_t		 prefix;	/* bits of addr compared */
	int32_t		 port;		/* -1: any port */
	uint8_t		 addr[16];	/* network order */
};

struct ct_bc_expr {
	enum ct_bc_kind	 kind;
	bool		 remote;	/* PORT, HOST: D_* (remote) instead of S_* */
	uint16_t	 lo, hi;	/* PORT */
	uint32_t	 num, mask;	/* DEV: ifindex; MARK: mark and mask */
	uint64_t	 id;		/* CGROUP */
	struct ct_bc_host host;		/* HOST */
	struct ct_bc_expr *a, *b;	/* AND, OR: both; NOT: a */
};

/*
 * Constructors that fold constants as they go (and(x, false) is false,
 * not(not(x)) is x, ...). They take ownership of their operands; the
 * caller frees the result with bytecode_expr_free(). Never fail (die() on
 * ENOMEM).
 */
struct ct_bc_expr *bytecode_expr_const(bool value);
struct ct_bc_expr *bytecode_expr_port(bool remote, uint16_t lo, uint16_t hi);
struct ct_bc_expr *bytecode_expr_host(bool remote, const struct ct_bc_host *h);
struct ct_bc_expr *bytecode_expr_auto(void);
struct ct_bc_expr *bytecode_expr_dev(uint32_t ifindex);
struct ct_bc_expr *bytecode_expr_mark(uint32_t mark, uint32_t mask);
struct ct_bc_expr *bytecode_expr_cgroup(uint64_t id);
struct ct_bc_expr *bytecode_expr_and(struct ct_bc_expr *a, struct ct_bc_expr *b);
struct ct_bc_expr *bytecode_expr_or(struct ct_bc_expr *a, struct ct_bc_expr *b);
struct ct_bc_expr *bytecode_expr_not(struct ct_bc_expr *a);
/* A deep copy; free with bytecode_expr_free(). */
struct ct_bc_expr *bytecode_expr_dup(const struct ct_bc_expr *e);
/* Structural equality of two trees. */
bool		 bytecode_expr_equal(const struct ct_bc_expr *a,
		    const struct ct_bc_expr *b);
/* Release a tree; NULL-safe. */
void		 bytecode_expr_free(struct ct_bc_expr *e);

/* Longest program compiled: the kernel's jump offsets are 16 bits. */
#define CT_BC_MAX	65000

/*
 * Lay e out as inet_diag bytecode: *out (caller frees with free()) and
 * *len. A true e needs no program: *out = NULL, *len = 0. A false e gives
 * a program that rejects everything. Returns 0, or -E2BIG when the program
 * would pass CT_BC_MAX (then the caller sends none).
 */
int		 bytecode_compile(const struct ct_bc_expr *e, void **out,
		    size_t *len);

/*
 * Check a program as the kernel's inet_diag_bc_audit() does: 0, -EINVAL
 * for a malformed program, -EPERM for a mark condition when the caller
 * has no CAP_NET_ADMIN (net_admin false).
 */
int		 bytecode_audit(const void *bc, size_t len, bool net_admin);

/* What the kernel knows of a socket beyond a record's fields. */
struct ct_bc_socket {
	uint32_t	 mark;
	uint64_t	 cgroup_id;
	bool		 bindport_lock;	/* SOCK_BINDPORT_LOCK: bound by hand */
};

/*
 * Run a program on one record with the kernel's inet_diag_bc_run()
 * semantics: 1 accept, 0 reject, -EINVAL when the program reads or jumps
 * out of bounds (a program that passed bytecode_audit() never does). k
 * gives the mark, cgroup and lock the conditions read; NULL: all zero.
 */
int		 bytecode_run(const void *bc, size_t len, const struct ct_sock *s,
		    const struct ct_bc_socket *k);

/*
 * Disassemble a program into buf, one op per line ("0: S_GE 1024 yes 8
 * no 12"), for test failures and debugging. Returns the length that
 * snprintf would.
 */
int		 bytecode_dump(const void *bc, size_t len, char *buf,
		    size_t bufsz);

#endif /* CT_BYTECODE_H */
