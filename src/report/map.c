/*
 * Incident maps for report.html: inline SVG in one Web Mercator coordinate space (SCALE map
 * units per degree of longitude), so that every map is a viewBox onto shared layers.
 *
 * The coast is cut into tiles of a size fit for each map (a power-of-two fraction of the
 * world, at least as wide as the map), each drawn once in a hidden <svg>'s <defs> at a
 * resolution fit for its size: a land fill (rings clipped to the tile, no stroke) and a
 * coastline (the ring edges near the tile, stroked). A map uses the at most 2 x 2 tiles that
 * cover it, plus the watched zones (drawn once), the ports in view, the tracks and the event
 * place. A report of thousands of incidents in one sea thus carries each piece of coast once.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "report_int.h"

#define SCALE 10000.0      /* map units per degree of longitude */
#define MIN_SPAN_DEG 0.3   /* a map shows at least this much, so the coast around a point shows */
#define TILE_POINTS 1500.0 /* resolution: a tile is this many snapping steps wide */
#define MAX_TILES 4096

struct ring {
    double *xy;
    size_t n;
    double x0, y0, x1, y1;
};

struct rep_map {
    const struct sw_geo *geo;
    struct ring *rings;
    size_t nrings, cap;
    double ux0, uy0, ux1, uy1; /* rings kept: those crossing this box */
    uint64_t *tiles;           /* sorted distinct tile keys */
    size_t ntiles;
    double *tmp1, *tmp2;
    size_t tmpcap;
};

static double proj_x(double lon)
{
    return lon * SCALE;
}

static double proj_y(double lat)
{
    lat = fmax(fmin(lat, 85), -85);
    double phi = lat * M_PI / 180.0;
    return -log(tan(M_PI / 4 + phi / 2)) * (180.0 / M_PI) * SCALE;
}

/* Inverse of proj_y. */
static double unproj_y(double y)
{
    return (2 * atan(exp(-y / SCALE * M_PI / 180.0)) - M_PI / 2) * 180.0 / M_PI;
}

/* "38.62°N 131.31°E" at (x, y), anchored at its start or end. */
static void coord_label(FILE *f, double x, double y, double fs, const char *anchor, double lat,
                        double lon)
{
    fprintf(f,
            "<text class=\"coord\" x=\"%.0f\" y=\"%.0f\" font-size=\"%.0f\" "
            "text-anchor=\"%s\">%.2f°%c %.2f°%c</text>",
            x, y, fs, anchor, fabs(lat), lat < 0 ? 'S' : 'N', fabs(lon), lon < 0 ? 'W' : 'E');
}

struct box {
    double x0, y0, x1, y1; /* lon/lat */
};

/* The lon/lat box a map shows: the incident's box with a margin and a minimum extent. */
static int map_box(const json_t *inc, struct box *b)
{
    json_t *bb = json_object_get(inc, "bbox");
    if (json_array_size(bb) != 4) return 0;
    double x0 = json_number_value(json_array_get(bb, 0)),
           y0 = json_number_value(json_array_get(bb, 1));
    double x1 = json_number_value(json_array_get(bb, 2)),
           y1 = json_number_value(json_array_get(bb, 3));
    double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    double hw = fmax((x1 - x0) * 0.6, MIN_SPAN_DEG / 2),
           hh = fmax((y1 - y0) * 0.6, MIN_SPAN_DEG / 2);
    b->x0 = fmax(cx - hw, -180);
    b->x1 = fmin(cx + hw, 180);
    b->y0 = fmax(cy - hh, -84);
    b->y1 = fmin(cy + hh, 84);
    return 1;
}

/* Tiles: level z divides the world into 2^z columns of 360/2^z degrees (rows of the same
 * size in latitude, from -90). Key: z << 48 | column << 24 | row. */
static double tile_deg(int z)
{
    return 360.0 / (double)(1u << z);
}

