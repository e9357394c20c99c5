/*
 * The engine a command runs on AIS inputs, set up once for every command that runs it
 * (analyze, serve): detector parameters from --config, the geographic data, the detectors
 * recording into the ledger of the store, in batches flushed before every commit.
 */
#include "cli.h"

#include "sanctwatch/config.h"
#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"

#include <errno.h>
#include <string.h>

static int load_params(const char *config, struct sw_detect_params *dp)
{
    struct sw_config *conf = NULL;
    char key[64] = "";
    size_t line = 0;
    int rc;
    sw_detect_params_default(dp);
    if (!config) return 0;
    if ((rc = sw_config_load(&conf, config, &line)) != SW_OK) {
        if (rc == SW_EIO)
            cli_error("cannot open '%s': %s", config, strerror(errno));
        else
            cli_error("'%s' line %zu: %s", config, line, sw_strerror(rc));
        return -1;
    }
    rc = sw_detect_params_load(dp, conf, key);
    sw_config_free(conf);
    if (rc != SW_OK) {
        cli_error("'%s': bad value for '%s'", config, key);
        return -1;
    }
    return 0;
}

int cli_detect_setup(sqlite3 *db, const char *config, struct sw_geo **g, struct sw_detect **det)
{
    struct sw_detect_params dp;
    char errpath[SW_GEO_PATHMAX];
    char err[SW_ERRMAX] = "";
    int rc;
    if (load_params(config, &dp)) return -1;
    if ((rc = sw_geo_open(g, NULL, errpath)) != SW_OK) {
        cli_error("cannot load the geographic data%s%s%s: %s", *errpath ? " '" : "", errpath,
                  *errpath ? "'" : "", sw_strerror(rc));
        return -1;
    }
    if (sw_detect_new(det, *g, db, &dp, NULL, err) != SW_OK) {
        cli_error("cannot start the detectors: %s", err);
        return -1;
    }
    /* events are recorded in batches, flushed inside the transaction before every commit */
    sw_detect_set_batch(*det, 512);
    return 0;
}
