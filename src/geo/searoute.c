/*
 * Sea distance (sanctwatch/searoute.h): a water grid built from the land mask, coarse (1/8
 * degree) in open water and fine (1/96 degree) wherever a coastline edge passes, a Dijkstra
 * distance field per target, and queries that follow the field and straighten the path
 * against the coastline. Used by the cases stage (src/cases/) to decide which ports a vessel
 * could have reached during an AIS gap. docs/cases.md, "Sea distance".
 */
#include "sanctwatch/searoute.h"
#include "geo_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sanctwatch/error.h"

#define CPD 8         /* coarse cells per degree */
#define S 12          /* fine cells per coarse cell side */
#define FPD (CPD * S) /* fine cells per degree: 96 */
#define MAX_TARGETS 256
#define MAX_NB 64
#define LAND (-1)
#define DEG (M_PI / 180.0)
#define KM_DEG (SW_GEO_EARTH_R_M * DEG)

struct target {
    double lat, lon, radius;
    float *dist;  /* per node, metres from the target's reference point (INFINITY: unreached) */
    int32_t *par; /* per node, the next node towards the target (-1 at a seed) */
};

struct sw_searoute {
    const struct sw_land *land;
    double lat0, lon0; /* south-west corner of the region */
    int nr, nc;        /* coarse rows and columns */
    int32_t *cell;     /* per coarse cell: coarse node id, LAND, or -2 - block */
    int32_t *blk;      /* per block, S*S fine node ids (LAND: a land cell) */
    size_t nblk;
    size_t ncoarse, nnodes;
    uint16_t *row, *col; /* per node: coarse (r, c) for coarse nodes, fine for fine nodes */
    float *lat, *lon;    /* per node: its cell's centre */
    struct target t[MAX_TARGETS];
    size_t nt, nfields;
    double build_s;
    /* the heap of the field being computed */
    struct hent {
        float d;
        int32_t n;
    } * heap;
    size_t nheap, capheap;
};

void sw_searoute_region_default(struct sw_searoute_region *r)
{
    r->minlat = 24;
    r->maxlat = 52;
    r->minlon = 116;
    r->maxlon = 146;
}

/* ---- the grid ------------------------------------------------------------------------------ */

/* Is the fine cell (fr, fc) water, and which node holds it (-1 none). */
static int32_t fine_node(const struct sw_searoute *r, int fr, int fc)
{
    if (fr < 0 || fc < 0 || fr >= r->nr * S || fc >= r->nc * S) return LAND;
    int32_t k = r->cell[(size_t)(fr / S) * r->nc + fc / S];
    if (k >= 0 || k == LAND) return k;
    return r->blk[(size_t)(-2 - k) * S * S + (size_t)(fr % S) * S + fc % S];
}

static int32_t coarse_cell(const struct sw_searoute *r, int cr, int cc)
{
    if (cr < 0 || cc < 0 || cr >= r->nr || cc >= r->nc) return LAND;
    return r->cell[(size_t)cr * r->nc + cc];
}

static double cdeg_lat(const struct sw_searoute *r, int cr)
{
    return r->lat0 + (cr + 0.5) / CPD;
}

static double cdeg_lon(const struct sw_searoute *r, int cc)
{
    return r->lon0 + (cc + 0.5) / CPD;
}

static int add_node(struct sw_searoute *r, size_t *cap, int row, int col, double lat, double lon)
{
    if (r->nnodes == *cap) {
        size_t nc = *cap ? *cap * 2 : 65536;
        if (nc > (size_t)INT32_MAX) return SW_ENOMEM;
        uint16_t *a = realloc(r->row, nc * sizeof *a);
        if (a) r->row = a;
        uint16_t *b = a ? realloc(r->col, nc * sizeof *b) : NULL;
        if (b) r->col = b;
        float *c = b ? realloc(r->lat, nc * sizeof *c) : NULL;
        if (c) r->lat = c;
        float *d = c ? realloc(r->lon, nc * sizeof *d) : NULL;
        if (!d) return SW_ENOMEM;
        r->lon = d;
        *cap = nc;
    }
    r->row[r->nnodes] = (uint16_t)row;
    r->col[r->nnodes] = (uint16_t)col;
    r->lat[r->nnodes] = (float)lat;
    r->lon[r->nnodes] = (float)lon;
    r->nnodes++;
    return SW_OK;
}

