#!/usr/bin/env bash
# Issue 14, part 2: --format prometheus with --all-netns. Three namespaces
# made here (cttest$$-a, cttest$$-b, and one whose name holds a quote, a
# backslash, a newline, ESC, a blank and a brace), each serving
# 127.0.0.1:8080 with its own number of connections and its own port
# range; two of the holders moved into cgroup v2 directories of a Docker
# and a Kubernetes shape (under cttest$$ in the cgroup2 mount of
# /proc/self/mounts). Then:
#  - promtool check metrics finds nothing to lint, the hostile name too;
#  - every family that counts sockets has a netns label, one series per
#    namespace, and the values equal conntab --all-netns -s -J and -g's;
#  - conntab_ephemeral_ports_available has one sample per namespace, from
#    its own range, and the alert rule's one division pairs by netns:
#    promtool test rules fires for the namespace over 80% alone;
#  - conntab_container_sockets names the containers and the pod;
#  - a real node_exporter scrapes --output with no error, every sample as
#    written (the hostile name round-trips), also while -w rewrites it;
#  - without --all-netns, no netns label and no container family.
# Namespaces, cgroup directories and processes are removed at the end,
# also on failure.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
for t in promtool prometheus-node-exporter curl python3 jq; do
	command -v "$t" >/dev/null ||
		it_skip "no $t (the README's first command installs it)"
done
GC=$(it_bin group_conns) || { notok "build group_conns" "cc failed"; it_finish; exit; }
PJ="python3 $IT_DIR/prom_json.py"
P=cttest$$
# every check keeps to this test's namespaces: conntab sees the whole host
F="netns $P-*"
H=$P-h$'"\\\n\e[31m x}'
# ... as conntab prints it: the backslash doubled, the rest as \xNN
HE_WANT=$P-h'"\\\x0a\x1b[31m\x20x}'

# mkns NAME: a named namespace with loopback up, deleted at the end.
mkns() {
	ip netns add "$1" 2>"$T/nserr" || { notok "ip netns add $(printf %q "$1")" "$(head -c 200 "$T/nserr")"; return 1; }
	IT_CLEANUP+=("ip netns del $(printf %q "$1")")
	ip -n "$1" link set lo up
}
mkns "$P-a" && mkns "$P-b" && mkns "$H" || { it_finish; exit; }
# Each namespace's own range: 3 of 100 in a, 9 of 10 in b (over 80%), and
# the kernel's defaults in the third.
ip netns exec "$P-a" sysctl -qw net.ipv4.ip_local_port_range="50000 50099" &&
	ip netns exec "$P-b" sysctl -qw net.ipv4.ip_local_port_range="40000 40009" ||
	{ notok "set the namespaces' port ranges" "sysctl failed"; it_finish; exit; }
ip netns exec "$P-b" sysctl -qw net.ipv4.ip_local_reserved_ports=""
# (read in one go: a sysctl file read at an offset reads as empty)
AVAIL_H=$(ip netns exec "$H" cat /proc/sys/net/ipv4/ip_local_port_range | awk '{ print $2 - $1 + 1 }')

ok_all=1
start_helper "$T/a" ip netns exec "$P-a" "$GC" listen 127.0.0.1 8080 \
	connect 3 - 127.0.0.1 8080 || ok_all=0
PA=$helper_pid
start_helper "$T/b" ip netns exec "$P-b" "$GC" listen 127.0.0.1 8080 \
	connect 9 - 127.0.0.1 8080 || ok_all=0
PB=$helper_pid
start_helper "$T/h" ip netns exec "$H" "$GC" listen 127.0.0.1 8080 \
	connect 1 - 127.0.0.1 8080 || ok_all=0
check "a holder in each namespace is READY" "$(tail -qn 2 "$T/a" "$T/b" "$T/h" | tr '\n' ' ')" \
	test "$ok_all" = 1

