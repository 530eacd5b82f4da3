#!/usr/bin/env bash
# Issue 15, ss parity: on one live population in a private network
# namespace (sockmix's mix, and ssextra's: sockets bound to lo and to a
# device without an address, marked sockets, sockets made by a process in
# a cgroup v2 directory of this test's own, clients from ports bound by
# hand and chosen by the kernel), every expression of a corpus in ss's own
# forms selects exactly the sockets ss selects: `ss -tuanH EXPR` against
# `conntab -J -P EXPR`, as multisets of (proto, family, state, local,
# remote), with the push-down into the kernel and without it
# (CONNTAB_NO_PUSHDOWN=1). Then ss's options (-f, -A, -F, -l), the forms
# where ss's own two checks contradict each other (conntab follows the
# kernel, and its "not" is the complement), and the and/or mix that
# conntab refuses.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"
set -f			# filter words like '*:5004' are not shell globs

CT=$CONNTAB
T=$IT_TMP
command -v ss >/dev/null || it_skip "no ss"
SOCKMIX=$(it_bin sockmix) || { notok "build sockmix" "cc failed"; it_finish; exit; }
SSEXTRA=$(it_bin ssextra) || { notok "build ssextra" "cc failed"; it_finish; exit; }

# A device with no address, left down (only loopback carries an address
# here), for dev NAME: a dummy, or an empty bridge where there is none.
DEV=ct15d
if ip link add "$DEV" type dummy 2>/dev/null ||
    ip link add "$DEV" type bridge 2>/dev/null; then
	ok "a device $DEV (down, no address) to bind to"
else
	echo "# no dummy or bridge device: the dev $DEV checks are left out"
	DEV=
fi

# A cgroup v2 directory of this run's own (unique name; removed at exit).
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
CGREL=
if [ -n "$CG2" ] && mkdir "$CG2/conntab-it-ss-$$" 2>/dev/null; then
	CGREL=/conntab-it-ss-$$
	ok "a cgroup v2 directory $CG2$CGREL"
else
	echo "# no cgroup2 mount to make a directory in: the cgroup checks are left out"
fi

MF=$T/manifest
if ! start_helper "$MF" "$SOCKMIX"; then
	notok "sockmix is READY" "$(tail -3 "$MF" | tr '\n' ' ')"
	it_finish; exit
fi
XF=$T/extra
if ! start_helper "$XF" "$SSEXTRA" "${DEV:--}" "${CGREL:+$CG2$CGREL}"; then
	notok "ssextra is READY" "$(tail -3 "$XF" | tr '\n' ' ')"
	it_finish; exit
fi
XPID=$helper_pid
# the cgroup goes once ssextra and its child are gone (a bounded wait)
if [ -n "$CGREL" ]; then
	IT_CLEANUP+=("kill -TERM $XPID; wait $XPID; for i in \$(seq 50); do rmdir '$CG2$CGREL' && break; sleep 0.1; done")
fi
ok "sockmix and ssextra are READY ($(grep -c '^sock ' "$MF") + $(grep -c '^sock ' "$XF") sockets)"

JQ_KEYS="$JQ_EP"' .[] | key5'

