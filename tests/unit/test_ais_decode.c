/*
 * Unit tests of the AIS payload decoder and its gpsd-style JSON: known payloads per type
 * (vectors and expected values from gpsd's regression files sample.aivdm*.chk), type 24
 * pairing, fill bits, truncated and over-long payloads, characters outside the alphabet,
 * and every prefix of every vector (for the sanitizer build: no read out of bounds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanctwatch/ais.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "testutil.h"

static struct sw_ais m;

static void decode_ok(const char *payload, int fill)
{
    int rc = sw_ais_decode(payload, strlen(payload), fill, &m);
    if (rc) printf("decode '%s': %s\n", payload, sw_err_name(rc));
    assert_int_equal(rc, SW_OK);
}

/* JSON fields of m compared with gpsd's line (without its "class"/"device" prefix). */
static void json_is(int scaled, const char *expect)
{
    struct sw_buf b;
    sw_buf_init(&b, 0);
    assert_int_equal(sw_ais_json_fields(&m, scaled, &b), SW_OK);
    if (strcmp(b.data, expect)) printf("ours: %s\ngpsd: %s\n", b.data, expect);
    assert_string_equal(b.data, expect);
    sw_buf_release(&b);
}

static void test_type1(void **state)
{
    (void)state;
    decode_ok("15RTgt0PAso;90TKcjM8h6g208CQ", 0);
    assert_int_equal(m.type, 1);
    assert_int_equal(m.mmsi, 371798000);
    assert_int_equal(m.u.t1.turn, -127);
    assert_int_equal(m.u.t1.speed, 123);
    assert_int_equal(m.u.t1.lon, -74037230);
    assert_int_equal(m.u.t1.lat, 29028980);
    assert_int_equal(m.u.t1.course, 2240);
    assert_int_equal(m.u.t1.heading, 215);
    assert_int_equal(m.u.t1.second, 33);
    assert_int_equal(m.u.t1.radio, 34017);
    json_is(1, "\"type\":1,\"repeat\":0,\"mmsi\":371798000,\"scaled\":true,\"status\":0,"
               "\"status_text\":\"Under way using engine\",\"turn\":\"fastleft\",\"speed\":12.3,"
               "\"accuracy\":true,\"lon\":-123.3953833,\"lat\":48.3816333,\"course\":224.0,"
               "\"heading\":215,\"second\":33,\"maneuver\":0,\"raim\":false,\"radio\":34017");
    json_is(0, "\"type\":1,\"repeat\":0,\"mmsi\":371798000,\"scaled\":false,\"status\":0,"
               "\"status_text\":\"Under way using engine\",\"turn\":-127,\"speed\":123,"
               "\"accuracy\":true,\"lon\":-74037230,\"lat\":29028980,\"course\":2240,"
               "\"heading\":215,\"second\":33,\"maneuver\":0,\"raim\":false,\"radio\":34017");
    /* type 3, rate of turn 0 */
    decode_ok("38Id705000rRVJhE7cl9n;160000", 0);
    json_is(1, "\"type\":3,\"repeat\":0,\"mmsi\":563808000,\"scaled\":true,\"status\":5,"
               "\"status_text\":\"Moored\",\"turn\":\"0.00\",\"speed\":0.0,\"accuracy\":true,"
               "\"lon\":-76.3275333,\"lat\":36.9100000,\"course\":252.0,\"heading\":352,"
               "\"second\":35,\"maneuver\":0,\"raim\":false,\"radio\":0");
}

static void test_scaled_not_available(void **state)
{
    (void)state;
    struct sw_buf b;
    sw_buf_init(&b, 0);
    decode_ok("15RTgt0PAso;90TKcjM8h6g208CQ", 0);
    m.u.t1.speed = SW_AIS_SPEED_NA;
    assert_int_equal(sw_ais_json_fields(&m, 1, &b), SW_OK);
    assert_non_null(strstr(b.data, ",\"speed\":\"nan\","));
    sw_buf_reset(&b);
    m.u.t1.speed = SW_AIS_SPEED_NA - 1;
    assert_int_equal(sw_ais_json_fields(&m, 1, &b), SW_OK);
    assert_non_null(strstr(b.data, ",\"speed\":\"fast\","));
    sw_buf_reset(&b);
    assert_int_equal(sw_ais_json_fields(&m, 0, &b), SW_OK);
    assert_non_null(strstr(b.data, ",\"speed\":1022,"));
    sw_buf_release(&b);
}

