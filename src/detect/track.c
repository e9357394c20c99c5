/*
 * Per-vessel rules on the stream of fixes: ais_gap (with the reception grid that tells a
 * vessel's silence from a receiver's), loitering, port_call, zone_entry and position_spoof.
 * Each keeps a small fixed-size state in the vessel's struct dvessel and closes its episode
 * when the behaviour stops or the input ends. Rules and parameters: docs/detection.md.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS 3600000LL
#define RG_HORIZON_H (14 * 24)
#define RG_CELL_DEG 0.5
#define ZONE_STEP_M 100.0 /* zone membership is evaluated every this much movement */

static int enabled(const struct sw_detect *d, int type)
{
    return (d->p.enabled >> type) & 1;
}

/* ---- reception grid: distinct MMSIs (up to 3) heard per 0.5 degree cell and hour */

static uint64_t rg_key(int lat_i, int lon_i, int64_t hour)
{
    return ((uint64_t)(unsigned)lat_i << 34 | (uint64_t)(unsigned)lon_i << 24 |
            ((uint64_t)hour & 0xffffff)) +
           1;
}

static void rg_cell(double lat, double lon, int *li, int *lo)
{
    *li = (int)floor((lat + 90) / RG_CELL_DEG);
    *lo = (int)floor((sw_geo_wrap_lon(lon) + 180) / RG_CELL_DEG);
}

static size_t rg_slot(uint64_t key, size_t cap)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 17) & (cap - 1);
}

static struct recep *rg_find(struct sw_detect *d, uint64_t key)
{
    size_t s = rg_slot(key, d->rgcap);
    while (d->rg[s].key) {
        if (d->rg[s].key == key) return &d->rg[s];
        s = (s + 1) & (d->rgcap - 1);
    }
    return NULL;
}

/* Drop entries older than the horizon (a rebuild of the table). */
static int rg_purge(struct sw_detect *d)
{
    struct recep *old = d->rg, *nw = calloc(d->rgcap, sizeof *nw);
    if (!nw) return SW_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < d->rgcap; i++) {
        if (!old[i].key) continue;
        int64_t h = (int64_t)((old[i].key - 1) & 0xffffff);
        if (h < (d->rg_newest_hour & 0xffffff) - RG_HORIZON_H) continue;
        size_t s = rg_slot(old[i].key, d->rgcap);
        while (nw[s].key)
            s = (s + 1) & (d->rgcap - 1);
        nw[s] = old[i];
        n++;
    }
    free(old);
    d->rg = nw;
    d->rgn = n;
    return SW_OK;
}

int det_recep_add(struct sw_detect *d, struct dvessel *dv, const struct dfix *f)
{
    if (!enabled(d, SW_DT_AIS_GAP) && !enabled(d, SW_DT_DARK_RENDEZVOUS)) return SW_OK;
    int li, lo;
    int64_t hour = f->t / HOUR_MS;
    if (hour > d->rg_newest_hour) d->rg_newest_hour = hour;
    rg_cell(f->lat, f->lon, &li, &lo);
    uint64_t key = rg_key(li, lo, hour);
    if (dv->rg_last == key) return SW_OK; /* this vessel is already counted in this cell and hour */
    dv->rg_last = key;
    struct recep *e = rg_find(d, key);
    if (!e) {
        if ((d->rgn + 1) * 10 > d->rgcap * 7) {
            int rc = rg_purge(d);
            if (rc) return rc;
            if ((d->rgn + 1) * 10 > d->rgcap * 7) {
                d->st.grid_full++;
                return SW_OK;
            }
        }
        size_t s = rg_slot(key, d->rgcap);
        while (d->rg[s].key)
            s = (s + 1) & (d->rgcap - 1);
        e = &d->rg[s];
        memset(e, 0, sizeof *e);
        e->key = key;
        d->rgn++;
    }
    if (e->n >= 3) return SW_OK;
    for (int i = 0; i < e->n; i++)
        if (e->mm[i] == f->mmsi) return SW_OK;
    e->mm[e->n++] = f->mmsi;
    return SW_OK;
}

