/*
 * The filter language: every form of SPEC §5 parsed to its canonical tree,
 * every malformed filter to its message and column, and the user-space
 * evaluation on records of every kind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fixture.h"
#include "label.h"
#include "nstab.h"

/* Split text at blanks into argv (in place in buf); return argc. */
static int
split_words(char *buf, char *argv[], int max)
{
	int argc = 0;
	char *w;

	for (w = strtok(buf, " "); w != NULL && argc < max; w = strtok(NULL, " "))
		argv[argc++] = w;
	return argc;
}

/* Parse text as one argument; the canonical form, or the error. */
static int
parse_one(const char *text, char *out, size_t size, int *col)
{
	char *argv[] = { (char *)text };
	struct ct_filter_error err;
	struct ct_filter *f;

	if (filter_parse(1, argv, &f, &err) != 0) {
		snprintf(out, size, "%s", err.msg);
		*col = err.column;
		return -1;
	}
	filter_print(f, out, size);
	filter_free(f);
	*col = 0;
	return 0;
}

/* The same, with text split into many command-line words. */
static int
parse_words(const char *text, char *out, size_t size, int *col)
{
	char buf[8192], *argv[1100];
	struct ct_filter_error err;
	struct ct_filter *f;
	int argc;

	snprintf(buf, sizeof(buf), "%s", text);
	argc = split_words(buf, argv, 1100);
	if (filter_parse(argc, argv, &f, &err) != 0) {
		snprintf(out, size, "%s", err.msg);
		*col = err.column;
		return -1;
	}
	filter_print(f, out, size);
	filter_free(f);
	*col = 0;
	return 0;
}

/* Parser: valid filters ------------------------------------------------- */

