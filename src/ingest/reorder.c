/*
 * Reorder buffer: a bounded min-heap that turns records arriving roughly in time order
 * (several receivers, satellite delays, interleaved files) into a stream strictly ordered by
 * (event time, key, receiver, arrival). A record is released once it is older than the newest
 * time seen minus the lateness bound; one arriving after its time was passed is late.
 * Records live in a fixed pool of slots; the heap orders small (time, key, slot) entries.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define AHEAD_SLACK_MS 60000
#define AHEAD_CONFIRM 64

struct hent {
    int64_t t;
    uint64_t key;
    uint32_t slot;
};

struct sw_reorder {
    int64_t lateness;
    int64_t maxt;     /* newest time pushed */
    int64_t released; /* time of the last record released */
    uint64_t forced;
    uint64_t ahead_run; /* consecutive records far ahead of maxt (a jump not yet believed) */
    size_t cap, n;
    struct hent *heap;
    struct sw_record *pool;
    uint32_t *free_slots; /* stack of free slot numbers */
    size_t nfree;
};

int sw_reorder_new(struct sw_reorder **out, int64_t lateness_ms, size_t capacity)
{
    struct sw_reorder *q = calloc(1, sizeof *q);
    if (!q)
        return SW_ENOMEM;
    q->cap = capacity ? capacity : (size_t)1 << 18;
    q->lateness = lateness_ms;
    q->maxt = INT64_MIN;
    q->released = INT64_MIN;
    q->heap = malloc(q->cap * sizeof *q->heap);
    q->pool = malloc(q->cap * sizeof *q->pool);
    q->free_slots = malloc(q->cap * sizeof *q->free_slots);
    if (!q->heap || !q->pool || !q->free_slots) {
        sw_reorder_free(q);
        return SW_ENOMEM;
    }
    for (size_t i = 0; i < q->cap; i++)
        q->free_slots[i] = (uint32_t)(q->cap - 1 - i);
    q->nfree = q->cap;
    *out = q;
    return SW_OK;
}

void sw_reorder_free(struct sw_reorder *q)
{
    if (!q)
        return;
    free(q->heap);
    free(q->pool);
    free(q->free_slots);
    free(q);
}

static int less(const struct sw_reorder *q, const struct hent *a, const struct hent *b)
{
    if (a->t != b->t)
        return a->t < b->t;
    if (a->key != b->key)
        return a->key < b->key;
    const struct sw_record *ra = &q->pool[a->slot], *rb = &q->pool[b->slot];
    int c = strcmp(ra->receiver, rb->receiver);
    if (c)
        return c < 0;
    return ra->seq < rb->seq;
}

static void sift_up(struct sw_reorder *q, size_t i)
{
    struct hent e = q->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!less(q, &e, &q->heap[p]))
            break;
        q->heap[i] = q->heap[p];
        i = p;
    }
    q->heap[i] = e;
}

static void sift_down(struct sw_reorder *q, size_t i)
{
    struct hent e = q->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->n)
            break;
        if (c + 1 < q->n && less(q, &q->heap[c + 1], &q->heap[c]))
            c++;
        if (!less(q, &q->heap[c], &e))
            break;
        q->heap[i] = q->heap[c];
        i = c;
    }
    q->heap[i] = e;
}

int sw_reorder_push(struct sw_reorder *q, const struct sw_record *r)
{
    if (r->t_ms == SW_TIME_NONE)
        return SW_EINVAL;
    if (r->t_ms < q->released)
        return 1;
    if (q->n == q->cap)
        return SW_EAGAIN;
    uint32_t slot = q->free_slots[--q->nfree];
    q->pool[slot] = *r;
    q->heap[q->n].t = r->t_ms;
    q->heap[q->n].key = r->key;
    q->heap[q->n].slot = slot;
    sift_up(q, q->n++);
    /* One record far ahead (a bad clock, a stray row) must not make everything after it
     * late: the newest time moves only for records near it, or after AHEAD_CONFIRM records
     * in a row agree that time really jumped (a gap in a recording). */
    if (q->maxt == INT64_MIN || r->t_ms <= q->maxt + q->lateness + AHEAD_SLACK_MS) {
        q->ahead_run = 0;
        if (r->t_ms > q->maxt)
            q->maxt = r->t_ms;
    } else if (++q->ahead_run >= AHEAD_CONFIRM) {
        q->ahead_run = 0;
        q->maxt = r->t_ms;
    }
    return SW_OK;
}

int sw_reorder_pop(struct sw_reorder *q, int mode, struct sw_record *r)
{
    if (q->n == 0)
        return SW_EOF;
    if (mode == SW_REORDER_READY && q->heap[0].t >= q->maxt - q->lateness)
        return SW_EOF;
    uint32_t slot = q->heap[0].slot;
    *r = q->pool[slot];
    q->free_slots[q->nfree++] = slot;
    q->heap[0] = q->heap[--q->n];
    if (q->n)
        sift_down(q, 0);
    if (r->t_ms > q->released)
        q->released = r->t_ms;
    if (mode == SW_REORDER_FORCE)
        q->forced++;
    return SW_OK;
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

/* Blob: {lateness, maxt, released, forced, ahead_run, n} then n records (in heap order). */
int sw_reorder_save(const struct sw_reorder *q, void **blob, size_t *len)
{
    size_t sz = 6 * 8 + q->n * sizeof(struct sw_record);
    unsigned char *b = malloc(sz), *p;
    if (!b)
        return SW_ENOMEM;
    uint64_t n = q->n;
    memcpy(b, &q->lateness, 8);
    memcpy(b + 8, &q->maxt, 8);
    memcpy(b + 16, &q->released, 8);
    memcpy(b + 24, &q->forced, 8);
    memcpy(b + 32, &q->ahead_run, 8);
    memcpy(b + 40, &n, 8);
    p = b + 48;
    for (size_t i = 0; i < q->n; i++, p += sizeof(struct sw_record))
        memcpy(p, &q->pool[q->heap[i].slot], sizeof(struct sw_record));
    *blob = b;
    *len = sz;
    return SW_OK;
}

int sw_reorder_load(struct sw_reorder *q, const void *blob, size_t len)
{
    const unsigned char *b = blob;
    uint64_t n;
    if (len < 48)
        return SW_EFORMAT;
    memcpy(&n, b + 40, 8);
    if (len != 48 + n * sizeof(struct sw_record))
        return SW_EFORMAT;
    if (n > q->cap)
        return SW_ETOOBIG;
    q->n = 0;
    q->nfree = q->cap;
    for (size_t i = 0; i < q->cap; i++)
        q->free_slots[i] = (uint32_t)(q->cap - 1 - i);
    memcpy(&q->maxt, b + 8, 8);
    memcpy(&q->released, b + 16, 8);
    memcpy(&q->forced, b + 24, 8);
    memcpy(&q->ahead_run, b + 32, 8);
    for (uint64_t i = 0; i < n; i++) {
        struct sw_record r;
        memcpy(&r, b + 48 + i * sizeof r, sizeof r);
        uint32_t slot = q->free_slots[--q->nfree];
        q->pool[slot] = r;
        q->heap[q->n].t = r.t_ms;
        q->heap[q->n].key = r.key;
        q->heap[q->n].slot = slot;
        sift_up(q, q->n++);
    }
    return SW_OK;
}
