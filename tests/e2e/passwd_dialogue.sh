#!/bin/sh
# tests/e2e/passwd_dialogue.sh - a dialogue people understand:
# in a real passwd(1) run, the policy line comes before the first prompt,
# a rejected value gets every rule it breaks at once, and each failure gets
# a sentence of ours - never only passwd's "Authentication token
# manipulation error".
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need passwd setpriv

A_PW='Blue-Harbour-7391'
B_PW='Copper-Lantern-2846'
world_account alice "Alice Liddell" "$A_PW"
world_account bob "Bob Builder" "$B_PW"

audit_mark
as_user alice tries passwd <<EOD
expect Current password:
send $A_PW
expect Choose a password of at least 12 characters
expect New password:
send alice
expect Retype new password:
send alice
expect It must be at least 12 characters long.
expect New password:
send Liddell-Alice-1
expect Retype new password:
send Liddell-Alice-1
expect It must not contain
expect New password:
send Saffron-Kettle-6203
expect Retype new password:
send Saffron-Kettle-6204
expect The two passwords do not match.
EOD
rc=$?
[ "$rc" != 0 ] || fail "passwd succeeded without a valid new password"
saw "It must be at least 12 characters long."
saw "It must not contain a part of your name."
audit_has event=policy_rejected user=alice reason=too_short,contains_login,contains_name service=passwd
saw "No new password was set: too many tries. Your password is unchanged; run passwd to try again."
not_saw "Authentication token manipulation error"
store_hash_is alice "$A_PW"
ok "too many refused tries: every rule at once, then a sentence of ours"

admin_ok block --keep-sessions bob
audit_mark
as_user bob blocked passwd <<EOD
expect Your account is blocked.
EOD
rc=$?
[ "$rc" != 0 ] || fail "passwd succeeded for a blocked account"
not_saw "Authentication token manipulation error"
audit_has event=permission_denied user=bob reason=blocked service=passwd
ok "a blocked account running passwd is told why"
