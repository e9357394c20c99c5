/*
 * listed_vessel: a vessel whose IMO or MMSI is a designated vessel's, or whose name is one of
 * its names with a compatible type. The designated vessels are read once from the lists
 * tables into sorted in-memory indexes by IMO, MMSI and normalised name (also used by
 * identity_fraud). docs/detection.md, listed_vessel.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/query.h"
#include "sanctwatch/timeutil.h"
#include "sanctwatch/vmatch.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LISTED 200000

/* Upper-case ASCII letters and digits only: "Chon Ma-San" -> "CHONMASAN". */
void det_norm_name(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++)
        if (isalnum((unsigned char)*s) && !((unsigned char)*s & 0x80))
            out[k++] = (char)toupper((unsigned char)*s);
    out[k] = '\0';
}

/* ---- the designated vessels */

int sw_detect_add_listed(struct sw_detect *d, const char *ref, uint32_t imo, uint32_t mmsi,
                         const char *name, const char *list, const char *vessel_type,
                         const char *tonnage)
{
    if (d->nls >= MAX_LISTED) return SW_ETOOBIG;
    if (d->nls == d->capls) {
        size_t nc = d->capls ? d->capls * 2 : 64;
        struct listed *nl = realloc(d->ls, nc * sizeof *nl);
        if (!nl) return SW_ENOMEM;
        d->ls = nl;
        d->capls = nc;
    }
    struct listed *l = &d->ls[d->nls++];
    memset(l, 0, sizeof *l);
    snprintf(l->ref, sizeof l->ref, "%s", ref ? ref : "");
    snprintf(l->list, sizeof l->list, "%s", list ? list : "");
    l->imo = imo;
    l->mmsi = mmsi;
    l->vclass = sw_vclass_of_list(vessel_type);
    l->length_m = sw_listed_length_m(tonnage, NULL);
    l->by = l->after = SW_TIME_NONE;
    if (name) det_norm_name(name, l->name, sizeof l->name);
    /* one group per entry: the records of one ref and list in a row */
    if (d->nls > 1 && !strcmp(l[-1].ref, l->ref) && !strcmp(l[-1].list, l->list))
        l->group = l[-1].group;
    else
        l->group = d->ls_groups++;
    d->ls_dirty = 1;
    d->st.listed_loaded++;
    return SW_OK;
}

static int cmp_imo(const void *a, const void *b)
{
    uint32_t x = ((const struct listed *)a)->imo, y = ((const struct listed *)b)->imo;
    return x < y ? -1 : x > y;
}
static int cmp_mmsi(const void *a, const void *b)
{
    uint32_t x = ((const struct listed *)a)->mmsi, y = ((const struct listed *)b)->mmsi;
    return x < y ? -1 : x > y;
}
static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const struct listed *)a)->name, ((const struct listed *)b)->name);
}

/* Three sorted copies of the records (by IMO, MMSI, name) for binary search. */
int det_ls_index(struct sw_detect *d)
{
    if (!d->ls_dirty) return SW_OK;
    struct listed **ix[3] = {&d->by_imo, &d->by_mmsi, &d->by_name};
    int (*cmp[3])(const void *, const void *) = {cmp_imo, cmp_mmsi, cmp_name};
    for (int k = 0; k < 3; k++) {
        free(*ix[k]);
        *ix[k] = malloc(d->nls * sizeof(struct listed) + 1);
        if (!*ix[k]) return SW_ENOMEM;
        memcpy(*ix[k], d->ls, d->nls * sizeof(struct listed));
        qsort(*ix[k], d->nls, sizeof(struct listed), cmp[k]);
    }
    d->ls_dirty = 0;
    return SW_OK;
}

/* First listed record with key (kind 0 imo, 1 mmsi, 2 name), or NULL. */
const struct listed *det_ls_find(const struct sw_detect *d, int kind, uint32_t num,
                                 const char *name)
{
    const struct listed *ix = kind == 0 ? d->by_imo : kind == 1 ? d->by_mmsi : d->by_name;
    size_t lo = 0, hi = d->nls;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        const struct listed *l = &ix[m];
        int c = kind == 0   ? (l->imo < num ? -1 : l->imo > num)
                : kind == 1 ? (l->mmsi < num ? -1 : l->mmsi > num)
                            : strcmp(l->name, name);
        if (c < 0)
            lo = m + 1;
        else
            hi = m;
    }
    if (lo >= d->nls) return NULL;
    const struct listed *l = &ix[lo];
    if (kind == 0 ? l->imo == num : kind == 1 ? l->mmsi == num : !strcmp(l->name, name)) return l;
    return NULL;
}

