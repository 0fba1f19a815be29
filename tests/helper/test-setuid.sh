#!/bin/sh
# test-setuid.sh - pwreset-helper as a real set-uid-root binary called by
# non-root users: an ordinary user changes only their own password; an
# admin_group member cannot touch root or another admin; LD_PRELOAD, a
# hostile PATH/IFS, closed stdin/stdout, extra arguments, ulimit -f and a
# caller-chosen config path change nothing the helper does.
# SPDX-License-Identifier: BSD-3-Clause
#
# Needs root (skipped with 77 otherwise).  It never edits the host's /etc:
# it re-runs itself in a private mount namespace (unshare --mount) and
# bind-mounts private copies of /etc/passwd, /etc/group and /etc/shadow
# holding throwaway users, and a private directory over the helper's
# compiled-in configuration directory.  All of that vanishes with the
# namespace.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

enter_private_ns PWR_SETUID_NS "$here/test-setuid.sh"

# ---- inside the private mount namespace ----------------------------------
suid_workdir pwrsuid
mkdir "$T/evilbin"
install_helper cli/pwreset
# shellcheck disable=SC2034 # urun (lib.sh) runs it
PWRESET=$T/bin/pwreset

# Throwaway users, free ids only.
base=$(free_ids 47001 10)
private_etc_begin
i=0
for u in pwru1 pwru2 pwra1 pwra2 pwrt1; do
    add_user "$u" $((base + i))
    i=$((i + 1))
done
printf 'pwradm:x:%d:pwra1,pwra2\n' $((base + 9)) >>"$T/etc/group"
private_etc_mount pwra1

# The helper reads only its compiled-in configuration: put ours there.
private_config
write_conf "$CONFIG" "store = $T/state/store" "audit_socket = $T/log" \
    "admin_group = pwradm" "fail_delay = 0" "hash_cost = 1"
chmod 644 "$CONFIG"

# A configuration an attacker would like the helper to use.
chown pwru1 "$T/evil"
cat >"$T/evil/pwreset.conf" <<EOF
store = $T/evil/store
audit_socket = $T/evil/log
admin_group = pwru1
EOF
chown pwru1 "$T/evil/pwreset.conf"
cp "$T/etc/shadow" "$T/evil/shadow"
chown pwru1 "$T/evil/shadow"

# hrun USER REQUESTFILE [PREFIX...]: the helper itself, e.g. with env or
# redirections prepared by the caller in PREFIX (a command and arguments).
hrun() {
    _u=$1 _req=$2
    shift 2
    : >"$T/ev.raw"
    "$SINK" "$T/log" "$T/ev.raw" -- setpriv --reuid="$_u" --regid="$_u" \
        --init-groups "$@" <"$_req" >"$T/out" 2>"$T/err"
    RC=$?
    cat "$T/ev.raw" >>"$T/audit.all"
    sed -n 's/^.*pwreset\[[0-9]*\]: //p' "$T/ev.raw" >"$T/ev"
}

