/*
 * Internals of the streaming detectors (src/detect/ only). Layers, bottom up:
 *   vstate.c    the detectors' per-vessel state, indexed by the vessel table's slot (one
 *               vessel state, sanctwatch/vessel.h; the detectors keep only their own fields
 *               beside it), and the pools of open episodes
 *   geoctx.c    geographic context with per-vessel caches: port areas, zones, shore
 *   event.c     building, identifying, recording and emitting events
 *   one file per rule: encounter.c, rendezvous.c, loitering.c, gap.c (with reception.c),
 *               portcall.c, zone.c, spoof.c, identity.c (identity_change), fraud.c
 *               (identity_fraud), listed.c (listed_vessel and the designated vessels)
 *   detect.c    the engine: life cycle, the record stream, the end of a run
 *   params.c    parameters and data/detect.conf keys
 */
#ifndef SW_DETECT_INT_H
#define SW_DETECT_INT_H

#include "sanctwatch/buf.h"
#include "sanctwatch/detect.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/ledger.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define DET_SAMPLES 6     /* sampled fixes kept per episode, besides first/last/special */
#define DET_ZONE_EPS 4    /* zone episodes tracked per vessel */
#define DET_HIST 21       /* speed histogram: 0.1 kn bins 0..2 kn, last bin = above */
#define DET_LOI_RING 4096 /* recent loitering episodes kept for dark rendezvous */
#define DET_NOIDX UINT32_MAX
#define DET_RELINK (UINT32_MAX - 1) /* a grid entry restored, to be linked again */
#define DET_IMO_PENDING 2
#define DET_BATCH_MAX 512 /* events held back at most for one ledger call */
/* Room in the queue: a batch of a record's events after fewer than a batch held back from
 * earlier records (sw_detect_record_done). */
#define DET_QUEUE_MAX (2 * DET_BATCH_MAX)
#define HOUR_MS 3600000LL
#define MIN_MS 60000LL

/* ---- fixes, samples, histograms (event.c) */

struct dfix {
    int64_t t;
    double lat, lon;
    float sog, cog; /* NaN unknown */
    uint32_t mmsi;
    uint32_t zero; /* 0: no byte of a saved fix is left unset (padding would be) */
};

/* Deterministic decimating sample: keeps every stride-th fix, halving when full. */
struct sampler {
    uint32_t n, stride, seen;
    struct dfix f[DET_SAMPLES];
};

struct hist {
    uint32_t b[DET_HIST];
    uint32_t n;
};

/* ---- per-vessel state (vstate.c) */

/* What a fix touches in the common case (a vessel under way far from ports, zones and
 * episodes): 128 bytes, two cache lines. Indexed by the vessel's slot in the vessel table. */
struct dvessel {
    uint32_t mmsi;
    uint8_t last_in_port;            /* the last fix was in a port's waiting area */
    uint8_t fraud_done;              /* bits: 1 mid, 2 imo check digit, 4 listed identity, 8 flag */
    uint8_t listed_done;             /* bits: 1 mmsi, 2 imo, 4 name */
    uint8_t zep_active;              /* zone episodes in use */
    uint8_t sp_exc_open, sp_ep_open; /* position spoofing: excursion, episode open */
    uint8_t loi_open;                /* loitering episode open */
    uint8_t gap_pub;    /* bits: 1 the silence since the last fix was published ongoing,
                           DET_IMO_PENDING the IMO was heard before any fix (decided later) */
    int32_t pc_port;    /* port call: port area index, -1 none */
    uint32_t pc_n_out;  /* port call: fixes outside the area since */
    uint32_t fraud_imo; /* IMO reported for a bad check digit */
    uint32_t imo;       /* as broadcast (confirmed) */
    float usual_sog;    /* EWMA of speed while under way, NaN unknown */
    /* open episodes: entry + 1 in their pool, 0 none */
    uint32_t ep_loi, ep_sp, ep_pc, ep_zone;
    int64_t sp_ep_last; /* position spoofing: last anomalous time */
    uint64_t rg_last;   /* reception grid key last counted for this vessel */
    /* port area cache: no port area within port_free_m of (port_lat, port_lon) */
    float port_lat, port_lon, port_free_m;
    uint32_t ep_share; /* shared-MMSI episode: entry + 1 in its pool, 0 none */
    /* zone cache: no zone's bounding box within zone_free_m of (zone_lat, zone_lon) */
    double zone_lat, zone_lon, zone_free_m;
    double shore_lat, shore_lon, shore_m; /* distance to shore cache */
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct dvessel) == 128, "hot vessel state beyond 2 cache lines");

