/*
 * The detector engine: parameters (data/detect.conf keys), the per-vessel state table by
 * MMSI (bounded), and the consumer the ingest pipeline calls with every ordered record. Each
 * record goes to the identity rules, each fix to the per-vessel track rules (track.c) and to
 * the encounter grid (pair.c); the end of the run closes every open episode.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[SW_DT_COUNT] = {
#define SW__DTNAME(name, str) str,
    SW_DETECT_TYPES(SW__DTNAME)
#undef SW__DTNAME
};

const char *sw_detect_type_name(int type)
{
    return type >= 0 && type < SW_DT_COUNT ? type_names[type] : "?";
}

void sw_detect_params_default(struct sw_detect_params *p)
{
    memset(p, 0, sizeof *p);
    p->enc_max_distance_m = 500;
    p->enc_min_duration_h = 2;
    p->enc_max_median_sog_kn = 2;
    p->enc_min_port_km = 10;
    p->enc_max_gap_min = 60;
    p->dr_min_gap_h = 12;
    p->dr_slack = 1.2;
    p->dr_min_usual_sog_kn = 5;
    p->dr_min_alongside_h = 4;
    p->loi_max_sog_kn = 2;
    p->loi_min_duration_h = 4;
    p->loi_min_shore_nm = 20;
    p->loi_max_gap_h = 6;
    p->gap_min_h = 12;
    p->gap_radius_km = 50;
    p->gap_min_others = 3;
    p->gap_min_covered = 0.8;
    p->pc_max_sog_kn = 0.5;
    p->pc_min_duration_min = 30;
    snprintf(p->pc_countries, sizeof p->pc_countries, "KP");
    p->zone_min_fixes = 1;
    p->zone_reentry_h = 2;
    p->sp_max_speed_kn = 50;
    p->sp_min_jump_km = 5;
    p->sp_min_inland_m = 2000;
    p->sp_same_time_s = 60;
    p->sp_min_fixes = 1;
    p->sp_max_excursion_h = 24;
    p->idc_confirm = 2;
    p->idc_fields = 1 | 2 | 4 | 8;
    p->idf_check_imo = 1;
    p->idf_check_mid = 1;
    p->lv_min_name_score = 0.92;
    p->enabled = (1u << SW_DT_COUNT) - 1;
}

struct pkey {
    const char *key;
    size_t off;
};
#define PK(k, f)                                                                                   \
    {                                                                                              \
        k, offsetof(struct sw_detect_params, f)                                                    \
    }
static const struct pkey pkeys[] = {
    PK("encounter.max_distance_m", enc_max_distance_m),
    PK("encounter.min_duration_h", enc_min_duration_h),
    PK("encounter.max_median_sog_kn", enc_max_median_sog_kn),
    PK("encounter.min_port_distance_km", enc_min_port_km),
    PK("encounter.max_gap_min", enc_max_gap_min),
    PK("dark_rendezvous.min_gap_h", dr_min_gap_h),
    PK("dark_rendezvous.slack", dr_slack),
    PK("dark_rendezvous.min_usual_sog_kn", dr_min_usual_sog_kn),
    PK("dark_rendezvous.min_alongside_h", dr_min_alongside_h),
    PK("loitering.max_sog_kn", loi_max_sog_kn),
    PK("loitering.min_duration_h", loi_min_duration_h),
    PK("loitering.min_shore_distance_nm", loi_min_shore_nm),
    PK("loitering.max_gap_h", loi_max_gap_h),
    PK("ais_gap.min_gap_h", gap_min_h),
    PK("ais_gap.reception_radius_km", gap_radius_km),
    PK("ais_gap.min_other_vessels", gap_min_others),
    PK("ais_gap.min_hours_covered", gap_min_covered),
    PK("port_call.max_sog_kn", pc_max_sog_kn),
    PK("port_call.min_duration_min", pc_min_duration_min),
    PK("zone_entry.min_fixes", zone_min_fixes),
    PK("zone_entry.reentry_h", zone_reentry_h),
    PK("position_spoof.max_speed_kn", sp_max_speed_kn),
    PK("position_spoof.min_jump_km", sp_min_jump_km),
    PK("position_spoof.min_inland_m", sp_min_inland_m),
    PK("position_spoof.same_time_s", sp_same_time_s),
    PK("position_spoof.min_fixes", sp_min_fixes),
    PK("position_spoof.max_excursion_h", sp_max_excursion_h),
    PK("identity_change.confirm", idc_confirm),
    PK("listed_vessel.min_name_score", lv_min_name_score),
};

static const char *const sections[] = {
    "encounter.",  "dark_rendezvous.", "loitering.",       "ais_gap.",        "port_call.",
    "zone_entry.", "position_spoof.",  "identity_change.", "identity_fraud.", "listed_vessel."};

static int field_bits(const char *v)
{
    int bits = 0;
    const char *s = v;
    while (*s) {
        size_t n = strcspn(s, ", ");
        if (n == 4 && !strncmp(s, "name", 4))
            bits |= 1;
        else if (n == 8 && !strncmp(s, "callsign", 8))
            bits |= 2;
        else if (n == 3 && !strncmp(s, "imo", 3))
            bits |= 4;
        else if (n == 4 && !strncmp(s, "flag", 4))
            bits |= 8;
        else if (n)
            return -1;
        s += n;
        while (*s == ',' || *s == ' ')
            s++;
    }
    return bits;
}

int sw_detect_params_load(struct sw_detect_params *p, const struct sw_config *c, char *key_out)
{
    for (size_t i = 0; i < sw_config_count(c); i++) {
        const char *k = sw_config_key(c, i), *v = sw_config_value(c, i);
        int sect = -1;
        for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++)
            if (!strncmp(k, sections[s], strlen(sections[s]))) sect = (int)s;
        if (sect < 0) continue; /* not ours */
        int ok = 0;
        for (size_t j = 0; j < sizeof pkeys / sizeof pkeys[0]; j++)
            if (!strcmp(k, pkeys[j].key)) {
                double *dst = (double *)((char *)p + pkeys[j].off);
                ok = sw_config_double(c, k, *dst, dst) == SW_OK && *dst >= 0;
                break;
            }
        if (!strcmp(k, "port_call.event_countries")) {
            ok = strlen(v) < sizeof p->pc_countries;
            if (ok) snprintf(p->pc_countries, sizeof p->pc_countries, "%s", v);
        } else if (!strcmp(k, "zone_entry.reentry_min")) {
            double x;
            ok = sw_config_double(c, k, p->zone_reentry_h * 60, &x) == SW_OK && x >= 0;
            if (ok) p->zone_reentry_h = x / 60;
        } else if (!strcmp(k, "identity_change.fields")) {
            int b = field_bits(v);
            ok = b >= 0;
            if (ok) p->idc_fields = b;
        } else if (!strcmp(k, "identity_fraud.check_imo") ||
                   !strcmp(k, "identity_fraud.check_mid")) {
            double x;
            ok = sw_config_double(c, k, 1, &x) == SW_OK;
            if (ok)
                *(!strcmp(k, "identity_fraud.check_imo") ? &p->idf_check_imo : &p->idf_check_mid) =
                    x != 0;
        } else if (!strcmp(k + strlen(sections[sect]), "enabled")) {
            double x;
            ok = sw_config_double(c, k, 1, &x) == SW_OK;
            if (ok) {
                if (x != 0)
                    p->enabled |= 1u << sect;
                else
                    p->enabled &= ~(1u << sect);
            }
        }
        if (!ok) {
            if (key_out) snprintf(key_out, 64, "%s", k);
            return SW_EFORMAT;
        }
    }
    return SW_OK;
}

