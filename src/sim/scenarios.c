/*
 * Injected behaviour with its truth (sim_int.h; docs/simulate.md, "Injected behaviour"): every
 * event type of SPEC-12, in open sea and off the DPRK west coast, with clear margins on the
 * detectors' thresholds; several episodes of each kind span a UTC midnight or a six-hour
 * boundary, so that one file per day or per six hours cuts through them.
 */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sanctwatch/error.h"

/* Off the DPRK west coast (lat0, lat1, lon0, lon1), each checked against the land mask at run
 * time (sim_coast_spot): the approaches of the Taedong estuary west of Nampo (the nearest
 * shore is the estuary's), Korea Bay off the Cholsan peninsula (south of 39.48 N, where the
 * Cholsan coast is nearer than the Yalu mouth and China), off Changsan cape. */
static const double NAMPO_BOX[4] = {38.80, 39.10, 124.55, 124.95};
static const double KOREA_BAY_BOX[4] = {39.20, 39.48, 124.10, 124.50};
static const double CHANGSAN_BOX[4] = {38.12, 38.26, 124.20, 124.48};

/* Designated DPRK vessels (OFAC SDN DPRK program, IMO numbers as published). */
static const struct {
    const char *name;
    uint32_t imo;
} LISTED[] = {
    {"CHONG CHON GANG", 7937317}, {"AM NOK GANG", 8132835},     {"BAEK MA KANG", 7944683},
    {"DAI HONG DAN", 7944695},    {"HWANG GUM SAN 2", 8405270}, {"HYOK SIN 2", 8018900},
    {"JON JIN 2", 8018912},       {"MU DU BONG", 8328197},
};
#define NLISTED (sizeof LISTED / sizeof LISTED[0])

/* Designated tankers whose entry gives type and size (OFAC SDN 2024-05-03, RUSSIA-EO14024:
 * Crude Oil Tanker, 61,991 GRT, IMO 9256858 and 9256860): about 250 m. */
static const char *const LISTED_TANKERS[] = {"LINDA", "PEGAS"};
/* DPRK tankers designated without type or tonnage in the same list. */
static const char *const LISTED_UNTYPED[] = {"YU JONG 2", "SAM JONG 2",  "CHON MA SAN",
                                             "AN SAN 1",  "YU PHYONG 5", "PAEK MA",
                                             "JI SONG 6", "KUM UN SAN 3"};

static const uint32_t BAD_MIDS[] = {402, 404, 406, 409, 411};
/* Flags of convenience (Panama, Liberia, Sierra Leone, Togo) for the listed-name cases. */
static const uint32_t FOC_MIDS[] = {352, 636, 667, 671};

static void shore_detail(struct sim *s, json_t *o, double la, double lo)
{
    double nm = sw_geo_dist_to_shore_m(s->g, la, lo) / SW_GEO_NM_M;
    json_object_set_new(sim_details(o), "shore_distance_nm", json_real(round(nm * 10) / 10));
}

/* A spot for behaviour: off the DPRK coast in box at min_nm..max_nm, or open sea (box NULL). */
static int spot(struct sim *s, const double *box, double min_nm, double max_nm,
                double open_min_shore_m, double *la, double *lo)
{
    if (box) return sim_coast_spot(s, box, min_nm, max_nm, la, lo);
    return sim_pick_spot(s, open_min_shore_m, la, lo);
}

/* ---- pairs and slow vessels ---------------------------------------------------------------- */

static int sc_encounter(struct sim *s, const double *box, double min_nm, double max_nm, int step_h)
{
    double la, lo;
    if (spot(s, box, min_nm, max_nm, 40000, &la, &lo)) return 0;
    int64_t dur = (int64_t)(rrange(&s->r, 2.5, 3.5) * HOUR_MS);
    int64_t t = sim_span_time(s, dur, step_h, 0, s->t0 + 4 * HOUR_MS, s->t1 - dur - 4 * HOUR_MS);
    struct vessel *a = sim_new_vessel(s, "encounter", 'A');
    if (!a) return -1;
    if (sim_approach(s, a, la, lo, t, 11)) return 0;
    double lb, ob;
    sw_geo_dest(la, lo, rrange(&s->r, 0, 360), rrange(&s->r, 80, 250), &lb, &ob);
    sim_add_stay(a, t, t + dur, la, lo, 0.5, 60, 0);
    sim_wander(s, a, s->t1, 11);
    struct vessel *b = sim_new_vessel(s, "encounter", 'A');
    if (!b) return -1;
    json_t *o = sim_encounter_partner(s, a, b, la, lo, lb, ob, t, dur);
    if (o && box) shore_detail(s, o, la, lo);
    return 0;
}