static const struct {
	const char	*text;
	const char	*tree;
} valid[] = {
	/* short forms */
	{ ":500", "(port = 500)" },
	{ ":ssh", "(port = 22)" },
	{ ":0", "(port = 0)" },
	{ ":65535", "(port = 65535)" },
	{ "127.0.0.1", "(addr 127.0.0.1/32)" },
	{ "[::1]:500", "(addr ::1/128 port 500)" },
	{ "10.0.0.0/8", "(addr 10.0.0.0/8)" },
	{ "10.1.2.3/8", "(addr 10.0.0.0/8)" },
	{ "::1", "(addr ::1/128)" },
	{ "::ffff:127.0.0.1", "(addr ::ffff:127.0.0.1/128)" },
	{ "fe80::/10", "(addr fe80::/10)" },
	{ "[2001:db8::1]/32:443", "(addr 2001:db8::/32 port 443)" },
	{ "[2001:db8::1/32]:443", "(addr 2001:db8::/32 port 443)" },
	{ "127.0.0.1:ssh", "(addr 127.0.0.1/32 port 22)" },
	{ "127.0.0.0/8:500", "(addr 127.0.0.0/8 port 500)" },
	{ "*:500", "(addr * port 500)" },
	/* ports */
	{ "sport :500", "(lport = 500)" },
	{ "sport 500", "(lport = 500)" },
	{ "sport = :500", "(lport = 500)" },
	{ "sport == 500", "(lport = 500)" },
	{ "dport >= 1024", "(rport >= 1024)" },
	{ "dport > 1024", "(rport > 1024)" },
	{ "dport < 1024", "(rport < 1024)" },
	{ "dport <= :1024", "(rport <= 1024)" },
	{ "lport = 500", "(lport = 500)" },
	{ "rport != 443", "(rport != 443)" },
	{ "sport eq 1", "(lport = 1)" },
	{ "sport ne 2", "(lport != 2)" },
	{ "sport lt 3", "(lport < 3)" },
	{ "sport le 4", "(lport <= 4)" },
	{ "sport gt 5", "(lport > 5)" },
	{ "SPORT GE 6", "(lport >= 6)" },
	{ "dport = :https", "(rport = 443)" },
	{ "rport :domain", "(rport = 53)" },
	{ "dport>=1024", "(rport >= 1024)" },
	{ "sport=:500", "(lport = 500)" },
	/* addresses */
	{ "src 127.0.0.1", "(laddr 127.0.0.1/32)" },
	{ "dst [::1]:500", "(raddr ::1/128 port 500)" },
	{ "laddr 10.0.0.0/8", "(laddr 10.0.0.0/8)" },
	{ "raddr ::/0", "(raddr ::/0)" },
	{ "src :500", "(laddr * port 500)" },
	{ "dst 0.0.0.0/0:*", "(raddr 0.0.0.0/0)" },
	{ "src *", "(laddr *)" },
	{ "dst [::ffff:10.0.0.0]/104", "(raddr ::ffff:10.0.0.0/104)" },
	/* states */
	{ "state established", "(state established)" },
	{ "state ESTABLISHED", "(state established)" },
	{ "state estab", "(state established)" },
	{ "state time-wait", "(state time_wait)" },
	{ "state time_wait", "(state time_wait)" },
	{ "state TIME-WAIT", "(state time_wait)" },
	{ "state fin-wait-1", "(state fin_wait1)" },
	{ "state FIN_WAIT2", "(state fin_wait2)" },
	{ "state syn-recv", "(state syn_recv)" },
	{ "state syn_sent", "(state syn_sent)" },
	{ "state close-wait", "(state close_wait)" },
	{ "state last-ack", "(state last_ack)" },
	{ "state closing", "(state closing)" },
	{ "state closed", "(state close)" },
	{ "state listen", "(state listen)" },
	{ "state listening", "(state listen)" },
	{ "state unconn", "(state close)" },
	{ "state UNCONNECTED", "(state close)" },
	{ "state connected", "(state connected)" },
	{ "state synchronized", "(state synchronized)" },
	{ "state bucket", "(state bucket)" },
	{ "state big", "(state big)" },
	{ "state all", "(state all)" },
	{ "state = listen", "(state listen)" },
	{ "state != listen", "(not (state listen))" },
	/* owners, users, protocols */
	{ "proc nginx", "(comm \"nginx\")" },
	{ "comm nginx", "(comm \"nginx\")" },
	{ "process nginx", "(comm \"nginx\")" },
	{ "comm ngin*", "(comm \"ngin*\")" },
	{ "comm \"(sd-pam)\"", "(comm \"(sd-pam)\")" },
	{ "pid 1234", "(pid 1234)" },
	{ "pid = 1", "(pid 1)" },
	{ "uid 1000", "(uid 1000)" },
	{ "uid != 0", "(not (uid 0))" },
	{ "user root", "(uid 0)" },
	{ "user 1000", "(uid 1000)" },
	{ "tcp", "(proto tcp)" },
	{ "UDP", "(proto udp)" },
	{ "inet", "(family inet)" },
	{ "inet6", "(family inet6)" },
	{ "proto tcp", "(proto tcp)" },
	{ "family inet6", "(family inet6)" },
	/* operators */
	{ "tcp and udp", "(and (proto tcp) (proto udp))" },
	{ "tcp && udp", "(and (proto tcp) (proto udp))" },
	{ "tcp udp", "(and (proto tcp) (proto udp))" },
	{ "tcp or udp", "(or (proto tcp) (proto udp))" },
	{ "tcp || udp", "(or (proto tcp) (proto udp))" },
	{ "not tcp", "(not (proto tcp))" },
	{ "! tcp", "(not (proto tcp))" },
	{ "!tcp", "(not (proto tcp))" },
	{ "not not tcp", "(not (not (proto tcp)))" },
	{ "tcp or (udp and inet)",
	    "(or (proto tcp) (and (proto udp) (family inet)))" },
	{ "(tcp or udp) and inet",
	    "(and (or (proto tcp) (proto udp)) (family inet))" },
	{ "not tcp and udp", "(and (not (proto tcp)) (proto udp))" },
	{ "not (tcp and udp)", "(not (and (proto tcp) (proto udp)))" },
	{ "tcp or udp or inet",
	    "(or (or (proto tcp) (proto udp)) (family inet))" },
	{ "((tcp))", "(proto tcp)" },
	{ "(tcp)or(udp)", "(or (proto tcp) (proto udp))" },
	{ "!(tcp)", "(not (proto tcp))" },
	{ "TCP AND NOT inet6", "(and (proto tcp) (not (family inet6)))" },
	{ "sport :500 or dport :500", "(or (lport = 500) (rport = 500))" },
	{ "state established dst 10.0.0.0/8",
	    "(and (state established) (raddr 10.0.0.0/8))" },
	{ "tcp and (sport :22 or sport :80) and not src 127.0.0.1",
	    "(and (and (proto tcp) (or (lport = 22) (lport = 80))) "
	    "(not (laddr 127.0.0.1/32)))" },
	{ "dport = 443 || ! (state listen)",
	    "(or (rport = 443) (not (state listen)))" },
	/* namespaces and labels (--all-netns) */
	{ "netns web1", "(netns \"web1\")" },
	{ "netns cttest*", "(netns \"cttest*\")" },
	{ "netns != host", "(not (netns \"host\"))" },
	{ "netns net:[4026531992]", "(netns \"net:[4026531992]\")" },
	{ "container docker:*", "(container \"docker:*\")" },
	{ "pod a1b2c3d4-*", "(pod \"a1b2c3d4-*\")" },
	{ "unit nginx.service", "(unit \"nginx.service\")" },
	{ "unit = -", "(unit \"-\")" },
	{ "netns web1 and container podman:*",
	    "(and (netns \"web1\") (container \"podman:*\"))" },
	/* "and" before "or" reads alike left to right and "and" first */
	{ "tcp udp or inet", "(or (and (proto tcp) (proto udp)) (family inet))" },
	{ "sport = :443 and dport = :443 or dst 127.0.0.5",
	    "(or (and (lport = 443) (rport = 443)) (raddr 127.0.0.5/32))" },
	{ "tcp & udp", "(and (proto tcp) (proto udp))" },
	{ "tcp | udp", "(or (proto tcp) (proto udp))" },
	{ "tcp && udp || inet",
	    "(or (and (proto tcp) (proto udp)) (family inet))" },
	/* ss's operator spellings, and = before an address */
	{ "dport neq :500", "(rport != 500)" },
	{ "sport geq :503", "(lport >= 503)" },
	{ "sport leq :501", "(lport <= 501)" },
	{ "dport gt 5", "(rport > 5)" },
	{ "dport lt 5", "(rport < 5)" },
	{ "src = 127.0.0.2", "(laddr 127.0.0.2/32)" },
	{ "dst == 127.0.0.1", "(raddr 127.0.0.1/32)" },
	{ "src eq 127.0.0.1", "(laddr 127.0.0.1/32)" },
	{ "dst != 127.0.0.1", "(not (raddr 127.0.0.1/32))" },
	{ "dst neq ::1", "(not (raddr ::1/128))" },
	/* ss's addresses: shortened IPv4, netmasks, C numbers, ports */
	{ "src 127/8", "(laddr 127.0.0.0/8)" },
	{ "src 10.1/16", "(laddr 10.1.0.0/16)" },
	{ "dst 127.1", "(raddr 127.1.0.0/32)" },
	{ "src 0x7f.1", "(laddr 127.1.0.0/32)" },
	{ "src 010.0.0.1", "(laddr 8.0.0.1/32)" },
	{ "src 10.1.2.3/255.255.0.0", "(laddr 10.1.0.0/16)" },
	{ "sport = 0x16", "(lport = 22)" },
	{ "sport = 026", "(lport = 22)" },
	{ "dst ::1/128:22", "(raddr ::1/128 port 22)" },
	{ "dst 127.0.0.1/8:ssh", "(raddr 127.0.0.0/8 port 22)" },
	{ "dst any", "(raddr *)" },
	{ "dst all:22", "(raddr * port 22)" },
	{ "dst default", "(raddr *)" },
	{ "src inet:127.0.0.1", "(and (family inet) (laddr 127.0.0.1/32))" },
	{ "src inet6:::1/128", "(and (family inet6) (laddr ::1/128))" },
	{ "dst inet:*:22", "(and (family inet) (raddr * port 22))" },
	/* state sets as ss builds them */
	{ "state listening state close", "(state close listen)" },
	{ "state established state close-wait",
	    "(state established close_wait)" },
	{ "state established state close-wait exclude close-wait",
	    "(state established)" },
	{ "exclude listening exclude close", "(state connected)" },
	{ "state all exclude bucket", "(state big)" },
	{ "excl time-wait", "(state established syn_sent syn_recv fin_wait1 "
	    "fin_wait2 close close_wait last_ack listen closing)" },
	{ "state connected exclude time-wait dport = 22",
	    "(and (state established syn_sent syn_recv fin_wait1 fin_wait2 "
	    "close_wait last_ack closing) (rport = 22))" },
	{ "state established and state close-wait",
	    "(and (state established) (state close_wait))" },
	{ "state established or state listening",
	    "(or (state established) (state listen))" },
	{ "state established ( dport = :22 or sport = :22 )",
	    "(and (state established) (or (rport = 22) (lport = 22)))" },
	{ "tcp state listening state close",
	    "(and (proto tcp) (state close listen))" },
	/* dev, fwmark, autobound */
	{ "dev lo", "(dev 1)" },
	{ "dev = 1", "(dev 1)" },
	{ "dev != lo", "(not (dev 1))" },
	{ "dev 0x1", "(dev 1)" },
	{ "fwmark 0x2a", "(fwmark 0x2a/0xffffffff)" },
	{ "fwmark 42/0xff", "(fwmark 0x2a/0xff)" },
	{ "fwmark != 0x1/0x1", "(not (fwmark 0x1/0x1))" },
	{ "autobound", "(autobound)" },
	{ "not autobound and sport > 1024",
	    "(and (not (autobound)) (lport > 1024))" },
	/* names read the escapes the output writes */
	{ "comm ng\\xc3\\xafnx", "(comm \"ng\\xc3\\xafnx\")" },
	{ "comm a\\(b\\)", "(comm \"a(b)\")" },
	{ "comm \"a(b)\"", "(comm \"a(b)\")" },
	{ "comm q,\"a\\x20b\\\\", "(comm \"q,\"a\\x20b\\\\\")" },
	{ "comm \"q,\\\"a b\\\\\"", "(comm \"q,\"a\\x20b\\\\\")" },
	{ "user r\\x6fot", "(uid 0)" },
};

