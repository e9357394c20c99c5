/*
 * The event contract of DESIGN.md that every module reading or writing events shares: how a
 * record names the incident it belongs to, and the significance rank that orders incidents
 * in the report and the event lists (docs/detection.md, "Significance").
 *
 * An incident is one episode of behaviour. Its first record carries the id (a hash of type,
 * vessels and start). A later record about the same incident (the completion of an event
 * published as ongoing, an update of one still ongoing, or its withdrawal when the finished
 * episode no longer meets the rule) is a new ledger record with its own id and
 * "completes": "<first record's id>"; the ledger stays append-only and readers show the
 * incident as its latest record. Records of earlier builds used "supersedes" for the same.
 */
#ifndef SANCTWATCH_EVENT_H
#define SANCTWATCH_EVENT_H

#include <jansson.h>
#include <stdint.h>

/* The incident id of an event record: its "completes" (or legacy "supersedes") field, else
 * its "id". NULL when the record has none. Borrowed from ev. */
const char *sw_event_incident(const json_t *ev);

/* 1 when the record withdraws its incident ("withdrawn": true): the finished episode did not
 * meet the rule after all. */
int sw_event_withdrawn(const json_t *ev);

/* A new event object in DESIGN.md's shape, for every module that builds events (the
 * detectors, the cases stage): "id" "" (assigned when recorded), "type", "start", "end" (null
 * and "ongoing": true when ongoing; never before start), "lat"/"lon" rounded to 6 decimals
 * (left out when NAN), an empty "vessels" array, "confidence" held to 0.05..0.99 and rounded to
 * 0.01, an empty "details" and "evidence": {"fixes": []}. A new reference, or NULL. */
json_t *sw_event_new(const char *type, int64_t start, int64_t end, int ongoing, double lat,
                     double lon, double confidence);
/* Set o[key] to v as events write numbers: rounded to 3 decimals, an integer when whole;
 * nothing for NAN or infinities. */
void sw_event_num(json_t *o, const char *key, double v);

/* Significance rank, 1 (leads the report) to 5, from the event's type and details. */
#define SW_RANK_MAX 5
int sw_event_rank(const json_t *ev);

#endif
