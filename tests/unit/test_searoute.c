/*
 * Unit tests of the sea router (sanctwatch/searoute.h): the land-mask helpers it is built on
 * against the land mask's own answers, a synthetic wall whose way round is known in closed
 * form, open water (the sea distance is the great circle), and the Korean peninsula, where the
 * great circle from the east coast to Nampo crosses land and the sea path goes round by the
 * Korea Strait.
 */
#include "testutil.h"

#include "geo/geo_int.h"
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/searoute.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct sw_geo *G;

static int setup(void **state)
{
    char err[SW_GEO_PATHMAX];
    return sw_geo_open(&G, sw_test_root("data"), err) ? -1 : 0;
}

static int teardown(void **state)
{
    sw_geo_free(G);
    return 0;
}

/* The row states and the box and segment tests agree with is_land on the real coast. */
static void land_helpers(void **state)
{
    const struct sw_land *l = sw_geo_land(G);
    double xs[1 << 14];
    uint8_t st[2000];
    size_t bad = 0, n = 0;
    for (double la = 33.013; la < 43; la += 0.173) {
        assert_int_equal(sw_land_row_states(l, la, 124.0037, 0.0049, 2000, st, xs, 1 << 14), SW_OK);
        for (int i = 0; i < 2000; i++, n++)
            bad += st[i] != sw_land_is_land(l, la, 124.0037 + 0.0049 * i);
    }
    printf("NOTE row states: %zu of %zu points differ from is_land\n", bad, n);
    assert_int_equal(bad, 0);
    /* a box over Seoul's coast has edges, one in the open Sea of Japan none */
    assert_true(sw_land_box_has_edge(l, 37.3, 126.4, 37.6, 126.8));
    assert_false(sw_land_box_has_edge(l, 39.0, 133.0, 39.2, 133.2));
    /* across the peninsula: not clear; along open water: clear */
    assert_false(sw_land_segment_clear(l, 38.7, 125.0, 39.3, 128.2));
    assert_true(sw_land_segment_clear(l, 39.0, 131.0, 40.0, 133.0));
    /* a segment is clear exactly when land never lies along it (sampled at 100 m) */
    srand(7);
    for (int k = 0; k < 300; k++) {
        double la1 = 34 + 8.0 * rand() / RAND_MAX, lo1 = 124 + 8.0 * rand() / RAND_MAX;
        double la2 = la1 + (rand() % 100 - 50) / 100.0, lo2 = lo1 + (rand() % 100 - 50) / 100.0;
        if (sw_land_is_land(l, la1, lo1) || sw_land_is_land(l, la2, lo2)) continue;
        int steps = (int)(sw_geo_dist_m(la1, lo1, la2, lo2) / 100) + 2, wet = 1;
        for (int i = 0; i <= steps && wet; i++)
            wet = !sw_land_is_land(l, la1 + (la2 - la1) * i / steps, lo1 + (lo2 - lo1) * i / steps);
        /* clear implies wet everywhere; wet samples may miss a crossing thinner than 100 m */
        if (sw_land_segment_clear(l, la1, lo1, la2, lo2)) assert_true(wet);
    }
}

/* A wall of land along 130.0-130.2E from 30N to 36N: the way from the west side to the east
 * side goes round one end, and its length is that of the two straight legs by the corner. */
static void synthetic_wall(void **state)
{
    const char *wall = "{\"type\":\"Polygon\",\"coordinates\":[[[130.0,30.0],[130.2,30.0],"
                       "[130.2,36.0],[130.0,36.0],[130.0,30.0]]]}";
    struct sw_geo_poly p;
    struct sw_land *l;
    struct sw_searoute *r;
    struct sw_searoute_region reg = {28, 38, 126, 134};
    assert_int_equal(sw_geo_poly_parse(wall, strlen(wall), 0, &p), SW_OK);
    assert_int_equal(sw_land_from_poly(&l, &p), SW_OK);
    assert_int_equal(sw_searoute_new(&r, l, &reg), SW_OK);
    size_t t;
    assert_int_equal(sw_searoute_add_target(r, 34.0, 131.0, 1000, &t), SW_OK);
    double d, xy[64];
    size_t n;
    /* west of the wall, north of its middle: round the north end (36N) */
    assert_int_equal(sw_searoute_path(r, t, 35.0, 129.0, &d, xy, 32, &n), SW_OK);
    double want = sw_geo_dist_m(35.0, 129.0, 36.0, 130.0) +
                  sw_geo_dist_m(36.0, 130.0, 36.0, 130.2) + sw_geo_dist_m(36.0, 130.2, 34.0, 131.0);
    double gc = sw_geo_dist_m(35.0, 129.0, 34.0, 131.0);
    printf("RESULT wall: sea %.1f km, by the corner %.1f km (%.2f%%), great circle %.1f km, %zu "
           "points\n",
           d / 1000, want / 1000, 100 * (d - want) / want, gc / 1000, n);
    assert_true(fabs(d - want) < 0.01 * want);
    assert_true(d > gc * 1.2);
    /* the path keeps to water */
    for (size_t i = 0; i < n; i++)
        assert_false(sw_land_is_land(l, xy[2 * i + 1], xy[2 * i]));
    /* same side: straight */
    assert_int_equal(sw_searoute_dist(r, t, 33.0, 132.5, &d), SW_OK);
    gc = sw_geo_dist_m(33.0, 132.5, 34.0, 131.0);
    assert_true(fabs(d - gc) < 0.002 * gc);
    /* errors */
    assert_int_equal(sw_searoute_dist(r, t, 45.0, 129.0, &d), SW_ERANGE);
    assert_int_equal(sw_searoute_dist(r, t, 33.0, 130.1, &d), SW_ENOTFOUND); /* inside the wall */
    assert_int_equal(sw_searoute_dist(r, 7, 33.0, 129.0, &d), SW_EINVAL);
    assert_int_equal(sw_searoute_add_target(r, 50.0, 131.0, 1000, &t), SW_ERANGE);
    sw_searoute_free(r);
    sw_land_free(l);
    sw_geo_poly_release(&p);
}

