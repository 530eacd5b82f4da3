#ifndef CT_OWNERS_LINK_H
#define CT_OWNERS_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "owners.h"
#include "sock.h"

/*
 * What every owner back-end shares: the socket descriptors it saw
 * (inode, pid, fd, name), an index from socket inode to the records of a
 * snapshot, the (record, pid, fd) hits found through it, and the linking
 * of those hits into the owner table, in one order whoever found them and
 * in whatever order: per record, lowest pid first, then ascending fd,
 * each (pid, fd) once.
 *
 * A back-end that collects what it sees, without the index, can run while
 * the dumps that make the records still run (snap.c does so).
 */

/* One descriptor that names a socket, as a back-end saw it. */
struct ct_owner_seen {
	uint32_t	 inode;		/* the socket's */
	uint32_t	 pid;
	int32_t		 fd;
	uint32_t	 comm;		/* the process's name: ct_owners.comm[comm] */
};

struct ct_owners_seen {
	struct ct_owner_seen *v;
	size_t		 len, cap;
};

/* Room for one more at the end of s. Never fails (die() on ENOMEM). */
struct ct_owner_seen *owners_seen_add(struct ct_owners_seen *s);
/* Release; NULL-safe, leaves it empty. */
void		 owners_seen_free(struct ct_owners_seen *s);

/*
 * A slot holds the inode itself, so that a probe touches the index only:
 * the records are 22 MiB at 200,000 sockets, and a probe that read each
 * candidate's inode there missed the cache every time.
 */
struct ct_inode_slot {
	uint32_t	 inode;		/* 0 = empty: sockets have no inode 0 */
	uint32_t	 idx;		/* record index */
};

/* Open addressing, sized to twice the records: O(1) at any size. */
struct ct_inode_index {
	struct ct_inode_slot *slot;
	size_t		 mask;
};

/* Index the inodes of socks (those not 0); free with owners_index_free(). */
void		 owners_index_build(struct ct_inode_index *h,
		    const struct ct_socklist *socks);
/* Release; NULL-safe, leaves it empty. */
void		 owners_index_free(struct ct_inode_index *h);

/* Where a lookup of inode starts. */
static inline size_t
owners_index_pos(const struct ct_inode_index *h, uint32_t inode)
{
	/* Fibonacci hashing: socket inodes are nearly sequential */
	return (size_t)((inode * 2654435769u) >> 7) & h->mask;
}

/*
 * The next record with this inode from *pos on, or -1 (a dump may repeat
 * one, so call again until -1). Start with *pos = owners_index_pos().
 */
static inline long
owners_index_next(const struct ct_inode_index *h, uint32_t inode, size_t *pos)
{
	if (inode == 0)
		return -1;
	for (; h->slot[*pos].inode != 0; *pos = (*pos + 1) & h->mask) {
		if (h->slot[*pos].inode == inode) {
			long idx = h->slot[*pos].idx;

			*pos = (*pos + 1) & h->mask;
			return idx;
		}
	}
	return -1;
}

/* The first record with this inode, or -1. */
static inline long
owners_index_find(const struct ct_inode_index *h, uint32_t inode)
{
	size_t pos = owners_index_pos(h, inode);

	return owners_index_next(h, inode, &pos);
}

/* One descriptor that names the socket of record idx. */
struct ct_owner_hit {
	uint32_t	 idx;		/* record index */
	uint32_t	 pid;
	int32_t		 fd;
	uint32_t	 comm;		/* the process's name: ct_owners.comm[comm] */
};

struct ct_owner_hits {
	struct ct_owner_hit *v;
	size_t		 len, cap;
};

/* Room for one more hit at the end of h. Never fails (die() on ENOMEM). */
struct ct_owner_hit *owners_hits_add(struct ct_owner_hits *h);
/* Release; NULL-safe, leaves it empty. */
void		 owners_hits_free(struct ct_owner_hits *h);

/*
 * Link hits into out, whose names the hits' comm indexes name (out as
 * owners_init() left it, plus owners_add_comm()): every record's owners
 * field (0 when no hit names it) and the chains, per record lowest pid
 * first, then ascending fd, a repeated (pid, fd) once. Sorts hits in
 * place; they can be freed after.
 */
void		 owners_link(struct ct_owner_hits *hits,
		    struct ct_socklist *socks, struct ct_owners *out);
/*
 * owners_link() for what a back-end saw: each descriptor looked up in an
 * index of socks, the hits linked into out (whose names the seen comm
 * indexes name). seen is left as it was.
 */
void		 owners_link_seen(const struct ct_owners_seen *seen,
		    struct ct_socklist *socks, struct ct_owners *out);
/*
 * Linking descriptors one at a time, as a back-end walks them, in pid and
 * fd order (the caller's promise; a repeated (pid, fd) is dropped): no
 * list, no sort. start, add each, end; h indexes socks.
 */
struct ct_owners_linker {
	const struct ct_inode_index *h;
	struct ct_socklist *socks;
	struct ct_owners *out;
	uint32_t	*tail;		/* each record's last owner */
};

/* hint: how many descriptors will be added (room is made for them) */
void		 owners_linker_start(struct ct_owners_linker *l,
		    const struct ct_inode_index *h, struct ct_socklist *socks,
		    struct ct_owners *out, size_t hint);
void		 owners_linker_end(struct ct_owners_linker *l);

/* One more owner of record idx, after those it has: at the chain's tail. */
static inline void
owners_linker_put(struct ct_owners_linker *l, long idx, uint32_t pid,
    int32_t fd, uint32_t comm)
{
	struct ct_owners *out = l->out;
	uint32_t t = l->tail[idx], o;

	if (t != 0 && out->v[t].pid == pid && out->v[t].fd == fd)
		return;			/* the same descriptor again */
	o = out->len < out->cap ? (uint32_t)out->len++ : owners_append(out);
	out->v[o].pid = pid;
	out->v[o].fd = fd;
	out->v[o].comm = comm;
	out->v[o].next = 0;
	if (t == 0)
		l->socks->v[idx].owners = o;
	else
		out->v[t].next = o;
	l->tail[idx] = o;
}

/* Every record with this inode gets the owner (pid, fd). */
static inline void
owners_linker_add(struct ct_owners_linker *l, uint32_t inode, uint32_t pid,
    int32_t fd, uint32_t comm)
{
	size_t pos = owners_index_pos(l->h, inode);
	long idx;

	while ((idx = owners_index_next(l->h, inode, &pos)) >= 0)
		owners_linker_put(l, idx, pid, fd, comm);
}
/* owners_link_seen() through h, an index of socks built already. */
void		 owners_link_seen_with(const struct ct_owners_seen *seen,
		    const struct ct_inode_index *h, struct ct_socklist *socks,
		    struct ct_owners *out);

#endif /* CT_OWNERS_LINK_H */
