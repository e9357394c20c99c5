/*
 * zone_entry: entering a watched zone (data/zones: DPRK territorial sea and claimed EEZ,
 * transfer areas, the Rajin-Vostochny corridor) after having been seen outside; leaving and
 * coming back within reentry_h is the same visit. Membership is looked up only near a zone
 * (a per-vessel bound of the distance to every zone's bounding box) and then again after
 * ZONE_STEP_M of movement. Visits in progress live in the zone pool. docs/detection.md,
 * zone_entry.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"

#include <string.h>

#define ZONE_STEP_M 100.0 /* zone membership is evaluated every this much movement */

/* Distance from the point to the nearest zone bounding box (0 when inside one), metres,
 * at most 200 km: a lower bound of the distance to every zone. */
static double zone_free_m(const struct sw_zones *all, double lat, double lon)
{
    double best = 200000;
    for (size_t z = 0; z < sw_zones_count(all); z++) {
        const struct sw_geo_poly *p = &sw_zones_get(all, z)->poly;
        double cla = lat < p->minlat ? p->minlat : lat > p->maxlat ? p->maxlat : lat;
        double clo = lon < p->minlon ? p->minlon : lon > p->maxlon ? p->maxlon : lon;
        double e = det_approx_m(lat, lon, cla, clo);
        if (e < best) best = e;
    }
    return best;
}

int det_zone_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f)
{
    struct dvessel *dv = x->dv;
    const struct sw_zone *zs[8];
    size_t n = 0;
    const struct sw_zones *all = sw_geo_zones(d->g);
    if (!all || !sw_zones_count(all)) return SW_OK;
    /* far from every zone and no episode open: nothing to do until it has moved closer;
     * near or inside a zone, membership is evaluated again after ZONE_STEP_M of movement */
    double ub = det_approx_ub_m(dv->zone_lat, dv->zone_lon, f->lat, f->lon);
    if (!dv->zep_active && dv->zone_free_m > 0 && ub < dv->zone_free_m * 0.9) return SW_OK;
    if (dv->zone_free_m == 0 && ub < ZONE_STEP_M) return SW_OK; /* as below, without cos */
    double moved = det_approx_m(dv->zone_lat, dv->zone_lon, f->lat, f->lon);
    if (!dv->zep_active && dv->zone_free_m > 0 && moved < dv->zone_free_m * 0.9) return SW_OK;
    if (dv->zone_free_m == 0 && moved < ZONE_STEP_M) return SW_OK;
    dv->zone_lat = f->lat;
    dv->zone_lon = f->lon;
    dv->zone_free_m = zone_free_m(all, f->lat, f->lon);
    if (dv->zone_free_m <= 0) sw_zones_lookup(d->g, f->lat, f->lon, zs, 8, &n);
    if (n > 8) n = 8;
    int in[8];
    for (size_t i = 0; i < n; i++) {
        in[i] = -1;
        for (size_t z = 0; z < sw_zones_count(all); z++)
            if (sw_zones_get(all, z) == zs[i]) in[i] = (int)z;
    }
    if (!dv->ep_zone) {
        if (n == 0) return SW_OK; /* in no zone, no visit open */
        int rc = det_pool_get(&d->pzone, &dv->ep_zone);
        if (rc != SW_OK) return rc;
        for (int e = 0; e < DET_ZONE_EPS; e++)
            ZEP(d, dv)[e].zone = -1;
    }
    struct zone_ep *zep = ZEP(d, dv);
    /* episodes of zones not containing this fix: leaving (after min_fixes fixes outside),
     * and forgetting a visit once the re-entry window has passed */
    for (int e = 0; e < DET_ZONE_EPS; e++) {
        struct zone_ep *ze = &zep[e];
        if (ze->zone < 0) continue;
        int inside = 0;
        for (size_t i = 0; i < n; i++)
            inside |= in[i] == ze->zone;
        if (inside) continue;
        if (ze->inside) {
            if (!ze->out_since) ze->out_since = f->t;
            if (++ze->n_out >= d->p.zone_min_fixes || !ze->reported || ze->suppressed)
                ze->inside = 0;
        }
        if (!ze->inside && (!ze->reported || ze->suppressed ||
                            f->t - ze->out_since >= d->p.zone_reentry_h * HOUR_MS))
            ze->zone = -1;
    }
    int rc = SW_OK;
    for (size_t i = 0; i < n && rc == SW_OK; i++) {
        struct zone_ep *ze = NULL, *fr = NULL;
        for (int e = 0; e < DET_ZONE_EPS; e++) {
            if (zep[e].zone == in[i])
                ze = &zep[e];
            else if (zep[e].zone < 0 && !fr)
                fr = &zep[e];
        }
        if (!ze) {
            if (!fr) continue;
            ze = fr;
            memset(ze, 0, sizeof *ze);
            ze->zone = (int16_t)in[i];
            ze->first = *f;
            /* first heard inside: it was not seen entering */
            ze->suppressed = ze->reported = !x->has_prev;
        }
        ze->inside = 1;
        ze->n_out = 0;
        ze->out_since = 0;
        if (ze->n_in < 255) ze->n_in++;
        if (ze->reported || ze->n_in < d->p.zone_min_fixes) continue;
        ze->reported = 1;
        const struct sw_zone *z = sw_zones_get(all, (size_t)ze->zone);
        json_t *ev = det_event_new(SW_DT_ZONE_ENTRY, ze->first.t, f->t, 0, ze->first.lat,
                                   ze->first.lon, 0.9);
        if (!ev) return SW_ENOMEM;
        det_event_vessel(d, ev, dv->mmsi);
        json_t *dt = det_details(ev, "zone_entry");
        json_object_set_new(dt, "zone", json_string(z->id));
        json_object_set_new(dt, "zone_name", json_string(z->name));
        json_object_set_new(dt, "zone_kind", json_string(z->kind));
        det_num(dt, "fixes_inside", ze->n_in);
        det_num(dt, "min_fixes", d->p.zone_min_fixes);
        det_num(dt, "reentry_h", d->p.zone_reentry_h);
        det_event_fix(ev, &ze->first, "first_inside");
        det_event_fix(ev, f, "confirming");
        rc = det_event_finish(d, ev, SW_DT_ZONE_ENTRY);
    }
    dv->zep_active = 0;
    for (int e = 0; e < DET_ZONE_EPS; e++)
        dv->zep_active += zep[e].zone >= 0;
    if (!dv->zep_active) det_pool_put(&d->pzone, &dv->ep_zone);
    return rc;
}
