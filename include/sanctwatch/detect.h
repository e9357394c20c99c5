/*
 * Streaming detectors: every event type of DESIGN.md (encounter, dark_rendezvous, loitering,
 * ais_gap, port_call, zone_entry, position_spoof, identity_change, identity_fraud,
 * listed_vessel) computed incrementally from the ordered record stream of the ingest pipeline
 * (a consumer, see ingest.h). Event time drives everything, never the wall clock, so a file
 * and the same data over a live feed give the same events. docs/detection.md documents every
 * rule, its parameters and what it cannot see.
 *
 * Each event is built as a JSON object in the DESIGN.md format, with "details" (rule name,
 * parameters, measured values) and "evidence.fixes" (a bounded sample of the supporting
 * fixes), recorded through the ledger (sw_ledger_record_events, in the pipeline's open
 * transaction) when a database is given, then handed to the emit callback as one JSON line
 * (optionally in batches: sw_detect_set_batch).
 * Event ids are a hash of type, vessels and start, so a rerun records nothing twice; an event
 * whose id is already in the ledger with other content (an event that was ongoing when an
 * earlier run ended) is recorded as a new revision with "supersedes" naming the old id.
 *
 * One vessel state: the detectors read the vessel table the pipeline keeps (sanctwatch/vessel.h)
 * and keep only their own per-vessel fields beside it, indexed by the vessel's slot there;
 * episodes in progress take memory only while open. Pairs, the spatial grid, the reception
 * grid and the loitering ring have fixed maxima; what does not fit is counted
 * (sw_detect_stats), never grown.
 *
 * Ownership: sw_detect_new allocates, sw_detect_free releases. The geo, config and database
 * handles are the caller's and must outlive the detector. The line passed to the emit
 * callback is valid only during the call.
 */
#ifndef SANCTWATCH_DETECT_H
#define SANCTWATCH_DETECT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "sanctwatch/config.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/record.h"
#include "sanctwatch/vessel.h"

/* The event types, in DESIGN.md order. */
#define SW_DETECT_TYPES(X)                                                                         \
    X(ENCOUNTER, "encounter")                                                                      \
    X(DARK_RENDEZVOUS, "dark_rendezvous")                                                          \
    X(LOITERING, "loitering")                                                                      \
    X(AIS_GAP, "ais_gap")                                                                          \
    X(PORT_CALL, "port_call")                                                                      \
    X(ZONE_ENTRY, "zone_entry")                                                                    \
    X(POSITION_SPOOF, "position_spoof")                                                            \
    X(IDENTITY_CHANGE, "identity_change")                                                          \
    X(IDENTITY_FRAUD, "identity_fraud")                                                            \
    X(LISTED_VESSEL, "listed_vessel")                                                              \
    X(POSSIBLE_PORT_CALL, "possible_port_call") /* from the cases stage (sw_detect_add_event) */   \
    X(CORRIDOR_VOYAGE, "corridor_voyage")

enum sw_detect_type {
#define SW__DTYPE(name, str) SW_DT_##name,
    SW_DETECT_TYPES(SW__DTYPE)
#undef SW__DTYPE
        SW_DT_COUNT
};
/* "encounter", ...; "?" out of range. Static storage. */
const char *sw_detect_type_name(int type);
/* The type of a name, or -1. */
int sw_detect_type_of(const char *name);

