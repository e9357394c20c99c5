/*
 * The evaluator (sanctwatch/eval.h): reads the simulator's ground truth and a detector's
 * events, reduces the events to the incident view (the last record of each incident,
 * withdrawn incidents dropped), matches them one-to-one per type (same type, same MMSI set,
 * same kind when both give one, overlapping intervals within a tolerance) and counts true
 * and false positives and misses, per type and per kind, the false positives that fall on
 * the hard negatives the simulator planted, the reception labels of matched AIS gaps, and
 * the zone transit summaries against the truth's.
 */
#include "sanctwatch/eval.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/event.h"
#include "sanctwatch/timeutil.h"

static const char *const TYPES[] = {
    "encounter",  "dark_rendezvous", "loitering",       "ais_gap",        "port_call",
    "zone_entry", "position_spoof",  "identity_change", "identity_fraud", "listed_vessel"};
#define NTYPES (sizeof TYPES / sizeof TYPES[0])
#define MAX_EXTRA_TYPES 64
#define MAX_KINDS 64
#define DAY_MS 86400000LL
#define DROP_REPLACED 1
#define DROP_WITHDRAWN 2

struct list {
    struct sw_eval_item *v;
    size_t n, cap;
};

/* One zone transit summary: truth "zone_transits" item, or an event of kind "transits". */
struct transit {
    uint32_t mmsi;
    char zone[32];
    int64_t day; /* days since the epoch */
    long entries;
    char id[SW_EVAL_ID_MAX + 1];
    int dropped;
};

struct tlist {
    struct transit *v;
    size_t n, cap;
};

struct sw_eval {
    struct sw_eval_opts o;
    struct list truth, neg, ev;
    struct tlist ttr, tev; /* transit summaries: truth, events */
    size_t malformed;
    int have_truth, ran;
    struct sw_eval_result res[NTYPES + MAX_EXTRA_TYPES];
    size_t nres;
    struct sw_eval_result kres[MAX_KINDS];
    size_t nkres;
    size_t *hits; /* indices into ev of events on a negative */
    size_t nhits;
    size_t *disagree; /* indices into ev of matched gaps whose reception label differs */
    struct sw_eval_transits tcount;
    struct sw_eval_reception rcount;
    struct sw_eval_incidents icount;
    /* incident id -> record: open addressing, slot value 0 empty, else 1 + (index << 1 |
     * transit) */
    size_t *slots;
    size_t nslots, nused;
    char why[200]; /* the reason sw_eval_truth refused the truth */
};

int sw_eval_new(struct sw_eval **out, const struct sw_eval_opts *opts)
{
    struct sw_eval *e = calloc(1, sizeof *e);
    *out = NULL;
    if (!e) return SW_ENOMEM;
    e->o.tolerance_ms = opts && opts->tolerance_ms >= 0 ? opts->tolerance_ms : 3600000;
    *out = e;
    return SW_OK;
}

void sw_eval_free(struct sw_eval *e)
{
    if (!e) return;
    free(e->truth.v);
    free(e->neg.v);
    free(e->ev.v);
    free(e->ttr.v);
    free(e->tev.v);
    free(e->hits);
    free(e->disagree);
    free(e->slots);
    free(e);
}

static size_t total(const struct sw_eval *e)
{
    return e->truth.n + e->neg.n + e->ev.n + e->ttr.n + e->tev.n;
}

static int tpush(struct sw_eval *e, struct tlist *l, const struct transit *t)
{
    if (total(e) >= SW_EVAL_MAX_ITEMS) return SW_ETOOBIG;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        struct transit *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) return SW_ENOMEM;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = *t;
    return SW_OK;
}

static int push(struct sw_eval *e, struct list *l, const struct sw_eval_item *it)
{
    if (total(e) >= SW_EVAL_MAX_ITEMS) return SW_ETOOBIG;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        struct sw_eval_item *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) return SW_ENOMEM;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = *it;
    return SW_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int get_mmsi(json_t *v, uint32_t *m)
{
    if (json_is_object(v)) v = json_object_get(v, "mmsi");
    if (!json_is_integer(v)) return -1;
    json_int_t i = json_integer_value(v);
    if (i <= 0 || i > 999999999) return -1;
    *m = (uint32_t)i;
    return 0;
}

