/*
 * The cases in a report (sanctwatch/report.h's model): the cases and the cap built from the
 * incidents the report holds (the same signed head), and, on the map of each possible port
 * call and corridor voyage, the ports in reach (or the voyage's ends) and the routes.
 */
#include "cases_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sanctwatch/error.h"

static void grow_box(json_t *inc, double lat, double lon)
{
    json_t *bb = json_object_get(inc, "bbox");
    if (!isfinite(lat) || !isfinite(lon)) return;
    if (json_array_size(bb) != 4) {
        json_object_set_new(inc, "bbox", json_pack("[f,f,f,f]", lon, lat, lon, lat));
        return;
    }
    double v[4];
    for (size_t i = 0; i < 4; i++)
        v[i] = json_number_value(json_array_get(bb, i));
    json_object_set_new(
        inc, "bbox",
        json_pack("[f,f,f,f]", fmin(v[0], lon), fmin(v[1], lat), fmax(v[2], lon), fmax(v[3], lat)));
}

static void mark(json_t *inc, json_t *marks, const json_t *port, const char *type,
                 const char *label)
{
    double lat = json_number_value(json_object_get(port, "lat"));
    double lon = json_number_value(json_object_get(port, "lon"));
    json_array_append_new(marks, json_pack("{s:f,s:f,s:s,s:s}", "lat", lat, "lon", lon, "type",
                                           type, "label", label));
    grow_box(inc, lat, lon);
}

/* The reachable ports and routes of a possible call, the ends of a voyage. */
static void decorate(json_t *inc)
{
    const json_t *ev = json_object_get(inc, "event"), *dt = json_object_get(ev, "details");
    const char *type = json_string_value(json_object_get(ev, "type"));
    json_t *marks = json_array(), *routes = json_array(), *p, *pt;
    size_t i, k;
    char label[96];
    if (type && !strcmp(type, "possible_port_call")) {
        json_array_foreach(json_object_get(dt, "ports"), i, p)
        {
            snprintf(label, sizeof label, "%.60s (stay up to %.0f h)",
                     json_string_value(json_object_get(p, "name")),
                     json_number_value(json_object_get(p, "max_stay_h")));
            mark(inc, marks, p, "reachable", label);
        }
        const char *rk[2] = {"route_in", "route_out"};
        for (int r = 0; r < 2; r++) {
            json_t *rt = json_object_get(dt, rk[r]);
            if (!json_array_size(rt)) continue;
            json_array_append(routes, rt);
            json_array_foreach(rt, k, pt) grow_box(inc, json_number_value(json_array_get(pt, 1)),
                                                   json_number_value(json_array_get(pt, 0)));
        }
    } else if (type && !strcmp(type, "corridor_voyage")) {
        const char *ends[2] = {"from", "to"};
        for (int e = 0; e < 2; e++) {
            p = json_object_get(dt, ends[e]);
            snprintf(label, sizeof label, "%s %.60s%s", ends[e],
                     json_string_value(json_object_get(p, "name")),
                     json_is_true(json_object_get(p, "observed")) ? "" : " (possible)");
            if (p) mark(inc, marks, p, "corridor_voyage", label);
        }
    }
    if (json_array_size(marks)) json_object_set(inc, "marks", marks);
    if (json_array_size(routes)) json_object_set(inc, "routes", routes);
    json_decref(marks);
    json_decref(routes);
}

int sw_cases_report(sqlite3 *db, struct sw_cases *c, json_t *model, int product, char *err)
{
    struct sw_cases_build_opts o;
    json_t *m = NULL, *inc, *none = json_array();
    size_t i;
    sw_cases_build_opts_default(&o);
    o.incidents = json_object_get(model, "incidents");
    o.ledger_size =
        (uint64_t)json_integer_value(json_object_get(json_object_get(model, "ledger"), "size"));
    o.product = product;
    if (!o.incidents) o.incidents = none; /* no incident: no case */
    int rc = sw_cases_build(db, c, &o, &m, err);
    json_decref(none);
    if (rc) return rc;
    json_object_set(model, "cases", json_object_get(m, "cases"));
    json_object_set(model, "cap", json_object_get(m, "cap"));
    json_object_set(model, "case_weights", json_object_get(m, "weights"));
    json_decref(m);
    json_array_foreach(json_object_get(model, "incidents"), i, inc) decorate(inc);
    return SW_OK;
}
