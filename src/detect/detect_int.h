/*
 * Internals of the streaming detectors (src/detect/): the per-vessel state, the pair table
 * and spatial grid for encounters, the reception grid for AIS gaps, the loitering ring for
 * dark rendezvous, and the event builder. Only src/detect/ includes this.
 */
#ifndef SW_DETECT_INT_H
#define SW_DETECT_INT_H

#include "sanctwatch/buf.h"
#include "sanctwatch/detect.h"
#include "sanctwatch/ledger.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define DET_SAMPLES 6     /* sampled fixes kept per episode, besides first/last/special */
#define DET_ZONE_EPS 4    /* zone episodes tracked per vessel */
#define DET_HIST 21       /* speed histogram: 0.1 kn bins 0..2 kn, last bin = above */
#define DET_LOI_RING 4096 /* recent loitering episodes kept for dark rendezvous */
#define DET_NOIDX UINT32_MAX
#define DET_BATCH_MAX 512 /* events held back at most for one ledger call */
#define DET_AHEAD 16      /* batch mode: records held so their vessel state is prefetched */
#define DET_AHEAD_LOOK 8  /* ... and looked up this many records before their turn */
#define DET_AHEAD_COLD 6  /* ... and their cold loitering state fetched this many before */

struct dfix {
    int64_t t;
    double lat, lon;
    float sog; /* NaN unknown */
    uint32_t mmsi;
};

/* Deterministic decimating sample: keeps every stride-th fix, halving when full. The
 * counters (touched by every fix) come first, next to the state before them. */
struct sampler {
    uint32_t n, stride, seen;
    struct dfix f[DET_SAMPLES];
};

struct hist {
    uint32_t b[DET_HIST];
    uint32_t n;
};

struct zone_ep {
    int16_t zone; /* index in the geo zones, -1 unused */
    uint8_t n_in, n_out, reported, inside, suppressed;
    int64_t out_since; /* time of the first fix outside, 0 while inside */
    struct dfix first;
};

/* An identity field being tracked for changes (value as text). */
struct idfield {
    char cur[24], pend[24];
    uint8_t pend_n, has;
    int64_t pend_t, cur_t; /* first time the pending value was heard, last time the current */
};

/* Per-vessel detector state, split in three parallel arrays by how often a field is touched:
 * struct dvessel holds what a fix touches in the common case (a vessel under way far from
 * ports, zones and episodes), 192 bytes (three cache lines, 64-byte aligned), so the 20,000
 * vessels of a busy area stay in cache; struct dvcold (VC(dv)) holds identity text, episode
 * details and samples; struct gent (d->ge) the vessel's entry in the encounter grid. */
struct dvessel {
    uint32_t mmsi;
    uint8_t has_last, last_in_port;
    uint8_t fraud_done;  /* bits: 1 mid, 2 imo check digit, 4 listed identity, 8 flag */
    uint8_t listed_done; /* bits: 1 mmsi, 2 imo, 4 name */
    uint8_t ship_type;
    uint8_t zep_active;              /* zone episodes in use */
    uint8_t sp_exc_open, sp_ep_open; /* position spoofing: excursion, episode open */
    uint8_t loi_open;                /* loitering episode open */
    int32_t pc_port;                 /* port call: port area index, -1 none */
    uint32_t pc_n_out;               /* port call: fixes outside the area since */
    uint32_t fraud_imo;              /* IMO reported for a bad check digit */
    uint32_t imo;                    /* as broadcast (confirmed) */
    float usual_sog;                 /* EWMA of speed while under way, NaN unknown */
    int64_t first_t, last_t;         /* first and latest record of any kind */
    int64_t sp_ep_last;              /* position spoofing: last anomalous time */
    uint64_t rg_last;                /* reception grid key last counted for this vessel */
    /* port area cache: no port area within port_free_m of (port_lat, port_lon) */
    double port_lat, port_lon, port_free_m;
    /* zone cache: no zone's bounding box within zone_free_m of (zone_lat, zone_lon) */
    double zone_lat, zone_lon, zone_free_m;
    double shore_lat, shore_lon, shore_m; /* distance to shore cache */
    struct dfix last;                     /* latest fix */
} __attribute__((aligned(64)));

struct dvcold {
    /* loitering first: a slow fix at sea touches these 172 bytes, in the first three cache
     * lines (the array is 64-byte aligned and the struct a multiple of 64 bytes) */
    struct {
        uint32_t n, ring; /* ring: slot in the loitering ring once qualified, DET_NOIDX */
        int64_t start;
        double sumlat, sumlon, min_shore;
        struct dfix lastf;
    } loi;
    struct hist loi_h;
    struct sampler loi_s;
    struct dfix loi_first; /* first fix of the loitering episode */
    /* position spoofing */
    struct {
        uint32_t exc_n, exc_land;
        int64_t ep_start;
        uint32_t ep_n, ep_jumps, ep_land;
        double exc_max_inland, exc_max_kn, exc_max_km;
        double ep_max_kn, ep_max_km, ep_max_inland_m;
        struct dfix origin, exc_first, exc_last;
        struct dfix ep_origin, ep_first, ep_return;
    } sp;
    /* port call */
    struct {
        uint32_t n;
        uint8_t called;
        int64_t enter, stop_start;
        struct dfix first_stop, lastf;
    } pc;
    struct zone_ep zep[DET_ZONE_EPS];
    struct dfix first; /* first fix */
    char name[SW_REC_NAME_MAX + 1];
    struct idfield idf[3]; /* name, callsign, imo */
    struct sampler sp_s;
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct dvessel) == 192, "hot vessel state beyond 3 cache lines");
_Static_assert(offsetof(struct dvcold, loi_s.f) <= 192, "loitering state beyond 3 cache lines");

