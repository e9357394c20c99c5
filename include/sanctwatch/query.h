/*
 * The engine's read functions: what every reader of a store (the CLI's vessels, track, lists
 * and events commands, the report, the server's API, the detectors' designated-vessel load)
 * asks of it. The database schema is the store's private business: no SQL is written outside
 * the store's own files, and these functions are the one way to read vessels, identities,
 * tracks, designated vessels and events.
 *
 * Conventions
 *  - Rows are handed to a callback, one at a time, in the order the function states. A
 *    non-zero return from the callback stops the read and is returned as is.
 *  - Everything a row points to (strings, json_t) is valid only during the call; copy what
 *    must outlive it. json_t values are borrowed references (do not json_decref them).
 *  - Unknown numbers are -1 (integers), NAN (reals), SW_TIME_NONE (times); unknown strings "".
 *  - Paging is by cursor, never by offset: each row carries an opaque cursor string; passing
 *    the last row's cursor as `after` gives the next page with the same filter. A cursor
 *    stays valid while rows are added (the server pages through a growing store).
 *  - Errors: SW_OK, SW_EINVAL (a filter value out of range: err names it), SW_EDB (err has
 *    SQLite's message; SQLITE_CORRUPT included, never swallowed). err is SW_ERRMAX bytes and
 *    may be NULL.
 *  - Every function is safe to call from several threads at once on distinct connections;
 *    prepared statements are cached per connection (sw_query_cache_free on close;
 *    sw_store_close does it). A callback may call these functions again on the same
 *    connection.
 *  - Where the SQL lives: vessels, identities and tracks in src/vessel/query.c (tables of
 *    module "ingest"), designated vessels in src/lists/query.c (module "lists"), events in
 *    src/ledger/query.c (module "ledger", with the index its migration 3 keeps).
 */
#ifndef SANCTWATCH_QUERY_H
#define SANCTWATCH_QUERY_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* An area: latitudes minlat..maxlat, longitudes from minlon eastwards to maxlon (minlon >
 * maxlon crosses the antimeridian). set == 0: anywhere. */
struct sw_bbox {
    int set;
    double minlat, minlon, maxlat, maxlon;
};

#define SW_CURSOR_MAX 64

/* Open a store for reading: read-only (sw_store_open_readonly, store.h), after bringing a
 * store written by an older sanctwatch up to the schema these functions read (the first
 * reader after an upgrade applies the missing migrations of the modules whose tables exist,
 * then reopens read-only). Close with sw_store_close. Errors as sw_store_open_readonly. */
int sw_query_open(const char *path, sqlite3 **out, char *err);

/* ------------------------------------------------------------------------------- vessels */

struct sw_vessel_row {
    uint32_t mmsi;
    char flag[3]; /* ISO alpha-2 from the MID, "" unallocated */
    char cls;     /* 'A', 'B', 0 unknown */
    char name[21], callsign[8], dest[21];
    uint32_t imo; /* 0 unknown */
    int ship_type, length_m, beam_m;
    double draught;
    int64_t first_seen, last_seen;
    uint64_t positions, statics;
    int identities; /* rows of identity history */
    int has_fix;    /* the latest fix below is known */
    int64_t t;
    double lat, lon, sog, cog;
    int heading, status;
    /* a designated vessel of the imported lists has this vessel's IMO or MMSI (active
     * entries): 0 none, else the number of such entries */
    int listed;
    char cursor[SW_CURSOR_MAX];
};

