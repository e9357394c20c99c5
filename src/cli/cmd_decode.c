/*
 * sanctwatch decode: AIS/NMEA text (files, .gz, stdin) to gpsd-style JSON, one object per
 * message. Lines come from sw_lines, are framed by sw_nmea (sanctwatch/nmea.h) and decoded by
 * the gpsd-compatible AIS session (sanctwatch/ais.h). What was skipped, and why, is summed up
 * on stderr at the end; every input line is accounted for there.
 */
#include "cli.h"

#include "sanctwatch/ais.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/nmea.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define OUT_FLUSH (256u * 1024u)
/* Append a string literal. */
#define PUT_LIT(b, lit) sw_buf_append((b), (lit), sizeof(lit) - 1)

/* Outcomes of framed messages at the decoder. */
enum {
    D_DECODED = 0, /* printed */
    D_T24_HELD,    /* type 24 part A kept for its part B, or part B without A (gpsd prints
                      nothing for either) */
    D_TOO_SHORT,   /* SW_ETRUNCATED */
    D_BAD_PAYLOAD, /* SW_EFORMAT */
    D_UNSUPPORTED, /* SW_EUNSUPPORTED */
    D_TOO_LONG,    /* SW_ETOOBIG: longer than the message type allows */
    D_OTHER,       /* anything else */
    D_N
};
static const char *const d_names[D_N] = {"decoded",     "type24_held", "too_short",
                                         "bad_payload", "unsupported", "payload_too_long",
                                         "decode_error"};

struct decode_ctx {
    struct sw_nmea *fr;
    struct sw_ais_session sess;
    struct sw_ais ais;
    struct sw_buf out;
    int scaled;
    uint64_t dcount[D_N];
    int write_failed;
    /* the last receive second formatted (inputs are mostly in time order) */
    int64_t rx_sec;
    size_t rx_len;
    char rx_text[32];
};

static void usage(FILE *f)
{
    fprintf(f, "usage: sanctwatch decode [--unscaled] [--lenient] [--quiet] [FILE...]\n\n"
               "Decode AIS NMEA sentences (any talker, NMEA 4.0 tag blocks, $PGHP headers,\n"
               "leading or trailing timestamps; plain, gzip, bzip2, xz or zstd, or zip or tar\n"
               "archives member after member; stdin when no FILE or '-')\n"
               "into gpsd-style JSON, one object a line, as 'gpsdecode -j' prints them,\n"
               "plus \"rxtime\" (receive time, ISO 8601 UTC) and \"source\" (receiving\n"
               "station) when the input gives them.\n\n"
               "  --unscaled   raw integer fields, as 'gpsdecode -u'\n"
               "  --lenient    also decode sentences whose checksum is wrong or missing,\n"
               "               marked \"checksum_ok\":false\n"
               "  --quiet      no summary of skipped lines on stderr\n");
}

static int flush_out(struct decode_ctx *c)
{
    if (c->out.len && fwrite(c->out.data, 1, c->out.len, stdout) != c->out.len) c->write_failed = 1;
    sw_buf_reset(&c->out);
    return c->write_failed ? -1 : 0;
}

/* ,"rxtime":"YYYY-MM-DDTHH:MM:SS[.mmm]Z" as sw_time_format writes it, the seconds part
 * formatted once per distinct second. */
static int put_rxtime(struct decode_ctx *c, int64_t ms)
{
    int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = (int)(ms - sec * 1000);
    if (sec != c->rx_sec || !c->rx_len) {
        sw_time_format(sec * 1000, 0, c->rx_text); /* ends in 'Z' */
        c->rx_len = strlen(c->rx_text) - 1;
        c->rx_sec = sec;
    }
    char tail[8] = {
        '.', (char)('0' + frac / 100), (char)('0' + frac / 10 % 10), (char)('0' + frac % 10), 'Z',
        '"'};
    int rc = PUT_LIT(&c->out, ",\"rxtime\":\"");
    if (rc == SW_OK) rc = sw_buf_append(&c->out, c->rx_text, c->rx_len);
    if (rc == SW_OK)
        rc = frac ? sw_buf_append(&c->out, tail, 6) : sw_buf_append(&c->out, tail + 4, 2);
    return rc;
}

