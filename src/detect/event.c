/*
 * Building the events: the DESIGN.md JSON object (id, type, start, end, position, vessels,
 * confidence, details, evidence), the bounded evidence samples and speed histograms every
 * rule keeps, the deterministic id (hash of type, vessels and start), recording through the
 * ledger in the pipeline's transaction, and the JSON line handed to the emit callback.
 */
#include "detect_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/event.h"
#include "sanctwatch/mid.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void det_sample_add(struct sampler *s, const struct dfix *f)
{
    if (s->stride == 0) s->stride = 1;
    if (s->seen++ % s->stride) return;
    if (s->n == DET_SAMPLES) { /* keep every other one, double the stride */
        for (uint32_t i = 0; i < DET_SAMPLES / 2; i++)
            s->f[i] = s->f[2 * i];
        s->n = DET_SAMPLES / 2;
        s->stride *= 2;
        if ((s->seen - 1) % s->stride) return;
    }
    s->f[s->n++] = *f;
}

void det_hist_add(struct hist *h, float sog)
{
    if (isnan(sog)) return;
    int b = sog < 0 ? 0 : (int)(sog * 10);
    if (b >= DET_HIST) b = DET_HIST - 1;
    h->b[b]++;
    h->n++;
}

/* Median speed to 0.1 kn (the bin's middle); 99 when most speeds are above the range, NaN
 * when no speed was known. */
double det_hist_median(const struct hist *h)
{
    if (!h->n) return NAN;
    uint32_t half = (h->n + 1) / 2, acc = 0;
    for (int i = 0; i < DET_HIST; i++) {
        acc += h->b[i];
        if (acc >= half) return i == DET_HIST - 1 ? 99 : i * 0.1 + 0.05;
    }
    return 99;
}

void det_num(json_t *o, const char *key, double v)
{
    sw_event_num(o, key, v);
}

static json_t *jtime(int64_t ms)
{
    char buf[32];
    return json_string(sw_time_format(ms, 0, buf));
}

static json_t *jcoord(double v)
{
    return json_real(round(v * 1e6) / 1e6);
}

json_t *det_event_new(int type, int64_t start, int64_t end, int ongoing, double lat, double lon,
                      double confidence)
{
    return sw_event_new(sw_detect_type_name(type), start, end, ongoing, lat, lon, confidence);
}

json_t *det_details(json_t *ev, const char *rule)
{
    json_t *d = json_object_get(ev, "details");
    json_object_set_new(d, "rule", json_string(rule));
    return d;
}

int det_event_vessel(struct sw_detect *d, json_t *ev, uint32_t mmsi)
{
    json_t *o = json_object();
    if (!o) return SW_ENOMEM;
    json_object_set_new(o, "mmsi", json_integer(mmsi));
    long slot = det_slot(d, mmsi);
    if (slot >= 0) {
        const struct dvessel *dv = det_hot(d, (size_t)slot);
        const struct dident *id = det_ident(d, (size_t)slot);
        if (dv->imo) json_object_set_new(o, "imo", json_integer(dv->imo));
        if (id->name[0]) json_object_set_new(o, "name", json_string(id->name));
    }
    const char *flag = sw_mid_flag(mmsi);
    if (flag && flag[0]) json_object_set_new(o, "flag", json_string(flag));
    return json_array_append_new(json_object_get(ev, "vessels"), o) ? SW_ENOMEM : SW_OK;
}

int det_event_fix(json_t *ev, const struct dfix *f, const char *role)
{
    if (!f || f->t == 0) return SW_OK;
    json_t *o = json_object();
    if (!o) return SW_ENOMEM;
    json_object_set_new(o, "mmsi", json_integer(f->mmsi));
    json_object_set_new(o, "t", jtime(f->t));
    json_object_set_new(o, "lat", jcoord(f->lat));
    json_object_set_new(o, "lon", jcoord(f->lon));
    if (!isnan(f->sog)) det_num(o, "sog", f->sog);
    if (role) json_object_set_new(o, "role", json_string(role));
    json_t *fx = json_object_get(json_object_get(ev, "evidence"), "fixes");
    return json_array_append_new(fx, o) ? SW_ENOMEM : SW_OK;
}

