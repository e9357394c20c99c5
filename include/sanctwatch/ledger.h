/*
 * The tamper-evident evidence ledger: an append-only Merkle tree built exactly as RFC 9162
 * (Certificate Transparency 2.0) section 2.1 specifies (SHA-256, 0x00 prefix for leaves, 0x01
 * for interior nodes), over the canonical JSON of each event with its evidence; signed tree
 * heads in the C2SP tlog-checkpoint "signed note" form with Ed25519 keys; inclusion and
 * consistency proofs that a partner verifies offline with only the public key and the files.
 * docs/ledger.md defines every byte (canonical JSON, head, proof and key files, schema).
 *
 * Four layers, each usable alone:
 *   Merkle math    sw_merkle_*      pure functions, no I/O (verifiers and tests)
 *   canonical JSON sw_canon_*       the exact bytes a leaf hashes
 *   keys, heads    sw_ledger_key_*, sw_checkpoint_*   signed-note parsing, signing, verifying
 *   store          sw_ledger_*      the log kept in SQLite (module "ledger" of sw_store_migrate)
 * and proof files (JSON) in sw_proof_*.
 *
 * Ownership: strings returned through char ** are malloc'd, the caller free()s them. json_t
 * returned are new references (json_decref). Nothing keeps pointers to caller memory after a
 * call returns unless stated.
 */
#ifndef SANCTWATCH_LEDGER_H
#define SANCTWATCH_LEDGER_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define SW_HASH_LEN 32
/* Largest tree this implementation accepts (sizes and indexes are checked against it). */
#define SW_MERKLE_MAX_SIZE ((uint64_t)1 << 48)
/* Longest proof path for SW_MERKLE_MAX_SIZE (inclusion <= 48, consistency <= 2*48). */
#define SW_MERKLE_MAX_PATH 100

/* ---------------------------------------------------------------- Merkle math (RFC 9162) */

/* SHA-256(0x00 || data). */
void sw_merkle_leaf_hash(const void *data, size_t len, uint8_t out[SW_HASH_LEN]);
/* SHA-256(0x01 || left || right). out may alias left or right. */
void sw_merkle_node_hash(const uint8_t left[SW_HASH_LEN], const uint8_t right[SW_HASH_LEN],
                         uint8_t out[SW_HASH_LEN]);
/* MTH of the empty tree: SHA-256 of the empty string. */
void sw_merkle_empty_root(uint8_t out[SW_HASH_LEN]);

/* The right edge of a tree: for every set bit l of size, the root of the complete subtree of
 * 2^l leaves there. Appending is O(log n) and never re-hashes the tree. Caller-owned struct,
 * plain data (copy it freely); zero it (or sw_merkle_frontier_init) for the empty tree. */
struct sw_merkle_frontier {
    uint64_t size;
    uint8_t hash[64][SW_HASH_LEN]; /* hash[l] valid when bit l of size is set */
};
void sw_merkle_frontier_init(struct sw_merkle_frontier *f);
/* Append a leaf hash. If node_cb is non-NULL it is called for every complete subtree the
 * append closes (level >= 1, index = leftmost leaf >> level), so a store can keep them.
 * Returns SW_OK, SW_ERANGE when the tree is full, or the first non-zero value of node_cb. */
int sw_merkle_frontier_append(struct sw_merkle_frontier *f, const uint8_t leaf[SW_HASH_LEN],
                              int (*node_cb)(void *ctx, unsigned level, uint64_t index,
                                             const uint8_t hash[SW_HASH_LEN]),
                              void *ctx);
/* Root hash (MTH) of the tree the frontier describes. */
void sw_merkle_frontier_root(const struct sw_merkle_frontier *f, uint8_t out[SW_HASH_LEN]);

/* Source of subtree hashes for proof generation: put MTH(D[start:end]) into out. The range is
 * always non-empty and within the tree. Returns SW_OK or an error that aborts the proof. */
typedef int (*sw_merkle_range_fn)(void *ctx, uint64_t start, uint64_t end,
                                  uint8_t out[SW_HASH_LEN]);

