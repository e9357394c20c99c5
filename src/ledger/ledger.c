/*
 * The stored ledger: the RFC 9162 Merkle log kept in the investigation's SQLite database,
 * beside the events it commits to. An append reads the O(log n) frontier from ledger_state,
 * writes the leaf, the complete subtrees it closes at every 4th level, the event and the new
 * frontier, all inside one savepoint of the caller's transaction: the log and the events
 * commit together or not at all. Hashes are stored in tiles of 16 consecutive hashes of one
 * level (levels 0, 4, 8, ...), one row per tile, so an append costs a fraction of a row write
 * and a proof one tile read per level (a level between stored ones is rebuilt from at most 8
 * hashes of one tile below). The audit recomputes the whole tree from the stored events and
 * checks it against every signed head.
 */
#include "sanctwatch/ledger.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"
#include "ledger_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hashes are stored at levels that are multiples of NODE_STRIDE, TILE_W to a row. */
#define NODE_STRIDE 4
#define TILE_W 16
#define TILE_ID(level, tile) ((sqlite3_int64)(((uint64_t)(level) << 48) | (tile)))
#define SLOTS (48 / NODE_STRIDE + 1)

/* The tile being filled at one stored level during a write call. */
struct tilebuf {
    int active, dirty;
    uint64_t tile;
    unsigned count;
    uint8_t h[TILE_W][SW_HASH_LEN];
};

static const char *const migrations[] = {
    /* 1 */
    "CREATE TABLE events("
    " id TEXT PRIMARY KEY,"
    " leaf INTEGER NOT NULL UNIQUE,"
    " type TEXT NOT NULL,"
    " start_ms INTEGER,"
    " end_ms INTEGER,"
    " json TEXT NOT NULL);" /* canonical leaf input: the event without evidence.leaf/sha256 */
    "CREATE INDEX events_type_start ON events(type, start_ms);"
    /* id = level << 48 | tile; hashes = up to 16 hashes (32 bytes each) of that level,
     * indexes tile*16 ... ; level 0 holds the leaf hashes. */
    "CREATE TABLE ledger_tiles(id INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
    "CREATE TABLE ledger_state(one INTEGER PRIMARY KEY CHECK(one = 1),"
    " size INTEGER NOT NULL, frontier BLOB NOT NULL);"
    "INSERT INTO ledger_state VALUES(1, 0, x'');"
    "CREATE TABLE ledger_heads(id INTEGER PRIMARY KEY, size INTEGER NOT NULL,"
    " root BLOB NOT NULL, time_ms INTEGER NOT NULL, origin TEXT NOT NULL, note TEXT NOT NULL);",
    /* 2: witness cosignatures of recorded heads (C2SP tlog-cosignature lines, verified before
     * they are recorded), in the order they were collected */
    "CREATE TABLE ledger_cosignatures(id INTEGER PRIMARY KEY,"
    " head INTEGER NOT NULL REFERENCES ledger_heads(id), witness TEXT NOT NULL,"
    " keyid BLOB NOT NULL, timestamp INTEGER NOT NULL, line TEXT NOT NULL,"
    " UNIQUE(head, witness, keyid));",
    /* 3: what readers filter and order events by (query.h), derived from each event by
     * event_index.c; the events already stored are indexed by the same code through SQL
     * functions (ledger_index_functions). */
    "ALTER TABLE events ADD COLUMN incident TEXT;"
    "ALTER TABLE events ADD COLUMN rank INTEGER;"
    "ALTER TABLE events ADD COLUMN lat REAL;"
    "ALTER TABLE events ADD COLUMN lon REAL;"
    "ALTER TABLE events ADD COLUMN confidence REAL;"
    "ALTER TABLE events ADD COLUMN ongoing INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE events ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0;"
    "UPDATE events SET incident = coalesce(sw_event_incident(json), id),"
    " rank = sw_event_rank(json), ongoing = sw_event_ongoing(json),"
    " withdrawn = sw_event_withdrawn(json),"
    " lat = CASE WHEN json_type(json, '$.lat') IN ('integer', 'real')"
    "  THEN json_extract(json, '$.lat') END,"
    " lon = CASE WHEN json_type(json, '$.lon') IN ('integer', 'real')"
    "  THEN json_extract(json, '$.lon') END,"
    " confidence = CASE WHEN json_type(json, '$.confidence') IN ('integer', 'real')"
    "  THEN json_extract(json, '$.confidence') END;"
    "CREATE TABLE event_vessels(id TEXT NOT NULL, mmsi INTEGER NOT NULL,"
    " PRIMARY KEY(mmsi, id)) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO event_vessels(id, mmsi)"
    " SELECT e.id, json_extract(v.value, '$.mmsi') FROM events e, json_each(e.json, '$.vessels') v"
    " WHERE json_type(e.json, '$.vessels') = 'array'"
    " AND json_type(v.value, '$.mmsi') = 'integer' AND json_extract(v.value, '$.mmsi') > 0;"
    "CREATE INDEX events_incident ON events(incident, leaf);"
    "CREATE INDEX events_start ON events(start_ms);",
    /* 4: analyst reviews (review.c): each review record's target, incident and decision, so
     * that an incident's review state is read without parsing records */
    "CREATE TABLE ledger_reviews(leaf INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " event TEXT NOT NULL, incident TEXT NOT NULL, decision TEXT NOT NULL,"
    " analyst TEXT NOT NULL, time_ms INTEGER);"
    "CREATE INDEX ledger_reviews_incident ON ledger_reviews(incident, leaf);"
    "INSERT INTO ledger_reviews(leaf, id, event, incident, decision, analyst, time_ms)"
    " SELECT e.leaf, e.id, json_extract(e.json, '$.event'),"
    " coalesce((SELECT x.incident FROM events x WHERE x.id = json_extract(e.json, '$.event')),"
    "  json_extract(e.json, '$.event')), json_extract(e.json, '$.decision'),"
    " json_extract(e.json, '$.analyst'),"
    " CAST((julianday(json_extract(e.json, '$.time')) - 2440587.5) * 86400000 AS INTEGER)"
    " FROM events e WHERE e.type = 'review';",
    /* 5: each incident's latest record (event.h) with the keys query.c filters and orders the
     * incidents view by, kept by every append (Q_UPSERT_INCIDENT), so that a page of the
     * current ledger reads its rows in index order instead of every record; the leaf is the
     * rowid, so that ledger order needs no index of its own */
    "CREATE TABLE ledger_incidents(leaf INTEGER PRIMARY KEY, incident TEXT NOT NULL UNIQUE,"
    " id TEXT NOT NULL, type TEXT NOT NULL, rank INTEGER, confidence REAL, start_ms INTEGER,"
    " end_ms INTEGER, ongoing INTEGER NOT NULL, withdrawn INTEGER NOT NULL, lat REAL, lon REAL);"
    "INSERT INTO ledger_incidents(incident, leaf, id, type, rank, confidence, start_ms, end_ms,"
    " ongoing, withdrawn, lat, lon)"
    " SELECT e.incident, e.leaf, e.id, e.type, e.rank, e.confidence, e.start_ms, e.end_ms,"
    " e.ongoing, e.withdrawn, e.lat, e.lon"
    " FROM (SELECT incident, max(leaf) AS leaf FROM events GROUP BY incident) m"
    " JOIN events e ON e.leaf = m.leaf;"
    "CREATE INDEX ledger_incidents_significance ON ledger_incidents(withdrawn, rank,"
    " coalesce(confidence, -1) DESC, coalesce(start_ms, -9223372036854775807), id);"
    "CREATE INDEX ledger_incidents_time ON ledger_incidents(withdrawn,"
    " coalesce(start_ms, -9223372036854775807), id);"
    "CREATE INDEX ledger_incidents_type ON ledger_incidents(withdrawn, type);",
    /* 6: the two indexes of events no reader uses (every query of query.c and review.c: their
     * filters are "?n IS NULL OR ..." terms and their orders expressions, which no index on
     * (type, start_ms) or (start_ms) serves), so that an append writes two b-trees fewer */
    "DROP INDEX IF EXISTS events_type_start;"
    "DROP INDEX IF EXISTS events_start;",
};