json_t *sim_encounter_partner(struct sim *s, const struct vessel *a, struct vessel *b, double la,
                              double lo, double lb, double ob, int64_t t, int64_t dur)
{
    if (sim_approach(s, b, lb, ob, t - 10 * MIN_MS, 10)) return NULL;
    sim_add_stay(b, t - 10 * MIN_MS, t + dur + 5 * MIN_MS, lb, ob, 0.5, 60, 0);
    sim_wander(s, b, s->t1, 10);
    json_t *o = sim_truth_item(s, 0, "encounter", t, t + dur, la, lo, a->mmsi, b->mmsi);
    json_object_set_new(sim_details(o), "distance_m",
                        json_real(round(sw_geo_dist_m(la, lo, lb, ob))));
    return o;
}

static struct vessel *loiter_at(struct sim *s, double la, double lo, int64_t t, int64_t dur,
                                int *rc)
{
    struct vessel *a = sim_new_vessel(s, "loitering", 'A');
    *rc = a ? 0 : -1;
    if (!a || sim_approach(s, a, la, lo, t, 10)) return NULL;
    sim_add_stay(a, t, t + dur, la, lo, 0.6, 400, 0);
    sim_wander(s, a, s->t1, 10);
    sim_truth_item(s, 0, "loitering", t, t + dur, la, lo, a->mmsi, 0);
    return a;
}

static int sc_loitering(struct sim *s, const double *box, double min_nm, double max_nm, int step_h)
{
    double la, lo;
    int rc;
    if (spot(s, box, min_nm, max_nm, 50000, &la, &lo)) return 0;
    int64_t dur = (int64_t)(rrange(&s->r, 5, 8) * HOUR_MS);
    int64_t t = sim_span_time(s, dur, step_h, 0, s->t0 + 4 * HOUR_MS, s->t1 - dur - 4 * HOUR_MS);
    struct vessel *v = loiter_at(s, la, lo, t, dur, &rc);
    if (v && box)
        shore_detail(s, json_array_get(s->events, json_array_size(s->events) - 1), la, lo);
    return rc;
}

static json_t *gap_truth(struct sim *s, int64_t t0, int64_t t1, double la, double lo, uint32_t mmsi,
                         const char *reception)
{
    json_t *o = sim_truth_item(s, 0, "ais_gap", t0, t1, la, lo, mmsi, 0);
    json_object_set_new(sim_details(o), "reception", json_string(reception));
    return o;
}

/* Planted after the drifting vessels: a vessel at sea falls silent for 13-18 h and sails on,
 * no drift in reach (sim_drift_in_reach); three fishing vessels keep transmitting around where
 * it went dark (good reception). */
static int sc_ais_gap(struct sim *s, int step_h)
{
    for (int tries = 0; tries < 40; tries++) {
        double la, lo;
        if (sim_open_spot(s, 30000, 0, &la, &lo)) return 0;
        int64_t gap = (int64_t)(rrange(&s->r, 13, 18) * HOUR_MS);
        int64_t t =
            sim_span_time(s, gap, step_h, 0, s->t0 + 3 * HOUR_MS, s->t1 - gap - 3 * HOUR_MS);
        struct vessel *v = sim_new_vessel(s, "ais_gap", 'A');
        if (!v) return -1;
        if (!sim_approach(s, v, la, lo, t, 9)) {
            sim_wander(s, v, s->t1, 9);
            if (!sim_drift_in_reach(s, v, t, t + gap, 9)) {
                sim_add_spot(s, la, lo);
                v->silent[v->nsilent++] = (struct span){t, t + gap, 0, 0};
                gap_truth(s, t, t + gap, la, lo, v->mmsi, "good");
                return sim_witnesses(s, la, lo, t - 2 * HOUR_MS, t + gap + 2 * HOUR_MS, 3);
            }
        }
        s->nv--; /* not here: forget the vessel */
    }
    return 0;
}

/* D goes dark 60-90 km from the drifting L, sails to it, stays alongside, sails back out and
 * reappears; L drifts through the visit. Witnesses fish around L and where D went dark. */
