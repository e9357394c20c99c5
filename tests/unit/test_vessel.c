/* Unit tests for the vessel state: identity merge and history, track downsampling, MID flags. */
#include "testutil.h"

#include "sanctwatch/error.h"
#include "sanctwatch/mid.h"
#include "sanctwatch/vessel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1709274000000LL /* 2024-03-01T06:20:00Z */

static struct sw_record pos(uint32_t mmsi, int64_t t, double lat, double lon, double sog,
                            double cog)
{
    struct sw_record r;
    sw_record_clear(&r);
    r.mmsi = mmsi;
    r.t_ms = t;
    r.lat = lat;
    r.lon = lon;
    r.sog = (float)sog;
    r.cog = (float)cog;
    r.fields = SW_F_POS | SW_F_SOG | SW_F_COG;
    r.cls = 'A';
    return r;
}

static void identity_merge_and_history(void **state)
{
    struct sw_vessels *vs;
    struct sw_vessel *v;
    struct sw_vessel_out out;
    struct sw_record r;
    assert_int_equal(sw_vessels_new(&vs, 0, NULL), SW_OK);
    /* Class B: part A (name), then part B (call sign, type, dimensions): one identity. */
    sw_record_clear(&r);
    r.mmsi = 445123456;
    r.t_ms = T0;
    r.cls = 'B';
    r.fields = SW_F_NAME;
    snprintf(r.name, sizeof r.name, "CHON MA SAN");
    assert_int_equal(sw_vessels_update(vs, &r, &v, &out), SW_OK);
    assert_false(out.identity_closed);
    sw_record_clear(&r);
    r.mmsi = 445123456;
    r.t_ms = T0 + 6000;
    r.cls = 'B';
    r.fields = SW_F_CALLSIGN | SW_F_SHIPTYPE | SW_F_DIMS;
    snprintf(r.callsign, sizeof r.callsign, "HMYB");
    r.ship_type = 80;
    r.length_m = 120;
    r.beam_m = 18;
    assert_int_equal(sw_vessels_update(vs, &r, &v, &out), SW_OK);
    assert_false(out.identity_closed);
    assert_int_equal(v->id_seq, 1);
    assert_string_equal(v->id.name, "CHON MA SAN");
    assert_string_equal(v->id.callsign, "HMYB");
    assert_string_equal(v->id.flag, "KP");
    assert_int_equal(v->cls, 'B');
    assert_true(v->id_first_seen == T0 && v->id_last_seen == T0 + 6000);
    /* A new name closes the first identity; the new one keeps the other fields. */
    sw_record_clear(&r);
    r.mmsi = 445123456;
    r.t_ms = T0 + 3600000;
    r.fields = SW_F_NAME;
    snprintf(r.name, sizeof r.name, "NEW NAME");
    assert_int_equal(sw_vessels_update(vs, &r, &v, &out), SW_OK);
    assert_true(out.identity_closed);
    assert_int_equal(out.closed_seq, 1);
    assert_string_equal(out.closed.name, "CHON MA SAN");
    assert_true(out.closed_first == T0 && out.closed_last == T0 + 6000);
    assert_int_equal(v->id_seq, 2);
    assert_string_equal(v->id.name, "NEW NAME");
    assert_string_equal(v->id.callsign, "HMYB");
    assert_true(v->id_first_seen == T0 + 3600000);
    /* The same identity again changes nothing. */
    assert_int_equal(sw_vessels_update(vs, &r, &v, &out), SW_OK);
    assert_false(out.identity_closed);
    assert_int_equal(sw_vessels_count(vs), 1);
    assert_non_null(sw_vessels_get(vs, 445123456));
    assert_null(sw_vessels_get(vs, 445123457));
    sw_vessels_free(vs);
}

/* Feed a track; returns the number of stored points and their times into kept[]. */
static int run_track(struct sw_vessels *vs, const struct sw_record *recs, int n, int64_t *kept)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        struct sw_vessel *v;
        struct sw_vessel_out out;
        assert_int_equal(sw_vessels_update(vs, &recs[i], &v, &out), SW_OK);
        for (int j = 0; j < out.n_points; j++) {
            if (k > 0)
                assert_true(out.points[j].t_ms > kept[k - 1]); /* in time order, no repeats */
            kept[k++] = out.points[j].t_ms;
        }
    }
    return k;
}

static int has(const int64_t *kept, int n, int64_t t)
{
    for (int i = 0; i < n; i++)
        if (kept[i] == t) return 1;
    return 0;
}

