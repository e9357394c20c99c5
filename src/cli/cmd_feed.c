/*
 * sanctwatch feed: publish AIS inputs to a NATS JetStream stream, partitioned by vessel, for
 * workers on other machines (docs/bus.md). A thin layer over sw_feed (sanctwatch/bus.h).
 */
#include "cli.h"

#include "sanctwatch/bus.h"
#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/nmea.h"

#include <inttypes.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: sanctwatch feed --bus nats://HOST:PORT[,...] [--stream NAME] [--subject PREFIX]\n"
        "                       [--partitions N] [--replicas N] [--dup-window SEC] [--max-pending "
        "N]\n"
        "                       [--ack-timeout SEC] [--lenient] [--quiet] INPUT...\n\n"
        "Publish AIS inputs to a NATS JetStream stream, one message per AIS message with\n"
        "its raw lines, receiver and time, on subject PREFIX.<partition> by its MMSI.\n"
        "INPUT is read as analyze reads it: NMEA (tag blocks, $PGHP, timestamps) or\n"
        "MarineCadastre/aisdk CSV; plain, gzip, bzip2, xz, zstd, zip or tar; '-' stdin.\n"
        "Each message has a deterministic id: feeding the same input again within the\n"
        "stream's duplicate window stores nothing twice. Exits non-zero when the bus\n"
        "cannot be reached or a message is refused or not acknowledged. Messages whose\n"
        "ack is lost (a cluster's leader election, a node gone) are sent again in order.\n\n"
        "  --bus URL[,URL...] the NATS server (nats://HOST:PORT), or up to %d servers of\n"
        "                     a cluster: connects to one, moves to another when it dies\n"
        "  --stream NAME      the stream, created when absent (default %s)\n"
        "  --subject PREFIX   subjects PREFIX.<partition> (default %s)\n"
        "  --partitions N     partitions by MMSI (default %d; must match the stream's)\n"
        "  --replicas N       replicas of the stream when feed creates it, 1 to %d\n"
        "                     (default 1; must match the stream's)\n"
        "  --dup-window SEC   duplicate window of a stream feed creates (default %lld)\n"
        "  --max-pending N    publishes awaiting their ack at most (default %d)\n"
        "  --ack-timeout SEC  how long to wait for acks before failing, also while a\n"
        "                     cluster elects a leader (default 30)\n"
        "  --lenient          also take sentences whose checksum is wrong or missing\n"
        "  --quiet            only the summary line on stderr, not the counters\n",
        SW_BUS_SERVERS_MAX, SW_BUS_STREAM, SW_BUS_PREFIX, SW_BUS_PARTITIONS, SW_BUS_REPLICAS_MAX,
        SW_BUS_DUP_WINDOW_MS / 1000, SW_BUS_MAX_PENDING);
}

/* 0 to go on, else the exit status (--help: -1, returned as 0). */
static int parse_args(int argc, char **argv, struct sw_feed_config *c, int *quiet, int *first)
{
    double v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return -1;
        } else if (!strcmp(a, "--bus") && val) {
            c->url = argv[++i];
        } else if (!strcmp(a, "--stream") && val) {
            c->stream = argv[++i];
        } else if (!strcmp(a, "--subject") && val) {
            c->prefix = argv[++i];
        } else if (!strcmp(a, "--partitions")) {
            if (!(bad = cli_parse_num("feed", a, argv[++i], 1, SW_BUS_PARTITIONS_MAX, &v)))
                c->partitions = (unsigned)v;
        } else if (!strcmp(a, "--replicas")) {
            if (!(bad = cli_parse_num("feed", a, argv[++i], 1, SW_BUS_REPLICAS_MAX, &v)))
                c->replicas = (int)v;
        } else if (!strcmp(a, "--dup-window")) {
            if (!(bad = cli_parse_num("feed", a, argv[++i], 1, 86400 * 7, &v)))
                c->dup_window_ms = (int64_t)(v * 1000);
        } else if (!strcmp(a, "--max-pending")) {
            if (!(bad = cli_parse_num("feed", a, argv[++i], 1, 1 << 20, &v)))
                c->max_pending = (int)v;
        } else if (!strcmp(a, "--ack-timeout")) {
            if (!(bad = cli_parse_num("feed", a, argv[++i], 1, 3600, &v)))
                c->ack_timeout_ms = (int64_t)(v * 1000);
        } else if (!strcmp(a, "--lenient")) {
            c->lenient = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            *quiet = 1;
        } else if (!strcmp(a, "--")) {
            *first = i + 1;
            break;
        } else if (a[0] == '-' && a[1]) {
            cli_error("feed: unknown option '%s'", a);
            usage(stderr);
            return 2;
        } else {
            *first = i;
            break;
        }
        if (bad) return 2;
    }
    if (!c->url) {
        cli_error("feed: --bus nats://HOST:PORT is required");
        return 2;
    }
    char err[SW_ERRMAX];
    if (sw_bus_check_url(c->url, err) != SW_OK) {
        cli_error("feed: %s", err);
        return 2;
    }
    if (*first == 0 || *first >= argc) {
        usage(stderr);
        return 2;
    }
    return 0;
}

