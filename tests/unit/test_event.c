/*
 * The event contract (sanctwatch/event.h): the incident a record belongs to, withdrawal, and
 * the significance rank of docs/detection.md's table, row by row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sanctwatch/event.h"

#include <jansson.h>

static int rank_of(const char *json)
{
    json_error_t e;
    json_t *ev = json_loads(json, 0, &e);
    assert_non_null(ev);
    int r = sw_event_rank(ev);
    json_decref(ev);
    return r;
}

static void ranks(void **state)
{
    (void)state;
    /* 1: designated vessels at sea, DPRK port calls, dark meetings, a listed IMO misused */
    assert_int_equal(rank_of("{\"type\":\"listed_vessel\",\"details\":{}}"), 1);
    assert_int_equal(
        rank_of("{\"type\":\"listed_vessel\",\"details\":{\"designation\":\"before_sighting\"}}"),
        1);
    assert_int_equal(
        rank_of("{\"type\":\"listed_vessel\",\"details\":{\"designation\":\"unknown\"}}"), 1);
    /* a hull heard before it was designated: context */
    assert_int_equal(
        rank_of("{\"type\":\"listed_vessel\",\"details\":{\"designation\":\"after_sighting\"}}"),
        3);
    assert_int_equal(rank_of("{\"type\":\"port_call\",\"port\":{\"country\":\"KP\"}}"), 1);
    assert_int_equal(rank_of("{\"type\":\"port_call\",\"port\":{\"country\":\"CN\"}}"), 4);
    assert_int_equal(rank_of("{\"type\":\"dark_rendezvous\"}"), 1);
    assert_int_equal(rank_of("{\"type\":\"identity_fraud\",\"details\":{\"kind\":\"shared_imo\"}}"),
                     1);
    assert_int_equal(
        rank_of("{\"type\":\"identity_fraud\",\"details\":{\"kind\":\"listed_identity\"}}"), 1);
    /* 2: transfers, entering DPRK waters, a shared MMSI */
    assert_int_equal(rank_of("{\"type\":\"encounter\"}"), 2);
    assert_int_equal(rank_of("{\"type\":\"zone_entry\",\"details\":{\"kind\":\"entry\"}}"), 2);
    assert_int_equal(rank_of("{\"type\":\"zone_entry\",\"details\":{\"kind\":\"slow\"}}"), 2);
    assert_int_equal(
        rank_of("{\"type\":\"identity_fraud\",\"details\":{\"kind\":\"shared_mmsi\"}}"), 2);
    /* 3 and 4: hiding; a gap nobody could have heard is weaker */
    assert_int_equal(rank_of("{\"type\":\"ais_gap\",\"details\":{\"reception\":\"good\"}}"), 3);
    assert_int_equal(rank_of("{\"type\":\"ais_gap\",\"details\":{\"reception\":\"unknown\"}}"), 4);
    assert_int_equal(rank_of("{\"type\":\"position_spoof\"}"), 3);
    assert_int_equal(rank_of("{\"type\":\"loitering\"}"), 3);
    assert_int_equal(rank_of("{\"type\":\"identity_change\"}"), 3);
    assert_int_equal(
        rank_of("{\"type\":\"identity_fraud\",\"details\":{\"kind\":\"imo_check_digit\"}}"), 4);
    /* 5: transit summaries; anything unknown last */
    assert_int_equal(rank_of("{\"type\":\"zone_entry\",\"details\":{\"kind\":\"transits\"}}"), 5);
    assert_int_equal(rank_of("{\"type\":\"something_new\"}"), SW_RANK_MAX);
    assert_int_equal(rank_of("{}"), SW_RANK_MAX);
}

static void incidents(void **state)
{
    (void)state;
    json_t *a = json_pack("{s:s}", "id", "abc");
    json_t *b = json_pack("{s:s, s:s}", "id", "abc-0123456789ab", "completes", "abc");
    json_t *c = json_pack("{s:s, s:s}", "id", "abc-ffff", "supersedes", "abc");
    json_t *w = json_pack("{s:s, s:b}", "id", "x", "withdrawn", 1);
    assert_string_equal(sw_event_incident(a), "abc");
    assert_string_equal(sw_event_incident(b), "abc");
    assert_string_equal(sw_event_incident(c), "abc");
    assert_false(sw_event_withdrawn(a));
    assert_true(sw_event_withdrawn(w));
    json_decref(a);
    json_decref(b);
    json_decref(c);
    json_decref(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(ranks), cmocka_unit_test(incidents)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
