/*
 * sanctwatch cases: the cases of a database, ranked by risk score (each factor explained),
 * and the refined-petroleum cap tracker (deliveries and yearly totals against the cap of
 * resolution 2397). A thin wrapper over sw_cases_build (sanctwatch/cases.h, docs/cases.md).
 */
#include "cli.h"

#include "sanctwatch/cases.h"
#include "sanctwatch/error.h"
#include "sanctwatch/query.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: sanctwatch cases [--db DB] [--json] [--from T] [--to T] [--limit N]\n"
    "       sanctwatch cases --cap [--csv|--json] [--product P] [--db DB] [--from T] [--to T]\n\n"
    "The cases of DB: its incidents joined by vessel (the vessels met, the identities shared),\n"
    "ranked by a risk score whose factors are explained. --cap: candidate refined-petroleum\n"
    "deliveries to the DPRK with their volumes, and the yearly totals against the 500,000\n"
    "barrel cap of resolution 2397 (docs/cases.md).\n\n"
    "  --db DB        database (default " SW_STORE_DEFAULT_PATH ")\n"
    "  --json         the whole model (cases and cap) as JSON\n"
    "  --cap          the cap tracker instead of the cases\n"
    "  --csv          with --cap: the deliveries as CSV\n"
    "  --product P    gas_diesel_oil (default), motor_gasoline, kerosene, residual_fuel_oil\n"
    "  --from T       incidents that end at or after T (ISO 8601)\n"
    "  --to T         incidents that start at or before T\n"
    "  --limit N      cases written in full (default 50)\n"
    "  --data DIR     data directory (ports, zones; default as docs/geo.md)\n"
    "  --config FILE  [cases] ports = another list of sensitive ports\n";

struct args {
    const char *db, *data, *config;
    int json, cap, csv;
    struct sw_cases_build_opts o;
};

static int parse_args(int argc, char **argv, struct args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(s, "--help") || !strcmp(s, "-h")) return 3;
        if (!strcmp(s, "--json"))
            a->json = 1;
        else if (!strcmp(s, "--cap"))
            a->cap = 1;
        else if (!strcmp(s, "--csv"))
            a->csv = 1;
        else if (!v)
            return cli_error("cases: unknown option or missing value '%s'", s), 2;
        else if (!strcmp(s, "--db"))
            a->db = argv[++i];
        else if (!strcmp(s, "--data"))
            a->data = argv[++i];
        else if (!strcmp(s, "--config"))
            a->config = argv[++i];
        else if (!strcmp(s, "--from") || !strcmp(s, "--to")) {
            if (cli_parse_time("cases", s, v, s[2] == 'f' ? &a->o.from : &a->o.to)) return 2;
            i++;
        } else if (!strcmp(s, "--product")) {
            if ((a->o.product = sw_cases_product_of(v)) < 0)
                return cli_error("cases: unknown product '%s'", v), 2;
            i++;
        } else if (!strcmp(s, "--limit")) {
            char *end;
            errno = 0;
            long n = strtol(v, &end, 10);
            if (*end || errno || n < 1 || n > 100000)
                return cli_error("cases: bad value '%s' for --limit", v), 2;
            a->o.max_cases = (size_t)n;
            i++;
        } else
            return cli_error("cases: unknown option '%s'", s), 2;
    }
    if (a->csv && !a->cap) return cli_error("cases: --csv goes with --cap"), 2;
    if (a->csv && a->json) return cli_error("cases: --csv or --json, not both"), 2;
    return 0;
}

static void print_cases(const json_t *m)
{
    size_t i, k;
    json_t *c, *f;
    printf("%-4s %-5s %-15s %-7s %-9s %s\n", "rank", "score", "case", "vessels", "incidents",
           "lead vessel; factors");
    json_array_foreach(json_object_get(m, "cases"), i, c)
    {
        const char *name = json_string_value(json_object_get(c, "lead_name"));
        printf("%-4lld %-5lld %-15s %-7zu %-9lld %lld %s;",
               (long long)json_integer_value(json_object_get(c, "rank")),
               (long long)json_integer_value(json_object_get(c, "score")),
               json_string_value(json_object_get(c, "id")),
               json_array_size(json_object_get(c, "vessels")),
               (long long)json_integer_value(json_object_get(c, "incidents")),
               (long long)json_integer_value(json_object_get(c, "lead_mmsi")), name ? name : "");
        json_array_foreach(json_object_get(c, "factors"), k, f)
            printf(" %s(+%lld)", json_string_value(json_object_get(f, "factor")),
                   (long long)json_integer_value(json_object_get(f, "weight")));
        putchar('\n');
    }
}

