/*
 * Sanctions lists: OpenSanctions FollowTheMoney entities, one JSON object a line
 * ({"id","schema","properties":{prop:[values]},"datasets":[..],"last_seen",...}).
 * Person, Organization/Company/LegalEntity/PublicBody, Vessel and Airplane become entries;
 * Address, Ownership, Directorship, UnknownLink, Sanction and CryptoWallet entities attach
 * to the entries they name once the whole file is read. Mapping: docs/lists.md.
 */
#include "lists_int.h"

#include "sanctwatch/error.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FTM_MAX_LINE ((size_t)16 << 20)

struct ftm {
    struct lset *s;
    struct lset aux; /* Address (LR_ADDR), relations (LR_LINK) keyed by the entity they attach to */
    char dataset[48];
    int mixed;
    char last_seen[16];
};

static int each(json_t *props, const char *key,
                int (*fn)(struct lentry *, const char *, const void *), struct lentry *e,
                const void *arg)
{
    json_t *a = json_object_get(props, key);
    size_t i;
    json_t *v;
    if (!json_is_array(a)) return SW_OK;
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v)) continue;
        int rc = fn(e, json_string_value(v), arg);
        if (rc < 0) return rc;
    }
    return SW_OK;
}

static const char *first(json_t *props, const char *key)
{
    json_t *a = json_object_get(props, key);
    json_t *v = json_is_array(a) ? json_array_get(a, 0) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int do_name(struct lentry *e, const char *v, const void *q)
{
    int rc;
    if (!e->name) { /* the first name seen (the caption) is the primary one */
        if ((rc = lstr_set(&e->name, v, strlen(v)))) return rc;
        return lentry_name(e, v, "primary");
    }
    return lentry_name(e, v, q);
}
static int do_alias(struct lentry *e, const char *v, const void *q)
{
    return lentry_name(e, v, q);
}
static int do_id(struct lentry *e, const char *v, const void *kind)
{
    return lentry_id(e, kind, v, NULL, NULL);
}
static int do_nat(struct lentry *e, const char *v, const void *kind)
{
    const char *c[2] = {v, kind};
    return lentry_row(e, LR_NAT, 2, c);
}
static int do_dob(struct lentry *e, const char *v, const void *unused)
{
    char d[64], y[8] = "";
    ldate_norm(v, d, sizeof d);
    if (d[0] >= '0' && d[0] <= '9') snprintf(y, sizeof y, "%.4s", d);
    const char *c[4] = {d, y[0] ? y : NULL, y[0] ? y : NULL, NULL};
    return lentry_row(e, LR_DOB, 4, c);
}
static int do_remark(struct lentry *e, const char *v, const void *unused)
{
    return lstr_append(&e->remarks, "; ", v, strlen(v));
}
static int do_prog(struct lentry *e, const char *v, const void *unused)
{
    return lstr_append(&e->programmes, "; ", v, strlen(v));
}
static int do_link(struct lentry *e, const char *v, const void *rel)
{
    const char *c[3] = {rel, v, NULL};
    return lentry_row(e, LR_LINK, 3, c);
}
static int do_addr(struct lentry *e, const char *v, const void *kind)
{
    const char *c[7] = {kind, v, NULL, NULL, NULL, NULL, NULL};
    return lentry_row(e, LR_ADDR, 7, c);
}
static int do_fflag(struct lentry *e, const char *v, const void *unused)
{
    const char *c[1] = {v};
    return lentry_row(e, LR_FFLAG, 1, c);
}

static enum sw_entry_type schema_type(const char *schema, int *is_entry)
{
    static const char *const orgs[] = {"Organization", "Company", "LegalEntity", "PublicBody"};
    *is_entry = 1;
    if (!strcmp(schema, "Person")) return SW_ENTRY_PERSON;
    for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++)
        if (!strcmp(schema, orgs[i])) return SW_ENTRY_ORGANIZATION;
    if (!strcmp(schema, "Vessel")) return SW_ENTRY_VESSEL;
    if (!strcmp(schema, "Airplane")) return SW_ENTRY_AIRCRAFT;
    *is_entry = 0;
    return SW_ENTRY_OTHER;
}

