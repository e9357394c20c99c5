/*
 * Inside the scenario simulator (sanctwatch/sim.h): the world model shared by its files.
 *   world.c      random numbers, vessels and their timelines (legs), places and times
 *   scenarios.c  injected behaviour with its truth (docs/simulate.md, "Injected behaviour")
 *   negatives.c  hard negatives (docs/simulate.md, "Hard negatives")
 *   sim.c        transmission, reception, the derived truth (zones, presence) and the run
 * Everything is deterministic from the seed: one splitmix64 stream, consumed in a fixed order.
 */
#ifndef SANCTWATCH_SIM_INT_H
#define SANCTWATCH_SIM_INT_H

#include <jansson.h>
#include <stdint.h>

#include "sanctwatch/buf.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/sim.h"

#define KN 0.514444 /* m/s per knot */
#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define DAY_MS (24 * HOUR_MS)
#define MAXLEG 256
#define MAXZ 16
#define MAXSPOTS 128
#define MAX_DELAY_MS 600000LL
#define ZONE_REENTRY_MS (2 * HOUR_MS)
#define STATION_RANGE_M 150000.0
#define SLOW_ZONE_KN 3.0 /* SPEC-12: slowing under 3 kn ... */
#define SLOW_ZONE_MS                                                                               \
    (30 * MIN_MS) /* ... for at least 30 min inside a transfer area or corridor                    \
                   */

/* ---- random numbers: splitmix64 ------------------------------------------------------------ */

struct rng {
    uint64_t s;
};

