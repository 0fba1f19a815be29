#!/bin/sh
# test-hostile-caller.sh - the caller of the
# set-uid-root helper can neither stop, kill nor starve it mid-action, and
# the self-service rate limit holds under any concurrency.  Against the real
# set-uid helper, started by throwaway users:
#  A. once the helper has identified its caller (it waits for the request),
#     the caller's SIGSTOP and SIGKILL are refused (the real uid is 0), and
#     the admin action then completes with its audit event;
#  S. started with nice 19, SCHED_IDLE and the idle I/O class, it runs
#     with the defaults (a starved helper would hold its locks for long);
#  B. SIGSTOP by the caller at random points of wrong guesses (which seal an
#     event and then wait fail_delay), own password changes and admin
#     password sets: root's admin actions meanwhile never find the store or
#     the audit chain busy, and every one of their events is sealed;
#  C. pwreset audit --verify over everything those runs logged: every
#     helper line sealed, chain intact;
#  D. SIGKILL by an admin-group caller at random points of a set-password:
#     every change that reached the store has its audit event;
#  E. interval timers (ITIMER_REAL, VIRTUAL, PROF every 1 ms) inherited
#     through execve: a wrong guess is answered, audited and counted, an
#     admin change is made and audited;
#  F. ulimit -s 32: the same, and each wrong guess is also delayed;
#  H. terminal job control: a background job writing its reply to a
#     "stty tostop" terminal gets SIGTTOU: it is not stopped, and root's
#     action meanwhile neither waits nor loses its seal;
#  G. 40 wrong guesses at once in a fresh window: exactly 5 are checked
#     (auth_failed wrong_password), 35 refused unchecked (rate_limited), and
#     the count reads 5; a success clears the count, and at the limit even
#     the right password is refused.
# SPDX-License-Identifier: BSD-3-Clause
#
# Needs root (skipped with 77 otherwise); re-runs itself in a private mount
# namespace with private copies of /etc/passwd, group and shadow and a
# private directory over the helper's compiled-in configuration directory
# (tests/helper/lib.sh).  Every process it starts is waited for or killed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

enter_private_ns PWR_HOSTILE_CALLER_NS "$here/test-hostile-caller.sh"

# ---- inside the private mount namespace ----------------------------------
suid_workdir pwrcaller
install_helper tests/helper/mkhash tests/hardening/itimer_exec
PWRESET=$top_builddir/cli/pwreset
[ -x "$PWRESET" ] || hard_error "$PWRESET not built"

base=$(free_ids 48101 3)
private_etc_begin
add_user pwrc1 "$base"           # admin-group member
add_user pwrc2 $((base + 1))     # ordinary user: guesses and changes
printf 'pwrcadm:x:%d:pwrc1\n' $((base + 2)) >>"$T/etc/group"
private_etc_mount pwrc1
private_config

# conf FAIL_DELAY_MS
conf() {
    printf 'store = %s/state/store\naudit_socket = %s/log\nfail_delay = %s\nhash_cost = 1\nlock_timeout = 1000\nadmin_group = pwrcadm\n' \
        "$T" "$T" "$1" >"$CONFIG"
    chmod 644 "$CONFIG"
}
conf 300

hash() { printf '%s\n' "$1" | "$T/bin/mkhash" password 1; }
P1=Caller-One-Lantern-5120
P2=Caller-Two-Thicket-7731
{
    printf 'pwrc1 status=active hash=%s changed=1\n' "$(hash "$P1")"
    printf 'pwrc2 status=active hash=%s changed=1\n' "$(hash "$P2")"
    i=0
    while [ "$i" -lt 20 ]; do
        printf 'zfill%03d status=active changed=1\n' "$i"
        i=$((i + 1))
    done
} | LC_ALL=C sort >"$T/records"
{ echo 'pwreset-store 1'; cat "$T/records"; echo "end $(wc -l <"$T/records")"; } >"$T/state/store"
chmod 600 "$T/state/store"
: >"$T/audit.all"

