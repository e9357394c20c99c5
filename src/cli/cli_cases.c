/*
 * The cases stage for analyze (src/cases/, sanctwatch/cases.h): its parameters from --config
 * (sections [possible_port_call], [corridor_voyage], [cases]), the sensitive ports and the sea
 * router, and the stage that follows the detectors.
 */
#include "cli.h"

#include "sanctwatch/cases.h"
#include "sanctwatch/error.h"

#include <errno.h>
#include <string.h>

int cli_cases_setup(struct cli_cases *cc, sqlite3 *db, const char *config, const struct sw_geo *g,
                    struct sw_detect *det)
{
    struct sw_cases_params p;
    char err[SW_ERRMAX] = "", key[64] = "";
    int rc;
    memset(cc, 0, sizeof *cc);
    sw_cases_params_default(&p);
    if (config) {
        struct sw_config *conf = NULL;
        size_t line = 0;
        if ((rc = sw_config_load(&conf, config, &line)) != SW_OK) {
            if (rc == SW_EIO)
                cli_error("cannot open '%s': %s", config, strerror(errno));
            else
                cli_error("'%s' line %zu: %s", config, line, sw_strerror(rc));
            return -1;
        }
        rc = sw_cases_params_load(&p, conf, key);
        sw_config_free(conf);
        if (rc != SW_OK) {
            cli_error("'%s': bad value for '%s'", config, key);
            return -1;
        }
    }
    if ((rc = sw_cases_new(&cc->c, g, &p, err)) != SW_OK) {
        cli_error("cannot load the sensitive ports: %s", err[0] ? err : sw_strerror(rc));
        return -1;
    }
    if ((rc = sw_cases_stage_new(&cc->s, cc->c, det, db, &p)) != SW_OK) {
        cli_error("cannot start the cases stage: %s",
                  rc == SW_EDB ? sqlite3_errmsg(db) : sw_strerror(rc));
        return -1;
    }
    return 0;
}

void cli_cases_free(struct cli_cases *cc)
{
    sw_cases_stage_free(cc->s);
    sw_cases_free(cc->c);
    memset(cc, 0, sizeof *cc);
}

int cli_cases_report(sqlite3 *db, const struct sw_geo *g, const struct sw_config *cfg,
                     json_t *model, char *err)
{
    struct sw_cases_params p;
    struct sw_cases *c = NULL;
    char key[64] = "";
    sw_cases_params_default(&p);
    int rc = cfg ? sw_cases_params_load(&p, cfg, key) : SW_OK;
    if (rc) {
        snprintf(err, SW_ERRMAX, "bad value for '%s'", key);
        return rc;
    }
    if ((rc = sw_cases_new(&c, g, &p, err)) == SW_OK)
        rc = sw_cases_report(db, c, model, SW_PRODUCT_GASOIL, err);
    sw_cases_free(c);
    return rc;
}
