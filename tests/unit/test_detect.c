/*
 * Unit tests of the streaming detectors: records built here are fed straight to sw_detect (no
 * pipeline, no store), each rule with a case that must fire (with its measured values checked
 * against what the case was built with) and one that must not.
 */
#include "testutil.h"

#include "sanctwatch/config.h"
#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1709251200000LL /* 2024-03-01T00:00:00Z */
#define MIN 60000LL
#define HOUR 3600000LL
/* Open sea in the middle of the Yellow Sea: far from shore and from every port. */
#define SEA_LAT 35.0
#define SEA_LON 123.5

static struct sw_geo *geo;

struct out {
    json_t *ev[256];
    int n;
};

static int collect(void *ctx, const char *line, size_t len)
{
    struct out *o = ctx;
    json_t *j = json_loadb(line, len, 0, NULL);
    if (!j || o->n >= 256) return SW_ETOOBIG;
    /* the line is written without jansson's dump: it must be the bytes jansson writes */
    char *again = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
    int same = again && strlen(again) == len && !memcmp(again, line, len);
    free(again);
    if (!same) {
        json_decref(j);
        return SW_EFORMAT;
    }
    o->ev[o->n++] = j;
    return SW_OK;
}

static void out_free(struct out *o)
{
    for (int i = 0; i < o->n; i++)
        json_decref(o->ev[i]);
    o->n = 0;
}

static int count(const struct out *o, const char *type)
{
    int n = 0;
    for (int i = 0; i < o->n; i++)
        n += !strcmp(json_string_value(json_object_get(o->ev[i], "type")), type);
    return n;
}

static json_t *first(const struct out *o, const char *type)
{
    for (int i = 0; i < o->n; i++)
        if (!strcmp(json_string_value(json_object_get(o->ev[i], "type")), type)) return o->ev[i];
    return NULL;
}

static double detail(json_t *ev, const char *key)
{
    return json_number_value(json_object_get(json_object_get(ev, "details"), key));
}

static struct sw_detect *new_det(struct out *o)
{
    struct sw_detect *d = NULL;
    char err[SW_ERRMAX];
    assert_int_equal(sw_detect_new(&d, geo, NULL, NULL, NULL, err), SW_OK);
    sw_detect_set_emit(d, collect, o);
    return d;
}

static void fix(struct sw_detect *d, uint32_t mmsi, int64_t t, double lat, double lon, double sog)
{
    struct sw_record r;
    sw_record_clear(&r);
    r.t_ms = t;
    r.mmsi = mmsi;
    r.kind = SW_REC_VESSEL;
    r.lat = lat;
    r.lon = lon;
    r.sog = (float)sog;
    r.fields = SW_F_POS | SW_F_SOG;
    assert_int_equal(sw_detect_consume(d, &r, NULL), SW_OK);
}

static void stat_rec(struct sw_detect *d, uint32_t mmsi, int64_t t, const char *name, uint32_t imo)
{
    struct sw_record r;
    sw_record_clear(&r);
    r.t_ms = t;
    r.mmsi = mmsi;
    r.kind = SW_REC_VESSEL;
    snprintf(r.name, sizeof r.name, "%s", name);
    r.imo = imo;
    r.fields = SW_F_NAME | (imo ? SW_F_IMO : 0);
    assert_int_equal(sw_detect_consume(d, &r, NULL), SW_OK);
}

/* Point dist_m east of the sea point. */
static double east(double dist_m)
{
    return SEA_LON + dist_m / (111195.0 * cos(SEA_LAT * M_PI / 180));
}