struct sw_vessel_filter {
    struct sw_bbox bbox; /* the latest fix inside */
    uint32_t mmsi;       /* 0 any */
    uint32_t imo;        /* 0 any: the current or any earlier identity has this IMO */
    const char *name;    /* NULL any: the current or an earlier name contains it, any case */
    int64_t seen_from;   /* SW_TIME_NONE any: last seen at or after */
    int64_t seen_to;     /* SW_TIME_NONE any: first seen at or before */
    int listed_only;     /* only vessels with listed > 0 */
    const char *after;   /* NULL: from the start; else a cursor */
    size_t limit;        /* rows at most (0: all) */
    /* With both set, the share's snapshot of this generation or later answers (below):
     * without mmsi, imo, name, seen_from and seen_to, every row comes from it (no SQLite row
     * read); with them, an area's candidates come from its grid. */
    struct sw_grid_share *grid_share;
    uint64_t generation;
};
typedef int (*sw_vessel_row_fn)(void *ctx, const struct sw_vessel_row *v);
/* Vessels in MMSI order. An area is answered from a grid of the vessels' latest fixes kept
 * per connection (built on the first area query, rebuilt when the store changed since): no
 * index costs the writer anything. */
int sw_query_vessels(sqlite3 *db, const struct sw_vessel_filter *f, sw_vessel_row_fn fn, void *ctx,
                     char *err);
/* The vessels' snapshot shared by the readers of one store in one process (the service's
 * HTTP threads): every vessel's row as sw_query_vessels gives it (listed counted) in MMSI
 * order, with a grid of their latest fixes, read by one scan of the store (about 160 ms of CPU
 * at 100k vessels) once per generation instead of per query, so that the map's queries (an
 * area or every vessel, listed or not, cursor, limit) cost no SQLite work per vessel: the same
 * rows, member for member, as the connection's own path. The caller names the store's state by
 * a generation that grows with every commit that can change the vessels (serve: its writer's
 * commit count, read before the query) and is never 0; a query is answered from the snapshot
 * of its generation or a later one, built by the first query that needs it; while that one
 * builds, the others are answered from the latest snapshot (at most one build behind; they
 * wait only for the first snapshot), so that no reader waits 100-200 ms for a build. Commits the
 * generation does not count (another process writing the store) are seen by each connection as a
 * change of PRAGMA data_version while the generation stayed, and ask for a snapshot built after
 * them; one that lands beside a counted commit is seen at the next build (the writer's next
 * commit). A connection's first query asks for a new snapshot. Rows handed out stay valid during
 * the callback (the snapshot is referenced until the query returns). Thread-safe; the caller owns
 * the share and frees it after the last query. */
struct sw_grid_share;
int sw_grid_share_new(struct sw_grid_share **out);
void sw_grid_share_free(struct sw_grid_share *s);
/* A builder of the caller's own: a thread that calls sw_grid_share_refresh after each commit,
 * and at least every idle_ms while it is at work. While it is (its last call began or ended
 * less than idle_ms ago, or it is building), a query that finds the latest snapshot older
 * than its generation, or than the build its connection asks for, is answered from it and
 * leaves the build to the builder; otherwise it builds as without a builder (the first
 * snapshot too). A query that builds holds its thread 100-200 ms at 100k vessels, and each of
 * the service's HTTP threads serves many connections. 0: no builder. */
void sw_grid_share_background(struct sw_grid_share *s, int64_t idle_ms);
/* The builder's call: builds the snapshot of generation `generation` on db unless the share
 * has it (or a later one); a commit db sees while the generation stays (another process
 * writing the store) is built once the generation stayed idle_ms, since the caller's own
 * commit is visible a moment before its generation grows. Returns when it is built, or at
 * once while a query builds one. SW_OK, or the build's error. */
int sw_grid_share_refresh(sqlite3 *db, struct sw_grid_share *s, uint64_t generation, char *err);
/* One vessel: SW_OK, or SW_ENOTFOUND. */
int sw_query_vessel(sqlite3 *db, uint32_t mmsi, struct sw_vessel_row *out, char *err);
/* A row's identity members, flag to statics, in the order every output gives them (vessels
 * --json, the report's dossiers), each handed to the writer's function of its kind: strings
 * "" when unknown, integers with known 0 when unknown, reals NaN, times SW_TIME_NONE. */
