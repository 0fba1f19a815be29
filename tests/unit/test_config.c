/* test_config.c - unit tests of lib/config/pwr_config.c: defaults, every key, the
 * file syntax, errors naming file and line, overrides, and unsafe files.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pwr_config.h"
#include "testutil.h"

#ifndef PWR_STORE_PATH
#define PWR_STORE_PATH "/var/lib/pwreset/store"
#endif

static char conf_path[PWR_PATH_MAX];

/* Unchecked (see pwr_test_dir_setup). */
static void setup(void)
{
    pwr_test_dir_setup();
    snprintf(conf_path, sizeof(conf_path), "%s/pwreset.conf", pwr_test_dir);
}

/* Write len bytes to path, mode 0644 whatever the umask. */
static void write_bytes(const char *path, const char *text, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fchmod(fd, 0644), 0);
    ck_assert_int_eq(pwr_write_all(fd, text, len), 0);
    ck_assert_int_eq(close(fd), 0);
}

/* Defaults, then the file holding text; returns what load returned. */
static int load_text(const char *text, struct pwr_config *cfg,
                     struct pwr_err *err)
{
    write_bytes(conf_path, text, strlen(text));
    pwr_config_defaults(cfg);
    pwr_err_clear(err);
    return pwr_config_load(cfg, conf_path, 1, err);
}

/* The error must be a config error at conf_path:line about key. */
static void assert_error_at(const struct pwr_err *err, unsigned line,
                            const char *key)
{
    char prefix[PWR_PATH_MAX + 32];
    char keypart[64];

    snprintf(prefix, sizeof(prefix), "%s:%u: ", conf_path, line);
    ck_assert_int_eq(err->code, PWR_E_CONFIG);
    ck_assert_msg(strncmp(err->msg, prefix, strlen(prefix)) == 0,
                  "message '%s' does not start with '%s'", err->msg, prefix);
    if (key != NULL) {
        snprintf(keypart, sizeof(keypart), "(key '%s')", key);
        ck_assert_msg(strstr(err->msg, keypart) != NULL,
                      "message '%s' does not name %s", err->msg, keypart);
    }
}

/* Field by field: struct copies need not preserve padding bytes. */
static int cfg_same(const struct pwr_config *a, const struct pwr_config *b)
{
    size_t i;

    if (strcmp(a->store, b->store) != 0 ||
        strcmp(a->admin_group, b->admin_group) != 0 ||
        a->n_protected != b->n_protected || a->min_length != b->min_length ||
        a->max_length != b->max_length || a->n_blocklist != b->n_blocklist ||
        strcmp(a->breached_list, b->breached_list) != 0 ||
        a->hash.method != b->hash.method || a->hash.cost != b->hash.cost ||
        a->reset_code_ttl != b->reset_code_ttl ||
        a->reset_code_max_attempts != b->reset_code_max_attempts ||
        a->temporary_password_ttl != b->temporary_password_ttl ||
        a->fail_delay_ms != b->fail_delay_ms ||
        a->lock_timeout_ms != b->lock_timeout_ms ||
        strcmp(a->audit_socket, b->audit_socket) != 0 ||
        strcmp(a->contact, b->contact) != 0 ||
        a->grace_logins != b->grace_logins || a->n_exempt != b->n_exempt ||
        a->breach_check_at_login != b->breach_check_at_login ||
        a->history != b->history || a->max_age != b->max_age ||
        a->warn_age != b->warn_age || a->notify_mail != b->notify_mail ||
        strcmp(a->mail_from, b->mail_from) != 0 ||
        strcmp(a->sendmail, b->sendmail) != 0) /* rotation, history, mail */
        return 0;
    for (i = 0; i < a->n_protected; i++)
        if (strcmp(a->protected_users[i], b->protected_users[i]) != 0)
            return 0;
    for (i = 0; i < a->n_blocklist; i++)
        if (strcmp(a->blocklist[i], b->blocklist[i]) != 0)
            return 0;
    return 1;
}

START_TEST(test_defaults_equal_documented_values)
{
    struct pwr_config cfg;

    pwr_config_defaults(&cfg);
    ck_assert_str_eq(cfg.store, PWR_STORE_PATH);
    ck_assert_str_eq(cfg.admin_group, "");
    ck_assert_uint_eq(cfg.n_protected, 0);
    ck_assert_uint_eq(cfg.min_length, 12);
    ck_assert_uint_eq(cfg.max_length, 256);
    ck_assert_uint_eq(cfg.n_blocklist, 0);
    ck_assert_str_eq(cfg.breached_list, "");
    ck_assert_int_eq(cfg.hash.method, PWR_HASH_YESCRYPT);
    ck_assert_uint_eq(cfg.hash.cost, 5);
    ck_assert_int_eq(cfg.reset_code_ttl, 3600);
    ck_assert_uint_eq(cfg.reset_code_max_attempts, 5);
    ck_assert_int_eq(cfg.temporary_password_ttl, 0);
    ck_assert_uint_eq(cfg.fail_delay_ms, 2000);
    ck_assert_uint_eq(cfg.lock_timeout_ms, 10000);
    ck_assert_str_eq(cfg.audit_socket, "/dev/log");
    ck_assert_str_eq(cfg.contact, "your administrator");
    ck_assert_uint_eq(cfg.grace_logins, 0);
    ck_assert_uint_eq(cfg.n_exempt, 0);
    ck_assert_uint_eq(cfg.breach_check_at_login, 0);
}
END_TEST

