/*
 * Fuzz target for what a client sends the service (src/serve/params.c, auth.c, and the review
 * builder of the ledger): the first byte picks the parser, the rest is the input.
 *   0  a query string: split on '&' and '=' into parameters (every endpoint's names allowed),
 *      then every typed reader on every parameter; a value read is within its range
 *   1  a JSON request body: members read as the endpoints read them, a review built from them
 *   2  a session cookie or API token's text
 *   3  user and role names
 * Besides crashes it checks that accepted values keep their contracts.
 */
#include "serve/serve_int.h"

#include "sanctwatch/detect.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
    "bbox",           "listed", "name",      "mmsi",    "imo",        "limit",
    "after",          "format", "from",      "to",      "max_points", "type",
    "min_confidence", "review", "order",     "records", "withdrawn",  "event",
    "from_leaf",      "q",      "threshold", "list",    "programme",  "include_removed",
    "last_event_id",  NULL};

static void query(const char *s)
{
    struct srv_params p;
    memset(&p, 0, sizeof p);
    char *copy = strdup(s), *save = copy;
    if (!copy) return;
    for (char *pair = copy; pair;) {
        char *amp = strchr(pair, '&');
        if (amp) *amp = '\0';
        char *eq = strchr(pair, '=');
        if (eq) *eq = '\0';
        srv_params_add(&p, pair, eq ? eq + 1 : "", names);
        pair = amp ? amp + 1 : NULL;
    }
    if (p.bad && !p.err[0]) abort(); /* a refusal always says why */
    double b[4], d = -1;
    int set = 0, flag = -1, k = -1;
    uint64_t u = 0;
    int64_t t = SW_TIME_NONE;
    const char *txt = NULL, *types[SW_DT_COUNT];
    size_t nt = 0;
    static const char *const orders[] = {"time", "significance", "ledger", NULL};
    if (srv_param_bbox(&p, "bbox", b, &set) == SW_OK && set &&
        !(b[0] >= -90 && b[2] <= 90 && b[0] <= b[2] && fabs(b[1]) <= 180 && fabs(b[3]) <= 180))
        abort();
    if (srv_param_u64(&p, "limit", 1, 1000, &u) == SW_OK && u > 1000) abort();
    if (srv_param_double(&p, "min_confidence", 0, 1, &d) == SW_OK && d != -1 && !(d >= 0 && d <= 1))
        abort();
    if (srv_param_bool(&p, "records", &flag) == SW_OK && flag != -1 && flag != 0 && flag != 1)
        abort();
    if (srv_param_enum(&p, "order", orders, &k) == SW_OK && (k < -1 || k > 2)) abort();
    srv_param_time(&p, "from", &t);
    if (srv_param_text(&p, "q", 200, &txt) == SW_OK && txt && strlen(txt) > 200) abort();
    if (srv_param_types(&p, "type", types, SW_DT_COUNT, &nt) == SW_OK)
        for (size_t i = 0; i < nt; i++)
            if (sw_detect_type_of(types[i]) < 0) abort();
    uint32_t m;
    if (srv_parse_u32(srv_param(&p, "mmsi"), 1, 999999999, &m) == SW_OK && (m < 1 || m > 999999999))
        abort();
    free(save);
}

static void body(const char *s, size_t n)
{
    json_t *o = NULL, *rv = NULL;
    char err[SW_ERRMAX];
    const char *decision = NULL, *note = NULL, *name = NULL;
    if (srv_body_object(s, n, &o, err) != SW_OK) return;
    srv_body_string(o, "decision", 16, 1, 0, &decision, err);
    srv_body_string(o, "note", SW_REVIEW_NOTE_MAX, 0, 1, &note, err);
    srv_body_string(o, "name", SW_USER_NAME_MAX, 0, 0, &name, err);
    if (decision && sw_review_new("event-id", "analyst", decision, note, 1, &rv, err) == SW_OK) {
        char *canon = NULL;
        size_t len;
        if (!sw_review_decision_ok(decision) || sw_canon_event(rv, &canon, &len) != SW_OK) abort();
        free(canon);
    }
    json_decref(rv);
    json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536) return 0;
    char *s = malloc(size);
    if (!s) return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    uint8_t h[32];
    switch (data[0] % 4) {
    case 0:
        query(s);
        break;
    case 1:
        body(s, size - 1);
        break;
    case 2:
        if (srv_token_hash(s, h) == SW_OK && strlen(s) != SRV_TOKEN_TEXT) abort();
        break;
    default:
        if (sw_user_name_ok(s) && (!*s || strlen(s) > SW_USER_NAME_MAX)) abort();
        sw_role_parse(s);
        break;
    }
    free(s);
    return 0;
}
