/* Unit tests for the CSV readers: MarineCadastre (both headers) and Danish aisdk rows. */
#include "testutil.h"

#include "sanctwatch/error.h"
#include "sanctwatch/ingest.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *MC_HDR = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,"
                            "VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass";
static const char *DK_HDR =
    "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,"
    "Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing "
    "device,Draught,Destination,ETA,Data source type,A,B,C,D";

static int64_t t_of(const char *iso)
{
    int64_t ms = 0;
    assert_int_equal(sw_time_parse(iso, strlen(iso), &ms), SW_OK);
    return ms;
}

static int row(const struct sw_csv *c, const char *line, struct sw_record *r, int *pf)
{
    return sw_csv_row(c, line, strlen(line), r, pf);
}

static void marinecadastre_row(void **state)
{
    struct sw_csv c;
    struct sw_record r;
    int pf;
    assert_int_equal(sw_csv_detect(&c, MC_HDR, strlen(MC_HDR)), SW_OK);
    assert_int_equal(c.format, SW_CSV_MARINECADASTRE);
    assert_int_equal(row(&c,
                         "367379190,2022-01-03T00:00:00,30.3706,-88.56408,0,336.2,511,EAGLE,"
                         "IMO8207721,WTD4583,31,0,28,11,3.3,52,A",
                         &r, &pf),
                     SW_OK);
    assert_int_equal(pf, 0);
    assert_int_equal(r.mmsi, 367379190);
    assert_true(r.t_ms == t_of("2022-01-03T00:00:00Z"));
    assert_true(fabs(r.lat - 30.3706) < 1e-9 && fabs(r.lon + 88.56408) < 1e-9);
    assert_true(r.fields & SW_F_SOG);
    assert_true(r.sog == 0.0f);
    assert_true(fabs(r.cog - 336.2) < 1e-4);
    assert_false(r.fields & SW_F_HEADING); /* 511: not available */
    assert_string_equal(r.name, "EAGLE");
    assert_int_equal(r.imo, 8207721);
    assert_string_equal(r.callsign, "WTD4583");
    assert_int_equal(r.ship_type, 31);
    assert_int_equal(r.nav_status, 0);
    assert_int_equal(r.length_m, 28);
    assert_int_equal(r.beam_m, 11);
    assert_true(fabs(r.draught - 3.3) < 1e-5);
    assert_int_equal(r.cls, 'A');
    assert_int_equal(r.kind, SW_REC_VESSEL);
    /* Empty fields stay unknown; IMO0000000 is no IMO. */
    assert_int_equal(row(&c,
                         "338148873,2022-01-03T00:00:00,33.60716,-117.91483,0,280,511,"
                         "CAZADOR,IMO0000000,,37,,14,,,,B",
                         &r, &pf),
                     SW_OK);
    assert_false(r.fields & (SW_F_IMO | SW_F_CALLSIGN | SW_F_DIMS | SW_F_STATUS));
    assert_int_equal(r.cls, 'B');
    /* Bad rows. */
    assert_int_equal(row(&c, "0,2022-01-03T00:00:00,1,1,0,0,0,X,,,,,,,,,A", &r, &pf), SW_ERANGE);
    assert_int_equal(row(&c, "1072211352,2022-01-03T00:00:00,1,1,0,0,0,X,,,,,,,,,A", &r, &pf),
                     SW_ERANGE);
    assert_int_equal(row(&c, "367379190,yesterday,1,1,0,0,0,X,,,,,,,,,A", &r, &pf), SW_EFORMAT);
    assert_int_equal(row(&c, "abc,2022-01-03T00:00:00,1,1", &r, &pf), SW_EFORMAT);
    assert_int_equal(row(&c, "367379190,2022-01-03T00:00:00,91,181,0,0,0,X,,,,,,,,,A", &r, &pf),
                     SW_OK);
    assert_int_equal(pf, 1);
    assert_false(r.fields & SW_F_POS);
    assert_int_equal(row(&c, "367379190,2022-01-03T00:00:00,95.5,10,0,0,0,X,,,,,,,,,A", &r, &pf),
                     SW_OK);
    assert_int_equal(pf, 2);
    /* Same content, same key; another time, another key. */
    struct sw_record a, b;
    const char *l1 =
        "367379190,2022-01-03T00:00:00,30.3706,-88.56408,0,336.2,511,E,,,31,0,28,11,,,A";
    const char *l2 =
        "367379190,2022-01-03T00:00:01,30.3706,-88.56408,0,336.2,511,E,,,31,0,28,11,,,A";
    row(&c, l1, &a, &pf);
    row(&c, l1, &b, &pf);
    assert_true(a.key == b.key);
    row(&c, l2, &b, &pf);
    assert_true(a.key != b.key);
}

static void marinecadastre_2024_header(void **state)
{
    struct sw_csv c;
    struct sw_record r;
    int pf;
    const char *h = "mmsi,base_date_time,longitude,latitude,sog,cog,heading,vessel_name,imo,"
                    "call_sign,vessel_type,status,length,width,draft,cargo,transceiver";
    assert_int_equal(sw_csv_detect(&c, h, strlen(h)), SW_OK);
    assert_int_equal(c.format, SW_CSV_MARINECADASTRE);
    assert_int_equal(row(&c,
                         "412345678,2024-03-01 06:20:00,124.6,30.9,0.4,10,20,HAI XING,"
                         "IMO9123456,BXYZ,70,1,120,20,6.1,70,A",
                         &r, &pf),
                     SW_OK);
    assert_true(fabs(r.lat - 30.9) < 1e-9 && fabs(r.lon - 124.6) < 1e-9);
    assert_int_equal(r.imo, 9123456);
    assert_true(r.t_ms == t_of("2024-03-01T06:20:00Z"));
}