static void test_encounter(void **state)
{
    (void)state;
    for (int variant = 0; variant < 3; variant++) {
        struct out o = {0};
        struct sw_detect *d = new_det(&o);
        double sep = variant == 1 ? 900 : 200; /* 1: too far apart */
        double sog = variant == 2 ? 8 : 0.4;   /* 2: under way together */
        for (int64_t t = T0; t <= T0 + 3 * HOUR; t += 5 * MIN) {
            double moved = variant == 2 ? (double)(t - T0) / HOUR * sog * 1852 : 0;
            fix(d, 412000001, t, SEA_LAT, east(moved), sog);
            fix(d, 412000002, t + 30000, SEA_LAT, east(moved + sep), sog);
        }
        for (int64_t t = T0 + 3 * HOUR + 5 * MIN; t < T0 + 6 * HOUR; t += 5 * MIN) {
            fix(d, 412000001, t, SEA_LAT + 0.2, SEA_LON, 10);
            fix(d, 412000002, t, SEA_LAT - 0.2, SEA_LON, 10);
        }
        assert_int_equal(sw_detect_finish(d), SW_OK);
        if (variant == 0) {
            assert_int_equal(count(&o, "encounter"), 1);
            json_t *ev = first(&o, "encounter");
            double md = detail(ev, "min_distance_m");
            printf("NOTE: encounter min_distance_m %.0f (built 200), duration_h %.2f\n", md,
                   detail(ev, "duration_h"));
            assert_true(fabs(md - 200) < 30); /* 30 s apart at 0.4 kn: a few metres */
            assert_true(fabs(detail(ev, "duration_h") - 3) < 0.2);
            assert_true(
                json_array_size(json_object_get(json_object_get(ev, "evidence"), "fixes")) >= 2);
        } else {
            assert_int_equal(count(&o, "encounter"), 0);
        }
        out_free(&o);
        sw_detect_free(d);
    }
}

/* loitering: at sea wherever it is, coastal waters of the DPRK included, but not in a port's
 * waiting area, and not when it is too short. */
static void test_loitering(void **state)
{
    (void)state;
    /* 0: open sea; 1: too short; 2: 15 nm off the DPRK west coast (Korea Bay); 3: in the
     * Dalian anchorage (a waiting area of data/ports.csv) */
    const double at[4][2] = {
        {SEA_LAT, SEA_LON}, {SEA_LAT, SEA_LON}, {39.10, 124.90}, {38.87, 121.80}};
    for (int variant = 0; variant < 4; variant++) {
        struct out o = {0};
        struct sw_detect *d = new_det(&o);
        double la = at[variant][0], lo0 = at[variant][1];
        double shore = sw_geo_dist_to_shore_m(geo, la, lo0) / SW_GEO_NM_M;
        assert_false(sw_geo_is_land(geo, la, lo0));
        if (variant == 2) assert_true(shore > 12 && shore < 18); /* the geometry holds */
        int64_t dur = variant == 1 ? 3 * HOUR : 5 * HOUR;
        double k = 1852 / (111195.0 * cos(la * M_PI / 180));
        for (int64_t t = T0; t <= T0 + dur; t += 6 * MIN)
            fix(d, 413000001, t, la, lo0 + (double)(t - T0) / HOUR * 0.5 * k, 0.5);
        fix(d, 413000001, T0 + dur + 6 * MIN, la, lo0 + 3 * k, 11);
        assert_int_equal(sw_detect_finish(d), SW_OK);
        assert_int_equal(count(&o, "loitering"), variant == 0 || variant == 2 ? 1 : 0);
        if (variant == 0 || variant == 2) {
            json_t *ev = first(&o, "loitering");
            assert_true(fabs(detail(ev, "duration_h") - 5) < 0.01);
            assert_true(fabs(detail(ev, "median_sog_kn") - 0.55) < 0.01); /* 0.5 kn bin */
            /* from the mean position, 1.25 nm east of the first */
            double mean = sw_geo_dist_to_shore_m(geo, la, lo0 + 1.25 * k) / SW_GEO_NM_M;
            assert_true(fabs(detail(ev, "shore_distance_nm") - fmin(mean, 100)) <= 0.5);
        }
        out_free(&o);
        sw_detect_free(d);
    }
}

/* ais_gap: 14 h of silence with others heard around (good reception), with nobody around
 * at all (reported, reception unknown), and during a receiver outage (others heard before,
 * then silent together with the vessel: no gap). */
static const char *sdetail(json_t *ev, const char *key)
{
    return json_string_value(json_object_get(json_object_get(ev, "details"), key));
}

