/*
 * The witness (C2SP tlog-witness add-checkpoint): for each log it trusts, the latest
 * checkpoint it cosigned, kept in its own SQLite file. A new checkpoint is cosigned only when
 * its log signature verifies and a consistency proof leads from the cosigned one to it; the
 * check and the new state commit in one transaction, under a lock, before the cosignature is
 * made, so no cosignature ever leaves for a head the witness could forget. Validly signed
 * checkpoints that are refused as inconsistent are kept as evidence of the log's misbehaviour.
 */
#include "sanctwatch/witness.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Refusals kept as evidence: the newest this many (a trusted log could otherwise fill the
 * disk with refused requests). */
#define REFUSALS_KEPT 10000

static const char *const migrations[] = {
    /* 1 */
    "CREATE TABLE witness_logs(origin TEXT PRIMARY KEY, size INTEGER NOT NULL,"
    " root BLOB NOT NULL, note TEXT NOT NULL, time_ms INTEGER NOT NULL);"
    "CREATE TABLE witness_refusals(id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
    " origin TEXT NOT NULL, size INTEGER NOT NULL, status INTEGER NOT NULL,"
    " reason TEXT NOT NULL, note TEXT NOT NULL);",
};

enum { Q_GET, Q_PUT, Q_REFUSE, Q_TRIM, Q_MAX };
static const char *const queries[Q_MAX] = {
    "SELECT size, root, note FROM witness_logs WHERE origin = ?1",
    "INSERT INTO witness_logs(origin, size, root, note, time_ms) VALUES(?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT(origin) DO UPDATE SET size = ?2, root = ?3, note = ?4, time_ms = ?5",
    "INSERT INTO witness_refusals(time_ms, origin, size, status, reason, note)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    "DELETE FROM witness_refusals WHERE id <= (SELECT max(id) FROM witness_refusals) - ?1",
};

struct trusted {
    char origin[SW_LEDGER_NAME_MAX + 1];
    struct sw_ledger_pub pub;
};

struct sw_witness {
    sqlite3 *db;
    sqlite3_stmt *q[Q_MAX];
    pthread_mutex_t mu;
    struct sw_ledger_key key;
    size_t nlogs;
    struct trusted logs[SW_WITNESS_MAX_LOGS];
};

int sw_witness_open(const char *path, const struct sw_ledger_key *key, struct sw_witness **out,
                    char *err)
{
    *out = NULL;
    if (key && key->pub.alg != SW_NOTE_COSIG_V1) {
        if (err) snprintf(err, SW_ERRMAX, "the witness key must be a cosignature (type 0x04) key");
        return SW_EINVAL;
    }
    struct sw_witness *w = calloc(1, sizeof *w);
    if (!w) return SW_ENOMEM;
    int rc = sw_store_open(path, &w->db, err);
    if (rc) {
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->mu, NULL);
    if (key) w->key = *key;
    rc = sw_store_exec(w->db, "PRAGMA synchronous=FULL");
    if (!rc) rc = sw_store_migrate(w->db, "witness", migrations, 1);
    for (int i = 0; !rc && i < Q_MAX; i++)
        rc = sw_store_prepare(w->db, &w->q[i], queries[i]);
    if (rc) {
        if (err) snprintf(err, SW_ERRMAX, "cannot set up '%s': %s", path, sqlite3_errmsg(w->db));
        sw_witness_close(w);
        return rc;
    }
    *out = w;
    return SW_OK;
}

void sw_witness_close(struct sw_witness *w)
{
    if (!w) return;
    for (int i = 0; i < Q_MAX; i++)
        sqlite3_finalize(w->q[i]);
    sw_store_close(w->db);
    pthread_mutex_destroy(&w->mu);
    sw_ledger_key_wipe(&w->key);
    free(w);
}

const struct sw_ledger_pub *sw_witness_pub(const struct sw_witness *w)
{
    return &w->key.pub;
}

