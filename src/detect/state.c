/*
 * The detectors as a stage of the ingest pipeline (sanctwatch/ingest.h, struct sw_stage): their
 * state is part of every checkpoint and carried from one run to the next, so that one input,
 * one file per day, or a run killed and resumed give the same incidents. At the end of a run
 * what is open (loitering, a port call, a spoofing episode, a silence, an encounter) is
 * published ongoing and stays open; the run that sees it end records the final event, which
 * completes the ongoing one (a new ledger record naming it), or withdraws it when the finished
 * episode no longer meets the rule (event.h).
 *
 * Saved per vessel (after the vessel's own state): a mask of what follows, the hot state, the
 * confirmed identity, the grid fix when the vessel is in the encounter grid, and each open
 * episode. Saved whole: event time, the sweep clock, the encounter pairs, the loitering ring,
 * the reception grid, the IMO map, and the grid's bucket lists in order. Everything read back
 * is checked against what live input can produce (saved state is input too).
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STATE_VERSION 4
#define MASK_LOI 1
#define MASK_SP 2
#define MASK_PC 4
#define MASK_ZONE 8
#define MASK_GRID 16
#define MASK_SHARE 32
#define TIME_OK(t) ((t) >= 0 && (t) < ((int64_t)1 << 50))

/* ---- the end of a run */

int det_vessel_end(struct sw_detect *d, size_t slot, int publish)
{
    int rc;
    const struct sw_vessel *v = sw_vessels_at(d->vs, slot);
    struct det_rec x = {NULL, v, (uint32_t)slot, det_hot(d, slot), 0, {0, 0, 0, 0, 0, 0, 0}};
    if (!v) return SW_OK;
    if (v->has_fix) {
        x.prev.t = v->last.t_ms;
        x.prev.lat = v->last.lat;
        x.prev.lon = v->last.lon;
        x.prev.sog = v->last.sog;
        x.prev.cog = v->last.cog;
        x.prev.mmsi = v->mmsi;
        x.has_prev = 1;
    }
    if (publish) {
        if ((rc = det_loi_publish(d, x.dv)) != SW_OK || (rc = det_pc_publish(d, x.dv)) != SW_OK ||
            (rc = det_sp_publish(d, x.dv)) != SW_OK || (rc = det_share_end(d, x.dv, 1)) != SW_OK ||
            (rc = det_zone_end(d, x.dv, 1)) != SW_OK)
            return rc;
        return det_gap_publish(d, &x);
    }
    if ((rc = det_loi_close(d, x.dv, 1)) != SW_OK || (rc = det_pc_close(d, x.dv, 1)) != SW_OK ||
        (rc = det_sp_close(d, x.dv)) != SW_OK || (rc = det_share_end(d, x.dv, 0)) != SW_OK ||
        (rc = det_zone_end(d, x.dv, 0)) != SW_OK)
        return rc;
    return det_gap_finish(d, &x);
}

static int stage_end(void *ctx)
{
    struct sw_detect *d = ctx;
    int rc;
    d->finished = 1; /* position_spoof: an episode within 6 h of the end is ongoing */
    for (size_t i = 0; i < d->nv; i++)
        if ((rc = det_vessel_end(d, i, 1)) != SW_OK) return rc;
    if ((rc = det_pair_sweep(d, DET_SWEEP_PUBLISH)) != SW_OK) return rc;
    return det_events_flush(d);
}

/* ---- the stream */

static int stage_attach(void *ctx, struct sw_vessels *vs)
{
    return sw_detect_attach(ctx, vs);
}

static int stage_record(void *ctx, const struct sw_record *r, const struct sw_vessel *v,
                        size_t slot)
{
    return det_record(ctx, r, v, slot);
}

static void stage_prefetch(void *ctx, size_t slot)
{
    const struct sw_detect *d = ctx;
    if (slot >= d->nv) return;
    const char *h = (const char *)det_hot(d, slot);
    __builtin_prefetch(h, 1);
    __builtin_prefetch(h + 64, 1);
    __builtin_prefetch(det_gent(d, slot), 1);
}

static int stage_commit(void *ctx)
{
    return det_events_flush(ctx);
}

/* ---- per vessel */

static int put(struct sw_buf *b, const void *p, size_t n)
{
    return sw_buf_append(b, p, n);
}

