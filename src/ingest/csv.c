/*
 * CSV exports of AIS: NOAA MarineCadastre (AIS_YYYY_MM_DD.csv, both the 2015-2023 CamelCase
 * header and the 2024 snake_case one) and the Danish Maritime Authority's aisdk files. The
 * format is told by the header; columns are found by name, so reordered or extra columns are
 * fine. Each row becomes one normalised record with both a position and identity part.
 */
#include "sanctwatch/ingest.h"
#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum slot {
    S_MMSI,
    S_TIME,
    S_LAT,
    S_LON,
    S_SOG,
    S_COG,
    S_HEADING,
    S_NAME,
    S_IMO,
    S_CALLSIGN,
    S_SHIPTYPE,
    S_STATUS,
    S_LENGTH,
    S_WIDTH,
    S_DRAUGHT,
    S_CLASS,
    S_DEST,
    S_MOBILE,
    S_DIM_A,
    S_DIM_B,
    S_DIM_C,
    S_DIM_D,
    S_NSLOTS
};

struct alias {
    int slot;
    const char *name;
};

static const struct alias aliases[] = {
    {S_MMSI, "mmsi"},
    {S_TIME, "basedatetime"},
    {S_TIME, "base_date_time"},
    {S_TIME, "# timestamp"},
    {S_TIME, "timestamp"},
    {S_LAT, "lat"},
    {S_LAT, "latitude"},
    {S_LON, "lon"},
    {S_LON, "longitude"},
    {S_SOG, "sog"},
    {S_COG, "cog"},
    {S_HEADING, "heading"},
    {S_NAME, "vesselname"},
    {S_NAME, "vessel_name"},
    {S_NAME, "name"},
    {S_IMO, "imo"},
    {S_CALLSIGN, "callsign"},
    {S_CALLSIGN, "call_sign"},
    {S_SHIPTYPE, "vesseltype"},
    {S_SHIPTYPE, "vessel_type"},
    {S_SHIPTYPE, "ship type"},
    {S_STATUS, "status"},
    {S_STATUS, "navigational status"},
    {S_LENGTH, "length"},
    {S_WIDTH, "width"},
    {S_DRAUGHT, "draft"},
    {S_DRAUGHT, "draught"},
    {S_CLASS, "transceiverclass"},
    {S_CLASS, "transceiver_class"},
    {S_CLASS, "transceiver"},
    {S_DEST, "destination"},
    {S_MOBILE, "type of mobile"},
    {S_DIM_A, "a"},
    {S_DIM_B, "b"},
    {S_DIM_C, "c"},
    {S_DIM_D, "d"},
};

/* Split line into at most SW_CSV_MAXCOLS fields (simple double quotes honoured). Returns the
 * number of fields, or -1 for too many. Field i is line[start[i] .. start[i]+len[i]). */
static int split(const char *line, size_t n, size_t *start, size_t *len)
{
    int k = 0;
    size_t i = 0;
    for (;;) {
        if (k == SW_CSV_MAXCOLS) return -1;
        if (i < n && line[i] == '"') {
            size_t s = ++i;
            while (i < n && line[i] != '"')
                i++;
            start[k] = s;
            len[k] = i - s;
            if (i < n) i++;
            while (i < n && line[i] != ',')
                i++;
        } else {
            size_t s = i;
            while (i < n && line[i] != ',')
                i++;
            start[k] = s;
            len[k] = i - s;
        }
        k++;
        if (i >= n) return k;
        i++; /* the comma */
    }
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
        (*n)--;
}

