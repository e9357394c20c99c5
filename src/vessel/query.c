/*
 * Vessel reads of query.h over the "ingest" module's tables (vessels, identity_history,
 * track; schema in src/ingest/schema.c, written by the ingest pipeline): vessels by identity
 * or in an area, one vessel, identity history, stored tracks. The only SQL on these tables
 * outside the ingest module's own files.
 *
 * Areas: an index that the writer keeps (a B-tree on the latest position, or an R*Tree kept
 * by triggers) would cost every ingest run seconds per 100k vessels moved, so the area index
 * is built by the reader instead: a 1-degree grid of every vessel's latest fix, in memory per
 * connection, rebuilt when the store changed since (PRAGMA data_version). A small area then
 * reads only its vessels' rows; a large one scans the table, which is as fast. Readers of one
 * process (the service) share a snapshot instead (sw_grid_share): every vessel's row read by
 * the unfiltered scan once per generation, with the grid pointing into it, so that the map's
 * queries read no row; their answers are the scan's rows, filtered as the SQL filters them.
 */
#include "sanctwatch/query.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLS                                                                                       \
    "SELECT v.mmsi, v.flag, v.class, v.name, v.callsign, v.imo, v.ship_type, v.length_m,"          \
    " v.beam_m, v.draught, v.destination, v.first_seen, v.last_seen, v.positions, v.statics,"      \
    " v.last_time, v.last_lat, v.last_lon, v.last_sog, v.last_cog, v.last_heading,"                \
    " v.last_status, (SELECT count(*) FROM identity_history h WHERE h.mmsi = v.mmsi)"              \
    " FROM vessels v"

/* ?2 mmsi, ?3 imo, ?4 name (lower case), ?5 seen_from, ?6 seen_to, ?7-?10 the area */
#define FILTERS                                                                                    \
    " AND (?2 IS NULL OR v.mmsi = ?2)"                                                             \
    " AND (?3 IS NULL OR v.imo = ?3 OR v.mmsi IN (SELECT mmsi FROM identity_history"               \
    "  WHERE imo = ?3))"                                                                           \
    " AND (?4 IS NULL OR instr(lower(v.name), ?4) > 0 OR v.mmsi IN (SELECT mmsi FROM"              \
    "  identity_history WHERE instr(lower(name), ?4) > 0))"                                        \
    " AND (?5 IS NULL OR v.last_seen >= ?5) AND (?6 IS NULL OR v.first_seen <= ?6)"                \
    " AND (?7 IS NULL OR (v.last_time IS NOT NULL AND v.last_lat BETWEEN ?7 AND ?8 AND"            \
    "  (CASE WHEN ?9 <= ?10 THEN v.last_lon BETWEEN ?9 AND ?10"                                    \
    "   ELSE v.last_lon >= ?9 OR v.last_lon <= ?10 END)))"                                         \
    " ORDER BY v.mmsi"

static const char sql_scan[] = COLS " WHERE v.mmsi > ?1" FILTERS;
/* The same, reading only the vessels the area grid names (?11, a JSON array of MMSIs). */
static const char sql_cand[] =
    COLS " WHERE v.mmsi IN (SELECT value FROM json_each(?11)) AND v.mmsi > ?1" FILTERS;
static const char sql_one[] = COLS " WHERE v.mmsi = ?1";
static const char sql_grid[] = "SELECT mmsi, last_lat, last_lon FROM vessels"
                               " WHERE last_time IS NOT NULL AND last_lat IS NOT NULL"
                               " AND last_lon IS NOT NULL";
static const char sql_version[] = "PRAGMA data_version";
static const char sql_ident_mmsi[] =
    "SELECT mmsi, seq, name, callsign, flag, imo, ship_type, length_m, beam_m, first_seen,"
    " last_seen FROM identity_history WHERE mmsi = ?1 AND (?2 IS NULL OR imo = ?2) ORDER BY seq";
static const char sql_ident_imo[] =
    "SELECT mmsi, seq, name, callsign, flag, imo, ship_type, length_m, beam_m, first_seen,"
    " last_seen FROM identity_history WHERE imo = ?1 ORDER BY mmsi, seq";
static const char sql_track_count[] =
    "SELECT count(*) FROM track WHERE mmsi = ?1 AND t >= ?2 AND t <= ?3";
static const char sql_track[] = "SELECT t, lat, lon, sog, cog, heading, status FROM track"
                                " WHERE mmsi = ?1 AND t >= ?2 AND t <= ?3 ORDER BY t";

static int db_fail(sqlite3 *db, char *err, const char *what)
{
    if (err) snprintf(err, SW_ERRMAX, "cannot read %s: %s", what, sqlite3_errmsg(db));
    return SW_EDB;
}

static int bad(char *err, const char *fmt, const char *what)
{
    if (err) snprintf(err, SW_ERRMAX, fmt, what);
    return SW_EINVAL;
}

static void col_str(sqlite3_stmt *q, int i, char *dst, size_t n)
{
    const char *s = (const char *)sqlite3_column_text(q, i);
    size_t k = s ? strnlen(s, n - 1) : 0;
    if (k) memcpy(dst, s, k);
    dst[k] = '\0';
}

