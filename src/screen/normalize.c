/*
 * Name normalisation for screening: UTF-8 in, tokens out. Unicode NFKC, case folding, ICU
 * transliteration of other scripts to Latin ("Any-Latin; Latin-ASCII": Hangul, Cyrillic,
 * Han as pinyin, Greek, kana...), Hangul syllables spaced apart so each becomes a token,
 * hanja read the Korean way as an alternative, apostrophes joined (Ch'ang -> chang), other
 * punctuation splitting, legal-form words dropped, and each token's Korean syllable key.
 * Pure ASCII input takes a fast path without ICU. ICU objects are opened once per index.
 */
#include "screen_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#define UCAP 8192 /* UChars per work buffer */

/* Work buffers live in a static-free heap block owned by the normaliser. */
struct work {
    UChar a[UCAP], b[UCAP], c[UCAP];
    char u8[UCAP * 3];
};

static int load_list(struct sws_strmap *m, const char *path, int pairs)
{
    struct sw_lines *l = NULL;
    int rc = sw_lines_open(&l, path, 4096);
    if (rc) return rc;
    const char *line;
    size_t len;
    while ((rc = sw_lines_next(l, &line, &len)) == SW_OK) {
        if (len == 0 || line[0] == '#') continue;
        if (!pairs) {
            if ((rc = sws_strmap_put(m, line, len, ""))) goto fail;
            continue;
        }
        const char *tab = memchr(line, '\t', len);
        if (!tab || tab == line || tab + 1 >= line + len) {
            rc = SW_EFORMAT;
            goto fail;
        }
        if ((rc = sws_strmap_put(m, line, (size_t)(tab - line), tab + 1))) goto fail;
    }
    rc = rc == SW_EOF ? SW_OK : rc;
fail:
    sw_lines_free(l);
    return rc;
}

int sws_norm_init(struct sws_norm *n, const char *data_dir)
{
    memset(n, 0, sizeof *n);
    UErrorCode e = U_ZERO_ERROR;
    n->nfkc = (void *)unorm2_getNFKCInstance(&e);
    if (U_FAILURE(e)) return SW_EUNSUPPORTED;
    /* Russian BGN/PCGN first (Ch, Sh, Zh, Kh as names are usually spelled in English);
     * then every other script; then accents off. */
    static const char idc[] = "Russian-Latin/BGN; Any-Latin; Latin-ASCII";
    UChar id[64];
    u_uastrncpy(id, idc, (int32_t)(sizeof id / sizeof id[0]));
    n->any_latin = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
    if (U_FAILURE(e)) return SW_EUNSUPPORTED;
    n->work = malloc(sizeof(struct work));
    if (!n->work) return SW_ENOMEM;
    if (!data_dir) return SW_OK;
    char path[4096];
    int rc;
    snprintf(path, sizeof path, "%s/stopwords.txt", data_dir);
    if ((rc = load_list(&n->stop, path, 0))) return rc;
    snprintf(path, sizeof path, "%s/hanja_korean.tsv", data_dir);
    if ((rc = load_list(&n->hanja, path, 1))) return rc;
    snprintf(path, sizeof path, "%s/korean_romanization.tsv", data_dir);
    return sws_korean_load(&n->korean, path);
}

void sws_norm_release(struct sws_norm *n)
{
    if (n->any_latin) utrans_close(n->any_latin);
    free(n->work);
    sws_strmap_release(&n->stop);
    sws_strmap_release(&n->hanja);
    sws_korean_release(&n->korean);
    memset(n, 0, sizeof *n);
}

static int is_han(UChar32 c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FA1F);
}

static int is_hangul(UChar32 c)
{
    return c >= 0xAC00 && c <= 0xD7A3;
}

/* Apostrophe-like marks deleted so that "Ch'ang", "Ch’ang" and "Chʻang" read "chang". */
static int is_apostrophe(UChar32 c)
{
    return c == '\'' || c == '`' || c == 0xB4 || (c >= 0x2B9 && c <= 0x2BF) || c == 0x2018 ||
           c == 0x2019 || c == 0x201B || c == 0x2032;
}

/* 1 when raw token a (at the end of a name) is the acronym of the n tokens before it, with
 * or without their small words: "daedong credit bank dcb", "general bureau of atomic energy
 * gbae". Such an acronym repeats the name and is dropped, so that the name without it
 * ("Taedong Credit Bank") is not penalised for a token it does not need. */