int sw_csv_detect(struct sw_csv *c, const char *line, size_t len)
{
    size_t st[SW_CSV_MAXCOLS], ln[SW_CSV_MAXCOLS];
    memset(c, 0, sizeof *c);
    memset(c->col, -1, sizeof c->col);
    /* A UTF-8 byte order mark may open the file. */
    if (len >= 3 && (unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
        (unsigned char)line[2] == 0xBF) {
        line += 3;
        len -= 3;
    }
    int k = split(line, len, st, ln);
    if (k < 4) return SW_EFORMAT;
    for (int i = 0; i < k; i++) {
        const char *f = line + st[i];
        size_t n = ln[i];
        trim(&f, &n);
        for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++)
            if (strlen(aliases[a].name) == n && strncasecmp(aliases[a].name, f, n) == 0 &&
                c->col[aliases[a].slot] < 0)
                c->col[aliases[a].slot] = (signed char)i;
    }
    c->ncols = k;
    if (c->col[S_MMSI] < 0 || c->col[S_TIME] < 0 || c->col[S_LAT] < 0 || c->col[S_LON] < 0) {
        c->format = SW_CSV_NONE;
        return SW_EFORMAT;
    }
    c->format = c->col[S_MOBILE] >= 0 ? SW_CSV_AISDK : SW_CSV_MARINECADASTRE;
    return SW_OK;
}

const char *sw_csv_format_name(int format)
{
    return format == SW_CSV_MARINECADASTRE ? "marinecadastre"
           : format == SW_CSV_AISDK        ? "aisdk"
                                           : "none";
}

/* Field text into a NUL-terminated buffer; 0 when absent or empty. */
static int field(const struct sw_csv *c, int slot, const char *line, const size_t *st,
                 const size_t *ln, int k, char *buf, size_t bufsize)
{
    int i = c->col[slot];
    if (i < 0 || i >= k) return 0;
    const char *f = line + st[i];
    size_t n = ln[i];
    trim(&f, &n);
    if (n == 0 || n >= bufsize) return 0;
    memcpy(buf, f, n);
    buf[n] = '\0';
    return 1;
}

