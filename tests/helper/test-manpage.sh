#!/bin/sh
# test-manpage.sh - pwreset(8) documents exactly the commands and options
# pwreset accepts.  The CLI's command table (cli/cli_commands.c) is read
# through what it generates: "pwreset --help" (the commands, the global
# options) and "pwreset COMMAND --help" (a command's options, each with its
# value's name when it takes one).
# SPDX-License-Identifier: BSD-3-Clause
#
# For every command: it has an entry in COMMANDS, whose synopsis (the
# entry's first line) shows each of its options and no other, with a value
# exactly when the option takes one.
# Every command in COMMANDS exists, every --option the page names anywhere
# is one some command accepts, and GLOBAL OPTIONS lists the global ones.
# The same checks are then run on pages with a known drift, which they
# must catch.  Needs neither root nor the helper.
set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

PWRESET=$top_builddir/cli/pwreset
MAN=$top_srcdir/docs/pwreset.8
[ -x "$PWRESET" ] || hard_error "$PWRESET not built"
[ -r "$MAN" ] || hard_error "$MAN missing"
T=$(mktemp -d /tmp/pwrman.XXXXXX) || hard_error "mktemp"
trap 'rm -rf "$T"' EXIT INT TERM

# ---- the table, as the CLI prints it --------------------------------------
"$PWRESET" --help >"$T/help" 2>&1 || hard_error "pwreset --help failed"
awk '/^commands:/ { f = 1; next } f && /^$/ { exit } f { print $1 }' \
    "$T/help" >"$T/cmds"
[ -s "$T/cmds" ] || hard_error "pwreset --help lists no command"
sed -n '1s/^usage: pwreset //p' "$T/help" | grep -o -e '--[a-z][a-z-]*' |
    sed 's/^--//' | sort -u >"$T/global"

# $T/opt.CMD: "NAME 1" for an option with a value, "NAME 0" for a flag;
# $T/common: the options every command takes.
: >"$T/all"
while read -r c; do
    "$PWRESET" "$c" --help >"$T/help.$c" 2>&1 ||
        hard_error "pwreset $c --help failed"
    awk '/^options:/ { f = 1; next } /^$/ { f = 0 }
         f && $1 ~ /^--/ { sub(/^--/, "", $1)
                           print $1, ($2 ~ /^[A-Z]+$/ || $2 ~ /[|]/) }' \
        "$T/help.$c" >"$T/opt.$c"
    awk '/^common options:/ { f = 1; next } /^$/ { f = 0 }
         f && $1 ~ /^--/ { sub(/^--/, "", $1); print $1 }' \
        "$T/help.$c" >>"$T/common"
    cut -d' ' -f1 "$T/opt.$c" >>"$T/all"
done <"$T/cmds"
sort -u -o "$T/common" "$T/common"
cat "$T/common" >>"$T/all"
sort -u -o "$T/all" "$T/all"

# ---- the page, as plain lines ---------------------------------------------
# man_lines PAGE: "TAG<TAB>CMD<TAB>text" for each synopsis line of an entry
# in COMMANDS (the line after .TP or .TQ) and "GLOBAL<TAB>-<TAB>text" for
# the lines of GLOBAL OPTIONS; fonts, quotes and macro names removed.
man_lines() {
    awk '
    function plain(s) {
        gsub(/\\f[BIRP]/, "", s); gsub(/\\-/, "-", s); gsub(/\\\(../, "", s)
        gsub(/"/, "", s); sub(/^\.[A-Za-z]+ */, "", s)
        return s
    }
    /^\.SH / { sec = $2; next }
    sec == "GLOBAL" { print "GLOBAL\t-\t" plain($0); next }
    sec != "COMMANDS" { next }
    /^\.T[PQ]/ { tag = 1; next }
    tag { t = plain($0); split(t, w, " "); print "TAG\t" w[1] "\t" t
          tag = 0 }
    ' "$1"
}

# words FILE: the --options named in the text, one per line, without "--".
words() {
    grep -o -e '--[a-z][a-z-]*' "$1" | sed 's/^--//' | sort -u
}

# plain_page PAGE: the whole page without fonts and escapes.
plain_page() {
    sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' "$1"
}

# kinds FILE: "NAME 1|0" for each --option of the synopsis lines in FILE:
# 1 when a value follows it.
kinds() {
    awk '{ for (i = 1; i <= NF; i++) {
             w = $i; sub(/^\[/, "", w)
             if (w !~ /^--[a-z]/) continue
             closed = (w ~ /\]$/); sub(/\]$/, "", w); sub(/^--/, "", w)
             print w, (!closed && i < NF && $(i + 1) ~ /^[a-z]/)
         } }' "$1" | sort -u
}

