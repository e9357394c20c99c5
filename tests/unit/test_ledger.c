/*
 * Unit tests of the evidence ledger: the RFC 6962/9162 8-leaf vectors (roots, inclusion and
 * consistency proofs, from memory and from the SQLite store), larger trees against an
 * independent recursive MTH, canonical JSON, signed-note keys and heads (Go sumdb/note peer
 * vector), proof files, event recording and the audit catching tampering.
 */
#include "testutil.h"

#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"

#include <float.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------ reference tree in memory */

struct mem_tree {
    uint8_t (*leaf)[SW_HASH_LEN];
    uint64_t n;
};

/* MTH straight from the RFC's recursive definition. */
static void mth(const struct mem_tree *t, uint64_t a, uint64_t b, uint8_t out[SW_HASH_LEN])
{
    uint64_t n = b - a;
    if (n == 1) {
        memcpy(out, t->leaf[a], SW_HASH_LEN);
        return;
    }
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    uint8_t l[SW_HASH_LEN], r[SW_HASH_LEN];
    mth(t, a, a + k, l);
    mth(t, a + k, b, r);
    sw_merkle_node_hash(l, r, out);
}

static int mem_range(void *ctx, uint64_t start, uint64_t end, uint8_t out[SW_HASH_LEN])
{
    mth(ctx, start, end, out);
    return SW_OK;
}

static void hex2bin(const char *hex, uint8_t *out, size_t *len)
{
    size_t got = 0;
    assert_int_equal(sodium_hex2bin(out, 64, hex, strlen(hex), NULL, &got, NULL), 0);
    *len = got;
}

static void assert_hash_hex(const uint8_t h[SW_HASH_LEN], const char *hex)
{
    char buf[65];
    sodium_bin2hex(buf, sizeof buf, h, SW_HASH_LEN);
    assert_string_equal(buf, hex);
}

static sqlite3 *mem_db(void)
{
    sqlite3 *db = NULL;
    char dir[256];
    snprintf(dir, sizeof dir, "%s/t.db", sw_test_tmpdir());
    assert_int_equal(sw_store_open(dir, &db, NULL), SW_OK);
    return db;
}

/* ------------------------------------------------------------------- RFC vectors */

