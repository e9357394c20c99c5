/*
 * Fuzz target for everything the witness reads from outside: add-checkpoint request bodies
 * (parsed, then answered by a witness that trusts torchwood's test log and has cosigned its
 * size-1 head), witness policy files, key-rotation statements and cosigned notes counted
 * against a policy. The first byte picks the parser; the rest is the input. Besides crashes it
 * checks: a parsed request formats back to the same bytes; every answer has a status the spec
 * names and a 200 carries a cosignature that verifies under the witness key; a statement that
 * verifies names a key of the old key's name and type.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ledger.h"
#include "sanctwatch/witness.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Test keys published with github.com/FiloSottile/torchwood's witness tests. */
static const char wkey[] =
    "PRIVATE+KEY+example.com+db38d226+BDH/whFuy+ADrKqACrcHV719UyBuP+vvam0HltlVMLNP";
static const char origin[] =
    "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562";
static const uint8_t log_pk[32] = {0xff, 0xdc, 0x2d, 0x4d, 0x98, 0xe4, 0x12, 0x4d, 0x3f, 0xea, 0xf7,
                                   0x88, 0xc0, 0xc2, 0xf9, 0xab, 0xfd, 0x79, 0x60, 0x83, 0xd1, 0xf0,
                                   0x49, 0x54, 0x37, 0xf3, 0x02, 0xec, 0x79, 0xcf, 0x10, 0x0f};
static const char req1[] =
    "old 0\n\nsigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562\n"
    "1\nKgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 "
    "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562 "
    "UgIom7fPZTqpxWWhyjWduBvTvGVqsokMbqTArsQilegKoFBJQjUFAmQ0+YeSPM3wfUQMFSzVnnNuWRTYrajXpNUbIQY="
    "\n";

static struct sw_witness *witness(void)
{
    static struct sw_witness *w;
    if (w) return w;
    struct sw_ledger_key k;
    struct sw_ledger_pub lp;
    struct sw_witness_reply r;
    if (sw_ledger_key_parse(wkey, sizeof wkey - 1, &k) || sw_witness_open(":memory:", &k, &w, NULL))
        abort();
    sw_ledger_key_wipe(&k);
    memset(&lp, 0, sizeof lp);
    memcpy(lp.name, origin, sizeof origin);
    memcpy(lp.pk, log_pk, 32);
    sw_ledger_pub_retype(&lp, SW_NOTE_ED25519);
    if (sw_witness_add_log(w, origin, &lp) ||
        sw_witness_add_checkpoint(w, req1, sizeof req1 - 1, 1, &r) || r.status != 200)
        abort();
    sw_witness_reply_release(&r);
    return w;
}

static void fuzz_request(const char *s, size_t n)
{
    struct sw_witness_request *q = malloc(sizeof *q);
    struct sw_witness_reply r;
    if (!q) abort();
    if (sw_witness_request_parse(s, n, q) == SW_OK) {
        char *out;
        size_t len;
        if (sw_witness_request_format(q->old_size, (const uint8_t(*)[SW_HASH_LEN])q->proof,
                                      q->nproof, q->note, q->note_len, &out, &len) ||
            len != n || memcmp(out, s, n))
            abort();
        free(out);
    }
    free(q);
    struct sw_witness *w = witness();
    sw_witness_add_checkpoint(w, s, n, 1700000000, &r);
    switch (r.status) {
    case 200: {
        /* The answer is one cosignature line that verifies over the submitted note. */
        struct sw_witness_request q2;
        if (sw_witness_request_parse(s, n, &q2)) abort();
        char *all = malloc(q2.note_len + r.body_len);
        if (!all) abort();
        memcpy(all, q2.note, q2.note_len);
        memcpy(all + q2.note_len, r.body, r.body_len);
        struct sw_note_sig sig;
        if (sw_note_verify_sig(all, q2.note_len + r.body_len, sw_witness_pub(w), NULL, &sig) ||
            sig.timestamp != 1700000000)
            abort();
        free(all);
        break;
    }
    case 400:
    case 403:
    case 404:
    case 409:
    case 413:
    case 422:
        break;
    default:
        abort();
    }
    sw_witness_reply_release(&r);
}

static void fuzz_policy(const char *s, size_t n)
{
    struct sw_witness_policy *p = malloc(sizeof *p);
    char err[SW_ERRMAX];
    if (!p) abort();
    if (sw_witness_policy_parse(s, n, p, err) == SW_OK) {
        if (p->n > SW_WITNESS_MAX_PEERS || sw_witness_policy_names(p) > p->n) abort();
        for (size_t i = 0; i < p->n; i++)
            if (p->peer[i].pub.alg != SW_NOTE_COSIG_V1 ||
                strcmp(p->peer[i].name, p->peer[i].pub.name))
                abort();
    }
    free(p);
}

static void fuzz_rotation(const char *s, size_t n)
{
    struct sw_ledger_key k;
    struct sw_ledger_pub next;
    if (sw_ledger_key_parse(wkey, sizeof wkey - 1, &k)) abort();
    if (sw_key_rotation_verify(s, n, &k.pub, &next) == SW_OK &&
        (strcmp(next.name, k.pub.name) || next.alg != k.pub.alg))
        abort();
    sw_ledger_key_wipe(&k);
}

static void fuzz_count(const char *s, size_t n)
{
    static const char pol[] =
        "witness example.com example.com+db38d226+BGSEitir7W6FmBs7OHWyUrh2frtLAvcDrKOx5xu9ao5Q\n"
        "witness remora.n621.de "
        "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2\n";
    struct sw_witness_policy *p = malloc(sizeof *p);
    unsigned count;
    int by[SW_WITNESS_MAX_PEERS];
    if (!p || sw_witness_policy_parse(pol, sizeof pol - 1, p, NULL)) abort();
    if (sw_witness_count(s, n, p, &count, by, NULL, NULL) == SW_OK && count > 2) abort();
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] % 4) {
    case 0:
        fuzz_request(s, n);
        break;
    case 1:
        fuzz_policy(s, n);
        break;
    case 2:
        fuzz_rotation(s, n);
        break;
    default:
        fuzz_count(s, n);
    }
    return 0;
}
