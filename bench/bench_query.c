/*
 * bench_query [VESSELS]: the area query of sw_query_vessels on a store of VESSELS (100,000)
 * vessels spread over the world's seas, beside what it replaces and what it avoids, in one run:
 *   write   storing every vessel's row once (the ingest's INSERT OR REPLACE, in MMSI order)
 *           into a plain table, into one with a B-tree index on the latest position, and into
 *           one whose R*Tree is kept by triggers: the cost a writer-kept index puts on every
 *           analyze run, which the reader's grid does not;
 *   grid    the first area query on a connection (the grid of latest fixes is built);
 *   area    a 5 x 5 degree area query (the grid path: its vessels' rows only), median of 50;
 *   scan    the same area by a plain SQL filter, no index (every vessel row read), median of 50;
 *   world   the whole world (the scan path), median of 10;
 *   shared  the service's snapshot (sw_grid_share): built at a new generation (median of 5),
 *           the 5 x 5 area from it (median of 50), every vessel from it and by SQL.
 * CPU time (CLOCK_PROCESS_CPUTIME_ID); the machine is shared, so wall time means little.
 *
 * bench_query events [RECORDS] [DB]: the events listing (sw_query_events, incidents view) on a
 * ledger of RECORDS (200,000) event records, about 85% new incidents and 15% records completing
 * or withdrawing an earlier one, appended in transactions of 10,000 (the append rate, with
 * ledger_incidents kept, is printed); then, each through sw_query_events and compared row for
 * row: the first page of 50 in significance order and in time order, a page 100 pages deep,
 * the counts per type, one vessel's and a filtered first page, read from ledger_incidents (the
 * current ledger) and by the search of every record that answered before it and still answers
 * other ledger sizes (the same calls inside a savepoint without the table). With DB the store
 * is kept there; RECORDS 0 reads the store DB holds without appending.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/query.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int count_row(void *ctx, const struct sw_vessel_row *v)
{
    (*(size_t *)ctx)++;
    return 0;
}

static void must(sqlite3 *db, const char *sql)
{
    if (sw_store_exec(db, sql)) {
        fprintf(stderr, "bench_query: %s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
}

/* A store at path with n vessels (variant 0 plain, 1 B-tree index, 2 R*Tree by trigger);
 * returns the CPU ms of writing the rows. */
static double build(const char *path, size_t n, int variant)
{
    sqlite3 *db;
    unlink(path);
    if (sw_store_open(path, &db, NULL) || sw_ingest_migrate(db)) exit(1);
    if (variant == 1) must(db, "CREATE INDEX vessels_pos ON vessels(last_lat, last_lon)");
    if (variant == 2)
        must(db, "CREATE VIRTUAL TABLE vessels_at USING rtree(mmsi, minlat, maxlat, minlon,"
                 " maxlon);"
                 "CREATE TRIGGER vessels_at_ins AFTER INSERT ON vessels BEGIN"
                 " DELETE FROM vessels_at WHERE mmsi = new.mmsi;"
                 " INSERT INTO vessels_at SELECT new.mmsi, new.last_lat, new.last_lat,"
                 " new.last_lon, new.last_lon WHERE new.last_lat IS NOT NULL; END");
    sqlite3_stmt *st;
    sw_store_prepare(db, &st,
                     "INSERT OR REPLACE INTO vessels(mmsi, name, first_seen, last_seen, positions,"
                     " statics, last_time, last_lat, last_lon, last_sog) VALUES(?1, 'VESSEL', 0,"
                     " 0, 1, 0, 0, ?2, ?3, 1)");
    srand(7);
    double t0 = cpu_ms();
    must(db, "BEGIN");
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, 200000000 + (sqlite3_int64)i);
        sqlite3_bind_double(st, 2, -70 + 140.0 * rand() / RAND_MAX);
        sqlite3_bind_double(st, 3, -180 + 360.0 * rand() / RAND_MAX);
        if (sw_store_step(st)) exit(1);
    }
    must(db, "COMMIT");
    double ms = cpu_ms() - t0;
    sqlite3_finalize(st);
    sw_store_close(db);
    return ms;
}

/* Median CPU ms of reps area queries; *rows gets the rows of one. With share, from its
 * snapshot of generation gen, or of a new generation each time (gen 0: a new snapshot built). */
