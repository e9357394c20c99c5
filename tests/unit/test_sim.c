/*
 * Unit tests for the simulator: the AIS encoder against the project's decoder and framer
 * (encode -> frame -> decode gives the same fields), determinism, tracks that stay at sea,
 * every event type and hard negative in the truth over several seeds, delivery properties,
 * and the evaluator scoring the truth against itself.
 */
#include "testutil.h"

#include "sanctwatch/ais.h"
#include "sanctwatch/error.h"
#include "sanctwatch/eval.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/nmea.h"
#include "sanctwatch/sim.h"
#include "sanctwatch/timeutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct sw_geo *G;

static int setup(void **state)
{
    const char *err;
    int rc = sw_geo_open(&G, sw_test_root("data"), &err);
    if (rc) printf("geo open: %s: %s\n", err, sw_strerror(rc));
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    sw_geo_free(G);
    return 0;
}

/* Frame the encoder's sentences with the project's framer and decode them. */
static void frame_decode(const char *text, struct sw_ais *out, char *source, int64_t *rx)
{
    struct sw_nmea *f;
    assert_int_equal(sw_nmea_new(&f, NULL), SW_OK);
    const char *p = text;
    int got = 0;
    uint64_t ln = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        const struct sw_nmea_msg *m;
        assert_int_equal(sw_nmea_feed(f, p, (size_t)(nl - p), ++ln, &m), SW_OK);
        if (m) {
            assert_int_equal(sw_ais_decode(m->payload, m->len, m->fill_bits, out), SW_OK);
            snprintf(source, SW_NMEA_MAX_SOURCE + 1, "%s", m->source);
            *rx = m->rxtime_ms;
            got++;
        }
        p = nl + 1;
    }
    assert_int_equal(got, 1);
    sw_nmea_free(f);
}