static int stage_save_vessel(void *ctx, size_t slot, struct sw_buf *b)
{
    struct sw_detect *d = ctx;
    if (slot >= d->nv) return SW_OK; /* never seen by the detectors: nothing saved */
    struct dvessel hot = *det_hot(d, slot);
    const struct gent *ge = det_gent(d, slot);
    unsigned char mask = (unsigned char)((hot.ep_loi ? MASK_LOI : 0) | (hot.ep_sp ? MASK_SP : 0) |
                                         (hot.ep_pc ? MASK_PC : 0) | (hot.ep_zone ? MASK_ZONE : 0) |
                                         (ge->bucket != DET_NOIDX ? MASK_GRID : 0) |
                                         (hot.ep_share ? MASK_SHARE : 0));
    int rc;
    hot.ep_loi = hot.ep_sp = hot.ep_pc = hot.ep_zone = hot.ep_share = 0; /* pool places */
    if ((rc = put(b, &mask, 1)) || (rc = put(b, &hot, sizeof hot)) ||
        (rc = put(b, det_ident(d, slot), sizeof(struct dident))))
        return rc;
    const struct dvessel *dv = det_hot(d, slot);
    if ((mask & MASK_GRID) && (rc = put(b, &ge->f, sizeof ge->f))) return rc;
    if ((mask & MASK_LOI) && (rc = put(b, LOI(d, dv), sizeof(struct ep_loi)))) return rc;
    if ((mask & MASK_SP) && (rc = put(b, SP(d, dv), sizeof(struct ep_sp)))) return rc;
    if ((mask & MASK_PC) && (rc = put(b, PC(d, dv), sizeof(struct ep_pc)))) return rc;
    if ((mask & MASK_ZONE) && (rc = put(b, ZEP(d, dv), sizeof(struct ep_zone)))) return rc;
    if ((mask & MASK_SHARE) && (rc = put(b, SH(d, dv), sizeof(struct ep_share)))) return rc;
    return SW_OK;
}

static int fix_ok(const struct dfix *f)
{
    return (f->t == 0 || TIME_OK(f->t)) && !isnan(f->lat) && !isnan(f->lon) && fabs(f->lat) <= 90 &&
           fabs(f->lon) <= 360;
}

static int sampler_ok(const struct sampler *s)
{
    if (s->n > DET_SAMPLES) return 0;
    for (uint32_t i = 0; i < s->n; i++)
        if (!fix_ok(&s->f[i])) return 0;
    return 1;
}

static int terminated(const char *s, size_t n)
{
    return memchr(s, 0, n) != NULL;
}

/* A restored hot state and identity are what live input can make. */
static int vessel_ok(const struct sw_detect *d, const struct dvessel *h, const struct dident *id,
                     uint32_t mmsi, unsigned mask)
{
    const struct sw_zones *z = sw_geo_zones(d->g);
    (void)z;
    if (h->mmsi != mmsi || h->pc_port < -1 || h->pc_port >= (int64_t)sw_ports_count(d->g) ||
        (h->pc_port >= 0) != !!(mask & MASK_PC) || h->loi_open != !!(mask & MASK_LOI) ||
        (h->sp_exc_open || h->sp_ep_open) != !!(mask & MASK_SP) ||
        (h->zep_active > 0 && !(mask & MASK_ZONE)) || h->zep_active > DET_ZONE_EPS ||
        h->sp_exc_open > 1 || h->sp_ep_open > 1 || h->loi_open > 1 || h->gap_pub > 3 ||
        !(h->sp_ep_last == 0 || TIME_OK(h->sp_ep_last)) || mask > 63)
        return 0;
    for (int i = 0; i < 3; i++)
        if (!(id->cur_t[i] == 0 || TIME_OK(id->cur_t[i])) ||
            !(id->pend_t[i] == 0 || TIME_OK(id->pend_t[i])) || id->has[i] > 1)
            return 0;
    if (!(id->chg_t == 0 || TIME_OK(id->chg_t)) ||
        !(id->chg_start == SW_TIME_NONE || id->chg_start == 0 || TIME_OK(id->chg_start)))
        return 0;
    return terminated(id->name, sizeof id->name) &&
           terminated(id->pend_name, sizeof id->pend_name) &&
           terminated(id->callsign, sizeof id->callsign) &&
           terminated(id->pend_callsign, sizeof id->pend_callsign) &&
           terminated(id->imo, sizeof id->imo) && terminated(id->pend_imo, sizeof id->pend_imo) &&
           fix_ok(&id->first);
}

