/*
 * Unit tests for the geo module: distances, polygons, the land mask (checked against a brute
 * force over the same rings), ports, zones (checked against the unlicensed GFW reference EEZ
 * in ../shared, which is not shipped), and the parameter file.
 */
#include "testutil.h"

#include "sanctwatch/config.h"
#include "sanctwatch/datadir.h"
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/lineio.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEGM (SW_GEO_EARTH_R_M * M_PI / 180.0)

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

static void datadir_order(void **state)
{
    char buf[4096], want[4096], tmp[] = "/tmp/sw_datadirXXXXXX";
    snprintf(want, sizeof want, "%s", sw_test_root("data"));
    unsetenv("SW_DATADIR");
    setenv("SANCTWATCH_DATA", want, 1); /* the older name still counts */
    assert_int_equal(sw_datadir(buf, sizeof buf), SW_OK);
    assert_string_equal(buf, want);
    assert_null(sw_datadir_env_ignored());
    /* SW_DATADIR comes before SANCTWATCH_DATA */
    assert_non_null(mkdtemp(tmp));
    char ports[4200];
    snprintf(ports, sizeof ports, "%s/ports.csv", tmp);
    FILE *f = fopen(ports, "w");
    assert_non_null(f);
    fclose(f);
    setenv("SW_DATADIR", tmp, 1);
    assert_int_equal(sw_datadir(buf, sizeof buf), SW_OK);
    assert_string_equal(buf, tmp);
    assert_int_equal(sw_datadir_path("screening", buf, sizeof buf), SW_OK);
    assert_true(strlen(buf) == strlen(tmp) + 10 && !strcmp(buf + strlen(tmp), "/screening"));
    remove(ports);
    rmdir(tmp);
    /* a directory without ports.csv is passed over, and said: the executable's project is
     * next */
    setenv("SW_DATADIR", "/nonexistent", 1);
    setenv("SANCTWATCH_DATA", "/nonexistent", 1);
    assert_int_equal(sw_datadir(buf, sizeof buf), SW_OK);
    assert_string_equal(sw_datadir_env_ignored(), "SW_DATADIR");
    size_t l = strlen(buf);
    assert_true(l >= 5 && !strcmp(buf + l - 5, "/data"));
    assert_int_equal(sw_datadir(buf, 4), SW_ETOOBIG);
    unsetenv("SANCTWATCH_DATA");
    unsetenv("SW_DATADIR");
    struct sw_geo *g;
    char err[SW_GEO_PATHMAX];
    assert_int_equal(sw_geo_open(&g, "/nonexistent", err), SW_EIO);
    assert_string_equal(err, "/nonexistent/land/ne_10m_land.txt.gz");
}

static void distances(void **state)
{
    assert_true(fabs(sw_geo_dist_m(0, 0, 1, 0) - DEGM) < 0.01);
    assert_true(fabs(sw_geo_dist_m(0, 179.5, 0, -179.5) - DEGM) < 0.01);
    assert_true(fabs(sw_geo_dist_m(90, 0, -90, 0) - M_PI * SW_GEO_EARTH_R_M) < 0.01);
    /* dest and bearing are inverses of dist */
    double la, lo;
    sw_geo_dest(38.7, 125.4, 63.0, 12345.0, &la, &lo);
    assert_true(fabs(sw_geo_dist_m(38.7, 125.4, la, lo) - 12345.0) < 0.01);
    assert_true(fabs(sw_geo_bearing_deg(38.7, 125.4, la, lo) - 63.0) < 1e-6);
    sw_geo_dest(10, 179.9, 90.0, 50000.0, &la, &lo);
    assert_true(lo < -179.0);
    assert_true(fabs(sw_geo_wrap_lon(190.0) + 170.0) < 1e-9);
    assert_true(fabs(sw_geo_wrap_lon(-540.0) + 180.0) < 1e-9);
}

