#!/usr/bin/env bash
# Shell completion (issue 17): completion/conntab.bash and completion/_conntab
# in a real interactive bash and zsh on a pseudo-terminal (complete.zsh),
# which split the line into words themselves, as for a user. The words
# offered after -o, --format, --color=, -N and in the filter are those the
# program lists (--list), and those are what the program takes. Needs no
# root, except for -N with a namespace of its own (ip netns add), which is
# skipped, saying so, without it.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
    unshare -n -m true 2>/dev/null; then
	it_enter_ns "$@"
	CAN_NS=1
else
	CAN_NS=
	[ -x "$CONNTAB" ] || { echo "# no binary at $CONNTAB"; echo "0 passed, 1 failed"; exit 1; }
	IT_TMP=$(mktemp -d /tmp/conntab-comp.XXXXXX)
	IT_PIDS=()
	IT_CLEANUP=()
	trap it_cleanup EXIT
fi
command -v zsh >/dev/null || it_skip "no zsh (it drives both shells through zsh/zpty)"
zsh -fc 'zmodload zsh/zpty' 2>/dev/null || it_skip "zsh has no zsh/zpty module"

CT=$CONNTAB
T=$IT_TMP
COMP=$IT_TOP/completion
# the completions run the conntab named on the line: this one
mkdir -p "$T/bin"
ln -s "$CT" "$T/bin/conntab"
export PATH="$T/bin:$PATH"

# --- the lists themselves ---------------------------------------------------
for w in fields keywords states formats options; do
	run "$CT" --list "$w"
	check "--list $w: exit 0, words, nothing on stderr" "$(last_run)" \
		test "$rc" = 0 -a -s "$T/out" -a ! -s "$T/err"
	cp "$T/out" "$T/full.$w"
	cut -f1 "$T/out" >"$T/list.$w"
done
run "$CT" --list nonsense
check "--list nonsense: exit 2, one line" "$(last_run)" \
	test "$rc" = 2 -a ! -s "$T/out" -a "$(wc -l <"$T/err")" = 1

bad=
while read -r f; do
	run "$CT" -P -H -o "$f"
	[ "$rc" = 0 ] || bad+=" -o:$f"
	run "$CT" -P -H --sort "$f"
	[ "$rc" = 0 ] || bad+=" --sort:$f"
done <"$T/list.fields"
check "every field listed is taken by -o and --sort" "$bad" test -z "$bad"
for f in proto local remote state pid process rtt count; do
	grep -qx "$f" "$T/list.fields" || bad+=" $f"
done
check "the fields include SPEC's (proto local remote state pid ...)" "$bad" test -z "$bad"

bad=
while read -r f; do
	run "$CT" -P -H --format "$f"
	[ "$rc" = 0 ] || bad+=" $f"
done <"$T/list.formats"
check "every format listed is taken by --format" "$bad" test -z "$bad"
check "the formats include table tsv csv json" "$(tr '\n' ' ' <"$T/list.formats")" \
	test "$(grep -cxE 'table|tsv|csv|json' "$T/list.formats")" = 4

# Every option is in --help, but for another spelling of a long option
# (--colour for --color).
"$CT" --help >"$T/help"
bad=
while IFS=$'\t' read -r o _ same; do
	[[ $same == --* ]] && continue
	grep -qE -- "(^|[ ,\[])$o([ ,=\[]|$)" "$T/help" || bad+=" $o"
done <"$T/full.options"
check "every option listed is in --help" "missing:$bad" test -z "$bad"
bad=
for o in -o -g -N -d --sort --format --color --netns --no-processes -t -u -l -w -J; do
	grep -qx -- "$o" "$T/list.options" || bad+=" $o"
done
check "the options include SPEC's" "missing:$bad" test -z "$bad"

# --- completion in the shells -----------------------------------------------
# complete SHELL LINE: the words SHELL offers at the end of LINE, sorted,
# in $T/got; rc 0 when the completion ran to its end.
complete_in() {
	timeout -k 5 30 zsh -f "$IT_DIR/complete.zsh" "$1" "$COMP" "$2" \
		>"$T/raw" 2>"$T/rawerr"
	rc=$?
	grep -vx '@@END@@' "$T/raw" | sort -u >"$T/got"
	grep -qx '@@END@@' "$T/raw" || rc=1
}

