/*
 * sanctwatch serve: the monitoring service (sanctwatch/serve.h; docs/serve.md, docs/api.md).
 * The HTTP API, event stream and dashboard run on libmicrohttpd's threads; this thread is the
 * store's one writer: it runs analyze's engine on the feeds (files in turn, then a live feed)
 * and, once they end or without any, the service's own writes until SIGINT/SIGTERM.
 */
#include "cli.h"

#include "sanctwatch/datadir.h"
#include "sanctwatch/cases.h"
#include "sanctwatch/detect.h"
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/serve.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: sanctwatch serve --db DB [--listen ADDR:PORT] [--feed INPUT]...\n"
    "                        [--tls-cert FILE --tls-key FILE] [--insecure] [--key FILE]\n"
    "                        [--witnesses POLICY] [options]\n\n"
    "Serve the store DB to partner analysts: the JSON API (/api/v1), live events, reviews and\n"
    "alerts (Server-Sent Events) and the dashboard, while analyze's engine runs on the feeds.\n\n"
    "  --db DB              the store (must exist: 'sanctwatch users add --admin NAME' makes one)\n"
    "  --listen ADDR:PORT   numeric address (default 127.0.0.1:8080; port 0: any free port)\n"
    "  --feed INPUT         a file (read once, resumable), tcp://HOST:PORT or udp://ADDR:PORT;\n"
    "                       repeat for several files; at most one live feed\n"
    "  --tls-cert FILE, --tls-key FILE   serve HTTPS (PEM)\n"
    "  --insecure           allow plain HTTP on an address other than loopback\n"
    "  --key FILE           the ledger key: heads are signed after new records (at once after\n"
    "                       a review), so the dashboard can verify proofs\n"
    "  --witnesses POLICY   submit each new head to these witnesses (docs/witness.md)\n"
    "  --head-interval SEC  sign a head at most this often (default 60)\n"
    "  --config FILE        detector parameters; --no-detect: ingest only; --no-cases: no\n"
    "                       cases stage (as analyze: a store carries the detectors' and the\n"
    "                       cases' state over only between runs with the same stages)\n"
    "  --lateness SEC       event-time reorder bound (default 600: events of a live feed are\n"
    "                       seen that much later; lower it for a feed in order)\n"
    "  --checkpoint-ms MS   commit what the feed brought this often (default 500)\n"
    "  --web DIR            the dashboard's files (default: the data directory's web/)\n"
    "  --threads N          HTTP threads (default 4); --timeout SEC idle limit (default 10)\n"
    "  --max-conn N         connections (default 1024); --max-conn-per-ip N (default 256)\n"
    "  --port-file FILE     write the port listened on to FILE\n"
    "  --quiet              no request log on stderr\n"
    "Stops cleanly on SIGINT or SIGTERM (a file being read is resumed next time).\n";

static volatile sig_atomic_t *stop_flag;

#define MAX_FEEDS 64

struct sopts {
    const char *db, *listen, *cert, *key_pem, *key, *witnesses, *config, *web, *port_file;
    const char *feeds[MAX_FEEDS];
    int nfeeds, insecure, no_detect, no_cases, quiet;
    unsigned threads, timeout, max_conn, max_ip, head_interval;
    double lateness, checkpoint_ms;
};

static int num(const char *opt, const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double d = v ? strtod(v, &end) : 0;
    if (!v || end == v || *end || errno || d < lo || d > hi) {
        cli_error("serve: bad value '%s' for %s", v ? v : "", opt);
        return -1;
    }
    *out = d;
    return 0;
}

static int unum(const char *opt, const char *v, unsigned lo, unsigned hi, unsigned *out)
{
    double d;
    if (num(opt, v, lo, hi, &d)) return -1;
    *out = (unsigned)d;
    return 0;
}

