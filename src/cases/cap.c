/*
 * The refined-petroleum cap tracker (resolution 2397, 500,000 barrels a year). Candidate
 * deliveries to the DPRK: a tanker's call at a DPRK port, its possible call at one while AIS
 * was off, and a ship-to-ship meeting with a tanker in DPRK waters or a transfer area. One
 * tanker's candidates within a day of each other are one delivery (the call seen first, then
 * the possible call, then the meeting). Each gets a volume: deadweight (the lists' tonnage,
 * else the model from AIS length and beam) times the product's barrels per tonne at the laden
 * fractions of one third, half and 90%, and the volume its change of draught displaces when
 * it broadcast its draught before and after. Per calendar year: deliveries and cumulative
 * barrels under each assumption against the cap. docs/cases.md, "The cap".
 */
#include "build_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/query.h"
#include "sanctwatch/timeutil.h"

enum { K_CALL = 0, K_POSSIBLE, K_STS };
static const char *const kind_names[] = {"port_call", "possible_port_call", "ship_to_ship"};

struct dlv {
    size_t ev;
    uint32_t mmsi;
    int kind;
    int64_t t, t_end;
    const char *port;
    size_t also[8];
    int nalso;
};

struct tonnage {
    double dwt;
};

static int tonnage_row(void *ctx, const struct sw_designated_row *d)
{
    struct tonnage *t = ctx;
    double v = sw_cases_tonnage_number(d->tonnage);
    if (isnan(t->dwt) && !isnan(v)) t->dwt = v;
    return SW_OK;
}

/* Deadweight of a vessel: the lists' tonnage, else the model; *src says which. */
static int dwt_of(struct bld *b, const struct cvs *v, double *dwt, const char **src)
{
    struct tonnage t = {NAN};
    struct sw_designated_filter f = {.mmsi = v->mmsi};
    int rc = sw_query_designated(b->db, &f, tonnage_row, &t, b->err);
    if (rc == SW_OK && isnan(t.dwt) && v->have_row && v->row.imo) {
        struct sw_designated_filter g = {.imo = v->row.imo};
        rc = sw_query_designated(b->db, &g, tonnage_row, &t, b->err);
    }
    *dwt = t.dwt;
    *src = "list";
    if (isnan(t.dwt) && v->have_row) {
        *dwt = sw_cases_dwt_model(v->row.length_m, v->row.beam_m);
        *src = "model";
    }
    if (isnan(*dwt)) *src = "unknown";
    return rc;
}

static const char *first_kp_port(const json_t *ev)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(json_object_get(ev, "details"), "ports"), i, p)
    {
        const char *c = json_string_value(json_object_get(p, "country"));
        if (c && !strcmp(c, "KP")) return json_string_value(json_object_get(p, "name"));
    }
    return NULL;
}

/* The tanker of a meeting that receives: the smaller one when both are tankers. */
static struct cvs *sts_tanker(struct bld *b, const struct cev *e)
{
    struct cvs *best = NULL;
    double bd = INFINITY;
    for (int k = 0; k < e->nm; k++) {
        struct cvs *v = bld_vessel(b, e->mmsi[k]);
        if (!v || !v->tanker) continue;
        double d = v->have_row ? sw_cases_dwt_model(v->row.length_m, v->row.beam_m) : NAN;
        if (!best || (isfinite(d) && d < bd)) {
            best = v;
            bd = isfinite(d) ? d : bd;
        }
    }
    return best;
}

/* The candidate an incident makes, if any. */
static int candidate(struct bld *b, size_t i, struct dlv *d)
{
    const struct cev *e = &b->ev[i];
    struct cvs *v = e->nm ? bld_vessel(b, e->mmsi[0]) : NULL;
    memset(d, 0, sizeof *d);
    d->ev = i;
    d->t = e->start;
    d->t_end = e->end == SW_TIME_NONE ? e->start : e->end;
    const char *port = json_string_value(json_object_get(json_object_get(e->ev, "port"), "name"));
    if (!strcmp(e->type, "port_call") && !strcmp(e->country, "KP") && v && v->tanker) {
        d->kind = K_CALL;
        d->port = port;
    } else if (!strcmp(e->type, "possible_port_call") && v && v->tanker && first_kp_port(e->ev)) {
        d->kind = K_POSSIBLE;
        d->port = first_kp_port(e->ev);
        json_t *p0 = json_array_get(json_object_get(json_object_get(e->ev, "details"), "ports"), 0);
        /* the delivery at the earliest arrival: a long silence is one possible call, and
         * does not swallow the calls seen after it */
        int64_t ea = bld_time(p0, "earliest_arrival");
        if (ea != SW_TIME_NONE) d->t = d->t_end = ea;
    } else if ((!strcmp(e->type, "encounter") || !strcmp(e->type, "dark_rendezvous")) &&
               bld_sts_area(b, e->lat, e->lon) && (v = sts_tanker(b, e)) != NULL) {
        d->kind = K_STS;
        d->port = NULL;
    } else {
        return 0;
    }
    d->mmsi = v->mmsi;
    return 1;
}

