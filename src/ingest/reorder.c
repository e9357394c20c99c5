/*
 * Reorder buffer: turns records arriving roughly in time order (several receivers, satellite
 * delays, interleaved files) into a stream strictly ordered by (event time, key, receiver,
 * arrival). A record is released once it is older than the newest time seen minus the
 * lateness bound; one arriving after its time was passed is late.
 *
 * A calendar queue, because input is nearly sorted and large: a ring of time buckets (1 s
 * wide, wider for long bounds) covering the lateness window holds unsorted lists of records
 * (chunks of CHUNK entries carrying each record's time, key, MMSI and slot, so that releasing
 * a bucket reads them in sequence instead of chasing the records themselves through memory);
 * a bucket is sorted only when its whole time span may be released. Records outside the ring
 * (far ahead: a bad clock or a jump not yet believed; or before the ring at the start) wait
 * in a small heap and are merged in when their bucket comes. Records live in a fixed pool of
 * slots, so memory is fixed at creation.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/huge.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/record.h"
#include "sanctwatch/timeutil.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define AHEAD_SLACK_MS 60000
#define AHEAD_CONFIRM 64
#define MAX_BUCKETS 4096 /* 1 s buckets up to a lateness of 67 min, wider beyond */
#define CHUNK 31
#define RADIX_BITS 16 /* sort_same_time: at most 2^RADIX_BITS bins */
#define NIL UINT32_MAX

struct hent {
    int64_t t;
    uint64_t key;
    uint32_t slot;
    uint32_t mmsi; /* for sw_reorder_peek (no part of the order) */
};

struct chunk {
    uint32_t n, next; /* entries used; next chunk of the bucket (NIL: last) */
    struct hent e[CHUNK];
};

struct sw_reorder {
    int64_t lateness;
    int64_t maxt;  /* newest time believed */
    int64_t floor; /* records before this are late (INT64_MIN until the first release) */
    uint64_t forced;
    uint64_t ahead_run; /* consecutive records far ahead of maxt (a jump not yet believed) */
    size_t cap, n;      /* pool slots, records held (ring + far + staged) */
    struct sw_record *pool;
    uint32_t *free_slots;
    size_t nfree;
    struct chunk *chunks; /* cap / CHUNK + nb: every bucket may have one partly filled */
    uint32_t *free_chunks;
    size_t nchunks, nfree_chunks;
    /* the ring */
    int64_t bw;  /* bucket width, ms */
    uint32_t nb; /* buckets (power of two) */
    int have_base;
    int64_t base; /* start time of the bucket at head */
    uint32_t head;
    uint32_t *bfirst, *blast; /* chunks */
    size_t nring;
    /* records outside the ring */
    struct hent *far;
    size_t nfar;
    /* a released bucket, sorted, handed out one by one */
    struct hent *stage;
    size_t nstage, istage;
    struct hent *scratch; /* sort buffer, cap entries */
    uint32_t *bins;       /* 2^RADIX_BITS + 1 counts for sort_same_time */
    uint64_t *live;       /* per slot, 1 when it holds a record (filled by mark_live) */
};

/* No record held: every slot and chunk free, every bucket empty (the times are left). */
static void empty(struct sw_reorder *q)
{
    for (size_t i = 0; i < q->cap; i++)
        q->free_slots[i] = (uint32_t)(q->cap - 1 - i);
    q->nfree = q->cap;
    for (size_t i = 0; i < q->nchunks; i++)
        q->free_chunks[i] = (uint32_t)(q->nchunks - 1 - i);
    q->nfree_chunks = q->nchunks;
    for (uint32_t i = 0; i < q->nb; i++)
        q->bfirst[i] = q->blast[i] = NIL;
    q->nring = q->nfar = q->nstage = q->istage = 0;
    q->n = 0;
}

