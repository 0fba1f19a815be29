#!/bin/sh
# test-config-errors.sh - configuration errors, the helper's side: the ops a
# login runs through pwreset-helper (a screen locker cannot read the store
# itself) read the configuration as pam_pwreset does, so a typo in it never
# locks out an account outside the store, nor changes the answer for one in
# it; an unusable store setting still fails; the admin ops and pwreset
# status keep telling the administrator.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/hardening/hlib.sh"

PW=Tundra-Basil-Comet-5521
FILLERS=3
store_seed "inside:$PW"
said() { grep -q "$1" "$T/out"; }

write_conf "$T/conf" "min_lenght = 14" "hash_cost = 99"
req "$T/v-out" verify user "$ME" password "$PW"
hx_run "$T/v-out"
check "a typo: verify for an account outside the store answers 'no such account' (exit 4, was $RC)" [ "$RC" = 4 ]
req "$T/v-in" verify user inside password "$PW"
hx_run "$T/v-in"
if [ "$ME" = root ] || [ "$(id -u)" = 0 ]; then
    check "a typo: verify for an account in the store still checks its password" [ "$RC" = 0 ]
else
    check "a typo: verify of another account is refused as before (exit 3)" [ "$RC" = 3 ]
fi
req "$T/st" status
hx_run "$T/st"
check "a typo: status works (exit 0, was $RC)" [ "$RC" = 0 ]
check "a typo: status warns and names check-config" said "^warning .*run%20pwreset%20check-config"
req "$T/blk" block user inside
hx_run "$T/blk"
check "a typo: an admin op still refuses with the file's first problem (exit 11)" [ "$RC" = 11 ]
check "a typo: ... naming FILE:LINE" said "$T/conf:$(grep -n '^min_lenght' "$T/conf" | cut -d: -f1):"

write_conf "$T/conf" "store = relative/store"
hx_run "$T/v-out"
check "no usable store setting: verify fails (exit 11), never 'no such account'" [ "$RC" = 11 ]

finish