int det_event_samples(json_t *ev, const struct sampler *s)
{
    int rc;
    for (uint32_t i = 0; i < s->n; i++)
        if ((rc = det_event_fix(ev, &s->f[i], "sample")) != SW_OK) return rc;
    return SW_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void hex(const unsigned char *h, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[2 * n] = '\0';
}

/* id = first 16 bytes of SHA-256("type|mmsi,mmsi,...|start[|zone][|kind]"), hex; vessels
 * sorted. The zone (zone_entry) and the kind (identity_fraud) tell apart incidents of one
 * vessel that start at the same fix (two zones entered at once, two kinds of fraud in one
 * message); a record that completes an incident has the same ones. */
static void event_id(json_t *ev, char out[33])
{
    uint32_t m[16];
    size_t n = 0, i;
    json_t *vv;
    struct sw_buf b;
    json_array_foreach(json_object_get(ev, "vessels"), i, vv) if (n < 16) m[n++] =
        (uint32_t)json_integer_value(json_object_get(vv, "mmsi"));
    qsort(m, n, sizeof m[0], cmp_u32);
    sw_buf_init(&b, 4096);
    sw_buf_printf(&b, "%s|", json_string_value(json_object_get(ev, "type")));
    for (i = 0; i < n; i++)
        sw_buf_printf(&b, "%s%u", i ? "," : "", m[i]);
    sw_buf_printf(&b, "|%s", json_string_value(json_object_get(ev, "start")));
    const json_t *dt = json_object_get(ev, "details");
    const char *keys[] = {"zone", "kind"};
    for (i = 0; i < 2; i++) {
        const char *k = json_string_value(json_object_get(dt, keys[i]));
        if (k) sw_buf_printf(&b, "|%.200s", k);
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)(b.len ? b.data : ""), (unsigned long long)b.len);
    sw_buf_release(&b);
    hex(h, 16, out);
}

/* The outcome of recording q[j] (r): a refused id gets its revision recorded now, then the
 * counters and the output line. */
static int event_done(struct sw_detect *d, json_t *ev, int type, struct sw_ledger_rec *r)
{
    int rc;
    if (r->err == SW_EEXISTS) {
        /* an earlier run recorded this incident differently (it was ongoing then): the new
         * record completes it, naming the first one (event.h) */
        char *canon = NULL, rid[96];
        size_t clen = 0;
        unsigned char h[crypto_hash_sha256_BYTES];
        char hx[2 * crypto_hash_sha256_BYTES + 1];
        if ((rc = sw_canon_event(ev, &canon, &clen)) != SW_OK) return rc;
        crypto_hash_sha256(h, (const unsigned char *)canon, clen);
        free(canon);
        hex(h, 6, hx);
        json_t *id = json_incref(json_object_get(ev, "id"));
        snprintf(rid, sizeof rid, "%.64s-%.12s", json_string_value(id), hx);
        json_object_set_new(ev, "completes", id);
        json_object_set_new(ev, "id", json_string(rid));
        json_t *arr[1] = {ev};
        if ((rc = sw_ledger_record_events(d->lg, arr, 1, r)) != SW_OK) return rc;
        d->st.revised++;
    }
    if (r->err != SW_OK) return r->err;
    if (r->existed)
        d->st.existed++;
    else
        d->st.recorded++;
    return det_event_emit(d, ev, type);
}

/* The output line: the bytes of json_dumps(ev, JSON_COMPACT | JSON_REAL_PRECISION(15)) (keys
 * in insertion order, which jansson 2.14 keeps), written straight into a reused buffer. */

int det_event_emit(struct sw_detect *d, json_t *ev, int type)
{
    d->st.events[type]++;
    for (int i = 0; i < d->nlisten; i++) {
        if (!(d->listen[i].types >> type & 1)) continue;
        int rc = d->listen[i].fn(d->listen[i].ctx, ev, type);
        if (rc != 0) return rc;
    }
    if (!d->emit) return SW_OK;
    sw_buf_reset(&d->line);
    int rc = sw_buf_json(&d->line, ev, 0);
    if (rc) return rc;
    return d->emit(d->emit_ctx, d->line.data, d->line.len);
}

/* Record the held-back events in order, as few ledger calls as the refused ids allow (a
 * revision is recorded right after the event it revises, as one call per event would), then
 * count and emit them in the same order. */
