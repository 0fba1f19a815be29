#!/bin/sh
# test-schema-acl.sh - the directory side of the fleet backend (see
# docs/FLEET.md), against a real slapd run from etc/ldap/slapd.conf.example
# and etc/ldap/example.ldif (tests/ldap/slapd.sh): the pwreset schema loads
# (both forms, and they agree); a host identity reads account state and
# does only what logins need (consume a code or a notice, count a grace
# login, set a password while a code or a forced change is pending) and is
# refused everything else with "insufficient access" (50); the admin
# identity does the admin actions; paged searches pass the size limit only
# thanks to the "limits" lines; and real ppolicy clients see a forced reset
# as "must change" and a block as "account locked".  Root only (skipped,
# 77, without root or without slapd/ldap-utils).
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/ldap/slapd.sh"

ldap_require

PEOPLE="ou=people,$LDAP_BASE"
ALICE="uid=alice,$PEOPLE"
BOB="uid=bob,$PEOPLE"
CAROL="uid=carol,$PEOPLE"
# shellcheck disable=SC2016 # a hash, not an expansion
CODE='$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo'

# as WHO [ldapmodify options]: the LDIF on stdin applied as WHO (host,
# admin); keeps the exit status in $LDAP_DIR/rc (as runs at the end of a
# pipeline, in a subshell) and the output in $LDAP_DIR/mod.out.
as() {
    case $1 in
    host) _dn=$LDAP_HOST_DN _pw=$LDAP_HOST_PW ;;
    admin) _dn=$LDAP_ADMIN_DN _pw=$LDAP_ADMIN_PW ;;
    esac
    shift
    ldapmodify -x -H "$LDAP_URI" -D "$_dn" -w "$_pw" "$@" \
        >"$LDAP_DIR/mod.out" 2>&1
    echo $? >"$LDAP_DIR/rc"
}

# mod DN OP ATTR [VALUE]: one-change LDIF (OP add, delete, replace).
mod() {
    printf 'dn: %s\nchangetype: modify\n%s: %s\n' "$1" "$2" "$3"
    [ $# -lt 4 ] || printf '%s: %s\n' "$3" "$4"
}

# refused DESC: the last modify failed with insufficientAccess (50).
refused() {
    RC=$(cat "$LDAP_DIR/rc")
    if [ "$RC" -eq 50 ] && grep -q 'Insufficient access' "$LDAP_DIR/mod.out"; then
        ok "$1"
    else
        nok "$1 (rc $RC: $(tr '\n' ' ' <"$LDAP_DIR/mod.out"))"
    fi
}

allowed() {
    RC=$(cat "$LDAP_DIR/rc")
    if [ "$RC" -eq 0 ]; then ok "$1"; else
        nok "$1 (rc $RC: $(tr '\n' ' ' <"$LDAP_DIR/mod.out"))"
    fi
}

# rc_is N DESC: the last modify exited with N.
rc_is() {
    RC=$(cat "$LDAP_DIR/rc")
    if [ "$RC" -eq "$1" ]; then ok "$2"; else
        nok "$2 (rc $RC: $(tr '\n' ' ' <"$LDAP_DIR/mod.out"))"
    fi
}

# attr WHO DN ATTR: the values of ATTR on DN as WHO reads them (one a line).
attr() {
    case $1 in
    host) _dn=$LDAP_HOST_DN _pw=$LDAP_HOST_PW ;;
    admin) _dn=$LDAP_ADMIN_DN _pw=$LDAP_ADMIN_PW ;;
    esac
    ldapsearch -x -LLL -o ldif-wrap=no -H "$LDAP_URI" -D "$_dn" -w "$_pw" \
        -b "$2" -s base "(objectClass=*)" "$3" 2>/dev/null |
        sed -n "s/^$3:: */b64:/p; s/^$3: //p"
}

# bind_as DN PASSWORD: ldapwhoami with the ppolicy control; output in $BIND.
bind_as() {
    BIND=$(ldapwhoami -x -H "$LDAP_URI" -D "$1" -w "$2" -e ppolicy 2>&1)
    RC=$?
}

# --- the schema, in its two forms ------------------------------------------

