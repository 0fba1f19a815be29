#!/bin/sh
# tests/e2e/ssh_kbdint_forced.sh - ssh with keyboard-interactive
# authentication and a forced reset (pwreset force-reset): the user is made
# to choose a new password before the session starts, in an interactive
# session and for "ssh host command" without a terminal; afterwards the new
# password works and the old one no longer does.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"

A_OLD='Blue-Harbour-7391'
A_NEW='Saffron-Kettle-6203'
C_OLD='Granite-Orchard-1958'
C_NEW='Velvet-Compass-3372'
world_account alice "Alice Liddell" "$A_OLD"
world_account carl "Carl Sagan" "$C_OLD"
world_sshd PasswordAuthentication no

# --- the admin forces a reset --------------------------------------------------
audit_mark
admin_ok force-reset alice carl
audit_has event=force_password_reset_set user=alice actor=root
audit_has event=force_password_reset_set user=carl actor=root
store_is alice must_change=true login_allowed=true
ok "pwreset force-reset flags both users"

# --- an interactive login: made to change first, then the shell -------------
audit_mark
converse forced "$SSH_KBD" -t "alice@$HOST" <<EOD
$(forced_change "$A_OLD" "$A_NEW")
expect_re [\$#] \$
send echo who=\$(id -un); exit
expect who=alice
eof
EOD
expect_rc $? 0 "alice's forced change over ssh"
saw "Choose a password of at least 12 characters"
# sshd shows what follows the last answer twice (a banner, then again at
# the session start): the module says nothing there, the shell is the
# confirmation, never two of them
not_saw "Your password has been changed."
audit_has event=login_allowed user=alice result=change_required reason=must_change service=sshd
audit_has event=password_reset_completed user=alice service=sshd
store_is alice must_change=false login_allowed=true
store_hash_is alice "$A_NEW"
ok "a flagged user is made to choose a new password before her shell starts"

audit_mark
kbd_login new alice "$A_NEW"
expect_rc $? 0 "alice's login with her new password"
saw "who=alice"
not_saw "New password"
kbd_login old alice "$A_OLD"
expect_rc $? 255 "alice's login with her old password"
not_saw "who=alice"
audit_has event=login_allowed user=alice result=success method=password
audit_has event=login_denied user=alice reason=bad_credentials
ok "her new password works, the old one no longer does"

# --- ssh host command, no terminal: the change happens inside authentication --
audit_mark
converse cmd "$SSH_KBD" "carl@$HOST" 'echo who=$(id -un) tty=$(tty)' <<EOD
$(forced_change "$C_OLD" "$C_NEW")
expect who=carl tty=not a tty
EOD
expect_rc $? 0 "carl's forced change with ssh host command"
not_saw "Your password has been changed."
audit_has event=login_allowed user=carl result=change_required reason=must_change
audit_has event=password_reset_completed user=carl
store_is carl must_change=false
kbd_login cnew carl "$C_NEW"
expect_rc $? 0 "carl's login with his new password"
kbd_login cold carl "$C_OLD"
expect_rc $? 255 "carl's login with his old password"
ok "ssh host command: the forced change happens over keyboard-interactive, no terminal needed"

no_secret_logged "$A_OLD" "$A_NEW" "$C_OLD" "$C_NEW"
ok "no password appears in syslog, the sshd log or the store"
