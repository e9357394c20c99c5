/*
 * Issue 15's behaviour (docs/simulate.md, "Cases"): tanker deliveries to the DPRK (a call
 * at the Nampo anchorage, a dark call there, a ship-to-ship meeting in Korea Bay), each
 * tanker of a known deadweight whose draught drops after the delivery; the Rajin-Vostochny
 * shuttle (a voyage with a dark leg, and a round trip with the call at Rajin dark); hard
 * negatives (a tanker passing the DPRK coast without stopping, a gap too short to reach any
 * port). Then the truth derived for every gap and dark rendezvous of the run: the possible
 * port calls its geometry allows, by sea distance at the vessel's speed (borderline ones
 * "optional": neither counted nor missed), and the deliveries the cap tracker must find.
 */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/cases.h"
#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#define TANKER_BPT 7.23 /* gas/diesel oil, barrels per tonne (UN Statistics Division) */

/* Vostochny's berth and the way into its bay (the sea router's path from the bay's mouth);
 * Najin's from SIM_KP_PORTS. */
static const double VOST[2] = {42.745, 133.045}, VOST_MID[2] = {42.7448, 133.026},
                    VOST_NEAR[2] = {42.7344, 133.0052};
/* From off Najin to off Vostochny, at sea. */
static const double SHUTTLE_WAY[][2] = {
    {41.95, 130.85}, {42.30, 131.60}, {42.50, 132.40}, {42.62, 132.90}};
#define NWAY (sizeof SHUTTLE_WAY / sizeof SHUTTLE_WAY[0])

/* A tanker of deadweight dwt: its length and beam as the design ratios give them (L/B 6.3),
 * the beam a few percent off, as real ships are. */
static void make_tanker(struct sim *s, struct vessel *v, double dwt)
{
    double lb = pow(dwt / 0.043085, 1 / 1.58493), l = sqrt(lb * 6.3);
    v->ship_type = 80 + rpick(&s->r, 5);
    v->dwt = dwt;
    v->len = (int)lround(l);
    v->beam = (int)lround(lb / l * rrange(&s->r, 0.97, 1.03));
    v->draught = rrange(&s->r, 5.0, 6.5);
    v->draught2 = rrange(&s->r, 2.5, 3.5);
}

/* The way between two points through the given waypoints (forward or back). */
static int64_t sail_way(struct vessel *v, int64_t t, const double (*w)[2], size_t n, int back,
                        double kn)
{
    for (size_t i = 0; i + 1 < n; i++) {
        size_t a = back ? n - 1 - i : i, b = back ? n - 2 - i : i + 1;
        t = sim_add_move(v, t, w[a][0], w[a][1], w[b][0], w[b][1], kn);
    }
    return t;
}

static json_t *port_call_item(struct sim *s, const struct vessel *v, int64_t t0, int64_t t1,
                              double la, double lo, const char *port, const char *country)
{
    json_t *o = sim_truth_item(s, 0, "port_call", t0, t1, la, lo, v->mmsi, 0);
    json_object_set_new(o, "port", json_pack("{s:s,s:s}", "name", port, "country", country));
    return o;
}

/* A drift the dark_rendezvous rule could pair with v's silence in [t0, t1] (its detour by
 * great circle within 1.2 times its speed, 4 h alongside): the detector may report it, so
 * the truth says so, as optional (with the possible call it would make). */