static void print_cap(const json_t *m)
{
    const json_t *cap = json_object_get(m, "cap");
    size_t i;
    json_t *y;
    printf("refined petroleum delivered to the DPRK (%s, %.2f barrels per tonne), cap %.0f "
           "barrels a year\n",
           json_string_value(json_object_get(cap, "product_name")),
           json_number_value(json_object_get(cap, "bbl_per_t")),
           json_number_value(json_object_get(cap, "cap_bbl")));
    printf("%-5s %-10s %-8s %-12s %-12s %-12s %-12s %s\n", "year", "deliveries", "sized",
           "bbl at 33%", "bbl at 50%", "bbl at 90%", "by draught", "share of cap at 33/50/90%");
    json_array_foreach(json_object_get(cap, "years"), i, y)
    {
        const json_t *b = json_object_get(y, "bbl"), *s = json_object_get(y, "share_of_cap");
        printf("%-5lld %-10lld %-8lld %-12.0f %-12.0f %-12.0f %-12.0f %.0f%% / %.0f%% / %.0f%%\n",
               (long long)json_integer_value(json_object_get(y, "year")),
               (long long)json_integer_value(json_object_get(y, "deliveries")),
               (long long)json_integer_value(json_object_get(y, "with_volume")),
               json_number_value(json_array_get(b, 0)), json_number_value(json_array_get(b, 1)),
               json_number_value(json_array_get(b, 2)),
               json_number_value(json_object_get(y, "bbl_draught")),
               100 * json_number_value(json_array_get(s, 0)),
               100 * json_number_value(json_array_get(s, 1)),
               100 * json_number_value(json_array_get(s, 2)));
    }
}

/* The sensitive ports ([cases] ports of --config) and the context over the geo data. */
static int open_context(const struct args *a, struct sw_geo **geo, struct sw_cases **c)
{
    char errpath[SW_GEO_PATHMAX];
    struct sw_cases_params p;
    char err[SW_ERRMAX] = "", key[64] = "";
    int rc = sw_geo_open(geo, a->data, errpath);
    if (rc) {
        cli_error("cases: cannot load the geographic data%s%s%s: %s", *errpath ? " '" : "", errpath,
                  *errpath ? "'" : "", sw_strerror(rc));
        return -1;
    }
    sw_cases_params_default(&p);
    if (a->config) {
        struct sw_config *conf = NULL;
        size_t line = 0;
        if ((rc = sw_config_load(&conf, a->config, &line)) == SW_OK)
            rc = sw_cases_params_load(&p, conf, key);
        sw_config_free(conf);
        if (rc) {
            cli_error("cases: '%s': %s%s%s", a->config, sw_strerror(rc), key[0] ? " in " : "", key);
            return -1;
        }
    }
    if ((rc = sw_cases_new(c, *geo, &p, err)) != SW_OK) {
        cli_error("cases: cannot load the sensitive ports: %s", err[0] ? err : sw_strerror(rc));
        return -1;
    }
    return 0;
}

int cmd_cases(int argc, char **argv)
{
    struct args a = {.db = SW_STORE_DEFAULT_PATH};
    sw_cases_build_opts_default(&a.o);
    int rc = cli_usage_status(parse_args(argc, argv, &a), usage_text);
    if (rc >= 0) return rc;
    struct sw_geo *geo = NULL;
    struct sw_cases *c = NULL;
    sqlite3 *db = NULL;
    json_t *m = NULL;
    char err[SW_ERRMAX] = "";
    int status = 1;
    if (open_context(&a, &geo, &c)) goto out;
    if (sw_query_open(a.db, &db, err) != SW_OK) {
        cli_error("cases: %s", err);
        goto out;
    }
    if ((rc = sw_cases_build(db, c, &a.o, &m, err)) != SW_OK) {
        cli_error("cases: %s", err[0] ? err : sw_strerror(rc));
        goto out;
    }
    if (a.json)
        rc = json_dumpf(m, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(15)) ? SW_EIO : SW_OK;
    else if (a.csv)
        rc = sw_cases_write_deliveries_csv(m, stdout);
    else if (a.cap)
        print_cap(m);
    else
        print_cases(m);
    if (a.json) putchar('\n');
    status = rc || fflush(stdout) == EOF ? 1 : 0;
    if (status) cli_error("cases: cannot write the output: %s", strerror(errno));
out:
    json_decref(m);
    sw_store_close(db);
    sw_cases_free(c);
    sw_geo_free(geo);
    return status;
}
