/*
 * Sanctions lists: the in-memory edition model shared by the importers (entries with their
 * names, identifiers, dates, places and links), string hygiene (trim, UTF-8), the content
 * hash that tells a changed entry from an unchanged one, and date normalisation.
 */
#include "lists_int.h"

#include "sanctwatch/error.h"

#include <ctype.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lset_init(struct lset *s)
{
    memset(s, 0, sizeof *s);
}

static void lentry_free(struct lentry *e)
{
    char **str[] = {&e->ref,       &e->source_id, &e->name,  &e->programmes,
                    &e->listed_on, &e->remarks,   &e->vflag, &e->vtype,
                    &e->tonnage,   &e->grt,       &e->owner};
    for (size_t i = 0; i < sizeof str / sizeof str[0]; i++)
        free(*str[i]);
    for (size_t r = 0; r < e->nrows; r++)
        for (int i = 0; i < LR_NF; i++)
            free(e->rows[r].f[i]);
    free(e->rows);
}

void lset_free(struct lset *s)
{
    for (size_t i = 0; i < s->n; i++)
        lentry_free(&s->e[i]);
    free(s->e);
    free(s->index);
    s->e = NULL;
    s->index = NULL;
    s->n = s->cap = 0;
}

int lset_add(struct lset *s, struct lentry **out)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        struct lentry *ne = realloc(s->e, nc * sizeof *ne);
        if (!ne) return SW_ENOMEM;
        s->e = ne;
        s->cap = nc;
    }
    memset(&s->e[s->n], 0, sizeof s->e[0]);
    *out = &s->e[s->n++];
    return SW_OK;
}

int lset_fail(struct lset *s, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return code;
}

/* qsort has no context argument in C11: the references are sorted beside their indexes
 * rather than through a static pointer to the set, which two imports in two threads would
 * share. */
struct refidx {
    const char *ref;
    size_t i;
};

static int cmp_ref(const void *a, const void *b)
{
    const struct refidx *x = a, *y = b;
    int c = strcmp(x->ref, y->ref);
    if (c) return c;
    return x->i < y->i ? -1 : x->i > y->i;
}

int lset_index(struct lset *s)
{
    free(s->index);
    s->index = malloc((s->n ? s->n : 1) * sizeof *s->index);
    struct refidx *r = malloc((s->n ? s->n : 1) * sizeof *r);
    if (!s->index || !r) {
        free(s->index);
        free(r);
        s->index = NULL;
        return SW_ENOMEM;
    }
    for (size_t i = 0; i < s->n; i++)
        r[i] = (struct refidx){s->e[i].ref ? s->e[i].ref : "", i};
    qsort(r, s->n, sizeof *r, cmp_ref);
    for (size_t i = 0; i < s->n; i++)
        s->index[i] = r[i].i;
    free(r);
    return SW_OK;
}

struct lentry *lset_find(const struct lset *s, const char *ref, size_t len)
{
    if (!s->index) return NULL;
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *r = s->e[s->index[mid]].ref ? s->e[s->index[mid]].ref : "";
        int c = strncmp(r, ref, len);
        if (c == 0 && r[len] != '\0') c = 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->n) {
        const char *r = s->e[s->index[lo]].ref ? s->e[s->index[lo]].ref : "";
        if (!strncmp(r, ref, len) && r[len] == '\0') return &s->e[s->index[lo]];
    }
    return NULL;
}

int lset_unique_refs(struct lset *s)
{
    int rc = lset_index(s);
    if (rc) return rc;
    size_t k = 1;
    for (size_t i = 1; i < s->n; i++) {
        struct lentry *first = &s->e[s->index[i - k]], *e = &s->e[s->index[i]];
        if (!e->ref || !first->ref || strcmp(e->ref, first->ref)) {
            k = 1;
            continue;
        }
        /* e repeats the ref of an earlier entry (equal refs stay in file order) */
        k++;
        char suf[24];
        snprintf(suf, sizeof suf, "#%zu", k);
        rc = lstr_append(&e->ref, "", suf, strlen(suf));
        if (rc) return rc;
    }
    return lset_index(s);
}

