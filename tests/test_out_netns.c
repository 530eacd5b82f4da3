/*
 * Many namespaces in one snapshot: the same 127.0.0.1:8080 listener in
 * two of them, each adopting its own connections; the namespace and label
 * fields in the table, JSON, groups, the tree, the summary (each
 * namespace's own port range) and the event stream, against literal text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"
#include "group.h"
#include "group_tree.h"
#include "label.h"
#include "listener.h"
#include "nstab.h"
#include "out.h"
#include "out_events.h"
#include "out_summary.h"
#include "out_tree.h"
#include "portrange.h"
#include "summary.h"

static struct ct_snap snap;

static struct ct_netns *
ns_add(const char *name, uint64_t ino, uint16_t low, uint16_t high)
{
	struct ct_netns *ns = nstab_append(&snap.nstab);

	ns->ino = ino;
	nstab_name(ns, name);
	ns->range = malloc(sizeof(*ns->range));
	assert_non_null(ns->range);
	portrange_default(ns->range);
	ns->range->low = low;
	ns->range->high = high;
	portrange_count(ns->range);
	return ns;
}

static uint32_t
label(const char *container, const char *unit)
{
	struct ct_label l;

	memset(&l, 0, sizeof(l));
	snprintf(l.container, sizeof(l.container), "%s", container);
	snprintf(l.unit, sizeof(l.unit), "%s", unit);
	return labels_intern(&snap.labels, &l);
}

/* A connection to ns's 8080 from lport, both ends, owned by pid. */
static void
pair(uint16_t ns, uint16_t lport, uint32_t pid, uint32_t inode)
{
	struct ct_sock *s;

	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", 8080,
	    "127.0.0.1", lport);
	s->netns = ns;
	s->inode = inode;
	fx_owner(&snap, s, pid, (int)inode, "srv");
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED, "127.0.0.1", lport,
	    "127.0.0.1", 8080);
	s->netns = ns;
	s->inode = inode + 1;
	fx_owner(&snap, s, pid + 1, (int)inode, "cli");
}

static int
setup(void **state)
{
	struct ct_sock *s;

	(void)state;
	memset(&snap, 0, sizeof(snap));
	ns_add(NULL, 4026531992u, 32768, 60999)->flags |= CT_NS_HOST;
	nstab_name(&snap.nstab.v[0], NULL);
	ns_add("web\x1b[31m", 4026532283u, 40000, 40009);
	ns_add("db", 4026532300u, 40000, 40099);
	labels_init(&snap.labels);
	labels_add_pid(&snap.labels, 100, label("", "nginx.service"));
	labels_add_pid(&snap.labels, 200, label("docker:0123456789ab", ""));
	labels_add_pid(&snap.labels, 201, label("docker:0123456789ab", ""));
	labels_add_pid(&snap.labels, 300, label("podman:fedcba987654", ""));
	labels_add_pid(&snap.labels, 301, label("podman:fedcba987654", ""));
	snap.nstab.v[2].label = labels_of_pid(&snap.labels, 300);
	/* one listener address in the two container namespaces, none on the host */
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN, "0.0.0.0", 22, "0.0.0.0", 0);
	s->inode = 10;
	fx_owner(&snap, s, 100, 3, "sshd");
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN, "127.0.0.1", 8080,
	    "0.0.0.0", 0);
	s->netns = 1;
	s->inode = 20;
	fx_owner(&snap, s, 200, 3, "srv");
	pair(1, 40001, 200, 21);
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN, "127.0.0.1", 8080,
	    "0.0.0.0", 0);
	s->netns = 2;
	s->inode = 30;
	fx_owner(&snap, s, 300, 3, "srv");
	pair(2, 40001, 300, 31);
	pair(2, 40002, 300, 33);
	/* a TIME_WAIT with no owner takes its namespace's shared label */
	s = fx_sock(&snap, IPPROTO_TCP, CT_ST_TIME_WAIT, "127.0.0.1", 40003,
	    "127.0.0.1", 8080);
	s->netns = 2;
	listener_link(&snap.socks);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	snap_free(&snap);
	return 0;
}

