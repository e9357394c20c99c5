/*
 * Unit tests for the simulator: the AIS encoder against the project's decoder and framer
 * (encode -> frame -> decode gives the same fields), determinism, tracks that stay at sea,
 * every event type, kind, variant and hard negative in the truth over several seeds, each
 * planted case checked on the decoded traffic (where it is, who heard what around it, the odd
 * fixes), episodes across split boundaries, delivery properties, splitting by time, and the
 * evaluator scoring the truth against itself.
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
    char err[SW_GEO_PATHMAX];
    int rc = sw_geo_open(&G, sw_test_root("data"), err);
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

/* ---- decoded runs --------------------------------------------------------------------------- */

struct fix {
    uint32_t mmsi;
    int64_t t;
    double la, lo;
};

struct run {
    uint64_t seed;
    json_t *truth;
    struct fix *fx;
    size_t nfx, capfx;
};

static int cmp_fix(const void *a, const void *b)
{
    const struct fix *x = a, *y = b;
    if (x->mmsi != y->mmsi) return x->mmsi < y->mmsi ? -1 : 1;
    return (x->t > y->t) - (x->t < y->t);
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static const char *jdet(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(json_object_get(o, "details"), k));
    return s ? s : "";
}

static uint32_t jm(json_t *o, size_t i)
{
    return (uint32_t)json_integer_value(json_array_get(json_object_get(o, "vessels"), i));
}

static const char *role_of(json_t *truth, uint32_t mmsi)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(truth, "vessels"), i, v)
    {
        if (json_integer_value(json_object_get(v, "mmsi")) == mmsi) return jstr(v, "role");
    }
    return "";
}

/* The fixes of one vessel: [*lo, *hi) of r->fx. */
static void fixes_of(const struct run *r, uint32_t mmsi, size_t *lo, size_t *hi)
{
    size_t a = 0, b = r->nfx;
    while (a < b) {
        size_t m = (a + b) / 2;
        if (r->fx[m].mmsi < mmsi)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    while (a < r->nfx && r->fx[a].mmsi == mmsi)
        a++;
    *hi = a;
}

/* A decoded position on land is fine in a port area, in a labelled spoofing window of that
 * MMSI, or as the one odd fix of a labelled glitch or garble. */
static int labelled_land(json_t *truth, uint32_t mmsi, int64_t t)
{
    const char *keys[2] = {"events", "negatives"};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(truth, keys[l]), i, e)
        {
            const char *k = jstr(e, l ? "kind" : "type");
            if (strcmp(k, "position_spoof") && strcmp(k, "single_fix_glitch") &&
                strcmp(k, "digit_garble"))
                continue;
            if (jm(e, 0) == mmsi && t >= jtime(e, "start") - 2000 && t <= jtime(e, "end") + 2000)
                return 1;
        }
    }
    return 0;
}

static const char *const TYPES[] = {
    "encounter",  "dark_rendezvous", "loitering",       "ais_gap",        "port_call",
    "zone_entry", "position_spoof",  "identity_change", "identity_fraud", "listed_vessel"};
#define NTYPES 10
/* Every planted kind and variant: type/details.kind/details.variant (or the negative's kind
 * and variant), at least once per run. */
static const char *const CASES[] = {"identity_fraud/shared_mmsi/clone",
                                    "identity_fraud/shared_mmsi/clone_copy",
                                    "identity_fraud/shared_mmsi/flip",
                                    "identity_fraud/shared_imo/",
                                    "identity_fraud/imo_check_digit/",
                                    "identity_fraud/unallocated_mid/",
                                    "zone_entry/entry/",
                                    "zone_entry/slow/",
                                    "listed_vessel//untyped_listing",
                                    "position_spoof//jump",
                                    "position_spoof//on_land",
                                    "anchored_together//",
                                    "anchorage_wait//",
                                    "passing_close//",
                                    "tug_tow//",
                                    "pilot_visit//",
                                    "short_gap//",
                                    "port_stop//",
                                    "fishing_speed//",
                                    "true_reflag//",
                                    "coastal_transit//",
                                    "listed_name_yacht//",
                                    "listed_name_other_imo//",
                                    "listed_name_only//",
                                    "single_fix_glitch//",
                                    "digit_garble//at_sea",
                                    "digit_garble//on_land",
                                    "same_stamp_rows//",
                                    "receiver_outage//"};
