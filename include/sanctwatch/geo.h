/*
 * Geographic knowledge for the detectors and the simulator: great-circle distances, polygon
 * membership, the land mask (is a fix on land, how far is the shore), ports and anchorages,
 * and the watched zones (DPRK waters, transfer areas, the Rajin-Vostochny corridor).
 *
 * Everything is loaded once from the data directory into a struct sw_geo the caller owns; the
 * queries only read it, so one sw_geo may be shared by threads. No global state: the module
 * keeps nothing between calls (an error's file name goes to a buffer of the caller's).
 *
 * Data directory: the path given to sw_geo_open(), else the one sw_datadir() finds
 * (sanctwatch/datadir.h: $SW_DATADIR, $SANCTWATCH_DATA, beside the program, the compiled-in
 * PREFIX/share/sanctwatch, ./data).
 * Files: land/ne_10m_land.txt.gz, ports.csv, zones/ *.geojson. See docs/geo.md.
 *
 * Coordinates are WGS84 degrees, lat in [-90, 90], lon in [-180, 180]; distances in metres.
 */
#ifndef SANCTWATCH_GEO_H
#define SANCTWATCH_GEO_H

#include <stddef.h>

/* Mean Earth radius (IUGG), metres. */
#define SW_GEO_EARTH_R_M 6371008.8
#define SW_GEO_NM_M 1852.0

/* Great-circle distance by the haversine formula, metres. */
double sw_geo_dist_m(double lat1, double lon1, double lat2, double lon2);
/* Initial bearing from point 1 to point 2, degrees clockwise from north in [0, 360). */
double sw_geo_bearing_deg(double lat1, double lon1, double lat2, double lon2);
/* The point dist_m from (lat, lon) along the great circle with initial bearing brg_deg. */
void sw_geo_dest(double lat, double lon, double brg_deg, double dist_m, double *lat_out,
                 double *lon_out);
/* Longitude normalised into [-180, 180). */
double sw_geo_wrap_lon(double lon);

/* ---- polygons ------------------------------------------------------------------------- */

/* A set of rings (outer boundaries and holes) read with the even-odd rule: a point is inside
 * when a ray from it crosses the rings an odd number of times. This is right for polygons with
 * holes and for multipolygons whose parts do not overlap (GeoJSON's rules). Points exactly on
 * an edge may go either way. Coordinates are lon/lat pairs, edges are straight in lon/lat. */
struct sw_geo_poly {
    double *xy;       /* lon0, lat0, lon1, lat1, ... for all rings */
    size_t *ring_end; /* ring r spans points [ring_end[r-1], ring_end[r]) */
    size_t nrings;
    size_t npoints;
    double minlon, minlat, maxlon, maxlat; /* bounding box: the prefilter */
};

/* 1 inside, 0 outside (bounding box checked first). */
int sw_geo_poly_contains(const struct sw_geo_poly *p, double lat, double lon);
/* Area in square kilometres (spherical excess approximation per ring, holes subtracted by
 * the ring orientation GeoJSON prescribes: for tests and reports). */
double sw_geo_poly_area_km2(const struct sw_geo_poly *p);
void sw_geo_poly_release(struct sw_geo_poly *p);

/* Parse one GeoJSON Polygon or MultiPolygon geometry object given as text into *out (which
 * the caller releases with sw_geo_poly_release). At most max_points points (0: 2,000,000).
 * Errors: SW_EFORMAT (not a (multi)polygon, bad coordinates), SW_ETOOBIG, SW_ENOMEM. */
int sw_geo_poly_parse(const char *json, size_t len, size_t max_points, struct sw_geo_poly *out);

/* ---- land mask ------------------------------------------------------------------------ */

struct sw_land;

/* Load a land mask file (format in docs/geo.md; gzip or plain). Caller frees with
 * sw_land_free(). Errors: SW_EIO (errno kept), SW_EFORMAT, SW_ETOOBIG, SW_ENOMEM. */
int sw_land_load(struct sw_land **out, const char *path);
/* Build a land mask from rings in memory (lon/lat pairs as in struct sw_geo_poly): for tests.
 * Ring ends as in sw_geo_poly. */
int sw_land_from_poly(struct sw_land **out, const struct sw_geo_poly *p);
void sw_land_free(struct sw_land *l);
/* 1 when the point is on land (inside the land polygons), 0 at sea. Cost: one grid cell's
 * edges (0.25 degree cells). */
int sw_land_is_land(const struct sw_land *l, double lat, double lon);
/* Distance from the point to the nearest coastline edge, metres (also for points on land).
 * Shores farther than SW_GEO_FAR_M give SW_GEO_FAR_M. Cost: the edges of the cells out to the
 * nearest coast, bounded by SW_GEO_FAR_M. */
#define SW_GEO_FAR_M 1000000.0
double sw_land_dist_to_shore_m(const struct sw_land *l, double lat, double lon);
/* Same, but the search stops at cap_m (returned when the shore is at least that far): the
 * cheap form of "is the point at least cap_m from shore?" that detectors ask per fix. */
double sw_land_dist_to_shore_capped_m(const struct sw_land *l, double lat, double lon,
                                      double cap_m);
