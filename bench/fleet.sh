# shellcheck shell=bash
# bench/fleet.sh - the directory backend's rows of bench/run (sourced by
# inner.sh, inside its private mount namespace): a throwaway slapd on
# 127.0.0.1 (tests/ldap/slapd.sh, the example configuration with ppolicy)
# loaded by slapadd with FLEET_N enrolled accounts plus the benchmark's
# login account, all with the same yescrypt string as the file stores.
#   - a login through "backend = ldap" against the same login through the
#     file store of 100,000 accounts, interleaved (section "fleet");
#   - pwreset force-reset --all of the directory's accounts (one helper,
#     one transaction), alternately --clear;
#   - the baseline an admin has without pwreset: one ldapmodify process per
#     account (replace pwdReset), on FLEET_BASE_N accounts, extrapolated
#     to FLEET_N in the report.
# Skipped (an "M fleet_skipped" row) without slapd and ldap-utils, or with
# a helper that does not know "backend = ldap".
# SPDX-License-Identifier: BSD-3-Clause

FLEET=$W/fleet

fleet_counts() {
    if [ "$MODE" = quick ]; then
        FLEET_N=2000; FLEET_BASE_N=100; FLEET_ITERS=8; FLEET_BULK_ITERS=2
    else
        FLEET_N=100000; FLEET_BASE_N=2000; FLEET_ITERS=100; FLEET_BULK_ITERS=3
    fi
    FLEET_N=${BENCH_FLEET_N:-$FLEET_N} # another size, for development
    # a bulk run past 6x its target is stopped (reported "> T (stopped)"),
    # and no run starts after 30 s of them: the rows stay within ~2 min
    FLEET_BUDGET=30; FLEET_TIMEOUT=60
    M fleet_counts "directory of $FLEET_N accounts; logins ${FLEET_ITERS}x per service (+2 warm-up); bulk ${FLEET_BULK_ITERS}x (no run starts after ${FLEET_BUDGET} s of them, a run is stopped after ${FLEET_TIMEOUT} s); baseline $FLEET_BASE_N ldapmodify processes"
}

# Like rows, but a failure is reported (an "M fleet_failed" row, shown in
# the report) instead of ending the whole benchmark: the backend is new.
FLEET_FAILED=
fleet_rows() {
    [ -z "$FLEET_FAILED" ] || return 0
    if ! "$@" >>"$RES" 2>>"$W/bench.log"; then
        FLEET_FAILED="$(basename "$1") ${*:2:5}...: $(tail -n 1 "$W/bench.log")"
        M fleet_failed "$FLEET_FAILED"
        say "7. directory: failed: $FLEET_FAILED"
    fi
}

# Why the rows cannot be measured here, or nothing.
fleet_missing() {
    local p
    for p in slapd slapadd ldapmodify ldapsearch; do
        command -v "$p" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
        command -v "$p" >/dev/null 2>&1 ||
            { echo "$p is not installed (tools/deps installs slapd and ldap-utils)"; return; }
    done
    strings -a "$BUILD/helper/pwreset-helper" | grep -x ldap_bind_dn >/dev/null ||
        echo "this build's pwreset-helper has no directory backend"
}

# The example directory, the login account and FLEET_N more, in one LDIF.
fleet_ldif() {
    local people="ou=people,dc=example,dc=org"
    { cat "$SRC/etc/ldap/example.ldif"; echo; } >"$FLEET/all.ldif"
    awk -v n="$FLEET_N" -v h="$HASH" -v base="$people" -v bu="$BUSER" -v bid="$BUID" '
        function entry(u, id) {
            printf "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n", u, base
            printf "objectClass: pwresetAccount\nuid: %s\ncn: %s\nsn: bench\n", u, u
            printf "uidNumber: %d\ngidNumber: %d\nhomeDirectory: /nonexistent\n", id, id
            printf "userPassword: {CRYPT}%s\npwresetStatus: active\n", h
            printf "pwresetEnrolled: 20261201090000Z\n\n"
        }
        BEGIN { entry(bu, bid); for (i = 1; i <= n; i++) entry(sprintf("fl%06d", i), 500000 + i) }' \
        >>"$FLEET/all.ldif"
}

