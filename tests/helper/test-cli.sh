#!/bin/sh
# test-cli.sh - every pwreset command and every refusal, through the real
# CLI and the build-tree pwreset-helper run WITHOUT privilege on files the
# test user owns (the helper then honours the request's config path; no
# check is switched off).  Audit events are captured from a real syslog
# datagram socket (audit_sink) and compared exactly; bad input must leave
# the store byte for byte unchanged; no test secret may appear in any log
# line or in the store.
# SPDX-License-Identifier: BSD-3-Clause
#
# The test user is an administrator here (admin_group = its primary
# group); a second configuration with another admin_group makes it an
# ordinary user.  Targets are existing system accounts (daemon, bin, ...):
# the helper refuses accounts the system does not know.  Run as root, the
# script runs itself as "nobody", so every refusal is a real one.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

as_nobody "$here/test-cli.sh"
cli_workdir pwrcli
command -v setsid >/dev/null 2>&1 || skip_all "no setsid"

# Ordinary system accounts: not me, not in my group (which is admin_group).
need_accounts 7
OTHER_ADMIN=$(getent passwd | cut -d: -f1 | while read -r u; do
    [ "$u" != "$ME" ] && mygroups "$u" | grep -qx "$MYGROUP" && { echo "$u"; break; }
done)
NOTMINE=$(getent group | cut -d: -f1 | while read -r g; do
    mygroups "$ME" | grep -qx "$g" || { echo "$g"; break; }
done)

# conf: the test user administers; conf_user: it is an ordinary user.
cli_conf_defaults
CONF_DEFAULTS="$CONF_DEFAULTS
protected_users = $U5
reset_code_max_attempts = 3"
write_conf "$T/conf"
write_conf "$T/conf_user" "admin_group = $NOTMINE"

hash_of() { printf '%s\n' "$1" | "$MKHASH" password 1; }
code_hash_of() { printf '%s\n' "$1" | "$MKHASH" code; }

# The test user's own account, written as a fixture: as an administrator
# it is protected, so nobody but root could enrol it through the helper.
PW_A=Amber-Falcon-Quartz-8812
secret "$PW_A"
printf 'pwreset-store 1\n%s status=active flags=must_change hash=%s changed=1\nend 1\n' \
    "$ME" "$(hash_of "$PW_A")" >"$T/store"
chmod 600 "$T/store"

# Replace my own record (same login, so the order and count stay valid).
seed_self() {
    awk -v me="$ME" -v rec="$ME $1" '$1 == me { print rec; next } { print }' \
        "$T/store" >"$T/store.new" && mv "$T/store.new" "$T/store"
    chmod 600 "$T/store"
    rm -rf "$T/store.fail"
}

pwfile() { printf '%s\n' "$@" >"$T/in"; }

# ---- global ---------------------------------------------------------------
run --help
check "pwreset --help lists the commands" [ "$RC" = 0 ]
for c in enrol import set-password temp-password force-reset reset-code block \
         unblock deactivate activate delete purge undelete logout passwd \
         status audit; do
    run "$c" --help
    if [ "$RC" = 0 ] && out_has "usage: pwreset $c"; then ok "$c --help"; else nok "$c --help"; fi
done
run frobnicate
expect "an unknown command is a usage error" 2 ""
run status --bogus
expect "an unknown option is a usage error" 2 ""
check "... and the message names the option" err_has "unknown option: '--bogus'"
run --conf "$T/no-such.conf" status
expect "a missing --config file is a configuration error (11)" 11 ""
check "... naming the file" err_has "no-such.conf"
snap
run block "$U1" --reason
expect "an option without its value is a usage error" 2 ""
check "... the message says which option needs a value" err_has "option '--reason' needs a value"
check "... and the store is untouched" unchanged

# ---- enrol -----------------------------------------------------------------
snap
run enrol "$U1" "$U2" "$U3"
expect "enrol makes active records, one event each" 0 \
    "account_enrolled account_enrolled account_enrolled"
check "enrolled accounts are in the store" grep -q "^$U3 status=active" "$T/store"
check "enrol is one write (the backup is the store before)" cmp -s "$T/store.bak" "$T/store.before"
run status "$U1"
check "status says an enrolled account has no password yet" \
    sh -c "[ $RC = 0 ] && grep -q 'no_password' '$T/out'"

run enrol --pending --json "$U4"
expect "enrol --pending issues a setup code" 0 "account_enrolled"
CODE4=$(sed -n 's/.*"code": "\([^"]*\)".*/\1/p' "$T/out")
secret "$CODE4"
check "the setup code is printed once as JSON" [ -n "$CODE4" ]
check "the event says pending and when it expires" ev_has "detail=pending expires="
check "a pending record is stored" grep -q "^$U4 status=pending .*code=" "$T/store"

