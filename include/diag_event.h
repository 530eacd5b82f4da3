#ifndef CT_DIAG_EVENT_H
#define CT_DIAG_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "sock.h"

/*
 * The kernel's destroy events: a NETLINK_SOCK_DIAG socket subscribed to
 * the multicast groups SKNLGRP_INET_TCP_DESTROY ... SKNLGRP_INET6_UDP_DESTROY
 * of the network namespace it was opened in (it stays bound to that one).
 * For every TCP or UDP socket of that namespace the kernel frees, one
 * inet_diag_msg arrives: the socket's id (addresses, ports, interface,
 * cookie), its state then (CLOSE, mostly), INET_DIAG_PROTOCOL and, for
 * TCP, its final tcp_info. Nothing fires for a TIME_WAIT entry or a
 * request socket (SYN_RECV), which are not full sockets, nor for the
 * kernel's own sockets; and there is no uid, inode or process by then.
 * Any user may subscribe (the kernel's socket has NL_CFG_F_NONROOT_RECV).
 */

/* The groups to join: bits of diag_event_open()'s groups. */
#define CT_EVG_TCP4	0x1	/* SKNLGRP_INET_TCP_DESTROY */
#define CT_EVG_UDP4	0x2	/* SKNLGRP_INET_UDP_DESTROY */
#define CT_EVG_TCP6	0x4	/* SKNLGRP_INET6_TCP_DESTROY */
#define CT_EVG_UDP6	0x8	/* SKNLGRP_INET6_UDP_DESTROY */
#define CT_EVG_ALL	0xf

/* diag_event_read()'s *lost when the kernel does not count its drops */
#define CT_EV_LOST_UNKNOWN	UINT64_MAX

struct ct_diag_ev;

/*
 * Open a socket in the calling thread's network namespace, joined to the
 * groups (CT_EVG_*), non-blocking, with a receive buffer as large as the
 * kernel grants (8 MiB asked; SO_RCVBUFFORCE needs CAP_NET_ADMIN, else
 * net.core.rmem_max caps it). 0 or -errno; free with diag_event_close().
 */
int		 diag_event_open(unsigned groups, struct ct_diag_ev **out);
/* Release; NULL-safe. */
void		 diag_event_close(struct ct_diag_ev *ev);
/* The descriptor to poll() for POLLIN. */
int		 diag_event_fd(const struct ct_diag_ev *ev);
/*
 * Read every event waiting, without blocking, and append each destroyed
 * socket to out (proto set, tcp_info in out->info with CT_SF_INFO).
 * Datagrams that are not the kernel's multicast are dropped. Returns 0
 * when nothing more waits, or -ENOBUFS when the kernel dropped events
 * since the last read (its receive buffer overran): then *lost is how
 * many it dropped (SO_MEMINFO), or CT_EV_LOST_UNKNOWN, and the reader
 * should resync; the records read before are in out. Other errors are
 * -errno. *lost is 0 unless -ENOBUFS.
 */
int		 diag_event_read(struct ct_diag_ev *ev, struct ct_socklist *out,
		    uint64_t *lost);

/*
 * Decode one datagram of destroy events into out: no I/O, so tests and
 * the fuzzer feed it bytes. Each SOCK_DIAG_BY_FAMILY message from the
 * kernel (port id 0) that decodes (diag_parse_msg()) into a TCP or UDP
 * socket of AF_INET or AF_INET6 is appended; other types are skipped, and
 * a malformed or foreign one is skipped and counted in *bad. Returns the
 * number of records appended, or -EBADMSG (nothing appended) when the
 * datagram is not a run of whole messages.
 */
int		 diag_event_parse(const void *buf, size_t len,
		    struct ct_socklist *out, size_t *bad);

#endif /* CT_DIAG_EVENT_H */
