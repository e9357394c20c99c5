/*
 * AIS message decoding (ITU-R M.1371 types 1 to 27) from a de-armoured NMEA payload into a
 * struct the caller provides, and gpsd-compatible JSON output. No allocation per message.
 * (The framing layer, sanctwatch/nmea.h, turns NMEA lines into payloads.)
 */
#ifndef SANCTWATCH_AIS_H
#define SANCTWATCH_AIS_H

#include <stddef.h>
#include <stdint.h>

#include "sanctwatch/buf.h"

struct sw_ais {
    int type;      /* 1..27 */
    int repeat;    /* 0..3 */
    uint32_t mmsi; /* 30 bits */
    /* per-type fields: see the full definition (work in progress) */
};

/* Decode an armoured payload (6-bit ASCII as in AIVDM field 6) with fill_bits (0..5) into
 * *out. Returns SW_OK, or SW_ETRUNCATED / SW_EFORMAT / SW_EUNSUPPORTED with *out undefined. */
int sw_ais_decode(const char *payload, size_t len, int fill_bits, struct sw_ais *out);

/* Append the gpsd-style JSON fields of *m ("type":..,"repeat":..,...) without braces and
 * without "class"/"device", so the caller can add its own fields. scaled selects gpsd's -j
 * (scaled) or -u (raw integer) form. */
int sw_ais_json_fields(const struct sw_ais *m, int scaled, struct sw_buf *out);

#endif