int sw_witness_add_log(struct sw_witness *w, const char *origin, const struct sw_ledger_pub *pub)
{
    if (!sw_note_name_ok(origin, strlen(origin)) || pub->alg != SW_NOTE_ED25519) return SW_EINVAL;
    if (w->nlogs == SW_WITNESS_MAX_LOGS) return SW_ERANGE;
    struct trusted *t = &w->logs[w->nlogs++];
    memcpy(t->origin, origin, strlen(origin) + 1);
    t->pub = *pub;
    return SW_OK;
}

void sw_witness_reply_release(struct sw_witness_reply *r)
{
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
}

/* Set the status, the reason and a text/plain body saying it. */
__attribute__((format(printf, 3, 4))) static void answer(struct sw_witness_reply *r, int status,
                                                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    r->status = status;
    r->content_type = "text/plain; charset=utf-8";
    free(r->body);
    r->body_len = strlen(r->reason) + 1;
    r->body = malloc(r->body_len + 1);
    if (!r->body) {
        r->body_len = 0;
        return;
    }
    memcpy(r->body, r->reason, r->body_len - 1);
    r->body[r->body_len - 1] = '\n';
    r->body[r->body_len] = '\0';
}

/* 409 with the size last cosigned as the body (tlog-witness). */
static void conflict(struct sw_witness_reply *r, uint64_t size0, const char *why)
{
    snprintf(r->reason, sizeof r->reason, "%s", why);
    r->status = 409;
    r->content_type = SW_WITNESS_SIZE_TYPE;
    free(r->body);
    r->body = malloc(32);
    r->body_len = 0;
    if (r->body) r->body_len = (size_t)snprintf(r->body, 32, "%llu\n", (unsigned long long)size0);
}

/* The trusted keys of c's origin: 404 when none, 403 when none signed; *text_len on success. */
static int check_signed(const struct sw_witness *w, const struct sw_witness_request *q,
                        const struct sw_checkpoint *c, size_t *text_len, struct sw_witness_reply *r)
{
    int known = 0;
    for (size_t i = 0; i < w->nlogs; i++) {
        if (strcmp(w->logs[i].origin, c->origin)) continue;
        known = 1;
        if (sw_note_verify_sig(q->note, q->note_len, &w->logs[i].pub, text_len, NULL) == SW_OK)
            return SW_OK;
    }
    if (!known)
        answer(r, 404, "unknown log '%s'", c->origin);
    else
        answer(r, 403,
               "checkpoint of '%s' (size %llu) carries no valid signature of a trusted "
               "key",
               c->origin, (unsigned long long)c->size);
    return SW_EVERIFY;
}

struct stored {
    int have;
    uint64_t size;
    uint8_t root[SW_HASH_LEN];
};

