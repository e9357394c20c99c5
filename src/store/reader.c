/*
 * Opening a store for reading (query.h): read-only, after the migrations that the read
 * functions need have been applied to a store written by an older sanctwatch.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/query.h"
#include "sanctwatch/store.h"

#include <stdio.h>

/* 1 when a module's tables exist without the tables its latest migrations add. */
static int stale(sqlite3 *db)
{
    return sw_store_has_table(db, "events") &&
           (!sw_store_has_table(db, "event_vessels") || !sw_store_has_table(db, "ledger_reviews"));
}

int sw_query_open(const char *path, sqlite3 **out, char *err)
{
    int rc = sw_store_open_readonly(path, out, err);
    if (rc || !stale(*out)) return rc;
    sw_store_close(*out);
    *out = NULL;
    sqlite3 *db;
    if ((rc = sw_store_open_existing(path, &db, err))) return rc;
    if (sw_store_has_table(db, "events") && (rc = sw_ledger_migrate(db))) {
        if (err)
            snprintf(err, SW_ERRMAX, "cannot bring '%.200s' up to date: %s", path,
                     rc == SW_EDB ? sqlite3_errmsg(db) : sw_strerror(rc));
        sw_store_close(db);
        return rc;
    }
    sw_store_close(db);
    return sw_store_open_readonly(path, out, err);
}

void sw_query_cache_free(sqlite3 *db)
{
    sw_store_cache_free(db);
}
