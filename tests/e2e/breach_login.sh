#!/bin/sh
# tests/e2e/breach_login.sh - breach_check_at_login: a login with
# a correct password that is in the breached list succeeds, but is told why
# and flags the account at once (password_found_in_breach_list); the next
# login forces the change.  A password not in the list changes nothing.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need sha1sum sort

A_OLD='Blue-Harbour-7391'
A_NEW='Saffron-Kettle-6203'
B_PW='Copper-Lantern-2846'
world_account alice "Alice Liddell" "$A_OLD"
world_account bob "Bob Builder" "$B_PW"
world_sshd PasswordAuthentication no

# The list: alice's current password and an unrelated one, sorted.
{
    printf '%s' "$A_OLD" | sha1sum | cut -d' ' -f1 | tr a-f A-F | sed 's/$/:42/'
    printf '%s' 'Some-Other-Leaked-1' | sha1sum | cut -d' ' -f1 | tr a-f A-F | sed 's/$/:7/'
} | sort >"$W/breached.txt"
chmod 0644 "$W/breached.txt"
world_conf "breached_list=$W/breached.txt" breach_check_at_login=yes

audit_mark
kbd_login breached alice "$A_OLD"
expect_rc $? 0 "alice's login with a breached password"
saw "who=alice"
saw "Your password appears in a list of passwords exposed in data breaches"
audit_has event=password_found_in_breach_list user=alice result=flagged service=sshd
audit_has event=login_allowed user=alice reason=breach_flagged_now
store_is alice must_change=true
ok "a login with a breached password succeeds, says why, and flags the account"

audit_mark
kbd_login clean bob "$B_PW"
expect_rc $? 0 "bob's login"
not_saw "data breaches"
audit_none event=password_found_in_breach_list
store_is bob must_change=false
ok "a password not in the list changes nothing"

audit_mark
kbd_forced next alice "$A_OLD" "$A_NEW"
expect_rc $? 0 "alice's next login"
saw "You must choose a new one now."
audit_has event=password_reset_completed user=alice service=sshd
store_is alice must_change=false
store_hash_is alice "$A_NEW"
ok "the next login forces the change"