static void rfc_vectors(void **state)
{
    SW_NEED_SHARED(vpath, "data/ledger/rfc6962_vectors.json");
    json_error_t je;
    json_t *v = json_load_file(vpath, 0, &je);
    assert_non_null(v);
    json_t *leaves = json_object_get(v, "leaves");
    assert_int_equal(json_array_size(leaves), 8);
    struct mem_tree t = {calloc(8, SW_HASH_LEN), 8};
    struct sw_merkle_frontier f;
    sw_merkle_frontier_init(&f);
    uint8_t root[SW_HASH_LEN];
    sw_merkle_frontier_root(&f, root);
    assert_hash_hex(root, json_string_value(json_object_get(v, "empty_root")));

    sqlite3 *db = mem_db();
    struct sw_ledger *lg;
    assert_int_equal(sw_ledger_open(db, &lg), SW_OK);
    for (size_t i = 0; i < 8; i++) {
        uint8_t data[64];
        size_t len;
        hex2bin(json_string_value(json_array_get(leaves, i)), data, &len);
        sw_merkle_leaf_hash(data, len, t.leaf[i]);
        assert_int_equal(sw_merkle_frontier_append(&f, t.leaf[i], NULL, NULL), SW_OK);
        sw_merkle_frontier_root(&f, root);
        char key[4];
        snprintf(key, sizeof key, "%zu", i + 1);
        const char *want = json_string_value(json_object_get(json_object_get(v, "roots"), key));
        assert_hash_hex(root, want);
        uint64_t first;
        assert_int_equal(sw_ledger_append_leaves(lg, t.leaf[i], 1, &first), SW_OK);
        assert_true(first == i);
        uint64_t size;
        assert_int_equal(sw_ledger_tree(lg, &size, root), SW_OK);
        assert_true(size == i + 1);
        assert_hash_hex(root, want);
    }
    static uint8_t path[SW_MERKLE_MAX_PATH][SW_HASH_LEN], path2[SW_MERKLE_MAX_PATH][SW_HASH_LEN];
    size_t n, n2, checked = 0;
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(v, "inclusion"), i, e)
    {
        uint64_t size = (uint64_t)json_integer_value(json_object_get(e, "size"));
        uint64_t index = (uint64_t)json_integer_value(json_object_get(e, "index"));
        json_t *want = json_object_get(e, "path");
        assert_int_equal(sw_merkle_inclusion_proof(index, size, mem_range, &t, path, &n), SW_OK);
        assert_int_equal(n, json_array_size(want));
        for (size_t k = 0; k < n; k++)
            assert_hash_hex(path[k], json_string_value(json_array_get(want, k)));
        struct sw_proof p;
        char id[8];
        (void)id;
        memset(&p, 0, sizeof p);
        /* From the store: same path. */
        struct mem_tree dummy = t;
        (void)dummy;
        uint8_t r[SW_HASH_LEN];
        mth(&t, 0, size, r);
        assert_int_equal(sw_merkle_verify_inclusion(index, size, t.leaf[index],
                                                    (const uint8_t(*)[SW_HASH_LEN])path, n, r),
                         SW_OK);
        /* Any flipped bit, or a wrong index or size, fails. */
        if (n > 0) {
            path[n - 1][3] ^= 1;
            assert_int_equal(sw_merkle_verify_inclusion(index, size, t.leaf[index],
                                                        (const uint8_t(*)[SW_HASH_LEN])path, n, r),
                             SW_EVERIFY);
            path[n - 1][3] ^= 1;
        }
        assert_int_equal(sw_merkle_verify_inclusion(index, size, t.leaf[(index + 3) % 8],
                                                    (const uint8_t(*)[SW_HASH_LEN])path, n, r),
                         SW_EVERIFY);
        if (size > 1)
            assert_int_equal(sw_merkle_verify_inclusion((index + 1) % size, size, t.leaf[index],
                                                        (const uint8_t(*)[SW_HASH_LEN])path, n, r),
                             SW_EVERIFY);
        checked++;
    }
    assert_int_equal(checked, 36);
    checked = 0;
    json_array_foreach(json_object_get(v, "consistency"), i, e)
    {
        uint64_t m = (uint64_t)json_integer_value(json_object_get(e, "old_size"));
        uint64_t nn = (uint64_t)json_integer_value(json_object_get(e, "new_size"));
        json_t *want = json_object_get(e, "proof");
        assert_int_equal(sw_merkle_consistency_proof(m, nn, mem_range, &t, path, &n), SW_OK);
        assert_int_equal(n, json_array_size(want));
        for (size_t k = 0; k < n; k++)
            assert_hash_hex(path[k], json_string_value(json_array_get(want, k)));
        /* The store's hashes give the same proof. */
        struct sw_proof p;
        assert_int_equal(sw_ledger_prove_consistency(lg, m, nn, &p), SW_OK);
        assert_int_equal(p.n, n);
        assert_memory_equal(p.path, path, n * SW_HASH_LEN);
        uint8_t r1[SW_HASH_LEN], r2[SW_HASH_LEN];
        mth(&t, 0, m, r1);
        mth(&t, 0, nn, r2);
        assert_int_equal(
            sw_merkle_verify_consistency(m, nn, r1, r2, (const uint8_t(*)[SW_HASH_LEN])path, n),
            SW_OK);
        if (m != nn) {
            assert_int_equal(
                sw_merkle_verify_consistency(m, nn, r2, r2, (const uint8_t(*)[SW_HASH_LEN])path, n),
                SW_EVERIFY);
            assert_int_equal(
                sw_merkle_verify_consistency(m, nn, r1, r1, (const uint8_t(*)[SW_HASH_LEN])path, n),
                SW_EVERIFY);
        }
        if (n > 0) {
            path[0][0] ^= 0x80;
            assert_int_equal(
                sw_merkle_verify_consistency(m, nn, r1, r2, (const uint8_t(*)[SW_HASH_LEN])path, n),
                SW_EVERIFY);
        }
        checked++;
    }
    assert_int_equal(checked, 36);
    /* Inclusion proofs from the store match memory too. */
    for (uint64_t size = 1; size <= 8; size++)
        for (uint64_t idx = 0; idx < size; idx++) {
            assert_int_equal(sw_merkle_inclusion_proof(idx, size, mem_range, &t, path, &n), SW_OK);
            struct sw_proof sp;
            assert_int_equal(sw_ledger_prove_index(lg, idx, size, &sp), SW_OK);
            assert_int_equal(sp.n, n);
            assert_memory_equal(sp.path, path, n * SW_HASH_LEN);
            assert_memory_equal(sp.leaf, t.leaf[idx], SW_HASH_LEN);
            uint8_t h[SW_HASH_LEN];
            assert_int_equal(sw_ledger_range_hash(lg, 0, size, h), SW_OK);
            uint8_t r[SW_HASH_LEN];
            mth(&t, 0, size, r);
            assert_memory_equal(h, r, SW_HASH_LEN);
            (void)path2;
            (void)n2;
        }
    printf("RESULT: RFC 6962/9162 vectors: 8 roots, 36 inclusion and 36 consistency proofs "
           "reproduced\n");
    sw_ledger_close(lg);
    sw_store_close(db);
    free(t.leaf);
    json_decref(v);
}

