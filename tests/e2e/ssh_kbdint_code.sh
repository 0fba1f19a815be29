#!/bin/sh
# tests/e2e/ssh_kbdint_code.sh - ssh with keyboard-interactive
# authentication and what an admin hands out: a reset code typed at the
# ordinary password prompt, a generated temporary password, and a setup
# code for a pending account; each leads to a new password chosen at once,
# and is dead afterwards.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"

A_OLD='Blue-Harbour-7391'
A_NEW='Saffron-Kettle-6203'
B_OLD='Copper-Lantern-2846'
B_NEW='Marble-Pelican-9415'
P_NEW='Juniper-Anchor-4127'
world_account alice "Alice Liddell" "$A_OLD"
world_account bob "Bob Builder" "$B_OLD"
world_user pat "Pat Newcomer"
world_sshd PasswordAuthentication no

# change NAME USER SECRET MESSAGE NEW: log in with SECRET, see MESSAGE, choose NEW.
change() {
    converse "$1" "$SSH_KBD" "$2@$HOST" 'echo who=$(id -un)' <<EOD
expect Password:
send $3
expect $4
expect New password:
send $5
expect Retype new password:
send $5
expect who=$2
EOD
}

# --- a reset code --------------------------------------------------------------
audit_mark
"$PWRESET" reset-code --json alice >"$W/code.json" || fail "pwreset reset-code failed"
CODE=$(json_get code <"$W/code.json")
[ -n "$CODE" ] && [ "$CODE" != null ] || fail "no code in $(cat "$W/code.json")"
audit_has event=reset_code_issued user=alice actor=root
store_is alice code_pending=true
kbd_login still alice "$A_OLD"
expect_rc $? 0 "alice's old password while a code is pending"
ok "pwreset reset-code issues a code; the old password keeps working meanwhile"

# Typed the way a person reads it off a note: upper case, spaces for dashes.
TYPED=$(printf '%s' "$CODE" | tr 'a-z-' 'A-Z ')
audit_mark
change code alice "$TYPED" "You signed in with a reset code: choose a new password now." "$A_NEW"
expect_rc $? 0 "alice's login with her reset code"
not_saw "Your password has been changed." # sshd would show it twice
audit_has event=login_allowed user=alice result=change_required reason=code method=code service=sshd
audit_has event=password_reset_completed user=alice
store_is alice code_pending=false must_change=false login_allowed=true
store_hash_is alice "$A_NEW"
ok "a reset code typed at the password prompt leads to a new password"

audit_mark
kbd_login code_again alice "$CODE"
expect_rc $? 255 "alice's second login with the same code"
kbd_login old alice "$A_OLD"
expect_rc $? 255 "alice's login with her old password"
kbd_login new alice "$A_NEW"
expect_rc $? 0 "alice's login with her new password"
audit_has event=login_denied user=alice reason=bad_credentials
ok "the code is dead after use, the old password too; the new one works"

# --- a generated temporary password ----------------------------------------------
audit_mark
"$PWRESET" temp-password --yes --json bob >"$W/temp.json" || fail "pwreset temp-password failed"
TEMP=$(json_get password <"$W/temp.json")
[ -n "$TEMP" ] && [ "$TEMP" != null ] || fail "no password in $(cat "$W/temp.json")"
audit_has event=password_set_by_admin user=bob temporary=yes actor=root
store_is bob temporary=true must_change=true
kbd_login bob_old bob "$B_OLD"
expect_rc $? 255 "bob's login with the password the admin replaced"
ok "pwreset temp-password replaces the password at once"

audit_mark
change temp bob "$TEMP" "You signed in with a temporary password: choose a new password now." "$B_NEW"
expect_rc $? 0 "bob's login with his temporary password"
audit_has event=login_allowed user=bob result=change_required reason=temporary method=temporary service=sshd
audit_has event=password_reset_completed user=bob
store_is bob temporary=false must_change=false login_allowed=true
store_hash_is bob "$B_NEW"
kbd_login temp_again bob "$TEMP"
expect_rc $? 255 "bob's login with the used temporary password"
kbd_login bob_new bob "$B_NEW"
expect_rc $? 0 "bob's login with his new password"
ok "a temporary password leads to a new password and is dead afterwards"

# --- a pending account and its setup code --------------------------------------------
audit_mark
"$PWRESET" enrol --pending --json pat >"$W/setup.json" || fail "pwreset enrol --pending failed"
SETUP=$(json_get code <"$W/setup.json")
[ -n "$SETUP" ] && [ "$SETUP" != null ] || fail "no setup code in $(cat "$W/setup.json")"
store_is pat status=pending
change setup pat "$SETUP" "Welcome. Choose the password for your new account now." "$P_NEW"
expect_rc $? 0 "pat's first login with the setup code"
store_is pat status=active code_pending=false login_allowed=true
kbd_login pat_new pat "$P_NEW"
expect_rc $? 0 "pat's login with the password he chose"
audit_has event=account_enrolled user=pat
audit_has event=login_allowed user=pat result=change_required reason=code
ok "a pending account is set up with its setup code at the first login"

no_secret_logged "$A_OLD" "$A_NEW" "$B_OLD" "$B_NEW" "$P_NEW" "$CODE" "$TEMP" "$SETUP"
ok "no password or code appears in syslog, the sshd log or the store"