static int get_time(json_t *v, int64_t *ms)
{
    if (!json_is_string(v)) return -1;
    return sw_time_parse(json_string_value(v), json_string_length(v), ms) ? -1 : 0;
}

static void copy_str(char *dst, size_t n, const char *s)
{
    size_t l = s ? strlen(s) : 0;
    if (l >= n) l = n - 1;
    if (l) memcpy(dst, s, l);
    dst[l] = '\0';
}

static void copy_s(char *dst, size_t n, json_t *v)
{
    copy_str(dst, n, json_is_string(v) ? json_string_value(v) : "");
}

static int64_t day_of(int64_t ms)
{
    return ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
}

/* "YYYY-MM-DD" (or a full time) -> days since the epoch */
static int get_day(json_t *v, int64_t *day)
{
    int64_t ms;
    if (get_time(v, &ms)) return -1;
    *day = day_of(ms);
    return 0;
}

/* SPEC-12 names the summaries' kind "transits"; "transit" is accepted as well. */
static int is_transits(const char *kind)
{
    return !strcmp(kind, "transits") || !strcmp(kind, "transit");
}

/* An object with type (or kind), vessels, start, end, lat, lon -> *it. */
static int parse_item(json_t *o, const char *typekey, int end_may_be_null, struct sw_eval_item *it)
{
    memset(it, 0, sizeof *it);
    it->match = it->negative = -1;
    it->lat = it->lon = NAN;
    if (!json_is_object(o)) return -1;
    json_t *t = json_object_get(o, typekey);
    if (!json_is_string(t) || !json_string_length(t) || json_string_length(t) > SW_EVAL_TYPE_MAX)
        return -1;
    copy_s(it->type, sizeof it->type, t);
    copy_s(it->id, sizeof it->id, json_object_get(o, "id"));
    json_t *dt = json_object_get(o, "details");
    copy_s(it->kind, sizeof it->kind, json_object_get(dt, "kind"));
    copy_s(it->reception, sizeof it->reception, json_object_get(dt, "reception"));
    it->optional = json_is_true(json_object_get(o, "optional"));
    json_t *vs = json_object_get(o, "vessels");
    if (!json_is_array(vs) || json_array_size(vs) == 0) return -1;
    for (size_t i = 0; i < json_array_size(vs); i++) {
        uint32_t m;
        if (get_mmsi(json_array_get(vs, i), &m)) return -1;
        int dup = 0;
        for (int k = 0; k < it->nmmsi; k++)
            dup |= it->mmsi[k] == m;
        if (dup) continue;
        if (it->nmmsi == SW_EVAL_MAX_VESSELS) return -1;
        it->mmsi[it->nmmsi++] = m;
    }
    qsort(it->mmsi, (size_t)it->nmmsi, sizeof it->mmsi[0], cmp_u32);
    if (get_time(json_object_get(o, "start"), &it->start)) return -1;
    json_t *end = json_object_get(o, "end");
    if (json_is_null(end) || (!end && end_may_be_null)) {
        if (!end_may_be_null) return -1;
        it->end = INT64_MAX;
    } else if (get_time(end, &it->end) || it->end < it->start) {
        return -1;
    }
    json_t *la = json_object_get(o, "lat"), *lo = json_object_get(o, "lon");
    if (json_is_number(la) && json_is_number(lo)) {
        it->lat = json_number_value(la);
        it->lon = json_number_value(lo);
    }
    return 0;
}

/* The items of one truth array (events by "type", negatives by "kind") into list. */
static int load_items(struct sw_eval *e, const json_t *arr, const char *key, int end_may_be_null,
                      const char *what, struct list *list)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        struct sw_eval_item it;
        if (parse_item(json_array_get(arr, i), key, end_may_be_null, &it)) {
            snprintf(e->why, sizeof e->why, "%s (#%zu) lacks %s, vessels, start or end", what,
                     i + 1, key);
            return SW_EFORMAT;
        }
        int rc = push(e, list, &it);
        if (rc) return rc;
    }
    return SW_OK;
}

