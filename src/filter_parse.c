/*
 * The filter language of SPEC §5: a lexer and a recursive-descent parser
 * from the command-line words to the tree of filter_ast.h.
 *
 *   filter := seq
 *   seq    := unary { op unary }            op: "or" "||" "|" | "and" "&&"
 *                                           "&" | nothing (side by side)
 *   unary  := ("not" | "!") unary | "(" seq ")" | term
 *   term   := PORTWORD [CMP] PORT           sport dport lport rport
 *           | HOSTWORD [EQ] HOST            src dst laddr raddr
 *           | "state" [EQ] STATE | ("exclude" | "excl") STATE
 *           | "dev" [EQ] NAME|INDEX | "fwmark" [EQ] MARK[/MASK]
 *           | "cgroup" [EQ] PATH | "autobound"
 *           | "proto" [EQ] P | "family" [EQ] F
 *           | ("comm" | "proc" | "process") [EQ] NAME
 *           | ("pid" | "uid" | "user") [EQ] VALUE
 *           | "netns" [EQ] NAME|INODE       a shell pattern, or "net:[INODE]"
 *           | ("container" | "pod" | "unit") [EQ] PATTERN
 *           | "tcp" | "udp" | "inet" | "inet6"
 *           | ":" PORT                      either end's port
 *           | HOST                          either end's address
 *   CMP    := = == eq | != ne neq | < lt | <= le leq | > gt | >= ge geq
 *   EQ     := = == eq | != ne neq
 *   HOST   := [inet: | inet6:] ADDR[/PREFIX][:PORT] | [ADDR6][/PREFIX][:PORT]
 *           | ADDR6[/PREFIX] | *[:PORT]
 *
 * A sequence is all "or" or all "and": ss reads and/or strictly from left
 * to right where other languages bind "and" first, so a mix without
 * parentheses is an error that shows both readings. State words side by
 * side name a set of states, as ss reads them: "state a state b" is
 * either, "exclude c" takes one out.
 *
 * The words are joined with single spaces before lexing, so one quoted
 * argument and many words read the same, and every error names a column
 * of that joined text. Keywords and state names are case-insensitive.
 * Values (names, paths) read the escapes the output writes: \xNN is the
 * byte NN and \\ a backslash; any other \c is c.
 */
#include "filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fields.h"
#include "filter_ast.h"
#include "label.h"
#include "sock.h"
#include "util.h"

#define FP_MAX_DEPTH	100	/* nested parentheses and nots */
#define FP_MAX_TERMS	1000	/* terms: bounds the depth of the tree */
#define FP_ESC		72	/* room for one escaped word in a message */
#define FP_READING	72	/* room for one reading of a mixed sequence */

enum tok_type {
	TK_WORD,		/* a word, or a "quoted word" */
	TK_LPAREN,
	TK_RPAREN,
	TK_NOT,			/* ! not */
	TK_AND,			/* && & and */
	TK_OR,			/* || | or */
	TK_CMP,			/* = == != < <= > >= (cmp says which) */
	TK_END,
};

struct tok {
	enum tok_type	 type;
	enum ct_fn_cmp	 cmp;		/* TK_CMP */
	bool		 quoted;	/* TK_WORD from "..." */
	const char	*s;		/* in the joined text; quoted: inside */
	size_t		 len;
	int		 col;		/* 1-based column of its first byte */
	size_t		 end;		/* offset just past it, quote and all */
};

/* What the last term parsed was, for the runs of state words. */
enum fp_plain { FP_OTHER, FP_STATE, FP_EXCLUDE };

struct fp {
	const char	*text;		/* the joined words */
	struct tok	*t;		/* t[n] is TK_END */
	size_t		 n, cap, i;
	int		 depth;
	unsigned	 terms;
	unsigned	 needs;		/* CT_FNEED_* */
	enum fp_plain	 plain;		/* of the term fp_unary() just read */
	bool		 failed;
	struct ct_filter_error *err;
};

/* Errors ---------------------------------------------------------------- */

static void __attribute__((format(printf, 3, 4)))
fp_fail(struct fp *p, int col, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;			/* the first error is the one to tell */
	p->failed = true;
	p->err->column = col;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
}

/* The user's text, fit to quote in a message: escaped, cut if long. */
static const char *
fp_esc(const char *s, size_t len, char buf[FP_ESC])
{
	util_escape(s, len, buf, FP_ESC);
	return buf;
}

/* Fail naming token t: "<what> '<word>' at column N<tail>". */
static void
fp_fail_tok(struct fp *p, const struct tok *t, const char *what,
    const char *tail)
{
	char w[FP_ESC];

	fp_fail(p, t->col, "%s '%s' at column %d%s", what,
	    fp_esc(t->s, t->len, w), t->col, tail);
}

/*
 * The index of the nearest of words[] to the n bytes at s, or -1 when none
 * is close: about a third of a word may differ, three edits at most (the
 * rule fields_suggest() uses for -o).
 */
static int
fp_suggest(const char *s, size_t n, const char *const *words)
{
	size_t d, bestd = (n + 2) / 3 + 1;
	int best = -1, i;

	if (bestd > 3)
		bestd = 3;
	for (i = 0; words[i] != NULL; i++) {
		d = fields_distance(s, n, words[i]);
		if (d < bestd || (d == bestd && best < 0 && d <= 1)) {
			bestd = d;
			best = i;
		}
	}
	return best;
}

/* Lexer ----------------------------------------------------------------- */

