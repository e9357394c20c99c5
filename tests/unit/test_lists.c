/* Unit tests for the sanctions-list import: identifiers, format detection, the shared UN,
 * OFAC and FtM files with their published counts, refusal of broken files without touching
 * what is loaded, and editions that add, remove and change entries. */
#include "testutil.h"

#include "sanctwatch/error.h"
#include "sanctwatch/lists.h"
#include "sanctwatch/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UN_FILE "data/sanctions/un/un_sc_consolidated_2026-02-27.xml"
#define SDN_FILE "data/sanctions/ofac/sdn_2024-05-03.csv"
#define ADD_FILE "data/sanctions/ofac/add_2025-02-27.csv"
#define ALT_FILE "data/sanctions/ofac/alt_2025-02-27.csv"
#define COM_FILE "data/sanctions/ofac/sdn_comments_2025-02-27.csv"
#define CONS_FILE "data/sanctions/ofac/cons_nonsdn_2018-04-06.xml"
#define FTM_FILE "data/sanctions/ftm/yente_t1_entities.ftm.json"
#define DPRK_JSON "data/sanctions/ofac/sdn_2024-05-03_dprk_related_vessels.json"

static long q1(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        print_error("%s: %s\n", sql, sqlite3_errmsg(db));
        return -2;
    }
    if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static sqlite3 *fresh_db(const char *dir, const char *name)
{
    char path[512];
    sqlite3 *db;
    char err[SW_ERRMAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(sw_store_open(path, &db, err), SW_OK);
    assert_int_equal(sw_lists_migrate(db), SW_OK);
    return db;
}

static int import1(sqlite3 *db, const char *path, struct sw_lists_report *r)
{
    const char *p[1] = {path};
    return sw_lists_import(db, p, 1, NULL, r);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *d = malloc((size_t)n + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
    d[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return d;
}

static void identifiers(void **state)
{
    /* IMO check digit: 9074729 (the IMO's own example) is right, 9074728 wrong */
    assert_int_equal(sw_lists_imo_valid(9074729), 1);
    assert_int_equal(sw_lists_imo_valid(9074728), 0);
    assert_int_equal(sw_lists_imo_valid(8606173), 1); /* RYONG GUN BONG, written without "IMO" */
    assert_int_equal(sw_lists_imo_valid(123456), 0);
    char out[32];
    assert_int_equal(sw_lists_norm_id("imo", "IMO 9074729", out, sizeof out), SW_OK);
    assert_string_equal(out, "9074729");
    assert_int_equal(sw_lists_norm_id("passport", "ab-12 345/x", out, sizeof out), SW_OK);
    assert_string_equal(out, "AB12345X");
    assert_int_equal(sw_lists_norm_id("passport", "0123456789", out, 4), SW_ETOOBIG);
}

static void detection(void **state)
{
    const char *un = "<?xml version=\"1.0\"?>\n<!-- c -->\n<CONSOLIDATED_LIST dateGenerated=\"x\">";
    assert_int_equal(sw_lists_detect(un, strlen(un)), SW_LIST_FMT_UN_XML);
    const char *ox = "<?xml version=\"1.0\" standalone=\"yes\"?>\r\n<sdnList xmlns=\"x\">";
    assert_int_equal(sw_lists_detect(ox, strlen(ox)), SW_LIST_FMT_OFAC_XML);
    const char *sdn = "36,\"AERO, X\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    assert_int_equal(sw_lists_detect(sdn, strlen(sdn)), SW_LIST_FMT_OFAC_SDN);
    const char *add = "36,25,-0- ,\"Havana\",\"Cuba\",-0- \r\n";
    assert_int_equal(sw_lists_detect(add, strlen(add)), SW_LIST_FMT_OFAC_ADD);
    const char *alt = "36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n";
    assert_int_equal(sw_lists_detect(alt, strlen(alt)), SW_LIST_FMT_OFAC_ALT);
    const char *com = "17016,\"tive Date, more\"\r\n";
    assert_int_equal(sw_lists_detect(com, strlen(com)), SW_LIST_FMT_OFAC_COMMENTS);
    assert_int_equal(sw_lists_detect("\xEF\xBB\xBF{\"id\":1}", 11), SW_LIST_FMT_FTM_JSON);
    assert_int_equal(sw_lists_detect(" [ {} ]", 7), SW_LIST_FMT_JSON_ARRAY);
    assert_int_equal(sw_lists_detect("<html>", 6), SW_LIST_FMT_UNKNOWN);
    assert_int_equal(sw_lists_detect("1,2,3", 5), SW_LIST_FMT_UNKNOWN);
}

/* Must-show 1: everything in shared/data/sanctions imports, with counts per list and type. */
static void shared_counts(void **state)
{
    SW_NEED_SHARED(un_path, UN_FILE);
    char un[4096], sdn[4096], add[4096], alt[4096], com[4096], cons[4096], ftm[4096], dj[4096];
    snprintf(un, sizeof un, "%s", un_path);
    SW_NEED_SHARED(p1, SDN_FILE);
    snprintf(sdn, sizeof sdn, "%s", p1);
    SW_NEED_SHARED(p2, ADD_FILE);
    snprintf(add, sizeof add, "%s", p2);
    SW_NEED_SHARED(p3, ALT_FILE);
    snprintf(alt, sizeof alt, "%s", p3);
    SW_NEED_SHARED(p4, COM_FILE);
    snprintf(com, sizeof com, "%s", p4);
    SW_NEED_SHARED(p5, CONS_FILE);
    snprintf(cons, sizeof cons, "%s", p5);
    SW_NEED_SHARED(p6, FTM_FILE);
    snprintf(ftm, sizeof ftm, "%s", p6);
    SW_NEED_SHARED(p7, DPRK_JSON);
    snprintf(dj, sizeof dj, "%s", p7);

    sqlite3 *db = fresh_db(sw_test_tmpdir(), "all.db");
    struct sw_lists_report r;

    /* UN: 730 individuals, 273 entities; 80 KPi and 75 KPe */
    assert_int_equal(import1(db, un, &r), SW_OK);
    assert_string_equal(r.list, "un_sc");
    assert_string_equal(r.edition, "2026-02-27");
    assert_int_equal(r.n_type[SW_ENTRY_PERSON], 730);
    assert_int_equal(r.n_type[SW_ENTRY_ORGANIZATION], 273);
    assert_int_equal(r.added, 1003);
    assert_int_equal(q1(db, "SELECT count(*) FROM entries WHERE list='un_sc' AND ref LIKE 'KPi.%'"
                            " AND type='person' AND programmes='DPRK'"),
                     80);
    assert_int_equal(q1(db, "SELECT count(*) FROM entries WHERE list='un_sc' AND ref LIKE 'KPe.%'"
                            " AND type='organization' AND programmes='DPRK'"),
                     75);
    /* every entry has its primary name; KPe.055 keeps its Chinese alias */
    assert_int_equal(q1(db,
                        "SELECT count(*) FROM entries e WHERE list='un_sc' AND NOT EXISTS("
                        "SELECT 1 FROM entry_names n WHERE n.entry=e.id AND quality='primary')"),
                     0);
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_names n JOIN entries e ON e.id=n.entry"
                            " WHERE e.ref='KPe.055' AND n.name='長安海連技術有限公司'"),
                     1);
    /* the IMO number in KPe.056's narrative */
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_ids i JOIN entries e ON e.id=i.entry"
                            " WHERE e.ref='KPe.056' AND i.kind='imo' AND i.norm='5571322'"),
                     1);

    /* OFAC CSV set, joined by ent_num */
    const char *set[4] = {alt, sdn, com, add}; /* any order */
    assert_int_equal(sw_lists_import(db, set, 4, NULL, &r), SW_OK);
    assert_string_equal(r.list, "ofac_sdn");
    assert_string_equal(r.edition, "2024-05-03");
    assert_int_equal(r.n_entries, 14965);
    assert_int_equal(r.n_type[SW_ENTRY_PERSON], 6854);
    assert_int_equal(r.n_type[SW_ENTRY_ORGANIZATION], 6884);
    assert_int_equal(r.n_type[SW_ENTRY_VESSEL], 851);
    assert_int_equal(r.n_type[SW_ENTRY_AIRCRAFT], 376);
    /* add/alt/comments rows for ent_nums not in the older sdn.csv (computed with a CSV
     * reader: 2474 + 1468 + 2) */
    assert_int_equal(r.orphans, 3944);

    /* the DPRK vessel subset: 105 vessels with IMO numbers, countable from the import */
    assert_int_equal(
        q1(db, "SELECT count(*) FROM entries e WHERE list='ofac_sdn' AND type='vessel' AND"
               " (programmes LIKE '%DPRK%' OR EXISTS(SELECT 1 FROM entry_vessels v WHERE"
               " v.entry=e.id AND v.flag='Democratic People''s Republic of Korea')) AND EXISTS("
               "SELECT 1 FROM entry_ids i WHERE i.entry=e.id AND i.kind='imo')"),
        105);
    /* ... and they are exactly the derived file's 105 rows, with the same IMO numbers */
    json_error_t jerr;
    json_t *arr = json_load_file(dj, 0, &jerr);
    assert_non_null(arr);
    assert_int_equal(json_array_size(arr), 105);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char sql[512];
        const char *ent = json_string_value(json_object_get(v, "ent_num"));
        const char *imo = json_string_value(json_object_get(v, "imo"));
        assert_non_null(ent);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM entries e JOIN entry_ids i ON i.entry=e.id WHERE"
                 " e.list='ofac_sdn' AND e.ref='%s' AND e.type='vessel' AND i.kind='imo'%s%s%s",
                 ent, imo ? " AND i.norm='" : "", imo ? imo : "", imo ? "'" : "");
        if (q1(db, sql) != 1) {
            print_error("ent_num %s imo %s not found as a vessel IMO\n", ent, imo ? imo : "-");
            fail();
        }
    }
    json_decref(arr);
    /* the derived file itself is refused with a pointer to its source */
    assert_int_equal(import1(db, dj, &r), SW_EUNSUPPORTED);
    assert_non_null(strstr(r.err, "sdn.csv"));

    /* remarks parsed: CHONG CHON GANG's IMO with a valid check digit, vessel details */
    assert_int_equal(q1(db, "SELECT valid FROM entry_ids i JOIN entries e ON e.id=i.entry WHERE"
                            " e.list='ofac_sdn' AND e.ref='17069' AND i.kind='imo'"),
                     1);
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_vessels v JOIN entries e ON e.id=v.entry"
                            " WHERE e.ref='17069' AND v.vessel_type='General Cargo'"),
                     1);
    /* EBANO: former names from the remarks (f.k.a.) */
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_names n JOIN entries e ON e.id=n.entry"
                            " WHERE e.list='ofac_sdn' AND e.ref='4243' AND n.quality='fka'"),
                     2);
    /* alt.csv aliases are strong: BANCO NACIONAL DE CUBA a.k.a. NATIONAL BANK OF CUBA; the
     * remarks' a.k.a. 'BNC' is weak */
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_names n JOIN entries e ON e.id=n.entry"
                            " WHERE e.ref='306' AND ((n.name='NATIONAL BANK OF CUBA' AND"
                            " n.quality='aka') OR (n.name='BNC' AND n.quality='aka_weak'))"),
                     2);
    /* MMSI numbers and crypto addresses are identifiers */
    assert_true(q1(db, "SELECT count(*) FROM entry_ids WHERE kind='mmsi' AND valid=1") > 100);
    assert_true(q1(db, "SELECT count(*) FROM entry_ids WHERE kind='crypto'") > 90);

    /* OFAC XML (consolidated non-SDN, 639 records as its Record_Count says) */
    assert_int_equal(import1(db, cons, &r), SW_OK);
    assert_string_equal(r.list, "ofac_cons");
    assert_string_equal(r.edition, "2018-04-06");
    assert_int_equal(r.n_entries, 639);
    assert_int_equal(r.n_type[SW_ENTRY_PERSON], 94);
    assert_int_equal(r.n_type[SW_ENTRY_ORGANIZATION], 471);
    assert_int_equal(r.n_type[SW_ENTRY_VESSEL], 74);
    /* counted with grep on the file: 639 sdnEntry, 74 vesselInfo */
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_vessels v JOIN entries e ON e.id=v.entry"
                            " WHERE e.list='ofac_cons'"),
                     74);

    /* FollowTheMoney: 4 persons, 2 organizations, 1 address attached */
    assert_int_equal(import1(db, ftm, &r), SW_OK);
    assert_string_equal(r.list, "ftm:eu_fsf");
    assert_int_equal(r.n_type[SW_ENTRY_PERSON], 4);
    assert_int_equal(r.n_type[SW_ENTRY_ORGANIZATION], 2);
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_ids i JOIN entries e ON e.id=i.entry"
                            " WHERE e.list='ftm:eu_fsf' AND i.kind='registration' AND"
                            " i.value='808000714'"),
                     1);

    /* the same bytes again change nothing */
    long before = q1(db, "SELECT count(*) FROM list_editions");
    assert_int_equal(import1(db, un, &r), SW_OK);
    assert_int_equal(r.already, 1);
    assert_int_equal(q1(db, "SELECT count(*) FROM list_editions"), before);
    sw_store_close(db);
}

