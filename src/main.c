/*
 * conntab: the command line. Options become a struct ct_opts, one mode is
 * chosen, and every error becomes a message and an exit status here:
 * 0 success, 1 runtime failure, 2 usage or filter error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "diag.h"
#include "fields.h"
#include "filter.h"
#include "group.h"
#include "group_tree.h"
#include "metrics.h"
#include "netns.h"
#include "nsset.h"
#include "nstab.h"
#include "opts.h"
#include "out.h"
#include "out_prom.h"
#include "out_summary.h"
#include "out_tree.h"
#include "output.h"
#include "snap.h"
#include "summary.h"
#include "util.h"
#include "watch.h"
#include "watch_layout.h"

#ifndef CONNTAB_VERSION
#define CONNTAB_VERSION "0.1.0"
#endif

enum { EXIT_USAGE = 2 };

enum {
	OPT_SORT = 256,
	OPT_FORMAT,
	OPT_COLOR,
	OPT_LIST,
	OPT_OUTPUT,
	OPT_MAX_SERIES,
	OPT_ALL_NETNS,
};

/* The short options, read by getopt_long() and listed by --list options. */
static const char shortopts[] = ":46A:ad:eF:f:g:HhiJKlmN:no:PprsTtuVw";

/* Bytes of a -F filter file read at most: a filter, not a data set. */
#define FILTER_FILE_MAX	(1 << 20)

static const struct option longopts[] = {
	{ "no-processes", no_argument, NULL, 'P' },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "no-header", no_argument, NULL, 'H' },
	{ "tree", no_argument, NULL, 'T' },
	{ "summary", no_argument, NULL, 's' },
	{ "netns", required_argument, NULL, 'N' },
	{ "all-netns", no_argument, NULL, OPT_ALL_NETNS },
	{ "watch", no_argument, NULL, 'w' },
	{ "kill", no_argument, NULL, 'K' },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "colour", optional_argument, NULL, OPT_COLOR },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "max-series", required_argument, NULL, OPT_MAX_SERIES },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "list", required_argument, NULL, OPT_LIST },
	/* ss's long options that mean what they mean there */
	{ "filter", required_argument, NULL, 'F' },
	{ "family", required_argument, NULL, 'f' },
	{ "query", required_argument, NULL, 'A' },
	{ "socket", required_argument, NULL, 'A' },
	{ "memory", no_argument, NULL, 'm' },
	{ "tcp", no_argument, NULL, 't' },
	{ "udp", no_argument, NULL, 'u' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "listening", no_argument, NULL, 'l' },
	{ "all", no_argument, NULL, 'a' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "processes", no_argument, NULL, 'p' },
	{ "extended", no_argument, NULL, 'e' },
	{ "info", no_argument, NULL, 'i' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *fp)
{
	fputs(
"usage: conntab [-46aeHhiKlmnPprsTtuVJw] [-A query] [-d secs] [-F file]\n"
"               [-f family] [-g list] [-N netns] [--all-netns] [-o list]\n"
"               [--sort list] [--format fmt] [--output file] [--max-series n]\n"
"               [--color[=always|auto|never]] [filter]\n"
"\n"
"  -t, -u            TCP only, UDP only (default both)\n"
"  -4, -6            IPv4 only, IPv6 only (default both)\n"
"  -f FAMILY         as ss: inet (-4) or inet6 (-6)\n"
"  -A QUERY          as ss: tables tcp, udp, inet, all, inet6 (comma-separated)\n"
"  -l                listening sockets only (TCP LISTEN, UDP UNCONN)\n"
"  -a, -n, -p        accepted for ss/netstat habits; already the default\n"
"  -P, --no-processes  skip the owner lookup (fastest)\n"
"  -e                add uid, user and inode\n"
"  -i                add TCP internals: rtt, rttvar, cwnd, retrans, bytes\n"
"  -m                add socket memory, as ss -m: rmem_alloc ... drops\n"
"  -o LIST           show exactly these fields, comma-separated\n"
"  -g LIST           count sockets grouped by these fields (raddr/24 too)\n"
"  -T, --tree        each listener with the connections it accepted\n"
"  -s, --summary     totals, listeners, ephemeral ports per destination\n"
"  --sort LIST, -r   sort by these fields; reverse the order\n"
"  --format FMT, -J  table (default), tsv, csv, json (-J); prometheus and\n"
"                    openmetrics: metrics for node_exporter's textfile dir\n"
"  --output FILE     write FILE atomically (temporary file, then rename);\n"
"                    -w with prometheus: rewrite it every interval\n"
"  --max-series N    prometheus: keep the N largest listeners, destinations\n"
"                    and process names, the rest as 'other' (default 100)\n"
"  -H, --no-header   no header line\n"
"  -w, --watch       live view; an event stream when stdout is no terminal\n"
"  -d SECS           -w: seconds between samples (default 1, fractions too)\n"
"  -K, --kill        destroy the sockets the filter selects (one is needed)\n"
"                    and print them; 0 only if all were, 3 if none matched\n"
"  -N, --netns NS    look inside a network namespace: name, path or pid\n"
"  --all-netns       every network namespace of the host at once (root)\n"
"  -F FILE           read the filter from FILE (- for stdin), as ss -F\n"
"  --color[=WHEN]    always (bare --color), never, or auto: only on a\n"
"                    terminal and without NO_COLOR (the default)\n"
"  -h, --help        this help\n"
"  -V, --version     the version\n"
"  --list WHAT       one a line: fields, keywords, states, formats, options\n"
"  ss's long options: --tcp --udp --ipv4 --ipv6 --listening --all --numeric\n"
"  --processes --extended --info --memory --family --query --socket --filter\n"
"\n"
"filter: ':500', '127.0.0.1', 'dport >= 1024', 'state established',\n"
"        'dst 10.0.0.0/8', 'comm nginx', 'dev lo', 'fwmark 0x1/0xff',\n"
"        'cgroup /system.slice', 'autobound', 'exclude listening',\n"
"        'netns web1', 'container docker:*', 'pod PATTERN', 'unit x.service',\n"
"        with and, or, not and ( ); or mixed with and needs parentheses\n"
"fields: proto family state laddr lport raddr rport local remote recvq\n"
"        sendq uid user inode v6only pid comm owners process listener dev\n"
"        fwmark cgroup count; --all-netns: netns netns_ino container pod\n"
"        unit; -i: rtt rttvar cwnd retrans bytes_sent bytes_recv rate_in\n"
"        rate_out; ss -i: cong mss pmtu min_rtt rto ato lost sacked\n"
"        unacked reordering retrans_out delivery_rate pacing_rate rcv_space\n"
"        busy rwnd_limited sndbuf_limited app_limited; ss -o: timer\n"
"        expires timer_retrans; -m: rmem_alloc rcvbuf wmem_alloc sndbuf\n"
"        fwd_alloc wmem_queued optmem backlog drops; -T and -s: clients\n"
"        ports_used ports_avail ports_pct high\n"
"See conntab(1), and its section for ss and netstat users.\n", fp);
}

