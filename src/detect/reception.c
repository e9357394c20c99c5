/*
 * The reception model behind ais_gap: which vessels were heard, per 0.5-degree cell and hour
 * (up to DET_RECEP_MMSI distinct MMSIs each, in a bounded table; entries older than 14 days
 * purged),
 * so that a vessel's silence can be told from a receiver's: a gap counts only where others
 * were heard around it, hour after hour. docs/detection.md, ais_gap.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RG_HORIZON_H (14 * 24)
#define RG_CELL_DEG 0.5

static uint64_t rg_key(int lat_i, int lon_i, int64_t hour)
{
    return ((uint64_t)(unsigned)lat_i << 34 | (uint64_t)(unsigned)lon_i << 24 |
            ((uint64_t)hour & 0xffffff)) +
           1;
}

static void rg_cell(double lat, double lon, int *li, int *lo)
{
    *li = (int)floor((lat + 90) / RG_CELL_DEG);
    *lo = (int)floor((sw_geo_wrap_lon(lon) + 180) / RG_CELL_DEG);
}

static size_t rg_slot(uint64_t key, size_t cap)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 17) & (cap - 1);
}

static struct recep *rg_find(struct sw_detect *d, uint64_t key)
{
    size_t s = rg_slot(key, d->rgcap);
    while (d->rg[s].key) {
        if (d->rg[s].key == key) return &d->rg[s];
        s = (s + 1) & (d->rgcap - 1);
    }
    return NULL;
}

static int64_t rg_hour(uint64_t key)
{
    return (int64_t)((key - 1) & 0xffffff);
}

/* The table's hour range after an entry of `key` went in (rgn counts it already). */
static void rg_note(struct sw_detect *d, uint64_t key)
{
    int64_t h = rg_hour(key);
    if (d->rgn == 1 || h < d->rg_lo) d->rg_lo = h;
    if (d->rgn == 1 || h > d->rg_hi) d->rg_hi = h;
}

/* Put e in a free slot of the table (not there yet, the table not full) and count it. */
static struct recep *rg_insert(struct sw_detect *d, const struct recep *e)
{
    size_t s = rg_slot(e->key, d->rgcap);
    while (d->rg[s].key)
        s = (s + 1) & (d->rgcap - 1);
    memcpy(&d->rg[s], e, sizeof *e); /* padding too: the saved state is these bytes */
    d->rgn++;
    rg_note(d, e->key);
    return &d->rg[s];
}

/* Drop entries older than the horizon (a rebuild of the table). */
static int rg_purge(struct sw_detect *d)
{
    struct recep *old = d->rg, *nw = calloc(d->rgcap, sizeof *nw);
    if (!nw) return SW_ENOMEM;
    d->rg = nw;
    d->rgn = 0;
    for (size_t i = 0; i < d->rgcap; i++) {
        if (!old[i].key) continue;
        if (rg_hour(old[i].key) < (d->rg_newest_hour & 0xffffff) - RG_HORIZON_H) continue;
        rg_insert(d, &old[i]);
    }
    free(old);
    return SW_OK;
}

int det_recep_add(struct sw_detect *d, struct dvessel *dv, const struct dfix *f)
{
    if (!det_enabled(d, SW_DT_AIS_GAP) && !det_enabled(d, SW_DT_DARK_RENDEZVOUS)) return SW_OK;
    int li, lo;
    int64_t hour = f->t / HOUR_MS;
    if (hour > d->rg_newest_hour) d->rg_newest_hour = hour;
    struct det_hourcount *hc = &d->hc[hour % DET_HOURS];
    if (hc->hour != hour) {
        hc->hour = hour;
        hc->n = 0;
    }
    if (hc->n < UINT32_MAX) hc->n++;
    rg_cell(f->lat, f->lon, &li, &lo);
    uint64_t key = rg_key(li, lo, hour);
    if (dv->rg_last == key) return SW_OK; /* this vessel is already counted in this cell and hour */
    dv->rg_last = key;
    struct recep *e = rg_find(d, key);
    if (!e) {
        if ((d->rgn + 1) * 10 > d->rgcap * 7) {
            int rc = rg_purge(d);
            if (rc) return rc;
            if ((d->rgn + 1) * 10 > d->rgcap * 7) {
                d->st.grid_full++;
                return SW_OK;
            }
        }
        struct recep fresh;
        memset(&fresh, 0, sizeof fresh);
        fresh.key = key;
        e = rg_insert(d, &fresh);
    }
    if (e->n >= DET_RECEP_MMSI) return SW_OK;
    for (int i = 0; i < e->n; i++)
        if (e->mm[i] == f->mmsi) return SW_OK;
    e->mm[e->n++] = f->mmsi;
    return SW_OK;
}

/* Reception around a silence of `self` from t0 to t1: the distinct other vessels heard near
 * either end (up to 16) into *others, and the fraction of the whole hours strictly inside the
 * silence in which at least one other vessel was heard there into *covered. A receiver
 * outage (or a hole in a recording) leaves hours without anybody heard. */
void det_reception(struct sw_detect *d, uint32_t self, const struct dfix *a, const struct dfix *b,
                   int64_t t0, int64_t t1, double radius_km, int *others, double *covered)
{
    uint32_t seen[16];
    int n = 0;
    int64_t h0 = t0 / HOUR_MS + 1, h1 = t1 / HOUR_MS - 1, hours = 0, hit = 0;
    int64_t step = (h1 - h0) / RG_HORIZON_H + 1;
    int rad = (int)ceil(radius_km / (RG_CELL_DEG * 111.0));
    if (rad > 3) rad = 3;
    for (int64_t h = h0; h <= h1; h += step) {
        int any = 0;
        hours++;
        /* no entry of this hour in the table: nobody heard (a vessel silent for months, heard
         * again, would otherwise look up 2 x 49 cells in every sampled hour of it) */
        if (!d->rgn || h < d->rg_lo || h > d->rg_hi) continue;
        for (int end = 0; end < 2; end++) {
            const struct dfix *p = end ? b : a;
            if (!p) continue;
            int li, lo;
            rg_cell(p->lat, p->lon, &li, &lo);
            for (int i = li - rad; i <= li + rad; i++)
                for (int j = lo - rad; j <= lo + rad; j++) {
                    struct recep *e = rg_find(d, rg_key(i, j, h));
                    if (!e) continue;
                    for (int k = 0; k < e->n; k++) {
                        if (e->mm[k] == self) continue;
                        any = 1;
                        int dup = 0;
                        for (int q = 0; q < n && !dup; q++)
                            dup = seen[q] == e->mm[k];
                        if (!dup && n < 16) seen[n++] = e->mm[k];
                    }
                }
        }
        hit += any;
    }
    *others = n;
    *covered = hours ? (double)hit / (double)hours : 0;
}

int det_recep_put(struct sw_detect *d, const struct recep *e)
{
    if (!e->key || e->n > DET_RECEP_MMSI || (d->rgn + 1) * 10 > d->rgcap * 7 || rg_find(d, e->key))
        return SW_EFORMAT;
    rg_insert(d, e);
    return SW_OK;
}

uint32_t det_fixes_in_hour(const struct sw_detect *d, int64_t hour)
{
    const struct det_hourcount *hc = &d->hc[(uint64_t)hour % DET_HOURS];
    return hc->hour == hour ? hc->n : 0;
}
