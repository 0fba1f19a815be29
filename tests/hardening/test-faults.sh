#!/bin/sh
# test-faults.sh - fault injection: every file-system call of a store write
# fails in turn (EIO, ENOSPC, EINTR), through the real helper (a password
# change) and through a library transaction that creates the store and one
# that rewrites every record.  Each run must be all or nothing:
#   - success: exit 0, the new store, valid, and its success audit line;
#   - failure: non-zero exit with a message, the store byte for byte as it
#     was (or still absent), no temporary file, no success audit line.
# EINTR on write is retried, and EINTR from close is not an error (Linux
# has released the descriptor; the data was fsynced before): both succeed.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/hardening/hlib.sh"

WRITER=$top_builddir/tests/unit/store_writer
[ -x "$WRITER" ] || hard_error "$WRITER not built"

PW_OLD=Granite-Otter-Lamp-4417
PW_NEW=Saffron-Delta-Quill-9053
write_conf "$T/conf"
store_seed "$ME:$PW_OLD"
cp "$T/state/store" "$T/pristine"
req "$T/req" chauthtok user "$ME" proof "$PW_OLD" new "$PW_NEW"

reset_state() {
    rm -rf "$T/state"
    mkdir -m 700 "$T/state"
    [ "$1" = absent ] || cp "$T/$1" "$T/state/store"
}

# shim_env N ERRNO: the environment that fails call N with ERRNO.
shim_env() {
    echo "LD_PRELOAD=$FAULTSHIM PWR_FAULT_AT=$1 PWR_FAULT_ERRNO=$2 PWR_FAULT_LOG=$T/flog"
}

calls_of_last_run() { sed -n 's/^calls=\([0-9]*\).*/\1/p' "$T/flog" | tail -1; }
fault_of_last_run() { sed -n 's/^.* fault=//p' "$T/flog" | tail -1; }

# ---- the helper: a password change ------------------------------------------
reset_state pristine
: >"$T/flog"
# shellcheck disable=SC2046
hx_run "$T/req" $(shim_env 0 EIO)
check "without faults the change succeeds" [ "$RC" = 0 ]
K=$(calls_of_last_run)
check "... after $K counted calls" [ "${K:-0}" -gt 5 ]
cp "$T/state/store" "$T/changed"
check "... and changes the store" sh -c "! cmp -s '$T/changed' '$T/pristine'"

# Hashes are salted and times move: a new store may differ from
# $T/changed in the changed account's line only (new_password_works checks
# that line).
same_but_me() {
    [ "$(grep -v "^$ME " "$1")" = "$(grep -v "^$ME " "$2")" ] &&
        grep -q "^$ME " "$1"
}
req "$T/verify" verify user "$ME" password "$PW_NEW"
new_password_works() {
    "$HELPER" <"$T/verify" >"$T/vout" 2>/dev/null &&
        grep -q '^method password$' "$T/vout"
}

# Judge the last helper run.
bad=0 wins=0 losses=0
judge_helper() {
    _what="fault at call $1 ($(fault_of_last_run)) with $2"
    if [ "$RC" = 0 ]; then
        if store_valid && same_but_me "$T/state/store" "$T/changed" &&
           no_temp_files && [ "$(hx_events)" = password_changed ] &&
           new_password_works; then
            wins=$((wins + 1)); return 0
        fi
        nok "$_what: exit 0 but store/audit not the new state ($(hx_events))"
    else
        if cmp -s "$T/state/store" "$T/pristine" && no_temp_files &&
           ! grep -q '^event=password_changed' "$T/ev" &&
           grep -q '^message .' "$T/out" && ! grep -q '^result ok' "$T/out"; then
            losses=$((losses + 1)); return 0
        fi
        nok "$_what: exit $RC but not a clean failure"
        sed 's/^/#   reply: /' "$T/out" | head -3
        ls -la "$T/state" | sed 's/^/#   /'
    fi
    bad=$((bad + 1))
}

for e in EIO ENOSPC EINTR; do
    n=1
    while [ "$n" -le $((K + 1)) ]; do
        reset_state pristine
        # shellcheck disable=SC2046
        hx_run "$T/req" $(shim_env "$n" "$e")
        judge_helper "$n" "$e"
        f=$(fault_of_last_run)
        echo "# helper: call $n ($f) fails with $e: exit $RC"
        case $e:$f in
        EINTR:write | EINTR:close)
            [ "$RC" = 0 ] || nok "EINTR on $f at call $n is not harmless (exit $RC)" ;;
        esac
        n=$((n + 1))
    done
done
check "helper: every injected fault gave all or nothing ($wins complete, $losses clean failures)" \
    [ "$bad" = 0 ]
check "helper: some faults made the change fail" [ "$losses" -gt 0 ]

# ---- the library: create a missing store, and a bulk rewrite -----------------
writer_round() { # MODE START(pristine|absent) EXPECTED
    _mode=$1 _start=$2 _want=$3
    reset_state "$_start"
    : >"$T/flog"
    env LD_PRELOAD="$FAULTSHIM" PWR_FAULT_LOG="$T/flog" \
        "$WRITER" "$T/state/store" "$_mode" 2>"$T/err"
    _k=$(calls_of_last_run)
    cp "$T/state/store" "$T/$_want"
    _bad=0
    for _e in EIO ENOSPC EINTR; do
        _n=1
        while [ "$_n" -le $((_k + 1)) ]; do
            reset_state "$_start"
            # shellcheck disable=SC2046
            env $(shim_env "$_n" "$_e") "$WRITER" "$T/state/store" "$_mode" \
                >/dev/null 2>"$T/err"
            _rc=$?
            if [ "$_rc" = 0 ]; then
                cmp -s "$T/state/store" "$T/$_want" && no_temp_files || {
                    nok "$_mode: fault at $_n ($(fault_of_last_run), $_e): exit 0, wrong store"
                    _bad=$((_bad + 1)); }
            else
                if [ "$_start" = absent ]; then
                    _same=$([ ! -e "$T/state/store" ] && echo y)
                else
                    _same=$(cmp -s "$T/state/store" "$T/$_start" && echo y)
                fi
                [ "$_same" = y ] && no_temp_files && [ -s "$T/err" ] || {
                    nok "$_mode: fault at $_n ($(fault_of_last_run), $_e): exit $_rc, not clean"
                    sed 's/^/#   /' "$T/err"
                    ls -la "$T/state" | sed 's/^/#   /'
                    _bad=$((_bad + 1)); }
            fi
            _n=$((_n + 1))
        done
    done
    check "store_writer $_mode: all or nothing at each of $_k calls x 3 errors" [ "$_bad" = 0 ]
}
writer_round create absent created
writer_round bulk pristine bulked
writer_round update pristine updated

finish