static void encoder_roundtrip(void **state)
{
    struct sw_aisenc_msg m;
    struct sw_ais a;
    char payload[SW_AISENC_MAX_PAYLOAD + 1], src[SW_NMEA_MAX_SOURCE + 1];
    size_t len;
    int fill;
    int64_t rx;
    struct sw_buf b;
    sw_buf_init(&b, 0);

    for (int type = 1; type <= 3; type++) {
        memset(&m, 0, sizeof m);
        m.type = type;
        m.mmsi = 445123456;
        m.lat = 38.7123456;
        m.lon = -125.4012345;
        m.sog_kn = 11.3;
        m.cog_deg = 271.4;
        m.heading = 270;
        m.nav_status = 5;
        m.second = 42;
        assert_int_equal(sw_aisenc_encode(&m, payload, &len, &fill), SW_OK);
        assert_int_equal(len, 28);
        assert_int_equal(fill, 0);
        sw_buf_reset(&b);
        assert_int_equal(sw_aisenc_nmea(payload, len, fill, "rTest", 1709251200, 'A', 0, 1, &b),
                         SW_OK);
        frame_decode(b.data, &a, src, &rx);
        assert_int_equal(a.type, type);
        assert_int_equal(a.mmsi, 445123456);
        assert_int_equal(a.u.t1.lat, lround(38.7123456 * 600000));
        assert_int_equal(a.u.t1.lon, lround(-125.4012345 * 600000));
        assert_int_equal(a.u.t1.speed, 113);
        assert_int_equal(a.u.t1.course, 2714);
        assert_int_equal(a.u.t1.heading, 270);
        assert_int_equal(a.u.t1.status, 5);
        assert_int_equal(a.u.t1.second, 42);
        assert_string_equal(src, "rTest");
        assert_true(rx == 1709251200000LL);
    }

    memset(&m, 0, sizeof m);
    m.type = 5;
    m.mmsi = 412000001;
    m.imo = 9123456;
    snprintf(m.callsign, sizeof m.callsign, "BQ2345");
    snprintf(m.name, sizeof m.name, "JIN HAI 7");
    snprintf(m.dest, sizeof m.dest, "NAMPO");
    m.ship_type = 70;
    m.to_bow = 100;
    m.to_stern = 40;
    m.to_port = 10;
    m.to_starboard = 12;
    m.draught_m = 7.4;
    m.eta_month = 3;
    m.eta_day = 5;
    m.eta_hour = 12;
    m.eta_minute = 30;
    assert_int_equal(sw_aisenc_encode(&m, payload, &len, &fill), SW_OK);
    assert_int_equal(len, 71);
    assert_int_equal(fill, 2);
    sw_buf_reset(&b);
    assert_int_equal(sw_aisenc_nmea(payload, len, fill, "rTwo", 1709251260, 'B', 3, 77, &b), SW_OK);
    assert_non_null(strstr(b.data, "g:1-2-77"));
    assert_non_null(strstr(b.data, "\\g:2-2-77*"));
    frame_decode(b.data, &a, src, &rx);
    assert_int_equal(a.type, 5);
    assert_int_equal(a.u.t5.imo, 9123456);
    assert_string_equal(a.u.t5.callsign, "BQ2345");
    assert_string_equal(a.u.t5.shipname, "JIN HAI 7");
    assert_string_equal(a.u.t5.destination, "NAMPO");
    assert_int_equal(a.u.t5.shiptype, 70);
    assert_int_equal(a.u.t5.to_bow, 100);
    assert_int_equal(a.u.t5.to_stern, 40);
    assert_int_equal(a.u.t5.to_port, 10);
    assert_int_equal(a.u.t5.to_starboard, 12);
    assert_int_equal(a.u.t5.draught, 74);
    assert_int_equal(a.u.t5.month, 3);
    assert_int_equal(a.u.t5.minute, 30);
    assert_true(rx == 1709251260000LL);

    memset(&m, 0, sizeof m);
    m.type = 18;
    m.mmsi = 440999001;
    m.lat = -33.5;
    m.lon = 151.25;
    m.sog_kn = 3.2;
    m.cog_deg = 12.0;
    m.heading = -1;
    m.second = 7;
    assert_int_equal(sw_aisenc_encode(&m, payload, &len, &fill), SW_OK);
    assert_int_equal(sw_ais_decode(payload, len, fill, &a), SW_OK);
    assert_int_equal(a.type, 18);
    assert_int_equal(a.u.t18.lat, lround(-33.5 * 600000));
    assert_int_equal(a.u.t18.lon, lround(151.25 * 600000));
    assert_int_equal(a.u.t18.speed, 32);
    assert_int_equal(a.u.t18.heading, 511);
    assert_true(a.u.t18.cs);

    m.type = 19;
    snprintf(m.name, sizeof m.name, "FISHER 3");
    m.ship_type = 30;
    m.to_bow = 10;
    m.to_stern = 5;
    m.to_port = 2;
    m.to_starboard = 3;
    assert_int_equal(sw_aisenc_encode(&m, payload, &len, &fill), SW_OK);
    assert_int_equal(len, 52);
    assert_int_equal(sw_ais_decode(payload, len, fill, &a), SW_OK);
    assert_int_equal(a.type, 19);
    assert_string_equal(a.u.t18.shipname, "FISHER 3");
    assert_int_equal(a.u.t18.shiptype, 30);
    assert_int_equal(a.u.t18.to_bow, 10);
    assert_int_equal(a.u.t18.speed, 32);

    m.type = 24;
    m.part = 0;
    assert_int_equal(sw_aisenc_encode(&m, payload, &len, &fill), SW_OK);
    assert_int_equal(sw_ais_decode(payload, len, fill, &a), SW_OK);
    assert_int_equal(a.type, 24);
    assert_int_equal(a.u.t24.part, SW_AIS_PART_A);
    assert_string_equal(a.u.t24.shipname, "FISHER 3");
    m.part = 1;
    snprintf(m.callsign, sizeof m.callsign, "DS1234");
    assert_int_equal(sw_aisenc_encode(&m, payload, &len, &fill), SW_OK);
    assert_int_equal(sw_ais_decode(payload, len, fill, &a), SW_OK);
    assert_int_equal(a.u.t24.part, SW_AIS_PART_B);
    assert_string_equal(a.u.t24.callsign, "DS1234");
    assert_int_equal(a.u.t24.shiptype, 30);
    assert_int_equal(a.u.t24.to_stern, 5);

    m.type = 4;
    assert_int_equal(sw_aisenc_encode(&m, payload, &len, &fill), SW_EINVAL);
    /* IMO check digits: 9074729 is the classic valid example; 9074728 is not */
    assert_true(sw_sim_imo_valid(9074729));
    assert_false(sw_sim_imo_valid(9074728));
    assert_true(sw_sim_imo_valid(7937317)); /* CHONG CHON GANG */
    sw_buf_release(&b);
}

/* ---- whole runs ---------------------------------------------------------------------------- */

struct cap {
    struct sw_buf text;
    uint64_t hash;
};

static int cap_emit(void *ctx, const char *line, size_t len)
{
    struct cap *c = ctx;
    for (size_t i = 0; i < len; i++)
        c->hash = (c->hash ^ (unsigned char)line[i]) * 1099511628211ULL;
    c->hash = (c->hash ^ '\n') * 1099511628211ULL;
    int rc = sw_buf_append(&c->text, line, len);
    return rc ? rc : sw_buf_putc(&c->text, '\n');
}

