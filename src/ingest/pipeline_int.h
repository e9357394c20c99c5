/*
 * Internals of the ingest pipeline (src/ingest/ only), split by concept:
 *   pipeline.c    the pipeline object, its consumers and the record path: a timed record
 *                 into the reorder buffer, out in event-time order, dedup, the vessel state,
 *                 the vessel store and the consumers; the end of a run
 *   input.c       reading one input: sources, CSV or NMEA framing and decoding, records
 *                 given a time, resume replay after a checkpoint
 *   checkpoint.c  the saved state: loading it at start, checkpoints (state file and the
 *                 ingest tables), the state log and the run's record at the end
 *   jobs.c        cfg.jobs >= 2: what follows the vessel update on a second thread
 * The vessel tables' SQL is the vessel store's (sanctwatch/vstore.h).
 */
#ifndef SW_INGEST_PIPELINE_INT_H
#define SW_INGEST_PIPELINE_INT_H

#include "statefile.h"

#include "sanctwatch/ais.h"
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/nmea.h"
#include "sanctwatch/vstore.h"

#define ING_MAX_CONSUMERS 32
#define ING_TIME_MIN_MS 946684800000LL /* 2000-01-01: earlier times are wrong */
/* Layout of the saved vessel records: changes whenever the saved structs or their encodings
 * change (the last term: 3 since the records carry the stages' per-vessel state). */
#define ING_LAYOUT                                                                                 \
    ((int64_t)sizeof(struct sw_vessel) * 100000 + (int64_t)sizeof(struct sw_record) * 10 + 3)
/* ... of the builds whose vessels kept 8 recent fixes (read, converted: sw_vessel_from_r8) */
#define ING_LAYOUT_R8                                                                              \
    ((int64_t)SW_VESSEL_R8_SIZE * 100000 + (int64_t)sizeof(struct sw_record) * 10 + 3)
/* A run whose first record is this much older than the end of the last run starts the stages
 * and the dedup table afresh (the days are analysed out of order). */
#define ING_BACKWARDS_MS (3600 * 1000LL)

struct ing_consumer {
    sw_consumer_fn fn;
    void *ctx;
};

struct ing_commit_hook {
    sw_commit_fn fn;
    void *ctx;
};

struct ing_jobs;

struct sw_pipeline {
    sqlite3 *db;
    struct sw_pipeline_config cfg;
    struct sw_vessels *vs;
    /* cfg.jobs >= 2 (jobs.c): the stages' copy of vs, the second thread, its CPU seconds */
    struct sw_vessels *mvs;
    uint64_t mtouches; /* sw_vessels_touches(mvs) when last handed on to vs */
    struct ing_jobs *jobs;
    struct sw_pipeline_jobs_stats js; /* sw_pipeline_jobs_stats */
    struct sw_vstore *vst;
    struct sw_reorder *rq;
    struct sw_dedup *dd;
    struct ing_consumer cons[ING_MAX_CONSUMERS];
    int ncons;
    struct ing_commit_hook hooks[ING_MAX_CONSUMERS];
    int nhooks;
    const struct sw_stage *stages[SW_MAX_STAGES];
    size_t nstages;
    int stages_reset;   /* the stages' saved state did not fit: they started afresh */
    int64_t carry_time; /* the time the last finished run ended at, or SW_TIME_NONE */
    int64_t last_time;  /* the latest record time delivered (or carry_time) */
    int first_checked;  /* the first record of the run was compared with carry_time */
    uint64_t c[SW_IC_COUNT];
    uint64_t nmea_run[SW_NMEA_NREASONS]; /* framer counts, committed part */
    uint64_t seq;
    int64_t ckpt_ms;     /* sw_time_mono_ms() of the last commit (cfg.checkpoint_ms) */
    uint64_t ckpt_lines; /* lines read at the last commit */
    int64_t run_id;
    int64_t time_max; /* later times are out of range */
    int finished;
    sqlite3_stmt *st_vstate, *st_input;
    uint64_t state_logged; /* vessel states in ingest_state_log */
    int state_snapshot;    /* write every vessel's state at the end of the run */
    /* The run's saved state at checkpoints (statefile.h): vessel states changed during the
     * run, pending records, dedup table, in DB-ingest.<sf_index>; its committed length and
     * generation are in ingest_pending. At the end of the run the changed states go to
     * ingest_state_log and the file is removed. */
    char *dbfile;           /* the database's file; NULL for an in-memory database (no file) */
    struct sw_sf sf;        /* the file in use, sf.fd < 0 when not open */
    int sf_index;           /* which file (0, 1), -1 none yet */
    int64_t sf_gen;         /* its generation (stored in its header and in ingest_pending) */
    uint64_t sf_len;        /* its committed length */
    uint64_t sf_states;     /* vessel states in it */
    char sf_err[SW_ERRMAX]; /* why the last state file write failed ("" when it did not) */
    /* the input being read */
    const char *cur; /* NULL between inputs */
    int cur_resumable, cur_live, cur_csv_checked;
    struct sw_csv csv;
    int64_t cur_time;  /* last event time seen in this input (carried to untimed records) */
    uint64_t cur_line; /* lines of this input fully processed */
    struct sw_nmea *fr;
    uint64_t nmea_base[SW_NMEA_NREASONS];
    struct sw_ais ais;
    struct sw_record rec;
    /* a message from a stream (sw_pipeline_stream_msg): its time, receiver and MMSI */
    const struct sw_stream_msg *ovr;
    int ovr_mismatch;        /* the message's record was not of ovr->mmsi */
    uint64_t stream_lineno;  /* lines of the stream's bodies, for the framer */
    uint64_t stream_csv_key; /* hash of the CSV header p->csv was detected from */
    uint64_t commits;        /* commits so far (sw_pipeline_commits) */
};

