/*
 * state_sizes: the bytes of state per vessel, per detector and stage, computed from the
 * structs themselves (sizeof) and the allocation rules of the tables that hold them, for V
 * vessels (default 100,000 and 300,000). No guess: every figure is a sizeof, a count of
 * slots or a page rounding, and the saved bytes are what stage_save_vessel appends.
 *
 *   build/bench/state_sizes [VESSELS...]
 *
 * What it prints: per vessel, in memory (what every vessel costs whether anything is going on
 * or not), then per open episode (pools: only while an episode is open), then the global
 * tables (bounded, independent of the vessel count), then what a checkpoint saves per
 * vessel. docs/detection.md ("Memory") quotes the table.
 */
#include "cases/cases_int.h"
#undef HOUR_MS /* cases_int.h's (a double); detect_int.h defines its own */
#include "detect/detect_int.h"
#include "sanctwatch/vessel.h"

#include <stdio.h>
#include <stdlib.h>

#define SLAB_N 1024 /* vstate.c: slab pages of 1024 items */
#define VPAGE ((size_t)2 << 20)

/* Items rounded up to whole slab pages. */
static size_t slab_bytes(size_t n, size_t item)
{
    return (n + SLAB_N - 1) / SLAB_N * SLAB_N * item;
}

/* The vessel table: 2 MB pages of whole vessels, an index of uint32 kept under half full
 * (a power of two from 1024). */
static size_t vtable_bytes(size_t n)
{
    size_t per = VPAGE / sizeof(struct sw_vessel), pages = (n + per - 1) / per, icap = 1024;
    while ((n + 1) * 2 > icap)
        icap *= 2;
    return pages * VPAGE + icap * sizeof(uint32_t);
}

/* The cases stage's array: doubling from 1024. */
static size_t cases_bytes(size_t n)
{
    size_t cap = 1024;
    while (cap < n)
        cap *= 2;
    return cap * sizeof(struct cvessel);
}

static void row(const char *what, size_t item, size_t total, size_t n)
{
    printf("  %-44s %5zu B  %9.1f MB  %6.1f B/vessel\n", what, item, total / 1e6,
           (double)total / (double)n);
}

static void per_vessel(size_t n)
{
    printf("%zu vessels: memory that grows with the vessels\n", n);
    size_t vt = vtable_bytes(n), hot = slab_bytes(n, sizeof(struct dvessel)),
           id = slab_bytes(n, sizeof(struct dident)), gr = slab_bytes(n, sizeof(struct gent)),
           cs = cases_bytes(n);
    row("vessel table (struct sw_vessel + index)", sizeof(struct sw_vessel), vt, n);
    row("detect: hot state (struct dvessel)", sizeof(struct dvessel), hot, n);
    row("detect: identity (struct dident)", sizeof(struct dident), id, n);
    row("detect: encounter grid entry (struct gent)", sizeof(struct gent), gr, n);
    row("detect: all per-vessel arrays",
        sizeof(struct dvessel) + sizeof(struct dident) + sizeof(struct gent), hot + id + gr, n);
    row("cases: per vessel (struct cvessel)", sizeof(struct cvessel), cs, n);
    printf("  %-44s %5s    %9.1f MB  %6.1f B/vessel\n", "all of the above", "",
           (vt + hot + id + gr + cs) / 1e6, (double)(vt + hot + id + gr + cs) / (double)n);
}

static size_t rnd64(size_t x)
{
    return (x + 63) & ~(size_t)63;
}

int main(int argc, char **argv)
{
    size_t ns[8] = {100000, 300000};
    int k = 2;
    if (argc > 1) {
        k = 0;
        for (int i = 1; i < argc && k < 8; i++)
            ns[k++] = strtoul(argv[i], NULL, 10);
    }
    for (int i = 0; i < k; i++) {
        per_vessel(ns[i]);
        printf("\n");
    }
    printf("per open episode (pools, entries rounded to 64 B; held only while open)\n");
    printf("  loitering %zu, position spoofing %zu, port call %zu, zone visits %zu, shared MMSI "
           "%zu; cases voyage %zu (only vessels that visited a sensitive port)\n",
           rnd64(sizeof(struct ep_loi)), rnd64(sizeof(struct ep_sp)), rnd64(sizeof(struct ep_pc)),
           rnd64(sizeof(struct ep_zone)), rnd64(sizeof(struct ep_share)), sizeof(struct cvoy));
    printf("\nglobal detector tables (bounded; malloc'd, resident only as used)\n");
    printf("  encounter pairs %zu B x 65,536 = %.1f MB; pair index %.1f MB; grid heads %.1f MB\n",
           sizeof(struct pair), 65536.0 * sizeof(struct pair) / 1e6, 131072.0 * 4 / 1e6,
           262144.0 * 4 / 1e6);
    printf("  reception grid %zu B x 262,144 = %.1f MB; IMO map %zu B x 65,536 = %.1f MB; "
           "loitering ring %zu B x %d = %.2f MB\n",
           sizeof(struct recep), 262144.0 * sizeof(struct recep) / 1e6, sizeof(struct imomap),
           65536.0 * sizeof(struct imomap) / 1e6, sizeof(struct loiter_rec), DET_LOI_RING,
           (double)DET_LOI_RING * sizeof(struct loiter_rec) / 1e6);
    printf(
        "\nsaved per vessel at a checkpoint (state file record, vessels changed since the last)\n");
    printf("  vessel %zu + length 4; detect 4 + mask 1 + hot %zu + identity %zu (+ grid fix %zu "
           "when in the grid) = %zu..%zu; cases 4 (+ 1 + %zu once it knows anything)\n",
           sizeof(struct sw_vessel), sizeof(struct dvessel), sizeof(struct dident),
           sizeof(struct dfix), 4 + 1 + sizeof(struct dvessel) + sizeof(struct dident),
           4 + 1 + sizeof(struct dvessel) + sizeof(struct dident) + sizeof(struct dfix),
           sizeof(struct cvessel));
    return 0;
}
