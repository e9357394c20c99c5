/*
 * The screening index and its queries. Names are normalised once when added (normalize.c);
 * their tokens, Korean keys and character trigrams are posted in an inverted index (one
 * sorted array of (key hash, name) pairs and an open-addressing table over it), and each
 * token gets an IDF weight. A query gathers candidates from the postings, scores the best
 * of them by token alignment (score.c-style greedy assignment below) and explains the
 * matches it keeps. Identifiers (IMO, MMSI, passport...) are matched exactly.
 */
#include "screen_int.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#ifndef TOPK
#define TOPK 16 /* candidates scored per query */
#endif
#ifndef MIN_ACC
#define MIN_ACC 3.0f /* candidate evidence needed: a token or key (3), trigrams (1 each) */
#endif
#ifndef ALIGN_Q
#define ALIGN_Q 0.7 /* share of the score from the query's side of the alignment */
#endif
#define SIM_FLOOR 0.80   /* token similarities below this count as no match */
#define VARIANT_SIM 0.95 /* same Korean key, different spelling */
#define INITIAL_SIM 0.85
#define SKELETON_SIM 0.90 /* Arabic/Hebrew against Latin: same consonant skeleton */
#ifndef JW_STRETCH
#define JW_STRETCH 1.5
#endif
#define ARENA_MAX ((size_t)1 << 31)
#define MEMO_CAP 8192 /* remembered (query token, candidate token) similarities */

struct entry {
    uint32_t key, list, ref, primary; /* arena offsets */
    int8_t type;
    uint8_t primary_q;
};

struct iname {
    uint32_t entry, text, tok0;
    uint8_t ntok, quality, korean;
};

struct itok {
    uint32_t str, key; /* arena offsets (key: NONE when not Korean) */
    uint8_t len, klen, flags;
    float w;
};

struct post {
    uint64_t h;
    uint32_t name;
};

struct idrec {
    uint64_t h;
    uint32_t entry, kind, value;
};

struct bucket {
    uint64_t h;
    uint32_t start, count;
};

struct sw_screen_index {
    struct sws_norm norm;
    struct sw_buf arena;
    struct entry *ent;
    size_t nent, capent;
    uint32_t *emap; /* entry index + 1, by key hash */
    size_t emap_cap;
    struct iname *names;
    size_t nnames, capnames;
    struct itok *toks;
    size_t ntoks, captoks;
    struct post *posts;
    size_t nposts, capposts;
    struct idrec *ids;
    size_t nids, capids;
    int built;
    /* After build. */
    struct bucket *table;
    size_t table_cap;
    float *acc;
    uint32_t *touched;
    /* Distinct token strings: arena offset + 1, by hash (identical tokens share one
     * string, so per-query similarities can be remembered by offset). */
    uint32_t *itab;
    size_t itab_cap, itab_n;
    /* Query scratch. */
    struct sws_toks q, qalt, ca, cb;
    uint32_t gen; /* memo generation: one per query form */
    struct memo {
        uint32_t gen, off;
        uint8_t qi, korean, ok, how;
        float sim;
    } memo[MEMO_CAP];
};

/* ---- small helpers ---- */

static int grow_array(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return SW_OK;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    if (ncap > SIZE_MAX / elem) return SW_ENOMEM;
    void *np = realloc(*p, ncap * elem);
    if (!np) return SW_ENOMEM;
    *p = np;
    *cap = ncap;
    return SW_OK;
}

static int arena_put(struct sw_screen_index *idx, const char *s, size_t len, uint32_t *off)
{
    if (idx->arena.len + len + 1 >= ARENA_MAX) return SW_ETOOBIG;
    *off = (uint32_t)idx->arena.len;
    int rc = sw_buf_append(&idx->arena, s, len);
    if (!rc) rc = sw_buf_putc(&idx->arena, '\0');
    return rc;
}

static const char *S(const struct sw_screen_index *idx, uint32_t off)
{
    return off == NONE ? NULL : idx->arena.data + off;
}

const char *sw_screen_type_name(int type)
{
    static const char *const names[] = {"person", "organization", "vessel", "aircraft", "other"};
    if (type >= 0 && type <= SW_SCREEN_OTHER) return names[type];
    return "any";
}

int sw_screen_type_parse(const char *s, int *type)
{
    if (!s) return SW_EINVAL;
    if (!strcmp(s, "any")) {
        *type = SW_SCREEN_ANY;
        return SW_OK;
    }
    for (int t = 0; t <= SW_SCREEN_OTHER; t++)
        if (!strcmp(s, sw_screen_type_name(t))) {
            *type = t;
            return SW_OK;
        }
    if (!strcmp(s, "individual")) {
        *type = SW_SCREEN_PERSON;
        return SW_OK;
    }
    if (!strcmp(s, "entity") || !strcmp(s, "company")) {
        *type = SW_SCREEN_ORGANIZATION;
        return SW_OK;
    }
    return SW_EINVAL;
}

int sw_screen_quality_parse(const char *s)
{
    if (!s || !strcmp(s, "primary")) return SW_SCREEN_Q_PRIMARY;
    if (!strcmp(s, "aka") || !strcmp(s, "original_script") || !strcmp(s, "nka"))
        return SW_SCREEN_Q_AKA;
    if (!strcmp(s, "aka_weak")) return SW_SCREEN_Q_AKA_WEAK;
    if (!strcmp(s, "fka")) return SW_SCREEN_Q_FKA;
    return SW_SCREEN_Q_OTHER;
}

const char *sw_screen_how_name(int how)
{
    static const char *const names[] = {"exact",     "transliteration", "romanization variant",
                                        "joined",    "jaro-winkler",    "initial",
                                        "identifier"};
    if (how >= 0 && how <= SW_SCREEN_HOW_IDENTIFIER) return names[how];
    return "unmatched";
}

/* ---- life cycle ---- */

int sw_screen_index_new(struct sw_screen_index **out, const char *data_dir)
{
    *out = NULL;
    struct sw_screen_index *idx = calloc(1, sizeof *idx);
    if (!idx) return SW_ENOMEM;
    sw_buf_init(&idx->arena, ARENA_MAX);
    int rc = sws_norm_init(&idx->norm, data_dir);
    if (rc) goto fail;
    *out = idx;
    return SW_OK;
fail:
    sw_screen_index_free(idx);
    return rc;
}

void sw_screen_index_free(struct sw_screen_index *idx)
{
    if (!idx) return;
    sws_norm_release(&idx->norm);
    sw_buf_release(&idx->arena);
    free(idx->ent);
    free(idx->emap);
    free(idx->names);
    free(idx->toks);
    free(idx->posts);
    free(idx->ids);
    free(idx->table);
    free(idx->acc);
    free(idx->touched);
    free(idx->itab);
    free(idx);
}

