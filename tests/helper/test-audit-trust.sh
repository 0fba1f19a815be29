#!/bin/sh
# test-audit-trust.sh - where the audit trail ends, through the real CLI and the
# build-tree pwreset-helper run WITHOUT privilege: "pwreset audit --verify"
# compares the newest event with the chain state and reports a cut at the
# end (deleted lines, or lines lost while the syslog socket was absent);
# without a readable chain state it says such a cut cannot be seen; an
# unsealed event only the helper writes is reported as forged, and "pwreset
# audit" marks every row sealed, unsealed or forged (table, CSV, JSON); a
# lost audit line's warning names the socket and the error.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

as_nobody "$here/test-audit-trust.sh"
cli_workdir pwrtrust

need_accounts 2

cli_conf_defaults
write_conf "$T/conf"
sed "s|^audit_socket = .*|audit_socket = $T/nobody-listens|" "$T/conf" >"$T/conf_nolog"

verify() {
    "$PWRESET" --config "$T/conf" audit --verify "$@" >"$T/vout" 2>"$T/verr"
    VRC=$?
}
vout_has() { grep -q -e "$1" "$T/vout"; }

# ---- events lost before the log begins: /dev/log absent --------------------
"$PWRESET" --config "$T/conf_nolog" enrol "$U1" >"$T/out" 2>"$T/err"
check "with no listener the action still stands" [ $? = 0 ]
check "... and the warning names the socket and the error" \
    grep -q "could not be written to syslog: .*$T/nobody-listens: No such file or directory" "$T/err"
: >"$T/audit.all"
run enrol "$U2"
run block "$U2" --keep-sessions --reason "trust test"
run unblock "$U2"
cp "$T/audit.all" "$T/good.log"
n=$(grep -c 'pwreset\[' "$T/good.log")
check "(the log holds $n sealed events, the first lost: seq 2..$((n + 1)))" \
    sh -c "[ $n -ge 3 ] && head -n 1 '$T/good.log' | grep -q ' seq=2 mac='"

verify "$T/good.log"
check "--verify passes a log whose first event was never written" [ "$VRC" = 0 ]
check "... saying the chain is checked only from seq 2" \
    vout_has "chain intact from seq 2 (give older logs to check seq 1\.\.1)"
check "... and up to the newest event the chain state records" \
    vout_has "up to the newest event the chain state records"

# ---- a cut at the end -------------------------------------------------------
sed '$d' "$T/good.log" >"$T/cut.log"
verify "$T/cut.log"
check "--verify catches the newest line deleted" [ "$VRC" = 8 ]
check "... naming the missing seq against the chain state" \
    vout_has "event(s) seq $((n + 1))\.\.$((n + 1)) missing at the end (the chain state records seq $((n + 1))"
check "... and says the chain is broken" vout_has "CHAIN BROKEN"

"$PWRESET" --config "$T/conf_nolog" force-reset "$U2" >"$T/out" 2>"$T/err"
verify "$T/good.log"
check "--verify catches the newest event lost while the socket was absent" \
    sh -c "[ $VRC = 8 ] && grep -q 'missing at the end' '$T/vout'"

mv "$T/audit.chain" "$T/audit.chain.away"
verify "$T/cut.log"
check "without a readable chain state, --verify says a cut at the end cannot be seen" \
    sh -c "[ $VRC = 0 ] && grep -q 'a cut at the end of the log .* cannot be seen without it' '$T/vout'"
check "... and does not claim to have checked the end" \
    sh -c "! grep -q 'chain state records' '$T/vout'"
mv "$T/audit.chain.away" "$T/audit.chain"

# ---- forged events ------------------------------------------------------------
run force-reset "$U1" --clear
cp "$T/audit.all" "$T/all.log"
fl=$(($(wc -l <"$T/all.log") + 1))
forged="<85>$(date '+%b %e %H:%M:%S') pwreset[4242]: event=account_unblocked user=$U2 actor=root actor_uid=0 result=success"
printf '%s\n' "$forged" >>"$T/all.log"
printf '<85>%s pwreset[4243]: event=login_allowed user=%s result=success\n' \
    "$(date '+%b %e %H:%M:%S')" "$U1" >>"$T/all.log"
printf '<85>%s pwreset[4244]: event=account_blocked user=%s actor=root trust=sealed\n' \
    "$(date '+%b %e %H:%M:%S')" "$U1" >>"$T/all.log"
printf '<85>%s pwreset[4245]: event="\\x1b]2;pwned\\x07" user=%s\n' \
    "$(date '+%b %e %H:%M:%S')" "$U1" >>"$T/all.log"
verify "$T/all.log"
check "--verify reports an unsealed account_unblocked as forged" \
    sh -c "[ $VRC = 8 ] && grep -q 'all.log:$fl: event=account_unblocked without seq= and mac=.*forged' '$T/vout'"
check "... and a login decision (the module's, never sealed) only as unsealed" \
    sh -c "! grep -q 'event=login_allowed' '$T/vout' && grep -q '4 unsealed pwreset line(s) (3 forged)' '$T/vout'"
check "... never printing a control byte a forged line carries" \
    sh -c "! grep -q \"\$(printf '\\033')\" '$T/vout' && grep -q 'event=????pwned? without' '$T/vout'"

"$PWRESET" audit "$T/all.log" >"$T/tab" 2>"$T/err"
check "audit (table) has a TRUST column" sh -c "head -n 1 '$T/tab' | grep -q ' TRUST '"
check "... marking the forged account_unblocked" \
    sh -c "grep ' account_unblocked ' '$T/tab' | grep -v ' seq=' | grep -q ' forged '"
check "... a line's own trust= cannot set it" \
    sh -c "grep ' account_blocked ' '$T/tab' | grep -v ' seq=' | grep -q ' forged '"
check "... the login decision as unsealed" \
    sh -c "grep ' login_allowed ' '$T/tab' | grep -q ' unsealed '"
check "... and the helper's events as sealed" \
    sh -c "[ \$(grep -c ' sealed ' '$T/tab') = \$(grep -c ' seq=' '$T/all.log') ]"
"$PWRESET" audit --format csv "$T/all.log" >"$T/csv" 2>"$T/err"
check "audit --format csv ends each row with the trust column" \
    sh -c "head -n 1 '$T/csv' | grep -q ',\"trust\"\$' && grep -q '^[^,]*,\"account_unblocked\",.*,\"forged\"\$' '$T/csv'"
if command -v python3 >/dev/null 2>&1; then
    "$PWRESET" audit --format json "$T/all.log" >"$T/json" 2>"$T/err"
    check "audit --format json gives each event its trust" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
t = {(o["event"], "seq" in o): o["trust"] for o in a}
assert t[("account_unblocked", False)] == "forged", t
assert t[("account_blocked", False)] == "forged", t
assert t[("login_allowed", False)] == "unsealed", t
assert all(o["trust"] == "sealed" for o in a if "seq" in o), a
' "$T/json"
fi
finish
