#!/usr/bin/env bash
# Issue 11, "owners at the speed of the listing": the BPF task_file
# iterator and the /proc walk (on every core) give the same owners, socket
# for socket, on sockmix's mix and on ownmix's hard cases (a listener
# shared after fork, a connection still in the accept queue, sockets opened
# by threads of one table, a socket only a thread's own table holds, an
# O_PATH descriptor of a unix socket's path), while processes come and go,
# inside a new PID namespace, and in the live view's event stream. As
# nobody the iterator cannot load: owners come from /proc, silently.
# Where the iterator cannot load at all (no privileges, no BTF, a build
# without clang and bpftool), the iterator's half is skipped.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
SOCKMIX=$(it_bin sockmix) || { notok "build sockmix" "cc failed"; it_finish; exit; }
OWNMIX=$(it_bin ownmix) || { notok "build ownmix" "cc failed"; it_finish; exit; }

start_helper "$T/mf" "$SOCKMIX" || { notok "sockmix is READY" "$(tail -3 "$T/mf")"; it_finish; exit; }
start_helper "$T/om" "$OWNMIX" mix 127.0.0.2 5201 || { notok "ownmix is READY" "$(tail -3 "$T/om")"; it_finish; exit; }
OMPID=$helper_pid
ok "sockmix and ownmix are READY"

# Which back-ends this conntab has here.
run env CONNTAB_DEBUG=1 "$CT" -t
BPF=0
grep -q 'owners from the BPF iterator' "$T/err" && BPF=1
if [ $BPF = 1 ]; then
	ok "CONNTAB_DEBUG: owners from the BPF iterator by default"
else
	echo "# the BPF iterator does not load here ($(grep -o 'not the BPF iterator: .*' "$T/err" | head -c 100)): its half is skipped"
fi
check "CONNTAB_DEBUG says which back-end ran" "$(cat "$T/err" | head -c 300)" \
	grep -q 'conntab: debug: owners from ' "$T/err"
run env CONNTAB_DEBUG=1 CONNTAB_OWNERS=proc "$CT" -t
check "CONNTAB_OWNERS=proc: the /proc walk, and why" "$(head -c 300 "$T/err")" \
	grep -q 'owners from /proc ([0-9]* threads\?); not the BPF iterator: CONNTAB_OWNERS=proc' "$T/err"

OUT=(-o proto,state,local,remote,owners --format tsv -H)
# owners_both NAME ARGS...: conntab ARGS with each back-end into
# $T/NAME.proc and $T/NAME.bpf; ok when they are the same file.
owners_both() {
	local name=$1
	shift
	run env CONNTAB_OWNERS=proc "$CT" "$@"
	cp "$T/out" "$T/$name.proc"
	check "$name: CONNTAB_OWNERS=proc exits 0, nothing on stderr" "$(last_run)" \
		test "$rc" = 0 -a ! -s "$T/err"
	[ $BPF = 1 ] || return 0
	run env CONNTAB_OWNERS=bpf "$CT" "$@"
	cp "$T/out" "$T/$name.bpf"
	check "$name: CONNTAB_OWNERS=bpf exits 0, nothing on stderr" "$(last_run)" \
		test "$rc" = 0 -a ! -s "$T/err"
	if cmp -s "$T/$name.proc" "$T/$name.bpf"; then
		ok "$name: both back-ends give the same owners, socket for socket"
	else
		notok "$name: both back-ends give the same owners" "$(diff "$T/$name.proc" "$T/$name.bpf" | grep -c '^[<>]') lines differ"
		diff "$T/$name.proc" "$T/$name.bpf" | grep '^[<>]' | diag
	fi
}

owners_both table "${OUT[@]}"
owners_both json -J
owners_both tree -T

# The manifests' owners, as JSON says them: "proto state local remote pid:fd,...".
manifest() { awk '$1 == "sock" { print $2, $3, $4, $5, $8 }' "$@"; }
manifest "$T/mf" "$T/om" | grep -v ' TIME_WAIT ' >"$T/expown"
for b in proc bpf; do
	[ -f "$T/json.$b" ] || continue
	jq -r "$JQ_EP"' .[] | select(.state != "TIME_WAIT") | key4 + " " + ownl' \
		"$T/json.$b" >"$T/own.$b" 2>/dev/null
	same_lines "$b: every owner as the helpers say (fork-shared, queued, threads, lone thread)" \
		"$T/expown" "$T/own.$b"
done

# The O_PATH descriptor of a unix socket's path is an owner of nothing.
read -r _ OPID OFD < <(awk '$1 == "opath"' "$T/om")
for b in proc bpf; do
	[ -f "$T/json.$b" ] || continue
	check "$b: the O_PATH descriptor $OPID:$OFD owns nothing" \
		"$(jq -c "[.[] | select(any(.owners[]?; .pid == $OPID and .fd == $OFD))]" "$T/json.$b" | head -c 200)" \
		jqe "all(.[]; all(.owners[]?; .pid != $OPID or .fd != $OFD))" "$T/json.$b"