enum {
    Q_GET_STATE,
    Q_PUT_STATE,
    Q_PUT_TILE,
    Q_GET_TILE,
    Q_GET_EVENT,
    Q_INS_EVENT,
    Q_INS_EVENT_VESSEL,
    Q_UPSERT_INCIDENT,
    Q_INS_HEAD,
    Q_MAX
};
static const char *const queries[Q_MAX] = {
    "SELECT size, frontier FROM ledger_state WHERE one = 1",
    "UPDATE ledger_state SET size = ?1, frontier = ?2 WHERE one = 1",
    "INSERT OR REPLACE INTO ledger_tiles(id, hashes) VALUES(?1, ?2)",
    "SELECT hashes FROM ledger_tiles WHERE id = ?1",
    "SELECT leaf, json FROM events WHERE id = ?1",
    "INSERT INTO events(id, leaf, type, start_ms, end_ms, json, incident, rank, lat, lon,"
    " confidence, ongoing, withdrawn) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
    " ?13)",
    "INSERT OR IGNORE INTO event_vessels(id, mmsi) VALUES(?1, ?2)",
    /* the record of leaf ?2 becomes its incident's latest (migration 5): the values bound to
     * Q_INS_EVENT, in the same places */
    "INSERT INTO ledger_incidents(id, leaf, type, start_ms, end_ms, incident, rank, lat, lon,"
    " confidence, ongoing, withdrawn) VALUES(?1, ?2, ?3, ?4, ?5, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    " ON CONFLICT(incident) DO UPDATE SET leaf = excluded.leaf, id = excluded.id,"
    " type = excluded.type, rank = excluded.rank, confidence = excluded.confidence,"
    " start_ms = excluded.start_ms, end_ms = excluded.end_ms, ongoing = excluded.ongoing,"
    " withdrawn = excluded.withdrawn, lat = excluded.lat, lon = excluded.lon"
    " WHERE excluded.leaf > ledger_incidents.leaf",
    "INSERT INTO ledger_heads(size, root, time_ms, origin, note) VALUES(?1, ?2, ?3, ?4, ?5)",
};

struct sw_ledger {
    sqlite3 *db;
    sqlite3_stmt *q[Q_MAX];
    struct tilebuf wb[SLOTS]; /* write buffers, flushed before a write call returns */
    int rc_valid;             /* read cache: one tile */
    sqlite3_int64 rc_id;
    unsigned rc_count;
    uint8_t rc_h[TILE_W][SW_HASH_LEN];
};

int sw_ledger_migrate(sqlite3 *db)
{
    if (ledger_index_functions(db)) return SW_EDB;
    return sw_store_migrate(db, "ledger", migrations,
                            (int)(sizeof migrations / sizeof migrations[0]));
}

int sw_ledger_open(sqlite3 *db, struct sw_ledger **out)
{
    *out = NULL;
    if (sodium_init() < 0) return SW_ECRYPTO;
    int rc = sw_ledger_migrate(db);
    if (rc) return rc;
    struct sw_ledger *lg = calloc(1, sizeof *lg);
    if (!lg) return SW_ENOMEM;
    lg->db = db;
    for (int i = 0; i < Q_MAX; i++)
        if (sqlite3_prepare_v3(db, queries[i], -1, SQLITE_PREPARE_PERSISTENT, &lg->q[i], NULL) !=
            SQLITE_OK) {
            rc = SW_EDB;
            goto fail;
        }
    *out = lg;
    return SW_OK;
fail:
    sw_ledger_close(lg);
    return rc;
}

void sw_ledger_close(struct sw_ledger *lg)
{
    if (!lg) return;
    for (int i = 0; i < Q_MAX; i++)
        sqlite3_finalize(lg->q[i]);
    free(lg);
}

static sqlite3_stmt *Q(struct sw_ledger *lg, int i)
{
    sqlite3_reset(lg->q[i]);
    sqlite3_clear_bindings(lg->q[i]);
    return lg->q[i];
}

static int savepoint(struct sw_ledger *lg)
{
    return sw_store_exec(lg->db, "SAVEPOINT sw_ledger");
}

static int release(struct sw_ledger *lg, int rc)
{
    if (rc == SW_OK) {
        if (sw_store_exec(lg->db, "RELEASE sw_ledger") == SW_OK) return SW_OK;
        rc = SW_EDB;
    }
    sw_store_rollback(lg->db, "ROLLBACK TO sw_ledger; RELEASE sw_ledger"); /* keeps the error */
    return rc;
}

/* ------------------------------------------------------------------- frontier state */