static void optional_rendezvous(struct sim *s, const struct vessel *v, int64_t t0, int64_t t1,
                                double kn)
{
    double a0, o0, a1, o1, vms = 1.2 * kn * KN, gap_s = (double)(t1 - t0) / 1000.0;
    sim_track_pos(v, t0, &a0, &o0);
    sim_track_pos(v, t1, &a1, &o1);
    for (size_t k = 0; k < s->nv; k++) {
        const struct vessel *w = &s->v[k];
        for (int i = 0; w != v && i < w->nlegs; i++) {
            const struct leg *l = &w->legs[i];
            const struct sw_port *p;
            if (l->kind != LEG_STAY || l->kn >= 2 || l->t1 - l->t0 < 3 * HOUR_MS || l->t1 < t0 ||
                l->t0 > t1 || sw_ports_area(s->g, l->la0, l->lo0, &p) == SW_OK)
                continue;
            double a = sw_geo_dist_m(a0, o0, l->la0, l->lo0),
                   b = sw_geo_dist_m(l->la0, l->lo0, a1, o1);
            if (a + b > vms * gap_s * 1.1) continue;
            double arrive = (double)t0 + a / vms * 1000, leave = (double)t1 - b / vms * 1000;
            double along = fmin(leave, (double)l->t1) - fmax(arrive, (double)l->t0);
            if (along < 3 * HOUR_MS) continue;
            json_t *o =
                sim_truth_item(s, 0, "dark_rendezvous", t0, t1, l->la0, l->lo0, w->mmsi, v->mmsi);
            json_object_set_new(o, "optional", json_true());
            o = sim_truth_item(s, 0, "possible_port_call", t0, t1, l->la0, l->lo0, v->mmsi,
                               w->mmsi);
            json_object_set_new(o, "optional", json_true());
        }
    }
}

/* A tanker calls at the Nampo anchorage for 6-10 h and leaves lighter. */
static int tanker_call(struct sim *s)
{
    const struct approach *ap = &SIM_KP_PORTS[0];
    int64_t stay = (int64_t)(rrange(&s->r, 6, 10) * HOUR_MS);
    int64_t t = sim_rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - stay - 8 * HOUR_MS);
    double la, lo;
    struct vessel *v = sim_port_visit(s, ap, "tanker_delivery", t, stay, &la, &lo);
    if (!v) return -1;
    make_tanker(s, v, rrange(&s->r, 1500, 6000));
    for (int i = 0; i < v->nlegs; i++)
        if (v->legs[i].kind == LEG_STAY) {
            v->t_draught = v->legs[i].t1 + 30 * MIN_MS;
            port_call_item(s, v, v->legs[i].t0, v->legs[i].t1, la, lo, ap->port, "KP");
            break;
        }
    return 0;
}

/* A tanker goes dark 40-70 km beyond Nampo's far point, sails in to the anchorage, stays
 * 4-8 h, sails back out and reappears; fishing vessels around where it went dark. */
static int tanker_dark_call(struct sim *s)
{
    const struct approach *ap = &SIM_KP_PORTS[0];
    double kn = 11, p1a = 0, p1o = 0;
    int ok = 0;
    for (int tries = 0; tries < 200 && !ok; tries++) {
        sw_geo_dest(ap->far_la, ap->far_lo, rrange(&s->r, 180, 270), rrange(&s->r, 40000, 70000),
                    &p1a, &p1o);
        ok = sim_sea_path(s, p1a, p1o, ap->far_la, ap->far_lo, 15000, 0) &&
             sim_heard_by_station(p1a, p1o, 20000) && sim_zone_clear(s, p1a, p1o, 5000);
    }
    if (!ok) return 0;
    double d1 = sw_geo_dist_m(p1a, p1o, ap->far_la, ap->far_lo) +
                sw_geo_dist_m(ap->far_la, ap->far_lo, ap->near_la, ap->near_lo) +
                sw_geo_dist_m(ap->near_la, ap->near_lo, ap->port_la, ap->port_lo);
    int64_t stay = (int64_t)(rrange(&s->r, 4, 8) * HOUR_MS);
    int64_t sail = (int64_t)(d1 / (kn * KN) * 1000.0), gap = 2 * sail + stay + 20 * MIN_MS;
    int64_t t = sim_rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - gap - 4 * HOUR_MS);
    struct vessel *v = sim_new_vessel(s, "tanker_dark_call", 'A');
    if (!v) return -1;
    make_tanker(s, v, rrange(&s->r, 1500, 6000));
    if (sim_approach(s, v, p1a, p1o, t, kn)) return 0;
    int64_t u = sim_add_move(v, t, p1a, p1o, ap->far_la, ap->far_lo, kn);
    u = sim_add_move(v, u, ap->far_la, ap->far_lo, ap->near_la, ap->near_lo, kn);
    u = sim_add_move(v, u, ap->near_la, ap->near_lo, ap->port_la, ap->port_lo, kn);
    u = sim_add_stay(v, u, u + stay, ap->port_la, ap->port_lo, 0.1, 15, 5);
    v->t_draught = u + 10 * MIN_MS; /* updated before it is heard again */
    u = sim_add_move(v, u, ap->port_la, ap->port_lo, ap->near_la, ap->near_lo, kn);
    u = sim_add_move(v, u, ap->near_la, ap->near_lo, ap->far_la, ap->far_lo, kn);
    u = sim_add_move(v, u, ap->far_la, ap->far_lo, p1a, p1o, kn);
    sim_wander(s, v, s->t1, kn);
    v->silent[v->nsilent++] = (struct span){t, u, 0, 0};
    sim_add_spot(s, p1a, p1o);
    json_t *o = sim_truth_item(s, 0, "ais_gap", t, u, p1a, p1o, v->mmsi, 0);
    json_object_set_new(sim_details(o), "reception", json_string("good"));
    optional_rendezvous(s, v, t, u, kn);
    return sim_witnesses(s, p1a, p1o, t - 2 * HOUR_MS, u + 2 * HOUR_MS, 3);
}