START_TEST(test_every_key_accepts_a_good_value)
{
    static const char text[] =
        "store = /srv/pw/store\n"
        "admin_group = helpdesk\n"
        "protected_users = alice, bob carol,dave$\n"
        "min_length = 14\n"
        "max_length = 1024\n"
        "blocklist = /usr/share/dict/words,/etc/pw/extra\n"
        "breached_list = /var/lib/pwned.txt\n"
        "hash = argon2id\n"
        "hash_cost = 3\n"
        "reset_code_ttl = 2h\n"
        "reset_code_max_attempts = 3\n"
        "temporary_password_ttl = 7d\n"
        "fail_delay = 0\n"
        "lock_timeout = 500\n"
        "audit_socket = /run/systemd/journal/syslog\n"
        "contact = \"the helpdesk, room 12\"\n";
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_msg(load_text(text, &cfg, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(cfg.store, "/srv/pw/store");
    ck_assert_str_eq(cfg.admin_group, "helpdesk");
    ck_assert_uint_eq(cfg.n_protected, 4);
    ck_assert_str_eq(cfg.protected_users[0], "alice");
    ck_assert_str_eq(cfg.protected_users[2], "carol");
    ck_assert_str_eq(cfg.protected_users[3], "dave$");
    ck_assert_uint_eq(cfg.min_length, 14);
    ck_assert_uint_eq(cfg.max_length, 1024);
    ck_assert_uint_eq(cfg.n_blocklist, 2);
    ck_assert_str_eq(cfg.blocklist[1], "/etc/pw/extra");
    ck_assert_str_eq(cfg.breached_list, "/var/lib/pwned.txt");
    ck_assert_int_eq(cfg.hash.method, PWR_HASH_ARGON2ID);
    ck_assert_uint_eq(cfg.hash.cost, 3);
    ck_assert_int_eq(cfg.reset_code_ttl, 7200);
    ck_assert_uint_eq(cfg.reset_code_max_attempts, 3);
    ck_assert_int_eq(cfg.temporary_password_ttl, 7 * 86400);
    ck_assert_uint_eq(cfg.fail_delay_ms, 0);
    ck_assert_uint_eq(cfg.lock_timeout_ms, 500);
    ck_assert_str_eq(cfg.audit_socket, "/run/systemd/journal/syslog");
    ck_assert_str_eq(cfg.contact, "the helpdesk, room 12");
}
END_TEST

START_TEST(test_range_limits_are_inclusive)
{
    static const char *const good[][2] = {
        { "min_length", "1" },          { "max_length", "65536" },
        { "min_length", "4096" },       { "hash_cost", "1" },
        { "hash_cost", "11" },          { "reset_code_ttl", "1m" },
        { "reset_code_ttl", "30d" },    { "reset_code_max_attempts", "1" },
        { "reset_code_max_attempts", "100" },
        { "temporary_password_ttl", "0" },
        { "temporary_password_ttl", "60s" },
        { "temporary_password_ttl", "365d" },
        { "fail_delay", "60000" },      { "lock_timeout", "100" },
        { "lock_timeout", "600000" },   { "admin_group", "" },
        { "breached_list", "" },        { "blocklist", "" },
        { "protected_users", "" },
    };
    struct pwr_config cfg;
    struct pwr_err err;
    size_t i;

    pwr_config_defaults(&cfg);
    for (i = 0; i < PWR_ARRAY_SIZE(good); i++)
        ck_assert_msg(pwr_config_set(&cfg, good[i][0], good[i][1], &err) == 0,
                      "%s=%s: %s", good[i][0], good[i][1], err.msg);
    ck_assert_uint_eq(cfg.min_length, 4096);
    ck_assert_uint_eq(cfg.n_blocklist, 0);
}
END_TEST

/* One bad value per case; long and list values are built in the test. */
static const char *const bad_values[][2] = {
    { "store", "var/lib/pwreset/store" }, { "store", "" },
    { "admin_group", "bad group" },       { "admin_group", "-wheel" },
    { "admin_group", "1234" },            { "protected_users", "root, -x" },
    { "protected_users", "alice, b@d" },  { "min_length", "0" },
    { "min_length", "4097" },             { "min_length", "12abc" },
    { "min_length", "-1" },               { "min_length", "" },
    { "max_length", "255" },              { "max_length", "65537" },
    { "blocklist", "words.txt" },         { "blocklist", "/a, rel" },
    { "breached_list", "pwned.txt" },     { "hash", "md5" },
    { "hash", "YESCRYPT" },               { "hash", "" },
    { "hash_cost", "0" },                 { "hash_cost", "12" },
    { "hash_cost", "abc" },               { "reset_code_ttl", "59s" },
    { "reset_code_ttl", "31d" },          { "reset_code_ttl", "5x" },
    { "reset_code_ttl", "0" },            { "reset_code_ttl", "3600" },
    { "reset_code_max_attempts", "0" },
    { "reset_code_max_attempts", "101" }, { "temporary_password_ttl", "30s" },
    { "temporary_password_ttl", "366d" }, { "temporary_password_ttl", "-1" },
    { "fail_delay", "60001" },            { "fail_delay", "1s" },
    { "lock_timeout", "99" },             { "lock_timeout", "600001" },
    { "audit_socket", "dev/log" },        { "audit_socket", "" },
    { "contact", "" },                    { "contact", "bell\x07" },
    { "contact", "caf\xe9" },             { "contact", "tab\there" },
};

START_TEST(test_every_key_rejects_bad_values_through_set)
{
    struct pwr_config cfg, before;
    struct pwr_err err;
    char keypart[64];
    size_t i;

    pwr_config_defaults(&cfg);
    memcpy(&before, &cfg, sizeof(cfg));
    for (i = 0; i < PWR_ARRAY_SIZE(bad_values); i++) {
        const char *key = bad_values[i][0], *val = bad_values[i][1];

        pwr_err_clear(&err);
        ck_assert_msg(pwr_config_set(&cfg, key, val, &err) < 0,
                      "%s=%s was accepted", key, val);
        ck_assert_int_eq(err.code, PWR_E_CONFIG);
        snprintf(keypart, sizeof(keypart), "(key '%s')", key);
        ck_assert_msg(strncmp(err.msg, "option: ", 8) == 0 &&
                          strstr(err.msg, keypart) != NULL,
                      "bad message for %s: %s", key, err.msg);
        ck_assert_msg(memcmp(&cfg, &before, sizeof(cfg)) == 0,
                      "%s=%s changed the config", key, val);
    }
}
END_TEST

START_TEST(test_every_key_rejects_bad_values_in_a_file_naming_the_line)
{
    struct pwr_config cfg;
    struct pwr_err err;
    char text[256];
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(bad_values); i++) {
        snprintf(text, sizeof(text), "# bad value below\n\n%s = \"%s\"\n",
                 bad_values[i][0], bad_values[i][1]);
        ck_assert_msg(load_text(text, &cfg, &err) < 0, "%s=%s was accepted",
                      bad_values[i][0], bad_values[i][1]);
        assert_error_at(&err, 3, bad_values[i][0]);
    }
}
END_TEST

START_TEST(test_too_long_and_too_many_values_are_rejected)
{
    char big[1024];
    char list[2048];
    struct pwr_config cfg;
    struct pwr_err err;
    size_t i, n = 0;

    pwr_config_defaults(&cfg);
    big[0] = '/';
    memset(big + 1, 'a', sizeof(big) - 2);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_lt(pwr_config_set(&cfg, "store", big, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "too long"));
    ck_assert_int_lt(pwr_config_set(&cfg, "contact", big, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "too long"));
    for (i = 0; i <= PWR_POLICY_MAX_LISTS; i++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, "/w%zu ", i);
    ck_assert_int_lt(pwr_config_set(&cfg, "blocklist", list, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "too many"));
    for (i = 0, n = 0; i <= PWR_MAX_PROTECTED; i++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, "u%zu,", i);
    ck_assert_int_lt(pwr_config_set(&cfg, "protected_users", list, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "too many"));
    n = (size_t)snprintf(list, sizeof(list), "u%d", 0);
    for (i = 1; i < PWR_MAX_PROTECTED; i++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, " u%zu", i);
    ck_assert_int_eq(pwr_config_set(&cfg, "protected_users", list, &err), 0);
    ck_assert_uint_eq(cfg.n_protected, PWR_MAX_PROTECTED);
}
END_TEST

START_TEST(test_unknown_key_is_rejected_with_its_line)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_lt(load_text("min_length = 14\nmin_lenght = 15\n", &cfg,
                               &err), 0);
    assert_error_at(&err, 2, "min_lenght");
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown key"));
}
END_TEST

