/*
 * The detector engine: life cycle, and the stream of ordered records the ingest pipeline hands
 * over after it updated the vessel state. Each record goes to the identity rules, each fix to
 * the per-vessel rules (gaps, loitering, spoofing, port calls, zones) and to the encounter
 * grid; every 10 minutes of event time the encounter pairs that parted are judged; the end of
 * the run closes every open episode. The vessel state is the vessel table's (vessel.h): the
 * detectors keep only their own fields beside it (vstate.c).
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- life cycle */

static int tables_new(struct sw_detect *d)
{
    d->gbuckets = (size_t)1 << 18;
    d->picap = 1;
    while (d->picap < d->lim.max_pairs * 2)
        d->picap <<= 1;
    d->rgcap = 1;
    while (d->rgcap < d->lim.grid_cells)
        d->rgcap <<= 1;
    d->imcap = (size_t)1 << 16;
    d->gheads = malloc(d->gbuckets * sizeof *d->gheads);
    d->gused = calloc(d->gbuckets / 64, sizeof *d->gused);
    d->pairs = malloc(d->lim.max_pairs * sizeof *d->pairs);
    d->pidx = calloc(d->picap, sizeof *d->pidx);
    d->rg = calloc(d->rgcap, sizeof *d->rg);
    d->im = calloc(d->imcap, sizeof *d->im);
    d->q = malloc(DET_QUEUE_MAX * sizeof *d->q);
    d->qtype = malloc(DET_QUEUE_MAX * sizeof *d->qtype);
    d->qres = malloc(DET_QUEUE_MAX * sizeof *d->qres);
    if (!d->gheads || !d->gused || !d->pairs || !d->pidx || !d->rg || !d->im || !d->q ||
        !d->qtype || !d->qres)
        return SW_ENOMEM;
    memset(d->gheads, 0xff, d->gbuckets * sizeof *d->gheads);
    return SW_OK;
}

int sw_detect_new(struct sw_detect **out, const struct sw_geo *g, sqlite3 *db,
                  const struct sw_detect_params *p, const struct sw_detect_limits *lim, char *err)
{
    int rc = SW_ENOMEM;
    struct sw_detect *d = calloc(1, sizeof *d);
    *out = NULL;
    if (!d) goto fail;
    sw_buf_init(&d->line, 0);
    d->g = g;
    d->db = db;
    if (p)
        d->p = *p;
    else
        sw_detect_params_default(&d->p);
    if (lim) d->lim = *lim;
    if (!d->lim.max_pairs) d->lim.max_pairs = (size_t)1 << 16;
    if (!d->lim.grid_cells) d->lim.grid_cells = (size_t)1 << 18;
    d->now = SW_TIME_NONE;
    d->next_sweep = SW_TIME_NONE;
    d->qmax = 1;
    det_pools_init(d);
    det_stage_init(d);
    if ((rc = tables_new(d)) != SW_OK) goto fail;
    det_pair_init(d);
    if ((rc = det_port_grid_build(d)) != SW_OK) goto fail;
    if (db) {
        if ((rc = sw_ledger_open(db, &d->lg)) != SW_OK) {
            if (err) snprintf(err, SW_ERRMAX, "cannot open the ledger: %s", sqlite3_errmsg(db));
            goto fail;
        }
        if ((rc = det_lists_load(d, err)) != SW_OK) goto fail;
    }
    *out = d;
    return SW_OK;
fail:
    if (rc == SW_ENOMEM && err) snprintf(err, SW_ERRMAX, "%s", sw_strerror(rc));
    sw_detect_free(d);
    return rc;
}

void sw_detect_free(struct sw_detect *d)
{
    if (!d) return;
    if (d->lg) sw_ledger_close(d->lg);
    for (size_t i = 0; i < d->qn; i++) /* held back and never recorded: a failed run */
        json_decref(d->q[i]);
    for (size_t i = 0; i < d->npend; i++)
        json_decref(d->pend[i]);
    free(d->pend);
    free(d->ptype);
    free(d->q);
    free(d->qtype);
    free(d->qres);
    sw_buf_release(&d->line);
    det_pools_free(d);
    sw_vessels_free(d->own_vs);
    free(d->gheads);
    free(d->gused);
    free(d->pairs);
    free(d->pidx);
    free(d->rg);
    free(d->im);
    free(d->pg_start);
    free(d->pg_list);
    det_lists_free(d);
    free(d);
}

