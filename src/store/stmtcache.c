/*
 * Per-connection cache of prepared statements and derived data, for the read functions of
 * query.h: a reader (the CLI, the report, the server's workers) calls them many times on one
 * connection, and preparing a statement costs more than running a small one. Connections are
 * found in a short list under one mutex; each connection's entries are used by one thread at
 * a time (query.h: distinct connections per thread), so only the list itself is locked.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/store.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define MAX_STMTS 48
#define MAX_AUX 8

struct slot {
    const char *sql;
    sqlite3_stmt *st;
    int out; /* handed out */
};

struct aux {
    const void *key;
    void *data;
    void (*free_fn)(void *);
};

struct conn {
    sqlite3 *db;
    struct slot slot[MAX_STMTS];
    size_t nslot;
    struct aux aux[MAX_AUX];
    size_t naux;
    struct conn *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *conns;

static struct conn *find(sqlite3 *db, int create)
{
    for (struct conn *c = conns; c; c = c->next)
        if (c->db == db) return c;
    if (!create) return NULL;
    struct conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->db = db;
    c->next = conns;
    conns = c;
    return c;
}

int sw_store_stmt_get(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    *st = NULL;
    pthread_mutex_lock(&lock);
    struct conn *c = find(db, 1);
    struct slot *s = NULL;
    for (size_t i = 0; c && i < c->nslot; i++)
        if (c->slot[i].sql == sql) s = &c->slot[i];
    if (s && !s->out) {
        s->out = 1;
        *st = s->st;
        pthread_mutex_unlock(&lock);
        sqlite3_reset(*st);
        sqlite3_clear_bindings(*st);
        return SW_OK;
    }
    int cache = !s && c && c->nslot < MAX_STMTS;
    pthread_mutex_unlock(&lock);
    if (sqlite3_prepare_v3(db, sql, -1, cache ? SQLITE_PREPARE_PERSISTENT : 0, st, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return SW_EDB;
    }
    if (cache) {
        pthread_mutex_lock(&lock);
        if (c->nslot < MAX_STMTS) c->slot[c->nslot++] = (struct slot){sql, *st, 1};
        pthread_mutex_unlock(&lock);
    }
    return SW_OK;
}

void sw_store_stmt_put(sqlite3_stmt *st)
{
    if (!st) return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    pthread_mutex_lock(&lock);
    struct conn *c = find(sqlite3_db_handle(st), 0);
    for (size_t i = 0; c && i < c->nslot; i++)
        if (c->slot[i].st == st) {
            c->slot[i].out = 0;
            pthread_mutex_unlock(&lock);
            return;
        }
    pthread_mutex_unlock(&lock);
    sqlite3_finalize(st); /* a second copy, or the cache was full */
}

void *sw_store_aux_get(sqlite3 *db, const void *key)
{
    void *data = NULL;
    pthread_mutex_lock(&lock);
    struct conn *c = find(db, 0);
    for (size_t i = 0; c && i < c->naux; i++)
        if (c->aux[i].key == key) data = c->aux[i].data;
    pthread_mutex_unlock(&lock);
    return data;
}

int sw_store_aux_set(sqlite3 *db, const void *key, void *data, void (*free_fn)(void *))
{
    void *old = NULL;
    void (*old_free)(void *) = NULL;
    int rc = SW_OK;
    pthread_mutex_lock(&lock);
    struct conn *c = find(db, 1);
    struct aux *a = NULL;
    for (size_t i = 0; c && i < c->naux; i++)
        if (c->aux[i].key == key) a = &c->aux[i];
    if (!a && c && c->naux < MAX_AUX) a = &c->aux[c->naux++];
    if (a) {
        old = a->key == key ? a->data : NULL;
        old_free = a->key == key ? a->free_fn : NULL;
        *a = (struct aux){key, data, free_fn};
    } else {
        rc = c ? SW_ETOOBIG : SW_ENOMEM;
    }
    pthread_mutex_unlock(&lock);
    if (old && old != data && old_free) old_free(old);
    return rc;
}

void sw_store_cache_free(sqlite3 *db)
{
    pthread_mutex_lock(&lock);
    struct conn **pp = &conns, *c = NULL;
    while (*pp && (*pp)->db != db)
        pp = &(*pp)->next;
    if (*pp) {
        c = *pp;
        *pp = c->next;
    }
    pthread_mutex_unlock(&lock);
    if (!c) return;
    for (size_t i = 0; i < c->nslot; i++)
        sqlite3_finalize(c->slot[i].st);
    for (size_t i = 0; i < c->naux; i++)
        if (c->aux[i].free_fn) c->aux[i].free_fn(c->aux[i].data);
    free(c);
}

const char *sw_store_col_text(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return s ? s : "";
}

int sw_store_col_int(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int(st, i);
}

double sw_store_col_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

long long sw_store_col_time(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, i);
}

int sw_store_table(sqlite3 *db, const char *name)
{
    static const char sql[] = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1";
    sqlite3_stmt *st;
    if (sw_store_stmt_get(db, sql, &st)) return SW_EDB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sw_store_stmt_put(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : SW_EDB;
}
