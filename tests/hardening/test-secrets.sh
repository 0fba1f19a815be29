#!/bin/sh
# test-secrets.sh - a canary password, a generated temporary password and a
# generated reset code never appear in a log line, in the store or its
# companion files, in /proc/PID/cmdline or /proc/PID/environ of any process
# (a scanner watches every process while the workload runs, and a preloaded
# shim records the argv and environment of every program the CLI and the
# helper start), nor in a core file of the CLI or the helper killed while
# holding them (CVE-2024-10041: secrets left where others can read them).
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/hardening/hlib.sh"

PROCSCAN=$top_builddir/tests/hardening/procscan
EXECLOG=$top_builddir/tests/hardening/.libs/execlog.so
[ -x "$PROCSCAN" ] && [ -f "$EXECLOG" ] || hard_error "procscan/execlog not built"
command -v mkfifo >/dev/null 2>&1 || skip_all "no mkfifo"

# A target account the helper lets this user manage.
MYGROUP=$(id -gn)
pick_target
[ -n "$TARGET" ] || skip_all "no ordinary system account to manage"

salt=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
PW0=Initial-Pebble-Anchor-$salt
CANARY=Canary-$salt-Quokka-Zephyr
CANARY2=Canary2-$salt-Lichen-Vortex
for s in "$PW0" "$CANARY" "$CANARY2"; do printf '%s\n' "$s" >>"$T/secrets"; done
write_conf "$T/conf" "admin_group = $MYGROUP"
if [ "$TARGET" = "$ME" ]; then store_seed "$ME:$PW0"; else store_seed "$ME:$PW0" "$TARGET:$PW0"; fi

# Every program the workload starts runs with the exec-recording shim.
shim() { env LD_PRELOAD="$EXECLOG" PWR_EXECLOG="$T/exec.log" "$@"; }
cli() { # IN ARGS...
    _in=$1
    shift
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- env LD_PRELOAD="$EXECLOG" PWR_EXECLOG="$T/exec.log" \
        "$PWRESET" --helper "$HELPER" --config "$T/conf" "$@" <"$_in" >"$T/out" 2>"$T/err"
    RC=$?
    cat "$T/ev.raw" >>"$T/audit.all"
    cat "$T/out" "$T/err" >>"$T/cli.all"
}
json() { sed -n "s/.*\"$1\": \"\\([^\"]*\\)\".*/\\1/p" "$T/out"; }

"$PROCSCAN" "$T/secrets" "$T/stop" >"$T/scan" &
scanner=$!

round=0 fails=0
while [ "$round" -lt 5 ]; do
    round=$((round + 1))
    printf '%s\n%s\n' "$PW0" "$CANARY" >"$T/in"
    cli "$T/in" passwd --stdin
    [ "$RC" = 0 ] || { fails=$((fails + 1)); echo "# passwd: exit $RC"; }
    req "$T/req" verify user "$ME" password "$CANARY"
    hx_run "$T/req" LD_PRELOAD="$EXECLOG" PWR_EXECLOG="$T/exec.log"
    [ "$RC" = 0 ] || { fails=$((fails + 1)); echo "# verify: exit $RC"; }
    printf '%s\n%s\n' "$CANARY" "$PW0" >"$T/in"
    cli "$T/in" passwd --stdin
    [ "$RC" = 0 ] || { fails=$((fails + 1)); echo "# passwd back: exit $RC"; }

    cli /dev/null temp-password "$TARGET" --yes --json
    TEMP=$(json password)
    [ -n "$TEMP" ] && printf '%s\n' "$TEMP" >>"$T/secrets"
    [ "$RC" = 0 ] && [ -n "$TEMP" ] || { fails=$((fails + 1)); echo "# temp-password: exit $RC"; }
    # Only root may prove another account's secrets through the helper.
    if [ "$TARGET" = "$ME" ]; then
        req "$T/req" verify user "$TARGET" password "$TEMP"
        hx_run "$T/req" LD_PRELOAD="$EXECLOG" PWR_EXECLOG="$T/exec.log"
        [ "$RC" = 0 ] || { fails=$((fails + 1)); echo "# verify temp: exit $RC"; }
    fi
    printf '%s\n' "$CANARY2" >"$T/in"
    cli "$T/in" set-password "$TARGET" --stdin --yes
    [ "$RC" = 0 ] || { fails=$((fails + 1)); echo "# set-password: exit $RC"; }

    cli /dev/null reset-code "$TARGET" --json
    CODE=$(json code)
    [ -n "$CODE" ] && printf '%s\n' "$CODE" >>"$T/secrets"
    if [ "$TARGET" = "$ME" ]; then
        req "$T/req" chauthtok user "$TARGET" proof "$CODE" new "$PW0"
        hx_run "$T/req" LD_PRELOAD="$EXECLOG" PWR_EXECLOG="$T/exec.log"
        [ "$RC" = 0 ] || { fails=$((fails + 1)); echo "# chauthtok with code: exit $RC"; }
    fi
