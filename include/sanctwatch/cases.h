/*
 * Cases: from the events the detectors record to what a Panel of Experts publishes (a vessel,
 * its identities over time, the voyages it hid, the transfers it made, and what that adds up
 * to against a resolution). docs/cases.md documents every rule, parameter and figure.
 *
 * Two halves:
 *  - During `analyze`, a pipeline stage after the detectors (sw_cases_stage) builds events of
 *    two types on theirs: possible_port_call (an AIS gap or a dark rendezvous during which the
 *    vessel could have reached, stayed at and left a sensitive port, by sea distance at its
 *    own top speed) and corridor_voyage (a voyage between a DPRK port and a Russian Far East
 *    port, seen or inferred across a gap). It hears the detectors' events through
 *    sw_detect_listen, records its own through sw_detect_add_event, watches every vessel
 *    record (top speed, draught, visits to sensitive ports), and keeps a small state per
 *    vessel that is saved in every checkpoint and carried from run to run.
 *  - After analysis, from the store through the read API (sanctwatch/query.h): cases (events
 *    joined by vessel, the vessels met and the identities shared, with a risk score explained
 *    factor by factor), and the refined-petroleum cap tracker of resolution 2397 (candidate
 *    deliveries to the DPRK, their volumes, the yearly totals against 500,000 barrels).
 *
 * Ownership: every object is created by its _new and freed by its _free. The geo data, the
 * database and the detectors handed to a constructor are the caller's and must outlive it.
 * JSON returned through an out-parameter is a new reference the caller releases.
 */
#ifndef SANCTWATCH_CASES_H
#define SANCTWATCH_CASES_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sanctwatch/config.h"
#include "sanctwatch/geo.h"

/* ---- parameters ([possible_port_call], [corridor_voyage] and [cases] of the config file;
 * data/detect.conf documents them with their defaults) */
struct sw_cases_params {
    int ppc_enabled, cv_enabled;
    double ppc_min_stay_h;     /* the stay a call needs at least (2) */
    double ppc_min_top_kn;     /* an observed top speed under this is not the vessel's own:
                                  the type's default speed is used (5) */
    double ppc_snap_gap_h;     /* silences this long keep the top speed before them (1) */
    double cv_max_days;        /* a voyage takes at most this long, port to port (10) */
    double cv_dark_leg_h;      /* a silence this long is a dark leg of a voyage (2) */
    double cv_resolve_h;       /* a possible call is settled this long after its gap (72) */
    double cv_max_port_sog_kn; /* a fix in a port area this slow is a visit (3) */
    char ports_file[256];      /* sensitive ports ("" data/sensitive_ports.csv) */
};
void sw_cases_params_default(struct sw_cases_params *p);
/* Read the keys of the three sections over the defaults already in *p; an unknown key in
 * them is an error (SW_EFORMAT, the key in key_out, 64 bytes, may be NULL). */
int sw_cases_params_load(struct sw_cases_params *p, const struct sw_config *c, char *key_out);

/* ---- speeds by ship type: the cap on the observed top speed, and the speed assumed for a
 * vessel never seen under way */
void sw_cases_type_speeds(int ship_type, double *cap_kn, double *default_kn);

/* ---- sensitive ports: every port of ports.csv in the DPRK, and the list of
 * data/sensitive_ports.csv (same columns as ports.csv: the Russian Far East ports and any
 * other watched port; the group follows the country: KP dprk, RU rfe, any other watch) */
enum sw_cases_group { SW_CASES_DPRK = 0, SW_CASES_RFE = 1, SW_CASES_WATCH = 2 };
const char *sw_cases_group_name(int group); /* "dprk", "rfe", "watch" */

struct sw_cases_port {
    char name[64];
    char country[3];
    double lat, lon, radius_m;
    int group; /* enum sw_cases_group */
    char source[32];
};

