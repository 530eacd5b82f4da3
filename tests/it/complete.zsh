# zsh -f complete.zsh SHELL DIR LINE: what an interactive SHELL (bash or
# zsh) offers when Tab is pressed at the end of LINE, with conntab's
# completion from DIR (DIR/conntab.bash, or DIR/_conntab first in fpath).
# The shell runs on a pseudo-terminal (zsh/zpty) and splits LINE into words
# itself, as for a user. Prints each offered word on a line of its own,
# as the shell would put it in the line, then "@@END@@" once the completion
# has run. The caller bounds it in time. Exit 77 when zsh/zpty is missing.
emulate -R zsh
zmodload zsh/zpty 2>/dev/null || exit 77
sh=$1 dir=$2 line=$3

case $sh in
(bash)
  zpty ct bash --norc --noprofile -i || exit 1
  # bash-completion, then conntab's function, wrapped to say what it put
  # in COMPREPLY (-o proto,lo gives proto,local)
  zpty -w ct "PS1=''; . /usr/share/bash-completion/bash_completion"
  zpty -w ct ". ${(q)dir}/conntab.bash"
  zpty -w ct '_ct_wrap() { _conntab "$@"; printf "\n@@M %s" "${COMPREPLY[@]}"; printf "\n@@END""@@\n"; }'
  zpty -w ct 'complete -F _ct_wrap conntab'
  ;;
(zsh)
  zpty ct zsh -f -i || exit 1
  # compinit from DIR, and a compadd that says what it is given to offer
  # (those that match what is typed, -O) before offering it; calls that
  # only ask (-O, -A, -D of their own) pass through
  zpty -w ct "PS1='' RPS1=''; fpath=(${(q)dir} \$fpath)"
  zpty -w ct 'autoload -Uz compinit && compinit -u -D'
  zpty -w ct 'compadd() {
    local -a __o __m
    __o=( "${(@)argv[1,${argv[(i)(-|--)]}]}" )
    if (( ${__o[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi
    builtin compadd -O __m "$@"
    (( $#__m )) && print -rl -- "" "@@M ${IPREFIX}"${^__m}
    builtin compadd "$@"
  }'
  zpty -w ct '_ct_tab() { zle complete-word; print -r -- "" "@@END""@@"; }'
  zpty -w ct 'zle -N _ct_tab; bindkey "^I" _ct_tab'
  zpty -w ct "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no"
  ;;
(*)
  print -u2 "complete.zsh: bash or zsh, not $sh"
  exit 2
  ;;
esac
zpty -w -n ct "$line"$'\t'

out= chunk=
for i in {1..300}; do
  if zpty -r -t ct chunk 2>/dev/null; then
    out+=$chunk
    [[ $out == *@@END@@* ]] && break
  else
    sleep 0.05
  fi
done
zpty -d ct
out=${out//$'\r'/}
print -rl -- ${(u)${(M)${(f)out}:#@@M ?*}#@@M }
[[ $out == *@@END@@* ]] && print -r -- @@END@@
