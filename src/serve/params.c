/*
 * Strict parsing of what clients send: query parameters (each name known to the endpoint and
 * given once, each value checked against its type and range, a refusal naming the parameter)
 * and JSON request bodies (an object, duplicate keys refused, members typed and bounded).
 * Nothing here touches the store: values reach the read functions as typed filters, and the
 * store binds them as parameters (no SQL is built from input anywhere).
 */
#include "serve_int.h"

#include "sanctwatch/detect.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(struct srv_params *p, const char *name, const char *why, const char *value)
{
    if (!p->bad) {
        p->bad = name;
        snprintf(p->err, sizeof p->err, "bad parameter '%.40s': %s%s%.60s%s", name, why,
                 value ? " ('" : "", value ? value : "", value ? "')" : "");
    }
    return SW_EINVAL;
}

/* Printable text without control characters (UTF-8 beyond ASCII allowed). */
static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 0;
    return 1;
}

int srv_params_add(struct srv_params *p, const char *name, const char *value,
                   const char *const *allowed)
{
    if (!name) name = "";
    size_t i = 0;
    while (allowed && allowed[i] && strcmp(allowed[i], name))
        i++;
    if (!allowed || !allowed[i]) {
        if (!p->bad) {
            p->bad = "?";
            snprintf(p->err, sizeof p->err, "unknown parameter '%.40s'", name);
            if (!printable(p->err)) snprintf(p->err, sizeof p->err, "unknown parameter");
        }
        return SW_EINVAL;
    }
    name = allowed[i]; /* static storage */
    for (size_t k = 0; k < p->n; k++)
        if (!strcmp(p->name[k], name)) return bad(p, name, "given more than once", NULL);
    if (p->n == SRV_MAX_PARAMS) return bad(p, name, "too many parameters", NULL);
    if (!value) value = "";
    if (!printable(value)) return bad(p, name, "control characters", NULL);
    p->name[p->n] = name;
    p->value[p->n++] = value;
    return SW_OK;
}

struct collect {
    struct srv_params *p;
    const char *const *allowed;
};

static enum MHD_Result each_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    struct collect *c = cls;
    srv_params_add(c->p, key, value, c->allowed);
    return MHD_YES;
}

int srv_params_collect(struct srv_params *p, struct MHD_Connection *c, const char *const *allowed)
{
    struct collect cc = {p, allowed};
    memset(p, 0, sizeof *p);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, each_arg, &cc);
    return p->bad ? SW_EINVAL : SW_OK;
}

const char *srv_param(const struct srv_params *p, const char *name)
{
    for (size_t k = 0; k < p->n; k++)
        if (!strcmp(p->name[k], name)) return p->value[k];
    return NULL;
}

int srv_param_u64(struct srv_params *p, const char *name, uint64_t lo, uint64_t hi, uint64_t *out)
{
    const char *v = srv_param(p, name);
    char *end;
    if (!v) return SW_OK;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (!*v || *end || errno || v[0] == '-' || v[0] == '+' || v[0] == ' ' || n < lo || n > hi) {
        char why[80];
        snprintf(why, sizeof why, "expected a whole number from %llu to %llu",
                 (unsigned long long)lo, (unsigned long long)hi);
        return bad(p, name, why, v);
    }
    *out = n;
    return SW_OK;
}

static int read_double(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (!*v || *end || errno || !isfinite(d) || v[0] == ' ') return -1;
    /* only plain decimals: no hex floats, infinities or exponents a person did not mean */
    for (const char *s = v; *s; s++)
        if (!strchr("0123456789.-+eE", *s)) return -1;
    *out = d;
    return 0;
}

int srv_param_double(struct srv_params *p, const char *name, double lo, double hi, double *out)
{
    const char *v = srv_param(p, name);
    double d;
    if (!v) return SW_OK;
    if (read_double(v, &d) || d < lo || d > hi) {
        char why[80];
        snprintf(why, sizeof why, "expected a number from %g to %g", lo, hi);
        return bad(p, name, why, v);
    }
    *out = d;
    return SW_OK;
}

int srv_param_time(struct srv_params *p, const char *name, int64_t *out)
{
    const char *v = srv_param(p, name);
    int64_t t;
    if (!v) return SW_OK;
    if (sw_time_parse(v, strlen(v), &t) != SW_OK)
        return bad(p, name, "expected an ISO 8601 time such as 2024-03-01T06:00:00Z", v);
    *out = t;
    return SW_OK;
}

