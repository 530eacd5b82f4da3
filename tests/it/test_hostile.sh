#!/usr/bin/env bash
# Hostile input and pressure, end to end (issue 7): process names made of
# control bytes, escape sequences in every argument, /proc hidden or
# unreadable, processes coming and going during the scan, a full disk and
# a closed pipe. conntab must never let a raw control byte reach the
# terminal, never fail on what /proc hides, and end with the documented
# status and one clean line.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
SOCKMIX=$(it_bin sockmix) || { notok "build sockmix" "cc failed"; it_finish; exit; }
if ! start_helper "$T/mf" "$SOCKMIX"; then
	notok "sockmix is READY" "$(tail -3 "$T/mf" | tr '\n' ' ')"
	it_finish; exit
fi

# escaped TEXT: TEXT (its first 15 bytes, as comm keeps) the way conntab
# must print it: printable ASCII but backslash as is, "\\" for a
# backslash, "\xNN" for every other byte.
escaped() {
	printf '%s' "$1" | head -c 15 | od -An -v -tu1 | tr -s ' \n' '\n\n' | awk '
	NF { c = $1 + 0
	     if (c == 92) printf "%s", "\\\\"
	     else if (c > 32 && c < 127) printf "%c", c
	     else printf "\\x%02x", c }'
}

# raw FILE FORMAT: the bytes of FILE that may not reach a terminal: all but
# printable ASCII and LF, and the format's own tab (tsv) or CR (csv).
raw() {
	local keep='\n[:print:]'
	case "$2" in
	tsv) keep="$keep\\t" ;;
	csv) keep="$keep\\r" ;;
	esac
	LC_ALL=C tr -d "$keep" <"$1" | od -An -tx1 | head -c 120
}

# Processes named with control bytes ------------------------------------------
# comm is the executable's file name (its first 15 bytes) after exec.
names=($'\e]0;pwned\a\x9b2J\r' $'a\tb\nc\x7f\\d e' $'\xff\xfe\xc3\xa9\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e')
declare -A want
port=5071
mkdir "$T/bin"
for n in "${names[@]}"; do
	cp "$SOCKMIX" "$T/bin/$n"
	if start_helper "$T/h$port" "$T/bin/$n" listen 127.0.0.1 "$port"; then
		want[$port]="$(escaped "$n")($helper_pid)"
	else
		notok "a process named $(escaped "$n") is READY" "$(tail -2 "$T/h$port")"
	fi
	port=$((port + 1))
done
check "three processes named with control bytes listen" "${!want[*]}" test ${#want[@]} = 3

dirty=
for args in "" "-J" "--format tsv" "--format csv" "-e" "-i" "-T" "-T -J" \
	"-T --format csv" "-s" "-s -J" "-g comm" "-J -g comm" "--sort comm" \
	"-o comm,owners,process" "-J -o owners" "--color=always" "--format tsv -o owners"; do
	fmt=table
	case "$args" in *tsv*) fmt=tsv ;; *csv*) fmt=csv ;; esac
	# shellcheck disable=SC2086
	run "$CT" $args
	r=$(raw "$T/out" $fmt)
	[ "$args" = "--color=always" ] && r=$(sed 's/\x1b\[[0-9;]*m//g' "$T/out" >"$T/o2"; raw "$T/o2" table)
	[ "$rc" = 0 ] && [ ! -s "$T/err" ] && [ -z "$r" ] || dirty="$dirty [$args: exit $rc, raw bytes: $r]"
done
check "no raw byte outside printable ASCII in 18 output forms" "$dirty" test -z "$dirty"

run "$CT" -H
for p in "${!want[@]}"; do
	check "table: port $p's owner is ${want[$p]}" "$(grep ":$p " "$T/out" | cat -v)" \
		grep -qF " ${want[$p]}" "$T/out"
done
run "$CT" -J
for p in "${!want[@]}"; do
	check "json: port $p's process is ${want[$p]} once decoded" \
		"$(jq -c --argjson p "$p" '.[] | select(.lport == $p) | [.comm, .pid]' "$T/out" 2>&1 | cat -v)" \
		jqe --argjson p "$p" --arg w "${want[$p]}" \
		'[.[] | select(.lport == $p) | "\(.comm)(\(.pid))"] == [$w]' "$T/out"
done

