/*
 * The detectors' per-vessel state: their own fields beside the one vessel state (the vessel
 * table of sanctwatch/vessel.h), in arrays indexed by the vessel's slot there: the hot part a
 * fix touches, the confirmed identity, the encounter grid entry. Open episodes (loitering,
 * position spoofing, port call, zone visits) live in pools while open, so that a vessel with
 * nothing going on costs only its hot part, identity and grid entry.
 * Everything sits in slabs of pages that never move: a pointer to a vessel's state stays
 * valid while other vessels are added.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/vessel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SLAB_SHIFT 10
#define SLAB_N ((size_t)1 << SLAB_SHIFT)

void *det_slab_at(const struct slab *s, size_t i)
{
    return s->pages[i >> SLAB_SHIFT] + (i & (SLAB_N - 1)) * s->item;
}

/* Room for items 0..n-1 (pages allocated 64-byte aligned, zeroed). */
int det_slab_reserve(struct slab *s, size_t n)
{
    while (s->count < n) {
        if ((s->npages & (s->npages - 1)) == 0) { /* 0, 1, 2, 4, ...: grow the page table */
            size_t nc = s->npages ? s->npages * 2 : 1;
            unsigned char **np = realloc(s->pages, nc * sizeof *np);
            if (!np) return SW_ENOMEM;
            s->pages = np;
        }
        unsigned char *pg = aligned_alloc(64, SLAB_N * s->item);
        if (!pg) return SW_ENOMEM;
        memset(pg, 0, SLAB_N * s->item);
        s->pages[s->npages++] = pg;
        s->count += SLAB_N;
    }
    return SW_OK;
}

void det_slab_free(struct slab *s)
{
    for (size_t i = 0; i < s->npages; i++)
        free(s->pages[i]);
    free(s->pages);
    memset(s, 0, sizeof *s);
}

struct dident *det_ident(const struct sw_detect *d, size_t slot)
{
    return det_slab_at(&d->ident, slot);
}

struct gent *det_gent(const struct sw_detect *d, size_t slot)
{
    return det_slab_at(&d->grid, slot);
}

void det_vstate_reset(struct sw_detect *d, size_t slot, uint32_t mmsi)
{
    struct dvessel *dv = det_hot(d, slot);
    memset(dv, 0, sizeof *dv);
    dv->mmsi = mmsi;
    dv->usual_sog = NAN;
    dv->shore_m = -1;
    dv->port_free_m = -1;
    dv->zone_free_m = -1;
    dv->pc_port = -1;
    memset(det_ident(d, slot), 0, sizeof(struct dident));
    struct gent *ge = det_gent(d, slot);
    memset(ge, 0, sizeof *ge);
    ge->next = ge->prev = ge->bucket = DET_NOIDX;
}

int det_vstate_reserve(struct sw_detect *d, size_t slot, uint32_t mmsi)
{
    int rc;
    if (slot < d->nv) return SW_OK;
    if ((rc = det_slab_reserve(&d->hot, slot + 1)) != SW_OK ||
        (rc = det_slab_reserve(&d->ident, slot + 1)) != SW_OK ||
        (rc = det_slab_reserve(&d->grid, slot + 1)) != SW_OK)
        return rc;
    /* slots between are vessels the detectors never got a record of (none in a stream that
     * hands every vessel record over); they start empty */
    for (size_t i = d->nv; i <= slot; i++) {
        const struct sw_vessel *v = sw_vessels_at(d->vs, i);
        det_vstate_reset(d, i, i == slot ? mmsi : v ? v->mmsi : 0);
    }
    d->nv = slot + 1;
    return SW_OK;
}

long det_slot(const struct sw_detect *d, uint32_t mmsi)
{
    size_t slot;
    if (!sw_vessels_find(d->vs, mmsi, &slot) || slot >= d->nv) return -1;
    return (long)slot;
}

/* ---- pools of open episodes */

static int pool_init(struct pool *p, size_t item)
{
    memset(p, 0, sizeof *p);
    p->s.item = (item + 63) & ~(size_t)63;
    return SW_OK;
}

int det_pool_get(struct pool *p, uint32_t *ref)
{
    uint32_t i;
    if (p->nfree) {
        i = p->free[--p->nfree];
    } else {
        if (p->used >= UINT32_MAX - 1) return SW_ETOOBIG;
        int rc = det_slab_reserve(&p->s, p->used + 1);
        if (rc) return rc;
        i = (uint32_t)p->used++;
        if ((p->used & (p->used - 1)) == 0) { /* room in the free list for every entry */
            uint32_t *nf = realloc(p->free, p->used * 2 * sizeof *nf);
            if (!nf) return SW_ENOMEM;
            p->free = nf;
        }
    }
    memset(det_slab_at(&p->s, i), 0, p->s.item);
    *ref = i + 1;
    return SW_OK;
}

void *det_pool_at(const struct pool *p, uint32_t ref)
{
    return det_slab_at(&p->s, ref - 1);
}

void det_pool_put(struct pool *p, uint32_t *ref)
{
    if (!*ref) return;
    p->free[p->nfree++] = *ref - 1;
    *ref = 0;
}

int det_pools_init(struct sw_detect *d)
{
    pool_init(&d->ploi, sizeof(struct ep_loi));
    pool_init(&d->psp, sizeof(struct ep_sp));
    pool_init(&d->ppc, sizeof(struct ep_pc));
    pool_init(&d->pzone, sizeof(struct ep_zone));
    pool_init(&d->pshare, sizeof(struct ep_share));
    d->hot.item = sizeof(struct dvessel);
    d->ident.item = sizeof(struct dident);
    d->grid.item = sizeof(struct gent);
    return SW_OK;
}

void det_pools_reset(struct sw_detect *d)
{
    struct pool *ps[] = {&d->ploi, &d->psp, &d->ppc, &d->pzone, &d->pshare};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        ps[i]->used = ps[i]->nfree = 0; /* pages kept; det_pool_get zeroes what it hands out */
}

void det_pools_free(struct sw_detect *d)
{
    struct pool *ps[] = {&d->ploi, &d->psp, &d->ppc, &d->pzone, &d->pshare};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        det_slab_free(&ps[i]->s);
        free(ps[i]->free);
    }
    det_slab_free(&d->hot);
    det_slab_free(&d->ident);
    det_slab_free(&d->grid);
}
