/*
 * encounter: two vessels within max_distance_m for at least min_duration_h, median speed
 * under max_median_sog_kn, away from ports. A spatial grid of the latest slow fix of every
 * vessel (cells of 0.01 degree, about 1 km, in hashed buckets; a query looks at the cell and
 * its halo) finds the close pairs; a bounded pair table follows each until the vessels part,
 * then judges it. docs/detection.md, encounter.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SYNC_MS (10 * MIN_MS) /* two fixes this close in time count as simultaneous */
#define CELL_DEG 0.01

static uint64_t cell_of(double lat, double lon)
{
    int64_t li = (int64_t)floor(lat / CELL_DEG) + 9000, lo = (int64_t)floor(lon / CELL_DEG) + 18000;
    return (uint64_t)li << 32 | (uint64_t)lo;
}

static uint32_t bucket_of(const struct sw_detect *d, uint64_t cell)
{
    return (uint32_t)(((cell * 0x9E3779B97F4A7C15ULL) >> 24) & (d->gbuckets - 1));
}

static void grid_unlink(struct sw_detect *d, uint32_t self)
{
    struct gent *e = det_gent(d, self);
    if (e->bucket >= DET_RELINK) { /* not in the grid (or restored and never linked again) */
        e->bucket = DET_NOIDX;
        return;
    }
    if (e->prev != DET_NOIDX) {
        det_gent(d, e->prev)->next = e->next;
    } else {
        d->gheads[e->bucket] = e->next;
        if (e->next == DET_NOIDX) d->gused[e->bucket >> 6] &= ~((uint64_t)1 << (e->bucket & 63));
    }
    if (e->next != DET_NOIDX) det_gent(d, e->next)->prev = e->prev;
    e->next = e->prev = e->bucket = DET_NOIDX;
}

static void grid_link(struct sw_detect *d, uint32_t self, uint64_t cell)
{
    struct gent *e = det_gent(d, self);
    uint32_t b = bucket_of(d, cell);
    e->cell = cell;
    e->bucket = b;
    e->prev = DET_NOIDX;
    e->next = d->gheads[b];
    if (e->next != DET_NOIDX) det_gent(d, e->next)->prev = self;
    d->gheads[b] = self;
    d->gused[b >> 6] |= (uint64_t)1 << (b & 63);
}

/* ---- pair table */

static size_t pslot(uint32_t a, uint32_t b, size_t cap)
{
    uint64_t k = (uint64_t)a << 32 | b;
    return (size_t)((k * 0x9E3779B97F4A7C15ULL) >> 21) & (cap - 1);
}

void det_pidx_rebuild(struct sw_detect *d)
{
    memset(d->pidx, 0, d->picap * sizeof *d->pidx);
    for (size_t i = 0; i < d->npairs; i++) {
        size_t s = pslot(d->pairs[i].a, d->pairs[i].b, d->picap);
        while (d->pidx[s])
            s = (s + 1) & (d->picap - 1);
        d->pidx[s] = (uint32_t)i + 1;
    }
}

/* A pair that did not meet the rule after all: withdrawn if it was published ongoing. */
static int pair_fails(struct sw_detect *d, const struct pair *p, const char *why)
{
    if (!p->published) return SW_OK;
    uint32_t m[2] = {p->a, p->b};
    return det_withdraw(d, SW_DT_ENCOUNTER, m, 2, p->start, p->last_close, "encounter", why);
}

/* Judge a pair: an event when it met the rule (*emitted set), a withdrawal when it did not
 * after being published ongoing. */
static int pair_emit(struct sw_detect *d, const struct pair *p, int ongoing, int *emitted)
{
    *emitted = 0;
    int64_t dur = p->last_close - p->start;
    if (dur < d->p.enc_min_duration_h * HOUR_MS) return pair_fails(d, p, "min_duration_h");
    double med = det_hist_median(&p->h);
    if (isnan(med) || med >= d->p.enc_max_median_sog_kn)
        return pair_fails(d, p, "max_median_sog_kn");
    double lat = p->sumlat / p->n, lon = p->sumlon / p->n;
    const struct sw_port *pt;
    double pd;
    if (sw_ports_nearest(d->g, lat, lon, d->p.enc_min_port_km * 1000, &pt, &pd) == SW_OK)
        return pair_fails(d, p, "min_port_distance_km");
    double h = (double)dur / HOUR_MS;
    double conf =
        0.55 + 0.1 * (h - d->p.enc_min_duration_h) + 0.2 * (1 - p->min_d / d->p.enc_max_distance_m);
    json_t *ev = det_event_new(SW_DT_ENCOUNTER, p->start, p->last_close, ongoing, lat, lon, conf);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, p->a);
    det_event_vessel(d, ev, p->b);
    json_t *dt = det_details(ev, "encounter");
    det_num(dt, "min_distance_m", round(p->min_d));
    det_num(dt, "median_sog_kn", med);
    det_num(dt, "positions", p->n);
    det_num(dt, "duration_h", h);
    det_num(dt, "max_distance_m", d->p.enc_max_distance_m);
    det_num(dt, "min_duration_h", d->p.enc_min_duration_h);
    det_num(dt, "max_median_sog_kn", d->p.enc_max_median_sog_kn);
    det_num(dt, "min_port_distance_km", d->p.enc_min_port_km);
    det_event_fix(ev, &p->close_a, "closest");
    det_event_fix(ev, &p->close_b, "closest");
    det_event_samples(ev, &p->s);
    *emitted = 1;
    return det_event_finish(d, ev, SW_DT_ENCOUNTER);
}