/* Broken files are refused with a clear error and leave what is loaded as it was. */
static void refused_files_leave_store_intact(void **state)
{
    SW_NEED_SHARED(un_path, UN_FILE);
    char un[4096];
    snprintf(un, sizeof un, "%s", un_path);
    SW_NEED_SHARED(sdn_path, SDN_FILE);
    char sdn[4096];
    snprintf(sdn, sizeof sdn, "%s", sdn_path);
    const char *dir = sw_test_tmpdir();
    sqlite3 *db = fresh_db(dir, "refuse.db");
    struct sw_lists_report r;
    assert_int_equal(import1(db, un, &r), SW_OK);
    const char *counts = "SELECT (SELECT count(*) FROM entries) * 1000000 + (SELECT count(*) FROM"
                         " entry_names) * 10 + (SELECT count(*) FROM list_editions)";
    long before = q1(db, counts);

    size_t len;
    char *data = slurp(un, &len);
    char path[512];
    /* truncated XML, cut in the middle of the entities, and a newer date so only the
     * truncation can refuse it */
    snprintf(path, sizeof path, "%s/un_sc_consolidated_2026-03-01.xml", dir);
    write_file(path, data, len * 2 / 3);
    assert_int_equal(import1(db, path, &r), SW_EFORMAT);
    assert_non_null(strstr(r.err, "malformed XML at line"));
    assert_int_equal(q1(db, counts), before);
    /* an XML with a DOCTYPE (entity expansion, XXE) is refused */
    const char *xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
        "<CONSOLIDATED_LIST dateGenerated=\"2026-03-02T00:00:00Z\"><INDIVIDUALS>"
        "<INDIVIDUAL><FIRST_NAME>&e;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS>"
        "</CONSOLIDATED_LIST>";
    snprintf(path, sizeof path, "%s/xxe.xml", dir);
    write_file(path, xxe, strlen(xxe));
    assert_int_equal(import1(db, path, &r), SW_EUNSUPPORTED);
    assert_non_null(strstr(r.err, "DTD"));
    assert_int_equal(q1(db, counts), before);
    free(data);

    /* OFAC CSV: a row with a field missing, and a file cut inside a quoted field */
    assert_int_equal(import1(db, sdn, &r), SW_OK);
    before = q1(db, counts);
    data = slurp(sdn, &len);
    char *field = strstr(data, ",\"vessel\""); /* the first vessel row */
    assert_non_null(field);
    int lineno = 1;
    for (char *c = data; c < field; c++)
        lineno += *c == '\n';
    memmove(field, field + 9, strlen(field + 9) + 1); /* that row now has 11 fields */
    char want[96];
    snprintf(want, sizeof want, "line %d: 11 fields where the ofac_sdn_csv file has 12", lineno);
    snprintf(path, sizeof path, "%s/sdn_2024-06-01.csv", dir);
    write_file(path, data, strlen(data));
    assert_int_equal(import1(db, path, &r), SW_EFORMAT);
    assert_string_equal(r.err, want);
    assert_int_equal(q1(db, counts), before);
    free(data);
    data = slurp(sdn, &len);
    char *cut = strstr(data + len / 2, ",\"");
    assert_non_null(cut);
    snprintf(path, sizeof path, "%s/sdn_2024-06-02.csv", dir);
    write_file(path, data, (size_t)(cut - data) + 5);
    assert_int_equal(import1(db, path, &r), SW_ETRUNCATED);
    assert_non_null(strstr(r.err, "quoted field not closed"));
    assert_int_equal(q1(db, counts), before);
    free(data);
    sw_store_close(db);
}

