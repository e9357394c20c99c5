/*
 * What a run saves and the next one restores (src/ingest/pipeline_int.h), in the state file
 * of an unfinished run (checkpoint.c) and in the database at the end of a run:
 *   vessel records  [u32 length][the vessel's state][for each stage with per-vessel state:
 *                   u32 length, its bytes]; the database keeps them in ingest_state_log,
 *                   a log of rows of packed records, a later record replacing an earlier
 *   stage blobs     the stages' other state: [u16 name length][name][u32 length][bytes] per
 *                   stage, found again by name
 *   the carry       ingest_carry: what a finished run hands the next one beside the vessel
 *                   records: the dedup table, the stages' blobs, the time the run ended at
 * A stage's saved state is applied only when its layout is the one saved (stages_layout).
 */
#include "pipeline_int.h"

#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_ROW_BYTES ((size_t)256 << 10) /* records packed into one log row, about */

/* ---- layouts */

uint64_t ing_stages_layout(const struct sw_pipeline *p)
{
    uint64_t h = 0;
    for (size_t i = 0; i < p->nstages; i++) {
        const struct sw_stage *s = p->stages[i];
        if (!s->layout) continue;
        if (!h) h = SW_HASH_INIT;
        h = sw_hash64(h, s->name, strlen(s->name) + 1);
        h = sw_hash64(h, &s->layout, sizeof s->layout);
    }
    return h;
}

/* ---- vessel records */

static void put_u32(struct sw_buf *b, size_t at, size_t v)
{
    uint32_t x = (uint32_t)v;
    memcpy(b->data + at, &x, 4);
}

int ing_record_put(struct sw_pipeline *p, struct sw_buf *b, const struct sw_vessel *v, size_t slot,
                   uint8_t clear)
{
    static const unsigned char zero[4];
    size_t start = b->len;
    struct sw_vessel c = *v;
    int rc;
    c.dirty &= (uint8_t)~clear;
    if ((rc = sw_buf_append(b, zero, 4)) || (rc = sw_buf_append(b, &c, sizeof c))) return rc;
    for (size_t i = 0; i < p->nstages; i++) {
        const struct sw_stage *s = p->stages[i];
        if (!s->save_vessel) continue;
        size_t at = b->len;
        if ((rc = sw_buf_append(b, zero, 4)) || (rc = s->save_vessel(s->ctx, slot, b))) return rc;
        put_u32(b, at, b->len - at - 4);
    }
    if (b->len - start - 4 > SW_SF_RECORD_MAX) return SW_ETOOBIG;
    put_u32(b, start, b->len - start - 4);
    return SW_OK;
}

/* A vessel state from a record: a later state replaces an earlier one. */
static int restore_vessel(struct sw_pipeline *p, const unsigned char *b, int r8, size_t *slot)
{
    struct sw_vessel v, *cur;
    int rc;
    if (r8) {
        if ((rc = sw_vessel_from_r8(b, &v)) != SW_OK) return rc;
    } else {
        memcpy(&v, b, sizeof v);
    }
    if ((cur = sw_vessels_get(p->vs, v.mmsi)) != NULL) {
        if ((rc = sw_vessel_check(&v)) == SW_OK) *cur = v;
    } else {
        rc = sw_vessels_restore(p->vs, &v);
    }
    if (rc == SW_OK && !sw_vessels_find(p->vs, v.mmsi, slot)) rc = SW_EFORMAT;
    /* --jobs: the stages' table (which their loads read) follows */
    if (rc == SW_OK && p->mvs) rc = ing_mirror_put(p, *slot, sw_vessels_at(p->vs, *slot), NULL);
    return rc;
}