/* ---- vessel table */

size_t det_vslot(uint32_t mmsi, size_t cap)
{
    return (size_t)(((uint64_t)mmsi * 0x9E3779B97F4A7C15ULL) >> 20) & (cap - 1);
}

static int vgrow(struct sw_detect *d)
{
    if (d->nv + 1 > d->capv) {
        size_t nc = d->capv ? d->capv * 2 : 1024;
        if (nc > d->lim.max_vessels) nc = d->lim.max_vessels;
        struct dvessel *nv = aligned_alloc(64, nc * sizeof *nv);
        if (!nv) return SW_ENOMEM;
        if (d->nv) memcpy(nv, d->v, d->nv * sizeof *nv);
        free(d->v);
        d->v = nv;
        /* cold states 64-byte aligned (struct dvcold): the loitering part in 3 cache lines */
        struct dvcold *nvc = aligned_alloc(64, nc * sizeof *nvc);
        if (!nvc) return SW_ENOMEM;
        if (d->nv) memcpy(nvc, d->vc, d->nv * sizeof *nvc);
        free(d->vc);
        d->vc = nvc;
        struct gent *nge = aligned_alloc(64, nc * sizeof *nge);
        if (!nge) return SW_ENOMEM;
        if (d->nv) memcpy(nge, d->ge, d->nv * sizeof *nge);
        free(d->ge);
        d->ge = nge;
        d->capv = nc;
    }
    if ((d->nv + 1) * 2 > d->vicap) {
        size_t nc = d->vicap * 2;
        uint64_t *ni = calloc(nc, sizeof *ni);
        if (!ni) return SW_ENOMEM;
        for (size_t i = 0; i < d->nv; i++) {
            size_t s = det_vslot(d->v[i].mmsi, nc);
            while (ni[s])
                s = (s + 1) & (nc - 1);
            ni[s] = (uint64_t)d->v[i].mmsi << 32 | ((uint64_t)i + 1);
        }
        free(d->vidx);
        d->vidx = ni;
        d->vicap = nc;
    }
    return SW_OK;
}

