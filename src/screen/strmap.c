/*
 * Screening helpers: a small string map (open addressing) for the loaded tables, and the
 * 64-bit FNV-1a hash the inverted index keys on.
 */
#include "screen_int.h"

#include "sanctwatch/error.h"

#include <stdlib.h>
#include <string.h>

uint64_t sws_hash(char tag, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    h ^= (unsigned char)tag;
    h *= 1099511628211ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t slot(const struct sws_strmap *m, const char *k, size_t klen)
{
    size_t i = (size_t)sws_hash('m', k, klen) & (m->cap - 1);
    for (;; i = (i + 1) & (m->cap - 1)) { /* the Korean parse probes this per query */
        const char *s = m->keys[i];
        if (!s || ((klen ? s[0] == k[0] && !strncmp(s, k, klen) : 1) && s[klen] == '\0')) return i;
    }
}

static int grow(struct sws_strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    struct sws_strmap nm = {calloc(ncap, sizeof(char *)), calloc(ncap, sizeof(char *)), ncap, m->n};
    if (!nm.keys || !nm.vals) {
        free(nm.keys);
        free(nm.vals);
        return SW_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = slot(&nm, m->keys[i], strlen(m->keys[i]));
        nm.keys[j] = m->keys[i];
        nm.vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    *m = nm;
    return SW_OK;
}

int sws_strmap_put(struct sws_strmap *m, const char *k, size_t klen, const char *v)
{
    if ((m->n + 1) * 2 > m->cap && grow(m)) return SW_ENOMEM;
    size_t i = slot(m, k, klen);
    char *nv = strdup(v);
    if (!nv) return SW_ENOMEM;
    if (m->keys[i]) {
        free(m->vals[i]);
        m->vals[i] = nv;
        return SW_OK;
    }
    m->keys[i] = strndup(k, klen);
    if (!m->keys[i]) {
        free(nv);
        return SW_ENOMEM;
    }
    m->vals[i] = nv;
    m->n++;
    return SW_OK;
}

const char *sws_strmap_get(const struct sws_strmap *m, const char *k, size_t klen)
{
    if (!m->cap) return NULL;
    size_t i = slot(m, k, klen);
    return m->keys[i] ? m->vals[i] : NULL;
}

void sws_strmap_release(struct sws_strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->keys[i]);
        free(m->vals[i]);
    }
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
