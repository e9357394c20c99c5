/*
 * Identity rules on the static part of the stream: identity_change (a name, call sign or IMO
 * that changes, confirmed by repetition so a garbled message is not a change; an IMO number
 * that moves to a new MMSI, i.e. a new flag), identity_fraud (wrong IMO check digit,
 * unallocated MID, a listed vessel's IMO broadcast under another identity) and listed_vessel
 * (IMO, MMSI, or name and type of a designated vessel). The designated vessels are read once
 * from the lists tables (lists.h) into sorted in-memory indexes.
 */
#include "detect_int.h"

#include "sanctwatch/store.h"
#include "sanctwatch/error.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/mid.h"
#include "sanctwatch/timeutil.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LISTED 200000

static int enabled(const struct sw_detect *d, int type)
{
    return (d->p.enabled >> type) & 1;
}

/* Upper-case ASCII letters and digits only: "Chon Ma-San" -> "CHONMASAN". */
static void norm_name(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++)
        if (isalnum((unsigned char)*s) && !((unsigned char)*s & 0x80))
            out[k++] = (char)toupper((unsigned char)*s);
    out[k] = '\0';
}

static char type_class_text(const char *t)
{
    char u[64];
    size_t k = 0;
    for (; t && *t && k + 1 < sizeof u; t++)
        u[k++] = (char)toupper((unsigned char)*t);
    u[k] = '\0';
    if (strstr(u, "TANK")) return 'T';
    if (strstr(u, "CARGO") || strstr(u, "BULK") || strstr(u, "CONTAINER") || strstr(u, "GENERAL"))
        return 'C';
    if (strstr(u, "FISH")) return 'F';
    return 0;
}

static char type_class_ais(int st)
{
    if (st >= 80 && st <= 89) return 'T';
    if (st >= 70 && st <= 79) return 'C';
    if (st == 30) return 'F';
    return 0;
}

/* ---- the designated vessels */

int sw_detect_add_listed(struct sw_detect *d, const char *ref, uint32_t imo, uint32_t mmsi,
                         const char *name, const char *list)
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
    if (name) norm_name(name, l->name, sizeof l->name);
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
static int ls_index(struct sw_detect *d)
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
static const struct listed *ls_find(const struct sw_detect *d, int kind, uint32_t num,
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
static int group_has_name(const struct sw_detect *d, uint32_t group, const char *name)
{
    for (size_t i = 0; i < d->nls; i++)
        if (d->ls[i].group == group && d->ls[i].name[0] && !strcmp(d->ls[i].name, name)) return 1;
    return 0;
}

int det_lists_load(struct sw_detect *d, char *err)
{
    sqlite3_stmt *st = NULL;
    int rc = SW_OK;
    if (!sw_store_has_table(d->db, "entries") || !sw_store_has_table(d->db, "entry_ids"))
        return SW_OK; /* no lists imported into this database */
    static const char *q =
        "SELECT e.id, e.list, e.ref, n.name,"
        " (SELECT norm FROM entry_ids i WHERE i.entry=e.id AND i.kind='imo' LIMIT 1),"
        " (SELECT norm FROM entry_ids i WHERE i.entry=e.id AND i.kind='mmsi' LIMIT 1),"
        " (SELECT vessel_type FROM entry_vessels v WHERE v.entry=e.id)"
        " FROM entries e JOIN entry_names n ON n.entry=e.id"
        " WHERE e.type='vessel' AND e.active=1 ORDER BY e.id, n.rowid";
    if (sqlite3_prepare_v2(d->db, q, -1, &st, NULL) != SQLITE_OK) {
        if (err)
            snprintf(err, SW_ERRMAX, "cannot read the sanctions lists: %s", sqlite3_errmsg(d->db));
        return SW_EDB;
    }
    int64_t prev = -1;
    uint32_t group = 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *imo = (const char *)sqlite3_column_text(st, 4);
        const char *mmsi = (const char *)sqlite3_column_text(st, 5);
        uint32_t vi = imo ? (uint32_t)strtoul(imo, NULL, 10) : 0;
        uint32_t vm = mmsi ? (uint32_t)strtoul(mmsi, NULL, 10) : 0;
        if ((rc = sw_detect_add_listed(d, (const char *)sqlite3_column_text(st, 2), vi, vm,
                                       (const char *)sqlite3_column_text(st, 3),
                                       (const char *)sqlite3_column_text(st, 1))) != SW_OK)
            break;
        if (id != prev) group = d->ls[d->nls - 1].group;
        d->ls[d->nls - 1].group = group; /* one group per entry */
        d->ls[d->nls - 1].tclass = type_class_text((const char *)sqlite3_column_text(st, 6));
        prev = id;
    }
    if (rc == SW_OK && s != SQLITE_DONE) {
        rc = SW_EDB;
        if (err)
            snprintf(err, SW_ERRMAX, "cannot read the sanctions lists: %s", sqlite3_errmsg(d->db));
    }
    sqlite3_finalize(st);
    return rc;
}

