/*
 * sanctwatch simulate: write deterministic synthetic AIS traffic (NMEA with tag blocks) with
 * labelled injected behaviour and hard negatives, and the ground truth beside it
 * (sanctwatch/sim.h, docs/simulate.md).
 */
#include "cli.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/geo.h"
#include "sanctwatch/sim.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: sanctwatch simulate [--seed N] [--hours H] [--vessels N] [--data DIR]\n"
               "                           [--split-hours H] --out FILE.nmea --truth FILE.json\n\n"
               "Write synthetic AIS traffic in the seas around Korea with injected behaviour of\n"
               "every event type and hard negatives, and its ground truth. The same seed gives\n"
               "the same bytes. '--out -' writes the NMEA to stdout, '--truth -' the truth\n"
               "(not both); --out and --truth must be different files.\n\n"
               "  --seed N         random seed (1)\n"
               "  --hours H        length of the run, 24..168 (36)\n"
               "  --vessels N      background vessels on the shipping lanes, 0..500 (30)\n"
               "  --split-hours H  also write FILE.nmea.000, .001, ...: the lines whose tag-block\n"
               "                   time falls in each H hours from the start (1..168)\n"
               "  --data DIR       geo data directory (default: see docs/geo.md)\n");
}

/* The whole output, and with --split-hours one file per H hours of tag-block time (a line
 * without a time, a group's second sentence, goes where the line before it went). */
struct out {
    FILE *all;
    const char *path;
    int64_t start_s, split_s;
    FILE *part[SW_SIM_MAX_SPLITS];
    int nparts, cur;
};

static int emit_line(void *ctx, const char *line, size_t len)
{
    struct out *o = ctx;
    if (fwrite(line, 1, len, o->all) != len || fputc('\n', o->all) == EOF) return SW_EIO;
    if (!o->split_s) return SW_OK;
    int64_t t;
    if (sw_sim_line_time(line, len, &t)) {
        int64_t k = (t - o->start_s) / o->split_s;
        o->cur = (int)(k < 0 ? 0 : k >= o->nparts ? o->nparts - 1 : k);
    }
    FILE *f = o->part[o->cur];
    if (fwrite(line, 1, len, f) != len || fputc('\n', f) == EOF) return SW_EIO;
    return SW_OK;
}

