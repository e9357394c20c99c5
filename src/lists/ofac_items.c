/*
 * Sanctions lists: OFAC's identifier vocabulary. The SDN CSV keeps identifiers, weak
 * aliases, dates and places of birth inside the free-text remarks ("Passport 123 (Egypt);
 * a.k.a. 'X'; Vessel Registration Identification IMO 1234567; MMSI 273..."), and the XML
 * keeps them as idType/idNumber pairs with the same labels. Both go through this table.
 */
#include "lists_int.h"

#include "sanctwatch/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* label as OFAC writes it -> entry_ids kind */
static const struct {
    const char *label;
    const char *kind;
} id_labels[] = {
    {"Vessel Registration Identification", "vessel_reg"}, /* IMO or national, see below */
    {"Identification Number IMO", "imo"},
    {"Company Number IMO", "imo"},
    {"MMSI", "mmsi"},
    {"Passport", "passport"},
    {"Diplomatic Passport", "passport"},
    {"National ID No.", "national_id"},
    {"Cedula No.", "national_id"},
    {"C.U.R.P.", "national_id"},
    {"D.N.I.", "national_id"},
    {"National Foreign ID Number", "national_id"},
    {"Personal ID Card", "national_id"},
    {"Identification Number", "other"},
    {"Tax ID No.", "tax_id"},
    {"R.F.C.", "tax_id"},
    {"NIT #", "tax_id"},
    {"RUC #", "tax_id"},
    {"V.A.T. Number", "tax_id"},
    {"Registration ID", "registration"},
    {"Registration Number", "registration"},
    {"Company Number", "registration"},
    {"Business Registration Number", "registration"},
    {"Business Registration Document #", "registration"},
    {"Commercial Registry Number", "registration"},
    {"Chamber of Commerce Number", "registration"},
    {"Unified Social Credit Code (USCC)", "registration"},
    {"Legal Entity Number", "registration"},
    {"Trade License No.", "registration"},
    {"Public Registration Number", "registration"},
    {"Certificate of Incorporation Number", "registration"},
    {"D-U-N-S Number", "registration"},
    {"Aircraft Tail Number", "registration"},
    {"SWIFT/BIC", "swift"},
    {"Aircraft Manufacturer's Serial Number (MSN)", "aircraft_serial"},
    {"Aircraft Construction Number (also called L/N or S/N or F/N)", "aircraft_serial"},
    {"Driver's License No.", "other"},
};

static size_t trim(const char **s, size_t len)
{
    while (len && (isspace((unsigned char)(*s)[0])))
        (*s)++, len--;
    while (len && (isspace((unsigned char)(*s)[len - 1]) || (*s)[len - 1] == '.'))
        len--;
    return len;
}

static int prefix(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len > n && !strncmp(s, p, n) && (s[n] == ' ' || s[n] == ':');
}

static char *dup(const char *s, size_t len)
{
    char *d = NULL;
    if (lstr_set(&d, s, len)) return NULL;
    return d;
}

/* value [(country)] [rest] */
static int add_id(struct lentry *e, const char *kind, const char *label, const char *v, size_t len,
                  const char *country_given)
{
    len = trim(&v, len);
    const char *open = memchr(v, '(', len);
    char *value = NULL, *country = NULL, *note = NULL;
    int rc = SW_OK;
    size_t vl = open ? (size_t)(open - v) : len;
    if (open) {
        const char *close = memchr(open, ')', len - (size_t)(open - v));
        if (close) {
            country = dup(open + 1, (size_t)(close - open - 1));
            const char *after = close + 1;
            size_t al = len - (size_t)(after - v);
            size_t tl = trim(&after, al);
            if (tl) note = dup(after, tl);
        } else {
            vl = len;
        }
    }
    value = dup(v, vl);
    if (!value) goto out;
    const char *k = kind;
    char lab[160];
    snprintf(lab, sizeof lab, "%s%s%s", label, note ? "; " : "", note ? note : "");
    if (!strcmp(kind, "vessel_reg")) {
        /* "IMO 1234567" is the IMO number; a bare 7-digit number without a country is one
         * written without its prefix (OFAC's RYONG GUN BONG); anything else is a national
         * registration */
        const char *p = value;
        size_t n = 0;
        if (!strncmp(p, "IMO", 3)) {
            k = "imo";
        } else {
            while (isdigit((unsigned char)p[n]))
                n++;
            k = n == 7 && p[7] == '\0' && !country ? "imo" : "registration";
            if (!strcmp(k, "imo")) snprintf(lab, sizeof lab, "%s (no IMO prefix)", label);
        }
    }
    rc = lentry_id(e, k, value, country_given ? country_given : country, lab);
out:
    free(value);
    free(country);
    free(note);
    return rc < 0 ? rc : 1;
}

