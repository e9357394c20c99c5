/*
 * The scenario simulator (sanctwatch/sim.h): builds the world (world.c: vessels, each with a
 * timeline of legs, silences, spoofed positions and identity changes; scenarios.c and
 * negatives.c: the behaviour and the hard negatives with their truth), then steps through
 * time, transmitting AIS messages that shore stations and a satellite hear with losses,
 * duplicates and delays, and writes the lines in delivery order. Zone entries, slow episodes
 * in zones and zone transits are derived from the transmitted positions that some receiver
 * heard; identity_fraud and listed_vessel truth from the vessels' transmissions.
 * docs/simulate.md.
 */
#include "sim_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

/* ---- emission ---------------------------------------------------------------------------- */

static int pend_push(struct sim *s, int64_t deliver, const char *text, size_t len)
{
    if (s->npend == s->cappend) {
        size_t nc = s->cappend ? s->cappend * 2 : 1024;
        if (nc > 4000000) return SW_ETOOBIG;
        struct pend *np = realloc(s->pend, nc * sizeof *np);
        if (!np) return SW_ENOMEM;
        s->pend = np;
        s->cappend = nc;
    }
    char *c = malloc(len + 1);
    if (!c) return SW_ENOMEM;
    memcpy(c, text, len);
    c[len] = '\0';
    s->pend[s->npend++] = (struct pend){deliver, s->seq++, c, len};
    return SW_OK;
}

