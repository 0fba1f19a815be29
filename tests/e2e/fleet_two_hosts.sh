#!/bin/sh
# tests/e2e/fleet_two_hosts.sh - two hosts, one directory: pam_pwreset
# with "backend = ldap" on two hosts (each its own /etc, pwreset.conf,
# sshd and audit listener; tests/e2e/hosts.sh) against one throwaway slapd
# (tests/ldap/slapd.sh, the example directory plus a cn=host2).  What an
# admin does on one host holds at the next login on the other: a forced
# reset set on host 1 is carried out on host 2 and the new password works
# on host 1; a block set on host 2 refuses a key login on host 1; a reset
# code issued on host 1 is redeemed once on host 2; a password alice
# changes with passwd on host 1 is the one host 2 takes, and su - alice
# asks for it.  With slapd
# stopped, managed users are
# refused with a message while root and a local user still log in on both.
# Each host's audit trail carries backend=ldap and the entryCSN of the
# change it made, so trails of several hosts can be matched to the
# directory.  Root only; skipped (77) without slapd, ldap-utils or sshd.
# SPDX-License-Identifier: BSD-3-Clause
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/ldap/slapd.sh"
. "$top_srcdir/tests/e2e/world.sh"
[ -n "${PWR_E2E_INNER:-}" ] || ldap_require
world_run "$@"
world_need passwd su setpriv
. "$top_srcdir/tests/e2e/hosts.sh"

A_PW='alice-secret' # etc/ldap/example.ldif
A_NEW='Saffron-Kettle-6203'
A_CODE_NEW='Juniper-Anchor-4127'
A_SELF_NEW='Walnut-Harbor-8812'
D_PW='Dave-Local-Word-5521'
R_PW='Root-Unix-Word-2240'
PEOPLE="ou=people,$LDAP_BASE"
ALICE="uid=alice,$PEOPLE"

# --- the directory, the two hosts ------------------------------------------------
TMPDIR=$W
export TMPDIR
# a rootpw, only to give host 2 its identity in the directory
LDAP_CONF_EDIT='s|^rootdn.*|&\nrootpw e2e-root-secret|'
ldap_start || fail "the throwaway slapd did not start"
HOSTS_ON_EXIT=ldap_stop
# a host's random secret in a cheap salted scheme, as etc/ldap/example.ldif
H2_SSHA=$(slappasswd -h '{SSHA}' -s host2-secret) || fail "slappasswd failed"
ldapadd -x -H "$LDAP_URI" -D "cn=admin,$LDAP_BASE" -w e2e-root-secret >"$W/host2.ldapadd" 2>&1 <<EOF ||
dn: cn=host2,ou=hosts,$LDAP_BASE
objectClass: applicationProcess
objectClass: simpleSecurityObject
cn: host2
userPassword: $H2_SSHA
EOF
    fail "cannot add host 2's identity to the directory: $(cat "$W/host2.ldapadd")"
hosts_up 2223

# dir_attr DN ATTR: one attribute as the directory holds it (read as the admin).
dir_attr() {
    ldapsearch -x -LLL -o ldif-wrap=no -H "$LDAP_URI" -D "$LDAP_ADMIN_DN" \
        -w "$LDAP_ADMIN_PW" -b "$1" -s base '(objectClass=*)' "$2" |
        sed -n "s/^$2: //p"
}

# fleet_host N: host N's pwreset.conf for the directory, its secrets in
# root-only files beside it, its users (uids as in the directory), sshd.
fleet_host() {
    on_host "$1"
    dir=$(dirname "$H1_CONF") # the same path in each host's own view
    mine=$(dirname "$CONF")   # where that is from here
    (umask 077 && printf '%s\n' "host$1-secret" >"$mine/ldap-host.secret" &&
        printf '%s\n' "$LDAP_ADMIN_PW" >"$mine/ldap-admin.secret") ||
        fail "cannot write host $1's directory secrets"
    world_conf backend=ldap "ldap_uri=$LDAP_URI" "ldap_base=$PEOPLE" \
        "ldap_bind_dn=cn=host$1,ou=hosts,$LDAP_BASE" \
        "ldap_bind_password_file=$dir/ldap-host.secret" \
        "ldap_admin_dn=$LDAP_ADMIN_DN" "ldap_admin_password_file=$dir/ldap-admin.secret" \
        ldap_timeout=3s
    NEXT_UID=10001
    world_user alice "Alice Example"
    world_user bob "Bob Example"
    world_user dave "Dave Local"
    world_unix_password dave "$D_PW"
    world_unix_password root "$R_PW"
    grep -q '^alice:x:10001:' "$W/etc/passwd" || fail "alice's uid on host $1 is not the directory's"
    mkdir -p "$W/home/alice/.ssh"
    cp "$WROOT/client/id.pub" "$W/home/alice/.ssh/authorized_keys"
    chown -R alice:alice "$W/home/alice/.ssh"
    world_sshd PasswordAuthentication no PermitRootLogin yes
}

