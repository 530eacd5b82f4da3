#!/usr/bin/env bash
# -K, --kill (issue 13): the sockets a filter selects are destroyed
# (SOCK_DESTROY), printed as rows, and the exit status tells the truth:
# 0 when something matched and all of it is gone, 1 when a destroy failed
# (nobody: EPERM; an injected EOPNOTSUPP), 2 without a filter (nothing
# touched), 3 when nothing matched. Clients of a destroyed connection see
# a reset; unselected sockets are untouched. -N and --all-netns destroy
# through each namespace's own socket.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
CONN=$(it_bin conn) || { notok "build conn" "cc failed"; it_finish; exit; }
GC=$(it_bin group_conns) || { notok "build group_conns" "cc failed"; it_finish; exit; }
SHIM=$(it_shim nlfault) || { notok "build nlfault.so" "cc failed"; it_finish; exit; }
ASAN_PRELOAD="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
CTU=$CT
if ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$CT" 2>/dev/null; then
	cp "$CT" "$T/conntab"; chmod 755 "$T/conntab"; CTU=$T/conntab
fi
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
P=ctkill$$

coproc CONNP { "$CONN"; }
IT_PIDS+=("$CONNP_PID")
read -r -t 30 -u "${CONNP[0]}" reply
conn_cmd() {
	reply=
	echo "$*" >&"${CONNP[1]}"
	read -r -t 30 -u "${CONNP[0]}" reply
	case $reply in ok*) return 0 ;; esac
	echo "# conn $*: '$reply'"
	return 1
}
conn_cmd "listen 800" && conn_cmd "listen 600" ||
	{ echo "# no listeners"; echo "0 passed, 1 failed"; exit 1; }
# three connections to 800 (ids 0-2), two to 600 (ids 3-4)
for p in 800 800 800 600 600; do
	conn_cmd "open $p" || { echo "0 passed, 1 failed"; exit 1; }
done

# tuples: "local remote" of the TCP sockets ss sees, sorted
tuples() { ss -tanH | awk '{ print $4, $5 }' | sort; }
tuples >"$T/before"

# No filter: a usage error, nothing destroyed ------------------------------
for args in "-K" "--kill" "-K -t" "-K ''"; do
	eval "run \"\$CT\" $args"
	check "conntab $args: exit 2, one line naming the missing filter" "$(last_run)" \
		test "$rc" = 2 -a "$(wc -l <"$T/err")" = 1 -a ! -s "$T/out"
	check "conntab $args: the message says a filter is needed" "$(cat "$T/err")" \
		grep -q 'filter' "$T/err"
done
tuples >"$T/now"
same_lines "no filter: every socket is still there" "$T/before" "$T/now"
run "$CT" -K -w :800
check "-K -w: a usage error" "$(last_run)" test "$rc" = 2
run "$CT" -K -g state :800
check "-K -g: a usage error" "$(last_run)" test "$rc" = 2

# Nothing matched: 3, said so -----------------------------------------------
run "$CT" -K dport = 9
check "nothing matched: exit 3, nothing on stdout" "$(last_run)" test "$rc" = 3 -a ! -s "$T/out"
check "nothing matched: one line says so" "$(cat "$T/err")" \
	grep -qx 'conntab: -K: no socket matched the filter; nothing destroyed' "$T/err"

# nobody: EPERM, one line, a count, nothing destroyed ---------------------
run "${NOBODY[@]}" "$CTU" -K sport = 800 and state established
check "nobody: exit 1, nothing on stdout" "$(last_run)" test "$rc" = 1 -a ! -s "$T/out"
check "nobody: one line says killing needs CAP_NET_ADMIN" "$(cat "$T/err")" \
	test "$(grep -c 'needs CAP_NET_ADMIN' "$T/err")" = 1
check "nobody: the count of what was and was not destroyed" "$(cat "$T/err")" \
	grep -qx 'conntab: -K: 0 of 3 matched sockets destroyed, 3 not' "$T/err"
tuples >"$T/now"
same_lines "nobody: every socket is still there" "$T/before" "$T/now"

# A kernel without SOCK_DESTROY (injected): EOPNOTSUPP ----------------------
run env LD_PRELOAD="$SHIM" CT_NLFAULT=tcp:destroy-eopnotsupp ASAN_OPTIONS="$ASAN_PRELOAD" \
	"$CT" -K sport = 800 and state established
check "EOPNOTSUPP: exit 1, nothing on stdout" "$(last_run)" test "$rc" = 1 -a ! -s "$T/out"
check "EOPNOTSUPP: one line names the kernel's missing SOCK_DESTROY" "$(cat "$T/err")" \
	test "$(grep -c 'cannot destroy tcp sockets.*CONFIG_INET_DIAG_DESTROY' "$T/err")" = 1