/* A usage error: one line on stderr, exit 2. */
static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("conntab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see conntab --help)\n", stderr);
	exit(EXIT_USAGE);
}

/* Untrusted text for a message: escaped, and cut to a sane length. */
static const char *
esc(const char *s, char *buf, size_t len)
{
	util_escape(s, strnlen(s, 256), buf, len);
	return buf;
}

static void
parse_cols(const char *opt, const char *arg, bool allow_prefix,
    struct ct_cols *out)
{
	char word[CT_ESCAPE_MAX(64)], what[CT_ESCAPE_MAX(64)];
	const char *bad, *hint;
	size_t badlen;
	int rc;

	if ((rc = fields_parse_list(arg, allow_prefix, out, &bad, &badlen)) == 0)
		return;
	util_escape(bad, badlen < 64 ? badlen : 64, word, sizeof(word));
	if (rc == -E2BIG)
		usage_error("%s: too many fields (at most %d)", opt, CT_COLS_MAX);
	if (rc == -ERANGE)
		usage_error("%s: bad prefix in '%s' (an address field and 0-128)",
		    opt, word);
	if (badlen == 0)
		usage_error("%s: empty field name in '%s'", opt,
		    esc(arg, what, sizeof(what)));
	if ((hint = fields_suggest(bad, badlen)) != NULL)
		usage_error("%s: unknown field '%s' (did you mean '%s'?)", opt,
		    word, hint);
	usage_error("%s: unknown field '%s'", opt, word);
}

/* A -g key must have an order: owners, rates and the figures have none. */
static void
check_group_keys(const struct ct_opts *o)
{
	size_t i;

	for (i = 0; i < o->group.n; i++)
		if (fields_get(o->group.v[i].id)->cmp == NULL)
			usage_error("-g: cannot group by '%s'",
			    fields_get(o->group.v[i].id)->name);
}

/*
 * With -g, --sort orders the groups: by a key field, or by a figure the
 * group sums (count, recvq, sendq, bytes_sent, bytes_recv).
 */
static void
check_group_sort(const struct ct_opts *o)
{
	size_t i, j;

	for (i = 0; i < o->sort.n; i++) {
		enum ct_field_id id = o->sort.v[i].id;
		bool ok = id == CT_F_COUNT || id == CT_F_RECVQ ||
		    id == CT_F_SENDQ || id == CT_F_BYTES_SENT ||
		    id == CT_F_BYTES_RECV;

		for (j = 0; !ok && j < o->group.n; j++)
			ok = o->group.v[j].id == id;
		if (!ok)
			usage_error("--sort: with -g, '%s' is neither a group key "
			    "nor count, recvq, sendq, bytes_sent, bytes_recv",
			    fields_get(id)->name);
	}
}

/*
 * With -g, a sort key that is a group key sorts as the key reads: by the
 * network of -g raddr/24, v4-mapped addresses folded.
 */
static void
sort_as_group_keys(struct ct_opts *o)
{
	size_t i, j;

	for (i = 0; i < o->sort.n; i++)
		for (j = 0; j < o->group.n; j++)
			if (o->sort.v[i].id == o->group.v[j].id) {
				o->sort.v[i].prefix = o->group.v[j].prefix;
				break;
			}
}

static void
add_col(struct ct_cols *c, enum ct_field_id id)
{
	if (c->n < CT_COLS_MAX) {
		c->v[c->n].id = id;
		c->v[c->n++].prefix = -1;
	}
}

/* -m: ss's skmem figures, in its order. */
static void
add_memory_cols(struct ct_cols *c)
{
	enum ct_field_id id;

	for (id = CT_F_RMEM_ALLOC; id <= CT_F_DROPS; id++)
		add_col(c, id);
}

/* -f FAMILY, as ss takes it: the families conntab shows. */
static void
parse_family(const char *arg, struct ct_opts *o)
{
	static const char *const others[] = { "unix", "link", "netlink",
	    "tipc", "vsock", "xdp", NULL };
	char buf[CT_ESCAPE_MAX(64)];
	size_t i;

	if (strcmp(arg, "inet") == 0) {
		o->families |= CT_FAM_4;
		return;
	}
	if (strcmp(arg, "inet6") == 0) {
		o->families |= CT_FAM_6;
		return;
	}
	for (i = 0; others[i] != NULL; i++)
		if (strcmp(arg, others[i]) == 0)
			usage_error("-f: conntab shows inet and inet6 sockets, not "
			    "%s", others[i]);
	usage_error("-f: unknown family '%s' (inet or inet6)",
	    esc(arg, buf, sizeof(buf)));
}

/*
 * -A QUERY, as ss takes it: comma-separated tables, '!' in front to take
 * one out. inet and all are TCP and UDP here; inet6 (no ss table) is inet
 * with -6. Returns the protocols (CT_P_*) asked for.
 */
