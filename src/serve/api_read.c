/*
 * The read endpoints of /api/v1 (docs/api.md): vessels in an area, a vessel with its
 * identities, its track, events with filters and paging, an event's records with its reviews
 * and its inclusion proof against the latest signed head, the head, screening, designated
 * vessels, reviews, alerts, the watchlist, and the event stream. Each reads through the
 * thread's own read-only connection and only through query.h, ledger.h and screen.h (and the
 * service's own store file for its tables); parameters are parsed strictly (params.c) and
 * reach the store as typed filter values.
 */
#include "serve_int.h"

#include "sanctwatch/detect.h"
#include "sanctwatch/query.h"
#include "sanctwatch/screen.h"
#include "sanctwatch/timeutil.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------- helpers */

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *inum(long long v)
{
    return v >= 0 ? json_integer(v) : json_null();
}

static json_t *when(int64_t t)
{
    char b[32];
    return t == SW_TIME_NONE ? json_null() : json_string(sw_time_format(t, 0, b));
}

static json_t *str(const char *s)
{
    json_t *v = json_string(s ? s : "");
    return v ? v : json_string(""); /* not UTF-8: the store holds AIS text, always ASCII */
}

/* Collect the request's parameters; on a bad one the 400 is answered (*ret). */
static int params(struct srv_req *r, const char *const *allowed, enum MHD_Result *ret)
{
    if (srv_params_collect(&r->params, r->c, allowed) == SW_OK) return 0;
    *ret = srv_error(r, 400, r->params.bad && strcmp(r->params.bad, "?") ? r->params.bad : NULL,
                     "%s", r->params.err);
    return -1;
}

#define PARAMS(r, ...)                                                                             \
    do {                                                                                           \
        static const char *const allowed_[] = {__VA_ARGS__, NULL};                                 \
        enum MHD_Result ret_;                                                                      \
        if (params(r, allowed_, &ret_)) return ret_;                                               \
    } while (0)

#define BAD(r) srv_error(r, 400, (r)->params.bad, "%s", (r)->params.err)

static int reader(struct srv_req *r, struct srv_reader **rd, enum MHD_Result *ret)
{
    if (srv_reader_get(r->s, rd) == SW_OK) return 0;
    *ret = srv_error(r, 503, NULL, "the store cannot be opened");
    return -1;
}

#define READER(r, rd)                                                                              \
    struct srv_reader *rd;                                                                         \
    do {                                                                                           \
        enum MHD_Result ret_;                                                                      \
        if (reader(r, &rd, &ret_)) return ret_;                                                    \
    } while (0)

enum MHD_Result api_health(struct srv_req *r)
{
    PARAMS(r, "");
    /* whether the caller's own cookie or token is a live session: nothing for anyone else */
    return srv_json(r, 200, json_pack("{ss sb}", "status", "ok", "session", srv_authenticate(r)));
}

/* -------------------------------------------------------------------------- vessels */

static json_t *vessel_json(const struct sw_vessel_row *v)
{
    char cls[2] = {v->cls, 0};
    json_t *o = json_pack("{sI so so so so so}", "mmsi", (json_int_t)v->mmsi, "flag", str(v->flag),
                          "class", v->cls ? str(cls) : json_null(), "name", str(v->name),
                          "callsign", str(v->callsign), "destination", str(v->dest));
    json_object_set_new(o, "imo", v->imo ? json_integer(v->imo) : json_null());
    json_object_set_new(o, "ship_type", inum(v->ship_type));
    json_object_set_new(o, "length_m", inum(v->length_m));
    json_object_set_new(o, "beam_m", inum(v->beam_m));
    json_object_set_new(o, "draught", num(v->draught));
    json_object_set_new(o, "first_seen", when(v->first_seen));
    json_object_set_new(o, "last_seen", when(v->last_seen));
    json_object_set_new(o, "positions", json_integer((json_int_t)v->positions));
    json_object_set_new(o, "statics", json_integer((json_int_t)v->statics));
    json_object_set_new(o, "identities", json_integer(v->identities));
    json_object_set_new(o, "listed", json_integer(v->listed));
    if (v->has_fix) {
        json_t *f = json_pack("{so so so so so so so}", "time", when(v->t), "lat", num(v->lat),
                              "lon", num(v->lon), "sog", num(v->sog), "cog", num(v->cog), "heading",
                              inum(v->heading), "status", inum(v->status));
        json_object_set_new(o, "fix", f);
    } else {
        json_object_set_new(o, "fix", json_null());
    }
    return o;
}

/* The vessel list is written straight into a buffer (jansson objects for 200,000 rows cost
 * ten times the query): strings escaped as srv_json_text does, reals to 15 digits. */
static int put_str(struct sw_buf *b, const char *s)
{
    int rc = sw_buf_putc(b, '"');
    while (!rc && *s) {
        size_t k = 0; /* a run of characters written as they are */
        for (unsigned char c; (c = (unsigned char)s[k]) >= 0x20 && c != '"' && c != '\\' &&
                              c != '<' && c != '>' && c != '&' && c != 0x7f;)
            k++;
        if (k) rc = sw_buf_append(b, s, k);
        s += k;
        if (!rc && *s) rc = sw_buf_printf(b, "\\u%04x", (unsigned char)*s++);
    }
    return rc ? rc : sw_buf_putc(b, '"');
}

static int put_real(struct sw_buf *b, double v)
{
    return isfinite(v) ? sw_buf_printf(b, "%.15g", v) : sw_buf_puts(b, "null");
}