# Every definition, one a line, whitespace collapsed: from the slapd.conf
# form and from the cn=config form (LDIF lines unfolded).
defs_schema() {
    awk '/^(attributetype|objectclass)[ \t]/ { if (d) print d; d = $0; next }
         /^[ \t]/ && d { d = d " " $0; next }
         { if (d) print d; d = "" }
         END { if (d) print d }' "$top_srcdir/etc/ldap/pwreset.schema" |
        sed 's/^[a-z]* //; s/[[:space:]][[:space:]]*/ /g'
}
defs_ldif() {
    awk '/^ / { d = d substr($0, 2); next }
         { if (d) print d; d = $0 }
         END { if (d) print d }' "$top_srcdir/etc/ldap/pwreset.ldif" |
        sed -n 's/^olc\(AttributeTypes\|ObjectClasses\): //p' |
        sed 's/[[:space:]][[:space:]]*/ /g'
}
T=$(mktemp -d /tmp/pwr-ldapt.XXXXXX) || hard_error "mktemp"
trap 'rm -rf "$T"' EXIT
defs_schema >"$T/a"
defs_ldif >"$T/b"
if [ "$(wc -l <"$T/a")" -eq 14 ] && cmp -s "$T/a" "$T/b"; then
    ok "pwreset.schema and pwreset.ldif define the same 14 items"
else
    nok "pwreset.schema and pwreset.ldif differ: $(diff "$T/a" "$T/b" | head -5 | tr '\n' ' ')"
fi

# The cn=config form loads into a config database after core/cosine/nis.
mkdir "$T/slapd.d"
{
    printf 'dn: cn=config\nobjectClass: olcGlobal\ncn: config\n\n'
    printf 'dn: cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: schema\n\n'
    for s in core cosine nis; do
        printf 'include: file:///etc/ldap/schema/%s.ldif\n\n' "$s"
    done
    printf 'include: file://%s/etc/ldap/pwreset.ldif\n' "$top_srcdir"
} >"$T/config.ldif"
if slapadd -n0 -F "$T/slapd.d" -l "$T/config.ldif" >"$T/cfg.log" 2>&1 &&
    slapcat -n0 -F "$T/slapd.d" -o ldif-wrap=no 2>>"$T/cfg.log" |
        grep -q "NAME 'pwresetAccount'" &&
    slaptest -u -F "$T/slapd.d" >>"$T/cfg.log" 2>&1; then
    ok "pwreset.ldif loads into cn=config"
else
    nok "pwreset.ldif does not load: $(tr '\n' ' ' <"$T/cfg.log")"
fi
rm -rf "$T"
trap - EXIT

# --- the example directory ---------------------------------------------------

ldap_start || hard_error "cannot start slapd from etc/ldap/slapd.conf.example"
ok "slapd runs etc/ldap/slapd.conf.example with etc/ldap/example.ldif"

check "the example people carry pwresetAccount" \
    test "$(attr host "$ALICE" objectClass | grep -c pwresetAccount)" -eq 1
# the host's and the admin's random secrets in a cheap salted scheme (the
# host binds at every login), people's passwords in yescrypt
EX=$top_srcdir/etc/ldap/example.ldif
check "the example's host and admin secrets are {SSHA}" \
    test "$(grep -c '^userPassword: {SSHA}' "$EX")" -eq 2 -a \
    "$(awk '/^dn: cn=(host1|pwadmin),/{e=1} /^$/{e=0} e && /^userPassword: {SSHA}/' "$EX" | wc -l)" -eq 2
check "the example people's passwords are yescrypt" \
    test "$(grep '^userPassword:' "$EX" | grep -vc '{SSHA}\|{CRYPT}\$y\$')" -eq 0

# --- what a host may read ----------------------------------------------------

mod "$ALICE" replace pwdReset TRUE | as admin
allowed "admin forces a reset (pwdReset TRUE)"
check "host reads pwdReset" test "$(attr host "$ALICE" pwdReset)" = TRUE
check "host reads pwresetStatus" test "$(attr host "$ALICE" pwresetStatus)" = active
check "host reads entryCSN" test -n "$(attr host "$ALICE" entryCSN)"
check "host cannot read userPassword" test -z "$(attr host "$ALICE" userPassword)"
check "admin cannot read userPassword" test -z "$(attr admin "$ALICE" userPassword)"
check "admin reads userPassword of nobody else either" \
    test -z "$(attr admin "$LDAP_HOST_DN" userPassword)"

# ppolicy: a bind with the control is told the password must be changed.
bind_as "$ALICE" alice-secret
case $BIND in
*"Password must be changed"*) ok "ppolicy client: alice must change her password" ;;
*) nok "ppolicy client after pwdReset: $BIND" ;;
esac

# --- what a host may not do ---------------------------------------------------

