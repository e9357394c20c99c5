/*
 * Checkpoints and the life of a run (src/ingest/pipeline_int.h): what a run loads at start
 * (the vessel records of earlier runs, the carry of the last finished run, and an unfinished
 * run's state file), its checkpoints, and its end. Writes go to SQLite in one long transaction
 * per checkpoint interval; nothing is committed except at a checkpoint, so a run killed at any
 * moment restarts from a consistent state and ends as an uninterrupted run would. The records
 * and blobs themselves are saved.c's. docs/ingest.md describes the files and tables.
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

/* The layout of an unfinished run's state: the vessel records' and the stages'. */
static int64_t run_layout(const struct sw_pipeline *p)
{
    return (int64_t)((uint64_t)ING_LAYOUT ^ (ing_stages_layout(p) * 0x9E3779B97F4A7C15ULL));
}

/* ---- loading */

struct sf_load {
    struct sw_pipeline *p;
    char *err;
};

static int sf_record(void *ctx, const unsigned char *rec, size_t len)
{
    struct sf_load *l = ctx;
    l->p->sf_states++;
    return ing_record_restore(l->p, rec, len, 1, 0, l->err);
}

static int sf_pending(void *ctx, const struct sw_sf_blobs *b)
{
    struct sf_load *l = ctx;
    int rc;
    if ((rc = sw_reorder_load(l->p->rq, b->reorder, b->rlen)) != SW_OK ||
        (rc = sw_dedup_load(l->p->dd, b->dedup, b->dlen)) != SW_OK) {
        if (l->err)
            snprintf(l->err, SW_ERRMAX, "cannot load the pending records: %s", sw_strerror(rc));
        return rc;
    }
    return ing_stages_restore(l->p, b->stages, b->slen, 0, l->err);
}

int ing_sf_restore(struct sw_pipeline *p, const char *path, uint64_t len, int64_t layout,
                   int64_t run_id, int64_t gen, char *err)
{
    struct sf_load l = {p, err};
    if (err) err[0] = 0;
    int rc = sw_sf_load(path, len, layout, run_id, gen, sf_record, sf_pending, &l);
    if (rc != SW_OK && err && !err[0])
        snprintf(err, SW_ERRMAX, "cannot load the unfinished run's state from '%.180s': %s", path,
                 sw_strerror(rc));
    return rc;
}

/* The unfinished run's state file named by its ingest_pending row. */
static int load_state_file(struct sw_pipeline *p, char *err)
{
    char path[4096];
    if (!p->dbfile || (p->sf_index != 0 && p->sf_index != 1) ||
        sw_sf_path(p->dbfile, p->sf_index, path, sizeof path) != SW_OK) {
        if (err) snprintf(err, SW_ERRMAX, "the unfinished run's state file is unknown");
        return SW_EFORMAT;
    }
    return ing_sf_restore(p, path, p->sf_len, run_layout(p), p->run_id, p->sf_gen, err);
}

/* The unfinished run's row: counters, state file, whether its stages started afresh. *found 0
 * when every run finished. */