/* Lines and messages that were not published because they were bad. */
static uint64_t malformed(const struct sw_feed_counts *c, const uint64_t *n)
{
    static const int bad[] = {SW_NMEA_CHECKSUM,   SW_NMEA_MALFORMED, SW_NMEA_GARBAGE,
                              SW_NMEA_NUL,        SW_NMEA_OVERSIZE,  SW_NMEA_ORPHAN,
                              SW_NMEA_INCOMPLETE, SW_NMEA_EVICTED};
    uint64_t sum = c->toolong + c->decode_error + c->bad_mmsi + c->bad_row;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        sum += n[bad[i]];
    return sum;
}

static void print_counts(const struct sw_feed *f, int quiet)
{
    const struct sw_feed_counts *c = sw_feed_counts(f);
    const uint64_t *n = sw_feed_nmea(f);
    if (!quiet) {
        const struct {
            int id;
            uint64_t v;
        } in[] = {{SW_IC_LINES, c->lines},       {SW_IC_BYTES, c->bytes},
                  {SW_IC_MESSAGES, c->messages}, {SW_IC_DECODE_ERROR, c->decode_error},
                  {SW_IC_BAD_ROW, c->bad_row},   {SW_IC_BAD_MMSI, c->bad_mmsi},
                  {SW_IC_TOOLONG, c->toolong},   {SW_IC_INPUT_ERRORS, c->input_errors}};
        for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
            if (in[i].v)
                fprintf(stderr, "  %-24s %" PRIu64 "\n", sw_ingest_counter_name(in[i].id), in[i].v);
        for (int i = 1; i < SW_NMEA_NREASONS; i++)
            if (n[i])
                fprintf(stderr, "  nmea_%-19s %" PRIu64 "\n",
                        sw_nmea_reason_name((enum sw_nmea_reason)i), n[i]);
        if (c->rebuilt) fprintf(stderr, "  %-24s %" PRIu64 "\n", "rebuilt", c->rebuilt);
        if (c->resent) fprintf(stderr, "  %-24s %" PRIu64 "\n", "resent", c->resent);
        if (c->late) fprintf(stderr, "  %-24s %" PRIu64 "\n", "stored_out_of_order", c->late);
    }
    fprintf(stderr,
            "feed: %" PRIu64 " published, %" PRIu64 " stored, %" PRIu64 " duplicates, %" PRIu64
            " malformed, %" PRIu64 " failed\n",
            c->published, c->stored, c->duplicates, malformed(c, n), c->failed);
}

int cmd_feed(int argc, char **argv)
{
    struct sw_feed_config cfg;
    int quiet = 0, first = 0, status = 0;
    char err[SW_ERRMAX] = "";
    sw_feed_config_default(&cfg);
    int rc = parse_args(argc, argv, &cfg, &quiet, &first);
    if (rc) return rc < 0 ? 0 : rc;
    cfg.stop = cli_stop_on_signals();
    struct sw_feed *f = NULL;
    if ((rc = sw_feed_new(&f, &cfg, err)) != SW_OK) {
        cli_error("feed: %s", err);
        sw_bus_shutdown();
        return 1;
    }
    for (int i = first; i < argc && status == 0; i++) {
        if ((rc = sw_feed_input(f, argv[i], err)) == SW_EAGAIN) {
            cli_error("feed: interrupted in '%s'; feeding it again publishes nothing twice",
                      argv[i]);
            status = 1;
        } else if (rc != SW_OK) {
            cli_error("feed: %s", err);
            status = 1;
        }
    }
    if (sw_feed_finish(f, err) != SW_OK) {
        cli_error("feed: %s", err);
        status = 1;
    }
    print_counts(f, quiet);
    sw_feed_free(f);
    sw_bus_shutdown();
    return status;
}
