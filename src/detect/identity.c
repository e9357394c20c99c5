/*
 * identity_change: a vessel's name, call sign or IMO number changes, confirmed by repetition
 * (a new value must be heard idc_confirm times in a row, so one garbled message is not a
 * change); changes confirmed by the same message are one event. An IMO number heard under a
 * new MMSI (a new flag) is an event naming both MMSIs. docs/detection.md, identity_change.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/mid.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[3] = {"name", "callsign", "imo"};

/* Copy src into dst of n bytes, cut at n - 1. */
static void copy_str(char *dst, size_t n, const char *src)
{
    size_t k = strnlen(src, n - 1);
    memcpy(dst, src, k);
    dst[k] = '\0';
}

/* Current and pending text of field i, and its size. */
static char *field_cur(struct dident *id, int i, char **pend, size_t *n)
{
    switch (i) {
    case DET_IDF_NAME:
        *pend = id->pend_name;
        *n = sizeof id->name;
        return id->name;
    case DET_IDF_CALLSIGN:
        *pend = id->pend_callsign;
        *n = sizeof id->callsign;
        return id->callsign;
    default:
        *pend = id->pend_imo;
        *n = sizeof id->imo;
        return id->imo;
    }
}

/* Feed a value of field i; 1 when it confirms a change (the old value into from, 24 bytes). */
static int field_update(struct dident *id, int i, const char *val, int64_t t, int confirm,
                        char *from)
{
    char *pend;
    size_t n;
    char *cur = field_cur(id, i, &pend, &n);
    if (!val[0]) return 0;
    if (!id->has[i]) {
        copy_str(cur, n, val);
        id->has[i] = 1;
        id->cur_t[i] = t;
        return 0;
    }
    if (!strcmp(cur, val)) {
        id->pend_n[i] = 0;
        id->cur_t[i] = t;
        return 0;
    }
    if (id->pend_n[i] && !strcmp(pend, val)) {
        id->pend_n[i]++;
    } else {
        copy_str(pend, n, val);
        id->pend_n[i] = 1;
        id->pend_t[i] = t;
    }
    if (id->pend_n[i] < confirm) return 0;
    copy_str(from, 24, cur);
    copy_str(cur, n, pend);
    id->pend_n[i] = 0;
    return 1; /* the caller reads cur_t (last time the old value was heard), then sets it */
}

#define SHARED_NOW_MS HOUR_MS            /* both MMSIs heard within this of each other */
#define SHARED_EPISODE_MS (24 * HOUR_MS) /* conflicts this close are one episode */

/* identity_fraud kind shared_imo: the IMO number heard under this vessel's MMSI while the
 * MMSI that had it was heard within the hour somewhere no ship could sail from in the time:
 * two ships broadcast it. One event per pair and episode. *shared: it was such a conflict. */
static int shared_imo(struct sw_detect *d, const struct det_rec *x, struct imomap *e,
                      const struct sw_vessel *ov, uint32_t imo, int64_t t, const struct dfix *here,
                      int *shared)
{
    *shared = 0;
    if (!ov || !ov->has_fix || llabs(t - ov->last.t_ms) > SHARED_NOW_MS ||
        llabs(t - here->t) > SHARED_NOW_MS)
        return SW_OK;
    struct dfix of = {
        ov->last.t_ms, ov->last.lat, ov->last.lon, ov->last.sog, ov->last.cog, ov->mmsi, 0};
    double kn, km;
    if (!det_jump(d, &of, here, &kn, &km)) return SW_OK; /* could be one ship */
    *shared = 1;
    uint32_t a = ov->mmsi, b = x->dv->mmsi;
    int same =
        e->sh_other && (e->sh_other == a || e->sh_other == b) && t - e->sh_t < SHARED_EPISODE_MS;
    e->sh_other = a;
    e->sh_t = t;
    if (same || !det_enabled(d, SW_DT_IDENTITY_FRAUD)) return SW_OK;
    int64_t start = of.t < here->t ? of.t : here->t;
    json_t *ev = det_event_new(SW_DT_IDENTITY_FRAUD, start, t, 0, here->lat, here->lon, 0.9);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, a);
    det_event_vessel(d, ev, b);
    json_t *dt = det_details(ev, "identity_fraud");
    json_object_set_new(dt, "kind", json_string("shared_imo"));
    json_object_set_new(dt, "imo", json_integer(imo));
    det_num(dt, "distance_km", km);
    det_num(dt, "implied_speed_kn", kn);
    det_event_fix(ev, &of, "track_a");
    det_event_fix(ev, here, "track_b");
    return det_event_finish(d, ev, SW_DT_IDENTITY_FRAUD);
}

/* The IMO number heard under this vessel's MMSI (here: where the vessel is, NULL before its
 * first fix: decided at that fix). */
