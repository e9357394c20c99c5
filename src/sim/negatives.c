/*
 * Hard negatives (sim_int.h; docs/simulate.md, "Hard negatives"): behaviour a naive rule takes
 * for an event and that is none: ships together at anchor or in tow, passing close, short
 * silences, port stops with AIS off, a coastal transit, names of listed vessels on other
 * ships, one-off odd fixes (a glitch, a garbled digit, old fixes re-sent under one
 * timestamp), and a receiver outage.
 */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

static int neg_anchored_together(struct sim *s)
{
    const struct approach *ap = &SIM_OTHER_PORTS[1 + rpick(&s->r, 3)];
    int64_t stay = (int64_t)(rrange(&s->r, 6, 10) * HOUR_MS);
    int64_t t = sim_rtime(s, s->t0 + 5 * HOUR_MS, s->t1 - stay - 5 * HOUR_MS);
    double a1, o1, a2, o2;
    struct vessel *x = sim_port_visit(s, ap, "anchored_together", t, stay, &a1, &o1);
    struct vessel *y = sim_port_visit(s, ap, "anchored_together", t + 20 * MIN_MS, stay, &a2, &o2);
    if (!x || !y) return -1;
    for (int i = 0; i < x->nlegs; i++)
        if (x->legs[i].kind == LEG_STAY) x->legs[i].status = 1;
    for (int i = 0; i < y->nlegs; i++)
        if (y->legs[i].kind == LEG_STAY) y->legs[i].status = 1;
    sim_truth_item(s, 1, "anchored_together", t, t + stay, a1, o1, x->mmsi, y->mmsi);
    return 0;
}

/* Two ships on reciprocal courses pass 250 m apart at 12 kn. */
static int neg_passing_close(struct sim *s)
{
    double la, lo;
    if (sim_pick_spot(s, 30000, &la, &lo)) return 0;
    int64_t t = sim_rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - 4 * HOUR_MS);
    double b = 0, pa = 0, po = 0, qa = 0, qo = 0;
    int ok = 0;
    for (int tries = 0; tries < 50 && !ok; tries++) {
        b = rrange(&s->r, 0, 360);
        sw_geo_dest(la, lo, b + 180, 40000, &pa, &po);
        sw_geo_dest(la, lo, b, 40000, &qa, &qo);
        ok = sim_sea_path(s, pa, po, qa, qo, 8000, 0);
    }
    struct vessel *x = sim_new_vessel(s, "passing_close", 'A');
    struct vessel *y = sim_new_vessel(s, "passing_close", 'A');
    if (!x || !y) return -1;
    if (!ok) return 0;
    double pa2, po2, xa2, xo2, qa2, qo2, kn = 12;
    sw_geo_dest(pa, po, b + 90, 250, &pa2, &po2);
    sw_geo_dest(la, lo, b + 90, 250, &xa2, &xo2);
    sw_geo_dest(qa, qo, b + 90, 250, &qa2, &qo2);
    int64_t tx = t - (int64_t)(40000 / (kn * KN) * 1000.0);
    tx = sim_add_move(x, tx, pa, po, la, lo, kn);
    sim_add_move(x, tx, la, lo, qa, qo, kn);
    int64_t ty = t - (int64_t)(40000 / (kn * KN) * 1000.0);
    ty = sim_add_move(y, ty, qa2, qo2, xa2, xo2, kn);
    sim_add_move(y, ty, xa2, xo2, pa2, po2, kn);
    sim_wander(s, x, s->t1, kn);
    sim_wander(s, y, s->t1, kn);
    sim_truth_item(s, 1, "passing_close", t - HOUR_MS, t + HOUR_MS, la, lo, x->mmsi, y->mmsi);
    return 0;
}