/* Trees up to 1100 leaves from the store against the recursive definition, every stride. */
static void store_matches_definition(void **state)
{
    enum { N = 1100 };
    struct mem_tree t = {calloc(N, SW_HASH_LEN), N};
    sqlite3 *db = mem_db();
    struct sw_ledger *lg;
    assert_int_equal(sw_ledger_open(db, &lg), SW_OK);
    assert_int_equal(sw_store_exec(db, "BEGIN"), SW_OK);
    for (uint64_t i = 0; i < N; i++) {
        uint8_t d[8];
        for (int k = 0; k < 8; k++)
            d[k] = (uint8_t)(i >> (8 * k));
        sw_merkle_leaf_hash(d, sizeof d, t.leaf[i]);
    }
    /* Appended in uneven batches. */
    uint64_t done = 0, step = 1;
    while (done < N) {
        uint64_t k = done + step > N ? N - done : step;
        assert_int_equal(sw_ledger_append_leaves(lg, t.leaf[done], k, NULL), SW_OK);
        done += k;
        step = step * 3 % 97 + 1;
    }
    assert_int_equal(sw_store_exec(db, "COMMIT"), SW_OK);
    static uint8_t p1[SW_MERKLE_MAX_PATH][SW_HASH_LEN];
    size_t n1;
    uint64_t sizes[] = {1, 2, 3, 15, 16, 17, 255, 256, 257, 1000, 1024, 1025, 1099, 1100};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        uint64_t size = sizes[si];
        uint8_t r[SW_HASH_LEN];
        mth(&t, 0, size, r);
        for (uint64_t idx = 0; idx < size; idx += 1 + size / 37) {
            assert_int_equal(sw_merkle_inclusion_proof(idx, size, mem_range, &t, p1, &n1), SW_OK);
            struct sw_proof p;
            assert_int_equal(sw_ledger_prove_index(lg, idx, size, &p), SW_OK);
            assert_int_equal(p.n, n1);
            assert_memory_equal(p.path, p1, n1 * SW_HASH_LEN);
            uint8_t h[SW_HASH_LEN];
            assert_int_equal(sw_ledger_range_hash(lg, idx, size, h), SW_OK);
            uint8_t want[SW_HASH_LEN];
            mth(&t, idx, size, want);
            assert_memory_equal(h, want, SW_HASH_LEN);
            assert_int_equal(sw_merkle_verify_inclusion(idx, size, t.leaf[idx],
                                                        (const uint8_t(*)[SW_HASH_LEN])p1, n1, r),
                             SW_OK);
        }
        for (size_t sj = 0; sj <= si; sj++) {
            struct sw_proof p;
            assert_int_equal(sw_ledger_prove_consistency(lg, sizes[sj], size, &p), SW_OK);
            assert_int_equal(sw_merkle_consistency_proof(sizes[sj], size, mem_range, &t, p1, &n1),
                             SW_OK);
            assert_int_equal(p.n, n1);
            assert_memory_equal(p.path, p1, n1 * SW_HASH_LEN);
            uint8_t r0[SW_HASH_LEN];
            mth(&t, 0, sizes[sj], r0);
            assert_int_equal(sw_merkle_verify_consistency(sizes[sj], size, r0, r,
                                                          (const uint8_t(*)[SW_HASH_LEN])p.path,
                                                          p.n),
                             SW_OK);
        }
    }
    /* Raw leaves without events: the audit says so. */
    assert_int_equal(sw_ledger_audit(lg, NULL, NULL, NULL), SW_EVERIFY);
    sw_ledger_close(lg);
    sw_store_close(db);
    free(t.leaf);
}

/* ------------------------------------------------------------------ canonical JSON */

static void canonical_json(void **state)
{
    json_t *v;
    char *s;
    size_t len;
    const char *in =
        "{\"b\":1,\"a\":[true,null,0.9,-0.0,1e300,124.6,1.0],\"\\u00e9\":\"x\\u2028/\\u0001\","
        "\"A\":\"\\ud83d\\ude00\"}";
    assert_int_equal(sw_canon_parse(in, strlen(in), &v, NULL), SW_OK);
    assert_int_equal(sw_canon_dump(v, &s, &len), SW_OK);
    assert_string_equal(s, "{\"A\":\"\xf0\x9f\x98\x80\",\"a\":[true,null,0.9,-0.0,1e300,124.6,"
                           "1.0],\"b\":1,\"\xc3\xa9\":\"x\xe2\x80\xa8/\\u0001\"}");
    /* Idempotent. */
    json_t *v2;
    char *s2;
    size_t len2;
    assert_int_equal(sw_canon_parse(s, len, &v2, NULL), SW_OK);
    assert_int_equal(sw_canon_dump(v2, &s2, &len2), SW_OK);
    assert_string_equal(s, s2);
    free(s);
    free(s2);
    json_decref(v);
    json_decref(v2);
    /* What cannot be canonical is refused. */
    const char *bad[] = {"{\"a\":1,\"a\":2}",           "{\"a\":NaN}",      "{\"a\":1e999}",
                         "{\"a\":\"\\u0000\"}",         "{\"a\":\"\xff\"}", "{\"a\":1} x",
                         "{\"a\":99999999999999999999}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sw_canon_parse(bad[i], strlen(bad[i]), &v, NULL), SW_EFORMAT);
        assert_null(v);
    }
    /* Event leaf input: evidence.leaf and evidence.sha256 are left out. */
    const char *ev =
        "{\"type\":\"encounter\",\"id\":\"e1\",\"evidence\":{\"leaf\":5,\"sha256\":\"ab\"},"
        "\"details\":{\"z\":1,\"a\":2}}";
    assert_int_equal(sw_canon_parse(ev, strlen(ev), &v, NULL), SW_OK);
    assert_int_equal(sw_canon_event(v, &s, &len), SW_OK);
    assert_string_equal(s, "{\"details\":{\"a\":2,\"z\":1},\"id\":\"e1\",\"type\":\"encounter\"}");
    free(s);
    json_object_set_new(json_object_get(v, "evidence"), "fix", json_integer(3));
    assert_int_equal(sw_canon_event(v, &s, &len), SW_OK);
    assert_string_equal(s, "{\"details\":{\"a\":2,\"z\":1},\"evidence\":{\"fix\":3},\"id\":\"e1\","
                           "\"type\":\"encounter\"}");
    free(s);
    /* The caller's object is unchanged. */
    assert_non_null(json_object_get(json_object_get(v, "evidence"), "leaf"));
    json_object_del(v, "id");
    assert_int_equal(sw_canon_event(v, &s, &len), SW_EFORMAT);
    json_decref(v);
}

/* Random values for comparing sw_canon_dump and sw_buf_json with jansson's own dump. */
static uint64_t jrnd_state = 0x2545f4914f6cdd1dULL;
static uint64_t jrnd(void)
{
    return sw_test_rand64(&jrnd_state);
}

