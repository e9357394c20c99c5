/*
 * The report model: everything a report shows, read from the store into one JSON document
 * (docs/report.md). The HTML, JSON, GeoJSON, KML and CSV writers all read this model, so
 * every output says the same thing. Events come from the ledger's events table, each with
 * its inclusion proof against one signed tree head; vessels, identity history and tracks
 * from the ingest tables; designation matches from the sanctions-list tables when a list
 * has been imported.
 */
#include "sanctwatch/store.h"
#include "sanctwatch/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/config.h"
#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"
#include "sanctwatch/version.h"
#include "report_int.h"

void sw_report_opts_default(struct sw_report_opts *o)
{
    memset(o, 0, sizeof *o);
    o->from_ms = SW_TIME_NONE;
    o->to_ms = SW_TIME_NONE;
    o->generated_ms = sw_time_now_ms();
    o->track_margin_h = 12;
    o->max_track_points = 150;
}

/* What each rule looks for, in the words of docs/detection.md, for the methods annex. */
static const struct {
    const char *type, *rule;
} rules[] = {
    {"encounter", "two vessels within a short distance of each other for hours at low speed, "
                  "away from ports and anchorages (a ship-to-ship transfer seen from both sides)"},
    {"dark_rendezvous", "a vessel loitering at sea while another vessel's AIS gap could have "
                        "brought it alongside (a transfer with one side dark)"},
    {"loitering", "a vessel at low speed for hours far from shore and outside ports"},
    {"ais_gap", "no transmission for many hours while at sea where reception was good"},
    {"port_call", "a stop inside a port's area; calls at DPRK ports are incidents"},
    {"zone_entry", "entry into a watched zone (DPRK waters, known transfer areas, corridors)"},
    {"position_spoof", "movement no ship can make, fixes on land outside ports, or one MMSI "
                       "in two places at once"},
    {"identity_change", "a change of name, call sign, IMO number or flag, or an IMO number "
                        "under a new MMSI"},
    {"identity_fraud", "an invalid IMO check digit, an unallocated MID, a MID that contradicts "
                       "the flag, or the identity of a listed or scrapped vessel"},
    {"listed_vessel", "a vessel whose IMO, MMSI, or name and type match a designated vessel"},
};

static json_t *iso_or_null(int64_t ms)
{
    char buf[32];
    if (ms == SW_TIME_NONE) return json_null();
    return json_string(sw_time_format(ms, 0, buf));
}

/* A column as JSON: integers, reals, text, NULL. */
static json_t *column_json(sqlite3_stmt *q, int i)
{
    switch (sqlite3_column_type(q, i)) {
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(q, i));
    case SQLITE_FLOAT:
        return json_real(sqlite3_column_double(q, i));
    case SQLITE_TEXT: {
        const char *s = (const char *)sqlite3_column_text(q, i);
        json_t *v = json_stringn(s, (size_t)sqlite3_column_bytes(q, i));
        return v ? v : json_string("?"); /* not UTF-8: never drop the row */
    }
    default:
        return json_null();
    }
}

/* Every column of the current row, keyed by column name; *_ms/first_seen/last_seen/t
 * integer times also get an ISO twin so readers need not convert. */
static json_t *row_json(sqlite3_stmt *q)
{
    json_t *o = json_object();
    int n = sqlite3_column_count(q);
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(q, i);
        json_object_set_new(o, name, column_json(q, i));
        if (sqlite3_column_type(q, i) == SQLITE_INTEGER &&
            (!strcmp(name, "first_seen") || !strcmp(name, "last_seen") ||
             !strcmp(name, "last_time"))) {
            char key[64];
            snprintf(key, sizeof key, "%s_iso", name);
            json_object_set_new(o, key, iso_or_null(sqlite3_column_int64(q, i)));
        }
    }
    return o;
}