/* Open FILE.000 ... for the parts; errors are reported here. */
static int open_parts(struct out *o)
{
    for (int k = 0; k < o->nparts; k++) {
        char name[4096];
        if (snprintf(name, sizeof name, "%s.%03d", o->path, k) >= (int)sizeof name) {
            cli_error("file name too long: '%s'", o->path);
            return -1;
        }
        o->part[k] = fopen(name, "w");
        if (!o->part[k]) {
            cli_error("cannot open '%s': %s", name, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static int close_parts(struct out *o)
{
    int bad = 0;
    for (int k = 0; k < o->nparts; k++) {
        if (!o->part[k]) continue;
        if (fclose(o->part[k]) && !bad) {
            cli_error("cannot write '%s.%03d': %s", o->path, k, strerror(errno));
            bad = 1;
        }
        o->part[k] = NULL;
    }
    return bad ? -1 : 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-') return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max) return -1;
    *out = v;
    return 0;
}

int cmd_simulate(int argc, char **argv)
{
    struct sw_sim_opts o;
    sw_sim_opts_default(&o);
    const char *out = NULL, *truth = NULL, *data = NULL;
    uint64_t split = 0;
    for (int i = 1; i < argc; i++) {
        uint64_t v;
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            cli_error("option '%s' needs a value", a);
            return 2;
        }
        const char *val = argv[++i];
        if (!strcmp(a, "--seed")) {
            if (parse_u64(val, UINT64_MAX, &v)) {
                cli_error("invalid --seed '%s'", val);
                return 2;
            }
            o.seed = v;
        } else if (!strcmp(a, "--hours")) {
            if (parse_u64(val, 168, &v) || v < 24) {
                cli_error("invalid --hours '%s' (24..168)", val);
                return 2;
            }
            o.hours = (double)v;
        } else if (!strcmp(a, "--vessels")) {
            if (parse_u64(val, 500, &v)) {
                cli_error("invalid --vessels '%s' (0..500)", val);
                return 2;
            }
            o.vessels = (int)v;
        } else if (!strcmp(a, "--split-hours")) {
            if (parse_u64(val, 168, &split) || split < 1) {
                cli_error("invalid --split-hours '%s' (1..168)", val);
                return 2;
            }
        } else if (!strcmp(a, "--out")) {
            out = val;
        } else if (!strcmp(a, "--truth")) {
            truth = val;
        } else if (!strcmp(a, "--data")) {
            data = val;
        } else {
            cli_error("unknown option '%s'", a);
            usage(stderr);
            return 2;
        }
    }
    if (!out || !truth) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(out, truth)) { /* the truth would overwrite the traffic, or mix with it */
        cli_error("--out and --truth are both '%s'", out);
        return 2;
    }
    if (split && !strcmp(out, "-")) {
        cli_error("--split-hours needs a file for --out");
        return 2;
    }
    struct out sink;
    memset(&sink, 0, sizeof sink);
    sink.path = out;
    sink.start_s = o.start_ms / 1000;
    sink.split_s = (int64_t)split * 3600;
    sink.nparts = split ? (int)((o.hours + (double)split - 1) / (double)split) : 0;
    int status = 1;
    struct sw_geo *g = NULL;
    FILE *fo = NULL, *ft = NULL;
    struct sw_buf tb;
    sw_buf_init(&tb, 0);
    char errpath[SW_GEO_PATHMAX];
    int rc = sw_geo_open(&g, data, errpath);
    if (rc) {
        if (rc == SW_ENOTFOUND)
            cli_error("cannot find the data directory (set SW_DATADIR or --data)");
        else
            cli_error("cannot load '%s': %s", errpath,
                      rc == SW_EIO ? strerror(errno) : sw_strerror(rc));
        goto fail;
    }
    fo = strcmp(out, "-") ? fopen(out, "w") : stdout;
    if (!fo) {
        cli_error("cannot open '%s': %s", out, strerror(errno));
        goto fail;
    }
    struct stat so, sl;
    if (fo != stdout && strcmp(truth, "-") && fstat(fileno(fo), &so) == 0 &&
        stat(truth, &sl) == 0 && so.st_dev == sl.st_dev && so.st_ino == sl.st_ino) {
        cli_error("--out '%s' and --truth '%s' are the same file", out, truth);
        goto fail;
    }
    sink.all = fo;
    if (split && open_parts(&sink)) goto fail;
    struct sw_sim_stats st;
    rc = sw_sim_run(&o, g, emit_line, &sink, &tb, &st);
    if (rc) {
        cli_error("simulation failed: %s", rc == SW_EIO ? strerror(errno) : sw_strerror(rc));
        goto fail;
    }
    if (close_parts(&sink)) goto fail;
    if (fo != stdout ? fclose(fo) : fflush(fo)) {
        fo = NULL;
        cli_error("cannot write '%s': %s", out, strerror(errno));
        goto fail;
    }
    fo = NULL;
    ft = strcmp(truth, "-") ? fopen(truth, "w") : stdout;
    if (!ft || fwrite(tb.data, 1, tb.len, ft) != tb.len ||
        (ft != stdout ? fclose(ft) : fflush(ft))) {
        cli_error("cannot write '%s': %s", truth, strerror(errno));
        ft = NULL;
        goto fail;
    }
    ft = NULL;
    fprintf(stderr,
            "simulate: seed %llu, %zu vessels, %llu transmissions, %llu lines (%llu lost, "
            "%llu duplicates, %llu late), %zu truth events, %zu hard negatives\n",
            (unsigned long long)o.seed, st.vessels, (unsigned long long)st.transmissions,
            (unsigned long long)st.lines, (unsigned long long)st.lost,
            (unsigned long long)st.duplicates, (unsigned long long)st.late, st.truth_events,
            st.negatives);
    status = 0;
fail:
    close_parts(&sink);
    if (fo && fo != stdout) fclose(fo);
    sw_geo_free(g);
    sw_buf_release(&tb);
    return status;
}
