/*
 * The report model: everything a report shows, read from the store into one JSON document
 * (docs/report.md). The HTML, JSON, GeoJSON, KML and CSV writers all read this model, so
 * every output says the same thing. Everything is read through the engine's read functions
 * (query.h): the incident view of the events one signed tree head covers, the most
 * significant first, each with its inclusion proof; vessels, identity history and tracks;
 * designation matches from the imported sanctions lists. Any read error ends the build
 * with SQLite's own message: a report is complete or not written.
 */
#include "sanctwatch/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/config.h"
#include "sanctwatch/error.h"
#include "sanctwatch/event.h"
#include "sanctwatch/query.h"
#include "sanctwatch/store.h"
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

struct build {
    sqlite3 *db;
    const struct sw_report_opts *o;
    struct sw_ledger *lg;
    struct sw_checkpoint cp;
    json_t *vessels;   /* "mmsi" -> dossier */
    json_t *incidents; /* the incident view, most significant first */
    json_t *transits;  /* zone transit summaries (rank 5): a table, not incident pages */
    json_t *withdrawn; /* incidents whose latest record withdraws them: an annex */
    char *err;
};

/* ------------------------------------------------------------------- vessel dossiers */

/* Members of the dossier's current identity, in the order the report always gave them:
 * unknown values null, times with an ISO 8601 twin. */
static void set_str(void *ctx, const char *k, const char *v)
{
    json_t *o = ctx;
    json_object_set_new(o, k, *v ? json_string(v) : json_null());
}

static void set_int(void *ctx, const char *k, long long v, int known)
{
    json_t *o = ctx;
    json_object_set_new(o, k, known ? json_integer(v) : json_null());
}

static void set_real(void *ctx, const char *k, double v)
{
    json_t *o = ctx;
    json_object_set_new(o, k, isnan(v) ? json_null() : json_real(v));
}

static void set_time(void *ctx, const char *k, int64_t t)
{
    json_t *o = ctx;
    char iso[64];
    json_object_set_new(o, k, t == SW_TIME_NONE ? json_null() : json_integer(t));
    snprintf(iso, sizeof iso, "%s_iso", k);
    if (t != SW_TIME_NONE) json_object_set_new(o, iso, iso_or_null(t));
}

static void vessel_json(json_t *d, const struct sw_vessel_row *v)
{
    static const struct sw_vessel_row_writer w = {set_str, set_int, set_real, set_time};
    sw_vessel_row_write(v, &w, d);
    set_time(d, "last_time", v->t);
    set_real(d, "last_lat", v->lat);
    set_real(d, "last_lon", v->lon);
    set_real(d, "last_sog", v->sog);
    set_real(d, "last_cog", v->cog);
    set_int(d, "last_heading", v->heading, v->heading >= 0);
    set_int(d, "last_status", v->status, v->status >= 0);
}

static int identity_row(void *ctx, const struct sw_identity_row *r)
{
    json_t *h = json_object();
    set_int(h, "mmsi", r->mmsi, 1);
    set_int(h, "seq", r->seq, 1);
    set_str(h, "name", r->name);
    set_str(h, "callsign", r->callsign);
    set_int(h, "imo", r->imo, r->imo != 0);
    set_int(h, "ship_type", r->ship_type, r->ship_type >= 0);
    set_int(h, "length_m", r->length_m, r->length_m >= 0);
    set_int(h, "beam_m", r->beam_m, r->beam_m >= 0);
    set_str(h, "flag", r->flag);
    set_time(h, "first_seen", r->first_seen);
    set_time(h, "last_seen", r->last_seen);
    return json_array_append_new(ctx, h) ? SW_ENOMEM : SW_OK;
}

struct desig_ctx {
    json_t *arr;
    const char *kind, *value;
};

