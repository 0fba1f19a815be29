# tests/e2e/world.sh - the isolated world every end-to-end scenario runs in,
# as a library of shell functions (sourced; POSIX sh).
# SPDX-License-Identifier: BSD-3-Clause
#
# A scenario script sources this file and calls world_run first.  Outside,
# world_run checks what it needs (root, unshare, sshd, expect ...; exit 77
# when something is missing), installs the build tree with
# "make install DESTDIR=$W/root", and runs the same script again inside
# "unshare --mount --net --pid --fork", under a time limit.  Inside, it
# builds the world and returns to the script:
#
#   - mounts private: nothing mounted in here is seen outside;
#   - a private network with only lo up (WORLD_NET=host keeps the host's,
#     for the demo), so sshd on 127.0.0.1 can reach nothing else;
#   - the install grafted over its prefix (overlay, else bind), so the
#     compiled-in paths (config, helper, store) are the private copy, and
#     the helper is setuid root there;
#   - private copies of /etc/passwd, shadow, group, gshadow, /etc/pam.d
#     (with etc/pam.d/*.pwreset from the source tree in place of Debian's
#     common-auth, -account, -password) and /etc/ssh (fresh host key,
#     etc/sshd_config.d/pwreset.conf from the source tree);
#   - a private /dev (the host's null, zero, tty, random nodes, a new devpts
#     instance) whose /dev/log is our own syslog listener, writing every line
#     it receives to $W/syslog.log; tmpfs on /run and /var/log, so utmp,
#     wtmp and lastlog writes stay here;
#   - sshd from openssh-server on 127.0.0.1.
#
# The pid namespace ends every process we started when the script exits,
# on success or failure; $W is removed afterwards (PWR_E2E_KEEP=1 keeps it).
# Nothing here writes to the host's /etc, /dev, /run or /var.

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
E2E=$top_srcdir/tests/e2e
PY=/usr/bin/python3
WORLD_NET=${WORLD_NET:-private}
WORLD_PORT=${WORLD_PORT:-2222}
WORLD_TIMEOUT=${WORLD_TIMEOUT:-240}
# A command prefix that runs a program in another host's mount namespace
# (tests/e2e/hosts.sh sets it for a second host); empty: this world.
WORLD_IN=${WORLD_IN:-}

# ---- messages and assertions ---------------------------------------------

say() { printf '%s\n' "$*"; }

world_skip() {
    say "SKIP: $*"
    exit 77
}

# Show what helps to understand a failure, then fail.
fail() {
    say "FAIL: $*"
    if [ -n "${T:-}" ] && [ -f "${T:-}" ]; then
        say "---- last transcript ($T):"
        sed 's/^/| /' "$T" | tail -n 60
    fi
    if [ -n "${W:-}" ] && [ -f "$W/sshd.log" ]; then
        say "---- sshd log (tail):"
        tail -n 30 "$W/sshd.log" | sed 's/^/| /'
    fi
    if [ -n "${W:-}" ] && [ -f "$W/syslog.log" ]; then
        say "---- syslog (tail):"
        tail -n 30 "$W/syslog.log" | sed 's/^/| /'
    fi
    exit 1
}

ok() { say "ok - $*"; }

# expect_rc ACTUAL EXPECTED WHAT
expect_rc() {
    [ "$1" = "$2" ] || fail "$3: exit status $1, expected $2"
}

# saw TEXT / not_saw TEXT: what the user saw in the last conversation ($T).
saw() {
    grep -qF -- "$1" "$T" || fail "the user did not see: $1"
}
not_saw() {
    if grep -qF -- "$1" "$T"; then fail "the user saw: $1"; fi
}

# ---- outside: checks, install, then the same script in the namespaces ------

world_need() {
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || world_skip "$c is not installed ($(world_pkg "$c"))"
    done
}

world_pkg() {
    case $1 in
    /usr/sbin/sshd | ssh-keygen) echo "Debian: openssh-server" ;;
    ssh) echo "Debian: openssh-client" ;;
    expect) echo "Debian: expect" ;;
    python3) echo "Debian: python3" ;;
    ip) echo "Debian: iproute2" ;;
    *) echo "Debian: util-linux or coreutils" ;;
    esac
}

