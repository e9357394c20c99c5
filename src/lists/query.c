/*
 * Designated vessels (query.h) over the "lists" module's tables (schema in schema.c, written
 * by import.c): every reader of the lists' vessels (the detectors' listed-vessel load, the
 * vessel rows' `listed`, report dossiers, the server) reads them here.
 */
#include "sanctwatch/query.h"
#include "sanctwatch/error.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_entries[] =
    "SELECT e.id, e.list, e.ref, e.name, e.programmes, e.listed_on, e.remarks, e.active,"
    " v.flag, v.vessel_type, v.tonnage, v.grt, v.owner, f.edition,"
    " (SELECT max(p.edition) FROM list_editions p WHERE p.list = e.list"
    "  AND p.edition < f.edition)"
    " FROM entries e LEFT JOIN entry_vessels v ON v.entry = e.id"
    " LEFT JOIN list_editions f ON f.id = e.first_edition"
    " WHERE e.type = 'vessel' AND (?1 IS NULL OR e.list = ?1)"
    " AND (?2 IS NULL OR instr(e.programmes, ?2) > 0) AND (?3 OR e.active = 1)"
    " AND (?4 IS NULL OR e.id IN (SELECT entry FROM entry_ids WHERE kind = 'imo' AND norm = ?4))"
    " AND (?5 IS NULL OR e.id IN (SELECT entry FROM entry_ids WHERE kind = 'mmsi' AND norm = ?5))"
    " ORDER BY e.list, e.ref";
static const char sql_names[] = "SELECT name FROM entry_names WHERE entry = ?1 ORDER BY rowid";
static const char sql_ids[] = "SELECT kind, norm, valid FROM entry_ids WHERE entry = ?1"
                              " AND kind IN ('imo', 'mmsi', 'call_sign') ORDER BY rowid";

/* What one row points to, grown as needed and kept for the next row. */
struct rowbuf {
    const char **names;
    size_t ncap;
    uint32_t *imos, *mmsis;
    size_t icap, mcap;
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return SW_OK;
    size_t nc = *cap ? 2 * *cap : 8;
    void *np = realloc(*p, nc * size);
    if (!np) return SW_ENOMEM;
    *p = np;
    *cap = nc;
    return SW_OK;
}

/* Every name of the entry: the primary first, then the others once each. The strings stay
 * valid while q stays on its row and the names statement is not stepped again: they are
 * copied into one block (names) freed by the caller. */
static int load_names(sqlite3 *db, int64_t id, const char *primary, struct sw_designated_row *d,
                      struct rowbuf *b, char **block)
{
    sqlite3_stmt *q;
    size_t len = 0, n = 0, used = 0;
    if (sw_store_stmt_get(db, sql_names, &q)) return SW_EDB;
    sqlite3_bind_int64(q, 1, id);
    int st;
    while ((st = sqlite3_step(q)) == SQLITE_ROW)
        len += (size_t)sqlite3_column_bytes(q, 0) + 1;
    int rc = st == SQLITE_DONE ? SW_OK : SW_EDB;
    *block = rc ? NULL : malloc(len + 1);
    if (!rc && !*block) rc = SW_ENOMEM;
    if (!rc && (rc = grow((void **)&b->names, &b->ncap, n, sizeof *b->names)) == SW_OK)
        b->names[n++] = primary;
    sqlite3_reset(q);
    while (!rc && (st = sqlite3_step(q)) == SQLITE_ROW) {
        const char *s = sw_store_col_text(q, 0);
        size_t k = strlen(s);
        int dup = used + k + 1 > len;
        for (size_t i = 0; i < n && !dup; i++)
            dup = !strcmp(b->names[i], s);
        if (dup) continue;
        if ((rc = grow((void **)&b->names, &b->ncap, n, sizeof *b->names))) break;
        memcpy(*block + used, s, k + 1);
        b->names[n++] = *block + used;
        used += k + 1;
    }
    if (!rc && st != SQLITE_ROW && st != SQLITE_DONE) rc = SW_EDB;
    sw_store_stmt_put(q);
    d->names = b->names;
    d->n_names = n;
    return rc;
}

/* IMOs, MMSIs and the first call sign (copied into callsign). */
static int load_ids(sqlite3 *db, int64_t id, struct sw_designated_row *d, struct rowbuf *b,
                    char *callsign, size_t cslen)
{
    sqlite3_stmt *q;
    if (sw_store_stmt_get(db, sql_ids, &q)) return SW_EDB;
    sqlite3_bind_int64(q, 1, id);
    int st, rc = SW_OK;
    d->n_imos = d->n_mmsis = 0;
    callsign[0] = '\0';
    while ((st = sqlite3_step(q)) == SQLITE_ROW) {
        const char *kind = sw_store_col_text(q, 0), *norm = sw_store_col_text(q, 1);
        char *end;
        unsigned long long v = strtoull(norm, &end, 10);
        int num = *norm && !*end && v > 0 && v <= 999999999ULL;
        if (!strcmp(kind, "call_sign")) {
            if (!callsign[0]) snprintf(callsign, cslen, "%s", norm);
        } else if (!strcmp(kind, "imo") && num) {
            if ((rc = grow((void **)&b->imos, &b->icap, d->n_imos, sizeof *b->imos))) break;
            if (!d->n_imos) d->imo_valid = sqlite3_column_int(q, 2) == 1;
            b->imos[d->n_imos++] = (uint32_t)v;
        } else if (!strcmp(kind, "mmsi") && num) {
            if ((rc = grow((void **)&b->mmsis, &b->mcap, d->n_mmsis, sizeof *b->mmsis))) break;
            b->mmsis[d->n_mmsis++] = (uint32_t)v;
        }
    }
    if (!rc && st != SQLITE_DONE) rc = SW_EDB;
    sw_store_stmt_put(q);
    d->imos = b->imos;
    d->mmsis = b->mmsis;
    d->imo = d->n_imos ? b->imos[0] : 0;
    d->mmsi = d->n_mmsis ? b->mmsis[0] : 0;
    return rc;
}

