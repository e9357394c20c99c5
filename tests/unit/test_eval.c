/* Unit tests for the evaluator: hand-made truth and events with known counts. */
#include "testutil.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/eval.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char TRUTH[] =
    "{\"seed\":1,\"events\":["
    "{\"id\":\"t1\",\"type\":\"encounter\",\"vessels\":[412000001,412000002],"
    "\"start\":\"2024-03-01T06:00:00Z\",\"end\":\"2024-03-01T10:00:00Z\",\"lat\":30.9,\"lon\":124."
    "6},"
    "{\"id\":\"t2\",\"type\":\"encounter\",\"vessels\":[412000003,412000004],"
    "\"start\":\"2024-03-02T06:00:00Z\",\"end\":\"2024-03-02T10:00:00Z\"},"
    "{\"id\":\"t3\",\"type\":\"ais_gap\",\"vessels\":[445000001],"
    "\"start\":\"2024-03-01T00:00:00Z\",\"end\":\"2024-03-01T14:00:00Z\"},"
    "{\"id\":\"t4\",\"type\":\"loitering\",\"vessels\":[445000002],"
    "\"start\":\"2024-03-01T00:00:00Z\",\"end\":\"2024-03-01T08:00:00Z\"}],"
    "\"negatives\":[{\"id\":\"n1\",\"kind\":\"anchored_together\",\"vessels\":[413000001,413000002]"
    ","
    "\"start\":\"2024-03-01T00:00:00Z\",\"end\":\"2024-03-01T12:00:00Z\"}]}";