/* Reception around a silence of `self` from t0 to t1: the distinct other vessels heard near
 * either end (up to 16) into *others, and the fraction of the whole hours strictly inside the
 * silence in which at least one other vessel was heard there into *covered. A receiver
 * outage (or a hole in a recording) leaves hours without anybody heard. */
static void rg_reception(struct sw_detect *d, uint32_t self, const struct dfix *a,
                         const struct dfix *b, int64_t t0, int64_t t1, int *others, double *covered)
{
    uint32_t seen[16];
    int n = 0;
    int64_t h0 = t0 / HOUR_MS + 1, h1 = t1 / HOUR_MS - 1, hours = 0, hit = 0;
    int64_t step = (h1 - h0) / RG_HORIZON_H + 1;
    int rad = (int)ceil(d->p.gap_radius_km / (RG_CELL_DEG * 111.0));
    if (rad > 3) rad = 3;
    for (int64_t h = h0; h <= h1; h += step) {
        int any = 0;
        hours++;
        for (int end = 0; end < 2; end++) {
            const struct dfix *p = end ? b : a;
            if (!p) continue;
            int li, lo;
            rg_cell(p->lat, p->lon, &li, &lo);
            for (int i = li - rad; i <= li + rad; i++)
                for (int j = lo - rad; j <= lo + rad; j++) {
                    struct recep *e = rg_find(d, rg_key(i, j, h));
                    if (!e) continue;
                    for (int k = 0; k < e->n; k++) {
                        if (e->mm[k] == self) continue;
                        any = 1;
                        int dup = 0;
                        for (int q = 0; q < n && !dup; q++)
                            dup = seen[q] == e->mm[k];
                        if (!dup && n < 16) seen[n++] = e->mm[k];
                    }
                }
        }
        hit += any;
    }
    *others = n;
    *covered = hours ? (double)hit / (double)hours : 0;
}

/* ---- ais_gap */

static int gap_event(struct sw_detect *d, struct dvessel *dv, const struct dfix *a,
                     const struct dfix *b, int64_t t_end, int end_in_port)
{
    int need = (int)d->p.gap_min_others;
    /* a closed gap: reception near either end during it; a gap still open at the end of
     * input: reception near the last fix during the last min_gap_h (the area is still
     * covered, and the vessel is not heard there) */
    int64_t from = b ? a->t : t_end - (int64_t)(d->p.gap_min_h * HOUR_MS);
    int others;
    double covered;
    rg_reception(d, dv->mmsi, a, b, from < a->t ? a->t : from, t_end, &others, &covered);
    if (others < need || covered < d->p.gap_min_covered) return SW_OK;
    double gap_h = (double)(t_end - a->t) / HOUR_MS;
    int rc;
    if (enabled(d, SW_DT_AIS_GAP)) {
        double conf = 0.55 + 0.1 * others + 0.02 * (gap_h - d->p.gap_min_h);
        json_t *ev = det_event_new(SW_DT_AIS_GAP, a->t, b ? b->t : 0, b == NULL, a->lat, a->lon,
                                   conf > 0.95 ? 0.95 : conf);
        if (!ev) return SW_ENOMEM;
        det_event_vessel(d, ev, dv->mmsi);
        json_t *dt = det_details(ev, "ais_gap");
        det_num(dt, "gap_h", gap_h);
        det_num(dt, "min_gap_h", d->p.gap_min_h);
        det_num(dt, "reception_radius_km", d->p.gap_radius_km);
        det_num(dt, "others_heard", others);
        det_num(dt, "min_other_vessels", need);
        det_num(dt, "hours_covered", covered);
        det_num(dt, "min_hours_covered", d->p.gap_min_covered);
        json_object_set_new(dt, "start_in_port", json_boolean(dv->last_in_port));
        if (b) {
            double km = sw_geo_dist_m(a->lat, a->lon, b->lat, b->lon) / 1000;
            det_num(dt, "distance_km", km);
            det_num(dt, "implied_speed_kn", km / 1.852 / gap_h);
            json_object_set_new(dt, "end_in_port", json_boolean(end_in_port));
        }
        det_event_fix(ev, a, "last_before");
        if (b) det_event_fix(ev, b, "first_after");
        if ((rc = det_event_finish(d, ev, SW_DT_AIS_GAP)) != SW_OK) return rc;
    }
    if (b && enabled(d, SW_DT_DARK_RENDEZVOUS) && (t_end - a->t) >= d->p.dr_min_gap_h * HOUR_MS)
        return det_dark_rendezvous(d, dv, a, b);
    return SW_OK;
}

