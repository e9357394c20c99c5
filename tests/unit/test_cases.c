/*
 * Unit tests of the cases stage (sanctwatch/cases.h): reach by sea against reach by great
 * circle (a gap off the east coast of Korea, where the great circle would put the west coast
 * in reach), possible port calls heard from the detectors' gaps in a pipeline over a store,
 * corridor voyages seen, inferred across a dark leg and through a possible call, a hard
 * negative, and the saved state (round trip, damaged bytes refused).
 */
#include "testutil.h"

#include "sanctwatch/cases.h"
#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1709251200000LL /* 2024-03-01T00:00:00Z */
#define MIN 60000LL
#define HOUR 3600000LL

static struct sw_geo *G;
static struct sw_cases *C;

static int setup(void **state)
{
    char err[SW_GEO_PATHMAX];
    struct sw_cases_params p;
    char e[SW_ERRMAX];
    if (sw_geo_open(&G, sw_test_root("data"), err)) return -1;
    sw_cases_params_default(&p);
    return sw_cases_new(&C, G, &p, e) ? -1 : 0;
}

static int teardown(void **state)
{
    sw_cases_free(C);
    sw_geo_free(G);
    return 0;
}

static int is_west_coast(const char *name)
{
    static const char *const west[] = {"Nampo (Chinnampo)",
                                       "Nampo anchorage",
                                       "Haeju Hang (Haeju)",
                                       "Kyomip'o (Songnim)",
                                       "Songnim terminal",
                                       "Taean",
                                       "Ongjin",
                                       "Yongampo",
                                       "Sinuiju"};
    for (size_t i = 0; i < sizeof west / sizeof west[0]; i++)
        if (!strcmp(name, west[i])) return 1;
    return 0;
}

/* Must-show 2: a gap off the east coast whose great-circle reach includes a west-coast port,
 * which the sea path does not. */
static void reach_east_coast(void **state)
{
    struct sw_cases_gap gp = {39.30, 128.20, 39.40, 128.35, T0, T0 + 40 * HOUR, 12};
    struct sw_cases_reach r[255];
    size_t n, gc_only, west_gc = 0;
    /* by great circle, Nampo is in reach: 271 km there and back at 22 km/h, 40 h */
    double v = 12 * 1852.0;
    for (size_t i = 0; i < sw_cases_nports(C); i++) {
        const struct sw_cases_port *p = sw_cases_port(C, i);
        double d = sw_geo_dist_m(gp.lat0, gp.lon0, p->lat, p->lon) +
                   sw_geo_dist_m(p->lat, p->lon, gp.lat1, gp.lon1);
        if (is_west_coast(p->name) && d / v + 2 <= 40) west_gc++;
    }
    assert_true(west_gc >= 3);
    assert_int_equal(sw_cases_reach(C, &gp, 2, r, 255, &n, &gc_only), SW_OK);
    int wonsan = 0;
    for (size_t i = 0; i < n; i++) {
        const struct sw_cases_port *p = sw_cases_port(C, (size_t)r[i].port);
        assert_false(is_west_coast(p->name));
        wonsan += !strcmp(p->name, "Wonsan");
        assert_true(r[i].in_m >= r[i].gc_in_m * 0.999 && r[i].out_m >= r[i].gc_out_m * 0.999);
        assert_true(r[i].stay_h >= 2);
        assert_true(i == 0 || r[i].stay_h <= r[i - 1].stay_h);
    }
    assert_true(wonsan);
    assert_true(gc_only >= west_gc);
    printf("RESULT east coast gap of 40 h at 12 kn: %zu ports in reach by sea, %zu more by great "
           "circle only (%zu on the west coast)\n",
           n, gc_only, west_gc);
    /* the same gap in Korea Bay: Nampo is in reach, with the earliest arrival the sea
     * distance allows */
    struct sw_cases_gap west = {38.60, 124.60, 38.55, 124.70, T0, T0 + 30 * HOUR, 11};
    assert_int_equal(sw_cases_reach(C, &west, 2, r, 255, &n, &gc_only), SW_OK);
    int nampo = -1;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(sw_cases_port(C, (size_t)r[i].port)->name, "Nampo anchorage")) nampo = (int)i;
    assert_true(nampo >= 0);
    double ea_h = (double)(r[nampo].earliest_arrival - T0) / HOUR;
    assert_true(fabs(ea_h - r[nampo].in_m / (11 * 1852.0)) < 0.01);
    assert_true(fabs(r[nampo].stay_h - (30 - (r[nampo].in_m + r[nampo].out_m) / (11 * 1852.0))) <
                0.01);
    assert_true(r[nampo].confidence > 0.8);
    /* too short to reach anything */
    struct sw_cases_gap shortg = {38.60, 124.60, 38.55, 124.70, T0, T0 + 4 * HOUR, 11};
    assert_int_equal(sw_cases_reach(C, &shortg, 2, r, 255, &n, &gc_only), SW_OK);
    assert_int_equal(n, 0);
}

