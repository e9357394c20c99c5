/*
 * Sanctions lists: the UN Security Council consolidated list (root CONSOLIDATED_LIST, schema
 * sc-sanctions.xsd), every regime. INDIVIDUAL becomes a person, ENTITY an organization; the
 * programme is UN_LIST_TYPE ("DPRK" for KPi/KPe). Mapping: docs/lists.md.
 */
#include "lists_int.h"

#include "sanctwatch/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum slot {
    S_QUALITY,
    S_ALIAS,
    S_STREET,
    S_CITY,
    S_STATE,
    S_ZIP,
    S_COUNTRY,
    S_NOTE,
    S_TYPE,
    S_DATE,
    S_YEAR,
    S_FROM,
    S_TO,
    S_DOCTYPE,
    S_DOCTYPE2,
    S_NUMBER,
    S_ISSCOUNTRY,
    S_ISSDATE,
    S_ISSCITY,
    S_COI,
    S_VALUE,
    S_N
};

static const struct {
    const char *name;
    enum slot slot;
} slot_names[] = {
    {"QUALITY", S_QUALITY},
    {"ALIAS_NAME", S_ALIAS},
    {"STREET", S_STREET},
    {"CITY", S_CITY},
    {"STATE_PROVINCE", S_STATE},
    {"ZIP_CODE", S_ZIP},
    {"COUNTRY", S_COUNTRY},
    {"NOTE", S_NOTE},
    {"TYPE_OF_DATE", S_TYPE},
    {"DATE", S_DATE},
    {"YEAR", S_YEAR},
    {"FROM_YEAR", S_FROM},
    {"TO_YEAR", S_TO},
    {"TYPE_OF_DOCUMENT", S_DOCTYPE},
    {"TYPE_OF_DOCUMENT2", S_DOCTYPE2},
    {"NUMBER", S_NUMBER},
    {"ISSUING_COUNTRY", S_ISSCOUNTRY},
    {"DATE_OF_ISSUE", S_ISSDATE},
    {"CITY_OF_ISSUE", S_ISSCITY},
    {"COUNTRY_OF_ISSUE", S_COI},
    {"VALUE", S_VALUE},
};

enum sub {
    SUB_NONE,
    SUB_ALIAS,
    SUB_ADDR,
    SUB_DOB,
    SUB_POB,
    SUB_DOC,
    SUB_NAT,
    SUB_DESIG,
    SUB_TITLE,
    SUB_OTHER
};

struct un {
    struct lset *s;
    long cur; /* index of the entry being read, -1 outside */
    enum sub sub;
    char *slots[S_N];
    char *parts[4];   /* FIRST_NAME .. FOURTH_NAME */
    int nentries_tag; /* saw INDIVIDUALS or ENTITIES */
};

static void clear_slots(struct un *u)
{
    for (int i = 0; i < S_N; i++) {
        free(u->slots[i]);
        u->slots[i] = NULL;
    }
}

static struct lentry *cur(struct un *u)
{
    return &u->s->e[u->cur];
}

static int un_start(void *ctx, int depth, const char *name, void *reader)
{
    struct un *u = ctx;
    if (depth == 0) {
        char *d = lxml_attr(reader, "dateGenerated");
        if (d) {
            snprintf(u->s->edition, sizeof u->s->edition, "%.10s", d);
            free(d);
        }
        return SW_OK;
    }
    if (depth == 1) {
        if (!strcmp(name, "INDIVIDUALS") || !strcmp(name, "ENTITIES")) u->nentries_tag = 1;
        return SW_OK;
    }
    if (depth == 2) {
        struct lentry *e;
        int rc = lset_add(u->s, &e);
        if (rc) return rc;
        u->cur = (long)(u->s->n - 1);
        e->type = !strcmp(name, "INDIVIDUAL") ? SW_ENTRY_PERSON : SW_ENTRY_ORGANIZATION;
        for (int i = 0; i < 4; i++) {
            free(u->parts[i]);
            u->parts[i] = NULL;
        }
        return SW_OK;
    }
    if (depth == 3 && u->cur >= 0) {
        clear_slots(u);
        if (strstr(name, "_ALIAS"))
            u->sub = SUB_ALIAS;
        else if (strstr(name, "_ADDRESS"))
            u->sub = SUB_ADDR;
        else if (!strcmp(name, "INDIVIDUAL_DATE_OF_BIRTH"))
            u->sub = SUB_DOB;
        else if (!strcmp(name, "INDIVIDUAL_PLACE_OF_BIRTH"))
            u->sub = SUB_POB;
        else if (!strcmp(name, "INDIVIDUAL_DOCUMENT"))
            u->sub = SUB_DOC;
        else if (!strcmp(name, "NATIONALITY"))
            u->sub = SUB_NAT;
        else if (!strcmp(name, "DESIGNATION"))
            u->sub = SUB_DESIG;
        else if (!strcmp(name, "TITLE"))
            u->sub = SUB_TITLE;
        else
            u->sub = SUB_OTHER;
    }
    return SW_OK;
}