/* Coarse cells: a coastline edge in the cell makes it mixed (a block of fine cells), else
 * its centre decides land or open water. */
static int classify(struct sw_searoute *r, size_t *cap)
{
    size_t ncell = (size_t)r->nr * r->nc, nmixed = 0;
    for (int cr = 0; cr < r->nr; cr++)
        for (int cc = 0; cc < r->nc; cc++) {
            double la = r->lat0 + (double)cr / CPD, lo = r->lon0 + (double)cc / CPD;
            int32_t *k = &r->cell[(size_t)cr * r->nc + cc];
            if (sw_land_box_has_edge(r->land, la, lo, la + 1.0 / CPD, lo + 1.0 / CPD)) {
                *k = -2 - (int32_t)nmixed++;
            } else if (sw_land_is_land(r->land, cdeg_lat(r, cr), cdeg_lon(r, cc))) {
                *k = LAND;
            } else {
                *k = (int32_t)r->nnodes;
                int rc = add_node(r, cap, cr, cc, cdeg_lat(r, cr), cdeg_lon(r, cc));
                if (rc) return rc;
            }
        }
    (void)ncell;
    r->ncoarse = r->nnodes;
    r->nblk = nmixed;
    r->blk = malloc((nmixed ? nmixed : 1) * S * S * sizeof *r->blk);
    return r->blk ? SW_OK : SW_ENOMEM;
}

/* Fine cells of every mixed coarse cell, from the land states along each fine row. */
static int refine(struct sw_searoute *r, size_t *cap)
{
    size_t nrow_f = (size_t)r->nc * S, xmax = 1 << 20;
    uint8_t *st = malloc(nrow_f);
    double *xs = malloc(xmax * sizeof *xs);
    int rc = st && xs ? SW_OK : SW_ENOMEM;
    for (int fr = 0; rc == SW_OK && fr < r->nr * S; fr++) {
        int cr = fr / S, any = 0;
        for (int cc = 0; cc < r->nc && !any; cc++)
            any = r->cell[(size_t)cr * r->nc + cc] <= -2;
        if (!any) continue;
        double la = r->lat0 + (fr + 0.5) / FPD;
        rc = sw_land_row_states(r->land, la, r->lon0 + 0.5 / FPD, 1.0 / FPD, nrow_f, st, xs, xmax);
        for (int cc = 0; rc == SW_OK && cc < r->nc; cc++) {
            int32_t k = r->cell[(size_t)cr * r->nc + cc];
            if (k > -2) continue;
            int32_t *b = r->blk + (size_t)(-2 - k) * S * S + (size_t)(fr % S) * S;
            for (int i = 0; rc == SW_OK && i < S; i++) {
                int fc = cc * S + i;
                if (st[fc]) {
                    b[i] = LAND;
                    continue;
                }
                b[i] = (int32_t)r->nnodes;
                rc = add_node(r, cap, fr, fc, la, r->lon0 + (fc + 0.5) / FPD);
            }
        }
    }
    free(st);
    free(xs);
    return rc;
}

int sw_searoute_new(struct sw_searoute **out, const struct sw_land *land,
                    const struct sw_searoute_region *region)
{
    struct sw_searoute_region def;
    *out = NULL;
    if (!region) {
        sw_searoute_region_default(&def);
        region = &def;
    }
    if (!(region->minlat >= -85 && region->maxlat <= 85 && region->minlon >= -180 &&
          region->maxlon <= 180 && region->maxlat > region->minlat &&
          region->maxlon > region->minlon && region->maxlat - region->minlat <= 60 &&
          region->maxlon - region->minlon <= 60))
        return SW_EINVAL;
    clock_t c0 = clock();
    struct sw_searoute *r = calloc(1, sizeof *r);
    if (!r) return SW_ENOMEM;
    r->land = land;
    r->lat0 = floor(region->minlat * CPD) / CPD;
    r->lon0 = floor(region->minlon * CPD) / CPD;
    r->nr = (int)ceil((region->maxlat - r->lat0) * CPD);
    r->nc = (int)ceil((region->maxlon - r->lon0) * CPD);
    r->cell = malloc((size_t)r->nr * r->nc * sizeof *r->cell);
    size_t cap = 0;
    int rc = r->cell ? classify(r, &cap) : SW_ENOMEM;
    if (rc == SW_OK) rc = refine(r, &cap);
    if (rc) {
        sw_searoute_free(r);
        return rc;
    }
    r->build_s = (double)(clock() - c0) / CLOCKS_PER_SEC;
    *out = r;
    return SW_OK;
}

