#!/bin/sh
# test-ldap-backend.sh - the directory store backend (backend = ldap,
# docs/FLEET.md) against a throwaway slapd (tests/ldap/slapd.sh): admin
# commands and login-time ops through pwreset and pwreset-helper, ppolicy
# interop, concurrent writers from two host identities, an all-or-nothing
# bulk action, a directory that stops answering, and the rule that only the
# helper links libldap.
# SPDX-License-Identifier: BSD-3-Clause
#
# Root only (a private mount namespace with its own /etc/passwd); skipped
# (77) without slapd and ldap-utils.  Every process it starts is stopped by
# the EXIT trap.
# shellcheck disable=SC1091,SC2154,SC2016,SC2317
# (sourced files; variables set by make; both() evaluates its single-quoted
# arguments later; functions run through check())
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/ldap/slapd.sh"

ldap_require
enter_private_ns PWR_LDAP_BACKEND_NS "$0"
suid_workdir pwr-ldapb

PEOPLE="ou=people,$LDAP_BASE"
BUILD_HELPER=$top_builddir/helper/pwreset-helper
PWRESET=$top_builddir/cli/pwreset
SINK=$top_builddir/tests/helper/audit_sink

# alice, bob and carol are in the directory (and, as with SSSD, known to
# this host); dave is a local account the directory does not know.
BASEID=$(free_ids 23000 10)
private_etc_begin
add_user alice "$BASEID"
add_user bob $((BASEID + 1))
add_user carol $((BASEID + 2))
add_user dave $((BASEID + 3))
private_etc_mount alice

# A rootpw lets the test add a second host and an entry admins cannot write.
LDAP_CONF_EDIT='s|^rootdn.*|&\nrootpw test-root-secret|'
ldap_start || hard_error "slapd did not start"
trap 'kill -CONT "$LDAP_PID" 2>/dev/null; ldap_stop; rm -rf "$T"' EXIT
ROOT_DN="cn=admin,$LDAP_BASE"

ldapadd -x -H "$LDAP_URI" -D "$ROOT_DN" -w test-root-secret >/dev/null <<EOF ||
dn: cn=host2,ou=hosts,$LDAP_BASE
objectClass: device
objectClass: simpleSecurityObject
cn: host2
userPassword: host2-secret
EOF
    hard_error "cannot add host2"

ldap_secrets "$T/state"
printf 'host2-secret\n' >"$T/state/host2.pw"
chmod 600 "$T/state/host2.pw"

# host_conf FILE HOST [BASE [TIMEOUT]]: a private configuration, one per
# host (ldap_host_conf, slapd.sh).  The timeout is generous (a loaded
# machine must not make a step time out) but for the outage steps, where
# it is what they wait for.
host_conf() {
    mkdir -p "$T/state/$2"
    chmod 700 "$T/state/$2"
    ldap_host_conf "$1" "$T/state/$2" "hash_cost = 1" "grace_logins = 100" \
        "reset_code_max_attempts = 100" "ldap_base = ${3:-$PEOPLE}" \
        "ldap_bind_dn = cn=$2,ou=hosts,$LDAP_BASE" \
        "ldap_bind_password_file = $T/state/$2.pw" \
        "ldap_admin_password_file = $T/state/admin.pw" \
        "ldap_timeout = ${4:-20s}"
}
host_conf "$T/conf" host1
host_conf "$T/conf2" host2
# The same host (same local files), waiting less for a silent directory.
host_conf "$T/conf_short" host1 "$PEOPLE" 2s
# A host without the admin identity.
grep -v '^ldap_admin' "$T/conf" >"$T/conf_noadmin"

PWRESET_HELPER=$BUILD_HELPER
export PWRESET_HELPER