static void vessel_row(sqlite3_stmt *q, struct sw_vessel_row *v)
{
    memset(v, 0, sizeof *v);
    v->mmsi = (uint32_t)sqlite3_column_int64(q, 0);
    col_str(q, 1, v->flag, sizeof v->flag);
    const char *cls = (const char *)sqlite3_column_text(q, 2);
    v->cls = cls && (*cls == 'A' || *cls == 'B') ? *cls : 0;
    col_str(q, 3, v->name, sizeof v->name);
    col_str(q, 4, v->callsign, sizeof v->callsign);
    v->imo = sqlite3_column_int64(q, 5) > 0 ? (uint32_t)sqlite3_column_int64(q, 5) : 0;
    v->ship_type = sw_store_col_int(q, 6);
    v->length_m = sw_store_col_int(q, 7);
    v->beam_m = sw_store_col_int(q, 8);
    v->draught = sw_store_col_real(q, 9);
    col_str(q, 10, v->dest, sizeof v->dest);
    v->first_seen = sw_store_col_time(q, 11);
    v->last_seen = sw_store_col_time(q, 12);
    v->positions = (uint64_t)sqlite3_column_int64(q, 13);
    v->statics = (uint64_t)sqlite3_column_int64(q, 14);
    v->has_fix = sqlite3_column_type(q, 15) != SQLITE_NULL &&
                 sqlite3_column_type(q, 16) != SQLITE_NULL &&
                 sqlite3_column_type(q, 17) != SQLITE_NULL;
    v->t = sw_store_col_time(q, 15);
    v->lat = sw_store_col_real(q, 16);
    v->lon = sw_store_col_real(q, 17);
    v->sog = sw_store_col_real(q, 18);
    v->cog = sw_store_col_real(q, 19);
    v->heading = sw_store_col_int(q, 20);
    v->status = sw_store_col_int(q, 21);
    v->identities = sqlite3_column_int(q, 22);
    snprintf(v->cursor, sizeof v->cursor, "v%u", v->mmsi);
}

/* ------------------------------------------------------------- designated IMO and MMSI */

/* (number, entry) pairs of the active designated vessels, sorted by number. */
struct ids {
    struct idpair {
        uint32_t num, entry;
    } * p;
    size_t n, cap;
};
struct listed {
    struct ids imo, mmsi;
    uint32_t entries;
    long long version, changes; /* of the store when loaded */
    int users;                  /* calls reading it now (a callback may query again) */
};

static int ids_add(struct ids *s, uint32_t num, uint32_t entry)
{
    if (!num) return SW_OK;
    if (s->n == s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 256;
        struct idpair *np = realloc(s->p, nc * sizeof *np);
        if (!np) return SW_ENOMEM;
        s->p = np;
        s->cap = nc;
    }
    s->p[s->n++] = (struct idpair){num, entry};
    return SW_OK;
}

static int by_num(const void *a, const void *b)
{
    const struct idpair *x = a, *y = b;
    return x->num != y->num ? (x->num < y->num ? -1 : 1)
                            : (x->entry > y->entry) - (x->entry < y->entry);
}

static int listed_add(void *ctx, const struct sw_designated_row *d)
{
    struct listed *l = ctx;
    int rc = SW_OK;
    for (size_t i = 0; i < d->n_imos && !rc; i++)
        rc = ids_add(&l->imo, d->imos[i], l->entries);
    for (size_t i = 0; i < d->n_mmsis && !rc; i++)
        rc = ids_add(&l->mmsi, d->mmsis[i], l->entries);
    l->entries++;
    return rc;
}

static void listed_free(void *p)
{
    struct listed *l = p;
    if (!l) return;
    free(l->imo.p);
    free(l->mmsi.p);
    free(l);
}

static int data_version(sqlite3 *db, long long *v);
static const char listed_key; /* the set's key among the connection's cached data */

/* The designated IMOs and MMSIs, loaded once per connection and again when the store changed
 * (PRAGMA data_version); *own is 1 when the caller got a copy of its own (the cached set was
 * in use and out of date). Give it back with listed_put. */
static int listed_get(sqlite3 *db, struct listed **out, int *own, char *err)
{
    long long version;
    *out = NULL;
    *own = 0;
    if (data_version(db, &version)) return db_fail(db, err, "the sanctions lists");
    long long changes = sqlite3_total_changes(db);
    struct listed *c = sw_store_aux_get(db, &listed_key);
    if (c && c->version == version && c->changes == changes) {
        c->users++;
        *out = c;
        return SW_OK;
    }
    struct listed *l = calloc(1, sizeof *l);
    if (!l) return SW_ENOMEM;
    int rc = sw_query_designated(db, NULL, listed_add, l, err);
    if (rc == SW_ENOMEM && err) snprintf(err, SW_ERRMAX, "%s", sw_strerror(rc));
    if (l->imo.n) qsort(l->imo.p, l->imo.n, sizeof *l->imo.p, by_num);
    if (l->mmsi.n) qsort(l->mmsi.p, l->mmsi.n, sizeof *l->mmsi.p, by_num);
    l->version = version;
    l->changes = changes;
    l->users = 1;
    if (!rc && (!c || !c->users))
        rc = sw_store_aux_set(db, &listed_key, l, listed_free);
    else if (!rc)
        *own = 1;
    if (rc) {
        listed_free(l);
        return rc;
    }
    *out = l;
    return SW_OK;
}

static void listed_put(struct listed *l, int own)
{
    if (l && own)
        listed_free(l);
    else if (l)
        l->users--;
}

/* Entries of s with this number into out (at most max), as a run of the sorted pairs. */
static size_t ids_find(const struct ids *s, uint32_t num, uint32_t *out, size_t max)
{
    size_t lo = 0, hi = s->n, k = 0;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (s->p[m].num < num)
            lo = m + 1;
        else
            hi = m;
    }
    for (; lo < s->n && s->p[lo].num == num && k < max; lo++)
        out[k++] = s->p[lo].entry;
    return k;
}

/* Distinct entries that have the vessel's IMO or MMSI. */
static int listed_count(const struct listed *l, uint32_t imo, uint32_t mmsi)
{
    uint32_t e[64];
    size_t n = ids_find(&l->imo, imo, e, 32);
    size_t m = ids_find(&l->mmsi, mmsi, e + n, 32);
    int count = (int)n;
    for (size_t i = n; i < n + m; i++) {
        size_t j = 0;
        while (j < n && e[j] != e[i])
            j++;
        count += j == n;
    }
    return count;
}

/* ---------------------------------------------------------------------- the area grid */

#define GRID_W 360
#define GRID_H 180