START_TEST(test_repeated_key_is_rejected_with_its_line)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_lt(load_text("min_length = 14\n# x\n\nmin_length = 14\n",
                               &cfg, &err), 0);
    assert_error_at(&err, 4, "min_length");
    ck_assert_ptr_nonnull(strstr(err.msg, "first set on line 1"));
}
END_TEST

START_TEST(test_missing_equals_is_rejected_with_its_line)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_lt(load_text("store = /x\nmin_length 14\n", &cfg, &err), 0);
    assert_error_at(&err, 2, "min_length");
    ck_assert_ptr_nonnull(strstr(err.msg, "missing '='"));
    ck_assert_int_lt(load_text("\n\ncontact\n", &cfg, &err), 0);
    assert_error_at(&err, 3, "contact");
}
END_TEST

START_TEST(test_empty_key_is_rejected_with_its_line)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_lt(load_text("# c\n  = 14\n", &cfg, &err), 0);
    assert_error_at(&err, 2, NULL);
    ck_assert_ptr_nonnull(strstr(err.msg, "empty key"));
}
END_TEST

START_TEST(test_bad_duration_is_rejected_with_its_line)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_lt(load_text("fail_delay = 10\nreset_code_ttl = 5x\n", &cfg,
                               &err), 0);
    assert_error_at(&err, 2, "reset_code_ttl");
    ck_assert_ptr_nonnull(strstr(err.msg, "bad duration"));
}
END_TEST

START_TEST(test_relative_path_is_rejected_with_its_line)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_lt(load_text("\nstore = var/lib/pwreset/store\n", &cfg,
                               &err), 0);
    assert_error_at(&err, 2, "store");
    ck_assert_ptr_nonnull(strstr(err.msg, "not an absolute path"));
}
END_TEST