/* ---- a pipeline over a store, with the detectors and the cases stage */

struct run {
    sqlite3 *db;
    struct sw_pipeline *p;
    struct sw_detect *det;
    struct sw_cases_stage *cs;
    const struct sw_stage *stages[2];
    json_t *ev[512];
    int n;
    uint64_t key;
};

static int collect(void *ctx, const char *line, size_t len)
{
    struct run *r = ctx;
    json_t *j = json_loadb(line, len, 0, NULL);
    if (!j || r->n >= 512) return SW_ETOOBIG;
    r->ev[r->n++] = j;
    return SW_OK;
}

static void run_open(struct run *r, const char *name)
{
    char path[600], err[SW_ERRMAX];
    struct sw_pipeline_config cfg;
    struct sw_cases_params cp;
    memset(r, 0, sizeof *r);
    snprintf(path, sizeof path, "%s/%s.db", sw_test_tmpdir(), name);
    remove(path);
    assert_int_equal(sw_store_open(path, &r->db, err), SW_OK);
    assert_int_equal(sw_detect_new(&r->det, G, r->db, NULL, NULL, err), SW_OK);
    sw_detect_set_emit(r->det, collect, r);
    sw_cases_params_default(&cp);
    assert_int_equal(sw_cases_stage_new(&r->cs, C, r->det, r->db, &cp), SW_OK);
    r->stages[0] = sw_detect_stage(r->det);
    r->stages[1] = sw_cases_stage_get(r->cs);
    sw_pipeline_config_default(&cfg);
    cfg.stages = r->stages;
    cfg.nstages = 2;
    assert_int_equal(sw_pipeline_new(&r->p, r->db, &cfg, err), SW_OK);
}

static void run_close(struct run *r)
{
    char err[SW_ERRMAX];
    assert_int_equal(sw_pipeline_finish(r->p, err), SW_OK);
    sw_pipeline_free(r->p);
    sw_cases_stage_free(r->cs);
    sw_detect_free(r->det);
    sw_store_close(r->db);
}

static void run_events_free(struct run *r)
{
    for (int i = 0; i < r->n; i++)
        json_decref(r->ev[i]);
    r->n = 0;
}

static void feed(struct run *r, uint32_t mmsi, int64_t t, double lat, double lon, double sog)
{
    struct sw_record rec;
    sw_record_clear(&rec);
    rec.t_ms = t;
    rec.mmsi = mmsi;
    rec.kind = SW_REC_VESSEL;
    rec.cls = 'A';
    rec.lat = lat;
    rec.lon = lon;
    rec.sog = (float)sog;
    rec.msg_type = 1;
    rec.fields = SW_F_POS | SW_F_SOG;
    rec.key = ++r->key;
    assert_int_equal(sw_pipeline_feed(r->p, &rec), SW_OK);
}

