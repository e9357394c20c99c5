/*
 * The evaluator (sanctwatch/eval.h): reads the simulator's ground truth and a detector's
 * events, matches them one-to-one per type (same type, same MMSI set, overlapping intervals
 * within a tolerance) and counts true and false positives and misses, and the false
 * positives that fall on the hard negatives the simulator planted.
 */
#include "sanctwatch/eval.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

static const char *const TYPES[] = {
    "encounter",  "dark_rendezvous", "loitering",       "ais_gap",        "port_call",
    "zone_entry", "position_spoof",  "identity_change", "identity_fraud", "listed_vessel"};
#define NTYPES (sizeof TYPES / sizeof TYPES[0])
#define MAX_EXTRA_TYPES 64

struct list {
    struct sw_eval_item *v;
    size_t n, cap;
};

struct sw_eval {
    struct sw_eval_opts o;
    struct list truth, neg, ev;
    size_t malformed;
    int have_truth, ran;
    struct sw_eval_result res[NTYPES + MAX_EXTRA_TYPES];
    size_t nres;
    size_t *hits; /* indices into ev of events on a negative */
    size_t nhits;
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
    free(e->hits);
    free(e);
}

static size_t total(const struct sw_eval *e)
{
    return e->truth.n + e->neg.n + e->ev.n;
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

static void copy_s(char *dst, size_t n, json_t *v)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    size_t l = strlen(s);
    if (l >= n) l = n - 1;
    memcpy(dst, s, l);
    dst[l] = '\0';
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
    snprintf(e->why, sizeof e->why, "no \"events\" array");
    if (!json_is_array(evs) || (negs && !json_is_array(negs))) goto fail;
    if ((rc = load_items(e, evs, "type", 1, "a truth event", &e->truth)) ||
        (rc = load_items(e, negs, "kind", 0, "a negative", &e->neg)))
        goto fail;
    e->have_truth = 1;
    json_decref(root);
    return SW_OK;
fail:
    e->truth.n = e->neg.n = 0;
    json_decref(root);
    return rc;
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
    } else {
        it.line = lineno;
        rc = push(e, &e->ev, &it);
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
    memcpy(r->type, type, strlen(type) + 1);
    return r;
}

int sw_eval_run(struct sw_eval *e)
{
    if (e->ran) return SW_EINVAL;
    e->ran = 1;
    e->nres = 0;
    for (size_t i = 0; i < NTYPES; i++)
        result_for(e, TYPES[i]);
    /* Candidate pairs. Truth lists are small (hundreds), events may be many: index truth by
     * nothing cleverer than a scan per event, which is fine for the simulator's sizes. */
    struct pair *pairs = NULL;
    size_t np = 0, cap = 0;
    int rc = SW_OK;
    for (size_t i = 0; i < e->ev.n; i++) {
        const struct sw_eval_item *ev = &e->ev.v[i];
        for (size_t k = 0; k < e->truth.n; k++) {
            const struct sw_eval_item *tr = &e->truth.v[k];
            if (strcmp(ev->type, tr->type) || !same_set(ev, tr) ||
                !overlaps(ev, tr, e->o.tolerance_ms))
                continue;
            if (np == cap) {
                rc = SW_ETOOBIG;
                if (cap >= 4 * (size_t)SW_EVAL_MAX_ITEMS) goto fail;
                cap = cap ? cap * 2 : 256;
                struct pair *nv = realloc(pairs, cap * sizeof *nv);
                rc = SW_ENOMEM;
                if (!nv) goto fail;
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
    pairs = NULL;

    rc = SW_ENOMEM;
    e->hits = malloc((e->ev.n ? e->ev.n : 1) * sizeof *e->hits);
    if (!e->hits) goto fail;
    for (size_t k = 0; k < e->truth.n; k++) {
        struct sw_eval_result *r = result_for(e, e->truth.v[k].type);
        if (!r) continue;
        r->truth++;
        if (e->truth.v[k].match < 0) r->fn++;
    }
    for (size_t i = 0; i < e->ev.n; i++) {
        struct sw_eval_item *ev = &e->ev.v[i];
        struct sw_eval_result *r = result_for(e, ev->type);
        if (!r) continue;
        r->events++;
        if (ev->match >= 0) {
            r->tp++;
            continue;
        }
        r->fp++;
        for (size_t k = 0; k < e->neg.n; k++)
            if (share_vessel(ev, &e->neg.v[k]) && overlaps(ev, &e->neg.v[k], e->o.tolerance_ms)) {
                ev->negative = (long)k;
                r->on_negative++;
                e->hits[e->nhits++] = i;
                break;
            }
    }
    for (size_t i = 0; i < e->nres; i++) {
        struct sw_eval_result *r = &e->res[i];
        r->precision = r->events ? (double)r->tp / (double)r->events : NAN;
        r->recall = r->truth ? (double)r->tp / (double)r->truth : NAN;
    }
    return SW_OK;
fail:
    free(pairs);
    return rc;
}

size_t sw_eval_ntypes(const struct sw_eval *e)
{
    return e->nres;
}

const struct sw_eval_result *sw_eval_result(const struct sw_eval *e, size_t i)
{
    return i < e->nres ? &e->res[i] : NULL;
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

int sw_eval_report_text(const struct sw_eval *e, struct sw_buf *out)
{
    int rc = sw_buf_printf(out, "%-16s %6s %6s %6s %6s %6s %9s %6s %6s\n", "type", "truth",
                           "events", "tp", "fp", "fn", "precision", "recall", "on_neg");
    for (size_t i = 0; i < e->nres && !rc; i++) {
        const struct sw_eval_result *r = &e->res[i];
        rc = sw_buf_printf(out, "%-16s %6zu %6zu %6zu %6zu %6zu    ", r->type, r->truth, r->events,
                           r->tp, r->fp, r->fn);
        if (!rc) rc = put_ratio(out, r->precision, 0);
        if (!rc) rc = sw_buf_puts(out, " ");
        if (!rc) rc = put_ratio(out, r->recall, 0);
        if (!rc) rc = sw_buf_printf(out, " %6zu\n", r->on_negative);
    }
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

int sw_eval_report_json(const struct sw_eval *e, struct sw_buf *out)
{
    int rc = sw_buf_puts(out, "{\"malformed\":");
    if (!rc)
        rc = sw_buf_printf(out, "%zu,\"negatives\":%zu,\"on_negatives\":[", e->malformed, e->neg.n);
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
    if (!rc) rc = sw_buf_puts(out, "],\"types\":{");
    for (size_t i = 0; i < e->nres && !rc; i++) {
        const struct sw_eval_result *r = &e->res[i];
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
    if (!rc) rc = sw_buf_puts(out, "}}\n");
    return rc;
}
