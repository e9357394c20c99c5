/*
 * A small lossless codec for the saved state (internal to src/ingest): bytes taken as 8-byte
 * words, each XORed with a reference word (the same word of a similar earlier struct) and
 * written as a mask byte of its non-zero bytes followed by those bytes. Structs that are
 * mostly zeros or close to their reference (successive fixes of a vessel, successive records
 * of the reorder buffer) shrink to a third or a half, at a few nanoseconds a word.
 */
#ifndef SW_INGEST_WORDPACK_H
#define SW_INGEST_WORDPACK_H

#include <stddef.h>

/* Largest encoding of n bytes. */
#define SW_WP_MAX(n) ((n) + ((n) + 7) / 8)

/* Encode n bytes of src, XORed with ref (n bytes, or NULL for none), into out (at least
 * SW_WP_MAX(n) bytes). Returns the bytes written. */
size_t sw_wp_encode(const void *src, const void *ref, size_t n, unsigned char *out);
/* Decode n bytes into dst from in[0..len), XORing with ref (n bytes, may be dst's earlier
 * contents only if it does not overlap; NULL for none). Returns the bytes of in used, or 0
 * when in is too short. */
size_t sw_wp_decode(const unsigned char *in, size_t len, const void *ref, size_t n, void *dst);

#endif
