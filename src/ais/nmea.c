/*
 * NMEA framing for AIS (see sanctwatch/nmea.h and docs/nmea.md): one pass over each line
 * classifies it, checks its checksums, picks up its metadata (tag block, leading timestamp,
 * $PGHP header, trailing fields) and either emits a complete payload or stores a fragment in
 * a bounded table of open multi-sentence groups. Every line is counted under one reason.
 * Allocation happens once, in sw_nmea_new; the per-line path never allocates.
 */
#include "sanctwatch/nmea.h"
#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Leading timestamps are looked for in at most this many bytes before the sentence. */
#define LEADING_MAX 48

struct group {
    int used;
    int count;     /* sentences expected */
    int next;      /* number of the next sentence expected */
    int nlines;    /* sentences stored so far */
    int time_rank; /* precedence rank of meta.rxtime_ms (lower is better, 0 = none) */
    struct sw_nmea_msg meta;
    size_t len;
    char *payload; /* SW_NMEA_MAX_PAYLOAD + 1 bytes inside sw_nmea.pool */
};

struct sw_nmea {
    struct sw_nmea_config cfg;
    uint64_t counts[SW_NMEA_NREASONS];
    uint64_t counters[SW_NMEA_NCOUNTERS];
    enum sw_nmea_reason last;
    /* pending $PGHP header */
    int pghp_pending;
    int pghp_cs; /* checksum of the sentence it names, -1 = any */
    int64_t pghp_ms;
    /* open groups */
    unsigned nopen;
    struct group *groups;
    char *pool;
    /* the message handed out */
    struct sw_nmea_msg msg;
    char out[SW_NMEA_MAX_PAYLOAD + 1];
};

/* What one line carries besides its sentence fields. */
struct linemeta {
    int64_t tb_ms, pghp_ms, trail_ms, lead_ms; /* SW_TIME_NONE when absent */
    int64_t tag_n;
    int gid;
    int checksum_ok;
    size_t srclen;
    int src_trailing; /* the source came from a station field after the checksum */
    char source[SW_NMEA_MAX_SOURCE + 1];
};

/* One line's AIS sentence, as the fast path or the general path read it: everything
 * accept_sentence() needs, so that both paths end in the same code. */
struct sentence {
    struct linemeta lm;
    const char *body;    /* the address field, after the '!' or '$' */
    const char *star;    /* the '*' before the checksum, NULL when there is none */
    const char *end;     /* end of the line, trailing blanks dropped */
    const char *payload; /* plen armour characters, not NUL-terminated */
    size_t plen;
    int count, num; /* sentence count and number, 1..9 */
    int seq;        /* sequential message id, -1 when empty */
    int fill;       /* fill bits, 0..5 */
    int cs;         /* the checksum written after '*', -1 when missing or not two hex digits */
    char channel;   /* '\0' when empty */
};

static const char *const reason_names[SW_NMEA_NREASONS] = {
    "lines",   "used", "empty",    "comment",  "other_nmea", "header",     "checksum", "malformed",
    "garbage", "nul",  "too_long", "oversize", "orphan",     "incomplete", "evicted",
};

static const char *const counter_names[SW_NMEA_NCOUNTERS] = {
    "messages",
    "multi_sentence",
    "lenient_accepted",
    "pghp_unused",
};

/* Character tables, built at compile time (immutable, so framers in several threads share
 * them): T256(F) expands to F(0), F(1), ..., F(255). */
#define T4(F, c) F(c), F((c) + 1), F((c) + 2), F((c) + 3)
#define T16(F, c) T4(F, c), T4(F, (c) + 4), T4(F, (c) + 8), T4(F, (c) + 12)
#define T64(F, c) T16(F, c), T16(F, (c) + 16), T16(F, (c) + 32), T16(F, (c) + 48)
#define T256(F) T64(F, 0), T64(F, 64), T64(F, 128), T64(F, 192)

/* 1 for the characters allowed in an armoured payload ('0'..'W', '`'..'w'). */
#define ARMOUR_OK(c) (((c) >= 48 && (c) <= 87) || ((c) >= 96 && (c) <= 119))
static const unsigned char armour_ok[256] = {T256(ARMOUR_OK)};
/* hex digit value + 1, 0 for non-hex */
#define HEXVAL(c)                                                                                  \
    ((c) >= '0' && (c) <= '9'   ? (c) - '0' + 1                                                    \
     : (c) >= 'A' && (c) <= 'F' ? (c) - 'A' + 11                                                   \
     : (c) >= 'a' && (c) <= 'f' ? (c) - 'a' + 11                                                   \
                                : 0)
static const unsigned char hexval[256] = {T256(HEXVAL)};
/* CH_ADDR: sentence address character (A-Z, 0-9, '='); CH_TALKER: also '-' */
#define CH_ADDR 1
#define CH_TALKER 2
#define IS_ADDR(c) (((c) >= 'A' && (c) <= 'Z') || ((c) >= '0' && (c) <= '9') || (c) == '=')
#define CHCLASS(c) (IS_ADDR(c) ? CH_ADDR | CH_TALKER : (c) == '-' ? CH_TALKER : 0)
static const unsigned char chclass[256] = {T256(CHCLASS)};

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

static uint64_t load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORDSCAN 1 /* word-at-a-time scanning needs ctz and little-endian byte order */
#else
#define WORDSCAN 0
#endif

