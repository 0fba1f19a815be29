#!/bin/sh
# test-pam.sh - hostile values and a race through pam_pwreset.so itself,
# driven by the real libpam under pam_wrapper (tests/hardening/pamdrv.c):
#   - logins of 0, 32, 33, 256 and 4096 bytes, with ':', LF, CR, ESC, '%n',
#     invalid UTF-8: "user unknown", no hang, no control byte echoed back;
#   - passwords of 0, 11, 12, 64, 512, 513 and 65,536 bytes against an
#     account whose password is 511 bytes (the longest yescrypt hashes):
#     only the exact password authenticates - never a prefix of it, never it
#     with a byte more (no truncation, CVE-2015-3238), and 4-byte UTF-8
#     works; new passwords of those sizes through the password stage are
#     refused or stored whole;
#   - one reset code redeemed by two logins at the same instant: exactly one
#     sets its new password, the code is then dead;
#   - every audit line the module and the helper wrote is well formed.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

[ "${PWR_SANITIZERS:-no}" = yes ] && skip_all "pam_wrapper cannot run under AddressSanitizer"
[ -n "${PAM_WRAPPER_SO:-}" ] && [ -f "$PAM_WRAPPER_SO" ] || skip_all "no pam_wrapper"
# pam_wrapper users take turns (see tests/pam/pamtest_runner.c).
if [ -n "${PWR_WRAPPER_LOCK:-}" ]; then
    exec 9>>"$PWR_WRAPPER_LOCK" && flock 9
fi
PAMDRV=$top_builddir/tests/hardening/pamdrv
RUNNER=$top_builddir/tests/pam/pamtest_runner
[ -x "$PAMDRV" ] && [ -x "$RUNNER" ] || skip_all "pamdrv/pamtest_runner not built (no libpamtest)"
. "$top_srcdir/tests/hardening/hlib.sh"
command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"

gen() {
    awk -v n="$1" 'BEGIN { srand(n); c = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-+=";
        for (i = 0; i < n; i++) printf "%s", substr(c, int(rand() * length(c)) + 1, 1) }'
}
rep() { printf "%${1}s" "" | tr ' ' "$2"; }

write_conf "$T/conf"
mkdir -m 700 "$T/services"
mod="$top_builddir/pam_module/.libs/pam_pwreset.so config=$T/conf helper=$HELPER"
printf 'auth required %s\naccount required %s\npassword required %s\n' \
    "$mod" "$mod" "$mod" >"$T/services/pwrhard"

PA=$(gen 511)
PB=$(printf 'Gr\303\274n-\360\237\224\221-\360\235\204\236-Rose-42')
CODE=abcde-fghjk-mnpqr-stuvw
seed() { "$RUNNER" --mkstore "$T/conf" "$@" >/dev/null || hard_error "mkstore"; }
# Changes go through the helper, which lets a caller who is not root change
# only their own account: the account that changes is the test user's.
seed "alice password=$PA" "$ME password=$(printf '%s' "$PB" | penc)"

pam() { # COMMAND ARGS...: pamdrv under pam_wrapper and the audit sink
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- timeout 60 env LD_PRELOAD="$PAM_WRAPPER_SO" \
        PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/services" \
        "$PAMDRV" pwrhard "$@" >"$T/out" 2>"$T/err"
    RC=$?
    cat "$T/ev.raw" >>"$T/audit.all"
}
auth() { # USER PASSWORD: sets GOT to "auth=... acct=..."
    printf '%s' "$1" >"$T/user"
    printf '%s' "$2" >"$T/pass"
    pam auth "$T/user" "$T/pass"
    GOT=$(grep '^auth=' "$T/out")
}

# ---- logins ---------------------------------------------------------------------
NL=$(printf '\nx')
NL=${NL%x}
n=0 bad=0
for login in "" "$(rep 32 a)" "$(rep 33 a)" "$(rep 256 b)" "$(rep 4096 c)" \
    "bad:name" "$(printf 'bad\nname')" "$(printf 'bad\rname')" \
    "$(printf 'bad\033[2Jname')" "bad%nname%s" "$(printf 'bad\377name')" \
    "alice$NL" "alice:x" " alice"; do
    n=$((n + 1))
    auth "$login" "$PA"
    case $RC:$GOT in
    "0:auth=USER_UNKNOWN acct=-") ;;
    *) nok "login #$n: exit $RC, $GOT"; bad=$((bad + 1)) ;;
    esac
    if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/out"; then
        nok "login #$n: a control byte was shown to the user"
    fi