static int pair_observe(struct sw_detect *d, const struct dfix *fa, const struct dfix *fb,
                        double dist)
{
    uint32_t a = fa->mmsi < fb->mmsi ? fa->mmsi : fb->mmsi;
    uint32_t b = fa->mmsi < fb->mmsi ? fb->mmsi : fa->mmsi;
    size_t s = pslot(a, b, d->picap);
    struct pair *p = NULL;
    int rc;
    while (d->pidx[s]) {
        struct pair *q = &d->pairs[d->pidx[s] - 1];
        if (q->a == a && q->b == b) {
            p = q;
            break;
        }
        s = (s + 1) & (d->picap - 1);
    }
    if (p && fa->t - p->last_close > d->p.enc_max_gap_min * MIN_MS) {
        int emitted;
        if ((rc = pair_emit(d, p, 0, &emitted)) != SW_OK) return rc;
        uint32_t keep_a = p->a, keep_b = p->b;
        memset(p, 0, sizeof *p);
        p->a = keep_a;
        p->b = keep_b;
        p->start = fa->t;
        p->min_d = INFINITY;
    }
    if (!p) {
        if (d->npairs >= d->lim.max_pairs) {
            d->st.pair_full++;
            return SW_OK;
        }
        p = &d->pairs[d->npairs];
        memset(p, 0, sizeof *p);
        p->a = a;
        p->b = b;
        p->start = fb->t < fa->t ? fb->t : fa->t;
        p->min_d = INFINITY;
        d->pidx[s] = (uint32_t)++d->npairs;
    }
    p->last_close = fa->t;
    p->n++;
    if (dist < p->min_d) {
        p->min_d = dist;
        p->close_a = *fa;
        p->close_b = *fb;
    }
    p->sumlat += (fa->lat + fb->lat) / 2;
    p->sumlon += (fa->lon + fb->lon) / 2;
    det_hist_add(&p->h, fa->sog);
    det_hist_add(&p->h, fb->sog);
    det_sample_add(&p->s, fa);
    return SW_OK;
}

int det_pair_sweep(struct sw_detect *d, int mode)
{
    size_t w = 0;
    int rc, emitted;
    int64_t max_gap = (int64_t)(d->p.enc_max_gap_min * MIN_MS);
    for (size_t i = 0; i < d->npairs; i++) {
        struct pair *p = &d->pairs[i];
        int expired = d->now - p->last_close > max_gap;
        if (expired || mode == DET_SWEEP_CLOSE) {
            if ((rc = pair_emit(d, p, !expired, &emitted)) != SW_OK) return rc;
            continue;
        }
        if (mode == DET_SWEEP_PUBLISH) {
            if ((rc = pair_emit(d, p, 1, &emitted)) != SW_OK) return rc;
            if (emitted) p->published = 1;
        }
        if (w != i) d->pairs[w] = *p;
        w++;
    }
    if (w != d->npairs) {
        d->npairs = w;
        det_pidx_rebuild(d);
    }
    return SW_OK;
}

/* The longitude halo is the same for every latitude within 59 degrees (cos between 0.5 and 1)
 * when both ends give the same cell count: then it needs no cosine per fix. */
void det_pair_init(struct sw_detect *d)
{
    double maxd = d->p.enc_max_distance_m;
    int lo = (int)ceil(maxd / (CELL_DEG * 111195.0 * 1.0));
    int hi = (int)ceil(maxd / (CELL_DEG * 111195.0 * 0.5));
    d->enc_hlo59 = lo == hi ? lo : -1;
}

int det_pair_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, int in_port)
{
    int rc;
    const struct dvessel *dv = x->dv;
    uint32_t self = x->slot;
    grid_unlink(d, self);
    if (in_port || (!isnan(f->sog) && f->sog >= 2 * d->p.enc_max_median_sog_kn)) return SW_OK;
    double maxd = d->p.enc_max_distance_m;
    int hl = (int)ceil(maxd / (CELL_DEG * 111195.0));
    int hlo = d->enc_hlo59;
    if (hlo < 0 || fabs(f->lat) > 59) {
        double c = cos(f->lat * M_PI / 180);
        hlo = (int)ceil(maxd / (CELL_DEG * 111195.0 * (c > 0.05 ? c : 0.05)));
    }
    if (hl > 5) hl = 5;
    if (hlo > 10) hlo = 10;
    uint64_t me = cell_of(f->lat, f->lon);
    for (int i = -hl; i <= hl; i++)
        for (int j = -hlo; j <= hlo; j++) {
            uint64_t cell = me + ((uint64_t)(int64_t)i << 32) + (uint64_t)(int64_t)j;
            uint32_t b = bucket_of(d, cell);
            if (!(d->gused[b >> 6] >> (b & 63) & 1)) continue; /* empty: gheads not touched */
            uint32_t k = d->gheads[b];
            while (k != DET_NOIDX) {
                struct gent *o = det_gent(d, k);
                uint32_t ok = k;
                k = o->next;
                if (o->cell != cell || o->f.mmsi == dv->mmsi) continue;
                if (f->t - o->f.t > SYNC_MS) {
                    grid_unlink(d, ok); /* stale */
                    continue;
                }
                double dist = sw_geo_dist_m(f->lat, f->lon, o->f.lat, o->f.lon);
                if (dist <= maxd && (rc = pair_observe(d, f, &o->f, dist)) != SW_OK) return rc;
            }
        }
    det_gent(d, self)->f = *f;
    grid_link(d, self, me);
    return SW_OK;
}

void det_grid_relink(struct sw_detect *d, uint32_t slot)
{
    struct gent *e = det_gent(d, slot);
    grid_link(d, slot, cell_of(e->f.lat, e->f.lon));
}

void det_grid_clear(struct sw_detect *d)
{
    memset(d->gheads, 0xff, d->gbuckets * sizeof *d->gheads);
    memset(d->gused, 0, d->gbuckets / 64 * sizeof *d->gused);
}
