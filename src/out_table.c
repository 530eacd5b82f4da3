/*
 * The aligned table. Widths come from a measuring pass that formats every
 * cell and keeps only its length; the writing pass formats it again into
 * 64 KiB chunks, one fwrite() each. At 200,000 rows that is cheaper
 * than keeping the text (an arena of 14 MiB, and its page faults) or
 * writing cell by cell through stdio.
 */
#include "out.h"

#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "group.h"
#include "opts.h"
#include "util.h"

/* Records are reached in sorted order, all over the array: fetch ahead. */
#define PREFETCH_AHEAD	16
/* A padded cell, its colour, its reset and the blank that follows it. */
#define COL_ROOM	(CT_CELL_MAX + 16)
/* What is written at once: main.c's stdout buffer is as large. */
#define OUT_CHUNK	(64 * 1024)

struct col {
	const struct ct_field *f;
	int		 prefix;
	size_t		 width;
	bool		 right;		/* numbers: padded on the left */
	bool		 last;		/* no padding after it */
	bool		 state;		/* coloured by its text */
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
prefetch_row(const struct ct_table *t, size_t i)
{
	const char *p;

	if (i + PREFETCH_AHEAD >= t->nrows)
		return;
	p = (const char *)t->rows[i + PREFETCH_AHEAD].first;
	__builtin_prefetch(p);
	__builtin_prefetch(p + 63);	/* a record straddles two lines */
}

/* Format one cell into buf; never an empty field, so that awk counts. */
static size_t
cell(const struct col *c, const struct ct_snap *snap, const struct ct_group *g,
    char *buf)
{
	bool is_null = false;
	size_t len = c->f->fmt(snap, g, c->prefix, buf, &is_null);

	if (len == 0) {
		buf[0] = '-';
		buf[1] = '\0';
		len = 1;
	}
	return len;
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
	struct col cols[CT_COLS_MAX];
	size_t n = o->cols.n, m, i, j, len;
	char buf[CT_CELL_MAX], *line, *p;

	for (j = 0; j < n; j++) {
		struct col *c = &cols[j];

		c->f = fields_get(o->cols.v[j].id);
		c->prefix = o->cols.v[j].prefix;
		c->width = o->no_header ? 0 : strlen(c->f->header);
		c->right = (c->f->flags & CT_FF_NUM) != 0;
		c->last = j + 1 == n;
		c->state = o->color && o->cols.v[j].id == CT_F_STATE;
	}
	/* a last column padded on the right is not padded at all */
	for (m = n; m > 0 && cols[m - 1].last && !cols[m - 1].right; m--)
		;
	for (i = 0; m > 0 && i < t->nrows; i++) {
		prefetch_row(t, i);
		for (j = 0; j < m; j++)
			if ((len = cell(&cols[j], snap, &t->rows[i], buf)) >
			    cols[j].width)
				cols[j].width = len;
	}
	/*
	 * Rows gather in a chunk as large as stdout's buffer, which stdio
	 * then writes without copying it. A header is no wider than a cell:
	 * COL_ROOM fits either.
	 */
	line = xmalloc(OUT_CHUNK + n * COL_ROOM + 2);
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
		prefetch_row(t, i);
		for (j = 0; j < n; j++) {
			len = cell(&cols[j], snap, &t->rows[i], buf);
			if (j > 0)
				*p++ = ' ';
			p = put_cell(p, &cols[j], buf, len,
			    cols[j].state ? state_color(buf) : NULL);
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