int srv_param_bbox(struct srv_params *p, const char *name, double out[4], int *set)
{
    const char *v = srv_param(p, name);
    char buf[128];
    if (!v) return SW_OK;
    if (strlen(v) >= sizeof buf) return bad(p, name, "too long", NULL);
    snprintf(buf, sizeof buf, "%s", v);
    char *s = buf;
    for (int i = 0; i < 4; i++) {
        char *comma = strchr(s, ',');
        if ((i < 3) != (comma != NULL)) return bad(p, name, "expected S,W,N,E", v);
        if (comma) *comma = '\0';
        if (read_double(s, &out[i])) return bad(p, name, "expected S,W,N,E", v);
        s = comma ? comma + 1 : s;
    }
    if (out[0] < -90 || out[2] > 90 || out[0] > out[2] || out[1] < -180 || out[1] > 180 ||
        out[3] < -180 || out[3] > 180)
        return bad(p, name, "S,W,N,E with -90 <= S <= N <= 90 and W, E in -180..180", v);
    *set = 1;
    return SW_OK;
}

int srv_param_bool(struct srv_params *p, const char *name, int *out)
{
    static const char *const choices[] = {"0", "1", "false", "true", NULL};
    int k = -1;
    int rc = srv_param_enum(p, name, choices, &k);
    if (!rc && k >= 0) *out = k & 1;
    return rc;
}

int srv_param_enum(struct srv_params *p, const char *name, const char *const *choices, int *out)
{
    const char *v = srv_param(p, name);
    if (!v) return SW_OK;
    for (int i = 0; choices[i]; i++)
        if (!strcmp(v, choices[i])) {
            *out = i;
            return SW_OK;
        }
    char why[200] = "expected one of";
    for (int i = 0; choices[i]; i++) {
        size_t n = strlen(why);
        snprintf(why + n, sizeof why - n, "%s %s", i ? "," : "", choices[i]);
    }
    return bad(p, name, why, v);
}

int srv_param_text(struct srv_params *p, const char *name, size_t max, const char **out)
{
    const char *v = srv_param(p, name);
    if (!v) return SW_OK;
    if (!*v || strlen(v) > max) {
        char why[64];
        snprintf(why, sizeof why, "expected 1 to %zu characters", max);
        return bad(p, name, why, NULL);
    }
    *out = v;
    return SW_OK;
}

int srv_param_types(struct srv_params *p, const char *name, const char **types, size_t max,
                    size_t *n)
{
    const char *v = srv_param(p, name);
    *n = 0;
    if (!v) return SW_OK;
    const char *s = v;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        char t[40];
        int k = -1;
        if (len < sizeof t) {
            memcpy(t, s, len);
            t[len] = '\0';
            k = sw_detect_type_of(t);
        }
        if (k < 0 || *n == max) return bad(p, name, "expected event types such as encounter", v);
        types[(*n)++] = sw_detect_type_name(k);
        if (!e) break;
        s = e + 1;
    }
    return SW_OK;
}

int srv_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ') return SW_EINVAL;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (*end || errno || n < lo || n > hi) return SW_EINVAL;
    *out = (uint32_t)n;
    return SW_OK;
}

/* ---------------------------------------------------------------------------- bodies */

int srv_body_object(const char *body, size_t len, json_t **out, char *err)
{
    json_error_t je;
    *out = NULL;
    json_t *o = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        snprintf(err, SW_ERRMAX, "the body is not JSON: %.100s", je.text);
        return SW_EINVAL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        snprintf(err, SW_ERRMAX, "the body is not a JSON object");
        return SW_EINVAL;
    }
    *out = o;
    return SW_OK;
}

int srv_body_string(json_t *o, const char *name, size_t max, int required, int multiline,
                    const char **out, char *err)
{
    json_t *v = json_object_get(o, name);
    if (!v || json_is_null(v)) {
        if (!required) return SW_OK;
        snprintf(err, SW_ERRMAX, "bad member '%s': missing", name);
        return SW_EINVAL;
    }
    const char *s = json_string_value(v);
    if (!s || strlen(s) != json_string_length(v) || json_string_length(v) > max) {
        snprintf(err, SW_ERRMAX, "bad member '%s': expected a string of at most %zu bytes", name,
                 max);
        return SW_EINVAL;
    }
    for (const char *c = s; *c; c++)
        if (((unsigned char)*c < 0x20 && !(multiline && (*c == '\n' || *c == '\t'))) ||
            *c == 0x7f) {
            snprintf(err, SW_ERRMAX, "bad member '%s': control characters", name);
            return SW_EINVAL;
        }
    *out = s;
    return SW_OK;
}