static double area_shared(sqlite3 *db, struct sw_bbox b, int reps, size_t *rows,
                          struct sw_grid_share *share, uint64_t gen)
{
    double t[64];
    static uint64_t next = 100;
    for (int r = 0; r < reps; r++) {
        struct sw_vessel_filter f = {.bbox = b, .seen_from = SW_TIME_NONE, .seen_to = SW_TIME_NONE};
        f.grid_share = share;
        f.generation = gen ? gen : next++;
        size_t n = 0;
        double t0 = cpu_ms();
        if (sw_query_vessels(db, &f, count_row, &n, NULL)) exit(1);
        t[r] = cpu_ms() - t0;
        *rows = n;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_d);
    return t[reps / 2];
}

static double area(sqlite3 *db, struct sw_bbox b, int reps, size_t *rows)
{
    return area_shared(db, b, reps, rows, NULL, 0);
}

/* The service's way (sw_grid_share): the snapshot of every vessel's row built at each new
 * generation, then areas, and every vessel (the dashboard's list), answered from it. */
static void shared(sqlite3 *db, struct sw_bbox korea, size_t rows)
{
    struct sw_grid_share *share;
    struct sw_bbox none = {0};
    size_t n = 0, all = 0;
    if (sw_grid_share_new(&share)) exit(1);
    double build = area_shared(db, korea, 5, &n, share, 0);
    double a = area_shared(db, korea, 50, &n, share, 1000);
    double every = area_shared(db, none, 10, &all, share, 1000);
    double sql = area(db, none, 5, &all);
    if (n != rows) {
        fprintf(stderr, "bench_query: the snapshot found %zu vessels, the grid %zu\n", n, rows);
        exit(1);
    }
    printf("shared snapshot: built in %.1f ms (a new generation, median of 5); 5x5 degree area "
           "%.3f ms; every vessel (%zu) %.1f ms, by SQL %.1f ms\n",
           build, a, all, every, sql);
    sw_grid_share_free(share);
}

/* The baseline: the same area by a plain SQL filter, every vessel row read (no index). */
static double scan(sqlite3 *db, struct sw_bbox b, int reps, size_t *rows)
{
    double t[64];
    sqlite3_stmt *st;
    sw_store_prepare(db, &st,
                     "SELECT count(*) FROM vessels WHERE last_lat BETWEEN ?1 AND ?2"
                     " AND last_lon BETWEEN ?3 AND ?4");
    for (int r = 0; r < reps; r++) {
        sqlite3_bind_double(st, 1, b.minlat);
        sqlite3_bind_double(st, 2, b.maxlat);
        sqlite3_bind_double(st, 3, b.minlon);
        sqlite3_bind_double(st, 4, b.maxlon);
        double t0 = cpu_ms();
        if (sqlite3_step(st) != SQLITE_ROW) exit(1);
        *rows = (size_t)sqlite3_column_int64(st, 0);
        t[r] = cpu_ms() - t0;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    qsort(t, (size_t)reps, sizeof t[0], cmp_d);
    return t[reps / 2];
}

/* ------------------------------------------------------------------------------ events */

/* Append n made-up event records to db in transactions of 10,000; returns the CPU ms. */
static double events_build(sqlite3 *db, size_t n)
{
    static const char *const types[] = {"ais_gap",   "ais_gap",      "ais_gap",   "ais_gap",
                                        "ais_gap",   "ais_gap",      "encounter", "encounter",
                                        "loitering", "listed_vessel"};
    struct sw_ledger *lg;
    json_t **evs = calloc(10000, sizeof *evs);
    struct sw_ledger_rec *res = calloc(10000, sizeof *res);
    if (!evs || !res || sw_ledger_open(db, &lg)) exit(1);
    srand(7);
    double t0 = cpu_ms();
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < 10000 && i < n; k++, i++) {
            char id[64], start[32], end[32];
            int64_t t = 1709251200000LL + (int64_t)(rand() % (86400 * 60)) * 1000;
            int of = i > 100 && rand() % 100 < 15 ? rand() % (int)i : -1;
            if (of >= 0)
                snprintf(id, sizeof id, "ev-%08d-c%zu", of, i);
            else
                snprintf(id, sizeof id, "ev-%08zu", i);
            sw_time_format(t, 0, start);
            sw_time_format(t + (rand() % 86400) * 1000LL, 0, end);
            int ongoing = of < 0 && rand() % 10 == 0;
            json_t *ev = json_pack(
                "{ss ss ss so sf sf sf s[{si ss}] s{ss si}}", "id", id, "type", types[rand() % 10],
                "start", start, "end", ongoing ? json_null() : json_string(end), "lat",
                -60 + 120.0 * rand() / RAND_MAX, "lon", -180 + 360.0 * rand() / RAND_MAX,
                "confidence", (rand() % 100) / 100.0, "vessels", "mmsi",
                200000000 + rand() % 100000, "name", "VESSEL", "details", "reception",
                rand() % 3 ? "known" : "unknown", "hours", rand() % 48);
            if (!ev) exit(1);
            if (ongoing) json_object_set_new(ev, "ongoing", json_true());
            if (of >= 0) {
                char first[32];
                snprintf(first, sizeof first, "ev-%08d", of);
                json_object_set_new(ev, "completes", json_string(first));
                if (rand() % 5 == 0) json_object_set_new(ev, "withdrawn", json_true());
            }
            evs[k] = ev;
        }
        must(db, "BEGIN IMMEDIATE");
        if (sw_ledger_record_events(lg, evs, k, res)) exit(1);
        must(db, "COMMIT");
        for (size_t j = 0; j < k; j++)
            json_decref(evs[j]);
    }
    double ms = cpu_ms() - t0;
    sw_ledger_close(lg);
    free(evs);
    free(res);
    return ms;
}

