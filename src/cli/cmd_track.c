/*
 * sanctwatch track MMSI: the stored (downsampled) track of one vessel between two times, as
 * CSV text or as GeoJSON (a FeatureCollection with one LineString whose "times" property
 * lists each vertex's time, and one Point per vertex is not written: keep files small).
 */
#include "cli.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/query.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int parse_time(const char *s, int64_t *out)
{
    if (sw_time_parse(s, strlen(s), out) == SW_OK) return 0;
    cli_error("track: bad time '%s' (expected YYYY-MM-DD[THH:MM[:SS]][Z])", s);
    return -1;
}

#define TOO_MANY 1

struct out {
    int geojson;
    size_t n;
    struct sw_buf b, times;
};

/* A real as SQLite writes one as text (what this command printed when it read the columns
 * itself): 15 significant digits, always with a decimal point; unknown: nothing. */
static void put_real(double v)
{
    char buf[40];
    if (isnan(v)) {
        fputs(",", stdout);
        return;
    }
    snprintf(buf, sizeof buf, "%.15g", v);
    if (!strpbrk(buf, ".eEn")) {
        printf(",%s.0", buf);
        return;
    }
    char *e = strpbrk(buf, "eE");
    if (e && !memchr(buf, '.', (size_t)(e - buf)))
        printf(",%.*s.0%s", (int)(e - buf), buf, e);
    else
        printf(",%s", buf);
}

static void put_int(int v)
{
    if (v < 0)
        fputs(",", stdout);
    else
        printf(",%d", v);
}

static int point(void *ctx, const struct sw_track_point *p)
{
    struct out *o = ctx;
    char tb[32];
    sw_time_format(p->t, 1, tb);
    if (o->geojson) {
        if (sw_buf_printf(&o->b, "%s[%.7f,%.7f]", o->n ? "," : "", p->lon, p->lat) ||
            sw_buf_printf(&o->times, "%s\"%s\"", o->n ? "," : "", tb))
            return TOO_MANY;
    } else {
        printf("%s,%.7f,%.7f", tb, p->lat, p->lon);
        put_real(p->sog);
        put_real(p->cog);
        put_int(p->heading);
        put_int(p->status);
        putchar('\n');
    }
    o->n++;
    return 0;
}

int cmd_track(int argc, char **argv)
{
    const char *dbpath = SW_STORE_DEFAULT_PATH, *mmsi_s = NULL;
    int64_t from = SW_TIME_NONE, to = SW_TIME_NONE;
    int geojson = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            dbpath = argv[++i];
        } else if (!strcmp(argv[i], "--from") && i + 1 < argc) {
            if (parse_time(argv[++i], &from)) return 2;
        } else if (!strcmp(argv[i], "--to") && i + 1 < argc) {
            if (parse_time(argv[++i], &to)) return 2;
        } else if (!strcmp(argv[i], "--geojson")) {
            geojson = 1;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: sanctwatch track [--db DB] [--from T] [--to T] [--geojson] MMSI\n\n"
                   "Print the stored track of vessel MMSI (downsampled: turns, stops and gaps\n"
                   "kept) as CSV (time,lat,lon,sog,cog,heading,status) or GeoJSON.\n");
            return 0;
        } else if (argv[i][0] == '-') {
            cli_error("track: unknown option '%s'", argv[i]);
            return 2;
        } else if (!mmsi_s) {
            mmsi_s = argv[i];
        } else {
            cli_error("track: more than one MMSI");
            return 2;
        }
    }
    char *end;
    errno = 0;
    unsigned long long mmsi = mmsi_s ? strtoull(mmsi_s, &end, 10) : 0;
    if (!mmsi_s || *end || errno || mmsi == 0 || mmsi > 999999999ULL) {
        cli_error("track: %s", mmsi_s ? "bad MMSI" : "missing MMSI");
        fprintf(stderr, "usage: sanctwatch track [--db DB] [--from T] [--to T] [--geojson] MMSI\n");
        return 2;
    }
    sqlite3 *db = NULL;
    char err[SW_ERRMAX];
    int status = 1;
    struct out o = {.geojson = geojson};
    sw_buf_init(&o.b, 0);
    sw_buf_init(&o.times, 0);
    if (sw_query_open(dbpath, &db, err)) {
        cli_error("%s", err);
        goto out;
    }
    if (!geojson) printf("time,lat,lon,sog,cog,heading,status\n");
    struct sw_track_filter f = {.mmsi = (uint32_t)mmsi, .from = from, .to = to};
    int rc = sw_query_track(db, &f, point, &o, err);
    if (rc == TOO_MANY) {
        cli_error("track: too many points");
        goto out;
    }
    if (rc) {
        cli_error("'%s': %s", dbpath, err);
        goto out;
    }
    size_t n = o.n;
    if (geojson) {
        /* A LineString needs two positions; one point is written as a Point. */
        printf("{\"type\":\"FeatureCollection\",\"features\":[");
        if (n == 1)
            printf("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":%s},"
                   "\"properties\":{\"mmsi\":%llu,\"times\":[%s]}}",
                   o.b.data, mmsi, o.times.data);
        else if (n > 1)
            printf("{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
                   "[%s]},\"properties\":{\"mmsi\":%llu,\"times\":[%s]}}",
                   o.b.data, mmsi, o.times.data);
        printf("]}\n");
    }
    if (n == 0) cli_warn("no track points for MMSI %llu in '%s'", mmsi, dbpath);
    status = fflush(stdout) == 0 ? 0 : 1;
out:
    sw_buf_release(&o.b);
    sw_buf_release(&o.times);
    sw_store_close(db);
    return status;
}
