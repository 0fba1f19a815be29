#!/bin/sh
# tests/e2e/console_login.sh - a console login (/bin/login, Debian package
# login, on a pseudo-terminal; PAM service "login") with a forced reset: the
# user chooses a new password before the shell starts; a blocked user is
# refused with the message.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need login

A_OLD='Blue-Harbour-7391'
A_NEW='Saffron-Kettle-6203'
B_PW='Copper-Lantern-2846'
world_account alice "Alice Liddell" "$A_OLD"
world_account bob "Bob Builder" "$B_PW"
admin_ok force-reset alice
admin_ok block bob

audit_mark
converse forced login alice <<EOD
$(forced_change "$A_OLD" "$A_NEW")
expect_re [\$#] \$
send echo who=\$(id -un) tty=\$(tty); exit
expect who=alice tty=/dev/pts/
eof
EOD
expect_rc $? 0 "alice's console login with a forced change"
saw "Your password has been changed."
audit_has event=login_allowed user=alice result=change_required reason=must_change service=login
audit_has event=password_reset_completed user=alice service=login
store_is alice must_change=false
store_hash_is alice "$A_NEW"
ok "login on a terminal makes a flagged user choose a new password before the shell"

audit_mark
converse again login alice <<EOD
expect Password:
send $A_NEW
expect_re [\$#] \$
send echo who=\$(id -un); exit
expect who=alice
eof
EOD
expect_rc $? 0 "alice's console login with her new password"
not_saw "New password"
audit_has event=login_allowed user=alice result=success service=login
ok "her new password works at the console"

audit_mark
converse blocked login bob <<EOD
expect Password:
send $B_PW
expect Your account is blocked.
eof
EOD
expect_rc $? 1 "bob's console login (blocked)"
not_saw "Last login"
audit_has event=login_denied user=bob reason=blocked service=login
ok "a blocked user is refused at the console with the message"

no_secret_logged "$A_OLD" "$A_NEW" "$B_PW"
ok "no password appears in syslog or the store"
