/*
 * Normalised AIS records: what every source (NMEA via the decoder, MarineCadastre CSV, Danish
 * aisdk CSV) is turned into before dedup, event-time ordering and the vessel state. One fixed
 * size, pointer-free struct (it is copied into the reorder buffer and saved in checkpoints),
 * carrying a position part, a static (identity/voyage) part, or both (a CSV row has both).
 * Which fields are known is said by the SW_F_* bits in `fields`.
 */
#ifndef SANCTWATCH_RECORD_H
#define SANCTWATCH_RECORD_H

#include <stddef.h>
#include <stdint.h>

/* What sent the message. Only vessels get vessel state; aids to navigation are kept apart. */
enum sw_rec_kind {
    SW_REC_VESSEL = 0, /* ship station, class A or B */
    SW_REC_AID,        /* aid to navigation (type 21, aisdk "AtoN") */
    SW_REC_BASE,       /* base station (type 4/11, aisdk "Base Station"): not a vessel */
    SW_REC_OTHER,      /* SAR aircraft and the like: counted, not kept */
};

/* Field presence bits. */
#define SW_F_POS (1u << 0)     /* lat, lon (valid ranges; "not available" is never set) */
#define SW_F_SOG (1u << 1)     /* sog, knots */
#define SW_F_COG (1u << 2)     /* cog, degrees 0..<360 */
#define SW_F_HEADING (1u << 3) /* heading, degrees 0..359 */
#define SW_F_STATUS (1u << 4)  /* nav_status 0..15 */
#define SW_F_NAME (1u << 5)
#define SW_F_CALLSIGN (1u << 6)
#define SW_F_IMO (1u << 7)
#define SW_F_SHIPTYPE (1u << 8)
#define SW_F_DIMS (1u << 9) /* length_m, beam_m (sum of dimension-to-reference fields) */
#define SW_F_DRAUGHT (1u << 10)
#define SW_F_DEST (1u << 11)
#define SW_F_STATIC_MASK                                                                           \
    (SW_F_NAME | SW_F_CALLSIGN | SW_F_IMO | SW_F_SHIPTYPE | SW_F_DIMS | SW_F_DRAUGHT | SW_F_DEST)

#define SW_REC_NAME_MAX 20 /* AIS name: 20 six-bit characters */
#define SW_REC_CALLSIGN_MAX 7
#define SW_REC_DEST_MAX 20
#define SW_REC_RECEIVER_MAX 15

struct sw_record {
    int64_t t_ms;    /* event time, ms since the epoch UTC, or SW_TIME_NONE */
    uint64_t key;    /* dedup key: equal keys within the dedup window are one message */
    uint64_t seq;    /* arrival sequence number (set by the pipeline; a final tie-break) */
    double lat, lon; /* degrees, WGS 84 */
    uint32_t mmsi;
    uint32_t fields; /* SW_F_* */
    uint32_t imo;
    float sog, cog, draught;
    uint16_t heading;
    uint16_t length_m, beam_m;
    uint8_t msg_type; /* AIS message type 1..27, 0 for CSV rows */
    uint8_t kind;     /* enum sw_rec_kind */
    char cls;         /* 'A', 'B' or 0 when unknown */
    uint8_t nav_status;
    uint8_t ship_type;
    char name[SW_REC_NAME_MAX + 1]; /* trimmed of '@' and spaces; "" when absent */
    char callsign[SW_REC_CALLSIGN_MAX + 1];
    char dest[SW_REC_DEST_MAX + 1];
    char receiver[SW_REC_RECEIVER_MAX + 1]; /* receiving station, "" when unknown */
};

/* Clear a record (all bytes zero, time unknown). Records are compared and saved as bytes, so
 * always start from this. */
void sw_record_clear(struct sw_record *r);

/* A record read back from saved state is usable: the fields it says it has are in the ranges
 * the decoders and CSV readers give (lat/lon, SOG 0..102.2 kn, COG 0..<360, heading 0..359,
 * status 0..15, draught 0..30 m), only known field bits, kind and class known, strings
 * terminated. Times are the caller's (their range depends on the context). SW_OK or
 * SW_EFORMAT. */
int sw_record_check(const struct sw_record *r);

/* Copy an AIS text field (6-bit text already turned into ASCII) into dst of dstsize bytes,
 * dropping '@' padding and surrounding spaces, control characters replaced by '?'. */
void sw_record_text(char *dst, size_t dstsize, const char *src, size_t len);

/* 64-bit FNV-1a over len bytes, continuing from h (start with SW_HASH_INIT). */
#define SW_HASH_INIT 1469598103934665603ULL
uint64_t sw_hash64(uint64_t h, const void *data, size_t len);

#endif
