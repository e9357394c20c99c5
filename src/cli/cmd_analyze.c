/*
 * sanctwatch analyze: ingest any mix of inputs (files, .gz, stdin, tcp://, udp://, NMEA or
 * CSV) into the vessel picture kept in SQLite. A thin wrapper over sw_pipeline: options,
 * signals (SIGINT/SIGTERM stop cleanly: a live input ends, a file is checkpointed for
 * resumption), progress on a terminal, the counters at the end.
 */
#include "cli.h"

#include "sanctwatch/bus.h"
#include "sanctwatch/cases.h"
#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/nmea.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t *stop_flag;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sanctwatch analyze [--db DB] [options] INPUT...\n\n"
            "Build the picture of every vessel from AIS inputs and keep it in DB (default %s).\n"
            "INPUT is a file (NMEA, MarineCadastre or aisdk CSV; .gz, .bz2, .xz, .zst, and .zip\n"
            "or tar archives read member after member, told by content), '-' for stdin,\n"
            "tcp://HOST:PORT (a feed to connect to), udp://ADDR:PORT (to listen on), or\n"
            "nats://HOST:PORT: the NATS JetStream stream `sanctwatch feed --bus` writes, taken\n"
            "from a durable consumer, acknowledged after each checkpoint (docs/bus.md).\n\n"
            "  --db DB               database (created if needed)\n"
            "  --lateness SEC        event-time reorder bound (default 600)\n"
            "  --dedup-window SEC    copies of a message within this are one (default 60)\n"
            "  --reorder-max N       records held for reordering at most (default 262144)\n"
            "  --checkpoint N        commit a checkpoint every N lines (default 1000000)\n"
            "  --jobs N              N >= 2 runs the stages (detectors, cases, events file, the\n"
            "                        store's writes) on a second thread, beside reading, ordering\n"
            "                        and the vessel state; same results as 1 (default 1; not\n"
            "                        for nats:// inputs; docs/ingest.md)\n"
            "  --idle-exit SEC       a live input ends after SEC without data (default never)\n"
            "  --lenient             accept NMEA sentences with a bad or missing checksum\n"
            "  --quiet               no progress and no counters on stderr\n"
            "  --events FILE         write detected events as JSON lines to FILE ('-' stdout)\n"
            "  --config FILE         detector parameters (default: data/detect.conf defaults)\n"
            "  --no-detect           run no detectors (ingest only)\n"
            "  --no-cases            no possible port calls or corridor voyages (docs/cases.md)\n"
            "nats:// inputs:\n"
            "  --stream NAME         the stream (default AIS)\n"
            "  --subject PREFIX      its subject prefix (default ais.raw)\n"
            "  --partitions A-B      take partitions A to B only (default all; 7-7: one)\n"
            "  --partition-count N   the stream's partitions, checked (default 256)\n"
            "  --durable NAME        consumer name (default sanctwatch-STREAM-A-B)\n"
            "  --idle-exit SEC       end when the stream had nothing new for SEC\n"
            "  --bus-timeout SEC     end (exit 1) when the bus has not answered for SEC\n"
            "                        (a cluster without leader, every node gone; default 180)\n"
            "nats://H1:P1,nats://H2:P2,...: the seed servers of a cluster (docs/bus.md)\n\n"
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
    int64_t now = sw_time_mono_ms();
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

/* ---- the options */

struct opts {
    const char *dbpath, *events, *config;
    int no_detect, quiet, first, no_cases;
    struct sw_pipeline_config cfg;
    struct sw_worker_config wk;
};

/* --partitions A-B (a range always: a lone number would read as feed's partition count):
 * 0, or 2 (usage error, reported). */