static int popcount64(uint64_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static int state_load(struct sw_ledger *lg, struct sw_merkle_frontier *f)
{
    sqlite3_stmt *s = Q(lg, Q_GET_STATE);
    int rc = SW_EDB;
    if (sqlite3_step(s) != SQLITE_ROW) goto fail;
    sqlite3_int64 size = sqlite3_column_int64(s, 0);
    const uint8_t *blob = sqlite3_column_blob(s, 1);
    int len = sqlite3_column_bytes(s, 1);
    rc = SW_EFORMAT;
    if (size < 0 || (uint64_t)size > SW_MERKLE_MAX_SIZE ||
        len != popcount64((uint64_t)size) * SW_HASH_LEN)
        goto fail;
    f->size = (uint64_t)size;
    for (unsigned l = 0, k = 0; l < 64; l++)
        if (f->size & ((uint64_t)1 << l)) memcpy(f->hash[l], blob + SW_HASH_LEN * k++, SW_HASH_LEN);
    rc = SW_OK;
fail:
    sqlite3_reset(s);
    return rc;
}

static int state_save(struct sw_ledger *lg, const struct sw_merkle_frontier *f)
{
    uint8_t blob[64 * SW_HASH_LEN];
    size_t k = 0;
    for (unsigned l = 0; l < 64; l++)
        if (f->size & ((uint64_t)1 << l)) memcpy(blob + SW_HASH_LEN * k++, f->hash[l], SW_HASH_LEN);
    sqlite3_stmt *s = Q(lg, Q_PUT_STATE);
    sqlite3_bind_int64(s, 1, (sqlite3_int64)f->size);
    sqlite3_bind_blob(s, 2, blob, (int)(k * SW_HASH_LEN), SQLITE_TRANSIENT);
    return sw_store_step(s);
}

static void bufs_reset(struct sw_ledger *lg)
{
    for (int i = 0; i < SLOTS; i++)
        lg->wb[i].active = lg->wb[i].dirty = 0;
    lg->rc_valid = 0;
}

/* Read a stored tile into h; *count gets its number of hashes (0 when absent). */
static int tile_read(struct sw_ledger *lg, sqlite3_int64 id, uint8_t h[TILE_W][SW_HASH_LEN],
                     unsigned *count)
{
    sqlite3_stmt *s = Q(lg, Q_GET_TILE);
    sqlite3_bind_int64(s, 1, id);
    int rc = SW_OK;
    *count = 0;
    int st = sqlite3_step(s);
    if (st == SQLITE_ROW) {
        int len = sqlite3_column_bytes(s, 0);
        if (len <= 0 || len > TILE_W * SW_HASH_LEN || len % SW_HASH_LEN)
            rc = SW_EFORMAT;
        else {
            memcpy(h, sqlite3_column_blob(s, 0), (size_t)len);
            *count = (unsigned)len / SW_HASH_LEN;
        }
    } else if (st != SQLITE_DONE) {
        rc = SW_EDB;
    }
    sqlite3_reset(s);
    return rc;
}

static int tile_flush(struct sw_ledger *lg, unsigned slot)
{
    struct tilebuf *t = &lg->wb[slot];
    if (!t->dirty) return SW_OK;
    sqlite3_stmt *s = Q(lg, Q_PUT_TILE);
    sqlite3_bind_int64(s, 1, TILE_ID(slot * NODE_STRIDE, t->tile));
    sqlite3_bind_blob(s, 2, t->h, (int)(t->count * SW_HASH_LEN), SQLITE_STATIC);
    t->dirty = 0;
    lg->rc_valid = 0;
    return sw_store_step(s);
}

static int tiles_flush(struct sw_ledger *lg)
{
    for (unsigned i = 0; i < SLOTS; i++) {
        int rc = tile_flush(lg, i);
        if (rc) return rc;
    }
    return SW_OK;
}

/* Store the hash at (level, index); indexes of a level arrive in order. */
static int put_hash(struct sw_ledger *lg, unsigned level, uint64_t index,
                    const uint8_t hash[SW_HASH_LEN])
{
    unsigned slot = level / NODE_STRIDE;
    if (slot >= SLOTS) return SW_ERANGE;
    struct tilebuf *t = &lg->wb[slot];
    uint64_t tile = index / TILE_W;
    unsigned off = (unsigned)(index % TILE_W);
    int rc;
    if (!t->active || t->tile != tile) {
        if ((rc = tile_flush(lg, slot))) return rc;
        t->active = 1;
        t->tile = tile;
        t->count = 0;
        if (off && (rc = tile_read(lg, TILE_ID(level, tile), t->h, &t->count))) return rc;
    }
    if (t->count != off) return SW_EFORMAT; /* the stored tile does not end where the tree does */
    memcpy(t->h[off], hash, SW_HASH_LEN);
    t->count++;
    t->dirty = 1;
    if (t->count == TILE_W) {
        rc = tile_flush(lg, slot);
        t->active = 0;
        return rc;
    }
    return SW_OK;
}

/* The stored hash at (level, index), level a multiple of NODE_STRIDE. */
static int get_hash(struct sw_ledger *lg, unsigned level, uint64_t index, uint8_t out[SW_HASH_LEN])
{
    unsigned slot = level / NODE_STRIDE;
    uint64_t tile = index / TILE_W;
    unsigned off = (unsigned)(index % TILE_W);
    if (slot >= SLOTS) return SW_ERANGE;
    const struct tilebuf *t = &lg->wb[slot];
    if (t->active && t->tile == tile && off < t->count) {
        memcpy(out, t->h[off], SW_HASH_LEN);
        return SW_OK;
    }
    sqlite3_int64 id = TILE_ID(level, tile);
    if (!lg->rc_valid || lg->rc_id != id) {
        int rc = tile_read(lg, id, lg->rc_h, &lg->rc_count);
        if (rc) return rc;
        lg->rc_valid = 1;
        lg->rc_id = id;
    }
    if (off >= lg->rc_count) return SW_ENOTFOUND;
    memcpy(out, lg->rc_h[off], SW_HASH_LEN);
    return SW_OK;
}

static int store_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[SW_HASH_LEN])
{
    if (level % NODE_STRIDE) return SW_OK;
    return put_hash(ctx, level, index, hash);
}