# The corpus: one expression per line, in ss's forms; "@@ maybe" after it:
# may match nothing (short-lived states), "@@ empty": must match nothing.
# $DEV and $CG stand for the device and the cgroup; lines naming one that
# this machine cannot make are left out.
CORPUS=$T/corpus
cat >"$CORPUS" <<'EOF'
dport = :5006
dport = 5006
dport 5006
( dport = :5006 )
sport = :5006
sport eq :5006
sport == 5006
dport != :5006
dport neq :5006
dport ne 5006
dport = 0
dport = :0
sport geq :5020
sport >= :5020
sport ge 5020
sport leq :5003
sport <= 5003
sport le :5003
dport gt :5010
dport > 5010
dport lt :5010
dport < :5010
sport > :32767
dport >= :1024 and dport <= :5010
sport = :0x138e
src 127.0.0.1
src = 127.0.0.1
src == 127.0.0.2
dst 127.0.0.1
dst = 127.0.0.1
dst eq 127.0.0.1
src 127.0.0.0/8
src 127/8
dst 127/8
dst 127.0/16
src 127.0.0.2/32
src 127.0.0.0/255.0.0.0
src 0.0.0.0
src = 0.0.0.0
dst 0.0.0.0
dst 0.0.0.0/0
src 0.0.0.0/0
dst 0/0
src [::1]
dst [::1]
src ::1/128
dst [::]
src [::]
src [::1]:5003
dst [::1]:5003
src 127.0.0.1:5006
dst 127.0.0.1:5006
src *:5004
dst *:5046
src [::ffff:127.0.0.1]
dst [::ffff:127.0.0.1]
src ::ffff:127.0.0.0/104
src 127.0.0.1/8:5006
dst 127.0.0.0/24:5006
src 10.0.0.0/8 @@ empty
src ::1/128:5003
src inet:127.0.0.1
sport = :5006 or dport = :5006
( sport = :5006 or dport = :5006 )
sport = :5006 || dport = :5006
sport = :5006 | dport = :5006
src 127.0.0.1 and dport = :5006
src 127.0.0.1 && dport = :5006
src 127.0.0.1 & dport = :5006
src 127.0.0.1 dport = :5006
not sport = :5006
! dport = :5006
not ( sport = :5006 or dport = :5006 )
( src 127.0.0.1 or src [::1] ) and dport = :5003
src 127.0.0.1 and ( sport = :5006 or dport = :5006 )
( src 127.0.0.1 and sport = :5006 ) or dst 127.0.0.2
src 0.0.0.0 and sport = :5001
src 127.0.0.1 and sport = :5006 and dport > :32767
( src 0.0.0.0 or src 127.0.0.1 ) and dst 127.0.0.1
not src 127.0.0.0/8
not dst 127.0.0.1
not ( dst 127.0.0.1 or dst [::1] )
sport = :5006 and dport > :32767 or dst 127.0.0.2
state established
state listening
state unconnected
state closed
state connected
state synchronized
state bucket @@ maybe
state big
state all
state time-wait @@ maybe
state syn-sent @@ maybe
state syn-recv @@ maybe
state fin-wait-1
state fin-wait-2
state close-wait
state last-ack
state closing
state established state close-wait
state listening state unconnected
exclude listening
excl listening
exclude established exclude listening
state connected exclude time-wait
state all exclude bucket
state established dport = :5006
state established ( dport = :5006 or sport = :5006 )
state listening sport = :5006
state established src 127.0.0.1 dport gt :5010
state unconnected src 127.0.0.1
dev lo
dev = lo
dev != lo
dev 1
dev = 1
dev $DEV
dev != $DEV
dev lo or dev $DEV
fwmark 0x2a
fwmark = 0x2a
fwmark != 0x2a
fwmark 0x2a/0xff
fwmark 0x100/0x100
fwmark 0x12a
fwmark 42
fwmark 0
dev lo or fwmark 0x2a
src 127.0.0.1 and not fwmark 0x2a
state established ( fwmark 0x12a or dport = :5043 )
cgroup $CG
cgroup = $CG
cgroup != $CG
cgroup $CG and sport = :5044
not cgroup $CG and src 127.0.0.1
autobound
autobound and dport = :5046
state established autobound
autobound or sport = :5051
EOF
sed -i "s|\\\$CG\\b|${CGREL:-@@NOCG@@}|g; s|\\\$DEV\\b|${DEV:-@@NODEV@@}|g" "$CORPUS"
sed -i '/@@NOCG@@\|@@NODEV@@/d' "$CORPUS"
check "the corpus holds at least 80 expressions" "$(wc -l <"$CORPUS")" \
	test "$(wc -l <"$CORPUS")" -ge 80

