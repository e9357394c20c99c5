/*
 * Sanctions lists: OFAC's XML (root sdnList, schema sdnList.xsd), the form of both sdn.xml
 * and consolidated.xml (the non-SDN lists). Identifiers arrive as idType/idNumber pairs with
 * the labels of the CSV remarks (ofac_items.c). Mapping: docs/lists.md.
 */
#include "lists_int.h"

#include "sanctwatch/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_A, F_B, F_C, F_D, F_E, F_F, F_G, F_N };

struct ox {
    struct lset *s;
    long cur;
    char *first, *last;
    char *f[F_N]; /* the fields of the sub-record being read */
    int in_vessel;
    int saw_publish;
    char sub[32]; /* name of the depth-3 element being read */
};

static void clear(struct ox *o)
{
    for (int i = 0; i < F_N; i++) {
        free(o->f[i]);
        o->f[i] = NULL;
    }
}

static int ox_start(void *ctx, int depth, const char *name, void *reader)
{
    struct ox *o = ctx;
    if (depth == 1 && !strcmp(name, "sdnEntry")) {
        struct lentry *e;
        int rc = lset_add(o->s, &e);
        if (rc) return rc;
        o->cur = (long)(o->s->n - 1);
        e->type = SW_ENTRY_OTHER;
        free(o->first);
        free(o->last);
        o->first = o->last = NULL;
    }
    if (depth == 2 && !strcmp(name, "vesselInfo")) o->in_vessel = 1;
    if (depth == 3) clear(o);
    return SW_OK;
}

/* the slot of a field inside a sub-record (depth 4) */
static int field_slot(const char *parent_hint, const char *name)
{
    static const char *const names[][F_N] = {
        /* id */ {"idType", "idNumber", "idCountry", "issueDate", "expirationDate", NULL, NULL},
        /* aka */ {"type", "category", "lastName", "firstName", NULL, NULL, NULL},
        /* address */
        {"address1", "address2", "address3", "city", "stateOrProvince", "postalCode", "country"},
        /* others */ {"country", "dateOfBirth", "placeOfBirth", "mainEntry", NULL, NULL, NULL},
    };
    int row = !strcmp(parent_hint, "id")        ? 0
              : !strcmp(parent_hint, "aka")     ? 1
              : !strcmp(parent_hint, "address") ? 2
                                                : 3;
    for (int i = 0; i < F_N; i++)
        if (names[row][i] && !strcmp(names[row][i], name)) return i;
    return -1;
}

static int flush(struct ox *o, struct lentry *e, const char *sub)
{
    char **f = o->f;
    int rc = SW_OK;
    if (!strcmp(sub, "id")) {
        rc = lofac_id(e, f[F_A], f[F_B], f[F_C]);
        if (rc == 0 && f[F_A] && f[F_B]) { /* not an identifier: keep it in the remarks */
            if (!(rc = lstr_append(&e->remarks, "; ", f[F_A], strlen(f[F_A]))))
                rc = lstr_append(&e->remarks, " ", f[F_B], strlen(f[F_B]));
        }
        return rc < 0 ? rc : SW_OK;
    }
    if (!strcmp(sub, "aka")) {
        char *n = NULL;
        if (f[F_C] && (rc = lstr_append(&n, "", f[F_C], strlen(f[F_C])))) return rc;
        if (f[F_D] && (rc = lstr_append(&n, ", ", f[F_D], strlen(f[F_D])))) {
            free(n);
            return rc;
        }
        const char *t = f[F_A] ? f[F_A] : "a.k.a.";
        const char *q = !strcmp(t, "f.k.a.")                ? "fka"
                        : !strcmp(t, "n.k.a.")              ? "nka"
                        : f[F_B] && !strcmp(f[F_B], "weak") ? "aka_weak"
                                                            : "aka";
        rc = n ? lentry_name(e, n, q) : SW_OK;
        free(n);
        return rc;
    }
    if (!strcmp(sub, "address")) {
        char *street = NULL;
        for (int i = F_A; i <= F_C && !rc; i++)
            if (f[i]) rc = lstr_append(&street, ", ", f[i], strlen(f[i]));
        const char *c[7] = {"address", street, f[F_D], f[F_E], f[F_F], f[F_G], NULL};
        if (!rc) rc = lentry_row(e, LR_ADDR, 7, c);
        free(street);
        return rc;
    }
    if (!strcmp(sub, "nationality") || !strcmp(sub, "citizenship")) {
        const char *c[2] = {f[F_A], sub[0] == 'n' ? "nationality" : "citizenship"};
        return lentry_row(e, LR_NAT, 2, c);
    }
    if (!strcmp(sub, "dateOfBirthItem") && f[F_B]) {
        char d[64], y[8] = "";
        ldate_norm(f[F_B], d, sizeof d);
        if (d[0] >= '0' && d[0] <= '9') snprintf(y, sizeof y, "%.4s", d);
        const char *c[4] = {d, y[0] ? y : NULL, y[0] ? y : NULL, NULL};
        return lentry_row(e, LR_DOB, 4, c);
    }
    if (!strcmp(sub, "placeOfBirthItem") && f[F_C]) {
        char *comma = strrchr(f[F_C], ',');
        const char *c[7] = {"birth_place", NULL, NULL, NULL, NULL, NULL, NULL};
        if (comma) {
            *comma = '\0';
            c[2] = f[F_C];
            c[5] = comma + 1;
        } else {
            c[5] = f[F_C];
        }
        return lentry_row(e, LR_ADDR, 7, c);
    }
    return SW_OK;
}

