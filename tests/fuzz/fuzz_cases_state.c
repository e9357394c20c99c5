/*
 * Fuzz target for the cases stage's saved state (src/cases/stage.c): a damaged checkpoint or
 * carried state must be refused, never crash nor leave a state that crashes later. The input
 * is a list of per-vessel blobs (a 2-byte little-endian length before each) loaded into slots
 * 0, 1, 2...; every vessel whose blob was accepted then sends fixes at Najin, at sea with a
 * long silence, and at Vostochny through the stage (the voyage logic runs on the loaded
 * entry), and its state is saved and loaded back, which must succeed.
 */
#include "sanctwatch/buf.h"
#include "sanctwatch/cases.h"
#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/vessel.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSLOT 8

static struct sw_geo *G;
static struct sw_cases *C;
static struct sw_detect *D;
static struct sw_cases_stage *S;
static const struct sw_stage *ST;

static int init(void)
{
    char err[SW_GEO_PATHMAX];
    char e[SW_ERRMAX];
    struct sw_cases_params p;
    if (sw_geo_open(&G, NULL, err)) return -1;
    sw_cases_params_default(&p);
    if (sw_cases_new(&C, G, &p, e) || sw_detect_new(&D, G, NULL, NULL, NULL, e) ||
        sw_cases_stage_new(&S, C, D, NULL, &p))
        return -1;
    ST = sw_cases_stage_get(S);
    return 0;
}

static void fix(struct sw_vessels *vs, uint32_t mmsi, int64_t t, double lat, double lon, float sog)
{
    struct sw_record r;
    struct sw_vessel *v;
    struct sw_vessel_out out;
    sw_record_clear(&r);
    r.t_ms = t;
    r.mmsi = mmsi;
    r.kind = SW_REC_VESSEL;
    r.lat = lat;
    r.lon = lon;
    r.sog = sog;
    r.draught = 4.5f;
    r.fields = SW_F_POS | SW_F_SOG | SW_F_DRAUGHT;
    if (sw_vessels_update(vs, &r, &v, &out) != SW_OK) abort();
    if (ST->record(ST->ctx, &r, v, out.slot) != SW_OK) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!G && init()) abort();
    struct sw_vessels *vs;
    struct sw_buf b;
    int ok[NSLOT] = {0};
    if (sw_vessels_new(&vs, 64, NULL) != SW_OK) abort();
    ST->reset(ST->ctx);
    if (ST->attach(ST->ctx, vs) != SW_OK) abort();
    /* the vessels the slots belong to (slot i: MMSI 273000001 + i) */
    for (int i = 0; i < NSLOT; i++) {
        struct sw_record r;
        struct sw_vessel *v;
        struct sw_vessel_out out;
        sw_record_clear(&r);
        r.t_ms = 1709251200000LL;
        r.mmsi = 273000001u + (uint32_t)i;
        r.kind = SW_REC_VESSEL;
        r.fields = SW_F_NAME;
        memcpy(r.name, "FUZZ", 5);
        if (sw_vessels_update(vs, &r, &v, &out) != SW_OK) abort();
    }
    size_t off = 0;
    for (int i = 0; i < NSLOT && off + 2 <= size; i++) {
        size_t n = (size_t)data[off] | (size_t)data[off + 1] << 8;
        off += 2;
        if (n > size - off) n = size - off;
        int rc = ST->load_vessel(ST->ctx, (size_t)i, data + off, n);
        if (rc != SW_OK && rc != SW_EFORMAT && rc != SW_ETOOBIG) abort();
        ok[i] = rc == SW_OK;
        off += n;
    }
    ST->load(ST->ctx, data, size < 4 ? size : 4);
    int64_t t = 1709251200000LL + 3600000;
    for (int i = 0; i < NSLOT; i++) {
        if (!ok[i]) continue;
        uint32_t m = 273000001u + (uint32_t)i;
        fix(vs, m, t, 42.215, 130.30, 0.1);
        fix(vs, m, t + 600000, 42.1, 130.6, 11);
        fix(vs, m, t + 30 * 3600000LL, 42.6, 132.9, 11);
        fix(vs, m, t + 31 * 3600000LL, 42.745, 133.045, 0.1);
    }
    sw_buf_init(&b, 1 << 16);
    for (int i = 0; i < NSLOT; i++) {
        sw_buf_reset(&b);
        if (ST->save_vessel(ST->ctx, (size_t)i, &b) != SW_OK) abort();
        ok[i] = 0;
        if (b.len) {
            ST->reset(ST->ctx);
            if (ST->load_vessel(ST->ctx, (size_t)i, b.data, b.len) != SW_OK) abort();
        }
    }
    sw_buf_release(&b);
    ST->reset(ST->ctx);
    sw_vessels_free(vs);
    return 0;
}