# as USER CMD...: CMD as USER (a program, so also through the sink)
as() { _u=$1; shift; setpriv --reuid="$_u" --regid="$_u" --init-groups "$@"; }
reqf() { # FILE OP [KEY VALUE]...
    _f=$1 _op=$2
    shift 2
    { printf 'pwreset-helper 1\nop %s\n' "$_op"
      while [ $# -ge 2 ]; do printf '%s %s\n' "$1" "$2"; shift 2; done
      printf 'end\n'; } >"$_f"
}
rnd() { od -An -N2 -tu2 /dev/urandom | awk -v n="$1" '{ print $1 % n }'; }
msleep() { sleep "$(awk -v m="$1" 'BEGIN { printf "%.3f", m / 1000 }')"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# sink FILE CMD...: CMD under the audit sink, its lines appended to FILE
# and to audit.all.
sink() {
    _o=$1
    shift
    : >"$T/sink.raw"
    "$SINK" "$T/log" "$T/sink.raw" -- "$@"
    _rc=$?
    cat "$T/sink.raw" >>"$_o"
    cat "$T/sink.raw" >>"$T/audit.all"
    return $_rc
}
line_of() { grep "^$1 " "$T/state/store"; }
fails_of() {
    _c=$(cat "$T/state/store.fail/$1" 2>/dev/null)
    if [ -n "$_c" ]; then echo "$_c"; else echo "0 0"; fi
}
n_events() { grep -c "event=$2\( \|\$\)" "$1" 2>/dev/null || true; }
n_events_with() { grep "event=$2 " "$1" 2>/dev/null | grep -c -e "$3" || true; }

reqf "$T/wrong" verify user pwrc2 password Not-The-Password-0000

# ---- A. identified: the caller can neither stop nor kill it ---------------------
reqf "$T/reqA" set_password user pwrc2 password Admin-Set-Quarry-6604
mkfifo "$T/fifo"
cp "$T/state/store" "$T/before"
cat >"$T/partA.sh" <<EOF
exec 7<>"$T/fifo"
setpriv --reuid=pwrc1 --regid=pwrc1 --init-groups "$HELPER" <"$T/fifo" >"$T/outA" 2>/dev/null &
pid=\$!
i=0
# It identifies the caller before it reads the request: wait for the read.
while [ \$i -lt 500 ] && ! grep -q pipe_read /proc/\$pid/wchan 2>/dev/null; do
    sleep 0.01; i=\$((i + 1))
done
grep '^Uid:' /proc/\$pid/status >"$T/uidA"
setpriv --reuid=pwrc1 --regid=pwrc1 --init-groups kill -STOP \$pid 2>/dev/null && echo stop >>"$T/sigA"
setpriv --reuid=pwrc1 --regid=pwrc1 --init-groups kill -KILL \$pid 2>/dev/null && echo kill >>"$T/sigA"
cat "$T/reqA" >&7
exec 7>&-
wait \$pid
echo \$? >"$T/rcA"
EOF
: >"$T/sigA" >"$T/evA"
sink "$T/evA" sh "$T/partA.sh"
echo "# helper ids while it waits for the request: $(cat "$T/uidA")"
check "A: once identified, the caller's SIGSTOP and SIGKILL are refused ($(tr '\n' ' ' <"$T/sigA"))" \
    [ ! -s "$T/sigA" ]
check "A: ... its real uid is 0 by then" sh -c "awk '{ exit \$2 != 0 }' '$T/uidA'"
check "A: ... and the admin set-password completes (exit $(cat "$T/rcA"))" \
    sh -c "[ '$(cat "$T/rcA")' = 0 ] && grep -q '^result ok' '$T/outA'"
check "A: ... with its audit event" [ "$(n_events "$T/evA" password_set_by_admin)" = 1 ]

# ---- S. starving it: nice 19, SCHED_IDLE, idle I/O --------------------------------
# Read while it waits for its request, as in A.
if command -v chrt >/dev/null 2>&1 && command -v ionice >/dev/null 2>&1; then
    cat >"$T/partS.sh" <<EOF
exec 7<>"$T/fifo"
setpriv --reuid=pwrc2 --regid=pwrc2 --init-groups nice -n 19 chrt --idle 0 ionice -c 3 "$HELPER" <"$T/fifo" >/dev/null 2>&1 &
pid=\$!
i=0
while [ \$i -lt 500 ] && ! grep -q pipe_read /proc/\$pid/wchan 2>/dev/null; do
    sleep 0.01; i=\$((i + 1))
done
awk '{ print \$19, \$41 }' /proc/\$pid/stat >"$T/schedS"
ionice -p \$pid >>"$T/schedS" 2>&1
cat "$T/wrong" >&7
exec 7>&-
wait \$pid
EOF
    : >"$T/schedS"
    sink "$T/evS" sh "$T/partS.sh"
    check "S: nice -n 19 chrt --idle ionice -c 3: undone once it runs ($(tr '\n' ' ' <"$T/schedS"))" \
        sh -c "head -1 '$T/schedS' | grep -qx '0 0' && ! grep -q idle '$T/schedS'"
else
    echo "# no chrt or ionice: scheduling not tested"
fi

# ---- B. SIGSTOP at random points ------------------------------------------------
# Caller ops in turn: a wrong guess (seals an event, then waits fail_delay),
# an own password change (holds the store lock), an admin password set.
: >"$T/evB"
busy=0 slow=0 tries=0 stopped=0 rootok=0
while [ "$tries" -lt 24 ]; do
    tries=$((tries + 1))
    case $((tries % 3)) in
    0) u=pwrc2; cp "$T/wrong" "$T/reqB" ;;
    1) u=pwrc2; new="Stop-Loop-$tries-Pumice-3390"
       reqf "$T/reqB" chauthtok user pwrc2 proof "$P2" new "$new" ;;
    *) u=pwrc1; reqf "$T/reqB" set_password user pwrc2 password "Stop-Admin-$tries-Fennel-2218" ;;
    esac
    if [ $((tries % 2)) = 0 ]; then
        rop=unblock; reqf "$T/rootB" unblock user zfill000 reason stop-test
    else
        rop=block; reqf "$T/rootB" block user zfill000 reason stop-test keep_sessions 1
    fi
    d=$(rnd 380)
    cat >"$T/partB.sh" <<EOF