/* Valid UTF-8 of every length class, controls, quotes and backslashes among ASCII. */
static json_t *rnd_string(void)
{
    static const char *const pieces[] = {"a",
                                         "Z",
                                         " ",
                                         "\"",
                                         "\\",
                                         "/",
                                         "\x01",
                                         "\x1f",
                                         "\n",
                                         "\t",
                                         "\b",
                                         "\f",
                                         "\r",
                                         "\x7f",
                                         "\xc3\xa9",
                                         "\xe2\x80\xa8",
                                         "\xef\xbf\xbf",
                                         "\xf0\x9f\x98\x80",
                                         "\xf4\x8f\xbf\xbf",
                                         "\xed\x9f\xbf",
                                         "0",
                                         "e"};
    char buf[128];
    size_t n = 0, k = jrnd() % 12;
    for (size_t i = 0; i < k; i++) {
        const char *p = pieces[jrnd() % (sizeof pieces / sizeof pieces[0])];
        size_t l = strlen(p);
        memcpy(buf + n, p, l);
        n += l;
    }
    return json_stringn(buf, n);
}

static json_t *rnd_real(void)
{
    static const double special[] = {0.0,
                                     -0.0,
                                     0.9,
                                     124.6,
                                     1e300,
                                     1e-7,
                                     2.5e-5,
                                     DBL_MAX,
                                     DBL_MIN,
                                     5e-324,
                                     1e15,
                                     1e16,
                                     123456789012345.6,
                                     -1.5,
                                     100.0,
                                     0.1,
                                     1e21,
                                     -9.87654321e-300};
    if (jrnd() % 3 == 0) return json_real(special[jrnd() % (sizeof special / sizeof special[0])]);
    double v;
    do {
        uint64_t bits = jrnd();
        memcpy(&v, &bits, sizeof v);
    } while (!isfinite(v));
    if (jrnd() % 2) v = (double)(int64_t)(jrnd() % 2000000 - 1000000) / 1e4; /* coordinates */
    return json_real(v);
}

static json_t *rnd_value(int depth)
{
    static const char *const keys[] = {
        "a",    "ab",  "b",  "A",        "",     "aa",     "\xc3\xa9",
        "\x7f", "a b", "id", "evidence", "leaf", "sha256", "z\xf0\x9f\x98\x80"};
    int kind = (int)(jrnd() % (depth > 4 ? 6 : 8));
    switch (kind) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(jrnd() % 2);
    case 2: {
        static const json_int_t ints[] = {0, -1, 1, INT64_MAX, INT64_MIN, 412000000};
        return json_integer(jrnd() % 2 ? ints[jrnd() % 6] : (json_int_t)jrnd());
    }
    case 3:
        return rnd_real();
    case 4:
    case 5:
        return rnd_string();
    case 6: {
        json_t *a = json_array();
        for (size_t i = 0, n = jrnd() % 5; i < n; i++)
            json_array_append_new(a, rnd_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (size_t i = 0, n = jrnd() % 8; i < n; i++)
            json_object_set_new(o, keys[jrnd() % (sizeof keys / sizeof keys[0])],
                                rnd_value(depth + 1));
        return o;
    }
    }
}

/* jansson's dump of v with flags, NUL-terminated (NULL when jansson refuses). */
static char *jansson_dump(const json_t *v, size_t flags, size_t *len)
{
    *len = json_dumpb(v, NULL, 0, flags);
    if (!*len) return NULL;
    char *s = malloc(*len + 1);
    assert_non_null(s);
    assert_int_equal(json_dumpb(v, s, *len, flags), *len);
    s[*len] = '\0';
    return s;
}

/* The canonical event as docs/ledger.md defines it, the slow way: a copy without
 * evidence.leaf and evidence.sha256 (and without evidence when that empties it), dumped by
 * jansson. */
static char *reference_event(const json_t *ev, size_t *len)
{
    json_t *c = json_copy((json_t *)ev), *e = json_object_get(c, "evidence");
    if (e) {
        json_t *e2 = json_copy(e);
        json_object_del(e2, "leaf");
        json_object_del(e2, "sha256");
        if (json_object_size(e2))
            json_object_set_new(c, "evidence", e2);
        else {
            json_decref(e2);
            json_object_del(c, "evidence");
        }
    }
    char *s = jansson_dump(c, SW_CANON_FLAGS, len);
    json_decref(c);
    return s;
}

/* sw_canon_dump and sw_canon_event write their own bytes (src/util/jsondump.c): the same as
 * jansson's json_dumpb with SW_CANON_FLAGS (the published format), over 20,000 random values;
 * sw_buf_json without sorting gives jansson's JSON_COMPACT | JSON_REAL_PRECISION(15) (the
 * detectors' event lines). What jansson refuses, or what the writer leaves to it, gets
 * jansson's answer. */
