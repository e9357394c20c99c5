/*
 * The land mask: Natural Earth 1:10m land polygons (data/land/ne_10m_land.txt.gz) in a global
 * grid of 0.25 degree cells. Each cell lists the coastline edges that touch it and knows
 * whether its centre is on land (computed at load time by walking from a cell known to be at
 * sea and counting the edges crossed). A query then costs one cell:
 *   is_land:   count the edges the path centre -> (centre lon, lat) -> (lon, lat) crosses;
 *   distance:  search the rings of cells around the point, starting at the ring where the
 *              nearest cell with edges lies (precomputed), until no nearer edge can exist.
 * All crossing tests are along axis-parallel lines with half-open intervals, so the parity of
 * joined paths adds up exactly.
 */
#include "sanctwatch/geo.h"
#include "geo_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"

#define CELL 0.25
#define NCOL 1440
#define NROW 720
#define MAX_EDGES 20000000u
#define DEG (M_PI / 180.0)

struct edge {
    float x1, y1, x2, y2;
};

struct sw_land {
    struct edge *e;
    size_t ne;
    uint32_t *start; /* NCOL*NROW+1 offsets into idx */
    uint32_t *idx;   /* edge indices per cell */
    uint8_t *land;   /* per cell: centre on land */
    uint16_t *near;  /* per cell: Chebyshev ring (cells) to the nearest cell with edges */
};

static int col_of(double lon)
{
    int c = (int)floor((lon + 180.0) / CELL);
    return c < 0 ? 0 : c >= NCOL ? NCOL - 1 : c;
}

static int row_of(double lat)
{
    int r = (int)floor((lat + 90.0) / CELL);
    return r < 0 ? 0 : r >= NROW ? NROW - 1 : r;
}

static double cx_of(int c)
{
    return -180.0 + (c + 0.5) * CELL;
}

static double cy_of(int r)
{
    return -90.0 + (r + 0.5) * CELL;
}

/* Does edge e cross the vertical line x = x0 at a y in [ya, yb) (ya <= yb)? */
static int cross_v(const struct edge *e, double x0, double ya, double yb)
{
    if ((e->x1 > x0) == (e->x2 > x0)) return 0;
    double y = e->y1 + (x0 - e->x1) * (e->y2 - e->y1) / (e->x2 - e->x1);
    return y >= ya && y < yb;
}

/* Does edge e cross the horizontal line y = y0 at an x in [xa, xb)? */
static int cross_h(const struct edge *e, double y0, double xa, double xb)
{
    if ((e->y1 > y0) == (e->y2 > y0)) return 0;
    double x = e->x1 + (y0 - e->y1) * (e->x2 - e->x1) / (e->y2 - e->y1);
    return x >= xa && x < xb;
}

static void edge_cells(const struct edge *e, int *c0, int *c1, int *r0, int *r1)
{
    *c0 = col_of(fmin(e->x1, e->x2));
    *c1 = col_of(fmax(e->x1, e->x2));
    *r0 = row_of(fmin(e->y1, e->y2));
    *r1 = row_of(fmax(e->y1, e->y2));
}

/* The cells an edge touches, as edge_cells gives them, computed once while building. */
struct span {
    int16_t c0, c1, r0, r1;
};

static int span_has(const struct span *sp, int c, int r)
{
    return c >= sp->c0 && c <= sp->c1 && r >= sp->r0 && r <= sp->r1;
}