static int map_level(const struct box *b)
{
    double span = fmax(b->x1 - b->x0, b->y1 - b->y0);
    int z = 0;
    while (z < 20 && tile_deg(z + 1) >= span)
        z++;
    return z;
}

static uint64_t tile_key(int z, long c, long r)
{
    return (uint64_t)z << 48 | (uint64_t)(c & 0xffffff) << 24 | (uint64_t)(r & 0xffffff);
}

static void tile_box(uint64_t key, struct box *b, int *z)
{
    *z = (int)(key >> 48);
    double d = tile_deg(*z);
    long c = (long)(key >> 24 & 0xffffff), r = (long)(key & 0xffffff);
    b->x0 = -180 + c * d;
    b->x1 = b->x0 + d;
    b->y0 = -90 + r * d;
    b->y1 = b->y0 + d;
}

/* The (at most 4) tiles covering a map box. */
static size_t map_tiles(const struct box *b, uint64_t out[4])
{
    int z = map_level(b);
    double d = tile_deg(z);
    long c0 = (long)floor((b->x0 + 180) / d), c1 = (long)floor((b->x1 + 180) / d);
    long r0 = (long)floor((b->y0 + 90) / d), r1 = (long)floor((b->y1 + 90) / d);
    size_t n = 0;
    for (long c = c0; c <= c1 && c <= c0 + 1; c++)
        for (long r = r0; r <= r1 && r <= r0 + 1; r++)
            out[n++] = tile_key(z, c, r);
    return n;
}

static int keep_ring(void *ctx, const double *xy, size_t n)
{
    struct rep_map *m = ctx;
    struct ring r = {.n = n, .x0 = 1e9, .y0 = 1e9, .x1 = -1e9, .y1 = -1e9};
    for (size_t i = 0; i < n; i++) {
        r.x0 = fmin(r.x0, xy[2 * i]);
        r.x1 = fmax(r.x1, xy[2 * i]);
        r.y0 = fmin(r.y0, xy[2 * i + 1]);
        r.y1 = fmax(r.y1, xy[2 * i + 1]);
    }
    if (r.x1 < m->ux0 || r.x0 > m->ux1 || r.y1 < m->uy0 || r.y0 > m->uy1) return SW_OK;
    if (m->nrings == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 256;
        struct ring *nr = realloc(m->rings, nc * sizeof *nr);
        if (!nr) return SW_ENOMEM;
        m->rings = nr;
        m->cap = nc;
    }
    r.xy = malloc(n * 2 * sizeof *xy);
    if (!r.xy) return SW_ENOMEM;
    memcpy(r.xy, xy, n * 2 * sizeof *xy);
    m->rings[m->nrings++] = r;
    return SW_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void rep_map_free(struct rep_map *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->nrings; i++)
        free(m->rings[i].xy);
    free(m->rings);
    free(m->tiles);
    free(m->tmp1);
    free(m->tmp2);
    free(m);
}

