/*
 * Reading one input into the pipeline (src/ingest/pipeline_int.h): a source (file, .gz, stdin,
 * tcp://, udp://) gives lines; a CSV header makes the input CSV, otherwise lines are NMEA,
 * framed and decoded; each record is checked and given a time, then fed to the record path.
 * A file already partly ingested resumes after its checkpoint: the lines before it are read
 * again without their records, the last REWIND_LINES of them through the framer, so that
 * multi-sentence groups open at the checkpoint are rebuilt and the framer counts as before.
 */
#include "pipeline_int.h"
#include "source.h"

#include "sanctwatch/timeutil.h"

#include <stdio.h>
#include <string.h>

/* On resume, NMEA lines this far before the checkpoint are fed again (their messages are
 * discarded) so that multi-sentence groups open at the checkpoint are rebuilt. Larger than
 * the framer's group expiry (500 lines). */
#define REWIND_LINES 1000

/* A normalised record from the current input: checks, time, then into the buffer. */
static int process(struct sw_pipeline *p, struct sw_record *r, int pos_flag)
{
    switch (r->kind) {
    case SW_REC_BASE:
        p->c[SW_IC_BASE_STATION]++;
        return SW_OK;
    case SW_REC_OTHER:
        p->c[SW_IC_OTHER_STATION]++;
        return SW_OK;
    case SW_REC_AID:
        p->c[SW_IC_AID]++;
        break;
    default:
        break;
    }
    if (pos_flag) {
        p->c[pos_flag == 1 ? SW_IC_NO_POSITION : SW_IC_BAD_POSITION]++;
        r->fields &= ~(SW_F_SOG | SW_F_COG | SW_F_HEADING | SW_F_STATUS);
        if (!(r->fields & SW_F_STATIC_MASK))
            return SW_OK; /* a position report without a position says nothing more */
    }
    if (r->t_ms == SW_TIME_NONE) {
        if (p->cur_time != SW_TIME_NONE) {
            r->t_ms = p->cur_time;
            p->c[SW_IC_TIME_CARRIED]++;
        } else if (p->cur_live) {
            r->t_ms = sw_time_now_ms();
            p->c[SW_IC_TIME_ARRIVAL]++;
        } else {
            p->c[SW_IC_UNTIMED]++;
            return SW_OK;
        }
    } else if (r->t_ms >= ING_TIME_MIN_MS && r->t_ms <= p->time_max) {
        p->cur_time = r->t_ms;
    }
    return sw_pipeline_feed(p, r);
}

/* A stream message's carrier gives the time and receiver (sw_pipeline_stream_msg); a record
 * of another vessel than it says is not applied. 1 when the record is to be dropped. */
static int carrier(struct sw_pipeline *p, struct sw_record *r)
{
    const struct sw_stream_msg *o = p->ovr;
    if (o->mmsi && r->mmsi != o->mmsi) {
        p->ovr_mismatch = 1;
        return 1;
    }
    p->cur_time = o->carried ? o->t_ms : SW_TIME_NONE;
    r->t_ms = o->carried ? SW_TIME_NONE : o->t_ms;
    if (o->receiver)
        sw_record_text(r->receiver, sizeof r->receiver, o->receiver, strlen(o->receiver));
    return 0;
}

static int nmea_message(struct sw_pipeline *p, const struct sw_nmea_msg *m)
{
    struct sw_record *r = &p->rec;
    int pos_flag;
    p->c[SW_IC_MESSAGES]++;
    if (sw_ais_decode(m->payload, m->len, m->fill_bits, &p->ais) != SW_OK) {
        p->c[SW_IC_DECODE_ERROR]++;
        return SW_OK;
    }
    int rc = sw_ais_to_record(&p->ais, r, &pos_flag);
    if (rc == SW_EUNSUPPORTED) {
        p->c[SW_IC_UNSUPPORTED]++;
        return SW_OK;
    }
    if (rc == SW_ERANGE) {
        p->c[SW_IC_BAD_MMSI]++;
        return SW_OK;
    }
    r->t_ms = m->rxtime_ms;
    r->key = sw_hash64(SW_HASH_INIT ^ (uint64_t)m->fill_bits, m->payload, m->len);
    sw_record_text(r->receiver, sizeof r->receiver, m->source, strlen(m->source));
    if (p->ovr && carrier(p, r)) return SW_OK;
    return process(p, r, pos_flag);
}

