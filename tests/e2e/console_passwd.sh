#!/bin/sh
# tests/e2e/console_passwd.sh - a user changes her own password with
# /usr/bin/passwd (set-uid root, PAM service "passwd") on a terminal: a
# wrong current password is refused; new passwords that break the policy
# are refused with every rule they break; one that meets it is stored.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need passwd setpriv

A_OLD='Blue-Harbour-7391'
A_NEW='Saffron-Kettle-6203'
world_account alice "Alice Liddell" "$A_OLD"

audit_mark
as_user alice wrong passwd <<EOD
expect Current password:
send Not-Her-Password-1234
expect The current password is not correct.
EOD
rc=$?
[ "$rc" != 0 ] || fail "passwd accepted a wrong current password"
audit_has event=password_change_rejected user=alice reason=bad_current_password service=passwd
store_hash_is alice "$A_OLD"
ok "passwd refuses a wrong current password"

audit_mark
as_user alice policy passwd <<EOD
expect Current password:
send $A_OLD
expect Choose a password of at least 12 characters
expect New password:
send short-pw
expect Retype new password:
send short-pw
expect It must be at least 12 characters long.
expect New password:
send Alice-Liddell-2024
expect Retype new password:
send Alice-Liddell-2024
expect It must not contain
expect New password:
send $A_NEW
expect Retype new password:
send $A_NEW
expect password updated successfully
EOD
expect_rc $? 0 "alice's passwd"
saw "Your password has been changed."
audit_has event=policy_rejected user=alice reason=too_short service=passwd
audit_has event=policy_rejected user=alice service=passwd reason=contains_login,contains_name
audit_has event=password_changed user=alice service=passwd
store_is alice must_change=false login_allowed=true
store_hash_is alice "$A_NEW"
ok "passwd refuses passwords that break the policy, saying why, then takes a good one"

no_secret_logged "$A_OLD" "$A_NEW" "Alice-Liddell-2024"
ok "no password appears in syslog or the store"
