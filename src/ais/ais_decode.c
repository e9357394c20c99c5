/*
 * AIS payload decoder: de-armours the 6-bit NMEA payload into a bit vector (table driven,
 * four characters to three bytes) and unpacks ITU-R M.1371 messages 1 to 27 into the
 * caller's struct sw_ais. The length rules follow gpsd's so that what gpsd prints, this
 * decodes (docs/ais.md). Application payloads of types 6 and 8 are in ais_app.c.
 * Nothing is allocated; every read is inside a zero-padded local buffer.
 */
#include <string.h>

#include "ais_int.h"
#include "sanctwatch/ais.h"
#include "sanctwatch/error.h"

/* 6-bit value of each armour character, 0xff for characters outside the alphabet. */
#define X 0xff
static const uint8_t armour[256] = {
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
    24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, X,  X,  X,  X,  X,  X,  X,  X,
    40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
};
#undef X

/* 6-bit character set of AIS text fields. */
static const char sixchr[65] = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";

size_t sw_ais__text_raw(const uint8_t *bits, unsigned start, unsigned nchars, char *to,
                        size_t tosize)
{
    size_t n = 0, lim = tosize ? tosize - 1 : 0;
    if (lim > nchars) lim = nchars;
    while (n < lim) {
        /* one 64-bit load gives at least 57 bits from start: nine characters */
        uint64_t v = sw_ais__be64(bits + (start >> 3)) << (start & 7);
        size_t chunk = lim - n < 9 ? lim - n : 9;
        for (size_t k = 0; k < chunk; k++) {
            char c = sixchr[v >> 58];
            if (c == '@') goto done;
            to[n++] = c;
            v <<= 6;
        }
        start += 54;
    }
done:
    to[n] = '\0';
    return n;
}

void sw_ais__trim(char *s, size_t n)
{
    while (n > 0 && s[n - 1] == ' ')
        n--;
    s[n] = '\0';
}

void sw_ais__text(const uint8_t *bits, unsigned start, unsigned nchars, char *to, size_t tosize)
{
    sw_ais__trim(to, sw_ais__text_raw(bits, start, nchars, to, tosize));
}

void sw_ais__copybits(const uint8_t *bits, unsigned start, unsigned count, uint8_t *to)
{
    unsigned nbytes = (count + 7) / 8;
    if ((start & 7) == 0) {
        memcpy(to, bits + start / 8, nbytes);
    } else {
        for (unsigned i = 0; i < nbytes; i++)
            to[i] = (uint8_t)sw_ais__ub(bits, start + 8 * i, 8);
    }
}

