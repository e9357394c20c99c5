/*
 * Witnesses of the evidence ledger (C2SP tlog-witness, tlog-cosignature): partner states run a
 * witness that co-signs a log's tree head only when it is consistent with the last head it
 * co-signed for that log, so that no one holding the log key can show two histories (a split
 * view) or start over without a witness having signed both. docs/witness.md tells how to run
 * one; docs/ledger.md gives the trust model.
 *
 * Five parts, each usable alone:
 *   requests   sw_witness_request_*   the add-checkpoint body: "old N", proof lines, blank,
 *                                     the signed checkpoint (parse and format)
 *   witness    sw_witness_*           the service logic: trusted log keys, the durable state
 *                                     (its own SQLite file, module "witness"), one call that
 *                                     answers an add-checkpoint body with an HTTP status
 *   server     sw_witness_server_*    the HTTP endpoint on libmicrohttpd
 *   policy     sw_witness_policy_*    which witnesses a log or a verifier trusts, and the quorum
 *   client     sw_witness_collect     the log side (libcurl): submit a head with the proof each
 *                                     witness needs, collect and check the cosignatures
 * and sw_witness_count for verifiers (how many trusted witnesses validly cosigned a note).
 *
 * Ownership: char * returned through out-parameters are malloc'd (the caller free()s them);
 * structs are the caller's unless a _release/_close function is named. The library never
 * prints; the server reports each answer through the caller's log callback.
 */
#ifndef SANCTWATCH_WITNESS_H
#define SANCTWATCH_WITNESS_H

#include "sanctwatch/error.h"
#include "sanctwatch/ledger.h"

#include <stddef.h>
#include <stdint.h>

/* Consistency proof lines a request may carry (tlog-witness: at most 63). */
#define SW_WITNESS_MAX_PROOF 63
/* Largest add-checkpoint body accepted: the old line, 63 proof lines, a checkpoint. */
#define SW_WITNESS_BODY_MAX (SW_CHECKPOINT_MAX + 4096)
/* Most log keys a witness trusts, and most witnesses a policy names. */
#define SW_WITNESS_MAX_LOGS 256
#define SW_WITNESS_MAX_PEERS 32
#define SW_WITNESS_URL_MAX 512
/* The 409 answer's content type (tlog-witness). */
#define SW_WITNESS_SIZE_TYPE "text/x.tlog.size"

/* ------------------------------------------------------------------------- requests */

struct sw_witness_request {
    uint64_t old_size;
    size_t nproof;
    uint8_t proof[SW_WITNESS_MAX_PROOF][SW_HASH_LEN];
    const char *note; /* the signed checkpoint: points into the parsed body */
    size_t note_len;
};
/* Parse an add-checkpoint body (strict: "old " and a decimal without leading zeros, at most 63
 * canonical base64 hashes, one blank line, then a note). The note is only located, not
 * parsed. SW_EFORMAT for anything else, SW_ETOOBIG over SW_WITNESS_BODY_MAX or 63 proofs. */
int sw_witness_request_parse(const char *body, size_t len, struct sw_witness_request *out);
/* The body for note with old size and proof. *out malloc'd, *out_len its length. */
int sw_witness_request_format(uint64_t old_size, const uint8_t (*proof)[SW_HASH_LEN], size_t n,
                              const char *note, size_t note_len, char **out, size_t *out_len);

/* ------------------------------------------------------------------------- witness */

struct sw_witness; /* state database, signing key, trusted log keys; thread-safe */

/* Open (creating) the state database at path (":memory:" for tests and fuzzing) and keep a
 * copy of key (a SW_NOTE_COSIG_V1 key: SW_EINVAL otherwise; NULL to read the state only, as
 * 'witness status' does: such a witness answers 500). err (SW_ERRMAX bytes) says why
 * on failure. The database is written with synchronous=FULL: a head is durable before its
 * cosignature leaves. */
int sw_witness_open(const char *path, const struct sw_ledger_key *key, struct sw_witness **out,
                    char *err);
/* Trust pub (a SW_NOTE_ED25519 key) for checkpoints of origin. An origin may have several
 * keys (a log key being rotated): a checkpoint needs a valid signature from one of them.
 * SW_EINVAL for a bad origin or key type, SW_ERANGE past SW_WITNESS_MAX_LOGS. Call before
 * serving. */
