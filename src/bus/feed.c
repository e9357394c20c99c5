/*
 * sanctwatch feed's engine (sanctwatch/bus.h): inputs read the way analyze reads them (the line
 * reader, the NMEA framer, the CSV reader), each message decoded as far as its MMSI and
 * published with its raw lines to PREFIX.<partition>. See docs/bus.md for the message format.
 *
 * The raw lines of a multi-sentence message: the framer gives the line numbers of its first
 * and last sentence, so the lines it stored as fragments are kept here, direct-mapped by line
 * number over FRAG_SLOTS slots (more than the framer's group expiry of 500 lines, so a group's
 * lines are never overwritten while it is open). A two-sentence message is its first and last
 * line; a longer one's middle lines, when another group's are interleaved with them, are told
 * apart by a scratch framer (pick_middle). A message whose lines were not all kept (a fragment
 * longer than SW_BUS_FRAGMENT_MAX, more than MAX_CAND lines interleaved) is published as one
 * sentence rebuilt from its payload, and counted (rebuilt).
 */
#include "bus_int.h"

#include "sanctwatch/ais.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/nmea.h"
#include "sanctwatch/record.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FRAG_SLOTS 1024
/* bytes at the start of a regular file hashed into the identity of its untimed messages */
#define IDENT_HEAD 4096
#define BODY_MAX (9 * (SW_BUS_FRAGMENT_MAX + 1) + SW_LINES_DEFAULT_MAX + 16)
#define ID_BYTES 16
#define HDR_MAX 9

struct frag {
    uint64_t lineno; /* 0: empty */
    size_t len;
    int used;
    char text[SW_BUS_FRAGMENT_MAX];
};

struct sw_feed {
    struct sw_feed_config cfg;
    char *stream, *prefix;
    struct bus *bus;
    struct sw_nmea *fr;
    struct sw_nmea *scratch; /* tells interleaved fragments apart (pick_middle) */
    struct sw_ais ais;
    struct sw_record rec;
    struct sw_csv csv;
    struct frag *frags;
    struct sw_buf body;
    struct sw_feed_counts c;
    int finished;
    /* the input being read */
    const char *input;
    unsigned char ident[ID_BYTES];
    char input_hdr[512];
    char csv_hdr[1024];
    int csv_checked;
    uint32_t member;
    int64_t cur_time, time_max;
};

unsigned sw_bus_partition(uint32_t mmsi, unsigned n)
{
    uint64_t x = (uint64_t)mmsi + 0x9E3779B97F4A7C15ULL; /* splitmix64 (docs/scale.md) */
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return n ? (unsigned)(x % n) : 0;
}

void sw_feed_config_default(struct sw_feed_config *c)
{
    memset(c, 0, sizeof *c);
    c->stream = SW_BUS_STREAM;
    c->prefix = SW_BUS_PREFIX;
    c->partitions = SW_BUS_PARTITIONS;
    c->dup_window_ms = SW_BUS_DUP_WINDOW_MS;
    c->max_pending = SW_BUS_MAX_PENDING;
    c->ack_timeout_ms = 30000;
    c->replicas = 1;
}

/* One entry of a --bus list, n bytes at s: nats://HOST[:PORT]. */
static int server_ok(const char *s, size_t n)
{
    if (n < 8 || strncmp(s, "nats://", 7) != 0) return 0;
    const char *h = s + 7, *end = s + n, *colon = NULL;
    for (const char *p = h; p < end; p++) {
        if (*p <= ' ' || *p > '~' || *p == '/' || *p == '@' || *p == ',') return 0;
        if (*p == ':') colon = p;
    }
    if (colon == h || (colon && colon + 1 == end)) return 0; /* no host, or no port */
    if (!colon) return 1;
    unsigned long port = 0;
    for (const char *p = colon + 1; p < end; p++) {
        if (*p < '0' || *p > '9' || (port = port * 10 + (unsigned long)(*p - '0')) > 65535)
            return 0;
    }
    return port > 0;
}

int sw_bus_check_url(const char *url, char *err)
{
    if (!url || !*url || strncmp(url, "nats://", 7) != 0 || strlen(url) > SW_BUS_URL_MAX) {
        snprintf(err, SW_ERRMAX, "bus '%.200s' is not a nats://HOST:PORT address", url ? url : "");
        return SW_EINVAL;
    }
    int k = 0;
    for (const char *p = url;; k++) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (k == SW_BUS_SERVERS_MAX) {
            snprintf(err, SW_ERRMAX, "bus '%.100s...' has more than %d servers", url,
                     SW_BUS_SERVERS_MAX);
            return SW_EINVAL;
        }
        if (!server_ok(p, n)) {
            snprintf(err, SW_ERRMAX, "bus server %d '%.*s' is not a nats://HOST:PORT address",
                     k + 1, (int)(n > 200 ? 200 : n), p);
            return SW_EINVAL;
        }
        if (!comma) break;
        p = comma + 1;
    }
    return SW_OK;
}