void sw_nmea_config_default(struct sw_nmea_config *cfg)
{
    cfg->lenient = 0;
    cfg->max_groups = 64;
    cfg->group_lines = 500;
    cfg->group_timeout_ms = 60000;
}

int sw_nmea_new(struct sw_nmea **out, const struct sw_nmea_config *cfg)
{
    struct sw_nmea *f = NULL;
    struct sw_nmea_config c;
    if (cfg)
        c = *cfg;
    else
        sw_nmea_config_default(&c);
    if (c.max_groups < 1 || c.max_groups > 4096 || c.group_lines < 1 || c.group_timeout_ms < 0)
        return SW_EINVAL;
    f = calloc(1, sizeof *f);
    if (!f) goto fail;
    f->cfg = c;
    f->groups = calloc(c.max_groups, sizeof *f->groups);
    f->pool = malloc((size_t)c.max_groups * (SW_NMEA_MAX_PAYLOAD + 1));
    if (!f->groups || !f->pool) goto fail;
    for (unsigned i = 0; i < c.max_groups; i++)
        f->groups[i].payload = f->pool + (size_t)i * (SW_NMEA_MAX_PAYLOAD + 1);
    f->msg.payload = f->out;
    *out = f;
    return SW_OK;
fail:
    sw_nmea_free(f);
    return SW_ENOMEM;
}

void sw_nmea_free(struct sw_nmea *f)
{
    if (!f) return;
    free(f->groups);
    free(f->pool);
    free(f);
}

unsigned sw_nmea_checksum(const char *s, size_t len)
{
    unsigned x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= (unsigned char)s[i];
    return x;
}

const char *sw_nmea_reason_name(enum sw_nmea_reason r)
{
    return (unsigned)r < SW_NMEA_NREASONS ? reason_names[r] : "unknown";
}

const char *sw_nmea_counter_name(enum sw_nmea_counter c)
{
    return (unsigned)c < SW_NMEA_NCOUNTERS ? counter_names[c] : "unknown";
}

const uint64_t *sw_nmea_counts(const struct sw_nmea *f)
{
    return f->counts;
}

const uint64_t *sw_nmea_counters(const struct sw_nmea *f)
{
    return f->counters;
}

enum sw_nmea_reason sw_nmea_last_reason(const struct sw_nmea *f)
{
    return f->last;
}

static void count(struct sw_nmea *f, enum sw_nmea_reason r)
{
    f->counts[r]++;
    f->last = r;
}

void sw_nmea_skip(struct sw_nmea *f, enum sw_nmea_reason why)
{
    if ((unsigned)why <= SW_NMEA_LINES || (unsigned)why >= SW_NMEA_NREASONS) why = SW_NMEA_GARBAGE;
    f->counts[SW_NMEA_LINES]++;
    count(f, why);
}

static void group_drop(struct sw_nmea *f, struct group *g, enum sw_nmea_reason why)
{
    f->counts[why] += (uint64_t)g->nlines;
    g->used = 0;
    f->nopen--;
}

void sw_nmea_flush(struct sw_nmea *f)
{
    for (unsigned i = 0; f->nopen && i < f->cfg.max_groups; i++)
        if (f->groups[i].used) group_drop(f, &f->groups[i], SW_NMEA_INCOMPLETE);
    if (f->pghp_pending) f->counters[SW_NMEA_C_PGHP_UNUSED]++;
    f->pghp_pending = 0;
}

/* Unsigned decimal digits of s[0..n) (n >= 1, at most 18 digits). */
static int parse_uint(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    if (n == 0 || n > 18) return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* An epoch time: digits with an optional ".fraction". An integer part of 12 digits or more
 * is milliseconds, otherwise seconds. *idigits gets the number of integer digits. One pass:
 * the integer part is at most 18 digits (as parse_uint). */
static int parse_epoch(const char *s, size_t n, int64_t *ms, size_t *idigits)
{
    size_t i = 0;
    int64_t v = 0;
#if WORDSCAN
    if (n >= 8) { /* the first eight digits at once (epochs have 10 or 13) */
        uint64_t w = load64(s);
        if ((((w & UINT64_C(0xf0f0f0f0f0f0f0f0)) |
              (((w + UINT64_C(0x0606060606060606)) & UINT64_C(0xf0f0f0f0f0f0f0f0)) >> 4)) ==
             UINT64_C(0x3333333333333333))) {
            w &= UINT64_C(0x0f0f0f0f0f0f0f0f);
            w = (w * 10 + (w >> 8)) & UINT64_C(0x00ff00ff00ff00ff);
            w = (w * 100 + (w >> 16)) & UINT64_C(0x0000ffff0000ffff);
            w = (w * 10000 + (w >> 32)) & UINT64_C(0xffffffff);
            v = (int64_t)w;
            i = 8;
        }
    }
#endif
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9) break;
        if (i == 18) return -1;
        v = v * 10 + d;
    }
    if (i == 0) return -1;
    int frac = 0;
    if (i < n) {
        if (s[i] != '.' || i + 1 >= n) return -1;
        int scale = 100;
        for (size_t j = i + 1; j < n; j++) {
            unsigned d = (unsigned char)s[j] - '0';
            if (d > 9) return -1;
            frac += (int)d * scale;
            scale /= 10;
        }
    }
    if (idigits) *idigits = i;
    if (v >= 100000000000LL) /* 12+ digits: already milliseconds */
        *ms = v;
    else
        *ms = v * 1000 + frac;
    return 0;
}

