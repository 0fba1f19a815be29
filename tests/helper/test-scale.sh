#!/bin/sh
# test-scale.sh - no internal limit of the CLI <-> helper messages
# reaches the user.  Thousands of names on one command line (what xargs
# produces) and thousands of accounts in one listing, through the real CLI
# and the build-tree helper run by root: every write command with many
# names is still one transaction (all or nothing, one store write) with
# one audit line per account, and every reply is complete.
# SPDX-License-Identifier: BSD-3-Clause
#
# Needs root (skipped with 77 otherwise): import and enrol only take
# accounts the system knows, so 10,300 throwaway users go into private
# copies of /etc/passwd, group and shadow, bind-mounted in a private mount
# namespace (unshare --mount).  The host's /etc is never touched.  A few
# seconds in all.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

enter_private_ns PWR_SCALE_NS "$here/test-scale.sh"

# ---- inside the private mount namespace ----------------------------------
cli_workdir pwrscale
mkdir -m 700 "$T/etc" "$T/state"
private_etc_begin
# pws00001..pws10000 with a password in shadow; pwe001..pwe300 without one.
# Ids above every id in use (free_ids would ask NSS 10,000 times).
base=$(cat /etc/passwd /etc/group | awk -F: '$3 > m && $3 < 4000000000 { m = $3 } END { print m + 1000 }')
HASH=$(printf 'Scale-Test-Pw-1\n' | "$MKHASH" password 1)
awk -v b="$base" -v h="$HASH" -v d="$T/etc" 'BEGIN {
    for (i = 1; i <= 10300; i++) {
        n = i <= 10000 ? sprintf("pws%05d", i) : sprintf("pwe%03d", i - 10000)
        printf "%s:x:%d:%d::/nonexistent:/usr/sbin/nologin\n", n, b + i, b >>(d "/passwd")
        printf "%s:%s:20000:0:99999:7:::\n", n, i <= 10000 ? h : "!" >>(d "/shadow")
    }
    printf "pwscale:x:%d:\n", b >>(d "/group")
}'
private_etc_mount pws10000

write_conf "$T/conf" "store = $T/state/store" "audit_socket = $T/log" \
    "fail_delay = 0" "hash_cost = 1"

