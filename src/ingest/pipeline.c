/*
 * The ingest pipeline: lines from a source are framed and decoded (NMEA) or read as CSV,
 * normalised into records, given a time, ordered by event time in the reorder buffer,
 * deduplicated, applied to the vessel state and handed to the registered consumers. Writes
 * go to SQLite in one long transaction per checkpoint interval: track points and closed
 * identities as they happen, the saved state (changed vessels, pending records, dedup table,
 * counters, input positions) at each checkpoint, vessel rows at the end of the run, at a
 * stop and at checkpoints of live inputs. Nothing is committed except at a checkpoint,
 * so a run killed at any moment restarts from a consistent state and ends with the same
 * tables as an uninterrupted run.
 */
#include "source.h"
#include "statefile.h"

#include "sanctwatch/ais.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/nmea.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONSUMERS 32
/* On resume, NMEA lines this far before the checkpoint are fed again (their messages are
 * discarded) so that multi-sentence groups open at the checkpoint are rebuilt. Larger than
 * the framer's group expiry (500 lines). */
#define REWIND_LINES 1000
#define TIME_MIN_MS 946684800000LL /* 2000-01-01: earlier times are wrong */
/* Saved-state layout: changes whenever the saved structs or their encodings change (the last
 * term: 2 since the compact reorder and dedup blobs). */
#define LAYOUT                                                                                     \
    ((int64_t)sizeof(struct sw_vessel) * 100000 + (int64_t)sizeof(struct sw_record) * 10 + 2)

static const char *const counter_names[SW_IC_COUNT] = {
#define SW__ICNAME(name, str) str,
    SW_INGEST_COUNTERS(SW__ICNAME)
#undef SW__ICNAME
};

const char *sw_ingest_counter_name(int c)
{
    return c >= 0 && c < SW_IC_COUNT ? counter_names[c] : "?";
}

struct consumer {
    sw_consumer_fn fn;
    void *ctx;
};

struct commit_hook {
    sw_commit_fn fn;
    void *ctx;
};

struct sw_pipeline {
    sqlite3 *db;
    struct sw_pipeline_config cfg;
    struct sw_vessels *vs;
    struct sw_reorder *rq;
    struct sw_dedup *dd;
    struct consumer cons[MAX_CONSUMERS];
    int ncons;
    struct commit_hook hooks[MAX_CONSUMERS];
    int nhooks;
    uint64_t c[SW_IC_COUNT];
    uint64_t nmea_run[SW_NMEA_NREASONS]; /* framer counts, committed part */
    uint64_t seq;
    int64_t run_id;
    int64_t time_max; /* later times are out of range */
    int finished;
    sqlite3_stmt *st_track, *st_ident, *st_vessel, *st_vstate, *st_aid, *st_input;
    sqlite3_stmt *st_vessel_upd, *st_ident_upd;
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
};

void sw_pipeline_config_default(struct sw_pipeline_config *c)
{
    memset(c, 0, sizeof *c);
    c->lateness_ms = 10 * 60 * 1000;
    c->dedup_window_ms = 60 * 1000;
    c->reorder_capacity = (size_t)1 << 18;
    c->dedup_capacity = (size_t)1 << 20;
    c->max_vessels = 4000000;
    c->checkpoint_lines = 1000000;
    sw_track_config_default(&c->track);
}

static void seterr(char *err, const char *what, sqlite3 *db)
{
    if (err) snprintf(err, SW_ERRMAX, "%s: %s", what, db ? sqlite3_errmsg(db) : "failed");
}

/* Every statement here is stepped, reset and its bindings cleared right after binding
 * (sw_store_step), while the strings bound (in a vessel or a record) are unchanged: no copy. */
static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s && s[0])
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_real_or_null(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

/* ---- loading saved state */

/* A vessel state from the log or a state file: a later state replaces an earlier one. */
static int restore_vessel(struct sw_pipeline *p, const unsigned char *b, char *err)
{
    struct sw_vessel v, *cur;
    int rc;
    memcpy(&v, b, sizeof v);
    if ((cur = sw_vessels_get(p->vs, v.mmsi)) != NULL) {
        if ((rc = sw_vessel_check(&v)) == SW_OK) *cur = v;
    } else {
        rc = sw_vessels_restore(p->vs, &v);
    }
    if (rc != SW_OK && err)
        snprintf(err, SW_ERRMAX, "cannot restore vessel %u: %s", v.mmsi, sw_strerror(rc));
    return rc;
}

struct sf_load {
    struct sw_pipeline *p;
    char *err;
};

static int sf_state(void *ctx, const unsigned char *states, size_t n)
{
    struct sf_load *l = ctx;
    for (size_t i = 0; i < n; i++) {
        int rc = restore_vessel(l->p, states + i * sizeof(struct sw_vessel), l->err);
        if (rc != SW_OK) return rc;
        l->p->sf_states++;
    }
    return SW_OK;
}

static int sf_pending(void *ctx, const void *reorder, size_t rlen, const void *dedup, size_t dlen)
{
    struct sf_load *l = ctx;
    int rc;
    if (((rc = sw_reorder_load(l->p->rq, reorder, rlen)) != SW_OK ||
         (rc = sw_dedup_load(l->p->dd, dedup, dlen)) != SW_OK) &&
        l->err)
        snprintf(l->err, SW_ERRMAX, "cannot load the pending records: %s", sw_strerror(rc));
    return rc;
}

/* Vessel states saved in the database: the rows of sql in order, each one state (the
 * per-vessel table of schema version 1) or states packed one after the other (the log).
 * *count is increased by the states read. */
static int load_state_rows(struct sw_pipeline *p, const char *sql, int one_per_row, uint64_t *count,
                           char *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK) {
        seterr(err, "cannot load the saved state", p->db);
        return SW_EDB;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        const unsigned char *b = sqlite3_column_blob(st, 0);
        if (one_per_row ? len != sizeof(struct sw_vessel) : len % sizeof(struct sw_vessel) != 0) {
            if (err)
                snprintf(err, SW_ERRMAX, "saved vessel state was written by an incompatible build");
            rc = SW_EUNSUPPORTED;
            goto done;
        }
        for (size_t off = 0; off < len; off += sizeof(struct sw_vessel)) {
            (*count)++;
            if ((rc = restore_vessel(p, b + off, err)) != SW_OK) goto done;
        }
    }
    if (rc == SQLITE_DONE) {
        rc = SW_OK;
    } else {
        seterr(err, "cannot load the saved state", p->db);
        rc = SW_EDB;
    }
done:
    sqlite3_finalize(st);
    return rc;
}

