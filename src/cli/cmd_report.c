/*
 * sanctwatch report: the report of a database's incidents (report.html, report.json and the
 * GeoJSON, KML and CSV exports) for a period and a choice of event types. A thin layer over
 * sanctwatch/report.h; the formats are in docs/report.md.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sanctwatch/config.h"
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/report.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

static const char usage_text[] =
    "usage: sanctwatch report [--db DB] [--from T] [--to T] [--type T[,T...]]... --out DIR\n"
    "                         [--key FILE] [--pub FILE] [--config FILE] [--data DIR]\n"
    "                         [--title TEXT]\n"
    "\n"
    "Writes DIR/report.html (self-contained: open it in any browser), report.json,\n"
    "events.geojson, tracks.geojson, events.kml and events.csv for the incidents in DB,\n"
    "and cases.json, deliveries.csv and cap.csv for their cases and the petroleum cap.\n"
    "\n"
    "  --db DB        database (default " SW_STORE_DEFAULT_PATH ")\n"
    "  --from, --to   ISO 8601 times (2024-03-01 or 2024-03-01T06:00:00Z): incidents that\n"
    "                 start in this period; a date alone as --to takes in its whole day\n"
    "  --type T       only these event types (repeat, or separate with commas): encounter,\n"
    "                 dark_rendezvous, loitering, ais_gap, port_call, zone_entry,\n"
    "                 position_spoof, identity_change, identity_fraud, listed_vessel\n"
    "  --key FILE     ledger secret key: signs a fresh tree head when the log grew since the\n"
    "                 last one (default " SW_LEDGER_DEFAULT_KEY " when it exists)\n"
    "  --pub FILE     verifier key written into the report (default: the key's own, or\n"
    "                 " SW_LEDGER_DEFAULT_KEY ".pub when it exists)\n"
    "  --config FILE  detector parameters shown in the methods annex (default detect.conf\n"
    "                 of the data directory)\n"
    "  --data DIR     data directory (coastlines, ports, zones; default: as docs/geo.md)\n"
    "  --title TEXT   report title\n";

struct args {
    const char *db, *out, *key, *pub, *config, *data;
    struct sw_report_opts o;
};

/* 0, 2 on a usage error, 3 for --help. */
static int parse_args(int argc, char **argv, struct args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) return 3;
        if (i + 1 >= argc || opt[0] != '-') {
            cli_error("report: unexpected '%s'", opt);
            return 2;
        }
        const char *v = argv[++i];
        const char **slot = !strcmp(opt, "--db")       ? &a->db
                            : !strcmp(opt, "--out")    ? &a->out
                            : !strcmp(opt, "--key")    ? &a->key
                            : !strcmp(opt, "--pub")    ? &a->pub
                            : !strcmp(opt, "--config") ? &a->config
                            : !strcmp(opt, "--data")   ? &a->data
                            : !strcmp(opt, "--title")  ? &a->o.title
                                                       : NULL;
        if (slot) {
            *slot = v;
        } else if (!strcmp(opt, "--from") || !strcmp(opt, "--to")) {
            if (cli_parse_time("report", opt, v, opt[2] == 'f' ? &a->o.from_ms : &a->o.to_ms))
                return 2;
        } else if (!strcmp(opt, "--type")) {
            if (cli_parse_types("report", v, a->o.types, &a->o.ntypes, SW_REPORT_MAX_TYPES))
                return 2;
        } else {
            cli_error("report: unknown option '%s'", opt);
            return 2;
        }
    }
    if (a->o.from_ms != SW_TIME_NONE && a->o.to_ms != SW_TIME_NONE && a->o.from_ms > a->o.to_ms) {
        cli_error("report: --from is after --to");
        return 2;
    }
    if (!a->out) {
        cli_error("report: --out DIR is required");
        return 2;
    }
    return 0;
}

