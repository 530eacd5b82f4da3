#!/usr/bin/env bash
# Issue 14, fleet export: --format prometheus|openmetrics and --output FILE.
# Inside a private network namespace, with real programs:
#  - a real node_exporter (textfile collector, on a loopback port) scrapes
#    --output DIR/conntab.prom with no error, and every value equals what
#    conntab -s -J (and -g comm,proto,state) says of the same population:
#    a listener with 300 connections and a backlog of 128, 300 ephemeral
#    ports toward it;
#  - while -w -d 0.2 rewrites the file, a loop of scrapes never sees an
#    error or a missing family; no temporary file is left, also after
#    SIGTERM at any moment;
#  - the caps: more listeners (destinations) than N give N series and one
#    "other" holding the sum of the rest;
#  - the alert rules of dist/ fire on the real export exactly where they
#    should (promtool test rules);
#  - --output for every format, and nothing left behind when it fails;
#  - promtool check metrics finds nothing to lint on the integration mix
#    and on hostile process names, and Prometheus's own OpenMetrics parser
#    takes --format openmetrics;
#  - make install puts a unit systemd-analyze accepts.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
for t in promtool prometheus-node-exporter curl python3 jq; do
	command -v "$t" >/dev/null ||
		it_skip "no $t (the README's first command installs it)"
done
GC=$(it_bin group_conns) || { notok "build group_conns" "cc failed"; it_finish; exit; }
MIX=$(it_bin sockmix) || { notok "build sockmix" "cc failed"; it_finish; exit; }
PJ="python3 $IT_DIR/prom_json.py"
FAMILIES="conntab_sockets conntab_listener_connections conntab_listener_clients
	conntab_listener_accept_queue conntab_listener_backlog
	conntab_ephemeral_ports_used conntab_ephemeral_ports_available
	conntab_process_sockets conntab_collect_duration_seconds
	conntab_collect_warnings"

# 360 ports less 10 reserved: 350 a client may get, so that 300 toward one
# destination are over 80% of them.
sysctl -qw net.ipv4.ip_local_port_range="40000 40359" &&
	sysctl -qw net.ipv4.ip_local_reserved_ports="40100-40109" ||
	{ notok "set the namespace's port range" "sysctl failed"; it_finish; exit; }

# 300 clients from 127.0.0.5 to a listener with backlog 128 on :500; 5
# waiting in the accept queue of :510 (backlog 16), 4 in that of :520
# (backlog 4: over half); eight more listeners with 11 to 18 clients each.
args=(listenq 128 127.0.0.1 500 backlog 16 127.0.0.1 510 backlog 4 127.0.0.1 520
	connect 300 127.0.0.5 127.0.0.1 500 connect 5 - 127.0.0.1 510
	connect 4 - 127.0.0.1 520)
for k in 1 2 3 4 5 6 7 8; do
	args+=(listen 127.0.0.1 $((600 + k)) connect $((10 + k)) - 127.0.0.1 $((600 + k)))
done
if ! start_helper "$T/gc" "$GC" "${args[@]}"; then
	notok "group_conns is READY" "$(tail -3 "$T/gc" | tr '\n' ' ')"
	it_finish; exit
fi
ok "group_conns is READY"

# ---- --output for every format --------------------------------------------
OUT=$T/outdir
mkdir -p "$OUT"
allsame=1
for a in "" "-J" "--format tsv" "--format csv" "-s" "-s -J" "-T -J" "-g raddr" \
	"--format prometheus" "--format openmetrics"; do
	# shellcheck disable=SC2086
	"$CT" $a 2>/dev/null | grep -v '^conntab_collect_duration_seconds' >"$T/ref"
	# shellcheck disable=SC2086
	"$CT" $a --output "$OUT/f" >"$T/o" 2>&1 || { allsame=0; echo "# conntab $a --output: failed"; }
	grep -v '^conntab_collect_duration_seconds' "$OUT/f" >"$T/got"
	if ! cmp -s "$T/ref" "$T/got" || [ -s "$T/o" ]; then
		allsame=0
		echo "# conntab $a --output differs from its standard output"
	fi
done
check "--output FILE holds what standard output would, in every format" "see above" test $allsame = 1
check "... and nothing else is left in the directory" "$(ls -A "$OUT" | tr '\n' ' ')" \
	test "$(ls -A "$OUT")" = f
