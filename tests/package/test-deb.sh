#!/bin/sh
# tests/package/test-deb.sh - the Debian package, from build to purge.
# SPDX-License-Identifier: BSD-3-Clause
#
# Builds libpam-pwreset from a copy of this source tree with
# "dpkg-buildpackage -us -uc -b" (DEB_BUILD_OPTIONS=nocheck: the suites ran
# already), checks what the .deb holds and that lintian reports no error and
# no warning without an override, then, inside a private mount namespace
# whose /etc, /usr and /var are overlays of the host's (upper layers on a
# private tmpfs, gone when the namespace ends) and whose /dev/log is our own
# listener:
#   apt-get install ./libpam-pwreset_*.deb (no download: the dependencies
#   are on the host already); nothing in /etc/pam.d changes; the store
#   directory is root 0700; a dpkg-statoverride on the helper survives a
#   reinstall;
#   pam-auth-update --enable pwreset; a forced reset through pamtester with
#   the generated common-* files, and an account not in the store still
#   logs in and changes its password through pam_unix;
#   --disable: /etc/pam.d is as before the install;
#   --enable again, apt-get remove: no stack names the module, the store
#   and configuration stay;
#   apt-get purge: says it deletes the store, then /etc/pam.d is identical
#   to the copy taken before the install.
# Outside, it checks that the host's dpkg database and /etc/pam.d did not
# change.  Needs root (exit 77 otherwise).  Not part of "make check":
# tools/check runs it once, after the normal build's suites.
#
# usage: test-deb.sh   (PWR_DEB_KEEP=1 keeps the work directory)
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
export top_srcdir
. "$top_srcdir/tests/e2e/world.sh"

PKG=libpam-pwreset
HOSTCHECK="/var/lib/dpkg/status /etc/pam.d /var/lib/pam /etc/security"
USER_IN=pwrdebalice
USER_OUT=pwrdebbob
OLD_PW=Old-passphrase-for-alice-1
NEW_PW=Fresh-passphrase-for-alice-2
BOB_PW=Bobs-unix-passphrase-3
BOB_NEW=Bobs-changed-passphrase-4

# ---- outside ------------------------------------------------------------------

# A listing of what the host must keep: paths, owners, modes and contents.
host_state() {
    for p in $HOSTCHECK; do
        [ -e "$p" ] || { echo "absent $p"; continue; }
        find "$p" -printf '%p %u:%g %m %y\n' | LC_ALL=C sort
        find "$p" -type f -exec sha256sum {} + | LC_ALL=C sort -k2
    done
    for p in /etc/security/pwreset.conf /var/lib/pwreset /usr/sbin/pwreset-helper \
        "/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/security/pam_pwreset.so"; do
        [ -e "$p" ] && echo "present $p"
    done
}

# The tree to build from: the files git knows (tracked or new, not ignored),
# so no build directory or in-tree configure of ours comes along.
copy_source() {
    mkdir -p "$W/src"
    if git -C "$top_srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        ( cd "$top_srcdir" && git ls-files -z --cached --others --exclude-standard |
            tar --null -T - -cf - ) | tar -xf - -C "$W/src"
    else
        tar -C "$top_srcdir" --exclude='./_build*' --exclude=./.git -cf - . |
            tar -xf - -C "$W/src"
    fi
}

build_deb() {
    t0=$(date +%s)
    ( cd "$W/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
        dpkg-buildpackage -us -uc -b ) >"$W/build.log" 2>&1 || {
        tail -n 40 "$W/build.log"
        fail "dpkg-buildpackage failed (log above)"
    }
    ok "dpkg-buildpackage -us -uc -b in $(($(date +%s) - t0)) s"
    set -- "$W"/${PKG}_*.deb
    [ -f "$1" ] || fail "no ${PKG}_*.deb was built"
    DEB=$1
}

# What the .deb holds: "path owner mode" per line.
deb_has() {
    grep -q -- "$1" "$W/contents" || fail "the package lacks: $1"
}