/* The identity as the detectors confirmed it (name, call sign and IMO as text; a new value
 * replaces the current one once heard idc_confirm times in a row), and the first fix. */
#define DET_IDF_NAME 0
#define DET_IDF_CALLSIGN 1
#define DET_IDF_IMO 2
struct dident {
    uint8_t has[3], pend_n[3];
    int64_t pend_t[3], cur_t[3]; /* first time the pending value was heard, last time the current */
    char name[SW_REC_NAME_MAX + 1], pend_name[SW_REC_NAME_MAX + 1];
    char callsign[SW_REC_CALLSIGN_MAX + 1], pend_callsign[SW_REC_CALLSIGN_MAX + 1];
    char imo[11], pend_imo[11];
    struct dfix first; /* first fix */
    /* the last confirmed change (shared.c: another within a day means two ships) */
    int64_t chg_t, chg_start; /* when, and its event's start (SW_TIME_NONE: withdrawn) */
    int64_t left_kp_port;     /* the last fix in a DPRK port's area (zone.c), 0 never */
};

/* Open episodes, each in a pool while open. */
struct ep_loi {
    uint32_t n, ring; /* ring: slot in the loitering ring once qualified, DET_NOIDX */
    int64_t start;
    double sumlat, sumlon, min_shore;
    struct dfix lastf, first;
    struct hist h;
    struct sampler s;
};
struct ep_sp {
    uint32_t exc_n, exc_land;
    uint8_t exc_garble;    /* the excursion's first fix is the track with one digit changed */
    uint8_t ntimes;        /* distinct times among the episode's fixes (up to 3, in times) */
    uint8_t one_stamp;     /* an excursion of several fixes all under one time stamp */
    uint8_t stamps_differ; /* the episode's anomalous fixes are not all under one stamp */
    int64_t times[3];
    int64_t ep_start;
    uint32_t ep_n, ep_jumps, ep_land;
    double exc_max_inland, exc_max_kn, exc_max_km;
    double ep_max_kn, ep_max_km, ep_max_inland_m;
    struct dfix origin, exc_first, exc_last;
    struct dfix ep_origin, ep_first, ep_return;
    struct sampler s;
};
struct ep_pc {
    uint32_t n;
    uint8_t called;
    int64_t enter, stop_start;
    struct dfix first_stop, lastf;
};
#define DET_SHARE_IDS 4
/* A shared-MMSI episode (shared.c): two tracks and/or identity changes. */
struct ep_share {
    struct dfix a0, b0, ta, tb; /* first and latest fix of each track */
    uint32_t na, nb, switches, changes;
    uint8_t on_b, confirmed, tracks, nid;
    int64_t start, last, chg_last;
    double max_km;
    char id_name[DET_SHARE_IDS][SW_REC_NAME_MAX + 1], id_imo[DET_SHARE_IDS][11];
};

struct zone_ep {
    int16_t zone; /* index in the geo zones, -1 unused */
    uint8_t n_in, n_out, reported, inside, suppressed, slow_reported;
    int64_t out_since;  /* time of the first fix outside, 0 while inside */
    int64_t last_in;    /* the last fix inside (time inside is summed between such fixes) */
    int64_t slow_since; /* first of the slow fixes in a row inside, 0 none */
    struct dfix first, slow_first;
};
/* A vessel's day in a zone it only passes through (zone_entry kind transits). */
struct zone_sum {
    int16_t zone; /* -1 unused */
    uint16_t entries;
    int32_t day; /* UTC day number */
    int64_t inside_ms;
    struct dfix first, last; /* first and last fix inside that day */
};
struct ep_zone {
    struct zone_ep zep[DET_ZONE_EPS];
    struct zone_sum sum[DET_ZONE_EPS];
};

