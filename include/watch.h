#ifndef CT_WATCH_H
#define CT_WATCH_H

#include <stdio.h>

struct ct_diag;
struct ct_opts;

/*
 * The live view (-w on a terminal): a sample every o->interval_ms, drawn
 * with curses until q, SIGINT, SIGTERM or SIGHUP. Errors while running are
 * shown on the status line, and the view goes on. The terminal is restored
 * on every way out, die() included. Colour as o->color_when says, where the
 * terminal has it (auto: unless NO_COLOR). Returns 0, or -errno with *what
 * naming the failure for the message: "socket dump" when the first sample
 * fails (before the screen is touched), "terminal" (-ENOTTY) when curses
 * does not know TERM, "cursor" (-ENOTTY) when the terminal cannot address
 * the cursor (TERM=dumb).
 */
int		 watch_run(struct ct_diag *d, const struct ct_opts *o,
		    const char **what);

/*
 * The event stream (-w when stdout is not a terminal, or with --format
 * json): the sockets there at the first sample, then one event per socket
 * opened, closed or changed at each sample (out_events_diff()), flushed at
 * once, until SIGINT, SIGTERM, SIGHUP or a reader that went away. Warnings
 * go to stderr, once each. Returns 0 (a closed pipe included), or -errno
 * with *what set: "write error", or "socket dump" when the first sample
 * fails (later failures are warnings).
 */
int		 watch_stream(struct ct_diag *d, const struct ct_opts *o, FILE *fp,
		    const char **what);

/*
 * -w --format prometheus|openmetrics --output FILE: a small resident
 * exporter. Every o->interval_ms a sample, its metrics written to a
 * temporary file that then replaces FILE (output.h), until SIGINT,
 * SIGTERM or SIGHUP; no temporary file outlives a sample. A failed sample
 * or write leaves the last FILE in place and is a warning on stderr, once
 * per kind. Returns 0, or -errno when the first sample fails (*what
 * "socket dump") or the first write does (*what "output").
 */
int		 watch_export(struct ct_diag *d, const struct ct_opts *o,
		    const char **what);

#endif /* CT_WATCH_H */
