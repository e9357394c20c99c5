/* sanctwatch: entry point and subcommand dispatch. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct sw_cmd commands[] = {
    {"decode", cmd_decode, "decode AIS/NMEA into gpsd-style JSON, one message a line"},
    {"analyze", cmd_analyze, "ingest AIS inputs into the picture of every vessel (SQLite)"},
    {"vessels", cmd_vessels, "list the vessels of a database, with identity and latest fix"},
    {"track", cmd_track, "show the stored track of one vessel (text or GeoJSON)"},
    {"events", cmd_events, "list events or incidents with filters, the most significant first"},
    {"eval", cmd_eval, "score detector events against simulator ground truth, per type"},
    {"simulate", cmd_simulate, "write synthetic AIS traffic with labelled behaviour and its truth"},
    {"ledger", cmd_ledger, "tamper-evident evidence ledger: keygen, append, head, prove, verify"},
    {"report", cmd_report,
     "write the report: HTML with maps and evidence, JSON, GeoJSON, KML, CSV"},
    {"cases", cmd_cases, "cases ranked by risk, and refined-petroleum deliveries against the cap"},
    {"lists", cmd_lists, "import sanctions lists (UN, OFAC, FollowTheMoney) and show them"},
    {"screen", cmd_screen, "screen names or identifiers against the lists, explaining each match"},
    {"witness", cmd_witness, "co-sign partner logs' tree heads as a C2SP witness (serve, keygen)"},
    {"serve", cmd_serve, "serve the API, live events and the dashboard while ingesting feeds"},
    {"users", cmd_users, "manage the accounts of the service (add, passwd, del, list)"},
    {"feed", cmd_feed, "publish AIS inputs to a NATS JetStream stream, partitioned by vessel"},
};

static void say(const char *prefix, const char *fmt, va_list ap)
{
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("sanctwatch: ", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("sanctwatch: warning: ", fmt, ap);
    va_end(ap);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sanctwatch <command> [options] [args]\n\n"
            "Independent monitoring of the UN sanctions on the DPRK from vessel-tracking data.\n\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'sanctwatch <command> --help' describes a command; 'sanctwatch --version'\n"
               "prints the version. Data directory: $SW_DATADIR, else beside the program.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("sanctwatch %s\n", SW_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    cli_error("'%s' is not a sanctwatch command; see 'sanctwatch --help'", argv[1]);
    return 2;
}