/* Two hex digits at s (s[0], s[1] must be readable). */
static int parse_hex2(const char *s)
{
    unsigned a = hexval[(unsigned char)s[0]], b = hexval[(unsigned char)s[1]];
    if (!a || !b) return -1;
    return (int)((a - 1) << 4 | (b - 1));
}

static int is_source_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '_' || c == '.' || c == ':' || c == '/';
}

/* memchr for the short spans of tag blocks and trailing fields (a few to a few dozen bytes):
 * inline, without the call through the PLT that cost more than the search (5% of an ingest
 * run's samples were memchr and its PLT stub, called four times a line). */
static inline const char *find(const char *p, size_t n, char c)
{
    for (const char *e = p + n; p < e; p++)
        if (*p == c) return p;
    return NULL;
}

/* One tag block starting at *pp == '\\'. Returns a reason (SW_NMEA_USED = fine). */
static enum sw_nmea_reason parse_tagblock(const char **pp, const char *end, struct linemeta *lm,
                                          int lenient)
{
    const char *p = *pp + 1;
    const char *close = find(p, (size_t)(end - p), '\\');
    if (!close) return SW_NMEA_MALFORMED;
    *pp = close + 1;
    const char *star = NULL;
    for (size_t i = 1; i <= 3 && i <= (size_t)(close - p); i++)
        if (close[-(ptrdiff_t)i] == '*') {
            star = close - i;
            break;
        }
    if (!star) {
        lm->checksum_ok = 0;
        star = close; /* no checksum: the whole content is fields */
    } else if (close - star != 3) {
        lm->checksum_ok = 0; /* "*A": not two hex digits */
    } else {
        int want = parse_hex2(star + 1);
        if (want < 0 || (unsigned)want != sw_nmea_checksum(p, (size_t)(star - p)))
            lm->checksum_ok = 0;
    }
    if (!lm->checksum_ok && !lenient) return SW_NMEA_CHECKSUM;
    /* fields "k:value" separated by ',' */
    const char *q = p;
    while (q < star) {
        const char *fe = find(q, (size_t)(star - q), ',');
        if (!fe) fe = star;
        if (fe - q < 2 || q[1] != ':') return SW_NMEA_MALFORMED;
        const char *v = q + 2;
        size_t vn = (size_t)(fe - v);
        switch (q[0]) {
        case 'c': {
            int64_t ms;
            if (parse_epoch(v, vn, &ms, NULL)) return SW_NMEA_MALFORMED;
            lm->tb_ms = ms;
            break;
        }
        case 's':
            if (vn == 0 || vn > SW_NMEA_MAX_SOURCE) return SW_NMEA_MALFORMED;
            for (size_t i = 0; i < vn; i++)
                if (!is_source_char(v[i])) return SW_NMEA_MALFORMED;
            memcpy(lm->source, v, vn);
            lm->source[vn] = '\0';
            lm->srclen = vn;
            break;
        case 'n': {
            int64_t n;
            if (parse_uint(v, vn, &n)) return SW_NMEA_MALFORMED;
            lm->tag_n = n;
            break;
        }
        case 'g': {
            /* sentence-total-groupid */
            const char *d1 = find(v, vn, '-');
            const char *d2 = d1 ? find(d1 + 1, (size_t)(fe - d1 - 1), '-') : NULL;
            int64_t a, b, id;
            if (!d2 || parse_uint(v, (size_t)(d1 - v), &a) ||
                parse_uint(d1 + 1, (size_t)(d2 - d1 - 1), &b) ||
                parse_uint(d2 + 1, (size_t)(fe - d2 - 1), &id) || a < 1 || b < 1 || a > b ||
                b > 99 || id > 999999999)
                return SW_NMEA_MALFORMED;
            lm->gid = (int)id;
            break;
        }
        default: /* d: destination, r: relative time, t: text, q:, T:, ... are ignored */
            break;
        }
        q = fe + 1;
    }
    return SW_NMEA_USED;
}

/* Leading timestamp in [p, s) (s is the start of the sentence or tag block). */
static int parse_leading(const char *p, const char *s, int64_t *ms)
{
    while (s > p && (s[-1] == ' ' || s[-1] == '\t' || s[-1] == ',' || s[-1] == ';' || s[-1] == '|'))
        s--;
    size_t n = (size_t)(s - p);
    if (n == 0) return -1;
    if (parse_epoch(p, n, ms, NULL) == 0) return 0;
    return sw_time_parse(p, n, ms) == SW_OK ? 0 : -1;
}

/* Fields after the checksum: ",1327990000000", ",b003669794,1272412827", USCG's
 * ",d-109,S2105,t050056.00,T56.13,r003669946,1325394060,1325394001". The first epoch of 10
 * (seconds) or 13 (milliseconds) integer digits is the receive time; an r... or b... field
 * names the receiving station. */
