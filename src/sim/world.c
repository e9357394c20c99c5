/*
 * The simulator's world (sim_int.h): receivers, lanes, ports and open-sea boxes; vessels and
 * their timelines of legs (sail from A to B, or stay at a point); where behaviour is placed
 * (open sea, or off a coast at a distance band, always checked against the land mask, port
 * areas and zone boundaries) and when (across a split boundary); the truth items.
 */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

/* Shore receivers (public locations of coastal towns and islands) and one satellite. */
const struct station SIM_STATIONS[] = {
    {"rShanghai", 31.23, 121.95}, {"rZhoushan", 30.0, 122.4},     {"rQingdao", 36.05, 120.45},
    {"rShidao", 36.88, 122.43},   {"rDalian", 38.9, 121.65},      {"rDandong", 39.85, 124.15},
    {"rIncheon", 37.45, 126.6},   {"rBaengnyeong", 37.95, 124.7}, {"rMokpo", 34.8, 126.38},
    {"rJeju", 33.5, 126.52},      {"rBusan", 35.1, 129.05},       {"rPohang", 36.02, 129.4},
    {"rUlleung", 37.5, 130.87},   {"rVladivostok", 43.1, 131.9},  {"rNakhodka", 42.8, 132.9},
    {"rPosyet", 42.65, 130.8},    {"rFukuoka", 33.6, 130.4},      {"rOki", 36.2, 133.3},
    {"rSadoga", 38.0, 138.4},     {"rShinpo", 40.0, 128.2},
};
const size_t SIM_NSTATIONS = sizeof SIM_STATIONS / sizeof SIM_STATIONS[0];

/* DPRK ports with a sea approach: the berth (a point inside the port's area of
 * data/ports.csv, reached over water at the land mask's resolution: Nampo itself lies up the
 * Taedong river, so its calls use the Nampo anchorage), a point off the harbour, and a point
 * out at sea. The paths are checked by tests/unit/test_sim.c. */
const struct approach SIM_KP_PORTS[] = {
    {"Nampo anchorage", 38.72, 125.15, 38.70, 125.05, 38.40, 124.40},
    {"Chongjin", 41.76667, 129.81667, 41.70, 129.93, 41.35, 130.40},
    {"Najin", 42.215, 130.30, 42.15, 130.30, 41.95, 130.85},
    {"Hungnam", 39.83333, 127.61667, 39.76, 127.72, 39.45, 128.30},
    {"Wonsan", 39.16667, 127.45, 39.23, 127.47, 39.30, 128.30},
    {"Kimchaek", 40.66667, 129.2, 40.61, 129.30, 40.35, 129.75},
};
const size_t SIM_NKP_PORTS = sizeof SIM_KP_PORTS / sizeof SIM_KP_PORTS[0];
const struct approach SIM_OTHER_PORTS[] = {
    {"Busan", 35.1, 129.03333, 35.03, 129.12, 34.85, 129.40},
    {"Dalian anchorage", 38.87, 121.8, 38.82, 121.86, 38.55, 122.20},
    {"Shidao anchorage", 36.85, 122.5, 36.84, 122.53, 36.60, 122.90},
    {"Busan anchorage", 35.05, 129.1, 35.04, 129.12, 34.85, 129.40},
};

const uint32_t SIM_MIDS[] = {412, 413, 414, 440, 441, 431, 273, 351, 352, 353,
                             354, 477, 636, 538, 667, 671, 457, 445, 370, 563};
const size_t SIM_NMIDS = sizeof SIM_MIDS / sizeof SIM_MIDS[0];

/* Open-sea boxes where injected behaviour is placed (lat0, lat1, lon0, lon1). */
static const double BOXES[][4] = {
    {33.5, 36.5, 122.8, 124.8}, /* central Yellow Sea */
    {37.5, 40.5, 130.5, 134.0}, /* central East Sea */
    {29.8, 32.5, 123.5, 126.5}, /* East China Sea */
    {32.0, 33.6, 125.5, 128.5}, /* south of Jeju */
    {35.5, 37.8, 129.8, 131.8}, /* off Pohang and Ulleungdo */
    {41.0, 42.4, 130.6, 133.0}, /* off Peter the Great Bay */
};
#define NBOXES (sizeof BOXES / sizeof BOXES[0])

