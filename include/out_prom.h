#ifndef CT_OUT_PROM_H
#define CT_OUT_PROM_H

#include <stdint.h>
#include <stdio.h>

struct ct_metrics;
struct ct_opts;
struct ct_snap;

/*
 * Counters a series of samples keeps (-w): what the kernel's destroy
 * events told since conntab started. The live loop fills them; a one-shot
 * has none.
 */
struct ct_prom_counters {
	uint64_t	 closed_tcp, closed_udp;	/* connections closed */
	uint64_t	 events_lost;			/* events the kernel dropped */
};

/* What only the caller knows of one export. */
struct ct_prom_meta {
	double		 collect_seconds;	/* the dumps and the owner lookup */
	const struct ct_prom_counters *counters;	/* NULL: none (one-shot) */
};

/*
 * The metric families of m (see conntab(1), PROMETHEUS METRICS) in the
 * text exposition format 0.0.4, or OpenMetrics 1.0 with
 * o->format == CT_FMT_OPENMETRICS: HELP and TYPE before each family, the
 * families contiguous, no timestamps. Label names are field names; label
 * values are the fields' text, escaped for the format. The listeners, the
 * destinations and the process names keep their o->series_max largest
 * series (0: all), the rest folded into one whose every label is "other".
 * A family without a series is left out. Write errors are left in fp.
 * Returns 0.
 */
int		 out_prom_write(FILE *fp, const struct ct_snap *snap,
		    const struct ct_metrics *m, const struct ct_prom_meta *meta,
		    const struct ct_opts *o);

#endif /* CT_OUT_PROM_H */
