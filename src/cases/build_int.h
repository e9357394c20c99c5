/*
 * Internals of the cases model built after analysis (build.c, case.c, cap.c): the incidents
 * read from the store, the vessels they name, and the components that make the cases.
 */
#ifndef SW_CASES_BUILD_INT_H
#define SW_CASES_BUILD_INT_H

#include "cases_int.h"
#include "sanctwatch/query.h"

#define CEV_MAXV 8

/* An incident, as its latest record. */
struct cev {
    json_t *ev;                      /* owned */
    const char *id, *type, *country; /* borrowed from ev; country of its port, "" none */
    int64_t start, end;              /* end SW_TIME_NONE while ongoing */
    double lat, lon, conf;
    int rank;
    uint64_t leaf;
    uint32_t mmsi[CEV_MAXV];
    int nm;
    size_t kase; /* its case */
};

/* One vessel the incidents name (or that shares an identity with one). */
struct cvs {
    uint32_t mmsi;
    size_t parent;  /* union-find */
    int designated; /* active designations by IMO or MMSI */
    int tanker;     /* AIS type 80-89 (now or before) or listed as a tanker */
    int have_row;
    struct sw_vessel_row row;
};

struct bld {
    sqlite3 *db;
    struct sw_cases *c;
    const struct sw_cases_build_opts *o;
    char *err;
    struct cev *ev;
    size_t nev, capev;
    struct cvs *vs; /* sorted by MMSI */
    size_t nvs, capvs;
    json_t *ids; /* the incidents to keep (object id -> true), NULL all */
};

/* The vessel of an MMSI, or NULL. */
struct cvs *bld_vessel(struct bld *b, uint32_t mmsi);
/* The event's string at a path inside details ("kind"), or "". */
const char *bld_detail(const json_t *ev, const char *key);
/* Time of an ISO field of o (SW_TIME_NONE when absent). */
int64_t bld_time(const json_t *o, const char *key);
/* Is (lat, lon) near the DPRK: in its waters (zones kp-*) or within 100 km of a DPRK port. */
int bld_near_dprk(const struct bld *b, double lat, double lon);
/* In DPRK waters or a transfer area. */
int bld_sts_area(const struct bld *b, double lat, double lon);

/* case.c: one case in full (its vessels, identities, lists, forensics, timeline, map). */
int case_detail(struct bld *b, json_t *kase, const size_t *members, size_t nmem, const size_t *evs,
                size_t nevs);
/* cap.c: the deliveries and the yearly totals. */
int cap_build(struct bld *b, json_t **out);

#endif
