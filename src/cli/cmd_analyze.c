/*
 * sanctwatch analyze: ingest any mix of inputs (files, .gz, stdin, tcp://, udp://, NMEA or
 * CSV) into the vessel picture kept in SQLite. A thin wrapper over sw_pipeline: options,
 * signals (SIGINT/SIGTERM stop cleanly: a live input ends, a file is checkpointed for
 * resumption), progress on a terminal, the counters at the end.
 */
#include "cli.h"

#include "sanctwatch/detect.h" /* detectors: --events/--config/--no-detect (detect engineer) */
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/nmea.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sanctwatch analyze [--db DB] [options] INPUT...\n\n"
            "Build the picture of every vessel from AIS inputs and keep it in DB (default %s).\n"
            "INPUT is a file (.gz read transparently; NMEA, MarineCadastre or aisdk CSV), '-' for\n"
            "stdin, tcp://HOST:PORT (a feed to connect to) or udp://ADDR:PORT (to listen on).\n\n"
            "  --db DB               database (created if needed)\n"
            "  --lateness SEC        event-time reorder bound (default 600)\n"
            "  --dedup-window SEC    copies of a message within this are one (default 60)\n"
            "  --reorder-max N       records held for reordering at most (default 262144)\n"
            "  --checkpoint N        commit a checkpoint every N lines (default 1000000)\n"
            "  --idle-exit SEC       a live input ends after SEC without data (default never)\n"
            "  --lenient             accept NMEA sentences with a bad or missing checksum\n"
            "  --quiet               no progress and no counters on stderr\n"
            "  --events FILE         write detected events as JSON lines to FILE ('-' stdout)\n"
            "  --config FILE         detector parameters (default: data/detect.conf defaults)\n"
            "  --no-detect           run no detectors (ingest only)\n\n"
            "A run stopped by a signal or killed is resumed by running the same command again;\n"
            "files already ingested into DB are skipped.\n",
            SW_STORE_DEFAULT_PATH);
}

static int parse_num(const char *opt, const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = s ? strtod(s, &end) : 0;
    if (!s || end == s || *end || errno || v < min || v > max) {
        cli_error("analyze: bad value '%s' for %s", s ? s : "", opt);
        return -1;
    }
    *out = v;
    return 0;
}

struct prog {
    int64_t started, last;
    uint64_t last_msgs;
};

static void on_progress(void *ctx, const char *input, uint64_t bytes, uint64_t size,
                        const uint64_t *c)
{
    struct prog *pg = ctx;
    int64_t now = sw_time_now_ms();
    if (now - pg->last < 1000) return;
    double dt = (double)(now - pg->last) / 1000.0;
    double rate = (double)(c[SW_IC_MESSAGES] - pg->last_msgs) / (dt > 0 ? dt : 1);
    pg->last = now;
    pg->last_msgs = c[SW_IC_MESSAGES];
    fprintf(stderr, "\ranalyze: %s: %" PRIu64 " msgs, %.0f msg/s", input ? input : "",
            c[SW_IC_MESSAGES], rate);
    if (size > 0 && bytes <= size) {
        double el = (double)(now - pg->started) / 1000.0, frac = (double)bytes / (double)size;
        double eta = frac > 0 ? el / frac - el : 0;
        fprintf(stderr, ", %" PRIu64 "/%" PRIu64 " MB, ETA %d:%02d", bytes >> 20, size >> 20,
                (int)eta / 60, (int)eta % 60);
    }
    fputs("   ", stderr);
    fflush(stderr);
}

static void print_counters(struct sw_pipeline *p, size_t vessels)
{
    const uint64_t *c = sw_pipeline_counters(p);
    const uint64_t *n = sw_pipeline_nmea_counts(p);
    fprintf(stderr, "analyze: %zu vessels\n", vessels);
    for (int i = 0; i < SW_IC_COUNT; i++)
        if (c[i]) fprintf(stderr, "  %-24s %" PRIu64 "\n", sw_ingest_counter_name(i), c[i]);
    for (int i = 1; i < SW_NMEA_NREASONS; i++)
        if (n[i])
            fprintf(stderr, "  nmea_%-19s %" PRIu64 "\n",
                    sw_nmea_reason_name((enum sw_nmea_reason)i), n[i]);
}

