/*
 * Fuzz the readers of nsscan.c with untrusted text: a line of
 * /proc/PID/mountinfo (mount points are anyone's to name, and another
 * mount namespace's file is read too) and an nsfs link. What must hold:
 * - a parsed line's fields are NUL-terminated inside their buffers, hold
 *   no NUL before it, and the mount point and root hold no blank that an
 *   escape did not spell (the fields are split at blanks);
 * - the result is 0, -EINVAL or -ENAMETOOLONG; -ENAMETOOLONG only when
 *   the line is long enough that a field could overflow;
 * - nsscan_parse_nslink() agrees with a plain reference: "net:[" digits
 *   "]" whose value fits 64 bits.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsscan.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_mountinfo: %s:%d: %s\n", __FILE__, \
		    __LINE__, #cond); \
		abort(); \
	} \
} while (0)

static int
ref_nslink(const char *s, size_t n, uint64_t *ino)
{
	unsigned __int128 v = 0;
	size_t i;

	if (n < 7 || memcmp(s, "net:[", 5) != 0 || s[n - 1] != ']')
		return -EINVAL;
	for (i = 5; i < n - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > UINT64_MAX)
			return -EINVAL;
	}
	*ino = (uint64_t)v;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_mountinfo *m = malloc(sizeof(*m));
	const char *text = (const char *)data;
	uint64_t a = 0, b = 0;
	int rc, ra, rb;

	FZ_CHECK(m != NULL);
	rc = nsscan_parse_mountinfo(text, size, m);
	FZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENAMETOOLONG);
	if (rc == -ENAMETOOLONG)
		FZ_CHECK(size > sizeof(m->fstype));
	if (rc == 0) {
		FZ_CHECK(memchr(m->root, '\0', sizeof(m->root)) != NULL);
		FZ_CHECK(memchr(m->point, '\0', sizeof(m->point)) != NULL);
		FZ_CHECK(memchr(m->fstype, '\0', sizeof(m->fstype)) != NULL);
		FZ_CHECK(m->root[0] != '\0' && m->point[0] != '\0' &&
		    m->fstype[0] != '\0');
		FZ_CHECK(strchr(m->fstype, ' ') == NULL);
		/* a blank in them came from an escape: the text holds one */
		if (strchr(m->point, ' ') != NULL || strchr(m->root, ' ') != NULL)
			FZ_CHECK(memmem(text, size, "\\040", 4) != NULL);
		/* the root as an nsfs link, as nsscan_run() reads it */
		ra = nsscan_parse_nslink(m->root, strlen(m->root), &a);
		rb = ref_nslink(m->root, strlen(m->root), &b);
		FZ_CHECK(ra == rb && (ra != 0 || a == b));
	}
	ra = nsscan_parse_nslink(text, size, &a);
	rb = ref_nslink(text, size, &b);
	FZ_CHECK(ra == rb && (ra != 0 || a == b));
	free(m);
	return 0;
}
