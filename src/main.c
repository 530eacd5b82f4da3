/*
 * conntab: the command line. Options become a struct ct_opts, one mode is
 * chosen, and every error becomes a message and an exit status here:
 * 0 success, 1 runtime failure, 2 usage or filter error.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "fields.h"
#include "filter.h"
#include "group.h"
#include "group_tree.h"
#include "netns.h"
#include "opts.h"
#include "out.h"
#include "out_summary.h"
#include "out_tree.h"
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
};

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
	{ "watch", no_argument, NULL, 'w' },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "colour", optional_argument, NULL, OPT_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
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
"usage: conntab [-46aeHhilmnPprsTtuVJw] [-A query] [-d secs] [-F file]\n"
"               [-f family] [-g list] [-N netns] [-o list] [--sort list]\n"
"               [--format table|tsv|csv|json] [--color[=auto|always|never]]\n"
"               [filter]\n"
"\n"
"  -t, -u            TCP only, UDP only (default both)\n"
"  -4, -6            IPv4 only, IPv6 only (default both)\n"
"  -f FAMILY         as ss: inet (-4) or inet6 (-6)\n"
"  -A QUERY          as ss: tables tcp, udp, inet, all, inet6 (comma-separated)\n"
"  -l                listening sockets only (TCP LISTEN, UDP UNCONN)\n"
"  -a, -n, -p        accepted for ss/netstat habits; already the default\n"
"  -P, --no-processes  skip the owner lookup in /proc (fastest)\n"
"  -e                add uid, user and inode\n"
"  -i                add TCP internals: rtt, rttvar, cwnd, retrans, bytes\n"
"  -m                add socket memory, as ss -m: rmem_alloc ... drops\n"
"  -o LIST           show exactly these fields, comma-separated\n"
"  -g LIST           count sockets grouped by these fields (raddr/24 too)\n"
"  -T, --tree        each listener with the connections it accepted\n"
"  -s, --summary     totals, listeners, ephemeral ports per destination\n"
"  --sort LIST, -r   sort by these fields; reverse the order\n"
"  --format FMT, -J  table (default), tsv, csv or json (-J)\n"
"  -H, --no-header   no header line\n"
"  -w, --watch       live view; an event stream when stdout is no terminal\n"
"  -d SECS           -w: seconds between samples (default 1, fractions too)\n"
"  -N, --netns NS    look inside a network namespace: name, path or pid\n"
"  -F FILE           read the filter from FILE (- for stdin), as ss -F\n"
"  --color[=WHEN]    auto (default: only on a terminal), always, never\n"
"  -h, --help        this help; -V, --version: the version\n"
"  ss's long options: --tcp --udp --ipv4 --ipv6 --listening --all --numeric\n"
"  --processes --extended --info --memory --family --query --socket --filter\n"
"\n"
"filter: ':500', '127.0.0.1', 'dport >= 1024', 'state established',\n"
"        'dst 10.0.0.0/8', 'comm nginx', 'dev lo', 'fwmark 0x1/0xff',\n"
"        'cgroup /system.slice', 'autobound', 'exclude listening', with\n"
"        and, or, not and ( ); or mixed with and needs parentheses\n"
"fields: proto family state laddr lport raddr rport local remote recvq\n"
"        sendq uid user inode pid comm owners process listener dev fwmark\n"
"        cgroup count; -i: rtt rttvar cwnd retrans bytes_sent bytes_recv\n"
"        rate_in rate_out; ss -i: cong mss pmtu min_rtt rto ato lost sacked\n"
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
}

static bool
want_color(const char *when)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (when == NULL || strcmp(when, "auto") == 0)
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

static void
parse_args(int argc, char *argv[], struct ct_opts *o, const char **ffile)
{
	const char *color = "auto", *sort = NULL, *group = NULL, *cols = NULL;
	const char *interval = NULL;
	unsigned query = 0;
	const char *pd = getenv("CONNTAB_NO_PUSHDOWN");
	char buf[CT_ESCAPE_MAX(64)];
	int ch;

	memset(o, 0, sizeof(*o));
	o->protos = 0;
	o->families = 0;
	o->interval_ms = 1000;
	o->procroot = "/proc";
	o->no_pushdown = pd != NULL && pd[0] != '\0' && strcmp(pd, "0") != 0;
	opterr = 0;
	*ffile = NULL;
	while ((ch = getopt_long(argc, argv, ":46A:ad:eF:f:g:HhiJlmN:no:PprsTtuVw",
	    longopts, NULL)) != -1) {
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
		case 'd': interval = optarg; break;
		case 'J': o->format = CT_FMT_JSON; break;
		case 'o': cols = optarg; break;
		case 'g': group = optarg; break;
		case 'N': o->netns = optarg; break;
		case OPT_SORT: sort = optarg; break;
		case OPT_COLOR: color = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "table") == 0)
				o->format = CT_FMT_TABLE;
			else if (strcmp(optarg, "tsv") == 0)
				o->format = CT_FMT_TSV;
			else if (strcmp(optarg, "csv") == 0)
				o->format = CT_FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o->format = CT_FMT_JSON;
			else
				usage_error("--format: expected table, tsv, csv or "
				    "json, not '%s'", esc(optarg, buf, sizeof(buf)));
			break;
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
	if (group != NULL) {
		parse_cols("-g", group, true, &o->group);
		check_group_keys(o);
	}
	if (sort != NULL) {
		parse_cols("--sort", sort, false, &o->sort);
		if (o->group.n > 0)
			check_group_sort(o);
	}
	check_watch(o, group, interval);
	if (cols != NULL) {
		parse_cols("-o", cols, true, &o->cols);
		o->cols_given = true;
	} else {
		default_cols(o);
	}
	o->color = want_color(color) && o->format == CT_FMT_TABLE;
	/* want_color() took only these, so the rest is never/no */
	if (color == NULL || strcmp(color, "auto") == 0)
		o->color_when = CT_COLOR_AUTO;
	else if (strcmp(color, "always") == 0 || strcmp(color, "yes") == 0)
		o->color_when = CT_COLOR_ALWAYS;
	else
		o->color_when = CT_COLOR_NEVER;
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
report_warnings(unsigned warn)
{
	static const unsigned order[] = { CT_WARN_NODIAG_TCP,
	    CT_WARN_NODIAG_UDP, CT_WARN_INTR_TCP, CT_WARN_INTR_UDP, CT_WARN_PROC };
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (warn & order[i])
			fprintf(stderr, "conntab: warning: %s\n",
			    snap_warn_text(order[i]));
}

