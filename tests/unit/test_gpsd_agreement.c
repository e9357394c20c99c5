/*
 * Peer agreement with gpsd: runs `sanctwatch decode [--unscaled] FILE` on gpsd's own AIS
 * regression inputs and compares every "class":"AIS" object with gpsd's expected output
 * (sample.aivdm.js.chk scaled, sample.aivdm.ju.chk unscaled, the test/daemon .log.chk files),
 * message by message and field by field. "device" and the CLI's framing metadata (rxtime,
 * source, checksum_ok) are ignored; numbers compare by value.
 * Prints "AGREE <file>: <n>/<m> messages, <k> fields differ" per file and fails on any
 * difference that is not in the allow-list below (each entry is explained in docs/ais.md).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define PEER "data/ais/peer-tests/gpsd/test/"
#define MAXMSG 4096

/* Known disagreements, each with the reason gpsd is wrong (docs/ais.md, "Disagreements"). */
struct allow {
    const char *file;  /* suffix of the expected file, "" for any */
    int type;          /* message type */
    const char *field; /* field name; NULL: the whole message is missing from our output */
    unsigned mmsi;     /* 0 for any */
    const char *why;
};
static const struct allow allow_list[] = {
    {"", 26, "radio", 0,
     "gpsd prints radio 0 for every type 26: it never decodes the trailing 20-bit radio status"},
};

#define NALLOW (sizeof allow_list / sizeof allow_list[0])
static unsigned allow_used[NALLOW];

static const struct allow *allowed(const char *file, int type, const char *field, unsigned mmsi)
{
    for (size_t i = 0; i < NALLOW; i++) {
        const struct allow *a = &allow_list[i];
        size_t fl = strlen(file), al = strlen(a->file);
        if (al && (al > fl || strstr(file, a->file) == NULL)) continue;
        if (a->type != type || (a->mmsi && a->mmsi != mmsi)) continue;
        if ((a->field == NULL) != (field == NULL)) continue;
        if (field && strcmp(field, a->field)) continue;
        allow_used[i]++;
        return a;
    }
    return NULL;
}

struct msgs {
    json_t *v[MAXMSG];
    size_t n;
};

static void msgs_free(struct msgs *m)
{
    for (size_t i = 0; i < m->n; i++)
        json_decref(m->v[i]);
    m->n = 0;
}

/* gpsd's .chk files interleave the input sentences with the JSON they produced. The daemon
 * also re-reports the last AIS object after a non-AIS sentence ($GPRMC...): only objects
 * that follow an AIS sentence (a line starting with '!') or another JSON line of that
 * group count. Files with JSON only (sample.aivdm.j?.chk) count every object. */
static int load_expected(const char *path, struct msgs *out)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[8192];
    char last = '!';
    while (fgets(line, sizeof line, f)) {
        if (line[0] != '{') {
            last = line[0];
            continue;
        }
        if (last != '!' || !strstr(line, "\"class\":\"AIS\"")) continue;
        json_t *o = json_loads(line, 0, NULL);
        if (o && out->n < MAXMSG)
            out->v[out->n++] = o;
        else
            json_decref(o);
    }
    fclose(f);
    return 0;
}

/* Runs the CLI; returns 0, or 1 when the CLI says it is not built yet. */
static int run_cli(const char *input, int unscaled, struct msgs *out)
{
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "'%s' decode %s '%s' 2>&1", sw_test_bin(),
             unscaled ? "--unscaled" : "", input);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    static char line[1 << 16];
    int notbuilt = 0;
    while (fgets(line, sizeof line, p)) {
        if (strstr(line, "not built yet")) notbuilt = 1;
        if (line[0] != '{') continue;
        json_t *o = json_loads(line, 0, NULL);
        const char *cls = json_string_value(json_object_get(o, "class"));
        if (o && cls && !strcmp(cls, "AIS") && out->n < MAXMSG)
            out->v[out->n++] = o;
        else
            json_decref(o);
    }
    pclose(p);
    return notbuilt && out->n == 0;
}

static int same_value(json_t *a, json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        return fabs(x - y) <= 1e-9 * fmax(1.0, fabs(x));
    }
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b)) return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same_value(json_array_get(a, i), json_array_get(b, i))) return 0;
        return 1;
    }
    if (json_is_object(a) && json_is_object(b)) {
        if (json_object_size(a) != json_object_size(b)) return 0;
        const char *k;
        json_t *v;
        json_object_foreach(a, k, v)
        {
            json_t *w = json_object_get(b, k);
            if (!w || !same_value(v, w)) return 0;
        }
        return 1;
    }
    return json_equal(a, b);
}

/* Keys gpsd does not have that the CLI adds from the framing layer (NMEA tag blocks,
 * receive times, lenient checksums): not AIS fields, so not compared. */
static int cli_meta(const char *k)
{
    static const char *const meta[] = {"device", "rxtime", "source", "checksum_ok"};
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++)
        if (!strcmp(k, meta[i])) return 1;
    return 0;
}

static int msg_type(json_t *o)
{
    return (int)json_integer_value(json_object_get(o, "type"));
}

static unsigned msg_mmsi(json_t *o)
{
    return (unsigned)json_integer_value(json_object_get(o, "mmsi"));
}

static int same_key(json_t *a, json_t *b)
{
    return msg_type(a) == msg_type(b) && msg_mmsi(a) == msg_mmsi(b);
}

/* Compares one pair; returns the number of fields differing that are not allowed, and adds
 * all differing fields to *fields. */