check_contents() {
    dpkg-deb --fsys-tarfile "$DEB" | tar -tvf - |
        awk '{ sub(/^\./, "", $6); print $6, $2, $1 }' >"$W/contents"
    ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
    deb_has "^/lib/$ma/security/pam_pwreset.so root/root -rw-r--r--\$"
    deb_has "^/usr/sbin/pwreset-helper root/root -rwsr-xr-x\$"
    deb_has "^/usr/sbin/pwreset root/root -rwxr-xr-x\$"
    deb_has "^/etc/security/pwreset.conf root/root"
    deb_has "^/usr/share/pam-configs/pwreset root/root"
    for m in man8/pam_pwreset.8 man8/pwreset.8 man8/pwreset-helper.8 man5/pwreset.conf.5; do
        deb_has "^/usr/share/man/$m.gz "
    done
    if grep -q '\.la ' "$W/contents"; then fail "the package ships a libtool .la file"; fi
    if grep -q '^/var' "$W/contents"; then fail "the package ships /var (postinst makes the store directory)"; fi
    dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles >"$W/conffiles"
    grep -qx /etc/security/pwreset.conf "$W/conffiles" || fail "pwreset.conf is not a conffile"
    ok "the package holds the module, helper (set-uid root), CLI, man pages, conffile and profile; no .la, no /var"
}

check_lintian() {
    lintian --fail-on error,warning "$DEB" >"$W/lintian.log" 2>&1 || {
        cat "$W/lintian.log"
        fail "lintian reports an error or a warning without an override"
    }
    ok "lintian: no error, no warning without an override"
}

outer() {
    [ "$(id -u)" = 0 ] || world_skip "the package test needs root: it installs the package with apt-get in a private mount namespace over overlays of /etc, /usr and /var"
    world_need dpkg-buildpackage dh lintian fakeroot dpkg-architecture apt-get \
        pam-auth-update pamtester unshare mount timeout git useradd chpasswd
    [ -x "$PY" ] || world_skip "$PY is not installed (Debian: python3)"
    unshare --mount --pid --net --fork true 2>/dev/null ||
        world_skip "cannot create mount, pid and network namespaces here"
    W=$(mktemp -d /tmp/pwreset-deb.XXXXXX) || exit 99
    chmod 0755 "$W"
    trap 'outer_cleanup' EXIT
    trap 'exit 130' INT TERM HUP

    copy_source
    build_deb
    check_contents
    check_lintian

    host_state >"$W/host.before"
    PWR_DEB_INNER=1 W=$W DEB=$DEB timeout --kill-after=10 300 \
        unshare --mount --pid --net --fork --kill-child --mount-proc /bin/sh "$0"
    rc=$?
    host_state >"$W/host.after"
    if ! diff -u "$W/host.before" "$W/host.after"; then
        fail "the host's dpkg database, /etc/pam.d, /var/lib/pam or /etc/security changed"
    fi
    [ "$rc" = 0 ] || { say "FAIL: the install scenario failed (exit $rc)"; exit 1; }
    ok "the host's dpkg database, /etc/pam.d, /var/lib/pam and /etc/security are unchanged"
}

outer_cleanup() {
    rc=$?
    if [ "${PWR_DEB_KEEP:-0}" = 1 ]; then
        say "kept $W"
    elif [ -n "${W:-}" ] && [ -d "$W" ]; then
        rm -rf "$W" 2>/dev/null || { sleep 1; rm -rf "$W"; }
    fi
    exit "$rc"
}

# ---- inside -------------------------------------------------------------------

# /etc, /usr and /var become overlays: reads see the host's files, writes
# land on a tmpfs that only this namespace sees.
overlay_system() {
    mkdir -p "$W/ovl"
    mount -t tmpfs -o mode=0755 tmpfs "$W/ovl" || fail "cannot mount a tmpfs on $W/ovl"
    for d in /etc /usr /var; do
        mkdir -p "$W/ovl/up$d" "$W/ovl/work$d"
        mount -t overlay overlay \
            -o "lowerdir=$d,upperdir=$W/ovl/up$d,workdir=$W/ovl/work$d" "$d" ||
            fail "cannot mount an overlay on $d"
    done
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run || fail "cannot mount /run"
    mkdir -p /run/lock
}

# apt-get without the network: the dependencies are installed already, and
# the namespace has no network to reach (apt's --no-download refuses a
# local .deb: "Pathname to install is not absolute").
apt_do() {
    apt-get -y -q --no-install-recommends \
        -o Acquire::Retries=0 -o APT::Sandbox::User=root \
        -o Dpkg::Options::=--force-confold "$@"
}

# pt WHAT INPUT ARGS...: pamtester with INPUT lines as the user's answers;
# output in $T.
pt() {
    what=$1 input=$2
    shift 2
    T=$W/pt.$what.out
    printf '%b' "$input" | pamtester -v "$@" >"$T" 2>&1
}

