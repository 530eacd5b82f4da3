#!/usr/bin/env bash
# Sum up the valgrind logs of `make memcheck` (one per conntab process):
#
#     bash tests/fuzz/vgsummary.sh build/memcheck/log
#
# Prints one line of totals; fails, showing the first offending logs, when
# any run had an error or leaked memory (definitely or indirectly lost).
# Memory still reachable at exit (a usage error exits from deep inside the
# option parser) is not a leak.
dir=${1:?usage: vgsummary.sh LOGDIR}
shopt -s nullglob
logs=("$dir"/vg.*)
if [ ${#logs[@]} = 0 ]; then
	echo "valgrind: no logs in $dir: conntab never ran under valgrind"
	exit 1
fi
awk '
FNR == 1 { n++ }
/ERROR SUMMARY:/ {
	for (i = 1; i <= NF; i++) if ($i == "SUMMARY:") e = $(i + 1)
	e += 0; errs += e; if (e > 0) bad[FILENAME] = 1
}
/definitely lost:/ || /indirectly lost:/ || /possibly lost:/ {
	for (i = 1; i <= NF; i++) if ($i == "lost:") b = $(i + 1)
	gsub(",", "", b); b += 0
	if ($0 ~ /definitely/) def += b
	else if ($0 ~ /indirectly/) ind += b
	else pos += b
	if (b > 0 && $0 !~ /possibly/) bad[FILENAME] = 1
}
/All heap blocks were freed/ { freed++ }
END {
	nbad = 0; for (f in bad) nbad++
	printf "valgrind: %d conntab runs, %d errors, definitely lost %d bytes, " \
	    "indirectly lost %d bytes, possibly lost %d bytes; %d runs freed every block\n",
	    n, errs, def, ind, pos, freed
	for (f in bad) print f > "/dev/stderr"
	exit nbad > 0
}' "${logs[@]}" 2>"$dir/../bad"
rc=$?
if [ "$rc" != 0 ]; then
	echo "valgrind: $(wc -l <"$dir/../bad") runs with errors or leaks; the first:"
	head -3 "$dir/../bad" | while read -r f; do
		echo "== $f"
		grep -v '^==[0-9]*== *$' "$f" | head -40
	done
fi
exit "$rc"
