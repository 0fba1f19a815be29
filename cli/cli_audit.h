/* cli_audit.h - the parts of "pwreset audit": reading syslog
 * sources (cli_audit.c) and printing events (cli_audit_out.c).
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef PWR_CLI_AUDIT_H
#define PWR_CLI_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define AUD_MAX_KV 32
#define AUD_KEY_MAX 32
#define AUD_VAL_MAX 512

/* One of our event lines, unescaped by pwr_audit_parse. */
struct aud_event {
    int64_t when; /* epoch seconds, -1 if the line's time did not parse */
    size_t n;
    char key[AUD_MAX_KV][AUD_KEY_MAX];
    char val[AUD_MAX_KV][AUD_VAL_MAX];
};

enum aud_format { AUD_TABLE, AUD_CSV, AUD_JSON };

struct aud_out {
    enum aud_format format;
    size_t count;
};

/* Value of key in ev, or NULL. */
const char *aud_get(const struct aud_event *ev, const char *key);

/* Time at the start of a syslog line: RFC 3339 / ISO 8601 ("2026-11-22T
 * 14:03:00.123+01:00", as rsyslog and journalctl -o short-iso write it) or
 * BSD ("Nov 22 14:03:00", this year), after an optional "<PRI>".  -1 if
 * neither. */
int64_t aud_line_time(const char *line, int64_t now);

void aud_out_begin(struct aud_out *o);
void aud_out_event(struct aud_out *o, const struct aud_event *ev);
void aud_out_end(struct aud_out *o);

/* cli_audit_verify.c: pwreset audit --verify FILE..., proving the
 * helper's events are all there and unchanged (pwr_chain.h). */
struct cli;
int cli_audit_verify(struct cli *cli, int nfiles, char **files);

#endif
