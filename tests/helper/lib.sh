# lib.sh - shell helpers shared by the pwreset command tests (sourced).
# SPDX-License-Identifier: BSD-3-Clause
#
# Output is TAP-like ("ok N - what", "not ok N - what"); the exit status is
# what automake reads: 0 pass, 1 fail, 77 skip, 99 hard error.
#
# run [--in FILE] [--conf FILE] [--no-tty] ARGS...
#     runs "pwreset --config CONF ARGS" under audit_sink, so the audit
#     events it caused are captured from a real syslog datagram socket;
#     sets RC, writes $T/out, $T/err, and the events (message part only)
#     to $T/ev; every raw line is kept in $T/audit.all.
# expect DESC RC "EVENT EVENT..."
#     passes when RC and the exact sequence of event names match.

TESTNUM=0
FAILED=0

ok() {
    TESTNUM=$((TESTNUM + 1))
    echo "ok $TESTNUM - $*"
}

nok() {
    TESTNUM=$((TESTNUM + 1))
    echo "not ok $TESTNUM - $*"
    FAILED=$((FAILED + 1))
}

# check DESC COMMAND...: passes when COMMAND succeeds.
check() {
    _d=$1
    shift
    if "$@"; then ok "$_d"; else nok "$_d"; fi
}

finish() {
    echo "1..$TESTNUM"
    if [ "$FAILED" -ne 0 ]; then
        echo "# $FAILED of $TESTNUM failed"
        exit 1
    fi
    exit 0
}

skip_all() {
    echo "1..0 # SKIP $*"
    exit 77
}

hard_error() {
    echo "Bail out! $*"
    exit 99
}

run() {
    _in=/dev/null
    _conf=$T/conf
    _wrap=
    while :; do
        case $1 in
        --in) _in=$2; shift 2 ;;
        --conf) _conf=$2; shift 2 ;;
        --no-tty) _wrap="setsid -w"; shift ;;
        *) break ;;
        esac
    done
    : >"$T/ev.raw"
    # The CLI ignores PWRESET_HELPER when run by root: name it outright.
    [ -n "${PWRESET_HELPER:-}" ] && set -- --helper "$PWRESET_HELPER" "$@"
    # shellcheck disable=SC2086
    "$SINK" "$T/log" "$T/ev.raw" -- $_wrap "$PWRESET" --config "$_conf" "$@" \
        <"$_in" >"$T/out" 2>"$T/err"
    RC=$?
    cat "$T/ev.raw" >>"$T/audit.all"
    sed -n 's/^.*pwreset\[[0-9]*\]: //p' "$T/ev.raw" >"$T/ev"
}

# The event names of the last run, space-separated.
events() {
    sed -n 's/^event=\([a-z_]*\).*/\1/p' "$T/ev" | tr '\n' ' ' | sed 's/ $//'
}

expect() {
    _d=$1
    _rc=$2
    _ev=$3
    _got=$(events)
    if [ "$RC" = "$_rc" ] && [ "$_got" = "$_ev" ]; then
        ok "$_d"
    else
        nok "$_d (exit $RC, want $_rc; events '$_got', want '$_ev')"
        sed 's/^/#   stderr: /' "$T/err"
        sed 's/^/#   stdout: /' "$T/out" | head -5
    fi
}

# An event of the last run has this text (e.g. "reason=too_short").
ev_has() {
    grep -q -e "$1" "$T/ev"
}

out_has() {
    grep -q -e "$1" "$T/out"
}

err_has() {
    grep -q -e "$1" "$T/err"
}

snap() {
    cp "$T/store" "$T/store.before"
}

unchanged() {
    cmp -s "$T/store" "$T/store.before"
}

# Remember a secret: none may ever appear in a log line or the store.
secret() {
    printf '%s\n' "$1" >>"$T/secrets"
}

# The test user, its primary group (the suites' admin_group), and the
# ordinary system accounts an admin of that group may act on: not the test
# user, not members of its group.  Prints them, one per line.
whoami_or_skip() {
    ME=$(id -un 2>/dev/null) || skip_all "the test user has no name"
    MYGROUP=$(id -gn 2>/dev/null) || skip_all "the test user's group has no name"
}
mygroups() { id -Gn "$1" 2>/dev/null | tr ' ' '\n'; }
ordinary_accounts() {
    for u in daemon bin sys games man lp mail news uucp proxy www-data backup \
             list irc; do
        getent passwd "$u" >/dev/null 2>&1 || continue
        [ "$u" = "$ME" ] && continue
        mygroups "$u" | grep -qx "$MYGROUP" && continue
        echo "$u"
    done
}