snap
run enrol "$U1"
expect "enrolling an enrolled account is refused (exists)" 12 ""
check "... and writes nothing" unchanged
run enrol "nosuchuser-$$"
expect "enrolling an unknown system user is refused" 4 ""
run enrol 'bad:name'
expect "a login with ':' is refused" 2 ""
run enrol "$(printf 'bad\nname')"
expect "a login with a newline is refused" 2 ""
run enrol "$U5"
expect "a protected_users account is refused to an admin" 3 "permission_denied"
check "... with reason protected_account" ev_has "reason=protected_account"
run enrol root
expect "root is refused to an admin" 3 "permission_denied"
run --conf "$T/conf_user" enrol "$U6"
expect "a non-admin may not enrol" 3 "permission_denied"
check "... with reason not_admin" ev_has "reason=not_admin"
run enrol --ttl 1h "$U6"
expect "--ttl without --pending is a usage error" 2 ""

# With the host's own login.defs, a system account (uid below
# UID_MIN) is protected from an admin; so is a member of protected_groups.
grep -v '^login_defs' "$T/conf" >"$T/conf_sys"
HOST_UID_MIN=$(awk '$1 == "UID_MIN" { print $2 }' /etc/login.defs 2>/dev/null)
if [ "$(id -u "$U6")" -lt "${HOST_UID_MIN:-1000}" ]; then
    run --conf "$T/conf_sys" enrol "$U6"
    expect "a system account (uid < UID_MIN) is refused to an admin" 3 "permission_denied"
    check "... saying why" err_has "system account: uid outside UID_MIN..UID_MAX"
else
    ok "# SKIP $U6 has uid >= UID_MIN here"
    ok "# SKIP (same)"
fi
{ cat "$T/conf"; echo "protected_groups = sudo $(id -gn "$U6")"; } >"$T/conf_pg"
run --conf "$T/conf_pg" enrol "$U6"
expect "a member of a protected_groups group is refused to an admin" 3 "permission_denied"
check "... saying why" err_has "a member of a group in protected_groups"
check "none of the refusals changed the store" unchanged

# ---- import ----------------------------------------------------------------
PW_IMP=Shadow-Imported-Value-4471
secret "$PW_IMP"
H_IMP=$(hash_of "$PW_IMP")
cat >"$T/shadow" <<EOF
$U3:$H_IMP:19000:0:99999:7:::
$U5:$H_IMP:19000:0:99999:7:::
$U6:$H_IMP:19000:0:99999:7:::
$U7:!:19000:0:99999:7:::
ghost-$$:$H_IMP:19000:0:99999:7:::
root:$H_IMP:19000:0:99999:7:::
EOF
chmod 600 "$T/shadow"
run import --shadow "$T/shadow" "$U3"
expect "import USER refreshes the hash from shadow" 0 "account_enrolled"
check "... event detail=refreshed" ev_has "detail=refreshed"
check "... the store carries the shadow hash" grep -qF "$H_IMP" "$T/store"
snap
run import --shadow "$T/shadow"
expect "import (all) brings in new usable hashes only (exit 13: some skipped)" 13 "account_enrolled"
check "... saying how many were skipped" err_has "2 account(s) skipped"
check "... for $U6" ev_has "user=$U6"
check "... leaving a locked hash alone (not its to take)" out_has "$U7: unchanged (locked"
check "... skipping a protected account" out_has "$U5: skipped (protected account)"
check "... skipping a name that is no system user" out_has "skipped (not a system user)"
check "... leaving accounts already in the store alone" out_has "$U3: unchanged (already in the store)"
check "... leaving root (uid 0) alone unless named" out_has "root: unchanged (uid 0: name it to import it)"
snap
run import --shadow "$T/shadow" "$U2" 
expect "import of an account missing from shadow is refused" 4 ""
check "... and writes nothing" unchanged

# ---- set-password ----------------------------------------------------------
PW1=Velvet-Harbor-Lantern-5520
secret "$PW1"
pwfile "$PW1"
snap
run --in "$T/in" set-password "$U1" --stdin --yes
expect "set-password sets the password" 0 "password_set_by_admin"
check "... event temporary=no" ev_has "temporary=no"
check "... the hash changed" sh -c "! cmp -s '$T/store' '$T/store.before'"

snap
run --no-tty --in "$T/in" set-password "$U1" --stdin
expect "set-password without --yes and without a terminal refuses" 9 ""
check "... and writes nothing" unchanged