/* A designation match, without repeats (the same entry may match on several identifiers). */
static int designation_row(void *ctx, const struct sw_designated_row *r)
{
    struct desig_ctx *c = ctx;
    json_t *m = json_object(), *x;
    set_str(m, "list", r->list);
    set_str(m, "ref", r->ref);
    set_str(m, "type", "vessel");
    set_str(m, "name", r->name);
    set_str(m, "programmes", r->programmes);
    set_str(m, "listed_on", r->listed_on);
    set_int(m, "active", r->active, 1);
    json_object_set_new(m, "matched_on", json_string(c->kind));
    json_object_set_new(m, "matched_value", json_string(c->value));
    size_t i;
    json_array_foreach(c->arr, i, x) if (json_equal(x, m))
    {
        json_decref(m);
        return SW_OK;
    }
    return json_array_append_new(c->arr, m) ? SW_ENOMEM : SW_OK;
}

/* Designated vessels (also entries no longer listed) with this IMO or MMSI into arr. */
static int add_designations(struct build *b, json_t *arr, int imo, uint32_t num)
{
    char v[24];
    snprintf(v, sizeof v, imo ? "%07u" : "%09u", num);
    struct sw_designated_filter f = {
        .include_removed = 1, .imo = imo ? num : 0, .mmsi = imo ? 0 : num};
    struct desig_ctx c = {arr, imo ? "imo" : "mmsi", v};
    return sw_query_designated(b->db, &f, designation_row, &c, b->err);
}

/* Every identifier the vessel ever used, matched against the lists. */
static int dossier_designations(struct build *b, json_t *d)
{
    json_t *des = json_object_get(d, "designations"), *h;
    int rc = add_designations(b, des, 0, (uint32_t)json_integer_value(json_object_get(d, "mmsi")));
    size_t i;
    json_array_foreach(json_object_get(d, "identity_history"), i, h)
    {
        json_int_t imo = json_integer_value(json_object_get(h, "imo"));
        if (!rc && imo > 0 && imo <= 999999999) rc = add_designations(b, des, 1, (uint32_t)imo);
    }
    json_int_t imo = json_integer_value(json_object_get(d, "imo"));
    if (!rc && imo > 0 && imo <= 999999999) rc = add_designations(b, des, 1, (uint32_t)imo);
    return rc;
}

/* The dossier of one vessel (created on first use; borrowed, owned by b->vessels): current
 * identity, identity history, designation matches, and the ids of its incidents. */
static int add_vessel(struct build *b, json_int_t mmsi, json_int_t event_imo, json_t **out)
{
    char key[24];
    int rc = SW_OK;
    snprintf(key, sizeof key, "%lld", (long long)mmsi);
    json_t *d = json_object_get(b->vessels, key);
    if (!d) {
        struct sw_vessel_row v;
        d = json_object();
        json_object_set_new(b->vessels, key, d);
        json_object_set_new(d, "mmsi", json_integer(mmsi));
        rc = sw_query_vessel(b->db, (uint32_t)mmsi, &v, b->err);
        if (rc == SW_OK) vessel_json(d, &v);
        if (rc == SW_ENOTFOUND) rc = SW_OK;
        json_t *hist = json_array();
        json_object_set_new(d, "identity_history", hist);
        json_object_set_new(d, "designations", json_array());
        json_object_set_new(d, "incidents", json_array()); /* ids, filled by add_incident */
        if (!rc) rc = sw_query_identities(b->db, (uint32_t)mmsi, 0, identity_row, hist, b->err);
        if (!rc) rc = dossier_designations(b, d);
    }
    if (!rc && event_imo > 0 && event_imo <= 999999999)
        rc = add_designations(b, json_object_get(d, "designations"), 1, (uint32_t)event_imo);
    *out = d;
    return rc;
}

/* ------------------------------------------------------------------------- incidents */

static int track_point(void *ctx, const struct sw_track_point *p)
{
    json_t *pt = json_array(); /* built directly: json_pack costs more than the read */
    if (!pt || json_array_append_new(pt, json_integer((json_int_t)p->t)) ||
        json_array_append_new(pt, json_real(p->lat)) ||
        json_array_append_new(pt, json_real(p->lon)) ||
        json_array_append_new(pt, isnan(p->sog) ? json_null() : json_real(p->sog))) {
        json_decref(pt);
        return SW_ENOMEM;
    }
    return json_array_append_new(ctx, pt) ? SW_ENOMEM : SW_OK;
}

/* Track points of a vessel around an incident: [[t_ms, lat, lon, sog], ...], evenly thinned
 * to at most max points (first and last kept). */
