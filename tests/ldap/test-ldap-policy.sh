#!/bin/sh
# test-ldap-policy.sh - ldap_password_policy = yes: new passwords go to the
# directory as typed, slapd hashes them (ppolicy_hash_cleartext) and its
# password policy refuses a reuse (pwdInHistory), reported as pwreset's own
# history refusal (exit 6, "It was used recently", policy_rejected
# reason=reused_recently), for a user's change (voluntary or forced) and an
# administrator's set-password, which --allow-reuse still lets through.
# Without the key the directory sees hashes and a reuse goes through.
# Root only (private mount namespace); skipped (77) without slapd and
# ldap-utils.  Every process it starts is stopped by the EXIT trap.
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC1091,SC2154,SC2317,SC2016
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/ldap/slapd.sh"

ldap_require
enter_private_ns PWR_LDAP_POLICY_NS "$0"
suid_workdir pwr-ldappol

PEOPLE="ou=people,$LDAP_BASE"
ALICE="uid=alice,$PEOPLE"

LDAP_CONF_EDIT='s|^rootdn.*|&\nrootpw test-root-secret|'
ldap_start || hard_error "slapd did not start"
trap 'ldap_stop; rm -rf "$T"' EXIT

ldap_secrets "$T/state"
conf() { _cf=$1; shift; ldap_host_conf "$_cf" "$T/state" "$@"; }
conf "$T/pol" "ldap_password_policy = yes"
conf "$T/off"

# req CONF KEY=VALUE...: ldap_req (slapd.sh); RC its exit status.
req() {
    ldap_req "$@"
    RC=$LDAP_RC
}
rep() { sed -n "s/^$1 //p" "$T/rep" | head -n 1; }
said() { rep message | grep -q "$1"; }
# event FIELD...: an audit event of this request has all the FIELDs
event() {
    _l=$(cat "$T/ev")
    for _f in "$@"; do
        _l=$(printf '%s\n' "$_l" | grep -F -- " $_f" || printf '%s\n' "$_l" | grep -F -- "$_f")
    done
    [ -n "$_l" ]
}
binds() {
    ldapwhoami -x -H "$LDAP_URI" -D "$ALICE" -w "$1" >/dev/null 2>&1
}
# stored: alice's userPassword as slapd keeps it (read as the rootdn).
stored() {
    ldapsearch -x -LLL -o ldif-wrap=no -H "$LDAP_URI" -D "cn=admin,$LDAP_BASE" \
        -w test-root-secret -b "$ALICE" -s base userPassword |
        sed -n 's/^userPassword:: //p' | base64 -d 2>/dev/null
}
change() { # CONF OLD NEW: alice changes her own password
    req "$1" op=chauthtok user=alice "proof=$2" "new=$3"
}

P1=Harbor-Lantern-4471
P2=Meadow-Copper-9032
P3=Quartz-Violet-2285

change "$T/pol" alice-secret "$P1"
check "a voluntary change goes to the directory as typed (exit 0, was $RC)" [ "$RC" = 0 ]
check "... and works for a bind" binds "$P1"
S=$(stored)
check "... stored hashed by slapd (ppolicy_hash_cleartext): {CRYPT}\$y\$..." \
    sh -c 'case "$1" in "{CRYPT}\$y\$"*) true ;; *) false ;; esac' sh "$S"
check "... not as typed" sh -c '! printf "%s" "$1" | grep -qF -- "$2"' sh "$S" "$P1"
change "$T/pol" "$P1" "$P2"
check "another change (exit 0, was $RC)" [ "$RC" = 0 ]

change "$T/pol" "$P2" "$P1"
check "a password from the directory's history is refused (exit 6, was $RC)" [ "$RC" = 6 ]
check "... saying it was used recently" said "used%20recently"
check "... with the violation reused_recently" [ "$(rep violations)" = reused_recently ]
check "... audited as policy_rejected reason=reused_recently" \
    event event=policy_rejected user=alice reason=reused_recently backend=ldap
check "... and the password is unchanged" binds "$P2"

req "$T/pol" op=set_password user=alice "password=$P1"
check "an admin's set-password to an old password is refused too (exit 6, was $RC)" [ "$RC" = 6 ]
req "$T/pol" op=set_password user=alice "password=$P1" allow_reuse=1
check "... unless the admin allows the reuse (exit 0, was $RC)" [ "$RC" = 0 ]
check "... and it works again" binds "$P1"

req "$T/pol" op=force_reset user=alice
check "force-reset (exit 0, was $RC)" [ "$RC" = 0 ]
change "$T/pol" "$P1" "$P2"
check "the forced change (the host writes it) refuses a reuse as well (exit 6, was $RC)" [ "$RC" = 6 ]
change "$T/pol" "$P1" "$P3"
check "... and takes a fresh password (exit 0, was $RC)" [ "$RC" = 0 ]
check "... which works" binds "$P3"
check "... and the forced reset is done" [ -z "$(ldapsearch -x -LLL -H "$LDAP_URI" -D "cn=admin,$LDAP_BASE" -w test-root-secret -b "$ALICE" -s base pwdReset | sed -n 's/^pwdReset: //p')" ]

change "$T/off" "$P3" "$P1"
check "without ldap_password_policy the directory sees a hash: a reuse goes through (exit $RC)" \
    [ "$RC" = 0 ]

finish
