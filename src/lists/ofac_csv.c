/*
 * Sanctions lists: OFAC's SDN CSV set, four headerless files joined by ent_num:
 *   sdn.csv      ent_num, name, type, programs, title, call_sign, vess_type, tonnage, GRT,
 *                vess_flag, vess_owner, remarks
 *   add.csv      ent_num, add_num, address, city/state/postal, country, add_remarks
 *   alt.csv      ent_num, alt_num, alt_type (aka/fka/nka), alt_name, alt_remarks
 *   sdn_comments.csv  ent_num, remarks continued (remarks longer than the sdn.csv field)
 * "-0-" means empty; the file ends with a DOS end-of-file byte (0x1A). Rows of add/alt/
 * comments whose ent_num is not in sdn.csv are orphans: counted, not imported.
 */
#include "lists_int.h"

#include "sanctwatch/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_FIELDS 16

struct csv {
    const char *p, *end;
    unsigned long line;     /* physical lines consumed */
    unsigned long rec_line; /* line where the last record began */
};

struct field {
    char *v; /* NULL for empty or -0- */
};

/* One record into f[]; returns the field count, 0 at the end, negative on error. */
static int csv_record(struct lset *s, struct csv *c, struct field *f, int maxf)
{
    int n = 0;
    for (int i = 0; i < maxf; i++) {
        free(f[i].v);
        f[i].v = NULL;
    }
    /* skip empty lines and the DOS EOF byte */
    while (c->p < c->end && (*c->p == '\n' || *c->p == '\r' || *c->p == 0x1a)) {
        if (*c->p == '\n') c->line++;
        c->p++;
    }
    if (c->p >= c->end) return 0;
    c->line++;
    unsigned long start_line = c->line;
    c->rec_line = start_line;
    for (;;) {
        if (n >= maxf)
            return lset_fail(s, SW_EFORMAT, "line %lu: more than %d fields", start_line, maxf);
        const char *q = c->p;
        int rc;
        if (q < c->end && *q == '"') {
            /* quoted: "" stands for " */
            char *buf = NULL;
            size_t len = 0, cap = 0;
            q++;
            for (;;) {
                if (q >= c->end) {
                    free(buf);
                    return lset_fail(s, SW_ETRUNCATED,
                                     "line %lu: quoted field not closed (file truncated?)",
                                     start_line);
                }
                char ch = *q++;
                if (ch == '"') {
                    if (q < c->end && *q == '"')
                        q++;
                    else
                        break;
                } else if (ch == '\n') {
                    c->line++;
                }
                if (len + 1 >= cap) {
                    size_t nc = cap ? cap * 2 : 64;
                    if (nc > LFIELD_MAX) {
                        free(buf);
                        return lset_fail(s, SW_ETOOBIG, "line %lu: field too long", start_line);
                    }
                    char *nb = realloc(buf, nc);
                    if (!nb) {
                        free(buf);
                        return SW_ENOMEM;
                    }
                    buf = nb;
                    cap = nc;
                }
                buf[len++] = ch;
            }
            rc = lstr_set(&f[n].v, buf ? buf : "", len);
            free(buf);
            /* only spaces may follow the closing quote */
            while (q < c->end && *q == ' ')
                q++;
            if (q < c->end && *q != ',' && *q != '\n' && *q != '\r')
                return lset_fail(s, SW_EFORMAT, "line %lu: text after a closing quote", start_line);
        } else {
            const char *b = q;
            while (q < c->end && *q != ',' && *q != '\n' && *q != '\r') {
                if (*q == '"')
                    return lset_fail(s, SW_EFORMAT, "line %lu: quote inside an unquoted field",
                                     start_line);
                q++;
            }
            if ((size_t)(q - b) > LFIELD_MAX)
                return lset_fail(s, SW_ETOOBIG, "line %lu: field too long", start_line);
            rc = lstr_set(&f[n].v, b, (size_t)(q - b));
            if (!rc && f[n].v && !strcmp(f[n].v, "-0-")) {
                free(f[n].v);
                f[n].v = NULL;
            }
        }
        if (rc) return lset_fail(s, rc, "line %lu: %s", start_line, sw_strerror(rc));
        n++;
        if (q < c->end && *q == ',') {
            c->p = q + 1;
            continue;
        }
        /* end of record */
        if (q < c->end && *q == '\r') q++;
        if (q < c->end && *q == '\n') {
            q++;
        }
        c->p = q;
        return n;
    }
}

static int expected_fields(enum sw_list_format fmt)
{
    switch (fmt) {
    case SW_LIST_FMT_OFAC_SDN:
        return 12;
    case SW_LIST_FMT_OFAC_ADD:
        return 6;
    case SW_LIST_FMT_OFAC_ALT:
        return 5;
    case SW_LIST_FMT_OFAC_COMMENTS:
        return 2;
    default:
        return -1;
    }
}

static int is_ent_num(const char *v)
{
    if (!v || !*v || strlen(v) > 12) return 0;
    for (const char *p = v; *p; p++)
        if (!isdigit((unsigned char)*p)) return 0;
    return 1;
}

