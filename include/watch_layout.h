#ifndef CT_WATCH_LAYOUT_H
#define CT_WATCH_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fields.h"
#include "snap.h"

struct ct_closes;
struct ct_diff;

/*
 * What the live view shows, as text and without curses: which records, in
 * which rows, with which marks, in which columns. watch.c only draws it.
 */

/* Groupings of the view, in the order the g key cycles through them. */
enum ct_wgroup {
	CT_WG_LISTENER,		/* listeners, their connections; destinations */
	CT_WG_RADDR,		/* by remote address */
	CT_WG_PROCESS,		/* by owning process */
	CT_WG_FLAT,		/* one sorted list */
	CT_WG_NETNS,		/* by network namespace (--all-netns) */
	CT_WG_CONTAINER,	/* by container (--all-netns) */
	CT_WG_N
};

/* Sort keys, in the order the s key cycles through them. */
enum ct_wsort {
	CT_WS_DEFAULT,		/* the default order of records */
	CT_WS_STATE,
	CT_WS_REMOTE,
	CT_WS_PROCESS,
	CT_WS_RECVQ,		/* numbers: largest first */
	CT_WS_SENDQ,
	CT_WS_RATE_IN,
	CT_WS_RATE_OUT,
	CT_WS_RTT,
	CT_WS_N
};

/* ct_wsock.mark */
#define CT_WM_SHOWN	0x01	/* matches the filter (else: a listener shown
				   for the connections beneath it) */
#define CT_WM_NEW	0x02	/* opened since the previous sample */
#define CT_WM_GONE	0x04	/* closed since: from the previous sample */
#define CT_WM_STATE	0x08	/* changed state since the previous sample */
#define CT_WM_HIGH	0x10	/* a listener whose accept queue is over half full */
#define CT_WM_RATED	0x20	/* rate_in and rate_out are valid */

/* What the view knows of one record beyond the record itself. */
struct ct_wsock {
	uint8_t		 mark;		/* CT_WM_* */
	uint64_t	 rate_in, rate_out;	/* bytes/s */
	int64_t		 first_ms;	/* first seen (monotonic ms); -1 unknown */
};

/* ct_wrow.kind */
enum ct_wrow_kind {
	CT_WR_SOCK,		/* one record */
	CT_WR_DEST,		/* a head: outgoing connections to one destination */
	CT_WR_RADDR,		/* a head: one remote address */
	CT_WR_PROC,		/* a head: one process */
	CT_WR_NETNS,		/* a head: one network namespace */
	CT_WR_CONTAINER,	/* a head: one container */
};

/* One line of the view's body. */
struct ct_wrow {
	uint8_t		 kind;		/* enum ct_wrow_kind */
	uint8_t		 depth;		/* 0, or 1 beneath a head or listener */
	uint32_t	 sock;		/* the record; a head's first record */
	uint32_t	 count;		/* a head: records beneath it */
};

/* The header line's figures: the matching records of the current sample. */
struct ct_wtotals {
	size_t		 listen, estab, timewait, other;
	size_t		 opened, closed;	/* since the previous sample */
	double		 dt;			/* seconds since it; 0 for the first */
};

/* The body's columns, at most: the 5-tuple and state, owner, queues, rates, rtt. */
#define CT_WCOLS_MAX	11

/* One sample as the view shows it. */
struct ct_wview {
	struct ct_snap	 snap;		/* the records shown, and their listeners */
	struct ct_wsock	*ws;		/* parallel to snap.socks */
	struct ct_wrow	*rows;		/* set by watch_layout_arrange() */
	size_t		 nrows;
	/*
	 * Each column's width (in display order, see watch_layout_fit()):
	 * its widest cell over every row of the view and its header, set
	 * with the rows, so that widths hold while the view scrolls.
	 */
	size_t		 width[CT_WCOLS_MAX];
	struct ct_wtotals tot;
};

/*
 * Gather what the view shows of cur, given d = diff_build(prev, cur, f):
 * the matching records of cur, the closed ones of prev (marked GONE, kept
 * for this one sample), and the listeners those arrived on. Owners are
 * copied, so the view outlives neither snapshot's need. first is NULL, or
 * when each record of cur was first seen (diff_ledger_first(), nfirst
 * of them). Then arrange the rows with watch_layout_arrange(). Free with
 * watch_layout_free().
 */
