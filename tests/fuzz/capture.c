/*
 * capture: record real SOCK_DIAG_BY_FAMILY dumps as fuzz_diag seeds.
 *
 *   capture OUTDIR
 *
 * Runs diag_dump() over a real netlink socket through a transport that
 * writes down every datagram it receives, and saves each dump in the
 * fuzz_diag layout (fuzz_diag.h) as OUTDIR/<name>. Besides the plain
 * dumps it saves a few built from real datagrams: interrupted dumps
 * (NLM_F_DUMP_INTR set on NLMSG_DONE), the kernel's error for a protocol
 * it cannot dump, and a receive failure mid-dump.
 *
 * Run it in a private network namespace holding a mix of sockets
 * (tests/fuzz/capture.sh does): the captures hold its addresses.
 *
 *   capture --bpf FILE PIECE
 *
 * Walks conntab's BPF owner iterator once and saves its stream as a
 * fuzz_owners_bpf seed (byte PIECE, then the stream). Run it in a private
 * PID namespace: the stream names every process the namespace holds.
 * Only in a build with the BPF program (CT_HAVE_BPF).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "fuzz_diag.h"
#include "sock.h"

#ifdef CT_HAVE_BPF
#include <linux/types.h>
#include <owners.lskel.h>
#endif

struct rec {
	struct mnl_socket *nl;
	uint8_t		*buf;
	size_t		 len, cap;
	size_t		 last;		/* offset of the last datagram's length */
};

static void
rec_put(struct rec *r, const void *p, size_t n)
{
	if (r->len + n > r->cap) {
		while (r->len + n > r->cap)
			r->cap = r->cap ? r->cap * 2 : 65536;
		if ((r->buf = realloc(r->buf, r->cap)) == NULL) {
			perror("capture");
			exit(1);
		}
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

static void
rec_start(struct rec *r, uint8_t sel)
{
	uint32_t portid = mnl_socket_get_portid(r->nl);
	uint8_t hdr[FZD_HDRLEN] = { sel, (uint8_t)portid, (uint8_t)(portid >> 8),
	    (uint8_t)(portid >> 16), (uint8_t)(portid >> 24) };

	r->len = 0;
	rec_put(r, hdr, sizeof(hdr));
}

static ssize_t
rec_send(void *ctx, const void *buf, size_t len)
{
	return mnl_socket_sendto(((struct rec *)ctx)->nl, buf, len);
}

static ssize_t
rec_recv(void *ctx, void *buf, size_t len)
{
	struct rec *r = ctx;
	ssize_t n = mnl_socket_recvfrom(r->nl, buf, len);
	uint8_t l[2];

	if (n < 0)
		return n;
	if (n >= FZD_FAIL) {
		fprintf(stderr, "capture: a datagram of %zd bytes\n", n);
		exit(1);
	}
	l[0] = (uint8_t)n;
	l[1] = (uint8_t)(n >> 8);
	r->last = r->len;
	rec_put(r, l, 2);
	rec_put(r, buf, (size_t)n);
	return n;
}

static uint32_t
rec_portid(void *ctx)
{
	return mnl_socket_get_portid(((struct rec *)ctx)->nl);
}

static void
rec_save(const struct rec *r, const char *dir, const char *name)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/kernel_%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL ||
	    fwrite(r->buf, 1, r->len, fp) != r->len || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
	printf("%s: %zu bytes\n", path, r->len);
}

/* Set flags on every NLMSG_DONE recorded from offset from on. */
static void
rec_flag_done(struct rec *r, size_t from, uint16_t flags)
{
	size_t off = from;

	while (off + 2 <= r->len) {
		size_t n = (size_t)r->buf[off] | (size_t)r->buf[off + 1] << 8;
		struct nlmsghdr *nlh = (struct nlmsghdr *)(r->buf + off + 2);
		int len = (int)n;

		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == NLMSG_DONE)
				nlh->nlmsg_flags |= flags;
		off += 2 + n;
	}
}

static struct ct_diag *
rec_open(struct rec *r)
{
	struct ct_diag_io io = { rec_send, rec_recv, rec_portid, NULL, r };
	struct ct_diag *d;

	if ((r->nl = mnl_socket_open(NETLINK_SOCK_DIAG)) == NULL ||
	    mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("capture: netlink");
		exit(1);
	}
	diag_open_io(&io, &d);
	return d;
}

static void
rec_close(struct rec *r, struct ct_diag *d)
{
	diag_close(d);
	mnl_socket_close(r->nl);
	r->nl = NULL;
}

/* One plain dump with a fresh socket (sequence number 1). */
static void
capture_one(struct rec *r, const char *dir, const char *name, uint8_t sel)
{
	static const uint8_t fams[] = { AF_UNSPEC, AF_INET, AF_INET6, AF_INET };
	struct ct_diag_req req = { 0 };
	struct ct_socklist l = { 0 };
	struct ct_diag *d = rec_open(r);
	int rc;

	req.family = fams[sel & FZD_FAMILY_MASK];
	req.proto = sel & FZD_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	req.states = CT_STATES_ALL;
	req.info = (sel & FZD_INFO) != 0;
	req.more = req.meminfo = req.ext = (sel & FZD_MORE) != 0;
	rec_start(r, sel);
	if ((rc = diag_dump(d, &req, &l)) != 0) {
		fprintf(stderr, "capture: %s: %s\n", name, strerror(-rc));
		exit(1);
	}
	rec_save(r, dir, name);
	sock_list_free(&l);
	rec_close(r, d);
}

