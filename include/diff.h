#ifndef CT_DIFF_H
#define CT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct ct_filter;
struct ct_snap;
struct ct_sock;
struct ct_socklist;

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

/* ---- closes: the samples and the kernel's destroy events together ---- */

/*
 * The live view and the event stream hear the kernel's destroy events
 * (snap.h) besides their samples. The ledger puts the two together, keyed
 * by the kernel's cookie (and namespace), so that each socket closes once:
 *   - a destroy event for a socket of the last sample is its close, at
 *     once, as that sample saw it (owners, state), with the kernel's final
 *     tcp_info and its duration since the first sample that saw it;
 *   - one for a socket no sample saw is a close of its own, marked so,
 *     if the filter takes the kernel's record;
 *   - a socket gone from the samples whose close the kernel will tell (in
 *     a namespace whose events are heard, not TIME_WAIT, not SYN_RECV) is
 *     held for a grace while the event comes; if none does (the kernel's
 *     own sockets, a kernel without udp_diag), the samples close it then;
 *     the others close at once from the samples, as before;
 *   - what the kernel reported is not reported again: not its TIME_WAIT
 *     stand-in as new or changed (the same cookie, or for one no sample
 *     saw, the same 5-tuple), nor its going.
 */

/* Where a close was learnt. */
enum ct_close_src {
	CT_CLOSE_KERNEL,	/* a destroy event */
	CT_CLOSE_SAMPLE,	/* gone from the samples, no event for it */
};

/* One close: record rec of its struct ct_closes's snap. */
struct ct_close {
	uint32_t	 rec;
	uint8_t		 src;		/* enum ct_close_src */
	bool		 sampled;	/* a sample saw it */
	int64_t		 duration_ms;	/* since the first sample saw it; -1 */
};

/*
 * Closes to report, and their records in a snapshot of their own (owners,
 * labels and the namespaces copied), which outlives the samples they came
 * from. Zero it before the first use; free with diff_closes_free().
 */
struct ct_closes {
	struct ct_snap	*snap;		/* NULL until the first close */
	struct ct_close	*v;
	size_t		 n, cap;
};
void		 diff_closes_free(struct ct_closes *c);

struct ct_ledger;

/*
 * A ledger; grace_ms is how long a socket gone from the samples waits
 * for its destroy event. Never fails (die() on ENOMEM).
 */
struct ct_ledger *diff_ledger_open(unsigned grace_ms);
/* Release; NULL-safe. */
void		 diff_ledger_free(struct ct_ledger *l);
/*
 * A sample: d = diff_build(prev, cur, f) (prev NULL for the first; the
 * filter is the diff's).
 * Appends to out the closes the samples tell now; clears CT_DF_NEW and
 * CT_DF_STATE in d (and its counts) for records the kernel reported
 * closed already; remembers cur (which must live, or a copy of the
 * struct, until the next call) for the events that follow. prev must be
 * the cur of the call before.
 */
void		 diff_ledger_sample(struct ct_ledger *l, const struct ct_snap *prev,
		    const struct ct_snap *cur, struct ct_diff *d,
		    struct ct_closes *out);
/*
 * Destroy events ev (snap_events_read()) heard at monotonic time now_ms,
 * against last, the cur of the last diff_ledger_sample(): appends their
 * closes to out.
 */
void		 diff_ledger_events(struct ct_ledger *l, const struct ct_snap *last,
		    const struct ct_socklist *ev, const struct ct_filter *f,
		    int64_t now_ms, struct ct_closes *out);
/*
 * The kernel dropped events: the next sample closes what it misses at
 * once, the sockets held for their events among them.
 */
void		 diff_ledger_lost(struct ct_ledger *l);
/* The samples start over (a new filter): forget them and what was held. */
void		 diff_ledger_reset(struct ct_ledger *l);
/*
 * When each record of the last sample was first seen (monotonic ms), or
 * -1 for records the filter left out; n is the last sample's length.
 */
const int64_t	*diff_ledger_first(const struct ct_ledger *l, size_t *n);
/* Monotonic milliseconds of a timespec. */
int64_t		 diff_ms(const struct timespec *t);

#endif /* CT_DIFF_H */
