/* Growable buffer with a hard maximum; used by every encoder and reader in the engine. */
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sw_buf_init(struct sw_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : SW_BUF_DEFAULT_MAX;
}

void sw_buf_release(struct sw_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void sw_buf_reset(struct sw_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

int sw_buf_grow(struct sw_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra) return SW_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return SW_OK;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
    char *n = realloc(b->data, ncap);
    if (!n) return SW_ENOMEM;
    b->data = n;
    b->cap = ncap;
    return SW_OK;
}

int sw_buf_append(struct sw_buf *b, const void *data, size_t len)
{
    int rc = sw_buf_grow(b, len);
    if (rc) return rc;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return SW_OK;
}

int sw_buf_puts(struct sw_buf *b, const char *s)
{
    return sw_buf_append(b, s, strlen(s));
}

int sw_buf_putc(struct sw_buf *b, char c)
{
    return sw_buf_append(b, &c, 1);
}

int sw_buf_int(struct sw_buf *b, long long v)
{
    char buf[SW_INT_DIGITS_MAX], *end = buf + sizeof buf, *p = sw_int_digits(end, v);
    return sw_buf_append(b, p, (size_t)(end - p));
}

int sw_buf_fixed(struct sw_buf *b, double v, int decimals)
{
    static const double p10[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (decimals < 0 || decimals > 9 || !isfinite(v)) return SW_EINVAL;
    double m = round(v * p10[decimals]);
    if (!(fabs(m) < 9e18)) { /* beyond int64: printf's digits, trimmed as below */
        char t[400];
        int n = snprintf(t, sizeof t, "%.*f", decimals, v);
        if (n < 0 || (size_t)n >= sizeof t) return SW_EFORMAT;
        while (decimals && t[n - 1] == '0')
            n--;
        if (t[n - 1] == '.') n--;
        return sw_buf_append(b, t, (size_t)n);
    }
    long long q = (long long)m, u = q < 0 ? -q : q, ip = u / (long long)p10[decimals];
    long long frac = u % (long long)p10[decimals];
    int rc = q < 0 ? sw_buf_putc(b, '-') : SW_OK;
    if (!rc) rc = sw_buf_int(b, ip);
    if (rc || !frac) return rc;
    char d[10];
    int n = decimals;
    while (frac % 10 == 0) /* trailing zeros removed */
        frac /= 10, n--;
    for (int i = n - 1; i >= 0; i--, frac /= 10)
        d[i] = (char)('0' + frac % 10);
    rc = sw_buf_putc(b, '.');
    return rc ? rc : sw_buf_append(b, d, (size_t)n);
}

int sw_buf_vprintf(struct sw_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, cp);
    va_end(cp);
    if (n < 0) return SW_EINVAL;
    if ((size_t)n < sizeof small) return sw_buf_append(b, small, (size_t)n);
    int rc = sw_buf_grow(b, (size_t)n);
    if (rc) return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return SW_OK;
}

int sw_buf_printf(struct sw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = sw_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

/* s as a JSON string literal; other control characters as \u00XX with these hex digits. */
static int json_string(struct sw_buf *b, const char *s, size_t len, const char *hex)
{
    int rc = sw_buf_grow(b, len + 2);
    if (rc) return rc;
    b->data[b->len++] = '"';
    size_t run = 0; /* start of the pending run of characters that need no escape */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (i > run && (rc = sw_buf_append(b, s + run, i - run))) return rc;
        run = i + 1;
        char esc = 0;
        switch (c) {
        case '"':
            esc = '"';
            break;
        case '\\':
            esc = '\\';
            break;
        case '\n':
            esc = 'n';
            break;
        case '\r':
            esc = 'r';
            break;
        case '\t':
            esc = 't';
            break;
        case '\b':
            esc = 'b';
            break;
        case '\f':
            esc = 'f';
            break;
        default:
            break;
        }
        if (esc) {
            char e[2] = {'\\', esc};
            rc = sw_buf_append(b, e, 2);
        } else {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            rc = sw_buf_append(b, e, 6);
        }
        if (rc) return rc;
    }
    if (len > run && (rc = sw_buf_append(b, s + run, len - run))) return rc;
    return sw_buf_putc(b, '"');
}

int sw_buf_json_string(struct sw_buf *b, const char *s, size_t len)
{
    return json_string(b, s, len, "0123456789abcdef");
}

int sw_buf_json_string_upper(struct sw_buf *b, const char *s, size_t len)
{
    return json_string(b, s, len, "0123456789ABCDEF");
}

char *sw_buf_detach(struct sw_buf *b, size_t *len)
{
    char *d = b->data;
    if (len) *len = b->len;
    if (!d) d = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