#define NCASES (sizeof CASES / sizeof CASES[0])

static void count_cases(json_t *truth, int *types_seen, int *cases_seen)
{
    const char *keys[2] = {"events", "negatives"};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(truth, keys[l]), i, e)
        {
            char name[96];
            snprintf(name, sizeof name, "%s/%s/%s", jstr(e, l ? "kind" : "type"), jdet(e, "kind"),
                     jdet(e, "variant"));
            for (int k = 0; k < NTYPES && !l; k++)
                types_seen[k] += !strcmp(jstr(e, "type"), TYPES[k]);
            for (size_t k = 0; k < NCASES; k++)
                cases_seen[k] += !strcmp(name, CASES[k]);
        }
    }
}

/* Simulate and decode a run: every position report into r->fx; the decoder takes every line;
 * positions on land only where labelled; lateness bounded; every MMSI heard within 12 h of
 * the end. */
static void decode_run(uint64_t seed, struct run *r)
{
    struct cap c;
    memset(r, 0, sizeof *r);
    r->seed = seed;
    run_sim(seed, 36, 30, &c, &r->truth);
    struct sw_nmea *f;
    assert_int_equal(sw_nmea_new(&f, NULL), SW_OK);
    const char *p = c.text.data;
    uint64_t ln = 0, onland = 0, inport = 0, labelled = 0, bad = 0, classb = 0;
    int64_t maxrx = 0, maxlate = 0;
    char sources[64][32];
    int nsrc = 0;
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
        if (r->nfx == r->capfx) {
            r->capfx = r->capfx ? 2 * r->capfx : 65536;
            r->fx = realloc(r->fx, r->capfx * sizeof *r->fx);
            assert_non_null(r->fx);
        }
        r->fx[r->nfx++] = (struct fix){a.mmsi, m->rxtime_ms, la, lo};
        if (!sw_geo_is_land(G, la, lo)) continue;
        onland++;
        const struct sw_port *port;
        if (sw_ports_area(G, la, lo, &port) == SW_OK) {
            inport++;
        } else if (labelled_land(r->truth, a.mmsi, m->rxtime_ms)) {
            labelled++;
        } else {
            bad++;
            printf("seed %llu: mmsi %u on land at %.4f %.4f outside ports and labels\n",
                   (unsigned long long)seed, a.mmsi, la, lo);
        }
    }
    sw_nmea_free(f);
    qsort(r->fx, r->nfx, sizeof *r->fx, cmp_fix);
    /* nobody falls silent at sea for good: every MMSI is heard within 12 h of the end (an
     * unlabelled open AIS gap otherwise) */
    int64_t end = jtime(r->truth, "end");
    for (size_t i = 0; i < r->nfx; i++)
        if ((i + 1 == r->nfx || r->fx[i + 1].mmsi != r->fx[i].mmsi) &&
            r->fx[i].t < end - 12 * 3600000LL) {
            printf("seed %llu: mmsi %u last heard 12 h before the end\n", (unsigned long long)seed,
                   r->fx[i].mmsi);
            bad++;
        }
    json_t *events = json_object_get(r->truth, "events"),
           *negs = json_object_get(r->truth, "negatives");
    printf("RESULT simulate seed %llu: %llu lines, %zu position reports (%llu class B), %d "
           "receivers, %llu on land (%llu in port areas, %llu labelled, %llu other), max lateness "
           "%lld s, %zu truth events, %zu negatives, %zu zone transit summaries\n",
           (unsigned long long)seed, (unsigned long long)ln, r->nfx, (unsigned long long)classb,
           nsrc, (unsigned long long)onland, (unsigned long long)inport,
           (unsigned long long)labelled, (unsigned long long)bad, (long long)(maxlate / 1000),
           json_array_size(events), json_array_size(negs),
           json_array_size(json_object_get(r->truth, "zone_transits")));
    assert_int_equal(bad, 0);
    assert_true(maxlate <= 600000);
    assert_true(nsrc >= 5);
    assert_true(classb > 0);
    sw_buf_release(&c.text);
}

