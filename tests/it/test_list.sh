#!/usr/bin/env bash
# Issue 2, "conntab lists every TCP and UDP socket": inside a private network
# namespace, sockmix builds a known mix of sockets and prints its manifest;
# conntab must list exactly those sockets, agree with ss socket for socket,
# name their owners exactly, and keep its output formats and options as
# SPEC.md says.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
ESC=$'\x1b'
SOCKMIX=$(it_bin sockmix) || { notok "build sockmix" "cc failed"; it_finish; exit; }

MF=$T/manifest
if ! start_helper "$MF" "$SOCKMIX"; then
	notok "sockmix is READY" "$(cat "$MF" | tail -3 | tr '\n' ' ')"
	it_finish; exit
fi
ok "sockmix is READY ($(grep -c '^sock ' "$MF") sockets)"
MIXPID=$helper_pid

# Expectations from the manifest ------------------------------------------
# exp4: "proto state local remote"; expown: + "owners"; expproc: + PROCESS
# as the table must print it; expcomm: + "pid comm" of the first owner.
awk '$1 == "sock" { print $2, $3, $4, $5 }' "$MF" >"$T/exp4"
awk '$1 == "sock" { print $2, $3, $4, $5, $8 }' "$MF" >"$T/expown"
awk 'NR == FNR { if ($1 == "proc") comm[$2] = $3; next }
	$1 == "sock" {
		if ($8 == "-") { p = "-"; c = "- -" }
		else {
			# +N counts the other processes, not the other fds.
			n = split($8, o, ","); split(o[1], f, ":")
			np = 0; delete seen
			for (i = 1; i <= n; i++) { split(o[i], g, ":"); if (!(g[1] in seen)) { seen[g[1]] = 1; np++ } }
			p = comm[f[1]] "(" f[1] (np > 1 ? ",+" (np - 1) : "") ")"
			c = f[1] " " comm[f[1]]
		}
		print $2, $3, $4, $5, p > "'"$T/expproc"'"
		print $2, $3, $4, $5, c > "'"$T/expcomm"'"
	}' "$MF" "$MF"
awk '$1 == "proc" { print $2, $3 }' "$MF" >"$T/expprocs"
# Queue sizes that do not depend on the kernel's memory accounting.
awk '$1 == "sock" && $6 != "?" && $7 != "?" { print $2, $3, $4, $5, $6, $7 }' "$MF" >"$T/expq"
tag() { awk -v t="$1" '$1 == "sock" && $9 == t' "$MF"; }
pid_of() { C=$1 awk '$1 == "proc" && $3 == ENVIRON["C"] { print $2 }' "$MF"; }
EVILPID=$(pid_of 'evil\x1b[31m')
COMMAPID=$(pid_of 'q,"a\x20b\\')

# The manifest's TIME_WAIT socket lives 60 s, and a slow run (the sanitizer
# build, make memcheck's valgrind) reaches the later checks after that.
# tw_gone: once ss no longer lists it, drop it from what is expected.
TW=$(awk '$1 == "sock" && $3 == "TIME_WAIT" { print $4, $5 }' "$MF")
tw_gone() {
	local f
	[ -n "$TW" ] || return 0
	ss_rows | awk '$2 == "TIME_WAIT" { print $5, $6 }' | grep -qxF "$TW" && return 0
	for f in exp4 expown expproc expcomm expq; do
		grep -vF " TIME_WAIT $TW" "$T/$f" >"$T/$f.tw"
		mv "$T/$f.tw" "$T/$f"
	done
	jq --arg tw "$TW" "$JQ_EP"' [.[] | select(.state != "TIME_WAIT" or loc + " " + rem != $tw)]' \
		"$T/json" >"$T/json.tw" && mv "$T/json.tw" "$T/json"
	echo "# the manifest's TIME_WAIT socket has expired: no longer expected"
	TW=
}

# ss agrees with the manifest: the mix is what we think it is ------------
ss_rows >"$T/ss6"
cut -d' ' -f1,2,5,6 "$T/ss6" >"$T/ss4"
same_lines "ss -tuan lists exactly the manifest's sockets" "$T/exp4" "$T/ss4"

# JSON --------------------------------------------------------------------
run "$CT" -J
cp "$T/out" "$T/json"
check "conntab -J exits 0, nothing on stderr" "$(last_run)" \
	test "$rc" = 0 -a ! -s "$T/err"
if jq -e 'type == "array" and all(.[]; type == "object")' "$T/json" >/dev/null 2>&1; then
	ok "conntab -J prints one JSON array of objects"
else
	notok "conntab -J prints one JSON array of objects" "jq cannot read it"
	diag "$T/json"
	echo '[]' >"$T/json"
fi
jq -r "$JQ_EP"' .[] | key4' "$T/json" >"$T/json4"
same_lines "JSON (laddr,lport,raddr,rport) lists exactly the manifest's sockets" "$T/exp4" "$T/json4"
jq -r "$JQ_EP"' .[] | key4 + " \(.recvq) \(.sendq)"' "$T/json" |
	awk '{ print $1, $2, $5, $6, $3, $4 }' >"$T/json6"