/* The context both halves share: the sensitive ports and the sea router over them. */
struct sw_cases;
/* g is required. err (SW_ERRMAX, may be NULL) names a bad ports file line. Errors: SW_EIO,
 * SW_EFORMAT, SW_ETOOBIG (over 255 ports), SW_ENOMEM. */
int sw_cases_new(struct sw_cases **out, const struct sw_geo *g, const struct sw_cases_params *p,
                 char *err);
void sw_cases_free(struct sw_cases *c);
size_t sw_cases_nports(const struct sw_cases *c);
const struct sw_cases_port *sw_cases_port(const struct sw_cases *c, size_t i);
/* The sensitive port whose area holds the point (the nearest such), or -1. */
int sw_cases_port_at(const struct sw_cases *c, double lat, double lon);
/* The sensitive port of a name and country (a port_call event's), or -1. */
int sw_cases_port_named(const struct sw_cases *c, const char *name, const char *country);

/* ---- reach: which sensitive ports a vessel silent from (lat0, lon0, t0) to (lat1, lon1, t1)
 * could have reached, stayed at for at least min_stay_h, and left, at speed_kn, by sea */
struct sw_cases_gap {
    double lat0, lon0, lat1, lon1;
    int64_t t0, t1;
    double speed_kn;
};
struct sw_cases_reach {
    int port;
    double in_m, out_m;       /* sea distances to and from the port (great circle if gc) */
    double gc_in_m, gc_out_m; /* great-circle distances */
    int64_t earliest_arrival, latest_departure;
    double stay_h; /* longest possible stay */
    double confidence;
    int gc; /* a leg outside the router's region: the great circle, a lower bound */
};
/* Up to max ports into out, longest stay first; *n how many, *gc_only how many more the great
 * circle alone would have let through (the sea path is longer). SW_OK or SW_ENOMEM. */
int sw_cases_reach(struct sw_cases *c, const struct sw_cases_gap *gap, double min_stay_h,
                   struct sw_cases_reach *out, size_t max, size_t *n, size_t *gc_only);
/* A dark rendezvous: the same, but the vessel also spent alongside_h next to a loiterer at
 * (llat, llon) within [lt0, lt1], before or after the call (the best order is kept). */
int sw_cases_reach_rendezvous(struct sw_cases *c, const struct sw_cases_gap *gap, double llat,
                              double llon, int64_t lt0, int64_t lt1, double alongside_h,
                              double min_stay_h, struct sw_cases_reach *out, size_t max, size_t *n);
/* The confidence of a possible call with this much time to spare beyond the minimum stay. */
double sw_cases_slack_confidence(double slack_h);

/* ---- the stage (during analyze) */
struct sw_detect;
struct sw_stage;
struct sw_cases_stage;
/* c, det and db (may be NULL: no draught history kept) must outlive the stage. Registers a
 * listener on det. Errors: SW_ETOOBIG (det has its listeners), SW_EDB, SW_ENOMEM. */
int sw_cases_stage_new(struct sw_cases_stage **out, struct sw_cases *c, struct sw_detect *det,
                       sqlite3 *db, const struct sw_cases_params *p);
void sw_cases_stage_free(struct sw_cases_stage *s);
/* The stage to give in sw_pipeline_config.stages, after the detectors' own. */
const struct sw_stage *sw_cases_stage_get(struct sw_cases_stage *s);

struct sw_cases_stats {
    uint64_t gaps_heard, rendezvous_heard, possible_calls, voyages;
    uint64_t snapshot_missed; /* gaps whose top speed before them was no longer kept */
    uint64_t voyage_full;     /* vessels whose voyages could not be followed (pool full) */
    uint64_t draught_rows;
};
const struct sw_cases_stats *sw_cases_stage_stats(const struct sw_cases_stage *s);

/* Database schema of the "cases" module (table draught_history): applies migrations. */
int sw_cases_migrate(sqlite3 *db);
/* The draught (metres) a vessel broadcast last at or before t: SW_OK with *m, SW_ENOTFOUND
 * (none known, or a store analyzed without the stage), SW_EDB. */