/* The truth's "zone_transits": [{"mmsi", "zone", "day", "entries"}, ...]. */
static int load_transits(struct sw_eval *e, const json_t *arr)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i), *en = json_object_get(o, "entries");
        struct transit t;
        memset(&t, 0, sizeof t);
        if (get_mmsi(json_object_get(o, "mmsi"), &t.mmsi) ||
            !json_is_string(json_object_get(o, "zone")) ||
            get_day(json_object_get(o, "day"), &t.day) || !json_is_integer(en)) {
            snprintf(e->why, sizeof e->why,
                     "a zone transit (#%zu) lacks mmsi, zone, day or entries", i + 1);
            return SW_EFORMAT;
        }
        copy_s(t.zone, sizeof t.zone, json_object_get(o, "zone"));
        t.entries = (long)json_integer_value(en);
        int rc = tpush(e, &e->ttr, &t);
        if (rc) return rc;
    }
    return SW_OK;
}

int sw_eval_truth(struct sw_eval *e, const char *json, size_t len, const char **why)
{
    json_error_t err;
    int rc = SW_EFORMAT;
    if (why) *why = e->why;
    snprintf(e->why, sizeof e->why, "the truth was already loaded");
    if (e->have_truth) return SW_EINVAL;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        /* jansson's own words: a number out of range is not "not an object" */
        snprintf(e->why, sizeof e->why, "not JSON: %s (line %d, column %d)", err.text, err.line,
                 err.column);
        goto fail;
    }
    snprintf(e->why, sizeof e->why, "not a JSON object");
    if (!json_is_object(root)) goto fail;
    json_t *evs = json_object_get(root, "events"), *negs = json_object_get(root, "negatives");
    json_t *zt = json_object_get(root, "zone_transits");
    snprintf(e->why, sizeof e->why, "no \"events\" array");
    if (!json_is_array(evs) || (negs && !json_is_array(negs))) goto fail;
    snprintf(e->why, sizeof e->why, "\"zone_transits\" is not an array");
    if (zt && !json_is_array(zt)) goto fail;
    if ((rc = load_items(e, evs, "type", 1, "a truth event", &e->truth)) ||
        (rc = load_items(e, negs, "kind", 0, "a negative", &e->neg)) || (rc = load_transits(e, zt)))
        goto fail;
    e->have_truth = 1;
    json_decref(root);
    return SW_OK;
fail:
    e->truth.n = e->neg.n = e->ttr.n = 0;
    json_decref(root);
    return rc;
}

/* ---- the incident view: incident id -> its latest record ---------------------------------- */

static uint64_t hash_str(const char *k)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ULL;
    return h;
}

static const char *slot_id(const struct sw_eval *e, size_t v)
{
    size_t x = (v - 1) >> 1;
    return (v - 1) & 1 ? e->tev.v[x].id : e->ev.v[x].id;
}

static size_t *slot_find(struct sw_eval *e, const char *id)
{
    size_t mask = e->nslots - 1, i = (size_t)hash_str(id) & mask;
    while (e->slots[i] && strcmp(slot_id(e, e->slots[i]), id))
        i = (i + 1) & mask;
    return &e->slots[i];
}

static int slots_grow(struct sw_eval *e)
{
    size_t n = e->nslots ? e->nslots * 2 : 1024, *old = e->slots, oldn = e->nslots;
    e->slots = calloc(n, sizeof *e->slots);
    if (!e->slots) {
        e->slots = old;
        return SW_ENOMEM;
    }
    e->nslots = n;
    for (size_t i = 0; i < oldn; i++)
        if (old[i]) *slot_find(e, slot_id(e, old[i])) = old[i];
    free(old);
    return SW_OK;
}

/* The record just pushed (index idx of ev, or of tev when transit) is its incident's latest:
 * the one it replaces is dropped. */
static int incident_put(struct sw_eval *e, size_t idx, int transit)
{
    size_t v = 1 + (idx << 1 | (size_t)transit);
    const char *id = slot_id(e, v);
    if (!id[0]) return SW_OK; /* no id: an incident of its own */
    if (2 * (e->nused + 1) > e->nslots) {
        int rc = slots_grow(e);
        if (rc) return rc;
    }
    size_t *sl = slot_find(e, id);
    if (*sl) {
        size_t x = (*sl - 1) >> 1;
        if ((*sl - 1) & 1)
            e->tev.v[x].dropped |= DROP_REPLACED;
        else
            e->ev.v[x].dropped |= DROP_REPLACED;
        e->icount.replaced++;
    } else {
        e->nused++;
    }
    *sl = v;
    return SW_OK;
}

/* A zone transit summary event: vessel, zone (details.zone or zone), UTC day (details.day or
 * the start's date), details.entries. */
