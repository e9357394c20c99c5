/*
 * The ingest pipeline (sanctwatch/ingest.h; internals in pipeline_int.h): timed records go
 * into the reorder buffer and leave it in event-time order, are deduplicated, applied to the
 * vessel state, their track points and closed identities written through the vessel store,
 * and handed to the registered consumers (the detectors). Reading inputs is input.c's, the
 * saved state and checkpoints checkpoint.c's.
 */
#include "pipeline_int.h"

#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const counter_names[SW_IC_COUNT] = {
#define SW__ICNAME(name, str) str,
    SW_INGEST_COUNTERS(SW__ICNAME)
#undef SW__ICNAME
};

const char *sw_ingest_counter_name(int c)
{
    return c >= 0 && c < SW_IC_COUNT ? counter_names[c] : "?";
}

void sw_pipeline_config_default(struct sw_pipeline_config *c)
{
    memset(c, 0, sizeof *c);
    c->lateness_ms = 10 * 60 * 1000;
    c->dedup_window_ms = 60 * 1000;
    c->reorder_capacity = (size_t)1 << 18;
    c->dedup_capacity = (size_t)1 << 20;
    c->max_vessels = 4000000;
    c->checkpoint_lines = 1000000;
    sw_track_config_default(&c->track);
}

void ing_seterr(char *err, const char *what, sqlite3 *db)
{
    if (err) snprintf(err, SW_ERRMAX, "%s: %s", what, db ? sqlite3_errmsg(db) : "failed");
}

int sw_pipeline_new(struct sw_pipeline **out, sqlite3 *db, const struct sw_pipeline_config *cfg,
                    char *err)
{
    struct sw_pipeline *p = calloc(1, sizeof *p);
    int rc;
    *out = NULL;
    if (!p) return SW_ENOMEM;
    p->db = db;
    if (cfg)
        p->cfg = *cfg;
    else
        sw_pipeline_config_default(&p->cfg);
    p->time_max = sw_time_now_ms() + 86400000LL;
    p->carry_time = p->last_time = SW_TIME_NONE;
    if (p->cfg.nstages > SW_MAX_STAGES) {
        free(p);
        return SW_EINVAL;
    }
    for (size_t i = 0; i < p->cfg.nstages; i++)
        p->stages[p->nstages++] = p->cfg.stages[i];
    p->sf.fd = -1;
    p->sf_index = -1;
    {
        const char *f = sqlite3_db_filename(db, "main");
        if (f && f[0] && !(p->dbfile = strdup(f))) {
            free(p);
            return SW_ENOMEM;
        }
    }
    if ((rc = sw_ingest_migrate(db)) != SW_OK) {
        ing_seterr(err, "cannot set up the ingest tables", db);
        goto fail;
    }
    if ((rc = sw_vessels_new(&p->vs, p->cfg.max_vessels, &p->cfg.track)) ||
        (p->cfg.jobs >= 2 && (rc = sw_vessels_new(&p->mvs, p->cfg.max_vessels, &p->cfg.track))) ||
        (rc = sw_reorder_new(&p->rq, p->cfg.lateness_ms, p->cfg.reorder_capacity)) ||
        (rc = sw_dedup_new(&p->dd, p->cfg.dedup_window_ms, p->cfg.dedup_capacity))) {
        if (err) snprintf(err, SW_ERRMAX, "cannot set up the pipeline: %s", sw_strerror(rc));
        goto fail;
    }
    if ((rc = ing_state_open(p, err)) != SW_OK) goto fail;
    if ((rc = sw_vstore_open(db, &p->vst)) != SW_OK) {
        ing_seterr(err, "cannot prepare statements", db);
        goto fail;
    }
    if ((rc = ing_run_begin(p, err)) != SW_OK) goto fail;
    if (p->mvs) p->js.cpu_a_serial = ing_thread_cpu(); /* opening and loading the state */
    if (p->mvs && (rc = ing_jobs_start(p)) != SW_OK) {
        if (err) snprintf(err, SW_ERRMAX, "cannot start a thread: %s", sw_strerror(rc));
        goto fail;
    }
    p->ckpt_ms = sw_time_mono_ms();
    *out = p;
    return SW_OK;
fail:
    sw_pipeline_free(p);
    return rc;
}

void sw_pipeline_free(struct sw_pipeline *p)
{
    if (!p) return;
    ing_jobs_stop(p); /* before the rollback: B may be writing */
    if (!sqlite3_get_autocommit(p->db))
        sw_store_exec(p->db, "ROLLBACK"); /* work after the last checkpoint is dropped */
    sw_vstore_close(p->vst);
    ing_state_close(p);
    sw_nmea_free(p->fr);
    sw_vessels_free(p->vs);
    sw_vessels_free(p->mvs);
    sw_reorder_free(p->rq);
    sw_dedup_free(p->dd);
    free(p->dbfile);
    free(p);
}

