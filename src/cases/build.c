/*
 * Cases after analysis: the incidents of the store (sanctwatch/query.h), joined by vessel
 * into cases: the vessels an incident names together (an encounter, a rendezvous, a shared
 * identity) and the vessels that carried the same IMO number are one case. Each case gets a
 * risk score, the sum of documented weights of the factors present (capped at 100), each
 * factor explained with the incidents it rests on; the highest scores lead. The cap tracker
 * (cap.c) and the full case (case.c) are built from the same incidents.
 * docs/cases.md, "Cases".
 */
#include "build_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/event.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/query.h"
#include "sanctwatch/timeutil.h"
#include "sanctwatch/vmatch.h"

void sw_cases_build_opts_default(struct sw_cases_build_opts *o)
{
    memset(o, 0, sizeof *o);
    o->from = o->to = SW_TIME_NONE;
    o->product = SW_PRODUCT_GASOIL;
    o->max_cases = 50;
    o->max_track_points = 400;
}

/* ---- small helpers shared by the builder's files */

const char *bld_detail(const json_t *ev, const char *key)
{
    const char *s = json_string_value(json_object_get(json_object_get(ev, "details"), key));
    return s ? s : "";
}

int64_t bld_time(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    int64_t t;
    return s && sw_time_parse(s, strlen(s), &t) == SW_OK ? t : SW_TIME_NONE;
}

static int cmp_vs(const void *a, const void *b)
{
    uint32_t x = ((const struct cvs *)a)->mmsi, y = ((const struct cvs *)b)->mmsi;
    return x < y ? -1 : x > y;
}

struct cvs *bld_vessel(struct bld *b, uint32_t mmsi)
{
    struct cvs key = {.mmsi = mmsi};
    return b->nvs ? bsearch(&key, b->vs, b->nvs, sizeof *b->vs, cmp_vs) : NULL;
}

int bld_near_dprk(const struct bld *b, double lat, double lon)
{
    if (!isfinite(lat) || !isfinite(lon)) return 0;
    const struct sw_zone *z[16];
    size_t n = 0;
    sw_zones_lookup(b->c->g, lat, lon, z, 16, &n);
    for (size_t i = 0; i < n && i < 16; i++)
        if (!strncmp(z[i]->id, "kp-", 3)) return 1;
    for (size_t i = 0; i < sw_cases_nports(b->c); i++) {
        const struct sw_cases_port *p = sw_cases_port(b->c, i);
        if (p->group == SW_CASES_DPRK && sw_geo_dist_m(lat, lon, p->lat, p->lon) <= 100e3) return 1;
    }
    return 0;
}

int bld_sts_area(const struct bld *b, double lat, double lon)
{
    if (!isfinite(lat) || !isfinite(lon)) return 0;
    const struct sw_zone *z[16];
    size_t n = 0;
    sw_zones_lookup(b->c->g, lat, lon, z, 16, &n);
    for (size_t i = 0; i < n && i < 16; i++)
        if (!strncmp(z[i]->id, "kp-", 3) || !strcmp(z[i]->kind, "transfer_area")) return 1;
    return 0;
}

/* ---- the incidents and their vessels */

static int add_mmsi(struct bld *b, uint32_t mmsi)
{
    if (b->nvs == b->capvs) {
        size_t nc = b->capvs ? b->capvs * 2 : 256;
        struct cvs *n = realloc(b->vs, nc * sizeof *n);
        if (!n) return SW_ENOMEM;
        b->vs = n;
        b->capvs = nc;
    }
    memset(&b->vs[b->nvs], 0, sizeof b->vs[b->nvs]);
    b->vs[b->nvs++].mmsi = mmsi;
    return SW_OK;
}

static int is_transits(const struct sw_event_row *e)
{
    const char *kind = bld_detail(e->event, "kind");
    return e->rank == SW_RANK_MAX && !strcmp(e->type, "zone_entry") &&
           (!strcmp(kind, "transits") || !strcmp(kind, "transit"));
}