/* A tug and its tow together at 5 kn for hours. */
static int neg_tug_tow(struct sim *s)
{
    double la, lo;
    if (sim_pick_spot(s, 30000, &la, &lo)) return 0;
    int64_t t = sim_rtime(s, s->t0 + 2 * HOUR_MS, s->t1 - 10 * HOUR_MS);
    struct vessel *x = sim_new_vessel(s, "tug", 'A');
    struct vessel *y = sim_new_vessel(s, "tow", 'A');
    if (!x || !y) return -1;
    x->ship_type = 52;
    y->ship_type = 31;
    sim_add_stay(x, t, t + 1000, la, lo, 5, 0, 0);
    x->legs[0].kind = LEG_MOVE;
    sim_wander(s, x, t + 7 * HOUR_MS, 5);
    for (int i = 0; i < x->nlegs && y->nlegs < MAXLEG; i++) {
        struct leg l = x->legs[i];
        double brg = sw_geo_bearing_deg(l.la0, l.lo0, l.la1, l.lo1) + 180;
        sw_geo_dest(l.la0, l.lo0, brg, 200, &l.la0, &l.lo0);
        sw_geo_dest(l.la1, l.lo1, brg, 200, &l.la1, &l.lo1);
        y->legs[y->nlegs++] = l;
    }
    int64_t tend = sim_last_t(x);
    sim_wander(s, x, s->t1, 10);
    sim_wander(s, y, s->t1, 10);
    sim_truth_item(s, 1, "tug_tow", t, tend, la, lo, x->mmsi, y->mmsi);
    return 0;
}

/* A pilot boat alongside a ship at about 1 kn for 20-40 min, about 40 km off Busan. */
static int neg_pilot_visit(struct sim *s)
{
    const struct approach *ap = &SIM_OTHER_PORTS[0];
    double pa, po;
    sw_geo_dest(ap->far_la, ap->far_lo, 180, 5000, &pa, &po);
    int64_t t = sim_rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - 4 * HOUR_MS);
    int64_t dur = (int64_t)rrange(&s->r, 20, 40) * MIN_MS;
    struct vessel *x = sim_new_vessel(s, "pilot_visit_ship", 'A');
    struct vessel *y = sim_new_vessel(s, "pilot", 'A');
    if (!x || !y) return -1;
    y->ship_type = 50;
    if (!sim_approach(s, x, pa, po, t, 10) && !sim_approach(s, y, pa, po, t - 5 * MIN_MS, 15)) {
        sim_add_stay(x, t, t + dur, pa, po, 1.0, 30, 0);
        double ba, bo;
        sw_geo_dest(pa, po, 90, 60, &ba, &bo);
        sim_add_stay(y, t - 5 * MIN_MS, t + dur, ba, bo, 1.0, 30, 0);
        sim_wander(s, x, s->t1, 10);
        sim_wander(s, y, s->t1, 15);
        sim_truth_item(s, 1, "pilot_visit", t, t + dur, pa, po, x->mmsi, y->mmsi);
    }
    return 0;
}

/* A short silence at sea, and a port stop with AIS off in Busan. */
static int neg_silences(struct sim *s)
{
    double la, lo;
    struct vessel *v = sim_wanderer(s, "short_gap", 'A', s->t0, 10, &la, &lo);
    if (v) {
        int64_t t = sim_rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - 8 * HOUR_MS);
        int64_t dur = (int64_t)(rrange(&s->r, 1.5, 4) * HOUR_MS);
        v->silent[v->nsilent++] = (struct span){t, t + dur, 0, 0};
        sim_truth_item(s, 1, "short_gap", t, t + dur, la, lo, v->mmsi, 0);
    }
    int64_t stay = (int64_t)(rrange(&s->r, 15, 18) * HOUR_MS);
    int64_t t = sim_rtime(s, s->t0 + 3 * HOUR_MS, s->t1 - stay - 5 * HOUR_MS);
    double a1, o1;
    v = sim_port_visit(s, &SIM_OTHER_PORTS[0], "port_stop", t, stay, &a1, &o1);
    if (!v) return -1;
    v->silent[v->nsilent++] = (struct span){t + HOUR_MS, t + stay - HOUR_MS, 0, 0};
    sim_truth_item(s, 1, "port_stop", t, t + stay, a1, o1, v->mmsi, 0);
    return 0;
}

/* A merchant ship sailing along the ROK east coast north of Pohang at 10 kn, 3-9.5 nm off it
 * (waypoints: the first point at sea 5.5 nm off the coast, every 0.1 degree of latitude). */