static int track_points(struct build *b, json_int_t mmsi, int64_t from, int64_t to, json_t **out)
{
    struct sw_track_filter f = {(uint32_t)mmsi, from, to,
                                b->o->max_track_points ? b->o->max_track_points : 150};
    *out = json_array();
    return sw_query_track(b->db, &f, track_point, *out, b->err);
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

/* The event with its inclusion proof against the head, checked before it is published: an
 * event edited after it was recorded is not published with a proof that would fail in the
 * reader's hands. */
static int prove(struct build *b, const char *id, json_t **event, json_t **proof)
{
    struct sw_proof pr;
    char *text = NULL;
    *event = *proof = NULL;
    int rc = sw_ledger_prove_event(b->lg, id, b->cp.size, &pr);
    if (rc) {
        if (b->err)
            snprintf(b->err, SW_ERRMAX, "cannot prove event '%s': %s", id,
                     rc == SW_EDB ? sqlite3_errmsg(b->db) : sw_strerror(rc));
        return rc;
    }
    if (sw_proof_verify(&pr, &b->cp, NULL) != SW_OK) {
        if (b->err)
            snprintf(b->err, SW_ERRMAX,
                     "event '%s' (leaf %llu) does not match its ledger leaf: "
                     "run 'sanctwatch ledger verify --db'",
                     id, (unsigned long long)pr.index);
        sw_proof_release(&pr);
        return SW_EVERIFY;
    }
    rc = sw_proof_format(&pr, &text);
    *event = pr.event ? json_incref(pr.event) : NULL;
    sw_proof_release(&pr);
    *proof = rc ? NULL : json_loads(text, 0, NULL);
    free(text);
    if (!*event || !*proof) {
        json_decref(*event);
        json_decref(*proof);
        *event = *proof = NULL;
        return rc ? rc : SW_ENOMEM;
    }
    json_object_del(*proof, "event"); /* the incident's event is the proof's event */
    return SW_OK;
}

struct history {
    json_t *records;
    uint64_t size;
};

static int history_row(void *ctx, const struct sw_event_row *e)
{
    struct history *h = ctx;
    if (e->leaf >= h->size) return SW_OK; /* recorded after the head */
    json_t *r = json_pack("{s:s,s:I,s:b,s:b}", "id", e->id, "leaf", (json_int_t)e->leaf, "ongoing",
                          e->ongoing, "withdrawn", e->withdrawn);
    return json_array_append_new(h->records, r) ? SW_ENOMEM : SW_OK;
}

/* An incident recorded more than once (published ongoing, then completed or updated): its
 * records in ledger order, so that readers see it was first published ongoing. */
static int add_history(struct build *b, json_t *inc, const struct sw_event_row *e)
{
    if (e->records < 2) return SW_OK;
    struct history h = {json_array(), b->cp.size};
    json_object_set_new(inc, "records", h.records);
    int rc = sw_query_incident(b->db, e->id, history_row, &h, b->err);
    json_t *first = json_array_get(h.records, 0);
    json_object_set_new(inc, "first_published_ongoing",
                        json_boolean(json_is_true(json_object_get(first, "ongoing"))));
    return rc;
}

/* Tracks of the incident's vessels around it; each vessel's dossier names the incident. */
static int add_tracks(struct build *b, json_t *event, const char *id, json_t *tracks)
{
    int64_t start = event_ms(event, "start"), end = event_ms(event, "end");
    if (end == SW_TIME_NONE) end = start;
    int64_t margin = (int64_t)(b->o->track_margin_h * 3600000.0);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(event, "vessels"), i, v)
    {
        json_int_t mmsi = json_integer_value(json_object_get(v, "mmsi"));
        json_t *d, *pts = NULL;
        if (mmsi <= 0 || mmsi > 999999999) continue;
        int rc = add_vessel(b, mmsi, json_integer_value(json_object_get(v, "imo")), &d);
        if (!rc && start != SW_TIME_NONE)
            rc = track_points(b, mmsi, start - margin, end + margin, &pts);
        json_array_append_new(json_object_get(d, "incidents"), json_string(id));
        json_array_append_new(
            tracks, json_pack("{s:I,s:o}", "mmsi", mmsi, "points", pts ? pts : json_array()));
        if (rc) return rc;
    }
    return SW_OK;
}