static void parse_transit(json_t *o, const struct sw_eval_item *it, struct transit *t)
{
    json_t *dt = json_object_get(o, "details"), *z = json_object_get(dt, "zone");
    json_t *en = json_object_get(dt, "entries");
    memset(t, 0, sizeof *t);
    t->mmsi = it->mmsi[0];
    copy_s(t->zone, sizeof t->zone, json_is_string(z) ? z : json_object_get(o, "zone"));
    if (get_day(json_object_get(dt, "day"), &t->day)) t->day = day_of(it->start);
    t->entries = json_is_integer(en) ? (long)json_integer_value(en) : 0;
    memcpy(t->id, it->id, sizeof t->id);
    t->dropped = it->dropped;
}

int sw_eval_event(struct sw_eval *e, const char *line, size_t len, size_t lineno)
{
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
        i++;
    if (i == len) return SW_OK;
    json_error_t err;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
    struct sw_eval_item it;
    int rc = SW_OK;
    if (!o || parse_item(o, "type", 1, &it)) {
        e->malformed++;
        json_decref(o);
        return SW_OK;
    }
    it.line = lineno;
    copy_str(it.id, sizeof it.id, sw_event_incident(o));
    if (sw_event_withdrawn(o)) it.dropped = DROP_WITHDRAWN;
    e->icount.records++;
    if (!strcmp(it.type, "zone_entry") && is_transits(it.kind)) {
        struct transit t;
        parse_transit(o, &it, &t);
        rc = tpush(e, &e->tev, &t);
        if (!rc) rc = incident_put(e, e->tev.n - 1, 1);
    } else {
        rc = push(e, &e->ev, &it);
        if (!rc) rc = incident_put(e, e->ev.n - 1, 0);
    }
    json_decref(o);
    return rc;
}

size_t sw_eval_malformed(const struct sw_eval *e)
{
    return e->malformed;
}

static int same_set(const struct sw_eval_item *a, const struct sw_eval_item *b)
{
    if (a->nmmsi != b->nmmsi) return 0;
    for (int i = 0; i < a->nmmsi; i++)
        if (a->mmsi[i] != b->mmsi[i]) return 0;
    return 1;
}

static int share_vessel(const struct sw_eval_item *a, const struct sw_eval_item *b)
{
    for (int i = 0; i < a->nmmsi; i++)
        for (int k = 0; k < b->nmmsi; k++)
            if (a->mmsi[i] == b->mmsi[k]) return 1;
    return 0;
}

static int overlaps(const struct sw_eval_item *ev, const struct sw_eval_item *tr, int64_t tol)
{
    int64_t tend = tr->end == INT64_MAX ? INT64_MAX : tr->end + tol;
    int64_t eend = ev->end == INT64_MAX ? INT64_MAX : ev->end;
    return ev->start <= tend && eend >= tr->start - tol;
}

struct pair {
    size_t ev, tr;
    int64_t dist;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->dist != y->dist) return x->dist < y->dist ? -1 : 1;
    if (x->ev != y->ev) return x->ev < y->ev ? -1 : 1;
    return (x->tr > y->tr) - (x->tr < y->tr);
}

static struct sw_eval_result *result_for(struct sw_eval *e, const char *type)
{
    for (size_t i = 0; i < e->nres; i++)
        if (!strcmp(e->res[i].type, type)) return &e->res[i];
    if (e->nres == NTYPES + MAX_EXTRA_TYPES) return NULL;
    struct sw_eval_result *r = &e->res[e->nres++];
    memset(r, 0, sizeof *r);
    copy_str(r->type, sizeof r->type, type);
    return r;
}

static struct sw_eval_result *kind_for(struct sw_eval *e, const char *type, const char *kind)
{
    char name[sizeof e->kres[0].type];
    snprintf(name, sizeof name, "%s/%s", type, kind);
    for (size_t i = 0; i < e->nkres; i++)
        if (!strcmp(e->kres[i].type, name)) return &e->kres[i];
    if (e->nkres == MAX_KINDS) return NULL;
    struct sw_eval_result *r = &e->kres[e->nkres++];
    memset(r, 0, sizeof *r);
    memcpy(r->type, name, sizeof name);
    return r;
}

static int kinds_agree(const struct sw_eval_item *a, const struct sw_eval_item *b)
{
    return !a->kind[0] || !b->kind[0] || !strcmp(a->kind, b->kind);
}

