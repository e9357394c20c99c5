/*
 * AIS message decoding (ITU-R M.1371 types 1 to 27) from a de-armoured NMEA payload into a
 * struct the caller provides, and gpsd-compatible JSON output. No allocation per message.
 * (The framing layer, sanctwatch/nmea.h, turns NMEA lines into payloads.)
 *
 * Field names follow gpsd's JSON (and its ais_t). Every number is kept in the raw units of
 * the air message; the scaling and the "not available" value are documented beside each
 * field, and docs/ais.md has the whole table. Strings are NUL-terminated, decoded from the
 * 6-bit alphabet, cut at the first '@' and with trailing spaces removed, as gpsd does.
 *
 * Ownership: everything lives inside the caller's struct sw_ais; nothing is allocated and
 * nothing points outside it. A struct sw_ais is about 430 bytes; decode into one you reuse.
 */
#ifndef SANCTWATCH_AIS_H
#define SANCTWATCH_AIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sanctwatch/buf.h"

/* Longest binary payload of a message: 5 slots (1008 bits). The raw-bit arrays below are
 * sized for it; the types that carry them (6, 8, 17, 25, 26) are never longer. */
#define SW_AIS_MAX_BITS 1008
#define SW_AIS_MAX_BYTES ((SW_AIS_MAX_BITS + 7) / 8)
/* Longest payload accepted at all: gpsd reassembles up to 2046 bits (341 characters) and
 * decodes over-long messages of the types whose length it checks leniently (1-4, 5, 9-11,
 * 18, 19, 22, 23, 24 B), ignoring the extra bits; so do we. */
#define SW_AIS_MAX_INPUT_BITS 2046

/* "Not available" values of the common fields (raw units). */
#define SW_AIS_LON_NA 108600000 /* 181 deg in 1/10000 min (types 1-4, 9, 11, 18, 19, 21) */
#define SW_AIS_LAT_NA 54600000  /* 91 deg in 1/10000 min */
#define SW_AIS_LON_NA_27 108600 /* 181 deg in 1/10 min (type 27; also 17, 22, 23 are 1/10 min) */
#define SW_AIS_LAT_NA_27 54600  /* 91 deg in 1/10 min */
#define SW_AIS_SPEED_NA 1023    /* speed over ground in 1/10 knot; 1022 means >= 102.2 kn */
#define SW_AIS_COURSE_NA 3600   /* course over ground in 1/10 degree */
#define SW_AIS_HEADING_NA 511   /* true heading in degrees */
#define SW_AIS_TURN_NA (-128)   /* rate of turn, raw ROT_AIS */
#define SW_AIS_SECOND_NA 60     /* UTC second of the fix; 61 manual, 62 dead reckoning, 63 off */
#define SW_AIS_IMO_NA 0
#define SW_AIS_DRAUGHT_NA 0

/* Type 24 part: gpsd-compatible output only ever shows a merged A+B (see the session API). */
enum sw_ais_part { SW_AIS_PART_A = 0, SW_AIS_PART_B = 1, SW_AIS_PART_AB = 2 };

/* Which application-specific payload of a type 6/8 message was decoded (app.* member);
 * SW_AIS_APP_NONE means only the raw bits (bitcount/bitdata) are meaningful. */