# try_expr OPTS... -- WORDS...: ss and conntab (both ways) on the same
# words; why is empty when all three agree.
try_expr() {
	local opts=() a
	why=
	: >"$T/whydiff"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	ss_keys "${opts[@]}" "$@" >"$T/ss" 2>"$T/ss.err"
	if [ "$ss_rc" != 0 ]; then
		why="ss refuses it (exit $ss_rc): $(head -c 200 "$T/ss.err")"
		return
	fi
	CONNTAB_DEBUG=1 run "$CT" -J -P "${opts[@]}" "$@"
	cp "$T/err" "$T/push.err"
	if [ "$rc" != 0 ]; then
		why="conntab: exit $rc: $(head -c 200 "$T/err")"
		return
	fi
	jq -r "$JQ_KEYS" "$T/out" | sort >"$T/push"
	CONNTAB_NO_PUSHDOWN=1 run "$CT" -J -P "${opts[@]}" "$*"
	if [ "$rc" != 0 ]; then
		why="conntab without push-down: exit $rc: $(head -c 200 "$T/err")"
		return
	fi
	jq -r "$JQ_KEYS" "$T/out" | sort >"$T/user"
	sort -o "$T/ss" "$T/ss"
	for a in push user; do
		if ! cmp -s "$T/ss" "$T/$a"; then
			why="$a: $(comm -23 "$T/ss" "$T/$a" | wc -l) that ss selects missing, $(comm -13 "$T/ss" "$T/$a" | wc -l) extra"
			diff "$T/ss" "$T/$a" | grep '^[<>]' >"$T/whydiff"
			return
		fi
	done
	if ! grep -q ', 0 refused$' "$T/push.err"; then
		why="the kernel refused the bytecode: $(head -c 200 "$T/push.err")"
	elif [ -z "$flag" ] && [ ! -s "$T/ss" ]; then
		why="matches nothing: a weak test"
	elif [ "$flag" = empty ] && [ -s "$T/ss" ]; then
		why="expected to match nothing"
	fi
}

# agree DESC OPTS... -- WORDS...: try, and again when a short-lived socket
# (TIME_WAIT remade, SYN_SENT retried) moved between the runs.
agree() {
	local desc=$1 attempt
	shift
	for attempt in 1 2 3; do
		try_expr "$@"
		[ -z "$why" ] && break
		sleep 0.5
	done
	if [ -z "$why" ]; then
		ok "$desc: the $(wc -l <"$T/ss") sockets ss selects, with and without push-down"
	else
		notok "$desc: the sockets ss selects" "$why"
		diag "$T/whydiff"
	fi
}

nexpr=0
while IFS= read -r line <&3; do
	expr=${line%% @@ *}
	flag=
	case $line in
	*" @@ empty") flag=empty ;;
	*" @@ maybe") flag=maybe ;;
	esac
	nexpr=$((nexpr + 1))
	# shellcheck disable=SC2086
	agree "$expr" -- $expr
done 3<"$CORPUS"
echo "# $nexpr expressions"

# ss's options -----------------------------------------------------------
flag=
agree "-f inet" -f inet --
agree "-f inet6" -f inet6 --
agree "-A tcp" -A tcp --
agree "-A udp" -A udp --
agree "-A tcp,udp state listening" -A tcp,udp -- state listening
agree "-A inet dport = :5006" -A inet -- dport = :5006
agree "-A tcp,udp,!tcp" -A 'tcp,udp,!tcp' --
agree "-4 src 127/8" -4 -- src 127/8
agree "-6 dst [::]" -6 -- dst '[::]'
agree "-l" -l --
agree "-l src 127.0.0.1" -l -- src 127.0.0.1
printf '# a comment line, as ss reads them\nsport = :5006\n or dport = :5006\n' >"$T/filter"
agree "-F FILE (a comment line, two lines of filter)" -F "$T/filter" --
agree "-F FILE after words on the command line" -F "$T/filter" -- src 127.0.0.1 and

