/*
 * Unit tests of the NMEA framer (src/ais/nmea.c): talkers, checksums, tag blocks and their
 * groups, timestamps (tag block, $PGHP, trailing, leading), reassembly (interleaving,
 * orphans, restarts, timeouts, eviction), every skip reason, and the rule that the per-reason
 * counts add up to the number of lines. Literal lines are taken from real recordings.
 */
#include "testutil.h"

#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/nmea.h"
#include "sanctwatch/timeutil.h"

#include <stdio.h>
#include <string.h>

static const struct sw_nmea_msg *feed(struct sw_nmea *f, const char *line, uint64_t no)
{
    const struct sw_nmea_msg *m = (const struct sw_nmea_msg *)1;
    assert_int_equal(sw_nmea_feed(f, line, strlen(line), no, &m), SW_OK);
    return m;
}

/* "!" + body + "*hh" with the right checksum (or a wrong one when bad). */
static const char *mk(char *buf, size_t cap, const char *pre, const char *body, int bad)
{
    unsigned cs = sw_nmea_checksum(body, strlen(body)) ^ (bad ? 0x5a : 0);
    snprintf(buf, cap, "%s!%s*%02X", pre, body, cs);
    return buf;
}

static void assert_sum(const struct sw_nmea *f)
{
    const uint64_t *n = sw_nmea_counts(f);
    uint64_t s = 0;
    for (int r = SW_NMEA_LINES + 1; r < SW_NMEA_NREASONS; r++)
        s += n[r];
    assert_int_equal(s, n[SW_NMEA_LINES]);
}

static struct sw_nmea *new_framer(int lenient)
{
    struct sw_nmea *f;
    struct sw_nmea_config c;
    sw_nmea_config_default(&c);
    c.lenient = lenient;
    assert_int_equal(sw_nmea_new(&f, &c), SW_OK);
    return f;
}

static void test_checksum(void **state)
{
    const char *b = "AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0";
    assert_int_equal(sw_nmea_checksum(b, strlen(b)), 0x23);
}

static void test_single(void **state)
{
    struct sw_nmea *f = new_framer(0);
    const struct sw_nmea_msg *m = feed(f, "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23", 1);
    assert_non_null(m);
    assert_string_equal(m->payload, "13HOI:0P0000VOHLCnHQKwvL05Ip");
    assert_int_equal(m->len, 28);
    assert_int_equal(m->fill_bits, 0);
    assert_string_equal(m->talker, "AI");
    assert_int_equal(m->channel, 'A');
    assert_int_equal(m->own, 0);
    assert_int_equal(m->checksum_ok, 1);
    assert_int_equal(m->seq_id, -1);
    assert_int_equal(m->fragments, 1);
    assert_int_equal(m->time_src, SW_NMEA_TIME_NONE);
    assert_true(m->rxtime_ms == SW_TIME_NONE);
    assert_string_equal(m->source, "");
    /* lower-case hex, trailing CR and blanks, other talkers, VDO, numeric and empty channel */
    m = feed(f, "!AIVDM,1,1,,A,133sVfPP00PD>hRMDH@jNOvN20S8,0*7f\r  ", 2);
    assert_non_null(m);
    m = feed(f, "!=IVDM,1,1,,B,37P8OL2<01Ch,0*32", 3);
    assert_null(m);
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_CHECKSUM); /* real line, wrong sum */
    char buf[256];
    m = feed(f, mk(buf, sizeof buf, "", "ABVDO,1,1,3,1,404k0WAuhMcgJ:=kOMr:C0W00000,0", 0), 4);
    assert_non_null(m);
    assert_string_equal(m->talker, "AB");
    assert_int_equal(m->own, 1);
    assert_int_equal(m->channel, '1');
    assert_int_equal(m->seq_id, 3);
    m = feed(f, "!AIVDO,1,1,,,B000000002EgKjv=lCL03wQ5wP06,0*0F", 5);
    assert_non_null(m);
    assert_int_equal(m->channel, '\0');
    m = feed(f, "!--VDM,1,1,,A,802R5Ph0BkAgoPNCkQn0Q@sMKgwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwt,2*57",
             6);
    assert_non_null(m);
    assert_int_equal(m->fill_bits, 2);
    assert_int_equal(sw_nmea_counters(f)[SW_NMEA_C_MESSAGES], 5);
    assert_sum(f);
    sw_nmea_free(f);
}

