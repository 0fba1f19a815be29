#!/bin/sh
# test-ldap-bulk.sh - a bulk change of many directory accounts (backend =
# ldap, docs/FLEET.md) does a constant amount of work per account: the
# helper reads the list of logins this host has seen in the directory once
# per run and writes its new names once, instead of re-reading the whole
# file for every account (which made force-reset --all quadratic); every
# account's audit line still names the entryCSN its change made, read back
# by one paged search.  Counted with strace (opens of the list file), never
# timed.  The modifies of a transaction go out without waiting for each
# answer: one account in the middle of the batch that the directory
# refuses still leaves every entry unchanged and is named.  Root only, in a private mount namespace; skipped (77) without
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

N=3000
REFUSED=bkrefused # its entry comes in the middle of the others
HELPER=$top_builddir/helper/pwreset-helper
PWRESET=$top_builddir/cli/pwreset
SINK=$top_builddir/tests/helper/audit_sink
PEOPLE="ou=people,$LDAP_BASE"
HASH=$(sed -n 's/^userPassword: {CRYPT}//p' "$top_srcdir/etc/ldap/example.ldif" | head -1)

{ cat "$top_srcdir/etc/ldap/example.ldif"; echo; } >"$T/all.ldif"
# bkrefused: enrolled, but below ou=hosts, where the admin may not write
# (etc/ldap/slapd.conf.example); found only with ldap_base = the suffix.
awk -v n="$N" -v h="$HASH" -v base="$PEOPLE" -v ref="$REFUSED" -v hosts="ou=hosts,$LDAP_BASE" 'BEGIN {
    for (i = 1; i <= n; i++) {
        if (i == n / 2 + 1) {
            printf "dn: uid=%s,%s\nobjectClass: account\nobjectClass: posixAccount\n", ref, hosts
            printf "objectClass: pwresetAccount\nuid: %s\ncn: %s\n", ref, ref
            printf "uidNumber: 609999\ngidNumber: 609999\nhomeDirectory: /nonexistent\n"
            printf "pwresetStatus: active\n\n"
        }
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

ldap_secrets "$T/state"
ldap_host_conf "$T/conf" "$T/state" "hash_cost = 1" "ldap_timeout = 30s"
ldap_host_conf "$T/conf_wide" "$T/state" "hash_cost = 1" "ldap_timeout = 30s" \
    "ldap_base = $LDAP_BASE"
SEEN=$T/state/store.ldap-seen

# bulk ARGS...: pwreset ARGS under strace and the audit sink; RC, $T/opens
# (how often the seen list was opened), $T/ev.raw the audit lines.
bulk() {
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- strace -f -qq -e trace=open,openat \
        -o "$T/strace" "$PWRESET" --helper "$HELPER" --config "${CONF:-$T/conf}" "$@" \
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

# flagged [FILTER]: how many entries below the suffix (that match FILTER)
# have pwdReset TRUE
flagged() {
    ldapsearch -x -LLL -H "$LDAP_URI" -D "$LDAP_ADMIN_DN" -w "$LDAP_ADMIN_PW" \
        -b "$LDAP_BASE" -E pr=1000/noprompt "(&(pwdReset=TRUE)${1:-})" dn |
        grep -c '^dn:'
}
CONF=$T/conf_wide bulk force-reset --all
check "a batch of $N with one refusing account in the middle fails: permission, exit 3 ($RC)" \
    test "$RC" -eq 3
check "... the error names the refusing account" grep -q "$REFUSED" "$T/err"
check "... and no entry was changed ($(flagged) flagged)" test "$(flagged)" -eq 0
check "... and no account's change was audited" \
    test "$(grep -c 'event=force_password_reset_set' "$T/ev.raw")" -eq 0
check "slapd still answers" ldap_answers
bulk force-reset --all
check "the same batch without that account succeeds ($RC)" test "$RC" -eq 0
check "... and flags all $N ($(flagged '(uid=bk*)'))" \
    test "$(flagged '(uid=bk*)')" -eq "$N"

finish
