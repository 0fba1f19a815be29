#!/bin/sh
# test-values.sh - hostile values through the CLI and the helper.
#   logins of 0, 32, 33, 256 and 4096 bytes, and with ':', LF, CR, ESC, '%n',
#   invalid UTF-8 or "event=" inside; hostile rhost/tty/service/reason:
#   refused or handled, no hang, and every audit line written stays well
#   formed with only vocabulary fields (auditcheck): nothing forged;
#   passwords of 0, 11, 12, 64, 512, 513 and 65,536 bytes, with an embedded
#   NUL, with 4-byte UTF-8: rejected, or stored whole - the exact password
#   then verifies and a truncated one does not (CVE-2015-3238: oversized
#   passwords; a NUL that would cut a password short).
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/hardening/hlib.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"
PW=Tundra-Basil-Comet-5521
FILLERS=3
write_conf "$T/conf" "admin_group = $(id -gn)"
pick_target
[ -n "$TARGET" ] || skip_all "no ordinary system account to manage"
if [ "$TARGET" = "$ME" ]; then store_seed "$ME:$PW"; else store_seed "$ME:$PW" "$TARGET:$PW"; fi
cp "$T/state/store" "$T/pristine"

rep() { printf "%${1}s" "" | tr ' ' "$2"; }
# gen N: N bytes of varied printable text (no trivial repeats for the policy
# to refuse), the same every run.
gen() {
    awk -v n="$1" 'BEGIN { srand(n); c = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-+=";
        for (i = 0; i < n; i++) printf "%s", substr(c, int(rand() * length(c)) + 1, 1) }'
}

# cli ARGS...: pwreset under the audit sink, bounded.
cli() {
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- timeout 20 "$PWRESET" --helper "$HELPER" --config "$T/conf" "$@" \
        <"${CLI_IN:-/dev/null}" >"$T/out" 2>"$T/err"
    RC=$?
    cat "$T/ev.raw" >>"$T/audit.all"
}
no_ctl_in_err() { ! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/err"; }

# ---- logins ---------------------------------------------------------------------
n=0
for login in "" "$(rep 32 a)" "$(rep 33 a)" "$(rep 256 b)" "$(rep 4096 c)" \
    "bad:name" "$(printf 'bad\nname')" "$(printf 'bad\rname')" \
    "$(printf 'bad\033[2Jname')" "bad%nname%s" "$(printf 'bad\377name')" \
    "$(printf 'x\nevent=account_deleted user=root')" 'x event=forged' \
    "$(printf 'caf\303\251')"; do
    n=$((n + 1))
    for cmd in "status" "block --keep-sessions --reason hostile" "reset-code"; do
        # shellcheck disable=SC2086
        cli $cmd "$login"
        case $RC in
        2 | 3 | 4) ;;
        *) nok "login #$n, $cmd: exit $RC (want 2, 3 or 4)"; continue ;;
        esac
        no_ctl_in_err || nok "login #$n, $cmd: a control byte reached stderr"
    done
    for op in "verify password $PW" "status" "block keep_sessions 1"; do
        # shellcheck disable=SC2086
        set -- $op
        _op=$1
        shift
        req "$T/req" "$_op" user "$login" "$@"
        hx_run "$T/req" timeout 20
        case $RC in 2 | 3 | 4) ;; *) nok "login #$n, helper $_op: exit $RC" ;; esac
        grep -q "takes no key" "$T/out" && nok "login #$n, helper $_op: bad request"
    done
done
check "$n hostile logins through the CLI and the helper: refused, no hang" true
check "... the store is unchanged" cmp -s "$T/state/store" "$T/pristine"

# ---- hostile but printable values are quoted, control bytes refused ---------------
for v in 'x" user=root actor=root' 'back\slash' '%n%s%x' "$(printf 'caf\303\251 \360\237\224\221')" \
         "$(rep 255 r)"; do
    req "$T/req" verify user "$ME" password "$PW" rhost "$v" tty "$v" service "$v"
    hx_run "$T/req"
    [ "$RC" = 0 ] || nok "rhost/tty/service '$v': exit $RC"
    req "$T/req" block user "$TARGET" reason "$v" keep_sessions 1
    hx_run "$T/req"
    [ "$RC" = 0 ] || nok "reason '$v': exit $RC"
    req "$T/req" unblock user "$TARGET"
    hx_run "$T/req"
done
check "printable hostile rhost, tty, service and reason are accepted" true
for v in "$(printf 'a\nevent=forged')" "$(printf 'a\rb')" "$(printf 'a\033[2J')" \
         "$(printf 'a\377')" "$(rep 256 r)"; do
    req "$T/req" verify user "$ME" password "$PW" rhost "$v"
    hx_run "$T/req"
    [ "$RC" = 2 ] || nok "rhost with a control or invalid byte: exit $RC (want 2)"
    req "$T/req" block user "$TARGET" reason "$v" keep_sessions 1
    hx_run "$T/req"
    [ "$RC" = 2 ] || nok "reason with a control or invalid byte: exit $RC (want 2)"