static void test_tagblock(void **state)
{
    struct sw_nmea *f = new_framer(0);
    const struct sw_nmea_msg *m =
        feed(f, "\\s:rEV02,c:1334337317*58\\!AIVDM,1,1,,B,19NWuLhuRb5QHfCpPcwj`26B0<02,0*5F", 1);
    assert_non_null(m);
    assert_string_equal(m->source, "rEV02");
    assert_int_equal(m->time_src, SW_NMEA_TIME_TAGBLOCK);
    assert_true(m->rxtime_ms == 1334337317000LL);
    /* libais ORBCOMM line with q: and T: (ignored) */
    m = feed(f,
             "\\s:rORBCOMM104,q:u,c:1418172113,T:2014-12-10 00.41.53*55\\!AIVDM,1,1,,B,"
             "13F?Vv700<DJuLEtvep`iToV0<00,0*78",
             2);
    assert_non_null(m);
    assert_string_equal(m->source, "rORBCOMM104");
    assert_true(m->rxtime_ms == 1418172113000LL);
    /* c: in milliseconds, n: line count */
    char tb[128], buf[256];
    const char *tbody = "s:station1,c:1418172113123,n:42";
    snprintf(tb, sizeof tb, "\\%s*%02X\\", tbody, sw_nmea_checksum(tbody, strlen(tbody)));
    m = feed(f, mk(buf, sizeof buf, tb, "AIVDM,1,1,,B,13F?Vv700<DJuLEtvep`iToV0<00,0", 0), 3);
    assert_non_null(m);
    assert_true(m->rxtime_ms == 1418172113123LL);
    assert_int_equal(m->tag_n, 42);
    /* tag block checksum wrong: skipped, or accepted and marked when lenient */
    const char *bad = "\\s:rEV02,c:1334337317*59\\!AIVDM,1,1,,B,19NWuLhuRb5QHfCpPcwj`26B0<02,0*5F";
    assert_null(feed(f, bad, 4));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_CHECKSUM);
    /* broken tag blocks */
    assert_null(
        feed(f, "\\s:rEV02,c:1334337317*58!AIVDM,1,1,,B,19NWuLhuRb5QHfCpPcwj`26B0<02,0*5F", 5));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_MALFORMED);
    assert_null(feed(f, "\\c:12x4*58\\!AIVDM,1,1,,B,19NWuLhuRb5QHfCpPcwj`26B0<02,0*5F", 6));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_CHECKSUM);
    assert_sum(f);
    sw_nmea_free(f);

    f = new_framer(1);
    /* regression (fuzz_decode): a lenient "$PGHP" without fields read through a NULL comma */
    assert_null(feed(f, "$PGHP*00", 1));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_MALFORMED);
    assert_null(feed(f, "$PGHP,*23", 2));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_MALFORMED);
    m = feed(f, bad, 1);
    assert_non_null(m);
    assert_int_equal(m->checksum_ok, 0);
    assert_int_equal(sw_nmea_counters(f)[SW_NMEA_C_LENIENT], 1);
    assert_sum(f);
    sw_nmea_free(f);
}