int sw_witness_add_log(struct sw_witness *w, const char *origin, const struct sw_ledger_pub *pub);
void sw_witness_close(struct sw_witness *w);
/* The witness's verifier key (its name, key id and public key, type SW_NOTE_COSIG_V1). */
const struct sw_ledger_pub *sw_witness_pub(const struct sw_witness *w);

struct sw_witness_reply {
    int status;               /* HTTP status: 200, 400, 403, 404, 409, 413, 422 or 500 */
    const char *content_type; /* static */
    char *body;               /* malloc'd, body_len bytes (NUL-terminated) */
    size_t body_len;
    char origin[SW_LEDGER_NAME_MAX + 1]; /* "" when not known */
    uint64_t size;                       /* the checkpoint's size, when parsed */
    int evidence; /* 1: a validly signed checkpoint refused as inconsistent, kept as evidence */
    char reason[SW_ERRMAX]; /* one line: what was done and why */
};
/* Answer one add-checkpoint body the way c2sp.org/tlog-witness says: 404 unknown origin, 403
 * no valid signature of a trusted key, 400 malformed or old size above the checkpoint's, 409
 * old size not the size last cosigned (body: that size, SW_WITNESS_SIZE_TYPE) or the same size
 * with another root (a split view), 422 a consistency proof that does not hold (or a proof
 * where none belongs, or a wrong empty-tree root), else 200 with the cosignature line (time
 * now_s). The check and the new state commit in one transaction under a lock, before the
 * cosignature is made. Refusals of validly signed checkpoints are recorded as evidence.
 * Returns SW_OK when r holds an answer (any status); on SW_EDB/SW_ENOMEM r is a 500.
 * Release r with sw_witness_reply_release. */
int sw_witness_add_checkpoint(struct sw_witness *w, const char *body, size_t len, int64_t now_s,
                              struct sw_witness_reply *r);
void sw_witness_reply_release(struct sw_witness_reply *r);

/* The latest cosigned checkpoint of origin (its signed note, malloc'd, when note is non-NULL).
 * SW_ENOTFOUND when the witness never cosigned for it. */
int sw_witness_latest(struct sw_witness *w, const char *origin, struct sw_checkpoint *out,
                      char **note);
/* Walk the state: every log's latest cosigned head, then every recorded refusal, oldest first.
 * kind is "head" or "refusal"; note the signed checkpoint. A non-zero return of fn stops. */
typedef int (*sw_witness_walk_fn)(void *ctx, const char *kind, const char *origin, uint64_t size,
                                  int64_t time_ms, int status, const char *reason,
                                  const char *note);
int sw_witness_walk(struct sw_witness *w, sw_witness_walk_fn fn, void *ctx);

/* --------------------------------------------------------------------------- server */

struct sw_witness_server_opts {
    const char *host;   /* numeric IPv4 or IPv6 address to bind (default "127.0.0.1") */
    unsigned port;      /* 0: the kernel picks a free one (see *bound_port) */
    unsigned threads;   /* thread pool size (default 2) */
    unsigned timeout_s; /* idle connection limit, seconds (default 10) */
    unsigned max_conn;  /* connections at once (default 128; per address 32) */
    const char *prefix; /* submission prefix ("" by default: POST /add-checkpoint) */
    /* Called once per answered add-checkpoint (from server threads, serialised), may be NULL. */
    void (*log)(void *ctx, const char *peer, const struct sw_witness_reply *r);
    void *log_ctx;
};
struct sw_witness_server;
/* Start serving w (which must outlive the server). *bound_port gets the port listened on. */
int sw_witness_server_start(struct sw_witness *w, const struct sw_witness_server_opts *o,
                            struct sw_witness_server **out, unsigned *bound_port, char *err);
/* Stop accepting, finish the requests in flight, free. */
void sw_witness_server_stop(struct sw_witness_server *s);

/* --------------------------------------------------------------------------- policy */

struct sw_witness_peer {
    char name[SW_LEDGER_NAME_MAX + 1]; /* the witness (several keys may share one name) */
    struct sw_ledger_pub pub;          /* SW_NOTE_COSIG_V1 */
    char url[SW_WITNESS_URL_MAX + 1];  /* submission prefix; "" when only verifying */
};
struct sw_witness_policy {
    size_t n;
    struct sw_witness_peer peer[SW_WITNESS_MAX_PEERS];
    unsigned quorum; /* 0: not given */
};
/* Parse a policy file: lines "witness NAME VKEY [URL]" and "quorum K", '#' comments, blank
 * lines. NAME must be VKEY's key name. err (SW_ERRMAX bytes) names the line on SW_EFORMAT. */