mod "$BOB" replace pwdReset TRUE | as host
refused "host cannot force a reset (set pwdReset)"
mod "$ALICE" delete pwdReset | as host
refused "host cannot clear a forced reset (delete pwdReset)"
mod "$BOB" replace pwdAccountLockedTime 000001010000Z | as host
refused "host cannot block (set pwdAccountLockedTime)"
mod "$BOB" replace pwresetStatus blocked | as host
refused "host cannot set pwresetStatus"
mod "$BOB" replace userPassword host-chosen-1 | as host
refused "host cannot set a password when nothing is pending"
mod "$BOB" replace pwresetCodeHash "$CODE" | as host
refused "host cannot issue a reset code"
mod "$BOB" add pwresetNotice force_reset | as host
refused "host cannot leave a notice"
mod "$CAROL" add objectClass pwresetAccount | as host
refused "host cannot enrol an account"
mod "$BOB" replace pwresetReason stolen | as host
refused "host cannot set a reason"
mod "$BOB" replace uidNumber 0 | as host
refused "host cannot change uidNumber"
mod "$BOB" add pwresetGraceUsed 1 | as host
refused "host cannot count grace logins when no change is pending"

# --- what a host may do -------------------------------------------------------

# A grace login counted once, by compare-and-swap (assertion control).
mod "$ALICE" add pwresetGraceUsed 1 | as host
allowed "host counts the first grace login"
printf 'dn: %s\nchangetype: modify\ndelete: pwresetGraceUsed\npwresetGraceUsed: 1\n-\nadd: pwresetGraceUsed\npwresetGraceUsed: 2\n' \
    "$ALICE" | as host -e '!assert=(pwresetGraceUsed=1)'
allowed "host counts the next one with an assertion"
mod "$ALICE" replace pwresetGraceUsed 2 | as host -e '!assert=(pwresetGraceUsed=1)'
rc_is 122 "a stale count fails its assertion (122)"
check "the count is 2" test "$(attr host "$ALICE" pwresetGraceUsed)" = 2

# The forced change: the new password, set by the host, clears pwdReset.
printf 'dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: alice-new-1\n-\ndelete: pwresetGraceUsed\n' \
    "$ALICE" | as host
allowed "host sets the password while pwdReset is TRUE"
check "ppolicy cleared pwdReset with the change" test -z "$(attr host "$ALICE" pwdReset)"
bind_as "$ALICE" alice-new-1
check "alice binds with the new password, nothing to change" \
    test "$RC" -eq 0 -a "$(printf '%s' "$BIND" | grep -c 'must be changed')" -eq 0
mod "$ALICE" replace userPassword alice-new-2 | as host
refused "host cannot set it again once the change is done"

# A reset code: issued by admin (with a notice), consumed by a host.
printf 'dn: %s\nchangetype: modify\nreplace: pwresetCodeHash\npwresetCodeHash: %s\n-\nreplace: pwresetCodeExpires\npwresetCodeExpires: 20991231000000Z\n-\nreplace: pwresetNotice\npwresetNotice: reset_code\n-\nreplace: pwresetNoticeBy\npwresetNoticeBy: root\n-\nreplace: pwresetNoticeAt\npwresetNoticeAt: 20261206000000Z\n' \
    "$BOB" "$CODE" | as admin
allowed "admin issues a reset code with a notice"
check "host reads the code hash" test "$(attr host "$BOB" pwresetCodeHash)" = "$CODE"
check "bob cannot read his code hash" test -z "$(
    ldapsearch -x -LLL -H "$LDAP_URI" -D "$BOB" -w bob-secret -b "$BOB" -s base \
        pwresetCodeHash 2>/dev/null | grep pwresetCodeHash)"
mod "$BOB" add pwresetCodeTries 1 | as host
allowed "host counts a wrong code"
printf 'dn: %s\nchangetype: modify\ndelete: pwresetCodeHash\n-\ndelete: pwresetCodeExpires\n-\ndelete: pwresetCodeTries\n-\nreplace: userPassword\nuserPassword: bob-new-1\n' \
    "$BOB" | as host -e "!assert=(pwresetCodeHash=$CODE)"
allowed "host redeems the code and sets the password in one modify"
check "the code is gone" test -z "$(attr admin "$BOB" pwresetCodeHash)"
printf 'dn: %s\nchangetype: modify\ndelete: pwresetCodeHash\n-\nreplace: userPassword\nuserPassword: bob-new-2\n' \
    "$BOB" | as host -e "!assert=(pwresetCodeHash=$CODE)"
