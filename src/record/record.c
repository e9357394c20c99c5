/* Normalised records: clearing, AIS text clean-up and the hash behind dedup keys. */
#include "sanctwatch/record.h"
#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <string.h>

void sw_record_clear(struct sw_record *r)
{
    memset(r, 0, sizeof *r);
    r->t_ms = SW_TIME_NONE;
    r->heading = 511;
    r->nav_status = 15;
}

/* x in [lo, hi) (NaN is not) */
static int in(double x, double lo, double hi)
{
    return x >= lo && x < hi;
}

int sw_record_check(const struct sw_record *r)
{
    const uint32_t known =
        SW_F_POS | SW_F_SOG | SW_F_COG | SW_F_HEADING | SW_F_STATUS | SW_F_STATIC_MASK;
    uint32_t f = r->fields;
    int ok = !(f & ~known) && r->kind <= SW_REC_OTHER &&
             (r->cls == 0 || r->cls == 'A' || r->cls == 'B') && r->msg_type <= 27 &&
             memchr(r->name, 0, sizeof r->name) && memchr(r->callsign, 0, sizeof r->callsign) &&
             memchr(r->dest, 0, sizeof r->dest) && memchr(r->receiver, 0, sizeof r->receiver);
    if (f & SW_F_POS) ok = ok && r->lat >= -90 && r->lat <= 90 && r->lon >= -180 && r->lon <= 180;
    if (f & SW_F_SOG) ok = ok && in(r->sog, 0, 102.25);
    if (f & SW_F_COG) ok = ok && in(r->cog, 0, 360);
    if (f & SW_F_HEADING) ok = ok && r->heading < 360;
    if (f & SW_F_STATUS) ok = ok && r->nav_status <= 15;
    if (f & SW_F_DRAUGHT) ok = ok && in(r->draught, 0, 30);
    return ok ? SW_OK : SW_EFORMAT;
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
