/*
 * sanctwatch screen: screen a name or identifier (or a CSV of them) against the sanctions
 * lists loaded in the store (sanctwatch lists import). The engine is sanctwatch/screen.h;
 * this file parses options, finds the screening tables, prints matches with their
 * explanations (text, JSON or CSV) and sets the exit status.
 */
#include "cli.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/csvout.h"
#include "sanctwatch/datadir.h"
#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/screen.h"
#include "sanctwatch/store.h"
#include "sanctwatch/vmatch.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_QUERY 1024
#define MAX_CSV_FIELDS 8

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sanctwatch screen [--db DB] [--json] [--type T] [--threshold X] [--limit N]\n"
            "                         QUERY...\n"
            "       sanctwatch screen [--db DB] [--type T] [--threshold X] [--limit N]\n"
            "                         --batch FILE.csv [--out FILE]\n\n"
            "Screen a name (any script) or an identifier (IMO, MMSI, passport, registration,\n"
            "crypto address...) against the lists in the store, and explain each match token\n"
            "by token. Import lists first with 'sanctwatch lists import'.\n\n"
            "  --db DB          database (default %s)\n"
            "  --type T         person, organization, vessel, aircraft or other (default: any)\n"
            "  --threshold X    lowest score reported, above 0 and at most 1 (default %.2f)\n"
            "  --limit N        matches per query (default 10, at most %d)\n"
            "  --json           one JSON object per query\n"
            "  --imo N, --mmsi N, --ship-type N, --length M\n"
            "                   with --type vessel: what is known of the vessel seen (AIS ship\n"
            "                   type code, length in metres); each vessel match says whether\n"
            "                   the listed-vessel rule corroborates it (a name needs a\n"
            "                   compatible type or size and no other IMO)\n"
            "  --batch FILE     CSV of queries with columns id,name[,type] (a header line\n"
            "                   'id,name,...' is skipped; '-' is stdin); writes a CSV of matches\n"
            "  --out FILE       where the batch CSV goes (default stdout)\n"
            "  --data DIR       data directory holding screening/ (default: $SW_DATADIR, the\n"
            "                   installed or source-tree data beside the program)\n",
            SW_STORE_DEFAULT_PATH, SW_SCREEN_DEFAULT_THRESHOLD, SW_SCREEN_MAX_RESULTS);
}

static int is_dir_with_tables(const char *d)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s/stopwords.txt", d) >= (int)sizeof p) return 0;
    return access(p, R_OK) == 0;
}

/* The screening tables: --data DIR (the data directory, or its screening folder itself),
 * else <data directory>/screening as sw_datadir() finds it (sanctwatch/datadir.h). */
static const char *find_data(const char *opt, char *buf, size_t bufsz)
{
    if (opt) {
        if (snprintf(buf, bufsz, "%s/screening", opt) < (int)bufsz && is_dir_with_tables(buf))
            return buf;
        return opt;
    }
    if (sw_datadir_path("screening", buf, bufsz)) snprintf(buf, bufsz, "data/screening");
    return buf;
}

/* ---- output ---- */

/* Text from the lists or the user, control characters as \xHH (ESC must not drive the
 * terminal of the analyst reading hostile list names). */
static void put_clean(FILE *out, const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            fprintf(out, "\\x%02x", (unsigned)(unsigned char)*s);
        else
            putc(*s, out);
}

/* A vessel's identifiers on one line: "IMO 8660313, MMSI 445123000, call sign HMDA, flag
 * Korea, North, type Oil Tanker, tonnage 3000, GRT 2000" (the known ones). */
static void vessel_text(FILE *out, const struct sw_screen_vessel *v)
{
    const char *label[] = {"IMO", "MMSI", "call sign", "flag", "type", "tonnage", "GRT"};
    const char *val[] = {v->imo, v->mmsi, v->call_sign, v->flag, v->type, v->tonnage, v->grt};
    int n = 0;
    for (int i = 0; i < 7; i++) {
        if (!val[i]) continue;
        fprintf(out, "%s%s ", n++ ? ", " : "", label[i]);
        put_clean(out, val[i]);
    }
    if (!n) fputs("no identifiers listed", out);
}

