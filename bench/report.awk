# bench/report.awk - turns the result rows of bench/run ($W/results.tsv,
# format in bench/bench.h) into the Markdown of docs/PERFORMANCE.md: the
# machine, the targets with met/missed, then one table per
# measurement.  Usage: awk -f report.awk -v mode=MODE results.tsv
# SPDX-License-Identifier: BSD-3-Clause

BEGIN { FS = "\t" }
$1 == "M" { meta[$2] = $3 }
$1 == "R" { k = $2 SUBSEP $3; med[k] = $4; lo[k] = $5; hi[k] = $6; cnt[k] = $7; unit[k] = $8 }
$1 == "V" { val[$2 SUBSEP $3] = $4 }

function has(s, n) { return ((s, n) in med) }
function num(x,   a) {
    a = x < 0 ? -x : x
    if (a == int(a) && a < 1e7) return sprintf("%d", x)
    if (a >= 1000) return sprintf("%.0f", x)
    if (a >= 100) return sprintf("%.0f", x)
    if (a >= 10) return sprintf("%.1f", x)
    if (a >= 1) return sprintf("%.2f", x)
    if (a >= 0.01) return sprintf("%.3f", x)
    return sprintf("%.4f", x)
}
# "median [min – max] unit"; "> max (stopped)" when a run was cut short
function cell(s, n, scale,   k, b) {
    k = s SUBSEP n
    if (!(k in med)) return "–"
    if (scale == "") scale = 1
    b = n; sub(/\.per_account$/, "", b)
    if ((s, b ".stopped") in val)
        return "> " num(hi[k] * scale) " (stopped)"
    return num(med[k] * scale) " [" num(lo[k] * scale) "–" num(hi[k] * scale) "]"
}
function m(s, n) { return med[s SUBSEP n] + 0 }
function stopped(s, n) { return ((s, n ".stopped") in val) }
# seconds of a write row: "> max" when a run was stopped
function secs(s, n) {
    if (stopped(s, n)) return "> " num(hi[s SUBSEP n] / 1000)
    return num(m(s, n) / 1000)
}
function runs(s, n) { return ((s, n) in cnt) ? cnt[s SUBSEP n] : "–" }
function v(s, n) { return val[s SUBSEP n] + 0 }
function yes(ok) { return ok ? "**met**" : "**missed**" }
# met/missed, or "not measured" when a row it needs is absent
function judge(s1, n1, s2, n2, ok) {
    if (!has(s1, n1) || (n2 != "" && !has(s2, n2))) return "not measured"
    return yes(ok)
}
function pretty(svc) {
    sub(/^pwreset-1m/, "pam_pwreset, 1,000,000 accounts", svc)
    sub(/^pwreset-100k/, "pam_pwreset, 100,000 accounts", svc)
    sub(/^pwreset-1k/, "pam_pwreset, 1,000 accounts", svc)
    sub(/^pwreset-10$/, "pam_pwreset, 10 accounts", svc)
    sub(/^pwreset-noaudit/, "pam_pwreset, 100,000, audit socket without listener", svc)
    sub(/^pwreset-user/, "pam_pwreset → set-uid pwreset-helper", svc)
    sub(/^stack$/, "pam_pwreset in front of pam_unix (etc/pam.d stack), 100,000", svc)
    sub(/^unix$/, "pam_unix", svc)
    sub(/^permit$/, "pam_permit (does nothing: libpam's own share)", svc)
    sub(/^crypt$/, "bare crypt_rn (the hash alone)", svc)
    sub(/\+writer$/, " + writer (force-reset --all back to back)", svc)
    return svc
}

# The hash-bound limit left to logins while the writer runs: the measured
# limit scaled by the cores the logins did not get (everything but them).
function wlimit(   cores, w) {
    cores = v("load", "cores"); w = m("load", "pwreset-100k+writer.other_cpu")
    if (cores <= 0 || w >= cores) return 0
    return m("load", "crypt.logins_per_s") * (cores - w) / cores
}

