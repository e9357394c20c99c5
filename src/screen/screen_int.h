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

#endif
