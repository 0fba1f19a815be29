#!/bin/sh
# test-setuid-hostile.sh - the set-uid-root helper started by an ordinary
# user in every hostile way tests/helper/test-setuid.sh does not already
# cover: argv = { NULL } (argc 0, CVE-2021-4034) with a pkexec-style
# environment; NLSPATH, LOCPATH, LANG/LC_ALL, GCONV_PATH, TZ, MALLOC_*,
# LD_PRELOAD, PATH and IFS all hostile at once around a password change;
# fds 0, 1 and 2 all closed; ulimit -n 4; a small ulimit -v; every signal
# blocked and ignored.  Each run must behave exactly as a clean one or refuse
# cleanly, and the store is never truncated: after every run it is valid and
# either unchanged or holds exactly the new password.
# SPDX-License-Identifier: BSD-3-Clause
#
# Needs root (skipped with 77 otherwise); like test-setuid.sh it re-runs
# itself in a private mount namespace with private copies of /etc/passwd,
# /etc/group and /etc/shadow and a private directory over the helper's
# compiled-in configuration directory, all gone with the namespace.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

enter_private_ns PWR_HOSTILE_NS "$here/test-setuid-hostile.sh"

# ---- inside the private mount namespace ----------------------------------
suid_workdir pwrhostile
install_helper tests/helper/mkhash tests/hardening/execnull tests/hardening/storecheck

base=$(free_ids 48001 1)
private_etc_begin
add_user pwrh1 "$base"
private_etc_mount pwrh1

private_config
printf 'store = %s/state/store\naudit_socket = %s/log\nfail_delay = 0\nhash_cost = 1\n' \
    "$T" "$T" >"$CONFIG"
chmod 644 "$CONFIG"

# A store of 40 records (bigger than ulimit -f 1 allows), pwrh1 among them.
PW=Initial-Harbor-Sprig-1024
{
    printf 'pwrh1 status=active hash=%s changed=1\n' \
        "$(printf '%s\n' "$PW" | "$T/bin/mkhash" password 1)"
    i=0
    while [ "$i" -lt 40 ]; do
        printf 'zfill%03d status=active changed=1 reason=padding%%20padding%%20padding\n' "$i"
        i=$((i + 1))
    done
} | LC_ALL=C sort >"$T/records"
{ echo 'pwreset-store 1'; cat "$T/records"; echo "end $(wc -l <"$T/records")"; } >"$T/state/store"
chmod 600 "$T/state/store"

# hrun REQ PREFIX...: as pwrh1, under the audit sink.
hrun() {
    _req=$1
    shift
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- setpriv --reuid=pwrh1 --regid=pwrh1 \
        --init-groups "$@" <"$_req" >"$T/out" 2>"$T/err"
    RC=$?
    sed -n 's/^.*pwreset\[[0-9]*\]: //p' "$T/ev.raw" >"$T/ev"
}
change_req() { # NEW: pwrh1 changes its own password from $PW
    printf 'pwreset-helper 1\nop chauthtok\nuser pwrh1\nproof %s\nnew %s\nend\n' \
        "$PW" "$1" >"$T/req"
}
verifies() {
    printf 'pwreset-helper 1\nop verify\nuser pwrh1\npassword %s\nend\n' "$1" >"$T/vreq"
    setpriv --reuid=pwrh1 --regid=pwrh1 --init-groups "$HELPER" <"$T/vreq" 2>/dev/null |
        grep -q '^result ok$'
}

# judge DESC NEW [must]: after a change attempt, the run was complete or
# (unless "must") a clean refusal, and the store is whole either way.
judge() {
    _d=$1 _new=$2 _must=${3:-}
    if ! "$T/bin/storecheck" "$T/state/store" >/dev/null 2>&1; then
        nok "$_d: the store is damaged (exit $RC)"
        return
    fi
    if [ "$RC" = 0 ] && verifies "$_new" && ! verifies "$PW" &&
       grep -q '^event=password_changed' "$T/ev"; then
        ok "$_d: the change was made as usual"
        PW=$_new
    elif [ -z "$_must" ] && [ "$RC" != 0 ] && cmp -s "$T/state/store" "$T/before" && verifies "$PW" &&
         ! grep -q '^event=password_changed' "$T/ev"; then
        ok "$_d: refused cleanly (exit $RC: $(sed -n 's/^message //p' "$T/out" | sed 's/%20/ /g')), store untouched"
    else
        nok "$_d: exit $RC, neither a clean change nor a clean refusal"
        sed 's/^/#   /' "$T/out" "$T/err" | head -5
    fi
}