/* The exactEarth tag-block group: the second sentence has only g: in its tag block. */
static void test_tagblock_group(void **state)
{
    struct sw_nmea *f = new_framer(0);
    assert_null(feed(f,
                     "\\g:1-2-3985,s:rEV02,c:1334337317*2D\\!AIVDM,2,1,9,B,58KvN<42ACikUKW77F1H"
                     "4hF0<PTp622222222216`0`cF5BF0RT13H0T,0*70",
                     10));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_USED);
    /* an unrelated single sentence in between */
    assert_non_null(
        feed(f, "\\s:rEV02,c:1334337317*58\\!AIVDM,1,1,,B,33:JeT0OjqVls4qfDlpT7CF@20U@,0*03", 11));
    const struct sw_nmea_msg *m =
        feed(f, "\\g:2-2-3985*5A\\!AIVDM,2,2,9,B,PFRC88888888880,2*29", 12);
    assert_non_null(m);
    assert_int_equal(m->fragments, 2);
    assert_string_equal(m->payload, "58KvN<42ACikUKW77F1H4hF0<PTp622222222216`0`cF5BF0RT13H0T"
                                    "PFRC88888888880");
    assert_int_equal(m->fill_bits, 2);
    assert_string_equal(m->source, "rEV02");
    assert_true(m->rxtime_ms == 1334337317000LL);
    assert_int_equal(m->group_id, 3985);
    assert_int_equal(m->seq_id, 9);
    assert_int_equal(m->first_line, 10);
    assert_int_equal(m->last_line, 12);
    assert_int_equal(sw_nmea_counts(f)[SW_NMEA_USED], 3);
    assert_int_equal(sw_nmea_counters(f)[SW_NMEA_C_MULTI], 1);
    assert_sum(f);
    sw_nmea_free(f);
}

static void test_interleaved(void **state)
{
    struct sw_nmea *f = new_framer(0);
    char b[256];
    /* two groups with different sequence ids, and the same id on another channel */
    assert_null(
        feed(f,
             mk(b, sizeof b, "",
                "AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0", 0),
             1));
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,1,2,A,5AAAAAAAAAA,0", 0), 2));
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,1,1,B,5BBBBBBBBBB,0", 0), 3));
    const struct sw_nmea_msg *m = feed(f, mk(b, sizeof b, "", "AIVDM,2,2,2,A,aa,2", 0), 4);
    assert_non_null(m);
    assert_string_equal(m->payload, "5AAAAAAAAAAaa");
    m = feed(f, mk(b, sizeof b, "", "AIVDM,2,2,1,A,88888888880,2", 0), 5);
    assert_non_null(m);
    assert_string_equal(m->payload,
                        "55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp888888888880");
    m = feed(f, mk(b, sizeof b, "", "AIVDM,2,2,1,B,bb,0", 0), 6);
    assert_non_null(m);
    assert_string_equal(m->payload, "5BBBBBBBBBBbb");
    /* a different talker is a different stream */
    assert_null(feed(f, mk(b, sizeof b, "", "BSVDM,2,1,4,A,5CC,0", 0), 7));
    assert_null(feed(f, mk(b, sizeof b, "", "ABVDM,2,2,4,A,cc,0", 0), 8));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_ORPHAN);
    /* three parts */
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,3,1,5,B,1,0", 0), 9));
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,3,2,5,B,2,0", 0), 10));
    m = feed(f, mk(b, sizeof b, "", "AIVDM,3,3,5,B,3,4", 0), 11);
    assert_non_null(m);
    assert_string_equal(m->payload, "123");
    assert_int_equal(m->fill_bits, 4);
    assert_int_equal(m->fragments, 3);
    sw_nmea_flush(f);
    const uint64_t *n = sw_nmea_counts(f);
    assert_int_equal(n[SW_NMEA_USED], 9);
    assert_int_equal(n[SW_NMEA_ORPHAN], 1);
    assert_int_equal(n[SW_NMEA_INCOMPLETE], 1); /* the BSVDM part 1 at flush */
    assert_sum(f);
    sw_nmea_free(f);
}

/* Regression (gpsd sample.aivdm, MMSI 999999999): a station field after the last fragment's
 * checksum (",b003660465") named a source the first fragment lacked, so the group never
 * completed. It joins the group, and a different station on both fragments still keeps two
 * streams apart. */