static void test_ais_gap(void **state)
{
    (void)state;
    /* 0: others heard all along (good); 1: nobody else (unknown); 2: the others fall silent
     * with it (an outage); 3: it goes dark where nobody is heard and comes back 110 km away,
     * where the others heard before fell silent with it (the station there failed: an outage,
     * simulator seed 5) */
    for (int variant = 0; variant < 4; variant++) {
        struct out o = {0};
        struct sw_detect *d = new_det(&o);
        double olat = variant == 3 ? SEA_LAT + 1.0 : SEA_LAT;
        /* the silent vessel: fixes, then 14 h nothing, then fixes again */
        for (int64_t t = T0; t <= T0 + 16 * HOUR; t += 10 * MIN) {
            int heard = t <= T0 + HOUR || t >= T0 + 15 * HOUR;
            if (heard)
                fix(d, 414000001, t, variant == 3 && t > T0 + HOUR ? olat : SEA_LAT, SEA_LON, 10);
            if (variant == 0 || (variant >= 2 && heard))
                for (uint32_t k = 0; k < 4; k++)
                    fix(d, 414000100 + k, t + 1000 * k, olat + 0.05 * k, SEA_LON + 0.1, 9);
        }
        assert_int_equal(sw_detect_finish(d), SW_OK);
        assert_int_equal(count(&o, "ais_gap"), variant >= 2 ? 0 : 1);
        if (variant < 2) {
            json_t *ev = first(&o, "ais_gap");
            assert_true(fabs(detail(ev, "gap_h") - 14) < 0.01);
            assert_string_equal(sdetail(ev, "reception"), variant ? "unknown" : "good");
            if (!variant) assert_true(detail(ev, "others_heard") >= 3);
            if (variant)
                assert_true(detail(ev, "confidence") == 0 && /* not in details */
                            json_real_value(json_object_get(ev, "confidence")) == 0.4);
        } else if (variant == 2) {
            assert_int_equal(sw_detect_get_stats(d)->gap_outage, 5); /* the others too */
        } else {
            assert_true(sw_detect_get_stats(d)->gap_outage >= 1);
        }
        out_free(&o);
        sw_detect_free(d);
    }
}

/* position_spoof: an excursion of several fixes and a return is one; a single fix off the
 * track, a garbled digit, a jump without return, copies from a second receiver and rows
 * stamped with one time are not. */
static void test_position_spoof(void **state)
{
    (void)state;
    for (int variant = 0; variant < 7; variant++) {
        struct out o = {0};
        struct sw_detect *d = new_det(&o);
        for (int i = 0; i < 30; i++) {
            int64_t t = T0 + i * 2 * MIN;
            /* two single-fix excursions and a return between them under one time stamp
             * (simulator seed 5): the stamps are wrong, not the positions */
            if (variant == 6 && i >= 10 && i <= 12) t = T0 + 10 * 2 * MIN;
            double lon = east(i * 2.0 / 60 * 10 * 1852), lat = SEA_LAT;
            if (variant == 0 && i >= 10 && i < 13) lat += 0.8; /* 89 km away 3 fixes, back */
            if (variant == 1 && i >= 10) lat += 0.8;           /* a jump without return */
            if (variant == 3 && i == 10) lat += 0.8;           /* one fix off, back */
            if (variant == 4 && i >= 10 && i < 12) lat += 1.0; /* two fixes 1 degree off */
            if (variant == 5) t = T0 + (i < 20 ? 0 : MIN);     /* rows of one time */
            if (variant == 5 && i >= 10 && i < 13) lat += 0.8;
            if (variant == 6 && i == 10) lat += 0.2;
            if (variant == 6 && i == 12) lat += 0.25;
            fix(d, 415000001, t, lat, lon, 10);
            if (variant == 2) /* a second receiver's copy 100 m off, same second */
                fix(d, 415000001, t, lat + 0.001, lon, 10);
        }
        assert_int_equal(sw_detect_finish(d), SW_OK);
        assert_int_equal(count(&o, "position_spoof"), variant == 0 || variant == 4 ? 1 : 0);
        if (!variant) {
            json_t *ev = first(&o, "position_spoof");
            assert_true(fabs(detail(ev, "jump_km") - 89.0) < 1.5);
            assert_int_equal((int)detail(ev, "anomalous_fixes"), 3);
        }
        const struct sw_detect_stats *st = sw_detect_get_stats(d);
        if (variant == 3) assert_int_equal(st->spoof_single + st->spoof_garbled, 1);
        if (variant >= 5) assert_int_equal(st->spoof_same_time, 1);
        out_free(&o);
        sw_detect_free(d);
    }
}

