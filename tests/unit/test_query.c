/*
 * Unit tests of the read functions (query.h) on stores built here: vessels with every filter
 * (areas across the antimeridian, on the grid path and the scan path, the grid following
 * updates), one vessel, identities, tracks thinned, designated vessels, events in both views
 * with every filter, significance order, cursor paging that stays stable while records are
 * appended, incidents completed and withdrawn, counts, the ledger migration's backfill of
 * stored events, and read-only opening of a store written before the index existed; the
 * incidents view of the current ledger read from ledger_incidents against the search of
 * every record, on a made-up store of 400 records and across appends.
 * Fixture rows of the ingest and lists tables are written with SQL here (the tests stand in
 * for those modules' writers); events go through the ledger's own record path.
 */
#include "testutil.h"

#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/query.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 1709251200000LL /* 2024-03-01T00:00:00Z */
#define HOUR 3600000LL

static char store_path[512]; /* of the last store new_store made */

static sqlite3 *new_store(const char *name)
{
    char *path = store_path;
    sqlite3 *db;
    snprintf(store_path, sizeof store_path, "%s/%s", sw_test_tmpdir(), name);
    remove(path);
    assert_int_equal(sw_store_open(path, &db, NULL), SW_OK);
    assert_int_equal(sw_ingest_migrate(db), SW_OK);
    assert_int_equal(sw_lists_migrate(db), SW_OK);
    return db;
}

static void exec(sqlite3 *db, const char *sql)
{
    if (sw_store_exec(db, sql) != SW_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
}

static void add_vessel(sqlite3 *db, unsigned mmsi, const char *name, unsigned imo, double lat,
                       double lon, long long first, long long last)
{
    char sql[1024], imo_s[16] = "NULL", fix[128] = "NULL, NULL, NULL";
    if (imo) snprintf(imo_s, sizeof imo_s, "%u", imo);
    if (!isnan(lat)) snprintf(fix, sizeof fix, "%lld, %.6f, %.6f", last, lat, lon);
    snprintf(sql, sizeof sql,
             "INSERT INTO vessels(mmsi, flag, class, name, imo, ship_type, first_seen, last_seen,"
             " positions, statics, last_time, last_lat, last_lon, last_sog)"
             " VALUES(%u, 'KP', 'A', '%s', %s, 80, %lld, %lld, 10, 2, %s, 3.5)",
             mmsi, name, imo_s, first, last, fix);
    exec(db, sql);
}

/* ---------------------------------------------------------------------------- vessels */

struct vlist {
    uint32_t mmsi[16384];
    int listed[16384];
    size_t n;
    char last[SW_CURSOR_MAX];
};

static int vcollect(void *ctx, const struct sw_vessel_row *v)
{
    struct vlist *l = ctx;
    l->listed[l->n] = v->listed;
    l->mmsi[l->n++] = v->mmsi;
    snprintf(l->last, sizeof l->last, "%s", v->cursor);
    return 0;
}

static struct vlist *vq(sqlite3 *db, struct sw_vessel_filter f)
{
    static struct vlist l;
    char err[SW_ERRMAX] = "";
    memset(&l, 0, sizeof l);
    int rc = sw_query_vessels(db, &f, vcollect, &l, err);
    if (rc) fail_msg("sw_query_vessels: %d %s", rc, err);
    return &l;
}

static struct sw_vessel_filter vf(void)
{
    return (struct sw_vessel_filter){.seen_from = SW_TIME_NONE, .seen_to = SW_TIME_NONE};
}

static sqlite3 *vessel_store(void)
{
    sqlite3 *db = new_store("vessels.db");
    exec(db, "BEGIN");
    add_vessel(db, 412000001, "KUM SAN", 9123456, 39.0, 125.0, T0, T0 + 5 * HOUR);
    add_vessel(db, 412000002, "Ocean Star", 0, 39.5, 179.5, T0, T0 + 2 * HOUR);
    add_vessel(db, 412000003, "PACIFIC", 7654321, 39.5, -179.5, T0 + 3 * HOUR, T0 + 9 * HOUR);
    add_vessel(db, 412000004, "NOFIX", 0, NAN, NAN, T0, T0);
    add_vessel(db, 273000005, "VOLGA", 0, -10.0, 0.0, T0 + 20 * HOUR, T0 + 30 * HOUR);
    exec(db, "INSERT INTO identity_history(mmsi, seq, name, imo, first_seen, last_seen) VALUES"
             "(412000001, 1, 'OLD NAME', 9999999, 0, 1),"
             "(412000001, 2, 'KUM SAN', 9123456, 2, 3),"
             "(412000002, 1, 'Ocean Star', 0, 0, 1)");
    /* designated: one entry with IMO 9123456, one with MMSI 412000002, one removed */
    exec(db, "INSERT INTO list_editions(id, list, edition, format, files, sha256, imported_at)"
             " VALUES(1, 'un', '2024-01-01', 'un_xml', 'x', 'x', 'x')");
    exec(db, "INSERT INTO entries(id, list, ref, type, name, programmes, content_sha256,"
             " first_edition, last_edition, active) VALUES"
             "(1, 'un', 'KPi.001', 'vessel', 'KUM SAN', 'DPRK', 'x', 1, 1, 1),"
             "(2, 'un', 'KPi.002', 'vessel', 'OCEAN STAR', 'DPRK3', 'x', 1, 1, 1),"
             "(3, 'un', 'KPi.003', 'vessel', 'GONE', 'DPRK', 'x', 1, 1, 0),"
             "(4, 'un', 'KPe.001', 'organization', 'A COMPANY', 'DPRK', 'x', 1, 1, 1)");
    exec(db, "INSERT INTO entry_names(entry, name, quality) VALUES"
             "(1, 'KUM SAN', 'strong'), (1, 'GOLDEN MOUNTAIN', 'strong'),"
             "(2, 'OCEAN STAR', 'strong')");
    exec(db, "INSERT INTO entry_ids(entry, kind, value, norm, valid) VALUES"
             "(1, 'imo', 'IMO 9123456', '9123456', 1), (1, 'imo', 'IMO 1234567', '1234567', 0),"
             "(1, 'call_sign', 'HMAB', 'HMAB', NULL),"
             "(2, 'mmsi', '412000002', '412000002', 1), (3, 'imo', '7654321', '7654321', 1),"
             "(4, 'imo', '9123456', '9123456', 1)");
    exec(db, "INSERT INTO entry_vessels(entry, flag, vessel_type, tonnage) VALUES"
             "(1, 'KP', 'Tanker', '2000'), (2, NULL, NULL, NULL), (3, 'KP', NULL, NULL)");
    exec(db, "COMMIT");
    return db;
}

static void vessels_filters(void **state)
{
    sqlite3 *db = vessel_store();
    struct vlist *l = vq(db, vf());
    assert_int_equal(l->n, 5);
    assert_int_equal(l->mmsi[0], 273000005); /* MMSI order */
    struct sw_vessel_filter f = vf();
    f.mmsi = 412000003;
    assert_int_equal(vq(db, f)->n, 1);
    f = vf();
    f.imo = 9999999; /* an earlier identity's IMO */
    l = vq(db, f);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->mmsi[0], 412000001);
    f = vf();
    f.name = "old"; /* an earlier name, any case */
    assert_int_equal(vq(db, f)->n, 1);
    f.name = "ocean star";
    assert_int_equal(vq(db, f)->mmsi[0], 412000002);
    f = vf();
    f.seen_from = T0 + 6 * HOUR; /* last seen at or after */
    f.seen_to = T0 + 10 * HOUR;  /* first seen at or before */
    l = vq(db, f);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->mmsi[0], 412000003);
    /* listed: by IMO (entry 1; the organization with the same IMO is not a vessel), by MMSI
     * (entry 2); the removed entry's IMO does not count */
    l = vq(db, vf());
    for (size_t i = 0; i < l->n; i++)
        assert_int_equal(l->listed[i], l->mmsi[i] == 412000001 || l->mmsi[i] == 412000002);
    f = vf();
    f.listed_only = 1;
    assert_int_equal(vq(db, f)->n, 2);
    struct sw_vessel_row v;
    assert_int_equal(sw_query_vessel(db, 412000001, &v, NULL), SW_OK);
    assert_string_equal(v.name, "KUM SAN");
    assert_int_equal(v.imo, 9123456);
    assert_int_equal(v.identities, 2);
    assert_int_equal(v.listed, 1);
    assert_true(v.has_fix && v.lat == 39.0 && v.sog == 3.5);
    assert_int_equal(v.length_m, -1);
    assert_true(isnan(v.draught));
    assert_int_equal(sw_query_vessel(db, 412000004, &v, NULL), SW_OK);
    assert_false(v.has_fix);
    assert_int_equal(sw_query_vessel(db, 1, &v, NULL), SW_ENOTFOUND);
    sw_store_close(db);
}