static int compare_msg(const char *file, json_t *e, json_t *g, int *fields)
{
    int bad = 0;
    const char *k;
    json_t *v;
    json_object_foreach(e, k, v)
    {
        if (cli_meta(k)) continue;
        json_t *w = json_object_get(g, k);
        if (w && same_value(v, w)) continue;
        (*fields)++;
        if (allowed(file, msg_type(e), k, msg_mmsi(e))) continue;
        char *es = json_dumps(v, JSON_ENCODE_ANY), *gs = w ? json_dumps(w, JSON_ENCODE_ANY) : NULL;
        printf("DIFF %s type %d mmsi %u field %s: gpsd %s, ours %s\n", file, msg_type(e),
               msg_mmsi(e), k, es, gs ? gs : "(absent)");
        free(es);
        free(gs);
        bad++;
    }
    json_object_foreach(g, k, v)
    {
        if (cli_meta(k) || json_object_get(e, k)) continue;
        (*fields)++;
        if (allowed(file, msg_type(e), k, msg_mmsi(e))) continue;
        printf("DIFF %s type %d mmsi %u field %s: absent in gpsd\n", file, msg_type(e), msg_mmsi(e),
               k);
        bad++;
    }
    return bad;
}

/* Walks both lists in order, resynchronising on (type, mmsi) when one side has a message the
 * other lacks. Returns the number of disagreements outside the allow-list. */
static int agree_file(const char *input_rel, const char *chk_rel, int unscaled)
{
    SW_NEED_SHARED(input_path, input_rel);
    char input[4096];
    snprintf(input, sizeof input, "%s", input_path);
    SW_NEED_SHARED(chk_path, chk_rel);
    const char *file = strrchr(chk_rel, '/') + 1;

    static struct msgs exp, got;
    exp.n = got.n = 0;
    assert_int_equal(load_expected(chk_path, &exp), 0);
    if (run_cli(input, unscaled, &got)) {
        printf("SKIP: the decode CLI is not built yet\n");
        msgs_free(&exp);
        skip();
    }
    size_t i = 0, j = 0;
    int agree = 0, fields = 0, bad = 0;
    while (i < exp.n || j < got.n) {
        if (i < exp.n && j < got.n && same_key(exp.v[i], got.v[j])) {
            int f0 = fields;
            bad += compare_msg(file, exp.v[i], got.v[j], &fields);
            agree += fields == f0;
            i++, j++;
            continue;
        }
        /* find the nearest resynchronisation point */
        size_t di = 0, dj = 0;
        int found = 0;
        for (size_t d = 1; d < 16 && !found; d++) {
            for (size_t a = 0; a <= d && !found; a++) {
                size_t b = d - a;
                if (i + a < exp.n && j + b < got.n && same_key(exp.v[i + a], got.v[j + b]))
                    di = a, dj = b, found = 1;
            }
        }
        if (!found) di = exp.n - i, dj = got.n - j;
        for (size_t a = 0; a < di; a++, i++) {
            if (!allowed(file, msg_type(exp.v[i]), NULL, msg_mmsi(exp.v[i]))) {
                printf("MISSING %s: type %d mmsi %u\n", file, msg_type(exp.v[i]),
                       msg_mmsi(exp.v[i]));
                bad++;
            }
        }
        for (size_t b = 0; b < dj; b++, j++) {
            printf("EXTRA %s: type %d mmsi %u\n", file, msg_type(got.v[j]), msg_mmsi(got.v[j]));
            bad++;
        }
    }
    printf("AGREE %s: %d/%zu messages, %d fields differ\n", file, agree, exp.n, fields);
    msgs_free(&exp);
    msgs_free(&got);
    return bad;
}

static void test_sample_scaled(void **state)
{
    (void)state;
    assert_int_equal(agree_file(PEER "sample.aivdm", PEER "sample.aivdm.js.chk", 0), 0);
}

static void test_sample_unscaled(void **state)
{
    (void)state;
    assert_int_equal(agree_file(PEER "sample.aivdm", PEER "sample.aivdm.ju.chk", 1), 0);
}

#define DAEMON_TEST(fn, name)                                                                      \
    static void fn(void **state)                                                                   \
    {                                                                                              \
        (void)state;                                                                               \
        assert_int_equal(agree_file(PEER "daemon/" name, PEER "daemon/" name ".chk", 1), 0);       \
    }
DAEMON_TEST(test_daemon_18_27, "ais-18-27.log")
DAEMON_TEST(test_daemon_fid55, "ais-nmea-type6-fid55.log")
DAEMON_TEST(test_daemon_nmea, "ais-nmea.log")
DAEMON_TEST(test_daemon_raw, "ais-raw-messages.log")
DAEMON_TEST(test_daemon_sixbit, "ais_unpack_sixbit.log")

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_scaled), cmocka_unit_test(test_sample_unscaled),
        cmocka_unit_test(test_daemon_18_27),  cmocka_unit_test(test_daemon_fid55),
        cmocka_unit_test(test_daemon_nmea),   cmocka_unit_test(test_daemon_raw),
        cmocka_unit_test(test_daemon_sixbit),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    /* an entry nothing needs any more should be removed (and docs/ais.md updated) */
    for (size_t i = 0; i < NALLOW; i++)
        printf("NOTE: allow-list entry %zu (type %d %s) used %u times%s\n", i, allow_list[i].type,
               allow_list[i].field ? allow_list[i].field : "missing", allow_used[i],
               allow_used[i] ? "" : ": stale, remove it");
    return rc;
}
