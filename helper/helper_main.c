/* helper_main.c - pwreset-helper: the setuid-root program that is the only
 * writer of the store (protocol in pwr_proto.h and
 * pwreset-helper(8)).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * pwreset-helper MUST, in this order:
 *  1. refuse to run with argv[0] missing or empty (argc 0, which Linux
 *     turns into argv[0] == "") or with any argument (hx_setup_process);
 *  2. make sure fds 0, 1 and 2 are open (/dev/null on closed ones) and
 *     close every other fd it inherited (hx_setup_process);
 *  3. throw the caller's environment away (clearenv): nothing it holds -
 *     PATH, IFS, LD_*, locale, TZ, MALLOC_* - may steer the helper; the
 *     dynamic loader already ignores LD_PRELOAD in a set-uid process;
 *  4. cancel inherited interval timers, set umask 077, reset every signal
 *     to its default, ignore SIGPIPE (a caller that goes away makes the
 *     reply write fail, it never kills the helper), and block the terminal
 *     and timer signals (SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU,
 *     SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ) for the whole run so
 *     neither a terminal nor a timer can stop it inside a transaction;
 *  5. turn core dumps off (PR_SET_DUMPABLE 0, RLIMIT_CORE 0): its memory
 *     holds secrets; and raise RLIMIT_FSIZE (and the other limits a caller
 *     could shrink to make a write fail half-way) - or, when that is not
 *     allowed, refuse to write at all (hx_lift_fsize); raise the stack
 *     limit or refuse to start; undo the nice value and idle scheduling of
 *     a caller other than root (helper_setup.c);
 *  6. refuse a terminal on stdin: it is driven by programs over a pipe;
 *  7. identify the caller by the REAL uid only (getuid), never by a name,
 *     an environment variable or a request field; then, when privileged,
 *     make the real uid 0 (hx_become_root) so the caller cannot signal it
 *     between a decision and its audit event;
 *  8. read exactly one request from stdin, at most PWR_PROTO_REQUEST_MAX
 *     bytes in frames of PWR_PROTO_MAX, and
 *     reject an unknown op or a key the op does not take;
 *  9. use a caller-supplied path ("config", "shadow") only when the real
 *     uid is 0 or when it runs without privilege (as in the test suite);
 *     while privileged such a request is refused and audited;
 * 10. authorize every op against the caller (helper_auth.c): root does
 *     everything; admin_group members act on ordinary accounts only (not
 *     uid 0, system accounts, protected_groups, admin_group or
 *     protected_users members); others
 *     verify, change or read only their own account; every refusal is
 *     audited as permission_denied;
 * 11. change the store only through pwr_store_transact, once per request;
 * 12. write exactly the documented audit events, never a secret or hash,
 *     and never let a change be seen without its event (helper_intent.c);
 * 13. write exactly one reply to stdout (a long one in several frames,
 *     result in the last), after every event is sent and every lock
 *     dropped, and exit with its pwr_code;
 * 14. wipe every secret it held (request values, generated secrets, hashes
 *     in records) before exit, on every path.
 * 15. never answer "no such account" for a store that is expected but
 *     missing, nor make a new empty one in its place (hx_open_store,
 *     pwr_expect.h); once the store is in place, list its path in the
 *     marker pwreset.stores beside the configuration it read - the only
 *     file it creates outside the store's directory (hx_mark_store).
 * It never executes anything but loginctl (helper_logout.c), chage after a
 * password change (helper_shadow.c) and, with notify_mail on, the
 * configured sendmail (helper_notice.c), by absolute path, with a fixed
 * environment, and it never writes to stderr after
 * start-up (the caller sends stderr to /dev/null).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"
#include "pwr_chain.h"
#include "pwr_secret.h"

#ifndef PWR_CONFIG_PATH
#error "PWR_CONFIG_PATH must be defined by the build"
#endif

#define COMMON_KEYS "op config service rhost tty "

struct op_entry {
    const char *name;
    int (*fn)(struct hx *hx, struct pwr_err *err);
    int self_service; /* also for callers who are neither root nor admin */
    const char *keys; /* keys this op takes besides COMMON_KEYS */
};