# ---- the holders of a and b in containers' cgroups ------------------------
ID1=1111111111aa$(printf '%052d' 1)
ID2=2222222222bb$(printf '%052d' 2)
U1=11111111-2222-4333-8444-5555555555a1
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
TOP=$CG/cttest$$
HOME_CG=$CG$(awk -F: '$1 == "0" && $2 == "" { print $3; exit }' /proc/self/cgroup)
[ -w "$HOME_CG/cgroup.procs" ] || HOME_CG=$CG
# Move every process out of the test's directories, then remove them.
cg_cleanup() {
	local d p
	[ -d "$TOP" ] || return 0
	for d in $(find "$TOP" -depth -type d); do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			echo "$p" >"$HOME_CG/cgroup.procs" 2>/dev/null ||
				echo "$p" >"$CG/cgroup.procs" 2>/dev/null
		done
	done
	find "$TOP" -depth -type d -exec rmdir {} \; 2>/dev/null
	[ ! -d "$TOP" ] || echo "# could not remove $TOP"
}
CGOK=0
DB=system.slice/docker-$ID1.scope
DA=kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${U1//-/_}.slice/cri-containerd-$ID2.scope
if [ -n "$CG" ] && [ -w "$CG/cgroup.procs" ] && mkdir "$TOP"; then
	IT_CLEANUP+=(cg_cleanup)
	mkdir -p "$TOP/$DB" "$TOP/$DA" && echo "$PB" >"$TOP/$DB/cgroup.procs" &&
		echo "$PA" >"$TOP/$DA/cgroup.procs" && CGOK=1
	check "the holders of a and b moved into a Docker and a Kubernetes cgroup" \
		"cannot make or join $TOP/..." test "$CGOK" = 1
else
	ok "# skip the container checks: no writable cgroup2 mount in /proc/self/mounts"
fi

# ---- one export, against -s -J and -g ----------------------------------------
run "$CT" --all-netns --format prometheus "$F"
cp "$T/out" "$T/m.prom"
check "--all-netns --format prometheus: exit 0, nothing on stderr" "$(last_run)" \
	test "$rc" = 0 -a ! -s "$T/err"
run promtool check metrics <"$T/m.prom"
check "promtool check metrics finds nothing to lint (the hostile name too)" \
	"$(last_run) $(head -c 300 "$T/out")" test "$rc" = 0 -a ! -s "$T/out"
$PJ "$T/m.prom" >"$T/m.json" 2>"$T/pj.err"
check "the export reads as the text format" "$(head -c 200 "$T/pj.err")" test -s "$T/m.json"
run "$CT" --all-netns -s -J "$F"
cp "$T/out" "$T/s.json"
# the namespaces' names as conntab prints them (escaped), and the three
jq -r '[.listeners[].netns] | unique | .[]' "$T/s.json" >"$T/names"
HE=$(grep -v "^$P-[ab]\$" "$T/names")
check "-s -J lists the three namespaces, the hostile name escaped" "$(tr '\n' '|' <"$T/names")" \
	test "$(wc -l <"$T/names")" = 3 -a "$HE" = "$HE_WANT"

SOCKFAMS='["conntab_sockets", "conntab_listener_connections", "conntab_listener_clients",
	"conntab_listener_accept_queue", "conntab_listener_backlog", "conntab_ephemeral_ports_used",
	"conntab_ephemeral_ports_available", "conntab_process_sockets", "conntab_container_sockets"]'
check "every family that counts sockets has netns, the run's own figures none" \
	"$(jq -c '[.[] | select(.labels.netns == null) | .name] | unique' "$T/m.json")" \
	jqe --argjson f "$SOCKFAMS" 'all(.[]; (.labels.netns != null) == (.name as $n | $f | any(. == $n)))' \
	"$T/m.json"
check "... and names exactly the three namespaces, as -s -J does" \
	"$(jq -c '[.[] | .labels.netns // empty] | unique' "$T/m.json")" \
	jqe --slurpfile n <(jq -R . "$T/names") '[.[] | .labels.netns // empty] | unique == ($n | sort)' "$T/m.json"

# Listeners: one per namespace, each with its own connections.
jq -r '.listeners[] | (.local | capture("^\\[?(?<a>[^]]*)\\]?:(?<p>[0-9]+)$")) as $e |
	"\(.netns) \(.proto) \($e.a) \($e.p) conns=\(.count) clients=\(.clients)" +
	(if .proto == "tcp" then " queue=\(.recvq) backlog=\(.sendq)" else "" end)' \
	"$T/s.json" >"$T/want"
jq -r 'map(select(.name | startswith("conntab_listener_"))) |
	group_by([.labels.netns, .labels.proto, .labels.laddr, .labels.lport]) | .[] |
	(map({ key: (.name | ltrimstr("conntab_listener_")), value: .value }) | from_entries) as $v |
	.[0].labels as $l |
	"\($l.netns) \($l.proto) \($l.laddr) \($l.lport) conns=\($v.connections) clients=\($v.clients)" +
	(if $v.accept_queue != null then " queue=\($v.accept_queue) backlog=\($v.backlog)" else "" end)' \
	"$T/m.json" >"$T/got"