static void vessels_bbox(void **state)
{
    sqlite3 *db = vessel_store();
    struct sw_vessel_filter f = vf();
    f.bbox = (struct sw_bbox){1, 38, 179, 40, -179}; /* across the antimeridian */
    struct vlist *l = vq(db, f);
    assert_int_equal(l->n, 2);
    assert_int_equal(l->mmsi[0], 412000002);
    assert_int_equal(l->mmsi[1], 412000003);
    f.bbox = (struct sw_bbox){1, 38, 124, 40, 126};
    l = vq(db, f);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->mmsi[0], 412000001);
    f.bbox = (struct sw_bbox){1, -90, -180, 90, 180}; /* the whole world: every fix */
    assert_int_equal(vq(db, f)->n, 4);
    /* the grid follows the store: a vessel moved into the area is found */
    exec(db, "UPDATE vessels SET last_lat = 39.2, last_lon = 125.5 WHERE mmsi = 273000005");
    f.bbox = (struct sw_bbox){1, 38, 124, 40, 126};
    assert_int_equal(vq(db, f)->n, 2);
    f.bbox = (struct sw_bbox){1, 40, 0, 38, 10}; /* south after north */
    char err[SW_ERRMAX];
    struct vlist dummy;
    assert_int_equal(sw_query_vessels(db, &f, vcollect, &dummy, err), SW_EINVAL);
    sw_store_close(db);
}

/* A grid shared by two connections (the service's readers): each query is answered from the
 * grid of its generation or a later one; a stale grid never gives a vessel outside the area
 * (the rows are checked again), it can only miss one that moved in after it was built. */
/* The area 38-40 N, 124-126 E answered from the share at generation 1. */
static struct sw_vessel_filter share_area(struct sw_grid_share *share)
{
    struct sw_vessel_filter f = vf();
    f.bbox = (struct sw_bbox){1, 38, 124, 40, 126};
    f.grid_share = share;
    f.generation = 1;
    return f;
}

/* The vessels f finds on db: n of them, the first first (when n). */
static void area_is(sqlite3 *db, struct sw_vessel_filter f, size_t n, unsigned first)
{
    struct vlist *l = vq(db, f);
    assert_int_equal(l->n, n);
    if (n) assert_int_equal(l->mmsi[0], first);
}

static void vessels_bbox_shared(void **state)
{
    sqlite3 *db = vessel_store(), *db2;
    assert_int_equal(sw_store_open_readonly(store_path, &db2, NULL), SW_OK);
    struct sw_grid_share *share;
    assert_int_equal(sw_grid_share_new(&share), SW_OK);
    struct sw_vessel_filter f = share_area(share);
    area_is(db2, f, 1, 412000001);
    struct vlist *l;
    /* 412000001 leaves, 273000005 comes in, written by a connection whose commits the
     * generation does not count (another process): db2 sees its data_version change while the
     * generation stayed, and the snapshot is built again */
    exec(db, "UPDATE vessels SET last_lat = 0, last_lon = 0 WHERE mmsi = 412000001");
    exec(db, "UPDATE vessels SET last_lat = 39.2, last_lon = 125.5 WHERE mmsi = 273000005");
    l = vq(db2, f);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->mmsi[0], 273000005);
    /* the writer's commit with its generation: seen on the other connection too */
    exec(db, "UPDATE vessels SET last_lat = 39.3, last_lon = 125.3 WHERE mmsi = 412000001");
    f.generation = 2;
    l = vq(db, f);
    assert_int_equal(l->n, 2);
    assert_int_equal(l->mmsi[0], 273000005);
    assert_int_equal(l->mmsi[1], 412000001);
    f.generation = 1; /* an older generation reads the newer snapshot */
    l = vq(db2, f);
    assert_int_equal(l->n, 2);
    f.generation = 2;
    assert_int_equal(vq(db2, f)->n, 2);
    /* the same generation after another writer's commit: built again */
    exec(db, "UPDATE vessels SET last_lat = 0 WHERE mmsi = 412000001");
    l = vq(db2, f);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->mmsi[0], 273000005);
    f.grid_share = NULL; /* the connection's own grid agrees */
    assert_int_equal(vq(db2, f)->n, 1);
    sw_grid_share_free(share);
    sw_store_close(db2);
    sw_store_close(db);
}

/* With a builder of its own (the service's), a query answers from the latest snapshot and
 * leaves the build of a newer one to the builder, which the query holding its HTTP thread for
 * the build made the service's p99; without a working builder the query builds as before. */
static void vessels_shared_builder(void **state)
{
    sqlite3 *db = vessel_store(), *db2, *dbb;
    assert_int_equal(sw_store_open_readonly(store_path, &db2, NULL), SW_OK);
    assert_int_equal(sw_store_open_readonly(store_path, &dbb, NULL), SW_OK);
    struct sw_grid_share *share;
    char err[SW_ERRMAX] = "";
    assert_int_equal(sw_grid_share_new(&share), SW_OK);
    sw_grid_share_background(share, 60000);
    struct sw_vessel_filter f = share_area(share);
    area_is(db2, f, 1, 412000001); /* the builder never called: the query builds the first */
    assert_int_equal(sw_grid_share_refresh(dbb, share, 1, err), SW_OK); /* it has it: no build */
    /* the writer's commit and its generation: the query answers from the snapshot it has */
    exec(db, "UPDATE vessels SET last_lat = 0, last_lon = 0 WHERE mmsi = 412000001");
    exec(db, "UPDATE vessels SET last_lat = 39.2, last_lon = 125.5 WHERE mmsi = 273000005");
    f.generation = 2;
    area_is(db2, f, 1, 412000001);
    assert_int_equal(sw_grid_share_refresh(dbb, share, 2, err), SW_OK); /* builds it */
    area_is(db2, f, 1, 273000005);
    /* a commit the generation does not count: the builder waits for the generation to grow
     * (the writer's commit is visible before it does), and builds once it stayed idle_ms */
    exec(db, "UPDATE vessels SET last_lat = 39.3, last_lon = 125.3 WHERE mmsi = 412000001");
    area_is(db2, f, 1, 273000005);
    assert_int_equal(sw_grid_share_refresh(dbb, share, 2, err), SW_OK);
    area_is(db2, f, 1, 273000005);
    f.generation = 3; /* it grows: built at once */
    assert_int_equal(sw_grid_share_refresh(dbb, share, 3, err), SW_OK);
    area_is(db2, f, 2, 273000005);
    exec(db, "UPDATE vessels SET last_lat = 0 WHERE mmsi = 412000001");
    assert_int_equal(sw_grid_share_refresh(dbb, share, 3, err), SW_OK);
    area_is(db2, f, 2, 273000005);
    sw_grid_share_background(share, 1);
    usleep(5000); /* it stayed: built */
    assert_int_equal(sw_grid_share_refresh(dbb, share, 3, err), SW_OK);
    sw_grid_share_background(share, 60000);
    area_is(db2, f, 1, 273000005);
    /* the builder gone: the query builds the snapshot it needs at once */
    sw_grid_share_background(share, 0);
    exec(db, "UPDATE vessels SET last_lat = 39.3 WHERE mmsi = 412000001");
    f.generation = 4;
    area_is(db2, f, 2, 273000005);
    sw_grid_share_free(share);
    sw_store_close(dbb);
    sw_store_close(db2);
    sw_store_close(db);
}

/* ------------------------------------------- the shared snapshot against the SQL path */

struct rows {
    struct sw_vessel_row *v;
    size_t n, cap;
};

static int vrows_collect(void *ctx, const struct sw_vessel_row *v)
{
    struct rows *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        assert_non_null(r->v);
    }
    r->v[r->n++] = *v;
    return 0;
}

static int same_real(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Every member the responses are made of, reals bit for bit. */
static void row_equal(const struct sw_vessel_row *a, const struct sw_vessel_row *b)
{
    assert_int_equal(a->mmsi, b->mmsi);
    assert_string_equal(a->flag, b->flag);
    assert_int_equal(a->cls, b->cls);
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->callsign, b->callsign);
    assert_string_equal(a->dest, b->dest);
    assert_int_equal(a->imo, b->imo);
    assert_int_equal(a->ship_type, b->ship_type);
    assert_int_equal(a->length_m, b->length_m);
    assert_int_equal(a->beam_m, b->beam_m);
    assert_true(same_real(a->draught, b->draught));
    assert_int_equal(a->first_seen, b->first_seen);
    assert_int_equal(a->last_seen, b->last_seen);
    assert_int_equal(a->positions, b->positions);
    assert_int_equal(a->statics, b->statics);
    assert_int_equal(a->identities, b->identities);
    assert_int_equal(a->has_fix, b->has_fix);
    assert_int_equal(a->t, b->t);
    assert_true(same_real(a->lat, b->lat) && same_real(a->lon, b->lon));
    assert_true(same_real(a->sog, b->sog) && same_real(a->cog, b->cog));
    assert_int_equal(a->heading, b->heading);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->listed, b->listed);
    assert_string_equal(a->cursor, b->cursor);
}