static void test_trailing_station_joins_group(void **state)
{
    struct sw_nmea *f = new_framer(0);
    assert_null(feed(f, "!AIVDM,2,1,6,A,8>qc9wiKf>d=Cq5r0mdew:?DLq>1LmhHrsqmBCKnJ50,0*30", 1));
    const struct sw_nmea_msg *m = feed(f, "!AIVDM,2,2,6,A,3OLc=UCRp,0*4A,b003660465", 2);
    assert_non_null(m);
    assert_string_equal(m->payload, "8>qc9wiKf>d=Cq5r0mdew:?DLq>1LmhHrsqmBCKnJ503OLc=UCRp");
    assert_string_equal(m->source, "b003660465");
    /* stations on both fragments: r1's part 2 cannot complete r2's part 1 */
    assert_null(feed(f, "!AIVDM,2,1,6,A,8>qc9wiKf>d=Cq5r0mdew:?DLq>1LmhHrsqmBCKnJ50,0*30,r2", 3));
    assert_null(feed(f, "!AIVDM,2,2,6,A,3OLc=UCRp,0*4A,r1", 4));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_ORPHAN);
    sw_nmea_flush(f);
    assert_sum(f);
    sw_nmea_free(f);
}

static void test_orphans_restart_timeout(void **state)
{
    struct sw_nmea_config c;
    struct sw_nmea *f;
    char b[256];
    sw_nmea_config_default(&c);
    c.max_groups = 2;
    c.group_lines = 10;
    c.group_timeout_ms = 5000;
    assert_int_equal(sw_nmea_new(&f, &c), SW_OK);
    /* orphan: part 2 with nothing open */
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,2,1,A,88,2", 0), 1));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_ORPHAN);
    /* restart: part 1 twice, the first one is incomplete */
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,1,1,A,5P,0", 0), 2));
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,1,1,A,5Q,0", 0), 3));
    const struct sw_nmea_msg *m = feed(f, mk(b, sizeof b, "", "AIVDM,2,2,1,A,88,2", 0), 4);
    assert_non_null(m);
    assert_string_equal(m->payload, "5Q88");
    assert_int_equal(sw_nmea_counts(f)[SW_NMEA_INCOMPLETE], 1);
    /* out of order: 3-part group gets part 3 after part 1 */
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,3,1,2,A,5,0", 0), 5));
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,3,3,2,A,5,0", 0), 6));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_ORPHAN);
    assert_int_equal(sw_nmea_counts(f)[SW_NMEA_INCOMPLETE], 2);
    /* timeout by lines */
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,1,3,A,5,0", 0), 10));
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,2,3,A,5,0", 0), 21));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_ORPHAN);
    assert_int_equal(sw_nmea_counts(f)[SW_NMEA_INCOMPLETE], 3);
    /* timeout by receive time (tag block c:) */
    char tb[64], tb2[64];
    snprintf(tb, sizeof tb, "\\c:1000000000*%02X\\", sw_nmea_checksum("c:1000000000", 12));
    snprintf(tb2, sizeof tb2, "\\c:1000000006*%02X\\", sw_nmea_checksum("c:1000000006", 12));
    assert_null(feed(f, mk(b, sizeof b, tb, "AIVDM,2,1,4,A,5,0", 0), 30));
    assert_null(feed(f, mk(b, sizeof b, tb2, "AIVDM,2,2,4,A,5,0", 0), 31));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_ORPHAN);
    assert_int_equal(sw_nmea_counts(f)[SW_NMEA_INCOMPLETE], 4);
    /* eviction: three groups open with room for two */
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,1,5,A,5,0", 0), 40));
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,1,6,A,5,0", 0), 41));
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,1,7,A,5,0", 0), 42));
    assert_int_equal(sw_nmea_counts(f)[SW_NMEA_EVICTED], 1);
    assert_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,2,5,A,5,0", 0), 43)); /* evicted one */
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_ORPHAN);
    assert_non_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,2,6,A,6,0", 0), 44));
    assert_non_null(feed(f, mk(b, sizeof b, "", "AIVDM,2,2,7,A,7,0", 0), 45));
    sw_nmea_flush(f);
    assert_sum(f);
    sw_nmea_free(f);
}

