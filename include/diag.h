#ifndef CT_DIAG_H
#define CT_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sock.h"

struct ct_diag;

/* One SOCK_DIAG_BY_FAMILY dump request. */
struct ct_diag_req {
	uint8_t		 family;	/* AF_INET, AF_INET6; AF_UNSPEC: TCP of
					   both in one walk of the hash */
	uint8_t		 proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	uint32_t	 states;	/* idiag_states bitmask */
	bool		 info;		/* ask for INET_DIAG_INFO (tcp_info) */
	bool		 more;		/* keep more of it, and INET_DIAG_CONG */
	bool		 meminfo;	/* ask for INET_DIAG_SKMEMINFO (-m) */
	bool		 ext;		/* keep mark, cgroup id and timer */
	const void	*bytecode;	/* INET_DIAG_REQ_BYTECODE, or NULL */
	size_t		 bytecode_len;
};

/*
 * The transport under the collector: real netlink by default, replaceable
 * by tests to inject faults. send/recv return bytes or -1 with errno set.
 */
struct ct_diag_io {
	ssize_t		(*send)(void *ctx, const void *buf, size_t len);
	ssize_t		(*recv)(void *ctx, void *buf, size_t len);
	uint32_t	(*portid)(void *ctx);
	void		(*close)(void *ctx);
	void		*ctx;
};

/* Open a NETLINK_SOCK_DIAG socket. 0 or -errno; free with diag_close(). */
int		 diag_open(struct ct_diag **out);
/* Use io instead of a netlink socket (tests). Takes ownership of io->ctx. */
int		 diag_open_io(const struct ct_diag_io *io, struct ct_diag **out);
/* Release; NULL-safe. */
void		 diag_close(struct ct_diag *d);

/*
 * Run one dump and append its records to out. An interrupted dump
 * (NLM_F_DUMP_INTR) is retried up to 3 times; after that -EINTR comes back
 * with the last partial result kept. -ENOENT/-EINVAL mean the kernel lacks
 * this diag protocol or rejected the request; other errors are -errno.
 * On any error other than -EINTR, out is left as it was.
 */
int		 diag_dump(struct ct_diag *d, const struct ct_diag_req *req,
		    struct ct_socklist *out);

/*
 * SOCK_DESTROY: have the kernel destroy the socket s names (its protocol,
 * family, addresses, ports, interface and cookie, as a dump gave them),
 * and wait for its answer. Returns 0 (destroyed), -ENOENT (no such
 * socket any more: it went on its own, or the cookie is another's),
 * -EPERM (the caller lacks CAP_NET_ADMIN in the socket's namespace),
 * -EOPNOTSUPP (no SOCK_DESTROY for this protocol: a kernel without
 * CONFIG_INET_DIAG_DESTROY), or another -errno.
 */
int		 diag_destroy(struct ct_diag *d, const struct ct_sock *s);

#endif /* CT_DIAG_H */
