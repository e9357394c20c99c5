/*
 * One case in full: its vessels, the identity timeline of each (names, call signs, flags, IMO
 * numbers from the AIS identity history and from the lists), the list entries they match,
 * flag and identity forensics (the MMSI's MID against the lists' flag, flag changes of one
 * hull, a name another IMO number also carries, IMO numbers failing their check digit), the
 * timeline of its incidents, a narrative, and the data of its map (tracks and every
 * incident). docs/cases.md, "Cases".
 */
#include "build_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/mid.h"
#include "sanctwatch/query.h"
#include "sanctwatch/timeutil.h"

/* ---- flags: a list's country name as an ISO code, through the MID table's names */

static void letters(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; s && *s && k + 1 < n; s++)
        if (isalpha((unsigned char)*s)) out[k++] = (char)tolower((unsigned char)*s);
    out[k] = '\0';
}

static const char *iso_of_country(const char *name)
{
    static const struct {
        const char *name, *iso;
    } alias[] = {{"northkorea", "KP"},     {"koreanorth", "KP"}, {"dprk", "KP"},
                 {"southkorea", "KR"},     {"koreasouth", "KR"}, {"russia", "RU"},
                 {"vietnam", "VN"},        {"tanzania", "TZ"},   {"unitedrepublicoftanzania", "TZ"},
                 {"iran", "IR"},           {"syria", "SY"},      {"hongkong", "HK"},
                 {"stkittsandnevis", "KN"}};
    char want[96], have[96];
    letters(name, want, sizeof want);
    if (!want[0]) return NULL;
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (!strcmp(want, alias[i].name)) return alias[i].iso;
    for (int mid = 201; mid <= 775; mid++) {
        const char *iso, *nm;
        if (sw_mid_lookup(mid, &iso, &nm) != SW_OK) continue;
        letters(nm, have, sizeof have);
        if (!strcmp(want, have)) return iso;
    }
    return NULL;
}

/* ---- the vessels, their identities and their list entries */

struct collect {
    struct bld *b;
    json_t *arr, *hits;
    uint32_t mmsi;
    const char *mid_flag;
    json_t *forensics;
};

static int identity_row(void *ctx, const struct sw_identity_row *r)
{
    struct collect *c = ctx;
    char a[32], z[32];
    json_t *o = json_pack(
        "{s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "source", "ais", "mmsi", (json_int_t)r->mmsi, "seq",
        (json_int_t)r->seq, "name", r->name, "callsign", r->callsign, "flag", r->flag, "from",
        sw_time_format(r->first_seen, 0, a), "to", sw_time_format(r->last_seen, 0, z));
    if (r->imo) {
        json_object_set_new(o, "imo", json_integer(r->imo));
        json_object_set_new(o, "imo_valid", json_boolean(sw_lists_imo_valid(r->imo)));
    }
    if (r->ship_type >= 0) json_object_set_new(o, "ship_type", json_integer(r->ship_type));
    return json_array_append_new(c->arr, o) ? SW_ENOMEM : SW_OK;
}

static int designated_row(void *ctx, const struct sw_designated_row *d)
{
    struct collect *c = ctx;
    size_t i;
    json_t *h;
    json_array_foreach(c->hits, i, h) /* by IMO and by MMSI: once */
        if (json_integer_value(json_object_get(h, "entry")) == d->entry) return SW_OK;
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "entry", (json_int_t)d->entry,
                          "list", d->list, "ref", d->ref, "name", d->name, "flag", d->flag,
                          "vessel_type", d->vessel_type, "tonnage", d->tonnage, "programmes",
                          d->programmes, "active", d->active);
    if (d->imo) json_object_set_new(o, "imo", json_integer(d->imo));
    if (d->mmsi) json_object_set_new(o, "mmsi", json_integer(d->mmsi));
    json_array_append_new(c->hits, o);
    json_array_append_new(c->arr,
                          json_pack("{s:s,s:s,s:s,s:s,s:s}", "source", "list", "list", d->list,
                                    "ref", d->ref, "name", d->name, "flag", d->flag));
    /* the MMSI's flag against the list's */
    const char *iso = iso_of_country(d->flag);
    if (iso && c->mid_flag[0] && strcmp(iso, c->mid_flag))
        json_array_append_new(json_object_get(c->forensics, "flag_mismatch"),
                              json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "mmsi", (json_int_t)c->mmsi,
                                        "mid_flag", c->mid_flag, "list", d->list, "ref", d->ref,
                                        "list_flag", d->flag, "list_flag_iso", iso));
    return SW_OK;
}