static int read_event(void *ctx, const struct sw_event_row *e)
{
    struct bld *b = ctx;
    if (e->withdrawn || is_transits(e) || (b->ids && !json_object_get(b->ids, e->id))) return SW_OK;
    if (b->nev == b->capev) {
        size_t nc = b->capev ? b->capev * 2 : 256;
        struct cev *n = realloc(b->ev, nc * sizeof *n);
        if (!n) return SW_ENOMEM;
        b->ev = n;
        b->capev = nc;
    }
    struct cev *c = &b->ev[b->nev];
    memset(c, 0, sizeof *c);
    if (!(c->ev = json_deep_copy(e->event))) return SW_ENOMEM;
    b->nev++;
    c->id = json_string_value(json_object_get(c->ev, "id"));
    c->type = json_string_value(json_object_get(c->ev, "type"));
    if (!c->id) c->id = "";
    if (!c->type) c->type = "";
    const char *cc = json_string_value(json_object_get(json_object_get(c->ev, "port"), "country"));
    c->country = cc ? cc : "";
    c->start = e->start;
    c->end = e->end;
    c->lat = e->lat;
    c->lon = e->lon;
    c->conf = e->confidence;
    c->rank = e->rank;
    c->leaf = e->leaf;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(c->ev, "vessels"), i, v)
    {
        json_int_t m = json_integer_value(json_object_get(v, "mmsi"));
        if (m <= 0 || m > 999999999 || c->nm == CEV_MAXV) continue;
        c->mmsi[c->nm++] = (uint32_t)m;
        int rc = add_mmsi(b, (uint32_t)m);
        if (rc) return rc;
    }
    return SW_OK;
}

static void vs_unique(struct bld *b)
{
    if (b->nvs) qsort(b->vs, b->nvs, sizeof *b->vs, cmp_vs); /* b->vs is NULL when empty */
    size_t w = 0;
    for (size_t i = 0; i < b->nvs; i++)
        if (!w || b->vs[w - 1].mmsi != b->vs[i].mmsi) b->vs[w++] = b->vs[i];
    b->nvs = w;
    for (size_t i = 0; i < b->nvs; i++)
        b->vs[i].parent = i;
}

static size_t find(struct bld *b, size_t i)
{
    while (b->vs[i].parent != i) {
        b->vs[i].parent = b->vs[b->vs[i].parent].parent;
        i = b->vs[i].parent;
    }
    return i;
}

static void unite(struct bld *b, uint32_t x, uint32_t y)
{
    struct cvs *a = bld_vessel(b, x), *c = bld_vessel(b, y);
    if (!a || !c) return;
    size_t ra = find(b, (size_t)(a - b->vs)), rc = find(b, (size_t)(c - b->vs));
    if (ra != rc) b->vs[ra > rc ? ra : rc].parent = ra < rc ? ra : rc;
}

/* ---- identities shared: the MMSIs that carried one valid IMO number */

struct links {
    uint32_t *pair; /* mmsi, mmsi */
    size_t n, cap;
    uint32_t imos[16];
    size_t nimo;
    uint32_t self;
};

static int imo_row(void *ctx, const struct sw_identity_row *r)
{
    struct links *l = ctx;
    if (!sw_lists_imo_valid(r->imo)) return SW_OK;
    for (size_t i = 0; i < l->nimo; i++)
        if (l->imos[i] == r->imo) return SW_OK;
    if (l->nimo < 16) l->imos[l->nimo++] = r->imo;
    return SW_OK;
}

static int sharer_row(void *ctx, const struct sw_identity_row *r)
{
    struct links *l = ctx;
    if (r->mmsi == l->self || !r->mmsi) return SW_OK;
    if (l->n + 2 > l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        uint32_t *p = realloc(l->pair, nc * sizeof *p);
        if (!p) return SW_ENOMEM;
        l->pair = p;
        l->cap = nc;
    }
    l->pair[l->n++] = l->self;
    l->pair[l->n++] = r->mmsi;
    return SW_OK;
}

static int shared_identities(struct bld *b)
{
    struct links l = {0};
    int rc = SW_OK;
    size_t n0 = b->nvs;
    for (size_t i = 0; i < n0 && rc == SW_OK; i++) {
        l.nimo = 0;
        l.self = b->vs[i].mmsi;
        rc = sw_query_identities(b->db, l.self, 0, imo_row, &l, b->err);
        for (size_t k = 0; k < l.nimo && rc == SW_OK; k++)
            rc = sw_query_identities(b->db, 0, l.imos[k], sharer_row, &l, b->err);
    }
    for (size_t i = 0; i + 1 < l.n && rc == SW_OK; i += 2)
        rc = add_mmsi(b, l.pair[i + 1]);
    if (rc == SW_OK) {
        vs_unique(b);
        for (size_t i = 0; i < b->nev; i++)
            for (int k = 1; k < b->ev[i].nm; k++)
                unite(b, b->ev[i].mmsi[0], b->ev[i].mmsi[k]);
        for (size_t i = 0; i + 1 < l.n; i += 2)
            unite(b, l.pair[i], l.pair[i + 1]);
    }
    free(l.pair);
    return rc;
}