/* Does normalised name belong to the entry (group) of l? */
int det_ls_group_has_name(const struct sw_detect *d, uint32_t group, const char *name)
{
    for (size_t i = 0; i < d->nls; i++)
        if (d->ls[i].group == group && d->ls[i].name[0] && !strcmp(d->ls[i].name, name)) return 1;
    return 0;
}

void det_lists_free(struct sw_detect *d)
{
    free(d->ls);
    free(d->by_imo);
    free(d->by_mmsi);
    free(d->by_name);
}

/* One designated vessel of the store: a record per name, one group per entry. */
static int load_one(void *ctx, const struct sw_designated_row *r)
{
    struct sw_detect *d = ctx;
    for (size_t i = 0; i < (r->n_names ? r->n_names : 1); i++) {
        int rc =
            sw_detect_add_listed(d, r->ref, r->imo, r->mmsi, r->n_names ? r->names[i] : r->name,
                                 r->list, r->vessel_type, r->tonnage);
        if (rc != SW_OK) return rc;
        struct listed *l = &d->ls[d->nls - 1];
        if (i) l->group = l[-1].group; /* one group per entry */
        l->length_m = sw_listed_length_m(r->tonnage, r->grt);
        l->by = r->listed_by;
        l->after = r->listed_after;
    }
    return SW_OK;
}

int det_lists_load(struct sw_detect *d, char *err)
{
    if (err) err[0] = '\0';
    int rc = sw_query_designated(d->db, NULL, load_one, d, err);
    if (rc != SW_OK && err && !err[0])
        snprintf(err, SW_ERRMAX, "cannot load the designated vessels: %s", sw_strerror(rc));
    return rc;
}

const char *det_ls_designation(const struct listed *l, int64_t t)
{
    if (l->after != SW_TIME_NONE && t < l->after) return "after_sighting";
    if (l->by == SW_TIME_NONE || t >= l->by) return "before_sighting";
    return "unknown";
}

/* ---- listed_vessel */

/* The designated vessel of l's entry, as the matching rule sees it. */
static void as_listed(const struct listed *l, struct sw_vmatch_listed *o)
{
    o->imo = l->imo;
    o->mmsi = l->mmsi;
    o->vclass = l->vclass;
    o->length_m = l->length_m;
}

struct best {
    const struct listed *l;
    struct sw_vmatch m;
    const char *why; /* a name match ruled out, and why */
};

/* Every listed record with the key (kind as det_ls_find) tried against the vessel seen. */
static void try_key(struct sw_detect *d, int kind, uint32_t num, const char *name, const char *nn,
                    struct sw_vmatch_seen *seen, struct best *b)
{
    const struct listed *ix = kind == 0 ? d->by_imo : kind == 1 ? d->by_mmsi : d->by_name;
    const struct listed *l = det_ls_find(d, kind, num, name);
    for (; l && l < ix + d->nls; l++) {
        if (kind == 0 ? l->imo != num : kind == 1 ? l->mmsi != num : strcmp(l->name, name) != 0)
            break;
        struct sw_vmatch_listed ll;
        struct sw_vmatch m;
        as_listed(l, &ll);
        seen->name_equal = nn[0] && det_ls_group_has_name(d, l->group, nn);
        if (sw_vmatch(&ll, seen, &m)) {
            if (!b->l || m.confidence > b->m.confidence) {
                b->l = l;
                b->m = m;
            }
        } else if (m.why[0] && !b->why) {
            b->why = m.why;
        }
    }
}