static int64_t date_of(const char *s)
{
    int64_t ms;
    return s && *s && sw_time_parse(s, strlen(s), &ms) == SW_OK ? ms : SW_TIME_NONE;
}

/* The designation's window (query.h): listed_on when known, else the first edition's date and
 * the later of the programmes' start and the edition before it. */
static void designation_window(struct sw_designated_row *d, const char *first, const char *prev)
{
    int64_t on = date_of(d->listed_on);
    if (on != SW_TIME_NONE) {
        d->listed_by = d->listed_after = on;
        return;
    }
    int64_t p = sw_lists_programmes_start(d->list, d->programmes), e = date_of(prev);
    d->listed_by = date_of(first);
    d->listed_after = p == SW_TIME_NONE || (e != SW_TIME_NONE && e > p) ? e : p;
}

static int one_row(sqlite3 *db, sqlite3_stmt *q, struct rowbuf *b, sw_designated_fn fn, void *ctx)
{
    struct sw_designated_row d;
    char callsign[64], *names = NULL;
    memset(&d, 0, sizeof d);
    d.entry = sqlite3_column_int64(q, 0);
    d.list = sw_store_col_text(q, 1);
    d.ref = sw_store_col_text(q, 2);
    d.name = sw_store_col_text(q, 3);
    d.programmes = sw_store_col_text(q, 4);
    d.listed_on = sw_store_col_text(q, 5);
    d.remarks = sw_store_col_text(q, 6);
    d.active = sqlite3_column_int(q, 7);
    d.flag = sw_store_col_text(q, 8);
    d.vessel_type = sw_store_col_text(q, 9);
    d.tonnage = sw_store_col_text(q, 10);
    d.grt = sw_store_col_text(q, 11);
    d.owner = sw_store_col_text(q, 12);
    designation_window(&d, (const char *)sqlite3_column_text(q, 13),
                       (const char *)sqlite3_column_text(q, 14));
    int rc = load_names(db, d.entry, d.name, &d, b, &names);
    if (!rc) rc = load_ids(db, d.entry, &d, b, callsign, sizeof callsign);
    d.callsign = callsign;
    if (!rc) rc = fn(ctx, &d);
    free(names);
    return rc;
}

int sw_query_designated(sqlite3 *db, const struct sw_designated_filter *f, sw_designated_fn fn,
                        void *ctx, char *err)
{
    static const struct sw_designated_filter any;
    sqlite3_stmt *q = NULL;
    struct rowbuf b;
    char imo[16], mmsi[16];
    if (!f) f = &any;
    memset(&b, 0, sizeof b);
    int st = SQLITE_DONE, rc = sw_store_table(db, "entries"),
        rc2 = sw_store_table(db, "entry_vessels");
    if (rc < 0 || rc2 < 0) {
        rc = SW_EDB;
        goto fail;
    }
    if (!rc || !rc2) return SW_OK; /* no list imported into this store */
    rc = sw_store_stmt_get(db, sql_entries, &q);
    if (rc) goto fail;
    if (f->list) sqlite3_bind_text(q, 1, f->list, -1, SQLITE_STATIC);
    if (f->programme) sqlite3_bind_text(q, 2, f->programme, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, f->include_removed != 0);
    snprintf(imo, sizeof imo, "%u", f->imo);
    snprintf(mmsi, sizeof mmsi, "%u", f->mmsi);
    if (f->imo) sqlite3_bind_text(q, 4, imo, -1, SQLITE_STATIC);
    if (f->mmsi) sqlite3_bind_text(q, 5, mmsi, -1, SQLITE_STATIC);
    while ((st = sqlite3_step(q)) == SQLITE_ROW)
        if ((rc = one_row(db, q, &b, fn, ctx))) break;
    if (!rc && st != SQLITE_DONE) rc = SW_EDB;
fail:
    if (rc == SW_EDB && err)
        snprintf(err, SW_ERRMAX, "cannot read the sanctions lists: %s", sqlite3_errmsg(db));
    else if (rc == SW_ENOMEM && err)
        snprintf(err, SW_ERRMAX, "cannot read the sanctions lists: %s", sw_strerror(rc));
    sw_store_stmt_put(q);
    free(b.names);
    free(b.imos);
    free(b.mmsis);
    return rc;
}
