/*
 * The detector parameter file (sanctwatch/config.h): INI-style sections and key = value
 * lines, kept in file order as "section.key" strings. Small and bounded: the detectors read
 * a few dozen keys once at start.
 */
#include "sanctwatch/config.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"

#define MAX_ENTRIES 4096
#define MAX_LINE 1024

struct sw_config {
    char **key;
    char **val;
    size_t n, cap;
    char section[MAX_LINE];
};

int sw_config_new(struct sw_config **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? SW_OK : SW_ENOMEM;
}

void sw_config_free(struct sw_config *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->key[i]);
        free(c->val[i]);
    }
    free(c->key);
    free(c->val);
    free(c);
}

static int key_char(int ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == '-';
}

static void trim(const char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

static int feed_line(struct sw_config *c, const char *s, size_t len)
{
    if (len > MAX_LINE) return SW_ETOOBIG;
    if (memchr(s, '\0', len)) return SW_EFORMAT;
    trim(&s, &len);
    if (!len || s[0] == '#' || s[0] == ';') return SW_OK;
    if (s[0] == '[') {
        if (s[len - 1] != ']' || len < 3) return SW_EFORMAT;
        for (size_t i = 1; i + 1 < len; i++)
            if (!key_char(s[i])) return SW_EFORMAT;
        memcpy(c->section, s + 1, len - 2);
        c->section[len - 2] = '\0';
        return SW_OK;
    }
    const char *eq = memchr(s, '=', len);
    if (!eq) return SW_EFORMAT;
    const char *k = s, *v = eq + 1;
    size_t kl = (size_t)(eq - s), vl = len - kl - 1;
    trim(&k, &kl);
    trim(&v, &vl);
    if (!kl) return SW_EFORMAT;
    for (size_t i = 0; i < kl; i++)
        if (!key_char(k[i])) return SW_EFORMAT;
    for (size_t i = 0; i + 1 < vl; i++)
        if (isspace((unsigned char)v[i]) && v[i + 1] == '#') {
            vl = i;
            trim(&v, &vl);
            break;
        }
    char full[2 * MAX_LINE + 2];
    size_t sl = strlen(c->section);
    size_t fl = 0;
    if (sl) {
        memcpy(full, c->section, sl);
        full[sl] = '.';
        fl = sl + 1;
    }
    memcpy(full + fl, k, kl);
    full[fl + kl] = '\0';
    if (sw_config_get(c, full)) return SW_EEXISTS;
    if (c->n == MAX_ENTRIES) return SW_ETOOBIG;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 32;
        char **nk = realloc(c->key, nc * sizeof *nk);
        if (!nk) return SW_ENOMEM;
        c->key = nk;
        char **nv = realloc(c->val, nc * sizeof *nv);
        if (!nv) return SW_ENOMEM;
        c->val = nv;
        c->cap = nc;
    }
    char *dk = strndup(full, fl + kl), *dv = strndup(v, vl);
    if (!dk || !dv) {
        free(dk);
        free(dv);
        return SW_ENOMEM;
    }
    c->key[c->n] = dk;
    c->val[c->n] = dv;
    c->n++;
    return SW_OK;
}

int sw_config_parse(struct sw_config **out, const char *text, size_t len, size_t *errline)
{
    struct sw_config *c;
    int rc = sw_config_new(&c);
    size_t lineno = 0, pos = 0;
    *out = NULL;
    if (rc) return rc;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
        lineno++;
        rc = feed_line(c, text + pos, l);
        if (rc) goto fail;
        pos += l + (nl ? 1 : 0);
    }
    *out = c;
    return SW_OK;
fail:
    if (errline) *errline = lineno;
    sw_config_free(c);
    return rc;
}

int sw_config_load(struct sw_config **out, const char *path, size_t *errline)
{
    struct sw_lines *in;
    struct sw_config *c = NULL;
    const char *line;
    size_t len;
    *out = NULL;
    int rc = sw_lines_open(&in, path, MAX_LINE);
    if (rc) return rc;
    rc = sw_config_new(&c);
    if (rc) goto fail;
    while ((rc = sw_lines_next(in, &line, &len)) != SW_EOF) {
        if (rc) goto fail;
        rc = feed_line(c, line, len);
        if (rc) goto fail;
    }
    sw_lines_free(in);
    *out = c;
    return SW_OK;
fail:
    if (errline) *errline = (size_t)sw_lines_lineno(in);
    sw_lines_free(in);
    sw_config_free(c);
    return rc;
}

const char *sw_config_get(const struct sw_config *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->key[i], key)) return c->val[i];
    return NULL;
}

int sw_config_double(const struct sw_config *c, const char *key, double def, double *out)
{
    const char *v = sw_config_get(c, key);
    *out = def;
    if (!v) return SW_OK;
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !isfinite(d)) return SW_EFORMAT;
    *out = d;
    return SW_OK;
}

size_t sw_config_count(const struct sw_config *c)
{
    return c->n;
}

const char *sw_config_key(const struct sw_config *c, size_t i)
{
    return i < c->n ? c->key[i] : NULL;
}

const char *sw_config_value(const struct sw_config *c, size_t i)
{
    return i < c->n ? c->val[i] : NULL;
}