static void test_oversize(void **state)
{
    struct sw_nmea *f = new_framer(0);
    static char body[700], b[800];
    memcpy(body, "AIVDM,2,1,1,A,", 14);
    memset(body + 14, '5', 600);
    memcpy(body + 614, ",0", 3);
    assert_null(feed(f, mk(b, sizeof b, "", body, 0), 1));
    memcpy(body, "AIVDM,2,2,1,A,", 14);
    assert_null(feed(f, mk(b, sizeof b, "", body, 0), 2));
    assert_int_equal(sw_nmea_counts(f)[SW_NMEA_OVERSIZE], 2);
    assert_sum(f);
    sw_nmea_free(f);
}

static void test_times(void **state)
{
    struct sw_nmea *f = new_framer(0);
    const struct sw_nmea_msg *m;
    /* leading epoch, leading ISO */
    m = feed(f, "1334337317.5 !AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23", 1);
    assert_non_null(m);
    assert_int_equal(m->time_src, SW_NMEA_TIME_LEADING);
    assert_true(m->rxtime_ms == 1334337317500LL);
    m = feed(f, "2012-01-27 09:57:03 !AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23", 2);
    assert_non_null(m);
    int64_t want;
    assert_int_equal(sw_time_parse("2012-01-27T09:57:03Z", 20, &want), SW_OK);
    assert_true(m->rxtime_ms == want);
    assert_null(feed(f, "yesterday !AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23", 3));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_GARBAGE);
    /* trailing epoch in ms (exactEarth) and seconds with a station (USCG) */
    m = feed(f, "!AIVDM,1,1,,A,144gjIP0085KKPQHMPjT81Sb1PSL,0*22,1328133720087", 4);
    assert_non_null(m);
    assert_int_equal(m->time_src, SW_NMEA_TIME_TRAILING);
    assert_true(m->rxtime_ms == 1328133720087LL);
    m = feed(f,
             "!AIVDM,1,1,,A,15N1u<PP1FJuvSRHOE6QIwwh0HQ6,0*30,d-080,S2118,t050056.00,"
             "T56.4837741,r003669946,1325394060,1325394001",
             5);
    assert_non_null(m);
    assert_true(m->rxtime_ms == 1325394060000LL);
    assert_string_equal(m->source, "r003669946");
    /* $PGHP names the checksum of its sentence (DMA recording) */
    assert_null(feed(f, "$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B", 6));
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_HEADER);
    m = feed(f, "!AIVDM,1,1,,B,402=481uaUcf;OQ55JS9ITi025Jp,0*2B", 7);
    assert_non_null(m);
    assert_int_equal(m->time_src, SW_NMEA_TIME_PGHP);
    assert_int_equal(sw_time_parse("2010-06-11T11:46:11.390Z", 24, &want), SW_OK);
    assert_true(m->rxtime_ms == want);
    /* a header naming another sentence is not applied */
    assert_null(feed(f, "$PGHP,1,2010,6,11,11,46,12,386,219,24,992190924,1,12*20", 8));
    m = feed(f, "!AIVDM,1,1,,B,402=481uaUcf;OQ55JS9ITi025Jp,0*2B", 9);
    assert_non_null(m);
    assert_int_equal(m->time_src, SW_NMEA_TIME_NONE);
    assert_int_equal(sw_nmea_counters(f)[SW_NMEA_C_PGHP_UNUSED], 1);
    /* precedence: tag block over trailing over leading */
    m = feed(f,
             "1300000000 \\s:rEV02,c:1334337317*58\\!AIVDM,1,1,,B,19NWuLhuRb5QHfCpPcwj`26B0<02,"
             "0*5F,1328133720087",
             10);
    assert_non_null(m);
    assert_int_equal(m->time_src, SW_NMEA_TIME_TAGBLOCK);
    m = feed(f, "1300000000 !AIVDM,1,1,,A,144gjIP0085KKPQHMPjT81Sb1PSL,0*22,1328133720087", 11);
    assert_non_null(m);
    assert_int_equal(m->time_src, SW_NMEA_TIME_TRAILING);
    assert_sum(f);
    sw_nmea_free(f);
}

