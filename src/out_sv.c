/* tsv and csv (RFC 4180): the table's columns, unpadded. */
#include "out.h"

#include <string.h>

#include "fields.h"
#include "group.h"
#include "opts.h"
#include "snap.h"

/* RFC 4180: quote a field holding a comma, quote or line break. */
static void
put_csv(FILE *fp, const char *s, size_t len)
{
	size_t i;

	if (strcspn(s, ",\"\r\n") == len) {
		fwrite(s, 1, len, fp);
		return;
	}
	putc_unlocked('"', fp);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			putc_unlocked('"', fp);
		putc_unlocked(s[i], fp);
	}
	putc_unlocked('"', fp);
}

int
out_sv_write(FILE *fp, const struct ct_snap *snap, const struct ct_table *t,
    const struct ct_opts *o)
{
	const struct ct_view view = snap_view(snap);
	const struct ct_cols *c = &o->cols;
	bool csv = o->format == CT_FMT_CSV;
	const char *eol = csv ? "\r\n" : "\n";
	struct ct_fmt_memo memo[CT_COLS_MAX];
	struct ct_group one;
	char cell[CT_CELL_MAX];
	size_t i, j, len;

	if (!o->no_header) {
		for (j = 0; j < c->n; j++) {
			const char *h = fields_get(c->v[j].id)->header;

			if (j > 0)
				putc_unlocked(csv ? ',' : '\t', fp);
			fputs(h, fp);
		}
		fputs(eol, fp);
	}
	memset(memo, 0, sizeof(memo));
	for (i = 0; i < t->nrows; i++) {
		const struct ct_group *g = group_table_row(snap, t, i, &one);

		for (j = 0; j < c->n; j++) {
			bool is_null = false;

			len = fields_get(c->v[j].id)->fmt(&view, g,
			    c->v[j].prefix, cell, &is_null, &memo[j]);
			if (j > 0)
				putc_unlocked(csv ? ',' : '\t', fp);
			if (csv)
				put_csv(fp, cell, len);
			else
				fwrite(cell, 1, len, fp);
		}
		fputs(eol, fp);
	}
	return 0;
}