/* ---- loitering */

static int loi_close(struct sw_detect *d, struct dvessel *dv, int ongoing)
{
    if (!dv->loi_open) return SW_OK;
    dv->loi_open = 0;
    int64_t dur = VC(dv)->loi.lastf.t - VC(dv)->loi.start;
    if (dur < d->p.loi_min_duration_h * HOUR_MS || !enabled(d, SW_DT_LOITERING)) return SW_OK;
    double h = (double)dur / HOUR_MS;
    double lat = VC(dv)->loi.sumlat / VC(dv)->loi.n, lon = VC(dv)->loi.sumlon / VC(dv)->loi.n;
    json_t *ev = det_event_new(SW_DT_LOITERING, VC(dv)->loi.start, VC(dv)->loi.lastf.t, ongoing,
                               lat, lon, 0.6 + 0.05 * (h - d->p.loi_min_duration_h));
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, dv->mmsi);
    json_t *dt = det_details(ev, "loitering");
    det_num(dt, "duration_h", h);
    det_num(dt, "median_sog_kn", det_hist_median(&VC(dv)->loi_h));
    det_num(dt, "positions", VC(dv)->loi.n);
    det_num(dt, "min_shore_distance_nm", VC(dv)->loi.min_shore / SW_GEO_NM_M);
    det_num(dt, "max_sog_kn", d->p.loi_max_sog_kn);
    det_num(dt, "min_duration_h", d->p.loi_min_duration_h);
    det_num(dt, "min_shore_distance_nm_rule", d->p.loi_min_shore_nm);
    det_event_fix(ev, &VC(dv)->loi_first, "first");
    det_event_samples(ev, &VC(dv)->loi_s);
    det_event_fix(ev, &VC(dv)->loi.lastf, "last");
    return det_event_finish(d, ev, SW_DT_LOITERING);
}

static int loi_fix(struct sw_detect *d, struct dvessel *dv, const struct dfix *f, float sog,
                   int in_port)
{
    int rc;
    int slow = !isnan(sog) && sog < d->p.loi_max_sog_kn;
    double shore = 0;
    if (slow && !in_port) /* capped: only "at least min_shore_distance_nm" matters */
        shore = det_shore_m(d, dv, f->lat, f->lon);
    int at_sea = !in_port && shore >= d->p.loi_min_shore_nm * SW_GEO_NM_M;
    if (!slow || !at_sea) return loi_close(d, dv, 0);
    if (dv->loi_open && f->t - VC(dv)->loi.lastf.t > d->p.loi_max_gap_h * HOUR_MS &&
        (rc = loi_close(d, dv, 0)) != SW_OK)
        return rc;
    if (!dv->loi_open) {
        memset(&VC(dv)->loi, 0, sizeof VC(dv)->loi);
        memset(&VC(dv)->loi_h, 0, sizeof VC(dv)->loi_h);
        memset(&VC(dv)->loi_s, 0, sizeof VC(dv)->loi_s);
        dv->loi_open = 1;
        VC(dv)->loi.start = f->t;
        VC(dv)->loi_first = *f;
        VC(dv)->loi.min_shore = shore;
        VC(dv)->loi.ring = DET_NOIDX;
    }
    VC(dv)->loi.lastf = *f;
    VC(dv)->loi.n++;
    VC(dv)->loi.sumlat += f->lat;
    VC(dv)->loi.sumlon += f->lon;
    if (shore < VC(dv)->loi.min_shore) VC(dv)->loi.min_shore = shore;
    det_hist_add(&VC(dv)->loi_h, sog);
    det_sample_add(&VC(dv)->loi_s, f);
    if (f->t - VC(dv)->loi.start >= d->p.loi_min_duration_h * HOUR_MS)
        return det_loiter_ring_put(d, dv);
    return SW_OK;
}

