#!/usr/bin/env bash
# The live view's cursor, detail pane, K and closed pane (issue 13),
# driven through tmux in a private server at 80x24 and after a resize.
# Connections come and go on command through the conn helper; every check
# polls the screen with a timeout.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"
command -v tmux >/dev/null || it_skip "no tmux"

CT=$CONNTAB
T=$IT_TMP
CONN=$(it_bin conn) || { echo "# cannot build conn"; echo "0 passed, 1 failed"; exit 1; }

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
conn_open() {
	conn_cmd "open $1" || return 1
	set -- $reply
	cid=$2 cport=$3
}
conn_cmd "listen 500" || { echo "# no listener"; echo "0 passed, 1 failed"; exit 1; }
conn_open 500 && id1=$cid p1=$cport
conn_open 500 && id2=$cid p2=$cport
conn_open 500 && id3=$cid p3=$cport

TM=(tmux -S "$T/tmux.sock" -f /dev/null)
IT_CLEANUP+=("tmux -S '$T/tmux.sock' kill-server")
S=keys

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
# cursor_on PATTERN [SECONDS]: poll until the cursor row (reverse video,
# the only one below the header) matches.
cursor_line() {
	# tmux writes an attribute only where it changes: follow SGR state
	# (0 and 27 end reverse video, 7 starts it) along the lines
	"${TM[@]}" capture-pane -p -e -t "$S" 2>/dev/null | python3 -c '
import re, sys
rev = False
for n, line in enumerate(sys.stdin):
    text, hit = "", False
    for part in re.split(r"(\x1b\[[0-9;]*m)", line.rstrip("\n")):
        if part.startswith("\x1b["):
            for p in (part[2:-1] or "0").split(";"):
                if p in ("0", "", "27"):
                    rev = False
                elif p == "7":
                    rev = True
            continue
        if rev and part.strip():
            hit = True
        text += part
    if n >= 2 and hit:
        print(text)
        break
'
}
cursor_on() {
	local i
	for ((i = 0; i < ${2:-30} * 10; i++)); do
		cursor_line >"$T/cursor"
		grep -Eq -- "$1" "$T/cursor" && return 0
		sleep 0.1
	done
	return 1
}
screen_diag() { diag "$T/screen"; }
# A row of the view: proto, state, local, remote.
row() { echo "tcp +$1 +$2 +$3( |\$)"; }