/* ---- what the store says of each vessel: its row, designations, tanker or not */

static int listed_tanker(void *ctx, const struct sw_designated_row *d)
{
    struct cvs *v = ctx;
    v->designated++;
    if (sw_vclass_of_list(d->vessel_type) == SW_VC_TANKER) v->tanker = 1;
    return SW_OK;
}

static int tanker_identity(void *ctx, const struct sw_identity_row *r)
{
    struct cvs *v = ctx;
    if (r->ship_type >= 80 && r->ship_type <= 89) v->tanker = 1;
    return SW_OK;
}

static int vessel_facts(struct bld *b)
{
    for (size_t i = 0; i < b->nvs; i++) {
        struct cvs *v = &b->vs[i];
        int rc = sw_query_vessel(b->db, v->mmsi, &v->row, b->err);
        if (rc != SW_OK && rc != SW_ENOTFOUND) return rc;
        v->have_row = rc == SW_OK;
        if (v->have_row && v->row.ship_type >= 80 && v->row.ship_type <= 89) v->tanker = 1;
        if (!v->tanker &&
            (rc = sw_query_identities(b->db, v->mmsi, 0, tanker_identity, v, b->err)) != SW_OK)
            return rc;
        struct sw_designated_filter f = {.mmsi = v->mmsi};
        if ((rc = sw_query_designated(b->db, &f, listed_tanker, v, b->err)) != SW_OK) return rc;
        if (v->have_row && v->row.imo && sw_lists_imo_valid(v->row.imo)) {
            struct sw_designated_filter g = {.imo = v->row.imo};
            int before = v->designated;
            if ((rc = sw_query_designated(b->db, &g, listed_tanker, v, b->err)) != SW_OK) return rc;
            (void)before;
        }
    }
    return SW_OK;
}

/* ---- factors and the score */

static const struct factor {
    const char *key;
    int weight;
    const char *label;
} factors[] = {
    {"designated", 35, "a vessel of the case is designated (its IMO number or MMSI is listed)"},
    {"dprk_port_call", 20, "a call at a DPRK port, seen"},
    {"possible_dprk_port_call", 15, "a possible call at a DPRK port while AIS was off"},
    {"corridor_voyage", 15, "a voyage between a DPRK port and a Russian Far East port"},
    {"dark_near_dprk", 10, "AIS off near the DPRK (in its waters or within 100 km of its ports)"},
    {"sts_designated_or_dark", 15, "a ship-to-ship meeting with a designated or a dark vessel"},
    {"identity_fraud", 10, "identity fraud (a listed, shared or impossible identity)"},
    {"flag_changes", 5, "flag changes (one hull under MMSIs of different flags)"},
    {"name_changes", 5, "name changes"},
};
#define NFACTORS (sizeof factors / sizeof factors[0])

static int has_change(const json_t *ev, const char *field, int flag)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(ev, "details"), "changes"), i, c)
    {
        const char *f = json_string_value(json_object_get(c, "field"));
        if (!f || strcmp(f, field)) continue;
        if (!flag) return 1;
        const char *a = json_string_value(json_object_get(c, "from_flag")),
                   *z = json_string_value(json_object_get(c, "to_flag"));
        if (a && z && strcmp(a, z)) return 1;
    }
    return 0;
}

static int any_designated(struct bld *b, const struct cev *e)
{
    for (int k = 0; k < e->nm; k++) {
        struct cvs *v = bld_vessel(b, e->mmsi[k]);
        if (v && v->designated) return 1;
    }
    return 0;
}

/* The factors an incident shows (bits by index of factors[]). */
static unsigned event_factors(struct bld *b, const struct cev *e)
{
    const char *t = e->type;
    int kp = !strcmp(e->country, "KP");
    unsigned f = 0;
    if (!strcmp(t, "listed_vessel") || any_designated(b, e)) f |= 1u << 0;
    if (!strcmp(t, "port_call") && kp) f |= 1u << 1;
    if (!strcmp(t, "possible_port_call") && kp) f |= 1u << 2;
    if (!strcmp(t, "corridor_voyage")) f |= 1u << 3;
    if ((!strcmp(t, "ais_gap") || !strcmp(t, "dark_rendezvous") ||
         !strcmp(t, "possible_port_call")) &&
        (kp || bld_near_dprk(b, e->lat, e->lon)))
        f |= 1u << 4;
    if (!strcmp(t, "dark_rendezvous") || (!strcmp(t, "encounter") && any_designated(b, e)))
        f |= 1u << 5;
    if (!strcmp(t, "identity_fraud")) f |= 1u << 6;
    if (!strcmp(t, "identity_change") && has_change(e->ev, "mmsi", 1)) f |= 1u << 7;
    if (!strcmp(t, "identity_change") && has_change(e->ev, "name", 0)) f |= 1u << 8;
    return f;
}