static int cmp_pend(const void *a, const void *b)
{
    const struct pend *x = a, *y = b;
    if (x->deliver != y->deliver) return x->deliver < y->deliver ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Emit every pending line delivered before `before`, in delivery order. */
static int flush(struct sim *s, int64_t before)
{
    if (!s->npend) return SW_OK;
    qsort(s->pend, s->npend, sizeof *s->pend, cmp_pend);
    size_t k = 0;
    int rc = SW_OK;
    for (; k < s->npend && s->pend[k].deliver < before; k++) {
        /* a pending entry may hold several lines (multi-sentence): emit each */
        const char *p = s->pend[k].line, *end = p + s->pend[k].len;
        while (!rc && p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
            rc = s->emit(s->ctx, p, l);
            s->st->lines++;
            p += l + 1;
        }
        free(s->pend[k].line);
        if (rc) break;
    }
    if (rc && k < s->npend) k++;
    memmove(s->pend, s->pend + k, (s->npend - k) * sizeof *s->pend);
    s->npend -= k;
    return rc;
}

/* Transmit one message: each receiver in range hears it or not; heard copies are queued with
 * their delivery delay. */
static int transmit(struct sim *s, const struct sw_aisenc_msg *m, int64_t t, double la, double lo)
{
    char payload[SW_AISENC_MAX_PAYLOAD + 1];
    size_t plen;
    int fill;
    int rc = sw_aisenc_encode(m, payload, &plen, &fill);
    if (rc) return rc;
    s->st->transmissions++;
    int heard = 0;
    /* during a receiver outage neither the station nor the satellite hears its range */
    int dark = s->outage_station >= 0 && t >= s->outage_t0 && t < s->outage_t1 &&
               sw_geo_dist_m(la, lo, SIM_STATIONS[s->outage_station].lat,
                             SIM_STATIONS[s->outage_station].lon) < STATION_RANGE_M;
    for (size_t i = 0; i <= SIM_NSTATIONS; i++) {
        double p;
        int64_t delay;
        const char *name;
        if (dark && (i == (size_t)s->outage_station || i == SIM_NSTATIONS)) continue;
        if (i < SIM_NSTATIONS) {
            double d = sw_geo_dist_m(la, lo, SIM_STATIONS[i].lat, SIM_STATIONS[i].lon);
            if (d > STATION_RANGE_M) continue;
            p = 0.97 - 0.3 * d / STATION_RANGE_M;
            delay = 50 + (int64_t)rrange(&s->r, 0, 2500);
            name = SIM_STATIONS[i].name;
        } else {
            p = 0.3;
            delay = 120000 + (int64_t)rrange(&s->r, 0, (double)(MAX_DELAY_MS - 120000));
            name = "sSAT1";
        }
        if (runif(&s->r) >= p) continue;
        sw_buf_reset(&s->line);
        char ch = runif(&s->r) < 0.5 ? 'A' : 'B';
        rc = sw_aisenc_nmea(payload, plen, fill, name, t / 1000, ch, s->stseq[i]++ % 10,
                            1 + s->stgroup[i]++ % 9999, &s->line);
        if (!rc) rc = pend_push(s, t + delay, s->line.data, s->line.len - 1);
        if (rc) return rc;
        if (heard) s->st->duplicates++;
        if (i == SIM_NSTATIONS) s->st->late++;
        heard = 1;
    }
    s->last_heard = heard;
    if (!heard)
        s->st->lost++;
    else
        s->st->messages++;
    return SW_OK;
}

/* ---- derived truth: zones ----------------------------------------------------------------- */

/* One more entry of mmsi into zone z on the UTC day of t (zone_transits). */
static void transit_count(struct sim *s, uint32_t mmsi, const struct sw_zone *z, int64_t t)
{
    char day[32], key[96];
    sw_time_format(t, 0, day);
    day[10] = '\0';
    snprintf(key, sizeof key, "%09u|%s|%s", mmsi, z->id, day);
    json_t *c = json_object_get(s->transits, key);
    json_object_set_new(s->transits, key, json_integer(c ? json_integer_value(c) + 1 : 1));
}

static json_t *zone_truth(struct sim *s, uint32_t mmsi, int64_t t0, int64_t t1, double la,
                          double lo, const char *zone, const char *kind, const char *zone_kind)
{
    json_t *o = sim_truth_item(s, 0, "zone_entry", t0, t1, la, lo, mmsi, 0);
    json_object_set_new(o, "zone", json_string(zone));
    json_t *d = sim_details(o);
    json_object_set_new(d, "kind", json_string(kind));
    json_object_set_new(d, "zone_kind", json_string(zone_kind));
    return o;
}

static void slow_close(struct sim *s, struct vessel *v, size_t i, uint32_t mmsi,
                       const struct sw_zone *z)
{
    if (v->slow0[i] && v->slow1[i] - v->slow0[i] >= SLOW_ZONE_MS)
        zone_truth(s, mmsi, v->slow0[i], v->slow1[i], v->slow_la[i], v->slow_lo[i], z->id, "slow",
                   z->kind);
    v->slow0[i] = 0;
}

/* A fix some receiver heard at (la, lo); slow: the vessel drifts there (a stay under 3 kn)
 * outside port areas. An entry is a fix inside after one outside, the same visit when back
 * within 2 h: into the territorial sea an incident (kind "entry"; not within 2 h of leaving a
 * DPRK port area, which is leaving the port, not entering its waters), into the claimed EEZ, a
 * transfer area or the corridor a transit. A slow episode of 30 min or more inside a transfer
 * area or the corridor is an incident (kind "slow"). */
static void zones_update(struct sim *s, struct vessel *v, uint32_t mmsi, int64_t t, double la,
                         double lo, int slow)
{
    const struct sw_zones *zs = sw_geo_zones(s->g);
    size_t nz = sw_zones_count(zs);
    for (size_t i = 0; i < nz && i < MAXZ; i++) {
        const struct sw_zone *z = sw_zones_get(zs, i);
        int in = sw_geo_poly_contains(&z->poly, la, lo);
        int ts = !strcmp(z->kind, "territorial_sea");
        int watch_slow = !strcmp(z->kind, "transfer_area") || !strcmp(z->kind, "corridor");
        if (in) {
            if (v->zstate[i] == 1 && (!v->zvisit[i] || t - v->zout_since[i] >= ZONE_REENTRY_MS)) {
                v->zvisit[i] = 1;
                v->zopen[i] = NULL;
                /* leaving a DPRK port into its waters is not entering them */
                int from_port =
                    v->kstate == 2 || (v->kout_since && t - v->kout_since <= ZONE_REENTRY_MS);
                if (ts && !from_port)
                    v->zopen[i] = zone_truth(s, mmsi, t, t, la, lo, z->id, "entry", z->kind);
                else
                    transit_count(s, mmsi, z, t);
            }
            v->zstate[i] = 2;
            if (v->zopen[i]) sim_put_time(v->zopen[i], "end", t);
        } else {
            if (v->zstate[i] == 2) v->zout_since[i] = t;
            v->zstate[i] = 1;
        }
        if (watch_slow && in && slow) {
            if (!v->slow0[i]) {
                v->slow0[i] = t;
                v->slow_la[i] = la;
                v->slow_lo[i] = lo;
            }
            v->slow1[i] = t;
        } else if (v->slow0[i]) {
            slow_close(s, v, i, mmsi, z);
        }
    }
    /* DPRK port areas (looked up inside their bounding box only): an entry (kind "entry",
     * zone_kind "port") by the same rule */
    const struct sw_port *p = NULL;
    if (la > s->kp_box[0] && la < s->kp_box[1] && lo > s->kp_box[2] && lo < s->kp_box[3] &&
        sw_ports_area(s->g, la, lo, &p) == SW_OK && !strcmp(p->country, "KP")) {
        if (v->kstate == 1 &&
            (!v->kopen || p != v->kport || t - v->kout_since >= ZONE_REENTRY_MS)) {
            v->kopen = zone_truth(s, mmsi, t, t, la, lo, p->name, "entry", "port");
            json_object_set_new(sim_details(v->kopen), "port", json_string(p->name));
        }
        v->kstate = 2;
        v->kport = p;
        if (v->kopen) sim_put_time(v->kopen, "end", t);
    } else {
        if (v->kstate == 2) v->kout_since = t;
        v->kstate = 1;
    }
}

/* Slow episodes still open at the end of the run. */
static void zones_finish(struct sim *s)
{
    const struct sw_zones *zs = sw_geo_zones(s->g);
    for (size_t k = 0; k < s->nv; k++) {
        struct vessel *v = &s->v[k];
        uint32_t mmsi = v->mmsi2 && v->last_tx >= v->t_mmsi2 ? v->mmsi2 : v->mmsi;
        for (size_t i = 0; i < sw_zones_count(zs) && i < MAXZ; i++)
            if (v->slow0[i]) slow_close(s, v, i, mmsi, sw_zones_get(zs, i));
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "zone_transits": [{mmsi, zone, day, entries}] sorted by vessel, zone and day. */
static json_t *transits_json(const struct sim *s)
{
    size_t n = json_object_size(s->transits), k = 0;
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    json_t *a = json_array();
    if (!keys || !a) {
        free(keys);
        json_decref(a);
        return NULL;
    }
    const char *key;
    json_t *val;
    json_object_foreach(s->transits, key, val) keys[k++] = key;
    qsort(keys, n, sizeof *keys, cmp_str);
    for (k = 0; k < n; k++) {
        char zone[64], day[16];
        unsigned mmsi;
        if (sscanf(keys[k], "%9u|%63[^|]|%15s", &mmsi, zone, day) != 3) continue;
        json_array_append_new(
            a, json_pack("{s:I,s:s,s:s,s:I}", "mmsi", (json_int_t)mmsi, "zone", zone, "day", day,
                         "entries", json_integer_value(json_object_get(s->transits, keys[k]))));
    }
    free(keys);
    return a;
}

/* ---- transmitting ------------------------------------------------------------------------ */

static int in_span(const struct span *sp, int n, int64_t t)
{
    for (int i = 0; i < n; i++)
        if (t >= sp[i].t0 && t < sp[i].t1) return i;
    return -1;
}

/* Three earlier fixes (20, 40, 60 min before) re-sent with the current timestamp. */
static int replay(struct sim *s, const struct vessel *v, const struct sw_aisenc_msg *cur, int64_t t,
                  double tla, double tlo)
{
    int rc = SW_OK;
    for (int k = 1; k <= 3 && !rc; k++) {
        struct sw_aisenc_msg m = *cur;
        int64_t then = t - k * 20 * MIN_MS;
        sim_track_pos(v, then, &m.lat, &m.lon);
        m.type = 1;
        m.second = (int)((then / 1000) % 60);
        rc = transmit(s, &m, t, tla, tlo);
    }
    return rc;
}

static int send_static(struct sim *s, const struct vessel *v, struct sw_aisenc_msg *m, int64_t t,
                       double tla, double tlo)
{
    if (v->cls == 'A') {
        m->type = 5;
        m->imo = v->imo;
        snprintf(m->dest, sizeof m->dest, "%s", v->dest);
        m->draught_m = v->t_draught && t >= v->t_draught ? v->draught2 : v->draught;
        m->eta_month = 3;
        m->eta_day = 5;
        m->eta_hour = 12;
        m->eta_minute = 0;
        return transmit(s, m, t + 1000, tla, tlo);
    }
    if (m->type == 19) return SW_OK;
    m->type = 24;
    m->part = 0;
    int rc = transmit(s, m, t + 1000, tla, tlo);
    m->part = 1;
    return rc ? rc : transmit(s, m, t + 2000, tla, tlo);
}

/* Where the vessel is at t (its leg), its speed and course, and whether it drifts. */
static void kinematics(struct sim *s, const struct leg *l, uint32_t mmsi, int64_t t, double *la,
                       double *lo, double *sog, double *cog)
{
    if (l->kind == LEG_MOVE) {
        double f = (double)(t - l->t0) / (double)(l->t1 - l->t0 ? l->t1 - l->t0 : 1);
        f = f < 0 ? 0 : f > 1 ? 1 : f;
        double d = sw_geo_dist_m(l->la0, l->lo0, l->la1, l->lo1);
        double brg = sw_geo_bearing_deg(l->la0, l->lo0, l->la1, l->lo1);
        sw_geo_dest(l->la0, l->lo0, brg, f * d, la, lo);
        *sog = l->kn + rrange(&s->r, -0.3, 0.3);
        *cog = fmod(sw_geo_bearing_deg(*la, *lo, l->la1, l->lo1) + rrange(&s->r, -1.5, 1.5) + 360,
                    360);
        return;
    }
    /* slow wander around the point: a smooth loop of radius l->radius */
    double ph = (double)(t - l->t0) / (double)HOUR_MS * 0.7 + (double)(mmsi % 360);
    sw_geo_dest(l->la0, l->lo0, fmod(ph * 57.3, 360), l->radius * (0.5 + 0.5 * sin(ph)), la, lo);
    *sog = fmax(0, l->kn * rrange(&s->r, 0.3, 1.0));
    *cog = rrange(&s->r, 0, 360);
}

static int vessel_tick(struct sim *s, struct vessel *v, int64_t t)
{
    if (!v->nlegs || t < v->legs[0].t0 || t >= sim_last_t(v) || t < v->next_tx) return SW_OK;
    while (v->cur + 1 < v->nlegs && v->legs[v->cur].t1 <= t)
        v->cur++;
    const struct leg *l = &v->legs[v->cur];
    double la, lo, sog, cog;
    int moving = l->kind == LEG_MOVE;
    kinematics(s, l, v->mmsi, t, &la, &lo, &sog, &cog);
    int64_t iv = v->cls == 'B' ? 180000 : moving ? 120000 : 360000;
    v->next_tx = t + iv + (int64_t)rrange(&s->r, -15000, 15000);
    if (in_span(v->silent, v->nsilent, t) >= 0) return SW_OK;
    double tla = la, tlo = lo; /* receivers hear the ship where it is, not where it claims */
    int sp = in_span(v->spoof, v->nspoof, t);
    if (sp >= 0) {
        double a = v->spoof[sp].la, o = v->spoof[sp].lo;
        sw_geo_dest(a, o, rrange(&s->r, 0, 360), rrange(&s->r, 0, 300), &la, &lo);
    }
    /* a glitch or a garbled digit: one fix (the first heard from odd_t on) */
    int odd = (v->odd == ODD_GLITCH || v->odd == ODD_GARBLE) && !v->odd_done && t >= v->odd_t &&
              t < v->odd_t + 30 * MIN_MS;
    if (odd && v->odd == ODD_GLITCH) {
        la = v->odd_a;
        lo = v->odd_b;
    } else if (odd) {
        la += v->odd_a;
        lo += v->odd_b;
    }
    uint32_t mmsi = v->mmsi2 && t >= v->t_mmsi2 ? v->mmsi2 : v->mmsi;
    if (mmsi == v->mmsi2 && !v->first_tx2) v->first_tx2 = t;
    if (!v->first_tx) v->first_tx = t;
    v->last_tx = t;
    struct sw_aisenc_msg m;
    memset(&m, 0, sizeof m);
    m.mmsi = mmsi;
    m.lat = la;
    m.lon = lo;
    m.sog_kn = sog;
    m.cog_deg = cog;
    m.heading = (int)lround(cog) % 360;
    m.second = (int)((t / 1000) % 60);
    m.nav_status = moving ? 0 : l->status;
    if (v->cls == 'A')
        m.type = runif(&s->r) < 0.85 ? 1 : (runif(&s->r) < 0.7 ? 3 : 2);
    else
        m.type = v->b19 && t >= v->next_static ? 19 : 18;
    int rename = v->t_rename && t >= v->t_rename;
    int64_t tchange = v->t_rename ? v->t_rename : v->t_mmsi2;
    if (tchange && t >= tchange && t < tchange + 30 * MIN_MS)
        v->next_static = t; /* a transponder sends changed static data at once */
    const char *name = rename ? v->name2 : v->name, *cs = rename ? v->callsign2 : v->callsign;
    snprintf(m.name, sizeof m.name, "%s", name);
    snprintf(m.callsign, sizeof m.callsign, "%s", cs);
    m.ship_type = v->ship_type;
    m.to_bow = v->len * 2 / 3;
    m.to_stern = v->len - m.to_bow;
    m.to_port = v->beam / 2;
    m.to_starboard = v->beam - m.to_port;
    int rc = transmit(s, &m, t, tla, tlo);
    if (odd && s->last_heard) v->odd_done = 1;
    /* zone entries are labelled from the positions some receiver heard (what a detector can
     * know), spoofed ones included; a second transmitter's and one-off odd fixes are not */
    const struct sw_port *p;
    int slow = !moving && l->kn < SLOW_ZONE_KN && !v->clone && !odd &&
               sw_ports_area(s->g, la, lo, &p) != SW_OK;
    if (!rc && s->last_heard && !v->clone && !odd) zones_update(s, v, mmsi, t, la, lo, slow);
    if (!rc && v->odd == ODD_REPLAY && !v->odd_done && t >= v->odd_t) {
        v->odd_done = 1;
        rc = replay(s, v, &m, t, tla, tlo);
    }
    /* static data goes 1-2 s after a position: none that would fall after the end of the run */
    if (rc || t < v->next_static || t + 2000 >= s->t1) return rc;
    v->next_static = t + 360000 + (int64_t)rrange(&s->r, -20000, 20000);
    return send_static(s, v, &m, t, tla, tlo);
}

/* ---- derived truth: presence ---------------------------------------------------------------- */

static json_t *presence_item(struct sim *s, const struct vessel *v, int neg, const char *type,
                             int64_t t0, int64_t t1, uint32_t m2)
{
    double la, lo;
    sim_track_pos(v, t0, &la, &lo);
    return sim_truth_item(s, neg, type, t0, t1, la, lo, v->mmsi, m2);
}

static void listed_details(json_t *o, const struct vessel *v, const char *corroboration)
{
    json_t *d = sim_details(o);
    json_object_set_new(d, "name", json_string(v->name));
    json_object_set_new(d, "corroboration", json_string(corroboration));
    if (v->imo) json_object_set_new(d, "imo", json_integer(v->imo));
}

/* identity_fraud and listed_vessel truth from first to last transmission; shared_imo over
 * the time both vessels transmitted; the listed-name hard negatives likewise. */
static void presence_truth(struct sim *s)
{
    for (size_t i = 0; i < s->nv; i++) {
        struct vessel *v = &s->v[i];
        const char *r = v->role;
        if (v->clone || !v->first_tx) continue;
        json_t *o = NULL;
        if (!strcmp(r, "identity_fraud_imo") || !strcmp(r, "identity_fraud_mid")) {
            o = presence_item(s, v, 0, "identity_fraud", v->first_tx, v->last_tx, 0);
            int imo = !strcmp(r, "identity_fraud_imo");
            json_object_set_new(sim_details(o), "kind",
                                json_string(imo ? "imo_check_digit" : "unallocated_mid"));
            if (imo) json_object_set_new(sim_details(o), "imo", json_integer(v->imo));
        } else if (!strcmp(r, "listed_vessel")) {
            listed_details(presence_item(s, v, 0, "listed_vessel", v->first_tx, v->last_tx, 0), v,
                           "imo");
        } else if (!strcmp(r, "listed_name")) {
            listed_details(presence_item(s, v, 0, "listed_vessel", v->first_tx, v->last_tx, 0), v,
                           "name+type+length");
        } else if (!strcmp(r, "listed_untyped")) {
            o = presence_item(s, v, 0, "listed_vessel", v->first_tx, v->last_tx, 0);
            listed_details(o, v, "name+type");
            json_object_set_new(sim_details(o), "variant", json_string("untyped_listing"));
        } else if (!strcmp(r, "shared_imo") && v->peer && v->peer->first_tx) {
            const struct vessel *a = v->peer;
            int64_t t0 = a->first_tx > v->first_tx ? a->first_tx : v->first_tx;
            int64_t t1 = a->last_tx < v->last_tx ? a->last_tx : v->last_tx;
            o = presence_item(s, v, 0, "identity_fraud", t0, t1, a->mmsi);
            json_t *d = sim_details(o);
            json_object_set_new(d, "kind", json_string("shared_imo"));
            json_object_set_new(d, "imo", json_integer(v->imo));
            json_object_set_new(d, "names", json_pack("[s,s]", a->name, v->name));
        } else if (!strcmp(r, "listed_name_yacht") || !strcmp(r, "listed_name_other_imo") ||
                   !strcmp(r, "listed_name_only")) {
            o = presence_item(s, v, 1, r, v->first_tx, v->last_tx, 0);
            json_object_set_new(sim_details(o), "name", json_string(v->name));
        }
    }
}

static json_t *vessels_json(const struct sim *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->nv; i++) {
        const struct vessel *v = &s->v[i];
        if (v->clone) continue;
        json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:i}", "mmsi", (json_int_t)v->mmsi, "name",
                              v->name, "callsign", v->callsign, "class", v->cls == 'A' ? "A" : "B",
                              "role", v->role, "ship_type", v->ship_type);
        if (v->imo) json_object_set_new(o, "imo", json_integer(v->imo));
        if (v->len) json_object_set_new(o, "length", json_integer(v->len));
        if (v->mmsi2) json_object_set_new(o, "mmsi_after", json_integer(v->mmsi2));
        json_array_append_new(a, o);
    }
    return a;
}

