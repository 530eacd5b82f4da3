/*
 * floor: the least work any tool can do for each of conntab's jobs, so
 * that every benchmark figure can be read against it.
 *
 *   floor dump          one dump of every TCP and UDP socket; count replies
 *   floor dump-info     the same, asking for tcp_info as conntab -i does
 *   floor dump-sport P  the same, the kernel keeping local port P only
 *   floor proc          list /proc/PID/fd; collect the socket inodes
 *   floor netns DIR     for each namespace file in DIR, one after another:
 *                       enter it, open a socket there, dump as above,
 *                       close it; the serial floor of --all-netns
 *   floor iter          the same from conntab's BPF task_file iterator:
 *                       load its light skeleton, read every record, collect
 *                       the socket inodes (built with -DCT_HAVE_BPF only)
 *
 * The dumps have the shape of conntab's own requests: TCP of both families
 * in one walk (the older inet_diag_req with no family, TCPDIAG_GETSOCK),
 * then UDP per family (inet_diag_req_v2), every state, a 32 KiB receive
 * buffer.  Nothing is decoded beyond the netlink header.  Prints what it
 * counted on stdout, one line that starts with the number of sockets.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef CT_HAVE_BPF
#include <linux/types.h>
#include <owners.lskel.h>
#include "../src/bpf/owners_rec.h"
#endif

#define BUFSZ		32768	/* the kernel fills no more per datagram */
#define STATES_ALL	0xffeu	/* TCP_ESTABLISHED ... TCP_CLOSING */

static void
fail(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

struct req {
	struct nlmsghdr	 nlh;
	union {
		struct inet_diag_req	old;
		struct inet_diag_req_v2	v2;
	} r;
	struct nlattr	 bc_hdr;
	struct inet_diag_bc_op bc[4];
};

/*
 * "sport = P" as ss compiles it: local port >= P, then <= P.  A jump of
 * the remaining length + 4 rejects; running off the end accepts.
 */
static size_t
sport_bytecode(struct inet_diag_bc_op *bc, uint16_t port)
{
	bc[0] = (struct inet_diag_bc_op){ INET_DIAG_BC_S_GE, 8, 16 + 4 };
	bc[1] = (struct inet_diag_bc_op){ 0, 0, port };
	bc[2] = (struct inet_diag_bc_op){ INET_DIAG_BC_S_LE, 8, 8 + 4 };
	bc[3] = (struct inet_diag_bc_op){ 0, 0, port };
	return 4 * sizeof(*bc);
}

/* One dump; returns the number of socket replies. */
static long
dump(int fd, char *buf, int family, int proto, int info, int sport)
{
	static uint32_t seq;
	struct req q;
	size_t hdr;
	long n = 0;

	memset(&q, 0, sizeof(q));
	q.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q.nlh.nlmsg_seq = ++seq;
	if (family == AF_UNSPEC) {
		q.nlh.nlmsg_type = TCPDIAG_GETSOCK;
		q.r.old.idiag_states = STATES_ALL;
		q.r.old.idiag_ext = info ? 1 << (INET_DIAG_INFO - 1) : 0;
		hdr = sizeof(q.r.old);
	} else {
		q.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		q.r.v2.sdiag_family = (uint8_t)family;
		q.r.v2.sdiag_protocol = (uint8_t)proto;
		q.r.v2.idiag_states = STATES_ALL;
		q.r.v2.idiag_ext = info ? 1 << (INET_DIAG_INFO - 1) : 0;
		hdr = sizeof(q.r.v2);
	}
	q.nlh.nlmsg_len = NLMSG_LENGTH(hdr);
	if (sport >= 0) {
		/* both request headers are multiples of 4: no padding here */
		struct nlattr *a = (struct nlattr *)((char *)&q + q.nlh.nlmsg_len);
		size_t len = sport_bytecode((struct inet_diag_bc_op *)(a + 1),
		    (uint16_t)sport);

		a->nla_type = INET_DIAG_REQ_BYTECODE;
		a->nla_len = (uint16_t)(NLA_HDRLEN + len);
		q.nlh.nlmsg_len += NLA_ALIGN(a->nla_len);
	}
	if (send(fd, &q, q.nlh.nlmsg_len, 0) < 0)
		fail("send");
	for (;;) {
		ssize_t got = recv(fd, buf, BUFSZ, 0);
		size_t off = 0, left;

		if (got < 0)
			fail("recv");
		/* whole messages, as NLMSG_OK() would have them */
		while ((left = (size_t)got - off) >= sizeof(struct nlmsghdr)) {
			struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);

			if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > left)
				break;
			if (h->nlmsg_type == NLMSG_DONE)
				return n;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				errno = -e->error;
				fail("dump");
			}
			n++;
			off += NLMSG_ALIGN(h->nlmsg_len);
		}
	}
}