static const struct op_entry ops[] = {
    { "verify", hx_op_verify, 1, "user password" },
    { "chauthtok", hx_op_chauthtok, 1, "user new proof notice_shown" },
    { "code_failed", hx_op_code_failed, 1, "user" },
    { "status", hx_op_status, 1, "user" },
    { "set_password", hx_op_set_password, 0,
      "user password temporary must_change ttl logout allow_reuse" },
    { "temp_password", hx_op_temp_password, 0, "user ttl must_change logout" },
    { "force_reset", hx_op_force_reset, 0, "user group all clear dry_run" },
    { "reset_code", hx_op_reset_code, 0, "user ttl" },
    { "block", hx_op_block, 0, "user reason keep_sessions" },
    { "unblock", hx_op_unblock, 0, "user reason" },
    { "deactivate", hx_op_deactivate, 0, "user reason keep_sessions" },
    { "activate", hx_op_activate, 0, "user reason" },
    { "delete", hx_op_delete, 0, "user logout reason keep_sessions" },
    { "enrol", hx_op_enrol, 0, "user pending ttl" },
    { "import", hx_op_import, 0, "user shadow" },
    { "logout", hx_op_logout, 0, "user" },
    /* undo a delete; root only, checked by the op */
    { "purge", hx_op_purge, 0, "user reason" },
    { "undelete", hx_op_undelete, 0, "user reason" },
    /* login-time ops of the module; root only, checked by the op */
    { "grace_used", hx_op_grace_used, 1, "user" },
    { "breach_flag", hx_op_breach_flag, 1, "user" },
    /* the module showed the admin-action notice (own account) */
    { "notice_seen", hx_op_notice_seen, 1, "user" },
};

/* 1 if key is a word of the space-separated list. */
static int key_in(const char *key, const char *list)
{
    size_t klen = strlen(key);
    const char *p = list;

    while (*p != '\0') {
        size_t wlen = strcspn(p, " ");

        if (wlen == klen && memcmp(p, key, klen) == 0)
            return 1;
        p += wlen;
        p += strspn(p, " ");
    }
    return 0;
}

static int check_keys(const struct pwr_msg *req, const struct op_entry *op,
                      struct pwr_err *err)
{
    size_t i;

    for (i = 0; i < req->n; i++) {
        const char *k = req->fields[i].key;

        if (strcmp(k, "user") != 0 && pwr_msg_count(req, k) > 1)
            return pwr_fail(err, PWR_E_USAGE, "key '%s' given twice", k);
        if (!key_in(k, COMMON_KEYS) && !key_in(k, op->keys))
            return pwr_fail(err, PWR_E_USAGE, "op '%s' takes no key '%s'",
                            op->name, k);
    }
    return 0;
}

