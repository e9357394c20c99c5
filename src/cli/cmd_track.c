/*
 * sanctwatch track MMSI: the stored (downsampled) track of one vessel between two times, as
 * CSV text or as GeoJSON (a FeatureCollection with one LineString whose "times" property
 * lists each vertex's time, and one Point per vertex is not written: keep files small).
 */
#include "cli.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_time(const char *s, int64_t *out)
{
    if (sw_time_parse(s, strlen(s), out) == SW_OK) return 0;
    cli_error("track: bad time '%s' (expected YYYY-MM-DD[THH:MM[:SS]][Z])", s);
    return -1;
}

int cmd_track(int argc, char **argv)
{
    const char *dbpath = SW_STORE_DEFAULT_PATH, *mmsi_s = NULL;
    int64_t from = INT64_MIN, to = INT64_MAX;
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
    if (access(dbpath, F_OK) != 0) {
        cli_error("cannot open '%s': %s", dbpath, strerror(errno));
        return 1;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int status = 1, n = 0, rc;
    struct sw_buf b, times;
    sw_buf_init(&b, 0);
    sw_buf_init(&times, 0);
    if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT t, lat, lon, sog, cog, heading, status FROM track"
                           " WHERE mmsi = ? AND t >= ? AND t <= ? ORDER BY t",
                           -1, &st, NULL) != SQLITE_OK) {
        cli_error("cannot read the track from '%s': %s", dbpath, sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)mmsi);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    if (!geojson) printf("time,lat,lon,sog,cog,heading,status\n");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char tb[32];
        sw_time_format(sqlite3_column_int64(st, 0), 1, tb);
        if (geojson) {
            if (sw_buf_printf(&b, "%s[%.7f,%.7f]", n ? "," : "", sqlite3_column_double(st, 2),
                              sqlite3_column_double(st, 1)) ||
                sw_buf_printf(&times, "%s\"%s\"", n ? "," : "", tb)) {
                cli_error("track: too many points");
                goto out;
            }
        } else {
            printf("%s,%.7f,%.7f", tb, sqlite3_column_double(st, 1), sqlite3_column_double(st, 2));
            for (int i = 3; i <= 6; i++) {
                const unsigned char *t = sqlite3_column_text(st, i);
                printf(",%s", t ? (const char *)t : "");
            }
            putchar('\n');
        }
        n++;
    }
    if (rc != SQLITE_DONE) {
        cli_error("cannot read the track from '%s': %s", dbpath, sqlite3_errmsg(db));
        goto out;
    }
    if (geojson) {
        /* A LineString needs two positions; one point is written as a Point. */
        printf("{\"type\":\"FeatureCollection\",\"features\":[");
        if (n == 1)
            printf("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":%s},"
                   "\"properties\":{\"mmsi\":%llu,\"times\":[%s]}}",
                   b.data, mmsi, times.data);
        else if (n > 1)
            printf("{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
                   "[%s]},\"properties\":{\"mmsi\":%llu,\"times\":[%s]}}",
                   b.data, mmsi, times.data);
        printf("]}\n");
    }
    if (n == 0) cli_warn("no track points for MMSI %llu in '%s'", mmsi, dbpath);
    status = fflush(stdout) == 0 ? 0 : 1;
out:
    sw_buf_release(&b);
    sw_buf_release(&times);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return status;
}