/* RFC 9162 2.1.3.1 inclusion path of leaf index in a tree of size. path must hold
 * SW_MERKLE_MAX_PATH hashes; *n gets their number. SW_ERANGE if index >= size. */
int sw_merkle_inclusion_proof(uint64_t index, uint64_t size, sw_merkle_range_fn fn, void *ctx,
                              uint8_t path[][SW_HASH_LEN], size_t *n);
/* RFC 9162 2.1.4.1 consistency proof from old_size to new_size (0 < old_size <= new_size). */
int sw_merkle_consistency_proof(uint64_t old_size, uint64_t new_size, sw_merkle_range_fn fn,
                                void *ctx, uint8_t path[][SW_HASH_LEN], size_t *n);

/* RFC 9162 2.1.3.2: SW_OK when path proves leaf at index is in the tree of size with root,
 * else SW_EVERIFY. */
int sw_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[SW_HASH_LEN],
                               const uint8_t (*path)[SW_HASH_LEN], size_t n,
                               const uint8_t root[SW_HASH_LEN]);
/* RFC 9162 2.1.4.2: SW_OK when path proves the tree of old_size/old_root is a prefix of the
 * tree of new_size/new_root, else SW_EVERIFY. */
int sw_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
                                 const uint8_t old_root[SW_HASH_LEN],
                                 const uint8_t new_root[SW_HASH_LEN],
                                 const uint8_t (*path)[SW_HASH_LEN], size_t n);

/* ----------------------------------------------------------------------- canonical JSON */

/* Flags of the canonical encoding (jansson): sorted keys, compact, UTF-8 kept as is, reals
 * rounded to 15 significant digits. See docs/ledger.md. */
#define SW_CANON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15))
/* Largest canonical event accepted. */
#define SW_CANON_MAX (1u << 20)

/* Parse text as one JSON value the strict way canonical input needs (duplicate keys, invalid
 * UTF-8, NUL in strings, numbers out of range, trailing data: SW_EFORMAT). *out is a new
 * reference. err (optional, SW_ERRMAX bytes) gets jansson's reason. */
int sw_canon_parse(const char *text, size_t len, json_t **out, char *err);
/* Canonical encoding of v (object or array). *out malloc'd, NUL-terminated, *len without NUL.
 * SW_ETOOBIG above SW_CANON_MAX. */
int sw_canon_dump(const json_t *v, char **out, size_t *len);

/* The leaf input of an event: a copy of the event object without evidence.leaf and
 * evidence.sha256 (and without "evidence" when nothing else is left in it), canonically
 * encoded. Checks the event carries a non-empty string "id" (<= 256 bytes) and "type".
 * Errors: SW_EFORMAT (not an object, missing id/type, bad types), SW_ETOOBIG. */
int sw_canon_event(const json_t *event, char **out, size_t *len);

/* ----------------------------------------------------------------- keys and signed heads */

#define SW_LEDGER_NAME_MAX 128
#define SW_LEDGER_DEFAULT_KEY "sanctwatch-ledger.key" /* public key: same path + ".pub" */
#define SW_LEDGER_DEFAULT_NAME "sanctwatch.local/ledger"

/* Signature types of C2SP signed-note keys this implementation knows: plain Ed25519 note
 * signatures (log heads) and timestamped Ed25519 witness cosignatures (C2SP
 * tlog-cosignature, "cosignature/v1"). */
#define SW_NOTE_ED25519 0x01
#define SW_NOTE_COSIG_V1 0x04
/* Bytes of a cosignature/v1 signature: key id (4), big-endian timestamp (8), Ed25519 (64). */
#define SW_COSIG_LEN 76
/* Most signature lines a note may carry (signed-note asks verifiers to accept at least 16). */
#define SW_NOTE_MAX_SIGS 100