static const char *alias_quality(const char *q)
{
    if (!q || !strcmp(q, "Good") || !strcmp(q, "a.k.a.")) return "aka";
    if (!strcmp(q, "Low")) return "aka_weak";
    if (!strcmp(q, "f.k.a.")) return "fka";
    return "aka";
}

/* IMO numbers the DPRK entity narratives mention ("IMO number: 5571322", "IMO: 8910378"). */
static int scan_imos(struct lentry *e, const char *text)
{
    for (const char *p = text; p && (p = strstr(p, "IMO")); p += 3) {
        const char *q = p + 3;
        int skipped = 0;
        while (*q && !isdigit((unsigned char)*q) && skipped < 10)
            q++, skipped++;
        size_t n = 0;
        while (isdigit((unsigned char)q[n]))
            n++;
        if (n != 7) continue;
        char imo[8];
        memcpy(imo, q, 7);
        imo[7] = '\0';
        int rc = lentry_id(e, "imo", imo, NULL, "mentioned in comments");
        if (rc) return rc;
    }
    return SW_OK;
}

static int flush_sub(struct un *u)
{
    struct lentry *e = cur(u);
    char **t = u->slots;
    switch (u->sub) {
    case SUB_ALIAS:
        return lentry_name(e, t[S_ALIAS], alias_quality(t[S_QUALITY]));
    case SUB_ADDR:
    case SUB_POB: {
        const char *c[7] = {u->sub == SUB_ADDR ? "address" : "birth_place",
                            t[S_STREET],
                            t[S_CITY],
                            t[S_STATE],
                            t[S_ZIP],
                            t[S_COUNTRY],
                            t[S_NOTE]};
        return lentry_row(e, LR_ADDR, 7, c);
    }
    case SUB_DOB: {
        char date[64] = "", note[200] = "";
        const char *from = t[S_FROM], *to = t[S_TO];
        if (t[S_DATE])
            ldate_norm(t[S_DATE], date, sizeof date);
        else if (t[S_YEAR])
            snprintf(date, sizeof date, "%s", t[S_YEAR]);
        char y[8] = "";
        if (!from && date[0] && isdigit((unsigned char)date[0])) {
            snprintf(y, sizeof y, "%.4s", date);
            from = y;
        }
        if (!to) to = from;
        if (t[S_TYPE] && strcmp(t[S_TYPE], "EXACT"))
            snprintf(note, sizeof note, "%s%s%s", t[S_TYPE], t[S_NOTE] ? "; " : "",
                     t[S_NOTE] ? t[S_NOTE] : "");
        else if (t[S_NOTE])
            snprintf(note, sizeof note, "%s", t[S_NOTE]);
        const char *c[4] = {date[0] ? date : NULL, from, to, note[0] ? note : NULL};
        return lentry_row(e, LR_DOB, 4, c);
    }
    case SUB_DOC: {
        const char *type = t[S_DOCTYPE] ? t[S_DOCTYPE] : "";
        const char *kind = strstr(type, "Passport")   ? "passport"
                           : strstr(type, "National") ? "national_id"
                                                      : "other";
        char note[300];
        snprintf(note, sizeof note, "%s%s%s%s%s%s%s", type, t[S_DOCTYPE2] ? "; " : "",
                 t[S_DOCTYPE2] ? t[S_DOCTYPE2] : "", t[S_ISSDATE] ? "; issued " : "",
                 t[S_ISSDATE] ? t[S_ISSDATE] : "", t[S_NOTE] ? "; " : "",
                 t[S_NOTE] ? t[S_NOTE] : "");
        const char *country = t[S_ISSCOUNTRY] ? t[S_ISSCOUNTRY] : t[S_COI];
        if (!t[S_NUMBER]) /* a document without a number: keep what it says */
            return t[S_NOTE] || t[S_DOCTYPE] ? lstr_append(&e->remarks, "; ", note, strlen(note))
                                             : SW_OK;
        return lentry_id(e, kind, t[S_NUMBER], country, note[0] ? note : NULL);
    }
    default:
        return SW_OK;
    }
}

