/*
 * corridor_voyage: a voyage between a DPRK port and a Russian Far East port, followed in
 * stream order from the vessel's records. A vessel slow in a sensitive port's area visits it;
 * arriving at a port of the other group after a visit (within max_days of leaving it) is a
 * voyage, "seen" when the vessel was heard all the way and "inferred" across its silences
 * (each a dark leg, with the fixes on either side). A silence whose reach (sea distance at
 * the vessel's top speed, reach.c) includes a port of the other group is a possible call
 * there, settled by what comes next: arriving at a port of that group makes a direct voyage
 * across the gap; coming back to the first group makes two voyages through the possible
 * call; neither within resolve_h makes the voyage to it. docs/cases.md, corridor_voyage.
 */
#include "cases_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"

#define DAY_MS (24 * HOUR_MS)

/* One end of a voyage: a port seen (t and the fix) or possible (a window). */
struct vend {
    int port;
    int observed;
    int64_t t;       /* departure (from) or arrival (to); the window's edge if possible */
    int64_t ea, ld;  /* possible: earliest arrival, latest departure */
    double lat, lon; /* observed: the fix */
    double conf;     /* possible: the call's confidence */
};

static int opposite(const struct sw_cases *c, int a, int b)
{
    int ga = c->ports[a].group, gb = c->ports[b].group;
    return (ga == SW_CASES_DPRK && gb == SW_CASES_RFE) ||
           (ga == SW_CASES_RFE && gb == SW_CASES_DPRK);
}

struct cvoy *cases_voy_new(struct sw_cases_stage *s, size_t slot)
{
    uint32_t k;
    if (s->nfree) {
        k = s->free_voy[--s->nfree];
    } else {
        if (s->nvoy == CASES_MAX_VOYAGES) return NULL;
        if (s->nvoy == s->capvoy) {
            size_t nc = s->capvoy ? s->capvoy * 2 : 256;
            struct cvoy *ny = realloc(s->voy, nc * sizeof *ny);
            if (!ny) return NULL;
            uint32_t *nf = realloc(s->free_voy, nc * sizeof *nf);
            if (!nf) {
                s->voy = ny;
                return NULL;
            }
            s->voy = ny;
            s->free_voy = nf;
            s->capvoy = nc;
        }
        k = (uint32_t)s->nvoy++;
    }
    struct cvoy *y = &s->voy[k];
    memset(y, 0, sizeof *y);
    y->port = y->pend = -1;
    y->owner = (uint32_t)slot + 1;
    s->v[slot].voy = k + 1;
    return y;
}

void cases_voy_drop(struct sw_cases_stage *s, size_t slot)
{
    uint32_t k = s->v[slot].voy;
    if (!k) return;
    s->voy[k - 1].owner = 0;
    s->free_voy[s->nfree++] = k - 1;
    s->v[slot].voy = 0;
}

static json_t *end_json(const struct sw_cases *c, const struct vend *e, int from)
{
    json_t *o = cases_port_json(c, e->port);
    if (!o) return NULL;
    json_object_set_new(o, "observed", json_boolean(e->observed));
    if (e->observed) {
        json_object_set_new(o, from ? "departure" : "arrival", cases_time(e->t));
    } else {
        json_object_set_new(o, "earliest_arrival", cases_time(e->ea));
        json_object_set_new(o, "latest_departure", cases_time(e->ld));
        json_object_set_new(o, "confidence", json_real(e->conf));
    }
    return o;
}

static json_t *leg_json(const struct cleg *l)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string("dark"));
    json_object_set_new(o, "from", cases_time(cases_ms(l->t0)));
    json_object_set_new(o, "to", cases_time(cases_ms(l->t1)));
    cases_num(o, "gap_h", (double)(l->t1 - l->t0) / 3600);
    return o;
}