/* A vessel's entry in the encounter grid (parallel to the vessel arrays, one cache line): the
 * latest slow fix it is filed under, in an intrusive list per hashed bucket. A fix walks the
 * entries of the buckets around it, not the vessel states. */
struct gent {
    struct dfix f;
    uint64_t cell;
    uint32_t next, prev;
    uint32_t bucket; /* DET_NOIDX: not in the grid */
} __attribute__((aligned(64)));

/* The cold half of vessel dv (d must be in scope). */
#define VC(dv) (&d->vc[(dv)-d->v])

struct pair {
    uint32_t a, b; /* mmsi, a < b */
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

struct recep {
    uint64_t key; /* 0 empty: cell and hour, +1 */
    uint32_t mm[3];
    uint8_t n;
};

struct listed {
    char ref[48], list[32];
    uint32_t imo, mmsi;
    char name[64];  /* normalised: upper-case ASCII letters and digits only */
    char tclass;    /* 'T' tanker, 'C' cargo, 'F' fishing, 0 unknown */
    uint32_t group; /* records of one list entry share it */
};

/* A record held in the look-ahead ring, with its vessel index + 1 once known (0 unknown). */
struct det_held {
    struct sw_record r;
    uint32_t vi;
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
    struct sw_buf line; /* the output line being written (det_event_emit) */
    /* batch mode: the look-ahead ring of records not yet processed */
    struct det_held ring_rec[DET_AHEAD];
    unsigned rr_head, rr_n;
    int finished;
    int64_t now; /* latest event time seen */
    /* vessels */
    struct dvessel *v;
    struct dvcold *vc; /* parallel to v */
    struct gent *ge;   /* parallel to v: encounter grid entries */
    size_t nv, capv;
    uint64_t *vidx; /* open addressing: slot -> mmsi << 32 | (index + 1), 0 empty */
    size_t vicap;
    /* encounter grid and pairs */
    uint32_t *gheads; /* bucket -> vessel index (of ge), DET_NOIDX */
    uint64_t *gused;  /* bit per bucket: non-empty (32 KB, stays in cache; gheads is 1 MB) */
    size_t gbuckets;
    struct pair *pairs;
    size_t npairs;
    uint32_t *pidx;
    size_t picap;
    int64_t next_sweep;
    int enc_hlo59; /* longitude halo of the grid within 59 degrees latitude, -1 varies */
    /* loitering ring */
    struct loiter_rec ring[DET_LOI_RING];
    uint32_t ring_next;
    /* reception grid */
    struct recep *rg;
    size_t rgcap, rgn;
    int64_t rg_newest_hour;
    /* IMO -> MMSI map */
    struct imomap {
        uint32_t imo, mmsi, prev;
    } * im;
    size_t imcap, imn;
    /* port grid: 1 degree cells, each listing the ports whose area plus PORT_MARGIN_M
     * reaches into it (cell c's ports are pg_list[pg_start[c] .. pg_start[c + 1])) */
    uint32_t *pg_start, *pg_list;
    /* lists */
    struct listed *ls;
    size_t nls, capls;
    struct listed *by_imo, *by_mmsi, *by_name; /* sorted copies of ls */
    int ls_dirty;
    uint32_t ls_groups;
};

/* detect.c */
double det_approx_m(double lat1, double lon1, double lat2, double lon2);
double det_approx_ub_m(double lat1, double lon1, double lat2, double lon2);
struct dvessel *det_vessel(struct sw_detect *d, uint32_t mmsi, int create);
size_t det_vslot(uint32_t mmsi, size_t cap);
int det_in_port(struct sw_detect *d, double lat, double lon, const struct sw_port **port);
int det_in_port_v(struct sw_detect *d, struct dvessel *dv, double lat, double lon,
                  const struct sw_port **port);
double det_shore_m(struct sw_detect *d, struct dvessel *dv, double lat, double lon);

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
 * and emitted in order by sw_detect_flush); takes ownership of ev. */
int det_event_finish(struct sw_detect *d, json_t *ev, int type);
/* Record and emit the held-back events in order (sw_detect_flush also processes the held
 * records first). */
int det_events_flush(struct sw_detect *d);
/* Count and emit a finished event (ev stays the caller's). */
int det_event_emit(struct sw_detect *d, json_t *ev, int type);
void det_num(json_t *o, const char *key, double v);

/* track.c: per-vessel rules on positions */
int det_track_fix(struct sw_detect *d, struct dvessel *dv, const struct dfix *f,
                  const struct sw_record *r);
int det_track_finish(struct sw_detect *d, struct dvessel *dv);
int det_recep_add(struct sw_detect *d, struct dvessel *dv, const struct dfix *f);

/* pair.c: encounter and dark rendezvous */
void det_pair_init(struct sw_detect *d);
int det_pair_fix(struct sw_detect *d, struct dvessel *dv, const struct dfix *f, int in_port);
int det_pair_sweep(struct sw_detect *d, int final);
int det_loiter_ring_put(struct sw_detect *d, struct dvessel *dv);
int det_dark_rendezvous(struct sw_detect *d, struct dvessel *dv, const struct dfix *p0,
                        const struct dfix *p1);

/* identity.c */
int det_identity(struct sw_detect *d, struct dvessel *dv, const struct sw_record *r);
int det_lists_load(struct sw_detect *d, char *err);

#endif
