/*
 * position_spoof: movement no ship can make (a jump: implied speed over max_speed_kn, or two
 * places within same_time_s) AND a return (a later jump away from the excursion landing where
 * the vessel could be by then, coming from the fix before the jump). Excursions less than 6 h
 * apart are one episode; excursion fixes on land away from ports are counted. The open
 * excursion and episode live in the spoofing pool. docs/detection.md, position_spoof.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int sp_event(struct sw_detect *d, struct dvessel *dv);

/* b lies on a's course line (within 1 km of it, ahead or behind) no farther than a sails in
 * ten minutes (at least 5 kn): a position delivered late with a later time, or the track
 * catching up after one, as satellite receivers stamping reception times give; not a jump. */
static int on_course(const struct dfix *a, const struct dfix *b, double km)
{
    if (isnan(a->cog) || isnan(a->sog) || a->sog < 1) return 0;
    double brg = sw_geo_bearing_deg(a->lat, a->lon, b->lat, b->lon) * M_PI / 180;
    double off = fabs(sin(brg - a->cog * M_PI / 180)) * km;
    double reach = (a->sog > 5 ? a->sog : 5) * 1.852 / 6; /* km in 10 min */
    return off < 1 && km <= reach;
}

/* Movement no ship can make between a and b. */
int det_jump(const struct sw_detect *d, const struct dfix *a, const struct dfix *b, double *kn,
             double *km)
{
    if (det_approx_ub_m(a->lat, a->lon, b->lat, b->lon) < d->p.sp_min_jump_km * 900 ||
        det_approx_m(a->lat, a->lon, b->lat, b->lon) < d->p.sp_min_jump_km * 900)
        return 0; /* well under the minimum jump: no great-circle distance needed */
    *kn = det_kn_between(a, b, km);
    if (*km < d->p.sp_min_jump_km) return 0;
    if (!(llabs(b->t - a->t) <= (int64_t)(d->p.sp_same_time_s * 1000) ||
          *kn > d->p.sp_max_speed_kn))
        return 0;
    return !on_course(a, b, *km);
}

int det_sp_close(struct sw_detect *d, struct dvessel *dv)
{
    if (!dv->sp_ep_open) return SW_OK;
    dv->sp_ep_open = 0;
    int rc = sp_event(d, dv);
    if (!dv->sp_exc_open) det_pool_put(&d->psp, &dv->ep_sp);
    return rc;
}

int det_sp_publish(struct sw_detect *d, struct dvessel *dv)
{
    if (!dv->sp_ep_open) return SW_OK;
    if (d->now - dv->sp_ep_last >= 6 * HOUR_MS) return det_sp_close(d, dv); /* over already */
    return sp_event(d, dv); /* ongoing (d->finished): stays open */
}

