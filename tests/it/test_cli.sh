#!/usr/bin/env bash
# The command line's failure modes (SPEC.md sections 4 to 6): every malformed
# option or filter gets exactly one line on stderr, "conntab: ...", nothing
# on stdout, and exit status 2 -- never a crash; --help and --version go to
# stdout with status 0; a write error is status 1 with a message.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP

# usage_err DESC ARGS...: conntab ARGS is a usage error, told in one clean
# line.
usage_err() {
	local desc=$1 why=
	shift
	run "$CT" "$@"
	if [ "$rc" -ge 128 ]; then why="crashed: exit $rc (signal $((rc - 128)))"
	elif [ "$rc" = 124 ]; then why="timed out"
	elif [ "$rc" != 2 ]; then why="exit $rc, not 2"
	elif [ -s "$T/out" ]; then why="stdout not empty"
	elif [ "$(wc -l <"$T/err")" != 1 ] || [ "$(tail -c 1 "$T/err" | od -An -c | tr -d ' ')" != '\n' ]; then
		why="$(wc -l <"$T/err") lines on stderr, want one"
	elif ! grep -q '^conntab: ' "$T/err"; then why="message does not start with 'conntab: '"
	elif [ "$(tr -d '\n' <"$T/err" | LC_ALL=C tr -d '[:print:]' | wc -c)" != 0 ]; then
		why="control bytes in the message"
	fi
	if [ -z "$why" ]; then
		ok "$desc: exit 2, one line 'conntab: ...'"
	else
		notok "$desc: exit 2, one line 'conntab: ...'" "$why; stderr: $(head -c 200 "$T/err" | od -An -c | tr -s ' \n' ' ' | head -c 300)"
	fi
}

# works DESC ARGS...: conntab ARGS succeeds quietly.
works() {
	local desc=$1
	shift
	run "$CT" "$@"
	check "$desc: exit 0, nothing on stderr" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
}

# An empty namespace: nothing matched is still success.
run "$CT"
check "empty namespace: exit 0, the header only" "$(last_run): $(head -c 200 "$T/out")" \
	test "$rc" = 0 -a ! -s "$T/err" -a "$(wc -l <"$T/out")" = 1 -a "$(head -1 "$T/out" | tr -s ' ' | sed 's/ *$//')" = "PROTO STATE RECVQ SENDQ LOCAL REMOTE PROCESS"
run "$CT" -J
check "empty namespace: -J prints an empty JSON array" "$(last_run): $(head -c 200 "$T/out")" \
	test "$rc" = 0 -a "$(jq -c . "$T/out" 2>&1)" = "[]"
run "$CT" -H
check "empty namespace: -H prints nothing" "$(last_run): $(head -c 200 "$T/out")" \
	test "$rc" = 0 -a ! -s "$T/out" -a ! -s "$T/err"
run "$CT" --format csv
check "empty namespace: --format csv is the header line" "$(last_run): $(head -c 200 "$T/out" | cat -v)" \
	test "$rc" = 0 -a "$(cat "$T/out")" = $'PROTO,STATE,RECVQ,SENDQ,LOCAL,REMOTE,PROCESS\r'
run "$CT" :5001
check "empty namespace: a filter that matches nothing: exit 0" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"

# Unknown options.
usage_err "unknown short option -Z" -Z
usage_err "unknown long option --bogus" --bogus
usage_err "unknown option among valid ones -tZ" -tZ
usage_err "--help with an argument" --help=x
# named as typed: getopt_long() reports them by their letter, or not at all
# says_err DESC WANT ARGS...: the one line on stderr is exactly WANT.
says_err() {
	local desc=$1 want=$2
	shift 2
	run "$CT" "$@"
	check "$desc" "$(last_run)" test "$rc" = 2 -a "$(cat "$T/err")" = "$want"
}
says_err "--tree=x names --tree, which takes no argument" \
	"conntab: option '--tree' takes no argument (see conntab --help)" --tree=x
