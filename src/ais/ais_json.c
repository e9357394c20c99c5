/*
 * gpsd-compatible JSON for decoded AIS messages: the fields of gpsd's "class":"AIS" objects,
 * in gpsd's order and number formats, scaled (gpsdecode -j) or raw (gpsdecode -u), and the
 * text tables gpsd adds (status_text, shiptype_text, ...). Output goes to a bounded sw_buf.
 */
#include <stdio.h>
#include <string.h>

#include "sanctwatch/ais.h"
#include "sanctwatch/error.h"

/* Emitter: the first error sticks and later calls do nothing. */
struct em {
    struct sw_buf *b;
    int rc;
};

static void raw(struct em *e, const char *s, size_t len)
{
    struct sw_buf *b = e->b;
    /* Fast path: room reserved (sw_ais_json_fields reserves a message's worth up front). */
    if (!e->rc && b->len + len < b->cap && b->len + len <= b->max) {
        memcpy(b->data + b->len, s, len);
        b->len += len;
        b->data[b->len] = '\0';
        return;
    }
    if (!e->rc) e->rc = sw_buf_append(b, s, len);
}

static void uint_digits(struct em *e, unsigned v)
{
    char tmp[SW_INT_DIGITS_MAX], *end = tmp + sizeof tmp, *p = sw_int_digits(end, v);
    raw(e, p, (size_t)(end - p));
}

static void key(struct em *e, const char *k)
{
    char tmp[48];
    size_t kl = strlen(k);
    struct sw_buf *b = e->b;
    /* Fast path: write ,"k": straight into the reserved room. */
    if (!e->rc && kl <= 40 && b->len > 0 && b->len + kl + 5 < b->cap && b->len + kl + 4 <= b->max) {
        char *p = b->data + b->len;
        char last = p[-1];
        if (last != '{' && last != '[') *p++ = ',';
        *p++ = '"';
        memcpy(p, k, kl);
        p += kl;
        *p++ = '"';
        *p++ = ':';
        *p = '\0';
        b->len = (size_t)(p - b->data);
        return;
    }
    if (kl + 4 > sizeof tmp) {
        e->rc = e->rc ? e->rc : SW_EINVAL;
        return;
    }
    size_t n = 0;
    if (e->b->len > 0 && e->b->data[e->b->len - 1] != '{' && e->b->data[e->b->len - 1] != '[')
        tmp[n++] = ',';
    tmp[n++] = '"';
    memcpy(tmp + n, k, kl);
    n += kl;
    tmp[n++] = '"';
    tmp[n++] = ':';
    raw(e, tmp, n);
}

static void num(struct em *e, const char *k, long long v)
{
    char tmp[SW_INT_DIGITS_MAX], *end = tmp + sizeof tmp, *p = sw_int_digits(end, v);
    key(e, k);
    raw(e, p, (size_t)(end - p));
}

static void flt(struct em *e, const char *k, const char *fmt, double v)
{
    char tmp[64];
    key(e, k);
    int n = snprintf(tmp, sizeof tmp, fmt, v);
    if (n < 0 || (size_t)n >= sizeof tmp) n = 0;
    raw(e, tmp, (size_t)n);
}

/* v * 10^dec / den printed with dec decimals, in integer arithmetic (glibc's printf of a
 * double was half the decoder's JSON time). For the scales used here (den 10, 600000) the
 * exact quotient is never within 1/6 of a last-digit step of a rounding tie, so rounding the
 * exact value gives the same digits as printf("%.*f") of the double v / den. */
static void fixed(struct em *e, const char *k, long long v, long long den, int dec)
{
    static const long long p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
    unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    unsigned long long q = a * (unsigned long long)p10[dec], w = q / (unsigned long long)den;
    if (2 * (q % (unsigned long long)den) >= (unsigned long long)den) w++;
    char tmp[40];
    char *p = tmp + sizeof tmp;
    for (int i = 0; i < dec; i++, w /= 10)
        *--p = (char)('0' + w % 10);
    *--p = '.';
    do {
        *--p = (char)('0' + w % 10);
        w /= 10;
    } while (w);
    if (v < 0) *--p = '-';
    key(e, k);
    raw(e, p, (size_t)(tmp + sizeof tmp - p));
}

static void boolean(struct em *e, const char *k, bool v)
{
    key(e, k);
    raw(e, v ? "true" : "false", v ? 4 : 5);
}

static void str(struct em *e, const char *k, const char *s)
{
    key(e, k);
    if (!e->rc) e->rc = sw_buf_json_string(e->b, s, strlen(s));
}

static void hexdata(struct em *e, const char *k, unsigned bitcount, const uint8_t *data)
{
    static const char hx[] = "0123456789abcdef";
    char tmp[2 * SW_AIS_MAX_BYTES + 16];
    int n = snprintf(tmp, sizeof tmp, "\"%u:", bitcount);
    size_t len = (size_t)n;
    unsigned nbytes = (bitcount + 7) / 8;
    if (nbytes > SW_AIS_MAX_BYTES) nbytes = SW_AIS_MAX_BYTES;
    for (unsigned i = 0; i < nbytes; i++) {
        tmp[len++] = hx[data[i] >> 4];
        tmp[len++] = hx[data[i] & 15];
    }
    tmp[len++] = '"';
    key(e, k);
    raw(e, tmp, len);
}

/* ---- text tables (gpsd's wording) ---- */

const char *sw_ais_status_text(unsigned status)
{
    static const char *const t[16] = {
        "Under way using engine",
        "At anchor",
        "Not under command",
        "Restricted maneuverability",
        "Constrained by her draught",
        "Moored",
        "Aground",
        "Engaged in fishing",
        "Under way sailing",
        "Reserved for HSC",
        "Reserved for WIG",
        "Power-driven vessel towing astern",
        "Power-driven vessel pushing ahead or towing alongside",
        "Reserved",
        "AIS-SART is active",
        "Not defined",
    };
    return status < 16 ? t[status] : "Not defined";
}