int sim_in_region(double la, double lo)
{
    return la > 28.5 && la < 44.0 && lo > 119.5 && lo < 137.0;
}

/* The straight segment is at sea (every ~2 km) and min_shore_m from the coast; points within
 * a port area are accepted when ports_ok. */
int sim_sea_path(const struct sim *s, double la0, double lo0, double la1, double lo1,
                 double min_shore_m, int ports_ok)
{
    double d = sw_geo_dist_m(la0, lo0, la1, lo1);
    int n = (int)(d / 2000.0) + 1;
    for (int i = 0; i <= n; i++) {
        double f = (double)i / n, la = la0 + f * (la1 - la0), lo = lo0 + f * (lo1 - lo0);
        const struct sw_port *p;
        if (ports_ok && sw_ports_area(s->g, la, lo, &p) == SW_OK) continue;
        if (!sim_in_region(la, lo) || sw_geo_is_land(s->g, la, lo)) return 0;
        if (min_shore_m > 0 &&
            sw_geo_dist_to_shore_capped_m(s->g, la, lo, min_shore_m) < min_shore_m)
            return 0;
    }
    return 1;
}

struct vessel *sim_new_vessel(struct sim *s, const char *role, char cls)
{
    if (s->nv == s->capv) /* fixed capacity: pointers to vessels stay valid */
        return NULL;
    struct vessel *v = &s->v[s->nv++];
    memset(v, 0, sizeof *v);
    static const char *const W1[] = {"OCEAN", "SEA",   "STAR", "PACIFIC", "GOLDEN", "EAST",
                                     "HAI",   "XIN",   "DA",   "HONG",    "KUM",    "SONG",
                                     "RICH",  "GRAND", "BLUE", "JIN",     "MING",   "TIAN"};
    static const char *const W2[] = {"GLORY",  "WAY", "FORTUNE", "PIONEER", "LUCK",  "SPRING",
                                     "TRADER", "SUN", "WIND",    "RIVER",   "PEARL", "DRAGON"};
    s->serial++;
    uint32_t mid = SIM_MIDS[rpick(&s->r, (int)SIM_NMIDS)];
    v->mmsi =
        mid * 1000000u + 100000u + (s->serial * 7919u + (uint32_t)(s->o->seed % 1000)) % 900000u;
    v->cls = cls;
    v->role = role;
    snprintf(v->name, sizeof v->name, "%s %s %d", W1[rpick(&s->r, 18)], W2[rpick(&s->r, 12)],
             1 + rpick(&s->r, 99));
    for (int i = 0; i < 6; i++)
        v->callsign[i] = i < 2 ? (char)('A' + rpick(&s->r, 26)) : (char)('0' + rpick(&s->r, 10));
    v->callsign[6] = '\0';
    /* IMO numbers 2000000-2999999: valid check digits, and no ship of the sanctions lists
     * (their IMO numbers are 5-9 million), so no planted name meets a listed IMO by chance */
    uint32_t stem = 200000u + (s->serial * 104729u + (uint32_t)s->o->seed) % 99991u;
    v->imo = cls == 'A' ? stem * 10u + (uint32_t)sw_sim_imo_check_digit(stem * 10u) : 0;
    static const int TYPES[] = {70, 70, 79, 80, 89, 71, 60};
    v->ship_type = cls == 'A' ? TYPES[rpick(&s->r, 7)] : 30;
    v->len = cls == 'A' ? 80 + rpick(&s->r, 150) : 15 + rpick(&s->r, 20);
    v->beam = v->len / 7 + 2;
    v->draught = cls == 'A' ? rrange(&s->r, 4, 12) : 0;
    static const char *const DEST[] = {"SHANGHAI", "DALIAN",  "BUSAN",   "QINGDAO", "VLADIVOSTOK",
                                       "NAKHODKA", "INCHEON", "TIANJIN", "NINGBO"};
    snprintf(v->dest, sizeof v->dest, "%s", DEST[rpick(&s->r, 9)]);
    v->b19 = cls == 'B' && rpick(&s->r, 3) == 0;
    return v;
}

