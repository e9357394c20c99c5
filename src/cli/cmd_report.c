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
#include "sanctwatch/detect.h"
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
    "events.geojson, tracks.geojson, events.kml and events.csv for the incidents in DB.\n"
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

static int parse_time(const char *opt, const char *s, int64_t *out)
{
    if (sw_time_parse(s, strlen(s), out) != SW_OK) {
        cli_error("report: %s expects an ISO 8601 time, not '%s'", opt, s);
        return -1;
    }
    return 0;
}

static int known_type(const char *t)
{
    for (int i = 0; i < SW_DT_COUNT; i++)
        if (!strcmp(t, sw_detect_type_name(i))) return 1;
    return 0;
}

int cmd_report(int argc, char **argv)
{
    const char *db_path = SW_STORE_DEFAULT_PATH, *out = NULL, *key_path = NULL, *pub_path = NULL;
    const char *config_path = NULL, *data = NULL;
    struct sw_report_opts o;
    sw_report_opts_default(&o);
    static char typebuf[1024];
    size_t typeused = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (i + 1 >= argc || a[0] != '-') {
            cli_error("report: unexpected '%s'", a);
            fputs(usage_text, stderr);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--db"))
            db_path = v;
        else if (!strcmp(a, "--out"))
            out = v;
        else if (!strcmp(a, "--key"))
            key_path = v;
        else if (!strcmp(a, "--pub"))
            pub_path = v;
        else if (!strcmp(a, "--config"))
            config_path = v;
        else if (!strcmp(a, "--data"))
            data = v;
        else if (!strcmp(a, "--title"))
            o.title = v;
        else if (!strcmp(a, "--from")) {
            if (parse_time(a, v, &o.from_ms)) return 2;
        } else if (!strcmp(a, "--to")) {
            if (parse_time(a, v, &o.to_ms)) return 2;
            if (strlen(v) == 10) /* a date alone: through the end of that day */
                o.to_ms += 86400000 - 1;
        } else if (!strcmp(a, "--type")) {
            /* Split on commas into the static buffer; the opts point into it. */
            size_t len = strlen(v);
            if (typeused + len + 1 > sizeof typebuf) {
                cli_error("report: too many --type values");
                return 2;
            }
            char *copy = typebuf + typeused;
            memcpy(copy, v, len + 1);
            typeused += len + 1;
            char *save = NULL;
            for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (!known_type(t)) { /* a typo must not give an empty report */
                    cli_error("report: unknown event type '%s'", t);
                    return 2;
                }
                if (o.ntypes == SW_REPORT_MAX_TYPES) {
                    cli_error("report: at most %d event types", SW_REPORT_MAX_TYPES);
                    return 2;
                }
                o.types[o.ntypes++] = t;
            }
        } else {
            cli_error("report: unknown option '%s'", a);
            fputs(usage_text, stderr);
            return 2;
        }
    }
    if (o.from_ms != SW_TIME_NONE && o.to_ms != SW_TIME_NONE && o.from_ms > o.to_ms) {
        cli_error("report: --from is after --to");
        return 2;
    }
    if (!out) {
        cli_error("report: --out DIR is required");
        fputs(usage_text, stderr);
        return 2;
    }
    int status = 1;
    struct sw_ledger_key key;
    struct sw_ledger_pub pub;
    int have_key = 0;
    sqlite3 *db = NULL;
    struct sw_geo *geo = NULL;
    struct sw_config *cfg = NULL;
    json_t *model = NULL;
    char err[SW_ERRMAX] = "";
    int rc;

    if (sw_store_open_existing(db_path, &db, err)) {
        cli_error("report: %s", err);
        goto done;
    }

    if (key_path || access(SW_LEDGER_DEFAULT_KEY, R_OK) == 0) {
        const char *kp = key_path ? key_path : SW_LEDGER_DEFAULT_KEY;
        rc = sw_ledger_key_load(kp, &key);
        if (rc) {
            cli_error("report: cannot use key '%s': %s", kp,
                      errno == EPERM ? "readable by others (chmod 600)" : sw_strerror(rc));
            goto done;
        }
        have_key = 1;
        o.key = &key;
        pub = key.pub;
        o.pub = &pub;
    }
    if (pub_path || (!o.pub && access(SW_LEDGER_DEFAULT_KEY ".pub", R_OK) == 0)) {
        const char *pp = pub_path ? pub_path : SW_LEDGER_DEFAULT_KEY ".pub";
        rc = sw_ledger_pub_load(pp, &pub);
        if (rc) {
            cli_error("report: cannot read public key '%s': %s", pp, sw_strerror(rc));
            goto done;
        }
        o.pub = &pub;
    }

    const char *errpath = NULL;
    rc = sw_geo_open(&geo, data, &errpath);
    if (rc) {
        /* Maps then show tracks without coastlines: say so, but still report. */
        cli_warn("report: no coastlines, ports or zones on the maps: %s%s%s", sw_strerror(rc),
                 errpath ? " in " : "", errpath ? errpath : "");
        geo = NULL;
    }
    char cfgpath[4096];
    if (!config_path && geo) {
        snprintf(cfgpath, sizeof cfgpath, "%s/detect.conf", sw_geo_dir(geo));
        if (access(cfgpath, R_OK) == 0) config_path = cfgpath;
    }
    if (config_path) {
        size_t line = 0;
        rc = sw_config_load(&cfg, config_path, &line);
        if (rc) {
            cli_error("report: cannot read '%s' (line %zu): %s", config_path, line,
                      sw_strerror(rc));
            goto done;
        }
        o.params = cfg;
    }

    rc = sw_report_build(db, &o, &model, err);
    if (rc) {
        cli_error("report: %s", *err ? err : sw_strerror(rc));
        goto done;
    }
    rc = sw_report_write(model, geo, out, err);
    if (rc) {
        cli_error("report: %s", err);
        goto done;
    }
    json_t *summary = json_object_get(model, "summary");
    printf("wrote %lld incidents to %s/report.html (open it in a browser), with report.json, "
           "events.geojson, tracks.geojson, events.kml and events.csv\n",
           (long long)json_integer_value(json_object_get(summary, "incidents")), out);
    status = 0;
done:
    json_decref(model);
    sw_store_close(db);
    sw_config_free(cfg);
    sw_geo_free(geo);
    if (have_key) sw_ledger_key_wipe(&key);
    return status;
}
