/*
 * Fills a screening index from the lists tables of the store (written by the lists module,
 * schema in sanctwatch/lists.h): every active entry, its names with their quality, and its
 * identifiers. Entry keys are "<list>:<ref>".
 */
#include "sanctwatch/error.h"
#include "sanctwatch/screen.h"

#include <stdio.h>
#include <string.h>

static int table_exists(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

int sw_screen_index_load_db(struct sw_screen_index *idx, sqlite3 *db)
{
    if (!idx || !db) return SW_EINVAL;
    if (!table_exists(db, "entries") || !table_exists(db, "entry_names")) return SW_ENOTFOUND;
    sqlite3_stmt *st = NULL;
    int rc = SW_OK, src;
    char key[512];
    /* Entries first, so each carries its list, ref and type. */
    if (sqlite3_prepare_v2(db, "SELECT list, ref, type FROM entries WHERE active = 1", -1, &st,
                           NULL) != SQLITE_OK)
        return SW_EDB;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int type = SW_SCREEN_OTHER;
        sw_screen_type_parse(col(st, 2), &type);
        snprintf(key, sizeof key, "%s:%s", col(st, 0), col(st, 1));
        if ((rc = sw_screen_index_add_entry(idx, key, col(st, 0), col(st, 1), type))) goto fail;
    }
    if (src != SQLITE_DONE) {
        rc = SW_EDB;
        goto fail;
    }
    sqlite3_finalize(st);
    /* Names: the primary first, so it becomes the entry's primary name. */
    if (sqlite3_prepare_v2(db,
                           "SELECT e.list, e.ref, e.type, n.name, n.quality FROM entry_names n "
                           "JOIN entries e ON e.id = n.entry WHERE e.active = 1 "
                           "ORDER BY n.entry, n.quality <> 'primary'",
                           -1, &st, NULL) != SQLITE_OK) {
        st = NULL;
        rc = SW_EDB;
        goto fail;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int type = SW_SCREEN_OTHER;
        sw_screen_type_parse(col(st, 2), &type);
        snprintf(key, sizeof key, "%s:%s", col(st, 0), col(st, 1));
        rc = sw_screen_index_add_name(idx, key, type, col(st, 3),
                                      sw_screen_quality_parse(col(st, 4)));
        if (rc == SW_ETOOBIG) rc = SW_OK; /* a name ICU cannot expand within bounds: skipped */
        if (rc) goto fail;
    }
    if (src != SQLITE_DONE) {
        rc = SW_EDB;
        goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (table_exists(db, "entry_ids")) {
        if (sqlite3_prepare_v2(db,
                               "SELECT e.list, e.ref, i.kind, coalesce(i.norm, i.value) "
                               "FROM entry_ids i JOIN entries e ON e.id = i.entry "
                               "WHERE e.active = 1",
                               -1, &st, NULL) != SQLITE_OK) {
            st = NULL;
            rc = SW_EDB;
            goto fail;
        }
        while ((src = sqlite3_step(st)) == SQLITE_ROW) {
            snprintf(key, sizeof key, "%s:%s", col(st, 0), col(st, 1));
            if ((rc = sw_screen_index_add_id(idx, key, col(st, 2), col(st, 3)))) goto fail;
        }
        if (src != SQLITE_DONE) {
            rc = SW_EDB;
            goto fail;
        }
    }
    rc = sw_screen_index_build(idx);
fail:
    sqlite3_finalize(st);
    return rc;
}