/* Items that never move: pages of 1024, so pointers stay valid while the slab grows. */
struct slab {
    unsigned char **pages;
    size_t npages, item, count; /* count: items reserved */
};
/* A pool of one episode kind in a slab, with a free list. */
struct pool {
    struct slab s;
    uint32_t *free;
    size_t nfree, used;
};

/* A vessel's entry in the encounter grid (parallel to the vessel states, one cache line):
 * the latest slow fix it is filed under, in an intrusive list per hashed bucket. */
struct gent {
    struct dfix f;
    uint64_t cell;
    uint32_t next, prev;
    uint32_t bucket; /* DET_NOIDX: not in the grid */
} __attribute__((aligned(64)));

/* ---- shared tables of the pairwise and identity rules */

struct pair {
    uint32_t a, b;      /* mmsi, a < b */
    uint32_t published; /* published ongoing at the end of a run */
    int64_t start, last_close;
    uint32_t n;
    double min_d, sumlat, sumlon;
    struct dfix close_a, close_b;
    struct hist h;
    struct sampler s;
};

struct loiter_rec {
    uint32_t mmsi;
    int64_t start, end;
    double lat, lon;
    double paired_ratio; /* detour ratio of the rendezvous reported with it, 0 none */
};

/* Fixes of every vessel heard per hour, for the last DET_HOURS hours: a recording that falls
 * quiet (its end, a hole) is no vessel's silence. */
#define DET_HOURS (14 * 24)
struct det_hourcount {
    int64_t hour;
    uint32_t n;
};

/* MMSIs kept per cell and hour: one more than the 3 others a gap needs, so that a vessel
 * among them still sees 3 others. */
#define DET_RECEP_MMSI 4
struct recep {
    uint64_t key; /* 0 empty: cell and hour, +1 */
    uint32_t mm[DET_RECEP_MMSI];
    uint8_t n;
};

struct listed {
    char ref[48], list[32];
    uint32_t imo, mmsi;
    char name[64];   /* normalised: upper-case ASCII letters and digits only */
    int vclass;      /* enum sw_vclass of the list's vessel type */
    double length_m; /* estimated from the list's tonnage, NAN unknown */
    uint32_t group;  /* records of one list entry share it */
    /* the designation happened on or before `by` and after `after` (ms, SW_TIME_NONE unknown;
     * query.h, sw_designated_row) */
    int64_t by, after;
};

struct imomap {
    uint32_t imo, mmsi, prev;
    uint32_t sh_other; /* shared_imo: the other MMSI of the episode reported, 0 none */
    int64_t sh_t;      /* ... and the episode's last conflict */
};

struct sw_detect {
    const struct sw_geo *g;
    sqlite3 *db;
    struct sw_ledger *lg;
    struct sw_detect_params p;
    struct sw_detect_limits lim;
    sw_detect_emit_fn emit;
    void *emit_ctx;
    struct sw_detect_stats st;
    /* events held back for one ledger call per batch (sw_detect_set_batch) */
    json_t **q;
    int *qtype;
    struct sw_ledger_rec *qres;
    size_t qn, qmax;
    size_t qmark;    /* events held back at the last record's end (sw_detect_record_done) */
    uint32_t qtypes; /* bits 1 << type of the events held back */
    uint32_t heard;  /* bits of the types some listener hears */
    /* events added while the queue is being recorded (by a listener): recorded next */
    json_t **pend;
    int *ptype;
    size_t npend, cappend;
    int flushing;
    struct {
        sw_detect_listen_fn fn;
        void *ctx;
        uint32_t types; /* bits 1 << type it hears */
    } listen[4];
    int nlisten;
    struct sw_buf line; /* the output line being written (det_event_emit) */
    int finished;
    struct sw_stage stage; /* as a stage of the pipeline (state.c) */
    int64_t now;           /* latest event time seen */
    int64_t next_sweep;
    /* the vessel table (the pipeline's, or the detector's own for sw_detect_feed) */
    struct sw_vessels *vs, *own_vs;
    /* per-vessel state by vessel slot */
    struct slab hot, ident, grid;
    size_t nv; /* slots initialised */
    struct pool ploi, psp, ppc, pzone, pshare;
    /* encounter grid and pairs */
    uint32_t *gheads; /* bucket -> vessel slot, DET_NOIDX */
    uint64_t *gused;  /* bit per bucket: non-empty (32 KB, stays in cache; gheads is 1 MB) */
    size_t gbuckets;
    struct pair *pairs;
    size_t npairs;
    uint32_t *pidx;
    size_t picap;
    int enc_hlo59; /* longitude halo of the grid within 59 degrees latitude, -1 varies */
    /* loitering ring */
    struct loiter_rec ring[DET_LOI_RING];
    uint32_t ring_next;
    /* reception grid */
    struct recep *rg;
    size_t rgcap, rgn;
    int64_t rg_newest_hour;
    int64_t rg_lo, rg_hi; /* the oldest and newest hour of the table's entries (when rgn > 0) */
    struct det_hourcount hc[DET_HOURS];
    /* IMO -> MMSI map */
    struct imomap *im;
    size_t imcap, imn;
    /* port grid: 1 degree cells, each listing the ports whose area plus PORT_MARGIN_M
     * reaches into it (cell c's ports are pg_list[pg_start[c] .. pg_start[c + 1])) */
    uint32_t *pg_start, *pg_list;
    /* designated vessels */
    struct listed *ls;
    size_t nls, capls;
    struct listed *by_imo, *by_mmsi, *by_name; /* sorted copies of ls */
    int ls_dirty;
    uint32_t ls_groups;
};