same_lines "listener figures per namespace equal conntab --all-netns -s -J's" "$T/want" "$T/got"
check "... 127.0.0.1:8080 three times: 3, 9 and 1 connections" "$(grep ' 8080 ' "$T/got" | tr '\n' '|')" \
	sh -c "grep -q '^$P-a tcp 127.0.0.1 8080 conns=3 ' '$T/got' &&
		grep -q '^$P-b tcp 127.0.0.1 8080 conns=9 ' '$T/got' &&
		[ \$(grep -c ' 127.0.0.1 8080 conns=1 ' '$T/got') = 1 ]"

# Ephemeral ports: per namespace, against its own range.
jq -r '.ports[] | "\(.netns) \(.proto) \(.laddr) \(.raddr) \(.rport) \(.ports_used) of \(.ports_avail)"' \
	"$T/s.json" >"$T/want"
jq -r '(map(select(.name == "conntab_ephemeral_ports_available") | { key: .labels.netns, value: .value }) |
	from_entries) as $a | .[] | select(.name == "conntab_ephemeral_ports_used") |
	"\(.labels.netns) \(.labels.proto) \(.labels.laddr) \(.labels.raddr) \(.labels.rport) \(.value) of \($a[.labels.netns])"' \
	"$T/m.json" >"$T/got"
same_lines "ephemeral ports per namespace equal -s -J's, each of its own range" "$T/want" "$T/got"
check "... 3 of 100 in a, 9 of 10 in b" "$(tr '\n' '|' <"$T/got")" \
	sh -c "grep -qx '$P-a tcp 127.0.0.1 127.0.0.1 8080 3 of 100' '$T/got' &&
		grep -qx '$P-b tcp 127.0.0.1 127.0.0.1 8080 9 of 10' '$T/got'"
check "conntab_ephemeral_ports_available: one sample per namespace, its range" \
	"$(jq -c '[.[] | select(.name == "conntab_ephemeral_ports_available") | [.labels.netns, .value]]' "$T/m.json")" \
	jqe --arg a "$P-a" --arg b "$P-b" --arg h "$HE" --argjson ah "$AVAIL_H" \
	'[.[] | select(.name == "conntab_ephemeral_ports_available") | [.labels.netns, .value]] | sort ==
		([[$a, 100], [$b, 10], [$h, $ah]] | sort)' "$T/m.json"

# Sockets: per namespace, every state at 0 too.
run "$CT" --all-netns -J -g netns,proto,family,state "$F"
jq -r '.[] | "\(.netns) \(.proto) \(.family) \(.state) \(.count)"' "$T/out" >"$T/want"
jq -r '.[] | select(.name == "conntab_sockets" and .value > 0) |
	"\(.labels.netns) \(.labels.proto) \(.labels.family) \(.labels.state) \(.value)"' "$T/m.json" >"$T/got"
same_lines "conntab_sockets per namespace equal -g netns,proto,family,state" "$T/want" "$T/got"
check "... and each namespace has all 26 series (TCP, UDP, both families), zeros included" \
	"$(jq -c '[.[] | select(.name == "conntab_sockets") | .labels.netns] | group_by(.) | map(length)' "$T/m.json")" \
	jqe '[.[] | select(.name == "conntab_sockets") | .labels.netns] | group_by(.) | map(length) == [26, 26, 26]' "$T/m.json"

# Processes and containers, per namespace.
run "$CT" --all-netns -J -g netns,comm,proto,state "$F"
jq -r '.[] | "\(.netns) \(.comm // "-") \(.proto) \(.state) \(.count)"' "$T/out" >"$T/want"
jq -r '.[] | select(.name == "conntab_process_sockets") |
	"\(.labels.netns) \(.labels.comm) \(.labels.proto) \(.labels.state) \(.value)"' "$T/m.json" >"$T/got"
same_lines "conntab_process_sockets per namespace equal -g netns,comm,proto,state" "$T/want" "$T/got"
run "$CT" --all-netns -J -g netns,container,pod,proto,state "$F"
jq -r '.[] | "\(.netns) \(.container // "-") \(.pod // "-") \(.proto) \(.state) \(.count)"' "$T/out" >"$T/want"
jq -r '.[] | select(.name == "conntab_container_sockets") |
	"\(.labels.netns) \(.labels.container) \(.labels.pod) \(.labels.proto) \(.labels.state) \(.value)"' \
	"$T/m.json" >"$T/got"