/* A tanker and a DPRK-flagged tanker drift 80-250 m apart for 2.5-3.5 h in Korea Bay. */
static int tanker_sts(struct sim *s)
{
    static const double box[4] = {38.95, 39.40, 123.60, 124.30};
    double la = 0, lo = 0;
    int ok = 0;
    for (int tries = 0; tries < 400 && !ok; tries++) {
        la = rrange(&s->r, box[0], box[1]);
        lo = rrange(&s->r, box[2], box[3]);
        const struct sw_port *p;
        ok = !sw_geo_is_land(s->g, la, lo) &&
             sw_geo_dist_to_shore_capped_m(s->g, la, lo, 20000) >= 20000 &&
             sw_ports_nearest(s->g, la, lo, 30000, &p, NULL) != SW_OK &&
             sim_heard_by_station(la, lo, 20000) && sim_zone_clear(s, la, lo, 3000);
        for (int k = 0; ok && k < s->nspots; k++)
            ok = sw_geo_dist_m(la, lo, s->spots[k][0], s->spots[k][1]) > 40000;
    }
    if (!ok) return 0;
    sim_add_spot(s, la, lo);
    int64_t dur = (int64_t)(rrange(&s->r, 2.5, 3.5) * HOUR_MS);
    int64_t t = sim_rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - dur - 4 * HOUR_MS);
    struct vessel *a = sim_new_vessel(s, "tanker_sts", 'A'), *b;
    if (!a) return -1;
    make_tanker(s, a, rrange(&s->r, 2000, 6000));
    if (sim_approach(s, a, la, lo, t, 11)) return 0;
    sim_add_stay(a, t, t + dur, la, lo, 0.5, 60, 0);
    a->t_draught = t + dur + 20 * MIN_MS;
    sim_wander(s, a, s->t1, 11);
    double lb, ob;
    sw_geo_dest(la, lo, rrange(&s->r, 0, 360), rrange(&s->r, 80, 250), &lb, &ob);
    if (!(b = sim_new_vessel(s, "tanker_sts", 'A'))) return -1;
    make_tanker(s, b, rrange(&s->r, 800, 1800));
    b->mmsi = 445000000u + b->mmsi % 1000000u;
    sim_encounter_partner(s, a, b, la, lo, lb, ob, t, dur);
    return 0;
}

static json_t *voyage_item(struct sim *s, const struct vessel *v, int64_t t0, int64_t t1,
                           const char *from, const char *to, double la, double lo)
{
    json_t *o = sim_truth_item(s, 0, "corridor_voyage", t0, t1, la, lo, v->mmsi, 0);
    json_object_set_new(sim_details(o), "from", json_string(from));
    json_object_set_new(sim_details(o), "to", json_string(to));
    return o;
}

