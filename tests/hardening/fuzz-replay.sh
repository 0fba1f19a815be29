#!/bin/sh
# fuzz-replay.sh - every fuzz target over its whole corpus (seeds and every
# regression input found by fuzz/run), without libFuzzer: a plain main
# feeds each file to LLVMFuzzerTestOneInput.  A broken property aborts.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

for t in record store config proto audit; do
    prog=$top_builddir/fuzz/replay_$t
    corpus=$top_srcdir/fuzz/corpus/$t
    [ -x "$prog" ] || hard_error "$prog not built"
    [ -d "$corpus" ] || hard_error "no corpus $corpus"
    n=$(find "$corpus" -type f | wc -l)
    if out=$("$prog" "$corpus" 2>&1); then
        ok "$t: $n corpus input(s) replayed, every property holds"
    else
        nok "$t: replay failed"
        printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'
    fi
done
finish