/* Candidate pairs, then the one-to-one assignment, closest start times first. Truth lists are
 * small (hundreds), events may be many: a scan of the truth per event is fine for the
 * simulator's sizes. */
static int match(struct sw_eval *e)
{
    struct pair *pairs = NULL;
    size_t np = 0, cap = 0;
    for (size_t i = 0; i < e->ev.n; i++) {
        const struct sw_eval_item *ev = &e->ev.v[i];
        if (ev->dropped) continue;
        for (size_t k = 0; k < e->truth.n; k++) {
            const struct sw_eval_item *tr = &e->truth.v[k];
            if (strcmp(ev->type, tr->type) || !same_set(ev, tr) || !kinds_agree(ev, tr) ||
                !overlaps(ev, tr, e->o.tolerance_ms))
                continue;
            if (np == cap) {
                if (cap >= 4 * (size_t)SW_EVAL_MAX_ITEMS) {
                    free(pairs);
                    return SW_ETOOBIG;
                }
                cap = cap ? cap * 2 : 256;
                struct pair *nv = realloc(pairs, cap * sizeof *nv);
                if (!nv) {
                    free(pairs);
                    return SW_ENOMEM;
                }
                pairs = nv;
            }
            int64_t d = ev->start - tr->start;
            pairs[np++] = (struct pair){i, k, d < 0 ? -d : d};
        }
    }
    if (np) qsort(pairs, np, sizeof *pairs, cmp_pair);
    for (size_t p = 0; p < np; p++) {
        struct sw_eval_item *ev = &e->ev.v[pairs[p].ev], *tr = &e->truth.v[pairs[p].tr];
        if (ev->match >= 0 || tr->match >= 0) continue;
        ev->match = (long)pairs[p].tr;
        tr->match = (long)pairs[p].ev;
    }
    free(pairs);
    return SW_OK;
}

/* One event into its type's counts and, when it or its match gives a kind, its kind's. */
static void count_event(struct sw_eval *e, size_t i)
{
    struct sw_eval_item *ev = &e->ev.v[i];
    const struct sw_eval_item *tr = ev->match >= 0 ? &e->truth.v[ev->match] : NULL;
    const char *kind = ev->kind[0] ? ev->kind : tr ? tr->kind : "";
    struct sw_eval_result *r = result_for(e, ev->type);
    struct sw_eval_result *rk = kind[0] ? kind_for(e, ev->type, kind) : NULL;
    if (!r || (tr && tr->optional)) return; /* matched a borderline case: not counted */
    r->events++;
    if (rk) rk->events++;
    if (tr) {
        r->tp++;
        if (rk) rk->tp++;
        if (!strcmp(ev->type, "ais_gap")) {
            if (!ev->reception[0] || !tr->reception[0])
                e->rcount.unlabelled++;
            else if (strcmp(ev->reception, tr->reception))
                e->disagree[e->rcount.disagree++] = i;
            else
                e->rcount.agree++;
        }
        return;
    }
    r->fp++;
    if (rk) rk->fp++;
    for (size_t k = 0; k < e->neg.n; k++)
        if (share_vessel(ev, &e->neg.v[k]) && overlaps(ev, &e->neg.v[k], e->o.tolerance_ms)) {
            ev->negative = (long)k;
            r->on_negative++;
            if (rk) rk->on_negative++;
            e->hits[e->nhits++] = i;
            break;
        }
}

static void ratios(struct sw_eval_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        r[i].precision = r[i].events ? (double)r[i].tp / (double)r[i].events : NAN;
        r[i].recall = r[i].truth ? (double)r[i].tp / (double)r[i].truth : NAN;
    }
}

static int cmp_result(const void *a, const void *b)
{
    return strcmp(((const struct sw_eval_result *)a)->type,
                  ((const struct sw_eval_result *)b)->type);
}

static int cmp_transit(const void *a, const void *b)
{
    const struct transit *x = a, *y = b;
    if (x->mmsi != y->mmsi) return x->mmsi < y->mmsi ? -1 : 1;
    int c = strcmp(x->zone, y->zone);
    if (c) return c;
    return (x->day > y->day) - (x->day < y->day);
}

/* Sort the live summaries by (vessel, zone, day) and add up the entries of equal keys in
 * place; returns the number of keys. */