# offers SHELL DESC LINE WORD...: exactly these words are offered.
offers() {
	local sh=$1 desc=$2 line=$3
	shift 3
	printf '%s\n' "$@" | sort -u >"$T/want"
	complete_in "$sh" "$line"
	if [ "$rc" = 0 ] && cmp -s "$T/want" "$T/got"; then
		ok "$sh: '$line<Tab>' offers $desc"
	else
		notok "$sh: '$line<Tab>' offers $desc" \
			"rc $rc; got: $(tr '\n' ' ' <"$T/got" | head -c 300); want: $(tr '\n' ' ' <"$T/want" | head -c 300); $(head -c 200 "$T/rawerr")"
	fi
}

# offers_incl SHELL DESC LINE WORD...: at least these words are offered.
offers_incl() {
	local sh=$1 desc=$2 line=$3 w miss=
	shift 3
	complete_in "$sh" "$line"
	for w in "$@"; do grep -qxF -- "$w" "$T/got" || miss+=" $w"; done
	if [ "$rc" = 0 ] && [ -z "$miss" ]; then
		ok "$sh: '$line<Tab>' offers $desc"
	else
		notok "$sh: '$line<Tab>' offers $desc" \
			"rc $rc; missing:$miss; got: $(tr '\n' ' ' <"$T/got" | head -c 300)"
	fi
}

mapfile -t pro < <(grep '^pro' "$T/list.fields")
mapfile -t formats <"$T/list.formats"
mapfile -t states <"$T/list.states"
mapfile -t keywords <"$T/list.keywords"

if [ "$CAN_NS" ]; then
	NS=cttest$$c
	if ip netns add "$NS" 2>"$T/nserr"; then
		IT_CLEANUP+=("ip netns del $NS")
	else
		notok "ip netns add $NS" "$(head -c 200 "$T/nserr")"
		NS=
	fi
fi

SHELLS=(zsh)
if [ -r /usr/share/bash-completion/bash_completion ]; then
	SHELLS=(bash zsh)
else
	echo "# bash: skipped: no bash-completion (/usr/share/bash-completion/bash_completion)"
fi

for sh in "${SHELLS[@]}"; do
	offers "$sh" "the fields proto and process" "conntab -o pro" "${pro[@]}"
	check "... which are proto and process" "${pro[*]}" \
		test "$(printf '%s\n' "${pro[@]}" | sort | tr '\n' ' ')" = "process proto "
	offers "$sh" "the fields after a comma" "conntab -o proto,loc" proto,local
	if [ "$sh" = bash ]; then
		offers bash "the fields after --sort=" "conntab --sort=lp" lport
	else
		# zsh puts the whole word back, option and all
		offers zsh "the fields after --sort=" "conntab --sort=lp" --sort=lport
	fi
	offers "$sh" "the fields after -g" "conntab -g radd" raddr
	offers "$sh" "the fields in a cluster (-tuo)" "conntab -tuo rp" rport
	offers "$sh" "every format" "conntab --format " "${formats[@]}"
	if [ "$sh" = bash ]; then
		offers bash "auto always never" "conntab --color=" auto always never
	else
		# zsh puts the whole word back, option and all
		offers zsh "auto always never" "conntab --color=" \
			--color=auto --color=always --color=never
	fi
	offers "$sh" "the long option" "conntab --sor" --sort
	offers_incl "$sh" "short and long options" "conntab -" -o -N --format --color
	offers "$sh" "the filter keywords" "conntab " "${keywords[@]}"
	offers "$sh" "the filter keywords after options" "conntab -t -P " "${keywords[@]}"
	offers "$sh" "the filter keywords after -o's argument" "conntab -o state " "${keywords[@]}"
	offers "$sh" "the states after state" "conntab state " "${states[@]}"
	offers "$sh" "the state by its prefix" "conntab -l sport :22 state time" time_wait
	offers "$sh" "the protocols after proto" "conntab proto " tcp udp
	offers "$sh" "nothing after a comparison" "conntab dport >= "
	if [ -n "$NS" ]; then
		offers_incl "$sh" "the namespace made by the test" "conntab -N " "$NS"
		offers "$sh" "the namespace by its prefix" "conntab -N $NS" "$NS"
		offers "$sh" "the namespace after --netns" "conntab --netns $NS" "$NS"
		bad=
		while read -r n; do
			[ -e "/run/netns/$n" ] || bad+=" $n"
		done <"$T/got"
		check "$sh: every name offered is in /run/netns" "$bad" test -z "$bad"
	fi
done
[ "$CAN_NS" ] || echo "# -N: skipped: making a namespace (ip netns add) needs root"

it_finish