void sw_searoute_free(struct sw_searoute *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nt; i++) {
        free(r->t[i].dist);
        free(r->t[i].par);
    }
    free(r->cell);
    free(r->blk);
    free(r->row);
    free(r->col);
    free(r->lat);
    free(r->lon);
    free(r->heap);
    free(r);
}

void sw_searoute_stats(const struct sw_searoute *r, struct sw_searoute_stats *st)
{
    st->coarse_nodes = r->ncoarse;
    st->fine_nodes = r->nnodes - r->ncoarse;
    st->mixed_cells = r->nblk;
    st->targets = r->nt;
    st->fields = r->nfields;
    st->build_s = r->build_s;
}

/* ---- moves ------------------------------------------------------------------------------- */

/* The 16 moves: 8 around, then the knight's moves. */
static const int8_t MV[16][2] = {{0, 1},  {1, 0},   {0, -1},  {-1, 0}, {1, 1},  {1, -1},
                                 {-1, 1}, {-1, -1}, {1, 2},   {2, 1},  {-1, 2}, {-2, 1},
                                 {1, -2}, {2, -1},  {-1, -2}, {-2, -1}};

/* The cells a move passes between its ends (0, 1 or 2 of them), as offsets. */
static int move_between(int dr, int dc, int out[2][2])
{
    if (dr == 0 || dc == 0) return 0;
    if (abs(dr) == 1 && abs(dc) == 1) {
        out[0][0] = dr, out[0][1] = 0, out[1][0] = 0, out[1][1] = dc;
        return 2;
    }
    if (abs(dr) == 1) { /* (1, 2): cells (0, 1) and (1, 1) */
        out[0][0] = 0, out[0][1] = dc / 2, out[1][0] = dr, out[1][1] = dc / 2;
    } else {
        out[0][0] = dr / 2, out[0][1] = 0, out[1][0] = dr / 2, out[1][1] = dc;
    }
    return 2;
}

static float node_dist(const struct sw_searoute *r, int32_t a, int32_t b)
{
    double la = 0.5 * (r->lat[a] + r->lat[b]);
    double dx = (r->lon[b] - r->lon[a]) * cos(la * DEG), dy = r->lat[b] - r->lat[a];
    return (float)(sqrt(dx * dx + dy * dy) * KM_DEG);
}

/* Fine node u: the 16 moves on the fine grid; a move into an open coarse cell goes to its
 * node. */
static int nb_fine(const struct sw_searoute *r, int32_t u, int32_t *nb)
{
    int fr = r->row[u], fc = r->col[u], n = 0;
    for (int m = 0; m < 16; m++) {
        int dr = MV[m][0], dc = MV[m][1], bt[2][2];
        int32_t v = fine_node(r, fr + dr, fc + dc);
        if (v < 0) continue;
        int k = move_between(dr, dc, bt), ok = 1;
        for (int j = 0; j < k && ok; j++)
            ok = fine_node(r, fr + bt[j][0], fc + bt[j][1]) >= 0;
        if (ok) nb[n++] = v;
    }
    return n;
}

/* Coarse node u: the 16 moves between open coarse cells; into a neighbouring mixed cell, the
 * water cells of its facing side (or its nearest corner, diagonally). */