/* Najin 4-7 h, then to Vostochny at 11 kn, dark for 5-8 h on the way, 4-6 h at Vostochny. */
static int shuttle(struct sim *s)
{
    const struct approach *nj = &SIM_KP_PORTS[2];
    double kn = 11;
    struct vessel *v = sim_new_vessel(s, "shuttle", 'A');
    if (!v) return -1;
    v->mmsi = 273000000u + v->mmsi % 1000000u;
    v->ship_type = 70;
    int64_t t = sim_rtime(s, s->t0 + HOUR_MS, s->t0 + 3 * HOUR_MS);
    int64_t stay1 = (int64_t)(rrange(&s->r, 4, 7) * HOUR_MS);
    t = sim_add_move(v, t, nj->far_la, nj->far_lo, nj->near_la, nj->near_lo, kn); /* in from sea */
    t = sim_add_move(v, t, nj->near_la, nj->near_lo, nj->port_la, nj->port_lo, 5);
    int64_t u = sim_add_stay(v, t, t + stay1, nj->port_la, nj->port_lo, 0.1, 15, 5);
    port_call_item(s, v, t, u, nj->port_la, nj->port_lo, nj->port, "KP");
    int64_t dep = u;
    u = sim_add_move(v, u, nj->port_la, nj->port_lo, nj->near_la, nj->near_lo, kn);
    u = sim_add_move(v, u, nj->near_la, nj->near_lo, SHUTTLE_WAY[0][0], SHUTTLE_WAY[0][1], kn);
    int64_t dark0 = u + (int64_t)(rrange(&s->r, 0.5, 1.5) * HOUR_MS);
    u = sail_way(v, u, SHUTTLE_WAY, NWAY, 0, kn);
    u = sim_add_move(v, u, SHUTTLE_WAY[NWAY - 1][0], SHUTTLE_WAY[NWAY - 1][1], VOST_NEAR[0],
                     VOST_NEAR[1], kn);
    u = sim_add_move(v, u, VOST_NEAR[0], VOST_NEAR[1], VOST_MID[0], VOST_MID[1], 6);
    u = sim_add_move(v, u, VOST_MID[0], VOST_MID[1], VOST[0], VOST[1], 6);
    int64_t arr = u, dark1 = dark0 + (int64_t)(rrange(&s->r, 5, 8) * HOUR_MS);
    if (dark1 > arr - HOUR_MS) dark1 = arr - HOUR_MS;
    sim_add_stay(v, u, u + (int64_t)(rrange(&s->r, 4, 6) * HOUR_MS), VOST[0], VOST[1], 0.1, 15, 5);
    sim_add_stay(v, sim_last_t(v), s->t1 + HOUR_MS, VOST[0], VOST[1], 0.1, 15, 5);
    v->silent[v->nsilent++] = (struct span){dark0, dark1, 0, 0};
    voyage_item(s, v, dep, arr, nj->port, "Vostochny", VOST[0], VOST[1]);
    return 0;
}

/* Vostochny 2-3 h, out for 1 h, dark to Najin (3-5 h there) and back, heard 1 h before
 * Vostochny again: two voyages through a call at Najin no one saw. */