void sw_detect_reset(struct sw_detect *d)
{
    uint64_t listed = d->st.listed_loaded;
    for (size_t i = 0; i < d->qn; i++) /* held back and never recorded */
        json_decref(d->q[i]);
    for (size_t i = 0; i < d->npend; i++)
        json_decref(d->pend[i]);
    d->qn = d->qmark = d->npend = 0;
    d->qtypes = 0;
    d->flushing = 0;
    memset(&d->st, 0, sizeof d->st);
    d->st.listed_loaded = listed;
    sw_buf_reset(&d->line);
    sw_vessels_free(d->own_vs);
    d->own_vs = d->vs = NULL;
    d->nv = 0; /* the slots are initialised again as they are reserved (det_vstate_reserve) */
    det_pools_reset(d);
    det_grid_clear(d);
    d->npairs = 0;
    det_pidx_rebuild(d);
    memset(d->ring, 0, sizeof d->ring);
    d->ring_next = 0;
    if (d->rgn) /* rgn counts the entries in use: an empty table (8 MB) is left as it is */
        memset(d->rg, 0, d->rgcap * sizeof *d->rg);
    d->rgn = 0;
    d->rg_newest_hour = d->rg_lo = d->rg_hi = 0;
    memset(d->hc, 0, sizeof d->hc);
    if (d->imn) memset(d->im, 0, d->imcap * sizeof *d->im);
    d->imn = 0;
    d->now = d->next_sweep = SW_TIME_NONE;
    d->finished = 0;
}

void sw_detect_set_emit(struct sw_detect *d, sw_detect_emit_fn fn, void *ctx)
{
    d->emit = fn;
    d->emit_ctx = ctx;
}

void sw_detect_set_batch(struct sw_detect *d, size_t max_events)
{
    d->qmax = max_events < 1 ? 1 : max_events > DET_BATCH_MAX ? DET_BATCH_MAX : max_events;
}

int sw_detect_attach(struct sw_detect *d, struct sw_vessels *vs)
{
    if (d->vs && d->vs != vs) return SW_EINVAL; /* records already went to another table */
    d->vs = vs;
    return SW_OK;
}

const struct sw_detect_stats *sw_detect_get_stats(const struct sw_detect *d)
{
    return &d->st;
}

/* ---- the stream */

static void to_dfix(const struct sw_fix *s, uint32_t mmsi, struct dfix *f)
{
    f->t = s->t_ms;
    f->lat = s->lat;
    f->lon = s->lon;
    f->sog = s->sog;
    f->cog = s->cog;
    f->mmsi = mmsi;
}

/* The vessel's fix before this record: its previous fix when the record brought one, else its
 * latest. */
static void prev_fix(struct det_rec *x)
{
    const struct sw_vessel *v = x->v;
    memset(&x->prev, 0, sizeof x->prev);
    x->has_prev = 0;
    if (x->r->fields & SW_F_POS) {
        if (v->recent_n < 2) return;
        unsigned i = (v->recent_head + v->recent_n - 2u) % SW_VESSEL_RECENT;
        to_dfix(&v->recent[i], v->mmsi, &x->prev);
    } else {
        if (!v->has_fix) return;
        to_dfix(&v->last, v->mmsi, &x->prev);
    }
    x->has_prev = 1;
}

/* The per-vessel rules on one fix, in an order that matters: a silence first ends loitering,
 * then is judged as a gap; then spoofing, loitering, port calls, zones. */
static int track_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f)
{
    int rc;
    struct dvessel *dv = x->dv;
    const struct sw_port *pt = NULL;
    int in_port; /* in a port's waiting area: the rules of ships at sea do not apply */
    det_in_port_v(d, dv, f->lat, f->lon, &pt, &in_port);
    float sog = f->sog;
    if (isnan(sog) && x->has_prev && f->t > x->prev.t && f->t - x->prev.t < 2 * HOUR_MS) {
        double km;
        sog = (float)det_kn_between(&x->prev, f, &km);
    }
    if (x->has_prev && f->t - x->prev.t >= d->p.gap_min_h * HOUR_MS &&
        (rc = det_loi_close(d, dv, 0)) != SW_OK)
        return rc;
    if ((rc = det_gap_fix(d, x, f, in_port)) != SW_OK) return rc;
    int shared = 0;
    if (det_enabled(d, SW_DT_IDENTITY_FRAUD) && (rc = det_share_fix(d, x, f, &shared)) != SW_OK)
        return rc;
    if (!shared && det_enabled(d, SW_DT_POSITION_SPOOF) &&
        (rc = det_sp_fix(d, x, f, in_port)) != SW_OK)
        return rc;
    if ((det_enabled(d, SW_DT_LOITERING) || det_enabled(d, SW_DT_DARK_RENDEZVOUS)) &&
        (rc = det_loi_fix(d, dv, f, sog, in_port)) != SW_OK)
        return rc;
    if ((det_enabled(d, SW_DT_PORT_CALL) || det_enabled(d, SW_DT_ZONE_ENTRY)) &&
        (rc = det_pc_fix(d, x, f, sog, pt)) != SW_OK)
        return rc;
    if (pt && det_event_country(d, pt->country))
        det_ident(d, x->slot)->left_kp_port = f->t; /* in a DPRK port's area */
    if (det_enabled(d, SW_DT_ZONE_ENTRY) && (rc = det_zone_fix(d, x, f, sog, in_port)) != SW_OK)
        return rc;
    if (!isnan(f->sog) && f->sog >= 3 && f->sog < 40)
        dv->usual_sog = isnan(dv->usual_sog) ? f->sog : 0.9f * dv->usual_sog + 0.1f * f->sog;
    dv->last_in_port = (uint8_t)in_port;
    if (!x->has_prev) det_ident(d, x->slot)->first = *f;
    return SW_OK;
}

