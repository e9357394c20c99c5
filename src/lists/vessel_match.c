/*
 * The rule that says whether a vessel seen matches a designated vessel (sanctwatch/vmatch.h):
 * identifiers match, names need corroboration. Used by the listed_vessel detector and by
 * vessel screening.
 */
#include "sanctwatch/vmatch.h"
#include "sanctwatch/lists.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *sw_vclass_name(int c)
{
    static const char *const names[] = {"unknown",   "tanker",   "cargo",   "fishing", "tug",
                                        "passenger", "pleasure", "service", "other"};
    return c >= 0 && c <= SW_VC_OTHER ? names[c] : "unknown";
}

int sw_vclass_of_ais(int t)
{
    if (t >= 80 && t <= 89) return SW_VC_TANKER;
    if (t >= 70 && t <= 79) return SW_VC_CARGO;
    if (t >= 60 && t <= 69) return SW_VC_PASSENGER;
    if (t >= 40 && t <= 49) return SW_VC_SERVICE; /* high-speed craft */
    switch (t) {
    case 30:
        return SW_VC_FISHING;
    case 31:
    case 32:
    case 52:
        return SW_VC_TUG;
    case 36:
    case 37:
        return SW_VC_PLEASURE;
    case 50:
    case 51:
    case 53:
    case 55:
    case 58:
        return SW_VC_SERVICE;
    case 33:
    case 34:
    case 35:
        return SW_VC_OTHER;
    default:
        return SW_VC_UNKNOWN; /* 0, reserved, 90-99 "other type" */
    }
}

static int has(const char *u, const char *w)
{
    return strstr(u, w) != NULL;
}

int sw_vclass_of_list(const char *t)
{
    char u[96];
    size_t k = 0;
    for (; t && *t && k + 1 < sizeof u; t++)
        u[k++] = (char)toupper((unsigned char)*t);
    u[k] = '\0';
    if (!k) return SW_VC_UNKNOWN;
    if (has(u, "TANK")) return SW_VC_TANKER;
    if (has(u, "TUG") || has(u, "ANCHOR HANDLING") || has(u, "SALVAGE")) return SW_VC_TUG;
    if (has(u, "FISH CARRIER") || has(u, "CARGO") || has(u, "BULK") || has(u, "CONTAINER") ||
        has(u, "RO-RO") || has(u, "ROLL-ON") || has(u, "REEFER") || has(u, "REFRIGERATED") ||
        has(u, "HEAVY LIFT") || has(u, "ORE CARRIER") || has(u, "VEHICLE"))
        return SW_VC_CARGO;
    if (has(u, "FISH") || has(u, "TRAWLER")) return SW_VC_FISHING;
    if (has(u, "PASSENGER") || has(u, "FERRY") || has(u, "CRUISE")) return SW_VC_PASSENGER;
    if (has(u, "YACHT") || has(u, "PLEASURE") || has(u, "SAILING")) return SW_VC_PLEASURE;
    return SW_VC_OTHER;
}

/* A number written with thousands separators ("99,144"); NAN when there is none. */
static double number(const char *s)
{
    char d[32];
    size_t k = 0;
    if (!s) return NAN;
    for (; *s && k + 1 < sizeof d; s++) {
        if (isdigit((unsigned char)*s) || *s == '.')
            d[k++] = *s;
        else if (*s != ',' && *s != ' ' && k)
            break;
    }
    d[k] = '\0';
    return k ? strtod(d, NULL) : NAN;
}

/* Length between perpendiculars from deadweight (L = 5.0 DWT^0.33) or gross tonnage
 * (L = 3.5 GT^0.40): rough fits of merchant ships from 1,000 to 300,000 t (a 100,000 t
 * tanker gives 224 m, a 5,000 GT cargo ship 107 m). The rule uses them with a factor of two
 * of slack either way. */
double sw_listed_length_m(const char *tonnage, const char *grt)
{
    double dwt = number(tonnage), gt = number(grt);
    if (dwt >= 100 && dwt < 1e6) return 5.0 * pow(dwt, 0.33);
    if (gt >= 50 && gt < 1e6) return 3.5 * pow(gt, 0.40);
    return NAN;
}

static int merchant(int c)
{
    return c == SW_VC_UNKNOWN || c == SW_VC_TANKER || c == SW_VC_CARGO;
}

