#!/bin/sh
# tests/e2e/logout.sh - "pwreset logout USER" ends that user's live ssh
# session (and leaves other users' sessions alone).
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need pgrep

A_PW='Blue-Harbour-7391'
B_PW='Copper-Lantern-2846'
world_account alice "Alice Liddell" "$A_PW"
world_account bob "Bob Builder" "$B_PW"
world_sshd PasswordAuthentication no

ssh_live alice alice "$A_PW" &
ALICE=$!
ssh_live bob bob "$B_PW" &
BOB=$!
world_wait 300 session_ready alice || fail "alice's session did not start"
world_wait 300 session_ready bob || fail "bob's session did not start"
pgrep -u alice >/dev/null || fail "no process of alice is running"
ok "alice and bob are logged in over ssh"

audit_mark
admin_ok logout alice
world_wait 150 sh -c "! kill -0 $ALICE 2>/dev/null" || fail "alice's ssh session is still running"
wait $ALICE
rc=$?
T=$W/t/alice.out
[ "$rc" != 124 ] || fail "alice's session did not end"
saw "Connection to 127.0.0.1 closed"
world_wait 50 sh -c '! pgrep -u alice >/dev/null' || fail "alice still has processes: $(pgrep -a -u alice)"
audit_has event=sessions_revoked user=alice actor=root
store_is alice status=active login_allowed=true
ok "pwreset logout alice ended her ssh session and her processes"

kill -0 $BOB 2>/dev/null || fail "bob's session ended too"
pgrep -u bob >/dev/null || fail "bob's processes are gone"
ok "bob's session is untouched"

admin_ok logout bob
world_wait 150 sh -c "! kill -0 $BOB 2>/dev/null" || fail "bob's ssh session is still running"
wait $BOB
ok "pwreset logout bob ended his"