static int put_int(struct sw_buf *b, long long v)
{
    return v >= 0 ? sw_buf_printf(b, "%lld", v) : sw_buf_puts(b, "null");
}

static int put_time(struct sw_buf *b, int64_t t)
{
    char w[32];
    return t == SW_TIME_NONE ? sw_buf_puts(b, "null")
                             : sw_buf_printf(b, "\"%s\"", sw_time_format(t, 0, w));
}

static int put_vessel(struct sw_buf *b, const struct sw_vessel_row *v)
{
    char cls[2] = {v->cls, 0};
    int rc = sw_buf_printf(b, "{\"mmsi\":%u,\"flag\":", v->mmsi);
    rc = rc ? rc : put_str(b, v->flag);
    rc = rc ? rc : sw_buf_puts(b, ",\"class\":");
    rc = rc ? rc : v->cls ? put_str(b, cls) : sw_buf_puts(b, "null");
    rc = rc ? rc : sw_buf_puts(b, ",\"name\":");
    rc = rc ? rc : put_str(b, v->name);
    rc = rc ? rc : sw_buf_puts(b, ",\"callsign\":");
    rc = rc ? rc : put_str(b, v->callsign);
    rc = rc ? rc : sw_buf_puts(b, ",\"destination\":");
    rc = rc ? rc : put_str(b, v->dest);
    rc = rc ? rc : sw_buf_puts(b, ",\"imo\":");
    rc = rc ? rc : v->imo ? sw_buf_printf(b, "%u", v->imo) : sw_buf_puts(b, "null");
    rc = rc ? rc : sw_buf_puts(b, ",\"ship_type\":");
    rc = rc ? rc : put_int(b, v->ship_type);
    rc = rc ? rc : sw_buf_puts(b, ",\"length_m\":");
    rc = rc ? rc : put_int(b, v->length_m);
    rc = rc ? rc : sw_buf_puts(b, ",\"beam_m\":");
    rc = rc ? rc : put_int(b, v->beam_m);
    rc = rc ? rc : sw_buf_puts(b, ",\"draught\":");
    rc = rc ? rc : put_real(b, v->draught);
    rc = rc ? rc : sw_buf_puts(b, ",\"first_seen\":");
    rc = rc ? rc : put_time(b, v->first_seen);
    rc = rc ? rc : sw_buf_puts(b, ",\"last_seen\":");
    rc = rc ? rc : put_time(b, v->last_seen);
    rc = rc ? rc
            : sw_buf_printf(b,
                            ",\"positions\":%llu,\"statics\":%llu,\"identities\":%d,"
                            "\"listed\":%d,\"fix\":",
                            (unsigned long long)v->positions, (unsigned long long)v->statics,
                            v->identities, v->listed);
    if (rc || !v->has_fix) return rc ? rc : sw_buf_puts(b, "null}");
    rc = sw_buf_puts(b, "{\"time\":");
    rc = rc ? rc : put_time(b, v->t);
    rc = rc ? rc : sw_buf_puts(b, ",\"lat\":");
    rc = rc ? rc : put_real(b, v->lat);
    rc = rc ? rc : sw_buf_puts(b, ",\"lon\":");
    rc = rc ? rc : put_real(b, v->lon);
    rc = rc ? rc : sw_buf_puts(b, ",\"sog\":");
    rc = rc ? rc : put_real(b, v->sog);
    rc = rc ? rc : sw_buf_puts(b, ",\"cog\":");
    rc = rc ? rc : put_real(b, v->cog);
    rc = rc ? rc : sw_buf_puts(b, ",\"heading\":");
    rc = rc ? rc : put_int(b, v->heading);
    rc = rc ? rc : sw_buf_puts(b, ",\"status\":");
    rc = rc ? rc : put_int(b, v->status);
    return rc ? rc : sw_buf_puts(b, "}}");
}

/* [mmsi, lat, lon, cog, sog, listed, name, time_ms]: positions to 6 decimals (0.1 m, finer
 * than AIS's 1/10,000 minute), course and speed to 0.1 (AIS's own resolution): a map's rows,
 * written without printf (a 5 x 5 degree area is thousands of rows). */
static int put_compact(struct sw_buf *b, const struct sw_vessel_row *v)
{
    static const int places[4] = {6, 6, 1, 1};
    int rc = sw_buf_putc(b, '[');
    rc = rc ? rc : sw_buf_int(b, v->mmsi);
    for (int k = 0; k < 4 && !rc; k++) {
        double x = k == 0 ? v->lat : k == 1 ? v->lon : k == 2 ? v->cog : v->sog;
        rc = sw_buf_putc(b, ',');
        if (!rc)
            rc = v->has_fix && isfinite(x) ? sw_buf_fixed(b, x, places[k]) : sw_buf_puts(b, "null");
    }
    rc = rc ? rc : sw_buf_putc(b, ',');
    rc = rc ? rc : sw_buf_int(b, v->listed);
    rc = rc ? rc : sw_buf_putc(b, ',');
    rc = rc ? rc : put_str(b, v->name);
    rc = rc ? rc : sw_buf_putc(b, ',');
    rc = rc ? rc : sw_buf_int(b, v->has_fix ? v->t : 0);
    return rc ? rc : sw_buf_putc(b, ']');
}

struct vlist {
    struct sw_buf b;
    int compact;
    char last[SW_CURSOR_MAX];
    size_t n;
};