size_t sw_screen_index_entries(const struct sw_screen_index *idx)
{
    return idx->nent;
}

size_t sw_screen_index_names(const struct sw_screen_index *idx)
{
    return idx->nnames;
}

/* ---- entries ---- */

static int emap_rehash(struct sw_screen_index *idx)
{
    size_t ncap = idx->emap_cap ? idx->emap_cap * 2 : 1024;
    uint32_t *nm = calloc(ncap, sizeof *nm);
    if (!nm) return SW_ENOMEM;
    for (size_t e = 0; e < idx->nent; e++) {
        const char *k = S(idx, idx->ent[e].key);
        size_t i = (size_t)sws_hash('e', k, strlen(k)) & (ncap - 1);
        while (nm[i])
            i = (i + 1) & (ncap - 1);
        nm[i] = (uint32_t)e + 1;
    }
    free(idx->emap);
    idx->emap = nm;
    idx->emap_cap = ncap;
    return SW_OK;
}

/* Find or create the entry of key; *e its index. */
static int entry_get(struct sw_screen_index *idx, const char *key, int type, uint32_t *e)
{
    size_t klen = strlen(key);
    if ((idx->nent + 1) * 2 > idx->emap_cap && emap_rehash(idx)) return SW_ENOMEM;
    size_t i = (size_t)sws_hash('e', key, klen) & (idx->emap_cap - 1);
    while (idx->emap[i]) {
        if (!strcmp(S(idx, idx->ent[idx->emap[i] - 1].key), key)) {
            *e = idx->emap[i] - 1;
            return SW_OK;
        }
        i = (i + 1) & (idx->emap_cap - 1);
    }
    if (idx->nent >= NONE - 1) return SW_ETOOBIG;
    int rc = grow_array((void **)&idx->ent, &idx->capent, idx->nent + 1, sizeof *idx->ent);
    if (rc) return rc;
    struct entry *en = &idx->ent[idx->nent];
    memset(en, 0, sizeof *en);
    if ((rc = arena_put(idx, key, klen, &en->key))) return rc;
    en->list = NONE;
    en->ref = en->key;
    en->primary = NONE;
    en->primary_q = 255;
    en->type = (int8_t)(type >= 0 && type <= SW_SCREEN_OTHER ? type : SW_SCREEN_OTHER);
    idx->emap[i] = (uint32_t)idx->nent + 1;
    *e = (uint32_t)idx->nent++;
    return SW_OK;
}

int sw_screen_index_add_entry(struct sw_screen_index *idx, const char *entry_key, const char *list,
                              const char *ref, int type)
{
    if (!idx || !entry_key || !*entry_key) return SW_EINVAL;
    uint32_t e;
    int rc = entry_get(idx, entry_key, type, &e);
    if (rc) return rc;
    if (list && (rc = arena_put(idx, list, strlen(list), &idx->ent[e].list))) return rc;
    if (ref && (rc = arena_put(idx, ref, strlen(ref), &idx->ent[e].ref))) return rc;
    if (type >= 0 && type <= SW_SCREEN_OTHER) idx->ent[e].type = (int8_t)type;
    return SW_OK;
}

/* ---- postings ---- */

static int post(struct sw_screen_index *idx, uint64_t h, uint32_t name)
{
    int rc = grow_array((void **)&idx->posts, &idx->capposts, idx->nposts + 1, sizeof *idx->posts);
    if (rc) return rc;
    idx->posts[idx->nposts].h = h;
    idx->posts[idx->nposts].name = name;
    idx->nposts++;
    return SW_OK;
}

/* Calls fn for every posting key of token i of t. */
typedef int (*key_fn)(void *ctx, uint64_t h, int kind);
enum { KEY_TOKEN, KEY_KOREAN, KEY_TRIGRAM };

/* Consonant skeleton of a token: vowels and the letters that carry them (w, y) dropped
 * after the first letter (an initial vowel reads "a"), doubled letters once, v/p/q read as
 * f/b/k. Arabic and Hebrew write few vowels: "mhmd" (محمد) and "mohamed"
 * share the skeleton "mhmd". Returns its length. */
static size_t skeleton(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < SWS_TOKLEN; i++) {
        char c = s[i];
        if (c == 'v')
            c = 'f'; /* Arabic writes v as f (ف), p as b (ب), q and k apart */
        else if (c == 'p')
            c = 'b';
        else if (c == 'q')
            c = 'k';
        if (i == 0 && strchr("aeiou", c))
            c = 'a'; /* an initial vowel is written (alif): kept, as one letter */
        else if (i > 0 && strchr("aeiouwy", c))
            continue;
        if (o && out[o - 1] == c) continue;
        out[o++] = c;
    }
    out[o] = '\0';
    return o;
}

static int token_keys(const struct sws_toks *t, int i, key_fn fn, void *ctx, int index_side)
{
    int rc = fn(ctx, sws_hash('t', t->tok[i], t->len[i]), KEY_TOKEN);
    if (!rc && (index_side || (t->flags[i] & SWS_TF_ABJAD))) {
        char sk[SWS_TOKLEN];
        size_t n = skeleton(t->tok[i], t->len[i], sk);
        if (n >= 2) rc = fn(ctx, sws_hash('z', sk, n), KEY_KOREAN);
    }
    if (!rc && t->klen[i]) rc = fn(ctx, sws_hash('k', t->key[i], t->klen[i]), KEY_KOREAN);
    char pad[SWS_TOKLEN + 2];
    size_t n = t->len[i];
    pad[0] = ' ';
    memcpy(pad + 1, t->tok[i], n);
    pad[n + 1] = ' ';
    for (size_t j = 0; !rc && j + 3 <= n + 2; j++)
        rc = fn(ctx, sws_hash('g', pad + j, 3), KEY_TRIGRAM);
    return rc;
}

/* Calls fn with the keys of each run of 2 or 3 adjacent tokens of t read as one token
 * ("chon ma san" gives "chonmasan", and its Korean key), tk and kk their hash prefixes, so
 * that a name written joined on one side and spaced on the other is a candidate even when the
 * trigrams of its syllables are too common to count (Chonmasan / CHON MA SAN). */
