/* cli.h - the one internal header of pwreset, the admin and self-service
 * CLI (documented in pwreset(8)).
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * pwreset is unprivileged: it checks input early to give clear messages,
 * but every rule that matters is enforced by pwreset-helper.  Files:
 * cli_main.c (global options), cli_commands.c (the command table, option
 * parsing, help), cli_util.c (helper calls, messages), cli_term.c
 * (terminal: secrets, confirmation), cli_json.c (JSON and CSV output),
 * cli_cmds_admin.c (set-password, temp-password, delete, logout),
 * cli_cmds_bulk.c (enrol, import, force-reset, reset-code, block...),
 * cli_cmds_self.c (passwd), cli_status.c (status), cli_check.c
 * (check-config), cli_audit.c (audit).
 */
#ifndef PWR_CLI_H
#define PWR_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pwr_err.h"
#include "pwr_proto.h"
#include "pwr_util.h"

#define CLI_SECRET_MAX 4096 /* bytes of a typed secret, NUL included */

struct cli {
    const char *helper;           /* --helper, $PWRESET_HELPER, or built-in */
    char config[PWR_PATH_MAX];    /* --config, absolute; "" = helper default */
    int json;                     /* --json */
    int yes;                      /* --yes */
    int use_stdin;                /* --stdin */
    int logout;                   /* --logout */
    int keep_sessions;            /* --keep-sessions */
    int dry_run;                  /* --dry-run */
    int clear;                    /* --clear */
    int all;                      /* --all */
    int pending;                  /* --pending */
    int temporary;                /* --temporary */
    int must_change;              /* -1 unset, 0 --no-..., 1 --must-change */
    const char *group;            /* --group */
    const char *ttl;              /* --ttl, checked with pwr_parse_duration */
    const char *reason;           /* --reason */
    const char *user_filter;      /* audit --user */
    const char *event_filter;     /* audit --event */
    const char *since;            /* audit --since */
    const char *format;           /* audit --format */
    const char *shadow;           /* import --shadow */
    int allow_reuse;              /* set-password --allow-reuse */
    int verify;                   /* audit --verify */
};

/* Options by id (long options only; none has a one-letter form). */
enum cli_opt {
    OPT_HELP = 256, OPT_CONFIG, OPT_HELPER, OPT_JSON, OPT_YES, OPT_STDIN,
    OPT_LOGOUT, OPT_DRY_RUN, OPT_CLEAR, OPT_ALL, OPT_PENDING, OPT_TEMPORARY,
    OPT_MUST_CHANGE, OPT_NO_MUST_CHANGE, OPT_GROUP, OPT_TTL, OPT_REASON,
    OPT_USER, OPT_EVENT, OPT_SINCE, OPT_FORMAT, OPT_SHADOW,
    OPT_ALLOW_REUSE, OPT_VERIFY, OPT_KEEP_SESSIONS,
};

#define CLI_CMD_OPTS 10 /* the most options one command takes */

/* A command, as the table in cli_commands.c holds it.  run parses its own
 * options with cli_parse (argv[0] is its name). */
struct cli_cmd {
    const char *name;
    int (*run)(struct cli *cli, int argc, char **argv);
    const char *operands;          /* usage line before the options */
    const char *summary;           /* one line for --help */
    enum cli_opt opts[CLI_CMD_OPTS]; /* accepted, in usage order; 0 ends */
};

/* ---- cli_commands.c ---- */
const struct cli_cmd *cli_find(const char *name);
/* The options before the command name: --config, --helper, and --help
 * and --version, which print and exit 0.  *next is the command's index. */
int cli_parse_global(struct cli *cli, int argc, char **argv, int *next);
/* Parse argv with the command's options and the common ones; --help
 * prints the command's help and exits 0.  Returns the index of the first
 * operand, or -1 after printing a usage error. */
int cli_parse(struct cli *cli, const struct cli_cmd *cmd, int argc,
              char **argv);
/* "usage: pwreset NAME OPERANDS [OPTIONS]" and a newline. */
void cli_print_usage(FILE *f, const struct cli_cmd *cmd);
/* "pwreset --help": the global usage and every command's summary. */
void cli_print_commands(FILE *f);
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- cli_util.c ---- */
int cli_set_config(struct cli *cli, const char *path);
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A login from the command line: valid, or a usage error (2). */
int cli_check_login(const char *login);
/* Start a request: op, and config when given. */
int cli_request(struct cli *cli, struct pwr_msg *req, const char *op);
/* Add every operand as "user"; returns a pwr_code. */
int cli_add_users(struct pwr_msg *req, int argc, char **argv);
/* One request item, added only when its value is not NULL (an option the
 * admin did not give is left out).  CLI_FLAG(x) is "1" for a set flag. */
