/* pwr_audit.h - the audit trail: one syslog line per event.
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * A line is "key=value" pairs separated by single spaces, starting with
 * event=.  A value made only of [A-Za-z0-9._,:/@+-] is written bare;
 * anything else is written in double quotes with '"', '\\' and every byte
 * outside printable ASCII escaped (\" \\ \xHH), so a hostile login, rhost or
 * reason can neither add a field nor break the line.  Lines go to syslog,
 * facility authpriv, ident "pwreset", sent directly to the syslog socket so
 * the host program's openlog() settings are left alone.  Never put a
 * password, code or hash in an event.
 *
 * Vocabulary (keys): event user actor actor_uid result reason service rhost
 * tty temporary method users count expires by detail.  Events: the fixed
 * list pwr_audit_events below.
 */
#ifndef PWR_AUDIT_H
#define PWR_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "pwr_err.h"

#define PWR_AUDIT_LINE_MAX 2048
#define PWR_AUDIT_IDENT "pwreset" /* the syslog tag of every audit line */

struct pwr_audit {
    char line[PWR_AUDIT_LINE_MAX];
    size_t len;
    int truncated; /* a field did not fit: it was dropped, "truncated=1" added */
};

/* ---- the line format (pwr_audit_line.c) ---- */

/* The fixed vocabulary of event names (every one the module and the helper
 * write), NULL-terminated: what "pwreset audit --event" accepts. */
extern const char *const pwr_audit_events[];
int pwr_audit_event_known(const char *event);

void pwr_audit_begin(struct pwr_audit *a, const char *event);
void pwr_audit_add(struct pwr_audit *a, const char *key, const char *value);
void pwr_audit_add_int(struct pwr_audit *a, const char *key, long long value);

/* ---- the transport (pwr_audit_send.c) ---- */

/* Send a->line to the syslog socket (authpriv.notice, or authpriv.warning
 * when warn is set) with ident "pwreset" and our pid.  NULL or "" socket
 * means /dev/log. */
int pwr_audit_send(const struct pwr_audit *a, const char *socket_path,
                   int warn, struct pwr_err *err);

/* Send a[0..n) in order, one datagram (one syslog line) each, framed as
 * pwr_audit_send does; warn[i] is a[i]'s warn (warn NULL: all 0).  For bulk
 * actions: the frame's head is worked out once a second, and datagrams go
 * out through one connected socket, up to 64 per system call.  One failed
 * event does not stop the others; but when no listener can be reached
 * (connect fails) the up to 64 events of that call are all lost at once,
 * and the next 64 try again.  -1 with err (the first failure) when any
 * event could not be sent. */
int pwr_audit_send_batch(const struct pwr_audit *a, const unsigned char *warn,
                         size_t n, const char *socket_path,
                         struct pwr_err *err);

/* Keep one datagram socket open between sends (1) or close it (0).  For
 * programs that send many events in a row (the helper's bulk actions); never
 * from a PAM module, which must not leave an fd in its host program.  While
 * kept, the socket is connected to the last socket path used; a send that
 * finds the listener gone (a restarted syslog daemon) connects again. */
void pwr_audit_keep_socket(int keep);

/* ---- the reader (pwr_audit_line.c) ---- */

/* Reader side, for pwreset audit: find "pwreset[PID]: event=..." or
 * "pwreset: event=..." in a syslog line and call fn for each key/value
 * (unescaped).  Returns 1 if the line is one of ours, 0 if not, -1 if it is
 * ours but malformed. */
typedef void (*pwr_audit_kv_fn)(const char *key, const char *value, void *arg);
int pwr_audit_parse(const char *line, size_t len, pwr_audit_kv_fn fn,
                    void *arg);

#endif
