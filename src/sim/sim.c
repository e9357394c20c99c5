/*
 * The scenario simulator (sanctwatch/sim.h). Builds a world of vessels, each with a
 * timeline of legs (sail from A to B, or stay at a point), silences, spoofed positions and
 * identity changes; then steps through time, transmitting AIS messages that shore stations
 * and a satellite hear with losses, duplicates and delays, and writes the lines in delivery
 * order. Injected behaviour is labelled in the truth as it is planted; zone entries are
 * derived from the transmitted positions with the zones of data/zones. docs/simulate.md.
 */
#include "sanctwatch/sim.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#define KN 0.514444 /* m/s per knot */
#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define MAXLEG 256
#define MAXZ 16
#define MAX_DELAY_MS 600000LL
#define ZONE_REENTRY_MS (2 * HOUR_MS)

/* ---- random numbers: splitmix64, deterministic from the seed ------------------------------ */

struct rng {
    uint64_t s;
};

static uint64_t rnext(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double runif(struct rng *r)
{
    return (double)(rnext(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double rrange(struct rng *r, double a, double b)
{
    return a + (b - a) * runif(r);
}

static int rpick(struct rng *r, int n)
{
    int v = (int)(runif(r) * n);
    return v >= n ? n - 1 : v;
}

/* ---- the world ------------------------------------------------------------------------------ */

enum { LEG_MOVE, LEG_STAY };

struct leg {
    int64_t t0, t1;
    double la0, lo0, la1, lo1;
    double kn;     /* MOVE: speed; STAY: drift speed shown */
    double radius; /* STAY: wander radius, metres */
    int kind, status;
};

struct span {
    int64_t t0, t1;
    double la, lo; /* spoof: the position transmitted instead */
};

struct vessel {
    uint32_t mmsi, mmsi2; /* mmsi2 from t_mmsi2 on (0: none) */
    int64_t t_mmsi2;
    char cls;  /* 'A' or 'B' */
    int b19;   /* class B sending type 19 */
    int clone; /* second transmitter of another vessel's MMSI */
    const char *role;
    char name[21], callsign[8], dest[21];
    char name2[21], callsign2[8];
    int64_t t_rename; /* 0: none */
    uint32_t imo;
    int ship_type, len, beam;
    double draught;
    struct leg legs[MAXLEG];
    int nlegs, cur;
    struct span silent[4];
    int nsilent;
    struct span spoof[2];
    int nspoof;
    int64_t next_tx, next_static;
    int64_t first_tx, last_tx, first_tx2;
    /* zone entry derivation, per zone: 0 unknown, 1 outside, 2 inside */
    int zstate[MAXZ];
    int64_t zlast_in[MAXZ], zout_since[MAXZ];
    json_t *zopen[MAXZ];
};

struct pend {
    int64_t deliver;
    uint64_t seq;
    char *line;
    size_t len;
};

struct station {
    const char *name;
    double lat, lon;
};

/* Shore receivers (public locations of coastal towns and islands) and one satellite. */
static const struct station STATIONS[] = {
    {"rShanghai", 31.23, 121.95}, {"rZhoushan", 30.0, 122.4},     {"rQingdao", 36.05, 120.45},
    {"rShidao", 36.88, 122.43},   {"rDalian", 38.9, 121.65},      {"rDandong", 39.85, 124.15},
    {"rIncheon", 37.45, 126.6},   {"rBaengnyeong", 37.95, 124.7}, {"rMokpo", 34.8, 126.38},
    {"rJeju", 33.5, 126.52},      {"rBusan", 35.1, 129.05},       {"rPohang", 36.02, 129.4},
    {"rUlleung", 37.5, 130.87},   {"rVladivostok", 43.1, 131.9},  {"rNakhodka", 42.8, 132.9},
    {"rPosyet", 42.65, 130.8},    {"rFukuoka", 33.6, 130.4},      {"rOki", 36.2, 133.3},
    {"rSadoga", 38.0, 138.4},     {"rShinpo", 40.0, 128.2},
};
#define NSTATIONS (sizeof STATIONS / sizeof STATIONS[0])
#define STATION_RANGE_M 150000.0

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

/* DPRK ports with a sea approach: the berth (a point inside the port's area of
 * data/ports.csv, reached over water at the land mask's resolution: Nampo itself lies up the
 * Taedong river, so its calls use the Nampo anchorage), a point off the harbour, and a point
 * out at sea. The paths are checked by tests/unit/test_sim.c. */
struct approach {
    const char *port;
    double port_la, port_lo, near_la, near_lo, far_la, far_lo;
};

static const struct approach KP_PORTS[] = {
    {"Nampo anchorage", 38.72, 125.15, 38.70, 125.05, 38.40, 124.40},
    {"Chongjin", 41.76667, 129.81667, 41.70, 129.93, 41.35, 130.40},
    {"Najin", 42.215, 130.30, 42.15, 130.30, 41.95, 130.85},
    {"Hungnam", 39.83333, 127.61667, 39.76, 127.72, 39.45, 128.30},
    {"Wonsan", 39.16667, 127.45, 39.23, 127.47, 39.30, 128.30},
    {"Kimchaek", 40.66667, 129.2, 40.61, 129.30, 40.35, 129.75},
};
static const struct approach OTHER_PORTS[] = {
    {"Busan", 35.1, 129.03333, 35.03, 129.12, 34.85, 129.40},
    {"Dalian anchorage", 38.87, 121.8, 38.82, 121.86, 38.55, 122.20},
    {"Shidao anchorage", 36.85, 122.5, 36.84, 122.53, 36.60, 122.90},
    {"Busan anchorage", 35.05, 129.1, 35.04, 129.12, 34.85, 129.40},
};

/* Designated DPRK vessels (OFAC SDN DPRK program, IMO numbers as published). */
static const struct {
    const char *name;
    uint32_t imo;
} LISTED[] = {
    {"CHONG CHON GANG", 7937317}, {"AM NOK GANG", 8132835},     {"BAEK MA KANG", 7944683},
    {"DAI HONG DAN", 7944695},    {"HWANG GUM SAN 2", 8405270}, {"HYOK SIN 2", 8018900},
    {"JON JIN 2", 8018912},       {"MU DU BONG", 8328197},
};

static const uint32_t MIDS[] = {412, 413, 414, 440, 441, 431, 273, 351, 352, 353,
                                354, 477, 636, 538, 667, 671, 457, 445, 370, 563};
static const uint32_t BAD_MIDS[] = {402, 404, 406, 409, 411};

struct sim {
    const struct sw_sim_opts *o;
    const struct sw_geo *g;
    struct rng r;
    int64_t t0, t1;
    struct vessel *v;
    size_t nv, capv;
    json_t *events, *negatives;
    double spots[128][2];
    int nspots;
    uint32_t serial;
    int nev, nneg;
    struct pend *pend;
    size_t npend, cappend;
    uint64_t seq;
    int stseq[NSTATIONS + 1], stgroup[NSTATIONS + 1];
    sw_sim_emit_fn emit;
    void *ctx;
    struct sw_sim_stats *st;
    struct sw_buf line;
    int last_heard; /* the last transmit() reached some receiver */
};

static int in_region(double la, double lo)
{
    return la > 28.5 && la < 44.0 && lo > 119.5 && lo < 137.0;
}

/* The straight segment is at sea (every ~2 km) and min_shore_m from the coast; points within
 * a port area are accepted when ports_ok. */
static int sea_path(const struct sim *s, double la0, double lo0, double la1, double lo1,
                    double min_shore_m, int ports_ok)
{
    double d = sw_geo_dist_m(la0, lo0, la1, lo1);
    int n = (int)(d / 2000.0) + 1;
    for (int i = 0; i <= n; i++) {
        double f = (double)i / n, la = la0 + f * (la1 - la0), lo = lo0 + f * (lo1 - lo0);
        const struct sw_port *p;
        if (ports_ok && sw_ports_area(s->g, la, lo, &p) == SW_OK) continue;
        if (!in_region(la, lo) || sw_geo_is_land(s->g, la, lo)) return 0;
        if (min_shore_m > 0 &&
            sw_geo_dist_to_shore_capped_m(s->g, la, lo, min_shore_m) < min_shore_m)
            return 0;
    }
    return 1;
}

static struct vessel *new_vessel(struct sim *s, const char *role, char cls)
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
    uint32_t mid = MIDS[rpick(&s->r, (int)(sizeof MIDS / sizeof MIDS[0]))];
    v->mmsi =
        mid * 1000000u + 100000u + (s->serial * 7919u + (uint32_t)(s->o->seed % 1000)) % 900000u;
    v->cls = cls;
    v->role = role;
    snprintf(v->name, sizeof v->name, "%s %s %d", W1[rpick(&s->r, 18)], W2[rpick(&s->r, 12)],
             1 + rpick(&s->r, 99));
    for (int i = 0; i < 6; i++)
        v->callsign[i] = i < 2 ? (char)('A' + rpick(&s->r, 26)) : (char)('0' + rpick(&s->r, 10));
    v->callsign[6] = '\0';
    uint32_t stem = 700000u + (s->serial * 104729u + (uint32_t)s->o->seed) % 299999u;
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

static int64_t last_t(const struct vessel *v)
{
    return v->nlegs ? v->legs[v->nlegs - 1].t1 : 0;
}

static void end_pos(const struct vessel *v, double *la, double *lo)
{
    const struct leg *l = &v->legs[v->nlegs - 1];
    *la = l->la1;
    *lo = l->lo1;
}

static int64_t add_move(struct vessel *v, int64_t t, double la0, double lo0, double la1, double lo1,
                        double kn)
{
    if (v->nlegs == MAXLEG) return t;
    double d = sw_geo_dist_m(la0, lo0, la1, lo1);
    int64_t t1 = t + (int64_t)(d / (kn * KN) * 1000.0) + 1000;
    v->legs[v->nlegs++] = (struct leg){t, t1, la0, lo0, la1, lo1, kn, 0, LEG_MOVE, 0};
    return t1;
}

static int64_t add_stay(struct vessel *v, int64_t t0, int64_t t1, double la, double lo,
                        double drift_kn, double radius, int status)
{
    if (v->nlegs == MAXLEG) return t1;
    v->legs[v->nlegs++] = (struct leg){t0, t1, la, lo, la, lo, drift_kn, radius, LEG_STAY, status};
    return t1;
}

/* Sail on at sea from the end of the timeline until tend: legs of 25-60 km in random
 * directions that keep 8 km from the coast, at about kn knots. */
static void wander(struct sim *s, struct vessel *v, int64_t tend, double kn)
{
    while (v->nlegs && last_t(v) < tend && v->nlegs < MAXLEG - 1) {
        double la, lo, la1 = 0, lo1 = 0;
        end_pos(v, &la, &lo);
        int ok = 0;
        for (int tries = 0; tries < 40 && !ok; tries++) {
            sw_geo_dest(la, lo, rrange(&s->r, 0, 360), rrange(&s->r, 25000, 60000), &la1, &lo1);
            ok = sea_path(s, la, lo, la1, lo1, 8000, 0);
        }
        if (!ok) { /* back where it came from */
            la1 = v->legs[v->nlegs - 1].la0;
            lo1 = v->legs[v->nlegs - 1].lo0;
        }
        add_move(v, last_t(v), la, lo, la1, lo1, kn * rrange(&s->r, 0.93, 1.07));
    }
}

/* A start point 30-55 km from (la, lo) with a clear sea path to it; the vessel sails from
 * there to arrive at t_arrive. Returns 0 or -1. */
static int approach(struct sim *s, struct vessel *v, double la, double lo, int64_t t_arrive,
                    double kn)
{
    for (int tries = 0; tries < 60; tries++) {
        double la0, lo0;
        sw_geo_dest(la, lo, rrange(&s->r, 0, 360), rrange(&s->r, 30000, 55000), &la0, &lo0);
        if (!sea_path(s, la0, lo0, la, lo, 8000, 0)) continue;
        double d = sw_geo_dist_m(la0, lo0, la, lo);
        int64_t t = t_arrive - (int64_t)(d / (kn * KN) * 1000.0) - 1000;
        add_move(v, t, la0, lo0, la, lo, kn);
        return 0;
    }
    return -1;
}

/* An open-sea spot: far from shore and ports, away from other spots, near a receiver. */
static int pick_spot(struct sim *s, double min_shore_m, double *la, double *lo)
{
    for (int tries = 0; tries < 2000; tries++) {
        const double *b = BOXES[rpick(&s->r, (int)NBOXES)];
        double a = rrange(&s->r, b[0], b[1]), o = rrange(&s->r, b[2], b[3]);
        if (sw_geo_is_land(s->g, a, o) || sw_geo_dist_to_shore_m(s->g, a, o) < min_shore_m)
            continue;
        const struct sw_port *p;
        if (sw_ports_nearest(s->g, a, o, 30000, &p, NULL) == SW_OK) continue;
        int near = 0;
        for (int i = 0; i < s->nspots && !near; i++)
            near = sw_geo_dist_m(a, o, s->spots[i][0], s->spots[i][1]) < 50000;
        if (near) continue;
        int heard = 0;
        for (size_t i = 0; i < NSTATIONS && !heard; i++)
            heard = sw_geo_dist_m(a, o, STATIONS[i].lat, STATIONS[i].lon) < STATION_RANGE_M - 20000;
        if (!heard) continue;
        if (s->nspots < 128) {
            s->spots[s->nspots][0] = a;
            s->spots[s->nspots][1] = o;
            s->nspots++;
        }
        *la = a;
        *lo = o;
        return 0;
    }
    return -1;
}

static void put_time(json_t *o, const char *k, int64_t ms)
{
    char b[32];
    json_object_set_new(o, k, json_string(sw_time_format(ms, 0, b)));
}

static json_t *truth_item(struct sim *s, int neg, const char *type, int64_t t0, int64_t t1,
                          double la, double lo, uint32_t m1, uint32_t m2)
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
    put_time(o, "start", t0);
    put_time(o, "end", t1);
    json_object_set_new(o, "lat", json_real(round(la * 1e4) / 1e4));
    json_object_set_new(o, "lon", json_real(round(lo * 1e4) / 1e4));
    json_array_append_new(neg ? s->negatives : s->events, o);
    return o;
}

static int64_t rtime(struct sim *s, int64_t lo, int64_t hi)
{
    if (hi <= lo) return lo;
    return lo + (int64_t)(runif(&s->r) * (double)(hi - lo)) / MIN_MS * MIN_MS;
}

/* ---- scenarios ---------------------------------------------------------------------------- */

static int sc_encounter(struct sim *s)
{
    double la, lo;
    if (pick_spot(s, 40000, &la, &lo)) return 0;
    int64_t dur = (int64_t)(rrange(&s->r, 2.5, 3.5) * HOUR_MS);
    int64_t t = rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - dur - 4 * HOUR_MS);
    struct vessel *a = new_vessel(s, "encounter", 'A');
    if (!a || approach(s, a, la, lo, t, 11)) return -1;
    double lb, ob;
    sw_geo_dest(la, lo, rrange(&s->r, 0, 360), rrange(&s->r, 80, 250), &lb, &ob);
    add_stay(a, t, t + dur, la, lo, 0.5, 60, 0);
    wander(s, a, s->t1, 11);
    struct vessel *b = new_vessel(s, "encounter", 'A');
    if (!b || approach(s, b, lb, ob, t - 10 * MIN_MS, 10)) return -1;
    add_stay(b, t - 10 * MIN_MS, t + dur + 5 * MIN_MS, lb, ob, 0.5, 60, 0);
    wander(s, b, s->t1, 10);
    json_t *o = truth_item(s, 0, "encounter", t, t + dur, la, lo, a->mmsi, b->mmsi);
    json_object_set_new(o, "details",
                        json_pack("{s:f}", "distance_m", round(sw_geo_dist_m(la, lo, lb, ob))));
    return 0;
}

static int sc_loitering(struct sim *s, struct vessel **out, double *pla, double *plo, int64_t t,
                        int64_t dur)
{
    double la, lo;
    if (pick_spot(s, 50000, &la, &lo)) return 0;
    struct vessel *a = new_vessel(s, "loitering", 'A');
    if (!a || approach(s, a, la, lo, t, 10)) return -1;
    add_stay(a, t, t + dur, la, lo, 0.6, 400, 0);
    wander(s, a, s->t1, 10);
    truth_item(s, 0, "loitering", t, t + dur, la, lo, a->mmsi, 0);
    if (out) *out = a;
    if (pla) {
        *pla = la;
        *plo = lo;
    }
    return 0;
}

/* Fishing vessels meandering at fishing speed around a place: reception witnesses for the
 * gap scenarios and hard negatives for loitering. */
static int witnesses(struct sim *s, double la, double lo, int64_t t0, int64_t t1, int n)
{
    for (int k = 0; k < n; k++) {
        struct vessel *f = new_vessel(s, "fishing", 'B');
        if (!f) return -1;
        double a = la, o = lo;
        for (int tries = 0; tries < 50; tries++) {
            sw_geo_dest(la, lo, rrange(&s->r, 0, 360), rrange(&s->r, 5000, 25000), &a, &o);
            if (!sw_geo_is_land(s->g, a, o) && sw_geo_dist_to_shore_m(s->g, a, o) > 10000) break;
        }
        double kn = rrange(&s->r, 2.8, 4.0);
        int64_t t = t0;
        double ca = a, co = o;
        while (t < t1 && f->nlegs < MAXLEG - 1) {
            double na = ca, no = co;
            for (int tries = 0; tries < 30; tries++) {
                sw_geo_dest(ca, co, rrange(&s->r, 0, 360), rrange(&s->r, 3000, 7000), &na, &no);
                if (sw_geo_dist_m(na, no, la, lo) < 30000 && sea_path(s, ca, co, na, no, 5000, 0))
                    break;
                na = a;
                no = o;
            }
            t = add_move(f, t, ca, co, na, no, kn);
            ca = na;
            co = no;
        }
        truth_item(s, 1, "fishing_speed", t0, t, a, o, f->mmsi, 0);
        /* then fish on elsewhere until the end: a vessel that falls silent at sea in good
         * coverage would be an AIS gap */
        wander(s, f, s->t1, kn);
    }
    return 0;
}

static int sc_ais_gap(struct sim *s)
{
    double la, lo;
    if (pick_spot(s, 30000, &la, &lo)) return 0;
    int64_t gap = (int64_t)(rrange(&s->r, 13, 18) * HOUR_MS);
    int64_t t = rtime(s, s->t0 + 3 * HOUR_MS, s->t1 - gap - 3 * HOUR_MS);
    struct vessel *v = new_vessel(s, "ais_gap", 'A');
    if (!v || approach(s, v, la, lo, t, 9)) return -1;
    wander(s, v, s->t1, 9);
    v->silent[v->nsilent++] = (struct span){t, t + gap, 0, 0};
    truth_item(s, 0, "ais_gap", t, t + gap, la, lo, v->mmsi, 0);
    return witnesses(s, la, lo, t - 2 * HOUR_MS, t + gap + 2 * HOUR_MS, 3);
}

static int sc_dark_rendezvous(struct sim *s)
{
    /* D goes dark 60-90 km from the loiterer L, sails to it, stays alongside, sails back
     * out and reappears; L loiters through the visit. */
    int64_t gap = (int64_t)(rrange(&s->r, 14, 17) * HOUR_MS);
    int64_t t = rtime(s, s->t0 + 3 * HOUR_MS, s->t1 - gap - 3 * HOUR_MS);
    double kn = 12;
    struct vessel *l;
    double la, lo;
    int64_t lt0 = t + 3 * HOUR_MS, lt1 = t + gap - 3 * HOUR_MS;
    size_t before = s->nv;
    int nev = s->nev;
    if (sc_loitering(s, &l, &la, &lo, lt0, lt1 - lt0) || s->nv == before)
        return s->nv == before ? 0 : -1;
    (void)nev;
    struct vessel *d = new_vessel(s, "dark_rendezvous", 'A');
    if (!d) return -1;
    double p1a = 0, p1o = 0, p2a = 0, p2o = 0;
    int ok = 0;
    for (int tries = 0; tries < 100 && !ok; tries++) {
        double b = rrange(&s->r, 0, 360);
        sw_geo_dest(la, lo, b, rrange(&s->r, 60000, 90000), &p1a, &p1o);
        sw_geo_dest(la, lo, b + rrange(&s->r, 60, 180), rrange(&s->r, 60000, 90000), &p2a, &p2o);
        ok = sea_path(s, p1a, p1o, la, lo, 8000, 0) && sea_path(s, la, lo, p2a, p2o, 8000, 0);
    }
    if (!ok) return 0;
    /* sail in towards P1, dark at P1 at time t; reach L, stay until lt1 - 1 h, sail to P2 */
    if (approach(s, d, p1a, p1o, t, kn)) return -1;
    double d2 = sw_geo_dist_m(la, lo, p2a, p2o);
    int64_t leave = t + gap - (int64_t)(d2 / (kn * KN) * 1000.0) - 2000;
    double ala, alo;
    sw_geo_dest(la, lo, rrange(&s->r, 0, 360), 150, &ala, &alo);
    add_move(d, t, p1a, p1o, ala, alo, kn);
    if (leave < last_t(d) + HOUR_MS) leave = last_t(d) + HOUR_MS;
    add_stay(d, last_t(d), leave, ala, alo, 0.5, 50, 0);
    add_move(d, leave, ala, alo, p2a, p2o, kn);
    int64_t back = last_t(d);
    wander(s, d, s->t1, kn);
    d->silent[d->nsilent++] = (struct span){t, back, 0, 0};
    json_t *o = truth_item(s, 0, "dark_rendezvous", t, back, la, lo, l->mmsi, d->mmsi);
    json_object_set_new(o, "details",
                        json_pack("{s:s,s:s}", "loiterer", "first", "dark", "second"));
    truth_item(s, 0, "ais_gap", t, back, p1a, p1o, d->mmsi, 0);
    return witnesses(s, la, lo, t - 2 * HOUR_MS, back + 2 * HOUR_MS, 3);
}

/* Sail from the far point in to the port, stop, sail back out and wander. */
static struct vessel *port_visit(struct sim *s, const struct approach *ap, const char *role,
                                 int64_t t_arrive, int64_t stay, double *la, double *lo)
{
    struct vessel *v = new_vessel(s, role, 'A');
    if (!v) return NULL;
    double kn = 10;
    double d1 = sw_geo_dist_m(ap->far_la, ap->far_lo, ap->near_la, ap->near_lo);
    double d2 = sw_geo_dist_m(ap->near_la, ap->near_lo, ap->port_la, ap->port_lo);
    int64_t t = t_arrive - (int64_t)((d1 / (kn * KN) + d2 / (5 * KN)) * 1000.0) - 3000;
    sw_geo_dest(ap->port_la, ap->port_lo, rrange(&s->r, 0, 360), rrange(&s->r, 30, 200), la, lo);
    t = add_move(v, t, ap->far_la, ap->far_lo, ap->near_la, ap->near_lo, kn);
    t = add_move(v, t, ap->near_la, ap->near_lo, *la, *lo, 5);
    t = add_stay(v, t, t + stay, *la, *lo, 0.1, 15, 5);
    t = add_move(v, t, *la, *lo, ap->near_la, ap->near_lo, 5);
    add_move(v, t, ap->near_la, ap->near_lo, ap->far_la, ap->far_lo, kn);
    wander(s, v, s->t1, kn);
    return v;
}

static int sc_port_call(struct sim *s, const struct approach *ap)
{
    int64_t stay = (int64_t)(rrange(&s->r, 6, 16) * HOUR_MS);
    int64_t t = rtime(s, s->t0 + 6 * HOUR_MS, s->t1 - stay - 6 * HOUR_MS);
    double la, lo;
    struct vessel *v = port_visit(s, ap, "port_call", t, stay, &la, &lo);
    if (!v) return -1;
    /* the stop begins when the vessel reaches the berth: find the STAY leg */
    for (int i = 0; i < v->nlegs; i++)
        if (v->legs[i].kind == LEG_STAY) {
            json_t *o =
                truth_item(s, 0, "port_call", v->legs[i].t0, v->legs[i].t1, la, lo, v->mmsi, 0);
            json_object_set_new(o, "port",
                                json_pack("{s:s,s:s}", "name", ap->port, "country", "KP"));
            break;
        }
    return 0;
}

/* A vessel wandering at sea from t0 (appearing at a spot) until the end. */
static struct vessel *wanderer(struct sim *s, const char *role, char cls, int64_t t0, double kn,
                               double *la, double *lo)
{
    if (pick_spot(s, 30000, la, lo)) return NULL;
    struct vessel *v = new_vessel(s, role, cls);
    if (!v) return NULL;
    add_stay(v, t0, t0 + 1000, *la, *lo, kn, 0, 0);
    v->legs[0].kind = LEG_MOVE; /* a zero-length move: start here */
    wander(s, v, s->t1, kn);
    return v;
}

/* Position of a vessel's planned track at time t (no spoofing). */
static void track_pos(const struct vessel *v, int64_t t, double *la, double *lo)
{
    const struct leg *l = &v->legs[0];
    for (int i = 0; i < v->nlegs; i++)
        if (v->legs[i].t0 <= t) {
            l = &v->legs[i];
        }
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

static int spoof_target_ok(const struct sim *s, double la, double lo, int want_land)
{
    const struct sw_zone *z[4];
    size_t nz;
    const struct sw_port *p;
    sw_zones_lookup(s->g, la, lo, z, 4, &nz);
    if (nz || !in_region(la, lo) || sw_ports_nearest(s->g, la, lo, 25000, &p, NULL) == SW_OK)
        return 0;
    if (want_land)
        return sw_geo_is_land(s->g, la, lo) && sw_geo_dist_to_shore_m(s->g, la, lo) > 4000;
    return !sw_geo_is_land(s->g, la, lo) && sw_geo_dist_to_shore_m(s->g, la, lo) > 10000;
}

/* Well inside a shore station's range (short events must not fall in satellite-only water). */
static int covered(double la, double lo)
{
    for (size_t i = 0; i < NSTATIONS; i++)
        if (sw_geo_dist_m(la, lo, STATIONS[i].lat, STATIONS[i].lon) < STATION_RANGE_M - 30000)
            return 1;
    return 0;
}

/* A time in [lo, hi) when the vessel's planned track is covered by a shore station; -1 if
 * none was found. */
static int64_t covered_time(struct sim *s, const struct vessel *v, int64_t lo, int64_t hi)
{
    for (int tries = 0; tries < 60; tries++) {
        int64_t t = rtime(s, lo, hi);
        double a, o;
        track_pos(v, t, &a, &o);
        if (covered(a, o)) return t;
    }
    return -1;
}

static int sc_spoof_once(struct sim *s, int variant);

/* A spoofing vessel may roam where no spoof can be staged (satellite-only water, no land in
 * reach): it then stays as plain traffic and another one is tried. */
static int sc_spoof(struct sim *s, int variant)
{
    for (int k = 0; k < 4; k++) {
        size_t nev = json_array_size(s->events);
        int rc = sc_spoof_once(s, variant);
        if (rc || json_array_size(s->events) > nev) return rc;
        if (s->nv && !strcmp(s->v[s->nv - 1].role, "position_spoof"))
            s->v[s->nv - 1].role = "background";
    }
    return 0;
}

static int sc_spoof_once(struct sim *s, int variant)
{
    double la, lo;
    struct vessel *v =
        wanderer(s, "position_spoof", 'A', s->t0 + rpick(&s->r, 120) * MIN_MS, 11, &la, &lo);
    if (!v) return 0;
    int64_t t = covered_time(s, v, s->t0 + 6 * HOUR_MS, s->t1 - 8 * HOUR_MS);
    if (t < 0) t = rtime(s, s->t0 + 6 * HOUR_MS, s->t1 - 8 * HOUR_MS);
    double pa, po, ta = 0, to = 0;
    track_pos(v, t, &pa, &po);
    if (variant == 2) { /* a second transmitter with the same MMSI, far away */
        struct vessel *c = NULL;
        double ca, co;
        int64_t dur = (int64_t)(rrange(&s->r, 2, 4) * HOUR_MS);
        for (int tries = 0; tries < 20; tries++) {
            if (pick_spot(s, 30000, &ca, &co)) return 0;
            double dd = 1e18;
            for (int64_t u = t; u <= t + dur; u += 10 * MIN_MS) {
                double qa, qo;
                track_pos(v, u, &qa, &qo);
                dd = fmin(dd, sw_geo_dist_m(qa, qo, ca, co));
            }
            const struct sw_zone *zz[2];
            size_t nzz;
            sw_zones_lookup(s->g, ca, co, zz, 2, &nzz);
            if (dd > 150000 && nzz == 0) {
                c = new_vessel(s, "clone", 'A');
                break;
            }
        }
        if (!c) return 0;
        c->clone = 1;
        c->mmsi = v->mmsi;
        c->imo = v->imo;
        memcpy(c->name, v->name, sizeof c->name);
        memcpy(c->callsign, v->callsign, sizeof c->callsign);
        /* the clone circles slowly where it is (outside every zone) */
        add_stay(c, t, t + dur, ca, co, 1.5, 1500, 0);
        truth_item(s, 0, "position_spoof", t, t + dur, ca, co, v->mmsi, 0);
        return 0;
    }
    int ok = 0;
    for (int tries = 0; tries < 1600 && !ok; tries++) {
        if (tries && tries % 200 == 0) { /* another moment, another place */
            int64_t t2 = covered_time(s, v, s->t0 + 6 * HOUR_MS, s->t1 - 8 * HOUR_MS);
            if (t2 >= 0) t = t2;
            track_pos(v, t, &pa, &po);
        }
        sw_geo_dest(pa, po, rrange(&s->r, 0, 360), rrange(&s->r, 40000, variant ? 250000 : 120000),
                    &ta, &to);
        ok = spoof_target_ok(s, ta, to, variant == 1);
    }
    if (!ok) return 0;
    int64_t dur = (int64_t)(variant ? rrange(&s->r, 20, 40) : rrange(&s->r, 6, 12)) * MIN_MS;
    v->spoof[v->nspoof++] = (struct span){t, t + dur, ta, to};
    json_t *o = truth_item(s, 0, "position_spoof", t, t + dur, ta, to, v->mmsi, 0);
    json_object_set_new(o, "details", json_pack("{s:s}", "variant", variant ? "on_land" : "jump"));
    return 0;
}

/* ---- emission ---------------------------------------------------------------------------- */

static int pend_push(struct sim *s, int64_t deliver, const char *text, size_t len)
{
    if (s->npend == s->cappend) {
        size_t nc = s->cappend ? s->cappend * 2 : 1024;
        if (nc > 4000000) return SW_ETOOBIG;
        struct pend *np = realloc(s->pend, nc * sizeof *np);
        if (!np) return SW_ENOMEM;
        s->pend = np;
        s->cappend = nc;
    }
    char *c = malloc(len + 1);
    if (!c) return SW_ENOMEM;
    memcpy(c, text, len);
    c[len] = '\0';
    s->pend[s->npend++] = (struct pend){deliver, s->seq++, c, len};
    return SW_OK;
}

static int cmp_pend(const void *a, const void *b)
{
    const struct pend *x = a, *y = b;
    if (x->deliver != y->deliver) return x->deliver < y->deliver ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Emit every pending line delivered before `before`, in delivery order. */
static int flush(struct sim *s, int64_t before)
{
    if (!s->npend) return SW_OK;
    qsort(s->pend, s->npend, sizeof *s->pend, cmp_pend);
    size_t k = 0;
    int rc = SW_OK;
    for (; k < s->npend && s->pend[k].deliver < before; k++) {
        /* a pending entry may hold several lines (multi-sentence): emit each */
        const char *p = s->pend[k].line, *end = p + s->pend[k].len;
        while (!rc && p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
            rc = s->emit(s->ctx, p, l);
            s->st->lines++;
            p += l + 1;
        }
        free(s->pend[k].line);
        if (rc) break;
    }
    if (rc && k < s->npend) k++;
    memmove(s->pend, s->pend + k, (s->npend - k) * sizeof *s->pend);
    s->npend -= k;
    return rc;
}

/* Transmit one message: each receiver in range hears it or not; heard copies are queued with
 * their delivery delay. */
static int transmit(struct sim *s, const struct sw_aisenc_msg *m, int64_t t, double la, double lo)
{
    char payload[SW_AISENC_MAX_PAYLOAD + 1];
    size_t plen;
    int fill;
    int rc = sw_aisenc_encode(m, payload, &plen, &fill);
    if (rc) return rc;
    s->st->transmissions++;
    int heard = 0;
    for (size_t i = 0; i <= NSTATIONS; i++) {
        double p;
        int64_t delay;
        const char *name;
        if (i < NSTATIONS) {
            double d = sw_geo_dist_m(la, lo, STATIONS[i].lat, STATIONS[i].lon);
            if (d > STATION_RANGE_M) continue;
            p = 0.97 - 0.3 * d / STATION_RANGE_M;
            delay = 50 + (int64_t)rrange(&s->r, 0, 2500);
            name = STATIONS[i].name;
        } else {
            p = 0.3;
            delay = 120000 + (int64_t)rrange(&s->r, 0, (double)(MAX_DELAY_MS - 120000));
            name = "sSAT1";
        }
        if (runif(&s->r) >= p) continue;
        sw_buf_reset(&s->line);
        char ch = runif(&s->r) < 0.5 ? 'A' : 'B';
        rc = sw_aisenc_nmea(payload, plen, fill, name, t / 1000, ch, s->stseq[i]++ % 10,
                            1 + s->stgroup[i]++ % 9999, &s->line);
        if (!rc) rc = pend_push(s, t + delay, s->line.data, s->line.len - 1);
        if (rc) return rc;
        if (heard) s->st->duplicates++;
        if (i == NSTATIONS) s->st->late++;
        heard = 1;
    }
    s->last_heard = heard;
    if (!heard)
        s->st->lost++;
    else
        s->st->messages++;
    return SW_OK;
}

static void zones_update(struct sim *s, struct vessel *v, uint32_t mmsi, int64_t t, double la,
                         double lo)
{
    const struct sw_zones *zs = sw_geo_zones(s->g);
    size_t nz = sw_zones_count(zs);
    for (size_t i = 0; i < nz && i < MAXZ; i++) {
        const struct sw_zone *z = sw_zones_get(zs, i);
        int in = sw_geo_poly_contains(&z->poly, la, lo);
        if (in) {
            if (v->zstate[i] == 1 && (!v->zopen[i] || t - v->zout_since[i] >= ZONE_REENTRY_MS)) {
                json_t *o = truth_item(s, 0, "zone_entry", t, t, la, lo, mmsi, 0);
                json_object_set_new(o, "zone", json_string(z->id));
                v->zopen[i] = o;
            }
            v->zstate[i] = 2;
            v->zlast_in[i] = t;
            if (v->zopen[i]) put_time(v->zopen[i], "end", t);
        } else {
            if (v->zstate[i] == 2) v->zout_since[i] = t;
            v->zstate[i] = 1;
        }
    }
}

static int in_span(const struct span *sp, int n, int64_t t)
{
    for (int i = 0; i < n; i++)
        if (t >= sp[i].t0 && t < sp[i].t1) return i;
    return -1;
}

static int vessel_tick(struct sim *s, struct vessel *v, int64_t t)
{
    if (!v->nlegs || t < v->legs[0].t0 || t >= last_t(v) || t < v->next_tx) return SW_OK;
    while (v->cur + 1 < v->nlegs && v->legs[v->cur].t1 <= t)
        v->cur++;
    const struct leg *l = &v->legs[v->cur];
    double la, lo, sog, cog;
    int status = 0, moving = l->kind == LEG_MOVE;
    if (moving) {
        double f = (double)(t - l->t0) / (double)(l->t1 - l->t0 ? l->t1 - l->t0 : 1);
        f = f < 0 ? 0 : f > 1 ? 1 : f;
        double d = sw_geo_dist_m(l->la0, l->lo0, l->la1, l->lo1);
        double brg = sw_geo_bearing_deg(l->la0, l->lo0, l->la1, l->lo1);
        sw_geo_dest(l->la0, l->lo0, brg, f * d, &la, &lo);
        sog = l->kn + rrange(&s->r, -0.3, 0.3);
        cog =
            fmod(sw_geo_bearing_deg(la, lo, l->la1, l->lo1) + rrange(&s->r, -1.5, 1.5) + 360, 360);
        status = 0;
    } else {
        /* slow wander around the point: a smooth loop of radius l->radius */
        double ph = (double)(t - l->t0) / (double)HOUR_MS * 0.7 + (double)(v->mmsi % 360);
        sw_geo_dest(l->la0, l->lo0, fmod(ph * 57.3, 360), l->radius * (0.5 + 0.5 * sin(ph)), &la,
                    &lo);
        sog = fmax(0, l->kn * rrange(&s->r, 0.3, 1.0));
        cog = rrange(&s->r, 0, 360);
        status = l->status;
    }
    int64_t iv = v->cls == 'B' ? 180000 : moving ? 120000 : 360000;
    v->next_tx = t + iv + (int64_t)rrange(&s->r, -15000, 15000);
    if (in_span(v->silent, v->nsilent, t) >= 0) return SW_OK;
    double tla = la, tlo = lo; /* receivers hear the ship where it is, not where it claims */
    int sp = in_span(v->spoof, v->nspoof, t);
    if (sp >= 0) {
        double a = v->spoof[sp].la, o = v->spoof[sp].lo;
        sw_geo_dest(a, o, rrange(&s->r, 0, 360), rrange(&s->r, 0, 300), &la, &lo);
    }
    uint32_t mmsi = v->mmsi2 && t >= v->t_mmsi2 ? v->mmsi2 : v->mmsi;
    if (mmsi == v->mmsi2 && !v->first_tx2) v->first_tx2 = t;
    if (!v->first_tx) v->first_tx = t;
    v->last_tx = t;
    struct sw_aisenc_msg m;
    memset(&m, 0, sizeof m);
    m.mmsi = mmsi;
    m.lat = la;
    m.lon = lo;
    m.sog_kn = sog;
    m.cog_deg = cog;
    m.heading = (int)lround(cog) % 360;
    m.second = (int)((t / 1000) % 60);
    m.nav_status = status;
    if (v->cls == 'A')
        m.type = runif(&s->r) < 0.85 ? 1 : (runif(&s->r) < 0.7 ? 3 : 2);
    else
        m.type = v->b19 && t >= v->next_static ? 19 : 18;
    int rename = v->t_rename && t >= v->t_rename;
    int64_t tchange = v->t_rename ? v->t_rename : v->t_mmsi2;
    if (tchange && t >= tchange && t < tchange + 30 * MIN_MS)
        v->next_static = t; /* a transponder sends changed static data at once */
    const char *name = rename ? v->name2 : v->name, *cs = rename ? v->callsign2 : v->callsign;
    snprintf(m.name, sizeof m.name, "%s", name);
    snprintf(m.callsign, sizeof m.callsign, "%s", cs);
    m.ship_type = v->ship_type;
    m.to_bow = v->len * 2 / 3;
    m.to_stern = v->len - m.to_bow;
    m.to_port = v->beam / 2;
    m.to_starboard = v->beam - m.to_port;
    int rc = transmit(s, &m, t, tla, tlo);
    /* zone entries are labelled from the positions some receiver heard (what a detector can
     * know), spoofed ones included, a clone's not */
    if (!rc && s->last_heard && !v->clone) zones_update(s, v, mmsi, t, la, lo);
    if (rc || t < v->next_static) return rc;
    v->next_static = t + 360000 + (int64_t)rrange(&s->r, -20000, 20000);
    if (v->cls == 'A') {
        m.type = 5;
        m.imo = v->imo;
        snprintf(m.dest, sizeof m.dest, "%s", v->dest);
        m.draught_m = v->draught;
        m.eta_month = 3;
        m.eta_day = 5;
        m.eta_hour = 12;
        m.eta_minute = 0;
        return transmit(s, &m, t + 1000, tla, tlo);
    }
    if (m.type == 19) return SW_OK;
    m.type = 24;
    m.part = 0;
    rc = transmit(s, &m, t + 1000, tla, tlo);
    m.part = 1;
    return rc ? rc : transmit(s, &m, t + 2000, tla, tlo);
}

/* ---- the run ------------------------------------------------------------------------------- */

void sw_sim_opts_default(struct sw_sim_opts *o)
{
    o->seed = 1;
    o->hours = 36;
    o->vessels = 30;
    o->start_ms = 1709251200000LL; /* 2024-03-01T00:00:00Z */
}

static void lane_walker(struct sim *s, struct vessel *v)
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
        t = add_move(v, t, la, lo, oa, oo, kn * rrange(&s->r, 0.95, 1.05));
        la = oa;
        lo = oo;
        if (next + dir < 0 || next + dir >= ln->n) dir = -dir;
        next += dir;
    }
}

static int build(struct sim *s)
{
    int rc = 0;
    for (int i = 0; i < s->o->vessels; i++) {
        struct vessel *v = new_vessel(s, "background", rpick(&s->r, 5) ? 'A' : 'B');
        if (!v) return SW_ENOMEM;
        lane_walker(s, v);
    }
    /* behaviour of every type */
    rc |= sc_encounter(s);
    rc |= sc_encounter(s);
    {
        int64_t dur = (int64_t)(rrange(&s->r, 5, 8) * HOUR_MS);
        rc |= sc_loitering(s, NULL, NULL, NULL,
                           rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - dur - 4 * HOUR_MS), dur);
    }
    rc |= sc_ais_gap(s);
    rc |= sc_dark_rendezvous(s);
    int k1 = rpick(&s->r, (int)(sizeof KP_PORTS / sizeof KP_PORTS[0]));
    int k2 = (k1 + 1 + rpick(&s->r, (int)(sizeof KP_PORTS / sizeof KP_PORTS[0]) - 1)) %
             (int)(sizeof KP_PORTS / sizeof KP_PORTS[0]);
    rc |= sc_port_call(s, &KP_PORTS[k1]);
    rc |= sc_port_call(s, &KP_PORTS[k2]);
    rc |= sc_spoof(s, 0);
    rc |= sc_spoof(s, 1);
    rc |= sc_spoof(s, 2);
    if (rc) return SW_ENOMEM;
    double la, lo;
    /* identity_change: a new name and call sign */
    struct vessel *v = wanderer(s, "identity_change", 'A', s->t0, 10, &la, &lo);
    if (v) {
        v->t_rename = covered_time(s, v, s->t0 + 8 * HOUR_MS, s->t1 - 6 * HOUR_MS);
        if (v->t_rename < 0) v->t_rename = rtime(s, s->t0 + 8 * HOUR_MS, s->t1 - 6 * HOUR_MS);
        char tmp[48];
        snprintf(tmp, sizeof tmp, "NEW %s", v->name);
        memcpy(v->name2, tmp, sizeof v->name2 - 1);
        snprintf(tmp, sizeof tmp, "%c%c%04d", 'A' + rpick(&s->r, 26), 'A' + rpick(&s->r, 26),
                 rpick(&s->r, 10000));
        memcpy(v->callsign2, tmp, sizeof v->callsign2 - 1);
        json_t *o =
            truth_item(s, 0, "identity_change", v->t_rename, v->t_rename, la, lo, v->mmsi, 0);
        json_object_set_new(o, "details",
                            json_pack("{s:s,s:s}", "old_name", v->name, "new_name", v->name2));
    }
    /* identity_change: the same IMO under a new MMSI (late in the run: the old MMSI's
     * silence must not read as a 12 h gap) */
    v = wanderer(s, "identity_change_mmsi", 'A', s->t0, 10, &la, &lo);
    if (v) {
        v->t_mmsi2 = covered_time(s, v, s->t1 - 10 * HOUR_MS, s->t1 - 5 * HOUR_MS);
        if (v->t_mmsi2 < 0) v->t_mmsi2 = rtime(s, s->t1 - 10 * HOUR_MS, s->t1 - 5 * HOUR_MS);
        v->mmsi2 = MIDS[rpick(&s->r, 10)] * 1000000u + 900000u + (uint32_t)(s->serial++ % 99999);
        json_t *o =
            truth_item(s, 0, "identity_change", v->t_mmsi2, v->t_mmsi2, la, lo, v->mmsi, v->mmsi2);
        json_object_set_new(o, "details", json_pack("{s:s}", "change", "imo_new_mmsi"));
    }
    /* identity_fraud: wrong IMO check digit; unallocated MID. Presence filled in later. */
    v = wanderer(s, "identity_fraud_imo", 'A', s->t0 + rpick(&s->r, 240) * MIN_MS, 10, &la, &lo);
    if (v) v->imo = v->imo / 10 * 10 + (uint32_t)(v->imo % 10 + 1 + rpick(&s->r, 8)) % 10;
    v = wanderer(s, "identity_fraud_mid", 'A', s->t0 + rpick(&s->r, 240) * MIN_MS, 10, &la, &lo);
    if (v) v->mmsi = BAD_MIDS[rpick(&s->r, 5)] * 1000000u + v->mmsi % 1000000u;
    /* listed_vessel: a designated DPRK vessel under its own name and IMO */
    v = wanderer(s, "listed_vessel", 'A', s->t0 + rpick(&s->r, 240) * MIN_MS, 9, &la, &lo);
    if (v) {
        int k = rpick(&s->r, (int)(sizeof LISTED / sizeof LISTED[0]));
        v->imo = LISTED[k].imo;
        snprintf(v->name, sizeof v->name, "%s", LISTED[k].name);
        v->mmsi = 445000000u + v->mmsi % 1000000u;
    }

    /* hard negatives */
    { /* two ships at anchor together in an anchorage */
        const struct approach *ap = &OTHER_PORTS[1 + rpick(&s->r, 3)];
        int64_t stay = (int64_t)(rrange(&s->r, 6, 10) * HOUR_MS);
        int64_t t = rtime(s, s->t0 + 5 * HOUR_MS, s->t1 - stay - 5 * HOUR_MS);
        double a1, o1, a2, o2;
        struct vessel *x = port_visit(s, ap, "anchored_together", t, stay, &a1, &o1);
        struct vessel *y = port_visit(s, ap, "anchored_together", t + 20 * MIN_MS, stay, &a2, &o2);
        if (!x || !y) return SW_ENOMEM;
        for (int i = 0; i < x->nlegs; i++)
            if (x->legs[i].kind == LEG_STAY) x->legs[i].status = 1;
        for (int i = 0; i < y->nlegs; i++)
            if (y->legs[i].kind == LEG_STAY) y->legs[i].status = 1;
        truth_item(s, 1, "anchored_together", t, t + stay, a1, o1, x->mmsi, y->mmsi);
    }
    { /* two ships passing close at speed on reciprocal courses */
        if (!pick_spot(s, 30000, &la, &lo)) {
            int64_t t = rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - 4 * HOUR_MS);
            double b = 0, pa = 0, po = 0, qa = 0, qo = 0;
            int ok = 0;
            for (int tries = 0; tries < 50 && !ok; tries++) {
                b = rrange(&s->r, 0, 360);
                sw_geo_dest(la, lo, b + 180, 40000, &pa, &po);
                sw_geo_dest(la, lo, b, 40000, &qa, &qo);
                ok = sea_path(s, pa, po, qa, qo, 8000, 0);
            }
            struct vessel *x = new_vessel(s, "passing_close", 'A');
            struct vessel *y = new_vessel(s, "passing_close", 'A');
            if (!x || !y) return SW_ENOMEM;
            if (ok) {
                double pa2, po2, xa2, xo2, qa2, qo2, kn = 12;
                sw_geo_dest(pa, po, b + 90, 250, &pa2, &po2);
                sw_geo_dest(la, lo, b + 90, 250, &xa2, &xo2);
                sw_geo_dest(qa, qo, b + 90, 250, &qa2, &qo2);
                int64_t tx = t - (int64_t)(40000 / (kn * KN) * 1000.0);
                tx = add_move(x, tx, pa, po, la, lo, kn);
                add_move(x, tx, la, lo, qa, qo, kn);
                int64_t ty = t - (int64_t)(40000 / (kn * KN) * 1000.0);
                ty = add_move(y, ty, qa2, qo2, xa2, xo2, kn);
                add_move(y, ty, xa2, xo2, pa2, po2, kn);
                wander(s, x, s->t1, kn);
                wander(s, y, s->t1, kn);
                truth_item(s, 1, "passing_close", t - HOUR_MS, t + HOUR_MS, la, lo, x->mmsi,
                           y->mmsi);
            }
        }
    }
    { /* tug and tow: together at 5 kn for hours */
        if (!pick_spot(s, 30000, &la, &lo)) {
            int64_t t = rtime(s, s->t0 + 2 * HOUR_MS, s->t1 - 10 * HOUR_MS);
            struct vessel *x = new_vessel(s, "tug", 'A');
            struct vessel *y = new_vessel(s, "tow", 'A');
            if (!x || !y) return SW_ENOMEM;
            x->ship_type = 52;
            y->ship_type = 31;
            add_stay(x, t, t + 1000, la, lo, 5, 0, 0);
            x->legs[0].kind = LEG_MOVE;
            wander(s, x, t + 7 * HOUR_MS, 5);
            for (int i = 0; i < x->nlegs && y->nlegs < MAXLEG; i++) {
                struct leg l = x->legs[i];
                double brg = sw_geo_bearing_deg(l.la0, l.lo0, l.la1, l.lo1) + 180;
                sw_geo_dest(l.la0, l.lo0, brg, 200, &l.la0, &l.lo0);
                sw_geo_dest(l.la1, l.lo1, brg, 200, &l.la1, &l.lo1);
                y->legs[y->nlegs++] = l;
            }
            int64_t tend = last_t(x);
            wander(s, x, s->t1, 10);
            wander(s, y, s->t1, 10);
            truth_item(s, 1, "tug_tow", t, tend, la, lo, x->mmsi, y->mmsi);
        }
    }
    { /* a pilot boat alongside for half an hour, 15-25 km from a port */
        const struct approach *ap = &OTHER_PORTS[0];
        double pa, po;
        sw_geo_dest(ap->far_la, ap->far_lo, 180, 5000, &pa, &po);
        int64_t t = rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - 4 * HOUR_MS);
        int64_t dur = (int64_t)rrange(&s->r, 20, 40) * MIN_MS;
        struct vessel *x = new_vessel(s, "pilot_visit_ship", 'A');
        struct vessel *y = new_vessel(s, "pilot", 'A');
        if (!x || !y) return SW_ENOMEM;
        y->ship_type = 50;
        if (!approach(s, x, pa, po, t, 10) && !approach(s, y, pa, po, t - 5 * MIN_MS, 15)) {
            add_stay(x, t, t + dur, pa, po, 1.0, 30, 0);
            double ba, bo;
            sw_geo_dest(pa, po, 90, 60, &ba, &bo);
            add_stay(y, t - 5 * MIN_MS, t + dur, ba, bo, 1.0, 30, 0);
            wander(s, x, s->t1, 10);
            wander(s, y, s->t1, 15);
            truth_item(s, 1, "pilot_visit", t, t + dur, pa, po, x->mmsi, y->mmsi);
        }
    }
    { /* a short reception gap at sea */
        v = wanderer(s, "short_gap", 'A', s->t0, 10, &la, &lo);
        if (v) {
            int64_t t = rtime(s, s->t0 + 4 * HOUR_MS, s->t1 - 8 * HOUR_MS);
            int64_t dur = (int64_t)(rrange(&s->r, 1.5, 4) * HOUR_MS);
            v->silent[v->nsilent++] = (struct span){t, t + dur, 0, 0};
            truth_item(s, 1, "short_gap", t, t + dur, la, lo, v->mmsi, 0);
        }
    }
    { /* a port stop with AIS off in port, outside the DPRK */
        int64_t stay = (int64_t)(rrange(&s->r, 15, 18) * HOUR_MS);
        int64_t t = rtime(s, s->t0 + 3 * HOUR_MS, s->t1 - stay - 5 * HOUR_MS);
        double a1, o1;
        v = port_visit(s, &OTHER_PORTS[0], "port_stop", t, stay, &a1, &o1);
        if (!v) return SW_ENOMEM;
        v->silent[v->nsilent++] = (struct span){t + HOUR_MS, t + stay - HOUR_MS, 0, 0};
        truth_item(s, 1, "port_stop", t, t + stay, a1, o1, v->mmsi, 0);
    }
    /* a wandering fishing fleet somewhere (more fishing-speed negatives) */
    if (!pick_spot(s, 40000, &la, &lo))
        rc = witnesses(s, la, lo, s->t0 + 2 * HOUR_MS, s->t0 + 12 * HOUR_MS, 2);
    return rc ? SW_ENOMEM : SW_OK;
}

