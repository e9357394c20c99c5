/*
 * sanctwatch events: the events of a database with filters, as a table or as JSON Lines (each
 * event as recorded, with its evidence: the input eval scores). By default each incident once,
 * as its latest record, the most significant first; --records lists every ledger record.
 * A thin layer over sw_query_events (query.h).
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/query.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#define MAX_TYPES 32

static const char usage_text[] =
    "usage: sanctwatch events [--db DB] [--type T[,T...]]... [--from T] [--to T]\n"
    "                         [--bbox S,W,N,E] [--mmsi N] [--min-confidence X] [--records]\n"
    "                         [--order time|significance] [--json] [--limit N]\n"
    "                         [--after CURSOR]\n"
    "\n"
    "Lists the events in DB: each incident once, as its latest record (an event published\n"
    "ongoing and completed later is one incident; withdrawn incidents are left out), the\n"
    "most significant first.\n"
    "\n"
    "  --db DB            database (default " SW_STORE_DEFAULT_PATH ")\n"
    "  --type T           only these event types (repeat, or separate with commas)\n"
    "  --from, --to       events that overlap this period (ISO 8601; a date alone as --to\n"
    "                     takes in its whole day; an ongoing event lasts until now)\n"
    "  --bbox S,W,N,E     events placed in this area (W > E crosses the antimeridian)\n"
    "  --mmsi N           events of this vessel\n"
    "  --min-confidence X events of at least this confidence (0..1)\n"
    "  --records          every ledger record instead of incidents\n"
    "  --order O          significance (default: rank, confidence, start) or time\n"
    "  --json             one event a line, as recorded (with evidence.leaf and .sha256)\n"
    "  --limit N          at most N events; the cursor of the next page goes to stderr\n"
    "  --after CURSOR     the page after that cursor (same filter)\n";

struct out {
    int json;
    size_t n;
    char last[SW_CURSOR_MAX];
};

static int row(void *ctx, const struct sw_event_row *e)
{
    struct out *o = ctx;
    o->n++;
    snprintf(o->last, sizeof o->last, "%s", e->cursor);
    if (o->json) {
        if (json_dumpf(e->event, stdout, JSON_COMPACT | JSON_REAL_PRECISION(15)) ||
            putchar('\n') == EOF)
            return SW_EIO;
        return SW_OK;
    }
    char sb[32], eb[32], conf[16] = "", place[40] = "", vessels[256] = "";
    size_t len = 0, i;
    json_t *v;
    json_array_foreach(json_object_get(e->event, "vessels"), i, v)
    {
        if (len < sizeof vessels - 12)
            len += (size_t)snprintf(vessels + len, sizeof vessels - len, "%s%lld", i ? "," : "",
                                    (long long)json_integer_value(json_object_get(v, "mmsi")));
    }
    if (!isnan(e->confidence)) snprintf(conf, sizeof conf, "%.2f", e->confidence);
    if (!isnan(e->lat) && !isnan(e->lon))
        snprintf(place, sizeof place, "%.4f,%.4f", e->lat, e->lon);
    char recs[24] = "";
    if (e->records > 1) snprintf(recs, sizeof recs, " (%d records)", e->records);
    printf("%-32s %-16s %d %4s %-20s %-20s %-20s %s%s%s\n", e->id, e->type, e->rank, conf,
           e->start == SW_TIME_NONE ? "" : sw_time_format(e->start, 0, sb),
           e->ongoing               ? "ongoing"
           : e->end == SW_TIME_NONE ? ""
                                    : sw_time_format(e->end, 0, eb),
           place, vessels, e->withdrawn ? " withdrawn" : "", recs);
    return ferror(stdout) ? SW_EIO : SW_OK;
}

static int parse_bbox(const char *v, struct sw_bbox *b)
{
    char *end;
    double x[4];
    const char *p = v;
    for (int i = 0; i < 4; i++) {
        errno = 0;
        x[i] = strtod(p, &end);
        if (end == p || errno || (i < 3 ? *end != ',' : *end != '\0')) {
            cli_error("events: --bbox expects S,W,N,E in degrees, not '%s'", v);
            return -1;
        }
        p = end + 1;
    }
    *b = (struct sw_bbox){1, x[0], x[1], x[2], x[3]};
    return 0;
}

static int parse_number(const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(v, &end);
    if (end == v || *end || errno || !(*out >= lo && *out <= hi)) {
        cli_error("events: %s expects a number from %g to %g, not '%s'", opt, lo, hi, v);
        return -1;
    }
    return 0;
}

/* Options into f and o; 0, or the exit status of a usage error (or 3 for --help). */
static int parse_args(int argc, char **argv, const char **db, struct sw_event_filter *f,
                      struct out *o, const char **types)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double x;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return 3;
        if (!strcmp(a, "--records") || !strcmp(a, "--json")) {
            *(!strcmp(a, "--json") ? &o->json : &f->records) = 1;
            continue;
        }
        if (i + 1 >= argc || a[0] != '-') {
            cli_error("events: unexpected '%s'", a);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--db")) {
            *db = v;
        } else if (!strcmp(a, "--type")) {
            if (cli_parse_types("events", v, types, &f->ntypes, MAX_TYPES)) return 2;
        } else if (!strcmp(a, "--from") || !strcmp(a, "--to")) {
            if (cli_parse_time("events", a, v, a[2] == 'f' ? &f->from : &f->to)) return 2;
        } else if (!strcmp(a, "--bbox")) {
            if (parse_bbox(v, &f->bbox)) return 2;
        } else if (!strcmp(a, "--mmsi")) {
            if (parse_number(a, v, 1, 999999999, &x)) return 2;
            f->mmsi = (uint32_t)x;
        } else if (!strcmp(a, "--min-confidence")) {
            if (parse_number(a, v, 0, 1, &f->min_confidence)) return 2;
        } else if (!strcmp(a, "--limit")) {
            if (parse_number(a, v, 1, 1e9, &x)) return 2;
            f->limit = (size_t)x;
        } else if (!strcmp(a, "--after")) {
            f->after = v;
        } else if (!strcmp(a, "--order") && (!strcmp(v, "time") || !strcmp(v, "significance"))) {
            f->order = !strcmp(v, "time") ? SW_ORDER_TIME : SW_ORDER_SIGNIFICANCE;
        } else {
            cli_error("events: unknown option '%s %s'", a, v);
            return 2;
        }
    }
    return 0;
}