says_err "--help=x names --help" \
	"conntab: option '--help' takes no argument (see conntab --help)" --help=x
says_err "--tr=x (a prefix) names what was typed" \
	"conntab: option '--tr' takes no argument (see conntab --help)" --tr=x
says_err "--no is ambiguous, and the message lists the candidates" \
	"conntab: option '--no' is ambiguous: --no-processes, --no-header (see conntab --help)" --no
says_err "--col is no ambiguity: --color and --colour are one option" \
	"conntab: --color: expected auto, always or never, not 'x' (see conntab --help)" --col=x
says_err "--bogus is unknown" "conntab: unknown option '--bogus' (see conntab --help)" --bogus
says_err "-Zt after a long option names -Z, not the long option" \
	"conntab: unknown option '-Z' (see conntab --help)" --no-header -Zt

# Missing arguments.
for o in -o --sort --format -N --netns -g; do
	usage_err "$o without its argument" "$o"
done
run "$CT" --sort
check "--sort without argument: the message names '--sort'" "$(head -c 200 "$T/err" | cat -v)" grep -q -- "--sort" "$T/err"
run "$CT" --format
check "--format without argument: the message names '--format'" "$(head -c 200 "$T/err" | cat -v)" grep -q -- "--format" "$T/err"

# Unknown fields.
usage_err "-o with an unknown field" -o bogus
usage_err "-o with one unknown field among known ones" -o proto,bogus,state
usage_err "--sort with an unknown field" --sort bogus
usage_err "--sort=bogus" --sort=bogus
usage_err "-g with an unknown field" -g bogus
run "$CT" -o bogus
check "-o bogus: the message names the field" "$(head -c 200 "$T/err")" grep -q "bogus" "$T/err"

usage_err "-g with a prefix on a port field" -g lport/24
# -s has its own columns (and reads owners for them): -o would empty PROCESS
usage_err "-s with -o" -s -o local
usage_err "-s with --sort" -s --sort lport
usage_err "-g with a prefix over 128" -g raddr/129
usage_err "-g with a prefix that is not a number" -g raddr/abc
# Bad values.
usage_err "--format xml" --format xml
usage_err "--format=xml" --format=xml
usage_err "--format with an empty value" --format ''
usage_err "--color=sometimes" --color=sometimes
usage_err "--color=" --color=
# -d is the live view's interval; whether or not it exists yet, a bad value
# is a usage error.
for v in abc -1 nan inf ''; do
	usage_err "-d '$v'" -d "$v"
done

# Filter errors.
usage_err "unknown filter word 'dprot'" dprot :80
run "$CT" dprot :80
check "unknown filter word: the message names the word and its column" "$(head -c 200 "$T/err")" \
	grep -q "'dprot'.*column 1" "$T/err"
usage_err "out-of-range port :70000" :70000
usage_err "out-of-range port :65536" :65536
usage_err "negative port :-1" :-1
usage_err "unknown service name :nosuchservice" :nosuchservice

# The same words, well formed, work: the checks above are not vacuous.
works "-t -u -4 -l -a -n -p -e -P -H together" -t -u -4 -l -a -n -p -e -P -H
works "-o proto,state" -o proto,state
works "-o PROTO (field names are case-insensitive)" -o PROTO
works "--sort lport -r" --sort lport -r
works "--sort=lport" --sort=lport
works "-g lport" -g lport
works "--format json" --format json
works "--format=csv" --format=csv
works "--color (no value)" --color
# bare --color means always, as ls reads it; auto stays the default
sgr=$(printf '\033[')
run "$CT" --color
check "bare --color through a pipe: colour (the bold header)" "$(head -c 100 "$T/out" | cat -v)" \
	grep -qF "$sgr" "$T/out"
NO_COLOR=1 timeout 60 "$CT" --color >"$T/out" 2>&1
check "bare --color with NO_COLOR=1: colour all the same, as --color=always" "$(head -c 100 "$T/out" | cat -v)" \
	grep -qF "$sgr" "$T/out"