/* Open water and the Korean peninsula on the shipped land mask. */
static void real_coast(void **state)
{
    struct sw_searoute *r;
    struct sw_searoute_stats st;
    assert_int_equal(sw_searoute_new(&r, sw_geo_land(G), NULL), SW_OK);
    sw_searoute_stats(r, &st);
    printf("NOTE grid: %zu coarse and %zu fine water cells, %zu coastal coarse cells, built in "
           "%.2f s\n",
           st.coarse_nodes, st.fine_nodes, st.mixed_cells, st.build_s);
    size_t nampo, vost, rajin;
    assert_int_equal(sw_searoute_add_target(r, 38.72, 125.15, 6000, &nampo), SW_OK);
    assert_int_equal(sw_searoute_add_target(r, 42.75, 133.05, 4000, &vost), SW_OK);
    assert_int_equal(sw_searoute_add_target(r, 42.23333, 130.3, 3000, &rajin), SW_OK);
    double d, gc;
    /* off Wonsan to the Nampo anchorage: the great circle crosses the peninsula */
    assert_int_equal(sw_searoute_dist(r, nampo, 39.3, 128.2, &d), SW_OK);
    gc = sw_geo_dist_m(39.3, 128.2, 38.72, 125.15);
    printf("RESULT off Wonsan -> Nampo: sea %.0f km, great circle %.0f km\n", d / 1000, gc / 1000);
    assert_true(d > 4 * gc && d < 1500e3);
    /* open water in the Sea of Japan: the great circle */
    size_t sea;
    assert_int_equal(sw_searoute_add_target(r, 40.5, 135.5, 1000, &sea), SW_OK);
    assert_int_equal(sw_searoute_dist(r, sea, 38.0, 132.0, &d), SW_OK);
    gc = sw_geo_dist_m(38.0, 132.0, 40.5, 135.5);
    assert_true(fabs(d - gc) < 0.001 * gc);
    /* Vostochny lies behind a cape: from the south the path rounds it */
    assert_int_equal(sw_searoute_dist(r, vost, 40.0, 134.0, &d), SW_OK);
    gc = sw_geo_dist_m(40.0, 134.0, 42.75, 133.05);
    assert_true(d > gc && d < 1.03 * gc);
    /* Vostochny to Rajin: along the coast, a little over the great circle */
    assert_int_equal(sw_searoute_dist(r, rajin, 42.70, 133.05, &d), SW_OK);
    gc = sw_geo_dist_m(42.70, 133.05, 42.23333, 130.3);
    printf("RESULT Vostochny -> Rajin: sea %.1f km, great circle %.1f km\n", d / 1000, gc / 1000);
    assert_true(d >= gc * 0.999 && d < gc * 1.15);
    sw_searoute_stats(r, &st);
    assert_int_equal(st.fields, 4);
    /* queries per second on a prepared field (never asserted) */
    clock_t c0 = clock();
    int ok = 0;
    for (int i = 0; i < 20000; i++)
        ok +=
            sw_searoute_dist(r, nampo, 34 + (i % 100) * 0.05, 123 + (i / 100) * 0.03, &d) == SW_OK;
    double s = (double)(clock() - c0) / CLOCKS_PER_SEC;
    printf("NOTE %d of 20000 queries answered in %.3f s (%.0f per s)\n", ok, s, 20000 / s);
    assert_true(ok > 10000);
    sw_searoute_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(land_helpers),
        cmocka_unit_test(synthetic_wall),
        cmocka_unit_test(real_coast),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