# The event stream (-w without a terminal), where this build has it: the
# names as the initial state ('=') and as a socket that opens ('+').
if "$CT" --help 2>/dev/null | grep -qE '^ +-w'; then
	n4=$'\e[1;1H\e[2Jx\x9b\x07'
	cp "$SOCKMIX" "$T/bin/$n4"
	for fmt in table json; do
		"$CT" -w -d 0.2 --format "$fmt" >"$T/ev" 2>"$T/everr" &
		evpid=$!
		IT_PIDS+=("$evpid")
		for i in $(seq 100); do [ -s "$T/ev" ] && break; sleep 0.1; done
		if start_helper "$T/h5074" "$T/bin/$n4" listen 127.0.0.1 5074; then
			w4="$(escaped "$n4")($helper_pid)"
			for i in $(seq 100); do grep -q ':5074' "$T/ev" && break; sleep 0.1; done
			stop_helper "$helper_pid"
		fi
		signal_wait TERM "$evpid"
		check "-w --format $fmt | ...: exit 0 on SIGTERM, nothing on stderr" \
			"exit $rc, stderr: $(head -c 200 "$T/everr" | cat -v)" \
			test "$rc" = 0 -a ! -s "$T/everr"
		r=$(raw "$T/ev" table)
		check "-w --format $fmt: no raw byte in the event stream" "$r" test -z "$r"
		if [ "$fmt" = table ]; then
			for p in "${!want[@]}"; do
				check "-w: port $p's initial ('=') line names ${want[$p]}" "$(grep ":$p " "$T/ev" | cat -v)" \
					test -n "$(grep ":$p " "$T/ev" | grep -F ' = ' | grep -F " ${want[$p]}")"
			done
			check "-w: the new listener's line names $w4" "$(grep ':5074 ' "$T/ev" | cat -v)" \
				grep -qF " $w4" "$T/ev"
		else
			check "-w --format json: every line a JSON object, the new listener's comm escaped" \
				"$(grep ':5074\|5074,' "$T/ev" | head -2 | cat -v)" \
				jqe -s --arg w "$w4" 'all(.[]; type == "object") and
					any(.[]; .lport == 5074 and "\(.comm)(\(.pid))" == $w)' "$T/ev"
		fi
	done
else
	echo "# no -w in this build: the event stream's names are not checked"
fi

# Escape sequences in every argument ------------------------------------------
# bad STATUS ARGS...: conntab ARGS fails with STATUS, one printable line.
bad() {
	local want_rc=$1 why=
	shift
	run "$CT" "$@"
	if [ "$rc" != "$want_rc" ]; then why="exit $rc"
	elif [ -s "$T/out" ]; then why="stdout not empty"
	elif [ "$(wc -l <"$T/err")" != 1 ]; then why="$(wc -l <"$T/err") lines"
	elif ! grep -q '^conntab: ' "$T/err"; then why="no 'conntab: '"
	elif [ -n "$(raw "$T/err" table)" ]; then why="raw bytes $(raw "$T/err" table)"
	elif [ "$(wc -c <"$T/err")" -gt 2048 ]; then why="$(wc -c <"$T/err") bytes, unbounded?"
	fi
	check "$(printf '%q ' "$@" | head -c 60): exit $want_rc, one clean line" \
		"$why: $(head -c 200 "$T/err" | cat -v)" test -z "$why"
}
ESC=$'\e'
LONG=$(printf "$ESC%.0s" $(seq 3000))
bad 2 $'\e]0;pwned\a'
bad 2 $'dport\e[2J' :80
bad 2 state $'\x9b31mlisten'
bad 2 $':\e[31m'
bad 2 "$LONG"
bad 2 -o $'proto,\e[31m'
bad 2 -o "$LONG"
bad 2 --sort $'\e[H'
bad 2 -g $'raddr/\e'
bad 2 --format $'\e[2J'
bad 2 --color=$'\e]0;x\a'
bad 2 $'--\e[31m'
bad 2 $'-\x01'
bad 1 -N $'\e]0;pwned\a'
bad 1 -N $'/tmp/\e[31m/ns'
bad 1 -N "/$(printf 'a%.0s' $(seq 5000))"
bad 1 -N "$LONG"
run "$CT" $'\e]0;pwned\a'
check "the filter word is in the message, escaped" "$(cat -v "$T/err")" grep -qF '\x1b]0;pwned\x07' "$T/err"
run "$CT" -N $'\e]0;pwned\a'
check "the namespace name is in the message, escaped" "$(cat -v "$T/err")" grep -qF '\x1b]0;pwned\x07' "$T/err"

# /proc hidden or unreadable: not an error, the owner is "-" -----------------
# sockmix's TIME_WAIT socket expires after 60 s, which a slow run (ASan,
# valgrind) outlasts: it is left out of the comparisons
ss_rows | cut -d' ' -f1,2,5,6 | grep -v ' TIME_WAIT ' >"$T/all"
CTU=$CT
if ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$CT" 2>/dev/null; then
	cp "$CT" "$T/conntab"; chmod 755 "$T/conntab"; CTU=$T/conntab