START_TEST(test_min_length_above_max_length_names_the_min_length_line)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_lt(load_text("max_length = 300\n# gap\nmin_length = 400\n",
                               &cfg, &err), 0);
    assert_error_at(&err, 3, "min_length");
    ck_assert_ptr_nonnull(strstr(err.msg, "greater than max_length"));
    /* The order of the two lines does not matter: checked after the file. */
    ck_assert_msg(load_text("min_length = 400\nmax_length = 500\n", &cfg,
                            &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(cfg.min_length, 400);
}
END_TEST

START_TEST(test_hash_cost_default_follows_the_method)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_eq(load_text("hash = argon2id\n", &cfg, &err), 0);
    ck_assert_uint_eq(cfg.hash.cost, 2);
    ck_assert_int_eq(load_text("hash = yescrypt\n", &cfg, &err), 0);
    ck_assert_uint_eq(cfg.hash.cost, 5);
    ck_assert_int_eq(load_text("hash_cost = 7\nhash = argon2id\n", &cfg, &err),
                     0);
    ck_assert_uint_eq(cfg.hash.cost, 7);
}
END_TEST

START_TEST(test_hash_cost_is_checked_against_the_final_method)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_lt(load_text("hash_cost = 11\nhash = argon2id\n", &cfg,
                               &err), 0);
    assert_error_at(&err, 1, "hash_cost");
    ck_assert_ptr_nonnull(strstr(err.msg, "argon2id"));
    ck_assert_int_eq(load_text("hash_cost = 11\nhash = yescrypt\n", &cfg,
                               &err), 0);
    ck_assert_uint_eq(cfg.hash.cost, 11);
}
END_TEST

START_TEST(test_comments_blank_lines_and_quotes_are_handled)
{
    static const char text[] =
        "# full-line comment\n"
        "\n"
        "   \t\n"
        "   # indented comment = not a key\n"
        "min_length=14 # trailing comment\n"
        "\tmax_length\t=\t300\t\n"
        "contact = \"a # b\" # the quotes keep the hash\n"
        "admin_group =\n"
        "breached_list = \"\"\n"
        "store = /srv/room#5\n";
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_msg(load_text(text, &cfg, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(cfg.min_length, 14);
    ck_assert_uint_eq(cfg.max_length, 300);
    ck_assert_str_eq(cfg.contact, "a # b");
    ck_assert_str_eq(cfg.admin_group, "");
    ck_assert_str_eq(cfg.breached_list, "");
    ck_assert_str_eq(cfg.store, "/srv/room#5");
}
END_TEST

START_TEST(test_quoted_values_keep_spaces_and_unescape)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_eq(load_text("contact = \"  say \\\"hi\\\" \\\\o/  \"\n",
                               &cfg, &err), 0);
    ck_assert_str_eq(cfg.contact, "  say \"hi\" \\o/  ");
    ck_assert_int_eq(load_text("contact = Jo  Bloggs, ext. 12   \n", &cfg,
                               &err), 0);
    ck_assert_str_eq(cfg.contact, "Jo  Bloggs, ext. 12");
    ck_assert_int_eq(load_text("contact = \"caf\xc3\xa9 \xe2\x98\x95\"\n",
                               &cfg, &err), 0);
    ck_assert_str_eq(cfg.contact, "caf\xc3\xa9 \xe2\x98\x95");
}
END_TEST

START_TEST(test_bad_quoting_is_rejected_with_its_line)
{
    static const char *const cases[] = {
        "contact = \"no end\n",
        "contact = \"a\" b\n",
        "contact = \"bad \\n escape\"\n",
        "contact = \"ends in backslash\\\n",
    };
    struct pwr_config cfg;
    struct pwr_err err;
    char text[128];
    size_t i;

    for (i = 0; i < PWR_ARRAY_SIZE(cases); i++) {
        snprintf(text, sizeof(text), "min_length = 12\n%s", cases[i]);
        ck_assert_msg(load_text(text, &cfg, &err) < 0, "accepted: %s",
                      cases[i]);
        assert_error_at(&err, 2, "contact");
    }
}
END_TEST

START_TEST(test_line_too_long_is_rejected_with_its_line)
{
    struct pwr_config cfg;
    struct pwr_err err;
    size_t n = 5000;
    char *text = malloc(n + 64);

    static const char head[] = "min_length = 12\ncontact = ";

    ck_assert_ptr_nonnull(text);
    memcpy(text, head, sizeof(head) - 1);
    memset(text + sizeof(head) - 1, 'x', n);
    memcpy(text + sizeof(head) - 1 + n, "\n", 2);
    ck_assert_int_lt(load_text(text, &cfg, &err), 0);
    assert_error_at(&err, 2, NULL);
    ck_assert_ptr_nonnull(strstr(err.msg, "too long"));
    free(text);
}
END_TEST

START_TEST(test_nul_byte_is_rejected_with_its_line)
{
    static const char text[] = "min_length = 14\ncontact = a\0b\n";
    struct pwr_config cfg;
    struct pwr_err err;

    write_bytes(conf_path, text, sizeof(text) - 1);
    pwr_config_defaults(&cfg);
    ck_assert_int_lt(pwr_config_load(&cfg, conf_path, 1, &err), 0);
    assert_error_at(&err, 2, NULL);
    ck_assert_ptr_nonnull(strstr(err.msg, "NUL"));
}
END_TEST

START_TEST(test_invalid_utf8_value_is_rejected_with_its_line)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_lt(load_text("\ncontact = \"caf\xe9\"\n", &cfg, &err), 0);
    assert_error_at(&err, 2, "contact");
    ck_assert_ptr_nonnull(strstr(err.msg, "UTF-8"));
    ck_assert_int_lt(load_text("contact = \xed\xa0\x80\n", &cfg, &err), 0);
    assert_error_at(&err, 1, "contact");
}
END_TEST