static int shuttle_dark(struct sim *s)
{
    const struct approach *nj = &SIM_KP_PORTS[2];
    double kn = 12;
    struct vessel *v = sim_new_vessel(s, "shuttle_dark", 'A');
    if (!v) return -1;
    v->mmsi = 273000000u + v->mmsi % 1000000u;
    v->ship_type = 70;
    int64_t t = s->t0 + (int64_t)(rrange(&s->r, 0.2, 1.0) * HOUR_MS);
    t = sim_add_move(v, t, SHUTTLE_WAY[NWAY - 1][0], SHUTTLE_WAY[NWAY - 1][1], VOST_NEAR[0],
                     VOST_NEAR[1], kn); /* in from sea */
    t = sim_add_move(v, t, VOST_NEAR[0], VOST_NEAR[1], VOST_MID[0], VOST_MID[1], 6);
    t = sim_add_move(v, t, VOST_MID[0], VOST_MID[1], VOST[0], VOST[1], 6);
    int64_t u = sim_add_stay(v, t, t + (int64_t)(rrange(&s->r, 2, 3) * HOUR_MS), VOST[0], VOST[1],
                             0.1, 15, 5);
    int64_t dep = u;
    u = sim_add_move(v, u, VOST[0], VOST[1], VOST_MID[0], VOST_MID[1], 6);
    u = sim_add_move(v, u, VOST_MID[0], VOST_MID[1], VOST_NEAR[0], VOST_NEAR[1], 6);
    u = sim_add_move(v, u, VOST_NEAR[0], VOST_NEAR[1], SHUTTLE_WAY[NWAY - 1][0],
                     SHUTTLE_WAY[NWAY - 1][1], kn);
    int64_t dark0 = u;
    u = sail_way(v, u, SHUTTLE_WAY, NWAY, 1, kn);
    u = sim_add_move(v, u, SHUTTLE_WAY[0][0], SHUTTLE_WAY[0][1], nj->near_la, nj->near_lo, kn);
    u = sim_add_move(v, u, nj->near_la, nj->near_lo, nj->port_la, nj->port_lo, kn);
    int64_t at_nj = u;
    u = sim_add_stay(v, u, u + (int64_t)(rrange(&s->r, 3, 5) * HOUR_MS), nj->port_la, nj->port_lo,
                     0.1, 15, 5);
    int64_t left_nj = u;
    u = sim_add_move(v, u, nj->port_la, nj->port_lo, nj->near_la, nj->near_lo, kn);
    u = sim_add_move(v, u, nj->near_la, nj->near_lo, SHUTTLE_WAY[0][0], SHUTTLE_WAY[0][1], kn);
    u = sail_way(v, u, SHUTTLE_WAY, NWAY, 0, kn);
    int64_t dark1 = u;
    u = sim_add_move(v, u, SHUTTLE_WAY[NWAY - 1][0], SHUTTLE_WAY[NWAY - 1][1], VOST_NEAR[0],
                     VOST_NEAR[1], kn);
    u = sim_add_move(v, u, VOST_NEAR[0], VOST_NEAR[1], VOST_MID[0], VOST_MID[1], 6);
    u = sim_add_move(v, u, VOST_MID[0], VOST_MID[1], VOST[0], VOST[1], 6);
    int64_t arr = u;
    sim_add_stay(v, u, s->t1 + HOUR_MS, VOST[0], VOST[1], 0.1, 15, 5);
    if (arr > s->t1 - HOUR_MS) { /* does not fit this run: forget it */
        s->nv--;
        return 0;
    }
    v->silent[v->nsilent++] = (struct span){dark0, dark1, 0, 0};
    json_t *o = sim_truth_item(s, 0, "ais_gap", dark0, dark1, SHUTTLE_WAY[NWAY - 1][0],
                               SHUTTLE_WAY[NWAY - 1][1], v->mmsi, 0);
    json_object_set_new(sim_details(o), "reception", json_string("good"));
    optional_rendezvous(s, v, dark0, dark1, kn);
    voyage_item(s, v, dep, at_nj, "Vostochny", nj->port, nj->port_la, nj->port_lo);
    voyage_item(s, v, left_nj, arr, nj->port, "Vostochny", VOST[0], VOST[1]);
    return sim_witnesses(s, SHUTTLE_WAY[NWAY - 1][0], SHUTTLE_WAY[NWAY - 1][1], dark0 - 2 * HOUR_MS,
                         dark1 + 2 * HOUR_MS, 3);
}

/* Hard negatives: a tanker sailing along the DPRK west coast at 12 kn, 25-40 km off, never
 * stopping; and a gap of 12.5-13.5 h in the East China Sea, too short to reach any port. */
static int tanker_passing(struct sim *s)
{
    static const double way[][2] = {
        {37.55, 124.30}, {38.20, 124.35}, {38.75, 124.20}, {39.25, 123.95}};
    struct vessel *v = sim_new_vessel(s, "tanker_passing", 'A');
    if (!v) return -1;
    make_tanker(s, v, rrange(&s->r, 2000, 6000));
    v->draught2 = v->draught;
    int64_t t = sim_rtime(s, s->t0 + 2 * HOUR_MS, s->t1 - 14 * HOUR_MS);
    int64_t u = sail_way(v, t, way, 4, rpick(&s->r, 2), 12);
    sim_wander(s, v, s->t1, 12);
    sim_truth_item(s, 1, "tanker_passing", t, u, way[1][0], way[1][1], v->mmsi, 0);
    return 0;
}

