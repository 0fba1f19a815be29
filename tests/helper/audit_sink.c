/* audit_sink.c - test tool: a real syslog datagram socket for the helper
 * tests.  "audit_sink SOCKET OUTFILE -- COMMAND [ARGS]" binds SOCKET, runs
 * COMMAND, appends every datagram received while it runs (and any still
 * queued when it exits) to OUTFILE, one line each, removes SOCKET and exits
 * with COMMAND's status.  No sleeping: the command's exit is seen through
 * a pidfd, and datagrams already sent are then in the socket's queue.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int bind_socket(const char *path)
{
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
        return -1;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    (void)unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return -1;
    /* The helper runs as other users in the set-uid test. */
    (void)chmod(path, 0666);
    return fd;
}

/* Read every queued datagram (non-blocking); 0 when the queue is empty. */
static int drain(int fd, FILE *out)
{
    char buf[8192];

    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
            n--;
        fwrite(buf, 1, (size_t)n, out);
        fputc('\n', out);
        fflush(out);
    }
}

static int wait_child(pid_t pid, int sock, FILE *out)
{
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), status = 0;
    struct pollfd pf[2] = { { sock, POLLIN, 0 }, { pidfd, POLLIN, 0 } };

    if (pidfd < 0)
        return -1;
    for (;;) {
        if (poll(pf, 2, -1) < 0 && errno != EINTR)
            return -1;
        if (drain(sock, out) < 0)
            return -1;
        if (pf[1].revents & POLLIN)
            break;
    }
    if (waitpid(pid, &status, 0) < 0 || drain(sock, out) < 0)
        return -1;
    close(pidfd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
    FILE *out;
    pid_t pid;
    int sock, rc;

    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: audit_sink SOCKET OUTFILE -- COMMAND...\n");
        return 125;
    }
    sock = bind_socket(argv[1]);
    out = fopen(argv[2], "a");
    if (sock < 0 || out == NULL) {
        perror("audit_sink");
        return 125;
    }
    pid = fork();
    if (pid == 0) {
        execvp(argv[4], argv + 4);
        _exit(127);
    }
    rc = pid < 0 ? -1 : wait_child(pid, sock, out);
    (void)unlink(argv[1]);
    fclose(out);
    if (rc < 0) {
        perror("audit_sink");
        return 125;
    }
    return rc;
}