enum sw_ais_app {
    SW_AIS_APP_NONE = 0,
    SW_AIS_APP_6_1_12,   /* IMO 236 dangerous cargo indication: app.dangerous_cargo */
    SW_AIS_APP_6_1_14,   /* IMO 236 tidal window: app.tidal_window */
    SW_AIS_APP_6_1_18,   /* IMO 289 clearance time to enter port: app.clearance */
    SW_AIS_APP_6_1_30,   /* IMO 289 text (addressed): app.text */
    SW_AIS_APP_6_1_32,   /* IMO 289 tidal window: app.tidal_window */
    SW_AIS_APP_6_200_55, /* inland (DAC 200) persons on board: app.persons_onboard */
    SW_AIS_APP_6_235_10, /* UK/ROI (DAC 235, 250) AtoN monitoring data: app.aton_mon */
    SW_AIS_APP_8_1_11,   /* IMO 236 meteorological/hydrological data: app.met */
    SW_AIS_APP_8_1_31,   /* IMO 289 meteorological/hydrological data: app.met */
    SW_AIS_APP_8_200_10, /* inland ship static and voyage data: app.inland_static */
    SW_AIS_APP_6_1_15,   /* IMO 289 extended ship static data (air draught): app.airdraught */
    SW_AIS_APP_6_1_16,   /* IMO 289 number of persons on board: app.persons_onboard */
    SW_AIS_APP_8_1_15,   /* IMO 289 extended ship static data, broadcast: app.airdraught */
    SW_AIS_APP_8_1_29,   /* IMO 289 text, broadcast: app.text */
    SW_AIS_APP_8_200_24, /* inland water levels: app.water_level */
    SW_AIS_APP_6_1_28,   /* IMO 289 route information, addressed: app.route */
    SW_AIS_APP_8_1_27,   /* IMO 289 route information, broadcast: app.route */
    SW_AIS_APP_6_1_25,   /* IMO 289 dangerous cargo indication: app.cargo */
    SW_AIS_APP_8_1_13,   /* IMO 289 fairway closed: app.fairway */
};

/* Meteorological / hydrological report (8/1/11 and 8/1/31). Raw units; "n/a" values are
 * given per field for 1/11 (IMO 236) and 1/31 (IMO 289), which differ. */
struct sw_ais_met {
    int32_t lon, lat; /* 1/11: 1/1000 min (25/24 bits); 1/31: 1/1000 min (25/24 bits) */
    bool accuracy;    /* 1/31 only */
    uint8_t day, hour, minute;
    uint8_t wspeed, wgust;   /* knots, 127 n/a */
    uint16_t wdir, wgustdir; /* degrees; 1/11: 511 n/a, 1/31: 360 n/a */
    int16_t airtemp;         /* 1/11: (raw - 600) / 10 degC unsigned 11 bits, 2047 n/a;
                                1/31: signed 11 bits, 0.1 degC, -1024 n/a */
    uint8_t humidity;        /* percent; 1/11: 127 n/a, 1/31: 101 n/a */
    int16_t dewpoint;  /* 1/11: (raw - 200) / 10 degC, 1023 n/a; 1/31: signed 0.1 degC, 501 n/a */
    uint16_t pressure; /* 1/11: raw + 800 hPa, 511 n/a; 1/31: raw + 799 hPa, 511 n/a */
    uint8_t pressuretend; /* 0 steady, 1 decreasing, 2 increasing, 3 n/a */
    bool visgreater;      /* 1/31 only */
    uint8_t visibility;   /* 0.1 nm; 1/11: 8 bits (255 n/a), 1/31: 7 bits (127 n/a) */
    int16_t waterlevel;   /* 1/11: (raw - 100) / 10 m, 511 n/a; 1/31: signed 0.01 m, 4001 n/a */
    uint8_t leveltrend;   /* as pressuretend */
    uint8_t cspeed;       /* 0.1 kn, 255 n/a */
    uint16_t cdir;        /* degrees */
    uint8_t cspeed2;
    uint16_t cdir2;
    uint8_t cdepth2; /* m (1/31: 0.1 m) */
    uint8_t cspeed3;
    uint16_t cdir3;
    uint8_t cdepth3;
    uint8_t waveheight; /* 0.1 m, 255 n/a */
    uint8_t waveperiod; /* seconds, 63 n/a */
    uint16_t wavedir;
    uint8_t swellheight;
    uint8_t swellperiod;
    uint16_t swelldir;
    uint8_t seastate;   /* Beaufort, 13 (1/31) or 15 n/a */
    int16_t watertemp;  /* 1/11: (raw - 100) / 10 degC, 1023 n/a; 1/31: signed 0.1 degC, 501 n/a */
    uint8_t preciptype; /* 1/11: 7 n/a; 1/31: 7 n/a */
    uint16_t salinity;  /* 0.1 permille, 1/11: 511 n/a, 1/31: 510 n/a, 511 n/a */
    uint8_t ice;        /* 0 no, 1 yes, 3 n/a */
};

