/*
 * The vessel store (sanctwatch/vstore.h): the SQL of the vessel tables. Statements are
 * prepared once and kept; every one is stepped, reset and its bindings cleared right after
 * binding (sw_store_step), while the strings bound (in a vessel or a record) are unchanged,
 * so strings are bound without a copy.
 */
#include "sanctwatch/vstore.h"

#include "sanctwatch/error.h"
#include "sanctwatch/store.h"

#include <math.h>
#include <stdlib.h>

/* Track points wait in memory until the next flush (before every commit, or when PENDING_MAX
 * are waiting), then go into the track B-tree sorted by key: at 300k vessels a point taken as
 * it comes lands on a random leaf of a table larger than the CPU caches, each insert a seek
 * that misses; sorted, consecutive points share their leaf and the leaves are walked in
 * order. `seq` keeps the order of arrival between points of the same key (INSERT OR REPLACE:
 * the later one stays, as before). */
#define PENDING_MAX ((size_t)1 << 17)

struct pending_point {
    uint32_t mmsi, seq;
    struct sw_fix f;
};

struct sw_vstore {
    sqlite3 *db;
    sqlite3_stmt *st_track, *st_ident, *st_vessel, *st_aid, *st_vessel_upd, *st_ident_upd;
    struct pending_point *pend;
    size_t npend;
};

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
int sw_vstore_identity(struct sw_vstore *s, uint32_t mmsi, uint32_t seq,
                       const struct sw_identity *id, int64_t first, int64_t last, int exists)
{
    int rc;
    if (exists) {
        bind_identity(s->st_ident_upd, mmsi, seq, id, first, last);
        if ((rc = sw_store_step(s->st_ident_upd)) != SW_OK) return rc;
        if (sqlite3_changes(s->db) > 0) return SW_OK;
    }
    bind_identity(s->st_ident, mmsi, seq, id, first, last);
    return sw_store_step(s->st_ident);
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

static int write_vessel(struct sw_vstore *s, struct sw_vessel *v)
{
    const struct sw_identity *id = &v->id;
    int rc;
    int done = 0;
    v->dirty &= (uint8_t)~SW_VESSEL_DIRTY_ROWS;
    /* in place when the row exists with the same IMO (see write_identity) */
    if (v->dirty & SW_VESSEL_ROW_WRITTEN) {
        bind_vessel(s->st_vessel_upd, v);
        if ((rc = sw_store_step(s->st_vessel_upd)) != SW_OK) return rc;
        done = sqlite3_changes(s->db) > 0;
    }
    if (!done) {
        bind_vessel(s->st_vessel, v);
        if ((rc = sw_store_step(s->st_vessel)) != SW_OK) return rc;
    }
    v->dirty |= SW_VESSEL_ROW_WRITTEN;
    if (v->id_seq > 0) {
        rc = sw_vstore_identity(s, v->mmsi, v->id_seq, id, v->id_first_seen, v->id_last_seen,
                                (v->dirty & SW_VESSEL_ID_WRITTEN) != 0);
        if (rc == SW_OK) v->dirty |= SW_VESSEL_ID_WRITTEN;
        return rc;
    }
    return SW_OK;
}

static int write_point(struct sw_vstore *s, uint32_t mmsi, const struct sw_fix *f)
{
    sqlite3_stmt *st = s->st_track;
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

static int by_key(const void *a, const void *b)
{
    const struct pending_point *x = a, *y = b;
    if (x->mmsi != y->mmsi) return x->mmsi < y->mmsi ? -1 : 1;
    if (x->f.t_ms != y->f.t_ms) return x->f.t_ms < y->f.t_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int sw_vstore_flush(struct sw_vstore *s)
{
    int rc = SW_OK;
    if (s->npend > 1) qsort(s->pend, s->npend, sizeof *s->pend, by_key);
    for (size_t i = 0; i < s->npend && rc == SW_OK; i++)
        rc = write_point(s, s->pend[i].mmsi, &s->pend[i].f);
    s->npend = 0;
    return rc;
}

int sw_vstore_point(struct sw_vstore *s, uint32_t mmsi, const struct sw_fix *f)
{
    if (s->npend == PENDING_MAX) {
        int rc = sw_vstore_flush(s);
        if (rc != SW_OK) return rc;
    }
    struct pending_point *q = &s->pend[s->npend];
    q->mmsi = mmsi;
    q->seq = (uint32_t)s->npend++;
    q->f = *f;
    return SW_OK;
}

int sw_vstore_aid(struct sw_vstore *s, const struct sw_record *r)
{
    sqlite3_stmt *st = s->st_aid;
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

static int by_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Vessels whose rows are due are written in MMSI order: the rows then go into the B-trees in
 * key order, each page read and written once, instead of seeking at random over tables larger
 * than the page cache. They are sorted as (MMSI << 32 | slot) keys, so the sort reads no
 * vessel (at 300k vessels a comparison through two vessel pointers is two cache misses). */
int sw_vstore_rows(struct sw_vstore *s, struct sw_vessels *vs)
{
    size_t n = sw_vessels_count(vs), nr = 0;
    uint64_t *r = malloc((n ? n : 1) * sizeof *r);
    int rc = SW_OK;
    if (!r) return SW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct sw_vessel *v = sw_vessels_at(vs, i);
        if (v->dirty & SW_VESSEL_DIRTY_ROWS) r[nr++] = (uint64_t)v->mmsi << 32 | i;
    }
    if (nr) qsort(r, nr, sizeof *r, by_u64);
    for (size_t i = 0; i < nr && rc == SW_OK; i++)
        rc = write_vessel(s, sw_vessels_at(vs, (size_t)(r[i] & 0xffffffffu)));
    free(r);
    return rc;
}

int sw_vstore_open(sqlite3 *db, struct sw_vstore **out)
{
    struct sw_vstore *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) return SW_ENOMEM;
    s->db = db;
    if (!(s->pend = malloc(PENDING_MAX * sizeof *s->pend))) {
        free(s);
        return SW_ENOMEM;
    }
    if (sw_store_prepare(db, &s->st_track,
                         "INSERT OR REPLACE INTO track(mmsi,t,lat,lon,sog,cog,heading,status)"
                         " VALUES(?,?,?,?,?,?,?,?)") ||
        sw_store_prepare(
            db, &s->st_ident,
            "INSERT OR REPLACE INTO identity_history(mmsi,seq,name,callsign,imo,ship_type,"
            "length_m,beam_m,flag,first_seen,last_seen) VALUES(?,?,?,?,?,?,?,?,?,?,?)") ||
        sw_store_prepare(
            db, &s->st_vessel,
            "INSERT OR REPLACE INTO vessels(mmsi,flag,class,name,callsign,imo,ship_type,"
            "length_m,beam_m,draught,destination,first_seen,last_seen,positions,statics,"
            "last_time,last_lat,last_lon,last_sog,last_cog,last_heading,last_status)"
            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)") ||
        sw_store_prepare(
            db, &s->st_vessel_upd,
            "UPDATE vessels SET flag=?2,class=?3,name=?4,callsign=?5,ship_type=?7,length_m=?8,"
            "beam_m=?9,draught=?10,destination=?11,first_seen=?12,last_seen=?13,positions=?14,"
            "statics=?15,last_time=?16,last_lat=?17,last_lon=?18,last_sog=?19,last_cog=?20,"
            "last_heading=?21,last_status=?22 WHERE mmsi=?1 AND imo IS ?6") ||
        sw_store_prepare(db, &s->st_ident_upd,
                         "UPDATE identity_history SET name=?3,callsign=?4,ship_type=?6,length_m=?7,"
                         "beam_m=?8,flag=?9,first_seen=?10,last_seen=?11 WHERE mmsi=?1 AND seq=?2"
                         " AND imo IS ?5") ||
        sw_store_prepare(db, &s->st_aid,
                         "INSERT INTO aids(mmsi,name,aid_type,lat,lon,first_seen,last_seen,reports)"
                         " VALUES(?1,?2,?3,?4,?5,?6,?6,1) ON CONFLICT(mmsi) DO UPDATE SET"
                         " name=COALESCE(excluded.name,name), aid_type=excluded.aid_type,"
                         " lat=COALESCE(excluded.lat,lat), lon=COALESCE(excluded.lon,lon),"
                         " first_seen=MIN(first_seen,excluded.first_seen),"
                         " last_seen=MAX(last_seen,excluded.last_seen), reports=reports+1")) {
        sw_vstore_close(s);
        return SW_EDB;
    }
    *out = s;
    return SW_OK;
}

void sw_vstore_close(struct sw_vstore *s)
{
    if (!s) return;
    sqlite3_finalize(s->st_track);
    sqlite3_finalize(s->st_ident);
    sqlite3_finalize(s->st_vessel);
    sqlite3_finalize(s->st_vessel_upd);
    sqlite3_finalize(s->st_ident_upd);
    sqlite3_finalize(s->st_aid);
    free(s->pend);
    free(s);
}