/* The index holds the MMSI beside the vessel number, so a lookup touches one array. */
struct dvessel *det_vessel(struct sw_detect *d, uint32_t mmsi, int create)
{
    size_t s = det_vslot(mmsi, d->vicap);
    while (d->vidx[s]) {
        if ((uint32_t)(d->vidx[s] >> 32) == mmsi) return &d->v[(d->vidx[s] & 0xffffffffu) - 1];
        s = (s + 1) & (d->vicap - 1);
    }
    if (!create) return NULL;
    if (d->nv >= d->lim.max_vessels) {
        d->st.vessel_full++;
        return NULL;
    }
    if (vgrow(d) != SW_OK) return NULL;
    s = det_vslot(mmsi, d->vicap);
    while (d->vidx[s])
        s = (s + 1) & (d->vicap - 1);
    struct dvessel *dv = &d->v[d->nv];
    memset(dv, 0, sizeof *dv);
    memset(VC(dv), 0, sizeof *VC(dv));
    dv->mmsi = mmsi;
    dv->usual_sog = NAN;
    dv->shore_m = -1;
    dv->port_free_m = -1;
    dv->zone_free_m = -1;
    VC(dv)->loi.ring = DET_NOIDX;
    dv->pc_port = -1;
    memset(&d->ge[d->nv], 0, sizeof d->ge[d->nv]);
    d->ge[d->nv].next = d->ge[d->nv].prev = d->ge[d->nv].bucket = DET_NOIDX;
    for (int i = 0; i < DET_ZONE_EPS; i++)
        VC(dv)->zep[i].zone = -1;
    d->vidx[s] = (uint64_t)mmsi << 32 | ((uint64_t)d->nv + 1);
    d->nv++;
    return dv;
}

/* Equirectangular distance, metres: cheap, within 1% of the great circle under 500 km away
 * from the poles (used only for bounds with a margin). */
double det_approx_m(double lat1, double lon1, double lat2, double lon2)
{
    double x = (lon2 - lon1) * cos((lat1 + lat2) * (M_PI / 360));
    double y = lat2 - lat1;
    if (x > 180)
        x -= 360;
    else if (x < -180)
        x += 360;
    return sqrt(x * x + y * y) * 111195.0;
}

/* An upper bound of det_approx_m without the cosine (|cos| <= 1 and every floating-point
 * step is monotonic, so the result is never below det_approx_m's): when the bound is under
 * a limit, so is det_approx_m, and the cosine is not needed to decide. INFINITY across the
 * antimeridian. */
double det_approx_ub_m(double lat1, double lon1, double lat2, double lon2)
{
    double x = lon2 - lon1, y = lat2 - lat1;
    if (x > 180 || x < -180) return INFINITY;
    return sqrt(x * x + y * y) * 111195.0;
}

#define PORT_MARGIN_M 60000.0
#define PG_CELLS (180 * 360)

static size_t pg_cell(double lat, double lon)
{
    int li = (int)floor(lat + 90), lo = (int)floor(sw_geo_wrap_lon(lon) + 180);
    li = li < 0 ? 0 : li > 179 ? 179 : li;
    lo = lo < 0 ? 0 : lo > 359 ? 359 : lo;
    return (size_t)li * 360 + (size_t)lo;
}