static void test_identity(void **state)
{
    (void)state;
    struct out o = {0};
    struct sw_detect *d = new_det(&o);
    /* valid IMO 9074729; a garbled name once is not a change; a new name twice is */
    stat_rec(d, 416000001, T0, "OCEAN STAR", 9074729);
    stat_rec(d, 416000001, T0 + 6 * MIN, "OCEAN STXR", 9074729);
    stat_rec(d, 416000001, T0 + 12 * MIN, "OCEAN STAR", 9074729);
    stat_rec(d, 416000001, T0 + 18 * MIN, "SEA PRIDE", 9074729);
    stat_rec(d, 416000001, T0 + 24 * MIN, "SEA PRIDE", 9074729);
    /* the same IMO appears under a new MMSI (new flag), decided at its first fix */
    stat_rec(d, 351000001, T0 + 2 * HOUR, "SEA PRIDE", 9074729);
    fix(d, 351000001, T0 + 2 * HOUR + MIN, SEA_LAT, SEA_LON, 10);
    /* wrong check digit; unallocated MID 402 */
    stat_rec(d, 417000001, T0, "BAD IMO", 9074728);
    stat_rec(d, 402000001, T0, "NO MID", 0);
    assert_int_equal(sw_detect_finish(d), SW_OK);
    assert_int_equal(count(&o, "identity_change"), 2);
    assert_int_equal(count(&o, "identity_fraud"), 2);
    json_t *ev = first(&o, "identity_change");
    json_t *ch = json_array_get(json_object_get(json_object_get(ev, "details"), "changes"), 0);
    assert_string_equal(json_string_value(json_object_get(ch, "from")), "OCEAN STAR");
    assert_string_equal(json_string_value(json_object_get(ch, "to")), "SEA PRIDE");
    out_free(&o);
    sw_detect_free(d);
}

/* Names with quotes, backslashes, control and non-ASCII characters reach the output line
 * escaped as jansson escapes them (collect() compares every line with json_dumps). */
static void test_line_escapes(void **state)
{
    (void)state;
    struct out o = {0};
    struct sw_detect *d = new_det(&o);
    stat_rec(d, 417000002, T0, "Q\"B\\S\t\x01/\xc3\x9c", 9074728);
    assert_int_equal(sw_detect_finish(d), SW_OK);
    assert_int_equal(count(&o, "identity_fraud"), 1);
    json_t *v = json_array_get(json_object_get(first(&o, "identity_fraud"), "vessels"), 0);
    const char *name = json_string_value(json_object_get(v, "name"));
    assert_non_null(name);
    assert_non_null(strchr(name, '"'));
    out_free(&o);
    sw_detect_free(d);
}

/* A static report with ship type and length (type or length 0: not sent). */
static void stat_full(struct sw_detect *d, uint32_t mmsi, int64_t t, const char *name, uint32_t imo,
                      int type, int length)
{
    struct sw_record r;
    sw_record_clear(&r);
    r.t_ms = t;
    r.mmsi = mmsi;
    r.kind = SW_REC_VESSEL;
    snprintf(r.name, sizeof r.name, "%s", name);
    r.imo = imo;
    r.ship_type = (uint8_t)type;
    r.length_m = (uint16_t)length;
    r.fields =
        SW_F_NAME | (imo ? SW_F_IMO : 0) | (type ? SW_F_SHIPTYPE : 0) | (length ? SW_F_DIMS : 0);
    assert_int_equal(sw_detect_consume(d, &r, NULL), SW_OK);
}

