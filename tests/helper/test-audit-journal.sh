#!/bin/sh
# test-audit-journal.sh - "pwreset audit" reads from the journal only the
# entries whose trusted _UID is 0: "logger -t pwreset"
# by any user must not show as one of pwreset's events.
# SPDX-License-Identifier: BSD-3-Clause
#
# Needs root (skipped with 77 otherwise): in a private mount namespace an
# empty /var/log (so there is no auth.log and the journal is read) and a
# stand-in journalctl bind-mounted over /usr/bin/journalctl, which records
# the arguments it is given and prints one entry.  What journald does with
# a "_UID=0" match is journald's; this proves the CLI asks for it.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

[ -x /usr/bin/journalctl ] || skip_all "no /usr/bin/journalctl to stand in for"
enter_private_ns PWR_JOURNAL_NS "$here/test-audit-journal.sh"

# ---- inside the private mount namespace ----------------------------------
PWRESET=$top_builddir/cli/pwreset
[ -x "$PWRESET" ] || hard_error "$PWRESET not built"
T=$(mktemp -d /tmp/pwrjournal.XXXXXX) || hard_error "mktemp"
trap 'rm -rf "$T"' EXIT INT TERM
cat >"$T/journalctl" <<EOF2
#!/bin/sh
printf '%s\n' "\$@" >"$T/args"
echo '2026-12-06T01:00:00+0000 host pwreset[42]: event=account_blocked user=alice actor=root actor_uid=0 seq=1 mac=$(printf '%064d' 0)'
EOF2
chmod 755 "$T/journalctl"
mount -t tmpfs tmpfs /var/log || hard_error "cannot mount a tmpfs over /var/log"
mount --bind "$T/journalctl" /usr/bin/journalctl ||
    hard_error "cannot bind-mount over /usr/bin/journalctl"

"$PWRESET" audit >"$T/out" 2>"$T/err"
RC=$?
check "audit without files and without auth.log reads the journal" \
    sh -c "[ $RC = 0 ] && [ -s '$T/args' ] && grep -q ' account_blocked ' '$T/out'"
check "... asking only for pwreset's entries" grep -qx 'SYSLOG_IDENTIFIER=pwreset' "$T/args"
check "... whose trusted _UID is 0" grep -qx '_UID=0' "$T/args"

# --verify without files reads the same source as audit does.
rm -f "$T/args"
"$PWRESET" audit --verify >"$T/out" 2>"$T/err"
check "audit --verify without files reads the journal too" \
    sh -c "[ -s '$T/args' ] && grep -qx '_UID=0' '$T/args'"

# A journalctl that fails is a failure, never an empty journal.
cat >"$T/journalctl" <<EOF2
#!/bin/sh
echo 'journal is broken' >&2
exit 1
EOF2
"$PWRESET" audit >"$T/out" 2>"$T/err"
RC=$?
check "audit fails when journalctl fails" sh -c "[ $RC != 0 ]"
check "... and says so" grep -q 'journalctl exited with status 1' "$T/err"
check "... showing journalctl's own message" grep -q 'journal is broken' "$T/err"
"$PWRESET" audit --verify >"$T/out" 2>"$T/err"
RC=$?
check "audit --verify fails when journalctl fails" sh -c "[ $RC != 0 ]"
check "... and says so" grep -q 'journalctl exited with status 1' "$T/err"
finish
