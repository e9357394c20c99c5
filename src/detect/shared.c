/*
 * identity_fraud kind shared_mmsi: one MMSI used by two transmitters at once. Two ways show it:
 *   two tracks   fixes that jump back and forth between two places no ship could sail between
 *                in the time, each place a plausible track of its own (the second transmitter,
 *                or a factory-default MMSI shared by many transponders);
 *   identities   the identity broadcast under the MMSI changes again within a day of a change
 *                (two ships' static reports interleaved: A, B, A...), which one hull renaming
 *                itself does not do.
 * One event per episode (two tracks: it ends 6 h after the last fix of the second track;
 * identities: 24 h after the last change), naming both tracks and the identities heard. While
 * an episode is confirmed its fixes are not position_spoof excursions, and its identity changes
 * are not identity_change events (a change already published is withdrawn). The episode's
 * state lives in the shared-MMSI pool. docs/detection.md, identity_fraud.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TRACK_QUIET_MS (6 * HOUR_MS)
#define IDENT_WINDOW_MS (24 * HOUR_MS)
#define MIN_SWITCHES 4 /* A, B, A, B, A: two excursions and returns are still spoofing */
#define FAR_KM 500.0   /* ... unless the other place is this far */

/* Movement no ship can make from a to b (position_spoof's jump, spoof.c). */
static int unreachable(const struct sw_detect *d, const struct dfix *a, const struct dfix *b)
{
    double kn, km;
    return det_jump(d, a, b, &kn, &km);
}

static void add_identity(struct ep_share *S, const char *name, const char *imo)
{
    for (int i = 0; i < S->nid; i++)
        if (!strcmp(S->id_name[i], name) && !strcmp(S->id_imo[i], imo)) return;
    if (S->nid == DET_SHARE_IDS) return;
    snprintf(S->id_name[S->nid], sizeof S->id_name[0], "%s", name);
    snprintf(S->id_imo[S->nid], sizeof S->id_imo[0], "%s", imo);
    S->nid++;
}

static int share_event(struct sw_detect *d, struct dvessel *dv, int ongoing)
{
    const struct ep_share *S = SH(d, dv);
    const struct dfix *at = S->tracks ? &S->a0 : NULL;
    json_t *ev = det_event_new(SW_DT_IDENTITY_FRAUD, S->start, S->last, ongoing, at ? at->lat : NAN,
                               at ? at->lon : NAN,
                               S->tracks && S->nid > 1 ? 0.95
                               : S->tracks             ? 0.9
                                                       : 0.8);
    if (!ev) return SW_ENOMEM;
    det_event_vessel(d, ev, dv->mmsi);
    json_t *dt = det_details(ev, "identity_fraud");
    json_object_set_new(dt, "kind", json_string("shared_mmsi"));
    json_object_set_new(dt, "variant",
                        json_string(S->tracks && S->changes ? "tracks+identities"
                                    : S->tracks             ? "two_tracks"
                                                            : "identities"));
    if (S->tracks) {
        det_num(dt, "fixes_track_a", S->na);
        det_num(dt, "fixes_track_b", S->nb);
        det_num(dt, "switches", S->switches);
        det_num(dt, "separation_km", S->max_km);
    }
    if (S->changes) det_num(dt, "identity_changes", S->changes);
    json_t *ids = json_array();
    for (int i = 0; i < S->nid; i++) {
        json_t *o = json_object();
        if (S->id_name[i][0]) json_object_set_new(o, "name", json_string(S->id_name[i]));
        if (S->id_imo[i][0]) json_object_set_new(o, "imo", json_string(S->id_imo[i]));
        json_array_append_new(ids, o);
    }
    json_object_set_new(dt, "identities", ids);
    if (S->tracks) {
        det_event_fix(ev, &S->a0, "track_a");
        det_event_fix(ev, &S->b0, "track_b");
        det_event_fix(ev, &S->ta, "track_a");
        det_event_fix(ev, &S->tb, "track_b");
    }
    return det_event_finish(d, ev, SW_DT_IDENTITY_FRAUD);
}

static int share_close(struct sw_detect *d, struct dvessel *dv)
{
    int rc = SW_OK;
    if (!dv->ep_share) return SW_OK;
    if (SH(d, dv)->confirmed && det_enabled(d, SW_DT_IDENTITY_FRAUD)) rc = share_event(d, dv, 0);
    det_pool_put(&d->pshare, &dv->ep_share);
    return rc;
}

/* The episode is over: no second track for 6 h, no identity change for a day. */
static int share_over(const struct ep_share *S, int64_t t)
{
    int tracks_over = !S->tracks || t - S->tb.t > TRACK_QUIET_MS;
    int ids_over = !S->changes || t - S->chg_last > IDENT_WINDOW_MS;
    int cand_over = S->confirmed || t - S->tb.t > TRACK_QUIET_MS;
    return tracks_over && ids_over && cand_over;
}

/* A confirmed episode: the spoofing rule forgets what it followed of it. */
static void confirm(struct sw_detect *d, struct dvessel *dv)
{
    SH(d, dv)->confirmed = 1;
    dv->sp_exc_open = dv->sp_ep_open = 0;
    det_pool_put(&d->psp, &dv->ep_sp);
}

