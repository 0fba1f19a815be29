#!/bin/sh
# tests/e2e/ssh_pubkey.sh - ssh with public keys: pam_pwreset's account
# stage runs for key logins too, so a blocked or deactivated user with a
# valid key is refused, while active users and users who are not in the
# store log in with their keys as before.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"

world_account alice "Alice Liddell" 'Blue-Harbour-7391'
world_account bob "Bob Builder" 'Copper-Lantern-2846'
world_account dora "Dora Explorer" 'Quiet-Meadow-5820'
world_user kim "Kim Keyonly"
ssh-keygen -q -t ed25519 -N '' -C e2e-client -f "$W/client/id" || fail "ssh-keygen failed"
for u in alice bob dora kim; do
    mkdir -p "$W/home/$u/.ssh"
    cp "$W/client/id.pub" "$W/home/$u/.ssh/authorized_keys"
    chown -R "$u:$u" "$W/home/$u/.ssh"
done
admin_ok block --reason "lost laptop" bob
admin_ok deactivate dora
world_sshd PasswordAuthentication no

audit_mark
key_login alice alice
expect_rc $? 0 "alice's key login"
saw "who=alice"
audit_has event=login_allowed user=alice result=success method=none service=sshd
ok "an active user in the store logs in with her key"

key_login kim kim
expect_rc $? 0 "kim's key login (not in the store)"
saw "who=kim"
audit_none user=kim
ok "a key-only user who is not in the store logs in as before"

audit_mark
key_login blocked bob
expect_rc $? 255 "bob's key login (blocked)"
not_saw "who=bob"
saw "Your account is blocked. Contact the e2e help desk."
audit_has event=login_denied user=bob reason=blocked result=failure service=sshd
grep -q "Access denied for user bob by PAM account configuration" "$W/sshd.log" ||
    fail "sshd did not log the refusal of bob's key by the PAM account stage"
store_is bob status=blocked login_allowed=false
ok "a blocked user with a valid key is refused, with the message"

audit_mark
key_login inactive dora
expect_rc $? 255 "dora's key login (deactivated)"
not_saw "who=dora"
saw "Your account is deactivated."
audit_has event=login_denied user=dora reason=inactive service=sshd
ok "a deactivated user with a valid key is refused"

admin_ok unblock bob
key_login unblocked bob
expect_rc $? 0 "bob's key login after pwreset unblock"
saw "who=bob"
store_is bob status=active login_allowed=true
ok "after pwreset unblock, his key works again"
