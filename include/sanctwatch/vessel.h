/*
 * Vessel state: the picture of every vessel, kept in memory by MMSI while records stream in
 * (after dedup and event-time ordering) and saved to the store at checkpoints. Per vessel:
 * the latest fix, a short recent track, the identity (name, IMO, call sign, ship type,
 * dimensions, flag from the MID) with the time span of the current identity, and the
 * downsampler that decides which fixes become stored track points. Memory per vessel is
 * fixed (struct sw_vessel is pointer-free, so it is saved byte for byte in checkpoints).
 */
#ifndef SANCTWATCH_VESSEL_H
#define SANCTWATCH_VESSEL_H

#include <stddef.h>
#include <stdint.h>

#include "sanctwatch/record.h"

/* Fixes kept in the in-memory recent track: the latest and the one before it, which is all
 * the stages read (8 until the detectors' cost at fleet size was measured: 240 bytes a vessel
 * that nothing read; such saved vessels are converted, sw_vessel_from_r8). */
#define SW_VESSEL_RECENT 2

struct sw_fix {
    int64_t t_ms;
    double lat, lon;
    float sog, cog;   /* knots, degrees; NaN when unknown */
    uint16_t heading; /* 511 when unknown */
    uint8_t status;   /* navigation status, 15 when unknown */
    uint8_t msg_type;
};

/* The identity a vessel broadcasts. A field is known when its bit is set in `fields`. */
struct sw_identity {
    uint32_t fields; /* SW_F_NAME | SW_F_CALLSIGN | SW_F_IMO | SW_F_SHIPTYPE | SW_F_DIMS */
    uint32_t imo;
    uint16_t length_m, beam_m;
    uint8_t ship_type;
    char name[SW_REC_NAME_MAX + 1];
    char callsign[SW_REC_CALLSIGN_MAX + 1];
    char flag[3]; /* from the MMSI's MID, "" when unallocated */
};

/* What the store lacks of a vessel (sw_vessel.dirty): its saved state, its rows. */
#define SW_VESSEL_DIRTY_STATE 1 /* changed since its state was last saved */
#define SW_VESSEL_DIRTY_ROWS 2  /* changed since its vessels/identity rows were last written */
#define SW_VESSEL_DIRTY_LOG 4   /* changed since its state was last saved in the database */
/* Hints for the store (sw_vessel.dirty too): its vessels row, and the identity_history row of
 * its current identity, have been written (an update then suffices; without the hint, an
 * insert, which replaces a row that exists after all). */
#define SW_VESSEL_ROW_WRITTEN 8
#define SW_VESSEL_ID_WRITTEN 16

struct sw_vessel {
    uint32_t mmsi;
    char cls;      /* 'A', 'B', 0 unknown */
    uint8_t dirty; /* SW_VESSEL_DIRTY_* bits */
    uint8_t has_fix;
    uint8_t last_kept; /* the latest fix was stored as a track point */
    uint16_t recent_n, recent_head;
    int64_t first_seen, last_seen; /* any record */
    uint64_t n_pos, n_static;
    struct sw_fix last; /* latest fix (valid when has_fix) */
    struct sw_fix kept; /* latest stored track point (valid when kept.t_ms != 0) */
    struct sw_fix recent[SW_VESSEL_RECENT]; /* ring, oldest at recent_head */
    struct sw_identity id;                  /* current identity */
    uint32_t id_seq; /* number of the current identity (1, 2, ...; 0 before any) */
    int64_t id_first_seen, id_last_seen;
    float draught; /* metres, NaN unknown */
    char dest[SW_REC_DEST_MAX + 1];
};

/* Track downsampling: a fix is stored when it is the first, or starts after a gap, or the
 * course turned, or the vessel stopped or started, or it moved far or long enough since the
 * last stored point; the fix before a gap, turn or stop is stored too, so shapes survive. */
struct sw_track_config {
    int64_t gap_ms;          /* silence that makes a gap (default 30 min) */
    int64_t max_interval_ms; /* store at least one fix this often (default 10 min) */
    double max_distance_m;   /* ... or this far from the last stored point (default 5 km) */
    double turn_deg;         /* course change that makes a turn (default 20) */
    double stop_kn;          /* below this speed the vessel is stopped (default 0.5) */
};
void sw_track_config_default(struct sw_track_config *c);