# swarm OP USER [KEY VALUE]: 20 requests from each host at once; waits
# for them (not for slapd); replies in $T/swarm.N.HOST.
swarm() {
    _pids=
    _i=0
    while [ $_i -lt 20 ]; do
        for _c in conf conf2; do
            {
                printf 'pwreset-helper 1\nop %s\nuser %s\n' "$1" "$2"
                [ $# -gt 2 ] && printf '%s %s\nnew Quartz-Meadow-%s-%s\n' "$3" "$4" $_i $_c
                printf 'config %s\nend\n' "$T/$_c"
            } | timeout 120 "$BUILD_HELPER" >"$T/swarm.$_i.$_c" 2>/dev/null &
            _pids="$_pids $!"
        done
        _i=$((_i + 1))
    done
    # shellcheck disable=SC2086
    wait $_pids
    # What they answered, for the log.
    cat "$T"/swarm.* | sed -n 's/^\(result\|message\) /# &/p' | sort | uniq -c
}

# say: the last reply, as a TAP comment (after a failed step).
say() { sed 's/^/# /' "$T/rep"; }
# hreq CONF KEY=VALUE...: ldap_req (slapd.sh); HRC its exit status.
hreq() {
    ldap_req "$@"
    HRC=$LDAP_RC
}
rep() { sed -n "s/^$1 //p" "$T/rep" | head -n 1; }
# has TEXT PATTERN: TEXT matches the grep pattern.
has() { printf '%s\n' "$1" | grep -q -- "$2"; }
# both: both commands (strings, eval'd) succeed.
both() { eval "$1" && eval "$2"; }

# ldap_get UID ATTR: the attribute's values, read as the admin.
ldap_get() {
    ldapsearch -x -LLL -o ldif-wrap=no -H "$LDAP_URI" -D "$LDAP_ADMIN_DN" \
        -w "$LDAP_ADMIN_PW" -b "$LDAP_BASE" "(uid=$1)" "$2" |
        sed -n "s/^$2: //p"
}
# binds UID PASSWORD: a plain bind as the person succeeds.
binds() {
    ldapwhoami -x -H "$LDAP_URI" -D "uid=$1,$PEOPLE" -w "$2" >/dev/null 2>&1
}
whoami_pp() {
    ldapwhoami -x -H "$LDAP_URI" -e ppolicy \
        -D "uid=$1,$PEOPLE" -w "$2" 2>&1
}

# ---- admin commands and their interop with ppolicy clients --------------
run status alice
check "status reads an account from the directory" \
    both '[ $RC -eq 0 ]' "grep -q '^alice: active' '$T/out'"

run force-reset alice
check "force-reset succeeds" test "$RC" -eq 0
check "the entry carries pwdReset: TRUE" test "$(ldap_get alice pwdReset)" = TRUE
check "ldapwhoami -e ppolicy as alice: password must be changed" \
    has "$(whoami_pp alice alice-secret)" 'Password must be changed'
CSN=$(ldap_get alice entryCSN)
check "the audit event names the backend and the entry's entryCSN" \
    grep -q "backend=ldap csn=\"$CSN\"" "$T/ev"

run block bob --reason test
check "block succeeds" test "$RC" -eq 0
check "a blocked entry carries the ppolicy lock" \
    test "$(ldap_get bob pwdAccountLockedTime)" = 000001010000Z
check "ldapwhoami -e ppolicy as bob: account locked" \
    has "$(whoami_pp bob bob-secret)" 'Account locked'
hreq "$T/conf2" op=verify user=bob password=bob-secret
check "another host refuses the blocked account" test "$HRC" -ne 0
run unblock bob
check "unblock lifts the lock" \
    both '[ $RC -eq 0 ]' '[ -z "$(ldap_get bob pwdAccountLockedTime)" ]'
check "bob binds again" \
    binds bob bob-secret

run --conf "$T/conf_noadmin" block bob
check "a host without ldap_admin_dn says it cannot administer" \
    both '[ $RC -ne 0 ]' "grep -q 'cannot administer the directory' '$T/err'"
check "... and changed nothing" test -z "$(ldap_get bob pwdAccountLockedTime)"

run enrol carol
check "enrol adds the pwresetAccount class" \
    both '[ $RC -eq 0 ]' 'has "$(ldap_get carol objectClass)" pwresetAccount'

# ---- passwords: checked by binding, never written to this host ----------
hreq "$T/conf" op=verify user=alice password=alice-secret
check "verify binds as the person: right password, must change" \
    both '[ $HRC -eq 0 ]' "grep -q '^login change' '$T/rep'"
hreq "$T/conf" op=verify user=alice password=wrong-one
check "verify: a wrong password is refused" test "$HRC" -eq 8
hreq "$T/conf" op=set_password user=carol password=Granite-Lake-42
[ "$HRC" -eq 0 ] || say
check "set-password as the admin" test "$HRC" -eq 0
check "carol binds with the new password" \
    binds carol Granite-Lake-42
check "no password hash on this host's disk" \
    sh -c "! grep -rqsF '\$y\$' '$T/state'"
hreq "$T/conf" op=temp_password user=carol
TMPPW=$(rep secret)
check "temp-password: the entry marks the new password temporary" \
    both '[ $HRC -eq 0 ] && [ -n "$TMPPW" ]' \
    '[ "$(ldap_get carol pwresetTemporary)" = "$(ldap_get carol pwdChangedTime)" ]'
hreq "$T/conf2" op=verify user=carol "password=$TMPPW"
check "another host sees the temporary password" \
    both '[ $HRC -eq 0 ]' "grep -q '^method temporary' '$T/rep'"

# ---- a reset code is redeemed once, by one host of many ------------------
hreq "$T/conf" op=reset_code user=bob
CODE=$(rep code)
check "reset-code issues a code" test -n "$CODE"
swarm chauthtok bob proof "$CODE"
OKS=$(grep -l '^result ok' "$T"/swarm.* 2>/dev/null | wc -l)
check "40 hosts redeem one code: exactly one succeeds (got $OKS)" test "$OKS" -eq 1
check "the code is gone from the entry" test -z "$(ldap_get bob pwresetCodeHash)"

# ---- counters: 40 writers from two hosts, none lost ------------------------
run force-reset bob
swarm grace_used bob
GRACE=$(ldap_get bob pwresetGraceUsed)
check "40 grace logins from two hosts are counted once each (got $GRACE)" \
    test "$GRACE" = 40

hreq "$T/conf" op=reset_code user=carol
swarm code_failed carol
check "40 wrong code tries from two hosts: none lost" \
    test "$(ldap_get carol pwresetCodeTries)" = 40

# ---- bulk force-reset: all or nothing ---------------------------------------
run force-reset --all
check "force-reset --all flags every enrolled account" \
    both '[ $RC -eq 0 ]' '[ "$(ldap_get carol pwdReset)" = TRUE ]'
run force-reset --clear --all
check "force-reset --clear --all clears them all" \
    both '[ -z "$(ldap_get alice pwdReset)" ]' '[ -z "$(ldap_get carol pwdReset)" ]'
# Nothing pending: the host may not write alice's password; the helper
# writes it bound as alice, with the password she proved.
hreq "$T/conf2" op=chauthtok user=alice proof=alice-secret new=Velvet-Harbor-73
[ "$HRC" -eq 0 ] || say
check "a voluntary change (nothing pending) is written as the person" \
    test "$HRC" -eq 0
check "alice binds with her new password" \
    binds alice Velvet-Harbor-73
# An enrolled entry the admin may not write, in the same run: the
# transaction fails as a whole.
ldapadd -x -H "$LDAP_URI" -D "$ROOT_DN" -w test-root-secret >/dev/null <<EOF
dn: uid=mallory,ou=hosts,$LDAP_BASE
objectClass: account
objectClass: posixAccount
objectClass: pwresetAccount
uid: mallory
cn: mallory
uidNumber: $((BASEID + 9))
gidNumber: $((BASEID + 9))
homeDirectory: /nonexistent
pwresetStatus: active
EOF
add_user mallory $((BASEID + 9))
host_conf "$T/conf_wide" host1 "$LDAP_BASE"
run --conf "$T/conf_wide" force-reset --all
check "a bulk force-reset one entry refuses fails" test "$RC" -ne 0
check "... and names the refused account" grep -q mallory "$T/err"
check "... and changes no other entry" \
    both '[ -z "$(ldap_get alice pwdReset)" ]' '[ -z "$(ldap_get carol pwdReset)" ]'
check "slapd still answers" ldap_answers

# ---- the PAM module: always through the helper ---------------------------
# pt PASSWORD USER OPS...: pamtester on a service of pam_pwreset alone,
# under pam_wrapper; PT its exit status, $T/pt its output.
PT_OK=
if command -v pamtester >/dev/null 2>&1 && [ -n "${PAM_WRAPPER_SO:-}" ] &&
    [ -f "$PAM_WRAPPER_SO" ] && [ "${PWR_SANITIZERS:-no}" != yes ]; then
    PT_OK=1
    mkdir -p "$T/services"
    printf 'auth required %s config=%s helper=%s\naccount required %s config=%s helper=%s\n' \
        "$top_builddir/pam_module/.libs/pam_pwreset.so" "$T/conf" "$BUILD_HELPER" \
        "$top_builddir/pam_module/.libs/pam_pwreset.so" "$T/conf" "$BUILD_HELPER" \
        >"$T/services/pwrldap"
    # the same over conf_short, for the outage (it waits ldap_timeout)
    sed "s|config=$T/conf |config=$T/conf_short |g" "$T/services/pwrldap" \
        >"$T/services/pwrldap-short"
fi
pt() {
    _pw=$1
    shift
    set -- env LD_PRELOAD="$PAM_WRAPPER_SO" PAM_WRAPPER=1 \
        PAM_WRAPPER_SERVICE_DIR="$T/services" \
        timeout 60 pamtester -v "${PT_SERVICE:-pwrldap}" "$@"
    [ -n "${PT_TRACE:-}" ] && set -- strace -f -qq -e trace=execve,openat,connect -o "$PT_TRACE" "$@"
    # pam_wrapper users take turns (tests/pam/pamtest_runner.c).
    [ -n "${PWR_WRAPPER_LOCK:-}" ] && set -- flock "$PWR_WRAPPER_LOCK" "$@"
    printf '%s\n' "$_pw" | "$@" >"$T/pt" 2>&1
    PT=$?
}
if [ -n "$PT_OK" ]; then
    pt Velvet-Harbor-73 alice authenticate acct_mgmt
    check "pam_pwreset: alice's directory password logs her in" test "$PT" -eq 0
    # What a login costs the host, counted (never timed): one helper run
    # for both stages, one connection to the directory, no SASL plugin
    # directory (every bind is simple), and no group or login.defs look-ups
    # (only admin actions need them).
    if command -v strace >/dev/null 2>&1; then
        PT_TRACE=$T/pt.strace pt Velvet-Harbor-73 alice authenticate acct_mgmt
        check "pam_pwreset: a directory login also succeeds under strace" \
            test "$PT" -eq 0
        check "pam_pwreset: one helper run per login (auth and account)" \
            test "$(grep -c 'execve("[^"]*pwreset-helper"' "$T/pt.strace")" -eq 1
        hpid=$(sed -n 's/^\([0-9]*\) *execve("[^"]*pwreset-helper".*/\1/p' "$T/pt.strace")
        grep "^$hpid " "$T/pt.strace" >"$T/helper.strace"
        check "pam_pwreset: the helper opens no SASL plugin" \
            sh -c "[ -s '$T/helper.strace' ] && ! grep -Eq 'sasl2[\\\"/]' '$T/helper.strace'"
        check "pam_pwreset: one connection to the directory per login (the person's bind reuses the host's)" \
            test "$(grep -c 'connect(.*AF_INET' "$T/helper.strace")" -eq 1
        check "pam_pwreset: the helper reads neither login.defs nor /etc/group" \
            sh -c "! grep -Eq '\"/etc/(login[.]defs|group)\"' '$T/helper.strace'"
    fi
    pt not-her-password alice authenticate
    check "pam_pwreset: a wrong password is refused" test "$PT" -ne 0
    run block alice
    pt Velvet-Harbor-73 alice authenticate acct_mgmt
    check "pam_pwreset: a block made with pwreset holds at the next login" test "$PT" -ne 0
    run unblock alice
else
    echo "# pamtester or pam_wrapper missing: the module's own steps skipped"
fi

# ---- the directory stops answering --------------------------------------
run status alice >/dev/null # alice has been seen by this host
kill -STOP "$LDAP_PID"
if [ -n "$PT_OK" ]; then
    PT_SERVICE=pwrldap-short pt Velvet-Harbor-73 alice authenticate
    check "pam_pwreset: refused while the directory does not answer" \
        both '[ $PT -ne 0 ]' "grep -q 'account service unavailable, try again later' '$T/pt'"
fi
hreq "$T/conf_short" op=status user=alice
check "an account of the directory is refused: unavailable (14)" \
    both '[ $HRC -eq 14 ]' "grep -q '^message account.*unavailable' '$T/rep'"
hreq "$T/conf_short" op=status user=root
check "root is never looked up in the directory" test "$HRC" -eq 4
hreq "$T/conf_short" op=status user=dave
check "a local account never seen in the directory is left alone" \
    test "$HRC" -eq 4
kill -CONT "$LDAP_PID"
hreq "$T/conf" op=status user=alice
check "the directory answers again" test "$HRC" -eq 0

finish