static void parse_trailing(const char *p, const char *end, struct linemeta *lm)
{
    while (p < end && *p == ',') {
        const char *v = p + 1;
        const char *fe = find(v, (size_t)(end - v), ',');
        if (!fe) fe = end;
        size_t vn = (size_t)(fe - v);
        if (vn && v[0] >= '0' && v[0] <= '9') {
            int64_t ms;
            size_t id;
            if (lm->trail_ms == SW_TIME_NONE && parse_epoch(v, vn, &ms, &id) == 0 &&
                (id == 10 || id == 13))
                lm->trail_ms = ms;
        } else if (vn >= 2 && vn <= SW_NMEA_MAX_SOURCE && (v[0] == 'r' || v[0] == 'b') &&
                   lm->srclen == 0) {
            size_t i = 1;
            while (i < vn && is_source_char(v[i]))
                i++;
            if (i == vn) {
                memcpy(lm->source, v, vn);
                lm->source[vn] = '\0';
                lm->srclen = vn;
                lm->src_trailing = 1;
            }
        }
        p = fe;
    }
}

/* $PGHP,1,YYYY,M,D,h,m,s,ms,mid,region,pss,online,cs*hh: fields between "$PGHP," and '*'. */
static enum sw_nmea_reason parse_pghp(struct sw_nmea *f, const char *p, const char *star)
{
    int64_t v[8];
    const char *q = p;
    for (int i = 0; i < 8; i++) { /* 1..18 digits and a ',' before the '*' */
        const char *d = q;
        int64_t x = 0;
        for (; q < star; q++) {
            unsigned c = (unsigned char)*q - '0';
            if (c > 9) break;
            if (q - d == 18) return SW_NMEA_MALFORMED;
            x = x * 10 + c;
        }
        if (q == star || *q != ',' || q == d) return SW_NMEA_MALFORMED;
        v[i] = x;
        q++;
    }
    /* the last field names the checksum of the sentence it belongs to */
    const char *last = star;
    while (last > q && last[-1] != ',')
        last--;
    int cs = -1;
    if (star - last == 2)
        cs = parse_hex2(last);
    else if (star != last)
        return SW_NMEA_MALFORMED;
    if (v[0] != 1 || v[1] < 1970 || v[1] > 9999 || v[2] < 1 || v[2] > 12 || v[3] < 1 || v[3] > 31 ||
        v[4] > 23 || v[5] > 59 || v[6] > 60 || v[7] > 999)
        return SW_NMEA_MALFORMED;
    int64_t days = sw_days_from_civil(v[1], (unsigned)v[2], (unsigned)v[3]);
    if (f->pghp_pending) f->counters[SW_NMEA_C_PGHP_UNUSED]++;
    f->pghp_pending = 1;
    f->pghp_cs = cs;
    f->pghp_ms = ((days * 86400 + v[4] * 3600 + v[5] * 60 + v[6]) * 1000) + v[7];
    return SW_NMEA_HEADER;
}

/* Choose the receive time by precedence. */
static int pick_time(const struct linemeta *lm, int64_t *ms)
{
    if (lm->tb_ms != SW_TIME_NONE) {
        *ms = lm->tb_ms;
        return SW_NMEA_TIME_TAGBLOCK;
    }
    if (lm->pghp_ms != SW_TIME_NONE) {
        *ms = lm->pghp_ms;
        return SW_NMEA_TIME_PGHP;
    }
    if (lm->trail_ms != SW_TIME_NONE) {
        *ms = lm->trail_ms;
        return SW_NMEA_TIME_TRAILING;
    }
    if (lm->lead_ms != SW_TIME_NONE) {
        *ms = lm->lead_ms;
        return SW_NMEA_TIME_LEADING;
    }
    *ms = SW_TIME_NONE;
    return SW_NMEA_TIME_NONE;
}

static inline void fill_meta(struct sw_nmea_msg *m, const struct sentence *s, uint64_t lineno)
{
    const struct linemeta *lm = &s->lm;
    m->time_src = pick_time(lm, &m->rxtime_ms);
    if (lm->srclen)
        memcpy(m->source, lm->source, lm->srclen + 1);
    else
        m->source[0] = '\0';
    m->talker[0] = s->body[0];
    m->talker[1] = s->body[1];
    m->talker[2] = '\0';
    m->channel = s->channel;
    m->own = s->body[4] == 'O';
    m->checksum_ok = lm->checksum_ok;
    m->seq_id = s->seq;
    m->group_id = lm->gid;
    m->tag_n = lm->tag_n;
    m->first_line = m->last_line = lineno;
}

static int group_expired(const struct sw_nmea *f, const struct group *g, uint64_t lineno, int64_t t)
{
    if (lineno > g->meta.first_line && lineno - g->meta.first_line > f->cfg.group_lines) return 1;
    if (t != SW_TIME_NONE && g->meta.rxtime_ms != SW_TIME_NONE) {
        int64_t d = t - g->meta.rxtime_ms;
        if (d > f->cfg.group_timeout_ms || -d > f->cfg.group_timeout_ms) return 1;
    }
    return 0;
}

/* Same (source, talker, channel, sequence id); a tag-block group id, when both have one,
 * stands in for a source the later sentences of the group leave out. A station named only
 * after a later fragment's checksum (",b003660465") joins a group begun without a source, as
 * gpsd joins it: some feeds stamp the station on the last fragment only. */
