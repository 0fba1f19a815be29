/* pwr_paths.c - test tool: print the paths compiled into the programs
 * ("config", "helper", "store"), so the set-uid test knows which
 * configuration file the installed-style helper will read.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";

    if (strcmp(what, "config") == 0)
        puts(PWR_CONFIG_PATH);
    else if (strcmp(what, "helper") == 0)
        puts(PWR_HELPER_PATH);
    else if (strcmp(what, "store") == 0)
        puts(PWR_STORE_PATH);
    else
        return 2;
    return 0;
}