/* Every rate of turn prints as gpsd prints it: "%.2f" of the signed square of turn / 4.733
 * (the JSON writer keeps these in a table; this catches a stale table). Also lon/lat and
 * speed/course, formatted in integer arithmetic, against printf of the double. */
static void test_scaled_formats_match_printf(void **state)
{
    (void)state;
    struct sw_buf b;
    sw_buf_init(&b, 0);
    decode_ok("15RTgt0PAso;90TKcjM8h6g208CQ", 0);
    for (int t = -126; t <= 126; t++) {
        double r = t / 4.733;
        r = r * r;
        char want[64];
        snprintf(want, sizeof want, ",\"turn\":\"%.2f\",", t < 0 ? -r : r);
        m.u.t1.turn = t;
        sw_buf_reset(&b);
        assert_int_equal(sw_ais_json_fields(&m, 1, &b), SW_OK);
        if (!strstr(b.data, want)) printf("turn %d: want %s in %s\n", t, want, b.data);
        assert_non_null(strstr(b.data, want));
    }
    static const int32_t lons[] = {-108000000, -107999999, -1,       1,         5,
                                   599999,     600001,     74037230, 108000000, 108600000};
    for (size_t i = 0; i < sizeof lons / sizeof lons[0]; i++) {
        char want[64];
        m.u.t1.lon = lons[i];
        m.u.t1.speed = (uint16_t)(i * 97 % 1023);
        sw_buf_reset(&b);
        assert_int_equal(sw_ais_json_fields(&m, 1, &b), SW_OK);
        snprintf(want, sizeof want, ",\"lon\":%.7f,", lons[i] / 600000.0);
        assert_non_null(strstr(b.data, want));
        snprintf(want, sizeof want, ",\"speed\":%.1f,", m.u.t1.speed / 10.0);
        assert_non_null(strstr(b.data, want));
    }
    sw_buf_release(&b);
}

static void test_fill_bits_short_type1(void **state)
{
    (void)state;
    /* the same payload with 5 fill bits is 163 bits long: gpsd keeps it, radio cut short */
    decode_ok("13aIkM@P00PJ@qPNL=e@0?wJ28JO", 0);
    assert_int_equal(m.u.t1.radio, 34463);
    decode_ok("13aIkM@P00PJ@qPNL=e@0?wJ28JO", 5);
    assert_int_equal(m.u.t1.radio, 1076);
    assert_int_equal(m.mmsi, 244740981);
}

static void test_type4_and_5(void **state)
{
    (void)state;
    decode_ok("403OviQuMGCqWrRO9>E6fE700@GO", 0);
    assert_int_equal(m.u.t4.year, 2007);
    assert_int_equal(m.u.t4.month, 5);
    assert_int_equal(m.u.t4.day, 14);
    assert_int_equal(m.u.t4.epfd, 7);
    json_is(1, "\"type\":4,\"repeat\":0,\"mmsi\":3669702,\"scaled\":true,"
               "\"timestamp\":\"2007-05-14T19:57:39Z\",\"accuracy\":true,\"lon\":-76.3523617,"
               "\"lat\":36.8837667,\"epfd\":7,\"epfd_text\":\"Surveyed\",\"raim\":false,"
               "\"radio\":67039");
    /* two-sentence type 5, reassembled payload, 2 fill bits */
    decode_ok("55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp888888888880", 2);
    assert_int_equal(m.type, 5);
    assert_int_equal(m.u.t5.imo, 9134270);
    assert_string_equal(m.u.t5.callsign, "3FOF8");
    assert_string_equal(m.u.t5.shipname, "EVER DIADEM");
    assert_string_equal(m.u.t5.destination, "NEW YORK");
    assert_int_equal(m.u.t5.draught, 122);
    assert_int_equal(m.u.t5.to_bow, 225);
    json_is(1, "\"type\":5,\"repeat\":0,\"mmsi\":351759000,\"scaled\":true,\"imo\":9134270,"
               "\"ais_version\":0,\"callsign\":\"3FOF8\",\"shipname\":\"EVER DIADEM\","
               "\"shiptype\":70,\"shiptype_text\":\"Cargo - all ships of this type\","
               "\"to_bow\":225,\"to_stern\":70,\"to_port\":1,\"to_starboard\":31,\"epfd\":1,"
               "\"epfd_text\":\"GPS\",\"eta\":\"05-15T14:00Z\",\"draught\":12.2,"
               "\"destination\":\"NEW YORK\",\"dte\":0");
}

