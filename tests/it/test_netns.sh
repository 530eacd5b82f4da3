#!/usr/bin/env bash
# Issue 12, "every network namespace at once": --all-netns finds each
# namespace however it is held (a process, a thread, a bind mount, a
# descriptor), dumps each through its own socket, and labels every socket
# with its namespace; a listener adopts only its own namespace's
# connections; owners are found across namespaces; the live view picks
# namespaces up and lets them go. Every namespace is made here, named
# cttest$$-..., and deleted at the end; conntab sees the whole host, so
# each check keeps to these namespaces with a netns filter.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
GC=$(it_bin group_conns) || { notok "build group_conns" "cc failed"; it_finish; exit; }
NH=$(it_bin nsholder) || { notok "build nsholder" "cc failed"; it_finish; exit; }
P=cttest$$

# mkns NAME: a named namespace with loopback up, deleted at the end.
mkns() {
	ip netns add "$1" 2>"$T/nserr" || { notok "ip netns add $1" "$(head -c 200 "$T/nserr")"; return 1; }
	IT_CLEANUP+=("ip netns del $1")
	ip -n "$1" link set lo up
}
ino_of() { stat -L -c %i "$1"; }
# ctj FILTER...: conntab --all-netns -J, keeping to this test's namespaces
ctj() { run "$CT" --all-netns -J "$@"; }

# Two namespaces serve 127.0.0.1:8080 ---------------------------------------
mkns "$P-a" && mkns "$P-b" || { it_finish; exit; }
start_helper "$T/a" ip netns exec "$P-a" "$GC" listen 127.0.0.1 8080 \
	connect 3 - 127.0.0.1 8080 || notok "holder in $P-a is READY" "$(tail -2 "$T/a")"
start_helper "$T/b" ip netns exec "$P-b" "$GC" listen 127.0.0.1 8080 \
	connect 5 - 127.0.0.1 8080 || notok "holder in $P-b is READY" "$(tail -2 "$T/b")"

ctj "netns $P-a or netns $P-b"
check "--all-netns -J exits 0, nothing on stderr" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
for n in a b; do
	ip netns exec "$P-$n" ss -tanH | awk '{ print $1, $4, $5 }' | sort >"$T/ss-$n"
	jq -r --arg ns "$P-$n" "$JQ_EP"' .[] | select(.netns == $ns) |
		(.state | if . == "ESTABLISHED" then "ESTAB" else . end) + " " + loc + " " + rem' \
		"$T/out" | sed 's/0\.0\.0\.0:\*$/0.0.0.0:*/' | sort >"$T/ct-$n"
	same_lines "netns $P-$n: the sockets ss lists inside it, no more" "$T/ss-$n" "$T/ct-$n"
done
check "netns_ino is the inode of the namespace's file" \
	"$(jq -c '[.[] | .netns_ino] | unique' "$T/out")" \
	jqe --argjson a "$(ino_of /run/netns/$P-a)" --argjson b "$(ino_of /run/netns/$P-b)" \
	'[.[] | .netns_ino] | unique == ([$a, $b] | sort)' "$T/out"
check "owners are found in the other namespaces (one walk of /proc)" \
	"$(jq -c '[.[] | .comm] | unique' "$T/out")" \
	jqe '[.[] | .comm] | unique == ["group_conns"]' "$T/out"

run "$CT" --all-netns -T -J "netns $P-*"
check "-T: each 8080 listener adopts its own namespace's connections" \
	"$(jq -c '[.listeners[] | {netns, count}]' "$T/out" 2>&1 | head -c 200)" \
	jqe --arg a "$P-a" --arg b "$P-b" \
	'([.listeners[] | select(.local == "127.0.0.1:8080") | [.netns, .count]] | sort) ==
	 [[$a, 3], [$b, 5]] and
	 all(.listeners[]; .netns as $n | all(.connections[]; .netns == $n))' "$T/out"
run "$CT" --all-netns -T "netns $P-*"
check "-T table: 'conns=3' under $P-a's listener, 'conns=5' under $P-b's" "$(head -c 300 "$T/out")" \
	sh -c "grep -Eq '^$P-a +tcp +127\.0\.0\.1:8080 +LISTEN .* conns=3 ' '$T/out' &&
		grep -Eq '^$P-b +tcp +127\.0\.0\.1:8080 +LISTEN .* conns=5 ' '$T/out'"
run "$CT" --all-netns -H "netns $P-a"
check "the table: a NETNS column first" "$(head -c 200 "$T/out")" \
	sh -c "[ \$(wc -l <'$T/out') = 7 ] && ! grep -vq '^$P-a ' '$T/out'"
run "$CT" --all-netns -g netns -H --format tsv "netns $P-*"
check "-g netns: one row per namespace with its count" "$(cat "$T/out" | tr '\t\n' ' ;')" \
	test "$(cut -f1,2 "$T/out" | tr '\t\n' ' ;')" = "$P-b 11;$P-a 7;"