# keylogin NAME USER: a public-key login running one command.
keylogin() {
    converse "$1" "$SSH_KEY" -i "$WROOT/client/id" "$2@$HOST" 'echo who=$(id -un)' </dev/null
}

# csn_of EVENT: CSN is the csn= of the last audit line since the mark
# with event=EVENT user=alice backend=ldap (failing when there is none),
# without the quotes the audit line puts around a value with '#'.
csn_of() {
    audit_has "event=$1" user=alice backend=ldap
    CSN=$(audit_lines | grep " event=$1 " | grep " user=alice " |
        sed -n 's/.* csn=\([^ ]*\) .*/\1/p' | tail -n 1 | tr -d '"')
    [ -n "$CSN" ] || fail "host $HOSTS_CUR: $1 of alice has no csn= field"
}

# csn_is_directory CSN WHAT: CSN is the entryCSN alice's entry has now.
csn_is_directory() {
    now=$(dir_attr "$ALICE" entryCSN)
    [ -n "$now" ] || fail "cannot read alice's entryCSN"
    [ "$1" = "$now" ] ||
        fail "host $HOSTS_CUR: $2: csn=$1 in the audit trail, entryCSN $now in the directory"
}

ssh-keygen -q -t ed25519 -N '' -C e2e-client -f "$W/client/id" || fail "ssh-keygen failed"
fleet_host 1
fleet_host 2
ok "slapd on $LDAP_URI; host 1 on port $H1_PORT, host 2 on port $H2_PORT, both backend = ldap"

# --- both hosts know alice from the directory; dave is local --------------------
for h in 1 2; do
    on_host "$h"
    audit_mark
    kbd_login "seen$h" alice "$A_PW"
    expect_rc $? 0 "alice's login with her directory password on host $h"
    saw "who=alice"
    audit_has event=login_allowed user=alice result=success
    kbd_login "dave$h" dave "$D_PW"
    expect_rc $? 0 "dave's local login on host $h"
    saw "who=dave"
    audit_none user=dave
done
ok "alice logs in on both hosts with her directory password; dave, a local user, too"

# --- force-reset on host 1, carried out on host 2 -----------------------------------
on_host 1
audit_mark
admin_ok force-reset alice
[ "$(dir_attr "$ALICE" pwdReset)" = TRUE ] || fail "force-reset on host 1 did not set pwdReset in the directory"
csn_of force_password_reset_set
CSN_FORCE=$CSN
csn_is_directory "$CSN_FORCE" "force-reset"
ok "force-reset on host 1 is in the directory; host 1's trail has its entryCSN ($CSN_FORCE)"

on_host 2
audit_mark
converse forced "$SSH_KBD" "alice@$HOST" 'echo who=$(id -un)' <<EOD
expect Password:
send $A_PW
expect Your administrator requires you to choose a new password.
expect New password:
send $A_NEW
expect Retype new password:
send $A_NEW
expect who=alice
EOD
expect_rc $? 0 "alice's forced change on host 2"
not_saw "no password yet" # she has one, in the directory
audit_has event=login_allowed user=alice result=change_required reason=must_change
csn_of password_reset_completed
CSN_DONE=$CSN
csn_is_directory "$CSN_DONE" "the forced change"
[ -z "$(dir_attr "$ALICE" pwdReset)" ] || fail "pwdReset is still set after the change on host 2"
ok "host 2 made alice change her password at her next login; its trail has the entryCSN"

