/*
 * Growable byte buffer with a hard maximum (hostile input must not grow memory without
 * bound). The caller owns the struct: sw_buf_init() before use, sw_buf_release() after.
 * data is always NUL-terminated when len > 0 or after any successful append.
 */
#ifndef SANCTWATCH_BUF_H
#define SANCTWATCH_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct sw_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* appends that would make len exceed max fail with SW_ETOOBIG */
};

/* max == 0 means SW_BUF_DEFAULT_MAX. */
#define SW_BUF_DEFAULT_MAX ((size_t)1 << 30)

void sw_buf_init(struct sw_buf *b, size_t max);
void sw_buf_release(struct sw_buf *b);
/* Keep the allocation, forget the content. */
void sw_buf_reset(struct sw_buf *b);
int sw_buf_grow(struct sw_buf *b, size_t extra);
int sw_buf_append(struct sw_buf *b, const void *data, size_t len);
int sw_buf_puts(struct sw_buf *b, const char *s);
int sw_buf_putc(struct sw_buf *b, char c);
int sw_buf_printf(struct sw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sw_buf_vprintf(struct sw_buf *b, const char *fmt, va_list ap);
/* v in decimal. */
int sw_buf_int(struct sw_buf *b, long long v);
/* v's decimal digits, a '-' first when negative, written backwards so that they end just
 * before end (which needs SW_INT_DIGITS_MAX bytes of room before it); returns the first. */
#define SW_INT_DIGITS_MAX 20
static inline char *sw_int_digits(char *end, long long v)
{
    char *p = end;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    return p;
}
/* v rounded to decimals (0..9) places, trailing zeros and a bare point left out ("38.9",
 * "-0.25", "124"), for numbers whose precision is known (positions, speeds); SW_EINVAL for
 * NaN, infinities or decimals out of range. */
int sw_buf_fixed(struct sw_buf *b, double v, int decimals);
/* Append s as a JSON string literal (quotes included), escaping as RFC 8259 requires. */
int sw_buf_json_string(struct sw_buf *b, const char *s, size_t len);
/* The same with upper-case hex digits in \u00XX escapes, as jansson's json_dumps writes them. */
int sw_buf_json_string_upper(struct sw_buf *b, const char *s, size_t len);
/* Append the JSON value v exactly as jansson 2.14's json_dumpb() writes it with JSON_COMPACT |
 * JSON_REAL_PRECISION(15), plus JSON_SORT_KEYS when flags has SW_JSON_SORT_KEYS (src/util/
 * jsondump.c). SW_EFORMAT where jansson would refuse (a string that is not UTF-8) and for
 * what this writer leaves to jansson (nesting deeper than 2048, keys holding NUL bytes); the
 * buffer then holds a partial text. */
struct json_t;
#define SW_JSON_SORT_KEYS 1
int sw_buf_json(struct sw_buf *b, const struct json_t *v, int flags);
/* Hand the data to the caller (free() it); the buffer is left empty. */
char *sw_buf_detach(struct sw_buf *b, size_t *len);

#endif