static inline uint64_t rnext(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline double runif(struct rng *r)
{
    return (double)(rnext(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline double rrange(struct rng *r, double a, double b)
{
    return a + (b - a) * runif(r);
}

static inline int rpick(struct rng *r, int n)
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

/* One-off odd transmissions that are not spoofing (hard negatives of position_spoof). */
enum {
    ODD_NONE,
    ODD_GLITCH, /* one fix at (odd_a, odd_b), then back */
    ODD_GARBLE, /* one fix with the latitude (odd_a) or longitude (odd_b) off by a power of ten */
    ODD_REPLAY  /* three fixes of 20, 40, 60 min before re-sent with the current timestamp */
};

struct vessel {
    uint32_t mmsi, mmsi2; /* mmsi2 from t_mmsi2 on (0: none) */
    int64_t t_mmsi2;
    char cls;  /* 'A' or 'B' */
    int b19;   /* class B sending type 19 */
    int clone; /* second transmitter of another vessel's MMSI (not in the zone truth) */
    const char *role;
    const char *variant; /* the case's variant, for the truth's details */
    struct vessel *peer; /* shared_imo: the other vessel broadcasting the IMO */
    char name[21], callsign[8], dest[21];
    char name2[21], callsign2[8];
    int64_t t_rename; /* 0: none */
    uint32_t imo;
    int ship_type, len, beam; /* len 0: dimensions not sent */
    double draught;
    double draught2; /* the draught broadcast from t_draught on (0: none) */
    int64_t t_draught;
    double dwt; /* a planted tanker's deadweight, tonnes (0: the model's of len, beam) */
    struct leg legs[MAXLEG];
    int nlegs, cur;
    struct span silent[4];
    int nsilent;
    struct span spoof[2];
    int nspoof;
    int odd, odd_done;
    int64_t odd_t;
    double odd_a, odd_b;
    int64_t next_tx, next_static;
    int64_t first_tx, last_tx, first_tx2;
    /* zone truth, per zone: 0 unknown, 1 outside, 2 inside; a visit open (entered, not yet
     * forgotten); its truth item (territorial sea); the open slow episode (first and last
     * slow fix inside, 0 none) */
    int zstate[MAXZ], zvisit[MAXZ];
    int64_t zout_since[MAXZ];
    json_t *zopen[MAXZ];
    int64_t slow0[MAXZ], slow1[MAXZ];
    double slow_la[MAXZ], slow_lo[MAXZ];
    /* DPRK port areas: 0 unknown, 1 outside, 2 inside port kport */
    int kstate;
    const struct sw_port *kport;
    int64_t kout_since;
    json_t *kopen;
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

/* A DPRK or other port with a sea approach: the berth (inside the port's area of
 * data/ports.csv), a point off the harbour, and a point out at sea. */
struct approach {
    const char *port;
    double port_la, port_lo, near_la, near_lo, far_la, far_lo;
};

extern const struct station SIM_STATIONS[];
extern const size_t SIM_NSTATIONS;
extern const struct approach SIM_KP_PORTS[];
extern const size_t SIM_NKP_PORTS;
extern const struct approach SIM_OTHER_PORTS[];
extern const uint32_t SIM_MIDS[];
extern const size_t SIM_NMIDS;

struct sim {
    const struct sw_sim_opts *o;
    const struct sw_geo *g;
    struct rng r;
    int64_t t0, t1;
    struct vessel *v;
    size_t nv, capv;
    json_t *events, *negatives;
    json_t *cap;      /* the deliveries the cap tracker must find (cases.c) */
    json_t *transits; /* "mmsi|zone|day" -> entries */
    double spots[MAXSPOTS][2];
    int nspots;
    uint32_t serial;
    int nev, nneg;
    struct pend *pend;
    size_t npend, cappend;
    uint64_t seq;
    int stseq[32], stgroup[32];
    sw_sim_emit_fn emit;
    void *ctx;
    struct sw_sim_stats *st;
    struct sw_buf line;
    int last_heard; /* the last transmit() reached some receiver */
    /* a receiver outage: station silent, and the satellite missing its range, in [t0, t1) */
    double kp_box[4]; /* lat0, lat1, lon0, lon1 around the DPRK port areas */
    int outage_station;
    int64_t outage_t0, outage_t1;
};

/* ---- world.c ------------------------------------------------------------------------------ */

int sim_in_region(double la, double lo);
int sim_sea_path(const struct sim *s, double la0, double lo0, double la1, double lo1,
                 double min_shore_m, int ports_ok);
struct vessel *sim_new_vessel(struct sim *s, const char *role, char cls);
int64_t sim_last_t(const struct vessel *v);
void sim_end_pos(const struct vessel *v, double *la, double *lo);
int64_t sim_add_move(struct vessel *v, int64_t t, double la0, double lo0, double la1, double lo1,
                     double kn);
int64_t sim_add_stay(struct vessel *v, int64_t t0, int64_t t1, double la, double lo,
                     double drift_kn, double radius, int status);
void sim_wander(struct sim *s, struct vessel *v, int64_t tend, double kn);
void sim_wander_within(struct sim *s, struct vessel *v, int64_t tend, double kn, double cla,
                       double clo, double rmax_m, double min_shore_m);
int sim_approach(struct sim *s, struct vessel *v, double la, double lo, int64_t t_arrive,
                 double kn);
int sim_pick_spot(struct sim *s, double min_shore_m, double *la, double *lo);
int sim_open_spot(struct sim *s, double min_shore_m, int reg, double *la, double *lo);
void sim_add_spot(struct sim *s, double la, double lo);
int sim_heard_by_station(double la, double lo, double margin_m);
int sim_coast_spot(struct sim *s, const double box[4], double min_nm, double max_nm, double *la,
                   double *lo);
int sim_zone_clear(const struct sim *s, double la, double lo, double margin_m);
int sim_zones_none(const struct sim *s, double la, double lo);
void sim_put_time(json_t *o, const char *k, int64_t ms);
json_t *sim_truth_item(struct sim *s, int neg, const char *type, int64_t t0, int64_t t1, double la,
                       double lo, uint32_t m1, uint32_t m2);
json_t *sim_details(json_t *o);
int64_t sim_rtime(struct sim *s, int64_t lo, int64_t hi);
int64_t sim_span_time(struct sim *s, int64_t dur, int step_h, int first, int64_t lo, int64_t hi);
int64_t sim_after_boundary(struct sim *s, int step_h, int64_t lo, int64_t hi);
void sim_track_pos(const struct vessel *v, int64_t t, double *la, double *lo);
const struct leg *sim_leg_at(const struct vessel *v, int64_t t);
int sim_covered(double la, double lo);
int64_t sim_covered_time(struct sim *s, const struct vessel *v, int64_t lo, int64_t hi);
struct vessel *sim_wanderer(struct sim *s, const char *role, char cls, int64_t t0, double kn,
                            double *la, double *lo);
int sim_witnesses(struct sim *s, double la, double lo, int64_t t0, int64_t t1, int n);
struct vessel *sim_port_visit(struct sim *s, const struct approach *ap, const char *role,
                              int64_t t_arrive, int64_t stay, double *la, double *lo);
void sim_lane_walker(struct sim *s, struct vessel *v);
int sim_active(const struct vessel *v, int64_t t);
double sim_clearance(const struct sim *s, size_t from, size_t to, int64_t t0, int64_t t1);
int sim_drift_in_reach(const struct sim *s, const struct vessel *v, int64_t t0, int64_t t1,
                       double kn);
int sim_anyone_near(const struct sim *s, size_t from, size_t to, double la, double lo, double r_m,
                    int64_t t0, int64_t t1);

/* ---- scenarios.c, negatives.c ----------------------------------------------------------- */

int sim_scenarios(struct sim *s);
/* The second vessel b of an encounter with a drifting at (la, lo) from t for dur: it sails in
 * to (lb, ob) 10 min before, drifts there 5 min longer, sails off; the truth item (NULL when no
 * way in was found). */
json_t *sim_encounter_partner(struct sim *s, const struct vessel *a, struct vessel *b, double la,
                              double lo, double lb, double ob, int64_t t, int64_t dur);
int sim_anchorage_wait(struct sim *s, const struct approach *ap, int kp, int step_h);
const char *sim_listed_tanker_name(struct sim *s);
int sim_spoof_target_ok(const struct sim *s, double la, double lo, int want_land);
const char *sim_listed_cargo_name(struct sim *s, uint32_t *imo);
int sim_gaps(struct sim *s);
int sim_negatives(struct sim *s);
int sim_outage(struct sim *s);
/* cases.c: issue 15's behaviour, and the truth derived from the whole plan (possible port
 * calls of every gap and dark rendezvous, the deliveries) */
int sim_cases(struct sim *s);
int sim_cases_truth(struct sim *s);

#endif