done

# ---- processes that come and go during the scan ---------------------------

start_helper "$T/churn" "$OWNMIX" churn 127.0.0.3 || notok "ownmix churn is READY" "$(tail -3 "$T/churn")"
# the stable sockets' owners, without the churning ones
stable() { jq -r "$JQ_EP"' .[] | select(.state != "TIME_WAIT" and (.laddr // "") != "127.0.0.3") | key4 + " " + ownl' "$1"; }
stable "$T/json.proc" >"$T/stable.want"
fails=0
for i in $(seq 8); do
	for b in proc bpf; do
		[ $b = bpf ] && [ $BPF = 0 ] && continue
		run env CONNTAB_OWNERS=$b "$CT" -J
		if [ "$rc" != 0 ] || [ -s "$T/err" ]; then
			fails=$((fails + 1))
			diag "$T/err"
			continue
		fi
		stable "$T/out" >"$T/stable.got"
		cmp -s "$T/stable.want" "$T/stable.got" || { fails=$((fails + 1)); diff "$T/stable.want" "$T/stable.got" | diag; }
	done
done
check "processes exiting during the scan: every run exits 0, the stable owners unchanged" \
	"$fails bad runs" test "$fails" = 0
stop_helper "$helper_pid"

# ---- a new PID namespace ------------------------------------------------------

# conntab and an ownmix of their own in it (on 127.0.0.4, in this network
# namespace): the owners are the pids that namespace sees, the ones ownmix
# printed, from either back-end.
PIDNS_SH='
	"$OWNMIX" mix 127.0.0.4 5301 >"$T/ns.om" &
	for i in $(seq 200); do grep -qx READY "$T/ns.om" && break; sleep 0.05; done
	CONNTAB_OWNERS=proc "$CT" -J >"$T/ns.proc" 2>"$T/ns.proc.err"
	echo $? >"$T/ns.proc.rc"
	if [ "$BPF" = 1 ]; then
		CONNTAB_OWNERS=bpf "$CT" -J >"$T/ns.bpf" 2>"$T/ns.bpf.err"
		echo $? >"$T/ns.bpf.rc"
		CONNTAB_DEBUG=1 "$CT" -t >/dev/null 2>"$T/ns.debug"
	fi
	kill %1
	wait'
if unshare -p -f --mount-proc true 2>/dev/null; then
	OWNMIX=$OWNMIX CT=$CT T=$T BPF=$BPF timeout -k 5 60 unshare -p -f --mount-proc bash -c "$PIDNS_SH"
	manifest "$T/ns.om" >"$T/ns.expown"
	check "PID namespace: ownmix's pid there is small" "$(awk '$1 == "opath" { print $2 }' "$T/ns.om")" \
		test "$(awk '$1 == "opath" { print $2 }' "$T/ns.om")" -lt 100
	for b in proc bpf; do
		[ $b = bpf ] && [ $BPF = 0 ] && continue
		check "PID namespace, $b: exit 0, nothing on stderr" "$(cat "$T/ns.$b.rc") $(head -c 200 "$T/ns.$b.err")" \
			test "$(cat "$T/ns.$b.rc")" = 0 -a ! -s "$T/ns.$b.err"
		jq -r "$JQ_EP"' .[] | select(.laddr == "127.0.0.4") | key4 + " " + ownl' "$T/ns.$b" >"$T/ns.own.$b" 2>/dev/null
		same_lines "PID namespace, $b: owners are the namespace's pids" "$T/ns.expown" "$T/ns.own.$b"
	done
	if [ $BPF = 1 ]; then
		check "PID namespace: the iterator loads there too" "$(head -c 200 "$T/ns.debug")" \
			grep -q 'owners from the BPF iterator' "$T/ns.debug"
		if cmp -s "$T/ns.proc" "$T/ns.bpf"; then
			ok "PID namespace: both back-ends give the same owners"
		else
			notok "PID namespace: both back-ends give the same owners" "they differ"
			diff "$T/ns.proc" "$T/ns.bpf" | diag
		fi
	fi
else
	echo "# skipped: unshare -p -f --mount-proc fails here"
fi

# ---- nobody ---------------------------------------------------------------------

CTU=$CT
if ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$CT" 2>/dev/null; then
	cp "$CT" "$T/conntab"; chmod 755 "$T/conntab"; CTU=$T/conntab
fi
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
SMU=$SOCKMIX
if ! "${NOBODY[@]}" test -x "$SOCKMIX" 2>/dev/null; then
	cp "$SOCKMIX" "$T/sockmix"; chmod 755 "$T/sockmix"; SMU=$T/sockmix
