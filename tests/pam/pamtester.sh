#!/bin/sh
# pamtester.sh - drives pam_pwreset.so with pamtester, a real PAM client, under
# pam_wrapper (no root, nothing outside a temporary directory touched):
# the right password authenticates, a wrong one does not, a blocked account is
# refused at the account stage.
# SPDX-License-Identifier: BSD-3-Clause
set -u
: "${top_builddir:?run through make check}"
[ "${PWR_SANITIZERS:-no}" = yes ] && { echo "SKIP: pam_wrapper cannot run under AddressSanitizer"; exit 77; }
command -v pamtester >/dev/null 2>&1 || { echo "SKIP: pamtester not installed"; exit 77; }
[ -n "${PAM_WRAPPER_SO:-}" ] && [ -f "$PAM_WRAPPER_SO" ] || { echo "SKIP: no pam_wrapper"; exit 77; }
# pam_wrapper users take turns (see tests/pam/pamtest_runner.c).
if [ -n "${PWR_WRAPPER_LOCK:-}" ]; then
    exec 9>>"$PWR_WRAPPER_LOCK" && flock 9
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/pwrpamtester.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
mkdir -m 700 "$dir/state" "$dir/services"
cat >"$dir/pwreset.conf" <<CONF
store = $dir/state/store
audit_socket = $dir/audit.sock
hash_cost = 3
fail_delay = 0
CONF
mod="$top_builddir/pam_module/.libs/pam_pwreset.so config=$dir/pwreset.conf helper=$top_builddir/helper/pwreset-helper"
cat >"$dir/services/pwrtest" <<SVC
auth required $mod
account required $mod
SVC
"$top_builddir/tests/pam/pamtest_runner" --mkstore "$dir/pwreset.conf" \
    "alice password=correct-horse-battery-staple" \
    "bob password=bobs-long-password-123 status=blocked" || exit 99

pt() {  # pt PASSWORD USER OPS...
    pw=$1; shift
    printf '%s\n' "$pw" | env LD_PRELOAD="$PAM_WRAPPER_SO" PAM_WRAPPER=1 \
        PAM_WRAPPER_SERVICE_DIR="$dir/services" \
        ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 \
        pamtester -v pwrtest "$@" >"$dir/out" 2>&1
}
fails=0
check() {  # check WANT_RC DESCRIPTION
    if [ "$rc" -eq "$1" ]; then echo "ok: $2"; else
        echo "FAIL: $2 (exit $rc)"; cat "$dir/out"; fails=$((fails + 1)); fi
}
pt correct-horse-battery-staple alice authenticate acct_mgmt; rc=$?
check 0 "right password authenticates and passes the account stage"
grep -q "successfully authenticated" "$dir/out" || { echo "FAIL: pamtester did not report success"; fails=$((fails + 1)); }
pt wrong-password-entirely alice authenticate; rc=$?
check 1 "wrong password is refused"
pt bobs-long-password-123 bob authenticate acct_mgmt; rc=$?
check 1 "blocked account is refused"
grep -q "blocked" "$dir/out" || { echo "FAIL: no blocked message shown"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ]