/* Events a listener added while the queue was recorded: into the queue (as many as fit). */
static void take_pending(struct sw_detect *d)
{
    size_t k = d->npend < DET_BATCH_MAX ? d->npend : DET_BATCH_MAX;
    d->qn = k;
    if (!k) return; /* nothing pending (d->pend may be NULL: memmove must not see it) */
    for (size_t j = 0; j < k; j++) {
        d->q[j] = d->pend[j];
        d->qtype[j] = d->ptype[j];
    }
    memmove(d->pend, d->pend + k, (d->npend - k) * sizeof *d->pend);
    memmove(d->ptype, d->ptype + k, (d->npend - k) * sizeof *d->ptype);
    d->npend -= k;
}

int det_events_flush(struct sw_detect *d)
{
    int rc = SW_OK;
    d->flushing = 1;
    do {
        size_t i = 0;
        while (i < d->qn && rc == SW_OK) {
            size_t done = 0;
            rc = sw_ledger_record_until_exists(d->lg, d->q + i, d->qn - i, d->qres + i, &done);
            for (size_t j = i; j < i + done && rc == SW_OK; j++)
                rc = event_done(d, d->q[j], d->qtype[j], &d->qres[j]);
            i += done;
        }
        for (size_t j = 0; j < d->qn; j++)
            json_decref(d->q[j]);
        d->qn = 0;
        if (rc == SW_OK) take_pending(d);
    } while (rc == SW_OK && d->qn);
    d->flushing = 0;
    d->qmark = 0;
    d->qtypes = 0;
    return rc;
}

int sw_detect_record_done(struct sw_detect *d)
{
    int rc = SW_OK;
    if (d->qn && ((d->qtypes & d->heard) || d->qn >= d->qmax)) rc = det_events_flush(d);
    d->qmark = d->qn;
    return rc;
}

int det_event_finish(struct sw_detect *d, json_t *ev, int type)
{
    int rc;
    char id[33];
    if (!ev) return SW_ENOMEM;
    event_id(ev, id);
    json_object_set_new(ev, "id", json_string(id));
    if (!d->lg) {
        rc = det_event_emit(d, ev, type);
        json_decref(ev);
        return rc;
    }
    if (d->flushing) { /* added by a listener: recorded after the queue */
        if (d->npend == d->cappend) {
            size_t nc = d->cappend ? d->cappend * 2 : 64;
            json_t **np = realloc(d->pend, nc * sizeof *np);
            int *nt = np ? realloc(d->ptype, nc * sizeof *nt) : NULL;
            if (np) d->pend = np;
            if (!nt) {
                json_decref(ev);
                return SW_ENOMEM;
            }
            d->ptype = nt;
            d->cappend = nc;
        }
        d->pend[d->npend] = ev;
        d->ptype[d->npend++] = type;
        return SW_OK;
    }
    d->q[d->qn] = ev;
    d->qtype[d->qn++] = type;
    d->qtypes |= (uint32_t)1 << type;
    return d->qn - d->qmark >= d->qmax ? det_events_flush(d) : SW_OK;
}

int det_withdraw(struct sw_detect *d, int type, const uint32_t *mmsi, int n, int64_t start,
                 int64_t end, const char *rule, const char *reason)
{
    json_t *ev = det_event_new(type, start, end, 0, NAN, NAN, 0.05);
    if (!ev) return SW_ENOMEM;
    for (int i = 0; i < n; i++)
        det_event_vessel(d, ev, mmsi[i]);
    json_object_set_new(ev, "withdrawn", json_true());
    json_t *dt = det_details(ev, rule);
    json_object_set_new(dt, "withdrawn_because", json_string(reason));
    d->st.withdrawn++;
    return det_event_finish(d, ev, type);
}

int sw_detect_listen_types(struct sw_detect *d, sw_detect_listen_fn fn, void *ctx, uint32_t types)
{
    if (d->nlisten == (int)(sizeof d->listen / sizeof d->listen[0])) return SW_ETOOBIG;
    d->listen[d->nlisten].fn = fn;
    d->listen[d->nlisten].types = types;
    d->listen[d->nlisten++].ctx = ctx;
    d->heard |= types;
    return SW_OK;
}

int sw_detect_listen(struct sw_detect *d, sw_detect_listen_fn fn, void *ctx)
{
    return sw_detect_listen_types(d, fn, ctx, UINT32_MAX);
}

int sw_detect_add_event(struct sw_detect *d, json_t *ev)
{
    int type = sw_detect_type_of(json_string_value(json_object_get(ev, "type")));
    if (type < 0) {
        json_decref(ev);
        return SW_EINVAL;
    }
    return det_event_finish(d, ev, type);
}
