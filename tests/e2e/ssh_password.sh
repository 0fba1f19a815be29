#!/bin/sh
# tests/e2e/ssh_password.sh - ssh with password authentication (not
# keyboard-interactive) and a forced reset: with a terminal, sshd runs
# /usr/bin/passwd, which goes through pam_pwreset's password stage and
# shows the admin's notice on the terminal before the change forgets it;
# without a terminal the login is refused with sshd's reason (the notice is
# kept).
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"

A_OLD='Blue-Harbour-7391'
A_NEW='Saffron-Kettle-6203'
C_OLD='Granite-Orchard-1958'
world_account alice "Alice Liddell" "$A_OLD"
world_account carl "Carl Sagan" "$C_OLD"
world_sshd PasswordAuthentication yes
admin_ok force-reset alice carl

# --- no terminal: refused, with the reason ---------------------------------------
audit_mark
converse notty "$SSH_PW" -T "carl@$HOST" 'echo who=$(id -un)' <<EOD
expect password:
send $C_OLD
expect Password change required but no TTY available.
EOD
expect_rc $? 1 "carl's password login without a terminal"
not_saw "who=carl"
audit_has event=login_allowed user=carl result=change_required reason=must_change service=sshd
store_is carl must_change=true notice_pending=force_reset
store_hash_is carl "$C_OLD"
ok "without a terminal, a forced change refuses the login with a clear reason"

# --- a terminal: sshd runs passwd ------------------------------------------------
audit_mark
converse tty "$SSH_PW" -t "alice@$HOST" <<EOD
expect password:
send $A_OLD
expect You must change your password now and login again!
expect A password change was required of you by root on
expect Current password:
send $A_OLD
expect New password:
send $A_NEW
expect Retype new password:
send $A_NEW
expect password updated successfully
EOD
expect_rc $? 0 "alice's password login with a terminal"
saw "Your administrator requires you to choose a new password."
saw "Choose a password of at least 12 characters"
audit_has event=login_allowed user=alice result=change_required reason=must_change service=sshd
audit_has event=password_reset_completed user=alice service=passwd
store_is alice must_change=false login_allowed=true
store_hash_is alice "$A_NEW"
ok "with a terminal, the forced change runs through /usr/bin/passwd"

audit_mark
converse again "$SSH_PW" "alice@$HOST" 'echo who=$(id -un)' <<EOD
expect password:
send $A_NEW
expect who=alice
EOD
expect_rc $? 0 "alice's login with her new password"
not_saw "expired"
not_saw "A password change was required of you"
converse old "$SSH_PW" "alice@$HOST" 'echo who=$(id -un)' <<EOD
expect password:
send $A_OLD
expect Permission denied
EOD
expect_rc $? 255 "alice's login with her old password"
audit_has event=login_allowed user=alice result=success method=password
ok "the new password works over password authentication, the old one no longer does"

no_secret_logged "$A_OLD" "$A_NEW" "$C_OLD"
ok "no password appears in syslog, the sshd log or the store"
