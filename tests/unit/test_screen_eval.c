/*
 * Screening evaluation on the labelled data in ../shared/data/screening (see its
 * SOURCES.md): precision and recall of sw_screen at SW_SCREEN_DEFAULT_THRESHOLD, per file,
 * beside a plain Jaro-Winkler baseline (whole lower-cased strings, threshold 0.90), with
 * floors asserted. Pair files are scored pairwise (sw_screen_compare, token weights from
 * an index of all the file's names); files of all-positive pairs get negatives by pairing
 * each query with another row's name (row i + n/2). Query files are screened against the
 * UN consolidated list, read here by a minimal reader of its names (the importer lives in
 * src/lists). Prints "RESULT <file>: ..." lines; docs/screening.md discusses them.
 */
#include "testutil.h"

#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/screen.h"

#include <ctype.h>
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_T 0.90

/* Floors (precision, recall) and false-positive ceilings: set a little below what was
 * measured when the threshold was chosen (docs/screening.md), so a regression fails. */
#define FLOOR_NK_P 0.76
#define FLOOR_NK_R 0.78
#define FLOOR_OFAC_P 0.92
#define FLOOR_OFAC_R 0.57
#define FLOOR_WM_P 0.95
#define FLOOR_WM_R 0.70
/* DPRK primary/alias pairs, measured on the same files in one session (issue 18):
 *   before (0c8ae0b): P 1.000 R 0.402 (tp 86 fp 0 fn 128)
 *   after: the completed Korean table with the initial-sound rule, long Korean tokens
 *   compared by key in any name (Daedong/Taedong), a trailing acronym of the name dropped
 *   (DAEDONG CREDIT BANK (DCB)): P 1.000 R 0.411 (tp 88 fp 0 fn 126).
 * The other files' figures did not move (the RESULT lines print them). The floors are the
 * figures measured after: the evaluation is deterministic, so any loss fails. */
#define FLOOR_DPRK_P 1.0
#define FLOOR_DPRK_R 0.411
#define FLOOR_PUTIN_R 0.60
#define FLOOR_YENTE_UNTREATED_R 0.98
#define FLOOR_YENTE_TREATED_R 0.98
#define CEIL_NEG_GLOBAL_FPR 0.012
#define CEIL_NEG_US_FPR 0.008
#define CEIL_CONGRESS_FPR 0.010
#define MAXF 16
#define FLEN 512

/* ---- tiny CSV (quoted fields, one line a record) ---- */
static int csv_split(const char *line, size_t len, char f[MAXF][FLEN])
{
    int n = 0;
    size_t i = 0;
    while (n < MAXF) {
        size_t o = 0;
        if (i < len && line[i] == '"') {
            i++;
            while (i < len) {
                if (line[i] == '"' && i + 1 < len && line[i + 1] == '"') {
                    if (o < FLEN - 1) f[n][o++] = '"';
                    i += 2;
                } else if (line[i] == '"') {
                    i++;
                    break;
                } else {
                    if (o < FLEN - 1) f[n][o++] = line[i];
                    i++;
                }
            }
            while (i < len && line[i] != ',')
                i++;
        } else {
            while (i < len && line[i] != ',') {
                if (o < FLEN - 1) f[n][o++] = line[i];
                i++;
            }
        }
        f[n++][o] = '\0';
        if (i >= len) break;
        i++; /* comma */
    }
    return n;
}

struct pairset {
    size_t n, cap;
    char (*a)[FLEN];
    char (*b)[FLEN];
    int *label;
};

static void ps_add(struct pairset *p, const char *a, const char *b, int label)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->a = realloc(p->a, p->cap * FLEN);
        p->b = realloc(p->b, p->cap * FLEN);
        p->label = realloc(p->label, p->cap * sizeof(int));
        assert_non_null(p->a);
        assert_non_null(p->b);
        assert_non_null(p->label);
    }
    snprintf(p->a[p->n], FLEN, "%s", a);
    snprintf(p->b[p->n], FLEN, "%s", b);
    p->label[p->n++] = label;
}

static void ps_free(struct pairset *p)
{
    free(p->a);
    free(p->b);
    free(p->label);
}

