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

/* ---- the land mask, for the sea router (land.c) */
#include <stdint.h>
/* Land states of n points along the parallel lat: out[i] = sw_land_is_land(lat, lon0 + i dlon)
 * (dlon > 0), from one is_land and the crossings of the parallel, sorted in scratch (at most
 * scratch_max of them: SW_ETOOBIG beyond). The region must not cross the antimeridian. */
int sw_land_row_states(const struct sw_land *l, double lat, double lon0, double dlon, size_t n,
                       uint8_t *out, double *scratch, size_t scratch_max);
/* 1 when a coastline edge meets the box. */
int sw_land_box_has_edge(const struct sw_land *l, double minlat, double minlon, double maxlat,
                         double maxlon);
/* 1 when the straight segment (in lon/lat) crosses no coastline edge. */
int sw_land_segment_clear(const struct sw_land *l, double lat1, double lon1, double lat2,
                          double lon2);

#endif