/* A verifier key: the C2SP signed-note vkey "<name>+<keyid hex>+<base64(alg||pk)>". */
struct sw_ledger_pub {
    char name[SW_LEDGER_NAME_MAX + 1];
    uint8_t keyid[4]; /* SHA-256(name || 0x0A || alg || pk)[0:4] */
    uint8_t pk[32];
    uint8_t alg; /* SW_NOTE_ED25519 or SW_NOTE_COSIG_V1 */
};
/* A signer key: "PRIVATE+KEY+<name>+<keyid hex>+<base64(alg||seed)>". Wipe with
 * sw_ledger_key_wipe(). */
struct sw_ledger_key {
    struct sw_ledger_pub pub;
    uint8_t sk[64]; /* libsodium Ed25519 secret key (seed || pk) */
};

/* New key pair for a name (signed-note key name rules: non-empty, no '+', no spaces or
 * control characters, at most SW_LEDGER_NAME_MAX bytes). SW_EINVAL for a bad name. */
int sw_ledger_key_generate(const char *name, struct sw_ledger_key *out);
/* The same for a given signature type (SW_NOTE_COSIG_V1 for a witness); SW_EINVAL for others. */
int sw_ledger_key_generate_alg(const char *name, unsigned alg, struct sw_ledger_key *out);
/* The same public key under another signature type: sets alg and recomputes the key id (a
 * witness key read as a plain Ed25519 key signs its key-rotation statements, and back). */
void sw_ledger_pub_retype(struct sw_ledger_pub *p, unsigned alg);
void sw_ledger_key_wipe(struct sw_ledger_key *k);
/* Text forms (one line, with a trailing newline); *out malloc'd. */
int sw_ledger_key_format(const struct sw_ledger_key *k, char **out);
int sw_ledger_pub_format(const struct sw_ledger_pub *p, char **out);
/* The public key as SPKI PEM ("-----BEGIN PUBLIC KEY-----"), for openssl. */
int sw_ledger_pub_pem(const struct sw_ledger_pub *p, char **out);
/* Parse the text forms (trailing whitespace ignored). SW_EFORMAT, or SW_EVERIFY when the
 * key id does not match the key or the secret does not match its public half. */
int sw_ledger_key_parse(const char *text, size_t len, struct sw_ledger_key *out);
int sw_ledger_pub_parse(const char *text, size_t len, struct sw_ledger_pub *out);
/* Read a key file. The secret key file must be a regular file not readable or writable by
 * group or others: SW_EINVAL otherwise (errno EPERM; EINVAL for a file that is not a regular
 * one). SW_EIO with errno on read errors (EISDIR for a directory). */
int sw_ledger_key_load(const char *path, struct sw_ledger_key *out);
int sw_ledger_pub_load(const char *path, struct sw_ledger_pub *out);
/* Write the secret key with mode 0600, refusing to overwrite (SW_EEXISTS). */
int sw_ledger_key_save(const char *path, const struct sw_ledger_key *k);

/* A tree head (the checkpoint body). */
struct sw_checkpoint {
    char origin[SW_LEDGER_NAME_MAX + 1];
    uint64_t size;
    uint8_t root[SW_HASH_LEN];
    int64_t time_ms; /* "timestamp" extension line, SW_TIME_NONE when absent */
};
/* Largest checkpoint file accepted. */
#define SW_CHECKPOINT_MAX 16384

/* Text primitives of the signed-note formats, for the modules that speak them (witness):
 * key names (non-empty printable ASCII, no space or '+', at most SW_LEDGER_NAME_MAX bytes);
 * strict standard base64 of exactly want bytes (canonical, padded; want <= 180); decimal
 * numbers without sign or leading zeros. Decoders return SW_OK or SW_EFORMAT. */
int sw_note_name_ok(const char *s, size_t len);
int sw_note_b64_decode(const char *s, size_t len, uint8_t *out, size_t want);
void sw_note_b64_encode(char *out, size_t cap, const uint8_t *in, size_t len);
int sw_note_parse_u64(const char *s, size_t len, uint64_t *out);

/* Generic signed notes (C2SP signed-note): sign text (non-empty, ending in '\n', no blank
 * line) into "text\n— name base64(keyid||sig)\n"; verify pub's signature line of a note
 * (*text_len, optional, gets the length of the signed text). */
