/*
 * The tables of module "serve" and all their SQL: users (argon2id password hashes), sessions
 * and API tokens (SHA-256 hashes of random tokens: the store never holds a usable
 * credential), watchlists and the alerts they raised. The service's HTTP threads call the
 * readers on their own read-only connections; every write runs in the writer thread.
 */
#include "serve_int.h"

#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <stdio.h>
#include <string.h>

static const char *const migrations[] = {
    /* 1 */
    "CREATE TABLE serve_users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " role INTEGER NOT NULL CHECK(role BETWEEN 1 AND 3), pwhash TEXT NOT NULL,"
    " must_change INTEGER NOT NULL DEFAULT 1, created_ms INTEGER NOT NULL,"
    " last_login_ms INTEGER);"
    "CREATE TABLE serve_sessions(id INTEGER PRIMARY KEY,"
    " user INTEGER NOT NULL REFERENCES serve_users(id) ON DELETE CASCADE,"
    " hash BLOB NOT NULL UNIQUE, csrf TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " expires_ms INTEGER NOT NULL, address TEXT NOT NULL);"
    "CREATE TABLE serve_tokens(id INTEGER PRIMARY KEY,"
    " user INTEGER NOT NULL REFERENCES serve_users(id) ON DELETE CASCADE,"
    " hash BLOB NOT NULL UNIQUE, label TEXT NOT NULL, created_ms INTEGER NOT NULL,"
    " expires_ms INTEGER);"
    "CREATE TABLE serve_watch(id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK(kind IN ('imo', 'mmsi', 'name')), value TEXT NOT NULL,"
    " norm TEXT NOT NULL, label TEXT NOT NULL, created_by TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL, UNIQUE(kind, norm));"
    "CREATE TABLE serve_alerts(id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
    " kind TEXT NOT NULL, watch INTEGER, mmsi INTEGER, imo INTEGER, name TEXT, event TEXT,"
    " label TEXT);",
};

int sw_serve_migrate(sqlite3 *db)
{
    return sw_store_migrate(db, "serve", migrations,
                            (int)(sizeof migrations / sizeof migrations[0]));
}

/* One statement of the connection's cache: bound by the caller, stepped, given back. */
#define GET(db, sql, q)                                                                            \
    sqlite3_stmt *q;                                                                               \
    if (sw_store_stmt_get(db, sql, &q)) return SW_EDB

static int done(sqlite3_stmt *q, int rc)
{
    sw_store_stmt_put(q);
    return rc;
}

/* Step a write: SW_OK, SW_EEXISTS (a unique constraint), SW_EDB. */
static int write_step(sqlite3_stmt *q)
{
    int st = sqlite3_step(q);
    if (st == SQLITE_DONE || st == SQLITE_ROW) return done(q, SW_OK);
    int ext = sqlite3_extended_errcode(sqlite3_db_handle(q));
    return done(q, ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY
                       ? SW_EEXISTS
                       : SW_EDB);
}

/* ------------------------------------------------------------------------------ users */

static const char sql_user_get[] =
    "SELECT id, role, pwhash, must_change FROM serve_users WHERE name = ?1";
static const char sql_user_ins[] = "INSERT INTO serve_users(name, role, pwhash, must_change,"
                                   " created_ms) VALUES(?1, ?2, ?3, ?4, ?5)";
static const char sql_user_pw[] =
    "UPDATE serve_users SET pwhash = ?2, must_change = ?3 WHERE name = ?1";
static const char sql_user_revoke[] =
    "DELETE FROM serve_sessions WHERE user = (SELECT id FROM serve_users WHERE name = ?1)"
    " AND id <> ?2";
static const char sql_user_revoke_tokens[] =
    "DELETE FROM serve_tokens WHERE user = (SELECT id FROM serve_users WHERE name = ?1)";
static const char sql_user_del[] = "DELETE FROM serve_users WHERE name = ?1";
static const char sql_user_login[] = "UPDATE serve_users SET last_login_ms = ?2 WHERE id = ?1";
static const char sql_users[] =
    "SELECT id, name, role, must_change, created_ms, last_login_ms FROM serve_users ORDER BY name";

