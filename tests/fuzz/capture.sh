#!/usr/bin/env bash
# Record seed corpora from the kernel: inside a private network namespace,
# sockmix builds its mix of TCP and UDP sockets (listeners, connections in
# every state, IPv4, IPv6, v4-mapped, a socket shared after fork, processes
# named with an escape sequence and with CSV metacharacters) plus 300 UDP
# sockets so that a dump spans several datagrams, and ssextra's marked and
# device-bound sockets. Then:
#   fuzz_diag/kernel_*    each dump as it came off the netlink socket
#                         (tests/fuzz/capture.c; layout in fuzz_diag.h)
#   fuzz_proc/kernel_*    each descriptor of sockmix's processes: its link
#                         text and the process's comm file (fuzz_proc.c)
#   fuzz_escape/kernel_*  each of those comm files, for a buffer of the
#                         size conntab uses and for one too small
#   fuzz_owners_bpf/kernel_*  the BPF owner iterator's stream, walked in a
#                         private PID (and network) namespace where another
#                         sockmix runs alone, read whole and cut into reads
#                         (a build with the BPF program only)
#
#     CAPTURE=build/fuzz-tools/capture bash tests/fuzz/capture.sh tests/fuzz/corpus
#
# (`make fuzz-corpus` does that.)  Needs root for the namespace; loopback only.
. "$(dirname "$0")/../it/lib.sh"
it_enter_ns "$@"

out=${1:?usage: capture.sh CORPUSDIR}
[ -x "${CAPTURE:-}" ] || { echo "capture.sh: set CAPTURE to the capture binary" >&2; exit 1; }
mkdir -p "$out/fuzz_diag" "$out/fuzz_proc" "$out/fuzz_escape" "$out/fuzz_owners_bpf"
SOCKMIX=$(it_bin sockmix) || exit 1
start_helper "$IT_TMP/mf" "$SOCKMIX" || exit 1
start_helper "$IT_TMP/flood" "$SOCKMIX" udpflood 300 || exit 1
# marks, a device-bound socket, clients from both kinds of port (ssextra.c)
SSEXTRA=$(it_bin ssextra) || exit 1
start_helper "$IT_TMP/extra" "$SSEXTRA" - - || exit 1
"$CAPTURE" "$out/fuzz_diag" || exit 1

# byte N: one raw byte of value N (0-255) on stdout
byte() { printf "\\$(printf '%03o' "$1")"; }

n=0
i=0
for pid in $(awk '$1 == "proc" { print $2 }' "$IT_TMP/mf"); do
	cp "/proc/$pid/comm" "$IT_TMP/comm" || continue
	i=$((i + 1))
	for fd in /proc/"$pid"/fd/*; do
		link=$(readlink "$fd") || continue
		# fuzz_proc: the link's length, the link, then the comm file
		{ byte "${#link}"; printf '%s' "$link"; cat "$IT_TMP/comm"; } \
			>"$out/fuzz_proc/kernel_${i}_${fd##*/}"
		n=$((n + 1))
	done
	# fuzz_escape: a little-endian buffer size, then the text
	{ byte 61; byte 0; cat "$IT_TMP/comm"; } >"$out/fuzz_escape/kernel_comm_$i"
	{ byte 7; byte 0; cat "$IT_TMP/comm"; } >"$out/fuzz_escape/kernel_comm_${i}_short"
done
echo "$out/fuzz_proc: $n descriptors"

# The iterator names every process of the PID namespace it runs in: a new
# one, with a sockmix of its own (and a network namespace of its own, for
# sockmix's fixed ports), so that no process of the host is recorded.
if "$CAPTURE" --bpf /dev/null 0 2>/dev/null; then
	SOCKMIX=$SOCKMIX CAPTURE=$CAPTURE OUT=$out/fuzz_owners_bpf MF=$IT_TMP/mf2 \
	timeout 60 unshare -p -f -n --mount-proc bash -c '
		ip link set lo up
		"$SOCKMIX" >"$MF" &
		for i in $(seq 200); do grep -qx READY "$MF" && break; sleep 0.05; done
		"$CAPTURE" --bpf "$OUT/kernel_sockmix_whole" 255 &&
			"$CAPTURE" --bpf "$OUT/kernel_sockmix_cut" 6
		rc=$?
		kill %1; wait
		exit $rc' || exit 1
	echo "$out/fuzz_owners_bpf: 2 streams"
else
	echo "capture.sh: no BPF iterator here: fuzz_owners_bpf keeps its seeds" >&2
fi
