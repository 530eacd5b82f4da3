#ifndef CT_OUT_EVENTS_H
#define CT_OUT_EVENTS_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

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

#endif /* CT_OUT_EVENTS_H */
