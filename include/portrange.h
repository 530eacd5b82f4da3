#ifndef CT_PORTRANGE_H
#define CT_PORTRANGE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The ephemeral port range of one network namespace:
 * net.ipv4.ip_local_port_range less net.ipv4.ip_local_reserved_ports.
 * The collector reads the two files inside the namespace (netns.h); this
 * is the model's half: the type, and the pure parsing of the files' text.
 */

/* The kernel's defaults, used when the sysctl cannot be read. */
#define CT_PORTS_LOW	32768
#define CT_PORTS_HIGH	60999

struct ct_portrange {
	uint16_t	 low, high;
	uint32_t	 avail;			/* ports in [low, high], not reserved */
	bool		 known;			/* read from the sysctl */
	uint8_t		 reserved[65536 / 8];	/* bitmap of reserved ports */
};

/* The kernel's defaults, nothing reserved, known false. */
void		 portrange_default(struct ct_portrange *r);
/* "32768\t60999\n" into *low, *high. 0, or -EINVAL. */
int		 portrange_parse_range(const char *text, uint16_t *low,
		    uint16_t *high);
/* "1000,2000-2010\n" (or "") into the bitmap, bits added. 0, -EINVAL, -ERANGE. */
int		 portrange_parse_reserved(const char *text, uint8_t *bitmap);
/* Recount r->avail from low, high and reserved. */
void		 portrange_count(struct ct_portrange *r);
/* Is port one the kernel may pick for connect()? */
bool		 portrange_ephemeral(const struct ct_portrange *r, uint16_t port);

#endif /* CT_PORTRANGE_H */