/* ---- the run ------------------------------------------------------------------------------- */

void sw_sim_opts_default(struct sw_sim_opts *o)
{
    o->seed = 1;
    o->hours = 36;
    o->vessels = 30;
    o->start_ms = 1709251200000LL; /* 2024-03-01T00:00:00Z */
}

/* The box around every DPRK port area, with 0.2 degrees to spare. */
static void kp_box(struct sim *s)
{
    s->kp_box[0] = s->kp_box[2] = 1e9;
    s->kp_box[1] = s->kp_box[3] = -1e9;
    for (size_t i = 0; i < sw_ports_count(s->g); i++) {
        const struct sw_port *p = sw_ports_get(s->g, i);
        if (strcmp(p->country, "KP")) continue;
        s->kp_box[0] = fmin(s->kp_box[0], p->lat - 0.2);
        s->kp_box[1] = fmax(s->kp_box[1], p->lat + 0.2);
        s->kp_box[2] = fmin(s->kp_box[2], p->lon - 0.2);
        s->kp_box[3] = fmax(s->kp_box[3], p->lon + 0.2);
    }
}

static int build(struct sim *s)
{
    kp_box(s);
    for (int i = 0; i < s->o->vessels; i++) {
        struct vessel *v = sim_new_vessel(s, "background", rpick(&s->r, 5) ? 'A' : 'B');
        if (!v) return SW_ENOMEM;
        sim_lane_walker(s, v);
    }
    int rc = sim_scenarios(s);
    if (!rc) rc = sim_negatives(s);
    if (!rc) rc = sim_gaps(s);        /* after every drift: no dark_rendezvous in reach */
    if (!rc) rc = sim_outage(s);      /* after every labelled vessel: none in the silent range */
    if (!rc) rc = sim_cases(s);       /* tanker deliveries, the Rajin shuttle (cases.c) */
    if (!rc) rc = sim_cases_truth(s); /* possible port calls and deliveries of the plan */
    return rc;
}