static int append_one(struct sw_ledger *lg, struct sw_merkle_frontier *f,
                      const uint8_t hash[SW_HASH_LEN])
{
    if (f->size >= SW_MERKLE_MAX_SIZE) return SW_ERANGE;
    int rc = put_hash(lg, 0, f->size, hash);
    if (rc) return rc;
    return sw_merkle_frontier_append(f, hash, store_node, lg);
}

int sw_ledger_append_leaves(struct sw_ledger *lg, const uint8_t *hashes, size_t n,
                            uint64_t *first_index)
{
    struct sw_merkle_frontier f;
    bufs_reset(lg);
    int rc = savepoint(lg);
    if (rc) return rc;
    if ((rc = state_load(lg, &f))) goto fail;
    if (first_index) *first_index = f.size;
    for (size_t i = 0; i < n; i++)
        if ((rc = append_one(lg, &f, hashes + i * SW_HASH_LEN))) goto fail;
    if ((rc = tiles_flush(lg)) == SW_OK) rc = state_save(lg, &f);
fail:
    bufs_reset(lg);
    return release(lg, rc);
}

int sw_ledger_tree(struct sw_ledger *lg, uint64_t *size, uint8_t root[SW_HASH_LEN])
{
    struct sw_merkle_frontier f;
    bufs_reset(lg); /* every public entry starts from what the database holds */
    int rc = state_load(lg, &f);
    if (rc) return rc;
    *size = f.size;
    sw_merkle_frontier_root(&f, root);
    return SW_OK;
}

/* --------------------------------------------------------------------------- events */

static int get_leaf_hash(struct sw_ledger *lg, uint64_t idx, uint8_t out[SW_HASH_LEN])
{
    return get_hash(lg, 0, idx, out);
}

/* Parse an optional time member: absent or null -> NULL column. */
static int time_member(const json_t *ev, const char *key, int64_t *ms, int *present)
{
    const json_t *v = json_object_get(ev, key);
    *present = 0;
    if (!v || json_is_null(v)) return SW_OK;
    if (!json_is_string(v) ||
        sw_time_parse(json_string_value(v), json_string_length(v), ms) != SW_OK)
        return SW_EFORMAT;
    *present = 1;
    return SW_OK;
}

/* Write evidence.leaf and evidence.sha256 into the caller's event. */
static int set_evidence(json_t *event, uint64_t leaf, const uint8_t hash[SW_HASH_LEN])
{
    char hex[2 * SW_HASH_LEN + 1];
    json_t *ev = json_object_get(event, "evidence");
    if (!json_is_object(ev)) {
        ev = json_object();
        if (!ev || json_object_set_new(event, "evidence", ev)) return SW_ENOMEM;
    }
    sodium_bin2hex(hex, sizeof hex, hash, SW_HASH_LEN);
    if (json_object_set_new(ev, "leaf", json_integer((json_int_t)leaf)) ||
        json_object_set_new(ev, "sha256", json_string(hex)))
        return SW_ENOMEM;
    return SW_OK;
}

/* A record's columns: the events row (Q_INS_EVENT) and its incident's (Q_UPSERT_INCIDENT)
 * take the same parameters. */
struct row {
    const char *id, *type;
    uint64_t leaf;
    int has_start, has_end;
    int64_t start, end;
    struct ledger_event_index x; /* what query.h reads */
};

static void bind_row(sqlite3_stmt *s, const struct row *r)
{
    sqlite3_bind_text(s, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)r->leaf);
    sqlite3_bind_text(s, 3, r->type, -1, SQLITE_STATIC);
    if (r->has_start) sqlite3_bind_int64(s, 4, r->start);
    if (r->has_end) sqlite3_bind_int64(s, 5, r->end);
    sqlite3_bind_text(s, 7, r->x.incident ? r->x.incident : r->id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 8, r->x.rank);
    if (r->x.has_lat) sqlite3_bind_double(s, 9, r->x.lat);
    if (r->x.has_lon) sqlite3_bind_double(s, 10, r->x.lon);
    if (r->x.has_conf) sqlite3_bind_double(s, 11, r->x.conf);
    sqlite3_bind_int(s, 12, r->x.ongoing);
    sqlite3_bind_int(s, 13, r->x.withdrawn);
}

/* Insert the record's events row (canonical text canon), make it its incident's latest in
 * ledger_incidents, and record the event's vessels. */
static int insert_row(struct sw_ledger *lg, struct row *r, const json_t *event, const char *canon,
                      size_t len)
{
    ledger_event_index(event, &r->x);
    sqlite3_stmt *s = Q(lg, Q_INS_EVENT);
    bind_row(s, r);
    sqlite3_bind_text(s, 6, canon, (int)len, SQLITE_STATIC);
    int rc = sw_store_step(s);
    if (rc == SW_OK) {
        s = Q(lg, Q_UPSERT_INCIDENT);
        bind_row(s, r);
        rc = sw_store_step(s);
    }
    for (size_t i = 0; i < r->x.nvessels && rc == SW_OK; i++) {
        s = Q(lg, Q_INS_EVENT_VESSEL);
        sqlite3_bind_text(s, 1, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, r->x.mmsi[i]);
        rc = sw_store_step(s);
    }
    return rc;
}

/* One event inside the open savepoint. Returns a store error (abort) or SW_OK with the
 * event's own outcome in r->err. */
