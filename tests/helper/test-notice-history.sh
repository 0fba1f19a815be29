#!/bin/sh
# test-notice-history.sh - notices, history and password age through the
# real CLI and the build-tree pwreset-helper run WITHOUT privilege (like
# test-cli.sh): admin actions leave a one-time notice in the record and
# self-service does not;
# the notice mail goes to a fake sendmail that records its input, never
# holds a secret, and a failing or missing sendmail is audited and never
# blocks the action; history = N refuses reuse for the user and for
# set-password unless --allow-reuse (audited); pwreset status shows when a
# password reaches max_age.
# SPDX-License-Identifier: BSD-3-Clause
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$here/../..}"
. "$top_srcdir/tests/helper/lib.sh"

as_nobody "$here/test-notice-history.sh"
cli_workdir pwrnh

need_accounts 3

# The fake sendmail: records its arguments and its input, a file each.
{
    echo '#!/bin/sh'
    echo "n=\$(ls '$T' | grep -c '^mail\\.[0-9]*\$')"
    printf '%s\n' "printf '%s\\n' \"\$@\" >'$T/mail.'\$n'.args'"
    echo "cat >'$T/mail.'\$n"
    echo 'exit 0'
} >"$T/sendmail"
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$T/sendmail-fails"
# A sendmail that hangs, with a child of its own that hangs too.
printf '#!/bin/sh\necho start >>"%s/hang.starts"\nsleep 300 &\necho $! >"%s/hang.child"\nexec sleep 301\n' \
    "$T" "$T" >"$T/sendmail-hangs"
chmod 755 "$T/sendmail" "$T/sendmail-fails" "$T/sendmail-hangs"

cli_conf_defaults
I9="history = 3|max_age = 90d|warn_age = 7d|contact = the helpdesk on 555-0100"
IFS='|'
# shellcheck disable=SC2086
write_conf "$T/conf" $I9 "notify_mail = yes" \
    "mail_from = pwreset-notices@example.org" "sendmail = $T/sendmail"
# shellcheck disable=SC2086
write_conf "$T/conf_fail" $I9 "notify_mail = yes" "sendmail = $T/sendmail-fails"
# shellcheck disable=SC2086
write_conf "$T/conf_missing" $I9 "notify_mail = yes" \
    "sendmail = $T/no-such-sendmail"
# shellcheck disable=SC2086
write_conf "$T/conf_hang" $I9 "notify_mail = yes" "sendmail = $T/sendmail-hangs" \
    "sendmail_timeout = 300"
# shellcheck disable=SC2086
write_conf "$T/conf_nomail" $I9
unset IFS
write_conf "$T/conf_h0"

hash_of() { printf '%s\n' "$1" | "$MKHASH" password 1; }
pwfile() { printf '%s\n' "$@" >"$T/in"; }
rec() { grep "^$1 " "$T/store"; }
mails() { find "$T" -maxdepth 1 -name 'mail.[0-9]*' ! -name '*.args' | grep -c .; }
rec_has() { rec "$1" | grep -q -e "$2"; }

PW_ME=Amber-Falcon-Quartz-8812
secret "$PW_ME"
printf 'pwreset-store 1\n%s status=active hash=%s changed=1\nend 1\n' \
    "$ME" "$(hash_of "$PW_ME")" >"$T/store"
chmod 600 "$T/store"

run --conf "$T/conf_nomail" enrol "$U1" "$U2" "$U3"
[ "$RC" = 0 ] || hard_error "enrol failed: $(cat "$T/err")"

# ---- notices and mail ------------------------------------------------------
PW1=Velvet-Harbor-Lantern-5520
secret "$PW1"
pwfile "$PW1"
run --in "$T/in" set-password "$U1" --stdin --yes
expect "set-password works with notify_mail on" 0 "password_set_by_admin"
check "set-password leaves a notice in the record, with actor and time" \
    rec_has "$U1" " notice=password_set notice_by=$ME notice_at=[0-9]"
check "one mail was handed to sendmail" [ "$(mails)" = 1 ]
printf -- '-oi\n-f\npwreset-notices@example.org\n--\n%s\n' "$U1" >"$T/want.args"
check "... addressed to the user, from mail_from, after --" \
    cmp -s "$T/want.args" "$T/mail.0.args"
