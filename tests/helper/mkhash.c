/* mkhash.c - test tool: build store fixtures with the project's own
 * hashing.  "mkhash password COST" prints the yescrypt hash of the line on
 * stdin; "mkhash code" prints the stored form of the reset code on stdin.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pwr_hash.h"
#include "pwr_record.h"
#include "pwr_secret.h"

int main(int argc, char **argv)
{
    struct pwr_hash_params params = { PWR_HASH_YESCRYPT, 1 };
    struct pwr_err err;
    char line[1024], out[PWR_HASH_MAX];
    int rc;

    if (argc < 2 || fgets(line, sizeof(line), stdin) == NULL ||
        pwr_crypto_init(&err) < 0)
        return 2;
    line[strcspn(line, "\n")] = '\0';
    if (strcmp(argv[1], "password") == 0) {
        if (argc > 2)
            params.cost = (unsigned)atoi(argv[2]);
        rc = pwr_hash_make(line, &params, out, &err);
    } else {
        rc = pwr_code_hash(line, out, &err);
    }
    if (rc < 0) {
        fprintf(stderr, "mkhash: %s\n", err.msg);
        return 1;
    }
    printf("%s\n", out);
    return 0;
}
