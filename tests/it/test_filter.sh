#!/usr/bin/env bash
# Issue 3, the filter language: inside a private network namespace, with
# sockmix's mixed population, every expression of a corpus selects exactly
# the sockets that an independent jq predicate picks from the unfiltered
# JSON listing -- with the push-down into the kernel, and without it
# (CONNTAB_NO_PUSHDOWN=1). CONNTAB_DEBUG=1 shows what the kernel returned:
# the push-down really narrows the dump, and the kernel never refuses a
# program. The examples of SPEC §5 and of the man page run; malformed
# filters are one clean line and exit 2.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"
set -f			# filter words like 'comm evil*' are not shell globs

CT=$CONNTAB
T=$IT_TMP
SOCKMIX=$(it_bin sockmix) || { notok "build sockmix" "cc failed"; it_finish; exit; }

MF=$T/manifest
if ! start_helper "$MF" "$SOCKMIX"; then
	notok "sockmix is READY" "$(tail -3 "$MF" | tr '\n' ' ')"
	it_finish; exit
fi
ok "sockmix is READY ($(grep -c '^sock ' "$MF") sockets)"
KIDPID=$(awk '$1 == "proc" && $3 == "sockmix-kid" { print $2 }' "$MF")
MIXPID=$(awk '$1 == "proc" && $3 == "sockmix" { print $2 }' "$MF")

# jq helpers: one line per socket, and the filter's meaning written down
# independently of conntab. An IPv4 condition also matches the IPv4 inside
# an IPv4-mapped IPv6 address; an unconnected socket has raddr/rport null
# in JSON, and the filter sees its remote end as the kernel (and ss) do:
# the wildcard address and port 0 (ra, rp).
JQ_DEFS="$JQ_EP"'
def line: key4 + " " + (.inode | tostring);
def v4(a): if a == null then null else (a | ltrimstr("::ffff:")) end;
def isv4(a): a != null and (a | test("^(::ffff:)?[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$"));
def n4: split(".") | map(tonumber) | .[0] * 16777216 + .[1] * 65536 + .[2] * 256 + .[3];
def in4(a; net; bits): isv4(a) and
	((v4(a) | n4) / pow(2; 32 - bits) | floor) == ((net | n4) / pow(2; 32 - bits) | floor);