done
check "control bytes, invalid UTF-8 and over-long values are refused (usage)" true
"$AUDITCHECK" "$T/audit.all" >"$T/acheck"
arc=$?
check "every audit line is well formed, vocabulary keys only, none repeated ($(tail -1 "$T/acheck"))" \
    [ "$arc" = 0 ]
grep '^line' "$T/acheck" | head -5 | sed 's/^/# /'
check "... and no audit line carries a forged event" \
    sh -c "! grep -q 'event=forged\\|event=account_deleted user=root' '$T/audit.all'"

# ---- passwords ------------------------------------------------------------------
# try_pw DESC CONF NEW: pwreset passwd --stdin from $PW to NEW; then judge.
verifies() { # PASSWORD
    req "$T/vreq" verify user "$ME" password "$1"
    "$HELPER" <"$T/vreq" 2>/dev/null | grep -q '^method password$'
}
try_pw() {
    _d=$1
    write_conf "$T/conf" "$2"
    cp "$T/pristine" "$T/state/store"
    { printf '%s\n' "$PW"; printf '%s\n' "$3"; } >"$T/in"
    CLI_IN=$T/in cli passwd --stdin
}
accepted_whole() { # DESC PASSWORD
    if [ "$RC" = 0 ] && verifies "$2" && ! verifies "$(printf '%s' "$2" | head -c $((${#2} - 1)))" &&
       ! verifies "$PW"; then ok "$1: stored whole (exit 0)"; else nok "$1: exit $RC, not stored whole"; fi
}
rejected() { # DESC
    if [ "$RC" != 0 ] && [ "$RC" -lt 124 ] && cmp -s "$T/state/store" "$T/pristine" &&
       verifies "$PW"; then ok "$1: rejected (exit $RC), nothing changed"
    else nok "$1: exit $RC, the store changed"; fi
}

try_pw "" "" ""; rejected "an empty password"
try_pw "" "" "$(rep 11 k)"; rejected "11 bytes (below min_length 12)"
check "... saying why" grep -qi 'short\|at least' "$T/err"
P12=Qz7-Lm2-Rx9!
try_pw "" "" "$P12"; accepted_whole "12 bytes" "$P12"
P64=$(gen 64)
try_pw "" "" "$P64"; accepted_whole "64 bytes" "$P64"
P512=$(gen 512)
P513=$(gen 513)
try_pw "" "" "$P512"; rejected "512 bytes (above max_length 256)"
try_pw "" "" "$P513"; rejected "513 bytes"
try_pw "" "max_length = 4096" "$P512"; rejected "512 bytes with yescrypt (at most 511 can be hashed)"
try_pw "" "max_length = 4096" "$P513"; rejected "513 bytes with yescrypt"
try_pw "" "max_length = 4096
hash = argon2id" "$P513"
if [ "$RC" = 0 ]; then accepted_whole "513 bytes with argon2id and max_length 4096" "$P513"
else rejected "513 bytes with argon2id and max_length 4096"; fi
P64K=$(gen 65536)
try_pw "" "max_length = 65536
hash = argon2id" "$P64K"; rejected "65,536 bytes (larger than a request can carry)"
PUTF=$(printf 'Gr\303\274n-\360\237\224\221-\360\235\204\236-Rose')
try_pw "" "" "$PUTF"; accepted_whole "4-byte UTF-8 characters" "$PUTF"
printf '%s\n' "$PW" >"$T/in"
printf 'Lantern-Quartz-77\000tail-after-nul\n' >>"$T/in"
write_conf "$T/conf"
cp "$T/pristine" "$T/state/store"
CLI_IN=$T/in cli passwd --stdin
rejected "a NUL inside the new password (never cut short at it)"
check "... saying why" grep -q 'NUL' "$T/err"
verifies "Lantern-Quartz-77" && nok "... yet the part before the NUL verifies"
cp "$T/pristine" "$T/state/store"

# The helper itself: an encoded NUL and an over-size request.
req "$T/req" chauthtok user "$ME" proof "$PW" new "Lantern-Quartz-77"
sed 's/^new \(.*\)$/new \1%00tail/' "$T/req" >"$T/req.nul"
hx_run "$T/req.nul"
check "the helper refuses %00 in a value (exit $RC)" \
    sh -c "[ $RC = 2 ] && cmp -s '$T/state/store' '$T/pristine'"
req "$T/req" chauthtok user "$ME" proof "$PW" new "$P64K"
hx_run "$T/req"
check "the helper refuses a request over 64 KiB (exit $RC)" \
    sh -c "[ $RC = 2 ] && cmp -s '$T/state/store' '$T/pristine'"
"$AUDITCHECK" "$T/audit.all" >/dev/null
check "all audit lines still well formed" [ $? = 0 ]
finish
