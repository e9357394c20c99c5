/*
 * Scoring two names token by token (docs/screening.md, step 4): each pair of query and
 * candidate spans gets a similarity (exact, transliteration, Korean romanization variant,
 * joined, consonant skeleton, initial, Jaro-Winkler), pairs are taken greedily best first,
 * and the score weighs the matched tokens by their IDF on both sides. Also the explanation
 * of a match.
 */
#include "screen_int.h"

#include "sanctwatch/error.h"

#include <string.h>

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

/* Consonant skeleton of a token: vowels and the letters that carry them (w, y) dropped
 * after the first letter (an initial vowel reads "a"), doubled letters once, v/p/q read as
 * f/b/k. Arabic and Hebrew write few vowels: "mhmd" (محمد) and "mohamed"
 * share the skeleton "mhmd". Returns its length. */
size_t sws_skeleton(const char *s, size_t len, char *out)
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
void sws_side_from_toks(const struct sw_screen_index *idx, const struct sws_toks *t,
                        struct sws_side *s)
{
    s->n = t->n;
    s->korean = t->korean;
    for (int i = 0; i < t->n; i++) {
        s->tok[i] = t->tok[i];
        s->len[i] = t->len[i];
        s->key[i] = t->key[i];
        s->klen[i] = t->klen[i];
        s->flags[i] = t->flags[i];
        s->w[i] = sws_weight(idx, t->tok[i], t->len[i], t->key[i], t->klen[i]);
        s->off[i] = SWS_NONE;
    }
}

void sws_side_from_name(const struct sw_screen_index *idx, const struct sws_name *nm,
                        struct sws_side *s)
{
    s->n = nm->ntok;
    s->korean = nm->korean;
    for (int i = 0; i < nm->ntok; i++) {
        const struct sws_itok *tk = &idx->toks[nm->tok0 + (uint32_t)i];
        s->tok[i] = sws_str(idx, tk->str);
        s->len[i] = tk->len;
        s->key[i] = tk->key == SWS_NONE ? "" : sws_str(idx, tk->key);
        s->klen[i] = tk->klen;
        s->flags[i] = tk->flags;
        s->w[i] = tk->w;
        s->off[i] = tk->str;
    }
}

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

static int span_sim(const struct sws_side *q, int qi, int qn, const struct sws_side *c, int ci,
                    int cn, int korean, struct sws_pair *p)
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
        size_t qsl = sws_skeleton(qa, ql, qs), csl = sws_skeleton(ca, cl, cs);
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
    const struct sws_pair *x = a, *y = b;
    if (x->sim != y->sim) return x->sim > y->sim ? -1 : 1;
    int xs = x->qn + x->cn, ys = y->qn + y->cn;
    return xs - ys;
}

#define MAX_PAIRS (SWS_MAX_TOK * SWS_MAX_TOK * 5)

/* Align q and c; returns the score; chosen pairs into sel (may be NULL). */
/* span_sim of single tokens, remembered per query form when mi is given. */
static int token_sim(struct sw_screen_index *mi, const struct sws_side *q, int i,
                     const struct sws_side *c, int j, int korean, struct sws_pair *p)
{
    if (!mi || c->off[j] == SWS_NONE) return span_sim(q, i, 1, c, j, 1, korean, p);
    int kf = korean | (c->flags[j] & SWS_TF_ABJAD); /* what the similarity depends on */
    uint32_t h = (c->off[j] * 2654435761u) ^ ((uint32_t)i << 3 | (uint32_t)kf);
    struct memo *m = &mi->memo[h & (SWS_MEMO_CAP - 1)];
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

double sws_align(struct sw_screen_index *mi, const struct sws_side *q, const struct sws_side *c,
                 struct sws_pair *sel, int *nsel)
{
    struct sws_pair pairs[MAX_PAIRS];
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
            /* long Korean tokens compare keys in any name (Daedong / Taedong Credit Bank) */
            int kt = korean | ((q->flags[i] & c->flags[j] & SWS_TF_LONGKO) != 0);
            if (token_sim(mi, q, i, c, j, kt, &pairs[np])) np++;
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
        struct sws_pair x = pairs[k];
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
        const struct sws_pair *p = &pairs[k];
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

static void span_text(const struct sws_side *s, int i, int n, char *out)
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

void sws_explain(const struct sws_side *q, const struct sws_side *c, struct sw_screen_match *m)
{
    struct sws_pair sel[SWS_MAX_TOK * 2];
    int ns = 0;
    m->score = sws_align(NULL, q, c, sel, &ns);
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

double sws_quality_factor(int q)
{
    return q == SW_SCREEN_Q_AKA_WEAK ? 0.97 : 1.0;
}