static int build_index(struct sw_land *l)
{
    size_t ncell = (size_t)NCOL * NROW;
    l->start = calloc(ncell + 1, sizeof *l->start);
    l->land = calloc(ncell, 1);
    l->near = calloc(ncell, sizeof *l->near);
    if (!l->start || !l->land || !l->near) return SW_ENOMEM;
    struct span *sp = malloc((l->ne ? l->ne : 1) * sizeof *sp);
    if (!sp) return SW_ENOMEM;
    size_t total = 0;
    for (size_t i = 0; i < l->ne; i++) {
        int c0, c1, r0, r1;
        edge_cells(&l->e[i], &c0, &c1, &r0, &r1);
        sp[i] = (struct span){(int16_t)c0, (int16_t)c1, (int16_t)r0, (int16_t)r1};
        size_t k = (size_t)(c1 - c0 + 1) * (size_t)(r1 - r0 + 1);
        if (k > 4096 || total + k > MAX_EDGES) {
            free(sp);
            return SW_ETOOBIG;
        }
        total += k;
        for (int r = r0; r <= r1; r++)
            for (int c = c0; c <= c1; c++)
                l->start[(size_t)r * NCOL + c + 1]++;
    }
    for (size_t i = 0; i < ncell; i++)
        l->start[i + 1] += l->start[i];
    l->idx = malloc((total ? total : 1) * sizeof *l->idx);
    uint32_t *fill = malloc(ncell * sizeof *fill);
    if (!l->idx || !fill) {
        free(fill);
        free(sp);
        return SW_ENOMEM;
    }
    memcpy(fill, l->start, ncell * sizeof *fill);
    for (size_t i = 0; i < l->ne; i++) {
        int c0 = sp[i].c0, c1 = sp[i].c1, r0 = sp[i].r0, r1 = sp[i].r1;
        for (int r = r0; r <= r1; r++)
            for (int c = c0; c <= c1; c++)
                l->idx[fill[(size_t)r * NCOL + c]++] = (uint32_t)i;
    }
    free(fill);

    /* Land state of every cell centre. The centre of the top-left cell (89.875N) is at sea;
     * walk down column 0, then along each row, counting crossings on the way. An edge listed
     * in both cells of a step is counted once. */
    int state = 0;
    for (int r = NROW - 1; r >= 0; r--) {
        if (r < NROW - 1) {
            size_t a = (size_t)(r + 1) * NCOL, b = (size_t)r * NCOL;
            double x0 = cx_of(0), ya = cy_of(r), yb = cy_of(r + 1);
            for (uint32_t k = l->start[a]; k < l->start[a + 1]; k++)
                state ^= cross_v(&l->e[l->idx[k]], x0, ya, yb);
            for (uint32_t k = l->start[b]; k < l->start[b + 1]; k++)
                if (!span_has(&sp[l->idx[k]], 0, r + 1))
                    state ^= cross_v(&l->e[l->idx[k]], x0, ya, yb);
        }
        int s = state;
        l->land[(size_t)r * NCOL] = (uint8_t)s;
        for (int c = 1; c < NCOL; c++) {
            size_t a = (size_t)r * NCOL + c - 1, b = a + 1;
            double y0 = cy_of(r), xa = cx_of(c - 1), xb = cx_of(c);
            for (uint32_t k = l->start[a]; k < l->start[a + 1]; k++)
                s ^= cross_h(&l->e[l->idx[k]], y0, xa, xb);
            for (uint32_t k = l->start[b]; k < l->start[b + 1]; k++)
                if (!span_has(&sp[l->idx[k]], c - 1, r)) s ^= cross_h(&l->e[l->idx[k]], y0, xa, xb);
            l->land[b] = (uint8_t)s;
        }
    }
    free(sp);

    /* Chebyshev distance in cells to the nearest cell with edges (longitude wraps, latitude
     * does not): the distance in the 8-neighbour graph, by a breadth-first search from every
     * cell with edges at once (each cell is settled once, when first reached). */
    uint32_t *queue = malloc(ncell * sizeof *queue);
    if (!queue) return SW_ENOMEM;
    size_t qh = 0, qt = 0;
    for (size_t i = 0; i < ncell; i++) {
        int has = l->start[i + 1] > l->start[i];
        l->near[i] = has ? 0 : UINT16_MAX;
        if (has) queue[qt++] = (uint32_t)i;
    }
    while (qh < qt) {
        uint32_t i = queue[qh++];
        uint32_t r = i / NCOL, c = i % NCOL;
        uint16_t nd = (uint16_t)(l->near[i] + 1);
        uint32_t dl = c == 0 ? NCOL - 1 : (uint32_t)-1,
                 dr = c == NCOL - 1 ? -(uint32_t)(NCOL - 1) : 1;
#define VISIT(j)                                                                                   \
    do {                                                                                           \
        uint32_t j_ = (j);                                                                         \
        if (l->near[j_] == UINT16_MAX) {                                                           \
            l->near[j_] = nd;                                                                      \
            queue[qt++] = j_;                                                                      \
        }                                                                                          \
    } while (0)
        VISIT(i + dl);
        VISIT(i + dr);
        if (r > 0) {
            uint32_t b = i - NCOL;
            VISIT(b + dl);
            VISIT(b);
            VISIT(b + dr);
        }
        if (r < NROW - 1) {
            uint32_t a = i + NCOL;
            VISIT(a + dl);
            VISIT(a);
            VISIT(a + dr);
        }
#undef VISIT
    }
    free(queue);
    return SW_OK;
}