# names PREFIX FROM TO: one login per line.
names() { seq -f "$1%0${4:-5}g" "$2" "$3"; }
# The number of events of the last run named $1, and of distinct users.
nev() { grep -c "^event=$1 " "$T/ev"; }
nusers() { sed -n "s/^event=$1 user=\([^ ]*\) .*/\1/p" "$T/ev" | sort -u | wc -l; }
store_count() { sed -n 's/^end \([0-9]*\)$/\1/p' "$T/state/store"; }
json_count() { # FILE PREFIX: accounts whose login starts with PREFIX
    python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
print(len([o for o in a if o["user"].startswith(sys.argv[2])]))' "$1" "$2"
}
# eqs A B [C D]...: A = B and C = D ...
eqs() {
    while [ $# -ge 2 ]; do [ "$1" = "$2" ] || return 1; shift 2; done
}
command -v python3 >/dev/null 2>&1 || skip_all "no python3 to check the JSON"

# ---- import: 5,000 names on one command line --------------------------------
# shellcheck disable=SC2046
run import $(names pws 1 5000)
check "import of 5,000 named accounts" \
    eqs "$RC" 0 "$(nev account_enrolled)" 5000 "$(grep -c . "$T/ev")" 5000
check "... prints one line per account" \
    [ "$(grep -c '^pws[0-9]*: changed (imported)$' "$T/out")" = 5000 ]
check "... and the store holds them all" [ "$(store_count)" = 5000 ]
check "... one audit line per account, each account once" \
    [ "$(nusers account_enrolled)" = 5000 ]

cp "$T/state/store" "$T/before"
# shellcheck disable=SC2046
run import $(names pws 5001 9999) nosuchuser1
expect "import of 5,000 names with one unknown to the system: all refused" 4 ""
check "... and nothing written" cmp -s "$T/state/store" "$T/before"
cp "$T/state/store" "$T/before"
# shellcheck disable=SC2046
run import $(names pws 5001 9999) pwe001
check "import of 5,000 names, one of them without a password: all refused (exit 5)" \
    [ "$RC" = 5 ]
check "... saying which one and why" grep -q "pwe001" "$T/err"
check "... and nothing written" cmp -s "$T/state/store" "$T/before"
# shellcheck disable=SC2046
run import $(names pws 5001 9999)
check "import of the 4,999 others" \
    eqs "$RC" 0 "$(grep -c '^pws[0-9]*: changed (imported)$' "$T/out")" 4999
check "... in one store write" cmp -s "$T/state/store.bak" "$T/before"

run import
check "import of the whole shadow file takes the rest" \
    eqs "$RC" 0 "$(grep -c '^pws10000: changed (imported)$' "$T/out")" 1
check "... skipping those already in the store" \
    grep -q '^pws00001: unchanged (already in the store)$' "$T/out"

# ---- status: every account ----------------------------------------------------
run status --json
check "status --json lists every account (10,000)" \
    eqs "$RC" 0 "$(json_count "$T/out" pws)" 10000
check "... as many as the store holds" \
    [ "$(json_count "$T/out" '')" = "$(store_count)" ]
run status
check "status lists every account as text too" \
    [ "$(grep -c '^pws[0-9]*: active' "$T/out")" = 10000 ]

# ---- bulk writes with thousands of names --------------------------------------
cp "$T/state/store" "$T/before"
# shellcheck disable=SC2046
run force-reset $(names pws 1 5000)
check "force-reset of 5,000 named accounts" \
    eqs "$RC" 0 "$(grep -c '^pws[0-9]*: changed$' "$T/out")" 5000
check "... one audit line per account" \
    eqs "$(nev force_password_reset_set)" 5000 "$(nusers force_password_reset_set)" 5000
check "... in one store write" cmp -s "$T/state/store.bak" "$T/before"
run status --json pws00001 pws05000 pws05001
check "... flagged exactly those" python3 -c '
import json, sys
a = {o["user"]: o["must_change"] for o in json.load(open(sys.argv[1]))}
assert a == {"pws00001": True, "pws05000": True, "pws05001": False}, a' "$T/out"

# Each name twice: one change per account.
# shellcheck disable=SC2046
run block --keep-sessions --reason scale $(names pws 6001 8000) $(names pws 6001 8000)
check "block of 2,000 accounts each named twice changes each once" \
    eqs "$RC" 0 "$(grep -c '^pws[0-9]*: changed (now blocked)$' "$T/out")" 2000 \
        "$(nev account_blocked)" 2000

# shellcheck disable=SC2046
run unblock $(names pws 6001 8000) pws00001
check "unblock of 2,000 blocked accounts and one active one" \
    eqs "$RC" 0 "$(nev account_unblocked)" 2000 "$(grep -c . "$T/ev")" 2000 \
        "$(grep -c '^pws00001: unchanged' "$T/out")" 1

# Codes: more than the 256 one reply used to hold, every one printed once.
# shellcheck disable=SC2046
run reset-code --json $(names pws 1 300)
check "reset-code for 300 accounts prints 300 codes" \
    eqs "$RC" 0 "$(grep -c '"code": "[^"]' "$T/out")" 300 "$(nev reset_code_issued)" 300
check "... one JSON object per line" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 300 and len({r["user"] for r in rows}) == 300, len(rows)' "$T/out"
# shellcheck disable=SC2046
run enrol --pending $(names pwe 1 300 3)
check "enrol --pending of 300 accounts prints 300 setup codes" \
    eqs "$RC" 0 "$(grep -c '^pwe[0-9]*: setup code ' "$T/out")" 300 "$(nev account_enrolled)" 300

finish