static void free_run(struct run *r)
{
    free(r->fx);
    json_decref(r->truth);
}

/* ---- the planted cases, checked on the decoded traffic --------------------------------------- */

/* AIS gaps: the last fix before and the first after; "good": 3 or more other vessels heard
 * within 50 km of an end during the gap; "unknown": nobody else heard within 100 km of either
 * end from 2 h before the gap to its end. Returns the number of unknown-reception gaps. */
static int check_gaps(const struct run *r)
{
    int unknown = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->truth, "events"), i, e)
    {
        if (strcmp(jstr(e, "type"), "ais_gap")) continue;
        uint32_t m = jm(e, 0);
        int64_t ts = jtime(e, "start"), te = jtime(e, "end");
        size_t lo, hi, k;
        fixes_of(r, m, &lo, &hi);
        const struct fix *a = NULL, *b = NULL;
        for (k = lo; k < hi; k++) {
            assert_false(r->fx[k].t > ts + 60000 && r->fx[k].t < te - 60000); /* silent */
            if (r->fx[k].t <= ts + 60000) a = &r->fx[k];
            if (r->fx[k].t >= te - 60000 && !b) b = &r->fx[k];
        }
        assert_non_null(a);
        assert_non_null(b);
        uint32_t near[16];
        int nnear = 0;
        double closest = 1e18;
        for (k = 0; k < r->nfx; k++) {
            const struct fix *x = &r->fx[k];
            if (x->mmsi == m || x->t < ts - 2 * 3600000LL || x->t > te) continue;
            double d = fmin(sw_geo_dist_m(x->la, x->lo, a->la, a->lo),
                            sw_geo_dist_m(x->la, x->lo, b->la, b->lo));
            if (d < closest) closest = d;
            int seen = 0;
            for (int q = 0; q < nnear; q++)
                seen |= near[q] == x->mmsi;
            if (x->t >= ts && d < 50000 && !seen && nnear < 16) near[nnear++] = x->mmsi;
        }
        if (!strcmp(jdet(e, "reception"), "unknown")) {
            printf("seed %llu: gap %s of %u, nobody heard within %.0f km\n",
                   (unsigned long long)r->seed, jstr(e, "id"), m, closest / 1000);
            assert_true(closest > 100000);
            unknown++;
        } else {
            assert_string_equal(jdet(e, "reception"), "good");
            assert_true(nnear >= 3);
        }
    }
    return unknown;
}

/* A receiver outage: its own vessels (role "outage") are heard by nobody during it, and at
 * least three of them in the 2 h before and after. Returns the number of outages. */
static int check_outage(const struct run *r)
{
    int64_t t0 = 0, t1 = 0;
    int before = 0, after = 0, n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->truth, "negatives"), i, e)
    {
        if (strcmp(jstr(e, "kind"), "receiver_outage")) continue;
        uint32_t m = jm(e, 0);
        t0 = jtime(e, "start");
        t1 = jtime(e, "end");
        if (strcmp(role_of(r->truth, m), "outage")) continue;
        size_t lo, hi;
        int b = 0, a = 0;
        fixes_of(r, m, &lo, &hi);
        for (size_t k = lo; k < hi; k++) {
            assert_false(r->fx[k].t > t0 + 60000 && r->fx[k].t < t1 - 60000);
            b |= r->fx[k].t < t0 && r->fx[k].t > t0 - 2 * 3600000LL;
            a |= r->fx[k].t > t1 && r->fx[k].t < t1 + 2 * 3600000LL;
        }
        before += b;
        after += a;
        n++;
    }
    if (!n) return 0;
    assert_int_equal(n, 4);
    assert_true(before >= 3 && after >= 3);
    return 1;
}

/* The odd fixes: a glitch or a garble is exactly one fix 40 km or more from the fixes before
 * and after it (a garble: by 1.0 or 10.0 degrees of one coordinate); re-sent fixes are two or
 * more positions 5 km or more apart under one timestamp. */