/* Lower-cased copy for the baseline. */
static void lower(const char *s, char *out, size_t outsz)
{
    size_t i = 0;
    for (; s[i] && i + 1 < outsz; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

static double base_jw(const char *a, const char *b)
{
    char la[FLEN], lb[FLEN];
    lower(a, la, sizeof la);
    lower(b, lb, sizeof lb);
    return sw_jaro_winkler(la, strlen(la), lb, strlen(lb));
}

struct pr {
    double p, r;
    size_t tp, fp, fn, tn;
};

static struct pr pr_of(size_t tp, size_t fp, size_t fn, size_t tn)
{
    struct pr x = {tp + fp ? (double)tp / (double)(tp + fp) : 1.0,
                   tp + fn ? (double)tp / (double)(tp + fn) : 1.0,
                   tp,
                   fp,
                   fn,
                   tn};
    return x;
}

static const char *data_dir(void)
{
    static char d[4096];
    snprintf(d, sizeof d, "%s", sw_test_root("data/screening"));
    return d;
}

/* Score every pair; ours with the index of all the file's names, and the baseline. */
static void eval_pairs(const char *file, struct pairset *ps, struct pr *ours, struct pr *base)
{
    struct sw_screen_index *idx = NULL;
    assert_int_equal(sw_screen_index_new(&idx, data_dir()), SW_OK);
    char key[32];
    for (size_t i = 0; i < ps->n; i++) {
        snprintf(key, sizeof key, "a%zu", i);
        assert_int_equal(sw_screen_index_add_name(idx, key, 0, ps->a[i], 0), SW_OK);
        snprintf(key, sizeof key, "b%zu", i);
        assert_int_equal(sw_screen_index_add_name(idx, key, 0, ps->b[i], 0), SW_OK);
    }
    size_t t[2][4] = {{0}}; /* tp fp fn tn */
    for (size_t i = 0; i < ps->n; i++) {
        double s;
        assert_int_equal(sw_screen_compare(idx, ps->a[i], ps->b[i], &s, NULL), SW_OK);
        int hit[2] = {s >= SW_SCREEN_DEFAULT_THRESHOLD, base_jw(ps->a[i], ps->b[i]) >= BASE_T};
        for (int k = 0; k < 2; k++) {
            int l = ps->label[i];
            t[k][hit[k] && l ? 0 : hit[k] && !l ? 1 : !hit[k] && l ? 2 : 3]++;
        }
        if (getenv("SW_EVAL_VERBOSE") && hit[0] != ps->label[i])
            printf("MISS %s: %s | %s | label=%d score=%.3f\n", file, ps->a[i], ps->b[i],
                   ps->label[i], s);
    }
    if (getenv("SW_EVAL_SWEEP")) {
        /* P/R at other thresholds, for choosing the default (docs/screening.md). */
        printf("SWEEP %s:", file);
        for (double th = 0.70; th < 0.97; th += 0.02) {
            size_t tp = 0, fp = 0, fn = 0;
            for (size_t i = 0; i < ps->n; i++) {
                double s;
                sw_screen_compare(idx, ps->a[i], ps->b[i], &s, NULL);
                tp += s >= th && ps->label[i];
                fp += s >= th && !ps->label[i];
                fn += s < th && ps->label[i];
            }
            printf(" %.2f:%.3f/%.3f", th, tp + fp ? (double)tp / (double)(tp + fp) : 1.0,
                   tp + fn ? (double)tp / (double)(tp + fn) : 1.0);
        }
        printf("\n");
    }
    *ours = pr_of(t[0][0], t[0][1], t[0][2], t[0][3]);
    *base = pr_of(t[1][0], t[1][1], t[1][2], t[1][3]);
    sw_screen_index_free(idx);
}

static void report_pairs(const char *file, const struct pr *o, const struct pr *b)
{
    printf("RESULT %s: P=%.3f R=%.3f (baseline JW: P=%.3f R=%.3f) [tp=%zu fp=%zu fn=%zu tn=%zu]\n",
           file, o->p, o->r, b->p, b->r, o->tp, o->fp, o->fn, o->tn);
}

typedef void (*row_fn)(struct pairset *ps, char f[MAXF][FLEN], int nf);

static int read_rows(const char *path, int skip_header, row_fn fn, struct pairset *ps)
{
    struct sw_lines *l = NULL;
    if (sw_lines_open(&l, path, 0)) return -1;
    const char *line;
    size_t len;
    static char f[MAXF][FLEN];
    int first = 1, rc;
    while ((rc = sw_lines_next(l, &line, &len)) == SW_OK) {
        if (first && skip_header) {
            first = 0;
            continue;
        }
        if (len == 0 || line[0] == '#') continue;
        int nf = csv_split(line, len, f);
        fn(ps, f, nf);
    }
    sw_lines_free(l);
    return 0;
}

/* Negatives for an all-positive pair set: a[i] against b[(i + n/2) % n], unless equal. */
static void add_shift_negatives(struct pairset *ps)
{
    size_t n = ps->n;
    for (size_t i = 0; i < n; i++) {
        size_t j = (i + n / 2) % n;
        if (j != i && strcmp(ps->a[i], ps->a[j])) {
            char a[FLEN], b[FLEN]; /* ps_add may move the arrays */
            memcpy(a, ps->a[i], FLEN);
            memcpy(b, ps->b[j], FLEN);
            ps_add(ps, a, b, 0);
        }
    }
}

static void row_nk(struct pairset *ps, char f[MAXF][FLEN], int nf)
{
    if (nf >= 5 && (!strcmp(f[4], "true") || !strcmp(f[4], "false")))
        ps_add(ps, f[2], f[3], !strcmp(f[4], "true"));
}

static void nomenklatura_cases(void **state)
{
    SW_NEED_SHARED(path, "data/screening/nomenklatura_name_bench_cases.csv");
    struct pairset ps = {0};
    assert_int_equal(read_rows(path, 1, row_nk, &ps), 0);
    assert_true(ps.n > 700);
    struct pr o, b;
    eval_pairs("nomenklatura_name_bench_cases.csv", &ps, &o, &b);
    report_pairs("nomenklatura_name_bench_cases.csv", &o, &b);
    assert_true(o.p >= FLOOR_NK_P);
    assert_true(o.r >= FLOOR_NK_R);
    ps_free(&ps);
}

static void row_ofac(struct pairset *ps, char f[MAXF][FLEN], int nf)
{
    if (nf >= 3 && strcmp(f[2], "-1")) ps_add(ps, f[0], f[1], strtol(f[2], NULL, 10) >= 90);
}

static void ofac_observed(void **state)
{
    SW_NEED_SHARED(path, "data/screening/ofac_sls_observed_scores.csv");
    struct pairset ps = {0};
    assert_int_equal(read_rows(path, 1, row_ofac, &ps), 0);
    struct pr o, b;
    eval_pairs("ofac_sls_observed_scores.csv", &ps, &o, &b);
    /* Labels are OFAC's own tool at score >= 90: this is agreement with it, not truth. */
    report_pairs("ofac_sls_observed_scores.csv", &o, &b);
    assert_true(o.p >= FLOOR_OFAC_P);
    assert_true(o.r >= FLOOR_OFAC_R);
    ps_free(&ps);
}

static void row_watchman(struct pairset *ps, char f[MAXF][FLEN], int nf)
{
    if (nf >= 2 && f[0][0]) ps_add(ps, f[0], f[1], 1);
}

static void watchman_cross_script(void **state)
{
    SW_NEED_SHARED(path, "data/screening/watchman_cross_script_pairs.csv");
    struct pairset ps = {0};
    assert_int_equal(read_rows(path, 0, row_watchman, &ps), 0);
    assert_true(ps.n >= 20);
    add_shift_negatives(&ps);
    struct pr o, b;
    eval_pairs("watchman_cross_script_pairs.csv", &ps, &o, &b);
    report_pairs("watchman_cross_script_pairs.csv", &o, &b);
    assert_true(o.p >= FLOOR_WM_P);
    assert_true(o.r >= FLOOR_WM_R);
    ps_free(&ps);
}

static void row_dprk(struct pairset *ps, char f[MAXF][FLEN], int nf)
{
    if (nf >= 7 && !strcmp(f[6], "true")) ps_add(ps, f[3], f[4], 1);
}

static void un_dprk_aliases(void **state)
{
    SW_NEED_SHARED(path, "data/screening/un_dprk_primary_alias_pairs_2026-02-27.csv");
    struct pairset ps = {0};
    assert_int_equal(read_rows(path, 1, row_dprk, &ps), 0);
    assert_true(ps.n > 200);
    add_shift_negatives(&ps);
    struct pr o, b;
    eval_pairs("un_dprk_primary_alias_pairs_2026-02-27.csv", &ps, &o, &b);
    report_pairs("un_dprk_primary_alias_pairs_2026-02-27.csv", &o, &b);
    assert_true(o.p >= FLOOR_DPRK_P);
    assert_true(o.r >= FLOOR_DPRK_R);
    ps_free(&ps);
}

static void putin_names(void **state)
{
    SW_NEED_SHARED(path, "data/screening/nomenklatura_putin_names.txt");
    struct pairset ps = {0};
    struct sw_lines *l = NULL;
    assert_int_equal(sw_lines_open(&l, path, 0), SW_OK);
    const char *line;
    size_t len;
    char buf[FLEN];
    while (sw_lines_next(l, &line, &len) == SW_OK) {
        if (!len || len >= sizeof buf) continue;
        memcpy(buf, line, len);
        buf[len] = '\0';
        ps_add(&ps, buf, "Vladimir Vladimirovich PUTIN", 1);
    }
    sw_lines_free(l);
    struct pr o, b;
    eval_pairs("nomenklatura_putin_names.txt", &ps, &o, &b);
    /* All positives (one person in many scripts): recall only. */
    printf("RESULT nomenklatura_putin_names.txt: R=%.3f (baseline JW: R=%.3f) [all positives, "
           "n=%zu]\n",
           o.r, b.r, ps.n);
    assert_true(o.r >= FLOOR_PUTIN_R);
    ps_free(&ps);
}

/* ---- screening against the UN list ---- */

struct unlist {
    struct sw_screen_index *idx;
    size_t n;
    char (*names)[FLEN]; /* every name, for the baseline */
    size_t cap;
};

static void un_add(struct unlist *u, const char *key, int type, const char *name, int q)
{
    if (!name[0]) return;
    assert_int_equal(sw_screen_index_add_name(u->idx, key, type, name, q), SW_OK);
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 1024;
        u->names = realloc(u->names, u->cap * FLEN);
        assert_non_null(u->names);
    }
    lower(name, u->names[u->n++], FLEN); /* the baseline compares lower-cased strings */
}

/* Minimal reader of the UN consolidated list's names (not the importer: names only). */
static int load_un(struct unlist *u, const char *path)
{
    xmlTextReaderPtr r = xmlReaderForFile(path, NULL, XML_PARSE_NONET);
    if (!r) return -1;
    char el[64] = "", ref[64] = "", parts[4][FLEN], orig[FLEN] = "";
    char aliases[64][FLEN];
    int nal = 0, type = 0;
    memset(parts, 0, sizeof parts);
    while (xmlTextReaderRead(r) == 1) {
        int nt = xmlTextReaderNodeType(r);
        const char *name = (const char *)xmlTextReaderConstName(r);
        if (nt == XML_READER_TYPE_ELEMENT) {
            snprintf(el, sizeof el, "%s", name);
            if (!strcmp(name, "INDIVIDUAL") || !strcmp(name, "ENTITY")) {
                type = !strcmp(name, "ENTITY");
                ref[0] = orig[0] = '\0';
                memset(parts, 0, sizeof parts);
                nal = 0;
            }
        } else if (nt == XML_READER_TYPE_TEXT) {
            const char *v = (const char *)xmlTextReaderConstValue(r);
            if (!strcmp(el, "REFERENCE_NUMBER"))
                snprintf(ref, sizeof ref, "%s", v);
            else if (!strcmp(el, "FIRST_NAME"))
                snprintf(parts[0], FLEN, "%s", v);
            else if (!strcmp(el, "SECOND_NAME"))
                snprintf(parts[1], FLEN, "%s", v);
            else if (!strcmp(el, "THIRD_NAME"))
                snprintf(parts[2], FLEN, "%s", v);
            else if (!strcmp(el, "FOURTH_NAME"))
                snprintf(parts[3], FLEN, "%s", v);
            else if (!strcmp(el, "NAME_ORIGINAL_SCRIPT"))
                snprintf(orig, FLEN, "%s", v);
            else if (!strcmp(el, "ALIAS_NAME") && nal < 64)
                snprintf(aliases[nal++], FLEN, "%s", v);
        } else if (nt == XML_READER_TYPE_END_ELEMENT &&
                   (!strcmp(name, "INDIVIDUAL") || !strcmp(name, "ENTITY"))) {
            char full[FLEN * 4 + 4] = "", key[80];
            for (int i = 0; i < 4; i++) {
                if (!parts[i][0]) continue;
                size_t o = strlen(full);
                snprintf(full + o, sizeof full - o, "%s%s", o ? " " : "", parts[i]);
            }
            snprintf(key, sizeof key, "un_sc:%s", ref);
            full[FLEN - 1] = '\0';
            un_add(u, key, type, full, SW_SCREEN_Q_PRIMARY);
            un_add(u, key, type, orig, SW_SCREEN_Q_AKA);
            for (int i = 0; i < nal; i++)
                un_add(u, key, type, aliases[i], SW_SCREEN_Q_AKA);
        }
    }
    xmlFreeTextReader(r);
    return 0;
}

static struct unlist UN;

static int un_setup(void **state)
{
    const char *p = sw_test_shared("data/sanctions/un/un_sc_consolidated_2026-02-27.xml");
    if (!p) return 0;
    if (sw_screen_index_new(&UN.idx, data_dir())) return -1;
    if (load_un(&UN, p)) return -1;
    return sw_screen_index_build(UN.idx) ? -1 : 0;
}

static int un_teardown(void **state)
{
    sw_screen_index_free(UN.idx);
    free(UN.names);
    memset(&UN, 0, sizeof UN);
    return 0;
}

struct qstats {
    size_t n, hit, base_hit;
};

static void row_query(struct pairset *ps, char f[MAXF][FLEN], int nf)
{
    if (nf >= 1 && f[0][0]) ps_add(ps, f[0], "", 1);
}

static struct qstats screen_file(const char *rel, const char *name)
{
    struct qstats q = {0};
    const char *path = sw_test_shared(rel);
    struct pairset ps = {0};
    assert_int_equal(read_rows(path, 1, row_query, &ps), 0);
    struct sw_screen_result *res = malloc(sizeof *res);
    assert_non_null(res);
    for (size_t i = 0; i < ps.n; i++) {
        struct sw_screen_opts o = {0, SW_SCREEN_ANY, 1};
        assert_int_equal(sw_screen_query(UN.idx, ps.a[i], &o, res), SW_OK);
        q.n++;
        q.hit += res->n > 0;
        if (getenv("SW_EVAL_VERBOSE") && res->n)
            printf("HIT %s: %s -> %s (%.3f)\n", name, ps.a[i], res->m[0].name, res->m[0].score);
        char lq[FLEN];
        lower(ps.a[i], lq, sizeof lq);
        size_t lql = strlen(lq);
        for (size_t k = 0; k < UN.n; k++) {
            if (sw_jaro_winkler(lq, lql, UN.names[k], strlen(UN.names[k])) >= BASE_T) {
                q.base_hit++;
                break;
            }
        }
    }
    free(res);
    ps_free(&ps);
    return q;
}

#define NEED_UN()                                                                                  \
    if (!UN.idx) {                                                                                 \
        printf("SKIP: shared UN list absent\n");                                                   \
        skip();                                                                                    \
    }

static void yente_positives(void **state)
{
    NEED_UN();
    static const char *files[] = {"yente_positives_un_untreated.csv",
                                  "yente_positives_un_treated.csv"};
    static const double floors[] = {FLOOR_YENTE_UNTREATED_R, FLOOR_YENTE_TREATED_R};
    for (int i = 0; i < 2; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "data/screening/%s", files[i]);
        struct qstats q = screen_file(rel, files[i]);
        double r = (double)q.hit / (double)q.n, br = (double)q.base_hit / (double)q.n;
        printf("RESULT %s: R=%.3f (baseline JW: R=%.3f) [screened against the UN list, "
               "n=%zu, all positives]\n",
               files[i], r, br, q.n);
        assert_true(r >= floors[i]);
    }
}