static json_t *vessel_json(const struct cvs *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "mmsi", json_integer(v->mmsi));
    json_object_set_new(o, "flag", json_string(sw_mid_flag(v->mmsi)));
    json_object_set_new(o, "tanker", json_boolean(v->tanker));
    json_object_set_new(o, "designated", json_integer(v->designated));
    if (!v->have_row) return o;
    const struct sw_vessel_row *r = &v->row;
    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "callsign", json_string(r->callsign));
    if (r->imo) json_object_set_new(o, "imo", json_integer(r->imo));
    if (r->ship_type >= 0) json_object_set_new(o, "ship_type", json_integer(r->ship_type));
    if (r->length_m > 0) json_object_set_new(o, "length_m", json_integer(r->length_m));
    if (r->beam_m > 0) json_object_set_new(o, "beam_m", json_integer(r->beam_m));
    return o;
}

/* Flag changes of one hull: the identities that carried one IMO number, in time order, and
 * each change of the MMSI's flag between them. */
static void flag_changes(json_t *ids, json_t *out)
{
    size_t n = json_array_size(ids);
    for (size_t i = 0; i < n; i++) {
        json_t *a = json_array_get(ids, i);
        json_int_t imo = json_integer_value(json_object_get(a, "imo"));
        if (!imo || !json_is_true(json_object_get(a, "imo_valid"))) continue;
        json_t *next = NULL;
        const char *at = json_string_value(json_object_get(a, "to"));
        for (size_t j = 0; j < n; j++) { /* the next identity of this IMO under a new MMSI */
            json_t *b = json_array_get(ids, j);
            const char *bf = json_string_value(json_object_get(b, "from"));
            if (json_integer_value(json_object_get(b, "imo")) != imo || !bf || !at ||
                json_integer_value(json_object_get(b, "mmsi")) ==
                    json_integer_value(json_object_get(a, "mmsi")) ||
                strcmp(bf, at) < 0)
                continue;
            if (!next || strcmp(bf, json_string_value(json_object_get(next, "from"))) < 0) next = b;
        }
        const char *f1 = json_string_value(json_object_get(a, "flag"));
        const char *f2 = next ? json_string_value(json_object_get(next, "flag")) : NULL;
        if (f1 && f2 && strcmp(f1, f2))
            json_array_append_new(out,
                                  json_pack("{s:I,s:O,s:O,s:s,s:s,s:O}", "imo", imo, "from_mmsi",
                                            json_object_get(a, "mmsi"), "to_mmsi",
                                            json_object_get(next, "mmsi"), "from_flag", f1,
                                            "to_flag", f2, "at", json_object_get(next, "from")));
    }
}

struct reuse {
    const char *name;
    uint32_t imo, mmsi;
    json_t *out;
};

static int reuse_row(void *ctx, const struct sw_vessel_row *v)
{
    struct reuse *r = ctx;
    if (v->mmsi == r->mmsi || strcasecmp(v->name, r->name) || !v->imo || v->imo == r->imo ||
        json_array_size(r->out) >= 10)
        return SW_OK;
    return json_array_append_new(r->out,
                                 json_pack("{s:s,s:I,s:I,s:I}", "name", v->name, "imo",
                                           (json_int_t)r->imo, "other_imo", (json_int_t)v->imo,
                                           "other_mmsi", (json_int_t)v->mmsi))
               ? SW_ENOMEM
               : SW_OK;
}