request() { # FILE OP USER [KEY VALUE]...
    _f=$1
    shift
    {
        printf 'pwreset-helper 1\nop %s\nuser %s\n' "$1" "$2"
        shift 2
        while [ $# -ge 2 ]; do printf '%s %s\n' "$1" "$2"; shift 2; done
        printf 'end\n'
    } >"$_f"
}

store_ok() { # the store is whole: header first, "end N" last, N records
    _n=$(($(wc -l <"$T/state/store") - 2))
    head -1 "$T/state/store" | grep -qx 'pwreset-store 1' &&
        tail -1 "$T/state/store" | grep -qx "end $_n"
}

pwfile() { printf '%s\n' "$@" >"$T/in"; }

# ---- set-up by root --------------------------------------------------------
PAD=$(getent passwd | cut -d: -f1 | grep -v -e '^root$' -e '^pwr' | head -30)
# shellcheck disable=SC2086
urun root enrol pwru1 pwru2 pwra2 pwrt1 $PAD
check "root enrols accounts through the set-uid helper" [ "$RC" = 0 ]
check "... the store is root's, mode 0600" \
    [ "$(stat -c '%U %a' "$T/state/store")" = "root 600" ]
check "... and larger than ulimit -f 1 allows" [ "$(wc -c <"$T/state/store")" -gt 1024 ]
PW_U1=Orchid-Basalt-Lumen-3391
PW_T1=Pewter-Canyon-Sorrel-8824
for s in "$PW_U1" "$PW_T1"; do secret "$s"; done
pwfile "$PW_U1"
urun root --in "$T/in" set-password pwru1 --stdin --yes
expect "root sets pwru1's password" 0 "password_set_by_admin"
pwfile "$PW_T1"
urun root --in "$T/in" set-password pwrt1 --stdin --yes
expect "root sets pwrt1's password" 0 "password_set_by_admin"

# ---- an ordinary user ---------------------------------------------------------
PW_U1B=Juniper-Tessel-Harbor-5127
secret "$PW_U1B"
cp "$T/state/store" "$T/before"
pwfile "$PW_U1" "$PW_U1B"
urun pwru1 --in "$T/in" passwd --stdin
expect "an ordinary user changes their own password" 0 "password_changed"
check "... the audit line names the real caller" ev_has "actor=pwru1 actor_uid=$base"
check "... the store changed" sh -c "! cmp -s '$T/state/store' '$T/before'"
cp "$T/state/store" "$T/before"
pwfile "$PW_U1B"
urun pwru1 --in "$T/in" set-password pwru2 --stdin --yes
expect "... but may not set another user's password" 3 "permission_denied"
urun pwru1 block pwru2
expect "... nor block anyone" 3 "permission_denied"
urun pwru1 status pwru2
expect "... nor read another account" 3 "permission_denied"
urun pwru1 status
check "... but reads their own" sh -c "[ $RC = 0 ] && grep -q '^pwru1: active' '$T/out'"
request "$T/req" chauthtok pwrt1 proof "$PW_T1" new "$PW_U1B"
hrun pwru1 "$T/req" "$HELPER"
expect "... nor change another's password even knowing it" 3 "permission_denied"
check "none of that changed the store" cmp -s "$T/state/store" "$T/before"

# ---- an admin_group member ----------------------------------------------
PW_T1B=Marble-Quiver-Saddle-6643
secret "$PW_T1B"
pwfile "$PW_T1B"
urun pwra1 --in "$T/in" set-password pwrt1 --stdin --yes
expect "an admin sets an ordinary user's password" 0 "password_set_by_admin"
check "... audited with the admin as actor" ev_has "user=pwrt1 actor=pwra1"
cp "$T/state/store" "$T/before"
urun pwra1 --in "$T/in" set-password root --stdin --yes
expect "an admin may not set root's password" 3 "permission_denied"
urun pwra1 --in "$T/in" set-password pwra2 --stdin --yes
expect "an admin may not set another admin's password" 3 "permission_denied"
check "... reason protected_account" ev_has "reason=protected_account"
urun pwra1 block pwra2
expect "an admin may not block another admin" 3 "permission_denied"
urun pwra1 reset-code pwra2
expect "an admin may not issue a code to another admin" 3 "permission_denied"
urun pwra1 temp-password root --yes
expect "an admin may not give root a temporary password" 3 "permission_denied"
urun pwra1 logout root
expect "an admin may not log root out" 3 "permission_denied"
urun pwra1 force-reset --all --dry-run
check "force-reset --all by an admin skips the other admin" out_has "pwra2: skipped (protected account)"
check "none of the refusals changed the store" cmp -s "$T/state/store" "$T/before"

# ---- what the caller controls changes nothing --------------------------------
urun pwru1 --config "$T/evil/pwreset.conf" status
expect "a caller-chosen config path is refused" 3 "permission_denied"
check "... reason caller_config, in the real audit log" ev_has "reason=caller_config"
urun pwra1 --config "$T/evil/pwreset.conf" enrol pwru1
expect "... also for an admin" 3 "permission_denied"
check "... and nothing was written where it pointed" [ ! -e "$T/evil/store" ]
urun pwra1 import --shadow "$T/evil/shadow"
expect "a caller-chosen shadow file is refused" 3 "permission_denied"

request "$T/req" status pwru1
setpriv --reuid=pwru1 --regid=pwru1 --init-groups \
    env LD_PRELOAD="$PROBE" PWR_PROBE_MARKER="$T/markers/control" /bin/true
check "LD_PRELOAD reaches an ordinary program (the probe works)" [ -e "$T/markers/control" ]
hrun pwru1 "$T/req" env LD_PRELOAD="$PROBE" PWR_PROBE_MARKER="$T/markers/helper" "$HELPER"
expect "LD_PRELOAD does not reach the set-uid helper" 0 ""
check "... no marker file" [ ! -e "$T/markers/helper" ]
check "... and it answered normally" grep -q '^user pwru1$' "$T/out"
cp "$T/out" "$T/clean.out"

for tool in loginctl kill sh cat ls; do
    printf '#!/bin/sh\ntouch %s/markers/%s\n' "$T" "$tool" >"$T/evilbin/$tool"
    chmod 755 "$T/evilbin/$tool"
done
request "$T/req" logout pwrt1
hrun pwra1 "$T/req" env PATH="$T/evilbin" IFS=/ LD_LIBRARY_PATH="$T/evilbin" \
    GCONV_PATH="$T/evilbin" TZ="$T/evilbin/tz" "$HELPER"
expect "a hostile PATH/IFS/LD_LIBRARY_PATH does not change logout" 0 "sessions_revoked"
check "... no program from PATH ran" sh -c "[ -z \"\$(ls '$T/markers' | grep -v control)\" ]"
request "$T/req" status pwru1
hrun pwru1 "$T/req" env PATH="$T/evilbin" IFS=/ "$HELPER"
check "... nor the reply of status" cmp -s "$T/out" "$T/clean.out"

hrun pwru1 /dev/null sh -c "exec '$HELPER' <&-"
expect "closed stdin: a clean usage refusal" 2 ""
check "... with a reply" grep -q '^result usage' "$T/out"
PW_U1C=Tamarind-Gusset-Fable-9930
secret "$PW_U1C"
request "$T/req" chauthtok pwru1 proof "$PW_U1B" new "$PW_U1C"
hrun pwru1 "$T/req" sh -c "exec '$HELPER' >&- 2>&-"
expect "closed stdout and stderr: the change is still made and audited" 0 "password_changed"
check "... the store is whole" store_ok
check "... and never received the reply" sh -c "! grep -q 'result' '$T/state/store'"
cp "$T/state/store" "$T/before"
hrun pwru1 "$T/req" "$HELPER" extra-argument
expect "an extra argument is refused" 2 ""
check "... before doing anything" cmp -s "$T/state/store" "$T/before"

# Root may lift the limit only with CAP_SYS_RESOURCE (containers often drop
# it); without it the helper must refuse to write rather than truncate.
PW_U1D=Sorrel-Anvil-Meadow-2256
secret "$PW_U1D"
request "$T/req" chauthtok pwru1 proof "$PW_U1C" new "$PW_U1D"
cp "$T/state/store" "$T/before"
hrun pwru1 "$T/req" sh -c "ulimit -f 1; exec '$HELPER'"
capbnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
if [ $((0x$capbnd >> 24 & 1)) = 1 ]; then
    expect "ulimit -f 1 is lifted: the change is written whole" 0 "password_changed"
    LAST=$PW_U1D
else
    expect "ulimit -f 1 without CAP_SYS_RESOURCE: refused before writing" 7 ""
    check "... the store untouched" cmp -s "$T/state/store" "$T/before"
    LAST=$PW_U1C
fi
check "... the store is whole" store_ok
urun pwru1 status
check "... and still reads" [ "$RC" = 0 ]

request "$T/req" verify pwru1 password "$LAST"
hrun pwru1 "$T/req" "$HELPER"
check "the last password verifies" sh -c "[ $RC = 0 ] && grep -q '^method password' '$T/out'"

# ---- secrets -----------------------------------------------------------------
sort -u "$T/secrets" >"$T/secrets.u"
check "no test secret appears in any audit line" sh -c "! grep -qF -f '$T/secrets.u' '$T/audit.all'"
check "no test secret appears in the store" sh -c "! grep -qF -f '$T/secrets.u' '$T/state/store'"
finish
