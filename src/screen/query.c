/*
 * Screening queries: identifiers looked up exactly, then each normalised form of the query
 * gathers candidates from the postings (3 per token or key hit, 1 per trigram), the best
 * TOPK are scored (score.c), and the best name of each entry is kept and explained.
 * Also sw_screen_compare (two names) and sw_screen_normalize.
 */
#include "screen_int.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TOPK
#define TOPK 16 /* candidates scored per query */
#endif
#ifndef MIN_ACC
#define MIN_ACC 3.0f /* candidate evidence needed: a token or key (3), trigrams (1 each) */
#endif

struct gather {
    struct sw_screen_index *idx;
    size_t ntouched;
    uint32_t cap; /* trigram buckets larger than this are skipped */
};

static int gather_key(void *ctx, uint64_t h, int kind)
{
    struct gather *g = ctx;
    const struct sws_bucket *b = sws_lookup(g->idx, h);
    if (!b || (kind == SWS_KEY_TRIGRAM && b->count > g->cap)) return 0;
    float add = kind == SWS_KEY_TRIGRAM ? 1.0f : 3.0f;
    const struct sws_post *p = g->idx->posts + b->start;
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
        sws_token_keys(t, i, gather_key, &g, 0);
    /* joined on this side against a token of a name; a token against a joined run */
    sws_joined_keys(t, 't', 'k', gather_key, &g);
    for (int i = 0; i < t->n; i++) {
        gather_key(&g, sws_hash('j', t->tok[i], t->len[i]), SWS_KEY_TOKEN);
        if (t->klen[i]) gather_key(&g, sws_hash('q', t->key[i], t->klen[i]), SWS_KEY_KOREAN);
    }
    struct cand heap[TOPK];
    int nh = 0;
    for (size_t i = 0; i < g.ntouched; i++) {
        uint32_t n = idx->touched[i];
        if (idx->acc[n] >= MIN_ACC && (type < 0 || idx->ent[idx->names[n].entry].type == type))
            heap_push(heap, &nh, (struct cand){idx->acc[n], n});
        idx->acc[n] = 0.0f;
    }
    struct sws_side q, c;
    sws_side_from_toks(idx, t, &q);
    idx->gen++;
    if (idx->gen == 0) { /* wrapped: forget everything */
        memset(idx->memo, 0, sizeof idx->memo);
        idx->gen = 1;
    }
    for (int i = 0; i < nh; i++) {
        const struct sws_name *nm = &idx->names[heap[i].name];
        sws_side_from_name(idx, nm, &c);
        double s = sws_align(idx, &q, &c, NULL, NULL) * sws_quality_factor(nm->quality);
        if (s >= threshold) add_best(bs, nb, nm->entry, heap[i].name, s, alt);
    }
}

