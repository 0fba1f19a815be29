#!/bin/sh
# tests/e2e/console_su.sh - "su - USER" typed by an ordinary user (su is
# set-uid root; PAM service "su-l"): the target's password from the store
# works, another does not, a blocked target is refused with the message;
# "su USER -c 'pwreset passwd'" (no controlling terminal) changes the
# password on the terminal it was given.  The forced change through su is
# console_su_forced.sh.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need su setpriv

A_OLD='Blue-Harbour-7391'
B_PW='Copper-Lantern-2846'
world_account alice "Alice Liddell" "$A_OLD"
world_account bob "Bob Builder" "$B_PW"
world_user carol "Carol Ordinary"
admin_ok block bob

audit_mark
as_user carol normal su - alice -c 'echo who=$(id -un)' <<EOD
expect Password:
send $A_OLD
expect who=alice
EOD
expect_rc $? 0 "carol's su - alice"
audit_has event=login_allowed user=alice result=success method=password service=su-l
store_is alice status=active must_change=false
as_user carol wrong su - alice -c 'echo who=$(id -un)' <<EOD
expect Password:
send Not-Her-Password-1234
expect Authentication failure
EOD
expect_rc $? 1 "carol's su - alice with a wrong password"
not_saw "who=alice"
audit_has event=login_denied user=alice reason=bad_credentials service=su-l
ok "su - USER by an ordinary user checks the target's password in the store"

audit_mark
as_user carol blocked su - bob -c 'echo who=$(id -un)' <<EOD
expect Password:
send $B_PW
expect Your account is blocked.
EOD
expect_rc $? 1 "carol's su - bob (blocked)"
not_saw "who=bob"
audit_has event=login_denied user=bob reason=blocked service=su-l
store_is bob status=blocked
ok "su to a blocked user is refused with the message"

# --- su USER -c CMD: util-linux su gives CMD no controlling terminal --------
# alice runs the installed CLI herself: where the install prefix lies under a
# directory only root may enter (make distcheck's, from a clone in a 0700
# home), she cannot reach it, and the step says so instead of failing; the
# normal build's run (prefix /usr/local) makes it.
A_NEW='Saffron-Kettle-6203'
if setpriv --reuid=alice --regid=alice --init-groups test -x "$PWRESET"; then
    audit_mark
    as_user carol selfpw su alice -c "$PWRESET passwd" <<EOD
expect Password:
send $A_OLD
expect Current password
send $A_OLD
expect New password:
send $A_NEW
expect Retype new password:
send $A_NEW
expect Password changed.
EOD
    expect_rc $? 0 "su alice -c 'pwreset passwd'"
    not_saw "no terminal to read the password from"
    audit_has event=password_changed user=alice actor=alice
    store_hash_is alice "$A_NEW"
    ok "pwreset passwd under su USER -c reads the terminal it was given, as passwd does"
else
    say "# skipped: alice cannot reach $PWRESET (a parent directory is closed to her)"
    A_NEW=$A_OLD
fi

no_secret_logged "$A_OLD" "$B_PW" "$A_NEW"
ok "no password appears in syslog or the store"
