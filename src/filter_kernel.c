/*
 * The kernel's share of a filter: none yet. Every dump asks for the
 * states the options ask for, without bytecode.
 */
#include "filter.h"

#include <stdlib.h>
#include <string.h>

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
