#!/bin/sh
# tests/e2e/ssh_kbdint_basic.sh - ssh with keyboard-interactive
# authentication: a normal login, a wrong password, a user who is not in the
# store falling through to pam_unix, blocked and deactivated users refused
# with their message (only after the right password), and the configured
# failure delay.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"

A_PW='Blue-Harbour-7391'
B_PW='Copper-Lantern-2846'
D_PW='Quiet-Meadow-5820'
U_PW='Unix-Only-Pass-4471'
world_account alice "Alice Liddell" "$A_PW"
world_account bob "Bob Builder" "$B_PW"
world_account dora "Dora Explorer" "$D_PW"
world_user uma "Uma Unix"
world_unix_password uma "$U_PW"
admin_ok block --reason "security hold" bob
admin_ok deactivate --reason "seasonal" dora
world_sshd PasswordAuthentication no

# --- a normal login ---------------------------------------------------------
audit_mark
kbd_login normal alice "$A_PW"
expect_rc $? 0 "alice's login"
saw "who=alice"
not_saw "new password"
audit_has event=login_allowed user=alice result=success method=password service=sshd rhost=127.0.0.1
store_is alice status=active must_change=false login_allowed=true
ok "an active user logs in with her password over keyboard-interactive"

# --- a wrong password -----------------------------------------------------
audit_mark
kbd_login wrong alice "Not-Her-Password-1234"
expect_rc $? 255 "alice's login with a wrong password"
saw "Permission denied"
not_saw "who=alice"
audit_has event=login_denied user=alice reason=bad_credentials result=failure service=sshd
audit_none event=login_allowed user=alice
ok "a wrong password is refused"

# --- not in the store: pam_unix decides, as before ---------------------------
audit_mark
kbd_login unix uma "$U_PW"
expect_rc $? 0 "uma's login (not in the store)"
saw "who=uma"
audit_none user=uma
kbd_login unix_wrong uma "$A_PW"
expect_rc $? 255 "uma's login with alice's password"
ok "a user who is not in the store is left to pam_unix"

# --- blocked: refused with the message, after the right password only --------
audit_mark
kbd_login blocked bob "$B_PW"
expect_rc $? 255 "bob's login (blocked)"
saw "Your account is blocked. Contact the e2e help desk."
not_saw "who=bob"
audit_has event=login_denied user=bob reason=blocked result=failure service=sshd rhost=127.0.0.1
kbd_login blocked_wrong bob "Wrong-Guess-For-Bob-11"
expect_rc $? 255 "bob's login with a wrong password"
not_saw "blocked"
audit_has event=login_denied user=bob reason=bad_credentials
store_is bob status=blocked login_allowed=false reason=blocked
ok "a blocked user is refused with his message, shown only after the right password"

# --- deactivated --------------------------------------------------------------
audit_mark
kbd_login inactive dora "$D_PW"
expect_rc $? 255 "dora's login (deactivated)"
saw "Your account is deactivated. Contact the e2e help desk."
not_saw "who=dora"
audit_has event=login_denied user=dora reason=inactive result=failure service=sshd
store_is dora status=inactive login_allowed=false
ok "a deactivated user is refused with her message"

# --- the failure delay is the configured one ------------------------------------
# Read as the waits sshd's processes ask the kernel for (strace on sshd),
# never off a clock: Linux-PAM waits a random 50% to 150% of the delay
# pam_fail_delay was given, and only after a failure.
# traced_login NAME USER PASSWORD: kbd_login with sshd under strace; RC,
# and $W/NAME.waits: every wait of 500 ms or more, in ms, one per line.
traced_login() {
    sshd_pid=$(cat "$W/sshd.pid")
    strace -f -qq -e trace=select,pselect6,nanosleep,clock_nanosleep \
        -o "$W/$1.strace" -p "$sshd_pid" &
    strace_pid=$!
    tries=0 # until strace has attached (TracerPid set), at most ~10 s
    until [ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$sshd_pid/status")" != 0 ]; do
        tries=$((tries + 1))
        [ "$tries" -le 100 ] || fail "strace did not attach to sshd"
        sleep 0.1
    done
    kbd_login "$1" "$2" "$3"
    RC=$?
    kill "$strace_pid" 2>/dev/null
    wait "$strace_pid" 2>/dev/null
    # (a wait until an absolute time, TIMER_ABSTIME, is not a duration)
    grep -v TIMER_ABSTIME "$W/$1.strace" |
        sed -n 's/.*tv_sec=\([0-9]*\), tv_\([nu]\)sec=\([0-9]*\).*/\1 \2 \3/p' |
        awk '{ ms = $1 * 1000 + ($2 == "n" ? $3 / 1e6 : $3 / 1e3); if (ms >= 500) printf "%d\n", ms }' \
        >"$W/$1.waits"
}
if command -v strace >/dev/null 2>&1; then
    traced_login nodelay alice "Not-Her-Password-5678"
    expect_rc "$RC" 255 "a wrong password with fail_delay = 0"
    [ ! -s "$W/nodelay.waits" ] || fail "fail_delay = 0, yet sshd waited $(tr '\n' ' ' <"$W/nodelay.waits")ms"
    world_conf fail_delay=2000
    traced_login delay alice "Not-Her-Password-5678"
    expect_rc "$RC" 255 "a wrong password with fail_delay = 2000"
    say "fail_delay = 2000: sshd waited $(tr '\n' ' ' <"$W/delay.waits")ms"
    [ "$(awk '$1 >= 1000 && $1 <= 3000' "$W/delay.waits" | wc -l)" -eq 1 ] ||
        fail "fail_delay = 2000: expected one wait of 1000..3000 ms after the wrong password"
    traced_login fast alice "$A_PW"
    expect_rc "$RC" 0 "alice's login with fail_delay = 2000"
    [ ! -s "$W/fast.waits" ] || fail "a right password waited $(tr '\n' ' ' <"$W/fast.waits")ms"
    world_conf
    ok "a wrong password costs the configured fail_delay; a right one does not"
else
    say "strace is not installed: the failure delay is not checked"
fi

no_secret_logged "$A_PW" "$B_PW" "$D_PW" "$U_PW"
ok "no password appears in syslog, the sshd log or the store"