int srv_db_user_get(sqlite3 *db, const char *name, int64_t *id, int *role, char *pwhash,
                    size_t pwcap, int *must_change)
{
    GET(db, sql_user_get, q);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int st = sqlite3_step(q);
    if (st != SQLITE_ROW) return done(q, st == SQLITE_DONE ? SW_ENOTFOUND : SW_EDB);
    *id = sqlite3_column_int64(q, 0);
    *role = sqlite3_column_int(q, 1);
    if (pwhash) snprintf(pwhash, pwcap, "%s", sw_store_col_text(q, 2));
    *must_change = sqlite3_column_int(q, 3);
    return done(q, SW_OK);
}

int srv_db_user_insert(sqlite3 *db, const char *name, int role, const char *pwhash, int must,
                       int64_t now)
{
    GET(db, sql_user_ins, q);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, role);
    sqlite3_bind_text(q, 3, pwhash, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 4, must);
    sqlite3_bind_int64(q, 5, now);
    return write_step(q);
}

int srv_db_user_password(sqlite3 *db, const char *name, const char *pwhash, int must,
                         int64_t keep_session)
{
    int rc;
    {
        GET(db, sql_user_pw, q);
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, pwhash, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 3, must);
        if ((rc = write_step(q))) return rc;
        if (sqlite3_changes(db) == 0) return SW_ENOTFOUND;
    }
    {
        GET(db, sql_user_revoke, q);
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, keep_session);
        if ((rc = write_step(q))) return rc;
    }
    if (keep_session) return SW_OK; /* a user changing their password keeps their tokens */
    GET(db, sql_user_revoke_tokens, q);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    return write_step(q);
}

int srv_db_user_delete(sqlite3 *db, const char *name)
{
    GET(db, sql_user_del, q);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = write_step(q);
    return rc ? rc : sqlite3_changes(db) ? SW_OK : SW_ENOTFOUND;
}

int srv_db_user_login(sqlite3 *db, int64_t id, int64_t now)
{
    GET(db, sql_user_login, q);
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, now);
    return write_step(q);
}

int srv_db_users(sqlite3 *db, sw_user_fn fn, void *ctx)
{
    GET(db, sql_users, q);
    int st, rc = SW_OK;
    while (!rc && (st = sqlite3_step(q)) == SQLITE_ROW) {
        struct sw_user_row u = {sqlite3_column_int64(q, 0), sw_store_col_text(q, 1),
                                sqlite3_column_int(q, 2),   sqlite3_column_int(q, 3),
                                sw_store_col_time(q, 4),    sw_store_col_time(q, 5)};
        rc = fn(ctx, &u);
    }
    if (!rc && st != SQLITE_DONE) rc = SW_EDB;
    return done(q, rc);
}

/* ------------------------------------------------------------------ sessions, tokens */

static const char sql_sess_ins[] =
    "INSERT INTO serve_sessions(user, hash, csrf, created_ms, expires_ms, address)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_sess_user[] =
    "SELECT s.id, u.id, u.name, u.role, u.must_change, s.csrf FROM serve_sessions s"
    " JOIN serve_users u ON u.id = s.user WHERE s.hash = ?1 AND s.expires_ms > ?2";
static const char sql_token_user[] =
    "SELECT 0, u.id, u.name, u.role, u.must_change, '' FROM serve_tokens t"
    " JOIN serve_users u ON u.id = t.user WHERE t.hash = ?1"
    " AND (t.expires_ms IS NULL OR t.expires_ms > ?2)";
static const char sql_sess_del[] = "DELETE FROM serve_sessions WHERE id = ?1";
static const char sql_token_ins[] = "INSERT INTO serve_tokens(user, hash, label, created_ms, "
                                    "expires_ms) VALUES(?1, ?2, ?3, ?4, ?5)";
static const char sql_token_del[] = "DELETE FROM serve_tokens WHERE id = ?2 AND user = ?1";
static const char sql_tokens[] = "SELECT id, label, created_ms, expires_ms FROM serve_tokens"
                                 " WHERE user = ?1 ORDER BY id";
static const char sql_expire_s[] = "DELETE FROM serve_sessions WHERE expires_ms <= ?1";
static const char sql_expire_t[] =
    "DELETE FROM serve_tokens WHERE expires_ms IS NOT NULL AND expires_ms <= ?1";

int srv_db_session_insert(sqlite3 *db, int64_t user, const uint8_t hash[32], const char *csrf,
                          int64_t now, int64_t expires, const char *addr, int64_t *id)
{
    GET(db, sql_sess_ins, q);
    sqlite3_bind_int64(q, 1, user);
    sqlite3_bind_blob(q, 2, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, csrf, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, now);
    sqlite3_bind_int64(q, 5, expires);
    sqlite3_bind_text(q, 6, addr, -1, SQLITE_STATIC);
    int rc = write_step(q);
    if (!rc) *id = sqlite3_last_insert_rowid(db);
    return rc;
}

