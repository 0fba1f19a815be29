#!/bin/sh
# tests/e2e/ssh_grace.sh - grace_logins: a flagged user whose key
# login cannot change anything (sftp, scp, "ssh host cmd") still gets in
# grace_logins times, told each time what to run; after that she is refused
# with how to change.  A keyboard-interactive login still changes at once,
# and a key-only user (no password at all) sets her first one through the
# passwd that sshd runs on a terminal, without a "current password".
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need sftp scp

A_PW='Blue-Harbour-7391'
B_OLD='Copper-Lantern-2846'
B_NEW='Saffron-Kettle-6203'
K_NEW='Velvet-Compass-3372'
world_account alice "Alice Liddell" "$A_PW"
world_account bob "Bob Builder" "$B_OLD"
world_user kim "Kim Keyonly"
admin_ok enrol kim
ssh-keygen -q -t ed25519 -N '' -C e2e-client -f "$W/client/id" || fail "ssh-keygen failed"
for u in alice kim; do
    mkdir -p "$W/home/$u/.ssh"
    cp "$W/client/id.pub" "$W/home/$u/.ssh/authorized_keys"
    chown -R "$u:$u" "$W/home/$u"
done
world_conf grace_logins=3
world_sshd PasswordAuthentication no
admin_ok force-reset alice bob kim
echo "payload-$$" >"$W/client/payload"
printf 'put %s sftp-copy\n' "$W/client/payload" >"$W/client/batch"

# --- three grace logins: a command, sftp, scp ---------------------------------
audit_mark
converse cmd "$SSH_KEY" -i "$W/client/id" "alice@$HOST" 'echo who=$(id -un)' </dev/null
expect_rc $? 0 "alice's key login with a command (grace 1)"
saw "who=alice"
saw "Your password must be changed: run passwd now. 2 logins left before you are refused."
audit_has event=grace_login_used user=alice remaining=2 service=sshd
audit_has event=login_allowed user=alice reason=grace_login service=sshd
store_is alice must_change=true
ok "ssh host cmd: a flagged user with grace logins left gets in and is told"

audit_mark
converse sftp sftp -S "$SSH_KEY" -i "$W/client/id" -b "$W/client/batch" "alice@$HOST" </dev/null
expect_rc $? 0 "alice's sftp (grace 2)"
saw "1 login left before you are refused."
[ -f "$W/home/alice/sftp-copy" ] || fail "sftp did not upload the file"
audit_has event=grace_login_used user=alice remaining=1 service=sshd
ok "sftp: the transfer works, with the notice"

audit_mark
converse scp scp -S "$SSH_KEY" -i "$W/client/id" "$W/client/payload" "alice@$HOST:scp-copy" </dev/null
expect_rc $? 0 "alice's scp (grace 3)"
[ -f "$W/home/alice/scp-copy" ] || fail "scp did not copy the file"
audit_has event=grace_login_used user=alice remaining=0 service=sshd
ok "scp: the copy works, and the last grace login is spent"

# --- none left: refused, told how to change ----------------------------------
audit_mark
converse refused "$SSH_KEY" -i "$W/client/id" "alice@$HOST" 'echo who=$(id -un)' </dev/null
rc=$?
[ "$rc" != 0 ] || fail "alice got in with no grace login left"
not_saw "who=alice"
saw "no grace logins are left. Log in interactively to change it (ssh -t, or a console), or ask the e2e help desk."
audit_has event=login_allowed user=alice result=change_required reason=grace_exhausted
audit_none event=grace_login_used user=alice
ok "with no grace login left, ssh host cmd is refused with how to change"

# --- keyboard-interactive still changes at once --------------------------------
audit_mark
kbd_forced kbd bob "$B_OLD" "$B_NEW"
expect_rc $? 0 "bob's keyboard-interactive forced change"
not_saw "logins left"
audit_none event=grace_login_used user=bob
audit_has event=password_reset_completed user=bob service=sshd
store_is bob must_change=false
store_hash_is bob "$B_NEW"
ok "a keyboard-interactive login still changes at once, spending no grace"

# --- a key-only user sets her first password through sshd's passwd ----------
store_is kim must_change=true
admin_ok force-reset --clear kim
world_conf grace_logins=0
admin_ok force-reset kim
audit_mark
converse keyonly "$SSH_KEY" -t -i "$W/client/id" "kim@$HOST" <<EOD
expect Your account has no password yet
expect New password:
send $K_NEW
expect Retype new password:
send $K_NEW
expect password updated successfully
EOD
rc=$?
[ "$rc" != 124 ] && [ "$rc" != 125 ] || fail "kim's first-password dialogue failed ($rc)"
not_saw "Current password"
store_is kim must_change=false
store_hash_is kim "$K_NEW"
audit_has event=password_reset_completed user=kim service=passwd
ok "a flagged key-only user sets a first password without a current one"
