/*
 * sanctwatch witness: run a C2SP tlog-witness for partner logs (serve), make its key (keygen),
 * rotate it (rotate), and show what it has cosigned and refused (status). A thin layer over
 * sanctwatch/witness.h; docs/witness.md tells how to run one.
 */
#include "cli.h"

#include "sanctwatch/error.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/timeutil.h"
#include "sanctwatch/witness.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: sanctwatch witness keygen --key FILE --name NAME\n"
    "       sanctwatch witness serve --key FILE --state DB --log ORIGIN=PUBKEY...\n"
    "                                [--listen HOST:PORT] [--port-file FILE] [--prefix PATH]\n"
    "                                [--timeout SEC] [--threads N]\n"
    "       sanctwatch witness status --state DB\n"
    "       sanctwatch witness rotate --key OLD --new-key NEW [--out STATEMENT]\n"
    "\n"
    "  --key FILE       the witness's secret key (keygen writes it, mode 0600, and FILE.pub,\n"
    "                   its verifier key 'NAME+ID+BASE64' of type 0x04 for partners)\n"
    "  --name NAME      the witness's name, e.g. witness.ministry.example/w1\n"
    "  --state DB       the witness's state (SQLite): latest cosigned head per log, refusals\n"
    "  --log ORIGIN=PUBKEY  a log to witness: its origin and verifier key (inline or a file);\n"
    "                   repeat for more logs, or for a second key of a log being rotated\n"
    "  --listen HOST:PORT  numeric address to bind (default 127.0.0.1:7380; port 0: any free\n"
    "                   port, printed and written to --port-file)\n"
    "  --prefix PATH    submission prefix: POST PATH/add-checkpoint (default none)\n"
    "  --timeout SEC    idle connection limit (default 10); --threads N (default 2)\n"
    "serve stops cleanly on SIGTERM or SIGINT. See docs/witness.md.\n";

#define MAX_LOGS 64

struct wopts {
    const char *key, *name, *state, *listen, *port_file, *prefix, *new_key, *out;
    const char *log[MAX_LOGS];
    int nlog;
    unsigned timeout, threads;
};

static int parse_uint(const char *opt, const char *v, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || n < lo || n > hi) {
        cli_error("witness: %s must be %u to %u, not '%s'", opt, lo, hi, v);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

static int parse_wopts(int argc, char **argv, struct wopts *o)
{
    static const char *const names[] = {"--key",       "--name",    "--state",   "--listen",
                                        "--port-file", "--prefix",  "--new-key", "--out",
                                        "--log",       "--timeout", "--threads"};
    memset(o, 0, sizeof *o);
    o->listen = "127.0.0.1:7380";
    for (int i = 0; i < argc; i++) {
        size_t k, n = sizeof names / sizeof names[0];
        const char *val = NULL;
        for (k = 0; k < n; k++) {
            size_t l = strlen(names[k]);
            if (!strcmp(argv[i], names[k]) && i + 1 < argc) {
                val = argv[++i];
                break;
            }
            if (!strncmp(argv[i], names[k], l) && argv[i][l] == '=') {
                val = argv[i] + l + 1;
                break;
            }
        }
        if (!val) {
            cli_error("witness: unknown option or missing value '%s'", argv[i]);
            return 2;
        }
        const char **slot[] = {&o->key,       &o->name,   &o->state,   &o->listen,
                               &o->port_file, &o->prefix, &o->new_key, &o->out};
        if (k < 8) {
            *slot[k] = val;
        } else if (k == 8) {
            if (o->nlog == MAX_LOGS) {
                cli_error("witness: at most %d --log", MAX_LOGS);
                return 2;
            }
            o->log[o->nlog++] = val;
        } else if (parse_uint(names[k], val, 1, k == 9 ? 3600 : 64,
                              k == 9 ? &o->timeout : &o->threads)) {
            return 2;
        }
    }
    return 0;
}

/* "HOST:PORT" or "[V6]:PORT" into host (numeric) and port. */
static int parse_listen(const char *s, char *host, size_t cap, unsigned *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon) return -1;
    const char *h = s, *he = colon;
    if (*h == '[') {
        h++;
        if (he == h || he[-1] != ']') return -1;
        he--;
    }
    if ((size_t)(he - h) >= cap || he == h) return -1;
    memcpy(host, h, (size_t)(he - h));
    host[he - h] = '\0';
    unsigned p;
    char *end;
    errno = 0;
    unsigned long v = strtoul(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || v > 65535) return -1;
    p = (unsigned)v;
    *port = p;
    return 0;
}

static void log_reply(void *ctx, const char *peer, const struct sw_witness_reply *r)
{
    char t[32];
    fprintf(stderr, "%s %s %d %s\n", sw_time_format(sw_time_now_ms(), 1, t), peer, r->status,
            r->reason);
    fflush(stderr);
}