static int group_match(const struct group *g, const struct sentence *s)
{
    const struct sw_nmea_msg *m = &g->meta;
    const struct linemeta *lm = &s->lm;
    if (g->count != s->count || m->seq_id != s->seq || m->channel != s->channel ||
        m->talker[0] != s->body[0] || m->talker[1] != s->body[1])
        return 0;
    if (lm->gid >= 0 && m->group_id == lm->gid)
        return lm->srclen == 0 || strcmp(m->source, lm->source) == 0;
    return strcmp(m->source, lm->source) == 0 || (lm->src_trailing && m->source[0] == '\0');
}

static struct group *group_alloc(struct sw_nmea *f, uint64_t lineno, int64_t t)
{
    struct group *oldest = NULL;
    if (f->nopen == f->cfg.max_groups) {
        for (unsigned i = 0; i < f->cfg.max_groups; i++) {
            struct group *g = &f->groups[i];
            if (group_expired(f, g, lineno, t))
                group_drop(f, g, SW_NMEA_INCOMPLETE);
            else if (!oldest || g->meta.first_line < oldest->meta.first_line)
                oldest = g;
        }
        if (f->nopen == f->cfg.max_groups) group_drop(f, oldest, SW_NMEA_EVICTED);
    }
    for (unsigned i = 0; i < f->cfg.max_groups; i++)
        if (!f->groups[i].used) {
            f->nopen++;
            f->groups[i].used = 1;
            return &f->groups[i];
        }
    return NULL; /* not reached */
}

static int talker_ok(char c)
{
    return chclass[(unsigned char)c] & CH_TALKER;
}

/* "VDM," or "VDO," at s (four readable bytes): one 32-bit compare. */
static int is_vdx(const char *s)
{
    uint32_t w, vdm, vdo;
    memcpy(&w, s, 4);
    memcpy(&vdm, "VDM,", 4);
    memcpy(&vdo, "VDO,", 4);
    return w == vdm || w == vdo;
}

/* "1,1," at s (four readable bytes): a single-sentence message. */
static int is_11(const char *s)
{
    uint32_t w, one;
    memcpy(&w, s, 4);
    memcpy(&one, "1,1,", 4);
    return w == one;
}

static int time_rank(int src)
{
    return src == SW_NMEA_TIME_NONE ? 99 : src;
}

/* Count a skipped line; a line holding a NUL byte is counted as such whatever else is wrong. */
static int skip_line(struct sw_nmea *f, const char *line, size_t len, enum sw_nmea_reason why)
{
    count(f, len && memchr(line, '\0', len) ? SW_NMEA_NUL : why);
    return SW_OK;
}

/* XOR of s[0..n) and whether it holds a NUL byte, eight bytes at a time. */
static unsigned xor_span(const char *s, size_t n, int *has_nul)
{
    uint64_t acc = 0, zero = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = load64(s + i);
        acc ^= w;
        zero |= (w - ONES) & ~w & HIGHS;
    }
    acc ^= acc >> 32;
    acc ^= acc >> 16;
    acc ^= acc >> 8;
    unsigned x = (unsigned)(acc & 0xff);
    for (; i < n; i++) {
        x ^= (unsigned char)s[i];
        zero |= s[i] == '\0';
    }
    *has_nul = zero != 0;
    return x;
}

/* XOR of the eight bytes of w folded into one byte. */
static unsigned fold_xor(uint64_t w)
{
    w ^= w >> 32;
    w ^= w >> 16;
    w ^= w >> 8;
    return (unsigned)(w & 0xff);
}

/* The armoured payload at s: returns the first byte in [s, end) that is not an armour
 * character (or end), and in *xo the XOR of the armour bytes before it. One pass, eight
 * bytes at a time, replaces a memchr for the payload's comma, the armour check and the
 * checksum over the payload. */
static inline const char *armour_scan(const char *s, const char *end, unsigned *xo)
{
    const char *p = s;
    unsigned x = 0;
#if WORDSCAN
    uint64_t acc = 0;
    while (end - p >= 8) {
        uint64_t w = load64(p);
        /* flags are exact up to the first byte >= 0x80 (carries only run upwards), and that
         * byte is flagged by its own high bit */
        uint64_t ge48 = w + ONES * (0x80 - 48), ge88 = w + ONES * (0x80 - 88);
        uint64_t ge96 = w + ONES * (0x80 - 96), ge120 = w + ONES * (0x80 - 120);
        uint64_t bad = (~((ge48 & ~ge88) | (ge96 & ~ge120)) | w) & HIGHS;
        if (bad) {
            unsigned k = (unsigned)__builtin_ctzll(bad) >> 3; /* armour bytes before it */
            if (k) acc ^= w & (~UINT64_C(0) >> (64 - 8 * k));
            *xo = fold_xor(acc);
            return p + k;
        }
        acc ^= w;
        p += 8;
    }
    x = fold_xor(acc);
#endif
    for (; p < end && armour_ok[(unsigned char)*p]; p++)
        x ^= (unsigned char)*p;
    *xo = x;
    return p;
}

/* 1 when s[0..n) holds a NUL byte; inline for the short spans around a sentence (a tag
 * block, trailing fields), memchr beyond. */
static int has_nul(const char *s, size_t n)
{
#if WORDSCAN
    if (n <= 64) {
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t w = load64(s + i);
            if ((w - ONES) & ~w & HIGHS) return 1;
        }
        for (; i < n; i++)
            if (s[i] == '\0') return 1;
        return 0;
    }
#endif
    return memchr(s, '\0', n) != NULL;
}

