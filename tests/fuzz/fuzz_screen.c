/*
 * Fuzz target for name screening: arbitrary bytes as a name through the normaliser (NFKC,
 * case folding, ICU transliteration, Korean keys), as a query against a small index, as a
 * pair to compare, and as a name added to an index. Tables come from data/screening when
 * run from the repository root (without them the engine runs with none).
 */
#include "sanctwatch/error.h"
#include "sanctwatch/screen.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sw_screen_index *query_idx, *add_idx;
static unsigned long runs;
static struct sw_screen_result res;

static struct sw_screen_index *make_index(void)
{
    struct sw_screen_index *idx = NULL;
    const char *dir = access("data/screening/stopwords.txt", R_OK) ? NULL : "data/screening";
    if (sw_screen_index_new(&idx, dir)) abort();
    return idx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!query_idx) {
        query_idx = make_index();
        sw_screen_index_add_name(query_idx, "a", SW_SCREEN_PERSON, "KIM JONG UN", 0);
        sw_screen_index_add_name(query_idx, "a", SW_SCREEN_PERSON, "김정은", 1);
        sw_screen_index_add_name(query_idx, "b", SW_SCREEN_ORGANIZATION,
                                 "KOREA MINING DEVELOPMENT TRADING CORPORATION", 0);
        sw_screen_index_add_name(query_idx, "c", SW_SCREEN_VESSEL, "CHON MA SAN", 0);
        sw_screen_index_add_id(query_idx, "c", "imo", "IMO 8660313");
    }
    if (size > 4096) size = 4096;
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char out[512];
    sw_screen_normalize(query_idx, s, out, sizeof out);
    if (memchr(out, '\0', sizeof out) == NULL) abort();
    struct sw_screen_opts o = {0.5, SW_SCREEN_ANY, SW_SCREEN_MAX_RESULTS};
    if (sw_screen_query(query_idx, s, &o, &res) == SW_OK) {
        if (res.n > SW_SCREEN_MAX_RESULTS) abort();
        for (size_t i = 0; i < res.n; i++)
            if (!(res.m[i].score >= 0.5 && res.m[i].score <= 1.0001)) abort();
    }
    /* The two halves as a pair. */
    size_t half = strlen(s) / 2;
    char *b = strdup(s + half);
    s[half] = '\0';
    double score;
    struct sw_screen_match m;
    if (b && sw_screen_compare(query_idx, s, b, &score, &m) == SW_OK &&
        !(score >= 0 && score <= 1.0001))
        abort();
    free(b);
    /* As a name of an index, renewed now and then to bound memory. */
    if (!add_idx || ++runs % 512 == 0) {
        sw_screen_index_free(add_idx);
        add_idx = make_index();
    }
    memcpy(s, data, size);
    s[size] = '\0';
    sw_screen_index_add_name(add_idx, "x", SW_SCREEN_PERSON, s, 0);
    sw_screen_query(add_idx, "kim", NULL, &res);
    free(s);
    return 0;
}