int rep_map_new(struct rep_map **out, const struct sw_geo *geo, const json_t *incidents)
{
    struct rep_map *m = calloc(1, sizeof *m);
    *out = NULL;
    if (!m) return SW_ENOMEM;
    m->geo = geo;
    size_t cap = 0, i;
    json_t *inc;
    int any = 0;
    json_array_foreach(incidents, i, inc)
    {
        struct box b;
        if (!map_box(inc, &b)) continue;
        uint64_t t[4];
        size_t n = map_tiles(&b, t);
        for (size_t k = 0; k < n; k++) {
            if (m->ntiles == cap) {
                if (cap >= MAX_TILES * 4) /* duplicates are removed below */
                    break;
                size_t nc = cap ? cap * 2 : 64;
                uint64_t *nt = realloc(m->tiles, nc * sizeof *nt);
                if (!nt) goto nomem;
                m->tiles = nt;
                cap = nc;
            }
            m->tiles[m->ntiles++] = t[k];
            struct box tb;
            int z;
            tile_box(t[k], &tb, &z);
            if (!any) {
                m->ux0 = tb.x0, m->uy0 = tb.y0, m->ux1 = tb.x1, m->uy1 = tb.y1;
                any = 1;
            }
            m->ux0 = fmin(m->ux0, tb.x0);
            m->uy0 = fmin(m->uy0, tb.y0);
            m->ux1 = fmax(m->ux1, tb.x1);
            m->uy1 = fmax(m->uy1, tb.y1);
        }
    }
    if (m->ntiles) {
        qsort(m->tiles, m->ntiles, sizeof *m->tiles, cmp_u64);
        size_t w = 1;
        for (size_t k = 1; k < m->ntiles; k++)
            if (m->tiles[k] != m->tiles[w - 1]) m->tiles[w++] = m->tiles[k];
        m->ntiles = w > MAX_TILES ? MAX_TILES : w;
    }
    if (geo && any) {
        char path[4096];
        snprintf(path, sizeof path, "%s/land/ne_10m_land.txt.gz", sw_geo_dir(geo));
        int rc = sw_land_read_rings(path, keep_ring, m);
        if (rc == SW_ENOMEM) goto nomem;
        /* Other errors: maps without a coast beat no report. */
    }
    *out = m;
    return SW_OK;
nomem:
    rep_map_free(m);
    return SW_ENOMEM;
}

/* Sutherland-Hodgman clipping of a ring against one side of a box: side 0 keeps x >= v,
 * 1 keeps y >= v, 2 keeps x <= v, 3 keeps y <= v. */
static size_t clip_side(const double *in, size_t n, double *out, int side, double v)
{
    size_t m = 0;
    int c = side & 1;
    for (size_t i = 0; i < n; i++) {
        const double *a = in + 2 * i, *b = in + 2 * ((i + 1) % n);
        int ina = side < 2 ? a[c] >= v : a[c] <= v, inb = side < 2 ? b[c] >= v : b[c] <= v;
        if (ina) {
            out[2 * m] = a[0];
            out[2 * m + 1] = a[1];
            m++;
        }
        if (ina != inb) {
            double t = (v - a[c]) / (b[c] - a[c]);
            out[2 * m] = a[0] + t * (b[0] - a[0]);
            out[2 * m + 1] = a[1] + t * (b[1] - a[1]);
            m++;
        }
    }
    return m;
}

static int ensure_tmp(struct rep_map *m, size_t n)
{
    size_t need = 2 * (2 * n + 8);
    if (need <= m->tmpcap) return SW_OK;
    double *a = realloc(m->tmp1, need * sizeof *a);
    if (!a) return SW_ENOMEM;
    m->tmp1 = a;
    double *b = realloc(m->tmp2, need * sizeof *b);
    if (!b) return SW_ENOMEM;
    m->tmp2 = b;
    m->tmpcap = need;
    return SW_OK;
}

/* Points as a path: "M x y" then relative "l dx dy", snapped to the step, repeats dropped.
 * Returns the number of points written. */
static size_t path_points(struct sw_buf *p, const double *xy, size_t n, double snap, int close)
{
    long px = 0, py = 0;
    size_t kept = 0, start = p->len;
    for (size_t i = 0; i < n; i++) {
        long x = lround(proj_x(xy[2 * i]) / snap) * (long)snap;
        long y = lround(proj_y(xy[2 * i + 1]) / snap) * (long)snap;
        if (kept && x == px && y == py) continue;
        if (!kept)
            sw_buf_printf(p, "M%ld %ld", x, y);
        else
            sw_buf_printf(p, "l%ld %ld", x - px, y - py);
        px = x;
        py = y;
        kept++;
    }
    if (kept < (close ? 3u : 2u)) {
        p->len = start;
        if (p->data) p->data[start] = '\0';
        return 0;
    }
    if (close) sw_buf_putc(p, 'z');
    return kept;
}

