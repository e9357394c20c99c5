/*
 * Event reads of query.h over the ledger's events table (module "ledger", ledger.c) and its
 * index columns (event_index.c): events with filters in the records view (every ledger
 * record) or the incidents view (each incident once, as its latest record; event.h), in time,
 * significance or leaf order, paged by cursor; one incident's records; counts per type.
 *
 * Paging: a first page fixes the ledger size it reads (every record of a leaf below it) and
 * its cursor carries that size with the leaf of the last row given. The ledger is append-only
 * and a record's columns never change, so later pages read exactly the store the first page
 * read, whatever was appended since, and the last row's sort key is read back from its leaf.
 *
 * The incidents view of the current size (a first page, or a page of a cursor whose size is
 * still the ledger's) reads ledger_incidents, each incident's latest record kept by the
 * append (ledger.c), in index order and stops at the page's end; other sizes find each
 * incident's latest record below the size among every record. Both give the same rows in the
 * same order (tests/unit/test_query.c compares them).
 */
#include "sanctwatch/query.h"
#include "sanctwatch/error.h"
#include "sanctwatch/event.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The incident's review state (review.c): the latest confirm or dismiss, else "annotated"
 * when it has annotations only, else "". */
#define REVIEW_STATE                                                                               \
    "coalesce((SELECT CASE r.decision WHEN 'confirm' THEN 'confirmed' ELSE 'dismissed' END"        \
    " FROM ledger_reviews r WHERE r.incident = e.incident AND r.decision <> 'annotate'"            \
    " ORDER BY r.leaf DESC LIMIT 1), (SELECT 'annotated' FROM ledger_reviews r"                    \
    " WHERE r.incident = e.incident LIMIT 1), '')"

/* The row's columns; json names the column of its canonical event. */
#define COLUMNS(json)                                                                              \
    "SELECT e.id, e.incident, e.type, e.start_ms, e.end_ms, e.ongoing, e.withdrawn, e.lat,"        \
    " e.lon, e.confidence, e.rank, e.leaf,"                                                        \
    " (SELECT count(*) FROM events x WHERE x.incident = e.incident AND x.leaf < ?1), " json ","    \
    " " REVIEW_STATE
#define COLS COLUMNS("e.json") " FROM events e"
/* Incidents view of the current ledger (?1 is its size): ledger_incidents (ledger.c,
 * migration 5) holds each incident's latest record with the columns FILTERS reads, so a page
 * reads its rows in the order of the index named (INDEXED BY: the planner would take the
 * leaf range of FILTERS on the table and sort every row; ledger order is the table's own,
 * its rowid being the leaf), and the event (cross join: the table is the outer loop) only
 * for the rows given. */
#define ICOLS(indexed)                                                                             \
    COLUMNS("j.json")                                                                              \
    " FROM ledger_incidents e " indexed " CROSS JOIN events j ON j.leaf = e.leaf"

/* ?1 ledger size, ?2 types (JSON array), ?3 from, ?4 to, ?5-?8 area, ?9 mmsi,
 * ?10 min confidence, ?11 max rank, ?14 review state ("" unreviewed), ?15 first leaf;
 * review records are not events */
#define FILTERS                                                                                    \
    " WHERE e.leaf < ?1 AND e.type <> 'review'"                                                    \
    " AND (?14 IS NULL OR " REVIEW_STATE " = ?14) AND e.leaf >= ?15"                               \
    " AND (?2 IS NULL OR e.type IN (SELECT value FROM json_each(?2)))"                             \
    " AND (?3 IS NULL OR coalesce(e.end_ms, CASE WHEN e.ongoing THEN 9223372036854775807"          \
    "  ELSE e.start_ms END) >= ?3)"                                                                \
    " AND (?4 IS NULL OR e.start_ms <= ?4)"                                                        \
    " AND (?5 IS NULL OR (e.lat BETWEEN ?5 AND ?6 AND (CASE WHEN ?7 <= ?8"                         \
    "  THEN e.lon BETWEEN ?7 AND ?8 ELSE e.lon >= ?7 OR e.lon <= ?8 END)))"                        \
    " AND (?9 IS NULL OR e.id IN (SELECT id FROM event_vessels WHERE mmsi = ?9))"                  \
    " AND (?10 IS NULL OR e.confidence >= ?10)"                                                    \
    " AND (?11 IS NULL OR e.rank <= ?11)"

/* Incidents view: the latest record of its incident below the size, withdrawn or not (?12). */
#define LATEST                                                                                     \
    " AND e.leaf = (SELECT max(x.leaf) FROM events x WHERE x.incident = e.incident"                \
    "  AND x.leaf < ?1) AND e.withdrawn = ?12"

