/*
 * zone_entry over the watched zones (data/zones). What an incident is depends on the zone:
 *   entry       entering the DPRK territorial sea (or a zone of a kind not listed below), or a
 *               DPRK port's area (portcall.c), after having been seen outside;
 *   slow        slower than slow_kn for slow_min inside a transfer area or the
 *               Rajin-Vostochny corridor, once per visit;
 *   transits    passing through the claimed EEZ, a transfer area or the corridor is no
 *               incident: each vessel's day of entries into such a zone is one summary
 *               record (entries, hours inside that day), written when the day is over
 *               (ongoing until then).
 * Leaving and coming back within reentry_h is the same visit. Membership is looked up only
 * near a zone (a per-vessel bound of the distance to every zone's bounding box) and then again
 * after ZONE_STEP_M of movement; the slow test and the time inside go on at every fix of a
 * visit. Visits and summaries live in the zone pool. docs/detection.md, zone_entry.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <string.h>

#define ZONE_STEP_M 100.0 /* zone membership is evaluated every this much movement */
#define DAY_MS (24 * HOUR_MS)
#define INSIDE_GAP_MS HOUR_MS /* fixes inside further apart do not add time inside */

enum { Z_ENTRY, Z_TRANSIT, Z_SLOW_TRANSIT };

/* What entering a zone of this kind is. */
static int zone_class(const struct sw_zone *z)
{
    if (!strcmp(z->kind, "eez")) return Z_TRANSIT;
    if (!strcmp(z->kind, "transfer_area") || !strcmp(z->kind, "corridor")) return Z_SLOW_TRANSIT;
    return Z_ENTRY;
}

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

static json_t *zone_event(struct sw_detect *d, struct dvessel *dv, const char *kind, int64_t start,
                          int64_t end, int ongoing, const struct dfix *at, double conf,
                          const char *id, const char *name, const char *zkind)
{
    json_t *ev = det_event_new(SW_DT_ZONE_ENTRY, start, end, ongoing, at->lat, at->lon, conf);
    if (!ev) return NULL;
    det_event_vessel(d, ev, dv->mmsi);
    json_t *dt = det_details(ev, "zone_entry");
    json_object_set_new(dt, "kind", json_string(kind));
    json_object_set_new(dt, "zone", json_string(id));
    json_object_set_new(dt, "zone_name", json_string(name));
    json_object_set_new(dt, "zone_kind", json_string(zkind));
    return ev;
}

static int entry_event(struct sw_detect *d, struct dvessel *dv, const struct zone_ep *ze,
                       const struct sw_zone *z, const struct dfix *f)
{
    json_t *ev =
        zone_event(d, dv, "entry", ze->first.t, f->t, 0, &ze->first, 0.9, z->id, z->name, z->kind);
    if (!ev) return SW_ENOMEM;
    json_t *dt = json_object_get(ev, "details");
    det_num(dt, "fixes_inside", ze->n_in);
    det_num(dt, "min_fixes", d->p.zone_min_fixes);
    det_num(dt, "reentry_h", d->p.zone_reentry_h);
    det_event_fix(ev, &ze->first, "first_inside");
    det_event_fix(ev, f, "confirming");
    return det_event_finish(d, ev, SW_DT_ZONE_ENTRY);
}

int det_zone_port_entry(struct sw_detect *d, struct dvessel *dv, const struct sw_port *pt,
                        const struct dfix *f)
{
    char id[80];
    if (!det_enabled(d, SW_DT_ZONE_ENTRY)) return SW_OK;
    snprintf(id, sizeof id, "port:%.70s", pt->name);
    json_t *ev = zone_event(d, dv, "entry", f->t, f->t, 0, f, 0.9, id, pt->name, "port");
    if (!ev) return SW_ENOMEM;
    json_object_set_new(json_object_get(ev, "details"), "country", json_string(pt->country));
    det_event_fix(ev, f, "first_inside");
    return det_event_finish(d, ev, SW_DT_ZONE_ENTRY);
}

/* ---- a day's summary of a zone passed through */

static struct zone_sum *day_sum(struct ep_zone *E, int zone, const struct dfix *f)
{
    int32_t day = (int32_t)(f->t / DAY_MS);
    struct zone_sum *fr = NULL;
    for (int i = 0; i < DET_ZONE_EPS; i++) {
        if (E->sum[i].zone == zone && E->sum[i].day == day) return &E->sum[i];
        if (E->sum[i].zone < 0 && !fr) fr = &E->sum[i];
    }
    if (!fr) return NULL; /* more zones in a day than tracked: not summarised */
    memset(fr, 0, sizeof *fr);
    fr->zone = (int16_t)zone;
    fr->day = day;
    fr->first = fr->last = *f;
    return fr;
}