/* De-armour payload into bits (zeroed first); *nbits gets the message length. */
static int dearmour(const char *payload, size_t len, int fill_bits, uint8_t *bits, size_t *nbits)
{
    if (fill_bits < 0 || fill_bits > 5) return SW_EFORMAT;
    if (len > (SW_AIS_MAX_INPUT_BITS + 5) / 6 ||
        len * 6 - (size_t)fill_bits > SW_AIS_MAX_INPUT_BITS)
        return SW_ETOOBIG;
    if (len * 6 < (size_t)fill_bits) return SW_ETRUNCATED;
    /* every byte before the end of the message is written below, the rest zeroed: for the
     * usual short message by one fixed-size clear of the first 88 bytes before writing
     * (everything written past the message is zero but the fill bits, cleared below) */
    const int short_msg = len <= 85; /* at most 510 bits: used <= 64, upto == 88 */
    if (short_msg) {
        /* eleven plain stores: memset(bits, 0, 88) compiles to rep stos, whose start-up cost
         * is more than the whole de-armouring of a short message */
        static const uint64_t z;
        memcpy(bits, &z, 8);
        memcpy(bits + 8, &z, 8);
        memcpy(bits + 16, &z, 8);
        memcpy(bits + 24, &z, 8);
        memcpy(bits + 32, &z, 8);
        memcpy(bits + 40, &z, 8);
        memcpy(bits + 48, &z, 8);
        memcpy(bits + 56, &z, 8);
        memcpy(bits + 64, &z, 8);
        memcpy(bits + 72, &z, 8);
        memcpy(bits + 80, &z, 8);
    }
    const unsigned char *p = (const unsigned char *)payload;
    uint8_t *o = bits;
    size_t i = 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* eight characters at a time into six bytes: check the alphabet as the framer does, map
     * '0'..'W' to 0..39 and '`'..'w' to 40..63 bytewise, then pack the 6-bit values. Each
     * eight-byte store writes two bytes past the six, which the next group or the zeroing
     * below overwrites (the buffer has SW_AIS__BUFBYTES of room). */
    for (; i + 8 <= len; i += 8) {
        const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t ge48 = w + ones * (0x80 - 48), ge88 = w + ones * (0x80 - 88);
        uint64_t ge96 = w + ones * (0x80 - 96), ge120 = w + ones * (0x80 - 120);
        if (((~((ge48 & ~ge88) | (ge96 & ~ge120)) | w) & highs) != 0) return SW_EFORMAT;
        uint64_t v = w - ones * 48 - ((ge96 & highs) >> 4); /* bytes 0..63, no borrows */
        v = (v & UINT64_C(0x003f003f003f003f)) << 6 | ((v >> 8) & UINT64_C(0x003f003f003f003f));
        v = (v & UINT64_C(0x00000fff00000fff)) << 12 | ((v >> 16) & UINT64_C(0x00000fff00000fff));
        v = ((v & UINT64_C(0xffffff)) << 24 | v >> 32) << 16; /* 48 bits, first character on top */
        v = __builtin_bswap64(v);
        memcpy(o, &v, 8);
        o += 6;
    }
#endif
    for (; i + 4 <= len; i += 4) {
        uint32_t a = armour[p[i]], b = armour[p[i + 1]], c = armour[p[i + 2]], d = armour[p[i + 3]];
        if ((a | b | c | d) & 0x80) return SW_EFORMAT;
        uint32_t v = a << 18 | b << 12 | c << 6 | d;
        *o++ = (uint8_t)(v >> 16);
        *o++ = (uint8_t)(v >> 8);
        *o++ = (uint8_t)v;
    }
    uint32_t v = 0;
    unsigned have = 0;
    for (; i < len; i++) {
        uint32_t a = armour[p[i]];
        if (a & 0x80) return SW_EFORMAT;
        v = v << 6 | a;
        have += 6;
    }
    if (have) {
        v <<= 24 - have;
        *o++ = (uint8_t)(v >> 16);
        *o++ = (uint8_t)(v >> 8);
        *o = (uint8_t)v;
    }
    *nbits = len * 6 - (size_t)fill_bits;
    /* clear the fill bits so raw-data dumps do not depend on them */
    size_t nb = *nbits;
    if (nb & 7) bits[nb / 8] &= (uint8_t)(0xff << (8 - (nb & 7)));
    /* zero what a field past the end may read: every fixed field ends before bit 512, a
     * block started inside the message (at most 93 bits) ends 12 bytes past it, and a
     * 64-bit load reads 8 bytes from a field's start (see SW_AIS__BUFBYTES) */
    size_t used = (nb + 7) / 8, upto = (used > 64 ? used : 64) + 24;
    if (short_msg) {
        bits[used] = 0; /* fill bits that spilled past the last byte of the message */
        return SW_OK;
    }
    /* eight bytes a store (up to 7 past upto: the buffer has 32 bytes of slack); a memset of
     * this variable size costs more than the whole de-armouring */
    static const uint64_t zero;
    for (size_t k = used; k < upto; k += 8)
        memcpy(bits + k, &zero, 8);
    return SW_OK;
}

/* gpsd's two length rules: at least min bits (extra bits ignored), or within [min, max]. */
#define NEED(min)                                                                                  \
    do {                                                                                           \
        if (n < (min)) return SW_ETRUNCATED;                                                       \
    } while (0)
#define RANGE(min, max)                                                                            \
    do {                                                                                           \
        if (n < (min)) return SW_ETRUNCATED;                                                       \
        if (n > (max)) return SW_ETOOBIG;                                                          \
    } while (0)

