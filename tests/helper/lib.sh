# lib.sh - shell helpers shared by the pwreset command tests (sourced).
# SPDX-License-Identifier: BSD-3-Clause
#
# Output is TAP-like ("ok N - what", "not ok N - what"); the exit status is
# what automake reads: 0 pass, 1 fail, 77 skip, 99 hard error.
#
# run [--in FILE] [--conf FILE] [--no-tty] ARGS...
#     runs "pwreset --config CONF ARGS" under audit_sink, so the audit
#     events it caused are captured from a real syslog datagram socket;
#     sets RC, writes $T/out, $T/err, and the events (message part only)
#     to $T/ev; every raw line is kept in $T/audit.all.
# expect DESC RC "EVENT EVENT..."
#     passes when RC and the exact sequence of event names match.

TESTNUM=0
FAILED=0

ok() {
    TESTNUM=$((TESTNUM + 1))
    echo "ok $TESTNUM - $*"
}

nok() {
    TESTNUM=$((TESTNUM + 1))
    echo "not ok $TESTNUM - $*"
    FAILED=$((FAILED + 1))
}

# check DESC COMMAND...: passes when COMMAND succeeds.
check() {
    _d=$1
    shift
    if "$@"; then ok "$_d"; else nok "$_d"; fi
}

finish() {
    echo "1..$TESTNUM"
    if [ "$FAILED" -ne 0 ]; then
        echo "# $FAILED of $TESTNUM failed"
        exit 1
    fi
    exit 0
}

skip_all() {
    echo "1..0 # SKIP $*"
    exit 77
}

hard_error() {
    echo "Bail out! $*"
    exit 99
}

run() {
    _in=/dev/null
    _conf=$T/conf
    _wrap=
    while :; do
        case $1 in
        --in) _in=$2; shift 2 ;;
        --conf) _conf=$2; shift 2 ;;
        --no-tty) _wrap="setsid -w"; shift ;;
        *) break ;;
        esac
    done
    : >"$T/ev.raw"
    # shellcheck disable=SC2086
    "$SINK" "$T/log" "$T/ev.raw" -- $_wrap "$PWRESET" --config "$_conf" "$@" \
        <"$_in" >"$T/out" 2>"$T/err"
    RC=$?
    cat "$T/ev.raw" >>"$T/audit.all"
    sed -n 's/^.*pwreset\[[0-9]*\]: //p' "$T/ev.raw" >"$T/ev"
}

# The event names of the last run, space-separated.
events() {
    sed -n 's/^event=\([a-z_]*\).*/\1/p' "$T/ev" | tr '\n' ' ' | sed 's/ $//'
}

expect() {
    _d=$1
    _rc=$2
    _ev=$3
    _got=$(events)
    if [ "$RC" = "$_rc" ] && [ "$_got" = "$_ev" ]; then
        ok "$_d"
    else
        nok "$_d (exit $RC, want $_rc; events '$_got', want '$_ev')"
        sed 's/^/#   stderr: /' "$T/err"
        sed 's/^/#   stdout: /' "$T/out" | head -5
    fi
}

# An event of the last run has this text (e.g. "reason=too_short").
ev_has() {
    grep -q -e "$1" "$T/ev"
}

out_has() {
    grep -q -e "$1" "$T/out"
}

err_has() {
    grep -q -e "$1" "$T/err"
}

snap() {
    cp "$T/store" "$T/store.before"
}

unchanged() {
    cmp -s "$T/store" "$T/store.before"
}

# Remember a secret: none may ever appear in a log line or the store.
secret() {
    printf '%s\n' "$1" >>"$T/secrets"
}

# The test user, its primary group (the suites' admin_group), and the
# ordinary system accounts an admin of that group may act on: not the test
# user, not members of its group.  Prints them, one per line.
whoami_or_skip() {
    ME=$(id -un 2>/dev/null) || skip_all "the test user has no name"
    MYGROUP=$(id -gn 2>/dev/null) || skip_all "the test user's group has no name"
}
mygroups() { id -Gn "$1" 2>/dev/null | tr ' ' '\n'; }
ordinary_accounts() {
    for u in daemon bin sys games man lp mail news uucp proxy www-data backup \
             list irc; do
        getent passwd "$u" >/dev/null 2>&1 || continue
        [ "$u" = "$ME" ] && continue
        mygroups "$u" | grep -qx "$MYGROUP" && continue
        echo "$u"
    done
}
