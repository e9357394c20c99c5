/*
 * Proof files: inclusion and consistency proofs as small JSON documents (docs/ledger.md), so
 * a report can carry them and a partner can check them offline against signed heads. Parsing
 * is strict (unknown formats, bad hex, oversized paths: SW_EFORMAT) since the files come from
 * outside.
 */
#include "sanctwatch/ledger.h"
#include "sanctwatch/error.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define FMT_INCL "sanctwatch-inclusion-proof/1"
#define FMT_CONS "sanctwatch-consistency-proof/1"

static json_t *hex_json(const uint8_t h[SW_HASH_LEN])
{
    char hex[2 * SW_HASH_LEN + 1];
    sodium_bin2hex(hex, sizeof hex, h, SW_HASH_LEN);
    return json_string(hex);
}

static int hex_parse(const json_t *v, uint8_t out[SW_HASH_LEN])
{
    if (!json_is_string(v) || json_string_length(v) != 2 * SW_HASH_LEN) return SW_EFORMAT;
    const char *s = json_string_value(v);
    for (size_t i = 0; i < 2 * SW_HASH_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return SW_EFORMAT; /* lowercase only: one spelling per hash */
    size_t got = 0;
    if (sodium_hex2bin(out, SW_HASH_LEN, s, 2 * SW_HASH_LEN, NULL, &got, NULL) ||
        got != SW_HASH_LEN)
        return SW_EFORMAT;
    return SW_OK;
}

static int set_u64(json_t *o, const char *k, uint64_t v)
{
    return json_object_set_new(o, k, json_integer((json_int_t)v)) ? SW_ENOMEM : SW_OK;
}

int sw_proof_format(const struct sw_proof *p, char **out)
{
    *out = NULL;
    int rc = SW_ENOMEM;
    json_t *o = json_object(), *path = json_array();
    if (!o || !path) goto fail;
    for (size_t i = 0; i < p->n; i++)
        if (json_array_append_new(path, hex_json(p->path[i]))) goto fail;
    if (p->kind == SW_PROOF_INCLUSION) {
        if (json_object_set_new(o, "format", json_string(FMT_INCL)) ||
            set_u64(o, "leaf_index", p->index) || set_u64(o, "tree_size", p->size) ||
            json_object_set_new(o, "leaf_hash", hex_json(p->leaf)))
            goto fail;
        if (p->event && json_object_set(o, "event", p->event)) goto fail;
    } else if (p->kind == SW_PROOF_CONSISTENCY) {
        if (json_object_set_new(o, "format", json_string(FMT_CONS)) ||
            set_u64(o, "old_size", p->old_size) || set_u64(o, "new_size", p->size))
            goto fail;
    } else {
        rc = SW_EINVAL;
        goto fail;
    }
    if (json_object_set(o, "path", path)) goto fail;
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    if (!s) goto fail;
    *out = s;
    rc = SW_OK;
fail:
    json_decref(o);
    json_decref(path);
    return rc;
}

static int get_u64(const json_t *o, const char *k, uint64_t *out)
{
    const json_t *v = json_object_get(o, k);
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        (uint64_t)json_integer_value(v) > SW_MERKLE_MAX_SIZE)
        return SW_EFORMAT;
    *out = (uint64_t)json_integer_value(v);
    return SW_OK;
}

int sw_proof_parse(const char *text, size_t len, struct sw_proof *out)
{
    memset(out, 0, sizeof *out);
    if (len > SW_PROOF_MAX) return SW_ETOOBIG;
    json_error_t je;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    int rc = SW_EFORMAT;
    if (!json_is_object(o)) goto fail;
    const char *fmt = json_string_value(json_object_get(o, "format"));
    const json_t *path = json_object_get(o, "path");
    if (!fmt || !json_is_array(path) || json_array_size(path) > SW_MERKLE_MAX_PATH) goto fail;
    if (!strcmp(fmt, FMT_INCL)) {
        out->kind = SW_PROOF_INCLUSION;
        if (get_u64(o, "leaf_index", &out->index) || get_u64(o, "tree_size", &out->size) ||
            out->index >= out->size || hex_parse(json_object_get(o, "leaf_hash"), out->leaf))
            goto fail;
        json_t *ev = json_object_get(o, "event");
        if (ev) {
            if (!json_is_object(ev)) goto fail;
            out->event = json_incref(ev);
        }
    } else if (!strcmp(fmt, FMT_CONS)) {
        out->kind = SW_PROOF_CONSISTENCY;
        if (get_u64(o, "old_size", &out->old_size) || get_u64(o, "new_size", &out->size) ||
            out->old_size > out->size)
            goto fail;
    } else {
        goto fail;
    }
    out->n = json_array_size(path);
    for (size_t i = 0; i < out->n; i++)
        if (hex_parse(json_array_get(path, i), out->path[i])) goto fail;
    json_decref(o);
    return SW_OK;
fail:
    json_decref(o);
    sw_proof_release(out);
    memset(out, 0, sizeof *out);
    return rc;
}

void sw_proof_release(struct sw_proof *p)
{
    if (p->event) json_decref(p->event);
    p->event = NULL;
}

int sw_proof_verify(const struct sw_proof *p, const struct sw_checkpoint *head,
                    const struct sw_checkpoint *old_head)
{
    if (p->kind == SW_PROOF_INCLUSION) {
        if (head->size != p->size) return SW_EVERIFY;
        if (p->event) {
            char *canon = NULL;
            size_t len = 0;
            uint8_t h[SW_HASH_LEN];
            int rc = sw_canon_event(p->event, &canon, &len);
            if (rc) return SW_EVERIFY;
            sw_merkle_leaf_hash(canon, len, h);
            free(canon);
            if (sodium_memcmp(h, p->leaf, SW_HASH_LEN)) return SW_EVERIFY;
            /* The evidence the event claims must be this proof's. */
            const json_t *ev = json_object_get(p->event, "evidence");
            const json_t *leaf = json_object_get(ev, "leaf"), *sha = json_object_get(ev, "sha256");
            uint8_t claimed[SW_HASH_LEN];
            if (leaf && (!json_is_integer(leaf) || json_integer_value(leaf) < 0 ||
                         (uint64_t)json_integer_value(leaf) != p->index))
                return SW_EVERIFY;
            if (sha && (hex_parse(sha, claimed) || sodium_memcmp(claimed, p->leaf, SW_HASH_LEN)))
                return SW_EVERIFY;
        }
        return sw_merkle_verify_inclusion(p->index, p->size, p->leaf,
                                          (const uint8_t(*)[SW_HASH_LEN])p->path, p->n, head->root);
    }
    if (p->kind == SW_PROOF_CONSISTENCY) {
        if (!old_head || old_head->size != p->old_size || head->size != p->size ||
            strcmp(old_head->origin, head->origin))
            return SW_EVERIFY;
        return sw_merkle_verify_consistency(p->old_size, p->size, old_head->root, head->root,
                                            (const uint8_t(*)[SW_HASH_LEN])p->path, p->n);
    }
    return SW_EINVAL;
}
