/* The namespace table: names, order, lookups, copies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "nstab.h"
#include "portrange.h"

static void
test_nstab_names(void **state)
{
	struct ct_netns ns;

	(void)state;
	memset(&ns, 0, sizeof(ns));
	ns.ino = 4026532283u;
	nstab_name(&ns, NULL);
	assert_string_equal(ns.name, "net:[4026532283]");
	assert_false(ns.flags & CT_NS_NAMED);
	ns.flags |= CT_NS_HOST;
	nstab_name(&ns, "");
	assert_string_equal(ns.name, "host");
	/* a bind mount's name wins, even over "host" */
	nstab_name(&ns, "web1");
	assert_string_equal(ns.name, "web1");
	assert_true(ns.flags & CT_NS_NAMED);
	nstab_name(&ns, NULL);
	assert_string_equal(ns.name, "host");
	assert_false(ns.flags & CT_NS_NAMED);
}

static void
test_nstab_order(void **state)
{
	struct ct_nstab t = { 0 };
	struct ct_netns *ns;
	const char *want[] = { "host", "a", "b", "net:[5]", "net:[7]" };
	size_t i;

	(void)state;
	ns = nstab_append(&t);
	ns->ino = 7;
	nstab_name(ns, NULL);
	ns = nstab_append(&t);
	ns->ino = 9;
	nstab_name(ns, "b");
	ns = nstab_append(&t);
	ns->ino = 1;
	ns->flags = CT_NS_HOST;
	nstab_name(ns, NULL);
	ns = nstab_append(&t);
	ns->ino = 5;
	nstab_name(ns, NULL);
	ns = nstab_append(&t);
	ns->ino = 3;
	nstab_name(ns, "a");
	qsort(t.v, t.len, sizeof(*t.v), nstab_cmp);
	for (i = 0; i < t.len; i++)
		assert_string_equal(t.v[i].name, want[i]);
	assert_int_equal(nstab_find(&t, 0, 9), 2);
	assert_int_equal(nstab_find(&t, 1, 9), -1);	/* another device */
	assert_int_equal(nstab_find(&t, 0, 42), -1);
	assert_non_null(nstab_get(&t, 4));
	assert_null(nstab_get(&t, 5));
	assert_null(nstab_get(NULL, 0));
	nstab_free(&t);
}

static void
test_nstab_copy(void **state)
{
	struct ct_nstab t = { 0 }, c;
	struct ct_netns *ns;

	(void)state;
	ns = nstab_append(&t);
	nstab_name(ns, "x");
	ns->range = malloc(sizeof(*ns->range));
	assert_non_null(ns->range);
	portrange_default(ns->range);
	ns->range->low = 40000;
	nstab_append(&t);
	nstab_copy(&c, &t);
	assert_int_equal(c.len, 2);
	assert_ptr_not_equal(c.v[0].range, t.v[0].range);
	assert_int_equal(c.v[0].range->low, 40000);
	assert_null(c.v[1].range);
	nstab_free(&t);
	assert_int_equal(c.v[0].range->low, 40000);	/* its own copy */
	nstab_free(&c);
	nstab_copy(&c, &t);			/* of an empty one */
	assert_int_equal(c.len, 0);
	nstab_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nstab_names),
		cmocka_unit_test(test_nstab_order),
		cmocka_unit_test(test_nstab_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
