/* Shared by the renderer and field tests: a small fixed snapshot. */
#ifndef CT_TEST_FIXTURE_H
#define CT_TEST_FIXTURE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "opts.h"
#include "owners.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

static inline struct ct_addr
fx_addr(const char *text)
{
	struct ct_addr a;

	memset(&a, 0, sizeof(a));
	a.family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
	inet_pton(a.family, text, a.bytes);
	return a;
}

static inline struct ct_sock *
fx_sock(struct ct_snap *snap, uint8_t proto, uint8_t state, const char *laddr,
    uint16_t lport, const char *raddr, uint16_t rport)
{
	struct ct_sock *s = sock_list_append(&snap->socks);

	s->proto = proto;
	s->state = state;
	s->local = fx_addr(laddr);
	s->remote = fx_addr(raddr);
	s->lport = lport;
	s->rport = rport;
	return s;
}

/*
 * A TCP connection 127.0.0.1:500 <-> 127.0.0.1:rport in state, the kernel's
 * socket cookie (inode cookie + 1000): the same socket in two snapshots.
 */
static inline struct ct_sock *
fx_conn(struct ct_snap *snap, uint64_t cookie, uint16_t rport, uint8_t state)
{
	struct ct_sock *s = fx_sock(snap, IPPROTO_TCP, state, "127.0.0.1", 500,
	    "127.0.0.1", rport);

	s->cookie = cookie;
	s->inode = (uint32_t)cookie + 1000;
	return s;
}

/* Give record s of snap tcp_info figures, zeroed, and return them. */
static inline struct ct_tcpinfo *
fx_info(struct ct_snap *snap, struct ct_sock *s)
{
	struct ct_tcpinfo *ti = sock_list_info_at(&snap->socks,
	    (size_t)(s - snap->socks.v));

	memset(ti, 0, sizeof(*ti));
	s->flags |= CT_SF_INFO;
	return ti;
}

/* Give s a chain of owners; the first one is also the first printed. */
static inline void
fx_owner(struct ct_snap *snap, struct ct_sock *s, uint32_t pid, int fd,
    const char *comm)
{
	struct ct_owners *o = &snap->owners;
	uint32_t idx = owners_append(o), *link = &s->owners;

	o->v[idx].pid = pid;
	o->v[idx].fd = fd;
	o->v[idx].comm = owners_add_comm(o, comm);
	while (*link != 0)
		link = &o->v[*link].next;
	*link = idx;
}

/* The view of snapshot snap, as a pointer, for one call's arguments. */
#define FX_VIEW(snap)	((const struct ct_view[]){ snap_view(snap) })

static inline void
fx_opts(struct ct_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->protos = CT_P_TCP | CT_P_UDP;
	o->families = CT_FAM_4 | CT_FAM_6;
	o->procroot = "/proc";
}

#endif