same_lines "conntab_container_sockets equal -g netns,container,pod,proto,state" "$T/want" "$T/got"
if [ "$CGOK" = 1 ]; then
	check "... b's sockets in the Docker container, a's in the pod's container" "$(tr '\n' '|' <"$T/got")" \
		sh -c "grep -qx '$P-b docker:${ID1:0:12} - tcp ESTABLISHED 18' '$T/got' &&
			grep -qx '$P-b docker:${ID1:0:12} - tcp LISTEN 1' '$T/got' &&
			grep -qx '$P-a containerd:${ID2:0:12} $U1 tcp ESTABLISHED 6' '$T/got' &&
			grep -qx '$P-a containerd:${ID2:0:12} $U1 tcp LISTEN 1' '$T/got'"
fi

# --max-series 1 over every namespace: the largest and one "other".
run "$CT" --all-netns --format prometheus --max-series 1 "$F"
$PJ "$T/out" >"$T/cap.json"
check "--max-series 1: one listener (b's) and other, netns other too, the sum of the rest" \
	"$(jq -c '[.[] | select(.name == "conntab_listener_connections") | [.labels.netns, .value]]' "$T/cap.json")" \
	jqe --arg b "$P-b" '[.[] | select(.name == "conntab_listener_connections")] as $s |
		($s | length) == 2 and $s[0].labels.netns == $b and $s[0].value == 9 and
		($s[1].labels | to_entries | all(.value == "other")) and $s[1].value == 4' "$T/cap.json"

# ---- the alert rules pair by netns; the README's queries -----------------
RULES=$IT_TOP/dist/conntab.rules.yml
Q1='topk(10, sum by (instance, container, pod) (conntab_container_sockets{state="ESTABLISHED"}))'
Q2='conntab_listener_connections * on (instance, netns) group_left (pod) group by (instance, netns, pod) (conntab_container_sockets{pod!="-"})'
for q in "$Q1" "$Q2"; do
	check "README.md shows the query '${q:0:40}...'" "not found" grep -qxF -- "$q" "$IT_TOP/README.md"
done
python3 - "$T/m.json" "$RULES" "$P-b" "$Q1" "$Q2" "$T/q.json" "$T/query_test.yml" \
	>"$T/rules_test.yml" <<'EOF'
import json, sys
samples = json.load(open(sys.argv[1]))
extra = {"instance": "host1:9100", "job": "node"}
def sel(l):
    return "{%s}" % ",".join('%s=%s' % (k, json.dumps(v)) for k, v in sorted(l.items()))
def series(s):
    return s["name"] + sel(dict(s["labels"], **extra))
keep = ("conntab_listener_accept_queue", "conntab_listener_backlog",
        "conntab_ephemeral_ports_used", "conntab_ephemeral_ports_available",
        "conntab_listener_connections", "conntab_container_sockets")
head = ["rule_files: [%s]" % json.dumps(sys.argv[2]), "evaluation_interval: 1m",
        "tests:", "  - interval: 1m", "    input_series:"]
for s in samples:
    if s["name"] in keep:
        head.append("      - series: %s" % json.dumps(series(s)))
        head.append("        values: %s" % json.dumps("%gx20" % s["value"]))
print("\n".join(head))
print("    alert_rule_test:")
print("      - eval_time: 10m")
print("        alertname: ConntabAcceptQueueHalfFull")
print("        exp_alerts: []")
print("      - eval_time: 10m")
print("        alertname: ConntabEphemeralPortsExhausting")
print("        exp_alerts:")
print("          - exp_labels: %s" % json.dumps(dict({"netns": sys.argv[3], "proto": "tcp",
      "laddr": "127.0.0.1", "raddr": "127.0.0.1", "rport": "8080", "severity": "warning"}, **extra)))
print("            exp_annotations: %s" % json.dumps({
      "summary": "host1:9100: 127.0.0.1 uses over 80% of its ephemeral ports toward 127.0.0.1:8080",
      "description": "connect() to this destination fails with EADDRNOTAVAIL once every port of net.ipv4.ip_local_port_range is taken."}))