static int nb_coarse(const struct sw_searoute *r, int32_t u, int32_t *nb)
{
    int cr = r->row[u], cc = r->col[u], n = 0;
    for (int m = 0; m < 16; m++) {
        int dr = MV[m][0], dc = MV[m][1], bt[2][2];
        int32_t k = coarse_cell(r, cr + dr, cc + dc);
        if (k == LAND) continue;
        if (k >= 0) {
            int j, nbt = move_between(dr, dc, bt);
            for (j = 0; j < nbt; j++)
                if (coarse_cell(r, cr + bt[j][0], cc + bt[j][1]) < 0) break;
            if (j == nbt) nb[n++] = k;
            continue;
        }
        if (m >= 8) continue;
        /* fine cells of the mixed neighbour that touch u's cell */
        int r0 = (cr + dr) * S, c0 = (cc + dc) * S;
        for (int i = 0; i < S; i++) {
            int fr, fc;
            if (dr == 0) { /* east or west side */
                fr = r0 + i;
                fc = dc > 0 ? c0 : c0 + S - 1;
            } else if (dc == 0) {
                fr = dr > 0 ? r0 : r0 + S - 1;
                fc = c0 + i;
            } else {
                if (i) break;
                fr = dr > 0 ? r0 : r0 + S - 1;
                fc = dc > 0 ? c0 : c0 + S - 1;
            }
            int32_t v = fine_node(r, fr, fc);
            if (v >= 0) nb[n++] = v;
        }
    }
    return n;
}

static int neighbours(const struct sw_searoute *r, int32_t u, int32_t *nb)
{
    return (size_t)u < r->ncoarse ? nb_coarse(r, u, nb) : nb_fine(r, u, nb);
}

/* ---- the field ------------------------------------------------------------------------------ */

static int heap_push(struct sw_searoute *r, float d, int32_t n)
{
    if (r->nheap == r->capheap) {
        size_t nc = r->capheap ? r->capheap * 2 : 65536;
        struct hent *h = realloc(r->heap, nc * sizeof *h);
        if (!h) return SW_ENOMEM;
        r->heap = h;
        r->capheap = nc;
    }
    size_t i = r->nheap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (r->heap[p].d <= d) break;
        r->heap[i] = r->heap[p];
        i = p;
    }
    r->heap[i] = (struct hent){d, n};
    return SW_OK;
}

static struct hent heap_pop(struct sw_searoute *r)
{
    struct hent top = r->heap[0], last = r->heap[--r->nheap];
    size_t i = 0, n = r->nheap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && r->heap[c + 1].d < r->heap[c].d) c++;
        if (r->heap[c].d >= last.d) break;
        r->heap[i] = r->heap[c];
        i = c;
    }
    if (n) r->heap[i] = last;
    return top;
}

/* Water nodes whose centres lie within rad_m of (lat, lon): fn for each. */
static int near_nodes(const struct sw_searoute *r, double lat, double lon, double rad_m,
                      int (*fn)(void *ctx, int32_t n, double d), void *ctx)
{
    double dlat = rad_m / KM_DEG, dlon = dlat / fmax(cos(lat * DEG), 0.05);
    int cr0 = (int)floor((lat - dlat - r->lat0) * CPD),
        cr1 = (int)floor((lat + dlat - r->lat0) * CPD);
    int cc0 = (int)floor((lon - dlon - r->lon0) * CPD),
        cc1 = (int)floor((lon + dlon - r->lon0) * CPD);
    int rc;
    for (int cr = cr0; cr <= cr1; cr++)
        for (int cc = cc0; cc <= cc1; cc++) {
            int32_t k = coarse_cell(r, cr, cc);
            if (k == LAND) continue;
            if (k >= 0) {
                double d = sw_geo_dist_m(lat, lon, r->lat[k], r->lon[k]);
                if (d <= rad_m && (rc = fn(ctx, k, d))) return rc;
                continue;
            }
            const int32_t *b = r->blk + (size_t)(-2 - k) * S * S;
            for (int i = 0; i < S * S; i++) {
                if (b[i] < 0) continue;
                double d = sw_geo_dist_m(lat, lon, r->lat[b[i]], r->lon[b[i]]);
                if (d <= rad_m && (rc = fn(ctx, b[i], d))) return rc;
            }
        }
    return SW_OK;
}

struct nearest {
    int32_t n;
    double d;
};

static int take_nearest(void *ctx, int32_t n, double d)
{
    struct nearest *x = ctx;
    if (d < x->d || (d == x->d && n < x->n)) {
        x->n = n;
        x->d = d;
    }
    return 0;
}