bad_input() { # DESC RC EVENTS FILE-CONTENT... : store must stay unchanged
    _d=$1 _r=$2 _e=$3
    shift 3
    snap
    run --in "$T/in" set-password "$U1" --stdin --yes "$@"
    expect "$_d" "$_r" "$_e"
    check "$_d: store unchanged" unchanged
}
pwfile short
bad_input "a short password is rejected by policy" 6 "policy_rejected"
check "... reason too_short in the event" ev_has "reason=too_short"
check "... the reason is explained" err_has "password rejected"
pwfile "${U1}-Velvet-Harbor-99"
bad_input "a password containing the login is rejected" 6 "policy_rejected"
check "... reason contains_login" ev_has "contains_login"
: >"$T/in"
bad_input "an empty stdin is refused" 2 ""
printf '\n' >"$T/in"
bad_input "an empty password is refused" 2 ""
awk 'BEGIN { s = ""; for (i = 0; i < 300; i++) s = s "q"; print s "-Za9" }' >"$T/in"
bad_input "a 300-character password is rejected by policy (too_long)" 6 "policy_rejected"
check "... reason too_long" ev_has "too_long"
awk 'BEGIN { s = ""; for (i = 0; i < 5000; i++) s = s "w"; print s }' >"$T/in"
bad_input "an over-long (5000 bytes) password is refused" 2 ""
printf 'Velvet-\377\376-Harbor-Lantern\n' >"$T/in"
bad_input "a password that is not UTF-8 is refused" 2 ""
pwfile "$PW1"
bad_input "a bad duration is refused" 2 "" --temporary --ttl 5x
bad_input "--ttl without --temporary is refused" 2 "" --ttl 2h
snap
run --in "$T/in" set-password "nosuchuser-$$" --stdin --yes
expect "set-password on an unknown user is refused" 4 ""
run --in "$T/in" set-password "$U7" --stdin --yes
expect "set-password on a system user not in the store is refused" 4 ""
check "... saying it is not managed" err_has "not managed by pwreset"
run --in "$T/in" set-password root --stdin --yes
expect "set-password on root is refused to an admin" 3 "permission_denied"
run --in "$T/in" set-password "$U5" --stdin --yes
expect "set-password on a protected_users account is refused" 3 "permission_denied"
if [ -n "$OTHER_ADMIN" ]; then
    run --in "$T/in" set-password "$OTHER_ADMIN" --stdin --yes
    expect "set-password on another admin ($OTHER_ADMIN) is refused" 3 "permission_denied"
else
    echo "# no other member of $MYGROUP on this system: another-admin case only in test-setuid.sh"
fi
run --in "$T/in" set-password "$ME" --stdin --yes
expect "an admin may not set its own password as admin" 3 "permission_denied"
run --conf "$T/conf_user" --in "$T/in" set-password "$U1" --stdin --yes
expect "a non-admin may not set passwords" 3 "permission_denied"
check "none of those changed the store" unchanged

PW2=Copper-Meadow-Signal-3398
secret "$PW2"
pwfile "$PW2"
run --in "$T/in" set-password "$U1" --stdin --yes --temporary --ttl 2h
expect "set-password --temporary --ttl" 0 "password_set_by_admin"
check "... event temporary=yes with an expiry" ev_has "temporary=yes.*expires="
check "... must_change is on by default" ev_has "detail=must_change"

# ---- temp-password ---------------------------------------------------------
run temp-password "$U2" --yes --json
expect "temp-password sets a generated password" 0 "password_set_by_admin"
TEMP2=$(sed -n 's/.*"password": "\([^"]*\)".*/\1/p' "$T/out")
secret "$TEMP2"
check "... printed once as JSON" [ -n "$TEMP2" ]
check "... event method=generated temporary=yes" ev_has "temporary=yes method=generated"
run temp-password "$U2" --yes
TEMP2B=$(sed -n 's/^Temporary password for [^:]*: //p' "$T/out")
secret "$TEMP2B"
expect "temp-password without --json prints it plainly" 0 "password_set_by_admin"
check "... a new one each time" [ -n "$TEMP2B" ] && [ "$TEMP2B" != "$TEMP2" ]
snap
run --no-tty temp-password "$U2"
expect "temp-password without --yes and a terminal refuses" 9 ""
check "... and writes nothing" unchanged
run temp-password "$U2" --yes --ttl 366d
expect "temp-password --ttl beyond temporary_password_ttl's range is refused" 2 ""
check "... with the configuration's range" err_has "out of range (1m..365d)"
run temp-password "$U2" --yes --ttl 45d
secret "$(sed -n 's/^Temporary password for [^:]*: //p' "$T/out")"
expect "temp-password --ttl 45d is within it" 0 "password_set_by_admin"
snap

# ---- force-reset -----------------------------------------------------------
snap
run force-reset "$U3" "$U6"
expect "force-reset flags each account, one event each" 0 \
    "force_password_reset_set force_password_reset_set"