START_TEST(test_crlf_line_endings_are_accepted)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_msg(load_text("# dos\r\nmin_length = 13\r\nhash = argon2id\r\n",
                            &cfg, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(cfg.min_length, 13);
    ck_assert_int_eq(cfg.hash.method, PWR_HASH_ARGON2ID);
}
END_TEST

START_TEST(test_failed_load_leaves_the_config_unchanged)
{
    struct pwr_config cfg, before;
    struct pwr_err err;

    write_bytes(conf_path, "min_length = 20\nstore = /ok\nbogus = 1\n", 39);
    pwr_config_defaults(&cfg);
    memcpy(&before, &cfg, sizeof(cfg));
    ck_assert_int_lt(pwr_config_load(&cfg, conf_path, 1, &err), 0);
    assert_error_at(&err, 3, "bogus");
    ck_assert_int_eq(memcmp(&cfg, &before, sizeof(cfg)), 0);
}
END_TEST

START_TEST(test_set_overrides_a_file_value)
{
    struct pwr_config cfg;
    struct pwr_err err;

    ck_assert_int_eq(load_text("min_length = 14\ncontact = desk\n", &cfg,
                               &err), 0);
    ck_assert_int_eq(pwr_config_set(&cfg, "min_length", "16", &err), 0);
    ck_assert_uint_eq(cfg.min_length, 16);
    ck_assert_str_eq(cfg.contact, "desk");
    ck_assert_int_lt(pwr_config_set(&cfg, "min_length", "x", &err), 0);
    ck_assert_uint_eq(cfg.min_length, 16);
    ck_assert_int_lt(pwr_config_set(&cfg, "no_such_key", "1", &err), 0);
    ck_assert_int_eq(err.code, PWR_E_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown key"));
    ck_assert_int_lt(pwr_config_set(&cfg, "contact", NULL, &err), 0);
    ck_assert_int_lt(pwr_config_set(&cfg, NULL, "1", &err), 0);
}
END_TEST

START_TEST(test_set_keeps_the_config_consistent)
{
    struct pwr_config cfg;
    struct pwr_err err;

    pwr_config_defaults(&cfg);
    ck_assert_int_lt(pwr_config_set(&cfg, "min_length", "300", &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "greater than max_length"));
    ck_assert_uint_eq(cfg.min_length, 12);
    ck_assert_int_eq(pwr_config_set(&cfg, "hash_cost", "8", &err), 0);
    ck_assert_int_eq(pwr_config_set(&cfg, "hash", "yescrypt", &err), 0);
    ck_assert_uint_eq(cfg.hash.cost, 8); /* same method: cost kept */
    ck_assert_int_eq(pwr_config_set(&cfg, "hash", "argon2id", &err), 0);
    ck_assert_uint_eq(cfg.hash.cost, 2); /* new method: its default */
    ck_assert_int_lt(pwr_config_set(&cfg, "hash_cost", "11", &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "argon2id"));
    ck_assert_int_eq(pwr_config_set(&cfg, "hash_cost", "10", &err), 0);
    ck_assert_uint_eq(cfg.hash.cost, 10);
}
END_TEST

START_TEST(test_symlinked_config_is_refused)
{
    struct pwr_config cfg;
    struct pwr_err err;
    char link[PWR_PATH_MAX + 16];

    write_bytes(conf_path, "min_length = 14\n", 16);
    snprintf(link, sizeof(link), "%s/link.conf", pwr_test_dir);
    ck_assert_int_eq(symlink(conf_path, link), 0);
    pwr_config_defaults(&cfg);
    ck_assert_int_lt(pwr_config_load(&cfg, link, 0, &err), 0);
    ck_assert_int_eq(err.code, PWR_E_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "symbolic link"));
    ck_assert_uint_eq(cfg.min_length, 12);
}
END_TEST

START_TEST(test_directory_and_oversized_configs_are_refused)
{
    struct pwr_config cfg;
    struct pwr_err err;
    size_t n = 70 * 1024;
    char *big = malloc(n);

    ck_assert_ptr_nonnull(big);
    pwr_config_defaults(&cfg);
    ck_assert_int_lt(pwr_config_load(&cfg, pwr_test_dir, 0, &err), 0);
    ck_assert_int_eq(err.code, PWR_E_CONFIG);
    memset(big, '\n', n);
    write_bytes(conf_path, big, n);
    ck_assert_int_lt(pwr_config_load(&cfg, conf_path, 1, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "too large"));
    free(big);
}
END_TEST

START_TEST(test_missing_file_is_fine_only_when_not_required)
{
    struct pwr_config cfg, before;
    struct pwr_err err;
    char path[PWR_PATH_MAX + 16];

    snprintf(path, sizeof(path), "%s/absent.conf", pwr_test_dir);
    pwr_config_defaults(&cfg);
    memcpy(&before, &cfg, sizeof(cfg));
    ck_assert_int_eq(pwr_config_load(&cfg, path, 0, &err), 0);
    ck_assert_int_eq(memcmp(&cfg, &before, sizeof(cfg)), 0);
    ck_assert_int_lt(pwr_config_load(&cfg, path, 1, &err), 0);
    ck_assert_int_eq(err.code, PWR_E_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "absent.conf"));
}
END_TEST