run "$CT" --all-netns -P -o netns -H "netns != $P-a and netns $P-*"
check "the netns filter word, with !=" "$(sort -u "$T/out" | tr '\n' ' ')" \
	test "$(sort -u "$T/out")" = "$P-b"
run "$CT" --all-netns -o netns -H "netns $(ino_of /run/netns/$P-b) and state listening"
check "netns INODE names a namespace too" "$(cat "$T/out" | tr '\n' ' ')" \
	test "$(cat "$T/out")" = "$P-b"

# -s: each namespace's own ephemeral port range -----------------------------
ip netns exec "$P-a" sysctl -qw net.ipv4.ip_local_port_range="50000 50099"
mkns "$P-r"
ip netns exec "$P-r" sysctl -qw net.ipv4.ip_local_port_range="40000 40009"
ip netns exec "$P-r" sysctl -qw net.ipv4.ip_local_reserved_ports=""
start_helper "$T/r" ip netns exec "$P-r" "$GC" listen 127.0.0.1 9000 \
	connect 2 - 127.0.0.1 9000 || notok "holder in $P-r is READY" "$(tail -2 "$T/r")"
run "$CT" --all-netns -s -J "netns $P-r"
check "-s: ports against the namespace's own range (2 of 10)" "$(jq -c .ports "$T/out" 2>&1 | head -c 300)" \
	jqe --arg r "$P-r" '(.ports | length) == 1 and .ports[0].netns == $r and
		.ports[0].ports_used == 2 and .ports[0].ports_avail == 10' "$T/out"

# A namespace held by a bind mount alone, holding TIME_WAIT sockets ---------
mkns "$P-tw"
# it makes them and exits: the mount alone holds the namespace then
timeout 20 ip netns exec "$P-tw" "$NH" listen 127.0.0.1 7000 timewait 4 127.0.0.1 7000 \
	exit >"$T/tw" 2>&1 || notok "TIME_WAIT maker" "$(tail -2 "$T/tw")"
run "$CT" --all-netns -P -o netns,state,remote -H "netns $P-tw"
check "a namespace held by a mount alone: its 4 TIME_WAIT sockets, named" "$(head -c 300 "$T/out")" \
	test "$(grep -c "^$P-tw  *TIME_WAIT  *127\.0\.0\.1:7000$" "$T/out")" = 4

# A namespace held by a descriptor alone ------------------------------------
mkns "$P-fd"
FDINO=$(ino_of /run/netns/$P-fd)
start_helper "$T/fd" "$NH" holdfd /run/netns/$P-fd sockin /run/netns/$P-fd 127.0.0.1 7100 ||
	notok "descriptor holder is READY" "$(tail -2 "$T/fd")"
FDPID=$(awk '$1 == "pid" { print $2 }' "$T/fd")
ip netns del "$P-fd"
ctj "netns $FDINO"
check "a namespace held by a descriptor alone: found, named net:[INODE], with its owner" \
	"$(last_run) $(head -c 300 "$T/out")" \
	jqe --arg n "net:[$FDINO]" --argjson pid "$FDPID" \
	'length == 1 and .[0].netns == $n and .[0].lport == 7100 and .[0].pid == $pid' "$T/out"

# A socket made before its owner moved to another namespace ------------------
mkns "$P-mv"
start_helper "$T/mv" "$NH" enter /run/netns/$P-mv listen 127.0.0.1 7200 \
	enter "/proc/$$/ns/net" || notok "mover is READY" "$(tail -2 "$T/mv")"
MVPID=$(awk '$1 == "pid" { print $2 }' "$T/mv")
ctj "netns $P-mv"
check "a socket whose owner moved on: in its own namespace, owner known" \
	"$(last_run) $(head -c 300 "$T/out") (owner in $(readlink /proc/$MVPID/ns/net))" \
	jqe --argjson pid "$MVPID" 'length == 1 and .[0].lport == 7200 and .[0].pid == $pid' "$T/out"

# A thread in another namespace than its leader -----------------------------
mkns "$P-th"
THINO=$(ino_of /run/netns/$P-th)
start_helper "$T/th" "$NH" thread /run/netns/$P-th 7300 || notok "thread holder is READY" "$(tail -2 "$T/th")"
THPID=$(awk '$1 == "pid" { print $2 }' "$T/th")
ip netns del "$P-th"
ctj "netns $THINO"
check "a namespace only a thread is in: found through /proc/PID/task" \
	"$(last_run) $(head -c 300 "$T/out")" \
	jqe --arg n "net:[$THINO]" --argjson pid "$THPID" \
	'length == 1 and .[0].netns == $n and .[0].lport == 7300 and .[0].pid == $pid' "$T/out"

# In a series of samples, namespaces held by a descriptor or a thread alone
# stay put: found anew each time, not lost and found again.
timeout 2 "$CT" --all-netns -P -w -d 0.1 "netns $FDINO or netns $THINO" \
	>"$T/out" 2>"$T/err"