static int episodes_ok(const struct sw_detect *d, const struct dvessel *dv)
{
    if (dv->ep_loi) {
        const struct ep_loi *L = LOI(d, dv);
        if (L->n == 0 || !TIME_OK(L->start) || !fix_ok(&L->lastf) || !fix_ok(&L->first) ||
            !sampler_ok(&L->s) || (L->ring != DET_NOIDX && L->ring >= DET_LOI_RING))
            return 0;
    }
    if (dv->ep_sp) {
        const struct ep_sp *S = SP(d, dv);
        const struct dfix *f[] = {&S->origin,    &S->exc_first, &S->exc_last,
                                  &S->ep_origin, &S->ep_first,  &S->ep_return};
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
            if (!fix_ok(f[i])) return 0;
        if (!sampler_ok(&S->s) || !(S->ep_start == 0 || TIME_OK(S->ep_start)) || S->ntimes > 3 ||
            S->exc_garble > 1 || S->one_stamp > 1 || S->stamps_differ > 1)
            return 0;
    }
    if (dv->ep_pc) {
        const struct ep_pc *c = PC(d, dv);
        if (!fix_ok(&c->first_stop) || !fix_ok(&c->lastf) || !TIME_OK(c->enter) ||
            !(c->stop_start == SW_TIME_NONE || TIME_OK(c->stop_start)) || c->called > 1)
            return 0;
    }
    if (dv->ep_zone) {
        const struct zone_ep *z = ZEP(d, dv);
        const struct zone_sum *zs = ZSUM(d, dv);
        const struct sw_zones *all = sw_geo_zones(d->g);
        int64_t nz = all ? (int64_t)sw_zones_count(all) : 0;
        int active = 0;
        for (int e = 0; e < DET_ZONE_EPS; e++) {
            if (z[e].zone < -1 || z[e].zone >= nz || !fix_ok(&z[e].first) ||
                !fix_ok(&z[e].slow_first) || !(z[e].out_since == 0 || TIME_OK(z[e].out_since)) ||
                !(z[e].last_in == 0 || TIME_OK(z[e].last_in)) ||
                !(z[e].slow_since == 0 || TIME_OK(z[e].slow_since)) || zs[e].zone < -1 ||
                zs[e].zone >= nz || zs[e].inside_ms < 0 || zs[e].day < 0 || !fix_ok(&zs[e].first) ||
                !fix_ok(&zs[e].last))
                return 0;
            active += z[e].zone >= 0;
        }
        if (active != dv->zep_active) return 0;
    }
    if (dv->ep_share) {
        const struct ep_share *S = SH(d, dv);
        const struct dfix *f[] = {&S->a0, &S->b0, &S->ta, &S->tb};
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
            if (!fix_ok(f[i])) return 0;
        if (S->nid > DET_SHARE_IDS || !TIME_OK(S->start) || !TIME_OK(S->last) ||
            !(S->chg_last == 0 || TIME_OK(S->chg_last)) || S->on_b > 1 || S->confirmed > 1 ||
            S->tracks > 1 || isnan(S->max_km))
            return 0;
        for (int i = 0; i < DET_SHARE_IDS; i++)
            if (!terminated(S->id_name[i], sizeof S->id_name[i]) ||
                !terminated(S->id_imo[i], sizeof S->id_imo[i]))
                return 0;
    }
    return 1;
}

/* Release what the slot held (a later record of the vessel replaces an earlier one). */
static void vessel_drop(struct sw_detect *d, size_t slot)
{
    struct dvessel *dv = det_hot(d, slot);
    det_pool_put(&d->ploi, &dv->ep_loi);
    det_pool_put(&d->psp, &dv->ep_sp);
    det_pool_put(&d->ppc, &dv->ep_pc);
    det_pool_put(&d->pzone, &dv->ep_zone);
    det_pool_put(&d->pshare, &dv->ep_share);
}

static int take_episode(struct pool *p, uint32_t *ref, const unsigned char **in, size_t *left,
                        size_t size)
{
    int rc;
    if (*left < size) return SW_EFORMAT;
    if ((rc = det_pool_get(p, ref)) != SW_OK) return rc;
    memcpy(det_pool_at(p, *ref), *in, size);
    *in += size;
    *left -= size;
    return SW_OK;
}