/* ---- detectors (detect engineer): events to a FILE*, parameters from --config */
static int emit_line(void *ctx, const char *line, size_t len)
{
    FILE *f = ctx;
    if (fwrite(line, 1, len, f) != len || fputc('\n', f) == EOF) return SW_EIO;
    return SW_OK;
}

static int detect_setup(sqlite3 *db, const char *config, const char *events, struct sw_geo **g,
                        struct sw_detect **det, FILE **evf)
{
    struct sw_detect_params dp;
    struct sw_config *conf = NULL;
    const char *errpath = NULL;
    char err[SW_ERRMAX] = "", key[64] = "";
    size_t line = 0;
    int rc;
    sw_detect_params_default(&dp);
    if (config) {
        if ((rc = sw_config_load(&conf, config, &line)) != SW_OK) {
            if (rc == SW_EIO)
                cli_error("cannot open '%s': %s", config, strerror(errno));
            else
                cli_error("'%s' line %zu: %s", config, line, sw_strerror(rc));
            return -1;
        }
        rc = sw_detect_params_load(&dp, conf, key);
        sw_config_free(conf);
        if (rc != SW_OK) {
            cli_error("'%s': bad value for '%s'", config, key);
            return -1;
        }
    }
    if ((rc = sw_geo_open(g, NULL, &errpath)) != SW_OK) {
        cli_error("cannot load the geographic data%s%s%s: %s", errpath ? " '" : "",
                  errpath ? errpath : "", errpath ? "'" : "", sw_strerror(rc));
        return -1;
    }
    if (events) {
        *evf = strcmp(events, "-") ? fopen(events, "w") : stdout;
        if (!*evf) {
            cli_error("cannot open '%s': %s", events, strerror(errno));
            return -1;
        }
    }
    if (sw_detect_new(det, *g, db, &dp, NULL, err) != SW_OK) {
        cli_error("cannot start the detectors: %s", err);
        return -1;
    }
    if (*evf) sw_detect_set_emit(*det, emit_line, *evf);
    return 0;
}
/* ---- end of the detector part */