static int entity(struct ftm *f, json_t *o, const char *id, const char *schema, json_t *p)
{
    int is_entry, rc;
    enum sw_entry_type type = schema_type(schema, &is_entry);
    struct lentry *e;
    if (is_entry) {
        if ((rc = lset_add(f->s, &e))) return rc;
        e->type = type;
        if ((rc = lstr_set(&e->ref, id, strlen(id)))) return rc;
        const char *cap = json_string_value(json_object_get(o, "caption"));
        if (cap && (rc = do_name(e, cap, "aka"))) return rc;
        if ((rc = each(p, "name", do_name, e, "aka")) ||
            (rc = each(p, "alias", do_alias, e, "aka")) ||
            (rc = each(p, "weakAlias", do_alias, e, "aka_weak")) ||
            (rc = each(p, "previousName", do_alias, e, "fka")) ||
            (rc = each(p, "passportNumber", do_id, e, "passport")) ||
            (rc = each(p, "idNumber", do_id, e, "national_id")) ||
            (rc = each(p, "registrationNumber", do_id, e, "registration")) ||
            (rc = each(p, "ogrnCode", do_id, e, "registration")) ||
            (rc = each(p, "leiCode", do_id, e, "registration")) ||
            (rc = each(p, "taxNumber", do_id, e, "tax_id")) ||
            (rc = each(p, "innCode", do_id, e, "tax_id")) ||
            (rc = each(p, "vatCode", do_id, e, "tax_id")) ||
            (rc = each(p, "swiftBic", do_id, e, "swift")) ||
            (rc = each(p, "imoNumber", do_id, e, "imo")) ||
            (rc = each(p, "mmsi", do_id, e, "mmsi")) ||
            (rc = each(p, "callSign", do_id, e, "call_sign")) ||
            (rc = each(p, "serialNumber", do_id, e, "aircraft_serial")) ||
            (rc = each(p, "birthDate", do_dob, e, NULL)) ||
            (rc = each(p, "nationality", do_nat, e, "nationality")) ||
            (rc = each(p, "citizenship", do_nat, e, "citizenship")) ||
            (rc = each(p, "country", do_nat, e, "country")) ||
            (rc = each(p, "jurisdiction", do_nat, e, "country")) ||
            (rc = each(p, "notes", do_remark, e, NULL)) ||
            (rc = each(p, "position", do_remark, e, NULL)) ||
            (rc = each(p, "program", do_prog, e, NULL)) ||
            (rc = each(p, "address", do_addr, e, "address")) ||
            (rc = each(p, "birthPlace", do_addr, e, "birth_place")) ||
            (rc = each(p, "addressEntity", do_link, e, "address")) ||
            (rc = each(p, "owner", do_link, e, "owner")) ||
            (rc = each(p, "operator", do_link, e, "operator")) ||
            (rc = each(p, "pastFlags", do_fflag, e, NULL)))
            return rc;
        const char *created = first(p, "createdAt");
        if (created &&
            (rc = lstr_set(&e->listed_on, created, strlen(created) < 10 ? strlen(created) : 10)))
            return rc;
        if (type == SW_ENTRY_VESSEL || type == SW_ENTRY_AIRCRAFT) {
            const char *v;
            if ((v = first(p, "flag")) && (rc = lstr_set(&e->vflag, v, strlen(v)))) return rc;
            if ((v = first(p, "type")) && (rc = lstr_set(&e->vtype, v, strlen(v)))) return rc;
            if ((v = first(p, "tonnage")) && (rc = lstr_set(&e->tonnage, v, strlen(v)))) return rc;
            if ((v = first(p, "grossRegisteredTonnage")) && (rc = lstr_set(&e->grt, v, strlen(v))))
                return rc;
        }
        if (!e->name) return lset_fail(f->s, SW_EFORMAT, "entity '%s' has no name", id);
        return SW_OK;
    }
    /* auxiliary entities, attached after the whole file is read */
    if ((rc = lset_add(&f->aux, &e))) return rc;
    if (!strcmp(schema, "Address")) {
        if ((rc = lstr_set(&e->ref, id, strlen(id)))) return rc;
        const char *full = first(p, "full");
        const char *c[7] = {"address",
                            full ? full : first(p, "street"),
                            first(p, "city"),
                            first(p, "region"),
                            first(p, "postalCode"),
                            first(p, "country"),
                            NULL};
        return lentry_row(e, LR_ADDR, 7, c);
    }
    /* relation entities: e->ref is the entry they attach to */
    const char *target = NULL, *rel = NULL, *other = NULL;
    if (!strcmp(schema, "Ownership"))
        target = first(p, "asset"), other = first(p, "owner"), rel = "owner";
    else if (!strcmp(schema, "Directorship"))
        target = first(p, "organization"), other = first(p, "director"), rel = "director";
    else if (!strcmp(schema, "UnknownLink"))
        target = first(p, "subject"), other = first(p, "object"), rel = "linked";
    else if (!strcmp(schema, "Sanction"))
        target = first(p, "entity");
    else if (!strcmp(schema, "CryptoWallet"))
        target = first(p, "holder");
    if (!target) return SW_OK;
    if ((rc = lstr_set(&e->ref, target, strlen(target)))) return rc;
    if (rel && other) return do_link(e, other, rel);
    if (!strcmp(schema, "Sanction")) {
        const char *start = first(p, "startDate");
        if ((rc = each(p, "program", do_prog, e, NULL)) ||
            (rc = each(p, "programId", do_prog, e, NULL)))
            return rc;
        return start ? lstr_set(&e->listed_on, start, strlen(start) < 10 ? strlen(start) : 10)
                     : SW_OK;
    }
    const char *key = first(p, "publicKey");
    return key ? lentry_id(e, "crypto", key, NULL, first(p, "currency")) : SW_OK;
}

