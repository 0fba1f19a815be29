#!/bin/sh
# test-torture.sh - crash torture and a stopped lock holder.
#  1. SIGKILL a store writer at thousands of random instants: after every
#     kill the store is byte for byte the old or the new version, valid, and
#     its lock is free (tests/hardening/torture.c; PWR_TORTURE_KILLS and
#     PWR_TORTURE_SECONDS bound the run, 2000 kills / 40 s by default).
#  2. SIGSTOP a writer holding the lock: the helper and the CLI give up with
#     "store busy" (exit 10) within lock_timeout plus a margin, a login
#     check (read-only, lock-free) still answers at once, and once the
#     holder is gone the lock is free and the store intact.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/hardening/hlib.sh"

TORTURE=$top_builddir/tests/hardening/torture
[ -x "$TORTURE" ] || hard_error "$TORTURE not built"

# ---- 1. kill -9 at random points ----------------------------------------------
mkdir -m 700 "$T/kill"
"$TORTURE" kill "$T/kill" "${PWR_TORTURE_KILLS:-2000}" "${PWR_TORTURE_SECONDS:-40}" \
    >"$T/tout" 2>"$T/terr"
rc=$?
sed 's/^/# /' "$T/tout" "$T/terr"
check "every kill left the old or the new store, valid, lock free" [ "$rc" = 0 ]
kills=$(sed -n 's/^kills=\([0-9]*\).*/\1/p' "$T/tout")
old=$(sed -n 's/.* old=\([0-9]*\).*/\1/p' "$T/tout")
new=$(sed -n 's/.* new=\([0-9]*\).*/\1/p' "$T/tout")
tmp=$(sed -n 's/.* tmp_left=\([0-9]*\).*/\1/p' "$T/tout")
want=${PWR_TORTURE_KILLS:-2000}
[ "$want" -gt 500 ] && want=500
check "... at least $want kills ($kills)" [ "${kills:-0}" -ge "$want" ]
check "... some before the commit ($old) and some after ($new)" \
    [ "${old:-0}" -gt 0 ] && [ "${new:-0}" -gt 0 ]
check "... and some in the middle of writing the new file ($tmp)" [ "${tmp:-0}" -gt 0 ]

# ---- 2. a stopped lock holder ---------------------------------------------------
PW=Cobalt-Meadow-Finch-2290
write_conf "$T/conf" "lock_timeout = 500"
store_seed "$ME:$PW"
req "$T/req" chauthtok user "$ME" proof "$PW" new Ember-Lattice-Grove-7781
"$TORTURE" stop "$T/state" -- sh -c "exec '$HELPER' <'$T/req' >'$T/out' 2>/dev/null" \
    >"$T/tout" 2>&1
sed 's/^/# /' "$T/tout"
ms=$(sed -n 's/^exit=[0-9]* ms=\([0-9]*\)/\1/p' "$T/tout")
check "the helper gives up with exit 10 (busy)" grep -q '^exit=10 ' "$T/tout"
check "... after lock_timeout (500 ms), not before, within 3 s ($ms ms)" \
    [ "${ms:-0}" -ge 500 ] && [ "${ms:-99999}" -le 3000 ]
check "... saying the store is busy" grep -q '^message store%20busy' "$T/out"
check "... the lock is free and the store valid once the holder is gone" \
    grep -q '^lock=free store=valid$' "$T/tout"

printf '%s\nEmber-Lattice-Grove-7781\n' "$PW" >"$T/in"
"$TORTURE" stop "$T/state" -- sh -c "exec '$PWRESET' --helper '$HELPER' \
    --config '$T/conf' passwd --stdin <'$T/in' >/dev/null 2>'$T/err'" >"$T/tout" 2>&1
check "pwreset passwd gives up with exit 10" grep -q '^exit=10 ' "$T/tout"
check "... telling the user the store is busy" grep -q 'store busy' "$T/err"

req "$T/vreq" verify user "$ME" password "$PW"
"$TORTURE" stop "$T/state" -- sh -c "exec '$HELPER' <'$T/vreq' >'$T/out' 2>/dev/null" \
    >"$T/tout" 2>&1
ms=$(sed -n 's/^exit=[0-9]* ms=\([0-9]*\)/\1/p' "$T/tout")
check "a login check meanwhile needs no lock: it answers at once ($ms ms)" \
    sh -c "grep -q '^exit=0 ' '$T/tout' && [ ${ms:-99999} -lt 500 ]"
check "the store still holds exactly the seeded records" store_valid
finish