setpriv --reuid=$u --regid=$u --init-groups "$HELPER" <"$T/reqB" >"$T/outB" 2>/dev/null &
pid=\$!
sleep $(awk -v m="$d" 'BEGIN { printf "%.3f", m / 1000 }')
setpriv --reuid=$u --regid=$u --init-groups kill -STOP \$pid 2>/dev/null && echo stopped >"$T/stB"
t0=\$((\$(date +%s%N) / 1000000))
"$HELPER" <"$T/rootB" >"$T/routB" 2>/dev/null
echo "\$? \$((\$(date +%s%N) / 1000000 - t0))" >"$T/rrcB"
# Only a stopped helper: a SIGCONT would also discard the SIGSTOP of a
# sanitizer's leak check stopping the helper as it exits.
[ "\$(awk '{ print \$3 }' /proc/\$pid/stat 2>/dev/null)" = T ] && kill -CONT \$pid
wait \$pid
EOF
    rm -f "$T/stB"
    sink "$T/evB" sh "$T/partB.sh"
    [ -e "$T/stB" ] && stopped=$((stopped + 1))
    read -r rrc ms <"$T/rrcB"
    if grep -q '^result busy' "$T/routB"; then
        busy=$((busy + 1))
        echo "# try $tries ($u, stop after ${d} ms): root's $rop: store busy"
    elif [ "$rrc" != 0 ] && ! grep -q '^result ineligible' "$T/routB"; then
        busy=$((busy + 1))
        echo "# try $tries: root's $rop exit $rrc: $(sed -n 's/^message //p' "$T/routB")"
    else
        rootok=$((rootok + 1))
    fi
    [ "$ms" -gt 1500 ] && { slow=$((slow + 1)); echo "# try $tries ($u, stop after ${d} ms): root's $rop took $ms ms"; }
    case $u:$((tries % 3)) in pwrc2:1) grep -q '^result ok' "$T/outB" && P2=$new ;; esac
done
echo "# $tries tries, the caller's SIGSTOP took effect $stopped times (only before the caller is identified)"
check "B: root's admin actions never found the store or chain busy ($busy of $tries)" [ "$busy" = 0 ]
check "B: ... and none waited for a stopped helper ($slow of $tries over 1.5 s)" [ "$slow" = 0 ]
nb=$(($(n_events_with "$T/evB" account_blocked ' mac=') + $(n_events_with "$T/evB" account_unblocked ' mac=')))
check "B: ... every one of root's $rootok block/unblock events is sealed ($nb)" [ "$nb" = "$rootok" ]

# ---- C. --verify over all of it ------------------------------------------------------
unsealed=$(grep 'pwreset\[[0-9]*\]: event=' "$T/audit.all" | grep -vc ' mac=' || true)
check "C: every helper line logged so far is sealed ($unsealed unsealed)" [ "$unsealed" = 0 ]
"$PWRESET" --config "$CONFIG" audit --verify "$T/audit.all" >"$T/vout" 2>&1
vrc=$?
sed 's/^/#   /' "$T/vout" | tail -3
check "C: pwreset audit --verify: chain intact (exit $vrc)" \
    sh -c "[ $vrc = 0 ] && grep -q 'chain intact' '$T/vout'"

