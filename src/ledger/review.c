/*
 * Analyst reviews in the ledger (module "ledger", migration 4): a review is a ledger record of
 * its own, type "review", naming the event it reviews, the analyst, the decision (confirm,
 * dismiss, annotate), a note and the time. It is recorded like any event
 * (sw_ledger_record_events), so it is signed with the next head and proved like one; the
 * ledger_reviews table beside it (filled when it is recorded) lets readers find the reviews of
 * an incident and its review state without parsing records. The event views of query.h leave
 * reviews out and give each incident its review state (query.c); sw_query_reviews reads them.
 */
#include "ledger_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/query.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_target[] = "SELECT incident, type FROM events WHERE id = ?1";
static const char sql_insert[] = "INSERT INTO ledger_reviews(leaf, id, event, incident, decision,"
                                 " analyst, time_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_reviews[] =
    "SELECT r.leaf, r.id, r.event, r.incident, r.decision, r.analyst, r.time_ms, e.json"
    " FROM ledger_reviews r JOIN events e ON e.leaf = r.leaf"
    " WHERE r.leaf >= ?1 AND (?2 IS NULL OR r.incident ="
    "  coalesce((SELECT x.incident FROM events x WHERE x.id = ?2), ?2))"
    " ORDER BY r.leaf";

int sw_review_decision_ok(const char *d)
{
    return d && (!strcmp(d, "confirm") || !strcmp(d, "dismiss") || !strcmp(d, "annotate"));
}

/* Printable text of at most max bytes (UTF-8 is checked by jansson), no control characters
 * but newline and tab (notes). */
static int text_ok(const char *s, size_t max, int multiline)
{
    size_t n = s ? strlen(s) : 0;
    if (!s || n > max) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || c == 0x7f) return 0;
    }
    return 1;
}

int sw_review_new(const char *event, const char *analyst, const char *decision, const char *note,
                  int64_t time_ms, json_t **out, char *err)
{
    char when[32], hex[33];
    uint8_t h[crypto_generichash_BYTES_MIN];
    *out = NULL;
    const char *why = NULL;
    if (!event || !*event || !text_ok(event, 256, 0))
        why = "event";
    else if (!analyst || !*analyst || !text_ok(analyst, SW_REVIEW_NAME_MAX, 0))
        why = "analyst";
    else if (!sw_review_decision_ok(decision))
        why = "decision";
    else if (!text_ok(note ? note : "", SW_REVIEW_NOTE_MAX, 1))
        why = "note";
    else if (!strcmp(decision, "annotate") && !(note && *note))
        why = "note (an annotation needs one)";
    if (why) {
        if (err) snprintf(err, SW_ERRMAX, "bad review %s", why);
        return SW_EINVAL;
    }
    sw_time_format(time_ms, 1, when);
    json_t *r =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "review", "event", event, "analyst",
                  analyst, "decision", decision, "note", note ? note : "", "time", when);
    char *canon = NULL;
    size_t len;
    if (!r) { /* a string that is not UTF-8 */
        if (err) snprintf(err, SW_ERRMAX, "bad review text: not UTF-8");
        return SW_EINVAL;
    }
    if (sw_canon_dump(r, &canon, &len)) {
        json_decref(r);
        return SW_ENOMEM;
    }
    crypto_generichash(h, sizeof h, (const unsigned char *)canon, len, NULL, 0);
    free(canon);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    char id[48];
    snprintf(id, sizeof id, "review-%s", hex);
    if (json_object_set_new(r, "id", json_string(id))) {
        json_decref(r);
        return SW_ENOMEM;
    }
    *out = r;
    return SW_OK;
}

