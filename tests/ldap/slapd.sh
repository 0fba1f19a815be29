# slapd.sh - a throwaway OpenLDAP server for the tests (sourced).
# SPDX-License-Identifier: BSD-3-Clause
#
# ldap_require
#     exits 77 (skipped) unless run as root with slapd, slapadd and
#     ldap-utils installed (tools/deps installs them).
# ldap_start
#     copies etc/ldap/slapd.conf.example to a temp directory, points its
#     schema include, pidfile, argsfile and database directory there
#     (LDAP_CONF_EDIT, if set, is one more sed expression applied to the
#     copy), loads etc/ldap/example.ldif (or the file LDAP_LDIF names)
#     with slapadd, starts slapd on 127.0.0.1 on a free port, and returns
#     once it answers a search.
#     Sets LDAP_URI, LDAP_DIR (made under $TMPDIR, default /tmp) and
#     LDAP_PID.  An EXIT trap (INT, TERM and HUP exit through it) stops
#     slapd on every path; nothing outside LDAP_DIR is touched: not
#     /etc/ldap, not a system slapd.
# ldap_stop
#     SIGTERM to slapd, wait for it, remove LDAP_DIR.  Idempotent.
# ldap_secrets, ldap_host_conf, ldap_req
#     a host's password files and configuration, and one helper request
#     (described where they are defined; they need tests/helper/lib.sh and
#     its $T).
#
# Needs top_srcdir and top_builddir (set by make check).
# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # read by the sourcing test; set by make

LDAP_BASE="dc=example,dc=org"
LDAP_HOST_DN="cn=host1,ou=hosts,$LDAP_BASE"
LDAP_HOST_PW="host1-secret"
LDAP_ADMIN_DN="cn=pwadmin,ou=admins,$LDAP_BASE"
LDAP_ADMIN_PW="pwadmin-secret"
LDAP_URI=
LDAP_DIR=
LDAP_PID=
# Every client reads no ldaprc/ldap.conf of the host or the current directory.
LDAPNOINIT=1
export LDAPNOINIT

ldap_require() {
    [ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 77; }
    for _p in slapd slapadd ldapsearch ldapmodify ldapwhoami; do
        command -v "$_p" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
        command -v "$_p" >/dev/null 2>&1 || {
            echo "1..0 # SKIP $_p not installed (tools/deps installs slapd and ldap-utils)"
            exit 77
        }
    done
}

ldap_stop() {
    if [ -n "$LDAP_PID" ]; then
        kill -TERM "$LDAP_PID" 2>/dev/null
        wait "$LDAP_PID" 2>/dev/null
        LDAP_PID=
    fi
    if [ -n "$LDAP_DIR" ]; then
        rm -rf "$LDAP_DIR"
        LDAP_DIR=
    fi
}

# A port nobody listens on now (the kernel's choice for port 0).
ldap_free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# ldap_secrets DIR: host1's and the admin's password files, as a host
# keeps them (root's, 0600): DIR/host1.pw and DIR/admin.pw.
ldap_secrets() {
    printf '%s\n' "$LDAP_HOST_PW" >"$1/host1.pw"
    printf '%s\n' "$LDAP_ADMIN_PW" >"$1/admin.pw"
    chmod 600 "$1/host1.pw" "$1/admin.pw"
}

# ldap_host_conf FILE DIR [LINE...]: a configuration of host1 over the
# throwaway directory (backend = ldap, the admin identity, the store and
# the secrets of ldap_secrets in DIR, audit to $T/log), written by
# lib.sh's write_conf: a LINE setting one of these keys replaces it.
ldap_host_conf() {
    _f=$1
    _d=$2
    shift 2
    _saved_defaults=${CONF_DEFAULTS:-}
    CONF_DEFAULTS="store = $_d/store
audit_socket = $T/log
fail_delay = 0
backend = ldap
ldap_uri = $LDAP_URI
ldap_base = ou=people,$LDAP_BASE
ldap_bind_dn = $LDAP_HOST_DN
ldap_bind_password_file = $_d/host1.pw
ldap_admin_dn = $LDAP_ADMIN_DN
ldap_admin_password_file = $_d/admin.pw
ldap_timeout = 20s"
    write_conf "$_f" "$@"
    CONF_DEFAULTS=$_saved_defaults
}

