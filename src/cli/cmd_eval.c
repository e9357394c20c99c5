/*
 * sanctwatch eval: score detector events against simulator ground truth (sanctwatch/eval.h),
 * printing recall and precision per event type and the events that fell on hard negatives.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/eval.h"
#include "sanctwatch/lineio.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sanctwatch eval [--json] [--tolerance-min N] TRUTH.json EVENTS.jsonl\n\n"
            "Match events (JSON Lines, '-' for stdin, .gz accepted) to the ground truth of\n"
            "'sanctwatch simulate' by type, vessel set, kind and time overlap, and print truth,\n"
            "events, true/false positives, misses, precision and recall per type and kind,\n"
            "the reception labels of matched AIS gaps and the zone transit summaries. Events\n"
            "are taken as their incident view: the last record of each incident ('completes',\n"
            "else 'id'); incidents whose last record is withdrawn are dropped.\n\n"
            "  --json             one JSON object instead of the table\n"
            "  --tolerance-min N  widen truth intervals by N minutes each side (60)\n");
}

static int read_all(const char *path, struct sw_buf *b)
{
    struct sw_lines *in;
    const char *line;
    size_t len;
    int rc = sw_lines_open(&in, path, 16u << 20); /* compact truth files are one line */
    if (rc) return rc;
    while ((rc = sw_lines_next(in, &line, &len)) == SW_OK) {
        rc = sw_buf_append(b, line, len);
        if (!rc) rc = sw_buf_putc(b, '\n');
        if (rc) break;
    }
    sw_lines_free(in);
    return rc == SW_EOF ? SW_OK : rc;
}

int cmd_eval(int argc, char **argv)
{
    int json = 0, status = 1;
    struct sw_eval_opts o = {3600000};
    const char *files[2];
    int nf = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--tolerance-min") && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 0 || v > 100000) {
                cli_error("invalid --tolerance-min '%s'", argv[i]);
                return 2;
            }
            o.tolerance_ms = (int64_t)v * 60000;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("unknown option '%s'", argv[i]);
            usage(stderr);
            return 2;
        } else if (nf < 2) {
            files[nf++] = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (nf != 2) {
        usage(stderr);
        return 2;
    }
    struct sw_eval *e = NULL;
    struct sw_buf tb, out;
    struct sw_lines *in = NULL;
    sw_buf_init(&tb, 256u << 20);
    sw_buf_init(&out, 0);
    int rc = sw_eval_new(&e, &o);
    if (rc) {
        cli_error("%s", sw_strerror(rc));
        goto fail;
    }
    rc = read_all(files[0], &tb);
    if (rc) {
        cli_error("cannot read '%s': %s", files[0],
                  rc == SW_EIO ? strerror(errno) : sw_strerror(rc));
        goto fail;
    }
    const char *why;
    rc = sw_eval_truth(e, tb.data ? tb.data : "", tb.len, &why);
    if (rc) {
        cli_error("'%s' is not a sanctwatch truth file: %s", files[0], why);
        goto fail;
    }
    rc = sw_lines_open(&in, files[1], 1 << 20);
    if (rc) {
        cli_error("cannot open '%s': %s", files[1],
                  rc == SW_EIO ? strerror(errno) : sw_strerror(rc));
        goto fail;
    }
    const char *line;
    size_t len;
    while ((rc = sw_lines_next(in, &line, &len)) != SW_EOF) {
        if (rc == SW_ETOOBIG) {
            cli_warn("'%s' line %llu: too long, skipped", files[1],
                     (unsigned long long)sw_lines_lineno(in));
            continue;
        }
        if (rc) {
            cli_error("cannot read '%s': %s", files[1], sw_strerror(rc));
            goto fail;
        }
        rc = sw_eval_event(e, line, len, (size_t)sw_lines_lineno(in));
        if (rc) {
            cli_error("'%s': %s", files[1], sw_strerror(rc));
            goto fail;
        }
    }
    rc = sw_eval_run(e);
    if (!rc) rc = json ? sw_eval_report_json(e, &out) : sw_eval_report_text(e, &out);
    if (rc) {
        cli_error("%s", sw_strerror(rc));
        goto fail;
    }
    fwrite(out.data, 1, out.len, stdout);
    if (sw_eval_malformed(e))
        cli_warn("%zu malformed event lines in '%s' ignored", sw_eval_malformed(e), files[1]);
    status = fflush(stdout) ? 1 : 0;
fail:
    sw_lines_free(in);
    sw_eval_free(e);
    sw_buf_release(&tb);
    sw_buf_release(&out);
    return status;
}