/* One option at argv[*i]: 0 taken, 1 unknown, -1 bad value (said). */
static int option(struct sopts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    const char **str = !strcmp(a, "--db")          ? &o->db
                       : !strcmp(a, "--listen")    ? &o->listen
                       : !strcmp(a, "--tls-cert")  ? &o->cert
                       : !strcmp(a, "--tls-key")   ? &o->key_pem
                       : !strcmp(a, "--key")       ? &o->key
                       : !strcmp(a, "--witnesses") ? &o->witnesses
                       : !strcmp(a, "--config")    ? &o->config
                       : !strcmp(a, "--web")       ? &o->web
                       : !strcmp(a, "--port-file") ? &o->port_file
                                                   : NULL;
    if (str || !strcmp(a, "--feed")) {
        if (!v) {
            cli_error("serve: %s needs a value", a);
            return -1;
        }
        ++*i;
        if (str) {
            *str = v;
        } else if (o->nfeeds == MAX_FEEDS) {
            cli_error("serve: at most %d feeds", MAX_FEEDS);
            return -1;
        } else {
            o->feeds[o->nfeeds++] = v;
        }
        return 0;
    }
    if (!strcmp(a, "--insecure")) return o->insecure = 1, 0;
    if (!strcmp(a, "--no-detect")) return o->no_detect = 1, 0;
    if (!strcmp(a, "--no-cases")) return o->no_cases = 1, 0;
    if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) return o->quiet = 1, 0;
    int bad = 0;
    if (!strcmp(a, "--threads"))
        bad = unum(a, v, 1, 64, &o->threads);
    else if (!strcmp(a, "--timeout"))
        bad = unum(a, v, 1, 3600, &o->timeout);
    else if (!strcmp(a, "--max-conn"))
        bad = unum(a, v, 1, 100000, &o->max_conn);
    else if (!strcmp(a, "--max-conn-per-ip"))
        bad = unum(a, v, 1, 100000, &o->max_ip);
    else if (!strcmp(a, "--head-interval"))
        bad = unum(a, v, 1, 86400, &o->head_interval);
    else if (!strcmp(a, "--lateness"))
        bad = num(a, v, 0, 86400 * 30, &o->lateness);
    else if (!strcmp(a, "--checkpoint-ms"))
        bad = num(a, v, 10, 3600000, &o->checkpoint_ms);
    else
        return 1;
    ++*i;
    return bad ? -1 : 0;
}

/* ADDR:PORT (IPv6 as [ADDR]:PORT) into host and port. */
static int split_listen(const char *s, char *host, size_t cap, unsigned *port)
{
    const char *colon = s[0] == '[' ? strstr(s, "]:") : strrchr(s, ':');
    if (!colon) return -1;
    size_t n = s[0] == '[' ? (size_t)(colon - s - 1) : (size_t)(colon - s);
    const char *h = s[0] == '[' ? s + 1 : s;
    if (n == 0 || n >= cap) return -1;
    memcpy(host, h, n);
    host[n] = '\0';
    double p;
    char *end;
    p = strtod(colon + (s[0] == '[' ? 2 : 1), &end);
    if (*end || p < 0 || p > 65535 || p != (unsigned)p) return -1;
    *port = (unsigned)p;
    return 0;
}

static int loopback(const char *host)
{
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    return !strcmp(host, "::1");
}

static int parse_args(int argc, char **argv, struct sopts *o)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return -1;
        }
        int rc = option(o, argc, argv, &i);
        if (rc < 0) return 2;
        if (rc > 0) {
            cli_error("serve: unknown option '%s'", argv[i]);
            fputs(usage_text, stderr);
            return 2;
        }
    }
    if (!o->db) {
        cli_error("serve: --db DB is required");
        return 2;
    }
    if ((o->cert != NULL) != (o->key_pem != NULL)) {
        cli_error("serve: --tls-cert and --tls-key go together");
        return 2;
    }
    int live = 0;
    for (int i = 0; i < o->nfeeds; i++)
        live += !strncmp(o->feeds[i], "tcp://", 6) || !strncmp(o->feeds[i], "udp://", 6);
    if (live > 1) {
        cli_error("serve: at most one live feed (tcp:// or udp://); merge receivers into one "
                  "feed upstream");
        return 2;
    }
    return 0;
}

