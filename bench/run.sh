#!/bin/bash
# bench/run.sh: conntab against ss and netstat on a large socket population,
# in a private network namespace.  `make bench` builds everything and runs
# this; by hand: CONNTAB=./conntab BENCH_BIN=build/bench bash bench/run.sh
#
# Environment (all optional):
#   BENCH_N           established TCP pairs (2N sockets); default 100000
#   BENCH_RUNS        timed runs of each command after one warm-up; default 5
#   BENCH_SLOW_RUNS   timed runs of the slow ones (ss -tanp, netstat -tanp,
#                     the live view), without warm-up; default 3
#   BENCH_WATCH_SECS  how long each live-view run lasts; default 30, or 5
#                     when BENCH_N < 20000
#   BENCH_TIMEOUT     a run that takes longer is killed; default 600 s
#   BENCH_OUT         the report; default bench/RESULTS.md
#   BENCH_NETNS       sizes of the --all-netns rows: how many namespaces of
#                     10 sockets each, one row set per size; default
#                     "100 250"; "0" leaves the rows out
#   BENCH_CHURN_RATE  the close-event row: short connections per second on
#                     one port (each opens, carries 100 bytes, closes);
#                     default 10000; 0 leaves the row out
#   BENCH_CHURN_SECS  how long that lasts; default 30, or 5 when
#                     BENCH_N < 20000
#
# Commands alternate: each round runs every command once, starting one
# further along the list each time, so that a burst of load elsewhere on
# the machine spreads over all of them.  Needs root (a network namespace,
# and ss -p/netstat -p must see every process).
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${BENCH_N:=100000}"
: "${BENCH_RUNS:=5}"
: "${BENCH_SLOW_RUNS:=3}"
: "${BENCH_WATCH_SECS:=}"
: "${BENCH_TIMEOUT:=600}"
: "${BENCH_OUT:=$TOP/bench/RESULTS.md}"
: "${BENCH_NETNS:=100 250}"
: "${BENCH_CHURN_RATE:=10000}"
: "${BENCH_CHURN_SECS:=}"
: "${CONNTAB:=$TOP/conntab}"
: "${BENCH_BIN:=$TOP/build/bench}"

die() {
	echo "bench: $*" >&2
	exit 1
}

isnum() {
	case $1 in '' | *[!0-9]*) return 1 ;; esac
}

[ -n "$BENCH_CHURN_SECS" ] && [ -z "${BENCH_IN_NS:-}" ] && BENCH_CHURN_SECS_GIVEN=1
if [ -z "$BENCH_CHURN_SECS" ]; then
	BENCH_CHURN_SECS=30
	[ "$BENCH_N" -lt 20000 ] && BENCH_CHURN_SECS=5
fi
for v in BENCH_N BENCH_RUNS BENCH_SLOW_RUNS BENCH_TIMEOUT BENCH_CHURN_RATE \
    BENCH_CHURN_SECS; do
	isnum "${!v}" || die "$v must be a whole number, not '${!v}'"
done
for v in $BENCH_NETNS; do
	isnum "$v" && [ "$v" -le 5000 ] || die "BENCH_NETNS must be sizes of 0 to 5000, not '$BENCH_NETNS'"
done
[ "$BENCH_RUNS" -ge 1 ] && [ "$BENCH_SLOW_RUNS" -ge 1 ] ||
	die "BENCH_RUNS and BENCH_SLOW_RUNS must be at least 1"
if [ -z "$BENCH_WATCH_SECS" ]; then
	BENCH_WATCH_SECS=30
	[ "$BENCH_N" -lt 20000 ] && BENCH_WATCH_SECS=5
fi
isnum "$BENCH_WATCH_SECS" && [ "$BENCH_WATCH_SECS" -ge 2 ] ||
	die "BENCH_WATCH_SECS must be a whole number of seconds, at least 2"

