/*
 * The synthetic fleet of the benchmarks' recordings (bench_analyze --write) and of
 * bench_serve's feed, which must name the same vessels: vessel v's MMSI and IMO number, and
 * which of its messages are static reports (type 5).
 *
 * Fleet 2 (the default since 2026-12-07) is the realistic one:
 *   - MMSIs carry a MID the ITU has allocated (one of src/geo/mid.c's, spread by a hash of v),
 *     with v as the six digits after it, so MMSIs are distinct up to 1M vessels; one vessel in
 *     200 takes MID 200, which is unallocated (the real recordings have about that share:
 *     docs/detection.md, "Real data"), so identity_fraud fires at a realistic rate;
 *   - IMO numbers are distinct up to 900k vessels and carry a valid check digit;
 *   - 1% of the messages are type 5, each vessel's in turn (one every 100 of its messages).
 * Fleet 1 is the fleet of the figures measured before that date, kept to reproduce them: MMSIs
 * 200000000 + v * 7919 mod 500000000, so MIDs 200-699 unweighted, of which 43% are
 * unallocated (an identity_fraud event on 43% of the vessels); IMO 9000000 + v mod 999999,
 * check digit mostly wrong; type 5 from only the vessels with v mod 100 = 99.
 */
#ifndef SANCTWATCH_BENCH_FLEET_H
#define SANCTWATCH_BENCH_FLEET_H

#include "sanctwatch/error.h"
#include "sanctwatch/mid.h"

#include <stdint.h>

static inline uint32_t fleet_mmsi(long v, int fleet)
{
    if (fleet == 1) return 200000000u + (uint32_t)(v * 7919 % 500000000);
    static int mids[1000];
    static int n;
    if (!n)
        for (int m = 201; m < 800; m++)
            if (sw_mid_lookup(m, NULL, NULL) == SW_OK) mids[n++] = m;
    int mid = v % 200 == 199 ? 200 : mids[(uint64_t)v * 2654435761u % (uint64_t)n];
    return (uint32_t)mid * 1000000u + (uint32_t)(v % 1000000);
}

static inline uint32_t fleet_imo(long v, int fleet)
{
    if (fleet == 1) return (uint32_t)(9000000 + v % 999999);
    uint32_t base = 100000u + (uint32_t)(v % 900000), sum = 0, b = base;
    for (uint32_t w = 2; w <= 7; w++, b /= 10)
        sum += (b % 10) * w; /* weights 2..7 from the right */
    return base * 10 + sum % 10;
}

/* Whether message i (of vessel v = i mod vessels) is a static report. */
static inline int fleet_static(long i, long v, long vessels, int fleet)
{
    if (fleet == 1) return i % 100 == 99;
    return (i / vessels + v) % 100 == 99;
}

#endif
