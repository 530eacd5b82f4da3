#!/usr/bin/env bash
# Issue 4, the 5-tuple grouping layer: inside a private network namespace,
# group_conns builds listeners (wildcard, specific, dual-stack,
# SO_REUSEPORT) and many connections from known client addresses; -s must
# count the ephemeral ports used toward each destination against the
# namespace's own port range, -T must put every accepted connection under
# the listener it arrived on, and -g must agree with an independent count
# of the plain listing, in every format and with a filter.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
GC=$(it_bin group_conns) || { notok "build group_conns" "cc failed"; it_finish; exit; }

# A port range of 1000 with 100 reserved: 900 ports a client may get.
sysctl -qw net.ipv4.ip_local_port_range="40000 40999" &&
	sysctl -qw net.ipv4.ip_local_reserved_ports="40100-40199" ||
	{ notok "set the namespace's port range" "sysctl failed"; it_finish; exit; }

# 300 clients from 127.0.0.5 to 0.0.0.0:500; 460 from 127.0.0.6 to
# 127.0.0.3:510 (over half the range: marked); 3 to 127.0.0.2:600; a
# dual-stack [::]:700 with two ::1 and two v4-mapped clients; two
# SO_REUSEPORT listeners on 127.0.0.1:800 with 4 clients; a listener on
# 127.0.0.1:900 that no one connects to.
if ! start_helper "$T/gc" "$GC" \
	listen 0.0.0.0 500 listen 127.0.0.3 510 listen 127.0.0.2 600 \
	listen :: 700 reuseport 2 127.0.0.1 800 listen 127.0.0.1 900 \
	connect 300 127.0.0.5 127.0.0.1 500 \
	connect 460 127.0.0.6 127.0.0.3 510 \
	connect 3 - 127.0.0.2 600 \
	connect 2 - ::1 700 connect 2 - ::ffff:127.0.0.1 700 \
	connect 4 - 127.0.0.1 800; then
	notok "group_conns is READY" "$(tail -3 "$T/gc" | tr '\n' ' ')"
	it_finish; exit
fi
ok "group_conns is READY"
NSOCK=$(( 7 + 2 * (300 + 460 + 3 + 4 + 4) ))
check "ss sees the $NSOCK sockets built" "$(ss -tanH | wc -l)" \
	test "$(ss -tanH | wc -l)" = "$NSOCK"

# The plain listing, the reference for everything below.
run "$CT" -J
cp "$T/out" "$T/all.json"
check "conntab -J lists the $NSOCK sockets" "$(last_run)" \
	jqe --argjson n "$NSOCK" 'length == $n' "$T/all.json"

# -s: ephemeral ports per destination ---------------------------------------
run "$CT" -s -J
cp "$T/out" "$T/s.json"
check "-s -J exits 0 with totals, listeners and ports" "$(last_run)" \
	jqe 'has("totals") and has("listeners") and has("ports")' "$T/s.json"
port_row() { # laddr raddr rport: the ports row toward that destination
	jq -c --arg l "$1" --arg r "$2" --argjson p "$3" \
		'[.ports[] | select(.laddr == $l and .raddr == $r and .rport == $p)]' "$T/s.json"
}
row=$(port_row 127.0.0.5 127.0.0.1 500)
check "-s: 300 ports used from 127.0.0.5 toward 127.0.0.1:500, of 900" "$row" \
	jqe -n --argjson r "$row" '$r | length == 1 and .[0].ports_used == 300 and
		.[0].ports_avail == 900 and .[0].ports_pct == 33.33 and .[0].high == false'
row=$(port_row 127.0.0.6 127.0.0.3 510)
check "-s: 460 of 900 toward 127.0.0.3:510 is over half: marked high" "$row" \
	jqe -n --argjson r "$row" '$r | length == 1 and .[0].ports_used == 460 and
		.[0].ports_pct == 51.11 and .[0].high == true'
check "-s: the ports rows are largest first" "$(jq -c '[.ports[].ports_used]' "$T/s.json")" \
	jqe '[.ports[].ports_used] as $u | $u == ($u | sort | reverse)' "$T/s.json"
