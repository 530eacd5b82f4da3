#ifndef CT_UTIL_H
#define CT_UTIL_H

#include <stddef.h>

/* Allocators that never return NULL: out of memory calls die(). */
void		*xmalloc(size_t n);
void		*xcalloc(size_t n, size_t size);
void		*xreallocarray(void *p, size_t n, size_t size);
char		*xstrdup(const char *s);

/*
 * Fault in the pages of [p, p + len) now, in one system call, for memory
 * the caller is about to write whole. A hint: without MADV_POPULATE_WRITE
 * (Linux 5.14) or on any error the pages fault one by one, as before.
 */
void		 util_prefault(void *p, size_t len);

/* Print "conntab: msg" and exit 1, after running the hook (tty restore). */
void		 die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Set the function die() calls first (the live view restores the tty). */
void		 util_on_die(void (*hook)(void));

/* Worst-case growth of util_escape(): every byte becomes "\xNN". */
#define CT_ESCAPE_MAX(n)	((n) * 4 + 1)

/*
 * Copy untrusted text into out (size outsz, always NUL-terminated): bytes
 * outside printable ASCII 0x21-0x7e become "\xNN" and a backslash becomes
 * "\\", so the result has no blank or control byte. Stops early (never in
 * the middle of an escape) when out is full. Returns the length written.
 */
size_t		 util_escape(const char *in, size_t inlen, char *out, size_t outsz);

#endif /* CT_UTIL_H */