# the README's queries, their results worked out here from the samples
cont = [s for s in samples if s["name"] == "conntab_container_sockets"]
sums, pods = {}, {}
for s in cont:
    if s["labels"]["state"] == "ESTABLISHED":
        k = (s["labels"]["container"], s["labels"]["pod"])
        sums[k] = sums.get(k, 0) + s["value"]
    if s["labels"]["pod"] != "-":
        pods.setdefault(s["labels"]["netns"], set()).add(s["labels"]["pod"])
q1 = [({"container": c, "pod": p, "instance": extra["instance"]}, v)
      for (c, p), v in sorted(sums.items(), key=lambda kv: -kv[1])[:10]]
q2 = []
for s in samples:
    if s["name"] == "conntab_listener_connections" and s["labels"]["netns"] in pods:
        assert len(pods[s["labels"]["netns"]]) == 1
        q2.append((dict(s["labels"], pod=min(pods[s["labels"]["netns"]]), **extra), s["value"]))
json.dump({"q1": [dict(l, value=v) for l, v in q1], "q2": [dict(l, value=v) for l, v in q2]},
          open(sys.argv[6], "w"))
with open(sys.argv[7], "w") as f:
    print("\n".join(head), file=f)
    print("    promql_expr_test:", file=f)
    for expr, exp in ((sys.argv[4], q1), (sys.argv[5], q2)):
        print("      - expr: %s" % json.dumps(expr), file=f)
        print("        eval_time: 10m", file=f)
        print("        exp_samples:" + ("" if exp else " []"), file=f)
        for l, v in exp:
            print("          - labels: %s" % json.dumps(sel(l)), file=f)
            print("            value: %g" % v, file=f)
EOF
run promtool test rules "$T/rules_test.yml"
check "the ports alert fires for b alone (9 of its 10), not a (3 of 100): one division per netns" \
	"$(last_run) $(grep -v '^ *$' "$T/out" | head -12 | tr '\n' ' ' | cut -c1-600)" test "$rc" = 0
run promtool test rules "$T/query_test.yml"
check "the README's two queries give what the export says" \
	"$(last_run) $(grep -v '^ *$' "$T/out" | head -12 | tr '\n' ' ' | cut -c1-600)" test "$rc" = 0
if [ "$CGOK" = 1 ]; then
	check "... among them b's container with 18 connections, a's listener with its pod" \
		"$(jq -c . "$T/q.json" | cut -c1-600)" \
		jqe --arg c "docker:${ID1:0:12}" --arg a "$P-a" --arg u "$U1" \
		'any(.q1[]; .container == $c and .pod == "-" and .value == 18) and
		 any(.q2[]; .netns == $a and .pod == $u and .lport == "8080" and .value == 3)' "$T/q.json"
fi

# ---- OpenMetrics ------------------------------------------------------------
run "$CT" --all-netns --format openmetrics "$F"
cp "$T/out" "$T/m.om"
awk '/^#/ { print; next } { print $0, 1700000000 }' "$T/m.om" >"$T/m.om.ts"
run promtool tsdb create-blocks-from openmetrics "$T/m.om.ts" "$T/blocks"
check "Prometheus's OpenMetrics parser reads --all-netns --format openmetrics, every sample" \
	"$(last_run) $(grep -o 'NUM SERIES.*' "$T/out" | head -1)" \
	test "$rc" = 0 -a "$(awk 'NR == 2 { print $7 }' "$T/out")" = "$(grep -vc '^#' "$T/m.om")"

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
# conntab_* samples as one line each, labels in name order (node_exporter
# sorts them), the run's duration left out
norm() {
	jq -r '.[] | select((.name | startswith("conntab_")) and .name != "conntab_collect_duration_seconds") |
		"\(.name) \(.labels | to_entries | sort_by(.key) | map("\(.key)=\(.value | @json)") | join(",")) \(.value)"' "$1"
}
run "$CT" --all-netns --format prometheus --output "$DIR/conntab.prom" "$F"
check "--output: exit 0, nothing on stdout" "$(last_run)" test "$rc" = 0 -a ! -s "$T/out"
scrape "$T/scrape"
check "the scrape has node_textfile_scrape_error 0" "$(grep textfile "$T/scrape" | head -3 | tr '\n' ' ')" \
	grep -qx 'node_textfile_scrape_error 0' "$T/scrape"
