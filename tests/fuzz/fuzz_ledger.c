/*
 * Fuzz target for everything the ledger reads from outside: signed checkpoints (heads),
 * verifier and signer key lines, proof files and canonical-JSON events. The first byte picks
 * the parser; the rest is the input. Besides crashes it checks round trips: a parsed proof
 * formats and re-parses to the same proof, canonical JSON is idempotent, a parsed checkpoint
 * re-signed with a fixed key verifies and parses back to the same head, canonical JSON is
 * the bytes of jansson's own dump.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/ledger.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* golang.org/x/mod/sumdb/note's documented example signer key (public test key). */
static const char skey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

static void fuzz_checkpoint(const char *s, size_t n)
{
    struct sw_ledger_key k;
    struct sw_checkpoint c, c2;
    if (sw_ledger_key_parse(skey, sizeof skey - 1, &k)) abort();
    (void)sw_checkpoint_verify(s, n, &k.pub, &c);
    if (sw_checkpoint_parse(s, n, &c) == SW_OK) {
        char *note = NULL;
        memcpy(c.origin, k.pub.name, sizeof c.origin);
        if (sw_checkpoint_sign(&c, &k, &note) == SW_OK) {
            if (sw_checkpoint_verify(note, strlen(note), &k.pub, &c2) != SW_OK ||
                c2.size != c.size || memcmp(c2.root, c.root, SW_HASH_LEN) ||
                c2.time_ms != c.time_ms)
                abort();
            free(note);
        }
    }
    sw_ledger_key_wipe(&k);
}

static void fuzz_keys(const char *s, size_t n)
{
    struct sw_ledger_pub p;
    struct sw_ledger_key k;
    char *t = NULL;
    if (sw_ledger_pub_parse(s, n, &p) == SW_OK) {
        struct sw_ledger_pub p2;
        if (sw_ledger_pub_format(&p, &t) || sw_ledger_pub_parse(t, strlen(t), &p2) ||
            memcmp(&p, &p2, sizeof p))
            abort();
        free(t);
    }
    if (sw_ledger_key_parse(s, n, &k) == SW_OK) {
        if (sw_ledger_key_format(&k, &t)) abort();
        free(t);
        sw_ledger_key_wipe(&k);
    }
}

static void fuzz_proof(const char *s, size_t n)
{
    static struct sw_proof p, p2;
    char *t = NULL;
    if (sw_proof_parse(s, n, &p) != SW_OK) return;
    if (sw_proof_format(&p, &t) || sw_proof_parse(t, strlen(t), &p2) || p2.kind != p.kind ||
        p2.n != p.n || p2.size != p.size || p2.index != p.index || p2.old_size != p.old_size ||
        memcmp(p2.path, p.path, p.n * SW_HASH_LEN))
        abort();
    struct sw_checkpoint head = {.size = p.size}, old = {.size = p.old_size};
    (void)sw_proof_verify(&p, &head, &old);
    free(t);
    sw_proof_release(&p);
    sw_proof_release(&p2);
}

static void fuzz_canon(const char *s, size_t n)
{
    json_t *v = NULL, *v2 = NULL;
    char *a = NULL, *b = NULL, *e = NULL;
    size_t la, lb, le;
    if (sw_canon_parse(s, n, &v, NULL) != SW_OK) return;
    if (sw_canon_dump(v, &a, &la) == SW_OK) {
        if (sw_canon_parse(a, la, &v2, NULL) || sw_canon_dump(v2, &b, &lb) || la != lb ||
            memcmp(a, b, la))
            abort();
        /* the bytes jansson's own dump gives (sw_canon_dump writes them itself) */
        char *j = malloc(la + 1);
        if (!j || json_dumpb(v, j, la + 1, SW_CANON_FLAGS) != la || memcmp(a, j, la)) abort();
        free(j);
    }
    (void)sw_canon_event(v, &e, &le);
    free(a);
    free(b);
    free(e);
    json_decref(v);
    json_decref(v2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536) return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] % 4) {
    case 0:
        fuzz_checkpoint(s, n);
        break;
    case 1:
        fuzz_keys(s, n);
        break;
    case 2:
        fuzz_proof(s, n);
        break;
    default:
        fuzz_canon(s, n);
        break;
    }
    return 0;
}