/* Sort keys; ?13 is the cursor's leaf (NULL: first page). */
#define START "coalesce(e.start_ms, -9223372036854775807)"
#define START_C "coalesce(c.start_ms, -9223372036854775807)"
#define BY_TIME                                                                                    \
    " AND (?13 IS NULL OR (" START ", e.id) > (SELECT " START_C ", c.id FROM events c"             \
    "  WHERE c.leaf = ?13)) ORDER BY " START ", e.id"
#define BY_RANK                                                                                    \
    " AND (?13 IS NULL OR (e.rank, -coalesce(e.confidence, -1), " START ", e.id) >"                \
    "  (SELECT c.rank, -coalesce(c.confidence, -1), " START_C ", c.id FROM events c"               \
    "   WHERE c.leaf = ?13))"                                                                      \
    " ORDER BY e.rank, coalesce(e.confidence, -1) DESC, " START ", e.id"
#define BY_LEAF " AND (?13 IS NULL OR e.leaf > ?13) ORDER BY e.leaf"

static const char *const sql_events[2][3] = {
    {COLS FILTERS LATEST BY_TIME, COLS FILTERS LATEST BY_RANK, COLS FILTERS LATEST BY_LEAF},
    {COLS FILTERS BY_TIME, COLS FILTERS BY_RANK, COLS FILTERS BY_LEAF},
};
static const char *const sql_counts[2] = {
    "SELECT e.type, count(*) FROM events e" FILTERS LATEST " GROUP BY e.type",
    "SELECT e.type, count(*) FROM events e" FILTERS " GROUP BY e.type",
};
/* The incidents view when ?1 is the current size: the same rows from ledger_incidents. */
#define CURRENT " AND e.withdrawn = ?12"
static const char *const sql_events_current[3] = {
    ICOLS("INDEXED BY ledger_incidents_time") FILTERS CURRENT BY_TIME,
    ICOLS("INDEXED BY ledger_incidents_significance") FILTERS CURRENT BY_RANK,
    ICOLS("NOT INDEXED") FILTERS CURRENT BY_LEAF,
};
/* The same for one vessel (?9): its records (event_vessels) that are their incident's latest,
 * sorted; not the whole index read for the few incidents of a vessel. */
#define VCOLS                                                                                      \
    COLUMNS("j.json")                                                                              \
    " FROM event_vessels v CROSS JOIN events j ON j.id = v.id"                                     \
    " CROSS JOIN ledger_incidents e ON e.incident = j.incident AND e.leaf = j.leaf"
#define VESSEL CURRENT " AND v.mmsi = ?9"
static const char *const sql_events_vessel[3] = {
    VCOLS FILTERS VESSEL BY_TIME,
    VCOLS FILTERS VESSEL BY_RANK,
    VCOLS FILTERS VESSEL BY_LEAF,
};
static const char sql_counts_current[] =
    "SELECT e.type, count(*) FROM ledger_incidents e" FILTERS CURRENT " GROUP BY e.type";
/* The same when only types are filtered: the index on (withdrawn, type) alone. */
static const char sql_counts_types[] =
    "SELECT e.type, count(*) FROM ledger_incidents e INDEXED BY ledger_incidents_type"
    " WHERE e.withdrawn = ?12"
    " AND e.type <> 'review' AND (?2 IS NULL OR e.type IN (SELECT value FROM json_each(?2)))"
    " GROUP BY e.type";
static const char sql_size[] = "SELECT coalesce(max(leaf) + 1, 0) FROM events";
static const char sql_incident_of[] = "SELECT incident FROM events WHERE id = ?1";
static const char sql_incident[] = COLS " WHERE e.incident = ?2 ORDER BY e.leaf";

static const char order_letter[3] = {'t', 's', 'l'};

static int fail_db(sqlite3 *db, char *err)
{
    if (err) snprintf(err, SW_ERRMAX, "cannot read events: %s", sqlite3_errmsg(db));
    return SW_EDB;
}

static int fail_inval(char *err, const char *what, const char *value)
{
    if (err) snprintf(err, SW_ERRMAX, "bad %s '%.64s'", what, value);
    return SW_EINVAL;
}

/* ------------------------------------------------------------------------------ rows */

/* The event as recorded: the stored canonical JSON with evidence.leaf and evidence.sha256
 * (the leaf hash of that JSON) put back, as sw_ledger_record_events gave them. */