static json_t *weights_json(void)
{
    json_t *a = json_array();
    for (size_t i = 0; i < NFACTORS; i++)
        json_array_append_new(a, json_pack("{s:s,s:i,s:s}", "factor", factors[i].key, "weight",
                                           factors[i].weight, "meaning", factors[i].label));
    return a;
}

/* The case's factors (with the incidents that show each) and its score. */
static json_t *score(struct bld *b, const size_t *evs, size_t nevs, const size_t *mem, size_t nmem,
                     int *out)
{
    json_t *fa = json_array(), *why[NFACTORS] = {0};
    int s = 0;
    for (size_t i = 0; i < nevs; i++) {
        unsigned f = event_factors(b, &b->ev[evs[i]]);
        for (size_t k = 0; k < NFACTORS; k++)
            if (f & (1u << k)) {
                if (!why[k]) why[k] = json_array();
                if (json_array_size(why[k]) < 20)
                    json_array_append_new(why[k], json_string(b->ev[evs[i]].id));
            }
    }
    for (size_t i = 0; i < nmem && !why[0]; i++)
        if (b->vs[mem[i]].designated) why[0] = json_array(); /* listed, no event said so */
    for (size_t k = 0; k < NFACTORS; k++) {
        if (!why[k]) continue;
        s += factors[k].weight;
        json_array_append_new(fa, json_pack("{s:s,s:i,s:s,s:o}", "factor", factors[k].key, "weight",
                                            factors[k].weight, "meaning", factors[k].label,
                                            "incidents", why[k]));
    }
    *out = s > 100 ? 100 : s;
    return fa;
}

/* ---- the cases */

struct kase {
    size_t *mem, nmem, *evs, nevs;
    int score;
    int64_t first;
    uint32_t lead;
    json_t *factors;
};

static int by_score(const void *a, const void *b)
{
    const struct kase *x = a, *y = b;
    if (x->score != y->score) return y->score - x->score;
    if (x->first != y->first) return x->first < y->first ? -1 : 1;
    return x->lead < y->lead ? -1 : x->lead > y->lead;
}

/* The vessel a case is named after: designated first, then the most incidents. */
static uint32_t lead_vessel(struct bld *b, const struct kase *k)
{
    uint32_t best = 0;
    long bs = -1;
    for (size_t i = 0; i < k->nmem; i++) {
        const struct cvs *v = &b->vs[k->mem[i]];
        long s = v->designated ? 1000000 : 0;
        for (size_t j = 0; j < k->nevs; j++)
            for (int m = 0; m < b->ev[k->evs[j]].nm; m++)
                if (b->ev[k->evs[j]].mmsi[m] == v->mmsi)
                    s += 10 + (SW_RANK_MAX - b->ev[k->evs[j]].rank);
        if (s > bs) {
            bs = s;
            best = v->mmsi;
        }
    }
    return best;
}

static int group(struct bld *b, struct kase **out, size_t *nout)
{
    size_t *root = malloc((b->nvs ? b->nvs : 1) * sizeof *root), nk = 0;
    struct kase *k = calloc(b->nvs ? b->nvs : 1, sizeof *k);
    if (!root || !k) {
        free(root);
        free(k);
        return SW_ENOMEM;
    }
    for (size_t i = 0; i < b->nvs; i++)
        root[i] = SIZE_MAX;
    for (size_t i = 0; i < b->nvs; i++) { /* a case per component with an incident */
        size_t r = find(b, i);
        if (root[r] == SIZE_MAX) root[r] = nk++;
        struct kase *c = &k[root[r]];
        size_t *m = realloc(c->mem, (c->nmem + 1) * sizeof *m);
        if (!m) goto nomem;
        c->mem = m;
        c->mem[c->nmem++] = i;
    }
    for (size_t i = 0; i < b->nev; i++) {
        struct cvs *v = b->ev[i].nm ? bld_vessel(b, b->ev[i].mmsi[0]) : NULL;
        if (!v) continue;
        struct kase *c = &k[root[find(b, (size_t)(v - b->vs))]];
        size_t *e = realloc(c->evs, (c->nevs + 1) * sizeof *e);
        if (!e) goto nomem;
        c->evs = e;
        c->evs[c->nevs++] = i;
        b->ev[i].kase = (size_t)(c - k);
        if (c->nevs == 1 || b->ev[i].start < c->first) c->first = b->ev[i].start;
    }
    free(root);
    *out = k;
    *nout = nk;
    return SW_OK;
nomem:
    free(root);
    for (size_t i = 0; i < b->nvs; i++) {
        free(k[i].mem);
        free(k[i].evs);
    }
    free(k);
    return SW_ENOMEM;
}