void		 watch_layout_build(const struct ct_snap *prev,
		    const struct ct_snap *cur, const struct ct_diff *d,
		    struct ct_wview *out);
void		 watch_layout_build_first(const struct ct_snap *prev,
		    const struct ct_snap *cur, const struct ct_diff *d,
		    const int64_t *first, size_t nfirst, struct ct_wview *out);
/*
 * (Re)build v->rows and v->width for grouping g and sort key s (reverse:
 * -r). The listener grouping puts each listener (every SO_REUSEPORT
 * member) first, its accepted connections beneath, then outgoing
 * connections beneath one head per destination, listeners and
 * destinations in the default order; the others put one head per remote
 * address (as a group key: a v4-mapped address is its IPv4 one), process,
 * namespace or container, the largest group first (-r: the smallest), ties
 * in the order of their keys; flat has no heads. The records beneath
 * follow s.
 */
void		 watch_layout_arrange(struct ct_wview *v, enum ct_wgroup g,
		    enum ct_wsort s, bool reverse);
/* Release; NULL-safe, leaves an empty view. */
void		 watch_layout_free(struct ct_wview *v);

/* Names for the status line: "listener", "raddr"...; "default", "state"... */
const char	*watch_layout_group_name(enum ct_wgroup g);
const char	*watch_layout_sort_name(enum ct_wsort s);
/* The sort key for a field (--sort with -w), or -1 when it is not one. */
int		 watch_layout_sort_lookup(enum ct_field_id id);

/* The columns of the body that fit the width, and their widths. */
struct ct_wfit {
	enum ct_field_id id[CT_WCOLS_MAX];
	size_t		 width[CT_WCOLS_MAX];
	size_t		 n;
};

/*
 * Choose the body's columns on a screen cols wide, by one priority (the
 * man page's): proto, state, local and remote always (cut at the edge
 * when even they do not fit); then the column the rows are sorted on
 * (sort), so that the order can be seen; then, while each fits, in this
 * order, the process (unless !procs), the namespace (when the view holds
 * more than one), the queues (recvq and sendq), the rates (rate_in and
 * rate_out), the rtt, stopping at the first that does not fit: no column
 * shows where one before it in this list does not. The columns keep their
 * display order, netns, proto ... remote, process, recvq, sendq, rate_in,
 * rate_out, rtt, and the view's widths.
 */
void		 watch_layout_fit(const struct ct_wview *v, size_t cols,
		    bool procs, enum ct_wsort sort, struct ct_wfit *out);
/* Does the fit show tcp_info figures (rates, rtt)? Then ask for them. */
bool		 watch_layout_fit_info(const struct ct_wfit *fit);

/*
 * The text of one row, of the column header line, or of the header line,
 * into buf (size bytes, NUL-terminated, cut when full). A row begins with
 * its mark: '+' new, '-' gone, '~' changed state, '!' a listener over half
 * full, else blank. The header line, for a sample at tm and ms
 * milliseconds past its second:
 *   10:00:01 every 1s filter :500  listen 1 estab 2 tw 0 other 0  +2.0/s -0.0/s
 * with the milliseconds, 10:00:01.250, unless interval_ms is whole
 * seconds. On a screen cols wide a long filter is cut, ending in "...",
 * so that the totals still fit. Each returns the length written.
 */
size_t		 watch_layout_line(const struct ct_wview *v, const struct ct_wrow *r,
		    const struct ct_wfit *fit, char *buf, size_t size);
size_t		 watch_layout_colhead(const struct ct_wfit *fit, char *buf,
		    size_t size);
size_t		 watch_layout_header(const struct ct_wview *v, const struct tm *tm,
		    unsigned ms, unsigned interval_ms, const char *filter_text,
		    size_t cols, char *buf, size_t size);

/*
 * The filter being edited on the status line of a screen cols wide,
 * "filter: TEXT", or when it does not fit with its cursor,
 * "filter: <" and the end of the text. Returns the cursor's column.
 */
size_t		 watch_layout_edit(const char *text, size_t cols, char *buf,
		    size_t size);

/*
 * The help (the ? key) in place of the body: the number of lines it takes
 * in rows lines, and line i of them, for a screen cols wide. A line cut at
 * the edge ends in '>'; when the help has more lines than rows, the last
 * one shown says so.
 */
size_t		 watch_layout_help_rows(size_t rows);
size_t		 watch_layout_help_line(size_t i, size_t rows, size_t cols,
		    char *buf, size_t size);