static int write_truth(struct sim *s, struct sw_buf *truth)
{
    json_t *root = json_object(), *zt = transits_json(s);
    if (!root || !zt) {
        json_decref(root);
        json_decref(zt);
        return SW_ENOMEM;
    }
    json_object_set_new(root, "generator", json_string("sanctwatch simulate"));
    json_object_set_new(root, "format", json_integer(2));
    json_object_set_new(root, "seed", json_integer((json_int_t)s->o->seed));
    sim_put_time(root, "start", s->t0);
    sim_put_time(root, "end", s->t1);
    json_object_set_new(root, "events", s->events);
    json_object_set_new(root, "negatives", s->negatives);
    json_object_set_new(root, "zone_transits", zt);
    if (s->cap) json_object_set_new(root, "cap", s->cap);
    s->cap = NULL;
    json_object_set_new(root, "vessels", vessels_json(s));
    json_t *rx = json_array();
    for (size_t i = 0; i < SIM_NSTATIONS; i++)
        json_array_append_new(rx, json_pack("{s:s,s:f,s:f}", "name", SIM_STATIONS[i].name, "lat",
                                            SIM_STATIONS[i].lat, "lon", SIM_STATIONS[i].lon));
    json_object_set_new(root, "receivers", rx);
    s->events = s->negatives = NULL;
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (!text) return SW_ENOMEM;
    int rc = sw_buf_puts(truth, text);
    if (!rc) rc = sw_buf_putc(truth, '\n');
    free(text);
    return rc;
}