static int csv_row(struct sw_pipeline *p, const char *line, size_t len)
{
    int pos_flag;
    struct sw_record *r = &p->rec;
    p->c[SW_IC_MESSAGES]++;
    int rc = sw_csv_row(&p->csv, line, len, r, &pos_flag);
    if (rc == SW_ERANGE) {
        p->c[SW_IC_BAD_MMSI]++;
        return SW_OK;
    }
    if (rc) {
        p->c[SW_IC_BAD_ROW]++;
        return SW_OK;
    }
    if (p->ovr && carrier(p, r)) return SW_OK;
    return process(p, r, pos_flag);
}

static void progress(struct sw_pipeline *p, struct sw_source *src)
{
    if (p->cfg.progress)
        p->cfg.progress(p->cfg.progress_ctx, p->cur, sw_source_offset(src), sw_source_size(src),
                        p->c);
}

/* Where the input stands and what reading it takes. */
struct reading {
    struct sw_source *src;
    uint64_t resume;      /* lines done before this run (resumed input) */
    uint64_t replay_from; /* lines after this are fed to the framer again */
    int interrupted;
    uint32_t member; /* archives: the member the last line came from */
};

/* A line at or before the checkpoint of a resumed input: NMEA lines near it go through the
 * framer again (groups rebuilt, messages dropped); the framer counts of the checkpoint are
 * taken back at the checkpoint line. toolong: the line was over-long. */
static void replay_line(struct sw_pipeline *p, const struct reading *rd, const char *line,
                        size_t len, uint64_t lineno, int toolong)
{
    if (lineno <= rd->replay_from || p->csv.format != SW_CSV_NONE) return;
    if (toolong) {
        sw_nmea_skip(p->fr, SW_NMEA_TOOLONG);
    } else {
        const struct sw_nmea_msg *m;
        sw_nmea_feed(p->fr, line, len, lineno, &m); /* rebuild groups, drop messages */
    }
    if (lineno == rd->resume) memcpy(p->nmea_base, sw_nmea_counts(p->fr), sizeof p->nmea_base);
}

/* A new line of the input (after the checkpoint): counted, read as CSV or NMEA, and a
 * checkpoint taken every checkpoint_lines lines. */
static int read_line(struct sw_pipeline *p, const char *line, size_t len, uint64_t lineno,
                     char *err)
{
    int rc;
    p->c[SW_IC_LINES]++;
    p->c[SW_IC_BYTES] += len + 1;
    if (p->csv.format != SW_CSV_NONE) {
        rc = csv_row(p, line, len);
    } else {
        const struct sw_nmea_msg *m;
        sw_nmea_feed(p->fr, line, len, lineno, &m);
        rc = m ? nmea_message(p, m) : SW_OK;
    }
    if (rc != SW_OK) {
        ing_store_error(p, err);
        return rc;
    }
    p->cur_line = lineno;
    if (p->cfg.checkpoint_lines && p->c[SW_IC_LINES] % p->cfg.checkpoint_lines == 0)
        rc = ing_checkpoint(p, !p->cur_resumable);
    else if ((p->c[SW_IC_LINES] & 63) == 0)
        rc = ing_checkpoint_timed(p);
    if (rc != SW_OK) ing_checkpoint_error(p, err);
    return rc;
}

/* An over-long line: counted (once, not again when replayed), skipped. */
static void too_long(struct sw_pipeline *p, const struct reading *rd, uint64_t lineno)
{
    if (lineno <= rd->resume) {
        replay_line(p, rd, NULL, 0, lineno, 1);
        return;
    }
    p->c[SW_IC_LINES]++;
    p->c[SW_IC_TOOLONG]++;
    if (p->csv.format == SW_CSV_NONE) sw_nmea_skip(p->fr, SW_NMEA_TOOLONG);
    p->cur_line = lineno;
}