/* ---- identity_change */

/* Copy src into dst of n bytes, cut at n - 1. */
static void copy_str(char *dst, size_t n, const char *src)
{
    size_t k = strnlen(src, n - 1);
    memcpy(dst, src, k);
    dst[k] = '\0';
}

static const char *const field_names[3] = {"name", "callsign", "imo"};

/* Feed a value; 1 when it confirms a change (old value into from). */
static int field_update(struct idfield *f, const char *val, int64_t t, int confirm, char *from)
{
    if (!val[0]) return 0;
    if (!f->has) {
        copy_str(f->cur, sizeof f->cur, val);
        f->has = 1;
        f->cur_t = t;
        return 0;
    }
    if (!strcmp(f->cur, val)) {
        f->pend_n = 0;
        f->cur_t = t;
        return 0;
    }
    if (f->pend_n && !strcmp(f->pend, val)) {
        f->pend_n++;
    } else {
        copy_str(f->pend, sizeof f->pend, val);
        f->pend_n = 1;
        f->pend_t = t;
    }
    if (f->pend_n < confirm) return 0;
    copy_str(from, 24, f->cur);
    copy_str(f->cur, sizeof f->cur, f->pend);
    f->pend_n = 0;
    return 1; /* the caller reads cur_t (last time the old value was heard), then sets it */
}

static int imo_moved(struct sw_detect *d, struct dvessel *dv, uint32_t imo, int64_t t)
{
    if (imo < 1000000 || imo > 9999999 || !sw_lists_imo_valid(imo)) return SW_OK;
    size_t s = (size_t)((imo * 0x9E3779B97F4A7C15ULL) >> 24) & (d->imcap - 1);
    while (d->im[s].imo && d->im[s].imo != imo)
        s = (s + 1) & (d->imcap - 1);
    struct imomap *e = &d->im[s];
    if (!e->imo) {
        if ((d->imn + 1) * 10 > d->imcap * 7) return SW_OK; /* full: no more IMOs tracked */
        e->imo = imo;
        e->mmsi = dv->mmsi;
        d->imn++;
        return SW_OK;
    }
    if (e->mmsi == dv->mmsi) return SW_OK;
    uint32_t old = e->mmsi, back = e->prev == dv->mmsi;
    e->prev = old;
    e->mmsi = dv->mmsi;
    if (back || !enabled(d, SW_DT_IDENTITY_CHANGE) || !(d->p.idc_fields & 8)) return SW_OK;
    /* the change happened when the new MMSI was first heard (after the old one's last), it
     * is known once the IMO is heard under it */
    const struct dvessel *ov = det_vessel(d, old, 0);
    int64_t start = dv->first_t && dv->first_t < t ? dv->first_t : t;
    if (ov && ov->last_t > start && ov->last_t < t) start = ov->last_t;
    json_t *ev =
        det_event_new(SW_DT_IDENTITY_CHANGE, start, t, 0, dv->last.lat, dv->last.lon, 0.85);
    if (!ev) return SW_ENOMEM;
    if (ov && ov->has_last) det_event_fix(ev, &ov->last, "last_old_mmsi");
    if (VC(dv)->first.t) det_event_fix(ev, &VC(dv)->first, "first_new_mmsi");
    if (!dv->has_last) {
        json_object_del(ev, "lat");
        json_object_del(ev, "lon");
    }
    det_event_vessel(d, ev, old);
    det_event_vessel(d, ev, dv->mmsi);
    json_t *dt = det_details(ev, "identity_change");
    json_t *ch = json_array(), *c = json_object();
    json_object_set_new(c, "field", json_string("mmsi"));
    json_object_set_new(c, "from", json_integer(old));
    json_object_set_new(c, "to", json_integer(dv->mmsi));
    json_object_set_new(c, "from_flag", json_string(sw_mid_flag(old)));
    json_object_set_new(c, "to_flag", json_string(sw_mid_flag(dv->mmsi)));
    json_array_append_new(ch, c);
    json_object_set_new(dt, "changes", ch);
    json_object_set_new(dt, "imo", json_integer(imo));
    return det_event_finish(d, ev, SW_DT_IDENTITY_CHANGE);
}

/* ---- identity_fraud */