static int neg_coastal_transit(struct sim *s)
{
    double wp[16][2];
    int n = 0;
    for (int i = 0; i < 12; i++) {
        double la = 36.30 + 0.1 * i;
        for (double lo = 129.2; lo < 130.3; lo += 0.005) {
            if (sw_geo_is_land(s->g, la, lo)) continue;
            if (sw_geo_dist_to_shore_capped_m(s->g, la, lo, 5.5 * SW_GEO_NM_M + 1) >=
                5.5 * SW_GEO_NM_M) {
                wp[n][0] = la;
                wp[n][1] = lo;
                n++;
                break;
            }
        }
    }
    for (int i = 0; i + 1 < n; i++) {
        double d = sw_geo_dist_m(wp[i][0], wp[i][1], wp[i + 1][0], wp[i + 1][1]);
        for (int k = 0; k <= (int)(d / 1000); k++) {
            double f = k / (d / 1000 + 1), la = wp[i][0] + f * (wp[i + 1][0] - wp[i][0]);
            double lo = wp[i][1] + f * (wp[i + 1][1] - wp[i][1]);
            double sh = sw_geo_dist_to_shore_capped_m(s->g, la, lo, 10 * SW_GEO_NM_M);
            if (sw_geo_is_land(s->g, la, lo) || sh < 3 * SW_GEO_NM_M || sh > 9.5 * SW_GEO_NM_M)
                return 0;
        }
    }
    if (n < 2) return 0;
    struct vessel *v = sim_new_vessel(s, "coastal_transit", 'A');
    if (!v) return -1;
    v->ship_type = 70;
    int north = rpick(&s->r, 2);
    int64_t dur = (int64_t)(130000 / (10 * KN) * 1000);
    int64_t t = sim_span_time(s, dur, 6, 0, s->t0 + 2 * HOUR_MS, s->t1 - dur - 2 * HOUR_MS), t1 = t;
    for (int i = 0; i + 1 < n; i++) {
        int a = north ? i : n - 1 - i, b = north ? i + 1 : n - 2 - i;
        t1 = sim_add_move(v, t1, wp[a][0], wp[a][1], wp[b][0], wp[b][1], 10);
    }
    sim_wander(s, v, s->t1, 10);
    int a = north ? 0 : n - 1;
    sim_truth_item(s, 1, "coastal_transit", t, t1, wp[a][0], wp[a][1], v->mmsi, 0);
    return 0;
}

/* The names of listed vessels on other ships (their negatives are written from their
 * transmissions, presence_truth in sim.c): a 15 m yacht (type 37) named as a listed tanker; a
 * cargo ship with a listed ship's name and its own valid IMO; a listed tanker's name with
 * nothing else known (class B, no type, no dimensions). */
static int neg_listed_names(struct sim *s)
{
    double la, lo;
    struct vessel *v =
        sim_wanderer(s, "listed_name_yacht", 'B', s->t0 + rpick(&s->r, 240) * MIN_MS, 6, &la, &lo);
    if (v) {
        snprintf(v->name, sizeof v->name, "%s", sim_listed_tanker_name(s));
        v->ship_type = 37;
        v->len = 15;
        v->beam = 4;
    }
    v = sim_wanderer(s, "listed_name_other_imo", 'A', s->t0 + rpick(&s->r, 240) * MIN_MS, 10, &la,
                     &lo);
    if (v) {
        uint32_t imo;
        snprintf(v->name, sizeof v->name, "%s", sim_listed_cargo_name(s, &imo));
        v->ship_type = 70;
        if (v->imo == imo)
            v->imo = (imo / 10 + 1) * 10 + (uint32_t)sw_sim_imo_check_digit((imo / 10 + 1) * 10);
    }
    v = sim_wanderer(s, "listed_name_only", 'B', s->t0 + rpick(&s->r, 240) * MIN_MS, 8, &la, &lo);
    if (v) {
        snprintf(v->name, sizeof v->name, "%s", sim_listed_tanker_name(s));
        v->ship_type = 0;
        v->len = v->beam = 0;
        v->b19 = 0;
    }
    return 0;
}

/* A time when v is well inside a station's range and out of every zone (its odd fix must not
 * touch the zone truth); -1 if none. */