const char *sw_ais_shiptype_text(unsigned st)
{
    static const char *const t3[10] = {
        "Fishing",
        "Towing",
        "Towing: length exceeds 200m or breadth exceeds 25m",
        "Dredging or underwater ops",
        "Diving ops",
        "Military ops",
        "Sailing",
        "Pleasure Craft",
        "Reserved",
        "Reserved",
    };
    static const char *const t5[10] = {
        "Pilot Vessel",
        "Search and Rescue vessel",
        "Tug",
        "Port Tender",
        "Anti-pollution equipment",
        "Law Enforcement",
        "Spare - Local Vessel",
        "Spare - Local Vessel",
        "Medical Transport",
        "Ship according to RR Resolution No. 18",
    };
    /* "<decade> - <suffix>" for 20-29, 40-49, 60-99 */
    static const char *const full[10][10] = {
        [2] = {"Wing in ground (WIG) - all ships of this type",
               "Wing in ground (WIG) - Hazardous category A",
               "Wing in ground (WIG) - Hazardous category B",
               "Wing in ground (WIG) - Hazardous category C",
               "Wing in ground (WIG) - Hazardous category D",
               "Wing in ground (WIG) - Reserved for future use",
               "Wing in ground (WIG) - Reserved for future use",
               "Wing in ground (WIG) - Reserved for future use",
               "Wing in ground (WIG) - Reserved for future use",
               "Wing in ground (WIG) - Reserved for future use"}, /* sic, gpsd for 29 */
        [4] = {"High speed craft (HSC) - all ships of this type",
               "High speed craft (HSC) - Hazardous category A",
               "High speed craft (HSC) - Hazardous category B",
               "High speed craft (HSC) - Hazardous category C",
               "High speed craft (HSC) - Hazardous category D",
               "High speed craft (HSC) - Reserved for future use",
               "High speed craft (HSC) - Reserved for future use",
               "High speed craft (HSC) - Reserved for future use",
               "High speed craft (HSC) - Reserved for future use",
               "High speed craft (HSC) - No additional information"},
        [6] = {"Passenger - all ships of this type", "Passenger - Hazardous category A",
               "Passenger - Hazardous category B", "Passenger - Hazardous category C",
               "Passenger - Hazardous category D", "Passenger - Reserved for future use",
               "Passenger - Reserved for future use", "Passenger - Reserved for future use",
               "Passenger - Reserved for future use", "Passenger - No additional information"},
        [7] = {"Cargo - all ships of this type", "Cargo - Hazardous category A",
               "Cargo - Hazardous category B", "Cargo - Hazardous category C",
               "Cargo - Hazardous category D", "Cargo - Reserved for future use",
               "Cargo - Reserved for future use", "Cargo - Reserved for future use",
               "Cargo - Reserved for future use", "Cargo - No additional information"},
        [8] = {"Tanker - all ships of this type", "Tanker - Hazardous category A",
               "Tanker - Hazardous category B", "Tanker - Hazardous category C",
               "Tanker - Hazardous category D", "Tanker - Reserved for future use",
               "Tanker - Reserved for future use", "Tanker - Reserved for future use",
               "Tanker - Reserved for future use", "Tanker - No additional information"},
        [9] = {"Other Type - all ships of this type", "Other Type - Hazardous category A",
               "Other Type - Hazardous category B", "Other Type - Hazardous category C",
               "Other Type - Hazardous category D", "Other Type - Reserved for future use",
               "Other Type - Reserved for future use", "Other Type - Reserved for future use",
               "Other Type - Reserved for future use", "Other Type - no additional information"},
    };
    if (st == 0) return "Not available";
    if (st < 20) return "Reserved for future use";
    if (st >= 100) return "INVALID SHIP TYPE";
    unsigned d = st / 10, u = st % 10;
    if (d == 3) return t3[u];
    if (d == 5) return t5[u];
    return full[d][u];
}

const char *sw_ais_epfd_text(unsigned epfd)
{
    static const char *const t[16] = {
        "Undefined",
        "GPS",
        "GLONASS",
        "Combined GPS/GLONASS",
        "Loran-C",
        "Chayka",
        "Integrated navigation system",
        "Surveyed",
        "Galileo",
        "Reserved (9)",
        "Reserved (10)",
        "Reserved (11)",
        "Reserved (12)",
        "Reserved (13)",
        "Reserved (14)",
        "Internal GNSS",
    };
    return epfd < 16 ? t[epfd] : "Undefined";
}

static const char *aid_type_text(unsigned t)
{
    static const char *const tab[32] = {
        "Unspecified",
        "Reference point",
        "RACON",
        "Fixed offshore structure",
        "Spare, Reserved for future use.",
        "Light, without sectors",
        "Light, with sectors",
        "Leading Light Front",
        "Leading Light Rear",
        "Beacon, Cardinal N",
        "Beacon, Cardinal E",
        "Beacon, Cardinal S",
        "Beacon, Cardinal W",
        "Beacon, Port hand",
        "Beacon, Starboard hand",
        "Beacon, Preferred Channel port hand",
        "Beacon, Preferred Channel starboard hand",
        "Beacon, Isolated danger",
        "Beacon, Safe water",
        "Beacon, Special mark",
        "Cardinal Mark N",
        "Cardinal Mark E",
        "Cardinal Mark S",
        "Cardinal Mark W",
        "Port hand Mark",
        "Starboard hand Mark",
        "Preferred Channel Port hand",
        "Preferred Channel Starboard hand",
        "Isolated danger",
        "Safe Water",
        "Special Mark",
        "Light Vessel / LANBY / Rigs",
    };
    return t < 32 ? tab[t] : "Unspecified";
}

static const char *station_type_text(unsigned t)
{
    static const char *const tab[16] = {
        "All types of mobiles",
        "Reserved for future use",
        "All types of Class B mobile stations",
        "SAR airborne mobile station",
        "Aid to Navigation station",
        "Class B shipborne mobile station",
        "Regional use and inland waterways",
        "Regional use and inland waterways",
        "Regional use and inland waterways",
        "Regional use and inland waterways",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
    };
    return t < 16 ? tab[t] : "Reserved for future use";
}

