#!/usr/bin/env bash
# conntab -w (SPEC.md section 7): the live view, driven through tmux in a
# private server, and the event stream when stdout is not a terminal.
# Connections come and go on command through the conn helper.  Nothing
# here depends on timing: every check polls, with generous timeouts.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"
command -v tmux >/dev/null || it_skip "no tmux"

CT=$CONNTAB
T=$IT_TMP
CONN=$(it_bin conn) || { echo "# cannot build conn"; echo "0 passed, 1 failed"; exit 1; }

# The connection driver: one command, one answer line in $reply.
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
# conn_open PORT: open a connection, set $cid and $cport (the client's port).
conn_open() {
	conn_cmd "open $1" || return 1
	set -- $reply
	cid=$2 cport=$3
}

conn_cmd "listen 500" && conn_cmd "listen 600" ||
	{ echo "# no listeners"; echo "0 passed, 1 failed"; exit 1; }

# A private tmux server, killed whatever happens.
TM=(tmux -S "$T/tmux.sock" -f /dev/null)
IT_CLEANUP+=("tmux -S '$T/tmux.sock' kill-server")

# The session the wait_screen* functions look at.
S=view

# wait_screen PATTERN [SECONDS]: poll the pane until a line matches.
wait_screen() {
	local i
	for ((i = 0; i < ${2:-30} * 10; i++)); do
		"${TM[@]}" capture-pane -p -t "$S" >"$T/screen" 2>/dev/null &&
			grep -Eq -- "$1" "$T/screen" && return 0
		sleep 0.1
	done
	return 1
}

# wait_screen_not PATTERN [SECONDS]: poll until no line matches.
wait_screen_not() {
	local i
	for ((i = 0; i < ${2:-30} * 10; i++)); do
		"${TM[@]}" capture-pane -p -t "$S" >"$T/screen" 2>/dev/null &&
			! grep -Eq -- "$1" "$T/screen" && return 0
		sleep 0.1
	done
	return 1
}