int sw_reorder_new(struct sw_reorder **out, int64_t lateness_ms, size_t capacity)
{
    struct sw_reorder *q = calloc(1, sizeof *q);
    if (!q) return SW_ENOMEM;
    q->cap = capacity ? capacity : (size_t)1 << 18;
    q->lateness = lateness_ms < 0 ? 0 : lateness_ms;
    q->maxt = INT64_MIN;
    q->floor = INT64_MIN;
    /* The ring spans the lateness plus the slack a record may run ahead, plus two buckets. */
    int64_t span = q->lateness + AHEAD_SLACK_MS;
    q->bw = 1000;
    while (span / q->bw + 2 > MAX_BUCKETS)
        q->bw *= 2;
    q->nb = 64;
    while ((int64_t)q->nb < span / q->bw + 2)
        q->nb *= 2;
    q->pool = sw_huge_alloc(q->cap * sizeof *q->pool);
    q->nchunks = q->cap / CHUNK + q->nb + 1;
    q->chunks = sw_huge_alloc(q->nchunks * sizeof *q->chunks);
    q->free_chunks = malloc(q->nchunks * sizeof *q->free_chunks);
    q->free_slots = malloc(q->cap * sizeof *q->free_slots);
    q->far = malloc(q->cap * sizeof *q->far);
    q->stage = sw_huge_alloc(q->cap * sizeof *q->stage);
    q->scratch = malloc(q->cap * sizeof *q->scratch);
    q->bins = malloc((((size_t)1 << RADIX_BITS) + 1) * sizeof *q->bins);
    q->live = malloc((q->cap + 63) / 64 * sizeof *q->live);
    q->bfirst = malloc(q->nb * sizeof *q->bfirst);
    q->blast = malloc(q->nb * sizeof *q->blast);
    if (!q->pool || !q->chunks || !q->free_chunks || !q->free_slots || !q->far || !q->stage ||
        !q->scratch || !q->bins || !q->live || !q->bfirst || !q->blast) {
        sw_reorder_free(q);
        return SW_ENOMEM;
    }
    empty(q);
    *out = q;
    return SW_OK;
}

void sw_reorder_free(struct sw_reorder *q)
{
    if (!q) return;
    free(q->pool);
    free(q->chunks);
    free(q->free_chunks);
    free(q->free_slots);
    free(q->far);
    free(q->stage);
    free(q->scratch);
    free(q->bins);
    free(q->live);
    free(q->bfirst);
    free(q->blast);
    free(q);
}

/* The same message from two receivers at the same time: the records themselves decide. */
static __attribute__((noinline)) int less_tie(const struct sw_reorder *q, const struct hent *a,
                                              const struct hent *b)
{
    const struct sw_record *ra = &q->pool[a->slot], *rb = &q->pool[b->slot];
    int c = strcmp(ra->receiver, rb->receiver);
    if (c) return c < 0;
    return ra->seq < rb->seq;
}

static inline int less(const struct sw_reorder *q, const struct hent *a, const struct hent *b)
{
    if (a->t != b->t) return a->t < b->t;
    if (a->key != b->key) return a->key < b->key;
    return less_tie(q, a, b);
}

static void far_push(struct sw_reorder *q, struct hent e)
{
    size_t i = q->nfar++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!less(q, &e, &q->far[p])) break;
        q->far[i] = q->far[p];
        i = p;
    }
    q->far[i] = e;
}

static struct hent far_pop(struct sw_reorder *q)
{
    struct hent top = q->far[0], e = q->far[--q->nfar];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->nfar) break;
        if (c + 1 < q->nfar && less(q, &q->far[c + 1], &q->far[c])) c++;
        if (!less(q, &q->far[c], &e)) break;
        q->far[i] = q->far[c];
        i = c;
    }
    if (q->nfar) q->far[i] = e;
    return top;
}

static int64_t align(const struct sw_reorder *q, int64_t t)
{
    int64_t r = t % q->bw;
    return r < 0 ? t - r - q->bw : t - r;
}

/* Put the record in slot (with its time, key and MMSI) into its bucket, or into the far heap
 * when outside the ring. */