static int add_logs(struct sw_witness *w, const struct wopts *o)
{
    for (int i = 0; i < o->nlog; i++) {
        const char *eq = strchr(o->log[i], '=');
        char origin[SW_LEDGER_NAME_MAX + 1];
        struct sw_ledger_pub pub;
        if (!eq || eq == o->log[i] || (size_t)(eq - o->log[i]) > SW_LEDGER_NAME_MAX) {
            cli_error("witness: --log expects ORIGIN=PUBKEY, not '%s'", o->log[i]);
            return -1;
        }
        snprintf(origin, sizeof origin, "%.*s", (int)(eq - o->log[i]), o->log[i]);
        if (cli_load_vkey(eq + 1, &pub)) return -1;
        int rc = sw_witness_add_log(w, origin, &pub);
        if (rc) {
            cli_error("witness: --log '%s': %s", origin,
                      rc == SW_EINVAL ? "bad origin, or not a log (type 0x01) key"
                                      : sw_strerror(rc));
            return -1;
        }
    }
    return 0;
}

/* Write the port to path through a temporary file, so a reader never sees half of it. */
static int write_port(const char *path, unsigned port)
{
    char tmp[4096], text[16];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return -1;
    snprintf(text, sizeof text, "%u\n", port);
    if (cli_write_out(tmp, text, 0644)) return -1;
    if (rename(tmp, path)) {
        cli_error("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int do_serve(const struct wopts *o)
{
    struct sw_ledger_key key;
    struct sw_witness *w = NULL;
    struct sw_witness_server *srv = NULL;
    char host[64], err[SW_ERRMAX], *vkey = NULL;
    unsigned port, bound = 0;
    int ret = 1, sig = 0;
    sigset_t set;
    if (!o->key || !o->state || o->nlog == 0) {
        cli_error("witness serve: give --key FILE, --state DB and at least one --log");
        return 2;
    }
    if (parse_listen(o->listen, host, sizeof host, &port)) {
        cli_error("witness: --listen expects HOST:PORT with a numeric host, not '%s'", o->listen);
        return 2;
    }
    if (cli_load_key(o->key, &key)) return 1;
    if (key.pub.alg != SW_NOTE_COSIG_V1) {
        cli_error("'%s' is not a witness key; make one with 'sanctwatch witness keygen'", o->key);
        goto fail;
    }
    if (sw_witness_open(o->state, &key, &w, err)) {
        cli_error("%s", err);
        goto fail;
    }
    if (add_logs(w, o)) goto fail;
    /* Signals go to sigwait below, not to the server's threads. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct sw_witness_server_opts so = {host, port,      o->threads, o->timeout,
                                        0,    o->prefix, log_reply,  NULL};
    if (sw_witness_server_start(w, &so, &srv, &bound, err)) {
        cli_error("%s", err);
        goto fail;
    }
    if (sw_ledger_pub_format(sw_witness_pub(w), &vkey)) goto fail;
    printf("witness '%s' listening on http://%s%s%s:%u%s/add-checkpoint\nverifier key: %s",
           key.pub.name, strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", bound,
           o->prefix ? o->prefix : "", vkey);
    fflush(stdout);
    if (o->port_file && write_port(o->port_file, bound)) goto fail;
    sigwait(&set, &sig);
    fprintf(stderr, "stopping on signal %d\n", sig);
    ret = 0;
fail:
    sw_witness_server_stop(srv);
    sw_witness_close(w);
    free(vkey);
    sw_ledger_key_wipe(&key);
    return ret;
}

static int print_row(void *ctx, const char *kind, const char *origin, uint64_t size,
                     int64_t time_ms, int status, const char *reason, const char *note)
{
    char t[32];
    if (!strcmp(kind, "head"))
        printf("cosigned %s size %" PRIu64 " at %s\n", origin, size, sw_time_format(time_ms, 1, t));
    else
        printf("refused  %s size %" PRIu64 " at %s (%d): %s\n", origin, size,
               sw_time_format(time_ms, 1, t), status, reason ? reason : "");
    return 0;
}

static int do_status(const struct wopts *o)
{
    struct sw_witness *w = NULL;
    char err[SW_ERRMAX];
    if (!o->state) {
        cli_error("witness status: give --state DB");
        return 2;
    }
    if (access(o->state, F_OK)) {
        cli_error("cannot open '%s': %s", o->state, strerror(errno));
        return 1;
    }
    if (sw_witness_open(o->state, NULL, &w, err)) {
        cli_error("%s", err);
        return 1;
    }
    int rc = sw_witness_walk(w, print_row, NULL);
    sw_witness_close(w);
    if (rc) cli_error("cannot read '%s': %s", o->state, sw_strerror(rc));
    return rc ? 1 : 0;
}

int cmd_witness(int argc, char **argv)
{
    struct wopts o;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    int rc = parse_wopts(argc - 2, argv + 2, &o);
    if (rc) return rc;
    if (!strcmp(sub, "keygen")) {
        if (!o.key || !o.name) {
            cli_error("witness keygen: give --key FILE and --name NAME");
            return 2;
        }
        return cli_keygen(o.key, o.name, SW_NOTE_COSIG_V1, 0);
    }
    if (!strcmp(sub, "serve")) return do_serve(&o);
    if (!strcmp(sub, "status")) return do_status(&o);
    if (!strcmp(sub, "rotate")) {
        if (!o.key || !o.new_key) {
            cli_error("witness rotate: give --key OLD and --new-key NEW");
            return 2;
        }
        return cli_rotate(o.key, o.new_key, o.out);
    }
    cli_error("witness: unknown subcommand '%s'; see 'sanctwatch witness --help'", sub);
    return 2;
}