static int load_state(struct sw_pipeline *p, char *err)
{
    sqlite3_stmt *st = NULL;
    uint64_t v1 = 0;
    int rc = load_state_rows(p, "SELECT state FROM ingest_vessel_state ORDER BY mmsi", 1, &v1, err);
    if (rc != SW_OK) return rc;
    if (v1) p->state_snapshot = 1; /* saved by an earlier build: rewritten as a log */
    rc = load_state_rows(p, "SELECT state FROM ingest_state_log ORDER BY id", 0, &p->state_logged,
                         err);
    if (rc != SW_OK) return rc;
    if (sqlite3_prepare_v2(
            p->db,
            "SELECT run_id, layout, counters, nmea, reorder, dedup, sf_index, sf_len, sf_gen"
            " FROM ingest_pending WHERE id = 1",
            -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_int64(st, 1) != LAYOUT ||
            (size_t)sqlite3_column_bytes(st, 2) != sizeof p->c + sizeof p->seq ||
            (size_t)sqlite3_column_bytes(st, 3) != sizeof p->nmea_run) {
            if (err)
                snprintf(err, SW_ERRMAX, "the unfinished run was saved by an incompatible build");
            rc = SW_EUNSUPPORTED;
            goto fail;
        }
        p->run_id = sqlite3_column_int64(st, 0);
        const unsigned char *cb = sqlite3_column_blob(st, 2);
        memcpy(p->c, cb, sizeof p->c);
        memcpy(&p->seq, cb + sizeof p->c, sizeof p->seq);
        memcpy(p->nmea_run, sqlite3_column_blob(st, 3), sizeof p->nmea_run);
        if (sqlite3_column_type(st, 7) != SQLITE_NULL) { /* in a state file */
            char path[4096];
            struct sf_load l = {p, err};
            p->sf_index = sqlite3_column_int(st, 6);
            p->sf_len = (uint64_t)sqlite3_column_int64(st, 7);
            p->sf_gen = sqlite3_column_int64(st, 8);
            rc = SW_EFORMAT;
            if (!p->dbfile || (p->sf_index != 0 && p->sf_index != 1) ||
                sw_sf_path(p->dbfile, p->sf_index, path, sizeof path) != SW_OK) {
                if (err) snprintf(err, SW_ERRMAX, "the unfinished run's state file is unknown");
                goto fail;
            }
            if (err) err[0] = 0;
            rc = sw_sf_load(path, p->sf_len, LAYOUT, p->run_id, p->sf_gen, sizeof(struct sw_vessel),
                            sf_state, sf_pending, &l);
            if (rc != SW_OK) {
                if (err && !err[0])
                    snprintf(err, SW_ERRMAX,
                             "cannot load the unfinished run's state from '%.180s': %s", path,
                             sw_strerror(rc));
                goto fail;
            }
        } else if ((rc = sw_reorder_load(p->rq, sqlite3_column_blob(st, 4),
                                         (size_t)sqlite3_column_bytes(st, 4))) != SW_OK ||
                   (rc = sw_dedup_load(p->dd, sqlite3_column_blob(st, 5),
                                       (size_t)sqlite3_column_bytes(st, 5))) != SW_OK) {
            /* saved in the database by an earlier build */
            if (err)
                snprintf(err, SW_ERRMAX, "cannot load the unfinished run: %s", sw_strerror(rc));
            goto fail;
        }
    } else if (rc != SQLITE_DONE) {
        goto dberr;
    }
    sqlite3_finalize(st);
    return SW_OK;
dberr:
    seterr(err, "cannot load the saved state", p->db);
    rc = SW_EDB;
fail:
    sqlite3_finalize(st);
    return rc;
}

int sw_pipeline_new(struct sw_pipeline **out, sqlite3 *db, const struct sw_pipeline_config *cfg,
                    char *err)
{
    struct sw_pipeline *p = calloc(1, sizeof *p);
    int rc;
    *out = NULL;
    if (!p) return SW_ENOMEM;
    p->db = db;
    if (cfg)
        p->cfg = *cfg;
    else
        sw_pipeline_config_default(&p->cfg);
    p->time_max = sw_time_now_ms() + 86400000LL;
    p->sf.fd = -1;
    p->sf_index = -1;
    {
        const char *f = sqlite3_db_filename(db, "main");
        if (f && f[0] && !(p->dbfile = strdup(f))) {
            free(p);
            return SW_ENOMEM;
        }
    }
    if ((rc = sw_ingest_migrate(db)) != SW_OK) {
        seterr(err, "cannot set up the ingest tables", db);
        goto fail;
    }
    if ((rc = sw_vessels_new(&p->vs, p->cfg.max_vessels, &p->cfg.track)) ||
        (rc = sw_reorder_new(&p->rq, p->cfg.lateness_ms, p->cfg.reorder_capacity)) ||
        (rc = sw_dedup_new(&p->dd, p->cfg.dedup_window_ms, p->cfg.dedup_capacity))) {
        if (err) snprintf(err, SW_ERRMAX, "cannot set up the pipeline: %s", sw_strerror(rc));
        goto fail;
    }
    if ((rc = load_state(p, err)) != SW_OK) goto fail;
    rc = SW_EDB;
    if (sw_store_prepare(p->db, &p->st_track,
                         "INSERT OR REPLACE INTO track(mmsi,t,lat,lon,sog,cog,heading,status)"
                         " VALUES(?,?,?,?,?,?,?,?)") ||
        sw_store_prepare(
            p->db, &p->st_ident,
            "INSERT OR REPLACE INTO identity_history(mmsi,seq,name,callsign,imo,ship_type,"
            "length_m,beam_m,flag,first_seen,last_seen) VALUES(?,?,?,?,?,?,?,?,?,?,?)") ||
        sw_store_prepare(
            p->db, &p->st_vessel,
            "INSERT OR REPLACE INTO vessels(mmsi,flag,class,name,callsign,imo,ship_type,"
            "length_m,beam_m,draught,destination,first_seen,last_seen,positions,statics,"
            "last_time,last_lat,last_lon,last_sog,last_cog,last_heading,last_status)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)") ||
        sw_store_prepare(
            p->db, &p->st_vessel_upd,
            "UPDATE vessels SET flag=?2,class=?3,name=?4,callsign=?5,ship_type=?7,length_m=?8,"
            "beam_m=?9,draught=?10,destination=?11,first_seen=?12,last_seen=?13,positions=?14,"
            "statics=?15,last_time=?16,last_lat=?17,last_lon=?18,last_sog=?19,last_cog=?20,"
            "last_heading=?21,last_status=?22 WHERE mmsi=?1 AND imo IS ?6") ||
        sw_store_prepare(p->db, &p->st_ident_upd,
                         "UPDATE identity_history SET name=?3,callsign=?4,ship_type=?6,length_m=?7,"
                         "beam_m=?8,flag=?9,first_seen=?10,last_seen=?11 WHERE mmsi=?1 AND seq=?2"
                         " AND imo IS ?5") ||
        sw_store_prepare(p->db, &p->st_vstate, "INSERT INTO ingest_state_log(state) VALUES(?)") ||
        sw_store_prepare(p->db, &p->st_aid,
                         "INSERT INTO aids(mmsi,name,aid_type,lat,lon,first_seen,last_seen,reports)"
                         " VALUES(?1,?2,?3,?4,?5,?6,?6,1) ON CONFLICT(mmsi) DO UPDATE SET"
                         " name=COALESCE(excluded.name,name), aid_type=excluded.aid_type,"
                         " lat=COALESCE(excluded.lat,lat), lon=COALESCE(excluded.lon,lon),"
                         " first_seen=MIN(first_seen,excluded.first_seen),"
                         " last_seen=MAX(last_seen,excluded.last_seen), reports=reports+1") ||
        sw_store_prepare(p->db, &p->st_input,
                         "INSERT OR REPLACE INTO ingest_inputs(input,run_id,lines,last_time,done)"
                         " VALUES(?,?,?,?,?)")) {
        seterr(err, "cannot prepare statements", db);
        goto fail;
    }
    /* A run writes one long transaction per checkpoint: a larger page cache keeps SQLite
     * from spilling dirty pages to the WAL and reading them back (bounded: 24 MB). */
    sw_store_exec(db, "PRAGMA cache_size=-24576");
    if (sw_store_exec(db, "BEGIN IMMEDIATE")) {
        seterr(err, "cannot begin a transaction", db);
        goto fail;
    }
    if (p->run_id == 0) {
        if (sw_store_exec(db, "INSERT INTO ingest_runs(started,status) VALUES("
                              "strftime('%Y-%m-%dT%H:%M:%SZ','now'),'running')")) {
            seterr(err, "cannot record the run", db);
            sw_store_exec(db, "ROLLBACK");
            goto fail;
        }
        p->run_id = sqlite3_last_insert_rowid(db);
    }
    *out = p;
    return SW_OK;
fail:
    sw_pipeline_free(p);
    return rc;
}

