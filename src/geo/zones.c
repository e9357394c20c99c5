/*
 * Watched zones: GeoJSON features (Polygon or MultiPolygon, with an id, a name and a kind)
 * read from data/zones/ *.geojson. Membership is a bounding-box prefilter, then a 64 x 64
 * grid over the box whose cells are marked at load time as all inside, all outside or near
 * an edge, then (near an edge only) the even-odd point-in-polygon test of
 * sw_geo_poly_contains(). A cell is "all inside" or "all outside" only when no edge's
 * bounding box comes within a cell of it; its answer is then the test's answer at its centre,
 * which is the test's answer at every point of the cell (the parity only changes across an
 * edge, and rounding moves a crossing by far less than a cell), so the result is the same;
 * side-by-side such cells share their answer, so one test labels each connected group.
 */
#include "geo_int.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sanctwatch/error.h"

#define MAX_ZONES 256
#define MAX_POINTS 2000000

#define ZG 64 /* grid cells per side of a zone's bounding box */

/* Per zone: cell classes over the bounding box: 0 near an edge, 1 outside, 2 inside. */
struct zgrid {
    double x0, y0, cw, ch;
    uint8_t c[ZG * ZG];
};

struct sw_zones {
    struct sw_zone *z;
    struct zgrid **grid; /* parallel to z; NULL: no grid (a degenerate box) */
    size_t n;
    size_t points;
};

static int zcell(double v, double v0, double w)
{
    double k = floor((v - v0) / w);
    return !(k >= 0) ? 0 : k > ZG - 1 ? ZG - 1 : (int)k;
}

static struct zgrid *zgrid_build(const struct sw_geo_poly *p)
{
    /* cells of at least 1e-6 degrees within +-360: rounding (~1e-13 degrees) stays far below
     * the one-cell margin around every edge */
    if (!p->npoints || !(p->maxlon - p->minlon >= ZG * 1e-6) ||
        !(p->maxlat - p->minlat >= ZG * 1e-6) || !(fabs(p->minlon) <= 360) ||
        !(fabs(p->maxlon) <= 360) || !(fabs(p->minlat) <= 360) || !(fabs(p->maxlat) <= 360))
        return NULL;
    struct zgrid *g = malloc(sizeof *g);
    if (!g) return NULL;
    g->x0 = p->minlon;
    g->y0 = p->minlat;
    g->cw = (p->maxlon - p->minlon) / ZG;
    g->ch = (p->maxlat - p->minlat) / ZG;
    memset(g->c, 1, sizeof g->c);
    size_t start = 0;
    for (size_t r = 0; r < p->nrings; r++) {
        size_t end = p->ring_end[r];
        for (size_t i = start, j = end - 1; i < end; j = i++) {
            double xi = p->xy[2 * i], yi = p->xy[2 * i + 1];
            double xj = p->xy[2 * j], yj = p->xy[2 * j + 1];
            /* the cells of the edge's bounding box and one more all round */
            int c0 = zcell(fmin(xi, xj), g->x0, g->cw) - 1,
                c1 = zcell(fmax(xi, xj), g->x0, g->cw) + 1;
            int r0 = zcell(fmin(yi, yj), g->y0, g->ch) - 1,
                r1 = zcell(fmax(yi, yj), g->y0, g->ch) + 1;
            for (int rr = r0 < 0 ? 0 : r0; rr <= r1 && rr < ZG; rr++)
                for (int cc = c0 < 0 ? 0 : c0; cc <= c1 && cc < ZG; cc++)
                    g->c[rr * ZG + cc] = 0;
        }
        start = end;
    }
    /* Cells away from every edge that touch side by side have the same answer (the segment
     * between their centres crosses no edge): one test per connected group of them, at the
     * centre of its first cell. 3 marks a cell still to be labelled. */
    for (int k = 0; k < ZG * ZG; k++)
        if (g->c[k]) g->c[k] = 3;
    int stack[ZG * ZG];
    for (int k = 0; k < ZG * ZG; k++) {
        if (g->c[k] != 3) continue;
        uint8_t lab = (uint8_t)(1 + sw_geo_poly_contains(p, g->y0 + (k / ZG + 0.5) * g->ch,
                                                         g->x0 + (k % ZG + 0.5) * g->cw));
        int sp = 0;
        g->c[k] = lab;
        stack[sp++] = k;
        while (sp) {
            int q = stack[--sp], qr = q / ZG, qc = q % ZG;
            int nb[4] = {qc > 0 ? q - 1 : -1, qc < ZG - 1 ? q + 1 : -1, qr > 0 ? q - ZG : -1,
                         qr < ZG - 1 ? q + ZG : -1};
            for (int m = 0; m < 4; m++)
                if (nb[m] >= 0 && g->c[nb[m]] == 3) {
                    g->c[nb[m]] = lab;
                    stack[sp++] = nb[m];
                }
        }
    }
    return g;
}