static void feed_static(struct run *r, uint32_t mmsi, int64_t t, int type, double draught)
{
    struct sw_record rec;
    sw_record_clear(&rec);
    rec.t_ms = t;
    rec.mmsi = mmsi;
    rec.kind = SW_REC_VESSEL;
    rec.cls = 'A';
    rec.ship_type = (uint8_t)type;
    rec.draught = (float)draught;
    rec.length_m = 100;
    rec.beam_m = 16;
    rec.msg_type = 5;
    rec.fields = SW_F_SHIPTYPE | SW_F_DRAUGHT | SW_F_DIMS;
    rec.key = ++r->key;
    assert_int_equal(sw_pipeline_feed(r->p, &rec), SW_OK);
}

static int count(const struct run *r, const char *type)
{
    int n = 0;
    for (int i = 0; i < r->n; i++)
        n += !strcmp(json_string_value(json_object_get(r->ev[i], "type")), type);
    return n;
}

static json_t *nth(const struct run *r, const char *type, int k)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(json_string_value(json_object_get(r->ev[i], "type")), type) && k-- == 0)
            return r->ev[i];
    return NULL;
}

static const char *dstr(json_t *ev, const char *a, const char *b)
{
    json_t *d = json_object_get(json_object_get(ev, "details"), a);
    return json_string_value(b ? json_object_get(d, b) : d);
}

/* Four vessels sailing to and fro around (lat, lon) at 9 kn: the reception a gap needs. */
static void witnesses(struct run *r, int64_t t, double lat, double lon)
{
    for (uint32_t k = 0; k < 4; k++) {
        double ph = fmod((double)(t - T0) / (4.0 * HOUR), 2.0), x = ph < 1 ? ph : 2 - ph;
        feed(r, 412900000 + k, t + 1000 * k, lat + 0.05 * k - 0.1, lon - 0.3 + 0.6 * x, 9);
    }
}

/* A tanker sails east in Korea Bay, is silent for 30 h while others are heard around it,
 * and sails on: a possible call at Nampo. */
static void possible_port_call(void **state)
{
    struct run r;
    run_open(&r, "ppc");
    const uint32_t g = 412000001;
    const double v = 11, kmh = v * 1.852;
    feed_static(&r, g, T0, 80, 6.2);
    for (int64_t t = T0; t <= T0 + 37 * HOUR; t += 5 * MIN) {
        double h = (double)(t - T0) / HOUR;
        if (h <= 3) feed(&r, g, t, 38.6, 123.9 + h * kmh / 87.0, v);
        if (h >= 33) feed(&r, g, t, 38.55, 124.7 + (h - 33) * kmh / 87.0, v);
        if (h >= 33 && h < 33.1) feed_static(&r, g, t, 80, 3.1);
        witnesses(&r, t, 38.58, 124.65);
    }
    run_close(&r);
    assert_int_equal(count(&r, "ais_gap"), 1);
    assert_int_equal(count(&r, "possible_port_call"), 1);
    json_t *ev = nth(&r, "possible_port_call", 0);
    json_t *dt = json_object_get(ev, "details");
    if (getenv("SW_TEST_VERBOSE")) json_dumpf(ev, stdout, JSON_INDENT(1));
    assert_string_equal(dstr(ev, "source", NULL), "ais_gap");
    assert_string_equal(dstr(ev, "source_event", NULL),
                        json_string_value(json_object_get(nth(&r, "ais_gap", 0), "id")));
    assert_string_equal(dstr(ev, "speed_from", NULL), "observed");
    assert_true(fabs(json_number_value(json_object_get(dt, "speed_kn")) - 11) < 0.05);
    json_t *ports = json_object_get(dt, "ports"), *p;
    size_t i;
    int nampo = 0;
    json_array_foreach(ports, i, p)
    {
        const char *name = json_string_value(json_object_get(p, "name"));
        nampo += !strcmp(name, "Nampo anchorage");
        assert_string_equal(json_string_value(json_object_get(p, "country")), "KP");
    }
    assert_true(nampo);
    assert_true(json_array_size(json_object_get(dt, "route_in")) >= 2);
    assert_true(json_number_value(json_object_get(ev, "confidence")) > 0.8);
    printf("NOTE possible call: %s, %zu ports\n",
           json_string_value(json_object_get(json_object_get(ev, "port"), "name")),
           json_array_size(ports));
    run_events_free(&r);
}

