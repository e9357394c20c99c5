/*
 * Fuzz target for the whole decode path: NMEA framing (sanctwatch/nmea.h), payload decoding
 * with the gpsd-compatible session (sanctwatch/ais.h) and JSON output. The input is split
 * into lines as sw_lines would split it and fed to a strict and a lenient framer with a
 * small group table. Besides crashes it checks the framer's contract: the per-reason line
 * counts add up to the number of lines, and every message fits SW_NMEA_MAX_PAYLOAD.
 */
#include "sanctwatch/ais.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/nmea.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const char *text, size_t size, int lenient)
{
    struct sw_nmea_config cfg;
    struct sw_nmea *fr;
    struct sw_ais_session sess;
    static struct sw_ais ais;
    struct sw_buf out;
    sw_nmea_config_default(&cfg);
    cfg.lenient = lenient;
    cfg.max_groups = 3;
    cfg.group_lines = 20;
    cfg.group_timeout_ms = 10000;
    if (sw_nmea_new(&fr, &cfg) != SW_OK) return;
    sw_ais_session_init(&sess);
    sw_buf_init(&out, 1u << 20);
    uint64_t lineno = 0;
    size_t pos = 0;
    while (pos < size) {
        const char *nl = memchr(text + pos, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - (text + pos)) : size - pos;
        const struct sw_nmea_msg *m;
        lineno++;
        if (len > 4096) {
            sw_nmea_skip(fr, SW_NMEA_TOOLONG);
        } else {
            size_t l = len;
            if (l && text[pos + l - 1] == '\r') l--;
            sw_nmea_feed(fr, text + pos, l, lineno, &m);
            if (m) {
                if (m->len > SW_NMEA_MAX_PAYLOAD || strlen(m->payload) != m->len ||
                    m->fill_bits < 0 || m->fill_bits > 5)
                    abort();
                if (sw_ais_session_decode(&sess, m->payload, m->len, m->fill_bits, &ais) == SW_OK) {
                    sw_buf_reset(&out);
                    sw_buf_putc(&out, '{');
                    sw_ais_json_fields(&ais, lineno & 1, &out);
                    sw_buf_putc(&out, '}');
                }
            }
        }
        pos += len + 1;
    }
    sw_nmea_flush(fr);
    const uint64_t *n = sw_nmea_counts(fr);
    uint64_t sum = 0;
    for (int r = SW_NMEA_LINES + 1; r < SW_NMEA_NREASONS; r++)
        sum += n[r];
    if (sum != n[SW_NMEA_LINES] || n[SW_NMEA_LINES] != lineno) abort();
    sw_buf_release(&out);
    sw_nmea_free(fr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run((const char *)data, size, 0);
    run((const char *)data, size, 1);
    return 0;
}
