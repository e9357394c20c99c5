/*
 * identity_fraud, once per vessel and kind: an IMO number with a wrong check digit, an MMSI
 * whose MID the ITU has not allocated, a designated vessel's IMO broadcast under another
 * identity. docs/detection.md, identity_fraud.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/mid.h"

#include <math.h>
#include <string.h>

static int fraud_event(struct sw_detect *d, const struct det_rec *x, int64_t t, const char *kind,
                       double conf, json_t **dt_out, json_t **ev_out)
{
    struct dvessel *dv = x->dv;
    json_t *ev = det_event_new(SW_DT_IDENTITY_FRAUD, t, t, 0, x->has_prev ? x->prev.lat : NAN,
                               x->has_prev ? x->prev.lon : NAN, conf);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, dv->mmsi);
    json_t *dt = det_details(ev, "identity_fraud");
    json_object_set_new(dt, "kind", json_string(kind));
    *dt_out = dt;
    *ev_out = ev;
    return SW_OK;
}

int det_fraud(struct sw_detect *d, const struct det_rec *x)
{
    struct dvessel *dv = x->dv;
    const char *name = det_ident(d, x->slot)->name;
    int64_t t = x->r->t_ms;
    json_t *ev, *dt;
    int rc;
    if (!det_enabled(d, SW_DT_IDENTITY_FRAUD)) return SW_OK;
    if (d->p.idf_check_mid && !(dv->fraud_done & 1)) {
        dv->fraud_done |= 1;
        uint32_t m = dv->mmsi;
        int mid = sw_mid_of_mmsi(m);
        int special = (m >= 970000000 && m < 980000000);
        if (!special && (mid == 0 || sw_mid_lookup(mid, NULL, NULL) != SW_OK)) {
            if ((rc = fraud_event(d, x, t, "unallocated_mid", 0.9, &dt, &ev)) != SW_OK) return rc;
            det_num(dt, "mid", mid);
            if ((rc = det_event_finish(d, ev, SW_DT_IDENTITY_FRAUD)) != SW_OK) return rc;
        }
    }
    uint32_t imo = dv->imo;
    if (d->p.idf_check_imo && imo >= 1000000 && imo <= 9999999 && !sw_lists_imo_valid(imo) &&
        dv->fraud_imo != imo) {
        dv->fraud_imo = imo;
        if ((rc = fraud_event(d, x, t, "imo_check_digit", 0.95, &dt, &ev)) != SW_OK) return rc;
        json_object_set_new(dt, "imo", json_integer(imo));
        if ((rc = det_event_finish(d, ev, SW_DT_IDENTITY_FRAUD)) != SW_OK) return rc;
    }
    if (imo && d->nls && !(dv->fraud_done & 4) && name[0]) {
        if ((rc = det_ls_index(d)) != SW_OK) return rc;
        const struct listed *l = det_ls_find(d, 0, imo, NULL);
        char nn[64];
        det_norm_name(name, nn, sizeof nn);
        if (l && !det_ls_group_has_name(d, l->group, nn) && (!l->mmsi || l->mmsi != dv->mmsi) &&
            strcmp(det_ls_designation(l, t), "before_sighting")) {
            /* heard before the hull was listed (or perhaps before: the list does not say
             * when): the name may be the one it had then, which is no false identity */
            dv->fraud_done |= 4;
            d->st.listed_name_early++;
        } else if (l && !det_ls_group_has_name(d, l->group, nn) &&
                   (!l->mmsi || l->mmsi != dv->mmsi)) {
            dv->fraud_done |= 4;
            if ((rc = fraud_event(d, x, t, "listed_identity", 0.8, &dt, &ev)) != SW_OK) return rc;
            json_object_set_new(dt, "imo", json_integer(imo));
            json_object_set_new(dt, "list", json_string(l->list));
            json_object_set_new(dt, "entry", json_string(l->ref));
            json_object_set_new(dt, "broadcast_name", json_string(name));
            if ((rc = det_event_finish(d, ev, SW_DT_IDENTITY_FRAUD)) != SW_OK) return rc;
        }
    }
    return SW_OK;
}