/* Length of the valid UTF-8 prefix of s. */
static size_t utf8_valid_len(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return i;
        }
        if (i + n >= len) return i;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
            c = (c << 6) | (s[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return i;
        i += n + 1;
    }
    return i;
}

int lstr_set(char **slot, const char *s, size_t len)
{
    while (len && isspace((unsigned char)s[0]))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    free(*slot);
    *slot = NULL;
    if (len == 0) return SW_OK;
    if (len > LFIELD_MAX) return SW_ETOOBIG;
    int utf8 = utf8_valid_len((const unsigned char *)s, len) == len;
    size_t out = len;
    if (!utf8)
        for (size_t i = 0; i < len; i++)
            out += (unsigned char)s[i] >= 0x80;
    char *d = malloc(out + 1);
    if (!d) return SW_ENOMEM;
    if (utf8) {
        memcpy(d, s, len);
    } else { /* Latin-1 */
        size_t j = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c < 0x80) {
                d[j++] = (char)c;
            } else {
                d[j++] = (char)(0xC0 | (c >> 6));
                d[j++] = (char)(0x80 | (c & 0x3F));
            }
        }
    }
    for (size_t i = 0; i < out; i++)
        if (d[i] == '\0') d[i] = ' '; /* SQLite TEXT and C strings: no embedded NUL */
    d[out] = '\0';
    *slot = d;
    return SW_OK;
}