static void test_binary_and_apps(void **state)
{
    (void)state;
    /* type 6, DAC 669: raw bits */
    decode_ok("6B?n;be:cbapalgc;i6?Ow4", 2);
    assert_int_equal(m.u.t6.app, SW_AIS_APP_NONE);
    assert_int_equal(m.u.t6.bitcount, 48);
    json_is(1, "\"type\":6,\"repeat\":1,\"mmsi\":150834090,\"scaled\":true,\"seqno\":3,"
               "\"dest_mmsi\":313240222,\"retransmit\":false,\"dac\":669,\"fid\":11,"
               "\"data\":\"48:eb2f118f7ff1\"");
    /* type 6, DAC 235 FID 10: AtoN monitoring */
    decode_ok("6>jR0600V:C0>da4P106P00", 2);
    assert_int_equal(m.u.t6.app, SW_AIS_APP_6_235_10);
    assert_int_equal(m.u.t6.data.aton_mon.ana_int, 274);
    json_is(1,
            "\"type\":6,\"repeat\":0,\"mmsi\":992509976,\"scaled\":true,\"seqno\":0,"
            "\"dest_mmsi\":2500912,\"retransmit\":false,\"dac\":235,\"fid\":10,"
            "\"off_pos\":false,\"alarm\":false,\"stat_ext\":0,\"ana_int\":13.70,"
            "\"ana_ext1\":0.05,\"ana_ext2\":0.05,\"racon\":2,\"racon_text\":\"RACON operational\","
            "\"light\":2,\"light_text\":\"Light OFF\"");
    /* type 8, DAC 1 FID 11: IMO 236 met/hydro */
    decode_ok("8@2<HW@0BkdhF0dcH59=RiRRDqnJ7wfRwwwwwwwwwwwwwwwwwwwwwwwwwt0", 2);
    assert_int_equal(m.u.t8.app, SW_AIS_APP_8_1_11);
    assert_int_equal(m.u.t8.data.met.wspeed, 11);
    assert_int_equal(m.u.t8.data.met.pressure, 232);
    /* ... cut short: gpsd still decodes it, the missing fields read as zero */
    assert_int_equal(
        sw_ais_decode("8@2<HW@0BkdhF0dcH59=RiRRDqnJ7wfRwwwwwwwwwwwwwwwwwwwwwwwwwt0", 57, 0, &m),
        SW_OK);
    assert_int_equal(m.u.t8.app, SW_AIS_APP_8_1_11);
    assert_int_equal(m.u.t8.data.met.wspeed, 11);
    assert_int_equal(m.u.t8.data.met.ice, 0);
    /* 6/1/14 tidal window: one entry per block started from bit 97 (gpsd's count) */
    {
        static const char tw[] = "6h2E:81>NmKC04p0J<000?vv20Ru";
        decode_ok(tw, 0); /* 168 bits: one entry */
        assert_int_equal(m.u.t6.app, SW_AIS_APP_6_1_14);
        assert_int_equal(m.u.t6.data.tidal_window.ntidals, 1);
        assert_int_equal(m.u.t6.data.tidal_window.tidals[0].lon, 16760328);
        assert_int_equal(m.u.t6.data.tidal_window.tidals[0].lat, -24379392);
    }
    /* 8/200/24 inland water levels (vector checked against gpsdecode 3.22) */
    decode_ok("80003r0j65QVC>icO<N;M4demKEM", 0);
    assert_int_equal(m.u.t8.app, SW_AIS_APP_8_200_24);
    json_is(0, "\"type\":8,\"repeat\":0,\"mmsi\":1000,\"scaled\":false,\"dac\":200,\"fid\":24,"
               "\"country\":\"VF\",\"gauges\":[{\"id\":806,\"level\":7565},{\"id\":892,"
               "\"level\":-3614},{\"id\":1768,\"level\":-6762},{\"id\":1878,\"level\":-2723}]");
    /* 8/1/27 route information (vector checked against gpsdecode 3.22) */
    decode_ok("8000CR@0Fh58C8DH0vP@0?4P09vw7wwwvwwwwj", 1);
    assert_int_equal(m.u.t8.app, SW_AIS_APP_8_1_27);
    assert_int_equal(m.u.t8.data.route.nwaypoints, 2);
    json_is(1, "\"type\":8,\"repeat\":0,\"mmsi\":5001,\"scaled\":true,\"dac\":1,\"fid\":27,"
               "\"linkage\":5,\"sender\":1,\"rtype\":1,\"rtype_text\":\"Mandatory\","
               "\"start\":\"03-04T05:06Z\",\"duration\":1000,\"waypoints\":[{\"lon\":0.205760,"
               "\"lat\":1.090535},{\"lon\":-0.000008,\"lat\":-0.000012}]");
    /* 6/1/25 dangerous cargo (vector checked against gpsdecode 3.22) */
    decode_ok("6000OiPMKkAD05VID1u0Sr@", 4);
    assert_int_equal(m.u.t6.app, SW_AIS_APP_6_1_25);
    json_is(0, "\"type\":6,\"repeat\":0,\"mmsi\":8134,\"scaled\":false,\"seqno\":0,"
               "\"dest_mmsi\":123456789,\"retransmit\":false,\"dac\":1,\"fid\":25,\"unit\":2,"
               "\"amount\":405,\"cargos\":[{\"code\":0,\"subtype\":1000},{\"code\":1,"
               "\"subtype\":1001}]");
    /* 8/1/13 fairway closed (vector checked against gpsdecode 3.22) */
    decode_ok("8000SS00CB@iH80000000000000000UCnH<@00000000000000UCnH<`00000000000005IUfnmT>j0", 2);
    assert_int_equal(m.u.t8.app, SW_AIS_APP_8_1_13);
    json_is(1, "\"type\":8,\"repeat\":0,\"mmsi\":9100,\"scaled\":true,\"dac\":1,\"fid\":13,"
               "\"reason\":\"ICE\",\"closefrom\":\"BUOY 1\",\"closeto\":\"BUOY 2\","
               "\"radius\":345,\"extunit\":2,\"from\":\"07-11T13:45\",\"to\":\"08-12T14:50\"");
    /* type 8, DAC 200 FID 10 of the wrong length: gpsd shows it raw */
    decode_ok("802`m000BkGTp0b<j59?000000000000000Op0000000000<0000000@000", 2);
    assert_int_equal(m.type, 8);
}