for c in "" --color=auto --color=never; do
	run "$CT" $c
	check "conntab ${c:-(no --color)} through a pipe: no colour" "$(head -c 100 "$T/out" | cat -v)" \
		test "$rc" = 0 -a -z "$(grep -F "$sgr" "$T/out")"
done
works "--color=never" --color=never
works "--colour=always" --colour=always
works "--no-processes --no-header" --no-processes --no-header
works "port 65535" :65535
works "port :5001" :5001

# Help and version.
for h in --help -h; do
	run "$CT" "$h"
	check "$h: exit 0, usage on stdout, nothing on stderr" "$(last_run)" \
		test "$rc" = 0 -a -s "$T/out" -a ! -s "$T/err"
	check "$h: the usage names conntab" "" grep -q conntab "$T/out"
done
for v in -V --version; do
	run "$CT" "$v"
	check "$v: exit 0, a version on stdout, nothing on stderr" "$(last_run): $(head -c 100 "$T/out")" \
		test "$rc" = 0 -a ! -s "$T/err" -a "$(grep -cE '[0-9]+\.[0-9]+' "$T/out")" -ge 1
done

# Write errors: exit 1 with a message; with the header only (an empty
# namespace: the whole output sits in a stdio buffer until exit), and with
# sockets.
full() {
	local desc=$1
	shift
	timeout -k 5 60 "$CT" "$@" >/dev/full 2>"$T/err"
	rc=$?
	check "$desc >/dev/full: exit 1, one line 'conntab: ...'" "$(last_run)" \
		test "$rc" = 1 -a "$(wc -l <"$T/err")" = 1 -a "$(grep -c '^conntab: ' "$T/err")" = 1
}
full "empty namespace: conntab"
full "empty namespace: conntab -J" -J
full "empty namespace: conntab --format csv" --format csv
SOCKMIX=$(it_bin sockmix)
if [ -n "$SOCKMIX" ] && start_helper "$T/mf" "$SOCKMIX"; then
	full "with sockets: conntab"
	full "with sockets: conntab -J" -J
	full "with sockets: conntab --format tsv" --format tsv
else
	notok "sockmix is READY" "$(tail -2 "$T/mf")"
fi
full "conntab --help" --help
full "conntab -V" -V

# A closed stdout (>&-) is a write error too, in every mode: the first
# socket must not take descriptor 1 and swallow the output. (sockmix, if
# it started, is still running: there are sockets to list.)
closed() {
	local desc=$1
	shift
	timeout -k 5 20 "$CT" "$@" >&- 2>"$T/err"
	rc=$?
	check "$desc >&-: exit 1, 'conntab: write error: Bad file descriptor'" "$(last_run)" \
		test "$rc" = 1 -a "$(cat "$T/err")" = "conntab: write error: Bad file descriptor"
}
closed "conntab"
closed "conntab -l" -l
closed "conntab -J" -J
closed "conntab --format csv" --format csv
closed "conntab -g raddr" -g raddr
closed "conntab -T" -T
closed "conntab -s" -s
closed "conntab --help" --help
closed "conntab -w (the event stream)" -w -d 0.1
timeout -k 5 20 "$CT" -l >&- 2>&-
rc=$?
check "conntab -l >&- 2>&-: exit 1 all the same" "exit $rc" test "$rc" = 1
run "$CT" -l <&-
check "conntab -l <&-: a closed stdin changes nothing" "$(last_run)" \
	test "$rc" = 0 -a ! -s "$T/err" -a "$(head -1 "$T/out" | awk '{ print $1 }')" = PROTO
timeout -k 5 20 "$CT" -l 2>&- >"$T/out"
rc=$?
check "conntab -l 2>&-: a closed stderr changes nothing" "exit $rc" \
	test "$rc" = 0 -a "$(head -1 "$T/out" | awk '{ print $1 }')" = PROTO

it_finish
