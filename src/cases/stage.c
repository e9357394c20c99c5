/*
 * The cases stage of the ingest pipeline (sanctwatch/ingest.h, struct sw_stage), after the
 * detectors: per vessel record it keeps the top speed (the better of two fixes in a row, so
 * one garbled speed does not count), the top speed before each silence (the speed a later
 * gap event is judged at, whatever the batching of events), the draught history (a row per
 * change in draught_history) and the voyage between sensitive ports (voyage.c); it hears the
 * detectors' events for possible port calls (ppc.c).
 *
 * Saved per vessel: a mask, the 32-byte state, and the voyage entry when there is one; saved
 * whole: nothing but a version byte. Everything loaded is checked (saved state is input).
 */
#include "cases_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"

#define STATE_VERSION 1
#define MASK_V 1
#define MASK_VOY 2
#define SOG_NONE 0xffff

static int grow(struct sw_cases_stage *s, size_t slot)
{
    if (slot < s->nv) return SW_OK;
    if (slot >= s->capv) {
        size_t nc = s->capv ? s->capv : 1024;
        while (nc <= slot)
            nc *= 2;
        struct cvessel *nv = realloc(s->v, nc * sizeof *nv);
        if (!nv) return SW_ENOMEM;
        s->v = nv;
        s->capv = nc;
    }
    for (size_t i = s->nv; i <= slot; i++) {
        memset(&s->v[i], 0, sizeof s->v[i]);
        s->v[i].prev_sog = SOG_NONE;
    }
    s->nv = slot + 1;
    return SW_OK;
}

static int draught(struct sw_cases_stage *s, struct cvessel *cv, const struct sw_record *r)
{
    long dm = lround(r->draught * 10);
    if (!isfinite(r->draught) || dm <= 0 || dm > 255 || dm == cv->draught_dm) return SW_OK;
    cv->draught_dm = (uint8_t)dm;
    if (!s->ins_draught) return SW_OK;
    s->st.draught_rows++;
    return cases_draught_put(s->ins_draught, r->mmsi, r->t_ms, dm / 10.0);
}

/* The speed at a fix in 0.1 kn, or SOG_NONE. */
static uint16_t sog10(float sog)
{
    if (!isfinite(sog) || sog < 0 || sog > 60) return SOG_NONE;
    return (uint16_t)lroundf(sog * 10);
}

static int stage_record(void *ctx, const struct sw_record *r, const struct sw_vessel *v,
                        size_t slot)
{
    struct sw_cases_stage *s = ctx;
    /* The detectors' events this stage hears (gaps, dark rendezvous) are recorded now, with
     * everything held back before them, so that the events this stage builds on them (added
     * while they are heard) follow them at once: held back until the detectors' batch is full
     * or the next commit, they would land where the commits fall, and the events of a run
     * resumed from a checkpoint, or cut into several runs, would come in another order. Other
     * events stay held back for a fuller batch (one ledger call for up to 512; recording
     * every record's events at its end cost one call per event, 45% of a run's instructions
     * where a third of the vessels had an unallocated MID). */
    int rc = sw_detect_record_done(s->det);
    if (rc || (rc = grow(s, slot))) return rc;
    struct cvessel *cv = &s->v[slot];
    if ((r->fields & SW_F_DRAUGHT) && (rc = draught(s, cv, r)) != SW_OK) return rc;
    if (!(r->fields & SW_F_POS) || !v->has_fix || v->last.t_ms != r->t_ms) return SW_OK;
    const struct sw_fix *f = &v->last, *prev = NULL;
    if (v->recent_n >= 2) prev = &v->recent[(v->recent_head + v->recent_n - 2) % SW_VESSEL_RECENT];
    uint16_t top = cv->top;
    if (prev && (double)(f->t_ms - prev->t_ms) >= s->p.ppc_snap_gap_h * HOUR_MS) {
        cv->snap_s[cv->nsnap] = cases_s(prev->t_ms);
        cv->snap_top[cv->nsnap] = top;
        cv->nsnap ^= 1;
    }
    uint16_t k = sog10(f->sog);
    if (k != SOG_NONE && cv->prev_sog != SOG_NONE) {
        uint16_t both = k < cv->prev_sog ? k : cv->prev_sog;
        if (both > cv->top) cv->top = both;
    }
    cv->prev_sog = k;
    return s->p.cv_enabled ? cases_voyage_fix(s, slot, v, prev, f, top) : SW_OK;
}

static int stage_attach(void *ctx, struct sw_vessels *vs)
{
    struct sw_cases_stage *s = ctx;
    s->vs = vs;
    return SW_OK;
}

static int stage_commit(void *ctx)
{
    struct sw_cases_stage *s = ctx;
    return sw_detect_flush(s->det);
}

/* The end of a run: possible calls not yet settled stay pending in the state (the next run
 * settles them); what was added is recorded before the final commit. */
static int stage_end(void *ctx)
{
    struct sw_cases_stage *s = ctx;
    return sw_detect_flush(s->det);
}

static int stage_save_vessel(void *ctx, size_t slot, struct sw_buf *b)
{
    struct sw_cases_stage *s = ctx;
    if (slot >= s->nv) return SW_OK;
    struct cvessel cv = s->v[slot];
    struct cvessel zero;
    memset(&zero, 0, sizeof zero);
    zero.prev_sog = SOG_NONE;
    if (!memcmp(&cv, &zero, sizeof cv)) return SW_OK; /* nothing known: a fresh state */
    unsigned char mask = (unsigned char)(MASK_V | (cv.voy ? MASK_VOY : 0));
    int rc;
    uint32_t k = cv.voy;
    cv.voy = 0; /* pool places are not saved */
    if ((rc = sw_buf_append(b, &mask, 1)) || (rc = sw_buf_append(b, &cv, sizeof cv))) return rc;
    if (k) {
        struct cvoy y = s->voy[k - 1];
        y.owner = 0;
        if ((rc = sw_buf_append(b, &y, sizeof y))) return rc;
    }
    return SW_OK;
}

