#ifndef CT_SOCK_H
#define CT_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Socket states: the kernel's TCP_* numbers, used for UDP as well. */
enum {
	CT_ST_ESTABLISHED = 1,
	CT_ST_SYN_SENT,
	CT_ST_SYN_RECV,
	CT_ST_FIN_WAIT1,
	CT_ST_FIN_WAIT2,
	CT_ST_TIME_WAIT,
	CT_ST_CLOSE,		/* UDP: UNCONN */
	CT_ST_CLOSE_WAIT,
	CT_ST_LAST_ACK,
	CT_ST_LISTEN,
	CT_ST_CLOSING,
	CT_ST_MAX
};
/* Every state of SPEC §3 as an idiag_states bitmask. */
#define CT_STATES_ALL	(((1u << CT_ST_MAX) - 1) & ~1u)

/* An address in network byte order; IPv4 uses the first 4 bytes. */
struct ct_addr {
	uint8_t		 family;		/* AF_INET, AF_INET6 */
	uint8_t		 bytes[16];
};

/* TCP internals from tcp_info (-i), beside the records: see sock_info(). */
struct ct_tcpinfo {
	uint32_t	 rtt_us, rttvar_us, cwnd, retrans;
	uint64_t	 bytes_acked, bytes_received;
};

/* ct_sock.flags */
#define CT_SF_INFO	0x01		/* its list holds tcp_info figures for it */
#define CT_SF_V6ONLY	0x02		/* INET_DIAG_SKV6ONLY said 1 */

/* One kernel socket. Flat, so a list is one array; 80 bytes. */
struct ct_sock {
	struct ct_addr	 local, remote;
	uint16_t	 lport, rport;		/* host order */
	uint8_t		 proto, state, flags;	/* IPPROTO_*, CT_ST_*, CT_SF_* */
	uint8_t		 spare;			/* padding, free for a flag byte */
	uint16_t	 netns;			/* its namespace: index into the
						   view's namespace table (nstab.h) */
	uint32_t	 rqueue, wqueue, uid, inode, ifindex;
	uint64_t	 cookie;		/* kernel socket id, stable across dumps */
	uint32_t	 owners;		/* index into struct ct_owners; 0 = unknown */
	uint32_t	 listener;		/* 1 + index of its listener in the list; 0 = none */
};
_Static_assert(sizeof(struct ct_sock) == 80, "a record is 80 bytes");

/*
 * A growable array of records; one allocation for all of them. The
 * tcp_info figures live in an array of their own, parallel to v, that
 * exists only once a record has them (-i): without -i every pass over
 * the records reads 80 bytes each instead of 112.
 */
struct ct_socklist {
	struct ct_sock	*v;
	struct ct_tcpinfo *info;	/* NULL, or info[i] belongs to v[i] */
	size_t		 len, cap;
};

/* Append one zeroed record and return it; never fails (die() on ENOMEM). */
struct ct_sock	*sock_list_append(struct ct_socklist *l);
/*
 * Room for one more record at l->v[l->len], not yet counted and not
 * zeroed: the caller fills it whole, then counts it (l->len++), or drops
 * it by not counting it. Never fails (die() on ENOMEM).
 */
struct ct_sock	*sock_list_grow(struct ct_socklist *l);
/*
 * Where the tcp_info figures of record l->v[i] (i < l->cap) go; the
 * caller also sets CT_SF_INFO in its flags. Never fails (die() on ENOMEM).
 */
struct ct_tcpinfo *sock_list_info_at(struct ct_socklist *l, size_t i);
/*
 * The tcp_info figures of record s of list l, or NULL when it has none.
 * Inline: with -i every row's figures are read through it, cell by cell.
 */
static inline const struct ct_tcpinfo *
sock_info(const struct ct_socklist *l, const struct ct_sock *s)
{
	if (l->info == NULL || !(s->flags & CT_SF_INFO))
		return NULL;
	return &l->info[s - l->v];
}
/* Release the arrays; NULL-safe, leaves an empty list. */
void		 sock_list_free(struct ct_socklist *l);

/* "tcp"/"udp"; "?" for anything else. */
const char	*sock_proto_name(uint8_t proto);
/* "inet"/"inet6". */
const char	*sock_family_name(uint8_t family);
/* SPEC §3 state name for this protocol: UDP CLOSE is "UNCONN". */
const char	*sock_state_name(uint8_t proto, uint8_t state);
/* True when the remote end is unset (listener, unconnected UDP). */
bool		 sock_is_unconnected(const struct ct_sock *s);
/* True for an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
bool		 sock_addr_is_v4mapped(const struct ct_addr *a);
/* True for 0.0.0.0 or ::. */
bool		 sock_addr_is_any(const struct ct_addr *a);

#endif /* CT_SOCK_H */