static int is_acronym_of(char raw[][SWS_TOKLEN], const uint8_t *rlen, int n, const char *a,
                         size_t alen)
{
    static const char *const small[] = {"of", "the", "and", "for", "de", "in"};
    static const uint8_t small_len[] = {2, 3, 3, 3, 2, 2};
    if (alen < 2 || n < 2 || (size_t)n < alen || (a[0] != raw[0][0] && a[0] != raw[1][0])) return 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t o = 0;
        int ok = 1;
        for (int i = 0; i < n && ok; i++) {
            int sm = 0;
            for (size_t k = 0; k < sizeof small / sizeof small[0]; k++)
                sm |= rlen[i] == small_len[k] && !memcmp(raw[i], small[k], rlen[i]);
            if (sm && pass == 0) continue;
            ok = o < alen && raw[i][0] == a[o++];
        }
        if (ok && o == alen) return 1;
    }
    return 0;
}

/* Tokens of an ASCII-lower-casable byte string. */
static void tokenize(struct sws_norm *n, const char *s, size_t len, int translit,
                     struct sws_toks *t)
{
    char raw[SWS_MAX_TOK * 2][SWS_TOKLEN];
    uint8_t rlen[SWS_MAX_TOK * 2];
    int nraw = 0, cur = -1;
    for (size_t i = 0; i < len && nraw <= SWS_MAX_TOK * 2; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\'' || ch == '`') continue;
        int word = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80;
        if (ch >= 'A' && ch <= 'Z') {
            ch = (unsigned char)(ch - 'A' + 'a');
            word = 1;
        }
        if (!word) {
            cur = -1;
            continue;
        }
        if (cur < 0) {
            if (nraw == SWS_MAX_TOK * 2) break;
            cur = nraw++;
            rlen[cur] = 0;
        }
        if (rlen[cur] < SWS_TOKLEN - 1) raw[cur][rlen[cur]++] = (char)ch;
    }
    if (nraw >= 3 && is_acronym_of(raw, rlen, nraw - 1, raw[nraw - 1], rlen[nraw - 1])) nraw--;
    int keep_stop = 1;
    for (int i = 0; i < nraw; i++)
        if (!sws_strmap_get(&n->stop, raw[i], rlen[i])) keep_stop = 0;
    t->n = 0;
    t->korean = 0;
    int nkorean = 0;
    for (int i = 0; i < nraw && t->n < SWS_MAX_TOK; i++) {
        if (!keep_stop && sws_strmap_get(&n->stop, raw[i], rlen[i])) continue;
        int dup = 0; /* "Sergey Sergey Shoigu": a repeated token counts once */
        for (int k = 0; k < t->n && !dup; k++)
            dup = t->len[k] == rlen[i] && !memcmp(t->tok[k], raw[i], rlen[i]);
        if (dup) continue;
        int k = t->n++;
        memcpy(t->tok[k], raw[i], rlen[i]);
        t->tok[k][rlen[i]] = '\0';
        t->len[k] = rlen[i];
        t->flags[k] = (uint8_t)translit; /* SWS_TF_TRANSLIT and SWS_TF_ABJAD bits */
        int kl = sws_korean_key(&n->korean, t->tok[k], t->len[k], t->key[k]);
        t->klen[k] = (uint8_t)kl;
        if (kl) {
            t->flags[k] |= SWS_TF_KOREAN;
            if (rlen[i] >= SWS_LONG_KOREAN) t->flags[k] |= SWS_TF_LONGKO;
            nkorean++;
        } else {
            t->key[k][0] = '\0';
        }
    }
    t->korean = t->n > 0 && nkorean == t->n;
}

/* UTF-16 text through Any-Latin and into lower-case tokens. */
static int finish(struct sws_norm *n, UChar *buf, int32_t len, int translit, struct sws_toks *t)
{
    struct work *w = n->work;
    UErrorCode e = U_ZERO_ERROR;
    int ascii = 1;
    for (int32_t i = 0; i < len; i++)
        if (buf[i] >= 0x80) ascii = 0;
    if (!ascii) {
        int32_t limit = len;
        utrans_transUChars(n->any_latin, buf, &len, UCAP, 0, &limit, &e);
        if (U_FAILURE(e) || len >= UCAP) return SW_ETOOBIG;
    }
    /* Drop apostrophe-like marks, then UTF-8. */
    int32_t o = 0;
    for (int32_t i = 0; i < len;) {
        UChar32 c;
        int32_t start = i;
        U16_NEXT(buf, i, len, c);
        if (is_apostrophe(c)) continue;
        for (int32_t j = start; j < i; j++)
            buf[o++] = buf[j];
    }
    int32_t u8len = 0;
    e = U_ZERO_ERROR;
    u_strToUTF8WithSub(w->u8, (int32_t)sizeof w->u8, &u8len, buf, o, 0xFFFD, NULL, &e);
    if (U_FAILURE(e)) return SW_ETOOBIG;
    tokenize(n, w->u8, (size_t)u8len, translit, t);
    return SW_OK;
}

/* Cyrillic hushing consonants (zh, ch, sh, shch), after which yo is written o. */
static int is_hush(UChar c)
{
    return c == 0x0436 || c == 0x0447 || c == 0x0448 || c == 0x0449;
}

