# hlib.sh - shell helpers shared by the hardening tests (sourced after
# tests/helper/lib.sh, whose ok/nok/check/finish/skip_all they use).
# SPDX-License-Identifier: BSD-3-Clause
#
# Every test works in a fresh private directory $T (removed at exit), runs
# the build-tree pwreset-helper WITHOUT privilege (it then honours the
# request's "config" path; no check is switched off) and captures its audit
# lines from a real datagram socket with audit_sink.
#
# hx_run REQ [VAR=VALUE...]  run the helper with stdin REQ (env additions
#                            apply to the helper only); sets RC, writes
#                            $T/out, $T/err, $T/ev (messages), appends raw
#                            lines to $T/audit.all
# req FILE OP [KEY VALUE]... write a request (values percent-encoded here)
# penc                       percent-encode stdin (the protocol's encoding)
# store_seed LOGIN:PASSWORD... write $T/state/store: these accounts plus
#                            $FILLERS filler accounts, sorted, mode 0600
# store_valid                the store passes the full validation
# no_temp_files              no store.tmp / store.bak.tmp is left behind
# pick_target                sets TARGET to an account admin ops may touch:
#                            the test user as root, else an ordinary system
#                            account outside the test user's group (run
#                            with admin_group = that group); "" if none

HB=${top_builddir:?}
HELPER=$HB/helper/pwreset-helper
PWRESET=$HB/cli/pwreset
SINK=$HB/tests/helper/audit_sink
MKHASH=$HB/tests/helper/mkhash
STORECHECK=$HB/tests/hardening/storecheck
AUDITCHECK=$HB/tests/hardening/auditcheck
FAULTSHIM=$HB/tests/unit/.libs/fsshim.so
FILLERS=${FILLERS:-20}

for _p in "$HELPER" "$PWRESET" "$SINK" "$MKHASH" "$STORECHECK" "$AUDITCHECK"; do
    [ -x "$_p" ] || hard_error "$_p not built"
done
[ -f "$FAULTSHIM" ] || hard_error "$FAULTSHIM not built"

T=$(mktemp -d "${TMPDIR:-/tmp}/pwrhard.XXXXXX") || hard_error "mktemp"
trap 'rm -rf "$T"' EXIT INT TERM
chmod 700 "$T"
mkdir -m 700 "$T/state"
: >"$T/audit.all"
ME=$(id -un 2>/dev/null) || skip_all "the test user has no name"

# A sanitizer runtime must come first in a process: a preloaded shim does
# not, which is harmless here.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:detect_leaks=0
export ASAN_OPTIONS

# The defaults of write_conf (tests/helper/lib.sh): uids below UID_MIN are
# protected from admin_group members; pick_target's system accounts are
# ordinary under this login.defs.
CONF_DEFAULTS="store = $T/state/store
audit_socket = $T/log
fail_delay = 0
hash_cost = 1
lock_timeout = 2000
$(ordinary_login_defs)"

penc() {
    od -An -v -tu1 | awk '
        BEGIN { for (i = 0; i < 256; i++) hex[i] = sprintf("%%%02X", i) }
        { for (i = 1; i <= NF; i++) {
              b = $i + 0
              if (b >= 33 && b <= 126 && b != 37) printf "%c", b
              else printf "%s", hex[b] } }'
}

req() {
    _f=$1 _op=$2
    shift 2
    {
        printf 'pwreset-helper 1\nop %s\nconfig %s\n' "$_op" "$(printf '%s' "$T/conf" | penc)"
        while [ $# -ge 2 ]; do
            printf '%s %s\n' "$1" "$(printf '%s' "$2" | penc)"
            shift 2
        done
        printf 'end\n'
    } >"$_f"
}

hx_run() {
    _req=$1
    shift
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- env "$@" "$HELPER" <"$_req" >"$T/out" 2>"$T/err"
    RC=$?
    cat "$T/ev.raw" >>"$T/audit.all"
    sed -n 's/^.*pwreset\[[0-9]*\]: //p' "$T/ev.raw" >"$T/ev"
}

hash_of() { printf '%s\n' "$1" | "$MKHASH" password 1; }

store_seed() {
    {
        for _a in "$@"; do
            printf '%s status=active hash=%s changed=1 created=1\n' \
                "${_a%%:*}" "$(hash_of "${_a#*:}")"
        done
        _i=0
        while [ "$_i" -lt "$FILLERS" ]; do
            printf 'fill%03d status=active flags=must_change changed=%d reason=filler%%20%d\n' \
                "$_i" "$((_i + 1000))" "$_i"
            _i=$((_i + 1))
        done
    } | LC_ALL=C sort >"$T/records"
    {
        printf 'pwreset-store 1\n'
        cat "$T/records"
        printf 'end %d\n' "$(wc -l <"$T/records")"
    } >"$T/state/store"
    chmod 600 "$T/state/store"
}

store_valid() { "$STORECHECK" "$T/state/store" >/dev/null 2>&1; }

no_temp_files() {
    [ ! -e "$T/state/store.tmp" ] && [ ! -e "$T/state/store.bak.tmp" ]
}

pick_target() {
    TARGET=$ME
    [ "$(id -u)" = 0 ] && return 0
    TARGET=
    for _u in daemon bin sys games man lp mail news uucp proxy; do
        getent passwd "$_u" >/dev/null 2>&1 || continue
        id -Gn "$_u" 2>/dev/null | tr ' ' '\n' | grep -qx "$(id -gn)" && continue
        TARGET=$_u
        return 0
    done
}

# The event names of the last hx_run, space-separated.
hx_events() {
    sed -n 's/^event=\([a-z_]*\).*/\1/p' "$T/ev" | tr '\n' ' ' | sed 's/ $//'
}