# Install variables from the build tree's Makefile, fully expanded.
world_vars() {
    cat >"$W/vars.mk" <<'EOF'
pwr-e2e-vars:
	@echo "prefix='$(prefix)'"
	@echo "sbindir='$(sbindir)'"
	@echo "bindir='$(bindir)'"
	@echo "sysconfdir='$(sysconfdir)'"
	@echo "localstatedir='$(localstatedir)'"
	@echo "pamdir='$(pamdir)'"
	@echo "storepath='$(storepath)'"
	@echo "sanitizers='$(SAN_CFLAGS)'"
EOF
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
        make -s -C "$top_builddir" -f Makefile -f "$W/vars.mk" pwr-e2e-vars \
        >"$W/vars.out" 2>"$W/vars.err" || {
        cat "$W/vars.err"
        return 1
    }
    # make may first regenerate the Makefile and say so: keep our lines only.
    grep "^[a-z]*='[^']*'\$" "$W/vars.out" >"$W/vars.sh"
}

world_install() {
    ( cd "$top_builddir" &&
      env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s install DESTDIR="$W/root" ) \
        >"$W/install.log" 2>&1 || {
        cat "$W/install.log"
        return 1
    }
}

# Scenarios run in parallel under "make -j check": one make at a time in
# the build tree (a lock on its directory, released when fd 9 closes).
world_lock() {
    exec 9<"$top_builddir" && flock 9
}
world_unlock() {
    exec 9<&-
}

world_outer() {
    [ "$(id -u)" = 0 ] || world_skip "the end-to-end suite needs root: it mounts private copies of /etc/passwd, /etc/shadow, /etc/pam.d and /dev in a mount namespace, installs a setuid helper there and runs sshd"
    world_need unshare /usr/sbin/sshd ssh ssh-keygen expect ip logger flock timeout mount make
    [ -x "$PY" ] || world_skip "$PY is not installed (Debian: python3)"
    unshare --mount --net --pid --fork true 2>/dev/null ||
        world_skip "cannot create mount, network and pid namespaces here"
    [ -f "$top_builddir/Makefile" ] || world_skip "no build tree at $top_builddir (set top_builddir)"

    W=$(mktemp -d /tmp/pwreset-e2e.XXXXXX) || exit 99
    chmod 0755 "$W"
    trap 'world_outer_cleanup' EXIT
    trap 'exit 130' INT TERM HUP
    world_lock || fail "cannot lock $top_builddir"
    world_vars || fail "cannot read install paths from $top_builddir/Makefile"
    . "$W/vars.sh"
    [ -z "$sanitizers" ] ||
        world_skip "sanitizer build: pam_pwreset.so is linked with ASan, whose runtime must be loaded first; sshd, login, su and passwd do not load it, so real logins cannot use this module (the normal build runs this suite)"
    world_install || fail "make install DESTDIR=$W/root failed"
    world_unlock

    ns="--mount --pid --fork --kill-child --mount-proc"
    [ "$WORLD_NET" = host ] || ns="$ns --net"
    limit=
    [ "$WORLD_TIMEOUT" = 0 ] || limit="timeout --kill-after=10 $WORLD_TIMEOUT"
    # shellcheck disable=SC2086
    PWR_E2E_INNER=1 W=$W $limit unshare $ns /bin/sh "$0" "$@"
    rc=$?
    [ -n "$limit" ] && [ "$rc" = 124 ] && say "FAIL: the scenario took longer than ${WORLD_TIMEOUT}s"
    exit "$rc"
}

world_outer_cleanup() {
    rc=$?
    if [ "${PWR_E2E_KEEP:-0}" = 1 ]; then
        say "kept $W"
    elif [ -n "${W:-}" ] && [ -d "$W" ]; then
        # The namespaces are gone once unshare has returned; a second try
        # covers an overlay the kernel was still taking down.
        rm -rf "$W" 2>/dev/null || { sleep 1; rm -rf "$W"; }
    fi
    exit "$rc"
}

# ---- inside: building the world -----------------------------------------