/* Vessel a: Rajin, a voyage with a dark leg, Vostochny. Vessel b: Vostochny to Nakhodka (same
 * side: no voyage). Vessel c: Vostochny, silent 50 h (Rajin in reach), back to Vostochny:
 * two voyages through the possible call. */
static void corridor(void **state)
{
    struct run r;
    run_open(&r, "cv");
    const uint32_t a = 273000001, b = 273000002, c = 273000003;
    const double kmh = 10 * 1.852;
    double rlat = 42.232, rlon = 130.302, vlat = 42.748, vlon = 133.045;
    double dist = sw_geo_dist_m(rlat, rlon, vlat, vlon) / 1000, sail_h = dist / kmh;
    for (int64_t t = T0; t <= T0 + 90 * HOUR; t += 10 * MIN) {
        double h = (double)(t - T0) / HOUR;
        /* a: 6 h at Rajin, then sailing, silent from 4 h to 10 h out, 4 h at Vostochny */
        if (h < 6)
            feed(&r, a, t, rlat, rlon, 0.2);
        else if (h < 6 + sail_h) {
            double f = (h - 6) / sail_h;
            if (h - 6 < 4 || h - 6 > 10)
                feed(&r, a, t, rlat + f * (vlat - rlat), rlon + f * (vlon - rlon), 10);
        } else if (h < 10 + sail_h)
            feed(&r, a, t, vlat, vlon, 0.1);
        /* b: Vostochny, then Nakhodka */
        if (h < 4)
            feed(&r, b, t + 2000, vlat, vlon, 0.1);
        else if (h > 10 && h < 14)
            feed(&r, b, t + 2000, 42.80, 132.88, 0.1);
        /* c: Vostochny 3 h, out for 1 h, silent 50 h, back in */
        if (h < 3)
            feed(&r, c, t + 4000, vlat, vlon, 0.1);
        else if (h < 4)
            feed(&r, c, t + 4000, vlat - 0.1 * (h - 3), vlon - 0.15 * (h - 3), 10);
        else if (h > 54 && h < 55)
            feed(&r, c, t + 4000, vlat - 0.1, vlon - 0.15, 10);
        else if (h >= 55 && h < 60)
            feed(&r, c, t + 4000, vlat, vlon, 0.1);
    }
    run_close(&r);
    assert_int_equal(count(&r, "corridor_voyage"), 3);
    json_t *ev = nth(&r, "corridor_voyage", 0);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(ev, "vessels"), 0), "mmsi")),
                     a);
    assert_string_equal(dstr(ev, "kind", NULL), "inferred");
    assert_string_equal(dstr(ev, "from", "name"), "Najin (Rashin)");
    assert_string_equal(dstr(ev, "to", "name"), "Vostochny");
    json_t *dt = json_object_get(ev, "details");
    assert_int_equal(json_integer_value(json_object_get(dt, "dark_legs")), 1);
    printf("NOTE voyage dark_h %.3f\n", json_number_value(json_object_get(dt, "dark_h")));
    assert_true(fabs(json_number_value(json_object_get(dt, "dark_h")) - 6) < 0.4);
    /* c: to the DPRK (possible), then back */
    json_t *c1 = nth(&r, "corridor_voyage", 1), *c2 = nth(&r, "corridor_voyage", 2);
    assert_string_equal(dstr(c1, "from", "name"), "Vostochny");
    assert_string_equal(dstr(c1, "to", "country"), "KP");
    assert_false(json_is_true(
        json_object_get(json_object_get(json_object_get(c1, "details"), "to"), "observed")));
    assert_string_equal(dstr(c2, "from", "country"), "KP");
    assert_string_equal(dstr(c2, "to", "name"), "Vostochny");
    assert_true(json_number_value(json_object_get(c2, "confidence")) <
                json_number_value(json_object_get(ev, "confidence")));
    run_events_free(&r);
}