/* Two passes over the ports: count per cell, then fill. */
static int port_grid_build(struct sw_detect *d)
{
    size_t n = sw_ports_count(d->g), total = 0;
    d->pg_start = calloc(PG_CELLS + 1, sizeof *d->pg_start);
    if (!d->pg_start) return SW_ENOMEM;
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *fill = NULL;
        if (pass) {
            for (size_t c = 0; c < PG_CELLS; c++) { /* counts -> offsets */
                uint32_t k = d->pg_start[c];
                d->pg_start[c] = (uint32_t)total;
                total += k;
            }
            d->pg_start[PG_CELLS] = (uint32_t)total;
            d->pg_list = malloc(total * sizeof *d->pg_list + 1);
            fill = calloc(PG_CELLS, sizeof *fill);
            if (!d->pg_list || !fill) {
                free(fill);
                return SW_ENOMEM;
            }
        }
        for (size_t i = 0; i < n; i++) {
            const struct sw_port *q = sw_ports_get(d->g, i);
            double span = (q->radius_m + PORT_MARGIN_M) / 111195.0;
            double c = cos((fabs(q->lat) + span > 89 ? 89 : fabs(q->lat) + span) * M_PI / 180);
            double lspan = span / c > 180 ? 180 : span / c;
            for (double la = floor(q->lat - span); la <= q->lat + span; la += 1)
                for (double lo = floor(q->lon - lspan); lo <= q->lon + lspan; lo += 1) {
                    if (la < -90 || la > 89) continue;
                    size_t cell = pg_cell(la + 0.5, lo + 0.5);
                    if (pass)
                        d->pg_list[d->pg_start[cell] + fill[cell]++] = (uint32_t)i;
                    else
                        d->pg_start[cell]++;
                }
        }
        if (pass) free(fill);
    }
    return SW_OK;
}

/* Port area lookup (the nearest port whose circle holds the point, as sw_ports_area) over the
 * ports of the fix's grid cell, with a per-vessel bound: after a lookup finds no port area,
 * the distance to the nearest port area edge (at most PORT_MARGIN_M) is kept, and fixes
 * closer than that to the lookup point (with a 10% margin) skip the lookup. */
static int in_port_cached(struct sw_detect *d, struct dvessel *dv, double lat, double lon,
                          const struct sw_port **port)
{
    if (dv && dv->port_free_m > 0 &&
        (det_approx_ub_m(dv->port_lat, dv->port_lon, lat, lon) < dv->port_free_m * 0.9 ||
         det_approx_m(dv->port_lat, dv->port_lon, lat, lon) < dv->port_free_m * 0.9)) {
        *port = NULL;
        return 0;
    }
    size_t cell = pg_cell(lat, lon);
    double free_m = PORT_MARGIN_M, bd = 0;
    const struct sw_port *best = NULL;
    for (uint32_t k = d->pg_start[cell]; k < d->pg_start[cell + 1]; k++) {
        const struct sw_port *q = sw_ports_get(d->g, d->pg_list[k]);
        double a = det_approx_m(lat, lon, q->lat, q->lon);
        double e = a * 0.99 - q->radius_m;
        if (e < free_m) free_m = e;
        if (a <= q->radius_m * 1.02 + 200) {
            double x = sw_geo_dist_m(lat, lon, q->lat, q->lon);
            if (x <= q->radius_m && (!best || x < bd)) {
                best = q;
                bd = x;
            }
        }
    }
    *port = best;
    if (dv) {
        dv->port_lat = lat;
        dv->port_lon = lon;
        dv->port_free_m = best ? -1 : free_m;
    }
    return best != NULL;
}

int det_in_port(struct sw_detect *d, double lat, double lon, const struct sw_port **port)
{
    const struct sw_port *pp = NULL;
    int in = in_port_cached(d, NULL, lat, lon, &pp);
    if (port) *port = pp;
    return in;
}

int det_in_port_v(struct sw_detect *d, struct dvessel *dv, double lat, double lon,
                  const struct sw_port **port)
{
    return in_port_cached(d, dv, lat, lon, port);
}

/* Distance to shore, cached per vessel while it stays within 2 km of the cached point. */
double det_shore_m(struct sw_detect *d, struct dvessel *dv, double lat, double lon)
{
    /* |dlon| * cos(lat) <= |dlon| (0 <= cos <= 1, rounding is monotonic): the cosine is
     * needed only when |dlon| alone does not decide */
    double dlon = fabs(lon - dv->shore_lon);
    if (dv->shore_m >= 0 && fabs(lat - dv->shore_lat) < 0.018 &&
        (dlon < 0.018 || dlon * cos(lat * M_PI / 180) < 0.018))
        return dv->shore_m;
    dv->shore_lat = lat;
    dv->shore_lon = lon;
    dv->shore_m =
        sw_geo_dist_to_shore_capped_m(d->g, lat, lon, d->p.loi_min_shore_nm * SW_GEO_NM_M + 4000);
    return dv->shore_m;
}

