#!/bin/sh
# tests/e2e/console_su_forced.sh - "su - USER" typed by an ordinary user
# when the target is flagged for a forced reset: su (set-uid root, real uid
# the caller's) runs the password stage, and the target must choose a new
# password before the shell starts; afterwards the new password works and
# the old one does not.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need su setpriv

A_OLD='Blue-Harbour-7391'
A_NEW='Saffron-Kettle-6203'
world_account alice "Alice Liddell" "$A_OLD"
world_user carol "Carol Ordinary"
admin_ok force-reset alice

audit_mark
as_user carol forced su - alice -c 'echo who=$(id -un)' <<EOD
$(forced_change "$A_OLD" "$A_NEW")
expect who=alice
EOD
expect_rc $? 0 "carol's su - alice with a forced change"
saw "Your password has been changed."
audit_has event=login_allowed user=alice result=change_required reason=must_change service=su-l
audit_has event=password_reset_completed user=alice service=su-l
store_is alice must_change=false
store_hash_is alice "$A_NEW"
ok "su - USER by an ordinary user makes a flagged target choose a new password"

audit_mark
as_user carol again su - alice -c 'echo who=$(id -un)' <<EOD
expect Password:
send $A_NEW
expect who=alice
EOD
expect_rc $? 0 "carol's su - alice with the new password"
not_saw "New password"
as_user carol old su - alice -c 'echo who=$(id -un)' <<EOD
expect Password:
send $A_OLD
expect Authentication failure
EOD
expect_rc $? 1 "carol's su - alice with the old password"
ok "the new password works for su, the old one no longer does"

no_secret_logged "$A_OLD" "$A_NEW"
ok "no password appears in syslog or the store"