int lstr_append(char **slot, const char *sep, const char *s, size_t len)
{
    char *add = NULL;
    int rc = lstr_set(&add, s, len);
    if (rc || !add) return rc;
    if (!*slot) {
        *slot = add;
        return SW_OK;
    }
    size_t a = strlen(*slot), b = strlen(sep), c = strlen(add);
    if (a + b + c > LFIELD_MAX) {
        free(add);
        return SW_ETOOBIG;
    }
    char *d = realloc(*slot, a + b + c + 1);
    if (!d) {
        free(add);
        return SW_ENOMEM;
    }
    memcpy(d + a, sep, b);
    memcpy(d + a + b, add, c + 1);
    *slot = d;
    free(add);
    return SW_OK;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static uint64_t fnv(const char *s, uint64_t h)
{
    if (!s) return (h ^ 0xff) * 1099511628211ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h * 1099511628211ULL; /* end of the string */
}

int lentry_row(struct lentry *e, int tab, int n, const char *const *cols)
{
    struct lrow r = {.tab = tab};
    int rc = SW_OK;
    for (int i = 0; i < n && i < LR_NF; i++)
        if (cols[i] && (rc = lstr_set(&r.f[i], cols[i], strlen(cols[i])))) goto fail;
    /* the meaningful column: the name, the id value, the country, the flag */
    int key = tab == LR_ID ? 1 : tab == LR_ADDR || tab == LR_LINK || tab == LR_DOB ? -1 : 0;
    if (key >= 0 && !r.f[key]) goto fail; /* nothing to keep */
    if (tab == LR_ADDR || tab == LR_LINK || tab == LR_DOB) {
        int any = 0;
        for (int i = tab == LR_DOB ? 0 : 1; i < LR_NF; i++)
            any |= r.f[i] != NULL;
        if (!any) goto fail;
    }
    r.h0 = fnv(r.f[0], 14695981039346656037ULL);
    r.h = r.h0;
    for (int i = 1; i < LR_NF; i++)
        r.h = fnv(r.f[i], r.h);
    for (size_t k = 0; k < e->nrows; k++) {
        if (e->rows[k].tab != tab) continue;
        if (e->rows[k].h != r.h && (tab != LR_NAME || e->rows[k].h0 != r.h0)) continue;
        int eq = 1;
        for (int i = 0; i < LR_NF && eq; i++)
            eq = same(e->rows[k].f[i], r.f[i]);
        if (eq) goto fail; /* exact repeat */
        if (tab == LR_NAME && same(e->rows[k].f[0], r.f[0])) {
            /* same name with another quality: the first one stands, except that the
             * primary name is always marked primary */
            if (r.f[1] && !strcmp(r.f[1], "primary")) {
                free(e->rows[k].f[1]);
                e->rows[k].f[1] = r.f[1];
                r.f[1] = NULL;
            }
            goto fail;
        }
    }
    if (e->nrows >= LENTRY_MAX_ROWS) {
        rc = SW_ETOOBIG;
        goto fail;
    }
    if (e->nrows == e->cap) {
        size_t nc = e->cap ? e->cap * 2 : 8;
        struct lrow *nr = realloc(e->rows, nc * sizeof *nr);
        if (!nr) {
            rc = SW_ENOMEM;
            goto fail;
        }
        e->rows = nr;
        e->cap = nc;
    }
    e->rows[e->nrows++] = r;
    return SW_OK;
fail:
    for (int i = 0; i < LR_NF; i++)
        free(r.f[i]);
    return rc;
}

void lentry_primary_first(struct lentry *e)
{
    for (size_t k = 0; k < e->nrows; k++) {
        struct lrow *r = &e->rows[k];
        if (r->tab == LR_NAME && r->f[1] && !strcmp(r->f[1], "primary")) {
            struct lrow keep = *r;
            memmove(&e->rows[1], &e->rows[0], k * sizeof keep);
            e->rows[0] = keep;
            return;
        }
    }
}

int lentry_name(struct lentry *e, const char *name, const char *quality)
{
    const char *c[2] = {name, quality};
    return lentry_row(e, LR_NAME, 2, c);
}

int lentry_id(struct lentry *e, const char *kind, const char *value, const char *country,
              const char *note)
{
    const char *c[4] = {kind, value, country, note};
    return lentry_row(e, LR_ID, 4, c);
}

static void hash_str(crypto_hash_sha256_state *st, const char *s)
{
    if (s)
        crypto_hash_sha256_update(st, (const unsigned char *)s, strlen(s) + 1);
    else
        crypto_hash_sha256_update(st, (const unsigned char *)"\x1f", 1);
}

void lentry_hash(const struct lentry *e, char hex[65])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    hash_str(&st, sw_entry_type_name(e->type));
    const char *f[] = {e->source_id, e->name,  e->programmes, e->listed_on, e->remarks,
                       e->vflag,     e->vtype, e->tonnage,    e->grt,       e->owner};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        hash_str(&st, f[i]);
    for (size_t r = 0; r < e->nrows; r++) {
        char t[4] = {'\x1e', (char)('0' + e->rows[r].tab), 0, 0};
        hash_str(&st, t);
        for (int i = 0; i < LR_NF; i++)
            hash_str(&st, e->rows[r].f[i]);
    }
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

static int month_of(const char *s)
{
    static const char *m[] = {"jan", "feb", "mar", "apr", "may", "jun",
                              "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int i = 0; i < 12; i++)
        if (tolower((unsigned char)s[0]) == m[i][0] && tolower((unsigned char)s[1]) == m[i][1] &&
            tolower((unsigned char)s[2]) == m[i][2])
            return i + 1;
    return 0;
}

void ldate_norm(const char *in, char *out, size_t outsz)
{
    unsigned y = 0, mo = 0, d = 0;
    char mon[4] = "", tail = 0;
    if (!outsz) return;
    out[0] = '\0';
    if (!in) return;
    if (sscanf(in, "%4u-%2u-%2u%c", &y, &mo, &d, &tail) == 3 && mo >= 1 && mo <= 12 && d >= 1 &&
        d <= 31)
        snprintf(out, outsz, "%04u-%02u-%02u", y, mo, d);
    else if (sscanf(in, "%2u %3[A-Za-z] %4u%c", &d, mon, &y, &tail) == 3 && month_of(mon) &&
             d >= 1 && d <= 31 && y >= 1000)
        snprintf(out, outsz, "%04u-%02d-%02u", y, month_of(mon), d);
    else if (sscanf(in, "%3[A-Za-z] %4u%c", mon, &y, &tail) == 2 && month_of(mon) && y >= 1000)
        snprintf(out, outsz, "%04u-%02d", y, month_of(mon));
    else if (sscanf(in, "%4u%c", &y, &tail) == 1 && y >= 1000 && strlen(in) == 4)
        snprintf(out, outsz, "%04u", y);
    else
        snprintf(out, outsz, "%s", in);
}