/* ---- port_call */

static int country_listed(const char *list, const char *cc)
{
    size_t n = strlen(cc);
    if (!n) return 0;
    for (const char *s = list; *s;) {
        size_t k = strcspn(s, ", ");
        if (k == n && !strncmp(s, cc, n)) return 1;
        s += k;
        while (*s == ',' || *s == ' ')
            s++;
    }
    return 0;
}

static int pc_close(struct sw_detect *d, struct dvessel *dv, int ongoing)
{
    int port = dv->pc_port, called = VC(dv)->pc.called;
    dv->pc_port = -1;
    VC(dv)->pc.called = 0;
    if (port < 0 || !called) return SW_OK;
    const struct sw_port *pt = sw_ports_get(d->g, (size_t)port);
    if (!pt || !enabled(d, SW_DT_PORT_CALL)) return SW_OK;
    if (!country_listed(d->p.pc_countries, pt->country)) {
        d->st.port_calls_context++;
        return SW_OK;
    }
    double h = (double)(VC(dv)->pc.lastf.t - VC(dv)->pc.first_stop.t) / HOUR_MS;
    json_t *ev =
        det_event_new(SW_DT_PORT_CALL, VC(dv)->pc.first_stop.t, VC(dv)->pc.lastf.t, ongoing,
                      VC(dv)->pc.first_stop.lat, VC(dv)->pc.first_stop.lon, h >= 2 ? 0.95 : 0.85);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, dv->mmsi);
    json_t *po = json_object();
    json_object_set_new(po, "name", json_string(pt->name));
    json_object_set_new(po, "country", json_string(pt->country));
    json_object_set_new(ev, "port", po);
    json_t *dt = det_details(ev, "port_call");
    det_num(dt, "duration_h", h);
    det_num(dt, "positions", VC(dv)->pc.n);
    det_num(dt, "port_radius_km", pt->radius_m / 1000);
    det_num(dt, "max_sog_kn", d->p.pc_max_sog_kn);
    det_num(dt, "min_duration_min", d->p.pc_min_duration_min);
    char buf[32];
    json_object_set_new(dt, "entered", json_string(sw_time_format(VC(dv)->pc.enter, 0, buf)));
    det_event_fix(ev, &VC(dv)->pc.first_stop, "first_stop");
    det_event_fix(ev, &VC(dv)->pc.lastf, "last_in_port");
    return det_event_finish(d, ev, SW_DT_PORT_CALL);
}

static int pc_fix(struct sw_detect *d, struct dvessel *dv, const struct dfix *f, float sog,
                  const struct sw_port *pt)
{
    int rc, port = pt ? (int)(pt - sw_ports_get(d->g, 0)) : -1;
    if (port != dv->pc_port) {
        if (dv->pc_port >= 0 && port < 0 && ++dv->pc_n_out < 2)
            return SW_OK; /* one fix outside the area is not yet a departure */
        if ((rc = pc_close(d, dv, 0)) != SW_OK) return rc;
        dv->pc_port = port;
        VC(dv)->pc.enter = f->t;
        VC(dv)->pc.stop_start = SW_TIME_NONE;
        VC(dv)->pc.n = 0;
        VC(dv)->pc.called = 0;
        if (port < 0) return SW_OK;
    }
    dv->pc_n_out = 0;
    if (port < 0) return SW_OK;
    VC(dv)->pc.n++;
    VC(dv)->pc.lastf = *f;
    if (VC(dv)->pc.called) return SW_OK;
    if (!isnan(sog) && sog < d->p.pc_max_sog_kn) {
        if (VC(dv)->pc.stop_start == SW_TIME_NONE) {
            VC(dv)->pc.stop_start = f->t;
            VC(dv)->pc.first_stop = *f;
        }
        if (f->t - VC(dv)->pc.stop_start >= d->p.pc_min_duration_min * 60000) VC(dv)->pc.called = 1;
    } else {
        VC(dv)->pc.stop_start = SW_TIME_NONE;
    }
    return SW_OK;
}

/* ---- zone_entry */

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

