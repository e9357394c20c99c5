/*
 * Unit tests of the witness (C2SP tlog-witness, tlog-cosignature): the cosignature format
 * byte for byte against published vectors and an independent Ed25519 (OpenSSL), the
 * add-checkpoint requests of a published implementation's tests, every refusal the spec names
 * with its status, requests, policies, the log side's recording of cosignatures and
 * key-rotation statements.
 *
 * Vectors used (test data of other projects, cited where used):
 *  - c2sp.org/tlog-cosignature, the specification's own example cosignature line;
 *  - github.com/transparency-dev/formats note/note_cosigv1_test.go (Apache-2.0): a published
 *    type 0x04 verifier key of a running witness;
 *  - github.com/FiloSottile/torchwood internal/witness/witness_test.go (BSD-3-Clause): the
 *    test witness key (seed 31ffc211...), the test log key (public key ffdc2d4d...) and its
 *    signed add-checkpoint requests of sizes 1, 3 and 5 with their consistency proofs.
 */
#include "testutil.h"

#include "sanctwatch/error.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/store.h"
#include "sanctwatch/timeutil.h"
#include "sanctwatch/witness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DASH "\xe2\x80\x94 "

/* torchwood's test log. */
static const char tw_origin[] =
    "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562";
static const uint8_t tw_log_pk[32] = {
    0xff, 0xdc, 0x2d, 0x4d, 0x98, 0xe4, 0x12, 0x4d, 0x3f, 0xea, 0xf7, 0x88, 0xc0, 0xc2, 0xf9, 0xab,
    0xfd, 0x79, 0x60, 0x83, 0xd1, 0xf0, 0x49, 0x54, 0x37, 0xf3, 0x02, 0xec, 0x79, 0xcf, 0x10, 0x0f};
static const char tw_req1[] =
    "old 0\n\n"
    "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562\n1\n"
    "KgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n" DASH
    "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562 "
    "UgIom7fPZTqpxWWhyjWduBvTvGVqsokMbqTArsQilegKoFBJQjUFAmQ0+YeSPM3wfUQMFSzVnnNuWRTYrajXpNUbIQY="
    "\n";
static const char tw_req3[] =
    "old 1\nKgEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    "KgIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
    "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562\n3\n"
    "RcCI1Nk56ZcSmIEfIn0SleqtV7uvrlXNccFx595Iwl0=\n\n" DASH
    "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562 "
    "UgIom2VbtIcdFbwFAy1n7s6IkAxIY6J/GQOTuZF2ORV39d75cbAj2aQYwyJre36kezNobZs4SUUdrcawfAB8WVrx6go="
    "\n";
static const char tw_req5[] =
    "old 1\nKgEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    "+fUDV+k970B4I3uKrqJM4aP1lloPZP8mvr2Z4wRw2LI=\n"
    "KgQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
    "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562\n5\n"
    "QrtXrQZCCvpIgsSmOsah7HdICzMLLyDfxToMql9WTjY=\n\n" DASH
    "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562 "
    "UgIomw/EOJmWi0i1FQsOj+etB7F8IccFam/jgd6wzRns4QPVmyEZtdvl1U2KEmLOZ/ASRcWJi0tW90dJWAShei7sDww="
    "\n";
/* torchwood's test witness (name "example.com", Ed25519 seed 31ffc211...), written as our key
 * file; its cosignature of tw_req1's checkpoint at time 1679315147 (the time of the spec's
 * example), computed by OpenSSL 3.0 (openssl pkeyutl -sign -rawin) over
 * "cosignature/v1\ntime 1679315147\n" || checkpoint body, framed as the spec says. */
static const char tw_witness_skey[] =
    "PRIVATE+KEY+example.com+db38d226+BDH/whFuy+ADrKqACrcHV719UyBuP+vvam0HltlVMLNP";
static const char tw_cosig1[] = DASH
    "example.com 2zjSJgAAAABkGFDL6nT3tdWsnr60QRZM37d3Muo2MeCQf6qCeVmIcJczUPW+0wqqcKXKPaU7yt6vRI"
    "aGiaTt8vwiEciBIHFemInCDA==\n";
