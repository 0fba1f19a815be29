#!/bin/sh
# test-races.sh - concurrent writers through the real helper.
#  1. One reset code redeemed by two password changes at the same instant,
#     ten times: exactly one wins each time; the code is then dead and only
#     the winner's password works.
#  2. 50 writers at once (force-reset, block and reset-code, several per
#     account): every one ends cleanly, and the final store equals the
#     serial replay of the audit events they wrote (the events' effects
#     commute, so any serial order gives the same store): no update lost,
#     none invented, nothing else touched.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/hardening/hlib.sh"
command -v mkfifo >/dev/null 2>&1 || skip_all "no mkfifo"

PW=Sable-Orchard-Kite-4471
CODE=abcde-fghjk-mnpqr-stuvw
FILLERS=10
write_conf "$T/conf" "lock_timeout = 30000"
store_seed "$ME:$PW"
CH=$(printf '%s\n' "$CODE" | "$MKHASH" code)
EXP=$(($(date +%s) + 3600))
sed "s|^$ME status=active |$ME status=active code=$CH code_expires=$EXP |" \
    "$T/state/store" >"$T/with-code"
chmod 600 "$T/with-code"
"$STORECHECK" "$T/with-code" "$ME" | grep -q ' code=' || hard_error "seeding the code"

verifies() {
    req "$T/vreq" verify user "$ME" password "$1"
    "$HELPER" <"$T/vreq" 2>/dev/null | grep -q '^result ok$'
}

# ---- 1. one code, two changes at once ---------------------------------------------
mkfifo "$T/f1" "$T/f2"
wins=0 round=0
while [ "$round" -lt 10 ]; do
    round=$((round + 1))
    cp "$T/with-code" "$T/state/store"
    N1=First-Racer-$round-Quince-1187 N2=Second-Racer-$round-Tansy-6452
    req "$T/r1" chauthtok user "$ME" proof "$CODE" new "$N1"
    req "$T/r2" chauthtok user "$ME" proof "$CODE" new "$N2"
    # Both helpers wait for their request; both requests then arrive at once.
    "$HELPER" <"$T/f1" >"$T/o1" 2>/dev/null &
    p1=$!
    "$HELPER" <"$T/f2" >"$T/o2" 2>/dev/null &
    p2=$!
    cat "$T/r1" >"$T/f1" &
    cat "$T/r2" >"$T/f2"
    wait "$p1"; e1=$?
    wait "$p2"; e2=$?
    wait
    v1=no v2=no vc=no
    verifies "$N1" && v1=yes
    verifies "$N2" && v2=yes
    "$STORECHECK" "$T/state/store" "$ME" | grep -q ' code=' && vc=yes
    echo "# round $round: exits $e1 $e2; new1 $v1, new2 $v2, code left $vc"
    case $e1:$e2:$v1:$v2:$vc in
    0:[18]:yes:no:no | 0:10:yes:no:no | [18]:0:no:yes:no | 10:0:no:yes:no) wins=$((wins + 1)) ;;
    *) nok "round $round: exits $e1 $e2, new1 $v1, new2 $v2, code left $vc" ;;
    esac
done
check "one code, two changes at once: exactly one wins, every time ($wins/10)" [ "$wins" = 10 ]

# ---- 2. fifty writers -----------------------------------------------------------
# Targets must be system accounts when the test user is not root (the helper
# refuses others to an admin-group member): pick ordinary ones.
MYGROUP=$(id -gn)
mygroups() { id -Gn "$1" 2>/dev/null | tr ' ' '\n'; }
accts=
for u in daemon bin sys games man lp mail news uucp proxy www-data backup list irc; do
    getent passwd "$u" >/dev/null 2>&1 || continue
    [ "$u" = "$ME" ] && continue
    mygroups "$u" | grep -qx "$MYGROUP" && continue
    accts="$accts $u"