/* What the rules see of the record being processed. */
struct det_rec {
    const struct sw_record *r;
    const struct sw_vessel *v; /* its vessel, already updated with r */
    uint32_t slot;
    struct dvessel *dv;
    int has_prev;     /* the vessel had a fix before this record */
    struct dfix prev; /* that fix (the detectors' "last" before this record) */
};

static inline int det_enabled(const struct sw_detect *d, int type)
{
    return (d->p.enabled >> type) & 1;
}

/* vstate.c */
void *det_slab_at(const struct slab *s, size_t i);
int det_slab_reserve(struct slab *s, size_t n);
void det_slab_free(struct slab *s);
/* The hot state of slot (valid until sw_detect_free). */
static inline struct dvessel *det_hot(const struct sw_detect *d, size_t slot)
{
    return (struct dvessel *)(d->hot.pages[slot >> 10] + (slot & 1023) * sizeof(struct dvessel));
}
struct dident *det_ident(const struct sw_detect *d, size_t slot);
struct gent *det_gent(const struct sw_detect *d, size_t slot);
/* Slot's state as new (the vessel's first record). */
void det_vstate_reset(struct sw_detect *d, size_t slot, uint32_t mmsi);
/* Make slots 0..slot usable (new ones initialised). */
int det_vstate_reserve(struct sw_detect *d, size_t slot, uint32_t mmsi);
/* The slot of a vessel by MMSI, or -1 when the detectors have not seen it. */
long det_slot(const struct sw_detect *d, uint32_t mmsi);
/* Episode pools: allocate (entry + 1 into *ref, zeroed), get, release. */
int det_pool_get(struct pool *p, uint32_t *ref);
void *det_pool_at(const struct pool *p, uint32_t ref);
void det_pool_put(struct pool *p, uint32_t *ref);
int det_pools_init(struct sw_detect *d);
/* Every episode released at once (sw_detect_reset); the pages stay allocated. */
void det_pools_reset(struct sw_detect *d);
void det_pools_free(struct sw_detect *d);
#define LOI(d, dv) ((struct ep_loi *)det_pool_at(&(d)->ploi, (dv)->ep_loi))
#define SP(d, dv) ((struct ep_sp *)det_pool_at(&(d)->psp, (dv)->ep_sp))
#define PC(d, dv) ((struct ep_pc *)det_pool_at(&(d)->ppc, (dv)->ep_pc))
#define ZEP(d, dv) (((struct ep_zone *)det_pool_at(&(d)->pzone, (dv)->ep_zone))->zep)
#define SH(d, dv) ((struct ep_share *)det_pool_at(&(d)->pshare, (dv)->ep_share))
#define ZSUM(d, dv) (((struct ep_zone *)det_pool_at(&(d)->pzone, (dv)->ep_zone))->sum)