static void test_class_b_and_others(void **state)
{
    (void)state;
    decode_ok("B52K>;h00Fc>jpUlNV@ikwpUoP06", 0);
    assert_int_equal(m.type, 18);
    assert_int_equal(m.mmsi, 338087471);
    assert_int_equal(m.u.t18.speed, 1);
    assert_int_equal(m.u.t18.radio, 917510);
    /* type 27, long range */
    decode_ok("KC5E2b@U19PFdLbL", 0);
    assert_int_equal(m.type, 27);
    assert_int_equal(m.mmsi, 206914217);
    assert_int_equal(m.u.t27.status, 2);
    assert_int_equal(m.u.t27.lon, 82214);
    json_is(1, "\"type\":27,\"repeat\":1,\"mmsi\":206914217,\"scaled\":true,\"status\":2,"
               "\"status_text\":\"Not under command\",\"accuracy\":false,\"lon\":137.0233,"
               "\"lat\":4.8400,\"speed\":57,\"course\":167,\"raim\":false,\"gnss\":false");
    json_is(0, "\"type\":27,\"repeat\":1,\"mmsi\":206914217,\"scaled\":false,\"status\":2,"
               "\"accuracy\":false,\"lon\":82214,\"lat\":2904,\"speed\":57,\"course\":167,"
               "\"raim\":false,\"gnss\":false");
    /* type 21: a name filling its 20 characters takes the extension after them untrimmed */
    decode_ok("E>m>80N1G@7QRPW4Ph;a2QUh@@@3d3fn0IlnQT<S;;wP19P", 2);
    assert_int_equal(m.type, 21);
    assert_string_equal(m.u.t21.name, "B. OCEANIA WRECK    &");
    /* type 12 text */
    decode_ok("<02:oP0kKcv0@<51C5PB5@?BDPD?P:?2?EB7PDB16693P381>>5<PikP", 0);
    assert_int_equal(m.type, 12);
    assert_string_equal(m.u.t12.text, "PLEASE REPORT TO JOBOURG TRAFFIC CHANNEL 13");
}