static const char SQUARE_HOLE[] =
    "{\"type\":\"Polygon\",\"coordinates\":[[[10,10],[20,10],[20,20],[10,20],[10,10]],"
    "[[14,14],[14,16],[16,16],[16,14],[14,14]]]}";

static void polygons(void **state)
{
    struct sw_geo_poly p;
    assert_int_equal(sw_geo_poly_parse(SQUARE_HOLE, strlen(SQUARE_HOLE), 0, &p), SW_OK);
    assert_int_equal(p.nrings, 2);
    assert_int_equal(p.npoints, 8);
    assert_true(sw_geo_poly_contains(&p, 12, 12));
    assert_false(sw_geo_poly_contains(&p, 15, 15)); /* in the hole */
    assert_false(sw_geo_poly_contains(&p, 25, 15));
    assert_false(sw_geo_poly_contains(&p, 15, 9.99));
    /* area: 10x10 degrees minus 2x2 near 15N; spherical zone formula as a peer value */
    double band = 2 * M_PI * 6371.0088 * 6371.0088 * (sin(20 * M_PI / 180) - sin(10 * M_PI / 180));
    double hole = 2 * M_PI * 6371.0088 * 6371.0088 * (sin(16 * M_PI / 180) - sin(14 * M_PI / 180));
    double want = band * 10.0 / 360.0 - hole * 2.0 / 360.0;
    assert_true(fabs(sw_geo_poly_area_km2(&p) - want) / want < 1e-9);
    sw_geo_poly_release(&p);
    static const char *const bad[] = {
        "{\"type\":\"Point\",\"coordinates\":[1,2]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,\"x\"],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,91],[0,0]]]}",
        "{\"type\":\"MultiPolygon\",\"coordinates\":[]}",
        "[1,2]",
        "{\"type\":\"Polygon\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sw_geo_poly_parse(bad[i], strlen(bad[i]), 0, &p), SW_EFORMAT);
    assert_int_equal(sw_geo_poly_parse(SQUARE_HOLE, strlen(SQUARE_HOLE), 5, &p), SW_ETOOBIG);
}

/* Nearest-edge distance by brute force, same local projection as the library. */
static double brute_dist(const struct sw_geo_poly *p, double lat, double lon)
{
    double best = 1e18, c = cos(lat * M_PI / 180.0);
    size_t start = 0;
    for (size_t r = 0; r < p->nrings; r++) {
        size_t end = p->ring_end[r];
        for (size_t i = start; i < end; i++) {
            size_t j = i + 1 < end ? i + 1 : start;
            double ax = sw_geo_wrap_lon(p->xy[2 * i] - lon) * c * DEGM;
            double ay = (p->xy[2 * i + 1] - lat) * DEGM;
            double bx = sw_geo_wrap_lon(p->xy[2 * j] - lon) * c * DEGM;
            double by = (p->xy[2 * j + 1] - lat) * DEGM;
            double dx = bx - ax, dy = by - ay, L = dx * dx + dy * dy;
            double t = L > 0 ? -(ax * dx + ay * dy) / L : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            double d = hypot(ax + t * dx, ay + t * dy);
            if (d < best) best = d;
        }
        start = end;
    }
    return best;
}

static void land_synthetic(void **state)
{
    struct sw_geo_poly p;
    struct sw_land *l;
    assert_int_equal(sw_geo_poly_parse(SQUARE_HOLE, strlen(SQUARE_HOLE), 0, &p), SW_OK);
    assert_int_equal(sw_land_from_poly(&l, &p), SW_OK);
    assert_true(sw_land_is_land(l, 12, 12));
    assert_false(sw_land_is_land(l, 15, 15));
    assert_false(sw_land_is_land(l, 25, 15));
    assert_false(sw_land_is_land(l, -40, 100));
    /* 5 degrees north of the square's top edge */
    assert_true(fabs(sw_land_dist_to_shore_m(l, 25, 15) - 5 * DEGM) < 1.0);
    assert_true(fabs(sw_land_dist_to_shore_m(l, 15, 15) - 1 * DEGM * cos(15 * M_PI / 180)) < 200);
    /* far away: capped */
    assert_true(sw_land_dist_to_shore_m(l, -60, -100) == SW_GEO_FAR_M);
    /* a grid of points against brute force */
    for (double la = 5; la < 25; la += 0.37)
        for (double lo = 5; lo < 25; lo += 0.41) {
            assert_int_equal(sw_land_is_land(l, la, lo), sw_geo_poly_contains(&p, la, lo));
            double d = brute_dist(&p, la, lo), got = sw_land_dist_to_shore_m(l, la, lo);
            if (d < SW_GEO_FAR_M && fabs(d - got) > 1e-3 * d + 1.0) {
                printf("lat %f lon %f brute %f got %f\n", la, lo, d, got);
                fail();
            }
        }
    sw_land_free(l);
    sw_geo_poly_release(&p);
}

/* Read the shipped land file into one sw_geo_poly, keeping rings whose latitude range meets
 * [lat0, lat1]: what a brute-force even-odd test along a parallel needs. */
static int read_land_band(const char *path, double lat0, double lat1, struct sw_geo_poly *p)
{
    struct sw_lines *in;
    const char *line;
    size_t len, cap = 0, rcap = 0, want = 0, have = 0, rstart = 0;
    long x = 0, y = 0;
    double ymin = 0, ymax = 0;
    memset(p, 0, sizeof *p);
    if (sw_lines_open(&in, path, 256)) return -1;
    p->minlon = -180;
    p->maxlon = 180;
    p->minlat = -90;
    p->maxlat = 90;
    int rc;
    while ((rc = sw_lines_next(in, &line, &len)) == SW_OK) {
        if (line[0] == '#') continue;
        if (line[0] == 'R') {
            long k, n;
            sscanf(line + 2, "%ld %ld", &k, &n);
            want = (size_t)n;
            have = 0;
            rstart = p->npoints;
            continue;
        }
        long dx, dy;
        sscanf(line, "%ld %ld", &dx, &dy);
        if (have == 0) x = y = 0;
        x += dx;
        y += dy;
        if (p->npoints == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            p->xy = realloc(p->xy, cap * 2 * sizeof *p->xy);
        }
        p->xy[2 * p->npoints] = x / 1e4;
        p->xy[2 * p->npoints + 1] = y / 1e4;
        p->npoints++;
        double la = y / 1e4;
        if (have == 0) ymin = ymax = la;
        ymin = fmin(ymin, la);
        ymax = fmax(ymax, la);
        if (++have == want) {
            if (ymax < lat0 || ymin > lat1) {
                p->npoints = rstart;
            } else {
                if (p->nrings == rcap) {
                    rcap = rcap ? rcap * 2 : 256;
                    p->ring_end = realloc(p->ring_end, rcap * sizeof *p->ring_end);
                }
                p->ring_end[p->nrings++] = p->npoints;
            }
        }
    }
    sw_lines_free(in);
    return rc == SW_EOF ? 0 : -1;
}

static void land_real(void **state)
{
    /* Known places: cities on land, open water at sea. */
    static const double landpts[][2] = {
        {39.03, 125.75}, {37.57, 126.98}, {39.90, 116.40}, {43.12, 131.90}, {33.38, 126.55},
        {41.79, 129.78}, {35.68, 139.76}, {40.10, 124.40}, {42.25, 130.28},
    };
    static const double seapts[][2] = {
        {36.0, 124.0},   {40.0, 132.0}, {38.6, 120.0}, {30.9, 124.6}, {0, -150},
        {38.75, 125.05}, {39.5, 124.0}, {41.0, 130.5}, {31.0, 123.0},
    };
    for (size_t i = 0; i < sizeof landpts / sizeof landpts[0]; i++)
        if (!sw_geo_is_land(G, landpts[i][0], landpts[i][1])) {
            printf("expected land at %f %f\n", landpts[i][0], landpts[i][1]);
            fail();
        }
    for (size_t i = 0; i < sizeof seapts / sizeof seapts[0]; i++)
        if (sw_geo_is_land(G, seapts[i][0], seapts[i][1])) {
            printf("expected sea at %f %f\n", seapts[i][0], seapts[i][1]);
            fail();
        }
    /* Mid-Pacific is more than 1000 km from any coast. */
    assert_true(sw_geo_dist_to_shore_m(G, 30.0, -150.0) == SW_GEO_FAR_M);

    /* The index against a brute force over the same rings, on a lattice over the Korean
     * peninsula and the seas around it (36.1N..39.9N, 123E..131E). */
    struct sw_geo_poly p;
    assert_int_equal(read_land_band(sw_test_root("data/land/ne_10m_land.txt.gz"), 36.0, 40.0, &p),
                     0);
    int n = 0, land = 0, bad = 0;
    for (double la = 36.1; la < 40.0; la += 0.173)
        for (double lo = 123.0; lo < 131.0; lo += 0.291) {
            int want = sw_geo_poly_contains(&p, la, lo);
            int got = sw_geo_is_land(G, la, lo);
            double bd = brute_dist(&p, la, lo), gd = sw_geo_dist_to_shore_m(G, la, lo);
            n++;
            land += want;
            if (want != got || fabs(bd - gd) > 1e-3 * bd + 1.0) {
                printf("at %f %f: land %d/%d dist %f/%f\n", la, lo, want, got, bd, gd);
                bad++;
            }
        }
    printf("RESULT land mask: %d lattice points (%d on land) agree with brute force, %d differ\n",
           n, land, bad);
    assert_int_equal(bad, 0);
    assert_true(land > n / 5 && land < n * 4 / 5);
    sw_geo_poly_release(&p);
}

/* Cost per query, printed for the record (never asserted: machines differ). */
static void land_speed(void **state)
{
    struct timespec a, b;
    double sum = 0;
    int n = 0, land = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (double la = 30.0; la < 44.0; la += 0.037)
        for (double lo = 118.0; lo < 136.0; lo += 0.041) {
            land += sw_geo_is_land(G, la, lo);
            sum += sw_geo_dist_to_shore_m(G, la, lo);
            n++;
        }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / n;
    printf("NOTE land mask: %d points over 30-44N 118-136E (%d on land), %.2f us per "
           "is_land + dist_to_shore pair (mean distance %.0f m)\n",
           n, land, us, sum / n);
    assert_true(n > 100000);
    /* the capped form, as a detector asks "at least 20 nm from shore?"; it agrees with the
     * uncapped one */
    int far = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (double la = 30.0; la < 44.0; la += 0.037)
        for (double lo = 118.0; lo < 136.0; lo += 0.041)
            far += sw_geo_dist_to_shore_capped_m(G, la, lo, 20 * SW_GEO_NM_M) >= 20 * SW_GEO_NM_M;
    clock_gettime(CLOCK_MONOTONIC, &b);
    us = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / n;
    printf("NOTE land mask: %.2f us per capped (20 nm) distance query, %d of %d points "
           "at least 20 nm from shore\n",
           us, far, n);
    for (double la = 33.0; la < 40.0; la += 0.53)
        for (double lo = 122.0; lo < 132.0; lo += 0.47) {
            double d = sw_geo_dist_to_shore_m(G, la, lo);
            double dc = sw_geo_dist_to_shore_capped_m(G, la, lo, 20 * SW_GEO_NM_M);
            assert_true(d >= 20 * SW_GEO_NM_M ? dc == 20 * SW_GEO_NM_M : fabs(dc - d) < 1e-9);
        }
}

static void ports(void **state)
{
    const struct sw_port *p;
    double d;
    assert_true(sw_ports_count(G) > 200);
    /* every DPRK port the brief names is present */
    static const char *const kp[] = {"Nampo",   "Songnim", "Haeju",     "Ch'ongjin", "Najin",
                                     "Hungnam", "Wonsan",  "Kimch'aek", "Senbong",   "Taean"};
    for (size_t k = 0; k < sizeof kp / sizeof kp[0]; k++) {
        int found = 0;
        for (size_t i = 0; i < sw_ports_count(G); i++) {
            p = sw_ports_get(G, i);
            if (!strcmp(p->country, "KP") && strstr(p->name, kp[k])) found = 1;
        }
        if (!found) {
            printf("missing DPRK port %s\n", kp[k]);
            fail();
        }
    }
    assert_int_equal(sw_ports_nearest(G, 38.70, 125.38, 10000, &p, &d), SW_OK);
    assert_string_equal(p->country, "KP");
    assert_true(strstr(p->name, "Nampo") != NULL);
    assert_true(fabs(d - sw_geo_dist_m(38.70, 125.38, p->lat, p->lon)) < 1e-6);
    assert_int_equal(sw_ports_nearest(G, 36.0, 124.0, 10000, &p, &d), SW_ENOTFOUND);
    assert_int_equal(sw_ports_area(G, 38.716, 125.41, &p), SW_OK);
    assert_true(strstr(p->name, "Nampo") != NULL);
    assert_int_equal(sw_ports_area(G, 38.0, 124.0, &p), SW_ENOTFOUND);
    /* brute force agrees with the band search */
    for (double la = 30; la < 45; la += 0.5)
        for (double lo = 120; lo < 140; lo += 0.5) {
            const struct sw_port *bp = NULL;
            double bd = 200000;
            for (size_t i = 0; i < sw_ports_count(G); i++) {
                const struct sw_port *q = sw_ports_get(G, i);
                double dd = sw_geo_dist_m(la, lo, q->lat, q->lon);
                if (dd <= bd) {
                    bd = dd;
                    bp = q;
                }
            }
            int rc = sw_ports_nearest(G, la, lo, 200000, &p, &d);
            assert_int_equal(rc, bp ? SW_OK : SW_ENOTFOUND);
            if (bp) assert_true(fabs(d - bd) < 1e-6);
        }
}

static int in_zone(double lat, double lon, const char *id)
{
    const struct sw_zone *z[16];
    size_t n;
    sw_zones_lookup(G, lat, lon, z, 16, &n);
    for (size_t i = 0; i < n && i < 16; i++)
        if (!strcmp(z[i]->id, id)) return 1;
    return 0;
}

static void zones(void **state)
{
    assert_true(sw_zones_count(sw_geo_zones(G)) >= 6);
    assert_true(in_zone(38.75, 125.05, "kp-ts")); /* off Nampo */
    assert_true(in_zone(41.60, 129.95, "kp-ts")); /* off Chongjin */
    assert_false(in_zone(36.0, 124.0, "kp-ts"));
    assert_false(in_zone(37.45, 126.45, "kp-ts")); /* Incheon approaches (ROK) */
    assert_true(in_zone(40.0, 131.0, "kp-eez-east"));
    assert_false(in_zone(37.0, 131.0, "kp-eez-east"));
    assert_true(in_zone(39.0, 124.0, "kp-eez-west"));
    assert_true(in_zone(39.0, 122.5, "korea-bay-sts"));
    assert_true(in_zone(31.0, 123.5, "ecs-sts"));
    assert_true(in_zone(42.5, 131.8, "rajin-vostochny"));
    assert_false(in_zone(39.0, 116.0, "korea-bay-sts")); /* land is not in a zone */
    const struct sw_zone *z[1];
    size_t n;
    sw_zones_lookup(G, 0, 0, z, 1, &n);
    assert_int_equal(n, 0);
}

/* The zone grid (cells marked inside/outside at load time) answers as the plain
 * point-in-polygon test everywhere: random points over each zone's box, and points within
 * metres to millimetres of its vertices and edges. */
static void zones_grid_same(void **state)
{
    (void)state;
    const struct sw_zones *all = sw_geo_zones(G);
    uint64_t x = 88172645463325252ULL;
    size_t checked = 0;
    for (size_t i = 0; i < sw_zones_count(all); i++) {
        const struct sw_zone *zn = sw_zones_get(all, i);
        const struct sw_geo_poly *p = &zn->poly;
        for (int k = 0; k < 40000; k++) {
            double lat, lon;
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            double u = (double)(x >> 11) / 9007199254740992.0;
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            double v = (double)(x >> 11) / 9007199254740992.0;
            if (k % 2) {
                lon = p->minlon + u * (p->maxlon - p->minlon);
                lat = p->minlat + v * (p->maxlat - p->minlat);
            } else { /* near an edge: along it, then off by 10^-(2..9) degrees */
                size_t a = (size_t)(u * (double)p->npoints) % p->npoints, b = (a + 1) % p->npoints;
                double t = v, off = pow(10, -(double)(2 + k % 16 / 2)) * (k % 4 < 2 ? 1 : -1);
                lon = p->xy[2 * a] + t * (p->xy[2 * b] - p->xy[2 * a]) + (k % 8 < 4 ? off : 0);
                lat = p->xy[2 * a + 1] + t * (p->xy[2 * b + 1] - p->xy[2 * a + 1]) +
                      (k % 8 < 4 ? 0 : off);
            }
            const struct sw_zone *z[16];
            size_t n;
            sw_zones_lookup(G, lat, lon, z, 16, &n);
            int in = 0;
            for (size_t j = 0; j < n && j < 16; j++)
                in |= z[j] == zn;
            assert_int_equal(in, sw_geo_poly_contains(p, lat, lon));
            checked++;
        }
    }
    assert_true(checked >= 240000);
}

static void zones_vs_reference(void **state)
{
    SW_NEED_SHARED(ref, "data/geo/gfw_eez_prk.json");
    FILE *f = fopen(ref, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    struct sw_zones *rz;
    assert_int_equal(sw_zones_new(&rz), SW_OK);
    /* The reference's features have no "id" property: wrap its geometry ourselves. */
    const char *g = strstr(buf, "\"geometry\"");
    assert_non_null(g);
    g = strchr(g, '{');
    size_t depth = 0, i = 0;
    for (; g[i]; i++) {
        depth += g[i] == '{';
        depth -= g[i] == '}';
        if (!depth) break;
    }
    struct sw_geo_poly rp;
    assert_int_equal(sw_geo_poly_parse(g, i + 1, 0, &rp), SW_OK);
    (void)len;
    /* Sample the bounding box of both; count agreement over sea points. */
    int both = 0, only_ref = 0, only_ours = 0;
    for (double la = 37.5; la < 43.0; la += 0.05)
        for (double lo = 127.5; lo < 134.0; lo += 0.05) {
            if (sw_geo_is_land(G, la, lo)) continue;
            int a = sw_geo_poly_contains(&rp, la, lo), b = in_zone(la, lo, "kp-eez-east");
            both += a && b;
            only_ref += a && !b;
            only_ours += !a && b;
        }
    double agree = (double)both / (both + only_ref + only_ours);
    printf("RESULT kp-eez-east vs GFW reference: %d sea samples in both, %d only reference, "
           "%d only ours: agreement (IoU) %.3f\n",
           both, only_ref, only_ours, agree);
    assert_true(agree >= 0.90);
    sw_geo_poly_release(&rp);
    sw_zones_free(rz);
}

static void zones_parse_errors(void **state)
{
    struct sw_zones *z;
    assert_int_equal(sw_zones_new(&z), SW_OK);
    const char *ok = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                     "\"properties\":{\"id\":\"a\",\"name\":\"A\",\"kind\":\"x\"},\"geometry\":"
                     "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}}]}";
    assert_int_equal(sw_zones_add_geojson(z, ok, strlen(ok)), SW_OK);
    assert_int_equal(sw_zones_add_geojson(z, ok, strlen(ok)), SW_EEXISTS);
    assert_int_equal(sw_zones_count(z), 1);
    const char *noid = "{\"type\":\"Feature\",\"properties\":{},\"geometry\":"
                       "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}}";
    assert_int_equal(sw_zones_add_geojson(z, noid, strlen(noid)), SW_EFORMAT);
    /* a collection with one bad feature adds nothing */
    const char *half = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                       "\"id\":\"b\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                       "[[[0,0],[1,0],[1,1],[0,0]]]}},{\"type\":\"Feature\",\"id\":\"c\"}]}";
    assert_int_equal(sw_zones_add_geojson(z, half, strlen(half)), SW_EFORMAT);
    assert_int_equal(sw_zones_count(z), 1);
    assert_string_equal(sw_zones_get(z, 0)->name, "A");
    sw_zones_free(z);
}

static void config(void **state)
{
    struct sw_config *c;
    size_t line = 0;
    const char *t = "# x\n[encounter]\nmax_distance_m = 500  # metres\nmin_hours=2\n\n"
                    "[loitering]\nmax_sog_kn = 2.0\nname = a b\n";
    assert_int_equal(sw_config_parse(&c, t, strlen(t), &line), SW_OK);
    double v;
    assert_int_equal(sw_config_double(c, "encounter.max_distance_m", 1, &v), SW_OK);
    assert_true(v == 500);
    assert_int_equal(sw_config_double(c, "encounter.absent", 7, &v), SW_OK);
    assert_true(v == 7);
    assert_string_equal(sw_config_get(c, "loitering.name"), "a b");
    assert_int_equal(sw_config_double(c, "loitering.name", 3, &v), SW_EFORMAT);
    assert_int_equal(sw_config_count(c), 4);
    assert_string_equal(sw_config_key(c, 1), "encounter.min_hours");
    sw_config_free(c);
    const char *dup = "[a]\nx=1\nx=2\n";
    assert_int_equal(sw_config_parse(&c, dup, strlen(dup), &line), SW_EEXISTS);
    assert_int_equal(line, 3);
    const char *bad = "[a]\nno equals sign\n";
    assert_int_equal(sw_config_parse(&c, bad, strlen(bad), &line), SW_EFORMAT);
    assert_int_equal(line, 2);
    /* the shipped file parses and carries DESIGN.md's defaults */
    assert_int_equal(sw_config_load(&c, sw_test_root("data/detect.conf"), &line), SW_OK);
    static const struct {
        const char *k;
        double v;
    } want[] = {
        {"encounter.max_distance_m", 500},
        {"encounter.min_duration_h", 2},
        {"encounter.max_median_sog_kn", 2},
        {"encounter.min_port_distance_km", 10},
        {"loitering.max_sog_kn", 2},
        {"loitering.min_duration_h", 4},
        {"loitering.min_shore_distance_nm", 0},
        {"ais_gap.min_gap_h", 12},
        {"port_call.max_sog_kn", 0.5},
        {"position_spoof.max_speed_kn", 50},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(sw_config_double(c, want[i].k, -1, &v), SW_OK);
        if (v != want[i].v) {
            printf("%s = %g, want %g\n", want[i].k, v, want[i].v);
            fail();
        }
    }
    sw_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(datadir_order),
        cmocka_unit_test(distances),
        cmocka_unit_test(polygons),
        cmocka_unit_test(land_synthetic),
        cmocka_unit_test(land_real),
        cmocka_unit_test(land_speed),
        cmocka_unit_test(ports),
        cmocka_unit_test(zones),
        cmocka_unit_test(zones_grid_same),
        cmocka_unit_test(zones_vs_reference),
        cmocka_unit_test(zones_parse_errors),
        cmocka_unit_test(config),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