static size_t transit_keys(struct tlist *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!l->v[i].dropped) l->v[n++] = l->v[i];
    if (n) qsort(l->v, n, sizeof *l->v, cmp_transit);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && !cmp_transit(&l->v[k - 1], &l->v[i]))
            l->v[k - 1].entries += l->v[i].entries;
        else
            l->v[k++] = l->v[i];
    }
    return l->n = k;
}

static void count_transits(struct sw_eval *e)
{
    struct sw_eval_transits *c = &e->tcount;
    for (size_t i = 0; i < e->tev.n; i++)
        if (e->tev.v[i].dropped & DROP_WITHDRAWN && !(e->tev.v[i].dropped & DROP_REPLACED))
            e->icount.withdrawn++;
    c->truth = transit_keys(&e->ttr);
    c->events = transit_keys(&e->tev);
    for (size_t i = 0; i < e->ttr.n; i++)
        c->truth_entries += (size_t)(e->ttr.v[i].entries > 0 ? e->ttr.v[i].entries : 0);
    for (size_t i = 0; i < e->tev.n; i++)
        c->event_entries += (size_t)(e->tev.v[i].entries > 0 ? e->tev.v[i].entries : 0);
    for (size_t i = 0, k = 0; i < e->ttr.n && k < e->tev.n;) {
        int d = cmp_transit(&e->ttr.v[i], &e->tev.v[k]);
        if (d < 0) {
            i++;
        } else if (d > 0) {
            k++;
        } else {
            c->matched++;
            c->equal += e->ttr.v[i].entries == e->tev.v[k].entries;
            i++;
            k++;
        }
    }
}

int sw_eval_run(struct sw_eval *e)
{
    if (e->ran) return SW_EINVAL;
    e->ran = 1;
    e->nres = e->nkres = 0;
    for (size_t i = 0; i < NTYPES; i++)
        result_for(e, TYPES[i]);
    int rc = match(e);
    if (rc) return rc;
    e->hits = malloc((e->ev.n ? e->ev.n : 1) * sizeof *e->hits);
    e->disagree = malloc((e->ev.n ? e->ev.n : 1) * sizeof *e->disagree);
    if (!e->hits || !e->disagree) return SW_ENOMEM;
    for (size_t k = 0; k < e->truth.n; k++) {
        const struct sw_eval_item *tr = &e->truth.v[k];
        if (tr->optional) continue;
        struct sw_eval_result *r = result_for(e, tr->type);
        struct sw_eval_result *rk = tr->kind[0] ? kind_for(e, tr->type, tr->kind) : NULL;
        if (r) r->truth++, r->fn += tr->match < 0;
        if (rk) rk->truth++, rk->fn += tr->match < 0;
    }
    for (size_t i = 0; i < e->ev.n; i++) {
        int d = e->ev.v[i].dropped;
        if (d & DROP_WITHDRAWN && !(d & DROP_REPLACED)) e->icount.withdrawn++;
        if (!d) count_event(e, i);
    }
    count_transits(e);
    ratios(e->res, e->nres);
    ratios(e->kres, e->nkres);
    if (e->nkres) qsort(e->kres, e->nkres, sizeof e->kres[0], cmp_result);
    return SW_OK;
}

size_t sw_eval_ntypes(const struct sw_eval *e)
{
    return e->nres;
}

const struct sw_eval_result *sw_eval_result(const struct sw_eval *e, size_t i)
{
    return i < e->nres ? &e->res[i] : NULL;
}

size_t sw_eval_nkinds(const struct sw_eval *e)
{
    return e->nkres;
}

const struct sw_eval_result *sw_eval_kind_result(const struct sw_eval *e, size_t i)
{
    return i < e->nkres ? &e->kres[i] : NULL;
}

void sw_eval_transit_counts(const struct sw_eval *e, struct sw_eval_transits *out)
{
    *out = e->tcount;
}

void sw_eval_reception_counts(const struct sw_eval *e, struct sw_eval_reception *out)
{
    *out = e->rcount;
}

void sw_eval_incident_counts(const struct sw_eval *e, struct sw_eval_incidents *out)
{
    *out = e->icount;
}

size_t sw_eval_nneg_hits(const struct sw_eval *e)
{
    return e->nhits;
}

size_t sw_eval_nnegatives(const struct sw_eval *e)
{
    return e->neg.n;
}