static int sdn_row(struct lset *s, struct field *f)
{
    struct lentry *e;
    int rc = lset_add(s, &e);
    if (rc) return rc;
    e->ref = f[0].v, f[0].v = NULL;
    e->name = f[1].v, f[1].v = NULL;
    const char *t = f[2].v;
    e->type = !t                         ? SW_ENTRY_ORGANIZATION
              : !strcmp(t, "individual") ? SW_ENTRY_PERSON
              : !strcmp(t, "vessel")     ? SW_ENTRY_VESSEL
              : !strcmp(t, "aircraft")   ? SW_ENTRY_AIRCRAFT
                                         : SW_ENTRY_OTHER;
    if (f[3].v) { /* "SDGT] [IFSR" */
        for (char *p = f[3].v; (p = strstr(p, "] [")); p += 2)
            p[0] = ';', p[1] = ' ', p[2] = ' ';
        char *clean = NULL;
        for (char *tok = f[3].v, *next; tok; tok = next) {
            next = strchr(tok, ';');
            size_t l = next ? (size_t)(next - tok) : strlen(tok);
            while (l && (tok[l - 1] == ']' || tok[l - 1] == ' '))
                l--;
            while (l && (*tok == '[' || *tok == ' '))
                tok++, l--;
            if ((rc = lstr_append(&clean, "; ", tok, l))) {
                free(clean);
                return rc;
            }
            if (next) next++;
        }
        e->programmes = clean;
    }
    if (f[4].v) {
        if ((rc = lstr_append(&e->remarks, "; ", "Title: ", 7)) ||
            (rc = lstr_append(&e->remarks, "", f[4].v, strlen(f[4].v))))
            return rc;
    }
    if (f[5].v && (rc = lentry_id(e, "call_sign", f[5].v, NULL, NULL)) < 0) return rc;
    e->vtype = f[6].v, f[6].v = NULL;
    e->tonnage = f[7].v, f[7].v = NULL;
    e->grt = f[8].v, f[8].v = NULL;
    e->vflag = f[9].v, f[9].v = NULL;
    e->owner = f[10].v, f[10].v = NULL;
    if (e->owner) {
        const char *c[3] = {"owner", NULL, e->owner};
        if ((rc = lentry_row(e, LR_LINK, 3, c))) return rc;
    }
    if (f[11].v && (rc = lstr_append(&e->remarks, "; ", f[11].v, strlen(f[11].v)))) return rc;
    return lentry_name(e, e->name, "primary");
}

int lists_parse_ofac_csv(struct lset *s, enum sw_list_format fmt, const char *data, size_t len)
{
    struct csv c = {data, data + len, 0, 0};
    struct field f[CSV_MAX_FIELDS] = {{NULL}};
    int want = expected_fields(fmt), n, rc = SW_OK;
    if (want < 0) return lset_fail(s, SW_EINVAL, "not an OFAC CSV file");
    if (fmt == SW_LIST_FMT_OFAC_SDN) {
        snprintf(s->list, sizeof s->list, "ofac_sdn");
        s->format = SW_LIST_FMT_OFAC_SDN;
    }
    while ((n = csv_record(s, &c, f, CSV_MAX_FIELDS)) > 0) {
        if (n != want) {
            rc = lset_fail(s, SW_EFORMAT, "line %lu: %d fields where the %s file has %d",
                           c.rec_line, n, sw_list_format_name(fmt), want);
            goto fail;
        }
        if (!is_ent_num(f[0].v)) {
            rc = lset_fail(s, SW_EFORMAT, "line %lu: ent_num '%s' is not a number", c.rec_line,
                           f[0].v ? f[0].v : "");
            goto fail;
        }
        if (fmt == SW_LIST_FMT_OFAC_SDN) {
            if (!f[1].v) {
                rc = lset_fail(s, SW_EFORMAT, "line %lu: entry %s has no name", c.rec_line, f[0].v);
                goto fail;
            }
            if ((rc = sdn_row(s, f))) {
                if (!s->err[0]) lset_fail(s, rc, "line %lu: %s", c.rec_line, sw_strerror(rc));
                goto fail;
            }
            continue;
        }
        struct lentry *e = lset_find(s, f[0].v, strlen(f[0].v));
        if (!e) {
            s->orphans++;
            continue;
        }
        if (fmt == SW_LIST_FMT_OFAC_ADD) {
            const char *col[7] = {"address", f[2].v, f[3].v, NULL, NULL, f[4].v, f[5].v};
            rc = lentry_row(e, LR_ADDR, 7, col);
        } else if (fmt == SW_LIST_FMT_OFAC_ALT) {
            const char *q = f[2].v ? f[2].v : "aka";
            const char *qual = !strcmp(q, "fka") ? "fka" : !strcmp(q, "nka") ? "nka" : "aka";
            rc = lentry_name(e, f[3].v, qual);
        } else {
            rc = lstr_append(&e->remarks, "", f[1].v ? f[1].v : "", f[1].v ? strlen(f[1].v) : 0);
        }
        if (rc) {
            if (!s->err[0]) lset_fail(s, rc, "line %lu: %s", c.rec_line, sw_strerror(rc));
            goto fail;
        }
    }
    rc = n < 0 ? n : SW_OK;
fail:
    for (int i = 0; i < CSV_MAX_FIELDS; i++)
        free(f[i].v);
    return rc;
}

int lofac_csv_finish(struct lset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        struct lentry *e = &s->e[i];
        if (!e->remarks) continue;
        char *r = strdup(e->remarks);
        if (!r) return SW_ENOMEM;
        /* items are separated by "; " */
        for (char *p = r; p && *p;) {
            char *semi = strstr(p, "; ");
            size_t l = semi ? (size_t)(semi - p) : strlen(p);
            int rc = lofac_item(e, p, l);
            if (rc < 0) {
                free(r);
                return lset_fail(s, rc, "entry %s: %s", e->ref ? e->ref : "?", sw_strerror(rc));
            }
            p = semi ? semi + 2 : NULL;
        }
        free(r);
    }
    return SW_OK;
}