static void
cols(struct ct_opts *o, const char *list, struct ct_cols *c)
{
	const char *bad;
	size_t badlen;

	assert_int_equal(fields_parse_list(list, true, c, &bad, &badlen), 0);
	(void)o;
}

static char *
render(struct ct_opts *o)
{
	struct ct_table t;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	assert_int_equal(group_table_build(&snap, o, &t), 0);
	if (o->format == CT_FMT_JSON)
		out_json_write(fp, &snap, &t, o);
	else
		out_table_write(fp, &snap, &t, o);
	fclose(fp);
	group_table_free(&t);
	return text;
}

/* Namespace by namespace, the name escaped; labels, "-" where none. */
static void
test_out_netns_table(void **state)
{
	struct ct_opts o;
	char *text;

	(void)state;
	fx_opts(&o);
	o.all_netns = true;
	cols(&o, "netns,state,local,remote,container,unit,netns_ino", &o.cols);
	text = render(&o);
	assert_string_equal(text,
"NETNS       STATE       LOCAL           REMOTE          CONTAINER           UNIT           NETNS_INO\n"
"host        LISTEN      0.0.0.0:22      0.0.0.0:*       -                   nginx.service 4026531992\n"
"web\\x1b[31m LISTEN      127.0.0.1:8080  0.0.0.0:*       docker:0123456789ab -             4026532283\n"
"web\\x1b[31m ESTABLISHED 127.0.0.1:8080  127.0.0.1:40001 docker:0123456789ab -             4026532283\n"
"web\\x1b[31m ESTABLISHED 127.0.0.1:40001 127.0.0.1:8080  docker:0123456789ab -             4026532283\n"
"db          LISTEN      127.0.0.1:8080  0.0.0.0:*       podman:fedcba987654 -             4026532300\n"
"db          ESTABLISHED 127.0.0.1:8080  127.0.0.1:40001 podman:fedcba987654 -             4026532300\n"
"db          ESTABLISHED 127.0.0.1:8080  127.0.0.1:40002 podman:fedcba987654 -             4026532300\n"
"db          ESTABLISHED 127.0.0.1:40001 127.0.0.1:8080  podman:fedcba987654 -             4026532300\n"
"db          ESTABLISHED 127.0.0.1:40002 127.0.0.1:8080  podman:fedcba987654 -             4026532300\n"
"db          TIME_WAIT   127.0.0.1:40003 127.0.0.1:8080  podman:fedcba987654 -             4026532300\n");
	free(text);
}

static void
test_out_netns_json(void **state)
{
	struct ct_opts o;
	char *text;

	(void)state;
	fx_opts(&o);
	o.all_netns = true;
	o.no_procs = true;
	o.format = CT_FMT_JSON;
	text = render(&o);
	/* -P: where each socket lives, but no labels (they are the owners') */
	assert_non_null(strstr(text, "\"inode\":10,\"v6only\":null,"
	    "\"netns\":\"host\",\"netns_ino\":4026531992}"));
	assert_null(strstr(text, "\"container\""));
	free(text);
	o.no_procs = false;
	text = render(&o);
	assert_non_null(strstr(text, "\"netns\":\"web\\\\x1b[31m\","
	    "\"netns_ino\":4026532283,\"container\":\"docker:0123456789ab\","
	    "\"pod\":null,\"unit\":null}"));
	assert_non_null(strstr(text, "\"netns\":\"host\",\"netns_ino\":4026531992,"
	    "\"container\":null,\"pod\":null,\"unit\":\"nginx.service\"}"));
	free(text);
}

static void
test_out_netns_grouped(void **state)
{
	struct ct_opts o;
	char *text;

	(void)state;
	fx_opts(&o);
	cols(&o, "container", &o.group);
	cols(&o, "container,count", &o.cols);
	text = render(&o);
	assert_string_equal(text,
"CONTAINER           COUNT\n"
"podman:fedcba987654     6\n"
"docker:0123456789ab     3\n"
"-                       1\n");
	free(text);
	cols(&o, "netns", &o.group);
	cols(&o, "netns,count", &o.cols);
	text = render(&o);
	assert_string_equal(text,
"NETNS       COUNT\n"
"db              6\n"
"web\\x1b[31m     3\n"
"host            1\n");
	free(text);
}

