/*
 * Ingest: from sources (files, .gz, stdin, tcp://, udp://) through framing/decoding or CSV
 * reading to normalised records, then dedup and event-time ordering, the vessel state, the
 * registered consumers (detectors) and the store. `sanctwatch analyze` is a thin wrapper over
 * sw_pipeline. See docs/ingest.md for the flow, the counters and the checkpoint rules.
 *
 * Ownership: every object here is created by its _new and freed by its _free; pointers the
 * pipeline hands to consumers are valid only during the call.
 */
#ifndef SANCTWATCH_INGEST_H
#define SANCTWATCH_INGEST_H

#include <signal.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "sanctwatch/buf.h"
#include "sanctwatch/record.h"
#include "sanctwatch/vessel.h"

/* ---- counters: every message or line ends in exactly one outcome, plus informative ones */
#define SW_INGEST_COUNTERS(X)                                                                      \
    X(LINES, "lines")                      /* input lines read (all inputs) */                     \
    X(BYTES, "bytes")                      /* input bytes read */                                  \
    X(MESSAGES, "messages")                /* AIS messages framed, CSV rows read */                \
    X(DECODE_ERROR, "decode_error")        /* framed but the payload did not decode */             \
    X(UNSUPPORTED, "unsupported_type")     /* decoded message type not used for vessels */         \
    X(BAD_ROW, "bad_row")                  /* CSV row that could not be read */                    \
    X(BAD_MMSI, "bad_mmsi")                /* MMSI 0 or over 9 digits */                           \
    X(BASE_STATION, "base_station")        /* base station reports (not vessels) */                \
    X(AID, "aid_to_navigation")            /* aids to navigation (kept apart) */                   \
    X(OTHER_STATION, "other_station")      /* SAR aircraft, etc. */                                \
    X(UNTIMED, "untimed")                  /* no time known at all: not placed in time */          \
    X(TIME_CARRIED, "time_carried")        /* no own time: the input's last time was used */       \
    X(TIME_ARRIVAL, "time_arrival")        /* live input without time: arrival time used */        \
    X(TIME_RANGE, "time_out_of_range")     /* before 2000 or more than a day in the future */      \
    X(NO_POSITION, "position_unavailable") /* position report with lat 91 / lon 181 */             \
    X(BAD_POSITION, "position_out_of_range")                                                       \
    X(LATE, "late")                     /* arrived after its time had been passed */               \
    X(FORCED, "reorder_forced")         /* released early because the buffer was full */           \
    X(DUPLICATE, "duplicate")           /* same message heard again (other receiver) */            \
    X(DEDUP_FULL, "dedup_full")         /* dedup table full: kept without a check */               \
    X(ACCEPTED, "accepted")             /* records that reached the vessel state */                \
    X(POSITIONS, "positions")           /* of which with a position */                             \
    X(STATICS, "statics")               /* of which with identity or voyage data */                \
    X(VESSEL_FULL, "vessel_table_full") /* new vessel refused: table at its maximum */             \
    X(TRACK_POINTS, "track_points")     /* downsampled track points stored */                      \
    X(IDENTITIES, "identity_changes")   /* identity history rows closed */                         \
    X(TOOLONG, "line_too_long")         /* lines over the reader's maximum */                      \
    X(NET_DROPPED, "udp_dropped")       /* datagrams the kernel dropped (SO_RXQ_OVFL) */           \
    X(NET_TRUNCATED, "udp_truncated")   /* datagrams longer than the receive buffer */             \
    X(RECONNECTS, "reconnects")         /* tcp connections (re)established */                      \
    X(INPUT_ERRORS, "input_errors")     /* read errors (corrupt gzip, ...) */

enum sw_ingest_counter {
#define SW__ICNT(name, str) SW_IC_##name,
    SW_INGEST_COUNTERS(SW__ICNT)
#undef SW__ICNT
        SW_IC_COUNT
};
const char *sw_ingest_counter_name(int c); /* "duplicate"; static storage */

/* ---- CSV exports: NOAA MarineCadastre AIS_YYYY_MM_DD.csv and Danish aisdk, by header */
enum sw_csv_format { SW_CSV_NONE = 0, SW_CSV_MARINECADASTRE, SW_CSV_AISDK };

#define SW_CSV_MAXCOLS 32
struct sw_csv {
    int format;          /* enum sw_csv_format */
    int ncols;           /* columns in the header */
    signed char col[32]; /* field slot -> column index, -1 absent (internal) */
};

/* Recognise a header line. Returns SW_OK with c->format set, or SW_EFORMAT when the line is
 * not a known CSV header (c->format = SW_CSV_NONE). */
