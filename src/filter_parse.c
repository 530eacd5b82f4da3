/*
 * The filter language of SPEC §5: a lexer and a recursive-descent parser
 * from the command-line words to the tree of filter_ast.h.
 *
 *   filter := or
 *   or     := and { ("or" | "||") and }
 *   and    := unary { [ "and" | "&&" ] unary }      adjacent terms mean and
 *   unary  := ("not" | "!") unary | "(" or ")" | term
 *   term   := PORTWORD [CMP] PORT            sport dport lport rport
 *           | HOSTWORD HOST                  src dst laddr raddr
 *           | "state" STATE | "proto" P | "family" F
 *           | ("comm" | "proc" | "process") [= | !=] NAME
 *           | ("pid" | "uid" | "user") [= | !=] VALUE
 *           | "netns" [= | !=] NAME|INODE    a shell pattern, or "net:[INODE]"
 *           | ("container" | "pod" | "unit") [= | !=] PATTERN
 *           | "tcp" | "udp" | "inet" | "inet6"
 *           | ":" PORT                       either end's port
 *           | HOST                           either end's address
 *   HOST   := ADDR[/PREFIX][:PORT] | [ADDR6][/PREFIX][:PORT] | ADDR6[/PREFIX]
 *           | *[:PORT]
 *
 * The words are joined with single spaces before lexing, so one quoted
 * argument and many words read the same, and every error names a column
 * of that joined text. Keywords and state names are case-insensitive.
 */
#include "filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "fields.h"
#include "filter_ast.h"
#include "label.h"
#include "sock.h"
#include "util.h"

#define FP_MAX_DEPTH	100	/* nested parentheses and nots */
#define FP_MAX_TERMS	1000	/* terms: bounds the depth of the tree */
#define FP_ESC		72	/* room for one escaped word in a message */

enum tok_type {
	TK_WORD,		/* a word, or a "quoted word" */
	TK_LPAREN,
	TK_RPAREN,
	TK_NOT,			/* ! not */
	TK_AND,			/* && and */
	TK_OR,			/* || or */
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
};

struct fp {
	struct tok	*t;		/* t[n] is TK_END */
	size_t		 n, cap, i;
	int		 depth;
	unsigned	 terms;
	bool		 owners;
	bool		 labels;
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
fp_push(struct fp *p, enum tok_type type, const char *s, size_t len,
    const char *text)
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
	t->col = (int)(s - text) + 1;
	return t;
}

static bool
fp_word_is(const struct tok *t, const char *word)
{
	return t->type == TK_WORD && !t->quoted && strlen(word) == t->len &&
	    strncasecmp(t->s, word, t->len) == 0;
}