/* Parameters (defaults are DESIGN.md's; data/detect.conf documents the same keys). */
struct sw_detect_params {
    double enc_max_distance_m, enc_min_duration_h, enc_max_median_sog_kn, enc_min_port_km;
    double enc_max_gap_min; /* a pair apart (or unheard) longer than this ends (60) */
    double dr_min_gap_h, dr_slack, dr_min_usual_sog_kn;
    double dr_min_alongside_h; /* time alongside the loiterer the detour must leave (4) */
    double loi_max_sog_kn, loi_min_duration_h;
    double loi_min_shore_nm; /* 0 (anywhere outside ports' waiting areas); GFW uses 20 */
    double loi_max_gap_h;    /* silence that ends a loitering episode (6) */
    double gap_min_h, gap_radius_km, gap_min_others;
    double gap_min_covered; /* fraction of the gap's hours with others heard (0.8) */
    double pc_max_sog_kn, pc_min_duration_min;
    char pc_countries[64]; /* comma-separated ISO alpha-2, "KP" */
    double zone_min_fixes; /* fixes inside that make an entry (1) */
    double zone_reentry_h; /* back inside within this after leaving: same visit (2) */
    double zone_slow_kn;   /* transfer areas and corridors: slower than this ... (3) */
    double zone_slow_min;  /* ... for this long is an incident (30) */
    double sp_max_speed_kn, sp_min_jump_km, sp_min_inland_m, sp_same_time_s;
    double sp_min_fixes;       /* anomalous fixes before an episode is an event (2; one inland
                                  fix is enough) */
    double sp_max_excursion_h; /* an excursion without return after this is dropped (24) */
    double idc_confirm;        /* a new identity value must be heard this often (2) */
    int idc_fields;            /* bits: 1 name, 2 callsign, 4 imo, 8 flag */
    int idf_check_imo, idf_check_mid;
    double lv_min_name_score;
    uint32_t enabled; /* bit per enum sw_detect_type (all by default) */
};
void sw_detect_params_default(struct sw_detect_params *p);
/* Read the keys of data/detect.conf from c over the defaults already in *p. Unknown keys of
 * the detector sections are an error (a typo must not silently keep a default). Errors:
 * SW_EFORMAT with the offending key in key_out (64 bytes, may be NULL). */
int sw_detect_params_load(struct sw_detect_params *p, const struct sw_config *c, char *key_out);

/* Limits (0: defaults). The number of vessels is the vessel table's (sw_vessels_new). */
struct sw_detect_limits {
    size_t max_pairs;  /* open encounter pairs (default 1<<16) */
    size_t grid_cells; /* reception grid (cell, hour) entries (default 1<<18) */
};

/* Called with each event as one JSON line (no newline). Return non-zero to stop the run. */
typedef int (*sw_detect_emit_fn)(void *ctx, const char *line, size_t len);

struct sw_detect;

/* g is required (land, ports, zones). db may be NULL (no recording, no lists). When db is
 * given, the ledger tables are migrated and the designated vessels of the lists tables
 * (if present) are loaded for listed_vessel and identity_fraud. err (SW_ERRMAX bytes, may be NULL)
 * explains a failure. The detector may be created before or after a pipeline on the same db
 * (after it, the migrations run inside the pipeline's transaction, ingest.h); to be the
 * pipeline's stage (sw_detect_stage) it must exist before sw_pipeline_new, whose
 * configuration names it. */
int sw_detect_new(struct sw_detect **out, const struct sw_geo *g, sqlite3 *db,
                  const struct sw_detect_params *p, const struct sw_detect_limits *lim, char *err);
void sw_detect_free(struct sw_detect *d);
/* Back to the state sw_detect_new left: no vessel, episode, pair, reception or IMO entry, no
 * event held back, statistics zero, no vessel table attached (attach another, or give the
 * detector to a new pipeline); what was given at creation and set since (geo, database,
 * parameters, limits, designated vessels, emit callback, listeners, batch size) is kept, and so
 * is the memory of the tables. Events held back and not yet recorded are dropped; what was
 * recorded in the database stays. For a process that runs many independent inputs (the
 * fuzz targets) without paying sw_detect_new for each. */
void sw_detect_reset(struct sw_detect *d);
void sw_detect_set_emit(struct sw_detect *d, sw_detect_emit_fn fn, void *ctx);
/* Read vessels from vs, the pipeline's vessel table (sw_pipeline_vessels), which must outlive
 * the detector. Without it, sw_detect_consume called with v == NULL keeps a vessel table of
 * the detector's own (tests, replays without a store). SW_EINVAL once records went to another
 * table. */
int sw_detect_attach(struct sw_detect *d, struct sw_vessels *vs);

/* Stages after the detectors build on their events (the cases stage: possible port calls,
 * voyages). A listener is called with every event once it is recorded (and before it is
 * emitted), in order, ev borrowed for the call; a non-zero return stops the run. At most 4. */
typedef int (*sw_detect_listen_fn)(void *ctx, const json_t *ev, int type);
int sw_detect_listen(struct sw_detect *d, sw_detect_listen_fn fn, void *ctx);
/* A listener of only some types (bits 1u << SW_DT_*): called for those alone, and at
 * sw_detect_record_done only events of those types are recorded at once. */