static void
test_filter_parse_valid(void **state)
{
	char got[1024];
	size_t i;
	int col;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		if (parse_one(valid[i].text, got, sizeof(got), &col) != 0)
			fail_msg("'%s': %s", valid[i].text, got);
		if (strcmp(got, valid[i].tree) != 0)
			fail_msg("'%s': got %s, want %s", valid[i].text, got,
			    valid[i].tree);
	}
	assert_true(i >= 60);
}

/* One argument or many words: the same tree. */
static void
test_filter_parse_words(void **state)
{
	char one[1024], many[1024];
	size_t i;
	int c1, c2;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		assert_int_equal(parse_one(valid[i].text, one, sizeof(one), &c1), 0);
		assert_int_equal(parse_words(valid[i].text, many, sizeof(many),
		    &c2), 0);
		assert_string_equal(one, many);
	}
}

static void
test_filter_parse_empty(void **state)
{
	char *blank[] = { (char *)"  ", (char *)"" };
	struct ct_filter_error err;
	struct ct_filter *f = (struct ct_filter *)&err;
	char buf[16];

	(void)state;
	assert_int_equal(filter_parse(0, blank, &f, &err), 0);
	assert_null(f);
	assert_int_equal(filter_parse(2, blank, &f, &err), 0);
	assert_null(f);				/* blanks: no filter */
	assert_true(filter_match(NULL, NULL, NULL));
	assert_false(filter_needs_owners(NULL));
	filter_print(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "(all)");
	filter_free(NULL);
}

static void
test_filter_print_truncates(void **state)
{
	char *argv[] = { (char *)"sport :500 or dport :500" };
	struct ct_filter_error err;
	struct ct_filter *f;
	char buf[8];

	(void)state;
	assert_int_equal(filter_parse(1, argv, &f, &err), 0);
	assert_int_equal(filter_print(f, buf, sizeof(buf)),
	    (int)strlen("(or (lport = 500) (rport = 500))"));
	assert_string_equal(buf, "(or (lp");
	filter_free(f);
}

/* Parser: errors -------------------------------------------------------- */