static json_t *recorded_event(sqlite3_stmt *q, int col, uint64_t leaf)
{
    const char *text = (const char *)sqlite3_column_text(q, col);
    size_t len = (size_t)sqlite3_column_bytes(q, col);
    json_t *ev = text ? json_loadb(text, len, 0, NULL) : NULL;
    if (!json_is_object(ev)) {
        json_decref(ev);
        return NULL;
    }
    uint8_t h[SW_HASH_LEN];
    char hex[2 * SW_HASH_LEN + 1];
    sw_merkle_leaf_hash(text, len, h);
    sodium_bin2hex(hex, sizeof hex, h, SW_HASH_LEN);
    json_t *evid = json_object_get(ev, "evidence");
    if (!json_is_object(evid)) {
        evid = json_object();
        json_object_set_new(ev, "evidence", evid);
    }
    json_object_set_new(evid, "leaf", json_integer((json_int_t)leaf));
    json_object_set_new(evid, "sha256", json_string(hex));
    return ev;
}

/* One row to fn; the cursor names the view, order and size the page was read with. */
static int emit(sqlite3_stmt *q, const char *cursor_head, sw_event_fn fn, void *ctx)
{
    struct sw_event_row r;
    memset(&r, 0, sizeof r);
    r.id = sw_store_col_text(q, 0);
    r.incident = sw_store_col_text(q, 1);
    r.type = sw_store_col_text(q, 2);
    r.start = sw_store_col_time(q, 3);
    r.end = sw_store_col_time(q, 4);
    r.ongoing = sqlite3_column_int(q, 5);
    r.withdrawn = sqlite3_column_int(q, 6);
    r.lat = sw_store_col_real(q, 7);
    r.lon = sw_store_col_real(q, 8);
    r.confidence = sw_store_col_real(q, 9);
    r.rank = sqlite3_column_int(q, 10);
    r.leaf = (uint64_t)sqlite3_column_int64(q, 11);
    r.records = sqlite3_column_int(q, 12);
    r.review = sw_store_col_text(q, 14);
    json_t *ev = recorded_event(q, 13, r.leaf);
    if (!ev) return SW_EFORMAT; /* the audit (ledger verify) names the record */
    r.event = ev;
    snprintf(r.cursor, sizeof r.cursor, "%s%" PRIu64, cursor_head, r.leaf);
    int rc = fn(ctx, &r);
    json_decref(ev);
    return rc;
}

/* ---------------------------------------------------------------------------- filters */

static int check_filter(const struct sw_event_filter *f, char *err)
{
    char v[64];
    if (f->bbox.set &&
        !(f->bbox.minlat >= -90 && f->bbox.maxlat <= 90 && f->bbox.minlat <= f->bbox.maxlat &&
          f->bbox.minlon >= -180 && f->bbox.minlon <= 180 && f->bbox.maxlon >= -180 &&
          f->bbox.maxlon <= 180)) {
        snprintf(v, sizeof v, "%g,%g,%g,%g", f->bbox.minlat, f->bbox.minlon, f->bbox.maxlat,
                 f->bbox.maxlon);
        return fail_inval(err, "area (S,W,N,E)", v);
    }
    if (!(f->min_confidence >= 0 && f->min_confidence <= 1)) {
        snprintf(v, sizeof v, "%g", f->min_confidence);
        return fail_inval(err, "minimum confidence (0..1)", v);
    }
    if (f->max_rank < 0 || f->max_rank > SW_RANK_MAX) {
        snprintf(v, sizeof v, "%d", f->max_rank);
        return fail_inval(err, "rank (1..5)", v);
    }
    if (f->order != SW_ORDER_TIME && f->order != SW_ORDER_SIGNIFICANCE &&
        f->order != SW_ORDER_LEDGER)
        return fail_inval(err, "order", "?");
    if (f->from != SW_TIME_NONE && f->to != SW_TIME_NONE && f->from > f->to)
        return fail_inval(err, "period", "from after to");
    if (f->review && strcmp(f->review, "unreviewed") && strcmp(f->review, "confirmed") &&
        strcmp(f->review, "dismissed") && strcmp(f->review, "annotated"))
        return fail_inval(err, "review decision", f->review);
    return SW_OK;
}