struct sw_vessel_row_writer {
    void (*str)(void *ctx, const char *name, const char *v);
    void (*num)(void *ctx, const char *name, long long v, int known);
    void (*real)(void *ctx, const char *name, double v);
    void (*time)(void *ctx, const char *name, int64_t t);
};
void sw_vessel_row_write(const struct sw_vessel_row *v, const struct sw_vessel_row_writer *w,
                         void *ctx);

struct sw_identity_row {
    uint32_t mmsi, seq;
    char name[21], callsign[8], flag[3];
    uint32_t imo;
    int ship_type, length_m, beam_m;
    int64_t first_seen, last_seen;
};
typedef int (*sw_identity_row_fn)(void *ctx, const struct sw_identity_row *r);
/* The identities a vessel broadcast (mmsi != 0), or every vessel's identities that carried
 * this IMO (imo != 0), in (mmsi, seq) order. */
int sw_query_identities(sqlite3 *db, uint32_t mmsi, uint32_t imo, sw_identity_row_fn fn, void *ctx,
                        char *err);

struct sw_track_point {
    int64_t t;
    double lat, lon, sog, cog;
    int heading, status;
};
struct sw_track_filter {
    uint32_t mmsi;
    int64_t from, to;  /* SW_TIME_NONE: open */
    size_t max_points; /* 0: every stored point; else at most this many, evenly thinned, the
                          first and last kept (a map at low zoom) */
};
typedef int (*sw_track_fn)(void *ctx, const struct sw_track_point *p);
/* Stored (downsampled) track points in time order. */
int sw_query_track(sqlite3 *db, const struct sw_track_filter *f, sw_track_fn fn, void *ctx,
                   char *err);

/* ---------------------------------------------------------------- designated vessels */

struct sw_designated_row {
    int64_t entry; /* the entry's number in this store */
    const char *list, *ref, *name;
    const char *const *names; /* every name of the entry (primary first), n_names of them */
    size_t n_names;
    uint32_t imo, mmsi;           /* the first of each the entry gives, 0 unknown */
    int imo_valid;                /* the IMO's check digit is right */
    const uint32_t *imos, *mmsis; /* every IMO and MMSI of the entry (n_imos, n_mmsis) */
    size_t n_imos, n_mmsis;
    const char *callsign, *flag, *vessel_type, *tonnage, *grt, *owner;
    const char *programmes, *listed_on, *remarks;
    int active; /* on the list's latest edition */
    /* When the designation happened, as far as the store can tell (ms; SW_TIME_NONE unknown):
     * on or before listed_by (the entry's listed_on date when the list gives one, else the
     * date of the first imported edition that carried it) and after listed_after (listed_on
     * when given; else the later of the day its programmes began, sw_lists_programmes_start,
     * and the date of the list's latest edition imported from before that first edition) */
    int64_t listed_by, listed_after;
};
struct sw_designated_filter {
    const char *list;      /* NULL any */
    const char *programme; /* NULL any: programmes contains it */
    int include_removed;   /* also entries no longer listed */
    uint32_t imo, mmsi;    /* 0 any */
};
typedef int (*sw_designated_fn)(void *ctx, const struct sw_designated_row *d);
/* Designated vessels of the imported lists, in (list, ref) order. A store without lists
 * gives no rows (not an error). */
int sw_query_designated(sqlite3 *db, const struct sw_designated_filter *f, sw_designated_fn fn,
                        void *ctx, char *err);

/* ------------------------------------------------------------------------------- events */

/* Order of sw_query_events. */
enum sw_event_order {
    SW_ORDER_TIME = 0,     /* start time, then id */
    SW_ORDER_SIGNIFICANCE, /* rank (sw_event_rank, event.h), then confidence descending,
                              then start time, then id: what the report and the event list
                              lead with */
    SW_ORDER_LEDGER        /* leaf order (records view only) */
};