static int64_t quiet_time(struct sim *s, const struct vessel *v)
{
    for (int tries = 0; tries < 20; tries++) {
        int64_t t = sim_covered_time(s, v, s->t0 + 6 * HOUR_MS, s->t1 - 6 * HOUR_MS);
        if (t < 0) return -1;
        int clear = 1;
        for (int64_t u = t - 70 * MIN_MS; u <= t + 30 * MIN_MS && clear; u += 5 * MIN_MS) {
            double a, o;
            sim_track_pos(v, u, &a, &o);
            clear = sim_zones_none(s, a, o);
        }
        if (clear) return t;
    }
    return -1;
}

static void odd_negative(struct sim *s, struct vessel *v, const char *kind, int64_t t0, int64_t t1,
                         const char *variant)
{
    double a, o;
    sim_track_pos(v, v->odd_t, &a, &o);
    json_t *n = sim_truth_item(s, 1, kind, t0, t1, a, o, v->mmsi, 0);
    if (variant) json_object_set_new(sim_details(n), "variant", json_string(variant));
}

/* One fix 50-200 km off at sea (not a power-of-ten step), then back. 1 when planted. */
static int neg_glitch(struct sim *s, int variant)
{
    double la, lo;
    (void)variant;
    struct vessel *v =
        sim_wanderer(s, "single_fix_glitch", 'A', s->t0 + rpick(&s->r, 120) * MIN_MS, 11, &la, &lo);
    if (!v) return 0;
    int64_t t = quiet_time(s, v);
    for (int tries = 0; t >= 0 && tries < 400; tries++) {
        double pa, po, ta, to;
        sim_track_pos(v, t, &pa, &po);
        sw_geo_dest(pa, po, rrange(&s->r, 0, 360), rrange(&s->r, 50000, 200000), &ta, &to);
        if (!sim_spoof_target_ok(s, ta, to, 0) || fabs(fabs(ta - pa) - 1) < 0.05 ||
            fabs(fabs(to - po) - 1) < 0.05)
            continue;
        v->odd = ODD_GLITCH;
        v->odd_t = t;
        v->odd_a = ta;
        v->odd_b = to;
        odd_negative(s, v, "single_fix_glitch", t - 30 * MIN_MS, t + 30 * MIN_MS, NULL);
        return 1;
    }
    v->role = "background";
    return 0;
}

/* One fix with the latitude (or longitude) off by exactly 1.0 or 10.0 degrees, landing at sea,
 * or (on_land) 4 km or more inland: a one-digit garble. 1 when planted. */
static int neg_garble(struct sim *s, int on_land)
{
    double la, lo;
    struct vessel *v =
        sim_wanderer(s, "digit_garble", 'A', s->t0 + rpick(&s->r, 120) * MIN_MS, 11, &la, &lo);
    if (!v) return 0;
    for (int tries = 0; tries < 60; tries++) {
        int64_t t = quiet_time(s, v);
        if (t < 0) break;
        double pa, po, step = rpick(&s->r, 4) ? 1.0 : 10.0, sign = rpick(&s->r, 2) ? 1 : -1;
        int lon = on_land ? rpick(&s->r, 2) : 0;
        sim_track_pos(v, t, &pa, &po);
        double ta = pa + (lon ? 0 : sign * step), to = po + (lon ? sign * step : 0);
        const struct sw_port *p;
        if (ta < -80 || ta > 80 || !sim_zones_none(s, ta, to) ||
            sw_ports_nearest(s->g, ta, to, 25000, &p, NULL) == SW_OK)
            continue;
        int land = sw_geo_is_land(s->g, ta, to);
        double sh = sw_geo_dist_to_shore_m(s->g, ta, to);
        if (on_land ? !land || sh < 4000 : land || sh < 10000) continue;
        v->odd = ODD_GARBLE;
        v->odd_t = t;
        v->odd_a = lon ? 0 : sign * step;
        v->odd_b = lon ? sign * step : 0;
        odd_negative(s, v, "digit_garble", t - 30 * MIN_MS, t + 30 * MIN_MS,
                     on_land ? "on_land" : "at_sea");
        return 1;
    }
    v->role = "background";
    return 0;
}

/* Three fixes of 20, 40 and 60 min before (5 km or more apart from the current one and each
 * other) re-sent with the current timestamp. 1 when planted. */
