/*
 * Partition balance: how evenly the partitioned engine of issue 14 (docs/scale.md) would spread
 * real and global AIS over its workers. Positions are decoded by the library's own pipeline
 * (framing, decoding, CSV, dedup, event-time order: sw_pipeline with a consumer, on an
 * in-memory store) from the real recordings of ../shared/data/ais/real, or generated as a
 * synthetic global mix weighted by the container throughput of the busiest port approaches
 * (World Shipping Council, 2018; docs/scale.md cites it). On them it simulates:
 *
 * - the per-vessel stage: every vessel record to partition splitmix64(MMSI) mod P; for P in
 *   2, 4, 16, 64, 256 the busiest partition's records over the mean (max/mean);
 * - the pairwise stage: every fix to the grid cell (cells of cell_deg degrees, rows from the
 *   south pole, columns from 180W, wrapping at the antimeridian) that owns it, and a copy to
 *   each other cell whose rectangle lies within halo_m of the fix (the halo, measured in the
 *   local plane at the fix's latitude); a vessel whose new fix no longer reaches a cell its
 *   last fix reached sends that cell a leave notice (else the cell would pair others with a
 *   fix the vessel has left: the detector keeps only each vessel's latest fix). Cells go to
 *   W workers by splitmix64(row << 32 | col) mod W ("hash"), or, as the bound a planner with
 *   yesterday's cell counts could reach, largest cell first to the least loaded worker
 *   ("lpt"). A worker's load is the fixes it owns plus the copies it receives. Printed per
 *   cell size and halo: copies and leave notices per fix, the busiest cell's share, max/mean
 *   for W in 2, 4, 16, 64, 256, and the cells with most fixes.
 *
 * The halos: 500 m is encounter.max_distance_m (src/detect/params.c); 250 m is enough when
 * each pair is reported by the cell that owns its midpoint (both fixes lie within half the
 * distance of it); 133.4 km is dark_rendezvous's shortest reach (slack 1.2 x 5 kn usual
 * speed x 12 h gap), shown to say why that rule is not a halo join of fixes. "slow" keeps the
 * fixes det_pair_fix lets into its grid (SOG under 2 x encounter.max_median_sog_kn = 4 kn, or
 * unknown); its port test is not simulated (data/ports.csv covers the project's region only).
 *
 *   build/bench/partition_balance [--shared DIR] [--synthetic FIXES [--vessels N]
 *                                 [--hot-share F]] [--explain] [FILE...]
 *
 * FILEs (NMEA or MarineCadastre/aisdk CSV, any the pipeline reads) form one input "files";
 * without FILEs and without --synthetic the real recordings are read (skipped, said so, when
 * DIR, default $SW_SHARED or ../shared, has none). --explain prints every vessel's partition
 * and every cell's load and worker (for tiny inputs: tests/bench/t_partition_balance.sh).
 */
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/store.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FIXES (64u << 20)   /* hard maximum of fixes kept from one input */
#define MAX_VESSELS (16u << 20) /* and of vessels */
#define SET_MAX 64              /* cells remembered per vessel for the leave notices */
#define AXIS_MAX 64             /* cells looked at on each side of the own cell */
#define M_PER_DEG (SW_GEO_EARTH_R_M * M_PI / 180.0)
#define SLOW_KN 4.0 /* 2 x encounter.max_median_sog_kn */

static const unsigned ways[] = {2, 4, 16, 64, 256};
#define NWAYS (sizeof ways / sizeof ways[0])

struct fix {
    double lat, lon;
    float sog; /* NAN when unknown */
    uint32_t v;
};

struct data {
    const char *name;
    struct fix *fx;
    size_t nfx, capfx;
    uint32_t *mmsi;
    uint64_t *recs; /* vessel records (the per-vessel stage's work) */
    size_t nv, capv;
    uint32_t *vmap; /* open addressing: vessel index + 1, 0 empty */
    size_t vmapcap;
    int full;
};