static void run_sim(uint64_t seed, double hours, int vessels, struct cap *c, json_t **truth)
{
    struct sw_sim_opts o;
    sw_sim_opts_default(&o);
    o.seed = seed;
    o.hours = hours;
    o.vessels = vessels;
    struct sw_buf tb;
    sw_buf_init(&tb, 0);
    sw_buf_init(&c->text, 0);
    c->hash = 1469598103934665603ULL;
    struct sw_sim_stats st;
    assert_int_equal(sw_sim_run(&o, G, cap_emit, c, &tb, &st), SW_OK);
    json_error_t err;
    *truth = json_loadb(tb.data, tb.len, 0, &err);
    assert_non_null(*truth);
    assert_true(st.duplicates > 0 && st.lost > 0 && st.late > 0);
    sw_buf_release(&tb);
}

static void deterministic(void **state)
{
    struct cap a, b, c;
    json_t *ta, *tb, *tc;
    run_sim(7, 24, 10, &a, &ta);
    run_sim(7, 24, 10, &b, &tb);
    run_sim(8, 24, 10, &c, &tc);
    assert_true(a.hash == b.hash);
    assert_true(a.text.len == b.text.len);
    assert_true(json_equal(ta, tb));
    assert_true(a.hash != c.hash);
    assert_false(json_equal(ta, tc));
    sw_buf_release(&a.text);
    sw_buf_release(&b.text);
    sw_buf_release(&c.text);
    json_decref(ta);
    json_decref(tb);
    json_decref(tc);
}

static int64_t jtime(json_t *o, const char *k)
{
    int64_t ms = 0;
    json_t *v = json_object_get(o, k);
    assert_int_equal(sw_time_parse(json_string_value(v), json_string_length(v), &ms), SW_OK);
    return ms;
}

/* Every position a vessel transmits is at sea, or inside a port area, or inside a labelled
 * position_spoof window of that MMSI; lateness is bounded; the run has what the brief asks. */
static void check_run(uint64_t seed, int *types_seen, int *negs_seen)
{
    struct cap c;
    json_t *truth;
    run_sim(seed, 36, 30, &c, &truth);
    json_t *events = json_object_get(truth, "events"), *negs = json_object_get(truth, "negatives");
    static const char *const TYPES[] = {
        "encounter",  "dark_rendezvous", "loitering",       "ais_gap",        "port_call",
        "zone_entry", "position_spoof",  "identity_change", "identity_fraud", "listed_vessel"};
    static const char *const NEGS[] = {"anchored_together", "passing_close", "tug_tow",
                                       "pilot_visit",       "short_gap",     "port_stop",
                                       "fishing_speed"};
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        for (int k = 0; k < 10; k++)
            if (!strcmp(json_string_value(json_object_get(e, "type")), TYPES[k])) types_seen[k]++;
    }
    json_array_foreach(negs, i, e)
    {
        for (int k = 0; k < 7; k++)
            if (!strcmp(json_string_value(json_object_get(e, "kind")), NEGS[k])) negs_seen[k]++;
    }

    struct sw_nmea *f;
    assert_int_equal(sw_nmea_new(&f, NULL), SW_OK);
    const char *p = c.text.data;
    uint64_t ln = 0, positions = 0, onland = 0, inport = 0, spoofed = 0, bad = 0, classb = 0;
    int64_t maxrx = 0, maxlate = 0;
    char sources[64][32];
    int nsrc = 0;
    static int64_t lastseen[1024][2];
    int nlast = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        const struct sw_nmea_msg *m;
        sw_nmea_feed(f, p, (size_t)(nl - p), ++ln, &m);
        p = nl + 1;
        if (!m) continue;
        struct sw_ais a;
        assert_int_equal(sw_ais_decode(m->payload, m->len, m->fill_bits, &a), SW_OK);
        if (m->rxtime_ms > maxrx) maxrx = m->rxtime_ms;
        if (maxrx - m->rxtime_ms > maxlate) maxlate = maxrx - m->rxtime_ms;
        int known = 0;
        for (int k = 0; k < nsrc; k++)
            known |= !strcmp(sources[k], m->source);
        if (!known && nsrc < 64) snprintf(sources[nsrc++], 32, "%s", m->source);
        double la, lo;
        if (a.type >= 1 && a.type <= 3) {
            la = a.u.t1.lat / 600000.0;
            lo = a.u.t1.lon / 600000.0;
        } else if (a.type == 18 || a.type == 19) {
            la = a.u.t18.lat / 600000.0;
            lo = a.u.t18.lon / 600000.0;
            classb++;
        } else {
            continue;
        }
        positions++;
        int k = 0;
        while (k < nlast && lastseen[k][0] != a.mmsi)
            k++;
        if (k == nlast && nlast < 1024) lastseen[nlast++][0] = a.mmsi;
        if (k < 1024 && m->rxtime_ms > lastseen[k][1]) lastseen[k][1] = m->rxtime_ms;
        if (!sw_geo_is_land(G, la, lo)) continue;
        onland++;
        const struct sw_port *port;
        if (sw_ports_area(G, la, lo, &port) == SW_OK) {
            inport++;
            continue;
        }
        int ok = 0;
        json_array_foreach(events, i, e)
        {
            if (strcmp(json_string_value(json_object_get(e, "type")), "position_spoof")) continue;
            if (json_integer_value(json_array_get(json_object_get(e, "vessels"), 0)) != a.mmsi)
                continue;
            ok |=
                m->rxtime_ms >= jtime(e, "start") - 2000 && m->rxtime_ms <= jtime(e, "end") + 2000;
        }
        if (ok) {
            spoofed++;
        } else {
            bad++;
            printf("seed %llu: mmsi %u on land at %.4f %.4f outside ports and spoofs\n",
                   (unsigned long long)seed, a.mmsi, la, lo);
        }
    }
    sw_nmea_free(f);
    /* nobody falls silent at sea for good: every MMSI is heard within 12 h of the end (an
     * unlabelled open AIS gap otherwise) */
    int64_t end = jtime(truth, "end");
    for (int k = 0; k < nlast; k++)
        if (lastseen[k][1] < end - 12 * 3600000LL) {
            printf("seed %llu: mmsi %lld last heard 12 h before the end\n",
                   (unsigned long long)seed, (long long)lastseen[k][0]);
            bad++;
        }
    printf("RESULT simulate seed %llu: %llu lines, %llu position reports (%llu class B), %d "
           "receivers, %llu on land (%llu in port areas, %llu labelled spoofs, %llu other), "
           "max lateness %lld s, %zu truth events, %zu negatives\n",
           (unsigned long long)seed, (unsigned long long)ln, (unsigned long long)positions,
           (unsigned long long)classb, nsrc, (unsigned long long)onland, (unsigned long long)inport,
           (unsigned long long)spoofed, (unsigned long long)bad, (long long)(maxlate / 1000),
           json_array_size(events), json_array_size(negs));
    assert_int_equal(bad, 0);
    assert_true(maxlate <= 600000);
    assert_true(nsrc >= 5);
    assert_true(classb > 0);
    sw_buf_release(&c.text);
    json_decref(truth);
}