check "... in one write" cmp -s "$T/store.bak" "$T/store.before"
run force-reset "$U3"
expect "force-reset of a flagged account changes nothing" 0 ""
snap
run force-reset --dry-run --clear "$U3" "$U6"
expect "--dry-run writes nothing and logs nothing" 0 ""
check "... store unchanged" unchanged
check "... it says what would change" out_has "$U6: would_change"
run force-reset --clear "$U6"
expect "force-reset --clear" 0 "force_password_reset_cleared"
G3=$(id -gn "$U3")
run force-reset --group "$G3"
check "force-reset --group $G3 flags members in the store (or none)" [ "$RC" = 0 ]
run force-reset --group "nosuchgroup$$"
expect "force-reset --group of an unknown group" 4 ""
snap
run force-reset --all
expect "force-reset --all flags every eligible account not yet flagged (exit 13: some skipped)" 13 \
    "$(grep ': changed$' "$T/out" | while read -r l; do printf 'force_password_reset_set '; done | sed 's/ $//')"
check "... which includes the one just cleared" out_has "$U6: changed"
check "... skipping my own (protected) account" out_has "$ME: skipped (protected account)"
check "... in one write" cmp -s "$T/store.bak" "$T/store.before"
run force-reset
expect "force-reset without targets is a usage error" 2 ""
run force-reset "$U1" --all
expect "force-reset with users and --all is a usage error" 2 ""

