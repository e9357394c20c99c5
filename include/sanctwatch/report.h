/*
 * Reports in the tradition of the UN Panel of Experts: incidents with maps, timelines, the
 * vessels involved with their identity history and designation matches, and the evidence
 * with its ledger leaf and inclusion proof; an annex of vessel dossiers, the methods, and the
 * signed tree head that the proofs verify against.
 *
 * sw_report_build() reads the store (events and ledger, vessels, tracks, identity history,
 * sanctions lists when imported) into one JSON document, the report model; the writers turn
 * that same model into report.json, report.html (self-contained: inline CSS, SVG and a little
 * script, nothing fetched), events.geojson, tracks.geojson, events.kml (KML 2.2) and
 * events.csv. Format details: docs/report.md.
 */
#ifndef SANCTWATCH_REPORT_H
#define SANCTWATCH_REPORT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "sanctwatch/geo.h"
#include "sanctwatch/ledger.h"

struct sw_config;

#define SW_REPORT_MAX_TYPES 16

struct sw_report_opts {
    int64_t from_ms, to_ms;                 /* SW_TIME_NONE: open */
    const char *types[SW_REPORT_MAX_TYPES]; /* event types to include; none: all */
    size_t ntypes;
    const char *title;               /* NULL: a default title */
    int64_t generated_ms;            /* time written in the report */
    double track_margin_h;           /* track context before and after an event */
    size_t max_track_points;         /* per vessel and incident (0: 150) */
    const struct sw_ledger_key *key; /* sign a fresh head when none covers the
                                        events; NULL: use the latest recorded head */
    const struct sw_ledger_pub *pub; /* written into the report for verifiers */
    const struct sw_config *params;  /* detector parameters for the methods annex */
};

void sw_report_opts_default(struct sw_report_opts *o);

/* Build the report model from the store. The events included are those the newest signed
 * head covers (a fresh head is signed when opts->key is set and the log grew since). On
 * success *model is a new reference the caller releases with json_decref(). err (SW_ERRMAX bytes)
 * says what went wrong: SW_ENOTFOUND when no signed head exists and no key was given,
 * SW_EDB, SW_ENOMEM, SW_EVERIFY (a stored head does not match the log, or a stored event
 * no longer hashes to its ledger leaf). */
int sw_report_build(sqlite3 *db, const struct sw_report_opts *opts, json_t **model, char *err);

/* Write every output file of the model into dir (created if missing). geo (may be NULL)
 * draws coastlines, zones and ports on the maps. err (SW_ERRMAX bytes) names the failing file. */
int sw_report_write(const json_t *model, const struct sw_geo *geo, const char *dir, char *err);

/* The individual writers, each to an open stream. */
int sw_report_write_json(const json_t *model, FILE *f);
int sw_report_write_events_geojson(const json_t *model, FILE *f);
int sw_report_write_tracks_geojson(const json_t *model, FILE *f);
int sw_report_write_kml(const json_t *model, FILE *f);
int sw_report_write_csv(const json_t *model, FILE *f);
int sw_report_write_html(const json_t *model, const struct sw_geo *geo, FILE *f);

#endif