/* The per-vessel state: a round trip gives the same bytes; damaged bytes are refused. */
static void saved_state(void **state)
{
    struct run r;
    run_open(&r, "st");
    for (int64_t t = T0; t < T0 + 8 * HOUR; t += 10 * MIN)
        feed(&r, 273000009, t, 42.232, 130.302, t < T0 + 2 * HOUR ? 0.2 : 12);
    feed(&r, 273000009, T0 + 11 * HOUR, 42.5, 131.5, 12.5);
    assert_int_equal(sw_pipeline_checkpoint(r.p), SW_OK);
    const struct sw_stage *st = sw_cases_stage_get(r.cs);
    struct sw_buf b, b2;
    sw_buf_init(&b, 1 << 16);
    sw_buf_init(&b2, 1 << 16);
    size_t slot;
    assert_true(sw_vessels_find(sw_pipeline_vessels(r.p), 273000009, &slot));
    assert_int_equal(st->save_vessel(st->ctx, slot, &b), SW_OK);
    assert_true(b.len > 32);
    /* the entry is loaded into a fresh slot, and saved again the same */
    st->reset(st->ctx);
    assert_int_equal(st->load_vessel(st->ctx, slot, b.data, b.len), SW_OK);
    assert_int_equal(st->save_vessel(st->ctx, slot, &b2), SW_OK);
    assert_int_equal(b.len, b2.len);
    assert_memory_equal(b.data, b2.data, b.len);
    /* the state log holds a record of the vessel for every run that changed it: a later one
     * replaces the one before (t_carry: the third daily run was refused the vessel's second
     * record), an empty one leaves a fresh state */
    for (int i = 0; i < 3; i++)
        assert_int_equal(st->load_vessel(st->ctx, slot, b.data, b.len), SW_OK);
    sw_buf_reset(&b2);
    assert_int_equal(st->save_vessel(st->ctx, slot, &b2), SW_OK);
    assert_int_equal(b.len, b2.len);
    assert_memory_equal(b.data, b2.data, b.len);
    assert_int_equal(st->load_vessel(st->ctx, slot, b.data, 0), SW_OK);
    sw_buf_reset(&b2);
    assert_int_equal(st->save_vessel(st->ctx, slot, &b2), SW_OK);
    assert_int_equal(b2.len, 0);
    assert_int_equal(st->load_vessel(st->ctx, slot, b.data, b.len), SW_OK);
    /* damaged: every single-byte change that breaks a rule, truncations, a wrong mask */
    unsigned char *d = malloc(b.len);
    int refused = 0;
    for (size_t i = 0; i < b.len; i++) {
        memcpy(d, b.data, b.len);
        d[i] ^= 0xff;
        st->reset(st->ctx);
        int rc = st->load_vessel(st->ctx, slot, d, b.len);
        assert_true(rc == SW_OK || rc == SW_EFORMAT);
        refused += rc == SW_EFORMAT;
    }
    for (size_t l = 0; l < b.len; l++) {
        st->reset(st->ctx);
        assert_int_equal(st->load_vessel(st->ctx, slot, b.data, l), l ? SW_EFORMAT : SW_OK);
    }
    printf("NOTE %d of %zu one-byte damages refused\n", refused, b.len);
    assert_true(refused > 10);
    assert_int_equal(st->load(st->ctx, "\x02", 1), SW_EFORMAT);
    free(d);
    sw_buf_release(&b);
    sw_buf_release(&b2);
    st->reset(st->ctx);
    run_close(&r);
    run_events_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reach_east_coast),
        cmocka_unit_test(possible_port_call),
        cmocka_unit_test(corridor),
        cmocka_unit_test(saved_state),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