/* geoctx.c */
double det_approx_m(double lat1, double lon1, double lat2, double lon2);
double det_approx_ub_m(double lat1, double lon1, double lat2, double lon2);
int det_port_grid_build(struct sw_detect *d);
/* The port whose area holds the point (*port, NULL none; returns 1 when there is one), and
 * whether the point is in a port's waiting area (anchorages, approaches). */
int det_in_port_v(struct sw_detect *d, struct dvessel *dv, double lat, double lon,
                  const struct sw_port **port, int *waiting);
double det_shore_m(struct sw_detect *d, struct dvessel *dv, double lat, double lon);
double det_kn_between(const struct dfix *a, const struct dfix *b, double *km);

/* event.c */
void det_sample_add(struct sampler *s, const struct dfix *f);
void det_hist_add(struct hist *h, float sog);
double det_hist_median(const struct hist *h);
json_t *det_event_new(int type, int64_t start, int64_t end, int ongoing, double lat, double lon,
                      double confidence);
int det_event_vessel(struct sw_detect *d, json_t *ev, uint32_t mmsi);
int det_event_fix(json_t *ev, const struct dfix *f, const char *role);
int det_event_samples(json_t *ev, const struct sampler *s);
json_t *det_details(json_t *ev, const char *rule);
/* Assign the id, then record in the ledger and emit, or hold it back for the batch (recorded
 * and emitted in order by det_events_flush); takes ownership of ev. */
int det_event_finish(struct sw_detect *d, json_t *ev, int type);
/* Record and emit the held-back events in order. */
int det_events_flush(struct sw_detect *d);
/* Count and emit a finished event (ev stays the caller's). */
int det_event_emit(struct sw_detect *d, json_t *ev, int type);
void det_num(json_t *o, const char *key, double v);
/* The record that withdraws an incident published ongoing whose finished episode does not
 * meet the rule after all: same type, vessels and start (so the same incident), "withdrawn":
 * true and the reason in details. */
int det_withdraw(struct sw_detect *d, int type, const uint32_t *mmsi, int n, int64_t start,
                 int64_t end, const char *rule, const char *reason);

/* encounter.c: what restoring the state needs */
void det_pidx_rebuild(struct sw_detect *d);
/* File slot in the grid under its entry's fix (links at the head of its bucket's list). */
void det_grid_relink(struct sw_detect *d, uint32_t slot);
void det_grid_clear(struct sw_detect *d);

/* reception.c */
/* Fixes heard in that hour (0 when it is older than DET_HOURS). */
uint32_t det_fixes_in_hour(const struct sw_detect *d, int64_t hour);
/* Put a saved reception entry back (SW_EFORMAT: empty, damaged, duplicate, or no room). */
int det_recep_put(struct sw_detect *d, const struct recep *e);
int det_recep_add(struct sw_detect *d, struct dvessel *dv, const struct dfix *f);
/* Reception around a silence of self from t0 to t1 within radius_km (at most 3 grid cells,
 * about 160 km) of a and b: the distinct other vessels heard (up to 16) into *others, the
 * fraction of the silence's whole hours in which someone was heard into *covered. */
void det_reception(struct sw_detect *d, uint32_t self, const struct dfix *a, const struct dfix *b,
                   int64_t t0, int64_t t1, double radius_km, int *others, double *covered);

/* the rules: per fix, and at the end of a run */
int det_gap_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, int in_port);
int det_gap_finish(struct sw_detect *d, const struct det_rec *x);
int det_loi_fix(struct sw_detect *d, struct dvessel *dv, const struct dfix *f, float sog,
                int in_port);
int det_loi_close(struct sw_detect *d, struct dvessel *dv, int ongoing);
int det_pc_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, float sog,
               const struct sw_port *pt);
int det_pc_close(struct sw_detect *d, struct dvessel *dv, int ongoing);
/* A country whose port calls are events (port_call.event_countries: the DPRK). */
int det_event_country(const struct sw_detect *d, const char *cc);
int det_zone_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, float sog,
                 int in_port);