static int vessel_row(void *ctx, const struct sw_vessel_row *v)
{
    struct vlist *l = ctx;
    int rc = l->n ? sw_buf_putc(&l->b, ',') : SW_OK;
    if (!rc) rc = l->compact ? put_compact(&l->b, v) : put_vessel(&l->b, v);
    size_t k = strnlen(v->cursor, sizeof l->last - 1); /* per row: no printf */
    memcpy(l->last, v->cursor, k);
    l->last[k] = '\0';
    l->n++;
    return rc;
}

enum MHD_Result api_vessels(struct srv_req *r)
{
    PARAMS(r, "bbox", "listed", "name", "mmsi", "imo", "limit", "after", "format");
    static const char *const formats[] = {"full", "compact", NULL};
    struct sw_vessel_filter f = {.seen_from = SW_TIME_NONE, .seen_to = SW_TIME_NONE};
    double b[4];
    int fmt = 0, set = 0;
    uint64_t mmsi = 0, imo = 0, limit = 0;
    struct srv_params *p = &r->params;
    if (srv_param_bbox(p, "bbox", b, &set) || srv_param_bool(p, "listed", &f.listed_only) ||
        srv_param_text(p, "name", 40, &f.name) || srv_param_u64(p, "mmsi", 1, 999999999, &mmsi) ||
        srv_param_u64(p, "imo", 1, 9999999, &imo) || srv_param_enum(p, "format", formats, &fmt) ||
        srv_param_u64(p, "limit", 1, fmt ? 200000 : 5000, &limit) ||
        srv_param_text(p, "after", SW_CURSOR_MAX - 1, &f.after))
        return BAD(r);
    if (set) f.bbox = (struct sw_bbox){1, b[0], b[1], b[2], b[3]};
    f.mmsi = (uint32_t)mmsi;
    f.imo = (uint32_t)imo;
    f.limit = limit ? limit : fmt ? 50000 : 500;
    f.grid_share = r->s->grids;
    f.generation = atomic_load(&r->s->generation);
    atomic_store(&r->s->map_asked_ms, sw_time_mono_ms());
    READER(r, rd);
    struct vlist l = {.compact = fmt};
    char err[SW_ERRMAX] = "";
    sw_buf_init(&l.b, 256u << 20);
    int rc = sw_buf_puts(&l.b, "{\"vessels\":[");
    if (!rc) rc = sw_query_vessels(rd->db, &f, vessel_row, &l, err);
    if (rc) {
        sw_buf_release(&l.b);
        if (rc == SW_EINVAL) return srv_error(r, 400, "after", "bad parameter 'after': %s", err);
        return srv_fail(r, rc, err);
    }
    rc = sw_buf_puts(&l.b, "],\"next\":");
    if (!rc) rc = l.n == f.limit ? put_str(&l.b, l.last) : sw_buf_puts(&l.b, "null");
    if (!rc && fmt)
        rc = sw_buf_puts(&l.b, ",\"fields\":[\"mmsi\",\"lat\",\"lon\",\"cog\",\"sog\",\"listed\","
                               "\"name\",\"time_ms\"]");
    if (!rc) rc = sw_buf_putc(&l.b, '}');
    if (rc) {
        sw_buf_release(&l.b);
        return srv_error(r, 500, NULL, "out of memory");
    }
    return srv_json_buf(r, 200, &l.b);
}

static int identity_row(void *ctx, const struct sw_identity_row *i)
{
    json_t *o =
        json_pack("{sI so so so so so so so so so}", "seq", (json_int_t)i->seq, "name",
                  str(i->name), "callsign", str(i->callsign), "flag", str(i->flag), "imo",
                  i->imo ? json_integer(i->imo) : json_null(), "ship_type", inum(i->ship_type),
                  "length_m", inum(i->length_m), "beam_m", inum(i->beam_m), "first_seen",
                  when(i->first_seen), "last_seen", when(i->last_seen));
    return o && !json_array_append_new(ctx, o) ? SW_OK : SW_ENOMEM;
}

static json_t *designated_json(const struct sw_designated_row *d)
{
    json_t *names = json_array(), *imos = json_array(), *mmsis = json_array();
    for (size_t i = 0; i < d->n_names; i++)
        json_array_append_new(names, str(d->names[i]));
    for (size_t i = 0; i < d->n_imos; i++)
        json_array_append_new(imos, json_integer(d->imos[i]));
    for (size_t i = 0; i < d->n_mmsis; i++)
        json_array_append_new(mmsis, json_integer(d->mmsis[i]));
    return json_pack("{sI ss ss so so so so sb so so so so so so sb}", "entry",
                     (json_int_t)d->entry, "list", d->list, "ref", d->ref, "name", str(d->name),
                     "names", names, "imos", imos, "mmsis", mmsis, "imo_valid", d->imo_valid,
                     "callsign", str(d->callsign), "flag", str(d->flag), "vessel_type",
                     str(d->vessel_type), "tonnage", str(d->tonnage), "programmes",
                     str(d->programmes), "listed_on", str(d->listed_on), "active", d->active);
}

static int designated_row(void *ctx, const struct sw_designated_row *d)
{
    json_t *o = designated_json(d);
    return o && !json_array_append_new(ctx, o) ? SW_OK : SW_ENOMEM;
}

