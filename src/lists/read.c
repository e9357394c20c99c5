/*
 * Reads of the lists tables for the rest of sanctwatch (sanctwatch/lists.h): the tables the
 * lists command shows, and every active entry with its names, identifiers, vessel details
 * and the subject it shares with entries of other lists, for screening. The SQL on these
 * tables lives in this module only.
 */
#include "lists_int.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/store.h"

#include <stdlib.h>
#include <string.h>

static const char *const table_sql[] = {
    [SW_LISTS_TYPES] = "SELECT list, type, sum(active), sum(1-active) FROM entries"
                       " WHERE (?1 IS NULL OR list=?1) AND (?2 IS NULL OR type=?2)"
                       " GROUP BY list, type ORDER BY list, type",
    [SW_LISTS_EDITIONS] = "SELECT id, list, edition, format, imported_at, n_entries, n_added,"
                          " n_removed, n_changed, n_orphans, files, source FROM list_editions"
                          " WHERE (?1 IS NULL OR list=?1) ORDER BY list, id",
    [SW_LISTS_CHANGES] =
        "SELECT e.list, e.edition, c.change, c.ref, n.type, n.name FROM entry_changes c"
        " JOIN list_editions e ON e.id=c.edition JOIN entries n ON n.id=c.entry"
        " WHERE (?1 IS NULL OR e.list=?1) AND (CASE WHEN ?4 = 0 THEN"
        " e.id=(SELECT max(id) FROM list_editions x WHERE x.list=e.list) ELSE e.id=?4 END)"
        " ORDER BY e.list, c.change, c.ref",
    [SW_LISTS_VESSELS] =
        "SELECT e.list, e.ref, e.name,"
        " (SELECT group_concat(norm || CASE valid WHEN 0 THEN '(bad check digit)' ELSE '' END,"
        "  ' ') FROM entry_ids WHERE entry=e.id AND kind='imo'),"
        " (SELECT group_concat(norm, ' ') FROM entry_ids WHERE entry=e.id AND kind='mmsi'),"
        " (SELECT group_concat(norm, ' ') FROM entry_ids WHERE entry=e.id AND"
        "  kind='call_sign'),"
        " v.flag, v.vessel_type, e.programmes FROM entries e"
        " LEFT JOIN entry_vessels v ON v.entry=e.id"
        " WHERE e.type='vessel' AND e.active=1 AND (?1 IS NULL OR e.list=?1)"
        " AND (?3 IS NULL OR instr(e.programmes, ?3) > 0)"
        " ORDER BY e.list, e.name",
};

int sw_lists_table(sqlite3 *db, enum sw_lists_table_kind kind, const struct sw_lists_filter *f,
                   int (*row)(void *ctx, int ncol, const char *const *cols), void *ctx)
{
    if (!db || (unsigned)kind > SW_LISTS_VESSELS || !row) return SW_EINVAL;
    struct sw_lists_filter none = {NULL, NULL, NULL, 0};
    if (!f) f = &none;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, table_sql[kind], -1, &q, NULL) != SQLITE_OK) return SW_EDB;
    int np = sqlite3_bind_parameter_count(q);
    if (f->list) sqlite3_bind_text(q, 1, f->list, -1, SQLITE_STATIC);
    if (np >= 2 && f->type) sqlite3_bind_text(q, 2, f->type, -1, SQLITE_STATIC);
    if (np >= 3 && f->programme) sqlite3_bind_text(q, 3, f->programme, -1, SQLITE_STATIC);
    if (np >= 4) sqlite3_bind_int64(q, 4, f->edition);
    const char *cols[16];
    int n = sqlite3_column_count(q), rc = SW_OK, src;
    if (n > 16) n = 16;
    while ((src = sqlite3_step(q)) == SQLITE_ROW) {
        for (int c = 0; c < n; c++)
            cols[c] = (const char *)sqlite3_column_text(q, c);
        if ((rc = row(ctx, n, cols))) break;
    }
    if (!rc && src != SQLITE_DONE) rc = SW_EDB;
    sqlite3_finalize(q);
    return rc;
}

int sw_lists_edition_exists(sqlite3 *db, int64_t id)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM list_editions WHERE id=?1", -1, &q, NULL) !=
        SQLITE_OK)
        return SW_EDB;
    sqlite3_bind_int64(q, 1, id);
    int src = sqlite3_step(q);
    sqlite3_finalize(q);
    return src == SQLITE_ROW ? 1 : src == SQLITE_DONE ? 0 : SW_EDB;
}

/* ---- every active entry, for screening ---- */

static const char *txt(sqlite3_stmt *q, int c)
{
    return (const char *)sqlite3_column_text(q, c);
}

/* Statements walked side by side, each ordered by entry id. */
struct walk {
    sqlite3_stmt *ent, *names, *ids;
    int names_row, ids_row; /* SQLITE_ROW while the statement has a current row */
    struct sw_lists_name_view *nv;
    struct sw_lists_id_view *iv;
    size_t (*off)[2];  /* string offsets in str of each name (name, quality), then of each id
                        * (from SW_LISTS_VIEW_MAX on): pointers are made once both are in */
    struct sw_buf str; /* a column's text is valid only until its statement steps on */
    struct lists_subjects subj;
};

