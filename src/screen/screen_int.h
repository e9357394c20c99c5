/*
 * Internals of the screening module (src/screen/), shared by its files only: the loaded
 * tables, the normaliser (ICU) and the tokenised form of a name.
 */
#ifndef SANCTWATCH_SCREEN_INT_H
#define SANCTWATCH_SCREEN_INT_H

#include "sanctwatch/screen.h"

#include <stddef.h>
#include <stdint.h>

#define SWS_MAX_TOK 16     /* tokens kept per name (the rest are ignored) */
#define SWS_TOKLEN 48      /* bytes per token, NUL included (longer ones are cut) */
#define SWS_MAX_INPUT 1024 /* bytes of a name considered */

/* Token flags. */
#define SWS_TF_TRANSLIT 1u /* came from a non-Latin script */
#define SWS_TF_KOREAN 2u   /* parses as Korean syllables: key is set */
#define SWS_TF_ABJAD 4u    /* from Arabic, Hebrew, Syriac or Thaana: vowels mostly unwritten */
#define SWS_TF_LONGKO                                                                              \
    8u /* KOREAN and at least SWS_LONG_KOREAN letters: keys compared in any name */
#define SWS_LONG_KOREAN 6

/* A name as tokens. Fixed size: filled without allocation. */
struct sws_toks {
    int n;
    int korean; /* every token parses as Korean syllables */
    uint8_t len[SWS_MAX_TOK], klen[SWS_MAX_TOK], flags[SWS_MAX_TOK];
    char tok[SWS_MAX_TOK][SWS_TOKLEN];
    char key[SWS_MAX_TOK][SWS_TOKLEN]; /* Korean canonical syllable key, when KOREAN */
};

/* Small string -> string hash set/map used for the tables (open addressing). */
struct sws_strmap {
    char **keys;
    char **vals;
    size_t cap, n;
};
int sws_strmap_put(struct sws_strmap *m, const char *k, size_t klen, const char *v);
const char *sws_strmap_get(const struct sws_strmap *m, const char *k, size_t klen);
void sws_strmap_release(struct sws_strmap *m);

/* Korean romanization tables (korean.c). */
struct sws_korean {
    struct sws_strmap initial, vowel, final, syllable; /* variant -> canonical */
    int max_initial, max_vowel, max_final;             /* longest variant of each */
    int loaded;
};
int sws_korean_load(struct sws_korean *k, const char *path);
void sws_korean_release(struct sws_korean *k);
/* Canonical key of a romanized token (lower-case ASCII) into key (SWS_TOKLEN); returns its
 * length, or 0 when the token does not read as 1 to 4 Korean syllables. */
int sws_korean_key(const struct sws_korean *k, const char *tok, size_t len, char *key);

/* Normaliser: ICU objects and the tables (normalize.c). */
struct sws_norm {
    void *nfkc;              /* const UNormalizer2 * */
    void *any_latin;         /* UTransliterator *: "Russian-Latin/BGN; Any-Latin; Latin-ASCII" */
    struct sws_strmap stop;  /* legal-form stopwords */
    struct sws_strmap hanja; /* one Han character (UTF-8) -> Korean reading */
    struct sws_korean korean;
    void *work; /* UTF-16 work buffers (normalize.c) */
};
int sws_norm_init(struct sws_norm *n, const char *data_dir);
void sws_norm_release(struct sws_norm *n);
/*
 * Normalise name into t (and, when the name has Han characters with known Korean readings,
 * the Korean reading into alt with *has_alt = 1; alt may be NULL). SW_ETOOBIG when the
 * name expands beyond the internal buffers.
 */
int sws_norm_name(struct sws_norm *n, const char *name, size_t len, struct sws_toks *t,
                  struct sws_toks *alt, int *has_alt);

/* 64-bit FNV-1a of bytes with a one-byte namespace tag. */
uint64_t sws_hash(char tag, const char *s, size_t len);

/* ---- the index (index.c builds it, score.c compares names, query.c screens) ---- */

#include "sanctwatch/buf.h"

#define SWS_NONE UINT32_MAX
#define SWS_ARENA_MAX ((size_t)1 << 31)
#define SWS_MEMO_CAP 8192 /* remembered (query token, candidate token) similarities */

struct sws_entry {
    uint32_t key, list, ref, primary; /* arena offsets */
    uint32_t subject;                 /* arena offset of the subject key, SWS_NONE alone */
    uint32_t vessel;                  /* index into sw_screen_index.vessels + 1, 0: none */
    int8_t type;
    uint8_t primary_q;
};

/* Vessel details: arena offsets (SWS_NONE when unknown) of imo, mmsi, call_sign, flag, type,
 * tonnage, grt. */
#define SWS_VESSEL_FIELDS 7
struct sws_vessel {
    uint32_t f[SWS_VESSEL_FIELDS];
};

/* Entries by subject (after build): sorted by subject hash. */
struct sws_subj {
    uint64_t h;
    uint32_t entry;
};

struct sws_name {
    uint32_t entry, text, tok0;
    uint8_t ntok, quality, korean;
};

struct sws_itok {
    uint32_t str, key; /* arena offsets (key: SWS_NONE when not Korean) */
    uint8_t len, klen, flags;
    float w;
};

