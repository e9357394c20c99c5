/* CSV fields as RFC 4180 writes them, with the spreadsheet-formula guard (see csvout.h). One
 * function decides and writes a field; the two sinks (a stdio stream, an sw_buf) are the only
 * difference between sw_csv_put and sw_csv_append. */
#include "sanctwatch/csvout.h"
#include "sanctwatch/error.h"

#include <string.h>

struct sink {
    FILE *f;
    struct sw_buf *b;
};

static int put(const struct sink *k, const char *s, size_t n)
{
    if (k->f) return fwrite(s, 1, n, k->f) == n ? SW_OK : SW_EIO;
    return sw_buf_append(k->b, s, n);
}

static int field(const struct sink *k, const char *s)
{
    if (!s) s = "";
    size_t n = strlen(s);
    int guard = n && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = strpbrk(s, ",\"\r\n") != NULL ||
                (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'));
    int rc = SW_OK;
    if (quote) rc = put(k, "\"", 1);
    if (!rc && guard) rc = put(k, "'", 1);
    if (!quote) return rc ? rc : put(k, s, n);
    /* quoted: the runs between double quotes as they are, each '"' written twice */
    for (const char *q; !rc && (q = strchr(s, '"')) != NULL; s = q + 1) {
        rc = put(k, s, (size_t)(q - s + 1));
        if (!rc) rc = put(k, "\"", 1);
    }
    if (!rc) rc = put(k, s, strlen(s));
    if (!rc) rc = put(k, "\"", 1);
    return rc;
}

int sw_csv_put(FILE *f, const char *s)
{
    struct sink k = {f, NULL};
    return field(&k, s);
}

int sw_csv_append(struct sw_buf *b, const char *s)
{
    struct sink k = {NULL, b};
    return field(&k, s);
}