int sw_detect_listen_types(struct sw_detect *d, sw_detect_listen_fn fn, void *ctx, uint32_t types);
/* Record an event another stage built (DESIGN.md format, "type" one of the types above): its
 * id is assigned here as for the detectors' own, then it is recorded, emitted and heard by the
 * listeners like them. Takes ownership of ev (also on failure). Calls made from a listener
 * are recorded after the event being heard. */
int sw_detect_add_event(struct sw_detect *d, json_t *ev);

/* Add designated vessels directly (tests, or callers without a lists database): imo 0 and
 * mmsi 0 mean unknown; name, vessel_type (the list's text: "Crude Oil Tanker") and tonnage
 * (deadweight text) may be NULL. ref names the list entry; records with the same ref and list
 * are one entry (its several names). */
int sw_detect_add_listed(struct sw_detect *d, const char *ref, uint32_t imo, uint32_t mmsi,
                         const char *name, const char *list, const char *vessel_type,
                         const char *tonnage);

/* Batched recording: with max_events > 1 (at most 512) events are held back and recorded
 * in the ledger max_events at a time, with one savepoint, one tree state read and write and
 * each touched tile written once, instead of one of each per event; they are emitted after
 * they are recorded, in the same order and with the same bytes as one at a time. The caller
 * must then have sw_detect_flush run inside the transaction before every commit (register it
 * with sw_pipeline_add_commit_hook), so the events commit with the state they belong to.
 * Default 1: every record processed and every event recorded and emitted as it comes. Set it
 * before the first record. */
void sw_detect_set_batch(struct sw_detect *d, size_t max_events);
/* Record and emit the held-back events (a sw_commit_fn: ctx is the struct sw_detect). Also
 * run at the end of the input by sw_detect_finish. */
int sw_detect_flush(void *ctx);
/* The end of a record's events (the cases stage calls it before its own part of each record):
 * when an event a listener hears is held back, everything held back is recorded now, so that
 * what the listener adds on hearing it follows at once, as if every record's events were
 * recorded at its end; events no listener hears stay held back for a fuller batch. The events,
 * their order and their bytes are those of a flush at the end of every record (a batch is cut
 * at max_events events after the last record's end either way). */
int sw_detect_record_done(struct sw_detect *d);

/* The detectors as a stage of the pipeline (give it in sw_pipeline_config.stages): their state
 * is then saved with every checkpoint and carried from one run to the next, and the end of a
 * run publishes what is open as ongoing without closing it (the run that sees it end completes
 * or withdraws it). Valid while d lives. */
struct sw_stage;
const struct sw_stage *sw_detect_stage(struct sw_detect *d);

/* The pipeline consumer (sw_consumer_fn), without carried state: ctx is the struct sw_detect, v the
 * vessel of r in the attached table, already updated with r (v == NULL: the detector's own table is
 * updated here). r == NULL ends the run (sw_detect_finish). Records must come in event-time order.
 */
int sw_detect_consume(void *ctx, const struct sw_record *r, const struct sw_vessel *v);
/* End of input: closes every open episode (events still open are written with "ongoing":
 * true and "end": null). Idempotent. */
int sw_detect_finish(struct sw_detect *d);

struct sw_detect_stats {
    uint64_t events[SW_DT_COUNT];        /* emitted per type */
    uint64_t recorded, existed, revised; /* ledger outcomes (revised: completions) */
    uint64_t withdrawn;                  /* incidents published ongoing, then withdrawn */
    uint64_t fixes, statics;
    uint64_t pair_full, grid_full, listed_loaded;
    uint64_t spoof_single;       /* lone jump-and-return fixes at sea not reported */
    uint64_t spoof_same_time;    /* excursions among fixes of one or two times not reported */
    uint64_t spoof_garbled;      /* one-fix excursions off by a power of ten not reported */
    uint64_t listed_ruled_out;   /* vessels whose name is a listed vessel's, ruled out */
    uint64_t port_calls_context; /* calls at ports of other countries (not events) */
    uint64_t gap_outage;         /* silences the receivers shared (outages): not gaps */
    uint64_t listed_name_early;  /* a listed IMO under another name, heard before the listing
                                    (or maybe before): a former name, not listed_identity */
};
const struct sw_detect_stats *sw_detect_get_stats(const struct sw_detect *d);

#endif