done
check "$n hostile logins: user unknown to the module, no hang" [ "$bad" = 0 ]

# ---- passwords ------------------------------------------------------------------
auth alice "$PA"
check "the 511-byte password authenticates" [ "$GOT" = "auth=SUCCESS acct=SUCCESS" ]
auth alice "$(printf '%s' "$PA" | head -c 510)"
check "... its first 510 bytes do not" [ "$GOT" = "auth=AUTH_ERR acct=-" ]
auth alice "${PA}x"
check "... nor it with one byte more (never truncated to 511)" [ "$GOT" = "auth=AUTH_ERR acct=-" ]
for len in 0 11 12 64 512 513 65536; do
    auth alice "$(gen "$len")"
    check "a wrong password of $len bytes: refused, no hang (exit $RC)" \
        [ "$GOT" = "auth=AUTH_ERR acct=-" ]
done
auth "$ME" "$PB"
check "a password with 4-byte UTF-8 characters authenticates" [ "$GOT" = "auth=SUCCESS acct=SUCCESS" ]
auth "$ME" "$(printf 'Gr\303\274n--\360\235\204\236-Rose-42')"
check "... without one of them it does not" [ "$GOT" = "auth=AUTH_ERR acct=-" ]

# New passwords through the password stage.
old=$PB
for len in 0 11 12 64 512 513 65536; do
    new=$(gen "$len")
    [ "$len" = 64 ] && new=$(printf '%s\360\237\224\221' "$(gen 60)")
    printf '%s' "$new" >"$T/new"
    pam change "$ME" "$old" "$T/new"
    got=$(grep '^auth=' "$T/out")
    case $len in
    12 | 64)
        auth "$ME" "$new"
        a=$GOT
        auth "$ME" "$(printf '%s' "$new" | head -c $((${#new} - 1)))"
        if [ "$got" = "auth=SUCCESS chauthtok=SUCCESS" ] &&
           [ "$a" = "auth=SUCCESS acct=SUCCESS" ] && [ "$GOT" = "auth=AUTH_ERR acct=-" ]; then
            ok "a new password of $len bytes is stored whole"
        else
            nok "a new password of $len bytes: $got / $a / $GOT"
        fi
        old=$new ;;
    *)
        auth "$ME" "$old"
        if [ "${got#auth=SUCCESS chauthtok=}" != SUCCESS ] && [ "$GOT" = "auth=SUCCESS acct=SUCCESS" ]; then
            ok "a new password of $len bytes is refused (${got#*chauthtok=}), the old one stays"
        else
            nok "a new password of $len bytes: $got, old password: $GOT"
        fi ;;
    esac
done

# ---- one reset code, two logins at once ----------------------------------------
rounds=0 good=0
while [ "$rounds" -lt 5 ]; do
    rounds=$((rounds + 1))
    seed "$ME password=$PA code=$CODE"
    N1=Racer-One-$rounds-Maple-2211 N2=Racer-Two-$rounds-Cedar-8873
    pam race "$ME" "$CODE" "$N1" "$N2"
    r=$(sed -n 's/^race=//p' "$T/out")
    auth "$ME" "$N1"; a1=$GOT
    auth "$ME" "$N2"; a2=$GOT
    auth "$ME" "$CODE"; ac=$GOT
    case $r in
    SUCCESS,SUCCESS | *AUTH_ERR,*AUTH_ERR | '') nok "round $rounds: $r"; continue ;;
    SUCCESS,*) want1=auth=SUCCESS want2=auth=AUTH_ERR ;;
    *,SUCCESS) want1=auth=AUTH_ERR want2=auth=SUCCESS ;;
    *) nok "round $rounds: neither succeeded ($r)"; continue ;;
    esac
    if [ "${a1%% *}" = "$want1" ] && [ "${a2%% *}" = "$want2" ] &&
       [ "$ac" = "auth=AUTH_ERR acct=-" ]; then
        good=$((good + 1))
        echo "# round $rounds: $r"
    else
        nok "round $rounds ($r): new1 $a1, new2 $a2, code $ac"
    fi
done
check "the same code redeemed by two logins at once: exactly one wins ($good/$rounds)" \
    [ "$good" = "$rounds" ]

"$AUDITCHECK" "$T/audit.all" >"$T/acheck"
arc=$?
check "every audit line is well formed ($(tail -1 "$T/acheck"))" [ "$arc" = 0 ]
grep '^line' "$T/acheck" | head -3 | sed 's/^/# /'
finish