struct sw_ais_tidal {
    int32_t lon, lat; /* 1/1000 min (6/1/14: lat 27 bits, lon 28; 6/1/32: 25, 24 bits) */
    uint8_t from_hour, from_min, to_hour, to_min;
    uint16_t cdir;  /* degrees, 360 n/a */
    uint8_t cspeed; /* 0.1 kn, 127 (1/14) or 251 (1/32) n/a */
};

/* Application payloads of types 6 and 8 (selected by sw_ais.t6 / t8 .app). */
union sw_ais_app_data {
    struct { /* 6/1/12 */
        char lastport[6];
        uint8_t lmonth, lday, lhour, lminute;
        char nextport[6];
        uint8_t nmonth, nday, nhour, nminute;
        char dangerous[33];
        char imdcat[5];
        uint16_t unid;
        uint16_t amount;
        uint8_t unit;
    } dangerous_cargo;
    struct { /* 6/1/14 and 6/1/32 */
        uint8_t month, day;
        uint8_t ntidals; /* as gpsd: one entry per started block from bit 97 (0..11;
                            the standard has 3, the rest of a long message follows) */
        struct sw_ais_tidal tidals[11];
    } tidal_window;
    struct { /* 6/1/18 */
        uint16_t linkage;
        uint8_t month, day, hour, minute;
        char portname[21];
        char destination[6];
        int32_t lon, lat; /* 1/1000 min, 25 and 24 bits */
    } clearance;
    struct { /* 6/1/30 and 8/1/29 */
        uint16_t linkage;
        char text[162];
    } text;
    struct {             /* 8/200/24 inland water levels */
        char country[3]; /* UN country code, 2 characters */
        struct {
            uint16_t id;   /* gauge id, 0 unknown */
            int16_t level; /* cm, 14-bit two's complement as gpsd reads it */
        } gauges[4];
    } water_level;
    struct { /* 6/1/28 and 8/1/27 route information */
        uint16_t linkage;
        uint8_t sender;                   /* 0 ship, 1 authority */
        uint8_t rtype;                    /* route type, 0 undefined .. 31 cancel */
        uint8_t month, day, hour, minute; /* start, 0/0/24/60 n/a */
        uint32_t duration;                /* minutes, 0 cancel */
        uint8_t nwaypoints;               /* the count field (0..31), as gpsd: points past the end
                                             of the message read as 0 */
        struct {
            int32_t lon, lat; /* 1/10000 min (28 and 27 bits) */
        } waypoints[31];
    } route;
    struct {          /* 6/1/25 IMO 289 dangerous cargo indication */
        uint8_t unit; /* 0 n/a, 1 kg, 2 tonnes, 3 1000 tonnes */
        uint16_t amount;
        uint8_t ncargos; /* one per 17-bit block started from bit 100 (0..54) */
        struct {
            uint8_t code;     /* 4 bits: cargo class (IMDG, IBC, ...) */
            uint16_t subtype; /* 13 bits */
        } cargos[54];
    } cargo;
    struct { /* 8/1/13 IMO 289 fairway closed */
        char reason[21];
        char closefrom[21]; /* location names */
        char closeto[21];
        uint16_t radius;                      /* extension of the closed area, in extunit */
        uint8_t extunit;                      /* 0 m, 1 km, 2 nm, 3 cable */
        uint8_t fmonth, fday, fhour, fminute; /* closed from (UTC) */
        uint8_t tmonth, tday, thour, tminute; /* closed to */
    } fairway;
    uint16_t airdraught;      /* 6/1/15 and 8/1/15: air draught in metres, 0 n/a */
    uint16_t persons_onboard; /* 6/1/16: persons on board, 0 n/a */
    struct {                  /* 6/200/55 */
        uint8_t crew;         /* 255 unknown */
        uint16_t passengers;  /* 8191 unknown */
        uint8_t personnel;    /* 255 unknown */
    } persons;
    struct {               /* 6/235/10 and 6/250/10 */
        uint16_t ana_int;  /* 0.05 V */
        uint16_t ana_ext1; /* 0.05 V */
        uint16_t ana_ext2; /* 0.05 V */
        uint8_t racon;     /* 0 none, 1 not monitored, 2 operational, 3 error */
        uint8_t light;     /* 0 none, 1 on, 2 off, 3 error */
        bool alarm;
        uint8_t stat_ext; /* 8 status bits */
        bool off_pos;
    } aton_mon;
    struct sw_ais_met met; /* 8/1/11 and 8/1/31 */
    struct {               /* 8/200/10 */
        char vin[9];       /* ENI number */
        uint16_t length;   /* 0.1 m */
        uint16_t beam;     /* 0.1 m */
        uint16_t shiptype; /* ERI code */
        uint8_t hazard;    /* number of blue cones, 5 unknown */
        uint16_t draught;  /* 0.01 m */
        uint8_t loaded;    /* 0 n/a, 1 loaded, 2 unloaded */
        bool speed_q, course_q, heading_q;
    } inland_static;
};