static int joined_keys(const struct sws_toks *t, char tk, char kk, key_fn fn, void *ctx)
{
    char buf[SWS_TOKLEN], kb[SWS_TOKLEN];
    for (int i = 0; i + 1 < t->n; i++) {
        size_t n = 0, kn = 0;
        int keys = 1;
        for (int j = i; j < t->n && j < i + 3; j++) {
            if (n + t->len[j] >= sizeof buf) break;
            memcpy(buf + n, t->tok[j], t->len[j]);
            n += t->len[j];
            if (keys && t->klen[j] && kn + t->klen[j] < sizeof kb) {
                memcpy(kb + kn, t->key[j], t->klen[j]);
                kn += t->klen[j];
            } else {
                keys = 0;
            }
            if (j == i) continue;
            int rc = fn(ctx, sws_hash(tk, buf, n), KEY_TOKEN);
            if (!rc && keys) rc = fn(ctx, sws_hash(kk, kb, kn), KEY_KOREAN);
            if (rc) return rc;
        }
    }
    return 0;
}

struct post_ctx {
    struct sw_screen_index *idx;
    uint32_t name;
};

static int post_key(void *ctx, uint64_t h, int kind)
{
    struct post_ctx *p = ctx;
    (void)kind;
    return post(p->idx, h, p->name);
}

/* The arena offset of token s (added once). */
static int intern(struct sw_screen_index *idx, const char *s, size_t len, uint32_t *off)
{
    if ((idx->itab_n + 1) * 2 > idx->itab_cap) {
        size_t ncap = idx->itab_cap ? idx->itab_cap * 2 : 4096;
        uint32_t *nt = calloc(ncap, sizeof *nt);
        if (!nt) return SW_ENOMEM;
        for (size_t i = 0; i < idx->itab_cap; i++) {
            if (!idx->itab[i]) continue;
            const char *t = S(idx, idx->itab[i] - 1);
            size_t j = (size_t)sws_hash('s', t, strlen(t)) & (ncap - 1);
            while (nt[j])
                j = (j + 1) & (ncap - 1);
            nt[j] = idx->itab[i];
        }
        free(idx->itab);
        idx->itab = nt;
        idx->itab_cap = ncap;
    }
    size_t j = (size_t)sws_hash('s', s, len) & (idx->itab_cap - 1);
    while (idx->itab[j]) {
        const char *t = S(idx, idx->itab[j] - 1);
        if (!strncmp(t, s, len) && t[len] == '\0') {
            *off = idx->itab[j] - 1;
            return SW_OK;
        }
        j = (j + 1) & (idx->itab_cap - 1);
    }
    int rc = arena_put(idx, s, len, off);
    if (rc) return rc;
    idx->itab[j] = *off + 1;
    idx->itab_n++;
    return SW_OK;
}

static int add_toks(struct sw_screen_index *idx, uint32_t e, uint32_t text, int quality,
                    const struct sws_toks *t)
{
    if (t->n == 0) return SW_OK;
    if (idx->nnames >= NONE - 1) return SW_ETOOBIG;
    int rc = grow_array((void **)&idx->names, &idx->capnames, idx->nnames + 1, sizeof *idx->names);
    if (!rc)
        rc = grow_array((void **)&idx->toks, &idx->captoks, idx->ntoks + (size_t)t->n,
                        sizeof *idx->toks);
    if (rc) return rc;
    uint32_t nid = (uint32_t)idx->nnames;
    struct iname *nm = &idx->names[nid];
    nm->entry = e;
    nm->text = text;
    nm->tok0 = (uint32_t)idx->ntoks;
    nm->ntok = (uint8_t)t->n;
    nm->quality = (uint8_t)quality;
    nm->korean = (uint8_t)t->korean;
    for (int i = 0; i < t->n; i++) {
        struct itok *tk = &idx->toks[idx->ntoks + (size_t)i];
        memset(tk, 0, sizeof *tk);
        if ((rc = intern(idx, t->tok[i], t->len[i], &tk->str))) return rc;
        tk->key = NONE;
        if (t->klen[i] && (rc = arena_put(idx, t->key[i], t->klen[i], &tk->key))) return rc;
        tk->len = t->len[i];
        tk->klen = t->klen[i];
        tk->flags = t->flags[i];
        tk->w = 1.0f;
    }
    struct post_ctx pc = {idx, nid};
    for (int i = 0; i < t->n; i++)
        if ((rc = token_keys(t, i, post_key, &pc, 1))) return rc;
    /* under keys of their own ('j', 'q'), apart from the tokens and their document counts */
    if ((rc = joined_keys(t, 'j', 'q', post_key, &pc))) return rc;
    idx->ntoks += (size_t)t->n;
    idx->nnames++;
    return SW_OK;
}

int sw_screen_index_add_name(struct sw_screen_index *idx, const char *entry_key, int type,
                             const char *name, int quality)
{
    if (!idx || !entry_key || !*entry_key || !name) return SW_EINVAL;
    size_t len = strlen(name);
    if (len > SWS_MAX_INPUT) len = SWS_MAX_INPUT;
    int has_alt = 0;
    int rc = sws_norm_name(&idx->norm, name, len, &idx->ca, &idx->cb, &has_alt);
    if (rc) return rc;
    if (idx->ca.n == 0 && !has_alt) return SW_OK;
    uint32_t e, text;
    if ((rc = entry_get(idx, entry_key, type, &e))) return rc;
    if ((rc = arena_put(idx, name, len, &text))) return rc;
    struct entry *en = &idx->ent[e];
    if (en->primary == NONE || (quality == SW_SCREEN_Q_PRIMARY && en->primary_q != 0)) {
        en->primary = text;
        en->primary_q = (uint8_t)quality;
    }
    idx->built = 0;
    if ((rc = add_toks(idx, e, text, quality, &idx->ca))) return rc;
    if (has_alt) rc = add_toks(idx, e, text, quality, &idx->cb);
    return rc;
}

/* Identifier for comparison: upper-case letters and digits; a leading "IMO" or "MMSI"
 * before digits is dropped. Returns the length (0: not an identifier worth matching). */
static size_t norm_id(const char *v, char *out, size_t outsz)
{
    size_t n = 0;
    for (const char *p = v; *p && n + 1 < outsz; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) || c >= 0x80) out[n++] = (char)(c < 0x80 ? toupper(c) : c);
    }
    out[n] = '\0';
    size_t skip = 0;
    if (n > 3 && !memcmp(out, "IMO", 3) && isdigit((unsigned char)out[3]))
        skip = 3;
    else if (n > 4 && !memcmp(out, "MMSI", 4) && isdigit((unsigned char)out[4]))
        skip = 4;
    if (skip) {
        memmove(out, out + skip, n - skip + 1);
        n -= skip;
    }
    int digit = 0;
    for (size_t i = 0; i < n; i++)
        digit |= isdigit((unsigned char)out[i]) != 0;
    return n >= 5 && digit ? n : 0;
}