static uint64_t mix64(uint64_t x) /* splitmix64: x plus the golden gamma, then its finalizer */
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap) return p;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    void *q = realloc(p, n * size);
    if (!q) return NULL;
    *cap = n;
    return q;
}

static void data_free(struct data *d)
{
    free(d->fx);
    free(d->mmsi);
    free(d->recs);
    free(d->vmap);
    memset(d, 0, sizeof *d);
}

static int vmap_grow(struct data *d)
{
    size_t cap = d->vmapcap ? d->vmapcap * 2 : 4096;
    uint32_t *m = calloc(cap, sizeof *m);
    if (!m) return SW_ENOMEM;
    for (size_t i = 0; i < d->nv; i++) {
        size_t h = mix64(d->mmsi[i]) & (cap - 1);
        while (m[h])
            h = (h + 1) & (cap - 1);
        m[h] = (uint32_t)i + 1;
    }
    free(d->vmap);
    d->vmap = m;
    d->vmapcap = cap;
    return SW_OK;
}

/* The vessel index of mmsi, added when new; SW_ETOOBIG past MAX_VESSELS. */
static int vessel_of(struct data *d, uint32_t mmsi, uint32_t *out)
{
    if ((d->nv + 1) * 2 > d->vmapcap && vmap_grow(d) != SW_OK) return SW_ENOMEM;
    size_t h = mix64(mmsi) & (d->vmapcap - 1);
    while (d->vmap[h]) {
        if (d->mmsi[d->vmap[h] - 1] == mmsi) {
            *out = d->vmap[h] - 1;
            return SW_OK;
        }
        h = (h + 1) & (d->vmapcap - 1);
    }
    if (d->nv >= MAX_VESSELS) return SW_ETOOBIG;
    size_t c1 = d->capv, c2 = d->capv;
    uint32_t *m = grow(d->mmsi, &c1, d->nv + 1, sizeof *m);
    if (m) d->mmsi = m;
    uint64_t *r = grow(d->recs, &c2, d->nv + 1, sizeof *r);
    if (r) d->recs = r;
    if (!m || !r) return SW_ENOMEM;
    d->capv = c1;
    d->mmsi[d->nv] = mmsi;
    d->recs[d->nv] = 0;
    d->vmap[h] = (uint32_t)d->nv + 1;
    *out = (uint32_t)d->nv++;
    return SW_OK;
}

static int add_fix(struct data *d, uint32_t v, double lat, double lon, float sog)
{
    if (d->nfx >= MAX_FIXES) {
        d->full = 1;
        return SW_OK;
    }
    struct fix *f = grow(d->fx, &d->capfx, d->nfx + 1, sizeof *f);
    if (!f) return SW_ENOMEM;
    d->fx = f;
    d->fx[d->nfx++] = (struct fix){lat, lon, sog, v};
    return SW_OK;
}

/* ---- reading: the pipeline's ordered, deduplicated vessel records */

static int on_record(void *ctx, const struct sw_record *r, const struct sw_vessel *v)
{
    struct data *d = ctx;
    uint32_t vi;
    int rc;
    if (!r || !v || r->kind != SW_REC_VESSEL) return SW_OK;
    if ((rc = vessel_of(d, r->mmsi, &vi)) != SW_OK) return rc;
    d->recs[vi]++;
    if (!(r->fields & SW_F_POS)) return SW_OK;
    return add_fix(d, vi, r->lat, r->lon, (r->fields & SW_F_SOG) ? r->sog : NAN);
}