#define SPEC_TIME 1679315147

static void tw_log_pub(struct sw_ledger_pub *p)
{
    memset(p, 0, sizeof *p);
    memcpy(p->name, tw_origin, sizeof tw_origin);
    memcpy(p->pk, tw_log_pk, 32);
    sw_ledger_pub_retype(p, SW_NOTE_ED25519);
}

static struct sw_witness *tw_witness(void)
{
    struct sw_ledger_key k;
    struct sw_witness *w;
    struct sw_ledger_pub lp;
    char err[SW_ERRMAX];
    assert_int_equal(sw_ledger_key_parse(tw_witness_skey, strlen(tw_witness_skey), &k), SW_OK);
    assert_int_equal(k.pub.alg, SW_NOTE_COSIG_V1);
    assert_int_equal(sw_witness_open(":memory:", &k, &w, err), SW_OK);
    sw_ledger_key_wipe(&k);
    tw_log_pub(&lp);
    assert_int_equal(sw_witness_add_log(w, tw_origin, &lp), SW_OK);
    return w;
}

static int add(struct sw_witness *w, const char *body, size_t len, struct sw_witness_reply *r)
{
    assert_int_equal(sw_witness_add_checkpoint(w, body, len, SPEC_TIME, r), SW_OK);
    return r->status;
}

/* -------------------------------------------------------------- formats, byte for byte */

static void cosignature_vectors(void **state)
{
    (void)state;
    /* The spec's example line: key id 8d66cf3f, timestamp 1679315147, 76 bytes. The spec
     * publishes no key for it, so a key of that name and id must find the line and fail the
     * signature (SW_EVERIFY), where a key of another id finds nothing (SW_ENOTFOUND). */
    static const char spec[] =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/"
        "Xajj7h2fB2MPA3j2jxq2I=\n\n" DASH
        "example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
        "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n" DASH "witness.example.com/w1 "
        "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZ"
        "qhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
    struct sw_ledger_pub p;
    memset(&p, 0, sizeof p);
    snprintf(p.name, sizeof p.name, "witness.example.com/w1");
    p.alg = SW_NOTE_COSIG_V1;
    memcpy(p.keyid, "\x8d\x66\xcf\x3f", 4);
    assert_int_equal(sw_note_verify_sig(spec, strlen(spec), &p, NULL, NULL), SW_EVERIFY);
    p.keyid[3] ^= 1;
    assert_int_equal(sw_note_verify_sig(spec, strlen(spec), &p, NULL, NULL), SW_ENOTFOUND);
    struct sw_checkpoint c;
    assert_int_equal(sw_checkpoint_parse(spec, strlen(spec), &c), SW_OK);
    assert_int_equal(c.size, 20852163);

    /* transparency-dev/formats: a published type 0x04 vkey; the key id must be ours. */
    static const char remora[] =
        "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";
    char *out;
    assert_int_equal(sw_ledger_pub_parse(remora, strlen(remora), &p), SW_OK);
    assert_int_equal(p.alg, SW_NOTE_COSIG_V1);
    assert_int_equal(sw_ledger_pub_format(&p, &out), SW_OK);
    assert_int_equal(strncmp(out, remora, strlen(remora)), 0);
    free(out);
    /* The same key with another id does not parse (the id is checked). */
    static const char wrong[] =
        "remora.n621.de+da77ade8+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";
    assert_int_equal(sw_ledger_pub_parse(wrong, strlen(wrong), &p), SW_EVERIFY);

    /* torchwood's witness key cosigning torchwood's checkpoint at the spec's time: exactly the
     * line OpenSSL's Ed25519 gives for the message the spec defines. */
    struct sw_ledger_key k;
    struct sw_witness_request q;
    assert_int_equal(sw_ledger_key_parse(tw_witness_skey, strlen(tw_witness_skey), &k), SW_OK);
    assert_int_equal(sw_witness_request_parse(tw_req1, strlen(tw_req1), &q), SW_OK);
    size_t body = strstr(q.note, "\n\n") + 1 - q.note;
    assert_int_equal(sw_cosig_sign(q.note, body, &k, SPEC_TIME, &out), SW_OK);
    assert_string_equal(out, tw_cosig1);
    free(out);
    printf("AGREE: cosignature/v1 line identical to OpenSSL's Ed25519 over the spec's message "
           "(torchwood test key and checkpoint)\n");
    /* A plain note key cannot cosign, a cosigner cannot sign plain notes. */
    assert_int_equal(sw_note_sign(q.note, body, &k, &out), SW_EINVAL);
    struct sw_ledger_key plain;
    assert_int_equal(sw_ledger_key_generate("log.example", &plain), SW_OK);
    assert_int_equal(sw_cosig_sign(q.note, body, &plain, SPEC_TIME, &out), SW_EINVAL);
    sw_ledger_key_wipe(&k);
    sw_ledger_key_wipe(&plain);
}