int sw_note_sign(const char *text, size_t len, const struct sw_ledger_key *k, char **out);
int sw_note_verify(const char *note, size_t len, const struct sw_ledger_pub *pub, size_t *text_len);
/* The signature line pub's key found (the first line with its name and key id) and, for a
 * cosignature, its timestamp (POSIX seconds; 0 for a plain Ed25519 signature). */
struct sw_note_sig {
    uint64_t timestamp;
    size_t line_off, line_len; /* the line in the note, newline included */
};
/* sw_note_verify for either key type: a SW_NOTE_COSIG_V1 key checks a cosignature/v1 line
 * (Ed25519 over "cosignature/v1\ntime <t>\n" || text). out (optional) gets the line.
 * SW_ENOTFOUND (where sw_note_verify says SW_EVERIFY) when no line carries the key. */
int sw_note_verify_sig(const char *note, size_t len, const struct sw_ledger_pub *pub,
                       size_t *text_len, struct sw_note_sig *out);
/* C2SP tlog-cosignature: the cosignature/v1 line of a SW_NOTE_COSIG_V1 key k over text (a
 * checkpoint body, ending in '\n') at POSIX time ts (<= 2^63-1): "— <name> <base64(keyid ||
 * ts big-endian || signature)>\n". *line malloc'd. SW_EINVAL for another key type. */
int sw_cosig_sign(const char *text, size_t len, const struct sw_ledger_key *k, uint64_t ts,
                  char **line);
/* Signed note text of c, signed by k: body, blank line, "— <name> <base64(keyid||sig)>". */
int sw_checkpoint_sign(const struct sw_checkpoint *c, const struct sw_ledger_key *k, char **out);
/* Parse a signed checkpoint and verify the signature line of pub (other signature lines, e.g.
 * witnesses', are ignored). SW_EFORMAT for malformed text, SW_EVERIFY when pub's signature is
 * missing or wrong. */
int sw_checkpoint_verify(const char *note, size_t len, const struct sw_ledger_pub *pub,
                         struct sw_checkpoint *out);
/* Parse without verifying (for display); same syntax checks. */
int sw_checkpoint_parse(const char *note, size_t len, struct sw_checkpoint *out);

/* ------------------------------------------------------------------------- proof files */

enum sw_proof_kind { SW_PROOF_INCLUSION = 1, SW_PROOF_CONSISTENCY = 2 };
struct sw_proof {
    int kind;
    uint64_t index;            /* inclusion: leaf index */
    uint64_t size;             /* inclusion: tree size; consistency: new size */
    uint64_t old_size;         /* consistency */
    uint8_t leaf[SW_HASH_LEN]; /* inclusion: leaf hash */
    size_t n;
    uint8_t path[SW_MERKLE_MAX_PATH][SW_HASH_LEN];
    json_t *event; /* inclusion: the event (canonical, with evidence), or NULL; owned */
};
#define SW_PROOF_MAX (4u << 20)
/* Proof file text (JSON, docs/ledger.md). *out malloc'd. */
int sw_proof_format(const struct sw_proof *p, char **out);
/* Parse a proof file. On success the caller calls sw_proof_release(). SW_EFORMAT. */
int sw_proof_parse(const char *text, size_t len, struct sw_proof *out);
void sw_proof_release(struct sw_proof *p);
/* Verify p against a verified head (and, for consistency, the older head). For inclusion, the
 * leaf hash is recomputed from p->event when present and must equal p->leaf. SW_EVERIFY. */
int sw_proof_verify(const struct sw_proof *p, const struct sw_checkpoint *head,
                    const struct sw_checkpoint *old_head);

/* ---------------------------------------------------------------------- the stored log */

/* Migrations of module "ledger": tables events, ledger_tiles, ledger_state, ledger_heads
 * (1), ledger_cosignatures (2), the event index (3) and ledger_reviews (4) (docs/ledger.md).
 * sw_ledger_open applies them. */