static int fraud_event(struct sw_detect *d, struct dvessel *dv, int64_t t, const char *kind,
                       double conf, json_t **dt_out, json_t **ev_out)
{
    json_t *ev = det_event_new(SW_DT_IDENTITY_FRAUD, t, t, 0, dv->has_last ? dv->last.lat : NAN,
                               dv->has_last ? dv->last.lon : NAN, conf);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, dv->mmsi);
    json_t *dt = det_details(ev, "identity_fraud");
    json_object_set_new(dt, "kind", json_string(kind));
    *dt_out = dt;
    *ev_out = ev;
    return SW_OK;
}

static int check_fraud(struct sw_detect *d, struct dvessel *dv, int64_t t)
{
    json_t *ev, *dt;
    int rc;
    if (!enabled(d, SW_DT_IDENTITY_FRAUD)) return SW_OK;
    if (d->p.idf_check_mid && !(dv->fraud_done & 1)) {
        dv->fraud_done |= 1;
        uint32_t m = dv->mmsi;
        int mid = sw_mid_of_mmsi(m);
        int special = (m >= 970000000 && m < 980000000);
        if (!special && (mid == 0 || sw_mid_lookup(mid, NULL, NULL) != SW_OK)) {
            if ((rc = fraud_event(d, dv, t, "unallocated_mid", 0.9, &dt, &ev)) != SW_OK) return rc;
            det_num(dt, "mid", mid);
            if ((rc = det_event_finish(d, ev, SW_DT_IDENTITY_FRAUD)) != SW_OK) return rc;
        }
    }
    uint32_t imo = dv->imo;
    if (d->p.idf_check_imo && imo >= 1000000 && imo <= 9999999 && !sw_lists_imo_valid(imo) &&
        dv->fraud_imo != imo) {
        dv->fraud_imo = imo;
        if ((rc = fraud_event(d, dv, t, "imo_check_digit", 0.95, &dt, &ev)) != SW_OK) return rc;
        json_object_set_new(dt, "imo", json_integer(imo));
        if ((rc = det_event_finish(d, ev, SW_DT_IDENTITY_FRAUD)) != SW_OK) return rc;
    }
    if (imo && d->nls && !(dv->fraud_done & 4) && VC(dv)->name[0]) {
        if ((rc = ls_index(d)) != SW_OK) return rc;
        const struct listed *l = ls_find(d, 0, imo, NULL);
        char nn[64];
        norm_name(VC(dv)->name, nn, sizeof nn);
        if (l && !group_has_name(d, l->group, nn) && (!l->mmsi || l->mmsi != dv->mmsi)) {
            dv->fraud_done |= 4;
            if ((rc = fraud_event(d, dv, t, "listed_identity", 0.8, &dt, &ev)) != SW_OK) return rc;
            json_object_set_new(dt, "imo", json_integer(imo));
            json_object_set_new(dt, "list", json_string(l->list));
            json_object_set_new(dt, "entry", json_string(l->ref));
            json_object_set_new(dt, "broadcast_name", json_string(VC(dv)->name));
            if ((rc = det_event_finish(d, ev, SW_DT_IDENTITY_FRAUD)) != SW_OK) return rc;
        }
    }
    return SW_OK;
}

/* ---- listed_vessel */

static int check_listed(struct sw_detect *d, struct dvessel *dv, int64_t t)
{
    if (!d->nls || dv->listed_done || !enabled(d, SW_DT_LISTED_VESSEL)) return SW_OK;
    int rc = ls_index(d);
    if (rc) return rc;
    const struct listed *by_m = ls_find(d, 1, dv->mmsi, NULL);
    const struct listed *by_i = dv->imo ? ls_find(d, 0, dv->imo, NULL) : NULL;
    const struct listed *by_n = NULL;
    char nn[64] = "";
    int type_checked = 0;
    if (VC(dv)->name[0]) {
        norm_name(VC(dv)->name, nn, sizeof nn);
        if (strlen(nn) >= 3 && (by_n = ls_find(d, 2, 0, nn)) != NULL) {
            char ac = type_class_ais(dv->ship_type);
            type_checked = ac && by_n->tclass;
            if (type_checked && ac != by_n->tclass) by_n = NULL;
        }
    }
    const struct listed *l = by_i ? by_i : by_m ? by_m : by_n;
    if (!l) return SW_OK;
    dv->listed_done = (uint8_t)((by_m ? 1 : 0) | (by_i ? 2 : 0) | (by_n ? 4 : 0));
    double conf = by_i ? 0.95 : by_m ? 0.9 : type_checked ? 0.75 : 0.6;
    json_t *ev = det_event_new(SW_DT_LISTED_VESSEL, t, t, 0, dv->has_last ? dv->last.lat : NAN,
                               dv->has_last ? dv->last.lon : NAN, conf);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, dv->mmsi);
    json_t *dt = det_details(ev, "listed_vessel");
    json_t *on = json_array();
    if (by_i) json_array_append_new(on, json_string("imo"));
    if (by_m) json_array_append_new(on, json_string("mmsi"));
    if (by_n) json_array_append_new(on, json_string(type_checked ? "name_and_type" : "name"));
    json_object_set_new(dt, "matched_on", on);
    json_object_set_new(dt, "list", json_string(l->list));
    json_object_set_new(dt, "entry", json_string(l->ref));
    if (by_n) det_num(dt, "name_score", 1.0);
    det_num(dt, "min_name_score", d->p.lv_min_name_score);
    if (dv->has_last) det_event_fix(ev, &dv->last, "latest");
    return det_event_finish(d, ev, SW_DT_LISTED_VESSEL);
}