static void presence_truth(struct sim *s)
{
    for (size_t i = 0; i < s->nv; i++) {
        struct vessel *v = &s->v[i];
        const char *type = NULL;
        if (!strcmp(v->role, "identity_fraud_imo") || !strcmp(v->role, "identity_fraud_mid"))
            type = "identity_fraud";
        else if (!strcmp(v->role, "listed_vessel"))
            type = "listed_vessel";
        if (!type || !v->first_tx) continue;
        double la, lo;
        track_pos(v, v->first_tx, &la, &lo);
        json_t *o = truth_item(s, 0, type, v->first_tx, v->last_tx, la, lo, v->mmsi, 0);
        if (!strcmp(v->role, "identity_fraud_imo"))
            json_object_set_new(
                o, "details",
                json_pack("{s:s,s:I}", "rule", "imo_check_digit", "imo", (json_int_t)v->imo));
        else if (!strcmp(v->role, "identity_fraud_mid"))
            json_object_set_new(o, "details", json_pack("{s:s}", "rule", "unallocated_mid"));
        else
            json_object_set_new(o, "details",
                                json_pack("{s:I,s:s}", "imo", (json_int_t)v->imo, "name", v->name));
    }
}

static json_t *vessels_json(const struct sim *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->nv; i++) {
        const struct vessel *v = &s->v[i];
        if (v->clone) continue;
        json_t *o =
            json_pack("{s:I,s:s,s:s,s:s,s:s}", "mmsi", (json_int_t)v->mmsi, "name", v->name,
                      "callsign", v->callsign, "class", v->cls == 'A' ? "A" : "B", "role", v->role);
        if (v->imo) json_object_set_new(o, "imo", json_integer(v->imo));
        if (v->mmsi2) json_object_set_new(o, "mmsi_after", json_integer(v->mmsi2));
        json_array_append_new(a, o);
    }
    return a;
}

