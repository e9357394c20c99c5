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

/* The incident id of an event record: its "completes" (or legacy "supersedes") field, else
 * its "id". NULL when the record has none. Borrowed from ev. */
const char *sw_event_incident(const json_t *ev);

/* 1 when the record withdraws its incident ("withdrawn": true): the finished episode did not
 * meet the rule after all. */
int sw_event_withdrawn(const json_t *ev);

/* Significance rank, 1 (leads the report) to 5, from the event's type and details. */
#define SW_RANK_MAX 5
int sw_event_rank(const json_t *ev);

#endif
