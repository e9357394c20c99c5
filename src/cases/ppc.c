/*
 * possible_port_call: the cases stage hears every ais_gap and dark_rendezvous the detectors
 * record, and for each one during which the vessel could have reached, stayed at and left a
 * sensitive port (sea distance, its own top speed before the gap, capped by its type),
 * records an event listing those ports with the earliest arrival, the latest departure and
 * the longest stay at each, the route to and from the likeliest, and the source event.
 * docs/cases.md, possible_port_call.
 */
#include "cases_int.h"

#include <math.h>
#include <string.h>

#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"
#include "sanctwatch/event.h"
#include "sanctwatch/timeutil.h"

#define MAX_LISTED 12
#define ROUTE_MAX 24

struct heard {
    const char *id;
    const json_t *vessels; /* the source event's (identity as the detectors had it then) */
    const char *reception; /* an ais_gap's details.reception, NULL when not given */
    uint32_t mmsi, other;
    int64_t t0, t1, lt0, lt1;
    double lat0, lon0, lat1, lon1, llat, llon, along_h;
    double sog0, sog1;
    int have_loiterer;
};

static int fix_of(const json_t *ev, const char *role, int64_t *t, double *lat, double *lon,
                  double *sog)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(json_object_get(ev, "evidence"), "fixes"), i, f)
    {
        const char *r = json_string_value(json_object_get(f, "role"));
        const char *ts = json_string_value(json_object_get(f, "t"));
        if (!r || strcmp(r, role) || !ts) continue;
        json_t *la = json_object_get(f, "lat"), *lo = json_object_get(f, "lon");
        if (!json_is_number(la) || !json_is_number(lo)) return -1;
        *lat = json_number_value(la);
        *lon = json_number_value(lo);
        json_t *sg = json_object_get(f, "sog");
        *sog = json_is_number(sg) ? json_number_value(sg) : NAN;
        return sw_time_parse(ts, strlen(ts), t) == SW_OK && fabs(*lat) <= 90 && fabs(*lon) <= 180
                   ? 0
                   : -1;
    }
    return -1;
}

static int time_of(const json_t *o, const char *key, int64_t *t)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && sw_time_parse(s, strlen(s), t) == SW_OK ? 0 : -1;
}

/* What an ais_gap or dark_rendezvous record says, or -1 when it is not a closed episode. */
static int read_heard(const json_t *ev, int rdv, struct heard *h)
{
    memset(h, 0, sizeof *h);
    if (sw_event_withdrawn(ev) || json_is_true(json_object_get(ev, "ongoing")) ||
        !json_is_string(json_object_get(ev, "end")))
        return -1;
    /* the incident: a gap published ongoing and completed by a later run is one incident,
     * named by its first record */
    h->id = json_string_value(json_object_get(ev, "completes"));
    if (!h->id) h->id = json_string_value(json_object_get(ev, "id"));
    json_t *vv = json_object_get(ev, "vessels");
    h->vessels = vv;
    h->mmsi = (uint32_t)json_integer_value(json_object_get(json_array_get(vv, 0), "mmsi"));
    if (!h->id || !h->mmsi) return -1;
    h->reception = json_string_value(json_object_get(json_object_get(ev, "details"), "reception"));
    if (fix_of(ev, "last_before", &h->t0, &h->lat0, &h->lon0, &h->sog0) ||
        fix_of(ev, "first_after", &h->t1, &h->lat1, &h->lon1, &h->sog1) || h->t1 <= h->t0)
        return -1;
    if (!rdv) return 0;
    const json_t *dt = json_object_get(ev, "details");
    double sog;
    int64_t lt;
    h->other = (uint32_t)json_integer_value(json_object_get(json_array_get(vv, 1), "mmsi"));
    json_t *al = json_object_get(dt, "min_alongside_h");
    h->along_h = json_is_number(al) ? json_number_value(al) : 0;
    if (!h->other || fix_of(ev, "loiterer", &lt, &h->llat, &h->llon, &sog) ||
        time_of(dt, "loitering_start", &h->lt0) || time_of(dt, "loitering_end", &h->lt1))
        return -1;
    h->have_loiterer = 1;
    return 0;
}