void sw_pipeline_free(struct sw_pipeline *p)
{
    if (!p) return;
    if (!sqlite3_get_autocommit(p->db))
        sw_store_exec(p->db, "ROLLBACK"); /* work after the last checkpoint is dropped */
    sqlite3_finalize(p->st_track);
    sqlite3_finalize(p->st_ident);
    sqlite3_finalize(p->st_vessel);
    sqlite3_finalize(p->st_vstate);
    sqlite3_finalize(p->st_vessel_upd);
    sqlite3_finalize(p->st_ident_upd);
    sqlite3_finalize(p->st_aid);
    sqlite3_finalize(p->st_input);
    sw_nmea_free(p->fr);
    sw_vessels_free(p->vs);
    sw_reorder_free(p->rq);
    sw_dedup_free(p->dd);
    sw_sf_close(&p->sf);
    free(p->dbfile);
    free(p);
}

int sw_pipeline_add_consumer(struct sw_pipeline *p, sw_consumer_fn fn, void *ctx)
{
    if (p->ncons == MAX_CONSUMERS) return SW_ETOOBIG;
    p->cons[p->ncons].fn = fn;
    p->cons[p->ncons].ctx = ctx;
    p->ncons++;
    return SW_OK;
}

int sw_pipeline_add_commit_hook(struct sw_pipeline *p, sw_commit_fn fn, void *ctx)
{
    if (p->nhooks == MAX_CONSUMERS) return SW_ETOOBIG;
    p->hooks[p->nhooks].fn = fn;
    p->hooks[p->nhooks].ctx = ctx;
    p->nhooks++;
    return SW_OK;
}

/* Every commit hook, in order; the first failure is returned. */
static int run_commit_hooks(struct sw_pipeline *p)
{
    for (int i = 0; i < p->nhooks; i++) {
        int rc = p->hooks[i].fn(p->hooks[i].ctx);
        if (rc != 0) return rc;
    }
    return SW_OK;
}

const struct sw_vessel *sw_pipeline_vessel(struct sw_pipeline *p, uint32_t mmsi)
{
    return sw_vessels_get(p->vs, mmsi);
}

struct sw_vessels *sw_pipeline_vessels(struct sw_pipeline *p)
{
    return p->vs;
}

const uint64_t *sw_pipeline_counters(const struct sw_pipeline *p)
{
    return p->c;
}

const uint64_t *sw_pipeline_nmea_counts(const struct sw_pipeline *p)
{
    return p->nmea_run;
}

/* ---- writing */

static void bind_identity(sqlite3_stmt *st, uint32_t mmsi, uint32_t seq,
                          const struct sw_identity *id, int64_t first, int64_t last)
{
    sqlite3_bind_int64(st, 1, mmsi);
    sqlite3_bind_int64(st, 2, seq);
    bind_text_or_null(st, 3, (id->fields & SW_F_NAME) ? id->name : NULL);
    bind_text_or_null(st, 4, (id->fields & SW_F_CALLSIGN) ? id->callsign : NULL);
    if (id->fields & SW_F_IMO) sqlite3_bind_int64(st, 5, id->imo);
    if (id->fields & SW_F_SHIPTYPE) sqlite3_bind_int(st, 6, id->ship_type);
    if (id->fields & SW_F_DIMS) {
        sqlite3_bind_int(st, 7, id->length_m);
        sqlite3_bind_int(st, 8, id->beam_m);
    }
    bind_text_or_null(st, 9, id->flag);
    sqlite3_bind_int64(st, 10, first);
    sqlite3_bind_int64(st, 11, last);
}

/* An identity row is rewritten whenever its vessel's rows are due while it is current: an
 * UPDATE of the row in place leaves the imo index alone when the IMO did not change (INSERT
 * OR REPLACE deletes and reinserts the index entry too). A row not yet written (exists == 0)
 * is inserted straight away, without an UPDATE that would find nothing. */
static int write_identity(struct sw_pipeline *p, uint32_t mmsi, uint32_t seq,
                          const struct sw_identity *id, int64_t first, int64_t last, int exists)
{
    int rc;
    if (exists) {
        bind_identity(p->st_ident_upd, mmsi, seq, id, first, last);
        if ((rc = sw_store_step(p->st_ident_upd)) != SW_OK) return rc;
        if (sqlite3_changes(p->db) > 0) return SW_OK;
    }
    bind_identity(p->st_ident, mmsi, seq, id, first, last);
    return sw_store_step(p->st_ident);
}

