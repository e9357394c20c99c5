/*
 * port_call: a stop (speed under max_sog_kn) of at least min_duration_min inside a port area.
 * The call runs from the first stopped fix to the last fix in the area; leaving takes two
 * fixes outside. Calls at ports of event_countries are events, others are only counted. The
 * open visit's state lives in the port-call pool while the vessel is in a port area.
 * docs/detection.md, port_call.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <string.h>

static int country_listed(const char *list, const char *cc);

int det_event_country(const struct sw_detect *d, const char *cc)
{
    return country_listed(d->p.pc_countries, cc);
}

static int country_listed(const char *list, const char *cc)
{
    size_t n = strlen(cc);
    if (!n) return 0;
    for (const char *s = list; *s;) {
        size_t k = strcspn(s, ", ");
        if (k == n && !strncmp(s, cc, n)) return 1;
        s += k;
        while (*s == ',' || *s == ' ')
            s++;
    }
    return 0;
}

static int pc_event(struct sw_detect *d, struct dvessel *dv, const struct ep_pc *c,
                    const struct sw_port *pt, int ongoing)
{
    double h = (double)(c->lastf.t - c->first_stop.t) / HOUR_MS;
    json_t *ev = det_event_new(SW_DT_PORT_CALL, c->first_stop.t, c->lastf.t, ongoing,
                               c->first_stop.lat, c->first_stop.lon, h >= 2 ? 0.95 : 0.85);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, dv->mmsi);
    json_t *po = json_object();
    json_object_set_new(po, "name", json_string(pt->name));
    json_object_set_new(po, "country", json_string(pt->country));
    json_object_set_new(ev, "port", po);
    json_t *dt = det_details(ev, "port_call");
    det_num(dt, "duration_h", h);
    det_num(dt, "positions", c->n);
    det_num(dt, "port_radius_km", pt->radius_m / 1000);
    det_num(dt, "max_sog_kn", d->p.pc_max_sog_kn);
    det_num(dt, "min_duration_min", d->p.pc_min_duration_min);
    char buf[32];
    json_object_set_new(dt, "entered", json_string(sw_time_format(c->enter, 0, buf)));
    det_event_fix(ev, &c->first_stop, "first_stop");
    det_event_fix(ev, &c->lastf, "last_in_port");
    return det_event_finish(d, ev, SW_DT_PORT_CALL);
}

/* The event of the visit to port (a call at an event country's port), or its count. */
static int pc_judge(struct sw_detect *d, struct dvessel *dv, int port, int ongoing, int count)
{
    const struct ep_pc *c = PC(d, dv);
    const struct sw_port *pt = sw_ports_get(d->g, (size_t)port);
    if (!c->called || !pt || !det_enabled(d, SW_DT_PORT_CALL)) return SW_OK;
    if (country_listed(d->p.pc_countries, pt->country)) return pc_event(d, dv, c, pt, ongoing);
    if (count) d->st.port_calls_context++;
    return SW_OK;
}

int det_pc_close(struct sw_detect *d, struct dvessel *dv, int ongoing)
{
    int port = dv->pc_port;
    dv->pc_port = -1;
    if (port < 0) return SW_OK;
    int rc = pc_judge(d, dv, port, ongoing, 1);
    det_pool_put(&d->ppc, &dv->ep_pc);
    return rc;
}

int det_pc_publish(struct sw_detect *d, struct dvessel *dv)
{
    return dv->pc_port >= 0 ? pc_judge(d, dv, dv->pc_port, 1, 0) : SW_OK;
}

int det_pc_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, float sog,
               const struct sw_port *pt)
{
    struct dvessel *dv = x->dv;
    int rc, port = pt ? (int)(pt - sw_ports_get(d->g, 0)) : -1;
    if (port != dv->pc_port) {
        if (dv->pc_port >= 0 && port < 0 && ++dv->pc_n_out < 2)
            return SW_OK; /* one fix outside the area is not yet a departure */
        if ((rc = det_pc_close(d, dv, 0)) != SW_OK) return rc;
        if (port < 0) return SW_OK;
        if ((rc = det_pool_get(&d->ppc, &dv->ep_pc)) != SW_OK) return rc;
        dv->pc_port = port;
        PC(d, dv)->enter = f->t;
        PC(d, dv)->stop_start = SW_TIME_NONE;
        /* entering a DPRK port (an event country's) from outside is an incident of its own */
        if (x->has_prev && country_listed(d->p.pc_countries, pt->country) &&
            (rc = det_zone_port_entry(d, dv, pt, f)) != SW_OK)
            return rc;
    }
    dv->pc_n_out = 0;
    if (port < 0) return SW_OK;
    struct ep_pc *c = PC(d, dv);
    c->n++;
    c->lastf = *f;
    if (c->called) return SW_OK;
    if (!isnan(sog) && sog < d->p.pc_max_sog_kn) {
        if (c->stop_start == SW_TIME_NONE) {
            c->stop_start = f->t;
            c->first_stop = *f;
        }
        if (f->t - c->stop_start >= d->p.pc_min_duration_min * 60000) c->called = 1;
    } else {
        c->stop_start = SW_TIME_NONE;
    }
    return SW_OK;
}