int sw_screen_index_add_id(struct sw_screen_index *idx, const char *entry_key, const char *kind,
                           const char *value)
{
    if (!idx || !entry_key || !*entry_key || !kind || !value) return SW_EINVAL;
    char norm[128];
    size_t n = norm_id(value, norm, sizeof norm);
    if (!n) return SW_OK;
    uint32_t e;
    int rc = entry_get(idx, entry_key, -1, &e);
    if (!rc) rc = grow_array((void **)&idx->ids, &idx->capids, idx->nids + 1, sizeof *idx->ids);
    if (rc) return rc;
    struct idrec *r = &idx->ids[idx->nids];
    r->h = sws_hash('i', norm, n);
    r->entry = e;
    if ((rc = arena_put(idx, kind, strlen(kind), &r->kind)) ||
        (rc = arena_put(idx, norm, n, &r->value)))
        return rc;
    idx->nids++;
    idx->built = 0;
    return SW_OK;
}

/* ---- build ---- */

static int cmp_post(const void *a, const void *b)
{
    const struct post *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->name < y->name ? -1 : x->name > y->name;
}

static int cmp_id(const void *a, const void *b)
{
    const struct idrec *x = a, *y = b;
    return x->h < y->h ? -1 : x->h > y->h;
}

static const struct bucket *lookup(const struct sw_screen_index *idx, uint64_t h)
{
    if (!idx->table_cap) return NULL;
    size_t i = (size_t)(h ^ (h >> 29)) & (idx->table_cap - 1);
    while (idx->table[i].count) {
        if (idx->table[i].h == h) return &idx->table[i];
        i = (i + 1) & (idx->table_cap - 1);
    }
    return NULL;
}

static float weight_of(const struct sw_screen_index *idx, const char *tok, size_t len,
                       const char *key, size_t klen)
{
    const struct bucket *b = lookup(idx, sws_hash('t', tok, len));
    double df = b ? b->count : 0;
    if (klen) {
        const struct bucket *kb = lookup(idx, sws_hash('k', key, klen));
        if (kb && kb->count > df) df = kb->count;
    }
    double w = log(1.0 + ((double)idx->nnames + 1.0) / (df + 1.0));
    if (len == 1) w *= 0.3;
    return (float)(w > 0.05 ? w : 0.05);
}

int sw_screen_index_build(struct sw_screen_index *idx)
{
    if (idx->built) return SW_OK;
    if (idx->nposts) qsort(idx->posts, idx->nposts, sizeof *idx->posts, cmp_post);
    size_t o = 0, nkeys = 0;
    for (size_t i = 0; i < idx->nposts; i++) {
        if (o && idx->posts[o - 1].h == idx->posts[i].h &&
            idx->posts[o - 1].name == idx->posts[i].name)
            continue;
        if (!o || idx->posts[o - 1].h != idx->posts[i].h) nkeys++;
        idx->posts[o++] = idx->posts[i];
    }
    idx->nposts = o;
    if (idx->nids) qsort(idx->ids, idx->nids, sizeof *idx->ids, cmp_id);
    size_t cap = 64;
    while (cap < nkeys * 2)
        cap *= 2;
    struct bucket *t = calloc(cap, sizeof *t);
    float *acc = calloc(idx->nnames + 1, sizeof *acc);
    uint32_t *touched = malloc((idx->nnames + 1) * sizeof *touched);
    if (!t || !acc || !touched) {
        free(t);
        free(acc);
        free(touched);
        return SW_ENOMEM;
    }
    for (size_t i = 0; i < idx->nposts;) {
        size_t j = i;
        while (j < idx->nposts && idx->posts[j].h == idx->posts[i].h)
            j++;
        uint64_t h = idx->posts[i].h;
        size_t s = (size_t)(h ^ (h >> 29)) & (cap - 1);
        while (t[s].count)
            s = (s + 1) & (cap - 1);
        t[s].h = h;
        t[s].start = (uint32_t)i;
        t[s].count = (uint32_t)(j - i);
        i = j;
    }
    free(idx->table);
    free(idx->acc);
    free(idx->touched);
    idx->table = t;
    idx->table_cap = cap;
    idx->acc = acc;
    idx->touched = touched;
    for (size_t i = 0; i < idx->ntoks; i++) {
        struct itok *tk = &idx->toks[i];
        tk->w = weight_of(idx, S(idx, tk->str), tk->len, tk->key == NONE ? NULL : S(idx, tk->key),
                          tk->klen);
    }
    idx->built = 1;
    return SW_OK;
}

/* ---- scoring ---- */

/* One side of a comparison: tokens with weights, as plain arrays. */
struct side {
    int n, korean;
    const char *tok[SWS_MAX_TOK], *key[SWS_MAX_TOK];
    uint8_t len[SWS_MAX_TOK], klen[SWS_MAX_TOK], flags[SWS_MAX_TOK];
    float w[SWS_MAX_TOK];
    uint32_t off[SWS_MAX_TOK]; /* interned string of an index token, else NONE */
};

static void side_from_toks(const struct sw_screen_index *idx, const struct sws_toks *t,
                           struct side *s)
{
    s->n = t->n;
    s->korean = t->korean;
    for (int i = 0; i < t->n; i++) {
        s->tok[i] = t->tok[i];
        s->len[i] = t->len[i];
        s->key[i] = t->key[i];
        s->klen[i] = t->klen[i];
        s->flags[i] = t->flags[i];
        s->w[i] = weight_of(idx, t->tok[i], t->len[i], t->key[i], t->klen[i]);
        s->off[i] = NONE;
    }
}

static void side_from_name(const struct sw_screen_index *idx, const struct iname *nm,
                           struct side *s)
{
    s->n = nm->ntok;
    s->korean = nm->korean;
    for (int i = 0; i < nm->ntok; i++) {
        const struct itok *tk = &idx->toks[nm->tok0 + (uint32_t)i];
        s->tok[i] = S(idx, tk->str);
        s->len[i] = tk->len;
        s->key[i] = tk->key == NONE ? "" : S(idx, tk->key);
        s->klen[i] = tk->klen;
        s->flags[i] = tk->flags;
        s->w[i] = tk->w;
        s->off[i] = tk->str;
    }
}

struct pair {
    uint8_t qi, qn, ci, cn; /* token spans */
    uint8_t how;
    float sim;
};

static int has_digit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9') return 1;
    return 0;
}

