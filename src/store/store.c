/* SQLite store: opening with the settings every command relies on, and per-module migrations. */
#include "sanctwatch/store.h"
#include "sanctwatch/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sw_store_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? SW_OK : SW_EDB;
}

int sw_store_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql)
{
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK
               ? SW_OK
               : SW_EDB;
}

int sw_store_step(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SW_OK : SW_EDB;
}

int sw_store_has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *q = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &q,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return found;
}

/* sqlite3_open_v2 with the busy timeout every command relies on; err says why not. */
static int open_flags(const char *path, int flags, sqlite3 **out, char *err)
{
    sqlite3 *db = NULL;
    *out = NULL;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        if (err)
            snprintf(err, SW_ERRMAX, "cannot open '%.200s': %s", path,
                     db ? sqlite3_errmsg(db) : "no memory");
        sqlite3_close(db);
        return SW_EDB;
    }
    sqlite3_busy_timeout(db, 10000);
    *out = db;
    return SW_OK;
}

/* SW_ENOTFOUND, said in err, when path does not exist. */
static int must_exist(const char *path, char *err)
{
    if (access(path, F_OK) == 0) return SW_OK;
    if (err) snprintf(err, SW_ERRMAX, "cannot open '%.200s': %s", path, strerror(errno));
    return SW_ENOTFOUND;
}

int sw_store_open(const char *path, sqlite3 **out, char *err)
{
    sqlite3 *db;
    int rc = open_flags(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db, err);
    if (rc) return rc;
    if (sw_store_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                          "PRAGMA foreign_keys=ON;") ||
        sw_store_exec(db,
                      "CREATE TABLE IF NOT EXISTS schema_migrations("
                      " module TEXT NOT NULL, version INTEGER NOT NULL,"
                      " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
                      " PRIMARY KEY(module, version))")) {
        if (err) snprintf(err, SW_ERRMAX, "cannot set up '%s': %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return SW_EDB;
    }
    *out = db;
    return SW_OK;
}

int sw_store_open_existing(const char *path, sqlite3 **out, char *err)
{
    *out = NULL;
    int rc = must_exist(path, err);
    return rc ? rc : sw_store_open(path, out, err);
}

int sw_store_open_readonly(const char *path, sqlite3 **out, char *err)
{
    sqlite3 *db;
    *out = NULL;
    int rc = must_exist(path, err);
    if (rc || (rc = open_flags(path, SQLITE_OPEN_READONLY, &db, err))) return rc;
    /* Read the schema now: a file that is not a database says so here, not halfway. */
    if (sw_store_exec(db, "SELECT count(*) FROM sqlite_master")) {
        if (err) snprintf(err, SW_ERRMAX, "cannot read '%.200s': %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return SW_EDB;
    }
    *out = db;
    return SW_OK;
}

void sw_store_close(sqlite3 *db)
{
    if (!db) return;
    sw_store_cache_free(db);
    sqlite3_close(db);
}

int sw_store_migrate(sqlite3 *db, const char *module, const char *const *steps, int n)
{
    sqlite3_stmt *q = NULL;
    int have = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT COALESCE(MAX(version),0) FROM schema_migrations WHERE module=?",
                           -1, &q, NULL) != SQLITE_OK)
        return SW_EDB;
    sqlite3_bind_text(q, 1, module, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) have = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (have > n) return SW_EUNSUPPORTED; /* database written by a newer sanctwatch */
    for (int v = have + 1; v <= n; v++) {
        if (sw_store_exec(db, "BEGIN IMMEDIATE")) return SW_EDB;
        if (sw_store_exec(db, steps[v - 1])) goto fail;
        if (sqlite3_prepare_v2(db, "INSERT INTO schema_migrations(module, version) VALUES(?,?)", -1,
                               &q, NULL) != SQLITE_OK)
            goto fail;
        sqlite3_bind_text(q, 1, module, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 2, v);
        int rc = sqlite3_step(q);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) goto fail;
        if (sw_store_exec(db, "COMMIT")) goto fail;
    }
    return SW_OK;
fail:
    sw_store_exec(db, "ROLLBACK");
    return SW_EDB;
}
