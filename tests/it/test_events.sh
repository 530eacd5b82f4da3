#!/usr/bin/env bash
# Close events from the kernel (issue 13): the event stream of -w hears
# sock_diag's destroy groups, so connections that open and close between
# two samples are still reported, once each, with their final bytes; as
# root and as nobody. An overrun of the event socket (a really tiny
# receive buffer, set through the nlfault shim, while conntab is stopped)
# gives the "events lost" line, and the stream goes on.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
CHURN=$(it_bin churn) || { notok "build churn" "cc failed"; it_finish; exit; }
SHIM=$(it_shim nlfault) || { notok "build nlfault.so" "cc failed"; it_finish; exit; }
ASAN_PRELOAD="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
CTU=$CT
if ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$CT" 2>/dev/null; then
	cp "$CT" "$T/conntab"; chmod 755 "$T/conntab"; CTU=$T/conntab
fi
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)

# wait_for SECS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# A sock_diag socket (protocol 4) joined to a multicast group: conntab
# hears the destroy events. Only conntab makes one in this namespace.
events_heard() {
	awk 'NR > 1 && $2 == 4 && $4 != "00000000" { f = 1 } END { exit !f }' \
	    /proc/net/netlink
}

# count_closes FILE: close events of connections (not the listener's).
count_closes() {
	jq -s '[.[] | select(.event == "close" and .rport != null)] | length' "$1" 2>/dev/null
}

# stream_churn DESC PORT CMD...: CMD (a conntab -w) streams JSON while 200
# connections of 1000 bytes each come and go between two of its samples.
stream_churn() {
	local desc=$1 port=$2 sp cp n
	shift 2
	mkfifo "$T/go$port"
	"$CHURN" "$port" 200 1000 <"$T/go$port" >"$T/churn$port" 2>&1 &
	cp=$!
	IT_PIDS+=("$cp")
	exec 7>"$T/go$port"
	wait_for 10 grep -qx READY "$T/churn$port"
	"$@" -w -d 6 -i --format json ":$port" >"$T/s$port" 2>"$T/e$port" &
	sp=$!
	IT_PIDS+=("$sp")
	if ! wait_for 20 events_heard; then
		notok "$desc: conntab joins the destroy groups" "$(head -c 300 "$T/e$port")"
	fi
	sleep 0.5		# past the first sample: the churn falls between two
	echo go >&7
	exec 7>&-
	wait "$cp"
	check "$desc: 200 connections made" "$(cat "$T/churn$port")" grep -qx 'done 200' "$T/churn$port"
	wait_for 20 test "$(count_closes "$T/s$port")" -ge 400
	n=$(count_closes "$T/s$port")
	check "$desc: 400 close events (client and server sides), got $n" "$(diag "$T/e$port")" test "$n" = 400
	check "$desc: every server side received its 1000 bytes" \
		"$(jq -c 'select(.event == "close" and .lport == '"$port"' and .rport != null) | [.rport, .bytes_recv]' "$T/s$port" | head -3 | tr '\n' ' ')" \
		jqe -s '[.[] | select(.event == "close" and .lport == '"$port"' and .rport != null)] |
			length == 200 and all(.[]; .bytes_recv >= 1000)' "$T/s$port"
	check "$desc: 200 client sides, each sent its 1000 bytes" \
		"$(jq -c 'select(.event == "close" and .rport == '"$port"') | [.lport, .bytes_sent]' "$T/s$port" | head -3 | tr '\n' ' ')" \
		jqe -s '[.[] | select(.event == "close" and .rport == '"$port"')] |
			length == 200 and all(.[]; .bytes_sent >= 1000)' "$T/s$port"
	check "$desc: never-sampled closes are marked so, duration null" \
		"$(jq -c 'select(.event == "close") | [.sampled, .duration, .source]' "$T/s$port" | sort | uniq -c | head -3 | tr '\n' ' ')" \
		jqe -s '[.[] | select(.event == "close" and .rport != null)] |
			any(.[]; .sampled == false) and
			all(.[]; .source == "kernel" and (.sampled or .duration == null))' "$T/s$port"
	# past the next sample: neither the samples' close nor the client
	# sides' TIME_WAIT stand-ins come again (the listener was there from
	# the start: the first sample's "initial" line)
	sleep 7
	n=$(count_closes "$T/s$port")
	check "$desc: after the next sample, still 400 closes and nothing new, got $n" \
		"$(grep -v '"close"\|"initial"' "$T/s$port" | head -3)" \
		test "$n" = 400 -a "$(jq -s '[.[] | select(.event != "close" and .event != "initial")] | length' "$T/s$port")" = 0
	signal_wait INT "$sp"
	check "$desc: the stream ends with status 0 on SIGINT" "exit $rc" test "$rc" = 0
	check "$desc: nothing on stderr" "$(diag "$T/e$port")" test ! -s "$T/e$port"
}

stream_churn "root" 7000 "$CT"
stream_churn "nobody" 7001 "${NOBODY[@]}" "$CTU"