/* The nearest water node within max_m (SW_ENOTFOUND). */
static int nearest_node(const struct sw_searoute *r, double lat, double lon, double max_m,
                        int32_t *n, double *d)
{
    struct nearest x = {-1, INFINITY};
    for (double rad = 2000; x.n < 0 && rad <= max_m * 2; rad *= 2)
        near_nodes(r, lat, lon, fmin(rad, max_m), take_nearest, &x);
    if (x.n < 0) return SW_ENOTFOUND;
    *n = x.n;
    *d = x.d;
    return SW_OK;
}

struct seeding {
    struct sw_searoute *r;
    struct target *t;
    int rc;
};

static int seed(void *ctx, int32_t n, double d)
{
    struct seeding *s = ctx;
    if (d < s->t->dist[n]) {
        s->t->dist[n] = (float)d;
        s->t->par[n] = -1;
        if ((s->rc = heap_push(s->r, (float)d, n)) != SW_OK) return s->rc;
    }
    return 0;
}

int sw_searoute_prepare(struct sw_searoute *r, size_t target)
{
    if (target >= r->nt) return SW_EINVAL;
    struct target *t = &r->t[target];
    if (t->dist) return SW_OK;
    t->dist = malloc(r->nnodes * sizeof *t->dist);
    t->par = malloc(r->nnodes * sizeof *t->par);
    if (!t->dist || !t->par) {
        free(t->dist);
        free(t->par);
        t->dist = NULL;
        t->par = NULL;
        return SW_ENOMEM;
    }
    for (size_t i = 0; i < r->nnodes; i++)
        t->dist[i] = INFINITY;
    /* seeds: the water cells of the port's area, or the nearest ones and those up to 2 km
     * farther (a port the 1:10m mask puts inland) */
    int32_t n0;
    double d0;
    struct seeding s = {r, t, SW_OK};
    r->nheap = 0;
    int rc = nearest_node(r, t->lat, t->lon, 30000, &n0, &d0);
    if (rc == SW_OK) rc = near_nodes(r, t->lat, t->lon, fmax(t->radius, d0 + 2000), seed, &s);
    int32_t nb[MAX_NB];
    while (rc == SW_OK && r->nheap) {
        struct hent h = heap_pop(r);
        if (h.d > t->dist[h.n]) continue;
        int k = neighbours(r, h.n, nb);
        for (int j = 0; j < k && rc == SW_OK; j++) {
            float nd = h.d + node_dist(r, h.n, nb[j]);
            if (nd < t->dist[nb[j]]) {
                t->dist[nb[j]] = nd;
                t->par[nb[j]] = h.n;
                rc = heap_push(r, nd, nb[j]);
            }
        }
    }
    if (rc) {
        free(t->dist);
        free(t->par);
        t->dist = NULL;
        t->par = NULL;
        return rc;
    }
    r->nfields++;
    return SW_OK;
}

int sw_searoute_add_target(struct sw_searoute *r, double lat, double lon, double radius_m,
                           size_t *id)
{
    if (r->nt == MAX_TARGETS) return SW_ETOOBIG;
    if (lat < r->lat0 || lon < r->lon0 || lat >= r->lat0 + (double)r->nr / CPD ||
        lon >= r->lon0 + (double)r->nc / CPD)
        return SW_ERANGE;
    int32_t n;
    double d;
    int rc = nearest_node(r, lat, lon, 30000, &n, &d);
    if (rc) return rc;
    r->t[r->nt] = (struct target){lat, lon, radius_m, NULL, NULL};
    *id = r->nt++;
    return SW_OK;
}

/* ---- queries ------------------------------------------------------------------------------- */

/* The node holding the point (the nearest water node within 5 km when its cell is land). */
static int locate(const struct sw_searoute *r, double lat, double lon, int32_t *n)
{
    if (!(lat >= r->lat0 && lon >= r->lon0 && lat < r->lat0 + (double)r->nr / CPD &&
          lon < r->lon0 + (double)r->nc / CPD))
        return SW_ERANGE;
    int fr = (int)floor((lat - r->lat0) * FPD), fc = (int)floor((lon - r->lon0) * FPD);
    int32_t k = fine_node(r, fr, fc);
    if (k >= 0) {
        *n = k;
        return SW_OK;
    }
    double d;
    return nearest_node(r, lat, lon, 5000, n, &d);
}

