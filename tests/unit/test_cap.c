/*
 * The cap tracker's arithmetic on the worked table of docs/cases.md (must-show 3): every cell
 * of the table recomputed with the program's functions, then the same deliveries made real
 * (the tankers imported as list entries with their tonnage, their calls at DPRK ports fed
 * through a pipeline with the detectors and the cases stage), and the yearly totals of
 * sw_cases_build compared with the table's.
 */
#include "testutil.h"

#include "sanctwatch/cases.h"
#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXROWS 16

struct row {
    char tanker[40], date[16], port[64];
    double dwt, full, b[3];
    int year;
};
struct total {
    int year, n;
    double b[3];
};

static struct row rows[MAXROWS];
static struct total totals[4];
static int nrows, ntotals;

/* Cells of a markdown table row, trimmed, into c (at most max). */
static int cells(char *line, char **c, int max)
{
    int n = 0;
    char *p = strchr(line, '|');
    while (p && n < max) {
        char *q = strchr(p + 1, '|');
        if (!q) break;
        *q = '\0';
        char *s = p + 1;
        while (*s == ' ')
            s++;
        char *e = s + strlen(s);
        while (e > s && e[-1] == ' ')
            *--e = '\0';
        c[n++] = s;
        p = q;
    }
    return n;
}

static void read_table(void)
{
    FILE *f = fopen(sw_test_root("docs/cases.md"), "r");
    char line[1024];
    int in = 0;
    assert_non_null(f);
    nrows = ntotals = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "<!-- worked-table -->")) in = 1;
        if (strstr(line, "<!-- /worked-table -->")) in = 0;
        char *c[12];
        if (!in || line[0] != '|' || strstr(line, "---") || strstr(line, "delivery")) continue;
        int n = cells(line, c, 12);
        assert_int_equal(n, 9);
        if (!strncmp(c[0], "total ", 6)) {
            struct total *t = &totals[ntotals++];
            t->year = atoi(c[0] + 6);
            t->n = atoi(c[1]);
            for (int k = 0; k < 3; k++)
                t->b[k] = strtod(c[6 + k], NULL);
            continue;
        }
        struct row *r = &rows[nrows++];
        snprintf(r->tanker, sizeof r->tanker, "%s", c[1]);
        snprintf(r->date, sizeof r->date, "%s", c[2]);
        snprintf(r->port, sizeof r->port, "%s", c[3]);
        r->year = atoi(c[2]);
        r->dwt = strtod(c[4], NULL);
        r->full = strtod(c[5], NULL);
        for (int k = 0; k < 3; k++)
            r->b[k] = strtod(c[6 + k], NULL);
    }
    fclose(f);
    assert_true(nrows >= 3 && ntotals >= 1);
}

/* Every cell of the table from the program's arithmetic. */
static void table_cells(void **state)
{
    read_table();
    const struct sw_cases_product *p = sw_cases_product_get(SW_PRODUCT_GASOIL);
    assert_true(fabs(p->bbl_per_t - 7.23) < 1e-9);
    for (int i = 0; i < nrows; i++) {
        double v[3];
        sw_cases_volume(rows[i].dwt, SW_PRODUCT_GASOIL, v);
        assert_true(round(rows[i].dwt * p->bbl_per_t) == rows[i].full);
        for (int k = 0; k < 3; k++)
            if (round(v[k]) != rows[i].b[k]) {
                printf("row %d column %d: table %.0f, program %.0f\n", i + 1, k, rows[i].b[k],
                       v[k]);
                fail();
            }
    }
    for (int t = 0; t < ntotals; t++) {
        double s[3] = {0};
        int n = 0;
        for (int i = 0; i < nrows; i++)
            if (rows[i].year == totals[t].year) {
                n++;
                for (int k = 0; k < 3; k++)
                    s[k] += rows[i].b[k];
            }
        assert_int_equal(n, totals[t].n);
        for (int k = 0; k < 3; k++)
            assert_true(s[k] == totals[t].b[k]);
    }
    /* the other products and the draught method */
    double v[3];
    sw_cases_volume(1000, SW_PRODUCT_FUELOIL, v);
    assert_true(fabs(v[1] - 3310) < 1e-6);
    assert_true(fabs(sw_cases_draught_tonnes(100, 16, 6.2, 3.1) - 3.1 * 100 * 1.025 * 0.85 * 16) <
                1e-6);
    assert_true(isnan(sw_cases_draught_tonnes(100, 16, 3.1, 6.2))); /* loading, not delivering */
    assert_true(fabs(sw_cases_tonnage_number("10,030") - 10030) < 1e-9);
    assert_true(isnan(sw_cases_tonnage_number("-0- ")));
}