/* The first non-empty line decides CSV (a known header, counted as a line) or NMEA. 1 when
 * the line was the header. */
static int csv_header(struct sw_pipeline *p, const char *line, size_t len, uint64_t lineno,
                      uint64_t resume)
{
    if (p->cur_csv_checked || len == 0) return 0;
    p->cur_csv_checked = 1;
    if (sw_csv_detect(&p->csv, line, len) != SW_OK) return 0;
    if (lineno > resume) {
        p->c[SW_IC_LINES]++;
        p->c[SW_IC_BYTES] += len + 1;
        p->cur_line = lineno;
    }
    return 1;
}

/* Every line of the source until its end, a stop, or an error (SW_OK at the end or a stop,
 * rd->interrupted set for a stop; a read error after some data is kept and reported in err
 * with SW_OK). */
static int read_lines(struct sw_pipeline *p, struct reading *rd, const char *input, char *err)
{
    const char *line;
    size_t len;
    for (;;) {
        if (p->cfg.stop && *p->cfg.stop) {
            rd->interrupted = 1;
            return SW_OK;
        }
        int rc = sw_source_next(rd->src, &line, &len);
        if (rc == SW_EAGAIN) { /* a live input waits for data: what was read commits now */
            ing_jobs_kick(p);
            if ((rc = ing_checkpoint_timed(p)) != SW_OK) {
                ing_checkpoint_error(p, err);
                return rc;
            }
            continue;
        }
        if (rc == SW_EOF) return SW_OK;
        uint64_t lineno = sw_source_lineno(rd->src);
        if (rc == SW_ETOOBIG) {
            too_long(p, rd, lineno);
            continue;
        }
        if (rc < 0) {
            if (p->cfg.stop && *p->cfg.stop) { /* a signal interrupted the read */
                rd->interrupted = 1;
                return SW_OK;
            }
            p->c[SW_IC_INPUT_ERRORS]++;
            snprintf(err, SW_ERRMAX, "cannot read '%s': %s", input, sw_strerror(rc));
            return SW_OK; /* keep what was read; the caller reports it */
        }
        if (sw_source_member(rd->src) != rd->member) { /* an archive's next member: its own */
            rd->member = sw_source_member(rd->src);    /* CSV header, or NMEA */
            p->cur_csv_checked = 0;
            p->csv.format = SW_CSV_NONE;
        }
        if (csv_header(p, line, len, lineno, rd->resume)) continue;
        if (lineno <= rd->resume) {
            replay_line(p, rd, line, len, lineno, 0);
            continue;
        }
        if ((rc = read_line(p, line, len, lineno, err)) != SW_OK) return rc;
        if ((p->c[SW_IC_LINES] & 0xffff) == 0) progress(p, rd->src);
    }
}

/* A framer for the input (cfg.lenient), its counts starting from zero. */
static int framer_open(struct sw_pipeline *p, char *err)
{
    struct sw_nmea_config nc;
    sw_nmea_config_default(&nc);
    nc.lenient = p->cfg.lenient;
    int rc = sw_nmea_new(&p->fr, &nc);
    if (rc != SW_OK) snprintf(err, SW_ERRMAX, "cannot set up the NMEA framer: %s", sw_strerror(rc));
    memset(p->nmea_base, 0, sizeof p->nmea_base);
    return rc;
}

/* The end of an input: the framer's open groups dropped, its counts into the run's. */
static void framer_counts(struct sw_pipeline *p)
{
    sw_nmea_flush(p->fr);
    const uint64_t *fc = sw_nmea_counts(p->fr);
    for (int i = 0; i < SW_NMEA_NREASONS; i++)
        p->nmea_run[i] += fc[i] - p->nmea_base[i];
}

/* After the lines: source counters, then a stop saves the position of a file (SW_EAGAIN: run
 * again to resume; a live input just ends), the end of an input adds the framer's counts and
 * marks a file done. */