/* Positions are signed integers in 1/10000 minute (divide by 600000.0 for degrees) unless
 * a field says otherwise. Booleans are the single flag bits. */
struct sw_ais {
    int type;      /* 1..27 */
    int repeat;    /* 0..3 */
    uint32_t mmsi; /* 30 bits */
    union {
        struct {            /* types 1, 2, 3: class A position report */
            uint8_t status; /* navigation status 0..15, 15 undefined */
            int8_t turn;    /* ROT_AIS raw -128..127, SW_AIS_TURN_NA */
            uint16_t speed; /* 0.1 kn, SW_AIS_SPEED_NA */
            bool accuracy;
            int32_t lon, lat; /* 1/10000 min, SW_AIS_LON_NA / SW_AIS_LAT_NA */
            uint16_t course;  /* 0.1 deg, SW_AIS_COURSE_NA */
            uint16_t heading; /* deg, SW_AIS_HEADING_NA */
            uint8_t second;   /* SW_AIS_SECOND_NA */
            uint8_t maneuver; /* 0 n/a, 1 no special, 2 special */
            bool raim;
            uint32_t radio; /* 19 bits of radio status */
        } t1;
        struct {                /* types 4 and 11: base station report / UTC response */
            uint16_t year;      /* 0 n/a */
            uint8_t month, day; /* 0 n/a */
            uint8_t hour;       /* 24 n/a */
            uint8_t minute;     /* 60 n/a */
            uint8_t second;     /* 60 n/a */
            bool accuracy;
            int32_t lon, lat;
            uint8_t epfd; /* 0..15, see sw_ais_epfd_text() */
            bool raim;
            uint32_t radio;
        } t4;
        struct { /* type 5: static and voyage data */
            uint8_t ais_version;
            uint32_t imo; /* SW_AIS_IMO_NA */
            char callsign[8];
            char shipname[21];
            uint8_t shiptype; /* 0 n/a */
            uint16_t to_bow;  /* metres, 0 n/a */
            uint16_t to_stern;
            uint8_t to_port;
            uint8_t to_starboard;
            uint8_t epfd;
            uint8_t month, day; /* ETA, 0 n/a */
            uint8_t hour;       /* 24 n/a */
            uint8_t minute;     /* 60 n/a */
            uint8_t draught;    /* 0.1 m, SW_AIS_DRAUGHT_NA */
            char destination[21];
            bool dte;
        } t5;
        struct { /* type 6: addressed binary message */
            uint8_t seqno;
            uint32_t dest_mmsi;
            bool retransmit;
            uint16_t dac;
            uint8_t fid;
            enum sw_ais_app app;               /* which of .data is valid */
            uint16_t bitcount;                 /* application bits after dac/fid (bit 88 on) */
            uint8_t bitdata[SW_AIS_MAX_BYTES]; /* MSB first, unused bits zero */
            union sw_ais_app_data data;
        } t6;
        struct {              /* types 7 and 13: binary / safety acknowledge */
            uint32_t mmsi[4]; /* 0 = absent */
            uint8_t seqno[4];
            uint8_t count; /* acknowledgements present, 1..4 */
        } t7;
        struct { /* type 8: broadcast binary message */
            uint16_t dac;
            uint8_t fid;
            enum sw_ais_app app;
            uint16_t bitcount; /* bits after dac/fid (bit 56 on) */
            uint8_t bitdata[SW_AIS_MAX_BYTES];
            union sw_ais_app_data data;
        } t8;
        struct {            /* type 9: SAR aircraft position report */
            uint16_t alt;   /* metres, 4095 n/a, 4094 means >= 4094 */
            uint16_t speed; /* knots (not tenths), 1023 n/a, 1022 >= 1022 */
            bool accuracy;
            int32_t lon, lat;
            uint16_t course; /* 0.1 deg */
            uint8_t second;
            uint8_t regional;
            bool dte;
            bool assigned;
            bool raim;
            uint32_t radio; /* 20 bits */
        } t9;
        struct { /* type 10: UTC/date inquiry */
            uint32_t dest_mmsi;
        } t10;
        struct { /* type 12: addressed safety message */
            uint8_t seqno;
            uint32_t dest_mmsi;
            bool retransmit;
            char text[158];
        } t12;
        struct { /* type 14: broadcast safety message */
            char text[162];
        } t14;
        struct { /* type 15: interrogation */
            uint32_t mmsi1;
            uint8_t type1_1;
            uint16_t offset1_1;
            uint8_t type1_2;
            uint16_t offset1_2;
            uint32_t mmsi2;
            uint8_t type2_1;
            uint16_t offset2_1;
        } t15;
        struct { /* type 16: assignment mode command */
            uint32_t mmsi1;
            uint16_t offset1, increment1;
            uint32_t mmsi2; /* 0 when only one assignment was sent */
            uint16_t offset2, increment2;
        } t16;
        struct {               /* type 17: DGNSS broadcast */
            int32_t lon, lat;  /* 1/10 min, 18 and 17 bits */
            uint16_t bitcount; /* correction bits from bit 80 on */
            uint8_t bitdata[SW_AIS_MAX_BYTES];
        } t17;
        struct {              /* types 18 and 19: class B position (19 adds static data) */
            uint8_t reserved; /* 8 bits regional reserve */
            uint16_t speed;   /* 0.1 kn */
            bool accuracy;
            int32_t lon, lat;
            uint16_t course; /* 0.1 deg */
            uint16_t heading;
            uint8_t second;
            uint8_t regional;                   /* 2 bits (type 18) / 4 bits (type 19) */
            bool cs, display, dsc, band, msg22; /* type 18 only */
            bool assigned;
            bool raim;
            uint32_t radio;    /* type 18 only, 20 bits */
            char shipname[21]; /* type 19 only from here */
            uint8_t shiptype;
            uint16_t to_bow, to_stern;
            uint8_t to_port, to_starboard;
            uint8_t epfd;
            bool dte;
        } t18;
        struct { /* type 20: data link management; unused slots are 0 */
            uint16_t offset[4];
            uint8_t number[4];
            uint8_t timeout[4];
            uint16_t increment[4];
        } t20;
        struct { /* type 21: aid-to-navigation report */
            uint8_t aid_type;
            char name[35]; /* 20 characters plus the name extension (up to 14
                              kept), spaces inside kept as gpsd does */
            bool accuracy;
            int32_t lon, lat;
            uint16_t to_bow, to_stern;
            uint8_t to_port, to_starboard;
            uint8_t epfd;
            uint8_t second;
            bool off_position;
            uint8_t regional;
            bool raim;
            bool virtual_aid;
            bool assigned;
        } t21;
        struct { /* type 22: channel management */
            uint16_t channel_a, channel_b;
            uint8_t txrx;
            bool power;
            int32_t ne_lon, ne_lat, sw_lon, sw_lat; /* 1/10 min (when !addressed) */
            uint32_t dest1, dest2;                  /* when addressed */
            bool addressed;
            bool band_a, band_b;
            uint8_t zonesize;
        } t22;
        struct {                                    /* type 23: group assignment command */
            int32_t ne_lon, ne_lat, sw_lon, sw_lat; /* 1/10 min */
            uint8_t stationtype;
            uint8_t shiptype;
            uint8_t txrx;
            uint8_t interval;
            uint8_t quiet; /* minutes, 0 none */
        } t23;
        struct { /* type 24: class B static data, part A (name) or B (the rest) */
            enum sw_ais_part part;
            char shipname[21]; /* part A (or merged) */
            uint8_t shiptype;  /* part B from here */
            char vendorid[8];
            uint8_t model;
            uint32_t serial;
            char callsign[8];
            uint16_t to_bow, to_stern; /* dimensions, unless auxiliary craft (MMSI 98XXXXXXX) */
            uint8_t to_port, to_starboard;
            uint32_t mothership_mmsi; /* auxiliary craft only */
        } t24;
        struct { /* types 25 and 26: single / multiple slot binary */
            bool addressed, structured;
            uint32_t dest_mmsi; /* 0 when not addressed */
            uint16_t app_id;    /* dac << 6 | fid, 0 when unstructured */
            uint16_t bitcount;
            uint8_t bitdata[SW_AIS_MAX_BYTES];
            uint32_t radio; /* type 26 only, 20 bits */
        } t25;
        struct { /* type 27: long-range position */
            bool accuracy;
            bool raim;
            uint8_t status;
            int32_t lon, lat; /* 1/10 min, SW_AIS_LON_NA_27 / SW_AIS_LAT_NA_27 */
            uint8_t speed;    /* knots, 63 n/a */
            uint16_t course;  /* degrees, 511 n/a */
            bool gnss;        /* false: current GNSS position, true: not */
        } t27;
    } u;
};