on_host 1
kbd_login new1 alice "$A_NEW"
expect_rc $? 0 "alice's new password on host 1"
saw "who=alice"
not_saw "New password"
kbd_login old1 alice "$A_PW"
expect_rc $? 255 "alice's old password on host 1"
not_saw "who=alice"
ok "the password chosen on host 2 works on host 1, the old one no longer does"

# --- block on host 2 refuses a key login on host 1 ---------------------------------
on_host 1
keylogin key1 alice
expect_rc $? 0 "alice's key login on host 1 before the block"
on_host 2
audit_mark
admin_ok block --reason "lost laptop" alice
[ "$(dir_attr "$ALICE" pwdAccountLockedTime)" = 000001010000Z ] ||
    fail "block on host 2 did not lock the entry in the directory"
csn_of account_blocked
CSN_BLOCK=$CSN
csn_is_directory "$CSN_BLOCK" "block"
on_host 1
audit_mark
keylogin blocked1 alice
expect_rc $? 255 "alice's key login on host 1 while blocked on host 2"
not_saw "who=alice"
saw "Your account is blocked."
audit_has event=login_denied user=alice reason=blocked service=sshd
on_host 2
admin_ok unblock alice
on_host 1
keylogin unblocked1 alice
expect_rc $? 0 "alice's key login on host 1 after the unblock on host 2"
saw "who=alice"
ok "a block set on host 2 refuses alice's key on host 1; the unblock there lets it in again"

# --- a reset code issued on host 1, redeemed once on host 2 ------------------------
on_host 1
audit_mark
$WORLD_IN "$PWRESET" reset-code --json alice >"$W/code.json" || fail "pwreset reset-code on host 1 failed"
CODE=$(json_get code <"$W/code.json")
[ -n "$CODE" ] && [ "$CODE" != null ] || fail "no code in $(cat "$W/code.json")"
csn_of reset_code_issued
on_host 2
audit_mark
converse code2 "$SSH_KBD" "alice@$HOST" 'echo who=$(id -un)' <<EOD
expect Password:
send $CODE
expect You signed in with a reset code: choose a new password now.
expect New password:
send $A_CODE_NEW
expect Retype new password:
send $A_CODE_NEW
expect who=alice
EOD
expect_rc $? 0 "alice's login with the code on host 2"
not_saw "no password yet"
audit_has event=login_allowed user=alice result=change_required reason=code method=code
csn_of password_reset_completed
[ -z "$(dir_attr "$ALICE" pwresetCodeHash)" ] || fail "the code is still in the directory after its use"
kbd_login code2again alice "$CODE"
expect_rc $? 255 "a second use of the code on host 2"
not_saw "who=alice"
on_host 1
kbd_login code1again alice "$CODE"
expect_rc $? 255 "a second use of the code on host 1"
kbd_login codenew1 alice "$A_CODE_NEW"
expect_rc $? 0 "the password chosen with the code, on host 1"
ok "a reset code issued on host 1 works once on host 2, then on no host; the new password works on host 1"

# --- alice changes her own password with passwd on host 1 -------------------------
# Nothing is pending: the directory lets only alice write her password, so
# the helper writes it bound as her, with the password she just proved.
on_host 1
audit_mark
as_user alice passwd1 passwd <<EOD
expect Current password:
send $A_CODE_NEW
expect New password:
send $A_SELF_NEW
expect Retype new password:
send $A_SELF_NEW
expect password updated successfully
EOD
expect_rc $? 0 "alice's passwd on host 1"
audit_has event=password_changed user=alice service=passwd backend=ldap
on_host 2
kbd_login self2 alice "$A_SELF_NEW"
expect_rc $? 0 "alice's password from passwd on host 1, on host 2"
saw "who=alice"
kbd_login selfold2 alice "$A_CODE_NEW"
expect_rc $? 255 "alice's previous password on host 2"
not_saw "who=alice"
ok "alice changes her directory password with passwd on host 1; host 2 takes only the new one"

# --- su to a directory account ------------------------------------------------------
on_host 1
audit_mark
as_user dave su1 su - alice -c 'echo who=$(id -un)' <<EOD
expect Password:
send $A_SELF_NEW
expect who=alice
EOD
expect_rc $? 0 "dave's su - alice with her directory password"
audit_has event=login_allowed user=alice result=success service=su-l backend=ldap
as_user dave su1wrong su - alice -c 'echo who=$(id -un)' <<EOD
expect Password:
send $A_CODE_NEW
EOD
[ $? -ne 0 ] || fail "su - alice took her previous password"
not_saw "who=alice"
ok "su - alice on host 1 takes her directory password, not an old one"

