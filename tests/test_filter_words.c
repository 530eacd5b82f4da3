/*
 * The filter's vocabulary as --list hands it to the shell completions
 * (filter_keyword(), filter_state()): every word listed is read by the
 * parser as what the list says it is, so a completion never offers a word
 * the filter refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "filter.h"

/* Parse text as one argument; 0 or -1 with the message in msg. */
static int
parse(const char *text, char *msg, size_t size)
{
	char *argv[] = { (char *)text };
	struct ct_filter_error err;
	struct ct_filter *f;

	if (filter_parse(1, argv, &f, &err) != 0) {
		snprintf(msg, size, "%s", err.msg);
		return -1;
	}
	filter_free(f);
	msg[0] = '\0';
	return 0;
}

static void
test_keywords_listed_once(void **state)
{
	enum ct_filter_arg arg, arg2;
	const char *w, *w2;
	size_t i, j, n = 0;

	(void)state;
	for (i = 0; (w = filter_keyword(i, &arg)) != NULL; i++) {
		assert_true(strlen(w) > 0);
		assert_true(arg == CT_FARG_NONE || arg == CT_FARG_VALUE ||
		    arg == CT_FARG_STATE);
		for (j = 0; j < i; j++) {
			w2 = filter_keyword(j, &arg2);
			if (strcmp(w, w2) == 0)
				fail_msg("'%s' is listed twice", w);
		}
		n++;
	}
	assert_true(n >= 20);	/* SPEC §5's words, and the connectives */
	assert_null(filter_keyword(n + 1, &arg));
}

/* Each keyword parses as a keyword, taking what its entry says. */
static void
test_keywords_parse(void **state)
{
	enum ct_filter_arg arg;
	char text[128], msg[256];
	const char *w;
	size_t i;

	(void)state;
	for (i = 0; (w = filter_keyword(i, &arg)) != NULL; i++) {
		switch (arg) {
		case CT_FARG_NONE:
			/* a term (tcp tcp tcp) or a connective (tcp or tcp) */
			snprintf(text, sizeof(text), "tcp %s tcp", w);
			if (parse(text, msg, sizeof(msg)) != 0)
				fail_msg("'%s': %s", text, msg);
			break;
		case CT_FARG_VALUE:
			/* alone, it asks for its value by name */
			if (parse(w, msg, sizeof(msg)) == 0)
				fail_msg("'%s' alone parsed; it takes a value", w);
			if (strstr(msg, "missing") == NULL)
				fail_msg("'%s' alone: %s", w, msg);
			break;
		case CT_FARG_STATE:
			snprintf(text, sizeof(text), "%s established", w);
			if (parse(text, msg, sizeof(msg)) != 0)
				fail_msg("'%s': %s", text, msg);
			break;
		}
	}
}

static void
test_states_parse(void **state)
{
	char text[128], msg[256];
	const char *s;
	size_t i, j;

	(void)state;
	assert_string_equal(filter_state(0), "established");
	for (i = 0; (s = filter_state(i)) != NULL; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(s, filter_state(j)) == 0)
				fail_msg("state '%s' is listed twice", s);
		snprintf(text, sizeof(text), "state %s", s);
		if (parse(text, msg, sizeof(msg)) != 0)
			fail_msg("'%s': %s", text, msg);
	}
	assert_true(i >= 11);	/* the kernel's states at least */
}

/* The canonical spelling, and the aliases as themselves. */
static void
test_states_spelling(void **state)
{
	const char *want[] = { "time_wait", "syn_sent", "close_wait",
	    "listen", "listening", "estab", "unconn", "connected" };
	const char *s;
	size_t i, k;
	bool seen;

	(void)state;
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		seen = false;
		for (i = 0; (s = filter_state(i)) != NULL; i++)
			seen = seen || strcmp(s, want[k]) == 0;
		if (!seen)
			fail_msg("state '%s' is not listed", want[k]);
	}
	for (i = 0; (s = filter_state(i)) != NULL; i++)
		if (strcmp(s, "timewait") == 0 || strchr(s, '-') != NULL)
			fail_msg("state '%s' is not the canonical spelling", s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords_listed_once),
		cmocka_unit_test(test_keywords_parse),
		cmocka_unit_test(test_states_parse),
		cmocka_unit_test(test_states_spelling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