# ---- D. SIGKILL at random points ----------------------------------------------------
# Calibrate: how long one admin set-password takes.
reqf "$T/reqD" set_password user pwrc2 password Kill-Calibrate-Mortar-1100
t0=$(now_ms)
sink "$T/evD0" setpriv --init-groups --reuid=pwrc1 --regid=pwrc1 "$HELPER" <"$T/reqD" >/dev/null 2>&1
span=$(($(now_ms) - t0 + 5))
unaudited=0 changed=0 tries=0
while [ "$tries" -lt 30 ]; do
    tries=$((tries + 1))
    reqf "$T/reqD" set_password user pwrc2 password "Kill-Loop-$tries-Nettle-4471"
    cp "$T/state/store" "$T/beforeD"
    d=$(rnd "$span")
    cat >"$T/partD.sh" <<EOF
setpriv --reuid=pwrc1 --regid=pwrc1 --init-groups "$HELPER" <"$T/reqD" >/dev/null 2>&1 &
pid=\$!
sleep $(awk -v m="$d" 'BEGIN { printf "%.3f", m / 1000 }')
setpriv --reuid=pwrc1 --regid=pwrc1 --init-groups kill -KILL \$pid 2>/dev/null
wait \$pid
EOF
    : >"$T/evD"
    sink "$T/evD" sh "$T/partD.sh"
    if [ "$(line_of pwrc2)" != "$(grep '^pwrc2 ' "$T/beforeD")" ]; then
        changed=$((changed + 1))
        if [ "$(n_events "$T/evD" password_set_by_admin)" != 1 ] &&
           ! ls "$T/state"/store.intent.* >/dev/null 2>&1; then
            unaudited=$((unaudited + 1))
            echo "# try $tries (kill after $d of $span ms): pwrc2 changed, no audit event"
        fi
    fi
done
echo "# $tries kills, $changed changes reached the store"
check "D: every change the killed helpers made is audited ($unaudited unaudited)" [ "$unaudited" = 0 ]

# ---- E. inherited interval timers ----------------------------------------------------
# They fire 50 ms after exec (once the caller is identified; before, nothing
# has been decided) and every 1 ms after that; a wrong guess then waits
# fail_delay (300 ms).
rm -rf "$T/state/store.fail"
: >"$T/evE"
sink "$T/evE" setpriv --init-groups --reuid=pwrc2 --regid=pwrc2 "$T/bin/itimer_exec" 50000 1000 "$HELPER" <"$T/wrong" >"$T/outE" 2>/dev/null
rc=$?
check "E: inherited timers: a wrong guess is answered (exit $rc)" \
    sh -c "[ $rc = 8 ] && grep -q '^result auth' '$T/outE'"
check "E: ... audited" [ "$(n_events_with "$T/evE" auth_failed wrong_password)" = 1 ]
check "E: ... and counted ($(fails_of pwrc2))" [ "$(fails_of pwrc2 | cut -d' ' -f1)" = 1 ]
reqf "$T/reqE" set_password user pwrc2 password Timer-Admin-Saddle-5829
: >"$T/evE"
sink "$T/evE" setpriv --init-groups --reuid=pwrc1 --regid=pwrc1 "$T/bin/itimer_exec" 50000 1000 "$HELPER" <"$T/reqE" >"$T/outE" 2>/dev/null
rc=$?
check "E: inherited timers: an admin set-password is made (exit $rc) and audited" \
    sh -c "[ $rc = 0 ] && [ $(n_events "$T/evE" password_set_by_admin) = 1 ]"

# ---- F. a 32 KiB stack ----------------------------------------------------------------
# ulimit -S -s 32: the helper raises its soft limit and works as usual.
# ulimit -s 32 (hard too): it raises it when it may (CAP_SYS_RESOURCE),
# else it refuses to start before reading the request; it never crashes.
rm -rf "$T/state/store.fail"
n=0 good=0
while [ "$n" -lt 3 ]; do
    n=$((n + 1))
    : >"$T/evF"
    t0=$(now_ms)
    sink "$T/evF" setpriv --init-groups --reuid=pwrc2 --regid=pwrc2 sh -c "ulimit -S -s 32 && exec '$HELPER'" <"$T/wrong" >"$T/outF" 2>"$T/errF"
    rc=$? ms=$(($(now_ms) - t0))
    if [ "$rc" = 8 ] && [ "$(n_events_with "$T/evF" auth_failed wrong_password)" = 1 ] &&
       [ "$(fails_of pwrc2 | cut -d' ' -f1)" = "$n" ] && [ "$ms" -ge 300 ]; then
        good=$((good + 1))
    else
        echo "# guess $n: exit $rc, $ms ms, count '$(fails_of pwrc2)', events: $(tr '\n' '|' <"$T/evF" | head -c 300)"
        sed 's/^/#   /' "$T/outF" "$T/errF" | head -8
    fi