static const struct op_entry *find_op(const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < PWR_ARRAY_SIZE(ops); i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

/* The ops a login runs (pam_pwreset asks the helper when it cannot read
 * the store itself, e.g. in a screen locker) read the configuration as the
 * module does (fail safe): a bad line is skipped and its key keeps
 * the default, so a typo never locks out an account outside the store.  A
 * file with no usable store setting, or that others could write, still
 * fails.  Every other op reads it strictly and names the first problem. */
#define LENIENT_OPS "verify code_failed status notice_seen grace_used breach_flag"

static int read_config(struct hx *hx, const char *path, int must_exist,
                       int lenient, struct pwr_err *err)
{
    struct pwr_config_lenient len;

    hx->config_path = path;
    if (!lenient || (must_exist && access(path, F_OK) < 0))
        return pwr_config_load(&hx->cfg, path, must_exist, err);
    memset(&len, 0, sizeof(len));
    if (pwr_config_load_lenient(&hx->cfg, path, &len, err) < 0)
        return -1;
    if (len.unsafe) {
        *err = len.unsafe_problem;
        return -1;
    }
    hx->cfg_problems = len.problems;
    return 0;
}

/* The compiled-in config always; a requested one only when allowed.  The
 * default is read even when the request's is refused, so the refusal is
 * audited where the administrator looks. */
static int load_config(struct hx *hx, const struct op_entry *op,
                       struct pwr_err *err)
{
    const char *asked = pwr_msg_get(hx->req, "config");
    int lenient = op != NULL && key_in(op->name, LENIENT_OPS);

    pwr_config_defaults(&hx->cfg);
    if (asked != NULL && hx->path_allowed)
        return read_config(hx, asked, 1, lenient, err);
    if (read_config(hx, PWR_CONFIG_PATH, 0, lenient, err) < 0)
        return -1;
    if (asked != NULL)
        return hx_deny(hx, NULL, "caller_config", err,
                       "a configuration path is honoured only for root");
    return 0;
}

/* Longest service, rhost or tty a request may carry, in bytes: they only
 * go into the audit events, as pwreset-helper(8) documents. */
#define HX_ITEM_MAX 255

static int run_request(struct hx *hx, struct pwr_err *err)
{
    const struct op_entry *op = find_op(pwr_msg_get(hx->req, "op"));

    if (load_config(hx, op, err) < 0)
        return -1;
    hx->is_admin = hx->caller_has_login &&
                   hx_in_admin_group(&hx->cfg, hx->caller, hx->caller_gid);
    if (op == NULL)
        return pwr_fail(err, PWR_E_USAGE, "unknown or missing op");
    hx->op = op->name;
    hx->admin_op = !op->self_service;
    if (check_keys(hx->req, op, err) < 0)
        return -1;
    if (hx_req_text(hx, "service", HX_ITEM_MAX, &hx->service, err) < 0 ||
        hx_req_text(hx, "rhost", HX_ITEM_MAX, &hx->rhost, err) < 0 ||
        hx_req_text(hx, "tty", HX_ITEM_MAX, &hx->tty, err) < 0)
        return -1;
    if (!op->self_service &&
        hx_require_admin(hx, pwr_msg_get(hx->req, "user"), err) < 0)
        return -1;
    if (pwr_crypto_init(err) < 0)
        return -1;
    return op->fn(hx, err);
}

/* result and message first, then the op's own keys (only on success or
 * when the op left keys that explain a failure, e.g. policy violations).
 * Keys that do not fit in one frame with them are sent first, in frames
 * that say "more": the frame with result and message is always the last. */
static void send_reply(struct hx *hx, enum pwr_code code, const char *msg)
{
    struct pwr_msg rep;
    struct pwr_err err;
    size_t i;
    int rc;

    pwr_msg_init(&rep);
    rc = pwr_msg_add(&rep, "result", pwr_code_name(code), &err);
    if (rc == 0)
        rc = pwr_msg_add(&rep, "message", msg, &err);
    if (rc == 0 && hx->audit_failed)
        rc = pwr_msg_add(&rep, "audit", hx_audit_error(), &err);
    if (rc == 0 && !hx_out_fits(hx, pwr_msg_size(&rep, 0, rep.n)))
        hx_out_flush_all(hx);
    for (i = 0; rc == 0 && i < hx->out.n; i++)
        rc = pwr_msg_add(&rep, hx->out.fields[i].key, hx->out.fields[i].value,
                         &err);
    if (rc == 0 && !hx->reply_lost)
        (void)pwr_msg_write(STDOUT_FILENO, &rep, &err);
    pwr_msg_free(&rep);
}

int main(int argc, char **argv)
{
    /* Off the stack: 10 KiB a caller's small stack limit need not hold. */
    static struct hx hx;
    struct pwr_msg req;
    struct pwr_err err;
    enum pwr_code code = PWR_OK;

    hx_setup_process(argc, argv);
    memset(&hx, 0, sizeof(hx));
    pwr_msg_init(&hx.out);
    pwr_msg_init(&req);
    pwr_err_clear(&err);
    hx.req = &req;
    hx.now = pwr_now();
    pwr_audit_keep_socket(1); /* bulk actions send one event per account */
    hx_identify(&hx);
    if (pwr_msg_read(STDIN_FILENO, &req, &err) < 0 ||
        run_request(&hx, &err) < 0) {
        code = err.code == PWR_OK ? PWR_E_INTERNAL : err.code;
        hx_add_repair(&hx, &err);
    }
    /* Done and audited before the reply, which the caller may never read:
     * none left by the ops; if one were, still send it. */
    hx_audit_flush(&hx);
    hx_intent_done();
    hx_mark_store(&hx);
    pwr_chain_close();
    pwr_audit_keep_socket(0);
    send_reply(&hx, code, code == PWR_OK ? hx.message : err.msg);
    pwr_store_close(hx.store);
    pwr_msg_free(&hx.out);
    pwr_msg_free(&req);
    pwr_wipe(&hx, sizeof(hx));
    return (int)code;
}