int lofac_id(struct lentry *e, const char *type, const char *number, const char *country)
{
    if (!type || !number) return 0;
    const char *t = type;
    size_t tl = trim(&t, strlen(type));
    int alt = 0;
    if (tl > 5 && !strncmp(t, "alt. ", 5)) t += 5, tl -= 5, alt = 1;
    (void)alt;
    if (tl == 18 && !strncmp(t, "Former Vessel Flag", 18)) {
        if (!strcmp(number, "None Identified")) return 1;
        const char *c[1] = {number};
        int rc = lentry_row(e, LR_FFLAG, 1, c);
        return rc < 0 ? rc : 1;
    }
    if (tl > 22 && !strncmp(t, "Digital Currency Address", 24 < tl ? 24 : tl)) {
        /* "Digital Currency Address - XBT" */
        const char *cur = t + tl;
        while (cur > t && cur[-1] != ' ')
            cur--;
        char note[16];
        snprintf(note, sizeof note, "%.*s", (int)(t + tl - cur), cur);
        int rc = lentry_id(e, "crypto", number, NULL, note);
        return rc < 0 ? rc : 1;
    }
    for (size_t i = 0; i < sizeof id_labels / sizeof id_labels[0]; i++) {
        if (strlen(id_labels[i].label) == tl && !strncmp(t, id_labels[i].label, tl))
            return add_id(e, id_labels[i].kind, id_labels[i].label, number, strlen(number),
                          country);
    }
    return 0;
}

static int add_name(struct lentry *e, const char *quality, const char *v, size_t len)
{
    len = trim(&v, len);
    if (len >= 2 && (v[0] == '\'' || v[0] == '"')) v++, len--;
    if (len && (v[len - 1] == '\'' || v[len - 1] == '"')) len--;
    char *n = dup(v, len);
    if (!n) return 0;
    int rc = lentry_name(e, n, quality);
    free(n);
    return rc < 0 ? rc : 1;
}

int lofac_item(struct lentry *e, const char *item, size_t len)
{
    const char *s = item;
    len = trim(&s, len);
    if (len > 5 && !strncmp(s, "alt. ", 5)) s += 5, len -= 5;
    if (!len) return 0;
    if (prefix(s, len, "a.k.a.")) return add_name(e, "aka_weak", s + 6, len - 6);
    if (prefix(s, len, "f.k.a.")) return add_name(e, "fka", s + 6, len - 6);
    if (prefix(s, len, "n.k.a.")) return add_name(e, "nka", s + 6, len - 6);
    char *v = NULL;
    int rc = 0;
    if (prefix(s, len, "DOB")) {
        if (!(v = dup(s + 4, len - 4))) return 0;
        char d[64] = "", y1[8] = "", y2[8] = "";
        const char *note = NULL;
        const char *to = strstr(v, " to ");
        if (!strncmp(v, "circa ", 6)) {
            ldate_norm(v + 6, d, sizeof d);
            note = "circa";
        } else if (to) {
            snprintf(y1, sizeof y1, "%.4s", v + (to - v >= 4 ? to - v - 4 : 0));
            snprintf(y2, sizeof y2, "%.4s",
                     to + 4 + (strlen(to + 4) >= 4 ? strlen(to + 4) - 4 : 0));
            snprintf(d, sizeof d, "%s", v);
            note = "between";
        } else {
            ldate_norm(v, d, sizeof d);
        }
        if (!y1[0] && isdigit((unsigned char)d[0])) snprintf(y1, sizeof y1, "%.4s", d);
        const char *c[4] = {d, y1[0] ? y1 : NULL, y2[0] ? y2 : (y1[0] ? y1 : NULL), note};
        rc = lentry_row(e, LR_DOB, 4, c);
    } else if (prefix(s, len, "POB")) {
        if (!(v = dup(s + 4, len - 4))) return 0;
        char *comma = strrchr(v, ',');
        const char *c[7] = {"birth_place", NULL, NULL, NULL, NULL, NULL, NULL};
        if (comma) {
            *comma = '\0';
            c[2] = v;
            c[5] = comma + 1;
        } else {
            c[5] = v;
        }
        rc = lentry_row(e, LR_ADDR, 7, c);
    } else if (prefix(s, len, "nationality") || prefix(s, len, "citizen")) {
        int nat = s[0] == 'n';
        size_t skip = nat ? 12 : 8;
        if (!(v = dup(s + skip, len - skip))) return 0;
        const char *c[2] = {v, nat ? "nationality" : "citizenship"};
        rc = lentry_row(e, LR_NAT, 2, c);
    } else if (prefix(s, len, "Linked To")) {
        const char *t = s + 9;
        size_t tl = len - 9;
        if (tl && *t == ':') t++, tl--;
        if (!(v = dup(t, tl))) return 0;
        const char *c[3] = {"linked", NULL, v};
        rc = lentry_row(e, LR_LINK, 3, c);
    } else {
        /* "<label> <value>": the longest known label that prefixes the item */
        size_t best = 0;
        for (size_t i = 0; i < sizeof id_labels / sizeof id_labels[0]; i++) {
            size_t n = strlen(id_labels[i].label);
            if (n > best && prefix(s, len, id_labels[i].label)) best = n;
        }
        if (prefix(s, len, "Former Vessel Flag")) best = 18;
        if (prefix(s, len, "Digital Currency Address -")) {
            const char *sp = memchr(s + 27, ' ', len - 27);
            best = sp ? (size_t)(sp - s) : 0;
        }
        if (!best) return 0;
        char *label = dup(s, best);
        if (!label || !(v = dup(s + best, len - best))) {
            free(label);
            return 0;
        }
        rc = lofac_id(e, label, v, NULL);
        free(label);
        free(v);
        return rc;
    }
    free(v);
    return rc < 0 ? rc : 1;
}
