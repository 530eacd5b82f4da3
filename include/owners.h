#ifndef CT_OWNERS_H
#define CT_OWNERS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Who holds a socket: the model's owner table. The owner back-ends (the
 * /proc walk of proc.c) fill it; the filter, the vocabulary and every
 * renderer read it, without knowing where it came from.
 */

/* A process name as the kernel keeps it: 15 bytes at most, and a NUL. */
#define CT_COMM_SIZE	16

/* One process holding one socket through one descriptor: 16 bytes. */
struct ct_owner {
	uint32_t	 pid;
	int32_t		 fd;
	uint32_t	 next;		/* next owner of the same socket; 0 = end */
	uint32_t	 comm;		/* its process's name: ct_owners.comm[comm] */
};

/*
 * Owner table: v[0] is a sentinel so that index 0 means "unknown"; a
 * record's owners field is the head of its chain (lowest pid first).
 * Names are kept once per process, not per descriptor: a server holding
 * 20,000 sockets has one name, not 20,000 copies of it.
 */
struct ct_owners {
	struct ct_owner	*v;
	size_t		 len, cap;
	char		(*comm)[CT_COMM_SIZE]; /* raw /proc/PID/comm: untrusted */
	size_t		 ncomm, capcomm;
};

/* Empty o (freeing nothing) and put the sentinel v[0] in: len is 1. */
void		 owners_init(struct ct_owners *o);
/*
 * Room for one more owner, zeroed (next 0, comm 0): its index. The first
 * call on an empty table puts the sentinel in first. Never fails (die()
 * on ENOMEM).
 */
uint32_t	 owners_append(struct ct_owners *o);
/* Keep one more name (its first 15 bytes) in o; its index. */
uint32_t	 owners_add_comm(struct ct_owners *o, const char *comm);
/* Make the empty table o a copy of from, indexes and names alike. */
void		 owners_copy(struct ct_owners *o, const struct ct_owners *from);
/*
 * Append a copy of from's chain that starts at first to o, names and all;
 * the head of the copy (0 for an empty chain). For a view that must
 * outlive the table it came from.
 */
uint32_t	 owners_copy_chain(struct ct_owners *o, const struct ct_owners *from,
		    uint32_t first);

/* Owner idx of o (a chain's head or a next link), or NULL for 0 or junk. */
static inline const struct ct_owner *
owners_get(const struct ct_owners *o, uint32_t idx)
{
	return idx == 0 || idx >= o->len ? NULL : &o->v[idx];
}

/* The name of owner w of table o, NUL-terminated; escape it to print. */
static inline const char *
owners_comm(const struct ct_owners *o, const struct ct_owner *w)
{
	return w->comm < o->ncomm ? o->comm[w->comm] : "";
}

/* Number of owners on the chain that starts at index first. */
size_t		 owners_count(const struct ct_owners *o, uint32_t first);
/* Number of distinct processes on that chain (one may hold it twice). */
size_t		 owners_pids(const struct ct_owners *o, uint32_t first);
/* Release the table; NULL-safe, leaves it empty. */
void		 owners_free(struct ct_owners *o);

#endif /* CT_OWNERS_H */
