/*
 * AIS encoder for the simulator (sanctwatch/sim.h): packs message fields MSB first into a
 * bit buffer, armours it into 6-bit ASCII and writes !AIVDM sentences with NMEA 4.0 tag
 * blocks. Bit layouts follow ITU-R M.1371-5 (and gpsd's AIVDM/AIVDO protocol decoding notes).
 */
#include "sanctwatch/sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sanctwatch/error.h"

#define MAXBITS 432

struct bits {
    uint8_t b[MAXBITS / 8 + 1];
    size_t n;
};

static void put(struct bits *w, size_t width, uint64_t v)
{
    for (size_t i = 0; i < width; i++) {
        unsigned bit = (unsigned)((v >> (width - 1 - i)) & 1u);
        if (bit) w->b[w->n / 8] |= (uint8_t)(0x80u >> (w->n % 8));
        w->n++;
    }
}

static void put_signed(struct bits *w, size_t width, int64_t v)
{
    put(w, width, (uint64_t)v & ((UINT64_C(1) << width) - 1));
}

/* 6-bit text, padded with '@' (0) to nchars. */
static void put_text(struct bits *w, const char *s, size_t nchars)
{
    size_t l = strlen(s);
    for (size_t i = 0; i < nchars; i++) {
        unsigned c = i < l ? (unsigned char)s[i] : '@';
        if (c >= 'a' && c <= 'z') c -= 32;
        unsigned v;
        if (c >= 64 && c < 96)
            v = c - 64;
        else if (c >= 32 && c < 64)
            v = c;
        else
            v = '?';
        put(w, 6, v);
    }
}

static int32_t coord(double deg, int is_lon)
{
    if (isnan(deg)) return is_lon ? 108600000 : 54600000;
    return (int32_t)lround(deg * 600000.0);
}

static unsigned speed10(double kn)
{
    if (isnan(kn) || kn < 0) return 1023;
    long v = lround(kn * 10.0);
    return v > 1022 ? 1022 : (unsigned)v;
}

static unsigned course10(double deg)
{
    if (isnan(deg) || deg < 0) return 3600;
    return (unsigned)(lround(deg * 10.0) % 3600);
}

static unsigned clampu(int v, int lo, int hi)
{
    return (unsigned)(v < lo ? lo : v > hi ? hi : v);
}

static void put_dims(struct bits *w, const struct sw_aisenc_msg *m)
{
    put(w, 9, clampu(m->to_bow, 0, 511));
    put(w, 9, clampu(m->to_stern, 0, 511));
    put(w, 6, clampu(m->to_port, 0, 63));
    put(w, 6, clampu(m->to_starboard, 0, 63));
}

/* The fix as class A (types 1-3) and class B (18, 19) position reports carry it alike: speed,
 * accuracy, longitude, latitude, course, heading, UTC second. */
static void put_fix(struct bits *w, const struct sw_aisenc_msg *m)
{
    put(w, 10, speed10(m->sog_kn));
    put(w, 1, 1); /* position accuracy: high */
    put_signed(w, 28, coord(m->lon, 1));
    put_signed(w, 27, coord(m->lat, 0));
    put(w, 12, course10(m->cog_deg));
    put(w, 9, m->heading < 0 || m->heading > 359 ? 511 : (unsigned)m->heading);
    put(w, 6, clampu(m->second, 0, 63));
}

