/*
 * Fills a screening index from the lists tables of the store (written by the lists module,
 * schema in sanctwatch/lists.h): every active entry, its names with their quality, and its
 * identifiers. Entry keys are "<list>:<ref>".
 */
#include "sanctwatch/store.h"
#include "sanctwatch/error.h"
#include "sanctwatch/screen.h"

#include <stdio.h>
#include <string.h>

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

/* Entry key "<list>:<ref>" of a row whose first two columns are list and ref. */
static void row_key(sqlite3_stmt *st, char *key, size_t cap)
{
    snprintf(key, cap, "%s:%s", col(st, 0), col(st, 1));
}

static int add_entry(struct sw_screen_index *idx, sqlite3_stmt *st)
{
    char key[512];
    int type = SW_SCREEN_OTHER;
    sw_screen_type_parse(col(st, 2), &type);
    row_key(st, key, sizeof key);
    return sw_screen_index_add_entry(idx, key, col(st, 0), col(st, 1), type);
}

static int add_name(struct sw_screen_index *idx, sqlite3_stmt *st)
{
    char key[512];
    int type = SW_SCREEN_OTHER;
    sw_screen_type_parse(col(st, 2), &type);
    row_key(st, key, sizeof key);
    int rc =
        sw_screen_index_add_name(idx, key, type, col(st, 3), sw_screen_quality_parse(col(st, 4)));
    return rc == SW_ETOOBIG ? SW_OK : rc; /* a name ICU cannot expand within bounds: skipped */
}

static int add_id(struct sw_screen_index *idx, sqlite3_stmt *st)
{
    char key[512];
    row_key(st, key, sizeof key);
    return sw_screen_index_add_id(idx, key, col(st, 2), col(st, 3));
}

/* add() for every row of sql: SW_OK, add()'s error, or SW_EDB. */
static int each_row(sqlite3 *db, const char *sql, struct sw_screen_index *idx,
                    int (*add)(struct sw_screen_index *, sqlite3_stmt *))
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return SW_EDB;
    }
    int rc = SW_OK, src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = add(idx, st))) break;
    if (!rc && src != SQLITE_DONE) rc = SW_EDB;
    sqlite3_finalize(st);
    return rc;
}

int sw_screen_index_load_db(struct sw_screen_index *idx, sqlite3 *db)
{
    if (!idx || !db) return SW_EINVAL;
    if (!sw_store_has_table(db, "entries") || !sw_store_has_table(db, "entry_names"))
        return SW_ENOTFOUND;
    /* Entries first, so each carries its list, ref and type; then names, the primary first
     * so it becomes the entry's primary name; then identifiers. */
    int rc = each_row(db, "SELECT list, ref, type FROM entries WHERE active = 1", idx, add_entry);
    if (!rc)
        rc = each_row(db,
                      "SELECT e.list, e.ref, e.type, n.name, n.quality FROM entry_names n "
                      "JOIN entries e ON e.id = n.entry WHERE e.active = 1 "
                      "ORDER BY n.entry, n.quality <> 'primary'",
                      idx, add_name);
    if (!rc && sw_store_has_table(db, "entry_ids"))
        rc = each_row(db,
                      "SELECT e.list, e.ref, i.kind, coalesce(i.norm, i.value) "
                      "FROM entry_ids i JOIN entries e ON e.id = i.entry "
                      "WHERE e.active = 1",
                      idx, add_id);
    return rc ? rc : sw_screen_index_build(idx);
}