/* Attach the auxiliary entities to the entries they name. */
static int attach(struct ftm *f)
{
    struct lset *s = f->s;
    int rc;
    if ((rc = lset_index(s)) || (rc = lset_index(&f->aux))) return rc;
    for (size_t i = 0; i < f->aux.n; i++) {
        struct lentry *a = &f->aux.e[i];
        if (!a->ref || (a->nrows && a->rows[0].tab == LR_ADDR))
            continue; /* addresses are pulled by the entries below */
        struct lentry *e = lset_find(s, a->ref, strlen(a->ref));
        if (!e) continue;
        for (size_t r = 0; r < a->nrows; r++)
            if ((rc = lentry_row(e, a->rows[r].tab, LR_NF, (const char *const *)a->rows[r].f)))
                return rc;
        if (a->programmes &&
            (rc = lstr_append(&e->programmes, "; ", a->programmes, strlen(a->programmes))))
            return rc;
        if (a->listed_on && (rc = lstr_set(&e->listed_on, a->listed_on, strlen(a->listed_on))))
            return rc;
    }
    for (size_t i = 0; i < s->n; i++) {
        struct lentry *e = &s->e[i];
        for (size_t r = 0; r < e->nrows; r++) {
            struct lrow *row = &e->rows[r];
            if (row->tab != LR_LINK || !row->f[0] || strcmp(row->f[0], "address") || !row->f[1])
                continue;
            struct lentry *a = lset_find(&f->aux, row->f[1], strlen(row->f[1]));
            if (!a || !a->nrows || a->rows[0].tab != LR_ADDR)
                continue; /* unresolved: kept as a link to the address id */
            struct lrow nr = {.tab = LR_ADDR};
            for (int k = 0; k < LR_NF; k++)
                if (a->rows[0].f[k] && !(nr.f[k] = strdup(a->rows[0].f[k]))) rc = SW_ENOMEM;
            for (int k = 0; k < LR_NF; k++)
                free(row->f[k]);
            *row = nr;
            if (rc) return rc;
        }
    }
    return SW_OK;
}

static int line(struct ftm *f, const char *l, size_t len, unsigned long lineno)
{
    json_error_t jerr;
    json_t *o = json_loadb(l, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc = SW_OK;
    if (!o) return lset_fail(f->s, SW_EFORMAT, "line %lu: invalid JSON: %s", lineno, jerr.text);
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *schema = json_string_value(json_object_get(o, "schema"));
    json_t *p = json_object_get(o, "properties");
    if (!json_is_object(o) || !id || !schema || !json_is_object(p)) {
        rc = lset_fail(f->s, SW_EFORMAT,
                       "line %lu: not a FollowTheMoney entity (id, schema, properties)", lineno);
        goto out;
    }
    json_t *ds = json_object_get(o, "datasets");
    size_t i;
    json_t *v;
    int is_entry;
    schema_type(schema, &is_entry);
    if (is_entry && json_is_array(ds)) {
        json_array_foreach(ds, i, v)
        {
            const char *d = json_string_value(v);
            if (!d) continue;
            if (!f->dataset[0] && strlen(d) < sizeof f->dataset)
                snprintf(f->dataset, sizeof f->dataset, "%s", d);
            else if (strcmp(d, f->dataset))
                f->mixed = 1;
        }
    }
    const char *ls = json_string_value(json_object_get(o, "last_seen"));
    if (ls && strlen(ls) >= 10 && strncmp(ls, f->last_seen, 10) > 0)
        snprintf(f->last_seen, sizeof f->last_seen, "%.10s", ls);
    rc = entity(f, o, id, schema, p);
    if (rc && !f->s->err[0]) lset_fail(f->s, rc, "line %lu: %s", lineno, sw_strerror(rc));
out:
    json_decref(o);
    return rc;
}

int lists_parse_ftm(struct lset *s, const char *data, size_t len)
{
    struct ftm f = {.s = s};
    int rc = SW_OK;
    unsigned long lineno = 0;
    lset_init(&f.aux);
    s->format = SW_LIST_FMT_FTM_JSON;
    for (const char *p = data, *end = data + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        lineno++;
        if (l > FTM_MAX_LINE) {
            rc = lset_fail(s, SW_ETOOBIG, "line %lu: longer than %zu bytes", lineno, FTM_MAX_LINE);
            goto fail;
        }
        size_t t = l;
        while (t && (p[t - 1] == '\r' || p[t - 1] == ' ' || p[t - 1] == '\t'))
            t--;
        if (t && (rc = line(&f, p, t, lineno))) {
            if (!nl && !s->err[0])
                lset_fail(s, rc, "line %lu: incomplete last line (file truncated?)", lineno);
            goto fail;
        }
        p = nl ? nl + 1 : end;
    }
    if ((rc = attach(&f))) goto fail;
    snprintf(s->list, sizeof s->list, "%s%s", f.dataset[0] && !f.mixed ? "ftm:" : "ftm",
             f.dataset[0] && !f.mixed ? f.dataset : "");
    if (f.last_seen[0]) snprintf(s->edition, sizeof s->edition, "%s", f.last_seen);
fail:
    lset_free(&f.aux);
    return rc;
}