/* Concatenate n tokens from i (strings or keys) into buf; returns length. */
static size_t concat(const char *const *v, const uint8_t *l, int i, int n, char *buf)
{
    size_t o = 0;
    for (int k = i; k < i + n; k++) {
        memcpy(buf + o, v[k], l[k]);
        o += l[k];
    }
    buf[o] = '\0';
    return o;
}

/* Upper bound of Jaro-Winkler from letters in common: matches m are at most the
 * positions of each string whose byte occurs in the other; with a prefix bonus of at most
 * 4 x 0.1, JW <= jaro + 0.4 (1 - jaro). Skips most hopeless pairs cheaply. */
static int jw_can_reach(const char *a, size_t la, const char *b, size_t lb)
{
    uint64_t ma = 0, mb = 0;
    for (size_t i = 0; i < la; i++)
        ma |= 1ULL << ((unsigned char)a[i] & 63);
    for (size_t i = 0; i < lb; i++)
        mb |= 1ULL << ((unsigned char)b[i] & 63);
    size_t ca = 0, cb = 0;
    for (size_t i = 0; i < la; i++)
        ca += (mb >> ((unsigned char)a[i] & 63)) & 1;
    for (size_t i = 0; i < lb; i++)
        cb += (ma >> ((unsigned char)b[i] & 63)) & 1;
    double m = (double)(ca < cb ? ca : cb);
    if (m == 0) return 0;
    double jaro = (m / (double)la + m / (double)lb + 1.0) / 3.0;
    return jaro + 0.4 * (1.0 - jaro) >= SIM_FLOOR;
}

static int span_sim(const struct side *q, int qi, int qn, const struct side *c, int ci, int cn,
                    int korean, struct pair *p)
{
    /* Cheap rejections first: joined spans count only when equal (as text or as Korean
     * keys), and Jaro-Winkler cannot reach the floor when the lengths differ too much. */
    size_t tl = 0, tkl = 0, ul = 0, ukl = 0;
    for (int k = qi; k < qi + qn; k++) {
        tl += q->len[k];
        tkl += q->klen[k];
    }
    for (int k = ci; k < ci + cn; k++) {
        ul += c->len[k];
        ukl += c->klen[k];
    }
    if (qn + cn > 2 && tl != ul && !(korean && tkl && tkl == ukl)) return 0;
    if (qn + cn == 2 && tl > 1 && ul > 1) {
        size_t mn = tl < ul ? tl : ul, mx = tl < ul ? ul : tl;
        double up = (1.0 + (double)mn / (double)mx + 1.0) / 3.0;
        if (up + 0.4 * (1.0 - up) < SIM_FLOOR && !(korean && tkl && ukl)) return 0;
    }
    char qbuf[SWS_TOKLEN * 3], cbuf[SWS_TOKLEN * 3];
    const char *qa = q->tok[qi], *ca = c->tok[ci];
    size_t ql = tl, cl = ul;
    if (qn > 1) concat(q->tok, q->len, qi, qn, qbuf), qa = qbuf;
    if (cn > 1) concat(c->tok, c->len, ci, cn, cbuf), ca = cbuf;
    int joined = qn + cn > 2;
    int translit = 0;
    for (int k = qi; k < qi + qn; k++)
        translit |= q->flags[k] & SWS_TF_TRANSLIT;
    for (int k = ci; k < ci + cn; k++)
        translit |= c->flags[k] & SWS_TF_TRANSLIT;
    p->qi = (uint8_t)qi;
    p->qn = (uint8_t)qn;
    p->ci = (uint8_t)ci;
    p->cn = (uint8_t)cn;
    if (ql == cl && !memcmp(qa, ca, ql)) {
        p->sim = 1.0f;
        p->how = joined ? SW_SCREEN_HOW_JOINED
                        : (translit ? SW_SCREEN_HOW_TRANSLIT : SW_SCREEN_HOW_EXACT);
        return 1;
    }
    if (korean) {
        char qbk[SWS_TOKLEN * 3], cbk[SWS_TOKLEN * 3];
        const char *qk = q->key[qi], *ck = c->key[ci];
        size_t qkl = tkl, ckl = ukl;
        if (qn > 1) concat(q->key, q->klen, qi, qn, qbk), qk = qbk;
        if (cn > 1) concat(c->key, c->klen, ci, cn, cbk), ck = cbk;
        if (qkl && qkl == ckl && !memcmp(qk, ck, qkl)) {
            p->sim = (float)VARIANT_SIM;
            p->how = SW_SCREEN_HOW_VARIANT;
            return 1;
        }
    }
    if (joined) return 0; /* joined spans count only when equal */
    if ((q->flags[qi] ^ c->flags[ci]) & SWS_TF_ABJAD) {
        char qs[SWS_TOKLEN], cs[SWS_TOKLEN];
        size_t qsl = skeleton(qa, ql, qs), csl = skeleton(ca, cl, cs);
        if (qsl >= 2 && qsl == csl && !memcmp(qs, cs, qsl)) {
            p->sim = (float)SKELETON_SIM;
            p->how = SW_SCREEN_HOW_TRANSLIT;
            return 1;
        }
    }
    if (ql == 1 || cl == 1) {
        if (qa[0] == ca[0] && !has_digit(qa, ql)) {
            p->sim = (float)INITIAL_SIM;
            p->how = SW_SCREEN_HOW_INITIAL;
            return 1;
        }
        return 0;
    }
    if (has_digit(qa, ql) || has_digit(ca, cl)) return 0;
    if (!jw_can_reach(qa, ql, ca, cl)) return 0;
    double jw = sw_jaro_winkler(qa, ql, ca, cl);
    if (jw < SIM_FLOOR) return 0;
    /* Stretch: a near-miss token (Sancho / Sanchez, JW 0.92) counts for less than its raw
     * JW, a typo in a long token (Scholze / Scholz, 0.97) for nearly all of it. */
    p->sim = (float)(1.0 - JW_STRETCH * (1.0 - jw));
    p->how = SW_SCREEN_HOW_JW;
    return 1;
}

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->sim != y->sim) return x->sim > y->sim ? -1 : 1;
    int xs = x->qn + x->cn, ys = y->qn + y->cn;
    return xs - ys;
}

#define MAX_PAIRS (SWS_MAX_TOK * SWS_MAX_TOK * 5)