static const char *un_doc(char *buf, size_t sz, const char *date, const char *entities)
{
    snprintf(buf, sz,
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CONSOLIDATED_LIST dateGenerated=\"%s\">"
             "<INDIVIDUALS/><ENTITIES>%s</ENTITIES></CONSOLIDATED_LIST>\n",
             date, entities);
    return buf;
}

#define ENT(ref, name, alias)                                                                      \
    "<ENTITY><DATAID>1</DATAID><FIRST_NAME>" name "</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>" \
    "<REFERENCE_NUMBER>" ref " </REFERENCE_NUMBER><LISTED_ON>2017-08-05</LISTED_ON>"               \
    "<ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>" alias "</ALIAS_NAME></ENTITY_ALIAS>"     \
    "</ENTITY>"

/* A newer edition records what was added, removed and changed. */
static void editions_add_remove_change(void **state)
{
    const char *dir = sw_test_tmpdir();
    sqlite3 *db = fresh_db(dir, "ed.db");
    struct sw_lists_report r;
    char doc[4096], path[512];
    snprintf(path, sizeof path, "%s/un.xml", dir);

    un_doc(doc, sizeof doc, "2026-01-01T00:00:00Z",
           ENT("KPe.001", "KOREA MINING", "KOMID") ENT("KPe.002", "TANCHON BANK", "TCB")
               ENT("KPe.003", "OCEAN MARITIME", "OMM"));
    write_file(path, doc, strlen(doc));
    assert_int_equal(import1(db, path, &r), SW_OK);
    assert_int_equal(r.added, 3);
    assert_int_equal(r.removed, 0);

    /* KPe.002 dropped, KPe.003 gets another alias, KPe.004 new */
    un_doc(doc, sizeof doc, "2026-02-01T00:00:00Z",
           ENT("KPe.001", "KOREA MINING", "KOMID") ENT("KPe.003", "OCEAN MARITIME", "OMM CO")
               ENT("KPe.004", "NEW SHIPPING", "NS"));
    write_file(path, doc, strlen(doc));
    assert_int_equal(import1(db, path, &r), SW_OK);
    assert_string_equal(r.edition, "2026-02-01");
    assert_int_equal(r.added, 1);
    assert_int_equal(r.removed, 1);
    assert_int_equal(r.changed, 1);
    long ed = r.edition_id;
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM entry_changes WHERE edition=%lld AND ((ref='KPe.002' AND "
             "change='removed') OR (ref='KPe.003' AND change='changed') OR (ref='KPe.004' AND "
             "change='added'))",
             (long long)ed);
    assert_int_equal(q1(db, sql), 3);
    snprintf(
        sql, sizeof sql,
        "SELECT count(*) FROM entries WHERE ref='KPe.002' AND active=0 AND removed_edition=%lld",
        (long long)ed);
    assert_int_equal(q1(db, sql), 1);
    /* the removed entry keeps its names: evidence is not deleted */
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_names n JOIN entries e ON e.id=n.entry"
                            " WHERE e.ref='KPe.002'"),
                     2);
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_names n JOIN entries e ON e.id=n.entry"
                            " WHERE e.ref='KPe.003' AND n.name='OMM CO'"),
                     1);
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_names n JOIN entries e ON e.id=n.entry"
                            " WHERE e.ref='KPe.003' AND n.name='OMM'"),
                     0);

    /* an older edition is refused */
    un_doc(doc, sizeof doc, "2025-12-01T00:00:00Z", ENT("KPe.001", "KOREA MINING", "KOMID"));
    write_file(path, doc, strlen(doc));
    assert_int_equal(import1(db, path, &r), SW_ERANGE);
    assert_non_null(strstr(r.err, "older than the loaded edition 2026-02-01"));

    /* KPe.002 re-listed */
    un_doc(doc, sizeof doc, "2026-03-01T00:00:00Z",
           ENT("KPe.001", "KOREA MINING", "KOMID") ENT("KPe.002", "TANCHON BANK", "TCB")
               ENT("KPe.003", "OCEAN MARITIME", "OMM CO") ENT("KPe.004", "NEW SHIPPING", "NS"));
    write_file(path, doc, strlen(doc));
    assert_int_equal(import1(db, path, &r), SW_OK);
    assert_int_equal(r.added, 1);
    assert_int_equal(r.removed, 0);
    assert_int_equal(r.changed, 0);
    assert_int_equal(q1(db, "SELECT active FROM entries WHERE ref='KPe.002'"), 1);
    assert_int_equal(q1(db, "SELECT count(*) FROM entries WHERE list='un_sc'"), 4);

    /* a repeated reference number in one file is kept, as KPe.001#2 */
    un_doc(doc, sizeof doc, "2026-04-01T00:00:00Z",
           ENT("KPe.001", "KOREA MINING", "KOMID") ENT("KPe.001", "OTHER", "X"));
    write_file(path, doc, strlen(doc));
    assert_int_equal(import1(db, path, &r), SW_OK);
    assert_int_equal(q1(db, "SELECT count(*) FROM entries WHERE ref='KPe.001#2' AND name='OTHER'"),
                     1);
    sw_store_close(db);
}

