/* pwr_sha1.c - SHA-1 (FIPS 180-4, section 6.1), used only to look a password
 * up in a Pwned Passwords style breached list, whose keys are SHA-1.  It is
 * not used to protect anything: SHA-1 is the key format of that list.
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "pwr_policy.h"

struct sha1_ctx {
    uint32_t h[5];
    unsigned char block[64];
    size_t fill;     /* bytes waiting in block */
    uint64_t total;  /* message length in bytes */
};

static uint32_t rol32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static uint32_t load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/* f_t and K_t of FIPS 180-4 4.1.1 and 4.2.1, by round. */
static uint32_t round_f(unsigned t, uint32_t b, uint32_t c, uint32_t d)
{
    if (t < 20)
        return (b & c) ^ (~b & d);
    if (t < 40 || t >= 60)
        return b ^ c ^ d;
    return (b & c) ^ (b & d) ^ (c & d);
}

static const uint32_t round_k[4] = {0x5a827999u, 0x6ed9eba1u, 0x8f1bbcdcu,
                                    0xca62c1d6u};

static void sha1_block(uint32_t h[5], const unsigned char *m)
{
    uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    unsigned t;

    for (t = 0; t < 16; t++)
        w[t] = load_be32(m + 4 * t);
    for (t = 16; t < 80; t++)
        w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    for (t = 0; t < 80; t++) {
        uint32_t tmp = rol32(a, 5) + round_f(t, b, c, d) + e + round_k[t / 20] + w[t];
        e = d;
        d = c;
        c = rol32(b, 30);
        b = a;
        a = tmp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    sodium_memzero(w, sizeof(w)); /* the schedule is derived from a password */
}

static void sha1_update(struct sha1_ctx *ctx, const unsigned char *p, size_t len)
{
    ctx->total += len;
    while (len > 0) {
        size_t take = 64 - ctx->fill;
        if (take > len)
            take = len;
        memcpy(ctx->block + ctx->fill, p, take);
        ctx->fill += take;
        p += take;
        len -= take;
        if (ctx->fill == 64) {
            sha1_block(ctx->h, ctx->block);
            ctx->fill = 0;
        }
    }
}

/* Padding of FIPS 180-4 5.1.1: 0x80, zeros, 64-bit big-endian bit length. */
static void sha1_final(struct sha1_ctx *ctx, unsigned char out[20])
{
    unsigned char pad[72] = {0x80};
    uint64_t bits = ctx->total * 8;
    size_t padlen = (ctx->fill < 56 ? 56 : 120) - ctx->fill;
    unsigned i;

    for (i = 0; i < 8; i++)
        pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_update(ctx, pad, padlen + 8);
    for (i = 0; i < 20; i++)
        out[i] = (unsigned char)(ctx->h[i / 4] >> (24 - 8 * (i % 4)));
}

void pwr_sha1(const void *data, size_t len, unsigned char out[20])
{
    struct sha1_ctx ctx = {
        .h = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u},
    };

    sha1_update(&ctx, data, len);
    sha1_final(&ctx, out);
    sodium_memzero(&ctx, sizeof(ctx));
}