static int vessel_ok(const struct cvessel *cv)
{
    if (cv->top > 600 || (cv->prev_sog > 600 && cv->prev_sog != SOG_NONE) || cv->nsnap > 1 ||
        cv->voy)
        return 0;
    for (int i = 0; i < 2; i++)
        if (cv->snap_top[i] > 600) return 0;
    for (size_t i = 0; i < sizeof cv->pad; i++)
        if (cv->pad[i]) return 0;
    return 1;
}

/* A vessel's saved state. The state log holds one record of a vessel for every run that changed
 * it, loaded in turn: a later record replaces an earlier one (an empty one: a fresh state). */
static int stage_load_vessel(void *ctx, size_t slot, const void *data, size_t len)
{
    struct sw_cases_stage *s = ctx;
    const unsigned char *p = data;
    struct cvessel cv;
    struct cvoy y;
    if (len == 0) {
        if (slot < s->nv) {
            cases_voy_drop(s, slot);
            memset(&s->v[slot], 0, sizeof s->v[slot]);
            s->v[slot].prev_sog = SOG_NONE;
        }
        return SW_OK;
    }
    if (len < 1 + sizeof cv || !(p[0] & MASK_V) || (p[0] & ~(MASK_V | MASK_VOY)) ||
        len != 1 + sizeof cv + ((p[0] & MASK_VOY) ? sizeof y : 0))
        return SW_EFORMAT;
    memcpy(&cv, p + 1, sizeof cv);
    if (!vessel_ok(&cv)) return SW_EFORMAT;
    if (p[0] & MASK_VOY) {
        memcpy(&y, p + 1 + sizeof cv, sizeof y);
        if (y.owner || cases_voyage_check(s->c, &y)) return SW_EFORMAT;
    }
    int rc = grow(s, slot);
    if (rc) return rc;
    cases_voy_drop(s, slot); /* an earlier record's entry */
    s->v[slot] = cv;
    if (p[0] & MASK_VOY) {
        struct cvoy *e = cases_voy_new(s, slot);
        if (!e) return s->nvoy == CASES_MAX_VOYAGES ? SW_ETOOBIG : SW_ENOMEM;
        *e = y;
        e->owner = (uint32_t)slot + 1;
    }
    return SW_OK;
}

static int stage_save(void *ctx, struct sw_buf *b)
{
    unsigned char ver = STATE_VERSION;
    (void)ctx;
    return sw_buf_append(b, &ver, 1);
}

static int stage_load(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    return len == 1 && *(const unsigned char *)data == STATE_VERSION ? SW_OK : SW_EFORMAT;
}

static void stage_reset(void *ctx)
{
    struct sw_cases_stage *s = ctx;
    s->nv = 0;
    s->nvoy = 0;
    s->nfree = 0;
}

int sw_cases_stage_new(struct sw_cases_stage **out, struct sw_cases *c, struct sw_detect *det,
                       sqlite3 *db, const struct sw_cases_params *p)
{
    struct sw_cases_stage *s = calloc(1, sizeof *s);
    int rc;
    *out = NULL;
    if (!s) return SW_ENOMEM;
    s->c = c;
    s->det = det;
    s->db = db;
    s->p = *p;
    if (db && ((rc = sw_cases_migrate(db)) != SW_OK ||
               (rc = cases_draught_prepare(db, &s->ins_draught)) != SW_OK))
        goto fail;
    uint32_t heard = (uint32_t)1 << SW_DT_AIS_GAP | (uint32_t)1 << SW_DT_DARK_RENDEZVOUS;
    if ((rc = sw_detect_listen_types(det, cases_on_event, s, s->p.ppc_enabled ? heard : 0)) !=
        SW_OK)
        goto fail;
    uint64_t layout = SW_HASH_INIT;
    const char tag[] = "cases-1";
    size_t sz[2] = {sizeof(struct cvessel), sizeof(struct cvoy)};
    layout = sw_hash64(layout, tag, sizeof tag);
    layout = sw_hash64(layout, sz, sizeof sz);
    layout = sw_hash64(layout, &c->ports_hash, sizeof c->ports_hash);
    s->stage = (struct sw_stage){.name = "cases",
                                 .layout = layout,
                                 .ctx = s,
                                 .attach = stage_attach,
                                 .record = stage_record,
                                 .commit = stage_commit,
                                 .end = stage_end,
                                 .save_vessel = stage_save_vessel,
                                 .load_vessel = stage_load_vessel,
                                 .save = stage_save,
                                 .load = stage_load,
                                 .reset = stage_reset};
    *out = s;
    return SW_OK;
fail:
    sw_cases_stage_free(s);
    return rc;
}

void sw_cases_stage_free(struct sw_cases_stage *s)
{
    if (!s) return;
    sqlite3_finalize(s->ins_draught);
    free(s->v);
    free(s->voy);
    free(s->free_voy);
    free(s);
}

const struct sw_stage *sw_cases_stage_get(struct sw_cases_stage *s)
{
    return &s->stage;
}

const struct sw_cases_stats *sw_cases_stage_stats(const struct sw_cases_stage *s)
{
    return &s->st;
}