int ledger_review_target(sqlite3 *db, const json_t *ev, char **incident)
{
    const char *target = json_string_value(json_object_get(ev, "event"));
    const char *d = json_string_value(json_object_get(ev, "decision"));
    sqlite3_stmt *q;
    *incident = NULL;
    if (!target || !sw_review_decision_ok(d) || !json_is_string(json_object_get(ev, "analyst")))
        return SW_EFORMAT;
    if (sw_store_stmt_get(db, sql_target, &q)) return SW_EDB;
    sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC);
    int st = sqlite3_step(q), rc = SW_ENOTFOUND;
    if (st == SQLITE_ROW && strcmp(sw_store_col_text(q, 1), "review") != 0)
        rc = (*incident = strdup(sw_store_col_text(q, 0))) ? SW_OK : SW_ENOMEM;
    else if (st != SQLITE_ROW && st != SQLITE_DONE)
        rc = SW_EDB;
    sw_store_stmt_put(q);
    return rc;
}

int ledger_review_insert(sqlite3 *db, const json_t *ev, const char *id, uint64_t leaf,
                         const char *incident)
{
    sqlite3_stmt *q;
    int64_t t;
    const char *when = json_string_value(json_object_get(ev, "time"));
    if (sw_store_stmt_get(db, sql_insert, &q)) return SW_EDB;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)leaf);
    sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, json_string_value(json_object_get(ev, "event")), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, incident, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, json_string_value(json_object_get(ev, "decision")), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, json_string_value(json_object_get(ev, "analyst")), -1, SQLITE_STATIC);
    if (when && sw_time_parse(when, strlen(when), &t) == SW_OK) sqlite3_bind_int64(q, 7, t);
    int rc = sw_store_step(q);
    sw_store_stmt_put(q);
    return rc;
}

int sw_query_reviews(sqlite3 *db, const struct sw_review_filter *f, sw_review_fn fn, void *ctx,
                     char *err)
{
    sqlite3_stmt *q;
    int rc = sw_store_table(db, "ledger_reviews");
    if (rc <= 0) {
        if (rc < 0 && err) snprintf(err, SW_ERRMAX, "cannot read reviews: %s", sqlite3_errmsg(db));
        return rc < 0 ? SW_EDB : SW_OK; /* a store written before reviews existed */
    }
    if (sw_store_stmt_get(db, sql_reviews, &q)) {
        if (err) snprintf(err, SW_ERRMAX, "cannot read reviews: %s", sqlite3_errmsg(db));
        return SW_EDB;
    }
    sqlite3_bind_int64(q, 1, (sqlite3_int64)f->from_leaf);
    if (f->event) sqlite3_bind_text(q, 2, f->event, -1, SQLITE_STATIC);
    size_t n = 0;
    int st = SQLITE_DONE;
    rc = SW_OK;
    while ((!f->limit || n < f->limit) && (st = sqlite3_step(q)) == SQLITE_ROW) {
        struct sw_review_row r;
        const char *text = (const char *)sqlite3_column_text(q, 7);
        json_t *rec = text ? json_loadb(text, (size_t)sqlite3_column_bytes(q, 7), 0, NULL) : NULL;
        if (!json_is_object(rec)) {
            json_decref(rec);
            rc = SW_EFORMAT;
            if (err) snprintf(err, SW_ERRMAX, "a stored review is not JSON: run 'ledger verify'");
            break;
        }
        n++;
        memset(&r, 0, sizeof r);
        r.leaf = (uint64_t)sqlite3_column_int64(q, 0);
        r.id = sw_store_col_text(q, 1);
        r.event = sw_store_col_text(q, 2);
        r.incident = sw_store_col_text(q, 3);
        r.decision = sw_store_col_text(q, 4);
        r.analyst = sw_store_col_text(q, 5);
        r.time = sw_store_col_time(q, 6);
        r.note = json_string_value(json_object_get(rec, "note"));
        if (!r.note) r.note = "";
        r.record = rec;
        rc = fn(ctx, &r);
        json_decref(rec);
        if (rc) break;
    }
    if (!rc && st != SQLITE_DONE && st != SQLITE_ROW) {
        if (err) snprintf(err, SW_ERRMAX, "cannot read reviews: %s", sqlite3_errmsg(db));
        rc = SW_EDB;
    }
    sw_store_stmt_put(q);
    return rc;
}