static json_t *case_brief(struct bld *b, const struct kase *k)
{
    char id[32];
    snprintf(id, sizeof id, "case-%09u", k->lead);
    json_t *c = json_object(), *mem = json_array();
    json_object_set_new(c, "id", json_string(id));
    json_object_set_new(c, "score", json_integer(k->score));
    json_object_set_new(c, "lead_mmsi", json_integer(k->lead));
    const struct cvs *v = bld_vessel(b, k->lead);
    if (v && v->have_row && v->row.name[0])
        json_object_set_new(c, "lead_name", json_string(v->row.name));
    for (size_t i = 0; i < k->nmem; i++)
        json_array_append_new(mem, json_integer(b->vs[k->mem[i]].mmsi));
    json_object_set_new(c, "vessels", mem);
    json_object_set_new(c, "incidents", json_integer((json_int_t)k->nevs));
    json_object_set_new(c, "factors", json_incref(k->factors));
    return c;
}

static int cases_json(struct bld *b, json_t **out)
{
    struct kase *k = NULL;
    size_t nk = 0;
    int rc = group(b, &k, &nk);
    if (rc) return rc;
    for (size_t i = 0; i < nk; i++) {
        k[i].factors = score(b, k[i].evs, k[i].nevs, k[i].mem, k[i].nmem, &k[i].score);
        k[i].lead = lead_vessel(b, &k[i]);
    }
    qsort(k, nk, sizeof *k, by_score);
    json_t *arr = json_array();
    size_t rank = 0;
    for (size_t i = 0; i < nk && rc == SW_OK; i++) {
        if (!k[i].nevs || k[i].score == 0) continue;
        json_t *c = case_brief(b, &k[i]);
        json_object_set_new(c, "rank", json_integer((json_int_t)++rank));
        if (rank <= b->o->max_cases)
            rc = case_detail(b, c, k[i].mem, k[i].nmem, k[i].evs, k[i].nevs);
        json_array_append_new(arr, c);
    }
    for (size_t i = 0; i < nk; i++) {
        free(k[i].mem);
        free(k[i].evs);
        json_decref(k[i].factors);
    }
    free(k);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return SW_OK;
}

static int keep_ids(struct bld *b)
{
    size_t i;
    json_t *x;
    if (!b->o->incidents) return SW_OK;
    if (!(b->ids = json_object())) return SW_ENOMEM;
    json_array_foreach(b->o->incidents, i, x)
    {
        const char *id =
            json_is_string(x) ? json_string_value(x) : json_string_value(json_object_get(x, "id"));
        if (id) json_object_set_new(b->ids, id, json_true());
    }
    return SW_OK;
}

int sw_cases_build(sqlite3 *db, struct sw_cases *c, const struct sw_cases_build_opts *o,
                   json_t **out, char *err)
{
    struct sw_cases_build_opts def;
    struct bld b = {.db = db, .c = c, .err = err};
    json_t *cases = NULL, *cap = NULL;
    *out = NULL;
    if (!o) {
        sw_cases_build_opts_default(&def);
        o = &def;
    }
    b.o = o;
    struct sw_event_filter f = {
        .from = o->from, .to = o->to, .ledger_size = o->ledger_size, .order = SW_ORDER_TIME};
    int rc = keep_ids(&b);
    if (rc == SW_OK) rc = sw_query_events(db, &f, read_event, &b, err);
    if (rc == SW_OK) rc = shared_identities(&b);
    if (rc == SW_OK) rc = vessel_facts(&b);
    if (rc == SW_OK) rc = cases_json(&b, &cases);
    if (rc == SW_OK) rc = cap_build(&b, &cap);
    if (rc == SW_OK) {
        *out = json_object();
        json_object_set_new(*out, "format", json_string("sanctwatch-cases/1"));
        json_object_set_new(*out, "weights", weights_json());
        json_object_set_new(*out, "cases", cases);
        json_object_set_new(*out, "cap", cap);
    } else {
        json_decref(cases);
        json_decref(cap);
    }
    for (size_t i = 0; i < b.nev; i++)
        json_decref(b.ev[i].ev);
    free(b.ev);
    free(b.vs);
    json_decref(b.ids);
    return rc;
}