# ss's own checks contradict each other --------------------------------------
# ss runs its filter twice, in the kernel's bytecode and in user space, and
# keeps what both keep. The two disagree for an address of the other family
# (user space compares the bytes, whatever the family: dst 0.0.0.0/0 holds
# for every socket there) and for autobound (the kernel's bind lock, against
# user space's ephemeral port range): under "not", ss keeps what neither
# keeps. conntab follows the kernel, and "not X" is everything X is not.
complement() {
	local x=$1
	# shellcheck disable=SC2086
	run "$CT" -J -P $x
	jq -r "$JQ_KEYS" "$T/out" | sort >"$T/x"
	# shellcheck disable=SC2086
	run "$CT" -J -P not $x
	jq -r "$JQ_KEYS" "$T/out" | sort >"$T/notx"
	run "$CT" -J -P
	jq -r "$JQ_KEYS" "$T/out" | sort >"$T/all"
	sort -m "$T/x" "$T/notx" >"$T/both"
	# shellcheck disable=SC2086
	ss_keys not $x >"$T/ssnot" 2>/dev/null
	check "not $x: the complement of $x ($(wc -l <"$T/notx") + $(wc -l <"$T/x") = $(wc -l <"$T/all"); ss keeps $(wc -l <"$T/ssnot"))" \
		"$(diff "$T/all" "$T/both" | head -3 | tr '\n' ' ')" cmp -s "$T/all" "$T/both"
}
flag=
agree "dst 0.0.0.0/0 (ss agrees without not)" -- dst 0.0.0.0/0
complement "dst 0.0.0.0/0"
agree "src ::/0 (ss agrees without not)" -- src ::/0
complement "src ::/0"
complement "autobound"
# autobound is the kernel's word, not the port's: a port bound by hand in
# the ephemeral range is not autobound; one chosen at connect or at
# bind(0) is.
INRANGE=$(awk '$NF == "explicit-inrange" { print $3 }' "$XF")
run "$CT" -J -P autobound and src "$INRANGE"
check "autobound leaves out $INRANGE, bound by hand in the ephemeral range" "$(last_run)" \
	test "$rc" = 0 -a "$(jq length "$T/out")" = 0
run "$CT" -J -P autobound and dport = :5046
check "autobound: the three kernel-chosen clients of :5046 (connect, bind 0, udp)" "$(last_run): $(jq -c '[.[] | .lport]' "$T/out")" \
	test "$(jq length "$T/out")" = 3

# What conntab refuses where ss reads left to right ---------------------------
run "$CT" sport = :443 or dport = :443 and dst 127.0.0.5
check "or mixed with and: exit 2, one line with both readings" "$(last_run)" \
	test "$rc" = 2 -a "$(wc -l <"$T/err")" = 1 -a ! -s "$T/out"
check "... ss's reading and the usual one" "$(head -c 300 "$T/err")" grep -qF \
	"ss reads '(sport = :443 or dport = :443) and dst 127.0.0.5', others 'sport = :443 or (dport = :443 and dst 127.0.0.5)'" "$T/err"
agree "( sport = :5006 or dport = :5006 ) and dst 127.0.0.1, the reading ss makes" -- \
	'(' sport = :5006 or dport = :5006 ')' and dst 127.0.0.1
run "$CT" state established dport = :5006 or sport = :5006
check "state words, then or: ss applies the states to all the rest; conntab asks" "$(last_run)" \
	grep -qF "ss reads 'state established (dport = :5006 or sport = :5006)'" "$T/err"

# ss's options and words conntab cannot honour: one line, exit 2 ------------
bad() {
	local desc=$1
	shift
	run "$CT" "$@"
	check "$desc: exit 2, one 'conntab:' line" "$(last_run)" \
		test "$rc" = 2 -a ! -s "$T/out" -a "$(wc -l <"$T/err")" = 1 -a \
		"$(grep -c '^conntab: ' "$T/err")" = 1
}
bad "-f unix (a family conntab does not show)" -f unix
bad "-f bogus" -f bogus
bad "-A raw (a table conntab does not show)" -A raw
bad "-A tcp,bogus" -A tcp,bogus
bad "-A 'tcp,!tcp' (no table left)" -A 'tcp,!tcp'
bad "-F a file that is not there" -F "$T/no-such-filter-file"
bad "-F twice" -F "$T/filter" -F "$T/filter"
printf 'sport = :5006 or dport = :5006\n and src 127.0.0.1\n' >"$T/badfilter"
bad "-F FILE with or mixed with and" -F "$T/badfilter"
check "... the column counts the file's lines joined by blanks" "$(head -c 200 "$T/err")" \
	grep -q "^conntab: filter: 'or' at column 15 " "$T/err"