void sw_eval_neg_hit(const struct sw_eval *e, size_t i, const struct sw_eval_item **event,
                     const struct sw_eval_item **negative)
{
    const struct sw_eval_item *ev = &e->ev.v[e->hits[i]];
    *event = ev;
    *negative = &e->neg.v[ev->negative];
}

static int put_ratio(struct sw_buf *b, double v, int json)
{
    if (isnan(v)) return sw_buf_puts(b, json ? "null" : "     -");
    return sw_buf_printf(b, json ? "%.4f" : "%6.3f", v);
}

static int result_row(struct sw_buf *out, const struct sw_eval_result *r, int width)
{
    int rc = sw_buf_printf(out, "%-*s %6zu %6zu %6zu %6zu %6zu    ", width, r->type, r->truth,
                           r->events, r->tp, r->fp, r->fn);
    if (!rc) rc = put_ratio(out, r->precision, 0);
    if (!rc) rc = sw_buf_puts(out, " ");
    if (!rc) rc = put_ratio(out, r->recall, 0);
    if (!rc) rc = sw_buf_printf(out, " %6zu\n", r->on_negative);
    return rc;
}

static int header_row(struct sw_buf *out, const char *first, int width)
{
    return sw_buf_printf(out, "%-*s %6s %6s %6s %6s %6s %9s %6s %6s\n", width, first, "truth",
                         "events", "tp", "fp", "fn", "precision", "recall", "on_neg");
}

/* The lines after the tables: reception labels, zone transits, the incident view. */
static int report_text_extra(const struct sw_eval *e, struct sw_buf *out)
{
    const struct sw_eval_reception *rc_ = &e->rcount;
    const struct sw_eval_transits *t = &e->tcount;
    const struct sw_eval_incidents *in = &e->icount;
    int rc = sw_buf_printf(out,
                           "ais_gap reception of matched gaps: %zu agree, %zu disagree, %zu "
                           "unlabelled\n",
                           rc_->agree, rc_->disagree, rc_->unlabelled);
    for (size_t i = 0; i < rc_->disagree && !rc; i++) {
        const struct sw_eval_item *ev = &e->ev.v[e->disagree[i]];
        const struct sw_eval_item *tr = &e->truth.v[ev->match];
        rc = sw_buf_printf(out, "  line %zu: ais_gap %u reception '%s', truth %s '%s'\n", ev->line,
                           ev->mmsi[0], ev->reception, tr->id, tr->reception);
    }
    if (!rc)
        rc = sw_buf_printf(out,
                           "zone transits (vessel, zone, day): truth %zu (%zu entries), events "
                           "%zu (%zu entries), %zu on both sides, %zu with equal entries\n",
                           t->truth, t->truth_entries, t->events, t->event_entries, t->matched,
                           t->equal);
    if (!rc)
        rc = sw_buf_printf(out,
                           "incident view: %zu records, %zu replaced by a later record, %zu "
                           "withdrawn\n",
                           in->records, in->replaced, in->withdrawn);
    return rc;
}

int sw_eval_report_text(const struct sw_eval *e, struct sw_buf *out)
{
    int rc = header_row(out, "type", 16);
    for (size_t i = 0; i < e->nres && !rc; i++)
        rc = result_row(out, &e->res[i], 16);
    if (!rc && e->nkres) rc = header_row(out, "type/kind", 32);
    for (size_t i = 0; i < e->nkres && !rc; i++)
        rc = result_row(out, &e->kres[i], 32);
    if (!rc) rc = report_text_extra(e, out);
    if (!rc)
        rc = sw_buf_printf(out, "hard negatives: %zu planted, %zu events on them\n", e->neg.n,
                           e->nhits);
    for (size_t i = 0; i < e->nhits && !rc; i++) {
        const struct sw_eval_item *ev, *ng;
        sw_eval_neg_hit(e, i, &ev, &ng);
        char t[32];
        rc = sw_buf_printf(out, "  line %zu: %s %u at %s on negative %s (%s)\n", ev->line, ev->type,
                           ev->mmsi[0], sw_time_format(ev->start, 0, t), ng->id, ng->type);
    }
    if (!rc && e->malformed) rc = sw_buf_printf(out, "malformed event lines: %zu\n", e->malformed);
    return rc;
}

