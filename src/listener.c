/*
 * Listener association: every accepted connection is linked to the
 * listening socket it arrived on. It runs over the whole snapshot, before
 * the filter, so that a connection knows its listener even when the
 * listener itself is not shown.
 */
#include "listener.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

#define CMP(a, b)	(((a) > (b)) - ((a) < (b)))

static size_t
addr_len(uint8_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

bool
listener_is(const struct ct_sock *s)
{
	if (s->proto == IPPROTO_TCP)
		return s->state == CT_ST_LISTEN;
	return s->proto == IPPROTO_UDP && s->state == CT_ST_CLOSE &&
	    sock_is_unconnected(s);
}

/* Could s have arrived through a listener? A connecting client cannot. */
static bool
listener_can_accept(const struct ct_sock *s)
{
	if (listener_is(s) || sock_is_unconnected(s))
		return false;
	if (s->proto == IPPROTO_TCP)
		return s->state != CT_ST_SYN_SENT;
	return s->proto == IPPROTO_UDP;
}

/*
 * (namespace, protocol, port): the part of the key a connection has to
 * equal. Two namespaces may both serve 127.0.0.1:8080; each listener
 * adopts only the connections of its own.
 */
static int
listener_cmp_port(const struct ct_sock *a, const struct ct_sock *b)
{
	int c;

	if ((c = CMP(a->netns, b->netns)) != 0 ||
	    (c = CMP(a->proto, b->proto)) != 0)
		return c;
	return CMP(a->lport, b->lport);
}

/* (protocol, port, family, address): the listening address. */
static int
listener_cmp_addr(const struct ct_sock *a, const struct ct_sock *b)
{
	int c;

	if ((c = listener_cmp_port(a, b)) != 0 ||
	    (c = CMP(a->local.family, b->local.family)) != 0)
		return c;
	return memcmp(a->local.bytes, b->local.bytes, addr_len(a->local.family));
}

int
listener_cmp_group(const struct ct_sock *a, const struct ct_sock *b)
{
	int c;

	if ((c = listener_cmp_addr(a, b)) != 0)
		return c;
	return CMP(a->ifindex, b->ifindex);
}

static int
listener_sort_cb(const void *x, const void *y)
{
	const struct ct_sock *a = *(const struct ct_sock *const *)x;
	const struct ct_sock *b = *(const struct ct_sock *const *)y;
	int c;

	if ((c = listener_cmp_group(a, b)) != 0 ||
	    (c = CMP(a->inode, b->inode)) != 0)
		return c;
	return CMP(a->cookie, b->cookie);
}

/* First index in v[0..n) whose key is not below probe's, as cmp sees it. */
static size_t
listener_lower(const struct ct_sock *const *v, size_t n,
    const struct ct_sock *probe,
    int (*cmp)(const struct ct_sock *, const struct ct_sock *))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(v[mid], probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Among the listeners on address probe (v[at...]), the one for connection
 * c: bound to c's interface if there is one, else an unbound one. The run
 * is sorted by ifindex, so unbound (0) comes first.
 */
static const struct ct_sock *
listener_pick(const struct ct_sock *const *v, size_t n, size_t at,
    const struct ct_sock *probe, const struct ct_sock *c)
{
	const struct ct_sock *unbound = NULL;

	for (; at < n && listener_cmp_addr(v[at], probe) == 0; at++) {
		if (v[at]->ifindex == 0) {
			if (unbound == NULL)
				unbound = v[at];
		} else if (v[at]->ifindex == c->ifindex) {
			return v[at];
		}
	}
	return unbound;
}

static const struct ct_sock *
listener_find(const struct ct_sock *const *v, size_t n, const struct ct_sock *c)
{
	const struct ct_sock *l;
	struct ct_sock probe;
	size_t at;

	/* the connection's own local address */
	memset(&probe, 0, sizeof(probe));
	probe.netns = c->netns;
	probe.proto = c->proto;
	probe.lport = c->lport;
	probe.local = c->local;
	at = listener_lower(v, n, &probe, listener_cmp_addr);
	if ((l = listener_pick(v, n, at, &probe, c)) != NULL)
		return l;
	/* the wildcard of the connection's family: 0.0.0.0 or :: */
	memset(probe.local.bytes, 0, sizeof(probe.local.bytes));
	at = listener_lower(v, n, &probe, listener_cmp_addr);
	if ((l = listener_pick(v, n, at, &probe, c)) == NULL)
		return NULL;
	/*
	 * An IPv6-only "::" takes no IPv4 traffic, so it has no v4-mapped
	 * connections. (A plain AF_INET connection never reaches here with an
	 * AF_INET6 listener: families are compared above.)
	 */
	if (l->local.family == AF_INET6 && (l->flags & CT_SF_V6ONLY) &&
	    sock_addr_is_v4mapped(&c->local))
		return NULL;
	return l;
}

/*
 * Ports some listener of the protocol holds, one bit each: half the
 * connections of a busy host are its own clients, on ephemeral ports no
 * listener holds, and this turns them away before any search. (A port
 * of any namespace's listener: the search then keeps to the namespace.)
 */
struct port_bits {
	uint64_t	 w[2][65536 / 64];	/* [0] TCP, [1] the others */
};

static bool
port_bit(const struct port_bits *b, const struct ct_sock *s, bool set)
{
	uint64_t *w = (uint64_t *)&b->w[s->proto != IPPROTO_TCP][s->lport / 64];
	uint64_t bit = (uint64_t)1 << (s->lport % 64);

	if (set)
		*w |= bit;
	return (*w & bit) != 0;
}

void
listener_link(struct ct_socklist *l)
{
	const struct ct_sock **v;
	struct port_bits *ports;
	size_t i, n = 0;

	v = xcalloc(l->len + 1, sizeof(*v));
	ports = xcalloc(1, sizeof(*ports));
	for (i = 0; i < l->len; i++) {
		l->v[i].listener = 0;	/* one pass: 22 MiB at 200,000 */
		if (listener_is(&l->v[i])) {
			v[n++] = &l->v[i];
			port_bit(ports, &l->v[i], true);
		}
	}
	if (n == 0)
		goto out;
	qsort(v, n, sizeof(*v), listener_sort_cb);
	for (i = 0; i < l->len; i++) {
		struct ct_sock *c = &l->v[i];
		const struct ct_sock *found;

		if (!port_bit(ports, c, false) || !listener_can_accept(c))
			continue;
		if ((found = listener_find(v, n, c)) != NULL)
			c->listener = (uint32_t)(found - l->v) + 1;
	}
out:
	free(ports);
	free(v);
}