/* A JetStream stream name or subject token: printable ASCII without space, '.', '*', '>'. */
static int token_ok(const char *s, int dots)
{
    if (!*s || s[0] == '.' || s[strlen(s) - 1] == '.') return 0;
    for (; *s; s++)
        if (*s <= ' ' || *s > '~' || *s == '*' || *s == '>' || (!dots && *s == '.') ||
            (*s == '.' && s[1] == '.'))
            return 0;
    return 1;
}

static int check_config(struct sw_feed_config *c, char *err)
{
    if (!c->stream) c->stream = SW_BUS_STREAM;
    if (!c->prefix) c->prefix = SW_BUS_PREFIX;
    if (!c->partitions) c->partitions = SW_BUS_PARTITIONS;
    if (c->dup_window_ms <= 0) c->dup_window_ms = SW_BUS_DUP_WINDOW_MS;
    if (c->max_pending <= 0) c->max_pending = SW_BUS_MAX_PENDING;
    if (c->ack_timeout_ms <= 0) c->ack_timeout_ms = 30000;
    if (c->replicas <= 0) c->replicas = 1;
    int rc = sw_bus_check_url(c->url, err);
    if (rc != SW_OK) return rc;
    if (c->replicas > SW_BUS_REPLICAS_MAX) {
        snprintf(err, SW_ERRMAX, "replicas '%d' is over %d", c->replicas, SW_BUS_REPLICAS_MAX);
        return SW_EINVAL;
    }
    if (!token_ok(c->stream, 0) || strlen(c->stream) > 64) {
        snprintf(err, SW_ERRMAX, "stream name '%s' is not a JetStream name", c->stream);
        return SW_EINVAL;
    }
    if (!token_ok(c->prefix, 1) || strlen(c->prefix) > 200) {
        snprintf(err, SW_ERRMAX, "subject prefix '%s' is not a NATS subject", c->prefix);
        return SW_EINVAL;
    }
    if (c->partitions > SW_BUS_PARTITIONS_MAX) {
        snprintf(err, SW_ERRMAX, "partitions '%u' is over %d", c->partitions,
                 SW_BUS_PARTITIONS_MAX);
        return SW_EINVAL;
    }
    return SW_OK;
}

int sw_feed_new(struct sw_feed **out, const struct sw_feed_config *cfg, char *err)
{
    *out = NULL;
    struct sw_feed *f = calloc(1, sizeof *f);
    if (!f) return SW_ENOMEM;
    f->cfg = *cfg;
    int rc = check_config(&f->cfg, err);
    if (rc != SW_OK) goto fail;
    rc = SW_ENOMEM;
    f->stream = strdup(f->cfg.stream);
    f->prefix = strdup(f->cfg.prefix);
    f->frags = calloc(FRAG_SLOTS, sizeof *f->frags);
    if (!f->stream || !f->prefix || !f->frags || sodium_init() < 0) goto fail;
    f->cfg.stream = f->stream;
    f->cfg.prefix = f->prefix;
    sw_buf_init(&f->body, BODY_MAX);
    struct sw_nmea_config nc;
    sw_nmea_config_default(&nc);
    nc.lenient = cfg->lenient;
    if ((rc = sw_nmea_new(&f->fr, &nc)) != SW_OK || (rc = sw_nmea_new(&f->scratch, &nc)) != SW_OK)
        goto fail;
    if ((rc = bus_open(&f->bus, &f->cfg, err)) != SW_OK) goto fail;
    *out = f;
    return SW_OK;
fail:
    if (rc == SW_ENOMEM && !err[0]) snprintf(err, SW_ERRMAX, "out of memory");
    sw_feed_free(f);
    return rc;
}

void sw_feed_free(struct sw_feed *f)
{
    if (!f) return;
    if (f->bus && !f->finished) {
        char err[SW_ERRMAX];
        (void)bus_wait(f->bus, f->cfg.ack_timeout_ms, err);
    }
    bus_close(f->bus);
    sw_nmea_free(f->fr);
    sw_nmea_free(f->scratch);
    sw_buf_release(&f->body);
    free(f->frags);
    free(f->stream);
    free(f->prefix);
    free(f);
}

