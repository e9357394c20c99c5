/*
 * The event contract shared by the detectors, the ledger's event store, the report and the
 * server: incident ids and the significance rank (docs/detection.md, "Significance").
 */
#include "sanctwatch/event.h"

#include <math.h>
#include <string.h>

#include "sanctwatch/timeutil.h"

static json_t *jtime(int64_t ms)
{
    char buf[32];
    return json_string(sw_time_format(ms, 0, buf));
}

static json_t *jcoord(double v)
{
    return json_real(round(v * 1e6) / 1e6);
}

json_t *sw_event_new(const char *type, int64_t start, int64_t end, int ongoing, double lat,
                     double lon, double confidence)
{
    json_t *ev = json_object();
    if (!ev) return NULL;
    json_object_set_new(ev, "id", json_string(""));
    json_object_set_new(ev, "type", json_string(type));
    json_object_set_new(ev, "start", jtime(start));
    json_object_set_new(ev, "end", ongoing ? json_null() : jtime(end < start ? start : end));
    if (ongoing) json_object_set_new(ev, "ongoing", json_true());
    if (!isnan(lat) && !isnan(lon)) {
        json_object_set_new(ev, "lat", jcoord(lat));
        json_object_set_new(ev, "lon", jcoord(lon));
    }
    json_object_set_new(ev, "vessels", json_array());
    if (confidence > 0.99) confidence = 0.99;
    if (confidence < 0.05) confidence = 0.05;
    json_object_set_new(ev, "confidence", json_real(round(confidence * 100) / 100));
    json_object_set_new(ev, "details", json_object());
    json_t *evd = json_object();
    json_object_set_new(evd, "fixes", json_array());
    json_object_set_new(ev, "evidence", evd);
    return ev;
}

void sw_event_num(json_t *o, const char *key, double v)
{
    if (isnan(v) || isinf(v)) return;
    double r = round(v * 1000) / 1000;
    if (r == (double)(json_int_t)r && fabs(r) < 1e15)
        json_object_set_new(o, key, json_integer((json_int_t)r));
    else
        json_object_set_new(o, key, json_real(r));
}

const char *sw_event_incident(const json_t *ev)
{
    const char *s = json_string_value(json_object_get(ev, "completes"));
    if (!s) s = json_string_value(json_object_get(ev, "supersedes"));
    if (!s) s = json_string_value(json_object_get(ev, "id"));
    return s;
}

int sw_event_withdrawn(const json_t *ev)
{
    return json_is_true(json_object_get(ev, "withdrawn"));
}

static int is(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

int sw_event_rank(const json_t *ev)
{
    const char *type = json_string_value(json_object_get(ev, "type"));
    const json_t *dt = json_object_get(ev, "details");
    const char *kind = json_string_value(json_object_get(dt, "kind"));
    const json_t *port = json_object_get(ev, "port");
    const char *country = json_string_value(json_object_get(port, "country"));
    if (!type) return SW_RANK_MAX;
    /* a hull sighted before it was designated: context for its history, not a listed vessel
     * at sea */
    if (is(type, "listed_vessel") &&
        is(json_string_value(json_object_get(dt, "designation")), "after_sighting"))
        return 3;
    /* 1: a designated vessel at sea, a call at a DPRK port, a dark meeting, a hidden voyage */
    if (is(type, "listed_vessel") || is(type, "dark_rendezvous") || is(type, "corridor_voyage") ||
        (is(type, "port_call") && is(country, "KP")) ||
        (is(type, "possible_port_call") && is(country, "KP")) ||
        (is(type, "identity_fraud") && (is(kind, "listed_identity") || is(kind, "shared_imo"))))
        return 1;
    /* 2: transfers and entering DPRK waters */
    if (is(type, "encounter") || is(type, "possible_port_call") ||
        (is(type, "zone_entry") && !is(kind, "transits")) ||
        (is(type, "identity_fraud") && is(kind, "shared_mmsi")))
        return 2;
    /* 3: hiding and disguise */
    if (is(type, "ais_gap") || is(type, "position_spoof") || is(type, "loitering") ||
        is(type, "identity_change"))
        return is(type, "ais_gap") &&
                       is(json_string_value(json_object_get(dt, "reception")), "unknown")
                   ? 4
                   : 3;
    /* 4: identity anomalies that are mostly sloppiness; 5: context */
    if (is(type, "identity_fraud") || is(type, "port_call")) return 4;
    return SW_RANK_MAX;
}