#define UB(s, w) sw_ais__ub(b, (s), (w))
#define SB(s, w) sw_ais__sb(b, (s), (w))

static int decode_bits(const uint8_t *b, size_t n, struct sw_ais *m)
{
    if (n < 38) return SW_ETRUNCATED;
    m->type = (int)UB(0, 6);
    m->repeat = (int)UB(6, 2);
    m->mmsi = UB(8, 30);
    switch (m->type) {
    case 1:
    case 2:
    case 3:
        NEED(163); /* gpsd takes 163..167 bits, with a radio field cut short */
        m->u.t1.status = (uint8_t)UB(38, 4);
        m->u.t1.turn = (int8_t)SB(42, 8);
        m->u.t1.speed = (uint16_t)UB(50, 10);
        m->u.t1.accuracy = UB(60, 1);
        m->u.t1.lon = SB(61, 28);
        m->u.t1.lat = SB(89, 27);
        m->u.t1.course = (uint16_t)UB(116, 12);
        m->u.t1.heading = (uint16_t)UB(128, 9);
        m->u.t1.second = (uint8_t)UB(137, 6);
        m->u.t1.maneuver = (uint8_t)UB(143, 2);
        m->u.t1.raim = UB(148, 1);
        m->u.t1.radio = n >= 168 ? UB(149, 19) : UB(149, (unsigned)(n - 149));
        return SW_OK;
    case 4:
    case 11:
        NEED(168);
        m->u.t4.year = (uint16_t)UB(38, 14);
        m->u.t4.month = (uint8_t)UB(52, 4);
        m->u.t4.day = (uint8_t)UB(56, 5);
        m->u.t4.hour = (uint8_t)UB(61, 5);
        m->u.t4.minute = (uint8_t)UB(66, 6);
        m->u.t4.second = (uint8_t)UB(72, 6);
        m->u.t4.accuracy = UB(78, 1);
        m->u.t4.lon = SB(79, 28);
        m->u.t4.lat = SB(107, 27);
        m->u.t4.epfd = (uint8_t)UB(134, 4);
        m->u.t4.raim = UB(148, 1);
        m->u.t4.radio = UB(149, 19);
        return SW_OK;
    case 5:
        NEED(420);
        m->u.t5.ais_version = (uint8_t)UB(38, 2);
        m->u.t5.imo = UB(40, 30);
        sw_ais__text(b, 70, 7, m->u.t5.callsign, sizeof m->u.t5.callsign);
        sw_ais__text(b, 112, 20, m->u.t5.shipname, sizeof m->u.t5.shipname);
        m->u.t5.shiptype = (uint8_t)UB(232, 8);
        m->u.t5.to_bow = (uint16_t)UB(240, 9);
        m->u.t5.to_stern = (uint16_t)UB(249, 9);
        m->u.t5.to_port = (uint8_t)UB(258, 6);
        m->u.t5.to_starboard = (uint8_t)UB(264, 6);
        m->u.t5.epfd = (uint8_t)UB(270, 4);
        m->u.t5.month = (uint8_t)UB(274, 4);
        m->u.t5.day = (uint8_t)UB(278, 5);
        m->u.t5.hour = (uint8_t)UB(283, 5);
        m->u.t5.minute = (uint8_t)UB(288, 6);
        m->u.t5.draught = (uint8_t)UB(294, 8);
        sw_ais__text(b, 302, 20, m->u.t5.destination, sizeof m->u.t5.destination);
        m->u.t5.dte = UB(422, 1);
        return SW_OK;
    case 6:
        RANGE(88, 1008);
        m->u.t6.seqno = (uint8_t)UB(38, 2);
        m->u.t6.dest_mmsi = UB(40, 30);
        m->u.t6.retransmit = UB(70, 1);
        m->u.t6.dac = (uint16_t)UB(72, 10);
        m->u.t6.fid = (uint8_t)UB(82, 6);
        m->u.t6.bitcount = (uint16_t)(n - 88);
        memset(m->u.t6.bitdata, 0, sizeof m->u.t6.bitdata);
        sw_ais__copybits(b, 88, (unsigned)(n - 88), m->u.t6.bitdata);
        m->u.t6.app = sw_ais__app6(b, n, m->u.t6.dac, m->u.t6.fid, &m->u.t6.data);
        return SW_OK;
    case 7:
    case 13: {
        RANGE(72, 168);
        unsigned count = (unsigned)((n - 40 + 31) / 32); /* a partial last entry counts */
        if (count > 4) count = 4;
        m->u.t7.count = (uint8_t)count;
        for (unsigned i = 0; i < 4; i++) {
            m->u.t7.mmsi[i] = i < count ? UB(40 + 32 * i, 30) : 0;
            m->u.t7.seqno[i] = i < count ? (uint8_t)UB(70 + 32 * i, 2) : 0;
        }
        return SW_OK;
    }
    case 8:
        RANGE(56, 1008);
        m->u.t8.dac = (uint16_t)UB(40, 10);
        m->u.t8.fid = (uint8_t)UB(50, 6);
        m->u.t8.bitcount = (uint16_t)(n - 56);
        memset(m->u.t8.bitdata, 0, sizeof m->u.t8.bitdata);
        sw_ais__copybits(b, 56, (unsigned)(n - 56), m->u.t8.bitdata);
        m->u.t8.app = sw_ais__app8(b, n, m->u.t8.dac, m->u.t8.fid, &m->u.t8.data);
        return SW_OK;
    case 9:
        NEED(168);
        m->u.t9.alt = (uint16_t)UB(38, 12);
        m->u.t9.speed = (uint16_t)UB(50, 10);
        m->u.t9.accuracy = UB(60, 1);
        m->u.t9.lon = SB(61, 28);
        m->u.t9.lat = SB(89, 27);
        m->u.t9.course = (uint16_t)UB(116, 12);
        m->u.t9.second = (uint8_t)UB(128, 6);
        m->u.t9.regional = (uint8_t)UB(134, 8);
        m->u.t9.dte = UB(142, 1);
        m->u.t9.assigned = UB(146, 1);
        m->u.t9.raim = UB(147, 1);
        m->u.t9.radio = UB(148, 20);
        return SW_OK;
    case 10:
        NEED(72);
        m->u.t10.dest_mmsi = UB(40, 30);
        return SW_OK;
    case 12:
        RANGE(72, 1008);
        m->u.t12.seqno = (uint8_t)UB(38, 2);
        m->u.t12.dest_mmsi = UB(40, 30);
        m->u.t12.retransmit = UB(70, 1);
        sw_ais__text(b, 72, (unsigned)((n - 72) / 6), m->u.t12.text, sizeof m->u.t12.text);
        return SW_OK;
    case 14:
        RANGE(40, 1008);
        sw_ais__text(b, 40, (unsigned)((n - 40) / 6), m->u.t14.text, sizeof m->u.t14.text);
        return SW_OK;
    case 15:
        RANGE(88, 168);
        memset(&m->u.t15, 0, sizeof m->u.t15);
        m->u.t15.mmsi1 = UB(40, 30);
        m->u.t15.type1_1 = (uint8_t)UB(70, 6);
        m->u.t15.offset1_1 = (uint16_t)UB(76, 12);
        if (n > 90) {
            m->u.t15.type1_2 = (uint8_t)UB(90, 6);
            m->u.t15.offset1_2 = (uint16_t)UB(96, 12);
        }
        if (n > 110) {
            m->u.t15.mmsi2 = UB(110, 30);
            m->u.t15.type2_1 = (uint8_t)UB(140, 6);
            m->u.t15.offset2_1 = (uint16_t)UB(146, 12);
        }
        return SW_OK;
    case 16:
        RANGE(96, 168);
        m->u.t16.mmsi1 = UB(40, 30);
        m->u.t16.offset1 = (uint16_t)UB(70, 12);
        m->u.t16.increment1 = (uint16_t)UB(82, 10);
        if (n < 144) {
            m->u.t16.mmsi2 = 0;
            m->u.t16.offset2 = m->u.t16.increment2 = 0;
        } else {
            m->u.t16.mmsi2 = UB(92, 30);
            m->u.t16.offset2 = (uint16_t)UB(122, 12);
            m->u.t16.increment2 = (uint16_t)UB(134, 10);
        }
        return SW_OK;
    case 17:
        RANGE(80, 816);
        m->u.t17.lon = SB(40, 18);
        m->u.t17.lat = SB(58, 17);
        m->u.t17.bitcount = (uint16_t)(n - 80);
        memset(m->u.t17.bitdata, 0, sizeof m->u.t17.bitdata);
        sw_ais__copybits(b, 80, (unsigned)(n - 80), m->u.t17.bitdata);
        return SW_OK;
    case 18:
    case 19:
        NEED(m->type == 18 ? 168 : 312);
        memset(&m->u.t18, 0, sizeof m->u.t18);
        m->u.t18.reserved = (uint8_t)UB(38, 8);
        m->u.t18.speed = (uint16_t)UB(46, 10);
        m->u.t18.accuracy = UB(56, 1);
        m->u.t18.lon = SB(57, 28);
        m->u.t18.lat = SB(85, 27);
        m->u.t18.course = (uint16_t)UB(112, 12);
        m->u.t18.heading = (uint16_t)UB(124, 9);
        m->u.t18.second = (uint8_t)UB(133, 6);
        if (m->type == 18) {
            m->u.t18.regional = (uint8_t)UB(139, 2);
            m->u.t18.cs = UB(141, 1);
            m->u.t18.display = UB(142, 1);
            m->u.t18.dsc = UB(143, 1);
            m->u.t18.band = UB(144, 1);
            m->u.t18.msg22 = UB(145, 1);
            m->u.t18.assigned = UB(146, 1);
            m->u.t18.raim = UB(147, 1);
            m->u.t18.radio = UB(148, 20);
        } else {
            m->u.t18.regional = (uint8_t)UB(139, 4);
            sw_ais__text(b, 143, 20, m->u.t18.shipname, sizeof m->u.t18.shipname);
            m->u.t18.shiptype = (uint8_t)UB(263, 8);
            m->u.t18.to_bow = (uint16_t)UB(271, 9);
            m->u.t18.to_stern = (uint16_t)UB(280, 9);
            m->u.t18.to_port = (uint8_t)UB(289, 6);
            m->u.t18.to_starboard = (uint8_t)UB(295, 6);
            m->u.t18.epfd = (uint8_t)UB(301, 4);
            m->u.t18.raim = UB(305, 1);
            m->u.t18.dte = UB(306, 1);
            m->u.t18.assigned = UB(307, 1);
        }
        return SW_OK;
    case 20:
        RANGE(72, 186);
        for (unsigned i = 0; i < 4; i++) {
            unsigned s = 40 + 30 * i;
            if (n >= s + 30) {
                m->u.t20.offset[i] = (uint16_t)UB(s, 12);
                m->u.t20.number[i] = (uint8_t)UB(s + 12, 4);
                m->u.t20.timeout[i] = (uint8_t)UB(s + 16, 3);
                m->u.t20.increment[i] = (uint16_t)UB(s + 19, 11);
            } else {
                m->u.t20.offset[i] = m->u.t20.increment[i] = 0;
                m->u.t20.number[i] = m->u.t20.timeout[i] = 0;
            }
        }
        return SW_OK;
    case 21: {
        RANGE(272, 368);
        m->u.t21.aid_type = (uint8_t)UB(38, 5);
        m->u.t21.accuracy = UB(163, 1);
        m->u.t21.lon = SB(164, 28);
        m->u.t21.lat = SB(192, 27);
        m->u.t21.to_bow = (uint16_t)UB(219, 9);
        m->u.t21.to_stern = (uint16_t)UB(228, 9);
        m->u.t21.to_port = (uint8_t)UB(237, 6);
        m->u.t21.to_starboard = (uint8_t)UB(243, 6);
        m->u.t21.epfd = (uint8_t)UB(249, 4);
        m->u.t21.second = (uint8_t)UB(253, 6);
        m->u.t21.off_position = UB(259, 1);
        m->u.t21.regional = (uint8_t)UB(260, 8);
        m->u.t21.raim = UB(268, 1);
        m->u.t21.virtual_aid = UB(269, 1);
        m->u.t21.assigned = UB(270, 1);
        /* as gpsd: when the name fills its 20 characters (no '@' end mark), the extension
         * follows them untrimmed ("B. OCEANIA WRECK    &"); then trim once */
        size_t l = sw_ais__text_raw(b, 43, 20, m->u.t21.name, sizeof m->u.t21.name);
        if (l == 20 && n > 272)
            l += sw_ais__text_raw(b, 272, (unsigned)((n - 272) / 6), m->u.t21.name + l,
                                  sizeof m->u.t21.name - l);
        sw_ais__trim(m->u.t21.name, l);
        return SW_OK;
    }
    case 22:
        NEED(168);
        m->u.t22.channel_a = (uint16_t)UB(40, 12);
        m->u.t22.channel_b = (uint16_t)UB(52, 12);
        m->u.t22.txrx = (uint8_t)UB(64, 4);
        m->u.t22.power = UB(68, 1);
        m->u.t22.addressed = UB(139, 1);
        if (m->u.t22.addressed) {
            m->u.t22.dest1 = UB(69, 30);
            m->u.t22.dest2 = UB(104, 30);
            m->u.t22.ne_lon = m->u.t22.ne_lat = m->u.t22.sw_lon = m->u.t22.sw_lat = 0;
        } else {
            m->u.t22.ne_lon = SB(69, 18);
            m->u.t22.ne_lat = SB(87, 17);
            m->u.t22.sw_lon = SB(104, 18);
            m->u.t22.sw_lat = SB(122, 17);
            m->u.t22.dest1 = m->u.t22.dest2 = 0;
        }
        m->u.t22.band_a = UB(140, 1);
        m->u.t22.band_b = UB(141, 1);
        m->u.t22.zonesize = (uint8_t)UB(142, 3);
        return SW_OK;
    case 23:
        NEED(160);
        m->u.t23.ne_lon = SB(40, 18);
        m->u.t23.ne_lat = SB(58, 17);
        m->u.t23.sw_lon = SB(75, 18);
        m->u.t23.sw_lat = SB(93, 17);
        m->u.t23.stationtype = (uint8_t)UB(110, 4);
        m->u.t23.shiptype = (uint8_t)UB(114, 8);
        m->u.t23.txrx = (uint8_t)UB(144, 2);
        m->u.t23.interval = (uint8_t)UB(146, 4);
        m->u.t23.quiet = (uint8_t)UB(150, 4);
        return SW_OK;
    case 24:
        NEED(40);
        memset(&m->u.t24, 0, sizeof m->u.t24);
        switch (UB(38, 2)) {
        case 0:
            RANGE(160, 168);
            m->u.t24.part = SW_AIS_PART_A;
            sw_ais__text(b, 40, 20, m->u.t24.shipname, sizeof m->u.t24.shipname);
            return SW_OK;
        case 1:
            NEED(168);
            m->u.t24.part = SW_AIS_PART_B;
            m->u.t24.shiptype = (uint8_t)UB(40, 8);
            sw_ais__text(b, 48, 7, m->u.t24.vendorid, sizeof m->u.t24.vendorid);
            m->u.t24.model = (uint8_t)UB(66, 4);
            m->u.t24.serial = UB(70, 20);
            sw_ais__text(b, 90, 7, m->u.t24.callsign, sizeof m->u.t24.callsign);
            if (m->mmsi / 10000000 == 98) {
                m->u.t24.mothership_mmsi = UB(132, 30);
            } else {
                m->u.t24.to_bow = (uint16_t)UB(132, 9);
                m->u.t24.to_stern = (uint16_t)UB(141, 9);
                m->u.t24.to_port = (uint8_t)UB(150, 6);
                m->u.t24.to_starboard = (uint8_t)UB(156, 6);
            }
            return SW_OK;
        default:
            return SW_EUNSUPPORTED;
        }
    case 25:
    case 26: {
        unsigned s = 40;
        if (m->type == 25)
            RANGE(40, 168);
        else
            RANGE(60, 1004);
        m->u.t25.addressed = UB(38, 1);
        m->u.t25.structured = UB(39, 1);
        m->u.t25.dest_mmsi = 0;
        m->u.t25.app_id = 0;
        m->u.t25.radio = 0;
        if (m->u.t25.addressed) {
            m->u.t25.dest_mmsi = UB(40, 30);
            s += 30;
        }
        if (m->u.t25.structured) {
            m->u.t25.app_id = (uint16_t)UB(s, 16);
            s += 16;
        }
        size_t end = n;
        if (m->type == 26) {
            if (n < s + 20) return SW_ETRUNCATED;
            end = n - 20;
            m->u.t25.radio = UB((unsigned)end, 20);
        }
        if (end < s) return SW_ETRUNCATED;
        m->u.t25.bitcount = (uint16_t)(end - s);
        memset(m->u.t25.bitdata, 0, sizeof m->u.t25.bitdata);
        sw_ais__copybits(b, s, (unsigned)(end - s), m->u.t25.bitdata);
        return SW_OK;
    }
    case 27:
        /* gpsd takes exactly one slot (96 bits) or the 168 bits some senders pad it to */
        if (n != 96 && n != 168) return n < 96 ? SW_ETRUNCATED : SW_ETOOBIG;
        m->u.t27.accuracy = UB(38, 1);
        m->u.t27.raim = UB(39, 1);
        m->u.t27.status = (uint8_t)UB(40, 4);
        m->u.t27.lon = SB(44, 18);
        m->u.t27.lat = SB(62, 17);
        m->u.t27.speed = (uint8_t)UB(79, 6);
        m->u.t27.course = (uint16_t)UB(85, 9);
        m->u.t27.gnss = UB(94, 1);
        return SW_OK;
    default:
        return SW_EUNSUPPORTED;
    }
}

