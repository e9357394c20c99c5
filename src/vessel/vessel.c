/*
 * Vessel state by MMSI: an open-addressing index over a growable array of fixed-size
 * vessels (bounded by max_vessels), the identity merge (class B parts A and B, CSV rows,
 * type 5) with its history, and the track downsampler that keeps a track's shape (first
 * fix, both ends of gaps, turns, stops and starts, and a point at least every interval or
 * distance) while storing a small fraction of the fixes.
 */
#include "sanctwatch/vessel.h"
#include "sanctwatch/error.h"
#include "sanctwatch/huge.h"
#include "sanctwatch/mid.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Vessels live in pages of PAGE_N that never move: no copy when the table grows, and a
 * vessel's address stays valid. A page is as many vessels as fill 2 MB, allocated on a huge
 * page where the kernel offers one: an update lands on a random vessel, and on 4 KB pages
 * 100k vessels span 13,500 pages, far more than the TLB holds. */
#define PAGE_BYTES ((size_t)2 << 20)
#define PAGE_N (PAGE_BYTES / sizeof(struct sw_vessel))
#define VAT(vs, i) (&(vs)->pages[(i) / PAGE_N][(i) % PAGE_N])

struct sw_vessels {
    struct sw_vessel **pages;
    size_t npages, pcap;
    size_t n, max;
    uint32_t *index; /* slot -> vessel number + 1, 0 empty */
    size_t icap;
    struct sw_track_config tc;
    uint64_t touches; /* sw_vessels_touch calls */
};

void sw_track_config_default(struct sw_track_config *c)
{
    c->gap_ms = 30 * 60 * 1000;
    c->max_interval_ms = 10 * 60 * 1000;
    c->max_distance_m = 5000;
    c->turn_deg = 20;
    c->stop_kn = 0.5;
}

int sw_vessels_new(struct sw_vessels **out, size_t max_vessels, const struct sw_track_config *tc)
{
    struct sw_vessels *vs = calloc(1, sizeof *vs);
    if (!vs) return SW_ENOMEM;
    vs->max = max_vessels ? max_vessels : 4000000;
    if (tc)
        vs->tc = *tc;
    else
        sw_track_config_default(&vs->tc);
    vs->icap = 1024;
    vs->index = calloc(vs->icap, sizeof *vs->index);
    if (!vs->index) {
        free(vs);
        return SW_ENOMEM;
    }
    *out = vs;
    return SW_OK;
}

void sw_vessels_free(struct sw_vessels *vs)
{
    if (!vs) return;
    for (size_t i = 0; i < vs->npages; i++)
        free(vs->pages[i]);
    free(vs->pages);
    free(vs->index);
    free(vs);
}

static size_t slot_of(uint32_t mmsi, size_t icap)
{
    uint64_t h = (uint64_t)mmsi * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 32) & (icap - 1);
}

static size_t lookup(const struct sw_vessels *vs, uint32_t mmsi)
{
    size_t i = slot_of(mmsi, vs->icap);
    while (vs->index[i] && VAT(vs, vs->index[i] - 1)->mmsi != mmsi)
        i = (i + 1) & (vs->icap - 1);
    return i;
}

void sw_vessels_prefetch(const struct sw_vessels *vs, uint32_t mmsi, int stage)
{
    size_t i = slot_of(mmsi, vs->icap);
    if (stage == 0) {
        __builtin_prefetch(&vs->index[i]);
        return;
    }
    uint32_t k = vs->index[i];
    if (!k) return;
    const struct sw_vessel *v = VAT(vs, k - 1);
    const char *a = (const char *)v;
    if (stage == 1) {
        /* what an update reads: the fixes at the start, the identity's sequence and times
         * after the ring */
        for (size_t off = 0; off < offsetof(struct sw_vessel, recent); off += 64)
            __builtin_prefetch(a + off, 1);
        __builtin_prefetch(&v->id_seq, 1);
        __builtin_prefetch(&v->id_last_seen, 1);
        return;
    }
    /* stage 2: the ring slot the next fix goes to (its head is in cache by now) */
    const char *slot = (const char *)&v->recent[(v->recent_head + v->recent_n) % SW_VESSEL_RECENT];
    __builtin_prefetch(slot, 1);
    __builtin_prefetch(slot + sizeof v->recent[0] - 1, 1);
}

struct sw_vessel *sw_vessels_get(struct sw_vessels *vs, uint32_t mmsi)
{
    size_t i = lookup(vs, mmsi);
    return vs->index[i] ? VAT(vs, vs->index[i] - 1) : NULL;
}

void sw_vessels_touch(struct sw_vessels *vs, size_t slot)
{
    if (slot < vs->n) VAT(vs, slot)->dirty |= SW_VESSEL_DIRTY_STATE | SW_VESSEL_DIRTY_LOG;
    vs->touches++;
}

