#!/usr/bin/env bash
# The Debian package (issue 17), as an admin would get it: built from a
# clean clone of this tree's HEAD with dpkg-buildpackage (source and
# binary, DEB_BUILD_OPTIONS=nocheck: `make check` runs the suite itself;
# CT_PKG_CHECK=1 builds with the package's own test step instead), linted
# (lintian: no error, no warning), then installed with dpkg -i, used
# (/usr/bin/conntab -V, the manual page, both completions where bash and
# zsh look for them), and purged, leaving the machine as it was: the purge
# runs on every exit, and nothing of the package may remain.
#
# Skips, saying so: without dpkg-dev, debhelper or lintian; outside a git
# checkout; inside a package build. Without root it builds and lints but
# does not install. A conntab already installed (by a package or by hand
# into /usr) is never touched: the install part is skipped then.
. "$(dirname "$0")/../it/lib.sh"

[ -z "${DEB_RULES_REQUIRES_ROOT:-}" ] || it_skip "inside a package build"
for c in dpkg-buildpackage dh lintian; do
	command -v "$c" >/dev/null ||
		it_skip "no $c (apt-get install dpkg-dev debhelper lintian)"
done
git -C "$IT_TOP" rev-parse --verify -q HEAD >/dev/null ||
	it_skip "$IT_TOP is not a git checkout"

IT_TMP=$(mktemp -d /tmp/conntab-deb.XXXXXX)
chmod 755 "$IT_TMP"
T=$IT_TMP
INSTALLED=
FILES=(/usr/bin/conntab /usr/share/man/man1/conntab.1.gz
	/usr/share/bash-completion/completions/conntab
	/usr/share/zsh/vendor-completions/_conntab)

purge() {
	if [ -n "$INSTALLED" ]; then
		dpkg --purge conntab >"$T/purge.out" 2>&1
		INSTALLED=
	fi
}
cleanup() {
	purge
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The package build must not inherit this make's options (WERROR=1, the
# jobserver): it is the build a Debian machine would run.
pkgenv() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CONNTAB -u IT_BIN "$@"
}

head=$(git -C "$IT_TOP" rev-parse --short HEAD)
[ -z "$(git -C "$IT_TOP" status --porcelain --untracked-files=no)" ] ||
	echo "# building HEAD $head: uncommitted changes are not in it"
