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
 *   world   the whole world (the scan path), median of 10.
 * CPU time (CLOCK_PROCESS_CPUTIME_ID); the machine is shared, so wall time means little.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/query.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

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

/* Median CPU ms of reps area queries; *rows gets the rows of one. */
static double area(sqlite3 *db, struct sw_bbox b, int reps, size_t *rows)
{
    double t[64];
    for (int r = 0; r < reps; r++) {
        struct sw_vessel_filter f = {.bbox = b, .seen_from = SW_TIME_NONE, .seen_to = SW_TIME_NONE};
        size_t n = 0;
        double t0 = cpu_ms();
        if (sw_query_vessels(db, &f, count_row, &n, NULL)) exit(1);
        t[r] = cpu_ms() - t0;
        *rows = n;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_d);
    return t[reps / 2];
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

int main(int argc, char **argv)
{
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
    sw_store_close(db);
    for (int v = 0; v < 3; v++) {
        snprintf(path, sizeof path, "%s/v%d.db", dir, v);
        unlink(path);
    }
    rmdir(dir);
    return 0;
}
