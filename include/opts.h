#ifndef CT_OPTS_H
#define CT_OPTS_H

#include <stdbool.h>

#include "fields.h"

struct ct_filter;

enum ct_format { CT_FMT_TABLE, CT_FMT_TSV, CT_FMT_CSV, CT_FMT_JSON,
	CT_FMT_PROMETHEUS, CT_FMT_OPENMETRICS };	/* the last two: out_prom.c */

/* --max-series: the default cap on a family's label sets (out_prom.c) */
#define CT_SERIES_MAX_DEFAULT	100

/* opts.protos and opts.families */
#define CT_P_TCP	0x1
#define CT_P_UDP	0x2
#define CT_FAM_4	0x1
#define CT_FAM_6	0x2

/* opts.owners_src: CONNTAB_OWNERS, which owner back-end to use */
enum ct_owners_src {
	CT_OWNERS_AUTO,		/* the BPF iterator where it loads, else /proc */
	CT_OWNERS_PROC,		/* the /proc walk only */
	CT_OWNERS_BPF,		/* the BPF iterator, or fail */
};

/* opts.color_when: --color as given; the live view maps it itself */
enum ct_color_when { CT_COLOR_AUTO, CT_COLOR_ALWAYS, CT_COLOR_NEVER };

/* Everything the command line decided; built by main.c, then read-only. */
struct ct_opts {
	unsigned	 protos;	/* CT_P_* */
	unsigned	 families;	/* CT_FAM_* */
	bool		 listening;	/* -l */
	bool		 no_procs;	/* -P */
	bool		 extended;	/* -e */
	bool		 info;		/* -i */
	bool		 memory;	/* -m: the socket memory columns */
	bool		 reverse;	/* -r */
	bool		 no_header;	/* -H */
	bool		 color;		/* resolved --color: emit escapes */
	enum ct_color_when color_when;	/* --color as given (-w view) */
	bool		 tree;		/* -T */
	bool		 summary;	/* -s */
	bool		 watch;		/* -w */
	bool		 kill;		/* -K: destroy what the filter selects */
	bool		 no_pushdown;	/* CONNTAB_NO_PUSHDOWN: filter in user space only */
	enum ct_owners_src owners_src;	/* CONNTAB_OWNERS */
	enum ct_format	 format;
	struct ct_cols	 cols;		/* columns shown (table/tsv/csv) */
	bool		 cols_given;	/* -o: also restricts JSON keys */
	struct ct_cols	 sort;		/* --sort; empty = default order */
	struct ct_cols	 group;		/* -g; empty = no grouping */
	const char	*netns;		/* -N */
	bool		 all_netns;	/* --all-netns */
	unsigned	 interval_ms;	/* -d */
	const char	*filter_text;	/* joined filter words, for display */
	const struct ct_filter *filter;	/* NULL = everything */
	const char	*procroot;	/* "/proc" */
	const char	*output;	/* --output FILE; NULL = standard output */
	unsigned	 series_max;	/* --max-series; 0 = no cap */
};

#endif /* CT_OPTS_H */