/* The vessels, identities, list hits and forensics of a case. */
static int vessels_part(struct bld *b, json_t *k, const size_t *mem, size_t nmem)
{
    json_t *vs = json_array(), *ids = json_array(), *hits = json_array();
    json_t *fo = json_pack("{s:[],s:[],s:[],s:[]}", "flag_mismatch", "flag_changes", "name_reuse",
                           "imo_check_digit");
    json_object_set_new(k, "members", vs);
    json_object_set_new(k, "identities", ids);
    json_object_set_new(k, "list_hits", hits);
    json_object_set_new(k, "forensics", fo);
    int rc = SW_OK;
    for (size_t i = 0; i < nmem && i < 50 && rc == SW_OK; i++) {
        const struct cvs *v = &b->vs[mem[i]];
        json_array_append_new(vs, vessel_json(v));
        struct collect c = {b, ids, hits, v->mmsi, sw_mid_flag(v->mmsi), fo};
        size_t before = json_array_size(ids);
        rc = sw_query_identities(b->db, v->mmsi, 0, identity_row, &c, b->err);
        struct sw_designated_filter f = {.mmsi = v->mmsi};
        if (rc == SW_OK) rc = sw_query_designated(b->db, &f, designated_row, &c, b->err);
        for (size_t j = before; j < json_array_size(ids) && rc == SW_OK; j++) {
            json_t *id = json_array_get(ids, j);
            json_int_t imo = json_integer_value(json_object_get(id, "imo"));
            if (!imo) continue;
            if (!json_is_true(json_object_get(id, "imo_valid")))
                json_array_append_new(
                    json_object_get(fo, "imo_check_digit"),
                    json_pack("{s:I,s:I}", "mmsi", (json_int_t)v->mmsi, "imo", imo));
            struct sw_designated_filter g = {.imo = (uint32_t)imo};
            if (json_is_true(json_object_get(id, "imo_valid")))
                rc = sw_query_designated(b->db, &g, designated_row, &c, b->err);
        }
        if (rc == SW_OK && v->have_row && v->row.name[0]) {
            struct reuse r = {v->row.name, v->row.imo, v->mmsi, json_object_get(fo, "name_reuse")};
            struct sw_vessel_filter vf = {.name = v->row.name,
                                          .seen_from = SW_TIME_NONE,
                                          .seen_to = SW_TIME_NONE,
                                          .limit = 200};
            if (v->row.imo) rc = sw_query_vessels(b->db, &vf, reuse_row, &r, b->err);
        }
    }
    flag_changes(ids, json_object_get(fo, "flag_changes"));
    return rc;
}

/* ---- the timeline, the map and the narrative */

static void summary_of(const struct cev *e, struct sw_buf *s)
{
    const json_t *ev = e->ev, *dt = json_object_get(ev, "details");
    const char *port = json_string_value(json_object_get(json_object_get(ev, "port"), "name"));
    double gap = json_number_value(json_object_get(dt, "gap_h"));
    if (!strcmp(e->type, "possible_port_call")) {
        json_t *p0 = json_array_get(json_object_get(dt, "ports"), 0);
        sw_buf_printf(s,
                      "possible call at %s during %.1f h of AIS silence (stay up to %.1f h; %zu "
                      "ports in reach)",
                      port ? port : "?", gap, json_number_value(json_object_get(p0, "max_stay_h")),
                      json_array_size(json_object_get(dt, "ports")));
    } else if (!strcmp(e->type, "corridor_voyage")) {
        const char *fr = json_string_value(json_object_get(json_object_get(dt, "from"), "name"));
        sw_buf_printf(s, "voyage %s -> %s (%s, %lld dark legs)", fr ? fr : "?", port ? port : "?",
                      bld_detail(ev, "kind"),
                      (long long)json_integer_value(json_object_get(dt, "dark_legs")));
    } else if (!strcmp(e->type, "port_call")) {
        sw_buf_printf(s, "call at %s", port ? port : "?");
    } else if (!strcmp(e->type, "ais_gap")) {
        sw_buf_printf(s, "AIS off for %.1f h", gap);
    } else {
        const char *kind = bld_detail(ev, "kind");
        sw_buf_printf(s, "%s%s%s", e->type, kind[0] ? ": " : "", kind);
    }
}