static const struct {
	const char	*text;
	int		 col;
	const char	*msg;
} invalid[] = {
	{ "dprot :80", 1,
	    "unknown word 'dprot' at column 1 (did you mean 'dport'?)" },
	{ "tcp sprot :80", 5,
	    "unknown word 'sprot' at column 5 (did you mean 'sport'?)" },
	{ "stat listen", 1,
	    "unknown word 'stat' at column 1 (did you mean 'state'?)" },
	{ "sport :500 dprot :80", 12,
	    "unknown word 'dprot' at column 12 (did you mean 'dport'?)" },
	{ "foobar", 1, "unknown word 'foobar' at column 1" },
	{ ":70000", 1, "port out of range 0-65535: ':70000' at column 1" },
	{ "sport 65536", 7, "port out of range 0-65535: '65536' at column 7" },
	{ "dport >= 99999999999999999999", 10,
	    "port out of range 0-65535: '99999999999999999999' at column 10" },
	{ ":12ab", 1, "bad port ':12ab' at column 1" },
	{ ":htps", 1, "unknown service ':htps' at column 1" },
	{ "dport = :nosuchservice", 9,
	    "unknown service ':nosuchservice' at column 9" },
	{ "1.2.3.4.5", 1, "bad address '1.2.3.4.5' at column 1" },
	{ "1.2.3.256", 1, "bad address '1.2.3.256' at column 1" },
	{ "src 1.2.3.256", 5, "bad address '1.2.3.256' at column 5" },
	{ "dst [::1", 5, "bad address '[::1' at column 5" },
	{ "src ::g", 5, "bad address '::g' at column 5" },
	{ "src localhost", 5, "bad address 'localhost' at column 5" },
	{ "localhost:80", 1, "bad address 'localhost:80' at column 1" },
	{ "10.0.0.0/33", 1, "prefix over 32 for IPv4: '10.0.0.0/33' at column 1" },
	{ "dst ::1/129", 5, "prefix over 128 for IPv6: '::1/129' at column 5" },
	{ "src 10.0.0.0/x", 5, "bad prefix in '10.0.0.0/x' at column 5" },
	{ "127.0.0.1:", 1, "missing port in '127.0.0.1:' at column 1" },
	{ "500", 1, "bad address '500' at column 1 (a port is written ':500')" },
	{ "(tcp", 1, "unbalanced parentheses: '(' at column 1 is never closed" },
	{ "tcp)", 4, "unbalanced parentheses: ')' at column 4 has no '('" },
	{ "(tcp or (udp)", 1,
	    "unbalanced parentheses: '(' at column 1 is never closed" },
	{ "()", 1, "empty parentheses at column 1" },
	{ "tcp and", 5, "dangling operator 'and' at column 5: nothing follows it" },
	{ "or tcp", 1, "dangling operator 'or' at column 1: nothing before it" },
	{ "tcp or", 5, "dangling operator 'or' at column 5: nothing follows it" },
	{ "tcp && || udp", 5,
	    "dangling operator '&&' at column 5: nothing follows it" },
	{ "not", 1, "dangling operator 'not' at column 1: nothing follows it" },
	{ "tcp !", 5, "dangling operator '!' at column 5: nothing follows it" },
	{ "(not)", 2, "dangling operator 'not' at column 2: nothing follows it" },
	{ "sport", 1, "missing port after 'sport' at column 1" },
	{ "dport >=", 7, "missing port after '>=' at column 7" },
	{ "src", 1, "missing address after 'src' at column 1" },
	{ "state", 1, "missing state after 'state' at column 1" },
	{ "state and tcp", 1, "missing state after 'state' at column 1" },
	{ "comm", 1, "missing process name after 'comm' at column 1" },
	{ "pid", 1, "missing pid after 'pid' at column 1" },
	{ "user", 1, "missing user name after 'user' at column 1" },
	{ "state establishd", 7,
	    "unknown state 'establishd' at column 7 (did you mean 'established'?)" },
	{ "state time-wiat", 7,
	    "unknown state 'time-wiat' at column 7 (did you mean 'time_wait'?)" },
	{ "state foo", 7, "unknown state 'foo' at column 7" },
	{ "user nosuchuser_x", 6, "unknown user 'nosuchuser_x' at column 6" },
	{ "pid x", 5, "bad pid 'x' at column 5" },
	{ "uid -1", 5, "bad uid '-1' at column 5" },
	{ "rtt > 5", 1, "'rtt' at column 1 is a field, but not one a filter tests" },
	/* and/or without parentheses: ss's reading and the usual one */
	{ "sport = :443 or dport = :443 and dst 127.0.0.5", 14,
	    "'or' at column 14 mixed with 'and' needs parentheses: ss reads "
	    "'(sport = :443 or dport = :443) and dst 127.0.0.5', others "
	    "'sport = :443 or (dport = :443 and dst 127.0.0.5)'" },
	{ "tcp or udp inet", 5, "'or' at column 5 mixed with terms side by "
	    "side needs parentheses: ss reads '(tcp or udp) inet', others "
	    "'tcp or (udp inet)'" },
	{ "tcp || udp && inet", 5, "'or' at column 5 mixed with 'and' needs "
	    "parentheses: ss reads '(tcp || udp) && inet', others "
	    "'tcp || (udp && inet)'" },
	{ "state established dport = :22 or sport = :22", 31,
	    "'or' at column 31 mixed with terms side by side needs "
	    "parentheses: ss reads 'state established (dport = :22 or "
	    "sport = :22)', others '(state established dport = :22) or "
	    "sport = :22'" },
	{ "(tcp or udp inet)", 6, "'or' at column 6 mixed with terms side by "
	    "side needs parentheses: ss reads '(tcp or udp) inet', others "
	    "'tcp or (udp inet)'" },
	{ "src < 1.2.3.4", 5,
	    "comparison '<' at column 5 does not apply to 'src' (only = and !=)" },
	{ "src 10.0.0.0/255.0.255.0", 5,
	    "bad prefix in '10.0.0.0/255.0.255.0' at column 5" },
	{ "src any/8", 5, "bad address 'any/8' at column 5" },
	{ "src inet:::1", 5, "bad address 'inet:::1' at column 5" },
	{ ":080", 1, "bad port ':080' at column 1 (a leading 0 reads octal, "
	    "as in ss)" },
	{ "dev nosuchdev0", 5, "unknown device 'nosuchdev0' at column 5" },
	{ "dev", 1, "missing device after 'dev' at column 1" },
	{ "fwmark foo", 8, "bad mark 'foo' at column 8 (VALUE or VALUE/MASK)" },
	{ "fwmark 1/", 8, "bad mark '1/' at column 8 (VALUE or VALUE/MASK)" },
	{ "fwmark > 1", 8, "comparison '>' at column 8 does not apply to "
	    "'fwmark' (only = and !=)" },
	{ "cgroup /no/such/cgroup/here", 8,
	    "no such cgroup v2 directory '/no/such/cgroup/here' at column 8" },
	{ "exclude", 1, "missing state after 'exclude' at column 1" },
	{ "exclude bogus", 9, "unknown state 'bogus' at column 9" },
	{ "state new-syn-recv", 7, "unknown state 'new-syn-recv' at column 7" },
	{ "comm x\\x00y", 6, "NUL byte in 'x\\\\x00y' at column 6" },
	{ "autobnd", 1,
	    "unknown word 'autobnd' at column 1 (did you mean 'autobound'?)" },
	{ "comm \"abc", 6, "unterminated quote at column 6" },
	{ "uid < 5", 5,
	    "comparison '<' at column 5 does not apply to 'uid' (only = and !=)" },
	{ ">= 5", 1, "comparison '>=' at column 1 follows no port word "
	    "(as in 'dport >= 1024')" },
	{ "proto icmp", 7, "unknown protocol 'icmp' at column 7 (tcp or udp)" },
	{ "family inet4", 8, "unknown family 'inet4' at column 8 (inet or inet6)" },
	{ "tcp\x1b[31m", 1, "unknown word 'tcp\\x1b[31m' at column 1" },
	{ "comm \"\x07\" \x7f", 10, "unknown word '\\x7f' at column 10" },
};