/* XOR of s[0..n) (no NUL check). */
static unsigned xor_bytes(const char *s, size_t n)
{
#if WORDSCAN
    if (n > 8 && n <= 16) /* the AIS fields before the payload: two overlapping loads */
        return fold_xor(load64(s) ^ (load64(s + n - 8) >> (8 * (16 - n))));
#endif
    return sw_nmea_checksum(s, n);
}

/* A channel character: printable, and neither the tag-block nor the checksum delimiter. */
static int channel_ok(char c)
{
    return c != '\\' && c != '*' && (unsigned char)c >= 0x20 && (unsigned char)c <= 0x7e;
}

/* Two talker characters then "VDM," or "VDO," at body (end - body >= 6). */
static int is_ais_address(const char *body, const char *end)
{
    return end - body >= 6 && is_vdx(body + 2) && talker_ok(body[0]) && talker_ok(body[1]);
}

/*
 * The fast path: the usual line, a single-sentence AIS sentence with a valid checksum and
 * nothing before it ("!AIVDM,1,1,,A,<payload>,0*hh" and optional trailing fields), read with
 * fewer tests than the general path. Returns 1 with *s filled exactly as read_general()
 * would fill it; 0 for any line it does not take (s->lm untouched), which then goes through
 * the general path from the start. test_fast_path_matches_general checks that both agree.
 */
static inline int read_fast(const char *line, size_t len, struct sentence *s)
{
    const char *end = line + len;
    if (len < 20 || line[0] != '!' || !is_vdx(line + 3) || !talker_ok(line[1]) ||
        !talker_ok(line[2]) || !is_11(line + 7))
        return 0;
    const char *q = line + 11;
    int seq = -1;
    char channel = '\0';
    if (*q != ',') { /* a one-digit sequence id */
        unsigned d = (unsigned)(unsigned char)*q - '0';
        if (d > 9 || q[1] != ',') return 0;
        seq = (int)d;
        q++;
    }
    q++; /* the channel */
    if (*q != ',') {
        channel = *q++;
        if (*q != ',' || !channel_ok(channel)) return 0;
    }
    const char *fp = q + 1;
    unsigned px;
    const char *pe = armour_scan(fp, end, &px);
    if (end - pe < 5 || pe == fp || pe[0] != ',' || pe[1] < '0' || pe[1] > '5' || pe[2] != '*')
        return 0;
    const char *star = pe + 2;
    int cs = parse_hex2(star + 1);
    unsigned x = xor_bytes(line + 1, (size_t)(fp - line - 1)) ^ px ^ ',' ^ (unsigned char)pe[1];
    if (cs < 0 || (unsigned)cs != x) return 0;
    if (star + 3 < end) { /* trailing fields: not ending in blanks, no NUL */
        char last = end[-1];
        if (last == ' ' || last == '\t' || last == '\r' || last == '\n' ||
            has_nul(star + 3, (size_t)(end - star - 3)))
            return 0;
    }
    if ((size_t)(pe - fp) > SW_NMEA_MAX_PAYLOAD) return 0;
    s->body = line + 1;
    s->star = star;
    s->end = end;
    s->payload = fp;
    s->plen = (size_t)(pe - fp);
    s->count = s->num = 1;
    s->seq = seq;
    s->fill = pe[1] - '0';
    s->cs = cs;
    s->channel = channel;
    return 1;
}

/* Rules 1-3 of docs/nmea.md: blanks, comments, a leading timestamp, tag blocks. On
 * SW_NMEA_USED *pp is at the sentence's '!' or '$' and *endp after its last non-blank byte;
 * otherwise the reason to skip the line. */
static enum sw_nmea_reason read_prefix(const struct sw_nmea *f, const char *line, size_t len,
                                       const char **pp, const char **endp, struct linemeta *lm)
{
    const char *p = line, *end = line + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    if (p == end) return SW_NMEA_EMPTY;
    if (*p == '#') return SW_NMEA_COMMENT;
    if (*p != '!' && *p != '$' && *p != '\\') { /* a leading timestamp, or garbage */
        const char *s = p;
        const char *lim = end - p > LEADING_MAX ? p + LEADING_MAX : end;
        while (s < lim && *s != '!' && *s != '$' && *s != '\\')
            s++;
        if (s == lim || parse_leading(p, s, &lm->lead_ms)) return SW_NMEA_GARBAGE;
        p = s;
    }
    while (p < end && *p == '\\') {
        enum sw_nmea_reason why = parse_tagblock(&p, end, lm, f->cfg.lenient);
        if (why != SW_NMEA_USED) return why;
    }
    if (p == end) return SW_NMEA_MALFORMED;
    if (*p != '!' && *p != '$') return SW_NMEA_GARBAGE;
    *pp = p;
    *endp = end;
    return SW_NMEA_USED;
}

/* A sentence that is not AIS, at p ('!' or '$'): only $PGHP is read (checksum, then its
 * fields); the others are told from garbage by their address alone. */