static int zone_fix(struct sw_detect *d, struct dvessel *dv, const struct dfix *f)
{
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
    /* episodes of zones not containing this fix: leaving (after min_fixes fixes outside),
     * and forgetting a visit once the re-entry window has passed */
    for (int e = 0; e < DET_ZONE_EPS; e++) {
        struct zone_ep *ze = &VC(dv)->zep[e];
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
            if (VC(dv)->zep[e].zone == in[i])
                ze = &VC(dv)->zep[e];
            else if (VC(dv)->zep[e].zone < 0 && !fr)
                fr = &VC(dv)->zep[e];
        }
        if (!ze) {
            if (!fr) continue;
            ze = fr;
            memset(ze, 0, sizeof *ze);
            ze->zone = (int16_t)in[i];
            ze->first = *f;
            /* first heard inside: it was not seen entering */
            ze->suppressed = ze->reported = !dv->has_last;
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
        dv->zep_active += VC(dv)->zep[e].zone >= 0;
    return rc;
}

/* ---- position_spoof */

static double kn_between(const struct dfix *a, const struct dfix *b, double *km)
{
    *km = sw_geo_dist_m(a->lat, a->lon, b->lat, b->lon) / 1000;
    double dt_s = fabs((double)(b->t - a->t)) / 1000;
    if (dt_s < 1) dt_s = 1;
    return *km / 1.852 / (dt_s / 3600);
}

/* Movement no ship can make between a and b. */
static int jump(const struct sw_detect *d, const struct dfix *a, const struct dfix *b, double *kn,
                double *km)
{
    if (det_approx_ub_m(a->lat, a->lon, b->lat, b->lon) < d->p.sp_min_jump_km * 900 ||
        det_approx_m(a->lat, a->lon, b->lat, b->lon) < d->p.sp_min_jump_km * 900)
        return 0; /* well under the minimum jump: no great-circle distance needed */
    *kn = kn_between(a, b, km);
    if (*km < d->p.sp_min_jump_km) return 0;
    return llabs(b->t - a->t) <= (int64_t)(d->p.sp_same_time_s * 1000) ||
           *kn > d->p.sp_max_speed_kn;
}

static int sp_close(struct sw_detect *d, struct dvessel *dv)
{
    if (!dv->sp_ep_open) return SW_OK;
    dv->sp_ep_open = 0;
    if (VC(dv)->sp.ep_n < d->p.sp_min_fixes) {
        d->st.spoof_single++;
        return SW_OK;
    }
    if (!enabled(d, SW_DT_POSITION_SPOOF)) return SW_OK;
    int ongoing = d->finished && d->now - dv->sp_ep_last < 6 * HOUR_MS;
    const struct dfix *at = VC(dv)->sp.ep_first.t ? &VC(dv)->sp.ep_first : &VC(dv)->sp.ep_origin;
    json_t *ev = det_event_new(SW_DT_POSITION_SPOOF, VC(dv)->sp.ep_start, dv->sp_ep_last, ongoing,
                               at->lat, at->lon, 0.45 + 0.1 * VC(dv)->sp.ep_n);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, dv->mmsi);
    json_t *dt = det_details(ev, "jump_and_return");
    json_object_set_new(dt, "on_land", json_boolean(VC(dv)->sp.ep_land > 0));
    det_num(dt, "anomalous_fixes", VC(dv)->sp.ep_n);
    det_num(dt, "excursions", VC(dv)->sp.ep_jumps);
    det_num(dt, "land_fixes", VC(dv)->sp.ep_land);
    det_num(dt, "implied_speed_kn", VC(dv)->sp.ep_max_kn);
    det_num(dt, "jump_km", VC(dv)->sp.ep_max_km);
    if (VC(dv)->sp.ep_land) det_num(dt, "max_inland_m", VC(dv)->sp.ep_max_inland_m);
    det_num(dt, "max_speed_kn", d->p.sp_max_speed_kn);
    det_num(dt, "min_jump_km", d->p.sp_min_jump_km);
    det_num(dt, "min_fixes", d->p.sp_min_fixes);
    det_event_fix(ev, &VC(dv)->sp.ep_origin, "origin");
    det_event_fix(ev, &VC(dv)->sp.ep_first, "first_anomalous");
    det_event_samples(ev, &VC(dv)->sp_s);
    det_event_fix(ev, &VC(dv)->sp.ep_return, "return");
    return det_event_finish(d, ev, SW_DT_POSITION_SPOOF);
}

