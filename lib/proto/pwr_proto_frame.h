/* pwr_proto_frame.h - inside the helper protocol: the frame functions the
 * text form (pwr_proto.c) shares with the fd reader and writer
 * (pwr_proto_fd.c).  Not for other callers: they use pwr_proto.h.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef PWR_PROTO_FRAME_H
#define PWR_PROTO_FRAME_H

#include <stddef.h>

#include "pwr_proto.h"

/* Where pwr_frame_emit puts each encoded frame: 0, or -1 with err. */
typedef int (*pwr_frame_sink)(void *arg, const char *buf, size_t len,
                              struct pwr_err *err);

/* Fields [from, to) of m as frames through put(); the last frame says
 * "more" when more_after.  Each frame's buffer is wiped after put(). */
int pwr_frame_emit(const struct pwr_msg *m, size_t from, size_t to,
                   int more_after, pwr_frame_sink put, void *arg,
                   struct pwr_err *err);

/* Decode one frame: buf holds the bytes up to and including its end line.
 * *more is set when another frame follows. */
int pwr_frame_decode(const char *buf, size_t len, struct pwr_msg *m,
                     int *more, struct pwr_err *err);

/* Length of the frame at the start of buf (through its end line), or 0
 * when no end line is in the first len bytes; *scanned remembers how far
 * earlier calls looked. */
size_t pwr_frame_len(const char *buf, size_t len, size_t *scanned);

/* Move every field of from to the end of m (from is left empty). */
int pwr_msg_merge(struct pwr_msg *m, struct pwr_msg *from,
                  struct pwr_err *err);

#endif