run "$CT" --output -
check "--output - is standard output" "$(last_run)" grep -q '^PROTO' "$T/out"
# On a terminal the table has colour; the file it writes does not.
run script -qec "TERM=xterm '$CT'; TERM=xterm '$CT' --output '$OUT/f'" /dev/null
check "--output: colour on the terminal, none in the file" \
	"$(grep -c $'\033' "$T/out") escapes on the tty, $(grep -c $'\033' "$OUT/f") in the file" \
	test "$(grep -c $'\033' "$T/out")" -gt 0 -a "$(grep -c $'\033' "$OUT/f")" = 0
echo old >"$OUT/f"
run bash -c 'ulimit -f 1; exec "$1" -e -i --output "$2"' _ "$CT" "$OUT/f"
check "a write error (file size limit): exit 1 with a message" "$(last_run)" \
	grep -q 'write error' "$T/err"
check "... the old file stays, and no temporary file" "$(cat "$OUT/f") / $(ls -A "$OUT" | tr '\n' ' ')" \
	test "$(cat "$OUT/f")" = old -a "$(ls -A "$OUT")" = f
run "$CT" --format prometheus --output "$OUT/no/such/dir/x.prom"
check "--output into a missing directory: exit 1, the path named" "$(last_run)" \
	test "$rc" = 1 -a "$(grep -c 'no/such/dir/x.prom: No such file' "$T/err")" = 1
run "$CT" --output "$OUT"
check "--output onto a directory: exit 1" "$(last_run)" \
	test "$rc" = 1 -a "$(grep -c 'Is a directory' "$T/err")" = 1
check "... nothing was made" "$(ls -A "$OUT" | tr '\n' ' ')" test "$(ls -A "$OUT")" = f
run "$CT" -w -d 0.2 --format prometheus --output "$OUT/no/such/x.prom"
check "-w --output into a missing directory: exit 1 at once" "$(last_run)" \
	test "$rc" = 1 -a "$(grep -c 'x.prom: No such file' "$T/err")" = 1
for bad in "-w --format prometheus" "-w --output $OUT/g" "--max-series 5" \
	"--format prometheus -g raddr" "--format openmetrics -T" "--format prometheus -o local" \
	"--format prometheus --sort state" "--format prometheus --max-series -1" \
	"--format prometheus --max-series 1000001"; do
	# shellcheck disable=SC2086
	run "$CT" $bad
	check "usage error: conntab $bad" "$(last_run)" test "$rc" = 2 -a -s "$T/err"
done

# ---- the filter applies first -----------------------------------------------
run "$CT" --format prometheus :510
$PJ "$T/out" >"$T/f.json"
check "conntab --format prometheus :510 exports only port 510's sockets" \
	"$(jq -c '[.[] | select(.name == "conntab_listener_connections") | .labels.lport]' "$T/f.json")" \
	jqe '([.[] | select(.name == "conntab_listener_connections")] | length == 1 and .[0].labels.lport == "510") and
		([.[] | select(.name == "conntab_sockets") | .value] | add) == 11 and
		([.[] | select(.name == "conntab_ephemeral_ports_used")] | length == 1)' "$T/f.json"

# ---- node_exporter scrapes --output ---------------------------------------
DIR=$T/textfile
mkdir -p "$DIR"
NE=127.0.0.1:19100
prometheus-node-exporter --web.listen-address="$NE" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$DIR" >"$T/ne.log" 2>&1 &
NE_PID=$!
IT_PIDS+=("$NE_PID")
scrape() {	# scrape FILE: node_exporter's /metrics
	curl -sf --max-time 5 "http://$NE/metrics" >"$1"
}
for i in $(seq 100); do
	scrape "$T/scrape" && break
	kill -0 "$NE_PID" 2>/dev/null || break
	sleep 0.1
done
check "node_exporter answers on $NE" "$(tail -3 "$T/ne.log" | tr '\n' ' ')" scrape "$T/scrape"

# Each scrape leaves a TIME_WAIT toward node_exporter, and each goes 60 s
# later: the population compared leaves that port out.
NOTNE=(not :19100)
run "$CT" --format prometheus --output "$DIR/conntab.prom" "${NOTNE[@]}"
check "--format prometheus --output: exit 0, nothing on stdout" "$(last_run)" \
	test "$rc" = 0 -a ! -s "$T/out"