static int record_one(struct sw_ledger *lg, struct sw_merkle_frontier *f, json_t *event,
                      struct sw_ledger_rec *r)
{
    char *canon = NULL, *incident = NULL;
    size_t len = 0;
    int rc = SW_OK;
    memset(r, 0, sizeof *r);
    r->err = sw_canon_event(event, &canon, &len);
    if (r->err) return r->err == SW_ENOMEM ? SW_ENOMEM : SW_OK;
    struct row w = {0};
    if (time_member(event, "start", &w.start, &w.has_start) ||
        time_member(event, "end", &w.end, &w.has_end)) {
        r->err = SW_EFORMAT;
        goto done;
    }
    const char *id = json_string_value(json_object_get(event, "id"));
    sqlite3_stmt *s = Q(lg, Q_GET_EVENT);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int st = sqlite3_step(s);
    if (st == SQLITE_ROW) {
        uint64_t leaf = (uint64_t)sqlite3_column_int64(s, 0);
        int same = (size_t)sqlite3_column_bytes(s, 1) == len &&
                   memcmp(sqlite3_column_text(s, 1), canon, len) == 0;
        sqlite3_reset(s);
        if (!same) {
            r->err = SW_EEXISTS;
            goto done;
        }
        r->existed = 1;
        r->leaf = leaf;
        if ((rc = get_leaf_hash(lg, leaf, r->hash))) goto done;
        rc = set_evidence(event, r->leaf, r->hash);
        goto done;
    }
    sqlite3_reset(s);
    if (st != SQLITE_DONE) {
        rc = SW_EDB;
        goto done;
    }
    w.id = id;
    w.type = json_string_value(json_object_get(event, "type"));
    if (!strcmp(w.type, "review")) { /* a review names a recorded event */
        rc = ledger_review_target(lg->db, event, &incident);
        if (rc == SW_EFORMAT || rc == SW_ENOTFOUND) {
            r->err = rc;
            rc = SW_OK;
        }
        if (rc || r->err) goto done;
    }
    r->leaf = f->size;
    sw_merkle_leaf_hash(canon, len, r->hash);
    if ((rc = append_one(lg, f, r->hash))) goto done;
    w.leaf = r->leaf;
    if ((rc = insert_row(lg, &w, event, canon, len))) goto done;
    if (incident && (rc = ledger_review_insert(lg->db, event, id, r->leaf, incident))) goto done;
    rc = set_evidence(event, r->leaf, r->hash);
done:
    free(canon);
    free(incident);
    return rc;
}

/* Events in order within one savepoint, one state read and write, each touched tile written
 * once; with stop_at_exists, the call ends after the first event whose id holds different
 * content (*done counts the events processed). */
static int record_events(struct sw_ledger *lg, json_t *const *events, size_t n,
                         struct sw_ledger_rec *out, int stop_at_exists, size_t *done)
{
    struct sw_merkle_frontier f;
    size_t i = 0;
    bufs_reset(lg);
    int rc = savepoint(lg);
    if (rc) return rc;
    if ((rc = state_load(lg, &f))) goto fail;
    uint64_t before = f.size;
    while (i < n) {
        if ((rc = record_one(lg, &f, events[i], &out[i]))) goto fail;
        if (out[i++].err == SW_EEXISTS && stop_at_exists) break;
    }
    if (f.size != before && (rc = tiles_flush(lg)) == SW_OK) rc = state_save(lg, &f);
fail:
    bufs_reset(lg);
    rc = release(lg, rc);
    if (done) *done = rc == SW_OK ? i : 0;
    return rc;
}

int sw_ledger_record_events(struct sw_ledger *lg, json_t *const *events, size_t n,
                            struct sw_ledger_rec *out)
{
    return record_events(lg, events, n, out, 0, NULL);
}

int sw_ledger_record_until_exists(struct sw_ledger *lg, json_t *const *events, size_t n,
                                  struct sw_ledger_rec *out, size_t *done)
{
    return record_events(lg, events, n, out, 1, done);
}

int sw_ledger_record_event(sqlite3 *db, json_t *event, uint64_t *leaf_out,
                           uint8_t hash_out[SW_HASH_LEN])
{
    struct sw_ledger *lg = NULL;
    struct sw_ledger_rec r;
    int rc = sw_ledger_open(db, &lg);
    if (rc) return rc;
    rc = sw_ledger_record_events(lg, &event, 1, &r);
    sw_ledger_close(lg);
    if (rc) return rc;
    if (r.err) return r.err;
    if (leaf_out) *leaf_out = r.leaf;
    if (hash_out) memcpy(hash_out, r.hash, SW_HASH_LEN);
    return SW_OK;
}

/* ----------------------------------------------------------------------------- proofs */

/* Hash of the complete subtree at (level, index). */
static int node_hash(struct sw_ledger *lg, unsigned level, uint64_t index, uint8_t out[SW_HASH_LEN])
{
    if (level % NODE_STRIDE == 0) return get_hash(lg, level, index, out);
    uint8_t l[SW_HASH_LEN], r[SW_HASH_LEN];
    int rc = node_hash(lg, level - 1, 2 * index, l);
    if (!rc) rc = node_hash(lg, level - 1, 2 * index + 1, r);
    if (!rc) sw_merkle_node_hash(l, r, out);
    return rc;
}

static int range_cb(void *ctx, uint64_t start, uint64_t end, uint8_t out[SW_HASH_LEN])
{
    struct sw_ledger *lg = ctx;
    uint64_t n = end - start;
    if ((n & (n - 1)) == 0) {
        unsigned level = 0;
        while (((uint64_t)1 << level) < n)
            level++;
        if (start % n == 0) return node_hash(lg, level, start >> level, out);
    }
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    uint8_t l[SW_HASH_LEN], r[SW_HASH_LEN];
    int rc = range_cb(ctx, start, start + k, l);
    if (!rc) rc = range_cb(ctx, start + k, end, r);
    if (!rc) sw_merkle_node_hash(l, r, out);
    return rc;
}

int sw_ledger_range_hash(struct sw_ledger *lg, uint64_t start, uint64_t end,
                         uint8_t out[SW_HASH_LEN])
{
    uint64_t size;
    uint8_t root[SW_HASH_LEN];
    int rc = sw_ledger_tree(lg, &size, root);
    if (rc) return rc;
    if (start >= end || end > size) return SW_ERANGE;
    return range_cb(lg, start, end, out);
}

int sw_ledger_prove_index(struct sw_ledger *lg, uint64_t index, uint64_t size, struct sw_proof *out)
{
    uint64_t cur;
    uint8_t root[SW_HASH_LEN];
    memset(out, 0, sizeof *out);
    int rc = sw_ledger_tree(lg, &cur, root);
    if (rc) return rc;
    if (size == 0) size = cur;
    if (size > cur || index >= size) return SW_ERANGE;
    out->kind = SW_PROOF_INCLUSION;
    out->index = index;
    out->size = size;
    if ((rc = get_leaf_hash(lg, index, out->leaf)) ||
        (rc = sw_merkle_inclusion_proof(index, size, range_cb, lg, out->path, &out->n)))
        memset(out, 0, sizeof *out);
    return rc;
}

