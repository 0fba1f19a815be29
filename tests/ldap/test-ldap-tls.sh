#!/bin/sh
# test-ldap-tls.sh - the directory backend over TLS (ldap_starttls,
# ldap_ca_file), as docs/FLEET.md asks of production: a throwaway slapd
# with a certificate from a throwaway CA that refuses every simple bind
# without TLS (security simple_bind=128).  A login (the helper's verify,
# as the PAM module sends it) and an admin command work with StartTLS and
# the CA; without StartTLS, with another CA, or with a CA file that does
# not exist, nothing is read or written and the error says what is wrong.
# Root only (private mount namespace); skipped (77) without slapd,
# ldap-utils or openssl.  Every process it starts is stopped by the EXIT
# trap.
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC1091,SC2154
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/ldap/slapd.sh"

ldap_require
command -v openssl >/dev/null 2>&1 || skip_all "no openssl (tools/deps installs it)"
enter_private_ns PWR_LDAP_TLS_NS "$0"
suid_workdir pwr-ldaptls

PWRESET=$top_builddir/cli/pwreset
PEOPLE="ou=people,$LDAP_BASE"

# ---- a throwaway CA, a server certificate for 127.0.0.1, another CA ------
# ca NAME: a self-signed CA in $T/NAME.pem (key $T/NAME.key).
ca() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$T/$1.key" -out "$T/$1.pem" -days 2 \
        -subj "/CN=pwreset test $1" >/dev/null 2>&1
}
ca ca || hard_error "openssl could not make a CA"
ca other || hard_error "openssl could not make a second CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/srv.key" -out "$T/srv.csr" -subj "/CN=127.0.0.1" \
    >/dev/null 2>&1 || hard_error "openssl could not make a request"
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/srv.ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
    -CAcreateserial -out "$T/srv.pem" -days 2 -extfile "$T/srv.ext" \
    >/dev/null 2>&1 || hard_error "openssl could not sign the server certificate"
chmod 600 "$T"/*.key

LDAP_CONF_EDIT="s|^argsfile.*|&\\
TLSCACertificateFile $T/ca.pem\\
TLSCertificateFile $T/srv.pem\\
TLSCertificateKeyFile $T/srv.key\\
security simple_bind=128|"
ldap_start || hard_error "slapd did not start"
trap 'ldap_stop; rm -rf "$T"' EXIT

ldap_secrets "$T/state"
conf() { _cf=$1; shift; ldap_host_conf "$_cf" "$T/state" "$@"; }
conf "$T/tls" "ldap_starttls = yes" "ldap_ca_file = $T/ca.pem"
conf "$T/plain"
conf "$T/other" "ldap_starttls = yes" "ldap_ca_file = $T/other.pem"
conf "$T/noca" "ldap_starttls = yes" "ldap_ca_file = $T/missing.pem"

# verify CONF PASSWORD: alice's login as the PAM module asks for it
# (ldap_req, slapd.sh); VRC its exit status, $T/rep the reply.
verify() {
    ldap_req "$1" op=verify user=alice "password=$2"
    VRC=$LDAP_RC
}
rep() { sed -n "s/^$1 //p" "$T/rep" | head -n 1; }
# admin CONF ARGS...: pwreset as root (lib.sh's run); ARC its exit status.
PWRESET_HELPER=$top_builddir/helper/pwreset-helper
SINK=$top_builddir/tests/helper/audit_sink
admin() {
    _c=$1
    shift
    run --conf "$_c" "$@"
    ARC=$RC
}
pwd_reset() {
    env -u LDAPNOINIT LDAPTLS_CACERT="$T/ca.pem" \
        ldapsearch -x -LLL -ZZ -o ldif-wrap=no -H "$LDAP_URI" -D "$LDAP_ADMIN_DN" \
        -w "$LDAP_ADMIN_PW" -b "$PEOPLE" "(uid=alice)" pwdReset 2>/dev/null |
        sed -n 's/^pwdReset: //p'
}
check "the directory refuses a simple bind without TLS (the test's premise)" \
    sh -c "! ldapwhoami -x -H '$LDAP_URI' -D '$LDAP_HOST_DN' -w host1-secret >/dev/null 2>&1"

verify "$T/tls" alice-secret
check "StartTLS with ldap_ca_file: alice's password logs her in (exit 0, was $VRC)" \
    [ "$VRC" = 0 ]
check "... and the reply is about her" [ "$(rep login)" = allow ]
verify "$T/tls" not-her-password
check "StartTLS: a wrong password is refused (exit 8, was $VRC)" [ "$VRC" = 8 ]
admin "$T/tls" force-reset alice
check "StartTLS: an admin's force-reset works (exit 0, was $ARC)" [ "$ARC" = 0 ]
check "... and lands in the directory" [ "$(pwd_reset)" = TRUE ]
admin "$T/tls" force-reset --clear alice
check "... and is undone" [ -z "$(pwd_reset)" ]

verify "$T/plain" alice-secret
check "without StartTLS the login fails, it does not fall back (exit $VRC)" \
    [ "$VRC" != 0 ]
check "... saying the directory wants confidentiality" \
    sh -c "grep -qi 'confidentiality' '$T/rep'"

verify "$T/other" alice-secret
check "a certificate from another CA is refused (exit $VRC)" [ "$VRC" != 0 ]
sed -n 's/^message /# message: /p' "$T/rep"
check "... and the message names TLS and ldap_ca_file" \
    sh -c "grep -q 'TLS' '$T/rep' && grep -q 'ldap_ca_file' '$T/rep'"
admin "$T/other" force-reset alice
_reset=$(pwd_reset)
check "... an admin command too (exit $ARC)" [ "$ARC" != 0 ]
check "... which wrote nothing" [ -z "$_reset" ]

verify "$T/noca" alice-secret
check "an ldap_ca_file that does not exist is refused (exit $VRC)" [ "$VRC" != 0 ]
sed -n 's/^message /# message: /p' "$T/rep"
check "... naming it" sh -c "grep -q 'missing.pem' '$T/rep'"

finish