static void place(struct sw_reorder *q, uint32_t slot, int64_t t, uint64_t key, uint32_t mmsi)
{
    struct hent e = {t, key, slot, mmsi};
    if (!q->have_base) {
        q->have_base = 1;
        q->base = align(q, t);
        q->head = 0;
    }
    int64_t k = t >= q->base ? (t - q->base) / q->bw : -1;
    if (k < 0 || k >= (int64_t)q->nb) {
        far_push(q, e);
        return;
    }
    uint32_t b = (uint32_t)((q->head + (uint64_t)k) & (q->nb - 1)), c = q->blast[b];
    if (c == NIL || q->chunks[c].n == CHUNK) { /* a new chunk (never short: see nchunks) */
        uint32_t nc = q->free_chunks[--q->nfree_chunks];
        q->chunks[nc].n = 0;
        q->chunks[nc].next = NIL;
        if (c == NIL)
            q->bfirst[b] = nc;
        else
            q->chunks[c].next = nc;
        q->blast[b] = c = nc;
    }
    q->chunks[c].e[q->chunks[c].n++] = e;
    q->nring++;
}

int sw_reorder_push(struct sw_reorder *q, const struct sw_record *r)
{
    if (r->t_ms == SW_TIME_NONE) return SW_EINVAL;
    if (r->t_ms < q->floor) return 1;
    if (q->n == q->cap) return SW_EAGAIN;
    uint32_t slot = q->free_slots[--q->nfree];
    q->pool[slot] = *r;
    q->n++;
    place(q, slot, r->t_ms, r->key, r->mmsi);
    /* One record far ahead (a bad clock, a stray row) must not make everything after it
     * late: the newest time moves only for records near it, or after AHEAD_CONFIRM records
     * in a row agree that time really jumped (a gap in a recording). */
    if (q->maxt == INT64_MIN || r->t_ms <= q->maxt + q->lateness + AHEAD_SLACK_MS) {
        q->ahead_run = 0;
        if (r->t_ms > q->maxt) q->maxt = r->t_ms;
    } else if (++q->ahead_run >= AHEAD_CONFIRM) {
        q->ahead_run = 0;
        q->maxt = r->t_ms;
    }
    return SW_OK;
}