struct build {
    sqlite3 *db;
    const struct sw_report_opts *o;
    struct sw_ledger *lg;
    json_t *vessels; /* "mmsi" -> dossier */
    sqlite3_stmt *q_vessel, *q_hist, *q_track, *q_desig;
    char *err;
};

static void set_err(struct build *b, const char *what)
{
    if (b->err) snprintf(b->err, SW_ERRMAX, "%s: %s", what, sqlite3_errmsg(b->db));
}

static int prepare(struct build *b, const char *sql, sqlite3_stmt **q)
{
    if (sqlite3_prepare_v2(b->db, sql, -1, q, NULL) != SQLITE_OK) {
        set_err(b, "cannot read the store");
        return SW_EDB;
    }
    return SW_OK;
}

/* Designation matches of one identifier ("imo"/"mmsi") into arr, without repeats. */
static void add_designations(struct build *b, json_t *arr, const char *kind, const char *value)
{
    if (!b->q_desig) return;
    sqlite3_reset(b->q_desig);
    sqlite3_bind_text(b->q_desig, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(b->q_desig, 2, value, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(b->q_desig) == SQLITE_ROW) {
        json_t *m = row_json(b->q_desig);
        json_object_set_new(m, "matched_on", json_string(kind));
        json_object_set_new(m, "matched_value", json_string(value));
        size_t i;
        json_t *x;
        int dup = 0;
        json_array_foreach(arr, i, x) if (json_equal(x, m)) dup = 1;
        if (dup)
            json_decref(m);
        else
            json_array_append_new(arr, m);
    }
}

/* The dossier of one vessel (created on first use; borrowed, owned by b->vessels): current
 * identity, identity history, designation matches, and the ids of its incidents. */
static json_t *add_vessel(struct build *b, json_int_t mmsi, json_int_t event_imo)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)mmsi);
    json_t *d = json_object_get(b->vessels, key);
    if (!d) {
        d = json_object();
        json_object_set_new(d, "mmsi", json_integer(mmsi));
        if (b->q_vessel) {
            sqlite3_reset(b->q_vessel);
            sqlite3_bind_int64(b->q_vessel, 1, mmsi);
            if (sqlite3_step(b->q_vessel) == SQLITE_ROW) {
                json_t *row = row_json(b->q_vessel);
                json_object_update(d, row);
                json_decref(row);
            }
        }
        json_t *hist = json_array();
        if (b->q_hist) {
            sqlite3_reset(b->q_hist);
            sqlite3_bind_int64(b->q_hist, 1, mmsi);
            while (sqlite3_step(b->q_hist) == SQLITE_ROW)
                json_array_append_new(hist, row_json(b->q_hist));
        }
        json_object_set_new(d, "identity_history", hist);
        json_object_set_new(d, "designations", json_array());
        json_object_set_new(d, "incidents", json_array()); /* ids, filled by add_incident */
        json_object_set_new(b->vessels, key, d);
        /* Match every identifier the vessel ever used. */
        json_t *des = json_object_get(d, "designations");
        char v[24];
        snprintf(v, sizeof v, "%09lld", (long long)mmsi);
        add_designations(b, des, "mmsi", v);
        size_t i;
        json_t *h;
        json_array_foreach(hist, i, h)
        {
            json_int_t imo = json_integer_value(json_object_get(h, "imo"));
            if (imo > 0) {
                snprintf(v, sizeof v, "%07lld", (long long)imo);
                add_designations(b, des, "imo", v);
            }
        }
        json_int_t imo = json_integer_value(json_object_get(d, "imo"));
        if (imo > 0) {
            snprintf(v, sizeof v, "%07lld", (long long)imo);
            add_designations(b, des, "imo", v);
        }
    }
    if (event_imo > 0) {
        char v[24];
        snprintf(v, sizeof v, "%07lld", (long long)event_imo);
        add_designations(b, json_object_get(d, "designations"), "imo", v);
    }
    return d;
}