/* The vessel's identifiers and the subject's other list entries. */
static void print_also_text(FILE *out, const struct sw_screen_match *m)
{
    if (m->has_vessel) {
        fputs("     vessel: ", out);
        vessel_text(out, &m->vessel);
        fputc('\n', out);
    }
    for (size_t i = 0; i < m->n_also; i++) {
        fputs("     also listed: ", out);
        put_clean(out, m->also[i].list);
        fputc(' ', out);
        put_clean(out, m->also[i].ref);
        if (m->also[i].has_vessel) {
            fputs(" (", out);
            vessel_text(out, &m->also[i].vessel);
            fputc(')', out);
        }
        fputc('\n', out);
    }
}

/* What the user knows of the vessel screened (--imo, --mmsi, --ship-type, --length). */
static struct sw_vmatch_seen g_seen = {0, 0, -1, -1, 0};
static int g_vessel; /* --type vessel: each vessel match gets the corroboration rule */

static uint32_t num_u32(const char *s)
{
    if (!s) return 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    return *end || v > UINT32_MAX ? 0 : (uint32_t)v;
}

/* The listed-vessel rule (sanctwatch/vmatch.h, the listed_vessel detector's) on a match: an
 * identifier match is an IMO or MMSI match; a name match needs corroboration. 0 when the
 * match is not a listed vessel with details. */
static int corroborate(const struct sw_screen_match *m, struct sw_vmatch *vm)
{
    if (!g_vessel || !m->has_vessel) return 0;
    struct sw_vmatch_listed l = {num_u32(m->vessel.imo), num_u32(m->vessel.mmsi),
                                 sw_vclass_of_list(m->vessel.type),
                                 sw_listed_length_m(m->vessel.tonnage, m->vessel.grt)};
    struct sw_vmatch_seen s = g_seen;
    s.name_equal = !m->by_identifier;
    if (m->by_identifier && !strcmp(m->id_kind, "imo") && !s.imo) s.imo = num_u32(m->id_value);
    if (m->by_identifier && !strcmp(m->id_kind, "mmsi") && !s.mmsi) s.mmsi = num_u32(m->id_value);
    sw_vmatch(&l, &s, vm);
    return 1;
}

static void print_corroboration(FILE *out, const struct sw_screen_match *m)
{
    struct sw_vmatch vm;
    if (!corroborate(m, &vm)) return;
    if (vm.on)
        fprintf(out, "     corroborated: %s (confidence %.2f)\n", sw_vmatch_corroboration(vm.on),
                vm.confidence);
    else
        fprintf(out, "     not corroborated: %s\n", vm.why[0] ? vm.why : "nothing matched");
}

static void print_text(FILE *out, const char *query, const struct sw_screen_result *r,
                       double threshold)
{
    fputs("query: ", out);
    put_clean(out, query);
    fputc('\n', out);
    fprintf(out, "normalised: %s\n", r->norm);
    if (r->n == 0) {
        fprintf(out, "no match at threshold %.2f\n", threshold);
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        const struct sw_screen_match *m = &r->m[i];
        fprintf(out, "%zu. %.3f  ", i + 1, m->score);
        put_clean(out, m->list);
        fputc(' ', out);
        put_clean(out, m->ref);
        fprintf(out, "  %s  ", sw_screen_type_name(m->type));
        put_clean(out, m->primary);
        fputc('\n', out);
        print_also_text(out, m);
        print_corroboration(out, m);
        if (m->by_identifier) {
            fprintf(out, "     identifier %s ", m->id_kind);
            put_clean(out, m->id_value);
            fputc('\n', out);
            continue;
        }
        if (strcmp(m->name, m->primary)) {
            fputs("     matched name: ", out);
            put_clean(out, m->name);
            fputc('\n', out);
        }
        for (size_t t = 0; t < m->n_tokens; t++) {
            const struct sw_screen_token_match *tm = &m->tokens[t];
            if (tm->how < 0)
                fprintf(out, "     %s -> %s (unmatched)\n", tm->query[0] ? tm->query : "-",
                        tm->cand[0] ? tm->cand : "-");
            else if (tm->how == SW_SCREEN_HOW_EXACT || tm->how == SW_SCREEN_HOW_JOINED)
                fprintf(out, "     %s -> %s (%s)\n", tm->query, tm->cand,
                        sw_screen_how_name(tm->how));
            else
                fprintf(out, "     %s -> %s (%s %.2f)\n", tm->query, tm->cand,
                        sw_screen_how_name(tm->how), tm->sim);
        }
    }
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *vessel_json(const struct sw_screen_vessel *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "imo", jstr(v->imo));
    json_object_set_new(o, "mmsi", jstr(v->mmsi));
    json_object_set_new(o, "call_sign", jstr(v->call_sign));
    json_object_set_new(o, "flag", jstr(v->flag));
    json_object_set_new(o, "vessel_type", jstr(v->type));
    json_object_set_new(o, "tonnage", jstr(v->tonnage));
    json_object_set_new(o, "grt", jstr(v->grt));
    return o;
}