static int add_edge(struct sw_land *l, size_t *cap, double x1, double y1, double x2, double y2)
{
    if (fabs(x2 - x1) > 180.0) /* would wrap the antimeridian: rings are split there */
        return SW_OK;
    if (x1 == x2 && y1 == y2) return SW_OK;
    if (l->ne == *cap) {
        if (*cap >= MAX_EDGES) return SW_ETOOBIG;
        size_t nc = *cap ? *cap * 2 : 4096;
        struct edge *ne = realloc(l->e, nc * sizeof *ne);
        if (!ne) return SW_ENOMEM;
        l->e = ne;
        *cap = nc;
    }
    l->e[l->ne++] = (struct edge){(float)x1, (float)y1, (float)x2, (float)y2};
    return SW_OK;
}

static int add_ring(struct sw_land *l, size_t *cap, const double *xy, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = i + 1 < n ? i + 1 : 0;
        int rc = add_edge(l, cap, xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1]);
        if (rc) return rc;
    }
    return SW_OK;
}

int sw_land_from_poly(struct sw_land **out, const struct sw_geo_poly *p)
{
    size_t cap = 0, start = 0;
    int rc = SW_ENOMEM;
    struct sw_land *l = calloc(1, sizeof *l);
    *out = NULL;
    if (!l) return SW_ENOMEM;
    for (size_t r = 0; r < p->nrings; r++) {
        rc = add_ring(l, &cap, p->xy + 2 * start, p->ring_end[r] - start);
        if (rc) goto fail;
        start = p->ring_end[r];
    }
    rc = build_index(l);
    if (rc) goto fail;
    *out = l;
    return SW_OK;
fail:
    sw_land_free(l);
    return rc;
}

struct load_ctx {
    struct sw_land *l;
    size_t cap;
};

static int load_ring(void *ctx, const double *xy, size_t n)
{
    struct load_ctx *c = ctx;
    return add_ring(c->l, &c->cap, xy, n);
}

int sw_land_load(struct sw_land **out, const char *path)
{
    struct load_ctx c = {0};
    *out = NULL;
    c.l = calloc(1, sizeof *c.l);
    if (!c.l) return SW_ENOMEM;
    int rc = sw_land_read_rings(path, load_ring, &c);
    if (rc == SW_OK && c.l->ne == 0) rc = SW_EFORMAT;
    if (rc == SW_OK) rc = build_index(c.l);
    if (rc) {
        sw_land_free(c.l);
        return rc;
    }
    *out = c.l;
    return SW_OK;
}

void sw_land_free(struct sw_land *l)
{
    if (!l) return;
    free(l->e);
    free(l->start);
    free(l->idx);
    free(l->land);
    free(l->near);
    free(l);
}

size_t sw_land_edges(const struct sw_land *l)
{
    return l->ne;
}

int sw_land_is_land(const struct sw_land *l, double lat, double lon)
{
    if (!(lat >= -90.0 && lat <= 90.0)) return 0;
    lon = sw_geo_wrap_lon(lon);
    int c = col_of(lon), r = row_of(lat);
    size_t i = (size_t)r * NCOL + c;
    double x0 = cx_of(c), y0 = cy_of(r);
    int s = l->land[i];
    for (uint32_t k = l->start[i]; k < l->start[i + 1]; k++) {
        const struct edge *e = &l->e[l->idx[k]];
        s ^= cross_v(e, x0, fmin(y0, lat), fmax(y0, lat));
        s ^= cross_h(e, lat, fmin(x0, lon), fmax(x0, lon));
    }
    return s;
}