static int sp_anomaly(struct sw_detect *d, struct dvessel *dv, int64_t start, int64_t end,
                      uint32_t n)
{
    int rc;
    if (dv->sp_ep_open && start - dv->sp_ep_last > 6 * HOUR_MS && (rc = sp_close(d, dv))) return rc;
    if (!dv->sp_ep_open) {
        memset(&VC(dv)->sp_s, 0, sizeof VC(dv)->sp_s);
        dv->sp_ep_open = 1;
        VC(dv)->sp.ep_start = start;
        VC(dv)->sp.ep_n = VC(dv)->sp.ep_jumps = VC(dv)->sp.ep_land = 0;
        VC(dv)->sp.ep_max_kn = VC(dv)->sp.ep_max_km = VC(dv)->sp.ep_max_inland_m = 0;
        memset(&VC(dv)->sp.ep_origin, 0, sizeof VC(dv)->sp.ep_origin);
        memset(&VC(dv)->sp.ep_first, 0, sizeof VC(dv)->sp.ep_first);
        memset(&VC(dv)->sp.ep_return, 0, sizeof VC(dv)->sp.ep_return);
    }
    VC(dv)->sp.ep_n += n;
    if (end > dv->sp_ep_last || VC(dv)->sp.ep_n == n) dv->sp_ep_last = end;
    return SW_OK;
}

/* Fixes of an excursion that lie on land away from ports (a detail of the excursion: a track
 * that stays on land is an inland waterway the coarse land mask does not know). */
static void sp_land(struct sw_detect *d, struct dvessel *dv, const struct dfix *f, int in_port)
{
    if (in_port || !sw_geo_is_land(d->g, f->lat, f->lon)) return;
    double inland = sw_geo_dist_to_shore_m(d->g, f->lat, f->lon);
    if (inland < d->p.sp_min_inland_m) return;
    VC(dv)->sp.exc_land++;
    if (inland > VC(dv)->sp.exc_max_inland) VC(dv)->sp.exc_max_inland = inland;
}

static int sp_fix(struct sw_detect *d, struct dvessel *dv, const struct dfix *f, int in_port)
{
    int rc;
    double kn, km;
    if (dv->sp_ep_open && f->t - dv->sp_ep_last > 6 * HOUR_MS && !dv->sp_exc_open &&
        (rc = sp_close(d, dv)) != SW_OK)
        return rc;
    if (!dv->has_last) return SW_OK;
    if (!dv->sp_exc_open) {
        if (jump(d, &dv->last, f, &kn, &km)) {
            dv->sp_exc_open = 1;
            VC(dv)->sp.origin = dv->last;
            VC(dv)->sp.exc_first = VC(dv)->sp.exc_last = *f;
            VC(dv)->sp.exc_n = 1;
            VC(dv)->sp.exc_land = 0;
            VC(dv)->sp.exc_max_inland = 0;
            VC(dv)->sp.exc_max_kn = kn;
            VC(dv)->sp.exc_max_km = km;
            sp_land(d, dv, f, in_port);
        }
        return SW_OK;
    }
    /* an excursion is open: a return is a jump away from the excursion that lands where the
     * vessel could be by now coming from the origin */
    double okn, okm;
    okn = kn_between(&VC(dv)->sp.origin, f, &okm);
    if ((okm < d->p.sp_min_jump_km || okn <= d->p.sp_max_speed_kn) &&
        jump(d, &VC(dv)->sp.exc_last, f, &kn, &km)) {
        dv->sp_exc_open = 0;
        int64_t s = VC(dv)->sp.exc_first.t;
        if ((rc = sp_anomaly(d, dv, s, VC(dv)->sp.exc_last.t, VC(dv)->sp.exc_n)) != SW_OK)
            return rc;
        VC(dv)->sp.ep_jumps++;
        VC(dv)->sp.ep_land += VC(dv)->sp.exc_land;
        if (VC(dv)->sp.exc_max_inland > VC(dv)->sp.ep_max_inland_m)
            VC(dv)->sp.ep_max_inland_m = VC(dv)->sp.exc_max_inland;
        if (!VC(dv)->sp.ep_origin.t) VC(dv)->sp.ep_origin = VC(dv)->sp.origin;
        if (!VC(dv)->sp.ep_first.t) VC(dv)->sp.ep_first = VC(dv)->sp.exc_first;
        VC(dv)->sp.ep_return = *f;
        det_sample_add(&VC(dv)->sp_s, &VC(dv)->sp.exc_last);
        if (VC(dv)->sp.exc_max_kn > VC(dv)->sp.ep_max_kn)
            VC(dv)->sp.ep_max_kn = VC(dv)->sp.exc_max_kn;
        if (VC(dv)->sp.exc_max_km > VC(dv)->sp.ep_max_km)
            VC(dv)->sp.ep_max_km = VC(dv)->sp.exc_max_km;
        return SW_OK;
    }
    if (f->t - VC(dv)->sp.exc_first.t > d->p.sp_max_excursion_h * HOUR_MS) {
        dv->sp_exc_open = 0; /* no return: the vessel is really here (the origin was off) */
        return SW_OK;
    }
    VC(dv)->sp.exc_n++;
    VC(dv)->sp.exc_last = *f;
    sp_land(d, dv, f, in_port);
    return SW_OK;
}