static int cmp_best(const void *a, const void *b)
{
    const struct best *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static void fill_vessel(const struct sw_screen_index *idx, uint32_t e, int *has,
                        struct sw_screen_vessel *v)
{
    const struct sws_entry *en = &idx->ent[e];
    *has = en->vessel != 0;
    memset(v, 0, sizeof *v);
    if (!*has) return;
    const uint32_t *f = idx->vessels[en->vessel - 1].f;
    v->imo = sws_str(idx, f[0]);
    v->mmsi = sws_str(idx, f[1]);
    v->call_sign = sws_str(idx, f[2]);
    v->flag = sws_str(idx, f[3]);
    v->type = sws_str(idx, f[4]);
    v->tonnage = sws_str(idx, f[5]);
    v->grt = sws_str(idx, f[6]);
}

/* The entry's description, vessel details and the other entries of its subject. */
static void fill_entry(const struct sw_screen_index *idx, uint32_t e, struct sw_screen_match *m)
{
    const struct sws_entry *en = &idx->ent[e];
    m->entry_key = sws_str(idx, en->key);
    m->list = en->list == SWS_NONE ? "" : sws_str(idx, en->list);
    m->ref = sws_str(idx, en->ref);
    m->primary = en->primary == SWS_NONE ? "" : sws_str(idx, en->primary);
    m->type = en->type;
    fill_vessel(idx, e, &m->has_vessel, &m->vessel);
    uint32_t others[SW_SCREEN_MAX_ALSO];
    m->n_also = sws_subject_members(idx, e, others, SW_SCREEN_MAX_ALSO);
    for (size_t i = 0; i < m->n_also; i++) {
        const struct sws_entry *o = &idx->ent[others[i]];
        m->also[i].entry_key = sws_str(idx, o->key);
        m->also[i].list = o->list == SWS_NONE ? "" : sws_str(idx, o->list);
        m->also[i].ref = sws_str(idx, o->ref);
        fill_vessel(idx, others[i], &m->also[i].has_vessel, &m->also[i].vessel);
    }
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

/* A query's results so far, with the entry of each match: an entry, or another entry of its
 * subject, is reported once. */
struct found {
    struct sw_screen_result *res;
    uint32_t ent[SW_SCREEN_MAX_RESULTS];
    size_t max;
};

static int already(const struct sw_screen_index *idx, const struct found *f, uint32_t e)
{
    uint32_t s = idx->ent[e].subject;
    for (size_t k = 0; k < f->res->n; k++) {
        uint32_t o = f->ent[k];
        if (o == e) return 1;
        if (s != SWS_NONE && idx->ent[o].subject != SWS_NONE &&
            !strcmp(sws_str(idx, s), sws_str(idx, idx->ent[o].subject)))
            return 1;
    }
    return 0;
}

static struct sw_screen_match *add_match(const struct sw_screen_index *idx, struct found *f,
                                         uint32_t e)
{
    if (f->res->n >= f->max || already(idx, f, e)) return NULL;
    f->ent[f->res->n] = e;
    struct sw_screen_match *m = &f->res->m[f->res->n++];
    memset(m, 0, sizeof *m);
    fill_entry(idx, e, m);
    return m;
}

/* Entries carrying the identifier idn (normalised) exactly. */
static void match_id(const struct sw_screen_index *idx, const char *idn, size_t n, int type,
                     struct found *f)
{
    uint64_t h = sws_hash('i', idn, n);
    for (size_t i = SWS_LOWER_BOUND(idx->ids, idx->nids, h); i < idx->nids && idx->ids[i].h == h;
         i++) {
        const struct sws_idrec *r = &idx->ids[i];
        if (strcmp(sws_str(idx, r->value), idn)) continue;
        if (type >= 0 && idx->ent[r->entry].type != type) continue;
        struct sw_screen_match *m = add_match(idx, f, r->entry);
        if (!m) continue;
        m->name = m->primary;
        m->score = 1.0;
        m->by_identifier = 1;
        m->id_kind = sws_str(idx, r->kind);
        m->id_value = sws_str(idx, r->value);
        m->n_tokens = 1;
        snprintf(m->tokens[0].query, SW_SCREEN_TOKLEN, "%.60s", idn);
        snprintf(m->tokens[0].cand, SW_SCREEN_TOKLEN, "%.16s %.44s", m->id_kind, m->id_value);
        m->tokens[0].how = SW_SCREEN_HOW_IDENTIFIER;
        m->tokens[0].sim = 1.0;
    }
}

/* Identifiers: the whole query, and each part between spaces, commas and semicolons. */
static void query_ids(const struct sw_screen_index *idx, const char *query, int type,
                      struct found *f)
{
    char part[128], idn[128];
    size_t len = strlen(query), pl = len < sizeof part - 1 ? len : sizeof part - 1;
    memcpy(part, query, pl);
    part[pl] = '\0';
    size_t n = sws_norm_id(part, idn, sizeof idn);
    if (n) match_id(idx, idn, n, type, f);
    if (!strpbrk(query, " ,;")) return;
    for (const char *p = query; *p && f->res->n < f->max;) {
        while (*p == ' ' || *p == ',' || *p == ';')
            p++;
        if (!*p) break;
        const char *st = p;
        while (*p && *p != ' ' && *p != ',' && *p != ';')
            p++;
        pl = (size_t)(p - st) < sizeof part - 1 ? (size_t)(p - st) : sizeof part - 1;
        memcpy(part, st, pl);
        part[pl] = '\0';
        if ((n = sws_norm_id(part, idn, sizeof idn))) match_id(idx, idn, n, type, f);
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
    struct found f = {res, {0}, opts && opts->max_results ? opts->max_results : 10};
    if (f.max > SW_SCREEN_MAX_RESULTS) f.max = SW_SCREEN_MAX_RESULTS;
    int rc = sw_screen_index_build(idx);
    if (rc) return rc;
    query_ids(idx, query, type, &f);
    int has_alt = 0;
    rc = sws_norm_name(&idx->norm, query, strlen(query), &idx->q, &idx->qalt, &has_alt);
    if (rc) return rc;
    toks_text(&idx->q, res->norm, sizeof res->norm);
    struct best bs[TOPK * 2];
    int nb = 0;
    if (idx->q.n) run_form(idx, &idx->q, 0, type, threshold, bs, &nb);
    if (has_alt) run_form(idx, &idx->qalt, 1, type, threshold, bs, &nb);
    if (nb > 1) qsort(bs, (size_t)nb, sizeof bs[0], cmp_best);
    for (int i = 0; i < nb; i++) {
        struct sw_screen_match *m = add_match(idx, &f, bs[i].entry);
        if (!m) continue;
        const struct sws_name *nm = &idx->names[bs[i].name];
        m->name = sws_str(idx, nm->text);
        m->quality = nm->quality;
        struct sws_side q, c;
        sws_side_from_toks(idx, bs[i].alt ? &idx->qalt : &idx->q, &q);
        sws_side_from_name(idx, nm, &c);
        sws_explain(&q, &c, m);
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
            struct sws_side q, c;
            sws_side_from_toks(idx, as[i], &q);
            sws_side_from_toks(idx, bs[j], &c);
            double s = sws_align(NULL, &q, &c, NULL, NULL);
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
            struct sws_side q, c;
            sws_side_from_toks(idx, as[bi], &q);
            sws_side_from_toks(idx, bs[bj], &c);
            sws_explain(&q, &c, ex);
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
