#ifndef CT_FIELDS_H
#define CT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock.h"

struct ct_group;
struct ct_view;

/* The one vocabulary of SPEC §3. Order here is the canonical JSON order. */
enum ct_field_id {
	CT_F_PROTO,
	CT_F_FAMILY,
	CT_F_STATE,
	CT_F_LADDR,
	CT_F_LPORT,
	CT_F_RADDR,
	CT_F_RPORT,
	CT_F_LOCAL,
	CT_F_REMOTE,
	CT_F_RECVQ,
	CT_F_SENDQ,
	CT_F_UID,
	CT_F_USER,
	CT_F_INODE,
	CT_F_V6ONLY,
	CT_F_PID,
	CT_F_COMM,
	CT_F_OWNERS,
	CT_F_PROCESS,
	CT_F_LISTENER,
	CT_F_RTT,
	CT_F_RTTVAR,
	CT_F_CWND,
	CT_F_RETRANS,
	CT_F_BYTES_SENT,
	CT_F_BYTES_RECV,
	CT_F_RATE_IN,
	CT_F_RATE_OUT,
	CT_F_COUNT,
	CT_F_CLIENTS,
	CT_F_PORTS_USED,
	CT_F_PORTS_AVAIL,
	CT_F_PORTS_PCT,
	CT_F_HIGH,
	CT_F_NETNS,
	CT_F_NETNS_INO,
	CT_F_CONTAINER,
	CT_F_POD,
	CT_F_UNIT,
	/* what ss's filter words test, -m, the timer of ss -o, more of ss -i */
	CT_F_DEV,
	CT_F_FWMARK,
	CT_F_CGROUP,
	CT_F_RMEM_ALLOC,
	CT_F_RCVBUF,
	CT_F_WMEM_ALLOC,
	CT_F_SNDBUF,
	CT_F_FWD_ALLOC,
	CT_F_WMEM_QUEUED,
	CT_F_OPTMEM,
	CT_F_BACKLOG,
	CT_F_DROPS,
	CT_F_TIMER,
	CT_F_EXPIRES,
	CT_F_TIMER_RETRANS,
	CT_F_CONG,
	CT_F_MSS,
	CT_F_PMTU,
	CT_F_MIN_RTT,
	CT_F_RTO,
	CT_F_ATO,
	CT_F_LOST,
	CT_F_SACKED,
	CT_F_UNACKED,
	CT_F_REORDERING,
	CT_F_RETRANS_OUT,
	CT_F_DELIVERY_RATE,
	CT_F_PACING_RATE,
	CT_F_RCV_SPACE,
	CT_F_BUSY,
	CT_F_RWND_LIMITED,
	CT_F_SNDBUF_LIMITED,
	CT_F_APP_LIMITED,
	CT_F_COOKIE,
	CT_F_DURATION,
	CT_F_NFIELDS
};

/* struct ct_field.flags */
#define CT_FF_NUM	0x01	/* a number: JSON number, right-aligned */
#define CT_FF_OWNERS	0x02	/* needs the /proc owner scan */
#define CT_FF_INFO	0x04	/* needs tcp_info (-i) */
#define CT_FF_RATE	0x08	/* needs two samples (live view) */
#define CT_FF_GROUPED	0x10	/* only meaningful in grouped output */
#define CT_FF_ADDR	0x20	/* an address: accepts a /prefix as a group key */
#define CT_FF_BOOL	0x40	/* "true"/"false": with CT_FF_NUM, a JSON boolean */
#define CT_FF_EXT	0x0100	/* needs each socket's ct_sockext (mark, cgroup, timer) */
#define CT_FF_MEM	0x0200	/* needs socket memory (INET_DIAG_SKMEMINFO, -m) */
#define CT_FF_MORE	0x0400	/* needs more of tcp_info (with CT_FF_INFO) */
#define CT_FF_IFNAME	0x0800	/* needs the names of the bound devices */
#define CT_FF_CGPATH	0x1000	/* needs the paths of the cgroup ids */
#define CT_FF_LABEL	0x2000	/* needs the owners' cgroup labels */

/* Longest text one cell can hold: "[v6 address%scope]:65535" and more. */
#define CT_CELL_MAX	128