/* Record the voyage a -> b with the dark legs legs[0..nl) (nlegs in all, dark_s seconds). */
static int voyage(struct sw_cases_stage *s, uint32_t mmsi, const struct vend *a,
                  const struct vend *b, const struct cleg *legs, int nl, int nlegs, uint32_t dark_s)
{
    const struct sw_cases *c = s->c;
    const struct sw_cases_port *to = &c->ports[b->port];
    double conf = nlegs ? 0.85 : 0.95;
    if (!a->observed) conf = fmin(conf, a->conf * 0.9 + 0.05);
    if (!b->observed) conf = fmin(conf, b->conf * 0.9 + 0.05);
    json_t *ev = cases_event_new("corridor_voyage", a->t, b->t, to->lat, to->lon, conf);
    if (!ev) return SW_ENOMEM;
    cases_event_vessel(s, ev, mmsi);
    json_t *port = json_object();
    json_object_set_new(port, "name", json_string(to->name));
    json_object_set_new(port, "country", json_string(to->country));
    json_object_set_new(ev, "port", port);
    json_t *dt = cases_details(ev, "corridor_voyage");
    int seen = a->observed && b->observed && nlegs == 0;
    json_object_set_new(dt, "kind", json_string(seen ? "seen" : "inferred"));
    json_object_set_new(dt, "from", end_json(c, a, 1));
    json_object_set_new(dt, "to", end_json(c, b, 0));
    cases_num(dt, "duration_h", (double)(b->t - a->t) / HOUR_MS);
    json_object_set_new(dt, "dark_legs", json_integer(nlegs));
    cases_num(dt, "dark_h", dark_s / 3600.0);
    json_t *jl = json_array();
    for (int i = 0; i < nl; i++)
        json_array_append_new(jl, leg_json(&legs[i]));
    json_object_set_new(dt, "legs", jl);
    cases_num(dt, "max_days", s->p.cv_max_days);
    cases_num(dt, "dark_leg_h", s->p.cv_dark_leg_h);
    if (a->observed) cases_event_fix(ev, mmsi, a->t, a->lat, a->lon, NAN, "departure");
    for (int i = 0; i < nl; i++) {
        const struct cleg *l = &legs[i];
        cases_event_fix(ev, mmsi, cases_ms(l->t0), l->lat0, l->lon0, NAN, "last_before");
        cases_event_fix(ev, mmsi, cases_ms(l->t1), l->lat1, l->lon1, NAN, "first_after");
    }
    if (b->observed) cases_event_fix(ev, mmsi, b->t, b->lat, b->lon, NAN, "arrival");
    s->st.voyages++;
    return sw_detect_add_event(s->det, ev);
}

/* The last visit as a voyage's origin. */
static void from_visit(const struct cvoy *y, struct vend *e)
{
    memset(e, 0, sizeof *e);
    e->port = y->port;
    e->observed = y->kind == 1;
    e->t = cases_ms(y->dep_s);
    e->ea = cases_ms(y->arr_s);
    e->ld = cases_ms(y->dep_s);
    e->lat = y->dep_lat;
    e->lon = y->dep_lon;
    e->conf = y->pend_conf;
}

static void from_pending(const struct cvoy *y, struct vend *e, int as_origin)
{
    memset(e, 0, sizeof *e);
    e->port = y->pend;
    e->ea = cases_ms(y->pend_ea);
    e->ld = cases_ms(y->pend_ld);
    e->t = as_origin ? e->ld : e->ea;
    e->conf = y->pend_conf;
}

/* The possible call was not followed by a visit in time: the voyage to it; it becomes the
 * last visit (its gap the first dark leg after it). */
static int settle_pending(struct sw_cases_stage *s, uint32_t mmsi, struct cvoy *y)
{
    struct vend a, p;
    int rc = SW_OK;
    if (y->port >= 0) {
        from_visit(y, &a);
        from_pending(y, &p, 0);
        rc = voyage(s, mmsi, &a, &p, y->leg, y->nlegs < 2 ? y->nlegs : 2, y->nlegs, y->dark_s);
    }
    float conf = y->pend_conf;
    y->port = y->pend;
    y->kind = 2;
    y->arr_s = y->pend_ea;
    y->dep_s = y->pend_ld;
    y->leg[0] = y->pend_gap;
    y->nlegs = 1;
    y->dark_s = y->pend_gap.t1 - y->pend_gap.t0;
    y->pend = -1;
    y->pend_conf = conf;
    return rc;
}

/* Arriving (a slow fix) at port b. */
static int arrive(struct sw_cases_stage *s, uint32_t mmsi, struct cvoy *y, int b,
                  const struct sw_fix *f)
{
    struct vend from, to, p;
    int rc = SW_OK, nl = y->nlegs < 2 ? y->nlegs : 2;
    memset(&to, 0, sizeof to);
    to.port = b;
    to.observed = 1;
    to.t = f->t_ms;
    to.lat = f->lat;
    to.lon = f->lon;
    int recent =
        y->port >= 0 && (double)(f->t_ms - cases_ms(y->dep_s)) <= s->p.cv_max_days * DAY_MS;
    if (recent) from_visit(y, &from);
    if (recent && y->pend >= 0) {
        if (s->c->ports[b].group == s->c->ports[y->pend].group) {
            rc = voyage(s, mmsi, &from, &to, y->leg, nl, y->nlegs, y->dark_s);
        } else {
            from_pending(y, &p, 0);
            rc = voyage(s, mmsi, &from, &p, y->leg, nl, y->nlegs, y->dark_s);
            from_pending(y, &p, 1);
            if (rc == SW_OK && opposite(s->c, y->pend, b))
                rc = voyage(s, mmsi, &p, &to, &y->pend_gap, 1, 1, y->pend_gap.t1 - y->pend_gap.t0);
        }
    } else if (recent && opposite(s->c, y->port, b)) {
        rc = voyage(s, mmsi, &from, &to, y->leg, nl, y->nlegs, y->dark_s);
    }
    y->pend = -1;
    y->nlegs = 0;
    y->dark_s = 0;
    y->arr_s = cases_s(f->t_ms);
    return rc;
}