static uint32_t vrnd_state = 12345;
static uint32_t vrnd(uint32_t n)
{
    vrnd_state = vrnd_state * 1103515245u + 12345u;
    return (vrnd_state >> 8) % n;
}

/* One page of f on db through the share (the snapshot) and through the connection's own
 * grid and SQL (the path the snapshot replaces): the same rows. Returns the rows given. */
static size_t page_equal(sqlite3 *db, struct sw_vessel_filter f, struct sw_grid_share *share,
                         uint64_t gen, char *after)
{
    struct rows a = {0}, b = {0};
    char err[SW_ERRMAX] = "";
    f.after = *after ? after : NULL;
    f.grid_share = share;
    f.generation = gen;
    if (sw_query_vessels(db, &f, vrows_collect, &a, err)) fail_msg("snapshot: %s", err);
    f.grid_share = NULL;
    if (sw_query_vessels(db, &f, vrows_collect, &b, err)) fail_msg("sql: %s", err);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++)
        row_equal(&a.v[i], &b.v[i]);
    if (a.n) snprintf(after, SW_CURSOR_MAX, "%s", a.v[a.n - 1].cursor);
    size_t n = a.n;
    free(a.v);
    free(b.v);
    return n;
}

/* Random areas (small, large, across the antimeridian, the world, none), listed or not,
 * paged with random limits to the end: the snapshot and the SQL path give the same rows. */
static size_t areas_equal(sqlite3 *db, struct sw_grid_share *share, uint64_t gen, int rounds)
{
    size_t total = 0;
    for (int k = 0; k < rounds; k++) {
        struct sw_vessel_filter f = vf();
        double w = k % 9 == 0 ? 60 : 0.5 + vrnd(150) / 10.0, h = 0.5 + vrnd(100) / 10.0;
        double s = 25 + vrnd(200) / 10.0 - h / 2, west = 110 + vrnd(300) / 10.0;
        if (k % 7 == 3) west = 175 + vrnd(100) / 10.0; /* about 180 */
        if (west > 180) west -= 360;
        double east = west + w > 180 ? west + w - 360 : west + w;
        f.bbox = (struct sw_bbox){1, s, west, s + h, east};
        if (k % 11 == 5) f.bbox = (struct sw_bbox){1, -90, -180, 90, 180};
        if (k % 13 == 6) f.bbox.set = 0; /* every vessel, with a fix or not (the dashboard) */
        f.listed_only = k % 5 == 1;
        static const size_t limits[] = {0, 1, 7, 100, 5000};
        f.limit = limits[vrnd(5)];
        char after[SW_CURSOR_MAX] = "";
        for (int p = 0; p < 400; p++) {
            size_t n = page_equal(db, f, share, gen, after);
            total += n;
            if (!f.limit || n < f.limit) break;
        }
    }
    return total;
}

static void add_hostile(sqlite3 *db, unsigned mmsi, const char *name, unsigned imo, int fix)
{
    sqlite3_stmt *q;
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO vessels(mmsi, flag, class, name, callsign, imo,"
                           " ship_type, length_m, draught, destination, first_seen, last_seen,"
                           " positions, statics, last_time, last_lat, last_lon, last_sog, last_cog,"
                           " last_heading, last_status) VALUES(?1, 'KP', ?2, ?3, ?4, ?5, ?6, ?7,"
                           " ?8, ?9, ?10, ?11, 12, 3, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                           -1, &q, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(q, 1, mmsi);
    if (vrnd(3)) sqlite3_bind_text(q, 2, vrnd(2) ? "A" : "B", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, "<b>\"", -1, SQLITE_STATIC);
    if (imo) sqlite3_bind_int64(q, 5, imo);
    if (vrnd(2)) sqlite3_bind_int(q, 6, (int)vrnd(100));
    if (vrnd(2)) sqlite3_bind_int(q, 7, (int)vrnd(400));
    if (vrnd(2)) sqlite3_bind_double(q, 8, vrnd(200) / 10.0);
    sqlite3_bind_text(q, 9, "NAMPO\\\"&", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 10, T0 - (long long)vrnd(1000) * HOUR);
    sqlite3_bind_int64(q, 11, T0 + (long long)vrnd(1000) * HOUR);
    if (fix) {
        sqlite3_bind_int64(q, 12, T0 + (long long)vrnd(100000) * 1000);
        double lat = 20 + vrnd(3000000) / 100000.0, lon = 110 + vrnd(8000000) / 100000.0;
        if (lon > 180) lon -= 360;                    /* some across the antimeridian */
        if (fix == 2) lon = vrnd(2) ? 180.0 : -180.0; /* on it */
        sqlite3_bind_double(q, 13, lat);
        sqlite3_bind_double(q, 14, lon);
        if (vrnd(4)) sqlite3_bind_double(q, 15, vrnd(1023) / 10.0);
        if (vrnd(4)) sqlite3_bind_double(q, 16, vrnd(3600) / 10.0 + 1e-7);
        if (vrnd(2)) sqlite3_bind_int(q, 17, (int)vrnd(360));
        sqlite3_bind_int(q, 18, (int)vrnd(16));
    }
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
}

/* Names anyone can broadcast: markup, quotes, backslashes, control characters, UTF-8. */
static void hostile_name(char *name, unsigned i)
{
    static const char *const bad[] = {"<script>alert(1)</script>",
                                      "\"},{\"x\":\"",
                                      "a\\b\\",
                                      "\x01\x1f\x7f",
                                      "&amp;<>",
                                      "\xea\xb8\x88\xec\x82\xb0",
                                      "",
                                      "=cmd|' /C calc'!A0"};
    snprintf(name, 21, "%s%u", bad[i % 8], i % 100);
}

static void fleet(sqlite3 *db, unsigned from, unsigned n)
{
    char name[21];
    exec(db, "BEGIN");
    for (unsigned i = from; i < from + n; i++) {
        hostile_name(name, i);
        unsigned imo = i % 17 == 0 ? 9123456 : i % 5 ? 9000000 + i : 0; /* 9123456 is listed */
        add_hostile(db, 300000000 + i * 37, name, imo, i % 10 == 0 ? 0 : i % 97 == 0 ? 2 : 1);
    }
    exec(db, "COMMIT");
}

static void vessels_snapshot_equal(void **state)
{
    sqlite3 *db = vessel_store(), *db2;
    fleet(db, 0, 6000);
    exec(db, "INSERT INTO identity_history(mmsi, seq, name, imo, first_seen, last_seen)"
             " SELECT mmsi, 7, 'X', 0, 0, 1 FROM vessels WHERE mmsi % 3 = 0");
    /* listed by MMSI too: entry 2 names some of them, entry 1 (IMO 9123456) others, so that
     * some count 2 */
    exec(db, "INSERT INTO entry_ids(entry, kind, value, norm, valid) SELECT 2, 'mmsi', mmsi,"
             " mmsi, 1 FROM vessels WHERE mmsi % 11 = 0");
    assert_int_equal(sw_store_open_readonly(store_path, &db2, NULL), SW_OK);
    struct sw_grid_share *share;
    assert_int_equal(sw_grid_share_new(&share), SW_OK);
    size_t rows = areas_equal(db2, share, 1, 250);
    assert_true(rows > 20000); /* the areas were not empty */
    /* more ingest (moves, renames, new vessels, a fix lost, a list changed) in the writer's
     * commit, a new generation: both paths follow */
    fleet(db, 3000, 4000);
    exec(db, "UPDATE vessels SET last_time = NULL, last_lat = NULL, last_lon = NULL"
             " WHERE mmsi % 29 = 0");
    exec(db, "DELETE FROM entry_ids WHERE entry = 2 AND norm % 2 = 0");
    rows = areas_equal(db2, share, 2, 250);
    assert_true(rows > 20000);
    /* another process writes, the generation stays: followed as well */
    fleet(db, 9000, 500);
    exec(db, "UPDATE vessels SET name = 'MOVED', last_lat = 35, last_lon = 125 WHERE mmsi % 7 = 0");
    areas_equal(db2, share, 2, 100);
    sw_grid_share_free(share);
    sw_store_close(db2);
    sw_store_close(db);
}

/* Many vessels: the area query on the scan path and on the grid path agree with a count. */
static void vessels_many(void **state)
{
    sqlite3 *db = new_store("many.db");
    exec(db, "BEGIN");
    for (unsigned i = 0; i < 12000; i++) {
        double lat = -60.0 + (double)(i % 120), lon = -180.0 + (double)(i * 7 % 360) + 0.5;
        add_vessel(db, 200000000 + i, "V", 0, lat, lon, T0, T0);
    }
    exec(db, "COMMIT");
    struct sw_vessel_filter f = vf();
    f.bbox = (struct sw_bbox){1, -90, -180, 90, 180}; /* scan path */
    assert_int_equal(vq(db, f)->n, 12000);
    f.bbox = (struct sw_bbox){1, 0, 100, 9.9, 140}; /* grid path */
    size_t want = 0;
    for (unsigned i = 0; i < 12000; i++) {
        double lat = -60.0 + (double)(i % 120), lon = -180.0 + (double)(i * 7 % 360) + 0.5;
        want += lat >= 0 && lat <= 9.9 && lon >= 100 && lon <= 140;
    }
    struct vlist *l = vq(db, f);
    assert_int_equal(l->n, want);
    for (size_t i = 1; i < l->n; i++)
        assert_true(l->mmsi[i - 1] < l->mmsi[i]);
    /* paging through the area gives the same vessels */
    size_t got = 0;
    char after[SW_CURSOR_MAX] = "";
    for (;;) {
        f.limit = 7;
        f.after = *after ? after : NULL;
        l = vq(db, f);
        got += l->n;
        if (l->n < 7) break;
        snprintf(after, sizeof after, "%s", l->last);
    }
    assert_int_equal(got, want);
    sw_store_close(db);
}

/* ------------------------------------------------------------------ identities, track */

struct count {
    size_t n;
    int64_t first, last;
};

static int idcount(void *ctx, const struct sw_identity_row *r)
{
    struct count *c = ctx;
    if (!c->n) c->first = r->seq;
    c->n++;
    c->last = r->mmsi;
    return 0;
}

static int tcount(void *ctx, const struct sw_track_point *p)
{
    struct count *c = ctx;
    if (!c->n) c->first = p->t;
    if (c->n && p->t <= c->last) fail_msg("track not in time order");
    c->last = p->t;
    c->n++;
    return 0;
}

static void identities_track(void **state)
{
    sqlite3 *db = vessel_store();
    struct count c = {0};
    assert_int_equal(sw_query_identities(db, 412000001, 0, idcount, &c, NULL), SW_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.first, 1);
    c = (struct count){0};
    assert_int_equal(sw_query_identities(db, 0, 9999999, idcount, &c, NULL), SW_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.last, 412000001);
    assert_int_equal(sw_query_identities(db, 0, 0, idcount, &c, NULL), SW_EINVAL);
    exec(db, "BEGIN");
    for (int i = 0; i < 1000; i++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "INSERT INTO track(mmsi, t, lat, lon, sog) VALUES(412000001, %lld, 39, 125, 1)",
                 T0 + i * 60000LL);
        exec(db, sql);
    }
    exec(db, "COMMIT");
    struct sw_track_filter f = {412000001, SW_TIME_NONE, SW_TIME_NONE, 0};
    c = (struct count){0};
    assert_int_equal(sw_query_track(db, &f, tcount, &c, NULL), SW_OK);
    assert_int_equal(c.n, 1000);
    f.from = T0 + 100 * 60000LL;
    f.to = T0 + 199 * 60000LL;
    c = (struct count){0};
    assert_int_equal(sw_query_track(db, &f, tcount, &c, NULL), SW_OK);
    assert_int_equal(c.n, 100);
    f = (struct sw_track_filter){412000001, SW_TIME_NONE, SW_TIME_NONE, 150};
    c = (struct count){0};
    assert_int_equal(sw_query_track(db, &f, tcount, &c, NULL), SW_OK);
    assert_int_equal(c.n, 150); /* thinned evenly, the first and last kept */
    assert_int_equal(c.first, T0);
    assert_int_equal(c.last, T0 + 999 * 60000LL);
    sw_store_close(db);
}