static void canonical_matches_jansson(void **state)
{
    struct sw_buf b;
    sw_buf_init(&b, 0);
    size_t compared = 0, events = 0;
    for (int i = 0; i < 20000; i++) {
        json_t *v = rnd_value(0);
        if (!json_is_object(v) && !json_is_array(v)) {
            json_t *a = json_array();
            json_array_append_new(a, v);
            v = a;
        }
        size_t lj, lc;
        char *j = jansson_dump(v, SW_CANON_FLAGS, &lj), *c = NULL;
        assert_non_null(j);
        assert_int_equal(sw_canon_dump(v, &c, &lc), SW_OK);
        if (lc != lj || memcmp(c, j, lj)) fail_msg("canonical %s\n   jansson %s", c, j);
        free(c);
        free(j);
        j = jansson_dump(v, JSON_COMPACT | JSON_REAL_PRECISION(15), &lj);
        sw_buf_reset(&b);
        assert_int_equal(sw_buf_json(&b, v, 0), SW_OK);
        if (b.len != lj || memcmp(b.data, j, lj)) fail_msg("line %s\njansson %s", b.data, j);
        free(j);
        compared++;
        if (json_is_object(v)) { /* as an event: evidence.leaf and .sha256 left out */
            json_object_set_new(v, "id", json_string("e1"));
            json_object_set_new(v, "type", json_string("t"));
            json_t *ev = json_object_get(v, "evidence");
            if (!json_is_object(ev) && jrnd() % 2) {
                ev = json_object();
                json_object_set_new(v, "evidence", ev);
            }
            if (json_is_object(ev) && jrnd() % 2) json_object_set_new(ev, "leaf", json_integer(7));
            if (json_is_object(ev) && jrnd() % 2)
                json_object_set_new(ev, "sha256", json_string("ab"));
            int rc = sw_canon_event(v, &c, &lc);
            if (!json_is_object(ev) && ev) {
                assert_int_equal(rc, SW_EFORMAT);
            } else {
                j = reference_event(v, &lj);
                assert_int_equal(rc, SW_OK);
                if (lc != lj || memcmp(c, j, lj)) fail_msg("event %s\n  ref %s", c, j);
                free(c);
                free(j);
                events++;
            }
        }
        json_decref(v);
    }
    /* Reals near the short decimals that the writer prints without snprintf: m / 10^k and
     * their neighbours, of up to 17 digits, at every scale around %.15g's plain form. */
    size_t reals = 0;
    for (int i = 0; i < 200000; i++) {
        static const double p10[] = {1e0, 1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,
                                     1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17};
        uint64_t m = jrnd() % (uint64_t)p10[1 + jrnd() % 17];
        double x = (double)m / p10[jrnd() % 18] * (jrnd() % 2 ? 1 : p10[jrnd() % 6]);
        if (jrnd() % 4 == 0) x = nextafter(x, jrnd() % 2 ? INFINITY : -INFINITY);
        if (jrnd() % 2) x = -x;
        json_t *a = json_pack("[f]", x);
        size_t lj2;
        char *j2 = jansson_dump(a, JSON_COMPACT | JSON_REAL_PRECISION(15), &lj2);
        sw_buf_reset(&b);
        assert_int_equal(sw_buf_json(&b, a, 0), SW_OK);
        if (b.len != lj2 || memcmp(b.data, j2, lj2)) fail_msg("real %s\njansson %s", b.data, j2);
        free(j2);
        json_decref(a);
        reals++;
    }
    /* Left to jansson or refused as jansson refuses: a key holding NUL, a string that is not
     * UTF-8 (only C code can make them: the parser refuses both). */
    json_t *o = json_object();
    json_object_setn_new_nocheck(o, "a\0b", 3, json_integer(1));
    json_object_set_new(o, "a", json_integer(2));
    size_t lj, lc;
    char *j = jansson_dump(o, SW_CANON_FLAGS, &lj), *c = NULL;
    assert_int_equal(sw_canon_dump(o, &c, &lc), SW_OK);
    assert_int_equal(lc, lj);
    assert_memory_equal(c, j, lj);
    free(c);
    free(j);
    json_object_set_new(o, "s", json_stringn_nocheck("\xc3(", 2));
    assert_null(jansson_dump(o, SW_CANON_FLAGS, &lj));
    assert_int_equal(sw_canon_dump(o, &c, &lc), SW_EFORMAT);
    sw_buf_reset(&b);
    assert_int_equal(sw_buf_json(&b, o, 0), SW_EFORMAT);
    json_decref(o);
    sw_buf_release(&b);
    print_message("  RESULT: %zu random values, %zu events and %zu reals written byte for byte as "
                  "jansson writes them\n",
                  compared, events, reals);
}

/* ------------------------------------------------------------ keys and signed notes */

static void note_peer_vector(void **state)
{
    /* golang.org/x/mod/sumdb/note, the package documentation's example key and note. */
    const char *skey =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const char *vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const char *text = "If you think cryptography is the answer to your problem,\n"
                       "then you don't know what your problem is.\n";
    const char *want =
        "If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n"
        "\n"
        "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1"
        "FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    struct sw_ledger_key k;
    struct sw_ledger_pub p;
    char *s;
    assert_int_equal(sw_ledger_key_parse(skey, strlen(skey), &k), SW_OK);
    assert_int_equal(sw_ledger_pub_parse(vkey, strlen(vkey), &p), SW_OK);
    assert_memory_equal(k.pub.pk, p.pk, 32);
    assert_int_equal(sw_ledger_key_format(&k, &s), SW_OK);
    assert_int_equal(strncmp(s, skey, strlen(skey)), 0);
    free(s);
    assert_int_equal(sw_ledger_pub_format(&k.pub, &s), SW_OK);
    assert_int_equal(strncmp(s, vkey, strlen(vkey)), 0);
    free(s);
    assert_int_equal(sw_note_sign(text, strlen(text), &k, &s), SW_OK);
    assert_string_equal(s, want);
    free(s);
    assert_int_equal(sw_note_verify(want, strlen(want), &p, NULL), SW_OK);
    char *bad = strdup(want);
    bad[10] ^= 0x20;
    assert_int_equal(sw_note_verify(bad, strlen(bad), &p, NULL), SW_EVERIFY);
    free(bad);
    /* Mangled keys are refused. */
    char vk[128];
    snprintf(vk, sizeof vk, "%s", vkey);
    vk[14] = vk[14] == '0' ? '1' : '0'; /* key id */
    assert_int_not_equal(sw_ledger_pub_parse(vk, strlen(vk), &p), SW_OK);
    assert_int_equal(sw_ledger_pub_parse(vkey, strlen(vkey) - 1, &p), SW_EFORMAT);
    sw_ledger_key_wipe(&k);
}