fi
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
# owners_hidden DESC CMD...: CMD -J (a conntab) lists every socket, owners
# null, exit 0, nothing on stderr; CMD -H shows "-" for every owner.
owners_hidden() {
	local desc=$1
	shift
	run "$@" -J
	check "$desc: exit 0, nothing on stderr" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
	jq -r "$JQ_EP"' .[] | select(.state != "TIME_WAIT") | key4' "$T/out" >"$T/got" 2>/dev/null
	same_lines "$desc: every socket listed" "$T/all" "$T/got"
	check "$desc: every owner is null" "$(jq -c '[.[] | select(.pid != null) | .lport]' "$T/out" 2>&1 | head -c 200)" \
		jqe 'length > 0 and all(.[]; .pid == null and .comm == null and (.owners // []) == [])' "$T/out"
	run "$@" -H
	check "$desc: table PROCESS is - on every row" "$(last_run)" \
		test "$rc" = 0 -a "$(awk '$NF != "-"' "$T/out" | wc -l)" = 0 -a -s "$T/out"
}
owners_hidden "setpriv nobody (other users' /proc/PID/fd unreadable)" "${NOBODY[@]}" "$CTU"
for hp in 1 2; do
	# a /proc of our own, in a mount namespace of our own
	owners_hidden "/proc mounted hidepid=$hp, as nobody" \
		unshare -m sh -c 'mount -t proc -o hidepid='$hp' proc /proc && exec "$@"' sh \
		"${NOBODY[@]}" "$CTU"
done
run "$CT" -J
jq -r "$JQ_EP"' .[] | select(.state != "TIME_WAIT") | key4 + " " + ownl' "$T/out" >"$T/own" 2>/dev/null
run unshare -m sh -c 'mount -t proc -o hidepid=2 proc /proc && exec "$@"' sh "$CT" -J
jq -r "$JQ_EP"' .[] | select(.state != "TIME_WAIT") | key4 + " " + ownl' "$T/out" >"$T/got" 2>/dev/null
same_lines "/proc mounted hidepid=2, as root: the same owners as without" "$T/own" "$T/got"

# Processes coming and going while /proc is read -------------------------------
# Short-lived shells, each holding connected UDP sockets for a moment.
for i in 1 2; do
	( while :; do ( exec 3<>/dev/udp/127.0.0.1/5016 4<>/dev/udp/127.0.0.1/5016; : ) 2>/dev/null; done ) &
	IT_PIDS+=($!)
done
fails=
for i in $(seq 20); do
	run "$CT" -J
	[ "$rc" = 0 ] && [ ! -s "$T/err" ] && jq -e 'type == "array"' "$T/out" >/dev/null 2>&1 ||
		fails="$fails [run $i: $(last_run)]"
done
check "20 runs while processes come and go: exit 0, no stderr, whole JSON" "$fails" test -z "$fails"
for p in "${!want[@]}"; do
	check "and still: port $p's owner" "" grep -q "\"lport\":$p,.*\"pid\":[0-9]" "$T/out"
done
for i in 1 2; do
	p=${IT_PIDS[-1]}
	kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
	unset 'IT_PIDS[-1]'
done

# Output under pressure: big outputs, a closed pipe, a full disk -------------
if start_helper "$T/flood" "$SOCKMIX" udpflood 3000; then
	for args in "-T" "-T -J" "-s" "-s --format csv" "-g lport" "-J -g lport"; do
		# shellcheck disable=SC2086
		bytes=$(timeout 60 "$CT" $args | wc -c)
		for disp in --default-signal=PIPE --ignore-signal=PIPE; do
			# shellcheck disable=SC2086
			timeout -k 5 60 env "$disp" "$CT" $args 2>"$T/perr" | head -c 100 >/dev/null
			prc=${PIPESTATUS[0]}
			check "conntab $args ($bytes bytes) | head -c 100 ($disp): exit 0, no stderr" \
				"exit $prc, stderr: $(head -c 200 "$T/perr")" \
				test "$prc" = 0 -a ! -s "$T/perr" -a "$bytes" -gt 65536
		done
		# shellcheck disable=SC2086
		timeout -k 5 60 "$CT" $args >/dev/full 2>"$T/err"
		rc=$?
		check "conntab $args >/dev/full: exit 1, 'conntab: write error: No space left on device'" \
			"$(last_run)" test "$rc" = 1 -a "$(cat "$T/err")" = "conntab: write error: No space left on device"
	done
else
	notok "udpflood 3000 is READY" "$(tail -2 "$T/flood")"
fi

it_finish
