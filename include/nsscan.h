#ifndef CT_NSSCAN_H
#define CT_NSSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nstab.h"

/*
 * Every network namespace of the host, found as lsns(8) finds them and
 * more: the namespace of each process and of each of its threads
 * (/proc/PID/task/TID/ns/net: a thread may sit in another one than its
 * leader), nsfs descriptors held open (/proc/PID/fd), and nsfs bind
 * mounts (a namespace held by a mount alone) in the mountinfo of every
 * mount namespace there is (PID 1's and conntab's own among them), and in
 * /run/netns, /var/run/netns and /run/docker/netns. A namespace is one
 * (st_dev, st_ino) of nsfs; a namespace is only ever entered through a
 * descriptor whose fstat() says it is that one (nsscan_open()).
 */

/* One namespace found, and how to reach it again. */
struct ct_nsfound {
	uint64_t	 dev, ino;
	char		*path;		/* a file that is it: opened and checked */
	char		 name[CT_NETNS_NAME];	/* a bind mount's name, or "" */
	int		 name_rank;	/* lower is a better name; -1: none yet */
	bool		 host;		/* PID 1's */
	bool		 self;		/* conntab's own */
	uint32_t	*pids;		/* processes with a thread in it, ascending */
	size_t		 npids, cappids;
};

struct ct_nsscan {
	struct ct_nsfound *v;
	size_t		 len, cap;
	uint64_t	 nsfs_dev;	/* st_dev of every namespace file */
	uint32_t	*slot;		/* hash by inode: 1 + index; 0 = empty */
	size_t		 mask;
	unsigned	 pids_seen;	/* processes looked at (for tests) */
};

/* nsscan_run() flags */
#define CT_NSSCAN_FDS	0x1	/* walk every process's descriptors too */

/*
 * Find every network namespace that procroot ("/proc") shows, conntab's
 * own always among them; the namespaces held by descriptors alone only
 * with CT_NSSCAN_FDS (reading every descriptor's link costs about as much
 * as the owner walk: nsscan_fds() does it apart, beside the dumps).
 * Processes and threads that exit meanwhile are skipped. Returns 0 or
 * -errno when procroot cannot be read; free out with nsscan_free().
 */
int		 nsscan_run(const char *procroot, unsigned flags,
		    struct ct_nsscan *out);
/*
 * The descriptor walk alone: the namespaces that descriptors hold and
 * that known (a scan without CT_NSSCAN_FDS) lacks, into out. Reads known
 * only, so threads may use it meanwhile. Returns 0 or -errno.
 */
int		 nsscan_fds(const char *procroot, const struct ct_nsscan *known,
		    struct ct_nsscan *out);
/*
 * Open found namespace f (O_RDONLY): its path, else the namespace file of
 * one of its processes; only a descriptor whose fstat() gives f's
 * (dev, ino) is handed back in *fd. Returns 0, or -ENOENT when it is gone.
 */
int		 nsscan_open(const char *procroot, const struct ct_nsfound *f,
		    int *fd);
/* The namespace (dev, ino) among those found, or NULL. */
struct ct_nsfound *nsscan_find(const struct ct_nsscan *s, uint64_t dev,
		    uint64_t ino);
/* Release; NULL-safe, leaves it empty. */
void		 nsscan_free(struct ct_nsscan *s);

/* One line of /proc/PID/mountinfo, the fields conntab reads. */
struct ct_mountinfo {
	char		 root[64];	/* "net:[4026532283]" for an nsfs mount */
	char		 point[4096];	/* the mount point, escapes undone */
	char		 fstype[32];
};
/*
 * Parse one mountinfo line (len bytes, no newline needed):
 * "ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE
 * SUPER", with "\ooo" escapes in ROOT and POINT. Returns 0, -EINVAL for
 * a malformed line, -ENAMETOOLONG when a field does not fit (out is
 * unusable then).
 */
int		 nsscan_parse_mountinfo(const char *line, size_t len,
		    struct ct_mountinfo *out);
/* "net:[4026531992]" (an nsfs link or root) into *ino: 0 or -EINVAL. */
int		 nsscan_parse_nslink(const char *text, size_t len, uint64_t *ino);

#endif /* CT_NSSCAN_H */
