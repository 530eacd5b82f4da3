#!/usr/bin/env bash
# Faults, seen from the command line (issue 7): netlink failures injected
# into the real binary with the nlfault.so shim (tests/it/preload/nlfault.c),
# and /proc races and restrictions. For each: the exact message, the exit
# status, and what is on stdout -- everything that was asked for, or (for a
# failure) nothing at all: never a partial list, never a raw control byte.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
SOCKMIX=$(it_bin sockmix) || { notok "build sockmix" "cc failed"; it_finish; exit; }
SHIM=$(it_shim nlfault) || { notok "build nlfault.so" "cc failed"; it_finish; exit; }
if ! start_helper "$T/mf" "$SOCKMIX"; then
	notok "sockmix is READY" "$(tail -3 "$T/mf" | tr '\n' ' ')"
	it_finish; exit
fi
# more UDP sockets than one datagram holds: faults land mid-dump
if ! start_helper "$T/flood" "$SOCKMIX" udpflood 400; then
	notok "udpflood is READY" "$(tail -3 "$T/flood" | tr '\n' ' ')"
	it_finish; exit
fi

# sockmix's TIME_WAIT socket expires after 60 s, which a slow run (ASan,
# valgrind) outlasts: it is left out of every comparison here
ss_rows | cut -d' ' -f1,2,5,6 | grep -v ' TIME_WAIT ' >"$T/all"
grep '^tcp ' "$T/all" >"$T/tcp"
grep '^udp ' "$T/all" >"$T/udp"
ok "population: $(wc -l <"$T/tcp") TCP and $(wc -l <"$T/udp") UDP sockets"

# The shim precedes libasan in the sanitizer build: tell ASan that is fine.
ASAN_PRELOAD="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# fault SPEC ARGS...: conntab ARGS with CT_NLFAULT=SPEC.
fault() {
	local spec=$1
	shift
	run env LD_PRELOAD="$SHIM" CT_NLFAULT="$spec" ASAN_OPTIONS="$ASAN_PRELOAD" "$CT" "$@"
}

# clean: stderr holds only printable text, one "conntab: " line each.
clean_err() {
	[ "$(tr -d '\n' <"$T/err" | LC_ALL=C tr -d '[:print:]' | wc -c)" = 0 ] &&
		[ "$(grep -vc '^conntab: ' "$T/err")" = 0 ]
}

# fails SPEC MESSAGE ARGS...: exit 1, nothing on stdout, exactly MESSAGE.
fails() {
	local spec=$1 msg=$2
	shift 2
	fault "$spec" "$@"
	check "$spec${*:+ ($*)}: exit 1, '$msg', nothing on stdout" \
		"$(last_run), stdout $(wc -c <"$T/out") bytes" \
		test "$rc" = 1 -a ! -s "$T/out" -a "$(cat "$T/err")" = "$msg"
}

# lists SPEC WANT WARNING: conntab -J with SPEC lists exactly the sockets
# in file WANT, once each; stderr is WARNING (a line, or empty).
lists() {
	local spec=$1 want=$2 warning=$3
	fault "$spec" -J
	if [ "$rc" != 0 ]; then
		notok "$spec: exit 0" "$(last_run)"
		return
	fi
	check "$spec: exit 0, stderr ${warning:-empty}" "$(last_run)" \
		test "$(cat "$T/err")" = "$warning"
	jq -r "$JQ_EP"' .[] | select(.state != "TIME_WAIT") | key4' "$T/out" >"$T/got" 2>/dev/null
	same_lines "$spec: the list is exactly $(basename "$want")'s sockets, once each" "$want" "$T/got"
}

# The shim itself: without a fault it changes nothing, and it is loaded.
lists "" "$T/all" ""
run env LD_PRELOAD="$SHIM" CT_NLFAULT=bogus ASAN_OPTIONS="$ASAN_PRELOAD" "$CT"
check "the shim is loaded (it rejects a bad CT_NLFAULT)" "$(last_run)" test "$rc" = 99

# Permission.
fails socket-eperm "conntab: netlink sock_diag: Operation not permitted"
fails tcp:eperm "conntab: TCP socket dump: Operation not permitted"
fails udp:eperm "conntab: UDP socket dump: Operation not permitted"
fails udp:eperm "conntab: UDP socket dump: Operation not permitted" -J

# A kernel without one diag module: the rest is listed, one warning.
lists udp:enoent "$T/tcp" "conntab: warning: cannot dump UDP sockets: this kernel lacks udp_diag"
lists udp:einval "$T/tcp" "conntab: warning: cannot dump UDP sockets: this kernel lacks udp_diag"
lists udp:done-enoent "$T/tcp" "conntab: warning: cannot dump UDP sockets: this kernel lacks udp_diag"
lists tcp:done-enoent "$T/udp" "conntab: warning: cannot dump TCP sockets: this kernel lacks tcp_diag"
fault udp:enoent -u -H
check "udp:enoent with -u: exit 0, nothing listed, the warning" "$(last_run)" \
	test "$rc" = 0 -a ! -s "$T/out" -a "$(wc -l <"$T/err")" = 1

# Interrupted dumps: retried; the list after retries is whole, each socket
# once (no attempt's records left over); a warning when all 4 were.
lists tcp:intr "$T/all" "conntab: warning: the TCP dump was interrupted 4 times; the list may be incomplete"
lists udp:intr "$T/all" "conntab: warning: the UDP dump was interrupted 4 times; the list may be incomplete"
lists tcp:intr-once "$T/all" ""
lists udp:intr-once "$T/all" ""
# ... also when the interruption shows early, the rest of that dump still
# on its way; and when signals interrupt the reads (the live view's timer,
# a resize): with both, the thrown-away rest is read through the signals.
lists udp:intr-early "$T/all" ""
lists any:eintr "$T/all" ""
lists udp:intr-early,udp:eintr "$T/all" ""

# Broken replies: a failure, never a partial list.
fails any:enobufs "conntab: TCP socket dump: No buffer space available"
fails udp:enobufs "conntab: UDP socket dump: No buffer space available" -J
for f in tcp:truncate udp:truncate tcp:badlen udp:badlen; do
	p=$(echo "${f%%:*}" | tr a-z A-Z)
	fails "$f" "conntab: $p socket dump: Bad message"
	fails "$f" "conntab: $p socket dump: Bad message" --format csv
done
fails tcp:errmid "conntab: TCP socket dump: Input/output error"
fails udp:errmid "conntab: UDP socket dump: Input/output error" -J
fails udp:errmid "conntab: UDP socket dump: Input/output error" -T
fails udp:errmid "conntab: UDP socket dump: Input/output error" -s
# the event stream's first sample: the same line, nothing streamed
fails udp:eperm "conntab: UDP socket dump: Operation not permitted" -w -d 0.2

# Every message above was one clean line.
bad=
for f in socket-eperm tcp:eperm udp:enoent udp:done-enoent tcp:intr any:enobufs \
	tcp:truncate tcp:badlen udp:errmid; do
	fault "$f"
	clean_err || bad="$bad $f"
done
check "every fault's stderr is printable 'conntab: ' lines" "$bad" test -z "$bad"

it_finish
