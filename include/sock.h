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

/*
 * More of tcp_info, beside info: what ss -i prints beyond conntab's -i
 * (see sock_more()). Filled only when a field asks for it.
 */
struct ct_tcpinfo_more {
	uint64_t	 pacing_rate, delivery_rate;	/* bytes per second */
	uint64_t	 busy_us, rwnd_limited_us, sndbuf_limited_us;
	uint32_t	 rto_us, ato_us, snd_mss, pmtu, min_rtt_us;
	uint32_t	 lost, sacked, unacked, reordering, rcv_space;
	uint32_t	 retrans_out;		/* tcpi_retrans: in flight now */
	uint8_t		 app_limited;
	char		 cong[16];		/* INET_DIAG_CONG; "" when none */
};

/* Socket memory (INET_DIAG_SKMEMINFO, -m), in the kernel's SK_MEMINFO_* order. */
enum {
	CT_MEM_RMEM_ALLOC, CT_MEM_RCVBUF, CT_MEM_WMEM_ALLOC, CT_MEM_SNDBUF,
	CT_MEM_FWD_ALLOC, CT_MEM_WMEM_QUEUED, CT_MEM_OPTMEM, CT_MEM_BACKLOG,
	CT_MEM_DROPS, CT_MEM_N
};
struct ct_meminfo {
	uint32_t	 v[CT_MEM_N];
};

/*
 * What a reply says of a socket beyond the record: its mark, cgroup and
 * timer (see sock_ext()). Kept only when a field or the filter reads it.
 */
struct ct_sockext {
	uint64_t	 cgroup_id;		/* INET_DIAG_CGROUP_ID; 0: none */
	uint32_t	 mark;			/* INET_DIAG_MARK (CAP_NET_ADMIN) */
	uint32_t	 expires_ms;		/* idiag_expires */
	uint8_t		 timer;			/* idiag_timer: CT_TIMER_* */
	uint8_t		 timer_retrans;		/* idiag_retrans */
	uint8_t		 has;			/* CT_SX_* */
};
/* ct_sockext.has */
#define CT_SX_MARK	0x01		/* the reply carried the mark */
#define CT_SX_CGROUP	0x02		/* the reply carried the cgroup id */
/* ct_sockext.timer: idiag_timer, named as ss names them */
enum { CT_TIMER_OFF, CT_TIMER_ON, CT_TIMER_KEEPALIVE, CT_TIMER_TIMEWAIT,
	CT_TIMER_PERSIST };

/* ct_sock.flags */
#define CT_SF_INFO	0x01		/* its list holds tcp_info figures for it */
#define CT_SF_V6ONLY	0x02		/* INET_DIAG_SKV6ONLY said 1 */
#define CT_SF_AUTO	0x04		/* the kernel chose its port (autobound) */
#define CT_SF_EXT	0x08		/* its list holds a ct_sockext for it */
#define CT_SF_MEM	0x10		/* its list holds socket memory for it */
#define CT_SF_MORE	0x20		/* its list holds more tcp_info for it */

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
	/* the same for what only some fields and filter words read */
	struct ct_sockext *ext;		/* CT_SF_EXT */
	struct ct_meminfo *mem;		/* CT_SF_MEM */
	struct ct_tcpinfo_more *more;	/* CT_SF_MORE */
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
/* The same for the other arrays beside the records (set CT_SF_* too). */
struct ct_sockext *sock_list_ext_at(struct ct_socklist *l, size_t i);
struct ct_meminfo *sock_list_mem_at(struct ct_socklist *l, size_t i);
struct ct_tcpinfo_more *sock_list_more_at(struct ct_socklist *l, size_t i);
/* What record s of list l has of those, or NULL. */
static inline const struct ct_sockext *
sock_ext(const struct ct_socklist *l, const struct ct_sock *s)
{
	if (l->ext == NULL || !(s->flags & CT_SF_EXT))
		return NULL;
	return &l->ext[s - l->v];
}
static inline const struct ct_meminfo *
sock_mem(const struct ct_socklist *l, const struct ct_sock *s)
{
	if (l->mem == NULL || !(s->flags & CT_SF_MEM))
		return NULL;
	return &l->mem[s - l->v];
}
static inline const struct ct_tcpinfo_more *
sock_more(const struct ct_socklist *l, const struct ct_sock *s)
{
	if (l->more == NULL || !(s->flags & CT_SF_MORE))
		return NULL;
	return &l->more[s - l->v];
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
