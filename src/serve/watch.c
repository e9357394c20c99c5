/*
 * Watchlists: IMO numbers, MMSIs and vessel names an analyst asked to be told about. In the
 * writer thread, every accepted record's vessel is checked (a binary search by MMSI, and by
 * IMO and name on identity records; names compared after the screening normaliser, so
 * "Chon Ma San" and "CHONMASAN" differ but "CHON MA-SAN" and "Chon Ma San" do not), and so are
 * the vessels of every recorded event. A match becomes a pending alert, once per watch and
 * vessel (or event) for the life of the process; the writer stores the pending alerts before
 * the commit and publishes them after it.
 */
#include "serve_int.h"

#include "sanctwatch/screen.h"
#include "sanctwatch/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WATCH_MAX 10000      /* watch entries loaded */
#define SEEN_SLOTS (1 << 16) /* (watch, vessel) pairs already alerted */
#define NAME_CACHE (1 << 14) /* vessels whose current name was checked */
#define PENDING_MAX 10000
#define NORM_MAX 256

enum { W_IMO, W_MMSI, W_NAME };

struct went {
    int64_t id;
    int kind;
    uint32_t num;
    char *norm, *label;
};

struct srv_watch {
    struct sw_screen_index *idx; /* the normaliser's tables */
    struct went *e;
    size_t n;
    size_t *by_num; /* entries of kind IMO or MMSI, sorted by (kind, num) */
    size_t nnum;
    uint64_t seen[SEEN_SLOTS];
    size_t nseen;
    struct {
        uint32_t mmsi;
        uint64_t h;
    } name_cache[NAME_CACHE];
    struct srv_alert_row *pend;
    char **strs; /* three per pending alert: name, event, label */
    size_t npend;
};

int srv_watch_new(struct srv_watch **out, const char *screen_data)
{
    struct srv_watch *w = calloc(1, sizeof *w);
    if (!w) return SW_ENOMEM;
    int rc = sw_screen_index_new(&w->idx, screen_data);
    if (rc) {
        free(w);
        return rc;
    }
    *out = w;
    return SW_OK;
}

static void clear_entries(struct srv_watch *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->e[i].norm);
        free(w->e[i].label);
    }
    free(w->e);
    free(w->by_num);
    w->e = NULL;
    w->by_num = NULL;
    w->n = w->nnum = 0;
}

void srv_watch_free(struct srv_watch *w)
{
    if (!w) return;
    clear_entries(w);
    srv_watch_release(w->pend, w->strs, w->npend);
    sw_screen_index_free(w->idx);
    free(w);
}

int srv_watch_norm(struct srv_watch *w, const char *name, char *out, size_t cap)
{
    if (sw_screen_normalize(w->idx, name, out, cap)) out[0] = '\0';
    char *bar = strstr(out, " | "); /* the first reading only */
    if (bar) *bar = '\0';
    char *key = strstr(out, " ["); /* Korean keys are for scoring */
    if (key) *key = '\0';
    return SW_OK;
}

/* qsort has no context argument in C11: thread-local, so that two servers in one process
 * (tests) or a reload on another thread never sort through each other's table */
static _Thread_local const struct went *g_sort_base;
static int by_num(const void *a, const void *b)
{
    const struct went *x = &g_sort_base[*(const size_t *)a], *y = &g_sort_base[*(const size_t *)b];
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    return x->num < y->num ? -1 : x->num > y->num;
}

static int load_one(void *ctx, const struct srv_watch_row *r)
{
    struct srv_watch *w = ctx;
    if (w->n == WATCH_MAX) return SW_OK;
    struct went *e = &w->e[w->n];
    memset(e, 0, sizeof *e);
    e->id = r->id;
    e->kind = !strcmp(r->kind, "imo") ? W_IMO : !strcmp(r->kind, "mmsi") ? W_MMSI : W_NAME;
    e->num = (uint32_t)strtoul(r->norm, NULL, 10);
    e->norm = strdup(r->norm);
    e->label = strdup(r->label);
    if (!e->norm || !e->label) {
        free(e->norm);
        free(e->label);
        return SW_ENOMEM;
    }
    w->n++;
    return SW_OK;
}

int srv_watch_load(struct srv_watch *w, sqlite3 *db)
{
    clear_entries(w);
    w->e = calloc(WATCH_MAX, sizeof *w->e);
    w->by_num = calloc(WATCH_MAX, sizeof *w->by_num);
    if (!w->e || !w->by_num) return SW_ENOMEM;
    int rc = srv_db_watches(db, load_one, w);
    for (size_t i = 0; i < w->n; i++)
        if (w->e[i].kind != W_NAME) w->by_num[w->nnum++] = i;
    g_sort_base = w->e; /* the writer thread only */
    qsort(w->by_num, w->nnum, sizeof *w->by_num, by_num);
    memset(w->name_cache, 0, sizeof w->name_cache);
    return rc;
}

/* 1 the first time (watch, key) is seen; 0 after, or when the table is full. */
static int first_time(struct srv_watch *w, int64_t watch, uint64_t key)
{
    uint64_t k = ((uint64_t)watch << 40) ^ key ^ 0x9e3779b97f4a7c15ULL;
    k |= 1;
    size_t h = (size_t)((k * 0xff51afd7ed558ccdULL) >> 48) & (SEEN_SLOTS - 1);
    for (size_t i = 0; i < 64; i++) {
        uint64_t *s = &w->seen[(h + i) & (SEEN_SLOTS - 1)];
        if (*s == k) return 0;
        if (!*s) {
            if (w->nseen >= SEEN_SLOTS / 2) return 1; /* full enough: alert, do not remember */
            *s = k;
            w->nseen++;
            return 1;
        }
    }
    return 1;
}