static int read_inputs(struct data *d, const char *const *paths, size_t n)
{
    sqlite3 *db = NULL;
    struct sw_pipeline *p = NULL;
    struct sw_pipeline_config cfg;
    char err[SW_ERRMAX] = "";
    int rc, skipped;
    sw_pipeline_config_default(&cfg);
    cfg.lateness_ms = 3600000; /* the MarineCadastre extract is up to ~20 min out of order */
    if ((rc = sw_store_open(":memory:", &db, err)) != SW_OK) goto fail;
    if ((rc = sw_pipeline_new(&p, db, &cfg, err)) != SW_OK) goto fail;
    if ((rc = sw_pipeline_add_consumer(p, on_record, d)) != SW_OK) goto fail;
    for (size_t i = 0; i < n; i++)
        if ((rc = sw_pipeline_input(p, paths[i], &skipped, err)) != SW_OK) goto fail;
    if ((rc = sw_pipeline_finish(p, err)) != SW_OK) goto fail;
    sw_pipeline_free(p);
    sw_store_close(db);
    return SW_OK;
fail:
    fprintf(stderr, "partition_balance: %s: %s\n", d->name, err[0] ? err : sw_strerror(rc));
    sw_pipeline_free(p);
    sw_store_close(db);
    return rc;
}

/* ---- the synthetic global mix */

struct hot {
    const char *name;
    double lat, lon; /* approach or anchorage area, approximate public coordinates */
    double mteu;     /* 2018 container throughput, million TEU (docs/scale.md: sources) */
};

static const struct hot hots[] = {
    {"Shanghai", 30.90, 122.10, 42.01},
    {"Singapore", 1.22, 103.85, 36.60},
    {"Shenzhen", 22.45, 113.85, 27.74},
    {"Ningbo-Zhoushan", 29.90, 122.10, 26.35},
    {"Guangzhou", 22.70, 113.65, 21.87},
    {"Busan", 35.05, 129.10, 21.66},
    {"Hong Kong", 22.30, 114.15, 19.60},
    {"Qingdao", 36.00, 120.30, 18.26},
    {"Tianjin", 38.95, 117.85, 16.00},
    {"Jebel Ali", 25.05, 55.00, 14.95},
    {"Rotterdam", 51.98, 3.90, 14.51},
    {"Port Klang", 2.95, 101.30, 12.32},
    {"Antwerp", 51.40, 3.80, 11.10},
    {"Kaohsiung", 22.60, 120.25, 10.45},
    {"Xiamen", 24.45, 118.05, 10.00},
    {"Dalian", 38.95, 121.70, 9.77},
    {"Los Angeles/Long Beach", 33.72, -118.20, 17.55},
    {"Tanjung Pelepas", 1.35, 103.55, 8.96},
    {"Hamburg", 53.70, 9.30, 8.73},
    {"Laem Chabang", 13.05, 100.85, 8.07},
    {"Houston", 29.35, -94.70, 2.70},
};
#define NHOTS (sizeof hots / sizeof hots[0])

static uint64_t rng = 0x5EED5EED5EEDULL;
static double urand(void) /* [0, 1) */
{
    rng = mix64(rng);
    return (double)(rng >> 11) / 9007199254740992.0;
}
static double nrand(void)
{
    double u = urand(), w = urand();
    return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * w);
}

/* A start point on the sea: around a port approach (sigma 0.15 degree) with probability hot,
 * else anywhere between 60S and 70N, uniform on the sphere; 1 when near a port. */
static int place(const struct sw_geo *g, double hot, double *lat, double *lon)
{
    static double total;
    if (total == 0)
        for (size_t i = 0; i < NHOTS; i++)
            total += hots[i].mteu;
    int near = 0;
    for (int tries = 0; tries < 1000; tries++) {
        near = urand() < hot;
        if (near) {
            double x = urand() * total;
            size_t i = 0;
            while (i + 1 < NHOTS && x >= hots[i].mteu)
                x -= hots[i++].mteu;
            *lat = hots[i].lat + 0.15 * nrand();
            *lon = hots[i].lon + 0.15 * nrand();
        } else {
            double s0 = sin(-60 * M_PI / 180), s1 = sin(70 * M_PI / 180);
            *lat = asin(s0 + urand() * (s1 - s0)) * 180 / M_PI;
            *lon = -180 + 360 * urand();
        }
        if (!g || !sw_geo_is_land(g, *lat, *lon)) break;
    }
    return near;
}