/* "lists": every list entry of the matched subject, the matched one first. */
static json_t *lists_json(const struct sw_screen_match *m)
{
    json_t *a = json_array();
    json_t *e = json_object();
    json_object_set_new(e, "list", json_string(m->list));
    json_object_set_new(e, "ref", json_string(m->ref));
    json_array_append_new(a, e);
    for (size_t i = 0; i < m->n_also; i++) {
        e = json_object();
        json_object_set_new(e, "list", json_string(m->also[i].list));
        json_object_set_new(e, "ref", json_string(m->also[i].ref));
        if (m->also[i].has_vessel)
            json_object_set_new(e, "vessel", vessel_json(&m->also[i].vessel));
        json_array_append_new(a, e);
    }
    return a;
}

static json_t *match_json(const struct sw_screen_match *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "list", json_string(m->list));
    json_object_set_new(o, "ref", json_string(m->ref));
    json_object_set_new(o, "type", json_string(sw_screen_type_name(m->type)));
    json_object_set_new(o, "name", json_string(m->primary));
    json_object_set_new(o, "matched_name", json_string(m->name ? m->name : ""));
    json_object_set_new(o, "score", json_real((double)(long)(m->score * 1000 + 0.5) / 1000));
    json_object_set_new(o, "lists", lists_json(m));
    if (m->has_vessel) json_object_set_new(o, "vessel", vessel_json(&m->vessel));
    struct sw_vmatch vm;
    if (corroborate(m, &vm)) {
        json_t *c = json_object();
        json_object_set_new(c, "corroborated", json_boolean(vm.on != 0));
        json_object_set_new(c, "on",
                            vm.on ? json_string(sw_vmatch_corroboration(vm.on)) : json_null());
        json_object_set_new(c, "confidence", json_real(vm.confidence));
        json_object_set_new(c, "why", vm.on || !vm.why[0] ? json_null() : json_string(vm.why));
        json_object_set_new(o, "corroboration", c);
    }
    if (m->by_identifier) {
        json_t *id = json_object();
        json_object_set_new(id, "kind", json_string(m->id_kind));
        json_object_set_new(id, "value", json_string(m->id_value));
        json_object_set_new(o, "identifier", id);
    }
    json_t *ex = json_array();
    for (size_t t = 0; t < m->n_tokens; t++) {
        const struct sw_screen_token_match *tm = &m->tokens[t];
        json_t *e = json_object();
        json_object_set_new(e, "query", tm->query[0] ? json_string(tm->query) : json_null());
        json_object_set_new(e, "candidate", tm->cand[0] ? json_string(tm->cand) : json_null());
        json_object_set_new(e, "how", json_string(sw_screen_how_name(tm->how)));
        json_object_set_new(e, "similarity",
                            json_real((double)(long)(tm->sim * 1000 + 0.5) / 1000));
        json_array_append_new(ex, e);
    }
    json_object_set_new(o, "explanation", ex);
    return o;
}

static int print_json(FILE *out, const char *query, const struct sw_screen_result *r,
                      double threshold)
{
    json_t *o = json_object();
    /* json_string refuses invalid UTF-8: keep the query visible anyway. */
    json_t *q = json_string(query);
    json_object_set_new(o, "query", q ? q : json_string("(invalid UTF-8)"));
    json_object_set_new(o, "normalized", json_string(r->norm));
    json_object_set_new(o, "threshold", json_real(threshold));
    json_t *arr = json_array();
    for (size_t i = 0; i < r->n; i++)
        json_array_append_new(arr, match_json(&r->m[i]));
    json_object_set_new(o, "matches", arr);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (!s) return -1;
    fprintf(out, "%s\n", s);
    free(s);
    return 0;
}

