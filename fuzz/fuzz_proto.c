/* fuzz_proto.c - fuzz target: the helper's request parser (pwr_msg_decode),
 * the first thing the set-uid helper does with bytes an unprivileged caller
 * sends.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * Properties: no read outside the buffer; a rejected message is a usage
 * error with a printable message and leaves no fields behind; an accepted
 * message encodes and decodes back to the same keys and values (lengths
 * included: a value is never truncated at an embedded byte).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pwr_proto.h"
#include "pwr_secret.h"

#define T "proto"

static int same(const struct pwr_msg *a, const struct pwr_msg *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const struct pwr_field *x = &a->fields[i], *y = &b->fields[i];

        if (strcmp(x->key, y->key) != 0 || x->len != y->len ||
            memcmp(x->value, y->value, x->len) != 0 ||
            strlen(x->value) != x->len)
            return 0;
    }
    return 1;
}

static void round_trip(const struct pwr_msg *m)
{
    struct pwr_msg back;
    struct pwr_err err;
    char *buf = NULL;
    size_t len = 0;

    if (pwr_msg_encode(m, &buf, &len, &err) < 0)
        fuzz_fail(T, "an accepted message cannot be encoded");
    if (pwr_msg_decode(buf, len, &back, &err) < 0)
        fuzz_fail(T, "an encoded message does not decode");
    if (!same(m, &back))
        fuzz_fail(T, "decode(encode(m)) differs from m");
    pwr_msg_free(&back);
    pwr_wipe(buf, len);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pwr_msg m;
    struct pwr_err err;

    pwr_err_clear(&err);
    if (pwr_msg_decode((const char *)data, size, &m, &err) == 0) {
        round_trip(&m);
        (void)pwr_msg_get(&m, "op");
        (void)pwr_msg_count(&m, "user");
        (void)pwr_msg_result(&m);
        pwr_msg_free(&m);
        return 0;
    }
    if (m.n != 0 || m.fields != NULL)
        fuzz_fail(T, "a rejected message kept fields");
    if (!fuzz_printable(err.msg) ||
        (err.code != PWR_E_USAGE && err.code != PWR_E_INTERNAL))
        fuzz_fail(T, "error message not printable or wrong code");
    return 0;
}