/* Track points of a vessel around an incident: [[t_ms, lat, lon, sog], ...], evenly thinned
 * to at most max points (first and last kept). */
static json_t *track_points(struct build *b, json_int_t mmsi, int64_t from, int64_t to)
{
    json_t *pts = json_array();
    if (!b->q_track) return pts;
    sqlite3_reset(b->q_track);
    sqlite3_bind_int64(b->q_track, 1, mmsi);
    sqlite3_bind_int64(b->q_track, 2, from);
    sqlite3_bind_int64(b->q_track, 3, to);
    while (sqlite3_step(b->q_track) == SQLITE_ROW) {
        json_t *p = json_array();
        json_array_append_new(p, json_integer(sqlite3_column_int64(b->q_track, 0)));
        json_array_append_new(p, json_real(sqlite3_column_double(b->q_track, 1)));
        json_array_append_new(p, json_real(sqlite3_column_double(b->q_track, 2)));
        json_array_append_new(p, sqlite3_column_type(b->q_track, 3) == SQLITE_NULL
                                     ? json_null()
                                     : json_real(sqlite3_column_double(b->q_track, 3)));
        json_array_append_new(pts, p);
    }
    size_t n = json_array_size(pts), max = b->o->max_track_points ? b->o->max_track_points : 150;
    if (n <= max) return pts;
    json_t *thin = json_array();
    for (size_t k = 0; k < max; k++)
        json_array_append(thin, json_array_get(pts, k * (n - 1) / (max - 1)));
    json_decref(pts);
    return thin;
}

/* The bounding box [minlon, minlat, maxlon, maxlat] of the event place and its tracks. */
static json_t *incident_bbox(json_t *ev, json_t *tracks)
{
    double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    json_t *lat = json_object_get(ev, "lat"), *lon = json_object_get(ev, "lon");
    if (json_is_number(lat) && json_is_number(lon)) {
        x0 = x1 = json_number_value(lon);
        y0 = y1 = json_number_value(lat);
    }
    size_t i, j;
    json_t *t, *p;
    json_array_foreach(tracks, i, t)
    {
        json_array_foreach(json_object_get(t, "points"), j, p)
        {
            double y = json_real_value(json_array_get(p, 1)),
                   x = json_real_value(json_array_get(p, 2));
            x0 = x < x0 ? x : x0;
            x1 = x > x1 ? x : x1;
            y0 = y < y0 ? y : y0;
            y1 = y > y1 ? y : y1;
        }
    }
    if (x0 > x1) return json_null();
    return json_pack("[ffff]", x0, y0, x1, y1);
}

static int64_t event_ms(json_t *ev, const char *key)
{
    json_t *v = json_object_get(ev, key);
    int64_t ms;
    if (json_is_string(v) &&
        sw_time_parse(json_string_value(v), json_string_length(v), &ms) == SW_OK)
        return ms;
    return SW_TIME_NONE;
}

/* One incident: the event as published (with evidence.leaf/sha256), its proof, the tracks
 * of its vessels around it and its map extent. */
