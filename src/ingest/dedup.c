/*
 * Dedup over the event-time ordered stream: the same message heard by several receivers
 * (equal key) within the window of its first copy counts once. A fixed table of 4-way
 * buckets, one 64-byte cache line each, so a check costs one memory access: a key is looked
 * for in its bucket; a new key takes a free slot (empty, or holding an entry older than the
 * window), else the oldest entry is forgotten early (counted by the caller as dedup_full, as a
 * later copy of it may then pass). Memory is fixed at creation.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/huge.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define WAYS 4

struct entry {
    uint64_t key; /* 0 = empty (a real key 0 is stored as 1) */
    int64_t t;
};

struct sw_dedup {
    int64_t window;
    size_t nbuckets;   /* power of two */
    struct entry *tab; /* nbuckets * WAYS */
    int64_t last_t;    /* newest time checked */
};

int sw_dedup_new(struct sw_dedup **out, int64_t window_ms, size_t capacity)
{
    struct sw_dedup *d = calloc(1, sizeof *d);
    if (!d) return SW_ENOMEM;
    if (capacity == 0) capacity = (size_t)1 << 20;
    d->nbuckets = 256;
    while (d->nbuckets * WAYS < capacity)
        d->nbuckets <<= 1;
    d->window = window_ms;
    d->last_t = INT64_MIN;
    /* sw_huge_alloc aligns to a cache line at least: each bucket is one line */
    d->tab = sw_huge_alloc(d->nbuckets * WAYS * sizeof(struct entry));
    if (!d->tab) {
        free(d);
        return SW_ENOMEM;
    }
    memset(d->tab, 0, d->nbuckets * WAYS * sizeof(struct entry));
    *out = d;
    return SW_OK;
}

void sw_dedup_free(struct sw_dedup *d)
{
    if (!d) return;
    free(d->tab);
    free(d);
}

static struct entry *bucket(const struct sw_dedup *d, uint64_t key)
{
    uint64_t h = key * 0x9E3779B97F4A7C15ULL;
    return &d->tab[(size_t)(h >> 40) % d->nbuckets * WAYS];
}

void sw_dedup_prefetch(const struct sw_dedup *d, uint64_t key)
{
    __builtin_prefetch(bucket(d, key ? key : 1), 1);
}

int sw_dedup_check(struct sw_dedup *d, uint64_t key, int64_t t)
{
    if (key == 0) key = 1;
    if (t > d->last_t) d->last_t = t;
    struct entry *b = bucket(d, key), *free_slot = NULL, *oldest = &b[0];
    for (int i = 0; i < WAYS; i++) {
        if (b[i].key == key && t - b[i].t <= d->window) return 1;
        int live = b[i].key != 0 && t - b[i].t <= d->window;
        if (!live && !free_slot) free_slot = &b[i];
        if (b[i].t < oldest->t) oldest = &b[i];
    }
    /* (A stale copy of the same key is left to be reused like any expired slot: the result
     * must not depend on expired entries, which a checkpoint does not keep.) */
    int rc = 0;
    if (!free_slot) {
        free_slot = oldest; /* forgotten before its window ended */
        rc = 2;
    }
    free_slot->key = key;
    free_slot->t = t;
    return rc;
}

/* Blob: {window, last_t} then, for every entry still within the window (an empty slot and
 * an expired one are treated alike by sw_dedup_check), in slot order: the gap from the
 * previous entry's slot (varint), the key (8 bytes), last_t - t (varint). About 12 bytes an
 * entry instead of 24. */
static int live_entry(const struct sw_dedup *d, const struct entry *e)
{
    return e->key != 0 && d->last_t - e->t <= d->window;
}

static unsigned char *put_varint(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

/* Read a varint from [*p, end); 0 on success. */
static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end) return -1;
        unsigned char c = *(*p)++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

int sw_dedup_save(const struct sw_dedup *d, void **blob, size_t *len)
{
    size_t n = 0, total = d->nbuckets * WAYS, prev = 0;
    for (size_t i = 0; i < total; i++)
        n += live_entry(d, &d->tab[i]);
    unsigned char *b = malloc(16 + n * 28), *p = b + 16;
    if (!b) return SW_ENOMEM;
    memcpy(b, &d->window, 8);
    memcpy(b + 8, &d->last_t, 8);
    for (size_t i = 0; i < total; i++)
        if (live_entry(d, &d->tab[i])) {
            p = put_varint(p, i - prev);
            prev = i;
            memcpy(p, &d->tab[i].key, 8);
            p = put_varint(p + 8, (uint64_t)(d->last_t - d->tab[i].t));
        }
    *blob = b;
    *len = (size_t)(p - b);
    return SW_OK;
}

int sw_dedup_load(struct sw_dedup *d, const void *blob, size_t len)
{
    const unsigned char *p = blob, *end = p + len;
    size_t total = d->nbuckets * WAYS, idx = 0;
    int64_t last;
    if (len < 16) return SW_EFORMAT;
    memcpy(&last, p + 8, 8);
    /* Saved state is input: the newest time within the range live input has (or none yet,
     * with no entry), every entry's age taking it no earlier than that range's start, so that
     * no difference of two times overflows. */
    int64_t tmax = sw_time_now_ms() + SW_INGEST_TIME_AHEAD_MS;
    if (last != INT64_MIN && (last < SW_INGEST_TIME_MIN_MS || last > tmax)) return SW_EFORMAT;
    if (last == INT64_MIN && len > 16) return SW_EFORMAT;
    memset(d->tab, 0, total * sizeof(struct entry));
    d->last_t = last;
    p += 16;
    while (p < end) {
        uint64_t gap, age;
        if (get_varint(&p, end, &gap) || gap > total - idx) goto bad;
        idx += gap;
        if (idx >= total || end - p < 8) goto bad; /* saved with another capacity */
        memcpy(&d->tab[idx].key, p, 8);
        p += 8;
        if (get_varint(&p, end, &age) || age > (uint64_t)(last - SW_INGEST_TIME_MIN_MS)) goto bad;
        d->tab[idx].t = last - (int64_t)age;
    }
    return SW_OK;
bad:
    memset(d->tab, 0, total * sizeof(struct entry));
    d->last_t = INT64_MIN;
    return SW_EFORMAT;
}

void sw_dedup_clear(struct sw_dedup *d)
{
    memset(d->tab, 0, d->nbuckets * WAYS * sizeof(struct entry));
    d->last_t = INT64_MIN;
}
