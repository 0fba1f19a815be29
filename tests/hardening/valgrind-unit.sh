#!/bin/sh
# valgrind-unit.sh [BUILDDIR] - every unit-test binary (tests/unit/test_*,
# tests/helper/test_proto) and every fuzz corpus replayer under
# valgrind --leak-check=full --error-exitcode=1, with CK_FORK=no so the
# tests run in the process valgrind watches.  A leak, an invalid read or
# write, a use of uninitialised memory or a failing test fails the script.
# SPDX-License-Identifier: BSD-3-Clause
#
# BUILDDIR is a build WITHOUT --enable-sanitizers (default: $top_builddir,
# else the current directory), after `make check` built the test programs.
# Children the tests fork are followed (--trace-children=no: a child that
# execs another program is that program's business, but forked children
# are checked too, --child-silent-after-fork=no).  Exit 0 all clean, 1 a
# finding, 77 no valgrind, 99 nothing to run.
set -u

build=${1:-${top_builddir:-.}}
src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: no valgrind"; exit 77; }
if grep -q 'fsanitize=address' "$build/Makefile" 2>/dev/null; then
    echo "valgrind-unit.sh: $build is a sanitizer build; use a plain one" >&2
    exit 99
fi

build=$(cd "$build" && pwd)
# What `make check` gives every test (AM_TESTS_ENVIRONMENT).
top_srcdir=$src
top_builddir=$build
CK_FORK=no
CK_DEFAULT_TIMEOUT=1200
export top_srcdir top_builddir CK_FORK CK_DEFAULT_TIMEOUT

vg() {
    valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 \
        --child-silent-after-fork=no --track-fds=no "$@"
}

run=0 failed=0
for t in "$build"/tests/unit/test_* "$build"/tests/helper/test_proto; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    case $t in *.o | *.log | *.trs) continue ;; esac
    run=$((run + 1))
    start=$(date +%s)
    if (cd "$build" && vg "$t") >"$build/valgrind-$(basename "$t").log" 2>&1; then
        echo "ok - $(basename "$t") ($(($(date +%s) - start)) s)"
    else
        echo "not ok - $(basename "$t"): see $build/valgrind-$(basename "$t").log"
        tail -20 "$build/valgrind-$(basename "$t").log" | sed 's/^/#   /'
        failed=$((failed + 1))
    fi
done
for t in record store config proto audit; do
    p=$build/fuzz/replay_$t
    [ -x "$p" ] || continue
    run=$((run + 1))
    if vg "$p" "$src/fuzz/corpus/$t" >"$build/valgrind-replay_$t.log" 2>&1; then
        echo "ok - fuzz corpus $t"
    else
        echo "not ok - fuzz corpus $t: see $build/valgrind-replay_$t.log"
        tail -20 "$build/valgrind-replay_$t.log" | sed 's/^/#   /'
        failed=$((failed + 1))
    fi
done
[ "$run" -gt 0 ] || { echo "valgrind-unit.sh: no test binaries in $build (run make check first)" >&2; exit 99; }
echo "$run program(s) under valgrind, $failed with findings"
[ "$failed" = 0 ]