int64_t sim_last_t(const struct vessel *v)
{
    return v->nlegs ? v->legs[v->nlegs - 1].t1 : 0;
}

void sim_end_pos(const struct vessel *v, double *la, double *lo)
{
    const struct leg *l = &v->legs[v->nlegs - 1];
    *la = l->la1;
    *lo = l->lo1;
}

int64_t sim_add_move(struct vessel *v, int64_t t, double la0, double lo0, double la1, double lo1,
                     double kn)
{
    if (v->nlegs == MAXLEG) return t;
    double d = sw_geo_dist_m(la0, lo0, la1, lo1);
    int64_t t1 = t + (int64_t)(d / (kn * KN) * 1000.0) + 1000;
    v->legs[v->nlegs++] = (struct leg){t, t1, la0, lo0, la1, lo1, kn, 0, LEG_MOVE, 0};
    return t1;
}

int64_t sim_add_stay(struct vessel *v, int64_t t0, int64_t t1, double la, double lo,
                     double drift_kn, double radius, int status)
{
    if (v->nlegs == MAXLEG) return t1;
    v->legs[v->nlegs++] = (struct leg){t0, t1, la, lo, la, lo, drift_kn, radius, LEG_STAY, status};
    return t1;
}

/* Sail on at sea from the end of the timeline until tend: legs of 25-60 km in random
 * directions that keep 8 km from the coast, at about kn knots. */
void sim_wander(struct sim *s, struct vessel *v, int64_t tend, double kn)
{
    while (v->nlegs && sim_last_t(v) < tend && v->nlegs < MAXLEG - 1) {
        double la, lo, la1 = 0, lo1 = 0;
        sim_end_pos(v, &la, &lo);
        int ok = 0;
        for (int tries = 0; tries < 40 && !ok; tries++) {
            sw_geo_dest(la, lo, rrange(&s->r, 0, 360), rrange(&s->r, 25000, 60000), &la1, &lo1);
            ok = sim_sea_path(s, la, lo, la1, lo1, 8000, 0);
        }
        if (!ok) { /* back where it came from */
            la1 = v->legs[v->nlegs - 1].la0;
            lo1 = v->legs[v->nlegs - 1].lo0;
        }
        sim_add_move(v, sim_last_t(v), la, lo, la1, lo1, kn * rrange(&s->r, 0.93, 1.07));
    }
}

/* The same within rmax_m of a centre, keeping min_shore_m from the coast: legs of 15-40 km. */
void sim_wander_within(struct sim *s, struct vessel *v, int64_t tend, double kn, double cla,
                       double clo, double rmax_m, double min_shore_m)
{
    while (v->nlegs && sim_last_t(v) < tend && v->nlegs < MAXLEG - 1) {
        double la, lo, la1 = cla, lo1 = clo;
        sim_end_pos(v, &la, &lo);
        int ok = 0;
        for (int tries = 0; tries < 40 && !ok; tries++) {
            sw_geo_dest(la, lo, rrange(&s->r, 0, 360), rrange(&s->r, 15000, 40000), &la1, &lo1);
            ok = sw_geo_dist_m(la1, lo1, cla, clo) < rmax_m &&
                 sim_sea_path(s, la, lo, la1, lo1, min_shore_m, 0);
        }
        if (!ok) { /* back to the centre, or where it came from */
            la1 = cla;
            lo1 = clo;
            if (!sim_sea_path(s, la, lo, la1, lo1, 0, 0)) {
                la1 = v->legs[v->nlegs - 1].la0;
                lo1 = v->legs[v->nlegs - 1].lo0;
            }
        }
        sim_add_move(v, sim_last_t(v), la, lo, la1, lo1, kn * rrange(&s->r, 0.93, 1.07));
    }
}

/* A start point 30-55 km from (la, lo) with a clear sea path to it; the vessel sails from
 * there to arrive at t_arrive. Returns 0 or -1. */