/* "e<size>.<view><order><leaf>"; the head (without the leaf) into head. */
static int parse_cursor(const struct sw_event_filter *f, uint64_t *size, int64_t *leaf, char *err)
{
    const char *c = f->after;
    char view = f->records ? 'r' : 'i', ord = order_letter[f->order];
    *leaf = -1;
    if (!c) return SW_OK;
    char *end;
    if (c[0] != 'e' || !isdigit((unsigned char)c[1])) return fail_inval(err, "cursor", c);
    unsigned long long n = strtoull(c + 1, &end, 10);
    if (end[0] != '.' || end[1] != view || end[2] != ord || !isdigit((unsigned char)end[3]))
        return fail_inval(err, "cursor (of another view or order)", c);
    const char *l = end + 3;
    unsigned long long k = strtoull(l, &end, 10);
    if (*end || k >= n || n > SW_MERKLE_MAX_SIZE) return fail_inval(err, "cursor", c);
    *size = n;
    *leaf = (int64_t)k;
    return SW_OK;
}

/* Read the current ledger size with a statement left open in *pin (give it back with
 * sw_store_stmt_put): until then every statement of this connection reads the same snapshot,
 * so what the size says about the store stays true while the page is read. *size (0: not
 * given) becomes the current size; *current says the incidents view can read
 * ledger_incidents: the size is the current one and the table exists. */
static int pin_size(sqlite3 *db, const struct sw_event_filter *f, uint64_t *size, int *current,
                    sqlite3_stmt **pin)
{
    *current = 0;
    if (sw_store_stmt_get(db, sql_size, pin)) return SW_EDB;
    if (sqlite3_step(*pin) != SQLITE_ROW) return SW_EDB;
    uint64_t now = (uint64_t)sqlite3_column_int64(*pin, 0);
    if (!*size) *size = now;
    if (f->records || *size != now) return SW_OK;
    int has = sw_store_table(db, "ledger_incidents");
    if (has < 0) return SW_EDB;
    *current = has > 0;
    return SW_OK;
}

/* Bind the filter; types (a JSON array text, or NULL) must outlive the statement's use. */
static void bind_filter(sqlite3_stmt *q, const struct sw_event_filter *f, uint64_t size,
                        const char *types)
{
    sqlite3_bind_int64(q, 1, (sqlite3_int64)size);
    if (types) sqlite3_bind_text(q, 2, types, -1, SQLITE_STATIC);
    if (f->from != SW_TIME_NONE) sqlite3_bind_int64(q, 3, f->from);
    if (f->to != SW_TIME_NONE) sqlite3_bind_int64(q, 4, f->to);
    if (f->bbox.set) {
        sqlite3_bind_double(q, 5, f->bbox.minlat);
        sqlite3_bind_double(q, 6, f->bbox.maxlat);
        sqlite3_bind_double(q, 7, f->bbox.minlon);
        sqlite3_bind_double(q, 8, f->bbox.maxlon);
    }
    if (f->mmsi) sqlite3_bind_int64(q, 9, f->mmsi);
    if (f->min_confidence > 0) sqlite3_bind_double(q, 10, f->min_confidence);
    if (f->max_rank > 0) sqlite3_bind_int(q, 11, f->max_rank);
    sqlite3_bind_int64(q, 15, (sqlite3_int64)f->from_leaf);
    if (f->review)
        sqlite3_bind_text(q, 14, strcmp(f->review, "unreviewed") ? f->review : "", -1,
                          SQLITE_STATIC);
}

/* The type list as a JSON array text (malloc'd), NULL for any type. */
static int types_json(const struct sw_event_filter *f, char **out)
{
    *out = NULL;
    if (!f->types || !f->ntypes) return SW_OK;
    json_t *a = json_array();
    for (size_t i = 0; a && i < f->ntypes; i++)
        if (json_array_append_new(a, json_string(f->types[i] ? f->types[i] : ""))) {
            json_decref(a);
            return SW_ENOMEM;
        }
    *out = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return *out ? SW_OK : SW_ENOMEM;
}

/* ----------------------------------------------------------------------------- reads */