/* ---------------------------------------------------------------- designated vessels */

struct dlist {
    char refs[8][16];
    size_t n, names[8], imos[8];
};

static int dcollect(void *ctx, const struct sw_designated_row *d)
{
    struct dlist *l = ctx;
    snprintf(l->refs[l->n], sizeof l->refs[0], "%s", d->ref);
    l->names[l->n] = d->n_names;
    l->imos[l->n] = d->n_imos;
    if (!strcmp(d->ref, "KPi.001")) {
        assert_string_equal(d->names[0], "KUM SAN"); /* primary first, then the others once */
        assert_string_equal(d->names[1], "GOLDEN MOUNTAIN");
        assert_int_equal(d->imo, 9123456);
        assert_true(d->imo_valid);
        assert_int_equal(d->imos[1], 1234567);
        assert_string_equal(d->callsign, "HMAB");
        assert_string_equal(d->vessel_type, "Tanker");
    }
    l->n++;
    return 0;
}

static void designated(void **state)
{
    sqlite3 *db = vessel_store();
    struct dlist l = {0};
    assert_int_equal(sw_query_designated(db, NULL, dcollect, &l, NULL), SW_OK);
    assert_int_equal(l.n, 2); /* active vessels only, in (list, ref) order */
    assert_string_equal(l.refs[0], "KPi.001");
    assert_int_equal(l.names[0], 2);
    assert_int_equal(l.imos[0], 2);
    struct sw_designated_filter f = {.include_removed = 1};
    memset(&l, 0, sizeof l);
    sw_query_designated(db, &f, dcollect, &l, NULL);
    assert_int_equal(l.n, 3);
    f = (struct sw_designated_filter){.programme = "DPRK3"};
    memset(&l, 0, sizeof l);
    sw_query_designated(db, &f, dcollect, &l, NULL);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.refs[0], "KPi.002");
    f = (struct sw_designated_filter){.imo = 1234567};
    memset(&l, 0, sizeof l);
    sw_query_designated(db, &f, dcollect, &l, NULL);
    assert_int_equal(l.n, 1);
    f = (struct sw_designated_filter){.mmsi = 412000002, .list = "ofac"};
    memset(&l, 0, sizeof l);
    sw_query_designated(db, &f, dcollect, &l, NULL);
    assert_int_equal(l.n, 0);
    sw_store_close(db);
    /* a store without lists: no rows, no error */
    sqlite3 *bare;
    char path[512];
    snprintf(path, sizeof path, "%s/bare.db", sw_test_tmpdir());
    remove(path);
    assert_int_equal(sw_store_open(path, &bare, NULL), SW_OK);
    memset(&l, 0, sizeof l);
    assert_int_equal(sw_query_designated(bare, NULL, dcollect, &l, NULL), SW_OK);
    assert_int_equal(l.n, 0);
    sw_store_close(bare);
}

/* When a designation happened, as far as the store tells (query.h: listed_by, listed_after). */
struct window {
    char ref[16];
    int64_t by, after;
};
struct windows {
    struct window w[8];
    size_t n;
};

static int wcollect(void *ctx, const struct sw_designated_row *d)
{
    struct windows *l = ctx;
    if (l->n < 8) {
        snprintf(l->w[l->n].ref, sizeof l->w[0].ref, "%s", d->ref);
        l->w[l->n].by = d->listed_by;
        l->w[l->n++].after = d->listed_after;
    }
    return 0;
}

static int64_t day(const char *s)
{
    int64_t ms;
    assert_int_equal(sw_time_parse(s, strlen(s), &ms), SW_OK);
    return ms;
}