static void test_type24_session(void **state)
{
    (void)state;
    struct sw_ais_session s;
    sw_ais_session_init(&s);
    const char *a = "H42O55i18tMET00000000000000", *b = "H42O55lti4hhhilD3nink000?050";
    /* stateless: two separate parts */
    decode_ok(a, 2);
    assert_int_equal(m.u.t24.part, SW_AIS_PART_A);
    assert_string_equal(m.u.t24.shipname, "PROGUY");
    decode_ok(b, 0);
    assert_int_equal(m.u.t24.part, SW_AIS_PART_B);
    assert_string_equal(m.u.t24.callsign, "TC6163");
    /* session: B alone gives nothing, A then B gives the merged report once */
    assert_int_equal(sw_ais_session_decode(&s, b, strlen(b), 0, &m), SW_EAGAIN);
    assert_int_equal(sw_ais_session_decode(&s, a, strlen(a), 2, &m), SW_EAGAIN);
    assert_int_equal(sw_ais_session_decode(&s, b, strlen(b), 0, &m), SW_OK);
    assert_int_equal(m.u.t24.part, SW_AIS_PART_AB);
    json_is(1, "\"type\":24,\"repeat\":0,\"mmsi\":271041815,\"scaled\":true,"
               "\"shipname\":\"PROGUY\",\"shiptype\":60,"
               "\"shiptype_text\":\"Passenger - all ships of this type\",\"vendorid\":\"1D00014\","
               "\"model\":12,\"serial\":199796,\"callsign\":\"TC6163\",\"to_bow\":0,"
               "\"to_stern\":15,\"to_port\":0,\"to_starboard\":5");
    assert_int_equal(sw_ais_session_decode(&s, b, strlen(b), 0, &m), SW_EAGAIN);
    /* one queue per channel, as gpsd: B on channel 2 finds A from channel B, not from A */
    sw_ais_session_init(&s);
    assert_int_equal(sw_ais_session_decode_on(&s, 'B', a, strlen(a), 2, &m), SW_EAGAIN);
    assert_int_equal(sw_ais_session_decode_on(&s, 'A', b, strlen(b), 0, &m), SW_EAGAIN);
    assert_int_equal(sw_ais_session_decode_on(&s, '2', b, strlen(b), 0, &m), SW_OK);
    /* eight part As are kept per channel: the ninth pushes the oldest out */
    sw_ais_session_init(&s);
    assert_int_equal(sw_ais_session_decode_on(&s, 'A', a, strlen(a), 2, &m), SW_EAGAIN);
    for (int i = 0; i < 8; i++) {
        const char *other = "H42O55i18tMET00000000000000";
        char o[32];
        memcpy(o, other, 28);
        o[5] = (char)('a' + i); /* another MMSI */
        assert_int_equal(sw_ais_session_decode_on(&s, i < 7 ? 'A' : '1', o, 27, 2, &m), SW_EAGAIN);
        if (i == 6) {
            struct sw_ais_session copy = s;
            assert_int_equal(sw_ais_session_decode_on(&copy, 'A', b, strlen(b), 0, &m), SW_OK);
        }
    }
    assert_int_equal(sw_ais_session_decode_on(&s, 'A', b, strlen(b), 0, &m), SW_EAGAIN);
    /* part numbers 2 and 3 do not exist */
    assert_int_equal(sw_ais_decode("H3KLehdt00000000?6ekkjm000000", 29, 0, &m), SW_EUNSUPPORTED);
}