static unsigned
parse_query(const char *arg, unsigned protos, struct ct_opts *o)
{
	static const char *const others[] = { "raw", "dccp", "sctp", "mptcp",
	    "unix", "unix_stream", "u_str", "unix_dgram", "u_dgr",
	    "unix_seqpacket", "u_seq", "packet", "packet_raw", "p_raw",
	    "packet_dgram", "p_dgr", "netlink", "tipc", "vsock",
	    "vsock_stream", "v_str", "vsock_dgram", "v_dgr", "xdp", NULL };
	char word[64], buf[CT_ESCAPE_MAX(64)];
	const char *p = arg;
	size_t len, i;

	for (;;) {
		bool off = *p == '!';
		unsigned set = 0;

		len = strcspn(p + off, ",");
		if (len >= sizeof(word))
			len = sizeof(word) - 1;
		memcpy(word, p + off, len);
		word[len] = '\0';
		if (strcmp(word, "tcp") == 0)
			set = CT_P_TCP;
		else if (strcmp(word, "udp") == 0)
			set = CT_P_UDP;
		else if (strcmp(word, "inet") == 0 || strcmp(word, "all") == 0)
			set = CT_P_TCP | CT_P_UDP;
		else if (strcmp(word, "inet6") == 0) {
			set = CT_P_TCP | CT_P_UDP;
			if (!off)
				o->families |= CT_FAM_6;
		}
		for (i = 0; set == 0 && others[i] != NULL; i++)
			if (strcmp(word, others[i]) == 0)
				usage_error("-A: conntab shows the tcp and udp "
				    "tables, not %s", others[i]);
		if (set == 0) {
			util_escape(word, strlen(word), buf, sizeof(buf));
			usage_error("-A: unknown socket table '%s' (tcp, udp, "
			    "inet, inet6, all)", buf);
		}
		protos = off ? protos & ~set : protos | set;
		p += off + strcspn(p + off, ",");
		if (*p == '\0')
			break;
		p++;
	}
	if (protos == 0)
		usage_error("-A: '%s' leaves no table to show",
		    esc(arg, buf, sizeof(buf)));
	return protos;
}

/* The columns of SPEC §6 unless -o chose them. */
static void
default_cols(struct ct_opts *o)
{
	struct ct_cols *c = &o->cols;
	size_t i;

	c->n = 0;
	if (o->group.n > 0) {
		for (i = 0; i < o->group.n; i++)
			c->v[c->n++] = o->group.v[i];
		add_col(c, CT_F_COUNT);
		add_col(c, CT_F_RECVQ);
		add_col(c, CT_F_SENDQ);
		if (o->info) {
			add_col(c, CT_F_BYTES_SENT);
			add_col(c, CT_F_BYTES_RECV);
		}
		return;
	}
	add_col(c, CT_F_PROTO);
	add_col(c, CT_F_STATE);
	add_col(c, CT_F_RECVQ);
	add_col(c, CT_F_SENDQ);
	add_col(c, CT_F_LOCAL);
	add_col(c, CT_F_REMOTE);
	if (o->extended) {
		add_col(c, CT_F_UID);
		add_col(c, CT_F_USER);
		add_col(c, CT_F_INODE);
	}
	if (o->info) {
		add_col(c, CT_F_RTT);
		add_col(c, CT_F_RTTVAR);
		add_col(c, CT_F_CWND);
		add_col(c, CT_F_RETRANS);
		add_col(c, CT_F_BYTES_SENT);
		add_col(c, CT_F_BYTES_RECV);
	}
	if (o->memory)
		add_memory_cols(c);
	if (!o->no_procs)
		add_col(c, CT_F_PROCESS);
	if (o->all_netns) {
		/* the namespace first: rows come namespace by namespace */
		memmove(&c->v[1], &c->v[0], (c->n < CT_COLS_MAX ? c->n :
		    CT_COLS_MAX - 1) * sizeof(c->v[0]));
		c->v[0].id = CT_F_NETNS;
		c->v[0].prefix = -1;
		if (c->n < CT_COLS_MAX)
			c->n++;
	}
}

static bool
want_color(const char *when)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (strcmp(when, "auto") == 0)
		return isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0') &&
		    term != NULL && strcmp(term, "dumb") != 0;
	if (strcmp(when, "always") == 0 || strcmp(when, "yes") == 0)
		return true;
	if (strcmp(when, "never") == 0 || strcmp(when, "no") == 0)
		return false;
	{
		char buf[CT_ESCAPE_MAX(64)];

		usage_error("--color: expected auto, always or never, not '%s'",
		    esc(when, buf, sizeof(buf)));
	}
}

/* -d SECS: seconds between samples, fractions allowed, 0.01 to a day. */
static unsigned
parse_interval(const char *arg)
{
	char buf[CT_ESCAPE_MAX(64)], *end;
	double secs;

	errno = 0;
	secs = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(secs) ||
	    secs < 0.01 || secs > 86400)
		usage_error("-d: expected seconds from 0.01 to 86400, not '%s'",
		    esc(arg, buf, sizeof(buf)));
	return (unsigned)(secs * 1000 + 0.5);
}

/*
 * -w has its own layout (the g key) and writes events where there is no
 * terminal: -T, -s and -g do not apply, and events are text or JSON.
 * --sort picks the view's first sort key, one of those the s key offers.
 */
static void
check_watch(const struct ct_opts *o, const char *group, const char *interval)
{
	if (!o->watch) {
		if (interval != NULL)
			usage_error("-d sets the interval of -w: add -w");
		return;
	}
	if (group != NULL || o->tree || o->summary)
		usage_error("-w has its own layout (key g): -g, -T and -s do "
		    "not apply");
	if (o->format == CT_FMT_TSV || o->format == CT_FMT_CSV)
		usage_error("-w writes events as text or json, not %s",
		    o->format == CT_FMT_TSV ? "tsv" : "csv");
	if (o->sort.n > 0 && watch_layout_sort_lookup(o->sort.v[0].id) < 0)
		usage_error("--sort with -w: one of state, remote, process, "
		    "recvq, sendq, rate_in, rate_out, rtt");
}

static bool
is_prom(const struct ct_opts *o)
{
	return o->format == CT_FMT_PROMETHEUS || o->format == CT_FMT_OPENMETRICS;
}

/*
 * -K destroys what the filter selects and prints those rows. Without a
 * filter ss -K kills every socket of the host; here that is refused
 * (exit 2) before anything is touched. The other views do not apply.
 */
static void
check_kill(const struct ct_opts *o, const char *group, bool has_filter)
{
	if (!o->kill)
		return;
	if (o->watch || o->tree || o->summary || group != NULL || is_prom(o))
		usage_error("-K prints the sockets it destroyed as rows: -w, -T, "
		    "-s, -g and the metric formats do not apply");
	if (!has_filter)
		usage_error("-K destroys the sockets a filter selects: give one "
		    "(conntab -K dport = 8080); there is no kill-everything "
		    "default");
}

/* --max-series N: 0 (no cap) to a million. */
static unsigned
parse_series_max(const char *arg)
{
	char buf[CT_ESCAPE_MAX(64)], *end;
	unsigned long n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || arg[0] == '-' ||
	    n > 1000000)
		usage_error("--max-series: expected a count from 0 (no cap) to "
		    "1000000, not '%s'", esc(arg, buf, sizeof(buf)));
	return (unsigned)n;
}