static int sc_dark_rendezvous(struct sim *s, const double *box, double min_nm, double max_nm,
                              int step_h)
{
    int64_t gap = (int64_t)(rrange(&s->r, 14, 17) * HOUR_MS);
    int64_t t = sim_span_time(s, gap, step_h, 0, s->t0 + 3 * HOUR_MS, s->t1 - gap - 3 * HOUR_MS);
    double kn = 12, la, lo;
    int64_t lt0 = t + 3 * HOUR_MS, lt1 = t + gap - 3 * HOUR_MS;
    int rc;
    if (spot(s, box, min_nm, max_nm, 50000, &la, &lo)) return 0;
    struct vessel *l = loiter_at(s, la, lo, lt0, lt1 - lt0, &rc);
    if (!l) return rc;
    if (box) shore_detail(s, json_array_get(s->events, json_array_size(s->events) - 1), la, lo);
    struct vessel *d = sim_new_vessel(s, "dark_rendezvous", 'A');
    if (!d) return -1;
    double p1a = 0, p1o = 0, p2a = 0, p2o = 0;
    int ok = 0;
    for (int tries = 0; tries < 400 && !ok; tries++) {
        double b = rrange(&s->r, 0, 360);
        sw_geo_dest(la, lo, b, rrange(&s->r, 60000, 90000), &p1a, &p1o);
        sw_geo_dest(la, lo, b + rrange(&s->r, 60, 180), rrange(&s->r, 60000, 90000), &p2a, &p2o);
        ok = sim_sea_path(s, p1a, p1o, la, lo, 8000, 0) &&
             sim_sea_path(s, la, lo, p2a, p2o, 8000, 0);
    }
    if (!ok) return 0;
    /* sail in towards P1, dark at P1 at time t; reach L, stay until lt1 - 1 h, sail to P2 */
    if (sim_approach(s, d, p1a, p1o, t, kn)) return 0;
    double d2 = sw_geo_dist_m(la, lo, p2a, p2o);
    int64_t leave = t + gap - (int64_t)(d2 / (kn * KN) * 1000.0) - 2000;
    double ala, alo;
    sw_geo_dest(la, lo, rrange(&s->r, 0, 360), 150, &ala, &alo);
    sim_add_move(d, t, p1a, p1o, ala, alo, kn);
    if (leave < sim_last_t(d) + HOUR_MS) leave = sim_last_t(d) + HOUR_MS;
    sim_add_stay(d, sim_last_t(d), leave, ala, alo, 0.5, 50, 0);
    sim_add_move(d, leave, ala, alo, p2a, p2o, kn);
    int64_t back = sim_last_t(d);
    sim_wander(s, d, s->t1, kn);
    d->silent[d->nsilent++] = (struct span){t, back, 0, 0};
    json_t *o = sim_truth_item(s, 0, "dark_rendezvous", t, back, la, lo, l->mmsi, d->mmsi);
    json_object_set_new(sim_details(o), "loiterer", json_string("first"));
    json_object_set_new(sim_details(o), "dark", json_string("second"));
    if (box) shore_detail(s, o, la, lo);
    gap_truth(s, t, back, p1a, p1o, d->mmsi, "good");
    if (sim_witnesses(s, la, lo, t - 2 * HOUR_MS, back + 2 * HOUR_MS, 3)) return -1;
    return sim_witnesses(s, p1a, p1o, t - 2 * HOUR_MS, back + 2 * HOUR_MS, 3);
}

/* A vessel slows (drifting under 1 kn) for 1-2.5 h inside a transfer area or the corridor:
 * a zone_entry of kind "slow" (derived in sim.c), too short for loitering. */
static int sc_zone_slow(struct sim *s, int step_h)
{
    const struct sw_zones *zs = sw_geo_zones(s->g);
    size_t idx[MAXZ], n = 0;
    for (size_t i = 0; i < sw_zones_count(zs) && i < MAXZ; i++) {
        const struct sw_zone *z = sw_zones_get(zs, i);
        if (!strcmp(z->kind, "transfer_area") || !strcmp(z->kind, "corridor")) idx[n++] = i;
    }
    if (!n) return 0;
    const struct sw_zone *z = sw_zones_get(zs, idx[rpick(&s->r, (int)n)]);
    double la = 0, lo = 0;
    int ok = 0;
    for (int tries = 0; tries < 3000 && !ok; tries++) {
        la = rrange(&s->r, z->poly.minlat, z->poly.maxlat);
        lo = rrange(&s->r, z->poly.minlon, z->poly.maxlon);
        const struct sw_port *p;
        ok = sw_geo_poly_contains(&z->poly, la, lo) && !sw_geo_is_land(s->g, la, lo) &&
             sw_geo_dist_to_shore_capped_m(s->g, la, lo, 10000) >= 10000 &&
             sw_ports_nearest(s->g, la, lo, 20000, &p, NULL) != SW_OK &&
             sim_heard_by_station(la, lo, 20000) && sim_zone_clear(s, la, lo, 4000);
    }
    if (!ok) return 0;
    sim_add_spot(s, la, lo);
    int64_t dur = (int64_t)(rrange(&s->r, 1, 2.5) * HOUR_MS);
    int64_t t = sim_span_time(s, dur, step_h, 0, s->t0 + 3 * HOUR_MS, s->t1 - dur - 3 * HOUR_MS);
    struct vessel *v = sim_new_vessel(s, "zone_slow", 'A');
    if (!v) return -1;
    if (sim_approach(s, v, la, lo, t, 10)) return 0;
    sim_add_stay(v, t, t + dur, la, lo, 0.8, 200, 0);
    sim_wander(s, v, s->t1, 10);
    return 0;
}

/* ---- ports --------------------------------------------------------------------------------- */