static void
test_filter_parse_invalid(void **state)
{
	char got[1024];
	size_t i;
	int col;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		if (parse_one(invalid[i].text, got, sizeof(got), &col) == 0)
			fail_msg("'%s' parses: %s", invalid[i].text, got);
		if (strcmp(got, invalid[i].msg) != 0 || col != invalid[i].col)
			fail_msg("'%s': got column %d '%s', want column %d '%s'",
			    invalid[i].text, col, got, invalid[i].col,
			    invalid[i].msg);
	}
	assert_true(i >= 40);
}

/* The column is the same when the words come one by one. */
static void
test_filter_parse_invalid_words(void **state)
{
	char one[1024], many[1024];
	size_t i;
	int c1, c2;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		if (strchr(invalid[i].text, '"') != NULL)
			continue;		/* a blank inside quotes */
		assert_int_equal(parse_one(invalid[i].text, one, sizeof(one),
		    &c1), -1);
		assert_int_equal(parse_words(invalid[i].text, many, sizeof(many),
		    &c2), -1);
		assert_string_equal(one, many);
		assert_int_equal(c1, c2);
	}
}

/* Limits that keep the tree shallow: nesting and length. */
static void
test_filter_parse_limits(void **state)
{
	char text[8192], got[1024];
	int i, col;

	(void)state;
	memset(text, '(', 101);
	strcpy(text + 101, "tcp");
	assert_int_equal(parse_one(text, got, sizeof(got), &col), -1);
	assert_int_equal(col, 101);
	assert_string_equal(got, "too deeply nested at column 101 (at most 100 "
	    "levels of parentheses and not)");
	memset(text, '(', 100);
	strcpy(text + 100, "tcp");
	memset(text + 103, ')', 100);
	text[203] = '\0';
	assert_int_equal(parse_one(text, got, sizeof(got), &col), 0);
	assert_string_equal(got, "(proto tcp)");

	text[0] = '\0';
	for (i = 0; i < 1001; i++)
		strcat(text, "tcp ");
	assert_int_equal(parse_one(text, got, sizeof(got), &col), -1);
	assert_int_equal(col, 4001);
	assert_string_equal(got, "filter too long at column 4001 (at most 1000 "
	    "terms)");
	/* the same, as 1001 words */
	assert_int_equal(parse_words(text, got, sizeof(got), &col), -1);
	assert_int_equal(col, 4001);
}

/*
 * ss takes the state words a filter starts with apart from the rest, even
 * after blanks: "state x a or b" is x and (a or b) there.
 */
static void
test_filter_parse_mixed_lead(void **state)
{
	char got[1024];
	int col;

	(void)state;
	assert_int_equal(parse_one("  state established dport = :22 or "
	    "sport = :22", got, sizeof(got), &col), -1);
	assert_int_equal(col, 33);
	assert_non_null(strstr(got, "ss reads 'state established (dport = "
	    ":22 or sport = :22)'"));
	/* not at the start: a term like any other, and no error */
	assert_int_equal(parse_one("tcp and state established or udp", got,
	    sizeof(got), &col), 0);
	assert_string_equal(got, "(or (and (proto tcp) (state established)) "
	    "(proto udp))");
	/* a reading too long for the line is cut, with '...' */
	assert_int_equal(parse_one("sport = :1 or sport = :2 or sport = :3 or "
	    "sport = :4 or sport = :5 or sport = :6 dport = :7", got,
	    sizeof(got), &col), -1);
	assert_non_null(strstr(got, "...'"));
	assert_true(strlen(got) < 256);
}

/* A word longer than a message can hold is cut, still one clean line. */
static void
test_filter_parse_long_word(void **state)
{
	char text[600], got[1024];
	int col;

	(void)state;
	memset(text, 'x', 500);
	text[500] = '\0';
	assert_int_equal(parse_one(text, got, sizeof(got), &col), -1);
	assert_int_equal(col, 1);
	assert_true(strncmp(got, "unknown word 'xxxx", 18) == 0);
	assert_non_null(strstr(got, "' at column 1"));
	assert_true(strlen(got) < 256);
}

/* Evaluation ---------------------------------------------------------- */

static struct ct_snap snap;

static int
setup(void **state)
{
	(void)state;
	memset(&snap, 0, sizeof(snap));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	snap_free(&snap);
	return 0;
}

static bool
matches(const char *text, const struct ct_sock *s)
{
	char *argv[] = { (char *)text };
	struct ct_filter_error err;
	struct ct_filter *f;
	bool m;

	if (filter_parse(1, argv, &f, &err) != 0)
		fail_msg("'%s': %s", text, err.msg);
	m = filter_match(f, FX_VIEW(&snap), s);
	filter_free(f);
	return m;
}

/* Two namespaces and three labels, for the netns and label words. */
static void
fx_netns_labels(struct ct_sock **a, struct ct_sock **b, struct ct_sock **orphan)
{
	struct ct_netns *ns;
	struct ct_label lab;
	uint32_t idx;

	ns = nstab_append(&snap.nstab);
	ns->ino = 4026531992u;
	ns->flags = CT_NS_HOST;
	nstab_name(ns, NULL);
	ns = nstab_append(&snap.nstab);
	ns->ino = 4026532283u;
	nstab_name(ns, "cttest-web1");
	labels_init(&snap.labels);
	memset(&lab, 0, sizeof(lab));
	strcpy(lab.unit, "nginx.service");
	labels_add_pid(&snap.labels, 10, labels_intern(&snap.labels, &lab));
	memset(&lab, 0, sizeof(lab));
	strcpy(lab.container, "docker:0123456789ab");
	strcpy(lab.pod, "a1b2c3d4-e5f6-4789-abcd-ef0123456789");
	idx = labels_intern(&snap.labels, &lab);
	labels_add_pid(&snap.labels, 20, idx);
	/* its processes agree: an unowned socket there takes their label */
	snap.nstab.v[1].label = idx;
	*a = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN, "0.0.0.0", 80, "0.0.0.0", 0);
	*b = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN, "0.0.0.0", 80, "0.0.0.0", 0);
	*orphan = fx_sock(&snap, IPPROTO_TCP, CT_ST_TIME_WAIT, "127.0.0.1", 80,
	    "127.0.0.1", 40000);
	(*b)->netns = 1;
	(*orphan)->netns = 1;
	fx_owner(&snap, *a, 10, 3, "nginx");
	fx_owner(&snap, *b, 20, 3, "nginx");
}