static int sum_event(struct sw_detect *d, struct dvessel *dv, const struct zone_sum *s, int ongoing)
{
    const struct sw_zone *z = sw_zones_get(sw_geo_zones(d->g), (size_t)s->zone);
    /* a day without an entry (inside since an earlier day, or since first heard) adds
     * nothing an analyst needs apart */
    if (!det_enabled(d, SW_DT_ZONE_ENTRY) || !s->entries) return SW_OK;
    json_t *ev = zone_event(d, dv, "transits", s->first.t, s->last.t, ongoing, &s->first, 0.9,
                            z->id, z->name, z->kind);
    if (!ev) return SW_ENOMEM;
    json_t *dt = json_object_get(ev, "details");
    det_num(dt, "entries", s->entries);
    det_num(dt, "hours_inside", (double)s->inside_ms / HOUR_MS);
    det_event_fix(ev, &s->first, "first_inside");
    det_event_fix(ev, &s->last, "last_inside");
    return det_event_finish(d, ev, SW_DT_ZONE_ENTRY);
}

/* Summaries of days before `day` written and dropped. */
static int sums_flush(struct sw_detect *d, struct dvessel *dv, struct ep_zone *E, int64_t day)
{
    int rc = SW_OK;
    for (int i = 0; i < DET_ZONE_EPS && rc == SW_OK; i++) {
        if (E->sum[i].zone < 0 || E->sum[i].day >= day) continue;
        rc = sum_event(d, dv, &E->sum[i], 0);
        E->sum[i].zone = -1;
    }
    return rc;
}

/* ---- visits */

/* Membership of the zones at f: the visits of zones not containing it leave (after min_fixes
 * fixes outside) and are forgotten once the re-entry window has passed; zones containing it
 * are entered (an entry incident, or an entry counted in the day's summary). */
static int visits(struct sw_detect *d, const struct det_rec *x, struct ep_zone *E, const int *in,
                  size_t n, const struct dfix *f)
{
    const struct sw_zones *all = sw_geo_zones(d->g);
    struct zone_ep *zep = E->zep;
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
        if (!ze->inside) ze->last_in = f->t; /* (again) inside from here */
        ze->inside = 1;
        ze->n_out = 0;
        ze->out_since = 0;
        if (ze->n_in < 255) ze->n_in++;
        if (ze->reported || ze->n_in < d->p.zone_min_fixes) continue;
        ze->reported = 1;
        const struct sw_zone *z = sw_zones_get(all, (size_t)ze->zone);
        if (zone_class(z) == Z_ENTRY) {
            /* leaving a DPRK port into its waters is not entering them */
            int64_t left = det_ident(d, x->slot)->left_kp_port;
            int from_port = left && ze->first.t - left <= d->p.zone_reentry_h * HOUR_MS;
            if (!from_port && det_enabled(d, SW_DT_ZONE_ENTRY))
                rc = entry_event(d, x->dv, ze, z, f);
        } else {
            struct zone_sum *s = day_sum(E, ze->zone, &ze->first);
            if (s && s->entries < UINT16_MAX) s->entries++;
        }
    }
    return rc;
}

/* At every fix of a visit: the time inside goes into the day's summary, and slowing down in a
 * transfer area or the corridor is an incident once per visit. */
static int inside_fix(struct sw_detect *d, struct dvessel *dv, struct ep_zone *E,
                      const struct dfix *f, float sog, int in_port)
{
    const struct sw_zones *all = sw_geo_zones(d->g);
    for (int e = 0; e < DET_ZONE_EPS; e++) {
        struct zone_ep *ze = &E->zep[e];
        if (ze->zone < 0 || !ze->inside) continue;
        const struct sw_zone *z = sw_zones_get(all, (size_t)ze->zone);
        int cls = zone_class(z);
        if (cls == Z_ENTRY) continue;
        struct zone_sum *s = day_sum(E, ze->zone, f);
        if (s) {
            if (f->t > ze->last_in && f->t - ze->last_in <= INSIDE_GAP_MS)
                s->inside_ms += f->t - ze->last_in;
            s->last = *f;
        }
        ze->last_in = f->t;
        if (cls != Z_SLOW_TRANSIT || ze->slow_reported) continue;
        if (isnan(sog) || sog >= d->p.zone_slow_kn || in_port) { /* ports wait, not meet */
            ze->slow_since = 0;
            continue;
        }
        if (!ze->slow_since) {
            ze->slow_since = f->t;
            ze->slow_first = *f;
        }
        if (f->t - ze->slow_since < d->p.zone_slow_min * MIN_MS) continue;
        ze->slow_reported = 1;
        if (!det_enabled(d, SW_DT_ZONE_ENTRY)) continue;
        json_t *ev = zone_event(d, dv, "slow", ze->slow_since, f->t, 0, &ze->slow_first, 0.85,
                                z->id, z->name, z->kind);
        if (!ev) return SW_ENOMEM;
        json_t *dt = json_object_get(ev, "details");
        det_num(dt, "slow_kn", d->p.zone_slow_kn);
        det_num(dt, "slow_min", d->p.zone_slow_min);
        det_num(dt, "sog_kn", sog);
        det_event_fix(ev, &ze->slow_first, "first_slow");
        det_event_fix(ev, f, "confirming");
        int rc = det_event_finish(d, ev, SW_DT_ZONE_ENTRY);
        if (rc != SW_OK) return rc;
    }
    return SW_OK;
}