/* The port_call truth of a port visit: the stop at the berth. */
static void port_call_truth(struct sim *s, const struct vessel *v, const struct approach *ap,
                            double la, double lo)
{
    for (int i = 0; i < v->nlegs; i++)
        if (v->legs[i].kind == LEG_STAY) {
            json_t *o =
                sim_truth_item(s, 0, "port_call", v->legs[i].t0, v->legs[i].t1, la, lo, v->mmsi, 0);
            json_object_set_new(o, "port",
                                json_pack("{s:s,s:s}", "name", ap->port, "country", "KP"));
            return;
        }
}

static int sc_port_call(struct sim *s, const struct approach *ap, int step_h, int first)
{
    int64_t stay = (int64_t)(rrange(&s->r, 6, 16) * HOUR_MS);
    int64_t t =
        sim_span_time(s, stay, step_h, first, s->t0 + 2 * HOUR_MS, s->t1 - stay - 6 * HOUR_MS);
    double la, lo;
    struct vessel *v = sim_port_visit(s, ap, "port_call", t, stay, &la, &lo);
    if (!v) return -1;
    port_call_truth(s, v, ap, la, lo);
    return 0;
}

/* Ships waiting 6-12 h at anchor together at the Nampo anchorage: a DPRK port call each, and
 * a hard negative for encounter and loitering (negatives.c plants the Chinese one). */
int sim_anchorage_wait(struct sim *s, const struct approach *ap, int kp, int step_h)
{
    int64_t stay = (int64_t)(rrange(&s->r, 6, 12) * HOUR_MS);
    int64_t t = sim_span_time(s, stay, step_h, 0, s->t0 + 3 * HOUR_MS,
                              s->t1 - stay - 5 * HOUR_MS - 20 * MIN_MS);
    double a1, o1, a2, o2;
    struct vessel *x = sim_port_visit(s, ap, "anchorage_wait", t, stay, &a1, &o1);
    struct vessel *y = sim_port_visit(s, ap, "anchorage_wait", t + 20 * MIN_MS, stay, &a2, &o2);
    if (!x || !y) return -1;
    for (int i = 0; i < x->nlegs; i++)
        if (x->legs[i].kind == LEG_STAY) x->legs[i].status = 1;
    for (int i = 0; i < y->nlegs; i++)
        if (y->legs[i].kind == LEG_STAY) y->legs[i].status = 1;
    if (kp) {
        port_call_truth(s, x, ap, a1, o1);
        port_call_truth(s, y, ap, a2, o2);
    }
    json_t *o =
        sim_truth_item(s, 1, "anchorage_wait", t, t + stay + 20 * MIN_MS, a1, o1, x->mmsi, y->mmsi);
    json_object_set_new(sim_details(o), "port", json_string(ap->port));
    return 0;
}

/* ---- position spoofing -------------------------------------------------------------------- */

int sim_spoof_target_ok(const struct sim *s, double la, double lo, int want_land)
{
    const struct sw_port *p;
    if (!sim_zones_none(s, la, lo) || !sim_in_region(la, lo) ||
        sw_ports_nearest(s->g, la, lo, 25000, &p, NULL) == SW_OK)
        return 0;
    if (want_land)
        return sw_geo_is_land(s->g, la, lo) && sw_geo_dist_to_shore_m(s->g, la, lo) > 4000;
    return !sw_geo_is_land(s->g, la, lo) && sw_geo_dist_to_shore_m(s->g, la, lo) > 10000;
}

/* A time for a short episode of length dur across a split boundary when the vessel is well
 * inside a shore station's range then; -1 if none. */
static int64_t short_time(struct sim *s, const struct vessel *v, int64_t dur, int step_h,
                          int64_t lo, int64_t hi)
{
    for (int tries = 0; tries < 10; tries++) {
        int64_t t = sim_span_time(s, dur, step_h, 0, lo, hi);
        double a, o;
        sim_track_pos(v, t, &a, &o);
        if (sim_covered(a, o)) return t;
    }
    return -1;
}

/* A wanderer for a short episode across a split boundary: the first of six whose track is well
 * covered then (the others sail on as plain traffic); else the last, at any covered time. */
static struct vessel *short_case(struct sim *s, const char *role, int64_t dur, int step_h,
                                 int64_t *t)
{
    struct vessel *v = NULL;
    int64_t lo = s->t0 + 6 * HOUR_MS, hi = s->t1 - 8 * HOUR_MS;
    for (int k = 0; k < 6; k++) {
        double la, lo_;
        if (v) v->role = "background";
        v = sim_wanderer(s, role, 'A', s->t0 + rpick(&s->r, 120) * MIN_MS, 11, &la, &lo_);
        if (!v) return NULL;
        *t = short_time(s, v, dur, step_h, lo, hi);
        if (*t >= 0) return v;
    }
    *t = sim_covered_time(s, v, lo, hi);
    if (*t < 0) *t = sim_rtime(s, lo, hi);
    return v;
}

/* A jump 40-120 km away for 6-12 min (variant 0), or positions on land for 20-40 min
 * (variant 1). Returns 1 when planted. */