static void bind_vessel(sqlite3_stmt *st, const struct sw_vessel *v)
{
    const struct sw_identity *id = &v->id;
    sqlite3_bind_int64(st, 1, v->mmsi);
    bind_text_or_null(st, 2, id->flag);
    if (v->cls) sqlite3_bind_text(st, 3, &v->cls, 1, SQLITE_STATIC);
    bind_text_or_null(st, 4, (id->fields & SW_F_NAME) ? id->name : NULL);
    bind_text_or_null(st, 5, (id->fields & SW_F_CALLSIGN) ? id->callsign : NULL);
    if (id->fields & SW_F_IMO) sqlite3_bind_int64(st, 6, id->imo);
    if (id->fields & SW_F_SHIPTYPE) sqlite3_bind_int(st, 7, id->ship_type);
    if (id->fields & SW_F_DIMS) {
        sqlite3_bind_int(st, 8, id->length_m);
        sqlite3_bind_int(st, 9, id->beam_m);
    }
    bind_real_or_null(st, 10, v->draught);
    bind_text_or_null(st, 11, v->dest);
    sqlite3_bind_int64(st, 12, v->first_seen);
    sqlite3_bind_int64(st, 13, v->last_seen);
    sqlite3_bind_int64(st, 14, (sqlite3_int64)v->n_pos);
    sqlite3_bind_int64(st, 15, (sqlite3_int64)v->n_static);
    if (v->has_fix) {
        sqlite3_bind_int64(st, 16, v->last.t_ms);
        sqlite3_bind_double(st, 17, v->last.lat);
        sqlite3_bind_double(st, 18, v->last.lon);
        bind_real_or_null(st, 19, v->last.sog);
        bind_real_or_null(st, 20, v->last.cog);
        if (v->last.heading < 360) sqlite3_bind_int(st, 21, v->last.heading);
        if (v->last.status < 15) sqlite3_bind_int(st, 22, v->last.status);
    }
}

static int write_vessel(struct sw_pipeline *p, struct sw_vessel *v)
{
    const struct sw_identity *id = &v->id;
    int rc;
    int done = 0;
    v->dirty &= (uint8_t)~SW_VESSEL_DIRTY_ROWS;
    /* in place when the row exists with the same IMO (see write_identity) */
    if (v->dirty & SW_VESSEL_ROW_WRITTEN) {
        bind_vessel(p->st_vessel_upd, v);
        if ((rc = sw_store_step(p->st_vessel_upd)) != SW_OK) return rc;
        done = sqlite3_changes(p->db) > 0;
    }
    if (!done) {
        bind_vessel(p->st_vessel, v);
        if ((rc = sw_store_step(p->st_vessel)) != SW_OK) return rc;
    }
    v->dirty |= SW_VESSEL_ROW_WRITTEN;
    if (v->id_seq > 0) {
        rc = write_identity(p, v->mmsi, v->id_seq, id, v->id_first_seen, v->id_last_seen,
                            (v->dirty & SW_VESSEL_ID_WRITTEN) != 0);
        if (rc == SW_OK) v->dirty |= SW_VESSEL_ID_WRITTEN;
        return rc;
    }
    return SW_OK;
}

static int write_point(struct sw_pipeline *p, uint32_t mmsi, const struct sw_fix *f)
{
    sqlite3_stmt *st = p->st_track;
    sqlite3_bind_int64(st, 1, mmsi);
    sqlite3_bind_int64(st, 2, f->t_ms);
    sqlite3_bind_double(st, 3, f->lat);
    sqlite3_bind_double(st, 4, f->lon);
    bind_real_or_null(st, 5, f->sog);
    bind_real_or_null(st, 6, f->cog);
    if (f->heading < 360) sqlite3_bind_int(st, 7, f->heading);
    if (f->status < 15) sqlite3_bind_int(st, 8, f->status);
    return sw_store_step(st);
}

static int write_aid(struct sw_pipeline *p, const struct sw_record *r)
{
    sqlite3_stmt *st = p->st_aid;
    sqlite3_bind_int64(st, 1, r->mmsi);
    bind_text_or_null(st, 2, (r->fields & SW_F_NAME) ? r->name : NULL);
    sqlite3_bind_int(st, 3, r->ship_type);
    if (r->fields & SW_F_POS) {
        sqlite3_bind_double(st, 4, r->lat);
        sqlite3_bind_double(st, 5, r->lon);
    }
    sqlite3_bind_int64(st, 6, r->t_ms);
    return sw_store_step(st);
}

static int write_input(struct sw_pipeline *p, int done)
{
    sqlite3_stmt *st = p->st_input;
    sqlite3_bind_text(st, 1, p->cur, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, p->run_id);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)p->cur_line);
    if (p->cur_time != SW_TIME_NONE) sqlite3_bind_int64(st, 4, p->cur_time);
    sqlite3_bind_int(st, 5, done);
    return sw_store_step(st);
}

/* The vessel state kept in the database is a log: the end of each run appends the states of
 * the vessels that changed during it (SW_VESSEL_DIRTY_LOG), packed STATE_BATCH to a row (one
 * large blob write instead of a B-tree insert per vessel); loading applies the rows in order,
 * a later state replacing an earlier one. When the log holds more than twice as many states
 * as there are vessels it is rewritten as one snapshot of every vessel. Vessels are saved and
 * so restored in creation order. Checkpoints within a run save to the run's state file
 * instead (save_state_file). */
#define STATE_BATCH 256

static int put_states(struct sw_pipeline *p, struct sw_vessel *const *v, size_t n,
                      struct sw_vessel *buf)
{
    const uint8_t saved = SW_VESSEL_DIRTY_STATE | SW_VESSEL_DIRTY_LOG;
    for (size_t i = 0; i < n; i += STATE_BATCH) {
        size_t k = n - i < STATE_BATCH ? n - i : STATE_BATCH;
        for (size_t j = 0; j < k; j++) {
            buf[j] = *v[i + j];
            buf[j].dirty &= (uint8_t)~saved; /* rows may still be due */
        }
        sqlite3_bind_blob(p->st_vstate, 1, buf, (int)(k * sizeof *buf), SQLITE_STATIC);
        int rc = sw_store_step(p->st_vstate);
        if (rc != SW_OK) return rc;
    }
    for (size_t i = 0; i < n; i++)
        v[i]->dirty &= (uint8_t)~saved;
    return SW_OK;
}

static int write_states(struct sw_pipeline *p, struct sw_vessel *const *dirty, size_t nd)
{
    size_t n = sw_vessels_count(p->vs);
    struct sw_vessel *buf;
    int rc;
    if (nd == 0 && !p->state_snapshot) return SW_OK;
    if (!(buf = malloc(STATE_BATCH * sizeof *buf))) return SW_ENOMEM;
    if (p->state_snapshot || p->state_logged + nd > 2 * (uint64_t)n + 4096) {
        struct sw_vessel **all = malloc((n ? n : 1) * sizeof *all);
        rc = SW_ENOMEM;
        if (all) {
            for (size_t i = 0; i < n; i++)
                all[i] = sw_vessels_at(p->vs, i);
            rc = sw_store_exec(p->db, "DELETE FROM ingest_state_log");
            if (!rc && p->state_snapshot) /* written by an earlier build */
                rc = sw_store_exec(p->db, "DELETE FROM ingest_vessel_state");
            if (!rc) rc = put_states(p, all, n, buf);
            free(all);
        }
        if (!rc) {
            p->state_logged = n;
            p->state_snapshot = 0;
        }
    } else {
        rc = put_states(p, dirty, nd, buf);
        if (!rc) p->state_logged += nd;
    }
    free(buf);
    return rc;
}

