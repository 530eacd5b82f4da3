/*
 * The aligned table. Widths come from a measuring pass that formats every
 * cell and keeps only its length; the writing pass formats it again into
 * 256 KiB chunks, one fwrite() each. At 200,000 rows that is cheaper
 * than keeping the text (an arena of 14 MiB, and its page faults) or
 * writing cell by cell through stdio.
 */
#include "out.h"

#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "group.h"
#include "opts.h"
#include "snap.h"
#include "util.h"

/* Records are reached in sorted order, all over the array: fetch ahead. */
#define PREFETCH_AHEAD	16
/* A padded cell, its colour, its reset and the blank that follows it. */
#define COL_ROOM	(CT_CELL_MAX + 16)
/*
 * Past the last cell's start: a formatter may use CT_CELL_MAX bytes, and
 * blanks and short texts are copied BLANKS bytes at a time.
 */
#define BLANKS		32
#define ROW_SLACK	(CT_CELL_MAX + BLANKS)
/*
 * What is written at once. glibc's fwrite() copies one buffer's worth
 * (main.c's stdout buffer: 64 KiB) and writes the rest straight from the
 * chunk, so a chunk of four buffers is copied a quarter, not whole.
 */
#define OUT_CHUNK	(256 * 1024)

struct col {
	const struct ct_field *f;
	int		 prefix;
	size_t		 width;
	bool		 right;		/* numbers: padded on the left */
	bool		 last;		/* no padding after it */
	bool		 state;		/* coloured by its text */
	bool		 in_place;	/* formatted straight into the line */
	struct ct_fmt_memo memo;	/* kept from row to row */
};

/* ANSI colours for the state column; chosen to read on dark and light. */
static const char *
state_color(const char *state)
{
	if (strcmp(state, "LISTEN") == 0 || strcmp(state, "UNCONN") == 0)
		return "\033[32m";		/* green: accepting */
	if (strcmp(state, "ESTABLISHED") == 0)
		return NULL;
	if (strncmp(state, "SYN", 3) == 0)
		return "\033[33m";		/* yellow: in progress */
	return "\033[2m";			/* dim: closing */
}

/*
 * always_inline: a function whose only effect is a prefetch counts as pure
 * to gcc's IPA, and a call to a pure void function is dropped.
 */
static inline __attribute__((always_inline)) void
prefetch_row(const struct ct_snap *snap, const struct ct_table *t, size_t i)
{
	const struct ct_sock *s;
	const char *p;

	if (i + PREFETCH_AHEAD >= t->nrows)
		return;
	s = group_table_first(snap, t, i + PREFETCH_AHEAD);
	p = (const char *)s;
	__builtin_prefetch(p);
	__builtin_prefetch(p + 63);	/* a record straddles two lines */
	/* with -i, its tcp_info figures beside it (see struct ct_socklist) */
	if (snap->socks.info != NULL)
		__builtin_prefetch(&snap->socks.info[s - snap->socks.v]);
}

/* Is the column as wide as the field's longest text can be? */
static bool
col_full(const struct col *c)
{
	return c->f->maxlen != 0 && c->width >= c->f->maxlen;
}

/*
 * Format one cell into buf (CT_CELL_MAX bytes); never an empty field, so
 * that awk counts.
 */
static size_t
cell(struct col *c, const struct ct_view *view, const struct ct_group *g,
    char *buf)
{
	bool is_null = false;
	size_t len = c->f->fmt(view, g, c->prefix, buf, &is_null, &c->memo);

	if (len == 0) {
		buf[0] = '-';
		buf[1] = '\0';
		len = 1;
	}
	return len;
}

/*
 * n blanks at p, with room for BLANKS past p: cells are padded by a few
 * blanks each, and a copy of constant size is cheaper than memset().
 */
static char *
put_blanks(char *p, size_t n)
{
	static const char blanks[BLANKS] = "                                ";

	if (n <= BLANKS)
		memcpy(p, blanks, BLANKS);
	else
		memset(p, ' ', n);
	return p + n;
}

/*
 * A number's text from buf at p. buf was written a moment ago digit by
 * digit, and a wide load of those bytes would wait for the narrow stores
 * to leave the store buffer (perf put a fifth of this file's time on
 * such a load): a short text is copied a byte at a time.
 */