int sw_ledger_prove_event(struct sw_ledger *lg, const char *id, uint64_t size, struct sw_proof *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = Q(lg, Q_GET_EVENT);
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    int st = sqlite3_step(s);
    if (st != SQLITE_ROW) {
        sqlite3_reset(s);
        return st == SQLITE_DONE ? SW_ENOTFOUND : SW_EDB; /* an error is not "no such event" */
    }
    uint64_t leaf = (uint64_t)sqlite3_column_int64(s, 0);
    json_t *ev = NULL;
    int rc = sw_canon_parse((const char *)sqlite3_column_text(s, 1),
                            (size_t)sqlite3_column_bytes(s, 1), &ev, NULL);
    sqlite3_reset(s);
    if (rc) return rc;
    /* The proof of its leaf (size checks included), then the event with its evidence. */
    if ((rc = sw_ledger_prove_index(lg, leaf, size, out)) ||
        (rc = set_evidence(ev, leaf, out->leaf))) {
        json_decref(ev);
        memset(out, 0, sizeof *out);
        return rc;
    }
    out->event = ev;
    return SW_OK;
}

int sw_ledger_consistency_path(void *ctx, uint64_t old_size, uint64_t new_size,
                               uint8_t path[][SW_HASH_LEN], size_t *n)
{
    struct sw_ledger *lg = ctx;
    uint64_t cur;
    uint8_t root[SW_HASH_LEN];
    int rc = sw_ledger_tree(lg, &cur, root);
    if (rc) return rc;
    if (old_size == 0 || old_size > new_size || new_size > cur) return SW_ERANGE;
    return sw_merkle_consistency_proof(old_size, new_size, range_cb, lg, path, n);
}

int sw_ledger_prove_consistency(struct sw_ledger *lg, uint64_t old_size, uint64_t new_size,
                                struct sw_proof *out)
{
    memset(out, 0, sizeof *out);
    int rc = sw_ledger_consistency_path(lg, old_size, new_size, out->path, &out->n);
    if (rc) return rc;
    out->kind = SW_PROOF_CONSISTENCY;
    out->old_size = old_size;
    out->size = new_size;
    return SW_OK;
}

/* ------------------------------------------------------------------------------ heads */

int sw_ledger_sign_head(struct sw_ledger *lg, const struct sw_ledger_key *k, int64_t time_ms,
                        char **note_out)
{
    struct sw_checkpoint c;
    char *note = NULL;
    if (note_out) *note_out = NULL;
    memset(&c, 0, sizeof c);
    int rc = savepoint(lg);
    if (rc) return rc;
    if ((rc = sw_ledger_tree(lg, &c.size, c.root))) goto fail;
    memcpy(c.origin, k->pub.name, sizeof c.origin);
    c.time_ms = time_ms;
    if ((rc = sw_checkpoint_sign(&c, k, &note))) goto fail;
    sqlite3_stmt *s = Q(lg, Q_INS_HEAD);
    sqlite3_bind_int64(s, 1, (sqlite3_int64)c.size);
    sqlite3_bind_blob(s, 2, c.root, SW_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, time_ms);
    sqlite3_bind_text(s, 4, c.origin, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, note, -1, SQLITE_STATIC);
    rc = sw_store_step(s);
fail:
    rc = release(lg, rc);
    if (rc == SW_OK && note_out)
        *note_out = note;
    else
        free(note);
    return rc;
}

/* The note of head row id with its recorded cosignature lines appended. */
static int with_cosignatures(struct sw_ledger *lg, sqlite3_int64 id, const char *note,
                             char **note_out)
{
    struct sw_buf b;
    sqlite3_stmt *s = NULL;
    sw_buf_init(&b, SW_CHECKPOINT_MAX);
    int rc = sw_buf_puts(&b, note);
    if (rc == SW_OK &&
        sqlite3_prepare_v2(lg->db,
                           "SELECT line FROM ledger_cosignatures WHERE head = ?1 ORDER BY id", -1,
                           &s, NULL) != SQLITE_OK)
        rc = SW_EDB;
    if (rc == SW_OK) {
        sqlite3_bind_int64(s, 1, id);
        int st;
        while (rc == SW_OK && (st = sqlite3_step(s)) == SQLITE_ROW) {
            const char *line = (const char *)sqlite3_column_text(s, 0);
            if (line) rc = sw_buf_puts(&b, line);
        }
        if (rc == SW_OK && st != SQLITE_DONE) rc = SW_EDB;
    }
    sqlite3_finalize(s);
    if (rc == SW_OK) *note_out = sw_buf_detach(&b, NULL);
    sw_buf_release(&b);
    return rc;
}

static int head_query(struct sw_ledger *lg, const char *sql, uint64_t size, char **note_out)
{
    sqlite3_stmt *s = NULL;
    *note_out = NULL;
    if (sqlite3_prepare_v2(lg->db, sql, -1, &s, NULL) != SQLITE_OK) return SW_EDB;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
    int rc = SW_ENOTFOUND, st = sqlite3_step(s);
    if (st == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        rc = t ? with_cosignatures(lg, sqlite3_column_int64(s, 1), t, note_out) : SW_EFORMAT;
    } else if (st != SQLITE_DONE) {
        rc = SW_EDB; /* an error is not "no head" */
    }
    sw_store_finalize(s); /* keeps an error of with_cosignatures' statements */
    return rc;
}

int sw_ledger_latest_head(struct sw_ledger *lg, uint64_t min_size, char **note_out)
{
    return head_query(lg,
                      "SELECT note, id FROM ledger_heads WHERE size >= ?1 ORDER BY id DESC LIMIT 1",
                      min_size, note_out);
}

int sw_ledger_head_at(struct sw_ledger *lg, uint64_t size, char **note_out)
{
    return head_query(lg,
                      "SELECT note, id FROM ledger_heads WHERE size = ?1 ORDER BY id DESC LIMIT 1",
                      size, note_out);
}