static void downsampling_keeps_shape(void **state)
{
    struct sw_vessels *vs;
    struct sw_record recs[400];
    int64_t kept[400];
    int n = 0;
    double lat = 38.0, lon = 124.0;
    int64_t t = T0;
    assert_int_equal(sw_vessels_new(&vs, 0, NULL), SW_OK);
    /* 5 min straight north at 10 kn, every 10 s. */
    for (int i = 0; i < 30; i++, t += 10000, lat += 10 * 1852.0 / 3600 * 10 / 111195)
        recs[n++] = pos(1, t, lat, lon, 10, 0);
    int64_t before_turn = recs[n - 1].t_ms;
    /* Turn east: 5 min. */
    for (int i = 0; i < 30; i++, t += 10000, lon += 0.0006)
        recs[n++] = pos(1, t, lat, lon, 10, 90);
    int64_t first_east = recs[30].t_ms;
    int64_t before_stop = recs[n - 1].t_ms;
    /* Stop for 20 min. */
    for (int i = 0; i < 120; i++, t += 10000)
        recs[n++] = pos(1, t, lat, lon, 0.1, 90);
    int64_t first_stopped = recs[60].t_ms;
    int64_t before_gap = recs[n - 1].t_ms;
    /* Two hours of silence, then moving again. */
    t += 2 * 3600 * 1000;
    int64_t after_gap = t;
    for (int i = 0; i < 30; i++, t += 10000, lon += 0.0006)
        recs[n++] = pos(1, t, lat, lon, 10, 90);
    int k = run_track(vs, recs, n, kept);
    assert_true(has(kept, k, T0));          /* first fix */
    assert_true(has(kept, k, before_turn)); /* the corner */
    assert_true(has(kept, k, first_east));
    assert_true(has(kept, k, before_stop)); /* stop */
    assert_true(has(kept, k, first_stopped));
    assert_true(has(kept, k, before_gap)); /* both ends of the gap */
    assert_true(has(kept, k, after_gap));
    /* ... and much fewer points than fixes: at most one per 10 min besides the shape points. */
    printf("NOTE: downsampling kept %d of %d fixes\n", k, n);
    assert_true(k <= 14);
    /* Recent track: the last SW_VESSEL_RECENT fixes, oldest first. */
    struct sw_fix rec[SW_VESSEL_RECENT];
    struct sw_vessel *v = sw_vessels_get(vs, 1);
    assert_int_equal(sw_vessel_recent(v, rec), SW_VESSEL_RECENT);
    assert_true(rec[SW_VESSEL_RECENT - 1].t_ms == recs[n - 1].t_ms);
    assert_true(rec[0].t_ms == recs[n - SW_VESSEL_RECENT].t_ms);
    assert_true(v->last.t_ms == recs[n - 1].t_ms);
    sw_vessels_free(vs);
}

static void vessel_table_bounded(void **state)
{
    struct sw_vessels *vs;
    struct sw_vessel *v;
    struct sw_vessel_out out;
    assert_int_equal(sw_vessels_new(&vs, 5000, NULL), SW_OK);
    for (uint32_t m = 1; m <= 6000; m++) {
        struct sw_record r = pos(200000000 + m, T0, 1, 1, 1, 1);
        int rc = sw_vessels_update(vs, &r, &v, &out);
        assert_int_equal(rc, m <= 5000 ? SW_OK : SW_ETOOBIG);
    }
    assert_int_equal(sw_vessels_count(vs), 5000);
    for (uint32_t m = 1; m <= 5000; m++)
        assert_int_equal(sw_vessels_get(vs, 200000000 + m)->mmsi, 200000000 + m);
    /* Restore refuses duplicates. */
    struct sw_vessel copy = *sw_vessels_at(vs, 0);
    assert_int_equal(sw_vessels_restore(vs, &copy), SW_EEXISTS);
    sw_vessels_free(vs);
}

static void mid_flags(void **state)
{
    assert_string_equal(sw_mid_flag(445123456), "KP");
    assert_string_equal(sw_mid_flag(273123456), "RU");
    assert_string_equal(sw_mid_flag(412000001), "CN");
    assert_string_equal(sw_mid_flag(351234567), "PA");
    assert_string_equal(sw_mid_flag(0), "");
    assert_string_equal(sw_mid_flag(970123456), "");  /* SART */
    assert_string_equal(sw_mid_flag(217123456), "");  /* unallocated MID */
    assert_int_equal(sw_mid_of_mmsi(994451234), 445); /* aid to navigation */
    assert_int_equal(sw_mid_of_mmsi(111445123), 445); /* SAR aircraft */
    assert_int_equal(sw_mid_of_mmsi(4451234), 445);   /* coast station 00MIDXXXX */
    assert_int_equal(sw_mid_of_mmsi(44512345), 445);  /* group 0MIDXXXXX */
    assert_int_equal(sw_mid_of_mmsi(984451234), 445); /* craft associated with a ship */
    assert_int_equal(sw_mid_of_mmsi(1000000000), 0);
    const char *iso2, *name;
    assert_int_equal(sw_mid_lookup(445, &iso2, &name), SW_OK);
    assert_string_equal(name, "Democratic People's Republic of Korea");
    assert_int_equal(sw_mid_lookup(999, &iso2, &name), SW_ENOTFOUND);
    assert_string_equal(iso2, "");
}

/* The built-in table equals data/mid.csv, row for row. */
static void mid_table_matches_data(void **state)
{
    FILE *f = fopen(sw_test_root("data/mid.csv"), "r");
    assert_non_null(f);
    char line[256];
    int rows = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        assert_non_null(c2);
        *c1 = *c2 = '\0';
        const char *iso2, *name;
        int mid = (int)strtol(line, NULL, 10);
        assert_int_equal(sw_mid_lookup(mid, &iso2, &name), SW_OK);
        assert_string_equal(iso2, c1 + 1);
        assert_string_equal(name, c2 + 1);
        rows++;
    }
    fclose(f);
    int allocated = 0;
    for (int m = 0; m < 1000; m++)
        allocated += sw_mid_lookup(m, NULL, NULL) == SW_OK;
    assert_int_equal(allocated, rows);
    printf("NOTE: %d MIDs in data/mid.csv\n", rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identity_merge_and_history), cmocka_unit_test(downsampling_keeps_shape),
        cmocka_unit_test(vessel_table_bounded),       cmocka_unit_test(mid_flags),
        cmocka_unit_test(mid_table_matches_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
