# bash completion for conntab(1)                           -*- shell-script -*-
#
# The options, field names, filter keywords, state words and formats come
# from the program itself (conntab --list WHAT), asked of the conntab being
# completed (./conntab completes with the tree's own binary), so this file
# cannot drift from the vocabulary. What is spelled here is only which of
# those lists goes after which option.

# _conntab_list CMD WHAT: the first column of CMD --list WHAT.
_conntab_list()
{
    local w _
    while IFS=$'\t' read -r w _; do
        printf '%s\n' "$w"
    done < <("$1" --list "$2" 2>/dev/null)
}

# _conntab_commalist WORDS: complete the last element of a comma-separated
# list in $cur (-o proto,lo -> proto,local).
_conntab_commalist()
{
    local pre=
    [[ $cur == *,* ]] && pre=${cur%,*},
    COMPREPLY=($(compgen -P "$pre" -W "$1" -- "${cur##*,}"))
}

# _conntab_netns: the names under /run/netns (ip netns add), or a path,
# or a process ID.
_conntab_netns()
{
    case $cur in
    */* | .*) _filedir ;;
    [0-9]*) _pids ;;
    *)
        local names=
        [[ -d /run/netns ]] && names=$(command ls -1 /run/netns 2>/dev/null)
        COMPREPLY=($(compgen -W "$names" -- "$cur"))
        ;;
    esac
}

# _conntab_value CMD OPTION: complete $cur as the argument of OPTION.
_conntab_value()
{
    case $2 in
    -o | -g | --sort)
        _conntab_commalist "$(_conntab_list "$1" fields)"
        ;;
    --format)
        COMPREPLY=($(compgen -W "$(_conntab_list "$1" formats)" -- "$cur"))
        ;;
    --color | --colour)
        COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
        ;;
    -N | --netns)
        _conntab_netns
        ;;
    -F | --filter | --output)
        _filedir
        ;;
    -f | --family)
        COMPREPLY=($(compgen -W 'inet inet6' -- "$cur"))
        ;;
    -A | --query | --socket)
        _conntab_commalist 'all inet inet6 tcp udp'
        ;;
    --list)
        COMPREPLY=($(compgen -W 'fields keywords states formats options' \
            -- "$cur"))
        ;;
    *)
        COMPREPLY=()	# a number (-d) or a word of its own
        ;;
    esac
}

# _conntab_argof WORD: the option whose argument the next word is, when
# WORD is one that takes it there (-o, -tuo, --sort, --for as --format);
# nothing otherwise. Reads the caller's takes[].
_conntab_argof()
{
    local w=$1 i c name hit=
    if [[ $w == --?* ]]; then
        if [[ ! ${takes[$w]-} ]]; then
            # a unique abbreviation, as getopt_long() takes it
            for name in "${!takes[@]}"; do
                [[ $name == --* && $name == "$w"* ]] || continue
                [[ $hit ]] && return
                hit=$name
            done
            w=$hit
        fi
        [[ $w && ${takes[$w]-} == required ]] && printf '%s\n' "$w"
    elif [[ $w == -[!-]* ]]; then
        for ((i = 1; i < ${#w}; i++)); do
            c=-${w:i:1}
            if [[ ${takes[$c]-} == required ]]; then
                ((i + 1 == ${#w})) && printf '%s\n' "$c"
                return
            fi
        done
    fi
}

_conntab()
{
    local cur prev words cword split
    _init_completion -s -n : || return

    local ct=${1/#\~/$HOME} name arg i c opt=
    local -A takes=()
    while IFS=$'\t' read -r name arg _; do
        [[ $name ]] && takes[$name]=$arg
    done < <("$ct" --list options 2>/dev/null)

    # Past "--" every word is the filter's.
    local endopts=
    for ((i = 1; i < cword; i++)); do
        [[ ${words[i]} == -- ]] && endopts=1 && break
    done

    # Where an option's argument is being typed, which option that is.
    if [[ $endopts ]]; then
        :
    elif $split; then
        opt=$prev                       # --sort=pro, --color=
    elif [[ $cur == -[!-]* ]]; then
        # a cluster of short options, the last may hold its argument: -tuopro
        for ((i = 1; i < ${#cur}; i++)); do
            c=-${cur:i:1}
            if [[ ${takes[$c]-} == required ]] && ((i + 1 < ${#cur})); then
                local pre=${cur:0:i+1}
                cur=${cur:i+1}
                _conntab_value "$ct" "$c"
                COMPREPLY=("${COMPREPLY[@]/#/$pre}")
                return
            fi
        done
    else
        opt=$(_conntab_argof "$prev")
    fi
    if [[ $opt ]]; then
        _conntab_value "$ct" "$opt"
        return
    fi

    if [[ $cur == -* && ! $endopts ]]; then
        COMPREPLY=($(compgen -W "${!takes[*]}" -- "$cur"))
        return
    fi

    # The filter: after a keyword that takes a state, the states; after
    # one that takes another value, that value where it is a word of its
    # own; after a comparison, nothing; else the keywords.
    local -A kind=()
    while IFS=$'\t' read -r name arg _; do
        [[ $name ]] && kind[$name]=$arg
    done < <("$ct" --list keywords 2>/dev/null)
    local p=${prev,,} k=
    # prev is no keyword where it is an option's argument (-o state ...)
    if ((cword < 2)); then
        p=
    elif [[ ! $endopts && $(_conntab_argof "${words[cword - 2]}") ]]; then
        p=
    fi
    [[ $p ]] && k=${kind[$p]-}
    if [[ $k == state ]]; then
        COMPREPLY=($(compgen -W "$(_conntab_list "$ct" states)" -- "$cur"))
    elif [[ $k == value ]]; then
        case $p in
        proto) COMPREPLY=($(compgen -W 'tcp udp' -- "$cur")) ;;
        family) COMPREPLY=($(compgen -W 'inet inet6' -- "$cur")) ;;
        netns) _conntab_netns ;;
        *) COMPREPLY=() ;;
        esac
    elif [[ $p == @(=|==|!=|<|<=|>|>=|eq|ne|neq|lt|le|leq|gt|ge|geq) ]]; then
        COMPREPLY=()
    else
        COMPREPLY=($(compgen -W "${!kind[*]}" -- "$cur"))
    fi
} &&
    complete -F _conntab conntab

# ex: filetype=sh