static int by_vessel_time(const void *a, const void *b)
{
    const struct dlv *x = a, *y = b;
    if (x->mmsi != y->mmsi) return x->mmsi < y->mmsi ? -1 : 1;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->kind - y->kind;
}

static int by_time(const void *a, const void *b)
{
    const struct dlv *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->mmsi < y->mmsi ? -1 : x->mmsi > y->mmsi;
}

/* One tanker's candidates within a day of each other: one delivery, the strongest kept. */
static size_t merge(struct dlv *d, size_t n)
{
    const int64_t day = 24 * 3600000LL;
    size_t w = 0;
    qsort(d, n, sizeof *d, by_vessel_time);
    for (size_t i = 0; i < n; i++) {
        struct dlv *p = w ? &d[w - 1] : NULL;
        if (p && p->mmsi == d[i].mmsi && d[i].t <= p->t_end + day) {
            struct dlv keep = d[i].kind < p->kind ? d[i] : *p;
            size_t other = d[i].kind < p->kind ? p->ev : d[i].ev;
            keep.nalso = p->nalso;
            memcpy(keep.also, p->also, sizeof keep.also);
            if (keep.nalso < 8) keep.also[keep.nalso++] = other;
            keep.t_end = d[i].t_end > p->t_end ? d[i].t_end : p->t_end;
            *p = keep;
            continue;
        }
        d[w++] = d[i];
    }
    qsort(d, w, sizeof *d, by_time);
    return w;
}

static json_t *evidence(const struct cev *e)
{
    const json_t *evd = json_object_get(e->ev, "evidence");
    return json_pack("{s:s,s:s,s:I,s:O}", "id", e->id, "type", e->type, "leaf", (json_int_t)e->leaf,
                     "sha256",
                     json_object_get(evd, "sha256") ? json_object_get(evd, "sha256") : json_null());
}

/* The volume by draught: tonnes displaced between the draught before and after. */
static int draught_part(struct bld *b, const struct dlv *d, const struct cvs *v, double factor,
                        json_t *o, double *bbl)
{
    double before, after;
    *bbl = NAN;
    int rc = sw_cases_draught_at(b->db, d->mmsi, d->t, &before);
    if (rc == SW_OK)
        rc = sw_cases_draught_after(b->db, d->mmsi, d->t_end, d->t_end + 86400000LL, &after);
    if (rc == SW_ENOTFOUND) return SW_OK;
    if (rc) return rc;
    json_t *dj = json_pack("{s:f,s:f}", "before_m", before, "after_m", after);
    if (v->have_row) {
        double t = sw_cases_draught_tonnes(v->row.length_m, v->row.beam_m, before, after);
        if (isfinite(t)) {
            *bbl = t * factor;
            cases_num(dj, "tonnes", t);
            cases_num(dj, "bbl", *bbl);
        }
    }
    json_object_set_new(o, "draught", dj);
    return SW_OK;
}

static int delivery_json(struct bld *b, const struct dlv *d, double factor, json_t **out,
                         double bbl[4])
{
    const struct cev *e = &b->ev[d->ev];
    struct cvs *v = bld_vessel(b, d->mmsi);
    double dwt;
    const char *src;
    char ts[32];
    int rc = dwt_of(b, v, &dwt, &src);
    if (rc) return rc;
    json_t *o =
        json_pack("{s:s,s:s,s:I,s:s,s:s}", "id", e->id, "kind", kind_names[d->kind], "mmsi",
                  (json_int_t)d->mmsi, "time", sw_time_format(d->t, 0, ts), "dwt_source", src);
    if (v->have_row && v->row.name[0]) json_object_set_new(o, "name", json_string(v->row.name));
    if (v->have_row && v->row.imo) json_object_set_new(o, "imo", json_integer(v->row.imo));
    if (d->port) json_object_set_new(o, "port", json_string(d->port));
    json_object_set_new(o, "confidence", json_real(e->conf));
    for (int i = 0; i < 4; i++)
        bbl[i] = NAN;
    if (!isnan(dwt)) {
        double vol[3];
        cases_num(o, "dwt_t", dwt);
        if (!strcmp(src, "model")) cases_num(o, "dwt_error", sw_cases_dwt_model_error());
        for (int i = 0; i < 3; i++)
            vol[i] = dwt * factor * sw_cases_fractions[i];
        json_object_set_new(o, "bbl",
                            json_pack("[f,f,f]", round(vol[0]), round(vol[1]), round(vol[2])));
        for (int i = 0; i < 3; i++)
            bbl[i] = round(vol[i]);
    }
    if ((rc = draught_part(b, d, v, factor, o, &bbl[3])) != SW_OK) {
        json_decref(o);
        return rc;
    }
    json_t *evd = json_array();
    json_array_append_new(evd, evidence(e));
    for (int i = 0; i < d->nalso; i++)
        json_array_append_new(evd, evidence(&b->ev[d->also[i]]));
    json_object_set_new(o, "evidence", evd);
    *out = o;
    return SW_OK;
}

