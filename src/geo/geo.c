/*
 * Geo basics: great-circle distance and bearing, polygon membership (even-odd with a bounding
 * box prefilter), GeoJSON polygon parsing, and sw_geo, which bundles the land mask, the ports
 * and the zones loaded from the data directory. Detectors call these per fix.
 */
#include "sanctwatch/geo.h"
#include "geo_int.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sanctwatch/datadir.h"
#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/buf.h"

#define DEG (M_PI / 180.0)

double sw_geo_wrap_lon(double lon)
{
    if (lon >= -180.0 && lon < 180.0) return lon;
    lon = fmod(lon + 180.0, 360.0);
    if (lon < 0) lon += 360.0;
    return lon - 180.0;
}

double sw_geo_dist_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG, p2 = lat2 * DEG;
    double dp = p2 - p1, dl = (lon2 - lon1) * DEG;
    double s1 = sin(dp / 2), s2 = sin(dl / 2);
    double a = s1 * s1 + cos(p1) * cos(p2) * s2 * s2;
    if (a > 1.0) a = 1.0;
    return 2.0 * SW_GEO_EARTH_R_M * asin(sqrt(a));
}

double sw_geo_bearing_deg(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG, p2 = lat2 * DEG, dl = (lon2 - lon1) * DEG;
    double y = sin(dl) * cos(p2);
    double x = cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl);
    double b = atan2(y, x) / DEG;
    b = fmod(b + 360.0, 360.0);
    return b >= 360.0 ? 0.0 : b;
}

void sw_geo_dest(double lat, double lon, double brg_deg, double dist_m, double *lat_out,
                 double *lon_out)
{
    double d = dist_m / SW_GEO_EARTH_R_M, b = brg_deg * DEG, p1 = lat * DEG;
    double p2 = asin(sin(p1) * cos(d) + cos(p1) * sin(d) * cos(b));
    double l2 = lon * DEG + atan2(sin(b) * sin(d) * cos(p1), cos(d) - sin(p1) * sin(p2));
    *lat_out = p2 / DEG;
    *lon_out = sw_geo_wrap_lon(l2 / DEG);
}

/* ---- polygons ---------------------------------------------------------------------------- */

int sw_geo_poly_contains(const struct sw_geo_poly *p, double lat, double lon)
{
    if (!p->npoints || lon < p->minlon || lon > p->maxlon || lat < p->minlat || lat > p->maxlat)
        return 0;
    int in = 0;
    size_t start = 0;
    for (size_t r = 0; r < p->nrings; r++) {
        size_t end = p->ring_end[r];
        for (size_t i = start, j = end - 1; i < end; j = i++) {
            double xi = p->xy[2 * i], yi = p->xy[2 * i + 1];
            double xj = p->xy[2 * j], yj = p->xy[2 * j + 1];
            if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) in = !in;
        }
        start = end;
    }
    return in;
}

double sw_geo_poly_area_km2(const struct sw_geo_poly *p)
{
    /* Signed area on the sphere of each ring (the formula of Chamberlain and Duquette, as
     * GeoJSON tools use); GeoJSON outer rings are counter-clockwise, holes clockwise, so the
     * sum subtracts holes (rings of the other orientation) and its absolute value is taken. */
    double total = 0, R = SW_GEO_EARTH_R_M / 1000.0;
    size_t start = 0;
    for (size_t r = 0; r < p->nrings; r++) {
        size_t end = p->ring_end[r];
        double a = 0;
        for (size_t i = start; i < end; i++) {
            size_t k = i + 1 < end ? i + 1 : start;
            double x1 = p->xy[2 * i] * DEG, y1 = p->xy[2 * i + 1] * DEG;
            double x2 = p->xy[2 * k] * DEG, y2 = p->xy[2 * k + 1] * DEG;
            a += (x2 - x1) * (2 + sin(y1) + sin(y2));
        }
        a = a * R * R / 2.0;
        total += a;
        start = end;
    }
    return fabs(total);
}

void sw_geo_poly_release(struct sw_geo_poly *p)
{
    free(p->xy);
    free(p->ring_end);
    memset(p, 0, sizeof *p);
}

struct polybuild {
    struct sw_geo_poly *p;
    size_t cap_pts, cap_rings, max_points;
};