static const char *corroboration_of(const struct out *o, uint32_t mmsi)
{
    for (int i = 0; i < o->n; i++) {
        json_t *ev = o->ev[i];
        if (strcmp(json_string_value(json_object_get(ev, "type")), "listed_vessel")) continue;
        json_t *v = json_array_get(json_object_get(ev, "vessels"), 0);
        if ((uint32_t)json_integer_value(json_object_get(v, "mmsi")) == mmsi)
            return json_string_value(
                json_object_get(json_object_get(ev, "details"), "corroboration"));
    }
    return NULL;
}

/* listed_vessel: identifiers match; a name needs a compatible type or size and no other IMO. */
static void test_listed(void **state)
{
    (void)state;
    struct out o = {0};
    struct sw_detect *d = new_det(&o);
    assert_int_equal(sw_detect_add_listed(d, "17069", 7937317, 0, "CHONG CHON GANG", "ofac_sdn",
                                          "General Cargo", NULL),
                     SW_OK);
    assert_int_equal(sw_detect_add_listed(d, "30001", 9123455, 0, "PATRIOT", "ofac_sdn",
                                          "Crude Oil Tanker", "105,000"),
                     SW_OK);
    assert_int_equal(
        sw_detect_add_listed(d, "30002", 0, 273000001, "SOME TUG", "ofac_sdn", "Tug", NULL), SW_OK);
    for (int k = 0; k < 2; k++) {
        int64_t t = T0 + k * 6 * MIN;
        stat_rec(d, 445000001, t, "CHONG CHON GANG", 7937317);   /* IMO */
        stat_full(d, 366000001, t, "PATRIOT", 0, 37, 15);        /* a yacht */
        stat_full(d, 538000001, t, "PATRIOT", 0, 80, 240);       /* a tanker of its size */
        stat_full(d, 636000001, t, "PATRIOT", 9074729, 80, 240); /* another valid IMO */
        stat_full(d, 352000001, t, "PATRIOT", 0, 0, 0);          /* the name alone */
        stat_full(d, 477000001, t, "PATRIOT", 0, 0, 30);         /* far too small */
        stat_full(d, 273000001, t, "ANOTHER NAME", 0, 52, 25);   /* the listed MMSI */
        stat_rec(d, 412000009, t, "OTHER SHIP", 9074729);
    }
    assert_int_equal(sw_detect_finish(d), SW_OK);
    assert_int_equal(count(&o, "listed_vessel"), 3);
    assert_string_equal(corroboration_of(&o, 445000001), "imo");
    assert_string_equal(corroboration_of(&o, 538000001), "name+type+length");
    assert_string_equal(corroboration_of(&o, 273000001), "mmsi");
    assert_null(corroboration_of(&o, 366000001));
    assert_null(corroboration_of(&o, 636000001));
    assert_null(corroboration_of(&o, 352000001));
    assert_null(corroboration_of(&o, 477000001));
    assert_int_equal(sw_detect_get_stats(d)->listed_ruled_out, 4);
    out_free(&o);
    sw_detect_free(d);
}

/* Events of a type in the incident view: the last record of each id, withdrawn ones left out
 * (a detector without a ledger emits a withdrawal under the id it withdraws). */
static int live(const struct out *o, const char *type, const char *kind)
{
    int n = 0;
    for (int i = 0; i < o->n; i++) {
        json_t *ev = o->ev[i];
        const char *id = json_string_value(json_object_get(ev, "id"));
        int later = 0;
        for (int j = i + 1; j < o->n && !later; j++)
            later = !strcmp(id, json_string_value(json_object_get(o->ev[j], "id")));
        if (later || json_is_true(json_object_get(ev, "withdrawn")) ||
            strcmp(json_string_value(json_object_get(ev, "type")), type))
            continue;
        const char *k = json_string_value(json_object_get(json_object_get(ev, "details"), "kind"));
        n += !kind || (k && !strcmp(k, kind));
    }
    return n;
}

/* One MMSI heard from two places at once is shared_mmsi, not position_spoof; two identities
 * taking turns under one MMSI are shared_mmsi, not two identity changes; one IMO number
 * broadcast by two MMSIs far apart at the same time is shared_imo, not identity_change. */