static void checkpoint_sign_verify(void **state)
{
    struct sw_ledger_key k, other;
    assert_int_equal(sw_ledger_key_generate("example.org/log", &k), SW_OK);
    assert_int_equal(sw_ledger_key_generate("example.org/log", &other), SW_OK);
    assert_int_equal(sw_ledger_key_generate("bad name", &other), SW_EINVAL);
    assert_int_equal(sw_ledger_key_generate("example.org/log", &other), SW_OK);
    struct sw_checkpoint c = {.size = 12345}, got;
    snprintf(c.origin, sizeof c.origin, "example.org/log");
    for (int i = 0; i < SW_HASH_LEN; i++)
        c.root[i] = (uint8_t)i;
    c.time_ms = 1709274000000LL;
    char *note;
    assert_int_equal(sw_checkpoint_sign(&c, &k, &note), SW_OK);
    assert_int_equal(
        strncmp(note,
                "example.org/log\n12345\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
                "timestamp 2024-03-01T06:20:00Z\n\n\xe2\x80\x94 example.org/log ",
                strlen("example.org/log\n12345\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
                       "Hh8=\ntimestamp 2024-03-01T06:20:00Z\n\n\xe2\x80\x94 example.org/log ")),
        0);
    assert_int_equal(sw_checkpoint_verify(note, strlen(note), &k.pub, &got), SW_OK);
    assert_true(got.size == 12345 && got.time_ms == c.time_ms);
    assert_memory_equal(got.root, c.root, SW_HASH_LEN);
    assert_string_equal(got.origin, "example.org/log");
    assert_int_equal(sw_checkpoint_verify(note, strlen(note), &other.pub, &got), SW_EVERIFY);
    /* Change the size: the signature no longer holds. */
    char *t = strdup(note);
    t[16] = '2';
    assert_int_equal(sw_checkpoint_verify(t, strlen(t), &k.pub, &got), SW_EVERIFY);
    free(t);
    /* A witness's extra signature line is ignored; a missing blank line is malformed. */
    size_t L = strlen(note);
    char *w = malloc(L + 200);
    snprintf(w, L + 200, "%s\xe2\x80\x94 witness.example AAAAAA==\n", note);
    assert_int_equal(sw_checkpoint_verify(w, strlen(w), &k.pub, &got), SW_OK);
    free(w);
    const char *bad = "example.org/log\n12\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";
    assert_int_equal(sw_checkpoint_parse(bad, strlen(bad), &got), SW_EFORMAT);
    const char *bad2 =
        "example.org/log\n012\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n\xe2\x80\x94 x y\n";
    assert_int_equal(sw_checkpoint_parse(bad2, strlen(bad2), &got), SW_EFORMAT);
    free(note);
    /* PEM form of the public key. */
    assert_int_equal(sw_ledger_pub_pem(&k.pub, &note), SW_OK);
    assert_int_equal(strncmp(note, "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA", 42), 0);
    free(note);
    /* Key files: the secret one must be owner-only. */
    char path[256];
    snprintf(path, sizeof path, "%s/k", sw_test_tmpdir());
    assert_int_equal(sw_ledger_key_save(path, &k), SW_OK);
    assert_int_equal(sw_ledger_key_save(path, &k), SW_EEXISTS);
    struct sw_ledger_key k2;
    assert_int_equal(sw_ledger_key_load(path, &k2), SW_OK);
    assert_memory_equal(k2.sk, k.sk, 64);
    chmod(path, 0640);
    assert_int_equal(sw_ledger_key_load(path, &k2), SW_EINVAL);
    sw_ledger_key_wipe(&k);
    sw_ledger_key_wipe(&k2);
    sw_ledger_key_wipe(&other);
}

/* ------------------------------------------------------------- events and the audit */

static json_t *mk_event(int i, const char *extra)
{
    char buf[512];
    snprintf(buf, sizeof buf,
             "{\"id\":\"ev-%04d\",\"type\":\"encounter\",\"start\":\"2024-03-01T06:20:00Z\","
             "\"end\":null,\"lat\":30.9,\"lon\":124.6,\"details\":{\"n\":%d%s}}",
             i, i, extra);
    json_t *v;
    assert_int_equal(sw_canon_parse(buf, strlen(buf), &v, NULL), SW_OK);
    return v;
}

static json_t *kept[4];
static size_t nkept;
/* An event freed at the end of the test. */
static json_t *mk_event_keep(int i)
{
    json_t *v = mk_event(i, "");
    if (nkept < 4) kept[nkept++] = v;
    return v;
}