done
: >"$T/stop"
wait "$scanner"
src=$?
sed 's/^/# /' "$T/scan"
check "the workload ran: passwd, verify, temp-password, set-password, reset-code x5" [ "$fails" = 0 ]
check "no secret in /proc/*/cmdline or /proc/*/environ while it ran" [ "$src" = 0 ]
check "no secret in the argv or environment of any program started" \
    sh -c "[ -s '$T/exec.log' ] && ! grep -aqF -f '$T/secrets' '$T/exec.log'"
check "... the helper is started with an empty environment" \
    sh -c "! awk '/^exec .*pwreset-helper/ { h = 1; next } /^exec / { h = 0 } h && /^env /' '$T/exec.log' | grep -q ."
check "no secret in any audit line" sh -c "! grep -aqF -f '$T/secrets' '$T/audit.all'"
check "no secret in the store, its backup or any file beside it" \
    sh -c "! grep -raqF -f '$T/secrets' '$T/state'"
head -3 "$T/secrets" >"$T/typed"
sed -n 4p "$T/secrets" >"$T/temp1"
check "no typed password on the CLI's output or errors" \
    sh -c "! grep -aqF -f '$T/typed' '$T/cli.all'"
check "the temporary password was shown once, to the admin" \
    [ "$(grep -caF -f "$T/temp1" "$T/cli.all")" = 1 ]

# ---- core files ----------------------------------------------------------------
pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
if ! ulimit -c unlimited 2>/dev/null || [ -z "$pattern" ] || [ "${pattern#|}" != "$pattern" ] ||
   [ "${pattern#/}" != "$pattern" ]; then
    echo "# core files go to '$pattern' or cannot be enabled: core checks skipped"
    finish
fi
mkdir "$T/cores"
chmod 777 "$T/cores"

# The CLI holding both secrets: a stand-in helper takes the request, says so
# through a FIFO, and waits; the CLI is then killed with SIGABRT.
mkfifo "$T/ready" "$T/hold"
cat >"$T/fakehelper" <<EOF
#!/bin/sh
cat >/dev/null
echo ready >"$T/ready"
read x <"$T/hold"
EOF
chmod 755 "$T/fakehelper"
printf '%s\n%s\n' "$PW0" "$CANARY" >"$T/in"
(cd "$T/cores" && ulimit -c unlimited && \
    exec "$PWRESET" --helper "$T/fakehelper" --config "$T/conf" passwd --stdin <"$T/in" >/dev/null 2>&1) &
cli_pid=$!
read -r _ <"$T/ready"
kill -ABRT "$cli_pid" 2>/dev/null
wait "$cli_pid"
echo x >"$T/hold"
check "the CLI killed while holding a password leaves no core with it" \
    sh -c "! grep -raqF -f '$T/typed' '$T/cores'"
ls "$T/cores" | sed 's/^/# core: /'

# The helper holding a password it has read, waiting for the rest.
rm -f "$T/cores"/*
mkfifo "$T/reqfifo"
(cd "$T/cores" && ulimit -c unlimited && exec "$HELPER" <"$T/reqfifo" >/dev/null 2>&1) &
h_pid=$!
exec 3>"$T/reqfifo"
printf 'pwreset-helper 1\nop verify\nuser %s\npassword %s\n' "$ME" "$CANARY" >&3
# Once the write returned, a helper blocked in read(0, ...) again has
# taken what was sent: /proc/PID/syscall says "0 0x0 ..." (read on fd 0);
# without root (the helper is not dumpable) only its state S can be seen.
waiting() {
    if [ -r "/proc/$h_pid/syscall" ]; then
        grep -q '^0 0x0 ' "/proc/$h_pid/syscall" 2>/dev/null
    else
        [ "$(cut -d' ' -f3 "/proc/$h_pid/stat" 2>/dev/null)" = S ]
    fi
}
i=0
while [ "$i" -lt 5000 ] && ! waiting; do
    i=$((i + 1))
done
check "the helper is waiting for the rest of the request" waiting
kill -ABRT "$h_pid" 2>/dev/null
wait "$h_pid"
exec 3>&-
check "the helper killed while holding a password leaves no core file at all" \
    sh -c "[ -z \"\$(ls '$T/cores')\" ]"
finish
