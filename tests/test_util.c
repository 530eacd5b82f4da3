/* util_escape(): untrusted text never reaches a terminal raw. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
check(const char *in, size_t inlen, const char *want)
{
	char out[256];
	size_t n = util_escape(in, inlen, out, sizeof(out));

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void
test_util_escape_plain(void **state)
{
	(void)state;
	check("nginx", 5, "nginx");
	check("", 0, "");
}

static void
test_util_escape_control(void **state)
{
	(void)state;
	check("evil\x1b[31m", 9, "evil\\x1b[31m");
	check("a\nb\tc\r", 6, "a\\x0ab\\x09c\\x0d");
	check("del\x7f", 4, "del\\x7f");
}

static void
test_util_escape_blank_and_backslash(void **state)
{
	(void)state;
	check("my prog", 7, "my\\x20prog");		/* one awk field */
	check("a\\x1b", 5, "a\\\\x1b");		/* not mistaken for an escape */
}

static void
test_util_escape_nul_and_high(void **state)
{
	(void)state;
	check("a\0b", 3, "a\\x00b");
	check("caf\xc3\xa9", 5, "caf\\xc3\\xa9");
}

/* A full buffer stops before an escape, never inside one. */
static void
test_util_escape_truncates_whole(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(util_escape("ab\x1b\x1b", 4, out, sizeof(out)), 6);
	assert_string_equal(out, "ab\\x1b");
	assert_int_equal(util_escape("abcdefghij", 10, out, sizeof(out)), 7);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(util_escape("x", 1, out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(util_escape("x", 1, out, 0), 0);
}

/* Every byte value: the output holds only printable ASCII, no blank. */
static void
test_util_escape_all_bytes(void **state)
{
	char in[256], out[CT_ESCAPE_MAX(256)];
	size_t i, n;

	(void)state;
	for (i = 0; i < 256; i++)
		in[i] = (char)i;
	n = util_escape(in, sizeof(in), out, sizeof(out));
	assert_int_equal(n, strlen(out));
	for (i = 0; i < n; i++)
		assert_true(out[i] > 0x20 && out[i] < 0x7f);
}

/* Prefaulting is a hint: it keeps what the memory holds, at any edges. */
static void
test_util_prefault_keeps_data(void **state)
{
	size_t len = 3 << 20, i;
	unsigned char *p = malloc(len);

	(void)state;
	assert_non_null(p);
	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	util_prefault(p + 1, len - 2);
	util_prefault(p + 4096, 10);		/* less than a page */
	util_prefault(p, 0);
	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 7 + 3))
			break;
	assert_int_equal(i, len);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_escape_plain),
		cmocka_unit_test(test_util_escape_control),
		cmocka_unit_test(test_util_escape_blank_and_backslash),
		cmocka_unit_test(test_util_escape_nul_and_high),
		cmocka_unit_test(test_util_escape_truncates_whole),
		cmocka_unit_test(test_util_escape_all_bytes),
		cmocka_unit_test(test_util_prefault_keeps_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