static void test_errors(void **state)
{
    (void)state;
    const char *p = "15RTgt0PAso;90TKcjM8h6g208CQ";
    char bad[64];
    /* outside the 6-bit alphabet: 'X'..'_' and 'x'..'\x7f', controls, high bytes */
    const char badc[] = {'X', '_', 'x', '!', ' ', ',', '*', '\x7f', '\x80', '\0'};
    for (size_t i = 0; i < sizeof badc; i++) {
        for (size_t pos = 0; pos < 28; pos += 9) {
            memcpy(bad, p, 29);
            bad[pos] = badc[i];
            assert_int_equal(sw_ais_decode(bad, 28, 0, &m), SW_EFORMAT);
        }
    }
    assert_int_equal(sw_ais_decode(p, 28, 6, &m), SW_EFORMAT);
    assert_int_equal(sw_ais_decode(p, 28, -1, &m), SW_EFORMAT);
    assert_int_equal(sw_ais_decode(p, 0, 0, &m), SW_ETRUNCATED);
    assert_int_equal(sw_ais_decode(p, 27, 0, &m), SW_ETRUNCATED); /* 162 bits */
    assert_int_equal(sw_ais_decode(p, 28, 0, &m), SW_OK);
    assert_int_equal(sw_ais_decode("0000000000000000000000000000", 28, 0, &m), SW_EUNSUPPORTED);
    assert_int_equal(sw_ais_decode("w000000000000000000000000000", 28, 0, &m), SW_EUNSUPPORTED);
    /* type 10 needs 72 bits, more are ignored (gpsd's lenient check) */
    assert_int_equal(sw_ais_decode(":5MlU41GMK6@", 12, 0, &m), SW_OK);
    assert_int_equal(sw_ais_decode(":5MlU41GMK6@", 12, 1, &m), SW_ETRUNCATED);
    assert_int_equal(sw_ais_decode(":5MlU41GMK6@0", 13, 0, &m), SW_OK);
    /* type 27: 96 or 168 bits only; type 7: 72..168 */
    assert_int_equal(sw_ais_decode("KC5E2b@U19PFdLbL", 16, 0, &m), SW_OK);
    assert_int_equal(sw_ais_decode("KC5E2b@U19PFdLbL0", 17, 0, &m), SW_ETOOBIG);
    assert_int_equal(sw_ais_decode("KC5E2b@U19PFdLbL", 16, 2, &m), SW_ETRUNCATED);
    assert_int_equal(sw_ais_decode("702R5`hwCjq8", 12, 0, &m), SW_OK);
    assert_int_equal(sw_ais_decode("702R5`hwCjq8000000000000000000", 30, 0, &m), SW_ETOOBIG);
    /* longer than gpsd reassembles (2046 bits) */
    char big[400];
    memset(big, '1', sizeof big);
    assert_int_equal(sw_ais_decode(big, 341, 0, &m), SW_OK);
    assert_int_equal(m.type, 1);
    assert_int_equal(sw_ais_decode(big, 342, 0, &m), SW_ETOOBIG);
    assert_int_equal(sw_ais_decode(big, 342, 5, &m), SW_ETOOBIG);
    memset(big, '8', sizeof big);
    assert_int_equal(sw_ais_decode(big, 200, 0, &m), SW_ETOOBIG); /* type 8 stops at 1008 */
    /* a bounded output buffer refuses to grow */
    struct sw_buf b;
    sw_buf_init(&b, 16);
    assert_int_equal(sw_ais_decode(p, 28, 0, &m), SW_OK);
    assert_int_equal(sw_ais_json_fields(&m, 1, &b), SW_ETOOBIG);
    sw_buf_release(&b);
}

/* Every prefix of every payload of gpsd's sample with every fill: no crash, and the JSON of
 * anything decoded is produced (ASan/UBSan check the reads). */
static void test_prefixes(void **state)
{
    (void)state;
    SW_NEED_SHARED(path, "data/ais/peer-tests/gpsd/test/sample.aivdm");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    struct sw_buf b;
    sw_buf_init(&b, 0);
    unsigned tried = 0, ok = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "!AIVDM,", 7)) continue;
        char *p = line;
        for (int i = 0; i < 5 && p; i++)
            p = strchr(p + 1, ',');
        if (!p) continue;
        p++;
        size_t len = strcspn(p, ",");
        for (size_t l = 0; l <= len; l++) {
            for (int fill = 0; fill <= 5; fill++) {
                tried++;
                if (sw_ais_decode(p, l, fill, &m) == SW_OK) {
                    ok++;
                    sw_buf_reset(&b);
                    assert_int_equal(sw_ais_json_fields(&m, fill & 1, &b), SW_OK);
                }
            }
        }
    }
    fclose(f);
    sw_buf_release(&b);
    printf("NOTE: %u prefixes tried, %u decoded\n", tried, ok);
    assert_true(ok > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type1),
        cmocka_unit_test(test_scaled_not_available),
        cmocka_unit_test(test_scaled_formats_match_printf),
        cmocka_unit_test(test_fill_bits_short_type1),
        cmocka_unit_test(test_type4_and_5),
        cmocka_unit_test(test_binary_and_apps),
        cmocka_unit_test(test_class_b_and_others),
        cmocka_unit_test(test_type24_session),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