static void test_shared(void **state)
{
    (void)state;
    struct out o = {0};
    struct sw_detect *d = new_det(&o);
    for (int i = 0; i < 90; i++) { /* 3 h, two transmitters 220 km apart */
        int64_t t = T0 + i * 2 * MIN;
        double lon = east(i * 2.0 / 60 * 10 * 1852);
        fix(d, 415000002, t, (i & 1) ? SEA_LAT + 2 : SEA_LAT, lon, 10);
    }
    stat_rec(d, 416000002, T0, "OCEAN STAR", 0);
    stat_rec(d, 416000002, T0 + 6 * MIN, "OCEAN STAR", 0);
    stat_rec(d, 416000002, T0 + 12 * MIN, "SEA PRIDE", 0);
    stat_rec(d, 416000002, T0 + 18 * MIN, "SEA PRIDE", 0); /* a change, published */
    stat_rec(d, 416000002, T0 + 24 * MIN, "OCEAN STAR", 0);
    stat_rec(d, 416000002, T0 + 30 * MIN, "OCEAN STAR", 0); /* and back: two ships */
    for (int i = 0; i < 20; i++) { /* IMO 9074729 from two MMSIs 330 km apart */
        int64_t t = T0 + i * 6 * MIN;
        fix(d, 538000002, t, SEA_LAT, SEA_LON, 10);
        fix(d, 636000002, t + MIN, SEA_LAT + 3, SEA_LON, 10);
        stat_rec(d, 538000002, t + 2 * MIN, "PACIFIC", 9074729);
        stat_rec(d, 636000002, t + 3 * MIN, "PACIFIC", 9074729);
    }
    assert_int_equal(sw_detect_finish(d), SW_OK);
    assert_int_equal(live(&o, "identity_fraud", "shared_mmsi"), 2);
    assert_int_equal(live(&o, "identity_fraud", "shared_imo"), 1);
    assert_int_equal(live(&o, "position_spoof", NULL), 0);
    assert_int_equal(live(&o, "identity_change", NULL), 0);
    out_free(&o);
    sw_detect_free(d);
}

/* Records of a zone_entry kind (incident view). */
static int zone_kind(const struct out *o, const char *kind)
{
    int n = 0;
    for (int i = 0; i < o->n; i++) {
        json_t *ev = o->ev[i];
        if (strcmp(json_string_value(json_object_get(ev, "type")), "zone_entry")) continue;
        const char *k = json_string_value(json_object_get(json_object_get(ev, "details"), "kind"));
        n += k && !strcmp(k, kind);
    }
    return n;
}

/* zone_entry: entering the DPRK territorial sea is an incident; crossing the claimed EEZ is
 * a day's summary (entries, hours inside); slowing down in a transfer area is an incident. */
static void test_zones(void **state)
{
    (void)state;
    const struct sw_zone *zs[8];
    size_t n;
    /* the geometry the test stands on */
    sw_zones_lookup(geo, 38.9, 129.5, zs, 8, &n);
    assert_true(n == 1 && !strcmp(zs[0]->kind, "eez"));
    sw_zones_lookup(geo, 38.4, 129.5, zs, 8, &n);
    assert_int_equal(n, 0);
    sw_zones_lookup(geo, 39.25, 127.65, zs, 8, &n);
    assert_int_equal(n, 2);
    sw_zones_lookup(geo, 38.5, 122.5, zs, 8, &n);
    assert_true(n == 1 && !strcmp(zs[0]->kind, "transfer_area"));
    sw_zones_lookup(geo, 38.2, 122.5, zs, 8, &n);
    assert_int_equal(n, 0);
    for (int variant = 0; variant < 3; variant++) {
        struct out o = {0};
        struct sw_detect *d = new_det(&o);
        for (int i = 0; i <= 60; i++) {
            int64_t t = T0 + i * 2 * MIN;
            double la, lo, sog = 12;
            if (variant == 0) { /* north across the EEZ's southern edge (38.613 N) at 12 kn */
                la = 38.4 + i * 0.0067;
                lo = 129.5;
            } else if (variant == 1) { /* from the EEZ into the territorial sea off Wonsan */
                la = 39.5 - i * 0.005;
                lo = 128.0 - i * 0.007;
            } else { /* north into the Korea Bay box, then drifting there for an hour */
                la = i < 20 ? 38.2 + i * 0.015 : 38.5;
                lo = 122.5;
                sog = i < 20 ? 10 : 0.5;
            }
            fix(d, 419000001, t, la, lo, sog);
        }
        assert_int_equal(sw_detect_finish(d), SW_OK);
        assert_int_equal(zone_kind(&o, "entry"), variant == 1 ? 1 : 0);
        assert_int_equal(zone_kind(&o, "slow"), variant == 2 ? 1 : 0);
        assert_int_equal(zone_kind(&o, "transits"),
                         variant == 1 ? 0 : 1); /* 1: first heard in it */
        out_free(&o);
        sw_detect_free(d);
    }
}

