/* test_policy.c - unit tests of the password policy (lib/policy/pwr_policy.c), the
 * breached-password lookup (lib/policy/pwr_breach.c) and SHA-1 (lib/crypto/pwr_sha1.c).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pwr_hash.h"
#include "pwr_policy.h"
#include "testutil.h"

/* Path of name in the test directory (static buffer: one at a time). */
static const char *tpath(const char *name)
{
    static char buf[2][512];
    static int which;

    which ^= 1;
    snprintf(buf[which], sizeof(buf[which]), "%s/%s", pwr_test_dir, name);
    return buf[which];
}

static const char *write_file(const char *name, const char *text)
{
    const char *path = tpath(name);
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static void sha1_hex(const char *s, char hex[41])
{
    unsigned char md[20];
    int i;

    pwr_sha1(s, strlen(s), md);
    for (i = 0; i < 20; i++)
        snprintf(hex + 2 * i, 3, "%02X", md[i]);
}

/* ---- SHA-1 ------------------------------------------------------------ */

static void assert_sha1(const void *data, size_t len, const char *want)
{
    unsigned char md[20];
    char hex[41];
    int i;

    pwr_sha1(data, len, md);
    for (i = 0; i < 20; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    ck_assert_str_eq(hex, want);
}

START_TEST(test_sha1_matches_the_fips_180_vectors)
{
    static const char m448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    static const char m896[] =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
        "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    char *million = malloc(1000000);

    assert_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    assert_sha1(m448, strlen(m448), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    assert_sha1(m896, strlen(m896), "a49b2446a02c645bf419f995b67091253a04a259");
    ck_assert_ptr_nonnull(million);
    memset(million, 'a', 1000000);
    assert_sha1(million, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    free(million);
    assert_sha1("password", 8, "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8");
}
END_TEST

/* ---- breached list ------------------------------------------------------ */

#define N_ENTRIES 1000

struct entry {
    char hex[41];
    char pw[24];
};

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->hex, ((const struct entry *)b)->hex);
}

static struct entry entries[N_ENTRIES];

/* Sorted list of the SHA-1 of "listed-<i>"; eol "\n" or "\r\n". */
static const char *make_list(const char *name, const char *eol, int lower,
                             int last_eol)
{
    const char *path = tpath(name);
    FILE *f = fopen(path, "w");
    int i, j;

    ck_assert_ptr_nonnull(f);
    for (i = 0; i < N_ENTRIES; i++) {
        snprintf(entries[i].pw, sizeof(entries[i].pw), "listed-%d", i);
        sha1_hex(entries[i].pw, entries[i].hex);
    }
    qsort(entries, N_ENTRIES, sizeof(entries[0]), entry_cmp);
    for (i = 0; i < N_ENTRIES; i++) {
        char hex[41];
        memcpy(hex, entries[i].hex, sizeof(hex));
        for (j = 0; lower && j < 40; j++)
            if (hex[j] >= 'A' && hex[j] <= 'F')
                hex[j] = (char)(hex[j] - 'A' + 'a');
        fprintf(f, "%s:%d%s", hex, i * 7 + 1,
                i < N_ENTRIES - 1 || last_eol ? eol : "");
    }
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static int lookup(const char *path, const char *pw)
{
    struct pwr_err err;
    int found = -1;

    ck_assert_msg(pwr_breach_lookup(path, pw, &found, &err) == 0, "%s", err.msg);
    return found;
}

static void assert_lookups(const char *path)
{
    char pw[32];
    int i;

    ck_assert_int_eq(lookup(path, entries[0].pw), 1);
    ck_assert_int_eq(lookup(path, entries[1].pw), 1);
    ck_assert_int_eq(lookup(path, entries[N_ENTRIES / 2].pw), 1);
    ck_assert_int_eq(lookup(path, entries[N_ENTRIES - 2].pw), 1);
    ck_assert_int_eq(lookup(path, entries[N_ENTRIES - 1].pw), 1);
    for (i = 0; i < N_ENTRIES; i += 37)
        ck_assert_int_eq(lookup(path, entries[i].pw), 1);
    for (i = 0; i < 200; i++) {
        snprintf(pw, sizeof(pw), "absent-%d", i);
        ck_assert_msg(lookup(path, pw) == 0, "%s", pw);
    }
}

START_TEST(test_breach_lookup_finds_first_middle_last_with_lf)
{
    assert_lookups(make_list("breach_lf", "\n", 0, 1));
}
END_TEST

START_TEST(test_breach_lookup_finds_first_middle_last_with_crlf)
{
    assert_lookups(make_list("breach_crlf", "\r\n", 0, 1));
}
END_TEST

START_TEST(test_breach_lookup_without_final_newline)
{
    assert_lookups(make_list("breach_nofinal", "\r\n", 0, 0));
    assert_lookups(make_list("breach_nofinal_lf", "\n", 0, 0));
}
END_TEST

START_TEST(test_breach_lookup_accepts_lower_case_hex)
{
    assert_lookups(make_list("breach_lower", "\n", 1, 1));
}
END_TEST

/* One line H; a password hashing below H and one above are both absent. */
START_TEST(test_breach_lookup_of_one_line_file)
{
    char h[41], c[41], line[64], pw[32], below[32] = "", above[32] = "";
    const char *path;
    int i;

    sha1_hex("password", h);
    snprintf(line, sizeof(line), "%s:3861493\r\n", h);
    path = write_file("breach_one", line);
    for (i = 0; i < 100 && (!below[0] || !above[0]); i++) {
        snprintf(pw, sizeof(pw), "probe-%d", i);
        sha1_hex(pw, c);
        memcpy(strcmp(c, h) < 0 ? below : above, pw, sizeof(pw));
    }
    ck_assert(below[0] && above[0]);
    ck_assert_int_eq(lookup(path, "password"), 1);
    ck_assert_int_eq(lookup(path, below), 0);
    ck_assert_int_eq(lookup(path, above), 0);
}
END_TEST

static int lookup_fails(const char *path, const char *pw)
{
    struct pwr_err err;
    int found = 1;

    err.code = PWR_OK;
    if (pwr_breach_lookup(path, pw, &found, &err) != -1)
        return 0;
    return err.code == PWR_E_CONFIG && err.msg[0] != '\0' && found == 0;
}

START_TEST(test_breach_lookup_fails_on_malformed_lines)
{
    char h[41], text[256];

    sha1_hex("password", h);
    ck_assert(lookup_fails(write_file("breach_junk", "this is not a hash list\n"),
                           "password"));
    snprintf(text, sizeof(text), "%s\n", h);
    ck_assert(lookup_fails(write_file("breach_nocount", text), "password"));
    snprintf(text, sizeof(text), "%s:12 extra\n", h);
    ck_assert(lookup_fails(write_file("breach_trail", text), "password"));
    snprintf(text, sizeof(text), "%.39sG:1\n", h);
    ck_assert(lookup_fails(write_file("breach_nonhex", text), "password"));
    ck_assert(lookup_fails(write_file("breach_empty", ""), "password"));
}
END_TEST

START_TEST(test_breach_lookup_fails_on_missing_symlinked_or_odd_files)
{
    const char *target = make_list("breach_target", "\n", 0, 1);

    ck_assert_int_eq(symlink(target, tpath("breach_link")), 0);
    ck_assert(lookup_fails(tpath("breach_link"), "x"));
    ck_assert(lookup_fails(tpath("breach_missing"), "x"));
    ck_assert(lookup_fails(pwr_test_dir, "x"));
}
END_TEST

/* ---- policy ------------------------------------------------------------- */

static unsigned check_full(const struct pwr_policy *pol, const char *pw,
                           const char *login, const char *name,
                           const char *current)
{
    struct pwr_policy_input in = {pw, login, name, current};
    struct pwr_err err;
    unsigned v = 0xdead;

    ck_assert_msg(pwr_policy_check(pol, &in, &v, &err) == 0, "%s", err.msg);
    return v;
}

static unsigned check(const char *pw)
{
    static const struct pwr_policy def = {12, 256, {NULL}, 0, NULL};

    return check_full(&def, pw, "alice", "Alice Smith", NULL);
}

/* n characters from a fixed pseudo-random stream: not trivial, no names. */
static char *random_text(size_t n)
{
    static const char set[] = "bcdfgkmqrvwxzBDFGKMQRVWXZ2357!%+/";
    char *s = malloc(n + 1);
    uint32_t x = 12345;
    size_t i;

    ck_assert_ptr_nonnull(s);
    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        s[i] = set[(x >> 16) % (sizeof(set) - 1)];
    }
    s[n] = '\0';
    return s;
}

static size_t put_utf8(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* n emoji, none next to its neighbour in Unicode. */
static void emoji_text(size_t n, char *out)
{
    static const uint32_t cps[] = {0x1F600, 0x1F389, 0x1F40D, 0x1F680,
                                   0x1F30D, 0x1F355, 0x1F3B8, 0x1F3D4,
                                   0x1F98A, 0x1F335, 0x1F511, 0x1F4DA};
    size_t i, o = 0;

    for (i = 0; i < n; i++)
        o += put_utf8(cps[i % 12], out + o);
    out[o] = '\0';
}

START_TEST(test_good_passphrases_are_accepted)
{
    ck_assert_uint_eq(check("correct horse battery staple"), 0);
    ck_assert_uint_eq(check("Tr0ub4dor&3-xylophone"), 0);
    ck_assert_uint_eq(check("naïve café über straße"), 0);
    ck_assert_uint_eq(check("  spaces  are fine  "), 0);
}
END_TEST

START_TEST(test_min_length_counts_code_points)
{
    char emoji[64];

    ck_assert_uint_eq(check("gkq7!vwm2zr"), PWR_POL_TOO_SHORT); /* 11 */
    ck_assert_uint_eq(check("gkq7!vwm2zrb"), 0);                 /* 12 */
    emoji_text(12, emoji);
    ck_assert_uint_eq(strlen(emoji), 48);
    ck_assert_uint_eq(check(emoji), 0);
    emoji_text(11, emoji);
    ck_assert_uint_eq(check(emoji), PWR_POL_TOO_SHORT);
    ck_assert_uint_eq(check("") & PWR_POL_TOO_SHORT, PWR_POL_TOO_SHORT);
}
END_TEST

START_TEST(test_configured_min_length_applies)
{
    struct pwr_policy pol = {16, 256, {NULL}, 0, NULL};

    ck_assert_uint_eq(check_full(&pol, "gkq7!vwm2zrbxd5", NULL, NULL, NULL),
                      PWR_POL_TOO_SHORT);
    ck_assert_uint_eq(check_full(&pol, "gkq7!vwm2zrbxd5f", NULL, NULL, NULL), 0);
    ck_assert_uint_eq(check_full(NULL, "gkq7!vwm2zr", NULL, NULL, NULL),
                      PWR_POL_TOO_SHORT); /* no policy: default 12 */
}
END_TEST

START_TEST(test_max_length_256_accepted_257_rejected)
{
    char *s = random_text(257);

    ck_assert_uint_eq(check(s), PWR_POL_TOO_LONG);
    s[256] = '\0';
    ck_assert_uint_eq(check(s), 0);
    free(s);
}
END_TEST

START_TEST(test_max_length_below_256_is_raised_to_256)
{
    struct pwr_policy pol = {12, 20, {NULL}, 0, NULL};
    char *s = random_text(256);

    ck_assert_uint_eq(check_full(&pol, s, NULL, NULL, NULL), 0);
    free(s);
}
END_TEST

START_TEST(test_64k_password_is_rejected_as_too_long)
{
    char *s = random_text(64 * 1024);
    struct pwr_policy pol = {12, 256, {NULL}, 0, NULL};
    char h[PWR_HASH_MAX];
    struct pwr_hash_params p = {PWR_HASH_YESCRYPT, 1};
    struct pwr_err err;

    ck_assert_int_eq(pwr_hash_make("current one", &p, h, &err), 0);
    pol.breached_list = make_list("breach_for_64k", "\n", 0, 1);
    pol.blocklists[0] = write_file("policy_block_64k", "password\n");
    pol.n_blocklists = 1;
    ck_assert_uint_eq(check_full(&pol, s, "alice", "Alice Smith", h), PWR_POL_TOO_LONG);
    free(s);
}
END_TEST

/* libxcrypt hashes at most 511 bytes: 200 three-byte characters are too long. */
START_TEST(test_over_511_bytes_is_too_long_even_under_256_characters)
{
    char s[1024];
    size_t i, o = 0;

    for (i = 0; i < 200; i++)
        o += put_utf8(0x4E00 + (uint32_t)((i * 7919) % 2000), s + o);
    s[o] = '\0';
    ck_assert_uint_eq(o, 600);
    ck_assert_uint_eq(check(s), PWR_POL_TOO_LONG);
    s[510] = '\0'; /* 170 characters, 510 bytes */
    ck_assert_uint_eq(check(s), 0);
}
END_TEST

START_TEST(test_invalid_utf8_is_rejected)
{
    ck_assert_uint_eq(check("gkq7!vwm2zrb\xff"), PWR_POL_BAD_UTF8);
    ck_assert_uint_eq(check("gkq7!vwm2zrb\xc0\xaf"), PWR_POL_BAD_UTF8); /* overlong */
    /* a UTF-16 surrogate */
    ck_assert_uint_eq(check("gkq7!vwm2zrb\xed\xa0\x80"), PWR_POL_BAD_UTF8);
    ck_assert_uint_eq(check("gkq7!vwm2zrb\xe2\x82"), PWR_POL_BAD_UTF8); /* cut */
}
END_TEST

START_TEST(test_control_characters_are_rejected)
{
    ck_assert_uint_eq(check("gkq7!vwm\t2zrb"), PWR_POL_CONTROL);
    ck_assert_uint_eq(check("gkq7!vwm\x1b[2zrb"), PWR_POL_CONTROL);
    ck_assert_uint_eq(check("gkq7!vwm\x7f" "2zrb"), PWR_POL_CONTROL);
    ck_assert_uint_eq(check("gkq7!vwm\r\n2zrb"), PWR_POL_CONTROL);
    ck_assert_uint_eq(check("gkq7 !vwm 2zrb"), 0);
}
END_TEST

START_TEST(test_blocklisted_words_are_rejected_whole_and_case_insensitively)
{
    struct pwr_policy pol = {12, 256, {NULL}, 0, NULL};

    pol.blocklists[0] = write_file("policy_block_a",
                                   "# common passwords\r\n"
                                   "\r\n"
                                   "Correct Horse Battery\r\n"
                                   "#iloveyou123456\n"
                                   "\n"
                                   "monkeymonkey1\n");
    pol.blocklists[1] = write_file("policy_block_b", "letmein-please-now");
    pol.n_blocklists = 2;
    ck_assert_uint_eq(check_full(&pol, "correct horse battery", NULL, NULL, NULL),
                      PWR_POL_BLOCKLISTED);
    ck_assert_uint_eq(check_full(&pol, "CORRECT HORSE BATTERY", NULL, NULL, NULL),
                      PWR_POL_BLOCKLISTED);
    ck_assert_uint_eq(check_full(&pol, "MonkeyMonkey1", NULL, NULL, NULL),
                      PWR_POL_BLOCKLISTED);
    ck_assert_uint_eq(check_full(&pol, "letmein-please-now", NULL, NULL, NULL),
                      PWR_POL_BLOCKLISTED);
    ck_assert_uint_eq(check_full(&pol, "correct horse battery!", NULL, NULL, NULL), 0);
    ck_assert_uint_eq(check_full(&pol, "correct horse", NULL, NULL, NULL), 0);
    ck_assert_uint_eq(check_full(&pol, "#iloveyou123456", NULL, NULL, NULL), 0);
    ck_assert_uint_eq(check_full(&pol, "# common passwords", NULL, NULL, NULL), 0);
}
END_TEST

START_TEST(test_unreadable_blocklist_fails_closed)
{
    struct pwr_policy pol = {12, 256, {NULL}, 1, NULL};
    struct pwr_policy_input in = {"correct horse battery staple", NULL, NULL, NULL};
    struct pwr_err err;
    unsigned v = 7;

    pol.blocklists[0] = tpath("policy_missing");
    ck_assert_int_eq(pwr_policy_check(&pol, &in, &v, &err), -1);
    ck_assert_int_eq(err.code, PWR_E_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "policy_missing"));
    ck_assert_uint_eq(v, 0);
    pol.blocklists[0] = pwr_test_dir; /* a directory */
    ck_assert_int_eq(pwr_policy_check(&pol, &in, &v, &err), -1);
    write_file("policy_real", "x\n");
    ck_assert_int_eq(symlink(tpath("policy_real"), tpath("policy_link")), 0);
    pol.blocklists[0] = tpath("policy_link");
    ck_assert_int_eq(pwr_policy_check(&pol, &in, &v, &err), -1);
}
END_TEST

START_TEST(test_password_containing_the_login_is_rejected)
{
    struct pwr_policy pol = {12, 256, {NULL}, 0, NULL};

    ck_assert_uint_eq(check_full(&pol, "my-ALICE-gkq7!vwm", "alice", NULL, NULL),
                      PWR_POL_CONTAINS_LOGIN);
    ck_assert_uint_eq(check_full(&pol, "alicegkq7!vwm", "alice", NULL, NULL),
                      PWR_POL_CONTAINS_LOGIN);
    ck_assert_uint_eq(check_full(&pol, "ali-gkq7!vwm2z", "alice", NULL, NULL), 0);
    ck_assert_uint_eq(check_full(&pol, "my-al-gkq7!vwm", "al", NULL, NULL), 0);
    ck_assert_uint_eq(check_full(&pol, "my-bob-gkq7!vwm", "bob", NULL, NULL),
                      PWR_POL_CONTAINS_LOGIN);
}
END_TEST

START_TEST(test_password_containing_a_part_of_the_full_name_is_rejected)
{
    struct pwr_policy pol = {12, 256, {NULL}, 0, NULL};
    const char *name = "Mary-Jane O.Neil-Smith, Jr";

    ck_assert_uint_eq(check_full(&pol, "gkq7!JANE!vwm", "mj", name, NULL),
                      PWR_POL_CONTAINS_NAME);
    ck_assert_uint_eq(check_full(&pol, "gkq7!neilvwm", "mj", name, NULL),
                      PWR_POL_CONTAINS_NAME);
    ck_assert_uint_eq(check_full(&pol, "smithgkq7!vwm", "mj", name, NULL),
                      PWR_POL_CONTAINS_NAME);
    /* "Jr" and "O" are shorter than 3 characters */
    ck_assert_uint_eq(check_full(&pol, "gkq7!jr-o-vwm", "mj", name, NULL), 0);
    ck_assert_uint_eq(check_full(&pol, "gkq7!vwm2zrb", "mj", "", NULL), 0);
    ck_assert_uint_eq(check_full(&pol, "gkq7!józefvwm", "mj", "Józef Ab", NULL),
                      PWR_POL_CONTAINS_NAME);
}
END_TEST

START_TEST(test_repeated_units_are_trivial)
{
    ck_assert_uint_eq(check("aaaaaaaaaaaa"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("abcabcabcabc"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("passwordpassword"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("gkq7!vGKQ7!V"), PWR_POL_TRIVIAL); /* case folded */
    ck_assert_uint_eq(check("gkq7!vgkq7!vx"), 0);
}
END_TEST

START_TEST(test_ascending_and_descending_runs_are_trivial)
{
    ck_assert_uint_eq(check("abcdefghijklm"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("ABCdefGHIjklm"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("zyxwvutsrqpon"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("0123456789012"), PWR_POL_TRIVIAL); /* digits wrap */
    ck_assert_uint_eq(check("9876543210987"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("abcdefghijkmn"), 0);               /* l missing */
    ck_assert_uint_eq(check("abcdefgfedcba"), 0);               /* turns */
    ck_assert_uint_eq(check("uvwxyzabcdefg"), 0);               /* letters do not wrap */
}
END_TEST

START_TEST(test_keyboard_rows_are_trivial)
{
    ck_assert_uint_eq(check("qwertyuiopas"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("QWERTYUIOPASDFGHJKL"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("lkjhgfdsapoiu"), PWR_POL_TRIVIAL); /* backwards */
    ck_assert_uint_eq(check("7890qwertyui"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("1qaz2wsx3edc"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("!@#$%^&*()_+"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("qwertzuiopas"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("azertyuiopqsd"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("qwertyuiopzx"), 0); /* skips a row */
}
END_TEST

START_TEST(test_fewer_than_three_distinct_characters_are_trivial)
{
    static const char pattern[] = "ABABBAABBBAA"; /* not periodic */
    char two[64];
    size_t i, o = 0;

    ck_assert_uint_eq(check("aabbabbbaaab"), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("AabBabbBaaab"), PWR_POL_TRIVIAL);
    for (i = 0; pattern[i]; i++)
        o += put_utf8(pattern[i] == 'A' ? 0x1F600 : 0x1F389, two + o);
    two[o] = '\0';
    ck_assert_uint_eq(check(two), PWR_POL_TRIVIAL);
    ck_assert_uint_eq(check("aabbabbbaaac"), 0);
}
END_TEST

START_TEST(test_reusing_the_current_password_is_rejected)
{
    struct pwr_policy pol = {12, 256, {NULL}, 0, NULL};
    struct pwr_hash_params p = {PWR_HASH_YESCRYPT, 1};
    char h[PWR_HASH_MAX], locked[PWR_HASH_MAX + 1];
    struct pwr_err err;

    ck_assert_int_eq(pwr_hash_make("gkq7!vwm2zrb", &p, h, &err), 0);
    ck_assert_uint_eq(check_full(&pol, "gkq7!vwm2zrb", NULL, NULL, h),
                      PWR_POL_SAME_AS_CURRENT);
    ck_assert_uint_eq(check_full(&pol, "gkq7!vwm2zrB", NULL, NULL, h), 0);
    snprintf(locked, sizeof(locked), "!%s", h);
    ck_assert_uint_eq(check_full(&pol, "gkq7!vwm2zrb", NULL, NULL, locked), 0);
    ck_assert_uint_eq(check_full(&pol, "gkq7!vwm2zrb", NULL, NULL, ""), 0);
}
END_TEST

START_TEST(test_breached_passwords_are_rejected)
{
    struct pwr_policy pol = {12, 256, {NULL}, 0, NULL};
    struct pwr_policy_input in = {"gkq7!vwm2zrb", NULL, NULL, NULL};
    struct pwr_err err;
    unsigned v;

    pol.breached_list = make_list("breach_policy", "\r\n", 0, 1);
    ck_assert_uint_eq(check_full(&pol, "listed-17-ok", NULL, NULL, NULL), 0);
    ck_assert_uint_eq(check_full(&pol, "gkq7!vwm2zrb", NULL, NULL, NULL), 0);
    ck_assert_uint_eq(check_full(&pol, "listed-999", NULL, NULL, NULL),
                      PWR_POL_BREACHED | PWR_POL_TOO_SHORT);
    pol.breached_list = tpath("breach_absent");
    ck_assert_int_eq(pwr_policy_check(&pol, &in, &v, &err), -1);
}
END_TEST

/* Everything but too_long (which excludes too_short) at once. */
START_TEST(test_every_broken_rule_is_reported)
{
    static const char pw[] = "bob\t\xff" "bob\t\xff";
    struct pwr_policy pol = {12, 256, {NULL}, 0, NULL};
    struct pwr_hash_params p = {PWR_HASH_YESCRYPT, 1};
    char h[PWR_HASH_MAX], hex[41], line[64];
    struct pwr_err err;
    unsigned v;

    ck_assert_int_eq(pwr_hash_make(pw, &p, h, &err), 0);
    pol.blocklists[0] = write_file("policy_block_many", "BOB\t\xff" "BOB\t\xff\n");
    pol.n_blocklists = 1;
    sha1_hex(pw, hex);
    snprintf(line, sizeof(line), "%s:1\n", hex);
    pol.breached_list = write_file("breach_many", line);
    v = check_full(&pol, pw, "bob", "Bob Bobson", h);
    ck_assert_uint_eq(v, PWR_POL_TOO_SHORT | PWR_POL_BAD_UTF8 | PWR_POL_CONTROL |
                             PWR_POL_BLOCKLISTED | PWR_POL_CONTAINS_LOGIN |
                             PWR_POL_CONTAINS_NAME | PWR_POL_TRIVIAL |
                             PWR_POL_SAME_AS_CURRENT | PWR_POL_BREACHED);
}
END_TEST

/* The reason code of one bit, as the reply and the audit line carry it. */
static const char *reason_of(unsigned bit, char *buf, size_t bufsz)
{
    pwr_policy_reasons(bit, buf, bufsz);
    return buf;
}

START_TEST(test_reason_codes_are_stable)
{
    char buf[256];

    ck_assert_str_eq(reason_of(PWR_POL_TOO_SHORT, buf, sizeof(buf)), "too_short");
    ck_assert_str_eq(reason_of(PWR_POL_TOO_LONG, buf, sizeof(buf)), "too_long");
    ck_assert_str_eq(reason_of(PWR_POL_BAD_UTF8, buf, sizeof(buf)), "not_utf8");
    ck_assert_str_eq(reason_of(PWR_POL_BLOCKLISTED, buf, sizeof(buf)), "blocklisted");
    ck_assert_str_eq(reason_of(PWR_POL_CONTAINS_LOGIN, buf, sizeof(buf)),
                     "contains_login");
    ck_assert_str_eq(reason_of(PWR_POL_CONTAINS_NAME, buf, sizeof(buf)),
                     "contains_name");
    ck_assert_str_eq(reason_of(PWR_POL_TRIVIAL, buf, sizeof(buf)), "trivial");
    ck_assert_str_eq(reason_of(PWR_POL_SAME_AS_CURRENT, buf, sizeof(buf)), "reused");
    ck_assert_str_eq(reason_of(PWR_POL_BREACHED, buf, sizeof(buf)), "breached");
    ck_assert_str_eq(reason_of(PWR_POL_CONTROL, buf, sizeof(buf)), "control_chars");
    /* a bit no rule has is named by nothing */
    ck_assert_str_eq(reason_of(0x400, buf, sizeof(buf)), "");
    pwr_policy_reasons(PWR_POL_TOO_SHORT | PWR_POL_CONTAINS_LOGIN, buf, sizeof(buf));
    ck_assert_str_eq(buf, "too_short,contains_login");
    pwr_policy_reasons(0, buf, sizeof(buf));
    ck_assert_str_eq(buf, "");
    pwr_policy_reasons(0x3ff, buf, 12);
    ck_assert_str_eq(buf, "too_short,t"); /* cut, still a string */
}
END_TEST

static int count_lines(const char *s)
{
    int n = *s ? 1 : 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

START_TEST(test_describe_gives_one_sentence_per_broken_rule)
{
    struct pwr_policy pol = {14, 300, {NULL}, 0, NULL};
    char buf[2048];

    pwr_policy_describe(&pol, PWR_POL_TOO_SHORT, PWR_VOICE_OWNER, buf, sizeof(buf));
    ck_assert_str_eq(buf, "It must be at least 14 characters long.");
    pwr_policy_describe(&pol, PWR_POL_BLOCKLISTED | PWR_POL_CONTAINS_LOGIN,
                        PWR_VOICE_OWNER, buf, sizeof(buf));
    ck_assert_str_eq(buf, "It is on the list of common passwords.\n"
                          "It must not contain your login name.");
    pwr_policy_describe(&pol, 0x3ff, PWR_VOICE_OWNER, buf, sizeof(buf));
    ck_assert_int_eq(count_lines(buf), 10);
    ck_assert_ptr_nonnull(strstr(buf, "at most 300 characters"));
    pwr_policy_describe(&pol, 0, PWR_VOICE_OWNER, buf, sizeof(buf));
    ck_assert_str_eq(buf, "");
    pwr_policy_describe(&pol, 0x3ff, PWR_VOICE_OWNER, buf, 20);
    ck_assert_uint_eq(strlen(buf), 19);
}
END_TEST

START_TEST(test_describe_addresses_an_admin_as_not_the_owner)
{
    struct pwr_policy pol = {14, 300, {NULL}, 0, NULL};
    char buf[2048];

    pwr_policy_describe(&pol, 0x3ff, PWR_VOICE_ADMIN, buf, sizeof(buf));
    ck_assert_int_eq(count_lines(buf), 10);
    ck_assert_ptr_null(strstr(buf, "your login"));
    ck_assert_ptr_null(strstr(buf, "your name"));
    ck_assert_ptr_null(strstr(buf, "your current"));
    ck_assert_ptr_nonnull(strstr(buf, "the account's login name"));
    ck_assert_ptr_nonnull(strstr(buf, "the account's full name"));
    ck_assert_ptr_nonnull(strstr(buf, "the account's current password"));
}
END_TEST

START_TEST(test_summary_states_the_rules_in_one_line)
{
    struct pwr_policy pol = {12, 256, {"/x"}, 1, "/y"};
    char buf[512];

    pwr_policy_summary(&pol, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "at least 12 characters"));
    ck_assert_ptr_nonnull(strstr(buf, "common"));
    ck_assert_ptr_nonnull(strstr(buf, "breached"));
    ck_assert_ptr_null(strchr(buf, '\n'));
    pol.n_blocklists = 0;
    pol.breached_list = NULL;
    pwr_policy_summary(&pol, buf, sizeof(buf));
    ck_assert_ptr_null(strstr(buf, "common"));
    ck_assert_ptr_null(strstr(buf, "breached"));
}
END_TEST

static Suite *policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *sha = tcase_create("sha1");
    TCase *br = tcase_create("breach");
    TCase *pol = tcase_create("policy");

    tcase_add_test(sha, test_sha1_matches_the_fips_180_vectors);
    tcase_add_checked_fixture(br, pwr_test_dir_setup, pwr_test_dir_teardown);
    tcase_add_test(br, test_breach_lookup_finds_first_middle_last_with_lf);
    tcase_add_test(br, test_breach_lookup_finds_first_middle_last_with_crlf);
    tcase_add_test(br, test_breach_lookup_without_final_newline);
    tcase_add_test(br, test_breach_lookup_accepts_lower_case_hex);
    tcase_add_test(br, test_breach_lookup_of_one_line_file);
    tcase_add_test(br, test_breach_lookup_fails_on_malformed_lines);
    tcase_add_test(br, test_breach_lookup_fails_on_missing_symlinked_or_odd_files);
    tcase_add_checked_fixture(pol, pwr_test_dir_setup, pwr_test_dir_teardown);
    tcase_add_test(pol, test_good_passphrases_are_accepted);
    tcase_add_test(pol, test_min_length_counts_code_points);
    tcase_add_test(pol, test_configured_min_length_applies);
    tcase_add_test(pol, test_max_length_256_accepted_257_rejected);
    tcase_add_test(pol, test_max_length_below_256_is_raised_to_256);
    tcase_add_test(pol, test_64k_password_is_rejected_as_too_long);
    tcase_add_test(pol, test_over_511_bytes_is_too_long_even_under_256_characters);
    tcase_add_test(pol, test_invalid_utf8_is_rejected);
    tcase_add_test(pol, test_control_characters_are_rejected);
    tcase_add_test(pol, test_blocklisted_words_are_rejected_whole_and_case_insensitively);
    tcase_add_test(pol, test_unreadable_blocklist_fails_closed);
    tcase_add_test(pol, test_password_containing_the_login_is_rejected);
    tcase_add_test(pol, test_password_containing_a_part_of_the_full_name_is_rejected);
    tcase_add_test(pol, test_repeated_units_are_trivial);
    tcase_add_test(pol, test_ascending_and_descending_runs_are_trivial);
    tcase_add_test(pol, test_keyboard_rows_are_trivial);
    tcase_add_test(pol, test_fewer_than_three_distinct_characters_are_trivial);
    tcase_add_test(pol, test_reusing_the_current_password_is_rejected);
    tcase_add_test(pol, test_breached_passwords_are_rejected);
    tcase_add_test(pol, test_every_broken_rule_is_reported);
    tcase_add_test(pol, test_reason_codes_are_stable);
    tcase_add_test(pol, test_describe_gives_one_sentence_per_broken_rule);
    tcase_add_test(pol, test_describe_addresses_an_admin_as_not_the_owner);
    tcase_add_test(pol, test_summary_states_the_rules_in_one_line);
    suite_add_tcase(s, sha);
    suite_add_tcase(s, br);
    suite_add_tcase(s, pol);
    return s;
}

int main(void)
{
    return pwr_test_run(policy_suite());
}
