# Shared helpers of the integration tests (tests/it/test_*.sh).  Source it:
#     . "$(dirname "$0")/lib.sh"
#     it_enter_ns "$@"
#
# Environment: CONNTAB (absolute path of the binary under test) and IT_BIN
# (the directory holding the compiled tests/it/*.c), both set by `make
# check`.  Run by hand, CONNTAB defaults to the tree's ./conntab and the
# helpers are compiled into a temporary directory.
#
# Output: "ok N - desc" / "not ok N - desc (details)" lines, diagnostics as
# "# ..." lines, and a last line "N passed, M failed"; the exit status is
# non-zero when anything failed.

IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT_TOP=$(cd "$IT_DIR/../.." && pwd)
: "${CONNTAB:=$IT_TOP/conntab}"
it_n=0
it_pass=0
it_fail=0

it_skip() {
	echo "0 passed, 0 failed"
	echo "# skipped: $*"
	exit 0
}

# Re-execute the calling script inside a private network namespace (and a
# private mount namespace, so that `ip netns add` mounts stay ours), with
# loopback up.  Skips when that is impossible (not root, no unshare).
it_enter_ns() {
	if [ -z "${CT_IN_NS:-}" ]; then
		[ "$(id -u)" = 0 ] || it_skip "not root"
		command -v unshare >/dev/null || it_skip "no unshare"
		unshare -n -m true 2>/dev/null || it_skip "unshare -n -m fails"
		CT_IN_NS=1 exec unshare -n -m -- bash "$0" "$@"
	fi
	ip link set lo up || { echo "# cannot bring lo up"; echo "0 passed, 1 failed"; exit 1; }
	# Belt and braces: a fresh namespace holds no socket at all.
	if [ -n "$(ss -tuanH 2>/dev/null)" ]; then
		echo "# not in an empty network namespace"; echo "0 passed, 1 failed"; exit 1
	fi
	[ -x "$CONNTAB" ] || { echo "# no binary at $CONNTAB"; echo "0 passed, 1 failed"; exit 1; }
	IT_TMP=$(mktemp -d /tmp/conntab-it.XXXXXX)
	chmod 755 "$IT_TMP"
	IT_PIDS=()
	IT_CLEANUP=()
	trap it_cleanup EXIT
}

it_cleanup() {
	local p c
	for c in "${IT_CLEANUP[@]}"; do eval "$c" >/dev/null 2>&1; done
	for p in "${IT_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${IT_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$IT_TMP"
}

# Path of a helper compiled from tests/it/NAME.c.
it_bin() {
	if [ -n "${IT_BIN:-}" ] && [ -x "$IT_BIN/$1" ]; then
		echo "$IT_BIN/$1"
		return
	fi
	if [ ! -x "$IT_TMP/$1" ]; then
		${CC:-cc} -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -O1 \
			-o "$IT_TMP/$1" "$IT_DIR/$1.c" >&2 || return 1
	fi
	echo "$IT_TMP/$1"
}

# Path of an LD_PRELOAD shim compiled from tests/it/preload/NAME.c.
it_shim() {
	if [ -n "${IT_BIN:-}" ] && [ -f "$IT_BIN/$1.so" ]; then
		echo "$IT_BIN/$1.so"
		return
	fi
	if [ ! -f "$IT_TMP/$1.so" ]; then
		${CC:-cc} -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -O1 -fPIC -shared \
			-o "$IT_TMP/$1.so" "$IT_DIR/preload/$1.c" -ldl >&2 || return 1
	fi
	echo "$IT_TMP/$1.so"
}

ok() {
	it_n=$((it_n + 1)); it_pass=$((it_pass + 1))
	echo "ok $it_n - $1"
}

notok() {
	it_n=$((it_n + 1)); it_fail=$((it_fail + 1))
	echo "not ok $it_n - $1 ($2)"
}

