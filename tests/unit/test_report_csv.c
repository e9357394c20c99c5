/*
 * events.csv with hostile strings: an AIS vessel name is whatever anyone broadcasts, so a name
 * that a spreadsheet would run as a formula must reach events.csv as text (the one CSV writer,
 * sanctwatch/csvout.h). The report model is built here by hand, as sw_report_build shapes it.
 */
#include "testutil.h"

#include "sanctwatch/cases.h"
#include "sanctwatch/error.h"
#include "sanctwatch/report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The second line (the first row) that writer writes for the model given as JSON text. */
static void check_row(int (*writer)(const json_t *, FILE *), const char *json, const char *want)
{
    json_error_t e;
    json_t *model = json_loads(json, 0, &e);
    assert_non_null(model);
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    assert_non_null(f);
    assert_int_equal(writer(model, f), SW_OK);
    fclose(f);
    const char *row = strchr(out, '\n');
    assert_non_null(row);
    assert_string_equal(row + 1, want);
    free(out);
    json_decref(model);
}

static void hostile_names_in_events_csv(void **state)
{
    check_row(
        sw_report_write_csv,
        "{\"incidents\":[{\"event\":{\"id\":\"ev-1\",\"type\":\"zone_entry\","
        "\"start\":\"2024-03-01T00:00:00Z\",\"end\":\"2024-03-01T01:00:00Z\",\"lat\":39.0,"
        "\"lon\":-124.5,\"vessels\":[{\"mmsi\":445123456,\"name\":\"=HYPERLINK(\\\"http://x\\\","
        "\\\"y\\\")\",\"imo\":\"@SUM(1)\",\"flag\":\"KP\"}],"
        "\"port\":{\"name\":\"+Nampo\",\"country\":\"-KP\"},\"details\":{\"rule\":\"in, out\"},"
        "\"evidence\":{\"leaf\":3,\"sha256\":\"ab\"}}}]}",
        "ev-1,zone_entry,2024-03-01T00:00:00Z,2024-03-01T01:00:00Z,false,"
        "39.000000,-124.500000,445123456,"
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@SUM(1),KP,'+Nampo,'-KP,,"
        "\"in, out\",3,ab\r\n");
}

/* The cap tracker's deliveries.csv writes the tanker's name and port through the same writer
 * (src/cases/csv.c had a copy of its own). */
static void hostile_names_in_deliveries_csv(void **state)
{
    check_row(
        sw_cases_write_deliveries_csv,
        "{\"cap\":{\"deliveries\":[{\"year\":2024,\"time\":\"2024-03-01T00:00:00Z\","
        "\"kind\":\"port_call\",\"mmsi\":445123456,\"imo\":9123456,"
        "\"name\":\"=HYPERLINK(\\\"x\\\")\",\"port\":\"-Nampo, KP\",\"dwt_source\":\"@list\"}]}}",
        "2024,2024-03-01T00:00:00Z,port_call,445123456,9123456,"
        "\"'=HYPERLINK(\"\"x\"\")\",\"'-Nampo, KP\",,'@list,,,,,,,,,,,,\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostile_names_in_events_csv),
        cmocka_unit_test(hostile_names_in_deliveries_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