static int by_mmsi(const void *a, const void *b)
{
    uint32_t x = (*(struct sw_vessel *const *)a)->mmsi, y = (*(struct sw_vessel *const *)b)->mmsi;
    return x < y ? -1 : x > y;
}

/* Vessels whose rows are due are written in MMSI order: the rows then go into the B-trees in
 * key order, each page read and written once, instead of seeking at random over tables larger
 * than the page cache. rows == 0 leaves the rows for later: they are a function of the state,
 * so a checkpoint within a file saves only the state, and the rows are written at the end of
 * the run, at a stop, or at a checkpoint of a live input. log: also append the states of the
 * vessels changed during the run to ingest_state_log (the end of the run). */
static int write_dirty_vessels(struct sw_pipeline *p, int rows, int log)
{
    size_t n = sw_vessels_count(p->vs), nd = 0, nr = 0;
    struct sw_vessel **d = NULL, **r = NULL;
    int rc = SW_OK;
    if ((log && !(d = malloc((n ? n : 1) * sizeof *d))) ||
        (rows && !(r = malloc((n ? n : 1) * sizeof *r)))) {
        free(d);
        return SW_ENOMEM;
    }
    for (size_t i = 0; i < n && (log || rows); i++) {
        struct sw_vessel *v = sw_vessels_at(p->vs, i);
        if (log && (v->dirty & SW_VESSEL_DIRTY_LOG)) d[nd++] = v; /* in creation order */
        if (rows && (v->dirty & SW_VESSEL_DIRTY_ROWS)) r[nr++] = v;
    }
    if (nr) qsort(r, nr, sizeof *r, by_mmsi);
    for (size_t i = 0; i < nr && rc == SW_OK; i++)
        rc = write_vessel(p, r[i]);
    if (rc == SW_OK && log) rc = write_states(p, d, nd);
    free(d);
    free(r);
    return rc;
}

/* Framer counts of the current input not yet in nmea_run. */
static void nmea_current(const struct sw_pipeline *p, uint64_t *out)
{
    const uint64_t *fc = p->fr ? sw_nmea_counts(p->fr) : NULL;
    for (int i = 0; i < SW_NMEA_NREASONS; i++)
        out[i] = p->nmea_run[i] + (fc ? fc[i] - p->nmea_base[i] : 0);
}

static int sf_put(void *ctx, const void *data, size_t len)
{
    return sw_sf_put(ctx, data, len);
}

/* A checkpoint's bulk state into the run's state file, made durable before the database row
 * that points at it commits: a segment with the vessels changed since the last checkpoint,
 * the pending records and the dedup table, appended to the file in use; or, when that file
 * holds more than twice as many states as there are vessels (or there is none yet), a new
 * file in the other slot with every vessel changed during the run. *nf is the file that now
 * holds the state: p->sf itself, or a new one that replaces it once the row commits. */
static int save_state_file(struct sw_pipeline *p, struct sw_sf *nf, int *index, int64_t *gen,
                           uint64_t *states)
{
    size_t n = sw_vessels_count(p->vs), nstate = 0, nlog = 0;
    char path[4096];
    void *dblob = NULL;
    size_t dl = 0, rl;
    unsigned char h[SW_SF_SEGHDR];
    int rc;
    for (size_t i = 0; i < n; i++) {
        uint8_t d = sw_vessels_at(p->vs, i)->dirty;
        nstate += (d & SW_VESSEL_DIRTY_STATE) != 0;
        nlog += (d & SW_VESSEL_DIRTY_LOG) != 0;
    }
    const int fresh = p->sf_index < 0 || p->sf_states + nstate > 2 * (uint64_t)n + 4096;
    const uint8_t pick = fresh ? SW_VESSEL_DIRTY_LOG : SW_VESSEL_DIRTY_STATE;
    const size_t nd = fresh ? nlog : nstate;
    *index = fresh ? (p->sf_index < 0 ? 0 : 1 - p->sf_index) : p->sf_index;
    *gen = fresh ? p->sf_gen + 1 : p->sf_gen;
    *states = fresh ? nlog : p->sf_states + nstate;
    *nf = p->sf;
    if ((rc = sw_sf_path(p->dbfile, *index, path, sizeof path)) != SW_OK) {
        path[0] = 0;
        goto fail;
    }
    if (fresh)
        rc = sw_sf_create(nf, path, LAYOUT, p->run_id, *gen);
    else if (nf->fd < 0) /* resumed: append after the committed part */
        rc = sw_sf_reopen(nf, path, p->sf_len, LAYOUT, p->run_id, p->sf_gen);
    if (rc != SW_OK || (rc = sw_dedup_save(p->dd, &dblob, &dl)) != SW_OK) goto fail;
    rl = sw_reorder_saved_size(p->rq);
    sw_sf_segment_header(h, nd, rl, dl);
    if ((rc = sw_sf_put(nf, h, sizeof h)) != SW_OK) goto fail;
    for (size_t i = 0; i < n; i++) {
        struct sw_vessel *v = sw_vessels_at(p->vs, i);
        if (!(v->dirty & pick)) continue;
        struct sw_vessel c = *v;
        c.dirty &= (uint8_t)~SW_VESSEL_DIRTY_STATE; /* rows and the log may still be due */
        if ((rc = sw_sf_put(nf, &c, sizeof c)) != SW_OK) goto fail;
    }
    if ((rc = sw_reorder_save_to(p->rq, sf_put, nf)) != SW_OK ||
        (rc = sw_sf_put(nf, dblob, dl)) != SW_OK || (rc = sw_sf_sync(nf)) != SW_OK)
        goto fail;
    for (size_t i = 0; i < n; i++)
        sw_vessels_at(p->vs, i)->dirty &= (uint8_t)~SW_VESSEL_DIRTY_STATE;
fail:
    if (rc != SW_OK) {
        int e = errno;
        snprintf(p->sf_err, sizeof p->sf_err, "state file '%.150s': %s", path,
                 rc == SW_EIO && e ? strerror(e) : sw_strerror(rc));
        if (nf->fd != p->sf.fd) sw_sf_close(nf); /* opened here, not the file in use */
    }
    free(dblob);
    return rc;
}

/* A checkpoint failed: the state file's own error, or the database's. */
static void checkpoint_error(struct sw_pipeline *p, char *err)
{
    if (!err) return;
    if (p->sf_err[0])
        snprintf(err, SW_ERRMAX, "cannot write a checkpoint: %.200s", p->sf_err);
    else
        seterr(err, "cannot write a checkpoint", p->db);
}

