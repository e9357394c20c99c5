/*
 * Sea distance: the length of the shortest path by water between a point and a target (a
 * port), going around land, where the great-circle distance would cross it (from the Sea of
 * Japan to the Yellow Sea the great circle crosses the Korean peninsula; by sea a ship goes
 * round it through the Korea Strait).
 *
 * The water grid is built from the land mask (sanctwatch/geo.h) over a region: coarse cells
 * of 1/8 degree in open water and, in every coarse cell that a coastline edge meets, fine
 * cells of 1/96 degree (about 1.2 km north-south, 0.9 km east-west at 40N). A cell is water
 * when its centre is. For each target a distance field is computed once, by Dijkstra over
 * the cells (16 neighbours: the 8 around and the knight's moves, a move allowed only through
 * water cells), seeded with the water cells within the target's radius (or, for a port that
 * the 1:10m mask puts inland, such as Nampo up the Taedong, the nearest water cells). A query
 * follows the field from the point's cell to the target and straightens the path against the
 * coastline itself (a segment is kept when it crosses no coastline edge), so the length is
 * that of a path a ship could sail, not of a staircase of cells. docs/cases.md measures it
 * against published sea distances.
 *
 * Ownership: sw_searoute_new allocates, sw_searoute_free releases; the land mask is the
 * caller's and must outlive the router. A field is computed on the first query of its target
 * (or by sw_searoute_prepare): queries of a prepared target only read the router and may run
 * in several threads; the first query of a target must not run beside another call.
 */
#ifndef SANCTWATCH_SEAROUTE_H
#define SANCTWATCH_SEAROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "sanctwatch/geo.h"

/* The region the grid covers (must not cross the antimeridian), degrees. */
struct sw_searoute_region {
    double minlat, maxlat, minlon, maxlon;
};
/* 24-52N, 116-146E: the Bohai, Yellow, East China and Japan seas and the Pacific off Japan. */
void sw_searoute_region_default(struct sw_searoute_region *r);

struct sw_searoute;

/* Build the grid. region NULL: the default. Errors: SW_EINVAL (a region out of range or over
 * 60 x 60 degrees), SW_ENOMEM. */
int sw_searoute_new(struct sw_searoute **out, const struct sw_land *land,
                    const struct sw_searoute_region *region);
void sw_searoute_free(struct sw_searoute *r);

/* Add a target: a circle of radius_m around (lat, lon). *id numbers it (0, 1, ...). At most
 * 256 targets. Errors: SW_ERANGE (outside the region), SW_ENOTFOUND (no water within 30 km),
 * SW_ETOOBIG, SW_ENOMEM. */
int sw_searoute_add_target(struct sw_searoute *r, double lat, double lon, double radius_m,
                           size_t *id);
/* Compute the target's field now (else the first query does). SW_ENOMEM. */
int sw_searoute_prepare(struct sw_searoute *r, size_t target);

/* Sea distance in metres from (lat, lon) to the target's reference point. SW_ERANGE when the
 * point is outside the region (the caller falls back on the great circle, a lower bound),
 * SW_ENOTFOUND when no water cell lies within 5 km of the point or the target cannot be
 * reached from it (an enclosed lake), SW_EINVAL for a bad target, SW_ENOMEM. */
int sw_searoute_dist(struct sw_searoute *r, size_t target, double lat, double lon, double *dist_m);
/* The same, with the straightened path from the point to the target: at most max points
 * (lon, lat pairs into xy[2*max]), the first the point and the last the target; *n the number
 * written (a longer path is thinned to max points, keeping its ends). */
int sw_searoute_path(struct sw_searoute *r, size_t target, double lat, double lon, double *dist_m,
                     double *xy, size_t max, size_t *n);

/* Figures of the grid, for docs and benchmarks. */
struct sw_searoute_stats {
    size_t coarse_nodes, fine_nodes, mixed_cells, targets, fields;
    double build_s; /* CPU seconds to build the grid */
};
void sw_searoute_stats(const struct sw_searoute *r, struct sw_searoute_stats *st);

#endif