static void designation_window(void **state)
{
    (void)state;
    sqlite3 *db = new_store("window.db");
    exec(db, "BEGIN");
    exec(db, "INSERT INTO list_editions(id, list, edition, format, files, sha256, imported_at)"
             " VALUES(1, 'ofac_sdn', '2020-01-01', 'ofac_csv', 'x', 'x', 'x'),"
             "(2, 'ofac_sdn', '2024-05-03', 'ofac_csv', 'x', 'x', 'x'),"
             "(3, 'un_sc', '2026-02-27', 'un_xml', 'x', 'x', 'x')");
    exec(db, "INSERT INTO entries(id, list, ref, type, name, programmes, listed_on,"
             " content_sha256, first_edition, last_edition, active) VALUES"
             /* in the 2024 edition, not the 2020 one; EO 14024 began 2021-04-15 */
             "(1, 'ofac_sdn', '1', 'vessel', 'A', 'RUSSIA-EO14024', NULL, 'x', 2, 2, 1),"
             /* EO 13224 began in 2001: the edition before bounds it */
             "(2, 'ofac_sdn', '2', 'vessel', 'B', 'SDGT', NULL, 'x', 2, 2, 1),"
             /* in the first edition imported, under a programme of no known start */
             "(3, 'ofac_sdn', '3', 'vessel', 'C', 'IRAN', NULL, 'x', 1, 2, 1),"
             /* several programmes: designated under one, so after the first to begin */
             "(4, 'ofac_sdn', '4', 'vessel', 'D', 'DPRK3] [DPRK4', NULL, 'x', 1, 2, 1),"
             /* the UN gives the day */
             "(5, 'un_sc', '5', 'vessel', 'E', 'DPRK', '2016-03-02', 'x', 3, 3, 1)");
    exec(db, "COMMIT");
    struct windows l = {0};
    assert_int_equal(sw_query_designated(db, NULL, wcollect, &l, NULL), SW_OK);
    assert_int_equal(l.n, 5);
    assert_true(l.w[0].after == day("2021-04-15") && l.w[0].by == day("2024-05-03"));
    assert_true(l.w[1].after == day("2020-01-01") && l.w[1].by == day("2024-05-03"));
    assert_true(l.w[2].after == SW_TIME_NONE && l.w[2].by == day("2020-01-01"));
    assert_true(l.w[3].after == day("2016-03-15") && l.w[3].by == day("2020-01-01"));
    assert_true(l.w[4].after == day("2016-03-02") && l.w[4].by == day("2016-03-02"));
    /* the programme table itself: US lists only, every tag known or no bound */
    assert_true(sw_lists_programmes_start("ofac_sdn", "NPWMD] [IFSR") == day("2005-06-28"));
    assert_true(sw_lists_programmes_start("ofac_sdn", "IRAN] [NPWMD] [IFSR") == SW_TIME_NONE);
    assert_true(sw_lists_programmes_start("un_sc", "RUSSIA-EO14024") == SW_TIME_NONE);
    assert_true(sw_lists_programmes_start("ofac_sdn", "") == SW_TIME_NONE);
    sw_store_close(db);
}

/* ------------------------------------------------------------------------------ events */

/* Record one event (the ledger's record path fills the index). */
static void record(sqlite3 *db, const char *json)
{
    json_error_t je;
    json_t *ev = json_loads(json, 0, &je);
    if (!ev) fail_msg("bad fixture: %s", je.text);
    struct sw_ledger *lg;
    struct sw_ledger_rec r;
    assert_int_equal(sw_ledger_open(db, &lg), SW_OK);
    exec(db, "BEGIN IMMEDIATE");
    assert_int_equal(sw_ledger_record_events(lg, &ev, 1, &r), SW_OK);
    assert_int_equal(r.err, SW_OK);
    exec(db, "COMMIT");
    sw_ledger_close(lg);
    json_decref(ev);
}

#define EV(id, type, start, end, lat, lon, conf, mmsi, extra)                                      \
    "{\"id\":\"" id "\",\"type\":\"" type "\",\"start\":\"" start "\",\"end\":" end                \
    ",\"lat\":" lat ",\"lon\":" lon ",\"confidence\":" conf ",\"vessels\":[{\"mmsi\":" mmsi        \
    "}]" extra "}"

static sqlite3 *event_store(void)
{
    sqlite3 *db = new_store("events.db");
    /* a: encounter (rank 2) published ongoing, then completed by a2 */
    record(db, EV("a", "encounter", "2024-03-01T01:00:00Z", "null", "39", "125", "0.8", "412000001",
                  ",\"ongoing\":true"));
    /* b: listed_vessel (rank 1) */
    record(db, EV("b", "listed_vessel", "2024-03-01T05:00:00Z", "\"2024-03-01T05:00:00Z\"", "39.5",
                  "179.5", "0.95", "412000002", ""));
    /* c: loitering (rank 3) ongoing, then withdrawn by c2 */
    record(db, EV("c", "loitering", "2024-03-01T02:00:00Z", "null", "10", "-179.5", "0.7",
                  "412000003", ",\"ongoing\":true"));
    /* d: ais_gap, reception unknown (rank 4) */
    record(db, EV("d", "ais_gap", "2024-03-02T00:00:00Z", "\"2024-03-02T20:00:00Z\"", "-10", "0",
                  "0.4", "273000005", ",\"details\":{\"reception\":\"unknown\"}"));
    /* e: encounter (rank 2) of lower confidence than a, earlier */
    record(db, EV("e", "encounter", "2024-03-01T00:00:00Z", "\"2024-03-01T03:00:00Z\"", "30", "120",
                  "0.6", "412000001", ""));
    record(db, EV("a2", "encounter", "2024-03-01T01:00:00Z", "\"2024-03-01T04:00:00Z\"", "39",
                  "125", "0.9", "412000001", ",\"completes\":\"a\""));
    record(db, EV("c2", "loitering", "2024-03-01T02:00:00Z", "\"2024-03-01T03:00:00Z\"", "10",
                  "-179.5", "0.7", "412000003",
                  ",\"completes\":\"c\",\"withdrawn\":true,\"details\":{\"reason\":\"short\"}"));
    return db;
}

struct elist {
    char ids[32][8];
    int records[32], ongoing[32];
    size_t n;
    char last[SW_CURSOR_MAX];
};

static int ecollect(void *ctx, const struct sw_event_row *e)
{
    struct elist *l = ctx;
    snprintf(l->ids[l->n], sizeof l->ids[0], "%s", e->id);
    l->records[l->n] = e->records;
    l->ongoing[l->n] = e->ongoing;
    snprintf(l->last, sizeof l->last, "%s", e->cursor);
    /* the event as recorded: evidence.leaf is this record's leaf */
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(e->event, "evidence"), "leaf")),
        e->leaf);
    l->n++;
    return 0;
}

static struct sw_event_filter ef(void)
{
    return (struct sw_event_filter){
        .from = SW_TIME_NONE, .to = SW_TIME_NONE, .order = SW_ORDER_SIGNIFICANCE};
}

/* Append ",id" (or "id" to an empty list) to out of size n. */
static void join(char *out, size_t n, const char *id)
{
    size_t len = strlen(out);
    snprintf(out + len, n - len, "%s%s", len ? "," : "", id);
}

/* The ids of the rows, comma-separated. */
static const char *eq(sqlite3 *db, struct sw_event_filter f)
{
    static char out[256];
    struct elist l = {0};
    char err[SW_ERRMAX] = "";
    int rc = sw_query_events(db, &f, ecollect, &l, err);
    if (rc) fail_msg("sw_query_events: %d %s", rc, err);
    out[0] = '\0';
    for (size_t i = 0; i < l.n; i++)
        join(out, sizeof out, l.ids[i]);
    return out;
}

static void events_views(void **state)
{
    sqlite3 *db = event_store();
    struct sw_event_filter f = ef();
    /* incidents: a as a2 (its latest), c withdrawn and left out; significance order */
    assert_string_equal(eq(db, f), "b,a2,e,d");
    f.order = SW_ORDER_TIME;
    assert_string_equal(eq(db, f), "e,a2,b,d");
    f.records = 1;
    assert_string_equal(eq(db, f), "e,a,a2,c,c2,b,d"); /* start, then id */
    f.order = SW_ORDER_LEDGER;
    assert_string_equal(eq(db, f), "a,b,c,d,e,a2,c2");
    f = ef();
    f.withdrawn = 1;
    assert_string_equal(eq(db, f), "c2");
    /* the incidents view as of a ledger size before the completion: a, ongoing */
    f = ef();
    f.ledger_size = 5;
    f.order = SW_ORDER_TIME;
    assert_string_equal(eq(db, f), "e,a,c,b,d");
    struct elist l = {0};
    sw_query_events(db, &f, ecollect, &l, NULL);
    assert_int_equal(l.ongoing[1], 1);
    /* one incident: every record in leaf order, by any record's id */
    memset(&l, 0, sizeof l);
    assert_int_equal(sw_query_incident(db, "a2", ecollect, &l, NULL), SW_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.ids[0], "a");
    assert_int_equal(l.records[0], 2);
    assert_int_equal(sw_query_incident(db, "zz", ecollect, &l, NULL), SW_ENOTFOUND);
    sw_store_close(db);
}