int sim_approach(struct sim *s, struct vessel *v, double la, double lo, int64_t t_arrive, double kn)
{
    for (int tries = 0; tries < 60; tries++) {
        double la0, lo0;
        sw_geo_dest(la, lo, rrange(&s->r, 0, 360), rrange(&s->r, 30000, 55000), &la0, &lo0);
        if (!sim_sea_path(s, la0, lo0, la, lo, 8000, 0)) continue;
        double d = sw_geo_dist_m(la0, lo0, la, lo);
        int64_t t = t_arrive - (int64_t)(d / (kn * KN) * 1000.0) - 1000;
        sim_add_move(v, t, la0, lo0, la, lo, kn);
        return 0;
    }
    return -1;
}

/* The zones containing the point are the zones containing every point margin_m around it:
 * a place kept off zone boundaries, so that what happens there is clearly in or out. */
int sim_zone_clear(const struct sim *s, double la, double lo, double margin_m)
{
    const struct sw_zone *z0[8], *z1[8];
    size_t n0, n1;
    sw_zones_lookup(s->g, la, lo, z0, 8, &n0);
    for (int b = 0; b < 360; b += 30) {
        double a, o;
        sw_geo_dest(la, lo, b, margin_m, &a, &o);
        sw_zones_lookup(s->g, a, o, z1, 8, &n1);
        if (n1 != n0 || memcmp(z0, z1, (n0 < 8 ? n0 : 8) * sizeof z0[0])) return 0;
    }
    return 1;
}

/* In no zone at all. */
int sim_zones_none(const struct sim *s, double la, double lo)
{
    const struct sw_zone *z[2];
    size_t n;
    sw_zones_lookup(s->g, la, lo, z, 2, &n);
    return n == 0;
}

static int in_territorial_sea(const struct sim *s, double la, double lo)
{
    const struct sw_zone *z[8];
    size_t n;
    sw_zones_lookup(s->g, la, lo, z, 8, &n);
    for (size_t i = 0; i < n && i < 8; i++)
        if (!strcmp(z[i]->kind, "territorial_sea")) return 1;
    return 0;
}

int sim_heard_by_station(double la, double lo, double margin_m)
{
    for (size_t i = 0; i < SIM_NSTATIONS; i++)
        if (sw_geo_dist_m(la, lo, SIM_STATIONS[i].lat, SIM_STATIONS[i].lon) <
            STATION_RANGE_M - margin_m)
            return 1;
    return 0;
}

static int near_spot(const struct sim *s, double la, double lo, double sep_m)
{
    for (int i = 0; i < s->nspots; i++)
        if (sw_geo_dist_m(la, lo, s->spots[i][0], s->spots[i][1]) < sep_m) return 1;
    return 0;
}

void sim_add_spot(struct sim *s, double la, double lo)
{
    if (s->nspots < MAXSPOTS) {
        s->spots[s->nspots][0] = la;
        s->spots[s->nspots][1] = lo;
        s->nspots++;
    }
}

/* An open-sea spot: far from shore and ports, away from other spots and zone boundaries,
 * near a receiver; kept among the spots when reg. */
int sim_open_spot(struct sim *s, double min_shore_m, int reg, double *la, double *lo)
{
    for (int tries = 0; tries < 2000; tries++) {
        const double *b = BOXES[rpick(&s->r, (int)NBOXES)];
        double a = rrange(&s->r, b[0], b[1]), o = rrange(&s->r, b[2], b[3]);
        if (sw_geo_is_land(s->g, a, o) || sw_geo_dist_to_shore_m(s->g, a, o) < min_shore_m)
            continue;
        const struct sw_port *p;
        if (sw_ports_nearest(s->g, a, o, 30000, &p, NULL) == SW_OK) continue;
        if (near_spot(s, a, o, 50000) || !sim_heard_by_station(a, o, 20000) ||
            !sim_zone_clear(s, a, o, 5000))
            continue;
        if (reg) sim_add_spot(s, a, o);
        *la = a;
        *lo = o;
        return 0;
    }
    return -1;
}

int sim_pick_spot(struct sim *s, double min_shore_m, double *la, double *lo)
{
    return sim_open_spot(s, min_shore_m, 1, la, lo);
}

/* A spot in box (lat0, lat1, lon0, lon1) min_nm..max_nm from the nearest shore, at sea, 15 km
 * or more from any port's reference point (outside every port and anchorage area), 4 km off
 * every zone boundary and outside the territorial sea, 30 km from other spots, well inside a
 * receiver's range. */