/* A byte rate in at most 5 characters: "999", "1.5K", "12K", "3.0M". */
size_t		 watch_layout_rate(uint64_t bps, char *buf);

/* ---- the cursor, the detail pane, kill, the closed pane ---------------- */

/* The socket a row shows, to find it again in the next sample's view. */
struct ct_wsel {
	struct ct_sock	 s;		/* its record: what tells it apart */
	bool		 valid;
};

/*
 * Make sel the socket of row i of v. False (and sel invalid) for a head,
 * which is no socket, or a row out of range.
 */
bool		 watch_layout_select(const struct ct_wview *v, size_t row,
		    struct ct_wsel *sel);
/*
 * The row of v that shows the socket sel (the same kernel socket, in the
 * same namespace: diff_same_sock()), or SIZE_MAX.
 */
size_t		 watch_layout_find(const struct ct_wview *v,
		    const struct ct_wsel *sel);
/*
 * The cursor's row delta socket rows on from row (heads are stepped
 * over), stopping at the first or last socket row; SIZE_MAX when v has
 * no socket row. A row out of range starts from the last one.
 */
size_t		 watch_layout_move(const struct ct_wview *v, size_t row,
		    long delta);

/* Lines of text for a pane, each NUL-terminated; free with ..._text_free(). */
struct ct_wtext {
	char		**line;
	size_t		 n, cap;
};
void		 watch_layout_text_free(struct ct_wtext *t);

/*
 * The detail pane (Enter) of record sock of v: a title, then every field
 * conntab knows of it, one "name  value" line each (the 5-tuple and
 * state, queues, uid and user, inode, cookie, the namespace and labels,
 * tcp_info figures, the view's rates), one line per owner (pid, fd,
 * name), and when it was first seen: at now_ms on the monotonic clock,
 * now on the wall clock, shown in local time. Values as the table shows
 * them, "-" when unknown. Appended to out.
 */
void		 watch_layout_detail(const struct ct_wview *v, uint32_t sock,
		    int64_t now_ms, const struct timespec *now, struct ct_wtext *out);

/*
 * The status line's question before K destroys record sock of v:
 *   kill tcp 127.0.0.1:800 <- 127.0.0.1:40112? y/n
 * "<-" for a connection accepted by a listener, "->" for one this host
 * made, the local end alone for one not connected. And what came of it
 * (rc: snap_destroy()'s), "killed tcp ..." or the reason it was not.
 */
size_t		 watch_layout_kill_prompt(const struct ct_wview *v, uint32_t sock,
		    char *buf, size_t size);
size_t		 watch_layout_kill_result(const struct ct_wview *v, uint32_t sock,
		    int rc, char *buf, size_t size);

/* The closed pane (c): the last CT_WCLOSED_MAX closes, newest first. */
#define CT_WCLOSED_MAX	100
struct ct_wclosed {
	struct tm	 tm;		/* local time of the report */
	unsigned	 ms;
	char		 proto[8];
	char		 local[CT_CELL_MAX], remote[CT_CELL_MAX];
	char		 owner[CT_CELL_MAX];	/* as last seen; "-" */
	char		 netns[CT_CELL_MAX];
	int64_t		 duration_ms;	/* -1: no sample saw it */
	bool		 bytes;		/* sent and recv are known */
	uint64_t	 sent, recv;
};
struct ct_wclosed_ring {
	struct ct_wclosed *v;		/* CT_WCLOSED_MAX of them, once used */
	size_t		 next, n;	/* where the next goes; how many there are */
	size_t		 total;		/* closes ever added */
};
/* Add close i of c (diff.h), reported at local time tm and ms. */
void		 watch_layout_closed_add(struct ct_wclosed_ring *r,
		    const struct ct_closes *c, size_t i, const struct tm *tm,
		    unsigned ms);
/* Release; NULL-safe, leaves it empty. */
void		 watch_layout_closed_free(struct ct_wclosed_ring *r);
/*
 * The pane: a title, a column header, then one line per close, newest
 * first: time, proto, local, remote, process (as last seen), duration
 * ("unsampled" for a socket no sample saw), bytes sent and received
 * (K, M, G: powers of 1024; "-" unknown), the namespace where the closes
 * come from several. Appended to out.
 */
void		 watch_layout_closed(const struct ct_wclosed_ring *r,
		    struct ct_wtext *out);

#endif /* CT_WATCH_LAYOUT_H */