static int year_of(int64_t t)
{
    char buf[32];
    sw_time_format(t, 0, buf);
    return (int)strtol(buf, NULL, 10);
}

/* The deliveries in time order with their running totals per year, and the years. */
static int deliveries_json(struct bld *b, struct dlv *d, size_t n, double factor, json_t *dl,
                           json_t *years)
{
    int year = 0;
    double cum[4] = {0};
    json_t *y = NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *o;
        double bbl[4];
        int rc = delivery_json(b, &d[i], factor, &o, bbl);
        if (rc) return rc;
        if (!y || year_of(d[i].t) != year) {
            year = year_of(d[i].t);
            memset(cum, 0, sizeof cum);
            y = json_pack("{s:i,s:i,s:i,s:i,s:f}", "year", year, "deliveries", 0, "with_volume", 0,
                          "with_draught", 0, "cap_bbl", SW_CASES_CAP_BBL);
            json_array_append_new(years, y);
        }
        for (int k = 0; k < 4; k++)
            if (!isnan(bbl[k])) cum[k] += bbl[k];
        json_object_set_new(o, "year", json_integer(year));
        json_object_set_new(o, "cum_bbl", json_pack("[f,f,f]", cum[0], cum[1], cum[2]));
        const char *keys[] = {"deliveries", "with_volume", "with_draught"};
        int inc[] = {1, !isnan(bbl[0]), !isnan(bbl[3])};
        for (int k = 0; k < 3; k++)
            json_object_set_new(
                y, keys[k], json_integer(json_integer_value(json_object_get(y, keys[k])) + inc[k]));
        json_object_set_new(y, "bbl", json_pack("[f,f,f]", cum[0], cum[1], cum[2]));
        cases_num(y, "bbl_draught", cum[3]);
        json_object_set_new(y, "share_of_cap",
                            json_pack("[f,f,f]", round(cum[0] / SW_CASES_CAP_BBL * 1000) / 1000,
                                      round(cum[1] / SW_CASES_CAP_BBL * 1000) / 1000,
                                      round(cum[2] / SW_CASES_CAP_BBL * 1000) / 1000));
        json_array_append_new(dl, o);
    }
    return SW_OK;
}

int cap_build(struct bld *b, json_t **out)
{
    struct dlv *d = malloc((b->nev ? b->nev : 1) * sizeof *d);
    size_t n = 0;
    if (!d) return SW_ENOMEM;
    for (size_t i = 0; i < b->nev; i++)
        n += candidate(b, i, &d[n]);
    n = merge(d, n);
    const struct sw_cases_product *p = sw_cases_product_get(b->o->product);
    if (!p) p = sw_cases_product_get(SW_PRODUCT_GASOIL);
    json_t *dl = json_array(), *years = json_array(), *prods = json_array();
    int rc = deliveries_json(b, d, n, p->bbl_per_t, dl, years);
    free(d);
    for (int i = 0; i < SW_PRODUCT_COUNT; i++) {
        const struct sw_cases_product *q = sw_cases_product_get(i);
        json_array_append_new(prods, json_pack("{s:s,s:s,s:f}", "key", q->key, "name", q->name,
                                               "bbl_per_t", q->bbl_per_t));
    }
    *out = json_pack("{s:f,s:s,s:s,s:f,s:[f,f,f],s:f,s:o,s:o,s:o}", "cap_bbl", SW_CASES_CAP_BBL,
                     "product", p->key, "product_name", p->name, "bbl_per_t", p->bbl_per_t,
                     "fractions", sw_cases_fractions[0], sw_cases_fractions[1],
                     sw_cases_fractions[2], "dwt_model_error", sw_cases_dwt_model_error(),
                     "products", prods, "deliveries", dl, "years", years);
    return rc;
}