static void test_bad_lines(void **state)
{
    struct sw_nmea *f = new_framer(0);
    static const struct {
        const char *line;
        enum sw_nmea_reason why;
    } cases[] = {
        {"", SW_NMEA_EMPTY},
        {"   \t", SW_NMEA_EMPTY},
        {"# comment", SW_NMEA_COMMENT},
        {"$GPRMC,184353.07,A,1929.045,S,02410.506,E,0.0,0.0,010101,,*70", SW_NMEA_OTHER},
        {"$BSALR,,006,V,V,general failure*62", SW_NMEA_OTHER},
        {"!AIPWR,1,2,3*00", SW_NMEA_OTHER},
        {"IamNotAnAisMessage1111", SW_NMEA_GARBAGE},
        {"!=IV>l,0*1C", SW_NMEA_GARBAGE},
        {"!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*24", SW_NMEA_CHECKSUM},
        {"!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0", SW_NMEA_CHECKSUM},
        {"!BSVDM,1,1,,A,3", SW_NMEA_CHECKSUM},
        {"!AIVDM,1,1,,B,,0*25", SW_NMEA_MALFORMED},
        {"\\g:1-2-73874,n:157036,s:r003669945,c:12415440354*A\\!AIVDM,1,1,,B,15N4cJ005Jrek0H@"
         "9nDW5608EP,013",
         SW_NMEA_CHECKSUM},
    };
    char b[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_null(feed(f, cases[i].line, i + 1));
        if (sw_nmea_last_reason(f) != cases[i].why)
            fail_msg("line '%s': %s, want %s", cases[i].line,
                     sw_nmea_reason_name(sw_nmea_last_reason(f)),
                     sw_nmea_reason_name(cases[i].why));
    }
    /* malformed fields, with a correct checksum */
    static const char *const mal[] = {
        "AIVDM,0,1,,A,13HOI,0",   "AIVDM,1,2,,A,13HOI,0",    "AIVDM,1,1,,A,13HOI,6",
        "AIVDM,1,1,,A,13H I,0",   "AIVDM,1,1,,AB,13HOI,0",   "AIVDM,1,1,x,A,13HOI,0",
        "AIVDM,1,1,,A,13HOI,0,9", "AIVDM,1,1,,A,13HOI",      "AIVDM,11,1,,A,13HOI,0",
        "AIVDM,1,1,,A,13HOI,",    "AIVDM,1,1,,A,13HO\x7f,0",
    };
    for (size_t i = 0; i < sizeof mal / sizeof mal[0]; i++) {
        assert_null(feed(f, mk(b, sizeof b, "", mal[i], 0), 100 + i));
        if (sw_nmea_last_reason(f) != SW_NMEA_MALFORMED)
            fail_msg("'%s': %s", mal[i], sw_nmea_reason_name(sw_nmea_last_reason(f)));
    }
    /* NUL byte inside an otherwise good line */
    const char nul[] = "!AIVDM,1,1,,A,13HOI:0P0000\0VOHLCnHQKwvL05Ip,0*23";
    const struct sw_nmea_msg *m;
    assert_int_equal(sw_nmea_feed(f, nul, sizeof nul - 1, 200, &m), SW_OK);
    assert_null(m);
    assert_int_equal(sw_nmea_last_reason(f), SW_NMEA_NUL);
    sw_nmea_skip(f, SW_NMEA_TOOLONG);
    const uint64_t *n = sw_nmea_counts(f);
    assert_int_equal(n[SW_NMEA_LINES], 13 + 11 + 2);
    assert_int_equal(n[SW_NMEA_MALFORMED], 12);
    assert_int_equal(n[SW_NMEA_TOOLONG], 1);
    assert_int_equal(n[SW_NMEA_USED], 0);
    assert_sum(f);
    sw_nmea_free(f);
}