static void runs_cover_everything(void **state)
{
    int types[10] = {0}, negs[7] = {0};
    for (uint64_t seed = 1; seed <= 3; seed++)
        check_run(seed, types, negs);
    for (int k = 0; k < 10; k++)
        if (types[k] < 3) {
            printf("event type %d planted only %d times over 3 seeds\n", k, types[k]);
            fail();
        }
    for (int k = 0; k < 7; k++)
        if (negs[k] < 3) {
            printf("negative kind %d planted only %d times over 3 seeds\n", k, negs[k]);
            fail();
        }
}

/* The truth, written as events, scores 1.0 everywhere; dropping one kind of events drops
 * that type's recall and nothing else. */
static void truth_scores_itself(void **state)
{
    struct cap c;
    json_t *truth;
    run_sim(11, 36, 20, &c, &truth);
    char *text = json_dumps(truth, 0);
    struct sw_eval *e;
    const char *why;
    for (int drop = 0; drop < 2; drop++) {
        assert_int_equal(sw_eval_new(&e, NULL), SW_OK);
        assert_int_equal(sw_eval_truth(e, text, strlen(text), &why), SW_OK);
        size_t i;
        json_t *ev;
        size_t ln = 0;
        json_array_foreach(json_object_get(truth, "events"), i, ev)
        {
            if (drop && !strcmp(json_string_value(json_object_get(ev, "type")), "ais_gap"))
                continue;
            char *line = json_dumps(ev, JSON_COMPACT);
            assert_int_equal(sw_eval_event(e, line, strlen(line), ++ln), SW_OK);
            free(line);
        }
        assert_int_equal(sw_eval_run(e), SW_OK);
        for (size_t k = 0; k < sw_eval_ntypes(e); k++) {
            const struct sw_eval_result *r = sw_eval_result(e, k);
            assert_true(r->truth > 0);
            if (drop && !strcmp(r->type, "ais_gap")) {
                assert_true(r->recall == 0.0);
                continue;
            }
            assert_true(r->precision == 1.0 && r->recall == 1.0);
        }
        assert_int_equal(sw_eval_nneg_hits(e), 0);
        sw_eval_free(e);
    }
    free(text);
    sw_buf_release(&c.text);
    json_decref(truth);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encoder_roundtrip),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(runs_cover_everything),
        cmocka_unit_test(truth_scores_itself),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
