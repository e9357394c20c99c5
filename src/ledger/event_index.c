/*
 * The index columns of the ledger's events table (incident, rank, place, confidence, ongoing,
 * withdrawn, and the event's vessels in event_vessels): computed from the event when it is
 * recorded, and by the same code for the events a store held before the columns existed
 * (SQL functions the migration calls).
 */
#include "ledger_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/event.h"

#include <string.h>

void ledger_event_index(const json_t *ev, struct ledger_event_index *x)
{
    memset(x, 0, sizeof *x);
    x->incident = sw_event_incident(ev);
    x->rank = sw_event_rank(ev);
    x->ongoing = json_is_true(json_object_get(ev, "ongoing"));
    x->withdrawn = sw_event_withdrawn(ev);
    const json_t *lat = json_object_get(ev, "lat"), *lon = json_object_get(ev, "lon"),
                 *conf = json_object_get(ev, "confidence");
    if ((x->has_lat = json_is_number(lat))) x->lat = json_number_value(lat);
    if ((x->has_lon = json_is_number(lon))) x->lon = json_number_value(lon);
    if ((x->has_conf = json_is_number(conf))) x->conf = json_number_value(conf);
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(ev, "vessels"), i, v)
    {
        json_int_t m = json_integer_value(json_object_get(v, "mmsi"));
        size_t k = 0;
        while (k < x->nvessels && x->mmsi[k] != m)
            k++;
        if (m > 0 && k == x->nvessels && x->nvessels < LEDGER_MAX_EVENT_VESSELS)
            x->mmsi[x->nvessels++] = m;
    }
}

/* The stored event of argument 0 (canonical JSON text), parsed; NULL when it is not JSON. */
static json_t *arg_event(sqlite3_value **argv)
{
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    int len = sqlite3_value_bytes(argv[0]);
    return text ? json_loadb(text, (size_t)len, 0, NULL) : NULL;
}

static void fn_incident(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    json_t *ev = arg_event(argv);
    const char *s = ev ? sw_event_incident(ev) : NULL;
    if (s)
        sqlite3_result_text(c, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_result_null(c);
    json_decref(ev);
}

static void fn_int(sqlite3_context *c, sqlite3_value **argv, int which)
{
    json_t *ev = arg_event(argv);
    struct ledger_event_index x;
    ledger_event_index(ev, &x);
    sqlite3_result_int(c, which == 0 ? x.rank : which == 1 ? x.ongoing : x.withdrawn);
    json_decref(ev);
}

static void fn_rank(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    fn_int(c, argv, 0);
}

static void fn_ongoing(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    fn_int(c, argv, 1);
}

static void fn_withdrawn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    fn_int(c, argv, 2);
}

int ledger_index_functions(sqlite3 *db)
{
    static const struct {
        const char *name;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {{"sw_event_incident", fn_incident},
               {"sw_event_rank", fn_rank},
               {"sw_event_ongoing", fn_ongoing},
               {"sw_event_withdrawn", fn_withdrawn}};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        if (sqlite3_create_function_v2(db, fns[i].name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                       fns[i].fn, NULL, NULL, NULL) != SQLITE_OK)
            return SW_EDB;
    return SW_OK;
}
