#!/bin/sh
# test-ldap-links.sh - only pwreset-helper links an LDAP library: the PAM
# module, loaded into every login process, and the pwreset CLI link none
# (docs/FLEET.md, "The backend").  Needs no root and no slapd; skipped (77)
# without readelf.
# SPDX-License-Identifier: BSD-3-Clause
: "${top_builddir:?run through make check}"
command -v readelf >/dev/null 2>&1 || { echo "1..0 # SKIP no readelf"; exit 77; }
n=0
fails=0
# links PROGRAM eq|gt: the number of libldap/liblber NEEDED entries is
# 0, or more than 0.
links() {
    n=$((n + 1))
    got=$(readelf -d "$top_builddir/$1" 2>/dev/null | grep NEEDED |
        grep -c 'lib\(ldap\|lber\)')
    case $2 in
    eq) want_ok=$([ "$got" -eq 0 ] && echo 1) ;;
    *) want_ok=$([ "$got" -gt 0 ] && echo 1) ;;
    esac
    if [ -f "$top_builddir/$1" ] && [ -n "$want_ok" ]; then
        echo "ok $n - $1: $got LDAP libraries"
    else
        echo "not ok $n - $1: $got LDAP libraries"
        fails=$((fails + 1))
    fi
}
links pam_module/.libs/pam_pwreset.so eq
links cli/pwreset eq
links helper/pwreset-helper gt
echo "1..$n"
[ "$fails" -eq 0 ]