static void log_line(void *ctx, const char *line)
{
    char t[32];
    fprintf(stderr, "%s %s\n", sw_time_format(sw_time_now_ms(), 0, t), line);
}

/* The dashboard: --web, else <data directory>/web, else web/ beside the program (the build
 * tree: build/sanctwatch and build/web); NULL when none holds index.html. */
static const char *find_web(const char *given, char *buf, size_t cap)
{
    struct stat st;
    char idx[PATH_MAX + 16];
    if (given) return given;
    if (sw_datadir_path("web", buf, cap) == SW_OK) {
        snprintf(idx, sizeof idx, "%s/index.html", buf);
        if (stat(idx, &st) == 0) return buf;
    }
    if (cap < 8 || sw_datadir_program_dir(buf, cap - 4) != SW_OK) return NULL;
    memcpy(buf + strlen(buf), "/web", 5);
    snprintf(idx, sizeof idx, "%s/index.html", buf);
    return stat(idx, &st) == 0 ? buf : NULL;
}

/* The store's writer connection, under the database's writer lock (store.h): a second writer
 * (analyze, users, another serve) is refused with the holder named. */
static int open_writer(const char *path, sqlite3 **db, char *err)
{
    return sw_store_open_writer(path, 0, db, err);
}

/* The feeds in turn through analyze's engine, then the pipeline's end. 130 when stopped
 * inside a file (resumed next time), 1 on a store error, else 0. */
static int run_feeds(struct sw_serve *srv, sqlite3 *db, const struct sopts *o)
{
    struct sw_pipeline_config cfg;
    struct sw_geo *geo = NULL;
    struct sw_detect *det = NULL;
    struct sw_pipeline *p = NULL;
    struct cli_cases cc = {0};
    const struct sw_stage *stages[2];
    char err[SW_ERRMAX] = "";
    int status = 1;
    sw_pipeline_config_default(&cfg);
    if (o->lateness >= 0) cfg.lateness_ms = (int64_t)(o->lateness * 1000);
    cfg.checkpoint_ms = (int64_t)o->checkpoint_ms;
    cfg.stop = stop_flag;
    sw_serve_pipeline_config(srv, &cfg);
    if (!o->no_detect) {
        if (cli_detect_setup(db, o->config, &geo, &det)) goto out;
        stages[cfg.nstages++] = sw_detect_stage(det);
        /* the stages analyze runs, so that the detectors' and the cases' saved state of a
         * store analyzed before carries over (with other stages, they start afresh) */
        if (!o->no_cases && cli_cases_setup(&cc, db, o->config, geo, det)) goto out;
        if (cc.s) stages[cfg.nstages++] = sw_cases_stage_get(cc.s);
        cfg.stages = stages;
    }
    if (sw_pipeline_new(&p, db, &cfg, err) != SW_OK || sw_serve_attach(srv, p, det) != SW_OK) {
        cli_error("%s", err[0] ? err : "cannot attach the service to the pipeline");
        goto out;
    }
    if (det && sw_pipeline_stages_reset(p))
        cli_warn("the detectors start afresh: their saved state in '%s' came from another build, "
                 "other stages (analyze --no-cases?), a run without them, or later data "
                 "(docs/detection.md)",
                 o->db);
    for (int i = 0; i < o->nfeeds && !*stop_flag; i++) {
        int skipped = 0;
        err[0] = '\0';
        int rc = sw_pipeline_input(p, o->feeds[i], &skipped, err);
        if (rc == SW_EAGAIN) {
            cli_warn("stopped in '%s'; serve it again to resume", o->feeds[i]);
            status = 130;
            goto out;
        }
        if (rc != SW_OK || err[0]) cli_error("%s", err[0] ? err : sw_strerror(rc));
        if (rc == SW_EDB) goto out;
        if (skipped) cli_warn("'%s' was already ingested; skipped", o->feeds[i]);
    }
    if (sw_pipeline_finish(p, err) != SW_OK) {
        cli_error("%s", err);
        goto out;
    }
    status = 0;
out:
    sw_pipeline_free(p);
    cli_cases_free(&cc);
    sw_detect_free(det);
    sw_geo_free(geo);
    return status;
}