/* Copy a column into w->str; its offset, or SIZE_MAX for NULL (or no room). */
static size_t keep(struct walk *w, sqlite3_stmt *q, int c)
{
    const char *t = txt(q, c);
    size_t o = w->str.len;
    if (!t || sw_buf_append(&w->str, t, strlen(t) + 1)) return SIZE_MAX;
    return o;
}

static const char *at(const struct walk *w, size_t o)
{
    return o == SIZE_MAX ? NULL : w->str.data + o;
}

/* The rows of statement q (entry id in column 0, two text columns) for entry id, copied;
 * their count. *row is the statement's last step result. */
static size_t collect(struct walk *w, sqlite3_stmt *q, int *row, int64_t id, size_t (*off)[2])
{
    size_t n = 0;
    while (*row == SQLITE_ROW && sqlite3_column_int64(q, 0) < id)
        *row = sqlite3_step(q);
    while (*row == SQLITE_ROW && sqlite3_column_int64(q, 0) == id) {
        if (n < SW_LISTS_VIEW_MAX) {
            off[n][0] = keep(w, q, 1);
            off[n][1] = keep(w, q, 2);
            n++;
        }
        *row = sqlite3_step(q);
    }
    return n;
}

static int walk_entry(struct walk *w, int (*fn)(void *, const struct sw_lists_entry_view *),
                      void *ctx)
{
    int64_t id = sqlite3_column_int64(w->ent, 0);
    struct sw_lists_entry_view v = {0};
    v.list = txt(w->ent, 1);
    v.ref = txt(w->ent, 2);
    v.type = txt(w->ent, 3);
    v.name = txt(w->ent, 4);
    v.flag = txt(w->ent, 5);
    v.vessel_type = txt(w->ent, 6);
    v.tonnage = txt(w->ent, 7);
    v.grt = txt(w->ent, 8);
    v.subject = lists_subject_of(&w->subj, id);
    sw_buf_reset(&w->str);
    /* the ids' strings may move str's data (realloc): pointers only after both */
    size_t(*ioff)[2] = w->off + SW_LISTS_VIEW_MAX;
    v.n_names = collect(w, w->names, &w->names_row, id, w->off);
    v.n_ids = collect(w, w->ids, &w->ids_row, id, ioff);
    for (size_t i = 0; i < v.n_names; i++) {
        w->nv[i].name = at(w, w->off[i][0]);
        w->nv[i].quality = at(w, w->off[i][1]);
    }
    for (size_t i = 0; i < v.n_ids; i++) {
        w->iv[i].kind = at(w, ioff[i][0]);
        w->iv[i].norm = at(w, ioff[i][1]);
    }
    v.names = w->nv;
    v.ids = w->iv;
    if (!v.list || !v.ref || !v.type || !v.name) return SW_OK; /* NOT NULL columns */
    return fn(ctx, &v);
}

int sw_lists_each_active(sqlite3 *db, int (*fn)(void *ctx, const struct sw_lists_entry_view *e),
                         void *ctx)
{
    if (!db || !fn) return SW_EINVAL;
    if (!sw_store_has_table(db, "entries") || !sw_store_has_table(db, "entry_names"))
        return SW_ENOTFOUND;
    struct walk w = {0};
    int rc = lists_subjects_find(db, &w.subj);
    if (rc) return rc;
    w.nv = malloc(SW_LISTS_VIEW_MAX * sizeof *w.nv);
    w.iv = malloc(SW_LISTS_VIEW_MAX * sizeof *w.iv);
    w.off = malloc(2 * SW_LISTS_VIEW_MAX * sizeof *w.off);
    sw_buf_init(&w.str, 64u << 20);
    rc = !w.nv || !w.iv || !w.off ? SW_ENOMEM : SW_OK;
    if (!rc &&
        (sqlite3_prepare_v2(db,
                            "SELECT e.id, e.list, e.ref, e.type, e.name, v.flag, v.vessel_type,"
                            " v.tonnage, v.grt FROM entries e LEFT JOIN entry_vessels v"
                            " ON v.entry = e.id WHERE e.active = 1 ORDER BY e.id",
                            -1, &w.ent, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(db,
                            "SELECT n.entry, n.name, n.quality FROM entry_names n JOIN entries e"
                            " ON e.id = n.entry WHERE e.active = 1"
                            " ORDER BY n.entry, n.quality <> 'primary'",
                            -1, &w.names, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(db,
                            "SELECT i.entry, i.kind, coalesce(i.norm, i.value) FROM entry_ids i"
                            " JOIN entries e ON e.id = i.entry WHERE e.active = 1"
                            " ORDER BY i.entry",
                            -1, &w.ids, NULL) != SQLITE_OK))
        rc = SW_EDB;
    if (!rc) {
        w.names_row = sqlite3_step(w.names);
        w.ids_row = sqlite3_step(w.ids);
        int src;
        while (!rc && (src = sqlite3_step(w.ent)) == SQLITE_ROW)
            rc = walk_entry(&w, fn, ctx);
        if (!rc &&
            (src != SQLITE_DONE || (w.names_row != SQLITE_ROW && w.names_row != SQLITE_DONE) ||
             (w.ids_row != SQLITE_ROW && w.ids_row != SQLITE_DONE)))
            rc = SW_EDB;
    }
    sqlite3_finalize(w.ent);
    sqlite3_finalize(w.names);
    sqlite3_finalize(w.ids);
    free(w.nv);
    free(w.iv);
    free(w.off);
    sw_buf_release(&w.str);
    lists_subjects_release(&w.subj);
    return rc;
}
