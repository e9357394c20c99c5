/*
 * Decode throughput, in process: read a file with sw_lines, frame it with sw_nmea and decode
 * every message with sw_ais_decode into one reused struct ("struct" mode), or also format the
 * gpsd-style JSON into a buffer that is then dropped ("json" mode). Prints one line per mode:
 *   RESULT mode=struct lines=N messages=N decoded=N ... wall_s=S cpu_s=S msgs_per_cpu_s=R
 * maxrss_kb=K Rates are per CPU second of this process, so that a busy shared machine does not skew
 * them. Used by bench/decode.sh, which compares with gpsdecode; see bench/README.md.
 */
#include "sanctwatch/ais.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/nmea.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *path, int json)
{
    struct sw_lines *in = NULL;
    struct sw_nmea *fr = NULL;
    static struct sw_ais ais;
    struct sw_ais_session sess;
    struct sw_buf out;
    uint64_t lines = 0, msgs = 0, decoded = 0, bytes = 0;
    int rc, status = 1;
    sw_buf_init(&out, 1u << 20);
    sw_ais_session_init(&sess);
    if (sw_lines_open(&in, path, 0) != SW_OK) {
        fprintf(stderr, "bench_decode: cannot open '%s'\n", path);
        goto fail;
    }
    if (sw_nmea_new(&fr, NULL) != SW_OK) goto fail;
    double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    for (;;) {
        const char *line;
        size_t len;
        const struct sw_nmea_msg *m;
        rc = sw_lines_next(in, &line, &len);
        if (rc == SW_EOF) break;
        lines++;
        if (rc == SW_ETOOBIG) {
            sw_nmea_skip(fr, SW_NMEA_TOOLONG);
            continue;
        }
        if (rc != SW_OK) goto fail;
        sw_nmea_feed(fr, line, len, lines, &m);
        if (!m) continue;
        msgs++;
        if (!json) {
            if (sw_ais_decode(m->payload, m->len, m->fill_bits, &ais) == SW_OK) decoded++;
            continue;
        }
        if (sw_ais_session_decode_on(&sess, m->channel, m->payload, m->len, m->fill_bits, &ais) ==
            SW_OK) {
            sw_buf_reset(&out);
            sw_buf_puts(&out, "{\"class\":\"AIS\",\"device\":\"stdin\",");
            sw_ais_json_fields(&ais, 1, &out);
            sw_buf_puts(&out, "}\n");
            bytes += out.len;
            decoded++;
        }
    }
    sw_nmea_flush(fr);
    double dt = now(CLOCK_MONOTONIC) - t0, dc = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("RESULT mode=%s lines=%llu messages=%llu decoded=%llu json_bytes=%llu wall_s=%.3f "
           "cpu_s=%.3f msgs_per_cpu_s=%.0f maxrss_kb=%ld\n",
           json ? "json" : "struct", (unsigned long long)lines, (unsigned long long)msgs,
           (unsigned long long)decoded, (unsigned long long)bytes, dt, dc,
           dc > 0 ? (double)decoded / dc : 0.0, ru.ru_maxrss);
    status = 0;
fail:
    sw_nmea_free(fr);
    sw_lines_free(in);
    sw_buf_release(&out);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_decode FILE [struct|json|both]\n");
        return 2;
    }
    const char *mode = argc > 2 ? argv[2] : "both";
    int status = 0;
    if (strcmp(mode, "json") != 0) status |= run(argv[1], 0);
    if (strcmp(mode, "struct") != 0) status |= run(argv[1], 1);
    return status;
}