static int sc_spoof_once(struct sim *s, int variant, int step_h, int *rc)
{
    *rc = 0;
    int64_t dur = (int64_t)(variant ? rrange(&s->r, 20, 40) : rrange(&s->r, 6, 12)) * MIN_MS, t;
    struct vessel *v = short_case(s, "position_spoof", dur, step_h, &t);
    if (!v) return 0;
    double pa, po, ta = 0, to = 0;
    sim_track_pos(v, t, &pa, &po);
    int ok = 0;
    for (int tries = 0; tries < 1600 && !ok; tries++) {
        if (tries && tries % 200 == 0) { /* another moment, another place */
            int64_t t2 = sim_covered_time(s, v, s->t0 + 6 * HOUR_MS, s->t1 - 8 * HOUR_MS);
            if (t2 >= 0) t = t2;
            sim_track_pos(v, t, &pa, &po);
        }
        sw_geo_dest(pa, po, rrange(&s->r, 0, 360), rrange(&s->r, 40000, variant ? 250000 : 120000),
                    &ta, &to);
        ok = sim_spoof_target_ok(s, ta, to, variant == 1);
    }
    if (!ok) {
        v->role = "background"; /* plain traffic: roams where no spoof can be staged */
        return 0;
    }
    v->spoof[v->nspoof++] = (struct span){t, t + dur, ta, to};
    json_t *o = sim_truth_item(s, 0, "position_spoof", t, t + dur, ta, to, v->mmsi, 0);
    json_object_set_new(sim_details(o), "variant", json_string(variant ? "on_land" : "jump"));
    return 1;
}

static int sc_spoof(struct sim *s, int variant, int step_h)
{
    int rc = 0;
    for (int k = 0; k < 4 && !rc; k++)
        if (sc_spoof_once(s, variant, step_h, &rc)) break;
    return rc;
}

/* ---- identities ---------------------------------------------------------------------------- */

static json_t *identity_json(const struct vessel *v)
{
    json_t *o = json_pack("{s:s,s:s,s:i}", "name", v->name, "callsign", v->callsign, "ship_type",
                          v->ship_type);
    if (v->imo) json_object_set_new(o, "imo", json_integer(v->imo));
    return o;
}

/* The planned tracks of x over [t0, t1] and of a second transmitter sailing from (ca, co) to
 * (ea, eo) over [t, t + dur] keep min_m apart; both tracks stay out of every zone. */
static int apart(const struct sim *s, const struct vessel *x, int64_t t, int64_t dur, double ca,
                 double co, double ea, double eo, double min_m, double *closest)
{
    double brg = sw_geo_bearing_deg(ca, co, ea, eo), len = sw_geo_dist_m(ca, co, ea, eo);
    *closest = 1e18;
    for (int64_t u = t - HOUR_MS; u <= t + dur + HOUR_MS; u += 5 * MIN_MS) {
        double f = (double)(u - t) / (double)dur, xa, xo, ya, yo;
        f = f < 0 ? 0 : f > 1 ? 1 : f;
        sw_geo_dest(ca, co, brg, f * len, &ya, &yo);
        sim_track_pos(x, u, &xa, &xo);
        double d = sw_geo_dist_m(xa, xo, ya, yo);
        if (d < *closest) *closest = d;
        if (d < min_m || !sim_zones_none(s, xa, xo) || !sim_zones_none(s, ya, yo)) return 0;
    }
    return 1;
}

/* One MMSI from two places at once: x sails on while a second transmitter with x's MMSI sails
 * 150+ km (clone, clone_copy) or 300+ km (flip) away for 2-4 h (3-5 h for flip), sending
 * its own static data (clone, flip) or a copy of x's (clone_copy). identity_fraud kind
 * shared_mmsi for the time both transmit. */
