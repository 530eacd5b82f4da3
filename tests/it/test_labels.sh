#!/usr/bin/env bash
# Issue 12, container, pod and unit labels: cgroup v2 directories with the
# runtimes' real path shapes (a Docker scope, kubepods paths of both
# drivers and every QoS class, CRI-O with its conmon sibling, Podman,
# nspawn, LXC, a plain service) are made under one directory of this
# test's own (cttest$$, in the cgroup2 mount found in /proc/self/mounts),
# a socket holder is moved into each, and every label is checked. The
# holders are moved back out and the directories removed at the end,
# also on failure.
. "$(dirname "$0")/lib.sh"
it_enter_ns "$@"

CT=$CONNTAB
T=$IT_TMP
GC=$(it_bin group_conns) || { notok "build group_conns" "cc failed"; it_finish; exit; }
NH=$(it_bin nsholder) || { notok "build nsholder" "cc failed"; it_finish; exit; }

CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$CG" ] && [ -w "$CG/cgroup.procs" ] || it_skip "no writable cgroup2 mount in /proc/self/mounts"
TOP=$CG/cttest$$
# where this script's processes go back to: its own cgroup v2 directory
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
mkdir "$TOP" || { notok "mkdir $TOP" "cannot make a cgroup"; it_finish; exit; }
IT_CLEANUP+=(cg_cleanup)

ID1=1111111111aa$(printf '%052d' 1)
ID2=2222222222bb$(printf '%052d' 2)
ID3=3333333333cc$(printf '%052d' 3)
ID4=4444444444dd$(printf '%052d' 4)
ID5=5555555555ee$(printf '%052d' 5)
ID6=6666666666ff$(printf '%052d' 6)
ID7=7777777777aa$(printf '%052d' 7)
ID8=8888888888bb$(printf '%052d' 8)
ID9=9999999999cc$(printf '%052d' 9)
U1=11111111-2222-4333-8444-555555555501
U2=11111111-2222-4333-8444-555555555502
U3=11111111-2222-4333-8444-555555555503
U4=11111111-2222-4333-8444-555555555504
U5=11111111-2222-4333-8444-555555555505
U6=11111111-2222-4333-8444-555555555506
us() { echo "$1" | tr - _; }

# port, directory under $TOP, container, pod, unit ("-" for none)
cat >"$T/cases" <<EOF
7501 system.slice/docker-$ID1.scope docker:${ID1:0:12} - -
7502 kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$(us $U1).slice/cri-containerd-$ID2.scope containerd:${ID2:0:12} $U1 -
7503 kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$(us $U2).slice/crio-$ID3.scope crio:${ID3:0:12} $U2 -
7504 kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$(us $U2).slice/crio-conmon-$ID3.scope - $U2 crio-conmon-$ID3.scope
7505 kubepods.slice/kubepods-pod$(us $U3).slice/cri-containerd-$ID4.scope containerd:${ID4:0:12} $U3 -
7506 kubepods/burstable/pod$U4/$ID5 containerd:${ID5:0:12} $U4 -
7507 kubepods/besteffort/pod$U5/crio-$ID6 crio:${ID6:0:12} $U5 -
7508 kubepods/pod$U6/$ID7 containerd:${ID7:0:12} $U6 -
7509 machine.slice/libpod-$ID8.scope/container podman:${ID8:0:12} - -
7510 machine.slice/machine-my\\x2dbox.scope nspawn:my-box - -
7511 lxc.payload.web1 lxc:web1 - -
7512 system.slice/nginx.service - - nginx.service
EOF

# One holder per shape, moved into its directory.
ok_all=1
while read -r port dir c p u; do
	mkdir -p "$TOP/$dir" || { ok_all=0; echo "# mkdir $dir failed"; continue; }
	start_helper "$T/h$port" "$GC" listen 127.0.0.1 "$port" || { ok_all=0; continue; }
	echo "$helper_pid" >"$TOP/$dir/cgroup.procs" || { ok_all=0; echo "# cannot move $helper_pid into $dir"; }
	echo "$port $c $p $u" >>"$T/want"
done <"$T/cases"
check "12 holders, each in a cgroup of a runtime's shape" "see above" test "$ok_all" = 1

run "$CT" -o lport,container,pod,unit -H "sport >= 7501 and sport <= 7512"
awk '{ print $1, $2, $3, $4 }' "$T/out" >"$T/got"
same_lines "every label as the runtimes' paths say (conntab's own namespace)" "$T/want" "$T/got"

ME=$(readlink /proc/self/ns/net)
run "$CT" --all-netns -J "netns $ME and sport >= 7501 and sport <= 7512"
jq -r '.[] | "\(.lport) \(.container // "-") \(.pod // "-") \(.unit // "-")"' "$T/out" >"$T/gotj"
same_lines "--all-netns -J carries container, pod and unit" "$T/want" "$T/gotj"

# The filter words and -g, on labels.
run "$CT" -o lport -H "container docker:*"
check "filter: container docker:* is the Docker scope alone" "$(tr '\n' ' ' <"$T/out")" \
	test "$(cat "$T/out")" = 7501
run "$CT" -o lport -H "pod $U2"
check "filter: pod UID is the pod's container and its conmon" "$(tr '\n' ' ' <"$T/out")" \
	test "$(tr '\n' ' ' <"$T/out")" = "7503 7504 "
run "$CT" -o lport -H "unit nginx.service"
check "filter: unit nginx.service" "$(tr '\n' ' ' <"$T/out")" test "$(cat "$T/out")" = 7512
run "$CT" -o lport -H "container crio:* and not pod $U2"
check "filter: container patterns with and, not" "$(tr '\n' ' ' <"$T/out")" test "$(cat "$T/out")" = 7507
run "$CT" -g container -H --format tsv "sport >= 7501 and sport <= 7512"
check "-g container: one row per container, '-' for the rest" "$(tr '\t\n' ' ;' <"$T/out")" \
	test "$(awk -F'\t' '$1 == "-" { print $2 }' "$T/out")" = 2 -a "$(wc -l <"$T/out")" = 11

# A socket without an owner takes its namespace's label, when all agree.
NS=cttest$$-lab
if ip netns add "$NS" 2>"$T/nserr"; then
	IT_CLEANUP+=("ip netns del $NS")
	ip -n "$NS" link set lo up
	mkdir -p "$TOP/system.slice/docker-$ID9.scope"
	if start_helper "$T/lab" ip netns exec "$NS" "$NH" listen 127.0.0.1 7600 \
	    timewait 2 127.0.0.1 7600; then
		echo "$helper_pid" >"$TOP/system.slice/docker-$ID9.scope/cgroup.procs"
		run "$CT" --all-netns -o state,container -H "netns $NS"
		check "TIME_WAIT sockets (no owner) take the label their namespace's processes share" \
			"$(tr '\n' ';' <"$T/out")" \
			test "$(grep -c "^TIME_WAIT *docker:${ID9:0:12}$" "$T/out")" = 2 -a \
			"$(grep -c "^LISTEN *docker:${ID9:0:12}$" "$T/out")" = 1
	else
		notok "holder in $NS is READY" "$(tail -2 "$T/lab")"
	fi
else
	notok "ip netns add $NS" "$(head -c 200 "$T/nserr")"
fi

it_finish