struct grid {
    long long version, changes; /* a connection's grid: the store it was built from */
    int refs;                   /* a shared grid: its users and the share, under the share's mu */
    uint64_t build;             /* a shared grid: the share's count of builds when built */
    size_t n;
    struct gpt {
        uint32_t mmsi;
        uint32_t row; /* a shared grid: the vessel's index in rows */
        double lat, lon;
    } * pt;                              /* sorted by cell */
    uint32_t start[GRID_W * GRID_H + 1]; /* first point of each cell */
    /* A shared grid is a snapshot: every vessel's row (listed counted), read by one scan, so
     * that the map's queries read no SQLite row at all. The rows with a fix come first in the
     * points' order (an area's rows lie together in memory), then the others; byid lists them
     * in MMSI order. */
    struct sw_vessel_row *rows;
    uint32_t *byid;
    size_t nrows, rows_cap;
};

static const char grid_key; /* the grid's key among the connection's cached data */

static int cell_of(double lat, double lon)
{
    int y = (int)floor(lat + 90), x = (int)floor(lon + 180);
    y = y < 0 ? 0 : y >= GRID_H ? GRID_H - 1 : y;
    x = x < 0 ? 0 : x >= GRID_W ? GRID_W - 1 : x;
    return y * GRID_W + x;
}

static void grid_free(void *p)
{
    struct grid *g = p;
    if (g) free(g->pt);
    if (g) free(g->rows);
    if (g) free(g->byid);
    free(g);
}

static int data_version(sqlite3 *db, long long *v)
{
    sqlite3_stmt *q;
    if (sw_store_stmt_get(db, sql_version, &q)) return SW_EDB;
    int rc = sqlite3_step(q) == SQLITE_ROW ? SW_OK : SW_EDB;
    *v = sqlite3_column_int64(q, 0);
    sw_store_stmt_put(q);
    return rc;
}

static int grid_fill(sqlite3 *db, struct grid *g)
{
    sqlite3_stmt *q;
    size_t cap = 0;
    int st, rc = SW_OK;
    if (sw_store_stmt_get(db, sql_grid, &q)) return SW_EDB;
    while ((st = sqlite3_step(q)) == SQLITE_ROW) {
        if (g->n == cap) {
            size_t nc = cap ? 2 * cap : 4096;
            struct gpt *np = realloc(g->pt, nc * sizeof *np);
            if (!np) {
                rc = SW_ENOMEM;
                break;
            }
            g->pt = np;
            cap = nc;
        }
        g->pt[g->n++] = (struct gpt){.mmsi = (uint32_t)sqlite3_column_int64(q, 0),
                                     .lat = sqlite3_column_double(q, 1),
                                     .lon = sqlite3_column_double(q, 2)};
    }
    if (rc == SW_OK && st != SQLITE_DONE) rc = SW_EDB;
    sw_store_stmt_put(q);
    return rc;
}

/* Counting sort of the points by cell. */
static int grid_sort(struct grid *g)
{
    struct gpt *out = malloc((g->n ? g->n : 1) * sizeof *out);
    if (!out) return SW_ENOMEM;
    memset(g->start, 0, sizeof g->start);
    for (size_t i = 0; i < g->n; i++)
        g->start[cell_of(g->pt[i].lat, g->pt[i].lon) + 1]++;
    for (size_t c = 0; c < GRID_W * GRID_H; c++)
        g->start[c + 1] += g->start[c];
    uint32_t *next = malloc(GRID_W * GRID_H * sizeof *next);
    if (!next) {
        free(out);
        return SW_ENOMEM;
    }
    memcpy(next, g->start, GRID_W * GRID_H * sizeof *next);
    for (size_t i = 0; i < g->n; i++)
        out[next[cell_of(g->pt[i].lat, g->pt[i].lon)]++] = g->pt[i];
    free(next);
    free(g->pt);
    g->pt = out;
    return SW_OK;
}

/* The connection's grid, rebuilt when the store changed since it was built. */
static int grid_get(sqlite3 *db, struct grid **out, char *err)
{
    long long version;
    *out = NULL;
    if (data_version(db, &version)) return db_fail(db, err, "vessels");
    long long changes = sqlite3_total_changes(db);
    struct grid *g = sw_store_aux_get(db, &grid_key);
    if (g && g->version == version && g->changes == changes) {
        *out = g;
        return SW_OK;
    }
    g = calloc(1, sizeof *g);
    if (!g) return SW_ENOMEM;
    int rc = grid_fill(db, g);
    if (rc == SW_OK) rc = grid_sort(g);
    if (rc == SW_OK) rc = sw_store_aux_set(db, &grid_key, g, grid_free);
    if (rc) {
        grid_free(g);
        return rc == SW_EDB ? db_fail(db, err, "vessels") : rc;
    }
    g->version = version;
    g->changes = changes;
    *out = g;
    return SW_OK;
}

struct sw_grid_share {
    pthread_mutex_t mu;
    pthread_cond_t built; /* the first snapshot is there, or its build failed */
    struct grid *g;       /* the latest snapshot built, or NULL */
    uint64_t generation;  /* the store's generation g was built at */
    uint64_t builds;      /* builds started so far (the number of the next is one more) */
    int building;         /* a query is building one (outside mu) */
    /* sw_grid_share_background: queries leave the builds to sw_grid_share_refresh while its
     * builder called it in the last idle_ms (builder_ms, monotonic) */
    int64_t idle_ms, builder_ms;
    /* Memory kept between builds (a new mapping of 25 MB costs as much in page faults as the
     * scan): the rows as read (MMSI order), and the rows of the last snapshot freed. */
    struct sw_vessel_row *scratch, *spare;
    size_t scratch_cap, spare_cap;
};

/* What one connection last saw of the store (PRAGMA data_version and the caller's generation),
 * kept among its cached data: a commit the generation does not count (another process writing
 * the store) is seen as a change of data_version while the generation stayed, and asks for a
 * snapshot built after it. */