static void events_filters(void **state)
{
    sqlite3 *db = event_store();
    struct sw_event_filter f = ef();
    const char *types[] = {"encounter", "ais_gap"};
    f.types = types;
    f.ntypes = 2;
    f.order = SW_ORDER_TIME;
    assert_string_equal(eq(db, f), "e,a2,d");
    f = ef();
    f.order = SW_ORDER_TIME;
    f.from = T0 + 3 * HOUR + 30 * 60000; /* overlap: e ended at 03:00, a2 at 04:00 */
    f.to = T0 + 6 * HOUR;
    assert_string_equal(eq(db, f), "a2,b");
    f.records = 1; /* the ongoing record a lasts until now; c too */
    assert_string_equal(eq(db, f), "a,a2,c,b");
    f = ef();
    f.bbox = (struct sw_bbox){1, 0, 179, 45, -179}; /* across the antimeridian */
    f.records = 1;
    f.order = SW_ORDER_LEDGER;
    assert_string_equal(eq(db, f), "b,c,c2");
    f = ef();
    f.mmsi = 412000001;
    assert_string_equal(eq(db, f), "a2,e");
    f = ef();
    f.min_confidence = 0.7;
    assert_string_equal(eq(db, f), "b,a2");
    f = ef();
    f.max_rank = 2;
    assert_string_equal(eq(db, f), "b,a2,e");
    f = ef();
    f.review = "confirmed"; /* no reviews yet */
    assert_string_equal(eq(db, f), "");
    f.review = "unreviewed";
    assert_string_equal(eq(db, f), "b,a2,e,d");
    f.review = "maybe";
    char err[SW_ERRMAX];
    struct elist l = {0};
    assert_int_equal(sw_query_events(db, &f, ecollect, &l, err), SW_EINVAL);
    f = ef();
    f.min_confidence = 2;
    assert_int_equal(sw_query_events(db, &f, ecollect, &l, err), SW_EINVAL);
    uint64_t counts[3];
    const char *ct[] = {"encounter", "loitering", "listed_vessel"};
    f = ef();
    assert_int_equal(sw_query_event_counts(db, &f, ct, 3, counts, NULL), SW_OK);
    assert_true(counts[0] == 2 && counts[1] == 0 && counts[2] == 1);
    f.records = 1;
    assert_int_equal(sw_query_event_counts(db, &f, ct, 3, counts, NULL), SW_OK);
    assert_true(counts[0] == 3 && counts[1] == 2 && counts[2] == 1);
    sw_store_close(db);
}

/* Pages of 2 while records are appended between pages (a completion of an incident not yet
 * paged, a new incident that would lead the order): the pages give exactly the listing taken
 * before the appends, no row twice, none missing. */
static void events_paging_stable(void **state)
{
    sqlite3 *db = event_store();
    for (int order = 0; order < 2; order++) {
        struct sw_event_filter f = ef();
        f.order = order ? SW_ORDER_SIGNIFICANCE : SW_ORDER_TIME;
        f.records = order;
        char before[256], paged[256] = "", cursor[SW_CURSOR_MAX] = "";
        snprintf(before, sizeof before, "%s", eq(db, f));
        int page = 0;
        for (;;) {
            struct elist l = {0};
            f.limit = 2;
            f.after = *cursor ? cursor : NULL;
            assert_int_equal(sw_query_events(db, &f, ecollect, &l, NULL), SW_OK);
            for (size_t i = 0; i < l.n; i++)
                join(paged, sizeof paged, l.ids[i]);
            if (l.n < 2) break;
            snprintf(cursor, sizeof cursor, "%s", l.last);
            char id[16], json[512];
            snprintf(id, sizeof id, "n%d%d", order, page++);
            snprintf(json, sizeof json,
                     EV("%s", "listed_vessel", "2024-03-05T00:00:00Z", "\"2024-03-05T01:00:00Z\"",
                        "1", "1", "1", "1", ""),
                     id);
            record(db, json);
            record(db, EV("d2", "ais_gap", "2024-03-02T00:00:00Z", "\"2024-03-02T21:00:00Z\"",
                          "-10", "0", "0.99", "273000005", ",\"completes\":\"d\""));
        }
        assert_string_equal(paged, before);
        /* a cursor of another order is refused */
        f.order = order ? SW_ORDER_TIME : SW_ORDER_SIGNIFICANCE;
        struct elist l = {0};
        assert_int_equal(sw_query_events(db, &f, ecollect, &l, NULL), SW_EINVAL);
    }
    sw_store_close(db);
}

/* A store whose events were recorded before migration 3: the migration indexes them by the
 * same code as the record path. Simulated by dropping what migration 3 added. */
static void ledger_backfill(void **state)
{
    sqlite3 *db = event_store();
    struct sw_event_filter f = ef();
    f.records = 1;
    f.order = SW_ORDER_SIGNIFICANCE;
    char want[256], want_inc[256];
    snprintf(want, sizeof want, "%s", eq(db, f));
    snprintf(want_inc, sizeof want_inc, "%s", eq(db, ef()));
    sw_query_cache_free(db);
    exec(db, "DROP INDEX events_incident; DROP TABLE event_vessels;" /* events_start: 6 */
             "ALTER TABLE events DROP COLUMN incident; ALTER TABLE events DROP COLUMN rank;"
             "ALTER TABLE events DROP COLUMN lat; ALTER TABLE events DROP COLUMN lon;"
             "ALTER TABLE events DROP COLUMN confidence; ALTER TABLE events DROP COLUMN ongoing;"
             "ALTER TABLE events DROP COLUMN withdrawn;"
             "DROP TABLE ledger_reviews; DROP TABLE ledger_incidents;" /* migrations 4, 5 */
             "DELETE FROM schema_migrations WHERE module = 'ledger' AND version >= 3");
    assert_int_equal(sw_ledger_migrate(db), SW_OK);
    assert_string_equal(eq(db, f), want);
    assert_string_equal(eq(db, ef()), want_inc);
    f = ef();
    f.mmsi = 412000001;
    assert_string_equal(eq(db, f), "a2,e");
    /* read-only opening of such a store brings it up to date first */
    char path[512];
    snprintf(path, sizeof path, "%s", store_path);
    sw_query_cache_free(db);
    exec(db, "DROP INDEX events_incident; DROP TABLE event_vessels;" /* events_start: 6 */
             "ALTER TABLE events DROP COLUMN incident; ALTER TABLE events DROP COLUMN rank;"
             "ALTER TABLE events DROP COLUMN lat; ALTER TABLE events DROP COLUMN lon;"
             "ALTER TABLE events DROP COLUMN confidence; ALTER TABLE events DROP COLUMN ongoing;"
             "ALTER TABLE events DROP COLUMN withdrawn;"
             "DROP TABLE ledger_reviews; DROP TABLE ledger_incidents;" /* migrations 4, 5 */
             "DELETE FROM schema_migrations WHERE module = 'ledger' AND version >= 3");
    sw_store_close(db);
    assert_int_equal(sw_query_open(path, &db, NULL), SW_OK);
    assert_string_equal(eq(db, ef()), want_inc);
    assert_int_not_equal(sw_store_exec(db, "DELETE FROM events"), SW_OK); /* read-only */
    sw_store_close(db);
    char err[SW_ERRMAX];
    snprintf(path, sizeof path, "%s/nonexistent.db", sw_test_tmpdir());
    assert_int_equal(sw_query_open(path, &db, err), SW_ENOTFOUND);
    assert_non_null(strstr(err, "No such file"));
}

/* --------------------------------------------------- incidents of the current ledger */

static unsigned rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

#define MAX_MADE 2000
static char made[MAX_MADE]; /* made[k]: the k-th record was a new incident "i<k>" */

/* A new incident recorded before the k-th record (the first is one). */
static unsigned earlier(unsigned *seed, int k)
{
    unsigned of;
    do
        of = rnd(seed) % (unsigned)k;
    while (!made[of]);
    return of;
}

/* Record n events of a made-up store, in transactions of 50: new incidents (some ongoing,
 * some without a start, a place or a confidence: the NULL sort keys), records completing an
 * earlier incident (several per incident, some withdrawing it, the type changing sometimes),
 * and every 15th an analyst's review of an earlier record. Ids and keys repeat on purpose:
 * ties in every sort key. */
