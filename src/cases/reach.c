/*
 * Reach: the sensitive ports a silent vessel could have reached, stayed at and left, by sea
 * distance at its speed; the earliest arrival, the latest departure and the longest stay of
 * each, and a confidence that grows with the time to spare. The great circle (a lower bound
 * of the sea distance) rules out most ports before the router is asked.
 * docs/cases.md, possible_port_call.
 */
#include "cases_int.h"

#include <math.h>
#include <stdlib.h>

#include "sanctwatch/error.h"

double sw_cases_slack_confidence(double slack_h)
{
    if (!(slack_h > 0)) slack_h = 0;
    double c = 0.35 + 0.55 * (1 - exp(-slack_h / 12));
    return round(c * 100) / 100;
}

/* Sea distance from the port to a point; the great circle (*gc set) when the router cannot
 * answer (outside its region, or no water near the point). */
static int sea_m(struct sw_cases *c, int port, double lat, double lon, double *d, int *gc)
{
    const struct sw_cases_port *p = &c->ports[port];
    int rc = SW_ERANGE;
    if (c->target[port] != SIZE_MAX) rc = sw_searoute_dist(c->router, c->target[port], lat, lon, d);
    if (rc == SW_ERANGE || rc == SW_ENOTFOUND) {
        *d = sw_geo_dist_m(lat, lon, p->lat, p->lon);
        *gc = 1;
        return SW_OK;
    }
    return rc;
}

static int by_stay(const void *a, const void *b)
{
    const struct sw_cases_reach *x = a, *y = b;
    if (x->stay_h != y->stay_h) return x->stay_h < y->stay_h ? 1 : -1;
    return x->port - y->port;
}

static void put(struct sw_cases_reach *out, size_t max, size_t *n, const struct sw_cases_reach *r)
{
    if (*n < max) {
        out[(*n)++] = *r;
        return;
    }
    /* full: replace the shortest stay if this one is longer */
    size_t worst = 0;
    for (size_t i = 1; i < *n; i++)
        if (out[i].stay_h < out[worst].stay_h) worst = i;
    if (*n && r->stay_h > out[worst].stay_h) out[worst] = *r;
}

static void finish(struct sw_cases_reach *r, double min_stay_h)
{
    r->stay_h = (double)(r->latest_departure - r->earliest_arrival) / HOUR_MS;
    r->confidence = sw_cases_slack_confidence(r->stay_h - min_stay_h);
    if (r->gc) r->confidence = round(r->confidence * 80) / 100;
}

int sw_cases_reach(struct sw_cases *c, const struct sw_cases_gap *gp, double min_stay_h,
                   struct sw_cases_reach *out, size_t max, size_t *n, size_t *gc_only)
{
    double v = gp->speed_kn * KN_MS, gap_s = (double)(gp->t1 - gp->t0) / 1000;
    *n = 0;
    if (gc_only) *gc_only = 0;
    if (!(v > 0) || !(gap_s > 0)) return SW_OK;
    for (size_t i = 0; i < c->n; i++) {
        const struct sw_cases_port *p = &c->ports[i];
        struct sw_cases_reach r = {(int)i, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        r.gc_in_m = sw_geo_dist_m(gp->lat0, gp->lon0, p->lat, p->lon);
        r.gc_out_m = sw_geo_dist_m(p->lat, p->lon, gp->lat1, gp->lon1);
        if ((r.gc_in_m + r.gc_out_m) / v + min_stay_h * 3600 > gap_s) continue;
        int rc = sea_m(c, (int)i, gp->lat0, gp->lon0, &r.in_m, &r.gc);
        if (rc == SW_OK) rc = sea_m(c, (int)i, gp->lat1, gp->lon1, &r.out_m, &r.gc);
        if (rc) return rc;
        r.earliest_arrival = gp->t0 + (int64_t)(r.in_m / v * 1000);
        r.latest_departure = gp->t1 - (int64_t)(r.out_m / v * 1000);
        finish(&r, min_stay_h);
        if (r.stay_h < min_stay_h) {
            if (gc_only) (*gc_only)++;
            continue;
        }
        put(out, max, n, &r);
    }
    qsort(out, *n, sizeof *out, by_stay);
    return SW_OK;
}

/* One order of the rendezvous: the call before (order 1) or after (0) the time alongside. */
static int rdv_order(struct sw_cases *c, const struct sw_cases_gap *gp, int port, double llat,
                     double llon, int64_t lt0, int64_t lt1, double along_ms, int call_first,
                     struct sw_cases_reach *r)
{
    double v = gp->speed_kn * KN_MS;
    double a_l = sw_geo_dist_m(gp->lat0, gp->lon0, llat, llon);
    double l_b = sw_geo_dist_m(llat, llon, gp->lat1, gp->lon1);
    double p_l;
    int rc = sea_m(c, port, llat, llon, &p_l, &r->gc);
    if (rc) return rc;
    if (!call_first) {
        /* to the loiterer, alongside, to the port, then on to the next fix */
        double s = fmax((double)gp->t0 + a_l / v * 1000, (double)lt0);
        if (s + along_ms > (double)lt1) return SW_ENOTFOUND;
        r->earliest_arrival = (int64_t)(s + along_ms + p_l / v * 1000);
        r->latest_departure = gp->t1 - (int64_t)(r->out_m / v * 1000);
    } else {
        /* to the port, then to the loiterer, alongside, then on to the next fix */
        double leave = fmin((double)lt1, (double)gp->t1 - l_b / v * 1000);
        if (leave - along_ms < (double)lt0) return SW_ENOTFOUND;
        r->earliest_arrival = gp->t0 + (int64_t)(r->in_m / v * 1000);
        r->latest_departure = (int64_t)(leave - along_ms - p_l / v * 1000);
    }
    return SW_OK;
}

int sw_cases_reach_rendezvous(struct sw_cases *c, const struct sw_cases_gap *gp, double llat,
                              double llon, int64_t lt0, int64_t lt1, double alongside_h,
                              double min_stay_h, struct sw_cases_reach *out, size_t max, size_t *n)
{
    size_t cand_n = 0;
    struct sw_cases_reach cand[CASES_MAX_PORTS];
    int rc = sw_cases_reach(c, gp, min_stay_h, cand, CASES_MAX_PORTS, &cand_n, NULL);
    *n = 0;
    if (rc) return rc;
    double along_ms = alongside_h * HOUR_MS;
    for (size_t i = 0; i < cand_n; i++) {
        struct sw_cases_reach best = cand[i];
        int have = 0;
        for (int order = 0; order < 2; order++) {
            struct sw_cases_reach r = cand[i];
            rc = rdv_order(c, gp, cand[i].port, llat, llon, lt0, lt1, along_ms, order, &r);
            if (rc == SW_ENOTFOUND) continue;
            if (rc) return rc;
            finish(&r, min_stay_h);
            if (!have || r.stay_h > best.stay_h) best = r;
            have = 1;
        }
        if (have && best.stay_h >= min_stay_h) put(out, max, n, &best);
    }
    qsort(out, *n, sizeof *out, by_stay);
    return SW_OK;
}
