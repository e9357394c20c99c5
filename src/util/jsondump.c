/*
 * JSON values written straight into a struct sw_buf, byte for byte as jansson 2.14's
 * json_dumpb() writes them with JSON_COMPACT | JSON_REAL_PRECISION(15) (and JSON_SORT_KEYS
 * with SW_JSON_SORT_KEYS): jansson's dump goes through a callback per token, formats every
 * container's address for its loop check, and snprintf's each number. Used for the event
 * lines the detectors print and for the ledger's canonical JSON (docs/ledger.md), whose bytes
 * are a published format: tests/unit/test_ledger.c compares this writer with jansson's.
 */
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jansson's parser refuses deeper nesting; a deeper tree (built in C) is left to jansson */
#define MAX_DEPTH 2048

/* The text %.15g gives v when it has at most 15 significant digits and a plain (not
 * exponent) form, from integers alone: the fewest decimals k for which v is m / 10^k for an
 * integer m below 2^53 (m and 10^k exact in binary64, so the division is correctly rounded,
 * as strtod of that decimal is; k is the fewest, so m ends in no 0 unless k is 0). Two
 * decimals of 15 significant digits never round to the same binary64 (DBL_DIG), so that
 * decimal is the one %.15g prints, with its trailing zeros removed as %g does. 0 when v is
 * not such a value (or is 0, or needs %g's exponent form): the caller uses snprintf. */
static size_t real_short(double v, char out[32])
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    double a = v < 0 ? -v : v;
    if (!(a >= 1e-4 && a < 1e15)) return 0; /* %.15g's plain form, 0 excluded (-0.0) */
    for (int k = 0; k < 23; k++) {
        double m = nearbyint(a * p10[k]);
        if (m >= 9007199254740992.0) return 0;
        if (m / p10[k] != a) continue;
        uint64_t u = (uint64_t)m;
        char d[24];
        int n = 0;
        do {
            d[n++] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (n > 15) return 0; /* more significant digits than %.15g prints */
        while (n <= k)        /* 0.000ddd: the zeros between the point and m */
            d[n++] = '0';
        size_t len = 0;
        if (v < 0) out[len++] = '-';
        for (int i = n - 1; i >= 0; i--) {
            out[len++] = d[i];
            if (i == k && k) out[len++] = '.';
        }
        if (!k) {
            out[len++] = '.';
            out[len++] = '0';
        }
        return len;
    }
    return 0;
}

/* As jansson's jsonp_dtostr with precision 15: %.15g, the locale's decimal point made '.',
 * ".0" added to a number with neither '.' nor 'e', the exponent's '+' and leading zeros
 * removed. */
static int put_real(struct sw_buf *b, double v)
{
    char buf[32];
    size_t n = real_short(v, buf);
    if (n) return sw_buf_append(b, buf, n);
    int ret = snprintf(buf, sizeof buf, "%.15g", v);
    if (ret < 0 || (size_t)ret >= 24) return SW_EFORMAT; /* jansson's MAX_REAL_STR_LENGTH */
    size_t length = (size_t)ret;
    char point = localeconv()->decimal_point[0];
    if (point != '.') {
        char *q = strchr(buf, point);
        if (q) *q = '.';
    }
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        if (length + 3 >= 24) return SW_EFORMAT;
        buf[length++] = '.';
        buf[length++] = '0';
        buf[length] = '\0';
    }
    char *start = strchr(buf, 'e');
    if (start) {
        start++;
        char *end = start + 1;
        if (*start == '-') start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, length - (size_t)(end - buf));
            length -= (size_t)(end - start);
        }
    }
    return sw_buf_append(b, buf, length);
}

/* Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF), as
 * jansson requires of the strings it dumps. */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        unsigned lo = 0x80, hi = 0xBF;
        size_t k;
        if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else
            return 0;
        if (n - i <= k || s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (size_t j = 2; j <= k; j++)
            if (s[i + j] < 0x80 || s[i + j] > 0xBF) return 0;
        i += k + 1;
    }
    return 1;
}

static int put_string(struct sw_buf *b, const char *s, size_t len)
{
    if (!utf8_valid((const unsigned char *)s, len)) return SW_EFORMAT;
    return sw_buf_json_string_upper(b, s, len);
}

struct member {
    const char *key;
    size_t len;
    json_t *value;
};

/* jansson's order of sorted keys: their bytes, a key before the longer keys it begins. */
static int member_cmp(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int put_value(struct sw_buf *b, const json_t *v, int flags, int depth);

static int put_member(struct sw_buf *b, int first, const char *key, size_t len, const json_t *v,
                      int flags, int depth)
{
    int rc;
    if ((!first && (rc = sw_buf_putc(b, ','))) || (rc = put_string(b, key, len)) ||
        (rc = sw_buf_putc(b, ':')))
        return rc;
    return put_value(b, v, flags, depth);
}

static int put_object(struct sw_buf *b, const json_t *v, int flags, int depth)
{
    int rc = sw_buf_putc(b, '{');
    if (rc) return rc;
    json_t *o = (json_t *)v; /* jansson's iterators take a non-const object */
    if (!(flags & SW_JSON_SORT_KEYS)) {
        int first = 1;
        for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it), first = 0)
            if ((rc = put_member(b, first, json_object_iter_key(it), json_object_iter_key_len(it),
                                 json_object_iter_value(it), flags, depth)))
                return rc;
        return sw_buf_putc(b, '}');
    }
    struct member small[32], *m = small;
    size_t n = json_object_size(o), i = 0;
    if (n > sizeof small / sizeof small[0] && !(m = malloc(n * sizeof *m))) return SW_ENOMEM;
    for (void *it = json_object_iter(o); it && i < n; it = json_object_iter_next(o, it), i++) {
        m[i].key = json_object_iter_key(it);
        m[i].len = json_object_iter_key_len(it);
        m[i].value = json_object_iter_value(it);
        if (memchr(m[i].key, '\0', m[i].len)) rc = SW_EFORMAT; /* left to jansson */
    }
    if (!rc && n > 1) qsort(m, i, sizeof *m, member_cmp);
    for (size_t j = 0; j < i && !rc; j++)
        rc = put_member(b, j == 0, m[j].key, m[j].len, m[j].value, flags, depth);
    if (m != small) free(m);
    return rc ? rc : sw_buf_putc(b, '}');
}

static int put_value(struct sw_buf *b, const json_t *v, int flags, int depth)
{
    int rc;
    if (!v || depth > MAX_DEPTH) return SW_EFORMAT;
    switch (json_typeof(v)) {
    case JSON_NULL:
        return sw_buf_append(b, "null", 4);
    case JSON_TRUE:
        return sw_buf_append(b, "true", 4);
    case JSON_FALSE:
        return sw_buf_append(b, "false", 5);
    case JSON_INTEGER:
        return sw_buf_int(b, (long long)json_integer_value(v));
    case JSON_REAL:
        return put_real(b, json_real_value(v));
    case JSON_STRING:
        return put_string(b, json_string_value(v), json_string_length(v));
    case JSON_ARRAY:
        if ((rc = sw_buf_putc(b, '['))) return rc;
        for (size_t i = 0; i < json_array_size(v); i++)
            if ((i && (rc = sw_buf_putc(b, ','))) ||
                (rc = put_value(b, json_array_get(v, i), flags, depth + 1)))
                return rc;
        return sw_buf_putc(b, ']');
    case JSON_OBJECT:
        return put_object(b, v, flags, depth + 1);
    }
    return SW_EFORMAT;
}

int sw_buf_json(struct sw_buf *b, const struct json_t *v, int flags)
{
    return put_value(b, v, flags, 0);
}