/* The zones that hold f, when it is time to look (index in the zone table into in, n of them);
 * 0 when membership stays as it was. */
static int look(struct sw_detect *d, struct dvessel *dv, const struct dfix *f, int *in, size_t *n)
{
    const struct sw_zones *all = sw_geo_zones(d->g);
    const struct sw_zone *zs[8];
    /* far from every zone and no episode open: nothing to do until it has moved closer;
     * near or inside a zone, membership is evaluated again after ZONE_STEP_M of movement */
    double ub = det_approx_ub_m(dv->zone_lat, dv->zone_lon, f->lat, f->lon);
    if (!dv->zep_active && dv->zone_free_m > 0 && ub < dv->zone_free_m * 0.9) return 0;
    if (dv->zone_free_m == 0 && ub < ZONE_STEP_M) return 0; /* as below, without cos */
    double moved = det_approx_m(dv->zone_lat, dv->zone_lon, f->lat, f->lon);
    if (!dv->zep_active && dv->zone_free_m > 0 && moved < dv->zone_free_m * 0.9) return 0;
    if (dv->zone_free_m == 0 && moved < ZONE_STEP_M) return 0;
    dv->zone_lat = f->lat;
    dv->zone_lon = f->lon;
    dv->zone_free_m = zone_free_m(all, f->lat, f->lon);
    *n = 0;
    if (dv->zone_free_m <= 0) sw_zones_lookup(d->g, f->lat, f->lon, zs, 8, n);
    if (*n > 8) *n = 8;
    for (size_t i = 0; i < *n; i++) {
        in[i] = -1;
        for (size_t z = 0; z < sw_zones_count(all); z++)
            if (sw_zones_get(all, z) == zs[i]) in[i] = (int)z;
    }
    return 1;
}

static int zone_ep_new(struct sw_detect *d, struct dvessel *dv)
{
    int rc = det_pool_get(&d->pzone, &dv->ep_zone);
    if (rc != SW_OK) return rc;
    for (int e = 0; e < DET_ZONE_EPS; e++)
        ZEP(d, dv)[e].zone = ZSUM(d, dv)[e].zone = -1;
    return SW_OK;
}

/* Release the zone state when nothing is left in it. */
static void zone_ep_done(struct sw_detect *d, struct dvessel *dv)
{
    int pending = 0;
    dv->zep_active = 0;
    for (int e = 0; e < DET_ZONE_EPS; e++) {
        dv->zep_active += ZEP(d, dv)[e].zone >= 0;
        pending += ZSUM(d, dv)[e].zone >= 0;
    }
    if (!dv->zep_active && !pending) det_pool_put(&d->pzone, &dv->ep_zone);
}

int det_zone_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, float sog,
                 int in_port)
{
    struct dvessel *dv = x->dv;
    const struct sw_zones *all = sw_geo_zones(d->g);
    int in[8], rc;
    size_t n = 0;
    if (!all || !sw_zones_count(all)) return SW_OK;
    int looked = look(d, dv, f, in, &n);
    if (!dv->ep_zone) {
        if (!looked || n == 0) return SW_OK; /* in no zone, nothing open */
        if ((rc = zone_ep_new(d, dv)) != SW_OK) return rc;
    }
    struct ep_zone *E = det_pool_at(&d->pzone, dv->ep_zone);
    if ((rc = sums_flush(d, dv, E, f->t / DAY_MS)) != SW_OK) return rc;
    if (looked && (rc = visits(d, x, E, in, n, f)) != SW_OK) return rc;
    if ((rc = inside_fix(d, dv, E, f, sog, in_port)) != SW_OK) return rc;
    zone_ep_done(d, dv);
    return SW_OK;
}

int det_zone_end(struct sw_detect *d, struct dvessel *dv, int publish)
{
    int rc = SW_OK;
    if (!dv->ep_zone) return SW_OK;
    struct ep_zone *E = det_pool_at(&d->pzone, dv->ep_zone);
    if (d->now != SW_TIME_NONE && (rc = sums_flush(d, dv, E, d->now / DAY_MS)) != SW_OK) return rc;
    for (int i = 0; i < DET_ZONE_EPS && rc == SW_OK; i++)
        if (E->sum[i].zone >= 0) rc = sum_event(d, dv, &E->sum[i], 1); /* today: ongoing */
    if (publish) {
        zone_ep_done(d, dv);
        return rc;
    }
    dv->zep_active = 0;
    det_pool_put(&d->pzone, &dv->ep_zone);
    return rc;
}