bad "dev with a device this namespace lacks" dev no-such-dev0
bad "cgroup with a directory that is not there" cgroup /no/such/cgroup-$$
bad "fwmark with no value" fwmark
bad "src localhost (no name is resolved)" src localhost
run "$CT" -J -P -F - <<<'dport = :5006'
check "-F - reads the filter from standard input" "$(last_run)" \
	test "$rc" = 0 -a "$(jq length "$T/out")" -ge 1
run "$CT" -P -m -H sport = :5010
check "-m: the socket memory columns of ss -m, a UDP socket's drops last" "$(last_run): $(head -c 200 "$T/out")" \
	test "$(awk '{ print NF }' "$T/out")" = 15
run "$CT" -P -J -m sport = :5010
check "-m -J: the memory keys, numbers" "$(head -c 300 "$T/out")" \
	jqe '.[0] | (.rmem_alloc | type) == "number" and (.rcvbuf > 0) and (.drops | type) == "number"' "$T/out"

# The timer and tcp_info of ss -o and ss -i, as fields ------------------------
run "$CT" -P -J -o local,timer,expires,timer_retrans state time-wait
check "timer: the TIME_WAIT socket's timewait timer, and when it fires" "$(head -c 300 "$T/out")" \
	jqe '.[0].timer == "timewait" and .[0].expires > 0 and .[0].expires <= 60000' "$T/out"
run "$CT" -P -J -o local,cong,mss,pmtu,rto,min_rtt,app_limited dport = :5006
ss -tniH dport = :5006 >"$T/ssi"
grep -oE '(^|[[:space:]])mss:[0-9]+' "$T/ssi" | cut -d: -f2 | sort >"$T/ssmss"
jq -r '.[].mss' "$T/out" | sort >"$T/ctmss"
check "cong, mss, pmtu: what ss -i prints, without -i" "$(head -c 300 "$T/out")" \
	jqe 'length == 5 and all(.[]; .cong != null and .pmtu > 0 and .rto > 0 and (.app_limited | type) == "boolean")' "$T/out"
check "... the MSS of each connection as ss -i prints it ($(tr '\n' ' ' <"$T/ssmss"))" "$(tr '\n' ' ' <"$T/ctmss")" \
	cmp -s "$T/ssmss" "$T/ctmss"
check "... the congestion control is the one ss names" "$(head -c 200 "$T/ssi")" \
	grep -qw "$(jq -r '.[0].cong' "$T/out")" "$T/ssi"

# The fields the words test show what they selected ---------------------------
run "$CT" -P -H -o local,dev,fwmark,cgroup sport = :5040 or sport = :5043 or sport = :5044
check "dev, fwmark, cgroup: lo for :5040" "$(cat "$T/out" | tr '\n' '|')" \
	grep -qE '^127\.0\.0\.1:5040 +lo +0x0 ' "$T/out"
check "... 0x2a for :5043's listener" "$(cat "$T/out" | tr '\n' '|')" \
	grep -qE '^127\.0\.0\.1:5043 +- +0x2a ' "$T/out"
if [ -n "$CGREL" ]; then
	check "... the test's cgroup for :5044" "$(cat "$T/out" | tr '\n' '|')" \
		grep -qE "^127\.0\.0\.1:5044 +- +0x0 +$CGREL\$" "$T/out"
fi
if [ -n "$DEV" ]; then
	run "$CT" -P -H -o local,dev dev "$DEV"
	check "dev $DEV: the two sockets bound to it, named" "$(cat "$T/out" | tr '\n' '|')" \
		test "$(grep -c " $DEV\$" "$T/out")" = 2
fi
run "$CT" -P -J -o local,fwmark fwmark 0x12a
check "fwmark 0x12a: the marked client of :5043, its mark in JSON" "$(head -c 200 "$T/out")" \
	jqe 'length == 1 and .[0].fwmark == "0x12a"' "$T/out"

it_finish
