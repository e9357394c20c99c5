/* SQLite store: opening with the settings every command relies on, and per-module migrations. */
#include "sanctwatch/store.h"
#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

/* sw_raise(MESSAGE, CODE): fails with that message and (extended) error code. */
static void raise_fn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    const char *msg = (const char *)sqlite3_value_text(argv[0]);
    sqlite3_result_error(c, msg ? msg : "unknown error", -1);
    sqlite3_result_error_code(c, sqlite3_value_int(argv[1]));
}

/* The connection's error as it is now, to put back after clean-up statements. */
struct kept {
    int code;
    char msg[SW_ERRMAX];
};

static void keep(sqlite3 *db, struct kept *k)
{
    k->code = sqlite3_extended_errcode(db);
    snprintf(k->msg, sizeof k->msg, "%s", sqlite3_errmsg(db));
}

/* Put back a kept error (none when it was a success). SQLite has no call that sets a
 * connection's error: a statement fails with it instead. */
static void put_back(sqlite3 *db, const struct kept *k)
{
    int primary = k->code & 0xff;
    if (primary == SQLITE_OK || primary == SQLITE_ROW || primary == SQLITE_DONE) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_create_function(db, "sw_raise", 2, SQLITE_UTF8, NULL, raise_fn, NULL, NULL) ==
            SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT sw_raise(?1, ?2)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, k->msg, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, k->code);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
}

int sw_store_rollback(sqlite3 *db, const char *sql)
{
    struct kept k;
    keep(db, &k);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? SW_OK : SW_EDB;
    put_back(db, &k);
    return rc;
}

void sw_store_finalize(sqlite3_stmt *st)
{
    if (!st) return;
    sqlite3 *db = sqlite3_db_handle(st);
    struct kept k;
    keep(db, &k);
    sqlite3_finalize(st);
    put_back(db, &k);
}

int sw_store_has_table(sqlite3 *db, const char *name)
{
    return sw_store_table(db, name); /* one lookup, its statement cached (stmtcache.c) */
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
    /* Read the schema now: a file that is not a database says so here, not halfway. Pages of
     * the database file are read through a memory map (no pread and copy per page: a reader
     * of the service finds its page cache emptied at every commit of the writer). */
    if (sw_store_exec(db, "PRAGMA mmap_size=268435456; SELECT count(*) FROM sqlite_master")) {
        if (err) snprintf(err, SW_ERRMAX, "cannot read '%.200s': %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return SW_EDB;
    }
    *out = db;
    return SW_OK;
}

/* ---- the writer lock (store.h) */

/* "DB-writer.lock" for the database at path, path resolved through symbolic links (or its
 * directory, when the database does not exist yet). */
static int lock_path(const char *path, char *out, size_t n)
{
    char real[PATH_MAX], tmp[PATH_MAX];
    int m;
    if (realpath(path, real)) {
        m = snprintf(out, n, "%s-writer.lock", real);
    } else { /* not created yet: its directory resolved */
        const char *dir = ".", *base = tmp;
        if (strlen(path) >= sizeof tmp) return SW_ETOOBIG;
        memcpy(tmp, path, strlen(path) + 1);
        char *slash = strrchr(tmp, '/');
        if (slash) {
            *slash = '\0';
            dir = slash == tmp ? "/" : tmp;
            base = slash + 1;
        }
        if (realpath(dir, real))
            m = snprintf(out, n, "%s/%s-writer.lock", strcmp(real, "/") ? real : "", base);
        else
            m = snprintf(out, n, "%s-writer.lock", path);
    }
    return m > 0 && (size_t)m < n ? SW_OK : SW_ETOOBIG;
}

/* The holder's text: "pid N\nsince T\ncommand C\n", the command line from /proc/self/cmdline
 * (the program's base name, arguments joined by spaces, control characters as '?'). */
static void holder_text(char *out, size_t n)
{
    char cmd[512], now[32];
    size_t len = 0;
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (f) {
        len = fread(cmd, 1, sizeof cmd - 1, f);
        fclose(f);
    }
    cmd[len] = '\0';
    const char *start = cmd, *slash = strrchr(cmd, '/'); /* argv[0]: its base name */
    if (slash) start = slash + 1;
    for (size_t i = (size_t)(start - cmd); i < len; i++)
        if (cmd[i] == '\0')
            cmd[i] = i + 1 < len ? ' ' : '\0';
        else if ((unsigned char)cmd[i] < 0x20 || cmd[i] == 0x7f)
            cmd[i] = '?';
    snprintf(out, n, "pid %ld\nsince %s\ncommand %s\n", (long)getpid(),
             sw_time_format(sw_time_now_ms(), 0, now), start);
}

/* The value of "key value" in the holder text (first occurrence), "" when absent. */
static void holder_field(const char *text, const char *key, char *out, size_t n)
{
    size_t kl = strlen(key);
    out[0] = '\0';
    for (const char *l = text; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
        if (!strncmp(l, key, kl) && l[kl] == ' ') {
            size_t vl = strcspn(l + kl + 1, "\n");
            snprintf(out, n, "%.*s", (int)vl, l + kl + 1);
            return;
        }
}

/* Refusal message naming the holder from the lock file's text (which a writer that has just
 * taken the lock may not have written yet). */
static void refusal(int fd, const char *path, const char *lp, char *err)
{
    char text[1024], pid[32], since[64], cmd[600];
    ssize_t r = pread(fd, text, sizeof text - 1, 0);
    text[r > 0 ? r : 0] = '\0';
    holder_field(text, "pid", pid, sizeof pid);
    holder_field(text, "since", since, sizeof since);
    holder_field(text, "command", cmd, sizeof cmd);
    if (!err) return;
    if (pid[0] && cmd[0])
        snprintf(err, SW_ERRMAX,
                 "database '%.60s' is being written by '%.90s' (pid %.12s since %.24s)", path, cmd,
                 pid, since);
    else
        snprintf(err, SW_ERRMAX,
                 "database '%.60s' is being written by another process (lock '%.120s')", path, lp);
}

/* Empties the holder text (an empty lock file: nobody writing) and closes, which releases
 * the flock. A read-only lock file keeps the last holder's text: harmless, informative only. */
static void lock_release(void *p)
{
    int fd = (int)(intptr_t)p - 1;
    if (ftruncate(fd, 0) != 0) errno = 0;
    close(fd);
}

/* Holds the lock as long as the connection: SQLite calls a function's destructor when the
 * connection closes, so sw_store_close (sqlite3_close) releases it. */
static void lock_fn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    sqlite3_result_int(c, (int)(intptr_t)sqlite3_user_data(c) - 1);
}

static int take_lock(const char *path, int *fdout, char *err)
{
    char lp[PATH_MAX + 16], text[768];
    int rc = lock_path(path, lp, sizeof lp);
    if (rc) {
        if (err) snprintf(err, SW_ERRMAX, "cannot lock '%.200s': path too long", path);
        return rc;
    }
    int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644), writable = fd >= 0;
    if (fd < 0 && (errno == EACCES || errno == EROFS)) fd = open(lp, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (err)
            snprintf(err, SW_ERRMAX, "cannot create the writer lock '%.200s': %s", lp,
                     strerror(errno));
        return SW_EIO;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        rc = e == EWOULDBLOCK ? SW_ELOCKED : SW_EIO;
        if (rc == SW_ELOCKED)
            refusal(fd, path, lp, err);
        else if (err)
            snprintf(err, SW_ERRMAX, "cannot lock '%.200s': %s", lp, strerror(e));
        close(fd);
        return rc;
    }
    if (writable) { /* who holds it: informative only (the flock is the lock) */
        holder_text(text, sizeof text);
        size_t n = strlen(text);
        if (pwrite(fd, text, n, 0) != (ssize_t)n || ftruncate(fd, (off_t)n) != 0)
            errno = 0; /* a full disk: the refusals of others just name no holder */
    }
    *fdout = fd;
    return SW_OK;
}