/* Distance from (lat, lon) to an edge, metres, in a local equirectangular projection. */
static double edge_dist(const struct edge *e, double lat, double lon, double coslat)
{
    double k = SW_GEO_EARTH_R_M * DEG;
    double ax = sw_geo_wrap_lon(e->x1 - lon) * coslat * k, ay = (e->y1 - lat) * k;
    double bx = sw_geo_wrap_lon(e->x2 - lon) * coslat * k, by = (e->y2 - lat) * k;
    double dx = bx - ax, dy = by - ay, L = dx * dx + dy * dy;
    double t = L > 0 ? -(ax * dx + ay * dy) / L : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double px = ax + t * dx, py = ay + t * dy;
    return sqrt(px * px + py * py);
}

double sw_land_dist_to_shore_capped_m(const struct sw_land *l, double lat, double lon, double cap_m)
{
    if (!(lat >= -90.0 && lat <= 90.0) || !isfinite(lon)) return cap_m;
    lon = sw_geo_wrap_lon(lon);
    int c = col_of(lon), r = row_of(lat);
    double coslat = cos(lat * DEG), best = cap_m;
    double k_m = SW_GEO_EARTH_R_M * DEG, cell_m = CELL * k_m;
    int k0 = l->near[(size_t)r * NCOL + c];
    if (k0 == UINT16_MAX) return cap_m;
    /* Distances are measured in the equirectangular projection at the query's latitude (as
     * edge_dist does), where a cell k rings away is at least (k - 1) cells * coslat away. */
    for (int k = k0; k <= NCOL / 2; k++) {
        if (k > 0 && (k - 1) * cell_m * coslat >= best) break;
        for (int dr = -k; dr <= k; dr++) {
            int r2 = r + dr;
            if (r2 < 0 || r2 >= NROW) continue;
            double y0 = -90.0 + r2 * CELL, y1 = y0 + CELL;
            double dy = lat < y0 ? y0 - lat : lat > y1 ? lat - y1 : 0;
            int step = (dr == -k || dr == k) ? 1 : (k ? 2 * k : 1);
            for (int dc = -k; dc <= k; dc += step) {
                int c2 = ((c + dc) % NCOL + NCOL) % NCOL;
                size_t i = (size_t)r2 * NCOL + c2;
                if (l->start[i] == l->start[i + 1]) continue;
                /* prune: the cell's box is already farther than the best edge */
                double x0 = -180.0 + c2 * CELL;
                double ax = fabs(sw_geo_wrap_lon(x0 - lon)),
                       bx = fabs(sw_geo_wrap_lon(x0 + CELL - lon));
                double dx = (lon >= x0 && lon <= x0 + CELL) ? 0 : fmin(ax, bx);
                if (hypot(dx * coslat, dy) * k_m >= best) continue;
                for (uint32_t q = l->start[i]; q < l->start[i + 1]; q++) {
                    double d = edge_dist(&l->e[l->idx[q]], lat, lon, coslat);
                    if (d < best) best = d;
                }
            }
        }
    }
    return best;
}

double sw_land_dist_to_shore_m(const struct sw_land *l, double lat, double lon)
{
    return sw_land_dist_to_shore_capped_m(l, lat, lon, SW_GEO_FAR_M);
}

/* ---- for the sea router (geo_int.h) -------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int sw_land_row_states(const struct sw_land *l, double lat, double lon0, double dlon, size_t n,
                       uint8_t *out, double *scratch, size_t scratch_max)
{
    if (!n) return SW_OK;
    double lon1 = lon0 + dlon * (double)(n - 1);
    int r = row_of(lat), c0 = col_of(lon0), c1 = col_of(lon1);
    size_t nx = 0;
    /* every crossing of the parallel in [lon0, lon1], counted in the cell that holds it (an
     * edge is listed in every cell its box meets) */
    for (int c = c0; c <= c1; c++) {
        size_t i = (size_t)r * NCOL + c;
        double xa = -180.0 + c * CELL, xb = xa + CELL;
        for (uint32_t k = l->start[i]; k < l->start[i + 1]; k++) {
            const struct edge *e = &l->e[l->idx[k]];
            if ((e->y1 > lat) == (e->y2 > lat)) continue;
            double x = e->x1 + (lat - e->y1) * (e->x2 - e->x1) / (e->y2 - e->y1);
            if (x < xa || x >= xb || x < lon0 || x >= lon1) continue;
            if (nx == scratch_max) return SW_ETOOBIG;
            scratch[nx++] = x;
        }
    }
    qsort(scratch, nx, sizeof *scratch, cmp_double);
    int s = sw_land_is_land(l, lat, lon0);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        double x = lon0 + dlon * (double)i;
        while (j < nx && scratch[j] < x) {
            s ^= 1;
            j++;
        }
        out[i] = (uint8_t)s;
    }
    return SW_OK;
}