static struct tok *
fp_push(struct fp *p, enum tok_type type, const char *s, size_t len)
{
	struct tok *t;

	if (p->n + 1 >= p->cap) {
		p->cap = p->cap == 0 ? 32 : p->cap * 2;
		p->t = xreallocarray(p->t, p->cap, sizeof(*p->t));
	}
	t = &p->t[p->n++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->s = s;
	t->len = len;
	t->col = (int)(s - p->text) + 1;
	t->end = (size_t)(s - p->text) + len;
	return t;
}

static bool
fp_word_is(const struct tok *t, const char *word)
{
	return t->type == TK_WORD && !t->quoted && strlen(word) == t->len &&
	    strncasecmp(t->s, word, t->len) == 0;
}

/*
 * The length of the word at s: up to a blank or an operator character; a
 * backslash keeps the next byte in the word, whatever it is, and a quote
 * inside a word is one of its bytes (a name shown as q,"a\x20b pastes).
 */
static size_t
fp_word_len(const char *s)
{
	static const char ends[] = " \t\n\r\v\f()!=<>&|";
	size_t i = 0;

	while (s[i] != '\0' && strchr(ends, s[i]) == NULL) {
		if (s[i] == '\\' && s[i + 1] != '\0')
			i++;
		i++;
	}
	return i;
}

static int
fp_lex(struct fp *p)
{
	static const char blanks[] = " \t\n\r\v\f";
	const char *s = p->text;
	struct tok *t;

	for (;;) {
		s += strspn(s, blanks);
		if (*s == '\0')
			break;
		switch (*s) {
		case '(':
		case ')':
			fp_push(p, *s == '(' ? TK_LPAREN : TK_RPAREN, s, 1);
			s++;
			continue;
		case '!':
		case '=':
		case '<':
		case '>':
			t = fp_push(p, TK_CMP, s, s[1] == '=' ? 2 : 1);
			if (*s == '!')
				t->cmp = CT_CMP_NE;
			else if (*s == '=')
				t->cmp = CT_CMP_EQ;
			else if (*s == '<')
				t->cmp = t->len == 2 ? CT_CMP_LE : CT_CMP_LT;
			else
				t->cmp = t->len == 2 ? CT_CMP_GE : CT_CMP_GT;
			if (*s == '!' && t->len == 1)
				t->type = TK_NOT;
			s += t->len;
			continue;
		case '&':
		case '|':
			/* ss's words: & && and, | || or */
			fp_push(p, *s == '&' ? TK_AND : TK_OR, s, s[1] == s[0] ? 2 : 1);
			s += s[1] == s[0] ? 2 : 1;
			continue;
		case '"': {
			const char *end = s + 1;

			while (*end != '\0' && *end != '"')
				end += end[0] == '\\' && end[1] != '\0' ? 2 : 1;
			if (*end == '\0') {
				fp_fail(p, (int)(s - p->text) + 1,
				    "unterminated quote at column %d",
				    (int)(s - p->text) + 1);
				return -EINVAL;
			}
			t = fp_push(p, TK_WORD, s + 1, (size_t)(end - s - 1));
			t->col--;		/* the column of the quote */
			t->end++;		/* and past the closing one */
			t->quoted = true;
			s = end + 1;
			continue;
		}
		default:
			break;
		}
		t = fp_push(p, TK_WORD, s, fp_word_len(s));
		s += t->len;
		if (fp_word_is(t, "and"))
			t->type = TK_AND;
		else if (fp_word_is(t, "or"))
			t->type = TK_OR;
		else if (fp_word_is(t, "not"))
			t->type = TK_NOT;
	}
	t = fp_push(p, TK_END, s, 0);
	p->n--;				/* t[n] is the end, not a token */
	return 0;
}

/* Nodes ----------------------------------------------------------------- */

static struct ct_fnode *
fp_node(enum ct_fn_kind kind)
{
	struct ct_fnode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	return n;
}

static struct ct_fnode *
fp_binary(enum ct_fn_kind kind, struct ct_fnode *a, struct ct_fnode *b)
{
	struct ct_fnode *n = fp_node(kind);

	n->a = a;
	n->b = b;
	return n;
}

static struct ct_fnode *
fp_not(struct ct_fnode *a)
{
	return fp_binary(CT_FN_NOT, a, NULL);
}

/* Values ---------------------------------------------------------------- */

static const struct tok *
fp_peek(const struct fp *p)
{
	return &p->t[p->i];
}

/* Decimal digits only, at most max: 0 or -1 (not a number), -2 (too big). */
static int
fp_number(const char *s, size_t len, uint64_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v <= max)
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -2;
	*out = (uint32_t)v;
	return 0;
}

/*
 * A number as ss (strtoul(3) with base 0) reads it: 0x1f hexadecimal, a
 * leading 0 octal, else decimal. Returns as fp_number() does.
 */