int sw_csv_detect(struct sw_csv *c, const char *line, size_t len);
/* Read one data row into *r (cleared first). Returns SW_OK, or SW_EFORMAT (bad row, wrong
 * column count, unreadable time), SW_ERANGE (MMSI 0 or too long). Fields with unreadable
 * values are left unset rather than failing the row. lat/lon outside their ranges are left
 * out of r->fields and reported by *pos_flag (0 ok/absent, 1 not available, 2 out of range).
 * The key is a hash of the row without its receiver-specific parts. */
int sw_csv_row(const struct sw_csv *c, const char *line, size_t len, struct sw_record *r,
               int *pos_flag);
const char *sw_csv_format_name(int format); /* "marinecadastre", "aisdk", "none" */

/* ---- decoded AIS messages to records (src/ingest/normalize.c) */
struct sw_ais;
/* Fill *r (cleared first) from a decoded message: kind, class, position part (types 1-3, 18,
 * 19, 21, 27), identity part (5, 19, 21, 24). Time, key and receiver are left for the caller.
 * *pos_flag: 0 position fine or absent from this type, 1 not available (91/181), 2 out of
 * range. Returns SW_OK, SW_ERANGE for MMSI 0, SW_EUNSUPPORTED for types with nothing for the
 * vessel picture (6, 7, 8, 10, ...). Base stations (4, 11) come back as SW_REC_BASE and SAR
 * aircraft (9) as SW_REC_OTHER. */
int sw_ais_to_record(const struct sw_ais *m, struct sw_record *r, int *pos_flag);

/* The event times ingest accepts: from 2000-01-01 to SW_INGEST_TIME_AHEAD_MS after now (a
 * receiver's clock a little ahead); other records are counted as time_out_of_range. State
 * restored from a checkpoint is held to the same range (sw_reorder_load, sw_dedup_load). */
#define SW_INGEST_TIME_MIN_MS 946684800000LL
#define SW_INGEST_TIME_AHEAD_MS 86400000LL

/* ---- dedup over the ordered stream: same key within window_ms of its first copy */
struct sw_dedup;
/* capacity: entries (rounded up to 4-way buckets of a power-of-two count; 0: 1<<20). */
int sw_dedup_new(struct sw_dedup **out, int64_t window_ms, size_t capacity);
void sw_dedup_free(struct sw_dedup *d);
/* Returns 1 if (key, t) repeats a key seen within the window, 0 if new (and remembers it),
 * 2 if new and remembered, but only by forgetting an older key still within its window (the
 * table is full there). t must not decrease between calls. */
int sw_dedup_check(struct sw_dedup *d, uint64_t key, int64_t t_ms);
/* Start loading the bucket of key into the cache (a hint; no effect on results). */
void sw_dedup_prefetch(const struct sw_dedup *d, uint64_t key);
/* Serialise the live entries for a checkpoint (caller frees *blob) and load them back. A
 * saved table is input too: its newest time and every entry's time must lie in the range
 * ingest accepts (SW_INGEST_TIME_MIN_MS ...), else SW_EFORMAT (the table is then empty). */
int sw_dedup_save(const struct sw_dedup *d, void **blob, size_t *len);
int sw_dedup_load(struct sw_dedup *d, const void *blob, size_t len);
/* Forget every key (a run going back in time). */
void sw_dedup_clear(struct sw_dedup *d);

/* ---- reorder buffer: releases records in (time, key, receiver, seq) order once they are
 * older than the newest time seen minus the lateness bound (a calendar queue: see reorder.c) */
struct sw_reorder;
/* capacity 0: 1<<18 records. */
int sw_reorder_new(struct sw_reorder **out, int64_t lateness_ms, size_t capacity);
void sw_reorder_free(struct sw_reorder *q);
/* Add a timed record (copied). Returns SW_OK; 1 when it is late (its time is before what
 * was already released: not added, the caller counts it); SW_EAGAIN when the buffer is full
 * (release one with SW_REORDER_FORCE first). */
int sw_reorder_push(struct sw_reorder *q, const struct sw_record *r);
/* Next record to release into *r: SW_OK, or SW_EOF when none may go yet. mode
 * SW_REORDER_READY releases records older than the newest time seen minus the lateness
 * (whole 1 s buckets), SW_REORDER_DRAIN everything (end of run), SW_REORDER_FORCE the oldest
 * bucket regardless (its records counted in sw_reorder_forced). */