same_lines "JSON agrees with ss on every socket, queues included" "$T/ss6" "$T/json6"
jq -r "$JQ_EP"' .[] | key4 + " \(.recvq) \(.sendq)"' "$T/json" | grep -Fxf "$T/expq" >"$T/json_q" || true
same_lines "JSON recvq/sendq: listener accept queue and backlog, unread bytes, SYN" "$T/expq" "$T/json_q"

run "$CT" -J -o proto,state,local,remote
jq -r '.[] | "\(.proto) \(.state) \(.local) \(.remote)"' "$T/out" >"$T/jsonlr" 2>/dev/null
same_lines "JSON local/remote fields (-o) in conntab notation" "$T/exp4" "$T/jsonlr"
if jq -e 'all(.[]; keys == ["local", "proto", "remote", "state"])' "$T/out" >/dev/null 2>&1; then
	ok "JSON -o restricts each object to those keys"
else
	notok "JSON -o restricts each object to those keys" "$(jq -c '.[0] | keys' "$T/out" 2>&1 | head -c 200)"
fi

# JSON types and keys.
JQ_TYPES='
def num: type == "number";
def unconn: (.proto == "tcp" and .state == "LISTEN") or (.proto == "udp" and .state == "UNCONN");
.[] | select(
	([ "proto","family","state","laddr","lport","raddr","rport","recvq","sendq","uid","inode","pid","comm","owners" ] - keys) != []
	or (.proto | IN("tcp","udp") | not)
	or (.family | IN("inet","inet6") | not)
	or (.state | type) != "string"
	or (.laddr | type) != "string"
	or (.lport | num | not) or (.recvq | num | not) or (.sendq | num | not)
	or (.uid | num | not) or (.inode | num | not)
	or (if unconn then .raddr != null or .rport != null
	    else (.raddr | type) != "string" or (.rport | num | not) end)
	or ((.pid == null) != (.comm == null))
	or (.pid != null and (.pid | num | not))
	or ((.owners // []) | type) != "array"
	or any((.owners // [])[]; (.pid | num | not) or (.fd | num | not) or (.comm | type) != "string")
) | tojson'
jq -r "$JQ_TYPES" "$T/json" >"$T/badtypes" 2>&1
if [ -s "$T/badtypes" ]; then
	notok "JSON keys and types (numbers as numbers, raddr/rport null when unconnected)" "$(wc -l <"$T/badtypes") bad objects"
	diag "$T/badtypes"
else
	ok "JSON keys and types (numbers as numbers, raddr/rport null when unconnected)"
fi
jq -r '.[] | select((.family == "inet6") != (.laddr | test(":"))) | tojson' "$T/json" >"$T/badfam"
check "JSON family: inet for IPv4, inet6 for IPv6 and v4-mapped" "$(head -c 200 "$T/badfam")" test ! -s "$T/badfam"
check "JSON uid is 0 for root's sockets" "$(jq -c '[.[].uid] | unique' "$T/json")" \
	jqe 'all(.[]; .uid == 0)' "$T/json"
check "JSON inodes: distinct and non-zero for sockets held by a process" "" \
	jqe '[.[] | select((.owners // []) != []) | .inode] | (length == (unique | length)) and all(.[]; . > 0)' "$T/json"

# Owners, exactly.
jq -r "$JQ_EP"' .[] | key4 + " " + ownl' "$T/json" >"$T/jsonown"
same_lines "JSON owners: every (pid, fd) holding each socket" "$T/expown" "$T/jsonown"
jq -r "$JQ_EP"' .[] | key4 + " " + (if .pid == null then "-" else (.pid | tostring) end) + " " + (.comm // "-")' "$T/json" >"$T/jsoncomm"
same_lines "JSON pid/comm: the lowest owning pid and its name, null when none" "$T/expcomm" "$T/jsoncomm"
jq -r '[.[] | (.owners // [])[] | "\(.pid) \(.comm)"] | unique | .[]' "$T/json" >"$T/jsonprocs"
same_lines "JSON owners' comm: each process's name, escaped" "$T/expprocs" "$T/jsonprocs"
SHARED=$(tag shared | awk '{ print $4 }')
check "shared listener: both pids in JSON owners" "$(jq -c '.[] | select(.lport == 5013) | .owners' "$T/json")" \
	jqe --arg p "$(tag shared | awk '{ print $8 }')" \
	'[.[] | select(.lport == 5013 and .state == "LISTEN") | .owners | sort_by(.pid) | map("\(.pid):\(.fd)") | join(",")] == [$p]' "$T/json"
check "accept-queue connection: JSON pid and comm null" \
	"$(jq -c '.[] | select(.lport == 5015 and .state == "ESTABLISHED") | {pid,comm,owners}' "$T/json")" \
	jqe '[.[] | select(.lport == 5015 and .state == "ESTABLISHED")] | length == 1 and all(.[]; .pid == null and .comm == null and (.owners // []) == [])' "$T/json"
check "escaped name in JSON: comm is the 12 characters evil\\x1b[31m" \
	"$(jq -c '.[] | select(.lport == 5014) | .comm' "$T/json")" \
	jqe --arg c 'evil\x1b[31m' '[.[] | select(.lport == 5014)] | length == 1 and all(.[]; .comm == $c and .owners[0].comm == $c)' "$T/json"

check "a socket held twice by one process: two owners, same pid" \
	"$(jq -c '.[] | select(.lport == 5025) | .owners' "$T/json")" \
	jqe --arg p "$(tag dup | awk '{ print $8 }')" \
	'[.[] | select(.lport == 5025) | .owners | sort_by(.fd) | map("\(.pid):\(.fd)") | join(",")] == [$p]' "$T/json"

# Socket relations.
check "SO_REUSEPORT: two LISTEN rows on 127.0.0.1:5005, two inodes" \
	"$(jq -c '[.[] | select(.lport == 5005) | {state, inode}]' "$T/json")" \
	jqe '[.[] | select(.lport == 5005 and .laddr == "127.0.0.1" and .state == "LISTEN")] | length == 2 and (map(.inode) | unique | length) == 2' "$T/json"
check "many clients, one port: 5 client sockets with 5 distinct ephemeral ports" \
	"$(jq -c '[.[] | select(.rport == 5006) | .lport]' "$T/json")" \
	jqe '[.[] | select(.proto == "tcp" and .state == "ESTABLISHED" and .rport == 5006 and .laddr == "127.0.0.1" and .raddr == "127.0.0.1") | .lport] | length == 5 and (unique | length) == 5 and all(.[]; . >= 1024)' "$T/json"
check "many clients, one port: 5 accepted sockets on :5006, one per client port" \
	"$(jq -c '[.[] | select(.lport == 5006 and .state == "ESTABLISHED") | .rport]' "$T/json")" \
	jqe '([.[] | select(.state == "ESTABLISHED" and .lport == 5006) | .rport] | sort) as $s | ([.[] | select(.state == "ESTABLISHED" and .rport == 5006) | .lport] | sort) as $c | ($s | length) == 5 and $s == $c' "$T/json"
check "dual-stack: the accepted IPv4 connection is inet6 ::ffff:127.0.0.1" \
	"$(jq -c '[.[] | select(.lport == 5004) | {family, laddr, raddr, state}]' "$T/json")" \
	jqe '[.[] | select(.lport == 5004 and .state == "ESTABLISHED")] | length == 1 and all(.[]; .family == "inet6" and .laddr == "::ffff:127.0.0.1" and .raddr == "::ffff:127.0.0.1")' "$T/json"
# Dual-stack against IPv6-only wildcard listeners: apart, as ss shows them.
check "JSON v6only: false on the dual-stack [::]:5004, true on [::]:5026 and ::1, null on IPv4" \
	"$(jq -c '[.[] | select(.state == "LISTEN" and (.lport | IN(5001, 5003, 5004, 5026))) | {lport, v6only}]' "$T/json")" \
	jqe '([.[] | select(.state == "LISTEN" and .lport == 5004) | .v6only] == [false]) and
		([.[] | select(.state == "LISTEN" and .lport == 5026) | .v6only] == [true]) and
		([.[] | select(.state == "LISTEN" and .lport == 5003) | .v6only] == [true]) and
		all(.[]; (.family == "inet") == (.v6only == null))' "$T/json"
run "$CT" -H -t -l -o local,remote,v6only
check "table: the dual-stack listener is *:5004 *:* (as ss), the IPv6-only one [::]:5026 [::]:*" \
	"$(grep -E ':5004 |:5026 ' "$T/out" | tr -s ' ' | tr '\n' '|')" \
	test "$(grep -E ':(5004|5026) ' "$T/out" | tr -s ' ' | sed 's/ $//' | sort | tr '\n' '|')" = \
	"*:5004 *:* false|[::]:5026 [::]:* true|"
check "ss agrees: *:5004 and [::]:5026" "$(ss -tlnH | grep -E ':(5004|5026) ' | tr -s ' ' | tr '\n' '|')" \
	test "$(ss -tlnH | awk '$4 ~ /:(5004|5026)$/ { print $4, $5 }' | sort | tr '\n' '|')" = "*:5004 *:*|[::]:5026 [::]:*|"

for st in SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE_WAIT LAST_ACK CLOSING; do
	check "state $st is listed" "" jqe --arg s "$st" 'any(.[]; .state == $s and .proto == "tcp")' "$T/json"
done

# Table -------------------------------------------------------------------
run "$CT"
cp "$T/out" "$T/table"
check "table exits 0, nothing on stderr" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
check "table header: PROTO STATE RECVQ SENDQ LOCAL REMOTE PROCESS" "$(head -1 "$T/table")" \
	test "$(head -1 "$T/table" | tr -s ' ' | sed 's/ *$//')" = "PROTO STATE RECVQ SENDQ LOCAL REMOTE PROCESS"
run "$CT" -H
cp "$T/out" "$T/tableH"
check "-H: the same rows without the header (blanks squeezed: widths may differ)" "" \
	cmp -s <(tr -s ' ' <"$T/tableH") <(tail -n +2 "$T/table" | tr -s ' ')
awk 'NF != 7' "$T/tableH" >"$T/badnf"
check "table: 7 fields in every row (no blank inside a field)" "$(wc -l <"$T/badnf") bad rows" test ! -s "$T/badnf"
awk '{ print $1, $2, $3, $4, $5, $6 }' "$T/tableH" >"$T/table6"
same_lines "table rows agree with ss socket for socket (proto state recvq sendq local remote)" "$T/ss6" "$T/table6"
awk '{ print $1, $2, $5, $6, $7 }' "$T/tableH" >"$T/tableproc"
DUP=$(tag dup | awk '{ print $4 }')
grep -vF " $DUP " "$T/expproc" >"$T/expproc1"
grep -vF " $DUP " "$T/tableproc" >"$T/tableproc1"
same_lines "table PROCESS: comm(pid), comm(pid,+N) when shared, - when no owner" "$T/expproc1" "$T/tableproc1"
want=$(grep -F " $DUP " "$T/expproc" | awk '{ print $5 }')
check "table PROCESS of a socket one process holds twice: $want (+N counts processes)" "$(grep -F " $DUP " "$T/tableH")" \
	test "$(grep -F " $DUP " "$T/tableproc" | awk '{ print $5 }')" = "$want"
want=$(awk -v l="$SHARED" '$3 == l { print $5 }' "$T/expproc")
check "shared listener: PROCESS is $want" "$(grep ':5013 ' "$T/tableH")" \
	test "$(awk -v l="$SHARED" '$2 == "LISTEN" && $5 == l { print $7 }' "$T/tableH")" = "$want"
	grep -qE "^tcp +LISTEN +0 +16 +127\.0\.0\.1:5013 +0\.0\.0\.0:\* +$(grep -F " $SHARED " "$T/expproc" | awk '{ print $5 }' | sed 's/[](.+*[]/\\&/g')\$" "$T/tableH"
check "accept-queue connection: PROCESS is -" "$(grep '127.0.0.1:5015 ' "$T/tableH")" \
	grep -qE '^tcp +ESTABLISHED +0 +0 +127\.0\.0\.1:5015 +127\.0\.0\.1:[0-9]+ +-$' "$T/tableH"
check "escaped name in the table: evil\\x1b[31m($EVILPID)" "$(grep ':5014 ' "$T/tableH" | cat -v)" \
	grep -qF " evil\\x1b[31m($EVILPID)" "$T/tableH"
check "name with blank and backslash in the table: q,\"a\\x20b\\\\($COMMAPID)" "$(grep ':5016 ' "$T/tableH" | cat -v)" \
	grep -qF " q,\"a\\x20b\\\\($COMMAPID)" "$T/tableH"
run "$CT" -P
check "two runs print the same text (-P: no owners)" "" \
	cmp -s "$T/out" <(timeout 60 "$CT" -P 2>&1)

# TSV and CSV: the same rows as the table ---------------------------------
tr -s ' ' <"$T/table" | sed 's/ $//' | tr ' ' '\t' >"$T/table.tsv"
run "$CT" --format tsv
cp "$T/out" "$T/tsv"
check "--format tsv exits 0" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
if cmp -s "$T/tsv" "$T/table.tsv"; then
	ok "--format tsv: the table's header and rows, tab-separated"
else
	notok "--format tsv: the table's header and rows, tab-separated" "differs"
	diff "$T/table.tsv" "$T/tsv" | diag
fi
check "--format tsv: no CR" "" test "$(tr -cd '\r' <"$T/tsv" | wc -c)" = 0
run "$CT" --format csv
cp "$T/out" "$T/csv"
check "--format csv exits 0" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
check "--format csv: every line ends in CR LF" "" \
	test "$(grep -c $'\r$' "$T/csv")" = "$(wc -l <"$T/csv")" -a "$(wc -l <"$T/csv")" -gt 1
python3 - "$T/csv" >"$T/csv.tsv" 2>"$T/csv.err" <<'EOF'
import csv, sys
# RFC 4180 reading: the csv module accepts CRLF and quoted fields.
with open(sys.argv[1], newline='', encoding='ascii') as f:
    for row in csv.reader(f, strict=True):
        print('\t'.join(row))
EOF
if cmp -s "$T/csv.tsv" "$T/table.tsv"; then
	ok "--format csv: the table's header and rows, RFC 4180"
else
	notok "--format csv: the table's header and rows, RFC 4180" "differs $(head -c 100 "$T/csv.err")"
	diff "$T/table.tsv" "$T/csv.tsv" | diag
fi
check "--format csv quotes the field holding a comma and a quote" "$(grep ':5016,' "$T/csv" | cat -v)" \
	grep -qF ",\"q,\"\"a\\x20b\\\\($COMMAPID)\""$'\r' "$T/csv"
run "$CT" -H --format tsv
check "-H --format tsv: no header" "" cmp -s "$T/out" <(tail -n +2 "$T/tsv")
run "$CT" -H --format csv
check "-H --format csv: no header" "" cmp -s "$T/out" <(tail -n +2 "$T/csv")

# The same text on a terminal as through a pipe, apart from colour --------
if command -v script >/dev/null; then
	# on_tty ARGS...: conntab's output on a pseudo-terminal (CR LF undone).
	on_tty() { timeout 60 script -qec "$(printf '%q ' "$CT" "$@")" /dev/null | tr -d '\r'; }
	run "$CT" --color=never
	cp "$T/out" "$T/pipe"
	on_tty --color=never >"$T/tty"
	check "terminal --color=never: the same text as through a pipe" "$(diff "$T/pipe" "$T/tty" | head -3 | cat -v | tr '\n' ' ')" \
		cmp -s "$T/pipe" "$T/tty"
	on_tty >"$T/tty"
	sed 's/\x1b\[[0-9;]*m//g' "$T/tty" >"$T/tty.plain"
	check "terminal (colour by default): the same text once SGR sequences are removed" "$(diff "$T/pipe" "$T/tty.plain" | head -3 | cat -v | tr '\n' ' ')" \
		cmp -s "$T/pipe" "$T/tty.plain"
	check "terminal: the name's ESC is still escaped among the colours" "" \
		grep -qF "evil\\x1b[31m($EVILPID)" "$T/tty.plain"
	NO_COLOR=1 on_tty >"$T/tty"
	check "terminal with NO_COLOR=1: no colour at all" "$(grep -c "$ESC" "$T/tty") lines with ESC" \
		cmp -s "$T/pipe" "$T/tty"
else
	notok "terminal checks" "no script(1)"
fi

# -e: uid, user, inode.
run "$CT" -e
check "-e: header PROTO STATE RECVQ SENDQ LOCAL REMOTE UID USER INODE PROCESS" "$(head -1 "$T/out")" \
	test "$(head -1 "$T/out" | tr -s ' ' | sed 's/ *$//')" = "PROTO STATE RECVQ SENDQ LOCAL REMOTE UID USER INODE PROCESS"
tail -n +2 "$T/out" | awk '{ print $1, $2, $5, $6, $7, $8, $9 }' >"$T/table_e"
jq -r "$JQ_EP"' .[] | key4 + " \(.uid) root \(.inode)"' "$T/json" >"$T/json_e"
same_lines "-e: uid, user root and the same inodes as JSON" "$T/json_e" "$T/table_e"
run "$CT" -e -J
check "-e JSON: user is \"root\" on every object" "$(jq -c '[.[].user] | unique' "$T/out" 2>&1)" \
	jqe 'length > 0 and all(.[]; .user == "root")' "$T/out"

# tcp_info fields fetch tcp_info without -i --------------------------------
# Naming one in -o, --sort or -g is asking for it; it used to print "-".
run "$CT" -t -H -o state,rtt,cwnd --sort rtt state established
check "-o rtt,cwnd --sort rtt without -i: figures on every connection" "$(last_run): $(head -3 "$T/out" | tr '\n' '|')" \
	test "$rc" = 0 -a -s "$T/out" -a -z "$(awk '$2 !~ /^[0-9]+\.[0-9][0-9][0-9]$/ || $3 !~ /^[0-9]+$/' "$T/out")"
check "--sort rtt without -i: sorted by rtt" "$(awk '{ print $2 }' "$T/out" | tr '\n' ' ' | head -c 200)" \
	sh -c "awk '{ print \$2 }' '$T/out' | sort -nc"
run "$CT" -J -t -o rtt,retrans,bytes_recv state established
check "-J -o rtt,retrans,bytes_recv without -i: JSON numbers" "$(head -c 200 "$T/out")" \
	jqe 'length > 0 and all(.[]; (.rtt | type) == "number" and (.retrans | type) == "number" and (.bytes_recv | type) == "number")' "$T/out"
run "$CT" -t -H -g state -o state,count,bytes_sent state established
check "-g with -o bytes_sent without -i: the group's sum, not '-'" "$(last_run): $(cat "$T/out" | head -2 | tr '\n' '|')" \
	grep -Eq '^ESTABLISHED +[0-9]+ +[0-9]+$' "$T/out"
run "$CT" -t -H -g rtt state established
check "-g rtt without -i: groups by the figure, not one '-' group" "$(last_run): $(head -3 "$T/out" | tr '\n' '|')" \
	test "$rc" = 0 -a -s "$T/out" -a -z "$(awk '$1 !~ /^[0-9]+\.[0-9][0-9][0-9]$/' "$T/out")"

# -T -u: a bound UDP socket has no listen queue, so no queue= ----------------
run "$CT" -T -u
check "-T -u: UDP heads without queue= (their recvq is bytes: 5010 holds a datagram)" \
	"$(last_run): $(grep -E '^udp ' "$T/out" | head -3 | tr '\n' '|')" \
	test "$rc" = 0 -a -n "$(grep -E '^udp 127\.0\.0\.1:5010 +UNCONN +conns=0 ' "$T/out")" -a \
	-z "$(grep 'queue=' "$T/out")"
run "$CT" -T -t
check "-T -t: TCP listeners keep queue=accept/backlog" "$(grep ':5015 ' "$T/out" | head -2 | tr '\n' '|')" \
	grep -Eq '^tcp 127\.0\.0\.1:5015 +LISTEN queue=1/8 ' "$T/out"

# No raw ESC anywhere -------------------------------------------------------
escfail=
for args in "" "-J" "--format tsv" "--format csv" "-e" "-i" "-o comm,owners,process" \
	"-J -o comm,owners,process" "-g comm" "-J -g comm" "--sort comm" "-T" "-s" ; do
	# shellcheck disable=SC2086
	timeout 60 "$CT" $args >"$T/o" 2>&1
	c=$(grep -c "$ESC" "$T/o")
	[ "$c" = 0 ] || escfail="$escfail [$args: $c lines]"
done
check "no raw ESC byte in any output (table, json, tsv, csv, -e, -i, -o, -g, --sort, -T, -s)" "$escfail" test -z "$escfail"
check "escaped name in tsv" "$(grep ':5014' "$T/tsv" | cat -v)" grep -qF $'\t'"evil\\x1b[31m($EVILPID)" "$T/tsv"
check "escaped name in csv" "$(grep ':5014' "$T/csv" | cat -v)" grep -qF ",evil\\x1b[31m($EVILPID)"$'\r' "$T/csv"
check "escaped name in JSON text (\"evil\\\\x1b[31m\")" "$(grep -o '"comm":"evil[^"]*"' "$T/json" | head -1 | cat -v)" \
	grep -qF '"comm":"evil\\x1b[31m"' "$T/json"

# Options restrict as documented ------------------------------------------
# optset DESC JQFILTER ARGS...: conntab ARGS -J lists exactly the manifest's
# sockets that the jq filter (on {proto,state,local,remote}) keeps.
optset() {
	local desc=$1 sel=$2
	shift 2
	tw_gone
	run "$CT" -J "$@"
	if [ "$rc" != 0 ]; then notok "$desc" "$(last_run)"; return; fi
	jq -r "$JQ_EP"' .[] | key4' "$T/out" >"$T/got" 2>/dev/null
	jq -R -r "split(\" \") | {proto: .[0], state: .[1], local: .[2], remote: .[3]} | select($sel) | \"\(.proto) \(.state) \(.local) \(.remote)\"" "$T/exp4" >"$T/want"
	same_lines "$desc" "$T/want" "$T/got"
}
optset "-t: TCP only" '.proto == "tcp"' -t
optset "-u: UDP only" '.proto == "udp"' -u
# IPv6 in the manifest's notation: "[...]", or "*" for a dual-stack wildcard
optset "-4: IPv4 only" '.local | test("^[[*]") | not' -4
optset "-6: IPv6 only (v4-mapped and dual-stack included)" '.local | test("^[[*]")' -6
optset "-l: TCP LISTEN and UDP UNCONN" '.state == "LISTEN" or .state == "UNCONN"' -l
optset "-tl: TCP listeners" '.state == "LISTEN"' -t -l
optset "-ul: UDP UNCONN" '.state == "UNCONN"' -u -l
optset "-6 -u: UDP over IPv6" '.proto == "udp" and (.local | test("^[[*]"))' -6 -u
optset "-4 -t: TCP over IPv4" '.proto == "tcp" and (.local | test("^[[*]") | not)' -4 -t
optset "-tulpn: listeners of both protocols" '.state == "LISTEN" or .state == "UNCONN"' -tulpn
optset "-tanp: every TCP socket" '.proto == "tcp"' -tanp
run "$CT" -tulpn
check "conntab -tulpn (table) exits 0" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
check "conntab -tulpn shows owners" "" grep -qF "sockmix($MIXPID)" "$T/out"
run "$CT" -tanp
check "conntab -tanp (table) exits 0" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
check "conntab -tanp lists TCP only" "" test "$(tail -n +2 "$T/out" | awk '$1 != "tcp"' | wc -l)" = 0 -a "$(wc -l <"$T/out")" -gt 1

# -P: no owner lookup.
optset "-P lists every socket" 'true' -P
check "-P JSON: no pid, comm or owners key; the 11 base keys" "$(jq -c '.[0] | keys' "$T/out" 2>&1)" \
	jqe 'length > 0 and all(.[]; (has("pid") or has("comm") or has("owners") | not) and (["proto","family","state","laddr","lport","raddr","rport","recvq","sendq","uid","inode"] - keys) == [])' "$T/out"
run "$CT" -P
check "-P table: no PROCESS column" "$(head -1 "$T/out")" \
	test "$(head -1 "$T/out" | tr -s ' ' | sed 's/ *$//')" = "PROTO STATE RECVQ SENDQ LOCAL REMOTE"

# -g: one row per distinct value, counted exactly ---------------------------
# gcount DESC FIELDS: conntab -J -g FIELDS against the groups made by jq from
# the (already checked) -J output, and sorted by count, largest first.
gcount() {
	local desc=$1 f=$2
	tw_gone
	run "$CT" -J -g "$f"
	if [ "$rc" != 0 ]; then notok "$desc" "$(last_run)"; return; fi
	jq -r --arg f "$f" '($f | split(",")) as $k | .[] | [(.[$k[]] | tojson)] + [(.count | tostring)] | join(" ")' "$T/out" >"$T/got" 2>/dev/null
	# as a group key, a v4-mapped address is its IPv4 address
	jq -r --arg f "$f" 'def key($f): .[$f] | if ($f == "laddr" or $f == "raddr") and
		type == "string" and test("^::ffff:[0-9.]+$") then ltrimstr("::ffff:") else . end;
	($f | split(",")) as $k | group_by([key($k[])]) | .[] | [(.[0] | key($k[]) | tojson)] + [(length | tostring)] | join(" ")' "$T/json" >"$T/want"
	same_lines "$desc" "$T/want" "$T/got"
	check "$desc: largest group first" "$(jq -c '[.[].count]' "$T/out" 2>&1 | head -c 200)" \
		jqe '[.[].count] as $c | $c == ($c | sort | reverse)' "$T/out"
}
gcount "-g proto,state: one row per (proto, state) with its count" proto,state
gcount "-g lport: one row per local port with its count" lport
gcount "-g raddr: one row per remote address (null once) with its count" raddr

# Unprivileged ------------------------------------------------------------
tw_gone
CTU=$CT
if ! runuser -u nobody -- test -x "$CT" 2>/dev/null; then
	cp "$CT" "$T/conntab"; chmod 755 "$T/conntab"; CTU=$T/conntab
fi
run runuser -u nobody -- "$CTU" -J
check "as nobody: -J exits 0" "$(last_run)" test "$rc" = 0
jq -r "$JQ_EP"' .[] | key4' "$T/out" >"$T/nobody4" 2>/dev/null
same_lines "as nobody: every socket of the namespace is listed" "$T/exp4" "$T/nobody4"
check "as nobody: owners of root's processes are null" "$(jq -c '[.[] | select(.pid != null) | .lport]' "$T/out" 2>&1 | head -c 200)" \
	jqe 'length > 0 and all(.[]; .pid == null and .comm == null and (.owners // []) == [])' "$T/out"
run runuser -u nobody -- "$CTU" -H
check "as nobody: table PROCESS is - everywhere" "$(last_run)" \
	test "$rc" = 0 -a "$(awk '$NF != "-"' "$T/out" | wc -l)" = 0 -a "$(wc -l <"$T/out")" = "$(wc -l <"$T/exp4")"

# An unprivileged user sees the owners of its own processes.
SMU=$SOCKMIX
if ! runuser -u nobody -- test -x "$SOCKMIX" 2>/dev/null; then
	cp "$SOCKMIX" "$T/sockmix"; chmod 755 "$T/sockmix"; SMU=$T/sockmix
fi
if start_helper "$T/numf" runuser -u nobody -- "$SMU" listen 127.0.0.1 5060; then
	NUPID=$(awk '$1 == "proc" { print $2 }' "$T/numf")
	NUOWN=$(awk '$1 == "sock" { print $8 }' "$T/numf")
	run runuser -u nobody -- "$CTU" -J
	check "as nobody: its own process owns its listener, root's show null" \
		"$(last_run): $(jq -c '[.[] | select(.pid != null) | {lport, owners}]' "$T/out" 2>&1 | head -c 200)" \
		jqe --arg o "$NUOWN" "$JQ_EP"' [.[] | select(.pid != null) | key4 + " " + ownl + " " + .comm] == ["tcp LISTEN 127.0.0.1:5060 0.0.0.0:* " + $o + " sockmix"]' "$T/out"
	run runuser -u nobody -- "$CTU" -H
	check "as nobody: table PROCESS sockmix($NUPID) for its own listener" "$(grep ':5060 ' "$T/out")" \
		grep -qE "^tcp +LISTEN +0 +16 +127\.0\.0\.1:5060 +0\.0\.0\.0:\* +sockmix\($NUPID\)\$" "$T/out"
	run "$CT" -J
	check "as root: the nobody process's listener has its owner" "" \
		jqe --arg o "$NUOWN" "$JQ_EP"' [.[] | select(.lport == 5060) | ownl] == [$o]' "$T/out"
	# The helper's pid is runuser's, which waits for sockmix: stop sockmix.
	kill -TERM "$NUPID" 2>/dev/null
	wait "$helper_pid" 2>/dev/null
else
	notok "sockmix as nobody is READY" "$(tail -2 "$T/numf")"
fi

# A closed pipe ends quietly ------------------------------------------------
# piped SIGPIPE-DISPOSITION ARGS...: conntab ARGS | head -1; status and stderr.
piped() {
	local disp=$1
	shift
	timeout -k 5 60 env "$disp" "$CT" "$@" 2>"$T/perr" | head -1 >/dev/null
	prc=${PIPESTATUS[0]}
}
for disp in --default-signal=PIPE --ignore-signal=PIPE; do
	piped "$disp"
	check "conntab | head -1 ($disp): status 0, no stderr" "exit $prc, stderr: $(head -c 200 "$T/perr")" \
		test "$prc" = 0 -a ! -s "$T/perr"
done
if start_helper "$T/flood" "$SOCKMIX" udpflood 2000 &&
	UFLOODPID=$helper_pid &&
	start_helper "$T/tflood" "$SOCKMIX" tcpflood 700; then
	TFLOODPID=$helper_pid
	bytes=$(timeout 60 "$CT" | wc -c)
	check "with 4100 more sockets the table exceeds a pipe buffer" "$bytes bytes" test "$bytes" -gt 65536
	# Dumps that span many netlink messages lose and repeat nothing.
	ss_rows >"$T/ssbig"
	run "$CT" -P -J
	jq -r "$JQ_EP"' .[] | key4 + " \(.recvq) \(.sendq)"' "$T/out" 2>/dev/null |
		awk '{ print $1, $2, $5, $6, $3, $4 }' >"$T/ctbig"
	same_lines "many sockets: conntab -P -J agrees with ss ($(wc -l <"$T/ssbig") sockets)" "$T/ssbig" "$T/ctbig"
	run "$CT" -J
	check "many sockets: the 2000 UDP sockets are owned by their process" \
		"$(jq --argjson p "$UFLOODPID" '[.[] | select(.pid == $p)] | length' "$T/out" 2>&1)" \
		jqe --argjson p "$UFLOODPID" '[.[] | select(.pid == $p and .proto == "udp" and (.owners | length) == 1)] | length == 2000' "$T/out"
	check "many sockets: the 2101 TCP sockets are owned by their process" \
		"$(jq --argjson p "$TFLOODPID" '[.[] | select(.pid == $p)] | length' "$T/out" 2>&1)" \
		jqe --argjson p "$TFLOODPID" '[.[] | select(.pid == $p and .proto == "tcp" and (.owners | length) == 1)] | length == 2101' "$T/out"
	check "many sockets: the 700 connections to 127.0.0.3:5098 have 700 client ports" "" \
		jqe '[.[] | select(.state == "ESTABLISHED" and .rport == 5098) | .lport] | unique | length == 700' "$T/out"
	for disp in --default-signal=PIPE --ignore-signal=PIPE; do
		for args in "" "-J" "--format csv" "-P"; do
			# shellcheck disable=SC2086
			piped "$disp" $args
			check "many sockets: conntab $args | head -1 ($disp): status 0, no stderr" \
				"exit $prc, stderr: $(head -c 200 "$T/perr")" test "$prc" = 0 -a ! -s "$T/perr"
		done
	done
	stop_helper "$TFLOODPID"
	stop_helper "$UFLOODPID"
else
	notok "udpflood 2000 and tcpflood 700 are READY" "$(tail -2 "$T/flood" "$T/tflood" | tr '\n' ' ')"
fi

# -N: another network namespace ---------------------------------------------
tw_gone
NS=cttest$$
if ip netns add "$NS" 2>"$T/nserr"; then
	IT_CLEANUP+=("ip netns del $NS")
	ip -n "$NS" link set lo up
	if start_helper "$T/nsmf" ip netns exec "$NS" "$SOCKMIX" listen 127.0.0.1 5050; then
		NSPID=$(awk '$1 == "proc" { print $2 }' "$T/nsmf")
		NSOWN=$(awk '$1 == "sock" { print $8 }' "$T/nsmf")
		want='tcp LISTEN 127.0.0.1:5050 0.0.0.0:* '$NSOWN
		for nsarg in "-N $NS" "--netns $NS" "-N /run/netns/$NS" "-N /proc/$NSPID/ns/net" "-N $NSPID" "--netns=$NS"; do
			# shellcheck disable=SC2086
			run "$CT" $nsarg -J
			got=$(jq -r "$JQ_EP"' .[] | key4 + " " + ownl' "$T/out" 2>/dev/null)
			check "$nsarg: exactly the namespace's one listener, with its owner" \
				"$(last_run), got: $(echo "$got" | tr '\n' ';' | head -c 200)" \
				test "$rc" = 0 -a "$got" = "$want"
		done
		run "$CT" -N "$NS" -H
		check "-N $NS table" "$(last_run): $(head -c 200 "$T/out")" \
			grep -qE "^tcp +LISTEN +0 +16 +127\.0\.0\.1:5050 +0\.0\.0\.0:\* +sockmix\($NSPID\)\$" "$T/out"
		run "$CT" -J
		check "without -N: still this namespace's sockets" "" \
			test "$(jq -r "$JQ_EP"' .[] | key4' "$T/out" 2>/dev/null | sort)" = "$(sort "$T/exp4")"
	else
		notok "listener in netns $NS is READY" "$(tail -2 "$T/nsmf")"
	fi
else
	notok "ip netns add $NS" "$(head -c 200 "$T/nserr")"
fi
for bad in "nosuchns$$" "/nonexistent/ns/net" "/etc/hostname" "999999999"; do
	run "$CT" -N "$bad"
	check "-N $bad: exit 1, one line 'conntab: ...' on stderr, nothing on stdout" "$(last_run)" \
		test "$rc" = 1 -a "$(wc -l <"$T/err")" = 1 -a ! -s "$T/out"
	check "-N $bad: the message starts with 'conntab: '" "$(head -c 200 "$T/err")" grep -q '^conntab: ' "$T/err"
done

# The mix is still what it was: nothing above disturbed it.
tw_gone
ss_rows | cut -d' ' -f1,2,5,6 >"$T/ss4b"
same_lines "at the end, ss still lists the manifest's sockets" "$T/exp4" "$T/ss4b"

it_finish