# ---- argc == 0 ---------------------------------------------------------------
cp "$T/state/store" "$T/before"
change_req Argc-Zero-Lantern-5501
hrun "$T/req" "$T/bin/execnull" "$HELPER" "GCONV_PATH=." "CHARSET=PWNKIT" \
    "LD_PRELOAD=$T/bin/preload_probe.so" "PWR_PROBE_MARKER=$T/markers/argc0" \
    "SHELL=/nonexistent" "PATH=GCONV_PATH=."
check "argv = { NULL }: refused as a usage error (exit $RC)" [ "$RC" = 2 ]
check "... before reading the request or touching the store" \
    sh -c "cmp -s '$T/state/store' '$T/before' && [ ! -s '$T/ev' ] && ! grep -q result '$T/out'"
check "... nothing the environment named was loaded" [ ! -e "$T/markers/argc0" ]
hrun "$T/req" "$T/bin/execnull" "$HELPER"
check "argv = { NULL } with an empty environment: refused too (exit $RC)" [ "$RC" = 2 ]

# ---- the whole hostile environment around a change ---------------------------
mkdir -p "$T/evil/locale" "$T/evil/gconv" "$T/evil/tz"
cp "$T/state/store" "$T/before"
change_req Tainted-Env-Thistle-7702
hrun "$T/req" env -i "LD_PRELOAD=$T/bin/preload_probe.so" \
    "PWR_PROBE_MARKER=$T/markers/env" "LD_LIBRARY_PATH=$T/evil" "LD_AUDIT=$T/evil/x.so" \
    "GCONV_PATH=$T/evil/gconv" "NLSPATH=$T/evil/%N" "LOCPATH=$T/evil/locale" \
    "LANG=xx_EVIL.UTF-8" "LC_ALL=xx_EVIL.UTF-8" "TZ=$T/evil/tz/zone" \
    "MALLOC_CHECK_=3" "MALLOC_PERTURB_=165" "GLIBC_TUNABLES=glibc.malloc.check=3" \
    "PATH=$T/evil" "IFS=/" "HOME=$T/evil" "TMPDIR=$T/evil" "$HELPER"
judge "LD_*, GCONV_PATH, NLSPATH, LOCPATH, LANG, TZ, MALLOC_*, PATH, IFS all set" \
    Tainted-Env-Thistle-7702 must
check "... no preloaded code ran in the helper" [ ! -e "$T/markers/env" ]

# ---- fds 0, 1 and 2 closed -----------------------------------------------------
cp "$T/state/store" "$T/before"
hrun "$T/req" "$T/bin/execnull" --close-std "$HELPER"
check "fds 0-2 closed (and argc 0): refused, store untouched (exit $RC)" \
    sh -c "[ $RC != 0 ] && cmp -s '$T/state/store' '$T/before'"
hrun /dev/null sh -c "exec '$HELPER' <&- >&- 2>&-"
check "fds 0-2 closed: an empty request is refused, store untouched (exit $RC)" \
    sh -c "[ $RC = 2 ] && cmp -s '$T/state/store' '$T/before'"

# ---- resource limits -------------------------------------------------------------
cp "$T/state/store" "$T/before"
change_req Four-Files-Quarry-3303
hrun "$T/req" sh -c "ulimit -n 4 && exec '$HELPER'"
judge "ulimit -n 4" Four-Files-Quarry-3303

for kb in 65536 16384; do
    cp "$T/state/store" "$T/before"
    change_req "Small-Memory-$kb-Wicket-44"
    hrun "$T/req" sh -c "ulimit -v $kb && exec '$HELPER'"
    judge "ulimit -v $kb" "Small-Memory-$kb-Wicket-44"
done

cp "$T/state/store" "$T/before"
change_req File-Size-Cobble-6610
hrun "$T/req" sh -c "ulimit -f 1 && ulimit -n 8 && exec '$HELPER'"
judge "ulimit -f 1 with ulimit -n 8" File-Size-Cobble-6610

# ---- signals -----------------------------------------------------------------------
cp "$T/state/store" "$T/before"
change_req Blocked-Signals-Ember-9042
hrun "$T/req" sh -c "trap '' HUP INT QUIT TERM PIPE ALRM USR1 USR2 CHLD && exec '$HELPER'"
judge "every catchable signal ignored by the caller" Blocked-Signals-Ember-9042 must
check "the store is still whole, owned by root, mode 0600" \
    sh -c "'$T/bin/storecheck' '$T/state/store' >/dev/null && [ \"\$(stat -c '%U %a' '$T/state/store')\" = 'root 600' ]"
check "... and as long as before (never truncated)" \
    [ "$(grep -c '^zfill' "$T/state/store")" = 40 ]
finish