struct seen {
    long long version;
    uint64_t generation;
    uint64_t need;   /* the share's snapshot must be of this build or later */
    int64_t need_ms; /* when a commit the generation does not count was seen (sw_time_mono_ms) */
};
static const char seen_key; /* its key among the connection's cached data */

int sw_grid_share_new(struct sw_grid_share **out)
{
    struct sw_grid_share *s = calloc(1, sizeof *s);
    if (!s || pthread_mutex_init(&s->mu, NULL)) {
        free(s);
        return SW_ENOMEM;
    }
    if (pthread_cond_init(&s->built, NULL)) {
        pthread_mutex_destroy(&s->mu);
        free(s);
        return SW_ENOMEM;
    }
    *out = s;
    return SW_OK;
}

static void grid_unref(struct sw_grid_share *s, struct grid *g) /* under the share's mu */
{
    if (!g || --g->refs) return;
    if (!s->spare) {
        s->spare = g->rows;
        s->spare_cap = g->rows_cap;
        g->rows = NULL;
    }
    grid_free(g);
}

void sw_grid_share_free(struct sw_grid_share *s)
{
    if (!s) return;
    grid_unref(s, s->g);
    free(s->scratch);
    free(s->spare);
    pthread_cond_destroy(&s->built);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static int rows_fill(sqlite3 *db, struct sw_grid_share *s, struct grid *g, char *err);
static int rows_layout(struct sw_grid_share *s, struct grid *g, struct sw_vessel_row **spare,
                       size_t spare_cap);

/* The build of the share's snapshot this connection needs at generation gen (under mu). A
 * connection's first query asks for a new one: what it saw before is unknown. */
static int seen_need(sqlite3 *db, struct sw_grid_share *s, uint64_t gen, uint64_t *need,
                     int64_t *need_ms, char *err)
{
    long long version;
    if (data_version(db, &version)) return db_fail(db, err, "vessels");
    struct seen *c = sw_store_aux_get(db, &seen_key);
    if (!c) {
        if (!(c = calloc(1, sizeof *c))) return SW_ENOMEM;
        if (sw_store_aux_set(db, &seen_key, c, free)) return SW_ENOMEM;
        c->need = s->builds + 1; /* a build started from now on */
    } else if (version != c->version && gen == c->generation) {
        c->need = s->builds + 1; /* a commit the generation does not count */
        c->need_ms = sw_time_mono_ms();
    }
    c->version = version;
    c->generation = gen;
    *need = c->need;
    *need_ms = c->need_ms;
    return SW_OK;
}

/* A new snapshot, built outside mu by the one query that builds (s->building), installed as
 * the share's with the number it was given when its build started. */
static int grid_build(sqlite3 *db, struct sw_grid_share *s, uint64_t gen, uint64_t build, char *err)
{
    pthread_mutex_lock(&s->mu);
    struct sw_vessel_row *spare = s->spare; /* the freed rows are the builder's meanwhile */
    size_t spare_cap = s->spare_cap;
    s->spare = NULL;
    pthread_mutex_unlock(&s->mu);
    struct grid *g = calloc(1, sizeof *g);
    int rc = g ? rows_fill(db, s, g, err) : SW_ENOMEM;
    if (rc == SW_OK) rc = grid_sort(g);
    if (rc == SW_OK) rc = rows_layout(s, g, &spare, spare_cap);
    pthread_mutex_lock(&s->mu);
    if (spare && !s->spare) {
        s->spare = spare;
        s->spare_cap = spare_cap;
    } else {
        free(spare);
    }
    if (rc) {
        grid_free(g);
    } else {
        grid_unref(s, s->g);
        g->refs = 1; /* the share's */
        g->build = build;
        s->g = g;
        s->generation = gen > s->generation ? gen : s->generation;
    }
    s->building = 0;
    pthread_cond_broadcast(&s->built);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* A query may leave the build to the share's builder (sw_grid_share_background) while that
 * one is at work (under mu). */
static int leave_build(const struct sw_grid_share *s)
{
    return s->idle_ms && s->g && sw_time_mono_ms() - s->builder_ms < s->idle_ms;
}

/* The share's snapshot of generation gen or later (and recent enough for this connection,
 * seen_need), built here when the share has none that recent and no other query is building
 * one. While another builds, the latest snapshot answers (the service's readers never wait for
 * a build, which takes 100-200 ms at 100k vessels); only when there is none yet they wait for
 * the first. With a builder of its own (leave_build), the latest snapshot answers too, and the
 * builder (builder set) builds for a newer generation at once, but for a commit its connection
 * sees without the generation growing only when the generation stayed idle_ms since: the
 * writer's own commit is visible a moment (up to 100 ms under load) before its generation
 * grows, and was built twice. Taken: give it back by grid_put. */
static int grid_shared(sqlite3 *db, struct sw_grid_share *s, uint64_t gen, int builder,
                       struct grid **out, char *err)
{
    uint64_t need;
    int64_t need_ms;
    pthread_mutex_lock(&s->mu);
    int rc = seen_need(db, s, gen, &need, &need_ms, err);
    if (!rc && builder && s->generation >= gen && sw_time_mono_ms() - need_ms < s->idle_ms)
        need = 0; /* its generation may still grow */
    while (!rc) {
        if (s->g && s->generation >= gen && s->g->build >= need) break; /* recent enough */
        if (!builder && leave_build(s)) break;
        if (!s->building) {
            uint64_t build = ++s->builds;
            s->building = 1;
            pthread_mutex_unlock(&s->mu);
            rc = grid_build(db, s, gen, build, err);
            pthread_mutex_lock(&s->mu);
            if (!rc && !s->g) rc = SW_ENOMEM;
            break;
        }
        if (s->g) break; /* another is building: the latest answers */
        pthread_cond_wait(&s->built, &s->mu);
    }
    if (!rc) {
        s->g->refs++;
        *out = s->g;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static void grid_put(struct sw_grid_share *s, struct grid *g)
{
    if (!s) return; /* a connection's grid stays with its connection */
    pthread_mutex_lock(&s->mu);
    grid_unref(s, g);
    pthread_mutex_unlock(&s->mu);
}

void sw_grid_share_background(struct sw_grid_share *s, int64_t idle_ms)
{
    pthread_mutex_lock(&s->mu);
    s->idle_ms = idle_ms > 0 ? idle_ms : 0;
    pthread_mutex_unlock(&s->mu);
}

static void builder_seen(struct sw_grid_share *s)
{
    pthread_mutex_lock(&s->mu);
    s->builder_ms = sw_time_mono_ms();
    pthread_mutex_unlock(&s->mu);
}

int sw_grid_share_refresh(sqlite3 *db, struct sw_grid_share *s, uint64_t generation, char *err)
{
    struct grid *g;
    builder_seen(s);
    int rc = grid_shared(db, s, generation, 1, &g, err);
    if (rc == SW_OK) grid_put(s, g);
    builder_seen(s);
    return rc;
}

static int in_box(const struct sw_bbox *b, double lat, double lon)
{
    if (lat < b->minlat || lat > b->maxlat) return 0;
    return b->minlon <= b->maxlon ? lon >= b->minlon && lon <= b->maxlon
                                  : lon >= b->minlon || lon <= b->maxlon;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void grid_cols(const struct grid *g, const struct sw_bbox *b, int y, int x0, int x1,
                      uint32_t after, uint32_t *m, size_t *n)
{
    for (size_t i = g->start[y * GRID_W + x0]; i < g->start[y * GRID_W + x1 + 1]; i++)
        if (g->pt[i].mmsi > after && in_box(b, g->pt[i].lat, g->pt[i].lon))
            m[(*n)++] = g->pt[i].mmsi;
}

/* The vessels whose latest fix is in b, after the cursor, as a JSON array of MMSIs in buf;
 * *scan = 1 instead when they are so many that reading the whole table is as fast. */
static int grid_candidates(sqlite3 *db, const struct sw_vessel_filter *f, uint32_t after,
                           struct sw_buf *buf, int *scan, char *err)
{
    const struct sw_bbox *b = &f->bbox;
    struct sw_grid_share *share = f->grid_share && f->generation ? f->grid_share : NULL;
    struct grid *g;
    int rc = share ? grid_shared(db, share, f->generation, 0, &g, err) : grid_get(db, &g, err);
    if (rc) return rc;
    uint32_t *m = malloc((g->n ? g->n : 1) * sizeof *m);
    if (!m) {
        grid_put(share, g);
        return SW_ENOMEM;
    }
    size_t n = 0;
    int y0 = cell_of(b->minlat, 0) / GRID_W, y1 = cell_of(b->maxlat, 0) / GRID_W;
    int x0 = cell_of(0, b->minlon) % GRID_W, x1 = cell_of(0, b->maxlon) % GRID_W;
    for (int y = y0; y <= y1; y++) {
        if (b->minlon <= b->maxlon) {
            grid_cols(g, b, y, x0, x1, after, m, &n);
        } else {
            grid_cols(g, b, y, x0, GRID_W - 1, after, m, &n);
            grid_cols(g, b, y, 0, x1, after, m, &n);
        }
    }
    *scan = n > 4096 && n > g->n / 4;
    if (!*scan) {
        qsort(m, n, sizeof *m, cmp_u32);
        rc = sw_buf_putc(buf, '[');
        for (size_t i = 0; i < n && !rc; i++)
            rc = sw_buf_printf(buf, "%s%u", i ? "," : "", m[i]);
        if (!rc) rc = sw_buf_putc(buf, ']');
    }
    free(m);
    grid_put(share, g);
    return rc;
}

/* ---------------------------------------------------------------------------- vessels */

static int check_bbox(const struct sw_bbox *b, char *err)
{
    if (!b->set) return SW_OK;
    if (!(b->minlat >= -90 && b->maxlat <= 90 && b->minlat <= b->maxlat))
        return bad(err, "bad area: latitudes %s", "must be -90..90, south first");
    if (!(b->minlon >= -180 && b->minlon <= 180 && b->maxlon >= -180 && b->maxlon <= 180))
        return bad(err, "bad area: longitudes %s", "must be -180..180");
    return SW_OK;
}

static int parse_vessel_cursor(const char *c, uint32_t *after, char *err)
{
    char *end;
    *after = 0;
    if (!c) return SW_OK;
    unsigned long v = c[0] == 'v' && isdigit((unsigned char)c[1]) ? strtoul(c + 1, &end, 10) : 0;
    if (!v || *end || v > 999999999UL) return bad(err, "bad cursor '%.64s'", c);
    *after = (uint32_t)v;
    return SW_OK;
}

static void bind_filter(sqlite3_stmt *q, const struct sw_vessel_filter *f, uint32_t after,
                        const char *lname)
{
    sqlite3_bind_int64(q, 1, after);
    if (f->mmsi) sqlite3_bind_int64(q, 2, f->mmsi);
    if (f->imo) sqlite3_bind_int64(q, 3, f->imo);
    if (lname) sqlite3_bind_text(q, 4, lname, -1, SQLITE_STATIC);
    if (f->seen_from != SW_TIME_NONE) sqlite3_bind_int64(q, 5, f->seen_from);
    if (f->seen_to != SW_TIME_NONE) sqlite3_bind_int64(q, 6, f->seen_to);
    if (f->bbox.set) {
        sqlite3_bind_double(q, 7, f->bbox.minlat);
        sqlite3_bind_double(q, 8, f->bbox.maxlat);
        sqlite3_bind_double(q, 9, f->bbox.minlon);
        sqlite3_bind_double(q, 10, f->bbox.maxlon);
    }
}

static int emit_vessels(sqlite3 *db, sqlite3_stmt *q, const struct sw_vessel_filter *f,
                        const struct listed *l, sw_vessel_row_fn fn, void *ctx, char *err)
{
    struct sw_vessel_row v;
    size_t sent = 0;
    int st = SQLITE_DONE;
    while ((!f->limit || sent < f->limit) && (st = sqlite3_step(q)) == SQLITE_ROW) {
        vessel_row(q, &v);
        v.listed = listed_count(l, v.imo, v.mmsi);
        if (f->listed_only && !v.listed) continue;
        sent++;
        int rc = fn(ctx, &v);
        if (rc) return rc;
    }
    if (f->limit && sent == f->limit) return SW_OK;
    return st == SQLITE_DONE ? SW_OK : db_fail(db, err, "vessels");
}

/* ------------------------------------------------------------------ the shared snapshot */

/* Every vessel's row as the scan without filters reads it (listed counted), in MMSI order,
 * into the share's scratch, and the grid's points of those with a fix. */
static int rows_fill(sqlite3 *db, struct sw_grid_share *s, struct grid *g, char *err)
{
    const struct sw_vessel_filter all = {.seen_from = SW_TIME_NONE, .seen_to = SW_TIME_NONE};
    struct listed *l;
    sqlite3_stmt *q;
    int own, st = SQLITE_DONE, rc = listed_get(db, &l, &own, err);
    if (rc) return rc;
    if (sw_store_stmt_get(db, sql_scan, &q)) {
        listed_put(l, own);
        return db_fail(db, err, "vessels");
    }
    bind_filter(q, &all, 0, NULL);
    while ((st = sqlite3_step(q)) == SQLITE_ROW) {
        if (g->nrows == s->scratch_cap) {
            size_t nc = s->scratch_cap ? 2 * s->scratch_cap : 4096;
            struct sw_vessel_row *nr = realloc(s->scratch, nc * sizeof *nr);
            if (!nr) {
                rc = SW_ENOMEM;
                break;
            }
            s->scratch = nr;
            s->scratch_cap = nc;
        }
        struct sw_vessel_row *v = &s->scratch[g->nrows++];
        vessel_row(q, v);
        v->listed = listed_count(l, v->imo, v->mmsi);
        g->n += v->has_fix;
    }
    if (!rc && st != SQLITE_DONE) rc = db_fail(db, err, "vessels");
    sw_store_stmt_put(q);
    listed_put(l, own);
    if (!rc && !(g->pt = malloc((g->n ? g->n : 1) * sizeof *g->pt))) rc = SW_ENOMEM;
    for (size_t i = 0, k = 0; !rc && i < g->nrows; i++)
        if (s->scratch[i].has_fix)
            g->pt[k++] =
                (struct gpt){s->scratch[i].mmsi, (uint32_t)i, s->scratch[i].lat, s->scratch[i].lon};
    return rc;
}

/* The rows put from the scratch in the points' order (then those without a fix, in MMSI
 * order) into the spare memory or new, byid made. */
static int rows_layout(struct sw_grid_share *s, struct grid *g, struct sw_vessel_row **spare,
                       size_t spare_cap)
{
    const struct sw_vessel_row *in = s->scratch;
    size_t want = g->nrows ? g->nrows : 1;
    struct sw_vessel_row *r = *spare && spare_cap >= want ? *spare : NULL;
    if (r) {
        g->rows_cap = spare_cap;
        *spare = NULL;
    } else if ((r = malloc(want * sizeof *r))) {
        g->rows_cap = want;
    }
    uint32_t *byid = malloc(want * sizeof *byid);
    if (!r || !byid) {
        free(r);
        free(byid);
        return SW_ENOMEM;
    }
    for (size_t k = 0; k < g->n; k++) {
        r[k] = in[g->pt[k].row];
        byid[g->pt[k].row] = (uint32_t)k;
        g->pt[k].row = (uint32_t)k;
    }
    for (size_t i = 0, k = g->n; i < g->nrows; i++)
        if (!in[i].has_fix) {
            r[k] = in[i];
            byid[i] = (uint32_t)k++;
        }
    g->rows = r;
    g->byid = byid;
    return SW_OK;
}

struct snap_out {
    const struct sw_vessel_filter *f;
    sw_vessel_row_fn fn;
    void *ctx;
    size_t sent;
    int full; /* the limit is reached */
};

/* One row to the caller (the callback's answer); full is set at the limit. */
static int snap_emit(struct snap_out *o, const struct sw_vessel_row *v)
{
    if (o->f->listed_only && !v->listed) return SW_OK;
    int rc = o->fn(o->ctx, v);
    o->full = o->f->limit && ++o->sent == o->f->limit;
    return rc;
}

/* The first row after the cursor (in byid). */
static size_t snap_first(const struct grid *g, uint32_t after)
{
    size_t lo = 0, hi = g->nrows;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (g->rows[g->byid[m]].mmsi <= after)
            lo = m + 1;
        else
            hi = m;
    }
    return lo;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The area's columns of cells as at most two runs [x[0], x[1]], [x[2], x[3]]. */
static int area_runs(const struct sw_bbox *b, int x[4])
{
    x[0] = cell_of(0, b->minlon) % GRID_W;
    x[1] = cell_of(0, b->maxlon) % GRID_W;
    if (b->minlon <= b->maxlon) return 1;
    x[2] = 0;
    x[3] = x[1];
    x[1] = GRID_W - 1;
    return 2;
}

/* The rows after the cursor in the area, in MMSI order (row indices sorted), or every row
 * after it read in order when the area's cells hold many of them. */
static int snap_area(const struct grid *g, uint32_t after, struct snap_out *o)
{
    const struct sw_bbox *b = &o->f->bbox;
    int y0 = cell_of(b->minlat, 0) / GRID_W, y1 = cell_of(b->maxlat, 0) / GRID_W, x[4];
    int runs = area_runs(b, x), rc = SW_OK;
    size_t cells = 0, n = 0;
    for (int y = y0; y <= y1; y++)
        for (int r = 0; r < runs; r++)
            cells += g->start[y * GRID_W + x[2 * r + 1] + 1] - g->start[y * GRID_W + x[2 * r]];
    if (cells > g->nrows / 8) {
        for (size_t i = snap_first(g, after); i < g->nrows && !rc && !o->full; i++) {
            const struct sw_vessel_row *v = &g->rows[g->byid[i]];
            if (v->has_fix && in_box(b, v->lat, v->lon)) rc = snap_emit(o, v);
        }
        return rc;
    }
    uint64_t *m = malloc((cells ? cells : 1) * sizeof *m); /* MMSI << 32 | row */
    if (!m) return SW_ENOMEM;
    for (int y = y0; y <= y1; y++)
        for (int r = 0; r < runs; r++)
            for (size_t i = g->start[y * GRID_W + x[2 * r]];
                 i < g->start[y * GRID_W + x[2 * r + 1] + 1]; i++)
                if (g->pt[i].mmsi > after && in_box(b, g->pt[i].lat, g->pt[i].lon))
                    m[n++] = (uint64_t)g->pt[i].mmsi << 32 | g->pt[i].row;
    qsort(m, n, sizeof *m, cmp_u64);
    for (size_t i = 0; i < n && !rc && !o->full; i++)
        rc = snap_emit(o, &g->rows[(uint32_t)m[i]]);
    free(m);
    return rc;
}

/* A query the share's snapshot answers: an area or none, listed or not, cursor and limit. */
static int snap_query(sqlite3 *db, const struct sw_vessel_filter *f, uint32_t after,
                      sw_vessel_row_fn fn, void *ctx, char *err)
{
    struct grid *g;
    int rc = grid_shared(db, f->grid_share, f->generation, 0, &g, err);
    if (rc) return rc;
    struct snap_out o = {f, fn, ctx, 0, 0};
    if (f->bbox.set) {
        rc = snap_area(g, after, &o);
    } else {
        for (size_t i = snap_first(g, after); i < g->nrows && !rc && !o.full; i++)
            rc = snap_emit(&o, &g->rows[g->byid[i]]);
    }
    grid_put(f->grid_share, g);
    return rc;
}

int sw_query_vessels(sqlite3 *db, const struct sw_vessel_filter *f, sw_vessel_row_fn fn, void *ctx,
                     char *err)
{
    uint32_t after;
    char lname[64];
    int rc, scan = 1;
    if ((rc = check_bbox(&f->bbox, err)) || (rc = parse_vessel_cursor(f->after, &after, err)))
        return rc;
    if (f->name && strlen(f->name) >= sizeof lname)
        return bad(err, "name '%.64s' too long", f->name);
    for (size_t i = 0; f->name && i <= strlen(f->name); i++)
        lname[i] = (char)tolower((unsigned char)f->name[i]);
    if ((rc = sw_store_table(db, "vessels")) <= 0) /* 0: nothing analyzed yet */
        return rc ? db_fail(db, err, "vessels") : SW_OK;
    if (f->grid_share && f->generation && !f->mmsi && !f->imo && !f->name &&
        f->seen_from == SW_TIME_NONE && f->seen_to == SW_TIME_NONE)
        return snap_query(db, f, after, fn, ctx, err);
    struct sw_buf cand;
    sw_buf_init(&cand, 0);
    struct listed *l = NULL;
    int own = 0;
    sqlite3_stmt *q = NULL;
    if ((rc = listed_get(db, &l, &own, err))) goto done;
    if (f->bbox.set && (rc = grid_candidates(db, f, after, &cand, &scan, err))) goto done;
    if (sw_store_stmt_get(db, scan ? sql_scan : sql_cand, &q)) {
        rc = db_fail(db, err, "vessels");
        goto done;
    }
    bind_filter(q, f, after, f->name ? lname : NULL);
    if (!scan) sqlite3_bind_text(q, 11, cand.data, (int)cand.len, SQLITE_STATIC);
    rc = emit_vessels(db, q, f, l, fn, ctx, err);
done:
    sw_store_stmt_put(q);
    listed_put(l, own);
    sw_buf_release(&cand);
    return rc;
}

int sw_query_vessel(sqlite3 *db, uint32_t mmsi, struct sw_vessel_row *out, char *err)
{
    sqlite3_stmt *q;
    struct listed *l;
    int own;
    int rc = sw_store_table(db, "vessels");
    if (rc <= 0) return rc ? db_fail(db, err, "vessels") : SW_ENOTFOUND;
    rc = listed_get(db, &l, &own, err);
    if (rc) return rc;
    if (sw_store_stmt_get(db, sql_one, &q)) {
        listed_put(l, own);
        return db_fail(db, err, "vessels");
    }
    sqlite3_bind_int64(q, 1, mmsi);
    int st = sqlite3_step(q);
    if (st == SQLITE_ROW) {
        vessel_row(q, out);
        out->listed = listed_count(l, out->imo, out->mmsi);
        rc = SW_OK;
    } else {
        rc = st == SQLITE_DONE ? SW_ENOTFOUND : db_fail(db, err, "vessels");
    }
    sw_store_stmt_put(q);
    listed_put(l, own);
    return rc;
}

/* ------------------------------------------------------------------------- identities */

int sw_query_identities(sqlite3 *db, uint32_t mmsi, uint32_t imo, sw_identity_row_fn fn, void *ctx,
                        char *err)
{
    sqlite3_stmt *q;
    if (!mmsi && !imo) return bad(err, "identities of %s", "which vessel? (no MMSI, no IMO)");
    int has = sw_store_table(db, "identity_history");
    if (has <= 0) return has ? db_fail(db, err, "identity history") : SW_OK;
    if (sw_store_stmt_get(db, mmsi ? sql_ident_mmsi : sql_ident_imo, &q))
        return db_fail(db, err, "identity history");
    sqlite3_bind_int64(q, 1, mmsi ? mmsi : imo);
    if (mmsi && imo) sqlite3_bind_int64(q, 2, imo);
    int st, rc = SW_OK;
    while ((st = sqlite3_step(q)) == SQLITE_ROW) {
        struct sw_identity_row r;
        memset(&r, 0, sizeof r);
        r.mmsi = (uint32_t)sqlite3_column_int64(q, 0);
        r.seq = (uint32_t)sqlite3_column_int64(q, 1);
        col_str(q, 2, r.name, sizeof r.name);
        col_str(q, 3, r.callsign, sizeof r.callsign);
        col_str(q, 4, r.flag, sizeof r.flag);
        r.imo = sqlite3_column_int64(q, 5) > 0 ? (uint32_t)sqlite3_column_int64(q, 5) : 0;
        r.ship_type = sw_store_col_int(q, 6);
        r.length_m = sw_store_col_int(q, 7);
        r.beam_m = sw_store_col_int(q, 8);
        r.first_seen = sw_store_col_time(q, 9);
        r.last_seen = sw_store_col_time(q, 10);
        if ((rc = fn(ctx, &r))) break;
    }
    if (!rc && st != SQLITE_DONE) rc = db_fail(db, err, "identity history");
    sw_store_stmt_put(q);
    return rc;
}

/* ------------------------------------------------------------------------------ track */

static const char sql_savepoint[] = "SAVEPOINT sw_track", sql_release[] = "RELEASE sw_track";

/* Run a cached statement that returns no rows. */
static int step_once(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    if (sw_store_stmt_get(db, sql, &q)) return SW_EDB;
    int rc = sqlite3_step(q) == SQLITE_DONE ? SW_OK : SW_EDB;
    sw_store_stmt_put(q);
    return rc;
}

static void bind_track(sqlite3_stmt *q, const struct sw_track_filter *f)
{
    sqlite3_bind_int64(q, 1, f->mmsi);
    sqlite3_bind_int64(q, 2, f->from == SW_TIME_NONE ? INT64_MIN : f->from);
    sqlite3_bind_int64(q, 3, f->to == SW_TIME_NONE ? INT64_MAX : f->to);
}

static int track_count(sqlite3 *db, const struct sw_track_filter *f, uint64_t *n)
{
    sqlite3_stmt *q;
    if (sw_store_stmt_get(db, sql_track_count, &q)) return SW_EDB;
    bind_track(q, f);
    int rc = sqlite3_step(q) == SQLITE_ROW ? SW_OK : SW_EDB;
    *n = (uint64_t)sqlite3_column_int64(q, 0);
    sw_store_stmt_put(q);
    return rc;
}

/* Emit the points; with max (> 0) below n, the k-th of max points is point k*(n-1)/(max-1). */
static int track_emit(sqlite3 *db, const struct sw_track_filter *f, uint64_t n, uint64_t max,
                      sw_track_fn fn, void *ctx)
{
    sqlite3_stmt *q;
    if (sw_store_stmt_get(db, sql_track, &q)) return SW_EDB;
    bind_track(q, f);
    int st = SQLITE_DONE, rc = SW_OK;
    uint64_t i = 0, k = 0;
    while ((!max || k < max) && (st = sqlite3_step(q)) == SQLITE_ROW) {
        uint64_t idx = i++;
        if (max && idx != (max == 1 ? 0 : k * (n - 1) / (max - 1))) continue;
        k++;
        struct sw_track_point p = {sqlite3_column_int64(q, 0),  sqlite3_column_double(q, 1),
                                   sqlite3_column_double(q, 2), sw_store_col_real(q, 3),
                                   sw_store_col_real(q, 4),     sw_store_col_int(q, 5),
                                   sw_store_col_int(q, 6)};
        if ((rc = fn(ctx, &p))) break;
    }
    if (!rc && (!max || k < max) && st != SQLITE_DONE) rc = SW_EDB;
    sw_store_stmt_put(q);
    return rc;
}

int sw_query_track(sqlite3 *db, const struct sw_track_filter *f, sw_track_fn fn, void *ctx,
                   char *err)
{
    if (!f->mmsi) return bad(err, "track of %s", "which vessel? (no MMSI)");
    int has = sw_store_table(db, "track");
    if (has <= 0) return has ? db_fail(db, err, "the track") : SW_OK;
    uint64_t n = 0;
    int rc;
    if (!f->max_points) {
        rc = track_emit(db, f, 0, 0, fn, ctx);
        return rc == SW_EDB ? db_fail(db, err, "the track") : rc;
    }
    /* Count and read in one read transaction, so that the thinning sees one track. */
    if (step_once(db, sql_savepoint)) return db_fail(db, err, "the track");
    rc = track_count(db, f, &n);
    if (rc == SW_OK) rc = track_emit(db, f, n, n > f->max_points ? f->max_points : 0, fn, ctx);
    if (rc == SW_EDB) db_fail(db, err, "the track");
    step_once(db, sql_release);
    return rc;
}

void sw_vessel_row_write(const struct sw_vessel_row *v, const struct sw_vessel_row_writer *w,
                         void *ctx)
{
    char cls[2] = {v->cls, 0};
    w->str(ctx, "flag", v->flag);
    w->str(ctx, "class", cls);
    w->str(ctx, "name", v->name);
    w->str(ctx, "callsign", v->callsign);
    w->num(ctx, "imo", v->imo, v->imo != 0);
    w->num(ctx, "ship_type", v->ship_type, v->ship_type >= 0);
    w->num(ctx, "length_m", v->length_m, v->length_m >= 0);
    w->num(ctx, "beam_m", v->beam_m, v->beam_m >= 0);
    w->real(ctx, "draught", v->draught);
    w->str(ctx, "destination", v->dest);
    w->time(ctx, "first_seen", v->first_seen);
    w->time(ctx, "last_seen", v->last_seen);
    w->num(ctx, "positions", (long long)v->positions, 1);
    w->num(ctx, "statics", (long long)v->statics, 1);
}
