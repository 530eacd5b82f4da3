/*
 * The aligned table. Widths come from a measuring pass, so every cell is
 * formatted once into an arena first and then written with its padding.
 */
#include "out.h"

#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "group.h"
#include "opts.h"
#include "util.h"

struct arena {
	char		*buf;
	size_t		 len, cap;
};

static char *
arena_reserve(struct arena *a, size_t n)
{
	if (a->len + n > a->cap) {
		a->cap = a->cap == 0 ? 1 << 16 : a->cap;
		while (a->len + n > a->cap)
			a->cap *= 2;
		a->buf = xreallocarray(a->buf, a->cap, 1);
	}
	return a->buf + a->len;
}

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

static void
put_padded(FILE *fp, const char *s, size_t len, size_t width, bool right,
    bool last, const char *color)
{
	size_t pad = width > len ? width - len : 0;

	if (right)
		for (; pad > 0; pad--)
			putc_unlocked(' ', fp);
	if (color != NULL)
		fputs(color, fp);
	fwrite(s, 1, len, fp);
	if (color != NULL)
		fputs("\033[0m", fp);
	if (!last)
		for (; pad > 0; pad--)
			putc_unlocked(' ', fp);
}

int
out_table_write(FILE *fp, const struct ct_snap *snap, const struct ct_table *t,
    const struct ct_opts *o)
{
	const struct ct_cols *c = &o->cols;
	size_t width[CT_COLS_MAX], i, j, len;
	struct arena a = { 0 };
	const char *p;

	for (j = 0; j < c->n; j++)
		width[j] = o->no_header ? 0 : strlen(fields_get(c->v[j].id)->header);
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < c->n; j++) {
			const struct ct_field *f = fields_get(c->v[j].id);
			char *cell = arena_reserve(&a, CT_CELL_MAX);
			bool is_null = false;

			len = f->fmt(snap, &t->rows[i], c->v[j].prefix, cell, &is_null);
			if (len == 0) {		/* never an empty field: awk counts */
				cell[0] = '-';
				cell[1] = '\0';
				len = 1;
			}
			a.len += len + 1;
			if (len > width[j])
				width[j] = len;
		}
	}
	if (!o->no_header) {
		for (j = 0; j < c->n; j++) {
			const struct ct_field *f = fields_get(c->v[j].id);

			if (j > 0)
				putc_unlocked(' ', fp);
			put_padded(fp, f->header, strlen(f->header), width[j],
			    (f->flags & CT_FF_NUM) != 0, j + 1 == c->n,
			    o->color ? "\033[1m" : NULL);
		}
		putc_unlocked('\n', fp);
	}
	for (p = a.buf, i = 0; i < t->nrows; i++) {
		for (j = 0; j < c->n; j++) {
			const struct ct_field *f = fields_get(c->v[j].id);
			const char *color = NULL;

			len = strlen(p);
			if (o->color && c->v[j].id == CT_F_STATE)
				color = state_color(p);
			if (j > 0)
				putc_unlocked(' ', fp);
			put_padded(fp, p, len, width[j], (f->flags & CT_FF_NUM) != 0,
			    j + 1 == c->n, color);
			p += len + 1;
		}
		putc_unlocked('\n', fp);
	}
	free(a.buf);
	return 0;
}