START_TEST(test_writable_config_is_refused_when_root)
{
    struct pwr_config cfg;
    struct pwr_err err;

    write_bytes(conf_path, "min_length = 14\n", 16);
    ck_assert_int_eq(chmod(conf_path, 0664), 0);
    pwr_config_defaults(&cfg);
    if (geteuid() == 0) {
        ck_assert_int_lt(pwr_config_load(&cfg, conf_path, 1, &err), 0);
        ck_assert_ptr_nonnull(strstr(err.msg, "unsafe mode"));
        ck_assert_uint_eq(cfg.min_length, 12);
    } else {
        ck_assert_int_eq(pwr_config_load(&cfg, conf_path, 1, &err), 0);
        ck_assert_uint_eq(cfg.min_length, 14);
    }
}
END_TEST

START_TEST(test_policy_view_points_into_the_config)
{
    struct pwr_config cfg;
    struct pwr_policy pol;
    struct pwr_err err;

    pwr_config_defaults(&cfg);
    pwr_config_policy(&cfg, &pol);
    ck_assert_uint_eq(pol.min_length, 12);
    ck_assert_uint_eq(pol.max_length, 256);
    ck_assert_uint_eq(pol.n_blocklists, 0);
    ck_assert_ptr_null(pol.breached_list);
    ck_assert_int_eq(pwr_config_set(&cfg, "blocklist", "/a /b", &err), 0);
    ck_assert_int_eq(pwr_config_set(&cfg, "breached_list", "/p", &err), 0);
    ck_assert_int_eq(pwr_config_set(&cfg, "min_length", "15", &err), 0);
    pwr_config_policy(&cfg, &pol);
    ck_assert_uint_eq(pol.min_length, 15);
    ck_assert_uint_eq(pol.n_blocklists, 2);
    ck_assert_ptr_eq(pol.blocklists[1], cfg.blocklist[1]);
    ck_assert_str_eq(pol.blocklists[0], "/a");
    ck_assert_ptr_eq(pol.breached_list, cfg.breached_list);
}
END_TEST

START_TEST(test_protected_users_and_key_names_are_recognised)
{
    struct pwr_config cfg;
    struct pwr_err err;

    pwr_config_defaults(&cfg);
    ck_assert_int_eq(pwr_config_is_protected(&cfg, "alice"), 0);
    ck_assert_int_eq(pwr_config_set(&cfg, "protected_users", "alice,bob",
                                     &err), 0);
    ck_assert_int_eq(pwr_config_is_protected(&cfg, "alice"), 1);
    ck_assert_int_eq(pwr_config_is_protected(&cfg, "bob"), 1);
    ck_assert_int_eq(pwr_config_is_protected(&cfg, "bo"), 0);
    ck_assert_int_eq(pwr_config_is_protected(&cfg, NULL), 0);
    ck_assert_int_eq(pwr_config_is_key("min_length"), 1);
    ck_assert_int_eq(pwr_config_is_key("contact"), 1);
    ck_assert_int_eq(pwr_config_is_key("config"), 0);
    ck_assert_int_eq(pwr_config_is_key("min_length "), 0);
    ck_assert_int_eq(pwr_config_is_key(NULL), 0);
}
END_TEST

/* Whole file at top_srcdir/rel into a NUL-terminated heap buffer. */
static char *read_source(const char *rel, size_t *len)
{
    const char *srcdir = getenv("top_srcdir");
    char path[PWR_PATH_MAX];
    struct stat st;
    char *text;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", srcdir != NULL ? srcdir : ".", rel);
    ck_assert_msg(stat(path, &st) == 0, "%s not found", path);
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    text = malloc((size_t)st.st_size + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)st.st_size, f),
                      (size_t)st.st_size);
    fclose(f);
    text[st.st_size] = '\0';
    *len = (size_t)st.st_size;
    return text;
}

