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

cli_workdir pwrtty
whoami_or_skip
TARGET=$(ordinary_accounts | head -n 1)
[ -n "$TARGET" ] || skip_all "no ordinary system account to act on"
cli_conf_defaults
write_conf "$T/conf"
PW_OLD=Lilac-Furnace-Tundra-4410
PW_NEW=Quartz-Meridian-Fable-2275
PW_ADMIN=Cobalt-Ember-Willow-9036
printf 'pwreset-store 1\n%s status=active hash=%s changed=1\nend 1\n' \
    "$ME" "$(printf '%s\n' "$PW_OLD" | "$MKHASH" password 1)" >"$T/store"
chmod 600 "$T/store"
"$SINK" "$T/log" "$T/ev.raw" -- "$PWRESET" --config "$T/conf" enrol "$TARGET" >/dev/null ||
    hard_error "enrol $TARGET"

# xrun NAME COMMAND... <<STEPS: an expect(1) script $T/NAME.exp that spawns
# COMMAND, plays STEPS and exits with COMMAND's status, run under the audit
# sink; RC, $T/out (the terminal) and $T/ev (the events) as run() leaves them.
xrun() {
    _n=$1
    shift
    {
        echo "set timeout 20"
        echo "spawn $*"
        cat
        echo "expect eof"
        echo "catch wait result"
        echo "exit [lindex \$result 3]"
    } >"$T/$_n.exp"
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- expect "$T/$_n.exp" >"$T/out" 2>&1
    RC=$?
    sed -n 's/^.*pwreset\[[0-9]*\]: //p' "$T/ev.raw" >"$T/ev"
}

xrun set $PWRESET --config $T/conf set-password $TARGET <<EOF
expect "login: $TARGET" { } timeout { exit 101 }
expect "uid:" { } timeout { exit 102 }
expect "Type yes to continue: " { send "yes\r" } timeout { exit 103 }
expect "New password for $TARGET: " { send "$PW_ADMIN\r" } timeout { exit 104 }
expect "Retype the new password: " { send "$PW_ADMIN\r" } timeout { exit 105 }
expect "password of '$TARGET' set" { } timeout { exit 106 }
EOF
expect "set-password: confirm, then the password twice" 0 "password_set_by_admin"
check "... the target is named before the question" grep -q "login: $TARGET" "$T/out"
check "... the password is never echoed" sh -c "! grep -qF '$PW_ADMIN' '$T/out'"

cp "$T/store" "$T/store.before"
xrun mismatch $PWRESET --config $T/conf set-password $TARGET <<EOF
expect "Type yes to continue: " { send "yes\r" } timeout { exit 101 }
expect "New password for $TARGET: " { send "$PW_ADMIN\r" } timeout { exit 102 }
expect "Retype the new password: " { send "$PW_ADMIN-typo\r" } timeout { exit 103 }
expect "the two entries differ" { } timeout { exit 104 }
EOF
expect "set-password: two different entries are refused" 2 ""
check "... and the store is unchanged" cmp -s "$T/store" "$T/store.before"

# The target's own login name in the password: the admin is told about
# "the account's login name", not "your login name", and asked again.
xrun retry $PWRESET --config $T/conf set-password $TARGET <<EOF
expect "Type yes to continue: " { send "yes\r" } timeout { exit 101 }
expect "New password for $TARGET: " { send "$TARGET-Velvet-Harbor-3391\r" } timeout { exit 102 }
expect "Retype the new password: " { send "$TARGET-Velvet-Harbor-3391\r" } timeout { exit 103 }
expect "the account's login name" { } "your login name" { exit 104 } timeout { exit 105 }
expect "New password for $TARGET: " { send "$PW_ADMIN-2\r" } timeout { exit 106 }
expect "Retype the new password: " { send "$PW_ADMIN-2\r" } timeout { exit 107 }
expect "password of '$TARGET' set" { } timeout { exit 108 }
EOF
expect "set-password: a rejected password is explained to the admin and asked again" 0 \
    "policy_rejected password_set_by_admin"
check "... and the policy speaks of the account, not of the admin" \
    sh -c "! grep -q 'your login name' '$T/out'"
cp "$T/store" "$T/store.before"

xrun decline $PWRESET --config $T/conf delete $TARGET <<EOF
expect "Type yes to continue: " { send "no\r" } timeout { exit 101 }
expect "cancelled" { } timeout { exit 102 }
EOF
expect "delete: anything but yes cancels" 9 ""
check "... and the store is unchanged" cmp -s "$T/store" "$T/store.before"

xrun passwd $PWRESET --config $T/conf passwd <<EOF
expect "Current password" { send "$PW_OLD\r" } timeout { exit 101 }
expect "New password: " { send "tiny7\r" } timeout { exit 102 }
expect "Retype new password: " { send "tiny7\r" } timeout { exit 103 }
expect "password rejected" { } timeout { exit 104 }
expect "New password: " { send "$PW_NEW\r" } timeout { exit 105 }
expect "Retype new password: " { send "$PW_NEW\r" } timeout { exit 106 }
expect "Password changed." { } timeout { exit 107 }
EOF
expect "passwd: a rejected password is explained and asked again" 0 \
    "policy_rejected password_changed"
check "... no password is echoed" \
    sh -c "! grep -qF -e '$PW_OLD' -e '$PW_NEW' -e tiny7 '$T/out'"

# "su USER -c 'pwreset passwd'": util-linux su runs the command in a new
# session with no controlling terminal (setsid here does the same), its
# standard input still the terminal.  Read from it, as getpass(3) does.
PW_3=Harbor-Violet-Cinder-5182
if command -v setsid >/dev/null 2>&1; then
    xrun noctty setsid -w $PWRESET --config $T/conf passwd <<EOF
expect "Current password" { send "$PW_NEW\r" } timeout { exit 101 }
expect "New password: " { send "$PW_3\r" } timeout { exit 102 }
expect "Retype new password: " { send "$PW_3\r" } timeout { exit 103 }
expect "Password changed." { } timeout { exit 104 }
EOF
    expect "passwd with no controlling terminal reads the terminal on stdin" 0 \
        "password_changed"
    check "... no password is echoed" \
        sh -c "! grep -qF -e '$PW_NEW' -e '$PW_3' '$T/out'"
    cp "$T/store" "$T/store.before"
    xrun noctty-confirm setsid -w $PWRESET --config $T/conf delete $TARGET <<EOF
expect "Type yes to continue: " { send "no\r" } timeout { exit 101 }
expect "cancelled" { } timeout { exit 102 }
EOF
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