static int listed_event(struct sw_detect *d, const struct det_rec *x, const struct best *b,
                        const struct sw_vmatch_seen *seen)
{
    int64_t t = x->r->t_ms;
    json_t *ev = det_event_new(SW_DT_LISTED_VESSEL, t, t, 0, x->has_prev ? x->prev.lat : NAN,
                               x->has_prev ? x->prev.lon : NAN, b->m.confidence);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, x->dv->mmsi);
    json_t *dt = det_details(ev, "listed_vessel"), *on = json_array();
    if (b->m.on & SW_VM_IMO) json_array_append_new(on, json_string("imo"));
    if (b->m.on & SW_VM_MMSI) json_array_append_new(on, json_string("mmsi"));
    if (b->m.on & SW_VM_NAME) json_array_append_new(on, json_string("name"));
    json_object_set_new(dt, "matched_on", on);
    json_object_set_new(dt, "corroboration", json_string(sw_vmatch_corroboration(b->m.on)));
    json_object_set_new(dt, "list", json_string(b->l->list));
    json_object_set_new(dt, "entry", json_string(b->l->ref));
    json_object_set_new(dt, "listed_class", json_string(sw_vclass_name(b->l->vclass)));
    det_num(dt, "listed_length_m", round(b->l->length_m));
    if (b->l->imo) json_object_set_new(dt, "listed_imo", json_integer(b->l->imo));
    /* a sighting from before the designation is of the hull, not of a listed vessel */
    json_object_set_new(dt, "designation", json_string(det_ls_designation(b->l, t)));
    char day[32];
    if (b->l->by != SW_TIME_NONE)
        json_object_set_new(dt, "listed_by", json_stringn(sw_time_format(b->l->by, 0, day), 10));
    if (b->l->after != SW_TIME_NONE)
        json_object_set_new(dt, "listed_after",
                            json_stringn(sw_time_format(b->l->after, 0, day), 10));
    if (seen->ship_type >= 0) det_num(dt, "ship_type", seen->ship_type);
    json_object_set_new(
        dt, "ship_class",
        json_string(sw_vclass_name(seen->ship_type >= 0 ? sw_vclass_of_ais(seen->ship_type)
                                                        : SW_VC_UNKNOWN)));
    if (seen->length_m > 0) det_num(dt, "length_m", seen->length_m);
    if (x->has_prev) det_event_fix(ev, &x->prev, "latest");
    return det_event_finish(d, ev, SW_DT_LISTED_VESSEL);
}

/* A vessel matches a designated vessel on its IMO number or MMSI, or on its name with a
 * compatible type or size and no contradicting IMO (sanctwatch/vmatch.h). Once per vessel,
 * again when its name or IMO changes. */
int det_listed(struct sw_detect *d, const struct det_rec *x)
{
    struct dvessel *dv = x->dv;
    const char *name = det_ident(d, x->slot)->name;
    if (!d->nls || dv->listed_done || !det_enabled(d, SW_DT_LISTED_VESSEL)) return SW_OK;
    int rc = det_ls_index(d);
    if (rc) return rc;
    const struct sw_identity *id = &x->v->id;
    struct sw_vmatch_seen seen = {dv->imo, dv->mmsi,
                                  (id->fields & SW_F_SHIPTYPE) ? id->ship_type : -1,
                                  (id->fields & SW_F_DIMS) && id->length_m ? id->length_m : -1, 0};
    struct best b = {NULL, {0, 0, ""}, NULL};
    char nn[64] = "";
    if (name[0]) det_norm_name(name, nn, sizeof nn);
    if (strlen(nn) < 3) nn[0] = '\0';
    if (dv->imo) try_key(d, 0, dv->imo, NULL, nn, &seen, &b);
    try_key(d, 1, dv->mmsi, NULL, nn, &seen, &b);
    if (nn[0]) try_key(d, 2, 0, nn, nn, &seen, &b);
    if (!b.l) {
        if (b.why && !(dv->fraud_done & 16)) {
            dv->fraud_done |= 16; /* counted once per vessel */
            d->st.listed_ruled_out++;
        }
        return SW_OK;
    }
    dv->listed_done = (uint8_t)(((b.m.on & SW_VM_MMSI) ? 1 : 0) | ((b.m.on & SW_VM_IMO) ? 2 : 0) |
                                ((b.m.on & SW_VM_NAME) ? 4 : 0));
    return listed_event(d, x, &b, &seen);
}
