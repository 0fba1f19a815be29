#!/bin/sh
# test-audit-chain.sh - the tamper-evident audit trail through the
# real CLI and the build-tree pwreset-helper run WITHOUT privilege: every
# helper event carries seq= and mac=, the key and state files beside the
# store are private, and "pwreset audit --verify" passes an untouched log
# and names a deleted line, a swapped pair and an edited field.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

as_nobody "$here/test-audit-chain.sh"
cli_workdir pwrchain

need_accounts 3

cli_conf_defaults
write_conf "$T/conf"

run enrol "$U1" "$U2" "$U3"
expect "enrol (3 events)" 0 "account_enrolled account_enrolled account_enrolled"
run block "$U1" --reason "chain test"
run unblock "$U1"
run force-reset "$U2" "$U3"
expect "force-reset (2 events)" 0 "force_password_reset_set force_password_reset_set"
run reset-code "$U1"
run deactivate "$U3"

cp "$T/audit.all" "$T/good.log"
# (block and deactivate also end sessions: one more event each)
n=$(grep -c 'pwreset\[' "$T/good.log")
check "there are at least 9 events ($n)" [ "$n" -ge 9 ]
check "every helper event carries seq= and mac=" \
    sh -c "[ \$(grep -c ' seq=[0-9]* mac=[0-9a-f]\\{64\\}\$' '$T/good.log') = $n ]"
check "... numbered 1 to $n in order" \
    sh -c "[ \"\$(sed -n 's/.* seq=\\([0-9]*\\) mac=.*/\\1/p' '$T/good.log' | tr '\\n' ' ')\" = '$(seq 1 "$n" | tr '\n' ' ')' ]"
check "the key beside the store is private (0600)" \
    sh -c "[ \"\$(stat -c %a '$T/audit.key')\" = 600 ] && [ \"\$(stat -c %s '$T/audit.key')\" = 32 ]"
check "the chain state beside the store is private (0600) and says seq $n" \
    sh -c "[ \"\$(stat -c %a '$T/audit.chain')\" = 600 ] && grep -q '^pwreset-chain 1 0*$n [0-9a-f]\\{64\\}\$' '$T/audit.chain'"

verify() {
    "$PWRESET" --config "$T/conf" audit --verify "$@" >"$T/vout" 2>"$T/verr"
    VRC=$?
}
vout_has() { grep -q -e "$1" "$T/vout"; }

verify "$T/good.log"
check "--verify passes an untouched log" sh -c "[ $VRC = 0 ] && grep -q 'chain intact' '$T/vout'"
check "... and counts its events" vout_has "$n sealed event(s) (seq 1..$n)"

# unsealed lines (as the module writes) are counted, never a failure
printf '<85>Nov 22 14:03:00 pwreset[42]: event=login_allowed user=%s result=success\n' \
    "$U1" >"$T/mixed.log"
cat "$T/good.log" >>"$T/mixed.log"
verify "$T/mixed.log"
check "--verify counts unsealed (module) lines without failing" \
    sh -c "[ $VRC = 0 ] && grep -q '1 unsealed' '$T/vout'"

# a log rotated in two files, given oldest first
head -n 4 "$T/good.log" >"$T/part1"
tail -n +5 "$T/good.log" >"$T/part2"
verify "$T/part1" "$T/part2"
check "--verify follows the chain across files" [ "$VRC" = 0 ]
verify "$T/part2"
check "a log that starts mid-chain is accepted (older logs rotated away)" [ "$VRC" = 0 ]

sed '4d' "$T/good.log" >"$T/deleted.log"
verify "$T/deleted.log"
check "--verify catches a deleted line" [ "$VRC" = 8 ]
check "... naming the gap" vout_has "deleted.log:4: event(s) seq 4..4 missing"
check "... and says the chain is broken" vout_has "CHAIN BROKEN"

awk 'NR == 5 { held = $0; next } NR == 6 { print; print held; next } { print }' \
    "$T/good.log" >"$T/swapped.log"
verify "$T/swapped.log"
check "--verify catches a swapped pair" [ "$VRC" = 8 ]
check "... as reordered, naming both lines" \
    vout_has "swapped.log:6: event seq 5 comes after seq 6 (.*swapped.log:5)"
check "... and not as an edit (the content is intact)" sh -c "! grep -q edited '$T/vout'"

sed '7s/ user=[^ ]* / user=intruder /' "$T/good.log" >"$T/edited.log"
check "(the edit changed line 7)" sh -c "! cmp -s '$T/good.log' '$T/edited.log'"
verify "$T/edited.log"
check "--verify catches an edited field" [ "$VRC" = 8 ]
check "... naming the line and its seq" vout_has "edited.log:7: event seq 7 was edited"
check "... and only that line" [ "$(grep -c . "$T/vout")" = 2 ]

sed '3s/ seq=3 / seq=33 /' "$T/good.log" >"$T/renumbered.log"
verify "$T/renumbered.log"
check "--verify catches a renumbered line" [ "$VRC" = 8 ]

cp "$T/good.log" "$T/dup.log"
sed -n 2p "$T/good.log" >>"$T/dup.log"
verify "$T/dup.log"
check "--verify catches a replayed (duplicated) line" \
    sh -c "[ $VRC = 8 ] && grep -q 'duplicated event' '$T/vout'"

mv "$T/audit.key" "$T/audit.key.away"
verify "$T/good.log"
check "--verify without the key refuses, saying so" \
    sh -c "[ $VRC != 0 ] && grep -q 'run as root' '$T/verr'"
mv "$T/audit.key.away" "$T/audit.key"

# Without files --verify reads what "audit" reads (the auth log or the
# journal: test-audit-journal.sh proves which), never a usage error.
run audit --verify
check "--verify without files reads the default source, not a usage error" \
    sh -c "[ $RC != 2 ] && ! grep -q 'needs FILE' '$T/err'"
finish