# Overrun: the smallest receive buffer, conntab stopped while 100
# connections close, then let go: one "lost" object, then the stream goes
# on (the close events of a later connection arrive). ------------------------
# closes_of FMT FILE: close lines of connections in the stream.
closes_of() {
	if [ "$1" = json ]; then
		count_closes "$2"
	else
		grep -c '^[^ ]* - tcp [A-Z_]* [^ ]* 127' "$2"
	fi
}

overrun() {
	local fmt=$1 port=$2 sp cp n
	mkfifo "$T/go$port"
	"$CHURN" "$port" 100 1000 <"$T/go$port" >"$T/churn$port" 2>&1 &
	cp=$!
	IT_PIDS+=("$cp")
	exec 7>"$T/go$port"
	wait_for 10 grep -qx READY "$T/churn$port"
	env LD_PRELOAD="$SHIM" CT_NLFAULT=any:tiny-rcvbuf ASAN_OPTIONS="$ASAN_PRELOAD" \
		"$CT" -w -d 30 ${fmt:+--format $fmt} ":$port" >"$T/s$port" 2>"$T/e$port" &
	sp=$!
	IT_PIDS+=("$sp")
	wait_for 20 events_heard || notok "overrun ${fmt:-text}: conntab joins the destroy groups" "$(diag "$T/e$port")"
	sleep 0.5
	kill -STOP "$sp"
	echo go >&7
	exec 7>&-
	wait "$cp"
	kill -CONT "$sp"
	if [ "$fmt" = json ]; then
		wait_for 20 grep -q '"event":"lost"' "$T/s$port"
		check "overrun json: an {\"event\":\"lost\"} object with a count" "$(head -c 300 "$T/s$port")" \
			jqe -s '[.[] | select(.event == "lost")] | length >= 1 and
				(.[0].lost == null or .[0].lost > 0) and (.[0].time | type) == "string"' "$T/s$port"
	else
		wait_for 20 grep -q ' ! events lost' "$T/s$port"
		check "overrun text: an 'events lost' line" "$(head -c 300 "$T/s$port")" \
			grep -q '^[^ ]* ! events lost' "$T/s$port"
	fi
	# the stream goes on: new connections, their closes arrive (the buffer
	# is still tiny: a few, paced, and any one of them will do)
	n=$(closes_of "$fmt" "$T/s$port")
	"$CHURN" -r 5 "$port" 5 10 </dev/null >/dev/null 2>&1
	wait_for 20 test "$(closes_of "$fmt" "$T/s$port")" -gt "$n"
	check "overrun ${fmt:-text}: after it, new closes arrive" \
		"$n before, $(closes_of "$fmt" "$T/s$port") after" \
		test "$(closes_of "$fmt" "$T/s$port")" -gt "$n"
	signal_wait INT "$sp"
	check "overrun ${fmt:-text}: the stream went on and ended with status 0" "exit $rc; $(diag "$T/e$port")" test "$rc" = 0
}
overrun json 7002
overrun "" 7003

# ---- the exporter counts the kernel's closes ------------------------------
# -w --format prometheus: conntab_closed_connections_total comes from the
# destroy events, so 100 connections that live between two samples count
# 200 closes (both ends), and the churn's listener one more as it exits;
# none is lost.
prom_value() {	# prom_value FILE SERIES: the sample's value, or nothing
	awk -v s="$2" '$1 == s { print $2 }' "$1" 2>/dev/null
}
exporter_closes() {
	local port=7004 sp cp v
	mkfifo "$T/go$port"
	"$CHURN" "$port" 100 10 <"$T/go$port" >"$T/churn$port" 2>&1 &
	cp=$!
	IT_PIDS+=("$cp")
	exec 7>"$T/go$port"
	wait_for 10 grep -qx READY "$T/churn$port"
	"$CT" -w -d 0.5 --format prometheus --output "$T/m$port.prom" ":$port" 2>"$T/e$port" &
	sp=$!
	IT_PIDS+=("$sp")
	wait_for 20 events_heard || notok "exporter: conntab joins the destroy groups" "$(diag "$T/e$port")"
	wait_for 20 test -s "$T/m$port.prom"
	echo go >&7
	exec 7>&-
	wait "$cp"
	wait_for 20 test "$(prom_value "$T/m$port.prom" 'conntab_closed_connections_total{proto="tcp"}')" = 201
	v=$(prom_value "$T/m$port.prom" 'conntab_closed_connections_total{proto="tcp"}')
	check "exporter: 100 connections and their listener count 201 tcp closes (got '$v')" \
		"$(grep closed "$T/m$port.prom" | head -c 300)" test "$v" = 201
	check "exporter: no close event lost" "$(grep lost "$T/m$port.prom")" \
		test "$(prom_value "$T/m$port.prom" conntab_close_events_lost_total)" = 0
	signal_wait TERM "$sp"
	check "exporter: ends with status 0 on SIGTERM" "exit $rc; $(diag "$T/e$port")" test "$rc" = 0
}
exporter_closes

it_finish
