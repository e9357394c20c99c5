/*
 * Dedup over the event-time ordered stream: the same message heard by several receivers
 * (equal key) within the window of its first copy counts once. Two fixed-size generations
 * of an open-addressing table: a key is looked up in both, inserted in the current one, and
 * the older generation is dropped once the current one spans a window. Memory is fixed at
 * creation; a full table lets records through (counted by the caller), it never grows.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"

#include <stdlib.h>
#include <string.h>

struct entry {
    uint64_t key; /* 0 = empty (a real key 0 is stored as 1) */
    int64_t t;
};

struct sw_dedup {
    int64_t window;
    size_t cap, limit; /* slots per generation; fill limit */
    struct entry *gen[2];
    size_t used[2];
    int cur;
    int64_t cur_start; /* time of the first entry of the current generation */
};

int sw_dedup_new(struct sw_dedup **out, int64_t window_ms, size_t capacity)
{
    struct sw_dedup *d = calloc(1, sizeof *d);
    if (!d)
        return SW_ENOMEM;
    size_t cap = 1024;
    if (capacity == 0)
        capacity = (size_t)1 << 20;
    while (cap < capacity)
        cap <<= 1;
    d->window = window_ms;
    d->cap = cap;
    d->limit = cap / 10 * 7;
    d->gen[0] = calloc(cap, sizeof(struct entry));
    d->gen[1] = calloc(cap, sizeof(struct entry));
    if (!d->gen[0] || !d->gen[1]) {
        sw_dedup_free(d);
        return SW_ENOMEM;
    }
    d->cur_start = INT64_MIN;
    *out = d;
    return SW_OK;
}

void sw_dedup_free(struct sw_dedup *d)
{
    if (!d)
        return;
    free(d->gen[0]);
    free(d->gen[1]);
    free(d);
}

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static struct entry *find(struct entry *tab, size_t cap, uint64_t key)
{
    size_t i = (size_t)mix(key) & (cap - 1);
    for (;;) {
        if (tab[i].key == key || tab[i].key == 0)
            return &tab[i];
        i = (i + 1) & (cap - 1);
    }
}

static void rotate(struct sw_dedup *d, int64_t t)
{
    int old = 1 - d->cur;
    memset(d->gen[old], 0, d->cap * sizeof(struct entry));
    d->used[old] = 0;
    d->cur = old;
    d->cur_start = t;
}

int sw_dedup_check(struct sw_dedup *d, uint64_t key, int64_t t)
{
    if (key == 0)
        key = 1;
    if (d->cur_start == INT64_MIN)
        d->cur_start = t;
    else if (t - d->cur_start > d->window)
        rotate(d, t); /* the other generation is older than a window: forget it */
    for (int g = 0; g < 2; g++) {
        struct entry *e = find(d->gen[g], d->cap, key);
        if (e->key == key && t - e->t <= d->window)
            return 1;
    }
    struct entry *e = find(d->gen[d->cur], d->cap, key);
    if (e->key == key) { /* seen before the window: a new copy starts a new window */
        e->t = t;
        return 0;
    }
    if (d->used[d->cur] >= d->limit)
        return 2; /* full before a window passed: let it through unremembered */
    e->key = key;
    e->t = t;
    d->used[d->cur]++;
    return 0;
}

/* Blob: header {window, cur_start} then (gen, key, t) triples of live entries, current
 * generation last so that reloading rebuilds the same two generations. */
int sw_dedup_save(const struct sw_dedup *d, void **blob, size_t *len)
{
    size_t n = d->used[0] + d->used[1];
    size_t sz = 2 * sizeof(int64_t) + n * (sizeof(uint64_t) * 2 + 1);
    unsigned char *b = malloc(sz ? sz : 1), *p = b;
    if (!b)
        return SW_ENOMEM;
    memcpy(p, &d->window, 8);
    memcpy(p + 8, &d->cur_start, 8);
    p += 16;
    for (int k = 0; k < 2; k++) {
        int g = k == 0 ? 1 - d->cur : d->cur;
        for (size_t i = 0; i < d->cap; i++)
            if (d->gen[g][i].key) {
                *p++ = (unsigned char)k;
                memcpy(p, &d->gen[g][i].key, 8);
                memcpy(p + 8, &d->gen[g][i].t, 8);
                p += 16;
            }
    }
    *blob = b;
    *len = (size_t)(p - b);
    return SW_OK;
}

int sw_dedup_load(struct sw_dedup *d, const void *blob, size_t len)
{
    const unsigned char *p = blob;
    if (len < 16 || (len - 16) % 17 != 0)
        return SW_EFORMAT;
    for (int g = 0; g < 2; g++) {
        memset(d->gen[g], 0, d->cap * sizeof(struct entry));
        d->used[g] = 0;
    }
    d->cur = 1;
    memcpy(&d->cur_start, p + 8, 8);
    for (size_t off = 16; off < len; off += 17) {
        int g = p[off] ? 1 : 0;
        struct entry e;
        memcpy(&e.key, p + off + 1, 8);
        memcpy(&e.t, p + off + 9, 8);
        if (d->used[g] >= d->limit)
            return SW_ETOOBIG;
        struct entry *slot = find(d->gen[g], d->cap, e.key);
        if (slot->key == 0)
            d->used[g]++;
        *slot = e;
    }
    return SW_OK;
}