enum MHD_Result api_vessel(struct srv_req *r)
{
    PARAMS(r, "");
    uint32_t mmsi;
    if (srv_parse_u32(r->arg[0], 1, 999999999, &mmsi))
        return srv_error(r, 400, "mmsi", "bad parameter 'mmsi': not an MMSI ('%.20s')", r->arg[0]);
    READER(r, rd);
    struct sw_vessel_row v;
    char err[SW_ERRMAX] = "";
    int rc = sw_query_vessel(rd->db, mmsi, &v, err);
    if (rc) return srv_fail(r, rc, err);
    json_t *ids = json_array(), *des = json_array();
    if ((rc = sw_query_identities(rd->db, mmsi, 0, identity_row, ids, err))) goto fail;
    struct sw_designated_filter df = {.mmsi = mmsi};
    if ((rc = sw_query_designated(rd->db, &df, designated_row, des, err))) goto fail;
    if (v.imo) {
        df.mmsi = 0;
        df.imo = v.imo;
        if ((rc = sw_query_designated(rd->db, &df, designated_row, des, err))) goto fail;
    }
    return srv_json(
        r, 200,
        json_pack("{so so so}", "vessel", vessel_json(&v), "identities", ids, "designated", des));
fail:
    json_decref(ids);
    json_decref(des);
    return srv_fail(r, rc, err);
}

static int track_row(void *ctx, const struct sw_track_point *p)
{
    json_t *o = json_pack("[I o o o o]", (json_int_t)p->t, num(p->lat), num(p->lon), num(p->sog),
                          num(p->cog));
    return o && !json_array_append_new(ctx, o) ? SW_OK : SW_ENOMEM;
}

enum MHD_Result api_track(struct srv_req *r)
{
    PARAMS(r, "from", "to", "max_points");
    uint32_t mmsi;
    uint64_t maxp = 2000;
    struct sw_track_filter f = {0, SW_TIME_NONE, SW_TIME_NONE, 0};
    if (srv_parse_u32(r->arg[0], 1, 999999999, &mmsi))
        return srv_error(r, 400, "mmsi", "bad parameter 'mmsi': not an MMSI ('%.20s')", r->arg[0]);
    if (srv_param_time(&r->params, "from", &f.from) || srv_param_time(&r->params, "to", &f.to) ||
        srv_param_u64(&r->params, "max_points", 2, 20000, &maxp))
        return BAD(r);
    if (f.from != SW_TIME_NONE && f.to != SW_TIME_NONE && f.from > f.to)
        return srv_error(r, 400, "from", "bad parameter 'from': after 'to'");
    f.mmsi = mmsi;
    f.max_points = maxp;
    READER(r, rd);
    struct sw_vessel_row v;
    char err[SW_ERRMAX] = "";
    int rc = sw_query_vessel(rd->db, mmsi, &v, err);
    if (rc) return srv_fail(r, rc, err);
    json_t *pts = json_array();
    if ((rc = sw_query_track(rd->db, &f, track_row, pts, err))) {
        json_decref(pts);
        return srv_fail(r, rc, err);
    }
    return srv_json(r, 200,
                    json_pack("{sI s[sssss] so}", "mmsi", (json_int_t)mmsi, "fields", "time_ms",
                              "lat", "lon", "sog", "cog", "points", pts));
}

/* --------------------------------------------------------------------------- events */

static json_t *event_row_json(const struct sw_event_row *e)
{
    json_t *o = json_pack("{ss ss ss so so sb sb so so so si sI si ss}", "id", e->id, "incident",
                          e->incident, "type", e->type, "start", when(e->start), "end",
                          when(e->end), "ongoing", e->ongoing, "withdrawn", e->withdrawn, "lat",
                          num(e->lat), "lon", num(e->lon), "confidence", num(e->confidence), "rank",
                          e->rank, "leaf", (json_int_t)e->leaf, "records", e->records, "review",
                          *e->review ? e->review : "unreviewed");
    json_t *vs = json_object_get(e->event, "vessels"), *port = json_object_get(e->event, "port");
    if (o && vs) json_object_set(o, "vessels", vs);
    if (o && port) json_object_set(o, "port", port);
    return o;
}

struct elist {
    json_t *rows;
    char last[SW_CURSOR_MAX];
    size_t n;
    int full;
};

static int event_row(void *ctx, const struct sw_event_row *e)
{
    struct elist *l = ctx;
    json_t *o = event_row_json(e);
    if (o && l->full) json_object_set(o, "event", (json_t *)e->event);
    if (!o || json_array_append_new(l->rows, o)) return SW_ENOMEM;
    snprintf(l->last, sizeof l->last, "%s", e->cursor);
    l->n++;
    return SW_OK;
}