int sw_aisenc_encode(const struct sw_aisenc_msg *m, char *payload, size_t *len, int *fill_bits)
{
    struct bits w;
    memset(&w, 0, sizeof w);
    if (m->mmsi > 999999999u || m->repeat < 0 || m->repeat > 3) return SW_EINVAL;
    put(&w, 6, (unsigned)m->type);
    put(&w, 2, (unsigned)m->repeat);
    put(&w, 30, m->mmsi);
    switch (m->type) {
    case 1:
    case 2:
    case 3:
        put(&w, 4, clampu(m->nav_status, 0, 15));
        put_signed(&w, 8, -128); /* rate of turn not available */
        put_fix(&w, m);
        put(&w, 2, 0);  /* maneuver */
        put(&w, 3, 0);  /* spare */
        put(&w, 1, 0);  /* RAIM */
        put(&w, 19, 0); /* radio status */
        break;
    case 5:
        put(&w, 2, 0); /* AIS version */
        put(&w, 30, m->imo);
        put_text(&w, m->callsign, 7);
        put_text(&w, m->name, 20);
        put(&w, 8, clampu(m->ship_type, 0, 255));
        put_dims(&w, m);
        put(&w, 4, 1); /* EPFD: GPS */
        put(&w, 4, clampu(m->eta_month, 0, 12));
        put(&w, 5, clampu(m->eta_day, 0, 31));
        put(&w, 5, clampu(m->eta_hour, 0, 24));
        put(&w, 6, clampu(m->eta_minute, 0, 60));
        put(&w, 8, isnan(m->draught_m) ? 0 : clampu((int)lround(m->draught_m * 10), 0, 255));
        put_text(&w, m->dest, 20);
        put(&w, 1, 0); /* DTE */
        put(&w, 1, 0);
        break;
    case 18:
    case 19:
        put(&w, 8, 0);
        put_fix(&w, m);
        if (m->type == 18) {
            put(&w, 2, 0); /* regional */
            put(&w, 1, 1); /* CS unit */
            put(&w, 1, 0); /* display */
            put(&w, 1, 1); /* DSC */
            put(&w, 1, 1); /* band */
            put(&w, 1, 1); /* message 22 */
            put(&w, 1, 0); /* assigned */
            put(&w, 1, 0); /* RAIM */
            put(&w, 20, 0xE0000u);
        } else {
            put(&w, 4, 0);
            put_text(&w, m->name, 20);
            put(&w, 8, clampu(m->ship_type, 0, 255));
            put_dims(&w, m);
            put(&w, 4, 1);
            put(&w, 1, 0); /* RAIM */
            put(&w, 1, 0); /* DTE */
            put(&w, 1, 0); /* assigned */
            put(&w, 4, 0);
        }
        break;
    case 24:
        put(&w, 2, m->part ? 1u : 0u);
        if (!m->part) {
            put_text(&w, m->name, 20);
        } else {
            put(&w, 8, clampu(m->ship_type, 0, 255));
            put_text(&w, "SWS", 3); /* vendor id */
            put(&w, 4, 1);          /* unit model */
            put(&w, 20, m->mmsi % 1000000u);
            put_text(&w, m->callsign, 7);
            put_dims(&w, m);
            put(&w, 6, 0);
        }
        break;
    default:
        return SW_EINVAL;
    }
    size_t nch = (w.n + 5) / 6;
    if (nch > SW_AISENC_MAX_PAYLOAD) return SW_EINVAL;
    for (size_t i = 0; i < nch; i++) {
        unsigned v = 0;
        for (size_t k = 0; k < 6; k++) {
            size_t bit = i * 6 + k;
            v = (v << 1) | (bit < w.n ? (w.b[bit / 8] >> (7 - bit % 8)) & 1u : 0u);
        }
        payload[i] = (char)(v < 40 ? v + 48 : v + 56);
    }
    payload[nch] = '\0';
    *len = nch;
    *fill_bits = (int)(nch * 6 - w.n);
    return SW_OK;
}

static unsigned xor_sum(const char *s, size_t n)
{
    unsigned c = 0;
    for (size_t i = 0; i < n; i++)
        c ^= (unsigned char)s[i];
    return c;
}

int sw_aisenc_nmea(const char *payload, size_t len, int fill_bits, const char *source,
                   int64_t time_s, char channel, int seq, int group_id, struct sw_buf *out)
{
    size_t nsent = len ? (len + 59) / 60 : 1;
    if (nsent > 9 || fill_bits < 0 || fill_bits > 5 || group_id < 0) return SW_EINVAL;
    for (size_t k = 0; k < nsent; k++) {
        char tag[96];
        size_t tl = 0;
        int n;
        if (nsent > 1) {
            n = snprintf(tag, sizeof tag, "g:%zu-%zu-%d", k + 1, nsent, group_id);
            if (n < 0 || (size_t)n >= sizeof tag) return SW_EINVAL;
            tl = (size_t)n;
        }
        if (k == 0 && source) {
            n = snprintf(tag + tl, sizeof tag - tl, "%ss:%s", tl ? "," : "", source);
            if (n < 0 || (size_t)n >= sizeof tag - tl) return SW_EINVAL;
            tl += (size_t)n;
        }
        if (k == 0 && time_s >= 0) {
            n = snprintf(tag + tl, sizeof tag - tl, "%sc:%lld", tl ? "," : "", (long long)time_s);
            if (n < 0 || (size_t)n >= sizeof tag - tl) return SW_EINVAL;
            tl += (size_t)n;
        }
        int rc = SW_OK;
        if (tl) rc = sw_buf_printf(out, "\\%.*s*%02X\\", (int)tl, tag, xor_sum(tag, tl));
        size_t off = k * 60, pl = len - off > 60 ? 60 : len - off;
        char sent[128];
        char seqs[4] = "";
        if (nsent > 1) snprintf(seqs, sizeof seqs, "%d", seq % 10);
        n = snprintf(sent, sizeof sent, "AIVDM,%zu,%zu,%s,%c,%.*s,%d", nsent, k + 1, seqs, channel,
                     (int)pl, payload + off, k + 1 == nsent ? fill_bits : 0);
        if (n < 0 || (size_t)n >= sizeof sent) return SW_EINVAL;
        if (!rc) rc = sw_buf_printf(out, "!%s*%02X\n", sent, xor_sum(sent, (size_t)n));
        if (rc) return rc;
    }
    return SW_OK;
}

int sw_sim_imo_check_digit(uint32_t imo)
{
    uint32_t stem = imo / 10;
    unsigned sum = 0;
    for (unsigned wgt = 2; wgt <= 7; wgt++) {
        sum += (stem % 10) * wgt;
        stem /= 10;
    }
    return (int)(sum % 10);
}

int sw_sim_imo_valid(uint32_t imo)
{
    return imo >= 1000000 && imo <= 9999999 && (int)(imo % 10) == sw_sim_imo_check_digit(imo);
}