static void
dump_all(int info, int sport)
{
	static char buf[BUFSZ];
	long tcp, udp;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (fd < 0)
		fail("socket");
	tcp = dump(fd, buf, AF_UNSPEC, IPPROTO_TCP, info, sport);
	udp = dump(fd, buf, AF_INET, IPPROTO_UDP, 0, sport);
	udp += dump(fd, buf, AF_INET6, IPPROTO_UDP, 0, sport);
	close(fd);
	printf("%ld sockets: tcp %ld, udp %ld\n", tcp + udp, tcp, udp);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The serial floor of conntab --all-netns: what its threads do, done by
 * one thread in a row. Enter each namespace, make a socket there, go
 * back (the socket stays in the namespace it was made in), dump, close.
 */
static void
dump_netns(const char *dir)
{
	static char buf[BUFSZ];
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i;
	long tcp = 0, udp = 0;
	int home, nsfd, fd;

	if (d == NULL || (home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		fail(dir);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((names = realloc(names, cap * sizeof(*names))) == NULL)
				fail("realloc");
		}
		if ((names[n++] = strdup(e->d_name)) == NULL)
			fail("strdup");
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((nsfd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
		    setns(nsfd, CLONE_NEWNET) < 0)
			fail(path);
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
		if (fd < 0 || setns(home, CLONE_NEWNET) < 0)
			fail("socket");
		close(nsfd);
		tcp += dump(fd, buf, AF_UNSPEC, IPPROTO_TCP, 0, -1);
		udp += dump(fd, buf, AF_INET, IPPROTO_UDP, 0, -1);
		udp += dump(fd, buf, AF_INET6, IPPROTO_UDP, 0, -1);
		close(fd);
		free(names[i]);
	}
	free(names);
	close(home);
	printf("%ld sockets in %zu namespaces: tcp %ld, udp %ld\n", tcp + udp, n,
	    tcp, udp);
}

/* "socket:[12345]" -> 12345; 0 for anything else. */
static uint32_t
socket_inode(const char *s, ssize_t n)
{
	uint32_t v = 0;
	ssize_t i;

	if (n < 10 || memcmp(s, "socket:[", 8) != 0)
		return 0;
	for (i = 8; i < n - 1; i++)
		v = v * 10 + (uint32_t)(s[i] - '0');
	return v;
}

static void
proc_scan(void)
{
	DIR *proc = opendir("/proc");
	struct dirent *p, *e;
	uint32_t *inodes = NULL;
	size_t n = 0, cap = 0;
	long npids = 0;
	char path[300], link[64];

	if (proc == NULL)
		fail("/proc");
	while ((p = readdir(proc)) != NULL) {
		DIR *fds;
		int dfd;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;		/* exited, or not ours */
		if ((fds = fdopendir(dfd)) == NULL) {
			close(dfd);
			continue;
		}
		npids++;
		while ((e = readdir(fds)) != NULL) {
			ssize_t len;
			uint32_t ino;

			if (e->d_name[0] == '.')
				continue;
			len = readlinkat(dfd, e->d_name, link, sizeof(link));
			if (len <= 0 || (ino = socket_inode(link, len)) == 0)
				continue;
			if (n == cap) {
				cap = cap == 0 ? 4096 : cap * 2;
				if ((inodes = realloc(inodes, cap * sizeof(*inodes))) == NULL)
					fail("realloc");
			}
			inodes[n++] = ino;
		}
		closedir(fds);
	}
	closedir(proc);
	printf("%zu socket descriptors in %ld processes\n", n, npids);
	free(inodes);
}

#ifdef CT_HAVE_BPF
/*
 * What conntab's BPF back-end cannot do without: load, attach, walk, and
 * keep each socket inode; the records are trusted here, not checked.
 */
static void
iter_scan(void)
{
	static unsigned char buf[65536];
	struct owners_bpf_skel *skel;
	union bpf_attr attr;
	uint32_t *inodes = NULL;
	size_t n = 0, cap = 0, have = 0, off;
	long ntasks = 0;
	ssize_t len;
	int fd;

	if ((skel = owners_bpf_skel__open()) == NULL ||
	    owners_bpf_skel__load(skel) != 0 || owners_bpf_skel__attach(skel) != 0)
		fail("loading the BPF iterator");
	memset(&attr, 0, sizeof(attr));
	attr.iter_create.link_fd = skel->links.ct_owners_fd;
	if ((fd = syscall(__NR_bpf, BPF_ITER_CREATE, &attr, sizeof(attr))) < 0)
		fail("BPF_ITER_CREATE");
	while ((len = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		have += (size_t)len;
		for (off = 0; have - off >= sizeof(struct ct_bpf_hdr); ) {
			struct ct_bpf_hdr h;
			struct ct_bpf_fd f;

			memcpy(&h, buf + off, sizeof(h));
			if (h.size < sizeof(h))
				fail("a record of size 0");
			if (have - off < h.size)
				break;
			if (h.kind == CT_BPF_REC_TASK)
				ntasks++;
			if (h.kind == CT_BPF_REC_FD) {
				memcpy(&f, buf + off, sizeof(f));
				if (n == cap) {
					cap = cap == 0 ? 4096 : cap * 2;
					if ((inodes = realloc(inodes,
					    cap * sizeof(*inodes))) == NULL)
						fail("realloc");
				}
				inodes[n++] = (uint32_t)f.ino;
			}
			off += h.size;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	if (len < 0)
		fail("reading the BPF iterator");
	close(fd);
	owners_bpf_skel__destroy(skel);
	printf("%zu socket descriptors in %ld processes\n", n, ntasks);
	free(inodes);
}
#endif

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (strcmp(mode, "dump") == 0 && argc == 2)
		dump_all(0, -1);
	else if (strcmp(mode, "dump-info") == 0 && argc == 2)
		dump_all(1, -1);
	else if (strcmp(mode, "dump-sport") == 0 && argc == 3)
		dump_all(0, atoi(argv[2]));
	else if (strcmp(mode, "proc") == 0 && argc == 2)
		proc_scan();
	else if (strcmp(mode, "netns") == 0 && argc == 3)
		dump_netns(argv[2]);
#ifdef CT_HAVE_BPF
	else if (strcmp(mode, "iter") == 0 && argc == 2)
		iter_scan();
#endif
	else {
		fputs("usage: floor dump | dump-info | dump-sport PORT | proc | "
		    "netns DIR"
#ifdef CT_HAVE_BPF
		    " | iter"
#endif
		    "\n", stderr);
		return 2;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
