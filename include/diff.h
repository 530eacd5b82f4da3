#ifndef CT_DIFF_H
#define CT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_filter;
struct ct_snap;
struct ct_sock;

/* struct ct_diff_sock.flags */
#define CT_DF_MATCH	0x01	/* matches the filter: part of what is shown */
#define CT_DF_FIRST	0x02	/* no previous snapshot: the initial state */
#define CT_DF_NEW	0x04	/* opened since the previous snapshot */
#define CT_DF_STATE	0x08	/* was there in old_state, is now in another */
#define CT_DF_RATED	0x10	/* its ct_diff.rate entry is valid */

/* ct_diff_sock.prev when the record has no counterpart */
#define CT_DIFF_NONE	UINT32_MAX

/* What the diff says about one record of the current snapshot: 8 bytes. */
struct ct_diff_sock {
	uint32_t	 prev;		/* its index in the previous snapshot */
	uint8_t		 flags;		/* CT_DF_* */
	uint8_t		 old_state;	/* with CT_DF_STATE */
};

/* The rates of one record of the current snapshot, with CT_DF_RATED. */
struct ct_diff_rate {
	uint64_t	 in;		/* bytes/s received (tcpi_bytes_received) */
	uint64_t	 out;		/* bytes/s acked by the peer (tcpi_bytes_acked) */
};

/* Two consecutive snapshots compared, restricted to the filter's records. */
struct ct_diff {
	struct ct_diff_sock *cur;	/* parallel to cur->socks.v */
	/*
	 * Parallel to cur too, but only when both snapshots hold tcp_info
	 * (else NULL): a stream of 200,000 records without it is 3 MB less.
	 */
	struct ct_diff_rate *rate;
	size_t		 ncur;
	uint32_t	*closed;	/* indexes in prev of matching records gone */
	size_t		 nclosed;
	size_t		 nmatch;	/* records of cur that match */
	size_t		 nopened;	/* ... of which CT_DF_NEW */
	size_t		 nchanged;	/* ... of which CT_DF_STATE */
	double		 dt;		/* seconds between the samples; 0 without prev */
};

/*
 * Compare cur with prev (NULL for the first snapshot: every matching record
 * is CT_DF_FIRST). A record is the same socket when the kernel's cookies
 * agree; without a cookie (0), when protocol, 5-tuple and inode agree, so a
 * 5-tuple reused by a new socket reads as one closed and one opened. Rates
 * come from the tcp_info byte counters of both samples (CT_SF_INFO) over the
 * monotonic time between them. O(n) in both sizes (a hash of prev). Only
 * records that filter_match(f) are compared. Returns 0; free with
 * diff_free().
 */
int		 diff_build(const struct ct_snap *prev, const struct ct_snap *cur,
		    const struct ct_filter *f, struct ct_diff *out);
/* Release; NULL-safe, leaves an empty diff. */
void		 diff_free(struct ct_diff *d);

/* Are a and b (from two snapshots) the same kernel socket? */
bool		 diff_same_sock(const struct ct_sock *a, const struct ct_sock *b);

/*
 * Bytes per second from a counter read twice, dt seconds apart, rounded.
 * The difference is taken modulo 2^64, so a counter that wrapped still
 * counts; one that went back (by less than half the range: reset) has no
 * rate. Returns 0, or -ERANGE (no rate: reset, or dt <= 0).
 */
int		 diff_rate(uint64_t before, uint64_t after, double dt,
		    uint64_t *rate);

#endif /* CT_DIFF_H */