static int
fp_lex(struct fp *p, const char *text)
{
	static const char blanks[] = " \t\n\r\v\f";
	static const char ends[] = " \t\n\r\v\f()!=<>&|\"";
	const char *s = text;
	struct tok *t;

	for (;;) {
		s += strspn(s, blanks);
		if (*s == '\0')
			break;
		switch (*s) {
		case '(':
		case ')':
			fp_push(p, *s == '(' ? TK_LPAREN : TK_RPAREN, s, 1, text);
			s++;
			continue;
		case '!':
		case '=':
		case '<':
		case '>':
			t = fp_push(p, TK_CMP, s, s[1] == '=' ? 2 : 1, text);
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
			if (s[1] != s[0]) {
				fp_fail(p, (int)(s - text) + 1,
				    "unknown operator '%c' at column %d (did you mean '%c%c'?)",
				    *s, (int)(s - text) + 1, *s, *s);
				return -EINVAL;
			}
			fp_push(p, *s == '&' ? TK_AND : TK_OR, s, 2, text);
			s += 2;
			continue;
		case '"': {
			const char *end = strchr(s + 1, '"');

			if (end == NULL) {
				fp_fail(p, (int)(s - text) + 1,
				    "unterminated quote at column %d",
				    (int)(s - text) + 1);
				return -EINVAL;
			}
			t = fp_push(p, TK_WORD, s + 1, (size_t)(end - s - 1), text);
			t->col--;		/* the column of the quote */
			t->quoted = true;
			s = end + 1;
			continue;
		}
		default:
			break;
		}
		t = fp_push(p, TK_WORD, s, strcspn(s, ends), text);
		s += t->len;
		if (fp_word_is(t, "and"))
			t->type = TK_AND;
		else if (fp_word_is(t, "or"))
			t->type = TK_OR;
		else if (fp_word_is(t, "not"))
			t->type = TK_NOT;
	}
	t = fp_push(p, TK_END, s, 0, text);
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
 * A port in s (len bytes) of token t: a number 0-65535 or a service name
 * from the services database, after one optional ':'. Returns the port,
 * or -1 with the error set.
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
		if ((rc = fp_number(s, len, 65535, &v)) == 0)
			return (int32_t)v;
		fp_fail_tok(p, t, rc == -2 ? "port out of range 0-65535:" :
		    "bad port", "");
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
 * An address term's value: "127.0.0.1", "10.0.0.0/8:500", "[::1]:500",
 * "[::1]/128", "::1/128", "*:500". Returns 0, or -1 with the error set.
 */
static int
fp_host(struct fp *p, const struct tok *t, struct ct_bc_host *h)
{
	char buf[128], *addr = buf, *pfx = NULL, *port = NULL, *rest;
	unsigned bits;
	uint32_t v;
	int rc;

	memset(h, 0, sizeof(*h));
	h->port = -1;
	if (t->len >= sizeof(buf) || memchr(t->s, '\0', t->len) != NULL)
		goto bad;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	if (buf[0] == '[') {
		if ((rest = strchr(buf, ']')) == NULL)
			goto bad;
		*rest++ = '\0';
		addr = buf + 1;
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
	} else if (strchr(buf, ':') == strrchr(buf, ':')) {
		/* no colon, or one: IPv4 (or '*') with an optional port */
		if ((port = strchr(buf, ':')) != NULL)
			*port++ = '\0';
		if ((pfx = strchr(addr, '/')) != NULL)
			*pfx++ = '\0';
	} else {
		/* a bare IPv6 address: its colons leave no room for a port */
		if ((pfx = strchr(addr, '/')) != NULL)
			*pfx++ = '\0';
	}
	if (strcmp(addr, "*") == 0 || (addr[0] == '\0' && port != NULL &&
	    addr == buf)) {
		if (pfx != NULL)
			goto bad;
		h->family = AF_UNSPEC;
	} else if (inet_pton(AF_INET, addr, h->addr) == 1) {
		h->family = AF_INET;
	} else if (inet_pton(AF_INET6, addr, h->addr) == 1) {
		h->family = AF_INET6;
	} else {
		goto bad;
	}
	bits = h->family == AF_INET6 ? 128 : h->family == AF_INET ? 32 : 0;
	h->prefix = (uint8_t)bits;
	if (pfx != NULL) {
		if ((rc = fp_number(pfx, strlen(pfx), 255, &v)) == -1) {
			fp_fail_tok(p, t, "bad prefix in", "");
			return -1;
		}
		if (rc != 0 || v > bits) {
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

/* State names ----------------------------------------------------------- */

#define ST(x)		(1u << CT_ST_##x)
#define ST_ALL		CT_STATES_ALL
#define ST_CONN		(ST_ALL & ~(ST(LISTEN) | ST(CLOSE)))
#define ST_BUCKET	(ST(SYN_RECV) | ST(TIME_WAIT))

/*
 * Every state of SPEC §3 and the classes of ss(8). A name matches after
 * dropping '-' and '_' and ignoring case, so TIME_WAIT, time-wait and
 * timewait are one. "listen" means what -l means: TCP LISTEN and UDP
 * UNCONN. UDP's UNCONN is the kernel's CLOSE, as in ss.
 */
static const struct {
	const char	*name;		/* as matched: lower case, no - or _ */
	const char	*label;		/* canonical, for filter_print() */
	uint16_t	 tcp, udp;
} fp_states[] = {
	{ "established", "established", ST(ESTABLISHED), ST(ESTABLISHED) },
	{ "estab", "established", ST(ESTABLISHED), ST(ESTABLISHED) },
	{ "synsent", "syn_sent", ST(SYN_SENT), ST(SYN_SENT) },
	{ "synrecv", "syn_recv", ST(SYN_RECV), ST(SYN_RECV) },
	{ "synrcv", "syn_recv", ST(SYN_RECV), ST(SYN_RECV) },
	{ "finwait1", "fin_wait1", ST(FIN_WAIT1), ST(FIN_WAIT1) },
	{ "finwait2", "fin_wait2", ST(FIN_WAIT2), ST(FIN_WAIT2) },
	{ "timewait", "time_wait", ST(TIME_WAIT), ST(TIME_WAIT) },
	{ "close", "close", ST(CLOSE), ST(CLOSE) },
	{ "closed", "close", ST(CLOSE), ST(CLOSE) },
	{ "closewait", "close_wait", ST(CLOSE_WAIT), ST(CLOSE_WAIT) },
	{ "lastack", "last_ack", ST(LAST_ACK), ST(LAST_ACK) },
	{ "listen", "listen", ST(LISTEN), ST(CLOSE) },
	{ "listening", "listen", ST(LISTEN), ST(CLOSE) },
	{ "closing", "closing", ST(CLOSING), ST(CLOSING) },
	{ "unconn", "unconn", ST(CLOSE), ST(CLOSE) },
	{ "unconnected", "unconn", ST(CLOSE), ST(CLOSE) },
	{ "all", "all", ST_ALL, ST_ALL },
	{ "connected", "connected", ST_CONN, ST_CONN },
	{ "synchronized", "synchronized", ST_CONN & ~ST(SYN_SENT),
	    ST_CONN & ~ST(SYN_SENT) },
	{ "bucket", "bucket", ST_BUCKET, ST_BUCKET },
	{ "big", "big", ST_ALL & ~ST_BUCKET, ST_ALL & ~ST_BUCKET },
};

/*
 * The i-th state word, as a user would type it: the canonical label
 * ("time_wait"), or for an alias ("estab", "listening") the alias itself.
 */
const char *
filter_state(size_t i)
{
	const char *name, *label;

	if (i >= sizeof(fp_states) / sizeof(fp_states[0]))
		return NULL;
	name = fp_states[i].name;
	for (label = fp_states[i].label; *label != '\0'; label++) {
		if (*label == '_')
			continue;
		if (*label != *name++)
			return fp_states[i].name;
	}
	return *name == '\0' ? fp_states[i].label : fp_states[i].name;
}

static int
fp_state(struct fp *p, const struct tok *t, struct ct_fnode *n)
{
	const char *names[sizeof(fp_states) / sizeof(fp_states[0]) + 1];
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
	for (i = 0; i < sizeof(fp_states) / sizeof(fp_states[0]); i++) {
		if (strcmp(norm, fp_states[i].name) == 0) {
			n->states[0] = fp_states[i].tcp;
			n->states[1] = fp_states[i].udp;
			n->label = fp_states[i].label;
			return 0;
		}
		names[i] = fp_states[i].name;
	}
	names[i] = NULL;
	hint[0] = '\0';
	if ((near = fp_suggest(norm, k, names)) >= 0)
		snprintf(hint, sizeof(hint), " (did you mean '%s'?)",
		    fp_states[near].label);
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
	KW_PORT, KW_HOST, KW_STATE, KW_COMM, KW_PID, KW_UID, KW_USER,
	KW_PROTO, KW_FAMILY, KW_IS_PROTO, KW_IS_FAMILY,
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
		return CT_FARG_STATE;
	case KW_IS_PROTO:
	case KW_IS_FAMILY:
		return CT_FARG_NONE;
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
	{ "eq", CT_CMP_EQ }, { "ne", CT_CMP_NE }, { "lt", CT_CMP_LT },
	{ "le", CT_CMP_LE }, { "gt", CT_CMP_GT }, { "ge", CT_CMP_GE },
};

/* An optional comparison after a keyword: = == != < <= > >= eq ... ge. */
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
fp_eq(struct fp *p, const struct tok *kw, bool *negate)
{
	enum ct_fn_cmp cmp;
	const struct tok *op = fp_cmp(p, &cmp);
	char w[FP_ESC], k[FP_ESC];

	*negate = cmp == CT_CMP_NE;
	if (op == NULL || cmp == CT_CMP_EQ || cmp == CT_CMP_NE)
		return 0;
	fp_fail(p, op->col, "comparison '%s' at column %d does not apply to "
	    "'%s' (only = and !=)", fp_esc(op->s, op->len, w), op->col,
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

static struct ct_fnode *
fp_term(struct fp *p)
{
	const struct tok *kw = fp_peek(p), *v;
	const struct fp_word *w;
	struct ct_fnode *n;
	struct passwd *pw;
	bool negate = false;
	int field, rc;

	if (++p->terms > FP_MAX_TERMS) {
		fp_fail(p, kw->col, "filter too long at column %d (at most %d "
		    "terms)", kw->col, FP_MAX_TERMS);
		return NULL;
	}
	p->i++;
	if ((w = fp_keyword(kw, &field)) == NULL) {
		n = fp_node(CT_FN_HOST);
		if (!kw->quoted && kw->len > 0 && kw->s[0] == ':' &&
		    memchr(kw->s + 1, ':', kw->len - 1) == NULL) {
			/* ":PORT": either end's port */
			n->kind = CT_FN_PORT;
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
			n->end = CT_END_EITHER;
			if (fp_host(p, kw, &n->host) == 0)
				return n;
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
	case KW_HOST:
		if ((v = fp_value(p, kw, "address")) == NULL)
			return NULL;
		n = fp_node(CT_FN_HOST);
		n->end = (enum ct_fn_end)w->arg;
		if (fp_host(p, v, &n->host) != 0) {
			filter_node_free(n);
			return NULL;
		}
		return n;
	default:
		break;
	}
	/* the words that take one value, with an optional = or != */
	if (fp_eq(p, kw, &negate) != 0)
		return NULL;
	switch (w->kw) {
	case KW_STATE:
		if ((v = fp_value(p, kw, "state")) == NULL)
			return NULL;
		n = fp_node(CT_FN_STATE);
		if (fp_state(p, v, n) != 0) {
			filter_node_free(n);
			return NULL;
		}
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
		n->name = xcalloc(1, v->len + 1);
		memcpy(n->name, v->s, v->len);
		p->owners = true;
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
			p->owners = true;
		break;
	case KW_NETNS:
	case KW_LABEL:
		if ((v = fp_value(p, kw, w->kw == KW_NETNS ? "namespace" :
		    "pattern")) == NULL)
			return NULL;
		n = fp_node(w->kw == KW_NETNS ? CT_FN_NETNS : CT_FN_LABEL);
		n->name = xcalloc(1, v->len + 1);
		memcpy(n->name, v->s, v->len);
		if (w->kw == KW_LABEL) {
			n->num = w->arg;
			p->owners = true;	/* a label is its owner's */
			p->labels = true;
		} else {
			fp_netns_ino(n);
		}
		break;
	case KW_USER: {
		char name[256];

		if ((v = fp_value(p, kw, "user name")) == NULL)
			return NULL;
		n = fp_node(CT_FN_UID);
		if (fp_number(v->s, v->len, UINT32_MAX, &n->num) == 0)
			break;			/* a uid is a user too */
		pw = NULL;
		if (v->len < sizeof(name) && memchr(v->s, '\0', v->len) == NULL) {
			memcpy(name, v->s, v->len);
			name[v->len] = '\0';
			pw = getpwnam(name);
		}
		if (pw == NULL) {
			fp_fail_tok(p, v, "unknown user", "");
			filter_node_free(n);
			return NULL;
		}
		n->num = pw->pw_uid;
		break;
	}
	default:
		return NULL;			/* not reached */
	}
	return negate ? fp_not(n) : n;
}

/* Expressions ----------------------------------------------------------- */

static struct ct_fnode *fp_or(struct fp *p);

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
		return fp_not(e);
	case TK_LPAREN:
		if (!fp_enter(p, t))
			return NULL;
		p->i++;
		if (fp_peek(p)->type == TK_RPAREN) {
			fp_fail(p, t->col, "empty parentheses at column %d", t->col);
			return NULL;
		}
		if ((e = fp_or(p)) == NULL)
			return NULL;
		if (fp_peek(p)->type != TK_RPAREN) {
			fp_fail(p, t->col, "unbalanced parentheses: '(' at column "
			    "%d is never closed", t->col);
			filter_node_free(e);
			return NULL;
		}
		p->i++;
		p->depth--;
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

static struct ct_fnode *
fp_and(struct fp *p)
{
	struct ct_fnode *left, *right;
	const struct tok *t;

	if ((left = fp_unary(p)) == NULL)
		return NULL;
	for (;;) {
		t = fp_peek(p);
		if (t->type == TK_END || t->type == TK_RPAREN || t->type == TK_OR)
			return left;
		if (t->type == TK_AND) {
			p->i++;
			if (fp_operand_ends(fp_peek(p))) {
				fp_dangling(p, t, "follows");
				break;
			}
		}
		if ((right = fp_unary(p)) == NULL)
			break;
		left = fp_binary(CT_FN_AND, left, right);
	}
	filter_node_free(left);
	return NULL;
}

static struct ct_fnode *
fp_or(struct fp *p)
{
	struct ct_fnode *left, *right;
	const struct tok *t;

	if ((left = fp_and(p)) == NULL)
		return NULL;
	while ((t = fp_peek(p))->type == TK_OR) {
		p->i++;
		if (fp_operand_ends(fp_peek(p))) {
			fp_dangling(p, t, "follows");
			break;
		}
		if ((right = fp_and(p)) == NULL)
			break;
		left = fp_binary(CT_FN_OR, left, right);
	}
	if (!p->failed)
		return left;
	filter_node_free(left);
	return NULL;
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
	if (fp_lex(&p, text) == 0) {
		if (p.n == 0) {
			/* only blanks: no filter at all, like no words */
			free(p.t);
			free(text);
			return 0;
		}
		if ((root = fp_or(&p)) != NULL && fp_peek(&p)->type != TK_END) {
			/* fp_or() stops early only at a ')' it cannot match */
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
	(*out)->owners = p.owners;
	(*out)->labels = p.labels;
	return 0;
}