uint64_t sw_vessels_touches(const struct sw_vessels *vs)
{
    return vs->touches;
}

int sw_vessels_find(const struct sw_vessels *vs, uint32_t mmsi, size_t *slot)
{
    size_t i = lookup(vs, mmsi);
    if (!vs->index[i]) return 0;
    *slot = vs->index[i] - 1;
    return 1;
}

size_t sw_vessels_count(const struct sw_vessels *vs)
{
    return vs->n;
}

struct sw_vessel *sw_vessels_at(struct sw_vessels *vs, size_t i)
{
    return i < vs->n ? VAT(vs, i) : NULL;
}

/* Room for one more vessel: grow the array and keep the index under half full. */
static int reserve(struct sw_vessels *vs)
{
    if (vs->n >= vs->max) return SW_ETOOBIG;
    if (vs->n == vs->npages * PAGE_N) {
        if (vs->npages == vs->pcap) {
            size_t nc = vs->pcap ? vs->pcap * 2 : 16;
            struct sw_vessel **np = realloc(vs->pages, nc * sizeof *np);
            if (!np) return SW_ENOMEM;
            vs->pages = np;
            vs->pcap = nc;
        }
        vs->pages[vs->npages] = sw_huge_alloc(PAGE_BYTES);
        if (!vs->pages[vs->npages]) return SW_ENOMEM;
        vs->npages++;
    }
    if ((vs->n + 1) * 2 > vs->icap) {
        size_t nic = vs->icap * 2;
        uint32_t *ni = calloc(nic, sizeof *ni);
        if (!ni) return SW_ENOMEM;
        for (size_t k = 0; k < vs->n; k++) {
            size_t i = slot_of(VAT(vs, k)->mmsi, nic);
            while (ni[i])
                i = (i + 1) & (nic - 1);
            ni[i] = (uint32_t)(k + 1);
        }
        free(vs->index);
        vs->index = ni;
        vs->icap = nic;
    }
    return SW_OK;
}

static struct sw_vessel *insert(struct sw_vessels *vs, const struct sw_vessel *init)
{
    size_t i = lookup(vs, init->mmsi);
    *VAT(vs, vs->n) = *init;
    vs->index[i] = (uint32_t)(vs->n + 1);
    struct sw_vessel *v = VAT(vs, vs->n);
    vs->n++;
    return v;
}

/* A time a saved vessel may hold: 0 (none) or a time the pipeline accepts, with room to spare
 * (differences of two such times never overflow). */
static int time_ok(int64_t t)
{
    return t >= 0 && t < ((int64_t)1 << 50);
}

int sw_vessel_check(const struct sw_vessel *v)
{
    int times = time_ok(v->first_seen) && time_ok(v->last_seen) && time_ok(v->last.t_ms) &&
                time_ok(v->kept.t_ms) && time_ok(v->id_first_seen) && time_ok(v->id_last_seen);
    for (int i = 0; i < SW_VESSEL_RECENT; i++)
        times = times && time_ok(v->recent[i].t_ms);
    if (!times || v->mmsi == 0 || v->recent_n > SW_VESSEL_RECENT ||
        v->recent_head >= SW_VESSEL_RECENT || !memchr(v->id.name, 0, sizeof v->id.name) ||
        !memchr(v->id.callsign, 0, sizeof v->id.callsign) ||
        !memchr(v->id.flag, 0, sizeof v->id.flag) || !memchr(v->dest, 0, sizeof v->dest))
        return SW_EFORMAT;
    return SW_OK;
}

/* struct sw_vessel as saved by builds whose recent track held 8 fixes. */
struct vessel_r8 {
    uint32_t mmsi;
    char cls;
    uint8_t dirty, has_fix, last_kept;
    uint16_t recent_n, recent_head;
    int64_t first_seen, last_seen;
    uint64_t n_pos, n_static;
    struct sw_fix last, kept, recent[8];
    struct sw_identity id;
    uint32_t id_seq;
    int64_t id_first_seen, id_last_seen;
    float draught;
    char dest[SW_REC_DEST_MAX + 1];
};
_Static_assert(sizeof(struct vessel_r8) == SW_VESSEL_R8_SIZE, "the 8-fix layout");