static void yente_negatives(void **state)
{
    NEED_UN();
    static const char *files[] = {"yente_validation_negatives_global.csv",
                                  "yente_validation_negatives_us.csv",
                                  "yente_positives_us_congress_untreated.csv"};
    static const double ceilings[] = {CEIL_NEG_GLOBAL_FPR, CEIL_NEG_US_FPR, CEIL_CONGRESS_FPR};
    for (int i = 0; i < 3; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "data/screening/%s", files[i]);
        struct qstats q = screen_file(rel, files[i]);
        double fpr = (double)q.hit / (double)q.n, bfpr = (double)q.base_hit / (double)q.n;
        printf("RESULT %s: FPR=%.3f specificity=%.3f (baseline JW: FPR=%.3f) [screened "
               "against the UN list, n=%zu, none should match]\n",
               files[i], fpr, 1 - fpr, bfpr, q.n);
        assert_true(fpr <= ceilings[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nomenklatura_cases),    cmocka_unit_test(ofac_observed),
        cmocka_unit_test(watchman_cross_script), cmocka_unit_test(un_dprk_aliases),
        cmocka_unit_test(putin_names),           cmocka_unit_test(yente_positives),
        cmocka_unit_test(yente_negatives)};
    return cmocka_run_group_tests_name("screen_eval", tests, un_setup, un_teardown);
}
