/*
 * sanctwatch vessels: the vessels of a database with identity, flag and latest fix, as an
 * aligned table or as JSON Lines (one object per vessel, sorted by MMSI).
 */
#include "cli.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Open an existing database read-only for a reading command. */
static int open_existing(const char *path, sqlite3 **db)
{
    if (access(path, F_OK) != 0) {
        cli_error("cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        cli_error("cannot open '%s': %s", path, sqlite3_errmsg(*db));
        sqlite3_close(*db);
        return -1;
    }
    sqlite3_busy_timeout(*db, 10000);
    return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static void json_field(struct sw_buf *b, sqlite3_stmt *st, int i, const char *name)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        sw_buf_printf(b, ",\"%s\":null", name);
        break;
    case SQLITE_INTEGER:
        sw_buf_printf(b, ",\"%s\":%lld", name, (long long)sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        sw_buf_printf(b, ",\"%s\":%.10g", name, sqlite3_column_double(st, i));
        break;
    default:
        sw_buf_printf(b, ",\"%s\":", name);
        sw_buf_json_string(b, col_text(st, i), (size_t)sqlite3_column_bytes(st, i));
    }
}

static void json_time(struct sw_buf *b, sqlite3_stmt *st, int i, const char *name)
{
    char tb[32];
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        sw_buf_printf(b, ",\"%s\":null", name);
    else
        sw_buf_printf(b, ",\"%s\":\"%s\"", name,
                      sw_time_format(sqlite3_column_int64(st, i), 1, tb));
}

int cmd_vessels(int argc, char **argv)
{
    const char *dbpath = SW_STORE_DEFAULT_PATH;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            dbpath = argv[++i];
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: sanctwatch vessels [--db DB] [--json]\n\n"
                   "List the vessels in DB (default %s) sorted by MMSI: flag, class, name,\n"
                   "call sign, IMO, ship type, last fix. --json writes one JSON object a line.\n",
                   SW_STORE_DEFAULT_PATH);
            return 0;
        } else {
            cli_error("vessels: unknown argument '%s'", argv[i]);
            return 2;
        }
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int status = 1;
    if (open_existing(dbpath, &db)) return 1;
    if (sqlite3_prepare_v2(db,
                           "SELECT mmsi, flag, class, name, callsign, imo, ship_type, length_m,"
                           " beam_m, draught, destination, first_seen, last_seen, positions,"
                           " statics, last_time, last_lat, last_lon, last_sog, last_cog,"
                           " last_heading, last_status,"
                           " (SELECT COUNT(*) FROM identity_history h WHERE h.mmsi = v.mmsi)"
                           " FROM vessels v ORDER BY mmsi",
                           -1, &st, NULL) != SQLITE_OK) {
        cli_error("cannot read vessels from '%s': %s", dbpath, sqlite3_errmsg(db));
        goto out;
    }
    struct sw_buf b;
    sw_buf_init(&b, 1 << 20);
    if (!json)
        printf("%-9s %-2s %-1s %-20s %-7s %-7s %4s %-20s %10s %11s %5s\n", "MMSI", "FL", "C",
               "NAME", "CALL", "IMO", "TYPE", "LAST SEEN", "LAT", "LON", "SOG");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char tb[32];
        if (json) {
            sw_buf_reset(&b);
            sw_buf_printf(&b, "{\"mmsi\":%lld", (long long)sqlite3_column_int64(st, 0));
            static const char *const names[] = {NULL,       "flag",    "class",      "name",
                                                "callsign", "imo",     "ship_type",  "length_m",
                                                "beam_m",   "draught", "destination"};
            for (int i = 1; i <= 10; i++)
                json_field(&b, st, i, names[i]);
            json_time(&b, st, 11, "first_seen");
            json_time(&b, st, 12, "last_seen");
            json_field(&b, st, 13, "positions");
            json_field(&b, st, 14, "statics");
            json_field(&b, st, 22, "identities");
            if (sqlite3_column_type(st, 15) != SQLITE_NULL) {
                sw_buf_puts(&b, ",\"last\":{");
                sw_buf_printf(&b, "\"time\":\"%s\"",
                              sw_time_format(sqlite3_column_int64(st, 15), 1, tb));
                json_field(&b, st, 16, "lat");
                json_field(&b, st, 17, "lon");
                json_field(&b, st, 18, "sog");
                json_field(&b, st, 19, "cog");
                json_field(&b, st, 20, "heading");
                json_field(&b, st, 21, "status");
                sw_buf_putc(&b, '}');
            } else {
                sw_buf_puts(&b, ",\"last\":null");
            }
            sw_buf_puts(&b, "}\n");
            fwrite(b.data, 1, b.len, stdout);
        } else {
            char imo[16] = "", type[8] = "", lat[16] = "", lon[16] = "", sog[8] = "";
            if (sqlite3_column_type(st, 5) != SQLITE_NULL)
                snprintf(imo, sizeof imo, "%lld", (long long)sqlite3_column_int64(st, 5));
            if (sqlite3_column_type(st, 6) != SQLITE_NULL)
                snprintf(type, sizeof type, "%d", sqlite3_column_int(st, 6));
            if (sqlite3_column_type(st, 15) != SQLITE_NULL) {
                snprintf(lat, sizeof lat, "%.5f", sqlite3_column_double(st, 16));
                snprintf(lon, sizeof lon, "%.5f", sqlite3_column_double(st, 17));
            }
            if (sqlite3_column_type(st, 18) != SQLITE_NULL)
                snprintf(sog, sizeof sog, "%.1f", sqlite3_column_double(st, 18));
            printf("%-9lld %-2s %-1s %-20s %-7s %-7s %4s %-20s %10s %11s %5s\n",
                   (long long)sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2),
                   col_text(st, 3), col_text(st, 4), imo, type,
                   sw_time_format(sqlite3_column_int64(st, 12), 0, tb), lat, lon, sog);
        }
    }
    sw_buf_release(&b);
    if (rc != SQLITE_DONE) {
        cli_error("cannot read vessels from '%s': %s", dbpath, sqlite3_errmsg(db));
        goto out;
    }
    status = fflush(stdout) == 0 ? 0 : 1;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return status;
}