/* The top speed before the gap: the snapshot taken when the silence ended, else the latest. */
static uint16_t top_before(struct sw_cases_stage *s, const struct cvessel *cv, int64_t t0)
{
    uint32_t k = cases_s(t0);
    for (int i = 0; i < 2; i++)
        if (cv->snap_s[i] == k && k) return cv->snap_top[i];
    s->st.snapshot_missed++;
    return cv->top;
}

static json_t *reach_json(const struct sw_cases *c, const struct sw_cases_reach *r)
{
    json_t *o = cases_port_json(c, r->port);
    if (!o) return NULL;
    cases_num(o, "sea_in_km", r->in_m / 1000);
    cases_num(o, "sea_out_km", r->out_m / 1000);
    cases_num(o, "gc_in_km", r->gc_in_m / 1000);
    cases_num(o, "gc_out_km", r->gc_out_m / 1000);
    json_object_set_new(o, "earliest_arrival", cases_time(r->earliest_arrival));
    json_object_set_new(o, "latest_departure", cases_time(r->latest_departure));
    cases_num(o, "max_stay_h", r->stay_h);
    json_object_set_new(o, "confidence", json_real(r->confidence));
    if (r->gc) json_object_set_new(o, "great_circle", json_true());
    return o;
}

/* The straightened route between a point and the port ([lon, lat] pairs), towards the port
 * (to_port) or away from it. */
static json_t *route_json(struct sw_cases *c, int port, double lat, double lon, int to_port)
{
    double xy[2 * ROUTE_MAX], d;
    size_t n = 0;
    if (c->target[port] == SIZE_MAX ||
        sw_searoute_path(c->router, c->target[port], lat, lon, &d, xy, ROUTE_MAX, &n) != SW_OK)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        size_t j = to_port ? i : n - 1 - i;
        json_t *pt = json_array();
        json_array_append_new(pt, json_real(round(xy[2 * j] * 1e4) / 1e4));
        json_array_append_new(pt, json_real(round(xy[2 * j + 1] * 1e4) / 1e4));
        json_array_append_new(a, pt);
    }
    return a;
}

static void speed_details(json_t *dt, double speed, const char *how, uint16_t top, double cap,
                          int ship_type)
{
    cases_num(dt, "speed_kn", speed);
    json_object_set_new(dt, "speed_from", json_string(how));
    if (top) cases_num(dt, "top_observed_sog_kn", top / 10.0);
    cases_num(dt, "speed_cap_kn", cap);
    if (ship_type) json_object_set_new(dt, "ship_type", json_integer(ship_type));
}

