/*
 * Subjects across lists: the same person, company or vessel on the UN list and on OFAC's is
 * one subject. Active entries of the same type on different lists are joined when
 *   - an entry's remarks cite the UN reference of a UN entry ("UN Ref KPi.001"),
 *   - they carry an identical identifier (kind and normalised value; an IMO a company's
 *     comments only mention is not the company's own),
 *   - (persons) a name of each is the same words in any order, with the same full birth date
 *     and the same nationality.
 * Evidence keys are hashed, sorted, and equal keys join their entries (union-find); each
 * subject is named by the "<list>:<ref>" of its first member in (list, ref) order.
 */
#include "lists_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEY 512
#define MAX_EVIDENCE (1u << 24)

struct ev {
    uint64_t h;
    uint32_t e;
};

struct subj_work {
    size_t n, cap;
    int64_t *id;
    char **list, **ref;
    char **type;
    uint32_t *parent;
    struct ev *ev;
    size_t nev, capev;
};

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint32_t find(uint32_t *p, uint32_t x)
{
    while (p[x] != x)
        x = p[x] = p[p[x]];
    return x;
}

/* *p resized to n elements of elem bytes (kept as it was on failure). */
static int resize(void **p, size_t n, size_t elem)
{
    void *np = realloc(*p, n * elem);
    if (!np) return SW_ENOMEM;
    *p = np;
    return SW_OK;
}

static char *dup(const char *s)
{
    return strdup(s ? s : "");
}

/* The first position of a (ascending, n long) not below id. */
static size_t lower_bound(const int64_t *a, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int index_of(const struct subj_work *w, int64_t id, uint32_t *out)
{
    size_t lo = lower_bound(w->id, w->n, id);
    if (lo == w->n || w->id[lo] != id) return 0;
    *out = (uint32_t)lo;
    return 1;
}

static int add_ev(struct subj_work *w, uint32_t e, const char *key)
{
    if (w->nev == w->capev) {
        size_t nc = w->capev ? w->capev * 2 : 4096;
        if (nc > MAX_EVIDENCE) return SW_ETOOBIG;
        struct ev *np = realloc(w->ev, nc * sizeof *np);
        if (!np) return SW_ENOMEM;
        w->ev = np;
        w->capev = nc;
    }
    w->ev[w->nev].h = fnv(key);
    w->ev[w->nev++].e = e;
    return SW_OK;
}

static int load_entries(sqlite3 *db, struct subj_work *w)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, list, ref, type FROM entries WHERE active = 1"
                           " ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK)
        return SW_EDB;
    int rc = SW_OK, src;
    while ((src = sqlite3_step(q)) == SQLITE_ROW) {
        if (w->n == w->cap) {
            size_t nc = w->cap ? w->cap * 2 : 1024;
            if (resize((void **)&w->id, nc, sizeof *w->id) ||
                resize((void **)&w->list, nc, sizeof *w->list) ||
                resize((void **)&w->ref, nc, sizeof *w->ref) ||
                resize((void **)&w->type, nc, sizeof *w->type)) {
                rc = SW_ENOMEM;
                break;
            }
            w->cap = nc;
        }
        w->id[w->n] = sqlite3_column_int64(q, 0);
        w->list[w->n] = dup((const char *)sqlite3_column_text(q, 1));
        w->ref[w->n] = dup((const char *)sqlite3_column_text(q, 2));
        w->type[w->n] = dup((const char *)sqlite3_column_text(q, 3));
        w->n++;
        if (!w->list[w->n - 1] || !w->ref[w->n - 1] || !w->type[w->n - 1]) {
            rc = SW_ENOMEM;
            break;
        }
    }
    if (!rc && src != SQLITE_DONE) rc = SW_EDB;
    sqlite3_finalize(q);
    return rc;
}

/* UN references cited in text: two letters, 'i' or 'e', a dot, three digits (KPi.001). */
static int cited_refs(struct subj_work *w, uint32_t e, const char *s)
{
    for (const char *p = s; p && *p; p++) {
        if (!(isupper((unsigned char)p[0]) && isalpha((unsigned char)p[1]) &&
              (p[2] == 'i' || p[2] == 'e') && p[3] == '.' && isdigit((unsigned char)p[4]) &&
              isdigit((unsigned char)p[5]) && isdigit((unsigned char)p[6])))
            continue;
        if (p > s && isalnum((unsigned char)p[-1])) continue;
        char key[32];
        snprintf(key, sizeof key, "ref:%.7s", p);
        int rc = add_ev(w, e, key);
        if (rc) return rc;
    }
    return SW_OK;
}