int cmd_analyze(int argc, char **argv)
{
    const char *events = NULL, *config = NULL; /* detectors */
    int no_detect = 0;
    struct sw_geo *geo = NULL;
    struct sw_detect *det = NULL;
    FILE *evf = NULL;
    const char *dbpath = SW_STORE_DEFAULT_PATH;
    struct sw_pipeline_config cfg;
    int quiet = 0, first = argc, status = 1;
    double v;
    sw_pipeline_config_default(&cfg);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--db") && i + 1 < argc) {
            dbpath = argv[++i];
        } else if (!strcmp(a, "--lateness")) {
            if (parse_num(a, i + 1 < argc ? argv[++i] : NULL, 0, 86400 * 30, &v)) return 2;
            cfg.lateness_ms = (int64_t)(v * 1000);
        } else if (!strcmp(a, "--dedup-window")) {
            if (parse_num(a, i + 1 < argc ? argv[++i] : NULL, 0, 86400, &v)) return 2;
            cfg.dedup_window_ms = (int64_t)(v * 1000);
        } else if (!strcmp(a, "--reorder-max")) {
            if (parse_num(a, i + 1 < argc ? argv[++i] : NULL, 1, 1 << 26, &v)) return 2;
            cfg.reorder_capacity = (size_t)v;
        } else if (!strcmp(a, "--checkpoint")) {
            if (parse_num(a, i + 1 < argc ? argv[++i] : NULL, 1, 1e12, &v)) return 2;
            cfg.checkpoint_lines = (uint64_t)v;
        } else if (!strcmp(a, "--idle-exit")) {
            if (parse_num(a, i + 1 < argc ? argv[++i] : NULL, 0, 1e7, &v)) return 2;
            cfg.idle_exit_ms = (int64_t)(v * 1000);
        } else if (!strcmp(a, "--lenient")) {
            cfg.lenient = 1;
        } else if (!strcmp(a, "--events") && i + 1 < argc) {
            events = argv[++i];
        } else if (!strcmp(a, "--config") && i + 1 < argc) {
            config = argv[++i];
        } else if (!strcmp(a, "--no-detect")) {
            no_detect = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "--")) {
            first = i + 1;
            break;
        } else if (a[0] == '-' && a[1]) {
            cli_error("analyze: unknown option '%s'", a);
            usage(stderr);
            return 2;
        } else {
            first = i;
            break;
        }
    }
    if (first >= argc) {
        usage(stderr);
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns so we can stop */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    cfg.stop = &stop_flag;
    struct prog pg = {sw_time_now_ms(), sw_time_now_ms(), 0};
    int tty = !quiet && isatty(STDERR_FILENO);
    if (tty) {
        cfg.progress = on_progress;
        cfg.progress_ctx = &pg;
    }

    char err[SW_ERRMAX] = "";
    sqlite3 *db = NULL;
    struct sw_pipeline *p = NULL;
    if (sw_store_open(dbpath, &db, err) != SW_OK) {
        cli_error("%s", err);
        return 1;
    }
    if (!no_detect && detect_setup(db, config, events, &geo, &det, &evf))
        goto out; /* before the pipeline opens its transaction: the ledger migrates */
    if (sw_pipeline_new(&p, db, &cfg, err) != SW_OK) {
        cli_error("%s", err);
        goto out;
    }
    if (det && (sw_detect_attach(det, sw_pipeline_vessels(p)) != SW_OK ||
                sw_pipeline_add_consumer(p, sw_detect_consume, det) != SW_OK))
        goto out;
    /* events are recorded in batches, flushed inside the transaction before every commit */
    if (det && sw_pipeline_add_commit_hook(p, sw_detect_flush, det) != SW_OK) goto out;
    if (det) sw_detect_set_batch(det, 512);
    int failed = 0;
    for (int i = first; i < argc; i++) {
        int skipped = 0;
        err[0] = '\0';
        int rc = sw_pipeline_input(p, argv[i], &skipped, err);
        if (tty) fputs("\n", stderr);
        if (rc == SW_EAGAIN) {
            cli_error("interrupted in '%s'; run the same command again to resume", argv[i]);
            status = 130;
            goto out;
        }
        if (rc != SW_OK) {
            cli_error("%s", err[0] ? err : sw_strerror(rc));
            if (rc == SW_EDB) goto out;
            failed = 1;
            continue;
        }
        if (err[0]) { /* read error after some data: kept, reported */
            cli_error("%s", err);
            failed = 1;
        }
        if (skipped && !quiet)
            cli_warn("'%s' was already ingested into '%s'; skipped", argv[i], dbpath);
        if (stop_flag) break;
    }
    if (sw_pipeline_finish(p, err) != SW_OK) {
        cli_error("%s", err);
        goto out;
    }
    if (!quiet) print_counters(p, sw_vessels_count(sw_pipeline_vessels(p)));
    if (det && !quiet) {
        const struct sw_detect_stats *ds = sw_detect_get_stats(det);
        for (int t = 0; t < SW_DT_COUNT; t++)
            if (ds->events[t])
                fprintf(stderr, "  event_%-18s %" PRIu64 "\n", sw_detect_type_name(t),
                        ds->events[t]);
    }
    if (evf && fflush(evf) == EOF) {
        cli_error("cannot write '%s': %s", events, strerror(errno));
        failed = 1;
    }
    status = failed ? 1 : 0;
out:
    sw_detect_free(det);
    sw_geo_free(geo);
    if (evf && evf != stdout) fclose(evf);
    sw_pipeline_free(p);
    sw_store_close(db);
    return status;
}