struct sws_post {
    uint64_t h;
    uint32_t name;
};

struct sws_idrec {
    uint64_t h;
    uint32_t entry, kind, value;
};

struct sws_bucket {
    uint64_t h;
    uint32_t start, count;
};

struct sw_screen_index {
    struct sws_norm norm;
    struct sw_buf arena;
    struct sws_entry *ent;
    size_t nent, capent;
    uint32_t *emap; /* entry index + 1, by key hash */
    size_t emap_cap;
    struct sws_name *names;
    size_t nnames, capnames;
    struct sws_itok *toks;
    size_t ntoks, captoks;
    struct sws_post *posts;
    size_t nposts, capposts;
    struct sws_idrec *ids;
    size_t nids, capids;
    struct sws_vessel *vessels;
    size_t nvessels, capvessels;
    struct sws_subj *subj; /* after build */
    size_t nsubj;
    int built;
    /* After build. */
    struct sws_bucket *table;
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
    } memo[SWS_MEMO_CAP];
};

/* The string at arena offset off (NULL for SWS_NONE). */
static inline const char *sws_str(const struct sw_screen_index *idx, uint32_t off)
{
    return off == SWS_NONE ? NULL : idx->arena.data + off;
}

/* Posting keys (index.c): fn is called for every key of token i of t (the token, its
 * consonant skeleton, its Korean key, its trigrams), or of each run of 2-3 adjacent tokens
 * read as one (under hash tags tk and kk). */
typedef int (*sws_key_fn)(void *ctx, uint64_t h, int kind);
enum { SWS_KEY_TOKEN, SWS_KEY_KOREAN, SWS_KEY_TRIGRAM };
int sws_token_keys(const struct sws_toks *t, int i, sws_key_fn fn, void *ctx, int index_side);
int sws_joined_keys(const struct sws_toks *t, char tk, char kk, sws_key_fn fn, void *ctx);
/* The bucket of postings under h, NULL when none (after sw_screen_index_build). Inline: the
 * candidate gathering calls it for every key of a query. */
static inline const struct sws_bucket *sws_lookup(const struct sw_screen_index *idx, uint64_t h)
{
    if (!idx->table_cap) return NULL;
    size_t i = (size_t)(h ^ (h >> 29)) & (idx->table_cap - 1);
    while (idx->table[i].count) {
        if (idx->table[i].h == h) return &idx->table[i];
        i = (i + 1) & (idx->table_cap - 1);
    }
    return NULL;
}
/* IDF weight of a token (the larger document count of the token and its Korean key). */
float sws_weight(const struct sw_screen_index *idx, const char *tok, size_t len, const char *key,
                 size_t klen);
/* The first position of an array a of n structs (size bytes each) sorted by their first
 * member, a uint64_t hash h (sws_idrec, sws_subj), whose h is not below key. */
size_t sws_lower_bound(const void *a, size_t n, size_t size, uint64_t key);
#define SWS_LOWER_BOUND(a, n, key) sws_lower_bound((a), (n), sizeof *(a), (key))
/* The other entries of e's subject into out (at most max); their count. */
size_t sws_subject_members(const struct sw_screen_index *idx, uint32_t e, uint32_t *out,
                           size_t max);
/* Identifier for comparison (upper-case letters and digits, a leading IMO/MMSI before digits
 * dropped) into out; its length, 0 when it is not an identifier worth matching. */
size_t sws_norm_id(const char *v, char *out, size_t outsz);

/* ---- scoring (score.c) ---- */

/* One side of a comparison: tokens with weights, as plain arrays. */
struct sws_side {
    int n, korean;
    const char *tok[SWS_MAX_TOK], *key[SWS_MAX_TOK];
    uint8_t len[SWS_MAX_TOK], klen[SWS_MAX_TOK], flags[SWS_MAX_TOK];
    float w[SWS_MAX_TOK];
    uint32_t off[SWS_MAX_TOK]; /* interned string of an index token, else SWS_NONE */
};

/* A matched span: qn query tokens from qi against cn candidate tokens from ci. */
struct sws_pair {
    uint8_t qi, qn, ci, cn; /* token spans */
    uint8_t how;
    float sim;
};

/* Consonant skeleton of a token (Arabic/Hebrew against Latin) into out; its length. */
size_t sws_skeleton(const char *s, size_t len, char *out);
void sws_side_from_toks(const struct sw_screen_index *idx, const struct sws_toks *t,
                        struct sws_side *s);
void sws_side_from_name(const struct sw_screen_index *idx, const struct sws_name *nm,
                        struct sws_side *s);
/* Align q and c greedily, best pairs first; returns the score. mi (may be NULL) remembers
 * token similarities for the current query form; the chosen pairs go to sel (may be NULL,
 * else room for SWS_MAX_TOK * 2) and their count to *nsel. */
double sws_align(struct sw_screen_index *mi, const struct sws_side *q, const struct sws_side *c,
                 struct sws_pair *sel, int *nsel);
/* Fill m's score and token explanations (query order, then unmatched tokens). */
void sws_explain(const struct sws_side *q, const struct sws_side *c, struct sw_screen_match *m);
/* Weak aliases score a little lower. */
double sws_quality_factor(int q);

#endif
