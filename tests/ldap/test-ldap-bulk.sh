#!/bin/sh
# test-ldap-bulk.sh - a bulk change of many directory accounts (backend =
# ldap, docs/FLEET.md) does a constant amount of work per account: the
# helper reads the list of logins this host has seen in the directory once
# per run and writes its new names once, instead of re-reading the whole
# file for every account (which made force-reset --all quadratic); every
# account's audit line still names the entryCSN its change made, read back
# by one paged search.  Counted with strace (opens of the list file), never
# timed.  Root only, in a private mount namespace; skipped (77) without
# slapd, ldap-utils or strace.  Every process it starts is stopped by the
# EXIT trap.
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC1091,SC2154
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/ldap/slapd.sh"

ldap_require
command -v strace >/dev/null 2>&1 || skip_all "no strace"
# The sanitizer build's LeakSanitizer refuses to run under ptrace (strace):
# the programs would fail at exit for that reason alone.  The normal build
# runs this test.
[ "${PWR_SANITIZERS:-no}" = yes ] &&
    skip_all "LeakSanitizer cannot run under strace (ptrace)"
enter_private_ns PWR_LDAP_BULK_NS "$0"
suid_workdir pwr-ldapbulk

N=300
HELPER=$top_builddir/helper/pwreset-helper
PWRESET=$top_builddir/cli/pwreset
SINK=$top_builddir/tests/helper/audit_sink
PEOPLE="ou=people,$LDAP_BASE"
HASH=$(sed -n 's/^userPassword: {CRYPT}//p' "$top_srcdir/etc/ldap/example.ldif" | head -1)

{ cat "$top_srcdir/etc/ldap/example.ldif"; echo; } >"$T/all.ldif"
awk -v n="$N" -v h="$HASH" -v base="$PEOPLE" 'BEGIN {
    for (i = 1; i <= n; i++) {
        u = sprintf("bk%04d", i)
        printf "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n", u, base
        printf "objectClass: pwresetAccount\nuid: %s\ncn: %s\nsn: bulk\n", u, u
        printf "uidNumber: %d\ngidNumber: %d\nhomeDirectory: /nonexistent\n", 600000 + i, 600000 + i
        printf "userPassword: {CRYPT}%s\npwresetStatus: active\n", h
        printf "pwresetEnrolled: 20261201090000Z\n\n"
    } }' >>"$T/all.ldif"

LDAP_LDIF=$T/all.ldif
export LDAP_LDIF
ldap_start || hard_error "slapd did not start"
trap 'ldap_stop; rm -rf "$T"' EXIT

printf 'host1-secret\n' >"$T/state/host1.pw"
printf 'pwadmin-secret\n' >"$T/state/admin.pw"
chmod 600 "$T/state"/*.pw
cat >"$T/conf" <<CONF
store = $T/state/store
audit_socket = $T/log
fail_delay = 0
hash_cost = 1
backend = ldap
ldap_uri = $LDAP_URI
ldap_base = $PEOPLE
ldap_bind_dn = $LDAP_HOST_DN
ldap_bind_password_file = $T/state/host1.pw
ldap_admin_dn = $LDAP_ADMIN_DN
ldap_admin_password_file = $T/state/admin.pw
ldap_timeout = 30s
CONF
SEEN=$T/state/store.ldap-seen

# bulk ARGS...: pwreset ARGS under strace and the audit sink; RC, $T/opens
# (how often the seen list was opened), $T/ev.raw the audit lines.
bulk() {
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- strace -f -qq -e trace=open,openat \
        -o "$T/strace" "$PWRESET" --helper "$HELPER" --config "$T/conf" "$@" \
        </dev/null >"$T/out" 2>"$T/err"
    RC=$?
    grep -c 'ldap-seen' "$T/strace" >"$T/opens"
}

bulk force-reset --all
check "force-reset --all of $N directory accounts succeeds" test "$RC" -eq 0
check "the seen list is opened at most twice in the run ($(cat "$T/opens"))" \
    test "$(cat "$T/opens")" -le 2
check "the seen list names each of the $N accounts once" \
    test "$(grep -c '^bk' "$SEEN")" -eq "$N" -a \
    "$(sort "$SEEN" | uniq -d | wc -l)" -eq 0
check "each account's audit line names the entryCSN of its change" \
    test "$(grep ' user=bk' "$T/ev.raw" | grep -c ' csn=')" -ge "$N"

bulk force-reset --all --clear
check "force-reset --all --clear succeeds" test "$RC" -eq 0
check "the second run opens the seen list at most once ($(cat "$T/opens")) and adds no name" \
    test "$(cat "$T/opens")" -le 1 -a "$(grep -c '^bk' "$SEEN")" -eq "$N"

finish
