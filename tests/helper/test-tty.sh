#!/bin/sh
# test-tty.sh - the terminal side of pwreset, driven through a real
# pseudo-terminal by expect(1): passwords are read twice without echo, the
# confirmation names the target and "no" cancels, "pwreset passwd" explains
# a policy rejection and asks again.  Skipped (77) without expect.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

command -v expect >/dev/null 2>&1 || skip_all "no expect"
as_nobody "$here/test-tty.sh"

PWRESET=$top_builddir/cli/pwreset
PWRESET_HELPER=$top_builddir/helper/pwreset-helper
SINK=$top_builddir/tests/helper/audit_sink
MKHASH=$top_builddir/tests/helper/mkhash
export PWRESET_HELPER
T=$(mktemp -d "${TMPDIR:-/tmp}/pwrtty.XXXXXX") || hard_error "mktemp"
trap 'rm -rf "$T"' EXIT INT TERM
chmod 700 "$T"

ME=$(id -un)
MYGROUP=$(id -gn)
TARGET=
for u in daemon bin sys games man lp mail news; do
    getent passwd "$u" >/dev/null 2>&1 || continue
    id -Gn "$u" | tr ' ' '\n' | grep -qx "$MYGROUP" && continue
    TARGET=$u
    break
done
[ -n "$TARGET" ] || skip_all "no ordinary system account to act on"
cat >"$T/conf" <<EOF
store = $T/store
audit_socket = $T/log
admin_group = $MYGROUP
fail_delay = 0
hash_cost = 1
$(ordinary_login_defs)
EOF
PW_OLD=Lilac-Furnace-Tundra-4410
PW_NEW=Quartz-Meridian-Fable-2275
PW_ADMIN=Cobalt-Ember-Willow-9036
printf 'pwreset-store 1\n%s status=active hash=%s changed=1\nend 1\n' \
    "$ME" "$(printf '%s\n' "$PW_OLD" | "$MKHASH" password 1)" >"$T/store"
chmod 600 "$T/store"
"$SINK" "$T/log" "$T/ev.raw" -- "$PWRESET" --config "$T/conf" enrol "$TARGET" >/dev/null ||
    hard_error "enrol $TARGET"

# xrun NAME: run the expect script $T/NAME.exp under the audit sink.
xrun() {
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- expect "$T/$1.exp" >"$T/out" 2>&1
    RC=$?
    sed -n 's/^.*pwreset\[[0-9]*\]: //p' "$T/ev.raw" >"$T/ev"
}

cat >"$T/set.exp" <<EOF
set timeout 20
spawn $PWRESET --config $T/conf set-password $TARGET
expect "login: $TARGET" { } timeout { exit 101 }
expect "uid:" { } timeout { exit 102 }
expect "Type yes to continue: " { send "yes\r" } timeout { exit 103 }
expect "New password for $TARGET: " { send "$PW_ADMIN\r" } timeout { exit 104 }
expect "Retype the new password: " { send "$PW_ADMIN\r" } timeout { exit 105 }
expect "password of '$TARGET' set" { } timeout { exit 106 }
expect eof
catch wait result
exit [lindex \$result 3]
EOF
xrun set
expect "set-password: confirm, then the password twice" 0 "password_set_by_admin"
check "... the target is named before the question" grep -q "login: $TARGET" "$T/out"
check "... the password is never echoed" sh -c "! grep -qF '$PW_ADMIN' '$T/out'"

cat >"$T/mismatch.exp" <<EOF
set timeout 20
spawn $PWRESET --config $T/conf set-password $TARGET
expect "Type yes to continue: " { send "yes\r" } timeout { exit 101 }
expect "New password for $TARGET: " { send "$PW_ADMIN\r" } timeout { exit 102 }
expect "Retype the new password: " { send "$PW_ADMIN-typo\r" } timeout { exit 103 }
expect "the two entries differ" { } timeout { exit 104 }
expect eof
catch wait result
exit [lindex \$result 3]
EOF
cp "$T/store" "$T/store.before"
xrun mismatch
expect "set-password: two different entries are refused" 2 ""
check "... and the store is unchanged" cmp -s "$T/store" "$T/store.before"