ver=$(cd "$IT_TOP" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
SRC=$T/conntab-$ver
git clone -q "$IT_TOP" "$SRC" 2>"$T/clone.err"
check "a clean clone of HEAD ($head)" "$(head -c 200 "$T/clone.err")" test -f "$SRC/debian/control"

# --- build ------------------------------------------------------------------
if [ -n "${CT_PKG_CHECK:-}" ]; then
	opts="parallel=2"
	profiles=
else
	opts="nocheck parallel=2"
	profiles=nocheck
fi
(cd "$SRC" && pkgenv DEB_BUILD_OPTIONS="$opts" DEB_BUILD_PROFILES="$profiles" \
	timeout -k 10 1800 dpkg-buildpackage -us -uc) >"$T/build.log" 2>&1
rc=$?
check "dpkg-buildpackage -us -uc ($opts)" "exit $rc; $(tail -n 5 "$T/build.log" | tr '\n' ' ' | head -c 300)" test "$rc" = 0
if [ "$rc" != 0 ]; then
	tail -n 30 "$T/build.log" | diag
	it_finish
	exit
fi
deb=$T/conntab_${ver}_$arch.deb
changes=$T/conntab_${ver}_$arch.changes
check "it made conntab_${ver}_$arch.deb and the .changes" "$(cd "$T" && ls)" test -f "$deb" -a -f "$changes"

# Debian's build flags reach every compile and the link.
cc_lines=$(grep -cE '^(cc|gcc|x86_64-linux-gnu-gcc) .* -c -o build/' "$T/build.log")
hard_lines=$(grep -E '^(cc|gcc|x86_64-linux-gnu-gcc) .* -c -o build/' "$T/build.log" |
	grep -- '-fstack-protector-strong' | grep -c -- '-D_FORTIFY_SOURCE=2')
check "every compile has -fstack-protector-strong and -D_FORTIFY_SOURCE=2 ($hard_lines of $cc_lines)" \
	"" test "$cc_lines" -gt 0 -a "$hard_lines" = "$cc_lines"
link=$(grep -E '^(cc|gcc|x86_64-linux-gnu-gcc) .* -o conntab ' "$T/build.log")
check "the link has -Wl,-z,relro and -Wl,-z,now" "$(head -c 300 <<<"$link")" \
	bash -c '[[ $1 == *-Wl,-z,relro* && $1 == *-Wl,-z,now* ]]' _ "$link"
if [ -z "${CT_PKG_CHECK:-}" ]; then
	check "nocheck is honoured: no test ran" "$(grep -m1 -E '^\[ RUN|^ok 1 ' "$T/build.log")" \
		bash -c "! grep -qE '^\[==========\] Running|^ok 1 ' '$T/build.log'"
else
	check "the package's test step ran the unit tests" "" grep -q '^\[==========\] Running' "$T/build.log"
	echo "# the package's test step: $(grep -c '^\[  PASSED  \]' "$T/build.log") unit test programs passed;" \
		"integration: $(awk '/^[0-9]+ passed, [0-9]+ failed/ { p += $1; f += $3 } END { print p + 0 " passed, " f + 0 " failed" }' "$T/build.log")"
	grep '^# skipped' "$T/build.log" | sort | uniq -c | diag
fi

# --- what is in it ----------------------------------------------------------
dpkg-deb -x "$deb" "$T/x"
for f in "${FILES[@]}"; do
	check "the package holds $f" "" test -f "$T/x$f"
done
check "the package holds the copyright file" "" test -f "$T/x/usr/share/doc/conntab/copyright"
dpkg-deb -f "$deb" Depends >"$T/depends"
check "Depends comes from the libraries linked (libmnl, ncurses)" "$(cat "$T/depends")" \
	grep -q 'libmnl0' "$T/depends"
bin=$T/x/usr/bin/conntab
if command -v readelf >/dev/null; then
	check "the binary is PIE" "" bash -c "readelf -h '$bin' | grep -q 'Type:.*DYN'"
	check "... with full RELRO (GNU_RELRO and BIND_NOW)" "" \
		bash -c "readelf -lW '$bin' | grep -q GNU_RELRO && readelf -dW '$bin' | grep -qE 'BIND_NOW|FLAGS.*NOW'"
	check "... with the stack protector and fortified calls" "" \
		bash -c "readelf -sW --dyn-syms '$bin' | grep -q __stack_chk_fail && readelf -sW --dyn-syms '$bin' | grep -qE '__[a-z]+_chk'"
fi

# --- lintian ----------------------------------------------------------------
timeout -k 10 600 lintian --fail-on error,warning -I "$changes" >"$T/lint.out" 2>"$T/lint.err"
rc=$?
check "lintian: no error and no warning (source and binary)" \
	"exit $rc; $(grep -E '^[EW]:' "$T/lint.out" | head -5 | tr '\n' ' ' | head -c 400)" test "$rc" = 0
grep -E '^[A-Z]:' "$T/lint.out" | diag

# --- make install and uninstall in the clone (PREFIX, DESTDIR) -----------------
(cd "$SRC" && pkgenv make -s install DESTDIR="$T/inst" PREFIX=/opt/ct) >"$T/inst.log" 2>&1
for f in bin/conntab share/man/man1/conntab.1 \
    share/bash-completion/completions/conntab share/zsh/site-functions/_conntab; do
	check "make install DESTDIR PREFIX=/opt/ct: $f" "$(head -c 200 "$T/inst.log")" test -f "$T/inst/opt/ct/$f"
done
(cd "$SRC" && pkgenv make -s uninstall DESTDIR="$T/inst" PREFIX=/opt/ct) >>"$T/inst.log" 2>&1
check "make uninstall removes all of it" "$(find "$T/inst" -type f | head -3 | tr '\n' ' ')" \
	test -z "$(find "$T/inst" -type f)"

# --- install, use, purge ----------------------------------------------------
if [ "$(id -u)" != 0 ]; then
	echo "# install: skipped: dpkg -i needs root"
	it_finish
	exit
fi
# One installer at a time on this machine (another run of this test):
# flock on dpkg's own directory makes no file of its own.
exec 9</var/lib/dpkg
if ! flock -w 600 9; then
	notok "wait for another run of this test to finish" "flock timed out"
	it_finish
	exit
fi
present=
dpkg-query -W -f='${db:Status-Status}' conntab 2>/dev/null | grep -qv '^not-installed$' &&
	present="a conntab package"
for f in "${FILES[@]}"; do
	[ -e "$f" ] && present+=" $f"
done
if [ -n "$present" ]; then
	echo "# install: skipped: already on this machine, not touched:$present"
	it_finish
	exit
fi

INSTALLED=1
dpkg -i "$deb" >"$T/install.out" 2>&1
rc=$?
check "dpkg -i conntab_${ver}_$arch.deb" "exit $rc; $(tail -n 3 "$T/install.out" | tr '\n' ' ' | head -c 300)" test "$rc" = 0
run /usr/bin/conntab -V
check "/usr/bin/conntab -V says conntab $ver" "$(last_run); $(head -c 100 "$T/out")" \
	test "$rc" = 0 -a "$(cat "$T/out")" = "conntab $ver"
run /usr/bin/conntab -P -H -t -l
check "/usr/bin/conntab lists sockets" "$(last_run)" test "$rc" = 0
if command -v man >/dev/null; then
	run man -w conntab
	check "man finds the manual page" "$(last_run); $(cat "$T/out")" \
		test "$rc" = 0 -a "$(cat "$T/out")" = /usr/share/man/man1/conntab.1.gz
else
	check "the manual page is installed" "" test -f /usr/share/man/man1/conntab.1.gz
fi
check "the bash completion is installed" "" test -f /usr/share/bash-completion/completions/conntab
check "the zsh completion is installed" "" test -f /usr/share/zsh/vendor-completions/_conntab
if [ -r /usr/share/bash-completion/bash_completion ]; then
	# bash-completion loads it on demand, by the command's name
	run bash --norc --noprofile -c '. /usr/share/bash-completion/bash_completion
		__load_completion conntab; complete -p conntab'
	check "bash-completion loads it for conntab" "$(last_run); $(cat "$T/out")" \
		grep -q -- '-F _conntab conntab' "$T/out"
fi
if command -v zsh >/dev/null; then
	# Debian's zsh has the vendor folder in its fpath
	run zsh -fc 'autoload -Uz compinit && compinit -u -D && print -r -- $_comps[conntab]'
	check "zsh's compinit finds _conntab for conntab" "$(last_run); $(cat "$T/out")" \
		test "$(cat "$T/out")" = _conntab
fi

dpkg --purge conntab >"$T/purge.out" 2>&1
rc=$?
INSTALLED=
check "dpkg --purge conntab" "exit $rc; $(tail -n 3 "$T/purge.out" | tr '\n' ' ')" test "$rc" = 0
left=
dpkg-query -W -f='${db:Status-Status}' conntab 2>/dev/null | grep -qv '^not-installed$' &&
	left="the package's record"
for f in "${FILES[@]}" /usr/share/doc/conntab; do
	[ -e "$f" ] && left+=" $f"
done
check "nothing of it is left" "left:$left" test -z "$left"

it_finish