static int checkpoint(struct sw_pipeline *p, int rows)
{
    sqlite3_stmt *st = NULL;
    uint64_t nm[SW_NMEA_NREASONS], states = 0;
    unsigned char cb[sizeof p->c + sizeof p->seq];
    struct sw_sf nf = {-1, 0, 0, NULL};
    int64_t gen = 0;
    int rc, index = -1;
    if (p->finished) return SW_OK;
    if ((rc = run_commit_hooks(p)) != SW_OK) return rc;
    p->c[SW_IC_FORCED] = sw_reorder_forced(p->rq);
    if ((rc = write_dirty_vessels(p, rows, 0)) != SW_OK) return rc;
    if (p->cur && p->cur_resumable && (rc = write_input(p, 0)) != SW_OK) return rc;
    /* An in-memory database has no file beside it, and cannot outlive the process to be
     * resumed anyway: its checkpoints commit the tables only. */
    p->sf_err[0] = 0;
    if (p->dbfile && (rc = save_state_file(p, &nf, &index, &gen, &states)) != SW_OK) return rc;
    nmea_current(p, nm);
    memcpy(cb, p->c, sizeof p->c);
    memcpy(cb + sizeof p->c, &p->seq, sizeof p->seq);
    rc = SW_EDB;
    if (sqlite3_prepare_v2(p->db,
                           "INSERT OR REPLACE INTO ingest_pending(id,run_id,layout,counters,nmea,"
                           "reorder,dedup,sf_index,sf_len,sf_gen) VALUES(1,?,?,?,?,x'',x'',?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, p->run_id);
    sqlite3_bind_int64(st, 2, LAYOUT);
    sqlite3_bind_blob(st, 3, cb, sizeof cb, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, nm, sizeof nm, SQLITE_STATIC);
    if (p->dbfile) {
        sqlite3_bind_int(st, 5, index);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)nf.off);
        sqlite3_bind_int64(st, 7, gen);
    }
    if (sqlite3_step(st) != SQLITE_DONE || sw_store_exec(p->db, "COMMIT") ||
        sw_store_exec(p->db, "BEGIN IMMEDIATE"))
        goto fail;
    if (p->dbfile) {
        if (index != p->sf_index) { /* the new file is committed: the old one goes */
            char path[4096];
            sw_sf_close(&p->sf);
            if (p->sf_index >= 0 && sw_sf_path(p->dbfile, p->sf_index, path, sizeof path) == 0)
                unlink(path);
        }
        p->sf = nf;
        nf.fd = -1;
        nf.buf = NULL;
        p->sf_index = index;
        p->sf_gen = gen;
        p->sf_len = p->sf.off;
        p->sf_states = states;
    }
    rc = SW_OK;
fail:
    if (nf.fd != p->sf.fd) sw_sf_close(&nf); /* a file opened for this checkpoint, not kept */
    sqlite3_finalize(st);
    return rc;
}

/* After the run's last commit: its state files are no longer needed. */
static void remove_state_files(struct sw_pipeline *p)
{
    char path[4096];
    sw_sf_close(&p->sf);
    for (int i = 0; i < 2 && p->dbfile; i++)
        if (sw_sf_path(p->dbfile, i, path, sizeof path) == SW_OK) unlink(path);
    p->sf_index = -1;
    p->sf_len = p->sf_states = 0;
}

int sw_pipeline_checkpoint(struct sw_pipeline *p)
{
    return checkpoint(p, 1);
}

/* ---- the record path */

static int deliver(struct sw_pipeline *p, const struct sw_record *r)
{
    int d = sw_dedup_check(p->dd, r->key, r->t_ms), rc;
    if (d == 1) {
        p->c[SW_IC_DUPLICATE]++;
        return SW_OK;
    }
    if (d == 2) p->c[SW_IC_DEDUP_FULL]++;
    struct sw_vessel *v = NULL;
    if (r->kind == SW_REC_AID) {
        if ((rc = write_aid(p, r)) != SW_OK) return rc;
    } else {
        struct sw_vessel_out out;
        rc = sw_vessels_update(p->vs, r, &v, &out);
        if (rc == SW_ETOOBIG) {
            p->c[SW_IC_VESSEL_FULL]++;
            return SW_OK;
        }
        if (rc) return rc;
        for (int i = 0; i < out.n_points; i++) {
            if ((rc = write_point(p, r->mmsi, &out.points[i])) != SW_OK) return rc;
            p->c[SW_IC_TRACK_POINTS]++;
        }
        if (out.identity_closed) {
            if ((rc = write_identity(p, r->mmsi, out.closed_seq, &out.closed, out.closed_first,
                                     out.closed_last, out.closed_written)) != SW_OK)
                return rc;
            p->c[SW_IC_IDENTITIES]++;
        }
    }
    p->c[SW_IC_ACCEPTED]++;
    if (r->fields & SW_F_POS) p->c[SW_IC_POSITIONS]++;
    if (r->fields & SW_F_STATIC_MASK) p->c[SW_IC_STATICS]++;
    for (int i = 0; i < p->ncons; i++)
        if ((rc = p->cons[i].fn(p->cons[i].ctx, r, v)) != 0) return rc;
    return SW_OK;
}

/* Records leave the buffer sorted a bucket at a time, so what the next ones will touch is
 * known: their dedup buckets and vessel index slots are fetched 8 records ahead and their
 * vessels 4 ahead, so that the cache misses of a 100k-vessel state overlap. */
static void prefetch_ahead(struct sw_pipeline *p)
{
    uint64_t key;
    uint32_t mmsi;
    if (sw_reorder_peek(p->rq, 8, &key, &mmsi)) {
        sw_dedup_prefetch(p->dd, key);
        sw_vessels_prefetch(p->vs, mmsi, 0);
    }
    if (sw_reorder_peek(p->rq, 4, &key, &mmsi)) sw_vessels_prefetch(p->vs, mmsi, 1);
    if (sw_reorder_peek(p->rq, 2, &key, &mmsi)) sw_vessels_prefetch(p->vs, mmsi, 2);
}

static int release(struct sw_pipeline *p, int mode)
{
    struct sw_record out;
    int rc;
    while (sw_reorder_pop(p->rq, mode, &out) == SW_OK) {
        prefetch_ahead(p);
        if ((rc = deliver(p, &out)) != SW_OK) return rc;
    }
    return SW_OK;
}

