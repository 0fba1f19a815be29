#!/bin/sh
# tests/e2e/log_fields.sh - what a client chooses cannot forge a field or a
# line in the module's syslog messages: pamtester (a real PAM client) passes
# a hostile PAM_RHOST and PAM_TTY (blanks, '=', a newline) while the store
# is unsafe, so the module refuses it and logs why, naming rhost and tty.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need pamtester

PW='Blue-Harbour-7391'
world_account alice "Alice Liddell" "$PW"
printf 'auth required %s\naccount required %s\n' "$MODULE" "$MODULE" \
    >/etc/pam.d/pwr-fields
chmod 0644 "$storepath" # group/world-readable: refused, fail closed

rhost=$(printf 'evil host\nMon Jan  1 00:00:00 forged sshd[1]: Accepted password for root')
tty='tty9 user=root uid=0'
mark=$(wc -l <"$W/syslog.log")
printf '%s\n' "$PW" | pamtester -I rhost="$rhost" -I tty="$tty" pwr-fields alice \
    authenticate >"$W/t/pamtester.out" 2>&1
expect_rc $? 1 "pamtester authenticate against an unsafe store"
chmod 0600 "$storepath"

world_wait 50 sh -c "tail -n +$((mark + 1)) '$W/syslog.log' | grep -q 'pam_pwreset.*store: '" ||
    fail "the module logged no store error"
tail -n +$((mark + 1)) "$W/syslog.log" >"$W/t/new.log"
grep 'store: ' "$W/t/new.log" | sed 's/^/| /'
grep -q 'rhost=evil\\x20host\\x0aMon\\x20Jan' "$W/t/new.log" ||
    fail "rhost is not escaped"
grep -q 'tty=tty9\\x20user\\x3droot\\x20uid\\x3d0' "$W/t/new.log" ||
    fail "tty is not escaped"
grep -q 'forged sshd\[1\]' "$W/t/new.log" && ! grep -q '\\x0aMon' "$W/t/new.log" &&
    fail "a forged line reached the log"
ok "a hostile rhost and tty are escaped in the module's log line"
