/*
 * The "ingest" module's tables and their migrations (applied by sw_store_migrate). Times
 * are INTEGER milliseconds since the epoch UTC; unknown values are NULL.
 *   vessels              one row per MMSI: identity, voyage data, latest fix, counts
 *   identity_history     one row per identity a vessel broadcast, with first and last seen
 *   track                downsampled track points, (mmsi, t) unique
 *   aids                 aids to navigation (kept apart from vessels)
 *   ingest_runs          one row per analyze run, with its counters (JSON)
 *   ingest_inputs        per input: lines done, done flag (checkpoints, resume)
 *   ingest_vessel_state  the in-memory vessel state, one row per vessel (until version 2;
 *                        read once and emptied by a later run)
 *   ingest_state_log     the in-memory vessel state since version 2: rows of packed states
 *                        appended at the end of each run (at checkpoints until version 3),
 *                        a later state replacing an earlier one
 *   ingest_pending       the unfinished run: counters (opaque) and, since version 3, which
 *                        state file beside the database holds its vessel states, pending
 *                        records and dedup table (sf_index, committed length sf_len, sf_gen);
 *                        before, the reorder and dedup blobs themselves; since version 4,
 *                        whether its stages started afresh
 *   ingest_carry         since version 4: what the last finished run hands the next (the
 *                        dedup table, the stages' state, its last time), with the layouts
 *                        they were saved in; ingest_state_log rows carry their layout too
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/store.h"

static const char *const steps[] = {
    /* 1 */
    "CREATE TABLE vessels("
    " mmsi INTEGER PRIMARY KEY, flag TEXT, class TEXT, name TEXT, callsign TEXT, imo INTEGER,"
    " ship_type INTEGER, length_m INTEGER, beam_m INTEGER, draught REAL, destination TEXT,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    " positions INTEGER NOT NULL, statics INTEGER NOT NULL,"
    " last_time INTEGER, last_lat REAL, last_lon REAL, last_sog REAL, last_cog REAL,"
    " last_heading INTEGER, last_status INTEGER);"
    "CREATE INDEX vessels_imo ON vessels(imo);"
    "CREATE TABLE identity_history("
    " mmsi INTEGER NOT NULL, seq INTEGER NOT NULL, name TEXT, callsign TEXT, imo INTEGER,"
    " ship_type INTEGER, length_m INTEGER, beam_m INTEGER, flag TEXT,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, PRIMARY KEY(mmsi, seq));"
    "CREATE INDEX identity_history_imo ON identity_history(imo);"
    "CREATE TABLE track("
    " mmsi INTEGER NOT NULL, t INTEGER NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,"
    " sog REAL, cog REAL, heading INTEGER, status INTEGER, PRIMARY KEY(mmsi, t)) WITHOUT ROWID;"
    "CREATE TABLE aids("
    " mmsi INTEGER PRIMARY KEY, name TEXT, aid_type INTEGER, lat REAL, lon REAL,"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, reports INTEGER NOT NULL);"
    "CREATE TABLE ingest_runs("
    " id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL,"
    " counters TEXT);"
    "CREATE TABLE ingest_inputs("
    " input TEXT PRIMARY KEY, run_id INTEGER, lines INTEGER NOT NULL, last_time INTEGER,"
    " done INTEGER NOT NULL);"
    "CREATE TABLE ingest_vessel_state(mmsi INTEGER PRIMARY KEY, state BLOB NOT NULL);"
    "CREATE TABLE ingest_pending("
    " id INTEGER PRIMARY KEY CHECK (id = 1), run_id INTEGER NOT NULL, layout INTEGER NOT NULL,"
    " counters BLOB NOT NULL, nmea BLOB NOT NULL, dedup BLOB NOT NULL,"
    " reorder BLOB NOT NULL);", /* last: a zeroblob there is written without a copy */
    /* 2 */
    "CREATE TABLE ingest_state_log(id INTEGER PRIMARY KEY, state BLOB NOT NULL);",
    /* 3 */
    "ALTER TABLE ingest_pending ADD COLUMN sf_index INTEGER;"
    "ALTER TABLE ingest_pending ADD COLUMN sf_len INTEGER;"
    "ALTER TABLE ingest_pending ADD COLUMN sf_gen INTEGER;",
    /* 4: the stages' state (the detectors'): in each vessel record, and carried from one run
     * to the next */
    "ALTER TABLE ingest_state_log ADD COLUMN layout INTEGER;"
    "ALTER TABLE ingest_state_log ADD COLUMN stages INTEGER;"
    "ALTER TABLE ingest_pending ADD COLUMN stages_reset INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE ingest_carry(id INTEGER PRIMARY KEY CHECK (id = 1), layout INTEGER NOT NULL,"
    " stages INTEGER NOT NULL, last_time INTEGER, dedup BLOB NOT NULL, state BLOB NOT NULL);",
};

int sw_ingest_migrate(sqlite3 *db)
{
    return sw_store_migrate(db, "ingest", steps, (int)(sizeof steps / sizeof steps[0]));
}
