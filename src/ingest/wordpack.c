/* The saved-state codec: see wordpack.h. */
#include "wordpack.h"

#include <stdint.h>
#include <string.h>

size_t sw_wp_encode(const void *src, const void *ref, size_t n, unsigned char *out)
{
    const unsigned char *s = src, *r = ref;
    unsigned char *o = out;
    for (size_t i = 0; i < n; i += 8) {
        size_t k = n - i < 8 ? n - i : 8;
        unsigned char x[8] = {0}, mask = 0, *m = o++;
        memcpy(x, s + i, k);
        if (r)
            for (size_t j = 0; j < k; j++)
                x[j] ^= r[i + j];
        for (size_t j = 0; j < k; j++)
            if (x[j]) {
                mask |= (unsigned char)(1u << j);
                *o++ = x[j];
            }
        *m = mask;
    }
    return (size_t)(o - out);
}

size_t sw_wp_decode(const unsigned char *in, size_t len, const void *ref, size_t n, void *dst)
{
    const unsigned char *p = in, *end = in + len, *r = ref;
    unsigned char *d = dst;
    for (size_t i = 0; i < n; i += 8) {
        size_t k = n - i < 8 ? n - i : 8;
        if (p >= end) return 0;
        unsigned mask = *p++;
        if (mask >> k) return 0; /* bytes beyond the end */
        for (size_t j = 0; j < k; j++) {
            unsigned char b = 0;
            if (mask & (1u << j)) {
                if (p >= end) return 0;
                b = *p++;
            }
            d[i + j] = (unsigned char)(r ? b ^ r[i + j] : b);
        }
    }
    return (size_t)(p - in);
}