# Every client port counted lies in the namespace's range, outside the reserved part.
jq -r '.[] | select(.raddr == "127.0.0.1" and .rport == 500) | .lport' "$T/all.json" >"$T/cports"
check "the 300 client ports are in 40000-40999, none in 40100-40199" "$(sort -n "$T/cports" | sed -n '1p;$p' | tr '\n' ' ')" \
	awk '$1 < 40000 || $1 > 40999 || ($1 >= 40100 && $1 <= 40199) { bad = 1 } END { exit bad || NR != 300 }' "$T/cports"
row=$(jq -c '[.listeners[] | select(.local == "0.0.0.0:500")]' "$T/s.json")
check "-s: the listener 0.0.0.0:500 has 300 connections from 1 client" "$row" \
	jqe -n --argjson r "$row" '$r | length == 1 and .[0].count == 300 and .[0].clients == 1'
row=$(jq -c '[.listeners[] | select(.local == "*:700")]' "$T/s.json")
check "-s: the dual-stack listener has its 4 connections from 2 clients" "$row" \
	jqe -n --argjson r "$row" '$r | length == 1 and .[0].count == 4 and .[0].clients == 2'
check "-s -J: listeners carry pid, comm and owners as the listing does, no process text" \
	"$(jq -c '.listeners[0]' "$T/s.json" | head -c 300)" \
	jqe '(.listeners | length) > 0 and all(.listeners[];
			(has("process") | not) and (.pid | type) == "number" and .comm == "group_conns" and
			(.owners | length) >= 1 and .owners[0].pid == .pid and
			(.lport | type) == "number" and (.laddr | type) == "string" and .family != null)' "$T/s.json"
run "$CT" -s -J -P
check "-s -J -P: no owner keys" "$(jq -c '.listeners[0]' "$T/out" | head -c 300)" \
	jqe '(.listeners | length) > 0 and all(.listeners[]; (has("pid") or has("comm") or has("owners") or has("process")) | not)' "$T/out"
row=$(jq -c '[.listeners[] | select(.local == "127.0.0.1:800")]' "$T/s.json")
check "-s: the two SO_REUSEPORT listeners are one row with 4 connections" "$row" \
	jqe -n --argjson r "$row" '$r | length == 1 and .[0].count == 4'
# Totals against the plain listing.
jq -r '.totals[] | "\(.proto) \(.state) \(.count)"' "$T/s.json" >"$T/got"
jq -r 'group_by([.proto, .state]) | .[] | "\(.[0].proto) \(.[0].state) \(length)"' "$T/all.json" >"$T/want"
same_lines "-s: totals per protocol and state equal a count of the listing" "$T/want" "$T/got"

# The table, tsv and csv forms say the same.
run "$CT" -s
check "-s table: the 300-port line toward 127.0.0.1:500" "$(grep 127.0.0.5 "$T/out" | head -3 | tr '\n' '|')" \
	grep -Eq '^tcp +127\.0\.0\.5 +127\.0\.0\.1 +500 +300 +900 +33\.33 +false$' "$T/out"
run "$CT" -s --format tsv
check "-s tsv: the 460-port line, marked" "$(grep 127.0.0.6 "$T/out" | head -3 | tr '\t\n' ' |')" \
	grep -q $'^tcp\t127.0.0.6\t127.0.0.3\t510\t460\t900\t51.11\ttrue$' "$T/out"
run "$CT" -s --format csv
check "-s csv: CRLF lines, the listener row" "$(head -c 300 "$T/out" | cat -v)" \
	grep -q $'^tcp,0.0.0.0:500,0,[0-9]*,300,1,false,group_conns([0-9]*)\r$' "$T/out"
# With a filter, only what it matches is counted.
run "$CT" -s -J :510
check "-s :510 counts only port 510's sockets" "$(head -c 300 "$T/out")" \
	jqe '(.ports | length) == 1 and .ports[0].ports_used == 460 and
		(.listeners | length) == 1 and .listeners[0].count == 460 and
		([.totals[].count] | add) == 921' "$T/out"