static int gap_out_of_reach(struct sim *s)
{
    for (int tries = 0; tries < 40; tries++) {
        double la = rrange(&s->r, 30.5, 32.5), lo = rrange(&s->r, 123.0, 125.0);
        if (sw_geo_is_land(s->g, la, lo) || sw_geo_dist_to_shore_m(s->g, la, lo) < 60000 ||
            !sim_heard_by_station(la, lo, 0) || !sim_zone_clear(s, la, lo, 30000))
            continue;
        int64_t gap = (int64_t)(rrange(&s->r, 12.5, 13.5) * HOUR_MS);
        int64_t t = sim_rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - gap - 4 * HOUR_MS);
        struct vessel *v = sim_new_vessel(s, "gap_out_of_reach", 'A');
        if (!v) return -1;
        if (sim_approach(s, v, la, lo, t, 9)) {
            s->nv--;
            continue;
        }
        sim_wander_within(s, v, s->t1, 9, la, lo, 60000, 30000);
        if (sim_drift_in_reach(s, v, t, t + gap, 9)) {
            s->nv--;
            continue;
        }
        v->silent[v->nsilent++] = (struct span){t, t + gap, 0, 0};
        sim_add_spot(s, la, lo);
        json_t *o = sim_truth_item(s, 0, "ais_gap", t, t + gap, la, lo, v->mmsi, 0);
        json_object_set_new(sim_details(o), "reception", json_string("good"));
        sim_truth_item(s, 1, "gap_out_of_reach", t, t + gap, la, lo, v->mmsi, 0);
        return sim_witnesses(s, la, lo, t - 2 * HOUR_MS, t + gap + 2 * HOUR_MS, 3);
    }
    return 0;
}

int sim_cases(struct sim *s)
{
    int rc = tanker_call(s);
    if (!rc) rc = tanker_dark_call(s);
    if (!rc) rc = tanker_sts(s);
    if (!rc) rc = shuttle(s);
    if (!rc) rc = shuttle_dark(s);
    if (!rc) rc = tanker_passing(s);
    if (!rc) rc = gap_out_of_reach(s);
    return rc ? SW_ENOMEM : SW_OK;
}

/* ---- the truth derived from the plan -------------------------------------------------------- */

static struct vessel *by_mmsi(struct sim *s, uint32_t mmsi)
{
    for (size_t i = 0; i < s->nv; i++)
        if (s->v[i].mmsi == mmsi && !s->v[i].clone) return &s->v[i];
    return NULL;
}

static int64_t item_time(const json_t *o, const char *key)
{
    const char *t = json_string_value(json_object_get(o, key));
    int64_t ms = 0;
    if (t) sw_time_parse(t, strlen(t), &ms);
    return ms;
}

/* The speed the cases stage takes for a vessel silent from t0: its top speed before (the
 * planned speeds; what it broadcast is up to 0.3 kn over), capped by its type. */
static void speeds_before(const struct sim *s, const struct vessel *v, int64_t t0, double out[2])
{
    struct sw_cases_params p;
    double top = 0, cap, def;
    sw_cases_params_default(&p);
    for (int i = 0; i < v->nlegs; i++)
        if (v->legs[i].kind == LEG_MOVE && v->legs[i].t0 < t0 &&
            v->legs[i].t1 - v->legs[i].t0 > 10 * MIN_MS)
            top = fmax(top, v->legs[i].kn);
    sw_cases_type_speeds(v->ship_type, &cap, &def);
    (void)s;
    out[0] = top < p.ppc_min_top_kn ? def : fmin(top, cap);
    out[1] = top < p.ppc_min_top_kn ? def : fmin(top + 0.3, cap);
}

/* The longest stay at any sensitive port (and its port) for the gap at speed kn; with a
 * loiterer (L's position and drift) when l. */
static double best_stay(struct sw_cases *c, const struct sw_cases_gap *gp, const struct leg *l,
                        int *port)
{
    struct sw_cases_reach r[8];
    size_t n = 0;
    int rc = l ? sw_cases_reach_rendezvous(c, gp, l->la0, l->lo0, l->t0, l->t1, 4.0, 1.0, r, 8, &n)
               : sw_cases_reach(c, gp, 1.0, r, 8, &n, NULL);
    if (rc || !n) return -1;
    *port = r[0].port;
    return r[0].stay_h;
}