static int load_state(struct sw_witness *w, const char *origin, struct stored *s, char **note)
{
    sqlite3_stmt *q = w->q[Q_GET];
    memset(s, 0, sizeof *s);
    sqlite3_bind_text(q, 1, origin, -1, SQLITE_STATIC);
    int st = sqlite3_step(q), rc = SW_OK;
    if (st == SQLITE_ROW) {
        sqlite3_int64 size = sqlite3_column_int64(q, 0);
        if (size < 0 || sqlite3_column_bytes(q, 1) != SW_HASH_LEN) {
            rc = SW_EFORMAT;
        } else {
            s->have = 1;
            s->size = (uint64_t)size;
            memcpy(s->root, sqlite3_column_blob(q, 1), SW_HASH_LEN);
            if (note) {
                const char *t = (const char *)sqlite3_column_text(q, 2);
                *note = t ? strdup(t) : NULL;
                if (!*note) rc = SW_ENOMEM;
            }
        }
    } else if (st != SQLITE_DONE) {
        rc = SW_EDB;
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return rc;
}

/* Decide on a signed checkpoint against the stored state: 0 to cosign, else r is set. */
static int decide(const struct sw_witness_request *q, const struct sw_checkpoint *c,
                  const struct stored *s, struct sw_witness_reply *r)
{
    uint8_t empty[SW_HASH_LEN];
    char why[SW_ERRMAX];
    if (s->have && c->size == s->size && memcmp(c->root, s->root, SW_HASH_LEN)) {
        snprintf(why, sizeof why,
                 "split view: checkpoint of '%s' at size %llu has another root than the one "
                 "cosigned at that size; kept as evidence",
                 c->origin, (unsigned long long)c->size);
        conflict(r, s->size, why);
        r->evidence = 1;
        return -1;
    }
    if (q->old_size != s->size) {
        snprintf(why, sizeof why, "old size %llu is not the size last cosigned for '%s' (%llu)",
                 (unsigned long long)q->old_size, c->origin, (unsigned long long)s->size);
        conflict(r, s->size, why);
        return -1;
    }
    if ((q->old_size == 0 || q->old_size == c->size) && q->nproof) {
        answer(r, 422, "a consistency proof from size %llu to %llu must be empty",
               (unsigned long long)q->old_size, (unsigned long long)c->size);
        return -1;
    }
    sw_merkle_empty_root(empty);
    if (c->size == 0 && memcmp(c->root, empty, SW_HASH_LEN)) {
        answer(r, 422, "checkpoint of size 0 whose root is not the empty tree's");
        return -1;
    }
    if (q->old_size == 0 || q->old_size == c->size) return 0;
    if (sw_merkle_verify_consistency(q->old_size, c->size, s->root, c->root, q->proof, q->nproof)) {
        answer(r, 422,
               "inconsistent: the proof does not lead from the head of '%s' cosigned at size "
               "%llu to size %llu; kept as evidence",
               c->origin, (unsigned long long)q->old_size, (unsigned long long)c->size);
        r->evidence = 1;
        return -1;
    }
    return 0;
}

static int record_refusal(struct sw_witness *w, const struct sw_checkpoint *c, const char *note,
                          size_t len, const struct sw_witness_reply *r)
{
    sqlite3_stmt *q = w->q[Q_REFUSE];
    sqlite3_bind_int64(q, 1, sw_time_now_ms());
    sqlite3_bind_text(q, 2, c->origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)c->size);
    sqlite3_bind_int(q, 4, r->status);
    sqlite3_bind_text(q, 5, r->reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, note, (int)len, SQLITE_STATIC);
    int rc = sw_store_step(q);
    if (rc == SW_OK) {
        sqlite3_bind_int64(w->q[Q_TRIM], 1, REFUSALS_KEPT);
        rc = sw_store_step(w->q[Q_TRIM]);
    }
    return rc;
}

static int save_state(struct sw_witness *w, const struct sw_checkpoint *c, const char *note,
                      size_t len)
{
    sqlite3_stmt *q = w->q[Q_PUT];
    sqlite3_bind_text(q, 1, c->origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)c->size);
    sqlite3_bind_blob(q, 3, c->root, SW_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, note, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, sw_time_now_ms());
    return sw_store_step(q);
}

/* Under the lock, in one transaction: check against the state, then save the new state or the
 * evidence. *cosign is set when the checkpoint is now the latest cosigned. */
static int transact(struct sw_witness *w, const struct sw_witness_request *q,
                    const struct sw_checkpoint *c, struct sw_witness_reply *r, int *cosign)
{
    struct stored s;
    *cosign = 0;
    int rc = sw_store_exec(w->db, "BEGIN IMMEDIATE");
    if (rc) return rc;
    rc = load_state(w, c->origin, &s, NULL);
    if (rc == SW_OK) {
        if (decide(q, c, &s, r) == 0) {
            rc = save_state(w, c, q->note, q->note_len);
            *cosign = rc == SW_OK;
        } else if (r->evidence) {
            rc = record_refusal(w, c, q->note, q->note_len, r);
        }
    }
    if (rc == SW_OK) rc = sw_store_exec(w->db, "COMMIT");
    if (rc) {
        sw_store_rollback(w->db, "ROLLBACK"); /* keeps SQLite's message for the caller */
        *cosign = 0;
    }
    return rc;
}

