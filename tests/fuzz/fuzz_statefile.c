/*
 * Fuzz target for an unfinished run's saved state as a resumed run loads it: the state file
 * reader (src/ingest/statefile.c) and everything it hands on, through the pipeline's own
 * loader (ing_sf_restore): vessel records with the detectors' per-vessel state
 * (sw_vessels_restore, then the detector stage's load_vessel), the reorder buffer's pending
 * records, the dedup table and the detectors' global state (encounter pairs, reception grid,
 * ...). A state that loads is then run on: a record for every restored vessel an hour after
 * its last one, and the end of the run (which publishes what is open). The input is the file
 * after its 32-byte header, which the target writes itself; it is loaded once whole and once
 * with a committed length cut in the middle. The corpus holds, besides damaged files, state
 * files of a simulated run killed between checkpoints ('simulate --seed 3 --hours 24
 * --vessels 5', its first 20,000 lines, 'analyze --checkpoint 2500' killed with SIGKILL
 * (1500 before the vessels' recent track was cut to 2 fixes); the file DB-ingest.N after
 * its header, up to the length its ingest_pending row commits).
 */
#include "../../src/ingest/pipeline_int.h"
#include "../../src/ingest/statefile.h"
#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/store.h"
#include "sanctwatch/vessel.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sw_geo *geo(void)
{
    static struct sw_geo *g;
    static int tried;
    if (!tried) {
        tried = 1;
        if (sw_geo_open(&g, NULL, NULL) != SW_OK) {
            fprintf(stderr, "fuzz_statefile: no geo data directory (set SANCTWATCH_DATA)\n");
            abort();
        }
    }
    return g;
}

/* Run on what was loaded: one record per restored vessel, then the end of the run. */
static void run_on(struct sw_pipeline *p)
{
    struct sw_vessels *vs = sw_pipeline_vessels(p);
    size_t n = sw_vessels_count(vs);
    for (size_t i = 0; i < n && i < 256; i++) {
        const struct sw_vessel *v = sw_vessels_at(vs, i);
        if (!v) continue;
        if (v->recent_n > SW_VESSEL_RECENT) abort();
        struct sw_record r;
        sw_record_clear(&r);
        r.mmsi = v->mmsi;
        r.t_ms = (v->last_seen > 0 ? v->last_seen : 1709251200000LL) + 3600000;
        r.lat = 39.0 + (double)(i % 7) * 0.01, r.lon = 124.5;
        r.sog = 0.3, r.cog = 45;
        r.fields = SW_F_POS | SW_F_SOG | SW_F_COG | SW_F_NAME;
        memcpy(r.name, "FUZZ", 5);
        if (sw_pipeline_feed(p, &r) != SW_OK) return;
    }
    sw_pipeline_finish(p, NULL);
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
        uint64_t len = SW_SF_HEADER + (pass ? size / 2 : size);
        sqlite3 *db = NULL;
        struct sw_detect *d = NULL;
        struct sw_pipeline *p = NULL;
        struct sw_detect_params dp;
        struct sw_pipeline_config cfg = {0};
        const struct sw_stage *stage;
        sw_detect_params_default(&dp);
        if (sw_store_open(":memory:", &db, NULL) != SW_OK ||
            sw_detect_new(&d, geo(), NULL, &dp, NULL, NULL) != SW_OK)
            goto next;
        stage = sw_detect_stage(d);
        cfg.stages = &stage;
        cfg.nstages = 1;
        cfg.max_vessels = 4096;
        if (sw_pipeline_new(&p, db, &cfg, NULL) != SW_OK) goto next;
        if (ing_sf_restore(p, path, len, 1, 1, 1, NULL) == SW_OK) run_on(p);
    next:
        sw_pipeline_free(p);
        sw_detect_free(d);
        sw_store_close(db);
    }
    unlink(path);
    return 0;
}