/* nfix fixes of nves vessels: records per vessel lognormal (sigma 1) around the mean; a
 * vessel at anchor (50% near a port, 10% at sea) jitters by 30 m at SOG 0-0.5 kn, one under
 * way goes straight at 8-16 kn with a fix every 10 s. Fixes are in vessel order. */
static int synthesize(struct data *d, const struct sw_geo *g, size_t nfix, size_t nves, double hot)
{
    double mean = (double)nfix / (double)nves;
    int rc;
    for (size_t k = 0; k < nves && d->nfx < nfix; k++) {
        uint32_t vi;
        if ((rc = vessel_of(d, (uint32_t)(200000000 + k * 7), &vi)) != SW_OK) return rc;
        double lat, lon, z = nrand();
        int near_port = place(g, hot, &lat, &lon);
        int anchored = urand() < (near_port ? 0.50 : 0.10);
        size_t n = (size_t)llround(mean * exp(z - 0.5));
        if (n < 1) n = 1;
        double sog = anchored ? 0.5 * urand() : 8 + 8 * urand(), brg = 2 * M_PI * urand();
        double step = anchored ? 0 : sog * 1852.0 / 3600 * 10 / M_PER_DEG;
        for (size_t i = 0; i < n && d->nfx < nfix; i++) {
            double la = lat, lo = lon;
            if (anchored) {
                la += 30 / M_PER_DEG * nrand();
                lo += 30 / M_PER_DEG * nrand() / fmax(cos(lat * M_PI / 180), 0.05);
            } else {
                lat += step * cos(brg);
                lon += step * sin(brg) / fmax(cos(lat * M_PI / 180), 0.05);
                if (lat > 85 || lat < -85) brg = M_PI - brg;
                lon = lon >= 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
                la = lat;
                lo = lon;
            }
            d->recs[vi]++;
            if ((rc = add_fix(d, vi, la, lo, (float)sog)) != SW_OK) return rc;
        }
    }
    return SW_OK;
}

/* ---- the per-vessel stage */

static double maxmean(const uint64_t *load, size_t n)
{
    uint64_t max = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += load[i];
        if (load[i] > max) max = load[i];
    }
    return sum ? (double)max * (double)n / (double)sum : 0;
}

static void per_vessel(const struct data *d, int explain)
{
    uint64_t load[256], total = 0, top = 0;
    for (size_t v = 0; v < d->nv; v++) {
        total += d->recs[v];
        if (d->recs[v] > top) top = d->recs[v];
    }
    printf("VESSELS input=%s vessels=%zu records=%llu top_vessel_share=%.5f", d->name, d->nv,
           (unsigned long long)total, total ? (double)top / (double)total : 0);
    for (size_t w = 0; w < NWAYS; w++) {
        memset(load, 0, sizeof load);
        for (size_t v = 0; v < d->nv; v++)
            load[mix64(d->mmsi[v]) % ways[w]] += d->recs[v];
        printf(" P%u=%.3f", ways[w], maxmean(load, ways[w]));
    }
    printf("\n");
    for (size_t v = 0; explain && v < d->nv; v++) {
        printf("EXPLAIN vessel mmsi=%u records=%llu", d->mmsi[v], (unsigned long long)d->recs[v]);
        for (size_t w = 0; w < NWAYS; w++)
            printf(" P%u=%llu", ways[w], (unsigned long long)(mix64(d->mmsi[v]) % ways[w]));
        printf("\n");
    }
}

/* ---- the pairwise stage */

struct cell {
    uint64_t key; /* (uint32)row << 32 | (uint32)col */
    uint64_t own, copies;
};

struct grid {
    double deg, halo_m;
    int64_t rows, cols;
    struct cell *c; /* open addressing; key UINT64_MAX empty */
    size_t cap, n;
    uint64_t *set; /* per vessel: the cells its last fix reached (SET_MAX) */
    uint8_t *nset;
    uint64_t fixes, copies, leaves, clipped;
};