static int
fp_cnumber(const char *s, size_t len, uint64_t max, uint32_t *out)
{
	unsigned base = 10, d;
	uint64_t v = 0;
	size_t i = 0;

	if (len >= 3 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len >= 2 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	if (i >= len && base != 10)
		return -1;
	if (len == 0)
		return -1;
	for (; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		if (d >= base)
			return -1;
		if (v <= max)
			v = v * base + d;
	}
	if (v > max)
		return -2;
	*out = (uint32_t)v;
	return 0;
}

/*
 * A port in s (len bytes) of token t: a number 0-65535 (read as ss reads
 * it: 0x hexadecimal, a leading 0 octal) or a service name from the
 * services database, after one optional ':'. Returns the port, or -1 with
 * the error set.
 */
static int32_t
fp_port(struct fp *p, const struct tok *t, const char *s, size_t len)
{
	struct servent *se;
	char name[64];
	uint32_t v;
	int rc;

	if (len > 0 && s[0] == ':') {
		s++;
		len--;
	}
	if (len == 0) {
		fp_fail_tok(p, t, "missing port in", "");
		return -1;
	}
	if (s[0] >= '0' && s[0] <= '9') {
		if ((rc = fp_cnumber(s, len, 65535, &v)) == 0)
			return (int32_t)v;
		fp_fail_tok(p, t, rc == -2 ? "port out of range 0-65535:" :
		    "bad port", rc == -1 && s[0] == '0' && len > 1 ?
		    " (a leading 0 reads octal, as in ss)" : "");
		return -1;
	}
	if (len < sizeof(name) && memchr(s, '\0', len) == NULL) {
		memcpy(name, s, len);
		name[len] = '\0';
		if ((se = getservbyname(name, "tcp")) != NULL ||
		    (se = getservbyname(name, "udp")) != NULL)
			return ntohs((uint16_t)se->s_port);
	}
	fp_fail_tok(p, t, "unknown service", "");
	return -1;
}

/* Keep only the first prefix bits of addr. */
static void
fp_mask(uint8_t *addr, unsigned prefix, unsigned bits)
{
	unsigned i;

	for (i = prefix; i < bits; i++)
		addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

/*
 * An IPv4 address as ss reads it: one to four parts, each a number of
 * 0-255 (0x hexadecimal, a leading 0 octal), the missing ones zero, so
 * that "127/8" and "10.1/16" name networks. Returns 0 or -1.
 */
static int
fp_ipv4(const char *s, uint8_t *out)
{
	uint32_t v;
	size_t i, n;

	memset(out, 0, 4);
	for (i = 0; i < 4; i++) {
		n = strcspn(s, ".");
		if (fp_cnumber(s, n, 255, &v) != 0)
			return -1;
		out[i] = (uint8_t)v;
		if (s[n] == '\0')
			return 0;
		s += n + 1;
	}
	return -1;			/* a fifth part */
}

/*
 * A prefix length, or an IPv4 netmask as ss takes it (255.255.0.0: its
 * bits must be contiguous). Returns the length, -1 bad, -2 too long.
 */
static int
fp_prefix(const char *s, unsigned bits)
{
	uint8_t m[4];
	uint32_t v, mask;
	unsigned n = 0;

	if (strchr(s, '.') != NULL) {
		if (bits != 32 || fp_ipv4(s, m) != 0)
			return -1;
		mask = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
		    (uint32_t)m[2] << 8 | m[3];
		while (n < 32 && (mask & (0x80000000u >> n)))
			n++;
		return n < 32 && (mask << n) != 0 ? -1 : (int)n;
	}
	if (fp_cnumber(s, strlen(s), 255, &v) != 0)
		return -1;
	return v > bits ? -2 : (int)v;
}

/*
 * An address term's value: "127.0.0.1", "10.0.0.0/8:500", "127/8",
 * "[::1]:500", "[::1]/128", "::1/128", "::1/128:22", "*:500", "any",
 * and ss's "inet:" and "inet6:" in front (*family: AF_INET, AF_INET6, or
 * AF_UNSPEC without). Names are never resolved. Returns 0, or -1 with
 * the error set.
 */
static int
fp_host(struct fp *p, const struct tok *t, struct ct_bc_host *h,
    uint8_t *family)
{
	char buf[128], *addr = buf, *pfx = NULL, *port = NULL, *rest;
	unsigned bits;
	int v;

	memset(h, 0, sizeof(*h));
	h->port = -1;
	*family = AF_UNSPEC;
	if (t->len >= sizeof(buf) || memchr(t->s, '\0', t->len) != NULL)
		goto bad;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	if (strncasecmp(buf, "inet:", 5) == 0) {
		*family = AF_INET;
		addr += 5;
	} else if (strncasecmp(buf, "inet6:", 6) == 0) {
		*family = AF_INET6;
		addr += 6;
	}
	if (addr[0] == '[') {
		if ((rest = strchr(addr, ']')) == NULL)
			goto bad;
		*rest++ = '\0';
		addr++;
		if ((pfx = strchr(addr, '/')) != NULL)
			*pfx++ = '\0';
		if (*rest == '/' && pfx == NULL) {
			pfx = rest + 1;
			rest = pfx + strcspn(pfx, ":");
			if (*rest == ':')
				*rest++ = '\0';
			else
				rest = NULL;
			port = rest;
		} else if (*rest == ':') {
			port = rest + 1;
		} else if (*rest != '\0') {
			goto bad;
		}
	} else if ((pfx = strchr(addr, '/')) != NULL) {
		/* after a prefix, a colon can only start the port (as ss) */
		*pfx++ = '\0';
		if ((port = strchr(pfx, ':')) != NULL)
			*port++ = '\0';
	} else if (strchr(addr, ':') == strrchr(addr, ':')) {
		/* no colon, or one: IPv4 (or '*') with an optional port */
		if ((port = strchr(addr, ':')) != NULL)
			*port++ = '\0';
	}
	/* else a bare IPv6 address: its colons leave no room for a port */
	if (strcmp(addr, "*") == 0 || strcasecmp(addr, "any") == 0 ||
	    strcasecmp(addr, "all") == 0 || strcasecmp(addr, "default") == 0 ||
	    (addr[0] == '\0' && port != NULL)) {
		if (pfx != NULL)
			goto bad;
		h->family = AF_UNSPEC;
	} else if (strchr(addr, ':') == NULL && fp_ipv4(addr, h->addr) == 0) {
		h->family = AF_INET;
	} else if (inet_pton(AF_INET6, addr, h->addr) == 1) {
		h->family = AF_INET6;
	} else {
		goto bad;
	}
	if (*family != AF_UNSPEC && h->family != AF_UNSPEC &&
	    h->family != *family)
		goto bad;
	bits = h->family == AF_INET6 ? 128 : h->family == AF_INET ? 32 : 0;
	h->prefix = (uint8_t)bits;
	if (pfx != NULL) {
		if ((v = fp_prefix(pfx, bits)) == -1) {
			fp_fail_tok(p, t, "bad prefix in", "");
			return -1;
		}
		if (v < 0) {
			fp_fail_tok(p, t, bits == 32 ? "prefix over 32 for IPv4:" :
			    "prefix over 128 for IPv6:", "");
			return -1;
		}
		h->prefix = (uint8_t)v;
	}
	fp_mask(h->addr, h->prefix, bits);
	if (port != NULL && strcmp(port, "*") != 0) {
		if (*port == '\0') {
			fp_fail_tok(p, t, "missing port in", "");
			return -1;
		}
		if ((h->port = fp_port(p, t, port, strlen(port))) < 0)
			return -1;
	}
	return 0;
bad:
	fp_fail_tok(p, t, "bad address", "");
	return -1;
}

/* The value of one hexadecimal digit, or -1. */
static int
fp_hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The bytes a value word stands for, read the way the output writes
 * untrusted text (util_escape()): "\xNN" is the byte NN, "\\" a
 * backslash, and any other "\c" the byte c. With pattern non-NULL, also
 * the word as an fnmatch(3) pattern in which every escaped byte is
 * literal, while a plain * ? [ stays a wildcard. Both are owned by the
 * caller. Returns 0, or -1 with the error set (a NUL byte).
 */
static int
fp_unescape(struct fp *p, const struct tok *t, char **out, char **pattern)
{
	char *o = xmalloc(t->len + 1), *pat = NULL;
	size_t i, n = 0, k = 0;

	if (pattern != NULL)
		pat = xmalloc(2 * t->len + 1);
	for (i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->s[i];
		bool esc = false;
		int hi, lo;

		if (c == '\\' && i + 1 < t->len) {
			esc = true;
			c = (unsigned char)t->s[++i];
			if (c == 'x' && i + 2 < t->len &&
			    (hi = fp_hexdigit(t->s[i + 1])) >= 0 &&
			    (lo = fp_hexdigit(t->s[i + 2])) >= 0) {
				c = (unsigned char)(hi << 4 | lo);
				i += 2;
			}
		}
		if (c == '\0') {
			fp_fail_tok(p, t, "NUL byte in", "");
			free(o);
			free(pat);
			return -1;
		}
		o[n++] = (char)c;
		if (pat != NULL) {
			if (esc)
				pat[k++] = '\\';
			pat[k++] = (char)c;
		}
	}
	o[n] = '\0';
	*out = o;
	if (pat != NULL) {
		pat[k] = '\0';
		*pattern = pat;
	}
	return 0;
}

/* State names ----------------------------------------------------------- */

#define ST(x)		(1u << CT_ST_##x)
#define ST_ALL		CT_STATES_ALL
#define ST_CONN		(ST_ALL & ~(ST(LISTEN) | ST(CLOSE)))
#define ST_BUCKET	(ST(SYN_RECV) | ST(TIME_WAIT))

/*
 * Every state of SPEC §3 and the names and classes of ss(8). A name
 * matches after dropping '-' and '_' and ignoring case, so TIME_WAIT,
 * time-wait and timewait are one. Each is the kernel's state as ss names
 * it, for TCP and UDP alike: listen and listening are LISTEN only (UDP has
 * none; -l adds UDP UNCONN itself), and UDP's UNCONN is the kernel's
 * CLOSE, so close, closed, unconn and unconnected are one state.
 */
static const struct {
	const char	*name;		/* as matched: lower case, no - or _ */
	uint16_t	 states;
} fp_states[] = {
	{ "established", ST(ESTABLISHED) },
	{ "estab", ST(ESTABLISHED) },
	{ "synsent", ST(SYN_SENT) },
	{ "synrecv", ST(SYN_RECV) },
	{ "synrcv", ST(SYN_RECV) },
	{ "finwait1", ST(FIN_WAIT1) },
	{ "finwait2", ST(FIN_WAIT2) },
	{ "timewait", ST(TIME_WAIT) },
	{ "close", ST(CLOSE) },
	{ "closed", ST(CLOSE) },
	{ "closewait", ST(CLOSE_WAIT) },
	{ "lastack", ST(LAST_ACK) },
	{ "listen", ST(LISTEN) },
	{ "listening", ST(LISTEN) },
	{ "closing", ST(CLOSING) },
	{ "unconn", ST(CLOSE) },
	{ "unconnected", ST(CLOSE) },
	{ "all", ST_ALL },
	{ "connected", ST_CONN },
	{ "synchronized", ST_CONN & ~ST(SYN_SENT) },
	{ "bucket", ST_BUCKET },
	{ "big", ST_ALL & ~ST_BUCKET },
};
#define FP_NSTATES	(sizeof(fp_states) / sizeof(fp_states[0]))

/* Each of fp_states[] as SPEC §3 spells it, in the same order. */
static const char *const fp_state_labels[] = {
	"established", "established", "syn_sent", "syn_recv", "syn_recv",
	"fin_wait1", "fin_wait2", "time_wait", "close", "close",
	"close_wait", "last_ack", "listen", "listening", "closing",
	"unconn", "unconnected", "all", "connected", "synchronized",
	"bucket", "big",
};
_Static_assert(sizeof(fp_state_labels) / sizeof(fp_state_labels[0]) ==
    FP_NSTATES, "a label for every state word");

/*
 * The i-th state word, as a user would type it: the canonical label
 * ("time_wait"), or for an alias ("estab", "listening") the alias itself.
 */
const char *
filter_state(size_t i)
{
	const char *name, *label;

	if (i >= FP_NSTATES)
		return NULL;
	name = fp_states[i].name;
	for (label = fp_state_labels[i]; *label != '\0'; label++) {
		if (*label == '_')
			continue;
		if (*label != *name++)
			return fp_states[i].name;
	}
	return *name == '\0' ? fp_state_labels[i] : fp_states[i].name;
}

/* The states a state name stands for, or -1 with the error set. */
static int
fp_state(struct fp *p, const struct tok *t)
{
	const char *names[FP_NSTATES + 1];
	char norm[32], hint[64];
	size_t i, k = 0;
	int near;

	for (i = 0; i < t->len && k + 1 < sizeof(norm); i++) {
		char c = t->s[i];

		if (c == '-' || c == '_')
			continue;
		norm[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c);
	}
	norm[k] = '\0';
	for (i = 0; i < FP_NSTATES; i++) {
		if (!t->quoted && strcmp(norm, fp_states[i].name) == 0)
			return fp_states[i].states;
		names[i] = fp_states[i].name;
	}
	names[i] = NULL;
	hint[0] = '\0';
	if ((near = fp_suggest(norm, k, names)) >= 0)
		snprintf(hint, sizeof(hint), " (did you mean '%s'?)",
		    fp_state_labels[near]);
	fp_fail_tok(p, t, "unknown state", hint);
	return -1;
}

/*
 * The inode a netns pattern names, if it names one: digits, or the
 * "net:[INODE]" that readlink of /proc/PID/ns/net prints.
 */
static void
fp_netns_ino(struct ct_fnode *n)
{
	const char *s = n->name;
	size_t len = strlen(s), i;
	uint64_t v = 0;

	if (len > 6 && strncmp(s, "net:[", 5) == 0 && s[len - 1] == ']') {
		s += 5;
		len -= 6;
	}
	if (len == 0 || len > 19)
		return;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	n->ino = v;
}

/* Terms ----------------------------------------------------------------- */

enum fp_kw {
	KW_PORT, KW_HOST, KW_STATE, KW_EXCLUDE, KW_COMM, KW_PID, KW_UID,
	KW_USER, KW_PROTO, KW_FAMILY, KW_IS_PROTO, KW_IS_FAMILY, KW_DEV,
	KW_MARK, KW_CGROUP, KW_AUTO,
	KW_NETNS, KW_LABEL,
};

/*
 * The filter's words. Those that name a field are looked up in the one
 * vocabulary (fields.c), so -o, -g and the filter spell them alike; the
 * rest are the ss spellings (sport, dst, ...) and the constants.
 */
static const struct fp_word {
	const char	*word;		/* NULL: fields_get(field)->name */
	int		 field;		/* CT_F_*, or -1 */
	enum fp_kw	 kw;
	uint32_t	 arg;		/* end, or the constant's value */
} fp_words[] = {
	{ "sport", -1, KW_PORT, CT_END_LOCAL },
	{ "dport", -1, KW_PORT, CT_END_REMOTE },
	{ "src", -1, KW_HOST, CT_END_LOCAL },
	{ "dst", -1, KW_HOST, CT_END_REMOTE },
	{ "tcp", -1, KW_IS_PROTO, IPPROTO_TCP },
	{ "udp", -1, KW_IS_PROTO, IPPROTO_UDP },
	{ "inet", -1, KW_IS_FAMILY, AF_INET },
	{ "inet6", -1, KW_IS_FAMILY, AF_INET6 },
	{ "exclude", -1, KW_EXCLUDE, 0 },
	{ "excl", -1, KW_EXCLUDE, 0 },
	{ "autobound", -1, KW_AUTO, 0 },
	{ NULL, CT_F_LPORT, KW_PORT, CT_END_LOCAL },
	{ NULL, CT_F_RPORT, KW_PORT, CT_END_REMOTE },
	{ NULL, CT_F_LADDR, KW_HOST, CT_END_LOCAL },
	{ NULL, CT_F_RADDR, KW_HOST, CT_END_REMOTE },
	{ NULL, CT_F_STATE, KW_STATE, 0 },
	{ NULL, CT_F_COMM, KW_COMM, 0 },
	{ NULL, CT_F_PROCESS, KW_COMM, 0 },	/* "process", and "proc" */
	{ NULL, CT_F_PID, KW_PID, 0 },
	{ NULL, CT_F_UID, KW_UID, 0 },
	{ NULL, CT_F_USER, KW_USER, 0 },
	{ NULL, CT_F_PROTO, KW_PROTO, 0 },
	{ NULL, CT_F_FAMILY, KW_FAMILY, 0 },
	{ NULL, CT_F_NETNS, KW_NETNS, 0 },
	{ NULL, CT_F_CONTAINER, KW_LABEL, CT_LP_CONTAINER },
	{ NULL, CT_F_POD, KW_LABEL, CT_LP_POD },
	{ NULL, CT_F_UNIT, KW_LABEL, CT_LP_UNIT },
	{ NULL, CT_F_DEV, KW_DEV, 0 },
	{ NULL, CT_F_FWMARK, KW_MARK, 0 },
	{ NULL, CT_F_CGROUP, KW_CGROUP, 0 },
};
#define FP_NWORDS	(sizeof(fp_words) / sizeof(fp_words[0]))

static const char *
fp_word_name(const struct fp_word *w)
{
	return w->word != NULL ? w->word : fields_get(w->field)->name;
}

/*
 * Words the grammar reads outside fp_words: "proc" (a field's alias,
 * resolved by fields_lookup()) and the connectives. With fp_words they are
 * the whole vocabulary that filter_keyword() hands out.
 */
static const struct {
	const char	*word;
	enum ct_filter_arg arg;
} fp_more_words[] = {
	{ "proc", CT_FARG_VALUE },
	{ "and", CT_FARG_NONE },
	{ "or", CT_FARG_NONE },
	{ "not", CT_FARG_NONE },
};
#define FP_NMORE	(sizeof(fp_more_words) / sizeof(fp_more_words[0]))

/*
 * What follows a keyword of this kind. No default case: a new kind of
 * word must say here what it takes, or -Wswitch asks why.
 */
static enum ct_filter_arg
fp_kw_arg(enum fp_kw kw)
{
	switch (kw) {
	case KW_STATE:
	case KW_EXCLUDE:
		return CT_FARG_STATE;
	case KW_IS_PROTO:
	case KW_IS_FAMILY:
	case KW_AUTO:
		return CT_FARG_NONE;
	case KW_DEV:
	case KW_MARK:
	case KW_CGROUP:
	case KW_PORT:
	case KW_HOST:
	case KW_COMM:
	case KW_PID:
	case KW_UID:
	case KW_USER:
	case KW_PROTO:
	case KW_FAMILY:
	case KW_NETNS:
	case KW_LABEL:
		return CT_FARG_VALUE;
	}
	return CT_FARG_VALUE;
}

const char *
filter_keyword(size_t i, enum ct_filter_arg *arg)
{
	if (i < FP_NWORDS) {
		*arg = fp_kw_arg(fp_words[i].kw);
		return fp_word_name(&fp_words[i]);
	}
	if ((i -= FP_NWORDS) < FP_NMORE) {
		*arg = fp_more_words[i].arg;
		return fp_more_words[i].word;
	}
	return NULL;
}

/* The keyword t spells, NULL when none; *field: its field id or -1. */
static const struct fp_word *
fp_keyword(const struct tok *t, int *field)
{
	size_t i;

	*field = -1;
	if (t->quoted)
		return NULL;
	for (i = 0; i < FP_NWORDS; i++)
		if (fp_words[i].word != NULL && fp_word_is(t, fp_words[i].word))
			return &fp_words[i];
	if ((*field = fields_lookup(t->s, t->len)) < 0)
		return NULL;
	for (i = 0; i < FP_NWORDS; i++)
		if (fp_words[i].field == *field)
			return &fp_words[i];
	return NULL;
}

/* The value after keyword kw, or NULL ("missing <what> after ..."). */
static const struct tok *
fp_value(struct fp *p, const struct tok *kw, const char *what)
{
	const struct tok *t = fp_peek(p);
	char w[FP_ESC];

	if (t->type != TK_WORD) {
		fp_fail(p, kw->col, "missing %s after '%s' at column %d", what,
		    fp_esc(kw->s, kw->len, w), kw->col);
		return NULL;
	}
	p->i++;
	return t;
}

static const struct {
	const char	*word;
	enum ct_fn_cmp	 cmp;
} fp_cmp_words[] = {
	{ "eq", CT_CMP_EQ }, { "ne", CT_CMP_NE }, { "neq", CT_CMP_NE },
	{ "lt", CT_CMP_LT }, { "le", CT_CMP_LE }, { "leq", CT_CMP_LE },
	{ "gt", CT_CMP_GT }, { "ge", CT_CMP_GE }, { "geq", CT_CMP_GE },
};

/* An optional comparison after a keyword: = == != < <= > >= eq ... geq. */
static const struct tok *
fp_cmp(struct fp *p, enum ct_fn_cmp *cmp)
{
	const struct tok *t = fp_peek(p);
	size_t i;

	*cmp = CT_CMP_EQ;
	if (t->type == TK_CMP) {
		*cmp = t->cmp;
		p->i++;
		return t;
	}
	for (i = 0; i < sizeof(fp_cmp_words) / sizeof(fp_cmp_words[0]); i++) {
		if (fp_word_is(t, fp_cmp_words[i].word)) {
			*cmp = fp_cmp_words[i].cmp;
			p->i++;
			return t;
		}
	}
	return NULL;
}

/* For words that compare by equality only: an optional = or !=. */
static int
fp_eq(struct fp *p, const struct tok *kw, bool *negate, const struct tok **op)
{
	enum ct_fn_cmp cmp;
	char w[FP_ESC], k[FP_ESC];

	*op = fp_cmp(p, &cmp);
	*negate = cmp == CT_CMP_NE;
	if (*op == NULL || cmp == CT_CMP_EQ || cmp == CT_CMP_NE)
		return 0;
	fp_fail(p, (*op)->col, "comparison '%s' at column %d does not apply to "
	    "'%s' (only = and !=)", fp_esc((*op)->s, (*op)->len, w), (*op)->col,
	    fp_esc(kw->s, kw->len, k));
	return -1;
}

/* Does a word that is no keyword look like an address? */
static bool
fp_addressish(const struct tok *t)
{
	char c = t->s[0];

	return (c >= '0' && c <= '9') || c == '[' || c == '*' || c == ':' ||
	    memchr(t->s, ':', t->len) != NULL;
}

static void
fp_unknown(struct fp *p, const struct tok *t, int field)
{
	const char *words[FP_NWORDS + FP_NMORE + 1];
	enum ct_filter_arg arg;
	char hint[64], w[FP_ESC];
	size_t n = 0;
	int near;

	if (field >= 0) {
		fp_fail(p, t->col, "'%s' at column %d is a field, but not one a "
		    "filter tests", fp_esc(t->s, t->len, w), t->col);
		return;
	}
	while ((words[n] = filter_keyword(n, &arg)) != NULL)
		n++;
	hint[0] = '\0';
	if (!t->quoted && (near = fp_suggest(t->s, t->len, words)) >= 0)
		snprintf(hint, sizeof(hint), " (did you mean '%s'?)", words[near]);
	fp_fail_tok(p, t, "unknown word", hint);
}

/* A host term, anded with the family an "inet:" in front of it named. */
static struct ct_fnode *
fp_host_term(struct fp *p, const struct tok *v, enum ct_fn_end end)
{
	struct ct_fnode *n = fp_node(CT_FN_HOST), *f;
	uint8_t family;

	n->end = end;
	if (fp_host(p, v, &n->host, &family) != 0) {
		filter_node_free(n);
		return NULL;
	}
	if (family == AF_UNSPEC)
		return n;
	f = fp_node(CT_FN_FAMILY);
	f->num = family;
	return fp_binary(CT_FN_AND, f, n);
}

/*
 * The id of a cgroup v2 directory: PATH under the cgroup2 mount (as ss:
 * "/system.slice", or the mount's own path in front), found with
 * name_to_handle_at(2), whose handle on cgroupfs is the 64-bit id the
 * kernel reports as INET_DIAG_CGROUP_ID. Returns the id, or 0.
 */
static uint64_t
fp_cgroup_id(const char *path)
{
	struct {
		struct file_handle fh;
		uint64_t	 id;
	} h;
	char full[4096];
	struct mntent *m;
	uint64_t id = 0;
	FILE *fp;
	int mnt;

	if ((fp = setmntent("/proc/self/mounts", "r")) == NULL)
		return 0;
	while ((m = getmntent(fp)) != NULL) {
		size_t ml = strlen(m->mnt_dir);

		if (strcmp(m->mnt_type, "cgroup2") != 0)
			continue;
		if (strncmp(path, m->mnt_dir, ml) == 0 &&
		    (path[ml] == '/' || path[ml] == '\0'))
			path += ml;	/* the mount's path given too */
		while (*path == '/')
			path++;
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", m->mnt_dir,
		    path) >= sizeof(full))
			break;
		memset(&h, 0, sizeof(h));
		h.fh.handle_bytes = sizeof(h.id);
		if (name_to_handle_at(AT_FDCWD, full, &h.fh, &mnt, 0) == 0 &&
		    h.fh.handle_bytes == sizeof(h.id))
			memcpy(&id, h.fh.f_handle, sizeof(id));
		break;
	}
	endmntent(fp);
	return id;
}

/* The words that take one value, with an optional = or !=. */
static struct ct_fnode *
fp_value_term(struct fp *p, const struct tok *kw, const struct fp_word *w)
{
	const struct tok *v, *op;
	struct ct_fnode *n;
	struct passwd *pw;
	bool negate = false;
	char *text;
	int field, rc;

	if (fp_eq(p, kw, &negate, &op) != 0)
		return NULL;
	switch (w->kw) {
	case KW_STATE:
		if ((v = fp_value(p, kw, "state")) == NULL ||
		    (rc = fp_state(p, v)) < 0)
			return NULL;
		n = fp_node(CT_FN_STATE);
		n->states = (uint16_t)rc;
		if (op == NULL)
			p->plain = FP_STATE;	/* may join its neighbours */
		break;
	case KW_PROTO:
	case KW_FAMILY: {
		bool proto = w->kw == KW_PROTO;
		const struct fp_word *c;

		if ((v = fp_value(p, kw, proto ? "protocol" : "family")) == NULL)
			return NULL;
		if ((c = fp_keyword(v, &field)) == NULL ||
		    c->kw != (proto ? KW_IS_PROTO : KW_IS_FAMILY)) {
			fp_fail_tok(p, v, proto ? "unknown protocol" :
			    "unknown family", proto ? " (tcp or udp)" :
			    " (inet or inet6)");
			return NULL;
		}
		n = fp_node(proto ? CT_FN_PROTO : CT_FN_FAMILY);
		n->num = c->arg;
		break;
	}
	case KW_COMM:
		if ((v = fp_value(p, kw, "process name")) == NULL)
			return NULL;
		n = fp_node(CT_FN_COMM);
		if (fp_unescape(p, v, &n->name, &n->pattern) != 0) {
			filter_node_free(n);
			return NULL;
		}
		p->needs |= CT_FNEED_OWNERS;
		break;
	case KW_PID:
	case KW_UID:
		if ((v = fp_value(p, kw, w->kw == KW_PID ? "pid" : "uid")) == NULL)
			return NULL;
		n = fp_node(w->kw == KW_PID ? CT_FN_PID : CT_FN_UID);
		if (fp_number(v->s, v->len, UINT32_MAX, &n->num) != 0) {
			fp_fail_tok(p, v, w->kw == KW_PID ? "bad pid" : "bad uid", "");
			filter_node_free(n);
			return NULL;
		}
		if (w->kw == KW_PID)
			p->needs |= CT_FNEED_OWNERS;
		break;
	case KW_NETNS:
	case KW_LABEL:
		if ((v = fp_value(p, kw, w->kw == KW_NETNS ? "namespace" :
		    "pattern")) == NULL)
			return NULL;
		n = fp_node(w->kw == KW_NETNS ? CT_FN_NETNS : CT_FN_LABEL);
		/* names are anyone's to choose: they paste back as printed */
		if (fp_unescape(p, v, &n->name, &n->pattern) != 0) {
			filter_node_free(n);
			return NULL;
		}
		if (w->kw == KW_LABEL) {
			n->num = w->arg;
			/* a label is its owner's */
			p->needs |= CT_FNEED_OWNERS | CT_FNEED_LABELS;
		} else {
			fp_netns_ino(n);
		}
		break;
	case KW_USER:
		if ((v = fp_value(p, kw, "user name")) == NULL)
			return NULL;
		n = fp_node(CT_FN_UID);
		if (fp_number(v->s, v->len, UINT32_MAX, &n->num) == 0)
			break;			/* a uid is a user too */
		if (fp_unescape(p, v, &text, NULL) != 0) {
			filter_node_free(n);
			return NULL;
		}
		pw = getpwnam(text);
		free(text);
		if (pw == NULL) {
			fp_fail_tok(p, v, "unknown user", "");
			filter_node_free(n);
			return NULL;
		}
		n->num = pw->pw_uid;
		break;
	case KW_DEV:
		/* a name of this namespace's devices, else an index, as ss */
		if ((v = fp_value(p, kw, "device")) == NULL ||
		    fp_unescape(p, v, &text, NULL) != 0)
			return NULL;
		n = fp_node(CT_FN_DEV);
		if ((n->num = if_nametoindex(text)) == 0 &&
		    fp_cnumber(v->s, v->len, UINT32_MAX, &n->num) != 0) {
			fp_fail_tok(p, v, "unknown device", "");
			free(text);
			filter_node_free(n);
			return NULL;
		}
		free(text);
		break;
	case KW_MARK: {
		const char *slash;
		size_t len;

		if ((v = fp_value(p, kw, "mark")) == NULL)
			return NULL;
		n = fp_node(CT_FN_MARK);
		n->mask = UINT32_MAX;
		slash = memchr(v->s, '/', v->len);
		len = slash != NULL ? (size_t)(slash - v->s) : v->len;
		if (fp_cnumber(v->s, len, UINT32_MAX, &n->num) != 0 ||
		    (slash != NULL && fp_cnumber(slash + 1, v->len - len - 1,
		    UINT32_MAX, &n->mask) != 0)) {
			fp_fail_tok(p, v, "bad mark", " (VALUE or VALUE/MASK)");
			filter_node_free(n);
			return NULL;
		}
		p->needs |= CT_FNEED_EXT | CT_FNEED_MARK;
		break;
	}
	case KW_CGROUP:
		if ((v = fp_value(p, kw, "cgroup path")) == NULL)
			return NULL;
		n = fp_node(CT_FN_CGROUP);
		if (fp_unescape(p, v, &n->name, NULL) != 0) {
			filter_node_free(n);
			return NULL;
		}
		if ((n->id = fp_cgroup_id(n->name)) == 0) {
			fp_fail_tok(p, v, "no such cgroup v2 directory", "");
			filter_node_free(n);
			return NULL;
		}
		p->needs |= CT_FNEED_EXT;
		break;
	default:
		return NULL;			/* not reached */
	}
	return negate ? fp_not(n) : n;
}

static struct ct_fnode *
fp_term(struct fp *p)
{
	const struct tok *kw = fp_peek(p), *v;
	const struct fp_word *w;
	struct ct_fnode *n;
	int field, rc;

	if (++p->terms > FP_MAX_TERMS) {
		fp_fail(p, kw->col, "filter too long at column %d (at most %d "
		    "terms)", kw->col, FP_MAX_TERMS);
		return NULL;
	}
	p->i++;
	if ((w = fp_keyword(kw, &field)) == NULL) {
		n = fp_node(CT_FN_PORT);
		if (!kw->quoted && kw->len > 0 && kw->s[0] == ':' &&
		    memchr(kw->s + 1, ':', kw->len - 1) == NULL) {
			/* ":PORT": either end's port */
			n->end = CT_END_EITHER;
			if ((rc = fp_port(p, kw, kw->s, kw->len)) >= 0) {
				n->num = (uint32_t)rc;
				return n;
			}
		} else if (!kw->quoted && fp_number(kw->s, kw->len, UINT32_MAX,
		    &n->num) == 0) {
			char e[FP_ESC];

			fp_fail(p, kw->col, "bad address '%s' at column %d (a "
			    "port is written ':%s')", fp_esc(kw->s, kw->len, e),
			    kw->col, e);
		} else if (!kw->quoted && fp_addressish(kw)) {
			filter_node_free(n);
			return fp_host_term(p, kw, CT_END_EITHER);
		} else {
			fp_unknown(p, kw, field);
		}
		filter_node_free(n);
		return NULL;
	}
	switch (w->kw) {
	case KW_IS_PROTO:
	case KW_IS_FAMILY:
		n = fp_node(w->kw == KW_IS_PROTO ? CT_FN_PROTO : CT_FN_FAMILY);
		n->num = w->arg;
		return n;
	case KW_AUTO:
		p->needs |= CT_FNEED_AUTO;
		return fp_node(CT_FN_AUTO);
	case KW_EXCLUDE:
		/* ss: every state but these (joined to its neighbours) */
		if ((v = fp_value(p, kw, "state")) == NULL ||
		    (rc = fp_state(p, v)) < 0)
			return NULL;
		n = fp_node(CT_FN_STATE);
		n->states = (uint16_t)(CT_STATES_ALL & ~(unsigned)rc);
		p->plain = FP_EXCLUDE;
		return n;
	case KW_PORT: {
		enum ct_fn_cmp cmp;
		const struct tok *op = fp_cmp(p, &cmp);

		if ((v = fp_value(p, op != NULL ? op : kw, "port")) == NULL ||
		    (rc = fp_port(p, v, v->s, v->len)) < 0)
			return NULL;
		n = fp_node(CT_FN_PORT);
		n->end = (enum ct_fn_end)w->arg;
		n->cmp = cmp;
		n->num = (uint32_t)rc;
		return n;
	}
	case KW_HOST: {
		const struct tok *op;
		bool negate;

		if (fp_eq(p, kw, &negate, &op) != 0 ||
		    (v = fp_value(p, op != NULL ? op : kw, "address")) == NULL ||
		    (n = fp_host_term(p, v, (enum ct_fn_end)w->arg)) == NULL)
			return NULL;
		return negate ? fp_not(n) : n;
	}
	default:
		return fp_value_term(p, kw, w);
	}
}

/* Expressions ----------------------------------------------------------- */

static struct ct_fnode *fp_seq(struct fp *p, bool top);

/* Can an operand start at t? */
static bool
fp_operand_ends(const struct tok *t)
{
	return t->type == TK_END || t->type == TK_RPAREN || t->type == TK_AND ||
	    t->type == TK_OR;
}

static bool
fp_enter(struct fp *p, const struct tok *t)
{
	if (++p->depth <= FP_MAX_DEPTH)
		return true;
	fp_fail(p, t->col, "too deeply nested at column %d (at most %d levels "
	    "of parentheses and not)", t->col, FP_MAX_DEPTH);
	return false;
}

static void
fp_dangling(struct fp *p, const struct tok *t, const char *where)
{
	char w[FP_ESC];

	fp_fail(p, t->col, "dangling operator '%s' at column %d: nothing %s it",
	    fp_esc(t->s, t->len, w), t->col, where);
}

static struct ct_fnode *
fp_unary(struct fp *p)
{
	const struct tok *t = fp_peek(p);
	struct ct_fnode *e;
	char w[FP_ESC];

	p->plain = FP_OTHER;
	switch (t->type) {
	case TK_NOT:
		if (!fp_enter(p, t))
			return NULL;
		p->i++;
		if (fp_operand_ends(fp_peek(p))) {
			fp_dangling(p, t, "follows");
			return NULL;
		}
		if ((e = fp_unary(p)) == NULL)
			return NULL;
		p->depth--;
		p->plain = FP_OTHER;
		return fp_not(e);
	case TK_LPAREN:
		if (!fp_enter(p, t))
			return NULL;
		p->i++;
		if (fp_peek(p)->type == TK_RPAREN) {
			fp_fail(p, t->col, "empty parentheses at column %d", t->col);
			return NULL;
		}
		if ((e = fp_seq(p, false)) == NULL)
			return NULL;
		if (fp_peek(p)->type != TK_RPAREN) {
			fp_fail(p, t->col, "unbalanced parentheses: '(' at column "
			    "%d is never closed", t->col);
			filter_node_free(e);
			return NULL;
		}
		p->i++;
		p->depth--;
		p->plain = FP_OTHER;
		return e;
	case TK_RPAREN:
		fp_fail(p, t->col, "unbalanced parentheses: ')' at column %d has "
		    "no '('", t->col);
		return NULL;
	case TK_AND:
	case TK_OR:
		fp_dangling(p, t, "before");
		return NULL;
	case TK_CMP:
		fp_fail(p, t->col, "comparison '%s' at column %d follows no port "
		    "word (as in 'dport >= 1024')", fp_esc(t->s, t->len, w),
		    t->col);
		return NULL;
	case TK_END:
		fp_fail(p, t->col, "missing operand at column %d", t->col);
		return NULL;
	case TK_WORD:
		break;
	}
	return fp_term(p);
}

/* One operand of a sequence and the operator before it. */
struct fp_item {
	struct ct_fnode	*node;
	enum fp_plain	 plain;		/* a bare state or exclude word */
	enum tok_type	 op;		/* before it: TK_AND, TK_OR, TK_WORD
					   for side by side; TK_END first */
	const struct tok *optok;	/* that operator, or NULL */
	size_t		 b, e;		/* its text: [b, e) of p->text */
};

/* A reading being built: room for the whole filter and its parentheses. */
struct fp_text {
	char		*s;
	size_t		 len, cap;
};

static void
fp_put(struct fp_text *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* The text of an operator in a reading: its own word, or a blank. */
static void
fp_put_op(struct fp_text *b, const struct fp_item *it)
{
	fp_put(b, " ", 1);
	if (it->optok == NULL)
		return;
	fp_put(b, it->optok->s, it->optok->len);
	fp_put(b, " ", 1);
}

static void
fp_put_item(struct fp *p, struct fp_text *b, const struct fp_item *it)
{
	fp_put(b, p->text + it->b, it->e - it->b);
}

static bool
fp_is_or(const struct fp_item *it)
{
	return it->op == TK_OR;
}

/*
 * The two readings of a sequence that mixes "or" with "and": ss's, from
 * left to right (after the state words a filter starts with, which ss
 * applies to all the rest), and the usual one, "and" first. Both are the
 * caller's to free.
 */
static void
fp_readings(struct fp *p, const struct fp_item *it, size_t n, size_t first,
    char **ss, char **usual)
{
	struct fp_text l = { NULL, 0, 0 }, u = { NULL, 0, 0 };
	struct fp_text r = { NULL, 0, 0 }, w = { NULL, 0, 0 };
	size_t i, j, k;

	/* ss: ((a or b) and c) or d: a parenthesis wherever the kind changes */
	fp_put(&l, "", 0);
	for (i = first; i < n; i++) {
		if (i > first + 1 && fp_is_or(&it[i]) != fp_is_or(&it[i - 1])) {
			w.len = 0;
			fp_put(&w, "(", 1);
			fp_put(&w, l.s, l.len);
			fp_put(&w, ")", 1);
			l.len = 0;
			fp_put(&l, w.s, w.len);
		}
		if (i > first)
			fp_put_op(&l, &it[i]);
		fp_put_item(p, &l, &it[i]);
	}
	fp_put(&r, "", 0);
	for (i = 0; i < first; i++) {
		if (i > 0)
			fp_put_op(&r, &it[i]);
		fp_put_item(p, &r, &it[i]);
	}
	if (first > 0)
		fp_put(&r, " (", 2);
	fp_put(&r, l.s, l.len);
	if (first > 0)
		fp_put(&r, ")", 1);
	/* the usual: a or (b and c) or d */
	fp_put(&u, "", 0);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !fp_is_or(&it[j]); j++)
			;
		if (i > 0)
			fp_put_op(&u, &it[i]);
		if (j - i > 1)
			fp_put(&u, "(", 1);
		for (k = i; k < j; k++) {
			if (k > i)
				fp_put_op(&u, &it[k]);
			fp_put_item(p, &u, &it[k]);
		}
		if (j - i > 1)
			fp_put(&u, ")", 1);
	}
	free(l.s);
	free(w.s);
	*ss = r.s;
	*usual = u.s;
}

