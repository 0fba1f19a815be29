#!/bin/sh
# test-bulk-audit.sh - a bulk action's audit events, queued by the
# helper and sealed and sent in batches (hx_audit_queue/hx_audit_flush),
# through the real CLI and the build-tree pwreset-helper run WITHOUT
# privilege: one line per changed account, in order, numbered without a
# gap across the queue's flushes and across runs, verifying as one chain;
# and a lost listener still turns into "audit failed".
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

as_nobody "$here/test-bulk-audit.sh"
cli_workdir pwrbulk
whoami_or_skip

# 650 accounts that exist only in the store (--all reaches them); every
# 13th is blocked, so it is skipped and has no event: 600 change, more
# than two flushes of the helper's queue (256).
awk 'BEGIN {
    print "pwreset-store 1"
    for (i = 1; i <= 650; i++)
        printf "bulk%04d status=%s changed=1763800000 created=1700000000\n",
            i, (i % 13 == 0) ? "blocked" : "active"
    print "end 650"
}' >"$T/store"
chmod 600 "$T/store"
awk '$2 == "status=active" { print $1 }' "$T/store" >"$T/changed"
N=$(grep -c . "$T/changed")
check "(the store has $N eligible accounts)" [ "$N" = 600 ]
cli_conf_defaults # daemon & co. are ordinary accounts here
write_conf "$T/conf"

users() { sed -n 's/.* user=\([^ ]*\) .*/\1/p' "$1"; }
seqs() { sed -n 's/.* seq=\([0-9]*\) mac=.*/\1/p' "$1"; }

run force-reset --all
# Every 13th account is blocked and skipped: exit 13 says not all were done.
check "force-reset --all succeeds for the eligible (exit 13: blocked ones skipped)" [ "$RC" = 13 ]
[ "$RC" = 13 ] || sed "s/^/#   stderr: /" "$T/err"
check "... and says how many were skipped" grep -q '^pwreset: 50 account(s) skipped' "$T/err"
check "... without 'audit failed'" sh -c "! grep -q 'audit' '$T/err'"
cp "$T/ev.raw" "$T/run1.log"
check "... one line per changed account ($(grep -c . "$T/run1.log"))" \
    [ "$(grep -c 'event=force_password_reset_set ' "$T/run1.log")" = "$N" ]
users "$T/run1.log" >"$T/run1.users"
check "... in store order, none for skipped accounts" \
    cmp -s "$T/run1.users" "$T/changed"
seqs "$T/run1.log" >"$T/run1.seqs"
seq 1 "$N" >"$T/want1"
check "... numbered 1 to $N without a gap across the queue's flushes" \
    cmp -s "$T/run1.seqs" "$T/want1"
check "... and the chain state says seq $N" \
    grep -q "^pwreset-chain 1 0*$N [0-9a-f]\{64\}\$" "$T/audit.chain"

run force-reset --all --clear
check "force-reset --all --clear succeeds for the eligible (exit 13)" [ "$RC" = 13 ]
cp "$T/ev.raw" "$T/run2.log"
seqs "$T/run2.log" >"$T/run2.seqs"
seq $((N + 1)) $((2 * N)) >"$T/want2"
check "the next run continues the numbers ($((N + 1)) to $((2 * N)))" \
    cmp -s "$T/run2.seqs" "$T/want2"

"$PWRESET" --config "$T/conf" audit --verify "$T/run1.log" "$T/run2.log" \
    >"$T/vout" 2>"$T/verr"
VRC=$?
check "--verify passes both runs as one unbroken chain" [ "$VRC" = 0 ]
check "... of $((2 * N)) events, intact" grep -q \
    "$((2 * N)) sealed event(s) (seq 1\.\.$((2 * N))).*chain intact" "$T/vout"

# no listener: every send fails, the action stands, the reply says so
sed "s|^audit_socket = .*|audit_socket = $T/nobody-listens|" "$T/conf" \
    >"$T/conf_nolog"
"$PWRESET" --config "$T/conf_nolog" force-reset --all >"$T/out" 2>"$T/err"
RC=$?
check "with no listener force-reset --all still succeeds for the eligible (exit 13)" [ "$RC" = 13 ]
check "... and warns that the audit events were lost" \
    grep -q 'could not be written' "$T/err"
check "... the state still advanced (the lost lines are a visible gap)" \
    grep -q "^pwreset-chain 1 0*$((3 * N)) " "$T/audit.chain"

# A loop with one event flushes it before the reply is built, so a lost
# line is still reported (enrol, flags and status loops).
U1=$(ordinary_accounts | head -n 1)
if [ -n "$U1" ]; then
    lost() {
        "$PWRESET" --config "$T/conf_nolog" "$@" >"$T/out" 2>"$T/err"
        check "with no listener, $* succeeds and says the audit line was lost" \
            sh -c "[ $? = 0 ] && grep -q 'could not be written' '$T/err'"
    }
    lost enrol "$U1"
    lost force-reset "$U1"
    lost block "$U1" --keep-sessions
    lost unblock "$U1"
else
    ok "# SKIP no ordinary system account for the one-event loops"
fi
finish
