/*
 * Watched zones: GeoJSON features (Polygon or MultiPolygon, with an id, a name and a kind)
 * read from data/zones/ *.geojson. Membership is a bounding-box prefilter then the even-odd
 * point-in-polygon test of sw_geo_poly_contains(); there are few zones, so no index.
 */
#include "geo_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sanctwatch/error.h"

#define MAX_ZONES 256
#define MAX_POINTS 2000000

struct sw_zones {
    struct sw_zone *z;
    size_t n;
    size_t points;
};

int sw_zones_new(struct sw_zones **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return SW_ENOMEM;
    (*out)->z = calloc(MAX_ZONES, sizeof(struct sw_zone));
    if (!(*out)->z) {
        free(*out);
        *out = NULL;
        return SW_ENOMEM;
    }
    return SW_OK;
}

void sw_zones_free(struct sw_zones *z)
{
    if (!z) return;
    for (size_t i = 0; i < z->n; i++)
        sw_geo_poly_release(&z->z[i].poly);
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
    while (z->n > first)
        sw_geo_poly_release(&z->z[--z->n].poly);
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