function header() {
    print "# pam_pwreset performance"
    print ""
    print "Written by `sudo bench/run` (mode: " mode ") on " meta["date"] ". Do not edit by"
    print "hand: run it again to refresh.  Every figure is the **median** of repeated"
    print "runs with **[min–max]**; measurements that are compared were taken"
    print "interleaved in the same run (round-robin, rotating order), so ratios hold"
    print "on a busy machine even when absolute times move."
    print ""
    print "| Run | |"
    print "|---|---|"
    print "| Commit | " meta["commit"] " |"
    print "| CPU | " meta["cpu"] " |"
    print "| Memory, kernel | " meta["memory"] ", " meta["kernel"] " |"
    print "| Load average (1, 5, 15 min) | before " meta["load_before"] "; after " meta["load_after"] " |"
    print "| Hash | " meta["hash_params"] " |"
    sub(/; *$/, "", meta["packages"])
    print "| Packages | " meta["packages"] " |"
    print "| Build | " meta["build"] " |"
    print "| Audit listener | stands in for syslog: counts datagrams; socket queue (net.unix.max_dgram_qlen) " meta["sink_qlen"] ", as systemd sets it at boot |"
    print "| Counts | " meta["counts"] " |"
    print ""
}

function targets(   r, r1, o100, o1m, o10, bulk, per, chg, lim, tp, tpw, fails, ok) {
    print "## Targets"
    print ""
    print "| Target | Measured | |"
    print "|---|---|---|"
    r = m("login", "pwreset-100k.ratio_one_hash"); r1 = m("login", "pwreset-100k.ratio")
    print "| Login pam_pwreset / pam_unix ≤ 1.02 on the same hash (100,000 accounts) | " \
        num(r1) " as measured; **" num(r) "** with pam_unix counted at one hash (it computes the hash twice, see §1) | " yes(r <= 1.02) " |"
    o10 = m("login", "pwreset-10.module_beyond_hash")
    o100 = m("login", "pwreset-100k.module_beyond_hash")
    o1m = m("login", "pwreset-1m.module_beyond_hash")
    print "| Overhead beyond the hash ≤ 0.5 ms at 100,000 accounts | " num(o100) " ms in pam_authenticate + pam_acct_mgmt" \
        (has("login", "pwreset-100k.module_beyond_permit") ? ", of which " num(m("login", "pwreset-100k.module_beyond_permit")) \
        " ms above a do-nothing module (pam_permit)" : "") "; " num(m("login", "pwreset-100k.beyond_hash")) \
        " ms for the whole PAM transaction with module loading (pam_unix: " num(m("login", "unix.beyond_hash")) " ms) | " \
        judge("login", "pwreset-100k.module_beyond_hash", "", "", o100 <= 0.5) " |"
    print "| … ≤ 2 ms at 1,000,000, growing sub-linearly | " num(o1m) " ms; 10 → 1,000,000 accounts: " \
        num(o10) " → " num(o1m) " ms | " judge("login", "pwreset-1m.module_beyond_hash", "login", "pwreset-100k.module_beyond_hash", o1m <= 2 && o1m < 2 * o100) " |"
    bulk = stopped("write", "bulk_all_100k") ? hi["write" SUBSEP "bulk_all_100k"] : m("write", "bulk_all_100k")
    print "| Bulk `force-reset --all` of 100,000 accounts ≤ 1 s | " secs("write", "bulk_all_100k") " s (" \
        secs("write", "bulk_all_100k_noaudit") " s with no audit listener) | " judge("write", "bulk_all_100k", "", "", bulk <= 1000) " |"
    per = m("write", "bulk_all_100k.per_account"); chg = m("write", "chage_1k")
    if (stopped("write", "bulk_all_100k")) {
        per = hi["write" SUBSEP "bulk_all_100k.per_account"]
        print "| ≥ 100× less time per account than `chage -d 0` | > " num(per) " µs vs " num(chg / 1000) \
            " ms per account: **< " num(per > 0 ? chg / per : 0) "×** (the bulk run was stopped) | " \
            (per > 0 && chg / per < 100 ? yes(0) : "not measured") " |"
    } else
        print "| ≥ 100× less time per account than `chage -d 0` | " num(per) " µs vs " num(chg / 1000) \
            " ms per account: **" num(per > 0 ? chg / per : 0) "×** | " judge("write", "bulk_all_100k.per_account", "write", "chage_1k", per > 0 && chg / per >= 100) " |"
    print "| `status --json` of 100,000 accounts, complete, ≤ 2 s | " secs("write", "status_json_100k") " s | " \
        judge("write", "status_json_100k", "", "", !stopped("write", "status_json_100k") && m("write", "status_json_100k") <= 2000) " |"
    print "| `import` of 100,000 /etc/shadow accounts, one store write, ≤ 3 s | " secs("write", "import_100k") " s; " \
        v("write", "import_100k.accounts") " accounts in the store afterwards | " \
        judge("write", "import_100k", "", "", !stopped("write", "import_100k") && m("write", "import_100k") <= 3000 && v("write", "import_100k.accounts") == 100000) " |"
    tp = m("load", "pwreset-100k.rate_ratio"); tpw = m("load", "pwreset-100k+writer.rate_ratio")
    fails = v("load", "crypt.failed") + v("load", "unix.failed") + v("load", "pwreset-100k.failed") + v("load", "pwreset-100k+writer.failed")
    ok = tp >= 0.9 && tpw >= 0.9 && fails == 0
    print "| Throughput under load ≥ 90 % of the hash-bound limit, no failed login | " \
        num(100 * tp) " % without a writer; " num(100 * tpw) \
        " % with a bulk writer, of the CPU it leaves (medians of per-round ratios, see §5); " fails " failed logins | " \
        judge("load", "pwreset-100k.rate_ratio", "load", "pwreset-100k+writer.rate_ratio", ok) " |"
    fleet_targets()
    print ""
}

