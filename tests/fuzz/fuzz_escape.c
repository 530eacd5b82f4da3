/*
 * Fuzz util_escape(): the first two bytes choose the output size (0-2047),
 * the rest is the untrusted text. The output buffer is exactly that size,
 * so AddressSanitizer sees any overrun. What must hold:
 * - the result is NUL-terminated, shorter than the buffer, and its length
 *   is what came back;
 * - every byte is printable ASCII without blank (0x21-0x7e);
 * - it decodes ("\\" and "\xNN") to a prefix of the input;
 * - it stops early only when the next byte's escape would not fit, and
 *   with CT_ESCAPE_MAX(n) bytes of room the whole input is there.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_escape: %s:%d: %s\n", __FILE__, \
		    __LINE__, #cond); \
		abort(); \
	} \
} while (0)

static size_t
enc_len(uint8_t c)
{
	if (c == '\\')
		return 2;
	return c > 0x20 && c < 0x7f ? 1 : 4;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;		/* upper case is not what the escaper writes */
}

/* Decode out into dec; the number of bytes, or abort on a bad escape. */
static size_t
decode(const char *out, size_t n, uint8_t *dec)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (out[i] != '\\') {
			dec[k++] = (uint8_t)out[i];
			continue;
		}
		FZ_CHECK(i + 1 < n);
		if (out[i + 1] == '\\') {
			dec[k++] = '\\';
			i++;
			continue;
		}
		FZ_CHECK(out[i + 1] == 'x' && i + 3 < n);
		FZ_CHECK(hexval(out[i + 2]) >= 0 && hexval(out[i + 3]) >= 0);
		dec[k++] = (uint8_t)(hexval(out[i + 2]) << 4 | hexval(out[i + 3]));
		/* an escape is only for what may not appear raw */
		FZ_CHECK(enc_len(dec[k - 1]) == 4);
		i += 3;
	}
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t outsz, inlen, n, k, i;
	const char *in;
	uint8_t *dec;
	char *out;

	if (size < 2)
		return 0;
	outsz = ((size_t)data[0] | (size_t)data[1] << 8) & 0x7ff;
	in = (const char *)data + 2;
	inlen = size - 2;
	out = malloc(outsz != 0 ? outsz : 1);
	FZ_CHECK(out != NULL);
	n = util_escape(in, inlen, out, outsz);
	if (outsz == 0) {
		FZ_CHECK(n == 0);
		free(out);
		return 0;
	}
	FZ_CHECK(n < outsz);
	FZ_CHECK(out[n] == '\0');
	FZ_CHECK(strlen(out) == n);
	for (i = 0; i < n; i++)
		FZ_CHECK((uint8_t)out[i] >= 0x21 && (uint8_t)out[i] <= 0x7e);
	dec = malloc(n + 1);
	FZ_CHECK(dec != NULL);
	k = decode(out, n, dec);
	FZ_CHECK(k <= inlen && memcmp(dec, in, k) == 0);
	if (k < inlen)		/* stopped early: the next one did not fit */
		FZ_CHECK(n + enc_len((uint8_t)in[k]) >= outsz);
	if (outsz >= CT_ESCAPE_MAX(inlen))
		FZ_CHECK(k == inlen);
	free(dec);
	free(out);
	return 0;
}