/* The episode just closed: an event when it had enough anomalous fixes. */
static int sp_event(struct sw_detect *d, struct dvessel *dv)
{
    const struct ep_sp *S = SP(d, dv);
    if (S->ep_n < d->p.sp_min_fixes && !S->ep_land) {
        d->st.spoof_single++; /* a lone fix off the track at sea: a glitch */
        return SW_OK;
    }
    if (S->ntimes < 3 || S->one_stamp || (S->ep_n > 1 && !S->stamps_differ)) {
        /* rows stamped with one time (in one excursion or across several): the times are
         * wrong, not the positions */
        d->st.spoof_same_time++;
        return SW_OK;
    }
    if (!det_enabled(d, SW_DT_POSITION_SPOOF)) return SW_OK;
    int ongoing = d->finished && d->now - dv->sp_ep_last < 6 * HOUR_MS;
    const struct dfix *at = S->ep_first.t ? &S->ep_first : &S->ep_origin;
    json_t *ev = det_event_new(SW_DT_POSITION_SPOOF, S->ep_start, dv->sp_ep_last, ongoing, at->lat,
                               at->lon, 0.45 + 0.1 * S->ep_n);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, dv->mmsi);
    json_t *dt = det_details(ev, "jump_and_return");
    json_object_set_new(dt, "on_land", json_boolean(S->ep_land > 0));
    det_num(dt, "anomalous_fixes", S->ep_n);
    det_num(dt, "excursions", S->ep_jumps);
    det_num(dt, "land_fixes", S->ep_land);
    det_num(dt, "implied_speed_kn", S->ep_max_kn);
    det_num(dt, "jump_km", S->ep_max_km);
    if (S->ep_land) det_num(dt, "max_inland_m", S->ep_max_inland_m);
    det_num(dt, "max_speed_kn", d->p.sp_max_speed_kn);
    det_num(dt, "min_jump_km", d->p.sp_min_jump_km);
    det_num(dt, "min_fixes", d->p.sp_min_fixes);
    det_event_fix(ev, &S->ep_origin, "origin");
    det_event_fix(ev, &S->ep_first, "first_anomalous");
    det_event_samples(ev, &S->s);
    det_event_fix(ev, &S->ep_return, "return");
    return det_event_finish(d, ev, SW_DT_POSITION_SPOOF);
}

static int sp_anomaly(struct sw_detect *d, struct dvessel *dv, int64_t start, int64_t end,
                      uint32_t n)
{
    int rc;
    struct ep_sp *S = SP(d, dv); /* open: an excursion is */
    if (dv->sp_ep_open && start - dv->sp_ep_last > 6 * HOUR_MS && (rc = det_sp_close(d, dv)))
        return rc;
    if (!dv->sp_ep_open) {
        memset(&S->s, 0, sizeof S->s);
        dv->sp_ep_open = 1;
        S->ep_start = start;
        S->ep_n = S->ep_jumps = S->ep_land = 0;
        S->ep_max_kn = S->ep_max_km = S->ep_max_inland_m = 0;
        memset(&S->ep_origin, 0, sizeof S->ep_origin);
        memset(&S->ep_first, 0, sizeof S->ep_first);
        memset(&S->ep_return, 0, sizeof S->ep_return);
        S->ntimes = S->one_stamp = S->stamps_differ = 0;
    }
    S->ep_n += n;
    if (end > dv->sp_ep_last || S->ep_n == n) dv->sp_ep_last = end;
    return SW_OK;
}

/* Remember a time of the episode's fixes (three distinct ones are all that matter). */
static void sp_time(struct ep_sp *S, int64_t t)
{
    for (int i = 0; i < S->ntimes; i++)
        if (S->times[i] == t) return;
    if (S->ntimes < 3) S->times[S->ntimes++] = t;
}

/* One coordinate off by a power of ten (0.1 to 100 degrees, within 3%) while the other stayed
 * put: a garbled digit, not a ship somewhere else. */
static int garbled(const struct dfix *a, const struct dfix *b)
{
    double dla = fabs(b->lat - a->lat), dlo = fabs(b->lon - a->lon);
    double big = dla > dlo ? dla : dlo, small = dla > dlo ? dlo : dla;
    if (small > 0.05) return 0;
    for (double p = 0.1; p <= 100; p *= 10)
        if (big >= 0.97 * p && big <= 1.03 * p) return 1;
    return 0;
}

/* Fixes of an excursion that lie on land away from ports (a detail of the excursion: a track
 * that stays on land is an inland waterway the coarse land mask does not know). */
static void sp_land(struct sw_detect *d, struct dvessel *dv, const struct dfix *f, int in_port)
{
    struct ep_sp *S = SP(d, dv);
    if (in_port || !sw_geo_is_land(d->g, f->lat, f->lon)) return;
    double inland = sw_geo_dist_to_shore_m(d->g, f->lat, f->lon);
    if (inland < d->p.sp_min_inland_m) return;
    S->exc_land++;
    if (inland > S->exc_max_inland) S->exc_max_inland = inland;
}