int sw_pipeline_feed(struct sw_pipeline *p, struct sw_record *r)
{
    int rc;
    if (r->t_ms < TIME_MIN_MS || r->t_ms > p->time_max) {
        p->c[SW_IC_TIME_RANGE]++;
        return SW_OK;
    }
    r->seq = ++p->seq;
    if (sw_reorder_full(p->rq)) {
        struct sw_record out;
        if (sw_reorder_pop(p->rq, SW_REORDER_FORCE, &out) == SW_OK) {
            prefetch_ahead(p);
            if ((rc = deliver(p, &out)) != SW_OK) return rc;
        }
    }
    rc = sw_reorder_push(p->rq, r);
    if (rc == 1) {
        p->c[SW_IC_LATE]++;
        return SW_OK;
    }
    if (rc) return rc;
    return release(p, SW_REORDER_READY);
}

/* A normalised record from the current input: checks, time, then into the buffer. */
static int process(struct sw_pipeline *p, struct sw_record *r, int pos_flag)
{
    switch (r->kind) {
    case SW_REC_BASE:
        p->c[SW_IC_BASE_STATION]++;
        return SW_OK;
    case SW_REC_OTHER:
        p->c[SW_IC_OTHER_STATION]++;
        return SW_OK;
    case SW_REC_AID:
        p->c[SW_IC_AID]++;
        break;
    default:
        break;
    }
    if (pos_flag) {
        p->c[pos_flag == 1 ? SW_IC_NO_POSITION : SW_IC_BAD_POSITION]++;
        r->fields &= ~(SW_F_SOG | SW_F_COG | SW_F_HEADING | SW_F_STATUS);
        if (!(r->fields & SW_F_STATIC_MASK))
            return SW_OK; /* a position report without a position says nothing more */
    }
    if (r->t_ms == SW_TIME_NONE) {
        if (p->cur_time != SW_TIME_NONE) {
            r->t_ms = p->cur_time;
            p->c[SW_IC_TIME_CARRIED]++;
        } else if (p->cur_live) {
            r->t_ms = sw_time_now_ms();
            p->c[SW_IC_TIME_ARRIVAL]++;
        } else {
            p->c[SW_IC_UNTIMED]++;
            return SW_OK;
        }
    } else if (r->t_ms >= TIME_MIN_MS && r->t_ms <= p->time_max) {
        p->cur_time = r->t_ms;
    }
    return sw_pipeline_feed(p, r);
}

static int nmea_message(struct sw_pipeline *p, const struct sw_nmea_msg *m)
{
    struct sw_record *r = &p->rec;
    int pos_flag;
    p->c[SW_IC_MESSAGES]++;
    if (sw_ais_decode(m->payload, m->len, m->fill_bits, &p->ais) != SW_OK) {
        p->c[SW_IC_DECODE_ERROR]++;
        return SW_OK;
    }
    int rc = sw_ais_to_record(&p->ais, r, &pos_flag);
    if (rc == SW_EUNSUPPORTED) {
        p->c[SW_IC_UNSUPPORTED]++;
        return SW_OK;
    }
    if (rc == SW_ERANGE) {
        p->c[SW_IC_BAD_MMSI]++;
        return SW_OK;
    }
    r->t_ms = m->rxtime_ms;
    r->key = sw_hash64(SW_HASH_INIT ^ (uint64_t)m->fill_bits, m->payload, m->len);
    sw_record_text(r->receiver, sizeof r->receiver, m->source, strlen(m->source));
    return process(p, r, pos_flag);
}

static int csv_row(struct sw_pipeline *p, const char *line, size_t len)
{
    int pos_flag;
    struct sw_record *r = &p->rec;
    p->c[SW_IC_MESSAGES]++;
    int rc = sw_csv_row(&p->csv, line, len, r, &pos_flag);
    if (rc == SW_ERANGE) {
        p->c[SW_IC_BAD_MMSI]++;
        return SW_OK;
    }
    if (rc) {
        p->c[SW_IC_BAD_ROW]++;
        return SW_OK;
    }
    return process(p, r, pos_flag);
}

static void progress(struct sw_pipeline *p, struct sw_source *src)
{
    if (p->cfg.progress)
        p->cfg.progress(p->cfg.progress_ctx, p->cur, sw_source_offset(src), sw_source_size(src),
                        p->c);
}

/* Where a resumable input stands: SW_OK with *done / *lines / *time, or SW_EDB. */
static int input_status(struct sw_pipeline *p, const char *input, int *done, uint64_t *lines,
                        int64_t *t)
{
    sqlite3_stmt *st = NULL;
    *done = 0;
    *lines = 0;
    *t = SW_TIME_NONE;
    if (sqlite3_prepare_v2(p->db, "SELECT done, lines, last_time FROM ingest_inputs WHERE input=?",
                           -1, &st, NULL) != SQLITE_OK)
        return SW_EDB;
    sqlite3_bind_text(st, 1, input, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *done = sqlite3_column_int(st, 0);
        *lines = (uint64_t)sqlite3_column_int64(st, 1);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) *t = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SW_OK : SW_EDB;
}