static void check_odd(const struct run *r)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->truth, "negatives"), i, e)
    {
        const char *kind = jstr(e, "kind");
        int glitch = !strcmp(kind, "single_fix_glitch"), garble = !strcmp(kind, "digit_garble");
        int replay = !strcmp(kind, "same_stamp_rows");
        if (!glitch && !garble && !replay) continue;
        int64_t t0 = jtime(e, "start"), t1 = jtime(e, "end");
        size_t lo, hi, n = 0;
        fixes_of(r, jm(e, 0), &lo, &hi);
        struct fix f[512];
        for (size_t k = lo; k < hi && n < 512; k++) { /* distinct fixes in the window */
            const struct fix *x = &r->fx[k];
            if (x->t < t0 || x->t > t1) continue;
            int dup = 0;
            for (size_t q = 0; q < n; q++)
                dup |=
                    f[q].t == x->t && fabs(f[q].la - x->la) < 1e-6 && fabs(f[q].lo - x->lo) < 1e-6;
            if (!dup) f[n++] = *x;
        }
        int odd = 0, stamped = 0;
        for (size_t k = 0; k < n; k++) {
            int same = 0;
            for (size_t q = 0; q < n; q++)
                same += q != k && f[q].t == f[k].t &&
                        sw_geo_dist_m(f[q].la, f[q].lo, f[k].la, f[k].lo) > 5000;
            if (same) stamped++;
            if (k == 0 || k + 1 == n) continue;
            if (sw_geo_dist_m(f[k].la, f[k].lo, f[k - 1].la, f[k - 1].lo) < 40000 ||
                sw_geo_dist_m(f[k].la, f[k].lo, f[k + 1].la, f[k + 1].lo) < 40000)
                continue;
            odd++;
            if (garble) {
                double dl = fabs(f[k].la - f[k - 1].la), dn = fabs(f[k].lo - f[k - 1].lo);
                assert_true(fabs(dl - 1) < 0.03 || fabs(dl - 10) < 0.03 || fabs(dn - 1) < 0.03 ||
                            fabs(dn - 10) < 0.03);
            }
        }
        if (replay)
            assert_true(stamped >= 2);
        else
            assert_int_equal(odd, 1);
    }
}

/* Coastal cases: at sea off the DPRK west coast (38-39.7 N, 124-125 E), 12-20 nm from the
 * shore, outside the territorial sea and 15 km or more from every port. Returns how many. */
static int check_coastal(const struct run *r)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->truth, "events"), i, e)
    {
        if (!json_object_get(json_object_get(e, "details"), "shore_distance_nm")) continue;
        double la = json_number_value(json_object_get(e, "lat"));
        double lo = json_number_value(json_object_get(e, "lon"));
        double nm = sw_geo_dist_to_shore_m(G, la, lo) / SW_GEO_NM_M;
        const struct sw_port *p;
        const struct sw_zone *z[8];
        size_t nz;
        sw_zones_lookup(G, la, lo, z, 8, &nz);
        for (size_t k = 0; k < nz && k < 8; k++)
            assert_string_not_equal(z[k]->kind, "territorial_sea");
        assert_true(la > 38 && la < 39.7 && lo > 124 && lo < 125);
        assert_false(sw_geo_is_land(G, la, lo));
        assert_true(nm >= 12 && nm <= 20);
        assert_int_not_equal(sw_ports_nearest(G, la, lo, 15000, &p, NULL), SW_OK);
        n++;
    }
    return n;
}

/* The listed-name vessels broadcast what their case says. */
static void check_listed(const struct run *r)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r->truth, "vessels"), i, v)
    {
        const char *role = jstr(v, "role");
        int type = (int)json_integer_value(json_object_get(v, "ship_type"));
        int len = (int)json_integer_value(json_object_get(v, "length"));
        json_int_t imo = json_integer_value(json_object_get(v, "imo"));
        if (!strcmp(role, "listed_name_yacht"))
            assert_true(type == 37 && len == 15 && !imo);
        else if (!strcmp(role, "listed_name"))
            assert_true(type >= 80 && type <= 89 && len >= 240 && !imo);
        else if (!strcmp(role, "listed_untyped"))
            assert_true(type >= 80 && type <= 89 && len >= 85 && !imo);
        else if (!strcmp(role, "listed_name_other_imo"))
            assert_true(type == 70 && sw_sim_imo_valid((uint32_t)imo));
        else if (!strcmp(role, "listed_name_only"))
            assert_true(type == 0 && len == 0 && !imo);
    }
}