enum { SW_REORDER_READY = 0, SW_REORDER_DRAIN = 1, SW_REORDER_FORCE = 2 };
int sw_reorder_pop(struct sw_reorder *q, int mode, struct sw_record *r);
size_t sw_reorder_pending(const struct sw_reorder *q);
/* The key and MMSI of the record `ahead` places after the next one to be released, when it is
 * already sorted for release (1), else 0: lets the caller prefetch what that record will touch. */
int sw_reorder_peek(const struct sw_reorder *q, size_t ahead, uint64_t *key, uint32_t *mmsi);
int sw_reorder_full(const struct sw_reorder *q);
/* Number of records released early because the buffer was full. */
uint64_t sw_reorder_forced(const struct sw_reorder *q);
int sw_reorder_save(const struct sw_reorder *q, void **blob, size_t *len);
/* The same without one big buffer: the blob's size, then its bytes in order through put
 * (which returns 0, or an error that stops the save and is returned). */
size_t sw_reorder_saved_size(const struct sw_reorder *q);
int sw_reorder_save_to(const struct sw_reorder *q,
                       int (*put)(void *ctx, const void *data, size_t len), void *ctx);
/* Load a saved buffer into q (emptied first). A saved buffer is input too: its newest time,
 * floor and base, and every record's time, must lie in the range ingest accepts (records
 * also their fields: sw_record_check), the count within q's capacity (else SW_ETOOBIG),
 * else SW_EFORMAT, and q is left empty. */
int sw_reorder_load(struct sw_reorder *q, const void *blob, size_t len);

/* ---- the pipeline */

/* A stage: a consumer of the ordered records whose state is part of the pipeline's saved
 * state (the detectors are one: sw_detect_stage). Its per-vessel state is saved with each
 * vessel's state and restored with it; its other state (tables of pairs, models...) is saved
 * whole. Both go into every checkpoint (a run killed and resumed goes on exactly where the
 * checkpoint was) and, at the end of a run, into the database, from where the next run
 * restores them: one input or one file per day give the same results. A stage whose saved
 * layout differs from the one in the database (another build, other stages, a run without
 * them in between) starts afresh (sw_pipeline_stages_reset says so).
 * Every callback may be NULL. The pipeline calls, in order: attach once, the loads
 * (load_vessel for each restored vessel in slot order, then load), then record for each
 * record (prefetch a few records ahead of it), commit before each commit, end at the end of
 * the run (before the final commit and the saves). */
struct sw_stage {
    const char *name;
    uint64_t layout; /* changes whenever the meaning of its saved bytes does (0: no state) */
    void *ctx;
    /* the vessel table whose slots index the per-vessel state (sanctwatch/vessel.h) */
    int (*attach)(void *ctx, struct sw_vessels *vs);
    /* a vessel record, after the vessel state (v, in slot) was updated with it */
    int (*record)(void *ctx, const struct sw_record *r, const struct sw_vessel *v, size_t slot);
    /* a cache hint: the record of the vessel in slot comes a few records later */
    void (*prefetch)(void *ctx, size_t slot);
    int (*commit)(void *ctx);
    /* the end of the run: what is open is published as ongoing and stays open in the state */
    int (*end)(void *ctx);
    /* the vessel's state appended to out (nothing: a fresh state), and loaded back */
    int (*save_vessel)(void *ctx, size_t slot, struct sw_buf *out);
    int (*load_vessel)(void *ctx, size_t slot, const void *data, size_t len);
    /* the rest of the state, whole */
    int (*save)(void *ctx, struct sw_buf *out);
    int (*load)(void *ctx, const void *data, size_t len);
    /* forget what was loaded: the stage starts afresh */
    void (*reset)(void *ctx);
};
#define SW_MAX_STAGES 4