static void
test_filter_match_netns_labels(void **state)
{
	struct ct_sock *a, *b, *o;

	(void)state;
	fx_netns_labels(&a, &b, &o);
	assert_true(matches("netns host", a));
	assert_false(matches("netns host", b));
	assert_true(matches("netns cttest-*", b));
	assert_true(matches("netns net:[4026531992]", a));
	assert_true(matches("netns 4026532283", b));
	assert_false(matches("netns 4026532283", a));
	assert_true(matches("netns != host", o));
	assert_true(matches("container docker:*", b));
	assert_false(matches("container docker:*", a));
	assert_true(matches("container -", a));
	assert_true(matches("unit nginx.service", a));
	assert_true(matches("unit -", b));	/* inside a container: no unit */
	assert_true(matches("pod a1b2c3d4-*", b));
	/* no owner: the label the namespace's processes share */
	assert_true(matches("container docker:0123456789ab", o));
	assert_true(matches("netns cttest-web1 and container docker:* and "
	    "state time-wait", o));
	snap.nstab.v[1].label = 0;		/* they disagree */
	assert_true(matches("container -", o));
	/*
	 * A name is anyone's to choose: as printed (escaped) it finds itself,
	 * brackets and all, and an escaped '*' is no wildcard.
	 */
	nstab_name(&snap.nstab.v[1], "we[b] 1\x01");
	assert_true(matches("netns we[b]\\x201\\x01", b));
	assert_true(matches("netns we\\[b*", b));
	assert_false(matches("netns we\\x5bb\\x2a", b));
	assert_false(matches("netns we[b]\\x201", b));
}

/* A namespace the filter cannot match is not dumped; listeners alone when only they can. */
static void
test_filter_kernel_netns(void **state)
{
	char *argv[] = { (char *)"netns web1 or state listening" };
	struct ct_filter_error err;
	struct ct_filter *f;
	struct ct_kfilter kf;
	struct ct_netns web1, web2;

	(void)state;
	memset(&web1, 0, sizeof(web1));
	memset(&web2, 0, sizeof(web2));
	nstab_name(&web1, "web1");
	nstab_name(&web2, "web2");
	assert_int_equal(filter_parse(1, argv, &f, &err), 0);
	assert_int_equal(filter_kernel_ns(f, AF_INET, IPPROTO_TCP, CT_STATES_ALL,
	    &web2, &kf), 0);
	assert_false(kf.skip);
	assert_int_equal(kf.states, 1u << CT_ST_LISTEN);
	filter_kernel_free(&kf);
	assert_int_equal(filter_kernel_ns(f, AF_INET, IPPROTO_TCP, CT_STATES_ALL,
	    &web1, &kf), 0);
	assert_int_equal(kf.states, CT_STATES_ALL);
	filter_kernel_free(&kf);
	/* no namespace known: everything may match */
	assert_int_equal(filter_kernel(f, AF_INET, IPPROTO_TCP, CT_STATES_ALL,
	    &kf), 0);
	assert_int_equal(kf.states, CT_STATES_ALL);
	filter_kernel_free(&kf);
	filter_free(f);
	argv[0] = (char *)"netns web1 and container x";
	assert_int_equal(filter_parse(1, argv, &f, &err), 0);
	assert_true(filter_needs_owners(f));
	assert_true(filter_needs_labels(f));
	assert_int_equal(filter_kernel_ns(f, AF_INET6, IPPROTO_UDP, CT_STATES_ALL,
	    &web2, &kf), 0);
	assert_true(kf.skip);
	filter_kernel_free(&kf);
	filter_free(f);
	argv[0] = (char *)"netns web1";
	assert_int_equal(filter_parse(1, argv, &f, &err), 0);
	assert_false(filter_needs_owners(f));
	assert_false(filter_needs_labels(f));
	filter_free(f);
}

static void
test_filter_match_ports(void **state)
{
	struct ct_sock *c = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED,
	    "127.0.0.1", 40000, "127.0.0.1", 500);
	struct ct_sock *l = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN,
	    "0.0.0.0", 500, "0.0.0.0", 0);

	(void)state;
	assert_true(matches(":500", c));
	assert_true(matches(":500", l));
	assert_true(matches("dport :500", c));
	assert_false(matches("sport :500", c));
	assert_true(matches("sport :500", l));
	assert_true(matches("sport >= 40000", c));
	assert_false(matches("sport > 40000", c));
	assert_true(matches("sport <= 40000 and sport ge 40000", c));
	/* a listener's remote port is 0, as the kernel and ss see it */
	assert_true(matches("dport < 1024", l));
	assert_true(matches("dport != 443", l));
	assert_true(matches("dport = 0", l));
	assert_true(matches("dport eq 0", l));
	assert_false(matches("dport neq 0", l));
	assert_true(matches("not dport = 443", l));
	assert_true(matches(":0", l));
	assert_false(matches(":0", c));
	assert_true(matches("dport geq 500 and dport leq 500", c));
	assert_true(matches("sport gt 39999 and sport lt 40001", c));
	/* 1 and 65535 at both ends */
	c->lport = 65535;
	c->rport = 1;
	assert_true(matches("sport = 65535 and dport = 1", c));
	assert_true(matches("sport > 65534 and dport < 2", c));
	assert_false(matches("sport > 65535 or dport < 1", c));
}