static int grid_init(struct grid *g, double deg, double halo_m, size_t nvessels)
{
    memset(g, 0, sizeof *g);
    g->deg = deg;
    g->halo_m = halo_m;
    g->rows = llround(180 / deg);
    g->cols = llround(360 / deg);
    g->cap = 1 << 16;
    g->c = malloc(g->cap * sizeof *g->c);
    g->set = malloc((nvessels ? nvessels : 1) * SET_MAX * sizeof *g->set);
    g->nset = calloc(nvessels ? nvessels : 1, 1);
    if (!g->c || !g->set || !g->nset) return SW_ENOMEM;
    for (size_t i = 0; i < g->cap; i++)
        g->c[i].key = UINT64_MAX;
    return SW_OK;
}

static void grid_free(struct grid *g)
{
    free(g->c);
    free(g->set);
    free(g->nset);
}

static struct cell *cell_get(struct grid *g, uint64_t key)
{
    if ((g->n + 1) * 2 > g->cap) {
        size_t cap = g->cap * 2;
        struct cell *c = malloc(cap * sizeof *c);
        if (!c) return NULL;
        for (size_t i = 0; i < cap; i++)
            c[i].key = UINT64_MAX;
        for (size_t i = 0; i < g->cap; i++) {
            if (g->c[i].key == UINT64_MAX) continue;
            size_t h = mix64(g->c[i].key) & (cap - 1);
            while (c[h].key != UINT64_MAX)
                h = (h + 1) & (cap - 1);
            c[h] = g->c[i];
        }
        free(g->c);
        g->c = c;
        g->cap = cap;
    }
    size_t h = mix64(key) & (g->cap - 1);
    while (g->c[h].key != key && g->c[h].key != UINT64_MAX)
        h = (h + 1) & (g->cap - 1);
    if (g->c[h].key == UINT64_MAX) {
        g->c[h] = (struct cell){key, 0, 0};
        g->n++;
    }
    return &g->c[h];
}

static uint64_t cell_key(int64_t row, int64_t col)
{
    return (uint64_t)(uint32_t)row << 32 | (uint32_t)col;
}

/* Distance in metres from x to the band [lo, hi] (0 inside). */
static double band_dist(double x, double lo, double hi)
{
    return x < lo ? lo - x : x > hi ? x - hi : 0;
}

/* The cells fix f reaches (its own first) into out (at most max); the count. */
static size_t reach(struct grid *g, const struct fix *f, uint64_t *out, size_t max)
{
    double kx = M_PER_DEG * fmax(cos(f->lat * M_PI / 180), 1e-6), ky = M_PER_DEG, h = g->halo_m;
    double y = f->lat + 90, x = f->lon + 180;
    int64_t row = (int64_t)floor(y / g->deg), col = (int64_t)floor(x / g->deg);
    if (row >= g->rows) row = g->rows - 1;
    if (col >= g->cols) col = g->cols - 1;
    size_t n = 0;
    out[n++] = cell_key(row, col);
    int64_t dr = (int64_t)ceil(h / (g->deg * ky)), dc = (int64_t)ceil(h / (g->deg * kx));
    if (dr > AXIS_MAX) dr = AXIS_MAX;
    if (dc > AXIS_MAX) dc = AXIS_MAX;
    if (2 * dc + 1 > g->cols) dc = (g->cols - 1) / 2;
    for (int64_t i = -dr; i <= dr; i++) {
        int64_t r = row + i;
        if (r < 0 || r >= g->rows) continue;
        double ddy = band_dist(y, (double)r * g->deg, (double)(r + 1) * g->deg) * ky;
        if (ddy > h) continue;
        for (int64_t j = -dc; j <= dc; j++) {
            if (!i && !j) continue;
            int64_t c = col + j; /* the distance is taken before wrapping */
            double ddx = band_dist(x, (double)c * g->deg, (double)(c + 1) * g->deg) * kx;
            if (ddx * ddx + ddy * ddy > h * h) continue;
            if (n == max) {
                g->clipped++;
                continue;
            }
            out[n++] = cell_key(r, ((c % g->cols) + g->cols) % g->cols);
        }
    }
    return n;
}