# wait_file FILE PATTERN [SECONDS]: poll until a line of FILE matches.
wait_file() {
	local i
	for ((i = 0; i < ${3:-30} * 10; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

screen_diag() {
	diag "$T/screen"
}

# A row of the view: mark, indent, proto, state, local, remote.
row() {
	echo "^[-+~! ] +tcp +$1 +$2 +$3( |\$)"
}

# ---- the view ------------------------------------------------------------

conn_open 600 && p600=$cport
"${TM[@]}" new-session -d -s view -x 100 -y 30 \
	"'$CT' -w -d 0.2 :500; echo EXIT=\$? >'$T/exit'; sleep 600"
# one server for every session: it must not exit (and race the next one)
"${TM[@]}" set-option -s exit-empty off
if wait_screen "$(row LISTEN '127\.0\.0\.1:500' '0\.0\.0\.0:\*')"; then
	ok "view: the listener on :500 shows"
else
	notok "view: the listener on :500 shows" "screen:"; screen_diag
fi
check "view: a header line with the interval, the filter and the totals" \
	"$(head -1 "$T/screen")" \
	grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} every 0\.2s filter :500 +listen 1 estab 0 tw 0 other 0 ' "$T/screen"
check "view: a column header" "$(sed -n 2p "$T/screen")" \
	grep -Eq '^ +PROTO +STATE +LOCAL +REMOTE +PROCESS' "$T/screen"

conn_open 500 && id1=$cid p1=$cport
conn_open 500 && id2=$cid p2=$cport
if wait_screen "$(row ESTABLISHED '127\.0\.0\.1:500' "127\.0\.0\.1:$p1")" &&
	wait_screen "$(row ESTABLISHED '127\.0\.0\.1:500' "127\.0\.0\.1:$p2")"; then
	ok "view: two new connections appear with their ports ($p1, $p2)"
else
	notok "view: two new connections appear with their ports ($p1, $p2)" "screen:"; screen_diag
fi
# accepted beneath the listener (indented), then the client ends as outgoing
# (the status goes into a variable: a $(...) among check's words resets $?)
awk -v p="127.0.0.1:$p1" '$0 ~ /LISTEN/ { l = NR } index($0, p " ") && /^.   tcp/ && !c { c = NR } END { exit !(l && c > l) }' "$T/screen"
st=$?
check "view: an accepted connection is indented beneath its listener" "$(head -c 300 "$T/screen")" test "$st" = 0
check "view: the client end is under its destination" "$(head -c 300 "$T/screen")" \
	grep -Eq '^  tcp -> 127\.0\.0\.1:500 \(2\)' "$T/screen"
check "view: a connection on another port (:$p600) does not show" \
	"$(grep -n ":600" "$T/screen" | head -3)" \
	test -z "$(grep -E ":600( |$)|:$p600( |$)" "$T/screen")"
check "view: totals count the matching sockets" "$(head -1 "$T/screen")" \
	grep -Eq 'listen 1 estab 4 tw 0 other 0' "$T/screen"

conn_cmd "close $id1"
if wait_screen_not "127\.0\.0\.1:$p1( |$)"; then
	ok "view: a closed connection is gone after a few intervals"
else
	notok "view: a closed connection is gone after a few intervals" "screen:"; screen_diag
fi
check "view: the other connection stays" "screen" \
	grep -Eq "$(row ESTABLISHED '127\.0\.0\.1:500' "127\.0\.0\.1:$p2")" "$T/screen"

# Resizes, down to a few columns: it keeps running and redraws each time.
"${TM[@]}" resize-window -t view -x 40 -y 10
if wait_screen '^[0-9:]{8}\.[0-9]{3} every 0\.2s filter :500  lis$'; then
	ok "view: resized to 40x10, the header is cut at 40 columns"
else
	notok "view: resized to 40x10, the header is cut at 40 columns" "screen:"; screen_diag
fi
check "view: at 40x10 no line is wider than 40" "$(awk '{ print length }' "$T/screen" | sort -n | tail -1)" \
	test "$(awk '{ print length }' "$T/screen" | sort -n | tail -1)" -le 40
check "view: at 40x10 the rows still show" "screen" grep -Eq "^.   tcp ESTABLISHED 127\.0\.0\.1:500" "$T/screen"
"${TM[@]}" resize-window -t view -x 80 -y 24
if wait_screen '^ +PROTO +STATE +LOCAL +REMOTE +PROCESS +RECVQ +SENDQ( +RTT)?$'; then
	ok "view: at 80x24 the owner and the queues fit beside the 5-tuple"
else
	notok "view: at 80x24 the owner and the queues fit beside the 5-tuple" "screen:"; screen_diag
fi
check "view: at 80x24 the whole header line shows" "$(head -1 "$T/screen")" \
	grep -Eq ' other 0  \+[0-9.]+/s -[0-9.]+/s$' "$T/screen"
check "view: at 80x24 no line is wider than 80" "$(awk '{ print length }' "$T/screen" | sort -n | tail -1)" \
	test "$(awk '{ print length }' "$T/screen" | sort -n | tail -1)" -le 80
"${TM[@]}" resize-window -t view -x 3 -y 2
sleep 0.5
"${TM[@]}" resize-window -t view -x 1 -y 1
sleep 0.5
"${TM[@]}" resize-window -t view -x 100 -y 30
if wait_screen 'listen 1 estab 2 tw 0 other 0  \+[0-9.]+/s -[0-9.]+/s$' &&
	wait_screen "$(row ESTABLISHED '127\.0\.0\.1:500' "127\.0\.0\.1:$p2")"; then
	ok "view: after 80x24, 3x2, 1x1 and back to 100x30 it is alive and redrawn"
else
	notok "view: after 80x24, 3x2, 1x1 and back to 100x30 it is alive and redrawn" "exit: $(cat "$T/exit" 2>/dev/null)"; screen_diag
fi

# Keys: g cycles the grouping, s the sort; both show on the status line.
"${TM[@]}" send-keys -t view g
wait_screen '^  127\.0\.0\.1 \(2\)$' 10
check "view: g groups by remote address" "screen" grep -Eq 'group raddr ' "$T/screen"
# largest group first, as -g: the two ends on 127.0.0.1, then the listener's "*"
awk '/^  127\.0\.0\.1 \(2\)$/ && !a { a = NR } /^  \* \(1\)$/ && !b { b = NR } END { exit !(a && b && a < b) }' "$T/screen"
st=$?
check "view: under g the largest group comes first ('127.0.0.1 (2)' before '* (1)')" \
	"$(grep -E '^  [^ ]+ \([0-9]+\)$' "$T/screen" | tr '\n' '|')" test "$st" = 0
"${TM[@]}" send-keys -t view g g g s
wait_screen 'group listener  sort state' 10
check "view: g three times more is back to listeners, s sorts by state" "$(tail -1 "$T/screen")" \
	grep -Eq '^group listener  sort state  row [0-9]+ of [0-9]+' "$T/screen"

# ? on a wide screen: the help in place of the table, nothing beside it.
"${TM[@]}" send-keys -t view '?'
if wait_screen 'rates: bytes/s' 10; then
	# the help is narrower than 60: anything further right is the table's
	check "view: the help at 100x30 leaves no table text beside or beneath it" \
		"$(awk 'NR > 1 && length > 60' "$T/screen" | head -2 | tr '\n' '|')" \
		test -z "$(grep -E 'tcp +(LISTEN|ESTABLISHED)|PROTO' "$T/screen")" -a \
		-z "$(sed '1d;$d' "$T/screen" | awk 'length > 60')"
else
	notok "view: the help at 100x30 leaves no table text beside or beneath it" "no help"; screen_diag
fi
"${TM[@]}" send-keys -t view x
wait_screen 'PROTO' 10

# / with a bad filter: the error shows, the old filter stays, it goes on.
"${TM[@]}" send-keys -t view / C-u 'bogusword' Enter
if wait_screen "^filter: .*bogusword" 10; then
	ok "view: / with a bad filter shows the error on the status line"
else
	notok "view: / with a bad filter shows the error on the status line" "screen:"; screen_diag
fi
conn_open 500 && p3=$cport
if wait_screen "$(row ESTABLISHED '127\.0\.0\.1:500' "127\.0\.0\.1:$p3")" &&
	grep -q 'filter :500 ' "$T/screen"; then
	ok "view: after the bad filter it keeps running with the old one"
else
	notok "view: after the bad filter it keeps running with the old one" "screen:"; screen_diag
fi
# / with a good one: the view follows it.
"${TM[@]}" send-keys -t view / C-u ':600' Enter
if wait_screen "$(row ESTABLISHED "127\.0\.0\.1:$p600" '127\.0\.0\.1:600')" &&
	wait_screen_not ":$p2( |$)" 10 && grep -q 'filter :600 ' "$T/screen"; then
	ok "view: / :600 shows port 600 instead"
else
	notok "view: / :600 shows port 600 instead" "screen:"; screen_diag
fi

"${TM[@]}" send-keys -t view q
if wait_file "$T/exit" '^EXIT=' 20; then
	check "view: q exits with status 0" "$(cat "$T/exit")" grep -qx 'EXIT=0' "$T/exit"
else
	notok "view: q exits with status 0" "no exit after 20 s"; screen_diag
fi
"${TM[@]}" kill-session -t view 2>/dev/null

# A terminal that cannot move the cursor: refused the same way, naming it.
"${TM[@]}" new-session -d -s dumb -x 80 -y 24 \
	"TERM=dumb '$CT' -w :500 2>'$T/dumb.err'; echo EXIT=\$? >'$T/exit4'; sleep 600"
wait_file "$T/exit4" '^EXIT=' 20
check "view: TERM=dumb is status 1 with one line: it cannot move the cursor" \
	"$(cat "$T/exit4" 2>/dev/null), $(head -c 200 "$T/dumb.err")" \
	test "$(cat "$T/exit4" 2>/dev/null)" = EXIT=1 -a "$(wc -l <"$T/dumb.err")" = 1 -a \
	-n "$(grep "^conntab: terminal: TERM 'dumb' cannot move the cursor" "$T/dumb.err")"
"${TM[@]}" kill-session -t dumb 2>/dev/null

# An unknown terminal: one line, status 1, before the screen is touched.
"${TM[@]}" new-session -d -s bogus -x 80 -y 24 \
	"TERM=bogus '$CT' -w :500 2>'$T/bogus.err'; echo EXIT=\$? >'$T/exit3'; sleep 600"
wait_file "$T/exit3" '^EXIT=' 20
check "view: TERM=bogus is status 1 with one line naming the terminal" \
	"$(cat "$T/exit3" 2>/dev/null), $(head -c 200 "$T/bogus.err")" \
	test "$(cat "$T/exit3" 2>/dev/null)" = EXIT=1 -a "$(wc -l <"$T/bogus.err")" = 1 -a \
	-n "$(grep "^conntab: terminal: .*'bogus'" "$T/bogus.err")"

# Marks, with a long interval so that a mark lasts long enough to be seen,
# in colour by default and without under NO_COLOR; then SIGTERM, which
# must leave the terminal as it was.
rm -f "$T/exit"
"${TM[@]}" new-session -d -s nocolor -x 100 -y 30 "NO_COLOR=1 '$CT' -w -d 3 :500; sleep 600"
"${TM[@]}" new-session -d -s marks -x 100 -y 30 \
	"stty -g >'$T/stty.before'; echo BEFORE-MARK; sh -c 'echo \$\$ >\"$T/pid\"; exec \"$CT\" -w -d 3 :500'; echo EXIT=\$? >'$T/exit'; stty -g >'$T/stty.after'; echo AFTER-MARK; sleep 600"
S=marks
wait_screen "$(row LISTEN '127\.0\.0\.1:500' '0\.0\.0\.0:\*')"
S=nocolor
wait_screen "$(row LISTEN '127\.0\.0\.1:500' '0\.0\.0\.0:\*')"
S=marks
conn_open 500 && id4=$cid p4=$cport
if wait_screen "127\.0\.0\.1:500 +127\.0\.0\.1:$p4 " 20; then
	check "view: a new connection is first drawn marked '+'" \
		"$(grep -E ":$p4 " "$T/screen")" \
		grep -Eq "^\+   tcp ESTABLISHED 127\.0\.0\.1:500 +127\.0\.0\.1:$p4 " "$T/screen"
	"${TM[@]}" capture-pane -e -p -t marks >"$T/escreen"
	check "view: in colour by default: the new row is green" \
		"$(grep -a ":$p4 " "$T/escreen" | head -1 | cat -v)" \
		grep -aq "$(printf '\033')\[32m+ .*:$p4 " "$T/escreen"
else
	notok "view: a new connection is first drawn marked '+'" "never drawn"; screen_diag
fi
S=nocolor
if wait_screen "^\+   tcp ESTABLISHED 127\.0\.0\.1:500 +127\.0\.0\.1:$p4 " 20; then
	"${TM[@]}" capture-pane -e -p -t nocolor >"$T/escreen"
	check "view: NO_COLOR: marks and attributes, no colour" \
		"$(grep -a ":$p4 " "$T/escreen" | head -1 | cat -v)" \
		test -z "$(grep -aE "$(printf '\033')\[(3[0-7]|38;)" "$T/escreen")"
else
	notok "view: NO_COLOR: marks and attributes, no colour" "never drawn"; screen_diag
fi
S=marks
conn_cmd "close $id4"
if wait_screen "^-   tcp ESTABLISHED 127\.0\.0\.1:500 +127\.0\.0\.1:$p4 " 20; then
	ok "view: a closed connection stays one interval, marked '-'"
else
	notok "view: a closed connection stays one interval, marked '-'" "screen:"; screen_diag
fi
pid=$(cat "$T/pid" 2>/dev/null)
kill -TERM "$pid" 2>/dev/null
if wait_file "$T/exit" '^EXIT=' 20 && wait_screen '^AFTER-MARK' 10; then
	check "view: SIGTERM ends it with status 0" "$(cat "$T/exit")" grep -qx 'EXIT=0' "$T/exit"
	check "view: SIGTERM restores the terminal modes (stty -g)" \
		"$(cat "$T/stty.before") vs $(cat "$T/stty.after")" \
		cmp -s "$T/stty.before" "$T/stty.after"
	check "view: SIGTERM leaves the screen as it was, nothing of the view" \
		"$(head -c 300 "$T/screen")" \
		test "$(grep -c 'BEFORE-MARK' "$T/screen")" = 1 -a \
		"$(grep -cE 'every 3s|PROTO' "$T/screen")" = 0
else
	notok "view: SIGTERM ends it and restores the terminal" "no exit"; screen_diag
fi
"${TM[@]}" kill-session -t marks 2>/dev/null
"${TM[@]}" kill-session -t nocolor 2>/dev/null
"${TM[@]}" kill-session -t bogus 2>/dev/null

# Columns, help and header on a small screen: one priority, whole-view
# widths, the sort column kept, the help and a long filter that fit.
S=small
"${TM[@]}" new-session -d -s small -x 60 -y 15 "'$CT' -w -d 0.2 :500; sleep 600"
if wait_screen "$(row LISTEN '127\.0\.0\.1:500' '0\.0\.0\.0:\*')"; then
	check "view at 60x15: the 5-tuple and state only; no rtt where the owner and queues do not fit" \
		"$(sed -n 2p "$T/screen")" test "$(sed -n 2p "$T/screen" | tr -s ' ')" = " PROTO STATE LOCAL REMOTE"
	"${TM[@]}" send-keys -t small '?'
	wait_screen 'rates: bytes/s' 10
	check "view at 60x15: the whole help shows, down to its last line" "$(tail -3 "$T/screen" | tr '\n' '|')" \
		grep -q 'rates: bytes/s, K=1024' "$T/screen"
	check "view at 60x15: no table text beside or beneath the help" "$(grep -n 'tcp ' "$T/screen" | head -2 | tr '\n' '|')" \
		test -z "$(grep -E 'tcp +(LISTEN|ESTABLISHED)' "$T/screen")"
	check "view at 60x15: no line of the help is wider than 60" "$(awk '{ print length }' "$T/screen" | sort -n | tail -1)" \
		test "$(awk '{ print length }' "$T/screen" | sort -n | tail -1)" -le 60
	"${TM[@]}" send-keys -t small x
	wait_screen "$(row LISTEN '127\.0\.0\.1:500' '0\.0\.0\.0:\*')" 10
	check "view: any key closes the help" "$(sed -n 3p "$T/screen")" \
		grep -Eq "$(row LISTEN '127\.0\.0\.1:500' '0\.0\.0\.0:\*')" "$T/screen"
	# a long filter is cut with a mark, so that the totals still show
	"${TM[@]}" resize-window -t small -x 100 -y 15
	"${TM[@]}" send-keys -t small / C-u ':500 or dport 500 or sport 500 or dport 501 or sport 502' Enter
	if wait_screen 'filter :500 or dport[^ ]* .*\.\.\.  listen 1 ' 10; then
		check "view: a long filter is cut with '...', and the totals are whole" "$(head -1 "$T/screen")" \
			grep -Eq '^[0-9:]{8}\.[0-9]{3} every 0\.2s filter .*\.\.\.  listen 1 estab [0-9]+ tw 0 other 0  \+[0-9.]+/s -[0-9.]+/s$' "$T/screen"
	else
		notok "view: a long filter is cut with '...', and the totals are whole" "$(head -1 "$T/screen")"
	fi
	check "view: under -d 0.2 the header's time has milliseconds" "$(head -1 "$T/screen")" \
		grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} every 0\.2s ' "$T/screen"
else
	notok "view at 60x15 shows the listener" "screen:"; screen_diag
fi
"${TM[@]}" kill-session -t small 2>/dev/null
# Sorted by sendq on 62 columns (-P: the widths are known, 51 for the
# 5-tuple and state): sendq stays, where the queues would not fit and rtt
# would; and the widths are the whole view's, alike at the top and at End.
S=sorted
"${TM[@]}" new-session -d -s sorted -x 62 -y 6 "'$CT' -w -P -d 0.2 --sort sendq :500; sleep 600"
if wait_screen 'sort sendq' && wait_screen "$(row LISTEN '127\.0\.0\.1:500' '0\.0\.0\.0:\*')"; then
	sed -n 2p "$T/screen" >"$T/colhead.top"
	check "view --sort sendq at 62 columns: the SENDQ column stays, and nothing of lower priority" \
		"$(cat "$T/colhead.top")" test "$(tr -s ' ' <"$T/colhead.top")" = " PROTO STATE LOCAL REMOTE SENDQ"
	"${TM[@]}" send-keys -t sorted End
	if wait_screen '^  tcp -> 127\.0\.0\.1:500 \(2\)$|ESTABLISHED 127\.0\.0\.1:[0-9]{5} +127\.0\.0\.1:500 ' 10; then
		sed -n 2p "$T/screen" >"$T/colhead.end"
		check "view: at End the columns are the same as at the top (widths of the whole view)" \
			"top '$(cat "$T/colhead.top")', end '$(cat "$T/colhead.end")'" cmp -s "$T/colhead.top" "$T/colhead.end"
	else
		notok "view: at End the columns are the same as at the top (widths of the whole view)" "no End"; screen_diag
	fi
else
	notok "view --sort sendq shows the listener" "screen:"; screen_diag
fi
"${TM[@]}" kill-session -t sorted 2>/dev/null
S=view

# ---- the event stream ----------------------------------------------------

# -d 0.2: two samples may fall in one second, so the times have milliseconds
# a close has three fields more: duration, bytes_sent, bytes_recv (issue 13)
ev_line='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z ([+=~] (tcp|udp) [A-Z_>-]+ [^ ]+ [^ ]+ [^ ]+|- (tcp|udp) [A-Z_]+ [^ ]+ [^ ]+ [^ ]+ ([0-9]+\.[0-9]{3}|unsampled) ([0-9]+|-) ([0-9]+|-))$'

"$CT" -w -d 0.2 :500 >"$T/events" 2>"$T/events.err" &
evpid=$!
IT_PIDS+=("$evpid")
wait_file "$T/events" ' = tcp LISTEN 127\.0\.0\.1:500 0\.0\.0\.0:\* conn\('
check "events: the sockets there at the start, marked '='" "$(diag "$T/events")" \
	grep -Eq ' = tcp ESTABLISHED 127\.0\.0\.1:500 127\.0\.0\.1:'"$p3"' conn\([0-9]+\)$' "$T/events"
conn_open 500 && id5=$cid p5=$cport
conn_open 600
# the accepted end may be seen before accept(): then no process holds it yet
if wait_file "$T/events" " \+ tcp ESTABLISHED 127\.0\.0\.1:500 127\.0\.0\.1:$p5 (conn\([0-9]+\)|-)$" &&
	wait_file "$T/events" " \+ tcp ESTABLISHED 127\.0\.0\.1:$p5 127\.0\.0\.1:500 conn\([0-9]+\)$"; then
	ok "events: '+' lines for both ends of a new connection"
else
	notok "events: '+' lines for both ends of a new connection" "events:"; diag "$T/events"
fi
conn_cmd "close $id5"
if wait_file "$T/events" " - tcp ESTABLISHED 127\.0\.0\.1:500 127\.0\.0\.1:$p5 (conn\([0-9]+\)|-) [0-9.]+ [0-9]+ [0-9]+$" &&
	wait_file "$T/events" " - tcp ESTABLISHED 127\.0\.0\.1:$p5 127\.0\.0\.1:500 conn\([0-9]+\) [0-9.]+ [0-9]+ [0-9]+$"; then
	ok "events: '-' lines once it is closed"
else
	notok "events: '-' lines once it is closed" "events:"; diag "$T/events"
fi
signal_wait TERM "$evpid"
check "events: SIGTERM ends the stream with status 0, nothing on stderr" \
	"exit $rc, $(head -c 200 "$T/events.err")" test "$rc" = 0 -a ! -s "$T/events.err"
check "events: every line is 'TIME.mmm MARK proto state local remote process'" \
	"$(grep -Ev "$ev_line" "$T/events" | head -3)" \
	test -z "$(grep -Ev "$ev_line" "$T/events")"
check "events: nothing about port 600" "$(grep -E ':600 |:600$' "$T/events" | head -2)" \
	test -z "$(grep -E ':600 |:600$' "$T/events")"
check "events: no event twice" "$(sort "$T/events" | uniq -d | head -2)" \
	test -z "$(sort "$T/events" | uniq -d)"

"$CT" -w -d 0.2 --format json :500 >"$T/events.json" 2>"$T/events.err" &
evpid=$!
IT_PIDS+=("$evpid")
wait_file "$T/events.json" '"event":"initial"'
conn_open 500 && id6=$cid p6=$cport
wait_file "$T/events.json" '"event":"open".*"rport":'"$p6"','
conn_cmd "close $id6"
wait_file "$T/events.json" '"event":"close".*"rport":'"$p6"','
signal_wait INT "$evpid"
check "events json: SIGINT ends it with status 0" "exit $rc" test "$rc" = 0 -a ! -s "$T/events.err"
check "events json: every line is one JSON object with time and event" \
	"$(head -c 300 "$T/events.json")" \
	jqe -s 'length > 0 and all(.[]; type == "object" and (.time | test("^[0-9-]+T[0-9:]+[.][0-9]{3}Z$")) and (.event | IN("initial", "open", "close", "state")))' "$T/events.json"
check "events json: lines, not a document (one object per line)" "$(wc -l <"$T/events.json")" \
	test "$(wc -l <"$T/events.json")" = "$(jq -c . "$T/events.json" | wc -l)"
check "events json: the open and the close of the connection" \
	"$(grep ":$p6" "$T/events.json" | head -c 300)" \
	jqe -s --argjson p "$p6" '[.[] | select(.lport == 500 and .rport == $p) | .event] == ["open", "close"]' "$T/events.json"
check "events json: the listener, with its owners as objects" \
	"$(grep LISTEN "$T/events.json" | head -c 300)" \
	jqe -s 'any(.[]; .event == "initial" and .state == "LISTEN" and .lport == 500 and .raddr == null and .owners[0].comm == "conn" and (.owners[0].fd | type) == "number")' "$T/events.json"

# At a whole-second interval the times are whole seconds.
timeout -k 5 60 "$CT" -w -d 1 :500 2>"$T/err" | head -1 >"$T/out"
check "events -d 1: the time is whole seconds" "$(head -c 200 "$T/out")" \
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z = ' "$T/out"

# Failures: a full disk is status 1 with one message; a closed pipe is 0.
timeout -k 5 60 "$CT" -w -d 0.2 :500 >/dev/full 2>"$T/err"
rc=$?
check "events: a write error (/dev/full) is status 1 with one line" \
	"exit $rc, $(head -c 200 "$T/err")" \
	test "$rc" = 1 -a "$(wc -l <"$T/err")" = 1 -a "$(cat "$T/err")" = "conntab: write error: No space left on device"
timeout -k 5 60 "$CT" -w -d 0.2 :500 2>"$T/err" | head -1 >"$T/out"
rc=${PIPESTATUS[0]}
check "events: a closed pipe (| head -1) ends it quietly with status 0" \
	"exit $rc, $(head -c 200 "$T/err")" test "$rc" = 0 -a ! -s "$T/err" -a -s "$T/out"

# Options that -w does not take: exit 2, one line.
for args in "-w -d 0" "-w -d -1" "-w -d abc" "-w -d 1e9" "-w -d 0.001" "-d 1" \
	"-w -T" "-w -s" "-w -g raddr" "-w --format csv" "-w --sort inode"; do
	run "$CT" $args
	check "usage: conntab $args is exit 2 with one line" "$(last_run)" \
		test "$rc" = 2 -a ! -s "$T/out" -a "$(wc -l <"$T/err")" = 1
done

echo quit >&"${CONNP[1]}"
it_finish
