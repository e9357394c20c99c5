/*
 * Fuzz target for the reader of an unfinished run's state file (src/ingest/statefile.c) and
 * the blobs it hands on: vessel states (sw_vessels_restore, then an update of each restored
 * vessel), the reorder buffer's pending records (sw_reorder_load, then drained) and the dedup
 * table (sw_dedup_load, then checked). The input is the file after its 32-byte header, which
 * the target writes itself (a header that does not match is refused before anything else is
 * read); it is loaded once whole and once with a committed length cut in the middle.
 */
#include "../../src/ingest/statefile.h"
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/vessel.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
    struct sw_vessels *vs;
    struct sw_reorder *rq;
    struct sw_dedup *dd;
};

static int on_record(void *c, const unsigned char *rec, size_t len)
{
    struct ctx *x = c;
    {
        struct sw_vessel v;
        if (len < sizeof v) return SW_OK;
        memcpy(&v, rec, sizeof v);
        if (sw_vessels_restore(x->vs, &v) != SW_OK) return SW_OK;
        struct sw_record r;
        struct sw_vessel *vp;
        struct sw_vessel_out out;
        sw_record_clear(&r);
        r.mmsi = v.mmsi;
        r.t_ms = 1709251200000LL;
        r.lat = 38, r.lon = 124, r.sog = 8, r.cog = 45;
        r.fields = SW_F_POS | SW_F_SOG | SW_F_COG | SW_F_NAME;
        memcpy(r.name, "FUZZ", 5);
        if (sw_vessels_update(x->vs, &r, &vp, &out) != SW_OK || vp->recent_n > SW_VESSEL_RECENT)
            abort();
    }
    return SW_OK;
}

static int on_pending(void *c, const struct sw_sf_blobs *b)
{
    struct ctx *x = c;
    const void *reorder = b->reorder, *dedup = b->dedup;
    size_t rlen = b->rlen, dlen = b->dlen;
    if (sw_reorder_load(x->rq, reorder, rlen) == SW_OK) {
        struct sw_record r;
        size_t n = 0;
        while (sw_reorder_pop(x->rq, SW_REORDER_DRAIN, &r) == SW_OK)
            n++;
        if (sw_reorder_pending(x->rq) != 0) abort();
        (void)n;
    }
    if (sw_dedup_load(x->dd, dedup, dlen) == SW_OK) sw_dedup_check(x->dd, 12345, 1709251200000LL);
    return SW_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    static const unsigned char header[SW_SF_HEADER] = {
        'S', 'W', 'I', 'N', 'G', 'S', 'T', '1', 1, 0, 0, 0, 0, 0, 0, 0,
        1,   0,   0,   0,   0,   0,   0,   0,   1, 0, 0, 0, 0, 0, 0, 0};
    if (!path[0]) snprintf(path, sizeof path, "/tmp/fuzz_statefile.%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    int ok =
        fwrite(header, 1, sizeof header, f) == sizeof header && fwrite(data, 1, size, f) == size;
    if (fclose(f) != 0 || !ok) return 0;
    for (int pass = 0; pass < 2; pass++) {
        struct ctx x = {NULL, NULL, NULL};
        uint64_t len = SW_SF_HEADER + (pass ? size / 2 : size);
        if (sw_vessels_new(&x.vs, 4096, NULL) == SW_OK &&
            sw_reorder_new(&x.rq, 600000, 512) == SW_OK &&
            sw_dedup_new(&x.dd, 60000, 1024) == SW_OK)
            sw_sf_load(path, len, 1, 1, 1, on_record, on_pending, &x);
        sw_vessels_free(x.vs);
        sw_reorder_free(x.rq);
        sw_dedup_free(x.dd);
    }
    unlink(path);
    return 0;
}