/* A header value: bytes outside '!'..'~', and '%', as %XX; cut to fit n. */
static void hdr_escape(char *out, size_t n, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < len && o + 4 <= n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch > ' ' && ch <= '~' && ch != '%') {
            out[o++] = (char)ch;
        } else {
            out[o++] = '%';
            out[o++] = hex[ch >> 4];
            out[o++] = hex[ch & 15];
        }
    }
    out[o] = '\0';
}

/* The identity of an input's untimed messages: a regular file by its first IDENT_HEAD bytes
 * (the same file under another name, or grown since, is the same input), anything else by
 * its name. */
static void input_identity(struct sw_feed *f, const char *input)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, ID_BYTES);
    int fd = strcmp(input, "-") ? open(input, O_RDONLY | O_CLOEXEC) : -1;
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        unsigned char *head = malloc(IDENT_HEAD);
        ssize_t n = head ? pread(fd, head, IDENT_HEAD, 0) : -1;
        crypto_generichash_update(&st, (const unsigned char *)"file", 4);
        if (n > 0) crypto_generichash_update(&st, head, (size_t)n);
        free(head);
    } else {
        crypto_generichash_update(&st, (const unsigned char *)"name", 4);
        crypto_generichash_update(&st, (const unsigned char *)input, strlen(input));
    }
    if (fd >= 0) close(fd);
    crypto_generichash_final(&st, f->ident, ID_BYTES);
}

/* ---- a message's metadata, id, headers and publish */

struct meta {
    uint32_t mmsi;
    int64_t t_ms;         /* own or carried time, SW_TIME_NONE */
    const char *time_src; /* NULL when none */
    int own_time;
    const char *receiver;
    uint64_t line; /* first line */
    const char *format;
    int rebuilt;
};

/* The time analyze would give the record (src/ingest/input.c, process()): its own; or the
 * input's last time, carried, when it has none; the input's last time moves on with every
 * vessel or aid record whose time is in the accepted range. */
static int64_t carry_time(struct sw_feed *f, const struct sw_record *r, int pos_flag, int *carried)
{
    *carried = 0;
    if (r->kind == SW_REC_BASE || r->kind == SW_REC_OTHER) return r->t_ms;
    if (pos_flag && !(r->fields & SW_F_STATIC_MASK)) return r->t_ms;
    if (r->t_ms == SW_TIME_NONE) {
        *carried = f->cur_time != SW_TIME_NONE;
        return f->cur_time;
    }
    if (r->t_ms >= SW_INGEST_TIME_MIN_MS && r->t_ms <= f->time_max) f->cur_time = r->t_ms;
    return r->t_ms;
}

static void message_id(const struct sw_feed *f, const struct meta *mt, char *hex)
{
    crypto_generichash_state st;
    unsigned char id[ID_BYTES];
    crypto_generichash_init(&st, NULL, 0, ID_BYTES);
    if (mt->own_time) { /* timed: the same reception from any copy of the input */
        int64_t t = mt->t_ms;
        crypto_generichash_update(&st, (const unsigned char *)"t", 1);
        crypto_generichash_update(&st, (const unsigned char *)mt->receiver,
                                  strlen(mt->receiver) + 1);
        crypto_generichash_update(&st, (const unsigned char *)&t, sizeof t);
    } else { /* untimed: this line of this input */
        uint64_t at[2] = {f->member, mt->line};
        crypto_generichash_update(&st, (const unsigned char *)"u", 1);
        crypto_generichash_update(&st, f->ident, ID_BYTES);
        crypto_generichash_update(&st, (const unsigned char *)at, sizeof at);
    }
    crypto_generichash_update(&st, (const unsigned char *)f->body.data, f->body.len);
    crypto_generichash_final(&st, id, ID_BYTES);
    sodium_bin2hex(hex, 2 * ID_BYTES + 1, id, ID_BYTES);
}