fleet_conf() { # FILE
    local d=$FLEET
    printf 'host1-secret\n' >"$d/host.pw"
    printf '%s\n' "$LDAP_ADMIN_PW" >"$d/admin.pw"
    printf '%s' "$LDAP_ADMIN_PW" >"$d/admin.ldapmodify.pw" # -y: the whole file
    chmod 600 "$d"/*.pw
    {
        echo "backend = ldap"
        echo "ldap_uri = $LDAP_URI"
        echo "ldap_base = ou=people,$LDAP_BASE"
        echo "ldap_bind_dn = $LDAP_HOST_DN"
        echo "ldap_bind_password_file = $d/host.pw"
        echo "ldap_admin_dn = $LDAP_ADMIN_DN"
        echo "ldap_admin_password_file = $d/admin.pw"
        echo "store = $d/store/store"
        echo "audit_socket = $W/audit.sock"
    } >"$1"
    chmod 644 "$1"
}

fleet_start() {
    local t0 rc=0
    mkdir -m 700 "$FLEET" "$FLEET/store"
    fleet_ldif
    # shellcheck disable=SC2034 # read by slapd.sh
    top_srcdir=$SRC
    # shellcheck source=tests/ldap/slapd.sh
    . "$SRC/tests/ldap/slapd.sh"
    t0=$(date +%s.%N)
    # slapd's own log would go to the host's syslog: off (loglevel 0)
    TMPDIR=$W LDAP_LDIF=$FLEET/all.ldif LDAP_CONF_EDIT='s|^sizelimit|loglevel 0\nsizelimit|' \
        ldap_start || rc=$?
    # ldap_start took the EXIT trap: the audit listener must still be ended
    trap 'ldap_stop; kill $SINK_PID 2>/dev/null || true' EXIT
    [ "$rc" = 0 ] || die "the throwaway slapd did not start"
    M fleet_directory "$(slapd -VV 2>&1 | sed -n 's/.*\(slapd [0-9.][^ ]*\).*/\1/p' | head -1), mdb with ppolicy (etc/ldap/slapd.conf.example, loglevel 0), on 127.0.0.1 of the same machine; $((FLEET_N + 1)) accounts besides the example's, loaded with slapadd in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
    fleet_conf "$W/fleet.conf"
    pwr_line auth "$W/fleet.conf" >"$W/pam.d/pwreset-ldap"
    pwr_line account "$W/fleet.conf" >>"$W/pam.d/pwreset-ldap"
    chmod 644 "$W/pam.d/pwreset-ldap"
}

# pam_pwreset with the file store of 100,000 first: the reference of the ratio.
fleet_login() {
    say "7. directory: login, backend = ldap vs file (${FLEET_ITERS} rounds)"
    "$W/bin/bench_store" mkstore "$W/s100000/store" 100000 "$BUSER" "$HASH" ||
        die "could not make the store of 100000 accounts again"
    login_cmd interleave
    fleet_rows "${LOGIN[@]}" --section fleet --iters "$FLEET_ITERS" --warmup 2 \
        pwreset-100k pwreset-ldap
}

fleet_bulk() {
    local pw=("$BUILD/cli/pwreset" --helper "$BUILD/helper/pwreset-helper")
    say "7. directory: force-reset --all of $FLEET_N accounts"
    BENCH_BUDGET_S=$FLEET_BUDGET BENCH_TIMEOUT_S=$FLEET_TIMEOUT \
        fleet_rows "$W/bin/bench_store" time "$FLEET_BULK_ITERS" fleet bulk_all_ldap "$FLEET_N" --clear -- \
        "${pw[@]}" --config "$W/fleet.conf" force-reset --all
}

# The floor of any directory login under the backend's rules: a process
# per login that loads libldap, and the password hashed by slapd (a bind as
# the person), against the same hash in-process (bench/bench_floor.c).
fleet_floor() {
    say "7. directory: the floor (a process with libldap binding as the person)"
    fleet_rows "$W/bin/bench_floor" floor "$LDAP_URI" "uid=$BUSER,ou=people,$LDAP_BASE" \
        "$LDAP_HOST_DN" host1-secret "$HASH" <"$W/pw"
}

# One ldapmodify per account, the first FLEET_BASE_N accounts, one after
# another: what an admin scripts without pwreset.
fleet_baseline() {
    local i u
    say "7. directory: baseline, $FLEET_BASE_N ldapmodify processes"
    mkdir "$FLEET/ldif"
    for i in $(seq 1 "$FLEET_BASE_N"); do
        u=$(printf 'fl%06d' "$i")
        printf 'dn: uid=%s,ou=people,%s\nchangetype: modify\nreplace: pwdReset\npwdReset: TRUE\n' \
            "$u" "$LDAP_BASE" >"$FLEET/ldif/$u.ldif"
        echo "$u"
    done >"$FLEET/base.users"
    cat >"$W/bin/ldapmodify-each" <<EOF
#!/bin/sh
# one ldapmodify process per account named in \$1, as an admin's loop
while read -r u; do
    ldapmodify -x -H '$LDAP_URI' -D '$LDAP_ADMIN_DN' -y '$FLEET/admin.ldapmodify.pw' \\
        -f "$FLEET/ldif/\$u.ldif" >/dev/null || exit 1
done <"\$1"
EOF
    chmod 755 "$W/bin/ldapmodify-each"
    fleet_rows "$W/bin/bench_store" time 1 fleet ldapmodify_each "$FLEET_BASE_N" - -- \
        "$W/bin/ldapmodify-each" "$FLEET/base.users"
    rows printf 'V\tfleet\tbulk_all_ldap.n\t%s\t\nV\tfleet\tldapmodify_each.n\t%s\t\n' \
        "$FLEET_N" "$FLEET_BASE_N"
}

phase_fleet() {
    local why
    fleet_counts
    why=$(fleet_missing)
    if [ -n "$why" ]; then
        M fleet_skipped "$why"
        say "7. directory rows skipped: $why"
        return
    fi
    say "7. directory: slapd with $FLEET_N accounts"
    fleet_start
    # development: a script sourced here (e.g. to strace one login) with
    # the directory up and $W/fleet.conf written
    [ -z "${BENCH_FLEET_HOOK:-}" ] || . "$BENCH_FLEET_HOOK"
    fleet_login
    fleet_floor
    fleet_baseline
    fleet_bulk
    ldap_stop
}