/* ERI ship types (inland AIS, 8/200/10) that gpsd names; others it calls illegal. */
static const char *eri_text(unsigned t)
{
    static const struct {
        unsigned short code;
        const char *text;
    } tab[] = {
        {8000, "Vessel, type unknown"},
        {8010, "Motor freighter"},
        {8020, "Motor tanker"},
        {8021, "Motor tanker, liquid cargo, type N"},
        {8022, "Motor tanker, liquid cargo, type C"},
        {8023, "Motor tanker, dry cargo as if liquid (e.g. cement)"},
        {8030, "Container vessel"},
        {8040, "Gas tanker"},
        {8050, "Motor freighter, tug"},
        {8060, "Motor tanker, tug"},
        {8070, "Motor freighter with one or more ships alongside"},
        {8080, "Motor freighter with tanker"},
        {8090, "Motor freighter pushing one or more freighters"},
        {8100, "Motor freighter pushing at least one tank-ship"},
        {8110, "Tug, freighter"},
        {8120, "Tug, tanker"},
        {8130, "Tug freighter, coupled"},
        {8140, "Tug, freighter/tanker, coupled"},
        {8150, "Freightbarge"},
        {8160, "Tankbarge"},
        {8161, "Tankbarge, liquid cargo, type N"},
        {8162, "Tankbarge, liquid cargo, type C"},
        {8163, "Tankbarge, dry cargo as if liquid (e.g. cement)"},
        {8170, "Freightbarge with containers"},
        {8180, "Tankbarge, gas"},
        {8210, "Pushtow, one cargo barge"},
        {8220, "Pushtow, two cargo barges"},
        {8230, "Pushtow, three cargo barges"},
        {8240, "Pushtow, four cargo barges"},
        {8250, "Pushtow, five cargo barges"},
        {8260, "Pushtow, six cargo barges"},
        {8270, "Pushtow, seven cargo barges"},
        {8280, "Pushtow, eight cargo barges"},
        {8290, "Pushtow, nine or more barges"},
        {8310, "Pushtow, one tank/gas barge"},
        {8320, "Pushtow, two barges at least one tanker or gas barge"},
        {8330, "Pushtow, three barges at least one tanker or gas barge"},
        {8340, "Pushtow, four barges at least one tanker or gas barge"},
        {8350, "Pushtow, five barges at least one tanker or gas barge"},
        {8360, "Pushtow, six barges at least one tanker or gas barge"},
        {8370, "Pushtow, seven barges at least one tanker or gas barge"},
        {8380, "Pushtow, eight barges at least one tanker or gas barge"},
        {8390, "Pushtow, nine or more barges at least one tanker or gas barge"},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (tab[i].code == t) return tab[i].text;
    return "Illegal ship type value.";
}

static const char *trend_text(unsigned t)
{
    static const char *const tab[4] = {"steady", "increasing", "decreasing", "N/A"};
    return tab[t & 3];
}

static const char *precip_text(unsigned t)
{
    static const char *const tab[8] = {"reserved",  "rain", "thunderstorm", "freezing rain",
                                       "mixed/ice", "snow", "reserved",     "N/A"};
    return tab[t & 7];
}

static const char *ice_text(unsigned t)
{
    static const char *const tab[4] = {"no", "yes", "reserved", "N/A"};
    return tab[t & 3];
}

/* ---- per-message output ---- */

static void deg7(struct em *e, const char *k, int32_t v, int scaled)
{
    if (scaled)
        fixed(e, k, v, 600000, 7);
    else
        num(e, k, v);
}

/* A value in tenths (speed, course): "%.1f" scaled as gpsd -j prints it, the raw integer as -u. */
static void tenths(struct em *e, const char *k, unsigned v, int scaled)
{
    if (scaled)
        fixed(e, k, v, 10, 1);
    else
        num(e, k, v);
}

/* Append v zero-padded to width digits, as printf("%0*u") does (wider values keep all their
 * digits); returns the new end. dst needs room for 10 digits. */
static char *zpad(char *dst, unsigned v, int width)
{
    char tmp[10];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < 10);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        *dst++ = tmp[--n];
    return dst;
}

/* "MM-DDTHH:MMZ" (gpsd's ETA), without printf on the per-message path. */
static void ddhhmm(struct em *e, const char *k, unsigned mo, unsigned d, unsigned h, unsigned mi)
{
    char tmp[48], *p = tmp;
    p = zpad(p, mo, 2);
    *p++ = '-';
    p = zpad(p, d, 2);
    *p++ = 'T';
    p = zpad(p, h, 2);
    *p++ = ':';
    p = zpad(p, mi, 2);
    *p++ = 'Z';
    *p = '\0';
    str(e, k, tmp);
}

/* printf("%.2f") of the signed square of t / 4.733 for t = -126..126 (gpsd's scaled ROT),
 * generated once so that the per-message path has no printf of a double. */
static const char *const rot_text[253] = {
    "-708.71", "-697.50", "-686.39", "-675.36", "-664.43", "-653.58", "-642.82", "-632.15",
    "-621.57", "-611.08", "-600.68", "-590.37", "-580.15", "-570.01", "-559.97", "-550.01",
    "-540.15", "-530.37", "-520.68", "-511.09", "-501.58", "-492.16", "-482.83", "-473.59",
    "-464.44", "-455.38", "-446.40", "-437.52", "-428.73", "-420.02", "-411.40", "-402.88",
    "-394.44", "-386.09", "-377.84", "-369.67", "-361.59", "-353.60", "-345.69", "-337.88",
    "-330.16", "-322.53", "-314.98", "-307.53", "-300.16", "-292.88", "-285.70", "-278.60",
    "-271.59", "-264.67", "-257.84", "-251.10", "-244.45", "-237.89", "-231.42", "-225.03",
    "-218.74", "-212.53", "-206.42", "-200.39", "-194.45", "-188.61", "-182.85", "-177.18",
    "-171.60", "-166.11", "-160.71", "-155.39", "-150.17", "-145.04", "-139.99", "-135.04",
    "-130.17", "-125.39", "-120.71", "-116.11", "-111.60", "-107.18", "-102.85", "-98.61",
    "-94.46",  "-90.40",  "-86.42",  "-82.54",  "-78.75",  "-75.04",  "-71.42",  "-67.90",
    "-64.46",  "-61.11",  "-57.85",  "-54.68",  "-51.60",  "-48.61",  "-45.71",  "-42.90",
    "-40.18",  "-37.54",  "-35.00",  "-32.54",  "-30.18",  "-27.90",  "-25.71",  "-23.61",
    "-21.61",  "-19.69",  "-17.86",  "-16.12",  "-14.46",  "-12.90",  "-11.43",  "-10.04",
    "-8.75",   "-7.54",   "-6.43",   "-5.40",   "-4.46",   "-3.62",   "-2.86",   "-2.19",
    "-1.61",   "-1.12",   "-0.71",   "-0.40",   "-0.18",   "-0.04",   "0.00",    "0.04",
    "0.18",    "0.40",    "0.71",    "1.12",    "1.61",    "2.19",    "2.86",    "3.62",
    "4.46",    "5.40",    "6.43",    "7.54",    "8.75",    "10.04",   "11.43",   "12.90",
    "14.46",   "16.12",   "17.86",   "19.69",   "21.61",   "23.61",   "25.71",   "27.90",
    "30.18",   "32.54",   "35.00",   "37.54",   "40.18",   "42.90",   "45.71",   "48.61",
    "51.60",   "54.68",   "57.85",   "61.11",   "64.46",   "67.90",   "71.42",   "75.04",
    "78.75",   "82.54",   "86.42",   "90.40",   "94.46",   "98.61",   "102.85",  "107.18",
    "111.60",  "116.11",  "120.71",  "125.39",  "130.17",  "135.04",  "139.99",  "145.04",
    "150.17",  "155.39",  "160.71",  "166.11",  "171.60",  "177.18",  "182.85",  "188.61",
    "194.45",  "200.39",  "206.42",  "212.53",  "218.74",  "225.03",  "231.42",  "237.89",
    "244.45",  "251.10",  "257.84",  "264.67",  "271.59",  "278.60",  "285.70",  "292.88",
    "300.16",  "307.53",  "314.98",  "322.53",  "330.16",  "337.88",  "345.69",  "353.60",
    "361.59",  "369.67",  "377.84",  "386.09",  "394.44",  "402.88",  "411.40",  "420.02",
    "428.73",  "437.52",  "446.40",  "455.38",  "464.44",  "473.59",  "482.83",  "492.16",
    "501.58",  "511.09",  "520.68",  "530.37",  "540.15",  "550.01",  "559.97",  "570.01",
    "580.15",  "590.37",  "600.68",  "611.08",  "621.57",  "632.15",  "642.82",  "653.58",
    "664.43",  "675.36",  "686.39",  "697.50",  "708.71",
};

