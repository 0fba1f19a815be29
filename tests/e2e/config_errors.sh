#!/bin/sh
# tests/e2e/config_errors.sh - a configuration error
# never locks out root or the accounts outside the store.  A typo in a key,
# a bad or out-of-range value: logged as FILE:LINE at error priority, the
# default used, everybody logs in as before.  A file others could write:
# root and unmanaged users in, store accounts refused.  No usable store
# setting: everybody but root refused.  "pwreset check-config" names each
# problem as FILE:LINE and exits 11 (0 once the file is fixed).
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need su setpriv

A_PW='Blue-Harbour-7391'
K_PW='Kim-Unix-Word-8813'
R_PW='Root-Unix-Word-2240'
world_account alice "Alice Liddell" "$A_PW"
world_user kim "Kim Unmanaged"
world_unix_password kim "$K_PW"
world_user carol "Carol Ordinary"
world_unix_password root "$R_PW"
world_sshd PasswordAuthentication yes

# gets_in NAME USER|root: the login succeeds.  kept_out NAME USER: refused.
gets_in() {
    if [ "$2" = root ]; then su_root carol "$1" "$R_PW"; else pw_login "$1" "$2" "$3"; fi
    expect_rc $? 0 "$1: $2's login"
    saw "who=$2"
}
kept_out() {
    pw_login "$1" "$2" "$3"
    [ $? -ne 0 ] || fail "$1: $2 logged in"
    not_saw "who=$2"
}

# err_logged TEXT: a syslog line at authpriv.err (<83>) since the mark.
err_logged() {
    audit_sync
    tail -n +"$AUDIT_FROM" "$W/syslog.log" | grep '^<83>' | grep -qF -- "$1" ||
        fail "no error-priority syslog line with: $1"
}

# check_config_says TEXT: pwreset check-config exits 11 and prints TEXT.
check_config_says() {
    "$PWRESET" check-config >"$W/cc.out" 2>&1
    cc=$?
    sed 's/^/  check-config: /' "$W/cc.out"
    expect_rc $cc 11 "pwreset check-config"
    grep -qF -- "$1" "$W/cc.out" || fail "check-config did not say: $1"
}

# --- a typo in a key, a value with a unit, a value out of range ---------------------
for bad in "min_lenght=14" "min_length=14 chars" "min_length=0"; do
    world_conf "$bad"
    line=$(grep -n "^${bad%%=*} " "$CONF" | cut -d: -f1)
    audit_mark
    gets_in "typo-root" root
    gets_in "typo-kim" kim "$K_PW"
    gets_in "typo-alice" alice "$A_PW"
    err_logged "$CONF:$line: "
    check_config_says "$CONF:$line: "
    ok "'$bad': root, kim and alice log in; $CONF:$line logged at error priority"
done

# --- a file that group or others may write ---------------------------------------------
world_conf
chmod 0664 "$CONF"
audit_mark
gets_in "unsafe-root" root
gets_in "unsafe-kim" kim "$K_PW"
kept_out "unsafe-alice" alice "$A_PW"
err_logged "unsafe configuration"
check_config_says "fix with chmod 644 $CONF"
chmod 0644 "$CONF"
ok "mode 0664: root and kim log in, alice (in the store) is refused"

# --- no usable store setting --------------------------------------------------------------
world_conf "store=var/lib/pwreset/store"
audit_mark
gets_in "store-root" root
kept_out "store-kim" kim "$K_PW"
kept_out "store-alice" alice "$A_PW"
err_logged "every account but root is refused"
check_config_says "no usable store setting"
ok "a relative store path: everybody but root is refused"

world_conf
"$PWRESET" check-config >"$W/cc.out" 2>&1 || fail "check-config on the fixed file: $(cat "$W/cc.out")"
grep -qF "no problems found" "$W/cc.out" || fail "check-config: $(cat "$W/cc.out")"
gets_in "fixed-alice" alice "$A_PW"
ok "the fixed file: check-config exits 0, alice logs in"
