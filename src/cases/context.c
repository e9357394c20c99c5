/*
 * The cases context: parameters, speeds by ship type, the sensitive ports (every DPRK port
 * of ports.csv and the list of data/sensitive_ports.csv) and the sea router built over them.
 */
#include "cases_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/record.h"

void sw_cases_params_default(struct sw_cases_params *p)
{
    memset(p, 0, sizeof *p);
    p->ppc_enabled = p->cv_enabled = 1;
    p->ppc_min_stay_h = 2;
    p->ppc_min_top_kn = 5;
    p->ppc_snap_gap_h = 1;
    p->cv_max_days = 10;
    p->cv_dark_leg_h = 2;
    p->cv_resolve_h = 72;
    p->cv_max_port_sog_kn = 3;
}

#define PK(k, f)                                                                                   \
    {                                                                                              \
        k, offsetof(struct sw_cases_params, f)                                                     \
    }
static const struct {
    const char *key;
    size_t off;
} pkeys[] = {
    PK("possible_port_call.min_stay_h", ppc_min_stay_h),
    PK("possible_port_call.min_top_speed_kn", ppc_min_top_kn),
    PK("possible_port_call.snapshot_gap_h", ppc_snap_gap_h),
    PK("corridor_voyage.max_days", cv_max_days),
    PK("corridor_voyage.dark_leg_h", cv_dark_leg_h),
    PK("corridor_voyage.resolve_h", cv_resolve_h),
    PK("corridor_voyage.max_port_sog_kn", cv_max_port_sog_kn),
};

int sw_cases_params_load(struct sw_cases_params *p, const struct sw_config *c, char *key_out)
{
    static const char *const sections[] = {"possible_port_call.", "corridor_voyage.", "cases."};
    for (size_t i = 0; i < sw_config_count(c); i++) {
        const char *k = sw_config_key(c, i), *v = sw_config_value(c, i);
        int sect = -1, ok = 0;
        for (int s = 0; s < 3; s++)
            if (!strncmp(k, sections[s], strlen(sections[s]))) sect = s;
        if (sect < 0) continue;
        for (size_t j = 0; j < sizeof pkeys / sizeof pkeys[0]; j++)
            if (!strcmp(k, pkeys[j].key)) {
                double *dst = (double *)((char *)p + pkeys[j].off);
                ok = sw_config_double(c, k, *dst, dst) == SW_OK && *dst >= 0 && *dst < 1e6;
            }
        if (!strcmp(k, "possible_port_call.enabled") || !strcmp(k, "corridor_voyage.enabled")) {
            double x;
            ok = sw_config_double(c, k, 1, &x) == SW_OK;
            *(sect == 0 ? &p->ppc_enabled : &p->cv_enabled) = x != 0;
        } else if (!strcmp(k, "cases.ports")) {
            ok = strlen(v) < sizeof p->ports_file;
            if (ok) snprintf(p->ports_file, sizeof p->ports_file, "%s", v);
        }
        if (!ok) {
            if (key_out) snprintf(key_out, 64, "%s", k);
            return SW_EFORMAT;
        }
    }
    return SW_OK;
}

/* Caps: the service speeds of the fastest ordinary ships of each kind; defaults: a usual
 * service speed. docs/cases.md, "Speed". */
void sw_cases_type_speeds(int t, double *cap_kn, double *default_kn)
{
    double cap = 22, def = 12;
    if (t >= 80 && t <= 89) /* tankers */
        cap = 16, def = 12;
    else if (t >= 70 && t <= 79) /* cargo */
        cap = 20, def = 13;
    else if (t == 30) /* fishing */
        cap = 16, def = 10;
    else if (t >= 31 && t <= 32) /* towing */
        cap = 14, def = 9;
    else if (t >= 40 && t <= 49) /* high-speed craft */
        cap = 45, def = 30;
    else if (t >= 60 && t <= 69) /* passenger */
        cap = 30, def = 18;
    if (cap_kn) *cap_kn = cap;
    if (default_kn) *default_kn = def;
}

double cases_speed(const struct sw_cases_params *p, uint16_t top, int ship_type, const char **how,
                   double *cap)
{
    double c, def, own = top / 10.0;
    sw_cases_type_speeds(ship_type, &c, &def);
    if (cap) *cap = c;
    if (top == 0 || own < p->ppc_min_top_kn) {
        if (how) *how = "type default";
        return def;
    }
    if (how) *how = own > c ? "type cap" : "observed";
    return own > c ? c : own;
}

const char *sw_cases_group_name(int group)
{
    return group == SW_CASES_DPRK ? "dprk" : group == SW_CASES_RFE ? "rfe" : "watch";
}

