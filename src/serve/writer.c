/*
 * The writer's side of the service. One thread writes the store: the ingest pipeline's (its
 * commit hook runs here) or, without feeds, sw_serve_run_idle. HTTP threads queue work
 * (srv_submit) and wait for the commit that holds it. Before each commit, inside the open
 * transaction: the queued work runs (each piece atomic on its own), the watchlists' pending
 * alerts are stored, and a head is signed when records were added (at once after a review,
 * else at most every head_interval_s). After the commit: the waiting requests are told, the
 * committed events, reviews, alerts and head are published to the event stream, and a new
 * head goes to the witnesses (a thread of its own: sw_witness_collect, then the
 * cosignatures are recorded through the queue like any write).
 */
#include "serve_int.h"

#include "sanctwatch/detect.h"
#include "sanctwatch/event.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/query.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { J_QUEUED, J_RUNNING, J_RAN, J_DONE };

/* --------------------------------------------------------------------- the queue */

static void job_unref(struct srv_job *j)
{
    if (--j->refs == 0) free(j);
}

static void deadline_in(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) ts->tv_sec++, ts->tv_nsec -= 1000000000L;
}

int srv_submit(struct sw_serve *s, struct srv_job *j)
{
    struct srv_job *h = malloc(sizeof *h);
    struct timespec dl;
    if (!h) return SW_ENOMEM;
    *h = *j;
    h->state = J_QUEUED;
    h->refs = 2;
    h->next = NULL;
    h->rc = SW_OK;
    h->err[0] = '\0';
    pthread_mutex_lock(&s->mu);
    if (s->writer_dead || s->nqueue >= SRV_QUEUE_MAX) {
        pthread_mutex_unlock(&s->mu);
        free(h);
        return SW_EAGAIN;
    }
    if (s->queue_tail)
        s->queue_tail->next = h;
    else
        s->queue = h;
    s->queue_tail = h;
    s->nqueue++;
    pthread_cond_broadcast(&s->cv);
    deadline_in(&dl, SRV_WAIT_MS);
    int timed_out = 0;
    while (h->state != J_DONE && !(timed_out && h->state != J_RUNNING))
        if (pthread_cond_timedwait(&s->cv, &s->mu, &dl) == ETIMEDOUT) {
            timed_out = 1;
            deadline_in(&dl, 100); /* a running job finishes before its arguments go */
        }
    int rc = SW_OK;
    if (h->state == J_QUEUED) { /* never taken: withdrawn */
        struct srv_job **pp = &s->queue, *prev = NULL;
        while (*pp != h)
            prev = *pp, pp = &(*pp)->next;
        *pp = h->next;
        if (s->queue_tail == h) s->queue_tail = prev;
        s->nqueue--;
        h->refs--;
        rc = SW_EAGAIN;
    } else if (h->state == J_RAN) {
        rc = SW_EAGAIN; /* committed later, or not: the caller cannot tell */
    } else {
        j->rc = h->rc;
        j->out_id = h->out_id;
        snprintf(j->err, sizeof j->err, "%s", h->err);
    }
    job_unref(h);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* Every job still waiting or waiting for its commit fails with rc (the writer stops). */
static void fail_jobs(struct sw_serve *s, int rc)
{
    pthread_mutex_lock(&s->mu);
    s->writer_dead = 1;
    struct srv_job *lists[2] = {s->queue, s->ran};
    s->queue = s->queue_tail = s->ran = NULL;
    s->nqueue = 0;
    for (int k = 0; k < 2; k++)
        for (struct srv_job *j = lists[k], *n; j; j = n) {
            n = j->next;
            j->rc = rc;
            j->state = J_DONE;
            job_unref(j);
        }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ------------------------------------------------------------------- publishing */

/* A message for the event stream once the open transaction commits. leaf: the ledger record
 * it is about (events, reviews), else -1. Takes data. */
static void pend(struct sw_serve *s, const char *event, json_t *data, int64_t leaf, int64_t alert)
{
    if (!data) return;
    if (json_array_size(s->pending) >= SRV_PENDING_MAX) { /* bounded: readers reload */
        json_decref(data);
        return;
    }
    if (leaf >= 0 && (uint64_t)leaf + 1 > s->pending_ledger) s->pending_ledger = (uint64_t)leaf + 1;
    if (alert > s->pending_alert) s->pending_alert = alert;
    char *text = srv_json_text(data);
    json_decref(data);
    if (!text) return;
    char id[48];
    snprintf(id, sizeof id, "%" PRIu64 ".%" PRId64, s->pending_ledger, s->pending_alert);
    json_array_append_new(s->pending, json_pack("[sss]", event, id, text));
    free(text);
}

json_t *srv_event_summary(const json_t *ev)
{
    json_t *o = json_object();
    static const char *const keep[] = {"id",      "type",      "start",      "end",
                                       "lat",     "lon",       "confidence", "vessels",
                                       "ongoing", "withdrawn", "port",       "completes"};
    for (size_t i = 0; o && i < sizeof keep / sizeof keep[0]; i++) {
        json_t *v = json_object_get(ev, keep[i]);
        if (v) json_object_set(o, keep[i], v);
    }
    const char *inc = sw_event_incident(ev);
    if (o && inc) json_object_set_new(o, "incident", json_string(inc));
    json_t *leaf = json_object_get(json_object_get(ev, "evidence"), "leaf");
    if (o && leaf) json_object_set(o, "leaf", leaf);
    return o;
}

static int review_msg(void *ctx, const struct sw_review_row *v)
{
    char b[32];
    *(json_t **)ctx =
        json_pack("{ss ss ss ss ss ss ss sI}", "id", v->id, "event", v->event, "incident",
                  v->incident, "decision", v->decision, "analyst", v->analyst, "note", v->note,
                  "time", sw_time_format(v->time, 0, b), "leaf", (json_int_t)v->leaf);
    return 1;
}

void srv_pend_review(struct sw_serve *s, const json_t *rv, uint64_t leaf)
{
    json_t *o = NULL;
    struct sw_review_filter f = {json_string_value(json_object_get(rv, "event")), leaf, 1};
    sw_query_reviews(s->wdb, &f, review_msg, &o, NULL); /* its row, in the open transaction */
    pend(s, "review", o, (int64_t)leaf, -1);
}

static int on_event(void *ctx, const json_t *ev, int type)
{
    struct sw_serve *s = ctx;
    json_int_t leaf = json_integer_value(json_object_get(json_object_get(ev, "evidence"), "leaf"));
    if ((uint64_t)leaf + 1 > s->pending_ledger) /* not one recorded before (a rerun's) */
        pend(s, "event", srv_event_summary(ev), leaf, -1);
    return srv_watch_event(s->watch, ev);
}

static int on_record(void *ctx, const struct sw_record *r, const struct sw_vessel *v)
{
    struct sw_serve *s = ctx;
    if (!r || !v) return SW_OK;
    return srv_watch_vessel(s->watch, v->mmsi, v->id.imo, v->id.name, r->t_ms);
}

/* Pending alerts stored (ids assigned) and queued for the stream. */
static int store_alerts(struct sw_serve *s)
{
    struct srv_alert_row *rows;
    char **strs;
    size_t n = srv_watch_take(s->watch, &rows, &strs);
    int rc = SW_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        int64_t id;
        if ((rc = srv_db_alert_add(s->wdb, &rows[i], &id))) break;
        json_t *o = json_pack("{sI ss sI ss}", "id", (json_int_t)id, "kind", rows[i].kind, "watch",
                              (json_int_t)rows[i].watch, "label", rows[i].label);
        char when[32];
        sw_time_format(rows[i].time, 1, when);
        json_object_set_new(o, "time", json_string(when));
        if (rows[i].mmsi) json_object_set_new(o, "mmsi", json_integer(rows[i].mmsi));
        if (rows[i].imo) json_object_set_new(o, "imo", json_integer(rows[i].imo));
        if (rows[i].name && *rows[i].name)
            json_object_set_new(o, "name", json_string(rows[i].name));
        if (rows[i].event) json_object_set_new(o, "event", json_string(rows[i].event));
        pend(s, "alert", o, -1, id);
    }
    srv_watch_release(rows, strs, n);
    return rc;
}

/* A head for the tree as it is in the open transaction, when one is due. */
static int sign_head(struct sw_serve *s)
{
    uint64_t size;
    uint8_t root[SW_HASH_LEN];
    int64_t now = sw_time_now_ms();
    if (!s->has_key) return SW_OK;
    int rc = sw_ledger_tree(s->wlg, &size, root);
    if (rc || size <= s->head_size) return rc;
    if (!s->want_head && now - s->last_head_ms < (int64_t)s->o.head_interval_s * 1000) return SW_OK;
    char *note = NULL;
    if ((rc = sw_ledger_sign_head(s->wlg, &s->key, now, &note))) return rc;
    s->head_size = size;
    s->last_head_ms = now;
    s->want_head = 0;
    char when[32];
    sw_time_format(now, 1, when);
    pend(s, "head", json_pack("{sI ss}", "size", (json_int_t)size, "time", when), -1, -1);
    free(s->wit_note); /* the witnesses get the latest head only */
    s->wit_note = note;
    return SW_OK;
}

struct run_ctx {
    struct sw_serve *s;
    struct srv_job *j;
};

static int run_job(void *ctx, sqlite3 *db)
{
    struct run_ctx *r = ctx;
    return r->j->fn(r->s, db, r->j);
}

/* The commit hook: inside the writer's open transaction. */
static int before_commit(void *ctx)
{
    struct sw_serve *s = ctx;
    pthread_mutex_lock(&s->mu);
    struct srv_job *q = s->queue;
    s->queue = s->queue_tail = NULL;
    s->nqueue = 0;
    for (struct srv_job *j = q; j; j = j->next)
        j->state = J_RUNNING;
    pthread_mutex_unlock(&s->mu);
    int rc = SW_OK;
    for (struct srv_job *j = q, *next; j; j = next) {
        next = j->next;
        struct run_ctx r = {s, j};
        if (!rc) {
            j->rc = srv_db_atomic(s->wdb, run_job, &r);
            if (j->rc == SW_EDB) { /* the store failed, not the request */
                snprintf(j->err, sizeof j->err, "%s", sqlite3_errmsg(s->wdb));
                rc = SW_EDB;
            }
            if (j->force_head && !j->rc) s->want_head = 1;
        }
        pthread_mutex_lock(&s->mu);
        j->state = J_RAN;
        j->next = s->ran;
        s->ran = j;
        pthread_mutex_unlock(&s->mu);
    }
    if (!rc && s->watch_dirty) {
        s->watch_dirty = 0;
        rc = srv_watch_load(s->watch, s->wdb);
    }
    if (!rc) rc = store_alerts(s);
    if (!rc) rc = sign_head(s);
    return rc;
}

/* After a commit: requests told, messages published, a new head handed to the witnesses. */
static void after_commit(void *ctx)
{
    struct sw_serve *s = ctx;
    atomic_fetch_add(&s->generation, 1); /* readers from now on see this commit */
    pthread_mutex_lock(&s->mu);
    for (struct srv_job *j = s->ran, *n; j; j = n) {
        n = j->next;
        j->state = J_DONE;
        job_unref(j);
    }
    s->ran = NULL;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    size_t i;
    json_t *m;
    json_array_foreach(s->pending, i, m)
    {
        srv_hub_publish(s->hub, json_string_value(json_array_get(m, 0)),
                        json_string_value(json_array_get(m, 1)),
                        json_string_value(json_array_get(m, 2)));
    }
    json_array_clear(s->pending);
    srv_hub_set_position(s->hub, s->pending_ledger, s->pending_alert);
    if (s->wit_note) {
        pthread_mutex_lock(&s->wit_mu);
        free(s->wit_next); /* not submitted yet: the newer head replaces it */
        s->wit_next = s->wit_running ? s->wit_note : NULL;
        if (!s->wit_running) free(s->wit_note);
        s->wit_note = NULL;
        pthread_cond_signal(&s->wit_cv);
        pthread_mutex_unlock(&s->wit_mu);
    }
}

static int due(void *ctx)
{
    struct sw_serve *s = ctx;
    pthread_mutex_lock(&s->mu);
    int d = s->queue != NULL;
    pthread_mutex_unlock(&s->mu);
    return d;
}

void sw_serve_pipeline_config(struct sw_serve *s, struct sw_pipeline_config *cfg)
{
    if (cfg->checkpoint_ms <= 0) cfg->checkpoint_ms = 500;
    cfg->checkpoint_due = due;
    cfg->committed = after_commit;
    cfg->hook_ctx = s;
}

int sw_serve_attach(struct sw_serve *s, struct sw_pipeline *p, struct sw_detect *det)
{
    int rc = sw_pipeline_add_commit_hook(p, before_commit, s);
    if (!rc) rc = sw_pipeline_add_consumer(p, on_record, s);
    if (!rc && det) rc = sw_detect_listen(det, on_event, s);
    return rc;
}

int sw_serve_run_idle(struct sw_serve *s, volatile sig_atomic_t *stop, char *err)
{
    int64_t last_expire = 0;
    int rc = SW_OK;
    while (!*stop) {
        struct timespec dl;
        deadline_in(&dl, 250);
        pthread_mutex_lock(&s->mu);
        if (!s->queue) pthread_cond_timedwait(&s->cv, &s->mu, &dl);
        int work = s->queue != NULL;
        pthread_mutex_unlock(&s->mu);
        int64_t now = sw_time_now_ms();
        int expire = now - last_expire > 600000;
        int head = 0;
        if (s->has_key && now - s->last_head_ms >= (int64_t)s->o.head_interval_s * 1000) {
            uint64_t size;
            uint8_t root[SW_HASH_LEN];
            head = sw_ledger_tree(s->wlg, &size, root) == SW_OK && size > s->head_size;
        }
        if (!work && !expire && !head) continue;
        if (sw_store_exec(s->wdb, "BEGIN IMMEDIATE")) {
            rc = SW_EDB;
            break;
        }
        if (expire && (rc = srv_db_expire(s->wdb, now)) == SW_OK) last_expire = now;
        if (rc || (rc = before_commit(s)) || sw_store_exec(s->wdb, "COMMIT")) {
            if (!rc) rc = SW_EDB;
            sw_store_rollback(s->wdb, "ROLLBACK"); /* its message is read below */
            break;
        }
        after_commit(s);
    }
    if (rc) {
        if (err) snprintf(err, SW_ERRMAX, "cannot write the store: %s", sqlite3_errmsg(s->wdb));
        fail_jobs(s, rc);
    }
    return rc;
}

void srv_writer_end(struct sw_serve *s)
{
    fail_jobs(s, SW_EAGAIN);
}

/* ------------------------------------------------------------------------ witnesses */

struct cosig {
    const char *note, *line;
    const struct sw_ledger_pub *pub;
};

static int cosig_fn(struct sw_serve *s, sqlite3 *db, struct srv_job *j)
{
    const struct cosig *c = j->arg;
    return sw_ledger_add_cosignature(s->wlg, c->note, c->pub, c->line);
}

/* Submit one head to the policy's witnesses and record each verified cosignature. */
static void submit_head(struct sw_serve *s, struct sw_ledger *lg, const char *note)
{
    const struct sw_witness_policy *p = s->policy;
    uint64_t known[SW_WITNESS_MAX_PEERS] = {0};
    struct sw_witness_outcome out[SW_WITNESS_MAX_PEERS];
    char *cosigned = NULL;
    memset(out, 0, sizeof out);
    for (size_t i = 0; i < p->n; i++)
        sw_ledger_witness_size(lg, &p->peer[i].pub, &known[i]);
    int rc = sw_witness_collect(p, known, note, strlen(note), sw_ledger_consistency_path, lg,
                                s->o.witness_timeout_s * 1000u, out, &cosigned);
    free(cosigned);
    if (rc) {
        srv_log(s, "witnesses: cannot submit the head: %s", sw_strerror(rc));
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (out[i].err) {
            srv_log(s, "witness '%s': %s", p->peer[i].name, out[i].msg);
            continue;
        }
        struct cosig c = {note, out[i].line, &p->peer[i].pub};
        struct srv_job j = {.fn = cosig_fn, .arg = &c};
        rc = srv_submit(s, &j);
        if (rc || j.rc)
            srv_log(s, "witness '%s': cannot record its cosignature: %s", p->peer[i].name,
                    sw_strerror(rc ? rc : j.rc));
        else
            srv_log(s, "witness '%s' cosigned (%.3f s)", p->peer[i].name, out[i].seconds);
    }
    sw_witness_outcome_release(out, p->n);
}

static void *witness_main(void *arg)
{
    struct sw_serve *s = arg;
    sqlite3 *db = NULL;
    struct sw_ledger *lg = NULL;
    char err[SW_ERRMAX];
    if (sw_store_open_readonly(s->db_path, &db, err) || sw_ledger_open(db, &lg)) {
        srv_log(s, "witnesses: cannot read the store: %s", db ? sqlite3_errmsg(db) : err);
        sw_store_close(db);
        return NULL;
    }
    pthread_mutex_lock(&s->wit_mu);
    while (!s->wit_stop) {
        if (!s->wit_next) {
            pthread_cond_wait(&s->wit_cv, &s->wit_mu);
            continue;
        }
        char *note = s->wit_next;
        s->wit_next = NULL;
        pthread_mutex_unlock(&s->wit_mu);
        submit_head(s, lg, note);
        free(note);
        pthread_mutex_lock(&s->wit_mu);
    }
    pthread_mutex_unlock(&s->wit_mu);
    sw_ledger_close(lg);
    sw_store_close(db);
    return NULL;
}

int srv_witness_start(struct sw_serve *s)
{
    if (!s->policy || !s->has_key) return SW_OK;
    s->wit_running = 1;
    if (pthread_create(&s->wit_thread, NULL, witness_main, s)) {
        s->wit_running = 0;
        return SW_ENOMEM;
    }
    return SW_OK;
}

void srv_witness_stop(struct sw_serve *s)
{
    if (!s->wit_running) return;
    pthread_mutex_lock(&s->wit_mu);
    s->wit_stop = 1;
    pthread_cond_signal(&s->wit_cv);
    pthread_mutex_unlock(&s->wit_mu);
    pthread_join(s->wit_thread, NULL);
    s->wit_running = 0;
    free(s->wit_next);
    s->wit_next = NULL;
}