static int load_pending(struct sw_pipeline *p, int *found, char *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *found = 0;
    if (sqlite3_prepare_v2(p->db,
                           "SELECT run_id, layout, counters, nmea, sf_index, sf_len, sf_gen,"
                           " stages_reset FROM ingest_pending WHERE id = 1",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_finalize(st);
        return SW_OK;
    }
    if (rc != SQLITE_ROW) goto dberr;
    *found = 1;
    rc = SW_EUNSUPPORTED;
    if (sqlite3_column_int64(st, 1) != run_layout(p) ||
        (size_t)sqlite3_column_bytes(st, 2) != sizeof p->c + sizeof p->seq ||
        (size_t)sqlite3_column_bytes(st, 3) != sizeof p->nmea_run ||
        (p->dbfile && sqlite3_column_type(st, 5) == SQLITE_NULL)) {
        if (err)
            snprintf(err, SW_ERRMAX,
                     "the unfinished run was saved by an incompatible build or with other "
                     "options (%s the detectors): resume it the way it was started",
                     p->nstages ? "with" : "without");
        goto fail;
    }
    p->run_id = sqlite3_column_int64(st, 0);
    const unsigned char *cb = sqlite3_column_blob(st, 2);
    memcpy(p->c, cb, sizeof p->c);
    memcpy(&p->seq, cb + sizeof p->c, sizeof p->seq);
    memcpy(p->nmea_run, sqlite3_column_blob(st, 3), sizeof p->nmea_run);
    p->sf_index = sqlite3_column_int(st, 4);
    p->sf_len = (uint64_t)sqlite3_column_int64(st, 5);
    p->sf_gen = sqlite3_column_int64(st, 6);
    p->stages_reset = sqlite3_column_int(st, 7);
    sqlite3_finalize(st);
    return SW_OK;
dberr:
    ing_seterr(err, "cannot load the saved state", p->db);
    rc = SW_EDB;
fail:
    sqlite3_finalize(st);
    return rc;
}

/* Everything saved, in order: the unfinished run's row (it decides whether the stages' saved
 * state applies), the vessel records of the log, then either the unfinished run's state file
 * or the carry of the last finished run. */
static int load_state(struct sw_pipeline *p, char *err)
{
    int rc, pending, carried = 0;
    int64_t layout = 0, stages = 0;
    const int64_t mine = (int64_t)ing_stages_layout(p);
    if ((rc = load_pending(p, &pending, err)) != SW_OK) return rc;
    if ((rc = ing_carry_peek(p, &carried, &layout, &stages, &p->carry_time)) != SW_OK) {
        ing_seterr(err, "cannot load the saved state", p->db);
        return rc;
    }
    /* the stages' saved state fits when the last finished run had the same stages (an
     * unfinished run that started afresh says so in its row) */
    int layout_ok = layout == ING_LAYOUT || layout == ING_LAYOUT_R8; /* the carry holds no vessel */
    int stages_ok = mine && carried && layout_ok && stages == mine && !p->stages_reset;
    if ((rc = ing_log_load_v1(p, err)) != SW_OK || (rc = ing_log_load(p, stages_ok, err)) != SW_OK)
        return rc;
    if (pending) {
        if ((rc = load_state_file(p, err)) != SW_OK) return rc;
    } else if (carried && layout_ok) {
        if ((rc = ing_carry_load(p, stages_ok, err)) != SW_OK) return rc;
    }
    if (mine && !stages_ok && sw_vessels_count(p->vs) > 0) {
        /* saved vessels, but no fitting stage state for them: the stages start afresh (a
         * resumed run that did so already restored what it saved since) */
        if (!pending)
            ing_stages_reset(p);
        else
            p->stages_reset = p->state_snapshot = 1;
    }
    p->first_checked = pending; /* a resumed run goes on where it was */
    p->last_time = p->carry_time;
    return SW_OK;
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

/* Framer counts of the current input not yet in nmea_run. */
static void nmea_current(const struct sw_pipeline *p, uint64_t *out)
{
    const uint64_t *fc = p->fr ? sw_nmea_counts(p->fr) : NULL;
    for (int i = 0; i < SW_NMEA_NREASONS; i++)
        out[i] = p->nmea_run[i] + (fc ? fc[i] - p->nmea_base[i] : 0);
}

/* A checkpoint failed: the state file's own error, or the database's. */
void ing_checkpoint_error(struct sw_pipeline *p, char *err)
{
    if (!err) return;
    if (ing_jobs_message(p))
        snprintf(err, SW_ERRMAX, "%s", ing_jobs_message(p));
    else if (p->sf_err[0])
        snprintf(err, SW_ERRMAX, "cannot write a checkpoint: %.200s", p->sf_err);
    else
        ing_seterr(err, "cannot write a checkpoint", p->db);
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

void ing_state_close(struct sw_pipeline *p)
{
    sqlite3_finalize(p->st_vstate);
    sqlite3_finalize(p->st_input);
    sw_sf_close(&p->sf);
}

int ing_run_begin(struct sw_pipeline *p, char *err)
{
    /* A run writes one long transaction per checkpoint: a larger page cache keeps SQLite
     * from spilling dirty pages to the WAL and reading them back (bounded: 16 MB; 24 MB
     * cost 5 MB of peak RSS and no CPU time, bench/README-analyze.md). Statement
     * journals stay in memory: inside that transaction a statement that may abort halfway
     * (the ledger's index inserts) copies the pages it changes to a statement journal, which
     * SQLite moves to a temporary file past 64 KB, and from then on every page copy was two
     * pwrite calls (detect run, 300k vessels, 5M messages: 8 s of its 25 CPU s in the kernel;
     * a journal holds one statement's pages and is emptied when the statement ends). */
    sw_store_exec(p->db, "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY");
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

/* ---- checkpoints */

/* After a commit: the time and lines of the last commit, and the caller told. */
static void committed(struct sw_pipeline *p)
{
    if (p->cfg.checkpoint_ms > 0) p->ckpt_ms = sw_time_mono_ms();
    p->ckpt_lines = p->c[SW_IC_LINES];
    p->commits++;
    if (p->cfg.committed) p->cfg.committed(p->cfg.hook_ctx);
}

/* A checkpoint's bulk state into the run's state file, made durable before the database row
 * that points at it commits: a segment with the records of the vessels changed since the last
 * checkpoint, the pending records, the dedup table and the stages' blobs, appended to the file
 * in use; or, when that file holds more than twice as many records as there are vessels (or
 * there is none yet), a new file in the other slot with every vessel changed during the run.
 * *nf is the file that now holds the state: p->sf itself, or a new one that replaces it once
 * the row commits. */
struct sf_save {
    struct sw_sf nf;
    int index;
    int64_t gen;
    uint64_t states;
};

static int sf_put(void *ctx, const void *data, size_t len)
{
    return sw_sf_put(ctx, data, len);
}

/* Open the file the checkpoint goes to: a fresh one, or the one in use. */
static int sf_open(struct sw_pipeline *p, struct sf_save *o, int fresh, char *path, size_t size)
{
    int rc;
    o->index = fresh ? (p->sf_index < 0 ? 0 : 1 - p->sf_index) : p->sf_index;
    o->gen = fresh ? p->sf_gen + 1 : p->sf_gen;
    o->nf = p->sf;
    if ((rc = sw_sf_path(p->dbfile, o->index, path, size)) != SW_OK) {
        path[0] = 0;
        return rc;
    }
    if (fresh) return sw_sf_create(&o->nf, path, run_layout(p), p->run_id, o->gen);
    if (o->nf.fd < 0) /* resumed: append after the committed part */
        return sw_sf_reopen(&o->nf, path, p->sf_len, run_layout(p), p->run_id, p->sf_gen);
    return SW_OK;
}

/* The segment: header, records of the vessels marked pick, the three blobs; durable. */
static int sf_segment(struct sw_pipeline *p, struct sw_sf *nf, uint8_t pick, uint64_t *n)
{
    struct sw_buf rec, blobs;
    void *dblob = NULL;
    size_t dl = 0, nv = sw_vessels_count(p->vs);
    uint64_t at = nf->off, recbytes = 0;
    unsigned char h[SW_SF_SEGHDR];
    int rc;
    sw_buf_init(&rec, 0);
    sw_buf_init(&blobs, 0);
    *n = 0;
    memset(h, 0, sizeof h); /* written again at the end, with the counts */
    if ((rc = sw_sf_put(nf, h, sizeof h)) != SW_OK) goto done;
    for (size_t i = 0; i < nv; i++) {
        struct sw_vessel *v = sw_vessels_at(p->vs, i);
        if (!(v->dirty & pick)) continue;
        sw_buf_reset(&rec);
        /* rows and the log may still be due */
        if ((rc = ing_record_put(p, &rec, v, i, SW_VESSEL_DIRTY_STATE)) != SW_OK ||
            (rc = sw_sf_put(nf, rec.data, rec.len)) != SW_OK)
            goto done;
        recbytes += rec.len;
        (*n)++;
    }
    size_t rl = sw_reorder_saved_size(p->rq);
    if ((rc = sw_reorder_save_to(p->rq, sf_put, nf)) != SW_OK ||
        (rc = sw_dedup_save(p->dd, &dblob, &dl)) != SW_OK ||
        (rc = sw_sf_put(nf, dblob, dl)) != SW_OK || (rc = ing_stages_put(p, &blobs, 0)) != SW_OK ||
        (rc = sw_sf_put(nf, blobs.data, blobs.len)) != SW_OK)
        goto done;
    sw_sf_segment_header(h, *n, recbytes, rl, dl, blobs.len);
    if ((rc = sw_sf_patch(nf, at, h, sizeof h)) != SW_OK || (rc = sw_sf_sync(nf)) != SW_OK)
        goto done;
    for (size_t i = 0; i < nv; i++)
        sw_vessels_at(p->vs, i)->dirty &= (uint8_t)~SW_VESSEL_DIRTY_STATE;
done:
    free(dblob);
    sw_buf_release(&rec);
    sw_buf_release(&blobs);
    return rc;
}

static int save_state_file(struct sw_pipeline *p, struct sf_save *o)
{
    size_t n = sw_vessels_count(p->vs), nstate = 0;
    char path[4096] = "";
    uint64_t written = 0;
    for (size_t i = 0; i < n; i++)
        nstate += (sw_vessels_at(p->vs, i)->dirty & SW_VESSEL_DIRTY_STATE) != 0;
    const int fresh = p->sf_index < 0 || p->sf_states + nstate > 2 * (uint64_t)n + 4096;
    int rc = sf_open(p, o, fresh, path, sizeof path);
    if (rc == SW_OK)
        rc = sf_segment(p, &o->nf, fresh ? SW_VESSEL_DIRTY_LOG : SW_VESSEL_DIRTY_STATE, &written);
    o->states = fresh ? written : p->sf_states + written;
    if (rc != SW_OK) {
        int e = errno;
        snprintf(p->sf_err, sizeof p->sf_err, "state file '%.150s': %s", path,
                 rc == SW_EIO && e ? strerror(e) : sw_strerror(rc));
        if (o->nf.fd != p->sf.fd) sw_sf_close(&o->nf); /* opened here, not the file in use */
    }
    return rc;
}

/* The row that commits a checkpoint. */
static int pending_row(struct sw_pipeline *p, const struct sf_save *o)
{
    sqlite3_stmt *st = NULL;
    uint64_t nm[SW_NMEA_NREASONS];
    unsigned char cb[sizeof p->c + sizeof p->seq];
    nmea_current(p, nm);
    memcpy(cb, p->c, sizeof p->c);
    memcpy(cb + sizeof p->c, &p->seq, sizeof p->seq);
    int rc = SW_EDB;
    if (sqlite3_prepare_v2(p->db,
                           "INSERT OR REPLACE INTO ingest_pending(id,run_id,layout,counters,nmea,"
                           "reorder,dedup,sf_index,sf_len,sf_gen,stages_reset)"
                           " VALUES(1,?,?,?,?,x'',x'',?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, p->run_id);
    sqlite3_bind_int64(st, 2, run_layout(p));
    sqlite3_bind_blob(st, 3, cb, sizeof cb, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, nm, sizeof nm, SQLITE_STATIC);
    if (p->dbfile) {
        sqlite3_bind_int(st, 5, o->index);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)o->nf.off);
        sqlite3_bind_int64(st, 7, o->gen);
    }
    sqlite3_bind_int(st, 8, p->stages_reset);
    rc = sqlite3_step(st) == SQLITE_DONE ? SW_OK : SW_EDB;
    sqlite3_finalize(st);
    return rc;
}

static int checkpoint(struct sw_pipeline *p, int rows);

int ing_checkpoint(struct sw_pipeline *p, int rows)
{
    if (!p->mvs) return checkpoint(p, rows);
    double t0 = ing_thread_cpu();
    int rc = checkpoint(p, rows);
    p->js.cpu_a_serial += ing_thread_cpu() - t0; /* from B drained on (ing_sync: a wait) */
    return rc;
}

static int checkpoint(struct sw_pipeline *p, int rows)
{
    struct sf_save o = {{-1, 0, 0, NULL}, -1, 0, 0};
    int rc;
    if (p->finished) return SW_OK;
    /* B idle from here (--jobs): the stages and the database are this thread's */
    if ((rc = ing_sync(p)) != SW_OK || (rc = ing_run_commit_hooks(p)) != SW_OK ||
        (rc = ing_sync(p)) != SW_OK || (rc = sw_vstore_flush(p->vst)) != SW_OK)
        return rc;
    p->c[SW_IC_FORCED] = sw_reorder_forced(p->rq);
    if (rows && (rc = sw_vstore_rows(p->vst, p->vs)) != SW_OK) return rc;
    if (p->cur && p->cur_resumable && (rc = ing_input_record(p, 0)) != SW_OK) return rc;
    /* An in-memory database has no file beside it, and cannot outlive the process to be
     * resumed anyway: its checkpoints commit the tables only. */
    p->sf_err[0] = 0;
    if (p->dbfile && (rc = save_state_file(p, &o)) != SW_OK) return rc;
    rc = SW_EDB;
    if (pending_row(p, &o) != SW_OK || sw_store_exec(p->db, "COMMIT") ||
        sw_store_exec(p->db, "BEGIN IMMEDIATE"))
        goto fail;
    if (p->dbfile) {
        if (o.index != p->sf_index) { /* the new file is committed: the old one goes */
            char path[4096];
            sw_sf_close(&p->sf);
            if (p->sf_index >= 0 && sw_sf_path(p->dbfile, p->sf_index, path, sizeof path) == 0)
                unlink(path);
        }
        p->sf = o.nf;
        o.nf.fd = -1;
        o.nf.buf = NULL;
        p->sf_index = o.index;
        p->sf_gen = o.gen;
        p->sf_len = p->sf.off;
        p->sf_states = o.states;
    }
    committed(p);
    rc = SW_OK;
fail:
    if (o.nf.fd != p->sf.fd) sw_sf_close(&o.nf); /* a file opened for this checkpoint, not kept */
    return rc;
}

int ing_checkpoint_timed(struct sw_pipeline *p)
{
    const struct sw_pipeline_config *c = &p->cfg;
    if (!(c->checkpoint_due && c->checkpoint_due(c->hook_ctx))) {
        if (c->checkpoint_ms <= 0 || p->c[SW_IC_LINES] == p->ckpt_lines ||
            sw_time_mono_ms() - p->ckpt_ms < c->checkpoint_ms)
            return SW_OK;
    }
    return ing_checkpoint(p, !p->cur_resumable);
}

int ing_state_open(struct sw_pipeline *p, char *err)
{
    int rc;
    for (size_t i = 0; i < p->nstages; i++)
        if (p->stages[i]->attach &&
            (rc = p->stages[i]->attach(p->stages[i]->ctx, p->mvs ? p->mvs : p->vs))) {
            if (err)
                snprintf(err, SW_ERRMAX, "cannot set up '%s': %s", p->stages[i]->name,
                         sw_strerror(rc));
            return rc;
        }
    if ((rc = load_state(p, err)) != SW_OK) return rc;
    if (sw_store_prepare(p->db, &p->st_vstate,
                         "INSERT INTO ingest_state_log(state,layout,stages) VALUES(?,?,?)") ||
        sw_store_prepare(p->db, &p->st_input,
                         "INSERT OR REPLACE INTO ingest_inputs(input,run_id,lines,last_time,done)"
                         " VALUES(?,?,?,?,?)")) {
        ing_seterr(err, "cannot prepare statements", p->db);
        return SW_EDB;
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
    if ((rc = ing_sync(p)) != SW_OK || (rc = sw_vstore_flush(p->vst)) != SW_OK ||
        (rc = sw_vstore_rows(p->vst, p->vs)) != SW_OK || (rc = ing_log_write(p)) != SW_OK ||
        (rc = ing_carry_write(p)) != SW_OK || (rc = counters_json(p, &b)) != SW_OK) {
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
    committed(p);
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