#define REACH_MAX ((2 * AXIS_MAX + 1) * (2 * AXIS_MAX + 1))

static int in_set(const uint64_t *s, size_t n, uint64_t k)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == k) return 1;
    return 0;
}

/* One fix (or, for a fix the stage does not take, leaving: n == 0). */
static int grid_fix(struct grid *g, uint32_t v, const uint64_t *cells, size_t n)
{
    uint64_t *prev = g->set + (size_t)v * SET_MAX;
    for (size_t i = 0; i < g->nset[v]; i++)
        if (!in_set(cells, n, prev[i])) g->leaves++;
    g->nset[v] = 0;
    for (size_t i = 0; i < n; i++) {
        struct cell *c = cell_get(g, cells[i]);
        if (!c) return SW_ENOMEM;
        if (i == 0)
            c->own++;
        else
            c->copies++;
        if (i < SET_MAX) prev[g->nset[v]++] = cells[i];
    }
    if (n) g->fixes++;
    g->copies += n ? n - 1 : 0;
    return SW_OK;
}

static int by_load_desc(const void *a, const void *b)
{
    const struct cell *x = a, *y = b;
    uint64_t lx = x->own + x->copies, ly = y->own + y->copies;
    if (lx != ly) return lx < ly ? 1 : -1;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* Largest cell first to the least loaded worker (a min-heap of W loads); cells sorted. */
static double lpt(const struct cell *c, size_t n, unsigned w)
{
    uint64_t heap[256] = {0}, max = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t l = c[i].own + c[i].copies;
        sum += l;
        heap[0] += l;
        if (heap[0] > max) max = heap[0];
        for (size_t k = 0;;) { /* sift the grown root down */
            size_t a = 2 * k + 1, b = a + 1, m = k;
            if (a < w && heap[a] < heap[m]) m = a;
            if (b < w && heap[b] < heap[m]) m = b;
            if (m == k) break;
            uint64_t t = heap[k];
            heap[k] = heap[m];
            heap[m] = t;
            k = m;
        }
    }
    return sum ? (double)max * w / (double)sum : 0;
}

static int by_own_desc(const void *a, const void *b)
{
    const struct cell *x = a, *y = b;
    if (x->own != y->own) return x->own < y->own ? 1 : -1;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* The five cells that own most fixes (c is sorted by load: the first 64 are searched). */
static void print_top(const struct data *d, const struct grid *g, const struct cell *c, size_t n)
{
    struct cell t[64];
    size_t m = n < 64 ? n : 64;
    memcpy(t, c, m * sizeof *t);
    qsort(t, m, sizeof *t, by_own_desc);
    for (size_t i = 0; i < m && i < 5; i++) {
        int64_t row = (int64_t)(t[i].key >> 32), col = (int64_t)(uint32_t)t[i].key;
        printf("TOP input=%s cell_deg=%g rank=%zu lat=%.2f lon=%.2f fixes=%llu share=%.4f\n",
               d->name, g->deg, i + 1, ((double)row + 0.5) * g->deg - 90,
               ((double)col + 0.5) * g->deg - 180, (unsigned long long)t[i].own,
               (double)t[i].own / (double)g->fixes);
    }
}

static void print_grid(const struct data *d, struct grid *g, const char *filter, int top,
                       int explain)
{
    struct cell *c = malloc((g->n ? g->n : 1) * sizeof *c);
    uint64_t load[256];
    if (!c) return;
    size_t n = 0;
    for (size_t i = 0; i < g->cap; i++)
        if (g->c[i].key != UINT64_MAX) c[n++] = g->c[i];
    qsort(c, n, sizeof *c, by_load_desc);
    uint64_t topown = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i].own > topown) topown = c[i].own;
    double fx = g->fixes ? (double)g->fixes : 1;
    printf("PAIR input=%s filter=%s halo_m=%g cell_deg=%g fixes=%llu cells=%zu "
           "copies_per_fix=%.4f leaves_per_fix=%.4f top_cell_share=%.4f",
           d->name, filter, g->halo_m, g->deg, (unsigned long long)g->fixes, n,
           (double)g->copies / fx, (double)g->leaves / fx, (double)topown / fx);
    for (size_t w = 0; w < NWAYS; w++) {
        memset(load, 0, sizeof load);
        for (size_t i = 0; i < n; i++)
            load[mix64(c[i].key) % ways[w]] += c[i].own + c[i].copies;
        printf(" hash:W%u=%.3f", ways[w], maxmean(load, ways[w]));
    }
    for (size_t w = 0; w < NWAYS; w++)
        printf(" lpt:W%u=%.3f", ways[w], lpt(c, n, ways[w]));
    printf("%s\n", g->clipped ? " (some fixes reach more cells than counted)" : "");
    if (top) print_top(d, g, c, n);
    for (size_t i = 0; explain && i < n; i++) {
        printf(
            "EXPLAIN cell cell_deg=%g halo_m=%g filter=%s row=%lld col=%lld own=%llu copies=%llu",
            g->deg, g->halo_m, filter, (long long)(c[i].key >> 32), (long long)(uint32_t)c[i].key,
            (unsigned long long)c[i].own, (unsigned long long)c[i].copies);
        for (size_t w = 0; w < NWAYS; w++)
            printf(" W%u=%llu", ways[w], (unsigned long long)(mix64(c[i].key) % ways[w]));
        printf("\n");
    }
    free(c);
}