struct sw_pipeline_config {
    int64_t lateness_ms;       /* reorder bound (default 10 min) */
    int64_t dedup_window_ms;   /* default 60 s */
    size_t reorder_capacity;   /* default 1<<18 */
    size_t dedup_capacity;     /* default 1<<20 */
    size_t max_vessels;        /* default 4,000,000 */
    uint64_t checkpoint_lines; /* commit a checkpoint every this many lines (default 1,000,000) */
    /* Live latency (what readers of a running store see, such as the server's): also commit a
     * checkpoint when checkpoint_ms have passed since the last one and lines were read since
     * (checked every 64 lines, and while an input waits for data, at least every 200 ms), and
     * whenever checkpoint_due(hook_ctx) returns non-zero (polled as often: a caller with work
     * of its own to commit, run by its commit hook). committed(hook_ctx) is called after every
     * commit (checkpoints and the end of the run). All 0/NULL by default: lines only. */
    int64_t checkpoint_ms;
    int (*checkpoint_due)(void *ctx);
    void (*committed)(void *ctx);
    void *hook_ctx;
    int64_t idle_exit_ms; /* live inputs end after this long without data (0: never) */
    int lenient;          /* accept NMEA with bad checksums */
    struct sw_track_config track;
    /* Progress callback, called about every 2^16 lines (may be NULL). */
    void (*progress)(void *ctx, const char *input, uint64_t bytes, uint64_t size,
                     const uint64_t *counters);
    void *progress_ctx;
    volatile sig_atomic_t *stop; /* set non-zero (by a signal handler) to stop cleanly */
    /* stages (at most SW_MAX_STAGES), called in this order after the vessel state; they must
     * outlive the pipeline */
    const struct sw_stage *const *stages;
    size_t nstages;
    /* jobs >= 2: the stages, the store's writes and the consumers run on a second thread,
     * records handed over in order with a copy of their vessel; the stages are attached to a
     * copy of the vessel table that follows the records (src/ingest/jobs.c). The results are
     * those of one thread. 0 or 1: one thread. */
    int jobs;
};
void sw_pipeline_config_default(struct sw_pipeline_config *c);

struct sw_pipeline;

/* A consumer sees every accepted record, in event-time order, after the vessel state was
 * updated with it (v is that vessel; NULL for records of other kinds such as aids). At the
 * end of a run it is called once with r == NULL and v == NULL. A non-zero return stops the
 * run with that error. */
typedef int (*sw_consumer_fn)(void *ctx, const struct sw_record *r, const struct sw_vessel *v);

/* Open the pipeline on an open store: applies the "ingest" migrations and loads the saved
 * state (vessels, pending records, dedup, counters of an unfinished run). Caller frees with
 * sw_pipeline_free(). err (SW_ERRMAX bytes, may be NULL) gets a message on failure.
 * From here until sw_pipeline_free the pipeline holds a write transaction open on db,
 * committed at every checkpoint and at sw_pipeline_finish: whatever else writes through db
 * meanwhile (the detectors' ledger, the cases stage) writes inside it, in savepoints, and
 * must not BEGIN or COMMIT itself. Modules may be opened on db before or after the pipeline
 * (their migrations then run inside its transaction, store.h); the only order is that the
 * stages in cfg->stages (sw_detect_stage, sw_cases_stage_get) exist before, as they are part
 * of the configuration. */
int sw_pipeline_new(struct sw_pipeline **out, sqlite3 *db, const struct sw_pipeline_config *cfg,
                    char *err);
void sw_pipeline_free(struct sw_pipeline *p);
int sw_pipeline_add_consumer(struct sw_pipeline *p, sw_consumer_fn fn, void *ctx);
/* A commit hook runs inside the open transaction just before every commit (each checkpoint
 * and the end of the run, after the consumers' end call), so that a consumer holding writes
 * back (a batch of ledger appends, say) commits them with the state they belong to. A
 * non-zero return stops the checkpoint or the run with that error. */
typedef int (*sw_commit_fn)(void *ctx);
int sw_pipeline_add_commit_hook(struct sw_pipeline *p, sw_commit_fn fn, void *ctx);
/* The vessel state by MMSI (for consumers); NULL when unknown. With cfg.jobs >= 2 the
 * consumers run on the second thread and this is its copy of the table, as the record being
 * handled left it (call it from a consumer, or after sw_pipeline_finish). */
const struct sw_vessel *sw_pipeline_vessel(struct sw_pipeline *p, uint32_t mmsi);
struct sw_vessels *sw_pipeline_vessels(struct sw_pipeline *p);

/* Ingest one input: a path ("-" stdin, .gz transparent), "tcp://HOST:PORT" or
 * "udp://ADDR:PORT". A file already ingested completely in this database is skipped (*skipped
 * set); a partly ingested one resumes after its checkpoint. Returns SW_OK, or an error with a
 * message in err (SW_ERRMAX bytes). */
int sw_pipeline_input(struct sw_pipeline *p, const char *input, int *skipped, char *err);
/* A stream of messages from elsewhere (the bus's worker, sanctwatch/bus.h): each message is
 * the raw lines of one AIS message (NMEA) or one CSV row, read through the same framer or CSV
 * reader as a file's lines, with its time, time source and receiver given by the message's
 * carrier rather than by the input's order. The stream is an input named `name` (its row in
 * ingest_inputs, never marked done) whose position is the caller's sequence number of the
 * last message applied: it is committed with every checkpoint, so that after a crash the
 * caller resumes after it, and a message at or before it is not applied again. */