static int sc_shared_mmsi(struct sim *s, const char *variant, int step_h)
{
    int flip = !strcmp(variant, "flip"), copy = !strcmp(variant, "clone_copy");
    double min_m = flip ? 300000 : 150000, kn = rrange(&s->r, 8, 10);
    for (int k = 0; k < 4; k++) {
        double la, lo;
        struct vessel *x =
            sim_wanderer(s, "shared_mmsi", 'A', s->t0 + rpick(&s->r, 120) * MIN_MS, 11, &la, &lo);
        if (!x) return 0;
        int64_t dur = (int64_t)((flip ? rrange(&s->r, 3, 5) : rrange(&s->r, 2, 4)) * HOUR_MS);
        for (int tries = 0; tries < 40; tries++) {
            int64_t t =
                sim_span_time(s, dur, step_h, 0, s->t0 + 4 * HOUR_MS, s->t1 - dur - 4 * HOUR_MS);
            double xa, xo, ca, co, ea, eo, closest;
            sim_track_pos(x, t + dur / 2, &xa, &xo);
            if (!sim_covered(xa, xo) || sim_open_spot(s, 30000, 0, &ca, &co)) continue;
            sw_geo_dest(ca, co, rrange(&s->r, 0, 360), kn * KN * (double)dur / 1000.0, &ea, &eo);
            if (!sim_sea_path(s, ca, co, ea, eo, 8000, 0) ||
                !apart(s, x, t, dur, ca, co, ea, eo, min_m, &closest))
                continue;
            sim_add_spot(s, ca, co);
            struct vessel *c = sim_new_vessel(s, "shared_mmsi_second", 'A');
            if (!c) return -1;
            c->clone = 1;
            c->variant = variant;
            c->mmsi = x->mmsi;
            if (copy) {
                c->imo = x->imo;
                c->ship_type = x->ship_type;
                c->len = x->len;
                c->beam = x->beam;
                memcpy(c->name, x->name, sizeof c->name);
                memcpy(c->callsign, x->callsign, sizeof c->callsign);
            }
            sim_add_move(c, t, ca, co, ea, eo, kn);
            json_t *o =
                sim_truth_item(s, 0, "identity_fraud", t, sim_last_t(c), ca, co, x->mmsi, 0);
            json_t *d = sim_details(o);
            json_object_set_new(d, "kind", json_string("shared_mmsi"));
            json_object_set_new(d, "variant", json_string(variant));
            json_object_set_new(d, "identities",
                                json_pack("[o,o]", identity_json(x), identity_json(c)));
            json_object_set_new(d, "min_distance_km", json_real(round(closest / 100) / 10));
            return 0;
        }
        x->role = "background";
    }
    return 0;
}

/* One valid IMO broadcast by two MMSIs whose waters lie 550+ km apart: A from the start, B
 * from a time before a split boundary to the end (identity_fraud kind shared_imo over the time
 * both transmit, from presence_truth in sim.c). Each keeps within 100 km of its centre. */
static int sc_shared_imo(struct sim *s, int step_h)
{
    double la = 0, lo = 0, lb = 0, ob = 0;
    int ok = 0;
    for (int tries = 0; tries < 40 && !ok; tries++) {
        if (sim_open_spot(s, 40000, 0, &la, &lo) || sim_open_spot(s, 40000, 0, &lb, &ob)) return 0;
        ok = sw_geo_dist_m(la, lo, lb, ob) > 550000;
    }
    if (!ok) return 0;
    sim_add_spot(s, la, lo);
    sim_add_spot(s, lb, ob);
    struct vessel *a = sim_new_vessel(s, "shared_imo", 'A');
    struct vessel *b = sim_new_vessel(s, "shared_imo", 'A');
    if (!a || !b) return -1;
    int64_t ta = s->t0 + rpick(&s->r, 60) * MIN_MS;
    int64_t tb = sim_span_time(s, 6 * HOUR_MS, step_h, 0, s->t0 + 3 * HOUR_MS, s->t1 - 6 * HOUR_MS);
    sim_add_move(a, ta, la, lo, la, lo, 10);
    sim_wander_within(s, a, s->t1, 10, la, lo, 100000, 8000);
    sim_add_move(b, tb, lb, ob, lb, ob, 10);
    sim_wander_within(s, b, s->t1, 10, lb, ob, 100000, 8000);
    b->imo = a->imo;
    b->peer = a;
    return 0;
}

/* The instant of an identity change in [lo, hi): a few minutes after a six-hour boundary when
 * a shore station covers the vessel then, else any covered time, else any time. */
static int64_t change_time(struct sim *s, const struct vessel *v, int64_t lo, int64_t hi)
{
    for (int tries = 0; tries < 10; tries++) {
        int64_t t = sim_after_boundary(s, 6, lo, hi);
        double a, o;
        sim_track_pos(v, t, &a, &o);
        if (sim_covered(a, o)) return t;
    }
    int64_t t = sim_covered_time(s, v, lo, hi);
    return t >= 0 ? t : sim_rtime(s, lo, hi);
}

/* A new name and call sign a few minutes after a split boundary. */
static int sc_rename(struct sim *s)
{
    double la, lo;
    struct vessel *v = sim_wanderer(s, "identity_change", 'A', s->t0, 10, &la, &lo);
    if (!v) return 0;
    v->t_rename = change_time(s, v, s->t0 + 8 * HOUR_MS, s->t1 - 6 * HOUR_MS);
    char tmp[48];
    snprintf(tmp, sizeof tmp, "NEW %s", v->name);
    memcpy(v->name2, tmp, sizeof v->name2 - 1);
    snprintf(tmp, sizeof tmp, "%c%c%04d", 'A' + rpick(&s->r, 26), 'A' + rpick(&s->r, 26),
             rpick(&s->r, 10000));
    memcpy(v->callsign2, tmp, sizeof v->callsign2 - 1);
    json_t *o =
        sim_truth_item(s, 0, "identity_change", v->t_rename, v->t_rename, la, lo, v->mmsi, 0);
    json_object_set_new(sim_details(o), "old_name", json_string(v->name));
    json_object_set_new(sim_details(o), "new_name", json_string(v->name2));
    return 0;
}