/* The end of a run: the day summaries of past days written, today's published ongoing (kept
 * when publish, else dropped with the visits). */
int det_zone_end(struct sw_detect *d, struct dvessel *dv, int publish);
/* zone_entry kind entry into a DPRK port's area (portcall.c decides it is one). */
int det_zone_port_entry(struct sw_detect *d, struct dvessel *dv, const struct sw_port *pt,
                        const struct dfix *f);
int det_sp_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, int in_port);
int det_sp_close(struct sw_detect *d, struct dvessel *dv);
/* Movement no ship can make from a to b (implied speed, distance into *kn, *km). */
int det_jump(const struct sw_detect *d, const struct dfix *a, const struct dfix *b, double *kn,
             double *km);
/* shared.c: shared_mmsi. A fix: *mine when it belongs to a confirmed two-track episode (not
 * a spoofing excursion then). */
int det_share_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, int *mine);
/* A confirmed identity change (its event would start at start): *absorbed when it is the
 * other ship's identity of a shared MMSI (no identity_change then). */
int det_share_identity(struct sw_detect *d, const struct det_rec *x, int64_t start, int *absorbed);
/* A static report: its identity is remembered by an open episode. */
void det_share_heard(struct sw_detect *d, const struct det_rec *x);
int det_share_end(struct sw_detect *d, struct dvessel *dv, int publish);
void det_pair_init(struct sw_detect *d);
int det_pair_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, int in_port);
/* Judge the pairs that parted; DET_SWEEP_CLOSE also closes the others (ongoing), and
 * DET_SWEEP_PUBLISH publishes the others ongoing and keeps them (the end of a run whose state
 * goes on). */
enum { DET_SWEEP = 0, DET_SWEEP_CLOSE = 1, DET_SWEEP_PUBLISH = 2 };
int det_pair_sweep(struct sw_detect *d, int mode);
/* The end of a run whose state goes on: what is open is published ongoing and stays open. */
int det_loi_publish(struct sw_detect *d, struct dvessel *dv);
int det_pc_publish(struct sw_detect *d, struct dvessel *dv);
int det_sp_publish(struct sw_detect *d, struct dvessel *dv);
int det_gap_publish(struct sw_detect *d, const struct det_rec *x);
int det_loiter_ring_put(struct sw_detect *d, struct dvessel *dv);
int det_dark_rendezvous(struct sw_detect *d, struct dvessel *dv, const struct dfix *p0,
                        const struct dfix *p1);
int det_identity(struct sw_detect *d, const struct det_rec *x);
/* The vessel's first fix decides an IMO number heard before it (identity_change or
 * identity_fraud shared_imo). */
int det_imo_first_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f);
int det_fraud(struct sw_detect *d, const struct det_rec *x);
int det_listed(struct sw_detect *d, const struct det_rec *x);
int det_lists_load(struct sw_detect *d, char *err);
void det_lists_free(struct sw_detect *d);
/* detect.c: one record of the vessel in slot, which the vessel table has already updated */
int det_record(struct sw_detect *d, const struct sw_record *r, const struct sw_vessel *v,
               size_t slot);

/* state.c: the detectors as a pipeline stage */
void det_stage_init(struct sw_detect *d);
/* The end of a vessel's run: everything open published ongoing, kept (publish) or closed. */
int det_vessel_end(struct sw_detect *d, size_t slot, int publish);

/* Normalised name: upper-case ASCII letters and digits only ("Chon Ma-San" -> "CHONMASAN"). */
void det_norm_name(const char *s, char *out, size_t n);
/* The designated vessels' sorted indexes (built when needed), a lookup by IMO (kind 0), MMSI
 * (1) or normalised name (2), and whether a name is one of an entry's names. */
int det_ls_index(struct sw_detect *d);
const struct listed *det_ls_find(const struct sw_detect *d, int kind, uint32_t num,
                                 const char *name);
/* "before_sighting" (designated by time t, or no dates known: a list added directly),
 * "after_sighting" (designated later than t: the hull was not yet listed) or "unknown". */
const char *det_ls_designation(const struct listed *l, int64_t t);
int det_ls_group_has_name(const struct sw_detect *d, uint32_t group, const char *name);

#endif