static int who(sqlite3 *db, const char *sql, const uint8_t hash[32], int64_t now,
               struct srv_user *u)
{
    GET(db, sql, q);
    sqlite3_bind_blob(q, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, now);
    int st = sqlite3_step(q);
    if (st != SQLITE_ROW) return done(q, st == SQLITE_DONE ? SW_ENOTFOUND : SW_EDB);
    memset(u, 0, sizeof *u);
    u->session = sqlite3_column_int64(q, 0);
    u->id = sqlite3_column_int64(q, 1);
    snprintf(u->name, sizeof u->name, "%s", sw_store_col_text(q, 2));
    u->role = sqlite3_column_int(q, 3);
    u->must_change = sqlite3_column_int(q, 4);
    snprintf(u->csrf, sizeof u->csrf, "%s", sw_store_col_text(q, 5));
    return done(q, SW_OK);
}

int srv_db_session_user(sqlite3 *db, const uint8_t hash[32], int64_t now, struct srv_user *u)
{
    return who(db, sql_sess_user, hash, now, u);
}

int srv_db_token_user(sqlite3 *db, const uint8_t hash[32], int64_t now, struct srv_user *u)
{
    return who(db, sql_token_user, hash, now, u);
}

int srv_db_session_delete(sqlite3 *db, int64_t id)
{
    GET(db, sql_sess_del, q);
    sqlite3_bind_int64(q, 1, id);
    return write_step(q);
}

int srv_db_token_insert(sqlite3 *db, int64_t user, const uint8_t hash[32], const char *label,
                        int64_t now, int64_t expires, int64_t *id)
{
    GET(db, sql_token_ins, q);
    sqlite3_bind_int64(q, 1, user);
    sqlite3_bind_blob(q, 2, hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, label, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, now);
    if (expires != SW_TIME_NONE) sqlite3_bind_int64(q, 5, expires);
    int rc = write_step(q);
    if (!rc) *id = sqlite3_last_insert_rowid(db);
    return rc;
}

int srv_db_token_delete(sqlite3 *db, int64_t user, int64_t id)
{
    GET(db, sql_token_del, q);
    sqlite3_bind_int64(q, 1, user);
    sqlite3_bind_int64(q, 2, id);
    int rc = write_step(q);
    return rc ? rc : sqlite3_changes(db) ? SW_OK : SW_ENOTFOUND;
}

int srv_db_tokens(sqlite3 *db, int64_t user, srv_token_fn fn, void *ctx)
{
    GET(db, sql_tokens, q);
    sqlite3_bind_int64(q, 1, user);
    int st, rc = SW_OK;
    while (!rc && (st = sqlite3_step(q)) == SQLITE_ROW)
        rc = fn(ctx, sqlite3_column_int64(q, 0), sw_store_col_text(q, 1),
                sqlite3_column_int64(q, 2), sw_store_col_time(q, 3));
    if (!rc && st != SQLITE_DONE) rc = SW_EDB;
    return done(q, rc);
}

int srv_db_expire(sqlite3 *db, int64_t now)
{
    int rc;
    {
        GET(db, sql_expire_s, q);
        sqlite3_bind_int64(q, 1, now);
        if ((rc = write_step(q))) return rc;
    }
    GET(db, sql_expire_t, q);
    sqlite3_bind_int64(q, 1, now);
    return write_step(q);
}

/* ------------------------------------------------------------------ watchlists, alerts */

static const char sql_watch_ins[] =
    "INSERT INTO serve_watch(kind, value, norm, label, created_by, created_ms)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_watch_del[] = "DELETE FROM serve_watch WHERE id = ?1";
static const char sql_watches[] =
    "SELECT id, kind, value, norm, label, created_by, created_ms FROM serve_watch ORDER BY id";
static const char sql_alert_ins[] =
    "INSERT INTO serve_alerts(time_ms, kind, watch, mmsi, imo, name, event, label)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_alerts[] =
    "SELECT id, time_ms, kind, watch, mmsi, imo, name, event, label FROM serve_alerts"
    " WHERE id > ?1 ORDER BY id LIMIT ?2";
static const char sql_alert_last[] = "SELECT coalesce(max(id), 0) FROM serve_alerts";