done
check "F: ulimit -S -s 32: each wrong guess answered, audited, counted and delayed ($good of 3)" [ "$good" = 3 ]
# The environment sits on that stack too: with 12 KB of it, main's frame
# no longer fits unless the limit is raised before main.  Only those 12 KB:
# whatever else the test run inherited (CI, make) would add an unknown
# amount, and past ~20 KB the loader itself crashes before any of our code.
pad=$(head -c 12000 /dev/zero | tr '\0' x)
: >"$T/evF"
sink "$T/evF" setpriv --init-groups --reuid=pwrc2 --regid=pwrc2 env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "PWR_PAD=$pad" sh -c "ulimit -S -s 32 && exec '$HELPER'" <"$T/wrong" >"$T/outF" 2>"$T/errF"
rc=$?
check "F: ... also with a 12 KB environment: answered (exit $rc), audited, counted" \
    sh -c "[ $rc = 8 ] && [ $(n_events_with "$T/evF" auth_failed wrong_password) = 1 ] && [ '$(fails_of pwrc2 | cut -d' ' -f1)' = 4 ]"
reqf "$T/reqF" set_password user pwrc2 password Small-Stack-Admin-Lichen-8812
: >"$T/evF"
sink "$T/evF" setpriv --init-groups --reuid=pwrc1 --regid=pwrc1 sh -c "ulimit -S -s 32 && exec '$HELPER'" <"$T/reqF" >"$T/outF" 2>/dev/null
rc=$?
check "F: ulimit -S -s 32: an admin set-password is made (exit $rc) and audited" \
    sh -c "[ $rc = 0 ] && [ $(n_events "$T/evF" password_set_by_admin) = 1 ]"
# judge_hard WHAT EVENT: done and audited, or refused before the request.
judge_hard() {
    if [ "$rc" -ge 128 ]; then
        nok "F: ulimit -s 32: $1: killed by signal $((rc - 128))"
    elif [ "$rc" = "$3" ] && [ "$(n_events_with "$T/evF" "$2" "${4:-.}")" = 1 ]; then
        ok "F: ulimit -s 32: $1: done and audited"
    elif [ "$rc" = 1 ] && [ ! -s "$T/evF" ] && cmp -s "$T/state/store" "$T/beforeF" &&
         [ "$(fails_of pwrc2)" = "$cnt" ] && grep -q 'stack limit' "$T/errF"; then
        ok "F: ulimit -s 32: $1: refused before the request (the hard limit cannot be raised here)"
    else
        nok "F: ulimit -s 32: $1: exit $rc, neither done and audited nor refused cleanly"
    fi
}
cp "$T/state/store" "$T/beforeF"
cnt=$(fails_of pwrc2)
: >"$T/evF"
sink "$T/evF" setpriv --init-groups --reuid=pwrc2 --regid=pwrc2 sh -c "ulimit -s 32 && exec '$HELPER'" <"$T/wrong" >"$T/outF" 2>"$T/errF"
rc=$?
judge_hard "a wrong guess" auth_failed 8 wrong_password
reqf "$T/reqF" set_password user pwrc2 password Hard-Stack-Admin-Marten-3307
: >"$T/evF"
sink "$T/evF" setpriv --init-groups --reuid=pwrc1 --regid=pwrc1 sh -c "ulimit -s 32 && exec '$HELPER'" <"$T/reqF" >"$T/outF" 2>"$T/errF"
rc=$?
judge_hard "an admin set-password" password_set_by_admin 0

# ---- H. terminal job control ------------------------------------------------------------
# In a pseudo-terminal with "stty tostop", a wrong guess run as a background
# job writes its reply to the terminal: the kernel sends SIGTTOU, whatever
# the uid.  It must not stop the helper, and root's action meanwhile must
# neither wait nor lose its seal.
if command -v script >/dev/null 2>&1; then
    reqf "$T/rootH" block user zfill001 reason tty-test keep_sessions 1
    cat >"$T/partH.sh" <<EOF