int sw_query_events(sqlite3 *db, const struct sw_event_filter *f, sw_event_fn fn, void *ctx,
                    char *err)
{
    uint64_t size = f->ledger_size;
    int64_t leaf;
    char *types = NULL, head[SW_CURSOR_MAX];
    sqlite3_stmt *q = NULL, *pin = NULL;
    int rc, current;
    if ((rc = check_filter(f, err)) || (rc = parse_cursor(f, &size, &leaf, err))) return rc;
    if ((rc = sw_store_table(db, "events")) <= 0) return rc < 0 ? fail_db(db, err) : SW_OK;
    if ((rc = types_json(f, &types))) return rc;
    if (pin_size(db, f, &size, &current, &pin) ||
        sw_store_stmt_get(db,
                          !current  ? sql_events[f->records ? 1 : 0][f->order]
                          : f->mmsi ? sql_events_vessel[f->order]
                                    : sql_events_current[f->order],
                          &q)) {
        rc = fail_db(db, err);
        sw_store_stmt_put(pin);
        free(types);
        return rc;
    }
    snprintf(head, sizeof head, "e%" PRIu64 ".%c%c", size, f->records ? 'r' : 'i',
             order_letter[f->order]);
    bind_filter(q, f, size, types);
    sqlite3_bind_int(q, 12, f->withdrawn != 0);
    if (leaf >= 0) sqlite3_bind_int64(q, 13, leaf);
    size_t n = 0;
    int st = SQLITE_DONE;
    while ((!f->limit || n < f->limit) && (st = sqlite3_step(q)) == SQLITE_ROW) {
        n++;
        if ((rc = emit(q, head, fn, ctx))) break;
    }
    if (!rc && st != SQLITE_DONE && st != SQLITE_ROW) rc = fail_db(db, err);
    if (rc == SW_EFORMAT && err)
        snprintf(err, SW_ERRMAX, "a stored event is not JSON: run 'sanctwatch ledger verify'");
    sw_store_stmt_put(q);
    sw_store_stmt_put(pin);
    free(types);
    return rc;
}

int sw_query_incident(sqlite3 *db, const char *id, sw_event_fn fn, void *ctx, char *err)
{
    sqlite3_stmt *q = NULL;
    char *incident = NULL;
    int has = sw_store_table(db, "events");
    if (has <= 0) return has ? fail_db(db, err) : SW_ENOTFOUND;
    if (sw_store_stmt_get(db, sql_incident_of, &q)) return fail_db(db, err);
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int st = sqlite3_step(q);
    if (st == SQLITE_ROW) incident = strdup(sw_store_col_text(q, 0));
    sw_store_stmt_put(q);
    if (st != SQLITE_ROW) return st == SQLITE_DONE ? SW_ENOTFOUND : fail_db(db, err);
    if (!incident) return SW_ENOMEM;
    char head[SW_CURSOR_MAX];
    int rc = SW_OK;
    if (sw_store_stmt_get(db, sql_incident, &q)) {
        free(incident);
        return fail_db(db, err);
    }
    snprintf(head, sizeof head, "e%" PRIu64 ".rl", (uint64_t)SW_MERKLE_MAX_SIZE);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)SW_MERKLE_MAX_SIZE);
    sqlite3_bind_text(q, 2, incident, -1, SQLITE_STATIC);
    while ((st = sqlite3_step(q)) == SQLITE_ROW)
        if ((rc = emit(q, head, fn, ctx))) break;
    if (!rc && st != SQLITE_DONE) rc = fail_db(db, err);
    sw_store_stmt_put(q);
    free(incident);
    return rc;
}

int sw_query_event_counts(sqlite3 *db, const struct sw_event_filter *f, const char *const *types,
                          size_t ntypes, uint64_t *counts, char *err)
{
    uint64_t size = f->ledger_size;
    char *tj = NULL;
    sqlite3_stmt *q = NULL, *pin = NULL;
    int rc = check_filter(f, err), current;
    for (size_t i = 0; i < ntypes; i++)
        counts[i] = 0;
    if (rc) return rc;
    if ((rc = sw_store_table(db, "events")) <= 0) return rc < 0 ? fail_db(db, err) : SW_OK;
    if ((rc = types_json(f, &tj))) return rc;
    int types_only = f->from == SW_TIME_NONE && f->to == SW_TIME_NONE && !f->bbox.set && !f->mmsi &&
                     !(f->min_confidence > 0) && !f->max_rank && !f->review && !f->from_leaf;
    if (pin_size(db, f, &size, &current, &pin) ||
        sw_store_stmt_get(db,
                          !current     ? sql_counts[f->records ? 1 : 0]
                          : types_only ? sql_counts_types
                                       : sql_counts_current,
                          &q)) {
        rc = fail_db(db, err);
        sw_store_stmt_put(pin);
        free(tj);
        return rc;
    }
    bind_filter(q, f, size, tj);
    sqlite3_bind_int(q, 12, f->withdrawn != 0);
    int st;
    while ((st = sqlite3_step(q)) == SQLITE_ROW)
        for (size_t i = 0; i < ntypes; i++)
            if (types[i] && !strcmp(types[i], sw_store_col_text(q, 0)))
                counts[i] = (uint64_t)sqlite3_column_int64(q, 1);
    if (st != SQLITE_DONE) rc = fail_db(db, err);
    sw_store_stmt_put(q);
    sw_store_stmt_put(pin);
    free(tj);
    return rc;
}