done
set -- $accts
[ $# -ge 5 ] || { echo "# only $# ordinary system accounts: part 2 skipped"; finish; }
[ $# -gt 10 ] && set -- $(echo "$accts" | tr ' ' '\n' | grep . | head -10)
write_conf "$T/conf" "lock_timeout = 30000" "admin_group = $MYGROUP"
FILLERS=5
store_seed "$ME:$PW" $(for u in "$@"; do printf '%s:Start-%s-Password-1\n' "$u" "$u"; done)
sed -i 's/ flags=must_change//' "$T/state/store"
cp "$T/state/store" "$T/before"

w=0
: >"$T/cmds"
while [ "$w" -lt 50 ]; do
    eval "u=\${$((w % $# + 1))}"
    case $((w / $#)) in
    0 | 2 | 4) req "$T/w$w" force_reset user "$u" ;;
    1) req "$T/w$w" reset_code user "$u" ;;
    *) req "$T/w$w" block user "$u" reason "r-$u" keep_sessions 1 ;;
    esac
    echo "\"$HELPER\" <\"$T/w$w\" >\"$T/o$w\" 2>/dev/null & " >>"$T/cmds"
    w=$((w + 1))
done
echo 'wait' >>"$T/cmds"
# One shell starts all fifty, so they run together; exits are in the replies.
: >"$T/ev.raw"
"$SINK" "$T/log" "$T/ev.raw" -- sh "$T/cmds"
cat "$T/ev.raw" >>"$T/audit.all"

bad=0
w=0
while [ "$w" -lt 50 ]; do
    r=$(sed -n 's/^result //p' "$T/o$w")
    case $r in ok | ineligible) ;; *) bad=$((bad + 1)); echo "# writer $w: result '$r'" ;; esac
    w=$((w + 1))
done
check "all 50 writers ended cleanly (done, or refused as ineligible)" [ "$bad" = 0 ]
"$AUDITCHECK" "$T/ev.raw" >/dev/null
check "their audit lines are well formed" [ $? = 0 ]

# Replay: status, must_change and code of each account from the events.
sed -n 's/^.*pwreset\[[0-9]*\]: event=\([a-z_]*\) user=\([^ ]*\).*/\1 \2/p' "$T/ev.raw" >"$T/events"
echo "# $(wc -l <"$T/events") events: $(cut -d' ' -f1 "$T/events" | sort | uniq -c | tr '\n' ' ')"
mismatch=0
for u in "$@"; do
    want_status=active want_mc=no want_code=no
    grep -qx "account_blocked $u" "$T/events" && want_status=blocked
    grep -qx "force_password_reset_set $u" "$T/events" && want_mc=yes
    grep -qx "reset_code_issued $u" "$T/events" && want_code=yes
    line=$("$STORECHECK" "$T/state/store" "$u")
    st=$(printf '%s' "$line" | sed -n 's/.* status=\([a-z]*\).*/\1/p')
    mc=no; printf '%s' "$line" | grep -q 'flags=[a-z_,]*must_change' && mc=yes
    cd=no; printf '%s' "$line" | grep -q ' code=' && cd=yes
    rs=yes
    [ "$want_status" = blocked ] && ! printf '%s' "$line" | grep -q " reason=r-$u" && rs=no
    if [ "$st:$mc:$cd:$rs" != "$want_status:$want_mc:$want_code:yes" ]; then
        mismatch=$((mismatch + 1))
        echo "# $u: store $st/$mc/$cd/$rs, replay $want_status/$want_mc/$want_code"
    fi
done
check "the final store equals the serial replay of the audit events ($# accounts)" \
    [ "$mismatch" = 0 ]
check "... every force-reset, code and block left its event (none lost)" \
    [ "$(grep -c '^account_blocked ' "$T/events")" = "$#" ]
check "... the accounts no writer touched are byte for byte as before" \
    sh -c "[ \"\$(grep -e '^fill' -e '^$ME ' '$T/state/store')\" = \"\$(grep -e '^fill' -e '^$ME ' '$T/before')\" ]"
check "... and the store is valid" store_valid
finish
