#!/bin/sh
# test-paths.sh - hostile objects planted where the store, its temporary
# file, its lock or its backup belong (a symbolic link, a FIFO, a hard link,
# a directory, a file owned by someone else), and at the configuration,
# block list and audit socket paths.  Every run is bounded by timeout(1):
# nothing may hang (CVE-2024-22365: a FIFO that blocks a login).
#   store, lock:      refused, for logins and writes alike; the object and
#                     anything it points at are left untouched;
#   .tmp, .bak,
#   .bak.tmp:         write-only names: never followed or written through;
#                     the planted object is removed or atomically replaced
#                     (a directory makes the write fail cleanly).
#   audit.key,
#   audit.chain:      never used when planted: nothing written through.
# A wrong owner needs root to plant (skipped otherwise).
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"
. "$top_srcdir/tests/hardening/hlib.sh"

command -v timeout >/dev/null 2>&1 || skip_all "no timeout(1)"
command -v mkfifo >/dev/null 2>&1 || skip_all "no mkfifo"
OTHER=
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then OTHER=nobody; fi

PW=Walnut-Prism-Heron-6610
PW2=Mosaic-Thistle-Owl-3375
FILLERS=5
write_conf "$T/conf"
store_seed "$ME:$PW"
cp "$T/state/store" "$T/pristine"
req "$T/write" chauthtok user "$ME" proof "$PW" new "$PW2"
req "$T/read" verify user "$ME" password "$PW"

# The victim: a valid store (so only the planting can make it refused),
# which nothing may ever modify.
fresh() {
    rm -rf "$T/state" "$T/victim" "$T/victim.copy"
    mkdir -m 700 "$T/state"
    cp "$T/pristine" "$T/state/store"
    cp "$T/pristine" "$T/victim"
    chmod 600 "$T/victim"
    cp -p "$T/victim" "$T/victim.copy"
}

plant() { # KIND PATH
    rm -f "$2"
    case $1 in
    symlink) ln -s "$T/victim" "$2" ;;
    fifo) mkfifo -m 600 "$2" ;;
    hardlink) ln "$T/victim" "$2" ;;
    directory) mkdir -m 700 "$2" ;;
    owner) cp "$T/pristine" "$2" && chmod 600 "$2" && chown "$OTHER" "$2" ;;
    esac
}

still_planted() { # KIND PATH
    case $1 in
    symlink) [ -L "$2" ] ;;
    fifo) [ -p "$2" ] ;;
    hardlink) [ "$(stat -c %i "$2")" = "$(stat -c %i "$T/victim")" ] ;;
    directory) [ -d "$2" ] ;;
    owner) [ "$(stat -c %U "$2")" = "$OTHER" ] ;;
    esac
}

# hrun REQ: the helper, bounded to 10 s (exit 124 means it hung).
hrun() { hx_run "$1" timeout 10; }
victim_safe() { cmp -s "$T/victim" "$T/victim.copy"; }
planted_intact() { still_planted "$1" "$2" && victim_safe; }

kinds="symlink fifo hardlink directory"
[ -n "$OTHER" ] && kinds="$kinds owner"

# ---- the store and its lock: refused ---------------------------------------------
for k in $kinds; do
    fresh
    plant "$k" "$T/state/store"
    hrun "$T/read"
    check "store is a $k: a login check is refused, does not hang (exit $RC)" \
        sh -c "[ $RC != 0 ] && [ $RC != 124 ] && grep -q '^result store' '$T/out'"
    hrun "$T/write"
    check "store is a $k: a change is refused (exit $RC), nothing followed" \
        sh -c "[ $RC != 0 ] && [ $RC != 124 ]"
    check "... the $k is still there, the victim untouched" \
        planted_intact "$k" "$T/state/store"
    grep -q '^event=password_changed' "$T/ev" && nok "... but a change was audited"
done

