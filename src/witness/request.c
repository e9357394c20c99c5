/*
 * The add-checkpoint request body of C2SP tlog-witness: an "old <size>" line, up to 63
 * consistency proof lines (one base64 hash each), an empty line, then the signed checkpoint.
 * The parser reads hostile bytes: bounded, strict, no allocation.
 */
#include "sanctwatch/witness.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include <string.h>

int sw_witness_request_parse(const char *body, size_t len, struct sw_witness_request *out)
{
    memset(out, 0, sizeof *out);
    if (len > SW_WITNESS_BODY_MAX) return SW_ETOOBIG;
    const char *p = body, *end = body + len;
    const char *nl = memchr(p, '\n', len);
    if (!nl || nl - p < 5 || memcmp(p, "old ", 4) ||
        sw_note_parse_u64(p + 4, (size_t)(nl - p - 4), &out->old_size) ||
        out->old_size > SW_MERKLE_MAX_SIZE)
        return SW_EFORMAT;
    p = nl + 1;
    for (;;) {
        if (p >= end) return SW_EFORMAT;
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return SW_EFORMAT;
        if (nl == p) break; /* the empty line */
        if (out->nproof == SW_WITNESS_MAX_PROOF) return SW_ETOOBIG;
        if (sw_note_b64_decode(p, (size_t)(nl - p), out->proof[out->nproof], SW_HASH_LEN))
            return SW_EFORMAT;
        out->nproof++;
        p = nl + 1;
    }
    p++;
    if (p >= end) return SW_EFORMAT;
    out->note = p;
    out->note_len = (size_t)(end - p);
    return SW_OK;
}

int sw_witness_request_format(uint64_t old_size, const uint8_t (*proof)[SW_HASH_LEN], size_t n,
                              const char *note, size_t note_len, char **out, size_t *out_len)
{
    struct sw_buf b;
    char h[64];
    *out = NULL;
    if (n > SW_WITNESS_MAX_PROOF) return SW_ETOOBIG;
    sw_buf_init(&b, SW_WITNESS_BODY_MAX);
    int rc = sw_buf_printf(&b, "old %llu\n", (unsigned long long)old_size);
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        sw_note_b64_encode(h, sizeof h, proof[i], SW_HASH_LEN);
        rc = sw_buf_printf(&b, "%s\n", h);
    }
    if (rc == SW_OK) rc = sw_buf_putc(&b, '\n');
    if (rc == SW_OK) rc = sw_buf_append(&b, note, note_len);
    if (rc) {
        sw_buf_release(&b);
        return rc;
    }
    *out = sw_buf_detach(&b, out_len);
    return SW_OK;
}