/* The signing key (given, or the default one when it exists) and the verifier key. */
static int load_keys(struct args *a, struct sw_ledger_key *key, struct sw_ledger_pub *pub,
                     int *have_key)
{
    int rc;
    if (a->key || access(SW_LEDGER_DEFAULT_KEY, R_OK) == 0) {
        const char *kp = a->key ? a->key : SW_LEDGER_DEFAULT_KEY;
        if ((rc = sw_ledger_key_load(kp, key))) {
            cli_error("report: cannot use key '%s': %s", kp,
                      errno == EPERM ? "readable by others (chmod 600)" : sw_strerror(rc));
            return -1;
        }
        *have_key = 1;
        a->o.key = key;
        *pub = key->pub;
        a->o.pub = pub;
    }
    if (a->pub || (!a->o.pub && access(SW_LEDGER_DEFAULT_KEY ".pub", R_OK) == 0)) {
        const char *pp = a->pub ? a->pub : SW_LEDGER_DEFAULT_KEY ".pub";
        if ((rc = sw_ledger_pub_load(pp, pub))) {
            cli_error("report: cannot read public key '%s': %s", pp, sw_strerror(rc));
            return -1;
        }
        a->o.pub = pub;
    }
    return 0;
}

/* Coastlines, ports and zones for the maps (without them the maps still show tracks), and
 * the detector parameters for the methods annex. */
static int load_geo_config(struct args *a, struct sw_geo **geo, struct sw_config **cfg)
{
    char errbuf[SW_GEO_PATHMAX], *errpath = errbuf;
    int rc = sw_geo_open(geo, a->data, errbuf);
    if (rc) {
        cli_warn("report: no coastlines, ports or zones on the maps: %s%s%s", sw_strerror(rc),
                 errpath ? " in " : "", errpath ? errpath : "");
        *geo = NULL;
    }
    static char cfgpath[4096];
    if (!a->config && *geo) {
        snprintf(cfgpath, sizeof cfgpath, "%s/detect.conf", sw_geo_dir(*geo));
        if (access(cfgpath, R_OK) == 0) a->config = cfgpath;
    }
    if (a->config) {
        size_t line = 0;
        if ((rc = sw_config_load(cfg, a->config, &line))) {
            cli_error("report: cannot read '%s' (line %zu): %s", a->config, line, sw_strerror(rc));
            return -1;
        }
        a->o.params = *cfg;
    }
    return 0;
}

/* Build the model from the store, then write the folder: nothing is written unless the
 * whole model was read. */
static int build_and_write(struct args *a, const struct sw_geo *geo)
{
    sqlite3 *db = NULL;
    json_t *model = NULL;
    char err[SW_ERRMAX] = "";
    /* with a key it may sign and record a head: a writer (store.h) */
    int rc = a->o.key ? sw_store_open_writer(a->db, 0, &db, err)
                      : sw_store_open_existing(a->db, &db, err);
    if (rc == SW_OK) rc = sw_report_build(db, &a->o, &model, err);
    if (rc == SW_OK && geo) rc = cli_cases_report(db, geo, a->o.params, model, err); /* cases.md */
    if (rc == SW_OK) rc = sw_report_write(model, geo, a->out, err);
    sw_store_close(db);
    if (rc) {
        cli_error("report: %s", *err ? err : sw_strerror(rc));
        json_decref(model);
        return 1;
    }
    json_t *summary = json_object_get(model, "summary");
    printf("wrote %lld incidents to %s/report.html (open it in a browser), with report.json, "
           "events.geojson, tracks.geojson, events.kml, events.csv, cases.json, deliveries.csv "
           "and cap.csv\n",
           (long long)json_integer_value(json_object_get(summary, "incidents")), a->out);
    json_decref(model);
    return 0;
}

int cmd_report(int argc, char **argv)
{
    struct args a = {.db = SW_STORE_DEFAULT_PATH};
    sw_report_opts_default(&a.o);
    int rc = cli_usage_status(parse_args(argc, argv, &a), usage_text);
    if (rc >= 0) return rc;
    struct sw_ledger_key key;
    struct sw_ledger_pub pub;
    struct sw_geo *geo = NULL;
    struct sw_config *cfg = NULL;
    int have_key = 0, status = 1;
    if (load_keys(&a, &key, &pub, &have_key) == 0 && load_geo_config(&a, &geo, &cfg) == 0)
        status = build_and_write(&a, geo);
    sw_config_free(cfg);
    sw_geo_free(geo);
    if (have_key) sw_ledger_key_wipe(&key);
    return status;
}