enum MHD_Result api_events(struct srv_req *r)
{
    PARAMS(r, "type", "from", "to", "bbox", "mmsi", "min_confidence", "review", "order", "records",
           "withdrawn", "limit", "after");
    static const char *const orders[] = {"time", "significance", "ledger", NULL};
    static const char *const reviews[] = {"unreviewed", "confirmed", "dismissed", "annotated",
                                          NULL};
    const char *types[SW_DT_COUNT];
    struct sw_event_filter f = {
        .from = SW_TIME_NONE, .to = SW_TIME_NONE, .order = SW_ORDER_SIGNIFICANCE};
    double b[4];
    int set = 0, order = 1, rv = -1;
    uint64_t mmsi = 0, limit = 100;
    struct srv_params *p = &r->params;
    if (srv_param_types(p, "type", types, SW_DT_COUNT, &f.ntypes) ||
        srv_param_time(p, "from", &f.from) || srv_param_time(p, "to", &f.to) ||
        srv_param_bbox(p, "bbox", b, &set) || srv_param_u64(p, "mmsi", 1, 999999999, &mmsi) ||
        srv_param_double(p, "min_confidence", 0, 1, &f.min_confidence) ||
        srv_param_enum(p, "review", reviews, &rv) || srv_param_enum(p, "order", orders, &order) ||
        srv_param_bool(p, "records", &f.records) || srv_param_bool(p, "withdrawn", &f.withdrawn) ||
        srv_param_u64(p, "limit", 1, 1000, &limit) ||
        srv_param_text(p, "after", SW_CURSOR_MAX - 1, &f.after))
        return BAD(r);
    if (f.from != SW_TIME_NONE && f.to != SW_TIME_NONE && f.from > f.to)
        return srv_error(r, 400, "from", "bad parameter 'from': after 'to'");
    if (order == SW_ORDER_LEDGER && !f.records)
        return srv_error(r, 400, "order", "bad parameter 'order': 'ledger' needs records=1");
    if (f.ntypes) f.types = types;
    if (set) f.bbox = (struct sw_bbox){1, b[0], b[1], b[2], b[3]};
    f.mmsi = (uint32_t)mmsi;
    f.order = (enum sw_event_order)order;
    f.review = rv >= 0 ? reviews[rv] : NULL;
    f.limit = limit;
    READER(r, rd);
    struct elist l = {json_array(), "", 0, 0};
    char err[SW_ERRMAX] = "";
    int rc = sw_query_events(rd->db, &f, event_row, &l, err);
    if (rc) {
        json_decref(l.rows);
        if (rc == SW_EINVAL) return srv_error(r, 400, "after", "bad parameter 'after': %s", err);
        return srv_fail(r, rc, err);
    }
    return srv_json(r, 200,
                    json_pack("{so so}", "events", l.rows, "next",
                              l.n == f.limit ? json_string(l.last) : json_null()));
}

static json_t *review_json(const struct sw_review_row *v)
{
    return json_pack("{ss ss ss ss ss ss so sI}", "id", v->id, "event", v->event, "incident",
                     v->incident, "decision", v->decision, "analyst", v->analyst, "note", v->note,
                     "time", when(v->time), "leaf", (json_int_t)v->leaf);
}

static int review_row(void *ctx, const struct sw_review_row *v)
{
    json_t *o = review_json(v);
    return o && !json_array_append_new(ctx, o) ? SW_OK : SW_ENOMEM;
}

/* The inclusion proof of the record at leaf against the latest signed head, as JSON (the proof
 * file's format, docs/ledger.md), with the head; NULL proof when no head covers it yet. */
static int proof_json(struct sw_serve *s, struct srv_reader *rd, const char *id, uint64_t leaf,
                      json_t *o)
{
    char *note = NULL, *text = NULL;
    struct sw_checkpoint cp;
    struct sw_proof pr;
    int rc = sw_ledger_latest_head(rd->lg, 0, &note);
    json_object_set_new(o, "pub", s->pub_text ? json_string(s->pub_text) : json_null());
    if (rc == SW_ENOTFOUND || (rc == SW_OK && sw_checkpoint_parse(note, strlen(note), &cp))) {
        free(note);
        json_object_set_new(o, "head", json_null());
        json_object_set_new(o, "proof", json_null());
        return SW_OK;
    }
    if (rc) return rc;
    json_object_set_new(o, "head", json_string(note));
    free(note);
    if (leaf >= cp.size) {
        json_object_set_new(o, "proof", json_null());
        return SW_OK;
    }
    /* the leaf input, byte for byte, so that a browser hashes what it shows */
    json_t *recs = json_object_get(o, "records");
    const json_t *ev = json_object_get(json_array_get(recs, json_array_size(recs) - 1), "event");
    size_t len;
    if (ev && sw_canon_event(ev, &text, &len) == SW_OK)
        json_object_set_new(o, "canonical", json_stringn(text, len));
    free(text);
    text = NULL;
    memset(&pr, 0, sizeof pr);
    if ((rc = sw_ledger_prove_event(rd->lg, id, cp.size, &pr))) return rc;
    rc = sw_proof_format(&pr, &text);
    sw_proof_release(&pr);
    if (rc) return rc;
    json_t *pj = json_loads(text, 0, NULL);
    free(text);
    json_object_set_new(o, "proof", pj ? pj : json_null());
    return SW_OK;
}

enum MHD_Result api_event(struct srv_req *r)
{
    PARAMS(r, "");
    READER(r, rd);
    struct elist l = {json_array(), "", 0, 1};
    char err[SW_ERRMAX] = "";
    int rc = sw_query_incident(rd->db, r->arg[0], event_row, &l, err);
    json_t *rv = json_array(), *o = NULL;
    if (!rc) {
        struct sw_review_filter rf = {r->arg[0], 0, 0};
        rc = sw_query_reviews(rd->db, &rf, review_row, rv, err);
    }
    if (!rc &&
        !strcmp(json_string_value(json_object_get(json_array_get(l.rows, 0), "type")), "review"))
        rc = SW_ENOTFOUND; /* a review record is not an event */
    if (!rc) {
        json_t *last = json_array_get(l.rows, json_array_size(l.rows) - 1);
        o = json_pack("{sO sO so}", "incident", json_object_get(last, "incident"), "records",
                      l.rows, "reviews", rv);
        rv = NULL;
        rc = proof_json(r->s, rd, json_string_value(json_object_get(last, "id")),
                        (uint64_t)json_integer_value(json_object_get(last, "leaf")), o);
        if (!rc) json_object_set_new(o, "proof_of", json_copy(json_object_get(last, "id")));
    }
    json_decref(l.rows);
    json_decref(rv);
    if (rc) {
        json_decref(o);
        return srv_fail(r, rc, err);
    }
    return srv_json(r, 200, o);
}

