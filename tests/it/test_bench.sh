#!/usr/bin/env bash
# Issue 6, "make bench": no timing here, only that the benchmark's helpers
# do what bench/run.sh and bench/RESULTS.md say.  bench/populate builds the
# promised population at a small N (counted by ss, and by conntab, which must
# agree), bench/floor counts the same sockets as ss, and populate ends every
# holder on SIGTERM.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
N=300

# The bench helpers live in bench/, not tests/it/: build them here.
for b in populate floor nspop; do
	if ! ${CC:-cc} -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -O1 \
	    -o "$T/$b" "$IT_TOP/bench/$b.c" 2>"$T/cc.err"; then
		notok "bench/$b.c builds" "$(head -c 200 "$T/cc.err")"
		it_finish
		exit
	fi
done
ok "bench/populate.c, bench/floor.c and bench/nspop.c build"

run "$T/populate" 12x
check "populate rejects a bad N with one line and status 1" "$(last_run)" \
	test "$rc" = 1 -a "$(wc -l <"$T/err")" = 1

"$T/populate" "$N" >"$T/pop.out" 2>"$T/pop.err" &
POP=$!
IT_PIDS+=("$POP")
for i in $(seq 300); do
	grep -q '^READY' "$T/pop.out" && break
	kill -0 "$POP" 2>/dev/null || break
	sleep 0.05
done
if ! grep -q '^READY' "$T/pop.out"; then
	notok "populate $N gets READY" "$(tail -c 200 "$T/pop.err")"
	it_finish
	exit
fi
P=$(awk '/^READY/ { print $2 }' "$T/pop.out")
ok "populate $N gets READY (port $P)"

# Every TIME_WAIT socket passes through FIN_WAIT2 on its way: wait for
# the closing handshakes to settle before counting.
for i in $(seq 100); do
	[ "$(ss -tanH state fin-wait-2 state fin-wait-1 state last-ack | wc -l)" = 0 ] && break
	sleep 0.05
done
ss -tanH | awk '{ n[$1]++ } END { for (s in n) print s, n[s] }' | sort >"$T/states"
# N pairs and the special listener's 9; one holder: 2 listeners, + 8 idle,
# + the special and the TIME_WAIT source.
printf '%s\n' "ESTAB $((2 * N + 18))" "LISTEN 12" "TIME-WAIT 1000" | sort >"$T/expstates"
if cmp -s "$T/states" "$T/expstates"; then
	ok "ss counts $((2 * N + 18)) established, 12 listening, 1000 TIME_WAIT"
else
	notok "ss counts the promised TCP states" "$(tr '\n' ' ' <"$T/states")"
fi
check "ss counts 1000 UDP sockets, 2 of them unconnected" \
	"$(ss -uanH | awk '{ print $1 }' | sort | uniq -c | tr '\n' ' ')" \
	test "$(ss -uanH | wc -l)" = 1000 -a "$(ss -uanH state unconnected | wc -l)" = 2
check "ss finds 10 sockets with local port $P" "$(ss -tanH "sport = :$P" | wc -l)" \
	test "$(ss -tanH "sport = :$P" | wc -l)" = 10
check "1 pair in 8 is over ::1" "$(ss -tanH state established | grep -c '\[::1\]')" \
	test "$(ss -tanH state established | grep -c '\[::1\]:')" = $((2 * (N / 8)))

# conntab sees the same population (the table has a header line).
run "$CT" -P -H -o proto,state
sort "$T/out" | uniq -c | awk '{ print $2, $3, $1 }' >"$T/ctstates"
printf '%s\n' "tcp ESTABLISHED $((2 * N + 18))" "tcp LISTEN 12" \
	"tcp TIME_WAIT 1000" "udp ESTABLISHED 998" "udp UNCONN 2" | sort >"$T/expct"
check "conntab counts the same population as ss" "$(tr '\n' ' ' <"$T/ctstates")" \
	cmp -s "$T/ctstates" "$T/expct"
run "$CT" -H -t -o state,pid
awk '$1 == "ESTABLISHED" { print $2 }' "$T/out" >"$T/estpids"
check "every established socket has an owner: populate or its holder" \
	"$(sort "$T/estpids" | uniq -c | tr '\n' ' ')" \
	test "$(grep -c '^[0-9]' "$T/estpids")" = $((2 * N + 18)) -a \
	"$(sort -u "$T/estpids" | wc -l)" = 2

