/*
 * The scenario simulator and the AIS encoder it uses.
 *
 * The encoder packs ITU-R M.1371 messages (types 1/2/3, 5, 18, 19, 24 A and B) into the 6-bit
 * armoured payload and wraps payloads into !AIVDM sentences with NMEA 4.0 tag blocks (s:
 * source, c: receive time in seconds, g: sentence group for multi-sentence messages). It is
 * the inverse of sw_ais_decode() and the framer in sanctwatch/nmea.h.
 *
 * The simulator writes deterministic synthetic traffic (same seed, same bytes) in the North-
 * East Asian seas: background vessels on real shipping lanes that stay at sea, several
 * receivers with reception loss, duplicates and late delivery, class A and B, injected
 * behaviour of every DESIGN.md event type and hard negatives, and the ground truth as JSON.
 * See docs/simulate.md for the model, the truth format and the labelling conventions.
 */
#ifndef SANCTWATCH_SIM_H
#define SANCTWATCH_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "sanctwatch/buf.h"
#include "sanctwatch/geo.h"

/* ---- encoder ------------------------------------------------------------------------------ */

/* What to encode. Units are physical (degrees, knots, metres); the encoder rounds to the
 * message's resolution and writes "not available" for NAN / negative values as noted. */
struct sw_aisenc_msg {
    int type; /* 1, 2, 3, 5, 18, 19, 24 */
    int part; /* type 24: 0 = part A (name), 1 = part B (type, call sign, dimensions) */
    uint32_t mmsi;
    int repeat;
    /* position reports (1/2/3, 18, 19) */
    double lat, lon; /* NAN: not available */
    double sog_kn;   /* NAN: not available */
    double cog_deg;  /* NAN: not available */
    int heading;     /* -1: not available */
    int nav_status;  /* 0..15 (types 1/2/3) */
    int second;      /* UTC second 0..59, 60 n/a */
    /* static (5, 19, 24) */
    uint32_t imo; /* 0 n/a */
    char callsign[8];
    char name[21];
    char dest[21];
    int ship_type;
    int to_bow, to_stern, to_port, to_starboard;
    double draught_m;
    int eta_month, eta_day, eta_hour, eta_minute; /* 0,0,24,60 n/a */
};

/* Longest armoured payload the encoder writes (type 5: 424 bits = 71 characters). */
#define SW_AISENC_MAX_PAYLOAD 96

/* Encode into payload (NUL-terminated, at most SW_AISENC_MAX_PAYLOAD characters).
 * Errors: SW_EINVAL (unsupported type or field out of range). */
int sw_aisenc_encode(const struct sw_aisenc_msg *m, char *payload, size_t *len, int *fill_bits);

/* Append the sentences of one message (split at 60 payload characters) to out, each line
 * ending in "\n": "\s:SRC,c:SECS*hh\!AIVDM,1,1,,A,PAYLOAD,0*hh", and for several sentences
 * a g:n-N-GID field in each tag block (s: and c: in the first only) and sequence id seq.
 * source may be NULL (no s:), time_s < 0 means no c:. */
int sw_aisenc_nmea(const char *payload, size_t len, int fill_bits, const char *source,
                   int64_t time_s, char channel, int seq, int group_id, struct sw_buf *out);

/* ---- simulator ---------------------------------------------------------------------------- */

struct sw_sim_opts {
    uint64_t seed;
    double hours;     /* length of the run (24..168), default 36 */
    int vessels;      /* background vessels on the lanes (0..500), default 30 */
    int64_t start_ms; /* start time, default 2024-03-01T00:00:00Z */
};

void sw_sim_opts_default(struct sw_sim_opts *o);

/* Called with each output line (without '\n'), in delivery order. A non-zero return stops
 * the run and is returned by sw_sim_run. */
typedef int (*sw_sim_emit_fn)(void *ctx, const char *line, size_t len);

struct sw_sim_stats {
    uint64_t lines, messages, transmissions, lost, duplicates, late;
    size_t vessels, truth_events, negatives;
};

/* Run the simulation with the geo knowledge g (land mask, ports, zones: scenario places are
 * checked against them). Writes the truth JSON (docs/simulate.md) into *truth. Memory is
 * bounded by the number of vessels and the reorder window, not by the length of the run.
 * Errors: SW_EINVAL (options out of range), SW_ENOMEM, or the emit callback's value. */
int sw_sim_run(const struct sw_sim_opts *o, const struct sw_geo *g, sw_sim_emit_fn emit, void *ctx,
               struct sw_buf *truth, struct sw_sim_stats *stats);

/* The tag-block receive time (c:, seconds) of an output line: 1 and *secs when the line's tag
 * block has one, 0 otherwise (the second sentence of a group carries none). For splitting the
 * output into files by time (`simulate --split-hours`). */
int sw_sim_line_time(const char *line, size_t len, int64_t *secs);
/* At most this many split files: 168 hours, one an hour. */
#define SW_SIM_MAX_SPLITS 168

/* IMO number check digit rule: 1 when the 7-digit number's last digit is right. */
int sw_sim_imo_valid(uint32_t imo);
/* The check digit that makes the 6-digit stem (imo / 10) valid. */
int sw_sim_imo_check_digit(uint32_t imo);

#endif
