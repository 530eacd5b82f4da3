#ifndef CT_FILTER_AST_H
#define CT_FILTER_AST_H

/*
 * The filter's syntax tree, shared by the three halves of the filter
 * module: filter_parse.c builds it, filter.c evaluates and prints it,
 * filter_kernel.c reduces it to what the kernel can judge. Nothing outside
 * src/filter*.c includes this header; everyone else sees struct ct_filter
 * as an opaque type (filter.h).
 */
#include <stdbool.h>
#include <stdint.h>

#include "bytecode.h"

enum ct_fn_kind {
	CT_FN_AND,		/* a and b */
	CT_FN_OR,		/* a or b */
	CT_FN_NOT,		/* not a */
	CT_FN_PROTO,		/* proto == num (IPPROTO_TCP, IPPROTO_UDP) */
	CT_FN_FAMILY,		/* family == num (AF_INET, AF_INET6) */
	CT_FN_STATE,		/* state in states */
	CT_FN_PORT,		/* port <cmp> num, at end */
	CT_FN_HOST,		/* address prefix (and port) host, at end */
	CT_FN_COMM,		/* some owner's comm is name, or matches pattern */
	CT_FN_PID,		/* some owner's pid == num */
	CT_FN_UID,		/* the socket's uid == num */
	CT_FN_NETNS,		/* its namespace's name matches name (or ino) */
	CT_FN_LABEL,		/* label part num (ct_label_part) matches name */
	CT_FN_DEV,		/* the bound device's ifindex == num (0: none) */
	CT_FN_MARK,		/* (the socket's mark & mask) == num */
	CT_FN_CGROUP,		/* the socket's cgroup v2 id == id */
	CT_FN_AUTO,		/* the kernel chose the local port */
};

/* Which end of the socket a port or address term tests. */
enum ct_fn_end {
	CT_END_LOCAL,		/* sport, lport, src, laddr */
	CT_END_REMOTE,		/* dport, rport, dst, raddr */
	CT_END_EITHER,		/* the short forms :PORT and HOST[:PORT] */
};

enum ct_fn_cmp { CT_CMP_EQ, CT_CMP_NE, CT_CMP_LT, CT_CMP_LE, CT_CMP_GT, CT_CMP_GE };

/*
 * One node. Every term compares what the kernel's inet_diag bytecode
 * compares, as ss does: the remote end of an unconnected socket (a
 * listener, an unconnected UDP socket) is the wildcard address and port
 * 0, so "dport = 0" matches it and "dport != 443" keeps it. An IPv4
 * prefix also matches an IPv4-mapped IPv6 socket (::ffff:a.b.c.d).
 */
struct ct_fnode {
	enum ct_fn_kind	 kind;
	struct ct_fnode	*a, *b;		/* AND, OR: both; NOT: a */
	enum ct_fn_end	 end;		/* PORT, HOST */
	enum ct_fn_cmp	 cmp;		/* PORT (EITHER: always EQ) */
	uint32_t	 num;		/* PORT, PID, UID, PROTO, FAMILY, DEV, MARK */
	uint32_t	 mask;		/* MARK */
	uint64_t	 id;		/* CGROUP */
	uint16_t	 states;	/* STATE: idiag bits (CT_ST_*) */
	struct ct_bc_host host;		/* HOST: family AF_UNSPEC is '*' */
	char		*name;		/* COMM, NETNS, LABEL: the name as written,
					   unescaped; CGROUP: the path; owned */
	char		*pattern;	/* COMM, NETNS, LABEL: name as an fnmatch(3)
					   pattern in which the escaped bytes are
					   literal */
	uint64_t	 ino;		/* NETNS: the inode the pattern names; 0: none */
};

struct ct_filter {
	struct ct_fnode	*root;
	unsigned	 needs;		/* CT_FNEED_*: what the terms read */
};

struct ct_netns;

/* Does namespace ns match a NETNS node? (user space and kernel share) */
bool		 filter_netns_match(const struct ct_fnode *n,
		    const struct ct_netns *ns);

/* Free a tree; NULL-safe. */
void		 filter_node_free(struct ct_fnode *n);

#endif /* CT_FILTER_AST_H */