# keys_at SIZE PORT: the same checks at the terminal's current size -------------
# SIZE PORT: PORT is the client port of the second accepted connection.
keys_at() {
	local sz=$1 p2=$2
	# the cursor starts on the first row: the listener
	"${TM[@]}" send-keys -t "$S" Home
	if cursor_on "$(row LISTEN '127\.0\.0\.1:500' '0\.0\.0\.0:\*')" 10; then
		ok "$sz: the cursor is on the first row, the listener"
	else
		notok "$sz: the cursor is on the first row, the listener" "cursor: $(cat "$T/cursor")"
	fi
	check "$sz: the status line counts the rows" "$(tail -1 "$T/screen")" \
		wait_screen 'row 1 of [0-9]+' 5
	"${TM[@]}" send-keys -t "$S" Down Down
	if cursor_on "$(row ESTABLISHED '127\.0\.0\.1:500' "127\.0\.0\.1:$p2")" 10; then
		ok "$sz: Down Down moves it to the second accepted connection"
	else
		notok "$sz: Down Down moves it to the second accepted connection" "cursor: $(cat "$T/cursor")"
	fi
	# a refresh later (d 0.3), still there
	sleep 1
	check "$sz: it stays on the same socket across refreshes" "cursor: $(cursor_line)" \
		cursor_on "$(row ESTABLISHED '127\.0\.0\.1:500' "127\.0\.0\.1:$p2")" 5

	# Enter: the detail pane, every field, the owner, when first seen
	"${TM[@]}" send-keys -t "$S" Enter
	if wait_screen "^tcp 127\.0\.0\.1:500 <- 127\.0\.0\.1:$p2" 10; then
		ok "$sz: Enter opens the detail pane of the selected socket"
	else
		notok "$sz: Enter opens the detail pane of the selected socket" "screen:"; screen_diag
	fi
	miss=
	for f in proto state laddr lport raddr rport recvq sendq; do
		grep -Eq "^  $f +[^ ]" "$T/screen" || miss+=" $f"
	done
	check "$sz: detail shows the 5-tuple, state and queues" "missing:$miss" test -z "$miss"
	"${TM[@]}" send-keys -t "$S" End
	check "$sz: scrolled to the end, the owner with pid, fd and name" "screen" \
		wait_screen "^  owners +pid [0-9]+ fd [0-9]+ conn$" 10
	miss=
	for f in uid user inode cookie listener; do
		grep -Eq "^  $f +[^ ]" "$T/screen" || miss+=" $f"
	done
	check "$sz: ... and uid, user, inode, cookie, listener" "missing:$miss; $(tail -12 "$T/screen" | tr '\n' '|')" test -z "$miss"
	check "$sz: ... and when it was first seen" "$(tail -5 "$T/screen" | tr '\n' '|')" \
		wait_screen '^  first seen +[0-9:.]+ \(' 5
	"${TM[@]}" send-keys -t "$S" Escape
	if wait_screen '^ +PROTO +STATE +LOCAL' 10; then
		ok "$sz: Esc closes the detail pane"
	else
		notok "$sz: Esc closes the detail pane" "screen:"; screen_diag
	fi
	"${TM[@]}" send-keys -t "$S" Enter
	wait_screen "^tcp 127\.0\.0\.1:500 <- " 10
	"${TM[@]}" send-keys -t "$S" Enter
	check "$sz: Enter closes it too" "screen" wait_screen '^ +PROTO +STATE +LOCAL' 10
}

"${TM[@]}" new-session -d -s "$S" -x 80 -y 24 \
	"'$CT' -w -d 0.3 :500; echo EXIT=\$? >'$T/exit'; sleep 600"
"${TM[@]}" set-option -s exit-empty off
wait_screen "$(row ESTABLISHED '127\.0\.0\.1:500' "127\.0\.0\.1:$p3")" ||
	{ notok "the view shows the connections" "screen:"; screen_diag; }
keys_at 80x24 "$p2"

# K, then n: cancelled, nothing destroyed -------------------------------------
"${TM[@]}" send-keys -t "$S" Home Down
cursor_on "$(row ESTABLISHED '127\.0\.0\.1:500' "127\.0\.0\.1:$p1")" 10
"${TM[@]}" send-keys -t "$S" K
if wait_screen "^kill tcp 127\.0\.0\.1:500 <- 127\.0\.0\.1:$p1\? y/n" 10; then
	ok "K asks on the status line: kill tcp 127.0.0.1:500 <- 127.0.0.1:$p1? y/n"
else
	notok "K asks on the status line" "screen:"; screen_diag
fi
"${TM[@]}" send-keys -t "$S" n
check "n cancels" "$(tail -1 "$T/screen")" wait_screen '^kill: cancelled' 10
conn_cmd "peek $id1"
check "after n the client sees nothing" "$reply" test "$reply" = "ok $id1 nothing"
check "after n the connection is still there" "$(ss -tanH)" \
	test "$(ss -tanH state established dport = 500 sport = $p1 | wc -l)" = 1

# K, then y: destroyed, the client sees a reset --------------------------------
cursor_on "$(row ESTABLISHED '127\.0\.0\.1:500' "127\.0\.0\.1:$p1")" 10
"${TM[@]}" send-keys -t "$S" K
wait_screen "^kill tcp 127\.0\.0\.1:500 <- 127\.0\.0\.1:$p1\? y/n" 10
"${TM[@]}" send-keys -t "$S" y
if wait_screen "^killed tcp 127\.0\.0\.1:500 <- 127\.0\.0\.1:$p1" 10; then
	ok "y destroys it and says so"
