/* procscan.c - test tool: while a workload runs, look again and again at
 * /proc/PID/cmdline and /proc/PID/environ of every process for any of the
 * test's secrets.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * usage: procscan SECRETS STOPFILE
 *   SECRETS holds one secret per line; it is read again before every scan,
 *   so secrets generated while the workload runs are looked for too.  Scans
 *   every process until STOPFILE exists (then once more), prints
 *   "scans=N processes=M" and, for each secret found, "found in PID FILE";
 *   exit 1 if any was found, 0 if not, 2 on usage errors.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SECRETS 32
#define BUF 65536

static char *secrets[MAX_SECRETS];
static size_t n_secrets;
static unsigned long seen, found;

static int load(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];

    for (size_t i = 0; i < n_secrets; i++)
        free(secrets[i]);
    n_secrets = 0;
    if (f == NULL)
        return -1;
    while (n_secrets < MAX_SECRETS && fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] != '\0' && (secrets[n_secrets] = strdup(line)) != NULL)
            n_secrets++;
    }
    fclose(f);
    return 0;
}

static void scan_file(const char *pid, const char *what)
{
    static char buf[BUF];
    char path[64];
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%s/%s", pid, what);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    n = read(fd, buf, sizeof(buf));
    close(fd);
    for (size_t i = 0; n > 0 && i < n_secrets; i++)
        if (memmem(buf, (size_t)n, secrets[i], strlen(secrets[i])) != NULL) {
            printf("found in %s %s\n", pid, what);
            found++;
        }
}

static void scan_all(void)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    char self[32];

    snprintf(self, sizeof(self), "%ld", (long)getpid());
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
            strcmp(de->d_name, self) == 0)
            continue;
        seen++;
        scan_file(de->d_name, "cmdline");
        scan_file(de->d_name, "environ");
    }
    if (d != NULL)
        closedir(d);
}

int main(int argc, char **argv)
{
    unsigned long scans = 0;
    struct stat st;

    if (argc != 3 || load(argv[1]) < 0 || n_secrets == 0) {
        fprintf(stderr, "usage: procscan SECRETS STOPFILE\n");
        return 2;
    }
    do {
        if (load(argv[1]) < 0)
            return 2;
        scan_all();
        scans++;
    } while (stat(argv[2], &st) < 0);
    scan_all();
    printf("scans=%lu processes=%lu\n", scans + 1, seen);
    return found ? 1 : 0;
}