rc_is 122 "a second redemption fails its assertion (122)"
mod "$BOB" replace userPassword bob-new-2 | as host
refused "host cannot set bob's password once the code is used"
bind_as "$BOB" bob-new-1
check "bob binds with the password set through the code" test "$RC" -eq 0

# Voluntary change: the person binds with the old password and changes it
# (Password Modify, as SSSD and passwd through a ppolicy client do).
self_change() {
    ldappasswd -x -H "$LDAP_URI" -D "$1" -w "$2" -a "$2" -s "$3" -e ppolicy \
        >"$LDAP_DIR/pw.out" 2>&1
    RC=$?
}
self_change "$BOB" bob-new-1 bob-self-1
check "bob changes his own password" test "$RC" -eq 0
bind_as "$BOB" bob-self-1
check "bob binds with it" test "$RC" -eq 0
self_change "$BOB" bob-self-1 bob-new-1
check "ppolicy refuses a password from bob's history" \
    grep -q 'Constraint violation (19)' "$LDAP_DIR/pw.out"
printf 'dn: %s\nchangetype: modify\ndelete: pwresetNotice\n-\ndelete: pwresetNoticeBy\n-\ndelete: pwresetNoticeAt\n' \
    "$BOB" | as host
allowed "host consumes the notice"
check "the notice is gone" test -z "$(attr admin "$BOB" pwresetNotice)"

# --- the admin actions --------------------------------------------------------

printf 'dn: %s\nchangetype: modify\nadd: objectClass\nobjectClass: pwresetAccount\n-\nadd: pwresetStatus\npwresetStatus: pending\n-\nadd: pwresetEnrolled\npwresetEnrolled: 20261206000000Z\n-\nadd: pwresetCodeHash\npwresetCodeHash: %s\n-\nadd: pwresetCodeExpires\npwresetCodeExpires: 20991231000000Z\n-\ndelete: userPassword\n-\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n' \
    "$CAROL" "$CODE" | as admin
allowed "admin enrols carol (auxiliary class, pending and locked, no password, setup code)"
mod "$CAROL" add objectClass inetOrgPerson | as admin
refused "admin cannot add other object classes"
mod "$CAROL" replace uidNumber 0 | as admin
refused "admin cannot change uidNumber"

# Activation through a setup code: only "pending" -> "active", only then.
mod "$CAROL" delete pwresetCodeHash | as admin
allowed "admin withdraws the setup code"
mod "$CAROL" replace userPassword carol-new-0 | as host
refused "host cannot set a pending account's password without a setup code"
mod "$CAROL" add pwresetCodeHash "$CODE" | as admin
allowed "admin issues a new setup code"
printf 'dn: %s\nchangetype: modify\ndelete: pwresetStatus\npwresetStatus: pending\n-\nadd: pwresetStatus\npwresetStatus: blocked\n' \
    "$CAROL" | as host
refused "host cannot turn pending into blocked"
mod "$CAROL" replace pwresetStatus active | as host
refused "host cannot replace the status, even pending -> active"
printf 'dn: %s\nchangetype: modify\ndelete: pwresetStatus\npwresetStatus: pending\n-\nadd: pwresetStatus\npwresetStatus: active\n-\nreplace: pwresetStatusChanged\npwresetStatusChanged: 20261206000001Z\n-\ndelete: pwresetCodeHash\n-\ndelete: pwresetCodeExpires\n-\nreplace: userPassword\nuserPassword: carol-new-1\n' \
    "$CAROL" | as host -e "!assert=(pwresetCodeHash=$CODE)"
allowed "host activates carol with her setup code"
check "carol is active" test "$(attr admin "$CAROL" pwresetStatus)" = active
check "and unlocked: ppolicy lifted the lock with the new password" \
    test -z "$(attr admin "$CAROL" pwdAccountLockedTime)"
bind_as "$CAROL" carol-new-1
check "carol binds with the password she set" test "$RC" -eq 0
printf 'dn: %s\nchangetype: modify\ndelete: pwresetStatus\npwresetStatus: active\n-\nadd: pwresetStatus\npwresetStatus: pending\n' \
    "$CAROL" | as host
refused "host cannot turn active back into pending"

# Block: status, reason, and the ppolicy lock every ppolicy client honours.
printf 'dn: %s\nchangetype: modify\nreplace: pwresetStatus\npwresetStatus: blocked\n-\nreplace: pwresetReason\npwresetReason: left laptop on train\n-\nreplace: pwresetStatusChanged\npwresetStatusChanged: 20261206000002Z\n-\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n' \
    "$ALICE" | as admin