# world_graft DIR: make DIR show the install under $W/root$DIR, overlaid on
# what the host has there (a bind mount over it where overlay is refused).
# A DIR the host lacks is grafted through its nearest existing parent, so
# nothing is ever created on the host.
world_graft() {
    t=$1
    while [ ! -d "$t" ]; do t=$(dirname "$t"); done
    case " ${GRAFTED:-} " in *" $t "*) return 0 ;; esac
    [ "$t" != / ] || fail "refusing to graft over /"
    src=$W/root$t
    [ -d "$src" ] || return 0
    GRAFTED="${GRAFTED:-} $t"
    mkdir -p "$W/ovl$t"
    if mount -t overlay overlay \
        -o "lowerdir=$t,upperdir=$src,workdir=$W/ovl$t" "$t" 2>/dev/null; then
        return 0
    fi
    mount --bind "$src" "$t" || fail "cannot bind $src over $t"
    mount -o remount,bind,suid "$t" 2>/dev/null || true
}

# Is $2 equal to $1 or below it?
world_under() {
    case $2 in "$1" | "$1"/*) return 0 ;; esac
    return 1
}

world_install_mount() {
    storedir=$(dirname "$storepath")
    # Made in the private copy first: the config and store never land on
    # the host, wherever configure put them.  make install does not create
    # the store directory and the helper will not: an admin makes it
    # (docs/INSTALL.md, step 2), and so do we.
    mkdir -p "$W/root$sysconfdir/security" "$W/root$storedir"
    chmod 0700 "$W/root$storedir"
    world_graft "$prefix"
    for d in "$sysconfdir/security" "$storedir" "$pamdir" "$sbindir"; do
        world_under "$prefix" "$d" || world_graft "$d"
    done
    PWRESET=$sbindir/pwreset
    HELPER=$sbindir/pwreset-helper
    MODULE=$pamdir/pam_pwreset.so
    CONF=$sysconfdir/security/pwreset.conf
    [ -f "$MODULE" ] || fail "make install did not install $MODULE"
    [ -d "$storedir" ] || fail "$storedir is missing in the world"
    if [ -f "$HELPER" ]; then
        # make install sets the mode itself when run as root; make sure.
        [ "$(stat -c %u:%a "$HELPER")" = 0:4755 ] || {
            say "note: $HELPER was $(stat -c %U:%a "$HELPER") after make install; making it setuid root"
            chown root:root "$HELPER" && chmod 4755 "$HELPER"
        }
        if findmnt -no OPTIONS -T "$HELPER" | grep -qw nosuid; then
            fail "$HELPER is on a nosuid mount"
        fi
    fi
}

# A private /dev: the host's harmless nodes, a new pty instance, our /dev/log.
world_dev() {
    mkdir -p "$W/hostdev"
    mount --bind /dev "$W/hostdev"
    mount -t tmpfs -o mode=0755,nosuid tmpfs /dev
    for n in null zero full random urandom tty; do
        : >"/dev/$n"
        mount --bind "$W/hostdev/$n" "/dev/$n"
    done
    mkdir -p /dev/pts /dev/shm
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts
    ln -s pts/ptmx /dev/ptmx
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
    ln -s /proc/self/fd /dev/fd
    ln -s /proc/self/fd/0 /dev/stdin
    ln -s /proc/self/fd/1 /dev/stdout
    ln -s /proc/self/fd/2 /dev/stderr
    umount -l "$W/hostdev"
}

world_run_var() {
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
    mkdir -p /run/sshd /run/lock
    chmod 0755 /run/sshd
    : >/run/utmp
    chgrp utmp /run/utmp 2>/dev/null; chmod 0664 /run/utmp
    mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /var/log
    for f in wtmp lastlog btmp faillog; do
        : >"/var/log/$f"
        chgrp utmp "/var/log/$f" 2>/dev/null
    done
    chmod 0664 /var/log/wtmp /var/log/lastlog
    chmod 0660 /var/log/btmp
}

# The syslog listener on /dev/log (module, helper, pam_unix, su, login ...).
world_syslog() {
    : >"$W/syslog.log"
    "$PY" "$E2E/syslogd.py" /dev/log "$W/syslog.log" 2>>"$W/syslogd.err" &
    SYSLOG_PID=$!
    world_wait 50 test -S /dev/log || fail "the syslog listener did not start"
}

# world_wait TENTHS COMMAND...: poll COMMAND every 0.1 s, at most TENTHS times.
world_wait() {
    n=$1
    shift
    while [ "$n" -gt 0 ]; do
        "$@" && return 0
        n=$((n - 1))
        sleep 0.1
    done
    return 1
}

world_etc() {
    mkdir -p "$W/etc"
    for f in passwd shadow group gshadow; do
        [ -f "/etc/$f" ] || continue
        cp -p "/etc/$f" "$W/etc/$f"
        $WORLD_IN mount --bind "$W/etc/$f" "/etc/$f"
    done
    cp -a /etc/pam.d "$W/etc/pam.d"
    for s in auth account password; do
        sed "s#pam_pwreset\.so#$MODULE#" "$top_srcdir/etc/pam.d/common-$s.pwreset" \
            >"$W/etc/pam.d/common-$s" || fail "no etc/pam.d/common-$s.pwreset"
    done
    $WORLD_IN mount --bind "$W/etc/pam.d" /etc/pam.d
    world_etc_ssh
}

world_etc_ssh() {
    d=$W/etc/ssh
    mkdir -p "$d/sshd_config.d"
    [ -f /etc/ssh/moduli ] && cp /etc/ssh/moduli "$d/"
    ssh-keygen -q -t ed25519 -N '' -C e2e-host -f "$d/ssh_host_ed25519_key" ||
        fail "ssh-keygen failed"
    # Debian 12's sshd_config, as shipped: our drop-in must win over its
    # "KbdInteractiveAuthentication no".
    cat >"$d/sshd_config" <<'EOF'
Include /etc/ssh/sshd_config.d/*.conf
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
PrintMotd no
AcceptEnv LANG LC_*
Subsystem	sftp	/usr/lib/openssh/sftp-server
EOF
    cp "$top_srcdir/etc/sshd_config.d/pwreset.conf" "$d/sshd_config.d/pwreset.conf"
    $WORLD_IN mount --bind "$d" /etc/ssh
}

# The world's pwreset.conf: fast hashes, no failure delay (fail_delay is
# turned on where a scenario shows it).  world_conf KEY=VALUE... sets keys
# (over these defaults).  Written whole and renamed into place: a login
# never reads half a file.
world_conf() {
    {
        echo "# pwreset.conf of the end-to-end world"
        for kv in hash_cost=3 fail_delay=0 "contact=the e2e help desk" "$@"; do
            echo "${kv%%=*} = ${kv#*=}"
        done
    } | awk -F' = ' '{ v[$1] = $0; if (!($1 in seen)) { seen[$1] = 1; k[++n] = $1 } }
                     END { for (i = 1; i <= n; i++) print v[k[i]] }' >"$CONF.tmp"
    chmod 0644 "$CONF.tmp"
    mv "$CONF.tmp" "$CONF"
}

world_client() {
    mkdir -p "$W/bin" "$W/client" "$W/t"
    cat >"$W/ssh_config" <<EOF
Host *
    Port $WORLD_PORT
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    GlobalKnownHostsFile /dev/null
    ConnectTimeout 10
    NumberOfPasswordPrompts 1
    IdentitiesOnly yes
    IdentityFile none
EOF
    for m in kbd:keyboard-interactive pw:password key:publickey; do
        cat >"$W/bin/ssh-${m%%:*}" <<EOF
#!/bin/sh
HOME=$W/client exec ssh -F $W/ssh_config -o PreferredAuthentications=${m#*:} "\$@"
EOF
        chmod 0755 "$W/bin/ssh-${m%%:*}"
    done
    SSH_KBD=$W/bin/ssh-kbd
    SSH_PW=$W/bin/ssh-pw
    SSH_KEY=$W/bin/ssh-key
    HOST=127.0.0.1
}

world_up() {
    . "$W/vars.sh"
    mount --make-rprivate / || fail "cannot make mounts private"
    if [ "$WORLD_NET" != host ]; then
        ip link set lo up || fail "cannot bring lo up"
    fi
    world_dev
    world_run_var
    world_install_mount
    world_etc
    world_syslog
    world_conf
    world_client
    NEXT_UID=42000
    ok "world ready in $W (prefix $prefix, store $storepath)"
}

world_run() {
    if [ -z "${PWR_E2E_INNER:-}" ]; then
        world_outer "$@"
    fi
    # pid 1 of the namespace ignores signals it does not handle: end on
    # them, and the kernel ends every other process in here.
    trap 'exit 130' INT TERM HUP
    world_up
}

# ---- users ------------------------------------------------------------------

# world_user NAME [FULL NAME]: a system user with a home under $W, no
# password in /etc/shadow, not in the store.
world_user() {
    while grep -q "^[^:]*:[^:]*:$NEXT_UID:" "$W/etc/passwd" ||
        grep -q "^[^:]*:[^:]*:$NEXT_UID:" "$W/etc/group"; do
        NEXT_UID=$((NEXT_UID + 1))
    done
    u=$NEXT_UID
    NEXT_UID=$((NEXT_UID + 1))
    home=$W/home/$1
    mkdir -p "$home"
    # Appended in place: the files are bind mounts, a rename would fail.
    echo "$1:x:$u:$u:${2:-}:$home:/bin/bash" >>"$W/etc/passwd"
    echo "$1:!:$(($(date +%s) / 86400)):0:99999:7:::" >>"$W/etc/shadow"
    echo "$1:x:$u:" >>"$W/etc/group"
    [ -f "$W/etc/gshadow" ] && echo "$1:!::" >>"$W/etc/gshadow"
    chown "$u:$u" "$home"
    chmod 0755 "$home"
}

# world_unix_password NAME PASSWORD: a pam_unix password in /etc/shadow.
world_unix_password() {
    h=$(printf '%s' "$2" | "$PY" -W ignore -c \
        'import crypt,sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_SHA512)))') ||
        fail "cannot hash a password for /etc/shadow"
    awk -F: -v OFS=: -v u="$1" -v h="$h" '$1 == u { $2 = h } { print }' \
        "$W/etc/shadow" >"$W/shadow.new" && cat "$W/shadow.new" >"$W/etc/shadow"
    rm -f "$W/shadow.new"
}

# world_account NAME FULLNAME PASSWORD: a system user whom the admin put in
# the store and gave PASSWORD (no forced change), as an admin would.
world_account() {
    world_user "$1" "$2"
    admin_ok enrol "$1"
    admin_secret "$3" set-password --stdin --yes --no-must-change "$1"
}

# ---- sshd ---------------------------------------------------------------------

# world_sshd [OPTION VALUE]...: (re)start sshd with these sshd_config
# settings in front of everything else (first value wins in sshd_config).
world_sshd() {
    world_sshd_stop
    {
        echo "# the end-to-end world's own settings"
        echo "ListenAddress 127.0.0.1"
        echo "Port $WORLD_PORT"
        echo "HostKey /etc/ssh/ssh_host_ed25519_key"
        echo "PidFile $W/sshd.pid"
        echo "StrictModes no"
        echo "UseDNS no"
        echo "LogLevel VERBOSE"
        echo "MaxStartups 100:30:200"
        echo "MaxSessions 50"
        echo "LoginGraceTime 60"
        while [ $# -ge 2 ]; do
            echo "$1 $2"
            shift 2
        done
    } >"$W/etc/ssh/sshd_config.d/00-e2e.conf"
    $WORLD_IN /usr/sbin/sshd -t >"$W/sshd-t.log" 2>&1 || {
        cat "$W/sshd-t.log"
        fail "sshd -t rejected the configuration"
    }
    : >"$W/sshd.log"
    $WORLD_IN /usr/sbin/sshd -D -E "$W/sshd.log" &
    SSHD_PID=$!
    world_wait 100 grep -q "Server listening on 127.0.0.1 port $WORLD_PORT" "$W/sshd.log" ||
        fail "sshd did not start listening"
}

world_sshd_stop() {
    if [ -n "${SSHD_PID:-}" ]; then
        kill "$SSHD_PID" 2>/dev/null
        wait "$SSHD_PID" 2>/dev/null
        SSHD_PID=
    fi
}

# ---- talking to programs ----------------------------------------------------

# converse NAME COMMAND [ARG...] <<DIALOGUE: play DIALOGUE (see converse.exp)
# with COMMAND on a pseudo-terminal; T is the transcript of what the user
# saw.  Returns the program's exit status.
converse() {
    T=$W/t/$1.out
    d=$W/t/$1.dlg
    shift
    cat >"$d"
    expect -f "$E2E/converse.exp" "$T" "$d" "$@" 2>"$W/t/converse.err"
    rc=$?
    if [ -s "$W/t/converse.err" ]; then sed 's/^/converse: /' "$W/t/converse.err"; fi
    return $rc
}

# as_user USER NAME ARGS...: converse NAME with ARGS run by USER (its own
# uid, gid and groups, a bare environment) on a terminal.
as_user() {
    u=$1
    n=$2
    shift 2
    converse "$n" setpriv --reuid="$u" --regid="$u" --init-groups \
        env -i HOME="$W/home/$u" PATH=/usr/bin:/bin TERM=dumb "$@"
}

# kbd_login NAME USER SECRET / pw_login NAME USER SECRET: an ssh login
# (keyboard-interactive / password authentication) running one command that
# prints who=USER, with no dialogue after the secret; key_login NAME USER
# the same with the client key $W/client/id.  The program's status.
kbd_login() {
    converse "$1" "$SSH_KBD" "$2@$HOST" 'echo who=$(id -un)' <<EOD
expect Password:
send $3
EOD
}
pw_login() {
    converse "$1" "$SSH_PW" -T "$2@$HOST" 'echo who=$(id -un)' <<EOD
expect password:
send $3
EOD
}
key_login() {
    converse "$1" "$SSH_KEY" -i "$W/client/id" "$2@$HOST" 'echo who=$(id -un)' </dev/null
}

# forced_change OLD NEW: the dialogue lines (see converse.exp) of a login
# flagged for a forced change: OLD at the password prompt, the
# administrator's reason, then NEW chosen and retyped.  Used inside a
# converse here-document: $(forced_change "$OLD" "$NEW").
forced_change() {
    cat <<EOD
expect Password:
send $1
expect Your administrator requires you to choose a new password.
expect New password:
send $2
expect Retype new password:
send $2
EOD
}

# kbd_forced NAME USER OLD NEW: a keyboard-interactive ssh login running one
# command, flagged for a forced change: OLD, then NEW chosen, then the
# command's who=USER.  The program's status.
kbd_forced() {
    converse "$1" "$SSH_KBD" "$2@$HOST" 'echo who=$(id -un)' <<EOD
$(forced_change "$3" "$4")
expect who=$2
EOD
}

# su_root BY NAME PASSWORD: BY types "su - root" on a terminal with
# PASSWORD (root's /etc/shadow one), running one command: who=root.
su_root() {
    as_user "$1" "$2" su - root -c 'echo who=$(id -un)' <<EOD
expect Password:
send $3
expect who=root
EOD
}

# ssh_live NAME USER PASSWORD: an interactive ssh session (keyboard-
# interactive, with a tty) that stays up until it is ended or 60 s pass;
# session_ready NAME once its shell has answered.
ssh_live() {
    converse "$1" "$SSH_KBD" -t "$2@$HOST" <<EOD
expect Password:
send $3
expect_re [\$#] \$
send echo READY-\$(id -un)
expect READY-$2
timeout 60
eof
EOD
}
session_ready() { grep -q "READY-$1" "$W/t/$1.out" 2>/dev/null; }

# ---- the admin's side ---------------------------------------------------------

# admin ARGS...: run pwreset as root; its output is in $W/admin.out.
admin() {
    $WORLD_IN "$PWRESET" "$@" >"$W/admin.out" 2>&1
    arc=$?
    sed 's/^/  pwreset: /' "$W/admin.out"
    return $arc
}

# admin_ok ARGS...: the same, failing the scenario unless it succeeds.
admin_ok() {
    say "# pwreset $*"
    admin "$@" || fail "pwreset $* exited $arc"
}

# admin_secret SECRET ARGS...: pwreset with SECRET on stdin (--stdin).
admin_secret() {
    s=$1
    shift
    say "# pwreset $* (secret on stdin)"
    printf '%s\n' "$s" | $WORLD_IN "$PWRESET" "$@" >"$W/admin.out" 2>&1 ||
        { cat "$W/admin.out"; fail "pwreset $* exited $?"; }
    sed 's/^/  pwreset: /' "$W/admin.out"
}

# json_get KEY < JSON: one top-level value (strings bare, booleans
# true/false); the first object when the JSON is a list.
json_get() {
    "$PY" -c '
import json, sys
v = json.load(sys.stdin)
if isinstance(v, list): v = v[0]
x = v.get(sys.argv[1])
print("null" if x is None else str(x).lower() if isinstance(x, bool) else x)' "$1"
}

# store_is USER KEY=VALUE...: "pwreset status USER --json" shows these.
store_is() {
    user=$1
    shift
    $WORLD_IN "$PWRESET" status --json "$user" >"$W/status.json" 2>"$W/status.err" ||
        fail "pwreset status $user --json failed: $(cat "$W/status.err")"
    for kv in "$@"; do
        got=$(json_get "${kv%%=*}" <"$W/status.json") ||
            fail "pwreset status $user --json: unreadable: $(cat "$W/status.json")"
        [ "$got" = "${kv#*=}" ] ||
            fail "store: $user ${kv%%=*} is '$got', expected '${kv#*=}' ($(cat "$W/status.json"))"
    done
}

# store_hash_is USER PASSWORD: the stored hash verifies PASSWORD (read from
# the store file directly, as root; the hash never leaves this world).
store_hash_is() {
    printf '%s' "$2" | $WORLD_IN "$PY" -W ignore "$E2E/storecheck.py" "$storepath" "$1" ||
        fail "store: the password of $1 is not the expected one"
}

# ---- the audit trail --------------------------------------------------------

# Wait until every line sent so far is in syslog.log: the listener keeps
# order, so once our marker is written, everything before it is too.
audit_sync() {
    token=e2e-sync-$(cat /proc/sys/kernel/random/uuid)
    $WORLD_IN logger -u /dev/log -d -t e2e "$token" ||
        fail "cannot write to the world's /dev/log"
    world_wait 100 grep -q "$token\$" "$W/syslog.log" ||
        fail "the syslog listener stopped"
}

# audit_mark: later audit_* calls look only at lines sent after this.
audit_mark() {
    audit_sync
    AUDIT_FROM=$(($(wc -l <"$W/syslog.log") + 1))
}

# Our audit lines since the mark, one per line, as " key=value ... ".
audit_lines() {
    tail -n +"${AUDIT_FROM:-1}" "$W/syslog.log" |
        sed -n 's/^.* pwreset\[[0-9]*\]: \(event=.*\)$/ \1 /p'
}

# audit_count K=V...: how many audit lines since the mark have all of them.
audit_count() {
    audit_sync
    audit_lines | awk -v want="$*" '
        BEGIN { n = split(want, w, " ") }
        { for (i = 1; i <= n; i++) if (index($0, " " w[i] " ") == 0) next; c++ }
        END { print c + 0 }'
}

# audit_has K=V...: at least one such line.  audit_none K=V...: none.
audit_has() {
    [ "$(audit_count "$@")" -ge 1 ] || {
        say "---- audit lines since the mark:"
        audit_lines | sed 's/^/| /'
        fail "no audit line with: $*"
    }
}
audit_none() {
    [ "$(audit_count "$@")" -eq 0 ] || {
        audit_lines | sed 's/^/| /'
        fail "unexpected audit line with: $*"
    }
}

# no_secret_logged SECRET...: not in syslog, the sshd log or the store.
no_secret_logged() {
    audit_sync
    for s in "$@"; do
        for f in "$W/syslog.log" "$W/sshd.log" "$storepath"; do
            [ -f "$f" ] || continue
            if grep -qF -- "$s" "$f"; then fail "a secret appears in $f"; fi
        done
    done
}