/* Land fill (rings clipped to the box) and coastline (ring edges touching the box). */
static int tile_paths(struct rep_map *m, const struct box *b, double snap, struct sw_buf *fill,
                      struct sw_buf *coast)
{
    for (size_t i = 0; i < m->nrings; i++) {
        const struct ring *r = &m->rings[i];
        if (r->x1 < b->x0 || r->x0 > b->x1 || r->y1 < b->y0 || r->y0 > b->y1) continue;
        if (ensure_tmp(m, r->n)) return SW_ENOMEM;
        memcpy(m->tmp1, r->xy, r->n * 2 * sizeof *r->xy);
        size_t k = r->n;
        k = clip_side(m->tmp1, k, m->tmp2, 0, b->x0);
        k = clip_side(m->tmp2, k, m->tmp1, 1, b->y0);
        k = clip_side(m->tmp1, k, m->tmp2, 2, b->x1);
        k = clip_side(m->tmp2, k, m->tmp1, 3, b->y1);
        if (k >= 3) path_points(fill, m->tmp1, k, snap, 1);
        /* Coastline: runs of the edges with an end inside the box (slightly widened). */
        double mx = (b->x1 - b->x0) * 0.02;
        size_t run = 0;
        int prev_in = 0;
        for (size_t j = 0; j <= r->n; j++) {
            const double *pt = r->xy + 2 * (j % r->n);
            int in = pt[0] >= b->x0 - mx && pt[0] <= b->x1 + mx && pt[1] >= b->y0 - mx &&
                     pt[1] <= b->y1 + mx;
            if (j > 0 && (in || prev_in)) {
                if (run == 0) {
                    const double *pv = r->xy + 2 * (j - 1);
                    m->tmp2[0] = pv[0];
                    m->tmp2[1] = pv[1];
                    run = 1;
                }
                m->tmp2[2 * run] = pt[0];
                m->tmp2[2 * run + 1] = pt[1];
                run++;
            } else if (run) {
                path_points(coast, m->tmp2, run, snap, 0);
                run = 0;
            }
            prev_in = in;
        }
        if (run) path_points(coast, m->tmp2, run, snap, 0);
    }
    return SW_OK;
}

static void tile_id(uint64_t key, char *buf, size_t n)
{
    snprintf(buf, n, "t%llx", (unsigned long long)key);
}

int rep_map_write_defs(struct rep_map *m, FILE *f)
{
    struct sw_buf fill, coast;
    sw_buf_init(&fill, 256u << 20);
    sw_buf_init(&coast, 256u << 20);
    int rc = SW_OK;
    fputs("<svg class=\"defs\" width=\"0\" height=\"0\" aria-hidden=\"true\"><defs>\n", f);
    for (size_t i = 0; i < m->ntiles && rc == SW_OK; i++) {
        struct box b;
        int z;
        tile_box(m->tiles[i], &b, &z);
        double snap = fmax(1.0, floor(tile_deg(z) * SCALE / TILE_POINTS));
        sw_buf_reset(&fill);
        sw_buf_reset(&coast);
        rc = tile_paths(m, &b, snap, &fill, &coast);
        char id[32];
        tile_id(m->tiles[i], id, sizeof id);
        fprintf(f,
                "<path id=\"l%s\" class=\"land\" fill-rule=\"evenodd\" d=\"%s\"/>"
                "<path id=\"c%s\" class=\"coast\" d=\"%s\"/>\n",
                id, fill.data ? fill.data : "", id, coast.data ? coast.data : "");
    }
    /* Watched zones, once, at about 50 m. */
    fputs("<g id=\"zones\">", f);
    const struct sw_zones *zs = m->geo ? sw_geo_zones(m->geo) : NULL;
    for (size_t i = 0; zs && i < sw_zones_count(zs); i++) {
        const struct sw_zone *zn = sw_zones_get(zs, i);
        sw_buf_reset(&fill);
        for (size_t r = 0; r < zn->poly.nrings; r++) {
            size_t s = r ? zn->poly.ring_end[r - 1] : 0, e = zn->poly.ring_end[r];
            path_points(&fill, zn->poly.xy + 2 * s, e - s, 5, 1);
        }
        if (!fill.len) continue;
        fputs("<path class=\"zone ", f);
        rep_xml_escape(f, zn->kind);
        fprintf(f, "\" fill-rule=\"evenodd\" d=\"%s\"><title>", fill.data);
        rep_xml_escape(f, zn->name);
        fputs("</title></path>", f);
    }
    fputs("</g>\n</defs></svg>\n", f);
    sw_buf_release(&fill);
    sw_buf_release(&coast);
    return rc;
}