set -m
stty tostop
setpriv --reuid=pwrc2 --regid=pwrc2 --init-groups "$HELPER" <"$T/wrong" >/dev/tty 2>/dev/null &
pid=\$!
sleep 1
state=\$(awk '{ print \$3 }' /proc/\$pid/stat 2>/dev/null)
echo "\${state:-gone}" >"$T/stateH"
t0=\$((\$(date +%s%N) / 1000000))
"$HELPER" <"$T/rootH" >"$T/routH" 2>/dev/null
echo "\$? \$((\$(date +%s%N) / 1000000 - t0))" >"$T/rrcH"
stty -tostop
[ "\$(awk '{ print \$3 }' /proc/\$pid/stat 2>/dev/null)" = T ] && kill -CONT \$pid
wait \$pid
EOF
    : >"$T/evH"
    sink "$T/evH" script -qec "sh '$T/partH.sh'" /dev/null >/dev/null 2>&1
    read -r rrc ms <"$T/rrcH"
    check "H: a background wrong guess writing to a tostop terminal is not stopped (state $(cat "$T/stateH"))" \
        [ "$(cat "$T/stateH")" != T ]
    check "H: ... root's block meanwhile: done in $ms ms (exit $rrc)" sh -c "[ $rrc = 0 ] && [ $ms -lt 1500 ]"
    check "H: ... and sealed" [ "$(n_events_with "$T/evH" account_blocked ' mac=')" = 1 ]
else
    echo "# no script(1): terminal job control not tested"
fi

# ---- G. the rate limit under 40 parallel callers --------------------------------------
# Each waits fail_delay (300 ms) after its event: none may hold the audit
# chain meanwhile, or the others' events wait and go out unsealed.
conf 300
reqf "$T/reqG" set_password user pwrc2 password "$P2" must_change 0
"$HELPER" <"$T/reqG" >"$T/outG" 2>/dev/null || hard_error "root cannot reset pwrc2: $(cat "$T/outG")"
rm -rf "$T/state/store.fail"
{
    i=0
    while [ "$i" -lt 40 ]; do
        echo "setpriv --reuid=pwrc2 --regid=pwrc2 --init-groups '$HELPER' <'$T/wrong' >'$T/g$i' 2>/dev/null &"
        i=$((i + 1))
    done
    echo wait
} >"$T/partG.sh"
: >"$T/evG"
t0=$(now_ms)
sink "$T/evG" sh "$T/partG.sh"
ms=$(($(now_ms) - t0))
checked=$(n_events_with "$T/evG" auth_failed wrong_password)
limited=$(n_events_with "$T/evG" auth_failed rate_limited)
answered=$(cat "$T"/g[0-9]* | grep -c '^result auth')
echo "# 40 parallel wrong guesses: $checked checked, $limited refused unchecked, $answered answered 'auth', count '$(fails_of pwrc2)'"
check "G: 40 parallel wrong guesses: exactly 5 checked ($checked)" [ "$checked" = 5 ]
check "G: ... the other 35 refused unchecked ($limited)" [ "$limited" = 35 ]
check "G: ... all 40 answered 'auth' ($answered)" [ "$answered" = 40 ]
check "G: ... and the count reads 5 ($(fails_of pwrc2))" [ "$(fails_of pwrc2 | cut -d' ' -f1)" = 5 ]
sealed=$(grep -c 'event=auth_failed .* mac=' "$T/evG" || true)
check "G: ... every one of the 40 events is sealed ($sealed; all done in $ms ms)" [ "$sealed" = 40 ]
reqf "$T/right" verify user pwrc2 password "$P2"
as pwrc2 "$HELPER" <"$T/right" >"$T/outG" 2>/dev/null
check "G: at the limit even the right password is refused" grep -q '^result auth' "$T/outG"
# A fresh window: 4 wrong, 1 right (clears), then 5 wrong again are checked.
rm -rf "$T/state/store.fail"
i=0
while [ "$i" -lt 4 ]; do as pwrc2 "$HELPER" <"$T/wrong" >/dev/null 2>&1; i=$((i + 1)); done
as pwrc2 "$HELPER" <"$T/right" >"$T/outG" 2>/dev/null
check "G: after 4 wrong guesses the right password works" grep -q '^result ok' "$T/outG"
check "G: ... and clears the count ($(fails_of pwrc2))" [ "$(fails_of pwrc2 | cut -d' ' -f1)" = 0 ]
finish