/* The model's error on its reference table, as docs/cases.md gives it. */
static void dwt_model(void **state)
{
    FILE *f = fopen(sw_test_root("data/tanker_reference.csv"), "r");
    char line[512];
    double se = 0;
    int n = 0;
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        char name[64];
        double l, b, dwt;
        if (line[0] == '#' || !strncmp(line, "name,", 5)) continue;
        if (sscanf(line, "%63[^,],%lf,%lf,%lf", name, &l, &b, &dwt) != 4) continue;
        double e = (sw_cases_dwt_model(l, b) - dwt) / dwt;
        se += e * e;
        n++;
    }
    fclose(f);
    double rms = sqrt(se / n);
    printf("RESULT deadweight model: RMS error %.1f%% on %d reference tankers\n", 100 * rms, n);
    assert_int_equal(n, 6);
    assert_true(fabs(rms - sw_cases_dwt_model_error()) < 0.005);
    assert_true(isnan(sw_cases_dwt_model(5, 2)));
}

/* ---- the same deliveries through analyze and the cap tracker */

static uint32_t imo_with_check(uint32_t base6)
{
    unsigned s = 0, d = base6;
    for (unsigned k = 2; k <= 7; k++, d /= 10)
        s += (d % 10) * k;
    return base6 * 10 + s % 10;
}

struct ship {
    char name[21];
    uint32_t mmsi, imo;
    double dwt;
};

static int ship_of(struct ship *s, int *n, const char *name, double dwt)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp(s[i].name, name)) return i;
    struct ship *x = &s[(*n)++];
    snprintf(x->name, sizeof x->name, "%s", name);
    x->mmsi = 445100001 + (uint32_t)*n;
    x->imo = imo_with_check(910000 + (uint32_t)*n);
    x->dwt = dwt;
    return *n - 1;
}

static void feed(struct sw_pipeline *p, uint64_t *key, const struct ship *s, int64_t t, double lat,
                 double lon, double sog, int with_static)
{
    struct sw_record r;
    sw_record_clear(&r);
    r.t_ms = t;
    r.mmsi = s->mmsi;
    r.kind = SW_REC_VESSEL;
    r.cls = 'A';
    r.lat = lat;
    r.lon = lon;
    r.sog = (float)sog;
    r.msg_type = 1;
    r.fields = SW_F_POS | SW_F_SOG;
    if (with_static) {
        r.fields |= SW_F_NAME | SW_F_IMO | SW_F_SHIPTYPE | SW_F_DIMS;
        snprintf(r.name, sizeof r.name, "%s", s->name);
        r.imo = s->imo;
        r.ship_type = 80;
        r.length_m = 90;
        r.beam_m = 14;
    }
    r.key = ++*key;
    assert_int_equal(sw_pipeline_feed(p, &r), SW_OK);
}

static const struct sw_port *port_named(const struct sw_geo *g, const char *name)
{
    for (size_t i = 0; i < sw_ports_count(g); i++)
        if (!strcmp(sw_ports_get(g, i)->name, name)) return sw_ports_get(g, i);
    return NULL;
}

static void write_sdn(const char *path, const struct ship *s, int n)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < n; i++)
        fprintf(f,
                "%d,\"%s\",\"vessel\",\"DPRK\",-0- ,-0- ,\"Oil Tanker\",\"%.0f\",-0- ,\"Korea, "
                "North\",-0- ,\"Vessel Registration Identification IMO %u; MMSI %u.\"\n",
                90001 + i, s[i].name, s[i].dwt, s[i].imo, s[i].mmsi);
    fclose(f);
}

/* Each delivery: 2 h in from 15 km east at 8 kn, 4 h moored, 1 h out. */
static void calls(struct sw_pipeline *p, const struct sw_geo *g, struct ship *ships, int *nship)
{
    uint64_t key = 0;
    for (int i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        const struct sw_port *pt = port_named(g, r->port);
        assert_non_null(pt);
        const struct ship *s = &ships[ship_of(ships, nship, r->tanker, r->dwt)];
        int64_t t0;
        assert_int_equal(sw_time_parse(r->date, strlen(r->date), &t0), SW_OK);
        t0 += 6 * 3600000LL;
        double dl = 15.0 / (111.0 * cos(pt->lat * M_PI / 180));
        for (int m = 0; m <= 7 * 60; m += 10) {
            double lon = m < 120   ? pt->lon + dl * (1 - m / 120.0)
                         : m < 360 ? pt->lon
                                   : pt->lon + dl * (m - 360) / 60.0;
            feed(p, &key, s, t0 + m * 60000LL, pt->lat, lon, m < 120 || m >= 360 ? 8 : 0.1,
                 m % 60 == 0);
        }
    }
}

