/*
 * Reading the land-mask file as rings (format in docs/geo.md: "R <kind> <n>" then n points,
 * the first absolute and the rest as deltas, in 1e-4 degrees). The land mask index and the
 * report maps both read it through sw_land_read_rings().
 */
#include "sanctwatch/geo.h"

#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"

/* The usual field: an optional '-' and 1-18 digits, then the expected terminator; anything
 * else (or 0) goes to strtol, so what is accepted and its value are strtol's. */
static int fast_long(const char *s, char term, long *v, const char **end)
{
    const char *p = s;
    int neg = *p == '-';
    p += neg;
    long x = 0;
    int n = 0;
    while ((unsigned)(*p - '0') < 10 && n < 18) {
        x = x * 10 + (*p - '0');
        p++;
        n++;
    }
    if (!n || *p != term) return 0;
    *v = neg ? -x : x;
    *end = p;
    return 1;
}

static int parse_pair(const char *s, long *a, long *b)
{
    const char *e1, *e2;
    if (fast_long(s, ' ', a, &e1) && fast_long(e1 + 1, '\0', b, &e2)) return 0;
    char *end;
    *a = strtol(s, &end, 10);
    if (end == s || *end != ' ') return -1;
    s = end + 1;
    *b = strtol(s, &end, 10);
    return end == s || *end ? -1 : 0;
}

int sw_land_read_rings(const char *path, sw_land_ring_fn cb, void *ctx)
{
    struct sw_lines *in = NULL;
    double *ring = NULL;
    const char *line;
    size_t len, want = 0, have = 0, rings = 0;
    long x = 0, y = 0;
    int rc = sw_lines_open(&in, path, 256);
    if (rc) return rc;
    while ((rc = sw_lines_next(in, &line, &len)) != SW_EOF) {
        if (rc) goto fail;
        if (len == 0 || line[0] == '#') continue;
        rc = SW_EFORMAT;
        if (line[0] == 'R') {
            long kind, n;
            if (have != want || len < 3 || parse_pair(line + 2, &kind, &n) || n < 3 || n > 5000000)
                goto fail;
            want = (size_t)n;
            have = 0;
            free(ring);
            ring = malloc(want * 2 * sizeof *ring);
            rc = SW_ENOMEM;
            if (!ring) goto fail;
            continue;
        }
        long dx, dy;
        if (have >= want || parse_pair(line, &dx, &dy)) goto fail;
        if (have == 0) x = y = 0;
        x += dx;
        y += dy;
        if (labs(x) > 1800000 || labs(y) > 900000) goto fail;
        ring[2 * have] = x / 1e4;
        ring[2 * have + 1] = y / 1e4;
        if (++have == want) {
            rc = cb(ctx, ring, want);
            if (rc) goto fail;
            rings++;
        }
    }
    rc = have != want || rings == 0 ? SW_EFORMAT : SW_OK;
fail:
    free(ring);
    sw_lines_free(in);
    return rc;
}