run "$CT" -s -J "${NOTNE[@]}"
cp "$T/out" "$T/s.json"
run "$CT" -J -g comm,proto,state "${NOTNE[@]}"
cp "$T/out" "$T/g.json"
scrape "$T/scrape"
check "the scrape has node_textfile_scrape_error 0" "$(grep textfile "$T/scrape" | head -3 | tr '\n' ' ')" \
	grep -qx 'node_textfile_scrape_error 0' "$T/scrape"
$PJ "$T/scrape" >"$T/scrape.json" 2>"$T/pj.err"
check "the scrape reads as the text format" "$(head -c 200 "$T/pj.err")" test -s "$T/scrape.json"
# One line per listener, per destination, per state, per name, both ways.
jq -r '.listeners[] | (.local | capture("^\\[?(?<a>[^]]*)\\]?:(?<p>[0-9]+)$")) as $e |
	"\(.proto) \($e.a) \($e.p) conns=\(.count) clients=\(.clients)" +
	(if .proto == "tcp" then " queue=\(.recvq) backlog=\(.sendq)" else "" end)' \
	"$T/s.json" >"$T/want"
jq -r 'map(select(.name | startswith("conntab_listener_"))) |
	group_by([.labels.proto, .labels.laddr, .labels.lport]) | .[] |
	(map({ key: (.name | ltrimstr("conntab_listener_")), value: .value }) | from_entries) as $v |
	.[0].labels as $l |
	"\($l.proto) \($l.laddr) \($l.lport) conns=\($v.connections) clients=\($v.clients)" +
	(if $v.accept_queue != null then " queue=\($v.accept_queue) backlog=\($v.backlog)" else "" end)' \
	"$T/scrape.json" >"$T/got"
same_lines "scraped listener figures equal conntab -s -J's" "$T/want" "$T/got"
check "... among them 127.0.0.1:500 with 300 connections and a backlog of 128" \
	"$(grep ' 500 ' "$T/got")" grep -qx 'tcp 127.0.0.1 500 conns=300 clients=1 queue=0 backlog=128' "$T/got"
check "... and 127.0.0.1:510 with 5 waiting of 16" "$(grep ' 510 ' "$T/got")" \
	grep -qx 'tcp 127.0.0.1 510 conns=5 clients=1 queue=5 backlog=16' "$T/got"
jq -r '.ports[] | "\(.proto) \(.laddr) \(.raddr) \(.rport) \(.ports_used) of \(.ports_avail)"' \
	"$T/s.json" >"$T/want"
jq -r '(map(select(.name == "conntab_ephemeral_ports_available"))[0].value) as $a |
	.[] | select(.name == "conntab_ephemeral_ports_used") |
	"\(.labels.proto) \(.labels.laddr) \(.labels.raddr) \(.labels.rport) \(.value) of \($a)"' \
	"$T/scrape.json" >"$T/got"
same_lines "scraped ephemeral ports equal conntab -s -J's" "$T/want" "$T/got"
check "... 300 of 350 from 127.0.0.5 toward 127.0.0.1:500" "$(head -3 "$T/got" | tr '\n' '|')" \
	grep -qx 'tcp 127.0.0.5 127.0.0.1 500 300 of 350' "$T/got"
jq -r '.totals[] | "\(.proto) \(.state) \(.count)"' "$T/s.json" >"$T/want"
jq -r 'map(select(.name == "conntab_sockets")) | group_by([.labels.proto, .labels.state]) |
	.[] | select((map(.value) | add) > 0) |
	"\(.[0].labels.proto) \(.[0].labels.state) \(map(.value) | add)"' "$T/scrape.json" >"$T/got"
same_lines "scraped conntab_sockets, summed over families, equal -s totals" "$T/want" "$T/got"
jq -r '.[] | "\(.comm // "-") \(.proto) \(.state) \(.count)"' "$T/g.json" >"$T/want"
jq -r '.[] | select(.name == "conntab_process_sockets") |
	"\(.labels.comm) \(.labels.proto) \(.labels.state) \(.value)"' "$T/scrape.json" >"$T/got"
