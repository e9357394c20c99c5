/*
 * The event contract shared by the detectors, the ledger's event store, the report and the
 * server: incident ids and the significance rank (docs/detection.md, "Significance").
 */
#include "sanctwatch/event.h"

#include <string.h>

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