static struct sw_eval *run(const char *const *lines, size_t n, int64_t tol_ms)
{
    struct sw_eval *e;
    struct sw_eval_opts o = {tol_ms};
    const char *why;
    assert_int_equal(sw_eval_new(&e, &o), SW_OK);
    assert_int_equal(sw_eval_truth(e, TRUTH, strlen(TRUTH), &why), SW_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(sw_eval_event(e, lines[i], strlen(lines[i]), i + 1), SW_OK);
    assert_int_equal(sw_eval_run(e), SW_OK);
    return e;
}

static const struct sw_eval_result *res(struct sw_eval *e, const char *type)
{
    for (size_t i = 0; i < sw_eval_ntypes(e); i++)
        if (!strcmp(sw_eval_result(e, i)->type, type)) return sw_eval_result(e, i);
    fail_msg("no type %s", type);
    return NULL;
}

#define EV(type, vs, s, en)                                                                        \
    "{\"type\":\"" type "\",\"vessels\":[" vs "],\"start\":\"" s "\",\"end\":" en "}"

static void perfect(void **state)
{
    static const char *const ev[] = {
        EV("encounter", "{\"mmsi\":412000002},{\"mmsi\":412000001}", "2024-03-01T06:20:00Z",
           "\"2024-03-01T09:50:00Z\""),
        EV("encounter", "{\"mmsi\":412000003},{\"mmsi\":412000004}", "2024-03-02T05:30:00Z",
           "\"2024-03-02T10:00:00Z\""),
        EV("ais_gap", "{\"mmsi\":445000001}", "2024-03-01T00:00:00Z", "\"2024-03-01T14:00:00Z\""),
        EV("loitering", "{\"mmsi\":445000002}", "2024-03-01T03:00:00Z", "null"),
    };
    struct sw_eval *e = run(ev, 4, 3600000);
    const struct sw_eval_result *r = res(e, "encounter");
    assert_int_equal(r->truth, 2);
    assert_int_equal(r->tp, 2);
    assert_int_equal(r->fp, 0);
    assert_true(r->precision == 1.0 && r->recall == 1.0);
    assert_int_equal(res(e, "ais_gap")->tp, 1);
    assert_int_equal(res(e, "loitering")->tp, 1); /* open-ended event */
    assert_true(isnan(res(e, "port_call")->recall));
    assert_int_equal(sw_eval_nneg_hits(e), 0);
    assert_int_equal(sw_eval_ntypes(e), 10);
    struct sw_buf b;
    sw_buf_init(&b, 0);
    assert_int_equal(sw_eval_report_json(e, &b), SW_OK);
    assert_non_null(strstr(b.data,
                           "\"encounter\":{\"events\":2,\"fn\":0,\"fp\":0,\"on_negative\":0,"
                           "\"precision\":1.0000,\"recall\":1.0000,\"tp\":2,\"truth\":2}"));
    sw_buf_release(&b);
    sw_eval_free(e);
}

static void missing_extra_wrong(void **state)
{
    static const char *const ev[] = {
        /* wrong vessel for t1 */
        EV("encounter", "412000001,412000009", "2024-03-01T06:00:00Z", "\"2024-03-01T10:00:00Z\""),
        /* t2 twice: one TP, one FP (one-to-one) */
        EV("encounter", "412000003,412000004", "2024-03-02T06:00:00Z", "\"2024-03-02T10:00:00Z\""),
        EV("encounter", "412000003,412000004", "2024-03-02T07:00:00Z", "\"2024-03-02T08:00:00Z\""),
        /* right vessel, too late for t3 (past the 1 h tolerance) */
        EV("ais_gap", "445000001", "2024-03-01T15:01:00Z", "\"2024-03-01T20:00:00Z\""),
        /* on the hard negative */
        EV("encounter", "413000001,413000002", "2024-03-01T02:00:00Z", "\"2024-03-01T05:00:00Z\""),
        /* a type the truth does not have */
        EV("zone_entry", "445000003", "2024-03-01T02:00:00Z", "\"2024-03-01T02:00:00Z\""),
        "not json",
        "{\"type\":\"encounter\"}",
        "",
    };
    struct sw_eval *e = run(ev, sizeof ev / sizeof ev[0], 3600000);
    const struct sw_eval_result *r = res(e, "encounter");
    assert_int_equal(r->truth, 2);
    assert_int_equal(r->events, 4);
    assert_int_equal(r->tp, 1);
    assert_int_equal(r->fp, 3);
    assert_int_equal(r->fn, 1);
    assert_int_equal(r->on_negative, 1);
    assert_true(fabs(r->precision - 0.25) < 1e-12 && fabs(r->recall - 0.5) < 1e-12);
    r = res(e, "ais_gap");
    assert_int_equal(r->tp, 0);
    assert_int_equal(r->fn, 1);
    assert_int_equal(r->fp, 1);
    r = res(e, "loitering");
    assert_int_equal(r->fn, 1);
    assert_true(r->recall == 0.0 && isnan(r->precision));
    assert_int_equal(res(e, "zone_entry")->fp, 1);
    assert_int_equal(sw_eval_malformed(e), 2);
    assert_int_equal(sw_eval_nneg_hits(e), 1);
    const struct sw_eval_item *hit, *neg;
    sw_eval_neg_hit(e, 0, &hit, &neg);
    assert_int_equal(hit->line, 5);
    assert_string_equal(neg->id, "n1");
    assert_string_equal(neg->type, "anchored_together");
    struct sw_buf b;
    sw_buf_init(&b, 0);
    assert_int_equal(sw_eval_report_text(e, &b), SW_OK);
    assert_non_null(strstr(b.data, "line 5: encounter 413000001"));
    sw_buf_release(&b);
    sw_eval_free(e);
    /* a wider tolerance (2 h) accepts the late gap */
    e = run(ev, sizeof ev / sizeof ev[0], 7200000);
    assert_int_equal(res(e, "ais_gap")->tp, 1);
    sw_eval_free(e);
}

static void bad_truth(void **state)
{
    struct sw_eval *e;
    const char *why;
    assert_int_equal(sw_eval_new(&e, NULL), SW_OK);
    assert_int_equal(sw_eval_truth(e, "[]", 2, &why), SW_EFORMAT);
    const char *t = "{\"events\":[{\"type\":\"encounter\",\"vessels\":[],"
                    "\"start\":\"2024-03-01T00:00:00Z\",\"end\":\"2024-03-01T00:00:00Z\"}]}";
    assert_int_equal(sw_eval_truth(e, t, strlen(t), &why), SW_EFORMAT);
    assert_non_null(strstr(why, "truth event (#1)"));
    sw_eval_free(e);
    /* regression: an object whose number is out of range was refused as "not a JSON object";
     * the reason now says it is not JSON and where */
    assert_int_equal(sw_eval_new(&e, NULL), SW_OK);
    t = "{\"events\":[{\"vessels\":[18446744073709551616]}]}";
    assert_int_equal(sw_eval_truth(e, t, strlen(t), &why), SW_EFORMAT);
    assert_non_null(strstr(why, "not JSON"));
    assert_non_null(strstr(why, "column"));
    assert_int_equal(sw_eval_truth(e, "[]", 2, &why), SW_EFORMAT);
    assert_string_equal(why, "not a JSON object");
    sw_eval_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(perfect),
        cmocka_unit_test(missing_extra_wrong),
        cmocka_unit_test(bad_truth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
