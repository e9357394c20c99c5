/* Unit tests for the evaluator: hand-made truth and events with known counts; the incident
 * view, kinds, reception labels and zone transit summaries of SPEC-12. */
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

/* ---- SPEC-12 rules ----------------------------------------------------------------------- */

static const char TRUTH12[] =
    "{\"events\":["
    "{\"id\":\"e1\",\"type\":\"identity_fraud\",\"vessels\":[412000001],"
    "\"start\":\"2024-03-01T06:00:00Z\",\"end\":\"2024-03-01T09:00:00Z\","
    "\"details\":{\"kind\":\"shared_mmsi\"}},"
    "{\"id\":\"e2\",\"type\":\"identity_fraud\",\"vessels\":[412000002],"
    "\"start\":\"2024-03-01T00:00:00Z\",\"end\":\"2024-03-02T00:00:00Z\","
    "\"details\":{\"kind\":\"imo_check_digit\"}},"
    "{\"id\":\"e3\",\"type\":\"ais_gap\",\"vessels\":[412000003],"
    "\"start\":\"2024-03-01T02:00:00Z\",\"end\":\"2024-03-01T16:00:00Z\","
    "\"details\":{\"reception\":\"unknown\"}},"
    "{\"id\":\"e4\",\"type\":\"ais_gap\",\"vessels\":[412000004],"
    "\"start\":\"2024-03-01T02:00:00Z\",\"end\":\"2024-03-01T16:00:00Z\","
    "\"details\":{\"reception\":\"good\"}},"
    "{\"id\":\"e5\",\"type\":\"zone_entry\",\"vessels\":[412000005],\"zone\":\"kp-ts\","
    "\"start\":\"2024-03-01T05:00:00Z\",\"end\":\"2024-03-01T07:00:00Z\","
    "\"details\":{\"kind\":\"entry\"}},"
    "{\"id\":\"e6\",\"type\":\"loitering\",\"vessels\":[412000006],"
    "\"start\":\"2024-03-01T20:00:00Z\",\"end\":\"2024-03-02T03:00:00Z\"}],"
    "\"negatives\":[],"
    "\"zone_transits\":["
    "{\"mmsi\":412000005,\"zone\":\"kp-eez-west\",\"day\":\"2024-03-01\",\"entries\":2},"
    "{\"mmsi\":412000005,\"zone\":\"ecs-sts\",\"day\":\"2024-03-01\",\"entries\":1},"
    "{\"mmsi\":412000007,\"zone\":\"ecs-sts\",\"day\":\"2024-03-02\",\"entries\":1}]}";

