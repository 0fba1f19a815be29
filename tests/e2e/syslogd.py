#!/usr/bin/python3
# tests/e2e/syslogd.py - the end-to-end world's syslog daemon: a datagram
# socket (the world's private /dev/log) whose every message is appended, as
# one line, to a file the scenarios read.  Order is kept: a marker sent
# after other messages is written after them (audit_sync relies on it).
# SPDX-License-Identifier: BSD-3-Clause
#
# usage: syslogd.py SOCKET LOGFILE
import os
import socket
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    # Every local program may log, as on a real system (setuid helpers,
    # passwd, sessions of the test users): the socket is mode 0666 from the
    # moment it exists.
    old = os.umask(0)
    sock.bind(path)
    os.umask(old)
    with open(out, "ab", buffering=0) as log:
        while True:
            data = sock.recv(65536)
            data = data.rstrip(b"\0\n").replace(b"\n", b"\\n")
            log.write(data + b"\n")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