int sw_zones_contains(const struct sw_zones *z, size_t i, double lat, double lon)
{
    const struct sw_geo_poly *p = &z->z[i].poly;
    const struct zgrid *g = z->grid[i];
    if (g && lon >= p->minlon && lon <= p->maxlon && lat >= p->minlat && lat <= p->maxlat) {
        uint8_t k = g->c[zcell(lat, g->y0, g->ch) * ZG + zcell(lon, g->x0, g->cw)];
        if (k) return k == 2;
    }
    return sw_geo_poly_contains(p, lat, lon);
}

int sw_zones_new(struct sw_zones **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return SW_ENOMEM;
    (*out)->z = calloc(MAX_ZONES, sizeof(struct sw_zone));
    (*out)->grid = calloc(MAX_ZONES, sizeof *(*out)->grid);
    if (!(*out)->z || !(*out)->grid) {
        free((*out)->z);
        free((*out)->grid);
        free(*out);
        *out = NULL;
        return SW_ENOMEM;
    }
    return SW_OK;
}

void sw_zones_free(struct sw_zones *z)
{
    if (!z) return;
    for (size_t i = 0; i < z->n; i++) {
        sw_geo_poly_release(&z->z[i].poly);
        free(z->grid[i]);
    }
    free(z->grid);
    free(z->z);
    free(z);
}

size_t sw_zones_count(const struct sw_zones *z)
{
    return z->n;
}

const struct sw_zone *sw_zones_get(const struct sw_zones *z, size_t i)
{
    return i < z->n ? &z->z[i] : NULL;
}

static void copy_str(char *dst, size_t n, json_t *v)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    size_t l = strlen(s);
    if (l >= n) l = n - 1;
    memcpy(dst, s, l);
    dst[l] = '\0';
}

static int add_feature(struct sw_zones *z, json_t *f, size_t first)
{
    json_t *type = json_object_get(f, "type");
    if (!json_is_string(type) || strcmp(json_string_value(type), "Feature")) return SW_EFORMAT;
    json_t *props = json_object_get(f, "properties");
    json_t *geom = json_object_get(f, "geometry");
    if (!json_is_object(geom)) return SW_EFORMAT;
    json_t *id = json_is_object(props) ? json_object_get(props, "id") : NULL;
    if (!json_is_string(id)) id = json_object_get(f, "id");
    if (!json_is_string(id) || !json_string_length(id) || json_string_length(id) >= 32)
        return SW_EFORMAT;
    for (size_t i = 0; i < z->n; i++)
        if (!strcmp(z->z[i].id, json_string_value(id))) return SW_EEXISTS;
    if (z->n >= MAX_ZONES) return SW_ETOOBIG;
    struct sw_zone *nz = &z->z[z->n];
    memset(nz, 0, sizeof *nz);
    int rc = sw_geo_poly_from_json(geom, MAX_POINTS - z->points, &nz->poly);
    if (rc) return rc;
    copy_str(nz->id, sizeof nz->id, id);
    copy_str(nz->name, sizeof nz->name,
             json_is_object(props) ? json_object_get(props, "name") : NULL);
    copy_str(nz->kind, sizeof nz->kind,
             json_is_object(props) ? json_object_get(props, "kind") : NULL);
    z->grid[z->n] = zgrid_build(&nz->poly); /* NULL (no memory): the plain test */
    z->points += nz->poly.npoints;
    z->n++;
    (void)first;
    return SW_OK;
}

int sw_zones_add_geojson(struct sw_zones *z, const char *json, size_t len)
{
    json_error_t err;
    size_t first = z->n, points0 = z->points;
    int rc = SW_EFORMAT;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(root)) goto fail;
    json_t *type = json_object_get(root, "type");
    if (!json_is_string(type)) goto fail;
    if (!strcmp(json_string_value(type), "FeatureCollection")) {
        json_t *fs = json_object_get(root, "features");
        if (!json_is_array(fs)) goto fail;
        rc = SW_OK;
        for (size_t i = 0; i < json_array_size(fs) && !rc; i++)
            rc = add_feature(z, json_array_get(fs, i), first);
    } else {
        rc = add_feature(z, root, first);
    }
    if (rc) goto fail;
    json_decref(root);
    return SW_OK;
fail:
    while (z->n > first) {
        sw_geo_poly_release(&z->z[--z->n].poly);
        free(z->grid[z->n]);
        z->grid[z->n] = NULL;
    }
    z->points = points0;
    json_decref(root);
    return rc;
}

int sw_geo_list_dir(const char *dir, const char *suffix, char **names, size_t max, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? SW_ENOTFOUND : SW_EIO;
    int rc = SW_OK;
    size_t sl = strlen(suffix);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l <= sl || strcmp(e->d_name + l - sl, suffix)) continue;
        if (*n >= max) {
            rc = SW_ETOOBIG;
            break;
        }
        names[*n] = strdup(e->d_name);
        if (!names[*n]) {
            rc = SW_ENOMEM;
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (rc) {
        while (*n)
            free(names[--*n]);
    }
    return rc;
}
