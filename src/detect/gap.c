/*
 * ais_gap: no fix for at least min_gap_h while the vessel was at sea; the reception around it
 * (reception.c) says how much the silence tells: good, partial, or unknown where nobody else is
 * heard (a lower confidence); a silence of the receivers themselves (an area heard well before
 * that falls quiet with the vessel) is no gap. Gaps that begin and end in a port's waiting
 * area are not events; a gap still open at the end of the input is written ongoing. A long enough
 * gap is handed on to dark_rendezvous (rendezvous.c). docs/detection.md, ais_gap.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <math.h>

/* *made: the ais_gap event was made (it passed the reception test). */
#define BEFORE_MS (6 * HOUR_MS) /* reception before the gap: the hours looked at */

enum reception { REC_OUTAGE = 0, REC_UNKNOWN, REC_PARTIAL, REC_GOOD };
static const char *const rec_names[] = {"outage", "unknown", "partial", "good"};

/* The input itself fell quiet during the silence: the hours inside it hold under a tenth of
 * the fixes of the hour it began in (the end of a recording cut short, a hole in it). */
static int input_quiet(const struct sw_detect *d, int64_t t0, int64_t t1)
{
    int64_t h0 = t0 / HOUR_MS, h1 = t1 / HOUR_MS - 1;
    uint64_t before = det_fixes_in_hour(d, h0), during = 0, hours = 0;
    if (before < 100 || h1 <= h0) return 0; /* too little traffic to tell */
    for (int64_t h = h0 + 1; h <= h1; h++, hours++)
        during += det_fixes_in_hour(d, h);
    return during * 10 < before * hours;
}

/* How well the area around a silence was received. Good: at least min_other_vessels other
 * vessels heard near either end during it, in at least min_hours_covered of its hours.
 * Otherwise, when the area had been heard well before the silence began, the receivers went
 * quiet with it (an outage, a hole in the recording): no gap. When nobody was heard near it,
 * before or during, reception there is unknown; in between, partial. */
static int judge_reception(struct sw_detect *d, uint32_t self, const struct dfix *a,
                           const struct dfix *b, int64_t from, int64_t to, int *others,
                           double *covered)
{
    int need = (int)d->p.gap_min_others, before;
    double bcov;
    if (input_quiet(d, a->t, to)) return REC_OUTAGE;
    det_reception(d, self, a, b, from, to, d->p.gap_radius_km, others, covered);
    if (*others >= need && *covered >= d->p.gap_min_covered) return REC_GOOD;
    /* others heard near either end in the hours before the silence and the hour it began in,
     * which fell silent with it (min_other_vessels vessels, this one included): the receivers'
     * silence (the station that covered where the vessel came back failed while it sailed
     * there from a place nobody hears) */
    det_reception(d, self, a, b, a->t - BEFORE_MS, a->t + HOUR_MS, d->p.gap_radius_km, &before,
                  &bcov);
    if (before >= need - 1 && *covered < d->p.gap_min_covered) return REC_OUTAGE;
    return *others == 0 ? REC_UNKNOWN : REC_PARTIAL;
}

/* *made: the ais_gap event was made (it passed the reception test). */
static int gap_event(struct sw_detect *d, struct dvessel *dv, const struct dfix *a,
                     const struct dfix *b, int64_t t_end, int end_in_port, int *made)
{
    *made = 0;
    int need = (int)d->p.gap_min_others;
    /* a closed gap: reception near either end during it; a gap still open at the end of
     * input: reception near the last fix during the last min_gap_h (the area is still
     * covered, and the vessel is not heard there) */
    int64_t from = b ? a->t : t_end - (int64_t)(d->p.gap_min_h * HOUR_MS);
    int others;
    double covered;
    int rec =
        judge_reception(d, dv->mmsi, a, b, from < a->t ? a->t : from, t_end, &others, &covered);
    if (rec == REC_OUTAGE) {
        d->st.gap_outage++;
        return SW_OK;
    }
    double gap_h = (double)(t_end - a->t) / HOUR_MS;
    int rc;
    if (det_enabled(d, SW_DT_AIS_GAP)) {
        double conf = rec == REC_GOOD      ? 0.55 + 0.1 * others + 0.02 * (gap_h - d->p.gap_min_h)
                      : rec == REC_PARTIAL ? 0.45 + 0.05 * others
                                           : 0.4;
        json_t *ev = det_event_new(SW_DT_AIS_GAP, a->t, b ? b->t : 0, b == NULL, a->lat, a->lon,
                                   conf > 0.95 ? 0.95 : conf);
        if (!ev) return SW_ENOMEM;
        det_event_vessel(d, ev, dv->mmsi);
        json_t *dt = det_details(ev, "ais_gap");
        det_num(dt, "gap_h", gap_h);
        det_num(dt, "min_gap_h", d->p.gap_min_h);
        json_object_set_new(dt, "reception", json_string(rec_names[rec]));
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
        *made = 1;
        if ((rc = det_event_finish(d, ev, SW_DT_AIS_GAP)) != SW_OK) return rc;
    }
    if (b && rec != REC_UNKNOWN && det_enabled(d, SW_DT_DARK_RENDEZVOUS) &&
        (t_end - a->t) >= d->p.dr_min_gap_h * HOUR_MS)
        return det_dark_rendezvous(d, dv, a, b);
    return SW_OK;
}

int det_gap_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, int in_port)
{
    struct dvessel *dv = x->dv;
    int published = dv->gap_pub & 1, rc = SW_OK, made = 0;
    dv->gap_pub &= (uint8_t)~1;
    if (!x->has_prev || f->t - x->prev.t < d->p.gap_min_h * HOUR_MS) return SW_OK;
    if (!(dv->last_in_port && in_port)) /* a gap that began and ended in port is not one */
        rc = gap_event(d, dv, &x->prev, f, f->t, in_port, &made);
    if (rc == SW_OK && published && !made)
        rc = det_withdraw(d, SW_DT_AIS_GAP, &dv->mmsi, 1, x->prev.t, f->t, "ais_gap",
                          "reception around the closed gap");
    return rc;
}

/* A silence still going on at the end of the input: an ongoing gap. */
static int gap_open(struct sw_detect *d, const struct det_rec *x)
{
    return x->has_prev && d->now != SW_TIME_NONE &&
           d->now - x->prev.t >= d->p.gap_min_h * HOUR_MS && !x->dv->last_in_port;
}

int det_gap_finish(struct sw_detect *d, const struct det_rec *x)
{
    int made;
    return gap_open(d, x) ? gap_event(d, x->dv, &x->prev, NULL, d->now, 0, &made) : SW_OK;
}

int det_gap_publish(struct sw_detect *d, const struct det_rec *x)
{
    if (!gap_open(d, x)) return SW_OK;
    int made;
    int rc = gap_event(d, x->dv, &x->prev, NULL, d->now, 0, &made);
    if (rc == SW_OK && made) {
        x->dv->gap_pub |= 1;
        sw_vessels_touch(d->vs, x->slot);
    }
    return rc;
}