static enum sw_nmea_reason read_other(struct sw_nmea *f, const char *p, const char *end)
{
    const char *body = p + 1;
    size_t alen = 0, n = (size_t)(end - body);
    while (alen < n && alen <= 16 && (chclass[(unsigned char)body[alen]] & CH_ADDR))
        alen++;
    int term = alen == n || body[alen] == ',' || body[alen] == '*';
    if (term && alen == 4 && *p == '$' && memcmp(body, "PGHP", 4) == 0) {
        const char *star = memchr(body, '*', n);
        if (star) {
            int nul;
            unsigned x = xor_span(body, (size_t)(star - body), &nul);
            if (nul) return SW_NMEA_NUL; /* before parse_pghp: a header with a NUL is not kept */
            int want = end - star >= 3 ? parse_hex2(star + 1) : -1;
            if ((want < 0 || (unsigned)want != x) && !f->cfg.lenient) return SW_NMEA_CHECKSUM;
            if (body[4] != ',') return SW_NMEA_MALFORMED; /* "$PGHP*hh": no fields at all */
            return parse_pghp(f, body + 5, star);
        }
    }
    return term && alen >= 2 && alen <= 16 ? SW_NMEA_OTHER : SW_NMEA_GARBAGE;
}

/* The fields after an AIS address (rule 4): count, number, sequence id, channel, payload,
 * fill bits. Returns SW_NMEA_USED, or SW_NMEA_MALFORMED for a field error (reported only
 * after the checksum). Either way sets s->star and *x, the XOR of the sentence up to its '*'
 * (or its end). A NUL in the sentence is left to skip_line(): fields that pass hold none. */
static enum sw_nmea_reason read_ais_fields(struct sentence *s, unsigned *x)
{
    const char *body = s->body, *end = s->end, *q = body + 6;
    int nul;
    if (end - q < 4 || q[1] != ',' || q[3] != ',' || q[0] < '1' || q[0] > '9' || q[2] < '1' ||
        q[2] > q[0])
        goto bad;
    s->count = q[0] - '0';
    s->num = q[2] - '0';
    q += 4;
    if (q < end && *q != ',') {
        int seq = 0;
        for (int i = 0; q < end && *q != ','; i++, q++) {
            if (i == 3 || *q < '0' || *q > '9') goto bad;
            seq = seq * 10 + (*q - '0');
        }
        s->seq = seq;
    }
    if (q == end) goto bad;
    q++; /* the channel */
    if (q < end && *q != ',') {
        s->channel = *q++;
        if (!channel_ok(s->channel)) goto bad;
    }
    if (q == end || *q != ',') goto bad;
    /* one pass over the payload: armour check, checksum and its terminating comma */
    const char *fp = q + 1;
    unsigned px;
    const char *stop = armour_scan(fp, end, &px);
    const char *pe = stop < end && *stop == ',' ? stop : memchr(stop, ',', (size_t)(end - stop));
    if (!pe || pe == fp || end - pe < 2 || pe[1] < '0' || pe[1] > '5' ||
        (end - pe > 2 && pe[2] != '*'))
        goto bad;
    s->payload = fp;
    s->plen = (size_t)(pe - fp);
    s->fill = pe[1] - '0';
    s->star = end - pe > 2 ? pe + 2 : NULL;
    if (pe != stop) { /* a payload character outside the armour alphabet */
        *x = xor_span(body, (size_t)(pe + 2 - body), &nul);
        return SW_NMEA_MALFORMED;
    }
    /* the fields before the payload were checked character by character and the payload
     * is armour, so the sentence holds no NUL up to the fill bits */
    *x = xor_bytes(body, (size_t)(fp - body)) ^ px ^ ',' ^ (unsigned char)pe[1];
    return SW_NMEA_USED;
bad: /* malformed AIS fields: still check the checksum first, as for any sentence */
    s->star = memchr(body, '*', (size_t)(end - body));
    *x = xor_span(body, (size_t)((s->star ? s->star : end) - body), &nul);
    return SW_NMEA_MALFORMED;
}

/* The general path: the rules of docs/nmea.md one by one. SW_NMEA_USED when *s is an AIS
 * sentence to accept, else the reason to skip the line for. */
static enum sw_nmea_reason read_general(struct sw_nmea *f, const char *line, size_t len,
                                        struct sentence *s)
{
    const char *p;
    unsigned x;
    enum sw_nmea_reason why = read_prefix(f, line, len, &p, &s->end, &s->lm);
    if (why != SW_NMEA_USED) return why;
    s->body = p + 1;
    if (!is_ais_address(s->body, s->end)) return read_other(f, p, s->end);
    s->seq = -1;
    s->channel = '\0';
    enum sw_nmea_reason fields = read_ais_fields(s, &x);
    /* the checksum first, then a field error */
    s->cs = s->star && s->end - s->star >= 3 ? parse_hex2(s->star + 1) : -1;
    if (s->cs < 0 || (unsigned)s->cs != x) s->lm.checksum_ok = 0;
    if (!s->lm.checksum_ok && !f->cfg.lenient) return SW_NMEA_CHECKSUM;
    if (fields != SW_NMEA_USED) return fields;
    /* a NUL before the sentence or after its checksum (a valid checksum is "*hh") */
    const char *q = s->cs >= 0 ? s->star + 3 : s->star ? s->star : s->end;
    if (q < s->end && has_nul(q, (size_t)(s->end - q))) return SW_NMEA_NUL;
    if (p > line && has_nul(line, (size_t)(p - line))) return SW_NMEA_NUL;
    return SW_NMEA_USED;
}

/* A sentence 1 < k <= count, or the first of several: stored in its group, which is
 * emitted into *msg when this sentence completes it. */