# ---- reset-code ------------------------------------------------------------
run reset-code "$U1" "$U3" --ttl 30m --json
expect "reset-code issues a code per account" 0 "reset_code_issued reset_code_issued"
for c in $(sed -n 's/.*"code": "\([^"]*\)".*/\1/p' "$T/out"); do secret "$c"; done
check "... two codes printed" [ "$(grep -c '"code": "' "$T/out")" = 2 ]
check "... the event carries the expiry" ev_has "expires="
run reset-code "$U1"
expect "a newer code replaces the older" 0 "reset_code_issued"
secret "$(sed -n 's/^[^:]*: reset code \([^ ]*\) .*/\1/p' "$T/out")"
check "... and says so" out_has "reset code"
snap
run reset-code "$U1" --ttl 0
expect "reset-code with a zero ttl is refused" 2 ""
run reset-code "$U1" --ttl 45d
expect "reset-code --ttl beyond the reset_code_ttl range is refused" 2 ""
check "... with the same range as the configuration" err_has "out of range (1m..30d)"
run reset-code "$U1" --ttl 90
expect "a --ttl without a unit is refused" 2 ""
check "... and the message asks for one" err_has "needs a unit"
check "... store unchanged" unchanged
run reset-code "$U7"
expect "reset-code for an account not in the store is refused" 4 ""
check "... store unchanged" unchanged

# ---- block / unblock / deactivate / activate, eligibility ------------------
run block "$U3" --reason "lost laptop"
# block, deactivate and delete end the sessions too, and say so
expect "block" 0 "account_blocked sessions_revoked"
check "... the reason is in the event" ev_has 'reason="lost laptop"'
check "... and says how the sessions were ended" \
    out_has "^sessions ended through [a-z]* (1 account(s)); [0-9]* process(es) signalled$"
run block "$U3"
expect "blocking a blocked account changes nothing" 0 ""
snap
pwfile "$PW1"
run --in "$T/in" set-password "$U3" --stdin --yes
expect "set-password on a blocked account is ineligible" 5 ""
run temp-password "$U3" --yes
expect "temp-password on a blocked account is ineligible" 5 ""
run reset-code "$U3"
expect "reset-code on a blocked account is ineligible" 5 ""
run force-reset "$U3" "$U1"
expect "force-reset naming a blocked account refuses the whole op" 5 ""
run activate "$U3"
expect "activate does not lift a block" 5 ""
run block "$U7"
expect "block of an account not in the store" 4 ""
run block "$U1" --reason "$(printf 'evil\nevent=fake')"
expect "a reason with a newline is refused" 2 ""
check "none of that changed the store" unchanged
run status "$U3"
check "status explains a blocked login" sh -c "grep -q 'would be denied (blocked)' '$T/out' && grep -q 'lost laptop' '$T/out'"
run force-reset --all
check "force-reset --all skips the blocked account" out_has "$U3: skipped (account is blocked)"
run unblock "$U3"
expect "unblock" 0 "account_unblocked"
run deactivate "$U6" --keep-sessions
expect "deactivate --keep-sessions leaves the sessions alone" 0 "account_deactivated"
run activate "$U6"
expect "activate again" 0 "account_activated"
check "... back to active" grep -q "^$U3 status=active" "$T/store"
run deactivate "$U2" --reason seasonal
expect "deactivate" 0 "account_deactivated sessions_revoked"
check "... and says how the sessions were ended" out_has "^sessions ended through "
run status --json "$U2"
check "status --json says an inactive account may not log in" \
    sh -c "grep -q '\"login_allowed\": false' '$T/out' && grep -q '\"reason\": \"inactive\"' '$T/out'"
run activate "$U2"
expect "activate" 0 "account_activated"
run block "$U4"
run unblock "$U4"
check "unblocking a never-set-up account makes it pending again" grep -q "^$U4 status=pending" "$T/store"
run activate "$U4"
expect "activate leaves a pending account without a password pending" 0 ""
check "... says why" out_has "still pending: no password yet"
check "... and changes nothing" grep -q "^$U4 status=pending" "$T/store"
PW_P=Quartz-Lantern-Meadow-4471
secret "$PW_P"
printf '%s\n' "$PW_P" >"$T/in"
run --in "$T/in" set-password "$U4" --stdin --yes
expect "set-password on a pending account" 0 "password_set_by_admin"
check "... leaves it pending (a reset never changes the status)" \
    grep -q "^$U4 status=pending" "$T/store"
check "... and tells the admin how to finish its set-up" \
    err_has "still pending .*pwreset activate $U4"
run activate "$U4"
expect "activate finishes the set-up of a pending account with a password" 0 \
    "account_activated"
check "... which is now active" grep -q "^$U4 status=active" "$T/store"

# ---- delete ----------------------------------------------------------------
run --no-tty delete "$U2"
expect "delete without --yes and a terminal refuses" 9 ""
run delete "$U2" --yes --reason "left the company"
expect "delete" 0 "account_deleted sessions_revoked"
check "... keeps a tombstone without a hash" sh -c "grep '^$U2 ' '$T/store' | grep -q 'status=deleted' && ! grep '^$U2 ' '$T/store' | grep -q 'hash='"
snap
run --in "$T/in" set-password "$U2" --stdin --yes
expect "set-password on a deleted account is ineligible" 5 ""
run reset-code "$U2"
expect "reset-code on a deleted account is ineligible" 5 ""
run delete "$U2" --yes
expect "deleting twice is ineligible" 5 ""
run enrol "$U2"
expect "a deleted account cannot be enrolled again" 12 ""
# A named account import skips fails the command, saying why
printf '%s:%s:19000:0:99999:7:::\n' "$U2" "$H_IMP" >"$T/shadow2"
chmod 600 "$T/shadow2"
run import --shadow "$T/shadow2" "$U2"
expect "import of a deleted account fails (not: skipped, exit 0)" 5 ""
check "... saying it is deleted and what root can do" err_has "deleted (root may run pwreset undelete or pwreset purge)"
run import --shadow "$T/shadow" "$U7"
expect "import of a named account with a locked hash fails" 5 ""
check "... saying why" err_has "locked or no password"
# undoing a delete is root's (the admin here is not root)
run --no-tty purge "$U2"
expect "purge without --yes and a terminal refuses" 9 ""
run purge "$U2" --yes
expect "purge by an admin is refused" 3 "permission_denied"
check "... reason not_root" ev_has "reason=not_root"
run undelete "$U2"
expect "undelete by an admin is refused" 3 "permission_denied"
check "... store unchanged" unchanged

# ---- logout ----------------------------------------------------------------
run logout "$U6"
expect "logout ends the sessions and says how" 0 "sessions_revoked"
check "... naming the method" sh -c "grep -q 'logind\|signal' '$T/out'"
check "... event method and count" ev_has "method=[a-z]* count=[0-9]"
run logout root
expect "logout of root is refused" 3 "permission_denied"
run --conf "$T/conf_user" logout "$U6"
expect "a non-admin may not log others out" 3 "permission_denied"
# Not root: only accounts in the store
run logout "$U7"
expect "logout of an account not in the store is refused to an admin" 3 "permission_denied"
check "... reason not_in_store" ev_has "reason=not_in_store"
check "... saying it is not managed" err_has "not managed by pwreset"

# ---- passwd and verify: self-service ---------------------------------------
PW_B=Granite-Willow-Beacon-6604
PW_C=Saffron-Ledger-Orbit-2290
PW_D=Tundra-Mosaic-Ember-7715
PW_E=Harbor-Nimbus-Thistle-4058
for s in "$PW_B" "$PW_C" "$PW_D" "$PW_E"; do secret "$s"; done
pwfile "$PW_A" "$PW_B"
run --conf "$T/conf_user" --in "$T/in" passwd --stdin
expect "passwd with the current password completes a forced reset" 0 "password_reset_completed"
check "... must_change is cleared" sh -c "! grep '^$ME ' '$T/store' | grep -q must_change"
pwfile "$PW_B" "$PW_C"
run --in "$T/in" passwd --stdin
expect "passwd without a flag is a plain change" 0 "password_changed"
snap
pwfile "$PW_A" "$PW_D"
run --in "$T/in" passwd --stdin
expect "passwd with a wrong current password" 8 "auth_failed"
check "... reason wrong_password" ev_has "reason=wrong_password"
check "... store unchanged" unchanged
pwfile "$PW_C" "short"
run --in "$T/in" passwd --stdin
expect "passwd with a weak new password" 6 "policy_rejected"
pwfile "$PW_C" "$PW_C"
run --in "$T/in" passwd --stdin
expect "passwd reusing the current password" 6 "policy_rejected"
check "... reason reused" ev_has "reused"
check "... store unchanged" unchanged

CODE_S=7k2mp-q9xrt-4hvwz-ce3na
secret "$CODE_S"
FAR=4102444800
seed_self "status=active hash=$(hash_of "$PW_C") changed=1 code=$(code_hash_of "$CODE_S") code_expires=$FAR"
pwfile "7K2MP Q9XRT 4HVWZ CE3NA" "$PW_D"
run --in "$T/in" passwd --stdin
expect "passwd with a reset code (typed loosely) uses it" 0 \
    "reset_code_used password_reset_completed"
check "... the code is gone" sh -c "! grep '^$ME ' '$T/store' | grep -q 'code='"

seed_self "status=active hash=$(hash_of "$PW_C") changed=1 code=$(code_hash_of "$CODE_S") code_expires=$FAR"
pwfile "22222-33333-44444-55555" "$PW_D"
run --in "$T/in" passwd --stdin
expect "a wrong code is one counted try" 8 "reset_code_rejected"
check "... reason wrong_code" ev_has "reason=wrong_code"
check "... counted in the store" sh -c "grep '^$ME ' '$T/store' | grep -q 'code_tries=1'"
run --in "$T/in" passwd --stdin
run --in "$T/in" passwd --stdin
expect "the last allowed wrong try kills the code" 8 "reset_code_rejected"
check "... reason too_many_attempts" ev_has "reason=too_many_attempts"
check "... the code is gone from the store" sh -c "! grep '^$ME ' '$T/store' | grep -q 'code='"
pwfile "$CODE_S" "$PW_D"
run --in "$T/in" passwd --stdin
expect "the right code no longer works after that" 8 "auth_failed"

CODE_P=m3n4p-5q6r7-s8t9u-vwxyz
secret "$CODE_P"
seed_self "status=pending code=$(code_hash_of "$CODE_P") code_expires=$FAR"
pwfile "$CODE_P" "$PW_E"
run --in "$T/in" passwd --stdin
expect "a pending account sets its first password with the setup code" 0 \
    "reset_code_used password_reset_completed"
check "... and becomes active" grep -q "^$ME status=active" "$T/store"

PW_T=Temporary-Given-Value-1188
secret "$PW_T"
seed_self "status=active flags=must_change,temporary hash=$(hash_of "$PW_T") changed=1 temp_expires=1000"
pwfile "$PW_T" "$PW_D"
run --in "$T/in" passwd --stdin
expect "an expired temporary password is refused" 8 "auth_failed"
check "... reason temporary_expired" ev_has "reason=temporary_expired"

seed_self "status=blocked hash=$(hash_of "$PW_C") changed=1"
pwfile "$PW_C" "$PW_D"
run --in "$T/in" passwd --stdin
expect "a blocked account cannot change its password" 5 ""

seed_self "status=active hash=$(hash_of "$PW_C") changed=1"
pwfile "$PW_A" "$PW_D"
for i in 1 2 3 4 5; do run --in "$T/in" passwd --stdin; done
snap
pwfile "$PW_C" "$PW_D"
run --in "$T/in" passwd --stdin
expect "after 5 failures even the right password is refused (rate limit)" 8 "auth_failed"
check "... reason rate_limited" ev_has "reason=rate_limited"
check "... store unchanged" unchanged
rm -rf "$T/store.fail"

# verify is the PAM module's op; talk to the helper directly.
helper_req() { # OP USER [KEY VALUE]...: one raw request, result in $T/out
    _op=$1 _user=$2
    shift 2
    {
        printf 'pwreset-helper 1\nop %s\nconfig %s\nuser %s\n' "$_op" "$T/conf_user" "$_user"
        while [ $# -ge 2 ]; do printf '%s %s\n' "$1" "$2"; shift 2; done
        printf 'end\n'
    } >"$T/req"
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- "$PWRESET_HELPER" <"$T/req" >"$T/out" 2>"$T/err"
    RC=$?
    cat "$T/ev.raw" >>"$T/audit.all"
    sed -n 's/^.*pwreset\[[0-9]*\]: //p' "$T/ev.raw" >"$T/ev"
}
seed_self "status=active flags=must_change,temporary hash=$(hash_of "$PW_T") changed=1 temp_expires=1000"
helper_req verify "$ME" password "$PW_T"
expect "verify of an expired temporary password" 8 "auth_failed"
check "... the reply says expired (for the PAM module)" grep -q '^expired 1$' "$T/out"
seed_self "status=active hash=$(hash_of "$PW_C") changed=1"
helper_req verify "$ME" password "$PW_C"
expect "verify of my own password" 0 ""
check "... replies the method and the login decision" \
    sh -c "grep -q '^method password' '$T/out' && grep -q '^login allow' '$T/out'"
helper_req verify "$ME" password "$PW_D"
expect "verify of a wrong password" 8 "auth_failed"
helper_req verify "$U1" password "$PW1"
expect "verify of someone else's password is refused" 3 "permission_denied"
check "... reason not_own_account" ev_has "reason=not_own_account"
helper_req chauthtok "$U1" new "$PW_D" proof "$PW1"
expect "chauthtok on someone else's account is refused" 3 "permission_denied"
helper_req status "$ME" bogus 1
expect "a key the op does not take is refused" 2 ""
helper_req nosuchop "$ME"
expect "an unknown op is refused" 2 ""

# ---- status ----------------------------------------------------------------
run status --json
check "status --json is a JSON array" sh -c "[ $RC = 0 ] && head -c1 '$T/out' | grep -q '\\['"
if command -v python3 >/dev/null 2>&1 && python3 -c 'import json' 2>/dev/null; then
    check "status --json parses and has every documented key" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
keys = {"user", "status", "must_change", "temporary", "temporary_expires",
        "code_pending", "code_expires", "last_change", "login_allowed", "reason"}
assert len(a) >= 6, a
for o in a:
    assert keys <= set(o), set(o) ^ keys
' "$T/out"
fi
run status "$U1"
check "status explains a pending reset code" sh -c "grep -q 'reset code pending until' '$T/out'"
check "status of accounts writes no audit event" [ "$(events)" = "" ]
run status "$U7"
expect "status of an account not in the store" 4 ""
run --conf "$T/conf_user" status "$U1"
expect "a non-admin may not read another account" 3 "permission_denied"
# No internal limit reaches the user.  10,000 accounts are far
# more than one protocol frame holds (64 KiB): every one is listed, in one
# valid JSON document, and 5,000 names fit on one command line.
awk 'BEGIN { print "pwreset-store 1"
             for (i = 1; i <= 10000; i++) printf "zz%05d status=active changed=1\n", i
             print "end 10000" }' >"$T/big"
chmod 600 "$T/big"
sed "s|^store = .*|store = $T/big|" "$T/conf" >"$T/conf_big"
run --conf "$T/conf_big" status --json
check "status --json lists all of 10,000 accounts" sh -c "[ $RC = 0 ] && [ ! -s '$T/err' ]"
if command -v python3 >/dev/null 2>&1; then
    check "... in one valid JSON document, each account once, in order" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
names = [o["user"] for o in a]
assert names == ["zz%05d" % i for i in range(1, 10001)], len(names)
' "$T/out"
fi
run --conf "$T/conf_big" status
check "status (text) lists all of 10,000 accounts" \
    sh -c "[ $RC = 0 ] && [ \$(grep -c '^zz[0-9]*: active' '$T/out') = 10000 ]"
# shellcheck disable=SC2046
run --conf "$T/conf_big" status --json $(awk 'BEGIN { for (i = 5000; i >= 1; i--) printf "zz%05d\n", i }')
if command -v python3 >/dev/null 2>&1; then
    check "status with 5,000 names lists those, in the order given" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert [o["user"] for o in a] == ["zz%05d" % i for i in range(5000, 0, -1)], len(a)
' "$T/out"
fi
# shellcheck disable=SC2046
run --conf "$T/conf_big" status --json $(awk 'BEGIN { for (i = 1; i <= 5000; i++) printf "zz%05d\n", i }') zz99999
check "... and one unknown name among them fails the whole listing" \
    sh -c "[ $RC = 4 ] && [ ! -s '$T/out' ] && grep -q zz99999 '$T/err'"
printf 'pwreset-store 1\nend 0\n' >"$T/empty"
chmod 600 "$T/empty"
sed "s|^store = .*|store = $T/empty|" "$T/conf" >"$T/conf_empty"
run --conf "$T/conf_empty" status
check "status of an empty store says there are no accounts" \
    sh -c "[ $RC = 0 ] && grep -q 'No accounts' '$T/out'"
run --conf "$T/conf_empty" status --json
check "... and --json prints an empty array" sh -c "[ $RC = 0 ] && [ \"\$(cat '$T/out')\" = '[]' ]"
run --conf "$T/conf_user" status
expect "a non-admin reads its own account" 0 ""
check "... and only that one" sh -c "[ \$(grep -c '^[^ ].*: ' '$T/out') = 1 ] && grep -q '^$ME: ' '$T/out'"

# ---- audit -----------------------------------------------------------------
NLINES=$(grep -c 'pwreset\[' "$T/audit.all")
"$PWRESET" audit --format csv "$T/audit.all" >"$T/csv" 2>"$T/err"
check "audit --format csv has a header and a row per event" \
    [ "$(($(wc -l <"$T/csv") - 1))" = "$NLINES" ]
"$PWRESET" audit --user "$U3" --event account_blocked "$T/audit.all" >"$T/tab"
check "audit filters by user and event" [ "$(grep -c account_blocked "$T/tab")" = 1 ]
"$PWRESET" audit --since 1h --format json "$T/audit.all" >"$T/json"
if command -v python3 >/dev/null 2>&1; then
    check "audit --format json parses, one object per event" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert len(a) == int(sys.argv[2]), len(a)
assert all("event" in o and "time" in o for o in a)
' "$T/json" "$NLINES"
fi
"$PWRESET" audit --since "2999-01-01 00:00" "$T/audit.all" >"$T/tab"
check "audit --since in the future shows nothing" [ "$(wc -l <"$T/tab")" = 1 ]
"$PWRESET" audit --since yesterday "$T/audit.all" >/dev/null 2>&1
check "audit with a bad --since is a usage error" [ $? = 2 ]
printf '%s\n' \
    '2026-11-22T14:03:00.123456+01:00 host pwreset[42]: event=account_blocked user=alice actor=root actor_uid=0 reason="x y"' \
    'Nov 22 14:05:00 host sshd[1]: Accepted publickey for alice' \
    'Nov 22 14:06:00 host pwreset[43]: event=login_denied user=alice rhost="\x1b[31mred" reason=blocked' \
    'Nov 22 14:07:00 host pwreset[44]: event=broken user="unterminated' >"$T/auth.log"
"$PWRESET" audit "$T/auth.log" >"$T/tab" 2>"$T/err"
check "audit reads ISO and BSD syslog lines, ignores foreign ones" [ "$(wc -l <"$T/tab")" = 3 ]
check "... warns about a malformed pwreset line" err_has "malformed"
check "... never prints a control byte to the terminal" sh -c "! grep -q \"\$(printf '\\033')\" '$T/tab'"
"$PWRESET" audit "$T/nonexistent" >/dev/null 2>&1
check "audit of a missing file fails" [ $? != 0 ]
"$PWRESET" audit "$T/audit.all" >"$T/tab" 2>"$T/err"
check "the audit table leaves the seal (seq=, mac=) to CSV, JSON and --verify" \
    sh -c "! grep -qE ' (seq|mac)=' '$T/tab' && head -n 1 '$T/csv' | grep -q '\"seq\",\"mac\"'"
check "... and every row keeps its columns, however long the event name" \
    awk 'substr($0, 51, 1) != " " || substr($0, 52, 1) == " " { bad = 1 } END { exit bad }' "$T/tab"
check "... a row of force_password_reset_cleared among them" grep -q '^.\{20\}force_password_reset_cleared ' "$T/tab"
"$PWRESET" audit --event account_blokced "$T/audit.all" >"$T/tab" 2>"$T/err"
check "audit --event with an unknown event is a usage error" [ $? = 2 ]
check "... listing the events there are" err_has "^  account_blocked$"
check "... and printing no table" [ ! -s "$T/tab" ]
for e in $(sed -n 's/.*pwreset\[[0-9]*\]: event=\([a-z_]*\).*/\1/p' "$T/audit.all" | sort -u); do
    "$PWRESET" audit --event "$e" "$T/audit.all" >/dev/null 2>&1 ||
        nok "the event vocabulary has every event the helper wrote: $e is missing"
done

# ---- secrets ---------------------------------------------------------------
check "every command above was audited through the socket" [ "$NLINES" -gt 40 ]
sort -u "$T/secrets" | grep -v '^$' >"$T/secrets.u"
check "no test secret appears in any audit line" sh -c "! grep -qiF -f '$T/secrets.u' '$T/audit.all'"
check "no test secret appears in the store or its backup" \
    sh -c "! cat '$T/store' '$T/store.bak' | grep -qiF -f '$T/secrets.u'"
check "audit lines never carry a hash" sh -c "! grep -q 'y\\\$\\|\\\$pwrc\\\$\\|\\\$y\\\$' '$T/audit.all'"

finish