static int neg_replay(struct sim *s, int variant)
{
    double la, lo;
    struct vessel *v =
        sim_wanderer(s, "same_stamp_rows", 'A', s->t0 + rpick(&s->r, 120) * MIN_MS, 11, &la, &lo);
    if (!v) return 0;
    for (int tries = 0; tries < 20; tries++) {
        int64_t t = quiet_time(s, v);
        if (t < 0) break;
        double p[4][2];
        int ok = 1;
        for (int k = 0; k < 4; k++)
            sim_track_pos(v, t - k * 20 * MIN_MS, &p[k][0], &p[k][1]);
        for (int i = 0; i < 4; i++)
            for (int k = i + 1; k < 4; k++)
                ok &= sw_geo_dist_m(p[i][0], p[i][1], p[k][0], p[k][1]) >= 5000;
        if (!ok) continue;
        v->odd = ODD_REPLAY;
        v->odd_t = t;
        odd_negative(s, v, "same_stamp_rows", t - 70 * MIN_MS, t + 10 * MIN_MS, NULL);
        return 1;
    }
    v->role = "background";
    return 0;
}

/* A vessel may roam where its odd fix cannot be staged (zones all around, no shore station):
 * it then stays as plain traffic and another one is tried. */
static void odd_case(struct sim *s, int (*plant)(struct sim *, int), int variant)
{
    for (int k = 0; k < 4; k++)
        if (plant(s, variant)) return;
}

int sim_negatives(struct sim *s)
{
    double la, lo;
    int rc = neg_anchored_together(s);
    /* the Dalian anchorage lies inside the Korea Bay transfer area */
    rc |= sim_anchorage_wait(s, &SIM_OTHER_PORTS[1], 0, 6);
    rc |= neg_passing_close(s);
    rc |= neg_tug_tow(s);
    rc |= neg_pilot_visit(s);
    rc |= neg_silences(s);
    /* a wandering fishing fleet somewhere (more fishing-speed negatives) */
    if (!sim_pick_spot(s, 40000, &la, &lo))
        rc |= sim_witnesses(s, la, lo, s->t0 + 2 * HOUR_MS, s->t0 + 12 * HOUR_MS, 2);
    rc |= neg_coastal_transit(s);
    rc |= neg_listed_names(s);
    odd_case(s, neg_glitch, 0);
    odd_case(s, neg_garble, 0);
    odd_case(s, neg_garble, 1);
    odd_case(s, neg_replay, 0);
    return rc ? SW_ENOMEM : SW_OK;
}

/* ---- a receiver outage ---------------------------------------------------------------------- */

/* Stations whose range holds water no other station hears, and a centre there (40 km around
 * it: at least 170 km from every other station, within 130 km of this one). */
static const struct {
    const char *station;
    double la, lo;
} OUTAGES[] = {{"rShinpo", 39.9, 129.0}, {"rOki", 36.75, 133.85}, {"rJeju", 32.75, 126.55}};

static int exclusive(size_t st, double la, double lo)
{
    for (size_t i = 0; i < SIM_NSTATIONS; i++) {
        double d = sw_geo_dist_m(la, lo, SIM_STATIONS[i].lat, SIM_STATIONS[i].lon);
        if (i == st ? d + 40000 > 130000 : d - 40000 < 170000) return 0;
    }
    return 1;
}

/* A vessel with a labelled event or negative during [t0, t1] (or one of the shared-IMO pair)
 * is within r_m of the point then: an outage there would hide what is labelled. */
static int truth_in_reach(const struct sim *s, double la, double lo, double r_m, int64_t t0,
                          int64_t t1)
{
    json_t *lists[2] = {s->events, s->negatives};
    for (size_t i = 0; i < s->nv; i++) {
        const struct vessel *v = &s->v[i];
        int64_t a = t0, b = t1, labelled = !strcmp(v->role, "shared_imo");
        for (int l = 0; l < 2 && !labelled; l++) {
            size_t k;
            json_t *it;
            json_array_foreach(lists[l], k, it)
            {
                int64_t ts, te;
                json_t *js = json_object_get(it, "start"), *je = json_object_get(it, "end");
                if (sw_time_parse(json_string_value(js), json_string_length(js), &ts) ||
                    sw_time_parse(json_string_value(je), json_string_length(je), &te) || te < t0 ||
                    ts > t1)
                    continue;
                size_t m;
                json_t *mm;
                json_array_foreach(json_object_get(it, "vessels"), m, mm)
                {
                    json_int_t x = json_integer_value(mm);
                    if (x == v->mmsi || (v->mmsi2 && x == v->mmsi2)) labelled = 1;
                }
                if (labelled) {
                    a = ts > t0 ? ts : t0;
                    b = te < t1 ? te : t1;
                    break;
                }
            }
        }
        if (!labelled) continue;
        for (int64_t u = a; u <= b; u += 10 * MIN_MS) {
            double pa, po;
            if (!sim_active(v, u)) continue;
            sim_track_pos(v, u, &pa, &po);
            if (sw_geo_dist_m(la, lo, pa, po) < r_m) return 1;
        }
    }
    return 0;
}