/* Path points as lon/lat pairs in a growable array. */
struct pts {
    double *xy;
    size_t n, cap;
};

static int pts_add(struct pts *p, double lon, double lat)
{
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 256;
        double *x = realloc(p->xy, nc * 2 * sizeof *x);
        if (!x) return SW_ENOMEM;
        p->xy = x;
        p->cap = nc;
    }
    p->xy[2 * p->n] = lon;
    p->xy[2 * p->n + 1] = lat;
    p->n++;
    return SW_OK;
}

static int clear(const struct sw_searoute *r, const double *a, const double *b)
{
    return sw_land_segment_clear(r->land, a[1], a[0], b[1], b[0]);
}

/* Straighten p[0..n-1] in place (string pulling: from each kept point, the farthest later
 * point in sight, found by doubling then halving the step); returns the new count. Every
 * segment kept crosses no coastline edge, or joins two points the grid joined. */
static size_t straighten(const struct sw_searoute *r, double *p, size_t n)
{
    if (n < 3) return n;
    size_t a = 0, w = 1;
    while (a < n - 1) {
        size_t best = a + 1, step = 2, hi = n;
        while (a + step < n && clear(r, p + 2 * a, p + 2 * (a + step))) {
            best = a + step;
            step *= 2;
        }
        if (a + step < n) hi = a + step;
        size_t lo = best; /* visible; hi: not visible (or past the end) */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (clear(r, p + 2 * a, p + 2 * mid))
                lo = mid;
            else
                hi = mid;
        }
        best = lo;
        p[2 * w] = p[2 * best];
        p[2 * w + 1] = p[2 * best + 1];
        w++;
        a = best;
    }
    return w;
}

static double path_len(const double *p, size_t n)
{
    double s = 0;
    for (size_t i = 1; i < n; i++)
        s += sw_geo_dist_m(p[2 * i - 1], p[2 * i - 2], p[2 * i + 1], p[2 * i]);
    return s;
}

int sw_searoute_path(struct sw_searoute *r, size_t target, double lat, double lon, double *dist_m,
                     double *xy, size_t max, size_t *n)
{
    if (target >= r->nt) return SW_EINVAL;
    int32_t u;
    int rc = locate(r, lat, lon, &u);
    if (rc) return rc;
    if ((rc = sw_searoute_prepare(r, target)) != SW_OK) return rc;
    const struct target *t = &r->t[target];
    if (!isfinite(t->dist[u])) return SW_ENOTFOUND;
    struct pts p = {0};
    rc = pts_add(&p, lon, lat);
    for (int32_t v = u; rc == SW_OK && v >= 0; v = t->par[v])
        rc = pts_add(&p, r->lon[v], r->lat[v]);
    if (rc) {
        free(p.xy);
        return rc;
    }
    /* the reference point joins the straightening when it is at sea; a port the mask puts
     * on land is reached from its seed cell in a straight line */
    int wet = !sw_land_is_land(r->land, t->lat, t->lon);
    if (wet && (rc = pts_add(&p, t->lon, t->lat)) != SW_OK) {
        free(p.xy);
        return rc;
    }
    size_t m = straighten(r, p.xy, p.n);
    double len = path_len(p.xy, m);
    p.n = m;
    if (!wet) {
        len += sw_geo_dist_m(p.xy[2 * m - 1], p.xy[2 * m - 2], t->lat, t->lon);
        if ((rc = pts_add(&p, t->lon, t->lat)) != SW_OK) {
            free(p.xy);
            return rc;
        }
    }
    m = p.n;
    *dist_m = len;
    if (xy && max >= 2) {
        size_t k = m <= max ? m : max;
        for (size_t i = 0; i < k; i++) {
            size_t j = k == m ? i : (size_t)((double)i * (double)(m - 1) / (double)(k - 1) + 0.5);
            xy[2 * i] = p.xy[2 * j];
            xy[2 * i + 1] = p.xy[2 * j + 1];
        }
        *n = k;
    } else if (n) {
        *n = 0;
    }
    free(p.xy);
    return SW_OK;
}

int sw_searoute_dist(struct sw_searoute *r, size_t target, double lat, double lon, double *dist_m)
{
    return sw_searoute_path(r, target, lat, lon, dist_m, NULL, 0, NULL);
}