/* A possible_port_call truth item for the gap of v in [t0, t1] (with the loiterer l when a
 * dark rendezvous): certain when the longest stay is over 2.5 h at both speeds, "optional"
 * when it is between 1.5 h and 2.5 h at either (the minimum is 2 h), none under. */
static int ppc_item(struct sim *s, struct sw_cases *c, struct vessel *v, const struct vessel *lv,
                    const struct leg *l, int64_t t0, int64_t t1)
{
    double kn[2], st[2];
    int port = -1;
    speeds_before(s, v, t0, kn);
    for (int k = 0; k < 2; k++) {
        struct sw_cases_gap gp = {0};
        gp.t0 = t0;
        gp.t1 = t1;
        gp.speed_kn = kn[k];
        sim_track_pos(v, t0, &gp.lat0, &gp.lon0);
        sim_track_pos(v, t1, &gp.lat1, &gp.lon1);
        st[k] = best_stay(c, &gp, l, &port);
    }
    double lo = fmin(st[0], st[1]), hi = fmax(st[0], st[1]);
    if (hi < 1.5 || port < 0) return 0;
    const struct sw_cases_port *p = sw_cases_port(c, (size_t)port);
    json_t *o = sim_truth_item(s, 0, "possible_port_call", t0, t1, p->lat, p->lon, v->mmsi,
                               lv ? lv->mmsi : 0);
    json_object_set_new(o, "port", json_pack("{s:s,s:s}", "name", p->name, "country", p->country));
    json_object_set_new(sim_details(o), "max_stay_h", json_real(round(hi * 10) / 10));
    if (lo < 2.5) json_object_set_new(o, "optional", json_true());
    return 0;
}

static const struct leg *drift_at(const struct vessel *v, int64_t t)
{
    for (int i = 0; i < v->nlegs; i++)
        if (v->legs[i].kind == LEG_STAY && v->legs[i].t0 <= t && v->legs[i].t1 >= t)
            return &v->legs[i];
    return NULL;
}

/* ---- deliveries */

struct cand {
    uint32_t mmsi;
    int kind, optional;
    int64_t t, t_end;
    double dwt;
};

static int tanker(const struct vessel *v)
{
    return v && v->ship_type >= 80 && v->ship_type <= 89;
}

static double dwt_of(const struct vessel *v)
{
    return v->dwt > 0 ? v->dwt : sw_cases_dwt_model(v->len, v->beam);
}

static int sts_area(const struct sim *s, double la, double lo)
{
    const struct sw_zone *z[8];
    size_t n = 0;
    sw_zones_lookup(s->g, la, lo, z, 8, &n);
    for (size_t i = 0; i < n && i < 8; i++)
        if (!strncmp(z[i]->id, "kp-", 3) || !strcmp(z[i]->kind, "transfer_area")) return 1;
    return 0;
}

/* The candidate delivery a truth item makes (0 none). */
static int candidate(struct sim *s, const json_t *o, struct cand *d)
{
    const char *type = json_string_value(json_object_get(o, "type"));
    const json_t *vs = json_object_get(o, "vessels");
    struct vessel *a = by_mmsi(s, (uint32_t)json_integer_value(json_array_get(vs, 0)));
    struct vessel *b = by_mmsi(s, (uint32_t)json_integer_value(json_array_get(vs, 1)));
    const char *country = json_string_value(json_object_get(json_object_get(o, "port"), "country"));
    memset(d, 0, sizeof *d);
    d->t = item_time(o, "start");
    d->t_end = item_time(o, "end");
    d->optional = json_is_true(json_object_get(o, "optional"));
    struct vessel *v = NULL;
    if (!strcmp(type, "port_call") && country && !strcmp(country, "KP") && tanker(a)) {
        v = a;
        d->kind = 0;
    } else if (!strcmp(type, "possible_port_call") && country && !strcmp(country, "KP") &&
               tanker(a)) {
        v = a;
        d->kind = 1;
        d->t_end = d->t;
    } else if ((!strcmp(type, "encounter") || !strcmp(type, "dark_rendezvous")) &&
               sts_area(s, json_number_value(json_object_get(o, "lat")),
                        json_number_value(json_object_get(o, "lon")))) {
        v = tanker(a) && tanker(b) ? (dwt_of(a) <= dwt_of(b) ? a : b)
            : tanker(a)            ? a
            : tanker(b)            ? b
                                   : NULL;
        d->kind = 2;
    }
    if (!v) return 0;
    d->mmsi = v->mmsi;
    d->dwt = dwt_of(v);
    return 1;
}