static int un_end(void *ctx, int depth, const char *name, const char *text, size_t len)
{
    struct un *u = ctx;
    if (u->cur < 0 || depth < 2) return SW_OK;
    struct lentry *e = cur(u);
    int rc = SW_OK;
    if (depth == 2) { /* end of the entry */
        for (int i = 0; i < 4 && !rc; i++)
            if (u->parts[i]) rc = lstr_append(&e->name, " ", u->parts[i], strlen(u->parts[i]));
        if (rc) return rc;
        if (!e->ref) return lset_fail(u->s, SW_EFORMAT, "%s without REFERENCE_NUMBER", name);
        if (!e->name) return lset_fail(u->s, SW_EFORMAT, "%s '%s' without a name", name, e->ref);
        /* the primary name goes first among the names */
        const char *c[2] = {e->name, "primary"};
        if ((rc = lentry_row(e, LR_NAME, 2, c))) return rc;
        lentry_primary_first(e);
        if ((rc = scan_imos(e, e->remarks))) return rc;
        u->cur = -1;
        return SW_OK;
    }
    if (depth == 3) {
        if (u->sub != SUB_NONE && u->sub != SUB_OTHER) {
            rc = flush_sub(u);
            u->sub = SUB_NONE;
            clear_slots(u);
            return rc;
        }
        u->sub = SUB_NONE;
        if (!strcmp(name, "DATAID")) return lstr_set(&e->source_id, text, len);
        if (!strcmp(name, "REFERENCE_NUMBER")) return lstr_set(&e->ref, text, len);
        if (!strcmp(name, "UN_LIST_TYPE")) return lstr_set(&e->programmes, text, len);
        if (!strcmp(name, "LISTED_ON")) {
            char *raw = NULL;
            char d[64];
            if ((rc = lstr_set(&raw, text, len)) || !raw) return rc;
            ldate_norm(raw, d, sizeof d);
            free(raw);
            return lstr_set(&e->listed_on, d, strlen(d));
        }
        if (!strcmp(name, "COMMENTS1")) return lstr_append(&e->remarks, "; ", text, len);
        if (!strcmp(name, "NAME_ORIGINAL_SCRIPT")) {
            char *v = NULL;
            if ((rc = lstr_set(&v, text, len)) || !v) return rc;
            rc = lentry_name(e, v, "original_script");
            free(v);
            return rc;
        }
        static const char *const pn[4] = {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"};
        for (int i = 0; i < 4; i++)
            if (!strcmp(name, pn[i])) return lstr_set(&u->parts[i], text, len);
        return SW_OK;
    }
    if (depth == 4 && u->sub != SUB_NONE) {
        if (u->sub == SUB_NAT && !strcmp(name, "VALUE")) {
            char *v = NULL;
            if ((rc = lstr_set(&v, text, len)) || !v) return rc;
            const char *c[2] = {v, "nationality"};
            rc = lentry_row(e, LR_NAT, 2, c);
            free(v);
            return rc;
        }
        if ((u->sub == SUB_DESIG || u->sub == SUB_TITLE) && !strcmp(name, "VALUE")) {
            char *v = NULL;
            if ((rc = lstr_set(&v, text, len)) || !v) return rc;
            char buf[64];
            snprintf(buf, sizeof buf, "%s: ", u->sub == SUB_DESIG ? "Designation" : "Title");
            if (!(rc = lstr_append(&e->remarks, "; ", buf, strlen(buf))))
                rc = lstr_append(&e->remarks, "", v, strlen(v));
            free(v);
            return rc;
        }
        for (size_t i = 0; i < sizeof slot_names / sizeof slot_names[0]; i++)
            if (!strcmp(name, slot_names[i].name))
                return lstr_set(&u->slots[slot_names[i].slot], text, len);
    }
    return SW_OK;
}

int lists_parse_un(struct lset *s, const char *data, size_t len)
{
    struct un u = {.s = s, .cur = -1};
    struct lxml_cb cb = {un_start, un_end};
    snprintf(s->list, sizeof s->list, "un_sc");
    s->format = SW_LIST_FMT_UN_XML;
    int rc = lxml_walk(s, data, len, "CONSOLIDATED_LIST", &cb, &u);
    if (!rc && !u.nentries_tag)
        rc = lset_fail(s, SW_EFORMAT, "no INDIVIDUALS or ENTITIES in the list");
    clear_slots(&u);
    for (int i = 0; i < 4; i++)
        free(u.parts[i]);
    return rc;
}
