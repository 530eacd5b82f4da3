#ifndef CT_OUT_EVENTS_H
#define CT_OUT_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct ct_closes;
struct ct_diff;
struct ct_opts;
struct ct_snap;
struct ct_sock;

/* What happened to a socket between two samples; the text line's marker. */
enum ct_event {
	CT_EV_INITIAL = '=',	/* there at the first sample */
	CT_EV_OPEN = '+',	/* new since the last sample */
	CT_EV_CLOSE = '-',	/* gone since the last sample */
	CT_EV_STATE = '~',	/* still there, in another state */
};

/*
 * Write one event about record s of snap (for CT_EV_CLOSE, the previous
 * snapshot) at wall-clock time when (CLOCK_REALTIME, printed in UTC), as
 * one line:
 *   2026-11-22T10:00:01Z + tcp ESTABLISHED 127.0.0.1:500 127.0.0.1:54240 nc(1234)
 * the time (with milliseconds, 10:00:01.250Z, unless o->interval_ms is
 * whole seconds), the marker, then o->cols when -o gave them, else proto, state,
 * local, remote and process (unless -P); for CT_EV_STATE the state reads
 * OLD->NEW. With o->format JSON: one object on one line, "time", "event"
 * (initial, open, close, state), "old_state" for a state change, then the
 * keys of the JSON table (out_json_keys()). Write errors stay in fp.
 */
void		 out_events_write(FILE *fp, const struct ct_snap *snap,
		    const struct ct_sock *s, enum ct_event ev, uint8_t old_state,
		    const struct timespec *when, const struct ct_opts *o);

/*
 * Every event of one sample: with no prev, each matching record of cur as
 * CT_EV_INITIAL; else the closed records of prev, then the opened and
 * changed ones of cur, each part in the default order of records (so a
 * 5-tuple reused by a new socket reads "-" before "+"). d is
 * diff_build(prev, cur). Returns the number of events written.
 */
size_t		 out_events_diff(FILE *fp, const struct ct_snap *prev,
		    const struct ct_snap *cur, const struct ct_diff *d,
		    const struct timespec *when, const struct ct_opts *o);
/*
 * The same without the closes of d: the opened and changed records of
 * cur, for a stream whose closes come from the ledger (diff.h).
 */
size_t		 out_events_changes(FILE *fp, const struct ct_snap *prev,
		    const struct ct_snap *cur, const struct ct_diff *d,
		    const struct timespec *when, const struct ct_opts *o);

/*
 * The closes the ledger reported (diff.h), in the default order of their
 * records; out_events_close() writes close i alone. A close is a '-'
 * line as out_events_write() writes it, for the socket as it was last
 * seen (a sample's record, or the kernel's for one no sample saw), with,
 * unless -o chose the columns, three more: duration, bytes_sent,
 * bytes_recv ("-" when unknown: bytes for UDP and for a close the
 * samples alone saw without -i; duration "unsampled" for a socket no
 * sample saw). In
 * JSON: "sampled" (true/false) and "source" ("kernel", "sample") after
 * "event", and the keys bytes_sent, bytes_recv, duration (null when
 * unknown) unless -o chose them. Returns the number written.
 */
size_t		 out_events_closes(FILE *fp, const struct ct_closes *c,
		    const struct timespec *when, const struct ct_opts *o);
void		 out_events_close(FILE *fp, const struct ct_closes *c, size_t i,
		    const struct timespec *when, const struct ct_opts *o);
/*
 * The line that says the kernel dropped destroy events (lost of them,
 * when known), and that the stream resyncs from a full sample:
 *   2026-11-22T10:00:01Z ! events lost: the kernel dropped 120 destroy
 *   events (its buffer overran); resync from a full sample
 * In JSON: {"time":...,"event":"lost","lost":120} (null when unknown).
 */
void		 out_events_lost(FILE *fp, bool known, uint64_t lost,
		    const struct timespec *when, const struct ct_opts *o);

#endif /* CT_OUT_EVENTS_H */
