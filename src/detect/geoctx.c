/*
 * Geographic context of the detectors, with per-vessel caches so that a fix far from
 * everything costs no geometry: port areas (a 1-degree grid of the ports whose area reaches
 * into each cell, and the distance to the nearest port area edge kept per vessel), the
 * distance to shore, and cheap distance bounds that decide most tests without a cosine.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Equirectangular distance, metres: cheap, within 1% of the great circle under 500 km away
 * from the poles (used only for bounds with a margin). */
double det_approx_m(double lat1, double lon1, double lat2, double lon2)
{
    double x = (lon2 - lon1) * cos((lat1 + lat2) * (M_PI / 360));
    double y = lat2 - lat1;
    if (x > 180)
        x -= 360;
    else if (x < -180)
        x += 360;
    return sqrt(x * x + y * y) * 111195.0;
}

/* An upper bound of det_approx_m without the cosine (|cos| <= 1 and every floating-point
 * step is monotonic, so the result is never below det_approx_m's): when the bound is under
 * a limit, so is det_approx_m, and the cosine is not needed to decide. INFINITY across the
 * antimeridian. */
double det_approx_ub_m(double lat1, double lon1, double lat2, double lon2)
{
    double x = lon2 - lon1, y = lat2 - lat1;
    if (x > 180 || x < -180) return INFINITY;
    return sqrt(x * x + y * y) * 111195.0;
}

#define PORT_MARGIN_M 60000.0
#define PG_CELLS (180 * 360)

static size_t pg_cell(double lat, double lon)
{
    int li = (int)floor(lat + 90), lo = (int)floor(sw_geo_wrap_lon(lon) + 180);
    li = li < 0 ? 0 : li > 179 ? 179 : li;
    lo = lo < 0 ? 0 : lo > 359 ? 359 : lo;
    return (size_t)li * 360 + (size_t)lo;
}

/* Two passes over the ports: count per cell, then fill. */
int det_port_grid_build(struct sw_detect *d)
{
    size_t n = sw_ports_count(d->g), total = 0;
    d->pg_start = calloc(PG_CELLS + 1, sizeof *d->pg_start);
    if (!d->pg_start) return SW_ENOMEM;
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *fill = NULL;
        if (pass) {
            for (size_t c = 0; c < PG_CELLS; c++) { /* counts -> offsets */
                uint32_t k = d->pg_start[c];
                d->pg_start[c] = (uint32_t)total;
                total += k;
            }
            d->pg_start[PG_CELLS] = (uint32_t)total;
            d->pg_list = malloc(total * sizeof *d->pg_list + 1);
            fill = calloc(PG_CELLS, sizeof *fill);
            if (!d->pg_list || !fill) {
                free(fill);
                return SW_ENOMEM;
            }
        }
        for (size_t i = 0; i < n; i++) {
            const struct sw_port *q = sw_ports_get(d->g, i);
            double span = (q->wait_m + PORT_MARGIN_M) / 111195.0;
            double c = cos((fabs(q->lat) + span > 89 ? 89 : fabs(q->lat) + span) * M_PI / 180);
            double lspan = span / c > 180 ? 180 : span / c;
            for (double la = floor(q->lat - span); la <= q->lat + span; la += 1)
                for (double lo = floor(q->lon - lspan); lo <= q->lon + lspan; lo += 1) {
                    if (la < -90 || la > 89) continue;
                    size_t cell = pg_cell(la + 0.5, lo + 0.5);
                    if (pass)
                        d->pg_list[d->pg_start[cell] + fill[cell]++] = (uint32_t)i;
                    else
                        d->pg_start[cell]++;
                }
        }
        if (pass) free(fill);
    }
    return SW_OK;
}

/* Port area lookup (the nearest port whose area holds the point, as sw_ports_area) and
 * whether the point is in any port's waiting area (anchorages and approaches, which hold the
 * port areas), over the ports of the fix's grid cell, with a per-vessel bound: after a lookup
 * finds no waiting area, the distance to the nearest waiting area's edge (at most
 * PORT_MARGIN_M) is kept, and fixes closer than that to the lookup point (with a 10% margin)
 * skip the lookup. */
static int in_port_cached(struct sw_detect *d, struct dvessel *dv, double lat, double lon,
                          const struct sw_port **port, int *waiting)
{
    *port = NULL;
    *waiting = 0;
    if (dv && dv->port_free_m > 0 &&
        (det_approx_ub_m(dv->port_lat, dv->port_lon, lat, lon) < dv->port_free_m * 0.9 ||
         det_approx_m(dv->port_lat, dv->port_lon, lat, lon) < dv->port_free_m * 0.9))
        return 0;
    size_t cell = pg_cell(lat, lon);
    double free_m = PORT_MARGIN_M, bd = 0;
    const struct sw_port *best = NULL;
    for (uint32_t k = d->pg_start[cell]; k < d->pg_start[cell + 1]; k++) {
        const struct sw_port *q = sw_ports_get(d->g, d->pg_list[k]);
        double a = det_approx_m(lat, lon, q->lat, q->lon);
        double e = a * 0.99 - q->wait_m;
        if (e < free_m) free_m = e;
        if (a <= q->wait_m * 1.02 + 200) {
            double x = sw_geo_dist_m(lat, lon, q->lat, q->lon);
            if (x <= q->wait_m) *waiting = 1;
            if (x <= q->radius_m && (!best || x < bd)) {
                best = q;
                bd = x;
            }
        }
    }
    *port = best;
    if (dv) {
        dv->port_lat = (float)lat;
        dv->port_lon = (float)lon;
        dv->port_free_m = *waiting ? -1.0f : (float)free_m;
    }
    return best != NULL;
}

int det_in_port_v(struct sw_detect *d, struct dvessel *dv, double lat, double lon,
                  const struct sw_port **port, int *waiting)
{
    return in_port_cached(d, dv, lat, lon, port, waiting);
}

double det_shore_m(struct sw_detect *d, struct dvessel *dv, double lat, double lon)
{
    /* |dlon| * cos(lat) <= |dlon| (0 <= cos <= 1, rounding is monotonic): the cosine is
     * needed only when |dlon| alone does not decide */
    double dlon = fabs(lon - dv->shore_lon);
    if (dv->shore_m >= 0 && fabs(lat - dv->shore_lat) < 0.018 &&
        (dlon < 0.018 || dlon * cos(lat * M_PI / 180) < 0.018))
        return dv->shore_m;
    dv->shore_lat = lat;
    dv->shore_lon = lon;
    dv->shore_m =
        sw_geo_dist_to_shore_capped_m(d->g, lat, lon, d->p.loi_min_shore_nm * SW_GEO_NM_M + 4000);
    return dv->shore_m;
}

double det_kn_between(const struct dfix *a, const struct dfix *b, double *km)
{
    *km = sw_geo_dist_m(a->lat, a->lon, b->lat, b->lon) / 1000;
    double dt_s = fabs((double)(b->t - a->t)) / 1000;
    if (dt_s < 1) dt_s = 1;
    return *km / 1.852 / (dt_s / 3600);
}
