/*
 * The worker (sanctwatch/bus.h, docs/bus.md "The worker"): messages of a partition range taken
 * from a durable pull consumer in stream order, their headers checked, each applied to the
 * pipeline as a stream message (sw_pipeline_stream_msg) whose position is the stream sequence;
 * acknowledged (AckAll) after each commit that holds them.
 */
#include "bus_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/record.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The longest CSV header and receiver a header may carry, unescaped. */
#define CSV_HEADER_MAX 4096
#define RECEIVER_MAX 256
/* How long one fetch waits: the stop flag and idle time are checked this often. */
#define FETCH_WAIT_MS 500

void sw_worker_config_default(struct sw_worker_config *c)
{
    memset(c, 0, sizeof *c);
    c->stream = SW_BUS_STREAM;
    c->prefix = SW_BUS_PREFIX;
    c->partitions = SW_BUS_PARTITIONS;
    c->last = SW_WORKER_ALL;
    c->batch = SW_WORKER_BATCH;
    c->bus_timeout_ms = SW_BUS_TIMEOUT_MS;
}

/* A decimal number of at most max (no sign, no spaces): 0, or -1. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!s || !*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) / 10) return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* A header value as feed escapes it (%XX) back into out (n bytes, NUL-terminated): 0, or -1
 * when malformed, too long, or holding a NUL byte. */