fi
start_helper "$T/nb" "${NOBODY[@]}" "$SMU" listen 127.0.0.5 5401 ||
	notok "a listener of nobody's is READY" "$(tail -3 "$T/nb")"
NBPID=$helper_pid		# setpriv became sockmix
run "${NOBODY[@]}" "$CTU" -J
check "as nobody: exit 0, nothing on stderr" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
check "as nobody: nobody's own listener has its owner, from /proc" \
	"$(jq -c '[.[] | select(.lport == 5401)]' "$T/out" 2>&1 | head -c 200)" \
	jqe '[.[] | select(.lport == 5401)] | length == 1 and .[0].pid == '"${NBPID:-0}" "$T/out"
check "as nobody: root's processes' owners are unknown" \
	"$(jq -c '[.[] | select(.pid != null and .lport != 5401) | .lport]' "$T/out" 2>&1 | head -c 200)" \
	jqe 'all(.[]; .lport == 5401 or .pid == null)' "$T/out"
run env CONNTAB_DEBUG=1 "${NOBODY[@]}" "$CTU" -t
if [ $BPF = 1 ]; then
	check "as nobody, CONNTAB_DEBUG: /proc, as the iterator may not load" "$(head -c 300 "$T/err")" \
		grep -q 'owners from /proc (.*); not the BPF iterator: load: Operation not permitted' "$T/err"
else
	check "as nobody, CONNTAB_DEBUG: /proc" "$(head -c 300 "$T/err")" \
		grep -q 'owners from /proc (.*); not the BPF iterator: ' "$T/err"
fi
run env CONNTAB_OWNERS=bpf "${NOBODY[@]}" "$CTU" -t
check "as nobody, CONNTAB_OWNERS=bpf: exit 1, one line that says why" "$(last_run)" \
	test "$rc" = 1 -a "$(wc -l <"$T/err")" = 1 -a ! -s "$T/out"
check "as nobody, CONNTAB_OWNERS=bpf: the message names the iterator" "$(last_run)" \
	grep -q '^conntab: BPF owner iterator: ' "$T/err"
run env CONNTAB_OWNERS=bpf "${NOBODY[@]}" "$CTU" -t -P
check "as nobody, CONNTAB_OWNERS=bpf with -P: no owners asked, no failure" "$(last_run)" \
	test "$rc" = 0 -a ! -s "$T/err"
stop_helper "$helper_pid"

# ---- the variable itself ------------------------------------------------------

run env CONNTAB_OWNERS=lsof "$CT"
check "CONNTAB_OWNERS=lsof: usage error (2), one line" "$(last_run)" \
	test "$rc" = 2 -a "$(wc -l <"$T/err")" = 1
check "CONNTAB_OWNERS=lsof: the message names the variable" "$(last_run)" \
	grep -q "CONNTAB_OWNERS: expected auto, proc or bpf, not 'lsof'" "$T/err"
run env CONNTAB_OWNERS=auto "$CT" "${OUT[@]}"
check "CONNTAB_OWNERS=auto: the default" "$(last_run)" cmp -s "$T/out" "$T/table.proc"
run env CONNTAB_OWNERS= "$CT" "${OUT[@]}"
check "CONNTAB_OWNERS empty: the default" "$(last_run)" cmp -s "$T/out" "$T/table.proc"

# ---- the event stream -------------------------------------------------------------

# The sockets there at the first sample ("=" lines) with their owners: the
# same from the iterator walked again each sample and from the /proc cache.
for b in proc bpf; do
	[ $b = bpf ] && [ $BPF = 0 ] && continue
	env CONNTAB_OWNERS=$b "$CT" -w -d 0.3 >"$T/ev.$b" 2>"$T/ev.$b.err" &
	evpid=$!
	IT_PIDS+=("$evpid")
	for i in $(seq 100); do
		[ "$(grep -c ' = ' "$T/ev.$b")" -ge "$(wc -l <"$T/table.proc")" ] && break
		sleep 0.1
	done
	sleep 1			# a few samples more: nothing may change
	signal_wait TERM "$evpid"
	check "event stream, $b: ends with 0, nothing on stderr" "exit $rc, $(head -c 200 "$T/ev.$b.err")" \
		test "$rc" = 0 -a ! -s "$T/ev.$b.err"
	grep ' = ' "$T/ev.$b" | cut -d' ' -f2- | grep -v ' TIME_WAIT ' >"$T/ev.$b.first"
	check "event stream, $b: no event after the first sample" "$(grep -v ' = ' "$T/ev.$b" | grep -v ' TIME_WAIT ' | head -3)" \
		test -z "$(grep -v ' = ' "$T/ev.$b" | grep -v ' TIME_WAIT ')"
done
[ $BPF = 1 ] && same_lines "event stream: the same owners from both back-ends" "$T/ev.proc.first" "$T/ev.bpf.first"

stop_helper "$OMPID"
it_finish