/* Align q and c; returns the score; chosen pairs into sel (may be NULL). */
/* span_sim of single tokens, remembered per query form when mi is given. */
static int token_sim(struct sw_screen_index *mi, const struct side *q, int i, const struct side *c,
                     int j, int korean, struct pair *p)
{
    if (!mi || c->off[j] == NONE) return span_sim(q, i, 1, c, j, 1, korean, p);
    int kf = korean | (c->flags[j] & SWS_TF_ABJAD); /* what the similarity depends on */
    uint32_t h = (c->off[j] * 2654435761u) ^ ((uint32_t)i << 3 | (uint32_t)kf);
    struct memo *m = &mi->memo[h & (MEMO_CAP - 1)];
    if (m->gen == mi->gen && m->off == c->off[j] && m->qi == i && m->korean == kf) {
        if (!m->ok) return 0;
        p->qi = (uint8_t)i;
        p->qn = 1;
        p->ci = (uint8_t)j;
        p->cn = 1;
        p->how = m->how;
        p->sim = m->sim;
        return 1;
    }
    int ok = span_sim(q, i, 1, c, j, 1, korean, p);
    m->gen = mi->gen;
    m->off = c->off[j];
    m->qi = (uint8_t)i;
    m->korean = (uint8_t)kf;
    m->ok = (uint8_t)ok;
    m->how = ok ? p->how : 0;
    m->sim = ok ? p->sim : 0;
    return ok;
}

static double align(struct sw_screen_index *mi, const struct side *q, const struct side *c,
                    struct pair *sel, int *nsel)
{
    struct pair pairs[MAX_PAIRS];
    int np = 0;
    int korean = q->korean && c->korean;
    /* Prefix sums of token and key lengths: joined spans are tried only when their
     * lengths agree with the token they would equal. */
    int ql[SWS_MAX_TOK + 1], qk[SWS_MAX_TOK + 1], cl[SWS_MAX_TOK + 1], ck[SWS_MAX_TOK + 1];
    ql[0] = qk[0] = cl[0] = ck[0] = 0;
    for (int i = 0; i < q->n; i++) {
        ql[i + 1] = ql[i] + q->len[i];
        qk[i + 1] = q->klen[i] ? qk[i] + q->klen[i] : -1000;
    }
    for (int j = 0; j < c->n; j++) {
        cl[j + 1] = cl[j] + c->len[j];
        ck[j + 1] = c->klen[j] ? ck[j] + c->klen[j] : -1000;
    }
    for (int i = 0; i < q->n; i++) {
        for (int j = 0; j < c->n; j++) {
            if (token_sim(mi, q, i, c, j, korean, &pairs[np])) np++;
            /* Joined tokens: up to 3 on one side against one on the other. */
            for (int k = 2; k <= 3; k++) {
                if (i + k <= q->n &&
                    (ql[i + k] - ql[i] == c->len[j] ||
                     (korean && c->klen[j] && qk[i + k] - qk[i] == c->klen[j])) &&
                    span_sim(q, i, k, c, j, 1, korean, &pairs[np]))
                    np++;
                if (j + k <= c->n &&
                    (cl[j + k] - cl[j] == q->len[i] ||
                     (korean && q->klen[i] && ck[j + k] - ck[j] == q->klen[i])) &&
                    span_sim(q, i, 1, c, j, k, korean, &pairs[np]))
                    np++;
            }
        }
    }
    for (int k = 1; k < np; k++) { /* insertion sort: few pairs survive span_sim */
        struct pair x = pairs[k];
        int m = k - 1;
        while (m >= 0 && cmp_pair(&pairs[m], &x) > 0) {
            pairs[m + 1] = pairs[m];
            m--;
        }
        pairs[m + 1] = x;
    }
    float qs[SWS_MAX_TOK] = {0}, cs[SWS_MAX_TOK] = {0};
    uint8_t qused[SWS_MAX_TOK] = {0}, cused[SWS_MAX_TOK] = {0};
    int ns = 0;
    for (int k = 0; k < np; k++) {
        const struct pair *p = &pairs[k];
        int ok = 1;
        for (int i = p->qi; i < p->qi + p->qn; i++)
            ok &= !qused[i];
        for (int j = p->ci; j < p->ci + p->cn; j++)
            ok &= !cused[j];
        if (!ok) continue;
        for (int i = p->qi; i < p->qi + p->qn; i++) {
            qused[i] = 1;
            qs[i] = p->sim;
        }
        for (int j = p->ci; j < p->ci + p->cn; j++) {
            cused[j] = 1;
            cs[j] = p->sim;
        }
        if (sel) sel[ns] = *p;
        ns++;
    }
    if (nsel) *nsel = ns;
    double qw = 0, qm = 0, cw = 0, cm = 0;
    for (int i = 0; i < q->n; i++) {
        qw += q->w[i];
        qm += q->w[i] * qs[i];
    }
    for (int j = 0; j < c->n; j++) {
        cw += c->w[j];
        cm += c->w[j] * cs[j];
    }
    if (qw <= 0 || cw <= 0) return 0;
    return ALIGN_Q * qm / qw + (1.0 - ALIGN_Q) * cm / cw;
}

static void span_text(const struct side *s, int i, int n, char *out)
{
    size_t o = 0;
    out[0] = '\0';
    for (int k = i; k < i + n; k++) {
        size_t l = s->len[k];
        if (o + l + 2 >= SW_SCREEN_TOKLEN) break;
        if (k > i) out[o++] = ' ';
        memcpy(out + o, s->tok[k], l);
        o += l;
        out[o] = '\0';
    }
}

static void explain(const struct side *q, const struct side *c, struct sw_screen_match *m)
{
    struct pair sel[SWS_MAX_TOK * 2];
    int ns = 0;
    m->score = align(NULL, q, c, sel, &ns);
    m->n_tokens = 0;
    uint8_t qcov[SWS_MAX_TOK] = {0}, ccov[SWS_MAX_TOK] = {0};
    /* In query order. */
    for (int i = 0; i < q->n; i++) {
        for (int k = 0; k < ns; k++) {
            if (sel[k].qi != i || m->n_tokens >= SW_SCREEN_MAX_EXPLAIN) continue;
            struct sw_screen_token_match *tm = &m->tokens[m->n_tokens++];
            span_text(q, sel[k].qi, sel[k].qn, tm->query);
            span_text(c, sel[k].ci, sel[k].cn, tm->cand);
            tm->how = sel[k].how;
            tm->sim = sel[k].sim;
            for (int x = sel[k].qi; x < sel[k].qi + sel[k].qn; x++)
                qcov[x] = 1;
            for (int x = sel[k].ci; x < sel[k].ci + sel[k].cn; x++)
                ccov[x] = 1;
        }
    }
    for (int i = 0; i < q->n && m->n_tokens < SW_SCREEN_MAX_EXPLAIN; i++) {
        if (qcov[i]) continue;
        struct sw_screen_token_match *tm = &m->tokens[m->n_tokens++];
        span_text(q, i, 1, tm->query);
        tm->cand[0] = '\0';
        tm->how = -1;
        tm->sim = 0;
    }
    for (int j = 0; j < c->n && m->n_tokens < SW_SCREEN_MAX_EXPLAIN; j++) {
        if (ccov[j]) continue;
        struct sw_screen_token_match *tm = &m->tokens[m->n_tokens++];
        tm->query[0] = '\0';
        span_text(c, j, 1, tm->cand);
        tm->how = -1;
        tm->sim = 0;
    }
}