struct page {
    char ids[64 * 1024];
    size_t len, n;
    char last[SW_CURSOR_MAX];
};

static int page_row(void *ctx, const struct sw_event_row *e)
{
    struct page *p = ctx;
    int w = snprintf(p->ids + p->len, sizeof p->ids - p->len, "%s,", e->id);
    if (w > 0 && (size_t)w < sizeof p->ids - p->len) p->len += (size_t)w;
    snprintf(p->last, sizeof p->last, "%s", e->cursor);
    p->n++;
    return 0;
}

/* Median CPU ms of reps listings of f (after: the cursor, or NULL), or of the counts when
 * counts; p gets the last one's rows (or the counts). */
static double listing(sqlite3 *db, struct sw_event_filter f, int counts, int reps, struct page *p)
{
    static const char *const types[] = {"ais_gap", "encounter", "loitering", "listed_vessel"};
    double t[64];
    for (int r = 0; r < reps; r++) {
        uint64_t c[4];
        memset(p, 0, sizeof *p);
        double t0 = cpu_ms();
        int rc = counts ? sw_query_event_counts(db, &f, types, 4, c, NULL)
                        : sw_query_events(db, &f, page_row, p, NULL);
        t[r] = cpu_ms() - t0;
        if (rc) {
            fprintf(stderr, "bench_query: %s\n", sqlite3_errmsg(db));
            exit(1);
        }
        if (counts)
            p->len = (size_t)snprintf(p->ids, sizeof p->ids,
                                      "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, c[0], c[1],
                                      c[2], c[3]);
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_d);
    return t[reps / 2];
}

/* One case by both paths: the table's (reps times) and every record's (old_reps times). */
static void events_case(sqlite3 *db, const char *what, struct sw_event_filter f, int counts,
                        int reps, int old_reps)
{
    static struct page a, b;
    double fast = listing(db, f, counts, reps, &a);
    sw_query_cache_free(db);
    must(db, "SAVEPOINT old; DROP TABLE ledger_incidents");
    double old = listing(db, f, counts, old_reps, &b);
    must(db, "ROLLBACK TO old; RELEASE old");
    sw_query_cache_free(db);
    if (a.len != b.len || memcmp(a.ids, b.ids, a.len)) {
        fprintf(stderr, "bench_query: %s: the two paths differ\n", what);
        exit(1);
    }
    printf("%-36s %4zu rows: ledger_incidents %8.2f ms (median of %d)   every record %8.1f ms "
           "(median of %d)   %.0fx\n",
           what, counts ? 4 : a.n, fast, reps, old, old_reps, old / fast);
}

