/*
 * Internals of the AIS decoder shared by src/ais/ais_*.c (not public API): bit extraction
 * from the de-armoured vector, 6-bit text, and the type 6/8 application payload decoders.
 */
#ifndef SANCTWATCH_AIS_INT_H
#define SANCTWATCH_AIS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sanctwatch/ais.h"

/* Bit vector size: the longest message plus slack, so that an 8-byte load at any field
 * inside the message stays inside. Past the end of a message the vector is zero up to byte
 * max(end, 64) + 24: fields at fixed offsets (all below bit 512) past the end read as zero,
 * and so do those of a repeated block (tidal windows, at most 88 bits) started inside. */
#define SW_AIS__BUFBYTES ((SW_AIS_MAX_INPUT_BITS + 7) / 8 + 32)

/* width (1..32) bits from bit start, MSB first. start + width <= 8 * (SW_AIS__BUFBYTES - 8). */
/* The 64 bits at byte p, MSB first: one load and a byte swap where the compiler has one. */
static inline uint64_t sw_ais__be64(const uint8_t *p)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
#else
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
           (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | (uint64_t)p[7];
#endif
}

static inline uint32_t sw_ais__ub(const uint8_t *b, unsigned start, unsigned width)
{
    uint64_t v = sw_ais__be64(b + (start >> 3));
    return (uint32_t)((v << (start & 7)) >> (64 - width));
}

/* Two's complement signed field of width (2..31) bits. */
static inline int32_t sw_ais__sb(const uint8_t *b, unsigned start, unsigned width)
{
    uint32_t u = sw_ais__ub(b, start, width);
    int32_t v = (int32_t)u;
    if (u >> (width - 1)) v -= (int32_t)(1u << width);
    return v;
}

/* nchars 6-bit characters from bit start into to (tosize bytes), cut at the first '@' and
 * right-trimmed of spaces, as gpsd does. */
void sw_ais__text(const uint8_t *bits, unsigned start, unsigned nchars, char *to, size_t tosize);
/* The same without the trimming; returns the length written. */
size_t sw_ais__text_raw(const uint8_t *bits, unsigned start, unsigned nchars, char *to,
                        size_t tosize);
/* Cut the trailing spaces of s (of length n). */
void sw_ais__trim(char *s, size_t n);
/* count bits from bit start into to[], MSB first, in whole bytes: the bits after count in the
 * last byte are whatever follows in the message (gpsd's hex dumps show them too). */
void sw_ais__copybits(const uint8_t *bits, unsigned start, unsigned count, uint8_t *to);

/* Application payload of a type 6 / type 8 message of n bits; returns which member of *d
 * was filled (SW_AIS_APP_NONE when gpsd would print the raw bits). */
enum sw_ais_app sw_ais__app6(const uint8_t *b, size_t n, unsigned dac, unsigned fid,
                             union sw_ais_app_data *d);
enum sw_ais_app sw_ais__app8(const uint8_t *b, size_t n, unsigned dac, unsigned fid,
                             union sw_ais_app_data *d);

#endif