/* An edition that drops most of a list looks like a partial file: refused unless asked for;
 * a file without entries is refused. */
static void mass_removal_and_empty(void **state)
{
    const char *dir = sw_test_tmpdir();
    sqlite3 *db = fresh_db(dir, "mass.db");
    struct sw_lists_report r;
    char ents[8192] = "", doc[12288], path[512];
    snprintf(path, sizeof path, "%s/un.xml", dir);
    for (int i = 1; i <= 30; i++) {
        char e[256];
        snprintf(e, sizeof e,
                 "<ENTITY><FIRST_NAME>ENTITY %d</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>"
                 "<REFERENCE_NUMBER>KPe.%03d</REFERENCE_NUMBER></ENTITY>",
                 i, i);
        strncat(ents, e, sizeof ents - strlen(ents) - 1);
        if (i == 5) { /* edition 2 keeps only the first five */
            un_doc(doc, sizeof doc, "2026-02-01T00:00:00Z", ents);
        }
    }
    char doc2[12288];
    snprintf(doc2, sizeof doc2, "%s", doc);
    un_doc(doc, sizeof doc, "2026-01-01T00:00:00Z", ents);
    write_file(path, doc, strlen(doc));
    assert_int_equal(import1(db, path, &r), SW_OK);
    assert_int_equal(r.added, 30);
    write_file(path, doc2, strlen(doc2));
    assert_int_equal(import1(db, path, &r), SW_ERANGE);
    assert_non_null(strstr(r.err, "would remove 25 of the 30 active entries of un_sc"));
    assert_int_equal(q1(db, "SELECT count(*) FROM entries WHERE active=1"), 30);
    assert_int_equal(q1(db, "SELECT count(*) FROM list_editions"), 1);
    struct sw_lists_import_opts o = {NULL, NULL, 1, NULL};
    const char *p[1] = {path};
    assert_int_equal(sw_lists_import(db, p, 1, &o, &r), SW_OK);
    assert_int_equal(r.removed, 25);
    assert_int_equal(q1(db, "SELECT count(*) FROM entries WHERE active=1"), 5);

    un_doc(doc, sizeof doc, "2026-03-01T00:00:00Z", "");
    write_file(path, doc, strlen(doc));
    assert_int_equal(import1(db, path, &r), SW_EFORMAT);
    assert_string_equal(r.err, "no entries in the file");
    assert_int_equal(q1(db, "SELECT count(*) FROM entries WHERE active=1"), 5);
    sw_store_close(db);
}