/* Every vessel in the station's range for 30 min or more during the outage: a receiver_outage
 * negative each (no ais_gap for any of them). */
static void outage_negatives(struct sim *s, size_t st, int64_t t0, int64_t t1)
{
    const struct station *x = &SIM_STATIONS[st];
    for (size_t i = 0; i < s->nv; i++) {
        const struct vessel *v = &s->v[i];
        int n = 0;
        for (int64_t u = t0; u < t1 && n < 3; u += 10 * MIN_MS) {
            double a, o;
            if (!sim_active(v, u)) continue;
            sim_track_pos(v, u, &a, &o);
            n += sw_geo_dist_m(a, o, x->lat, x->lon) < STATION_RANGE_M;
        }
        if (n < 3 || v->clone) continue;
        json_t *o = sim_truth_item(s, 1, "receiver_outage", t0, t1, x->lat, x->lon, v->mmsi, 0);
        json_object_set_new(sim_details(o), "station", json_string(x->name));
    }
}

/* A shore station silent for 14 h, and the satellite not covering its range then: four
 * vessels that sail within its range before, during and after (and anyone else there) are
 * heard by nobody during the outage. Placed after every other labelled vessel, when none of
 * them comes within 165 km of the station from 1 h before to 1 h after while labelled. */
int sim_outage(struct sim *s)
{
    for (size_t k = 0; k < sizeof OUTAGES / sizeof OUTAGES[0]; k++) {
        size_t st = 0;
        while (st < SIM_NSTATIONS && strcmp(SIM_STATIONS[st].name, OUTAGES[k].station))
            st++;
        double cla = OUTAGES[k].la, clo = OUTAGES[k].lo;
        if (st == SIM_NSTATIONS || !exclusive(st, cla, clo)) continue;
        int64_t dur = 14 * HOUR_MS, t = -1, lo = s->t0 + 4 * HOUR_MS,
                hi = s->t1 - dur - 4 * HOUR_MS;
        /* across a midnight if it can be, else the first free half hour */
        for (int64_t tries = 0, u; tries < 6 + (hi - lo) / (30 * MIN_MS) && t < 0; tries++) {
            u = tries < 6 ? sim_span_time(s, dur, 24, 0, lo, hi) : lo + (tries - 6) * 30 * MIN_MS;
            if (!truth_in_reach(s, SIM_STATIONS[st].lat, SIM_STATIONS[st].lon,
                                STATION_RANGE_M + 15000, u - HOUR_MS, u + dur + HOUR_MS))
                t = u;
        }
        if (t < 0) continue;
        for (int i = 0; i < 4; i++) {
            struct vessel *v = sim_new_vessel(s, "outage", 'A');
            if (!v) return SW_ENOMEM;
            double a = cla, o = clo;
            for (int tries = 0; tries < 50; tries++) {
                sw_geo_dest(cla, clo, rrange(&s->r, 0, 360), rrange(&s->r, 0, 35000), &a, &o);
                if (!sw_geo_is_land(s->g, a, o) && sw_geo_dist_to_shore_m(s->g, a, o) > 25000)
                    break;
            }
            sim_add_move(v, s->t0 + rpick(&s->r, 30) * MIN_MS, a, o, a, o, 9);
            sim_wander_within(s, v, s->t1, rrange(&s->r, 8, 11), cla, clo, 40000, 25000);
        }
        outage_negatives(s, st, t, t + dur);
        s->outage_station = (int)st;
        s->outage_t0 = t;
        s->outage_t1 = t + dur;
        return SW_OK;
    }
    return SW_OK;
}