int sw_pipeline_input(struct sw_pipeline *p, const char *input, int *skipped, char *err)
{
    struct sw_source *src = NULL;
    struct sw_nmea_config nc;
    uint64_t resume = 0;
    int done = 0, rc, interrupted = 0;
    *skipped = 0;
    if (p->finished) return SW_EINVAL;
    p->cur_live = strncmp(input, "tcp://", 6) == 0 || strncmp(input, "udp://", 6) == 0;
    p->cur_resumable = !p->cur_live && strcmp(input, "-") != 0;
    p->cur_time = SW_TIME_NONE;
    if (p->cur_resumable) {
        if ((rc = input_status(p, input, &done, &resume, &p->cur_time)) != SW_OK) {
            seterr(err, "cannot read the input checkpoints", p->db);
            return rc;
        }
        if (done) {
            *skipped = 1;
            return SW_OK;
        }
    }
    if ((rc = sw_source_open(&src, input, 0, p->cfg.idle_exit_ms, err)) != SW_OK) return rc;
    sw_nmea_config_default(&nc);
    nc.lenient = p->cfg.lenient;
    if ((rc = sw_nmea_new(&p->fr, &nc)) != SW_OK) {
        snprintf(err, SW_ERRMAX, "cannot set up the NMEA framer: %s", sw_strerror(rc));
        goto fail;
    }
    memset(p->nmea_base, 0, sizeof p->nmea_base);
    p->cur = input;
    p->cur_line = resume;
    p->cur_csv_checked = 0;
    p->csv.format = SW_CSV_NONE;
    uint64_t replay_from = resume > REWIND_LINES ? resume - REWIND_LINES : 0;
    const char *line;
    size_t len;
    for (;;) {
        if (p->cfg.stop && *p->cfg.stop) {
            interrupted = 1;
            break;
        }
        rc = sw_source_next(src, &line, &len);
        if (rc == SW_EAGAIN) continue;
        if (rc == SW_EOF) break;
        uint64_t lineno = sw_source_lineno(src);
        if (rc == SW_ETOOBIG) {
            if (lineno <= resume) { /* replayed: the framer counts it as before */
                if (lineno > replay_from && p->csv.format == SW_CSV_NONE) {
                    sw_nmea_skip(p->fr, SW_NMEA_TOOLONG);
                    if (lineno == resume)
                        memcpy(p->nmea_base, sw_nmea_counts(p->fr), sizeof p->nmea_base);
                }
                continue;
            }
            p->c[SW_IC_LINES]++;
            p->c[SW_IC_TOOLONG]++;
            if (p->csv.format == SW_CSV_NONE) sw_nmea_skip(p->fr, SW_NMEA_TOOLONG);
            p->cur_line = lineno;
            continue;
        }
        if (rc < 0) {
            if (p->cfg.stop && *p->cfg.stop) { /* a signal interrupted the read */
                interrupted = 1;
                break;
            }
            p->c[SW_IC_INPUT_ERRORS]++;
            snprintf(err, SW_ERRMAX, "cannot read '%s': %s", input, sw_strerror(rc));
            break; /* keep what was read; the caller reports it */
        }
        if (!p->cur_csv_checked && len > 0) {
            p->cur_csv_checked = 1;
            if (sw_csv_detect(&p->csv, line, len) == SW_OK) {
                if (lineno > resume) {
                    p->c[SW_IC_LINES]++;
                    p->c[SW_IC_BYTES] += len + 1;
                    p->cur_line = lineno;
                }
                continue;
            }
        }
        if (lineno <= replay_from) continue;
        if (lineno <= resume) {
            if (p->csv.format == SW_CSV_NONE) {
                const struct sw_nmea_msg *m;
                sw_nmea_feed(p->fr, line, len, lineno, &m); /* rebuild groups, drop messages */
                if (lineno == resume)
                    memcpy(p->nmea_base, sw_nmea_counts(p->fr), sizeof p->nmea_base);
            }
            continue;
        }
        p->c[SW_IC_LINES]++;
        p->c[SW_IC_BYTES] += len + 1;
        if (p->csv.format != SW_CSV_NONE) {
            rc = csv_row(p, line, len);
        } else {
            const struct sw_nmea_msg *m;
            sw_nmea_feed(p->fr, line, len, lineno, &m);
            rc = m ? nmea_message(p, m) : SW_OK;
        }
        if (rc != SW_OK) {
            seterr(err, "cannot store", p->db);
            goto fail;
        }
        p->cur_line = lineno;
        if ((p->c[SW_IC_LINES] & 0xffff) == 0) progress(p, src);
        if (p->cfg.checkpoint_lines && p->c[SW_IC_LINES] % p->cfg.checkpoint_lines == 0 &&
            (rc = checkpoint(p, !p->cur_resumable)) != SW_OK) {
            checkpoint_error(p, err);
            goto fail;
        }
    }
    progress(p, src);
    {
        const struct sw_source_stats *ss = sw_source_stats(src);
        p->c[SW_IC_NET_DROPPED] += ss->dropped;
        p->c[SW_IC_NET_TRUNCATED] += ss->truncated;
        p->c[SW_IC_RECONNECTS] += ss->reconnects;
    }
    if (interrupted) {
        /* Save where we are; a file is resumed by running again. */
        if (p->cur_resumable && (rc = sw_pipeline_checkpoint(p)) != SW_OK) {
            checkpoint_error(p, err);
            goto fail;
        }
        rc = SW_EAGAIN;
        if (!p->cur_resumable) {
            rc = SW_OK; /* a live input ends when interrupted */
            interrupted = 0;
        }
    }
    if (!interrupted) {
        sw_nmea_flush(p->fr);
        const uint64_t *fc = sw_nmea_counts(p->fr);
        for (int i = 0; i < SW_NMEA_NREASONS; i++)
            p->nmea_run[i] += fc[i] - p->nmea_base[i];
        if (p->cur_resumable && (rc = write_input(p, 1)) != SW_OK) {
            seterr(err, "cannot record the input", p->db);
            goto fail;
        }
        rc = SW_OK;
    }
fail:
    sw_nmea_free(p->fr);
    p->fr = NULL;
    p->cur = NULL;
    sw_source_free(src);
    return rc;
}

static int counters_json(struct sw_pipeline *p, struct sw_buf *b)
{
    int rc = sw_buf_putc(b, '{');
    for (int i = 0; i < SW_IC_COUNT && !rc; i++)
        rc = sw_buf_printf(b, "%s\"%s\":%llu", i ? "," : "", counter_names[i],
                           (unsigned long long)p->c[i]);
    for (int i = 1; i < SW_NMEA_NREASONS && !rc; i++)
        rc = sw_buf_printf(b, ",\"nmea_%s\":%llu", sw_nmea_reason_name((enum sw_nmea_reason)i),
                           (unsigned long long)p->nmea_run[i]);
    if (!rc) rc = sw_buf_putc(b, '}');
    return rc;
}

int sw_pipeline_finish(struct sw_pipeline *p, char *err)
{
    struct sw_buf b;
    sqlite3_stmt *st = NULL;
    int rc;
    if (p->finished) return SW_OK;
    sw_buf_init(&b, 1 << 16);
    if ((rc = release(p, SW_REORDER_DRAIN)) != SW_OK) {
        seterr(err, "cannot store", p->db);
        goto fail;
    }
    for (int i = 0; i < p->ncons; i++)
        if ((rc = p->cons[i].fn(p->cons[i].ctx, NULL, NULL)) != 0) {
            if (err)
                snprintf(err, SW_ERRMAX, "a consumer failed at the end of the run: %s",
                         sw_strerror(rc));
            goto fail;
        }
    if ((rc = run_commit_hooks(p)) != SW_OK) {
        if (err)
            snprintf(err, SW_ERRMAX, "a commit hook failed at the end of the run: %s",
                     sw_strerror(rc));
        goto fail;
    }
    p->c[SW_IC_FORCED] = sw_reorder_forced(p->rq);
    if ((rc = write_dirty_vessels(p, 1, 1)) != SW_OK || (rc = counters_json(p, &b)) != SW_OK) {
        seterr(err, "cannot store the vessels", p->db);
        goto fail;
    }
    rc = SW_EDB;
    if (sqlite3_prepare_v2(p->db,
                           "UPDATE ingest_runs SET finished=strftime('%Y-%m-%dT%H:%M:%SZ','now'),"
                           " status='done', counters=? WHERE id=?",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    sqlite3_bind_text(st, 1, b.data, (int)b.len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, p->run_id);
    if (sqlite3_step(st) != SQLITE_DONE || sw_store_exec(p->db, "DELETE FROM ingest_pending") ||
        sw_store_exec(p->db, "COMMIT"))
        goto dberr;
    p->finished = 1;
    remove_state_files(p);
    rc = SW_OK;
    goto fail;
dberr:
    seterr(err, "cannot finish the run", p->db);
fail:
    sqlite3_finalize(st);
    sw_buf_release(&b);
    return rc;
}