# check DESC DETAILS CMD...: ok when CMD succeeds.
check() {
	local desc=$1 details=$2
	shift 2
	if "$@"; then ok "$desc"; else notok "$desc" "$details"; fi
}

# Comment lines: at most 12 lines of a file or of stdin, 160 bytes each,
# as "# ..." lines.
diag() {
	if [ $# -gt 0 ]; then head -n 12 -- "$@"; else head -n 12; fi | cut -c1-160 | sed 's/^/#   /' | cat -v
}

it_finish() {
	echo "$it_pass passed, $it_fail failed"
	[ "$it_fail" -eq 0 ]
}

# run CMD...: stdout in $IT_TMP/out, stderr in $IT_TMP/err, status in $rc.
# Every run is bounded in time: a hang is a failure, not a stuck suite.
run() {
	timeout -k 5 60 "$@" >"$IT_TMP/out" 2>"$IT_TMP/err"
	rc=$?
}

# Human summary of the last run for a "not ok" line.
last_run() {
	local e
	e=$(head -c 200 "$IT_TMP/err" | tr '\n' ' ' | cat -v)
	echo "exit $rc${e:+, stderr: $e}"
}

# same_lines DESC A B: the two files hold the same lines, counted with
# multiplicity, in any order.
same_lines() {
	local desc=$1
	sort "$2" >"$IT_TMP/sa"
	sort "$3" >"$IT_TMP/sb"
	if cmp -s "$IT_TMP/sa" "$IT_TMP/sb"; then
		ok "$desc"
	else
		notok "$desc" "$(comm -23 "$IT_TMP/sa" "$IT_TMP/sb" | wc -l) lines only in the first, $(comm -13 "$IT_TMP/sa" "$IT_TMP/sb" | wc -l) only in the second"
		diff "$IT_TMP/sa" "$IT_TMP/sb" | grep '^[<>]' | diag
	fi
}

# Start a helper in the background: start_helper OUTFILE CMD...; waits
# for its READY line (10 s at most).  Leaves its pid in $helper_pid.
start_helper() {
	local out=$1 i
	shift
	: >"$out"	# exists before the first look for READY
	"$@" >"$out" &
	helper_pid=$!
	IT_PIDS+=("$helper_pid")
	for i in $(seq 200); do
		grep -qx READY "$out" && return 0
		kill -0 "$helper_pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "# helper $* did not get READY"
	return 1
}

stop_helper() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# signal_wait SIG PID: send SIG to PID, a child of this shell, and set rc to
# its exit status. Signal conntab itself, never a `timeout` around it: that
# forwards the signal to its whole group and adds SIGCONT, and once left a
# sanitizer build (whose LeakSanitizer stops the process at exit) running
# past a 5 s grace in CI. A process still there after 30 s is killed:
# rc=137, and the check fails.
signal_wait() {
	local i
	kill -"$1" "$2" 2>/dev/null
	for i in $(seq 300); do
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$2" 2>/dev/null
	wait "$2"
	rc=$?
}

# ss -tuanH in conntab's notation: "proto state recvq sendq local remote".
# The endpoints are ss's own text (a wildcard IPv6 socket that is not
# IPV6_V6ONLY is *:port and its peer *:*, in both); the states are renamed.
ss_rows() {
	ss -tuanH "$@" | awk '
	BEGIN {
		st["ESTAB"] = "ESTABLISHED"; st["SYN-SENT"] = "SYN_SENT"
		st["SYN-RECV"] = "SYN_RECV"; st["FIN-WAIT-1"] = "FIN_WAIT1"
		st["FIN-WAIT-2"] = "FIN_WAIT2"; st["TIME-WAIT"] = "TIME_WAIT"
		st["CLOSE-WAIT"] = "CLOSE_WAIT"; st["LAST-ACK"] = "LAST_ACK"
		st["CLOSING"] = "CLOSING"; st["LISTEN"] = "LISTEN"
		st["UNCONN"] = "UNCONN"; st["CLOSE"] = "CLOSE"
	}
	{
		s = ($2 in st) ? st[$2] : "?" $2
		print $1, s, $3, $4, $5, $6
	}'
}

# ss_keys ARGS...: ss -tuanH ARGS as "proto family state local remote", in
# conntab's notation (as ss_rows), without the queues and with the family:
# ss writes no family, so it comes from the address ('[' or '*': inet6),
# and a device a socket is bound to (127.0.0.1%lo:5040) is dropped. ss
# leaves out the Netid column when it shows one table (-A tcp) and the
# State column when it shows one state (state established): those come
# from an unfiltered listing taken just before, by local and remote end.
# ss's exit status is left in $ss_rc.
ss_keys() {
	local full
	full=$(mktemp "${IT_TMP:-/tmp}/ss_keys.XXXXXX")
	ss -tuanH >"$full" 2>/dev/null
	ss -tuanH "$@" | awk -v full="$full" '
	function ep(s) {
		sub(/%[^:]*:/, ":", s)
		return s
	}
	BEGIN {
		st["ESTAB"] = "ESTABLISHED"; st["SYN-SENT"] = "SYN_SENT"
		st["SYN-RECV"] = "SYN_RECV"; st["FIN-WAIT-1"] = "FIN_WAIT1"
		st["FIN-WAIT-2"] = "FIN_WAIT2"; st["TIME-WAIT"] = "TIME_WAIT"
		st["CLOSE-WAIT"] = "CLOSE_WAIT"; st["LAST-ACK"] = "LAST_ACK"
		st["CLOSING"] = "CLOSING"; st["LISTEN"] = "LISTEN"
		st["UNCONN"] = "UNCONN"
		while ((getline line < full) > 0) {
			split(line, w, " ")
			key = ep(w[5]) " " ep(w[6])
			val = w[1] " " w[2]
			# mawk makes the element before it reads the right side
			if (key in known && known[key] != val)
				val = "? ?"
			known[key] = val
		}
	}
	{
		i = 1
		proto = state = ""
		if ($1 == "tcp" || $1 == "udp") { proto = $1; i = 2 }
		if ($i !~ /^[0-9]+$/) { state = $i; i++ }
		l = ep($(i + 2))
		r = ep($(i + 3))
		if (proto == "" || state == "") {
			split((l " " r) in known ? known[l " " r] : "? ?", kn, " ")
			if (proto == "") proto = kn[1]
			if (state == "") state = kn[2]
		}
		s = (state in st) ? st[state] : "?" state
		if (proto == "tcp" && s == "UNCONN") s = "CLOSE"
		fam = (l ~ /^[[*]/) ? "inet6" : "inet"
		print proto, fam, s, l, r
	}'
	ss_rc=${PIPESTATUS[0]}
	rm -f "$full"
}

# jq definitions: the local/remote notation built from laddr/lport,
# raddr/rport and v6only, for checking the JSON fields against each other
# and ss (a dual-stack wildcard is "*").
JQ_EP='def ep(a; p; f; dual):
	(if a == null or (a == "::" and dual) then
		(if f != "inet6" then "0.0.0.0" elif dual then "*" else "[::]" end)
	 elif f == "inet6" then "[" + a + "]" else a end)
	+ ":" + (if p == null or p == 0 then "*" else (p | tostring) end);
def dual: .family == "inet6" and .v6only == false;
def loc: ep(.laddr; .lport; .family; dual);
def rem: ep(.raddr; .rport; .family; dual);
def key4: "\(.proto) \(.state) \(loc) \(rem)";
def key5: "\(.proto) \(.family) \(.state) \(loc) \(rem)";
def ownl: if (.owners // []) == [] then "-"
	else .owners | sort_by([.pid, .fd]) | map("\(.pid):\(.fd)") | join(",") end;'

# jqe ARGS...: jq -e, quiet; for check lines.
jqe() {
	jq -e "$@" >/dev/null 2>&1
}
