/*
 * The byte layout of a fuzz_diag input, shared by the target and by the
 * capture helper that records real kernel dumps in it:
 *
 *   byte 0       the request: bits 0-1 family (0 AF_UNSPEC, 1 AF_INET,
 *                2 AF_INET6, 3 AF_INET), bit 2 UDP (else TCP), bit 3
 *                ask for tcp_info, bit 4 ask for socket memory, more of
 *                tcp_info and the congestion control, and keep marks,
 *                cgroup ids and timers
 *   bytes 1-4    the netlink port id the transport reports (little endian)
 *   then         the datagrams recv returns, in order, each as a
 *                little-endian 16-bit length and that many bytes; the
 *                length 0xffff instead makes recv fail with the errno in
 *                the next byte. A short last datagram is what is left.
 *                After the last one, recv returns 0 (end of transport).
 */
#ifndef CT_FUZZ_DIAG_H
#define CT_FUZZ_DIAG_H

#define FZD_FAMILY_MASK	0x03
#define FZD_UDP		0x04
#define FZD_INFO	0x08
#define FZD_MORE	0x10
#define FZD_HDRLEN	5
#define FZD_FAIL	0xffff

#endif /* CT_FUZZ_DIAG_H */