static int parse_range(const char *s, struct sw_worker_config *w)
{
    char *end = NULL;
    unsigned long a = 0, b = 0;
    errno = 0;
    if (s && *s >= '0' && *s <= '9') a = strtoul(s, &end, 10);
    if (end && *end == '-' && end[1] >= '0' && end[1] <= '9')
        b = strtoul(end + 1, &end, 10);
    else
        end = NULL;
    if (!end || *end || errno || a > b || b >= SW_BUS_PARTITIONS_MAX) {
        cli_error("analyze: bad value '%s' for --partitions (a range A-B; the stream's partition "
                  "count is --partition-count)",
                  s ? s : "");
        return 2;
    }
    w->first = (unsigned)a;
    w->last = (unsigned)b;
    return 0;
}

/* A numeric option's value: 0, or 2 (usage error, reported). */
static int num_opt(int argc, char **argv, int *i, double min, double max, double *v)
{
    const char *a = argv[*i];
    return parse_num(a, *i + 1 < argc ? argv[++*i] : NULL, min, max, v) ? 2 : 0;
}

/* 0 to go on, else the exit status (--help: 0 after printing, -1 returned as 0). */
static int parse_args(int argc, char **argv, struct opts *o)
{
    double v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int bad = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return -1;
        } else if (!strcmp(a, "--db") && i + 1 < argc) {
            o->dbpath = argv[++i];
        } else if (!strcmp(a, "--lateness")) {
            if (!(bad = num_opt(argc, argv, &i, 0, 86400 * 30, &v)))
                o->cfg.lateness_ms = (int64_t)(v * 1000);
        } else if (!strcmp(a, "--dedup-window")) {
            if (!(bad = num_opt(argc, argv, &i, 0, 86400, &v)))
                o->cfg.dedup_window_ms = (int64_t)(v * 1000);
        } else if (!strcmp(a, "--reorder-max")) {
            if (!(bad = num_opt(argc, argv, &i, 1, 1 << 26, &v)))
                o->cfg.reorder_capacity = (size_t)v;
        } else if (!strcmp(a, "--checkpoint")) {
            if (!(bad = num_opt(argc, argv, &i, 1, 1e12, &v)))
                o->cfg.checkpoint_lines = (uint64_t)v;
        } else if (!strcmp(a, "--jobs")) {
            if (!(bad = num_opt(argc, argv, &i, 1, 64, &v))) o->cfg.jobs = (int)v;
        } else if (!strcmp(a, "--idle-exit")) {
            if (!(bad = num_opt(argc, argv, &i, 0, 1e7, &v)))
                o->cfg.idle_exit_ms = (int64_t)(v * 1000);
        } else if (!strcmp(a, "--stream") && i + 1 < argc) {
            o->wk.stream = argv[++i];
        } else if (!strcmp(a, "--subject") && i + 1 < argc) {
            o->wk.prefix = argv[++i];
        } else if (!strcmp(a, "--durable") && i + 1 < argc) {
            o->wk.durable = argv[++i];
        } else if (!strcmp(a, "--partitions")) {
            bad = parse_range(i + 1 < argc ? argv[++i] : NULL, &o->wk);
        } else if (!strcmp(a, "--bus-timeout")) {
            if (!(bad = num_opt(argc, argv, &i, 1, 86400, &v)))
                o->wk.bus_timeout_ms = (int64_t)(v * 1000);
        } else if (!strcmp(a, "--partition-count")) {
            if (!(bad = num_opt(argc, argv, &i, 1, SW_BUS_PARTITIONS_MAX, &v)))
                o->wk.partitions = (unsigned)v;
        } else if (!strcmp(a, "--lenient")) {
            o->cfg.lenient = 1;
        } else if (!strcmp(a, "--events") && i + 1 < argc) {
            o->events = argv[++i];
        } else if (!strcmp(a, "--config") && i + 1 < argc) {
            o->config = argv[++i];
        } else if (!strcmp(a, "--no-detect")) {
            o->no_detect = 1;
        } else if (!strcmp(a, "--no-cases")) {
            o->no_cases = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o->quiet = 1;
        } else if (!strcmp(a, "--")) {
            o->first = i + 1;
            break;
        } else if (a[0] == '-' && a[1]) {
            cli_error("analyze: unknown option '%s'", a);
            usage(stderr);
            return 2;
        } else {
            o->first = i;
            break;
        }
        if (bad) return bad;
    }
    if (o->first >= argc) {
        usage(stderr);
        return 2;
    }
    for (int i = o->first; i < argc && o->cfg.jobs >= 2; i++)
        if (!strncmp(argv[i], "nats://", 7)) {
            cli_error("analyze: --jobs %d does not take nats:// inputs (the bus worker runs on "
                      "one thread; give --jobs 1)",
                      o->cfg.jobs);
            return 2;
        }
    if (o->no_detect && (o->events || o->config)) {
        cli_error("analyze: --events and --config need the detectors (drop --no-detect)");
        return 2;
    }
    return 0;
}