/* OFAC CSV editions: ids, links and the rules on companion files. */
static void ofac_csv_small(void **state)
{
    const char *dir = sw_test_tmpdir();
    sqlite3 *db = fresh_db(dir, "ofac.db");
    struct sw_lists_report r;
    char sdn[512], alt[512], add[512];
    snprintf(sdn, sizeof sdn, "%s/sdn_2024-01-01.csv", dir);
    snprintf(alt, sizeof alt, "%s/alt.csv", dir);
    snprintf(add, sizeof add, "%s/add.csv", dir);
    const char *s =
        "100,\"SHIP ONE\",\"vessel\",\"DPRK3] [DPRK4\",-0- ,\"HMXX\",\"Oil Tanker\",-0- ,\"2000\","
        "\"Korea, North\",\"OWNER CO\",\"Vessel Registration Identification IMO 9074729; MMSI "
        "445123456; Former Vessel Flag Panama; f.k.a. 'OLD ONE'; Linked To: OWNER CO.\"\r\n"
        "101,\"OWNER CO\",-0- ,\"DPRK3\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Digital Currency "
        "Address - XBT 1AbC; Passport 12 34 (Korea, North) expires 2020; DOB 12 Jan 1960; a.k.a. "
        "'OC'.\"\r\n\x1a";
    write_file(sdn, s, strlen(s));
    const char *a = "100,1,\"aka\",\"SHIP 1\",-0- \r\n999,2,\"aka\",\"ORPHAN\",-0- \r\n";
    write_file(alt, a, strlen(a));
    const char *d = "101,5,\"1 Street\",\"Pyongyang\",\"Korea, North\",-0- \r\n";
    write_file(add, d, strlen(d));

    const char *only_alt[1] = {alt};
    assert_int_equal(sw_lists_import(db, only_alt, 1, NULL, &r), SW_EINVAL);
    const char *set[3] = {sdn, alt, add};
    assert_int_equal(sw_lists_import(db, set, 3, NULL, &r), SW_OK);
    assert_string_equal(r.edition, "2024-01-01");
    assert_int_equal(r.orphans, 1);
    assert_int_equal(r.n_type[SW_ENTRY_VESSEL], 1);
    assert_int_equal(r.n_type[SW_ENTRY_ORGANIZATION], 1);
    assert_int_equal(
        q1(db, "SELECT count(*) FROM entries WHERE ref='100' AND programmes='DPRK3; DPRK4'"), 1);
    assert_int_equal(
        q1(db, "SELECT count(*) FROM entry_ids WHERE kind='imo' AND norm='9074729' AND valid=1"),
        1);
    assert_int_equal(
        q1(db, "SELECT count(*) FROM entry_ids WHERE kind='mmsi' AND norm='445123456' AND valid=1"),
        1);
    assert_int_equal(
        q1(db, "SELECT count(*) FROM entry_ids WHERE kind='call_sign' AND value='HMXX'"), 1);
    assert_int_equal(
        q1(db,
           "SELECT count(*) FROM entry_ids WHERE kind='crypto' AND value='1AbC' AND note='XBT'"),
        1);
    /* the text after the country is the note (regression: trimming it read past the item) */
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_ids WHERE kind='passport' AND norm='1234' "
                            "AND country='Korea, North' AND note='Passport; expires 2020'"),
                     1);
    assert_int_equal(
        q1(db, "SELECT count(*) FROM entry_dobs WHERE date='1960-01-12' AND year_from=1960"), 1);
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_former_flags WHERE flag='Panama'"), 1);
    assert_int_equal(
        q1(db, "SELECT count(*) FROM entry_names WHERE name='OLD ONE' AND quality='fka'"), 1);
    assert_int_equal(
        q1(db, "SELECT count(*) FROM entry_names WHERE name='SHIP 1' AND quality='aka'"), 1);
    assert_int_equal(
        q1(db, "SELECT count(*) FROM entry_names WHERE name='OC' AND quality='aka_weak'"), 1);
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_addresses WHERE city='Pyongyang'"), 1);
    assert_int_equal(q1(db, "SELECT count(*) FROM entry_vessels WHERE flag='Korea, North' AND "
                            "vessel_type='Oil Tanker' AND grt='2000'"),
                     1);
    /* vessel -> owner, resolved to the owner's entry by its name */
    assert_int_equal(q1(db,
                        "SELECT count(*) FROM entry_links l JOIN entries t ON t.id=l.target_entry"
                        " WHERE l.relation='owner' AND t.ref='101'"),
                     1);
    sw_store_close(db);
}