int sw_ais_decode(const char *payload, size_t len, int fill_bits, struct sw_ais *out)
{
    uint8_t bits[SW_AIS__BUFBYTES];
    size_t n = 0;
    if (!payload || !out) return SW_EINVAL;
    int rc = dearmour(payload, len, fill_bits, bits, &n);
    if (rc) return rc;
    return decode_bits(bits, n, out);
}

void sw_ais_session_init(struct sw_ais_session *s)
{
    memset(s, 0, sizeof *s);
}

int sw_ais_session_decode_on(struct sw_ais_session *s, char channel, const char *payload,
                             size_t len, int fill_bits, struct sw_ais *out)
{
    int rc = sw_ais_decode(payload, len, fill_bits, out);
    if (rc || out->type != 24) return rc;
    const unsigned ch = (channel == 'B' || channel == '2') ? 1 : 0;
    const size_t nq = sizeof s->t24[0] / sizeof s->t24[0][0];
    if (out->u.t24.part == SW_AIS_PART_A) {
        unsigned i = s->t24_next[ch] % nq;
        s->t24[ch][i].mmsi = out->mmsi;
        memcpy(s->t24[ch][i].shipname, out->u.t24.shipname, sizeof out->u.t24.shipname);
        s->t24_next[ch] = (unsigned)((i + 1) % nq);
        return SW_EAGAIN;
    }
    for (size_t i = 0; i < nq; i++) {
        if (s->t24[ch][i].mmsi == out->mmsi && out->mmsi != 0) {
            memcpy(out->u.t24.shipname, s->t24[ch][i].shipname, sizeof out->u.t24.shipname);
            out->u.t24.part = SW_AIS_PART_AB;
            s->t24[ch][i].mmsi = 0;
            return SW_OK;
        }
    }
    return SW_EAGAIN;
}

int sw_ais_session_decode(struct sw_ais_session *s, const char *payload, size_t len, int fill_bits,
                          struct sw_ais *out)
{
    return sw_ais_session_decode_on(s, 'A', payload, len, fill_bits, out);
}
