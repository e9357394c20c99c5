/*
 * The ingest pipeline's saved state (src/ingest/pipeline_int.h): what a run loads at start
 * (the vessel state log of earlier runs; the unfinished run's counters, state file, pending
 * records and dedup table), its checkpoints, and the end of the run. Writes go to SQLite in
 * one long transaction per checkpoint interval; nothing is committed except at a checkpoint,
 * so a run killed at any moment restarts from a consistent state and ends with the same
 * tables as an uninterrupted run. docs/ingest.md describes the files and tables.
 */
#include "pipeline_int.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Saved-state layout: changes whenever the saved structs or their encodings change (the last
 * term: 2 since the compact reorder and dedup blobs). */
#define LAYOUT                                                                                     \
    ((int64_t)sizeof(struct sw_vessel) * 100000 + (int64_t)sizeof(struct sw_record) * 10 + 2)

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
        ing_seterr(err, "cannot load the saved state", p->db);
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
        ing_seterr(err, "cannot load the saved state", p->db);
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
    ing_seterr(err, "cannot load the saved state", p->db);
    rc = SW_EDB;
fail:
    sqlite3_finalize(st);
    return rc;
}

int ing_input_record(struct sw_pipeline *p, int done)
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

/* rows: the vessel rows that are due, through the vessel store (rows == 0 leaves them for
 * later: they are a function of the state, so a checkpoint within a file saves only the state,
 * and the rows are written at the end of the run, at a stop, or at a checkpoint of a live
 * input). log: also append the states of the vessels changed during the run to
 * ingest_state_log (the end of the run). */
static int write_dirty_vessels(struct sw_pipeline *p, int rows, int log)
{
    size_t n = sw_vessels_count(p->vs), nd = 0;
    struct sw_vessel **d = NULL;
    int rc = SW_OK;
    if (rows && (rc = sw_vstore_rows(p->vst, p->vs)) != SW_OK) return rc;
    if (!log) return SW_OK;
    if (!(d = malloc((n ? n : 1) * sizeof *d))) return SW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        struct sw_vessel *v = sw_vessels_at(p->vs, i);
        if (v->dirty & SW_VESSEL_DIRTY_LOG) d[nd++] = v; /* in creation order */
    }
    rc = write_states(p, d, nd);
    free(d);
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
void ing_checkpoint_error(struct sw_pipeline *p, char *err)
{
    if (!err) return;
    if (p->sf_err[0])
        snprintf(err, SW_ERRMAX, "cannot write a checkpoint: %.200s", p->sf_err);
    else
        ing_seterr(err, "cannot write a checkpoint", p->db);
}

int ing_checkpoint(struct sw_pipeline *p, int rows)
{
    sqlite3_stmt *st = NULL;
    uint64_t nm[SW_NMEA_NREASONS], states = 0;
    unsigned char cb[sizeof p->c + sizeof p->seq];
    struct sw_sf nf = {-1, 0, 0, NULL};
    int64_t gen = 0;
    int rc, index = -1;
    if (p->finished) return SW_OK;
    if ((rc = ing_run_commit_hooks(p)) != SW_OK) return rc;
    p->c[SW_IC_FORCED] = sw_reorder_forced(p->rq);
    if ((rc = write_dirty_vessels(p, rows, 0)) != SW_OK) return rc;
    if (p->cur && p->cur_resumable && (rc = ing_input_record(p, 0)) != SW_OK) return rc;
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
    return ing_checkpoint(p, 1);
}

/* Where a resumable input stands: SW_OK with *done / *lines / *time, or SW_EDB. */
int ing_input_status(struct sw_pipeline *p, const char *input, int *done, uint64_t *lines,
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

static int counters_json(struct sw_pipeline *p, struct sw_buf *b)
{
    int rc = sw_buf_putc(b, '{');
    for (int i = 0; i < SW_IC_COUNT && !rc; i++)
        rc = sw_buf_printf(b, "%s\"%s\":%llu", i ? "," : "", sw_ingest_counter_name(i),
                           (unsigned long long)p->c[i]);
    for (int i = 1; i < SW_NMEA_NREASONS && !rc; i++)
        rc = sw_buf_printf(b, ",\"nmea_%s\":%llu", sw_nmea_reason_name((enum sw_nmea_reason)i),
                           (unsigned long long)p->nmea_run[i]);
    if (!rc) rc = sw_buf_putc(b, '}');
    return rc;
}

int ing_state_open(struct sw_pipeline *p, char *err)
{
    int rc;
    if ((rc = load_state(p, err)) != SW_OK) return rc;
    if (sw_store_prepare(p->db, &p->st_vstate, "INSERT INTO ingest_state_log(state) VALUES(?)") ||
        sw_store_prepare(p->db, &p->st_input,
                         "INSERT OR REPLACE INTO ingest_inputs(input,run_id,lines,last_time,done)"
                         " VALUES(?,?,?,?,?)")) {
        ing_seterr(err, "cannot prepare statements", p->db);
        return SW_EDB;
    }
    return SW_OK;
}

void ing_state_close(struct sw_pipeline *p)
{
    sqlite3_finalize(p->st_vstate);
    sqlite3_finalize(p->st_input);
    sw_sf_close(&p->sf);
}

int ing_run_begin(struct sw_pipeline *p, char *err)
{
    /* A run writes one long transaction per checkpoint: a larger page cache keeps SQLite
     * from spilling dirty pages to the WAL and reading them back (bounded: 24 MB). */
    sw_store_exec(p->db, "PRAGMA cache_size=-24576");
    if (sw_store_exec(p->db, "BEGIN IMMEDIATE")) {
        ing_seterr(err, "cannot begin a transaction", p->db);
        return SW_EDB;
    }
    if (p->run_id == 0) {
        if (sw_store_exec(p->db, "INSERT INTO ingest_runs(started,status) VALUES("
                                 "strftime('%Y-%m-%dT%H:%M:%SZ','now'),'running')")) {
            ing_seterr(err, "cannot record the run", p->db);
            sw_store_exec(p->db, "ROLLBACK");
            return SW_EDB;
        }
        p->run_id = sqlite3_last_insert_rowid(p->db);
    }
    return SW_OK;
}

int ing_run_finish(struct sw_pipeline *p, char *err)
{
    struct sw_buf b;
    sqlite3_stmt *st = NULL;
    int rc;
    sw_buf_init(&b, 1 << 16);
    p->c[SW_IC_FORCED] = sw_reorder_forced(p->rq);
    if ((rc = write_dirty_vessels(p, 1, 1)) != SW_OK || (rc = counters_json(p, &b)) != SW_OK) {
        ing_seterr(err, "cannot store the vessels", p->db);
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
    ing_seterr(err, "cannot finish the run", p->db);
fail:
    sqlite3_finalize(st);
    sw_buf_release(&b);
    return rc;
}