static void incidents_append(sqlite3 *db, unsigned *seed, int first, int n)
{
    static const char *const types[] = {"encounter", "listed_vessel", "loitering", "ais_gap"};
    static const char *const decisions[] = {"confirm", "dismiss", "annotate"};
    static const char *const lats[] = {"-10", "10", "39", "39.5"};
    static const char *const lons[] = {"-179.5", "0", "125", "179.5"};
    static const char *const confs[] = {"0.4", "0.7", "0.9"};
    struct sw_ledger *lg;
    assert_true(first + n <= MAX_MADE);
    if (!first) memset(made, 0, sizeof made);
    assert_int_equal(sw_ledger_open(db, &lg), SW_OK);
    exec(db, "BEGIN IMMEDIATE");
    for (int k = first; k < first + n; k++) {
        char id[32], json[1024], *p = json;
        size_t left = sizeof json;
        int w, day = 1 + (int)(rnd(seed) % 4), hour = (int)(rnd(seed) % 6);
        int ongoing = rnd(seed) % 5 == 0;
        unsigned r = rnd(seed) % 100;
        json_t *ev;
        if (k > 0 && k % 15 == 0) {
            snprintf(id, sizeof id, "i%u", earlier(seed, k));
            assert_int_equal(sw_review_new(id, "ann", decisions[rnd(seed) % 3], "note",
                                           1709280000000LL + k, &ev, NULL),
                             SW_OK);
            goto rec;
        }
        if (k > 0 && r < 35) { /* a record of an earlier incident */
            unsigned of = earlier(seed, k);
            snprintf(id, sizeof id, "i%u-c%d", of, k);
            w = snprintf(p, left, "{\"completes\":\"i%u\",%s", of,
                         rnd(seed) % 4 == 0 ? "\"withdrawn\":true," : "");
        } else {
            snprintf(id, sizeof id, "i%d", k);
            w = snprintf(p, left, "{");
            made[k] = 1;
        }
        p += w, left -= (size_t)w;
        w = snprintf(p, left, "\"id\":\"%s\",\"type\":\"%s\",", id, types[rnd(seed) % 4]);
        p += w, left -= (size_t)w;
        if (rnd(seed) % 10) {
            w = snprintf(p, left, "\"start\":\"2024-03-0%dT%02d:00:00Z\",", day, hour);
            p += w, left -= (size_t)w;
        }
        if (ongoing)
            w = snprintf(p, left, "\"end\":null,\"ongoing\":true,");
        else
            w = snprintf(p, left, "\"end\":\"2024-03-0%dT%02d:00:00Z\",", day,
                         hour + 1 + (int)(rnd(seed) % 6));
        p += w, left -= (size_t)w;
        if (rnd(seed) % 8) {
            w = snprintf(p, left, "\"lat\":%s,\"lon\":%s,", lats[rnd(seed) % 4],
                         lons[rnd(seed) % 4]);
            p += w, left -= (size_t)w;
        }
        if (rnd(seed) % 6) {
            w = snprintf(p, left, "\"confidence\":%s,", confs[rnd(seed) % 3]);
            p += w, left -= (size_t)w;
        }
        if (rnd(seed) % 3 == 0) {
            w = snprintf(p, left, "\"details\":{\"reception\":\"unknown\"},");
            p += w, left -= (size_t)w;
        }
        snprintf(p, left, "\"vessels\":[{\"mmsi\":%u}]}", 412000001 + rnd(seed) % 5);
        json_error_t je;
        if (!(ev = json_loads(json, 0, &je))) fail_msg("bad fixture %s: %s", json, je.text);
    rec:;
        struct sw_ledger_rec res;
        assert_int_equal(sw_ledger_record_events(lg, &ev, 1, &res), SW_OK);
        assert_int_equal(res.err, SW_OK);
        json_decref(ev);
        if ((k + 1) % 50 == 0) exec(db, "COMMIT; BEGIN IMMEDIATE");
    }
    exec(db, "COMMIT");
    sw_ledger_close(lg);
}

struct text {
    char *s;
    size_t len, n;
    char last[SW_CURSOR_MAX];
    int no_review; /* leave out the review state (it follows reviews whatever the size) */
};

static void text_add(struct text *t, const char *what)
{
    size_t k = strlen(what);
    t->s = realloc(t->s, t->len + k + 1);
    assert_non_null(t->s);
    memcpy(t->s + t->len, what, k + 1);
    t->len += k;
}

/* Each row as "id:incident:records:review:leaf@cursor;" */
static int tcollect(void *ctx, const struct sw_event_row *e)
{
    struct text *t = ctx;
    char row[256];
    snprintf(row, sizeof row, "%s:%s:%d:%s:%d%d:%" PRIu64 "@%s;", e->id, e->incident, e->records,
             t->no_review ? "-" : e->review, e->ongoing, e->withdrawn, e->leaf, e->cursor);
    text_add(t, row);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(e->event, "evidence"), "leaf")),
        e->leaf);
    snprintf(t->last, sizeof t->last, "%s", e->cursor);
    t->n++;
    return 0;
}

/* Every page of f in pages of limit (0: one page of all), then the counts per type: the text
 * (malloc'd) of what sw_query_events and sw_query_event_counts gave. */
static char *listing(sqlite3 *db, struct sw_event_filter f, size_t limit, int no_review)
{
    static const char *const types[] = {"encounter", "listed_vessel", "loitering", "ais_gap",
                                        "review"};
    struct text t = {.no_review = no_review};
    char cursor[SW_CURSOR_MAX] = "", err[SW_ERRMAX] = "";
    text_add(&t, "");
    do {
        t.n = 0;
        f.limit = limit;
        f.after = *cursor ? cursor : NULL;
        if (sw_query_events(db, &f, tcollect, &t, err)) fail_msg("sw_query_events: %s", err);
        snprintf(cursor, sizeof cursor, "%s", t.last);
        text_add(&t, "|");
    } while (limit && t.n == limit);
    uint64_t counts[5];
    char c[128];
    f.after = NULL;
    assert_int_equal(sw_query_event_counts(db, &f, types, 5, counts, NULL), SW_OK);
    snprintf(c, sizeof c, "counts %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64,
             counts[0], counts[1], counts[2], counts[3], counts[4]);
    text_add(&t, c);
    return t.s;
}

/* The same listing read by the path of other ledger sizes (every record searched for each
 * incident's latest): inside a savepoint without ledger_incidents, rolled back after. */
static char *listing_by_records(sqlite3 *db, struct sw_event_filter f, size_t limit)
{
    sw_query_cache_free(db);
    exec(db, "SAVEPOINT old; DROP TABLE ledger_incidents");
    char *s = listing(db, f, limit, 0);
    exec(db, "ROLLBACK TO old; RELEASE old");
    sw_query_cache_free(db);
    return s;
}

/* The filters and orders compared: index i of n, or n when i is past the last. */
static int incident_filter(int i, struct sw_event_filter *f)
{
    static const char *const two[] = {"encounter", "ais_gap"};
    static const char *const reviews[] = {"unreviewed", "confirmed", "dismissed", "annotated"};
    enum { FILTERS_N = 12 };
    int fi = i / 6, order = i % 3, withdrawn = (i / 3) % 2;
    *f = ef();
    f->order = (enum sw_event_order)order;
    f->withdrawn = withdrawn;
    switch (fi) {
    case 0:
        break;
    case 1:
        f->types = two, f->ntypes = 2;
        break;
    case 2:
        f->from = T0 + 26 * HOUR, f->to = T0 + 50 * HOUR;
        break;
    case 3:
        f->bbox = (struct sw_bbox){1, 0, 179, 45, -179};
        break;
    case 4:
        f->mmsi = 412000003;
        break;
    case 5:
        f->min_confidence = 0.7;
        break;
    case 6:
        f->max_rank = 2;
        break;
    case 7:
    case 8:
    case 9:
    case 10:
        f->review = reviews[fi - 7];
        break;
    case 11:
        f->from_leaf = 100, f->types = two, f->ntypes = 2, f->min_confidence = 0.5;
        f->bbox = (struct sw_bbox){1, -20, -10, 45, 130};
        break;
    default:
        return FILTERS_N * 6;
    }
    return 0;
}

/* The incidents view of the current ledger read from ledger_incidents gives exactly what the
 * search of every record gives, for every order, filter and paging, withdrawn or not; a
 * cursor taken before appends goes on with the listing it started; after appends (and after
 * the migration filled the table of an older store) the two still agree. */