static int stage_load_vessel(void *ctx, size_t slot, const void *data, size_t len)
{
    struct sw_detect *d = ctx;
    const struct sw_vessel *v = sw_vessels_at(d->vs, slot);
    const unsigned char *in = data;
    size_t left = len;
    int rc;
    if (!v || slot > UINT32_MAX - 1) return SW_EFORMAT;
    if ((rc = det_vstate_reserve(d, slot, v->mmsi)) != SW_OK) return rc;
    vessel_drop(d, slot);
    if (len == 0) { /* the vessel's state is fresh */
        det_vstate_reset(d, slot, v->mmsi);
        return SW_OK;
    }
    unsigned char mask = in[0];
    struct dvessel hot;
    struct dident id;
    if (left < 1 + sizeof hot + sizeof id) return SW_EFORMAT;
    memcpy(&hot, in + 1, sizeof hot);
    memcpy(&id, in + 1 + sizeof hot, sizeof id);
    in += 1 + sizeof hot + sizeof id;
    left -= 1 + sizeof hot + sizeof id;
    if (!vessel_ok(d, &hot, &id, v->mmsi, mask) || hot.ep_loi || hot.ep_sp || hot.ep_pc ||
        hot.ep_zone || hot.ep_share)
        return SW_EFORMAT;
    struct dvessel *dv = det_hot(d, slot);
    *dv = hot;
    *det_ident(d, slot) = id;
    struct gent *ge = det_gent(d, slot);
    ge->next = ge->prev = DET_NOIDX;
    ge->bucket = (mask & MASK_GRID) ? DET_RELINK : DET_NOIDX; /* relinked by stage_load */
    memset(&ge->f, 0, sizeof ge->f);
    if (mask & MASK_GRID) {
        if (left < sizeof ge->f) return SW_EFORMAT;
        memcpy(&ge->f, in, sizeof ge->f);
        in += sizeof ge->f;
        left -= sizeof ge->f;
        if (!fix_ok(&ge->f) || ge->f.mmsi != v->mmsi) return SW_EFORMAT;
    }
    if (((mask & MASK_LOI) &&
         (rc = take_episode(&d->ploi, &dv->ep_loi, &in, &left, sizeof(struct ep_loi)))) ||
        ((mask & MASK_SP) &&
         (rc = take_episode(&d->psp, &dv->ep_sp, &in, &left, sizeof(struct ep_sp)))) ||
        ((mask & MASK_PC) &&
         (rc = take_episode(&d->ppc, &dv->ep_pc, &in, &left, sizeof(struct ep_pc)))) ||
        ((mask & MASK_ZONE) &&
         (rc = take_episode(&d->pzone, &dv->ep_zone, &in, &left, sizeof(struct ep_zone)))) ||
        ((mask & MASK_SHARE) &&
         (rc = take_episode(&d->pshare, &dv->ep_share, &in, &left, sizeof(struct ep_share)))))
        return rc;
    if (left != 0 || !episodes_ok(d, dv)) return SW_EFORMAT;
    return SW_OK;
}

/* ---- the rest */

/* The loitering ring: its used entries, each with its index. */
static int put_ring(const struct sw_detect *d, struct sw_buf *b)
{
    uint32_t n = 0;
    int rc;
    for (uint32_t i = 0; i < DET_LOI_RING; i++)
        n += d->ring[i].mmsi != 0;
    if ((rc = put(b, &n, 4))) return rc;
    for (uint32_t i = 0; i < DET_LOI_RING; i++)
        if (d->ring[i].mmsi &&
            ((rc = put(b, &i, 4)) || (rc = put(b, &d->ring[i], sizeof d->ring[i]))))
            return rc;
    return SW_OK;
}

