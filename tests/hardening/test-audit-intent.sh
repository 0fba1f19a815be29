#!/bin/sh
# test-audit-intent.sh - a change is never visible in the store
# without its audit event.  The helper changes a password and is killed
# (SIGKILL, tests/unit/fsshim.c) at each of its file-system calls in turn,
# from the first to one past the last.  After every kill:
#   - a store that changed has its password_changed event, or the helper
#     left its intent (STORE.intent.PID) behind;
#   - the next change reports that intent: one action_interrupted event
#     (detail=chauthtok, user=...) saying result=committed when the killed
#     change had reached the store and result=not_committed when it had
#     not, and removes it;
# and at least one kill fell between the store write and the audit line
# (the store changed, no event): the window this rule is about.  Without
# privilege, so the test user can kill the helper: the set-uid helper's
# callers cannot (test-hostile-caller.sh); this covers root, the OOM killer
# and crashes.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/hardening/hlib.sh"

PW_OLD=Basalt-Heron-Wick-2291
PW_NEW=Juniper-Forge-Latch-6638
PW_THIRD=Cobalt-Meadow-Spire-4170
write_conf "$T/conf"
store_seed "$ME:$PW_OLD"
cp "$T/state/store" "$T/pristine"
req "$T/change" chauthtok user "$ME" proof "$PW_OLD" new "$PW_NEW"

intents() { ls "$T/state" | grep -c '^store\.intent\.' || true; }
verifies() {
    req "$T/vreq" verify user "$ME" password "$1"
    "$HELPER" <"$T/vreq" 2>/dev/null | grep -q '^result ok$'
}

# How many counted calls a whole change makes.
: >"$T/flog"
hx_run "$T/change" "LD_PRELOAD=$FAULTSHIM" "PWR_FAULT_LOG=$T/flog"
K=$(sed -n 's/^calls=\([0-9]*\).*/\1/p' "$T/flog" | tail -1)
check "a change without a kill succeeds, audited, no intent left ($K calls)" \
    sh -c "[ $RC = 0 ] && [ '$(hx_events)' = password_changed ] && [ $(intents) = 0 ]"

unaudited=0 window=0 recovered=0 badrec=0 n=0
while [ "$n" -le "$K" ]; do
    n=$((n + 1))
    cp "$T/pristine" "$T/state/store"
    hx_run "$T/change" "LD_PRELOAD=$FAULTSHIM" "PWR_KILL_AT=$n"
    changed=no
    cmp -s "$T/state/store" "$T/pristine" || changed=yes
    evs=$(hx_events)
    left=$(intents)
    case $changed:$evs:$left in
    yes:password_changed:*) ;;
    yes:*:0) unaudited=$((unaudited + 1))
             echo "# kill at call $n: the store changed, no event, no intent" ;;
    yes:*) window=$((window + 1)) ;;
    esac
    [ "$left" = 0 ] && continue
    # The next change reports it.
    if [ "$changed" = yes ]; then cur=$PW_NEW want=committed; else cur=$PW_OLD want=not_committed; fi
    verifies "$cur" || hard_error "kill at call $n: neither password works"
    req "$T/next" chauthtok user "$ME" proof "$cur" new "$PW_THIRD"
    hx_run "$T/next"
    got=$(grep '^event=action_interrupted ' "$T/ev")
    if [ "$RC" = 0 ] && [ "$(hx_events)" = "action_interrupted password_changed" ] &&
       printf '%s' "$got" | grep -q " result=$want" &&
       printf '%s' "$got" | grep -q " user=$ME " &&
       printf '%s' "$got" | grep -q " detail=chauthtok" && [ "$(intents)" = 0 ]; then
        recovered=$((recovered + 1))
    else
        badrec=$((badrec + 1))
        echo "# kill at call $n (store changed: $changed): next change exit $RC, events '$(hx_events)': $got"
    fi
done
echo "# $n kill points; $window left a changed store with its intent only; $recovered intents reported"
check "no kill left a change without its audit event or intent ($unaudited)" [ "$unaudited" = 0 ]
check "... kills fell between the store write and the audit line ($window)" [ "$window" -ge 1 ]
check "... and the next change reported each left intent as it was ($badrec wrong)" \
    sh -c "[ $badrec = 0 ] && [ $recovered -ge $window ]"
check "no intent file is left behind" [ "$(intents)" = 0 ]
check "the store is valid" store_valid
finish