/* Does the segment (x1,y1)-(x2,y2) meet the box? Liang-Barsky clipping. */
static int seg_meets_box(double x1, double y1, double x2, double y2, double minx, double miny,
                         double maxx, double maxy)
{
    double t0 = 0, t1 = 1, dx = x2 - x1, dy = y2 - y1;
    double p[4] = {-dx, dx, -dy, dy}, q[4] = {x1 - minx, maxx - x1, y1 - miny, maxy - y1};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return 0;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0) {
            if (t > t1) return 0;
            if (t > t0) t0 = t;
        } else {
            if (t < t0) return 0;
            if (t < t1) t1 = t;
        }
    }
    return 1;
}

int sw_land_box_has_edge(const struct sw_land *l, double minlat, double minlon, double maxlat,
                         double maxlon)
{
    int r0 = row_of(minlat), r1 = row_of(maxlat), c0 = col_of(minlon), c1 = col_of(maxlon);
    for (int r = r0; r <= r1; r++)
        for (int c = c0; c <= c1; c++) {
            size_t i = (size_t)r * NCOL + c;
            for (uint32_t k = l->start[i]; k < l->start[i + 1]; k++) {
                const struct edge *e = &l->e[l->idx[k]];
                if (seg_meets_box(e->x1, e->y1, e->x2, e->y2, minlon, minlat, maxlon, maxlat))
                    return 1;
            }
        }
    return 0;
}

/* Do segments p1-p2 and q1-q2 cross (proper or touching)? */
static int segs_cross(double ax, double ay, double bx, double by, const struct edge *e)
{
    double d1x = bx - ax, d1y = by - ay, d2x = e->x2 - e->x1, d2y = e->y2 - e->y1;
    double den = d1x * d2y - d1y * d2x;
    double ex = e->x1 - ax, ey = e->y1 - ay;
    if (den == 0) return 0; /* parallel: a grazing run along the coast is not a crossing */
    double t = (ex * d2y - ey * d2x) / den, u = (ex * d1y - ey * d1x) / den;
    return t >= 0 && t <= 1 && u >= 0 && u <= 1;
}

int sw_land_segment_clear(const struct sw_land *l, double lat1, double lon1, double lat2,
                          double lon2)
{
    if (lat1 > lat2) { /* walk rows south to north */
        double t = lat1;
        lat1 = lat2;
        lat2 = t;
        t = lon1;
        lon1 = lon2;
        lon2 = t;
    }
    int r0 = row_of(lat1), r1 = row_of(lat2);
    for (int r = r0; r <= r1; r++) {
        /* the part of the segment inside this row of cells */
        double ya = -90.0 + r * CELL, yb = ya + CELL;
        double xa, xb;
        if (lat2 == lat1) {
            xa = lon1;
            xb = lon2;
        } else {
            double ta = (fmax(ya, lat1) - lat1) / (lat2 - lat1);
            double tb = (fmin(yb, lat2) - lat1) / (lat2 - lat1);
            xa = lon1 + ta * (lon2 - lon1);
            xb = lon1 + tb * (lon2 - lon1);
        }
        int c0 = col_of(fmin(xa, xb)), c1 = col_of(fmax(xa, xb));
        for (int c = c0; c <= c1; c++) {
            size_t i = (size_t)r * NCOL + c;
            for (uint32_t k = l->start[i]; k < l->start[i + 1]; k++)
                if (segs_cross(lon1, lat1, lon2, lat2, &l->e[l->idx[k]])) return 0;
        }
    }
    return 1;
}