# The directory backend (bench/fleet.sh): "not measured" rows when skipped.
# (has() before m(): reading med[] would create the row.)
function fleet_targets(   r, bulk, n, hr, hb) {
    hr = has("fleet", "pwreset-ldap.ratio"); hb = has("fleet", "bulk_all_ldap")
    n = v("fleet", "bulk_all_ldap.n")
    r = hr ? m("fleet", "pwreset-ldap.ratio") : 0
    print "| Login through the directory (`backend = ldap`) / through the file store ≤ 1.2 on the same hash | " \
        (hr ? num(r) : "–") " | " (hr ? yes(r <= 1.2) : "not measured") " |"
    bulk = !hb ? 0 : stopped("fleet", "bulk_all_ldap") ? hi["fleet" SUBSEP "bulk_all_ldap"] : m("fleet", "bulk_all_ldap")
    print "| Bulk `force-reset --all` of " (n ? num(n) : "100,000") " directory accounts ≤ 10 s | " \
        (hb ? secs("fleet", "bulk_all_ldap") " s; one `ldapmodify` per account: " \
        num(m("fleet", "ldapmodify_each.per_account") * n / 1e6) " s (extrapolated, see §7)" : "–") " | " \
        (hb ? yes(!stopped("fleet", "bulk_all_ldap") && bulk <= 10000) : "not measured") " |"
}