static int publish(struct sw_feed *f, const struct meta *mt, char *err)
{
    char subject[256], id[2 * ID_BYTES + 1], mmsi[16], t[24], line[24], rx[3 * 32 + 1];
    struct bus_hdr h[HDR_MAX];
    size_t nh = 0;
    snprintf(subject, sizeof subject, "%s.%u", f->prefix,
             sw_bus_partition(mt->mmsi, f->cfg.partitions));
    message_id(f, mt, id);
    snprintf(mmsi, sizeof mmsi, "%" PRIu32, mt->mmsi);
    h[nh++] = (struct bus_hdr){"Sw-Mmsi", mmsi};
    if (mt->t_ms != SW_TIME_NONE) {
        snprintf(t, sizeof t, "%" PRId64, mt->t_ms);
        h[nh++] = (struct bus_hdr){"Sw-Time", t};
        h[nh++] = (struct bus_hdr){"Sw-Time-Src", mt->time_src};
    }
    if (mt->receiver[0]) {
        hdr_escape(rx, sizeof rx, mt->receiver, strlen(mt->receiver));
        h[nh++] = (struct bus_hdr){"Sw-Receiver", rx};
    }
    h[nh++] = (struct bus_hdr){"Sw-Format", mt->format};
    if (f->csv.format != SW_CSV_NONE) h[nh++] = (struct bus_hdr){"Sw-Csv-Header", f->csv_hdr};
    h[nh++] = (struct bus_hdr){"Sw-Input", f->input_hdr};
    snprintf(line, sizeof line, "%" PRIu64, mt->line);
    h[nh++] = (struct bus_hdr){"Sw-Line", line};
    if (mt->rebuilt) h[nh++] = (struct bus_hdr){"Sw-Rebuilt", "1"};
    int rc = bus_publish(f->bus, subject, id, h, nh, f->body.data, f->body.len, err);
    if (rc == SW_OK) f->c.published++;
    return rc;
}

/* ---- NMEA messages and their raw lines */

static const char *const time_src_names[] = {"none", "tagblock", "pghp", "trailing", "leading"};

/* One sentence carrying the whole payload, for a message whose lines were not all kept. */
static int rebuild(struct sw_feed *f, const struct sw_nmea_msg *m)
{
    char ch[2] = {m->channel, '\0'};
    sw_buf_reset(&f->body);
    int rc = sw_buf_printf(&f->body, "!%.2sVD%c,1,1,,%s,%s,%d", m->talker, m->own ? 'O' : 'M', ch,
                           m->payload, m->fill_bits);
    if (rc != SW_OK) return rc;
    unsigned cs = sw_nmea_checksum(f->body.data + 1, f->body.len - 1);
    return sw_buf_printf(&f->body, "*%02X", cs);
}

static struct frag *frag_at(struct sw_feed *f, uint64_t lineno)
{
    struct frag *s = &f->frags[lineno % FRAG_SLOTS];
    return s->lineno == lineno && !s->used ? s : NULL;
}

/* The middle lines of a k-sentence message: when more lines between its first and last are
 * kept than it has middle sentences (another group's interleaved), each choice of k-2 of
 * them in order, at most MAX_TRIES, goes with the first and last line through a scratch
 * framer; the one giving the same payload is the message's. 1 when found (mid[] set). */
#define MAX_CAND 16
#define MAX_TRIES 256
static int pick_middle(struct sw_feed *f, const struct sw_nmea_msg *m, struct frag *first,
                       struct frag **cand, int ncand, const char *line, size_t len,
                       struct frag **mid)
{
    int need = m->fragments - 2, idx[8];
    for (int i = 0; i < need; i++)
        idx[i] = i;
    for (int tries = 0; tries < MAX_TRIES; tries++) {
        const struct sw_nmea_msg *t = NULL;
        uint64_t ln = 1;
        sw_nmea_flush(f->scratch);
        sw_nmea_feed(f->scratch, first->text, first->len, ln++, &t);
        for (int i = 0; !t && i < need; i++)
            sw_nmea_feed(f->scratch, cand[idx[i]]->text, cand[idx[i]]->len, ln++, &t);
        if (!t) sw_nmea_feed(f->scratch, line, len, ln, &t);
        if (t && t->len == m->len && memcmp(t->payload, m->payload, m->len) == 0 &&
            t->fill_bits == m->fill_bits) {
            for (int i = 0; i < need; i++)
                mid[i] = cand[idx[i]];
            return 1;
        }
        int i = need - 1; /* the next choice, in lexicographic order */
        while (i >= 0 && idx[i] == ncand - need + i)
            i--;
        if (i < 0) return 0;
        idx[i]++;
        for (int j = i + 1; j < need; j++)
            idx[j] = idx[j - 1] + 1;
    }
    return 0;
}

/* The body: the message's raw lines, '\n' between them; *rebuilt set when they could not
 * all be found and the body is one sentence rebuilt from the payload. */