static void aisdk_rows(void **state)
{
    struct sw_csv c;
    struct sw_record r;
    int pf;
    assert_int_equal(sw_csv_detect(&c, DK_HDR, strlen(DK_HDR)), SW_OK);
    assert_int_equal(c.format, SW_CSV_AISDK);
    assert_int_equal(row(&c,
                         "01/06/2023 13:45:07,Class A,219000123,55.123456,12.654321,Under way "
                         "using engine,0.0,12.3,45.6,44,Unknown,OXAB2,NORDIC STAR,Cargo,,20,"
                         "120,GPS,7.5,AARHUS,01/06/2023 18:00:00,AIS,100,20,10,10",
                         &r, &pf),
                     SW_OK);
    assert_true(r.t_ms == t_of("2023-06-01T13:45:07Z"));
    assert_int_equal(r.cls, 'A');
    assert_int_equal(r.nav_status, 0);
    assert_true(fabs(r.sog - 12.3) < 1e-5 && fabs(r.cog - 45.6) < 1e-4);
    assert_int_equal(r.heading, 44);
    assert_false(r.fields & SW_F_IMO);
    assert_string_equal(r.callsign, "OXAB2");
    assert_string_equal(r.name, "NORDIC STAR");
    assert_int_equal(r.ship_type, 70);
    assert_int_equal(r.length_m, 120);
    assert_int_equal(r.beam_m, 20);
    assert_string_equal(r.dest, "AARHUS");
    assert_int_equal(row(&c,
                         "01/06/2023 13:45:07,Base Station,2190047,55.1,12.6,Unknown value,,,,,"
                         "Unknown,Unknown,,Undefined,,,,GPS,,Unknown,,AIS,,,,",
                         &r, &pf),
                     SW_OK);
    assert_int_equal(r.kind, SW_REC_BASE);
    assert_int_equal(row(&c,
                         "01/06/2023 13:45:07,Class B,219000124,55.1,12.6,Moored,,0,,,"
                         "9074729,,,Fishing,,,,GPS,,,,AIS,5,7,2,3",
                         &r, &pf),
                     SW_OK);
    assert_int_equal(r.cls, 'B');
    assert_int_equal(r.nav_status, 5);
    assert_int_equal(r.imo, 9074729);
    assert_int_equal(r.ship_type, 30);
    assert_int_equal(r.length_m, 12); /* A + B */
    assert_int_equal(r.beam_m, 5);    /* C + D */
    assert_int_equal(
        row(&c, "31/13/2023 13:45:07,Class A,219000123,55,12,,,,,,,,,,,,,,,,,,,,,", &r, &pf),
        SW_EFORMAT);
}

static void not_csv(void **state)
{
    struct sw_csv c;
    const char *l = "!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C";
    assert_int_equal(sw_csv_detect(&c, l, strlen(l)), SW_EFORMAT);
    assert_int_equal(c.format, SW_CSV_NONE);
    assert_int_equal(sw_csv_detect(&c, "", 0), SW_EFORMAT);
    /* Too many columns. */
    char big[400];
    memset(big, ',', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(sw_csv_detect(&c, big, strlen(big)), SW_EFORMAT);
}

/* Every row of the real MarineCadastre extract reads; the MMSI-out-of-range rows (ten digits)
 * are the only failures, counted independently here by their length. */
static void marinecadastre_real(void **state)
{
    SW_NEED_SHARED(path, "data/ais/real/marinecadastre-via-VesselSummaryAIS/"
                         "AIS_2022_01_03_first99999.csv");
    struct sw_lines *in;
    struct sw_csv c;
    struct sw_record r;
    const char *line;
    size_t len;
    int pf;
    unsigned long ok = 0, range = 0, other = 0, longmmsi = 0, rows = 0;
    assert_int_equal(sw_lines_open(&in, path, 0), SW_OK);
    assert_int_equal(sw_lines_next(in, &line, &len), SW_OK);
    assert_int_equal(sw_csv_detect(&c, line, len), SW_OK);
    while (sw_lines_next(in, &line, &len) == SW_OK) {
        rows++;
        const char *comma = memchr(line, ',', len);
        if (comma && comma - line > 9) longmmsi++;
        int rc = sw_csv_row(&c, line, len, &r, &pf);
        if (rc == SW_OK)
            ok++;
        else if (rc == SW_ERANGE)
            range++;
        else
            other++;
    }
    sw_lines_free(in);
    assert_int_equal(rows, 99999);
    assert_int_equal(range, longmmsi);
    assert_int_equal(other, 0);
    assert_int_equal(ok + range, rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(marinecadastre_row),  cmocka_unit_test(marinecadastre_2024_header),
        cmocka_unit_test(aisdk_rows),          cmocka_unit_test(not_csv),
        cmocka_unit_test(marinecadastre_real),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