/* "what: SQLite's message" into err (SW_ERRMAX bytes, may be NULL). */
void ing_seterr(char *err, const char *what, sqlite3 *db);
/* Every commit hook in order; the first failure is returned. */
int ing_run_commit_hooks(struct sw_pipeline *p);

/* What follows the vessel update of r (v, out; v NULL for an aid): the store's writes, the
 * stages, the consumers. Thread B's with cfg.jobs >= 2 (jobs.c), else deliver's. */
int ing_apply(struct sw_pipeline *p, const struct sw_record *r, const struct sw_vessel *v,
              const struct sw_vessel_out *out);
/* The record path's error into err: B's own message, or the database's ("cannot store"). */
void ing_store_error(struct sw_pipeline *p, char *err);

/* jobs.c (all called by thread A) */
/* Start thread B (p->mvs set up and loaded). */
int ing_jobs_start(struct sw_pipeline *p);
/* Hand r, the updated vessel v (NULL for an aid) and out to B; B's error when it had one. */
int ing_jobs_push(struct sw_pipeline *p, const struct sw_record *r, const struct sw_vessel *v,
                  const struct sw_vessel_out *out);
/* Wait until B has done everything pushed (B is then idle until the next push) and hand the
 * stages' vessel touches on to p->vs; B's error, if any. SW_OK at once without a mirror. Before
 * anything that reads or writes the stages or the database. */
int ing_sync(struct sw_pipeline *p);
/* A waits for input: B is woken for what was pushed. */
void ing_jobs_kick(struct sw_pipeline *p);
/* Stop B (what it was not done with is dropped) and join it; p->js set. */
void ing_jobs_stop(struct sw_pipeline *p);
/* The vessel v of slot into the mirror (a new slot must be the next one): SW_OK, or an error
 * with msg (SW_ERRMAX, may be NULL) when the slots went apart. */
int ing_mirror_put(struct sw_pipeline *p, size_t slot, const struct sw_vessel *v, char *msg);
/* B's own message (not the database's) when it failed, else NULL. */
const char *ing_jobs_message(struct sw_pipeline *p);
double ing_thread_cpu(void); /* the calling thread's CPU seconds */

/* checkpoint.c */
/* Prepare the statements of the ingest tables and load the saved state (vessels, pending
 * records, dedup, counters of an unfinished run). */
int ing_state_open(struct sw_pipeline *p, char *err);
/* Begin the run's transaction and record the run (unless resuming one). */
int ing_run_begin(struct sw_pipeline *p, char *err);
/* A checkpoint: commit hooks, rows when asked, the input's position, the state file, the
 * ingest_pending row, COMMIT and BEGIN again. */
int ing_checkpoint(struct sw_pipeline *p, int rows);
/* A failed checkpoint's message: the state file's own error, or the database's. */
void ing_checkpoint_error(struct sw_pipeline *p, char *err);
/* The end of the run after the consumers' end call: vessel rows and state log, counters,
 * the run's row, COMMIT, state files removed. */
int ing_run_finish(struct sw_pipeline *p, char *err);
/* Where a resumable input stands. */
int ing_input_status(struct sw_pipeline *p, const char *input, int *done, uint64_t *lines,
                     int64_t *t);
/* A checkpoint by time or on request (cfg.checkpoint_ms, cfg.checkpoint_due) when one is
 * due; SW_OK when none is. */
int ing_checkpoint_timed(struct sw_pipeline *p);
/* The current input's row: lines done, last time, done flag. */
int ing_input_record(struct sw_pipeline *p, int done);
void ing_state_close(struct sw_pipeline *p);

/* saved.c: vessel records, stage blobs, the state log and the carry */
uint64_t ing_stages_layout(const struct sw_pipeline *p);
/* Append v's record (clear: dirty bits not to save) to b. */
int ing_record_put(struct sw_pipeline *p, struct sw_buf *b, const struct sw_vessel *v, size_t slot,
                   uint8_t clear);
/* Restore a record's vessel and, when stages, its stages' parts (r8: the vessel in the layout
 * of SW_VESSEL_R8_SIZE bytes). */
int ing_record_restore(struct sw_pipeline *p, const unsigned char *rec, size_t len, int stages,
                       int r8, char *err);
/* The stages' blobs (carry: only those with a carried layout), and back. */
int ing_stages_put(struct sw_pipeline *p, struct sw_buf *b, int carry);
int ing_stages_restore(struct sw_pipeline *p, const void *data, size_t len, int carry, char *err);
/* The stages start afresh (their saved state does not fit). */
void ing_stages_reset(struct sw_pipeline *p);
/* An unfinished run's state file (statefile.h) of len committed bytes, written with this layout,
 * run and generation: its vessel records, pending records, dedup table and stage blobs loaded
 * into p (load_state_file's work; also the fuzz target's). */
int ing_sf_restore(struct sw_pipeline *p, const char *path, uint64_t len, int64_t layout,
                   int64_t run_id, int64_t gen, char *err);
int ing_log_load_v1(struct sw_pipeline *p, char *err);
int ing_log_load(struct sw_pipeline *p, int stages_ok, char *err);
int ing_log_write(struct sw_pipeline *p);
int ing_carry_peek(struct sw_pipeline *p, int *found, int64_t *layout, int64_t *stages,
                   int64_t *last_time);
int ing_carry_load(struct sw_pipeline *p, int stages_ok, char *err);
int ing_carry_write(struct sw_pipeline *p);

#endif