/* A silence on the way: a dark leg, and maybe a possible call at the other group's port. */
static int silence(struct sw_cases_stage *s, const struct sw_vessel *v, struct cvoy *y,
                   const struct sw_fix *prev, const struct sw_fix *f, uint16_t top)
{
    struct cleg l = {cases_s(prev->t_ms), cases_s(f->t_ms), (float)prev->lat,
                     (float)prev->lon,    (float)f->lat,    (float)f->lon};
    if (y->nlegs < 2) y->leg[y->nlegs] = l;
    if (y->nlegs < 255) y->nlegs++;
    y->dark_s += l.t1 - l.t0;
    if (y->pend >= 0 || y->port < 0) return SW_OK;
    int type = (v->id.fields & SW_F_SHIPTYPE) ? v->id.ship_type : 0;
    struct sw_cases_gap gp = {prev->lat,
                              prev->lon,
                              f->lat,
                              f->lon,
                              prev->t_ms,
                              f->t_ms,
                              cases_speed(&s->p, top, type, NULL, NULL)};
    struct sw_cases_reach r[CASES_MAX_PORTS];
    size_t n = 0;
    int rc = sw_cases_reach(s->c, &gp, s->p.ppc_min_stay_h, r, CASES_MAX_PORTS, &n, NULL);
    for (size_t i = 0; rc == SW_OK && i < n; i++)
        if (opposite(s->c, y->port, r[i].port)) { /* the longest stay of the other group */
            y->pend = (int16_t)r[i].port;
            y->pend_ea = cases_s(r[i].earliest_arrival);
            y->pend_ld = cases_s(r[i].latest_departure);
            y->pend_gap = l;
            y->pend_conf = (float)r[i].confidence;
            break;
        }
    return rc;
}

int cases_voyage_fix(struct sw_cases_stage *s, size_t slot, const struct sw_vessel *v,
                     const struct sw_fix *prev, const struct sw_fix *f, uint16_t top)
{
    struct cvessel *cv = &s->v[slot];
    int p = sw_cases_port_at(s->c, f->lat, f->lon);
    int slow = isnan(f->sog) || f->sog <= s->p.cv_max_port_sog_kn;
    if (!cv->voy && !(p >= 0 && slow)) return SW_OK; /* most fixes of most vessels */
    struct cvoy *y = cv->voy ? &s->voy[cv->voy - 1] : cases_voy_new(s, slot);
    if (!y) {
        s->st.voyage_full++;
        return SW_OK;
    }
    int rc = SW_OK, in_same = p >= 0 && p == y->port && y->inside;
    if (prev && y->port >= 0 && !in_same &&
        (double)(f->t_ms - prev->t_ms) >= s->p.cv_dark_leg_h * HOUR_MS)
        rc = silence(s, v, y, prev, f, top);
    if (rc == SW_OK && y->pend >= 0 && !(p >= 0 && slow) &&
        (double)(f->t_ms - cases_ms(y->pend_gap.t1)) >= s->p.cv_resolve_h * HOUR_MS)
        rc = settle_pending(s, v->mmsi, y);
    if (rc) return rc;
    if (p >= 0 && slow) {
        if (!in_same) rc = arrive(s, v->mmsi, y, p, f);
        y->port = (int16_t)p;
        y->kind = 1;
        y->inside = 1;
    } else if (!in_same) {
        y->inside = 0;
    }
    if (y->inside) { /* the latest fix in the area: the departure if it leaves */
        y->dep_s = cases_s(f->t_ms);
        y->dep_lat = (float)f->lat;
        y->dep_lon = (float)f->lon;
    } else if (y->pend < 0 && (y->port < 0 || (double)(f->t_ms - cases_ms(y->dep_s)) >
                                                  s->p.cv_max_days * DAY_MS)) {
        cases_voy_drop(s, slot); /* nothing left to follow */
    }
    return rc;
}

/* A restored voyage entry is one live input can make. */
int cases_voyage_check(const struct sw_cases *c, const struct cvoy *y)
{
    int n = (int)c->n;
    if (y->port < -1 || y->port >= n || y->pend < -1 || y->pend >= n || y->kind > 2 ||
        y->inside > 1)
        return -1;
    const float *fl[] = {&y->dep_lat, &y->dep_lon, &y->pend_conf};
    for (size_t i = 0; i < 3; i++)
        if (!isfinite(*fl[i]) || fabsf(*fl[i]) > 360) return -1;
    const struct cleg *legs[] = {&y->leg[0], &y->leg[1], &y->pend_gap};
    for (size_t i = 0; i < 3; i++) {
        const struct cleg *l = legs[i];
        if (!isfinite(l->lat0) || !isfinite(l->lon0) || !isfinite(l->lat1) || !isfinite(l->lon1) ||
            fabsf(l->lat0) > 90 || fabsf(l->lat1) > 90 || fabsf(l->lon0) > 180 ||
            fabsf(l->lon1) > 180 || l->t1 < l->t0)
            return -1;
    }
    if (y->pend >= 0 && (y->pend_ld < y->pend_ea || y->pend_conf < 0 || y->pend_conf > 1))
        return -1;
    return 0;
}