enum MHD_Result api_reviews(struct srv_req *r)
{
    PARAMS(r, "event", "from_leaf", "limit");
    uint64_t from = 0, limit = 100;
    struct sw_review_filter f = {NULL, 0, 0};
    if (srv_param_text(&r->params, "event", 256, &f.event) ||
        srv_param_u64(&r->params, "from_leaf", 0, SW_MERKLE_MAX_SIZE, &from) ||
        srv_param_u64(&r->params, "limit", 1, 1000, &limit))
        return BAD(r);
    f.from_leaf = from;
    f.limit = limit;
    READER(r, rd);
    json_t *rows = json_array();
    char err[SW_ERRMAX] = "";
    int rc = sw_query_reviews(rd->db, &f, review_row, rows, err);
    if (rc) {
        json_decref(rows);
        return srv_fail(r, rc, err);
    }
    return srv_json(r, 200, json_pack("{so}", "reviews", rows));
}

enum MHD_Result api_head(struct srv_req *r)
{
    PARAMS(r, "");
    READER(r, rd);
    char *note = NULL;
    struct sw_checkpoint cp;
    int rc = sw_ledger_latest_head(rd->lg, 0, &note);
    if (rc == SW_ENOTFOUND) return srv_error(r, 404, NULL, "no head has been signed yet");
    if (rc || sw_checkpoint_parse(note, strlen(note), &cp)) {
        free(note);
        return srv_fail(r, rc ? rc : SW_EFORMAT, "a recorded head does not parse");
    }
    char root[64];
    sw_note_b64_encode(root, sizeof root, cp.root, SW_HASH_LEN);
    struct sw_cosigner cs[SW_WITNESS_MAX_PEERS];
    size_t n = 0;
    json_t *cos = json_array();
    if (sw_witness_cosigners(note, strlen(note), cs, SW_WITNESS_MAX_PEERS, &n) == SW_OK)
        for (size_t i = 0; i < n; i++)
            json_array_append_new(cos, json_pack("{ss so}", "name", cs[i].name, "time",
                                                 when((int64_t)cs[i].timestamp * 1000)));
    json_t *o =
        json_pack("{ss ss sI ss so so so}", "note", note, "origin", cp.origin, "size",
                  (json_int_t)cp.size, "root", root, "time", when(cp.time_ms), "pub",
                  r->s->pub_text ? json_string(r->s->pub_text) : json_null(), "cosigners", cos);
    free(note);
    return srv_json(r, 200, o);
}

/* ------------------------------------------------------------------------- screening */

static json_t *match_json(const struct sw_screen_match *m)
{
    json_t *toks = json_array();
    for (size_t i = 0; i < m->n_tokens; i++)
        json_array_append_new(toks, json_pack("{so so ss sf}", "query", str(m->tokens[i].query),
                                              "candidate", str(m->tokens[i].cand), "how",
                                              sw_screen_how_name(m->tokens[i].how), "similarity",
                                              m->tokens[i].sim));
    json_t *o = json_pack("{so so so so so ss sf sb so}", "list", str(m->list), "ref", str(m->ref),
                          "primary", str(m->primary), "name", str(m->name), "entry",
                          str(m->entry_key), "type", sw_screen_type_name(m->type), "score",
                          m->score, "by_identifier", m->by_identifier, "tokens", toks);
    if (o && m->by_identifier) {
        json_object_set_new(o, "id_kind", str(m->id_kind));
        json_object_set_new(o, "id_value", str(m->id_value));
    }
    return o;
}

/* The screening index, built on first use from the lists in the store (one, behind a lock:
 * it is not safe for concurrent queries). */
static int screen_index(struct sw_serve *s, struct srv_reader *rd, struct sw_screen_index **out)
{
    int rc = SW_OK;
    int64_t now = sw_time_now_ms();
    if (!s->screen && now - s->screen_tried >= 60000) { /* no lists yet: again in a minute */
        s->screen_tried = now;
        struct sw_screen_index *idx = NULL;
        if (!(rc = sw_screen_index_new(&idx, s->screen_data)) &&
            !(rc = sw_screen_index_load_db(idx, rd->db)) && !(rc = sw_screen_index_build(idx)))
            s->screen = idx;
        else
            sw_screen_index_free(idx);
        if (rc && rc != SW_ENOTFOUND)
            srv_log(s, "cannot build the screening index: %s", sw_strerror(rc));
    }
    *out = s->screen;
    return s->screen ? SW_OK : rc ? rc : SW_ENOTFOUND;
}

