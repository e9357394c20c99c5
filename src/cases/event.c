/*
 * The cases stage's events in DESIGN.md's shape (the detectors assign the id, record them in
 * the ledger and write them out: sw_detect_add_event), and the time base of its saved state.
 */
#include "cases_int.h"

#include <math.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/event.h"
#include "sanctwatch/mid.h"
#include "sanctwatch/timeutil.h"

uint32_t cases_s(int64_t ms)
{
    if (ms <= EPOCH2000_MS) return 0;
    int64_t s = (ms - EPOCH2000_MS) / 1000;
    return s > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

int64_t cases_ms(uint32_t s)
{
    return EPOCH2000_MS + (int64_t)s * 1000;
}

void cases_num(json_t *o, const char *key, double v)
{
    sw_event_num(o, key, v);
}

json_t *cases_time(int64_t ms)
{
    char buf[32];
    return json_string(sw_time_format(ms, 0, buf));
}

json_t *cases_event_new(const char *type, int64_t start, int64_t end, double lat, double lon,
                        double confidence)
{
    return sw_event_new(type, start, end, 0, lat, lon, confidence);
}

json_t *cases_details(json_t *ev, const char *rule)
{
    json_t *d = json_object_get(ev, "details");
    json_object_set_new(d, "rule", json_string(rule));
    return d;
}

int cases_event_vessel(struct sw_cases_stage *s, json_t *ev, uint32_t mmsi)
{
    json_t *o = json_object();
    if (!o) return SW_ENOMEM;
    json_object_set_new(o, "mmsi", json_integer(mmsi));
    size_t slot;
    if (s->vs && sw_vessels_find(s->vs, mmsi, &slot)) {
        const struct sw_vessel *v = sw_vessels_at(s->vs, slot);
        if (v->id.imo) json_object_set_new(o, "imo", json_integer(v->id.imo));
        if (v->id.name[0]) json_object_set_new(o, "name", json_string(v->id.name));
    }
    const char *flag = sw_mid_flag(mmsi);
    if (flag && flag[0]) json_object_set_new(o, "flag", json_string(flag));
    return json_array_append_new(json_object_get(ev, "vessels"), o) ? SW_ENOMEM : SW_OK;
}

int cases_event_fix(json_t *ev, uint32_t mmsi, int64_t t, double lat, double lon, double sog,
                    const char *role)
{
    json_t *o = json_object();
    if (!o) return SW_ENOMEM;
    json_object_set_new(o, "mmsi", json_integer(mmsi));
    json_object_set_new(o, "t", cases_time(t));
    json_object_set_new(o, "lat", json_real(round(lat * 1e6) / 1e6));
    json_object_set_new(o, "lon", json_real(round(lon * 1e6) / 1e6));
    if (isfinite(sog)) cases_num(o, "sog", sog);
    json_object_set_new(o, "role", json_string(role));
    json_t *fx = json_object_get(json_object_get(ev, "evidence"), "fixes");
    return json_array_append_new(fx, o) ? SW_ENOMEM : SW_OK;
}

json_t *cases_port_json(const struct sw_cases *c, int port)
{
    const struct sw_cases_port *p = &c->ports[port];
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "country", json_string(p->country));
    json_object_set_new(o, "group", json_string(sw_cases_group_name(p->group)));
    json_object_set_new(o, "lat", json_real(round(p->lat * 1e6) / 1e6));
    json_object_set_new(o, "lon", json_real(round(p->lon * 1e6) / 1e6));
    return o;
}