static void turn(struct em *e, int t, int scaled)
{
    if (!scaled) {
        num(e, "turn", t);
        return;
    }
    if (t == -128) {
        str(e, "turn", "n/a");
    } else if (t == -127) {
        str(e, "turn", "fastleft");
    } else if (t == 127) {
        str(e, "turn", "fastright");
    } else if (t >= -126 && t <= 126) {
        str(e, "turn", rot_text[t + 126]);
    } else {
        num(e, "turn", t); /* outside the 8-bit field: cannot come from a decoded message */
    }
}

static void app_json(struct em *e, enum sw_ais_app app, const union sw_ais_app_data *d, int scaled)
{
    switch (app) {
    case SW_AIS_APP_6_1_12:
        str(e, "lastport", d->dangerous_cargo.lastport);
        ddhhmm(e, "departure", d->dangerous_cargo.lmonth, d->dangerous_cargo.lday,
               d->dangerous_cargo.lhour, d->dangerous_cargo.lminute);
        str(e, "nextport", d->dangerous_cargo.nextport);
        ddhhmm(e, "eta", d->dangerous_cargo.nmonth, d->dangerous_cargo.nday,
               d->dangerous_cargo.nhour, d->dangerous_cargo.nminute);
        str(e, "dangerous", d->dangerous_cargo.dangerous);
        str(e, "imdcat", d->dangerous_cargo.imdcat);
        num(e, "unid", d->dangerous_cargo.unid);
        num(e, "amount", d->dangerous_cargo.amount);
        num(e, "unit", d->dangerous_cargo.unit);
        break;
    case SW_AIS_APP_6_1_14:
    case SW_AIS_APP_6_1_32:
        num(e, "month", d->tidal_window.month);
        num(e, "day", d->tidal_window.day);
        key(e, "tidals");
        raw(e, "[", 1);
        for (unsigned i = 0; i < d->tidal_window.ntidals && i < 11; i++) {
            const struct sw_ais_tidal *t = &d->tidal_window.tidals[i];
            if (i) raw(e, ",", 1);
            raw(e, "{", 1);
            if (scaled) {
                flt(e, "lon", "%.6f", t->lon / 60000.0);
                flt(e, "lat", "%.6f", t->lat / 60000.0);
            } else {
                num(e, "lon", t->lon);
                num(e, "lat", t->lat);
            }
            num(e, "from_hour", t->from_hour);
            num(e, "from_min", t->from_min);
            num(e, "to_hour", t->to_hour);
            num(e, "to_min", t->to_min);
            num(e, "cdir", t->cdir);
            if (scaled)
                flt(e, "cspeed", "%.1f", t->cspeed / 10.0);
            else
                num(e, "cspeed", t->cspeed);
            raw(e, "}", 1);
        }
        raw(e, "]", 1);
        break;
    case SW_AIS_APP_6_1_18:
        num(e, "linkage", d->clearance.linkage);
        ddhhmm(e, "arrival", d->clearance.month, d->clearance.day, d->clearance.hour,
               d->clearance.minute);
        str(e, "portname", d->clearance.portname);
        str(e, "destination", d->clearance.destination);
        if (scaled) {
            flt(e, "lon", "%.6f", d->clearance.lon / 60000.0);
            flt(e, "lat", "%.6f", d->clearance.lat / 60000.0);
        } else {
            num(e, "lon", d->clearance.lon);
            num(e, "lat", d->clearance.lat);
        }
        break;
    case SW_AIS_APP_6_1_15:
    case SW_AIS_APP_8_1_15:
        num(e, "airdraught", d->airdraught);
        break;
    case SW_AIS_APP_8_1_13: {
        char t[40];
        str(e, "reason", d->fairway.reason);
        str(e, "closefrom", d->fairway.closefrom);
        str(e, "closeto", d->fairway.closeto);
        num(e, "radius", d->fairway.radius);
        num(e, "extunit", d->fairway.extunit);
        snprintf(t, sizeof t, "%02u-%02uT%02u:%02u", d->fairway.fmonth, d->fairway.fday,
                 d->fairway.fhour, d->fairway.fminute);
        str(e, "from", t);
        snprintf(t, sizeof t, "%02u-%02uT%02u:%02u", d->fairway.tmonth, d->fairway.tday,
                 d->fairway.thour, d->fairway.tminute);
        str(e, "to", t);
        break;
    }
    case SW_AIS_APP_6_1_25:
        num(e, "unit", d->cargo.unit);
        num(e, "amount", d->cargo.amount);
        key(e, "cargos");
        raw(e, "[", 1);
        for (unsigned i = 0; i < d->cargo.ncargos && i < 54; i++) {
            if (i) raw(e, ",", 1);
            raw(e, "{", 1);
            num(e, "code", d->cargo.cargos[i].code);
            num(e, "subtype", d->cargo.cargos[i].subtype);
            raw(e, "}", 1);
        }
        raw(e, "]", 1);
        break;
    case SW_AIS_APP_6_1_28:
    case SW_AIS_APP_8_1_27: {
        static const char *const rtype[6] = {
            "Undefined (default)",           "Mandatory",      "Recommended", "Alternative",
            "Recommended route through ice", "Ship route plan"};
        unsigned rt = d->route.rtype;
        num(e, "linkage", d->route.linkage);
        num(e, "sender", d->route.sender);
        num(e, "rtype", rt);
        str(e, "rtype_text",
            rt < 6     ? rtype[rt]
            : rt == 31 ? "Cancel route identified by message linkage"
                       : "Reserved for future use.");
        ddhhmm(e, "start", d->route.month, d->route.day, d->route.hour, d->route.minute);
        num(e, "duration", d->route.duration);
        key(e, "waypoints");
        raw(e, "[", 1);
        for (unsigned i = 0; i < d->route.nwaypoints && i < 31; i++) {
            if (i) raw(e, ",", 1);
            raw(e, "{", 1);
            if (scaled) {
                flt(e, "lon", "%.6f", d->route.waypoints[i].lon / 600000.0);
                flt(e, "lat", "%.6f", d->route.waypoints[i].lat / 600000.0);
            } else {
                num(e, "lon", d->route.waypoints[i].lon);
                num(e, "lat", d->route.waypoints[i].lat);
            }
            raw(e, "}", 1);
        }
        raw(e, "]", 1);
        break;
    }
    case SW_AIS_APP_8_200_24:
        str(e, "country", d->water_level.country);
        key(e, "gauges");
        raw(e, "[", 1);
        for (unsigned i = 0; i < 4; i++) {
            if (i) raw(e, ",", 1);
            raw(e, "{", 1);
            num(e, "id", d->water_level.gauges[i].id);
            num(e, "level", d->water_level.gauges[i].level);
            raw(e, "}", 1);
        }
        raw(e, "]", 1);
        break;
    case SW_AIS_APP_6_1_16:
        num(e, "persons", d->persons_onboard);
        break;
    case SW_AIS_APP_6_1_30:
    case SW_AIS_APP_8_1_29:
        num(e, "linkage", d->text.linkage);
        str(e, "text", d->text.text);
        break;
    case SW_AIS_APP_6_200_55:
        num(e, "crew", d->persons.crew);
        num(e, "passengers", d->persons.passengers);
        num(e, "personnel", d->persons.personnel);
        break;
    case SW_AIS_APP_6_235_10: {
        static const char *const racon[4] = {"No RACON installed", "RACON not monitored",
                                             "RACON operational", "RACON ERROR"};
        static const char *const light[4] = {"No light or no monitoring", "Light ON", "Light OFF",
                                             "Light ERROR"};
        boolean(e, "off_pos", d->aton_mon.off_pos);
        boolean(e, "alarm", d->aton_mon.alarm);
        num(e, "stat_ext", d->aton_mon.stat_ext);
        if (scaled) {
            flt(e, "ana_int", "%.2f", d->aton_mon.ana_int * 0.05);
            flt(e, "ana_ext1", "%.2f", d->aton_mon.ana_ext1 * 0.05);
            flt(e, "ana_ext2", "%.2f", d->aton_mon.ana_ext2 * 0.05);
        } else {
            num(e, "ana_int", d->aton_mon.ana_int);
            num(e, "ana_ext1", d->aton_mon.ana_ext1);
            num(e, "ana_ext2", d->aton_mon.ana_ext2);
        }
        num(e, "racon", d->aton_mon.racon);
        str(e, "racon_text", racon[d->aton_mon.racon & 3]);
        num(e, "light", d->aton_mon.light);
        str(e, "light_text", light[d->aton_mon.light & 3]);
        break;
    }
    case SW_AIS_APP_8_1_11:
    case SW_AIS_APP_8_1_31: {
        const struct sw_ais_met *w = &d->met;
        int v31 = app == SW_AIS_APP_8_1_31;
        char ts[24];
        if (scaled) {
            flt(e, "lat", "%.6f", w->lat / 60000.0);
            flt(e, "lon", "%.6f", w->lon / 60000.0);
        } else {
            num(e, "lat", w->lat);
            num(e, "lon", w->lon);
        }
        if (v31) boolean(e, "accuracy", w->accuracy);
        snprintf(ts, sizeof ts, "%02uT%02u:%02uZ", w->day, w->hour, w->minute);
        str(e, "timestamp", ts);
        num(e, "wspeed", w->wspeed);
        num(e, "wgust", w->wgust);
        num(e, "wdir", w->wdir);
        num(e, "wgustdir", w->wgustdir);
        num(e, "humidity", w->humidity);
        if (scaled) {
            flt(e, "airtemp", "%.1f", v31 ? w->airtemp * 0.1 : w->airtemp * 0.1 - 60);
            flt(e, "dewpoint", "%.1f", v31 ? w->dewpoint * 0.1 : w->dewpoint * 0.1 - 20);
            num(e, "pressure", w->pressure + (v31 ? 799 : 800));
            str(e, "pressuretend", trend_text(w->pressuretend));
        } else {
            num(e, "airtemp", w->airtemp);
            num(e, "dewpoint", w->dewpoint);
            num(e, "pressure", w->pressure);
            num(e, "pressuretend", w->pressuretend);
        }
        if (v31) boolean(e, "visgreater", w->visgreater);
        if (scaled) {
            flt(e, "visibility", "%.1f", w->visibility * 0.1);
            flt(e, "waterlevel", "%.1f",
                v31 ? w->waterlevel * 0.01 - 10 : w->waterlevel * 0.1 - 10);
            str(e, "leveltrend", trend_text(w->leveltrend));
            flt(e, "cspeed", "%.1f", w->cspeed * 0.1);
        } else {
            num(e, "visibility", w->visibility);
            num(e, "waterlevel", w->waterlevel);
            num(e, "leveltrend", w->leveltrend);
            num(e, "cspeed", w->cspeed);
        }
        num(e, "cdir", w->cdir);
        if (scaled)
            flt(e, "cspeed2", "%.1f", w->cspeed2 * 0.1);
        else
            num(e, "cspeed2", w->cspeed2);
        num(e, "cdir2", w->cdir2);
        num(e, "cdepth2", w->cdepth2);
        if (scaled)
            flt(e, "cspeed3", "%.1f", w->cspeed3 * 0.1);
        else
            num(e, "cspeed3", w->cspeed3);
        num(e, "cdir3", w->cdir3);
        num(e, "cdepth3", w->cdepth3);
        if (scaled)
            flt(e, "waveheight", "%.1f", w->waveheight * 0.1);
        else
            num(e, "waveheight", w->waveheight);
        num(e, "waveperiod", w->waveperiod);
        num(e, "wavedir", w->wavedir);
        if (scaled)
            flt(e, "swellheight", "%.1f", w->swellheight * 0.1);
        else
            num(e, "swellheight", w->swellheight);
        num(e, "swellperiod", w->swellperiod);
        num(e, "swelldir", w->swelldir);
        num(e, "seastate", w->seastate);
        if (scaled)
            flt(e, "watertemp", "%.1f", v31 ? w->watertemp * 0.1 : w->watertemp * 0.1 - 10);
        else
            num(e, "watertemp", w->watertemp);
        if (v31 && scaled)
            str(e, "preciptype", precip_text(w->preciptype));
        else
            num(e, "preciptype", w->preciptype);
        if (!v31) str(e, "preciptype_text", precip_text(w->preciptype));
        if (scaled)
            flt(e, "salinity", "%.1f", w->salinity * 0.1);
        else
            num(e, "salinity", w->salinity);
        if (v31 && scaled)
            str(e, "ice", ice_text(w->ice));
        else
            num(e, "ice", w->ice);
        if (!v31) str(e, "ice_text", ice_text(w->ice));
        break;
    }
    case SW_AIS_APP_8_200_10: {
        static const char *const hazard[8] = {"0 blue cones/lights",
                                              "1 blue cone/light",
                                              "2 blue cones/lights",
                                              "3 blue cones/lights",
                                              "4 B-Flag",
                                              "Unknown",
                                              "Unknown",
                                              "Unknown"};
        static const char *const loaded[4] = {"N/A (default)", "Unloaded", "Loaded",
                                              "INVALID LOAD STATUS"};
        str(e, "vin", d->inland_static.vin);
        num(e, "length", d->inland_static.length);
        num(e, "beam", d->inland_static.beam);
        num(e, "shiptype", d->inland_static.shiptype);
        str(e, "shiptype_text", eri_text(d->inland_static.shiptype));
        num(e, "hazard", d->inland_static.hazard);
        str(e, "hazard_text", hazard[d->inland_static.hazard & 7]);
        num(e, "draught", d->inland_static.draught);
        num(e, "loaded", d->inland_static.loaded);
        str(e, "loaded_text", loaded[d->inland_static.loaded & 3]);
        boolean(e, "speed_q", d->inland_static.speed_q);
        boolean(e, "course_q", d->inland_static.course_q);
        boolean(e, "heading_q", d->inland_static.heading_q);
        break;
    }
    case SW_AIS_APP_NONE:
        break;
    }
}