int sim_coast_spot(struct sim *s, const double box[4], double min_nm, double max_nm, double *la,
                   double *lo)
{
    for (int tries = 0; tries < 4000; tries++) {
        double a = rrange(&s->r, box[0], box[1]), o = rrange(&s->r, box[2], box[3]);
        if (sw_geo_is_land(s->g, a, o)) continue;
        double d = sw_geo_dist_to_shore_capped_m(s->g, a, o, max_nm * SW_GEO_NM_M + 1);
        if (d < min_nm * SW_GEO_NM_M || d > max_nm * SW_GEO_NM_M) continue;
        const struct sw_port *p;
        if (sw_ports_nearest(s->g, a, o, 15000, &p, NULL) == SW_OK) continue;
        if (near_spot(s, a, o, 30000) || !sim_heard_by_station(a, o, 20000) ||
            !sim_zone_clear(s, a, o, 4000) || in_territorial_sea(s, a, o))
            continue;
        sim_add_spot(s, a, o);
        *la = a;
        *lo = o;
        return 0;
    }
    return -1;
}

void sim_put_time(json_t *o, const char *k, int64_t ms)
{
    char b[32];
    json_object_set_new(o, k, json_string(sw_time_format(ms, 0, b)));
}

json_t *sim_truth_item(struct sim *s, int neg, const char *type, int64_t t0, int64_t t1, double la,
                       double lo, uint32_t m1, uint32_t m2)
{
    json_t *o = json_object();
    char id[32];
    snprintf(id, sizeof id, "%s%d", neg ? "n" : "e", neg ? ++s->nneg : ++s->nev);
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, neg ? "kind" : "type", json_string(type));
    json_t *vs = json_array();
    json_array_append_new(vs, json_integer(m1));
    if (m2) json_array_append_new(vs, json_integer(m2));
    json_object_set_new(o, "vessels", vs);
    sim_put_time(o, "start", t0);
    sim_put_time(o, "end", t1);
    json_object_set_new(o, "lat", json_real(round(la * 1e4) / 1e4));
    json_object_set_new(o, "lon", json_real(round(lo * 1e4) / 1e4));
    json_array_append_new(neg ? s->negatives : s->events, o);
    return o;
}

/* The truth item's "details" object, made when missing. */
json_t *sim_details(json_t *o)
{
    json_t *d = json_object_get(o, "details");
    if (!d) {
        d = json_object();
        json_object_set_new(o, "details", d);
    }
    return d;
}

int64_t sim_rtime(struct sim *s, int64_t lo, int64_t hi)
{
    if (hi <= lo) return lo;
    return lo + (int64_t)(runif(&s->r) * (double)(hi - lo)) / MIN_MS * MIN_MS;
}

/* A start time in [lo, hi] for an episode of length dur such that a split boundary falls
 * inside it, at 25-75 % of its length: a UTC midnight (step_h 24) or a six-hour boundary that
 * is not a midnight (step_h 6); the first such boundary when first, else a random one. With
 * no midnight in reach, a six-hour boundary; with none either, any time in [lo, hi]. */
int64_t sim_span_time(struct sim *s, int64_t dur, int step_h, int first, int64_t lo, int64_t hi)
{
    int64_t step = step_h * HOUR_MS, cand[64];
    int n = 0;
    for (int64_t b = (lo / step + 1) * step; b - dur * 3 / 4 <= hi && n < 64; b += step) {
        if (step_h == 6 && b % DAY_MS == 0) continue;
        if (b - dur / 4 < lo || b - dur * 3 / 4 > hi) continue;
        cand[n++] = b;
    }
    if (!n) return step_h == 24 ? sim_span_time(s, dur, 6, first, lo, hi) : sim_rtime(s, lo, hi);
    int64_t b = cand[first ? 0 : rpick(&s->r, n)];
    int64_t tmin = b - dur * 3 / 4, tmax = b - dur / 4;
    if (tmin < lo) tmin = lo;
    if (tmax > hi) tmax = hi;
    return sim_rtime(s, tmin, tmax);
}

/* A few minutes (2-8) after a split boundary (step_h as above) in [lo, hi]: an instant change
 * whose before and after fall in different files. Any time in [lo, hi] when there is none. */