static int stage_save(void *ctx, struct sw_buf *b)
{
    struct sw_detect *d = ctx;
    uint32_t ver = STATE_VERSION, np = (uint32_t)d->npairs, nr = (uint32_t)d->rgn;
    uint32_t ni = (uint32_t)d->imn, nb = 0;
    int rc;
    if ((rc = put(b, &ver, 4)) || (rc = put(b, &d->now, 8)) || (rc = put(b, &d->next_sweep, 8)) ||
        (rc = put(b, &d->ring_next, 4)) || (rc = put(b, &d->rg_newest_hour, 8)) ||
        (rc = put(b, &np, 4)) || (rc = put(b, d->pairs, np * sizeof *d->pairs)) ||
        (rc = put_ring(d, b)) || (rc = put(b, d->hc, sizeof d->hc)) || (rc = put(b, &nr, 4)))
        return rc;
    for (size_t i = 0; i < d->rgcap; i++)
        if (d->rg[i].key && (rc = put(b, &d->rg[i], sizeof d->rg[i]))) return rc;
    if ((rc = put(b, &ni, 4))) return rc;
    for (size_t i = 0; i < d->imcap; i++)
        if (d->im[i].imo && (rc = put(b, &d->im[i], sizeof d->im[i]))) return rc;
    /* the grid: each list from its tail, so that linking in this order rebuilds it */
    for (size_t bk = 0; bk < d->gbuckets; bk++)
        nb += d->gheads[bk] != DET_NOIDX;
    if ((rc = put(b, &nb, 4))) return rc;
    for (uint32_t bk = 0; bk < d->gbuckets; bk++) {
        uint32_t k = d->gheads[bk], tail = DET_NOIDX, n = 0;
        for (; k != DET_NOIDX; k = det_gent(d, k)->next) {
            tail = k;
            n++;
        }
        if (!n) continue;
        if ((rc = put(b, &n, 4))) return rc;
        for (k = tail; k != DET_NOIDX; k = det_gent(d, k)->prev)
            if ((rc = put(b, &k, 4))) return rc;
    }
    return SW_OK;
}

/* A cursor over a saved blob. */
struct rd {
    const unsigned char *p;
    size_t left;
};

static int get(struct rd *r, void *out, size_t n)
{
    if (r->left < n) return SW_EFORMAT;
    memcpy(out, r->p, n);
    r->p += n;
    r->left -= n;
    return SW_OK;
}

static int pairs_ok(const struct sw_detect *d)
{
    for (size_t i = 0; i < d->npairs; i++) {
        const struct pair *p = &d->pairs[i];
        if (p->a >= p->b || !TIME_OK(p->start) || !TIME_OK(p->last_close) || p->n == 0 ||
            !sampler_ok(&p->s) || !fix_ok(&p->close_a) || !fix_ok(&p->close_b) || p->published > 1)
            return 0;
    }
    return 1;
}

/* The grid's lists as saved, linked again in order. A vessel whose own record says it was in
 * the grid but no list has it was taken out by another vessel's fix (a stale entry) after its
 * record was saved: it stays out, as it was. */
static int load_grid(struct sw_detect *d, struct rd *r)
{
    uint32_t nb, n, slot;
    int rc;
    det_grid_clear(d);
    if ((rc = get(r, &nb, 4))) return rc;
    for (uint32_t i = 0; i < nb; i++) {
        if ((rc = get(r, &n, 4)) || n == 0 || n > d->nv) return SW_EFORMAT;
        for (uint32_t k = 0; k < n; k++) {
            if ((rc = get(r, &slot, 4)) || slot >= d->nv) return SW_EFORMAT;
            if (det_gent(d, slot)->bucket != DET_RELINK) return SW_EFORMAT; /* not saved in it */
            det_grid_relink(d, slot);
        }
    }
    for (size_t i = 0; i < d->nv; i++)
        if (det_gent(d, i)->bucket == DET_RELINK) det_gent(d, i)->bucket = DET_NOIDX;
    return SW_OK;
}

static int load_ring(struct sw_detect *d, struct rd *r)
{
    uint32_t n, i, prev = 0;
    int rc;
    memset(d->ring, 0, sizeof d->ring);
    if ((rc = get(r, &n, 4)) || n > DET_LOI_RING) return SW_EFORMAT;
    for (uint32_t k = 0; k < n; k++) {
        struct loiter_rec e;
        if ((rc = get(r, &i, 4)) || i >= DET_LOI_RING || (k && i <= prev) ||
            (rc = get(r, &e, sizeof e)) || !e.mmsi)
            return SW_EFORMAT;
        d->ring[i] = e;
        prev = i;
    }
    return SW_OK;
}