static int add_incident(struct build *b, json_t *incidents, const char *id,
                        const struct sw_checkpoint *head)
{
    struct sw_proof pr;
    int rc = sw_ledger_prove_event(b->lg, id, head->size, &pr);
    if (rc) {
        if (b->err) snprintf(b->err, SW_ERRMAX, "cannot prove event '%s': %s", id, sw_strerror(rc));
        return rc;
    }
    /* The stored event must still hash to its leaf: an event edited after it was recorded is
     * not published with a proof that would fail in the reader's hands. */
    if (sw_proof_verify(&pr, head, NULL) != SW_OK) {
        if (b->err)
            snprintf(b->err, SW_ERRMAX,
                     "event '%s' (leaf %llu) does not match its ledger leaf: "
                     "run 'sanctwatch ledger verify --db'",
                     id, (unsigned long long)pr.index);
        sw_proof_release(&pr);
        return SW_EVERIFY;
    }
    char *text = NULL;
    rc = sw_proof_format(&pr, &text);
    json_t *event = pr.event ? json_incref(pr.event) : NULL;
    sw_proof_release(&pr);
    if (rc || !event) {
        free(text);
        json_decref(event);
        return rc ? rc : SW_EFORMAT;
    }
    json_t *proof = json_loads(text, 0, NULL);
    free(text);
    if (!proof) {
        json_decref(event);
        return SW_ENOMEM;
    }
    json_object_del(proof, "event"); /* the incident's event is the proof's event */

    int64_t start = event_ms(event, "start"), end = event_ms(event, "end");
    if (end == SW_TIME_NONE) end = start;
    int64_t margin = (int64_t)(b->o->track_margin_h * 3600000.0);
    json_t *tracks = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(event, "vessels"), i, v)
    {
        json_int_t mmsi = json_integer_value(json_object_get(v, "mmsi"));
        if (mmsi <= 0) continue;
        json_t *d = add_vessel(b, mmsi, json_integer_value(json_object_get(v, "imo")));
        json_array_append_new(json_object_get(d, "incidents"), json_string(id));
        json_t *t = json_object();
        json_object_set_new(t, "mmsi", json_integer(mmsi));
        json_object_set_new(t, "points",
                            start == SW_TIME_NONE
                                ? json_array()
                                : track_points(b, mmsi, start - margin, end + margin));
        json_array_append_new(tracks, t);
    }
    json_t *inc = json_object();
    json_object_set_new(inc, "id", json_string(id));
    json_object_set_new(inc, "event", event);
    json_object_set_new(inc, "proof", proof);
    json_object_set_new(inc, "bbox", incident_bbox(event, tracks));
    json_object_set_new(inc, "tracks", tracks);
    json_array_append_new(incidents, inc);
    return SW_OK;
}

/* The newest head, signing a fresh one first when a key is given and the log grew. The
 * head's root is checked against the stored log before anything is proved against it. */