static int raw_lines(struct sw_feed *f, const struct sw_nmea_msg *m, const char *line, size_t len,
                     int *rebuilt)
{
    struct frag *cand[MAX_CAND], *mid[8], *first = NULL;
    int ncand = 0, found = 1, rc = SW_OK, need = m->fragments - 2;
    *rebuilt = 0;
    sw_buf_reset(&f->body);
    if (m->fragments > 1) {
        first = frag_at(f, m->first_line);
        for (uint64_t l = m->first_line + 1; first && l < m->last_line; l++) {
            struct frag *s = frag_at(f, l);
            if (s && ncand < MAX_CAND) cand[ncand] = s;
            ncand += s != NULL;
        }
        if (!first || ncand < need || ncand > MAX_CAND)
            found = 0;
        else if (ncand == need)
            memcpy(mid, cand, sizeof *mid * (size_t)need);
        else
            found = pick_middle(f, m, first, cand, ncand, line, len, mid);
        if (first) first->used = 1;
        if (!found) {
            *rebuilt = 1;
            f->c.rebuilt++;
            return rebuild(f, m);
        }
        rc = sw_buf_append(&f->body, first->text, first->len);
        for (int i = 0; rc == SW_OK && i < need; i++) {
            mid[i]->used = 1;
            if ((rc = sw_buf_putc(&f->body, '\n')) == SW_OK)
                rc = sw_buf_append(&f->body, mid[i]->text, mid[i]->len);
        }
        if (rc == SW_OK) rc = sw_buf_putc(&f->body, '\n');
    }
    return rc == SW_OK ? sw_buf_append(&f->body, line, len) : rc;
}

static int nmea_message(struct sw_feed *f, const struct sw_nmea_msg *m, const char *line,
                        size_t len, char *err)
{
    int pos_flag, carried = 0;
    f->c.messages++;
    if (sw_ais_decode(m->payload, m->len, m->fill_bits, &f->ais) != SW_OK) {
        f->c.decode_error++;
        return SW_OK;
    }
    int rc = sw_ais_to_record(&f->ais, &f->rec, &pos_flag);
    if (rc == SW_ERANGE) {
        f->c.bad_mmsi++;
        return SW_OK;
    }
    /* a type analyze has no use for goes on too (the worker counts it as analyze does),
     * under its MMSI whatever it is, and neither takes nor carries a time */
    struct meta mt = {f->ais.mmsi, m->rxtime_ms, NULL, 0, m->source, m->first_line, "nmea", 0};
    f->rec.t_ms = m->rxtime_ms;
    if (rc == SW_OK) mt.t_ms = carry_time(f, &f->rec, pos_flag, &carried);
    mt.own_time = m->rxtime_ms != SW_TIME_NONE;
    if (mt.own_time)
        mt.time_src = time_src_names[m->time_src >= 1 && m->time_src <= 4 ? m->time_src : 0];
    else if (mt.t_ms != SW_TIME_NONE)
        mt.time_src = "carried";
    if ((rc = raw_lines(f, m, line, len, &mt.rebuilt)) != SW_OK) {
        snprintf(err, SW_ERRMAX, "cannot build the message of line %" PRIu64 " of '%s': %s",
                 m->first_line, f->input, sw_strerror(rc));
        return rc;
    }
    return publish(f, &mt, err);
}

/* A line the framer kept as a fragment of an open group: kept here too. */
static void keep_fragment(struct sw_feed *f, const char *line, size_t len, uint64_t lineno)
{
    struct frag *s = &f->frags[lineno % FRAG_SLOTS];
    if (len > SW_BUS_FRAGMENT_MAX) {
        s->lineno = 0; /* not kept: its message will be rebuilt */
        return;
    }
    s->lineno = lineno;
    s->len = len;
    s->used = 0;
    memcpy(s->text, line, len);
}

static int csv_row(struct sw_feed *f, const char *line, size_t len, uint64_t lineno, char *err)
{
    int pos_flag, carried;
    f->c.messages++;
    int rc = sw_csv_row(&f->csv, line, len, &f->rec, &pos_flag);
    if (rc == SW_ERANGE) {
        f->c.bad_mmsi++;
        return SW_OK;
    }
    if (rc != SW_OK) {
        f->c.bad_row++;
        return SW_OK;
    }
    struct meta mt = {f->rec.mmsi,
                      SW_TIME_NONE,
                      "csv",
                      1,
                      f->rec.receiver,
                      lineno,
                      sw_csv_format_name(f->csv.format),
                      0};
    mt.t_ms = carry_time(f, &f->rec, pos_flag, &carried);
    sw_buf_reset(&f->body);
    if ((rc = sw_buf_append(&f->body, line, len)) != SW_OK) {
        snprintf(err, SW_ERRMAX, "line %" PRIu64 " of '%s': %s", lineno, f->input, sw_strerror(rc));
        return rc;
    }
    return publish(f, &mt, err);
}