function login_table(   i, s, svcs, n) {
    print "## 1. Login: pam_pwreset vs pam_unix"
    print ""
    print "`pam_start_confdir` → `pam_authenticate` → `pam_acct_mgmt` → `pam_end` in one"
    print "process, through a private service directory, as root, for the same user,"
    print "password and yescrypt string (in the store and in a private /etc/shadow)."
    print "*Hash* is the time spent inside libxcrypt during that same login (the"
    print "driver interposes `crypt_rn`/`crypt_r`), so *beyond the hash* needs no"
    print "second measurement.  Ratios are medians of per-round ratios."
    print ""
    print "| Service | Login (ms) | Hash (ms) | Hashes per login | Beyond the hash (ms) | Ratio to pam_unix | Ratio, pam_unix at one hash |"
    print "|---|---|---|---|---|---|---|"
    n = split("unix pwreset-10 pwreset-1k pwreset-100k pwreset-1m pwreset-noaudit stack permit crypt", svcs, " ")
    for (i = 1; i <= n; i++) {
        s = svcs[i]
        if (!has("login", s ".total")) continue
        print "| " pretty(s) " | " cell("login", s ".total") " | " cell("login", s ".hash") " | " \
            num(m("login", s ".hash_calls")) " | " cell("login", s ".beyond_hash") " | " \
            (s == "unix" ? "1" : cell("login", s ".ratio")) " | " (s == "unix" ? "1" : cell("login", s ".ratio_one_hash")) " |"
    }
    print ""
    if (m("login", "unix.hash_calls") > 1)
        print "pam_unix (Linux-PAM " (meta["packages"] ~ /libpam-modules 1\.5\.2/ ? "1.5.2, " : "") \
            "Debian) computes the hash twice per password check: `verify_pwd_hash()` calls" \
            " `x_strdup(crypt_r(...))`, and the `x_strdup` macro of `_pam_macros.h`" \
            " evaluates its argument twice.  The *as measured* ratio is therefore about 0.5;" \
            " the fair comparison on the same hash is the last column."
    print ""
}

function overhead_table(   i, n, sz, lab, s) {
    print "## 2. Overhead beyond the hash, by store size"
    print ""
    print "*Module*: `pam_authenticate` + `pam_acct_mgmt` minus the hash: the module's code"
    print "plus libpam's own work around each call (on Debian it reports every call to"
    print "the kernel audit subsystem and waits for the answer).  *Above pam_permit*: the"
    print "same minus those two calls through pam_permit, a module that does nothing"
    print "(per round), i.e. what pam_pwreset's code adds.  *Whole transaction*: also `pam_start`/`pam_end`, where libpam"
    print "loads and unloads the module (and libsodium) for every handle; pam_unix pays"
    print "the same kind of cost (its row is in §1).  *Look-up alone*: `pwr_store_open` +"
    print "`pwr_store_lookup` + `pwr_store_close` in a loop (a login does two: auth and"
    print "account)."
    print ""
    print "| Accounts | Module (ms) | Above pam_permit (ms) | Whole transaction (ms) | Store look-up alone (µs) |"
    print "|---|---|---|---|---|"
    n = split("10 1k 100k 1m", sz, " ")
    split("10|1,000|100,000|1,000,000", lab, "|")
    for (i = 1; i <= n; i++) {
        s = "pwreset-" sz[i]
        print "| " lab[i] " | " cell("login", s ".module_beyond_hash") " | " cell("login", s ".module_beyond_permit") " | " \
            cell("login", s ".beyond_hash") " | " cell("lookup", sz[i]) " |"
    }
    print "| pam_unix (reference) | " cell("login", "unix.module_beyond_hash") " | " cell("login", "unix.module_beyond_permit") " | " \
        cell("login", "unix.beyond_hash") " | – |"
    print "| pam_permit (libpam alone) | " cell("login", "permit.module_beyond_hash") " | 0 | " cell("login", "permit.beyond_hash") " | – |"
    print ""
    print "Where the module's time goes (each piece timed alone, µs; a login loads the"
    print "configuration twice, looks the account up twice and sends one audit line):"
    print ""
    print "| Accounts | Config load | Store look-up | Audit line | Reset-code check |"
    print "|---|---|---|---|---|"
    n = split("10 1k 100k 1m noaudit", sz, " ")
    split("10|1,000|100,000|1,000,000|100,000, no audit listener", lab, "|")
    for (i = 1; i <= n; i++)
        if (has("parts", sz[i] ".config_load"))
            print "| " lab[i] " | " cell("parts", sz[i] ".config_load") " | " cell("parts", sz[i] ".store_lookup") \
                " | " cell("parts", sz[i] ".audit_send") " | " cell("parts", sz[i] ".code_check") " |"
    print ""
}