# --- the directory is down ----------------------------------------------------------
kill -TERM "$LDAP_PID" && wait "$LDAP_PID"
LDAP_PID=
ldap_answers && fail "slapd still answers"
URI_RE=$(printf '%s' "$LDAP_URI" | sed 's/[.[\*^$/]/\\&/g')
# the CLI: alice's state is unavailable (exit 14) and the message names
# the URI, even when nothing was looked up before the connect failed;
# dave, local and never seen in the directory, is simply not in the store
on_host 1
$WORLD_IN "$PWRESET" status alice >"$W/status-down.out" 2>&1
expect_rc $? 14 "pwreset status alice with the directory down"
grep -q "$URI_RE" "$W/status-down.out" ||
    fail "pwreset status alice did not name $LDAP_URI: $(cat "$W/status-down.out")"
grep -q "internal" "$W/status-down.out" &&
    fail "pwreset status alice reported an internal error: $(cat "$W/status-down.out")"
$WORLD_IN "$PWRESET" status dave >"$W/status-dave.out" 2>&1
rc=$?
[ "$rc" -ne 14 ] && ! grep -q "internal" "$W/status-dave.out" ||
    fail "pwreset status dave (local) with the directory down: exit $rc: $(cat "$W/status-dave.out")"
ok "directory down: pwreset status says unavailable naming $LDAP_URI for alice, not for local dave"
for h in 1 2; do
    on_host "$h"
    audit_mark
    # the refusal may come before or after the password prompt
    converse "down$h" "$SSH_KBD" "alice@$HOST" 'echo who=$(id -un)' <<EOD
either Password: || navailable
[A] send $A_CODE_NEW
EOD
    [ $? -ne 0 ] || fail "host $h let alice in with the directory down"
    not_saw "who=alice"
    grep -qi "account service unavailable" "$T" ||
        fail "host $h: alice was not told the account service is unavailable"
    keylogin "downkey$h" alice
    [ $? -ne 0 ] || fail "host $h let alice in with her key with the directory down"
    not_saw "who=alice"
    grep -qi "account service unavailable" "$T" ||
        fail "host $h: alice's key was refused without the message"
    audit_sync
    tail -n +"$AUDIT_FROM" "$W/syslog.log" | grep -q "$URI_RE" ||
        fail "host $h logged no error naming $LDAP_URI"
    kbd_login "root$h" root "$R_PW"
    expect_rc $? 0 "root's login on host $h with the directory down"
    saw "who=root"
    kbd_login "davedown$h" dave "$D_PW"
    expect_rc $? 0 "dave's local login on host $h with the directory down"
    saw "who=dave"
done
ok "directory down: alice (password and key) refused with the message on both hosts; root and local dave log in"

# --- each host's trail ----------------------------------------------------------------
for h in 1 2; do
    on_host "$h"
    AUDIT_FROM=1
    n=$(audit_count backend=ldap)
    [ "$n" -ge 2 ] || fail "host $h: $n audit lines with backend=ldap"
    # every change (all but login decisions) names the entryCSN it made
    audit_lines | grep ' backend=ldap ' | grep -v ' event=login_' | grep -v ' csn=' >"$W/nocsn"
    [ ! -s "$W/nocsn" ] || fail "host $h: changes without csn=: $(cat "$W/nocsn")"
    audit_none backend=file
    # libldap's Cyrus SASL, started by the helper, logs nothing of its own
    ! grep -q 'looking for plugins' "$W/syslog.log" ||
        fail "host $h: SASL logged to syslog: $(grep -m1 'looking for plugins' "$W/syslog.log")"
done
ok "each host's trail: its events say backend=ldap, every change names an entryCSN"

no_secret_logged "$A_PW" "$A_NEW" "$A_CODE_NEW" "$CODE" host1-secret host2-secret e2e-root-secret "$LDAP_ADMIN_PW"
on_host 1
no_secret_logged "$A_PW" "$A_NEW" "$A_CODE_NEW" "$CODE" host1-secret host2-secret e2e-root-secret "$LDAP_ADMIN_PW"
ok "no password, code or directory secret appears in either host's syslog or sshd log"