/* -T: each 8080 listener with its own namespace's connections only. */
static void
test_out_netns_tree(void **state)
{
	struct ct_opts o;
	struct ct_tree t;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	fx_opts(&o);
	o.all_netns = true;
	o.tree = true;
	cols(&o, "netns,proto,state,local,remote", &o.cols);
	o.cols_given = false;
	assert_int_equal(group_tree_build(&snap, &o, &t), 0);
	assert_int_equal(t.nlisteners, 3);
	assert_int_equal(t.nodes[1].head.count, 1);
	assert_int_equal(t.nodes[2].head.count, 2);
	assert_int_equal(t.nodes[1].head.first->netns, 1);
	assert_int_equal(t.nodes[2].head.first->netns, 2);
	assert_non_null(fp = open_memstream(&text, &len));
	out_tree_write(fp, &snap, &t, &o);
	fclose(fp);
	assert_string_equal(text,
"host        tcp 0.0.0.0:22     LISTEN queue=0/0 conns=0 clients=0\n"
"web\\x1b[31m tcp 127.0.0.1:8080 LISTEN queue=0/0 conns=1 clients=1\n"
"      127.0.0.1:8080 <- 127.0.0.1:40001 ESTABLISHED\n"
"db          tcp 127.0.0.1:8080 LISTEN queue=0/0 conns=2 clients=1\n"
"      127.0.0.1:8080 <- 127.0.0.1:40001 ESTABLISHED\n"
"      127.0.0.1:8080 <- 127.0.0.1:40002 ESTABLISHED\n"
"\n"
"web\\x1b[31m tcp -> 127.0.0.1:8080 conns=1\n"
"      127.0.0.1:40001 -> 127.0.0.1:8080 ESTABLISHED\n"
"db          tcp -> 127.0.0.1:8080 conns=3\n"
"      127.0.0.1:40001 -> 127.0.0.1:8080 ESTABLISHED\n"
"      127.0.0.1:40002 -> 127.0.0.1:8080 ESTABLISHED\n"
"      127.0.0.1:40003 -> 127.0.0.1:8080 TIME_WAIT\n");
	free(text);
	group_tree_free(&t);
}

/* -s: ephemeral ports against each namespace's own range. */
static void
test_out_netns_summary(void **state)
{
	struct ct_summary sum;
	struct ct_opts o;
	size_t i;

	(void)state;
	fx_opts(&o);
	o.summary = true;
	assert_int_equal(summary_build(&snap, &o, NULL, &sum), 0);
	assert_int_equal(sum.ports.nrows, 2);
	for (i = 0; i < sum.ports.nrows; i++) {
		const struct ct_group *g = &sum.ports.rows[i];

		if (g->first->netns == 2) {
			assert_int_equal(g->ports_used, 3);	/* TIME_WAIT too */
			assert_int_equal(g->ports_avail, 100);
		} else {
			assert_int_equal(g->first->netns, 1);
			assert_int_equal(g->ports_used, 1);
			assert_int_equal(g->ports_avail, 10);
		}
	}
	assert_int_equal(sum.listeners.nrows, 3);
	summary_free(&sum);
}

/* The event stream names each socket's namespace, first. */
static void
test_out_netns_events(void **state)
{
	struct ct_opts o;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	fx_opts(&o);
	o.all_netns = true;
	assert_non_null(fp = open_memstream(&text, &len));
	out_events_write(fp, &snap, &snap.socks.v[2], CT_EV_OPEN, 0,
	    &(const struct timespec){ 1795000000, 0 }, &o);
	fclose(fp);
	assert_string_equal(text, "2026-11-18T11:06:40Z + web\\x1b[31m tcp "
	    "ESTABLISHED 127.0.0.1:8080 127.0.0.1:40001 srv(200)\n");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_netns_table),
		cmocka_unit_test(test_out_netns_json),
		cmocka_unit_test(test_out_netns_grouped),
		cmocka_unit_test(test_out_netns_tree),
		cmocka_unit_test(test_out_netns_summary),
		cmocka_unit_test(test_out_netns_events),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