static int num(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

/* aisdk time: "DD/MM/YYYY HH:MM:SS". */
static int aisdk_time(const char *s, int64_t *ms)
{
    unsigned d, mo, y, h, mi, se;
    if (strlen(s) != 19 || s[2] != '/' || s[5] != '/' || s[10] != ' ' || s[13] != ':' ||
        s[16] != ':')
        return 0;
    for (int i = 0; i < 19; i++)
        if (i != 2 && i != 5 && i != 10 && i != 13 && i != 16 && (s[i] < '0' || s[i] > '9'))
            return 0;
    d = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
    mo = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
    y = (unsigned)(s[6] - '0') * 1000 + (unsigned)(s[7] - '0') * 100 + (unsigned)(s[8] - '0') * 10 +
        (unsigned)(s[9] - '0');
    h = (unsigned)(s[11] - '0') * 10 + (unsigned)(s[12] - '0');
    mi = (unsigned)(s[14] - '0') * 10 + (unsigned)(s[15] - '0');
    se = (unsigned)(s[17] - '0') * 10 + (unsigned)(s[18] - '0');
    if (d < 1 || d > 31 || mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 60) return 0;
    *ms = ((sw_days_from_civil(y, mo, d) * 86400) + h * 3600 + mi * 60 + se) * 1000;
    return 1;
}

struct textmap {
    const char *prefix;
    int code;
};

/* aisdk navigational status and ship type texts to ITU codes (matched by prefix). */
static const struct textmap statuses[] = {
    {"under way using", 0},   {"at anchor", 1}, {"not under command", 2}, {"restricted", 3},
    {"constrained", 4},       {"moored", 5},    {"aground", 6},           {"engaged in fish", 7},
    {"under way sailing", 8}, {"ais-sart", 14}, {"unknown", 15},          {"undefined", 15},
};
static const struct textmap shiptypes[] = {
    {"wig", 20},      {"fishing", 30},     {"towing long", 32},    {"towing", 31},
    {"dredging", 33}, {"diving", 34},      {"military", 35},       {"sailing", 36},
    {"pleasure", 37}, {"hsc", 40},         {"pilot", 50},          {"sar", 51},
    {"tug", 52},      {"port tender", 53}, {"anti-pollution", 54}, {"law enforcement", 55},
    {"medical", 58},  {"not party", 59},   {"passenger", 60},      {"cargo", 70},
    {"tanker", 80},   {"other", 90},
};

static int text_code(const struct textmap *m, size_t n, const char *s, int *code)
{
    for (size_t i = 0; i < n; i++)
        if (strncasecmp(s, m[i].prefix, strlen(m[i].prefix)) == 0) {
            *code = m[i].code;
            return 1;
        }
    return 0;
}

int sw_csv_row(const struct sw_csv *c, const char *line, size_t len, struct sw_record *r,
               int *pos_flag)
{
    size_t st[SW_CSV_MAXCOLS], ln[SW_CSV_MAXCOLS];
    char b[96];
    double v;
    sw_record_clear(r);
    *pos_flag = 0;
    if (c->format == SW_CSV_NONE) return SW_EINVAL;
    int k = split(line, len, st, ln);
    if (k < 0 || k < c->ncols - 4) /* tolerate a few missing trailing columns */
        return SW_EFORMAT;

    if (!field(c, S_MMSI, line, st, ln, k, b, sizeof b) || !num(b, &v) || v != floor(v))
        return SW_EFORMAT;
    if (v <= 0 || v > 999999999) return SW_ERANGE;
    r->mmsi = (uint32_t)v;

    if (!field(c, S_TIME, line, st, ln, k, b, sizeof b)) return SW_EFORMAT;
    if (c->format == SW_CSV_AISDK) {
        if (!aisdk_time(b, &r->t_ms)) return SW_EFORMAT;
    } else if (sw_time_parse(b, strlen(b), &r->t_ms) != SW_OK) {
        return SW_EFORMAT;
    }

    double lat = 91, lon = 181;
    int have_lat = field(c, S_LAT, line, st, ln, k, b, sizeof b) && num(b, &lat);
    int have_lon = field(c, S_LON, line, st, ln, k, b, sizeof b) && num(b, &lon);
    if (!have_lat || !have_lon || lat == 91 || lon == 181) {
        *pos_flag = 1;
    } else if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
        *pos_flag = 2;
    } else {
        r->lat = lat;
        r->lon = lon;
        r->fields |= SW_F_POS;
    }
    if (field(c, S_SOG, line, st, ln, k, b, sizeof b) && num(b, &v) && v >= 0 && v < 102.25) {
        r->sog = (float)v;
        r->fields |= SW_F_SOG;
    }
    if (field(c, S_COG, line, st, ln, k, b, sizeof b) && num(b, &v) && v >= 0 && v < 360) {
        r->cog = (float)v;
        r->fields |= SW_F_COG;
    }
    if (field(c, S_HEADING, line, st, ln, k, b, sizeof b) && num(b, &v) && v >= 0 && v < 360 &&
        v == floor(v)) {
        r->heading = (uint16_t)v;
        r->fields |= SW_F_HEADING;
    }
    if (field(c, S_STATUS, line, st, ln, k, b, sizeof b)) {
        int code;
        if (num(b, &v) && v >= 0 && v < 15 && v == floor(v)) {
            r->nav_status = (uint8_t)v;
            r->fields |= SW_F_STATUS;
        } else if (text_code(statuses, sizeof statuses / sizeof statuses[0], b, &code) &&
                   code != 15) {
            r->nav_status = (uint8_t)code;
            r->fields |= SW_F_STATUS;
        }
    }
    if (field(c, S_NAME, line, st, ln, k, b, sizeof b)) {
        sw_record_text(r->name, sizeof r->name, b, strlen(b));
        if (r->name[0] && strcasecmp(r->name, "unknown") != 0)
            r->fields |= SW_F_NAME;
        else
            r->name[0] = '\0';
    }
    if (field(c, S_CALLSIGN, line, st, ln, k, b, sizeof b)) {
        sw_record_text(r->callsign, sizeof r->callsign, b, strlen(b));
        if (r->callsign[0] && strcasecmp(r->callsign, "unknown") != 0)
            r->fields |= SW_F_CALLSIGN;
        else
            r->callsign[0] = '\0';
    }
    if (field(c, S_IMO, line, st, ln, k, b, sizeof b)) {
        const char *p = b;
        if (strncasecmp(p, "IMO", 3) == 0) p += 3;
        if (num(p, &v) && v >= 1000000 && v <= 9999999 && v == floor(v)) {
            r->imo = (uint32_t)v;
            r->fields |= SW_F_IMO;
        }
    }
    if (field(c, S_SHIPTYPE, line, st, ln, k, b, sizeof b)) {
        int code;
        if (num(b, &v) && v >= 1 && v <= 99 && v == floor(v)) {
            r->ship_type = (uint8_t)v;
            r->fields |= SW_F_SHIPTYPE;
        } else if (text_code(shiptypes, sizeof shiptypes / sizeof shiptypes[0], b, &code)) {
            r->ship_type = (uint8_t)code;
            r->fields |= SW_F_SHIPTYPE;
        }
    }
    double l = 0, w = 0;
    int hl = field(c, S_LENGTH, line, st, ln, k, b, sizeof b) && num(b, &l);
    int hw = field(c, S_WIDTH, line, st, ln, k, b, sizeof b) && num(b, &w);
    if (!hl || !hw) {
        double a = 0, bb = 0, cc = 0, d = 0;
        if (field(c, S_DIM_A, line, st, ln, k, b, sizeof b) && num(b, &a) &&
            field(c, S_DIM_B, line, st, ln, k, b, sizeof b) && num(b, &bb)) {
            l = a + bb;
            hl = 1;
        }
        if (field(c, S_DIM_C, line, st, ln, k, b, sizeof b) && num(b, &cc) &&
            field(c, S_DIM_D, line, st, ln, k, b, sizeof b) && num(b, &d)) {
            w = cc + d;
            hw = 1;
        }
    }
    if (hl && hw && l > 0 && w > 0 && l < 1000 && w < 200) {
        r->length_m = (uint16_t)lround(l);
        r->beam_m = (uint16_t)lround(w);
        r->fields |= SW_F_DIMS;
    }
    if (field(c, S_DRAUGHT, line, st, ln, k, b, sizeof b) && num(b, &v) && v > 0 && v < 30) {
        r->draught = (float)v;
        r->fields |= SW_F_DRAUGHT;
    }
    if (field(c, S_DEST, line, st, ln, k, b, sizeof b)) {
        sw_record_text(r->dest, sizeof r->dest, b, strlen(b));
        if (r->dest[0] && strcasecmp(r->dest, "unknown") != 0)
            r->fields |= SW_F_DEST;
        else
            r->dest[0] = '\0';
    }
    r->kind = SW_REC_VESSEL;
    if (field(c, S_CLASS, line, st, ln, k, b, sizeof b) && (b[0] == 'A' || b[0] == 'B'))
        r->cls = b[0];
    if (field(c, S_MOBILE, line, st, ln, k, b, sizeof b)) {
        if (strncasecmp(b, "Class A", 7) == 0)
            r->cls = 'A';
        else if (strncasecmp(b, "Class B", 7) == 0)
            r->cls = 'B';
        else if (strncasecmp(b, "Base", 4) == 0)
            r->kind = SW_REC_BASE;
        else if (strncasecmp(b, "AtoN", 4) == 0)
            r->kind = SW_REC_AID;
        else
            r->kind = SW_REC_OTHER;
    }
    /* The key: everything the row says except who heard it. */
    uint64_t h = sw_hash64(SW_HASH_INIT, &r->t_ms, sizeof r->t_ms);
    h = sw_hash64(h, &r->lat,
                  offsetof(struct sw_record, receiver) - offsetof(struct sw_record, lat));
    r->key = h;
    return SW_OK;
}
