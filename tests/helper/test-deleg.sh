#!/bin/sh
# test-deleg.sh - delegation with real accounts: who a helpdesk member
# (admin_group) may act on, purge and undelete, and the shadow tools
# (usermod -e, passwd -l, chage -d 0) on store accounts, through the
# set-uid helper, the CLI and the documented PAM stack (etc/pam.d/*.pwreset
# with pam_unix, driven by the real libpam through pamdrv).
# SPDX-License-Identifier: BSD-3-Clause
#
# Needs root (skipped with 77 otherwise).  It never edits the host's /etc:
# it re-runs itself in a private mount namespace and mounts a copy of /etc
# over it, so useradd, usermod, passwd and chage (which replace
# /etc/shadow by renaming a new file onto it) work on the copy; the host's
# login.defs (UID_MIN) and the default protected_groups apply.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

enter_private_ns PWR_DELEG_NS "$here/test-deleg.sh"

# ---- inside the private mount namespace ----------------------------------
for _c in useradd usermod groupadd passwd chage getent; do
    command -v "$_c" >/dev/null 2>&1 || skip_all "no $_c"
done
suid_workdir pwrdeleg
install_helper cli/pwreset
# shellcheck disable=SC2034 # urun (lib.sh) runs it
PWRESET=$T/bin/pwreset
MKHASH=$top_builddir/tests/helper/mkhash
PAMDRV=$top_builddir/tests/hardening/pamdrv
MODULE=$top_builddir/pam_module/.libs/pam_pwreset.so

cp -a /etc "$T/etcroot" || hard_error "copy /etc"
mount --bind "$T/etcroot" /etc || hard_error "bind mount a copy of /etc"
private_config

groupadd pwrhd || hard_error "groupadd pwrhd"
for g in sudo lxd; do
    getent group "$g" >/dev/null || groupadd "$g" || hard_error "groupadd $g"
done
base=$(free_ids 47101 10)
mkuser() { # NAME UID [useradd options]
    _n=$1 _u=$2
    shift 2
    useradd -M -d /nonexistent -s /bin/sh -u "$_u" -U "$@" "$_n" ||
        hard_error "useradd $_n"
}
mkuser pwrhd1 "$base" -G pwrhd     # the helpdesk member
mkuser pwrsu1 $((base + 1)) -G sudo
mkuser pwrlx1 $((base + 2)) -G lxd
mkuser pwror1 $((base + 3))         # ordinary, never in the store
mkuser pwror2 $((base + 4))         # ordinary: deleted, purged, undeleted
mkuser pwral1 $((base + 5))         # ordinary: the shadow tools
mkuser pwrim1 $((base + 6))         # ordinary: import
UID_MIN=$(awk '$1 == "UID_MIN" { print $2 }' /etc/login.defs)
sysid=$(free_ids 901 1)
[ "$sysid" -lt "${UID_MIN:-1000}" ] || sysid=$(free_ids 401 1)
[ "$sysid" -lt "${UID_MIN:-1000}" ] || skip_all "no free uid below UID_MIN"
mkuser pwrsys1 "$sysid"

write_conf "$CONFIG" "store = $T/state/store" "audit_socket = $T/log" \
    "admin_group = pwrhd" "fail_delay = 0" "hash_cost = 1"
chmod 644 "$CONFIG"

PW1=Harbor-Lantern-Violet-3317
PW2=Meadow-Cinder-Falcon-8842
printf '%s\n' "$PW1" >"$T/pw1"
printf '%s\n' "$PW2" >"$T/pw2"
secret "$PW1"
secret "$PW2"

# ---- 1. who a helpdesk member may act on ---------------------------------
urun root enrol pwrsu1 pwrlx1 pwrsys1
check "root may enrol a sudo member, a protected_groups member, a system account" [ "$RC" = 0 ]
for u in pwrsu1 pwrlx1 pwrsys1; do
    urun pwrhd1 --in "$T/pw1" set-password "$u" --stdin --yes
    expect "helpdesk member refused: set-password $u" 3 "permission_denied"
    check "... reason protected_account" ev_has "reason=protected_account"
    urun pwrhd1 --in "$T/pw1" delete "$u" --yes
    expect "helpdesk member refused: delete $u" 3 "permission_denied"