int sw_sim_run(const struct sw_sim_opts *o, const struct sw_geo *g, sw_sim_emit_fn emit, void *ctx,
               struct sw_buf *truth, struct sw_sim_stats *stats)
{
    struct sw_sim_stats st0;
    struct sim s;
    memset(&s, 0, sizeof s);
    if (!stats) stats = &st0;
    memset(stats, 0, sizeof *stats);
    if (!(o->hours >= 24 && o->hours <= 168) || o->vessels < 0 || o->vessels > 500)
        return SW_EINVAL;
    s.o = o;
    s.g = g;
    s.r.s = o->seed * 0x2545F4914F6CDD1DULL + 12345;
    s.t0 = o->start_ms;
    s.t1 = o->start_ms + (int64_t)(o->hours * HOUR_MS);
    s.emit = emit;
    s.ctx = ctx;
    s.st = stats;
    s.events = json_array();
    s.negatives = json_array();
    sw_buf_init(&s.line, 4096);
    int rc = SW_ENOMEM;
    if (!s.events || !s.negatives) goto fail;
    s.capv = (size_t)o->vessels + 256;
    s.v = calloc(s.capv, sizeof *s.v);
    if (!s.v) goto fail;
    rc = build(&s);
    if (rc) goto fail;
    for (int64_t t = s.t0; t < s.t1; t += 10000) {
        for (size_t i = 0; i < s.nv && !rc; i++)
            if (s.v[i].next_tx < t + 10000)
                rc = vessel_tick(&s, &s.v[i], s.v[i].next_tx > t ? s.v[i].next_tx : t);
        if (!rc && (t / 10000) % 30 == 0) rc = flush(&s, t);
        if (rc) goto fail;
    }
    rc = flush(&s, INT64_MAX);
    if (rc) goto fail;
    presence_truth(&s);
    stats->vessels = s.nv;
    stats->truth_events = json_array_size(s.events);
    stats->negatives = json_array_size(s.negatives);
    json_t *root = json_object();
    json_object_set_new(root, "generator", json_string("sanctwatch simulate"));
    json_object_set_new(root, "format", json_integer(1));
    json_object_set_new(root, "seed", json_integer((json_int_t)o->seed));
    put_time(root, "start", s.t0);
    put_time(root, "end", s.t1);
    json_object_set_new(root, "events", s.events);
    json_object_set_new(root, "negatives", s.negatives);
    json_object_set_new(root, "vessels", vessels_json(&s));
    json_t *rx = json_array();
    for (size_t i = 0; i < NSTATIONS; i++)
        json_array_append_new(rx, json_pack("{s:s,s:f,s:f}", "name", STATIONS[i].name, "lat",
                                            STATIONS[i].lat, "lon", STATIONS[i].lon));
    json_object_set_new(root, "receivers", rx);
    s.events = s.negatives = NULL;
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    json_decref(root);
    rc = SW_ENOMEM;
    if (!text) goto fail;
    rc = sw_buf_puts(truth, text);
    if (!rc) rc = sw_buf_putc(truth, '\n');
    free(text);
fail:
    for (size_t i = 0; i < s.npend; i++)
        free(s.pend[i].line);
    free(s.pend);
    free(s.v);
    json_decref(s.events);
    json_decref(s.negatives);
    sw_buf_release(&s.line);
    return rc;
}
