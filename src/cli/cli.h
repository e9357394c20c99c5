/*
 * The sanctwatch command-line program: a thin layer over the engine. Each subcommand lives
 * in src/cli/cmd_<name>.c and is listed in the table in main.c. A subcommand returns the
 * process exit status: 0 success, 1 failure, 2 usage error.
 */
#ifndef SANCTWATCH_CLI_H
#define SANCTWATCH_CLI_H

#include <stddef.h>
#include <stdint.h>
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

/* An ISO 8601 time option; for "--to", a date alone means through the end of that day. Says
 * what is wrong ("CMD: OPT expects ...") and returns -1 on a bad value. */
int cli_parse_time(const char *cmd, const char *opt, const char *s, int64_t *out);
/* Installs SIGINT and SIGTERM handlers (without SA_RESTART, so that a blocked read returns)
 * that set the returned flag, cleared now (cli_signal.c). */
#include <signal.h>
volatile sig_atomic_t *cli_stop_on_signals(void);
/* A number option's value s (NULL: the option had none) within [min, max]; says what is wrong
 * ("CMD: bad value ...") and returns -1 otherwise. */
int cli_parse_num(const char *cmd, const char *opt, const char *s, double min, double max,
                  double *out);
/* Event types, comma-separated, appended to types (static strings, at most max); an unknown
 * type is an error (-1, said), so that a typo cannot give an empty answer. */
int cli_parse_types(const char *cmd, const char *v, const char **types, size_t *n, size_t max);
/* What a command does with its parse_args result rc: 3 (--help) prints usage on stdout and
 * gives 0, another non-zero rc prints it on stderr and gives rc (the exit status); -1 (rc 0)
 * when the command goes on. */
int cli_usage_status(int rc, const char *usage);

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
int cmd_witness(int argc, char **argv);
int cmd_cases(int argc, char **argv);

/* Shared by the commands that sign or verify notes (cli_keys.c). Each prints its own error
 * and returns 0, or -1 (cli_keygen and cli_rotate return an exit status). */
struct sw_ledger_key;
struct sw_ledger_pub;
/* Whole file (at most max bytes; "-" is stdin), NUL-terminated, malloc'd. */
int cli_read_file(const char *path, size_t max, char **out, size_t *len);
/* text to path (created with mode, fsync'd), or to stdout for NULL or "-". */
int cli_write_out(const char *path, const char *text, unsigned mode);
int cli_load_key(const char *path, struct sw_ledger_key *k);
/* A verifier key given inline ("name+id+base64") or as a file holding one. */
int cli_load_vkey(const char *arg, struct sw_ledger_pub *p);
/* New key of type alg: path (0600, never overwritten), path.pub, and path.pub.pem if pem. */
int cli_keygen(const char *path, const char *name, unsigned alg, int pem);
/* New key at new_path of old's name and type, and the rotation statement signed by both. */
int cli_rotate(const char *old_path, const char *new_path, const char *out);
int cmd_events(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_users(int argc, char **argv);
int cmd_feed(int argc, char **argv);

/* The engine of analyze and serve (cli_engine.c): detector parameters from config (NULL:
 * defaults), the geographic data, and the detectors on db recording in batches. Prints its
 * error and returns -1; the caller frees *g and *det (also after a failure). */
struct sqlite3;
struct sw_geo;
struct sw_detect;
int cli_detect_setup(struct sqlite3 *db, const char *config, struct sw_geo **g,
                     struct sw_detect **det);

/* The cases stage of analyze (cli_cases.c): prints its own error and returns -1, or 0. */
struct sw_cases;
struct sw_cases_stage;
struct sw_detect;
struct sw_geo;
struct sqlite3;
struct cli_cases {
    struct sw_cases *c;
    struct sw_cases_stage *s;
};
int cli_cases_setup(struct cli_cases *cc, struct sqlite3 *db, const char *config,
                    const struct sw_geo *g, struct sw_detect *det);
void cli_cases_free(struct cli_cases *cc);
/* The cases and the cap of a report's incidents into its model (report: cmd_report.c). */
struct sw_config;
struct json_t;
int cli_cases_report(struct sqlite3 *db, const struct sw_geo *g, const struct sw_config *cfg,
                     struct json_t *model, char *err);

#endif