allowed "admin blocks alice"
check "host reads the lock" test "$(attr host "$ALICE" pwdAccountLockedTime)" = 000001010000Z
bind_as "$ALICE" alice-new-1
case $RC:$BIND in
49:*"Account locked"*) ok "ppolicy client: alice's account is locked" ;;
*) nok "ppolicy client after the block: rc $RC: $BIND" ;;
esac

# A password change would clear the lock: the host may not make one, even
# with a forced change or a code pending on the blocked account.
printf 'dn: %s\nchangetype: modify\nreplace: pwdReset\npwdReset: TRUE\n-\nreplace: pwresetCodeHash\npwresetCodeHash: %s\n' \
    "$ALICE" "$CODE" | as admin
allowed "admin forces a reset and issues a code on the blocked account"
mod "$ALICE" replace userPassword alice-new-3 | as host
refused "host cannot set a blocked account's password (it would unlock it)"
mod "$ALICE" delete pwdAccountLockedTime | as host
refused "host cannot unblock (delete pwdAccountLockedTime)"
check "alice is still locked" test "$(attr admin "$ALICE" pwdAccountLockedTime)" = 000001010000Z

# ppolicy lifts the lock with any password change unless the same modify
# deletes and re-adds it: how an admin sets a blocked account's password.
printf 'dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: alice-admin-1\n-\ndelete: pwdAccountLockedTime\n-\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n-\nreplace: pwdReset\npwdReset: TRUE\n' \
    "$ALICE" | as admin
allowed "admin sets blocked alice's password, re-adding the lock and pwdReset"
bind_as "$ALICE" alice-admin-1
case $RC:$BIND in
49:*"Account locked"*) ok "alice stays locked" ;;
*) nok "after the admin's password write: rc $RC: $BIND" ;;
esac

printf 'dn: %s\nchangetype: modify\nreplace: pwresetStatus\npwresetStatus: active\n-\ndelete: pwresetReason\n-\ndelete: pwdAccountLockedTime\n-\ndelete: pwresetCodeHash\n-\nreplace: pwresetNotice\npwresetNotice: unblocked\n' \
    "$ALICE" | as admin
allowed "admin unblocks alice"
bind_as "$ALICE" alice-admin-1
case $RC:$BIND in
0:*"Password must be changed"*) ok "alice binds again, and must still change her password" ;;
*) nok "after unblock: rc $RC: $BIND" ;;
esac
self_change "$ALICE" alice-admin-1 alice-self-1
check "alice makes the forced change herself, as SSSD does" test "$RC" -eq 0
bind_as "$ALICE" alice-self-1
check "then nothing is left to change" \
    test "$RC" -eq 0 -a "$(printf '%s' "$BIND" | grep -c 'must be changed')" -eq 0

# A temporary password: the password and pwdReset in one modify, its
# pwdChangedTime read back with the post-read control, then the flag (that
# time: the flag holds only for that password) and the end of validity,
# asserting the password is still the one.
printf 'dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: temp-pass-1\n-\nreplace: pwdReset\npwdReset: TRUE\n' \
    "$BOB" | as admin -e postread=pwdChangedTime
allowed "admin sets a temporary password with pwdReset"
TEMP_AT=$(sed -n 's/^pwdChangedTime: //p' "$LDAP_DIR/mod.out")
check "the post-read control returns its pwdChangedTime" \
    test "$TEMP_AT" = "$(attr admin "$BOB" pwdChangedTime)"
printf 'dn: %s\nchangetype: modify\nreplace: pwresetTemporary\npwresetTemporary: %s\n-\nreplace: pwresetTempExpires\npwresetTempExpires: 20991231000000Z\n' \
    "$BOB" "$TEMP_AT" | as admin -e "!assert=(pwdChangedTime=$TEMP_AT)"
allowed "admin marks it temporary, asserting it is still the current password"
check "pwdReset survives the admin's own password write" \
    test "$(attr host "$BOB" pwdReset)" = TRUE
mod "$BOB" replace pwresetTempExpires 20000101000000Z | as host
refused "host cannot change the end of a temporary password"
printf 'dn: %s\nchangetype: modify\nreplace: userPassword\nuserPassword: bob-own-1\n-\ndelete: pwresetTemporary\n-\ndelete: pwresetTempExpires\n' \
    "$BOB" | as host
