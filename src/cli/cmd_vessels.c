/*
 * sanctwatch vessels: the vessels of a database with identity, flag and latest fix, as an
 * aligned table or as JSON Lines (one object per vessel, sorted by MMSI).
 */
#include "cli.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/query.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* JSON helpers for one row: unknown values are null. */
static void j_str(void *ctx, const char *name, const char *v)
{
    struct sw_buf *b = ctx;
    sw_buf_printf(b, ",\"%s\":", name);
    if (*v)
        sw_buf_json_string(b, v, strlen(v));
    else
        sw_buf_puts(b, "null");
}

static void j_int(void *ctx, const char *name, long long v, int known)
{
    struct sw_buf *b = ctx;
    if (known)
        sw_buf_printf(b, ",\"%s\":%lld", name, v);
    else
        sw_buf_printf(b, ",\"%s\":null", name);
}

static void j_real(void *ctx, const char *name, double v)
{
    struct sw_buf *b = ctx;
    if (isnan(v))
        sw_buf_printf(b, ",\"%s\":null", name);
    else
        sw_buf_printf(b, ",\"%s\":%.10g", name, v);
}

static void j_time(void *ctx, const char *name, int64_t t)
{
    struct sw_buf *b = ctx;
    char tb[32];
    if (t == SW_TIME_NONE)
        sw_buf_printf(b, ",\"%s\":null", name);
    else
        sw_buf_printf(b, ",\"%s\":\"%s\"", name, sw_time_format(t, 1, tb));
}

struct out {
    int json;
    struct sw_buf b;
};

static int json_row(struct out *o, const struct sw_vessel_row *v)
{
    struct sw_buf *b = &o->b;
    static const struct sw_vessel_row_writer w = {j_str, j_int, j_real, j_time};
    sw_buf_reset(b);
    sw_buf_printf(b, "{\"mmsi\":%u", v->mmsi);
    sw_vessel_row_write(v, &w, b);
    j_int(b, "identities", v->identities, 1);
    j_int(b, "listed", v->listed, 1);
    if (v->has_fix) {
        char tb[32];
        sw_buf_printf(b, ",\"last\":{\"time\":\"%s\"", sw_time_format(v->t, 1, tb));
        j_real(b, "lat", v->lat);
        j_real(b, "lon", v->lon);
        j_real(b, "sog", v->sog);
        j_real(b, "cog", v->cog);
        j_int(b, "heading", v->heading, v->heading >= 0);
        j_int(b, "status", v->status, v->status >= 0);
        sw_buf_putc(b, '}');
    } else {
        sw_buf_puts(b, ",\"last\":null");
    }
    sw_buf_puts(b, "}\n");
    return fwrite(b->data, 1, b->len, stdout) == b->len ? 0 : -1;
}

static int row(void *ctx, const struct sw_vessel_row *v)
{
    struct out *o = ctx;
    if (o->json) return json_row(o, v);
    char tb[32], imo[16] = "", type[16] = "", lat[16] = "", lon[16] = "", sog[8] = "";
    char cls[2] = {v->cls, 0};
    if (v->imo) snprintf(imo, sizeof imo, "%u", v->imo);
    if (v->ship_type >= 0) snprintf(type, sizeof type, "%d", v->ship_type);
    if (v->has_fix) {
        snprintf(lat, sizeof lat, "%.5f", v->lat);
        snprintf(lon, sizeof lon, "%.5f", v->lon);
    }
    if (!isnan(v->sog)) snprintf(sog, sizeof sog, "%.1f", v->sog);
    printf("%-9u %-2s %-1s %-20s %-7s %-7s %4s %-20s %10s %11s %5s%s\n", v->mmsi, v->flag, cls,
           v->name, v->callsign, imo, type, sw_time_format(v->last_seen, 0, tb), lat, lon, sog,
           v->listed ? "  LISTED" : "");
    return 0;
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
                   "call sign, IMO, ship type, last fix, and LISTED when a designated vessel of\n"
                   "the imported lists has its IMO or MMSI. --json writes one JSON object a\n"
                   "line (\"listed\": the number of such list entries).\n",
                   SW_STORE_DEFAULT_PATH);
            return 0;
        } else {
            cli_error("vessels: unknown argument '%s'", argv[i]);
            return 2;
        }
    }
    sqlite3 *db = NULL;
    char err[SW_ERRMAX];
    if (sw_query_open(dbpath, &db, err)) {
        cli_error("%s", err);
        return 1;
    }
    struct out o = {.json = json};
    sw_buf_init(&o.b, 1 << 20);
    if (!json)
        printf("%-9s %-2s %-1s %-20s %-7s %-7s %4s %-20s %10s %11s %5s\n", "MMSI", "FL", "C",
               "NAME", "CALL", "IMO", "TYPE", "LAST SEEN", "LAT", "LON", "SOG");
    struct sw_vessel_filter f = {.seen_from = SW_TIME_NONE, .seen_to = SW_TIME_NONE};
    int rc = sw_query_vessels(db, &f, row, &o, err);
    sw_buf_release(&o.b);
    int status = 0;
    if (rc) {
        cli_error("'%s': %s", dbpath, rc == -1 ? strerror(errno) : err);
        status = 1;
    } else if (fflush(stdout) != 0) {
        status = 1;
    }
    sw_store_close(db);
    return status;
}