/* Words of a name, lower case, sorted, space-separated (order and punctuation do not count:
 * "YUN, Ho-Jin" and "YUN HO-JIN" give "ho jin yun"). */
static void name_words(const char *name, char *out, size_t outsz)
{
    char words[16][48];
    int n = 0;
    size_t l = 0;
    for (const char *p = name;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c && (isalnum(c) || c >= 0x80)) {
            if (n < 16 && l < 47) words[n][l++] = (char)tolower(c);
            continue;
        }
        if (l && n < 16) words[n++][l] = '\0';
        l = 0;
        if (!c) break;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(words[j - 1], words[j]) > 0; j--) {
            char t[48];
            memcpy(t, words[j], 48);
            memcpy(words[j], words[j - 1], 48);
            memcpy(words[j - 1], t, 48);
        }
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, o < outsz ? outsz - o : 0, "%s%s", i ? " " : "", words[i]);
}

/* A nationality as one word: the DPRK's many spellings ("Democratic People's Republic of
 * Korea", "Korea, North", "DPRK") read "kp", the Republic's "kr", others their letters. */
static void nationality(const char *c, char *out, size_t outsz)
{
    size_t o = 0;
    for (; *c && o + 1 < outsz; c++)
        if (isalpha((unsigned char)*c)) out[o++] = (char)tolower((unsigned char)*c);
    out[o] = '\0';
    if (strstr(out, "korea") || !strcmp(out, "dprk")) {
        int north = strstr(out, "north") || strstr(out, "democratic") || !strcmp(out, "dprk");
        snprintf(out, outsz, "%s", north ? "kp" : "kr");
    }
}

/* Rows of sql (entry id first) -> evidence keys made by key(). */
static int each_ev(sqlite3 *db, struct subj_work *w, const char *sql,
                   int (*key)(struct subj_work *, uint32_t, sqlite3_stmt *))
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) return SW_EDB;
    int rc = SW_OK, src;
    while (!rc && (src = sqlite3_step(q)) == SQLITE_ROW) {
        uint32_t e;
        if (index_of(w, sqlite3_column_int64(q, 0), &e)) rc = key(w, e, q);
    }
    if (!rc && src != SQLITE_DONE) rc = SW_EDB;
    sqlite3_finalize(q);
    return rc;
}

static const char *col(sqlite3_stmt *q, int c)
{
    const char *s = (const char *)sqlite3_column_text(q, c);
    return s ? s : "";
}

static int key_ref(struct subj_work *w, uint32_t e, sqlite3_stmt *q)
{
    if (!strcmp(w->list[e], "un_sc")) {
        char key[64];
        snprintf(key, sizeof key, "ref:%.50s", w->ref[e]);
        return add_ev(w, e, key);
    }
    return cited_refs(w, e, col(q, 1));
}

static int key_id(struct subj_work *w, uint32_t e, sqlite3_stmt *q)
{
    const char *norm = col(q, 2);
    if (strlen(norm) < 5) return SW_OK;
    char key[MAX_KEY];
    snprintf(key, sizeof key, "id:%s:%s", col(q, 1), norm);
    return add_ev(w, e, key);
}

static int key_person(struct subj_work *w, uint32_t e, sqlite3_stmt *q)
{
    char words[300], nat[64], key[MAX_KEY];
    const char *date = col(q, 2);
    if (strlen(date) != 10) return SW_OK; /* a full date only: a year is too common */
    name_words(col(q, 1), words, sizeof words);
    nationality(col(q, 3), nat, sizeof nat);
    if (!words[0] || !nat[0]) return SW_OK;
    snprintf(key, sizeof key, "p:%s|%s|%s", words, date, nat);
    return add_ev(w, e, key);
}

static int cmp_ev(const void *a, const void *b)
{
    const struct ev *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->e < y->e ? -1 : x->e > y->e;
}

/* Join the entries of each run of equal keys (same type, different lists). */
static void join(struct subj_work *w)
{
    if (w->nev > 1) qsort(w->ev, w->nev, sizeof *w->ev, cmp_ev);
    for (size_t i = 0; i < w->nev;) {
        size_t j = i;
        while (j < w->nev && w->ev[j].h == w->ev[i].h)
            j++;
        for (size_t a = i; a < j; a++)
            for (size_t b = a + 1; b < j && b < a + 16; b++) {
                uint32_t x = w->ev[a].e, y = w->ev[b].e;
                if (strcmp(w->list[x], w->list[y]) && !strcmp(w->type[x], w->type[y]))
                    w->parent[find(w->parent, x)] = find(w->parent, y);
            }
        i = j;
    }
}