struct cli_item {
    const char *key;
    const char *value;
};
#define CLI_FLAG(x) ((x) ? "1" : NULL)
#define CLI_NITEMS(a) (sizeof(a) / sizeof((a)[0]))
/* Add the items that have a value; returns a pwr_code. */
int cli_add_items(struct pwr_msg *req, const struct cli_item *items,
                  size_t n);
/* Run the helper.  Returns the reply's pwr_code; prints the helper's
 * message on stderr when it is an error, and warns when the audit line
 * could not be written.  rep is always initialised. */
int cli_call(struct cli *cli, const struct pwr_msg *req, struct pwr_msg *rep);
/* The same for replies that list accounts: each frame of a long reply but
 * the last goes to fn as it arrives (print it and forget it); rep is the
 * last frame, with "result", and may list accounts too. */
int cli_call_stream(struct cli *cli, const struct pwr_msg *req,
                    struct pwr_msg *rep, pwr_frame_fn fn, void *arg);
/* Format epoch seconds ("-" for 0). */
void cli_time(int64_t t, char *out, size_t outsz);
/* Parse a decimal epoch value from a reply ("" or NULL -> 0). */
int64_t cli_num(const char *s);
/* A reply lists accounts as groups of keys, each starting with "user"
 * (pwr_msg_next finds where the next one starts): a key's value inside
 * the group [start, end). */
const char *cli_group_get(const struct pwr_msg *rep, size_t start, size_t end,
                          const char *key);
/* What a bulk reply said beyond its per-account lines: accounts skipped,
 * and the sessions it ended (block, deactivate, delete end them). */
struct cli_tally {
    size_t skipped;
    size_t sessions;   /* accounts whose sessions were ended */
    long processes;    /* processes signalled, over all of them */
    char method[16];   /* "logind", "signal", or "mixed" */
};

/* Print the per-account lines of a bulk reply frame ("user: outcome
 * (note)") and add to the tally (a struct cli_tally, or NULL); a
 * pwr_frame_fn. */
int cli_print_accounts(const struct pwr_msg *rep, void *tally,
                       struct pwr_err *err);
/* The tally's sessions line, "sessions ended through METHOD (N
 * account(s)); P process(es) signalled", when any were ended. */
void cli_print_sessions(const struct cli_tally *t);

/* ---- cli_term.c ---- */
/* Read a secret: with use_stdin one line from stdin, else twice from the
 * terminal without echo (twice: confirm != NULL is the second prompt).
 * Returns a pwr_code; buf is wiped on failure. */
int cli_read_secret(const struct cli *cli, const char *prompt,
                    const char *confirm, char *buf, size_t bufsz);
/* One line from stdin (secrets with --stdin). */
int cli_stdin_line(char *buf, size_t bufsz);
/* Show the target and ask "Type yes to continue"; honours --yes.
 * PWR_OK, or PWR_E_CANCEL (declined, or no terminal). */
int cli_confirm(const struct cli *cli, const char *action, const char *login);
/* Checks every secret gets before it is sent: not empty, UTF-8. */
int cli_check_secret(const char *s, const char *what);

/* ---- cli_json.c ---- */
void cli_json_str(FILE *f, const char *s);
void cli_json_kv(FILE *f, const char *key, const char *value, int comma);
void cli_json_time(FILE *f, const char *key, int64_t t, int comma);
void cli_json_bool(FILE *f, const char *key, int v, int comma);
void cli_csv_field(FILE *f, const char *s, int last);

/* ---- commands ---- */
int cli_cmd_enrol(struct cli *cli, int argc, char **argv);
int cli_cmd_import(struct cli *cli, int argc, char **argv);
int cli_cmd_set_password(struct cli *cli, int argc, char **argv);
int cli_cmd_temp_password(struct cli *cli, int argc, char **argv);
int cli_cmd_force_reset(struct cli *cli, int argc, char **argv);
int cli_cmd_reset_code(struct cli *cli, int argc, char **argv);
int cli_cmd_status_change(struct cli *cli, int argc, char **argv);
int cli_cmd_delete(struct cli *cli, int argc, char **argv);
int cli_cmd_logout(struct cli *cli, int argc, char **argv);
/* purge and undelete (one handler, the name says which) */
int cli_cmd_purge(struct cli *cli, int argc, char **argv);
int cli_cmd_passwd(struct cli *cli, int argc, char **argv);
int cli_cmd_status(struct cli *cli, int argc, char **argv);
int cli_cmd_audit(struct cli *cli, int argc, char **argv);
int cli_cmd_check_config(struct cli *cli, int argc, char **argv);

#endif