same_lines "scraped process sockets equal conntab -g comm,proto,state" "$T/want" "$T/got"
check "conntab_collect_warnings is 0" "$(grep conntab_collect_warnings "$T/scrape" | tail -1)" \
	grep -qx 'conntab_collect_warnings 0' "$T/scrape"
check "conntab_collect_duration_seconds is a small positive figure" \
	"$(grep '^conntab_collect_duration' "$T/scrape")" \
	jqe 'map(select(.name == "conntab_collect_duration_seconds"))[0].value | . > 0 and . < 30' "$T/scrape.json"

# ---- the alert rules on the real export -----------------------------------
RULES=$IT_TOP/dist/conntab.rules.yml
run promtool check rules "$RULES"
check "promtool check rules dist/conntab.rules.yml" "$(last_run)" test "$rc" = 0
# The scraped series, held for 20 minutes, with the labels a Prometheus
# scrape adds; the alerts due at 10 minutes: the queue of :520 (4 of 4),
# and 300 of 350 ports toward 127.0.0.1:500. Nothing else.
python3 - "$T/scrape.json" "$RULES" >"$T/rules_test.yml" <<'EOF'
import json, sys
samples = json.load(open(sys.argv[1]))
extra = {"instance": "host1:9100", "job": "node"}
def series(s):
    l = dict(s["labels"], **extra)
    return "%s{%s}" % (s["name"], ",".join('%s=%s' % (k, json.dumps(v)) for k, v in sorted(l.items())))
keep = ("conntab_listener_accept_queue", "conntab_listener_backlog",
        "conntab_ephemeral_ports_used", "conntab_ephemeral_ports_available")
print("rule_files: [%s]" % json.dumps(sys.argv[2]))
print("evaluation_interval: 1m")
print("tests:")
print("  - interval: 1m")
print("    input_series:")
for s in samples:
    if s["name"] in keep:
        print("      - series: %s" % json.dumps(series(s)))
        print("        values: %s" % json.dumps("%gx20" % s["value"]))
print("    alert_rule_test:")
def alert(name, labels, summary, description):
    print("      - eval_time: 10m")
    print("        alertname: %s" % name)
    print("        exp_alerts:")
    print("          - exp_labels: %s" % json.dumps(dict(labels, severity="warning", **extra)))
    print("            exp_annotations: %s" % json.dumps({"summary": summary, "description": description}))
alert("ConntabAcceptQueueHalfFull", {"proto": "tcp", "laddr": "127.0.0.1", "lport": "520"},
      "host1:9100: the accept queue of 127.0.0.1:520 is over half its backlog",
      "The program on this port accepts connections more slowly than they arrive; once the queue reaches the backlog, the kernel drops new connections.")
alert("ConntabEphemeralPortsExhausting",
      {"proto": "tcp", "laddr": "127.0.0.5", "raddr": "127.0.0.1", "rport": "500"},
      "host1:9100: 127.0.0.5 uses over 80% of its ephemeral ports toward 127.0.0.1:500",
      "connect() to this destination fails with EADDRNOTAVAIL once every port of net.ipv4.ip_local_port_range is taken.")
EOF
run promtool test rules "$T/rules_test.yml"
check "the two alerts fire on the real export, where they should and nowhere else" \
	"$(last_run) $(grep -v '^ *$' "$T/out" | head -12 | tr '\n' ' ' | cut -c1-600)" test "$rc" = 0
while IFS= read -r e; do
	check "README.md shows the rule '${e:0:40}...'" "not found" grep -qF -- "$e" "$IT_TOP/README.md"
done < <(sed -n 's/^ *expr: //p' "$RULES")

# ---- the caps -------------------------------------------------------------
run "$CT" --format prometheus --max-series 3 "${NOTNE[@]}"
$PJ "$T/out" >"$T/cap.json"
for fam in listener_connections ephemeral_ports_used; do
	if [ $fam = listener_connections ]; then
		jq '[.listeners[].count]' "$T/s.json" >"$T/vals"
	else
		jq '[.ports[].ports_used]' "$T/s.json" >"$T/vals"
	fi
	check "--max-series 3: conntab_$fam has 3 series and one other, the sum of the rest" \
		"$(jq -c --arg n "conntab_$fam" '[.[] | select(.name == $n) | .value]' "$T/cap.json") of $(jq -c . "$T/vals")" \
		jqe --arg n "conntab_$fam" --slurpfile v "$T/vals" '
			($v[0] | sort | reverse) as $all |
			[.[] | select(.name == $n)] as $s |
			($all | length) > 4 and ($s | length) == 4 and
			([$s[0:3][].value] == $all[0:3]) and
			($s[3].labels | to_entries | all(.value == "other")) and
			$s[3].value == ($all[3:] | add)' "$T/cap.json"