done
urun pwrhd1 logout pwrsu1
expect "helpdesk member refused: logout of a sudo member" 3 "permission_denied"
check "... saying it is in protected_groups" err_has "a member of a group in protected_groups"
urun pwrhd1 enrol pwrsys1
expect "helpdesk member refused: enrol of a uid < UID_MIN account" 3 "permission_denied"
check "... saying it is a system account" err_has "system account: uid outside UID_MIN..UID_MAX"
urun pwrhd1 import pwrlx1
expect "helpdesk member refused: import of a protected_groups member" 3 "permission_denied"
urun pwrhd1 logout pwror1
expect "helpdesk member refused: logout of an account not in the store" 3 "permission_denied"
check "... reason not_in_store" ev_has "reason=not_in_store"
urun root logout pwror1
expect "root may end any account's sessions" 0 "sessions_revoked"
check "... and is told how" out_has "ended \(through logind\|by signalling\)"

# ---- 2. delete, purge, undelete -------------------------------------------
urun pwrhd1 enrol pwror2
expect "helpdesk member enrols an ordinary account" 0 "account_enrolled"
urun pwrhd1 delete pwror2 --yes
expect "... and may delete it" 0 "account_deleted sessions_revoked"
urun pwrhd1 purge pwror2 --yes
expect "helpdesk member may not purge" 3 "permission_denied"
urun pwrhd1 undelete pwror2
expect "helpdesk member may not undelete" 3 "permission_denied"
urun root import pwror2
expect "import of a deleted account fails and says why" 5 ""
check "... naming undelete and purge" err_has "undelete or pwreset purge"
urun root purge pwror2 --yes --reason "deleted by mistake"
expect "root purges the tombstone" 0 "account_purged"
check "... audited with the reason" ev_has 'user=pwror2 .*reason="deleted by mistake"'
check "... the account left the store" sh -c "! grep -q '^pwror2 ' '$T/state/store'"
urun root status pwror2
expect "... status: not managed" 4 ""
urun root purge pwror2 --yes
expect "purging again: not in the store" 4 ""
urun root enrol pwror2
expect "a purged account can be enrolled again" 0 "account_enrolled"
urun root delete pwror2 --yes
expect "deleted again" 0 "account_deleted sessions_revoked"
urun root undelete pwror2
expect "root undeletes it" 0 "account_undeleted"
check "... back blocked with must_change" sh -c \
    "grep '^pwror2 ' '$T/state/store' | grep 'status=blocked' | grep -q 'flags=must_change'"
urun root undelete pwror2
expect "undeleting a live account is ineligible" 5 ""
urun root purge pwror2 --yes
expect "purging a live account is ineligible" 5 ""

# ---- 3. the shadow tools ------------------------------------------------------
urun root enrol pwral1
urun root --in "$T/pw1" set-password pwral1 --stdin --yes --no-must-change
expect "root sets a store password" 0 "password_set_by_admin"
chage -M 90 -d 2020-01-01 pwral1 || hard_error "chage -M 90"
urun root status pwral1
check "aging ran out in /etc/shadow: status says a change is needed" out_has "(shadow_aged)"
urun root --in "$T/pw1" set-password pwral1 --stdin --yes --no-must-change --allow-reuse
expect "root sets it again" 0 "password_set_by_admin"
today=$(($(date +%s) / 86400))
check "... the shadow last-change date moves to today, as passwd does" \
    [ "$(getent shadow pwral1 | cut -d: -f3)" = "$today" ]
urun root status pwral1
check "... and the aging is satisfied" out_has "login: would be allowed (ok)"
chage -M 99999 pwral1 || hard_error "chage -M 99999"

usermod -e 1 pwral1 || hard_error "usermod -e 1"
urun root status pwral1
check "usermod -e 1: status shows the shadow expiry" out_has "account expires 1970-01-02"
check "... and that the login would be denied" out_has "would be denied (shadow_expired)"
urun root status --json pwral1
check "... --json: shadow.expires and login_allowed false" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))[0]
sh = a["shadow"]
assert sh["expires"] == "1970-01-02T00:00:00Z", sh
assert sh["locked"] is False and sh["last_change"] is not None, sh
assert a["login_allowed"] is False and a["reason"] == "shadow_expired", a
' "$T/out"