def owner(f): any((.owners // [])[]; f);
def connected: .state != "LISTEN" and .state != "UNCONN" and .state != "CLOSE";
def rp: .rport // 0;
def ra: .raddr // (if .family == "inet6" then "::" else "0.0.0.0" end);
'

# The corpus: FILTER @@ JQ PREDICATE [@@ empty: must match nothing; @@
# maybe: may match nothing]. The expressions that see short-lived states
# (TIME_WAIT lasts 60 s, the deferred SYN_RECV and the SYN_SENT less than
# that) come first, and may find them gone on a slow machine.
CORPUS=$T/corpus
cat >"$CORPUS" <<'EOF'
src 127.0.0.0/8 @@ in4(.laddr; "127.0.0.0"; 8)
dst 127.0.0.0/31 @@ in4(.raddr; "127.0.0.0"; 31)
src 0.0.0.0/0 @@ isv4(.laddr)
dst 0.0.0.0/0 @@ isv4(ra)
not dst 0.0.0.0/0 @@ isv4(ra) | not
not (src 127.0.0.0/8 or src ::/0) @@ .family == "inet" and (in4(.laddr; "127.0.0.0"; 8) | not)
state time-wait @@ .state == "TIME_WAIT" @@ maybe
state TIME_WAIT or state syn-recv @@ .state == "TIME_WAIT" or .state == "SYN_RECV" @@ maybe
state connected @@ connected
state synchronized @@ connected and .state != "SYN_SENT"
state bucket @@ .state == "SYN_RECV" or .state == "TIME_WAIT" @@ maybe
state big @@ .state != "SYN_RECV" and .state != "TIME_WAIT"
state syn-sent @@ .state == "SYN_SENT" @@ maybe
:5006 @@ .lport == 5006 or .rport == 5006
sport :5006 @@ .lport == 5006
dport :5006 @@ .rport == 5006
sport = 5006 or dport == 5006 @@ .lport == 5006 or .rport == 5006
lport = 5013 @@ .lport == 5013
rport != 5006 @@ rp != 5006
not dport = 5006 @@ (.rport == 5006) | not
dport >= 5010 @@ rp >= 5010
dport < 5010 @@ rp < 5010
sport > 5020 and sport < 6000 @@ .lport > 5020 and .lport < 6000
sport le 5003 @@ .lport <= 5003
sport ge 32768 @@ .lport >= 32768
dport gt 5020 or dport lt 5002 @@ rp > 5020 or rp < 5002
not (dport < 5010 or dport >= 5010) @@ false @@ empty
dport = 0 @@ rp == 0
dport neq 0 @@ rp != 0
127.0.0.1 @@ v4(.laddr) == "127.0.0.1" or v4(.raddr) == "127.0.0.1"
src 127.0.0.2 @@ .laddr == "127.0.0.2"
dst 127.0.0.1 @@ isv4(.raddr) and v4(.raddr) == "127.0.0.1"
src 127.0.0.2/32 or src 0.0.0.0 @@ .laddr == "127.0.0.2" or .laddr == "0.0.0.0"
src ::1 @@ .laddr == "::1"
dst [::1]:5003 @@ .raddr == "::1" and .rport == 5003
[::1]:5012 @@ (.laddr == "::1" and .lport == 5012) or (.raddr == "::1" and .rport == 5012)
src ::/0 @@ .family == "inet6"
dst ::/0 @@ .family == "inet6"
src ::ffff:127.0.0.1 @@ .laddr == "::ffff:127.0.0.1"
src [::ffff:127.0.0.0]/104 @@ .laddr != null and (.laddr | startswith("::ffff:127."))
127.0.0.1:5004 @@ (v4(.laddr) == "127.0.0.1" and .lport == 5004) or (v4(.raddr) == "127.0.0.1" and .rport == 5004)
src *:5018 @@ .lport == 5018
dst * @@ true
not dst * @@ false @@ empty
dst 0.0.0.0 @@ ra == "0.0.0.0"
dst :5006 @@ .rport == 5006
state established @@ .state == "ESTABLISHED"
state listen @@ .state == "LISTEN"
state listening state unconn @@ .state == "LISTEN" or .state == "UNCONN"
state listening and tcp @@ .state == "LISTEN"
state unconn @@ .state == "UNCONN"
state fin-wait-1 or state fin-wait-2 or state close-wait or state last-ack or state closing @@ .state | IN("FIN_WAIT1", "FIN_WAIT2", "CLOSE_WAIT", "LAST_ACK", "CLOSING")
state != established and tcp @@ .proto == "tcp" and .state != "ESTABLISHED"
tcp @@ .proto == "tcp"
udp and inet6 @@ .proto == "udp" and .family == "inet6"
inet @@ .family == "inet"
proto udp family inet @@ .proto == "udp" and .family == "inet"
not inet6 and not state listen @@ .family == "inet" and .state != "LISTEN"
comm sockmix @@ owner(.comm == "sockmix")
proc sockmix-kid @@ owner(.comm == "sockmix-kid")
not comm sockmix @@ owner(.comm == "sockmix") | not
comm evil* @@ owner(.comm | startswith("evil"))
comm sockmix-?id @@ owner(.comm == "sockmix-kid")
pid KIDPID @@ owner(.pid == $kid)
pid != MIXPID and tcp @@ .proto == "tcp" and (owner(.pid == $mix) | not)
uid 0 @@ .uid == 0
user root and sport :5001 @@ .lport == 5001
not uid 0 @@ .uid != 0 @@ empty
(sport :5006 or dport :5006) and state established and not comm sockmix-kid @@ (.lport == 5006 or .rport == 5006) and .state == "ESTABLISHED" and (owner(.comm == "sockmix-kid") | not)
tcp and (dst 127.0.0.1 or dst ::1) and not (dport = 5006 or sport = 5006) @@ .proto == "tcp" and (v4(.raddr) == "127.0.0.1" or .raddr == "::1") and .lport != 5006 and .rport != 5006
sport :5001 || sport :5002 || sport :5003 @@ .lport | IN(5001, 5002, 5003)
! ( tcp && state listen ) @@ (.proto == "tcp" and .state == "LISTEN") | not
udp dport :5010 @@ .proto == "udp" and .rport == 5010
src 127.0.0.1 and dport > 5005 and dport < 5010 or udp @@ (v4(.laddr) == "127.0.0.1" and rp > 5005 and rp < 5010) or .proto == "udp"
sport :https or :5016 @@ .lport == 443 or .lport == 5016 or .rport == 5016
state established dst 127.0.0.0/8 @@ .state == "ESTABLISHED" and in4(.raddr; "127.0.0.0"; 8)
not (sport :5006 and comm sockmix) @@ (.lport == 5006 and owner(.comm == "sockmix")) | not
dport != 5006 and not comm sockmix @@ rp != 5006 and (owner(.comm == "sockmix") | not)
EOF
sed -i "s/KIDPID/$KIDPID/; s/MIXPID/$MIXPID/" "$CORPUS"
check "the corpus holds at least 50 expressions" "$(wc -l <"$CORPUS")" \
	test "$(wc -l <"$CORPUS")" -ge 50

# try_expr: run the current filter three ways; why is empty when all agree.
try_expr() {
	why=
	: >"$T/whydiff"
	# owners only where the predicate needs them: /proc is the whole
	# host's, and reading it is the slow part
	local own=-P
	case $pred in *owner*) own= ;; esac
	# the expected set, from the unfiltered listing taken just before
	run "$CT" -J $own
	cp "$T/out" "$T/all.json"
	# with push-down, the filter as many words
	# shellcheck disable=SC2086
	CONNTAB_DEBUG=1 run "$CT" -J $own $filter
	cp "$T/out" "$T/push.json"
	cp "$T/err" "$T/push.err"
	prc=$rc
	# without push-down, the filter as one argument
	CONNTAB_NO_PUSHDOWN=1 run "$CT" -J $own "$filter"
	urc=$rc
	if [ "$prc" != 0 ] || [ "$urc" != 0 ]; then
		why="exit $prc with push-down, $urc without: $(head -c 200 "$T/push.err" "$T/err")"
		return
	fi
	# one jq run: the expected lines, then conntab's, then conntab's
	if ! jq -r --argjson kid "$KIDPID" --argjson mix "$MIXPID" \
	    --slurpfile all "$T/all.json" --slurpfile push "$T/push.json" \
	    --slurpfile user "$T/out" -n "$JQ_DEFS
	    (\$all[0][] | select($pred) | \"want \" + line),
	    (\$push[0][] | \"push \" + line), (\$user[0][] | \"user \" + line)" \
	    >"$T/lines" 2>"$T/jqerr"; then
		why="the jq predicate fails: $(head -c 200 "$T/jqerr")"
		return
	fi
	for w in want push user; do
		sed -n "s/^$w //p" "$T/lines" | sort >"$T/$w"
	done
	mv "$T/push" "$T/got_push"
	mv "$T/user" "$T/got_user"
	if ! cmp -s "$T/want" "$T/got_push"; then
		why="push-down: $(comm -23 "$T/want" "$T/got_push" | wc -l) missing, $(comm -13 "$T/want" "$T/got_push" | wc -l) extra"
		diff "$T/want" "$T/got_push" | grep '^[<>]' >"$T/whydiff"
	elif ! cmp -s "$T/want" "$T/got_user"; then
		why="user space: $(comm -23 "$T/want" "$T/got_user" | wc -l) missing, $(comm -13 "$T/want" "$T/got_user" | wc -l) extra"
		diff "$T/want" "$T/got_user" | grep '^[<>]' >"$T/whydiff"
	elif ! grep -q ', 0 refused$' "$T/push.err"; then
		why="the kernel refused the bytecode: $(head -c 200 "$T/push.err")"
	elif [ -z "$flag" ] && [ ! -s "$T/want" ]; then
		why="matches nothing: a weak test"
	elif [ "$flag" = empty ] && [ -s "$T/want" ]; then
		why="expected to match nothing"
	fi
}

nexpr=0
while IFS= read -r line <&3; do
	filter=${line%% @@ *}
	pred=${line#* @@ }
	flag=
	case $pred in
	*" @@ empty") pred=${pred% @@ empty}; flag=empty ;;
	*" @@ maybe") pred=${pred% @@ maybe}; flag=maybe ;;
	esac
	nexpr=$((nexpr + 1))
	# a socket that changes state between the runs (TIME_WAIT expires,
	# the deferred SYN_RECV completes) is not a failure: take it again
	for attempt in 1 2 3; do
		try_expr
		[ -z "$why" ] && break
		sleep 0.5
	done
	if [ -z "$why" ]; then
		ok "$filter: $(wc -l <"$T/want") sockets, with and without push-down"
	else
		notok "$filter: the sockets jq expects, with and without push-down" "$why"
		diag "$T/whydiff"
	fi
done 3<"$CORPUS"
echo "# $nexpr expressions"

# The push-down at work ----------------------------------------------------
# debug_count ARGS...: how many sockets the kernel returned for conntab ARGS.
debug_count() {
	CONNTAB_DEBUG=1 run "$CT" -P -H "$@"
	sed -n 's/^conntab: debug: \([0-9]*\) sockets from the kernel.*/\1/p' "$T/err"
}
ALL=$(debug_count)
ROWS=$(wc -l <"$T/out")
check "CONNTAB_DEBUG: unfiltered, the kernel returns every socket listed" "got '$ALL', $ROWS rows" \
	test "$ALL" = "$ROWS" -a "$ALL" -gt 40
N=$(debug_count sport :5006)
ROWS=$(wc -l <"$T/out")
check "sport :5006: the kernel returns only the $ROWS matching sockets" "got '$N' of $ALL" \
	test "$N" = "$ROWS" -a "$ROWS" -gt 0 -a "$ROWS" -lt "$ALL"
check "sport :5006: the dumps carried bytecode, none refused" "$(head -c 200 "$T/err")" \
	grep -Eq '; [1-9][0-9]* dumps with filter bytecode, 0 refused$' "$T/err"
N=$(CONNTAB_NO_PUSHDOWN=1 debug_count sport :5006)
check "CONNTAB_NO_PUSHDOWN=1: the kernel returns all $ALL sockets, no bytecode" "got '$N': $(head -c 200 "$T/err")" \
	grep -q "^conntab: debug: $ALL sockets from the kernel; 0 dumps with filter bytecode" "$T/err"
N=$(debug_count dst ::1 or src ::1)
ROWS=$(wc -l <"$T/out")
check "dst ::1 or src ::1: only the IPv6 loopback sockets come back" "got '$N', $ROWS rows" \
	test "$N" = "$ROWS" -a "$ROWS" -gt 0
N=$(debug_count state close-wait)
check "state close-wait: idiag_states alone, one socket" "got '$N': $(head -c 200 "$T/err")" \
	grep -q '^conntab: debug: 1 sockets from the kernel; 0 dumps with filter bytecode' "$T/err"
N=$(debug_count udp and inet6)
ROWS=$(wc -l <"$T/out")
check "udp and inet6: only the UDP IPv6 dump runs" "got '$N', $ROWS rows" \
	test "$N" = "$ROWS" -a "$ROWS" -gt 0
N=$(debug_count not comm sockmix)
check "not comm sockmix: nothing the kernel can judge, everything comes back" "got '$N'" \
	test "$N" = "$ALL"

# The listener tree and the summary see the same with and without push-down.
for args in "-T dport :5006" "-T sport :5006" "-s dst 127.0.0.1" "-g state not state listen"; do
	# shellcheck disable=SC2086
	run "$CT" -P $args
	cp "$T/out" "$T/a"
	# shellcheck disable=SC2086
	CONNTAB_NO_PUSHDOWN=1 run "$CT" -P $args
	check "conntab -P $args: the same text with and without push-down" "$(diff "$T/a" "$T/out" | head -3 | tr '\n' ' ')" \
		cmp -s "$T/a" "$T/out"
done

# Every example of SPEC §5 and of the man page (FILTERS, EXAMPLES) runs ---
while IFS= read -r ex <&3; do
	[ -n "$ex" ] || continue
	# shellcheck disable=SC2086
	run "$CT" -P $ex
	check "example '$ex': exit 0, nothing on stderr" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
done 3<<'EOF'
:500
:ssh
127.0.0.1
[::1]:500
10.0.0.0/8
sport :500
dport >= 1024
lport = 500
rport != 443
src 127.0.0.1
dst [::1]:500
laddr 127.0.0.0/8
raddr ::1
state established
state listen
state time-wait
state connected
proc nginx
comm nginx
pid 1234
uid 1000
user www-data
tcp
udp
inet
inet6
sport :500 or dport :500
state established dst 10.0.0.0/8
tcp and not ( src 127.0.0.1 or dst 127.0.0.1 )
! tcp && ( inet6 || udp )
dport = :https
state established and dport != 22
not state listen and not comm sshd
dport >= :1024 and dport < 49152
src 192.168.0.0/16:ssh
tcp or (udp and inet)
10.0.0.0/8:ssh
[2001:db8::]/32
::1/128
*:500
src :500
comm ngin*
comm "(sd-pam)"
uid != 0
not uid 0
dport != 443
not dport 443
state fin-wait-1
state estab
state closed
state unconnected
state TIME_WAIT
state timewait
state synchronized
state bucket
state big
state all
proto tcp
family inet6
sport eq 22 or (dport ne 22 and sport lt 1) or sport le 2 or dport gt 3 or dport ge 4
state established dst 10.0.0.0/8
sport :ssh or dport :ssh
-t dport >= 1024 and not dst 127.0.0.0/8
comm nginx state listen
-g raddr state established sport :https
EOF

# Errors: one line, exit 2, the word and its column ------------------------
run "$CT" dprot :80
check "conntab dprot :80: the message SPEC §5 shows, exit 2" "$(last_run)" \
	test "$rc" = 2 -a ! -s "$T/out" -a "$(cat "$T/err")" = "conntab: filter: unknown word 'dprot' at column 1 (did you mean 'dport'?)"
run "$CT" sport :500 or dprot :80
check "the column counts the words joined by single spaces" "$(last_run)" \
	grep -qx "conntab: filter: unknown word 'dprot' at column 15 (did you mean 'dport'?)" "$T/err"
run "$CT" 'sport :500 or dprot :80'
check "one argument or many words: the same column" "$(last_run)" \
	grep -qx "conntab: filter: unknown word 'dprot' at column 15 (did you mean 'dport'?)" "$T/err"
run "$CT" comm $'\x1b[31mx' or
check "a control byte in the filter is escaped in the message" "$(last_run | cat -v)" \
	grep -qx "conntab: filter: dangling operator 'or' at column 13: nothing follows it" "$T/err"
run "$CT" $'\x1b]0;x\a'
check "a hostile word is echoed escaped" "$(last_run | cat -v)" \
	grep -qxF "conntab: filter: unknown word '\\x1b]0;x\\x07' at column 1" "$T/err"
for bad in ":70000" "10.0.0.0/33" "[::1]/129" "( tcp" "tcp )" "tcp and" "state bogus" \
    "user no-such-user-here" ":no-such-service" "1.2.3.4.5" "src" "uid x"; do
	# shellcheck disable=SC2086
	run "$CT" $bad
	check "conntab $bad: exit 2, one 'conntab: filter:' line naming a column" "$(last_run)" \
		test "$rc" = 2 -a ! -s "$T/out" -a "$(wc -l <"$T/err")" = 1 -a \
		"$(grep -c '^conntab: filter: .* at column [0-9]' "$T/err")" = 1
done

it_finish