int sw_witness_add_checkpoint(struct sw_witness *w, const char *body, size_t len, int64_t now_s,
                              struct sw_witness_reply *r)
{
    struct sw_witness_request *q = malloc(sizeof *q);
    struct sw_checkpoint c;
    size_t tl = 0;
    int cosign = 0;
    memset(r, 0, sizeof *r);
    if (!q) {
        answer(r, 500, "out of memory");
        return SW_ENOMEM;
    }
    int rc = sw_witness_request_parse(body, len, q);
    if (rc == SW_ETOOBIG && len > SW_WITNESS_BODY_MAX) {
        answer(r, 413, "request body over %u bytes", (unsigned)SW_WITNESS_BODY_MAX);
        goto done;
    }
    if (rc) {
        answer(r, 400,
               "malformed add-checkpoint request (old size line, at most %d proof "
               "lines, an empty line, a checkpoint)",
               SW_WITNESS_MAX_PROOF);
        goto done;
    }
    if (sw_checkpoint_parse(q->note, q->note_len, &c)) {
        answer(r, 400, "malformed checkpoint");
        goto done;
    }
    memcpy(r->origin, c.origin, sizeof r->origin);
    r->size = c.size;
    if (check_signed(w, q, &c, &tl, r)) goto done;
    if (q->old_size > c.size) {
        answer(r, 400, "old size %llu is above the checkpoint's size %llu",
               (unsigned long long)q->old_size, (unsigned long long)c.size);
        goto done;
    }
    pthread_mutex_lock(&w->mu);
    rc = transact(w, q, &c, r, &cosign);
    pthread_mutex_unlock(&w->mu);
    if (rc) {
        answer(r, 500, "cannot update the witness state: %s", sw_strerror(rc));
        goto done;
    }
    if (cosign && w->key.pub.alg != SW_NOTE_COSIG_V1) {
        answer(r, 500, "this witness has no signing key");
        goto done;
    }
    if (cosign) {
        char *line = NULL;
        rc = sw_cosig_sign(q->note, tl, &w->key, (uint64_t)now_s, &line);
        if (rc) {
            answer(r, 500, "cannot cosign: %s", sw_strerror(rc));
            goto done;
        }
        free(r->body);
        r->body = line;
        r->body_len = strlen(line);
        r->status = 200;
        r->content_type = "text/plain; charset=utf-8";
        snprintf(r->reason, sizeof r->reason, "cosigned '%s' at size %llu (old size %llu)",
                 c.origin, (unsigned long long)c.size, (unsigned long long)q->old_size);
    }
    rc = SW_OK;
done:
    free(q);
    return r->status == 500 ? (rc ? rc : SW_EDB) : SW_OK;
}

int sw_witness_latest(struct sw_witness *w, const char *origin, struct sw_checkpoint *out,
                      char **note)
{
    struct stored s;
    char *n = NULL;
    pthread_mutex_lock(&w->mu);
    int rc = load_state(w, origin, &s, &n);
    pthread_mutex_unlock(&w->mu);
    if (rc == SW_OK && !s.have) rc = SW_ENOTFOUND;
    if (rc == SW_OK) rc = sw_checkpoint_parse(n, strlen(n), out);
    if (rc == SW_OK && note)
        *note = n;
    else
        free(n);
    return rc;
}

int sw_witness_walk(struct sw_witness *w, sw_witness_walk_fn fn, void *ctx)
{
    static const char *const sql[2] = {
        "SELECT 'head', origin, size, time_ms, 200, '', note FROM witness_logs ORDER BY origin",
        "SELECT 'refusal', origin, size, time_ms, status, reason, note FROM witness_refusals"
        " ORDER BY id"};
    int rc = SW_OK;
    pthread_mutex_lock(&w->mu);
    for (int k = 0; k < 2 && rc == SW_OK; k++) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(w->db, sql[k], -1, &s, NULL) != SQLITE_OK) {
            rc = SW_EDB;
            break;
        }
        int st;
        while (rc == SW_OK && (st = sqlite3_step(s)) == SQLITE_ROW)
            rc = fn(ctx, (const char *)sqlite3_column_text(s, 0),
                    (const char *)sqlite3_column_text(s, 1), (uint64_t)sqlite3_column_int64(s, 2),
                    sqlite3_column_int64(s, 3), sqlite3_column_int(s, 4),
                    (const char *)sqlite3_column_text(s, 5),
                    (const char *)sqlite3_column_text(s, 6));
        if (rc == SW_OK && st != SQLITE_DONE) rc = SW_EDB;
        sqlite3_finalize(s);
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}
