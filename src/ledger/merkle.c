/*
 * Merkle tree math of RFC 9162 (Certificate Transparency 2.0) section 2.1: leaf and node
 * hashes, the O(log n) right-edge frontier used for appends, inclusion and consistency proof
 * generation (over any source of subtree hashes) and their verification. Pure: no I/O, no
 * allocation. The stored log (ledger.c) and the offline verifier both build on it.
 */
#include "sanctwatch/ledger.h"
#include "sanctwatch/error.h"

#include <sodium.h>
#include <string.h>

void sw_merkle_leaf_hash(const void *data, size_t len, uint8_t out[SW_HASH_LEN])
{
    crypto_hash_sha256_state st;
    const unsigned char prefix = 0x00;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

void sw_merkle_node_hash(const uint8_t left[SW_HASH_LEN], const uint8_t right[SW_HASH_LEN],
                         uint8_t out[SW_HASH_LEN])
{
    unsigned char in[1 + 2 * SW_HASH_LEN];
    in[0] = 0x01;
    memcpy(in + 1, left, SW_HASH_LEN);
    memcpy(in + 1 + SW_HASH_LEN, right, SW_HASH_LEN);
    crypto_hash_sha256(out, in, sizeof in);
}

void sw_merkle_empty_root(uint8_t out[SW_HASH_LEN])
{
    crypto_hash_sha256(out, (const unsigned char *)"", 0);
}

void sw_merkle_frontier_init(struct sw_merkle_frontier *f)
{
    f->size = 0;
}

int sw_merkle_frontier_append(struct sw_merkle_frontier *f, const uint8_t leaf[SW_HASH_LEN],
                              int (*node_cb)(void *ctx, unsigned level, uint64_t index,
                                             const uint8_t hash[SW_HASH_LEN]),
                              void *ctx)
{
    if (f->size >= SW_MERKLE_MAX_SIZE) return SW_ERANGE;
    uint8_t cur[SW_HASH_LEN];
    memcpy(cur, leaf, SW_HASH_LEN);
    uint64_t n = f->size;
    unsigned level = 0;
    /* Every trailing one bit of n is a complete subtree that the new leaf completes. */
    while (n & ((uint64_t)1 << level)) {
        sw_merkle_node_hash(f->hash[level], cur, cur);
        level++;
        if (node_cb) {
            int rc = node_cb(ctx, level, n >> level, cur);
            if (rc) return rc;
        }
    }
    memcpy(f->hash[level], cur, SW_HASH_LEN);
    f->size = n + 1;
    return SW_OK;
}

void sw_merkle_frontier_root(const struct sw_merkle_frontier *f, uint8_t out[SW_HASH_LEN])
{
    if (f->size == 0) {
        sw_merkle_empty_root(out);
        return;
    }
    int have = 0;
    for (unsigned l = 0; l < 64; l++) {
        if (!(f->size & ((uint64_t)1 << l))) continue;
        if (!have) {
            memcpy(out, f->hash[l], SW_HASH_LEN);
            have = 1;
        } else {
            sw_merkle_node_hash(f->hash[l], out, out);
        }
    }
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

struct proof_out {
    uint8_t (*path)[SW_HASH_LEN];
    size_t n;
    sw_merkle_range_fn fn;
    void *ctx;
};

static int put_range(struct proof_out *o, uint64_t start, uint64_t end)
{
    if (o->n >= SW_MERKLE_MAX_PATH) return SW_ERANGE;
    int rc = o->fn(o->ctx, start, end, o->path[o->n]);
    if (rc) return rc;
    o->n++;
    return SW_OK;
}

/* PATH(m, D[off:off+n]) of RFC 9162 2.1.3.1, appended in order (deepest first). */
static int path_rec(struct proof_out *o, uint64_t m, uint64_t off, uint64_t n)
{
    if (n <= 1) return SW_OK;
    uint64_t k = split_point(n);
    int rc;
    if (m < k) {
        if ((rc = path_rec(o, m, off, k))) return rc;
        return put_range(o, off + k, off + n);
    }
    if ((rc = path_rec(o, m - k, off + k, n - k))) return rc;
    return put_range(o, off, off + k);
}

/* SUBPROOF(m, D[off:off+n], b) of RFC 9162 2.1.4.1. */
static int subproof_rec(struct proof_out *o, uint64_t m, uint64_t off, uint64_t n, int b)
{
    if (m == n) return b ? SW_OK : put_range(o, off, off + n);
    uint64_t k = split_point(n);
    int rc;
    if (m <= k) {
        if ((rc = subproof_rec(o, m, off, k, b))) return rc;
        return put_range(o, off + k, off + n);
    }
    if ((rc = subproof_rec(o, m - k, off + k, n - k, 0))) return rc;
    return put_range(o, off, off + k);
}

int sw_merkle_inclusion_proof(uint64_t index, uint64_t size, sw_merkle_range_fn fn, void *ctx,
                              uint8_t path[][SW_HASH_LEN], size_t *n)
{
    *n = 0;
    if (index >= size || size > SW_MERKLE_MAX_SIZE) return SW_ERANGE;
    struct proof_out o = {path, 0, fn, ctx};
    int rc = path_rec(&o, index, 0, size);
    *n = o.n;
    return rc;
}

int sw_merkle_consistency_proof(uint64_t old_size, uint64_t new_size, sw_merkle_range_fn fn,
                                void *ctx, uint8_t path[][SW_HASH_LEN], size_t *n)
{
    *n = 0;
    if (old_size == 0 || old_size > new_size || new_size > SW_MERKLE_MAX_SIZE) return SW_ERANGE;
    struct proof_out o = {path, 0, fn, ctx};
    int rc = subproof_rec(&o, old_size, 0, new_size, 1);
    *n = o.n;
    return rc;
}

static int hash_eq(const uint8_t a[SW_HASH_LEN], const uint8_t b[SW_HASH_LEN])
{
    return sodium_memcmp(a, b, SW_HASH_LEN) == 0;
}

int sw_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[SW_HASH_LEN],
                               const uint8_t (*path)[SW_HASH_LEN], size_t n,
                               const uint8_t root[SW_HASH_LEN])
{
    if (index >= size || size > SW_MERKLE_MAX_SIZE || n > SW_MERKLE_MAX_PATH) return SW_EVERIFY;
    uint64_t fn = index, sn = size - 1;
    uint8_t r[SW_HASH_LEN];
    memcpy(r, leaf, SW_HASH_LEN);
    for (size_t i = 0; i < n; i++) {
        if (sn == 0) return SW_EVERIFY;
        if ((fn & 1) || fn == sn) {
            sw_merkle_node_hash(path[i], r, r);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            sw_merkle_node_hash(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && hash_eq(r, root) ? SW_OK : SW_EVERIFY;
}

int sw_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
                                 const uint8_t old_root[SW_HASH_LEN],
                                 const uint8_t new_root[SW_HASH_LEN],
                                 const uint8_t (*path)[SW_HASH_LEN], size_t n)
{
    if (old_size > new_size || new_size > SW_MERKLE_MAX_SIZE || n > SW_MERKLE_MAX_PATH)
        return SW_EVERIFY;
    if (old_size == new_size) return n == 0 && hash_eq(old_root, new_root) ? SW_OK : SW_EVERIFY;
    if (old_size == 0)
        return n == 0 ? SW_OK : SW_EVERIFY; /* the empty tree is a prefix of every tree */
    if (n == 0) return SW_EVERIFY;
    /* When old_size is a power of two, its root is the first node of the walk. */
    const uint8_t *first;
    size_t i;
    if ((old_size & (old_size - 1)) == 0) {
        first = old_root;
        i = 0;
    } else {
        first = path[0];
        i = 1;
    }
    uint64_t fn = old_size - 1, sn = new_size - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[SW_HASH_LEN], sr[SW_HASH_LEN];
    memcpy(fr, first, SW_HASH_LEN);
    memcpy(sr, first, SW_HASH_LEN);
    for (; i < n; i++) {
        if (sn == 0) return SW_EVERIFY;
        if ((fn & 1) || fn == sn) {
            sw_merkle_node_hash(path[i], fr, fr);
            sw_merkle_node_hash(path[i], sr, sr);
            if (!(fn & 1))
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            sw_merkle_node_hash(sr, path[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && hash_eq(fr, old_root) && hash_eq(sr, new_root) ? SW_OK : SW_EVERIFY;
}