/* ---- life cycle */

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
    if (!d->lim.max_vessels) d->lim.max_vessels = (size_t)1 << 21;
    if (!d->lim.max_pairs) d->lim.max_pairs = (size_t)1 << 16;
    if (!d->lim.grid_cells) d->lim.grid_cells = (size_t)1 << 18;
    d->now = SW_TIME_NONE;
    d->next_sweep = SW_TIME_NONE;
    d->vicap = 2048;
    d->gbuckets = (size_t)1 << 18;
    d->picap = 1;
    while (d->picap < d->lim.max_pairs * 2)
        d->picap <<= 1;
    d->rgcap = 1;
    while (d->rgcap < d->lim.grid_cells)
        d->rgcap <<= 1;
    d->imcap = (size_t)1 << 16;
    d->vidx = calloc(d->vicap, sizeof *d->vidx);
    d->gheads = malloc(d->gbuckets * sizeof *d->gheads);
    d->gused = calloc(d->gbuckets / 64, sizeof *d->gused);
    d->pairs = malloc(d->lim.max_pairs * sizeof *d->pairs);
    d->pidx = calloc(d->picap, sizeof *d->pidx);
    d->rg = calloc(d->rgcap, sizeof *d->rg);
    d->im = calloc(d->imcap, sizeof *d->im);
    d->qmax = 1;
    d->q = malloc(DET_BATCH_MAX * sizeof *d->q);
    d->qtype = malloc(DET_BATCH_MAX * sizeof *d->qtype);
    d->qres = malloc(DET_BATCH_MAX * sizeof *d->qres);
    if (!d->vidx || !d->gheads || !d->gused || !d->pairs || !d->pidx || !d->rg || !d->im || !d->q ||
        !d->qtype || !d->qres)
        goto fail;
    memset(d->gheads, 0xff, d->gbuckets * sizeof *d->gheads);
    for (size_t i = 0; i < DET_LOI_RING; i++)
        d->ring[i].mmsi = 0;
    det_pair_init(d);
    if ((rc = port_grid_build(d)) != SW_OK) goto fail;
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
    free(d->q);
    free(d->qtype);
    free(d->qres);
    sw_buf_release(&d->line);
    free(d->v);
    free(d->vc);
    free(d->ge);
    free(d->vidx);
    free(d->gheads);
    free(d->gused);
    free(d->pairs);
    free(d->pidx);
    free(d->rg);
    free(d->im);
    free(d->ls);
    free(d->pg_start);
    free(d->pg_list);
    free(d->by_imo);
    free(d->by_mmsi);
    free(d->by_name);
    free(d);
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

const struct sw_detect_stats *sw_detect_get_stats(const struct sw_detect *d)
{
    return &d->st;
}

/* ---- the stream */

/* One record, its vessel's state at dv (NULL: look it up, creating it). */
static int consume_one(struct sw_detect *d, const struct sw_record *r, struct dvessel *dv)
{
    int rc;
    if (d->now == SW_TIME_NONE || r->t_ms > d->now) d->now = r->t_ms;
    if (d->next_sweep == SW_TIME_NONE) d->next_sweep = d->now + 10 * 60000;
    if (d->now >= d->next_sweep) {
        if ((rc = det_pair_sweep(d, 0)) != SW_OK) return rc;
        d->next_sweep = d->now + 10 * 60000;
    }
    if (!dv) dv = det_vessel(d, r->mmsi, 1);
    if (!dv) return d->nv >= d->lim.max_vessels ? SW_OK : SW_ENOMEM;
    uint32_t vi = (uint32_t)(dv - d->v);
    if (!dv->first_t) dv->first_t = r->t_ms;
    if (r->fields & SW_F_STATIC_MASK) d->st.statics++;
    if ((rc = det_identity(d, dv, r)) != SW_OK) return rc;
    d->v[vi].last_t = r->t_ms;
    if (!(r->fields & SW_F_POS)) return SW_OK;
    d->st.fixes++;
    struct dfix f = {r->t_ms, r->lat, r->lon, (r->fields & SW_F_SOG) ? r->sog : NAN, r->mmsi};
    if ((rc = det_recep_add(d, &d->v[vi], &f)) != SW_OK) return rc;
    if ((rc = det_track_fix(d, &d->v[vi], &f, r)) != SW_OK) return rc;
    dv = &d->v[vi];
    if ((d->p.enabled & (1u << SW_DT_ENCOUNTER)) &&
        (rc = det_pair_fix(d, dv, &f, dv->last_in_port)) != SW_OK)
        return rc;
    return SW_OK;
}