/* Every peer and real file: the counts add up, and the known files give known counts. */
static void test_files_add_up(void **state)
{
    static const struct {
        const char *rel;
        uint64_t lines, used, messages;
    } files[] = {
        {"data/ais/peer-tests/libais/test/data/tagblock.nmea", 5, 5, 4},
        {"data/ais/peer-tests/pyais/tests/mixed.txt", 35, 0, 0},
        {"data/ais/real/amsa-risky/exact-earth-with-tag-block.txt", 221, 221, 200},
        {"data/ais/real/dma-aislib/stream_example.txt", 8551, 4500, 4051},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        SW_NEED_SHARED(path, files[i].rel);
        struct sw_lines *in;
        struct sw_nmea *f = new_framer(0);
        assert_int_equal(sw_lines_open(&in, path, 0), SW_OK);
        const char *line;
        size_t len;
        int rc;
        while ((rc = sw_lines_next(in, &line, &len)) != SW_EOF) {
            const struct sw_nmea_msg *m;
            if (rc == SW_ETOOBIG) {
                sw_nmea_skip(f, SW_NMEA_TOOLONG);
                continue;
            }
            assert_int_equal(rc, SW_OK);
            sw_nmea_feed(f, line, len, sw_lines_lineno(in), &m);
        }
        sw_nmea_flush(f);
        sw_lines_free(in);
        const uint64_t *n = sw_nmea_counts(f);
        assert_sum(f);
        assert_int_equal(n[SW_NMEA_LINES], files[i].lines);
        if (files[i].used) {
            assert_int_equal(n[SW_NMEA_USED], files[i].used);
            assert_int_equal(sw_nmea_counters(f)[SW_NMEA_C_MESSAGES], files[i].messages);
        }
        sw_nmea_free(f);
    }
}

/* The fast path for plain single-sentence lines must decide exactly as the general path: a
 * leading blank sends a line through the general path (which drops the blank), so every
 * mutation of a few real lines must give the same reason and the same message both ways.
 * Each mutation of a checksummed byte is tried twice: as it is (the checksum now fails) and
 * with the checksum written anew, so that the field checks of both paths are compared too
 * (the fast path once took "!AIVDM,1,1, ,A,...*hh" as sequence id -16). */
static void assert_same_msg(const struct sw_nmea_msg *a, const struct sw_nmea_msg *b)
{
    assert_true((a == NULL) == (b == NULL));
    if (!a) return;
    assert_int_equal(a->len, b->len);
    assert_string_equal(a->payload, b->payload);
    assert_int_equal(a->fill_bits, b->fill_bits);
    assert_true(a->rxtime_ms == b->rxtime_ms);
    assert_int_equal(a->time_src, b->time_src);
    assert_string_equal(a->source, b->source);
    assert_string_equal(a->talker, b->talker);
    assert_int_equal(a->channel, b->channel);
    assert_int_equal(a->own, b->own);
    assert_int_equal(a->checksum_ok, b->checksum_ok);
    assert_int_equal(a->fragments, b->fragments);
    assert_int_equal(a->seq_id, b->seq_id);
    assert_int_equal(a->group_id, b->group_id);
    assert_true(a->tag_n == b->tag_n);
}