static int imo_moved(struct sw_detect *d, const struct det_rec *x, uint32_t imo, int64_t t,
                     const struct dfix *here)
{
    struct dvessel *dv = x->dv;
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
    if (!here) { /* decided at the vessel's first fix */
        dv->gap_pub |= DET_IMO_PENDING;
        return SW_OK;
    }
    dv->gap_pub &= (uint8_t)~DET_IMO_PENDING;
    uint32_t old = e->mmsi, back = e->prev == dv->mmsi;
    const struct sw_vessel *ov = sw_vessels_get(d->vs, old);
    e->prev = old;
    e->mmsi = dv->mmsi;
    int rc, shared = 0;
    if ((rc = shared_imo(d, x, e, ov, imo, t, here, &shared)) != SW_OK || shared) return rc;
    if (back || !det_enabled(d, SW_DT_IDENTITY_CHANGE) || !(d->p.idc_fields & 8)) return SW_OK;
    /* the change happened when the new MMSI was first heard (after the old one's last), it
     * is known once the IMO is heard under it */
    int64_t first = x->v->first_seen;
    int64_t start = first && first < t ? first : t;
    if (ov && ov->last_seen > start && ov->last_seen < t) start = ov->last_seen;
    json_t *ev = det_event_new(SW_DT_IDENTITY_CHANGE, start, t, 0, here->lat, here->lon, 0.85);
    if (!ev) return SW_ENOMEM;
    if (ov && ov->has_fix) {
        struct dfix of = {
            ov->last.t_ms, ov->last.lat, ov->last.lon, ov->last.sog, ov->last.cog, old, 0};
        det_event_fix(ev, &of, "last_old_mmsi");
    }
    const struct dident *id = det_ident(d, x->slot);
    if (id->first.t) det_event_fix(ev, &id->first, "first_new_mmsi");
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

/* The event of the fields whose change this record confirmed. */
static int change_event(struct sw_detect *d, const struct det_rec *x, const int changed[3],
                        char from[3][24], int64_t start, int64_t first_new, int confirm)
{
    const struct dident *id = det_ident(d, x->slot);
    json_t *ev =
        det_event_new(SW_DT_IDENTITY_CHANGE, start, x->r->t_ms, 0, x->has_prev ? x->prev.lat : NAN,
                      x->has_prev ? x->prev.lon : NAN, 0.9);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, x->dv->mmsi);
    json_t *dt = det_details(ev, "identity_change"), *ch = json_array();
    for (int i = 0; i < 3; i++) {
        if (!changed[i] || !(d->p.idc_fields & (1 << i))) continue;
        char *pend;
        size_t n;
        json_t *c = json_object();
        json_object_set_new(c, "field", json_string(field_names[i]));
        json_object_set_new(c, "from", json_string(from[i]));
        json_object_set_new(c, "to", json_string(field_cur((struct dident *)id, i, &pend, &n)));
        json_array_append_new(ch, c);
    }
    json_object_set_new(dt, "changes", ch);
    det_num(dt, "confirm", confirm);
    char buf[32];
    json_object_set_new(dt, "last_old_heard", json_string(sw_time_format(start, 0, buf)));
    json_object_set_new(dt, "first_new_heard", json_string(sw_time_format(first_new, 0, buf)));
    return det_event_finish(d, ev, SW_DT_IDENTITY_CHANGE);
}

int det_identity(struct sw_detect *d, const struct det_rec *x)
{
    const struct sw_record *r = x->r;
    struct dvessel *dv = x->dv;
    struct dident *id = det_ident(d, x->slot);
    int rc;
    if (!(r->fields & (SW_F_NAME | SW_F_CALLSIGN | SW_F_IMO))) return SW_OK;
    int64_t t = r->t_ms;
    char vals[3][24], from[3][24];
    int changed[3] = {0, 0, 0}, any = 0, confirm = (int)d->p.idc_confirm;
    int64_t start = t, first_new = t;
    snprintf(vals[0], 24, "%s", (r->fields & SW_F_NAME) ? r->name : "");
    snprintf(vals[1], 24, "%s", (r->fields & SW_F_CALLSIGN) ? r->callsign : "");
    vals[2][0] = '\0';
    if ((r->fields & SW_F_IMO) && r->imo) snprintf(vals[2], 24, "%u", r->imo);
    if (confirm < 1) confirm = 1;
    for (int i = 0; i < 3; i++) {
        int64_t pt = id->pend_n[i] ? id->pend_t[i] : t;
        int64_t old_t = id->cur_t[i];
        changed[i] = field_update(id, i, vals[i], t, confirm, from[i]);
        if (!changed[i]) continue;
        id->cur_t[i] = t;
        if (d->p.idc_fields & (1 << i)) {
            /* the change happened between the last old and the first new value */
            any = 1;
            if (old_t < start) start = old_t;
            if (pt < first_new) first_new = pt;
        }
    }
    uint32_t old_imo = dv->imo;
    if (id->has[DET_IDF_IMO]) dv->imo = (uint32_t)strtoul(id->imo, NULL, 10);
    det_share_heard(d, x);
    int absorbed = 0;
    if (any && det_enabled(d, SW_DT_IDENTITY_FRAUD) &&
        (rc = det_share_identity(d, x, start, &absorbed)) != SW_OK)
        return rc;
    if (any && !absorbed && det_enabled(d, SW_DT_IDENTITY_CHANGE) &&
        (rc = change_event(d, x, changed, from, start, first_new, confirm)) != SW_OK)
        return rc;
    if (dv->imo && dv->imo != old_imo &&
        (rc = imo_moved(d, x, dv->imo, t, x->has_prev ? &x->prev : NULL)) != SW_OK)
        return rc;
    if (changed[2]) dv->listed_done = 0; /* a new identity is screened again */
    return SW_OK;
}

int det_imo_first_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f)
{
    if (!(x->dv->gap_pub & DET_IMO_PENDING)) return SW_OK;
    x->dv->gap_pub &= (uint8_t)~DET_IMO_PENDING;
    return x->dv->imo ? imo_moved(d, x, x->dv->imo, f->t, f) : SW_OK;
}