check "... saying what, by whom, when and whom to contact" \
    grep -q "Your password was reset by $ME on .* UTC. If you did not expect this, contact the helpdesk on 555-0100." "$T/mail.0"
check "... with a subject" \
    grep -q '^Subject: Your account: password reset by an administrator' "$T/mail.0"
check "... and not the password" sh -c "! grep -qF '$PW1' '$T/mail.0'"

run reset-code "$U2" --json
expect "reset-code works with notify_mail on" 0 "reset_code_issued"
CODE2=$(sed -n 's/.*"code": "\([^"]*\)".*/\1/p' "$T/out")
secret "$CODE2"
check "reset-code leaves notice=reset_code" rec_has "$U2" " notice=reset_code "
check "... and its mail tells it but holds no code" \
    sh -c "[ -n '$CODE2' ] && grep -q 'reset code was issued' '$T/mail.1' && ! grep -qiF '$CODE2' '$T/mail.1'"

run temp-password "$U3" --yes --json
expect "temp-password works with notify_mail on" 0 "password_set_by_admin"
TMP3=$(sed -n 's/.*"password": "\([^"]*\)".*/\1/p' "$T/out")
secret "$TMP3"
check "temp-password leaves notice=temp_password" rec_has "$U3" " notice=temp_password "
check "... and its mail holds no password" \
    sh -c "[ -n '$TMP3' ] && [ -f '$T/mail.2' ] && ! grep -qF '$TMP3' '$T/mail.2'"

run force-reset "$U1"
expect "force-reset works with notify_mail on" 0 "force_password_reset_set"
check "force-reset replaces the notice with force_reset" rec_has "$U1" " notice=force_reset "
run force-reset --clear "$U1"
expect "force-reset --clear" 0 "force_password_reset_cleared"
check "... clears the notice the flag left, and sends no mail" \
    sh -c "grep -q '^$U1 ' '$T/store' && ! grep '^$U1 ' '$T/store' | grep -q ' notice=' && [ $(mails) = 4 ]"
run force-reset --clear "$U3"
expect "force-reset --clear of a flag set by temp-password" 0 \
    "force_password_reset_cleared"
check "... keeps that action's own notice" rec_has "$U3" " notice=temp_password "

run --conf "$T/conf_nomail" block "$U2" --reason test
check "block leaves no new notice (the user cannot log in)" rec_has "$U2" " notice=reset_code "
run --conf "$T/conf_nomail" unblock "$U2"
expect "unblock" 0 "account_unblocked"
check "unblock leaves notice=unblocked" rec_has "$U2" " notice=unblocked "
check "notify_mail off: no mail" [ "$(mails)" = 4 ]
run --conf "$T/conf_nomail" deactivate "$U2"
run --conf "$T/conf_nomail" activate "$U2"
expect "activate" 0 "account_activated"
check "activate leaves notice=activated" rec_has "$U2" " notice=activated "

PW3=Copper-Meadow-Signal-3391
secret "$PW3"
pwfile "$PW3"
run --conf "$T/conf_fail" --in "$T/in" set-password "$U3" --stdin --yes
expect "a failing sendmail never blocks the action, and is audited" 0 \
    "password_set_by_admin notify_failed"
check "... reason sendmail_failed" ev_has "reason=sendmail_failed"
PW3B=Juniper-Cobalt-Raven-6620
secret "$PW3B"
pwfile "$PW3B"
run --conf "$T/conf_missing" --in "$T/in" set-password "$U3" --stdin --yes
expect "a missing sendmail never blocks the action, and is audited" 0 \
    "password_set_by_admin notify_failed"

PW_ME2=Granite-Willow-Beacon-6604
secret "$PW_ME2"
pwfile "$PW_ME" "$PW_ME2"
run --in "$T/in" passwd --stdin
expect "a self-service change" 0 "password_changed"
check "... leaves no notice" sh -c "! grep '^$ME ' '$T/store' | grep -q notice="
check "... and sends no mail" [ "$(mails)" = 4 ]

# ---- history ---------------------------------------------------------------
check "the replaced hash is kept in history= (a crypt hash, not the password)" \
    sh -c "grep '^$ME ' '$T/store' | grep -q ' history=\\\$y\\\$' && ! grep -qF '$PW_ME' '$T/store'"