done
check "--max-series 3: the accept queues of the rest are summed in 'other' too" \
	"$(grep 'accept_queue{.*other' "$T/out")" \
	grep -qx 'conntab_listener_accept_queue{proto="other",laddr="other",lport="other"} [0-9]*' "$T/out"

# ---- -w rewrites the file under a loop of scrapes ------------------------
whole() {	# whole FILE: the export from its first line to its last
	[ "$(head -n 1 "$1")" = "# HELP conntab_sockets Sockets by protocol, address family and state." ] &&
		tail -n 1 "$1" | grep -qx 'conntab_collect_warnings [0-9]*'
}
"$CT" -w -d 0.2 --format prometheus --output "$DIR/conntab.prom" "${NOTNE[@]}" 2>"$T/w.err" &
WPID=$!
IT_PIDS+=("$WPID")
errs=0 missing=0 torn=0 n=0
: >"$T/mtimes"
for i in $(seq 30); do
	if ! scrape "$T/sc"; then errs=$((errs + 1)); continue; fi
	n=$((n + 1))
	grep -qx 'node_textfile_scrape_error 0' "$T/sc" || errs=$((errs + 1))
	m=$(awk -v want="$FAMILIES" '
		BEGIN { n = split(want, w, /[ \t\n]+/); for (i = 1; i <= n; i++) if (w[i] != "") need[w[i]] = 1 }
		/^[a-z]/ { sub(/[{ ].*/, ""); delete need[$0] }
		END { for (f in need) printf "%s ", f }' "$T/sc")
	[ -z "$m" ] || { missing=$((missing + 1)); echo "# missing: $m"; }
	grep '^node_textfile_mtime_seconds' "$T/sc" >>"$T/mtimes"
	# the file itself, read directly, is always whole
	whole "$DIR/conntab.prom" || torn=$((torn + 1))
	sleep 0.05
done
check "30 scrapes during -w: no error, no family missing, no half file" \
	"$n scrapes, $errs errors, $missing missing families, $torn bad reads" \
	test "$n" = 30 -a "$errs" = 0 -a "$missing" = 0 -a "$torn" = 0
check "... and the file was rewritten meanwhile" "$(sort -u "$T/mtimes" | wc -l) distinct mtimes" \
	test "$(sort -u "$T/mtimes" | wc -l)" -ge 3
signal_wait TERM "$WPID"
check "-w ends with status 0 on SIGTERM" "exit $rc, $(head -c 200 "$T/w.err")" test "$rc" = 0
check "... leaving conntab.prom alone in the directory" "$(ls -A "$DIR" | tr '\n' ' ')" \
	test "$(ls -A "$DIR")" = conntab.prom
# SIGTERM at any moment of a sample, every 10 ms: nothing left behind.
left=0 bad=0
for d in 0.05 0.09 0.13 0.17 0.23 0.31; do
	"$CT" -w -d 0.01 --format prometheus --output "$DIR/conntab.prom" "${NOTNE[@]}" 2>/dev/null &
	p=$!
	sleep "$d"
	signal_wait TERM "$p"
	[ "$rc" = 0 ] || bad=$((bad + 1))
	[ "$(ls -A "$DIR")" = conntab.prom ] || { left=$((left + 1)); ls -A "$DIR" | diag; }
	whole "$DIR/conntab.prom" || bad=$((bad + 1))
done
check "SIGTERM six times mid-rewrite: status 0, a whole file, no temporary file" \
	"$bad bad ends, $left with leftovers" test "$bad" = 0 -a "$left" = 0

stop_helper "$helper_pid"

# ---- lint: the integration mix, hostile names, OpenMetrics -----------------
if ! start_helper "$T/mix" "$MIX"; then
	notok "sockmix is READY" "$(tail -3 "$T/mix" | tr '\n' ' ')"
	it_finish; exit
fi
start_helper "$T/gc2" "$GC" listen 127.0.0.1 700 ||
	notok "group_conns listens on :700" "$(tail -3 "$T/gc2" | tr '\n' ' ')"
# Processes that name themselves (only a process may write its own comm,
# in one write), then hold a connection to :700: a quote and a backslash,
# a newline, an escape sequence, an attempt at a label of their own.
for name in $'a"b\\c' $'x\ny' $'e\e[31mred' $'}"\n{x="1'; do
	start_helper "$T/hostile" python3 -c 'import socket, sys, time
open("/proc/self/comm", "w").write(sys.argv[1])
s = socket.create_connection(("127.0.0.1", 700))
print("READY", flush=True)
time.sleep(120)' "$name" ||
		notok "a process named $(printf %q "$name") holds a connection" "$(cat "$T/hostile")"
done
run "$CT" --format prometheus
cp "$T/out" "$T/mix.prom"
check "prometheus on the mix: exit 0" "$(last_run)" test "$rc" = 0
run promtool check metrics <"$T/mix.prom"
check "promtool check metrics finds nothing to lint on the mix and hostile names" \
	"$(last_run) $(head -c 300 "$T/out")" test "$rc" = 0 -a ! -s "$T/out"
$PJ "$T/mix.prom" >"$T/mix.json"
run "$CT" -J -g comm
jq -r '.[] | .comm // "-"' "$T/out" | sort -u >"$T/want"
jq -r '.[] | select(.name == "conntab_process_sockets") | .labels.comm' "$T/mix.json" | sort -u >"$T/got"
same_lines "each name reads back as conntab prints it (escaped), nothing more" "$T/want" "$T/got"
check "... the escape and the newline as \\x1b, \\x0a" "$(grep -c 'x1b\|x0a' "$T/got")" \
	test "$(grep -c 'x1b\|x0a' "$T/got")" -ge 3
check "... every sample one line, no label from a name" "$(grep -c '^{x\|^x=' "$T/mix.prom")" \
	jqe 'all(.[]; (.labels | keys | all(. == "proto" or . == "family" or . == "state" or
		. == "laddr" or . == "lport" or . == "raddr" or . == "rport" or . == "comm")))' "$T/mix.json"