static void
test_filter_match_addresses(void **state)
{
	struct ct_sock *v4 = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED,
	    "127.0.0.1", 40000, "10.1.2.3", 443);
	struct ct_sock *mapped = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED,
	    "::ffff:127.0.0.1", 500, "::ffff:10.1.2.3", 40001);
	struct ct_sock *v6 = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED,
	    "::1", 500, "::1", 40002);
	struct ct_sock *l6 = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN,
	    "::", 500, "::", 0);
	struct ct_sock *l4 = fx_sock(&snap, IPPROTO_UDP, CT_ST_CLOSE,
	    "0.0.0.0", 53, "0.0.0.0", 0);

	(void)state;
	assert_true(matches("src 127.0.0.1", v4));
	assert_true(matches("src 127.0.0.1", mapped));	/* as the kernel */
	assert_false(matches("src 127.0.0.1", v6));
	assert_true(matches("dst 10.0.0.0/8", mapped));
	assert_true(matches("dst 10.1.2.3:40001", mapped));
	assert_false(matches("dst 10.1.2.3:443", mapped));
	assert_true(matches("10.1.2.3", v4));		/* either end */
	assert_true(matches("127.0.0.1:40000", v4));
	assert_false(matches("127.0.0.1:443", v4));
	/* an IPv6 prefix never matches an IPv4 socket */
	assert_false(matches("src ::ffff:127.0.0.1", v4));
	assert_true(matches("src ::ffff:127.0.0.1", mapped));
	assert_true(matches("src ::/0", mapped));
	assert_false(matches("src ::/0", v4));
	assert_false(matches("inet", mapped));
	assert_true(matches("inet6 and src 127.0.0.0/8", mapped));
	assert_true(matches("[::1]:500", v6));
	assert_true(matches("dst ::1", v6));
	/* an unconnected end is the wildcard address and port 0 */
	assert_true(matches("dst ::/0", l6));
	assert_true(matches("dst ::", l6));
	assert_true(matches("dst ::/0", l6));
	assert_true(matches("dst 0.0.0.0/0", l4));
	assert_true(matches("dst 0.0.0.0:0", l4));
	assert_false(matches("dst 0.0.0.0/0:1", l4));
	assert_true(matches("dst *", l4));
	assert_true(matches("dst *", v4));
	assert_false(matches("not dst 0.0.0.0/0", l4));
	assert_false(matches("dst 0.0.0.0/0", l6));	/* no IPv4 inside */
	/* ss's shortened prefixes and = */
	assert_true(matches("src 127/8", v4));
	assert_true(matches("src = 127/8", mapped));
	assert_false(matches("src 127.1", v4));		/* 127.1.0.0, as ss */
	assert_true(matches("dst == 10.1/16", v4));
	assert_true(matches("dst != 10.2/16", v4));
	assert_true(matches("src 0.0.0.0 and sport :53", l4));
	assert_true(matches("::", l6));			/* its local end */
	assert_true(matches("src *:500", l6));
}

static void
test_filter_match_states(void **state)
{
	struct ct_sock *tl = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN,
	    "0.0.0.0", 22, "0.0.0.0", 0);
	struct ct_sock *ub = fx_sock(&snap, IPPROTO_UDP, CT_ST_CLOSE,
	    "0.0.0.0", 53, "0.0.0.0", 0);
	struct ct_sock *uc = fx_sock(&snap, IPPROTO_UDP, CT_ST_ESTABLISHED,
	    "127.0.0.1", 5011, "127.0.0.1", 5010);
	struct ct_sock *tw = fx_sock(&snap, IPPROTO_TCP, CT_ST_TIME_WAIT,
	    "127.0.0.1", 40000, "127.0.0.1", 22);
	struct ct_sock *sr = fx_sock(&snap, IPPROTO_TCP, 12, "127.0.0.1", 22,
	    "127.0.0.1", 40001);			/* TCP_NEW_SYN_RECV */

	(void)state;
	assert_true(matches("state listen", tl));
	assert_false(matches("state listen", ub));	/* LISTEN only, as ss */
	assert_false(matches("state listening", ub));
	assert_false(matches("state listen", uc));
	assert_true(matches("state unconn", ub));
	assert_true(matches("state close", ub));
	assert_true(matches("state listening state unconnected", ub));
	assert_true(matches("state listening state unconnected", tl));
	assert_false(matches("state listening state unconnected", uc));
	assert_true(matches("exclude listening", uc));
	assert_false(matches("exclude listening", tl));
	assert_false(matches("state all exclude listening exclude close", ub));
	assert_true(matches("state connected exclude time-wait", sr));
	assert_false(matches("state connected exclude time-wait", tw));
	assert_false(matches("state established and state time-wait", tw));
	assert_true(matches("state established or state time-wait", tw));
	assert_true(matches("state established", uc));
	assert_true(matches("state connected", uc));
	assert_false(matches("state connected", ub));
	assert_false(matches("state connected", tl));
	assert_true(matches("state connected", tw));
	assert_true(matches("state time-wait", tw));
	assert_true(matches("state bucket", tw));
	assert_true(matches("state bucket", sr));
	assert_true(matches("state syn-recv", sr));
	assert_false(matches("state big", sr));
	assert_true(matches("state synchronized", sr));
	assert_true(matches("state all", tl));
	assert_true(matches("tcp and not state listen", tw));
	assert_false(matches("udp", tw));
}

static void
test_filter_match_owners(void **state)
{
	struct ct_sock *s = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN,
	    "0.0.0.0", 80, "0.0.0.0", 0);
	struct ct_sock *t = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN,
	    "0.0.0.0", 53, "0.0.0.0", 0);
	struct ct_sock *none = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED,
	    "127.0.0.1", 80, "127.0.0.1", 40000);

	(void)state;
	fx_owner(&snap, s, 100, 3, "master");
	fx_owner(&snap, s, 101, 3, "nginx");		/* a forked worker */
	fx_owner(&snap, t, 200, 5, "x");
	/* the kernel keeps 15 bytes of "systemd-resolved" */
	snap.owners.v[t->owners].comm = owners_add_comm(&snap.owners,
	    "systemd-resolved");
	s->uid = 33;
	assert_true(matches("comm nginx", s));
	assert_true(matches("proc master", s));
	assert_true(matches("pid 101", s));
	assert_false(matches("pid 102", s));
	assert_true(matches("comm ngi*", s));
	assert_true(matches("comm \"[mn]*\" and pid 100", s));
	assert_false(matches("comm ngin", s));
	assert_true(matches("comm systemd-resolved", t));
	assert_true(matches("comm systemd-resolve", t));
	assert_false(matches("comm systemd-resolvedx", s));
	assert_false(matches("comm nginx", none));	/* no owner known */
	assert_true(matches("not comm nginx", none));
	assert_false(matches("pid 0", none));
	assert_true(matches("uid 33", s));
	assert_true(matches("user 33 and uid != 0", s));
	assert_true(matches("user root", none));
}