snap
pwfile "$PW_ME2" "$PW_ME"
run --in "$T/in" passwd --stdin
expect "passwd refuses a password used recently" 6 "policy_rejected"
check "... reason reused_recently" ev_has "reason=reused_recently"
check "... saying so" err_has "It was used recently"
check "... store unchanged" unchanged
PW_U1B=Saffron-Ledger-Orbit-2290
secret "$PW_U1B"
pwfile "$PW_U1B"
run --conf "$T/conf_nomail" --in "$T/in" set-password "$U1" --stdin --yes
expect "an admin sets a second password" 0 "password_set_by_admin"
pwfile "$PW1"
snap
run --conf "$T/conf_nomail" --in "$T/in" set-password "$U1" --stdin --yes
expect "set-password obeys history too" 6 "policy_rejected"
check "... reason reused_recently" ev_has "reason=reused_recently"
check "... store unchanged" unchanged
run --conf "$T/conf_nomail" --in "$T/in" set-password "$U1" --stdin --yes --allow-reuse
expect "set-password --allow-reuse overrides it" 0 "password_set_by_admin"
check "... and the event says so" ev_has "detail=allow_reuse"
for p in Tundra-Mosaic-Ember-7715 Harbor-Nimbus-Thistle-4058 Ochre-Vessel-Prism-3127; do
    secret "$p"
    pwfile "$p"
    run --conf "$T/conf_nomail" --in "$T/in" set-password "$U1" --stdin --yes
done
n=$(rec "$U1" | sed -n 's/.* history=\([^ ]*\).*/\1/p' | tr ';' '\n' | grep -c .)
check "history keeps at most history = 3 hashes (has $n)" [ "$n" = 3 ]
# history is now Harbor, Tundra, PW1 (newest first): PW_U1B fell out
pwfile "$PW_U1B"
run --conf "$T/conf_nomail" --in "$T/in" set-password "$U1" --stdin --yes
expect "a password older than the last 3 is accepted again" 0 "password_set_by_admin"
pwfile "$PW1"
run --conf "$T/conf_h0" --in "$T/in" set-password "$U1" --stdin --yes
expect "history = 0 (the default) refuses nothing" 0 "password_set_by_admin"
check "... and forgets the history at the next change" \
    sh -c "! grep '^$U1 ' '$T/store' | grep -q history="

# ---- status shows the dates ------------------------------------------------
run status "$ME"
check "status shows when the password reaches max_age" out_has "password expires (max_age): "
run status --json "$U2"
check "status --json has password_expires and notice_pending" \
    sh -c "grep -q '\"notice_pending\": \"activated\"' '$T/out' && grep -q '\"password_expires\": ' '$T/out'"
run --conf "$T/conf_h0" status --json "$ME"
check "without max_age password_expires is null" grep -q '"password_expires": null' "$T/out"

# ---- a sendmail that hangs ---------------------------------------------------
count_ev() { grep -c "^event=$1 " "$T/ev"; }
gone() { [ ! -d "/proc/$1" ] || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat"; }
run --conf "$T/conf_hang" force-reset "$U1" "$U2" "$U3"
check "a hanging sendmail never blocks the action (exit $RC)" [ "$RC" = 0 ]
check "... every account is flagged and audited" [ "$(count_ev force_password_reset_set)" = 3 ]
check "... every mail is audited as notify_failed, reason sendmail_timeout" \
    sh -c "[ \"\$(grep -c '^event=notify_failed .*reason=sendmail_timeout' '$T/ev')\" = 3 ]"
check "... sendmail was started once, not once per account" \
    [ "$(grep -c . "$T/hang.starts")" = 1 ]
check "... and it and its child were killed" gone "$(cat "$T/hang.child")"
run --conf "$T/conf_nomail" force-reset --clear "$U1" "$U2" "$U3"

# ---- secrets ---------------------------------------------------------------
sort -u "$T/secrets" | grep -v '^$' >"$T/secrets.u"
check "no test secret appears in any audit line" sh -c "! grep -qiF -f '$T/secrets.u' '$T/audit.all'"
check "no test secret appears in the store" sh -c "! grep -qiF -f '$T/secrets.u' '$T/store'"
check "no test secret appears in any mail" sh -c "! cat '$T'/mail.* | grep -qiF -f '$T/secrets.u'"
finish
