/*
 * Internals of the cases module (src/cases/), shared by its files: the context (sensitive
 * ports and the sea router), the stage's per-vessel state, and the event-building helpers.
 */
#ifndef SW_CASES_INT_H
#define SW_CASES_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "sanctwatch/cases.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/searoute.h"
#include "sanctwatch/vessel.h"

#define CASES_MAX_PORTS 255
#define HOUR_MS 3600000.0
#define KN_MS (1852.0 / 3600.0)
/* stage times are kept as seconds since 2000-01-01 (ingest refuses earlier ones) */
#define EPOCH2000_MS 946684800000LL

struct sw_cases {
    const struct sw_geo *g;
    struct sw_searoute *router;
    struct sw_cases_port ports[CASES_MAX_PORTS];
    size_t target[CASES_MAX_PORTS]; /* router target, SIZE_MAX outside its region */
    size_t n;
    double minlat, maxlat, minlon, maxlon; /* every port area inside: the visit prefilter */
    uint64_t ports_hash;                   /* names and places: part of the saved layout */
};

/* Per vessel (32 bytes, indexed by the vessel's slot). */
struct cvessel {
    uint32_t snap_s[2];   /* the starts of the two latest silences (s since 2000), 0 none */
    uint16_t snap_top[2]; /* the top speed before each (0.1 kn) */
    uint16_t top;         /* top speed so far: the best of two fixes in a row (0.1 kn) */
    uint16_t prev_sog;    /* speed at the previous fix (0.1 kn), 0xffff unknown */
    uint32_t voy;         /* voyage entry + 1 (0: none) */
    uint8_t draught_dm;   /* draught last seen (dm), 0 unknown */
    uint8_t nsnap;        /* next snapshot slot (0 or 1) */
    uint8_t pad[10];
};

/* A silence on a voyage. */
struct cleg {
    uint32_t t0, t1;
    float lat0, lon0, lat1, lon1;
};

/* The voyage a vessel is on since its last visit to a sensitive port (only vessels that
 * visited one have an entry). */
struct cvoy {
    int16_t port;   /* the last visit's port, -1 none */
    uint8_t kind;   /* 1 observed, 2 possible (inferred across a gap) */
    uint8_t inside; /* the latest fix was in that port's area */
    uint8_t nlegs;  /* dark legs since the departure (the first two are kept) */
    uint8_t pad;
    int16_t pend; /* a possible call at a port of the other group, not yet settled */
    uint32_t arr_s, dep_s;
    float dep_lat, dep_lon;
    uint32_t dark_s; /* silent seconds since the departure */
    struct cleg leg[2];
    uint32_t pend_ea, pend_ld; /* the possible call's earliest arrival, latest departure */
    struct cleg pend_gap;      /* the gap it was in */
    float pend_conf;
    uint32_t owner; /* slot + 1 of the vessel (0: free) */
};

struct sw_cases_stage {
    struct sw_cases *c;
    struct sw_detect *det;
    sqlite3 *db;
    struct sw_cases_params p;
    struct sw_vessels *vs;
    struct cvessel *v;
    size_t nv, capv;
    struct cvoy *voy;
    size_t nvoy, capvoy;
    uint32_t *free_voy;
    size_t nfree;
    sqlite3_stmt *ins_draught;
    struct sw_cases_stats st;
    struct sw_stage stage;
};

#define CASES_MAX_VOYAGES 65536

/* ---- helpers (event.c) */
/* A new event object in DESIGN.md's shape (id assigned by the detectors). */
json_t *cases_event_new(const char *type, int64_t start, int64_t end, double lat, double lon,
                        double confidence);
/* details.rule set, details returned (borrowed). */
json_t *cases_details(json_t *ev, const char *rule);
/* Numbers rounded to 3 decimals (integers when whole), as the detectors write them. */
void cases_num(json_t *o, const char *key, double v);
json_t *cases_time(int64_t ms);
/* The vessel's entry in "vessels" (identity from the vessel table when known). */
int cases_event_vessel(struct sw_cases_stage *s, json_t *ev, uint32_t mmsi);
int cases_event_fix(json_t *ev, uint32_t mmsi, int64_t t, double lat, double lon, double sog,
                    const char *role);
/* A port object {name, country, group, lat, lon}. */
json_t *cases_port_json(const struct sw_cases *c, int port);

/* ---- the stage's parts */
int cases_on_event(void *ctx, const json_t *ev, int type); /* ppc.c */
/* store.c: the stage's draught_history writes (the table's SQL stays in store.c) */
int cases_draught_prepare(sqlite3 *db, sqlite3_stmt **st);
int cases_draught_put(sqlite3_stmt *st, uint32_t mmsi, int64_t t, double draught_m);
int cases_voyage_fix(struct sw_cases_stage *s, size_t slot, const struct sw_vessel *v,
                     const struct sw_fix *prev, const struct sw_fix *f, uint16_t top_before);
int cases_voyage_check(const struct sw_cases *c, const struct cvoy *y); /* voyage.c */
/* The voyage entry of the vessel in slot: a fresh one taken from the pool (NULL: no memory, or
 * CASES_MAX_VOYAGES in use), and given back (nothing if it has none). voyage.c */
struct cvoy *cases_voy_new(struct sw_cases_stage *s, size_t slot);
void cases_voy_drop(struct sw_cases_stage *s, size_t slot);
/* The speed (knots) a vessel of this top speed (0.1 kn) and type is taken to sail at, and
 * where it came from ("observed" or "type default"). */
double cases_speed(const struct sw_cases_params *p, uint16_t top, int ship_type, const char **how,
                   double *cap);

/* Seconds since 2000 of a time in ms (0 before 2000), and back. */
uint32_t cases_s(int64_t ms);
int64_t cases_ms(uint32_t s);

#endif