if [ -z "${BENCH_IN_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || die "needs root: it builds its sockets in a private network namespace (unshare -n), and ss -p and netstat -p must see every process; run it as root"
	for t in unshare ip ss python3; do
		command -v "$t" >/dev/null || die "'$t' is missing (see the README's install command)"
	done
	for b in "$CONNTAB" "$BENCH_BIN/populate" "$BENCH_BIN/floor" "$BENCH_BIN/timeit" \
	    "$BENCH_BIN/nspop" "$BENCH_BIN/churn"; do
		[ -x "$b" ] || die "no executable $b: run 'make bench'"
	done
	unshare -n true 2>/dev/null || die "unshare -n fails: no network namespaces here?"
	# The command that reproduces this run, for the report.
	cmd="make bench BENCH_N=$BENCH_N"
	for v in BENCH_RUNS BENCH_SLOW_RUNS BENCH_WATCH_SECS BENCH_TIMEOUT; do
		[ -n "${!v}" ] && cmd="$cmd $v=${!v}"
	done
	[ "$BENCH_NETNS" = "100 250" ] || cmd="$cmd BENCH_NETNS='$BENCH_NETNS'"
	[ "$BENCH_CHURN_RATE" = 10000 ] || cmd="$cmd BENCH_CHURN_RATE=$BENCH_CHURN_RATE"
	[ -n "${BENCH_CHURN_SECS_GIVEN:-}" ] && cmd="$cmd BENCH_CHURN_SECS=$BENCH_CHURN_SECS"
	export BENCH_N BENCH_RUNS BENCH_SLOW_RUNS BENCH_WATCH_SECS BENCH_TIMEOUT \
		BENCH_OUT CONNTAB BENCH_BIN BENCH_NETNS BENCH_CHURN_RATE BENCH_CHURN_SECS
	# A namespace normally shares the host's TCP hash, so every dump (ours
	# and the peers') would also walk whatever sockets other namespaces
	# hold. The bench namespace gets a hash of its own, as large as the
	# host's (so a walk costs what it costs on a real host): the sysctl is
	# set in an intermediate namespace, so the host's own is untouched.
	ehash=$(sysctl -n net.ipv4.tcp_ehash_entries 2>/dev/null)
	ehash=${ehash#-}
	export BENCH_EHASH=${ehash:-shared}
	BENCH_CMD=$cmd BENCH_IN_NS=1 exec unshare -n -- bash -c '
		[ "$BENCH_EHASH" = shared ] ||
			sysctl -qw net.ipv4.tcp_child_ehash_entries="$BENCH_EHASH" ||
			BENCH_EHASH=shared
		exec unshare -n -m --propagation private -- bash "$@"' bash "${BASH_SOURCE[0]}" "$@"
	die "cannot run unshare"
fi

# ---- inside the namespace ---------------------------------------------------

ip link set lo up || die "cannot bring lo up"
[ -z "$(ss -tuanH)" ] || die "the new network namespace is not empty"

TMP=$(mktemp -d /tmp/conntab-bench.XXXXXX) || die "mktemp"
POP_PID=
NSPOP_PID=
NETNS_MNT=

# The --all-netns population: it unmounts and removes its namespaces itself.
stop_nspop() {
	local i
	[ -n "$NSPOP_PID" ] || return 0
	kill -TERM "$NSPOP_PID" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$NSPOP_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$NSPOP_PID" 2>/dev/null
	wait "$NSPOP_PID" 2>/dev/null
	NSPOP_PID=
}

cleanup() {
	local i
	trap - EXIT INT TERM HUP
	if [ -n "$POP_PID" ] && kill -0 "$POP_PID" 2>/dev/null; then
		kill -TERM "$POP_PID" 2>/dev/null
		for i in $(seq 100); do
			kill -0 "$POP_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$POP_PID" 2>/dev/null	# its holders die with it
	fi
	stop_nspop
	[ -n "${CHURN_PID:-}" ] && kill -TERM "$CHURN_PID" 2>/dev/null
	[ -n "$NETNS_MNT" ] && umount "$NETNS_MNT" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- the population ---------------------------------------------------------

echo "bench: building $BENCH_N TCP pairs and the rest in a private namespace" >&2
# A process group of its own (set -m), so that Ctrl-C reaches the command
# being timed and this script, whose trap then ends populate in order.
set -m
"$BENCH_BIN/populate" "$BENCH_N" >"$TMP/pop.out" 2>"$TMP/pop.err" &
POP_PID=$!
set +m
for i in $(seq 3000); do
	grep -q '^READY' "$TMP/pop.out" && break
	kill -0 "$POP_PID" 2>/dev/null ||
		die "populate failed: $(tail -n 3 "$TMP/pop.err")"
	sleep 0.1
done
grep -q '^READY' "$TMP/pop.out" || die "populate is not ready after 300 s"
P=$(awk '/^READY/ { print $2 }' "$TMP/pop.out")
sed 's/^populate: //' "$TMP/pop.err" >&2

# What the namespace holds, counted by ss: state and count per line.
{
	ss -tanH | awk '{ n[$1]++ } END { for (s in n) print "tcp " s, n[s] }'
	ss -uanH | awk '{ n[$1]++ } END { for (s in n) print "udp " s, n[s] }'
} | sort >"$TMP/census"

# ---- the commands -----------------------------------------------------------

# The filter language may still be a stub that knows only ':PORT'.
FILTER=(sport ":$P")
"$CONNTAB" -P "${FILTER[@]}" >/dev/null 2>&1
[ $? = 2 ] && FILTER=(":$P")
FILTER_TEXT=${FILTER[*]}
# The live view may not exist yet on this branch.
WATCH=0
"$CONNTAB" --help 2>&1 | grep -qE -- '(^|[^a-z])-w[ ,]|--watch' && WATCH=1
HAVE_NETSTAT=0
command -v netstat >/dev/null && HAVE_NETSTAT=1
# Owners come from the BPF iterator where conntab loads it (its floor is
# then the iterator alone), else from the /proc walk (floor: the scan).
HAVE_ITER=0
OWN_FLOOR=floor_proc
if "$BENCH_BIN/floor" iter >/dev/null 2>&1 &&
	CONNTAB_DEBUG=1 "$CONNTAB" -t 2>&1 >/dev/null | grep -q 'owners from the BPF iterator'; then
	HAVE_ITER=1
	OWN_FLOOR=floor_iter
fi

# case_add ID KIND RUNS SECTION LABEL REF -- CMD...
#   KIND: floor, conntab or peer; RUNS: fast or slow; REF: what the report
#   compares it with (see report.py).  cases.tsv holds one line per case.
IDS=()
declare -A CMD
case_add() {
	local id=$1 kind=$2 runs=$3 section=$4 label=$5 ref=$6
	shift 7
	IDS+=("$id")
	CMD[$id]=$(printf '%q ' "$@")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$kind" "$runs" "$section" \
		"$label" "$ref" >>"$TMP/cases.tsv"
}

CT=$CONNTAB
FL=$BENCH_BIN/floor
: >"$TMP/cases.tsv"
case_add floor_dump floor fast floors "floor: one dump, count replies" - -- "$FL" dump
case_add floor_info floor fast floors "floor: one dump with tcp_info" - -- "$FL" dump-info
case_add floor_sport floor fast floors "floor: one dump, kernel keeps sport $P" - -- "$FL" dump-sport "$P"
case_add floor_proc floor fast floors "floor: /proc/*/fd scan, socket inodes" - -- "$FL" proc
[ $HAVE_ITER = 1 ] && case_add floor_iter floor fast floors "floor: BPF iterator, socket inodes" - -- "$FL" iter

case_add ct_P conntab fast list "conntab -P" "floor=floor_dump;peer=ss_tan" -- "$CT" -P
case_add ss_tan peer fast list "ss -tan" - -- ss -tan
[ $HAVE_NETSTAT = 1 ] && case_add ns_tan peer fast list "netstat -tan" - -- netstat -tan

case_add ct conntab fast owners "conntab" "floor=floor_dump+$OWN_FLOOR;peer=ss_tanp;ref=ct_P" -- "$CT"
# The /proc walk (on every core) where the iterator would have served.
case_add ct_proc conntab fast owners "CONNTAB_OWNERS=proc conntab" "floor=floor_dump+floor_proc;peer=ss_tanp;ref=ct_P" -- \
	env CONNTAB_OWNERS=proc "$CT"
case_add ss_tanp peer slow owners "ss -tanp" - -- ss -tanp
[ $HAVE_NETSTAT = 1 ] && case_add ns_tanp peer slow owners "netstat -tanp" - -- netstat -tanp

# ss -tani shows no owners, conntab -i does: conntab -P -i is the like.
case_add ct_Pi conntab fast info "conntab -P -i" "floor=floor_info;peer=ss_tani" -- "$CT" -P -i
case_add ct_i conntab fast info "conntab -i" "floor=floor_info+$OWN_FLOOR;peer=ss_tani" -- "$CT" -i
case_add ss_tani peer fast info "ss -tani" - -- ss -tani

case_add ct_fP conntab fast filter "conntab -P $FILTER_TEXT" "floor=floor_sport;peer=ss_f;ref=ct_P" -- "$CT" -P "${FILTER[@]}"
case_add ss_f peer fast filter "ss -tan 'sport = :$P'" - -- ss -tan "sport = :$P"
# The same filter judged in user space only: what the push-down saves.
case_add ct_fP_nopd conntab fast filter "conntab -P $FILTER_TEXT, no push-down" "floor=floor_dump;ref=ct_P" -- \
	env CONNTAB_NO_PUSHDOWN=1 "$CT" -P "${FILTER[@]}"
case_add ct_f conntab fast filter "conntab $FILTER_TEXT" "floor=floor_sport+$OWN_FLOOR;peer=ss_fp" -- "$CT" "${FILTER[@]}"
case_add ss_fp peer fast filter "ss -tanp 'sport = :$P'" - -- ss -tanp "sport = :$P"

case_add ct_g conntab fast group "conntab -g raddr" "floor=floor_dump;peer=ct_P" -- "$CT" -g raddr

# The metrics are the summary's figures and two counts more (issue 14).
case_add ct_s conntab fast export "conntab -s" "floor=floor_dump+floor_proc" -- "$CT" -s
case_add ct_prom conntab fast export "conntab --format prometheus" "floor=floor_dump+floor_proc;peer=ct_s" -- \
	"$CT" --format prometheus

if [ $WATCH = 1 ]; then
	# The view as SPEC §7 uses it, on one port (the target), and over the
	# whole table, which the dump floor alone puts above 0.15 s per refresh.
	case_add watch_f conntab slow watch "conntab -w -d 1 :$P (event stream, ${BENCH_WATCH_SECS} s)" \
		"floor=floor_sport;refresh=1" -- timeout "$BENCH_WATCH_SECS" "$CT" -w -d 1 ":$P"
	case_add watch conntab slow watch "conntab -w -d 1 (event stream, ${BENCH_WATCH_SECS} s)" \
		"floor=floor_dump;refresh=1" -- timeout "$BENCH_WATCH_SECS" "$CT" -w -d 1
	# The same with owners from the /proc cache instead of the iterator:
	# which of the two a refresh should use.
	[ $HAVE_ITER = 1 ] && case_add watch_proc conntab slow watch \
		"CONNTAB_OWNERS=proc conntab -w -d 1 (event stream, ${BENCH_WATCH_SECS} s)" \
		"floor=floor_dump;refresh=1" -- timeout "$BENCH_WATCH_SECS" \
		env CONNTAB_OWNERS=proc "$CT" -w -d 1
fi

# ---- the runs ---------------------------------------------------------------

: >"$TMP/samples.tsv"
: >"$TMP/rows.tsv"
: >"$TMP/fail.tsv"

run_one() {	# run_one ID ROUND
	local id=$1 r=$2 line st
	eval "set -- ${CMD[$id]}"
	line=$("$BENCH_BIN/timeit" -t "$BENCH_TIMEOUT" -e "$TMP/$id.err" "$@") ||
		die "timeit failed on $id"
	st=${line##* }
	# Ctrl-C (or SIGQUIT) ended the command: stop here
	case $st in 130 | 131) echo "bench: interrupted" >&2; exit 130 ;; esac
	# timeout(1) ends the live view with status 124: that is the plan
	if [ "$st" != 0 ] && ! { [[ $id == watch* ]] && [ "$st" = 124 ]; }; then
		printf '%s\t%s\t%s\n' "$id" "$r" "$st" >>"$TMP/fail.tsv"
		echo "bench: $id round $r: status $st: $(tail -n 1 "$TMP/$id.err" 2>/dev/null)" >&2
	fi
	printf '%s\t%s\t%s\n' "$id" "$r" "${line// /$'\t'}" >>"$TMP/samples.tsv"
}

FAST=()
SLOW=()
for id in "${IDS[@]}"; do
	if [ "$(awk -F'\t' -v id="$id" '$1 == id { print $3 }' "$TMP/cases.tsv")" = slow ]; then
		SLOW+=("$id")
	else
		FAST+=("$id")
	fi
done

# Warm-up: every fast command once, untimed, its rows counted.
echo "bench: warm-up" >&2
for id in "${FAST[@]}"; do
	eval "set -- ${CMD[$id]}"
	if [ "${id#floor_}" != "$id" ]; then	# a floor prints its count
		rows=$(timeout "$BENCH_TIMEOUT" "$@" 2>/dev/null | awk '{ print $1; exit }')
	else
		rows=$(timeout "$BENCH_TIMEOUT" "$@" 2>/dev/null | wc -l)
	fi
	printf '%s\t%s\n' "$id" "$rows" >>"$TMP/rows.tsv"
done

rounds=$BENCH_RUNS
[ "$BENCH_SLOW_RUNS" -gt "$rounds" ] && rounds=$BENCH_SLOW_RUNS
nf=${#FAST[@]}
T0=$SECONDS
for ((r = 1; r <= rounds; r++)); do
	echo "bench: round $r of $rounds ($((SECONDS - T0)) s so far)" >&2
	if [ "$r" -le "$BENCH_RUNS" ]; then
		for ((k = 0; k < nf; k++)); do
			run_one "${FAST[$(((k + r - 1) % nf))]}" "$r"
		done
	fi
	if [ "$r" -le "$BENCH_SLOW_RUNS" ]; then
		for id in "${SLOW[@]}"; do
			run_one "$id" "$r"
		done
	fi
	kill -0 "$POP_PID" 2>/dev/null || die "populate died: $(tail -n 3 "$TMP/pop.err")"
done

# ---- every namespace at once (--all-netns) -----------------------------------

# Namespaces as a host of pods has them: each with the same listener on
# 127.0.0.1:8080, 4 connections and a UDP socket, bind-mounted in a
# private /run/netns (this run's mount namespace is its own), so that
# `ip -all netns exec` sees these and no others. The big population is
# gone by now: --all-netns dumps every namespace, this one among them.
# Commands alternate as above, BENCH_RUNS timed rounds after a warm-up.
run_phase() {	# run_phase ID...
	local ids=("$@") n=$# r k id rows
	for id in "${ids[@]}"; do
		eval "set -- ${CMD[$id]}"
		if [ "${id%_floor}" != "$id" ]; then
			rows=$(timeout "$BENCH_TIMEOUT" "$@" 2>/dev/null | awk '{ print $1; exit }')
		else
			rows=$(timeout "$BENCH_TIMEOUT" "$@" 2>/dev/null | wc -l)
		fi
		printf '%s\t%s\n' "$id" "$rows" >>"$TMP/rows.tsv"
	done
	for ((r = 1; r <= BENCH_RUNS; r++)); do
		for ((k = 0; k < n; k++)); do
			run_one "${ids[$(((k + r - 1) % n))]}" "$r"
		done
	done
}

NETNS_SIZES=
if [ "$BENCH_NETNS" != 0 ] && [ -n "$BENCH_NETNS" ]; then
	# only the namespaces' sockets from here on
	kill -TERM "$POP_PID" 2>/dev/null
	wait "$POP_PID" 2>/dev/null
	POP_PID=
	mkdir -p /run/netns || die "mkdir /run/netns"
	mount -t tmpfs -o mode=755 ctbench /run/netns || die "cannot mount a tmpfs on /run/netns"
	NETNS_MNT=/run/netns
fi
for NSN in $BENCH_NETNS; do
	[ "$NSN" = 0 ] && continue
	echo "bench: $NSN network namespaces of 10 sockets" >&2
	"$BENCH_BIN/nspop" /run/netns "ctbench$$" "$NSN" >"$TMP/nspop.out" 2>"$TMP/nspop.err" &
	NSPOP_PID=$!
	for i in $(seq 3000); do
		grep -q '^READY' "$TMP/nspop.out" && break
		kill -0 "$NSPOP_PID" 2>/dev/null || die "nspop failed: $(tail -n 3 "$TMP/nspop.err")"
		sleep 0.1
	done
	grep -q '^READY' "$TMP/nspop.out" || die "nspop is not ready after 300 s"
	NETNS_SIZES="$NETNS_SIZES $NSN"
	s=netns$NSN
	case_add "ns${NSN}_floor" floor fast "$s" "floor: the $NSN dumps one after another" - -- \
		"$FL" netns /run/netns
	case_add "ns${NSN}_ct" conntab fast "$s" "conntab --all-netns -P" \
		"floor=ns${NSN}_floor;peer=ns${NSN}_ss" -- "$CT" --all-netns -P
	# the same namespaces as the floor and ss, the host's others left out
	# (not entered: the filter's netns term is judged before a dump)
	case_add "ns${NSN}_ctf" conntab fast "$s" "conntab --all-netns -P 'netns ctbench*'" \
		"floor=ns${NSN}_floor;peer=ns${NSN}_ss" -- "$CT" --all-netns -P "netns ctbench$$-*"
	case_add "ns${NSN}_ct1" conntab fast "$s" "conntab --all-netns -P, 1 thread" \
		"floor=ns${NSN}_floor;peer=ns${NSN}_ss" -- env CONNTAB_THREADS=1 "$CT" --all-netns -P
	case_add "ns${NSN}_ctp" conntab fast "$s" "conntab --all-netns (owners, labels)" \
		"floor=ns${NSN}_floor;peer=ns${NSN}_ss" -- "$CT" --all-netns
	case_add "ns${NSN}_ss" peer fast "$s" "ip -all netns exec ss -tuanH" - -- \
		ip -all netns exec ss -tuanH
	run_phase "ns${NSN}_floor" "ns${NSN}_ct" "ns${NSN}_ctf" "ns${NSN}_ct1" \
		"ns${NSN}_ctp" "ns${NSN}_ss"
	stop_nspop
done

# ---- close events under churn ------------------------------------------------

# The event stream of one port while short connections open and close at
# BENCH_CHURN_RATE a second for BENCH_CHURN_SECS (bench/churn, paced, one
# thread, loopback): the CPU it takes, and the close events it wrote
# against the connections made (two ends each). The population is gone
# first: this row is about the events, not the samples' dumps.
churn_phase() {
	local cp=$((P + 7)) line made evs lost lostn i
	[ -n "${POP_PID:-}" ] && { kill -TERM "$POP_PID" 2>/dev/null; wait "$POP_PID" 2>/dev/null; POP_PID=; }
	echo "bench: $BENCH_CHURN_RATE short connections/s for $BENCH_CHURN_SECS s" >&2
	mkfifo "$TMP/churn.go"
	"$BENCH_BIN/churn" -r "$BENCH_CHURN_RATE" -t "$BENCH_CHURN_SECS" "$cp" 0 100 \
		<"$TMP/churn.go" >"$TMP/churn.out" 2>"$TMP/churn.err" &
	CHURN_PID=$!
	exec 8>"$TMP/churn.go"
	for i in $(seq 100); do grep -qx READY "$TMP/churn.out" && break; sleep 0.1; done
	# the stream, timed by timeit through sh, whose rusage holds conntab's
	"$BENCH_BIN/timeit" -t "$BENCH_TIMEOUT" -e "$TMP/churn_ct.err" sh -c \
		'exec timeout -s INT "$1" "$2" -w -d 1 --format json ":$3" >"$4"' \
		sh "$((BENCH_CHURN_SECS + 4))" "$CONNTAB" "$cp" "$TMP/churn.json" \
		>"$TMP/churn.time" &
	local tpid=$!
	# it has joined the destroy groups: a sock_diag socket with groups
	for i in $(seq 100); do
		awk 'NR > 1 && $2 == 4 && $4 != "00000000" { f = 1 } END { exit !f }' \
			/proc/net/netlink && break
		sleep 0.1
	done
	sleep 1
	echo go >&8
	exec 8>&-
	wait "$CHURN_PID"
	CHURN_PID=
	wait "$tpid"
	line=$(cat "$TMP/churn.time")
	made=$(awk '$1 == "done" { print $2 }' "$TMP/churn.out")
	evs=$(grep -c '"event":"close".*"rport":'"$cp"',\|"event":"close".*"lport":'"$cp"',"raddr":"' "$TMP/churn.json")
	lost=$(grep -c '"event":"lost"' "$TMP/churn.json")
	lostn=$(sed -n 's/.*"event":"lost","lost":\([0-9]*\).*/\1/p' "$TMP/churn.json" |
		awk '{ s += $1 } END { print s + 0 }')
	{
		printf 'rate\t%s\n' "$BENCH_CHURN_RATE"
		printf 'secs\t%s\n' "$BENCH_CHURN_SECS"
		printf 'made\t%s\n' "${made:-0}"
		printf 'events\t%s\n' "$evs"
		printf 'lost_lines\t%s\n' "$lost"
		printf 'lost\t%s\n' "$lostn"
		printf 'time\t%s\n' "$line"
		printf 'churn_err\t%s\n' "$(head -c 200 "$TMP/churn.err" | tr '\n\t' '  ')"
	} >"$TMP/churn.tsv"
}
[ "$BENCH_CHURN_RATE" != 0 ] && churn_phase

# ---- the report -------------------------------------------------------------

{
	printf 'n\t%s\n' "$BENCH_N"
	printf 'port\t%s\n' "$P"
	printf 'runs\t%s\n' "$BENCH_RUNS"
	printf 'slow_runs\t%s\n' "$BENCH_SLOW_RUNS"
	printf 'watch_secs\t%s\n' "$BENCH_WATCH_SECS"
	printf 'watch\t%s\n' "$WATCH"
	printf 'iter\t%s\n' "$HAVE_ITER"
	printf 'filter\t%s\n' "$FILTER_TEXT"
	printf 'command\t%s\n' "${BENCH_CMD:-bash bench/run.sh}"
	printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf 'kernel\t%s\n' "$(uname -srm)"
	printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	printf 'cores\t%s\n' "$(nproc)"
	printf 'memory\t%s\n' "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	printf 'load\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'conntab\t%s\n' "$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)"
	printf 'ss\t%s\n' "$(ss -V 2>&1 | head -n 1)"
	printf 'netstat\t%s\n' "$( (netstat -V 2>&1 || true) | head -n 1)"
	printf 'populate\t%s\n' "$(sed -n 's/^populate: //p' "$TMP/pop.err" | head -n 1)"
	printf 'ehash\t%s\n' "$(sysctl -n net.ipv4.tcp_ehash_entries 2>/dev/null || echo unknown)"
	printf 'elapsed\t%s\n' "$((SECONDS - T0))"
	printf 'netns_sizes\t%s\n' "${NETNS_SIZES# }"
} >"$TMP/meta.tsv"

python3 "$TOP/bench/report.py" "$TMP" "$BENCH_OUT" || die "report failed"
echo "bench: wrote $BENCH_OUT" >&2
