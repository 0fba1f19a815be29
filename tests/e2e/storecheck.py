#!/usr/bin/python3
# tests/e2e/storecheck.py - does USER's hash in the store verify the password
# given on stdin?  Reads the store file directly (the world's root may), so a
# scenario can prove which password an account holds without logging in.
# The hash is checked with the system's crypt(3) (libxcrypt), which knows
# yescrypt; the password never appears in argv.
# SPDX-License-Identifier: BSD-3-Clause
#
# usage: storecheck.py STORE USER < PASSWORD
# exit 0: it verifies; 1: it does not; 2: no such record or unusable store.
import sys
import urllib.parse
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import crypt


def record(store, user):
    with open(store, encoding="utf-8") as f:
        for line in f:
            words = line.rstrip("\n").split(" ")
            if words[0] != user:
                continue
            return dict(w.split("=", 1) for w in words[1:] if "=" in w)
    return None


def main():
    store, user = sys.argv[1], sys.argv[2]
    password = sys.stdin.read()
    rec = record(store, user)
    if rec is None:
        print(f"storecheck: {user} is not in {store}", file=sys.stderr)
        return 2
    stored = urllib.parse.unquote(rec.get("hash", ""))
    if not stored:
        print(f"storecheck: {user} has no password hash", file=sys.stderr)
        return 1
    return 0 if crypt.crypt(password, stored) == stored else 1


if __name__ == "__main__":
    sys.exit(main())