function nonroot_table(   i, s, svcs, n) {
    print "## 3. Non-root: set-uid helper vs unix_chkpwd"
    print ""
    if ("nonroot_skipped" in meta) { print "Not measured: " meta["nonroot_skipped"] "."; print ""; return }
    print "The same driver run as a throwaway user (private passwd/shadow copies,"
    print "`setpriv --reuid`): pam_unix verifies through `unix_chkpwd`, pam_pwreset"
    print "through the set-uid `pwreset-helper` (verify, then status for the account"
    print "stage).  The hash runs in the helper processes, so *beyond the hash* here is"
    print "the login minus the bare hash of the same round."
    print ""
    print "| Service | Login (ms) | Beyond the hash (ms) | Ratio to pam_unix |"
    print "|---|---|---|---|"
    n = split("unix pwreset-user crypt", svcs, " ")
    for (i = 1; i <= n; i++) {
        s = svcs[i]
        if (!has("nonroot", s ".total")) continue
        print "| " pretty(s) " | " cell("nonroot", s ".total") " | " (s == "crypt" ? "–" : cell("nonroot", s ".beyond_crypt")) \
            " | " (s == "unix" ? "1" : cell("nonroot", s ".ratio")) " |"
    }
    print ""
    if (m("login", "unix.hash_calls") > 1) {
        print "`unix_chkpwd` is built from the same `verify_pwd_hash()`, so it also computes"
        print "the hash twice."
        print ""
    }
}

function write_table() {
    print "## 4. Writes"
    print ""
    print "Wall time of the `pwreset` command (which runs `pwreset-helper`) as root;"
    print "runs alternate setting and clearing so every run changes every account."
    print "`chage -d 0 USER` runs once per account on a private copy of /etc/shadow"
    print "holding 1,000 more accounts."
    print ""
    print "| Action | Time | Per account | Runs |"
    print "|---|---|---|---|"
    print "| `force-reset USER`, one account, store of 100,000 | " cell("write", "one_action_100k") " ms | – | " runs("write", "one_action_100k") " |"
    print "| `force-reset --all`, 100,000 accounts | " cell("write", "bulk_all_100k") " ms | " cell("write", "bulk_all_100k.per_account") " µs | " runs("write", "bulk_all_100k") " |"
    print "| same, audit socket without listener | " cell("write", "bulk_all_100k_noaudit") " ms | " cell("write", "bulk_all_100k_noaudit.per_account") " µs | " runs("write", "bulk_all_100k_noaudit") " |"
    print "| same, `--dry-run` (read and check the store, decide; no write, no audit) | " cell("write", "bulk_all_100k_dryrun") " ms | " cell("write", "bulk_all_100k_dryrun.per_account") " µs | " runs("write", "bulk_all_100k_dryrun") " |"
    print "| `force-reset --all`, 1,000 accounts | " cell("write", "bulk_all_1k") " ms | " cell("write", "bulk_all_1k.per_account") " µs | " runs("write", "bulk_all_1k") " |"
    print "| `chage -d 0`, per account, shadow of 1,000 | – | " cell("write", "chage_1k", 0.001) " ms | " runs("write", "chage_1k") " |"
    print "| `status --json`, every account of 100,000 (to /dev/null) | " cell("write", "status_json_100k") " ms | " cell("write", "status_json_100k.per_account") " µs | " runs("write", "status_json_100k") " |"
    print "| `import` of a shadow file of 100,000 more accounts into an empty store | " cell("write", "import_100k") " ms | " cell("write", "import_100k.per_account") " µs | " runs("write", "import_100k") " |"
    print ""
    print "Audit lines received per bulk action: " v("write", "bulk_all_100k.audit_lines") " (one per changed account); per import: " \
        v("write", "import_100k.audit_lines") " (one per imported account: the"
    print "100,000 added for this row and the 1,001 of the earlier rows that have a password)."
    print "`import` reads the private /etc/passwd and /etc/shadow with 100,000 more"
    print "accounts (added after the `chage` row); each run starts by removing the"
    print "previous run's store, which is part of its time."
    print ""
}