/* A true reflag: the same IMO under a new MMSI of another flag, the old MMSI silent from the
 * change on (5-10 h before the end, so the silence is no 12 h gap), a few minutes after a
 * boundary. identity_change, and the hard negative true_reflag (no identity_fraud). */
static int sc_reflag(struct sim *s)
{
    double la, lo;
    struct vessel *v = sim_wanderer(s, "identity_change_mmsi", 'A', s->t0, 10, &la, &lo);
    if (!v) return 0;
    v->t_mmsi2 = change_time(s, v, s->t1 - 10 * HOUR_MS, s->t1 - 5 * HOUR_MS);
    uint32_t mid = v->mmsi / 1000000u, mid2 = mid;
    while (mid2 == mid)
        mid2 = SIM_MIDS[rpick(&s->r, 10)];
    v->mmsi2 = mid2 * 1000000u + 900000u + (uint32_t)(s->serial++ % 99999);
    json_t *o =
        sim_truth_item(s, 0, "identity_change", v->t_mmsi2, v->t_mmsi2, la, lo, v->mmsi, v->mmsi2);
    json_object_set_new(sim_details(o), "change", json_string("imo_new_mmsi"));
    sim_truth_item(s, 1, "true_reflag", v->t_mmsi2 - HOUR_MS, v->t_mmsi2 + HOUR_MS, la, lo, v->mmsi,
                   v->mmsi2);
    return 0;
}

/* Designated vessels and their names: a DPRK-flagged ship under a listed name and IMO; a
 * tanker under a listed tanker's name, no IMO, about the listed size (name+type+length); a
 * tanker under the name of a DPRK tanker listed without type or size (name+type). Their
 * truth is filled in from their transmissions (presence_truth in sim.c). */
static int sc_listed(struct sim *s)
{
    double la, lo;
    struct vessel *v =
        sim_wanderer(s, "listed_vessel", 'A', s->t0 + rpick(&s->r, 240) * MIN_MS, 9, &la, &lo);
    if (v) {
        int k = rpick(&s->r, (int)NLISTED);
        v->imo = LISTED[k].imo;
        snprintf(v->name, sizeof v->name, "%s", LISTED[k].name);
        v->mmsi = 445000000u + v->mmsi % 1000000u;
        v->ship_type = 70; /* the listed ships are general cargo and bulk carriers */
    }
    v = sim_wanderer(s, "listed_name", 'A', s->t0 + rpick(&s->r, 240) * MIN_MS, 11, &la, &lo);
    if (v) {
        snprintf(v->name, sizeof v->name, "%s", LISTED_TANKERS[rpick(&s->r, 2)]);
        v->imo = 0;
        v->ship_type = 80 + rpick(&s->r, 5);
        v->len = 240 + rpick(&s->r, 10);
        v->beam = 44;
        v->draught = rrange(&s->r, 12, 14.5);
        v->mmsi = FOC_MIDS[rpick(&s->r, 4)] * 1000000u + v->mmsi % 1000000u;
    }
    v = sim_wanderer(s, "listed_untyped", 'A', s->t0 + rpick(&s->r, 240) * MIN_MS, 10, &la, &lo);
    if (v) {
        int n = (int)(sizeof LISTED_UNTYPED / sizeof LISTED_UNTYPED[0]);
        snprintf(v->name, sizeof v->name, "%s", LISTED_UNTYPED[rpick(&s->r, n)]);
        v->imo = 0;
        v->ship_type = 80 + rpick(&s->r, 5);
        v->len = 85 + rpick(&s->r, 26);
        v->beam = v->len / 7 + 2;
        v->mmsi = FOC_MIDS[rpick(&s->r, 4)] * 1000000u + v->mmsi % 1000000u;
    }
    return 0;
}

/* Names for the listed-name hard negatives (negatives.c): a listed tanker's, typed or not. */
const char *sim_listed_tanker_name(struct sim *s)
{
    int n = (int)(sizeof LISTED_UNTYPED / sizeof LISTED_UNTYPED[0]);
    if (rpick(&s->r, 2)) return LISTED_TANKERS[rpick(&s->r, 2)];
    return LISTED_UNTYPED[rpick(&s->r, n)];
}

const char *sim_listed_cargo_name(struct sim *s, uint32_t *imo)
{
    int k = rpick(&s->r, (int)NLISTED);
    *imo = LISTED[k].imo;
    return LISTED[k].name;
}

