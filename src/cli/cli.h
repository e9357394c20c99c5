/*
 * The sanctwatch command-line program: a thin layer over the engine. Each subcommand lives
 * in src/cli/cmd_<name>.c and is listed in the table in main.c. A subcommand returns the
 * process exit status: 0 success, 1 failure, 2 usage error.
 */
#ifndef SANCTWATCH_CLI_H
#define SANCTWATCH_CLI_H

#include <stdio.h>

#include "sanctwatch/version.h"

struct sw_cmd {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
    const char *summary;
};

/* Error message the way git writes them: "sanctwatch: <msg>" on stderr, lowercase, no period. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, prefixed "warning: ". */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_decode(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_vessels(int argc, char **argv);
int cmd_track(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_lists(int argc, char **argv);
int cmd_screen(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
