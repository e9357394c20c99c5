/*
 * The evaluator: scores detector events (DESIGN.md JSON Lines) against the ground truth that
 * `sanctwatch simulate` writes (docs/simulate.md), per event type.
 *
 * Incident view (SPEC-12): records of one incident (its "completes" value, else its "id")
 * are reduced to the last line; an incident whose last record is "withdrawn": true is
 * dropped. Lines without an id are incidents of their own.
 *
 * Matching rule (docs/simulate.md): an event matches a truth item when
 *   - the types are equal,
 *   - the MMSI sets are equal (order-free; duplicates ignored),
 *   - the kinds (details.kind) are equal when both sides give one, and
 *   - the intervals overlap once widened by the tolerance: ev.start <= tr.end + tol and
 *     ev.end >= tr.start - tol (an event with "end": null is open to the right).
 * Pairs are assigned one-to-one, closest start times first. A matched event is a true
 * positive, an unmatched event a false positive, an unmatched truth item a false negative.
 * A truth item marked "optional": true (a borderline case, such as a possible port call whose
 * longest stay is within the noise of the minimum) is left out of all three.
 * An unmatched event that shares a vessel with a hard negative (ships at anchor together,
 * passing close at speed, tug and tow, ...) and overlaps it in time is also reported as
 * "on a hard negative".
 *
 * Beside the per-type table: the same counts per (type, kind) wherever a kind is given;
 * for matched ais_gap pairs whether details.reception agrees (a wrong label still matches);
 * and zone transit summaries (zone_entry with details.kind "transits", one per vessel, zone
 * and UTC day) compared with the truth's "zone_transits", outside the zone_entry score.
 *
 * Usage: sw_eval_new, sw_eval_truth (the truth file's text), sw_eval_event for each events
 * line, sw_eval_run, then the results or the reports. Memory is bounded by the limits below.
 */
#ifndef SANCTWATCH_EVAL_H
#define SANCTWATCH_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "sanctwatch/buf.h"

#define SW_EVAL_MAX_VESSELS 8     /* MMSIs kept per item */
#define SW_EVAL_MAX_ITEMS 2000000 /* truth items + negatives + events */
#define SW_EVAL_TYPE_MAX 31

#define SW_EVAL_KIND_MAX 31
#define SW_EVAL_ID_MAX 79

struct sw_eval_item {
    char type[SW_EVAL_TYPE_MAX + 1];    /* event type, or the negative's kind */
    char id[SW_EVAL_ID_MAX + 1];        /* events: the incident id ("completes", else "id") */
    char kind[SW_EVAL_KIND_MAX + 1];    /* details.kind, "" when absent */
    char reception[16];                 /* details.reception (ais_gap), "" when absent */
    uint32_t mmsi[SW_EVAL_MAX_VESSELS]; /* sorted, unique */
    int nmmsi;
    int64_t start, end; /* ms; end INT64_MAX when open */
    double lat, lon;    /* NAN when absent */
    size_t line;        /* events: 1-based line of the events file */
    long match;         /* index of the matched counterpart, -1 when none */
    long negative;      /* events: index of the hard negative it falls on, -1 when none */
    int dropped;        /* events: a later record of the incident replaced it, or withdrawn */
    int optional;       /* truth: "optional": true (a borderline case the detector may or may
                           not report): neither a miss when unmatched nor counted when matched */
};

/* Zone transit summaries (truth "zone_transits", events zone_entry kind "transits"). */
struct sw_eval_transits {
    size_t truth, events;                /* (vessel, zone, day) summaries on each side */
    size_t matched, equal;               /* summaries on both sides; with equal entries */
    size_t truth_entries, event_entries; /* entries summed on each side */
};

/* ais_gap reception labels of matched pairs (truth and event both give one, or not). */
struct sw_eval_reception {
    size_t agree, disagree, unlabelled;
};

/* The incident view of the events file. */
struct sw_eval_incidents {
    size_t records;   /* valid event lines */
    size_t replaced;  /* records replaced by a later record of their incident */
    size_t withdrawn; /* incidents whose last record withdraws them */
};

struct sw_eval_result {
    char type[SW_EVAL_TYPE_MAX + SW_EVAL_KIND_MAX + 2]; /* "TYPE" or "TYPE/KIND" */
    size_t truth, events, tp, fp, fn, on_negative;
    double precision, recall; /* NAN when undefined (no events / no truth) */
};

struct sw_eval_opts {
    int64_t tolerance_ms; /* default 3600000 (1 h) */
};

struct sw_eval;

/* opts NULL: defaults. Caller frees with sw_eval_free(). */
int sw_eval_new(struct sw_eval **out, const struct sw_eval_opts *opts);
void sw_eval_free(struct sw_eval *e);

/* Load the truth (JSON text: {"events":[...], "negatives":[...], "zone_transits":[...]}; the
 * last two optional). May be called once.
 * Errors: SW_EFORMAT (with a short reason in *why, valid until e is freed), SW_ETOOBIG,
 * SW_ENOMEM. */
int sw_eval_truth(struct sw_eval *e, const char *json, size_t len, const char **why);
/* One line of the events file. Blank lines are ignored; a line that is not a valid event is
 * counted (sw_eval_malformed) and otherwise ignored: returns SW_OK either way, or
 * SW_ETOOBIG / SW_ENOMEM. */
int sw_eval_event(struct sw_eval *e, const char *line, size_t len, size_t lineno);
size_t sw_eval_malformed(const struct sw_eval *e);

/* Match and count. Call once, after all input. */
int sw_eval_run(struct sw_eval *e);

/* Per-type results: the ten DESIGN.md types in their order, then any other type seen. */
size_t sw_eval_ntypes(const struct sw_eval *e);
const struct sw_eval_result *sw_eval_result(const struct sw_eval *e, size_t i);
/* Per-kind results, type "TYPE/KIND" (e.g. "identity_fraud/shared_mmsi"), sorted, for every
 * kind a truth item or an event gives. Truth items count under their kind, events under
 * theirs, or their match's when they give none. */
size_t sw_eval_nkinds(const struct sw_eval *e);
const struct sw_eval_result *sw_eval_kind_result(const struct sw_eval *e, size_t i);
void sw_eval_transit_counts(const struct sw_eval *e, struct sw_eval_transits *out);
void sw_eval_reception_counts(const struct sw_eval *e, struct sw_eval_reception *out);
void sw_eval_incident_counts(const struct sw_eval *e, struct sw_eval_incidents *out);
/* Events that fell on a hard negative, and the negative. Valid while e lives. */
size_t sw_eval_nneg_hits(const struct sw_eval *e);
void sw_eval_neg_hit(const struct sw_eval *e, size_t i, const struct sw_eval_item **event,
                     const struct sw_eval_item **negative);
size_t sw_eval_nnegatives(const struct sw_eval *e);

/* Reports: a table for people, or one JSON object (keys sorted) for machines. */
int sw_eval_report_text(const struct sw_eval *e, struct sw_buf *out);
int sw_eval_report_json(const struct sw_eval *e, struct sw_buf *out);

#endif