rc=$?
check "events: descriptor- and thread-held namespaces, stable over samples" \
	"$(last_run) $(tr '\n' ';' <"$T/out" | head -c 300)" \
	sh -c "[ \$(grep -c ' = ' '$T/out') = 2 ] && ! grep -q ' [-+~] ' '$T/out' && [ ! -s '$T/err' ]"

# Processes (and their namespaces) that come and go during the walk ---------
(
	for i in $(seq 150); do
		unshare -n sleep 0.02 &
		[ $((i % 10)) = 0 ] && wait
	done
	wait
) >/dev/null 2>&1 &
CHURN=$!
IT_PIDS+=("$CHURN")
bad=0
for i in $(seq 15); do
	run "$CT" --all-netns -P -o netns -H
	[ "$rc" = 0 ] && [ ! -s "$T/err" ] || { bad=1; break; }
done
wait "$CHURN" 2>/dev/null
check "namespaces vanishing mid-walk are skipped: exit 0, no warning, 15 runs" "$(last_run)" test "$bad" = 0

# Errors --------------------------------------------------------------------
CTU=$CT
if ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$CT" 2>/dev/null; then
	cp "$CT" "$T/conntab"; chmod 755 "$T/conntab"; CTU=$T/conntab
fi
run setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$CTU" --all-netns
check "--all-netns as nobody: exit 1, one line naming CAP_SYS_ADMIN" "$(last_run)" \
	sh -c "[ $rc = 1 ] && [ ! -s '$T/out' ] && [ \$(wc -l <'$T/err') = 1 ] &&
		grep -q 'CAP_SYS_ADMIN' '$T/err'"
run "$CT" --all-netns -N "$P-a"
check "--all-netns with -N: a usage error (2)" "$(last_run)" test "$rc" = 2
if SHIM=$(it_shim setnsfault); then
	run env LD_PRELOAD="$SHIM" CT_SETNSFAULT_INO="$(ino_of /run/netns/$P-a)" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$CT" --all-netns -P -o netns -H "netns $P-a or netns $P-b"
	check "a namespace that refuses entry: one warning naming it, the rest listed, exit 0" \
		"$(last_run) $(sort -u "$T/out" | tr '\n' ' ')" \
		sh -c "[ $rc = 0 ] && [ \"\$(sort -u '$T/out')\" = '$P-b' ] &&
			[ \$(wc -l <'$T/err') = 1 ] &&
			grep -qx \"conntab: warning: netns '$P-a': Operation not permitted; its sockets are not listed\" '$T/err'"
else
	notok "build setnsfault.so" "cc failed"
fi

# The event stream and the live sockets -------------------------------------
"$CT" --all-netns -w -d 0.2 "netns $P-*" >"$T/ev" 2>"$T/everr" &
CTPID=$!
IT_PIDS+=("$CTPID")
for i in $(seq 100); do grep -q ' = ' "$T/ev" && break; sleep 0.05; done
socks() { find /proc/$CTPID/fd -lname 'socket:*' 2>/dev/null | wc -l; }
before=$(socks)
mkns "$P-new"
start_helper "$T/new" ip netns exec "$P-new" "$GC" listen 127.0.0.1 7400 ||
	notok "holder in $P-new is READY" "$(tail -2 "$T/new")"
NEWPID=$helper_pid
for i in $(seq 100); do grep -q "+ $P-new tcp LISTEN" "$T/ev" && break; sleep 0.05; done
check "events: a namespace that appears is picked up, each line names it" "$(tail -3 "$T/ev" | tr '\n' ';')" \
	grep -Eq "^[0-9TZ:.-]+ \+ $P-new tcp +LISTEN 127\.0\.0\.1:7400 0\.0\.0\.0:\* group_conns\($NEWPID\)$" "$T/ev"
check "events: the initial lines name their namespaces" "$(head -3 "$T/ev" | tr '\n' ';')" \
	grep -Eq "^[0-9TZ:.-]+ = $P-b tcp +LISTEN 127\.0\.0\.1:8080 " "$T/ev"
during=$(socks)
stop_helper "$NEWPID"
ip netns del "$P-new"
for i in $(seq 100); do grep -q -- "- $P-new tcp LISTEN" "$T/ev" && [ "$(socks)" -lt "$during" ] && break; sleep 0.05; done
after=$(socks)
check "live: one socket per namespace, and a gone namespace's is closed ($before, $during, $after)" \
	"$(tail -2 "$T/ev" | tr '\n' ';')" \
	sh -c "[ $during -gt $before ] && [ $after -lt $during ]"
signal_wait TERM "$CTPID"
check "the event stream ends on SIGTERM with status 0, no warning" "exit $rc: $(head -c 200 "$T/everr")" \
	test "$rc" = 0 -a ! -s "$T/everr"

it_finish