/* ------------------------------------------------------- torchwood's requests, by HTTP logic */

static void peer_requests(void **state)
{
    (void)state;
    struct sw_witness *w = tw_witness();
    struct sw_witness_reply r;
    /* Size 1 from nothing: cosigned, with exactly the OpenSSL vector's line. */
    assert_int_equal(add(w, tw_req1, strlen(tw_req1), &r), 200);
    assert_string_equal(r.body, tw_cosig1);
    sw_witness_reply_release(&r);
    /* The same again (old 1, size 1, no proof): cosigned again. */
    char again[1024];
    snprintf(again, sizeof again, "old 1\n%s", strstr(tw_req1, "\n\n") + 1);
    assert_int_equal(add(w, again, strlen(again), &r), 200);
    sw_witness_reply_release(&r);
    /* 1 -> 5 with torchwood's proof, then the racing 1 -> 3 is a conflict naming 5. */
    assert_int_equal(add(w, tw_req5, strlen(tw_req5), &r), 200);
    sw_witness_reply_release(&r);
    assert_int_equal(add(w, tw_req3, strlen(tw_req3), &r), 409);
    assert_string_equal(r.content_type, SW_WITNESS_SIZE_TYPE);
    assert_string_equal(r.body, "5\n");
    sw_witness_reply_release(&r);
    struct sw_checkpoint c;
    assert_int_equal(sw_witness_latest(w, tw_origin, &c, NULL), SW_OK);
    assert_int_equal(c.size, 5);
    /* torchwood's TestTooManyProofs: 64 proof lines are a bad request. */
    char big[8192];
    int n = snprintf(big, sizeof big, "old 0\n");
    for (int i = 0; i < 64; i++)
        n += snprintf(big + n, sizeof big - (size_t)n,
                      "KgEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
    snprintf(big + n, sizeof big - (size_t)n, "%s", strstr(tw_req1, "\n\n") + 1);
    assert_int_equal(add(w, big, strlen(big), &r), 400);
    sw_witness_reply_release(&r);
    sw_witness_close(w);
    printf("AGREE: torchwood's signed add-checkpoint requests (sizes 1, 5, then 3): 200, 200, "
           "409 '5'; 64 proof lines: 400\n");
}

/* ------------------------------------------------------------------ every refusal */

struct logfix {
    sqlite3 *db;
    struct sw_ledger *lg;
    struct sw_ledger_key key;
};

static void log_open(struct logfix *f, const char *name)
{
    char err[SW_ERRMAX];
    assert_int_equal(sw_store_open(":memory:", &f->db, err), SW_OK);
    assert_int_equal(sw_ledger_open(f->db, &f->lg), SW_OK);
    assert_int_equal(sw_ledger_key_generate(name, &f->key), SW_OK);
}

static void log_grow(struct logfix *f, unsigned n, uint8_t salt)
{
    uint8_t h[SW_HASH_LEN];
    for (unsigned i = 0; i < n; i++) {
        uint64_t size, first;
        uint8_t root[SW_HASH_LEN];
        assert_int_equal(sw_ledger_tree(f->lg, &size, root), SW_OK);
        uint8_t data[9] = {salt, (uint8_t)size, (uint8_t)(size >> 8)};
        sw_merkle_leaf_hash(data, sizeof data, h);
        assert_int_equal(sw_ledger_append_leaves(f->lg, h, 1, &first), SW_OK);
    }
}

/* A request claiming old for the log's current tree, signed by the log key. */
static char *log_request(struct logfix *f, uint64_t old, char **note_out)
{
    char *note, *body;
    size_t len;
    struct sw_proof p;
    uint64_t size;
    uint8_t root[SW_HASH_LEN];
    memset(&p, 0, sizeof p);
    assert_int_equal(sw_ledger_sign_head(f->lg, &f->key, 1700000000000, &note), SW_OK);
    assert_int_equal(sw_ledger_tree(f->lg, &size, root), SW_OK);
    if (old > 0 && old < size)
        assert_int_equal(sw_ledger_prove_consistency(f->lg, old, size, &p), SW_OK);
    assert_int_equal(sw_witness_request_format(old, (const uint8_t(*)[SW_HASH_LEN])p.path, p.n,
                                               note, strlen(note), &body, &len),
                     SW_OK);
    if (note_out)
        *note_out = note;
    else
        free(note);
    return body;
}

static int submit(struct sw_witness *w, const char *body, struct sw_witness_reply *r)
{
    return add(w, body, strlen(body), r);
}

static void refusals(void **state)
{
    (void)state;
    struct logfix lf, other, fork;
    struct sw_ledger_key wk;
    struct sw_witness *w;
    struct sw_witness_reply r;
    char err[SW_ERRMAX], *b;
    log_open(&lf, "log.example/a");
    log_open(&other, "log.example/unknown");
    assert_int_equal(sw_ledger_key_generate_alg("w.example", SW_NOTE_COSIG_V1, &wk), SW_OK);
    assert_int_equal(sw_witness_open(":memory:", &wk, &w, err), SW_OK);
    assert_int_equal(sw_witness_add_log(w, "log.example/a", &lf.key.pub), SW_OK);
    /* Empty tree with its root: 200; with a wrong root: 422. */
    b = log_request(&lf, 0, NULL);
    assert_int_equal(submit(w, b, &r), 200);
    sw_witness_reply_release(&r);
    free(b);
    log_grow(&lf, 5, 1);
    /* 404: unknown origin. */
    log_grow(&other, 2, 1);
    b = log_request(&other, 0, NULL);
    assert_int_equal(submit(w, b, &r), 404);
    sw_witness_reply_release(&r);
    free(b);
    /* 403: signed by an untrusted key of the right name. */
    struct sw_ledger_key impostor = other.key;
    assert_int_equal(sw_ledger_key_generate("log.example/a", &other.key), SW_OK);
    b = log_request(&other, 0, NULL);
    assert_int_equal(submit(w, b, &r), 403);
    sw_witness_reply_release(&r);
    free(b);
    sw_ledger_key_wipe(&impostor);
    /* 400: malformed requests, and an old size above the checkpoint's. */
    b = log_request(&lf, 0, NULL);
    char *bad = strdup(b);
    bad[0] = 'O';
    assert_int_equal(submit(w, bad, &r), 400);
    sw_witness_reply_release(&r);
    memcpy(bad, "old 9", 5);
    assert_int_equal(submit(w, bad, &r), 400);
    sw_witness_reply_release(&r);
    free(bad);
    /* 409: old size 3 while the witness holds 0; the body is the size it holds. */
    char *b3 = log_request(&lf, 3, NULL);
    assert_int_equal(submit(w, b3, &r), 409);
    assert_string_equal(r.body, "0\n");
    assert_string_equal(r.content_type, SW_WITNESS_SIZE_TYPE);
    sw_witness_reply_release(&r);
    free(b3);
    /* 422: a proof where none belongs (old 0). */
    b[4] = '0';
    size_t wl = strlen(b) + 64;
    char *withproof = malloc(wl);
    snprintf(withproof, wl, "old 0\nKgEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n%s",
             strchr(b, '\n') + 1);
    assert_int_equal(submit(w, withproof, &r), 422);
    sw_witness_reply_release(&r);
    free(withproof);
    /* 200: old 0 -> 5. */
    assert_int_equal(submit(w, b, &r), 200);
    sw_witness_reply_release(&r);
    free(b);
    /* A fork: the same key signs a tree with one leaf rewritten, grown to 7. */
    log_open(&fork, "log.example/a");
    sw_ledger_key_wipe(&fork.key);
    fork.key = lf.key;
    log_grow(&fork, 5, 2);
    /* Same size, another root: 409 split view, kept as evidence. */
    b = log_request(&fork, 5, NULL);
    assert_int_equal(submit(w, b, &r), 409);
    assert_int_equal(r.evidence, 1);
    assert_non_null(strstr(r.reason, "split view"));
    assert_string_equal(r.body, "5\n");
    sw_witness_reply_release(&r);
    free(b);
    /* Larger, with the forger's own proof from 5: 422, evidence. */
    log_grow(&fork, 2, 2);
    b = log_request(&fork, 5, NULL);
    assert_int_equal(submit(w, b, &r), 422);
    assert_int_equal(r.evidence, 1);
    sw_witness_reply_release(&r);
    free(b);
    /* The honest log goes on: 5 -> 7 cosigned; then a stale head (old 7, size 5): 400. */
    log_grow(&lf, 2, 1);
    b = log_request(&lf, 5, NULL);
    assert_int_equal(submit(w, b, &r), 200);
    sw_witness_reply_release(&r);
    free(b);
    /* 413: a body over the limit. */
    size_t big = SW_WITNESS_BODY_MAX + 1;
    char *huge = malloc(big);
    memset(huge, 'A', big);
    assert_int_equal(add(w, huge, big, &r), 413);
    sw_witness_reply_release(&r);
    free(huge);
    /* The evidence is kept: two refusals recorded. */
    struct sw_checkpoint c;
    assert_int_equal(sw_witness_latest(w, "log.example/a", &c, NULL), SW_OK);
    assert_int_equal(c.size, 7);
    sw_witness_close(w);
    sw_ledger_key_wipe(&wk);
    sw_ledger_close(lf.lg);
    sw_store_close(lf.db);
    sw_ledger_close(other.lg);
    sw_store_close(other.db);
    sw_ledger_close(fork.lg);
    sw_store_close(fork.db);
    sw_ledger_key_wipe(&lf.key);
    sw_ledger_key_wipe(&other.key);
}

/* Size zero: the empty tree's root only, never with a proof. */
static void empty_tree(void **state)
{
    (void)state;
    struct logfix lf;
    struct sw_ledger_key wk;
    struct sw_witness *w;
    struct sw_witness_reply r;
    struct sw_checkpoint c;
    char err[SW_ERRMAX], *note, *body;
    size_t len;
    log_open(&lf, "log.example/z");
    assert_int_equal(sw_ledger_key_generate_alg("w.example", SW_NOTE_COSIG_V1, &wk), SW_OK);
    assert_int_equal(sw_witness_open(":memory:", &wk, &w, err), SW_OK);
    assert_int_equal(sw_witness_add_log(w, "log.example/z", &lf.key.pub), SW_OK);
    memset(&c, 0, sizeof c);
    snprintf(c.origin, sizeof c.origin, "log.example/z");
    c.time_ms = SW_TIME_NONE;
    memset(c.root, 7, SW_HASH_LEN);
    assert_int_equal(sw_checkpoint_sign(&c, &lf.key, &note), SW_OK);
    assert_int_equal(sw_witness_request_format(0, NULL, 0, note, strlen(note), &body, &len), SW_OK);
    assert_int_equal(add(w, body, len, &r), 422);
    sw_witness_reply_release(&r);
    assert_int_equal(sw_witness_latest(w, "log.example/z", &c, NULL), SW_ENOTFOUND);
    free(note);
    free(body);
    sw_witness_close(w);
    sw_ledger_key_wipe(&wk);
    sw_ledger_close(lf.lg);
    sw_store_close(lf.db);
    sw_ledger_key_wipe(&lf.key);
}

/* --------------------------------------------------------------- requests and policies */

static void request_format(void **state)
{
    (void)state;
    struct sw_witness_request q;
    assert_int_equal(sw_witness_request_parse(tw_req5, strlen(tw_req5), &q), SW_OK);
    assert_int_equal(q.old_size, 1);
    assert_int_equal(q.nproof, 3);
    char *out;
    size_t len;
    assert_int_equal(sw_witness_request_format(q.old_size, (const uint8_t(*)[SW_HASH_LEN])q.proof,
                                               q.nproof, q.note, q.note_len, &out, &len),
                     SW_OK);
    assert_int_equal(len, strlen(tw_req5));
    assert_memory_equal(out, tw_req5, len);
    free(out);
    static const char *const bad[] = {"",
                                      "old\n\nx\n",
                                      "old 01\n\nx\n",
                                      "old -1\n\nx\n",
                                      "old 1\n",
                                      "old 1\nAAAA\n\nx\n",
                                      "old 1\n\n",
                                      "old 1 \n\nx\n",
                                      "old 18446744073709551616\n\nx\n",
                                      "old 1\nKgEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n\nx\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(sw_witness_request_parse(bad[i], strlen(bad[i]), &q), SW_OK);
}

static void policy_parse(void **state)
{
    (void)state;
    struct sw_witness_policy p;
    char err[SW_ERRMAX];
    static const char good[] =
        "# partners\n"
        "witness remora.n621.de "
        "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2 "
        "https://w.example/\n"
        "quorum 1\n";
    assert_int_equal(sw_witness_policy_parse(good, strlen(good), &p, err), SW_OK);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.quorum, 1);
    assert_string_equal(p.peer[0].url, "https://w.example/");
    assert_int_equal(sw_witness_policy_names(&p), 1);
    static const char *const bad[] = {
        "witness other.name remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2\n",
        "witness x y\n", "quorum 0\n", "quorum\n", "witnesses a b c\n",
        /* a log (0x01) key is not a witness key */
        ("witness PeterNeumann "
         "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n")};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sw_witness_policy_parse(bad[i], strlen(bad[i]), &p, err), SW_EFORMAT);
        assert_non_null(strstr(err, "line 1"));
    }
}

