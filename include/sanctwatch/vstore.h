/*
 * The vessel store: the SQL of the vessel tables (vessels, identity_history, track, aids;
 * their schema is the "ingest" module's migrations, src/ingest/schema.c). The pipeline writes
 * through it inside its open transaction; readers use sanctwatch/query.h instead.
 *
 * Ownership: sw_vstore_open prepares statements on the caller's database, which must outlive
 * the store; sw_vstore_close finalizes them. Strings of the vessels and records passed in are
 * bound without a copy and need to live only until the call returns.
 */
#ifndef SANCTWATCH_VSTORE_H
#define SANCTWATCH_VSTORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "sanctwatch/record.h"
#include "sanctwatch/vessel.h"

struct sw_vstore;

/* SW_OK or SW_EDB (sqlite3_errmsg(db) says why). The tables must exist (sw_ingest_migrate). */
int sw_vstore_open(sqlite3 *db, struct sw_vstore **out);
void sw_vstore_close(struct sw_vstore *s);

/* A stored track point of a vessel. It is held in memory (up to 131,072 points, 6 MB) and
 * written, with the others held, in key order by the next sw_vstore_flush(), or by this call
 * when the buffer is full (its SW_EDB may then come from an earlier point). */
int sw_vstore_point(struct sw_vstore *s, uint32_t mmsi, const struct sw_fix *f);
/* Write the track points held, sorted by (mmsi, t), the later of two with the same key last.
 * Call it before every COMMIT of the transaction the points belong to; points still held
 * when the store is closed are dropped, like the rest of a transaction rolled back. SW_OK or
 * SW_EDB. */
int sw_vstore_flush(struct sw_vstore *s);
/* An identity row (seq of mmsi) with its first and last time seen; exists: the row was
 * written before (an UPDATE in place is tried first), else it is inserted. */
int sw_vstore_identity(struct sw_vstore *s, uint32_t mmsi, uint32_t seq,
                       const struct sw_identity *id, int64_t first, int64_t last, int exists);
/* An aid to navigation's report. */
int sw_vstore_aid(struct sw_vstore *s, const struct sw_record *r);
/* The rows of every vessel whose rows are due (SW_VESSEL_DIRTY_ROWS), in MMSI order: its
 * vessels row and the identity_history row of its current identity. Clears the bit and sets
 * the ROW_WRITTEN / ID_WRITTEN hints. */
int sw_vstore_rows(struct sw_vstore *s, struct sw_vessels *vs);

#endif