int srv_db_watch_add(sqlite3 *db, const char *kind, const char *value, const char *norm,
                     const char *label, const char *by, int64_t now, int64_t *id)
{
    GET(db, sql_watch_ins, q);
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, norm, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, label, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, now);
    int rc = write_step(q);
    if (!rc) *id = sqlite3_last_insert_rowid(db);
    return rc;
}

int srv_db_watch_del(sqlite3 *db, int64_t id)
{
    GET(db, sql_watch_del, q);
    sqlite3_bind_int64(q, 1, id);
    int rc = write_step(q);
    return rc ? rc : sqlite3_changes(db) ? SW_OK : SW_ENOTFOUND;
}

int srv_db_watches(sqlite3 *db, srv_watch_fn fn, void *ctx)
{
    GET(db, sql_watches, q);
    int st, rc = SW_OK;
    while (!rc && (st = sqlite3_step(q)) == SQLITE_ROW) {
        struct srv_watch_row w = {sqlite3_column_int64(q, 0), sw_store_col_text(q, 1),
                                  sw_store_col_text(q, 2),    sw_store_col_text(q, 3),
                                  sw_store_col_text(q, 4),    sw_store_col_text(q, 5),
                                  sqlite3_column_int64(q, 6)};
        rc = fn(ctx, &w);
    }
    if (!rc && st != SQLITE_DONE) rc = SW_EDB;
    return done(q, rc);
}

int srv_db_alert_add(sqlite3 *db, const struct srv_alert_row *a, int64_t *id)
{
    GET(db, sql_alert_ins, q);
    sqlite3_bind_int64(q, 1, a->time);
    sqlite3_bind_text(q, 2, a->kind, -1, SQLITE_STATIC);
    if (a->watch) sqlite3_bind_int64(q, 3, a->watch);
    if (a->mmsi) sqlite3_bind_int64(q, 4, a->mmsi);
    if (a->imo) sqlite3_bind_int64(q, 5, a->imo);
    if (a->name) sqlite3_bind_text(q, 6, a->name, -1, SQLITE_STATIC);
    if (a->event) sqlite3_bind_text(q, 7, a->event, -1, SQLITE_STATIC);
    if (a->label) sqlite3_bind_text(q, 8, a->label, -1, SQLITE_STATIC);
    int rc = write_step(q);
    if (!rc) *id = sqlite3_last_insert_rowid(db);
    return rc;
}

int srv_db_alerts(sqlite3 *db, int64_t after, size_t limit, srv_alert_fn fn, void *ctx)
{
    GET(db, sql_alerts, q);
    sqlite3_bind_int64(q, 1, after);
    sqlite3_bind_int64(q, 2, limit ? (sqlite3_int64)limit : -1);
    int st, rc = SW_OK;
    while (!rc && (st = sqlite3_step(q)) == SQLITE_ROW) {
        struct srv_alert_row a = {sqlite3_column_int64(q, 0),
                                  sqlite3_column_int64(q, 1),
                                  sw_store_col_text(q, 2),
                                  sqlite3_column_int64(q, 3),
                                  (uint32_t)sqlite3_column_int64(q, 4),
                                  (uint32_t)sqlite3_column_int64(q, 5),
                                  sw_store_col_text(q, 6),
                                  sw_store_col_text(q, 7),
                                  sw_store_col_text(q, 8)};
        rc = fn(ctx, &a);
    }
    if (!rc && st != SQLITE_DONE) rc = SW_EDB;
    return done(q, rc);
}

int64_t srv_db_alert_last(sqlite3 *db)
{
    sqlite3_stmt *q;
    if (sw_store_stmt_get(db, sql_alert_last, &q)) return 0;
    int64_t v = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sw_store_stmt_put(q);
    return v;
}

/* ------------------------------------------------------------------------ atomic writes */

static const char sql_sp[] = "SAVEPOINT serve_write";
static const char sql_release[] = "RELEASE serve_write";
static const char sql_rollback[] = "ROLLBACK TO serve_write; RELEASE serve_write";

int srv_db_atomic(sqlite3 *db, int (*fn)(void *ctx, sqlite3 *db), void *ctx)
{
    if (sw_store_exec(db, sql_sp)) return SW_EDB;
    int rc = fn(ctx, db);
    if (rc == SW_OK) return sw_store_exec(db, sql_release) ? SW_EDB : SW_OK;
    /* keeping fn's error: the caller reads SQLite's message after this */
    return sw_store_rollback(db, sql_rollback) ? SW_EDB : rc;
}