int sw_witness_policy_parse(const char *text, size_t len, struct sw_witness_policy *out, char *err);
/* Add one witness key (VKEY text, type 0x04) under name; url may be NULL. SW_EFORMAT for a bad
 * key, SW_EINVAL when name differs from the key's name, SW_ERANGE when full. */
int sw_witness_policy_add(struct sw_witness_policy *p, const char *name, const char *vkey,
                          const char *url);
/* Distinct witness names of the policy (the most a note can count). */
unsigned sw_witness_policy_names(const struct sw_witness_policy *p);

/* How many distinct witnesses of p validly cosigned note. signed_by (optional, p->n entries)
 * gets 1 for each key whose cosignature verifies, with its timestamp in ts (optional).
 * SW_EVERIFY (and bad_key the key's index, when non-NULL) when a line of a trusted key is
 * present but does not verify: such a note is rejected whole, as signed-note advises. */
int sw_witness_count(const char *note, size_t len, const struct sw_witness_policy *p,
                     unsigned *count, int *signed_by, uint64_t *ts, size_t *bad_key);

/* The witnesses named on a note's cosignature lines (signature lines of SW_COSIG_LEN bytes),
 * with their timestamps, in note order, for display (the report's annex). Not verified here:
 * the ledger verifies every line before recording it, and a reader checks them with
 * 'ledger verify --witnesses'. At most max entries; *n gets their number. SW_EFORMAT for a
 * note that does not parse. */
struct sw_cosigner {
    char name[SW_LEDGER_NAME_MAX + 1];
    uint64_t timestamp;
};
int sw_witness_cosigners(const char *note, size_t len, struct sw_cosigner *out, size_t max,
                         size_t *n);

/* --------------------------------------------------------------------------- client */

/* Consistency proof of the log between two sizes (0 < old_size < new_size): path (room for
 * SW_MERKLE_MAX_PATH hashes) and *n. */
typedef int (*sw_witness_proof_fn)(void *ctx, uint64_t old_size, uint64_t new_size,
                                   uint8_t path[][SW_HASH_LEN], size_t *n);

struct sw_witness_outcome {
    int err;       /* SW_OK: cosigned (line set); else why not */
    int status;    /* last HTTP status (0: no answer) */
    uint64_t old;  /* the old size the last request claimed */
    uint64_t size; /* the witness's size after the exchange (the head's on success) */
    uint64_t timestamp;
    char *line; /* the verified cosignature line (malloc'd), or NULL */
    char msg[SW_ERRMAX];
    double seconds; /* wall time of the exchange */
};
/* Submit note (a signed checkpoint) to every peer of p with a URL, at once: each request
 * claims old size known[i] (the size the log last had cosigned by that peer; 0 when unknown)
 * with the proof from it; a 409 naming another size within the head is retried once from
 * that size. Every returned line is checked against the peer's key before it is kept.
 * timeout_ms bounds each exchange. out[0..p->n-1] gets each peer's outcome (release with
 * sw_witness_outcome_release); *cosigned (optional) gets note with the verified lines
 * appended in policy order. Returns SW_OK unless nothing could be attempted. */
int sw_witness_collect(const struct sw_witness_policy *p, const uint64_t *known, const char *note,
                       size_t note_len, sw_witness_proof_fn proof, void *ctx, unsigned timeout_ms,
                       struct sw_witness_outcome *out, char **cosigned);
void sw_witness_outcome_release(struct sw_witness_outcome *out, size_t n);

/* ---------------------------------------------------------------------- key rotation */

/* A key-rotation statement: the note "sanctwatch-key-rotation/v1\nold <vkey>\nnew <vkey>\n
 * time <ISO 8601>\n" signed (plain Ed25519 note signatures) by the old key and by the new
 * one. A verifier that trusts old and is handed the statement may trust new for the same
 * role: a log key (same origin) or a witness key (same witness name). Both keys must be of one
 * type. *out malloc'd. */
int sw_key_rotation_sign(const struct sw_ledger_key *old, const struct sw_ledger_key *next,
                         int64_t time_ms, char **out);
/* Verify a statement against a trusted old key; *next gets the new key. SW_ENOTFOUND when the
 * statement is about another old key, SW_EVERIFY when a signature fails, SW_EFORMAT. */
int sw_key_rotation_verify(const char *text, size_t len, const struct sw_ledger_pub *old,
                           struct sw_ledger_pub *next);

#endif