/* One CSV field of a row (a ',' before all but the first), through the project's one CSV
 * writer with its spreadsheet-formula guard (sanctwatch/csvout.h). */
static void csv_field(struct sw_buf *b, const char *s, int first)
{
    if (!first) sw_buf_putc(b, ',');
    sw_csv_append(b, s);
}

static void explanation_text(const struct sw_screen_match *m, struct sw_buf *b)
{
    for (size_t t = 0; t < m->n_tokens; t++) {
        const struct sw_screen_token_match *tm = &m->tokens[t];
        if (t) sw_buf_puts(b, "; ");
        if (tm->how < 0)
            sw_buf_printf(b, "%s->%s (unmatched)", tm->query[0] ? tm->query : "-",
                          tm->cand[0] ? tm->cand : "-");
        else
            sw_buf_printf(b, "%s->%s (%s %.2f)", tm->query, tm->cand, sw_screen_how_name(tm->how),
                          tm->sim);
    }
}

/* Split one CSV line (RFC 4180 quoting, no line breaks inside fields). */
static int csv_split(const char *line, size_t len, char f[MAX_CSV_FIELDS][MAX_QUERY + 1])
{
    int n = 0;
    size_t i = 0;
    for (;;) {
        if (n == MAX_CSV_FIELDS) return n;
        size_t o = 0;
        if (i < len && line[i] == '"') {
            i++;
            while (i < len) {
                if (line[i] == '"' && i + 1 < len && line[i + 1] == '"') {
                    if (o < MAX_QUERY) f[n][o++] = '"';
                    i += 2;
                } else if (line[i] == '"') {
                    i++;
                    break;
                } else {
                    if (o < MAX_QUERY) f[n][o++] = line[i];
                    i++;
                }
            }
            while (i < len && line[i] != ',')
                i++;
        } else {
            while (i < len && line[i] != ',') {
                if (o < MAX_QUERY) f[n][o++] = line[i];
                i++;
            }
        }
        f[n++][o] = '\0';
        if (i >= len) return n;
        i++;
    }
}

