/*
 * Fuzz the cgroup parser with the text of a /proc/PID/cgroup file (any
 * process can name its cgroup directories as it likes where it may write
 * them). What must hold, for the whole file and for each line's path:
 * - every part of the label is NUL-terminated inside its field;
 * - a container is "RUNTIME:" with a known runtime and something after;
 *   an ID-named one has exactly 12 lowercase hex digits;
 * - a pod is 32 hex digits, or a UUID with '-' between its groups;
 * - a unit has systemd's characters and suffix, and there is none beside
 *   a container;
 * - the return value says whether anything was found.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "label.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_cgroup: %s:%d: %s\n", __FILE__, \
		    __LINE__, #cond); \
		abort(); \
	} \
} while (0)

static bool
all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void
check_label(const struct ct_label *l)
{
	static const char *const ids[] = { "docker:", "containerd:", "crio:",
	    "podman:" };
	size_t n, i;

	FZ_CHECK(memchr(l->container, '\0', sizeof(l->container)) != NULL);
	FZ_CHECK(memchr(l->pod, '\0', sizeof(l->pod)) != NULL);
	FZ_CHECK(memchr(l->unit, '\0', sizeof(l->unit)) != NULL);
	if (l->container[0] != '\0') {
		bool ok = false;

		for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			n = strlen(ids[i]);
			if (strncmp(l->container, ids[i], n) == 0) {
				FZ_CHECK(strlen(l->container + n) == 12);
				FZ_CHECK(all_hex(l->container + n, 12));
				ok = true;
			}
		}
		if (!ok)
			ok = (strncmp(l->container, "lxc:", 4) == 0 &&
			    l->container[4] != '\0') ||
			    (strncmp(l->container, "nspawn:", 7) == 0 &&
			    l->container[7] != '\0');
		FZ_CHECK(ok);
		FZ_CHECK(l->unit[0] == '\0');
	}
	n = strlen(l->pod);
	FZ_CHECK(n == 0 || (n == 32 && all_hex(l->pod, n)) || n == 36);
	if (n == 36)
		for (i = 0; i < n; i++)
			FZ_CHECK((i == 8 || i == 13 || i == 18 || i == 23) ?
			    l->pod[i] == '-' : all_hex(l->pod + i, 1));
	for (i = 0; l->unit[i] != '\0'; i++)
		FZ_CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789:_.-@\\", l->unit[i]) != NULL);
	if (l->unit[0] != '\0')
		FZ_CHECK(strchr(l->unit, '.') != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct ct_label l;
	size_t i, j;
	int rc;

	rc = cgroup_parse_file(text, size, &l);
	check_label(&l);
	FZ_CHECK(rc == 0 || rc == -2);		/* -ENOENT */
	FZ_CHECK((rc == 0) == (l.container[0] != '\0' || l.pod[0] != '\0' ||
	    l.unit[0] != '\0'));
	/* every line's text as a path of its own, and the whole input too */
	for (i = 0; i <= size; i = j + 1) {
		const char *nl = i < size ? memchr(text + i, '\n', size - i) : NULL;

		j = nl != NULL ? (size_t)(nl - text) : size;
		rc = cgroup_parse_path(text + i, j - i, &l);
		check_label(&l);
		if (rc != 0)
			FZ_CHECK(l.container[0] == '\0' && l.unit[0] == '\0' &&
			    l.pod[0] == '\0');
	}
	cgroup_parse_path(text, size, &l);
	check_label(&l);
	return 0;
}
