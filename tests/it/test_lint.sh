#!/usr/bin/env bash
# make lint's include check (tools/check_includes.py) against ARCHITECTURE.md:
# it passes on this tree, and fails, naming the culprit, on a copy of the
# tree with a renderer reaching the kernel side, an include cycle, or a
# module the architecture does not list. Needs no namespace and no root.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || it_skip "no python3"
IT_TMP=$(mktemp -d /tmp/conntab-lint.XXXXXX)
trap 'rm -rf "$IT_TMP"' EXIT
CHECK="$IT_TOP/tools/check_includes.py"

# A copy of the tree's sources to break: fresh for each case.
fresh() {
	rm -rf "$IT_TMP/tree"
	mkdir -p "$IT_TMP/tree"
	cp -r "$IT_TOP/src" "$IT_TOP/include" "$IT_TOP/ARCHITECTURE.md" "$IT_TMP/tree/"
}

run python3 "$CHECK" "$IT_TOP"
check "the tree as it is passes" "$(last_run)" [ "$rc" = 0 ]
check "... and says nothing" "$(head -c 200 "$IT_TMP/out")" [ ! -s "$IT_TMP/out" ]

fresh
sed -i 's|^#include "fields.h"$|#include "fields.h"\n#include "proc.h"|' "$IT_TMP/tree/src/out_table.c"
run python3 "$CHECK" "$IT_TMP/tree"
check "a renderer including proc.h fails" "$(last_run)" [ "$rc" = 1 ]
check "... and names the file and the header" "$(cat "$IT_TMP/out")" \
	grep -q 'src/out_table.c: out (render) may not include proc.h (collect)' "$IT_TMP/out"

fresh
sed -i 's|^#include "listener.h"$|#include "listener.h"\n#include "diag.h"|' "$IT_TMP/tree/src/watch_layout.c"
run python3 "$CHECK" "$IT_TMP/tree"
check "the live view's layout including diag.h fails" "$(last_run)" \
	grep -q 'watch_layout.c: .*may not include diag.h' "$IT_TMP/out"

fresh
sed -i '0,/^#include "util.h"$/s||#include "util.h"\n#include "fields.h"|' "$IT_TMP/tree/src/sock.c"
run python3 "$CHECK" "$IT_TMP/tree"
check "a cycle inside one layer fails" "$(last_run)" [ "$rc" = 1 ]
check "... and is shown as a cycle" "$(cat "$IT_TMP/out")" \
	grep -q 'include cycle: sock -> fields -> sock' "$IT_TMP/out"

fresh
sed -i 's|^#include "sock.h"$|#include "sock.h"\n#include "snap.h"|' "$IT_TMP/tree/src/filter_parse.c"
run python3 "$CHECK" "$IT_TMP/tree"
check "the filter reaching up to the snapshot fails" "$(last_run)" \
	grep -q 'filter_parse.c: filter (filter) may not include snap.h (snap)' "$IT_TMP/out"

fresh
printf '#include "sock.h"\nint unlisted;\n' >"$IT_TMP/tree/src/unlisted.c"
run python3 "$CHECK" "$IT_TMP/tree"
check "a module missing from ARCHITECTURE.md fails" "$(last_run)" \
	grep -q 'src/unlisted.c: module unlisted is not in ARCHITECTURE.md' "$IT_TMP/out"

it_finish