# What the documented stack does: Debian's common-* with pam_pwreset.
have_pam=yes
[ -x "$PAMDRV" ] && [ -f "$MODULE" ] || have_pam=no
[ "${PWR_SANITIZERS:-no}" = yes ] && have_pam=no # a dlopened module
if [ "$have_pam" = yes ]; then
    for f in auth account password; do
        sed "s|pam_pwreset.so|$MODULE helper=$HELPER|" \
            "$top_srcdir/etc/pam.d/common-$f.pwreset" >"/etc/pam.d/common-$f"
    done
    printf '@include common-auth\n@include common-account\n@include common-password\n' \
        >/etc/pam.d/pwrdeleg
    printf 'pwral1' >"$T/user"
    printf '%s' "$PW1" >"$T/pw1.raw"
    printf '%s' "$PW2" >"$T/pw2.raw"
    pam() { "$SINK" "$T/log" "$T/ev.raw" -- "$PAMDRV" pwrdeleg "$@" >"$T/out" 2>"$T/err"; }
    pam auth "$T/user" "$T/pw1.raw"
    check "... and the stack denies it too (pam_unix account)" \
        sh -c "grep -q '^auth=SUCCESS acct=' '$T/out' && ! grep -q 'acct=SUCCESS' '$T/out'"
    usermod -e '' pwral1 || hard_error "usermod -e ''"
    pam auth "$T/user" "$T/pw1.raw"
    check "expiry lifted: the login goes through" grep -q '^auth=SUCCESS acct=SUCCESS' "$T/out"

    # A lock needs a hash to lock (an imported account keeps its shadow
    # hash): on a lone "!" (useradd's "no password") passwd -l changes
    # nothing, and status says so.
    urun root status pwral1
    check "no shadow password: status says passwd -l would change nothing" out_has "no password there: passwd -l has no effect"
    usermod -p "$(printf '%s\n' "$PW2" | "$MKHASH" password 1)" pwral1 || hard_error "usermod -p"
    passwd -l pwral1 >/dev/null 2>&1 || usermod -L pwral1 || hard_error "passwd -l"
    urun root status --json pwral1
    check "passwd -l: status shows the lock and denies" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))[0]
assert a["shadow"]["locked"] is True and a["login_allowed"] is False, a
assert a["reason"] == "shadow_locked", a
' "$T/out"
    pam auth "$T/user" "$T/pw1.raw"
    check "... and the right store password no longer logs in" grep -q '^auth=AUTH_ERR' "$T/out"
    passwd -u pwral1 >/dev/null 2>&1 || usermod -U pwral1 || hard_error "passwd -u"
    pam auth "$T/user" "$T/pw1.raw"
    check "passwd -u: it does again" grep -q '^auth=SUCCESS acct=SUCCESS' "$T/out"

    chage -d 0 pwral1 || hard_error "chage -d 0"
    urun root status pwral1
    check "chage -d 0: status says a change is needed" out_has "allowed only after choosing a new password (shadow_must_change)"
    pam auth "$T/user" "$T/pw1.raw"
    check "... the login demands a change" grep -q '^auth=SUCCESS acct=NEW_AUTHTOK_REQD' "$T/out"
    pam change pwral1 "$PW1" "$T/pw2.raw"
    check "one change through pam_pwreset" grep -q '^auth=SUCCESS chauthtok=SUCCESS' "$T/out"
    check "... moved the shadow date to today" \
        [ "$(getent shadow pwral1 | cut -d: -f3)" = "$today" ]
    pam auth "$T/user" "$T/pw2.raw"
    check "... and the next login is a normal one: no second demand" grep -q '^auth=SUCCESS acct=SUCCESS' "$T/out"
else
    for i in 1 2 3 4 5 6 7 8 9 10 11 12; do ok "# SKIP no pamdrv or pam_pwreset.so (or sanitizers)"; done
fi

# import keeps the shadow last-change date
usermod -p "$(printf '%s\n' "$PW1" | "$MKHASH" password 1)" pwrim1 || hard_error "usermod -p"
chage -d 2026-01-15 pwrim1 || hard_error "chage -d"
urun root import pwrim1
expect "import carries a shadow hash over" 0 "account_enrolled"
urun root status --json pwrim1
check "... with its shadow last-change date" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))[0]
assert a["last_change"] == "2026-01-15T00:00:00Z", a
' "$T/out"

# ---- secrets --------------------------------------------------------------
leak=
while read -r s; do
    grep -qF "$s" "$T/audit.all" "$T/state/store" 2>/dev/null && leak=1
done <"$T/secrets"
check "no password in any audit line or in the store" [ -z "$leak" ]
finish