static int run_batch(struct sw_screen_index *idx, const char *in, const char *outpath,
                     const struct sw_screen_opts *opts, struct sw_screen_result *res)
{
    struct sw_lines *l = NULL;
    struct stat st;
    if (strcmp(in, "-") && !stat(in, &st) && S_ISDIR(st.st_mode)) {
        /* refused before anything is written: a CSV header alone would read as "no match" */
        cli_error("cannot read '%s': %s", in, strerror(EISDIR));
        return 1;
    }
    int rc = sw_lines_open(&l, in, 0);
    if (rc) {
        cli_error("cannot open '%s': %s", in, rc == SW_EIO ? strerror(errno) : sw_strerror(rc));
        return 1;
    }
    FILE *out = stdout;
    if (outpath && strcmp(outpath, "-") && !(out = fopen(outpath, "w"))) {
        cli_error("cannot open '%s': %s", outpath, strerror(errno));
        sw_lines_free(l);
        return 1;
    }
    static char f[MAX_CSV_FIELDS][MAX_QUERY + 1];
    struct sw_buf b, ex;
    sw_buf_init(&b, 0);
    sw_buf_init(&ex, 0);
    fputs("query_id,query,rank,score,list,ref,type,name,matched_name,how,explanation,also,"
          "imo,mmsi,call_sign,flag,vessel_type\n",
          out);
    const char *line;
    size_t len;
    long nq = 0, nmatched = 0, nbad = 0;
    int status = 0;
    while ((rc = sw_lines_next(l, &line, &len)) != SW_EOF) {
        uint64_t ln = sw_lines_lineno(l);
        if (rc == SW_ETOOBIG) {
            cli_warn("%s:%llu: line too long, skipped", in, (unsigned long long)ln);
            nbad++;
            continue;
        }
        if (rc) {
            cli_error("cannot read '%s': %s", in, rc == SW_EIO ? strerror(errno) : sw_strerror(rc));
            status = 1;
            break;
        }
        if (len == 0) continue;
        int nf = csv_split(line, len, f);
        if (ln == 1 && nf >= 2 && !strcmp(f[0], "id") && !strcmp(f[1], "name")) continue;
        if (nf < 2 || !f[1][0]) {
            cli_warn("%s:%llu: expected id,name[,type], skipped", in, (unsigned long long)ln);
            nbad++;
            continue;
        }
        struct sw_screen_opts o = *opts;
        if (nf >= 3 && f[2][0] && sw_screen_type_parse(f[2], &o.type)) {
            cli_warn("%s:%llu: unknown type '%s', screening against every type", in,
                     (unsigned long long)ln, f[2]);
            o.type = opts->type;
        }
        rc = sw_screen_query(idx, f[1], &o, res);
        if (rc) {
            cli_warn("%s:%llu: cannot screen this name: %s", in, (unsigned long long)ln,
                     sw_strerror(rc));
            nbad++;
            continue;
        }
        nq++;
        nmatched += res->n > 0;
        for (size_t i = 0; i < res->n; i++) {
            const struct sw_screen_match *m = &res->m[i];
            char rank[24], score[32];
            snprintf(rank, sizeof rank, "%zu", i + 1);
            snprintf(score, sizeof score, "%.3f", m->score);
            sw_buf_reset(&b);
            sw_buf_reset(&ex);
            explanation_text(m, &ex);
            csv_field(&b, f[0], 1);
            csv_field(&b, f[1], 0);
            csv_field(&b, rank, 0);
            csv_field(&b, score, 0);
            csv_field(&b, m->list, 0);
            csv_field(&b, m->ref, 0);
            csv_field(&b, sw_screen_type_name(m->type), 0);
            csv_field(&b, m->primary, 0);
            csv_field(&b, m->name ? m->name : "", 0);
            csv_field(&b, m->by_identifier ? "identifier" : "name", 0);
            csv_field(&b, ex.data ? ex.data : "", 0);
            sw_buf_reset(&ex);
            for (size_t k = 0; k < m->n_also; k++)
                sw_buf_printf(&ex, "%s%s:%s", k ? "; " : "", m->also[k].list, m->also[k].ref);
            csv_field(&b, ex.data && ex.len ? ex.data : "", 0);
            const struct sw_screen_vessel *v = &m->vessel;
            const char *vf[] = {v->imo, v->mmsi, v->call_sign, v->flag, v->type};
            for (int k = 0; k < 5; k++)
                csv_field(&b, m->has_vessel && vf[k] ? vf[k] : "", 0);
            sw_buf_putc(&b, '\n');
            fwrite(b.data, 1, b.len, out);
        }
    }
    sw_buf_release(&b);
    sw_buf_release(&ex);
    sw_lines_free(l);
    if (fflush(out) || ferror(out)) {
        cli_error("cannot write '%s': %s", outpath ? outpath : "stdout", strerror(errno));
        status = 1;
    }
    if (out != stdout) fclose(out);
    fprintf(stderr, "screened %ld queries: %ld with matches, %ld lines skipped\n", nq, nmatched,
            nbad);
    if (!status && nq == 0 && nbad > 0) { /* not a CSV of queries: "no match" would mislead */
        cli_error("no query could be read from '%s'", in);
        status = 1;
    }
    return status;
}

