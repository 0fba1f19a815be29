/* preload_probe.c - test tool: a library that, when the dynamic loader
 * preloads it, creates the file named by $PWR_PROBE_MARKER.  The set-uid
 * test proves LD_PRELOAD reaches an ordinary program but not the helper.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

void pwr_probe_init(void) __attribute__((constructor));

void pwr_probe_init(void)
{
    const char *marker = getenv("PWR_PROBE_MARKER");
    int fd;

    if (marker == NULL)
        return;
    fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd >= 0)
        close(fd);
}