int sw_ledger_migrate(sqlite3 *db);

struct sw_ledger; /* a handle on a database: prepared statements only, no cached state */
/* Migrates and prepares. db stays the caller's; close the handle before the db. Call it
 * outside a transaction (a missing migration runs in its own BEGIN IMMEDIATE). Writers should
 * open their transactions with BEGIN IMMEDIATE so concurrent appenders queue instead of
 * failing with SQLITE_BUSY. */
int sw_ledger_open(sqlite3 *db, struct sw_ledger **out);
void sw_ledger_close(struct sw_ledger *lg);

/* Append raw leaf hashes (n of them, 32 bytes each). Atomic (a savepoint); call inside the
 * caller's transaction so the leaves commit with whatever they record. */
int sw_ledger_append_leaves(struct sw_ledger *lg, const uint8_t *hashes, size_t n,
                            uint64_t *first_index);

/* Outcome per event of sw_ledger_record_events. */
struct sw_ledger_rec {
    int err;     /* SW_OK, SW_EFORMAT/SW_ETOOBIG (bad event), SW_EEXISTS (id recorded with
                    different content: nothing stored for this one), SW_ENOTFOUND (a review
                    of an event that is not recorded, or of a review) */
    int existed; /* 1: the same event was already recorded (idempotent), leaf is its leaf */
    uint64_t leaf;
    uint8_t hash[SW_HASH_LEN];
};
/* Record events: canonicalise each, append its leaf, store it in events, and set
 * event.evidence.leaf and event.evidence.sha256 (hex leaf hash) in the caller's json_t.
 * Per-event outcomes in out[0..n-1]; the return value is SW_OK unless the store failed
 * (then nothing of this call is kept). Atomic (a savepoint); call inside a transaction. */
int sw_ledger_record_events(struct sw_ledger *lg, json_t *const *events, size_t n,
                            struct sw_ledger_rec *out);
/* The same, but ending after the first event whose outcome is SW_EEXISTS: *done gets the
 * number of events processed (that one included; n when none was refused), and only
 * out[0..*done-1] are set. A caller that records a revision of the refused event can then
 * go on with the rest, so every event keeps the leaf order of one call per event. */
int sw_ledger_record_until_exists(struct sw_ledger *lg, json_t *const *events, size_t n,
                                  struct sw_ledger_rec *out, size_t *done);
/* One event, for callers without a handle (prepares statements each call: slower).
 * Returns the event's outcome (SW_EEXISTS when the id holds a different event). */
int sw_ledger_record_event(sqlite3 *db, json_t *event, uint64_t *leaf_out,
                           uint8_t hash_out[SW_HASH_LEN]);

/* Analyst reviews: a review is a ledger record of its own (docs/ledger.md, "Reviews"):
 *   {"id":"review-<hex>","type":"review","event":ID,"analyst":NAME,
 *    "decision":"confirm"|"dismiss"|"annotate","note":TEXT,"time":ISO 8601}
 * recorded with sw_ledger_record_events like any event, which refuses it (SW_ENOTFOUND) when
 * the event it names is not recorded; the event views of query.h leave reviews out and give
 * each incident its review state, sw_query_reviews (query.h) lists them.
 * sw_review_new builds one (a new reference in *out): SW_EINVAL with the offending part in
 * err (SW_ERRMAX bytes, may be NULL) for an empty or over-long event id or analyst name
 * (SW_REVIEW_NAME_MAX bytes), another decision, a note over SW_REVIEW_NOTE_MAX bytes or with
 * control characters other than newline and tab, an annotation without a note, or text that
 * is not UTF-8. The id is a hash of the rest, so the same review at the same millisecond is
 * recorded once. */
#define SW_REVIEW_NAME_MAX 64
#define SW_REVIEW_NOTE_MAX 4000
int sw_review_new(const char *event, const char *analyst, const char *decision, const char *note,
                  int64_t time_ms, json_t **out, char *err);
/* 1 for "confirm", "dismiss" and "annotate". */
int sw_review_decision_ok(const char *decision);