/* Kinds whose episodes must span a UTC midnight and a six-hour boundary somewhere over the
 * seeds (a boundary at least min(30 min, a fifth of the episode) inside it). */
static const char *const SPANS[] = {"encounter",       "loitering",  "ais_gap",
                                    "dark_rendezvous", "port_call",  "position_spoof",
                                    "shared_mmsi",     "shared_imo", "slow"};
#define NSPANS (sizeof SPANS / sizeof SPANS[0])

static void count_spans(json_t *truth, int spans[][2])
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(truth, "events"), i, e)
    {
        const char *k = jdet(e, "kind")[0] ? jdet(e, "kind") : jstr(e, "type");
        int64_t t0 = jtime(e, "start"), t1 = jtime(e, "end"), h6 = 6 * 3600000LL;
        int64_t m = (t1 - t0) / 5 < 1800000 ? (t1 - t0) / 5 : 1800000;
        for (size_t s = 0; s < NSPANS; s++) {
            if (strcmp(k, SPANS[s])) continue;
            for (int64_t b = (t0 / h6 + 1) * h6; b < t1; b += h6)
                if (b - t0 >= m && t1 - b >= m) spans[s][b % (4 * h6) == 0]++;
        }
    }
}

static void runs_cover_everything(void **state)
{
    int types[NTYPES] = {0}, cases[NCASES] = {0}, spans[NSPANS][2] = {{0}};
    int unknown = 0, outages = 0, coastal = 0;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        struct run r;
        decode_run(seed, &r);
        count_cases(r.truth, types, cases);
        count_spans(r.truth, spans);
        unknown += check_gaps(&r);
        outages += check_outage(&r);
        coastal += check_coastal(&r);
        check_odd(&r);
        check_listed(&r);
        free_run(&r);
    }
    printf("RESULT over seeds 1-4: %d unknown-reception gaps, %d receiver outages, %d coastal "
           "cases off the DPRK\n",
           unknown, outages, coastal);
    for (int k = 0; k < NTYPES; k++)
        if (types[k] < 4)
            fail_msg("event type %s planted %d times over 4 seeds", TYPES[k], types[k]);
    for (size_t k = 0; k < NCASES; k++)
        if (cases[k] < 3) fail_msg("case %s planted %d times over 4 seeds", CASES[k], cases[k]);
    for (size_t k = 0; k < NSPANS; k++) {
        printf("RESULT %s: %d episodes across a six-hour boundary, %d across midnight\n", SPANS[k],
               spans[k][0], spans[k][1]);
        if (spans[k][0] < 2 || (spans[k][1] < 2 && strcmp(SPANS[k], "slow")))
            fail_msg("%s: too few episodes across split boundaries", SPANS[k]);
    }
    assert_true(unknown >= 3 && outages >= 3 && coastal >= 12);
}

