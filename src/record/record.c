/* Normalised records: clearing, AIS text clean-up and the hash behind dedup keys. */
#include "sanctwatch/record.h"
#include "sanctwatch/timeutil.h"

#include <string.h>

void sw_record_clear(struct sw_record *r)
{
    memset(r, 0, sizeof *r);
    r->t_ms = SW_TIME_NONE;
    r->heading = 511;
    r->nav_status = 15;
}

void sw_record_text(char *dst, size_t dstsize, const char *src, size_t len)
{
    if (dstsize == 0) return;
    /* AIS pads with '@' (6-bit 0) and spaces: cut at the first '@', then trim. */
    size_t n = 0;
    while (n < len && src[n] != '@' && src[n] != '\0')
        n++;
    size_t s = 0;
    while (s < n && src[s] == ' ')
        s++;
    while (n > s && src[n - 1] == ' ')
        n--;
    size_t o = 0;
    for (size_t i = s; i < n && o + 1 < dstsize; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[o++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    dst[o] = '\0';
}

uint64_t sw_hash64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}