static int stage_load(void *ctx, const void *data, size_t len)
{
    struct sw_detect *d = ctx;
    struct rd r = {data, len};
    uint32_t ver, np, nr, ni;
    int rc;
    if ((rc = get(&r, &ver, 4)) || ver != STATE_VERSION || (rc = get(&r, &d->now, 8)) ||
        (rc = get(&r, &d->next_sweep, 8)) || (rc = get(&r, &d->ring_next, 4)) ||
        (rc = get(&r, &d->rg_newest_hour, 8)) || (rc = get(&r, &np, 4)) || np > d->lim.max_pairs ||
        (rc = get(&r, d->pairs, np * sizeof *d->pairs)))
        return SW_EFORMAT;
    d->npairs = np;
    if (!(d->now == SW_TIME_NONE || TIME_OK(d->now)) ||
        !(d->next_sweep == SW_TIME_NONE || TIME_OK(d->next_sweep)) ||
        d->ring_next >= DET_LOI_RING || d->rg_newest_hour < 0 ||
        d->rg_newest_hour > ((int64_t)1 << 50) / HOUR_MS || !pairs_ok(d))
        return SW_EFORMAT;
    det_pidx_rebuild(d);
    if ((rc = load_ring(d, &r)) || (rc = get(&r, d->hc, sizeof d->hc)) || (rc = get(&r, &nr, 4)))
        return SW_EFORMAT;
    for (size_t i = 0; i < DET_HOURS; i++)
        if (d->hc[i].hour < 0 || (d->hc[i].n && d->hc[i].hour % DET_HOURS != (int64_t)i))
            return SW_EFORMAT;
    memset(d->rg, 0, d->rgcap * sizeof *d->rg);
    d->rgn = 0;
    for (uint32_t i = 0; i < nr; i++) {
        struct recep e;
        if ((rc = get(&r, &e, sizeof e)) || (rc = det_recep_put(d, &e))) return SW_EFORMAT;
    }
    if ((rc = get(&r, &ni, 4)) || (uint64_t)ni * 10 > d->imcap * 7) return SW_EFORMAT;
    memset(d->im, 0, d->imcap * sizeof *d->im);
    d->imn = 0;
    for (uint32_t i = 0; i < ni; i++) {
        struct imomap e;
        if ((rc = get(&r, &e, sizeof e)) || !e.imo) return SW_EFORMAT;
        size_t s = (size_t)((e.imo * 0x9E3779B97F4A7C15ULL) >> 24) & (d->imcap - 1);
        while (d->im[s].imo && d->im[s].imo != e.imo)
            s = (s + 1) & (d->imcap - 1);
        if (d->im[s].imo) return SW_EFORMAT; /* twice */
        d->im[s] = e;
        d->imn++;
    }
    if ((rc = load_grid(d, &r)) != SW_OK || r.left != 0) return SW_EFORMAT;
    for (size_t i = 0; i < DET_LOI_RING; i++)
        if (d->ring[i].mmsi && (!TIME_OK(d->ring[i].start) || !TIME_OK(d->ring[i].end)))
            return SW_EFORMAT;
    d->finished = 0;
    return SW_OK;
}

static void stage_reset(void *ctx)
{
    struct sw_detect *d = ctx;
    for (size_t i = 0; i < d->nv; i++) {
        const struct sw_vessel *v = sw_vessels_at(d->vs, i);
        vessel_drop(d, i);
        det_vstate_reset(d, i, v ? v->mmsi : 0);
    }
    det_grid_clear(d);
    d->npairs = 0;
    det_pidx_rebuild(d);
    memset(d->ring, 0, sizeof d->ring);
    d->ring_next = 0;
    memset(d->rg, 0, d->rgcap * sizeof *d->rg);
    d->rgn = 0;
    d->rg_newest_hour = 0;
    memset(d->hc, 0, sizeof d->hc);
    memset(d->im, 0, d->imcap * sizeof *d->im);
    d->imn = 0;
    d->now = d->next_sweep = SW_TIME_NONE;
    d->finished = 0;
}

void det_stage_init(struct sw_detect *d)
{
    struct sw_stage *s = &d->stage;
    memset(s, 0, sizeof *s);
    s->name = "detect";
    s->layout = (uint64_t)STATE_VERSION << 48 ^
                (uint64_t)(sizeof(struct dvessel) + sizeof(struct dident) * 7 +
                           sizeof(struct ep_loi) * 31 + sizeof(struct ep_sp) * 127 +
                           sizeof(struct ep_pc) * 8191 + sizeof(struct ep_zone) * 131071 +
                           sizeof(struct pair) * 524287 + sizeof(struct recep) * 8388607 +
                           sizeof(struct ep_share) * 33554393 + sizeof(struct imomap) * 65521);
    s->ctx = d;
    s->attach = stage_attach;
    s->record = stage_record;
    s->prefetch = stage_prefetch;
    s->commit = stage_commit;
    s->end = stage_end;
    s->save_vessel = stage_save_vessel;
    s->load_vessel = stage_load_vessel;
    s->save = stage_save;
    s->load = stage_load;
    s->reset = stage_reset;
}

const struct sw_stage *sw_detect_stage(struct sw_detect *d)
{
    return &d->stage;
}