static int by_vessel_time(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    if (a->mmsi != b->mmsi) return a->mmsi < b->mmsi ? -1 : 1;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    return a->kind - b->kind;
}

/* "cap": the deliveries (one per tanker and day, as the tracker counts them) with their
 * true volumes at 33/50/90% laden of gas/diesel oil, and the sums of the certain ones. */
static int cap_truth(struct sim *s)
{
    size_t n = json_array_size(s->events), k = 0;
    struct cand *d = malloc((n ? n : 1) * sizeof *d);
    if (!d) return SW_ENOMEM;
    for (size_t i = 0; i < n; i++)
        k += (size_t)candidate(s, json_array_get(s->events, i), &d[k]);
    qsort(d, k, sizeof *d, by_vessel_time);
    size_t w = 0;
    for (size_t i = 0; i < k; i++) {
        if (w && d[w - 1].mmsi == d[i].mmsi && d[i].t <= d[w - 1].t_end + DAY_MS) {
            d[w - 1].optional &= d[i].optional;
            if (d[i].t_end > d[w - 1].t_end) d[w - 1].t_end = d[i].t_end;
            continue;
        }
        d[w++] = d[i];
    }
    static const char *const kinds[] = {"port_call", "possible_port_call", "ship_to_ship"};
    json_t *arr = json_array();
    double sum[3] = {0};
    int certain = 0;
    for (size_t i = 0; i < w; i++) {
        json_t *o =
            json_pack("{s:I,s:s,s:f,s:b}", "mmsi", (json_int_t)d[i].mmsi, "kind", kinds[d[i].kind],
                      "dwt_t", round(d[i].dwt), "optional", d[i].optional);
        sim_put_time(o, "time", d[i].t);
        json_t *b = json_array();
        for (int f = 0; f < 3; f++) {
            double v = d[i].dwt * TANKER_BPT * sw_cases_fractions[f];
            json_array_append_new(b, json_real(round(v)));
            if (!d[i].optional) sum[f] += round(v);
        }
        certain += !d[i].optional;
        json_object_set_new(o, "bbl", b);
        json_array_append_new(arr, o);
    }
    free(d);
    s->cap = json_pack("{s:o,s:i,s:[f,f,f],s:f}", "deliveries", arr, "certain", certain, "bbl",
                       sum[0], sum[1], sum[2], "bbl_per_t", TANKER_BPT);
    return s->cap ? SW_OK : SW_ENOMEM;
}

int sim_cases_truth(struct sim *s)
{
    struct sw_cases_params p;
    struct sw_cases *c = NULL;
    char err[SW_ERRMAX];
    sw_cases_params_default(&p);
    int rc = sw_cases_new(&c, s->g, &p, err);
    if (rc) return rc;
    size_t n = json_array_size(s->events);
    for (size_t i = 0; i < n && rc == SW_OK; i++) {
        const json_t *o = json_array_get(s->events, i);
        const char *type = json_string_value(json_object_get(o, "type"));
        const json_t *vs = json_object_get(o, "vessels");
        int64_t t0 = item_time(o, "start"), t1 = item_time(o, "end");
        if (!strcmp(type, "ais_gap")) {
            struct vessel *v = by_mmsi(s, (uint32_t)json_integer_value(json_array_get(vs, 0)));
            if (v) rc = ppc_item(s, c, v, NULL, NULL, t0, t1);
        } else if (!strcmp(type, "dark_rendezvous")) { /* vessels: the loiterer, the dark one */
            struct vessel *l = by_mmsi(s, (uint32_t)json_integer_value(json_array_get(vs, 0)));
            struct vessel *v = by_mmsi(s, (uint32_t)json_integer_value(json_array_get(vs, 1)));
            const struct leg *drift = l ? drift_at(l, t0 + (t1 - t0) / 2) : NULL;
            if (v && drift) rc = ppc_item(s, c, v, l, drift, t0, t1);
        }
    }
    sw_cases_free(c);
    return rc ? rc : cap_truth(s);
}