else
	notok "y destroys it and says so" "screen:"; screen_diag
fi
conn_cmd "peek $id1"
check "after y the client sees a reset" "$reply" test "$reply" = "ok $id1 reset"
check "after y the other connections are untouched" "$(ss -tanH)" \
	test "$(ss -tanH state established '( sport = 500 )' | wc -l)" = 2
# the process still holds both ends: they leave the dumps, and close
# when it lets go of them
conn_cmd "close $id1"

# c: the closed pane, a short-lived connection included ----------------------
conn_open 500 && id4=$cid p4=$cport
conn_cmd "close $id4"
"${TM[@]}" send-keys -t "$S" c
if wait_screen '^closed: the last [0-9]+ of [0-9]+ closes' 10; then
	ok "c opens the closed pane"
else
	notok "c opens the closed pane" "screen:"; screen_diag
fi
check "the closed pane has a column header" "$(sed -n 3p "$T/screen")" \
	grep -Eq '^TIME +PROTO +LOCAL +REMOTE +PROCESS +DURATION' "$T/screen"
check "the killed connection is in it, both ends, with its owner" "screen" \
	wait_screen "^[0-9:.]+ +tcp +127\.0\.0\.1:500 +127\.0\.0\.1:$p1 +conn\([0-9]+\)" 10
check "... its client end too" "screen" \
	wait_screen "^[0-9:.]+ +tcp +127\.0\.0\.1:$p1 +127\.0\.0\.1:500 +conn\([0-9]+\)" 10
# the client end of that one reset itself (SO_LINGER 0), which disconnects
# it before the kernel frees it: the kernel's record has lost its remote
# end, and the filter :500 no longer takes it. The server end keeps it.
if wait_screen "^[0-9:.]+ +tcp +127\.0\.0\.1:500 +127\.0\.0\.1:$p4 .*(unsampled|[0-9.]+s)" 10; then
	ok "the short-lived connection ($p4) is in it"
else
	notok "the short-lived connection ($p4) is in it" "screen:"; screen_diag
fi
check "at 80x24 no line of the pane is wider than 80" "$(awk '{ print length }' "$T/screen" | sort -n | tail -1)" \
	test "$(awk '{ print length }' "$T/screen" | sort -n | tail -1)" -le 80
"${TM[@]}" send-keys -t "$S" c
check "c closes it" "screen" wait_screen '^ +PROTO +STATE +LOCAL' 10

# ? lists the new keys ---------------------------------------------------------
"${TM[@]}" send-keys -t "$S" '?'
check "the help lists Enter, K and c" "screen" wait_screen '^ +K +kill it' 10
grep -Eq '^ +Enter +the socket' "$T/screen" && grep -Eq '^ +c +the last 100 closed' "$T/screen"
st=$?
check "the help lists Enter and c too" "$(head -c 400 "$T/screen")" test "$st" = 0
"${TM[@]}" send-keys -t "$S" x
wait_screen '^ +PROTO' 10

# After a resize: all the same -------------------------------------------------
"${TM[@]}" resize-window -t "$S" -x 40 -y 10
sleep 0.5
"${TM[@]}" resize-window -t "$S" -x 100 -y 30
wait_screen '^ +PROTO' 10
keys_at "100x30 after a resize" "$p3"	# p1 is gone
"${TM[@]}" resize-window -t "$S" -x 80 -y 24
wait_screen '^ +PROTO' 10
keys_at "back at 80x24" "$p3"

"${TM[@]}" send-keys -t "$S" q
for i in $(seq 100); do [ -s "$T/exit" ] && break; sleep 0.1; done
check "q quits with status 0" "$(cat "$T/exit" 2>/dev/null)" grep -qx 'EXIT=0' "$T/exit"
it_finish
