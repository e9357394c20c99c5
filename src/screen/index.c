/*
 * The screening index: entries, their names and identifiers. Names are normalised once when
 * added (normalize.c); their tokens, Korean keys, consonant skeletons and character trigrams
 * are posted in an inverted index (one sorted array of (key hash, name) pairs and an
 * open-addressing table over it), and each token gets an IDF weight when the index is built.
 * Scoring is score.c, queries query.c.
 */
#include "screen_int.h"

#include "sanctwatch/error.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (idx->arena.len + len + 1 >= SWS_ARENA_MAX) return SW_ETOOBIG;
    *off = (uint32_t)idx->arena.len;
    int rc = sw_buf_append(&idx->arena, s, len);
    if (!rc) rc = sw_buf_putc(&idx->arena, '\0');
    return rc;
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
    sw_buf_init(&idx->arena, SWS_ARENA_MAX);
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
    free(idx->vessels);
    free(idx->subj);
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
        const char *k = sws_str(idx, idx->ent[e].key);
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
        if (!strcmp(sws_str(idx, idx->ent[idx->emap[i] - 1].key), key)) {
            *e = idx->emap[i] - 1;
            return SW_OK;
        }
        i = (i + 1) & (idx->emap_cap - 1);
    }
    if (idx->nent >= SWS_NONE - 1) return SW_ETOOBIG;
    int rc = grow_array((void **)&idx->ent, &idx->capent, idx->nent + 1, sizeof *idx->ent);
    if (rc) return rc;
    struct sws_entry *en = &idx->ent[idx->nent];
    memset(en, 0, sizeof *en);
    if ((rc = arena_put(idx, key, klen, &en->key))) return rc;
    en->list = SWS_NONE;
    en->ref = en->key;
    en->primary = SWS_NONE;
    en->primary_q = 255;
    en->subject = SWS_NONE;
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

int sw_screen_index_set_vessel(struct sw_screen_index *idx, const char *entry_key,
                               const struct sw_screen_vessel *v)
{
    if (!idx || !entry_key || !*entry_key || !v) return SW_EINVAL;
    uint32_t e;
    int rc = entry_get(idx, entry_key, SW_SCREEN_VESSEL, &e);
    if (rc) return rc;
    if (!idx->ent[e].vessel) {
        rc = grow_array((void **)&idx->vessels, &idx->capvessels, idx->nvessels + 1,
                        sizeof *idx->vessels);
        if (rc) return rc;
        idx->ent[e].vessel = (uint32_t)++idx->nvessels;
    }
    struct sws_vessel *sv = &idx->vessels[idx->ent[e].vessel - 1];
    const char *f[SWS_VESSEL_FIELDS] = {v->imo,  v->mmsi,    v->call_sign, v->flag,
                                        v->type, v->tonnage, v->grt};
    for (int i = 0; i < SWS_VESSEL_FIELDS; i++) {
        sv->f[i] = SWS_NONE;
        if (f[i] && *f[i] && (rc = arena_put(idx, f[i], strlen(f[i]), &sv->f[i]))) return rc;
    }
    return SW_OK;
}

