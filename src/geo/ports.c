/*
 * Ports and anchorages from data/ports.csv (World Port Index subset plus hand-added DPRK
 * ports; see data/SOURCES.md). Kept sorted by latitude so a query scans only the latitude
 * band its radius allows: O(log n + ports in the band).
 */
#include "geo_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"

#define MAX_PORTS 100000

/* Split a CSV line (RFC 4180 quotes) into at most max fields, in place into buf. */
static int csv_split(const char *line, size_t len, char *buf, size_t bufsz, char **fields, int max)
{
    int nf = 0;
    size_t o = 0, i = 0;
    if (len >= bufsz) return -1;
    for (;;) {
        if (nf == max) return -1;
        fields[nf++] = buf + o;
        if (i < len && line[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) return -1;
                if (line[i] == '"') {
                    if (i + 1 < len && line[i + 1] == '"') {
                        buf[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                buf[o++] = line[i++];
            }
        } else {
            while (i < len && line[i] != ',')
                buf[o++] = line[i++];
        }
        buf[o++] = '\0';
        if (i >= len) return nf;
        if (line[i] != ',') return -1;
        i++;
    }
}

static int parse_num(const char *s, double *v)
{
    char *end;
    if (!*s) return -1;
    *v = strtod(s, &end);
    return *end || !isfinite(*v) ? -1 : 0;
}

static int cmp_lat(const void *a, const void *b)
{
    const struct sw_port *x = a, *y = b;
    return (x->lat > y->lat) - (x->lat < y->lat);
}

static void copy_field(char *dst, size_t n, const char *s)
{
    size_t l = strlen(s);
    if (l >= n) l = n - 1;
    memcpy(dst, s, l);
    dst[l] = '\0';
}

int sw_ports_read(const char *path, struct sw_port **out, size_t *nout, size_t *errline)
{
    struct sw_lines *in = NULL;
    struct sw_port *ports = NULL;
    size_t n = 0, cap = 0;
    const char *line;
    size_t len;
    int rc = sw_lines_open(&in, path, 4096);
    if (rc) return rc;
    while ((rc = sw_lines_next(in, &line, &len)) != SW_EOF) {
        if (rc) goto fail;
        if (sw_lines_lineno(in) == 1 || len == 0 || line[0] == '#') continue;
        char buf[4096], *f[9];
        rc = SW_EFORMAT;
        /* name,country,lat,lon,radius_km[,wait_km],kind,source */
        int nf = csv_split(line, len, buf, sizeof buf, f, 9);
        if (nf != 7 && nf != 8) goto fail;
        if (nf == 7) { /* without waiting areas: the port area is all */
            f[7] = f[6];
            f[6] = f[5];
            f[5] = f[4];
        }
        struct sw_port p;
        memset(&p, 0, sizeof p);
        double rad, wait;
        if (parse_num(f[2], &p.lat) || parse_num(f[3], &p.lon) || parse_num(f[4], &rad) ||
            parse_num(f[5], &wait) || fabs(p.lat) > 90 || fabs(p.lon) > 180 || rad < 0 ||
            rad > 100 || wait < rad || wait > 100 || strlen(f[1]) != 2)
            goto fail;
        p.radius_m = rad * 1000.0;
        p.wait_m = wait * 1000.0;
        if (!strcmp(f[6], "port"))
            p.kind = SW_PORT_PORT;
        else if (!strcmp(f[6], "anchorage"))
            p.kind = SW_PORT_ANCHORAGE;
        else if (!strcmp(f[6], "terminal"))
            p.kind = SW_PORT_TERMINAL;
        else
            goto fail;
        copy_field(p.name, sizeof p.name, f[0]);
        copy_field(p.country, sizeof p.country, f[1]);
        copy_field(p.source, sizeof p.source, f[7]);
        if (n == cap) {
            rc = SW_ETOOBIG;
            if (cap >= MAX_PORTS) goto fail;
            cap = cap ? cap * 2 : 256;
            struct sw_port *np = realloc(ports, cap * sizeof *np);
            rc = SW_ENOMEM;
            if (!np) goto fail;
            ports = np;
        }
        ports[n++] = p;
    }
    *out = ports;
    *nout = n;
    sw_lines_free(in);
    return SW_OK;
fail:
    if (errline) *errline = (size_t)sw_lines_lineno(in);
    free(ports);
    sw_lines_free(in);
    return rc;
}

int sw_ports_load(struct sw_geo *g, const char *path, size_t *errline)
{
    struct sw_port *ports;
    size_t n;
    int rc = sw_ports_read(path, &ports, &n, errline);
    if (rc) return rc;
    qsort(ports, n, sizeof *ports, cmp_lat);
    free(g->ports);
    g->ports = ports;
    g->nports = n;
    return SW_OK;
}

size_t sw_ports_count(const struct sw_geo *g)
{
    return g->nports;
}

const struct sw_port *sw_ports_get(const struct sw_geo *g, size_t i)
{
    return i < g->nports ? &g->ports[i] : NULL;
}

/* First port with lat >= v. */
static size_t lower_bound(const struct sw_geo *g, double v)
{
    size_t lo = 0, hi = g->nports;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->ports[mid].lat < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int sw_ports_nearest(const struct sw_geo *g, double lat, double lon, double max_m,
                     const struct sw_port **port, double *dist_m)
{
    double band = max_m / 111000.0 + 0.01;
    const struct sw_port *best = NULL;
    double bd = max_m;
    for (size_t i = lower_bound(g, lat - band); i < g->nports && g->ports[i].lat <= lat + band;
         i++) {
        double d = sw_geo_dist_m(lat, lon, g->ports[i].lat, g->ports[i].lon);
        if (d <= bd) {
            bd = d;
            best = &g->ports[i];
        }
    }
    if (!best) return SW_ENOTFOUND;
    *port = best;
    if (dist_m) *dist_m = bd;
    return SW_OK;
}

int sw_ports_area(const struct sw_geo *g, double lat, double lon, const struct sw_port **port)
{
    double band = 100000.0 / 111000.0 + 0.01; /* radius_m is at most 100 km */
    const struct sw_port *best = NULL;
    double bd = 0;
    for (size_t i = lower_bound(g, lat - band); i < g->nports && g->ports[i].lat <= lat + band;
         i++) {
        double d = sw_geo_dist_m(lat, lon, g->ports[i].lat, g->ports[i].lon);
        if (d <= g->ports[i].radius_m && (!best || d < bd)) {
            bd = d;
            best = &g->ports[i];
        }
    }
    if (!best) return SW_ENOTFOUND;
    *port = best;
    return SW_OK;
}
