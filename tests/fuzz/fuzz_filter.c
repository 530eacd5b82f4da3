/*
 * Fuzz the filter: filter_parse() on arbitrary text (NUL bytes split it
 * into command-line words), then, when it parses, filter_kernel() for
 * every dump conntab makes and filter_match() on a set of fixed records.
 *
 * What must hold:
 * - a parse error has a column inside the text (or just past it) and a
 *   one-line message of printable ASCII: the text is the user's, and may
 *   be hostile (conntab $'\x1b]0;x\a');
 * - the words and the same words joined into one argument parse alike:
 *   the same tree, or the same message at the same column;
 * - a parse success compiles for each dump; the kernel's share is sane:
 *   states within what was asked, bytecode a whole number of 4-byte ops
 *   within what one netlink attribute holds, and accepted by the model of
 *   the kernel's inet_diag_bc_audit() (src/bytecode.c);
 * - the kernel's share never drops a record that filter_match() keeps:
 *   its state is asked for, the dump is not skipped, and the model of
 *   inet_diag_bc_run() accepts it (the kernel may return more, never
 *   less);
 * - filter_print() and filter_needs_owners() run on anything parsed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bytecode.h"
#include "filter.h"
#include "owners.h"
#include "snap.h"
#include "sock.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_filter: %s:%d: %s\n", __FILE__, \
		    __LINE__, #cond); \
		abort(); \
	} \
} while (0)

#define FZ_MAXWORDS	64
#define FZ_MAXLEN	4096

/*
 * Records covering both protocols, families, mapped and unconnected ends,
 * devices, marks, cgroups and autobound.
 */
static void
fz_snap(struct ct_snap *snap)
{
	static const struct {
		uint8_t proto, state;
		const char *l;
		uint16_t lport;
		const char *r;
		uint16_t rport;
	} rec[] = {
		{ IPPROTO_TCP, CT_ST_LISTEN, "127.0.0.1", 500, "0.0.0.0", 0 },
		{ IPPROTO_TCP, CT_ST_LISTEN, "::", 22, "::", 0 },
		{ IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 500, "127.0.0.1", 54240 },
		{ IPPROTO_TCP, CT_ST_ESTABLISHED, "::ffff:127.0.0.1", 80,
		    "::ffff:10.1.2.3", 65535 },
		{ IPPROTO_TCP, CT_ST_TIME_WAIT, "::1", 40000, "::1", 443 },
		{ IPPROTO_TCP, CT_ST_SYN_SENT, "10.0.0.1", 1, "192.168.1.1", 1 },
		{ IPPROTO_TCP, 12, "127.0.0.1", 0, "127.0.0.1", 65534 },
		{ IPPROTO_TCP, CT_ST_CLOSE_WAIT, "2001:db8::1", 65535, "2001:db8::2", 2 },
		{ IPPROTO_UDP, CT_ST_CLOSE, "0.0.0.0", 53, "0.0.0.0", 0 },
		{ IPPROTO_UDP, CT_ST_CLOSE, "::", 0, "::", 0 },
		{ IPPROTO_UDP, CT_ST_ESTABLISHED, "::1", 5353, "::1", 1 },
		{ IPPROTO_UDP, CT_ST_ESTABLISHED, "10.1.2.3", 500, "10.9.9.9", 0 },
		{ IPPROTO_UDP, CT_ST_ESTABLISHED, "::ffff:0.0.0.0", 7, "::ffff:0.0.0.0", 0 },
	};
	static const char *const comms[] = { "nginx", "sshd", "evil\x1b[31m" };
	size_t i;

	memset(snap, 0, sizeof(*snap));
	owners_init(&snap->owners);
	for (i = 0; i < sizeof(rec) / sizeof(rec[0]); i++) {
		struct ct_sock *s = sock_list_append(&snap->socks);
		uint8_t fam = strchr(rec[i].l, ':') != NULL ? AF_INET6 : AF_INET;

		s->proto = rec[i].proto;
		s->state = rec[i].state;
		s->local.family = s->remote.family = fam;
		inet_pton(fam, rec[i].l, s->local.bytes);
		inet_pton(fam, rec[i].r, s->remote.bytes);
		s->lport = rec[i].lport;
		s->rport = rec[i].rport;
		s->uid = (uint32_t)i * 1000;
		s->inode = (uint32_t)i + 1;
		/* a bound device, a mark, a cgroup, autobound: on some */
		s->ifindex = (uint32_t)(i % 3);
		if (i % 4 != 3) {
			struct ct_sockext *x = sock_list_ext_at(&snap->socks, i);

			memset(x, 0, sizeof(*x));
			x->has = CT_SX_MARK | CT_SX_CGROUP;
			x->mark = i % 2 ? 0x2a : 0x12a;
			x->cgroup_id = i % 3;
			s->flags |= CT_SF_EXT;
		}
		if (i % 5 == 1)
			s->flags |= CT_SF_AUTO;
		if (i % 2 == 0) {
			uint32_t w = owners_append(&snap->owners);
			struct ct_owner *o = &snap->owners.v[w];

			o->pid = 100 + (uint32_t)i;
			o->fd = 3;
			o->comm = owners_add_comm(&snap->owners, comms[i % 3]);
			s->owners = w;
		}
	}
}