/*
 * A reading, fit to quote in a message: escaped as util_escape() does,
 * but for the blanks between the words; cut with "..." to FP_READING.
 */
static void
fp_quote(const char *in, char out[FP_READING])
{
	size_t n = 0, m, total = 0, room;
	const char *c;
	char one[8];

	for (c = in; *c != '\0'; c++)
		total += *c == ' ' ? 1 : util_escape(c, 1, one, sizeof(one));
	/* whole escapes only, and room for the dots when it does not fit */
	room = total < FP_READING ? FP_READING - 1 : FP_READING - 4;
	for (c = in; *c != '\0'; c++) {
		if (*c == ' ') {
			one[0] = ' ';
			m = 1;
		} else {
			m = util_escape(c, 1, one, sizeof(one));
		}
		if (n + m > room)
			break;
		memcpy(out + n, one, m);
		n += m;
	}
	if (*c != '\0') {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

static void
fp_items_free(struct fp_item *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		filter_node_free(it[i].node);
	free(it);
}

/*
 * A sequence of operands: all joined by "or", or all by "and" (written,
 * or implied by two side by side), never both without parentheses.
 * Bare state words side by side are one set of states, as in ss.
 */
static struct ct_fnode *
fp_seq(struct fp *p, bool top)
{
	struct fp_item *it = NULL;
	size_t n = 0, cap = 0, i, k, lead = 0;
	const struct tok *t, *firstor = NULL, *firstand = NULL;
	bool mixed = false;
	struct ct_fnode *root;

	for (;;) {
		enum tok_type op = n == 0 ? TK_END : TK_WORD;
		const struct tok *optok = NULL;
		size_t b;

		t = fp_peek(p);
		if (n > 0) {
			if (t->type == TK_END || t->type == TK_RPAREN)
				break;
			if (t->type == TK_AND || t->type == TK_OR) {
				op = t->type;
				optok = t;
				p->i++;
				if (fp_operand_ends(fp_peek(p))) {
					fp_dangling(p, t, "follows");
					fp_items_free(it, n);
					return NULL;
				}
			}
		}
		if (n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			it = xreallocarray(it, cap, sizeof(*it));
		}
		b = (size_t)(fp_peek(p)->col - 1);
		if ((it[n].node = fp_unary(p)) == NULL) {
			fp_items_free(it, n);
			return NULL;
		}
		it[n].plain = p->plain;
		it[n].op = op;
		it[n].optok = optok;
		it[n].b = b;
		it[n].e = p->t[p->i - 1].end;
		n++;
	}
	/* state words side by side: one set, as ss builds it */
	for (i = 0, k = 0; i < n; i++) {
		if (k > 0 && it[i].plain != FP_OTHER && it[i].op == TK_WORD &&
		    it[k - 1].plain != FP_OTHER) {
			struct ct_fnode *run = it[k - 1].node;

			if (it[i].plain == FP_STATE)
				run->states |= it[i].node->states;
			else
				run->states &= it[i].node->states;
			it[k - 1].e = it[i].e;
			filter_node_free(it[i].node);
			continue;
		}
		it[k++] = it[i];
	}
	n = k;
	/*
	 * The readings part only where an "and" follows an "or" (a or b and
	 * c), or where ss takes the state words a filter starts with apart
	 * from an "or" after them (state x a or b: x and (a or b)).
	 */
	if (top && n > 2 && it[0].plain != FP_OTHER &&
	    it[0].b == (size_t)(p->t[0].col - 1) && it[1].op != TK_OR)
		lead = 1;
	for (i = 1; i < n; i++) {
		if (it[i].op == TK_OR && firstor == NULL)
			firstor = it[i].optok;
		else if (it[i].op != TK_OR && (firstor != NULL || lead))
			mixed = true;
		if (it[i].op == TK_AND)
			firstand = it[i].optok;
	}
	if (firstor != NULL && mixed) {
		char ess[FP_READING], eusual[FP_READING], *ss, *usual;

		fp_readings(p, it, n, lead, &ss, &usual);
		fp_quote(ss, ess);
		fp_quote(usual, eusual);
		free(ss);
		free(usual);
		fp_fail(p, firstor->col, "'or' at column %d mixed with %s needs "
		    "parentheses: ss reads '%s', others '%s'", firstor->col,
		    firstand != NULL ? "'and'" : "terms side by side", ess, eusual);
		fp_items_free(it, n);
		return NULL;
	}
	root = it[0].node;
	for (i = 1; i < n; i++)
		root = fp_binary(it[i].op == TK_OR ? CT_FN_OR : CT_FN_AND, root,
		    it[i].node);
	free(it);
	return root;
}

int
filter_parse(int argc, char *const argv[], struct ct_filter **out,
    struct ct_filter_error *err)
{
	struct fp p;
	struct ct_fnode *root = NULL;
	size_t len = 1;
	char *text;
	int i;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	if (argc <= 0)
		return 0;
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	text = xmalloc(len);
	text[0] = '\0';
	for (len = 0, i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (i > 0)
			text[len++] = ' ';
		memcpy(text + len, argv[i], n + 1);
		len += n;
	}
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.text = text;
	if (fp_lex(&p) == 0) {
		if (p.n == 0) {
			/* only blanks: no filter at all, like no words */
			free(p.t);
			free(text);
			return 0;
		}
		if ((root = fp_seq(&p, true)) != NULL &&
		    fp_peek(&p)->type != TK_END) {
			/* fp_seq() stops early only at a ')' it cannot match */
			fp_fail(&p, fp_peek(&p)->col, "unbalanced parentheses: ')' "
			    "at column %d has no '('", fp_peek(&p)->col);
			filter_node_free(root);
			root = NULL;
		}
	}
	free(p.t);
	free(text);
	if (root == NULL) {
		if (!p.failed)
			fp_fail(&p, 1, "cannot parse the filter at column 1");
		return -EINVAL;
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->root = root;
	(*out)->needs = p.needs;
	return 0;
}
