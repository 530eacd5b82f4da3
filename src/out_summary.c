/*
 * -s: the summary's three tables, each through the ordinary renderers with
 * its own columns, so every format spells the fields the same way.
 */
#include "out_summary.h"

#include "fields.h"
#include "group.h"
#include "opts.h"
#include "out.h"
#include "summary.h"

/* The section's columns; with --all-netns, the namespace first. */
static void
cols_set(struct ct_cols *c, const enum ct_field_id *ids, size_t n,
    bool netns)
{
	size_t i;

	c->n = 0;
	if (netns) {
		c->v[c->n].id = CT_F_NETNS;
		c->v[c->n++].prefix = -1;
	}
	for (i = 0; i < n; i++) {
		c->v[c->n].id = ids[i];
		c->v[c->n++].prefix = -1;
	}
}

int
out_summary_write(FILE *fp, const struct ct_snap *snap,
    const struct ct_summary *s, const struct ct_opts *o)
{
	static const enum ct_field_id totals[] = { CT_F_PROTO, CT_F_STATE,
	    CT_F_COUNT };
	static const enum ct_field_id listeners[] = { CT_F_PROTO, CT_F_LOCAL,
	    CT_F_RECVQ, CT_F_SENDQ, CT_F_COUNT, CT_F_CLIENTS, CT_F_HIGH,
	    CT_F_PROCESS };
	/*
	 * JSON has no "process" text to parse: the keys of -T's listener
	 * objects, and the owners as the listing has them. Owners last, so
	 * that -P drops them from the end in both.
	 */
	static const enum ct_field_id jlisteners[] = { CT_F_PROTO, CT_F_FAMILY,
	    CT_F_LADDR, CT_F_LPORT, CT_F_LOCAL, CT_F_RECVQ, CT_F_SENDQ,
	    CT_F_COUNT, CT_F_CLIENTS, CT_F_HIGH, CT_F_PID, CT_F_COMM,
	    CT_F_OWNERS };
	const bool json = o->format == CT_FMT_JSON;
	static const enum ct_field_id ports[] = { CT_F_PROTO, CT_F_LADDR,
	    CT_F_RADDR, CT_F_RPORT, CT_F_PORTS_USED, CT_F_PORTS_AVAIL,
	    CT_F_PORTS_PCT, CT_F_HIGH };
	const struct {
		const char		*name;
		const struct ct_table	*t;
		const enum ct_field_id	*ids;
		size_t			 n;
	} sec[] = {
		{ "totals", &s->totals, totals, sizeof(totals) / sizeof(totals[0]) },
		{ "listeners", &s->listeners, json ? jlisteners : listeners,
		    json ? sizeof(jlisteners) / sizeof(jlisteners[0]) -
		    (o->no_procs ? 3 : 0) : sizeof(listeners) /
		    sizeof(listeners[0]) - (o->no_procs ? 1 : 0) },
		{ "ports", &s->ports, ports, sizeof(ports) / sizeof(ports[0]) },
	};
	struct ct_opts so = *o;
	size_t i;

	so.cols_given = true;		/* JSON: exactly these keys */
	if (o->format == CT_FMT_JSON)
		putc_unlocked('{', fp);
	for (i = 0; i < sizeof(sec) / sizeof(sec[0]); i++) {
		/* totals are the host's; listeners and ports, a namespace's */
		cols_set(&so.cols, sec[i].ids, sec[i].n, o->all_netns && i > 0);
		/* destinations are keys: a v4-mapped one reads as IPv4 */
		if (sec[i].t == &s->ports)
			fields_cols_as_keys(&so.cols);
		switch (o->format) {
		case CT_FMT_JSON:
			fprintf(fp, "%s\"%s\":", i > 0 ? "," : "", sec[i].name);
			out_json_write(fp, snap, sec[i].t, &so);
			break;
		case CT_FMT_TABLE:
			if (i > 0)
				putc_unlocked('\n', fp);
			out_table_write(fp, snap, sec[i].t, &so);
			break;
		case CT_FMT_TSV:
		case CT_FMT_CSV:
			if (i > 0)
				fputs(o->format == CT_FMT_CSV ? "\r\n" : "\n", fp);
			out_sv_write(fp, snap, sec[i].t, &so);
			break;
		case CT_FMT_PROMETHEUS:
		case CT_FMT_OPENMETRICS:
			break;		/* out_prom.c has its own families */
		}
	}
	if (o->format == CT_FMT_JSON)
		fputs("}\n", fp);
	return 0;
}