int cmd_screen(int argc, char **argv)
{
    const char *dbpath = SW_STORE_DEFAULT_PATH, *batch = NULL, *outpath = NULL, *data = NULL;
    struct sw_screen_opts opts = {0, SW_SCREEN_ANY, 0};
    int json = 0, nwords = 0, dashdash = 0, seen_given = 0;
    char query[MAX_QUERY + 1] = "";
    size_t ql = 0;
    /* Options may come before or after the query words; "--" ends the options. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (dashdash || a[0] != '-' || !a[1]) {
            size_t n = strlen(a);
            if (ql + n + 1 > MAX_QUERY) {
                cli_error("query too long (at most %d bytes)", MAX_QUERY);
                return 2;
            }
            if (nwords++) query[ql++] = ' ';
            memcpy(query + ql, a, n);
            ql += n;
            query[ql] = '\0';
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--db") && has) {
            dbpath = argv[++i];
        } else if (!strcmp(a, "--batch") && has) {
            batch = argv[++i];
        } else if (!strcmp(a, "--out") && has) {
            outpath = argv[++i];
        } else if (!strcmp(a, "--data") && has) {
            data = argv[++i];
        } else if ((!strcmp(a, "--imo") || !strcmp(a, "--mmsi") || !strcmp(a, "--ship-type") ||
                    !strcmp(a, "--length")) &&
                   has) {
            uint32_t v = num_u32(argv[++i]);
            if (!v || (!strcmp(a, "--ship-type") && v > 99)) {
                cli_error("invalid %s '%s'", a, argv[i]);
                return 2;
            }
            if (!strcmp(a, "--imo")) g_seen.imo = sw_lists_imo_valid(v) ? v : 0;
            if (!strcmp(a, "--mmsi")) g_seen.mmsi = v;
            if (!strcmp(a, "--ship-type")) g_seen.ship_type = (int)v;
            if (!strcmp(a, "--length")) g_seen.length_m = (int)v;
            seen_given = 1;
        } else if (!strcmp(a, "--type") && has) {
            if (sw_screen_type_parse(argv[++i], &opts.type)) {
                cli_error("unknown type '%s' (person, organization, vessel, aircraft, other)",
                          argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--threshold") && has) {
            char *end;
            opts.threshold = strtod(argv[++i], &end);
            if (*end || end == argv[i] || !(opts.threshold > 0 && opts.threshold <= 1)) {
                cli_error("invalid threshold '%s' (a number in (0, 1])", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--limit") && has) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > SW_SCREEN_MAX_RESULTS) {
                cli_error("invalid limit '%s' (1 to %d)", argv[i], SW_SCREEN_MAX_RESULTS);
                return 2;
            }
            opts.max_results = (size_t)n;
        } else if (!strcmp(a, "--")) {
            dashdash = 1;
        } else {
            cli_error("unknown option '%s'", a);
            usage(stderr);
            return 2;
        }
    }
    if (!batch == !ql) {
        cli_error(batch ? "give a query or --batch, not both" : "nothing to screen");
        usage(stderr);
        return 2;
    }
    if (json && batch) {
        cli_error("--json is for a query; --batch writes CSV");
        return 2;
    }
    g_vessel = opts.type == SW_SCREEN_VESSEL;
    if (seen_given && !g_vessel) {
        cli_error("--imo, --mmsi, --ship-type and --length go with --type vessel");
        return 2;
    }
    if (outpath && !batch) {
        cli_error("--out goes with --batch");
        return 2;
    }
    char err[SW_ERRMAX], dbuf[PATH_MAX];
    sqlite3 *db = NULL;
    if (sw_store_open_existing(dbpath, &db, err)) {
        cli_error("%s", err);
        return 1;
    }
    struct sw_screen_index *idx = NULL;
    struct sw_screen_result *res = NULL;
    int status = 1;
    const char *dd = find_data(data, dbuf, sizeof dbuf);
    int rc = sw_screen_index_new(&idx, dd);
    if (rc) {
        cli_error("cannot load the screening tables in '%s': %s", dd,
                  rc == SW_EIO ? strerror(errno) : sw_strerror(rc));
        goto fail;
    }
    rc = sw_screen_index_load_db(idx, db);
    if (rc == SW_ENOTFOUND || (!rc && sw_screen_index_entries(idx) == 0)) {
        cli_error("no sanctions lists in '%s'; load them with 'sanctwatch lists import'", dbpath);
        goto fail;
    }
    if (rc) {
        cli_error("cannot read the lists in '%s': %s (%s)", dbpath, sw_strerror(rc),
                  sqlite3_errmsg(db));
        goto fail;
    }
    res = malloc(sizeof *res);
    if (!res) {
        cli_error("out of memory");
        goto fail;
    }
    double threshold = opts.threshold > 0 ? opts.threshold : SW_SCREEN_DEFAULT_THRESHOLD;
    if (batch) {
        status = run_batch(idx, batch, outpath, &opts, res);
        goto fail;
    }
    rc = sw_screen_query(idx, query, &opts, res);
    if (rc) {
        cli_error("cannot screen '%s': %s", query, sw_strerror(rc));
        goto fail;
    }
    if (json ? print_json(stdout, query, res, threshold)
             : (print_text(stdout, query, res, threshold), 0)) {
        cli_error("out of memory");
        goto fail;
    }
    status = 0;
fail:
    free(res);
    sw_screen_index_free(idx);
    sw_store_close(db);
    return status;
}