int64_t sim_after_boundary(struct sim *s, int step_h, int64_t lo, int64_t hi)
{
    int64_t step = step_h * HOUR_MS, cand[64];
    int n = 0;
    for (int64_t b = (lo / step + 1) * step; b + 8 * MIN_MS <= hi && n < 64; b += step)
        cand[n++] = b;
    if (!n) return step_h == 24 ? sim_after_boundary(s, 6, lo, hi) : sim_rtime(s, lo, hi);
    return cand[rpick(&s->r, n)] + (2 + rpick(&s->r, 7)) * MIN_MS;
}

const struct leg *sim_leg_at(const struct vessel *v, int64_t t)
{
    const struct leg *l = &v->legs[0];
    for (int i = 0; i < v->nlegs; i++)
        if (v->legs[i].t0 <= t) l = &v->legs[i];
    return l;
}

/* Position of a vessel's planned track at time t (no spoofing). */
void sim_track_pos(const struct vessel *v, int64_t t, double *la, double *lo)
{
    const struct leg *l = sim_leg_at(v, t);
    double f = l->t1 > l->t0 ? (double)(t - l->t0) / (double)(l->t1 - l->t0) : 0;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    if (l->kind == LEG_STAY) {
        *la = l->la0;
        *lo = l->lo0;
        return;
    }
    double d = sw_geo_dist_m(l->la0, l->lo0, l->la1, l->lo1);
    sw_geo_dest(l->la0, l->lo0, sw_geo_bearing_deg(l->la0, l->lo0, l->la1, l->lo1), f * d, la, lo);
}

int sim_active(const struct vessel *v, int64_t t)
{
    return v->nlegs && t >= v->legs[0].t0 && t < sim_last_t(v);
}

/* Well inside a shore station's range (short events must not fall in satellite-only water). */
int sim_covered(double la, double lo)
{
    return sim_heard_by_station(la, lo, 30000);
}

/* A time in [lo, hi) when the vessel's planned track is covered by a shore station; -1 if
 * none was found. */
int64_t sim_covered_time(struct sim *s, const struct vessel *v, int64_t lo, int64_t hi)
{
    for (int tries = 0; tries < 60; tries++) {
        int64_t t = sim_rtime(s, lo, hi);
        double a, o;
        sim_track_pos(v, t, &a, &o);
        if (sim_covered(a, o)) return t;
    }
    return -1;
}

/* Smallest distance between a vessel of [from, to) and any other vessel, both active, over
 * [t0, t1] every 10 min. */
double sim_clearance(const struct sim *s, size_t from, size_t to, int64_t t0, int64_t t1)
{
    double best = 1e18;
    for (int64_t t = t0; t <= t1; t += 10 * MIN_MS)
        for (size_t i = from; i < to; i++) {
            if (!sim_active(&s->v[i], t)) continue;
            double a, o;
            sim_track_pos(&s->v[i], t, &a, &o);
            for (size_t k = 0; k < s->nv; k++) {
                if ((k >= from && k < to) || !sim_active(&s->v[k], t)) continue;
                double b, p;
                sim_track_pos(&s->v[k], t, &b, &p);
                double d = sw_geo_dist_m(a, o, b, p);
                if (d < best) best = d;
            }
        }
    return best;
}

/* A drift of another vessel (a stay under 3 kn of 2 h or more, outside port areas) during
 * [t0, t1] that v could have visited while dark: from its position at t0 to the drift and on to
 * its position at t1 in less than 1.6 times what it covers at kn in that time (the
 * dark_rendezvous rule allows 1.2 times the usual speed). A gap meant to be only a gap must not
 * have one. */
int sim_drift_in_reach(const struct sim *s, const struct vessel *v, int64_t t0, int64_t t1,
                       double kn)
{
    double a0, o0, a1, o1, reach = 1.6 * kn * KN * (double)(t1 - t0) / 1000.0;
    sim_track_pos(v, t0, &a0, &o0);
    sim_track_pos(v, t1, &a1, &o1);
    for (size_t k = 0; k < s->nv; k++) {
        const struct vessel *w = &s->v[k];
        if (w == v) continue;
        for (int i = 0; i < w->nlegs; i++) {
            const struct leg *l = &w->legs[i];
            const struct sw_port *p;
            if (l->kind != LEG_STAY || l->kn >= 3 || l->t1 - l->t0 < 2 * HOUR_MS || l->t1 < t0 ||
                l->t0 > t1 || sw_ports_area(s->g, l->la0, l->lo0, &p) == SW_OK)
                continue;
            if (sw_geo_dist_m(a0, o0, l->la0, l->lo0) + sw_geo_dist_m(l->la0, l->lo0, a1, o1) <
                reach)
                return 1;
        }
    }
    return 0;
}