size_t sw_land_edges(const struct sw_land *l);
/* Read the land-mask file's rings in file order: cb gets each ring's lon/lat pairs (valid
 * during the call) and returns SW_OK to go on, or an error that stops the reading and is
 * returned. Errors also: SW_EIO (errno kept), SW_EFORMAT, SW_ENOMEM. */
typedef int (*sw_land_ring_fn)(void *ctx, const double *xy, size_t n);
int sw_land_read_rings(const char *path, sw_land_ring_fn cb, void *ctx);

/* ---- ports ---------------------------------------------------------------------------- */

enum sw_port_kind { SW_PORT_PORT = 0, SW_PORT_ANCHORAGE, SW_PORT_TERMINAL };

struct sw_port {
    char name[64];
    char country[3]; /* ISO 3166-1 alpha-2 */
    double lat, lon;
    double radius_m; /* the port area: a circle of this radius around (lat, lon) */
    double wait_m;   /* the waiting area around it (anchorages, approaches): >= radius_m */
    int kind;        /* enum sw_port_kind */
    char source[32];
};

/* ---- zones ---------------------------------------------------------------------------- */

struct sw_zone {
    char id[32]; /* "kp-ts", "kp-eez-east", ... */
    char name[96];
    char kind[24]; /* territorial_sea, eez, transfer_area, corridor, ... */
    struct sw_geo_poly poly;
};

struct sw_zones;

int sw_zones_new(struct sw_zones **out);
void sw_zones_free(struct sw_zones *z);
/* Add every Polygon/MultiPolygon feature of a GeoJSON FeatureCollection or Feature (text).
 * Each feature needs properties.id (or a top-level "id"); name and kind are optional. At most
 * 256 zones and 2,000,000 points in all. On error nothing of this text is added.
 * Errors: SW_EFORMAT, SW_ETOOBIG, SW_EEXISTS (duplicate id), SW_ENOMEM. */
int sw_zones_add_geojson(struct sw_zones *z, const char *json, size_t len);
size_t sw_zones_count(const struct sw_zones *z);
const struct sw_zone *sw_zones_get(const struct sw_zones *z, size_t i);

/* ---- everything together ---------------------------------------------------------------- */

struct sw_geo;

/* Size of the buffer sw_geo_open names a file in (PATH_MAX on Linux). */
#define SW_GEO_PATHMAX 4096

/* Load land mask, ports and zones from datadir (NULL: search as described above). Caller
 * frees with sw_geo_free(). Errors: SW_ENOTFOUND (no data directory), SW_EIO, SW_EFORMAT,
 * SW_ETOOBIG, SW_ENOMEM. errpath is NULL or the caller's buffer of SW_GEO_PATHMAX bytes: on
 * error it names the offending file ("data" when no data directory was found, "" when no
 * file is to blame), on success it is "". */
int sw_geo_open(struct sw_geo **out, const char *datadir, char *errpath);
void sw_geo_free(struct sw_geo *g);
/* The data directory g was loaded from; valid while g lives. */
const char *sw_geo_dir(const struct sw_geo *g);

int sw_geo_is_land(const struct sw_geo *g, double lat, double lon);
double sw_geo_dist_to_shore_m(const struct sw_geo *g, double lat, double lon);
double sw_geo_dist_to_shore_capped_m(const struct sw_geo *g, double lat, double lon, double cap_m);
const struct sw_land *sw_geo_land(const struct sw_geo *g);

/* Load ports.csv (columns name,country,lat,lon,radius_km,kind,source) into g, replacing the
 * ports it has. Errors: SW_EIO, SW_EFORMAT (with the line in *errline), SW_ETOOBIG. */
int sw_ports_load(struct sw_geo *g, const char *path, size_t *errline);
/* Read a file of the same columns into a new array (*out, n entries, in file order; the
 * caller frees it), as sw_ports_load does: for other lists of ports (the cases' sensitive
 * ports). Errors as sw_ports_load's, and SW_ENOMEM. */
int sw_ports_read(const char *path, struct sw_port **out, size_t *n, size_t *errline);
size_t sw_ports_count(const struct sw_geo *g);
const struct sw_port *sw_ports_get(const struct sw_geo *g, size_t i);
/* Nearest port within max_m metres of the point (distance to the port's reference point).
 * Returns SW_OK with *port (valid while g lives) and *dist_m, or SW_ENOTFOUND. */
int sw_ports_nearest(const struct sw_geo *g, double lat, double lon, double max_m,
                     const struct sw_port **port, double *dist_m);
/* The port whose area (circle of radius_m) contains the point, the nearest such if several.
 * SW_OK or SW_ENOTFOUND. */
int sw_ports_area(const struct sw_geo *g, double lat, double lon, const struct sw_port **port);

/* Ids of the zones containing the point: up to max pointers into *out (valid while g lives),
 * the total number found in *n (may exceed max). Always SW_OK. */
int sw_zones_lookup(const struct sw_geo *g, double lat, double lon, const struct sw_zone **out,
                    size_t max, size_t *n);
const struct sw_zones *sw_geo_zones(const struct sw_geo *g);

#endif