enum MHD_Result api_screen(struct srv_req *r)
{
    PARAMS(r, "q", "type", "limit", "threshold");
    static const char *const types[] = {"any",   "person", "organization", "vessel", "aircraft",
                                        "other", NULL};
    const char *q = NULL;
    int type = 0;
    uint64_t limit = 10;
    double threshold = SW_SCREEN_DEFAULT_THRESHOLD;
    if (srv_param_text(&r->params, "q", 200, &q) ||
        srv_param_enum(&r->params, "type", types, &type) ||
        srv_param_u64(&r->params, "limit", 1, SW_SCREEN_MAX_RESULTS, &limit) ||
        srv_param_double(&r->params, "threshold", 0.5, 1, &threshold))
        return BAD(r);
    if (!q) return srv_error(r, 400, "q", "bad parameter 'q': missing");
    struct sw_screen_opts so = {threshold, SW_SCREEN_ANY, (size_t)limit};
    if (type && sw_screen_type_parse(types[type], &so.type))
        return srv_error(r, 400, "type", "bad parameter 'type'");
    READER(r, rd);
    struct sw_screen_result *res = malloc(sizeof *res);
    if (!res) return srv_error(r, 500, NULL, "out of memory");
    pthread_mutex_lock(&r->s->screen_mu);
    struct sw_screen_index *idx;
    int rc = screen_index(r->s, rd, &idx);
    if (!rc) rc = sw_screen_query(idx, q, &so, res);
    json_t *o = NULL;
    if (!rc) {
        json_t *ms = json_array();
        for (size_t i = 0; i < res->n; i++)
            json_array_append_new(ms, match_json(&res->m[i]));
        o = json_pack("{ss so so}", "query", q, "normalised", str(res->norm), "matches", ms);
    }
    pthread_mutex_unlock(&r->s->screen_mu);
    free(res);
    if (rc == SW_EINVAL || rc == SW_ETOOBIG)
        return srv_error(r, 400, "q", "bad parameter 'q': %s", sw_strerror(rc));
    if (rc == SW_ENOTFOUND) /* no lists imported */
        return srv_json(r, 200,
                        json_pack("{ss ss s[] ss}", "query", q, "normalised", "", "matches", "note",
                                  "no sanctions lists are imported in this store"));
    if (rc) return srv_fail(r, rc, NULL);
    return srv_json(r, 200, o);
}

enum MHD_Result api_designated(struct srv_req *r)
{
    PARAMS(r, "list", "programme", "include_removed", "imo", "mmsi");
    struct sw_designated_filter f = {0};
    uint64_t imo = 0, mmsi = 0;
    struct srv_params *p = &r->params;
    if (srv_param_text(p, "list", 64, &f.list) ||
        srv_param_text(p, "programme", 64, &f.programme) ||
        srv_param_bool(p, "include_removed", &f.include_removed) ||
        srv_param_u64(p, "imo", 1, 9999999, &imo) || srv_param_u64(p, "mmsi", 1, 999999999, &mmsi))
        return BAD(r);
    f.imo = (uint32_t)imo;
    f.mmsi = (uint32_t)mmsi;
    READER(r, rd);
    json_t *rows = json_array();
    char err[SW_ERRMAX] = "";
    int rc = sw_query_designated(rd->db, &f, designated_row, rows, err);
    if (rc) {
        json_decref(rows);
        return srv_fail(r, rc, err);
    }
    return srv_json(r, 200, json_pack("{so}", "vessels", rows));
}

/* --------------------------------------------------------------------- alerts, watches */

static json_t *alert_json(const struct srv_alert_row *a)
{
    json_t *o = json_pack("{sI so ss sI so}", "id", (json_int_t)a->id, "time", when(a->time),
                          "kind", a->kind, "watch", (json_int_t)a->watch, "label", str(a->label));
    if (a->mmsi) json_object_set_new(o, "mmsi", json_integer(a->mmsi));
    if (a->imo) json_object_set_new(o, "imo", json_integer(a->imo));
    if (a->name && *a->name) json_object_set_new(o, "name", str(a->name));
    if (a->event && *a->event) json_object_set_new(o, "event", str(a->event));
    return o;
}

static int alert_row(void *ctx, const struct srv_alert_row *a)
{
    json_t *o = alert_json(a);
    return o && !json_array_append_new(ctx, o) ? SW_OK : SW_ENOMEM;
}

enum MHD_Result api_alerts(struct srv_req *r)
{
    PARAMS(r, "after", "limit");
    uint64_t after = 0, limit = 100;
    if (srv_param_u64(&r->params, "after", 0, INT64_MAX, &after) ||
        srv_param_u64(&r->params, "limit", 1, 1000, &limit))
        return BAD(r);
    READER(r, rd);
    json_t *rows = json_array();
    if (srv_db_alerts(rd->db, (int64_t)after, limit, alert_row, rows)) {
        json_decref(rows);
        return srv_fail(r, SW_EDB, sqlite3_errmsg(rd->db));
    }
    size_t n = json_array_size(rows);
    json_t *next =
        n == limit ? json_copy(json_object_get(json_array_get(rows, n - 1), "id")) : json_null();
    return srv_json(r, 200, json_pack("{so so}", "alerts", rows, "next", next));
}

static int watch_row(void *ctx, const struct srv_watch_row *w)
{
    json_t *o = json_pack("{sI ss so so so so}", "id", (json_int_t)w->id, "kind", w->kind, "value",
                          str(w->value), "label", str(w->label), "created_by", str(w->created_by),
                          "created", when(w->created));
    return o && !json_array_append_new(ctx, o) ? SW_OK : SW_ENOMEM;
}

enum MHD_Result api_watchlist(struct srv_req *r)
{
    PARAMS(r, "");
    READER(r, rd);
    json_t *rows = json_array();
    if (srv_db_watches(rd->db, watch_row, rows)) {
        json_decref(rows);
        return srv_fail(r, SW_EDB, sqlite3_errmsg(rd->db));
    }
    return srv_json(r, 200, json_pack("{so}", "watchlist", rows));
}

/* ----------------------------------------------------------------------------- stream */

#define REPLAY_MAX 2000