/* Some vessel outside [from, to) is active within r_m of the point during [t0, t1]. */
int sim_anyone_near(const struct sim *s, size_t from, size_t to, double la, double lo, double r_m,
                    int64_t t0, int64_t t1)
{
    for (size_t k = 0; k < s->nv; k++) {
        if (k >= from && k < to) continue;
        for (int64_t t = t0; t <= t1; t += 10 * MIN_MS) {
            if (!sim_active(&s->v[k], t)) continue;
            double b, p;
            sim_track_pos(&s->v[k], t, &b, &p);
            if (sw_geo_dist_m(la, lo, b, p) < r_m) return 1;
        }
    }
    return 0;
}

/* A vessel wandering at sea from t0 (appearing at an open-sea spot, not kept apart from the
 * other spots: it sails on at once) until the end. */
struct vessel *sim_wanderer(struct sim *s, const char *role, char cls, int64_t t0, double kn,
                            double *la, double *lo)
{
    if (sim_open_spot(s, 30000, 0, la, lo)) return NULL;
    struct vessel *v = sim_new_vessel(s, role, cls);
    if (!v) return NULL;
    sim_add_stay(v, t0, t0 + 1000, *la, *lo, kn, 0, 0);
    v->legs[0].kind = LEG_MOVE; /* a zero-length move: start here */
    sim_wander(s, v, s->t1, kn);
    return v;
}

/* Fishing vessels meandering at fishing speed (3.6-4.4 kn: clear of the 2 kn loitering and
 * the 3 kn slow-in-a-zone thresholds) around a place: reception witnesses for the gap
 * scenarios and hard negatives for loitering. */
int sim_witnesses(struct sim *s, double la, double lo, int64_t t0, int64_t t1, int n)
{
    for (int k = 0; k < n; k++) {
        struct vessel *f = sim_new_vessel(s, "fishing", 'B');
        if (!f) return -1;
        double a = la, o = lo;
        for (int tries = 0; tries < 50; tries++) {
            sw_geo_dest(la, lo, rrange(&s->r, 0, 360), rrange(&s->r, 5000, 25000), &a, &o);
            if (!sw_geo_is_land(s->g, a, o) && sw_geo_dist_to_shore_m(s->g, a, o) > 10000) break;
        }
        double kn = rrange(&s->r, 3.6, 4.4);
        int64_t t = t0;
        double ca = a, co = o;
        while (t < t1 && f->nlegs < MAXLEG - 1) {
            double na = ca, no = co;
            for (int tries = 0; tries < 30; tries++) {
                sw_geo_dest(ca, co, rrange(&s->r, 0, 360), rrange(&s->r, 3000, 7000), &na, &no);
                if (sw_geo_dist_m(na, no, la, lo) < 30000 &&
                    sim_sea_path(s, ca, co, na, no, 5000, 0))
                    break;
                na = a;
                no = o;
            }
            t = sim_add_move(f, t, ca, co, na, no, kn);
            ca = na;
            co = no;
        }
        sim_truth_item(s, 1, "fishing_speed", t0, t, a, o, f->mmsi, 0);
        /* then fish on elsewhere until the end: a vessel that falls silent at sea in good
         * coverage would be an AIS gap */
        sim_wander(s, f, s->t1, kn);
    }
    return 0;
}