int det_record(struct sw_detect *d, const struct sw_record *r, const struct sw_vessel *v,
               size_t slot)
{
    int rc;
    if (r->kind != SW_REC_VESSEL || d->finished) return SW_OK;
    if (d->now == SW_TIME_NONE || r->t_ms > d->now) d->now = r->t_ms;
    if (d->next_sweep == SW_TIME_NONE) d->next_sweep = d->now + 10 * MIN_MS;
    if (d->now >= d->next_sweep) {
        if ((rc = det_pair_sweep(d, DET_SWEEP)) != SW_OK) return rc;
        d->next_sweep = d->now + 10 * MIN_MS;
    }
    if (slot > UINT32_MAX - 1) return SW_ETOOBIG;
    if ((rc = det_vstate_reserve(d, slot, r->mmsi)) != SW_OK) return rc;
    struct det_rec x = {r, v, (uint32_t)slot, det_hot(d, slot), 0, {0, 0, 0, 0, 0, 0, 0}};
    prev_fix(&x);
    if (r->fields & SW_F_STATIC_MASK) d->st.statics++;
    if ((rc = det_identity(d, &x)) != SW_OK || (rc = det_fraud(d, &x)) != SW_OK ||
        (rc = det_listed(d, &x)) != SW_OK)
        return rc;
    if (!(r->fields & SW_F_POS)) return SW_OK;
    d->st.fixes++;
    struct dfix f = {r->t_ms,
                     r->lat,
                     r->lon,
                     (r->fields & SW_F_SOG) ? r->sog : NAN,
                     (r->fields & SW_F_COG) ? r->cog : NAN,
                     r->mmsi,
                     0};
    if ((rc = det_recep_add(d, x.dv, &f)) != SW_OK || (rc = track_fix(d, &x, &f)) != SW_OK ||
        (rc = det_imo_first_fix(d, &x, &f)) != SW_OK)
        return rc;
    if (det_enabled(d, SW_DT_ENCOUNTER) &&
        (rc = det_pair_fix(d, &x, &f, x.dv->last_in_port)) != SW_OK)
        return rc;
    return SW_OK;
}

int sw_detect_flush(void *ctx)
{
    return det_events_flush(ctx);
}

int sw_detect_consume(void *ctx, const struct sw_record *r, const struct sw_vessel *v)
{
    struct sw_detect *d = ctx;
    int rc;
    if (!r) return sw_detect_finish(d);
    if (r->kind != SW_REC_VESSEL || d->finished) return SW_OK;
    if (!v) { /* no pipeline: the detector keeps its own vessel table */
        struct sw_vessel *nv;
        struct sw_vessel_out out;
        if (!d->vs && (rc = sw_vessels_new(&d->own_vs, 0, NULL)) != SW_OK) return rc;
        if (!d->vs) d->vs = d->own_vs;
        if ((rc = sw_vessels_update(d->vs, r, &nv, &out)) != SW_OK) return rc;
        v = nv;
    }
    size_t slot;
    if (!d->vs || !sw_vessels_find(d->vs, r->mmsi, &slot)) return SW_EINVAL;
    return det_record(d, r, v, slot);
}

int sw_detect_finish(struct sw_detect *d)
{
    int rc;
    if (d->finished) return SW_OK;
    d->finished = 1;
    for (size_t i = 0; i < d->nv; i++)
        if ((rc = det_vessel_end(d, i, 0)) != SW_OK) return rc;
    if ((rc = det_pair_sweep(d, DET_SWEEP_CLOSE)) != SW_OK) return rc;
    return det_events_flush(d);
}