int sw_vessel_from_r8(const void *saved, struct sw_vessel *out)
{
    struct vessel_r8 o;
    memcpy(&o, saved, sizeof o);
    if (o.recent_n > 8 || o.recent_head >= 8) return SW_EFORMAT;
    memset(out, 0, sizeof *out);
    out->mmsi = o.mmsi;
    out->cls = o.cls;
    out->dirty = o.dirty;
    out->has_fix = o.has_fix;
    out->last_kept = o.last_kept;
    out->first_seen = o.first_seen;
    out->last_seen = o.last_seen;
    out->n_pos = o.n_pos;
    out->n_static = o.n_static;
    out->last = o.last;
    out->kept = o.kept;
    int k = o.recent_n < SW_VESSEL_RECENT ? o.recent_n : SW_VESSEL_RECENT;
    for (int i = 0; i < k; i++) /* the k latest, oldest first */
        out->recent[i] = o.recent[(o.recent_head + o.recent_n - k + i) % 8];
    out->recent_n = (uint16_t)k;
    out->id = o.id;
    out->id_seq = o.id_seq;
    out->id_first_seen = o.id_first_seen;
    out->id_last_seen = o.id_last_seen;
    out->draught = o.draught;
    memcpy(out->dest, o.dest, sizeof out->dest);
    return sw_vessel_check(out);
}

int sw_vessels_restore(struct sw_vessels *vs, const struct sw_vessel *saved)
{
    if (sw_vessel_check(saved) != SW_OK) return SW_EFORMAT;
    if (sw_vessels_get(vs, saved->mmsi)) return SW_EEXISTS;
    int rc = reserve(vs);
    if (rc) return rc;
    insert(vs, saved);
    return SW_OK;
}

/* Cheap distance for the downsampler (equirectangular; good to <1% under 50 km). */
static double approx_m(const struct sw_fix *a, const struct sw_fix *b)
{
    const double d2r = M_PI / 180, r = 6371008.8;
    double dlon = fabs(b->lon - a->lon);
    if (dlon > 180) dlon = 360 - dlon;
    double x = dlon * d2r * cos((a->lat + b->lat) * 0.5 * d2r);
    double y = (b->lat - a->lat) * d2r;
    return r * sqrt(x * x + y * y);
}

static double angle_diff(double a, double b)
{
    double d = fabs(a - b);
    return d > 180 ? 360 - d : d;
}

static int stopped(const struct sw_fix *f, double stop_kn)
{
    return !isnan(f->sog) && f->sog < stop_kn;
}

static void downsample(const struct sw_track_config *tc, struct sw_vessel *v,
                       const struct sw_fix *fix, struct sw_vessel_out *out)
{
    int keep = 0, keep_prev = 0;
    const struct sw_fix *prev = &v->last;
    if (!v->has_fix || v->kept.t_ms == 0) {
        keep = 1;
    } else {
        if (fix->t_ms - prev->t_ms >= tc->gap_ms) keep = keep_prev = 1; /* both ends of the gap */
        if (stopped(fix, tc->stop_kn) != stopped(prev, tc->stop_kn))
            keep = keep_prev = 1; /* stop or start: the last fix of the old state too */
        if (!isnan(fix->cog) && !isnan(v->kept.cog) && !stopped(fix, tc->stop_kn) &&
            angle_diff(fix->cog, v->kept.cog) >= tc->turn_deg)
            keep = keep_prev = 1; /* turn: the corner is the fix before it */
        if (fix->t_ms - v->kept.t_ms >= tc->max_interval_ms ||
            approx_m(&v->kept, fix) >= tc->max_distance_m)
            keep = 1;
    }
    if (keep_prev && !v->last_kept && prev->t_ms != v->kept.t_ms && prev->t_ms < fix->t_ms)
        out->points[out->n_points++] = *prev;
    if (keep) {
        out->points[out->n_points++] = *fix;
        v->kept = *fix;
    } else if (out->n_points) {
        v->kept = *prev;
    }
    v->last_kept = (uint8_t)keep;
}

int sw_vessel_recent(const struct sw_vessel *v, struct sw_fix *out)
{
    for (int i = 0; i < v->recent_n; i++)
        out[i] = v->recent[(v->recent_head + i) % SW_VESSEL_RECENT];
    return v->recent_n;
}

static int identity_differs(const struct sw_identity *id, const struct sw_record *r)
{
    if ((r->fields & SW_F_NAME) && (id->fields & SW_F_NAME) && strcmp(id->name, r->name)) return 1;
    if ((r->fields & SW_F_CALLSIGN) && (id->fields & SW_F_CALLSIGN) &&
        strcmp(id->callsign, r->callsign))
        return 1;
    if ((r->fields & SW_F_IMO) && (id->fields & SW_F_IMO) && id->imo != r->imo) return 1;
    if ((r->fields & SW_F_SHIPTYPE) && (id->fields & SW_F_SHIPTYPE) &&
        id->ship_type != r->ship_type)
        return 1;
    if ((r->fields & SW_F_DIMS) && (id->fields & SW_F_DIMS) &&
        (id->length_m != r->length_m || id->beam_m != r->beam_m))
        return 1;
    return 0;
}