int sw_cases_draught_at(sqlite3 *db, uint32_t mmsi, int64_t t, double *m);
/* The first draught it broadcast after t and at most until t_max (the value in force then
 * when none changed): SW_OK, SW_ENOTFOUND, SW_EDB. */
int sw_cases_draught_after(sqlite3 *db, uint32_t mmsi, int64_t t, int64_t t_max, double *m);

/* ---- volumes of refined petroleum (docs/cases.md, "Volumes") */
enum {
    SW_PRODUCT_GASOIL = 0, /* gas/diesel oil */
    SW_PRODUCT_GASOLINE,   /* motor gasoline */
    SW_PRODUCT_KEROSENE,
    SW_PRODUCT_FUELOIL, /* residual fuel oil */
    SW_PRODUCT_COUNT
};
struct sw_cases_product {
    const char *key, *name;
    double bbl_per_t; /* UN Statistics Division conversion factor, barrels per metric ton */
};
const struct sw_cases_product *sw_cases_product_get(int p); /* NULL out of range */
int sw_cases_product_of(const char *key);                   /* -1 unknown */
/* The laden fractions of the United States' 2018 estimates: 0.33, 0.50, 0.90. */
extern const double sw_cases_fractions[3];
/* The annual cap on refined petroleum products of resolution 2397 (2017), barrels. */
#define SW_CASES_CAP_BBL 500000.0
/* Barrels at each laden fraction of a deadweight in tonnes. */
void sw_cases_volume(double dwt_t, int product, double bbl[3]);
/* Deadweight (t) from length overall and beam (m): the model of docs/cases.md; NAN outside
 * 10-500 m by 3-80 m. Its RMS error on the reference table, as a fraction. */
double sw_cases_dwt_model(double length_m, double beam_m);
double sw_cases_dwt_model_error(void);
/* Tonnes unloaded when the draught went from before_m down to after_m (NAN otherwise). */
double sw_cases_draught_tonnes(double length_m, double beam_m, double before_m, double after_m);
/* A list's tonnage text ("10,030", "5807 DWT") as a number; NAN when none. */
double sw_cases_tonnage_number(const char *s);

/* ---- cases and the cap tracker, built after analysis from the store (sanctwatch/query.h) */
struct sw_cases_build_opts {
    int64_t from, to;        /* SW_TIME_NONE: open (events that overlap) */
    uint64_t ledger_size;    /* 0: every record; else those a head of this size covers */
    const json_t *incidents; /* NULL: every incident; else only these ids (an array of
                                strings, or of objects with "id": a report's incidents) */
    int product;             /* enum of the products above (default gas/diesel oil) */
    size_t max_cases;        /* cases written in full, the highest scores first (0: 50) */
    size_t max_track_points; /* per vessel on a case's map (0: 400) */
};
void sw_cases_build_opts_default(struct sw_cases_build_opts *o);
/* The model: {"cases": [...], "cap": {...}, "weights": [...], "volume": {...}} (format in
 * docs/cases.md). c gives the sensitive ports and the zones. err (SW_ERRMAX) has SQLite's
 * message on SW_EDB. */
int sw_cases_build(sqlite3 *db, struct sw_cases *c, const struct sw_cases_build_opts *o,
                   json_t **out, char *err);
/* Add to a report's model (sanctwatch/report.h) the cases and the cap of the incidents it
 * holds ("cases", "cap", "case_weights"), and to the map of each possible port call and
 * corridor voyage the ports in reach (or its ends) and the routes ("marks", "routes"). */
int sw_cases_report(sqlite3 *db, struct sw_cases *c, json_t *model, int product, char *err);
/* The deliveries of a model as CSV (one row each, with the spreadsheet-formula guard). */
int sw_cases_write_deliveries_csv(const json_t *model, FILE *f);
/* The yearly totals against the cap as CSV. */
int sw_cases_write_years_csv(const json_t *model, FILE *f);

#endif