$PJ "$T/scrape" >"$T/scrape.json"
$PJ "$DIR/conntab.prom" >"$T/file.json"
norm "$T/file.json" >"$T/want"
norm "$T/scrape.json" >"$T/got"
same_lines "node_exporter serves every sample as written, the hostile name round-tripped" "$T/want" "$T/got"
check "... one series per namespace: three conntab_ephemeral_ports_available" \
	"$(grep -c '^conntab_ephemeral_ports_available{' "$T/scrape")" \
	test "$(grep -c '^conntab_ephemeral_ports_available{' "$T/scrape")" = 3

# -w --all-netns rewrites the file: each scrape whole, three namespaces.
"$CT" --all-netns -w -d 0.2 --format prometheus --output "$DIR/conntab.prom" "$F" 2>"$T/w.err" &
WPID=$!
IT_PIDS+=("$WPID")
errs=0 n=0 bad=0
sleep 0.5
for i in $(seq 10); do
	if ! scrape "$T/sc"; then errs=$((errs + 1)); continue; fi
	n=$((n + 1))
	grep -qx 'node_textfile_scrape_error 0' "$T/sc" || errs=$((errs + 1))
	[ "$(grep -c '^conntab_ephemeral_ports_available{' "$T/sc")" = 3 ] &&
		[ "$(grep -c '^conntab_listener_connections{' "$T/sc")" = 3 ] || bad=$((bad + 1))
	sleep 0.1
done
check "10 scrapes during --all-netns -w: no error, three namespaces each time" \
	"$n scrapes, $errs errors, $bad short" test "$n" = 10 -a "$errs" = 0 -a "$bad" = 0
signal_wait TERM "$WPID"
check "... SIGTERM: status 0, nothing on stderr, conntab.prom alone in the directory" \
	"exit $rc, $(head -c 200 "$T/w.err") / $(ls -A "$DIR" | tr '\n' ' ')" \
	test "$rc" = 0 -a ! -s "$T/w.err" -a "$(ls -A "$DIR")" = conntab.prom

# ---- the README's drop-in for the unit ----------------------------------------
if command -v systemd-analyze >/dev/null && [ -x "$IT_TOP/conntab" ]; then
	run make -s -C "$IT_TOP" -o conntab install PREFIX="$T/root" TEXTFILEDIR="$T/root/textfile"
	U=$T/root/lib/systemd/system/conntab-exporter.service
	check "make install puts the exporter unit" "$(last_run)" test -f "$U"
	# the unit as systemd reads it with the drop-in: the drop-in's lines last
	mkdir -p "$T/unit"
	{
		cat "$U"
		awk '/^# \/etc\/systemd\/system\/conntab-exporter.service.d\/all-netns.conf$/ { on = 1; next }
			on && /^```/ { exit } on' "$IT_TOP/README.md" |
			sed -e "s|/usr/local/bin/|$T/root/bin/|" -e "s|/var/lib/prometheus/node-exporter|$T/root/textfile|"
	} >"$T/unit/conntab-exporter.service"
	check "the README's drop-in runs conntab --all-netns, allowing CAP_SYS_ADMIN and setns()" \
		"$(grep -E '^(ExecStart|Capability|RestrictNamespaces)' "$T/unit/conntab-exporter.service" | tr '\n' ' ')" \
		sh -c "grep -qx 'ExecStart=$T/root/bin/conntab --all-netns -w -d 15 --format prometheus --output $T/root/textfile/conntab.prom' '$T/unit/conntab-exporter.service' &&
			grep -q '^CapabilityBoundingSet=.*CAP_SYS_ADMIN' '$T/unit/conntab-exporter.service' &&
			[ \"\$(grep '^RestrictNamespaces=' '$T/unit/conntab-exporter.service' | tail -1)\" = RestrictNamespaces=net ]"
	run systemd-analyze verify --man=no "$T/unit/conntab-exporter.service"
	check "systemd-analyze verify accepts the unit with the drop-in" "$(last_run)" \
		test "$rc" = 0 -a ! -s "$T/err"
else
	ok "# skip the drop-in: no systemd-analyze, or no ./conntab built"
fi

# ---- without --all-netns, nothing changes -----------------------------------
run "$CT" --format prometheus
check "without --all-netns: no netns label, no container family, one ports_available" \
	"$(grep -c 'netns=' "$T/out") netns labels, $(grep -c '^conntab_container' "$T/out") container lines" \
	sh -c "! grep -q 'netns=' '$T/out' && ! grep -q '^conntab_container_sockets' '$T/out' &&
		grep -q '^conntab_ephemeral_ports_available [0-9]*\$' '$T/out'"

it_finish