/* ---- the detectors: parameters from --config, events to --events */

static int emit_line(void *ctx, const char *line, size_t len)
{
    FILE *f = ctx;
    if (fwrite(line, 1, len, f) != len || fputc('\n', f) == EOF) return SW_EIO;
    return SW_OK;
}

/* The events file survives a kill: each checkpoint saves its length (after writing out what
 * was recorded before the checkpoint), and a resumed run cuts it back to that length, so the
 * events the killed run wrote after its last checkpoint, which the resumed run writes again,
 * appear once. A fresh run starts it empty. */
struct evout {
    const char *path;
    FILE *f; /* NULL: no --events */
    int resumed;
    int stream; /* not a regular file: neither cut back nor resumed */
    struct sw_stage stage;
};

static int ev_save(void *ctx, struct sw_buf *b)
{
    struct evout *e = ctx;
    if (fflush(e->f) == EOF || fsync(fileno(e->f)) != 0) return SW_EIO;
    int64_t off = ftello(e->f);
    return off < 0 ? SW_EIO : sw_buf_append(b, &off, sizeof off);
}

static int ev_load(void *ctx, const void *data, size_t len)
{
    struct evout *e = ctx;
    int64_t off;
    struct stat st;
    if (len != sizeof off) return SW_EFORMAT;
    memcpy(&off, data, sizeof off);
    if (fstat(fileno(e->f), &st) != 0 || off < 0 || st.st_size < off) {
        cli_error("'%s' is shorter than at the checkpoint the run resumes from: it was changed "
                  "since; give the run its events file as it was left",
                  e->path);
        return SW_EFORMAT;
    }
    if (ftruncate(fileno(e->f), (off_t)off) != 0 || fseeko(e->f, (off_t)off, SEEK_SET) != 0)
        return SW_EIO;
    e->resumed = 1;
    return SW_OK;
}