/* One incident: the event as published (its latest record, with evidence.leaf/sha256), its
 * proof, its earlier records, the tracks of its vessels around it and its map extent. */
static int add_incident(struct build *b, const struct sw_event_row *e)
{
    json_t *event, *proof;
    int rc = prove(b, e->id, &event, &proof);
    if (rc) return rc;
    json_t *inc = json_object(), *tracks = json_array();
    json_object_set_new(inc, "id", json_string(e->id));
    json_object_set_new(inc, "rank", json_integer(e->rank));
    json_object_set_new(inc, "event", event);
    json_object_set_new(inc, "proof", proof);
    json_array_append_new(b->incidents, inc);
    rc = add_tracks(b, event, e->id, tracks);
    json_object_set_new(inc, "bbox", incident_bbox(event, tracks));
    json_object_set_new(inc, "tracks", tracks);
    if (!rc) rc = add_history(b, inc, e);
    if (!rc) rc = rep_reviews_add(b->db, inc, e->id, b->cp.size, b->err);
    return rc;
}

/* A zone transit summary (SPEC: entries at speed, per vessel, zone and day): a table row. */
static int is_transits(const struct sw_event_row *e)
{
    const char *kind =
        json_string_value(json_object_get(json_object_get(e->event, "details"), "kind"));
    return e->rank == SW_RANK_MAX && !strcmp(e->type, "zone_entry") && kind &&
           (!strcmp(kind, "transits") || !strcmp(kind, "transit"));
}

static int collect(void *ctx, const struct sw_event_row *e)
{
    struct build *b = ctx;
    /* --from selects by start time: the query gives every event that overlaps the period */
    if (b->o->from_ms != SW_TIME_NONE && (e->start == SW_TIME_NONE || e->start < b->o->from_ms))
        return SW_OK;
    if (e->withdrawn || is_transits(e)) {
        json_t *row = json_pack("{s:s,s:O}", "id", e->id, "event", e->event);
        return json_array_append_new(e->withdrawn ? b->withdrawn : b->transits, row) ? SW_ENOMEM
                                                                                     : SW_OK;
    }
    return add_incident(b, e);
}

/* The incident view the head covers, most significant first; then the withdrawn ones. */
static int read_events(struct build *b)
{
    struct sw_event_filter f = {.types = b->o->ntypes ? b->o->types : NULL,
                                .ntypes = b->o->ntypes,
                                .from = b->o->from_ms,
                                .to = b->o->to_ms,
                                .ledger_size = b->cp.size,
                                .order = SW_ORDER_SIGNIFICANCE};
    if (!b->cp.size) return SW_OK;
    int rc = sw_query_events(b->db, &f, collect, b, b->err);
    f.withdrawn = 1;
    f.order = SW_ORDER_TIME;
    if (!rc) rc = sw_query_events(b->db, &f, collect, b, b->err);
    return rc;
}

/* The newest head, signing a fresh one first when a key is given and the log grew. The
 * head's root is checked against the stored log before anything is proved against it. */
