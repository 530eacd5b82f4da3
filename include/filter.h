#ifndef CT_FILTER_H
#define CT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ct_filter;
struct ct_sock;
struct ct_view;

/* Where and why a filter failed to parse (for "conntab: filter: ..."). */
struct ct_filter_error {
	int		 column;	/* 1-based column in the joined filter text */
	char		 msg[256];	/* one line, control bytes escaped */
};

/*
 * Parse the filter words argv[0..argc-1] (joined by single spaces, so one
 * quoted argument and many words read the same). argc == 0 gives *out =
 * NULL, which matches everything. Returns 0, or -EINVAL with err filled.
 * The caller frees *out with filter_free().
 */
int		 filter_parse(int argc, char *const argv[],
		    struct ct_filter **out, struct ct_filter_error *err);
/* Does record s (of view v) match? A NULL filter matches all. */
bool		 filter_match(const struct ct_filter *f,
		    const struct ct_view *v, const struct ct_sock *s);
/* True when the filter tests owners (proc, comm, pid): /proc is needed. */
bool		 filter_needs_owners(const struct ct_filter *f);
/* True when it tests labels (container, pod, unit): their cgroups too. */
bool		 filter_needs_labels(const struct ct_filter *f);

/* What a filter reads beyond the records' own fields (filter_needs()) */
#define CT_FNEED_OWNERS	0x01	/* proc, comm, pid: the owner lookup */
#define CT_FNEED_EXT	0x02	/* fwmark, cgroup: the ct_sockext of each */
#define CT_FNEED_MARK	0x04	/* fwmark: marks, which need CAP_NET_ADMIN */
#define CT_FNEED_AUTO	0x08	/* autobound: CT_SF_AUTO on each record */
#define CT_FNEED_LABELS	0x10	/* container, pod, unit: the owners' cgroups */
unsigned	 filter_needs(const struct ct_filter *f);
/* Release; NULL-safe. */
void		 filter_free(struct ct_filter *f);
/*
 * The filter's tree in a canonical form, "(and (lport = 500) (state
 * established))", into buf (always NUL-terminated when size > 0); "(all)"
 * for NULL. Returns the length the whole text needs, as snprintf() does.
 */
int		 filter_print(const struct ct_filter *f, char *buf, size_t size);

/* What a filter keyword takes after it. */
enum ct_filter_arg {
	CT_FARG_NONE,		/* nothing: tcp, inet, and, not */
	CT_FARG_VALUE,		/* a port, an address, a name, a number */
	CT_FARG_STATE,		/* a state word (filter_state()) */
};

/*
 * The vocabulary of the language, for --list and the shell completions:
 * the i-th keyword (0, 1, ... until NULL) and what it takes in *arg; the
 * i-th state word (until NULL). The parser reads each as that keyword
 * or state.
 */
const char	*filter_keyword(size_t i, enum ct_filter_arg *arg);
const char	*filter_state(size_t i);

/* The kernel's share of the filter for one (family, proto) dump. */
struct ct_kfilter {
	bool		 skip;		/* nothing in this dump can match: skip it */
	uint32_t	 states;	/* idiag_states to ask for */
	void		*bytecode;	/* INET_DIAG_REQ_BYTECODE or NULL; owned */
	size_t		 bytecode_len;
};

/*
 * Compile what the kernel can judge of f for one dump, conservatively: the
 * kernel may return more than f matches, never less. states is what the
 * options already ask for. Returns 0 or -errno; free with
 * filter_kernel_free().
 */
int		 filter_kernel(const struct ct_filter *f, uint8_t family,
		    uint8_t proto, uint32_t states, struct ct_kfilter *out);
/*
 * filter_kernel() for a dump of one namespace, ns (NULL: not known): its
 * netns terms are then constants, so a namespace the filter cannot match
 * is skipped, and one where only listeners can match is asked for those.
 */
struct ct_netns;
int		 filter_kernel_ns(const struct ct_filter *f, uint8_t family,
		    uint8_t proto, uint32_t states, const struct ct_netns *ns,
		    struct ct_kfilter *out);
/* Release the bytecode; NULL-safe. */
void		 filter_kernel_free(struct ct_kfilter *k);

#endif /* CT_FILTER_H */