/* Feed line m (len bytes) to a framer and " " + m to another, in every mode, and compare. */
static void assert_paths_agree(const char *m, size_t len)
{
    const char *pghp = "$PGHP,1,2012,2,1,20,25,32,896,316,2,316000002,1AIS_S,23*47";
    char sp[161];
    sp[0] = ' ';
    memcpy(sp + 1, m, len);
    for (int mode = 0; mode < 4; mode++) { /* lenient or not, with a $PGHP or not */
        struct sw_nmea *a = new_framer(mode & 1), *b = new_framer(mode & 1);
        const struct sw_nmea_msg *ma, *mb;
        if (mode & 2) {
            assert_int_equal(sw_nmea_feed(a, pghp, strlen(pghp), 1, &ma), SW_OK);
            assert_int_equal(sw_nmea_feed(b, pghp, strlen(pghp), 1, &mb), SW_OK);
        }
        assert_int_equal(sw_nmea_feed(a, m, len, 2, &ma), SW_OK);
        assert_int_equal(sw_nmea_feed(b, sp, len + 1, 2, &mb), SW_OK);
        if (sw_nmea_last_reason(a) != sw_nmea_last_reason(b))
            fprintf(stderr, "paths disagree on '%.*s': %s and %s\n", (int)len, m,
                    sw_nmea_reason_name(sw_nmea_last_reason(a)),
                    sw_nmea_reason_name(sw_nmea_last_reason(b)));
        assert_int_equal(sw_nmea_last_reason(a), sw_nmea_last_reason(b));
        assert_same_msg(ma, mb);
        sw_nmea_flush(a);
        sw_nmea_flush(b);
        assert_memory_equal(sw_nmea_counts(a), sw_nmea_counts(b),
                            SW_NMEA_NREASONS * sizeof(uint64_t));
        assert_memory_equal(sw_nmea_counters(a), sw_nmea_counters(b),
                            SW_NMEA_NCOUNTERS * sizeof(uint64_t));
        sw_nmea_free(a);
        sw_nmea_free(b);
    }
}

static void test_fast_path_matches_general(void **state)
{
    static const char *const lines[] = {
        "!AIVDM,1,1,,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*23",
        "!ABVDM,1,1,6,B,1G7lQJ001PbomTie:ms2sR@40000,0*34",
        "!AIVDM,1,1,,B,H52KsnQ8DDj1Lu9@PhE=>222220,2*30,1327664821",
        "!AIVDM,1,1,,A,15QHQ2022F8TjjQcFvRJvppB04i4,0*35,1327992619776",
        "!AIVDO,1,1,,,B000000002EgKjv=lCL03wQ5wP06,0*0F",
        "!BSVDM,1,1,,A,13@nn<;0000fi1dP8GtQwVhJ0@7L,0*22,b003669794,1272412827",
        "!AIVDM,1,1,,B,E>lsouHpqP000000000000000004cRn9tKBU`10888QJ`gwwh1,4*10",
        "!AIVDM,1,1,12,A,13HOI:0P0000VOHLCnHQKwvL05Ip,0*10",
    };
    static const char subst[] = {',',  '*', '\0', ' ', '\r', '\t', '0', 'W', 'x',
                                 '\\', '!', '9',  'A', '1',  '2',  '/', '-', 0x7f};
    char m[160];
    for (size_t k = 0; k < sizeof lines / sizeof *lines; k++) {
        size_t n = strlen(lines[k]);
        size_t star = (size_t)(strchr(lines[k], '*') - lines[k]);
        for (size_t i = 0; i <= n; i++) {
            for (size_t c = 0; c <= sizeof subst; c++) {
                /* c == sizeof subst: the line cut after i bytes; else byte i replaced */
                size_t len = n;
                memcpy(m, lines[k], n);
                if (c == sizeof subst)
                    len = i;
                else if (i < n)
                    m[i] = subst[c];
                else if (c > 0)
                    continue;
                assert_paths_agree(m, len);
                if (i == 0 || i >= star || c == sizeof subst) continue;
                /* the same mutation under a checksum that matches it */
                char hex[3];
                snprintf(hex, sizeof hex, "%02X", sw_nmea_checksum(m + 1, star - 1));
                memcpy(m + star + 1, hex, 2);
                assert_paths_agree(m, len);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum),
        cmocka_unit_test(test_single),
        cmocka_unit_test(test_tagblock),
        cmocka_unit_test(test_tagblock_group),
        cmocka_unit_test(test_interleaved),
        cmocka_unit_test(test_orphans_restart_timeout),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_files_add_up),
        cmocka_unit_test(test_trailing_station_joins_group),
        cmocka_unit_test(test_fast_path_matches_general),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