static void reassemble(struct sw_nmea *f, const struct sentence *s, uint64_t lineno,
                       const struct sw_nmea_msg **msg)
{
    int64_t t;
    pick_time(&s->lm, &t);
    struct group *g = NULL;
    for (unsigned i = 0; f->nopen && i < f->cfg.max_groups; i++) {
        struct group *h = &f->groups[i];
        if (h->used && group_match(h, s)) {
            g = h;
            break;
        }
    }
    if (s->num == 1) {
        if (g) /* restarted: the old group can never complete */
            group_drop(f, g, SW_NMEA_INCOMPLETE);
        g = group_alloc(f, lineno, t);
        if (!g) { /* cannot happen: group_alloc always frees a slot */
            count(f, SW_NMEA_EVICTED);
            return;
        }
        g->count = s->count;
        g->next = 1;
        g->nlines = 0;
        g->len = 0;
        fill_meta(&g->meta, s, lineno);
        g->time_rank = time_rank(g->meta.time_src);
    } else {
        if (!g) {
            count(f, SW_NMEA_ORPHAN);
            return;
        }
        if (g->next != s->num || group_expired(f, g, lineno, t)) {
            group_drop(f, g, SW_NMEA_INCOMPLETE);
            count(f, SW_NMEA_ORPHAN);
            return;
        }
        /* later sentences fill in what the first one lacked */
        struct sw_nmea_msg *gm = &g->meta;
        int64_t ms;
        int src = pick_time(&s->lm, &ms);
        if (time_rank(src) < g->time_rank) {
            gm->rxtime_ms = ms;
            gm->time_src = src;
            g->time_rank = time_rank(src);
        }
        if (!gm->source[0] && s->lm.srclen) memcpy(gm->source, s->lm.source, s->lm.srclen + 1);
        if (!s->lm.checksum_ok) gm->checksum_ok = 0;
        gm->last_line = lineno;
    }
    if (g->len + s->plen > SW_NMEA_MAX_PAYLOAD) {
        group_drop(f, g, SW_NMEA_OVERSIZE);
        count(f, SW_NMEA_OVERSIZE);
        return;
    }
    memcpy(g->payload + g->len, s->payload, s->plen);
    g->len += s->plen;
    g->nlines++;
    g->next++;
    f->last = SW_NMEA_USED;
    if (s->num < s->count) return;

    /* complete */
    g->payload[g->len] = '\0';
    f->msg = g->meta;
    f->msg.payload = g->payload; /* the slot is free but untouched until the next feed */
    f->msg.len = g->len;
    f->msg.fill_bits = s->fill;
    f->msg.fragments = s->count;
    f->counts[SW_NMEA_USED] += (uint64_t)g->nlines;
    g->used = 0;
    f->nopen--;
    f->counters[SW_NMEA_C_MESSAGES]++;
    f->counters[SW_NMEA_C_MULTI]++;
    if (!f->msg.checksum_ok) f->counters[SW_NMEA_C_LENIENT]++;
    *msg = &f->msg;
}

/* An AIS sentence that passed either path: takes a pending $PGHP header and the trailing
 * fields, then emits a single-sentence message or hands the sentence to reassemble(). */
static void accept_sentence(struct sw_nmea *f, struct sentence *s, uint64_t lineno,
                            const struct sw_nmea_msg **msg)
{
    if (f->pghp_pending) {
        if (f->pghp_cs < 0 || f->pghp_cs == s->cs)
            s->lm.pghp_ms = f->pghp_ms;
        else
            f->counters[SW_NMEA_C_PGHP_UNUSED]++;
        f->pghp_pending = 0;
    }
    if (s->star && s->end - s->star > 3) parse_trailing(s->star + 3, s->end, &s->lm);
    if (s->count != 1) {
        reassemble(f, s, lineno, msg);
        return;
    }
    if (s->plen > SW_NMEA_MAX_PAYLOAD) {
        count(f, SW_NMEA_OVERSIZE);
        return;
    }
    struct sw_nmea_msg *m = &f->msg;
    memcpy(f->out, s->payload, s->plen);
    f->out[s->plen] = '\0';
    m->payload = f->out;
    m->len = s->plen;
    m->fill_bits = s->fill;
    fill_meta(m, s, lineno);
    m->fragments = 1;
    count(f, SW_NMEA_USED);
    f->counters[SW_NMEA_C_MESSAGES]++;
    if (!m->checksum_ok) f->counters[SW_NMEA_C_LENIENT]++;
    *msg = m;
}

int sw_nmea_feed(struct sw_nmea *f, const char *line, size_t len, uint64_t lineno,
                 const struct sw_nmea_msg **msg)
{
    struct sentence s;
    *msg = NULL;
    f->counts[SW_NMEA_LINES]++;
    s.lm.tb_ms = s.lm.pghp_ms = s.lm.trail_ms = s.lm.lead_ms = SW_TIME_NONE;
    s.lm.tag_n = -1;
    s.lm.gid = -1;
    s.lm.checksum_ok = 1;
    s.lm.srclen = 0;
    s.lm.src_trailing = 0;
    s.lm.source[0] = '\0';
    if (!read_fast(line, len, &s)) {
        enum sw_nmea_reason why = read_general(f, line, len, &s);
        if (why != SW_NMEA_USED) return skip_line(f, line, len, why);
    }
    accept_sentence(f, &s, lineno, msg);
    return SW_OK;
}
