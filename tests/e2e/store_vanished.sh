#!/bin/sh
# tests/e2e/store_vanished.sh - a store that vanished,
# is corrupt or unsafe never turns managed accounts into unmanaged ones.
# Before the first enrol nobody is managed and everybody logs in through
# pam_unix; once a store has existed, its loss refuses every account but
# root (whose /etc/shadow password still works through su, so the host can
# be repaired), each refusal is one syslog error naming the store and the
# repair, and "pwreset status" fails with the repair command.
# SPDX-License-Identifier: BSD-3-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/e2e/world.sh"
world_run "$@"
world_need su setpriv

D_PW='Blue-Harbour-7391'
D_SHADOW='Old-Shadow-Word-5521'
K_PW='Kim-Unix-Word-8813'
R_PW='Root-Unix-Word-2240'
MARKER=$(dirname "$CONF")/pwreset.stores
world_user kim "Kim Unmanaged"
world_unix_password kim "$K_PW"
world_user carol "Carol Ordinary"
world_unix_password root "$R_PW"
world_sshd PasswordAuthentication yes

# refused_all WHY: dave (password from before the store, and his key) and
# kim (never managed) are refused, each with one syslog error naming the
# store and the repair; root still gets in.
refused_all() {
    audit_mark
    pw_login "$1-dave" dave "$D_SHADOW"
    [ $? -ne 0 ] || fail "$1: dave logged in with his old /etc/shadow password"
    not_saw "who=dave"
    key_login "$1-davekey" dave
    [ $? -ne 0 ] || fail "$1: dave logged in with his key"
    not_saw "who=dave"
    pw_login "$1-kim" kim "$K_PW"
    [ $? -ne 0 ] || fail "$1: kim was let in although the store cannot say he is not in it"
    not_saw "who=kim"
    audit_sync
    n=$(tail -n +"$AUDIT_FROM" "$W/syslog.log" |
        grep "pam_pwreset(sshd:auth).*user=kim " | grep -c "$storepath.*repair: ")
    [ "$n" -eq 1 ] || fail "$1: $n syslog errors naming the store and the repair for kim's refusal, expected 1"
    su_root carol "$1-root" "$R_PW"
    expect_rc $? 0 "$1: su - root with root's /etc/shadow password"
    saw "who=root"
}

# status_fails WHY TEXT: every form of pwreset status exits non-zero and
# says TEXT (what is wrong and the repair).
status_fails() {
    for form in "status" "status dave" "status --json" "status --json kim"; do
        # shellcheck disable=SC2086
        "$PWRESET" $form >"$W/st.out" 2>&1 && fail "$1: pwreset $form exited 0"
        grep -qF -- "$2" "$W/st.out" ||
            fail "$1: pwreset $form did not say '$2': $(cat "$W/st.out")"
    done
}

# --- a fresh install: nobody is managed ------------------------------------------
[ ! -e "$storepath" ] || fail "the world already has a store"
pw_login fresh kim "$K_PW"
expect_rc $? 0 "kim's login before the first enrol"
saw "who=kim"
"$PWRESET" status >"$W/st.out" 2>&1 || fail "pwreset status on a fresh install: $(cat "$W/st.out")"
ok "before the first enrol, users outside the store log in and status is fine"

# --- dave is managed and blocked ---------------------------------------------------
world_user dave "Dave Managed"
world_unix_password dave "$D_SHADOW"
admin_ok enrol dave
admin_secret "$D_PW" set-password --stdin --yes --no-must-change dave
admin_ok block --reason "security hold" dave
world_user erin "Erin Later"
admin_ok enrol erin # one more write: the backup now holds the block
ssh-keygen -q -t ed25519 -N '' -C e2e-client -f "$W/client/id" || fail "ssh-keygen failed"
mkdir -p "$W/home/dave/.ssh"
cp "$W/client/id.pub" "$W/home/dave/.ssh/authorized_keys"
chown -R dave:dave "$W/home/dave/.ssh"
pw_login blocked dave "$D_PW"
[ $? -ne 0 ] || fail "blocked dave logged in"
ok "dave is blocked"

# --- the store file removed ----------------------------------------------------------
rm -f "$storepath"
refused_all removed
status_fails removed "repair: cp -p $storepath.bak $storepath"
ok "store removed: dave (password and key) and kim refused, root in, status names the repair"
admin enrol kim && fail "enrol created a new empty store over the missing one"
cp -p "$storepath.bak" "$storepath" || fail "the repair command failed"
store_is dave status=blocked
pw_login repaired kim "$K_PW"
expect_rc $? 0 "kim's login after the repair"
ok "the printed repair restores the store, and dave is still blocked"

# --- the whole directory removed --------------------------------------------------------
mv "$(dirname "$storepath")" "$W/store-dir.saved"
refused_all dir-removed
status_fails dir-removed "repair: restore $storepath from a backup"
mv "$W/store-dir.saved" "$(dirname "$storepath")"
grep -qxF "$storepath" "$MARKER" || fail "$MARKER does not list $storepath"
ok "store directory removed: the helper's marker $MARKER still fails closed"

# --- corrupt, then unsafe ----------------------------------------------------------------
cp -p "$storepath" "$W/store.saved"
head -c 40 "$W/store.saved" >"$storepath"
refused_all corrupt
status_fails corrupt "repair: cp -p $storepath.bak $storepath"
cat "$W/store.saved" >"$storepath"
chmod 0644 "$storepath"
refused_all unsafe-mode
status_fails unsafe-mode "repair: chown root:root $storepath && chmod 600 $storepath"
chmod 0600 "$storepath"
store_is dave status=blocked
ok "a corrupt or world-readable store refuses everyone but root, status names the repair"