function load_table(   i, s, svcs, n, lim, limw, theory, cores, hash, pct) {
    print "## 5. Throughput under load"
    print ""
    cores = v("load", "cores"); hash = m("login", "crypt.total")
    theory = hash > 0 ? cores * 1000 / hash : 0
    lim = m("load", "crypt.logins_per_s")
    print v("load", "procs") " processes on " cores " cores log in back to back (each login a fresh PAM"
    print "handle) for a time slot per service (counts in the table at the top), slots"
    print "interleaved round by round.  The hash-bound limit is measured as the rate of"
    print "the same processes doing only the hash (\"bare crypt_rn\" row), and each"
    print "service is compared with it round by round (median of the ratios); in theory it is"
    print "cores / hash time = " cores " / " num(hash) " ms = " num(theory) " per second.  The writer runs `pwreset force-reset --all`"
    print "(100,000 accounts, alternately `--clear`) back to back on the store being read."
    if (has("login", "pwreset-100k.cpu") && has("login", "crypt.cpu"))
        print "CPU time per login (§1, one at a time): " num(m("login", "crypt.cpu")) " ms for the hash alone, " \
            num(m("login", "pwreset-100k.cpu")) " ms for a pam_pwreset login, " num(m("login", "unix.cpu")) \
            " ms for a pam_unix login; if logins were purely CPU-bound, pam_pwreset could reach " \
            num(100 * m("login", "crypt.cpu") / m("login", "pwreset-100k.cpu")) " % of the limit."
    print ""
    print "| Service | Logins per second | % of the limit (per-round ratio) | % of cores / hash time | Failed |"
    print "|---|---|---|---|---|"
    limw = wlimit()
    n = split("crypt unix pwreset-100k pwreset-100k+writer", svcs, " ")
    for (i = 1; i <= n; i++) {
        s = svcs[i]
        if (!has("load", s ".logins_per_s")) continue
        print "| " pretty(s) " | " cell("load", s ".logins_per_s") " | " (s == "crypt" ? "100" : cell("load", s ".rate_ratio", 100)) \
            (s ~ /writer/ ? " of what the writer leaves" : "") \
            " | " num(theory > 0 ? 100 * m("load", s ".logins_per_s") / theory : 0) " | " v("load", s ".failed") " of " v("load", s ".logins") + v("load", s ".failed") " |"
    }
    print ""
    if (has("load", "pwreset-100k+writer.writer_actions_per_s"))
        print "Writer: " cell("load", "pwreset-100k+writer.writer_actions_per_s") " bulk actions per second, " \
            v("load", "pwreset-100k+writer.writer_failed") " failed of " v("load", "pwreset-100k+writer.writer_actions") \
            " completed (" v("load", "pwreset-100k+writer.writer_interrupted") " interrupted at the end of a slot)" \
            ", using " cell("load", "pwreset-100k+writer.writer_cpu") " cores (pwreset, pwreset-helper and the audit listener, whose" \
            " work the writer causes, as their own CPU time counts it); everything but the logins used " \
            cell("load", "pwreset-100k+writer.other_cpu") " cores (busy time of the machine from /proc/stat minus the" \
            " logins' own CPU time: the writer, the listener, the kernel's work for them, and any stray load)," \
            " so the limit left to logins is " num(limw) " per second." \
            "  A login counts as failed" \
            " unless pam_authenticate returns PAM_SUCCESS and pam_acct_mgmt PAM_SUCCESS or" \
            " PAM_NEW_AUTHTOK_REQD (the writer toggles must_change)."
    print ""
}

