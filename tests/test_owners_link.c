/*
 * Linking what an owner back-end saw into owner chains: whatever the
 * order the descriptors came in, and however often, each record's chain
 * is lowest pid first, then fd, each (pid, fd) once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "owners_link.h"

static struct ct_socklist socks;
static struct ct_owners out;
static struct ct_owners_seen seen;

static int
setup(void **state)
{
	(void)state;
	memset(&socks, 0, sizeof(socks));
	memset(&seen, 0, sizeof(seen));
	memset(&out, 0, sizeof(out));
	owners_init(&out);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sock_list_free(&socks);
	owners_seen_free(&seen);
	owners_free(&out);
	return 0;
}

static void
see(uint32_t inode, uint32_t pid, int32_t fd, const char *comm)
{
	struct ct_owner_seen *e = owners_seen_add(&seen);

	e->inode = inode;
	e->pid = pid;
	e->fd = fd;
	e->comm = owners_add_comm(&out, comm);
}

/* Record i's chain as "pid:fd=comm,..."; "-" for none. */
static const char *
chain(size_t i)
{
	static char buf[4096];
	size_t n = 0;
	uint32_t k;

	buf[0] = '\0';
	for (k = socks.v[i].owners; k != 0; k = out.v[k].next) {
		assert_true(k < out.len);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%u:%d=%s",
		    n > 0 ? "," : "", out.v[k].pid, out.v[k].fd,
		    owners_comm(&out, &out.v[k]));
	}
	return n > 0 ? buf : "-";
}

static void
test_link_order(void **state)
{
	(void)state;
	sock_list_append(&socks)->inode = 10;
	sock_list_append(&socks)->inode = 11;
	sock_list_append(&socks)->inode = 12;	/* nobody's */
	sock_list_append(&socks)->inode = 0;	/* TIME_WAIT: never matches */
	see(11, 300, 4, "c");
	see(10, 200, 7, "b");
	see(10, 100, 9, "a");
	see(10, 200, 3, "b");
	see(11, 300, 2, "c");
	see(0, 400, 1, "z");		/* inode 0 is no socket */
	see(99, 500, 1, "y");		/* not in the snapshot */
	owners_link_seen(&seen, &socks, &out);
	assert_string_equal(chain(0), "100:9=a,200:3=b,200:7=b");
	assert_string_equal(chain(1), "300:2=c,300:4=c");
	assert_string_equal(chain(2), "-");
	assert_string_equal(chain(3), "-");
	assert_int_equal(owners_count(&out, socks.v[0].owners), 3);
	assert_int_equal(owners_pids(&out, socks.v[0].owners), 2);
}

/* The same descriptor told twice is one owner. */
static void
test_link_dup(void **state)
{
	(void)state;
	sock_list_append(&socks)->inode = 10;
	see(10, 100, 3, "a");
	see(10, 100, 3, "a");
	see(10, 100, 4, "a");
	see(10, 100, 3, "a");
	owners_link_seen(&seen, &socks, &out);
	assert_string_equal(chain(0), "100:3=a,100:4=a");
}

/* In order already (as the iterator tells), repeats included. */
static void
test_link_in_order(void **state)
{
	(void)state;
	sock_list_append(&socks)->inode = 10;
	sock_list_append(&socks)->inode = 11;
	sock_list_append(&socks)->inode = 10;	/* a dump's repeat */
	see(10, 100, 3, "a");
	see(10, 100, 3, "a");
	see(11, 100, 4, "a");
	see(10, 200, 3, "b");
	see(11, 200, 9, "b");
	owners_link_seen(&seen, &socks, &out);
	assert_string_equal(chain(0), "100:3=a,200:3=b");
	assert_string_equal(chain(1), "100:4=a,200:9=b");
	assert_string_equal(chain(2), "100:3=a,200:3=b");
}

/* A dump that repeats a record: both copies get the owners. */
static void
test_link_repeated_record(void **state)
{
	(void)state;
	sock_list_append(&socks)->inode = 10;
	sock_list_append(&socks)->inode = 20;
	sock_list_append(&socks)->inode = 10;
	see(10, 100, 3, "a");
	see(20, 100, 4, "a");
	owners_link_seen(&seen, &socks, &out);
	assert_string_equal(chain(0), "100:3=a");
	assert_string_equal(chain(1), "100:4=a");
	assert_string_equal(chain(2), "100:3=a");
}

/* A long chain in reverse: sorted the other way than the short one. */
static void
test_link_long_chain(void **state)
{
	char want[4096];
	size_t n = 0;
	int i;

	(void)state;
	sock_list_append(&socks)->inode = 10;
	for (i = 40; i >= 1; i--)
		see(10, (uint32_t)(1000 + i), i, "w");
	for (i = 1; i <= 40; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%d:%d=w",
		    i > 1 ? "," : "", 1000 + i, i);
	owners_link_seen(&seen, &socks, &out);
	assert_string_equal(chain(0), want);
}

/* Many records, many hits, shuffled: the radix passes keep every chain. */
static void
test_link_many(void **state)
{
	const size_t nrec = 5000;
	size_t i, j;
	char want[64];

	(void)state;
	for (i = 0; i < nrec; i++)
		sock_list_append(&socks)->inode = (uint32_t)(1000 + i * 7);
	/* every record: pids i+1 and i+2, seen in a scrambled order */
	for (j = 0; j < 2 * nrec; j++) {
		size_t k = (j * 7919) % (2 * nrec);

		i = k / 2;
		see((uint32_t)(1000 + i * 7), (uint32_t)(i + 1 + k % 2), 3, "p");
	}
	owners_link_seen(&seen, &socks, &out);
	for (i = 0; i < nrec; i++) {
		snprintf(want, sizeof(want), "%zu:3=p,%zu:3=p", i + 1, i + 2);
		assert_string_equal(chain(i), want);
	}
	assert_int_equal(out.len, 2 * nrec + 1);
}

/* Nothing seen, nothing linked; a list linked again starts over. */
static void
test_link_empty(void **state)
{
	(void)state;
	sock_list_append(&socks)->inode = 10;
	socks.v[0].owners = 7;		/* stale */
	owners_link_seen(&seen, &socks, &out);
	assert_string_equal(chain(0), "-");
	assert_int_equal(out.len, 1);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_link_order),
		T(test_link_dup),
		T(test_link_in_order),
		T(test_link_repeated_record),
		T(test_link_long_chain),
		T(test_link_many),
		T(test_link_empty),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
