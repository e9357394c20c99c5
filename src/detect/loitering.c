/*
 * loitering: speed under max_sog_kn for at least min_duration_h, every fix at sea outside the
 * ports' waiting areas (anchorages, approaches) wherever that is, coastal waters included
 * (transfers for the DPRK happen 10-20 nm off its coast); min_shore_distance_nm (0 by
 * default) can still demand a distance from shore. A silence longer than max_gap_h ends an
 * episode. A qualified episode is also put in the loitering ring that dark_rendezvous
 * searches (rendezvous.c). The open episode's state lives in the loitering pool.
 * docs/detection.md, loitering.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"

#include <math.h>
#include <string.h>

/* The event of the open episode, when it lasted long enough. */
static int loi_event(struct sw_detect *d, struct dvessel *dv, int ongoing)
{
    struct ep_loi *L = LOI(d, dv);
    int64_t dur = L->lastf.t - L->start;
    if (dur < d->p.loi_min_duration_h * HOUR_MS || !det_enabled(d, SW_DT_LOITERING)) return SW_OK;
    double h = (double)dur / HOUR_MS;
    json_t *ev = det_event_new(SW_DT_LOITERING, L->start, L->lastf.t, ongoing, L->sumlat / L->n,
                               L->sumlon / L->n, 0.6 + 0.05 * (h - d->p.loi_min_duration_h));
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, dv->mmsi);
    json_t *dt = det_details(ev, "loitering");
    det_num(dt, "duration_h", h);
    det_num(dt, "median_sog_kn", det_hist_median(&L->h));
    det_num(dt, "positions", L->n);
    /* how far off the coast, to the nautical mile (capped: 100 reads "at least 100") */
    double sh =
        sw_geo_dist_to_shore_capped_m(d->g, L->sumlat / L->n, L->sumlon / L->n, 100 * SW_GEO_NM_M);
    det_num(dt, "shore_distance_nm", round(sh / SW_GEO_NM_M));
    det_num(dt, "max_sog_kn", d->p.loi_max_sog_kn);
    det_num(dt, "min_duration_h", d->p.loi_min_duration_h);
    if (d->p.loi_min_shore_nm > 0) {
        det_num(dt, "min_shore_distance_nm", L->min_shore / SW_GEO_NM_M);
        det_num(dt, "min_shore_distance_nm_rule", d->p.loi_min_shore_nm);
    }
    det_event_fix(ev, &L->first, "first");
    det_event_samples(ev, &L->s);
    det_event_fix(ev, &L->lastf, "last");
    return det_event_finish(d, ev, SW_DT_LOITERING);
}

int det_loi_close(struct sw_detect *d, struct dvessel *dv, int ongoing)
{
    if (!dv->loi_open) return SW_OK;
    dv->loi_open = 0;
    int rc = loi_event(d, dv, ongoing);
    det_pool_put(&d->ploi, &dv->ep_loi);
    return rc;
}

int det_loi_publish(struct sw_detect *d, struct dvessel *dv)
{
    return dv->loi_open ? loi_event(d, dv, 1) : SW_OK;
}

int det_loi_fix(struct sw_detect *d, struct dvessel *dv, const struct dfix *f, float sog,
                int in_port)
{
    int rc;
    int slow = !isnan(sog) && sog < d->p.loi_max_sog_kn;
    double shore = 0;
    int at_sea = slow && !in_port && !sw_geo_is_land(d->g, f->lat, f->lon);
    if (at_sea && d->p.loi_min_shore_nm > 0) { /* an optional distance from shore, capped */
        shore = det_shore_m(d, dv, f->lat, f->lon);
        at_sea = shore >= d->p.loi_min_shore_nm * SW_GEO_NM_M;
    }
    if (!slow || !at_sea) return det_loi_close(d, dv, 0);
    if (dv->loi_open && f->t - LOI(d, dv)->lastf.t > d->p.loi_max_gap_h * HOUR_MS &&
        (rc = det_loi_close(d, dv, 0)) != SW_OK)
        return rc;
    if (!dv->loi_open) {
        if ((rc = det_pool_get(&d->ploi, &dv->ep_loi)) != SW_OK) return rc;
        struct ep_loi *L = LOI(d, dv);
        dv->loi_open = 1;
        L->start = f->t;
        L->first = *f;
        L->min_shore = shore;
        L->ring = DET_NOIDX;
    }
    struct ep_loi *L = LOI(d, dv);
    L->lastf = *f;
    L->n++;
    L->sumlat += f->lat;
    L->sumlon += f->lon;
    if (shore < L->min_shore) L->min_shore = shore;
    det_hist_add(&L->h, sog);
    det_sample_add(&L->s, f);
    if (f->t - L->start >= d->p.loi_min_duration_h * HOUR_MS) return det_loiter_ring_put(d, dv);
    return SW_OK;
}