static int emit(struct decode_ctx *c, const struct sw_nmea_msg *m)
{
    int rc =
        sw_ais_session_decode_on(&c->sess, m->channel, m->payload, m->len, m->fill_bits, &c->ais);
    if (rc != SW_OK) {
        c->dcount[rc == SW_EAGAIN         ? D_T24_HELD
                  : rc == SW_ETRUNCATED   ? D_TOO_SHORT
                  : rc == SW_EFORMAT      ? D_BAD_PAYLOAD
                  : rc == SW_EUNSUPPORTED ? D_UNSUPPORTED
                  : rc == SW_ETOOBIG      ? D_TOO_LONG
                                          : D_OTHER]++;
        return 0;
    }
    size_t mark = c->out.len;
    rc = PUT_LIT(&c->out, "{\"class\":\"AIS\",\"device\":\"stdin\",");
    if (rc == SW_OK) rc = sw_ais_json_fields(&c->ais, c->scaled, &c->out);
    if (rc == SW_OK && m->rxtime_ms != SW_TIME_NONE) rc = put_rxtime(c, m->rxtime_ms);
    if (rc == SW_OK && m->source[0]) {
        rc = PUT_LIT(&c->out, ",\"source\":");
        if (rc == SW_OK) rc = sw_buf_json_string(&c->out, m->source, strlen(m->source));
    }
    if (rc == SW_OK && !m->checksum_ok) rc = PUT_LIT(&c->out, ",\"checksum_ok\":false");
    if (rc == SW_OK) rc = PUT_LIT(&c->out, "}\n");
    if (rc != SW_OK) {
        c->out.len = mark; /* drop the partial object */
        c->dcount[D_OTHER]++;
        return rc == SW_ENOMEM ? -1 : 0;
    }
    c->dcount[D_DECODED]++;
    if (c->out.len >= OUT_FLUSH) return flush_out(c);
    return 0;
}

/* Decode one input; returns 0, or 1 after reporting an error. */
static int decode_one(struct decode_ctx *c, const char *path)
{
    struct sw_lines *in = NULL;
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    int rc = sw_lines_open(&in, path, 0);
    if (rc != SW_OK) {
        cli_error("cannot open '%s': %s", name, rc == SW_EIO ? strerror(errno) : sw_strerror(rc));
        return 1;
    }
    int status = 0;
    for (;;) {
        const char *line;
        size_t len;
        const struct sw_nmea_msg *m;
        rc = sw_lines_next(in, &line, &len);
        if (rc == SW_EOF) break;
        if (rc == SW_ETOOBIG) {
            sw_nmea_skip(c->fr, SW_NMEA_TOOLONG);
            continue;
        }
        if (rc != SW_OK) {
            cli_error("cannot read '%s' after line %llu: %s", name,
                      (unsigned long long)sw_lines_lineno(in), sw_strerror(rc));
            status = 1;
            break;
        }
        sw_nmea_feed(c->fr, line, len, sw_lines_lineno(in), &m);
        if (m && emit(c, m) < 0) {
            status = 1;
            break;
        }
    }
    sw_nmea_flush(c->fr);
    sw_lines_free(in);
    return status;
}

static void summary(const struct decode_ctx *c)
{
    const uint64_t *n = sw_nmea_counts(c->fr);
    const uint64_t *x = sw_nmea_counters(c->fr);
    fprintf(stderr, "decode: lines %llu:", (unsigned long long)n[SW_NMEA_LINES]);
    for (int r = SW_NMEA_LINES + 1; r < SW_NMEA_NREASONS; r++)
        fprintf(stderr, " %s=%llu", sw_nmea_reason_name((enum sw_nmea_reason)r),
                (unsigned long long)n[r]);
    fprintf(stderr, "\ndecode: messages %llu:", (unsigned long long)x[SW_NMEA_C_MESSAGES]);
    for (int d = 0; d < D_N; d++)
        fprintf(stderr, " %s=%llu", d_names[d], (unsigned long long)c->dcount[d]);
    for (int k = SW_NMEA_C_MESSAGES + 1; k < SW_NMEA_NCOUNTERS; k++)
        fprintf(stderr, " %s=%llu", sw_nmea_counter_name((enum sw_nmea_counter)k),
                (unsigned long long)x[k]);
    fputc('\n', stderr);
}

int cmd_decode(int argc, char **argv)
{
    struct decode_ctx c;
    struct sw_nmea_config cfg;
    int quiet = 0, status = 0, i;
    memset(&c, 0, sizeof c);
    c.scaled = 1;
    sw_nmea_config_default(&cfg);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-' || !strcmp(a, "-")) break;
        if (!strcmp(a, "--unscaled") || !strcmp(a, "-u"))
            c.scaled = 0;
        else if (!strcmp(a, "--lenient"))
            cfg.lenient = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q"))
            quiet = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            cli_error("decode: unknown option '%s'", a);
            usage(stderr);
            return 2;
        }
    }
    int rc = sw_nmea_new(&c.fr, &cfg);
    if (rc != SW_OK) {
        cli_error("decode: %s", sw_strerror(rc));
        return 1;
    }
    sw_ais_session_init(&c.sess);
    sw_buf_init(&c.out, 64u << 20);
    if (sw_buf_grow(&c.out, OUT_FLUSH + 65536) != SW_OK) {
        cli_error("decode: %s", sw_strerror(SW_ENOMEM));
        status = 1;
        goto fail;
    }
    if (i == argc) status |= decode_one(&c, "-");
    for (; i < argc && !c.write_failed; i++)
        status |= decode_one(&c, argv[i]);
    flush_out(&c);
    if (fflush(stdout) != 0 || c.write_failed) {
        cli_error("cannot write output: %s", strerror(errno));
        status = 1;
    }
    if (!quiet) summary(&c);
fail:
    sw_buf_release(&c.out);
    sw_nmea_free(c.fr);
    return status;
}
