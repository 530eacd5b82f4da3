/* The record list, and the names of protocols, families and states. */
#include "sock.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

struct ct_sock *
sock_list_grow(struct ct_socklist *l)
{
	if (l->len == l->cap) {
		/* grow by half: fewer copies than +N, less slack than x2 */
		l->cap = l->cap < 256 ? 256 : l->cap + l->cap / 2;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
		if (l->info != NULL)
			l->info = xreallocarray(l->info, l->cap, sizeof(*l->info));
		if (l->ext != NULL)
			l->ext = xreallocarray(l->ext, l->cap, sizeof(*l->ext));
		if (l->mem != NULL)
			l->mem = xreallocarray(l->mem, l->cap, sizeof(*l->mem));
		if (l->more != NULL)
			l->more = xreallocarray(l->more, l->cap, sizeof(*l->more));
	}
	return &l->v[l->len];
}

struct ct_tcpinfo *
sock_list_info_at(struct ct_socklist *l, size_t i)
{
	/* entries of records without CT_SF_INFO are never read */
	if (l->info == NULL)
		l->info = xcalloc(l->cap, sizeof(*l->info));
	return &l->info[i];
}

/* The arrays beside the records come into being with their first entry. */
struct ct_sockext *
sock_list_ext_at(struct ct_socklist *l, size_t i)
{
	if (l->ext == NULL)
		l->ext = xcalloc(l->cap, sizeof(*l->ext));
	return &l->ext[i];
}

struct ct_meminfo *
sock_list_mem_at(struct ct_socklist *l, size_t i)
{
	if (l->mem == NULL)
		l->mem = xcalloc(l->cap, sizeof(*l->mem));
	return &l->mem[i];
}

struct ct_tcpinfo_more *
sock_list_more_at(struct ct_socklist *l, size_t i)
{
	if (l->more == NULL)
		l->more = xcalloc(l->cap, sizeof(*l->more));
	return &l->more[i];
}


struct ct_sock *
sock_list_append(struct ct_socklist *l)
{
	struct ct_sock *s = sock_list_grow(l);

	memset(s, 0, sizeof(*s));
	l->len++;
	return s;
}

void
sock_list_free(struct ct_socklist *l)
{
	if (l == NULL)
		return;
	free(l->v);
	free(l->info);
	free(l->ext);
	free(l->mem);
	free(l->more);
	l->v = NULL;
	l->info = NULL;
	l->ext = NULL;
	l->mem = NULL;
	l->more = NULL;
	l->len = l->cap = 0;
}

const char *
sock_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	default:
		return "?";
	}
}

const char *
sock_family_name(uint8_t family)
{
	return family == AF_INET6 ? "inet6" : "inet";
}

const char *
sock_state_name(uint8_t proto, uint8_t state)
{
	static const char *const names[CT_ST_MAX] = {
		[CT_ST_ESTABLISHED] = "ESTABLISHED",
		[CT_ST_SYN_SENT] = "SYN_SENT",
		[CT_ST_SYN_RECV] = "SYN_RECV",
		[CT_ST_FIN_WAIT1] = "FIN_WAIT1",
		[CT_ST_FIN_WAIT2] = "FIN_WAIT2",
		[CT_ST_TIME_WAIT] = "TIME_WAIT",
		[CT_ST_CLOSE] = "CLOSE",
		[CT_ST_CLOSE_WAIT] = "CLOSE_WAIT",
		[CT_ST_LAST_ACK] = "LAST_ACK",
		[CT_ST_LISTEN] = "LISTEN",
		[CT_ST_CLOSING] = "CLOSING",
	};

	if (proto == IPPROTO_UDP && state == CT_ST_CLOSE)
		return "UNCONN";
	if (state == 12)	/* TCP_NEW_SYN_RECV: a request socket */
		return "SYN_RECV";
	if (state >= CT_ST_MAX || names[state] == NULL)
		return "UNKNOWN";
	return names[state];
}

bool
sock_addr_is_any(const struct ct_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->bytes, zero, a->family == AF_INET6 ? 16 : 4) == 0;
}

bool
sock_addr_is_v4mapped(const struct ct_addr *a)
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

	return a->family == AF_INET6 && memcmp(a->bytes, prefix, 12) == 0;
}

bool
sock_is_unconnected(const struct ct_sock *s)
{
	return s->rport == 0 && sock_addr_is_any(&s->remote);
}