static int emit(struct sw_cases_stage *s, const struct heard *h, const struct sw_cases_reach *r,
                size_t n, size_t gc_only, double speed, const char *how, uint16_t top, double cap,
                int ship_type)
{
    struct sw_cases *c = s->c;
    const struct sw_cases_port *best = &c->ports[r[0].port];
    /* a gap where nobody else was heard may be a hole in reception: weaker evidence */
    double conf = r[0].confidence * (h->reception && !strcmp(h->reception, "unknown") ? 0.6 : 1);
    json_t *ev = cases_event_new("possible_port_call", h->t0, h->t1, best->lat, best->lon, conf);
    if (!ev) return SW_ENOMEM;
    /* the vessels as the source event names them */
    for (size_t i = 0; i < (h->have_loiterer ? 2u : 1u); i++)
        json_array_append_new(json_object_get(ev, "vessels"),
                              json_deep_copy(json_array_get(h->vessels, i)));
    json_t *port = json_object();
    json_object_set_new(port, "name", json_string(best->name));
    json_object_set_new(port, "country", json_string(best->country));
    json_object_set_new(ev, "port", port);
    json_t *dt = cases_details(ev, "possible_port_call");
    json_object_set_new(dt, "source",
                        json_string(h->have_loiterer ? "dark_rendezvous" : "ais_gap"));
    json_object_set_new(dt, "source_event", json_string(h->id));
    if (h->reception) json_object_set_new(dt, "source_reception", json_string(h->reception));
    cases_num(dt, "gap_h", (double)(h->t1 - h->t0) / HOUR_MS);
    speed_details(dt, speed, how, top, cap, ship_type);
    cases_num(dt, "min_stay_h", s->p.ppc_min_stay_h);
    json_object_set_new(dt, "distance", json_string("sea"));
    json_t *ports = json_array();
    for (size_t i = 0; i < n && i < MAX_LISTED; i++)
        json_array_append_new(ports, reach_json(c, &r[i]));
    json_object_set_new(dt, "ports", ports);
    json_object_set_new(dt, "reachable_ports", json_integer((json_int_t)n));
    json_object_set_new(dt, "reachable_by_great_circle_only", json_integer((json_int_t)gc_only));
    json_t *rin = route_json(c, r[0].port, h->lat0, h->lon0, 1);
    json_t *rout = route_json(c, r[0].port, h->lat1, h->lon1, 0);
    if (rin) json_object_set_new(dt, "route_in", rin);
    if (rout) json_object_set_new(dt, "route_out", rout);
    if (h->have_loiterer) {
        json_object_set_new(dt, "loiterer", json_integer(h->other));
        json_object_set_new(dt, "loitering_start", cases_time(h->lt0));
        json_object_set_new(dt, "loitering_end", cases_time(h->lt1));
        cases_num(dt, "min_alongside_h", h->along_h);
    }
    cases_event_fix(ev, h->mmsi, h->t0, h->lat0, h->lon0, h->sog0, "last_before");
    cases_event_fix(ev, h->mmsi, h->t1, h->lat1, h->lon1, h->sog1, "first_after");
    if (h->have_loiterer) cases_event_fix(ev, h->other, h->lt0, h->llat, h->llon, NAN, "loiterer");
    json_object_set_new(json_object_get(ev, "evidence"), "source_event", json_string(h->id));
    s->st.possible_calls++;
    return sw_detect_add_event(s->det, ev);
}

static int on_heard(struct sw_cases_stage *s, const json_t *ev, int rdv)
{
    struct heard h;
    size_t slot;
    if (read_heard(ev, rdv, &h)) return SW_OK;
    if (!s->vs || !sw_vessels_find(s->vs, h.mmsi, &slot) || slot >= s->nv) return SW_OK;
    const struct sw_vessel *v = sw_vessels_at(s->vs, slot);
    int type = (v->id.fields & SW_F_SHIPTYPE) ? v->id.ship_type : 0;
    uint16_t top = top_before(s, &s->v[slot], h.t0);
    const char *how;
    double cap, speed = cases_speed(&s->p, top, type, &how, &cap);
    struct sw_cases_gap gp = {h.lat0, h.lon0, h.lat1, h.lon1, h.t0, h.t1, speed};
    struct sw_cases_reach r[CASES_MAX_PORTS];
    size_t n = 0, gc_only = 0;
    int rc = rdv ? sw_cases_reach_rendezvous(s->c, &gp, h.llat, h.llon, h.lt0, h.lt1, h.along_h,
                                             s->p.ppc_min_stay_h, r, CASES_MAX_PORTS, &n)
                 : sw_cases_reach(s->c, &gp, s->p.ppc_min_stay_h, r, CASES_MAX_PORTS, &n, &gc_only);
    if (rc || n == 0) return rc;
    return emit(s, &h, r, n, gc_only, speed, how, top, cap, type);
}

int cases_on_event(void *ctx, const json_t *ev, int type)
{
    struct sw_cases_stage *s = ctx;
    if (!s->p.ppc_enabled) return SW_OK;
    if (type == SW_DT_AIS_GAP) {
        s->st.gaps_heard++;
        return on_heard(s, ev, 0);
    }
    if (type == SW_DT_DARK_RENDEZVOUS) {
        s->st.rendezvous_heard++;
        return on_heard(s, ev, 1);
    }
    return SW_OK;
}