int cmd_events(int argc, char **argv)
{
    const char *dbpath = SW_STORE_DEFAULT_PATH;
    static const char *types[MAX_TYPES];
    struct sw_event_filter f = {
        .from = SW_TIME_NONE, .to = SW_TIME_NONE, .order = SW_ORDER_SIGNIFICANCE, .types = types};
    struct out o = {0};
    int rc = parse_args(argc, argv, &dbpath, &f, &o, types);
    if (rc == 3) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (rc) {
        fputs(usage_text, stderr);
        return rc;
    }
    if (f.from != SW_TIME_NONE && f.to != SW_TIME_NONE && f.from > f.to) {
        cli_error("events: --from is after --to");
        return 2;
    }
    sqlite3 *db;
    char err[SW_ERRMAX] = "";
    if (sw_query_open(dbpath, &db, err)) {
        cli_error("%s", err);
        return 1;
    }
    if (!o.json)
        printf("%-32s %-16s %s %4s %-20s %-20s %-20s %s\n", "ID", "TYPE", "R", "CONF", "START",
               "END", "PLACE", "VESSELS");
    rc = sw_query_events(db, &f, row, &o, err);
    sw_store_close(db);
    if (rc) {
        cli_error("'%s': %s", dbpath,
                  rc == SW_EIO ? strerror(errno)
                  : *err       ? err
                               : sw_strerror(rc));
        return rc == SW_EINVAL ? 2 : 1;
    }
    if (f.limit && o.n == f.limit) fprintf(stderr, "next page: --after %s\n", o.last);
    return fflush(stdout) == 0 ? 0 : 1;
}