static void parse_mem_errors(void **state)
{
    char err[SW_ERRMAX];
    long n;
    const char *bad =
        "{\"id\":\"x\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A\"]}}\n{\"id\":";
    assert_int_equal(sw_lists_parse_mem(SW_LIST_FMT_FTM_JSON, bad, strlen(bad), &n, err),
                     SW_EFORMAT);
    assert_non_null(strstr(err, "line 2"));
    const char *ok = "{\"id\":\"x\",\"schema\":\"Vessel\",\"properties\":{\"name\":[\"A\"],"
                     "\"imoNumber\":[\"IMO 9074729\"],\"flag\":[\"kp\"]}}\n";
    assert_int_equal(sw_lists_parse_mem(SW_LIST_FMT_FTM_JSON, ok, strlen(ok), &n, err), SW_OK);
    assert_int_equal(n, 1);
    const char *deep = "<sdnList><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
                       "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>"
                       "<a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a><a>";
    assert_int_equal(sw_lists_parse_mem(SW_LIST_FMT_OFAC_XML, deep, strlen(deep), &n, err),
                     SW_EFORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identifiers),
        cmocka_unit_test(detection),
        cmocka_unit_test(parse_mem_errors),
        cmocka_unit_test(ofac_csv_small),
        cmocka_unit_test(editions_add_remove_change),
        cmocka_unit_test(mass_removal_and_empty),
        cmocka_unit_test(refused_files_leave_store_intact),
        cmocka_unit_test(shared_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
