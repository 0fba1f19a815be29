#!/bin/sh
# tests/e2e/block_ends_sessions.sh - nothing lingers after a block:
# "pwreset block" ends the user's live ssh session and removes
# her sudo timestamp record (/run/sudo/ts/USER), audited; a symlink planted
# in her name is never followed; --keep-sessions leaves a session alone.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need pgrep

# The same two users and live sessions as logout.sh, on purpose: each
# scenario builds its own world, so either runs and fails alone.
A_PW='Blue-Harbour-7391'
B_PW='Copper-Lantern-2846'
world_account alice "Alice Liddell" "$A_PW"
world_account bob "Bob Builder" "$B_PW"
world_sshd PasswordAuthentication no

# sudo's timestamp records as sudo keeps them: root-owned 0700 directory.
mkdir -p /run/sudo/ts
chmod 0700 /run/sudo /run/sudo/ts
printf 'ticket' >/run/sudo/ts/alice
chmod 0600 /run/sudo/ts/alice
echo keep-me >"$W/victim"
ln -s "$W/victim" /run/sudo/ts/bob

ssh_live alice alice "$A_PW" &
ALICE=$!
ssh_live bob bob "$B_PW" &
BOB=$!
world_wait 300 session_ready alice || fail "alice's session did not start"
world_wait 300 session_ready bob || fail "bob's session did not start"
ok "alice and bob are logged in over ssh; alice holds a sudo ticket"

audit_mark
admin_ok block --reason "lost laptop" alice
world_wait 150 sh -c "! kill -0 $ALICE 2>/dev/null" || fail "alice's ssh session is still running"
wait $ALICE
world_wait 50 sh -c '! pgrep -u alice >/dev/null' || fail "alice still has processes: $(pgrep -a -u alice)"
[ ! -e /run/sudo/ts/alice ] || fail "alice's sudo timestamp record is still there"
audit_has event=account_blocked user=alice actor=root
audit_has event=sessions_revoked user=alice actor=root sudo_ts=removed
store_is alice status=blocked
ok "pwreset block ended alice's session and removed her sudo ticket, audited"

audit_mark
admin_ok block --keep-sessions bob
# the helper returns only after a sweep has ended what it signals
kill -0 $BOB 2>/dev/null || fail "bob's session ended despite --keep-sessions"
audit_none event=sessions_revoked user=bob
ok "block --keep-sessions leaves the session alone"

audit_mark
admin_ok deactivate bob
world_wait 150 sh -c "! kill -0 $BOB 2>/dev/null" || fail "bob's ssh session is still running"
wait $BOB
[ -L /run/sudo/ts/bob ] || fail "the symlink in bob's name was removed or replaced"
[ "$(cat "$W/victim")" = keep-me ] || fail "the symlink's target was touched"
audit_has event=sessions_revoked user=bob sudo_ts=failed
ok "deactivate ends bob's session; a symlink in his name is never followed"
