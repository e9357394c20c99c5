/*
 * Internals of the geo module shared by its files (not public API): the sw_geo bundle and a
 * few helpers for reading data files.
 */
#ifndef SANCTWATCH_GEO_INT_H
#define SANCTWATCH_GEO_INT_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

#include "sanctwatch/geo.h"

struct sw_geo {
    char dir[PATH_MAX];
    struct sw_land *land;
    struct sw_zones *zones;
    struct sw_port *ports; /* sorted by latitude (for the band search) */
    size_t nports;
};

/* Is (lat, lon) in zone i of z: sw_geo_poly_contains()'s answer, through the zone's grid. */
int sw_zones_contains(const struct sw_zones *z, size_t i, double lat, double lon);
/* Polygon/MultiPolygon geometry object -> *out (released on error). */
int sw_geo_poly_from_json(json_t *geom, size_t max_points, struct sw_geo_poly *out);
/* Names (malloc'd) of the regular files in dir ending in suffix, at most max of them.
 * SW_ENOTFOUND when dir does not exist; SW_ETOOBIG when there are more. */
int sw_geo_list_dir(const char *dir, const char *suffix, char **names, size_t max, size_t *n);

#endif