/*
 * CONNTAB_DEBUG: what the kernel returned, before the user-space filter,
 * so that tests and benchmarks can see the push-down at work.
 */
static void
report_debug(const struct ct_snap *snap)
{
	const char *v = getenv("CONNTAB_DEBUG");

	if (v == NULL || v[0] == '\0' || strcmp(v, "0") == 0)
		return;
	fprintf(stderr, "conntab: debug: %zu sockets from the kernel; %u dumps "
	    "with filter bytecode, %u refused\n", snap->socks.len, snap->bc_sent,
	    snap->bc_refused);
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
	struct ct_portrange *range = xcalloc(1, sizeof(*range));
	struct ct_summary sum;
	int rc;

	if ((rc = summary_read_range(o->procroot, range)) != 0)
		fprintf(stderr, "conntab: warning: cannot read the ephemeral "
		    "port range in %s/sys/net/ipv4: %s; assuming %u-%u, none "
		    "reserved\n", o->procroot, strerror(-rc), range->low,
		    range->high);
	summary_build(snap, o, range, &sum);
	out_summary_write(stdout, snap, &sum, o);
	summary_free(&sum);
	free(range);
	return finish_output();
}

/* -w: the view on a terminal; else, or with --format json, events. */
static int
run_watch(struct ct_diag *d, const struct ct_opts *o)
{
	const char *what = "watch", *term = getenv("TERM");
	char buf[CT_ESCAPE_MAX(64)];
	int rc;

	if (o->format == CT_FMT_TABLE && isatty(STDOUT_FILENO))
		rc = watch_run(d, o, &what);
	else
		rc = watch_stream(d, o, stdout, &what);
	if (rc == 0)
		return 0;
	if (rc == -ENOTTY)
		fprintf(stderr, "conntab: terminal: cannot drive TERM '%s' "
		    "(try --format json for events)\n",
		    esc(term != NULL ? term : "", buf, sizeof(buf)));
	else
		fprintf(stderr, "conntab: %s: %s\n", what, strerror(-rc));
	return 1;
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
	char **words, **fwords = NULL, *ftext = NULL;
	const char *ffile;
	int rc, status = 0, nwords;

	signal(SIGPIPE, SIG_IGN);	/* EPIPE from write() tells us instead */
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

	if ((rc = diag_open(&d)) != 0) {
		fprintf(stderr, "conntab: netlink sock_diag: %s\n", strerror(-rc));
		status = 1;
		goto out;
	}
	if (o.watch) {
		status = run_watch(d, &o);
		goto out;
	}
	if ((rc = snap_take(d, &o, &snap)) != 0) {
		fprintf(stderr, "conntab: %s: %s\n", snap_failed_dump(&snap),
		    strerror(-rc));
		status = 1;
		goto out;
	}
	report_warnings(snap.warn);
	report_debug(&snap);
	if (o.tree) {
		status = run_tree(&snap, &o);
		goto out;
	}
	if (o.summary) {
		status = run_summary(&snap, &o);
		goto out;
	}
	group_table_build(&snap, &o, &table);
	switch (o.format) {
	case CT_FMT_TABLE:
		out_table_write(stdout, &snap, &table, &o);
		break;
	case CT_FMT_TSV:
	case CT_FMT_CSV:
		out_sv_write(stdout, &snap, &table, &o);
		break;
	case CT_FMT_JSON:
		out_json_write(stdout, &snap, &table, &o);
		break;
	}
	status = finish_output();
out:
	group_table_free(&table);
	snap_free(&snap);
	diag_close(d);
	filter_free(filter);
	free((char *)o.filter_text);
	free(fwords);
	free(ftext);
	return status;
}