check "EOPNOTSUPP: the count" "$(cat "$T/err")" \
	grep -qx 'conntab: -K: 0 of 3 matched sockets destroyed, 3 not' "$T/err"
tuples >"$T/now"
same_lines "EOPNOTSUPP: every socket is still there" "$T/before" "$T/now"

# The real thing: the server ends of 800 -----------------------------------
run "$CT" -H -o local,remote sport = 800 and state established
sort "$T/out" | awk '{ print $1, $2 }' >"$T/selected"
check "three server ends selected" "$(cat "$T/selected")" test "$(wc -l <"$T/selected")" = 3
run "$CT" -K -H -o local,remote sport = 800 and state established
check "-K: exit 0, nothing on stderr" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
awk '{ print $1, $2 }' "$T/out" | sort >"$T/killed"
same_lines "-K prints the destroyed sockets as rows" "$T/selected" "$T/killed"
for id in 0 1 2; do
	conn_cmd "peek $id"
	check "client $id of 800 sees a reset" "$reply" test "$reply" = "ok $id reset"
done
conn_cmd "peek 3"
check "a client of 600 sees nothing" "$reply" test "$reply" = "ok 3 nothing"
tuples | grep -v ':800$' | grep -v ':800 ' >"$T/now"
grep -v ':800$' "$T/before" | grep -v ':800 ' >"$T/want"
same_lines "the sockets of 600 are untouched" "$T/want" "$T/now"
check "the 800 listener is untouched" "$(tuples)" grep -q '^127.0.0.1:800 0.0.0.0:\*$' <(tuples)

# JSON rows; a listener; what is already gone counts as gone ---------------
run "$CT" -K -J sport = 600 and state listening
check "-K -J: a JSON array of the one destroyed listener, exit 0" "$(last_run)" \
	jqe 'length == 1 and .[0].state == "LISTEN" and .[0].lport == 600' "$T/out"
check "-K -J: exit 0" "$(last_run)" test "$rc" = 0

# -N: inside a named namespace, through its own socket ----------------------
ip netns add "$P-n" 2>"$T/nserr" || notok "ip netns add $P-n" "$(head -c 200 "$T/nserr")"
IT_CLEANUP+=("ip netns del $P-n")
ip -n "$P-n" link set lo up
start_helper "$T/gn" ip netns exec "$P-n" "$GC" listen 127.0.0.1 8080 \
	connect 4 - 127.0.0.1 8080 || notok "holder in $P-n is READY" "$(tail -2 "$T/gn")"
run "$CT" -N "$P-n" -K -H dport = 8080
check "-N: exit 0, four client ends destroyed" "$(last_run)" \
	test "$rc" = 0 -a "$(wc -l <"$T/out")" = 4
check "-N: none of them is left in that namespace" "$(ip netns exec "$P-n" ss -tanH)" \
	test "$(ip netns exec "$P-n" ss -tanH dport = 8080 | wc -l)" = 0

# --all-netns: two namespaces, one filter -----------------------------------
for n in a b; do
	ip netns add "$P-$n" 2>"$T/nserr" || notok "ip netns add $P-$n" "$(head -c 200 "$T/nserr")"
	IT_CLEANUP+=("ip netns del $P-$n")
	ip -n "$P-$n" link set lo up
done
start_helper "$T/ga" ip netns exec "$P-a" "$GC" listen 127.0.0.1 8080 \
	connect 2 - 127.0.0.1 8080 || notok "holder in $P-a is READY" "$(tail -2 "$T/ga")"
start_helper "$T/gb" ip netns exec "$P-b" "$GC" listen 127.0.0.1 8080 \
	connect 3 - 127.0.0.1 8080 || notok "holder in $P-b is READY" "$(tail -2 "$T/gb")"
run "$CT" --all-netns -K -J "(netns $P-a or netns $P-b) and sport = 8080 and state established"
check "--all-netns: exit 0, five server ends from both namespaces" "$(last_run)" \
	jqe --arg a "$P-a" --arg b "$P-b" \
	'length == 5 and ([.[] | .netns] | sort) == [$a, $a, $b, $b, $b]' "$T/out"
for n in a b; do
	check "--all-netns: no server end left in $P-$n" "$(ip netns exec "$P-$n" ss -tanH)" \
		test "$(ip netns exec "$P-$n" ss -tanH state established sport = 8080 | wc -l)" = 0
	check "--all-netns: the listener of $P-$n is untouched" "$(ip netns exec "$P-$n" ss -tlnH)" \
		test "$(ip netns exec "$P-$n" ss -tlnH sport = 8080 | wc -l)" = 1
done

it_finish