# need_accounts N: ME and MYGROUP (whoami_or_skip), and U1..UN, the first N
# ordinary_accounts; the suite is skipped when there are fewer.
need_accounts() {
    whoami_or_skip
    _want=$1
    _got=$(ordinary_accounts | tr '\n' ' ')
    # shellcheck disable=SC2086
    set -- $_got
    [ $# -ge "$_want" ] || skip_all "need $_want ordinary system accounts, found: $_got"
    _i=1
    while [ "$_i" -le "$_want" ]; do
        eval "U$_i=\$1"
        shift
        _i=$((_i + 1))
    done
}

# ordinary_login_defs: system accounts (uid outside UID_MIN..UID_MAX) are
# protected from admin_group members, and the unprivileged suites
# act on daemon, bin, ...: write $T/login.defs making uids 1..60000
# ordinary (uid 0 stays protected) and print the config line that points
# the build-tree helper at it.
ordinary_login_defs() {
    printf 'UID_MIN\t1\nUID_MAX\t60000\n' >"$T/login.defs"
    echo "login_defs = $T/login.defs"
}

# write_conf FILE [LINE...]: a configuration file, mode 0600: the suite's
# defaults ($CONF_DEFAULTS, one "key = value" line each), then the LINEs; a
# LINE setting a defaulted key replaces that default.
write_conf() {
    _f=$1
    shift
    {
        printf '%s\n' "${CONF_DEFAULTS:-}" | while IFS= read -r _l; do
            [ -n "$_l" ] || continue
            _given=
            for _x in "$@"; do
                [ "${_x%% *}" = "${_l%% *}" ] && _given=1
            done
            [ -n "$_given" ] || printf '%s\n' "$_l"
        done
        for _l in "$@"; do printf '%s\n' "$_l"; done
    } >"$_f"
    chmod 600 "$_f"
}

# cli_conf_defaults: CONF_DEFAULTS of the suites that run the CLI unprivileged:
# store and audit socket in $T, the test user's group administers, no
# failure delay, the cheapest hash, ordinary_login_defs.
cli_conf_defaults() {
    CONF_DEFAULTS="store = $T/store
audit_socket = $T/log
admin_group = $MYGROUP
fail_delay = 0
hash_cost = 1
$(ordinary_login_defs)"
}

# ---- suites that run the helper set-uid root in a private namespace -------
#
# enter_private_ns GUARD SCRIPT: skip unless root with the tools needed,
# then re-run SCRIPT in a private mount namespace (the environment variable
# GUARD marks that second run, where this returns).  Nothing the suite
# mounts there outlives it: the host's /etc is never touched.
enter_private_ns() {
    [ "$(id -u)" -eq 0 ] ||
        skip_all "needs root (a set-uid helper and throwaway users in a private mount namespace)"
    for _c in unshare setpriv findmnt mount; do
        command -v "$_c" >/dev/null 2>&1 || skip_all "no $_c"
    done
    [ -S /var/run/nscd/socket ] && skip_all "nscd would answer with the host's users"
    eval "_inside=\${$1:-}"
    [ -n "$_inside" ] && return 0
    unshare --mount --propagation private true 2>/dev/null ||
        skip_all "cannot create a mount namespace here"
    export "$1=1"
    exec unshare --mount --propagation private /bin/sh "$2"
}

# suid_workdir PREFIX: T, a fresh directory (removed on exit) on a file
# system that honours set-uid bits, with bin/ etc/ state/ (0700) conf.d/
# markers/ (1777) and evil/.
suid_workdir() {
    T=$(mktemp -d "/tmp/$1.XXXXXX") || hard_error "mktemp"
    trap 'rm -rf "$T"' EXIT INT TERM
    chmod 755 "$T"
    findmnt -no OPTIONS --target "$T" | tr ',' '\n' | grep -qx nosuid &&
        skip_all "$T is on a nosuid file system"
    mkdir -p "$T/bin" "$T/etc" "$T/state" "$T/conf.d" "$T/markers" "$T/evil"
    chmod 700 "$T/state"
    chmod 1777 "$T/markers"
}

# install_helper PROGRAM...: copy the built programs (paths under the build
# tree) and the LD_PRELOAD probe into $T/bin; HELPER is pwreset-helper,
# set-uid root; SINK the audit sink; PROBE the probe.
install_helper() {
    for _p in helper/pwreset-helper tests/helper/audit_sink "$@"; do
        cp "$top_builddir/$_p" "$T/bin/" || hard_error "$_p not built"
    done
    PROBE=$top_builddir/tests/helper/.libs/preload_probe.so
    [ -f "$PROBE" ] || hard_error "$PROBE not built"
    cp "$PROBE" "$T/bin/preload_probe.so"
    PROBE=$T/bin/preload_probe.so
    chmod 755 "$T/bin"/*
    HELPER=$T/bin/pwreset-helper
    SINK=$T/bin/audit_sink
    chown root:root "$HELPER"
    chmod 4755 "$HELPER"
}

# urun USER [--in FILE] ARGS...: pwreset as USER (root, or through setpriv)
# with the installed set-uid $HELPER, under the audit sink; RC, $T/out,
# $T/err and $T/ev as run() leaves them.
urun() {
    _u=$1
    shift
    _in=/dev/null
    if [ "$1" = --in ]; then _in=$2; shift 2; fi
    : >"$T/ev.raw"
    if [ "$_u" = root ]; then
        "$SINK" "$T/log" "$T/ev.raw" -- "$PWRESET" --helper "$HELPER" "$@" \
            <"$_in" >"$T/out" 2>"$T/err"
    else
        "$SINK" "$T/log" "$T/ev.raw" -- setpriv --reuid="$_u" --regid="$_u" \
            --init-groups "$PWRESET" --helper "$HELPER" "$@" \
            <"$_in" >"$T/out" 2>"$T/err"
    fi
    RC=$?
    cat "$T/ev.raw" >>"$T/audit.all"
    sed -n 's/^.*pwreset\[[0-9]*\]: //p' "$T/ev.raw" >"$T/ev"
}

# free_ids START SPAN: the first of START, START+100, ... with no user or
# group among the SPAN ids from it.
free_ids() {
    _b=$1
    while :; do
        _i=0 _busy=
        while [ "$_i" -lt "$2" ]; do
            if getent passwd $((_b + _i)) >/dev/null ||
               getent group $((_b + _i)) >/dev/null; then
                _busy=1
                break
            fi
            _i=$((_i + 1))
        done
        [ -z "$_busy" ] && break
        _b=$((_b + 100))
    done
    echo "$_b"
}

# Private copies of /etc/passwd, group and shadow: private_etc_begin, then
# add_user NAME UID (and lines appended to $T/etc/group), then
# private_etc_mount.
private_etc_begin() {
    cp /etc/passwd "$T/etc/passwd"
    cp /etc/group "$T/etc/group"
    cp /etc/shadow "$T/etc/shadow" 2>/dev/null || : >"$T/etc/shadow"
}
add_user() {
    printf '%s:x:%d:%d:Throwaway %s,,,:/nonexistent:/bin/sh\n' "$1" "$2" "$2" "$1" >>"$T/etc/passwd"
    printf '%s:x:%d:\n' "$1" "$2" >>"$T/etc/group"
    printf '%s:!:19000:0:99999:7:::\n' "$1" >>"$T/etc/shadow"
}
private_etc_mount() {
    for _f in passwd group shadow; do
        mount --bind "$T/etc/$_f" "/etc/$_f" || hard_error "bind mount /etc/$_f"
    done
    getent passwd "$1" >/dev/null || hard_error "private passwd not visible"
}

# private_config: the helper reads only its compiled-in configuration file;
# cover its directory with $T/conf.d and set CONFIG to that file's path.
private_config() {
    CONFIG=$("$top_builddir/tests/helper/pwr_paths" config)
    _dir=$(dirname "$CONFIG")
    if [ -d "$_dir" ]; then
        mount --bind "$T/conf.d" "$_dir" || hard_error "bind mount $_dir"
        return 0
    fi
    _top=$_dir
    while [ ! -d "$_top" ]; do _top=$(dirname "$_top"); done
    case $_top in
    / | /usr | /etc | /bin | /lib* | /sbin | /var | /tmp)
        skip_all "$_dir is missing and $_top is too central to cover" ;;
    esac
    mount -t tmpfs -o mode=755 pwrtest "$_top" || hard_error "tmpfs on $_top"
    mkdir -p "$_dir"
}

# ---- suites that run the CLI and the build-tree helper unprivileged ------
#
# as_nobody SCRIPT: run as root, re-run SCRIPT as "nobody" (these suites
# prove what an unprivileged caller gets, so every refusal is a real one);
# skip without setpriv or that user.  Returns when not root.
#
# nobody may not reach the trees at all: Debian makes home directories
# 0700, so a clone in ~ is out of its reach.  The source and build trees
# are therefore bind-mounted on a fresh 0755 directory under /tmp in a
# private mount namespace, and the suite runs from there; nothing about
# the user's own directories is changed, and the mounts die with the
# namespace.  Where no namespace can be made, the trees are used where
# they are.  A tree that nobody still cannot read (a umask-077 clone) is a
# skip that says so, never a failure.
as_nobody() {
    [ "$(id -u)" -eq 0 ] || return 0
    command -v setpriv >/dev/null 2>&1 || skip_all "root, and no setpriv to drop to nobody"
    id nobody >/dev/null 2>&1 || skip_all "root, and no user nobody"
    TMPDIR=/tmp
    export TMPDIR
    _src=$(cd "$top_srcdir" && pwd -P) || hard_error "no $top_srcdir"
    _bld=$(cd "$top_builddir" && pwd -P) || hard_error "no $top_builddir"
    _script=$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")
    _rel=${_script#"$_src"/}
    [ "$_rel" != "$_script" ] || hard_error "$1 is not under $_src"
    _stage=
    if command -v unshare >/dev/null 2>&1 &&
       unshare --mount --propagation private true 2>/dev/null; then
        _stage=$(mktemp -d /tmp/pwrstage.XXXXXX) || hard_error "mktemp"
        chmod 755 "$_stage"
        mkdir "$_stage/src" "$_stage/build"
    fi
    # shellcheck disable=SC2016
    _inner='
        tree="$1 and $2"
        if [ -n "$3" ]; then
            mount --bind "$1" "$3/src" && mount --bind "$2" "$3/build" || exit 99
            set -- "$3/src" "$3/build" "$3" "$4"
        fi
        nobody="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
        if ! $nobody test -r "$1/$4" || ! $nobody test -x "$2/cli/pwreset"; then
            echo "1..0 # SKIP user nobody cannot read $tree (cloned or built with umask 077?)"
            exit 77
        fi
        top_srcdir=$1 top_builddir=$2
        export top_srcdir top_builddir
        exec $nobody /bin/sh "$1/$4"'
    if [ -n "$_stage" ]; then
        trap 'rmdir "$_stage/src" "$_stage/build" "$_stage" 2>/dev/null' EXIT
        trap 'exit 130' INT TERM
        unshare --mount --propagation private \
            /bin/sh -c "$_inner" as_nobody "$_src" "$_bld" "$_stage" "$_rel"
    else
        /bin/sh -c "$_inner" as_nobody "$_src" "$_bld" "" "$_rel"
    fi
    exit $?
}

# cli_workdir PREFIX: PWRESET, PWRESET_HELPER (exported: the CLI runs it),
# SINK and MKHASH from the build tree; T a fresh private directory,
# removed on exit.
cli_workdir() {
    PWRESET=$top_builddir/cli/pwreset
    PWRESET_HELPER=$top_builddir/helper/pwreset-helper
    SINK=$top_builddir/tests/helper/audit_sink
    MKHASH=$top_builddir/tests/helper/mkhash
    export PWRESET_HELPER
    for _f in "$PWRESET" "$PWRESET_HELPER" "$SINK" "$MKHASH"; do
        [ -x "$_f" ] || hard_error "$_f not built"
    done
    T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || hard_error "mktemp"
    [ -n "$T" ] && [ -d "$T" ] || hard_error "mktemp gave no directory"
    trap 'rm -rf "$T"' EXIT INT TERM
    chmod 700 "$T"
}