static int pairwise(const struct data *d, double deg, double halo_m, int slow, int top, int explain)
{
    struct grid g;
    static uint64_t cells[REACH_MAX];
    int rc = grid_init(&g, deg, halo_m, d->nv);
    for (size_t i = 0; rc == SW_OK && i < d->nfx; i++) {
        const struct fix *f = &d->fx[i];
        if (slow && !isnan(f->sog) && f->sog >= SLOW_KN) {
            rc = grid_fix(&g, f->v, cells, 0);
            continue;
        }
        rc = grid_fix(&g, f->v, cells, reach(&g, f, cells, REACH_MAX));
    }
    if (rc == SW_OK) print_grid(d, &g, slow ? "slow" : "all", top, explain);
    grid_free(&g);
    return rc;
}

struct plan {
    const double *cells;
    size_t ncells;
    const double *halos;
    size_t nhalos;
    int explain;
};

static int simulate(struct data *d, const struct plan *pl)
{
    double c0 = cpu_now();
    int rc = SW_OK;
    if (d->full) printf("NOTE input=%s: only the first %u fixes kept\n", d->name, MAX_FIXES);
    per_vessel(d, pl->explain);
    for (size_t h = 0; h < pl->nhalos; h++)
        for (size_t c = 0; c < pl->ncells && rc == SW_OK; c++) {
            double halo = pl->halos[h], deg = pl->cells[c];
            if (halo > 10000 && deg < 1) continue; /* a rendezvous reach over small cells */
            for (int slow = 0; slow <= (halo <= 10000) && rc == SW_OK; slow++)
                rc = pairwise(d, deg, halo, slow, h == 0 && !slow, pl->explain);
        }
    printf("CPU input=%s %.2f s\n", d->name, cpu_now() - c0);
    return rc;
}

/* ---- main */