# The target's own login name in the password: the admin is told about
# "the account's login name", not "your login name", and asked again.
cat >"$T/retry.exp" <<EOF
set timeout 20
spawn $PWRESET --config $T/conf set-password $TARGET
expect "Type yes to continue: " { send "yes\r" } timeout { exit 101 }
expect "New password for $TARGET: " { send "$TARGET-Velvet-Harbor-3391\r" } timeout { exit 102 }
expect "Retype the new password: " { send "$TARGET-Velvet-Harbor-3391\r" } timeout { exit 103 }
expect "the account's login name" { } "your login name" { exit 104 } timeout { exit 105 }
expect "New password for $TARGET: " { send "$PW_ADMIN-2\r" } timeout { exit 106 }
expect "Retype the new password: " { send "$PW_ADMIN-2\r" } timeout { exit 107 }
expect "password of '$TARGET' set" { } timeout { exit 108 }
expect eof
catch wait result
exit [lindex \$result 3]
EOF
xrun retry
expect "set-password: a rejected password is explained to the admin and asked again" 0 \
    "policy_rejected password_set_by_admin"
check "... and the policy speaks of the account, not of the admin" \
    sh -c "! grep -q 'your login name' '$T/out'"
cp "$T/store" "$T/store.before"

cat >"$T/decline.exp" <<EOF
set timeout 20
spawn $PWRESET --config $T/conf delete $TARGET
expect "Type yes to continue: " { send "no\r" } timeout { exit 101 }
expect "cancelled" { } timeout { exit 102 }
expect eof
catch wait result
exit [lindex \$result 3]
EOF
xrun decline
expect "delete: anything but yes cancels" 9 ""
check "... and the store is unchanged" cmp -s "$T/store" "$T/store.before"

cat >"$T/passwd.exp" <<EOF
set timeout 20
spawn $PWRESET --config $T/conf passwd
expect "Current password" { send "$PW_OLD\r" } timeout { exit 101 }
expect "New password: " { send "tiny7\r" } timeout { exit 102 }
expect "Retype new password: " { send "tiny7\r" } timeout { exit 103 }
expect "password rejected" { } timeout { exit 104 }
expect "New password: " { send "$PW_NEW\r" } timeout { exit 105 }
expect "Retype new password: " { send "$PW_NEW\r" } timeout { exit 106 }
expect "Password changed." { } timeout { exit 107 }
expect eof
catch wait result
exit [lindex \$result 3]
EOF
xrun passwd
expect "passwd: a rejected password is explained and asked again" 0 \
    "policy_rejected password_changed"
check "... no password is echoed" \
    sh -c "! grep -qF -e '$PW_OLD' -e '$PW_NEW' -e tiny7 '$T/out'"

# "su USER -c 'pwreset passwd'": util-linux su runs the command in a new
# session with no controlling terminal (setsid here does the same), its
# standard input still the terminal.  Read from it, as getpass(3) does.
PW_3=Harbor-Violet-Cinder-5182
if command -v setsid >/dev/null 2>&1; then
    cat >"$T/noctty.exp" <<EOF
set timeout 20
spawn setsid -w $PWRESET --config $T/conf passwd
expect "Current password" { send "$PW_NEW\r" } timeout { exit 101 }
expect "New password: " { send "$PW_3\r" } timeout { exit 102 }
expect "Retype new password: " { send "$PW_3\r" } timeout { exit 103 }
expect "Password changed." { } timeout { exit 104 }
expect eof
catch wait result
exit [lindex \$result 3]
EOF
    xrun noctty
    expect "passwd with no controlling terminal reads the terminal on stdin" 0 \
        "password_changed"
    check "... no password is echoed" \
        sh -c "! grep -qF -e '$PW_NEW' -e '$PW_3' '$T/out'"
    cat >"$T/noctty-confirm.exp" <<EOF
set timeout 20
spawn setsid -w $PWRESET --config $T/conf delete $TARGET
expect "Type yes to continue: " { send "no\r" } timeout { exit 101 }
expect "cancelled" { } timeout { exit 102 }
expect eof
catch wait result
exit [lindex \$result 3]
EOF
    cp "$T/store" "$T/store.before"
    xrun noctty-confirm
    expect "... and so does the confirmation" 9 ""
    check "... which still cancels on anything but yes" \
        cmp -s "$T/store" "$T/store.before"
    setsid -w "$PWRESET" --config "$T/conf" passwd </dev/null >"$T/out" 2>&1
    RC=$?
    check "with neither a terminal nor --stdin, passwd says so (status 2)" \
        sh -c "[ $RC = 2 ] && grep -q 'no terminal to read the password from' '$T/out'"
else
    echo "# no setsid: the no-controlling-terminal cases are not run"
fi

finish