static void program_totals(void **state)
{
    struct sw_geo *g;
    struct sw_cases *c;
    struct sw_cases_params cp;
    char errp[SW_GEO_PATHMAX];
    char path[600], sdn[600], err[SW_ERRMAX];
    struct ship ships[MAXROWS];
    int nship = 0;
    read_table();
    assert_int_equal(sw_geo_open(&g, sw_test_root("data"), errp), SW_OK);
    sw_cases_params_default(&cp);
    assert_int_equal(sw_cases_new(&c, g, &cp, err), SW_OK);
    const char *dir = sw_test_tmpdir();
    snprintf(path, sizeof path, "%s/cap.db", dir);
    snprintf(sdn, sizeof sdn, "%s/sdn.csv", dir);
    for (int i = 0; i < nrows; i++)
        ship_of(ships, &nship, rows[i].tanker, rows[i].dwt);
    write_sdn(sdn, ships, nship);
    sqlite3 *db;
    assert_int_equal(sw_store_open(path, &db, err), SW_OK);
    struct sw_lists_report rep;
    const char *paths[1] = {sdn};
    memset(&rep, 0, sizeof rep);
    assert_int_equal(sw_lists_import(db, paths, 1, NULL, &rep), SW_OK);
    struct sw_detect *det;
    struct sw_cases_stage *cs;
    struct sw_pipeline *p;
    assert_int_equal(sw_detect_new(&det, g, db, NULL, NULL, err), SW_OK);
    assert_int_equal(sw_cases_stage_new(&cs, c, det, db, &cp), SW_OK);
    const struct sw_stage *st[2] = {sw_detect_stage(det), sw_cases_stage_get(cs)};
    struct sw_pipeline_config cfg;
    sw_pipeline_config_default(&cfg);
    cfg.stages = st;
    cfg.nstages = 2;
    assert_int_equal(sw_pipeline_new(&p, db, &cfg, err), SW_OK);
    calls(p, g, ships, &nship);
    assert_int_equal(sw_pipeline_finish(p, err), SW_OK);
    sw_pipeline_free(p);
    sw_cases_stage_free(cs);
    sw_detect_free(det);
    json_t *m;
    assert_int_equal(sw_cases_build(db, c, NULL, &m, err), SW_OK);
    if (getenv("SW_TEST_VERBOSE"))
        json_dumpf(json_object_get(json_object_get(m, "cap"), "deliveries"), stdout,
                   JSON_INDENT(1));
    json_t *years = json_object_get(json_object_get(m, "cap"), "years");
    assert_int_equal(json_array_size(years), (size_t)ntotals);
    for (int t = 0; t < ntotals; t++) {
        json_t *y = json_array_get(years, (size_t)t);
        assert_int_equal(json_integer_value(json_object_get(y, "year")), totals[t].year);
        assert_int_equal(json_integer_value(json_object_get(y, "deliveries")), totals[t].n);
        for (size_t k = 0; k < 3; k++) {
            double got = json_number_value(json_array_get(json_object_get(y, "bbl"), k));
            if (got != totals[t].b[k]) {
                printf("%d at %zu: program %.0f, table %.0f\n", totals[t].year, k, got,
                       totals[t].b[k]);
                fail();
            }
        }
        printf("RESULT %d: %lld deliveries, %.0f / %.0f / %.0f barrels at 33/50/90%% (table: "
               "%.0f / %.0f / %.0f)\n",
               totals[t].year, (long long)json_integer_value(json_object_get(y, "deliveries")),
               json_number_value(json_array_get(json_object_get(y, "bbl"), 0)),
               json_number_value(json_array_get(json_object_get(y, "bbl"), 1)),
               json_number_value(json_array_get(json_object_get(y, "bbl"), 2)), totals[t].b[0],
               totals[t].b[1], totals[t].b[2]);
    }
    json_t *d0 = json_array_get(json_object_get(json_object_get(m, "cap"), "deliveries"), 0);
    assert_string_equal(json_string_value(json_object_get(d0, "dwt_source")), "list");
    assert_string_equal(json_string_value(json_object_get(d0, "kind")), "port_call");
    json_decref(m);
    sw_store_close(db);
    sw_cases_free(c);
    sw_geo_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_cells),
        cmocka_unit_test(dwt_model),
        cmocka_unit_test(program_totals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
