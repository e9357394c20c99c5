/*
 * Fuzz target for the text readers of the geo and eval modules: the same input goes to the
 * GeoJSON zone reader (then a few membership queries), the polygon parser, the detector
 * parameter parser, the evaluator's truth reader and its event-line reader: the whole input as
 * a truth and an event; then its first line as the truth and every line as an event (records
 * of one incident across lines, withdrawals, transit summaries).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sanctwatch/config.h"
#include "sanctwatch/eval.h"
#include "sanctwatch/geo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct sw_zones *z;
    if (sw_zones_new(&z) == 0) {
        if (sw_zones_add_geojson(z, text, size) == 0) {
            for (size_t i = 0; i < sw_zones_count(z); i++) {
                const struct sw_zone *zone = sw_zones_get(z, i);
                (void)sw_geo_poly_contains(&zone->poly, 38.7, 125.1);
                (void)sw_geo_poly_contains(&zone->poly, zone->poly.minlat, zone->poly.minlon);
                (void)sw_geo_poly_area_km2(&zone->poly);
            }
        }
        sw_zones_free(z);
    }
    struct sw_geo_poly p;
    if (sw_geo_poly_parse(text, size, 10000, &p) == 0) {
        struct sw_land *l;
        if (p.npoints <= 64 && sw_land_from_poly(&l, &p) == 0) {
            (void)sw_land_is_land(l, p.minlat, p.minlon);
            (void)sw_land_dist_to_shore_m(l, 0.0, 0.0);
            sw_land_free(l);
        }
        sw_geo_poly_release(&p);
    }
    struct sw_config *c;
    size_t line;
    if (sw_config_parse(&c, text, size, &line) == 0) {
        double v;
        for (size_t i = 0; i < sw_config_count(c); i++)
            (void)sw_config_double(c, sw_config_key(c, i), 0, &v);
        sw_config_free(c);
    }
    for (int lines = 0; lines < 2; lines++) {
        struct sw_eval *e;
        if (sw_eval_new(&e, NULL)) break;
        const char *why, *nl = memchr(text, '\n', size);
        size_t first = lines && nl ? (size_t)(nl - text) : size, ln = 0;
        (void)sw_eval_truth(e, text, first, &why);
        for (size_t at = 0; at < size;) {
            const char *end = lines ? memchr(text + at, '\n', size - at) : NULL;
            size_t len = end ? (size_t)(end - text) - at : size - at;
            (void)sw_eval_event(e, text + at, len, ++ln);
            at += len + 1;
        }
        if (sw_eval_run(e) == 0) {
            struct sw_buf b;
            sw_buf_init(&b, 1 << 20);
            (void)sw_eval_report_json(e, &b);
            (void)sw_eval_report_text(e, &b);
            sw_buf_release(&b);
        }
        sw_eval_free(e);
    }
    return 0;
}