/* The truth, written as events (with their kinds and reception) and transit summaries, scores
 * 1.0 everywhere; dropping one kind of events drops that type's recall and nothing else. */
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
        size_t i, ln = 0, gaps = 0;
        json_t *ev;
        json_array_foreach(json_object_get(truth, "events"), i, ev)
        {
            if (drop && !strcmp(json_string_value(json_object_get(ev, "type")), "ais_gap"))
                continue;
            gaps += !strcmp(json_string_value(json_object_get(ev, "type")), "ais_gap");
            char *line = json_dumps(ev, JSON_COMPACT);
            assert_int_equal(sw_eval_event(e, line, strlen(line), ++ln), SW_OK);
            free(line);
        }
        json_array_foreach(json_object_get(truth, "zone_transits"), i, ev)
        {
            char line[256], start[40];
            snprintf(start, sizeof start, "%sT00:00:00Z",
                     json_string_value(json_object_get(ev, "day")));
            snprintf(line, sizeof line,
                     "{\"type\":\"zone_entry\",\"vessels\":[%lld],\"start\":\"%s\",\"end\":\"%s\","
                     "\"details\":{\"kind\":\"transits\",\"zone\":\"%s\",\"entries\":%lld}}",
                     (long long)json_integer_value(json_object_get(ev, "mmsi")), start, start,
                     json_string_value(json_object_get(ev, "zone")),
                     (long long)json_integer_value(json_object_get(ev, "entries")));
            assert_int_equal(sw_eval_event(e, line, strlen(line), ++ln), SW_OK);
        }
        assert_int_equal(sw_eval_run(e), SW_OK);
        assert_int_equal(sw_eval_malformed(e), 0);
        for (size_t k = 0; k < sw_eval_ntypes(e); k++) {
            const struct sw_eval_result *r = sw_eval_result(e, k);
            assert_true(r->truth > 0);
            if (drop && !strcmp(r->type, "ais_gap")) {
                assert_true(r->recall == 0.0);
                continue;
            }
            assert_true(r->precision == 1.0 && r->recall == 1.0);
        }
        assert_true(sw_eval_nkinds(e) >= 6);
        for (size_t k = 0; k < sw_eval_nkinds(e); k++) {
            const struct sw_eval_result *r = sw_eval_kind_result(e, k);
            assert_true(r->precision == 1.0 && r->recall == 1.0);
        }
        struct sw_eval_reception rc;
        struct sw_eval_transits tr;
        sw_eval_reception_counts(e, &rc);
        sw_eval_transit_counts(e, &tr);
        assert_int_equal(rc.agree, gaps);
        assert_int_equal(rc.disagree + rc.unlabelled, 0);
        assert_true(tr.truth > 0 && tr.equal == tr.truth && tr.events == tr.truth);
        assert_int_equal(tr.truth_entries, tr.event_entries);
        assert_int_equal(sw_eval_nneg_hits(e), 0);
        sw_eval_free(e);
    }
    free(text);
    sw_buf_release(&c.text);
    json_decref(truth);
}

/* Lines are split by their tag block's receive time; a group's second sentence has none. */
static void line_time(void **state)
{
    int64_t t = 0;
    static const char A[] =
        "\\s:rBusan,c:1709251200*55\\!AIVDM,1,1,,A,13aG?P0P00PD;88MD5MTDww@2D7k,0*46";
    static const char B[] = "\\g:1-2-77,s:rTwo,c:1709251260*3D\\!AIVDM,2,1,3,B,5,0*00";
    static const char C[] = "\\g:2-2-77*6A\\!AIVDM,2,2,3,B,00,2*00";
    assert_int_equal(sw_sim_line_time(A, strlen(A), &t), 1);
    assert_true(t == 1709251200);
    assert_int_equal(sw_sim_line_time(B, strlen(B), &t), 1);
    assert_true(t == 1709251260);
    assert_int_equal(sw_sim_line_time(C, strlen(C), &t), 0);
    assert_int_equal(sw_sim_line_time("!AIVDM,1,1,,A,1,0*00", 20, &t), 0);
    assert_int_equal(sw_sim_line_time("\\c:*00\\", 7, &t), 0);
    assert_int_equal(sw_sim_line_time("\\s:x,c:12", 9, &t), 0); /* no closing backslash */
}

/* Three days: the same bytes twice, every midnight crossed by some episode. */
static void three_days(void **state)
{
    struct cap a, b;
    json_t *ta, *tb;
    run_sim(21, 72, 30, &a, &ta);
    run_sim(21, 72, 30, &b, &tb);
    assert_true(a.hash == b.hash && a.text.len == b.text.len);
    assert_true(json_equal(ta, tb));
    int64_t t0 = jtime(ta, "start");
    for (int d = 1; d <= 2; d++) {
        int64_t mid = t0 + d * 24 * 3600000LL;
        int n = 0;
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(ta, "events"), i, e)
        {
            n += jtime(e, "start") < mid - 1800000 && jtime(e, "end") > mid + 1800000;
        }
        printf("RESULT 72 h run: %d truth episodes across midnight %d\n", n, d);
        assert_true(n >= 3);
    }
    sw_buf_release(&a.text);
    sw_buf_release(&b.text);
    json_decref(ta);
    json_decref(tb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encoder_roundtrip),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(runs_cover_everything),
        cmocka_unit_test(truth_scores_itself),
        cmocka_unit_test(line_time),
        cmocka_unit_test(three_days),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
