/*
 * Korean romanization keys. A romanized token ("jong", "chong", "jeong", "Kimjongun") is
 * parsed into syllables (initial consonant, vowel, final consonant) whose variant spellings
 * (McCune-Reischauer, Revised Romanization, common spellings) map to one canonical form, so
 * Jong / Chong / Jeong / Cheong share the key CHONG and Ri / Lee / Rhee / Yi share LI. The
 * tables are data (data/screening/korean_romanization.tsv).
 */
#include "screen_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#define MAX_SYL 4
#define MAX_KOREAN_TOKEN 24
#define STEP_BUDGET 4000

static int load_line(struct sws_korean *k, char *line)
{
    char *save = NULL;
    char *kind = strtok_r(line, " \t", &save);
    if (!kind || kind[0] == '#') return SW_OK;
    char *canon = strtok_r(NULL, " \t", &save);
    if (!canon) return SW_EFORMAT;
    if (!strcmp(canon, "-")) canon = "";
    struct sws_strmap *m;
    int *max;
    if (!strcmp(kind, "initial")) {
        m = &k->initial;
        max = &k->max_initial;
    } else if (!strcmp(kind, "vowel")) {
        m = &k->vowel;
        max = &k->max_vowel;
    } else if (!strcmp(kind, "final")) {
        m = &k->final;
        max = &k->max_final;
    } else if (!strcmp(kind, "syllable")) {
        m = &k->syllable;
        max = NULL;
    } else {
        return SW_EFORMAT;
    }
    char *v;
    while ((v = strtok_r(NULL, " \t", &save))) {
        size_t n = strlen(v);
        if (n == 0 || n >= 8) return SW_EFORMAT;
        for (size_t i = 0; i < n; i++)
            v[i] = (char)tolower((unsigned char)v[i]);
        int rc = sws_strmap_put(m, v, n, canon);
        if (rc) return rc;
        if (max && (int)n > *max) *max = (int)n;
    }
    return SW_OK;
}

int sws_korean_load(struct sws_korean *k, const char *path)
{
    struct sw_lines *l = NULL;
    int rc = sw_lines_open(&l, path, 4096);
    if (rc) return rc;
    const char *line;
    size_t len;
    char tmp[4096];
    while ((rc = sw_lines_next(l, &line, &len)) == SW_OK) {
        if (len >= sizeof tmp) continue;
        memcpy(tmp, line, len);
        tmp[len] = '\0';
        if ((rc = load_line(k, tmp))) goto fail;
    }
    if (rc != SW_EOF) goto fail;
    rc = SW_OK;
    k->loaded = 1;
fail:
    sw_lines_free(l);
    return rc;
}

void sws_korean_release(struct sws_korean *k)
{
    sws_strmap_release(&k->initial);
    sws_strmap_release(&k->vowel);
    sws_strmap_release(&k->final);
    sws_strmap_release(&k->syllable);
    memset(k, 0, sizeof *k);
}

struct parse {
    const struct sws_korean *k;
    const char *s;
    size_t len;
    char *key;
    size_t klen;
    int steps;
};

static int put(struct parse *p, const char *c)
{
    size_t n = strlen(c);
    if (p->klen + n >= SWS_TOKLEN) return 0;
    memcpy(p->key + p->klen, c, n);
    p->klen += n;
    return 1;
}

/* The initial-sound rule (dueum beopchik) at the start of a token: the South drops an
 * initial L before i and y and reads it N before other vowels, the North (1992) keeps R:
 * Ri/I/Lee, Ryu/Yu, Rim/Im, Ryang/Yang, Ro/No. The key takes the South's form, so that both
 * meet. Returns what an initial L before the canonical vowel becomes. */
static const char *initial_rule(const char *vowel)
{
    return vowel[0] == 'I' || vowel[0] == 'Y' ? "" : "N";
}

static int parse_at(struct parse *p, size_t pos, int nsyl)
{
    if (pos == p->len) return nsyl > 0;
    if (nsyl == MAX_SYL || ++p->steps > STEP_BUDGET) return 0;
    size_t mark = p->klen;
    /* Whole-syllable spellings first (lee, park, choi...), longest first. */
    for (size_t n = p->len - pos < 7 ? p->len - pos : 7; n >= 1; n--) {
        const char *c = sws_strmap_get(&p->k->syllable, p->s + pos, n);
        int ok = c != NULL;
        if (ok && nsyl == 0 && c[0] == 'L')
            ok = put(p, initial_rule(c + 1)) && put(p, c + 1);
        else if (ok)
            ok = put(p, c);
        if (ok && parse_at(p, pos + n, nsyl + 1)) return 1;
        p->klen = mark;
    }
    for (int il = p->k->max_initial; il >= 0; il--) {
        if (pos + (size_t)il > p->len) continue;
        const char *ic = il ? sws_strmap_get(&p->k->initial, p->s + pos, (size_t)il) : "";
        if (!ic) continue;
        for (int vl = p->k->max_vowel; vl >= 1; vl--) {
            size_t vpos = pos + (size_t)il;
            if (vpos + (size_t)vl > p->len) continue;
            const char *vc = sws_strmap_get(&p->k->vowel, p->s + vpos, (size_t)vl);
            if (!vc) continue;
            for (int fl = p->k->max_final; fl >= 0; fl--) {
                size_t fpos = vpos + (size_t)vl;
                if (fpos + (size_t)fl > p->len) continue;
                const char *fc = fl ? sws_strmap_get(&p->k->final, p->s + fpos, (size_t)fl) : "";
                if (!fc) continue;
                const char *i2 = nsyl == 0 && !strcmp(ic, "L") ? initial_rule(vc) : ic;
                if (put(p, i2) && put(p, vc) && put(p, fc) &&
                    parse_at(p, fpos + (size_t)fl, nsyl + 1))
                    return 1;
                p->klen = mark;
                if (p->steps > STEP_BUDGET) return 0;
            }
        }
    }
    return 0;
}

int sws_korean_key(const struct sws_korean *k, const char *tok, size_t len, char *key)
{
    if (!k->loaded || len == 0 || len > MAX_KOREAN_TOKEN) return 0;
    for (size_t i = 0; i < len; i++)
        if (tok[i] < 'a' || tok[i] > 'z') return 0;
    struct parse p = {k, tok, len, key, 0, 0};
    if (!parse_at(&p, 0, 0)) return 0;
    key[p.klen] = '\0';
    return (int)p.klen;
}