/* Open --events without truncating it (a resumed run needs what is there). */
static int events_open(struct evout *e, const char *path)
{
    memset(e, 0, sizeof *e);
    e->path = path;
    if (!path) return 0;
    if (!strcmp(path, "-")) {
        e->f = stdout;
        return 0;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || !(e->f = fdopen(fd, "r+"))) {
        cli_error("cannot open '%s': %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
        e->stream = 1; /* a pipe, a terminal, /dev/null: written as it comes, like stdout */
        return 0;
    }
    e->stage.name = "events_file"; /* no carried state: only a resumed run loads it */
    e->stage.ctx = e;
    e->stage.save = ev_save;
    e->stage.load = ev_load;
    return 0;
}

/* After the pipeline loaded its saved state: a run that did not resume starts the file
 * empty. */
static int events_start(struct evout *e)
{
    if (!e->f || e->f == stdout || e->stream || e->resumed) return 0;
    if (ftruncate(fileno(e->f), 0) != 0 || fseeko(e->f, 0, SEEK_SET) != 0) {
        cli_error("cannot write '%s': %s", e->path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- the run */

static void print_worker(const struct sw_worker_counts *c)
{
    fprintf(stderr,
            "analyze: bus: %" PRIu64 " received, %" PRIu64 " applied, %" PRIu64
            " seen before, %" PRIu64 " of other partitions, %" PRIu64 " bad, %" PRIu64
            " acks, after sequence %" PRIu64 " up to %" PRIu64 "\n",
            c->received, c->applied, c->seen, c->other_partition,
            c->bad_header + c->bad_format + c->oversized + c->wrong_partition + c->mmsi_mismatch +
                c->no_frame,
            c->acks, c->resumed_after, c->position);
    const struct {
        const char *name;
        uint64_t v;
    } bad[] = {{"bus_bad_header", c->bad_header},       {"bus_bad_format", c->bad_format},
               {"bus_oversized", c->oversized},         {"bus_wrong_partition", c->wrong_partition},
               {"bus_mmsi_mismatch", c->mmsi_mismatch}, {"bus_no_frame", c->no_frame},
               {"bus_consumer_resets", c->resets}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (bad[i].v) fprintf(stderr, "  %-24s %" PRIu64 "\n", bad[i].name, bad[i].v);
}

/* One input: a nats:// stream through the worker, anything else through the pipeline. */
static int run_input(struct sw_pipeline *p, const char *input, const struct opts *o, int *skipped,
                     char *err)
{
    if (strncmp(input, "nats://", 7) != 0) return sw_pipeline_input(p, input, skipped, err);
    struct sw_worker_config wk = o->wk;
    struct sw_worker_counts wc;
    wk.url = input;
    wk.idle_exit_ms = o->cfg.idle_exit_ms;
    wk.stop = stop_flag;
    int rc = sw_worker_run(p, &wk, &wc, err);
    if (!o->quiet) print_worker(&wc);
    return rc;
}

/* Every input in turn. 0 when all went well, 1 when one failed (the others still ran), -1 to
 * stop (a database error), 130 when interrupted. */
static int run_inputs(struct sw_pipeline *p, char **inputs, int n, const struct opts *o, int tty)
{
    char err[SW_ERRMAX];
    int failed = 0;
    for (int i = 0; i < n; i++) {
        int skipped = 0;
        err[0] = '\0';
        int rc = run_input(p, inputs[i], o, &skipped, err);
        if (tty) fputs("\n", stderr);
        if (rc == SW_EAGAIN) {
            cli_error("interrupted in '%s'; run the same command again to resume", inputs[i]);
            return 130;
        }
        if (rc != SW_OK) {
            cli_error("%s", err[0] ? err : sw_strerror(rc));
            if (rc == SW_EDB) return -1;
            failed = 1;
            continue;
        }
        if (err[0]) { /* read error after some data: kept, reported */
            cli_error("%s", err);
            failed = 1;
        }
        if (skipped && !o->quiet)
            cli_warn("'%s' was already ingested into '%s'; skipped", inputs[i], o->dbpath);
        if (*stop_flag) break;
    }
    return failed;
}

static void print_events(const struct sw_detect *det)
{
    const struct sw_detect_stats *ds = sw_detect_get_stats(det);
    for (int t = 0; t < SW_DT_COUNT; t++)
        if (ds->events[t])
            fprintf(stderr, "  event_%-18s %" PRIu64 "\n", sw_detect_type_name(t), ds->events[t]);
    if (ds->revised)
        fprintf(stderr, "  %-24s %" PRIu64 "\n", "event_records_completing", ds->revised);
    if (ds->withdrawn) fprintf(stderr, "  %-24s %" PRIu64 "\n", "events_withdrawn", ds->withdrawn);
}

int cmd_analyze(int argc, char **argv)
{
    struct opts o = {SW_STORE_DEFAULT_PATH, NULL, NULL, 0, 0, argc, 0, {0}, {0}};
    struct sw_geo *geo = NULL;
    struct sw_detect *det = NULL;
    struct evout ev;
    const struct sw_stage *stages[3];
    struct cli_cases cc = {0};
    sqlite3 *db = NULL;
    struct sw_pipeline *p = NULL;
    char err[SW_ERRMAX] = "";
    int status = 1, rc;
    sw_pipeline_config_default(&o.cfg);
    sw_worker_config_default(&o.wk);
    if ((rc = parse_args(argc, argv, &o)) != 0) return rc < 0 ? 0 : rc;
    stop_flag = cli_stop_on_signals();
    o.cfg.stop = stop_flag;
    struct prog pg = {sw_time_mono_ms(), sw_time_mono_ms(), 0};
    int tty = !o.quiet && isatty(STDERR_FILENO);
    if (tty) {
        o.cfg.progress = on_progress;
        o.cfg.progress_ctx = &pg;
    }
    memset(&ev, 0, sizeof ev);
    if (sw_store_open_writer(o.dbpath, 1, &db, err) != SW_OK) {
        cli_error("%s", err);
        return 1;
    }
    /* the stages: the detectors, then the events file (saved after the events are recorded) */
    if (!o.no_detect) {
        if (cli_detect_setup(db, o.config, &geo, &det) || events_open(&ev, o.events)) goto out;
        if (ev.f) sw_detect_set_emit(det, emit_line, ev.f);
        stages[o.cfg.nstages++] = sw_detect_stage(det);
        if (!o.no_cases && cli_cases_setup(&cc, db, o.config, geo, det)) goto out;
        if (cc.s) stages[o.cfg.nstages++] = sw_cases_stage_get(cc.s);
        if (ev.stage.name) stages[o.cfg.nstages++] = &ev.stage;
        o.cfg.stages = stages;
    }
    if (sw_pipeline_new(&p, db, &o.cfg, err) != SW_OK) {
        cli_error("%s", err);
        goto out;
    }
    if (events_start(&ev)) goto out;
    rc = run_inputs(p, argv + o.first, argc - o.first, &o, tty);
    if (rc < 0 || rc == 130) {
        status = rc < 0 ? 1 : 130;
        goto out;
    }
    if (sw_pipeline_finish(p, err) != SW_OK) {
        cli_error("%s", err);
        goto out;
    }
    if (det && sw_pipeline_stages_reset(p) && !o.quiet)
        cli_warn("the detectors started afresh: their saved state in '%s' came from another build, "
                 "other options, a run without them, or later data (docs/detection.md)",
                 o.dbpath);
    if (!o.quiet) print_counters(p, sw_vessels_count(sw_pipeline_vessels(p)));
    if (!o.quiet && o.cfg.jobs >= 2) {
        struct sw_pipeline_jobs_stats js;
        sw_pipeline_jobs_stats(p, &js);
        fprintf(stderr,
                "analyze: --jobs %d: CPU seconds: %.2f reading and vessel state (of which %.2f "
                "with the stages idle: state load, checkpoints, the end), %.2f stages and store "
                "(second thread); %" PRIu64 " drains, ring full %" PRIu64 " times, %" PRIu64
                " sleeps for room or a drain, %" PRIu64 " of the second thread\n",
                o.cfg.jobs, js.cpu_a, js.cpu_a_serial, js.cpu_b, js.syncs, js.a_waits, js.a_sleeps,
                js.b_sleeps);
    }
    if (det && !o.quiet) print_events(det);
    if (ev.f && fflush(ev.f) == EOF) {
        cli_error("cannot write '%s': %s", o.events, strerror(errno));
        rc = 1;
    }
    status = rc ? 1 : 0;
out:
    sw_pipeline_free(p);
    cli_cases_free(&cc);
    sw_detect_free(det);
    sw_geo_free(geo);
    if (ev.f && ev.f != stdout) fclose(ev.f);
    sw_store_close(db);
    sw_bus_shutdown();
    return status;
}