static int pend(struct srv_watch *w, const struct went *e, const char *kind, uint32_t mmsi,
                uint32_t imo, const char *name, const char *event)
{
    if (w->npend == PENDING_MAX) return SW_OK; /* bounded: the rest is dropped */
    if (w->npend % 64 == 0) {
        struct srv_alert_row *p = realloc(w->pend, (w->npend + 64) * sizeof *p);
        if (!p) return SW_ENOMEM;
        w->pend = p;
        char **s = realloc(w->strs, (w->npend + 64) * 3 * sizeof *s);
        if (!s) return SW_ENOMEM;
        w->strs = s;
    }
    struct srv_alert_row *a = &w->pend[w->npend];
    char **s = &w->strs[w->npend * 3];
    s[0] = strdup(name ? name : "");
    s[1] = event ? strdup(event) : NULL;
    s[2] = strdup(e->label);
    memset(a, 0, sizeof *a);
    a->time = sw_time_now_ms();
    a->kind = kind;
    a->watch = e->id;
    a->mmsi = mmsi;
    a->imo = imo;
    a->name = s[0];
    a->event = s[1];
    a->label = s[2];
    w->npend++;
    return SW_OK;
}

/* Entries of kind matching num, through the sorted index. */
static int match_num(struct srv_watch *w, int kind, uint32_t num, uint32_t mmsi, uint32_t imo,
                     const char *name, const char *event)
{
    size_t lo = 0, hi = w->nnum;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct went *e = &w->e[w->by_num[mid]];
        if (e->kind < kind || (e->kind == kind && e->num < num))
            lo = mid + 1;
        else
            hi = mid;
    }
    int rc = SW_OK;
    for (; !rc && lo < w->nnum; lo++) {
        const struct went *e = &w->e[w->by_num[lo]];
        if (e->kind != kind || e->num != num) break;
        uint64_t key = event ? (uint64_t)(uintptr_t)event ^ 0x5bd1e995u : mmsi;
        if (event || first_time(w, e->id, key))
            rc = pend(w, e, event ? "event" : "vessel", mmsi, imo, name, event);
    }
    return rc;
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h | 1;
}

static int match_name(struct srv_watch *w, uint32_t mmsi, uint32_t imo, const char *name,
                      const char *event)
{
    int has = 0;
    for (size_t i = 0; i < w->n && !has; i++)
        has = w->e[i].kind == W_NAME;
    if (!has || !name || !*name) return SW_OK;
    if (!event) { /* a vessel's name is normalised again only when it changed */
        size_t slot = mmsi & (NAME_CACHE - 1);
        uint64_t h = str_hash(name);
        if (w->name_cache[slot].mmsi == mmsi && w->name_cache[slot].h == h) return SW_OK;
        w->name_cache[slot].mmsi = mmsi;
        w->name_cache[slot].h = h;
    }
    char norm[NORM_MAX];
    srv_watch_norm(w, name, norm, sizeof norm);
    int rc = SW_OK;
    for (size_t i = 0; !rc && *norm && i < w->n; i++) {
        const struct went *e = &w->e[i];
        if (e->kind != W_NAME || strcmp(e->norm, norm)) continue;
        if (event || first_time(w, e->id, mmsi))
            rc = pend(w, e, event ? "event" : "vessel", mmsi, imo, name, event);
    }
    return rc;
}

int srv_watch_vessel(struct srv_watch *w, uint32_t mmsi, uint32_t imo, const char *name, int64_t t)
{
    (void)t;
    if (!w->n) return SW_OK;
    int rc = match_num(w, W_MMSI, mmsi, mmsi, imo, name, NULL);
    if (!rc && imo) rc = match_num(w, W_IMO, imo, mmsi, imo, name, NULL);
    if (!rc && name) rc = match_name(w, mmsi, imo, name, NULL);
    return rc;
}

int srv_watch_event(struct srv_watch *w, const json_t *ev)
{
    if (!w->n) return SW_OK;
    const char *id = json_string_value(json_object_get(ev, "id"));
    size_t i;
    const json_t *v;
    int rc = SW_OK;
    json_array_foreach(json_object_get(ev, "vessels"), i, v)
    {
        uint32_t mmsi = (uint32_t)json_integer_value(json_object_get(v, "mmsi"));
        uint32_t imo = (uint32_t)json_integer_value(json_object_get(v, "imo"));
        const char *name = json_string_value(json_object_get(v, "name"));
        size_t before = w->npend;
        if (!rc && mmsi) rc = match_num(w, W_MMSI, mmsi, mmsi, imo, name, id);
        if (!rc && imo && w->npend == before) rc = match_num(w, W_IMO, imo, mmsi, imo, name, id);
        if (!rc && name && w->npend == before) rc = match_name(w, mmsi, imo, name, id);
    }
    return rc;
}

size_t srv_watch_take(struct srv_watch *w, struct srv_alert_row **rows, char ***strings)
{
    size_t n = w->npend;
    *rows = w->pend;
    *strings = w->strs;
    w->pend = NULL;
    w->strs = NULL;
    w->npend = 0;
    return n;
}

void srv_watch_release(struct srv_alert_row *rows, char **strings, size_t n)
{
    for (size_t i = 0; strings && i < 3 * n; i++)
        free(strings[i]);
    free(strings);
    free(rows);
}