run "$CT" --format openmetrics
cp "$T/out" "$T/mix.om"
check "openmetrics ends with # EOF" "$(tail -1 "$T/mix.om")" test "$(tail -1 "$T/mix.om")" = "# EOF"
# Prometheus's OpenMetrics parser (promtool's backfill) wants timestamps.
awk '/^#/ { print; next } { print $0, 1700000000 }' "$T/mix.om" >"$T/mix.om.ts"
run promtool tsdb create-blocks-from openmetrics "$T/mix.om.ts" "$T/blocks"
check "Prometheus's OpenMetrics parser reads --format openmetrics" "$(last_run) $(head -c 200 "$T/out")" \
	test "$rc" = 0
check "... every family, counted as samples" "$(grep -o 'NUM SERIES.*' "$T/out" | head -1)" \
	test "$(awk 'NR == 2 { print $7 }' "$T/out")" = "$(grep -vc '^#' "$T/mix.om")"

# ---- make install: the unit -------------------------------------------------
if command -v systemd-analyze >/dev/null && [ -x "$IT_TOP/conntab" ]; then
	run make -s -C "$IT_TOP" -o conntab install PREFIX="$T/root" TEXTFILEDIR="$T/root/textfile"
	U=$T/root/lib/systemd/system/conntab-exporter.service
	check "make install puts the exporter unit and the textfile directory" "$(last_run)" \
		test -f "$U" -a -d "$T/root/textfile" -a -f "$T/root/share/conntab/conntab.rules.yml"
	check "... running the installed conntab into that directory" "$(grep ExecStart= "$U")" \
		grep -qx "ExecStart=$T/root/bin/conntab -w -d 15 --format prometheus --output $T/root/textfile/conntab.prom" "$U"
	run systemd-analyze verify --man=no "$U"
	check "systemd-analyze verify accepts the unit" "$(last_run)" test "$rc" = 0 -a ! -s "$T/err"
else
	ok "# skip make install: no systemd-analyze, or no ./conntab built"
fi

it_finish
