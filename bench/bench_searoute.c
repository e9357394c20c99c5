/*
 * bench_searoute: sea-distance queries per second (sanctwatch/searoute.h) on the shipped land
 * mask, beside great-circle distances (the baseline a query replaces), and the one-off costs:
 * building the grid and each port's field. Queries go from random points at sea in the Yellow
 * Sea, Korea Bay and the Sea of Japan to the 26 DPRK and Russian Far East ports of the cases
 * stage, each answer a straightened path's length.
 *
 *   make BUILD=build && build/bench/bench_searoute [QUERIES]
 *
 * CPU seconds (clock()); the machine is shared, so figures move from run to run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sanctwatch/cases.h"
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/searoute.h"

static double cpu(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

static unsigned long long rng = 88172645463325252ULL;
static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    long nq = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    struct sw_geo *g;
    char err[SW_GEO_PATHMAX];
    if (nq < 1 || sw_geo_open(&g, NULL, err)) {
        fprintf(stderr, "usage: bench_searoute [QUERIES] (data directory as docs/geo.md)\n");
        return 2;
    }
    const struct sw_land *land = sw_geo_land(g);
    double t0 = cpu();
    struct sw_searoute *r;
    if (sw_searoute_new(&r, land, NULL)) return 1;
    double t_build = cpu() - t0;
    struct sw_cases *c;
    struct sw_cases_params p;
    char e[SW_ERRMAX];
    sw_cases_params_default(&p);
    if (sw_cases_new(&c, g, &p, e)) return 1;
    size_t nt = 0, ids[64];
    double plat[64], plon[64];
    for (size_t i = 0; i < sw_cases_nports(c) && nt < 64; i++) {
        const struct sw_cases_port *pt = sw_cases_port(c, i);
        if (pt->group == SW_CASES_WATCH) continue;
        if (sw_searoute_add_target(r, pt->lat, pt->lon, pt->radius_m, &ids[nt]) == SW_OK) {
            plat[nt] = pt->lat;
            plon[nt] = pt->lon;
            nt++;
        }
    }
    t0 = cpu();
    for (size_t i = 0; i < nt; i++)
        sw_searoute_prepare(r, ids[i]);
    double t_fields = cpu() - t0;
    /* query points at sea */
    double *q = malloc((size_t)nq * 2 * sizeof *q);
    long n = 0;
    while (n < nq) {
        double la = 34 + 9 * urand(), lo = 123 + 10 * urand();
        if (sw_land_is_land(land, la, lo)) continue;
        q[2 * n] = la;
        q[2 * n + 1] = lo;
        n++;
    }
    double sum = 0, d;
    long ok = 0;
    t0 = cpu();
    for (long i = 0; i < nq; i++)
        if (sw_searoute_dist(r, ids[i % nt], q[2 * i], q[2 * i + 1], &d) == SW_OK) {
            sum += d;
            ok++;
        }
    double t_sea = cpu() - t0;
    double gsum = 0;
    t0 = cpu();
    for (long i = 0; i < nq; i++)
        gsum += sw_geo_dist_m(q[2 * i], q[2 * i + 1], plat[i % nt], plon[i % nt]);
    double t_gc = cpu() - t0;
    struct sw_searoute_stats st;
    sw_searoute_stats(r, &st);
    printf("grid: %zu coarse + %zu fine water cells, built in %.3f s; %zu port fields in %.2f s "
           "(%.3f s each)\n",
           st.coarse_nodes, st.fine_nodes, t_build, nt, t_fields, t_fields / (double)nt);
    printf("RESULT sea distance: %ld queries (%ld answered) in %.3f s CPU: %.0f queries/s, mean "
           "%.0f km\n",
           nq, ok, t_sea, (double)nq / t_sea, ok ? sum / (double)ok / 1000 : 0);
    printf("RESULT great circle (baseline): %ld distances in %.4f s CPU: %.0f per s, mean %.0f km "
           "(sea path %.2f times longer on average)\n",
           nq, t_gc, (double)nq / (t_gc > 0 ? t_gc : 1e-9), gsum / (double)nq / 1000,
           ok ? (sum / (double)ok) / (gsum / (double)nq) : 0);
    free(q);
    sw_cases_free(c);
    sw_searoute_free(r);
    sw_geo_free(g);
    return 0;
}