int sw_store_open_writer(const char *path, int create, sqlite3 **out, char *err)
{
    int fd = -1, rc;
    *out = NULL;
    if (!create && access(path, F_OK) != 0) { /* no stray lock file beside a misspelt name */
        if (err) snprintf(err, SW_ERRMAX, "cannot open '%.200s': %s", path, strerror(errno));
        return SW_ENOTFOUND;
    }
    if ((rc = take_lock(path, &fd, err)) != SW_OK) return rc;
    rc = create ? sw_store_open(path, out, err) : sw_store_open_existing(path, out, err);
    if (rc) {
        lock_release((void *)(intptr_t)(fd + 1));
        return rc;
    }
    if (sqlite3_create_function_v2(*out, "sw_writer_lock", 0, SQLITE_UTF8,
                                   (void *)(intptr_t)(fd + 1), lock_fn, NULL, NULL,
                                   lock_release) != SQLITE_OK) {
        /* SQLite has called lock_release already (it does on failure) */
        if (err) snprintf(err, SW_ERRMAX, "cannot set up '%.200s': %s", path, sqlite3_errmsg(*out));
        sqlite3_close(*out);
        *out = NULL;
        return SW_EDB;
    }
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
    int st = sqlite3_step(q);
    if (st == SQLITE_ROW) have = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (st != SQLITE_ROW) return SW_EDB;  /* an aggregate always gives a row */
    if (have > n) return SW_EUNSUPPORTED; /* database written by a newer sanctwatch */
    /* Inside the caller's transaction (a pipeline holds one from sw_pipeline_new to its
     * end) a step is a savepoint of it, committed with it; else a transaction of its own. */
    int nested = !sqlite3_get_autocommit(db);
    for (int v = have + 1; v <= n; v++) {
        if (sw_store_exec(db, nested ? "SAVEPOINT sw_migrate" : "BEGIN IMMEDIATE")) return SW_EDB;
        if (sw_store_exec(db, steps[v - 1])) goto fail;
        if (sqlite3_prepare_v2(db, "INSERT INTO schema_migrations(module, version) VALUES(?,?)", -1,
                               &q, NULL) != SQLITE_OK)
            goto fail;
        sqlite3_bind_text(q, 1, module, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 2, v);
        int rc = sqlite3_step(q);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) goto fail;
        if (sw_store_exec(db, nested ? "RELEASE sw_migrate" : "COMMIT")) goto fail;
    }
    return SW_OK;
fail:
    sw_store_rollback(db, nested ? "ROLLBACK TO sw_migrate; RELEASE sw_migrate" : "ROLLBACK");
    return SW_EDB;
}