/* What one update produced for the store. */
struct sw_vessel_out {
    size_t slot;  /* the vessel's slot (sw_vessels_find) */
    int n_points; /* 0..2 track points to store, in time order */
    struct sw_fix points[2];
    int identity_closed; /* the identity changed: `closed` (seq closed_seq) is final */
    int closed_written;  /* its row had been written (SW_VESSEL_ID_WRITTEN) */
    struct sw_identity closed;
    uint32_t closed_seq;
    int64_t closed_first, closed_last;
};

/* The table of vessels by MMSI. Caller frees with sw_vessels_free(). */
struct sw_vessels;
/* max_vessels bounds memory (0: 4,000,000); records for further new MMSIs fail SW_ETOOBIG. */
int sw_vessels_new(struct sw_vessels **out, size_t max_vessels, const struct sw_track_config *tc);
void sw_vessels_free(struct sw_vessels *vs);

/* Apply one record (kind SW_REC_VESSEL, ordered by time) to its vessel, creating it when new.
 * *v is set to the vessel. Vessels never move: the pointer stays valid until
 * sw_vessels_free(). */
int sw_vessels_update(struct sw_vessels *vs, const struct sw_record *r, struct sw_vessel **v,
                      struct sw_vessel_out *out);
/* NULL when unknown. Valid until sw_vessels_free(). */
struct sw_vessel *sw_vessels_get(struct sw_vessels *vs, uint32_t mmsi);
/* The slot of a vessel (its number in creation order, 0 <= slot < count, the index of
 * sw_vessels_at): 1 with *slot set, 0 when unknown. A vessel keeps its slot for the life of
 * the table; stages keep their own per-vessel state in arrays indexed by it. */
int sw_vessels_find(const struct sw_vessels *vs, uint32_t mmsi, size_t *slot);
/* Cache hints for a vessel about to be updated (no effect on results): stage 0 starts
 * loading its index slot, stage 1 (some time later) the parts of the vessel an update reads,
 * stage 2 (later still) the slot of its recent track the next fix goes to. */
void sw_vessels_prefetch(const struct sw_vessels *vs, uint32_t mmsi, int stage);
size_t sw_vessels_count(const struct sw_vessels *vs);
/* The i-th vessel (0 <= i < count), in creation order. */
struct sw_vessel *sw_vessels_at(struct sw_vessels *vs, size_t i);
/* A stage changed the saved state it keeps for the vessel in slot (outside a record of it):
 * the vessel's record is saved again at the next checkpoint and at the end of the run. */
void sw_vessels_touch(struct sw_vessels *vs, size_t slot);
/* How many times sw_vessels_touch was called on vs (a table that mirrors another, as the
 * stages' table of analyze --jobs does, hands its touches on when this changed). */
uint64_t sw_vessels_touches(const struct sw_vessels *vs);
/* Put back a saved vessel (from a checkpoint). SW_EEXISTS if its MMSI is present, SW_EFORMAT
 * if it fails sw_vessel_check. */
int sw_vessels_restore(struct sw_vessels *vs, const struct sw_vessel *saved);
/* A saved vessel read back from disk is usable: MMSI set, times between 0 and 2^50 ms,
 * recent-track ring indices in range, strings terminated within their arrays. SW_OK or
 * SW_EFORMAT. */
int sw_vessel_check(const struct sw_vessel *v);

/* Saved vessels of builds whose recent track held 8 fixes (SW_VESSEL_R8_SIZE bytes, the
 * layout of struct sw_vessel then): *out the same vessel with its 2 latest fixes. SW_EFORMAT
 * when it fails sw_vessel_check. */
#define SW_VESSEL_R8_SIZE 552
int sw_vessel_from_r8(const void *saved, struct sw_vessel *out);

/* Recent fixes of v, oldest first, into out[0..SW_VESSEL_RECENT); returns how many. */
int sw_vessel_recent(const struct sw_vessel *v, struct sw_fix *out);

#endif