# -s -N: the range is the inspected namespace's, not conntab's own.
NS=cttest$$
if ip netns add "$NS" 2>/dev/null; then
	IT_CLEANUP+=("ip netns del $NS")
	ip netns exec "$NS" sh -c 'ip link set lo up &&
		sysctl -qw net.ipv4.ip_local_port_range="50000 50099" &&
		sysctl -qw net.ipv4.ip_local_reserved_ports=""' &&
	start_helper "$T/gcns" ip netns exec "$NS" "$GC" listen 127.0.0.1 500 \
		connect 10 - 127.0.0.1 500 &&
	run "$CT" -N "$NS" -s -J
	check "-s -N: 10 ports of the other namespace's 100" "$(last_run) $(head -c 300 "$T/out")" \
		jqe '(.ports | length) == 1 and .ports[0].ports_used == 10 and
			.ports[0].ports_avail == 100 and .ports[0].ports_pct == 10' "$T/out"
else
	notok "ip netns add $NS" "cannot make a named namespace"
fi

# -T: every accepted connection under its own listener ----------------------
run "$CT" -T -J
cp "$T/out" "$T/t.json"
check "-T -J exits 0 with listeners and outgoing" "$(last_run)" \
	jqe 'has("listeners") and has("outgoing")' "$T/t.json"
# Each connection under a listener has the listener's port, and its local
# address is the listener's (or the listener's is the wildcard).
check "-T: each connection sits under a listener of its own port and address" \
	"$(jq -c '[.listeners[] | .local as $l | .connections[] | select(.local? != $l)] | .[0:2]' "$T/t.json" 2>&1 | head -c 300)" \
	jqe '[.listeners[] | . as $L | .connections[] |
		select(.lport != $L.lport or
			($L.laddr != "0.0.0.0" and $L.laddr != "::" and .laddr != $L.laddr))] | length == 0' "$T/t.json"
# The tree's placement equals the listener field of the plain listing.
jq -r '.listeners[] | .local as $l | .connections[] | "\(.inode) \($l)"' "$T/t.json" >"$T/got"
run "$CT" -J -o inode,listener
jq -r '.[] | select(.listener != null) | "\(.inode) \(.listener)"' "$T/out" >"$T/want"
same_lines "-T places every connection where its listener field says" "$T/want" "$T/got"
check "-T: 300 + 460 + 3 + 4 + 4 accepted connections in all" "$(wc -l <"$T/got")" \
	test "$(wc -l <"$T/got")" = 771
check "-T: the SO_REUSEPORT listener has both members" \
	"$(jq -c '[.listeners[] | select(.lport == 800) | .members | length]' "$T/t.json")" \
	jqe '[.listeners[] | select(.lport == 800) | .members | length] == [2]' "$T/t.json"
check "-T: the dual-stack listener holds its ::1 and v4-mapped clients" \
	"$(jq -c '[.listeners[] | select(.lport == 700) | .connections[].raddr]' "$T/t.json")" \
	jqe '[.listeners[] | select(.lport == 700) | .connections[].raddr] | sort ==
		["::1", "::1", "::ffff:127.0.0.1", "::ffff:127.0.0.1"]' "$T/t.json"
check "-T: the idle listener is there with no connections" "" \
	jqe '[.listeners[] | select(.lport == 900) | .connections | length] == [0]' "$T/t.json"
check "-T: outgoing connections grouped by destination (300 toward 127.0.0.1:500)" \
	"$(jq -c '[.outgoing[] | {remote, count}]' "$T/t.json" | head -c 300)" \
	jqe '[.outgoing[] | select(.remote == "127.0.0.1:500") | .count] == [300]' "$T/t.json"
# The table: a listener line, then its connections indented beneath it,
# each with the listener's port.
run "$CT" -T
awk '/^tcp [^ ]+ +LISTEN / { n = split($2, a, ":"); port = a[n]; next }
	/^tcp -> / { port = ""; next }
	/^ +[^ +]+ +<- / { n = split($1, a, ":"); if (a[n] != port) bad++; seen++ }
	END { print seen + 0, bad + 0 }' "$T/out" >"$T/tcheck"