static int pb_point(struct polybuild *b, double lon, double lat)
{
    struct sw_geo_poly *p = b->p;
    if (p->npoints >= b->max_points) return SW_ETOOBIG;
    if (p->npoints == b->cap_pts) {
        size_t nc = b->cap_pts ? b->cap_pts * 2 : 64;
        double *n = realloc(p->xy, nc * 2 * sizeof *n);
        if (!n) return SW_ENOMEM;
        p->xy = n;
        b->cap_pts = nc;
    }
    p->xy[2 * p->npoints] = lon;
    p->xy[2 * p->npoints + 1] = lat;
    p->npoints++;
    if (p->npoints == 1) {
        p->minlon = p->maxlon = lon;
        p->minlat = p->maxlat = lat;
    } else {
        p->minlon = fmin(p->minlon, lon);
        p->maxlon = fmax(p->maxlon, lon);
        p->minlat = fmin(p->minlat, lat);
        p->maxlat = fmax(p->maxlat, lat);
    }
    return SW_OK;
}

static int pb_ring_end(struct polybuild *b)
{
    struct sw_geo_poly *p = b->p;
    if (p->nrings == b->cap_rings) {
        size_t nc = b->cap_rings ? b->cap_rings * 2 : 8;
        size_t *n = realloc(p->ring_end, nc * sizeof *n);
        if (!n) return SW_ENOMEM;
        p->ring_end = n;
        b->cap_rings = nc;
    }
    p->ring_end[p->nrings++] = p->npoints;
    return SW_OK;
}

static int parse_ring(struct polybuild *b, json_t *ring)
{
    if (!json_is_array(ring) || json_array_size(ring) < 4) return SW_EFORMAT;
    size_t n = json_array_size(ring);
    for (size_t i = 0; i < n; i++) {
        json_t *pt = json_array_get(ring, i);
        if (!json_is_array(pt) || json_array_size(pt) < 2) return SW_EFORMAT;
        json_t *x = json_array_get(pt, 0), *y = json_array_get(pt, 1);
        if (!json_is_number(x) || !json_is_number(y)) return SW_EFORMAT;
        double lon = json_number_value(x), lat = json_number_value(y);
        if (!(lon >= -180.0 && lon <= 180.0 && lat >= -90.0 && lat <= 90.0)) return SW_EFORMAT;
        if (i == n - 1) /* GeoJSON repeats the first point; the even-odd test closes rings */
            break;
        int rc = pb_point(b, lon, lat);
        if (rc) return rc;
    }
    return pb_ring_end(b);
}

static int parse_polygon(struct polybuild *b, json_t *rings)
{
    if (!json_is_array(rings) || json_array_size(rings) == 0) return SW_EFORMAT;
    for (size_t i = 0; i < json_array_size(rings); i++) {
        int rc = parse_ring(b, json_array_get(rings, i));
        if (rc) return rc;
    }
    return SW_OK;
}

int sw_geo_poly_from_json(json_t *geom, size_t max_points, struct sw_geo_poly *out)
{
    struct polybuild b = {out, 0, 0, max_points ? max_points : 2000000};
    int rc = SW_EFORMAT;
    memset(out, 0, sizeof *out);
    json_t *type = json_object_get(geom, "type");
    json_t *coords = json_object_get(geom, "coordinates");
    if (!json_is_string(type) || !json_is_array(coords)) goto fail;
    if (!strcmp(json_string_value(type), "Polygon")) {
        rc = parse_polygon(&b, coords);
    } else if (!strcmp(json_string_value(type), "MultiPolygon")) {
        if (json_array_size(coords) == 0) goto fail;
        rc = SW_OK;
        for (size_t i = 0; i < json_array_size(coords) && !rc; i++)
            rc = parse_polygon(&b, json_array_get(coords, i));
    }
    if (rc) goto fail;
    return SW_OK;
fail:
    sw_geo_poly_release(out);
    return rc;
}

int sw_geo_poly_parse(const char *json, size_t len, size_t max_points, struct sw_geo_poly *out)
{
    json_error_t err;
    memset(out, 0, sizeof *out);
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) return SW_EFORMAT;
    int rc = json_is_object(root) ? sw_geo_poly_from_json(root, max_points, out) : SW_EFORMAT;
    json_decref(root);
    return rc;
}

/* ---- the bundle ---------------------------------------------------------------------------- */

static int put_dir(char *buf, size_t n, const char *dir)
{
    if (strlen(dir) >= n) return SW_ETOOBIG;
    memcpy(buf, dir, strlen(dir) + 1);
    return SW_OK;
}