int sw_screen_index_set_subject(struct sw_screen_index *idx, const char *entry_key,
                                const char *subject)
{
    if (!idx || !entry_key || !*entry_key || !subject || !*subject) return SW_EINVAL;
    uint32_t e;
    int rc = entry_get(idx, entry_key, -1, &e);
    if (!rc) rc = arena_put(idx, subject, strlen(subject), &idx->ent[e].subject);
    idx->built = 0;
    return rc;
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
int sws_token_keys(const struct sws_toks *t, int i, sws_key_fn fn, void *ctx, int index_side)
{
    int rc = fn(ctx, sws_hash('t', t->tok[i], t->len[i]), SWS_KEY_TOKEN);
    if (!rc && (index_side || (t->flags[i] & SWS_TF_ABJAD))) {
        char sk[SWS_TOKLEN];
        size_t n = sws_skeleton(t->tok[i], t->len[i], sk);
        if (n >= 2) rc = fn(ctx, sws_hash('z', sk, n), SWS_KEY_KOREAN);
    }
    if (!rc && t->klen[i]) rc = fn(ctx, sws_hash('k', t->key[i], t->klen[i]), SWS_KEY_KOREAN);
    char pad[SWS_TOKLEN + 2];
    size_t n = t->len[i];
    pad[0] = ' ';
    memcpy(pad + 1, t->tok[i], n);
    pad[n + 1] = ' ';
    for (size_t j = 0; !rc && j + 3 <= n + 2; j++)
        rc = fn(ctx, sws_hash('g', pad + j, 3), SWS_KEY_TRIGRAM);
    return rc;
}

/* Calls fn with the keys of each run of 2 or 3 adjacent tokens of t read as one token
 * ("chon ma san" gives "chonmasan", and its Korean key), tk and kk their hash prefixes, so
 * that a name written joined on one side and spaced on the other is a candidate even when the
 * trigrams of its syllables are too common to count (Chonmasan / CHON MA SAN). */
int sws_joined_keys(const struct sws_toks *t, char tk, char kk, sws_key_fn fn, void *ctx)
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
            int rc = fn(ctx, sws_hash(tk, buf, n), SWS_KEY_TOKEN);
            if (!rc && keys) rc = fn(ctx, sws_hash(kk, kb, kn), SWS_KEY_KOREAN);
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
            const char *t = sws_str(idx, idx->itab[i] - 1);
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
        const char *t = sws_str(idx, idx->itab[j] - 1);
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
    if (idx->nnames >= SWS_NONE - 1) return SW_ETOOBIG;
    int rc = grow_array((void **)&idx->names, &idx->capnames, idx->nnames + 1, sizeof *idx->names);
    if (!rc)
        rc = grow_array((void **)&idx->toks, &idx->captoks, idx->ntoks + (size_t)t->n,
                        sizeof *idx->toks);
    if (rc) return rc;
    uint32_t nid = (uint32_t)idx->nnames;
    struct sws_name *nm = &idx->names[nid];
    nm->entry = e;
    nm->text = text;
    nm->tok0 = (uint32_t)idx->ntoks;
    nm->ntok = (uint8_t)t->n;
    nm->quality = (uint8_t)quality;
    nm->korean = (uint8_t)t->korean;
    for (int i = 0; i < t->n; i++) {
        struct sws_itok *tk = &idx->toks[idx->ntoks + (size_t)i];
        memset(tk, 0, sizeof *tk);
        if ((rc = intern(idx, t->tok[i], t->len[i], &tk->str))) return rc;
        tk->key = SWS_NONE;
        if (t->klen[i] && (rc = arena_put(idx, t->key[i], t->klen[i], &tk->key))) return rc;
        tk->len = t->len[i];
        tk->klen = t->klen[i];
        tk->flags = t->flags[i];
        tk->w = 1.0f;
    }
    struct post_ctx pc = {idx, nid};
    for (int i = 0; i < t->n; i++)
        if ((rc = sws_token_keys(t, i, post_key, &pc, 1))) return rc;
    /* under keys of their own ('j', 'q'), apart from the tokens and their document counts */
    if ((rc = sws_joined_keys(t, 'j', 'q', post_key, &pc))) return rc;
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
    struct sws_entry *en = &idx->ent[e];
    if (en->primary == SWS_NONE || (quality == SW_SCREEN_Q_PRIMARY && en->primary_q != 0)) {
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
size_t sws_norm_id(const char *v, char *out, size_t outsz)
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
    size_t n = sws_norm_id(value, norm, sizeof norm);
    if (!n) return SW_OK;
    uint32_t e;
    int rc = entry_get(idx, entry_key, -1, &e);
    if (!rc) rc = grow_array((void **)&idx->ids, &idx->capids, idx->nids + 1, sizeof *idx->ids);
    if (rc) return rc;
    struct sws_idrec *r = &idx->ids[idx->nids];
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
    const struct sws_post *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->name < y->name ? -1 : x->name > y->name;
}

static int cmp_id(const void *a, const void *b)
{
    const struct sws_idrec *x = a, *y = b;
    return x->h < y->h ? -1 : x->h > y->h;
}

static int cmp_subj(const void *a, const void *b)
{
    const struct sws_subj *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* The entries that share a subject, sorted by its hash (sws_subject_members). */
static int build_subjects(struct sw_screen_index *idx)
{
    size_t n = 0;
    for (size_t e = 0; e < idx->nent; e++)
        n += idx->ent[e].subject != SWS_NONE;
    struct sws_subj *s = malloc((n ? n : 1) * sizeof *s);
    if (!s) return SW_ENOMEM;
    n = 0;
    for (size_t e = 0; e < idx->nent; e++) {
        if (idx->ent[e].subject == SWS_NONE) continue;
        const char *k = sws_str(idx, idx->ent[e].subject);
        s[n].h = sws_hash('u', k, strlen(k));
        s[n++].entry = (uint32_t)e;
    }
    qsort(s, n, sizeof *s, cmp_subj);
    free(idx->subj);
    idx->subj = s;
    idx->nsubj = n;
    return SW_OK;
}

size_t sws_lower_bound(const void *a, size_t n, size_t size, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint64_t h;
        memcpy(&h, (const char *)a + mid * size, sizeof h);
        if (h < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t sws_subject_members(const struct sw_screen_index *idx, uint32_t e, uint32_t *out, size_t max)
{
    if (idx->ent[e].subject == SWS_NONE) return 0;
    const char *k = sws_str(idx, idx->ent[e].subject);
    uint64_t h = sws_hash('u', k, strlen(k));
    size_t n = 0;
    for (size_t i = SWS_LOWER_BOUND(idx->subj, idx->nsubj, h);
         i < idx->nsubj && idx->subj[i].h == h && n < max; i++) {
        uint32_t o = idx->subj[i].entry;
        if (o != e && !strcmp(sws_str(idx, idx->ent[o].subject), k)) out[n++] = o;
    }
    return n;
}

float sws_weight(const struct sw_screen_index *idx, const char *tok, size_t len, const char *key,
                 size_t klen)
{
    const struct sws_bucket *b = sws_lookup(idx, sws_hash('t', tok, len));
    double df = b ? b->count : 0;
    if (klen) {
        const struct sws_bucket *kb = sws_lookup(idx, sws_hash('k', key, klen));
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
    struct sws_bucket *t = calloc(cap, sizeof *t);
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
    int rc = build_subjects(idx);
    if (rc) return rc;
    for (size_t i = 0; i < idx->ntoks; i++) {
        struct sws_itok *tk = &idx->toks[i];
        tk->w = sws_weight(idx, sws_str(idx, tk->str), tk->len,
                           tk->key == SWS_NONE ? NULL : sws_str(idx, tk->key), tk->klen);
    }
    idx->built = 1;
    return SW_OK;
}