static const char *const track_colours[] = {"#c0392b", "#1f5fbf", "#1e8449",
                                            "#8e44ad", "#d35400", "#117a65"};

const char *rep_track_colour(size_t i)
{
    return track_colours[i % (sizeof track_colours / sizeof track_colours[0])];
}

/* Routes ([lon, lat] lines) and marks ({lat, lon, type, label}) an incident or a case adds to
 * its map: the routes and reachable ports of a possible call, every incident of a case. */
static void rep_map_overlays(FILE *f, const json_t *inc, double r, double fs)
{
    size_t i, k;
    json_t *rt, *p;
    json_array_foreach(json_object_get(inc, "routes"), i, rt)
    {
        fputs("<polyline class=\"route\" points=\"", f);
        json_array_foreach(rt, k, p)
            fprintf(f, "%s%.0f,%.0f", k ? " " : "", proj_x(json_number_value(json_array_get(p, 0))),
                    proj_y(json_number_value(json_array_get(p, 1))));
        fputs("\"/>", f);
    }
    json_array_foreach(json_object_get(inc, "marks"), i, p)
    {
        double x = proj_x(json_number_value(json_object_get(p, "lon")));
        double y = proj_y(json_number_value(json_object_get(p, "lat")));
        fputs("<circle class=\"mark ", f);
        rep_xml_escape(f, rep_str(p, "type"));
        fprintf(f, "\" cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\"><title>", x, y, r * 1.1);
        rep_xml_escape(f, rep_str(p, "label")[0] ? rep_str(p, "label") : rep_str(p, "type"));
        fputs("</title></circle>", f);
        if (rep_str(p, "label")[0]) {
            fprintf(f, "<text class=\"marktext\" x=\"%.0f\" y=\"%.0f\" font-size=\"%.0f\">",
                    x + r * 1.4, y + r * 0.5, fs * 0.85);
            rep_xml_escape(f, rep_str(p, "label"));
            fputs("</text>", f);
        }
    }
}