static int small_craft(int c)
{
    return c == SW_VC_FISHING || c == SW_VC_TUG || c == SW_VC_PASSENGER || c == SW_VC_PLEASURE ||
           c == SW_VC_SERVICE;
}

/* The name's corroboration and what rules it out. */
static int name_match(const struct sw_vmatch_listed *l, const struct sw_vmatch_seen *s,
                      struct sw_vmatch *m)
{
    int ac = s->ship_type >= 0 ? sw_vclass_of_ais(s->ship_type) : SW_VC_UNKNOWN;
    if (s->imo && l->imo && s->imo != l->imo && sw_lists_imo_valid(s->imo)) {
        m->why = "its IMO number differs from the listed one";
        return 0;
    }
    if (merchant(l->vclass) && small_craft(ac)) {
        m->why = "its ship type is not the listed ship's";
        return 0;
    }
    if (ac != SW_VC_UNKNOWN && l->vclass != SW_VC_UNKNOWN && ac != l->vclass &&
        !(merchant(ac) && merchant(l->vclass))) {
        m->why = "its ship type is not the listed ship's";
        return 0;
    }
    if (s->length_m > 0) {
        if (!isnan(l->length_m) && s->length_m < l->length_m * 0.5) {
            m->why = "it is far smaller than the listed ship";
            return 0;
        }
        if (isnan(l->length_m) && merchant(l->vclass) && s->length_m < 50) {
            m->why = "it is far smaller than a merchant ship";
            return 0;
        }
    }
    if (l->imo && s->length_m > 0 && s->length_m < 24) {
        /* IMO numbers are for ships of 100 gross tonnage and more (SOLAS XI-1/3) */
        m->why = "it is too small to be the listed ship, which has an IMO number";
        return 0;
    }
    int on = SW_VM_NAME;
    if (ac != SW_VC_UNKNOWN && ac == l->vclass) on |= SW_VM_TYPE;
    /* a listing without type: a tanker or cargo ship of a merchant ship's size fits it */
    if (l->vclass == SW_VC_UNKNOWN && merchant(ac) && ac != SW_VC_UNKNOWN && s->length_m >= 50)
        on |= SW_VM_TYPE;
    if (s->length_m > 0 && !isnan(l->length_m) && s->length_m <= l->length_m * 1.6)
        on |= SW_VM_LENGTH;
    /* the same class corroborates a merchant ship's name; tugs, yachts, fishing and other
     * small craft share names by the thousand, so theirs needs the listed size too */
    if (!merchant(l->vclass) && !(on & SW_VM_LENGTH)) on &= ~SW_VM_TYPE;
    if (!(on & (SW_VM_TYPE | SW_VM_LENGTH))) {
        m->why = "the name alone, with nothing to corroborate it";
        return 0;
    }
    m->on = on;
    m->confidence = (on & SW_VM_TYPE) && (on & SW_VM_LENGTH) ? 0.8 : 0.7;
    return 1;
}

int sw_vmatch(const struct sw_vmatch_listed *l, const struct sw_vmatch_seen *s, struct sw_vmatch *m)
{
    memset(m, 0, sizeof *m);
    m->why = "";
    if (l->imo && s->imo == l->imo) m->on |= SW_VM_IMO;
    if (l->mmsi && s->mmsi == l->mmsi) m->on |= SW_VM_MMSI;
    if (m->on & SW_VM_IMO) {
        m->confidence = 0.95;
    } else if (m->on & SW_VM_MMSI) {
        /* an MMSI is reassigned when a ship leaves a flag: a valid IMO of another ship says
         * the MMSI is someone else's now */
        int other = s->imo && l->imo && s->imo != l->imo && sw_lists_imo_valid(s->imo);
        m->confidence = other ? 0.6 : 0.9;
    }
    if (s->name_equal) {
        struct sw_vmatch n = *m;
        n.on = 0;
        if (name_match(l, s, &n)) {
            m->on |= n.on;
            if (m->confidence < n.confidence) m->confidence = n.confidence;
        } else if (!m->on) {
            m->why = n.why;
        }
    }
    return m->on != 0;
}

const char *sw_vmatch_corroboration(int on)
{
    if (on & SW_VM_IMO) return "imo";
    if (on & SW_VM_MMSI) return "mmsi";
    if ((on & SW_VM_TYPE) && (on & SW_VM_LENGTH)) return "name+type+length";
    if (on & SW_VM_TYPE) return "name+type";
    if (on & SW_VM_LENGTH) return "name+length";
    return "name";
}