int det_share_fix(struct sw_detect *d, const struct det_rec *x, const struct dfix *f, int *mine)
{
    struct dvessel *dv = x->dv;
    int rc;
    *mine = 0;
    if (dv->ep_share && share_over(SH(d, dv), f->t) && (rc = share_close(d, dv)) != SW_OK)
        return rc;
    if (!x->has_prev) return SW_OK;
    if (!dv->ep_share) {
        if (!unreachable(d, &x->prev, f)) return SW_OK;
        /* a jump: perhaps a second transmitter; follow both places */
        if ((rc = det_pool_get(&d->pshare, &dv->ep_share)) != SW_OK) return rc;
        struct ep_share *S = SH(d, dv);
        S->a0 = S->ta = x->prev;
        S->b0 = S->tb = *f;
        S->na = S->nb = 1;
        S->switches = 1;
        S->on_b = 1;
        S->start = x->prev.t;
        S->last = f->t;
        return SW_OK;
    }
    struct ep_share *S = SH(d, dv);
    if (!S->tracks && S->nb == 0) { /* an identity episode: its first jump starts the tracks */
        if (!unreachable(d, &x->prev, f)) return SW_OK;
        S->a0 = S->ta = x->prev;
        S->b0 = S->tb = *f;
        S->na = S->nb = 1;
        S->switches = 1;
        S->on_b = 1;
        return SW_OK;
    }
    int from_a = !unreachable(d, &S->ta, f), from_b = !unreachable(d, &S->tb, f);
    int side = S->on_b ? (from_b ? 1 : from_a ? 0 : -1) : (from_a ? 0 : from_b ? 1 : -1);
    if (side < 0) return SW_OK; /* reachable from neither: not this pattern */
    if (side != S->on_b) S->switches++;
    S->on_b = (uint8_t)side;
    if (side) {
        S->tb = *f;
        S->nb++;
    } else {
        S->ta = *f;
        S->na++;
    }
    double km = sw_geo_dist_m(S->ta.lat, S->ta.lon, S->tb.lat, S->tb.lon) / 1000;
    if (km > S->max_km) S->max_km = km;
    S->last = f->t;
    /* two places each heard twice, back and forth: two transmitters when it happens twice,
     * or once over a distance no position spoofing sends a ship and back */
    if (!S->tracks && S->na >= 2 && S->nb >= 2 &&
        (S->switches >= MIN_SWITCHES || (S->switches >= 2 && S->max_km >= FAR_KM))) {
        S->tracks = 1;
        if (!S->confirmed) confirm(d, dv);
    }
    *mine = S->confirmed;
    return SW_OK;
}

int det_share_identity(struct sw_detect *d, const struct det_rec *x, int64_t start, int *absorbed)
{
    struct dvessel *dv = x->dv;
    struct dident *id = det_ident(d, x->slot);
    int64_t t = x->r->t_ms;
    int rc;
    *absorbed = 0;
    int again = id->chg_t && t - id->chg_t < IDENT_WINDOW_MS;
    struct ep_share *S = dv->ep_share ? SH(d, dv) : NULL;
    if (!again && !(S && S->confirmed)) {
        id->chg_t = t; /* a change of one hull, until another follows within a day */
        id->chg_start = start;
        return SW_OK;
    }
    if (!S) {
        if ((rc = det_pool_get(&d->pshare, &dv->ep_share)) != SW_OK) return rc;
        S = SH(d, dv);
        S->start = id->chg_start;
    }
    if (again && id->chg_start != SW_TIME_NONE && !(S->confirmed && S->changes) &&
        det_enabled(d, SW_DT_IDENTITY_CHANGE)) {
        /* the change published a moment ago was the other ship's identity: withdrawn */
        if ((rc = det_withdraw(d, SW_DT_IDENTITY_CHANGE, &dv->mmsi, 1, id->chg_start, t,
                               "identity_change", "the MMSI is shared")) != SW_OK)
            return rc;
        id->chg_start = SW_TIME_NONE;
    }
    if (S->start > start) S->start = start;
    S->changes++;
    S->chg_last = t;
    S->last = t > S->last ? t : S->last;
    id->chg_t = t;
    if (!S->confirmed) confirm(d, dv);
    *absorbed = 1;
    return SW_OK;
}

void det_share_heard(struct sw_detect *d, const struct det_rec *x)
{
    const struct sw_record *r = x->r;
    if (!x->dv->ep_share || !(r->fields & (SW_F_NAME | SW_F_IMO))) return;
    char imo[11] = "";
    if ((r->fields & SW_F_IMO) && r->imo) snprintf(imo, sizeof imo, "%u", r->imo);
    add_identity(SH(d, x->dv), (r->fields & SW_F_NAME) ? r->name : "", imo);
}

int det_share_end(struct sw_detect *d, struct dvessel *dv, int publish)
{
    if (!dv->ep_share) return SW_OK;
    const struct ep_share *S = SH(d, dv);
    if (share_over(S, d->now)) return share_close(d, dv);
    if (!S->confirmed || !det_enabled(d, SW_DT_IDENTITY_FRAUD)) {
        if (!publish) det_pool_put(&d->pshare, &dv->ep_share);
        return SW_OK;
    }
    int rc = share_event(d, dv, 1);
    if (!publish) det_pool_put(&d->pshare, &dv->ep_share);
    return rc;
}