static void dims(struct em *e, unsigned bow, unsigned stern, unsigned port, unsigned stbd)
{
    num(e, "to_bow", bow);
    num(e, "to_stern", stern);
    num(e, "to_port", port);
    num(e, "to_starboard", stbd);
}

static void area(struct em *e, int32_t nelon, int32_t nelat, int32_t swlon, int32_t swlat,
                 int scaled)
{
    if (scaled) {
        char tmp[32];
        const int32_t v[4] = {nelon, nelat, swlon, swlat};
        const char *k[4] = {"ne_lon", "ne_lat", "sw_lon", "sw_lat"};
        for (int i = 0; i < 4; i++) {
            snprintf(tmp, sizeof tmp, "%.6f", v[i] / 600.0);
            str(e, k[i], tmp);
        }
    } else {
        num(e, "ne_lon", nelon);
        num(e, "ne_lat", nelat);
        num(e, "sw_lon", swlon);
        num(e, "sw_lat", swlat);
    }
}

int sw_ais_json_fields(const struct sw_ais *m, int scaled, struct sw_buf *out)
{
    struct em e = {out, 0};
    struct em *E = &e;
    if (!m || !out) return SW_EINVAL;
    /* first key: no separating comma even if the caller's buffer ends in one */
    (void)sw_buf_grow(out, 1024); /* best effort: most messages fit, raw() then skips checks */
    raw(E, "\"type\":", 7);
    uint_digits(E, (unsigned)m->type);
    raw(E, ",\"repeat\":", 10);
    uint_digits(E, (unsigned)m->repeat);
    raw(E, ",\"mmsi\":", 8);
    uint_digits(E, (unsigned)m->mmsi);
    raw(E, scaled ? ",\"scaled\":true" : ",\"scaled\":false", scaled ? 14 : 15);
    switch (m->type) {
    case 1:
    case 2:
    case 3: {
        num(E, "status", m->u.t1.status);
        str(E, "status_text", sw_ais_status_text(m->u.t1.status));
        turn(E, m->u.t1.turn, scaled);
        if (scaled && m->u.t1.speed == SW_AIS_SPEED_NA)
            str(E, "speed", "nan");
        else if (scaled && m->u.t1.speed == SW_AIS_SPEED_NA - 1)
            str(E, "speed", "fast");
        else if (scaled)
            fixed(E, "speed", m->u.t1.speed, 10, 1);
        else
            num(E, "speed", m->u.t1.speed);
        boolean(E, "accuracy", m->u.t1.accuracy);
        deg7(E, "lon", m->u.t1.lon, scaled);
        deg7(E, "lat", m->u.t1.lat, scaled);
        tenths(E, "course", m->u.t1.course, scaled);
        num(E, "heading", m->u.t1.heading);
        num(E, "second", m->u.t1.second);
        num(E, "maneuver", m->u.t1.maneuver);
        boolean(E, "raim", m->u.t1.raim);
        num(E, "radio", m->u.t1.radio);
        break;
    }
    case 4:
    case 11: {
        char ts[80], *p = ts; /* "%04u-%02u-%02uT%02u:%02u:%02uZ" */
        p = zpad(p, m->u.t4.year, 4);
        *p++ = '-';
        p = zpad(p, m->u.t4.month, 2);
        *p++ = '-';
        p = zpad(p, m->u.t4.day, 2);
        *p++ = 'T';
        p = zpad(p, m->u.t4.hour, 2);
        *p++ = ':';
        p = zpad(p, m->u.t4.minute, 2);
        *p++ = ':';
        p = zpad(p, m->u.t4.second, 2);
        *p++ = 'Z';
        *p = '\0';
        str(E, "timestamp", ts);
        boolean(E, "accuracy", m->u.t4.accuracy);
        deg7(E, "lon", m->u.t4.lon, scaled);
        deg7(E, "lat", m->u.t4.lat, scaled);
        num(E, "epfd", m->u.t4.epfd);
        str(E, "epfd_text", sw_ais_epfd_text(m->u.t4.epfd));
        boolean(E, "raim", m->u.t4.raim);
        num(E, "radio", m->u.t4.radio);
        break;
    }
    case 5:
        num(E, "imo", m->u.t5.imo);
        num(E, "ais_version", m->u.t5.ais_version);
        str(E, "callsign", m->u.t5.callsign);
        str(E, "shipname", m->u.t5.shipname);
        num(E, "shiptype", m->u.t5.shiptype);
        str(E, "shiptype_text", sw_ais_shiptype_text(m->u.t5.shiptype));
        dims(E, m->u.t5.to_bow, m->u.t5.to_stern, m->u.t5.to_port, m->u.t5.to_starboard);
        num(E, "epfd", m->u.t5.epfd);
        str(E, "epfd_text", sw_ais_epfd_text(m->u.t5.epfd));
        ddhhmm(E, "eta", m->u.t5.month, m->u.t5.day, m->u.t5.hour, m->u.t5.minute);
        tenths(E, "draught", m->u.t5.draught, scaled);
        str(E, "destination", m->u.t5.destination);
        num(E, "dte", m->u.t5.dte);
        break;
    case 6:
        num(E, "seqno", m->u.t6.seqno);
        num(E, "dest_mmsi", m->u.t6.dest_mmsi);
        boolean(E, "retransmit", m->u.t6.retransmit);
        num(E, "dac", m->u.t6.dac);
        num(E, "fid", m->u.t6.fid);
        if (m->u.t6.app == SW_AIS_APP_NONE)
            hexdata(E, "data", m->u.t6.bitcount, m->u.t6.bitdata);
        else
            app_json(E, m->u.t6.app, &m->u.t6.data, scaled);
        break;
    case 7:
    case 13:
        num(E, "mmsi1", m->u.t7.mmsi[0]);
        num(E, "mmsi2", m->u.t7.mmsi[1]);
        num(E, "mmsi3", m->u.t7.mmsi[2]);
        num(E, "mmsi4", m->u.t7.mmsi[3]);
        break;
    case 8:
        num(E, "dac", m->u.t8.dac);
        num(E, "fid", m->u.t8.fid);
        if (m->u.t8.app == SW_AIS_APP_NONE)
            hexdata(E, "data", m->u.t8.bitcount, m->u.t8.bitdata);
        else
            app_json(E, m->u.t8.app, &m->u.t8.data, scaled);
        break;
    case 9:
        if (scaled && m->u.t9.alt == 4095)
            str(E, "alt", "nan");
        else
            num(E, "alt", m->u.t9.alt);
        if (scaled && m->u.t9.speed == 1023)
            str(E, "speed", "nan");
        else
            num(E, "speed", m->u.t9.speed);
        boolean(E, "accuracy", m->u.t9.accuracy);
        deg7(E, "lon", m->u.t9.lon, scaled);
        deg7(E, "lat", m->u.t9.lat, scaled);
        tenths(E, "course", m->u.t9.course, scaled);
        num(E, "second", m->u.t9.second);
        num(E, "regional", m->u.t9.regional);
        num(E, "dte", m->u.t9.dte);
        boolean(E, "raim", m->u.t9.raim);
        num(E, "radio", m->u.t9.radio);
        break;
    case 10:
        num(E, "dest_mmsi", m->u.t10.dest_mmsi);
        break;
    case 12:
        num(E, "seqno", m->u.t12.seqno);
        num(E, "dest_mmsi", m->u.t12.dest_mmsi);
        boolean(E, "retransmit", m->u.t12.retransmit);
        str(E, "text", m->u.t12.text);
        break;
    case 14:
        str(E, "text", m->u.t14.text);
        break;
    case 15:
        num(E, "mmsi1", m->u.t15.mmsi1);
        num(E, "type1_1", m->u.t15.type1_1);
        num(E, "offset1_1", m->u.t15.offset1_1);
        num(E, "type1_2", m->u.t15.type1_2);
        num(E, "offset1_2", m->u.t15.offset1_2);
        num(E, "mmsi2", m->u.t15.mmsi2);
        num(E, "type2_1", m->u.t15.type2_1);
        num(E, "offset2_1", m->u.t15.offset2_1);
        break;
    case 16:
        num(E, "mmsi1", m->u.t16.mmsi1);
        num(E, "offset1", m->u.t16.offset1);
        num(E, "increment1", m->u.t16.increment1);
        num(E, "mmsi2", m->u.t16.mmsi2);
        num(E, "offset2", m->u.t16.offset2);
        num(E, "increment2", m->u.t16.increment2);
        break;
    case 17:
        if (scaled) {
            flt(E, "lon", "%.1f", m->u.t17.lon / 600.0);
            flt(E, "lat", "%.1f", m->u.t17.lat / 600.0);
        } else {
            num(E, "lon", m->u.t17.lon);
            num(E, "lat", m->u.t17.lat);
        }
        hexdata(E, "data", m->u.t17.bitcount, m->u.t17.bitdata);
        break;
    case 18:
    case 19: {
        num(E, "reserved", m->u.t18.reserved);
        tenths(E, "speed", m->u.t18.speed, scaled);
        boolean(E, "accuracy", m->u.t18.accuracy);
        deg7(E, "lon", m->u.t18.lon, scaled);
        deg7(E, "lat", m->u.t18.lat, scaled);
        tenths(E, "course", m->u.t18.course, scaled);
        num(E, "heading", m->u.t18.heading);
        num(E, "second", m->u.t18.second);
        num(E, "regional", m->u.t18.regional);
        if (m->type == 18) {
            boolean(E, "cs", m->u.t18.cs);
            boolean(E, "display", m->u.t18.display);
            boolean(E, "dsc", m->u.t18.dsc);
            boolean(E, "band", m->u.t18.band);
            boolean(E, "msg22", m->u.t18.msg22);
            boolean(E, "raim", m->u.t18.raim);
            num(E, "radio", m->u.t18.radio);
        } else {
            str(E, "shipname", m->u.t18.shipname);
            num(E, "shiptype", m->u.t18.shiptype);
            str(E, "shiptype_text", sw_ais_shiptype_text(m->u.t18.shiptype));
            dims(E, m->u.t18.to_bow, m->u.t18.to_stern, m->u.t18.to_port, m->u.t18.to_starboard);
            num(E, "epfd", m->u.t18.epfd);
            str(E, "epfd_text", sw_ais_epfd_text(m->u.t18.epfd));
            boolean(E, "raim", m->u.t18.raim);
            num(E, "dte", m->u.t18.dte);
            boolean(E, "assigned", m->u.t18.assigned);
        }
        break;
    }
    case 20:
        for (int i = 0; i < 4; i++) {
            char k[16];
            snprintf(k, sizeof k, "offset%d", i + 1);
            num(E, k, m->u.t20.offset[i]);
            snprintf(k, sizeof k, "number%d", i + 1);
            num(E, k, m->u.t20.number[i]);
            snprintf(k, sizeof k, "timeout%d", i + 1);
            num(E, k, m->u.t20.timeout[i]);
            snprintf(k, sizeof k, "increment%d", i + 1);
            num(E, k, m->u.t20.increment[i]);
        }
        break;
    case 21:
        num(E, "aid_type", m->u.t21.aid_type);
        str(E, "aid_type_text", aid_type_text(m->u.t21.aid_type));
        str(E, "name", m->u.t21.name);
        if (!scaled) /* gpsd's order differs between its two forms */
            boolean(E, "accuracy", m->u.t21.accuracy);
        deg7(E, "lon", m->u.t21.lon, scaled);
        deg7(E, "lat", m->u.t21.lat, scaled);
        if (scaled) boolean(E, "accuracy", m->u.t21.accuracy);
        dims(E, m->u.t21.to_bow, m->u.t21.to_stern, m->u.t21.to_port, m->u.t21.to_starboard);
        num(E, "epfd", m->u.t21.epfd);
        str(E, "epfd_text", sw_ais_epfd_text(m->u.t21.epfd));
        num(E, "second", m->u.t21.second);
        num(E, "regional", m->u.t21.regional);
        boolean(E, "off_position", m->u.t21.off_position);
        boolean(E, "raim", m->u.t21.raim);
        boolean(E, "virtual_aid", m->u.t21.virtual_aid);
        break;
    case 22:
        num(E, "channel_a", m->u.t22.channel_a);
        num(E, "channel_b", m->u.t22.channel_b);
        num(E, "txrx", m->u.t22.txrx);
        boolean(E, "power", m->u.t22.power);
        if (m->u.t22.addressed) {
            num(E, "dest1", m->u.t22.dest1);
            num(E, "dest2", m->u.t22.dest2);
        } else {
            area(E, m->u.t22.ne_lon, m->u.t22.ne_lat, m->u.t22.sw_lon, m->u.t22.sw_lat, scaled);
        }
        boolean(E, "addressed", m->u.t22.addressed);
        boolean(E, "band_a", m->u.t22.band_a);
        boolean(E, "band_b", m->u.t22.band_b);
        num(E, "zonesize", m->u.t22.zonesize);
        break;
    case 23:
        area(E, m->u.t23.ne_lon, m->u.t23.ne_lat, m->u.t23.sw_lon, m->u.t23.sw_lat, scaled);
        num(E, "stationtype", m->u.t23.stationtype);
        str(E, "stationtype_text", station_type_text(m->u.t23.stationtype));
        num(E, "shiptype", m->u.t23.shiptype);
        str(E, "shiptype_text", sw_ais_shiptype_text(m->u.t23.shiptype));
        num(E, "interval", m->u.t23.interval);
        num(E, "quiet", m->u.t23.quiet);
        break;
    case 24: {
        if (m->u.t24.part != SW_AIS_PART_AB)
            str(E, "part", m->u.t24.part == SW_AIS_PART_A ? "A" : "B");
        if (m->u.t24.part != SW_AIS_PART_B) str(E, "shipname", m->u.t24.shipname);
        if (m->u.t24.part != SW_AIS_PART_A) {
            num(E, "shiptype", m->u.t24.shiptype);
            str(E, "shiptype_text", sw_ais_shiptype_text(m->u.t24.shiptype));
            str(E, "vendorid", m->u.t24.vendorid);
            num(E, "model", m->u.t24.model);
            num(E, "serial", m->u.t24.serial);
            str(E, "callsign", m->u.t24.callsign);
            if (m->mmsi / 10000000 == 98)
                num(E, "mothership_mmsi", m->u.t24.mothership_mmsi);
            else
                dims(E, m->u.t24.to_bow, m->u.t24.to_stern, m->u.t24.to_port,
                     m->u.t24.to_starboard);
        }
        break;
    }
    case 25:
    case 26:
        boolean(E, "addressed", m->u.t25.addressed);
        boolean(E, "structured", m->u.t25.structured);
        num(E, "dest_mmsi", m->u.t25.dest_mmsi);
        num(E, "app_id", m->u.t25.app_id);
        hexdata(E, "data", m->u.t25.bitcount, m->u.t25.bitdata);
        if (m->type == 26) num(E, "radio", m->u.t25.radio);
        break;
    case 27:
        num(E, "status", m->u.t27.status);
        if (scaled) str(E, "status_text", sw_ais_status_text(m->u.t27.status));
        boolean(E, "accuracy", m->u.t27.accuracy);
        if (scaled) {
            flt(E, "lon", "%.4f", m->u.t27.lon / 600.0);
            flt(E, "lat", "%.4f", m->u.t27.lat / 600.0);
        } else {
            num(E, "lon", m->u.t27.lon);
            num(E, "lat", m->u.t27.lat);
        }
        num(E, "speed", m->u.t27.speed);
        num(E, "course", m->u.t27.course);
        boolean(E, "raim", m->u.t27.raim);
        boolean(E, "gnss", m->u.t27.gnss);
        break;
    default:
        break;
    }
    return e.rc;
}