static json_t *timeline(struct bld *b, const size_t *evs, size_t n)
{
    json_t *t = json_array();
    struct sw_buf s;
    sw_buf_init(&s, 1024);
    for (size_t i = 0; i < n; i++) { /* the incidents are read in time order */
        const struct cev *e = &b->ev[evs[i]];
        sw_buf_reset(&s);
        summary_of(e, &s);
        json_t *row =
            json_pack("{s:s,s:s,s:O,s:O,s:i,s:I,s:s%}", "id", e->id, "type", e->type, "start",
                      json_object_get(e->ev, "start"), "end", json_object_get(e->ev, "end"), "rank",
                      e->rank, "leaf", (json_int_t)e->leaf, "summary", s.data ? s.data : "", s.len);
        json_t *vv = json_array();
        for (int k = 0; k < e->nm; k++)
            json_array_append_new(vv, json_integer(e->mmsi[k]));
        json_object_set_new(row, "vessels", vv);
        json_array_append_new(t, row);
    }
    sw_buf_release(&s);
    return t;
}

struct pts {
    json_t *arr;
    double *box;
};

static int track_point(void *ctx, const struct sw_track_point *p)
{
    struct pts *x = ctx;
    char t[32];
    x->box[0] = fmin(x->box[0], p->lon);
    x->box[1] = fmin(x->box[1], p->lat);
    x->box[2] = fmax(x->box[2], p->lon);
    x->box[3] = fmax(x->box[3], p->lat);
    return json_array_append_new(x->arr,
                                 json_pack("[s,f,f]", sw_time_format(p->t, 0, t), p->lat, p->lon))
               ? SW_ENOMEM
               : SW_OK;
}

/* The map: each member's track over the case's period, every incident, the routes of its
 * possible calls; box [minlon, minlat, maxlon, maxlat] as the report's maps read it. */