int sw_ledger_add_cosignature(struct sw_ledger *lg, const char *note,
                              const struct sw_ledger_pub *witness, const char *line)
{
    struct sw_note_sig sig;
    struct sw_buf b;
    sqlite3_stmt *s = NULL;
    size_t tl = 0;
    sw_buf_init(&b, SW_CHECKPOINT_MAX * 2);
    /* Check the line against the head it is recorded for. */
    int rc = sw_buf_puts(&b, note);
    if (rc == SW_OK) rc = sw_buf_puts(&b, line);
    if (rc == SW_OK) rc = sw_note_verify_sig(b.data, b.len, witness, &tl, &sig);
    if (rc == SW_ENOTFOUND) rc = SW_EVERIFY;
    if (rc == SW_OK && (witness->alg != SW_NOTE_COSIG_V1 || sig.line_off < strlen(note)))
        rc = SW_EINVAL;
    if (rc == SW_OK &&
        sqlite3_prepare_v2(lg->db,
                           "INSERT OR IGNORE INTO ledger_cosignatures(head, witness, keyid, "
                           "timestamp, line) SELECT id, ?2, ?3, ?4, ?5 FROM ledger_heads "
                           "WHERE note = ?1 ORDER BY id DESC LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        rc = SW_EDB;
    if (rc == SW_OK) {
        sqlite3_bind_text(s, 1, note, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, witness->name, -1, SQLITE_STATIC);
        sqlite3_bind_blob(s, 3, witness->keyid, 4, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, (sqlite3_int64)sig.timestamp);
        sqlite3_bind_text(s, 5, b.data + sig.line_off, (int)sig.line_len, SQLITE_STATIC);
        rc = sqlite3_step(s) == SQLITE_DONE ? SW_OK : SW_EDB;
        if (rc == SW_OK && sqlite3_changes(lg->db) == 0) {
            /* Either no such head, or this witness's line is already recorded for it. */
            sqlite3_stmt *q = NULL;
            rc = SW_EDB;
            if (sqlite3_prepare_v2(lg->db, "SELECT 1 FROM ledger_heads WHERE note = ?1", -1, &q,
                                   NULL) == SQLITE_OK) {
                sqlite3_bind_text(q, 1, note, -1, SQLITE_STATIC);
                int st = sqlite3_step(q); /* an error is not "no such head" */
                rc = st == SQLITE_ROW ? SW_OK : st == SQLITE_DONE ? SW_ENOTFOUND : SW_EDB;
            }
            sqlite3_finalize(q);
        }
    }
    sqlite3_finalize(s);
    sw_buf_release(&b);
    return rc;
}

int sw_ledger_witness_size(struct sw_ledger *lg, const struct sw_ledger_pub *witness,
                           uint64_t *size)
{
    sqlite3_stmt *s = NULL;
    *size = 0;
    if (sqlite3_prepare_v2(lg->db,
                           "SELECT coalesce(max(h.size), 0) FROM ledger_cosignatures c JOIN "
                           "ledger_heads h ON h.id = c.head WHERE c.witness = ?1 AND c.keyid = ?2",
                           -1, &s, NULL) != SQLITE_OK)
        return SW_EDB;
    sqlite3_bind_text(s, 1, witness->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, witness->keyid, 4, SQLITE_STATIC);
    int rc = SW_EDB;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *size = (uint64_t)sqlite3_column_int64(s, 0);
        rc = SW_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

/* ------------------------------------------------------------------------------ audit */

struct audit_head {
    uint64_t size;
    uint8_t root[SW_HASH_LEN];
    sqlite3_int64 id;
};

struct audit_ctx {
    struct sw_ledger *lg;
    uint64_t bad_level, bad_index;
    int bad;
};

static int audit_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[SW_HASH_LEN])
{
    struct audit_ctx *a = ctx;
    if (level % NODE_STRIDE || a->bad) return SW_OK;
    uint8_t stored[SW_HASH_LEN];
    int rc = node_hash(a->lg, level, index, stored);
    if (rc == SW_EDB) return rc; /* the database failed: not a wrong node */
    if (rc || memcmp(stored, hash, SW_HASH_LEN)) {
        a->bad = 1;
        a->bad_level = level;
        a->bad_index = index;
    }
    return SW_OK;
}

#define AUDIT_FAIL(...)                                                                            \
    do {                                                                                           \
        if (msg) snprintf(msg, SW_ERRMAX, __VA_ARGS__);                                            \
        rc = SW_EVERIFY;                                                                           \
        goto fail;                                                                                 \
    } while (0)

static int audit_load_heads(struct sw_ledger *lg, const struct sw_ledger_pub *pubs, size_t npubs,
                            struct audit_head **out, size_t *n, char *msg)
{
    sqlite3_stmt *s = NULL;
    struct audit_head *h = NULL;
    size_t cap = 0, len = 0;
    int rc = SW_EDB;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(lg->db, "SELECT id, size, root, note FROM ledger_heads ORDER BY size",
                           -1, &s, NULL) != SQLITE_OK)
        goto fail;
    int st;
    while ((st = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct audit_head *nh = realloc(h, nc * sizeof *nh);
            if (!nh) {
                rc = SW_ENOMEM;
                goto fail;
            }
            h = nh;
            cap = nc;
        }
        struct audit_head *e = &h[len++];
        e->id = sqlite3_column_int64(s, 0);
        sqlite3_int64 size = sqlite3_column_int64(s, 1);
        const char *note = (const char *)sqlite3_column_text(s, 3);
        size_t nlen = (size_t)sqlite3_column_bytes(s, 3);
        struct sw_checkpoint c;
        int vr = !note ? SW_EFORMAT : sw_checkpoint_parse(note, nlen, &c);
        if (vr == SW_OK && npubs) {
            vr = SW_EVERIFY; /* one of the trusted keys (a rotated log has several) */
            for (size_t k = 0; k < npubs && vr; k++)
                vr = sw_checkpoint_verify(note, nlen, &pubs[k], &c);
        }
        if (vr)
            AUDIT_FAIL("signed head #%lld does not verify: %s", (long long)e->id, sw_strerror(vr));
        if (size < 0 || (uint64_t)size != c.size || sqlite3_column_bytes(s, 2) != SW_HASH_LEN ||
            memcmp(sqlite3_column_blob(s, 2), c.root, SW_HASH_LEN))
            AUDIT_FAIL("signed head #%lld: stored size or root differs from its note",
                       (long long)e->id);
        e->size = c.size;
        memcpy(e->root, c.root, SW_HASH_LEN);
    }
    if (st != SQLITE_DONE) goto fail;
    *out = h;
    *n = len;
    h = NULL;
    rc = SW_OK;
fail:
    free(h);
    sqlite3_finalize(s);
    return rc;
}

int sw_ledger_audit(struct sw_ledger *lg, const struct sw_ledger_pub *pub,
                    const struct sw_checkpoint *head, char *msg)
{
    return sw_ledger_audit_keys(lg, pub, pub ? 1 : 0, head, msg);
}

int sw_ledger_audit_keys(struct sw_ledger *lg, const struct sw_ledger_pub *pubs, size_t npubs,
                         const struct sw_checkpoint *head, char *msg)
{
    struct audit_head *heads = NULL;
    size_t nheads = 0, hi = 0;
    sqlite3_stmt *s = NULL;
    struct sw_merkle_frontier f, stored;
    struct audit_ctx a = {lg, 0, 0, 0};
    uint8_t root[SW_HASH_LEN];
    int rc;
    bufs_reset(lg);
    if (msg) msg[0] = '\0';
    sw_merkle_frontier_init(&f);
    if ((rc = audit_load_heads(lg, pubs, npubs, &heads, &nheads, msg))) goto fail;
    rc = state_load(lg, &stored);
    if (rc == SW_EFORMAT) AUDIT_FAIL("the stored tree state is malformed");
    if (rc) goto fail;
    rc = SW_EDB;
    if (sqlite3_prepare_v2(lg->db, "SELECT id, leaf, json FROM events ORDER BY leaf", -1, &s,
                           NULL) != SQLITE_OK)
        goto fail;
    /* Heads of size 0 commit to the empty tree. */
    sw_merkle_empty_root(root);
    for (; hi < nheads && heads[hi].size == 0; hi++)
        if (memcmp(heads[hi].root, root, SW_HASH_LEN))
            AUDIT_FAIL("signed head #%lld of size 0 has a wrong root", (long long)heads[hi].id);
    if (head && head->size == 0 && memcmp(head->root, root, SW_HASH_LEN))
        AUDIT_FAIL("the given head of size 0 has a wrong root");
    int st;
    while ((st = sqlite3_step(s)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        sqlite3_int64 leaf = sqlite3_column_int64(s, 1);
        const char *text = (const char *)sqlite3_column_text(s, 2);
        size_t len = (size_t)sqlite3_column_bytes(s, 2);
        if (leaf != (sqlite3_int64)f.size)
            AUDIT_FAIL("leaf %llu has no event (next stored event is at leaf %lld)",
                       (unsigned long long)f.size, (long long)leaf);
        /* The stored text must be canonical and belong to its id. */
        json_t *ev = NULL;
        char *canon = NULL;
        size_t clen = 0;
        int ok = text && sw_canon_parse(text, len, &ev, NULL) == SW_OK &&
                 sw_canon_event(ev, &canon, &clen) == SW_OK && clen == len &&
                 !memcmp(canon, text, len) && id &&
                 !strcmp(json_string_value(json_object_get(ev, "id")), id);
        free(canon);
        json_decref(ev);
        if (!ok)
            AUDIT_FAIL("event '%s' at leaf %llu is not canonical or does not match its id",
                       id ? id : "", (unsigned long long)f.size);
        uint8_t h[SW_HASH_LEN], sh[SW_HASH_LEN];
        sw_merkle_leaf_hash(text, len, h);
        int gr = get_leaf_hash(lg, f.size, sh);
        if (gr == SW_EDB) { /* the database failed: not a wrong hash */
            rc = gr;
            goto fail;
        }
        if (gr || memcmp(h, sh, SW_HASH_LEN))
            AUDIT_FAIL("event '%s' does not match the stored hash of leaf %llu", id,
                       (unsigned long long)f.size);
        if ((rc = sw_merkle_frontier_append(&f, h, audit_node, &a))) goto fail;
        if (a.bad)
            AUDIT_FAIL("stored node (level %llu, index %llu) is wrong",
                       (unsigned long long)a.bad_level, (unsigned long long)a.bad_index);
        if ((hi < nheads && heads[hi].size == f.size) || (head && head->size == f.size))
            sw_merkle_frontier_root(&f, root);
        for (; hi < nheads && heads[hi].size == f.size; hi++)
            if (memcmp(heads[hi].root, root, SW_HASH_LEN))
                AUDIT_FAIL("the events do not match signed head #%lld (size %llu)",
                           (long long)heads[hi].id, (unsigned long long)f.size);
        if (head && head->size == f.size && memcmp(head->root, root, SW_HASH_LEN))
            AUDIT_FAIL("the events do not match the given head (size %llu)",
                       (unsigned long long)f.size);
    }
    if (st != SQLITE_DONE) {
        rc = SW_EDB;
        goto fail;
    }
    if (hi < nheads)
        AUDIT_FAIL("the log has %llu events but signed head #%lld has size %llu",
                   (unsigned long long)f.size, (long long)heads[hi].id,
                   (unsigned long long)heads[hi].size);
    if (head && head->size > f.size)
        AUDIT_FAIL("the log has %llu events but the given head has size %llu",
                   (unsigned long long)f.size, (unsigned long long)head->size);
    if (stored.size != f.size)
        AUDIT_FAIL("the stored tree has %llu leaves but there are %llu events",
                   (unsigned long long)stored.size, (unsigned long long)f.size);
    uint8_t r2[SW_HASH_LEN];
    sw_merkle_frontier_root(&f, root);
    sw_merkle_frontier_root(&stored, r2);
    if (memcmp(root, r2, SW_HASH_LEN))
        AUDIT_FAIL("the stored tree state does not match the events");
    sqlite3_finalize(s);
    s = NULL;
    /* No leaf beyond the events: the last leaf tile ends at the last leaf. */
    if (sqlite3_prepare_v2(lg->db,
                           "SELECT count(*), coalesce(max(id), -1) FROM ledger_tiles WHERE id < ?1",
                           -1, &s, NULL) != SQLITE_OK) {
        rc = SW_EDB;
        goto fail;
    }
    sqlite3_bind_int64(s, 1, TILE_ID(1, 0));
    if (sqlite3_step(s) != SQLITE_ROW) {
        rc = SW_EDB;
        goto fail;
    }
    uint64_t tiles = (f.size + TILE_W - 1) / TILE_W;
    unsigned last_count = 0;
    uint8_t last[TILE_W][SW_HASH_LEN];
    if ((uint64_t)sqlite3_column_int64(s, 0) != tiles ||
        sqlite3_column_int64(s, 1) != (sqlite3_int64)tiles - 1 ||
        (tiles && (tile_read(lg, TILE_ID(0, tiles - 1), last, &last_count) ||
                   last_count != (unsigned)((f.size - 1) % TILE_W + 1))))
        AUDIT_FAIL("the leaf table holds leaves beyond the %llu events",
                   (unsigned long long)f.size);
    rc = SW_OK;
fail:
    sw_store_finalize(s); /* s may be running: keep the error of the one that failed */
    free(heads);
    return rc;
}