static void insertion_sort(const struct sw_reorder *q, struct hent *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct hent e = a[i];
        size_t j = i;
        while (j > 0 && less(q, &e, &a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = e;
    }
}

/* A bucket whose records all have the same time (the usual case: receivers stamp whole
 * seconds) is ordered by key, a hash, so uniformly spread: one counting pass on the key's top
 * bits into about n / 4 bins, then each bin by insertion sort (ties by the full order). */
static void sort_same_time(struct sw_reorder *q, struct hent *a, struct hent *tmp, size_t n)
{
    int bits = 1;
    while (bits < RADIX_BITS && ((size_t)1 << bits) < n / 4)
        bits++;
    size_t nb = (size_t)1 << bits;
    uint32_t *c = q->bins;
    memset(c, 0, (nb + 1) * sizeof *c);
    for (size_t i = 0; i < n; i++)
        c[(a[i].key >> (64 - bits)) + 1]++;
    for (size_t b = 0; b < nb; b++)
        c[b + 1] += c[b];
    for (size_t i = 0; i < n; i++)
        tmp[c[a[i].key >> (64 - bits)]++] = a[i];
    /* c[b] is now the end of bin b */
    for (size_t b = 0, start = 0; b < nb; start = c[b++])
        if (c[b] - start > 1) insertion_sort(q, tmp + start, c[b] - start);
    memcpy(a, tmp, n * sizeof *a);
}

/* qsort_r is not C11: a small merge sort over the staged entries instead. */
static void sort_stage(struct sw_reorder *q, struct hent *a, struct hent *tmp, size_t n)
{
    if (n < 16) {
        insertion_sort(q, a, n);
        return;
    }
    size_t h = n / 2;
    sort_stage(q, a, tmp, h);
    sort_stage(q, a + h, tmp, n - h);
    if (!less(q, &a[h], &a[h - 1])) return; /* already in order (the usual case for sorted input) */
    memcpy(tmp, a, h * sizeof *a);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        a[k++] = less(q, &a[j], &tmp[i]) ? a[j++] : tmp[i++];
    while (i < h)
        a[k++] = tmp[i++];
}

/* Release the bucket at head (with far records before its end) into the stage; advance. */
static void release_head(struct sw_reorder *q)
{
    int64_t end = q->base + q->bw;
    size_t n = 0;
    for (uint32_t c = q->bfirst[q->head], nx; c != NIL; c = nx) {
        memcpy(q->stage + n, q->chunks[c].e, q->chunks[c].n * sizeof *q->stage);
        n += q->chunks[c].n;
        nx = q->chunks[c].next;
        q->free_chunks[q->nfree_chunks++] = c;
    }
    q->nring -= n;
    while (q->nfar && q->far[0].t < end)
        q->stage[n++] = far_pop(q);
    q->bfirst[q->head] = q->blast[q->head] = NIL;
    q->head = (q->head + 1) & (q->nb - 1);
    q->base = end;
    q->floor = end;
    q->nstage = n;
    q->istage = 0;
    if (n > 1) {
        size_t same = 1;
        while (same < n && q->stage[same].t == q->stage[0].t)
            same++;
        if (same == n)
            sort_same_time(q, q->stage, q->scratch, n);
        else
            sort_stage(q, q->stage, q->scratch, n);
    }
}

/* Release order and lateness depend only on the records held, base and floor, never on
 * whether a record sits in the ring or in the far heap (a reloaded checkpoint places records
 * afresh): so an empty ring skips ahead in one step exactly as walking its empty buckets
 * would, and a forced release takes the whole earliest bucket wherever its records are. */
int sw_reorder_pop(struct sw_reorder *q, int mode, struct sw_record *r)
{
    while (q->istage == q->nstage) {
        if (q->nring == 0 && q->nfar == 0) return SW_EOF;
        if (mode == SW_REORDER_READY && q->maxt == INT64_MIN) return SW_EOF;
        if (q->nring == 0) {
            int64_t target = align(q, q->far[0].t);
            if (mode == SW_REORDER_READY) {
                int64_t lim = align(q, q->maxt - q->lateness);
                if (lim < target) target = lim;
            }
            if (target > q->base) {
                q->base = target;
                q->floor = target;
                q->head = 0;
            }
        }
        int64_t end = q->base + q->bw;
        if (mode == SW_REORDER_READY && end > q->maxt - q->lateness) return SW_EOF;
        if (q->bfirst[q->head] == NIL && !(q->nfar && q->far[0].t < end)) {
            q->head = (q->head + 1) & (q->nb - 1); /* empty bucket: move on */
            q->base = end;
            q->floor = end;
            continue;
        }
        release_head(q);
        if (mode == SW_REORDER_FORCE) q->forced += q->nstage; /* the whole bucket goes early */
    }
    if (q->istage + 4 < q->nstage) { /* the record after next few: fetch it from memory */
        const char *a = (const char *)&q->pool[q->stage[q->istage + 4].slot];
        __builtin_prefetch(a);
        __builtin_prefetch(a + 64);
        __builtin_prefetch(a + sizeof(struct sw_record) - 1);
    }
    uint32_t slot = q->stage[q->istage++].slot;
    *r = q->pool[slot];
    q->free_slots[q->nfree++] = slot;
    q->n--;
    return SW_OK;
}

int sw_reorder_peek(const struct sw_reorder *q, size_t ahead, uint64_t *key, uint32_t *mmsi)
{
    if (q->istage + ahead >= q->nstage) return 0;
    *key = q->stage[q->istage + ahead].key;
    *mmsi = q->stage[q->istage + ahead].mmsi;
    return 1;
}

size_t sw_reorder_pending(const struct sw_reorder *q)
{
    return q->n;
}

int sw_reorder_full(const struct sw_reorder *q)
{
    return q->n == q->cap;
}

uint64_t sw_reorder_forced(const struct sw_reorder *q)
{
    return q->forced;
}

/* Blob: {lateness, maxt, floor, forced, ahead_run, have_base, base, n} then n records, each
 * in compact form: the numeric part of struct sw_record as it is in memory, then the four
 * strings (name, call sign, destination, receiver) as a length byte and their characters. A
 * position report so takes 75 bytes plus its receiver's name and 4 length bytes instead of
 * sizeof(struct sw_record). */
#define HDR (8 * 8)
#define FIXED offsetof(struct sw_record, name)

static size_t slen(const char *s, size_t size)
{
    size_t n = 0;
    while (n < size - 1 && s[n])
        n++;
    return n;
}

static size_t packed_size(const struct sw_record *r)
{
    return FIXED + 4 + slen(r->name, sizeof r->name) + slen(r->callsign, sizeof r->callsign) +
           slen(r->dest, sizeof r->dest) + slen(r->receiver, sizeof r->receiver);
}

/* Pack r into out (packed_size(r) bytes); returns the size. */
static size_t pack(const struct sw_record *r, unsigned char *out)
{
    const char *str[4] = {r->name, r->callsign, r->dest, r->receiver};
    const size_t size[4] = {sizeof r->name, sizeof r->callsign, sizeof r->dest, sizeof r->receiver};
    size_t off = FIXED;
    memcpy(out, r, FIXED);
    for (int i = 0; i < 4; i++) {
        size_t n = slen(str[i], size[i]);
        out[off++] = (unsigned char)n;
        memcpy(out + off, str[i], n);
        off += n;
    }
    return off;
}

/* Unpack one record from b[0..len); returns the bytes used, 0 when malformed. */
static size_t unpack(const unsigned char *b, size_t len, struct sw_record *r)
{
    char *str[4] = {r->name, r->callsign, r->dest, r->receiver};
    const size_t size[4] = {sizeof r->name, sizeof r->callsign, sizeof r->dest, sizeof r->receiver};
    size_t off = FIXED;
    if (len < FIXED) return 0;
    memset(r, 0, sizeof *r);
    memcpy(r, b, FIXED);
    for (int i = 0; i < 4; i++) {
        if (off >= len) return 0;
        size_t n = b[off++];
        if (n >= size[i] || n > len - off) return 0;
        memcpy(str[i], b + off, n);
        off += n;
    }
    return off;
}

/* The records held are saved in slot order, which reads the pool front to back (a reload
 * places each record afresh, so the order in the blob does not matter): the slots not on the
 * free stack. */
static void mark_live(const struct sw_reorder *q)
{
    size_t words = (q->cap + 63) / 64;
    memset(q->live, 0xff, words * sizeof *q->live);
    if (q->cap % 64) q->live[words - 1] = ((uint64_t)1 << (q->cap % 64)) - 1;
    for (size_t i = 0; i < q->nfree; i++)
        q->live[q->free_slots[i] / 64] &= ~((uint64_t)1 << (q->free_slots[i] % 64));
}

#define FOR_LIVE(q, slot)                                                                          \
    for (size_t w_ = 0; w_ < ((q)->cap + 63) / 64; w_++)                                           \
        for (uint64_t b_ = (q)->live[w_]; b_; b_ &= b_ - 1)                                        \
            for (size_t slot = w_ * 64 + (size_t)__builtin_ctzll(b_), o_ = 1; o_; o_ = 0)

size_t sw_reorder_saved_size(const struct sw_reorder *q)
{
    size_t n = HDR;
    mark_live(q);
    FOR_LIVE(q, slot)
    n += packed_size(&q->pool[slot]);
    return n;
}

/* Records are packed into a buffer of PUT_BUF bytes handed to put when nearly full. */
#define PUT_BUF 65536
struct putbuf {
    int (*put)(void *ctx, const void *data, size_t len);
    void *ctx;
    size_t n;
    unsigned char b[PUT_BUF];
};

static int put_rec(struct putbuf *pb, const struct sw_record *r)
{
    if (pb->n + sizeof *r + 4 > PUT_BUF) {
        int rc = pb->put(pb->ctx, pb->b, pb->n);
        pb->n = 0;
        if (rc != 0) return rc;
    }
    pb->n += pack(r, pb->b + pb->n);
    return 0;
}

int sw_reorder_save_to(const struct sw_reorder *q,
                       int (*put)(void *ctx, const void *data, size_t len), void *ctx)
{
    unsigned char h[HDR];
    int64_t hb = q->have_base;
    uint64_t n = q->n;
    int rc;
    struct putbuf *pb = malloc(sizeof *pb);
    if (!pb) return SW_ENOMEM;
    pb->put = put;
    pb->ctx = ctx;
    pb->n = 0;
    memcpy(h, &q->lateness, 8);
    memcpy(h + 8, &q->maxt, 8);
    memcpy(h + 16, &q->floor, 8);
    memcpy(h + 24, &q->forced, 8);
    memcpy(h + 32, &q->ahead_run, 8);
    memcpy(h + 40, &hb, 8);
    memcpy(h + 48, &q->base, 8);
    memcpy(h + 56, &n, 8);
    if ((rc = put(ctx, h, HDR)) != 0) goto done;
    mark_live(q);
    FOR_LIVE(q, slot)
    if ((rc = put_rec(pb, &q->pool[slot])) != 0) goto done;
    if (pb->n) rc = put(ctx, pb->b, pb->n);
done:
    free(pb);
    return rc ? rc : SW_OK;
}

struct membuf {
    unsigned char *p;
    size_t off;
};

static int put_mem(void *ctx, const void *data, size_t len)
{
    struct membuf *m = ctx;
    memcpy(m->p + m->off, data, len);
    m->off += len;
    return 0;
}

int sw_reorder_save(const struct sw_reorder *q, void **blob, size_t *len)
{
    struct membuf m = {malloc(sw_reorder_saved_size(q)), 0};
    if (!m.p) return SW_ENOMEM;
    int rc = sw_reorder_save_to(q, put_mem, &m);
    if (rc != SW_OK) {
        free(m.p);
        return rc;
    }
    *blob = m.p;
    *len = m.off;
    return SW_OK;
}

/* t in [lo, hi] */
static int within(int64_t t, int64_t lo, int64_t hi)
{
    return t >= lo && t <= hi;
}

int sw_reorder_load(struct sw_reorder *q, const void *blob, size_t len)
{
    const unsigned char *b = blob;
    uint64_t n = 0, ahead = 0;
    int64_t hb = 0, maxt = 0, floor = 0, base = 0;
    empty(q); /* whatever the outcome: nothing of a refused blob is kept */
    if (len < HDR) return SW_EFORMAT;
    memcpy(&n, b + 56, 8);
    if (n > q->cap) return SW_ETOOBIG;
    if ((len - HDR) / FIXED < n) return SW_EFORMAT;
    memcpy(&maxt, b + 8, 8);
    memcpy(&floor, b + 16, 8);
    memcpy(&ahead, b + 32, 8);
    memcpy(&hb, b + 40, 8);
    memcpy(&base, b + 48, 8);
    /* Saved state is input: every time within the range live input has (base and floor are
     * bucket boundaries, up to a bucket below a record's time or past the newest one), so
     * that no difference of two times overflows and no bucket index leaves the ring. */
    int64_t tmin = SW_INGEST_TIME_MIN_MS, tmax = sw_time_now_ms() + SW_INGEST_TIME_AHEAD_MS;
    int64_t slack = 2 * q->bw > SW_INGEST_TIME_AHEAD_MS ? 2 * q->bw : SW_INGEST_TIME_AHEAD_MS;
    if ((maxt != INT64_MIN && !within(maxt, tmin, tmax)) ||
        (floor != INT64_MIN && !within(floor, tmin - slack, tmax + slack)) ||
        (hb != 0 && hb != 1) || (hb && !within(base, tmin - slack, tmax + slack)) || (n && !hb) ||
        ahead >= AHEAD_CONFIRM)
        return SW_EFORMAT;
    q->maxt = maxt;
    q->floor = floor;
    memcpy(&q->forced, b + 24, 8);
    q->ahead_run = ahead;
    q->have_base = hb != 0;
    q->base = base;
    q->head = 0;
    size_t off = HDR;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t slot = q->free_slots[--q->nfree];
        struct sw_record *r = &q->pool[slot];
        size_t used = unpack(b + off, len - off, r);
        if (used == 0 || !within(r->t_ms, tmin, tmax) || sw_record_check(r) != SW_OK) {
            empty(q);
            return SW_EFORMAT;
        }
        off += used;
        q->n++;
        place(q, slot, r->t_ms, r->key, r->mmsi);
    }
    if (off != len) {
        empty(q);
        return SW_EFORMAT;
    }
    return SW_OK;
}
