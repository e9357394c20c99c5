/* Internals shared by the ledger's files (src/ledger/). */
#ifndef SW_LEDGER_INT_H
#define SW_LEDGER_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* What the events table keeps beside each event's canonical JSON so that readers can filter
 * and order events without parsing them (query.h): derived from the event alone, for any
 * event type (event.h gives the incident, the withdrawal and the rank). */
#define LEDGER_MAX_EVENT_VESSELS 64
struct ledger_event_index {
    const char *incident; /* borrowed from the event */
    int rank, ongoing, withdrawn;
    int has_lat, has_lon, has_conf;
    double lat, lon, conf;
    size_t nvessels;
    int64_t mmsi[LEDGER_MAX_EVENT_VESSELS]; /* distinct, > 0 */
};
void ledger_event_index(const json_t *ev, struct ledger_event_index *x);

/* SQL functions sw_event_incident(json), sw_event_rank(json), sw_event_ongoing(json) and
 * sw_event_withdrawn(json) on db, for the migration that fills the index of stored events. */
int ledger_index_functions(sqlite3 *db);

/* Reviews (review.c): the incident of the event a review record names (*incident malloc'd;
 * SW_ENOTFOUND when the event is unknown or is itself a review, SW_EFORMAT when the record is
 * not a review), and its ledger_reviews row once the record is stored at leaf. */
int ledger_review_target(sqlite3 *db, const json_t *ev, char **incident);
int ledger_review_insert(sqlite3 *db, const json_t *ev, const char *id, uint64_t leaf,
                         const char *incident);

#endif