static int choose_head(struct build *b, char **note, struct sw_checkpoint *cp)
{
    uint64_t size;
    uint8_t root[SW_HASH_LEN];
    int rc = sw_ledger_tree(b->lg, &size, root);
    if (rc) {
        set_err(b, "cannot read the ledger");
        return rc;
    }
    rc = sw_ledger_latest_head(b->lg, 0, note);
    if (rc == SW_OK) {
        rc = sw_checkpoint_parse(*note, strlen(*note), cp);
        if (rc) {
            if (b->err) snprintf(b->err, SW_ERRMAX, "the latest recorded head is malformed");
            return rc;
        }
    }
    if (b->o->key && (rc == SW_ENOTFOUND || cp->size < size)) {
        free(*note);
        *note = NULL;
        if (sqlite3_exec(b->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            set_err(b, "cannot sign a head");
            return SW_EDB;
        }
        rc = sw_ledger_sign_head(b->lg, b->o->key, b->o->generated_ms, note);
        if (rc || sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
            if (b->err)
                snprintf(b->err, SW_ERRMAX, "cannot sign a head: %s",
                         sw_strerror(rc ? rc : SW_EDB));
            return rc ? rc : SW_EDB;
        }
        rc = sw_checkpoint_parse(*note, strlen(*note), cp);
    }
    if (rc == SW_ENOTFOUND) {
        if (b->err)
            snprintf(b->err, SW_ERRMAX,
                     "no signed tree head in the store: sign one with "
                     "'sanctwatch ledger head' or pass --key");
        return rc;
    }
    if (rc) return rc;
    uint8_t at[SW_HASH_LEN];
    if (cp->size > 0) {
        rc = sw_ledger_range_hash(b->lg, 0, cp->size, at);
        if (rc || memcmp(at, cp->root, SW_HASH_LEN) != 0) {
            if (b->err)
                snprintf(b->err, SW_ERRMAX,
                         "the signed head of size %llu does not match the stored "
                         "log: run 'sanctwatch ledger verify --db'",
                         (unsigned long long)cp->size);
            return SW_EVERIFY;
        }
    }
    return SW_OK;
}

static json_t *summary(json_t *incidents)
{
    json_t *by_type = json_object(), *by_month = json_object();
    size_t i;
    json_t *inc;
    json_array_foreach(incidents, i, inc)
    {
        json_t *ev = json_object_get(inc, "event");
        const char *type = json_string_value(json_object_get(ev, "type"));
        const char *start = json_string_value(json_object_get(ev, "start"));
        if (!type) continue;
        json_object_set_new(by_type, type,
                            json_integer(json_integer_value(json_object_get(by_type, type)) + 1));
        char month[8] = "unknown";
        if (start && strlen(start) >= 7) {
            memcpy(month, start, 7);
            month[7] = '\0';
        }
        json_t *m = json_object_get(by_month, month);
        if (!m) {
            m = json_object();
            json_object_set_new(by_month, month, m);
        }
        json_object_set_new(m, type,
                            json_integer(json_integer_value(json_object_get(m, type)) + 1));
    }
    return json_pack("{s:o,s:o,s:I}", "by_type", by_type, "by_month", by_month, "incidents",
                     (json_int_t)json_array_size(incidents));
}

static json_t *methods(const struct sw_report_opts *o)
{
    json_t *r = json_object(), *params = json_array();
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        json_object_set_new(r, rules[i].type, json_string(rules[i].rule));
    if (o->params)
        for (size_t i = 0; i < sw_config_count(o->params); i++)
            json_array_append_new(params, json_pack("[ss]", sw_config_key(o->params, i),
                                                    sw_config_value(o->params, i)));
    return json_pack("{s:o,s:o,s:s}", "rules", r, "parameters", params, "ledger",
                     "RFC 9162 Merkle tree (SHA-256, 0x00 leaf and 0x01 node prefixes) over the "
                     "canonical JSON of each event; heads are C2SP signed notes (Ed25519)");
}

static json_t *filters(const struct sw_report_opts *o)
{
    json_t *types = json_array();
    for (size_t i = 0; i < o->ntypes; i++)
        json_array_append_new(types, json_string(o->types[i]));
    return json_pack("{s:o,s:o,s:o}", "from", iso_or_null(o->from_ms), "to", iso_or_null(o->to_ms),
                     "types", types);
}

int sw_report_build(sqlite3 *db, const struct sw_report_opts *o, json_t **model, char *err)
{
    struct build b = {.db = db, .o = o, .err = err};
    sqlite3_stmt *q = NULL;
    char *note = NULL;
    struct sw_checkpoint cp;
    json_t *incidents = NULL, *m = NULL;
    *model = NULL;
    int rc = sw_ledger_open(db, &b.lg);
    if (rc) {
        set_err(&b, "cannot open the ledger");
        return rc;
    }
    rc = choose_head(&b, &note, &cp);
    if (rc) goto fail;
    rc = SW_EDB;
    if (sw_store_has_table(db, "vessels") &&
        (prepare(&b, "SELECT * FROM vessels WHERE mmsi=?", &b.q_vessel) ||
         prepare(&b, "SELECT * FROM identity_history WHERE mmsi=? ORDER BY seq", &b.q_hist) ||
         prepare(&b,
                 "SELECT t, lat, lon, sog FROM track WHERE mmsi=? AND t BETWEEN ? AND ? "
                 "ORDER BY t",
                 &b.q_track)))
        goto fail;
    if (sw_store_has_table(db, "entry_ids") &&
        prepare(&b,
                "SELECT e.list, e.ref, e.type, e.name, e.programmes, e.listed_on, e.active"
                " FROM entry_ids i JOIN entries e ON e.id = i.entry"
                " WHERE i.kind = ? AND i.norm = ? ORDER BY e.list, e.ref",
                &b.q_desig))
        goto fail;

    /* Events the head covers, filtered by time and type, oldest first. */
    char sql[1024];
    size_t n = (size_t)snprintf(sql, sizeof sql,
                                "SELECT id FROM events WHERE leaf < ?1"
                                " AND (?2 IS NULL OR start_ms >= ?2)"
                                " AND (?3 IS NULL OR start_ms <= ?3)");
    if (o->ntypes) {
        n += (size_t)snprintf(sql + n, sizeof sql - n, " AND type IN (");
        for (size_t i = 0; i < o->ntypes && i < SW_REPORT_MAX_TYPES; i++)
            n += (size_t)snprintf(sql + n, sizeof sql - n, "%s?%zu", i ? "," : "", i + 4);
        n += (size_t)snprintf(sql + n, sizeof sql - n, ")");
    }
    snprintf(sql + n, sizeof sql - n, " ORDER BY start_ms, id");
    if (prepare(&b, sql, &q)) goto fail;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)cp.size);
    if (o->from_ms != SW_TIME_NONE) sqlite3_bind_int64(q, 2, o->from_ms);
    if (o->to_ms != SW_TIME_NONE) sqlite3_bind_int64(q, 3, o->to_ms);
    for (size_t i = 0; i < o->ntypes && i < SW_REPORT_MAX_TYPES; i++)
        sqlite3_bind_text(q, (int)i + 4, o->types[i], -1, SQLITE_STATIC);

    incidents = json_array();
    b.vessels = json_object();
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        rc = add_incident(&b, incidents, (const char *)sqlite3_column_text(q, 0), &cp);
        if (rc) goto fail;
    }
    if (step != SQLITE_DONE) {
        set_err(&b, "cannot read events");
        rc = SW_EDB;
        goto fail;
    }

    char gen[32], root_hex[2 * SW_HASH_LEN + 1];
    for (size_t i = 0; i < SW_HASH_LEN; i++)
        snprintf(root_hex + 2 * i, 3, "%02x", cp.root[i]);
    json_t *head =
        json_pack("{s:s,s:s,s:I,s:s,s:o}", "note", note, "origin", cp.origin, "size",
                  (json_int_t)cp.size, "root_hex", root_hex, "time", iso_or_null(cp.time_ms));
    if (o->pub) {
        char *vkey = NULL, *pem = NULL;
        if (sw_ledger_pub_format(o->pub, &vkey) == SW_OK)
            json_object_set_new(head, "public_key", json_string(vkey));
        if (sw_ledger_pub_pem(o->pub, &pem) == SW_OK)
            json_object_set_new(head, "public_key_pem", json_string(pem));
        free(vkey);
        free(pem);
    }
    m = json_object();
    json_object_set_new(m, "format", json_string("sanctwatch-report/1"));
    json_object_set_new(m, "generator", json_string(SW_VERSION_STRING));
    json_object_set_new(m, "title",
                        json_string(o->title ? o->title
                                             : "Vessel activity relevant to the UN "
                                               "sanctions on the DPRK"));
    json_object_set_new(m, "generated", json_string(sw_time_format(o->generated_ms, 0, gen)));
    json_object_set_new(m, "filters", filters(o));
    json_object_set_new(m, "ledger", head);
    json_object_set_new(m, "summary", summary(incidents));
    json_object_set_new(m, "methods", methods(o));
    json_object_set_new(m, "incidents", incidents);
    json_object_set_new(m, "vessels", b.vessels);
    incidents = NULL;
    b.vessels = NULL;
    *model = m;
    rc = SW_OK;
fail:
    json_decref(incidents);
    json_decref(b.vessels);
    sqlite3_finalize(q);
    sqlite3_finalize(b.q_vessel);
    sqlite3_finalize(b.q_hist);
    sqlite3_finalize(b.q_track);
    sqlite3_finalize(b.q_desig);
    free(note);
    sw_ledger_close(b.lg);
    return rc;
}