static void record_prove_audit(void **state)
{
    sqlite3 *db = mem_db();
    struct sw_ledger *lg;
    struct sw_ledger_key k;
    assert_int_equal(sw_ledger_key_generate("test/log", &k), SW_OK);
    assert_int_equal(sw_ledger_open(db, &lg), SW_OK);
    enum { N = 40 };
    json_t *ev[N];
    struct sw_ledger_rec rec[N];
    for (int i = 0; i < N; i++)
        ev[i] = mk_event(i, "");
    assert_int_equal(sw_store_exec(db, "BEGIN IMMEDIATE"), SW_OK);
    assert_int_equal(sw_ledger_record_events(lg, ev, 25, rec), SW_OK);
    char *head1 = NULL;
    assert_int_equal(sw_ledger_sign_head(lg, &k, 1709274000000LL, &head1), SW_OK);
    assert_int_equal(sw_store_exec(db, "COMMIT"), SW_OK);
    for (int i = 0; i < 25; i++) {
        assert_int_equal(rec[i].err, SW_OK);
        assert_int_equal(rec[i].existed, 0);
        assert_true(rec[i].leaf == (uint64_t)i);
        json_t *e = json_object_get(ev[i], "evidence");
        assert_true(json_integer_value(json_object_get(e, "leaf")) == i);
        assert_int_equal(json_string_length(json_object_get(e, "sha256")), 64);
    }
    /* Idempotent: the same events again (now carrying evidence) change nothing. */
    assert_int_equal(sw_ledger_record_events(lg, ev, N, rec), SW_OK);
    for (int i = 0; i < N; i++) {
        assert_int_equal(rec[i].err, SW_OK);
        assert_int_equal(rec[i].existed, i < 25);
        assert_true(rec[i].leaf == (uint64_t)i);
    }
    /* Same id, other content: refused, nothing stored. */
    json_t *clash = mk_event(3, ",\"x\":1");
    uint64_t leaf;
    uint8_t h[SW_HASH_LEN];
    assert_int_equal(sw_ledger_record_event(db, clash, &leaf, h), SW_EEXISTS);
    json_decref(clash);
    json_t *noid = json_pack("{s:s}", "type", "x");
    assert_int_equal(sw_ledger_record_event(db, noid, &leaf, h), SW_EFORMAT);
    json_decref(noid);
    char *head2 = NULL;
    assert_int_equal(sw_ledger_sign_head(lg, &k, 1709274060000LL, &head2), SW_OK);

    /* Inclusion proof of an early event against the first head, through the file format. */
    struct sw_proof p, q;
    struct sw_checkpoint c1, c2;
    assert_int_equal(sw_checkpoint_verify(head1, strlen(head1), &k.pub, &c1), SW_OK);
    assert_int_equal(sw_checkpoint_verify(head2, strlen(head2), &k.pub, &c2), SW_OK);
    assert_true(c1.size == 25 && c2.size == N);
    assert_int_equal(sw_ledger_prove_event(lg, "ev-0007", c1.size, &p), SW_OK);
    char *text;
    assert_int_equal(sw_proof_format(&p, &text), SW_OK);
    sw_proof_release(&p);
    assert_int_equal(sw_proof_parse(text, strlen(text), &q), SW_OK);
    free(text);
    assert_int_equal(sw_proof_verify(&q, &c1, NULL), SW_OK);
    assert_int_equal(sw_proof_verify(&q, &c2, NULL), SW_EVERIFY); /* other size */
    /* An event claiming another leaf fails. */
    json_object_set_new(json_object_get(q.event, "evidence"), "leaf", json_integer(8));
    assert_int_equal(sw_proof_verify(&q, &c1, NULL), SW_EVERIFY);
    json_object_set_new(json_object_get(q.event, "evidence"), "leaf", json_integer(7));
    assert_int_equal(sw_proof_verify(&q, &c1, NULL), SW_OK);
    /* An edited event in the proof fails. */
    json_object_set_new(json_object_get(q.event, "details"), "n", json_integer(8));
    assert_int_equal(sw_proof_verify(&q, &c1, NULL), SW_EVERIFY);
    sw_proof_release(&q);
    assert_int_equal(sw_ledger_prove_event(lg, "nope", 0, &p), SW_ENOTFOUND);
    assert_int_equal(sw_ledger_prove_event(lg, "ev-0030", c1.size, &p), SW_ERANGE);
    /* Consistency between the two heads. */
    assert_int_equal(sw_ledger_prove_consistency(lg, c1.size, c2.size, &p), SW_OK);
    assert_int_equal(sw_proof_format(&p, &text), SW_OK);
    assert_int_equal(sw_proof_parse(text, strlen(text), &q), SW_OK);
    free(text);
    assert_int_equal(sw_proof_verify(&q, &c2, &c1), SW_OK);
    assert_int_equal(sw_proof_verify(&q, &c1, &c2), SW_EVERIFY);

    /* The audit passes, then catches each kind of tampering (and each is undone). */
    char msg[SW_ERRMAX];
    assert_int_equal(sw_ledger_audit(lg, &k.pub, &c1, msg), SW_OK);
    struct {
        const char *tamper, *undo;
    } cases[] = {
        {"UPDATE events SET json = replace(json, '\"n\":7', '\"n\":8') WHERE id = 'ev-0007'",
         "UPDATE events SET json = replace(json, '\"n\":8', '\"n\":7') WHERE id = 'ev-0007'"},
        {"UPDATE events SET leaf = -1 WHERE id = 'ev-0003'; UPDATE events SET leaf = 3 WHERE id = "
         "'ev-0004'; UPDATE events SET leaf = 4 WHERE id = 'ev-0003'",
         "UPDATE events SET leaf = -1 WHERE id = 'ev-0003'; UPDATE events SET leaf = 3 WHERE id = "
         "'ev-0003' AND 0; UPDATE events SET leaf = 4 WHERE id = 'ev-0004' AND 0; "
         "UPDATE events SET leaf = -2 WHERE id = 'ev-0004'; UPDATE events SET leaf = 3 WHERE id = "
         "'ev-0003'; UPDATE events SET leaf = 4 WHERE id = 'ev-0004'"},
        {"UPDATE ledger_heads SET note = replace(note, 'test/log\n25', 'test/log\n24')",
         "UPDATE ledger_heads SET note = replace(note, 'test/log\n24', 'test/log\n25')"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(sw_store_exec(db, cases[i].tamper), SW_OK);
        assert_int_equal(sw_ledger_audit(lg, &k.pub, &c1, msg), SW_EVERIFY);
        printf("NOTE: tamper %zu caught: %s\n", i, msg);
        assert_int_equal(sw_store_exec(db, cases[i].undo), SW_OK);
        assert_int_equal(sw_ledger_audit(lg, &k.pub, &c1, msg), SW_OK);
    }
    /* Hostile database content is reported, never trusted or crashed on. */
    assert_int_equal(sw_store_exec(db, "CREATE TEMP TABLE st AS SELECT * FROM ledger_state;"
                                       "CREATE TEMP TABLE t0 AS SELECT * FROM ledger_tiles "
                                       "WHERE id = 0;"
                                       "UPDATE ledger_tiles SET hashes = x'00' WHERE id = 0"),
                     SW_OK);
    assert_int_equal(sw_ledger_audit(lg, &k.pub, &c1, msg), SW_EVERIFY);
    assert_int_equal(sw_ledger_prove_event(lg, "ev-0001", 0, &p), SW_EFORMAT);
    assert_int_equal(sw_store_exec(db, "UPDATE ledger_state SET frontier = x'0102'"), SW_OK);
    assert_int_equal(sw_ledger_record_event(db, mk_event_keep(99), &leaf, h), SW_EFORMAT);
    assert_int_equal(sw_ledger_audit(lg, &k.pub, &c1, msg), SW_EVERIFY);
    printf("NOTE: malformed state caught: %s\n", msg);
    assert_int_equal(sw_store_exec(db, "DELETE FROM ledger_state; INSERT INTO ledger_state "
                                       "SELECT * FROM st; INSERT OR REPLACE INTO ledger_tiles "
                                       "SELECT * FROM t0"),
                     SW_OK);
    assert_int_equal(sw_ledger_audit(lg, &k.pub, &c1, msg), SW_OK);
    /* Deleting the last events (and rolling the state back) leaves signed heads unmatched. */
    assert_int_equal(sw_store_exec(db, "DELETE FROM events WHERE leaf >= 30"), SW_OK);
    assert_int_equal(sw_ledger_audit(lg, &k.pub, NULL, msg), SW_EVERIFY);
    printf("NOTE: truncation caught: %s\n", msg);
    free(head1);
    free(head2);
    for (size_t i = 0; i < nkept; i++)
        json_decref(kept[i]);
    for (int i = 0; i < N; i++)
        json_decref(ev[i]);
    sw_ledger_close(lg);
    sw_store_close(db);
    sw_ledger_key_wipe(&k);
}

/* A batch that stops at a refused id: the events before it are recorded in order, the refused
 * one is reported, the rest untouched; the rest then goes on at the next leaf. */
static void record_until_exists(void **state)
{
    (void)state;
    sqlite3 *db = mem_db();
    struct sw_ledger *lg;
    assert_int_equal(sw_ledger_open(db, &lg), SW_OK);
    enum { N = 5 };
    json_t *ev[N];
    struct sw_ledger_rec rec[N];
    for (int i = 0; i < N; i++)
        ev[i] = mk_event(i, "");
    assert_int_equal(sw_ledger_record_events(lg, ev, N, rec), SW_OK);
    json_t *b[4] = {mk_event(100, ""), mk_event(101, ""), mk_event(2, ",\"x\":1"),
                    mk_event(102, "")};
    struct sw_ledger_rec br[4];
    size_t done = 99;
    assert_int_equal(sw_ledger_record_until_exists(lg, b, 4, br, &done), SW_OK);
    assert_int_equal(done, 3);
    assert_int_equal(br[0].err, SW_OK);
    assert_true(br[0].leaf == N && br[1].leaf == N + 1);
    assert_int_equal(br[2].err, SW_EEXISTS);
    assert_int_equal(sw_ledger_record_until_exists(lg, b + 3, 1, br + 3, &done), SW_OK);
    assert_int_equal(done, 1);
    assert_true(br[3].err == SW_OK && br[3].leaf == N + 2);
    /* again, with the clash gone: all existed, nothing stops */
    json_decref(b[2]);
    b[2] = mk_event(2, "");
    assert_int_equal(sw_ledger_record_until_exists(lg, b, 4, br, &done), SW_OK);
    assert_int_equal(done, 4);
    for (int i = 0; i < 4; i++)
        assert_true(br[i].err == SW_OK && br[i].existed);
    assert_true(br[2].leaf == 2 && br[3].leaf == N + 2);
    uint64_t sz;
    uint8_t rt[SW_HASH_LEN];
    char msg[SW_ERRMAX];
    assert_int_equal(sw_ledger_tree(lg, &sz, rt), SW_OK);
    assert_true(sz == N + 3);
    assert_int_equal(sw_ledger_audit(lg, NULL, NULL, msg), SW_OK);
    for (int i = 0; i < 4; i++)
        json_decref(b[i]);
    for (int i = 0; i < N; i++)
        json_decref(ev[i]);
    sw_ledger_close(lg);
    sw_store_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc_vectors),        cmocka_unit_test(store_matches_definition),
        cmocka_unit_test(canonical_json),     cmocka_unit_test(canonical_matches_jansson),
        cmocka_unit_test(note_peer_vector),   cmocka_unit_test(checkpoint_sign_verify),
        cmocka_unit_test(record_prove_audit), cmocka_unit_test(record_until_exists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
