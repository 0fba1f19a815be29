#!/bin/sh
# test-policy-lists.sh - the word lists
# of the password policy (blocklist, breached_list).
#   - a missing breached list: every action that leaves the user at a
#     forced change (temp-password, a temporary set-password, force-reset,
#     reset-code, enrol --pending) is refused with the reason and writes
#     nothing; actions without that follow-up still work; status warns;
#     pwreset check-config names the list;
#   - a word list writable by group or others is refused like an unsafe
#     configuration file (whoever can write it decides what is refused);
#   - a breached list truncated under a reader makes the check fail
#     (the password is refused), never kills the helper with SIGBUS.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/hardening/hlib.sh"

PW=Tundra-Basil-Comet-5521
NEW=Saffron-Kettle-Orbit-6203
FILLERS=3
write_conf "$T/conf" "admin_group = $(id -gn)" "breached_list = $T/breached"
pick_target
[ -n "$TARGET" ] || skip_all "no ordinary system account to manage"
if [ "$TARGET" = "$ME" ]; then store_seed "$ME:$PW"; else store_seed "$ME:$PW" "$TARGET:$PW"; fi
cp "$T/state/store" "$T/pristine"

# A sorted list in the Pwned Passwords format, large enough that a lookup
# reads far from its start (none of these hashes is a real password's).
make_list() {
    awk 'BEGIN { for (i = 0; i < 40000; i++) printf "%08X%032d:%d\r\n", i * 4096, 0, i + 1 }' >"$T/breached"
    chmod 0644 "$T/breached"
}

# unchanged: the store is byte for byte what it was.
unchanged() { cmp -s "$T/state/store" "$T/pristine"; }
said() { grep -q "$1" "$T/out"; }

# ---- a missing breached list ---------------------------------------------------------
rm -f "$T/breached"
n=0
for op in "temp_password user $TARGET" \
    "set_password user $TARGET password $NEW temporary 1" \
    "force_reset user $TARGET" "reset_code user $TARGET" \
    "enrol user $TARGET pending 1"; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    req "$T/r$n" $op
    hx_run "$T/r$n"
    check "missing breached list: ${op%% *} is refused (exit 11)" [ "$RC" = 11 ]
    check "missing breached list: ${op%% *} says why" said "password%20rules%20cannot%20be%20checked"
    check "missing breached list: ${op%% *} writes nothing" unchanged
done
req "$T/clear" force_reset user "$TARGET" clear 1
hx_run "$T/clear"
check "missing breached list: force-reset --clear still works" [ "$RC" = 0 ]
req "$T/st" status
hx_run "$T/st"
check "missing breached list: status succeeds" [ "$RC" = 0 ]
check "missing breached list: status warns" said "^warning .*password%20rules%20cannot%20be%20checked"
"$PWRESET" check-config --config "$T/conf" >"$T/out" 2>&1
check "missing breached list: check-config exits 11" [ $? = 11 ]
check "missing breached list: check-config names the list" said "$T/breached: does not exist"

make_list
req "$T/tp" temp_password user "$TARGET"
hx_run "$T/tp"
check "with the list back, temp-password works" [ "$RC" = 0 ]
cp "$T/pristine" "$T/state/store"

# ---- word lists writable by others ---------------------------------------------------
printf 'password\n' >"$T/block"
chmod 0666 "$T/block"
write_conf "$T/conf" "admin_group = $(id -gn)" "blocklist = $T/block"
req "$T/sp" set_password user "$TARGET" password "$NEW"
hx_run "$T/sp"
check "a world-writable blocklist is refused: set-password fails (exit 11)" [ "$RC" = 11 ]
check "a world-writable blocklist: the message names it" said "$T/block"
check "a world-writable blocklist: nothing written" unchanged
chmod 0620 "$T/breached"
write_conf "$T/conf" "admin_group = $(id -gn)" "breached_list = $T/breached"
hx_run "$T/sp"
check "a group-writable breached list is refused (exit 11)" [ "$RC" = 11 ]
check "a group-writable breached list: nothing written" unchanged
chmod 0644 "$T/breached"

# ---- a breached list truncated under the reader ------------------------------------------
hx_run "$T/sp" LD_PRELOAD="$FAULTSHIM" PWR_TRUNCATE_AT_READ="$T/breached"
check "a list truncated during the lookup: no crash (exit $RC, not a signal)" [ "$RC" -lt 128 ]
check "a list truncated during the lookup: the change is refused (exit 11)" [ "$RC" = 11 ]
check "a list truncated during the lookup: nothing written" unchanged
check "the shim did truncate the list" [ ! -s "$T/breached" ]
make_list
hx_run "$T/sp"
check "with the list whole again, set-password works" [ "$RC" = 0 ]

finish