void rep_map_write(struct rep_map *m, FILE *f, const json_t *inc)
{
    struct box b;
    if (!map_box(inc, &b)) {
        fputs("<p class=\"nomap\">No position is known for this incident.</p>\n", f);
        return;
    }
    double x0 = proj_x(b.x0), x1 = proj_x(b.x1), y0 = proj_y(b.y1), y1 = proj_y(b.y0);
    double w = x1 - x0, h = y1 - y0;
    /* Keep maps between 2:1 and 1:1.5 so they stay readable. */
    if (w > 2 * h) {
        y0 -= (w / 2 - h) / 2;
        h = w / 2;
    } else if (h > 1.5 * w) {
        x0 -= (h / 1.5 - w) / 2;
        w = h / 1.5;
    }
    double r = w / 110, fs = w / 45;
    json_t *ev = json_object_get(inc, "event");
    fprintf(f,
            "<svg class=\"map\" viewBox=\"%.0f %.0f %.0f %.0f\" role=\"img\" aria-label=\"map of ",
            x0, y0, w, h);
    rep_xml_escape(f, rep_str(inc, "id"));
    fprintf(f, "\"><rect class=\"sea\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\"/>", x0,
            y0, w, h);
    uint64_t t[4];
    size_t nt = map_tiles(&b, t);
    char id[32];
    for (size_t k = 0; k < nt; k++) {
        tile_id(t[k], id, sizeof id);
        fprintf(f, "<use href=\"#l%s\"/>", id);
    }
    for (size_t k = 0; k < nt; k++) {
        tile_id(t[k], id, sizeof id);
        fprintf(f, "<use href=\"#c%s\"/>", id);
    }
    fputs("<use href=\"#zones\"/>", f);
    for (size_t i = 0; m->geo && i < sw_ports_count(m->geo); i++) {
        const struct sw_port *p = sw_ports_get(m->geo, i);
        double px = proj_x(p->lon), py = proj_y(p->lat);
        if (px < x0 || px > x0 + w || py < y0 || py > y0 + h) continue;
        fprintf(f,
                "<circle class=\"port\" cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\"/>"
                "<text class=\"portname\" x=\"%.0f\" y=\"%.0f\" font-size=\"%.0f\">",
                px, py, r * 0.7, px + r, py - r, fs * 0.8);
        rep_xml_escape(f, p->name);
        fputs("</text>", f);
    }
    size_t i, k;
    json_t *tr, *p;
    json_array_foreach(json_object_get(inc, "tracks"), i, tr)
    {
        json_t *pts = json_object_get(tr, "points");
        if (!json_array_size(pts)) continue;
        /* A path in relative moves: about half the bytes of absolute polyline points. */
        fprintf(f, "<path class=\"trk\" stroke=\"%s\" d=\"", rep_track_colour(i));
        long px = 0, py = 0;
        json_array_foreach(pts, k, p)
        {
            long x = lround(proj_x(json_real_value(json_array_get(p, 2))));
            long y = lround(proj_y(json_real_value(json_array_get(p, 1))));
            if (k == 0)
                fprintf(f, "M%ld %ld", x, y);
            else
                fprintf(f, "l%ld %ld", x - px, y - py);
            px = x;
            py = y;
        }
        fputs("\"/>", f);
        json_t *last = json_array_get(pts, json_array_size(pts) - 1);
        fprintf(f, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\" fill=\"%s\"/>",
                proj_x(json_real_value(json_array_get(last, 2))),
                proj_y(json_real_value(json_array_get(last, 1))), r * 0.6, rep_track_colour(i));
    }
    rep_map_overlays(f, inc, r, fs);
    json_t *lat = json_object_get(ev, "lat"), *lon = json_object_get(ev, "lon");
    if (json_is_number(lat) && json_is_number(lon))
        fprintf(f, "<circle class=\"ev\" cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\"/>",
                proj_x(json_number_value(lon)), proj_y(json_number_value(lat)), r * 1.6);
    /* Scale bar: a round 1, 2 or 5 x 10^k km near a fifth of the map's width, at its centre
     * latitude (Mercator's scale changes with latitude). */
    double coslat = cos((b.y0 + b.y1) / 2 * M_PI / 180);
    double width_km = w / SCALE * 111.32 * coslat, km = pow(10, floor(log10(width_km / 5)));
    if (km * 5 <= width_km / 5)
        km *= 5;
    else if (km * 2 <= width_km / 5)
        km *= 2;
    double bar = km / (111.32 * coslat) * SCALE;
    fprintf(f,
            "<line class=\"scale\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>"
            "<text class=\"scaletext\" x=\"%.0f\" y=\"%.0f\" font-size=\"%.0f\">%g km</text>",
            x0 + w * 0.04, y0 + h * 0.94, x0 + w * 0.04 + bar, y0 + h * 0.94, x0 + w * 0.04,
            y0 + h * 0.94 - fs * 0.5, fs, km);
    /* The corners' coordinates, so that a printed map can be placed on a chart. */
    coord_label(f, x0 + w * 0.01, y0 + fs, fs * 0.8, "start", unproj_y(y0), x0 / SCALE);
    coord_label(f, x0 + w * 0.99, y0 + h - fs * 0.4, fs * 0.8, "end", unproj_y(y0 + h),
                (x0 + w) / SCALE);
    fputs("</svg>\n", f);
}