static int json_results(struct sw_buf *out, const struct sw_eval_result *res, size_t n)
{
    int rc = SW_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct sw_eval_result *r = &res[i];
        rc = sw_buf_printf(out, "%s", i ? "," : "");
        if (!rc) rc = sw_buf_json_string(out, r->type, strlen(r->type));
        if (!rc)
            rc = sw_buf_printf(out,
                               ":{\"events\":%zu,\"fn\":%zu,\"fp\":%zu,\"on_negative\":%zu,"
                               "\"precision\":",
                               r->events, r->fn, r->fp, r->on_negative);
        if (!rc) rc = put_ratio(out, r->precision, 1);
        if (!rc) rc = sw_buf_puts(out, ",\"recall\":");
        if (!rc) rc = put_ratio(out, r->recall, 1);
        if (!rc) rc = sw_buf_printf(out, ",\"tp\":%zu,\"truth\":%zu}", r->tp, r->truth);
    }
    return rc;
}

static int json_reception(const struct sw_eval *e, struct sw_buf *out)
{
    int rc = sw_buf_printf(out,
                           "\"reception\":{\"agree\":%zu,\"disagree\":%zu,"
                           "\"disagreements\":[",
                           e->rcount.agree, e->rcount.disagree);
    for (size_t i = 0; i < e->rcount.disagree && !rc; i++) {
        const struct sw_eval_item *ev = &e->ev.v[e->disagree[i]];
        const struct sw_eval_item *tr = &e->truth.v[ev->match];
        rc = sw_buf_printf(out, "%s{\"event\":", i ? "," : "");
        if (!rc) rc = sw_buf_json_string(out, ev->reception, strlen(ev->reception));
        if (!rc) rc = sw_buf_printf(out, ",\"line\":%zu,\"truth\":", ev->line);
        if (!rc) rc = sw_buf_json_string(out, tr->reception, strlen(tr->reception));
        if (!rc) rc = sw_buf_puts(out, ",\"truth_id\":");
        if (!rc) rc = sw_buf_json_string(out, tr->id, strlen(tr->id));
        if (!rc) rc = sw_buf_puts(out, "}");
    }
    if (!rc) rc = sw_buf_printf(out, "],\"unlabelled\":%zu}", e->rcount.unlabelled);
    return rc;
}

int sw_eval_report_json(const struct sw_eval *e, struct sw_buf *out)
{
    const struct sw_eval_incidents *in = &e->icount;
    const struct sw_eval_transits *t = &e->tcount;
    int rc = sw_buf_printf(out,
                           "{\"incidents\":{\"records\":%zu,\"replaced\":%zu,\"withdrawn\":%zu},"
                           "\"kinds\":{",
                           in->records, in->replaced, in->withdrawn);
    if (!rc) rc = json_results(out, e->kres, e->nkres);
    if (!rc)
        rc = sw_buf_printf(out, "},\"malformed\":%zu,\"negatives\":%zu,\"on_negatives\":[",
                           e->malformed, e->neg.n);
    for (size_t i = 0; i < e->nhits && !rc; i++) {
        const struct sw_eval_item *ev, *ng;
        sw_eval_neg_hit(e, i, &ev, &ng);
        rc = sw_buf_printf(out, "%s{\"line\":%zu,\"negative\":", i ? "," : "", ev->line);
        if (!rc) rc = sw_buf_json_string(out, ng->id, strlen(ng->id));
        if (!rc) rc = sw_buf_puts(out, ",\"kind\":");
        if (!rc) rc = sw_buf_json_string(out, ng->type, strlen(ng->type));
        if (!rc) rc = sw_buf_puts(out, ",\"type\":");
        if (!rc) rc = sw_buf_json_string(out, ev->type, strlen(ev->type));
        if (!rc) rc = sw_buf_puts(out, "}");
    }
    if (!rc) rc = sw_buf_puts(out, "],");
    if (!rc) rc = json_reception(e, out);
    if (!rc) rc = sw_buf_puts(out, ",\"types\":{");
    if (!rc) rc = json_results(out, e->res, e->nres);
    if (!rc)
        rc = sw_buf_printf(out,
                           "},\"zone_transits\":{\"equal\":%zu,\"event_entries\":%zu,"
                           "\"events\":%zu,\"matched\":%zu,\"truth\":%zu,\"truth_entries\":%zu}}"
                           "\n",
                           t->equal, t->event_entries, t->events, t->matched, t->truth,
                           t->truth_entries);
    return rc;
}