/* Same input twice gives byte-identical events (ids are deterministic). */
static void test_deterministic(void **state)
{
    (void)state;
    char *a[2] = {NULL, NULL};
    for (int run = 0; run < 2; run++) {
        struct out o = {0};
        struct sw_detect *d = new_det(&o);
        for (int64_t t = T0; t <= T0 + 5 * HOUR; t += 6 * MIN)
            fix(d, 413000001, t, SEA_LAT, SEA_LON, 0.3);
        assert_int_equal(sw_detect_finish(d), SW_OK);
        assert_int_equal(o.n, 1);
        assert_true(json_is_true(json_object_get(o.ev[0], "ongoing")));
        assert_true(json_is_null(json_object_get(o.ev[0], "end")));
        a[run] = json_dumps(o.ev[0], JSON_SORT_KEYS | JSON_COMPACT);
        out_free(&o);
        sw_detect_free(d);
    }
    assert_string_equal(a[0], a[1]);
    free(a[0]);
    free(a[1]);
}

static void test_params(void **state)
{
    (void)state;
    struct sw_detect_params p;
    struct sw_config *c = NULL;
    char key[64] = "";
    sw_detect_params_default(&p);
    const char *good = "[encounter]\nmax_distance_m = 300\n[loitering]\nenabled = 0\n";
    assert_int_equal(sw_config_parse(&c, good, strlen(good), NULL), SW_OK);
    assert_int_equal(sw_detect_params_load(&p, c, key), SW_OK);
    assert_true(p.enc_max_distance_m == 300);
    assert_false(p.enabled & (1u << SW_DT_LOITERING));
    sw_config_free(c);
    const char *bad = "[encounter]\nmax_distanse_m = 300\n";
    assert_int_equal(sw_config_parse(&c, bad, strlen(bad), NULL), SW_OK);
    assert_int_equal(sw_detect_params_load(&p, c, key), SW_EFORMAT);
    assert_string_equal(key, "encounter.max_distanse_m");
    sw_config_free(c);
    /* the shipped defaults file loads and matches the built-in defaults */
    struct sw_detect_params q, dflt;
    sw_detect_params_default(&q);
    sw_detect_params_default(&dflt);
    assert_int_equal(sw_config_load(&c, sw_test_root("data/detect.conf"), NULL), SW_OK);
    int lrc = sw_detect_params_load(&q, c, key);
    if (lrc) printf("NOTE: bad key %s\n", key);
    assert_int_equal(lrc, SW_OK);
    assert_memory_equal(&q, &dflt, sizeof q);
    sw_config_free(c);
}

static int setup(void **state)
{
    (void)state;
    return sw_geo_open(&geo, sw_test_root("data"), NULL) == SW_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sw_geo_free(geo);
    return 0;
}

/* 24 vessels with bad IMO check digits (identity_fraud each), in pairs 200 m apart for `span`
 * (slow: encounters; every 4th pair fast). */