static int sc_identities(struct sim *s)
{
    double la, lo;
    int rc = sc_rename(s);
    if (!rc) rc = sc_reflag(s);
    /* identity_fraud: wrong IMO check digit; unallocated MID. Presence filled in later. */
    struct vessel *v = sim_wanderer(s, "identity_fraud_imo", 'A',
                                    s->t0 + rpick(&s->r, 240) * MIN_MS, 10, &la, &lo);
    if (v) v->imo = v->imo / 10 * 10 + (uint32_t)(v->imo % 10 + 1 + rpick(&s->r, 8)) % 10;
    v = sim_wanderer(s, "identity_fraud_mid", 'A', s->t0 + rpick(&s->r, 240) * MIN_MS, 10, &la,
                     &lo);
    if (v) v->mmsi = BAD_MIDS[rpick(&s->r, 5)] * 1000000u + v->mmsi % 1000000u;
    if (!rc) rc = sc_shared_mmsi(s, "clone", 24);
    if (!rc) rc = sc_shared_mmsi(s, "clone_copy", 6);
    if (!rc) rc = sc_shared_mmsi(s, "flip", 6);
    if (!rc) rc = sc_shared_imo(s, 24);
    if (!rc) rc = sc_listed(s);
    return rc;
}

/* ---- the scenario ------------------------------------------------------------------------- */

int sim_scenarios(struct sim *s)
{
    int rc = 0;
    rc |= sc_encounter(s, NULL, 0, 0, 24);
    rc |= sc_encounter(s, NULL, 0, 0, 6);
    rc |= sc_encounter(s, NAMPO_BOX, 13.5, 17.0, 6);
    rc |= sc_loitering(s, NULL, 0, 0, 24);
    if (sc_loitering(s, CHANGSAN_BOX, 15.5, 19.5, 6)) rc = -1;
    rc |= sc_dark_rendezvous(s, NULL, 0, 0, 24);
    rc |= sc_dark_rendezvous(s, KOREA_BAY_BOX, 13.5, 17.5, 6);
    int k1 = rpick(&s->r, (int)SIM_NKP_PORTS);
    int k2 = (k1 + 1 + rpick(&s->r, (int)SIM_NKP_PORTS - 1)) % (int)SIM_NKP_PORTS;
    rc |= sc_port_call(s, &SIM_KP_PORTS[k1], 6, 1);
    rc |= sc_port_call(s, &SIM_KP_PORTS[k2], 24, 0);
    rc |= sim_anchorage_wait(s, &SIM_KP_PORTS[0], 1, 24);
    rc |= sc_spoof(s, 0, 24);
    rc |= sc_spoof(s, 1, 6);
    rc |= sc_zone_slow(s, 6);
    rc |= sc_identities(s);
    return rc ? SW_ENOMEM : SW_OK;
}

/* ---- late: gaps, once every drift is planned ------------------------------------------------- */

/* Satellite-only water far from lanes and every other vessel (lat0, lat1, lon0, lon1): the
 * East Sea east of the DPRK's claimed EEZ, and the East China Sea south-east of Jeju. */
static const double REMOTE_BOXES[][4] = {{38.6, 40.6, 134.0, 135.8}, {28.8, 30.5, 126.3, 128.5}};

/* A vessel falls silent for 13-18 h and sails on where no one else comes within 130 km from
 * 3 h before to 3 h after (truth ais_gap with reception "unknown") and no drift is in reach;
 * it keeps within 90 km of where it went dark until the end. */
static int sc_gap_unknown(struct sim *s)
{
    for (int tries = 0; tries < 30; tries++) {
        const double *b = REMOTE_BOXES[rpick(&s->r, 2)];
        double la = rrange(&s->r, b[0], b[1]), lo = rrange(&s->r, b[2], b[3]);
        if (sw_geo_is_land(s->g, la, lo) || sw_geo_dist_to_shore_m(s->g, la, lo) < 60000 ||
            !sim_zone_clear(s, la, lo, 100000))
            continue;
        int64_t gap = (int64_t)(rrange(&s->r, 13, 18) * HOUR_MS);
        int64_t t = sim_span_time(s, gap, 6, 0, s->t0 + 4 * HOUR_MS, s->t1 - gap - 4 * HOUR_MS);
        struct vessel *v = sim_new_vessel(s, "ais_gap_unknown", 'A');
        if (!v) return SW_ENOMEM;
        if (!sim_approach(s, v, la, lo, t, 8)) {
            sim_wander_within(s, v, s->t1, 7, la, lo, 90000, 30000);
            if (sim_clearance(s, s->nv - 1, s->nv, t - 3 * HOUR_MS, t + gap + 3 * HOUR_MS) >
                    130000 &&
                !sim_drift_in_reach(s, v, t, t + gap, 7)) {
                v->silent[v->nsilent++] = (struct span){t, t + gap, 0, 0};
                gap_truth(s, t, t + gap, la, lo, v->mmsi, "unknown");
                return SW_OK;
            }
        }
        s->nv--; /* not here: forget the vessel */
    }
    return SW_OK;
}

int sim_gaps(struct sim *s)
{
    int rc = sc_ais_gap(s, 24);
    return rc ? SW_ENOMEM : sc_gap_unknown(s);
}
