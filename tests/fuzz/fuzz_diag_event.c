/*
 * Fuzz the destroy-event decoder: diag_event_parse() on one datagram as
 * the kernel's multicast would deliver it (seeds: kernel_* recorded from
 * the destroy groups in a private namespace: TCP with tcp_info, UDP, IPv4
 * and IPv6; one datagram of three messages; one cut short).
 *
 * What must hold whatever the bytes:
 * - the records in the list before the call are untouched;
 * - -EBADMSG (a datagram that is no run of whole messages) adds nothing;
 * - otherwise exactly the count returned is added, each a whole record:
 *   TCP or UDP, of AF_INET or AF_INET6, its queues not the kernel's -1;
 * - each added record goes through the event stream's text and JSON lines
 *   (out_events_write()) without letting a control byte through.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "diag_event.h"
#include "fields.h"
#include "opts.h"
#include "out_events.h"
#include "snap.h"
#include "sock.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_RENDER_MAX	16

/* No byte below 0x20 but the newline that ends each line, nor DEL. */
static void
fz_check_text(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((buf[i] < 0x20 && buf[i] != '\n') || buf[i] == 0x7f)
			abort();
}

static void
fz_render(struct ct_snap *snap, size_t from)
{
	struct ct_opts o;
	struct timespec when = { 1, 0 };
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp;
	int fmt;

	for (fmt = 0; fmt < 2; fmt++) {
		memset(&o, 0, sizeof(o));
		o.format = fmt == 0 ? CT_FMT_TABLE : CT_FMT_JSON;
		o.info = true;
		o.extended = true;
		if ((fp = open_memstream(&buf, &len)) == NULL)
			abort();
		for (i = from; i < snap->socks.len && i < from + FZ_RENDER_MAX; i++)
			out_events_write(fp, snap, &snap->socks.v[i], CT_EV_CLOSE, 0,
			    &when, &o);
		fclose(fp);
		fz_check_text(buf, len);
		free(buf);
		buf = NULL;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_snap snap;
	struct ct_sock before;
	size_t bad = 0, i;
	int n;

	memset(&snap, 0, sizeof(snap));
	/* one record already there, which the call must leave alone */
	memset(&before, 0, sizeof(before));
	before.proto = IPPROTO_TCP;
	before.local.family = AF_INET;
	before.cookie = 42;
	*sock_list_append(&snap.socks) = before;
	n = diag_event_parse(data, size, &snap.socks, &bad);
	if (memcmp(&snap.socks.v[0], &before, sizeof(before)) != 0)
		abort();
	if (n < 0) {
		if (n != -EBADMSG || snap.socks.len != 1)
			abort();
	} else {
		if (snap.socks.len != 1 + (size_t)n)
			abort();
		for (i = 1; i < snap.socks.len; i++) {
			const struct ct_sock *s = &snap.socks.v[i];

			if ((s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP) ||
			    (s->local.family != AF_INET &&
			    s->local.family != AF_INET6) ||
			    s->rqueue == UINT32_MAX || s->wqueue == UINT32_MAX)
				abort();
		}
		fz_render(&snap, 1);
	}
	sock_list_free(&snap.socks);
	return 0;
}