static int add_port(struct sw_cases *c, const struct sw_port *p)
{
    for (size_t i = 0; i < c->n; i++) /* one place, one port */
        if (!strcmp(c->ports[i].name, p->name) && !strcmp(c->ports[i].country, p->country))
            return SW_OK;
    if (c->n == CASES_MAX_PORTS) return SW_ETOOBIG;
    struct sw_cases_port *q = &c->ports[c->n];
    memset(q, 0, sizeof *q);
    snprintf(q->name, sizeof q->name, "%s", p->name);
    memcpy(q->country, p->country, sizeof q->country);
    q->lat = p->lat;
    q->lon = p->lon;
    q->radius_m = p->radius_m;
    snprintf(q->source, sizeof q->source, "%s", p->source);
    q->group = !strcmp(p->country, "KP")   ? SW_CASES_DPRK
               : !strcmp(p->country, "RU") ? SW_CASES_RFE
                                           : SW_CASES_WATCH;
    size_t t;
    int rc = sw_searoute_add_target(c->router, q->lat, q->lon, q->radius_m, &t);
    c->target[c->n] = rc == SW_OK ? t : SIZE_MAX;
    if (rc != SW_OK && rc != SW_ERANGE && rc != SW_ENOTFOUND) return rc;
    c->n++;
    return SW_OK;
}

static void ports_frame(struct sw_cases *c)
{
    c->minlat = c->minlon = INFINITY;
    c->maxlat = c->maxlon = -INFINITY;
    c->ports_hash = SW_HASH_INIT;
    for (size_t i = 0; i < c->n; i++) {
        const struct sw_cases_port *p = &c->ports[i];
        double dlat = p->radius_m / 111000.0, dlon = dlat / fmax(cos(p->lat * M_PI / 180), 0.05);
        c->minlat = fmin(c->minlat, p->lat - dlat);
        c->maxlat = fmax(c->maxlat, p->lat + dlat);
        c->minlon = fmin(c->minlon, p->lon - dlon);
        c->maxlon = fmax(c->maxlon, p->lon + dlon);
        c->ports_hash = sw_hash64(c->ports_hash, p->name, strlen(p->name) + 1);
        c->ports_hash = sw_hash64(c->ports_hash, &p->lat, sizeof p->lat);
        c->ports_hash = sw_hash64(c->ports_hash, &p->lon, sizeof p->lon);
        c->ports_hash = sw_hash64(c->ports_hash, &p->radius_m, sizeof p->radius_m);
    }
}

int sw_cases_new(struct sw_cases **out, const struct sw_geo *g, const struct sw_cases_params *p,
                 char *err)
{
    struct sw_cases *c = calloc(1, sizeof *c);
    struct sw_port *extra = NULL;
    size_t nextra = 0, line = 0;
    char path[200];
    int rc;
    *out = NULL;
    if (!c) return SW_ENOMEM;
    c->g = g;
    if ((rc = sw_searoute_new(&c->router, sw_geo_land(g), NULL)) != SW_OK) goto fail;
    for (size_t i = 0; i < sw_ports_count(g) && rc == SW_OK; i++)
        if (!strcmp(sw_ports_get(g, i)->country, "KP")) rc = add_port(c, sw_ports_get(g, i));
    if (rc) goto fail;
    if (p->ports_file[0])
        snprintf(path, sizeof path, "%.199s", p->ports_file);
    else if (snprintf(path, sizeof path, "%s/sensitive_ports.csv", sw_geo_dir(g)) >=
             (int)sizeof path) {
        rc = SW_ETOOBIG;
        goto fail;
    }
    if ((rc = sw_ports_read(path, &extra, &nextra, &line)) != SW_OK) {
        if (err && line)
            snprintf(err, SW_ERRMAX, "'%s' line %zu: %s", path, line, sw_strerror(rc));
        else if (err)
            snprintf(err, SW_ERRMAX, "'%s': %s", path, sw_strerror(rc));
        goto fail;
    }
    for (size_t i = 0; i < nextra && rc == SW_OK; i++)
        rc = add_port(c, &extra[i]);
    free(extra);
    if (rc) goto fail;
    ports_frame(c);
    *out = c;
    return SW_OK;
fail:
    sw_cases_free(c);
    return rc;
}

void sw_cases_free(struct sw_cases *c)
{
    if (!c) return;
    sw_searoute_free(c->router);
    free(c);
}

size_t sw_cases_nports(const struct sw_cases *c)
{
    return c->n;
}

const struct sw_cases_port *sw_cases_port(const struct sw_cases *c, size_t i)
{
    return i < c->n ? &c->ports[i] : NULL;
}

int sw_cases_port_at(const struct sw_cases *c, double lat, double lon)
{
    if (lat < c->minlat || lat > c->maxlat || lon < c->minlon || lon > c->maxlon) return -1;
    int best = -1;
    double bd = INFINITY;
    for (size_t i = 0; i < c->n; i++) {
        const struct sw_cases_port *p = &c->ports[i];
        if (fabs(lat - p->lat) * 111000.0 > p->radius_m) continue;
        double d = sw_geo_dist_m(lat, lon, p->lat, p->lon);
        if (d <= p->radius_m && d < bd) {
            bd = d;
            best = (int)i;
        }
    }
    return best;
}

int sw_cases_port_named(const struct sw_cases *c, const char *name, const char *country)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->ports[i].name, name) && (!country || !strcmp(c->ports[i].country, country)))
            return (int)i;
    return -1;
}