int det_sp_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, int in_port)
{
    struct dvessel *dv = x->dv;
    struct ep_sp *S;
    int rc;
    double kn, km;
    if (dv->sp_ep_open && f->t - dv->sp_ep_last > 6 * HOUR_MS && !dv->sp_exc_open &&
        (rc = det_sp_close(d, dv)) != SW_OK)
        return rc;
    if (!x->has_prev) return SW_OK;
    if (!dv->sp_exc_open) {
        if (det_jump(d, &x->prev, f, &kn, &km)) {
            if (!dv->ep_sp && (rc = det_pool_get(&d->psp, &dv->ep_sp)) != SW_OK) return rc;
            S = SP(d, dv);
            dv->sp_exc_open = 1;
            S->origin = x->prev;
            S->exc_first = S->exc_last = *f;
            S->exc_n = 1;
            S->exc_land = 0;
            S->exc_max_inland = 0;
            S->exc_max_kn = kn;
            S->exc_max_km = km;
            S->exc_garble = (uint8_t)garbled(&x->prev, f);
            sp_land(d, dv, f, in_port);
        }
        return SW_OK;
    }
    /* an excursion is open: a return is a jump away from the excursion that lands where the
     * vessel could be by now coming from the origin */
    S = SP(d, dv);
    double okn, okm;
    okn = det_kn_between(&S->origin, f, &okm);
    /* a return lands where the vessel could be coming from the origin, nearer to it than to
     * the excursion (else the origin was the odd fix: a late or mis-stamped position) */
    if ((okm < d->p.sp_min_jump_km || okn <= d->p.sp_max_speed_kn) &&
        det_jump(d, &S->exc_last, f, &kn, &km) && okm < km) {
        if (S->exc_garble && S->exc_n == 1) { /* a garbled digit, and back */
            dv->sp_exc_open = 0;
            d->st.spoof_garbled++;
            if (!dv->sp_ep_open) det_pool_put(&d->psp, &dv->ep_sp);
            return SW_OK;
        }
        /* the excursion is closed once its fixes are in the episode (it stays open until
         * then, so closing a stale episode here keeps the pool entry) */
        if ((rc = sp_anomaly(d, dv, S->exc_first.t, S->exc_last.t, S->exc_n)) != SW_OK) return rc;
        dv->sp_exc_open = 0;
        sp_time(S, S->origin.t);
        sp_time(S, S->exc_first.t);
        sp_time(S, S->exc_last.t);
        sp_time(S, f->t);
        /* several positions under one time stamp: old positions re-sent, not a ship away */
        if (S->exc_n > 1 && S->exc_first.t == S->exc_last.t) S->one_stamp = 1;
        S->ep_jumps++;
        S->ep_land += S->exc_land;
        if (S->exc_max_inland > S->ep_max_inland_m) S->ep_max_inland_m = S->exc_max_inland;
        if (!S->ep_origin.t) S->ep_origin = S->origin;
        if (!S->ep_first.t) S->ep_first = S->exc_first;
        if (S->exc_first.t != S->ep_first.t || S->exc_last.t != S->ep_first.t) S->stamps_differ = 1;
        S->ep_return = *f;
        det_sample_add(&S->s, &S->exc_last);
        if (S->exc_max_kn > S->ep_max_kn) S->ep_max_kn = S->exc_max_kn;
        if (S->exc_max_km > S->ep_max_km) S->ep_max_km = S->exc_max_km;
        return SW_OK;
    }
    if (f->t - S->exc_first.t > d->p.sp_max_excursion_h * HOUR_MS) {
        dv->sp_exc_open = 0; /* no return: the vessel is really here (the origin was off) */
        if (!dv->sp_ep_open) det_pool_put(&d->psp, &dv->ep_sp);
        return SW_OK;
    }
    S->exc_n++;
    S->exc_last = *f;
    sp_land(d, dv, f, in_port);
    return SW_OK;
}
