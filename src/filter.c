/*
 * Filter stub: only ":PORT" (either end). The full language of SPEC §5
 * replaces this file.
 */
#include "filter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sock.h"
#include "util.h"

struct ct_filter {
	uint16_t	 port;
};

int
filter_parse(int argc, char *const argv[], struct ct_filter **out,
    struct ct_filter_error *err)
{
	char esc[CT_ESCAPE_MAX(48)];
	char *end;
	long port;

	*out = NULL;
	if (argc == 0)
		return 0;
	if (argc > 1 || argv[0][0] != ':') {
		util_escape(argv[0], strlen(argv[0]), esc, sizeof(esc));
		err->column = 1;
		snprintf(err->msg, sizeof(err->msg), "unknown word '%s' at column 1", esc);
		return -EINVAL;
	}
	errno = 0;
	port = strtol(argv[0] + 1, &end, 10);
	if (argv[0][1] == '\0' || *end != '\0' || errno != 0 || port < 0 ||
	    port > 65535) {
		util_escape(argv[0], strlen(argv[0]), esc, sizeof(esc));
		err->column = 1;
		snprintf(err->msg, sizeof(err->msg),
		    "bad port '%s' at column 1 (0-65535)", esc);
		return -EINVAL;
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->port = (uint16_t)port;
	return 0;
}

bool
filter_match(const struct ct_filter *f, const struct ct_snap *snap,
    const struct ct_sock *s)
{
	(void)snap;
	return f == NULL || s->lport == f->port || s->rport == f->port;
}

bool
filter_needs_owners(const struct ct_filter *f)
{
	(void)f;
	return false;
}

void
filter_free(struct ct_filter *f)
{
	free(f);
}

int
filter_kernel(const struct ct_filter *f, uint8_t family, uint8_t proto,
    uint32_t states, struct ct_kfilter *out)
{
	(void)f;
	(void)family;
	(void)proto;
	memset(out, 0, sizeof(*out));
	out->states = states;
	return 0;
}

void
filter_kernel_free(struct ct_kfilter *k)
{
	if (k == NULL)
		return;
	free(k->bytecode);
	k->bytecode = NULL;
	k->bytecode_len = 0;
}