static struct sw_eval *run12(const char *const *lines, size_t n)
{
    struct sw_eval *e;
    const char *why;
    assert_int_equal(sw_eval_new(&e, NULL), SW_OK);
    assert_int_equal(sw_eval_truth(e, TRUTH12, strlen(TRUTH12), &why), SW_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(sw_eval_event(e, lines[i], strlen(lines[i]), i + 1), SW_OK);
    assert_int_equal(sw_eval_run(e), SW_OK);
    return e;
}

static const struct sw_eval_result *kres(struct sw_eval *e, const char *name)
{
    for (size_t i = 0; i < sw_eval_nkinds(e); i++)
        if (!strcmp(sw_eval_kind_result(e, i)->type, name)) return sw_eval_kind_result(e, i);
    fail_msg("no kind %s", name);
    return NULL;
}

#define EVX(id, extra, type, vs, s, en, det)                                                       \
    "{\"id\":\"" id "\"" extra ",\"type\":\"" type "\",\"vessels\":[" vs "],\"start\":\"" s        \
    "\",\"end\":" en ",\"details\":{" det "}}"

/* The incident view: the last record of an incident ("completes", else "id") replaces the
 * earlier ones; an incident whose last record is withdrawn is dropped; a withdrawal that a
 * later record overrides is not; records without an id are incidents of their own. */
static void incident_view(void **state)
{
    static const char *const ev[] = {
        /* loitering published ongoing, then completed: one incident, a match */
        EVX("L1", "", "loitering", "412000006", "2024-03-01T20:10:00Z", "null", "\"ongoing\":true"),
        EVX("L1-a", ",\"completes\":\"L1\"", "loitering", "412000006", "2024-03-01T20:10:00Z",
            "\"2024-03-02T02:50:00Z\"", ""),
        /* a gap published ongoing and withdrawn when it ended: dropped, not a false positive */
        EVX("G9", "", "ais_gap", "412000009", "2024-03-01T01:00:00Z", "null", ""),
        EVX("G9-a", ",\"completes\":\"G9\",\"withdrawn\":true", "ais_gap", "412000009",
            "2024-03-01T01:00:00Z", "\"2024-03-01T04:00:00Z\"", "\"reason\":\"short\""),
        /* withdrawn, then completed again by a later run: the last record counts */
        EVX("G3", "", "ais_gap", "412000003", "2024-03-01T02:10:00Z", "null", ""),
        EVX("G3-a", ",\"completes\":\"G3\",\"withdrawn\":true", "ais_gap", "412000003",
            "2024-03-01T02:10:00Z", "null", ""),
        EVX("G3-b", ",\"completes\":\"G3\"", "ais_gap", "412000003", "2024-03-01T02:10:00Z",
            "\"2024-03-01T16:00:00Z\"", "\"reception\":\"unknown\""),
        /* the legacy "supersedes" names the incident as well */
        EVX("G4", "", "ais_gap", "412000004", "2024-03-01T02:00:00Z", "null", ""),
        EVX("G4-r", ",\"supersedes\":\"G4\"", "ais_gap", "412000004", "2024-03-01T02:00:00Z",
            "\"2024-03-01T16:00:00Z\"", "\"reception\":\"good\""),
        /* no id: two incidents, one a match and one a false positive */
        "{\"type\":\"zone_entry\",\"vessels\":[412000005],\"start\":\"2024-03-01T05:00:00Z\","
        "\"end\":\"2024-03-01T05:10:00Z\"}",
        "{\"type\":\"zone_entry\",\"vessels\":[412000005],\"start\":\"2024-03-01T05:20:00Z\","
        "\"end\":\"2024-03-01T05:30:00Z\"}",
    };
    struct sw_eval *e = run12(ev, sizeof ev / sizeof ev[0]);
    struct sw_eval_incidents in;
    sw_eval_incident_counts(e, &in);
    assert_int_equal(in.records, 11);
    assert_int_equal(in.replaced, 5);
    assert_int_equal(in.withdrawn, 1);
    const struct sw_eval_result *r = res(e, "loitering");
    assert_true(r->events == 1 && r->tp == 1 && r->fp == 0);
    r = res(e, "ais_gap");
    assert_true(r->events == 2 && r->tp == 2 && r->fp == 0 && r->fn == 0);
    r = res(e, "zone_entry");
    assert_true(r->events == 2 && r->tp == 1 && r->fp == 1);
    struct sw_buf b;
    sw_buf_init(&b, 0);
    assert_int_equal(sw_eval_report_json(e, &b), SW_OK);
    assert_non_null(
        strstr(b.data, "\"incidents\":{\"records\":11,\"replaced\":5,\"withdrawn\":1}"));
    sw_buf_reset(&b);
    assert_int_equal(sw_eval_report_text(e, &b), SW_OK);
    assert_non_null(strstr(b.data, "incident view: 11 records, 5 replaced by a later record, 1 "
                                   "withdrawn"));
    sw_buf_release(&b);
    sw_eval_free(e);
}

/* Kinds must agree when both sides give one; an event without a kind matches any; the counts
 * per kind follow the truth's kind for truth items and misses, the event's (or its match's)
 * for events. */
static void kinds(void **state)
{
    static const char *const ev[] = {
        /* right vessel and time, wrong kind: no match for e1, a false positive of its kind */
        EVX("A", "", "identity_fraud", "412000001", "2024-03-01T06:30:00Z",
            "\"2024-03-01T08:00:00Z\"", "\"kind\":\"shared_imo\""),
        /* right kind: the match */
        EVX("B", "", "identity_fraud", "412000001", "2024-03-01T06:10:00Z",
            "\"2024-03-01T09:00:00Z\"", "\"kind\":\"shared_mmsi\""),
        /* no kind: matches e2 and counts under its kind */
        EVX("C", "", "identity_fraud", "412000002", "2024-03-01T00:30:00Z",
            "\"2024-03-01T00:30:00Z\"", ""),
        /* zone_entry: kind "slow" against the truth's "entry" is no match */
        EVX("D", "", "zone_entry", "412000005", "2024-03-01T05:00:00Z", "\"2024-03-01T05:40:00Z\"",
            "\"kind\":\"slow\""),
    };
    struct sw_eval *e = run12(ev, sizeof ev / sizeof ev[0]);
    const struct sw_eval_result *r = res(e, "identity_fraud");
    assert_true(r->truth == 2 && r->events == 3 && r->tp == 2 && r->fp == 1 && r->fn == 0);
    r = kres(e, "identity_fraud/shared_mmsi");
    assert_true(r->truth == 1 && r->events == 1 && r->tp == 1 && r->fp == 0);
    r = kres(e, "identity_fraud/shared_imo");
    assert_true(r->truth == 0 && r->events == 1 && r->fp == 1 && isnan(r->recall));
    r = kres(e, "identity_fraud/imo_check_digit");
    assert_true(r->truth == 1 && r->events == 1 && r->tp == 1);
    r = res(e, "zone_entry");
    assert_true(r->tp == 0 && r->fp == 1 && r->fn == 1);
    r = kres(e, "zone_entry/entry");
    assert_true(r->truth == 1 && r->fn == 1 && r->events == 0);
    assert_true(kres(e, "zone_entry/slow")->fp == 1);
    /* sorted by name */
    for (size_t i = 1; i < sw_eval_nkinds(e); i++)
        assert_true(strcmp(sw_eval_kind_result(e, i - 1)->type, sw_eval_kind_result(e, i)->type) <
                    0);
    struct sw_buf b;
    sw_buf_init(&b, 0);
    assert_int_equal(sw_eval_report_json(e, &b), SW_OK);
    assert_non_null(strstr(b.data, "\"kinds\":{\"identity_fraud/imo_check_digit\":{\"events\":1,"));
    sw_buf_reset(&b);
    assert_int_equal(sw_eval_report_text(e, &b), SW_OK);
    assert_non_null(strstr(b.data, "identity_fraud/shared_mmsi"));
    sw_buf_release(&b);
    sw_eval_free(e);
}

/* A gap with the wrong reception label still matches; the disagreement is counted and listed;
 * a gap without a label is counted as unlabelled. */
static void reception(void **state)
{
    static const char *const ev[] = {
        EVX("G3", "", "ais_gap", "412000003", "2024-03-01T02:00:00Z", "\"2024-03-01T16:00:00Z\"",
            "\"reception\":\"good\""),
        EVX("G4", "", "ais_gap", "412000004", "2024-03-01T02:00:00Z", "\"2024-03-01T16:00:00Z\"",
            "\"reception\":\"good\""),
    };
    struct sw_eval *e = run12(ev, 2);
    assert_int_equal(res(e, "ais_gap")->tp, 2);
    struct sw_eval_reception rc;
    sw_eval_reception_counts(e, &rc);
    assert_true(rc.agree == 1 && rc.disagree == 1 && rc.unlabelled == 0);
    struct sw_buf b;
    sw_buf_init(&b, 0);
    assert_int_equal(sw_eval_report_json(e, &b), SW_OK);
    assert_non_null(strstr(b.data, "\"reception\":{\"agree\":1,\"disagree\":1,\"disagreements\":[{"
                                   "\"event\":\"good\",\"line\":1,\"truth\":\"unknown\","
                                   "\"truth_id\":\"e3\"}],\"unlabelled\":0}"));
    sw_buf_reset(&b);
    assert_int_equal(sw_eval_report_text(e, &b), SW_OK);
    assert_non_null(
        strstr(b.data, "line 1: ais_gap 412000003 reception 'good', truth e3 'unknown'"));
    sw_buf_release(&b);
    sw_eval_free(e);
    static const char *const ev2[] = {
        EVX("G3", "", "ais_gap", "412000003", "2024-03-01T02:00:00Z", "\"2024-03-01T16:00:00Z\"",
            ""),
    };
    e = run12(ev2, 1);
    sw_eval_reception_counts(e, &rc);
    assert_true(rc.agree == 0 && rc.disagree == 0 && rc.unlabelled == 1);
    sw_eval_free(e);
}

/* Zone transit summaries are kept out of the zone_entry score and compared per vessel, zone
 * and UTC day (details.day, else the start's date), entries summed over records of one key
 * that are not one incident; "transit" is read as "transits". */
static void transits(void **state)
{
    static const char *const ev[] = {
        /* kp-eez-west on 03-01: 1 + 1 = 2 entries, equal to the truth */
        EVX("T1", "", "zone_entry", "412000005", "2024-03-01T00:00:00Z", "\"2024-03-01T23:59:59Z\"",
            "\"kind\":\"transits\",\"zone\":\"kp-eez-west\",\"entries\":1"),
        EVX("T2", "", "zone_entry", "412000005", "2024-03-01T12:00:00Z", "\"2024-03-01T13:00:00Z\"",
            "\"kind\":\"transit\",\"zone\":\"kp-eez-west\",\"entries\":1"),
        /* ecs-sts on 03-01: updated by a completion record to 3 entries (truth 1) */
        EVX("T3", "", "zone_entry", "412000005", "2024-03-01T00:00:00Z", "null",
            "\"kind\":\"transits\",\"zone\":\"ecs-sts\",\"entries\":1,\"day\":\"2024-03-01\""),
        EVX("T3-a", ",\"completes\":\"T3\"", "zone_entry", "412000005", "2024-03-01T00:00:00Z",
            "\"2024-03-01T23:00:00Z\"",
            "\"kind\":\"transits\",\"zone\":\"ecs-sts\",\"entries\":3,\"day\":\"2024-03-01\""),
        /* a summary the truth does not have */
        EVX("T4", "", "zone_entry", "412000008", "2024-03-02T01:00:00Z", "\"2024-03-02T02:00:00Z\"",
            "\"kind\":\"transits\",\"zone\":\"kp-ts\",\"entries\":1"),
    };
    struct sw_eval *e = run12(ev, sizeof ev / sizeof ev[0]);
    const struct sw_eval_result *r = res(e, "zone_entry");
    assert_true(r->events == 0 && r->fp == 0 && r->truth == 1 && r->fn == 1);
    struct sw_eval_transits t;
    sw_eval_transit_counts(e, &t);
    assert_int_equal(t.truth, 3);
    assert_int_equal(t.events, 3);
    assert_int_equal(t.matched, 2);
    assert_int_equal(t.equal, 1);
    assert_int_equal(t.truth_entries, 4);
    assert_int_equal(t.event_entries, 6);
    struct sw_buf b;
    sw_buf_init(&b, 0);
    assert_int_equal(sw_eval_report_json(e, &b), SW_OK);
    assert_non_null(strstr(b.data, "\"zone_transits\":{\"equal\":1,\"event_entries\":6,"
                                   "\"events\":3,\"matched\":2,\"truth\":3,\"truth_entries\":4}}"));
    sw_buf_release(&b);
    sw_eval_free(e);
    /* a malformed transit list is refused */
    const char *why;
    assert_int_equal(sw_eval_new(&e, NULL), SW_OK);
    const char *bad = "{\"events\":[],\"zone_transits\":[{\"mmsi\":1,\"zone\":\"z\"}]}";
    assert_int_equal(sw_eval_truth(e, bad, strlen(bad), &why), SW_EFORMAT);
    assert_non_null(strstr(why, "zone transit (#1)"));
    sw_eval_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(perfect),   cmocka_unit_test(missing_extra_wrong),
        cmocka_unit_test(bad_truth), cmocka_unit_test(incident_view),
        cmocka_unit_test(kinds),     cmocka_unit_test(reception),
        cmocka_unit_test(transits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