/*
 * A column, sort key or group key: a field, with an optional /prefix.
 * What a formatter or comparator gets as its prefix:
 *   CT_PREFIX_NONE  the value as the kernel holds it (a column);
 *   CT_PREFIX_KEY   a group key (-g, and the groups of -T, -s and the
 *                   live view): an IPv4-mapped address ::ffff:a.b.c.d is
 *                   its IPv4 address a.b.c.d, in laddr, raddr, local and
 *                   remote, so a client counts once however it came in;
 *   0 to 128        an address field masked to that many bits, a key too
 *                   (a v4-mapped address is masked as IPv4: 10.1.2.0/24).
 */
#define CT_PREFIX_NONE	(-1)
#define CT_PREFIX_KEY	(-2)
struct ct_col {
	enum ct_field_id id;
	int		 prefix;	/* CT_PREFIX_*, or a length 0-128 */
};

#define CT_COLS_MAX	32
struct ct_cols {
	struct ct_col	 v[CT_COLS_MAX];
	size_t		 n;
};

/*
 * What a formatter may keep from one row to the next of one column: the
 * value it spelled last (an address and a port, a state) and that text.
 * Rows in the default order repeat local addresses, and often remote
 * ones, in long runs: with a memo each run's address is spelled once.
 * A renderer zeroes one memo per column (one field, one prefix) before
 * the first row and passes it with every cell of that column.
 */
#define CT_MEMO_TEXT	64	/* "[v6 address]:65535" and its NUL fit */
struct ct_fmt_memo {
	struct ct_addr	 addr;		/* the address last spelled */
	uint32_t	 num;		/* the rest of the key: port, state */
	uint8_t		 head;		/* text[0..head): the address part */
	uint8_t		 len;		/* text[0..len) and a NUL; 0 = empty */
	char		 text[CT_MEMO_TEXT];
};

/*
 * Format one cell of row g into buf and return its length: at most
 * CT_CELL_MAX - 1 bytes and a NUL. buf must hold CT_CELL_MAX bytes, and
 * the formatter may write any of them, past the NUL too (it copies in
 * blocks of constant size). *is_null is set when the value is absent:
 * the table shows the text written ("*" or "-"), JSON shows null. memo
 * is NULL, or the column's memo (see above).
 */
typedef size_t	(*ct_fmt_fn)(const struct ct_view *v, const struct ct_group *g,
		    int prefix, char *buf, bool *is_null, struct ct_fmt_memo *memo);
/* Total order of two records on one field: <0, 0, >0. */
typedef int	(*ct_cmp_fn)(const struct ct_view *v, const struct ct_sock *a,
		    const struct ct_sock *b, int prefix);

struct ct_field {
	const char	*name;		/* SPEC §3 name: -o, --sort, -g, JSON key */
	const char	*header;	/* table header */
	unsigned	 flags;		/* CT_FF_* */
	ct_fmt_fn	 fmt;
	ct_cmp_fn	 cmp;		/* NULL: cannot sort or group by it */
	size_t		 maxlen;	/* no text is longer; 0 = no bound given */
};

/* The descriptor of a field. */
const struct ct_field *fields_get(enum ct_field_id id);
/* Look a name up (exact, case-sensitive); -1 when unknown. */
int		 fields_lookup(const char *name, size_t len);
/* The closest field name to an unknown word, or NULL when none is close. */
const char	*fields_suggest(const char *word, size_t len);
/* Edit distance helper shared with the filter's "did you mean". */
size_t		 fields_distance(const char *a, size_t alen, const char *b);

/*
 * Parse "a,b,c" (with "raddr/24" prefixes when allow_prefix) into out.
 * Returns 0, -EINVAL (unknown field: *bad and *badlen name it), -ERANGE
 * (bad prefix, or too many fields).
 */
int		 fields_parse_list(const char *list, bool allow_prefix,
		    struct ct_cols *out, const char **bad, size_t *badlen);

/*
 * Two addresses as group keys compare (CT_PREFIX_KEY, whole): the order
 * of laddr and raddr keys, for code that sorts addresses by the million
 * (the clients and destinations of -T).
 */
int		 fields_addr_key_cmp(const struct ct_addr *a, const struct ct_addr *b);

/* Make columns group keys: CT_PREFIX_NONE becomes CT_PREFIX_KEY (-g). */
void		 fields_cols_as_keys(struct ct_cols *c);

/* Compare two records on every key in order; 0 only when all are equal. */
int		 fields_cmp_cols(const struct ct_view *v, const struct ct_cols *c,
		    const struct ct_sock *a, const struct ct_sock *b);

#endif /* CT_FIELDS_H */