/* Current size and root. */
int sw_ledger_tree(struct sw_ledger *lg, uint64_t *size, uint8_t root[SW_HASH_LEN]);
/* MTH(D[start:end]) from the stored hashes (0 <= start < end <= size). */
int sw_ledger_range_hash(struct sw_ledger *lg, uint64_t start, uint64_t end,
                         uint8_t out[SW_HASH_LEN]);
/* Sign a head for the current tree (origin = key name, time now) and record it in
 * ledger_heads. *note_out (optional) gets the signed note, malloc'd. */
int sw_ledger_sign_head(struct sw_ledger *lg, const struct sw_ledger_key *k, int64_t time_ms,
                        char **note_out);
/* The latest recorded head whose size is >= min_size (0 for the latest); *note_out malloc'd.
 * SW_ENOTFOUND when none. */
int sw_ledger_latest_head(struct sw_ledger *lg, uint64_t min_size, char **note_out);
/* Recorded head of exactly this size (the latest of them). SW_ENOTFOUND when none.
 * Both return the head's note with the witness cosignatures recorded for it appended. */
int sw_ledger_head_at(struct sw_ledger *lg, uint64_t size, char **note_out);
/* Record a witness's cosignature line for the recorded head whose log-signed note is note
 * (as sw_ledger_sign_head returned it). The line must verify against witness (a
 * SW_NOTE_COSIG_V1 key): SW_EVERIFY otherwise; SW_ENOTFOUND when no head has that note.
 * Recording the same witness twice for one head keeps the first line. */
int sw_ledger_add_cosignature(struct sw_ledger *lg, const char *note,
                              const struct sw_ledger_pub *witness, const char *line);
/* The largest head size this witness key has a recorded cosignature for (0 when none): the
 * old size to claim when submitting the next head to it. */
int sw_ledger_witness_size(struct sw_ledger *lg, const struct sw_ledger_pub *witness,
                           uint64_t *size);

/* Inclusion proof of event id in the tree of size (0: current size). The proof carries the
 * stored event. SW_ENOTFOUND for an unknown id, SW_ERANGE when size does not cover it. */
int sw_ledger_prove_event(struct sw_ledger *lg, const char *id, uint64_t size,
                          struct sw_proof *out);
/* Inclusion proof of the leaf at index (no event attached). */
int sw_ledger_prove_index(struct sw_ledger *lg, uint64_t index, uint64_t size,
                          struct sw_proof *out);
/* Consistency proof between two sizes (0 < old_size <= new_size <= current size). */
int sw_ledger_prove_consistency(struct sw_ledger *lg, uint64_t old_size, uint64_t new_size,
                                struct sw_proof *out);
/* The same path alone, into path (room for SW_MERKLE_MAX_PATH hashes; *n their number), ctx
 * being the struct sw_ledger: the proof callback a witness client takes
 * (sw_witness_proof_fn, sanctwatch/witness.h), for ledger head and the server alike. */
int sw_ledger_consistency_path(void *ctx, uint64_t old_size, uint64_t new_size,
                               uint8_t path[][SW_HASH_LEN], size_t *n);

/* Full audit: recompute every leaf from the stored canonical events (in leaf order, no gaps),
 * check stored leaf and node hashes and the stored state, and check every recorded head's
 * signature (when pub is non-NULL) and root against the recomputed tree. If head is non-NULL
 * (a head kept elsewhere, already verified), the log must contain it: its size <= the log's
 * size and its root equal to the recomputed root at that size. On SW_EVERIFY, msg (optional,
 * SW_ERRMAX bytes) says what is wrong. */
int sw_ledger_audit(struct sw_ledger *lg, const struct sw_ledger_pub *pub,
                    const struct sw_checkpoint *head, char *msg);
/* The same with several trusted log keys (a rotated key): each head must verify under one. */
int sw_ledger_audit_keys(struct sw_ledger *lg, const struct sw_ledger_pub *pubs, size_t npubs,
                         const struct sw_checkpoint *head, char *msg);

#endif
