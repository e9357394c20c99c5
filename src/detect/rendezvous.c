/*
 * dark_rendezvous: a loitering vessel L and a vessel G whose AIS gap could have brought it
 * alongside L (its last and next fixes, the gap's length and its usual speed make the detour
 * feasible, leaving min_alongside_h alongside). The loitering ring keeps the latest
 * DET_LOI_RING qualified loitering episodes to search when a gap closes.
 * docs/detection.md, dark_rendezvous.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <math.h>

int det_loiter_ring_put(struct sw_detect *d, struct dvessel *dv)
{
    struct loiter_rec *r;
    if (LOI(d, dv)->ring != DET_NOIDX && d->ring[LOI(d, dv)->ring].mmsi == dv->mmsi &&
        d->ring[LOI(d, dv)->ring].start == LOI(d, dv)->start) {
        r = &d->ring[LOI(d, dv)->ring];
    } else {
        LOI(d, dv)->ring = d->ring_next;
        d->ring_next = (d->ring_next + 1) % DET_LOI_RING;
        r = &d->ring[LOI(d, dv)->ring];
        r->mmsi = dv->mmsi;
        r->start = LOI(d, dv)->start;
        r->paired_ratio = 0;
    }
    r->end = LOI(d, dv)->lastf.t;
    r->lat = LOI(d, dv)->sumlat / LOI(d, dv)->n;
    r->lon = LOI(d, dv)->sumlon / LOI(d, dv)->n;
    return SW_OK;
}

int det_dark_rendezvous(struct sw_detect *d, struct dvessel *dv, const struct dfix *p0,
                        const struct dfix *p1)
{
    double u = dv->usual_sog;
    if (isnan(u) || u < d->p.dr_min_usual_sog_kn) return SW_OK;
    double gap_h = (double)(p1->t - p0->t) / HOUR_MS;
    double v_kmh = d->p.dr_slack * u * 1.852, reach = v_kmh * gap_h;
    struct loiter_rec *best = NULL;
    double best_ratio = 2, best_detour = 0;
    int cand = 0;
    for (size_t i = 0; i < DET_LOI_RING; i++) {
        struct loiter_rec *r = &d->ring[i];
        if (!r->mmsi || r->mmsi == dv->mmsi || r->start >= p1->t || r->end <= p0->t) continue;
        double a = sw_geo_dist_m(p0->lat, p0->lon, r->lat, r->lon) / 1000;
        double b = sw_geo_dist_m(r->lat, r->lon, p1->lat, p1->lon) / 1000;
        if (a + b > reach) continue;
        /* alongside while the other loitered there, for at least min_alongside_h */
        double arrive = (double)p0->t + a / v_kmh * HOUR_MS;
        double leave = (double)p1->t - b / v_kmh * HOUR_MS;
        double from = arrive > (double)r->start ? arrive : (double)r->start;
        double to = leave < (double)r->end ? leave : (double)r->end;
        if (to - from < d->p.dr_min_alongside_h * HOUR_MS) continue;
        cand++;
        double ratio = (a + b) / reach;
        /* one partner per loitering episode: a looser fit than the one already reported
         * with this loiterer is not reported again (its gap still is an ais_gap event) */
        if (r->paired_ratio > 0 && ratio >= r->paired_ratio) continue;
        if (ratio < best_ratio) {
            best_ratio = ratio;
            best = r;
            best_detour = a + b;
        }
    }
    if (!best) return SW_OK;
    best->paired_ratio = best_ratio;
    double conf = (0.5 + 0.4 * (1 - best_ratio)) / sqrt((double)cand);
    json_t *ev = det_event_new(SW_DT_DARK_RENDEZVOUS, p0->t, p1->t, 0, best->lat, best->lon, conf);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, dv->mmsi);
    det_event_vessel(d, ev, best->mmsi);
    json_t *dt = det_details(ev, "dark_rendezvous");
    det_num(dt, "gap_h", gap_h);
    det_num(dt, "usual_sog_kn", u);
    det_num(dt, "detour_km", best_detour);
    det_num(dt, "reach_km", reach);
    det_num(dt, "candidates", cand);
    char buf[32];
    json_object_set_new(dt, "loitering_start", json_string(sw_time_format(best->start, 0, buf)));
    json_object_set_new(dt, "loitering_end", json_string(sw_time_format(best->end, 0, buf)));
    det_num(dt, "min_gap_h", d->p.dr_min_gap_h);
    det_num(dt, "slack", d->p.dr_slack);
    det_num(dt, "min_usual_sog_kn", d->p.dr_min_usual_sog_kn);
    det_num(dt, "min_alongside_h", d->p.dr_min_alongside_h);
    det_event_fix(ev, p0, "last_before");
    det_event_fix(ev, p1, "first_after");
    struct dfix lf = {best->start, best->lat, best->lon, NAN, NAN, best->mmsi, 0};
    det_event_fix(ev, &lf, "loiterer");
    return det_event_finish(d, ev, SW_DT_DARK_RENDEZVOUS);
}