int det_identity(struct sw_detect *d, struct dvessel *dv, const struct sw_record *r)
{
    int rc;
    int64_t t = r->t_ms;
    if (r->fields & SW_F_SHIPTYPE) dv->ship_type = r->ship_type;
    if (r->fields & (SW_F_NAME | SW_F_CALLSIGN | SW_F_IMO)) {
        char vals[3][24], from[3][24];
        int changed[3] = {0, 0, 0}, any = 0, confirm = (int)d->p.idc_confirm;
        int64_t start = t;
        snprintf(vals[0], 24, "%s", (r->fields & SW_F_NAME) ? r->name : "");
        snprintf(vals[1], 24, "%s", (r->fields & SW_F_CALLSIGN) ? r->callsign : "");
        vals[2][0] = '\0';
        if ((r->fields & SW_F_IMO) && r->imo) snprintf(vals[2], 24, "%u", r->imo);
        if (confirm < 1) confirm = 1;
        int64_t first_new = t;
        for (int i = 0; i < 3; i++) {
            int64_t pt = VC(dv)->idf[i].pend_n ? VC(dv)->idf[i].pend_t : t;
            int64_t old_t = VC(dv)->idf[i].cur_t;
            changed[i] = field_update(&VC(dv)->idf[i], vals[i], t, confirm, from[i]);
            if (changed[i]) {
                VC(dv)->idf[i].cur_t = t;
                if (d->p.idc_fields & (1 << i)) {
                    /* the change happened between the last old and the first new value */
                    any = 1;
                    if (old_t < start) start = old_t;
                    if (pt < first_new) first_new = pt;
                }
            }
        }
        uint32_t old_imo = dv->imo;
        if (VC(dv)->idf[0].has) copy_str(VC(dv)->name, sizeof VC(dv)->name, VC(dv)->idf[0].cur);
        if (VC(dv)->idf[2].has) dv->imo = (uint32_t)strtoul(VC(dv)->idf[2].cur, NULL, 10);
        if (any && enabled(d, SW_DT_IDENTITY_CHANGE)) {
            json_t *ev =
                det_event_new(SW_DT_IDENTITY_CHANGE, start, t, 0, dv->has_last ? dv->last.lat : NAN,
                              dv->has_last ? dv->last.lon : NAN, 0.9);
            if (!ev) return SW_ENOMEM;
            det_event_vessel(d, ev, dv->mmsi);
            json_t *dt = det_details(ev, "identity_change"), *ch = json_array();
            for (int i = 0; i < 3; i++) {
                if (!changed[i] || !(d->p.idc_fields & (1 << i))) continue;
                json_t *c = json_object();
                json_object_set_new(c, "field", json_string(field_names[i]));
                json_object_set_new(c, "from", json_string(from[i]));
                json_object_set_new(c, "to", json_string(VC(dv)->idf[i].cur));
                json_array_append_new(ch, c);
            }
            json_object_set_new(dt, "changes", ch);
            det_num(dt, "confirm", confirm);
            char buf[32];
            json_object_set_new(dt, "last_old_heard", json_string(sw_time_format(start, 0, buf)));
            json_object_set_new(dt, "first_new_heard",
                                json_string(sw_time_format(first_new, 0, buf)));
            if ((rc = det_event_finish(d, ev, SW_DT_IDENTITY_CHANGE)) != SW_OK) return rc;
        }
        if (dv->imo && dv->imo != old_imo && (rc = imo_moved(d, dv, dv->imo, t)) != SW_OK)
            return rc;
        if (changed[2]) dv->listed_done = 0; /* a new identity is screened again */
    }
    if ((rc = check_fraud(d, dv, t)) != SW_OK) return rc;
    return check_listed(d, dv, t);
}
