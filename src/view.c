/* The read-only view of a snapshot (view.h): user names by uid. */
#include "view.h"

#include <stdlib.h>

int
view_user_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct ct_user *)a)->uid;
	uint32_t y = ((const struct ct_user *)b)->uid;

	return (x > y) - (x < y);
}

const char *
view_user_name(const struct ct_view *v, uint32_t uid)
{
	struct ct_user key = { .uid = uid };
	const struct ct_user *u;

	if (v->nusers == 0)
		return NULL;
	u = bsearch(&key, v->users, v->nusers, sizeof(key), view_user_cmp);
	return u != NULL && u->name[0] != '\0' ? u->name : NULL;
}