static int events_main(size_t n, const char *keep)
{
    char dir[] = "/tmp/bench-query-XXXXXX", path[512];
    if (!keep && !mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s", keep ? keep : dir);
    if (!keep) snprintf(path, sizeof path, "%s/events.db", dir);
    if (n) unlink(path);
    sqlite3 *db;
    if (sw_store_open(path, &db, NULL) || sw_ledger_migrate(db)) return 1;
    double ms = n ? events_build(db, n) : 0;
    sqlite3_stmt *st;
    sw_store_prepare(db, &st,
                     "SELECT (SELECT count(*) FROM events),"
                     " (SELECT count(*) FROM ledger_incidents)");
    if (sqlite3_step(st) != SQLITE_ROW) return 1;
    if (n)
        printf("append %zu records (%lld incidents), transactions of 10,000: %.0f ms CPU, %.0f "
               "records/s\n",
               n, sqlite3_column_int64(st, 1), ms, n / (ms / 1000));
    else
        printf("the store's %lld records (%lld incidents)\n", sqlite3_column_int64(st, 0),
               sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    struct sw_event_filter f = {
        .from = SW_TIME_NONE, .to = SW_TIME_NONE, .order = SW_ORDER_SIGNIFICANCE, .limit = 50};
    static struct page p;
    events_case(db, "first page of 50, significance", f, 0, 21, 3);
    f.order = SW_ORDER_TIME;
    events_case(db, "first page of 50, time", f, 0, 21, 3);
    f.order = SW_ORDER_SIGNIFICANCE;
    f.limit = 5000; /* the cursor of the 100th page */
    listing(db, f, 0, 1, &p);
    f.after = p.last;
    f.limit = 50;
    events_case(db, "page 101 of 50, significance", f, 0, 5, 3);
    f.after = NULL;
    events_case(db, "counts per type", f, 1, 21, 3);
    sw_store_prepare(db, &st, "SELECT mmsi FROM event_vessels ORDER BY id LIMIT 1 OFFSET 1000");
    if (sqlite3_step(st) != SQLITE_ROW) return 1;
    f.mmsi = (uint32_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    events_case(db, "first page, one vessel (mmsi)", f, 0, 21, 3);
    f.mmsi = 0;
    const char *types[] = {"encounter"};
    f.types = types;
    f.ntypes = 1;
    f.min_confidence = 0.9;
    events_case(db, "first page, encounter, conf >= 0.9", f, 0, 21, 3);
    sw_store_close(db);
    if (!keep) {
        unlink(path);
        rmdir(dir);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "events"))
        return events_main(argc > 2 ? strtoul(argv[2], NULL, 10) : 200000,
                           argc > 3 ? argv[3] : NULL);
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    char dir[] = "/tmp/bench-query-XXXXXX", path[64];
    if (!mkdtemp(dir)) return 1;
    double w[3];
    for (int v = 2; v >= 0; v--) {
        snprintf(path, sizeof path, "%s/v%d.db", dir, v);
        w[v] = build(path, n, v);
    }
    printf("write %zu vessel rows, CPU ms: plain %.0f, B-tree position index %.0f (+%.0f), "
           "R*Tree by trigger %.0f (+%.0f)\n",
           n, w[0], w[1], w[1] - w[0], w[2], w[2] - w[0]);
    sqlite3 *db;
    snprintf(path, sizeof path, "%s/v0.db", dir);
    if (sw_query_open(path, &db, NULL)) return 1;
    struct sw_bbox korea = {1, 33, 122, 38, 127}, world = {1, -90, -180, 90, 180};
    size_t rows = 0, srows = 0, wrows = 0;
    double t0 = cpu_ms();
    area(db, korea, 1, &rows);
    double first = cpu_ms() - t0;
    double g = area(db, korea, 50, &rows);
    double sc = scan(db, korea, 50, &srows);
    double all = area(db, world, 10, &wrows);
    if (srows != rows) {
        fprintf(stderr, "bench_query: the grid found %zu vessels, the scan %zu\n", rows, srows);
        return 1;
    }
    printf("first area query (grid built) %.1f ms; 5x5 degree area (%zu vessels): grid %.3f ms, "
           "SQL scan (no index) %.2f ms, %.0fx; whole world (%zu vessels, scan path) %.1f ms\n",
           first, rows, g, sc, sc / g, wrows, all);
    shared(db, korea, rows);
    sw_store_close(db);
    for (int v = 0; v < 3; v++) {
        snprintf(path, sizeof path, "%s/v%d.db", dir, v);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}