static double quality_factor(int q)
{
    return q == SW_SCREEN_Q_AKA_WEAK ? 0.97 : 1.0;
}

/* ---- queries ---- */

struct gather {
    struct sw_screen_index *idx;
    size_t ntouched;
    uint32_t cap; /* trigram buckets larger than this are skipped */
};

static int gather_key(void *ctx, uint64_t h, int kind)
{
    struct gather *g = ctx;
    const struct bucket *b = lookup(g->idx, h);
    if (!b || (kind == KEY_TRIGRAM && b->count > g->cap)) return 0;
    float add = kind == KEY_TRIGRAM ? 1.0f : 3.0f;
    const struct post *p = g->idx->posts + b->start;
    float *acc = g->idx->acc;
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t n = p[i].name;
        if (acc[n] == 0.0f) g->idx->touched[g->ntouched++] = n;
        acc[n] += add;
    }
    return 0;
}

struct cand {
    float acc;
    uint32_t name;
};

static void heap_push(struct cand *h, int *n, struct cand c)
{
    if (*n == TOPK) {
        if (c.acc <= h[0].acc) return;
        h[0] = c; /* replace the smallest, sift down */
        int i = 0;
        for (;;) {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < *n && h[l].acc < h[m].acc) m = l;
            if (r < *n && h[r].acc < h[m].acc) m = r;
            if (m == i) break;
            struct cand t = h[i];
            h[i] = h[m];
            h[m] = t;
            i = m;
        }
        return;
    }
    int i = (*n)++;
    h[i] = c;
    while (i > 0 && h[(i - 1) / 2].acc > h[i].acc) {
        struct cand t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

/* Candidates of one query form, scored; best per entry merged into best[]. */
struct best {
    uint32_t entry, name;
    double score;
    int alt;
};

static void add_best(struct best *bs, int *nb, uint32_t entry, uint32_t name, double score, int alt)
{
    for (int i = 0; i < *nb; i++) {
        if (bs[i].entry == entry) {
            if (score > bs[i].score) {
                bs[i].name = name;
                bs[i].score = score;
                bs[i].alt = alt;
            }
            return;
        }
    }
    if (*nb < TOPK * 2) {
        bs[*nb].entry = entry;
        bs[*nb].name = name;
        bs[*nb].score = score;
        bs[*nb].alt = alt;
        (*nb)++;
    }
}

static void run_form(struct sw_screen_index *idx, const struct sws_toks *t, int alt, int type,
                     double threshold, struct best *bs, int *nb)
{
    struct gather g = {idx, 0, (uint32_t)(idx->nnames / 200 > 100 ? idx->nnames / 200 : 100)};
    for (int i = 0; i < t->n; i++)
        token_keys(t, i, gather_key, &g, 0);
    /* joined on this side against a token of a name; a token against a joined run */
    joined_keys(t, 't', 'k', gather_key, &g);
    for (int i = 0; i < t->n; i++) {
        gather_key(&g, sws_hash('j', t->tok[i], t->len[i]), KEY_TOKEN);
        if (t->klen[i]) gather_key(&g, sws_hash('q', t->key[i], t->klen[i]), KEY_KOREAN);
    }
    struct cand heap[TOPK];
    int nh = 0;
    for (size_t i = 0; i < g.ntouched; i++) {
        uint32_t n = idx->touched[i];
        if (idx->acc[n] >= MIN_ACC && (type < 0 || idx->ent[idx->names[n].entry].type == type))
            heap_push(heap, &nh, (struct cand){idx->acc[n], n});
        idx->acc[n] = 0.0f;
    }
    struct side q, c;
    side_from_toks(idx, t, &q);
    idx->gen++;
    if (idx->gen == 0) { /* wrapped: forget everything */
        memset(idx->memo, 0, sizeof idx->memo);
        idx->gen = 1;
    }
    for (int i = 0; i < nh; i++) {
        const struct iname *nm = &idx->names[heap[i].name];
        side_from_name(idx, nm, &c);
        double s = align(idx, &q, &c, NULL, NULL) * quality_factor(nm->quality);
        if (s >= threshold) add_best(bs, nb, nm->entry, heap[i].name, s, alt);
    }
}

static int cmp_best(const void *a, const void *b)
{
    const struct best *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static void fill_entry(const struct sw_screen_index *idx, uint32_t e, struct sw_screen_match *m)
{
    const struct entry *en = &idx->ent[e];
    m->entry_key = S(idx, en->key);
    m->list = en->list == NONE ? "" : S(idx, en->list);
    m->ref = S(idx, en->ref);
    m->primary = en->primary == NONE ? "" : S(idx, en->primary);
    m->type = en->type;
}

static void toks_text(const struct sws_toks *t, char *out, size_t outsz)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < t->n; i++) {
        size_t l = t->len[i];
        if (o + l + 2 >= outsz) break;
        if (i) out[o++] = ' ';
        memcpy(out + o, t->tok[i], l);
        o += l;
        out[o] = '\0';
    }
}