struct sw_stream_msg {
    const char *body; /* the lines, '\n' between them */
    size_t len;
    int format;             /* SW_CSV_NONE (NMEA), SW_CSV_MARINECADASTRE, SW_CSV_AISDK */
    const char *csv_header; /* CSV: the input's header line (NUL-terminated) */
    int64_t t_ms;           /* the message's time, SW_TIME_NONE when none is known */
    int carried;            /* t_ms is the input's last time (time_carried), not its own */
    const char *receiver;   /* the receiving station; NULL: from the lines, as a file's */
    uint32_t mmsi;          /* the vessel the carrier says; 0: not checked */
};
/* Outcome of one stream message. */
enum {
    SW_STREAM_APPLIED = 0, /* its records went into the pipeline (or were counted as analyze
                              counts them: decode_error, bad_row, unsupported_type, ...) */
    SW_STREAM_SEEN,        /* at or before the stream's position: not applied again */
    SW_STREAM_NO_FRAME,    /* the lines gave no message (the framer's counts say why) */
    SW_STREAM_BAD_CSV,     /* csv_header is not a known CSV header */
    SW_STREAM_MISMATCH     /* the record's MMSI is not mmsi: not applied */
};
/* Begin the stream `name` (must live until sw_pipeline_stream_end); *pos: its position. */
int sw_pipeline_stream_begin(struct sw_pipeline *p, const char *name, uint64_t *pos, char *err);
/* One message at position pos (increasing): *outcome as above. SW_OK, or an error of the
 * store with err. A checkpoint is taken by lines and time as for a file's lines. */
int sw_pipeline_stream_msg(struct sw_pipeline *p, const struct sw_stream_msg *m, uint64_t pos,
                           int *outcome, char *err);
/* A message not for this pipeline (another's partition, a bad carrier): the position passes
 * it. */
void sw_pipeline_stream_skip(struct sw_pipeline *p, uint64_t pos);
/* The end of the stream for this run: framer counts added, its position recorded. */
int sw_pipeline_stream_end(struct sw_pipeline *p, char *err);
/* Commits so far (checkpoints and the end of the run): what was applied before a call that
 * raised it is durable. */
uint64_t sw_pipeline_commits(const struct sw_pipeline *p);

/* Feed one record directly (tests, benchmarks); records must carry a time. */
int sw_pipeline_feed(struct sw_pipeline *p, struct sw_record *r);
/* End the run: release every pending record, tell the consumers, write the state and the run's
 * counters, commit. */
int sw_pipeline_finish(struct sw_pipeline *p, char *err);
/* Commit a checkpoint now (state, pending records, input positions, and the vessel rows, which
 * the checkpoints within a file leave for the end of the run). */
int sw_pipeline_checkpoint(struct sw_pipeline *p);

/* 1 when the stages' saved state did not fit this run (saved by another build or other
 * stages, or a run without them came between): they started afresh, so episodes open at the
 * end of the last run are cut in two. The caller should say so. */
int sw_pipeline_stages_reset(const struct sw_pipeline *p);

/* How a run with cfg.jobs >= 2 went, read after sw_pipeline_finish (zeros with one thread). */
struct sw_pipeline_jobs_stats {
    double cpu_a;        /* CPU seconds of the calling thread (reading ... the vessel state) */
    double cpu_a_serial; /* of which with the second thread idle: loading the state,
                          * checkpoints, the end of the run */
    double cpu_b;        /* of the second thread (the stages, the store's writes) */
    uint64_t syncs;      /* times the second thread was drained (checkpoints, inputs, end) */
    uint64_t a_waits;    /* times the calling thread found the ring full, */
    uint64_t a_sleeps;   /* slept for room or a drain */
    uint64_t b_sleeps;   /* times the second thread slept on an empty ring */
};
void sw_pipeline_jobs_stats(const struct sw_pipeline *p, struct sw_pipeline_jobs_stats *st);

/* Counters (SW_IC_COUNT entries) of this run. Valid while p lives. */
const uint64_t *sw_pipeline_counters(const struct sw_pipeline *p);
/* NMEA framer line counts of this run (SW_NMEA_NREASONS entries). */
const uint64_t *sw_pipeline_nmea_counts(const struct sw_pipeline *p);

/* Database schema of the "ingest" module (tables vessels, identity_history, track, aids,
 * ingest_runs, ingest_inputs, ingest_state_log, ingest_pending, ingest_carry;
 * ingest_vessel_state of version 1): applies migrations. */
int sw_ingest_migrate(sqlite3 *db);

#endif