/* ---- per fix */

int det_track_fix(struct sw_detect *d, struct dvessel *dv, const struct dfix *f,
                  const struct sw_record *r)
{
    int rc;
    const struct sw_port *pt = NULL;
    int in_port = det_in_port_v(d, dv, f->lat, f->lon, &pt);
    float sog = f->sog;
    if (isnan(sog) && dv->has_last && f->t > dv->last.t && f->t - dv->last.t < 2 * HOUR_MS) {
        double km;
        sog = (float)kn_between(&dv->last, f, &km);
    }
    (void)r;
    /* a silence ends here */
    if (dv->has_last && f->t - dv->last.t >= d->p.gap_min_h * HOUR_MS) {
        if ((rc = loi_close(d, dv, 0)) != SW_OK) return rc;
        if (!(dv->last_in_port && in_port) &&
            (rc = gap_event(d, dv, &dv->last, f, f->t, in_port)) != SW_OK)
            return rc;
    }
    if (enabled(d, SW_DT_POSITION_SPOOF) && (rc = sp_fix(d, dv, f, in_port)) != SW_OK) return rc;
    if ((enabled(d, SW_DT_LOITERING) || enabled(d, SW_DT_DARK_RENDEZVOUS)) &&
        (rc = loi_fix(d, dv, f, sog, in_port)) != SW_OK)
        return rc;
    if (enabled(d, SW_DT_PORT_CALL) && (rc = pc_fix(d, dv, f, sog, pt)) != SW_OK) return rc;
    if (enabled(d, SW_DT_ZONE_ENTRY) && (rc = zone_fix(d, dv, f)) != SW_OK) return rc;
    if (!isnan(f->sog) && f->sog >= 3 && f->sog < 40)
        dv->usual_sog = isnan(dv->usual_sog) ? f->sog : 0.9f * dv->usual_sog + 0.1f * f->sog;
    dv->last_in_port = (uint8_t)in_port;
    if (!dv->has_last) VC(dv)->first = *f;
    dv->last = *f;
    dv->has_last = 1;
    return SW_OK;
}

int det_track_finish(struct sw_detect *d, struct dvessel *dv)
{
    int rc;
    if ((rc = loi_close(d, dv, 1)) != SW_OK || (rc = pc_close(d, dv, 1)) != SW_OK ||
        (rc = sp_close(d, dv)) != SW_OK)
        return rc;
    if (dv->has_last && d->now != SW_TIME_NONE && d->now - dv->last.t >= d->p.gap_min_h * HOUR_MS &&
        !dv->last_in_port)
        return gap_event(d, dv, &dv->last, NULL, d->now, 0);
    return SW_OK;
}