static void busy_sea(struct sw_detect *d, int64_t span)
{
    for (int v = 0; v < 24; v++)
        stat_rec(d, 412000100 + (uint32_t)v, T0 + v * 1000, "SHIP", 9000001 + (uint32_t)v);
    for (int64_t t = T0; t <= T0 + span; t += 5 * MIN)
        for (int v = 0; v < 24; v++) {
            double sog = (v / 2) % 4 == 3 ? 8 : 0.4;
            double moved = sog > 1 ? (double)(t - T0) / HOUR * sog * 1852 : 0;
            fix(d, 412000100 + (uint32_t)v, t + v * 1000, SEA_LAT + 0.05 * (v / 2),
                east(moved + (v % 2) * 200), sog);
        }
}

/* Batch mode (records held 16 deep and processed later, sw_detect_set_batch) gives the same
 * events in the same order as one record at a time, whatever the interleaving of vessels. */
static void test_batch_same(void **state)
{
    (void)state;
    struct out o[2];
    memset(o, 0, sizeof o);
    struct sw_detect *d[2] = {new_det(&o[0]), new_det(&o[1])};
    sw_detect_set_batch(d[1], 512);
    for (int k = 0; k < 2; k++) {
        busy_sea(d[k], 3 * HOUR);
        assert_int_equal(sw_detect_finish(d[k]), SW_OK);
    }
    assert_true(o[0].n > 24);
    assert_int_equal(o[0].n, o[1].n);
    for (int i = 0; i < o[0].n; i++)
        assert_true(json_equal(o[0].ev[i], o[1].ev[i]));
    printf("NOTE: batch mode: %d events, the same in the same order\n", o[0].n);
    for (int k = 0; k < 2; k++) {
        sw_detect_free(d[k]);
        out_free(&o[k]);
    }
}

/* A detector reset in the middle of a run (episodes, pairs, reception entries, IMOs and events
 * held back) then given the input a new one gets gives the new one's events, byte for byte,
 * and its statistics. */
static void test_reset(void **state)
{
    (void)state;
    struct out o[2];
    memset(o, 0, sizeof o);
    struct sw_detect *d[2] = {new_det(&o[0]), new_det(&o[1])};
    for (int k = 0; k < 2; k++)
        sw_detect_set_batch(d[k], 512);
    /* a day before: the same IMOs on other vessels, in pairs alongside each other (encounters,
     * loitering) left open; the pairs' slots are the next run's vessels' */
    for (int v = 0; v < 24; v++)
        stat_rec(d[0], 413000100 + (uint32_t)v, T0 - 24 * HOUR, "OTHER", 9000001 + (uint32_t)v);
    for (int64_t t = T0 - 24 * HOUR; t <= T0 - 19 * HOUR; t += 6 * MIN)
        for (int v = 0; v < 24; v++)
            fix(d[0], 413000100 + (uint32_t)v, t + v * 1000, SEA_LAT + 0.05 * (v / 2),
                east((v % 2) * 200), 0.3);
    sw_detect_reset(d[0]);
    out_free(&o[0]);
    for (int k = 0; k < 2; k++) {
        busy_sea(d[k], 3 * HOUR);
        assert_int_equal(sw_detect_finish(d[k]), SW_OK);
    }
    assert_true(o[1].n > 24);
    assert_int_equal(o[0].n, o[1].n);
    for (int i = 0; i < o[0].n; i++) {
        char *a = json_dumps(o[0].ev[i], JSON_COMPACT), *b = json_dumps(o[1].ev[i], JSON_COMPACT);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    assert_memory_equal(sw_detect_get_stats(d[0]), sw_detect_get_stats(d[1]),
                        sizeof(struct sw_detect_stats));
    for (int k = 0; k < 2; k++) {
        sw_detect_free(d[k]);
        out_free(&o[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encounter), cmocka_unit_test(test_loitering),
        cmocka_unit_test(test_ais_gap),   cmocka_unit_test(test_position_spoof),
        cmocka_unit_test(test_identity),  cmocka_unit_test(test_line_escapes),
        cmocka_unit_test(test_listed),    cmocka_unit_test(test_shared),
        cmocka_unit_test(test_zones),     cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_params),    cmocka_unit_test(test_batch_same),
        cmocka_unit_test(test_reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