static char *
put_text(char *p, const char *buf, size_t len)
{
	size_t i;

	if (len > 8) {
		memcpy(p, buf, len);
		return p + len;
	}
	for (i = 0; i < len; i++)
		p[i] = buf[i];
	return p + len;
}

/* Append s, padded to the column's width, to the line at p. */
static char *
put_cell(char *p, const struct col *c, const char *s, size_t len,
    const char *color)
{
	size_t pad = c->width > len ? c->width - len : 0;

	if (c->right) {
		memset(p, ' ', pad);
		p += pad;
	}
	if (color != NULL)
		p = stpcpy(p, color);
	memcpy(p, s, len);
	p += len;
	if (color != NULL)
		p = stpcpy(p, "\033[0m");
	if (!c->right && !c->last) {
		memset(p, ' ', pad);
		p += pad;
	}
	return p;
}

int
out_table_write(FILE *fp, const struct ct_snap *snap, const struct ct_table *t,
    const struct ct_opts *o)
{
	const struct ct_view view = snap_view(snap);
	struct col cols[CT_COLS_MAX];
	const struct ct_group *g;
	struct ct_group one;
	size_t n = o->cols.n, m, i, j, k, len, measure[CT_COLS_MAX];
	char buf[CT_CELL_MAX], *line, *p;

	for (j = 0; j < n; j++) {
		struct col *c = &cols[j];

		c->f = fields_get(o->cols.v[j].id);
		c->prefix = o->cols.v[j].prefix;
		c->width = o->no_header ? 0 : strlen(c->f->header);
		c->right = (c->f->flags & CT_FF_NUM) != 0;
		c->last = j + 1 == n;
		c->state = o->color && o->cols.v[j].id == CT_F_STATE;
		c->in_place = !c->right && !c->state;
		memset(&c->memo, 0, sizeof(c->memo));
	}
	/*
	 * The columns to measure: not a last one padded on the right (it is
	 * not padded at all), and not one as wide as its longest text.
	 */
	for (j = 0, m = 0; j < n; j++)
		if (!(cols[j].last && !cols[j].right) && !col_full(&cols[j]))
			measure[m++] = j;
	for (i = 0; m > 0 && i < t->nrows; i++) {
		prefetch_row(snap, t, i);
		g = group_table_row(snap, t, i, &one);
		for (k = 0; k < m; k++) {
			struct col *c = &cols[measure[k]];

			if ((len = cell(c, &view, g, buf)) <= c->width)
				continue;
			c->width = len;
			if (col_full(c))	/* wide enough: measured no more */
				measure[k--] = measure[--m];
		}
	}
	/*
	 * Rows gather in a chunk of OUT_CHUNK, which stdio then writes
	 * mostly without copying it. A header is no wider than a cell:
	 * COL_ROOM fits either.
	 */
	line = xmalloc(OUT_CHUNK + n * COL_ROOM + ROW_SLACK);
	p = line;
	if (!o->no_header) {
		for (j = 0; j < n; j++) {
			if (j > 0)
				*p++ = ' ';
			p = put_cell(p, &cols[j], cols[j].f->header,
			    strlen(cols[j].f->header), o->color ? "\033[1m" : NULL);
		}
		*p++ = '\n';
	}
	for (i = 0; i < t->nrows; i++) {
		prefetch_row(snap, t, i);
		g = group_table_row(snap, t, i, &one);
		for (j = 0; j < n; j++) {
			struct col *c = &cols[j];

			if (j > 0)
				*p++ = ' ';
			if (c->in_place) {
				/* left-aligned text needs no copy */
				len = cell(c, &view, g, p);
				p += len;
				if (!c->last)
					p = put_blanks(p, c->width - len);
			} else if (!c->state) {
				len = cell(c, &view, g, buf);
				p = put_blanks(p, c->width - len);
				p = put_text(p, buf, len);
			} else {
				len = cell(c, &view, g, buf);
				p = put_cell(p, c, buf, len, state_color(buf));
			}
		}
		*p++ = '\n';
		if ((size_t)(p - line) >= OUT_CHUNK) {
			fwrite(line, 1, (size_t)(p - line), fp);
			p = line;
		}
	}
	fwrite(line, 1, (size_t)(p - line), fp);
	free(line);
	return 0;
}