static int end_input(struct sw_pipeline *p, struct reading *rd, char *err)
{
    int rc;
    const struct sw_source_stats *ss = sw_source_stats(rd->src);
    progress(p, rd->src);
    p->c[SW_IC_NET_DROPPED] += ss->dropped;
    p->c[SW_IC_NET_TRUNCATED] += ss->truncated;
    p->c[SW_IC_RECONNECTS] += ss->reconnects;
    if (rd->interrupted && p->cur_resumable) {
        /* Save where we are; a file is resumed by running again. */
        if ((rc = sw_pipeline_checkpoint(p)) != SW_OK) {
            ing_checkpoint_error(p, err);
            return rc;
        }
        return SW_EAGAIN;
    }
    /* the end of the input, or a live input ended when interrupted */
    framer_counts(p);
    if ((rc = ing_sync(p)) != SW_OK) {
        ing_store_error(p, err);
        return rc;
    }
    if (p->cur_resumable && (rc = ing_input_record(p, 1)) != SW_OK) {
        ing_seterr(err, "cannot record the input", p->db);
        return rc;
    }
    return SW_OK;
}

int sw_pipeline_input(struct sw_pipeline *p, const char *input, int *skipped, char *err)
{
    struct reading rd = {NULL, 0, 0, 0, 0};
    int done = 0, rc;
    *skipped = 0;
    if (p->finished) return SW_EINVAL;
    p->cur_live = strncmp(input, "tcp://", 6) == 0 || strncmp(input, "udp://", 6) == 0;
    p->cur_resumable = !p->cur_live && strcmp(input, "-") != 0;
    p->cur_time = SW_TIME_NONE;
    if ((rc = ing_sync(p)) != SW_OK) { /* B idle: the database is this thread's */
        ing_store_error(p, err);
        return rc;
    }
    if (p->cur_resumable) {
        if ((rc = ing_input_status(p, input, &done, &rd.resume, &p->cur_time)) != SW_OK) {
            ing_seterr(err, "cannot read the input checkpoints", p->db);
            return rc;
        }
        if (done) {
            *skipped = 1;
            return SW_OK;
        }
    }
    if ((rc = sw_source_open(&rd.src, input, 0, p->cfg.idle_exit_ms, err)) != SW_OK) return rc;
    if ((rc = framer_open(p, err)) != SW_OK) goto out;
    p->cur = input;
    p->cur_line = rd.resume;
    p->cur_csv_checked = 0;
    p->csv.format = SW_CSV_NONE;
    rd.replay_from = rd.resume > REWIND_LINES ? rd.resume - REWIND_LINES : 0;
    if ((rc = read_lines(p, &rd, input, err)) == SW_OK) rc = end_input(p, &rd, err);
out:
    sw_nmea_free(p->fr);
    p->fr = NULL;
    p->cur = NULL;
    sw_source_free(rd.src);
    return rc;
}

/* ---- a stream of messages (sanctwatch/ingest.h, sw_pipeline_stream_begin) */

uint64_t sw_pipeline_commits(const struct sw_pipeline *p)
{
    return p->commits;
}

int sw_pipeline_stream_begin(struct sw_pipeline *p, const char *name, uint64_t *pos, char *err)
{
    int done, rc;
    int64_t t;
    *pos = 0;
    if (p->finished || p->cur) return SW_EINVAL;
    if ((rc = ing_sync(p)) != SW_OK) {
        ing_store_error(p, err);
        return rc;
    }
    if ((rc = ing_input_status(p, name, &done, pos, &t)) != SW_OK) {
        ing_seterr(err, "cannot read the input checkpoints", p->db);
        return rc;
    }
    if ((rc = framer_open(p, err)) != SW_OK) return rc;
    p->cur = name;
    p->cur_line = *pos;
    p->cur_live = 0;
    p->cur_resumable = 1;
    p->cur_time = SW_TIME_NONE;
    p->csv.format = SW_CSV_NONE;
    return SW_OK;
}

void sw_pipeline_stream_skip(struct sw_pipeline *p, uint64_t pos)
{
    if (pos > p->cur_line) p->cur_line = pos;
}