/* Copy src (case-folded) to dst with a space between two adjacent Hangul syllables, and the
 * Cyrillic yo (U+0451) spelt out as "yo" (o after a hushing consonant): BGN/PCGN writes it
 * e-diaeresis, which loses the y once the accents are off, so the Korean names Russian
 * writes with it (Ри Су Ён, Рён) would read "yen", "ren" instead of Yong, Ryong, and
 * Пётр/Семён "petr", "semen" instead of the English Pyotr, Semyon. */
static int32_t space_hangul(const UChar *src, int32_t len, UChar *dst)
{
    int32_t o = 0;
    for (int32_t i = 0; i < len && o < UCAP - 3; i++) {
        if (i > 0 && is_hangul(src[i]) && is_hangul(src[i - 1])) dst[o++] = ' ';
        if (src[i] == 0x0451) {
            if (i == 0 || !is_hush(src[i - 1])) dst[o++] = 0x0439; /* short i: BGN "y" */
            dst[o++] = 0x043E;                                     /* o */
            continue;
        }
        dst[o++] = src[i];
    }
    return o;
}

int sws_norm_name(struct sws_norm *n, const char *name, size_t len, struct sws_toks *t,
                  struct sws_toks *alt, int *has_alt)
{
    if (has_alt) *has_alt = 0;
    if (len > SWS_MAX_INPUT) len = SWS_MAX_INPUT;
    int ascii = 1;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] >= 0x80) ascii = 0;
    if (ascii) {
        tokenize(n, name, len, 0, t);
        return SW_OK;
    }
    struct work *w = n->work;
    UErrorCode e = U_ZERO_ERROR;
    int32_t l16 = 0;
    u_strFromUTF8WithSub(w->a, UCAP, &l16, name, (int32_t)len, 0xFFFD, NULL, &e);
    if (U_FAILURE(e)) return SW_ETOOBIG;
    int32_t lb = unorm2_normalize(n->nfkc, w->a, l16, w->b, UCAP, &e);
    if (U_FAILURE(e) || lb >= UCAP) return SW_ETOOBIG;
    int32_t la = u_strFoldCase(w->a, UCAP, w->b, lb, U_FOLD_CASE_DEFAULT, &e);
    if (U_FAILURE(e) || la >= UCAP) return SW_ETOOBIG;
    /* Another script than Latin? Han characters, all with a Korean reading? */
    int translit = 0, han = 0, han_known = 1;
    for (int32_t i = 0; i < la;) {
        UChar32 c;
        U16_NEXT(w->a, i, la, c);
        UErrorCode se = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript(c, &se);
        if (sc != USCRIPT_LATIN && sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED)
            translit |= SWS_TF_TRANSLIT;
        if (sc == USCRIPT_ARABIC || sc == USCRIPT_HEBREW || sc == USCRIPT_SYRIAC ||
            sc == USCRIPT_THAANA)
            translit |= SWS_TF_ABJAD;
        if (is_han(c)) {
            han = 1;
            char u8[8];
            int32_t ul = 0;
            UErrorCode ue = U_ZERO_ERROR;
            UChar one[2];
            int32_t ol = 0;
            U16_APPEND_UNSAFE(one, ol, c);
            u_strToUTF8(u8, (int32_t)sizeof u8, &ul, one, ol, &ue);
            if (U_FAILURE(ue) || !sws_strmap_get(&n->hanja, u8, (size_t)ul)) han_known = 0;
        }
    }
    if (alt && has_alt && han && han_known) {
        /* Korean reading of the hanja, into c (then spaced into b, finished in b). */
        int32_t o = 0;
        for (int32_t i = 0; i < la;) {
            UChar32 c;
            int32_t start = i;
            U16_NEXT(w->a, i, la, c);
            if (!is_han(c)) {
                for (int32_t j = start; j < i && o < UCAP - 1; j++)
                    w->c[o++] = w->a[j];
                continue;
            }
            char u8[8];
            int32_t ul = 0;
            UErrorCode ue = U_ZERO_ERROR;
            u_strToUTF8(u8, (int32_t)sizeof u8, &ul, w->a + start, i - start, &ue);
            const char *rd = sws_strmap_get(&n->hanja, u8, (size_t)ul);
            if (!rd) continue;
            if (o < UCAP - 1) w->c[o++] = ' ';
            for (const char *p = rd; *p && o < UCAP - 1; p++)
                w->c[o++] = (UChar)(unsigned char)*p;
            if (o < UCAP - 1) w->c[o++] = ' ';
        }
        int32_t lc = space_hangul(w->c, o, w->b);
        int rc = finish(n, w->b, lc, SWS_TF_TRANSLIT, alt);
        if (rc) return rc;
        *has_alt = alt->n > 0;
    }
    int32_t ls = space_hangul(w->a, la, w->b);
    return finish(n, w->b, ls, translit, t);
}