struct replay {
    struct sw_buf *b;
    uint64_t ledger;
    int64_t alert;
    size_t n;
    json_t *ev; /* events and reviews in leaf order: [leaf, kind, data] */
};

static int replay_event(void *ctx, const struct sw_event_row *e)
{
    struct replay *rp = ctx;
    json_t *d = srv_event_summary(e->event);
    if (!d) return SW_ENOMEM;
    json_array_append_new(rp->ev, json_pack("[I s o]", (json_int_t)e->leaf, "event", d));
    return ++rp->n >= REPLAY_MAX ? 1 : SW_OK;
}

static int replay_review(void *ctx, const struct sw_review_row *v)
{
    struct replay *rp = ctx;
    json_t *d = review_json(v);
    if (!d) return SW_ENOMEM;
    json_array_append_new(rp->ev, json_pack("[I s o]", (json_int_t)v->leaf, "review", d));
    return ++rp->n >= REPLAY_MAX ? 1 : SW_OK;
}

static int leaf_cmp(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_array_get(*(json_t *const *)a, 0));
    json_int_t y = json_integer_value(json_array_get(*(json_t *const *)b, 0));
    return x < y ? -1 : x > y;
}

static int put_msg(struct sw_buf *b, const char *event, uint64_t ledger, int64_t alert, json_t *d)
{
    char *text = srv_json_text(d);
    if (!text) return SW_ENOMEM;
    int rc = sw_buf_printf(b, "id: %" PRIu64 ".%" PRId64 "\nevent: %s\ndata: %s\n\n", ledger, alert,
                           event, text);
    free(text);
    return rc;
}

struct alert_replay {
    struct sw_buf *b;
    uint64_t ledger;
    int64_t until;
    size_t n;
};

static int replay_alert(void *ctx, const struct srv_alert_row *a)
{
    struct alert_replay *ar = ctx;
    if (a->id > ar->until) return 1;
    json_t *o = alert_json(a);
    int rc = o ? put_msg(ar->b, "alert", ar->ledger, a->id, o) : SW_ENOMEM;
    json_decref(o);
    return rc;
}

/* The messages after position (L, A) up to (ledger, alert), from the store. */
static int build_replay(struct srv_reader *rd, uint64_t L, int64_t A, uint64_t ledger,
                        int64_t alert, struct sw_buf *b)
{
    struct replay rp = {b, ledger, alert, 0, json_array()};
    struct sw_event_filter f = {.from = SW_TIME_NONE,
                                .to = SW_TIME_NONE,
                                .records = 1,
                                .order = SW_ORDER_LEDGER,
                                .ledger_size = ledger,
                                .from_leaf = L};
    int rc = SW_OK;
    if (L < ledger) {
        rc = sw_query_events(rd->db, &f, replay_event, &rp, NULL);
        struct sw_review_filter rf = {NULL, L, 0};
        if (rc >= 0) rc = sw_query_reviews(rd->db, &rf, replay_review, &rp, NULL);
    }
    if (rc < 0) goto out;
    if (rp.n >= REPLAY_MAX) { /* too much missed: the client reloads */
        rc = sw_buf_printf(b, "id: %" PRIu64 ".%" PRId64 "\nevent: reset\ndata: {}\n\n", ledger,
                           alert);
        goto out;
    }
    size_t n = json_array_size(rp.ev);
    json_t **v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        rc = SW_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(rp.ev, i);
    qsort(v, n, sizeof *v, leaf_cmp);
    rc = SW_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        uint64_t leaf = (uint64_t)json_integer_value(json_array_get(v[i], 0));
        if (leaf >= ledger) continue; /* a review committed after the position was read */
        rc = put_msg(b, json_string_value(json_array_get(v[i], 1)), leaf + 1, A,
                     json_array_get(v[i], 2));
    }
    free(v);
    struct alert_replay ar = {b, ledger, alert, 0};
    if (!rc && A < alert) rc = srv_db_alerts(rd->db, A, REPLAY_MAX, replay_alert, &ar);
    if (rc == 1) rc = SW_OK;
out:
    json_decref(rp.ev);
    return rc < 0 ? rc : SW_OK;
}

enum MHD_Result api_stream(struct srv_req *r)
{
    PARAMS(r, "last_event_id");
    const char *last = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Last-Event-ID");
    const char *q = srv_param(&r->params, "last_event_id");
    if (q) last = q;
    uint64_t ledger, seq;
    int64_t alert;
    srv_hub_position(r->s->hub, &ledger, &alert, &seq);
    struct sw_buf b;
    sw_buf_init(&b, 16u << 20);
    int rc = sw_buf_puts(&b, "retry: 2000\n\n");
    if (last && *last) {
        unsigned long long L;
        long long A;
        char tail;
        if (sscanf(last, "%llu.%lld%c", &L, &A, &tail) != 2 || A < 0 || L > SW_MERKLE_MAX_SIZE) {
            sw_buf_release(&b);
            return srv_error(r, 400, "Last-Event-ID", "bad Last-Event-ID '%.40s' (LEDGER.ALERT)",
                             last);
        }
        READER(r, rd);
        if (!rc && (L < ledger || A < alert)) rc = build_replay(rd, L, A, ledger, alert, &b);
    }
    if (rc) {
        sw_buf_release(&b);
        return srv_fail(r, rc, "cannot replay the stream");
    }
    struct MHD_Response *resp = srv_hub_response(r->s->hub, r->c, &b, seq);
    sw_buf_release(&b);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return srv_respond(r, 200, resp);
}