static int unescape(const char *s, char *out, size_t n)
{
    size_t o = 0;
    for (; *s; s++) {
        int c = (unsigned char)*s;
        if (c == '%') {
            int h = hexval(s[1]), l = h < 0 ? -1 : hexval(s[2]);
            if (l < 0) return -1;
            c = h * 16 + l;
            s += 2;
        }
        if (c == 0 || o + 1 >= n) return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

/* Time sources feed writes (docs/bus.md). */
static const char *const time_srcs[] = {"tagblock", "pghp", "trailing",
                                        "leading",  "csv",  "carried"};

/* The message's headers into m (with buffers rx and csv). Returns 0, or the counter to raise. */
static uint64_t *headers(struct bus_sub *s, int i, struct sw_stream_msg *m, char *rx, char *csv,
                         struct sw_worker_counts *c)
{
    uint64_t v;
    const char *f = bus_sub_header(s, i, "Sw-Format");
    if (!f) return &c->bad_format;
    if (!strcmp(f, "nmea"))
        m->format = SW_CSV_NONE;
    else if (!strcmp(f, "marinecadastre"))
        m->format = SW_CSV_MARINECADASTRE;
    else if (!strcmp(f, "aisdk"))
        m->format = SW_CSV_AISDK;
    else
        return &c->bad_format;
    if (parse_u64(bus_sub_header(s, i, "Sw-Mmsi"), (1u << 30) - 1, &v)) return &c->bad_header;
    m->mmsi = (uint32_t)v;
    const char *t = bus_sub_header(s, i, "Sw-Time"), *src = bus_sub_header(s, i, "Sw-Time-Src");
    m->t_ms = SW_TIME_NONE;
    m->carried = 0;
    if (t || src) {
        size_t k = 0;
        while (k < sizeof time_srcs / sizeof *time_srcs && (!src || strcmp(src, time_srcs[k])))
            k++;
        if (!src || k == sizeof time_srcs / sizeof *time_srcs) return &c->bad_header;
        if (parse_u64(t, INT64_MAX, &v)) return &c->bad_header;
        m->t_ms = (int64_t)v;
        m->carried = !strcmp(src, "carried");
    }
    const char *r = bus_sub_header(s, i, "Sw-Receiver");
    m->receiver = NULL;
    if (r) {
        if (unescape(r, rx, RECEIVER_MAX)) return &c->bad_header;
        m->receiver = rx;
    }
    m->csv_header = NULL;
    if (m->format != SW_CSV_NONE) {
        const char *h = bus_sub_header(s, i, "Sw-Csv-Header");
        if (!h || unescape(h, csv, CSV_HEADER_MAX)) return &c->bad_format;
        m->csv_header = csv;
    }
    return NULL;
}

/* The partition of a subject PREFIX.<p>: 0, or -1 when it is not one. */
static int subject_partition(const char *subject, const char *prefix, unsigned n, unsigned *p)
{
    size_t pl = strlen(prefix);
    uint64_t v;
    if (strncmp(subject, prefix, pl) != 0 || subject[pl] != '.') return -1;
    if (parse_u64(subject + pl + 1, n - 1, &v)) return -1;
    *p = (unsigned)v;
    return 0;
}

struct worker {
    struct sw_pipeline *p;
    const struct sw_worker_config *cfg;
    struct bus_sub *s;
    struct sw_worker_counts *c;
    unsigned first, last;
    uint64_t commits; /* sw_pipeline_commits at the last ack */
    int unacked;      /* messages were taken since the last ack */
    char rx[RECEIVER_MAX], csv[CSV_HEADER_MAX];
};

/* Acknowledge the last message taken when a commit came since the last ack. SW_EAGAIN when
 * the ack did not arrive (the consumer is made again after the committed position). */
static int ack_committed(struct worker *w, char *err)
{
    if (sw_pipeline_commits(w->p) == w->commits) return SW_OK;
    w->commits = sw_pipeline_commits(w->p);
    int rc = bus_sub_ack(w->s, err);
    if (rc == SW_OK && w->unacked) w->c->acks++;
    w->unacked = 0;
    return rc;
}

/* The bus failed (SW_EAGAIN: an election, a node gone, a delivery lost, a consumer that
 * delivers nothing while the stream holds more): the consumer made again to deliver after the
 * last message taken, tried until it works, or until the bus has not answered, or not
 * delivered, for the bus timeout since *since (the first failure of this spell; a spell ends
 * when messages come or the stream holds nothing more). */
static int recover(struct worker *w, int64_t *since, char *err)
{
    const struct sw_worker_config *cfg = w->cfg;
    char why[SW_ERRMAX];
    if (!*since) *since = sw_time_mono_ms();
    for (;;) {
        if (cfg->stop && *cfg->stop) return SW_OK;
        if (sw_time_mono_ms() - *since >= cfg->bus_timeout_ms) {
            snprintf(why, sizeof why, "%s", err);
            snprintf(err, SW_ERRMAX,
                     "the bus did not answer for %lld s (%.150s); what was taken is committed, "
                     "run again to resume",
                     (long long)(cfg->bus_timeout_ms / 1000), why);
            return SW_ENET;
        }
        int rc = bus_sub_reset(w->s, w->c->position, err);
        if (rc == SW_OK) {
            w->c->resets++;
            return SW_OK;
        }
        if (rc != SW_EAGAIN) return rc;
        nanosleep(&(struct timespec){0, 250 * 1000000L}, NULL);
    }
}

/* One message: checked, applied or passed over; its position taken either way. */
static int take(struct worker *w, int i, char *err)
{
    struct bus_msg bm;
    struct sw_stream_msg m;
    struct sw_worker_counts *c = w->c;
    uint64_t *bad = NULL;
    unsigned part = 0;
    int outcome, rc;
    c->received++;
    if (bus_sub_msg(w->s, i, &bm) != SW_OK) { /* no stream sequence: cannot be placed */
        c->bad_header++;
        return SW_OK;
    }
    if (bm.seq <= c->position && c->position) {
        c->seen++;
        return SW_OK;
    }
    if (subject_partition(bm.subject, w->cfg->prefix, w->cfg->partitions, &part))
        bad = &c->bad_header;
    else if (part < w->first || part > w->last)
        bad = &c->other_partition;
    else if (bm.len > SW_BUS_BODY_MAX)
        bad = &c->oversized;
    else if (!(bad = headers(w->s, i, &m, w->rx, w->csv, c)) &&
             sw_bus_partition(m.mmsi, w->cfg->partitions) != part)
        bad = &c->wrong_partition;
    c->position = bm.seq;
    bus_sub_keep(w->s, i);
    w->unacked = 1;
    if (bad) {
        (*bad)++;
        sw_pipeline_stream_skip(w->p, bm.seq);
        return SW_OK;
    }
    m.body = bm.data;
    m.len = bm.len;
    if ((rc = sw_pipeline_stream_msg(w->p, &m, bm.seq, &outcome, err)) != SW_OK) return rc;
    switch (outcome) {
    case SW_STREAM_SEEN:
        c->seen++;
        break;
    case SW_STREAM_NO_FRAME:
        c->no_frame++;
        break;
    case SW_STREAM_BAD_CSV:
        c->bad_format++;
        break;
    case SW_STREAM_MISMATCH:
        c->mmsi_mismatch++;
        break;
    default:
        c->applied++;
    }
    return ack_committed(w, err);
}

/* Fetch and take until idle or stopped; the bus failing is recovered from (SW_EAGAIN). */
static int loop(struct worker *w, char *err)
{
    const struct sw_worker_config *cfg = w->cfg;
    int64_t idle_since = sw_time_mono_ms(), since = 0;
    int rc, n;
    while (!(cfg->stop && *cfg->stop)) {
        rc = bus_sub_fetch(w->s, cfg->batch, FETCH_WAIT_MS, &n, err);
        if (rc == SW_OK && n == 0) {
            /* a quiet moment: what was taken is committed and acknowledged */
            if (w->unacked && (rc = sw_pipeline_checkpoint(w->p)) != SW_OK) return rc;
            if (rc == SW_OK && bus_sub_idle(w->s)) since = 0; /* the stream holds no more */
            if ((rc = ack_committed(w, err)) == SW_OK && cfg->idle_exit_ms > 0 &&
                sw_time_mono_ms() - idle_since >= cfg->idle_exit_ms)
                break;
        } else if (rc == SW_OK) {
            idle_since = sw_time_mono_ms();
            since = 0; /* delivering again */
            for (int i = 0; rc == SW_OK && i < n; i++)
                rc = take(w, i, err);
        }
        if (rc == SW_EAGAIN) { /* the bus failed: not idle time */
            if ((rc = recover(w, &since, err)) != SW_OK) return rc;
            idle_since = sw_time_mono_ms();
            continue;
        }
        if (rc != SW_OK) return rc;
    }
    return SW_OK;
}

int sw_worker_run(struct sw_pipeline *p, const struct sw_worker_config *cfg,
                  struct sw_worker_counts *counts, char *err)
{
    struct sw_worker_config k = *cfg;
    char name[512], durable[256], filter[320];
    memset(counts, 0, sizeof *counts);
    if (!k.stream) k.stream = SW_BUS_STREAM;
    if (!k.prefix) k.prefix = SW_BUS_PREFIX;
    if (!k.partitions) k.partitions = SW_BUS_PARTITIONS;
    if (k.batch <= 0) k.batch = SW_WORKER_BATCH;
    if (k.bus_timeout_ms <= 0) k.bus_timeout_ms = SW_BUS_TIMEOUT_MS;
    if (k.url && sw_bus_check_url(k.url, err) != SW_OK) return SW_EINVAL;
    if (k.last == SW_WORKER_ALL) k.last = k.partitions - 1;
    if (!k.url || k.partitions > SW_BUS_PARTITIONS_MAX || k.first > k.last ||
        k.last >= k.partitions || strlen(k.prefix) > 200 || strlen(k.stream) > 200) {
        snprintf(err, SW_ERRMAX, "partitions '%u-%u' are not a range of the stream's %u", k.first,
                 k.last, k.partitions);
        return SW_EINVAL;
    }
    /* the stream's position is kept under a name that says what the worker takes */
    snprintf(name, sizeof name, "nats:%s/%s.%u-%u", k.stream, k.prefix, k.first, k.last);
    if (k.durable)
        snprintf(durable, sizeof durable, "%s", k.durable);
    else
        snprintf(durable, sizeof durable, "sanctwatch-%s-%u-%u", k.stream, k.first, k.last);
    if (k.first == k.last)
        snprintf(filter, sizeof filter, "%s.%u", k.prefix, k.first);
    else
        snprintf(filter, sizeof filter, "%s.>", k.prefix);
    struct worker w = {p, &k, NULL, counts, k.first, k.last, 0, 0, "", ""};
    int rc = sw_pipeline_stream_begin(p, name, &counts->resumed_after, err);
    if (rc != SW_OK) return rc;
    counts->position = counts->resumed_after;
    w.commits = sw_pipeline_commits(p);
    rc = bus_sub_open(&w.s, &k, durable, filter, counts->resumed_after, err);
    if (rc == SW_OK) rc = loop(&w, err);
    /* the end: the position recorded and committed, then acknowledged */
    char err2[SW_ERRMAX] = "";
    int rc2 = sw_pipeline_stream_end(p, err2);
    if (rc2 == SW_OK) rc2 = sw_pipeline_checkpoint(p);
    if (rc2 == SW_OK && w.s && ack_committed(&w, err2) != SW_OK) /* the commit decides */
        err2[0] = '\0';
    bus_sub_close(w.s);
    if (rc == SW_OK && rc2 != SW_OK) {
        snprintf(err, SW_ERRMAX, "%s", err2[0] ? err2 : sw_strerror(rc2));
        rc = rc2;
    }
    if (rc == SW_OK) err[0] = '\0'; /* the bus failures recovered from are not errors */
    return rc;
}