int sw_pipeline_add_consumer(struct sw_pipeline *p, sw_consumer_fn fn, void *ctx)
{
    if (p->ncons == ING_MAX_CONSUMERS) return SW_ETOOBIG;
    p->cons[p->ncons].fn = fn;
    p->cons[p->ncons].ctx = ctx;
    p->ncons++;
    return SW_OK;
}

int sw_pipeline_add_commit_hook(struct sw_pipeline *p, sw_commit_fn fn, void *ctx)
{
    if (p->nhooks == ING_MAX_CONSUMERS) return SW_ETOOBIG;
    p->hooks[p->nhooks].fn = fn;
    p->hooks[p->nhooks].ctx = ctx;
    p->nhooks++;
    return SW_OK;
}

int ing_run_commit_hooks(struct sw_pipeline *p)
{
    for (size_t i = 0; i < p->nstages; i++) {
        int rc = p->stages[i]->commit ? p->stages[i]->commit(p->stages[i]->ctx) : SW_OK;
        if (rc != 0) return rc;
    }
    for (int i = 0; i < p->nhooks; i++) {
        int rc = p->hooks[i].fn(p->hooks[i].ctx);
        if (rc != 0) return rc;
    }
    return SW_OK;
}

const struct sw_vessel *sw_pipeline_vessel(struct sw_pipeline *p, uint32_t mmsi)
{
    return sw_vessels_get(p->mvs ? p->mvs : p->vs, mmsi); /* --jobs: the consumers' thread's */
}

struct sw_vessels *sw_pipeline_vessels(struct sw_pipeline *p)
{
    return p->vs;
}

int sw_pipeline_stages_reset(const struct sw_pipeline *p)
{
    return p->stages_reset;
}

const uint64_t *sw_pipeline_counters(const struct sw_pipeline *p)
{
    return p->c;
}

const uint64_t *sw_pipeline_nmea_counts(const struct sw_pipeline *p)
{
    return p->nmea_run;
}

/* ---- the record path */

/* The first record of a run far older than the end of the last run: the days are analysed
 * out of order, and what the last run carried (dedup table, stages' state) belongs to a later
 * time, so it is dropped. */
static int check_first(struct sw_pipeline *p, int64_t t)
{
    p->first_checked = 1;
    if (p->carry_time == SW_TIME_NONE || t >= p->carry_time - ING_BACKWARDS_MS) return SW_OK;
    sw_dedup_clear(p->dd);
    int rc = ing_sync(p); /* B idle: the stages are A's */
    if (rc == SW_OK && ing_stages_layout(p)) ing_stages_reset(p);
    return rc;
}

int ing_apply(struct sw_pipeline *p, const struct sw_record *r, const struct sw_vessel *v,
              const struct sw_vessel_out *out)
{
    int rc;
    if (!v) {
        if ((rc = sw_vstore_aid(p->vst, r)) != SW_OK) return rc;
    } else {
        for (int i = 0; i < out->n_points; i++)
            if ((rc = sw_vstore_point(p->vst, r->mmsi, &out->points[i])) != SW_OK) return rc;
        if (out->identity_closed &&
            (rc = sw_vstore_identity(p->vst, r->mmsi, out->closed_seq, &out->closed,
                                     out->closed_first, out->closed_last, out->closed_written)) !=
                SW_OK)
            return rc;
        for (size_t i = 0; i < p->nstages; i++)
            if (p->stages[i]->record &&
                (rc = p->stages[i]->record(p->stages[i]->ctx, r, v, out->slot)) != SW_OK)
                return rc;
    }
    for (int i = 0; i < p->ncons; i++)
        if ((rc = p->cons[i].fn(p->cons[i].ctx, r, v)) != 0) return rc;
    return SW_OK;
}

static int deliver(struct sw_pipeline *p, const struct sw_record *r)
{
    int rc;
    if (!p->first_checked && (rc = check_first(p, r->t_ms)) != SW_OK) return rc;
    if (p->last_time == SW_TIME_NONE || r->t_ms > p->last_time) p->last_time = r->t_ms;
    int d = sw_dedup_check(p->dd, r->key, r->t_ms);
    if (d == 1) {
        p->c[SW_IC_DUPLICATE]++;
        return SW_OK;
    }
    if (d == 2) p->c[SW_IC_DEDUP_FULL]++;
    struct sw_vessel *v = NULL;
    struct sw_vessel_out out;
    out.n_points = out.identity_closed = 0;
    out.slot = 0;
    if (r->kind != SW_REC_AID) {
        rc = sw_vessels_update(p->vs, r, &v, &out);
        if (rc == SW_ETOOBIG) {
            p->c[SW_IC_VESSEL_FULL]++;
            return SW_OK;
        }
        if (rc) return rc;
        p->c[SW_IC_TRACK_POINTS] += (uint64_t)out.n_points;
        p->c[SW_IC_IDENTITIES] += out.identity_closed != 0;
    }
    p->c[SW_IC_ACCEPTED]++;
    if (r->fields & SW_F_POS) p->c[SW_IC_POSITIONS]++;
    if (r->fields & SW_F_STATIC_MASK) p->c[SW_IC_STATICS]++;
    return p->jobs ? ing_jobs_push(p, r, v, &out) : ing_apply(p, r, v, &out);
}