static void incidents_current(void **state)
{
    sqlite3 *db = new_store("incidents.db");
    unsigned seed = 13;
    incidents_append(db, &seed, 0, 400);
    struct sw_event_filter f;
    int nf = incident_filter(1000, &f), nonempty = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < nf; i++) {
            incident_filter(i, &f);
            for (size_t limit = 0; limit <= 7; limit += 7) {
                char *got = listing(db, f, limit, 0), *want = listing_by_records(db, f, limit);
                size_t at = 0;
                while (got[at] && got[at] == want[at])
                    at++;
                if (got[at] != want[at])
                    fail_msg("pass %d filter %d limit %zu, from byte %zu:\n%.300s\n!=\n%.300s",
                             pass, i, limit, at, got + (at > 60 ? at - 60 : 0),
                             want + (at > 60 ? at - 60 : 0));
                nonempty += strchr(got, ';') != NULL;
                free(got);
                free(want);
            }
        }
        /* an older store: migration 5 fills the table from the records */
        sw_query_cache_free(db);
        exec(db, "DROP TABLE ledger_incidents;"
                 "DELETE FROM schema_migrations WHERE module = 'ledger' AND version >= 5");
        assert_int_equal(sw_ledger_migrate(db), SW_OK);
    }
    assert_true(nonempty > nf); /* the filters are not all empty */
    /* Pages of 7 with appends between them: the pages after the first read the ledger of the
     * first (by records), and give the listing taken before (the review state aside: it
     * follows the reviews recorded since, at any size); a new first page reads the
     * table, which the appends kept (completions of incidents paged or not, new incidents,
     * withdrawals): the same as the search of every record, and not what it was before. */
    int next = 400;
    for (int i = 0; i < 6; i++) {
        incident_filter(i, &f);
        char *before = listing(db, f, 0, 1), cursor[SW_CURSOR_MAX] = "";
        struct text t = {.no_review = 1};
        text_add(&t, "");
        do {
            t.n = 0;
            f.limit = 7;
            f.after = *cursor ? cursor : NULL;
            assert_int_equal(sw_query_events(db, &f, tcollect, &t, NULL), SW_OK);
            snprintf(cursor, sizeof cursor, "%s", t.last);
            incidents_append(db, &seed, next, 3);
            next += 3;
        } while (t.n == 7);
        f.limit = 0;
        f.after = NULL;
        char *bar = strchr(before, '|'); /* the rows, then the counts */
        assert_non_null(bar);
        *bar = '\0';
        assert_string_equal(t.s, before);
        char *got = listing(db, f, 7, 0), *want = listing_by_records(db, f, 7);
        assert_string_equal(got, want);
        free(before);
        before = listing(db, f, 0, 1);
        assert_true(strncmp(t.s, before, strlen(t.s)) != 0);
        free(t.s);
        free(before);
        free(got);
        free(want);
    }
    sw_store_close(db);
}

/* ------------------------------------------------------------------------------ reviews */

static int review_rec(sqlite3 *db, const char *event, const char *analyst, const char *decision,
                      const char *note, int64_t t)
{
    json_t *rv;
    struct sw_ledger *lg;
    struct sw_ledger_rec r;
    assert_int_equal(sw_review_new(event, analyst, decision, note, t, &rv, NULL), SW_OK);
    assert_int_equal(sw_ledger_open(db, &lg), SW_OK);
    exec(db, "BEGIN IMMEDIATE");
    assert_int_equal(sw_ledger_record_events(lg, &rv, 1, &r), SW_OK);
    exec(db, "COMMIT");
    sw_ledger_close(lg);
    json_decref(rv);
    return r.err;
}

struct rlist {
    char s[512];
    size_t n;
};

static int rcollect(void *ctx, const struct sw_review_row *r)
{
    struct rlist *l = ctx;
    size_t len = strlen(l->s);
    snprintf(l->s + len, sizeof l->s - len, "%s%s:%s:%s:%s", l->n++ ? "," : "", r->incident,
             r->decision, r->analyst, r->note);
    assert_string_equal(json_string_value(json_object_get(r->record, "type")), "review");
    return 0;
}

static const char *rq(sqlite3 *db, const char *event, uint64_t from)
{
    static struct rlist l;
    struct sw_review_filter f = {event, from, 0};
    memset(&l, 0, sizeof l);
    assert_int_equal(sw_query_reviews(db, &f, rcollect, &l, NULL), SW_OK);
    return l.s;
}

static void reviews(void **state)
{
    sqlite3 *db = event_store();
    const int64_t t = 1709280000000LL;
    struct sw_event_filter f = ef();
    json_t *rv;
    char err[SW_ERRMAX];
    /* building: every part checked */
    assert_int_equal(sw_review_new("a", "ann", "approve", "", t, &rv, err), SW_EINVAL);
    assert_non_null(strstr(err, "decision"));
    assert_int_equal(sw_review_new("a", "", "confirm", "", t, &rv, err), SW_EINVAL);
    assert_int_equal(sw_review_new("a", "ann", "annotate", "", t, &rv, err), SW_EINVAL);
    assert_int_equal(sw_review_new("a", "a\x01", "confirm", "", t, &rv, err), SW_EINVAL);
    assert_int_equal(sw_review_new("a", "ann", "confirm", "bad \xff utf-8", t, &rv, err),
                     SW_EINVAL);
    /* a review of a record that is not in the ledger is refused, nothing appended */
    assert_int_equal(review_rec(db, "nosuch", "ann", "confirm", "", t), SW_ENOTFOUND);
    f.review = "unreviewed";
    assert_string_equal(eq(db, f), "b,a2,e,d");
    /* a review of the first record of a reviews the incident (a2 is its latest record) */
    assert_int_equal(review_rec(db, "a", "ann", "confirm", "seen <b>alongside</b>", t), SW_OK);
    assert_int_equal(review_rec(db, "e", "bob", "annotate", "check the draught", t + 1), SW_OK);
    assert_int_equal(review_rec(db, "d", "bob", "confirm", "", t + 2), SW_OK);
    assert_int_equal(review_rec(db, "d", "ann", "dismiss", "receiver outage", t + 3), SW_OK);
    assert_int_equal(review_rec(db, "d", "cy", "annotate", "noted", t + 4), SW_OK);
    /* reviews are records, but not events: the views are unchanged */
    f = ef();
    assert_string_equal(eq(db, f), "b,a2,e,d");
    f.records = 1;
    f.order = SW_ORDER_LEDGER;
    assert_string_equal(eq(db, f), "a,b,c,d,e,a2,c2");
    /* the review state: latest confirm or dismiss, else annotated */
    f = ef();
    f.review = "confirmed";
    assert_string_equal(eq(db, f), "a2");
    f.review = "dismissed";
    assert_string_equal(eq(db, f), "d");
    f.review = "annotated";
    assert_string_equal(eq(db, f), "e");
    f.review = "unreviewed";
    assert_string_equal(eq(db, f), "b");
    f.review = "confirm";
    assert_int_equal(sw_query_events(db, &f, ecollect, &(struct elist){0}, err), SW_EINVAL);
    /* listing: by any record of the incident, from a leaf */
    assert_string_equal(rq(db, "a2", 0), "a:confirm:ann:seen <b>alongside</b>");
    assert_string_equal(rq(db, "d", 0),
                        "d:confirm:bob:,d:dismiss:ann:receiver outage,d:annotate:cy:noted");
    assert_string_equal(rq(db, NULL, 10), "d:dismiss:ann:receiver outage,d:annotate:cy:noted");
    /* a review of a review is refused; the same review again is the same record */
    struct rlist l = {0};
    struct sw_review_filter all = {NULL, 0, 1};
    char rid[64] = "";
    assert_int_equal(sw_query_reviews(db, &all, rcollect, &l, NULL), SW_OK);
    assert_int_equal(l.n, 1);
    assert_int_equal(review_rec(db, "a", "ann", "confirm", "seen <b>alongside</b>", t), SW_OK);
    assert_string_equal(rq(db, "a", 0), "a:confirm:ann:seen <b>alongside</b>");
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM ledger_reviews LIMIT 1", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(rid, sizeof rid, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    assert_int_equal(review_rec(db, rid, "ann", "confirm", "", t), SW_ENOTFOUND);
    /* an older store: migration 4 rebuilds the table from the review records */
    sw_query_cache_free(db);
    exec(db, "DROP TABLE ledger_reviews; DROP TABLE ledger_incidents;" /* and 5, after it */
             "DELETE FROM schema_migrations WHERE module = 'ledger' AND version >= 4");
    assert_int_equal(sw_ledger_migrate(db), SW_OK);
    assert_string_equal(rq(db, "d", 0),
                        "d:confirm:bob:,d:dismiss:ann:receiver outage,d:annotate:cy:noted");
    f.review = "dismissed";
    assert_string_equal(eq(db, f), "d");
    sw_store_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vessels_filters),     cmocka_unit_test(vessels_bbox),
        cmocka_unit_test(vessels_bbox_shared), cmocka_unit_test(vessels_shared_builder),
        cmocka_unit_test(vessels_many),        cmocka_unit_test(vessels_snapshot_equal),
        cmocka_unit_test(identities_track),    cmocka_unit_test(designated),
        cmocka_unit_test(designation_window),  cmocka_unit_test(events_views),
        cmocka_unit_test(events_filters),      cmocka_unit_test(events_paging_stable),
        cmocka_unit_test(ledger_backfill),     cmocka_unit_test(reviews),
        cmocka_unit_test(incidents_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