allowed "host replaces the temporary password and clears its flag and end"
check "bob's forced change is done" \
    test -z "$(attr host "$BOB" pwdReset)$(attr host "$BOB" pwresetTemporary)$(attr host "$BOB" pwresetTempExpires)"

# Wrong passwords lock fleet-wide (ppolicy_use_lockout, pwdMaxFailure 5).
for _i in 1 2 3 4 5; do bind_as "$CAROL" wrong; done
bind_as "$CAROL" carol-new-1
case $RC:$BIND in
49:*"Account locked"*) ok "five wrong passwords lock carol in the directory" ;;
*) nok "after five wrong passwords: rc $RC: $BIND" ;;
esac
mod "$CAROL" replace pwdReset TRUE | as admin
allowed "admin forces a reset on carol while she is locked out"
mod "$CAROL" replace userPassword carol-new-2 | as host
refused "host cannot set the password of a locked-out account (it would lift the lockout)"
mod "$CAROL" replace userPassword carol-admin-1 | as admin
allowed "admin sets carol's password"
check "a plain password write lifts the lockout (ppolicy)" \
    test -z "$(attr admin "$CAROL" pwdAccountLockedTime)"

# Earlier passwords: only admins delete them (pwreset delete wipes them).
mod "$BOB" delete pwdHistory | as host -e relax
refused "host cannot delete bob's password history"
mod "$BOB" delete pwdHistory | as admin -e relax
allowed "admin deletes it (relax control)"

# Every password written above, by a host, an admin or the person, in
# clear or hashed, is stored as yescrypt (password-hash,
# ppolicy_hash_cleartext).
slapcat -f "$LDAP_DIR/slapd.conf" -a "(objectClass=posixAccount)" -o ldif-wrap=no \
    2>/dev/null | sed -n 's/^userPassword:: //p' >"$LDAP_DIR/pw.b64"
n=0 bad=0
while read -r v; do
    n=$((n + 1))
    # shellcheck disable=SC2016 # a hash prefix, not an expansion
    case $(printf '%s' "$v" | base64 -d) in
    '{CRYPT}$y$'*) ;;
    *) bad=$((bad + 1)) ;;
    esac
done <"$LDAP_DIR/pw.b64"
check "all 3 people's passwords are stored as {CRYPT} yescrypt ($bad not)" \
    test "$n" -eq 3 -a "$bad" -eq 0

# Delete (a tombstone): status, lock, no password, no history, one modify.
check "alice has a password history (slapd keeps it)" test -n "$(
    slapcat -f "$LDAP_DIR/slapd.conf" -a "(uid=alice)" 2>/dev/null | grep '^pwdHistory')"
printf 'dn: %s\nchangetype: modify\nreplace: pwresetStatus\npwresetStatus: deleted\n-\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n-\ndelete: userPassword\n-\ndelete: pwdHistory\n' \
    "$ALICE" | as admin -e relax
allowed "admin deletes alice: tombstone, lock, password and history gone"
bind_as "$ALICE" alice-self-1
check "alice can no longer bind" test "$RC" -eq 49
check "no password or history is left in her entry" test -z "$(
    slapcat -f "$LDAP_DIR/slapd.conf" -a "(uid=alice)" 2>/dev/null |
        grep -E '^(userPassword|pwdHistory)')"

# --- paged searches and the limits lines ---------------------------------------

count_paged() {
    ldapsearch -x -LLL -H "$LDAP_URI" -D "$1" -w "$2" -E pr=2/noprompt \
        -b "$PEOPLE" "(objectClass=pwresetAccount)" dn 2>&1
}
ldap_stop
LDAP_CONF_EDIT='s/^sizelimit.*/sizelimit 1/'
ldap_start || hard_error "cannot restart slapd"
check "host pages through all 2 enrolled people (sizelimit 1)" \
    test "$(count_paged "$LDAP_HOST_DN" "$LDAP_HOST_PW" | grep -c '^dn:')" -eq 2
check "admin pages through them too" \
    test "$(count_paged "$LDAP_ADMIN_DN" "$LDAP_ADMIN_PW" | grep -c '^dn:')" -eq 2
ldap_stop
LDAP_CONF_EDIT='s/^sizelimit.*/sizelimit 1/; /^limits/,/time\.hard/d'
ldap_start || hard_error "cannot restart slapd"
case $(count_paged "$LDAP_HOST_DN" "$LDAP_HOST_PW") in
*"Size limit exceeded"*) ok "without the limits lines the same search is cut short" ;;
*) nok "paged search without limits was not limited" ;;
esac
ldap_stop

finish