check "-T table: 771 connection lines, each under its listener's port" "$(cat "$T/tcheck")" \
	test "$(cat "$T/tcheck")" = "771 0"
run "$CT" -T :600
check "-T :600: the one listener and its 3 connections" "$(head -5 "$T/out" | tr '\n' '|')" \
	test "$(grep -c ' <- ' "$T/out")" = 3 -a "$(grep -c 'LISTEN' "$T/out")" = 1
run "$CT" -T --format tsv
check "-T tsv: one row per socket with its listener" "$(last_run)" \
	test "$rc" = 0 -a "$(tail -n +2 "$T/out" | wc -l)" = "$NSOCK"

# -g: counts equal an independent count of the plain listing -----------------
run "$CT" -H -P -o remote
# An unconnected socket's remote ("0.0.0.0:*", "[::]:*", "*:*") is no
# address: "*". A v4-mapped client (::ffff:127.0.0.1, of the dual-stack
# listener on :700) is its IPv4 address as a group key.
awk '{ r = $1; if (r ~ /:\*$/) { print "*"; next }
	sub(/:[^:]*$/, "", r); gsub(/^\[|\]$/, "", r)
	sub(/^::ffff:[0-9.]+$/, substr(r, 8), r); print r }' "$T/out" |
	sort | uniq -c | awk '{ print $2, $1 }' >"$T/want"
run "$CT" -H -g raddr -o raddr,count
awk '{ print $1, $2 }' "$T/out" >"$T/got"
same_lines "-g raddr: counts equal the plain table's remote addresses counted" "$T/want" "$T/got"
check "-g raddr: largest group first" "$(awk '{print $2}' "$T/got" | tr '\n' ' ' | head -c 200)" \
	sh -c "awk '{print \$2}' '$T/got' | sort -nrc"
run "$CT" -g raddr/24 -J
check "-g raddr/24: 127.0.0.0/24 counts every IPv4 connection, v4-mapped ones too" "$(head -c 300 "$T/out")" \
	jqe --argjson n "$(jq '[.[] | select(.raddr != null and (.family == "inet" or (.raddr | startswith("::ffff:"))))] | length' "$T/all.json")" \
		'[.[] | select(.raddr == "127.0.0.0" and .raddr_prefixlen == 24) | .count] == [$n]' "$T/out"
check "-g raddr/24 -J: keys raddr and raddr_prefixlen, not \"raddr/24\"" "$(head -c 300 "$T/out")" \
	jqe 'length > 0 and all(.[]; keys == ["count", "raddr", "raddr_prefixlen", "recvq", "sendq"]) and
		any(.[]; .raddr == null and .raddr_prefixlen == null) and
		any(.[]; .raddr == "::" and .raddr_prefixlen == 24)' "$T/out"
run "$CT" -J -g laddr/64
check "-g laddr/64 -J: an IPv4 address's length is clamped to 32, an IPv6 one's is 64" "$(head -c 300 "$T/out")" \
	jqe 'any(.[]; .laddr == "127.0.0.1" and .laddr_prefixlen == 32) and
		any(.[]; .laddr == "::" and .laddr_prefixlen == 64)' "$T/out"
run "$CT" -g lport,state --format tsv
check "-g lport,state tsv: port 500 has 300 ESTABLISHED" "$(grep -P '^500\t' "$T/out" | head -3 | tr '\t\n' ' |')" \
	grep -qP '^500\tESTABLISHED\t300\t' "$T/out"
run "$CT" -g raddr --format csv :600
check "-g raddr csv :600: the listener (*, no bytes queued), the clients 127.0.0.1, their server 127.0.0.2" "$(cat -v "$T/out" | head -5 | tr '\n' '|')" \
	test "$(tr -d '\r' <"$T/out" | sort | tr '\n' ' ')" = "*,1,0,0 127.0.0.1,3,0,0 127.0.0.2,3,0,0 RADDR,COUNT,RECVQ,SENDQ "