pam_lines() {  # the non-comment lines of /etc/pam.d/common-$1
    grep -v '^[[:space:]]*#' "/etc/pam.d/common-$1" | grep -v '^[[:space:]]*$' | squeeze
}

squeeze() {  # one blank between fields, none at the end
    sed 's/[[:space:]][[:space:]]*/ /g; s/ $//'
}

check_stack() {
    for s in auth account password; do
        want=$(grep -v '^#' "$top_srcdir/etc/pam.d/common-$s.pwreset" |
            grep pam_pwreset.so | squeeze)
        # pam_unix gets use_authtok here: see authtok_for_unknown, pam_pwreset(8).
        [ "$s" = password ] && want="$want authtok_for_unknown"
        got=$(pam_lines "$s" | grep pam_pwreset.so) ||
            fail "common-$s has no pam_pwreset.so line after --enable"
        [ "$got" = "$want" ] ||
            fail "common-$s: pam-auth-update wrote '$got', the documented stack has '$want'"
        first=$(pam_lines "$s" | grep -n -m1 -E 'pam_(pwreset|unix)\.so' | cut -d: -f2-)
        [ "$first" = "$want" ] || fail "common-$s: pam_pwreset.so is not before pam_unix.so"
    done
    ok "pam-auth-update --enable: pam_pwreset in auth, account and password, before pam_unix, with the documented control values"
}

same_pamd() {  # same_pamd WHEN: /etc/pam.d is what it was before the install
    diff -r "$W/pam.d.before" /etc/pam.d >"$W/pamd.diff" 2>&1 || {
        cat "$W/pamd.diff"
        fail "$1: /etc/pam.d differs from the copy taken before the install"
    }
}

no_module_in_stack() {
    if grep -rl pam_pwreset /etc/pam.d; then fail "$1: a PAM file still names pam_pwreset"; fi
}

install_deb() {
    cp -a /etc/pam.d "$W/pam.d.before"
    apt_do install "$DEB" >"$W/apt-install.log" 2>&1 || {
        cat "$W/apt-install.log"
        fail "apt-get install ./$(basename "$DEB") failed"
    }
    if grep -E '^(Get|Hit|Ign|Err):[0-9]+ [a-z+]+://' "$W/apt-install.log"; then
        fail "apt-get went to the network"
    fi
    dpkg-query -W -f='${Status}\n' "$PKG" | grep -q 'install ok installed' ||
        fail "dpkg does not list $PKG as installed"
    same_pamd "after the install (Default: no)"
    [ "$(stat -c %U:%G:%a /var/lib/pwreset)" = root:root:700 ] ||
        fail "store directory is $(stat -c %U:%G:%a /var/lib/pwreset), expected root:root:700"
    [ "$(stat -c %U:%a /usr/sbin/pwreset-helper)" = root:4755 ] ||
        fail "pwreset-helper is $(stat -c %U:%a /usr/sbin/pwreset-helper) after the install"
    ok "apt-get install: no PAM file changed, store directory root 0700, helper set-uid root"
}

# An admin's statoverride on the helper is what dpkg applies; the maintainer
# scripts do not undo it.
check_statoverride() {
    dpkg-statoverride --update --add root root 4750 /usr/sbin/pwreset-helper ||
        fail "dpkg-statoverride --add failed"
    dpkg -i "$DEB" >"$W/dpkg-reinstall.log" 2>&1 || { cat "$W/dpkg-reinstall.log"; fail "reinstall failed"; }
    [ "$(stat -c %U:%a /usr/sbin/pwreset-helper)" = root:4750 ] ||
        fail "after a reinstall the helper is $(stat -c %U:%a /usr/sbin/pwreset-helper), the statoverride said 4750"
    dpkg-statoverride --remove /usr/sbin/pwreset-helper || fail "dpkg-statoverride --remove failed"
    dpkg -i "$DEB" >"$W/dpkg-reinstall.log" 2>&1 || { cat "$W/dpkg-reinstall.log"; fail "reinstall failed"; }
    [ "$(stat -c %U:%a /usr/sbin/pwreset-helper)" = root:4755 ] ||
        fail "without the statoverride the helper is $(stat -c %U:%a /usr/sbin/pwreset-helper)"
    ok "dpkg-statoverride on pwreset-helper is kept over a reinstall"
}