# The floors count what ss counts.
total=$(ss -tuanH | wc -l)
run "$T/floor" dump
check "floor dump counts every socket ss lists ($total)" "$(cat "$T/out")" \
	test "$rc" = 0 -a "$(awk '{ print $1 }' "$T/out")" = "$total"
run "$T/floor" dump-info
check "floor dump-info counts them too" "$(cat "$T/out")" \
	test "$rc" = 0 -a "$(awk '{ print $1 }' "$T/out")" = "$total"
run "$T/floor" dump-sport "$P"
check "floor dump-sport $P: the kernel keeps 10" "$(cat "$T/out")" \
	test "$rc" = 0 -a "$(awk '{ print $1 }' "$T/out")" = 10
run "$T/floor" proc
check "floor proc finds at least the namespace's socket descriptors" "$(cat "$T/out")" \
	test "$rc" = 0 -a "$(awk '{ print $1 }' "$T/out")" -ge $((total - 1000))
# floor iter: built only with conntab's BPF skeleton, run where it loads
SKEL=$IT_TOP/build/bpf/owners.lskel.h
if [ -f "$SKEL" ] && ${CC:-cc} -std=gnu11 -D_GNU_SOURCE -DCT_HAVE_BPF \
	-isystem "$IT_TOP/build/bpf" -O1 -o "$T/floor_iter" "$IT_TOP/bench/floor.c" 2>"$T/cc.err" &&
	"$T/floor_iter" iter >/dev/null 2>&1; then
	run "$T/floor_iter" iter
	check "floor iter finds at least the namespace's socket descriptors too" "$(cat "$T/out")" \
		test "$rc" = 0 -a "$(awk '{ print $1 }' "$T/out")" -ge $((total - 1000))
else
	echo "# floor iter: no BPF skeleton here, or it does not load"
fi

# SIGTERM ends populate and every holder, with status 0.
# The children of a pid, from /proc (procps may not be installed).
children() {
	local f s ppid
	for f in /proc/[0-9]*/stat; do
		s=$(cat "$f" 2>/dev/null) || continue
		read -r _ ppid _ <<<"${s##*) }"
		[ "$ppid" = "$1" ] && { f=${f#/proc/}; echo "${f%/stat}"; }
	done
}
HOLDERS=$(children "$POP" | tr '\n' ' ')
kill -TERM "$POP"
wait "$POP"
st=$?
check "populate exits 0 on SIGTERM" "status $st" test "$st" = 0
alive=
for h in $HOLDERS; do kill -0 "$h" 2>/dev/null && alive="$alive $h"; done
check "no holder outlives populate" "still there:$alive" test -z "$alive" -a -n "$HOLDERS"

# The --all-netns rows: nspop's namespaces of 10 sockets each, counted by
# the serial floor, by ss inside each, and by conntab.
NSD=$T/netns
mkdir "$NSD"
"$T/nspop" "$NSD" "ctb$$" 6 >"$T/nspop.out" 2>"$T/nspop.err" &
NSP=$!
IT_PIDS+=("$NSP")
for i in $(seq 200); do
	grep -q '^READY 6' "$T/nspop.out" && break
	kill -0 "$NSP" 2>/dev/null || break
	sleep 0.05
done
check "nspop 6 gets READY" "$(tail -c 200 "$T/nspop.err")" grep -q '^READY 6' "$T/nspop.out"
run "$T/floor" netns "$NSD"
check "floor netns: 60 sockets in 6 namespaces" "$(cat "$T/out")" \
	test "$rc" = 0 -a "$(awk '{ print $1, $4 }' "$T/out")" = "60 6"
n=0
for f in "$NSD"/*; do n=$((n + $(nsenter --net="$f" ss -tuanH | wc -l))); done
check "ss inside each counts the same 60" "$n" test "$n" = 60
run "$CT" --all-netns -P -H -o netns,state "netns ctb$$-*"
check "conntab --all-netns: 10 sockets in each of the 6, in 3 states (LISTEN, ESTABLISHED, UNCONN)" \
	"$(cut -d' ' -f1 "$T/out" | sort | uniq -c | tr '\n' ' ')" \
	test "$(wc -l <"$T/out")" = 60 -a "$(sort -u "$T/out" | wc -l)" = 18
kill -TERM "$NSP"
wait "$NSP"
st=$?
check "nspop exits 0 on SIGTERM and takes its namespaces away" "status $st, left: $(ls "$NSD")" \
	test "$st" = 0 -a -z "$(ls "$NSD")"

it_finish
