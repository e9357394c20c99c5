/*
 * The embedded store: one SQLite database in WAL mode per investigation. Each engine module
 * (ingest, events, lists, ledger, ...) owns its tables and brings its own numbered
 * migrations; sw_store_migrate() applies the missing ones in order, each in a transaction,
 * and records them in schema_migrations(module, version).
 */
#ifndef SANCTWATCH_STORE_H
#define SANCTWATCH_STORE_H

#include <sqlite3.h>

#define SW_STORE_DEFAULT_PATH "sanctwatch.db"

/* Open (creating if needed) with WAL, foreign keys and a busy timeout. Caller closes with
 * sw_store_close(). On failure *out is NULL and a message is in err (if non-NULL, SW_ERRMAX bytes).
 */
int sw_store_open(const char *path, sqlite3 **out, char *err);
void sw_store_close(sqlite3 *db);
/* The same for a database that must already exist (every command but the ones that create
 * one): a misspelt path fails with SW_ENOTFOUND and "cannot open 'PATH': No such file or
 * directory" in err, instead of creating an empty store that reads as "nothing found". */
int sw_store_open_existing(const char *path, sqlite3 **out, char *err);

/* Open an existing database read-only, for the commands and services that only read
 * (vessels, track, events, lists vessels, the server): SW_ENOTFOUND with "cannot open 'PATH':
 * No such file or directory" when it is missing, SW_EDB with SQLite's reason when it is not a
 * database ("file is not a database") or cannot be read. Most readers call sw_query_open
 * (query.h), which also brings a store written by an older sanctwatch up to date first. */
int sw_store_open_readonly(const char *path, sqlite3 **out, char *err);

/*
 * One writer per database. Every command that writes a database (analyze, lists import,
 * ledger append and head, report when it signs a head, the server) opens it with
 * sw_store_open_writer, which first takes the database's writer lock: flock(LOCK_EX |
 * LOCK_NB) on "DB-writer.lock" beside it (DB resolved through symbolic links, so two names of
 * one database share one lock). A second writer is refused at once with SW_ELOCKED and
 * "database 'DB' is being written by 'sanctwatch analyze ...' (pid N since T)" in err: the
 * holder writes its pid, start time and command line into the lock file. Readers take no
 * lock (WAL lets them read beside the writer).
 * The kernel releases a flock when its holder exits or is killed, so a lock is never stale:
 * a lock file left behind only tells who held it last, and the next writer takes it over.
 * In a read-only directory an existing lock file is locked read-only (its text is then not
 * updated); when none exists and none can be created, the open fails (SW_EIO, the system's
 * reason in err) rather than write without the lock.
 * The lock is held as long as the connection: sw_store_close releases it.
 */
int sw_store_open_writer(const char *path, int create, sqlite3 **out, char *err);

/* Apply migrations steps[0..n-1] of module (version i+1 is steps[i]) not yet applied, each
 * in a transaction of its own, or, when db is already inside a transaction (a pipeline holds
 * one from sw_pipeline_new until it is freed), as a savepoint of it, committed with it: a
 * module may be opened on a connection before or after the pipeline. */
int sw_store_migrate(sqlite3 *db, const char *module, const char *const *steps, int n);

/* 1 when the database has a table of that name (a module's tables exist only once it ran),
 * 0 when it has not, SW_EDB when the schema cannot be read (sqlite3_errmsg has the reason; a
 * caller testing only for non-zero then goes on to a query that reports it). The same as
 * sw_store_table below. */
int sw_store_has_table(sqlite3 *db, const char *name);

/* Run SQL without results; SW_EDB on failure (sqlite3_errmsg(db) has the reason). */
int sw_store_exec(sqlite3 *db, const char *sql);

/* Run a rollback (sql: "ROLLBACK", or "ROLLBACK TO x; RELEASE x" for a savepoint) after a
 * failure, keeping the connection's error code and message as the failure left them, so that
 * sqlite3_errmsg still gives SQLite's reason afterwards ("attempt to write a readonly
 * database"; a plain ROLLBACK resets it to "not an error"). SW_OK when the rollback ran. */
int sw_store_rollback(sqlite3 *db, const char *sql);
/* Finalize st (NULL: nothing) keeping its connection's error as it is: finalizing a statement
 * that was still running resets sqlite3_errmsg to "not an error", which would hide the error
 * of another statement that failed before. */
void sw_store_finalize(sqlite3_stmt *st);

/* Prepare a statement kept for the life of its owner (SQLITE_PREPARE_PERSISTENT); SW_EDB on
 * failure (sqlite3_errmsg(db) has the reason). */
int sw_store_prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql);
/* Step a statement whose rows, if any, are not wanted, then reset it and clear its bindings
 * (strings bound SQLITE_STATIC need to live only until this returns). SW_OK when it ran
 * (SQLITE_DONE or SQLITE_ROW), SW_EDB otherwise (sqlite3_errmsg of its database keeps the
 * reason). */
int sw_store_step(sqlite3_stmt *st);

/* Per-connection cache of prepared statements and of data a reader derives from the
 * store (the query functions use it, query.h). A statement is keyed by the address of its SQL
 * text (a string of static storage): sw_store_stmt_get hands it out ready to bind (reset,
 * bindings cleared); while it is handed out, a second get of the same SQL (a callback reading
 * the store again) gets a fresh statement. Give every statement back with sw_store_stmt_put.
 * SW_EDB when the SQL does not prepare (sqlite3_errmsg(db) has the reason). */
int sw_store_stmt_get(sqlite3 *db, const char *sql, sqlite3_stmt **st);
void sw_store_stmt_put(sqlite3_stmt *st);
/* Data kept beside the statements, keyed by the address of an object of the caller's (one
 * per kind of data); sw_store_aux_set frees what was there with its free function. */
void *sw_store_aux_get(sqlite3 *db, const void *key);
int sw_store_aux_set(sqlite3 *db, const void *key, void *data, void (*free_fn)(void *));
/* 1 when the table exists, 0 when not, SW_EDB when the schema cannot be read (sqlite3_errmsg
 * has the reason): sw_store_has_table for readers that must not take a damaged schema for an
 * empty store; its statement is cached. */
int sw_store_table(sqlite3 *db, const char *name);

/* A column of the current row, unknown (NULL) as the read API writes it: "" (never NULL),
 * -1, NAN, INT64_MIN (SW_TIME_NONE). */
const char *sw_store_col_text(sqlite3_stmt *st, int i);
int sw_store_col_int(sqlite3_stmt *st, int i);
double sw_store_col_real(sqlite3_stmt *st, int i);
long long sw_store_col_time(sqlite3_stmt *st, int i);

/* Finalize and free everything cached for db (sw_store_close calls it). */
void sw_store_cache_free(sqlite3 *db);

#endif