/*
 * The metric formats export fixed families: the columns, the sort and
 * the other views do not apply (-s does: the metrics hold the summary).
 * -w rewrites a file with the metrics, and only with them: the view and
 * the event stream have no file form.
 */
static void
check_export(const struct ct_opts *o, const char *group, const char *cols,
    const char *sort, bool series_given)
{
	const char *fmt = o->format == CT_FMT_OPENMETRICS ? "openmetrics" :
	    "prometheus";

	if (!is_prom(o)) {
		if (series_given)
			usage_error("--max-series caps the metric formats: add "
			    "--format prometheus or openmetrics");
		if (o->watch && o->output != NULL)
			usage_error("-w --output rewrites the file with metrics: add "
			    "--format prometheus or openmetrics");
		return;
	}
	if (group != NULL || o->tree || cols != NULL || sort != NULL)
		usage_error("--format %s exports fixed families: -g, -T, -o and "
		    "--sort do not apply", fmt);
	if (o->watch && o->output == NULL)
		usage_error("-w --format %s rewrites a file every interval: add "
		    "--output FILE", fmt);
}

/* Flush stdout; a reader that went away (EPIPE) is a normal end. */
static int
finish_output(void)
{
	int rc = 0;

	if (fflush(stdout) != 0 || ferror(stdout))
		rc = errno;
	if (rc == EPIPE)
		return 0;
	if (rc != 0) {
		fprintf(stderr, "conntab: write error: %s\n", strerror(rc));
		return 1;
	}
	return 0;
}

/* --format's words: parsed here and listed by --list formats. */
static const struct {
	const char	*name;
	enum ct_format	 format;
} formats[] = {
	{ "table", CT_FMT_TABLE },
	{ "tsv", CT_FMT_TSV },
	{ "csv", CT_FMT_CSV },
	{ "json", CT_FMT_JSON },
	{ "prometheus", CT_FMT_PROMETHEUS },
	{ "openmetrics", CT_FMT_OPENMETRICS },
};