/* Records leave the buffer sorted a bucket at a time, so what the next ones will touch is
 * known: their dedup buckets and vessel index slots are fetched 8 records ahead and their
 * vessels 4 ahead, so that the cache misses of a 100k-vessel state overlap. */
static void prefetch_ahead(struct sw_pipeline *p)
{
    uint64_t key;
    uint32_t mmsi;
    if (sw_reorder_peek(p->rq, 8, &key, &mmsi)) {
        sw_dedup_prefetch(p->dd, key);
        sw_vessels_prefetch(p->vs, mmsi, 0);
    }
    if (sw_reorder_peek(p->rq, 4, &key, &mmsi)) {
        size_t slot;
        sw_vessels_prefetch(p->vs, mmsi, 1);
        if (p->nstages && !p->jobs && sw_vessels_find(p->vs, mmsi, &slot))
            for (size_t i = 0; i < p->nstages; i++)
                if (p->stages[i]->prefetch) p->stages[i]->prefetch(p->stages[i]->ctx, slot);
    }
    if (sw_reorder_peek(p->rq, 2, &key, &mmsi)) sw_vessels_prefetch(p->vs, mmsi, 2);
}

static int release(struct sw_pipeline *p, int mode)
{
    struct sw_record out;
    int rc;
    while (sw_reorder_pop(p->rq, mode, &out) == SW_OK) {
        prefetch_ahead(p);
        if ((rc = deliver(p, &out)) != SW_OK) return rc;
    }
    return SW_OK;
}

int sw_pipeline_feed(struct sw_pipeline *p, struct sw_record *r)
{
    int rc;
    if (r->t_ms < ING_TIME_MIN_MS || r->t_ms > p->time_max) {
        p->c[SW_IC_TIME_RANGE]++;
        return SW_OK;
    }
    r->seq = ++p->seq;
    if (sw_reorder_full(p->rq)) {
        struct sw_record out;
        if (sw_reorder_pop(p->rq, SW_REORDER_FORCE, &out) == SW_OK) {
            prefetch_ahead(p);
            if ((rc = deliver(p, &out)) != SW_OK) return rc;
        }
    }
    rc = sw_reorder_push(p->rq, r);
    if (rc == 1) {
        p->c[SW_IC_LATE]++;
        return SW_OK;
    }
    if (rc) return rc;
    return release(p, SW_REORDER_READY);
}

static int finish_run(struct sw_pipeline *p, char *err);

int sw_pipeline_finish(struct sw_pipeline *p, char *err)
{
    int rc;
    if (p->finished) return SW_OK;
    if ((rc = release(p, SW_REORDER_DRAIN)) != SW_OK || (rc = ing_sync(p)) != SW_OK) {
        ing_store_error(p, err);
        return rc;
    }
    double t0 = p->mvs ? ing_thread_cpu() : 0;
    rc = finish_run(p, err);
    if (p->mvs) p->js.cpu_a_serial += ing_thread_cpu() - t0;
    return rc;
}

/* The end of the run after the last record (the second thread idle). */
static int finish_run(struct sw_pipeline *p, char *err)
{
    int rc;
    for (int i = 0; i < p->ncons; i++)
        if ((rc = p->cons[i].fn(p->cons[i].ctx, NULL, NULL)) != 0) {
            if (err)
                snprintf(err, SW_ERRMAX, "a consumer failed at the end of the run: %s",
                         sw_strerror(rc));
            return rc;
        }
    for (size_t i = 0; i < p->nstages; i++)
        if (p->stages[i]->end && (rc = p->stages[i]->end(p->stages[i]->ctx)) != SW_OK) {
            if (err)
                snprintf(err, SW_ERRMAX, "'%s' failed at the end of the run: %s",
                         p->stages[i]->name, sw_strerror(rc));
            return rc;
        }
    if ((rc = ing_run_commit_hooks(p)) != SW_OK) {
        if (err)
            snprintf(err, SW_ERRMAX, "a commit hook failed at the end of the run: %s",
                     sw_strerror(rc));
        return rc;
    }
    if ((rc = ing_run_finish(p, err)) == SW_OK) ing_jobs_stop(p);
    return rc;
}

void sw_pipeline_jobs_stats(const struct sw_pipeline *p, struct sw_pipeline_jobs_stats *st)
{
    *st = p->js;
    if (p->cfg.jobs >= 2) st->cpu_a = ing_thread_cpu();
}