run "$CT" -J -g proc
check "-J -g proc: one group, the helper, holding every socket" "$(head -c 300 "$T/out")" \
	jqe --argjson n "$NSOCK" 'length == 1 and .[0].count == $n and (.[0].process | startswith("group_conns("))' "$T/out"

# Sums and keys of groups ------------------------------------------------------
# Two idle listeners with a backlog of 4096 on :910 and :911; a dual-stack
# listener on :920 with 2 clients over IPv4 and 3 over v4-mapped IPv6.
if start_helper "$T/gc2" "$GC" backlog 4096 127.0.0.1 910 backlog 4096 127.0.0.1 911 \
	listen :: 920 connect 2 - 127.0.0.1 920 connect 3 - ::ffff:127.0.0.1 920; then
	# A listener's recvq/sendq are its accept queue and backlog: no bytes.
	run "$CT" -H -g raddr :910 or :911
	check "-g raddr: two idle listeners are '* 2 0 0', not their backlogs summed (8192)" \
		"$(last_run): $(cat "$T/out" | tr '\n' '|')" \
		test "$(tr -s ' ' <"$T/out")" = "* 2 0 0"
	run "$CT" -J -g lport,state
	check "-g: the sums are the queued bytes of the non-listeners" "$(head -c 300 "$T/out")" \
		jqe --slurpfile all <("$CT" -J) '
			[$all[0][] | select(.state != "LISTEN")] as $c |
			([.[].recvq] | add) == ([$c[].recvq] | add) and
			([.[].sendq] | add) == ([$c[].sendq] | add)' "$T/out"
	# A v4-mapped client is its IPv4 address as a group key.
	run "$CT" -H -g raddr -o raddr,count :920
	check "-g raddr: the IPv4 and the v4-mapped clients are one group, 127.0.0.1" \
		"$(last_run): $(cat "$T/out" | tr '\n' '|')" \
		test "$(tr -s ' ' <"$T/out" | sort | tr '\n' '|')" = "* 1|127.0.0.1 10|"
	run "$CT" -H -o raddr :920
	check "... while the raddr column is what the kernel holds" "$(sort -u "$T/out" | tr '\n' '|')" \
		test "$(tr -d ' ' <"$T/out" | sort -u | tr '\n' '|')" = "*|127.0.0.1|::ffff:127.0.0.1|"
	run "$CT" -J -g raddr/24 :920
	check "-g raddr/24: one network 127.0.0.0/24 for both" "$(head -c 300 "$T/out")" \
		jqe '[.[] | select(.count == 10) | .raddr] == ["127.0.0.0"]' "$T/out"
	run "$CT" -T -J :920
	check "-T: one destination 127.0.0.1:920 for the 5 clients, whichever family" \
		"$(jq -c '[.outgoing[] | {remote, count}]' "$T/out" 2>&1 | head -c 300)" \
		jqe '[.outgoing[] | {remote, count}] == [{"remote": "127.0.0.1:920", "count": 5}]' "$T/out"
	check "-T: the listener's 5 connections come from 1 client" \
		"$(jq -c '[.listeners[] | {local, count, clients}]' "$T/out" 2>&1 | head -c 300)" \
		jqe '[.listeners[] | {local, count, clients}] == [{"local": "*:920", "count": 5, "clients": 1}]' "$T/out"
	run "$CT" -T :920
	check "-T table: 'tcp -> 127.0.0.1:920 conns=5'" "$(grep -- '->' "$T/out" | head -3 | tr '\n' '|')" \
		grep -Eq '^tcp -> 127\.0\.0\.1:920 +conns=5$' "$T/out"
	run "$CT" -s -J :920
	check "-s: one destination row, 5 ports used toward 127.0.0.1:920" \
		"$(jq -c '.ports' "$T/out" 2>&1 | head -c 300)" \
		jqe '[.ports[] | {laddr, raddr, rport, ports_used}] ==
			[{"laddr": "127.0.0.1", "raddr": "127.0.0.1", "rport": 920, "ports_used": 5}]' "$T/out"
else
	notok "group_conns (idle listeners, a dual-stack one) is READY" "$(tail -3 "$T/gc2" | tr '\n' ' ')"
fi

it_finish