/* buf (SW_GEO_PATHMAX bytes) = a + b + c; SW_ETOOBIG when it does not fit. */
static int set_errpath(char *buf, const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    if (la + lb + lc >= SW_GEO_PATHMAX) return SW_ETOOBIG;
    memcpy(buf, a, la);
    memcpy(buf + la, b, lb);
    memcpy(buf + la + lb, c, lc + 1);
    return SW_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The zones of dir/zones/ *.geojson; path (SW_GEO_PATHMAX bytes) names the file read last. */
static int load_zones_dir(struct sw_geo *g, const char *dir, char *path)
{
    char zdir[PATH_MAX];
    int m = snprintf(zdir, sizeof zdir, "%s/zones", dir);
    if (m < 0 || (size_t)m >= sizeof zdir) return SW_ETOOBIG;
    char *names[256];
    size_t nn = 0;
    struct sw_buf data;
    int rc = sw_geo_list_dir(zdir, ".geojson", names, 256, &nn);
    if (rc) return rc == SW_ENOTFOUND ? SW_OK : rc;
    qsort(names, nn, sizeof names[0], cmp_str);
    sw_buf_init(&data, 64u << 20);
    for (size_t i = 0; i < nn; i++) {
        sw_buf_reset(&data);
        rc = set_errpath(path, zdir, "/", names[i]);
        if (!rc) rc = sw_read_file(path, &data);
        if (!rc) rc = sw_zones_add_geojson(g->zones, data.data ? data.data : "", data.len);
        if (rc) break;
    }
    sw_buf_release(&data);
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    return rc;
}

int sw_geo_open(struct sw_geo **out, const char *datadir, char *errpath)
{
    int rc;
    char path[SW_GEO_PATHMAX] = "";
    struct sw_geo *g = calloc(1, sizeof *g);
    *out = NULL;
    if (!g) {
        rc = SW_ENOMEM;
        goto fail;
    }
    if (datadir) {
        rc = put_dir(g->dir, sizeof g->dir, datadir);
    } else {
        rc = sw_datadir(g->dir, sizeof g->dir);
        if (rc == SW_ENOTFOUND) set_errpath(path, "data", "", "");
    }
    if (rc) goto fail;
    rc = set_errpath(path, g->dir, "/land/ne_10m_land.txt.gz", "");
    if (!rc) rc = sw_land_load(&g->land, path);
    if (rc) goto fail;
    rc = set_errpath(path, g->dir, "/ports.csv", "");
    if (!rc) rc = sw_ports_load(g, path, NULL);
    if (rc) goto fail;
    rc = sw_zones_new(&g->zones);
    if (rc) goto fail;
    rc = load_zones_dir(g, g->dir, path);
    if (rc) goto fail;
    if (errpath) errpath[0] = '\0';
    *out = g;
    return SW_OK;
fail:
    if (errpath) memcpy(errpath, path, strlen(path) + 1);
    sw_geo_free(g);
    return rc;
}

void sw_geo_free(struct sw_geo *g)
{
    if (!g) return;
    sw_land_free(g->land);
    sw_zones_free(g->zones);
    free(g->ports);
    free(g);
}

const char *sw_geo_dir(const struct sw_geo *g)
{
    return g->dir;
}

int sw_geo_is_land(const struct sw_geo *g, double lat, double lon)
{
    return g->land ? sw_land_is_land(g->land, lat, lon) : 0;
}

double sw_geo_dist_to_shore_m(const struct sw_geo *g, double lat, double lon)
{
    return g->land ? sw_land_dist_to_shore_m(g->land, lat, lon) : SW_GEO_FAR_M;
}

double sw_geo_dist_to_shore_capped_m(const struct sw_geo *g, double lat, double lon, double cap_m)
{
    return g->land ? sw_land_dist_to_shore_capped_m(g->land, lat, lon, cap_m) : cap_m;
}

const struct sw_land *sw_geo_land(const struct sw_geo *g)
{
    return g->land;
}

const struct sw_zones *sw_geo_zones(const struct sw_geo *g)
{
    return g->zones;
}

int sw_zones_lookup(const struct sw_geo *g, double lat, double lon, const struct sw_zone **out,
                    size_t max, size_t *n)
{
    size_t found = 0;
    size_t nz = g->zones ? sw_zones_count(g->zones) : 0;
    for (size_t i = 0; i < nz; i++) {
        const struct sw_zone *z = sw_zones_get(g->zones, i);
        if (sw_zones_contains(g->zones, i, lat, lon)) {
            if (found < max) out[found] = z;
            found++;
        }
    }
    *n = found;
    return SW_OK;
}