for k in $kinds; do
    fresh
    [ "$k" = owner ] || plant "$k" "$T/state/store.lock"
    [ "$k" = owner ] && { : >"$T/state/store.lock"; chmod 600 "$T/state/store.lock";
                          chown "$OTHER" "$T/state/store.lock"; }
    hrun "$T/write"
    check "lock is a $k: a change is refused, does not hang (exit $RC)" \
        sh -c "[ $RC = 7 ] && cmp -s '$T/state/store' '$T/pristine'"
    check "... the $k is still there, the victim untouched" \
        planted_intact "$k" "$T/state/store.lock"
    hrun "$T/read"
    check "lock is a $k: a login check needs no lock and still works" [ "$RC" = 0 ]
done
fresh
: >"$T/state/store.lock"
chmod 644 "$T/state/store.lock"
hrun "$T/write"
check "a lock others can open (mode 0644) is refused" [ "$RC" = 7 ]

# ---- write-only names: never followed -------------------------------------------
for name in store.tmp store.bak store.bak.tmp; do
    for k in $kinds; do
        fresh
        plant "$k" "$T/state/$name"
        hrun "$T/write"
        if [ "$k" = directory ]; then
            check "$name is a directory: the change fails cleanly (exit $RC)" \
                sh -c "[ $RC = 7 ] && cmp -s '$T/state/store' '$T/pristine'"
        else
            check "$name is a $k: replaced, the change is made (exit $RC)" \
                sh -c "[ $RC = 0 ] && ! cmp -s '$T/state/store' '$T/pristine'"
        fi
        check "... nothing written through it, victim intact, store valid" \
            sh -c "cmp -s '$T/victim' '$T/victim.copy' && '$STORECHECK' '$T/state/store' >/dev/null"
        [ "$RC" = 124 ] && nok "... it hung"
    done
done

# ---- the audit chain's key and state (beside the store) ---------------------------
# They are written in place, so nothing planted there may be used: the
# change itself goes on (its audit line then goes out unsealed).
for name in audit.key audit.chain; do
    for k in $kinds; do
        fresh
        plant "$k" "$T/state/$name"
        hrun "$T/write"
        check "$name is a $k: refused, no hang, nothing written through (exit $RC)" \
            sh -c "[ $RC != 124 ] && '$STORECHECK' '$T/state/store' >/dev/null"
        check "... the $k is still there, the victim untouched" planted_intact "$k" "$T/state/$name"
    done
done

# ---- the configuration, a block list, the audit socket ---------------------------
fresh
mkfifo -m 600 "$T/conf.fifo"
sed "s|config .*|config $(printf '%s' "$T/conf.fifo" | penc)|" "$T/read" >"$T/read.fifo"
hrun "$T/read.fifo"
check "the configuration is a FIFO: refused at once (exit $RC)" [ "$RC" = 11 ]
ln -s "$T/conf" "$T/conf.link"
sed "s|config .*|config $(printf '%s' "$T/conf.link" | penc)|" "$T/read" >"$T/read.link"
hrun "$T/read.link"
check "the configuration is a symbolic link: refused (exit $RC)" [ "$RC" = 11 ]

mkfifo -m 600 "$T/words"
write_conf "$T/conf" "blocklist = $T/words"
hrun "$T/write"
check "a block list that is a FIFO: the change is refused, no hang (exit $RC)" \
    sh -c "[ $RC != 0 ] && [ $RC != 124 ] && cmp -s '$T/state/store' '$T/pristine'"

mkfifo -m 600 "$T/fifo.log"
write_conf "$T/conf" "audit_socket = $T/fifo.log"
start=$(date +%s)
"$HELPER" <"$T/read" >"$T/out" 2>/dev/null
RC=$?
check "the audit socket path is a FIFO: the answer comes at once (exit $RC)" \
    sh -c "[ $RC = 0 ] && [ $(( $(date +%s) - start )) -lt 5 ]"
finish