/*
 * tries dumps on one socket (sequence numbers 1..tries), the first intr
 * of them flagged NLM_F_DUMP_INTR on NLMSG_DONE: what diag_dump() reads
 * when the kernel's socket tables change under it.
 */
static void
capture_intr(struct rec *r, const char *dir, const char *name, uint8_t sel,
    int tries, int intr)
{
	struct ct_diag_req req = { 0 };
	struct ct_diag *d = rec_open(r);
	int i;

	req.family = sel & FZD_FAMILY_MASK ? AF_INET : AF_UNSPEC;
	req.proto = sel & FZD_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	req.states = CT_STATES_ALL;
	rec_start(r, sel);
	for (i = 0; i < tries; i++) {
		struct ct_socklist l = { 0 };
		size_t from = r->len;

		if (diag_dump(d, &req, &l) != 0) {
			fprintf(stderr, "capture: %s: dump failed\n", name);
			exit(1);
		}
		if (i < intr)
			rec_flag_done(r, from, NLM_F_DUMP_INTR);
		sock_list_free(&l);
	}
	rec_save(r, dir, name);
	rec_close(r, d);
}

/* The kernel's NLMSG_ERROR for a protocol it has no diag module for. */
static void
capture_error(struct rec *r, const char *dir, const char *name)
{
	struct ct_diag_req req = { .family = AF_INET, .proto = 255,
	    .states = CT_STATES_ALL };
	struct ct_socklist l = { 0 };
	struct ct_diag *d = rec_open(r);
	int rc;

	rec_start(r, 1);
	rc = diag_dump(d, &req, &l);
	printf("%s: the kernel said %s\n", name, strerror(-rc));
	rec_save(r, dir, name);
	sock_list_free(&l);
	rec_close(r, d);
}

/* A real first datagram, then recv fails with ENOBUFS. */
static void
capture_enobufs(struct rec *r, const char *dir, const char *name)
{
	struct ct_diag_req req = { .family = AF_INET, .proto = IPPROTO_UDP,
	    .states = CT_STATES_ALL };
	struct ct_socklist l = { 0 };
	struct ct_diag *d = rec_open(r);
	uint8_t fail[3] = { 0xff, 0xff, ENOBUFS };
	size_t first;

	rec_start(r, FZD_UDP | 1);
	if (diag_dump(d, &req, &l) != 0)
		exit(1);
	first = FZD_HDRLEN + 2 + ((size_t)r->buf[FZD_HDRLEN] |
	    (size_t)r->buf[FZD_HDRLEN + 1] << 8);
	r->len = first;
	rec_put(r, fail, sizeof(fail));
	rec_save(r, dir, name);
	sock_list_free(&l);
	rec_close(r, d);
}

/* The BPF iterator's raw stream into path, after one byte: piece. */
static int
capture_bpf(const char *path, const char *piece)
{
#ifdef CT_HAVE_BPF
	static unsigned char buf[65536];
	struct owners_bpf_skel *skel;
	union bpf_attr attr;
	ssize_t n;
	FILE *fp;
	int fd;

	if ((skel = owners_bpf_skel__open()) == NULL ||
	    owners_bpf_skel__load(skel) != 0 ||
	    owners_bpf_skel__attach(skel) != 0) {
		fprintf(stderr, "capture: cannot load the BPF iterator\n");
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.iter_create.link_fd = (__u32)skel->links.ct_owners_fd;
	if ((fd = (int)syscall(__NR_bpf, BPF_ITER_CREATE, &attr,
	    sizeof(attr))) < 0 || (fp = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "capture: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fputc(atoi(piece) & 0xff, fp);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, fp);
	close(fd);
	owners_bpf_skel__destroy(skel);
	return fclose(fp) == 0 && n == 0 ? 0 : 1;
#else
	(void)path;
	(void)piece;
	fprintf(stderr, "capture: built without the BPF program\n");
	return 1;
#endif
}

int
main(int argc, char *argv[])
{
	struct rec r = { 0 };
	const char *dir;

	if (argc == 4 && strcmp(argv[1], "--bpf") == 0)
		return capture_bpf(argv[2], argv[3]);
	if (argc != 2) {
		fprintf(stderr, "usage: capture OUTDIR | --bpf FILE PIECE\n");
		return 2;
	}
	dir = argv[1];
	capture_one(&r, dir, "tcp_any", 0);
	capture_one(&r, dir, "tcp4", 1);
	capture_one(&r, dir, "tcp6", 2);
	capture_one(&r, dir, "udp4", FZD_UDP | 1);
	capture_one(&r, dir, "udp6", FZD_UDP | 2);
	capture_one(&r, dir, "tcp_any_info", FZD_INFO);
	capture_one(&r, dir, "tcp6_info", FZD_INFO | 2);
	capture_one(&r, dir, "tcp_any_more", FZD_INFO | FZD_MORE);
	capture_one(&r, dir, "udp4_more", FZD_UDP | FZD_MORE | 1);
	capture_intr(&r, dir, "tcp_any_intr_always", 0, 4, 4);
	capture_intr(&r, dir, "udp4_intr_once", FZD_UDP | 1, 2, 1);
	capture_error(&r, dir, "error_noproto");
	capture_enobufs(&r, dir, "udp4_enobufs");
	free(r.buf);
	return 0;
}