/* The first non-empty line of an input (or archive member) may be a CSV header: 1 if so. */
static int csv_header(struct sw_feed *f, const char *line, size_t len)
{
    if (f->csv_checked || len == 0) return 0;
    f->csv_checked = 1;
    if (sw_csv_detect(&f->csv, line, len) != SW_OK) return 0;
    hdr_escape(f->csv_hdr, sizeof f->csv_hdr, line, len);
    return 1;
}

static int feed_line(struct sw_feed *f, const char *line, size_t len, uint64_t lineno, char *err)
{
    f->c.lines++;
    f->c.bytes += len + 1;
    if (csv_header(f, line, len)) return SW_OK;
    if (f->csv.format != SW_CSV_NONE) return csv_row(f, line, len, lineno, err);
    const struct sw_nmea_msg *m;
    sw_nmea_feed(f->fr, line, len, lineno, &m);
    if (m) return nmea_message(f, m, line, len, err);
    if (sw_nmea_last_reason(f->fr) == SW_NMEA_USED) keep_fragment(f, line, len, lineno);
    return SW_OK;
}

static int read_lines(struct sw_feed *f, struct sw_lines *in, char *err)
{
    const char *line;
    size_t len;
    for (;;) {
        if (f->cfg.stop && *f->cfg.stop) return SW_EAGAIN;
        int rc = sw_lines_next(in, &line, &len);
        if (rc == SW_EOF) return SW_OK;
        if (rc == SW_ETOOBIG) {
            f->c.lines++;
            f->c.toolong++;
            if (f->csv.format == SW_CSV_NONE) sw_nmea_skip(f->fr, SW_NMEA_TOOLONG);
            continue;
        }
        if (rc < 0 && f->cfg.stop && *f->cfg.stop) return SW_EAGAIN; /* a signal: EINTR */
        if (rc < 0) {
            f->c.input_errors++;
            snprintf(err, SW_ERRMAX, "cannot read '%s': %s", f->input,
                     rc == SW_EIO ? strerror(errno) : sw_strerror(rc));
            return rc;
        }
        if (sw_lines_member(in) != f->member) { /* an archive's next member: its own header */
            f->member = sw_lines_member(in);
            f->csv_checked = 0;
            f->csv.format = SW_CSV_NONE;
        }
        if ((rc = feed_line(f, line, len, sw_lines_lineno(in), err)) != SW_OK) return rc;
    }
}

int sw_feed_input(struct sw_feed *f, const char *input, char *err)
{
    struct sw_lines *in = NULL;
    err[0] = '\0';
    if (f->finished) return SW_EINVAL;
    int rc = sw_lines_open(&in, input, 0);
    if (rc != SW_OK) {
        snprintf(err, SW_ERRMAX, "cannot open '%s': %s", input,
                 rc == SW_EIO ? strerror(errno) : sw_strerror(rc));
        return rc;
    }
    f->input = input;
    hdr_escape(f->input_hdr, sizeof f->input_hdr, input, strlen(input));
    input_identity(f, input);
    f->csv_checked = 0;
    f->csv.format = SW_CSV_NONE;
    f->member = 0;
    f->cur_time = SW_TIME_NONE;
    f->time_max = sw_time_now_ms() + SW_INGEST_TIME_AHEAD_MS;
    for (size_t i = 0; i < FRAG_SLOTS; i++)
        f->frags[i].lineno = 0;
    rc = read_lines(f, in, err);
    sw_nmea_flush(f->fr); /* groups never span inputs */
    sw_lines_free(in);
    f->input = NULL;
    return rc;
}

int sw_feed_finish(struct sw_feed *f, char *err)
{
    err[0] = '\0';
    f->finished = 1;
    int rc = bus_wait(f->bus, f->cfg.ack_timeout_ms, err);
    bus_acks(f->bus, &f->c.stored, &f->c.duplicates, &f->c.failed, &f->c.resent, &f->c.late);
    return rc;
}

const struct sw_feed_counts *sw_feed_counts(const struct sw_feed *f)
{
    return &f->c;
}

const uint64_t *sw_feed_nmea(const struct sw_feed *f)
{
    return sw_nmea_counts(f->fr);
}
