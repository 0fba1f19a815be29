#!/bin/sh
# lint.sh [BUILDDIR] - static analysis of lib/, helper/, cli/ and pam_module/:
# cppcheck, then clang-tidy with the clang static analyzer (the engine of
# scan-build) and the bugprone and CERT checks.  Exit 0 when both run clean,
# 1 on a finding, 77 when neither tool is installed.
# SPDX-License-Identifier: BSD-3-Clause
#
# BUILDDIR is any configured build directory (for config.h; default
# $top_builddir, else the current directory).  False positives are listed,
# each with its reason, in tests/hardening/cppcheck.supp and below; a real
# finding is fixed in the code.  LINT_JOBS sets clang-tidy's parallelism
# (default 2).
set -u

src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=$(cd "${1:-${top_builddir:-.}}" && pwd)
[ -f "$build/config.h" ] || { echo "lint.sh: no config.h in $build (configure first)" >&2; exit 99; }
cd "$src" || exit 99

files=$(ls lib/*.c lib/*/*.c helper/*.c cli/*.c pam_module/*.c)
# lib and each folder of it are on the include path (as AM_CPPFLAGS says)
incs=$(for d in lib lib/*/; do printf ' -I%s' "${d%/}"; done)
defs="-DPWR_CONFIG_PATH=\"/etc/security/pwreset.conf\" -DPWR_STORE_PATH=\"/var/lib/pwreset/store\" -DPWR_HELPER_PATH=\"/usr/sbin/pwreset-helper\""
status=0 ran=0

if command -v cppcheck >/dev/null 2>&1; then
    ran=1
    # shellcheck disable=SC2086
    if cppcheck -q --std=c11 --enable=warning,portability,performance \
        --error-exitcode=1 --inline-suppr --suppress=missingIncludeSystem \
        --suppressions-list=tests/hardening/cppcheck.supp \
        --template='{file}:{line}: {severity}: {message} [{id}]' \
        $incs -I "$build" $defs -j 2 $files; then
        echo "ok - cppcheck: $(echo "$files" | wc -w) files clean"
    else
        echo "not ok - cppcheck"
        status=1
    fi
fi

# Checks left out, and why:
#  cert-err33-c: flags every unchecked printf/fprintf/snprintf; the code
#    checks snprintf where truncation matters and output errors where they
#    matter (fflush(stdout) at exit), the rest is diagnostics to stderr.
#  bugprone-easily-swappable-parameters: style, not a defect.
#  bugprone-implicit-widening-of-multiplication-result: every product it
#    names is of small constants (MINUTE * 60, ms * 1000000L).
#  bugprone-sizeof-expression: flags malloc(n * sizeof(*p)) for arrays of
#    pointers (struct ins **, sorted event pointers), which is intended.
#  bugprone-not-null-terminated-result: write_field() in pwr_audit_line.c
#    fills a slice of a line its caller terminates.
#  bugprone-narrowing-conversions: the one hit stores a byte already known
#    to be in 0x21..0x7e into a char.
#  cert-err34-c: the remaining sscanf calls read two-digit fields (%2d), which
#    cannot overflow; the unbounded ones were replaced by strtoll/strtoull.
#  clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling:
#    asks for the C11 Annex K functions (memset_s, snprintf_s), which glibc
#    does not provide; every memcpy/snprintf it names has its size bounded.
#  clang-analyzer-optin.performance.Padding: struct layout for speed; the
#    structs it names are small tables and per-call contexts.
checks='-*,clang-analyzer-*,bugprone-*,cert-*,-cert-err33-c,-cert-err34-c,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-clang-analyzer-optin.performance.Padding,-bugprone-easily-swappable-parameters,-bugprone-implicit-widening-of-multiplication-result,-bugprone-sizeof-expression,-bugprone-not-null-terminated-result,-bugprone-narrowing-conversions'
if command -v clang-tidy >/dev/null 2>&1; then
    ran=1
    db=$(mktemp -d)
    # A compilation database, so every flag reaches clang unmangled.
    {
        echo '['
        sep=
        for f in $files; do
            printf '%s{"directory": "%s", "file": "%s", "arguments": ["cc", "-std=gnu11"' \
                "$sep" "$src" "$f"
            for i in $incs "-I$build"; do printf ', "%s"' "$i"; done
            for i in $(pkg-config --cflags-only-I libsodium 2>/dev/null); do printf ', "%s"' "$i"; done
            printf ', "-DPWR_CONFIG_PATH=\\"/etc/security/pwreset.conf\\""'
            printf ', "-DPWR_STORE_PATH=\\"/var/lib/pwreset/store\\""'
            printf ', "-DPWR_HELPER_PATH=\\"/usr/sbin/pwreset-helper\\""'
            printf ', "-c", "%s"]}\n' "$f"
            sep=,
        done
        echo ']'
    } >"$db/compile_commands.json"
    echo "$files" | tr ' ' '\n' | xargs -P "${LINT_JOBS:-2}" -n 1 \
        clang-tidy -quiet -p "$db" --checks="$checks" 2>/dev/null >"$db/out"
    if grep -q 'warning:\|error:' "$db/out"; then
        echo "not ok - clang-tidy (static analyzer, bugprone, cert)"
        grep -A3 'warning:\|error:' "$db/out" | sed 's/^/#   /'
        status=1
    else
        echo "ok - clang-tidy (static analyzer, bugprone, cert): clean"
    fi
    rm -rf "$db"
fi
[ "$ran" = 1 ] || { echo "SKIP: neither cppcheck nor clang-tidy installed"; exit 77; }
exit "$status"
