#!/bin/sh
# test-legacy-hash.sh - hashes imported from /etc/shadow whose method reads
# only a prefix of a password: import flags them
# must_change and says so; the helper's login check refuses a typed
# password longer than the method reads ("password1XXXXXXXXX" against a
# descrypt "password"), and still accepts the password itself.
# SPDX-License-Identifier: BSD-3-Clause
#
# The build-tree helper runs without privilege (hlib.sh).  Fixed hashes:
# abJnggxhB/yWI is crypt("password", "ab") (descrypt, 8 bytes read); the
# $2b$05$ hash is bcrypt of 72 times "a" (72 bytes read).
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/hardening/hlib.sh"

DES=abJnggxhB/yWI
BCRYPT='$2b$05$abcdefghijklmnopqrstuuGUnCqbfgs3htOkLrFduUjAyLBw1Rq/u'
A72=$(printf '%072d' 0 | tr 0 a)
PW=Lantern-Pebble-Quartz-6612

write_conf "$T/conf" "admin_group = $(id -gn)"
pick_target
[ -n "$TARGET" ] || skip_all "no ordinary system account to manage"
if [ "$TARGET" = "$ME" ]; then store_seed "$ME:$PW"; else store_seed "$ME:$PW" "$TARGET:$PW"; fi

cli() {
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- "$PWRESET" --helper "$HELPER" \
        --config "$T/conf" "$@" </dev/null >"$T/out" 2>"$T/err"
    RC=$?
}

# ---- import ---------------------------------------------------------------
printf '%s:%s:19000:0:99999:7:::\n' "$TARGET" "$DES" >"$T/shadow"
chmod 600 "$T/shadow"
cli import --shadow "$T/shadow" "$TARGET"
check "import of a descrypt hash succeeds" [ "$RC" = 0 ]
check "... flags the account must_change" \
    grep -q "^$TARGET .*flags=[^ ]*must_change" "$T/state/store"
check "... and says so, and why" \
    grep -q "$TARGET: .*must_change: descrypt reads only the first 8 bytes" "$T/out"
[ "$RC" = 0 ] || sed 's/^/#   /' "$T/out" "$T/err"

printf '%s:%s:19000:0:99999:7:::\n' "$TARGET" "$BCRYPT" >"$T/shadow"
cli import --shadow "$T/shadow" "$TARGET"
check "refreshing it with a bcrypt hash says must_change and why" \
    sh -c "[ $RC = 0 ] && grep -q '$TARGET: .*must_change: bcrypt reads only the first 72 bytes' '$T/out'"

printf '%s:%s:19000:0:99999:7:::\n' "$TARGET" "$(hash_of "$PW")" >"$T/shadow"
cli import --shadow "$T/shadow" "$TARGET"
check "a yescrypt hash is refreshed without a must_change note" \
    sh -c "[ $RC = 0 ] && ! grep -q 'must_change:' '$T/out'"

# ---- the login check --------------------------------------------------------
store_seed "$ME:$PW"
verify_as() { # HASH PASSWORD: the test user's hash replaced, then verify
    sed "/^$ME /s| hash=[^ ]*| hash=$1|" "$T/state/store" >"$T/store.new"
    cat "$T/store.new" >"$T/state/store"
    req "$T/req" verify user "$ME" password "$2"
    hx_run "$T/req"
}
verify_as "$DES" password1XXXXXXXXX
check "descrypt: a typed password longer than 8 bytes is refused" \
    sh -c "[ $RC = 8 ] && grep -q 'event=auth_failed .*reason=wrong_password' '$T/ev'"
verify_as "$DES" password
check "... the 8 bytes the hash holds are accepted" [ "$RC" = 0 ]
verify_as "$BCRYPT" "${A72}zzz"
check "bcrypt: a typed password longer than 72 bytes is refused" [ "$RC" = 8 ]
verify_as "$BCRYPT" "$A72"
check "... the 72 bytes the hash holds are accepted" [ "$RC" = 0 ]
check "the store is still valid" store_valid
finish