/* --------------------------------------------- the log side: quorum count and recording */

static void count_and_record(void **state)
{
    (void)state;
    struct logfix lf;
    struct sw_ledger_key wk[3];
    struct sw_witness_policy p;
    char *note, *line, *vk;
    memset(&p, 0, sizeof p);
    log_open(&lf, "log.example/c");
    log_grow(&lf, 3, 1);
    assert_int_equal(sw_ledger_sign_head(lf.lg, &lf.key, 1700000000000, &note), SW_OK);
    size_t body = strstr(note, "\n\n") + 1 - note;
    char all[8192];
    snprintf(all, sizeof all, "%s", note);
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "w%d.example", i);
        assert_int_equal(sw_ledger_key_generate_alg(name, SW_NOTE_COSIG_V1, &wk[i]), SW_OK);
    }
    for (int i = 0; i < 3; i++) {
        const char *name = wk[i].pub.name;
        assert_int_equal(sw_ledger_pub_format(&wk[i].pub, &vk), SW_OK);
        vk[strlen(vk) - 1] = '\0';
        assert_int_equal(sw_witness_policy_add(&p, name, vk, NULL), SW_OK);
        free(vk);
        if (i == 2) continue; /* w2 does not cosign */
        assert_int_equal(sw_cosig_sign(note, body, &wk[i], 1700000000 + (uint64_t)i, &line), SW_OK);
        size_t al = strlen(all);
        snprintf(all + al, sizeof all - al, "%s", line);
        assert_int_equal(sw_ledger_add_cosignature(lf.lg, note, &wk[i].pub, line), SW_OK);
        /* A line of another key is refused. */
        assert_int_equal(sw_ledger_add_cosignature(lf.lg, note, &wk[(i + 1) % 3].pub, line),
                         SW_EVERIFY);
        free(line);
    }
    unsigned count;
    int by[3];
    uint64_t ts[3];
    assert_int_equal(sw_witness_count(all, strlen(all), &p, &count, by, ts, NULL), SW_OK);
    assert_int_equal(count, 2);
    assert_true(by[0] && by[1] && !by[2]);
    assert_int_equal(ts[1], 1700000001);
    /* What the report's annex lists: the names and times on the cosignature lines. */
    struct sw_cosigner cs[4];
    size_t ncs;
    assert_int_equal(sw_witness_cosigners(all, strlen(all), cs, 4, &ncs), SW_OK);
    assert_int_equal(ncs, 2);
    assert_string_equal(cs[0].name, "w0.example");
    assert_string_equal(cs[1].name, "w1.example");
    assert_int_equal(cs[1].timestamp, 1700000001);
    /* The recorded head carries both lines; the witness sizes are known. */
    char *rec;
    uint64_t size;
    assert_int_equal(sw_ledger_latest_head(lf.lg, 0, &rec), SW_OK);
    assert_string_equal(rec, all);
    free(rec);
    assert_int_equal(sw_ledger_witness_size(lf.lg, &wk[1].pub, &size), SW_OK);
    assert_int_equal(size, 3);
    assert_int_equal(sw_ledger_witness_size(lf.lg, &wk[2].pub, &size), SW_OK);
    assert_int_equal(size, 0);
    /* A tampered cosignature of a trusted key rejects the note, naming the key. */
    char *t = strstr(all, DASH "w1.example ") + strlen(DASH "w1.example ") + 20;
    *t = *t == 'A' ? 'B' : 'A';
    size_t badk = 99;
    assert_int_equal(sw_witness_count(all, strlen(all), &p, &count, NULL, NULL, &badk), SW_EVERIFY);
    assert_int_equal(badk, 1);
    free(note);
    for (int i = 0; i < 3; i++)
        sw_ledger_key_wipe(&wk[i]);
    sw_ledger_close(lf.lg);
    sw_store_close(lf.db);
    sw_ledger_key_wipe(&lf.key);
}