/* The body's lines through the framer (each message it completes is applied), then the open
 * groups dropped: a message is its own lines. *framed: the messages completed. */
static int stream_nmea(struct sw_pipeline *p, const struct sw_stream_msg *m, int *framed)
{
    const char *s = m->body, *end = m->body + m->len;
    int rc = SW_OK;
    *framed = 0;
    while (s <= end && rc == SW_OK) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = (size_t)((nl ? nl : end) - s);
        const struct sw_nmea_msg *msg;
        p->c[SW_IC_LINES]++;
        p->c[SW_IC_BYTES] += n + 1;
        sw_nmea_feed(p->fr, s, n, ++p->stream_lineno, &msg);
        if (msg) {
            (*framed)++;
            rc = nmea_message(p, msg);
        }
        if (!nl) break;
        s = nl + 1;
    }
    sw_nmea_flush(p->fr);
    return rc;
}

/* A CSV row under its input's header (detected again only when the header changes). */
static int stream_csv(struct sw_pipeline *p, const struct sw_stream_msg *m, int *outcome)
{
    size_t hl = m->csv_header ? strlen(m->csv_header) : 0;
    uint64_t k = sw_hash64(SW_HASH_INIT, m->csv_header ? m->csv_header : "", hl);
    if (p->csv.format == SW_CSV_NONE || k != p->stream_csv_key) {
        p->stream_csv_key = k;
        if (!m->csv_header || sw_csv_detect(&p->csv, m->csv_header, hl) != SW_OK)
            p->csv.format = SW_CSV_NONE;
    }
    if (p->csv.format == SW_CSV_NONE || p->csv.format != m->format) {
        *outcome = SW_STREAM_BAD_CSV;
        return SW_OK;
    }
    p->c[SW_IC_LINES]++;
    p->c[SW_IC_BYTES] += m->len + 1;
    if (memchr(m->body, '\n', m->len)) { /* one row a message */
        p->c[SW_IC_MESSAGES]++;
        p->c[SW_IC_BAD_ROW]++;
        return SW_OK;
    }
    return csv_row(p, m->body, m->len);
}

int sw_pipeline_stream_msg(struct sw_pipeline *p, const struct sw_stream_msg *m, uint64_t pos,
                           int *outcome, char *err)
{
    int rc, framed = 1;
    *outcome = SW_STREAM_APPLIED;
    if (!p->cur || p->finished) return SW_EINVAL;
    if (pos <= p->cur_line) {
        *outcome = SW_STREAM_SEEN;
        return SW_OK;
    }
    p->ovr = m;
    p->ovr_mismatch = 0;
    if (m->format == SW_CSV_NONE)
        rc = stream_nmea(p, m, &framed);
    else
        rc = stream_csv(p, m, outcome);
    p->ovr = NULL;
    p->cur_time = SW_TIME_NONE;
    if (rc != SW_OK) {
        ing_store_error(p, err);
        return rc;
    }
    if (!framed) *outcome = SW_STREAM_NO_FRAME;
    if (p->ovr_mismatch) *outcome = SW_STREAM_MISMATCH;
    p->cur_line = pos;
    if (p->cfg.checkpoint_lines && p->c[SW_IC_LINES] - p->ckpt_lines >= p->cfg.checkpoint_lines)
        rc = ing_checkpoint(p, 0);
    else
        rc = ing_checkpoint_timed(p);
    if (rc != SW_OK) ing_checkpoint_error(p, err);
    return rc;
}

int sw_pipeline_stream_end(struct sw_pipeline *p, char *err)
{
    int rc = SW_OK;
    if (!p->cur) return SW_OK;
    framer_counts(p);
    if ((rc = ing_sync(p)) != SW_OK)
        ing_store_error(p, err);
    else if ((rc = ing_input_record(p, 0)) != SW_OK)
        ing_seterr(err, "cannot record the input", p->db);
    sw_nmea_free(p->fr);
    p->fr = NULL;
    p->cur = NULL;
    p->csv.format = SW_CSV_NONE;
    return rc;
}