static void identity_apply(struct sw_identity *id, const struct sw_record *r)
{
    if (r->fields & SW_F_NAME) memcpy(id->name, r->name, sizeof id->name);
    if (r->fields & SW_F_CALLSIGN) memcpy(id->callsign, r->callsign, sizeof id->callsign);
    if (r->fields & SW_F_IMO) id->imo = r->imo;
    if (r->fields & SW_F_SHIPTYPE) id->ship_type = r->ship_type;
    if (r->fields & SW_F_DIMS) {
        id->length_m = r->length_m;
        id->beam_m = r->beam_m;
    }
    id->fields |= r->fields & (SW_F_NAME | SW_F_CALLSIGN | SW_F_IMO | SW_F_SHIPTYPE | SW_F_DIMS);
}

int sw_vessels_update(struct sw_vessels *vs, const struct sw_record *r, struct sw_vessel **vout,
                      struct sw_vessel_out *out)
{
    out->n_points = 0;
    out->identity_closed = 0;
    size_t at = lookup(vs, r->mmsi);
    struct sw_vessel *v = vs->index[at] ? VAT(vs, vs->index[at] - 1) : NULL;
    if (!v) {
        int rc = reserve(vs);
        if (rc) return rc;
        struct sw_vessel init;
        memset(&init, 0, sizeof init);
        init.mmsi = r->mmsi;
        init.first_seen = r->t_ms;
        init.last_seen = r->t_ms;
        init.draught = NAN;
        const char *flag = sw_mid_flag(r->mmsi);
        memcpy(init.id.flag, flag, strlen(flag) < 3 ? strlen(flag) + 1 : 1);
        v = insert(vs, &init);
        out->slot = vs->n - 1;
    } else {
        out->slot = vs->index[at] - 1;
    }
    *vout = v;
    v->dirty |= SW_VESSEL_DIRTY_STATE | SW_VESSEL_DIRTY_ROWS | SW_VESSEL_DIRTY_LOG;
    if (r->t_ms < v->first_seen) v->first_seen = r->t_ms;
    if (r->t_ms > v->last_seen) v->last_seen = r->t_ms;
    if (r->cls) v->cls = r->cls;
    if (r->fields & SW_F_POS) {
        struct sw_fix fix;
        memset(&fix, 0, sizeof fix);
        fix.t_ms = r->t_ms;
        fix.lat = r->lat;
        fix.lon = r->lon;
        fix.sog = (r->fields & SW_F_SOG) ? r->sog : NAN;
        fix.cog = (r->fields & SW_F_COG) ? r->cog : NAN;
        fix.heading = (r->fields & SW_F_HEADING) ? r->heading : 511;
        fix.status = (r->fields & SW_F_STATUS) ? r->nav_status : 15;
        fix.msg_type = r->msg_type;
        v->n_pos++;
        downsample(&vs->tc, v, &fix, out);
        if (v->recent_n < SW_VESSEL_RECENT) {
            v->recent[(v->recent_head + v->recent_n++) % SW_VESSEL_RECENT] = fix;
        } else {
            v->recent[v->recent_head] = fix;
            v->recent_head = (uint16_t)((v->recent_head + 1) % SW_VESSEL_RECENT);
        }
        v->last = fix;
        v->has_fix = 1;
    }
    if (r->fields & SW_F_STATIC_MASK) {
        v->n_static++;
        uint32_t idf = SW_F_NAME | SW_F_CALLSIGN | SW_F_IMO | SW_F_SHIPTYPE | SW_F_DIMS;
        if (r->fields & idf) {
            if (v->id_seq > 0 && identity_differs(&v->id, r)) {
                out->identity_closed = 1;
                out->closed = v->id;
                out->closed_seq = v->id_seq;
                out->closed_first = v->id_first_seen;
                out->closed_last = v->id_last_seen;
                out->closed_written = (v->dirty & SW_VESSEL_ID_WRITTEN) != 0;
                v->dirty &= (uint8_t)~SW_VESSEL_ID_WRITTEN; /* a new row */
                v->id_seq++;
                v->id_first_seen = r->t_ms;
            } else if (v->id_seq == 0) {
                v->id_seq = 1;
                v->id_first_seen = r->t_ms;
            }
            identity_apply(&v->id, r);
        }
        if (r->fields & SW_F_DRAUGHT) v->draught = r->draught;
        if (r->fields & SW_F_DEST) memcpy(v->dest, r->dest, sizeof v->dest);
    }
    if (v->id_seq > 0 && r->t_ms > v->id_last_seen) v->id_last_seen = r->t_ms;
    return SW_OK;
}