/* ---------------------------------------------------------------------- key rotation */

static void rotation(void **state)
{
    (void)state;
    for (unsigned alg = SW_NOTE_ED25519; alg <= SW_NOTE_COSIG_V1; alg += 3) {
        struct sw_ledger_key a, b, c;
        struct sw_ledger_pub next;
        char *st;
        assert_int_equal(sw_ledger_key_generate_alg("k.example", alg, &a), SW_OK);
        assert_int_equal(sw_ledger_key_generate_alg("k.example", alg, &b), SW_OK);
        assert_int_equal(sw_ledger_key_generate_alg("k.example", alg, &c), SW_OK);
        assert_int_equal(sw_key_rotation_sign(&a, &b, 1700000000000, &st), SW_OK);
        assert_int_equal(sw_key_rotation_verify(st, strlen(st), &a.pub, &next), SW_OK);
        assert_memory_equal(next.pk, b.pub.pk, 32);
        assert_int_equal(next.alg, alg);
        /* About another old key: not found; tampered: refused. */
        assert_int_equal(sw_key_rotation_verify(st, strlen(st), &c.pub, &next), SW_ENOTFOUND);
        char *t = strstr(st, "time ") + 5;
        t[3] = t[3] == '1' ? '2' : '1';
        assert_int_not_equal(sw_key_rotation_verify(st, strlen(st), &a.pub, &next), SW_OK);
        free(st);
        /* Signed by the old key only (no proof the new key's holder agreed): refused. */
        sw_ledger_key_wipe(&a);
        sw_ledger_key_wipe(&b);
        sw_ledger_key_wipe(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cosignature_vectors),
        cmocka_unit_test(peer_requests),
        cmocka_unit_test(refusals),
        cmocka_unit_test(empty_tree),
        cmocka_unit_test(request_format),
        cmocka_unit_test(policy_parse),
        cmocka_unit_test(count_and_record),
        cmocka_unit_test(rotation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