/* Sail from the far point in to the port, stop, sail back out and wander. */
struct vessel *sim_port_visit(struct sim *s, const struct approach *ap, const char *role,
                              int64_t t_arrive, int64_t stay, double *la, double *lo)
{
    struct vessel *v = sim_new_vessel(s, role, 'A');
    if (!v) return NULL;
    double kn = 10;
    double d1 = sw_geo_dist_m(ap->far_la, ap->far_lo, ap->near_la, ap->near_lo);
    double d2 = sw_geo_dist_m(ap->near_la, ap->near_lo, ap->port_la, ap->port_lo);
    int64_t t = t_arrive - (int64_t)((d1 / (kn * KN) + d2 / (5 * KN)) * 1000.0) - 3000;
    sw_geo_dest(ap->port_la, ap->port_lo, rrange(&s->r, 0, 360), rrange(&s->r, 30, 200), la, lo);
    t = sim_add_move(v, t, ap->far_la, ap->far_lo, ap->near_la, ap->near_lo, kn);
    t = sim_add_move(v, t, ap->near_la, ap->near_lo, *la, *lo, 5);
    t = sim_add_stay(v, t, t + stay, *la, *lo, 0.1, 15, 5);
    t = sim_add_move(v, t, *la, *lo, ap->near_la, ap->near_lo, 5);
    sim_add_move(v, t, ap->near_la, ap->near_lo, ap->far_la, ap->far_lo, kn);
    sim_wander(s, v, s->t1, kn);
    return v;
}

/* Shipping lanes: waypoints at sea (checked against the land mask by the tests). */
struct lane {
    int n;
    double p[10][2];
};

static const struct lane LANES[] = {
    /* Yellow Sea, Shanghai approaches to the Bohai strait */
    {7,
     {{31.0, 123.2},
      {32.5, 123.5},
      {34.5, 123.7},
      {36.3, 123.5},
      {37.6, 123.2},
      {38.2, 122.5},
      {38.45, 122.15}}},
    /* Korea Strait to the East China Sea */
    {6,
     {{34.9, 129.35}, {34.4, 128.7}, {34.05, 127.6}, {33.85, 126.9}, {33.0, 125.0}, {31.6, 123.6}}},
    /* East Sea: Busan to Peter the Great Bay */
    {6,
     {{35.2, 129.6}, {36.5, 130.2}, {38.0, 131.0}, {40.0, 132.0}, {41.8, 132.3}, {42.45, 132.1}}},
    /* Incheon to Shandong */
    {5, {{37.25, 125.9}, {37.0, 125.0}, {36.8, 124.0}, {36.6, 123.0}, {36.55, 122.75}}},
    /* Vostochny to the Tumen estuary (the Rajin corridor) */
    {4, {{42.6, 132.95}, {42.5, 132.3}, {42.3, 131.4}, {42.16, 130.45}}},
    /* East China Sea to the Korea Strait, south of Jeju */
    {5, {{29.6, 123.5}, {31.0, 124.5}, {32.5, 125.8}, {32.9, 127.2}, {33.9, 128.4}}},
};
#define NLANES (sizeof LANES / sizeof LANES[0])

/* A background vessel sailing back and forth along a lane from before the start to the end. */
void sim_lane_walker(struct sim *s, struct vessel *v)
{
    const struct lane *ln = &LANES[rpick(&s->r, (int)NLANES)];
    int i = rpick(&s->r, ln->n - 1), dir = rpick(&s->r, 2) ? 1 : -1;
    double kn = rrange(&s->r, 9, 16);
    double f = runif(&s->r);
    int j = i + 1;
    double la = ln->p[i][0] + f * (ln->p[j][0] - ln->p[i][0]);
    double lo = ln->p[i][1] + f * (ln->p[j][1] - ln->p[i][1]);
    /* start before the run so it is under way at its start */
    int64_t t = s->t0 - (int64_t)rrange(&s->r, 0, 600000);
    int next = dir > 0 ? j : i;
    /* small lateral offset so vessels on one lane do not sail in each other's wake */
    double off = rrange(&s->r, -2500, 2500);
    while (t < s->t1 && v->nlegs < MAXLEG - 1) {
        double na = ln->p[next][0], no = ln->p[next][1], oa, oo;
        sw_geo_dest(na, no, 90, off, &oa, &oo);
        t = sim_add_move(v, t, la, lo, oa, oo, kn * rrange(&s->r, 0.95, 1.05));
        la = oa;
        lo = oo;
        if (next + dir < 0 || next + dir >= ln->n) dir = -dir;
        next += dir;
    }
}