static int
format_lookup(const char *name, enum ct_format *out)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(name, formats[i].name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * --list options: every option, one a line, with what it takes (none,
 * required, optional) and, for a long option that is another spelling of
 * one before it, that one (--netns: -N), read from the tables
 * getopt_long() reads.
 */
static void
list_options(void)
{
	static const char *const takes[] = { "none", "required", "optional" };
	const char *p = shortopts;
	size_t i, j;

	if (*p == ':')
		p++;
	for (; *p != '\0'; p++) {
		char c = *p;
		int arg = 0;

		while (p[1] == ':' && arg < 2) {
			arg++;
			p++;
		}
		printf("-%c\t%s\n", c, takes[arg]);
	}
	for (i = 0; longopts[i].name != NULL; i++) {
		int val = longopts[i].val;

		printf("--%s\t%s", longopts[i].name, takes[longopts[i].has_arg]);
		if (val > 0 && val < 128 && val != ':' &&
		    strchr(shortopts, val) != NULL) {
			printf("\t-%c", val);
		} else {
			for (j = 0; j < i && longopts[j].val != val; j++)
				continue;
			if (j < i)
				printf("\t--%s", longopts[j].name);
		}
		putchar('\n');
	}
}

/*
 * --list WHAT: the program's own vocabulary, one word a line, so that the
 * shell completions (completion/) and scripts cannot drift from it.
 */
static void
list_words(const char *what)
{
	enum ct_filter_arg arg;
	const char *w;
	char buf[CT_ESCAPE_MAX(64)];
	size_t i;

	if (strcmp(what, "fields") == 0) {
		for (i = 0; i < CT_F_NFIELDS; i++)
			puts(fields_get((enum ct_field_id)i)->name);
	} else if (strcmp(what, "keywords") == 0) {
		static const char *const takes[] = {
			[CT_FARG_NONE] = "none", [CT_FARG_VALUE] = "value",
			[CT_FARG_STATE] = "state",
		};

		for (i = 0; (w = filter_keyword(i, &arg)) != NULL; i++)
			printf("%s\t%s\n", w, takes[arg]);
	} else if (strcmp(what, "states") == 0) {
		for (i = 0; (w = filter_state(i)) != NULL; i++)
			puts(w);
	} else if (strcmp(what, "formats") == 0) {
		for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
			puts(formats[i].name);
	} else if (strcmp(what, "options") == 0) {
		list_options();
	} else {
		usage_error("--list: expected fields, keywords, states, formats "
		    "or options, not '%s'", esc(what, buf, sizeof(buf)));
	}
}

/*
 * An error in the long option arg ("--tree=x", "--bogus", "--no"), named
 * as typed: getopt_long() reports the first by the option's letter
 * (optopt 'T'), which the user never wrote, and the others alike.
 */
static void __attribute__((noreturn))
long_option_error(const char *arg)
{
	char name[CT_ESCAPE_MAX(64)], list[128];
	size_t len = strcspn(arg + 2, "="), i, j, n = 0;

	util_escape(arg, 2 + (len < 62 ? len : 62), name, sizeof(name));
	if (optopt != 0)
		usage_error("option '%s' takes no argument", name);
	/* a prefix of several options is ambiguous, unless they are one */
	list[0] = '\0';
	for (i = 0; len > 0 && longopts[i].name != NULL; i++) {
		if (strncmp(longopts[i].name, arg + 2, len) != 0)
			continue;
		for (j = 0; j < i; j++)
			if (longopts[j].val == longopts[i].val &&
			    strncmp(longopts[j].name, arg + 2, len) == 0)
				break;
		if (j < i)
			continue;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s--%s", n++ > 0 ? ", " : "", longopts[i].name);
	}
	if (n > 1)
		usage_error("option '%s' is ambiguous: %s", name, list);
	usage_error("unknown option '%s'", name);
}

/* CONNTAB_OWNERS: unset, empty or auto, proc, bpf; else a usage error. */
static enum ct_owners_src
parse_owners_src(const char *v)
{
	char buf[CT_ESCAPE_MAX(64)];

	if (v == NULL || v[0] == '\0' || strcmp(v, "auto") == 0)
		return CT_OWNERS_AUTO;
	if (strcmp(v, "proc") == 0)
		return CT_OWNERS_PROC;
	if (strcmp(v, "bpf") == 0)
		return CT_OWNERS_BPF;
	usage_error("CONNTAB_OWNERS: expected auto, proc or bpf, not '%s'",
	    esc(v, buf, sizeof(buf)));
}

static void
parse_args(int argc, char *argv[], struct ct_opts *o, const char **ffile)
{
	const char *color = "auto", *sort = NULL, *group = NULL, *cols = NULL;
	const char *interval = NULL, *series = NULL;
	unsigned query = 0;
	const char *pd = getenv("CONNTAB_NO_PUSHDOWN");
	char buf[CT_ESCAPE_MAX(64)];
	int ch, at;

	memset(o, 0, sizeof(*o));
	o->protos = 0;
	o->families = 0;
	o->interval_ms = 1000;
	o->procroot = "/proc";
	o->series_max = CT_SERIES_MAX_DEFAULT;
	o->no_pushdown = pd != NULL && pd[0] != '\0' && strcmp(pd, "0") != 0;
	o->owners_src = parse_owners_src(getenv("CONNTAB_OWNERS"));
	opterr = 0;
	*ffile = NULL;
	/* at: where this option starts, to tell a long one's error apart */
	while ((at = optind, ch = getopt_long(argc, argv, shortopts, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 't': o->protos |= CT_P_TCP; break;
		case 'u': o->protos |= CT_P_UDP; break;
		case '4': o->families |= CT_FAM_4; break;
		case '6': o->families |= CT_FAM_6; break;
		case 'l': o->listening = true; break;
		case 'a': case 'n': case 'p': break;	/* already the default */
		case 'P': o->no_procs = true; break;
		case 'e': o->extended = true; break;
		case 'i': o->info = true; break;
		case 'm': o->memory = true; break;
		case 'f': parse_family(optarg, o); break;
		case 'A': query = parse_query(optarg, query, o); break;
		case 'F':
			if (*ffile != NULL)
				usage_error("-F: one filter file at most");
			*ffile = optarg;
			break;
		case 'r': o->reverse = true; break;
		case 'H': o->no_header = true; break;
		case 'T': o->tree = true; break;
		case 's': o->summary = true; break;
		case 'w': o->watch = true; break;
		case 'K': o->kill = true; break;
		case 'd': interval = optarg; break;
		case 'J': o->format = CT_FMT_JSON; break;
		case 'o': cols = optarg; break;
		case 'g': group = optarg; break;
		case 'N': o->netns = optarg; break;
		case OPT_ALL_NETNS: o->all_netns = true; break;
		case OPT_SORT: sort = optarg; break;
		/* bare --color is always, as ls reads it; auto is the default */
		case OPT_COLOR: color = optarg != NULL ? optarg : "always"; break;
		case OPT_MAX_SERIES: series = optarg; break;
		case OPT_OUTPUT:	/* "-": standard output, as without it */
			o->output = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case OPT_FORMAT:
			if (format_lookup(optarg, &o->format) != 0)
				usage_error("--format: expected table, tsv, csv, json, "
				    "prometheus or openmetrics, not '%s'",
				    esc(optarg, buf, sizeof(buf)));
			break;
		case OPT_LIST:
			list_words(optarg);
			exit(finish_output());
		case 'h':
			usage(stdout);
			exit(finish_output());
		case 'V':
			printf("conntab %s\n", CONNTAB_VERSION);
			exit(finish_output());
		case ':':
			/* a long option's optopt is its code, not a letter */
			if (strncmp(argv[optind - 1], "--", 2) != 0 &&
			    optopt > 0 && optopt < 128)
				usage_error("option '-%c' needs an argument", optopt);
			usage_error("option '%s' needs an argument",
			    esc(argv[optind - 1], buf, sizeof(buf)));
		default:
			/*
			 * A long option is the word just passed; a short one in
			 * a cluster leaves optind on its word (-Zt), whose
			 * predecessor may be a long option that was fine.
			 */
			if (optind - 1 >= at &&
			    strncmp(argv[optind - 1], "--", 2) == 0)
				long_option_error(argv[optind - 1]);
			if (optopt != 0 && optopt != '?')
				usage_error("unknown option '-%s'",
				    esc((char[]){ (char)optopt, '\0' }, buf, sizeof(buf)));
			usage_error("unknown option '%s'",
			    esc(argv[optind - 1], buf, sizeof(buf)));
		}
	}
	o->protos |= query;		/* as ss: -A adds to -t and -u */
	if (o->protos == 0)
		o->protos = CT_P_TCP | CT_P_UDP;
	if (o->families == 0)
		o->families = CT_FAM_4 | CT_FAM_6;
	if (interval != NULL)
		o->interval_ms = parse_interval(interval);
	if ((group != NULL) + o->tree + o->summary > 1)
		usage_error("-g, -T and -s are different views: pick one");
	if (o->all_netns && o->netns != NULL)
		usage_error("-N looks inside one namespace, --all-netns inside "
		    "all of them: pick one");
	if (group != NULL) {
		parse_cols("-g", group, true, &o->group);
		check_group_keys(o);
		fields_cols_as_keys(&o->group);	/* v4-mapped folds to IPv4 */
	}
	if (sort != NULL) {
		parse_cols("--sort", sort, false, &o->sort);
		if (o->group.n > 0) {
			check_group_sort(o);
			sort_as_group_keys(o);
		}
	}
	if (series != NULL)
		o->series_max = parse_series_max(series);
	check_export(o, group, cols, sort, series != NULL);
	check_watch(o, group, interval);
	check_kill(o, group, optind < argc);
	/* the summary's tables have their own columns, which read owners */
	if (o->summary && (cols != NULL || sort != NULL))
		usage_error("-s prints tables of its own: -o and --sort do not "
		    "apply");
	/* the metrics hold the summary, and need what it needs: listener links */
	if (is_prom(o))
		o->summary = true;
	if (cols != NULL) {
		parse_cols("-o", cols, true, &o->cols);
		o->cols_given = true;
	} else {
		default_cols(o);
	}
	o->color = want_color(color) && o->format == CT_FMT_TABLE;
	/* want_color() took only these, so the rest is never/no */
	if (strcmp(color, "auto") == 0)
		o->color_when = CT_COLOR_AUTO;
	else if (strcmp(color, "always") == 0 || strcmp(color, "yes") == 0)
		o->color_when = CT_COLOR_ALWAYS;
	else
		o->color_when = CT_COLOR_NEVER;
	/* a file is no terminal, whatever standard output is */
	if (o->output != NULL && o->color_when == CT_COLOR_AUTO)
		o->color = false;
}

/*
 * -F FILE: the filter's words from a file ("-": standard input), after
 * those on the command line, as ss reads them: lines joined by blanks, a
 * line starting with '#' a comment. Returns a string to free, or exits.
 */
static char *
read_filter_file(const char *path)
{
	char buf[CT_ESCAPE_MAX(256)], *line = NULL, *text;
	size_t cap = 0, len = 0;
	ssize_t n;
	FILE *fp;

	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (fp == NULL) {
		fprintf(stderr, "conntab: -F: %s: %s\n",
		    esc(path, buf, sizeof(buf)), strerror(errno));
		exit(EXIT_USAGE);
	}
	text = xcalloc(1, 1);
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[0] == '#')
			continue;
		if (len + (size_t)n + 2 > FILTER_FILE_MAX) {
			fprintf(stderr, "conntab: -F: %s: more than %d bytes\n",
			    esc(path, buf, sizeof(buf)), FILTER_FILE_MAX);
			exit(EXIT_USAGE);
		}
		line[strcspn(line, "\n")] = '\0';
		text = xreallocarray(text, len + (size_t)n + 2, 1);
		if (len > 0)
			text[len++] = ' ';
		memcpy(text + len, line, strlen(line) + 1);
		len += strlen(line);
	}
	if (ferror(fp)) {
		fprintf(stderr, "conntab: -F: %s: %s\n",
		    esc(path, buf, sizeof(buf)), strerror(errno));
		exit(EXIT_USAGE);
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return text;
}

/* Join the filter words with single spaces, for display. */
static char *
join_words(int argc, char *argv[])
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xcalloc(len, 1);
	for (i = 0; i < argc; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void
report_warnings(const struct ct_snap *snap)
{
	static const unsigned order[] = { CT_WARN_NODIAG_TCP,
	    CT_WARN_NODIAG_UDP, CT_WARN_INTR_TCP, CT_WARN_INTR_UDP, CT_WARN_PROC,
	    CT_WARN_RANGE };
	char name[CT_ESCAPE_MAX(64)];
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (snap->warn & order[i])
			fprintf(stderr, "conntab: warning: %s\n",
			    snap_warn_text(order[i]));
	/* --all-netns: one line for each namespace left out, by name */
	for (i = 0; i < snap->nstab.len; i++) {
		const struct ct_netns *ns = &snap->nstab.v[i];

		if (!(ns->flags & CT_NS_REFUSED))
			continue;
		fprintf(stderr, "conntab: warning: netns '%s': %s; its sockets "
		    "are not listed\n", esc(ns->name, name, sizeof(name)),
		    strerror(-ns->error));
	}
}

/*
 * CONNTAB_DEBUG: what the kernel returned, before the user-space filter,
 * so that tests and benchmarks can see the push-down at work.
 */
static void
report_debug(const struct ct_snap *snap)
{
	const char *v = getenv("CONNTAB_DEBUG");
	char buf[256];

	if (v == NULL || v[0] == '\0' || strcmp(v, "0") == 0)
		return;
	fprintf(stderr, "conntab: debug: %zu sockets from the kernel; %u dumps "
	    "with filter bytecode, %u refused\n", snap->socks.len, snap->bc_sent,
	    snap->bc_refused);
	fprintf(stderr, "conntab: debug: %s\n",
	    snap_owners_text(snap, buf, sizeof(buf)));
}

static int
run_tree(const struct ct_snap *snap, const struct ct_opts *o)
{
	struct ct_tree tree;

	group_tree_build(snap, o, &tree);
	out_tree_write(stdout, snap, &tree, o);
	group_tree_free(&tree);
	return finish_output();
}

static int
run_summary(const struct ct_snap *snap, const struct ct_opts *o)
{
	struct ct_summary sum;

	/* each namespace's range came with the snapshot (CT_WARN_RANGE) */
	summary_build(snap, o, NULL, &sum);
	out_summary_write(stdout, snap, &sum, o);
	summary_free(&sum);
	return finish_output();
}

/* Seconds from the monotonic time t until now. */
static double
seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* --format prometheus|openmetrics; secs: what the snapshot took. */
static int
run_prom(const struct ct_snap *snap, const struct ct_opts *o, double secs)
{
	struct ct_prom_meta meta = { .collect_seconds = secs, .counters = NULL };
	struct ct_metrics m;

	/* each namespace's range came with the snapshot (CT_WARN_RANGE) */
	metrics_build(snap, o, &m);
	out_prom_write(stdout, snap, &m, &meta, o);
	metrics_free(&m);
	return finish_output();
}

/* --output in a one-shot: open from the first byte written to the rename. */
static struct ct_output main_out;

static void
main_out_abort(void)
{
	output_abort(&main_out);
}

/*
 * Point standard output at the temporary file of --output, so that every
 * renderer writes there unchanged. Returns the exit status so far.
 */
static int
output_begin(const struct ct_opts *o)
{
	char buf[CT_ESCAPE_MAX(256)];
	int rc;

	if (o->output == NULL)
		return 0;
	if ((rc = output_open(&main_out, o->output)) == 0) {
		util_on_die(main_out_abort);	/* out of memory leaves nothing */
		fflush(stdout);
		if (dup2(fileno(main_out.fp), STDOUT_FILENO) < 0) {
			rc = -errno;
			output_abort(&main_out);
			util_on_die(NULL);
		}
	}
	if (rc == 0)
		return 0;
	fprintf(stderr, "conntab: --output %s: %s\n",
	    esc(o->output, buf, sizeof(buf)), strerror(-rc));
	return 1;
}

/*
 * The end of --output: the file replaces FILE when all went well (stdout
 * was flushed), else it goes and FILE stays as it was.
 */
static int
output_end(const struct ct_opts *o, int status)
{
	char buf[CT_ESCAPE_MAX(256)];
	int rc;

	if (main_out.tmp == NULL)
		return status;
	util_on_die(NULL);
	if (status != 0) {
		output_abort(&main_out);
		return status;
	}
	if ((rc = output_commit(&main_out)) == 0)
		return 0;
	fprintf(stderr, "conntab: --output %s: %s\n",
	    esc(o->output, buf, sizeof(buf)), strerror(-rc));
	return 1;
}

/* -w --output: the metrics, rewritten every interval. */
/* The rows of table in the chosen format (not the metric ones). */
static void
print_table(const struct ct_snap *snap, const struct ct_table *table,
    const struct ct_opts *o)
{
	switch (o->format) {
	case CT_FMT_TABLE:
		out_table_write(stdout, snap, table, o);
		break;
	case CT_FMT_TSV:
	case CT_FMT_CSV:
		out_sv_write(stdout, snap, table, o);
		break;
	case CT_FMT_JSON:
		out_json_write(stdout, snap, table, o);
		break;
	case CT_FMT_PROMETHEUS:
	case CT_FMT_OPENMETRICS:
		break;			/* run_prom() */
	}
}

/* -K: how the destroys went, for the exit status and the last line. */
struct kill_count {
	size_t		 matched, destroyed, gone, failed;
	bool		 said_perm;	/* the one CAP_NET_ADMIN line is out */
	bool		 said_opnotsupp[2];	/* ... and per protocol, this one */
};

/* "tcp 127.0.0.1:800 127.0.0.1:40112": a socket that -K could not destroy. */
static void
kill_name(const struct ct_snap *snap, const struct ct_sock *s, char *buf,
    size_t size)
{
	const struct ct_view view = snap_view(snap);
	struct ct_group g;
	char l[CT_CELL_MAX], r[CT_CELL_MAX];
	bool null;

	group_row_set(&g, snap, s);
	fields_get(CT_F_LOCAL)->fmt(&view, &g, 0, l, &null, NULL);
	fields_get(CT_F_REMOTE)->fmt(&view, &g, 0, r, &null, NULL);
	snprintf(buf, size, "%s %s %s %s", sock_proto_name(s->proto),
	    sock_state_name(s->proto, s->state), l, r);
}

/* One failed destroy: a line that says why, once per reason it shares. */
static void
kill_report(const struct ct_snap *snap, const struct ct_sock *s, int rc,
    struct kill_count *k)
{
	char name[CT_CELL_MAX * 3], buf[CT_ESCAPE_MAX(CT_CELL_MAX * 3)];
	bool *said = &k->said_opnotsupp[s->proto == IPPROTO_UDP];

	if (rc == -EPERM || rc == -EACCES) {
		if (!k->said_perm)
			fprintf(stderr, "conntab: -K: destroying sockets needs "
			    "CAP_NET_ADMIN (run it as root)\n");
		k->said_perm = true;
		return;
	}
	if (rc == -EOPNOTSUPP) {
		if (!*said)
			fprintf(stderr, "conntab: -K: this kernel cannot destroy "
			    "%s sockets (SOCK_DESTROY needs "
			    "CONFIG_INET_DIAG_DESTROY)\n",
			    sock_proto_name(s->proto));
		*said = true;
		return;
	}
	kill_name(snap, s, name, sizeof(name));
	fprintf(stderr, "conntab: -K: %s: %s\n", esc(name, buf, sizeof(buf)),
	    strerror(-rc));
}

/*
 * -K: destroy each socket the filter selects, through its own namespace's
 * socket, then print the rows of those that are gone (destroyed, or gone
 * on their own meanwhile) in the chosen format. The status tells the
 * truth: 0 when something matched and all of it is gone, 1 when any
 * destroy failed, 3 when nothing matched.
 */
static int
run_kill(struct ct_diag *d, const struct ct_opts *o)
{
	struct ct_snap_cache *cache = NULL;
	struct ct_snap snap = { 0 };
	struct ct_table table = { 0 };
	struct kill_count k = { 0 };
	const struct ct_sock *s;
	size_t i, n = 0;
	int rc, status;

	/* --all-netns: the cache's set keeps a socket in every namespace */
	if (o->all_netns && (rc = snap_cache_open(o, &cache)) != 0) {
		fprintf(stderr, "conntab: -K: %s\n", strerror(-rc));
		return 1;
	}
	if ((rc = snap_take_cached(d, o, cache, &snap)) != 0) {
		fprintf(stderr, "conntab: %s: %s\n", snap_failed_dump(&snap),
		    strerror(-rc));
		status = 1;
		goto out;
	}
	report_warnings(&snap);
	group_table_build(&snap, o, &table);
	k.matched = table.nrows;
	for (i = 0; i < table.nrows; i++) {
		s = group_table_first(&snap, &table, i);
		rc = snap_destroy(d, cache, &snap, s);
		if (rc == 0) {
			k.destroyed++;
		} else if (rc == -ENOENT) {
			k.gone++;	/* it went on its own: gone all the same */
		} else {
			k.failed++;
			kill_report(&snap, s, rc, &k);
			continue;
		}
		/* keep row i: what is printed is what is gone */
		if (table.rows != NULL)
			table.rows[n++] = table.rows[i];
		else
			table.order[n++] = table.order[i];
	}
	table.nrows = n;
	if ((status = output_begin(o)) != 0)
		goto out;
	if (n > 0)
		print_table(&snap, &table, o);
	status = finish_output();
	if (k.matched == 0) {
		fprintf(stderr, "conntab: -K: no socket matched the filter; "
		    "nothing destroyed\n");
		status = status != 0 ? status : 3;
	} else if (k.failed > 0) {
		fprintf(stderr, "conntab: -K: %zu of %zu matched sockets "
		    "destroyed, %zu not\n", k.destroyed + k.gone, k.matched,
		    k.failed);
		status = 1;
	}
out:
	group_table_free(&table);
	snap_free(&snap);
	snap_cache_free(cache);
	return status;
}

static int
run_export(struct ct_diag *d, const struct ct_opts *o)
{
	const char *what = "watch";
	char buf[CT_ESCAPE_MAX(256)];
	int rc;

	if ((rc = watch_export(d, o, &what)) == 0)
		return 0;
	if (strcmp(what, "output") == 0)
		fprintf(stderr, "conntab: --output %s: %s\n",
		    esc(o->output, buf, sizeof(buf)), strerror(-rc));
	else
		fprintf(stderr, "conntab: %s: %s\n", what, strerror(-rc));
	return 1;
}

/*
 * --all-netns holds a socket per namespace (the live view for its whole
 * run): the soft limit of descriptors goes up to the hard one, as far as
 * it allows.
 */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* -w: the view on a terminal; else, or with --format json, events. */
static int
run_watch(struct ct_diag *d, const struct ct_opts *o)
{
	const char *what = "watch", *term = getenv("TERM");
	char buf[CT_ESCAPE_MAX(64)];
	int rc;

	if (o->output != NULL)
		return run_export(d, o);

	if (o->format == CT_FMT_TABLE && isatty(STDOUT_FILENO))
		rc = watch_run(d, o, &what);
	else
		rc = watch_stream(d, o, stdout, &what);
	if (rc == 0)
		return 0;
	if (rc == -ENOTTY && strcmp(what, "cursor") == 0)
		fprintf(stderr, "conntab: terminal: TERM '%s' cannot move the "
		    "cursor (for events: conntab -w | cat, or --format json)\n",
		    esc(term != NULL ? term : "", buf, sizeof(buf)));
	else if (rc == -ENOTTY)
		fprintf(stderr, "conntab: terminal: cannot drive TERM '%s' "
		    "(try --format json for events)\n",
		    esc(term != NULL ? term : "", buf, sizeof(buf)));
	else
		fprintf(stderr, "conntab: %s: %s\n", what, strerror(-rc));
	return 1;
}

/*
 * Descriptors 0 to 2 are open before anything else is: a socket or file
 * opened while one of them is closed takes its number, and the table went
 * into the netlink socket (conntab >&-). A closed one becomes /dev/null,
 * read-only, so that writing to a closed stdout fails (EBADF): a write
 * error, exit 1, in every mode.
 */
static void
std_fds_open(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* the lowest free number: fd, since those below are open */
		if (open("/dev/null", O_RDONLY) != fd) {
			fprintf(stderr, "conntab: /dev/null: %s\n", strerror(errno));
			exit(1);
		}
	}
}

int
main(int argc, char *argv[])
{
	static char outbuf[1 << 16];
	struct ct_filter_error ferr;
	struct ct_filter *filter = NULL;
	struct ct_diag *d = NULL;
	struct ct_table table = { 0 };
	struct ct_snap snap = { 0 };
	struct ct_opts o;
	char buf[CT_ESCAPE_MAX(256)], path[4096];
	double secs;
	char **words, **fwords = NULL, *ftext = NULL;
	const char *ffile;
	int rc, status = 0, nwords;

	std_fds_open();
	signal(SIGPIPE, SIG_IGN);	/* EPIPE from write() tells us instead */
	signal(SIGXFSZ, SIG_IGN);	/* ... and EFBIG past a file size limit */
	/*
	 * A fixed threshold: glibc raises it to the size of each large block
	 * freed, after which the next ones come from the heap and stay there
	 * when freed, adding up to the peak (make bench: +1.3 MiB owners).
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	parse_args(argc, argv, &o, &ffile);
	words = argv + optind;
	nwords = argc - optind;
	if (ffile != NULL) {
		/* the file's words after the command line's, as ss reads them */
		fwords = xcalloc((size_t)nwords + 2, sizeof(*fwords));
		memcpy(fwords, words, (size_t)nwords * sizeof(*fwords));
		fwords[nwords++] = ftext = read_filter_file(ffile);
		words = fwords;
	}
	/*
	 * The namespace first: the filter names its devices (dev eth0), and
	 * a name means the device of the namespace the sockets live in.
	 */
	if (o.netns != NULL && (rc = netns_enter(o.netns)) != 0) {
		netns_path(o.netns, path, sizeof(path));
		fprintf(stderr, "conntab: netns '%s': %s: %s\n",
		    esc(o.netns, buf, sizeof(buf)),
		    esc(path, buf + sizeof(buf) / 2, sizeof(buf) / 2),
		    rc == -EINVAL ? "not a network namespace" : strerror(-rc));
		status = 1;
		goto out;
	}
	if (filter_parse(nwords, words, &filter, &ferr) != 0) {
		fprintf(stderr, "conntab: filter: %s\n", ferr.msg);
		status = EXIT_USAGE;
		goto out;
	}
	o.filter = filter;
	o.filter_text = join_words(nwords, words);
	/* words that select nothing in particular ('') are no filter either */
	if (o.kill && filter == NULL) {
		fprintf(stderr, "conntab: -K destroys the sockets a filter "
		    "selects: give one (conntab -K dport = 8080)\n");
		status = EXIT_USAGE;
		goto out;
	}

	/*
	 * --all-netns enters every namespace: without the capability it would
	 * list conntab's own alone, a part that looks like the whole.
	 */
	if (o.all_netns && nsset_can_enter() != 0) {
		fprintf(stderr, "conntab: --all-netns: entering other network "
		    "namespaces needs CAP_SYS_ADMIN (run it as root)\n");
		status = 1;
		goto out;
	}
	/* with --all-netns, each namespace gets its own socket (nsset.h) */
	if (!o.all_netns && (rc = diag_open(&d)) != 0) {
		fprintf(stderr, "conntab: netlink sock_diag: %s\n", strerror(-rc));
		status = 1;
		goto out;
	}
	if (o.all_netns)
		raise_nofile();
	if (o.kill) {
		status = run_kill(d, &o);
		goto out;
	}
	if (o.watch) {
		status = run_watch(d, &o);
		goto out;
	}
	if ((rc = snap_take(d, &o, &snap)) != 0) {
		fprintf(stderr, "conntab: %s: %s\n", snap_failed_dump(&snap),
		    rc == -ENOTRECOVERABLE ? "a thread could not return to its "
		    "own network namespace" : strerror(-rc));
		status = 1;
		goto out;
	}
	secs = seconds_since(&snap.when);
	report_warnings(&snap);
	report_debug(&snap);
	if ((status = output_begin(&o)) != 0)
		goto out;
	if (is_prom(&o)) {
		status = run_prom(&snap, &o, secs);
		goto out;
	}
	if (o.tree) {
		status = run_tree(&snap, &o);
		goto out;
	}
	if (o.summary) {
		status = run_summary(&snap, &o);
		goto out;
	}
	group_table_build(&snap, &o, &table);
	print_table(&snap, &table, &o);
	status = finish_output();
out:
	status = output_end(&o, status);
	group_table_free(&table);
	snap_free(&snap);
	diag_close(d);
	filter_free(filter);
	free((char *)o.filter_text);
	free(fwords);
	free(ftext);
	return status;
}