static int write_port(const char *path, unsigned port)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        cli_error("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int start(struct sopts *o, sqlite3 *db, struct sw_ledger_key *key, struct sw_serve **srv)
{
    char host[128], web[PATH_MAX], screening[PATH_MAX], err[SW_ERRMAX];
    unsigned port = 8080;
    if (split_listen(o->listen ? o->listen : "127.0.0.1:8080", host, sizeof host, &port)) {
        cli_error("serve: bad --listen '%s' (ADDR:PORT, numeric)", o->listen);
        return 2;
    }
    if (!loopback(host) && !o->cert && !o->insecure) {
        cli_error("serve: refusing plain HTTP on '%s': give --tls-cert and --tls-key, or "
                  "--insecure behind a TLS proxy",
                  host);
        return 2;
    }
    if (o->key && cli_load_key(o->key, key)) return 1;
    struct sw_serve_opts so = {0};
    so.db_path = o->db;
    so.host = host;
    so.port = port;
    so.threads = o->threads;
    so.timeout_s = o->timeout;
    so.max_conn = o->max_conn;
    so.max_per_ip = o->max_ip;
    so.tls_cert = o->cert;
    so.tls_key = o->key_pem;
    so.web_dir = find_web(o->web, web, sizeof web);
    so.key = o->key ? key : NULL;
    so.witnesses = o->witnesses;
    so.head_interval_s = o->head_interval;
    if (sw_datadir_path("screening", screening, sizeof screening) == SW_OK)
        so.screen_data = screening;
    so.log = o->quiet ? NULL : log_line;
    if (sw_serve_new(srv, db, &so, err) != SW_OK) {
        cli_error("serve: %s", err);
        return 1;
    }
    unsigned bound = sw_serve_port(*srv);
    int v6 = strchr(host, ':') != NULL;
    fprintf(stderr, "serving '%s' on %s://%s%s%s:%u/\n", o->db, o->cert ? "https" : "http",
            v6 ? "[" : "", host, v6 ? "]" : "", bound);
    if (!so.web_dir)
        fprintf(stderr, "the dashboard is not built ('make web'): serving the API only\n");
    if (!o->key) fprintf(stderr, "no --key: heads are not signed, so proofs cannot be verified\n");
    if (o->port_file && write_port(o->port_file, bound)) return 1;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    struct sopts o;
    memset(&o, 0, sizeof o);
    o.lateness = -1;
    o.checkpoint_ms = 500;
    int rc = parse_args(argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    stop_flag = cli_stop_on_signals();
    signal(SIGPIPE, SIG_IGN);
    sqlite3 *db = NULL;
    struct sw_serve *srv = NULL;
    struct sw_ledger_key key;
    char err[SW_ERRMAX];
    memset(&key, 0, sizeof key);
    if (open_writer(o.db, &db, err) != SW_OK) {
        cli_error("%s", err);
        return 1;
    }
    int status = start(&o, db, &key, &srv);
    sw_ledger_key_wipe(&key);
    if (!status && o.nfeeds) status = run_feeds(srv, db, &o);
    if (!status && !*stop_flag && sw_serve_run_idle(srv, stop_flag, err) != SW_OK) {
        cli_error("%s", err);
        status = 1;
    }
    sw_serve_free(srv);
    sw_store_close(db);
    if (!status) fprintf(stderr, "serve: stopped\n");
    return status == 130 ? 0 : status;
}
