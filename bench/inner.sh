# shellcheck shell=bash
# bench/inner.sh - the measurements of bench/run, sourced by it inside its
# private mount namespace (unshare --mount).  Expects SRC, BUILD, W, MODE.
# Every result is a row appended to $W/results.tsv (format: bench/bench.h;
# "M key value" rows describe the machine and the run).  The directory
# backend's rows are in fleet.sh.
# SPDX-License-Identifier: BSD-3-Clause

# shellcheck source=bench/fleet.sh
. "$SRC/bench/fleet.sh"

BUSER=pwrbench           # the throwaway account every login uses
SIZES="10 1000 100000 1000000"
RES=$W/results.tsv

label() { case "$1" in 10) echo 10 ;; 1000) echo 1k ;; 100000) echo 100k ;; 1000000) echo 1m ;; *) echo "$1" ;; esac; }
M() { printf 'M\t%s\t%s\n' "$1" "$2" >>"$RES"; }
# Run a driver; its rows go to the results, its messages to $W/bench.log.
rows() {
    if ! "$@" >>"$RES" 2>>"$W/bench.log"; then
        tail -n 5 "$W/bench.log" >&2
        die "failed: $*"
    fi
}

set_counts() {
    NCPU=$(nproc)
    if [ "$MODE" = quick ]; then
        ITERS=8; WARMUP=1; LOOKUP_ITERS=300; NR_ITERS=5
        LOAD_SECONDS=1; LOAD_ROUNDS=2; ONE_ITERS=2; BULK_ITERS=2; CHAGE_N=100
        BUDGET=10; TIMEOUT=10
    else
        ITERS=200; WARMUP=3; LOOKUP_ITERS=3000; NR_ITERS=60
        LOAD_SECONDS=3; LOAD_ROUNDS=8; ONE_ITERS=10; BULK_ITERS=6; CHAGE_N=1000
        BUDGET=60; TIMEOUT=150
    fi
    LOAD_PROCS=$((2 * NCPU))
    M mode "$MODE"
    M counts "logins ${ITERS}x per service (+$WARMUP warm-up), look-ups ${LOOKUP_ITERS}x, non-root ${NR_ITERS}x, load ${LOAD_ROUNDS} round(s) of ${LOAD_SECONDS} s x $LOAD_PROCS processes, admin action ${ONE_ITERS}x, bulk ${BULK_ITERS}x, chage ${CHAGE_N} accounts (a write row stops after ${BUDGET} s, a single write after ${TIMEOUT} s)"
}

# A uid (and gid) free in the private passwd/group copies, from $1 up.
free_id() {
    local id=$1
    while awk -F: -v id="$id" '$3 == id { f = 1 } END { exit !f }' \
        "$W/etc/passwd" "$W/etc/group"; do
        id=$((id + 1))
    done
    echo "$id"
}

