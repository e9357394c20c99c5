/*
 * Fuzz target for an unfinished run's saved state as a resumed run loads it: the state file
 * reader (src/ingest/statefile.c) and everything it hands on, through the pipeline's own
 * loader (ing_sf_restore): vessel records with the detectors' per-vessel state
 * (sw_vessels_restore, then the load_vessel of analyze's stages, the detectors' and the
 * cases'), the reorder buffer's pending records, the dedup table and the detectors' global
 * state (encounter pairs, reception grid, ...). A state that loads is then run on: a record
 * for every restored vessel an hour after its last one, and the end of the run (which
 * publishes what is open). The input is the file after its 32-byte header, which the target
 * writes itself; it is loaded once whole and once with a committed length cut in the middle.
 * The corpus holds, besides damaged files, state files of a simulated run killed between
 * checkpoints ('simulate --seed 3 --hours 24 --vessels 5', its first 20,000 lines, 'analyze
 * --checkpoint 2500' killed with SIGKILL (1500 before the vessels' recent track was cut to 2
 * fixes); the file DB-ingest.N after its header, up to the length its ingest_pending row
 * commits).
 * Cost per input: the geo data, the detectors, the cases stage and the store's schema are made
 * once and reset before each pass (sw_detect_reset, the cases stage's reset, the database
 * loaded from a template); the pipeline is made for each pass, with a reorder buffer of 2^14
 * records (a state file holds at most one per 75 bytes of its length: the refusal of a larger
 * count is the same code at any capacity) and analyze's dedup table (the saved table must
 * have the capacity it was saved with).
 */
#include "../../src/ingest/pipeline_int.h"
#include "../../src/ingest/statefile.h"
#include "sanctwatch/cases.h"
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

/* What every input shares, built once (building it is most of a pipeline start: the geo data,
 * the detectors' tables, the store's schema) and reset before each pass: the detector through
 * sw_detect_reset, the database by loading the template taken once its schema was made. The
 * pipeline itself is made afresh for each pass, as a resumed run makes it. */
static struct shared {
    struct sw_geo *g;
    struct sw_detect *d;
    struct sw_cases *c;
    struct sw_cases_stage *cs;
    sqlite3 *db;
    unsigned char *tmpl; /* the database with its schema (sqlite3_serialize) */
    sqlite3_int64 tmpl_len;
} sh;

/* The configuration of every pass's pipeline: analyze's stages, the detectors and the cases. */
static void pipeline_config(struct sw_pipeline_config *cfg)
{
    static const struct sw_stage *stages[2];
    stages[0] = sw_detect_stage(sh.d);
    stages[1] = sw_cases_stage_get(sh.cs);
    memset(cfg, 0, sizeof *cfg);
    cfg->stages = stages;
    cfg->nstages = 2;
    cfg->max_vessels = 4096;
    cfg->reorder_capacity = (size_t)1 << 14;
}

static void die(const char *what)
{
    fprintf(stderr, "fuzz_statefile: %s\n", what);
    abort();
}

static void shared_init(void)
{
    struct sw_detect_params dp;
    struct sw_cases_params cp;
    struct sw_pipeline *p = NULL;
    struct sw_pipeline_config cfg;
    if (sw_geo_open(&sh.g, NULL, NULL) != SW_OK) die("no geo data directory (set SANCTWATCH_DATA)");
    sw_detect_params_default(&dp);
    if (sw_detect_new(&sh.d, sh.g, NULL, &dp, NULL, NULL) != SW_OK)
        die("cannot make the detectors");
    if (sw_store_open(":memory:", &sh.db, NULL) != SW_OK) die("cannot open the store");
    sw_cases_params_default(&cp);
    if (sw_cases_new(&sh.c, sh.g, &cp, NULL) != SW_OK ||
        sw_cases_stage_new(&sh.cs, sh.c, sh.d, sh.db, &cp) != SW_OK)
        die("cannot make the cases stage");
    pipeline_config(&cfg);
    if (sw_pipeline_new(&p, sh.db, &cfg, NULL) != SW_OK) die("cannot make a pipeline");
    sw_pipeline_free(p); /* the schema stays, the run's row is rolled back */
    if (!(sh.tmpl = sqlite3_serialize(sh.db, "main", &sh.tmpl_len, 0)))
        die("cannot serialize the store");
}

/* The database as the template has it (its schema, no row of an earlier input). */
static void store_reset(void)
{
    unsigned char *b = sqlite3_malloc64((sqlite3_uint64)sh.tmpl_len);
    if (!b) die("out of memory");
    memcpy(b, sh.tmpl, (size_t)sh.tmpl_len);
    if (sqlite3_deserialize(sh.db, "main", b, sh.tmpl_len, sh.tmpl_len,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) !=
        SQLITE_OK)
        die(sqlite3_errmsg(sh.db));
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
    if (!sh.d) shared_init();
    for (int pass = 0; pass < 2; pass++) {
        uint64_t len = SW_SF_HEADER + (pass ? size / 2 : size);
        struct sw_pipeline *p = NULL;
        struct sw_pipeline_config cfg;
        const struct sw_stage *cases = sw_cases_stage_get(sh.cs);
        sw_detect_reset(sh.d);
        cases->reset(cases->ctx);
        store_reset();
        pipeline_config(&cfg);
        if (sw_pipeline_new(&p, sh.db, &cfg, NULL) != SW_OK) continue;
        if (ing_sf_restore(p, path, len, 1, 1, 1, NULL) == SW_OK) run_on(p);
        sw_pipeline_free(p);
    }
    unlink(path);
    return 0;
}