/* grace_logins, exempt_services, breach_check_at_login. */
START_TEST(test_grace_exempt_and_breach_keys_parse_and_refuse_bad_values)
{
    static const char text[] = "grace_logins = 5\n"
                               "exempt_services = sudo, cron\n"
                               "breach_check_at_login = yes\n";
    static const char *const bad[][2] = {
        { "grace_logins", "1001" },       { "grace_logins", "-1" },
        { "exempt_services", "su do/x" }, { "breach_check_at_login", "maybe" },
        { "breach_check_at_login", "" },
    };
    struct pwr_config cfg;
    struct pwr_err err;
    size_t i;

    ck_assert_msg(load_text(text, &cfg, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(cfg.grace_logins, 5);
    ck_assert_uint_eq(cfg.n_exempt, 2);
    ck_assert(pwr_config_is_exempt(&cfg, "cron"));
    ck_assert(pwr_config_is_exempt(&cfg, "sudo"));
    ck_assert(!pwr_config_is_exempt(&cfg, "sshd"));
    ck_assert(!pwr_config_is_exempt(&cfg, NULL));
    ck_assert_uint_eq(cfg.breach_check_at_login, 1);
    ck_assert_int_eq(pwr_config_set(&cfg, "breach_check_at_login", "off",
                                    &err), 0);
    ck_assert_uint_eq(cfg.breach_check_at_login, 0);
    for (i = 0; i < PWR_ARRAY_SIZE(bad); i++)
        ck_assert_msg(pwr_config_set(&cfg, bad[i][0], bad[i][1], &err) < 0,
                      "%s=%s was accepted", bad[i][0], bad[i][1]);
}
END_TEST

START_TEST(test_shipped_example_equals_the_defaults)
{
    struct pwr_config cfg, def;
    struct pwr_err err;
    size_t len;
    char *text = read_source("etc/pwreset.conf", &len);

    /* A private copy: a checkout need not be root-owned or 022-clear. */
    write_bytes(conf_path, text, len);
    free(text);
    pwr_config_defaults(&def);
    memcpy(&cfg, &def, sizeof(cfg));
    ck_assert_msg(pwr_config_load(&cfg, conf_path, 1, &err) == 0, "%s",
                  err.msg);
    ck_assert(cfg_same(&cfg, &def));
}
END_TEST

/* Uncommenting every "#key = value" line of the example must give a valid
 * file that sets each key once, to its documented default, and each key
 * must be described in pwreset.conf(5). */
START_TEST(test_shipped_example_documents_every_key_with_its_default)
{
    struct pwr_config cfg, def;
    struct pwr_err err;
    size_t len, mlen, i, o = 0, settings = 0;
    char *text = read_source("etc/pwreset.conf", &len);
    char *man = read_source("docs/pwreset.conf.5", &mlen);
    char *out = malloc(len + 1);

    ck_assert_ptr_nonnull(out);
    for (i = 0; i < len; i++) {
        int line_start = i == 0 || text[i - 1] == '\n';

        if (line_start && text[i] == '#' && i + 1 < len &&
            text[i + 1] >= 'a' && text[i + 1] <= 'z') {
            char key[64], probe[80];
            size_t k = 0;

            while (i + 1 + k < len && k + 1 < sizeof(key) &&
                   text[i + 1 + k] != ' ')
                key[k] = text[i + 1 + k], k++;
            key[k] = '\0';
            ck_assert_msg(pwr_config_is_key(key), "'%s' is no key", key);
            snprintf(probe, sizeof(probe), ".BI %s \"", key);
            ck_assert_msg(strstr(man, probe) != NULL ||
                              (strcmp(key, "hash") == 0 &&
                               strstr(man, ".BR hash \"") != NULL),
                          "%s is not described in pwreset.conf.5", key);
            settings++;
            continue; /* drop the '#' */
        }
        out[o++] = text[i];
    }
    write_bytes(conf_path, out, o);
    free(out);
    free(text);
    free(man);
    ck_assert_uint_eq(settings, 16 + 3 + 7 + 2); /* every key (+3: grace
                                                      and breach, +7: rotation,
                                                      history and mail, +2:
                                                      protected accounts) */
    pwr_config_defaults(&def);
    memcpy(&cfg, &def, sizeof(cfg));
    ck_assert_msg(pwr_config_load(&cfg, conf_path, 1, &err) == 0, "%s",
                  err.msg);
    /* The example shows the usual store path; the build may choose another. */
    ck_assert_str_eq(cfg.store, "/var/lib/pwreset/store");
    memcpy(cfg.store, def.store, sizeof(cfg.store));
    ck_assert(cfg_same(&cfg, &def));
}
END_TEST

/* ---- the module's lenient reading: errors never lock anyone out ------- */

struct seen_problems {
    unsigned n;
    char first[512];
};

static void count_problem(void *arg, const struct pwr_err *p)
{
    struct seen_problems *sp = arg;

    if (sp->n++ == 0)
        snprintf(sp->first, sizeof(sp->first), "%s", p->msg);
}

static int lenient_text(const char *text, struct pwr_config *cfg,
                        struct pwr_config_lenient *len,
                        struct seen_problems *sp, struct pwr_err *err)
{
    memset(sp, 0, sizeof(*sp));
    memset(len, 0, sizeof(*len));
    len->report = count_problem;
    len->arg = sp;
    write_bytes(conf_path, text, strlen(text));
    pwr_config_defaults(cfg);
    pwr_err_clear(err);
    return pwr_config_load_lenient(cfg, conf_path, len, err);
}

START_TEST(test_lenient_skips_bad_lines_and_keeps_defaults)
{
    struct pwr_config cfg;
    struct pwr_config_lenient len;
    struct seen_problems sp;
    struct pwr_err err;
    char where[PWR_PATH_MAX + 16];

    ck_assert_int_eq(lenient_text("min_lenght = 14\n"
                                  "min_length = 14 chars\n"
                                  "hash_cost = 99\n"
                                  "fail_delay = 10\n"
                                  "fail_delay = 20\n",
                                  &cfg, &len, &sp, &err), 0);
    ck_assert_uint_eq(sp.n, 4);
    ck_assert_uint_eq(len.problems, 4);
    ck_assert_int_eq(len.store_bad, 0);
    snprintf(where, sizeof(where), "%s:1: unknown key", conf_path);
    ck_assert_msg(strncmp(sp.first, where, strlen(where)) == 0, "%s",
                  sp.first);
    ck_assert_uint_eq(cfg.min_length, 12);  /* the default */
    ck_assert_uint_eq(cfg.hash.cost, 5);    /* yescrypt's default */
    ck_assert_uint_eq(cfg.fail_delay_ms, 10); /* the first value */
    ck_assert_str_eq(cfg.store, PWR_STORE_PATH);
}
END_TEST

START_TEST(test_lenient_resets_cross_key_conflicts)
{
    struct pwr_config cfg;
    struct pwr_config_lenient len;
    struct seen_problems sp;
    struct pwr_err err;

    ck_assert_int_eq(lenient_text("min_length = 300\nhash = argon2id\n"
                                  "hash_cost = 11\n",
                                  &cfg, &len, &sp, &err), 0);
    ck_assert_uint_eq(sp.n, 2);
    ck_assert_uint_eq(cfg.min_length, 12);
    ck_assert_uint_le(cfg.min_length, cfg.max_length);
    ck_assert_uint_eq(cfg.hash.cost, 2); /* argon2id's default */
}
END_TEST

START_TEST(test_lenient_fails_when_the_store_cannot_be_known)
{
    static const char *const texts[] = {
        "store = relative/store\n", "stroe = /srv/pw/store\n",
        "stores = /srv/pw/store\n", "= /srv/pw/store\n",
        "store /srv/pw/store\n",
    };
    struct pwr_config cfg, defaults;
    struct pwr_config_lenient len;
    struct seen_problems sp;
    struct pwr_err err;
    size_t i;

    pwr_config_defaults(&defaults);
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        ck_assert_int_eq(lenient_text(texts[i], &cfg, &len, &sp, &err), -1);
        ck_assert_int_eq(len.store_bad, 1);
        ck_assert_int_eq(err.code, PWR_E_CONFIG);
        ck_assert_int_eq(memcmp(&cfg, &defaults, sizeof(cfg)), 0);
    }
    /* a key far from "store" is only a skipped line */
    ck_assert_int_eq(lenient_text("history = lots\n", &cfg, &len, &sp, &err),
                     0);
}
END_TEST

START_TEST(test_lenient_reads_an_unsafe_file_and_flags_it)
{
    struct pwr_config cfg;
    struct pwr_config_lenient len;
    struct seen_problems sp;
    struct pwr_err err;

    if (geteuid() != 0)
        return; /* the owner and mode rules apply to root only */
    ck_assert_int_eq(lenient_text("min_length = 14\n", &cfg, &len, &sp, &err),
                     0);
    ck_assert_int_eq(len.unsafe, 0);
    ck_assert_int_eq(chmod(conf_path, 0664), 0);
    memset(&len, 0, sizeof(len));
    pwr_config_defaults(&cfg);
    ck_assert_int_eq(pwr_config_load_lenient(&cfg, conf_path, &len, &err), 0);
    ck_assert_int_eq(len.unsafe, 1);
    ck_assert_ptr_nonnull(strstr(len.unsafe_problem.msg, "unsafe mode"));
    ck_assert_uint_eq(cfg.min_length, 14);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");

    tcase_add_unchecked_fixture(tc, setup, pwr_test_dir_teardown);
    tcase_add_test(tc, test_defaults_equal_documented_values);
    tcase_add_test(tc, test_every_key_accepts_a_good_value);
    tcase_add_test(tc, test_range_limits_are_inclusive);
    tcase_add_test(tc, test_every_key_rejects_bad_values_through_set);
    tcase_add_test(tc,
                   test_every_key_rejects_bad_values_in_a_file_naming_the_line);
    tcase_add_test(tc, test_too_long_and_too_many_values_are_rejected);
    tcase_add_test(tc, test_unknown_key_is_rejected_with_its_line);
    tcase_add_test(tc, test_repeated_key_is_rejected_with_its_line);
    tcase_add_test(tc, test_missing_equals_is_rejected_with_its_line);
    tcase_add_test(tc, test_empty_key_is_rejected_with_its_line);
    tcase_add_test(tc, test_bad_duration_is_rejected_with_its_line);
    tcase_add_test(tc, test_relative_path_is_rejected_with_its_line);
    tcase_add_test(tc,
                   test_min_length_above_max_length_names_the_min_length_line);
    tcase_add_test(tc, test_hash_cost_default_follows_the_method);
    tcase_add_test(tc, test_hash_cost_is_checked_against_the_final_method);
    tcase_add_test(tc, test_comments_blank_lines_and_quotes_are_handled);
    tcase_add_test(tc, test_quoted_values_keep_spaces_and_unescape);
    tcase_add_test(tc, test_bad_quoting_is_rejected_with_its_line);
    tcase_add_test(tc, test_line_too_long_is_rejected_with_its_line);
    tcase_add_test(tc, test_nul_byte_is_rejected_with_its_line);
    tcase_add_test(tc, test_invalid_utf8_value_is_rejected_with_its_line);
    tcase_add_test(tc, test_crlf_line_endings_are_accepted);
    tcase_add_test(tc, test_failed_load_leaves_the_config_unchanged);
    tcase_add_test(tc, test_set_overrides_a_file_value);
    tcase_add_test(tc, test_set_keeps_the_config_consistent);
    tcase_add_test(tc, test_symlinked_config_is_refused);
    tcase_add_test(tc, test_directory_and_oversized_configs_are_refused);
    tcase_add_test(tc, test_missing_file_is_fine_only_when_not_required);
    tcase_add_test(tc, test_writable_config_is_refused_when_root);
    tcase_add_test(tc, test_policy_view_points_into_the_config);
    tcase_add_test(tc, test_protected_users_and_key_names_are_recognised);
    tcase_add_test(tc, test_grace_exempt_and_breach_keys_parse_and_refuse_bad_values);
    tcase_add_test(tc, test_shipped_example_equals_the_defaults);
    tcase_add_test(tc,
                   test_shipped_example_documents_every_key_with_its_default);
    tcase_add_test(tc, test_lenient_skips_bad_lines_and_keeps_defaults);
    tcase_add_test(tc, test_lenient_resets_cross_key_conflicts);
    tcase_add_test(tc, test_lenient_fails_when_the_store_cannot_be_known);
    tcase_add_test(tc, test_lenient_reads_an_unsafe_file_and_flags_it);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pwr_test_run(config_suite());
}
