#!/bin/sh
# test-cli-env.sh - the CLI never runs a helper named by the environment for
# root: PWRESET_HELPER is ignored, with a warning, when
# the real or effective uid is 0; --helper on the command line is honoured;
# an unprivileged caller's PWRESET_HELPER is honoured (the test suites rely
# on it).
# SPDX-License-Identifier: BSD-3-Clause
#
# Needs root (skipped with 77 otherwise); the unprivileged case runs as
# nobody through setpriv.  A stand-in helper leaves a mark when it runs.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

PWRESET=$top_builddir/cli/pwreset
[ -x "$PWRESET" ] || hard_error "$PWRESET not built"
[ "$(id -u)" = 0 ] || skip_all "needs root: the rule is about root's environment"

P=$(mktemp -d /tmp/pwrenv.XXXXXX) || hard_error "mktemp"
trap 'rm -rf "$P"' EXIT INT TERM
chmod 755 "$P"
mkdir -m 1777 "$P/marks"
cat >"$P/fake" <<'EOS'
#!/bin/sh
: >"$(dirname "$0")/marks/ran.$(id -u)"
cat >/dev/null
printf 'pwreset-reply 1\ncode 0\nend\n'
EOS
chmod 755 "$P/fake"

PWRESET_HELPER=$P/fake "$PWRESET" status >"$P/out" 2>"$P/err"
check "as root, PWRESET_HELPER does not run the named program" \
    [ ! -e "$P/marks/ran.0" ]
check "... and the CLI says it ignored it" \
    grep -q 'PWRESET_HELPER is ignored when run as root' "$P/err"

"$PWRESET" --helper "$P/fake" status >"$P/out" 2>"$P/err"
check "as root, --helper on the command line is honoured" [ -e "$P/marks/ran.0" ]

if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
    nuid=$(id -u nobody)
    PWRESET_HELPER=$P/fake setpriv --reuid=nobody --regid="$(id -g nobody)" \
        --clear-groups "$PWRESET" status >"$P/out" 2>"$P/err"
    check "as an ordinary user, PWRESET_HELPER is honoured" \
        [ -e "$P/marks/ran.$nuid" ]
else
    echo "# no setpriv or no user nobody: the unprivileged case is not run"
fi
finish
