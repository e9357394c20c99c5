/*
 * The cases module's tables (module "cases" in schema_migrations): draught_history, one row
 * each time a vessel's broadcast draught changed (written by the stage, stage.c, through
 * cases_draught_put), read by the cap tracker for the draught before and after a delivery.
 */
#include "cases_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/store.h"

int sw_cases_migrate(sqlite3 *db)
{
    static const char *const steps[] = {
        "CREATE TABLE draught_history(mmsi INTEGER NOT NULL, t_ms INTEGER NOT NULL,"
        " draught_m REAL NOT NULL, PRIMARY KEY(mmsi, t_ms)) WITHOUT ROWID;"};
    return sw_store_migrate(db, "cases", steps, 1);
}

static int one(sqlite3 *db, const char *sql, uint32_t mmsi, int64_t a, int64_t b, double *m)
{
    sqlite3_stmt *st = NULL;
    int rc = sw_store_table(db, "draught_history");
    if (rc <= 0) return rc < 0 ? SW_EDB : SW_ENOTFOUND;
    if ((rc = sw_store_stmt_get(db, sql, &st)) != SW_OK) return rc;
    sqlite3_bind_int64(st, 1, mmsi);
    sqlite3_bind_int64(st, 2, a);
    sqlite3_bind_int64(st, 3, b);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) *m = sqlite3_column_double(st, 0);
    rc = s == SQLITE_ROW ? SW_OK : s == SQLITE_DONE ? SW_ENOTFOUND : SW_EDB;
    sw_store_stmt_put(st);
    return rc;
}

static const char sql_at[] = "SELECT draught_m FROM draught_history WHERE mmsi = ?1 AND "
                             "t_ms <= ?2 AND ?3 = ?3 ORDER BY t_ms DESC LIMIT 1";
static const char sql_after[] = "SELECT draught_m FROM draught_history WHERE mmsi = ?1 AND "
                                "t_ms > ?2 AND t_ms <= ?3 ORDER BY t_ms LIMIT 1";

int cases_draught_prepare(sqlite3 *db, sqlite3_stmt **st)
{
    return sw_store_prepare(db, st,
                            "INSERT OR IGNORE INTO draught_history(mmsi, t_ms, draught_m) "
                            "VALUES(?, ?, ?)");
}

int cases_draught_put(sqlite3_stmt *st, uint32_t mmsi, int64_t t, double draught_m)
{
    sqlite3_bind_int64(st, 1, mmsi);
    sqlite3_bind_int64(st, 2, t);
    sqlite3_bind_double(st, 3, draught_m);
    return sw_store_step(st);
}

int sw_cases_draught_at(sqlite3 *db, uint32_t mmsi, int64_t t, double *m)
{
    return one(db, sql_at, mmsi, t, 0, m);
}

int sw_cases_draught_after(sqlite3 *db, uint32_t mmsi, int64_t t, int64_t t_max, double *m)
{
    int rc = one(db, sql_after, mmsi, t, t_max, m);
    return rc == SW_ENOTFOUND ? sw_cases_draught_at(db, mmsi, t_max, m) : rc;
}