static int real_inputs(const char *shared, const struct plan *pl)
{
    static const struct {
        const char *name;
        const char *files[5];
    } sets[] = {
        {"dma", {"dma-aislib/stream_example.txt"}},
        {"marinecadastre", {"marinecadastre-via-VesselSummaryAIS/AIS_2022_01_03_first99999.csv"}},
        {"amsa-terrestrial", {"amsa-risky/ais.txt"}},
        {"amsa-satellite",
         {"amsa-risky/exact-earth-augmented.txt", "amsa-risky/exact-earth-augmented-2.txt",
          "amsa-risky/exact-earth-augmented-3.txt", "amsa-risky/exact-earth-with-tag-block.txt"}},
    };
    char path[5][4096];
    const char *paths[5];
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        size_t n = 0;
        for (; n < 5 && sets[s].files[n]; n++) {
            snprintf(path[n], sizeof path[n], "%s/data/ais/real/%s", shared, sets[s].files[n]);
            paths[n] = path[n];
            FILE *fp = fopen(path[n], "r");
            if (!fp) {
                printf("SKIP: real recording '%s' absent\n", path[n]);
                return SW_OK;
            }
            fclose(fp);
        }
        struct data d = {.name = sets[s].name};
        int rc = read_inputs(&d, paths, n);
        if (rc == SW_OK) rc = simulate(&d, pl);
        data_free(&d);
        if (rc != SW_OK) return rc;
    }
    return SW_OK;
}

static int synthetic(size_t nfix, size_t nves, double hot, const struct plan *pl)
{
    struct sw_geo *geo = NULL;
    char errpath[SW_GEO_PATHMAX];
    if (sw_geo_open(&geo, NULL, errpath) != SW_OK) {
        printf("NOTE: no land mask (data directory not found): synthetic points may lie on "
               "land\n");
        geo = NULL;
    }
    struct data d = {.name = "synthetic"};
    printf("SYNTHETIC fixes=%zu vessels=%zu hot_share=%.2f ports=%zu\n", nfix, nves, hot,
           (size_t)NHOTS);
    int rc = synthesize(&d, geo, nfix, nves, hot);
    sw_geo_free(geo);
    if (rc == SW_OK) rc = simulate(&d, pl);
    data_free(&d);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: partition_balance [--shared DIR] [--synthetic FIXES] "
                    "[--vessels N] [--hot-share F] [--explain] [FILE...]\n");
}

int main(int argc, char **argv)
{
    static const double cells[] = {0.05, 0.1, 0.25, 0.5, 1, 2, 5};
    static const double halos[] = {250, 500, 133400};
    struct plan pl = {cells, sizeof cells / sizeof cells[0], halos, 3, 0};
    const char *shared = getenv("SW_SHARED");
    const char *files[64];
    size_t nfiles = 0, nsyn = 0, nves = 0;
    double hot = 0.3;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (!strcmp(argv[i], "--shared") && i + 1 < argc) {
            shared = argv[++i];
        } else if (!strcmp(argv[i], "--synthetic") && i + 1 < argc) {
            nsyn = (size_t)strtoull(argv[++i], &end, 10);
            if (*end || nsyn == 0 || nsyn > MAX_FIXES) {
                fprintf(stderr, "partition_balance: bad fix count '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--vessels") && i + 1 < argc) {
            nves = (size_t)strtoull(argv[++i], &end, 10);
            if (*end || nves == 0 || nves > MAX_VESSELS) {
                fprintf(stderr, "partition_balance: bad vessel count '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--hot-share") && i + 1 < argc) {
            hot = strtod(argv[++i], &end);
            if (*end || !(hot >= 0 && hot <= 1)) {
                fprintf(stderr, "partition_balance: bad share '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--explain")) {
            pl.explain = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            usage();
            return 2;
        } else if (nfiles < sizeof files / sizeof files[0]) {
            files[nfiles++] = argv[i];
        } else {
            fprintf(stderr, "partition_balance: more than 64 files\n");
            return 2;
        }
    }
    int rc = SW_OK;
    if (nfiles) {
        struct data d = {.name = "files"};
        rc = read_inputs(&d, files, nfiles);
        if (rc == SW_OK) rc = simulate(&d, &pl);
        data_free(&d);
    } else if (!nsyn) {
        rc = real_inputs(shared ? shared : "../shared", &pl);
    }
    if (!nves) nves = nsyn / 20 > 1 ? nsyn / 20 : 1;
    if (rc == SW_OK && nsyn) rc = synthetic(nsyn, nves, hot, &pl);
    if (rc != SW_OK) fprintf(stderr, "partition_balance: %s\n", sw_strerror(rc));
    return rc == SW_OK ? 0 : 1;
}