int ing_record_restore(struct sw_pipeline *p, const unsigned char *rec, size_t len, int stages,
                       int r8, char *err)
{
    size_t slot, off = r8 ? SW_VESSEL_R8_SIZE : sizeof(struct sw_vessel);
    uint32_t mmsi = 0;
    int rc = SW_EFORMAT;
    if (len >= off) {
        memcpy(&mmsi, rec + offsetof(struct sw_vessel, mmsi), sizeof mmsi);
        rc = restore_vessel(p, rec, r8, &slot);
    }
    for (size_t i = 0; i < p->nstages && rc == SW_OK && stages; i++) {
        const struct sw_stage *s = p->stages[i];
        uint32_t n;
        if (!s->save_vessel) continue;
        if (len - off < 4 || (memcpy(&n, rec + off, 4), len - off - 4 < n)) {
            rc = SW_EFORMAT;
            break;
        }
        if (s->load_vessel) rc = s->load_vessel(s->ctx, slot, rec + off + 4, n);
        off += 4 + (size_t)n;
    }
    if (rc == SW_OK && stages && off != len) rc = SW_EFORMAT;
    if (rc != SW_OK && err)
        snprintf(err, SW_ERRMAX, "cannot restore vessel %u: %s", mmsi, sw_strerror(rc));
    return rc;
}

/* ---- stage blobs */

int ing_stages_put(struct sw_pipeline *p, struct sw_buf *b, int carry)
{
    static const unsigned char zero[4];
    int rc;
    for (size_t i = 0; i < p->nstages; i++) {
        const struct sw_stage *s = p->stages[i];
        if (!s->save || (carry && !s->layout)) continue;
        uint16_t nl = (uint16_t)strlen(s->name);
        if ((rc = sw_buf_append(b, &nl, 2)) || (rc = sw_buf_append(b, s->name, nl))) return rc;
        size_t at = b->len;
        if ((rc = sw_buf_append(b, zero, 4)) || (rc = s->save(s->ctx, b))) return rc;
        put_u32(b, at, b->len - at - 4);
    }
    return SW_OK;
}

int ing_stages_restore(struct sw_pipeline *p, const void *data, size_t len, int carry, char *err)
{
    const unsigned char *d = data;
    size_t off = 0;
    while (off < len) {
        uint16_t nl;
        uint32_t n;
        if (len - off < 2 || (memcpy(&nl, d + off, 2), len - off - 2 < (size_t)nl + 4)) break;
        memcpy(&n, d + off + 2 + nl, 4);
        if (len - off - 6 - nl < n) break;
        const unsigned char *body = d + off + 6 + nl;
        for (size_t i = 0; i < p->nstages; i++) {
            const struct sw_stage *s = p->stages[i];
            if (!s->load || (carry && !s->layout) || strlen(s->name) != nl ||
                memcmp(s->name, d + off + 2, nl))
                continue;
            int rc = s->load(s->ctx, body, n);
            if (rc != SW_OK) {
                if (err)
                    snprintf(err, SW_ERRMAX, "cannot restore the saved state of '%s': %s", s->name,
                             sw_strerror(rc));
                return rc;
            }
        }
        off += 6 + (size_t)nl + n;
    }
    if (off == len) return SW_OK;
    if (err) snprintf(err, SW_ERRMAX, "the stages' saved state is damaged");
    return SW_EFORMAT;
}

void ing_stages_reset(struct sw_pipeline *p)
{
    for (size_t i = 0; i < p->nstages; i++)
        if (p->stages[i]->reset) p->stages[i]->reset(p->stages[i]->ctx);
    p->stages_reset = 1;
    p->state_snapshot = 1; /* every vessel's record is written again, with fresh stage parts */
}

/* ---- the state log */

/* Rows of packed records in order. A row without a layout holds vessel states of fixed size
 * written by an earlier build (no stage parts). stages_ok: the stage parts of rows with this
 * run's stage layout are applied. */