/* dev, fwmark, cgroup and autobound: what the kernel's bytecode tests. */
static void
test_filter_match_ss_words(void **state)
{
	struct ct_sock *a = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED,
	    "127.0.0.1", 40000, "127.0.0.1", 5006);
	struct ct_sock *b = fx_sock(&snap, IPPROTO_UDP, CT_ST_CLOSE,
	    "0.0.0.0", 53, "0.0.0.0", 0);
	struct ct_sockext *x;

	(void)state;
	a->ifindex = 1;
	a->flags |= CT_SF_AUTO | CT_SF_EXT;
	x = sock_list_ext_at(&snap.socks, 0);
	memset(x, 0, sizeof(*x));
	x->has = CT_SX_MARK | CT_SX_CGROUP;
	x->mark = 0x12a;
	x->cgroup_id = 1;
	assert_true(matches("dev lo", a));
	assert_true(matches("dev = 1", a));
	assert_false(matches("dev lo", b));
	assert_true(matches("dev != lo", b));
	assert_true(matches("dev 0", b));		/* not bound */
	assert_true(matches("fwmark 0x12a", a));
	assert_true(matches("fwmark 0x2a/0xff", a));
	assert_false(matches("fwmark 0x2a", a));
	assert_true(matches("fwmark != 0x2a", a));
	assert_true(matches("fwmark 0", b));		/* no ct_sockext: 0 */
	assert_true(matches("autobound", a));
	assert_false(matches("autobound", b));
	assert_true(matches("not autobound", b));
}

/* A cgroup path names its id under the cgroup2 mount, as in ss. */
static void
test_filter_match_cgroup(void **state)
{
	struct ct_sock *a = fx_sock(&snap, IPPROTO_TCP, CT_ST_ESTABLISHED,
	    "127.0.0.1", 40000, "127.0.0.1", 5006);
	char *argv[] = { (char *)"cgroup /" };
	struct ct_filter_error err;
	struct ct_filter *f;
	struct ct_sockext *x;
	char text[128];

	(void)state;
	if (filter_parse(1, argv, &f, &err) != 0) {
		/* no cgroup2 mount here: the message says what is missing */
		assert_string_equal(err.msg, "no such cgroup v2 directory '/' at "
		    "column 8");
		skip();
	}
	filter_print(f, text, sizeof(text));
	assert_true(strncmp(text, "(cgroup \"/\" ", 12) == 0);
	a->flags |= CT_SF_EXT;
	x = sock_list_ext_at(&snap.socks, 0);
	memset(x, 0, sizeof(*x));
	x->cgroup_id = strtoull(text + 12, NULL, 10);
	assert_true(filter_match(f, FX_VIEW(&snap), a));
	x->cgroup_id++;
	assert_false(filter_match(f, FX_VIEW(&snap), a));
	assert_true(filter_needs(f) & CT_FNEED_EXT);
	filter_free(f);
}

/*
 * Issue 16 item 14: a name as the output escapes it pastes back into
 * comm, and a quote or a backslash in a name can be matched.
 */
static void
test_filter_match_comm_escapes(void **state)
{
	struct ct_sock *s = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN,
	    "0.0.0.0", 80, "0.0.0.0", 0);
	struct ct_sock *t = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN,
	    "0.0.0.0", 81, "0.0.0.0", 0);
	struct ct_sock *u = fx_sock(&snap, IPPROTO_TCP, CT_ST_LISTEN,
	    "0.0.0.0", 82, "0.0.0.0", 0);

	(void)state;
	fx_owner(&snap, s, 100, 3, "ng\xc3\xafnx");	/* ngïnx in UTF-8 */
	fx_owner(&snap, t, 101, 3, "q,\"a b\\");
	fx_owner(&snap, u, 102, 3, "evil\x1b[31m");
	assert_true(matches("comm ng\\xc3\\xafnx", s));
	assert_true(matches("comm ng\\xC3\\xAFnx", s));
	assert_true(matches("comm ng\\xc3*", s));
	assert_false(matches("comm ng\\xc3", s));
	/* pasted as the table shows it: a quote inside a word is a byte */
	assert_true(matches("comm q,\"a\\x20b\\\\", t));
	assert_true(matches("comm \"q,\\\"a b\\\\\"", t));
	assert_true(matches("comm q,\\x22a*", t));
	assert_false(matches("comm q,\\x22a\\x2a", t));	/* a literal '*' */
	/* '[' as shown, not a bracket: the name matches itself */
	assert_true(matches("comm evil\\x1b[31m", u));
	assert_false(matches("comm evil\\x1b[31m", s));
}

static void
test_filter_needs_owners(void **state)
{
	static const struct {
		const char *text;
		bool owners;
	} cases[] = {
		{ "comm x", true }, { "not pid 1", true }, { "proc x or :22", true },
		{ "uid 0", false }, { "user root", false }, { ":22", false },
		{ "state listen and src ::1", false },
	};
	struct ct_filter_error err;
	struct ct_filter *f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = { (char *)cases[i].text };

		assert_int_equal(filter_parse(1, argv, &f, &err), 0);
		assert_int_equal(filter_needs_owners(f), cases[i].owners);
		filter_free(f);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_parse_valid),
		cmocka_unit_test(test_filter_parse_words),
		cmocka_unit_test(test_filter_parse_empty),
		cmocka_unit_test(test_filter_print_truncates),
		cmocka_unit_test(test_filter_parse_invalid),
		cmocka_unit_test(test_filter_parse_invalid_words),
		cmocka_unit_test(test_filter_parse_limits),
		cmocka_unit_test(test_filter_parse_long_word),
		cmocka_unit_test(test_filter_parse_mixed_lead),
		cmocka_unit_test_setup_teardown(test_filter_match_ports, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_filter_match_addresses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_filter_match_states, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_filter_match_owners, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_filter_match_ss_words, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_filter_match_cgroup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_filter_match_comm_escapes,
		    setup, teardown),
		cmocka_unit_test(test_filter_needs_owners),
		cmocka_unit_test_setup_teardown(test_filter_match_netns_labels, setup,
		    teardown),
		cmocka_unit_test(test_filter_kernel_netns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