static int choose_head(struct build *b, char **note)
{
    struct sw_checkpoint *cp = &b->cp;
    uint64_t size;
    uint8_t root[SW_HASH_LEN];
    int rc = sw_ledger_tree(b->lg, &size, root);
    if (rc) {
        if (b->err)
            snprintf(b->err, SW_ERRMAX, "cannot read the ledger: %s",
                     rc == SW_EDB ? sqlite3_errmsg(b->db) : sw_strerror(rc));
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
        if (sw_store_exec(b->db, "BEGIN IMMEDIATE")) {
            if (b->err)
                snprintf(b->err, SW_ERRMAX, "cannot sign a head: %s", sqlite3_errmsg(b->db));
            return SW_EDB;
        }
        rc = sw_ledger_sign_head(b->lg, b->o->key, b->o->generated_ms, note);
        if (rc || sw_store_exec(b->db, "COMMIT")) {
            if (b->err)
                snprintf(b->err, SW_ERRMAX, "cannot sign a head: %s",
                         rc && rc != SW_EDB ? sw_strerror(rc) : sqlite3_errmsg(b->db));
            sw_store_rollback(b->db, "ROLLBACK");
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
    if (rc) {
        if (b->err)
            snprintf(b->err, SW_ERRMAX, "cannot read the signed heads: %s",
                     rc == SW_EDB ? sqlite3_errmsg(b->db) : sw_strerror(rc));
        return rc;
    }
    uint8_t at[SW_HASH_LEN];
    if (cp->size > 0) {
        rc = sw_ledger_range_hash(b->lg, 0, cp->size, at);
        if (rc) {
            if (b->err)
                snprintf(b->err, SW_ERRMAX, "cannot read the ledger: %s",
                         rc == SW_EDB ? sqlite3_errmsg(b->db) : sw_strerror(rc));
            return rc;
        }
        if (memcmp(at, cp->root, SW_HASH_LEN) != 0) {
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

static json_t *head_json(const struct build *b, const char *note)
{
    char root_hex[2 * SW_HASH_LEN + 1];
    for (size_t i = 0; i < SW_HASH_LEN; i++)
        snprintf(root_hex + 2 * i, 3, "%02x", b->cp.root[i]);
    json_t *head =
        json_pack("{s:s,s:s,s:I,s:s,s:o}", "note", note, "origin", b->cp.origin, "size",
                  (json_int_t)b->cp.size, "root_hex", root_hex, "time", iso_or_null(b->cp.time_ms));
    if (b->o->pub) {
        char *vkey = NULL, *pem = NULL;
        if (sw_ledger_pub_format(b->o->pub, &vkey) == SW_OK)
            json_object_set_new(head, "public_key", json_string(vkey));
        if (sw_ledger_pub_pem(b->o->pub, &pem) == SW_OK)
            json_object_set_new(head, "public_key_pem", json_string(pem));
        free(vkey);
        free(pem);
    }
    return head;
}

/* The model from what build read; takes its arrays. */
static json_t *model_json(struct build *b, const char *note)
{
    char gen[32];
    const struct sw_report_opts *o = b->o;
    json_t *m = json_object();
    json_object_set_new(m, "format", json_string("sanctwatch-report/1"));
    json_object_set_new(m, "generator", json_string(SW_VERSION_STRING));
    json_object_set_new(m, "title",
                        json_string(o->title ? o->title
                                             : "Vessel activity relevant to the UN "
                                               "sanctions on the DPRK"));
    json_object_set_new(m, "generated", json_string(sw_time_format(o->generated_ms, 0, gen)));
    json_object_set_new(m, "filters", filters(o));
    json_object_set_new(m, "ledger", head_json(b, note));
    json_object_set_new(m, "summary", summary(b->incidents));
    json_object_set_new(m, "methods", methods(o));
    json_object_set_new(m, "incidents", b->incidents);
    json_object_set_new(m, "transits", b->transits);
    json_object_set_new(m, "withdrawn", b->withdrawn);
    json_object_set_new(m, "vessels", b->vessels);
    b->incidents = b->transits = b->withdrawn = b->vessels = NULL;
    return m;
}

int sw_report_build(sqlite3 *db, const struct sw_report_opts *o, json_t **model, char *err)
{
    struct build b = {.db = db, .o = o, .err = err};
    char *note = NULL;
    *model = NULL;
    int rc = sw_ledger_open(db, &b.lg);
    if (rc) {
        if (err)
            snprintf(err, SW_ERRMAX, "cannot open the ledger: %s",
                     rc == SW_EDB ? sqlite3_errmsg(db) : sw_strerror(rc));
        return rc;
    }
    b.incidents = json_array();
    b.transits = json_array();
    b.withdrawn = json_array();
    b.vessels = json_object();
    if ((rc = choose_head(&b, &note)) == SW_OK && (rc = read_events(&b)) == SW_OK)
        *model = model_json(&b, note);
    json_decref(b.incidents);
    json_decref(b.transits);
    json_decref(b.withdrawn);
    json_decref(b.vessels);
    free(note);
    sw_ledger_close(b.lg);
    return rc;
}