int ing_log_load(struct sw_pipeline *p, int stages_ok, char *err)
{
    sqlite3_stmt *st = NULL;
    const int64_t stl = (int64_t)ing_stages_layout(p);
    int rc;
    if (sqlite3_prepare_v2(p->db, "SELECT state, layout, stages FROM ingest_state_log ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        ing_seterr(err, "cannot load the saved state", p->db);
        return SW_EDB;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(st, 0), off = 0;
        const unsigned char *b = sqlite3_column_blob(st, 0);
        int legacy = sqlite3_column_type(st, 1) == SQLITE_NULL;
        /* rows of builds whose vessels kept 8 recent fixes (all rows without a layout) */
        int r8 = legacy || sqlite3_column_int64(st, 1) == ING_LAYOUT_R8;
        int stages = stages_ok && !legacy && sqlite3_column_int64(st, 2) == stl;
        if (legacy ? len % SW_VESSEL_R8_SIZE != 0
                   : !r8 && sqlite3_column_int64(st, 1) != ING_LAYOUT) {
            if (err)
                snprintf(err, SW_ERRMAX, "saved vessel state was written by an incompatible build");
            rc = SW_EUNSUPPORTED;
            goto done;
        }
        while (off < len) {
            uint32_t n = SW_VESSEL_R8_SIZE;
            if (!legacy && (len - off < 4 || (memcpy(&n, b + off, 4), len - off - 4 < n))) {
                rc = SW_EFORMAT;
                if (err) snprintf(err, SW_ERRMAX, "the saved vessel state is damaged");
                goto done;
            }
            if (!legacy) off += 4;
            p->state_logged++;
            if ((rc = ing_record_restore(p, b + off, n, stages, r8, err)) != SW_OK) goto done;
            off += n;
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

/* The records of vessels v[0..n-1] as rows of about LOG_ROW_BYTES. */
static int put_rows(struct sw_pipeline *p, struct sw_vessel *const *v, const size_t *slot, size_t n)
{
    const uint8_t saved = SW_VESSEL_DIRTY_STATE | SW_VESSEL_DIRTY_LOG;
    struct sw_buf b;
    int rc = SW_OK;
    sw_buf_init(&b, 0);
    for (size_t i = 0; i < n && rc == SW_OK; i++) {
        rc = ing_record_put(p, &b, v[i], slot[i], saved); /* rows may still be due */
        if (rc == SW_OK && (b.len >= LOG_ROW_BYTES || i + 1 == n)) {
            sqlite3_bind_blob(p->st_vstate, 1, b.data, (int)b.len, SQLITE_STATIC);
            sqlite3_bind_int64(p->st_vstate, 2, ING_LAYOUT);
            sqlite3_bind_int64(p->st_vstate, 3, (int64_t)ing_stages_layout(p));
            rc = sw_store_step(p->st_vstate);
            sw_buf_reset(&b);
        }
    }
    sw_buf_release(&b);
    for (size_t i = 0; i < n && rc == SW_OK; i++)
        v[i]->dirty &= (uint8_t)~saved;
    return rc;
}

/* The end of a run: the records of the vessels that changed during it appended, or, when the
 * log would hold more than twice as many records as there are vessels (or the stages started
 * afresh), the log rewritten as one record of every vessel. In creation order. */
int ing_log_write(struct sw_pipeline *p)
{
    size_t n = sw_vessels_count(p->vs), nd = 0;
    int rc = SW_ENOMEM;
    struct sw_vessel **v = malloc((n ? n : 1) * sizeof *v);
    size_t *slot = malloc((n ? n : 1) * sizeof *slot);
    if (!v || !slot) goto done;
    for (size_t i = 0; i < n; i++)
        nd += (sw_vessels_at(p->vs, i)->dirty & SW_VESSEL_DIRTY_LOG) != 0;
    int snapshot = p->state_snapshot || p->state_logged + nd > 2 * (uint64_t)n + 4096;
    nd = 0;
    for (size_t i = 0; i < n; i++) {
        struct sw_vessel *x = sw_vessels_at(p->vs, i);
        if (snapshot || (x->dirty & SW_VESSEL_DIRTY_LOG)) {
            v[nd] = x;
            slot[nd++] = i;
        }
    }
    rc = SW_OK;
    if (snapshot) {
        rc = sw_store_exec(p->db, "DELETE FROM ingest_state_log");
        if (!rc) rc = sw_store_exec(p->db, "DELETE FROM ingest_vessel_state"); /* schema 1 */
    }
    if (!rc) rc = put_rows(p, v, slot, nd);
    if (!rc) {
        p->state_logged = snapshot ? nd : p->state_logged + nd;
        p->state_snapshot = 0;
    }
done:
    free(v);
    free(slot);
    return rc;
}

/* The per-vessel table of schema version 1: one fixed-size state per row. */
int ing_log_load_v1(struct sw_pipeline *p, char *err)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(p->db, "SELECT state FROM ingest_vessel_state ORDER BY mmsi", -1, &st,
                           NULL) != SQLITE_OK) {
        ing_seterr(err, "cannot load the saved state", p->db);
        return SW_EDB;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((size_t)sqlite3_column_bytes(st, 0) != SW_VESSEL_R8_SIZE) {
            if (err)
                snprintf(err, SW_ERRMAX, "saved vessel state was written by an incompatible build");
            rc = SW_EUNSUPPORTED;
            goto done;
        }
        p->state_snapshot = 1; /* saved by an earlier build: rewritten as a log */
        if ((rc = ing_record_restore(p, sqlite3_column_blob(st, 0), SW_VESSEL_R8_SIZE, 0, 1,
                                     err)) != SW_OK)
            goto done;
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

/* ---- the carry */

/* The carry's layouts and time (without its blobs): SW_OK, *found 0 when there is none. */
int ing_carry_peek(struct sw_pipeline *p, int *found, int64_t *layout, int64_t *stages,
                   int64_t *last_time)
{
    sqlite3_stmt *st = NULL;
    *found = 0;
    if (sqlite3_prepare_v2(p->db, "SELECT layout, stages, last_time FROM ingest_carry WHERE id=1",
                           -1, &st, NULL) != SQLITE_OK)
        return SW_EDB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *found = 1;
        *layout = sqlite3_column_int64(st, 0);
        *stages = sqlite3_column_int64(st, 1);
        *last_time =
            sqlite3_column_type(st, 2) == SQLITE_NULL ? SW_TIME_NONE : sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SW_OK : SW_EDB;
}

/* The carry's dedup table and (stages_ok) the stages' blobs. */
int ing_carry_load(struct sw_pipeline *p, int stages_ok, char *err)
{
    sqlite3_stmt *st = NULL;
    int rc = SW_EDB;
    if (sqlite3_prepare_v2(p->db, "SELECT dedup, state FROM ingest_carry WHERE id=1", -1, &st,
                           NULL) != SQLITE_OK)
        goto dberr;
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        rc = SW_OK;
    } else if (rc != SQLITE_ROW) {
        goto dberr;
    } else if ((rc = sw_dedup_load(p->dd, sqlite3_column_blob(st, 0),
                                   (size_t)sqlite3_column_bytes(st, 0))) != SW_OK) {
        if (err) snprintf(err, SW_ERRMAX, "cannot load the saved dedup table: %s", sw_strerror(rc));
    } else if (stages_ok) {
        rc = ing_stages_restore(p, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                                1, err);
    }
    sqlite3_finalize(st);
    return rc;
dberr:
    ing_seterr(err, "cannot load the saved state", p->db);
    sqlite3_finalize(st);
    return SW_EDB;
}

int ing_carry_write(struct sw_pipeline *p)
{
    sqlite3_stmt *st = NULL;
    struct sw_buf b;
    void *dblob = NULL;
    size_t dl = 0;
    int rc;
    sw_buf_init(&b, 0);
    if ((rc = sw_dedup_save(p->dd, &dblob, &dl)) != SW_OK || (rc = ing_stages_put(p, &b, 1)))
        goto done;
    rc = SW_EDB;
    if (sqlite3_prepare_v2(p->db,
                           "INSERT OR REPLACE INTO ingest_carry(id,layout,stages,last_time,dedup,"
                           "state) VALUES(1,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        goto done;
    sqlite3_bind_int64(st, 1, ING_LAYOUT);
    sqlite3_bind_int64(st, 2, (int64_t)ing_stages_layout(p));
    if (p->last_time != SW_TIME_NONE) sqlite3_bind_int64(st, 3, p->last_time);
    sqlite3_bind_blob(st, 4, dblob, (int)dl, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, b.len ? b.data : "", (int)b.len, SQLITE_STATIC);
    rc = sw_store_step(st);
done:
    sqlite3_finalize(st);
    sw_buf_release(&b);
    free(dblob);
    return rc;
}
