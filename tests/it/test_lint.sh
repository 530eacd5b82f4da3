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

# The man page: make lint runs mandoc -T lint over it and fails on a
# warning; and the page reads as intended once rendered.
if command -v mandoc >/dev/null && command -v make >/dev/null; then
	run make -s -C "$IT_TOP" lint
	check "make lint passes on the man page as it is" "$(last_run)" [ "$rc" = 0 ]
	sed 's/^\.Xr ss 8$/.Xr ss/' "$IT_TOP/man/conntab.1" >"$IT_TMP/broken.1"
	check "the broken copy differs (a .Xr without its section)" "" \
		test "$(grep -c '^\.Xr ss$' "$IT_TMP/broken.1")" -ge 1
	run make -s -C "$IT_TOP" lint MANPAGE="$IT_TMP/broken.1"
	check "make lint fails on a page with a mandoc warning, naming it" "$(last_run)" \
		grep -q 'WARNING: missing section argument: Xr ss' "$IT_TMP/out"
	check "... with a failing status" "$(last_run)" [ "$rc" != 0 ]
	LC_ALL=C.UTF-8 mandoc -T utf8 "$IT_TOP/man/conntab.1" | col -bx >"$IT_TMP/page" 2>/dev/null
	# one paragraph per line, blanks squeezed, for sentences across lines
	tr -s ' \n' '  ' <"$IT_TMP/page" | sed 's/\xe2\x80\x90 //g' >"$IT_TMP/flat"
	check "rendered: the escapes read \\xNN and \\\\, as the output writes them" \
		"$(grep -o 'prints as ‘.\{1,30\}' "$IT_TMP/flat" | head -1)" \
		grep -qF "prints as ‘\\xNN’ and a backslash as ‘\\\\’" "$IT_TMP/flat"
	check "rendered: the ss/netstat habits are two quotes, not nested" \
		"$(grep -o '.\{20\}conntab -tanp.\{6\}' "$IT_TMP/flat" | head -1)" \
		grep -qF "(‘conntab -tulpn’, ‘conntab -tanp’)" "$IT_TMP/flat"
	check "rendered: the unknown owner is (‘-’, JSON ‘null’)" \
		"$(grep -o '.\{20\}JSON ‘null’.\{3\}' "$IT_TMP/flat" | head -1)" \
		grep -qF "(‘-’, JSON ‘null’)" "$IT_TMP/flat"
	# no quote opens inside another one, and each one closes
	python3 - "$IT_TMP/page" >"$IT_TMP/quotes" <<'PY'
import sys
text = open(sys.argv[1], encoding='utf-8').read()
depth = 0
for i, ch in enumerate(text):
    if ch == '\u2018':
        if depth:
            print('nested:', ' '.join(text[max(0, i - 50):i + 20].split()))
        depth += 1
    elif ch == '\u2019':
        if depth != 1:
            print('stray close:', ' '.join(text[max(0, i - 50):i + 20].split()))
        depth = max(0, depth - 1)
PY
	check "rendered: no quote nested in another, none left open" "$(head -3 "$IT_TMP/quotes")" \
		[ ! -s "$IT_TMP/quotes" ]
else
	notok "the man page checks" "no mandoc or make"
fi

it_finish
