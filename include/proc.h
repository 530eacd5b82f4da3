#ifndef CT_PROC_H
#define CT_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "sock.h"

/* One process holding one socket through one descriptor. */
struct ct_owner {
	uint32_t	 pid;
	int32_t		 fd;
	uint32_t	 next;		/* next owner of the same socket; 0 = end */
	char		 comm[16];	/* raw /proc/PID/comm: untrusted, escape it */
};

/* Owner table: v[0] is a sentinel so that index 0 means "unknown". */
struct ct_owners {
	struct ct_owner	*v;
	size_t		 len, cap;
};

/*
 * Scan procroot ("/proc") for descriptors that name sockets in socks and
 * link each record's owners chain (lowest pid first). Processes that vanish
 * mid-scan are skipped. Returns 0 or -errno when procroot cannot be read.
 * The caller frees out with proc_owners_free().
 */
int		 proc_scan(const char *procroot, struct ct_socklist *socks,
		    struct ct_owners *out);
/* Number of owners on the chain that starts at index first. */
size_t		 proc_owner_count(const struct ct_owners *o, uint32_t first);
/* Release the table; NULL-safe. */
void		 proc_owners_free(struct ct_owners *o);

/*
 * Parse a /proc/PID/fd link target "socket:[N]" into *inode.
 * Returns 0, or -EINVAL when it names something else.
 */
int		 proc_parse_socket_link(const char *link, size_t len,
		    uint32_t *inode);

#endif /* CT_PROC_H */