# problems PAGE: every way PAGE and the table disagree, one per line.
problems() {
    man_lines "$1" >"$T/lines"
    awk -F'\t' '$1 == "TAG" { print $2 }' "$T/lines" | sort -u >"$T/mancmds"
    sort "$T/cmds" | comm -23 - "$T/mancmds" |
        sed 's/^/no entry in COMMANDS for /'
    sort "$T/cmds" | comm -13 - "$T/mancmds" |
        sed 's/^/COMMANDS documents an unknown command /'
    while read -r c; do
        awk -F'\t' -v c="$c" '$1 == "TAG" && $2 == c { print $3 }' \
            "$T/lines" >"$T/syn"
        words "$T/syn" >"$T/synw"
        cut -d' ' -f1 "$T/opt.$c" | sort | comm -23 - "$T/synw" |
            sed "s/^/$c: its synopsis does not show --/"
        cat "$T/opt.$c" "$T/common" | cut -d' ' -f1 | sort -u >"$T/ok"
        comm -23 "$T/synw" "$T/ok" |
            sed "s/^/$c: its synopsis shows an option it refuses: --/"
        kinds "$T/syn" >"$T/synk"
        sort "$T/opt.$c" | join - "$T/synk" | while read -r o table man; do
            [ "$table" = "$man" ] && continue
            if [ "$table" = 1 ]; then
                echo "$c: --$o takes a value the synopsis does not show"
            else
                echo "$c: --$o is a flag the synopsis gives a value"
            fi
        done
    done <"$T/cmds"
    plain_page "$1" >"$T/plain"
    words "$T/plain" | comm -23 - "$T/all" |
        sed 's/^/the page names an option no command takes: --/'
    awk -F'\t' '$1 == "GLOBAL" { print $3 }' "$T/lines" >"$T/glob"
    words "$T/glob" | comm -3 - "$T/global" |
        sed 's/^[[:space:]]*/GLOBAL OPTIONS and the global usage differ on --/'
    return 0
}

# ---- the real page ---------------------------------------------------------
check "pwreset --help lists the commands" [ "$(wc -l <"$T/cmds")" -ge 10 ]
check "the global usage names --config and --helper" \
    sh -c "grep -qx config '$T/global' && grep -qx helper '$T/global'"
check "every command takes --help" grep -qx help "$T/common"
problems "$MAN" >"$T/found"
if [ -s "$T/found" ]; then
    nok "pwreset(8) agrees with the command table"
    sed 's/^/#   /' "$T/found"
else
    ok "pwreset(8) agrees with the command table" \
        "($(wc -l <"$T/cmds") commands, $(wc -l <"$T/all") options)"
fi

# ---- pages with a known drift: each must be caught --------------------------
# drift DESC EXPECTED SED-SCRIPT: the page edited by SED-SCRIPT yields a
# problem containing EXPECTED.
drift() {
    sed "$3" "$MAN" >"$T/drift.8"
    if cmp -s "$MAN" "$T/drift.8"; then
        nok "$1 (the edit changed nothing: fix the test)"
    elif problems "$T/drift.8" | grep -qF -e "$2"; then
        ok "$1"
    else
        nok "$1 (not reported: '$2')"
    fi
}
drift "an option left out of a command's synopsis is caught" \
    "delete: its synopsis does not show --logout" \
    '/^\.BI "delete /s/ \[\\fB\\-\\-logout\\fR\]//'
drift "a synopsis showing an option the command refuses is caught" \
    "unblock: its synopsis shows an option it refuses: --keep-sessions" \
    's/^\.BI "unblock " user "\\fR\.\.\. \[/&\\fB\\-\\-keep\\-sessions\\fR] [/'
drift "a value shown for a flag is caught" \
    "--json is a flag the synopsis gives a value" \
    's/\[\\fB\\-\\-json\\fR\]"$/[\\fB\\-\\-json \\fIformat\\fR]"/'
drift "an option shown without its value is caught" \
    "--ttl takes a value the synopsis does not show" \
    '/^\.BI "reset-code /s/\\-\\-ttl \\fIduration\\fR/\\-\\-ttl\\fR/'
drift "an unknown option anywhere in the page is caught" \
    "the page names an option no command takes: --frobnicate" \
    's/^Every command accepts$/Every command accepts --frobnicate and/'
drift "a command the CLI does not have is caught" \
    "COMMANDS documents an unknown command rename" \
    's/^\.BI "logout " user$/.BI "rename " user/'
drift "a command without an entry is caught" \
    "no entry in COMMANDS for purge" \
    's/^\.BI "purge " user /.BI "purgative " user /'
finish