make_users() {
    for u in $USER_IN $USER_OUT; do
        useradd -M -s /bin/sh "$u" || fail "useradd $u failed"
    done
    printf '%s:%s\n%s:%s\n' "$USER_IN" "$OLD_PW" "$USER_OUT" "$BOB_PW" | chpasswd ||
        fail "chpasswd failed"
    pwreset import "$USER_IN" >"$W/cli.log" 2>&1 || { cat "$W/cli.log"; fail "pwreset import failed"; }
    pwreset force-reset "$USER_IN" >>"$W/cli.log" 2>&1 || { cat "$W/cli.log"; fail "pwreset force-reset failed"; }
}

check_forced_reset() {
    pt before "$OLD_PW\n" login "$USER_IN" authenticate acct_mgmt
    expect_rc $? 1 "login with the old password before the change"
    saw "choose a new password"
    pt change "$OLD_PW\n$NEW_PW\n$NEW_PW\n" login "$USER_IN" authenticate \
        'chauthtok(PAM_CHANGE_EXPIRED_AUTHTOK)'
    expect_rc $? 0 "the forced change"
    pt new "$NEW_PW\n" login "$USER_IN" authenticate acct_mgmt
    expect_rc $? 0 "login with the new password"
    saw "successfully authenticated"
    pt old "$OLD_PW\n" login "$USER_IN" authenticate
    expect_rc $? 1 "login with the old password after the change"
    ok "forced reset through pamtester over the packaged module and the generated common-* files"
}

# Accounts pam_pwreset does not know stay with pam_unix, passwords included.
check_unix_user() {
    pt bob "$BOB_PW\n" login "$USER_OUT" authenticate acct_mgmt
    expect_rc $? 0 "an account not in the store logs in through pam_unix"
    pt bobpw "$BOB_NEW\n$BOB_NEW\n" passwd "$USER_OUT" chauthtok
    expect_rc $? 0 "root changes the password of an account not in the store"
    pt bobnew "$BOB_NEW\n" login "$USER_OUT" authenticate
    expect_rc $? 0 "the account not in the store logs in with its new password"
    ok "an account not in the store logs in and changes its password through pam_unix"
}

inner() {
    trap 'exit 130' INT TERM HUP
    mount --make-rprivate / || fail "cannot make mounts private"
    overlay_system
    world_dev
    world_syslog
    export DEBIAN_FRONTEND=noninteractive
    install_deb
    check_statoverride
    make_users

    pam-auth-update --enable pwreset || fail "pam-auth-update --enable pwreset failed"
    check_stack
    check_forced_reset
    check_unix_user

    pam-auth-update --disable pwreset || fail "pam-auth-update --disable pwreset failed"
    same_pamd "after pam-auth-update --disable pwreset"
    ok "pam-auth-update --disable: /etc/pam.d is as before the install"

    pam-auth-update --enable pwreset || fail "pam-auth-update --enable pwreset (again) failed"
    apt_do remove "$PKG" >"$W/apt-remove.log" 2>&1 || { cat "$W/apt-remove.log"; fail "apt-get remove failed"; }
    no_module_in_stack "after apt-get remove"
    same_pamd "after apt-get remove of the enabled package"
    [ -f /etc/security/pwreset.conf ] || fail "apt-get remove deleted the configuration"
    [ -s /var/lib/pwreset/store ] || fail "apt-get remove deleted the store"
    ok "apt-get remove of the enabled package: no stack names the module; store and configuration kept"

    apt_do purge "$PKG" >"$W/apt-purge.log" 2>&1 || { cat "$W/apt-purge.log"; fail "apt-get purge failed"; }
    grep -q "deleting the credential store /var/lib/pwreset" "$W/apt-purge.log" ||
        { cat "$W/apt-purge.log"; fail "purge did not say it deletes the store"; }
    for p in /var/lib/pwreset /etc/security/pwreset.conf /usr/sbin/pwreset-helper; do
        [ ! -e "$p" ] || fail "$p is still there after the purge"
    done
    dpkg-query -W -f='${Status}\n' "$PKG" 2>/dev/null | grep -q 'install ok installed' &&
        fail "dpkg still lists $PKG after the purge"
    same_pamd "after apt-get purge"
    ok "apt-get purge: said so, deleted store and configuration; /etc/pam.d identical to before the install"
}

if [ -n "${PWR_DEB_INNER:-}" ]; then
    inner
    exit 0
fi
outer