/* Decode an armoured payload (6-bit ASCII as in AIVDM field 6) with fill_bits (0..5) into
 * *out. Stateless: type 24 parts come out separately (u.t24.part A or B).
 * Returns SW_OK; SW_EFORMAT for a character outside the 6-bit alphabet or fill_bits out of
 * range; SW_ETRUNCATED when the message is shorter than its type needs; SW_ETOOBIG when it
 * is longer than gpsd accepts for that type (or than SW_AIS_MAX_INPUT_BITS); SW_EUNSUPPORTED for
 * type 0 or > 27. *out is undefined after an error. */
int sw_ais_decode(const char *payload, size_t len, int fill_bits, struct sw_ais *out);

/* gpsd-compatible stream decoding: keeps the last 8 type-24 part A names by MMSI, as gpsd
 * does, and reports a part B merged with its part A (u.t24.part == SW_AIS_PART_AB). Like
 * gpsd it keeps one such queue per radio channel (A, '1' or none; B or '2'), so a part B
 * only finds a part A heard on the same channel.
 * The caller owns the struct (plain data, no release needed); sw_ais_session_init zeroes it. */
struct sw_ais_session {
    struct {
        uint32_t mmsi;
        char shipname[21];
    } t24[2][8];
    unsigned t24_next[2];
};
void sw_ais_session_init(struct sw_ais_session *s);
/* As sw_ais_decode, then: a type 24 part A is stashed and SW_EAGAIN returned (gpsd prints
 * nothing); a part B with a stashed part A of the same MMSI is merged and returned as
 * SW_AIS_PART_AB (the stash entry is used up); a part B without one gives SW_EAGAIN.
 * Everything else is returned as sw_ais_decode returns it. Uses channel A's queue. */
int sw_ais_session_decode(struct sw_ais_session *s, const char *payload, size_t len, int fill_bits,
                          struct sw_ais *out);
/* The same for a message heard on channel (the AIVDM channel field: 'A', 'B', '1', '2', or
 * '\0' when empty), which selects the type 24 queue as gpsd does. */
int sw_ais_session_decode_on(struct sw_ais_session *s, char channel, const char *payload,
                             size_t len, int fill_bits, struct sw_ais *out);

/* Append the gpsd-style JSON fields of *m ("type":..,"repeat":..,...) without braces and
 * without "class"/"device", so the caller can add its own fields. scaled selects gpsd's -j
 * (scaled) or -u (raw integer) form. *m must have been filled by a successful decode (its
 * strings NUL-terminated). Returns SW_OK or the sw_buf error (SW_ETOOBIG when out's
 * maximum would be exceeded; out then holds a partial object and should be reset). */
int sw_ais_json_fields(const struct sw_ais *m, int scaled, struct sw_buf *out);

/* Text tables as gpsd prints them (static strings, never NULL). */
const char *sw_ais_status_text(unsigned status);
const char *sw_ais_shiptype_text(unsigned shiptype);
const char *sw_ais_epfd_text(unsigned epfd);

#endif