struct sw_event_filter {
    const char *const *types; /* NULL any, else ntypes type names */
    size_t ntypes;
    int64_t from, to;      /* SW_TIME_NONE open: the event overlaps [from, to] (an ongoing
                              event extends to now) */
    struct sw_bbox bbox;   /* the event's position inside */
    uint32_t mmsi;         /* 0 any: a vessel of the event */
    double min_confidence; /* 0 any */
    int max_rank;          /* 0 any: rank (event.h) at most this */
    const char *review;    /* NULL any; else the incident's review state (struct
                              sw_event_row.review): "unreviewed", "confirmed", "dismissed" or
                              "annotated"; any other value: SW_EINVAL */
    int records;           /* 0: incidents: each incident once, as its latest record (an
                              ongoing event and the records that complete it are one
                              incident, event.h); 1: every ledger record */
    int withdrawn;         /* incidents view: 0 leaves out incidents whose latest record
                              withdraws them; 1 gives only those (a report's annex) */
    uint64_t ledger_size;  /* 0: every record; else only the records of leaves below it
                              (the events a signed head of that size covers) */
    uint64_t from_leaf;    /* 0: every record; else only records of this leaf or later (the
                              server replays what a client missed) */
    enum sw_event_order order;
    const char *after; /* NULL: from the start; else a cursor of the same filter; the
                          cursor holds the ledger size of its first page, so every
                          page reads the store as it was then (appended records,
                          completions included, wait for a fresh first page) */
    size_t limit;      /* rows at most (0: all) */
};

struct sw_event_row {
    const char *id;       /* this record's id */
    const char *incident; /* the incident it belongs to (the first record's id) */
    const char *type;
    int64_t start, end; /* end SW_TIME_NONE while ongoing */
    int ongoing, withdrawn;
    double lat, lon, confidence;
    int rank;
    uint64_t leaf;       /* ledger leaf of this record */
    int records;         /* records of its incident */
    const char *review;  /* the incident's review state: "confirmed" or "dismissed" (the
                            latest of those decisions), else "annotated" when it has only
                            annotations, "" unreviewed (reviews: ledger.h) */
    const json_t *event; /* the event as recorded (with evidence.leaf and evidence.sha256) */
    char cursor[SW_CURSOR_MAX];
};
typedef int (*sw_event_fn)(void *ctx, const struct sw_event_row *e);
int sw_query_events(sqlite3 *db, const struct sw_event_filter *f, sw_event_fn fn, void *ctx,
                    char *err);
/* One incident by the id of any of its records: every record in leaf order (the first is the
 * one first published), whatever the ledger size. SW_ENOTFOUND. */
int sw_query_incident(sqlite3 *db, const char *id, sw_event_fn fn, void *ctx, char *err);
/* Events per type (incidents view), for summaries: counts[i] for types[i]. */
int sw_query_event_counts(sqlite3 *db, const struct sw_event_filter *f, const char *const *types,
                          size_t ntypes, uint64_t *counts, char *err);

/* ------------------------------------------------------------------------------ reviews */

/* Analyst reviews (ledger.h, sw_review_new): ledger records of type "review". The event
 * views above leave them out. */
struct sw_review_row {
    uint64_t leaf;
    const char *id, *event, *incident; /* the review, the record it names, that incident */
    const char *decision, *analyst, *note;
    int64_t time;
    const json_t *record; /* the review record as recorded (without evidence members) */
};
struct sw_review_filter {
    const char *event;  /* NULL any; else the reviews of the incident of this record id */
    uint64_t from_leaf; /* reviews at this leaf or later */
    size_t limit;       /* rows at most (0: all) */
};
typedef int (*sw_review_fn)(void *ctx, const struct sw_review_row *r);
/* Reviews in leaf order. A store without reviews gives no rows. */
int sw_query_reviews(sqlite3 *db, const struct sw_review_filter *f, sw_review_fn fn, void *ctx,
                     char *err);

/* Drop the statements cached for db (call before sqlite3_close). */
void sw_query_cache_free(sqlite3 *db);

#endif