int sw_sim_run(const struct sw_sim_opts *o, const struct sw_geo *g, sw_sim_emit_fn emit, void *ctx,
               struct sw_buf *truth, struct sw_sim_stats *stats)
{
    struct sw_sim_stats st0;
    struct sim s;
    memset(&s, 0, sizeof s);
    if (!stats) stats = &st0;
    memset(stats, 0, sizeof *stats);
    if (!(o->hours >= 24 && o->hours <= 168) || o->vessels < 0 || o->vessels > 500)
        return SW_EINVAL;
    s.o = o;
    s.g = g;
    s.r.s = o->seed * 0x2545F4914F6CDD1DULL + 12345;
    s.t0 = o->start_ms;
    s.t1 = o->start_ms + (int64_t)(o->hours * HOUR_MS);
    s.emit = emit;
    s.ctx = ctx;
    s.st = stats;
    s.outage_station = -1;
    s.events = json_array();
    s.negatives = json_array();
    s.transits = json_object();
    sw_buf_init(&s.line, 4096);
    int rc = SW_ENOMEM;
    if (!s.events || !s.negatives || !s.transits) goto fail;
    s.capv = (size_t)o->vessels + 256;
    s.v = calloc(s.capv, sizeof *s.v);
    if (!s.v) goto fail;
    rc = build(&s);
    if (rc) goto fail;
    for (int64_t t = s.t0; t < s.t1; t += 10000) {
        for (size_t i = 0; i < s.nv && !rc; i++)
            if (s.v[i].next_tx < t + 10000)
                rc = vessel_tick(&s, &s.v[i], s.v[i].next_tx > t ? s.v[i].next_tx : t);
        if (!rc && (t / 10000) % 30 == 0) rc = flush(&s, t);
        if (rc) goto fail;
    }
    rc = flush(&s, INT64_MAX);
    if (rc) goto fail;
    zones_finish(&s);
    presence_truth(&s);
    stats->vessels = s.nv;
    stats->truth_events = json_array_size(s.events);
    stats->negatives = json_array_size(s.negatives);
    rc = write_truth(&s, truth);
fail:
    for (size_t i = 0; i < s.npend; i++)
        free(s.pend[i].line);
    free(s.pend);
    free(s.v);
    json_decref(s.events);
    json_decref(s.negatives);
    json_decref(s.cap);
    json_decref(s.transits);
    sw_buf_release(&s.line);
    return rc;
}

/* ---- splitting the output by time ------------------------------------------------------------ */

int sw_sim_line_time(const char *line, size_t len, int64_t *secs)
{
    if (!len || line[0] != '\\') return 0;
    const char *end = memchr(line + 1, '\\', len - 1), *p = line + 1;
    if (!end) return 0;
    while (p < end) {
        if (end - p > 2 && p[0] == 'c' && p[1] == ':') {
            int64_t v = 0;
            const char *q = p + 2;
            while (q < end && *q >= '0' && *q <= '9' && v < INT64_MAX / 10 - 10)
                v = v * 10 + (*q++ - '0');
            if (q == p + 2) return 0;
            *secs = v;
            return 1;
        }
        const char *c = memchr(p, ',', (size_t)(end - p));
        if (!c) break;
        p = c + 1;
    }
    return 0;
}