int sw_screen_query(struct sw_screen_index *idx, const char *query,
                    const struct sw_screen_opts *opts, struct sw_screen_result *res)
{
    if (!idx || !query || !res) return SW_EINVAL;
    res->n = 0;
    res->norm[0] = '\0';
    double threshold = opts && opts->threshold > 0 ? opts->threshold : SW_SCREEN_DEFAULT_THRESHOLD;
    int type = opts ? opts->type : SW_SCREEN_ANY;
    size_t maxr = opts && opts->max_results ? opts->max_results : 10;
    if (maxr > SW_SCREEN_MAX_RESULTS) maxr = SW_SCREEN_MAX_RESULTS;
    int rc = sw_screen_index_build(idx);
    if (rc) return rc;
    size_t len = strlen(query);
    /* Identifiers: the whole query, and each space-separated part. */
    char idn[128];
    const char *p = query;
    int whole = 1;
    while (res->n < maxr) {
        char part[128];
        size_t pl;
        if (whole) {
            pl = len < sizeof part - 1 ? len : sizeof part - 1;
            memcpy(part, query, pl);
        } else {
            while (*p == ' ' || *p == ',' || *p == ';')
                p++;
            if (!*p) break;
            const char *s = p;
            while (*p && *p != ' ' && *p != ',' && *p != ';')
                p++;
            pl = (size_t)(p - s) < sizeof part - 1 ? (size_t)(p - s) : sizeof part - 1;
            memcpy(part, s, pl);
        }
        part[pl] = '\0';
        size_t n = norm_id(part, idn, sizeof idn);
        if (n) {
            uint64_t h = sws_hash('i', idn, n);
            size_t lo = 0, hi = idx->nids;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (idx->ids[mid].h < h)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (size_t i = lo; i < idx->nids && idx->ids[i].h == h && res->n < maxr; i++) {
                const struct idrec *r = &idx->ids[i];
                if (strcmp(S(idx, r->value), idn)) continue;
                if (type >= 0 && idx->ent[r->entry].type != type) continue;
                int dup = 0;
                for (size_t k = 0; k < res->n; k++)
                    dup |= res->m[k].entry_key == S(idx, idx->ent[r->entry].key);
                if (dup) continue;
                struct sw_screen_match *m = &res->m[res->n++];
                memset(m, 0, sizeof *m);
                fill_entry(idx, r->entry, m);
                m->name = m->primary;
                m->score = 1.0;
                m->by_identifier = 1;
                m->id_kind = S(idx, r->kind);
                m->id_value = S(idx, r->value);
                m->n_tokens = 1;
                snprintf(m->tokens[0].query, SW_SCREEN_TOKLEN, "%.60s", idn);
                snprintf(m->tokens[0].cand, SW_SCREEN_TOKLEN, "%.16s %.44s", m->id_kind,
                         m->id_value);
                m->tokens[0].how = SW_SCREEN_HOW_IDENTIFIER;
                m->tokens[0].sim = 1.0;
            }
        }
        if (whole) {
            whole = 0;
            if (!strchr(query, ' ') && !strchr(query, ',') && !strchr(query, ';')) break;
        }
    }
    int has_alt = 0;
    rc = sws_norm_name(&idx->norm, query, len, &idx->q, &idx->qalt, &has_alt);
    if (rc) return rc;
    toks_text(&idx->q, res->norm, sizeof res->norm);
    struct best bs[TOPK * 2];
    int nb = 0;
    if (idx->q.n) run_form(idx, &idx->q, 0, type, threshold, bs, &nb);
    if (has_alt) run_form(idx, &idx->qalt, 1, type, threshold, bs, &nb);
    if (nb > 1) qsort(bs, (size_t)nb, sizeof bs[0], cmp_best);
    for (int i = 0; i < nb && res->n < maxr; i++) {
        const char *key = S(idx, idx->ent[bs[i].entry].key);
        int dup = 0;
        for (size_t k = 0; k < res->n; k++)
            dup |= res->m[k].entry_key == key;
        if (dup) continue;
        struct sw_screen_match *m = &res->m[res->n++];
        memset(m, 0, sizeof *m);
        fill_entry(idx, bs[i].entry, m);
        const struct iname *nm = &idx->names[bs[i].name];
        m->name = S(idx, nm->text);
        m->quality = nm->quality;
        struct side q, c;
        side_from_toks(idx, bs[i].alt ? &idx->qalt : &idx->q, &q);
        side_from_name(idx, nm, &c);
        explain(&q, &c, m);
        m->score = bs[i].score;
    }
    return SW_OK;
}

int sw_screen_compare(struct sw_screen_index *idx, const char *a, const char *b, double *score,
                      struct sw_screen_match *ex)
{
    if (!idx || !a || !b || !score) return SW_EINVAL;
    *score = 0;
    int rc = sw_screen_index_build(idx);
    if (rc) return rc;
    int aalt = 0, balt = 0;
    if ((rc = sws_norm_name(&idx->norm, a, strlen(a), &idx->q, &idx->qalt, &aalt)) ||
        (rc = sws_norm_name(&idx->norm, b, strlen(b), &idx->ca, &idx->cb, &balt)))
        return rc;
    const struct sws_toks *as[2] = {&idx->q, aalt ? &idx->qalt : NULL};
    const struct sws_toks *bs[2] = {&idx->ca, balt ? &idx->cb : NULL};
    int bi = 0, bj = 0;
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
            if (!as[i] || !bs[j] || !as[i]->n || !bs[j]->n) continue;
            struct side q, c;
            side_from_toks(idx, as[i], &q);
            side_from_toks(idx, bs[j], &c);
            double s = align(NULL, &q, &c, NULL, NULL);
            if (s > *score) {
                *score = s;
                bi = i;
                bj = j;
            }
        }
    }
    if (ex) {
        memset(ex, 0, sizeof *ex);
        if (as[bi] && bs[bj] && as[bi]->n && bs[bj]->n) {
            struct side q, c;
            side_from_toks(idx, as[bi], &q);
            side_from_toks(idx, bs[bj], &c);
            explain(&q, &c, ex);
        }
        ex->score = *score;
    }
    return SW_OK;
}

int sw_screen_normalize(struct sw_screen_index *idx, const char *name, char *out, size_t outsz)
{
    if (!idx || !name || !out || !outsz) return SW_EINVAL;
    int alt = 0;
    int rc = sws_norm_name(&idx->norm, name, strlen(name), &idx->q, &idx->qalt, &alt);
    if (rc) return rc;
    struct sw_buf b;
    sw_buf_init(&b, outsz > 1 ? outsz - 1 : 1);
    for (int f = 0; f < 1 + alt && !rc; f++) {
        const struct sws_toks *t = f ? &idx->qalt : &idx->q;
        if (f) rc = sw_buf_puts(&b, " | ");
        for (int i = 0; i < t->n && !rc; i++)
            rc = sw_buf_printf(&b, "%s%s", i ? " " : "", t->tok[i]);
        if (t->korean && !rc) {
            rc = sw_buf_puts(&b, " [");
            for (int i = 0; i < t->n && !rc; i++)
                rc = sw_buf_printf(&b, "%s%s", i ? " " : "", t->key[i]);
            if (!rc) rc = sw_buf_puts(&b, "]");
        }
    }
    size_t n = b.len < outsz - 1 ? b.len : outsz - 1;
    if (n) memcpy(out, b.data, n);
    out[n] = '\0';
    sw_buf_release(&b);
    return rc == SW_ETOOBIG ? SW_OK : rc;
}