static int set_date(char **slot, const char *text, size_t len)
{
    char *raw = NULL;
    int rc = lstr_set(&raw, text, len);
    if (rc || !raw) return rc;
    unsigned m, d, y;
    char out[40], tail;
    if (sscanf(raw, "%2u/%2u/%4u%c", &m, &d, &y, &tail) == 3)
        snprintf(out, sizeof out, "%04u-%02u-%02u", y, m, d);
    else
        ldate_norm(raw, out, sizeof out);
    free(raw);
    return lstr_set(slot, out, strlen(out));
}

static int ox_end(void *ctx, int depth, const char *name, const char *text, size_t len)
{
    struct ox *o = ctx;
    int rc = SW_OK;
    if (depth == 2 && !strcmp(name, "Publish_Date")) {
        char *d = NULL;
        o->saw_publish = 1;
        if ((rc = set_date(&d, text, len)) || !d) return rc;
        snprintf(o->s->edition, sizeof o->s->edition, "%s", d);
        free(d);
        return SW_OK;
    }
    if (o->cur < 0) return SW_OK;
    struct lentry *e = &o->s->e[o->cur];
    if (depth == 1) { /* end of sdnEntry */
        if (!e->ref) return lset_fail(o->s, SW_EFORMAT, "sdnEntry without uid");
        if (o->last && (rc = lstr_append(&e->name, "", o->last, strlen(o->last)))) return rc;
        if (o->first && (rc = lstr_append(&e->name, ", ", o->first, strlen(o->first)))) return rc;
        if (!e->name) return lset_fail(o->s, SW_EFORMAT, "sdnEntry %s without a name", e->ref);
        const char *c[2] = {e->name, "primary"};
        if ((rc = lentry_row(e, LR_NAME, 2, c))) return rc;
        lentry_primary_first(e);
        if (e->owner) {
            const char *l[3] = {"owner", NULL, e->owner};
            if ((rc = lentry_row(e, LR_LINK, 3, l))) return rc;
        }
        o->cur = -1;
        return SW_OK;
    }
    if (depth == 2) {
        if (!strcmp(name, "vesselInfo"))
            o->in_vessel = 0;
        else if (!strcmp(name, "uid"))
            rc = lstr_set(&e->ref, text, len);
        else if (!strcmp(name, "firstName"))
            rc = lstr_set(&o->first, text, len);
        else if (!strcmp(name, "lastName"))
            rc = lstr_set(&o->last, text, len);
        else if (!strcmp(name, "remarks"))
            rc = lstr_append(&e->remarks, "; ", text, len);
        else if (!strcmp(name, "title")) {
            if (!(rc = lstr_append(&e->remarks, "; ", "Title: ", 7)))
                rc = lstr_append(&e->remarks, "", text, len);
        } else if (!strcmp(name, "sdnType")) {
            char *t = NULL;
            if ((rc = lstr_set(&t, text, len))) return rc;
            e->type = !t                         ? SW_ENTRY_OTHER
                      : !strcmp(t, "Individual") ? SW_ENTRY_PERSON
                      : !strcmp(t, "Entity")     ? SW_ENTRY_ORGANIZATION
                      : !strcmp(t, "Vessel")     ? SW_ENTRY_VESSEL
                      : !strcmp(t, "Aircraft")   ? SW_ENTRY_AIRCRAFT
                                                 : SW_ENTRY_OTHER;
            free(t);
        }
        return rc;
    }
    if (depth == 3) {
        if (o->in_vessel) {
            char **slot = !strcmp(name, "vesselType")               ? &e->vtype
                          : !strcmp(name, "vesselFlag")             ? &e->vflag
                          : !strcmp(name, "vesselOwner")            ? &e->owner
                          : !strcmp(name, "tonnage")                ? &e->tonnage
                          : !strcmp(name, "grossRegisteredTonnage") ? &e->grt
                                                                    : NULL;
            if (slot) return lstr_set(slot, text, len);
            if (!strcmp(name, "callSign")) {
                char *v = NULL;
                if ((rc = lstr_set(&v, text, len)) || !v) return rc;
                rc = lentry_id(e, "call_sign", v, NULL, NULL);
                free(v);
            }
            return rc;
        }
        if (!strcmp(name, "program")) return lstr_append(&e->programmes, "; ", text, len);
        rc = flush(o, e, name);
        clear(o);
        return rc;
    }
    if (depth == 4) {
        int i = field_slot(o->sub, name);
        if (i < 0) i = field_slot("", name);
        if (i >= 0) return lstr_set(&o->f[i], text, len);
    }
    return SW_OK;
}

static int ox_start_track(void *ctx, int depth, const char *name, void *reader)
{
    struct ox *o = ctx;
    if (depth == 3) snprintf(o->sub, sizeof o->sub, "%s", name);
    return ox_start(ctx, depth, name, reader);
}

int lists_parse_ofac_xml(struct lset *s, const char *data, size_t len)
{
    struct ox o = {.s = s, .cur = -1};
    struct lxml_cb cb = {ox_start_track, ox_end};
    snprintf(s->list, sizeof s->list, "ofac_sdn");
    s->format = SW_LIST_FMT_OFAC_XML;
    int rc = lxml_walk(s, data, len, "sdnList", &cb, &o);
    clear(&o);
    free(o.first);
    free(o.last);
    return rc;
}