static void
fz_kernel(const struct ct_filter *f, const struct ct_snap *snap)
{
	static const uint8_t fams[] = { AF_INET, AF_INET6 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	static const uint32_t states[] = { CT_STATES_ALL, 1u << CT_ST_LISTEN,
	    1u << CT_ST_CLOSE };
	const struct ct_view view = snap_view(snap);
	size_t i, j, k, r;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			for (k = 0; k < 3; k++) {
				struct ct_kfilter kf;
				int rc;

				memset(&kf, 0xa5, sizeof(kf));
				rc = filter_kernel(f, fams[i], protos[j], states[k], &kf);
				FZ_CHECK(rc <= 0 && rc > -4096);
				if (rc != 0)
					continue;
				FZ_CHECK((kf.states & ~states[k]) == 0);
				FZ_CHECK((kf.bytecode == NULL) == (kf.bytecode_len == 0));
				FZ_CHECK(kf.bytecode_len % 4 == 0);
				FZ_CHECK(kf.bytecode_len <= 65535 - 4);
				if (kf.bytecode != NULL)
					FZ_CHECK(bytecode_audit(kf.bytecode,
					    kf.bytecode_len, true) == 0);
				for (r = 0; r < snap->socks.len; r++) {
					const struct ct_sock *s = &snap->socks.v[r];
					const struct ct_sockext *x = sock_ext(&snap->socks, s);
					struct ct_bc_socket ks = {
						x != NULL ? x->mark : 0,
						x != NULL ? x->cgroup_id : 0,
						!(s->flags & CT_SF_AUTO) };
					uint8_t st = s->state == 12 ? CT_ST_SYN_RECV :
					    s->state;

					if (s->local.family != fams[i] ||
					    s->proto != protos[j] ||
					    !(states[k] & (1u << st)) ||
					    !filter_match(f, &view, s))
						continue;
					FZ_CHECK(!kf.skip);
					FZ_CHECK(kf.states & (1u << st));
					if (kf.bytecode != NULL)
						FZ_CHECK(bytecode_run(kf.bytecode,
						    kf.bytecode_len, s, &ks) == 1);
				}
				filter_kernel_free(&kf);
				FZ_CHECK(kf.bytecode == NULL);
			}
}

/* The words joined into one argument parse as the words do. */
static void
fz_joined(int argc, char *argv[], size_t joined, int rc,
    const struct ct_filter *f, const struct ct_filter_error *err)
{
	char *one = malloc(joined + 1), *args[1] = { one };
	char a[512], b[512];
	struct ct_filter_error err1;
	struct ct_filter *f1 = NULL;
	size_t n = 0;
	int i, rc1;

	FZ_CHECK(one != NULL);
	for (i = 0; i < argc; i++) {
		if (i > 0)
			one[n++] = ' ';
		memcpy(one + n, argv[i], strlen(argv[i]));
		n += strlen(argv[i]);
	}
	one[n] = '\0';
	rc1 = filter_parse(argc > 0 ? 1 : 0, args, &f1, &err1);
	FZ_CHECK(rc1 == rc);
	if (rc != 0) {
		FZ_CHECK(err1.column == err->column);
		FZ_CHECK(strcmp(err1.msg, err->msg) == 0);
	} else {
		FZ_CHECK((f == NULL) == (f1 == NULL));
		filter_print(f, a, sizeof(a));
		filter_print(f1, b, sizeof(b));
		FZ_CHECK(strcmp(a, b) == 0);
	}
	filter_free(f1);
	free(one);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FZ_MAXWORDS + 1], *text, *p, buf[256];
	struct ct_filter_error err;
	struct ct_filter *f = NULL;
	struct ct_snap snap;
	struct ct_view view;
	size_t i, joined;
	int argc = 0, rc;

	if (size > FZ_MAXLEN)
		return 0;
	text = malloc(size + 1);
	FZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; p < text + size && argc < FZ_MAXWORDS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	for (joined = 0, i = 0; i < (size_t)argc; i++)
		joined += strlen(argv[i]) + (i > 0);

	memset(&err, 0x5a, sizeof(err));
	rc = filter_parse(argc, argv, &f, &err);
	fz_joined(argc, argv, joined, rc, f, &err);
	if (rc != 0) {
		FZ_CHECK(rc == -EINVAL);
		FZ_CHECK(f == NULL);
		FZ_CHECK(err.column >= 1 && (size_t)err.column <= joined + 1);
		FZ_CHECK(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
		for (p = err.msg; *p != '\0'; p++)
			FZ_CHECK((uint8_t)*p >= 0x20 && (uint8_t)*p <= 0x7e);
		free(text);
		return 0;
	}
	FZ_CHECK(argc > 0 || f == NULL);
	fz_snap(&snap);
	fz_kernel(f, &snap);
	(void)filter_needs_owners(f);
	(void)filter_print(f, buf, sizeof(buf));
	FZ_CHECK(strlen(buf) < sizeof(buf));
	view = snap_view(&snap);
	for (i = 0; i < snap.socks.len; i++)
		(void)filter_match(f, &view, &snap.socks.v[i]);
	snap_free(&snap);
	filter_free(f);
	free(text);
	return 0;
}