static int map_part(struct bld *b, json_t *k, const size_t *mem, size_t nmem, const size_t *evs,
                    size_t nevs)
{
    double box[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    int64_t t0 = INT64_MAX, t1 = INT64_MIN;
    json_t *marks = json_array(), *tracks = json_array(), *routes = json_array();
    for (size_t i = 0; i < nevs; i++) {
        const struct cev *e = &b->ev[evs[i]];
        t0 = e->start < t0 ? e->start : t0;
        int64_t end = e->end == SW_TIME_NONE ? e->start : e->end;
        t1 = end > t1 ? end : t1;
        if (!isfinite(e->lat) || !isfinite(e->lon)) continue;
        box[0] = fmin(box[0], e->lon), box[1] = fmin(box[1], e->lat);
        box[2] = fmax(box[2], e->lon), box[3] = fmax(box[3], e->lat);
        json_array_append_new(marks, json_pack("{s:s,s:s,s:f,s:f}", "id", e->id, "type", e->type,
                                               "lat", e->lat, "lon", e->lon));
        const json_t *dt = json_object_get(e->ev, "details");
        const char *rk[2] = {"route_in", "route_out"};
        for (int r = 0; r < 2; r++)
            if (json_array_size(json_object_get(dt, rk[r])))
                json_array_append_new(routes, json_deep_copy(json_object_get(dt, rk[r])));
    }
    int rc = SW_OK;
    for (size_t i = 0; i < nmem && i < 12 && nevs && rc == SW_OK; i++) {
        struct pts p = {json_array(), box};
        struct sw_track_filter f = {.mmsi = b->vs[mem[i]].mmsi,
                                    .from = t0 - 12 * 3600000LL,
                                    .to = t1 + 12 * 3600000LL,
                                    .max_points = b->o->max_track_points};
        rc = sw_query_track(b->db, &f, track_point, &p, b->err);
        json_array_append_new(tracks,
                              json_pack("{s:I,s:o}", "mmsi", (json_int_t)f.mmsi, "points", p.arr));
    }
    json_t *m = json_object();
    if (isfinite(box[0]))
        json_object_set_new(m, "bbox", json_pack("[f,f,f,f]", box[0], box[1], box[2], box[3]));
    json_object_set_new(m, "id", json_copy(json_object_get(k, "id")));
    json_object_set_new(m, "tracks", tracks);
    json_object_set_new(m, "marks", marks);
    json_object_set_new(m, "routes", routes);
    json_object_set_new(k, "map", m);
    return rc;
}

static void narrative(struct bld *b, json_t *k, const size_t *evs, size_t nevs)
{
    struct sw_buf s;
    sw_buf_init(&s, 8192);
    json_t *lead = json_array_get(json_object_get(k, "members"), 0);
    uint32_t mmsi = (uint32_t)json_integer_value(json_object_get(k, "lead_mmsi"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(k, "members"), i,
                       v) if ((uint32_t)json_integer_value(json_object_get(v, "mmsi")) == mmsi)
        lead = v;
    const char *name = json_string_value(json_object_get(lead, "name"));
    sw_buf_printf(&s, "%s (MMSI %u", name && name[0] ? name : "An unnamed vessel", mmsi);
    json_int_t imo = json_integer_value(json_object_get(lead, "imo"));
    if (imo) sw_buf_printf(&s, ", IMO %lld", (long long)imo);
    sw_buf_printf(&s, ", flag %s)", sw_mid_flag(mmsi)[0] ? sw_mid_flag(mmsi) : "unknown");
    json_t *h = json_array_get(json_object_get(k, "list_hits"), 0);
    if (h)
        sw_buf_printf(&s, " is on the %s list (%s)", json_string_value(json_object_get(h, "list")),
                      json_string_value(json_object_get(h, "ref")));
    size_t nv = json_array_size(json_object_get(k, "members"));
    if (nevs)
        sw_buf_printf(&s, ". From %.10s to %.10s the case's %zu vessel%s %s in %zu incident%s",
                      json_string_value(json_object_get(b->ev[evs[0]].ev, "start")),
                      json_string_value(json_object_get(b->ev[evs[nevs - 1]].ev, "start")), nv,
                      nv == 1 ? "" : "s", nv == 1 ? "was" : "were", nevs, nevs == 1 ? "" : "s");
    json_t *f = json_object_get(k, "factors");
    if (json_array_size(f)) {
        sw_buf_printf(&s, "; the score of %lld rests on ",
                      (long long)json_integer_value(json_object_get(k, "score")));
        json_array_foreach(f, i, v)
            sw_buf_printf(&s, "%s%s", i ? (i + 1 == json_array_size(f) ? " and " : ", ") : "",
                          json_string_value(json_object_get(v, "meaning")));
    }
    sw_buf_puts(&s, ".");
    json_object_set_new(k, "narrative", json_stringn(s.data ? s.data : "", s.len));
    sw_buf_release(&s);
}

int case_detail(struct bld *b, json_t *k, const size_t *mem, size_t nmem, const size_t *evs,
                size_t nevs)
{
    int rc = vessels_part(b, k, mem, nmem);
    if (rc == SW_OK) rc = map_part(b, k, mem, nmem, evs, nevs);
    if (rc) return rc;
    json_object_set_new(k, "timeline", timeline(b, evs, nevs));
    narrative(b, k, evs, nevs);
    return SW_OK;
}
