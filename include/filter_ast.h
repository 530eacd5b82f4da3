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
	CT_FN_STATE,		/* state in states[proto is UDP] */
	CT_FN_PORT,		/* port <cmp> num, at end */
	CT_FN_HOST,		/* address prefix (and port) host, at end */
	CT_FN_COMM,		/* some owner's comm matches name (fnmatch) */
	CT_FN_PID,		/* some owner's pid == num */
	CT_FN_UID,		/* the socket's uid == num */
	CT_FN_NETNS,		/* its namespace's name matches name (or ino) */
	CT_FN_LABEL,		/* label part num (ct_label_part) matches name */
};

/* Which end of the socket a port or address term tests. */
enum ct_fn_end {
	CT_END_LOCAL,		/* sport, lport, src, laddr */
	CT_END_REMOTE,		/* dport, rport, dst, raddr */
	CT_END_EITHER,		/* the short forms :PORT and HOST[:PORT] */
};

enum ct_fn_cmp { CT_CMP_EQ, CT_CMP_NE, CT_CMP_LT, CT_CMP_LE, CT_CMP_GT, CT_CMP_GE };

/*
 * One node. The remote end of an unconnected socket (a listener, an
 * unconnected UDP socket) has neither address nor port: a remote term is
 * false there, whatever it compares (SQL's NULL, as the table's '*' and
 * JSON's null say). Addresses compare as the kernel's inet_diag does: an
 * IPv4 prefix also matches an IPv4-mapped IPv6 socket (::ffff:a.b.c.d).
 */
struct ct_fnode {
	enum ct_fn_kind	 kind;
	struct ct_fnode	*a, *b;		/* AND, OR: both; NOT: a */
	enum ct_fn_end	 end;		/* PORT, HOST */
	enum ct_fn_cmp	 cmp;		/* PORT (EITHER: always EQ) */
	uint32_t	 num;		/* PORT, PID, UID, PROTO, FAMILY */
	uint16_t	 states[2];	/* STATE: idiag bits for TCP, for UDP */
	const char	*label;		/* STATE: canonical name (static) */
	struct ct_bc_host host;		/* HOST: family AF_UNSPEC is '*' */
	char		*name;		/* COMM, NETNS, LABEL: the pattern, owned */
	uint64_t	 ino;		/* NETNS: the inode the pattern names; 0: none */
};

struct ct_filter {
	struct ct_fnode	*root;
	bool		 owners;	/* has COMM or PID terms (or LABEL) */
	bool		 labels;	/* has LABEL terms */
};

struct ct_netns;

/* Does namespace ns match a NETNS node? (user space and kernel share) */
bool		 filter_netns_match(const struct ct_fnode *n,
		    const struct ct_netns *ns);

/* Free a tree; NULL-safe. */
void		 filter_node_free(struct ct_fnode *n);

#endif /* CT_FILTER_AST_H */
