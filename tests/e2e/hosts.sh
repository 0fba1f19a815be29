# tests/e2e/hosts.sh - a second host in the end-to-end world, for the
# fleet scenarios: two hosts that share one directory (sourced after
# world.sh and world_run; POSIX sh).
# SPDX-License-Identifier: BSD-3-Clause
#
# world_run builds host 1 (the world itself, files under $W).  hosts_up
# adds host 2, files under $W/h2: a mount namespace of its own, held open
# by a sleeping "anchor" process, in which its own copies are mounted over
# /etc/passwd, shadow, group, gshadow, /etc/pam.d and /etc/ssh (a fresh host
# key), over the configuration directory (its own pwreset.conf) and the
# store directory (its own audit chain), and its own syslog listener's
# socket over /dev/log.  Both hosts share the network namespace (so each
# sshd on its own port of 127.0.0.1 and a slapd there are reachable from
# both) and the pid namespace (so everything dies with the world).
#
# on_host N switches every world.sh function to host N: $W, $CONF,
# $WORLD_PORT, the ssh wrappers and the audit mark are host N's, and
# $WORLD_IN runs programs (sshd, pwreset, logger) in host N's namespace.
#
# hosts_stop (the EXIT trap hosts_up installs) ends both sshd, host 2's
# listener and anchor, host 1's listener, and whatever HOSTS_ON_EXIT names
# (a command, e.g. ldap_stop).
# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # read by world.sh; storepath from its vars.sh

HOSTS_CUR=1
HOSTS_ON_EXIT=${HOSTS_ON_EXIT:-}

# The variables that make up one host's side of the world.
hosts_save() {
    eval "H${HOSTS_CUR}_W=\$W H${HOSTS_CUR}_PORT=\$WORLD_PORT H${HOSTS_CUR}_IN=\$WORLD_IN \
        H${HOSTS_CUR}_CONF=\$CONF H${HOSTS_CUR}_SSHD=\${SSHD_PID:-} \
        H${HOSTS_CUR}_KBD=\$SSH_KBD H${HOSTS_CUR}_PW=\$SSH_PW H${HOSTS_CUR}_KEY=\$SSH_KEY \
        H${HOSTS_CUR}_FROM=\${AUDIT_FROM:-1}"
}

# on_host N: the functions of world.sh now act on host N.
on_host() {
    hosts_save
    HOSTS_CUR=$1
    eval "W=\$H$1_W WORLD_PORT=\$H$1_PORT WORLD_IN=\$H$1_IN CONF=\$H$1_CONF \
        SSHD_PID=\$H$1_SSHD SSH_KBD=\$H$1_KBD SSH_PW=\$H$1_PW SSH_KEY=\$H$1_KEY \
        AUDIT_FROM=\$H$1_FROM"
}

# A failure shows both hosts' logs (world.sh's fail shows one).
fail() {
    say "FAIL (on host $HOSTS_CUR): $*"
    if [ -n "${T:-}" ] && [ -f "${T:-}" ]; then
        say "---- last transcript ($T):"
        sed 's/^/| /' "$T" | tail -n 40
    fi
    for h in "$WROOT" "$WROOT/h2"; do
        for f in sshd.log syslog.log; do
            [ -f "$h/$f" ] || continue
            say "---- $h/$f (tail):"
            tail -n 25 "$h/$f" | sed 's/^/| /'
        done
    done
    exit 1
}

# The namespace of a process differs from ours once unshare has made it.
hosts_ns_ready() {
    [ "$(readlink "/proc/$1/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
}

hosts_mounts() {
    $WORLD_IN mount --bind "$W/security" "$(dirname "$H1_CONF")" ||
        fail "cannot mount host 2's configuration directory"
    $WORLD_IN mount --bind "$W/store" "$(dirname "$storepath")" ||
        fail "cannot mount host 2's store directory"
    "$PY" "$E2E/syslogd.py" "$W/log.sock" "$W/syslog.log" 2>>"$W/syslogd.err" &
    H2_SYSLOG=$!
    world_wait 50 test -S "$W/log.sock" || fail "host 2's syslog listener did not start"
    $WORLD_IN mount --bind "$W/log.sock" /dev/log ||
        fail "cannot mount host 2's syslog socket over /dev/log"
}

# hosts_up PORT: host 2, its sshd to listen on PORT; back on host 1.
hosts_up() {
    WROOT=$W
    trap 'hosts_stop' EXIT
    hosts_save
    HOSTS_CUR=2
    W=$WROOT/h2
    WORLD_PORT=$1
    CONF=$W/security/$(basename "$H1_CONF")
    SSHD_PID=
    AUDIT_FROM=1
    mkdir -p "$W/security" "$W/store" "$W/t" || fail "cannot make $W"
    chmod 0700 "$W/store"
    unshare --mount --propagation private sleep 1000000 &
    H2_ANCHOR=$!
    world_wait 50 hosts_ns_ready "$H2_ANCHOR" || fail "host 2's namespace did not appear"
    WORLD_IN="nsenter --target $H2_ANCHOR --mount --"
    hosts_mounts
    : >"$W/syslog.log"
    world_etc
    world_conf
    world_client
    hosts_save
    on_host 1
    ok "host 2 ready in $WROOT/h2 (own /etc, configuration, store, /dev/log)"
}

hosts_stop() {
    rc=$?
    pids=
    for p in "${H1_SSHD:-}" "${H2_SSHD:-}" "${SSHD_PID:-}" "${H2_SYSLOG:-}" \
        "${SYSLOG_PID:-}" "${H2_ANCHOR:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null && pids="$pids $p"
    done
    for p in $pids; do wait "$p" 2>/dev/null; done
    [ -z "$HOSTS_ON_EXIT" ] || $HOSTS_ON_EXIT
    exit "$rc"
}