static int before(const struct subj_work *w, uint32_t a, uint32_t b)
{
    int c = strcmp(w->list[a], w->list[b]);
    return c < 0 || (c == 0 && strcmp(w->ref[a], w->ref[b]) < 0);
}

/* Name each subject of two or more entries by its first member. */
static int name_subjects(struct subj_work *w, struct lists_subjects *s)
{
    uint32_t *first = malloc((w->n ? w->n : 1) * sizeof *first);
    uint32_t *size = calloc(w->n ? w->n : 1, sizeof *size);
    int rc = !first || !size ? SW_ENOMEM : SW_OK;
    for (uint32_t i = 0; !rc && i < w->n; i++)
        first[i] = UINT32_MAX;
    for (uint32_t i = 0; !rc && i < w->n; i++) {
        uint32_t r = find(w->parent, i);
        size[r]++;
        if (first[r] == UINT32_MAX || before(w, i, first[r])) first[r] = i;
    }
    for (uint32_t i = 0; !rc && i < w->n; i++) {
        uint32_t r = find(w->parent, i);
        if (size[r] < 2) continue;
        if (s->n == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 64;
            if (resize((void **)&s->id, nc, sizeof *s->id) ||
                resize((void **)&s->key, nc, sizeof *s->key)) {
                rc = SW_ENOMEM;
                break;
            }
            s->cap = nc;
        }
        size_t l = strlen(w->list[first[r]]) + strlen(w->ref[first[r]]) + 2;
        char *k = malloc(l);
        if (!k) {
            rc = SW_ENOMEM;
            break;
        }
        snprintf(k, l, "%s:%s", w->list[first[r]], w->ref[first[r]]);
        s->id[s->n] = w->id[i]; /* ascending: w is ordered by id */
        s->key[s->n++] = k;
    }
    free(first);
    free(size);
    return rc;
}

int lists_subjects_find(sqlite3 *db, struct lists_subjects *s)
{
    memset(s, 0, sizeof *s);
    struct subj_work w = {0};
    int rc = load_entries(db, &w);
    if (!rc && !(w.parent = malloc((w.n ? w.n : 1) * sizeof *w.parent))) rc = SW_ENOMEM;
    for (uint32_t i = 0; !rc && i < w.n; i++)
        w.parent[i] = i;
    if (!rc) rc = each_ev(db, &w, "SELECT id, remarks FROM entries WHERE active = 1", key_ref);
    if (!rc && sw_store_has_table(db, "entry_ids"))
        rc = each_ev(db, &w,
                     "SELECT entry, kind, norm FROM entry_ids WHERE kind IN ('imo', 'mmsi',"
                     " 'passport', 'national_id', 'registration', 'tax_id', 'swift', 'crypto')"
                     " AND (note IS NULL OR note <> 'mentioned in comments')",
                     key_id);
    if (!rc && sw_store_has_table(db, "entry_dobs") &&
        sw_store_has_table(db, "entry_nationalities"))
        rc = each_ev(db, &w,
                     "SELECT e.id, n.name, d.date, c.country FROM entries e"
                     " JOIN entry_names n ON n.entry = e.id JOIN entry_dobs d ON d.entry = e.id"
                     " JOIN entry_nationalities c ON c.entry = e.id"
                     " WHERE e.active = 1 AND e.type = 'person' AND d.date IS NOT NULL",
                     key_person);
    if (!rc) {
        join(&w);
        rc = name_subjects(&w, s);
    }
    for (size_t i = 0; i < w.n; i++) {
        free(w.list[i]);
        free(w.ref[i]);
        free(w.type[i]);
    }
    free(w.id);
    free(w.list);
    free(w.ref);
    free(w.type);
    free(w.parent);
    free(w.ev);
    if (rc) lists_subjects_release(s);
    return rc;
}

const char *lists_subject_of(const struct lists_subjects *s, int64_t id)
{
    size_t lo = lower_bound(s->id, s->n, id);
    return lo < s->n && s->id[lo] == id ? s->key[lo] : NULL;
}

void lists_subjects_release(struct lists_subjects *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->key[i]);
    free(s->id);
    free(s->key);
    memset(s, 0, sizeof *s);
}