function fleet_table(   n, bn, per) {
    print "## 7. The directory backend"
    print ""
    if ("fleet_skipped" in meta) { print "Not measured: " meta["fleet_skipped"] "."; print ""; return }
    if ("fleet_failed" in meta) { print "**Failed**, the rows after it were not measured: `" meta["fleet_failed"] "`"; print "" }
    n = v("fleet", "bulk_all_ldap.n"); bn = v("fleet", "ldapmodify_each.n")
    print "A throwaway slapd (" meta["fleet_directory"] ")."
    print "The login account has the same yescrypt string in the directory as in the"
    print "file store, so both logins pay one hash: the file store's in the PAM"
    print "process, the directory's in slapd (a bind as the person), which the"
    print "driver cannot time, hence no *hash* column.  Counts: " meta["fleet_counts"] "."
    print ""
    print "| Measurement | Time | Per account | Ratio to the file store | Runs |"
    print "|---|---|---|---|---|"
    print "| Login, file store of 100,000 (reference) | " cell("fleet", "pwreset-100k.total") " ms | – | 1 | " runs("fleet", "pwreset-100k.total") " |"
    print "| Login, `backend = ldap`, directory of " num(n) " | " cell("fleet", "pwreset-ldap.total") " ms | – | " \
        cell("fleet", "pwreset-ldap.ratio") " | " runs("fleet", "pwreset-ldap.total") " |"
    if (has("fleet", "floor.ratio")) {
        print "| Floor: one `crypt_rn` of the same hash in-process | " cell("fleet", "floor.crypt") " ms | – | – | " runs("fleet", "floor.crypt") " |"
        print "| Floor: a process with libldap binding as the person (slapd hashes) | " cell("fleet", "floor.bind_person") " ms | – | " \
            cell("fleet", "floor.ratio") " (to the crypt) | " runs("fleet", "floor.bind_person") " |"
        print "| Floor: the same process binding as the host (`{SSHA}`, no hash) | " cell("fleet", "floor.bind_host") " ms | – | – | " runs("fleet", "floor.bind_host") " |"
    }
    print "| `force-reset --all`, " num(n) " directory accounts | " cell("fleet", "bulk_all_ldap") " ms | " \
        cell("fleet", "bulk_all_ldap.per_account") " µs | – | " runs("fleet", "bulk_all_ldap") " |"
    per = m("fleet", "ldapmodify_each.per_account")
    print "| One `ldapmodify` process per account (replace `pwdReset`), " num(bn) " accounts one after another | " \
        cell("fleet", "ldapmodify_each") " ms | " cell("fleet", "ldapmodify_each.per_account") " µs | – | " runs("fleet", "ldapmodify_each") " |"
    print ""
    if (has("fleet", "floor.ratio"))
        print "The *floor* rows (bench/bench_floor.c) are the least any directory login costs under the backend's rules: the module links no LDAP library, so each login starts a process that loads libldap; the password is checked by a bind as the person, so slapd computes the hash.  No configuration, search or status is read there: pwreset's directory login costs at least the floor's time."
    print ""
    if (per > 0 && n > 0)
        print "Extrapolated to " num(n) " accounts, the `ldapmodify` loop would take " num(per * n / 1e6) \
            " s (" num(bn) " measured × " num(n / bn) "); `force-reset --all` took " secs("fleet", "bulk_all_ldap") " s."
    print ""
}

function mem_table(   i, s, svcs, n) {
    print "## 6. Memory"
    print ""
    print "Peak resident set (VmHWM) of a fresh driver process after one login; the"
    print "baseline is the same process before it."
    print ""
    print "| Service | Peak RSS (MiB) | Baseline (MiB) |"
    print "|---|---|---|"
    n = split("unix pwreset-10 pwreset-1m", svcs, " ")
    for (i = 1; i <= n; i++) {
        s = svcs[i]
        if (!(("memory", s ".peak") in val)) continue
        print "| " pretty(s) " | " num(v("memory", s ".peak") / 1024) " | " num(v("memory", s ".baseline_peak") / 1024) " |"
    }
    print ""
    print "yescrypt at this cost needs its own 16 MiB work area; the store is read"
    print "through a binary search, so a 1,000,000-account store adds almost nothing."
    print ""
}

END {
    header()
    targets()
    login_table()
    overhead_table()
    nonroot_table()
    write_table()
    load_table()
    mem_table()
    fleet_table()
    print "## How to reproduce"
    print ""
    print "`sudo bench/run` (about " (mode == "quick" ? "a minute" : "seven minutes") "; `--quick` for a short run,"
    print "`--build DIR` to use an existing build, `--keep` to keep the raw rows).  It"
    print "runs inside a private mount namespace with private copies of /etc; the"
    print "host's files are not modified.  Sources: bench/."
}
