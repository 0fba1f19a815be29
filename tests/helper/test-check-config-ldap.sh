#!/bin/sh
# test-check-config-ldap.sh - pwreset check-config with backend = ldap: the
# keys the directory backend needs, history (not enforced there),
# ldap_admin_dn with its password file,
# the URI schemes, the password files under the rules pwreset-helper reads
# them with (regular, root's, no group or other permission, a first line,
# no symbolic link), and ldap_ca_file.  Offline: no directory is contacted,
# so none is started.  Root only (the files must be root's); skipped (77)
# otherwise.
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC2317 # functions run through check()
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root: the password files must be root's"
T=$(mktemp -d /tmp/pwr-ccldap.XXXXXX) || hard_error "mktemp"
trap 'rm -rf "$T"' EXIT
PWRESET=$top_builddir/cli/pwreset

# cc LINE...: check-config of a file with the store, the audit socket and
# these lines; ccg LINE...: the same over the good directory configuration
# below, a LINE replacing the key it sets (lib.sh's write_conf).  CC (exit
# status) and $T/cc (its output).
BASE="store = $T/store
audit_socket = $T/log"
check_config() {
    "$PWRESET" --config "$T/conf" check-config >"$T/cc" 2>&1
    CC=$?
}
cc() {
    CONF_DEFAULTS=$BASE
    write_conf "$T/conf" "$@"
    check_config
}
ccg() {
    CONF_DEFAULTS="$BASE
$GOOD"
    write_conf "$T/conf" "$@"
    check_config
}
said() { grep -qF -- "$1" "$T/cc"; }
pwfile() { # FILE MODE [CONTENT]: a password file
    printf '%s' "${3-host1-secret
}" >"$1"
    chmod "$2" "$1"
}

pwfile "$T/host.pw" 600
pwfile "$T/admin.pw" 400
touch "$T/ca.pem"
GOOD="backend = ldap
ldap_uri = ldaps://ldap1.example.org/ ldaps://ldap2.example.org/
ldap_base = ou=people,dc=example,dc=org
ldap_bind_dn = cn=host1,ou=hosts,dc=example,dc=org
ldap_bind_password_file = $T/host.pw
ldap_admin_dn = cn=pwadmin,ou=admins,dc=example,dc=org
ldap_admin_password_file = $T/admin.pw
ldap_ca_file = $T/ca.pem"

ccg
check "a complete directory configuration: no problems (exit 0, was $CC)" [ "$CC" = 0 ]

cc "backend = ldap"
check "backend = ldap alone: exit 11 (was $CC)" [ "$CC" = 11 ]
check "... names each missing key" sh -c "grep -c 'backend = ldap needs ' '$T/cc' | grep -qx 4"
check "... ldap_bind_password_file among them" said "needs ldap_bind_password_file"

ccg "ldap_uri = ldap://ok.example.org/, http://www.example.org/"
check "an http:// URI in the list is named" said "ldap_uri 'http://www.example.org/' is not"
check "... and only it" sh -c "[ \$(grep -c 'ldap_uri' '$T/cc') = 1 ]"

chmod 644 "$T/host.pw"
ccg
check "a password file readable by others: exit 11" [ "$CC" = 11 ]
check "... with the fix" said "fix with chown root:root $T/host.pw && chmod 600 $T/host.pw"
chmod 600 "$T/host.pw"

ln -s "$T/host.pw" "$T/link.pw"
ccg "ldap_bind_password_file = $T/link.pw"
check "a password file that is a symbolic link is refused" said "ldap_bind_password_file $T/link.pw:"

pwfile "$T/empty.pw" 600 ""
ccg "ldap_admin_password_file = $T/empty.pw"
check "an empty password file is named" said "ldap_admin_password_file $T/empty.pw: the password must be its first line"

ccg "ldap_admin_password_file = $T/missing.pw"
check "a missing password file is named" said "ldap_admin_password_file $T/missing.pw: No such file"

ccg "ldap_admin_dn = "
check "ldap_admin_password_file without ldap_admin_dn is a problem" said "ldap_admin_dn and ldap_admin_password_file go together"

ccg "ldap_ca_file = $T/no-ca.pem"
check "an unreadable ldap_ca_file is named" said "ldap_ca_file $T/no-ca.pem: not a readable file"

ccg "ldap_uri = ldap://ldap1.example.org/" "ldap_password_policy = yes"
check "ldap_password_policy over a plain remote ldap:// is a problem" said "ldap_password_policy = yes sends new passwords"
ccg "ldap_uri = ldap://127.0.0.1:3389/ ldapi:///" "ldap_password_policy = yes"
check "... over ldap:// to this host and ldapi:// it is not (exit 0, was $CC)" [ "$CC" = 0 ]
ccg "ldap_uri = ldap://ldap1.example.org/" "ldap_password_policy = yes" "ldap_starttls = yes"
check "... nor with ldap_starttls (exit 0, was $CC)" [ "$CC" = 0 ]

ccg "history = 5"
check "history with backend = ldap is a problem (not enforced there)" said "history is not enforced with backend = ldap"

cc "backend = file" "ldap_uri = http://ignored.example.org/"
check "backend = file: the ldap keys are not checked (exit 0, was $CC)" [ "$CC" = 0 ]

finish
