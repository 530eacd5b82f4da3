/*
 * The ephemeral port range: parsing the text of ip_local_port_range and
 * ip_local_reserved_ports, and the test the summary makes of each port.
 */
#include "portrange.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool
bit_get(const uint8_t *map, uint16_t i)
{
	return (map[i >> 3] >> (i & 7)) & 1;
}

static void
bit_set(uint8_t *map, uint16_t i)
{
	map[i >> 3] |= (uint8_t)(1u << (i & 7));
}

/* A port number at *p, advancing it; -EINVAL or -ERANGE. */
static int
parse_port(const char **p, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	errno = 0;
	*out = strtoul(*p, &end, 10);
	if (errno != 0 || *out > 65535)
		return -ERANGE;
	*p = end;
	return 0;
}

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return p;
}

void
portrange_default(struct ct_portrange *r)
{
	memset(r, 0, sizeof(*r));
	r->low = CT_PORTS_LOW;
	r->high = CT_PORTS_HIGH;
	portrange_count(r);
}

int
portrange_parse_range(const char *text, uint16_t *low, uint16_t *high)
{
	const char *p = skip_blanks(text);
	unsigned long lo, hi;

	if (parse_port(&p, &lo) != 0)
		return -EINVAL;
	if (*p != ' ' && *p != '\t')
		return -EINVAL;
	p = skip_blanks(p);
	if (parse_port(&p, &hi) != 0 || *skip_blanks(p) != '\0')
		return -EINVAL;
	if (lo == 0 || lo > hi)
		return -EINVAL;
	*low = (uint16_t)lo;
	*high = (uint16_t)hi;
	return 0;
}

int
portrange_parse_reserved(const char *text, uint8_t *bitmap)
{
	const char *p = skip_blanks(text);
	unsigned long lo, hi, i;
	int rc;

	while (*p != '\0') {
		if ((rc = parse_port(&p, &lo)) != 0)
			return rc;
		hi = lo;
		if (*p == '-') {
			p++;
			if ((rc = parse_port(&p, &hi)) != 0)
				return rc;
			if (hi < lo)
				return -ERANGE;
		}
		for (i = lo; i <= hi; i++)
			bit_set(bitmap, (uint16_t)i);
		p = skip_blanks(p);
		if (*p == ',')
			p = skip_blanks(p + 1);
		else if (*p != '\0')
			return -EINVAL;
	}
	return 0;
}

void
portrange_count(struct ct_portrange *r)
{
	uint32_t p;

	r->avail = 0;
	for (p = r->low; p <= r->high; p++)
		if (!bit_get(r->reserved, (uint16_t)p))
			r->avail++;
}

bool
portrange_ephemeral(const struct ct_portrange *r, uint16_t port)
{
	return port >= r->low && port <= r->high && !bit_get(r->reserved, port);
}