# ldap_req CONF KEY=VALUE...: one request to the built pwreset-helper as
# root, the way the PAM module and the CLI send it, under the audit sink
# on $T/log; LDAP_RC its exit status, $T/rep the reply, $T/ev the events.
ldap_req() {
    _c=$1
    shift
    {
        echo "pwreset-helper 1"
        for _kv in "$@"; do printf '%s\n' "$_kv" | sed 's/=/ /'; done
        echo "config $_c"
        echo end
    } >"$T/req"
    : >"$T/ev.raw"
    "$top_builddir/tests/helper/audit_sink" "$T/log" "$T/ev.raw" -- \
        timeout 60 "$top_builddir/helper/pwreset-helper" <"$T/req" \
        >"$T/rep" 2>/dev/null
    LDAP_RC=$?
    sed -n 's/^.*pwreset\[[0-9]*\]: //p' "$T/ev.raw" >"$T/ev"
}

# ldap_answers: true once slapd answers a root DSE search.
ldap_answers() {
    ldapsearch -x -LLL -H "$LDAP_URI" -o nettimeout=2 -b "" -s base \
        namingContexts >/dev/null 2>&1
}

ldap_start() {
    trap 'ldap_stop' EXIT
    trap 'exit 130' INT TERM HUP
    LDAP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pwr-ldap.XXXXXX") || return 1
    mkdir "$LDAP_DIR/db" || return 1
    sed -e "s|^include[[:space:]].*/pwreset.schema\$|include $top_srcdir/etc/ldap/pwreset.schema|" \
        -e "s|^pidfile[[:space:]].*|pidfile $LDAP_DIR/slapd.pid|" \
        -e "s|^argsfile[[:space:]].*|argsfile $LDAP_DIR/slapd.args|" \
        -e "s|^directory[[:space:]].*|directory $LDAP_DIR/db|" \
        -e "${LDAP_CONF_EDIT:-s|^||}" \
        "$top_srcdir/etc/ldap/slapd.conf.example" >"$LDAP_DIR/slapd.conf" || return 1
    if ! slapadd -q -f "$LDAP_DIR/slapd.conf" \
        -l "${LDAP_LDIF:-$top_srcdir/etc/ldap/example.ldif}" \
        >"$LDAP_DIR/slapadd.log" 2>&1; then
        echo "# slapadd failed:"; sed 's/^/# /' "$LDAP_DIR/slapadd.log"
        return 1
    fi
    # A port can be taken between the choice and the bind: a few tries.
    for _try in 1 2 3 4 5; do
        LDAP_URI="ldap://127.0.0.1:$(ldap_free_port)/"
        # -d 0: stay in the foreground (so $! is slapd and wait works).
        slapd -d 0 -f "$LDAP_DIR/slapd.conf" -h "$LDAP_URI" \
            >>"$LDAP_DIR/slapd.log" 2>&1 &
        LDAP_PID=$!
        # Bounded poll: it answers in ~30 ms; give up after ~10 s.
        _n=0
        while [ $_n -lt 200 ]; do
            ldap_answers && return 0
            kill -0 "$LDAP_PID" 2>/dev/null || break
            sleep 0.05
            _n=$((_n + 1))
        done
        kill -TERM "$LDAP_PID" 2>/dev/null
        wait "$LDAP_PID" 2>/dev/null
        LDAP_PID=
    done
    echo "# slapd did not start:"; sed 's/^/# /' "$LDAP_DIR/slapd.log"
    return 1
}