/* Look a vessel up without creating it and prefetch its state: index + 1, 0 unknown. */
static uint32_t lookahead(struct sw_detect *d, uint32_t mmsi)
{
    struct dvessel *dv = det_vessel(d, mmsi, 0);
    if (!dv) return 0;
    __builtin_prefetch(dv);
    __builtin_prefetch((const char *)dv + 64);
    __builtin_prefetch((const char *)dv + 128);
    __builtin_prefetch(&d->ge[dv - d->v]);
    return (uint32_t)(dv - d->v) + 1;
}

/* Closer to its turn, with the hot state in cache by then: the cold loitering state a slow
 * fix of an open episode touches. */
static void lookahead_cold(struct sw_detect *d, uint32_t vi)
{
    const struct dvessel *dv = &d->v[vi - 1];
    if (!dv->loi_open) return;
    const char *c = (const char *)VC(dv); /* the loitering part: its first 3 lines */
    __builtin_prefetch(c);
    __builtin_prefetch(c + 64);
    __builtin_prefetch(c + 128);
}

/* Process the oldest held record. Vessel indexes never change (vessels are never removed),
 * so one found ahead is still right; one not found then is looked up (maybe created) now. */
static int ring_pop(struct sw_detect *d)
{
    struct det_held *h = &d->ring_rec[d->rr_head];
    d->rr_head = (d->rr_head + 1) % DET_AHEAD;
    d->rr_n--;
    if (d->rr_n >= DET_AHEAD_LOOK) { /* the record now LOOK places from the front */
        struct det_held *n = &d->ring_rec[(d->rr_head + DET_AHEAD_LOOK - 1) % DET_AHEAD];
        if (!n->vi) n->vi = lookahead(d, n->r.mmsi);
    }
    if (d->rr_n >= DET_AHEAD_COLD) { /* and the one COLD places from the front */
        struct det_held *n = &d->ring_rec[(d->rr_head + DET_AHEAD_COLD - 1) % DET_AHEAD];
        if (n->vi) lookahead_cold(d, n->vi);
    }
    return consume_one(d, &h->r, h->vi ? &d->v[h->vi - 1] : NULL);
}

static int ring_drain(struct sw_detect *d)
{
    int rc = SW_OK;
    while (d->rr_n && rc == SW_OK)
        rc = ring_pop(d);
    return rc;
}

int sw_detect_flush(void *ctx)
{
    struct sw_detect *d = ctx;
    int rc = ring_drain(d);
    return rc != SW_OK ? rc : det_events_flush(d);
}

int sw_detect_consume(void *ctx, const struct sw_record *r, const struct sw_vessel *v)
{
    struct sw_detect *d = ctx;
    (void)v;
    if (!r) return sw_detect_finish(d);
    if (r->kind != SW_REC_VESSEL || d->finished) return SW_OK;
    if (d->qmax <= 1) return consume_one(d, r, NULL);
    /* Batch mode: records are held DET_AHEAD deep and processed in arrival order, so the
     * vessel index slot and then the vessel's state can be fetched from memory while earlier
     * records are processed (a fix otherwise waits twice for main memory). The commit hook
     * processes every held record before the events are recorded. */
    __builtin_prefetch(&d->vidx[det_vslot(r->mmsi, d->vicap)]);
    struct det_held *h = &d->ring_rec[(d->rr_head + d->rr_n) % DET_AHEAD];
    h->r = *r;
    h->vi = 0;
    d->rr_n++;
    return d->rr_n == DET_AHEAD ? ring_pop(d) : SW_OK;
}

int sw_detect_finish(struct sw_detect *d)
{
    int rc;
    if (d->finished) return SW_OK;
    if ((rc = ring_drain(d)) != SW_OK) return rc;
    d->finished = 1;
    for (size_t i = 0; i < d->nv; i++)
        if ((rc = det_track_finish(d, &d->v[i])) != SW_OK) return rc;
    if ((rc = det_pair_sweep(d, 1)) != SW_OK) return rc;
    return det_events_flush(d);
}