# The password, its hash (the compiled-in default method and cost) and the
# throwaway account, in the private copy of /etc that replaces /etc here.
setup_etc() {
    head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$W/pw"
    chmod 644 "$W/pw"  # a throwaway password of a throwaway account
    HASH=$("$W/bin/bench_store" hash default <"$W/pw" 2>"$W/hash.log")
    M hash_params "$(sed 's/^bench: hashing with //' "$W/hash.log"); setting ${HASH%\$*}\$ (the same string in the store and in /etc/shadow)"
    cp -a /etc "$W/etc"
    BUID=$(free_id 64100)
    echo "$BUSER:x:$BUID:$BUID:pam_pwreset benchmark:/nonexistent:/usr/sbin/nologin" >>"$W/etc/passwd"
    echo "$BUSER:x:$BUID:" >>"$W/etc/group"
    echo "$BUSER:$HASH:20000:0:99999:7:::" >>"$W/etc/shadow"
    CONF_PATH=$(strings -a "$BUILD/helper/pwreset-helper" | grep -m1 '/pwreset\.conf$' || true)
    NONROOT_SKIP=
    case "$CONF_PATH" in
    /etc/*) mkdir -p "$W$(dirname "$CONF_PATH")"; DEF_CONF=$W$CONF_PATH ;;
    /*) overlay_conf_dir ;;
    *) NONROOT_SKIP="cannot find the helper's compiled-in configuration path" ;;
    esac
    mount --bind "$W/etc" /etc
}

# The helper's compiled-in configuration lives outside /etc (a build with
# the default /usr/local prefix): bind a private copy of its nearest
# existing (small) ancestor directory over it, with the missing part made.
overlay_conf_dir() {
    local dir anc
    dir=$(dirname "$CONF_PATH")
    anc=$dir
    while [ ! -d "$anc" ]; do anc=$(dirname "$anc"); done
    case "$anc" in
    / | /usr | /var | /opt | /home)
        NONROOT_SKIP="the helper's configuration directory $dir does not exist (use the default private build, configured with --sysconfdir=/etc)"
        return ;;
    esac
    if [ "$(du -sm "$anc" | cut -f1)" -gt 50 ]; then
        NONROOT_SKIP="$anc is too large to copy for the helper's configuration"
        return
    fi
    cp -a "$anc" "$W/confroot"
    mkdir -p "$W/confroot${dir#"$anc"}"
    mount --bind "$W/confroot" "$anc"
    DEF_CONF=$dir/pwreset.conf
}

# The listener stands in for the syslog daemon.  It runs in a network
# namespace of its own so that its socket can have the queue length every
# systemd host has (PID 1 raises net.unix.max_dgram_qlen from the kernel's
# 10 to 512 at boot; a container like CI's has 10) without touching the
# host's setting: the sysctl is per network namespace.
SINK_QLEN=512
start_sink() {
    unshare --net -- sh -c 'echo "$1" >/proc/sys/net/unix/max_dgram_qlen &&
        exec "$2" sink "$3" "$4"' sh "$SINK_QLEN" "$W/bin/bench_store" \
        "$W/audit.sock" "$W/audit.count" &
    SINK_PID=$!
    trap 'kill $SINK_PID 2>/dev/null || true' EXIT
    for _ in $(seq 50); do [ -S "$W/audit.sock" ] && return; sleep 0.1; done
    die "the audit listener did not start"
}

audit_count() { sleep 0.5; cut -d' ' -f1 "$W/audit.count" 2>/dev/null || echo 0; }

write_conf() { # FILE STORE SOCKET
    printf 'store = %s\naudit_socket = %s\n' "$2" "$3" >"$1"
    chmod 644 "$1"
}

make_stores() {
    local n
    for n in $SIZES; do
        mkdir -m 700 "$W/s$n"
        "$W/bin/bench_store" mkstore "$W/s$n/store" "$n" "$BUSER" "$HASH"
        write_conf "$W/c$n.conf" "$W/s$n/store" "$W/audit.sock"
    done
    write_conf "$W/cnoaudit.conf" "$W/s100000/store" "$W/no-listener.sock"
    [ -n "$NONROOT_SKIP" ] || write_conf "$DEF_CONF" "$W/s100000/store" "$W/audit.sock"
}

pwr_line() { # STAGE CONF [CONTROL]
    echo "${3:-$1 required} $BUILD/pam_module/.libs/pam_pwreset.so${2:+ config=$2} helper=$BUILD/helper/pwreset-helper"
}

write_services() {
    local d=$W/pam.d n
    mkdir -m 755 "$d"
    printf 'auth required pam_unix.so\naccount required pam_unix.so\n' >"$d/unix"
    printf 'auth required pam_permit.so\naccount required pam_permit.so\n' >"$d/permit"
    for n in $SIZES; do
        { pwr_line auth "$W/c$n.conf"; pwr_line account "$W/c$n.conf"; } >"$d/pwreset-$(label "$n")"
    done
    { pwr_line auth "$W/cnoaudit.conf"; pwr_line account "$W/cnoaudit.conf"; } >"$d/pwreset-noaudit"
    # pam_pwreset in front of pam_unix, as etc/pam.d and pam_pwreset(8) show
    {
        pwr_line auth "$W/c100000.conf" "auth [success=2 user_unknown=ignore default=die]"
        echo "auth [success=1 default=ignore] pam_unix.so nullok try_first_pass"
        echo "auth requisite pam_deny.so"
        echo "auth required pam_permit.so"
        pwr_line account "$W/c100000.conf" "account [success=ok new_authtok_reqd=done user_unknown=ignore default=bad]"
        echo "account [success=1 new_authtok_reqd=done default=ignore] pam_unix.so"
        echo "account requisite pam_deny.so"
        echo "account required pam_permit.so"
    } >"$d/stack"
    # the non-root path: no config= (a set-uid helper refuses a caller's
    # config), so module and helper both read the compiled-in one
    install -o root -g root -m 4755 "$BUILD/helper/pwreset-helper" "$W/bin/pwreset-helper-suid"
    printf 'auth required %s helper=%s\naccount required %s helper=%s\n' \
        "$BUILD/pam_module/.libs/pam_pwreset.so" "$W/bin/pwreset-helper-suid" \
        "$BUILD/pam_module/.libs/pam_pwreset.so" "$W/bin/pwreset-helper-suid" >"$d/pwreset-user"
    chmod 644 "$d"/*
}

# No account flagged must_change: the 1k and 100k stores are made again
# (a writer may have left them flagged; undoing that with pwreset would
# cost as much as the bulk action being measured).
clear_flags() {
    local n
    for n in 1000 100000; do
        "$W/bin/bench_store" mkstore "$W/s$n/store" "$n" "$BUSER" "$HASH" ||
            die "could not make the store of $n accounts again"
    done
}

# A fresh store of N accounts in its own directory, and its config:
# every write row starts from accounts that are not flagged.
fresh_store() { # NAME N SOCKET
    mkdir -m 700 "$W/$1"
    "$W/bin/bench_store" mkstore "$W/$1/store" "$2" "$BUSER" "$HASH"
    write_conf "$W/$1.conf" "$W/$1/store" "$3"
}

LOGIN=
login_cmd() { LOGIN=("$W/bin/bench_login" "$1" --confdir "$W/pam.d" --user "$BUSER" --passfile "$W/pw" --hash "$HASH"); }

machine_info() { # before|after
    M "load_$1" "$(cut -d' ' -f1-3 /proc/loadavg)"
    [ "$1" = before ] || return 0
    M date "$(date -u '+%Y-%m-%d %H:%M UTC')"
    M cpu "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1) ($NCPU cores online)"
    M cores "$NCPU"
    M kernel "$(uname -sr)"
    M memory "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    M commit "$(git -C "$SRC" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(git --no-optional-locks -C "$SRC" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo ' + uncommitted changes' || true)"
    M build "$BUILD ($(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile" | head -1))"
    M sink_qlen "$SINK_QLEN (host: $(cat /proc/sys/net/unix/max_dgram_qlen))"
    M packages "$(dpkg-query -W -f '${Package} ${Version}; ' libpam0g libpam-modules libcrypt1 passwd 2>/dev/null || echo unknown)"
}

phase_login() {
    say "1+2. logins side by side (${ITERS} rounds)"
    clear_flags
    login_cmd interleave
    rows "${LOGIN[@]}" --section login --iters "$ITERS" --warmup "$WARMUP" \
        unix pwreset-10 pwreset-1k pwreset-100k pwreset-1m pwreset-noaudit stack permit crypt
}

phase_lookup() {
    local n
    say "2. store look-up alone"
    for n in $SIZES; do
        rows "$W/bin/bench_store" lookup "$W/s$n/store" "$BUSER" "$LOOKUP_ITERS" "$(label "$n")"
    done
}

phase_parts() {
    local n
    say "2. the pieces of a login besides the hash"
    for n in $SIZES; do
        rows "$W/bin/bench_store" parts "$W/c$n.conf" "$BUSER" "$LOOKUP_ITERS" "$(label "$n")"
    done
    rows "$W/bin/bench_store" parts "$W/cnoaudit.conf" "$BUSER" "$LOOKUP_ITERS" noaudit
}

phase_nonroot() {
    say "3. non-root: set-uid helper vs unix_chkpwd"
    if [ -n "$NONROOT_SKIP" ]; then M nonroot_skipped "$NONROOT_SKIP"; return; fi
    clear_flags
    login_cmd interleave
    if ! setpriv --reuid="$BUID" --regid="$BUID" --clear-groups -- \
        "${LOGIN[@]}" --section nonroot --iters "$NR_ITERS" --warmup 1 \
        unix pwreset-user crypt >>"$RES" 2>"$W/nonroot.log"; then
        M nonroot_skipped "the non-root run failed: $(tail -1 "$W/nonroot.log")"
    fi
}

phase_memory() {
    local s
    say "6. memory"
    login_cmd once
    for s in unix pwreset-10 pwreset-1m; do
        rows "${LOGIN[@]}" --section memory "$s"
    done
}

phase_load() {
    say "5. throughput: $LOAD_PROCS processes, ${LOAD_ROUNDS}x${LOAD_SECONDS} s per service"
    login_cmd load
    clear_flags
    rows printf 'V\tload\tprocs\t%s\t\nV\tload\tcores\t%s\t\n' "$LOAD_PROCS" "$NCPU"
    rows "${LOGIN[@]}" --section load --procs "$LOAD_PROCS" --seconds "$LOAD_SECONDS" \
        --rounds "$LOAD_ROUNDS" --sink-pid "$SINK_PID" \
        crypt unix pwreset-100k pwreset-100k+writer -- \
        "$BUILD/cli/pwreset" --config "$W/c100000.conf" \
        --helper "$BUILD/helper/pwreset-helper" force-reset --all
}

# chg0001.. in the private passwd and shadow, with the same hash.
add_chage_users() {
    local id i
    id=$(free_id 71000)
    for i in $(seq 1 1000); do
        printf 'chg%04d:x:%d:%d::/nonexistent:/usr/sbin/nologin\n' "$i" $((id + i)) "$BUID" >>/etc/passwd
        printf 'chg%04d:%s:20000:0:99999:7:::\n' "$i" "$HASH" >>/etc/shadow
    done
    seq -f 'chg%04g' 1 "$CHAGE_N" >"$W/chage.users"
}

phase_writes() {
    local pw=("$BUILD/cli/pwreset" --helper "$BUILD/helper/pwreset-helper") a0 a1
    say "4. writes: one action and force-reset --all at 100k, chage at 1k"
    export BENCH_BUDGET_S=$BUDGET BENCH_TIMEOUT_S=$TIMEOUT
    fresh_store w-one 100000 "$W/audit.sock"
    fresh_store w-bulk 100000 "$W/audit.sock"
    fresh_store w-noaudit 100000 "$W/no-listener.sock"
    fresh_store w-dry 100000 "$W/audit.sock"
    fresh_store w-1k 1000 "$W/audit.sock"
    rows "$W/bin/bench_store" time "$ONE_ITERS" write one_action_100k 1 --clear -- \
        "${pw[@]}" --config "$W/w-one.conf" force-reset "$BUSER"
    a0=$(audit_count)
    rows "$W/bin/bench_store" time "$BULK_ITERS" write bulk_all_100k 100000 --clear -- \
        "${pw[@]}" --config "$W/w-bulk.conf" force-reset --all
    a1=$(audit_count)
    rows printf 'V\twrite\tbulk_all_100k.audit_lines\t%s\tper action\n' \
        $(((a1 - a0) / $(awk -F'\t' '$3 == "bulk_all_100k" { print $7 }' "$RES")))
    rows "$W/bin/bench_store" time "$BULK_ITERS" write bulk_all_100k_noaudit 100000 --clear -- \
        "${pw[@]}" --config "$W/w-noaudit.conf" force-reset --all
    rows "$W/bin/bench_store" time "$BULK_ITERS" write bulk_all_100k_dryrun 100000 - -- \
        "${pw[@]}" --config "$W/w-dry.conf" force-reset --all --dry-run
    rows "$W/bin/bench_store" time "$BULK_ITERS" write bulk_all_1k 1000 --clear -- \
        "${pw[@]}" --config "$W/w-1k.conf" force-reset --all
    add_chage_users
    rows "$W/bin/bench_store" each "$W/chage.users" write chage_1k -- \
        /usr/bin/chage -d 0 '{}'
    grep -q "^chg0001:[^:]*:0:" /etc/shadow || die "chage did not change the private shadow copy"
}

# imp000001.. in the private passwd and shadow, with the same hash: the
# scale the targets ask for, 100,000 accounts to import from shadow.
add_import_users() {
    local id
    id=$(free_id 300000)
    awk -v id="$id" -v gid="$BUID" -v h="$HASH" -v p=/etc/passwd -v s=/etc/shadow '
        BEGIN { for (i = 1; i <= 100000; i++) {
                    printf "imp%06d:x:%d:%d::/nonexistent:/usr/sbin/nologin\n", i, id + i, gid >>p
                    printf "imp%06d:%s:20000:0:99999:7:::\n", i, h >>s } }'
    # every run imports into an empty store: the timed command removes the
    # previous run's store first (a few ms of the figure), and the marker
    # that says a store existed there (FILE, beside the config), or the
    # helper would rightly refuse a store that vanished
    printf '#!/bin/sh\nrm -rf "$1"/* "$2" && shift 2 && exec "$@"\n' >"$W/bin/fresh"
    chmod 755 "$W/bin/fresh"
}

# Scale: listing every account and importing a whole shadow file, by the
# same method as force-reset --all (after chage: the 100,000 accounts added
# to the private passwd and shadow would slow it down).
phase_scale() {
    local pw=("$BUILD/cli/pwreset" --helper "$BUILD/helper/pwreset-helper") a0 a1
    say "4. scale: status --json and import of 100,000 accounts"
    fresh_store w-status 100000 "$W/audit.sock"
    rows "$W/bin/bench_store" time "$BULK_ITERS" write status_json_100k 100000 - -- \
        "${pw[@]}" --config "$W/w-status.conf" status --json
    add_import_users
    mkdir -m 700 "$W/w-import" "$W/w-import.d"
    write_conf "$W/w-import.d/pwreset.conf" "$W/w-import/store" "$W/audit.sock"
    a0=$(audit_count)
    rows "$W/bin/bench_store" time "$BULK_ITERS" write import_100k 100000 - -- \
        "$W/bin/fresh" "$W/w-import" "$W/w-import.d/pwreset.stores" \
        "${pw[@]}" --config "$W/w-import.d/pwreset.conf" import
    a1=$(audit_count)
    rows printf 'V\twrite\timport_100k.audit_lines\t%s\tper action\n' \
        $(((a1 - a0) / $(awk -F'\t' '$3 == "import_100k" { print $7 }' "$RES")))
    "${pw[@]}" --config "$W/w-import.d/pwreset.conf" status --json >"$W/import.json" ||
        die "status after import failed"
    rows printf 'V\twrite\timport_100k.accounts\t%s\t\n' \
        "$(grep -c '"user": "imp' "$W/import.json")"
}

bench_inner() {
    set_counts
    # --fleet-only: the directory rows and the one file store they compare with
    [ "${FLEET_ONLY:-0}" = 0 ] || SIZES=100000
    setup_etc
    machine_info before
    start_sink
    say "making stores of $SIZES accounts"
    make_stores
    write_services
    if [ "${FLEET_ONLY:-0}" = 1 ]; then
        phase_fleet
        machine_info after
        kill "$SINK_PID" 2>/dev/null || true
        wait "$SINK_PID" 2>/dev/null || true
        return
    fi
    phase_login
    phase_lookup
    phase_parts
    phase_nonroot
    phase_memory
    phase_load
    phase_fleet
    phase_writes
    phase_scale
    machine_info after
    kill "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
}
