/*
 * Ledger keys and signed tree heads. Keys use the text forms of the C2SP signed-note ecosystem
 * (Go's golang.org/x/mod/sumdb/note): "PRIVATE+KEY+<name>+<id>+<b64>" and "<name>+<id>+<b64>",
 * Ed25519 from libsodium, key id = SHA-256(name || 0x0A || 0x01 || pk)[0:4]. Heads are
 * C2SP tlog-checkpoint notes: origin, size, base64 root, optional extension lines (we write
 * "timestamp <ISO 8601>"), a blank line, then "— <name> <base64(keyid || signature)>" lines.
 * Everything here parses hostile text: bounded sizes, strict syntax, no allocation on parse.
 */
#include "sanctwatch/ledger.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"
#include "sanctwatch/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIG_DASH "\xe2\x80\x94 " /* U+2014 EM DASH, then a space */
#define KEY_FILE_MAX 4096

int sw_note_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > SW_LEDGER_NAME_MAX) return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '+') return 0;
    }
    return 1;
}

static void key_id(const char *name, uint8_t alg, const uint8_t pk[32], uint8_t id[4])
{
    crypto_hash_sha256_state st;
    uint8_t h[32];
    const unsigned char sep[2] = {0x0a, alg};
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)name, strlen(name));
    crypto_hash_sha256_update(&st, sep, 2);
    crypto_hash_sha256_update(&st, pk, 32);
    crypto_hash_sha256_final(&st, h);
    memcpy(id, h, 4);
}

/* Strict standard base64 (with padding) of exactly want bytes. */
int sw_note_b64_decode(const char *s, size_t len, uint8_t *out, size_t want)
{
    size_t got = 0;
    const char *end = NULL;
    if (len != sodium_base64_ENCODED_LEN(want, sodium_base64_VARIANT_ORIGINAL) - 1)
        return SW_EFORMAT;
    if (sodium_base642bin(out, want, s, len, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) ||
        got != want || end != s + len)
        return SW_EFORMAT;
    /* Refuse non-canonical encodings (stray low bits in the last character). */
    char re[256];
    if (want > 180) return SW_EFORMAT;
    sodium_bin2base64(re, sizeof re, out, want, sodium_base64_VARIANT_ORIGINAL);
    return memcmp(re, s, len) == 0 ? SW_OK : SW_EFORMAT;
}

void sw_note_b64_encode(char *out, size_t cap, const uint8_t *in, size_t len)
{
    sodium_bin2base64(out, cap, in, len, sodium_base64_VARIANT_ORIGINAL);
}

static int alg_ok(unsigned alg)
{
    return alg == SW_NOTE_ED25519 || alg == SW_NOTE_COSIG_V1;
}

int sw_ledger_key_generate_alg(const char *name, unsigned alg, struct sw_ledger_key *out)
{
    memset(out, 0, sizeof *out);
    if (!name || !sw_note_name_ok(name, strlen(name)) || !alg_ok(alg)) return SW_EINVAL;
    if (sodium_init() < 0) return SW_ECRYPTO;
    memcpy(out->pub.name, name, strlen(name) + 1);
    if (crypto_sign_keypair(out->pub.pk, out->sk)) return SW_ECRYPTO;
    out->pub.alg = (uint8_t)alg;
    key_id(name, out->pub.alg, out->pub.pk, out->pub.keyid);
    return SW_OK;
}

int sw_ledger_key_generate(const char *name, struct sw_ledger_key *out)
{
    return sw_ledger_key_generate_alg(name, SW_NOTE_ED25519, out);
}

void sw_ledger_pub_retype(struct sw_ledger_pub *p, unsigned alg)
{
    p->alg = (uint8_t)alg;
    key_id(p->name, p->alg, p->pk, p->keyid);
}

void sw_ledger_key_wipe(struct sw_ledger_key *k)
{
    sodium_memzero(k, sizeof *k);
}

static uint32_t id_u32(const uint8_t id[4])
{
    return (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3];
}

int sw_ledger_pub_format(const struct sw_ledger_pub *p, char **out)
{
    uint8_t raw[33];
    char b64[64];
    raw[0] = p->alg;
    memcpy(raw + 1, p->pk, 32);
    sw_note_b64_encode(b64, sizeof b64, raw, sizeof raw);
    struct sw_buf b;
    sw_buf_init(&b, 1024);
    int rc = sw_buf_printf(&b, "%s+%08x+%s\n", p->name, id_u32(p->keyid), b64);
    if (rc) {
        sw_buf_release(&b);
        return rc;
    }
    *out = sw_buf_detach(&b, NULL);
    return SW_OK;
}

int sw_ledger_key_format(const struct sw_ledger_key *k, char **out)
{
    uint8_t raw[33];
    char b64[64];
    raw[0] = k->pub.alg;
    memcpy(raw + 1, k->sk, 32); /* the seed */
    sw_note_b64_encode(b64, sizeof b64, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    struct sw_buf b;
    sw_buf_init(&b, 1024);
    int rc = sw_buf_printf(&b, "PRIVATE+KEY+%s+%08x+%s\n", k->pub.name, id_u32(k->pub.keyid), b64);
    sodium_memzero(b64, sizeof b64);
    if (rc) {
        sw_buf_release(&b);
        return rc;
    }
    *out = sw_buf_detach(&b, NULL);
    return SW_OK;
}

int sw_ledger_pub_pem(const struct sw_ledger_pub *p, char **out)
{
    /* SubjectPublicKeyInfo for id-Ed25519 (RFC 8410): fixed 12-byte DER prefix, then pk. */
    static const uint8_t prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                       0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    uint8_t der[44];
    char b64[80];
    memcpy(der, prefix, 12);
    memcpy(der + 12, p->pk, 32);
    sw_note_b64_encode(b64, sizeof b64, der, sizeof der);
    struct sw_buf b;
    sw_buf_init(&b, 1024);
    int rc = sw_buf_printf(&b, "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n", b64);
    if (rc) {
        sw_buf_release(&b);
        return rc;
    }
    *out = sw_buf_detach(&b, NULL);
    return SW_OK;
}

/* Split "a+b+c" fields of a key line; the last field may not contain '+' (base64 can, so it is
 * taken as everything after the given number of separators). */
static size_t trim_len(const char *text, size_t len)
{
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ' ||
                       text[len - 1] == '\t'))
        len--;
    return len;
}

/* Parse "<name>+<8 hex>+<base64 of 33 bytes>" into name, id, raw (raw[0]: the type byte,
 * 0x01 or 0x04). */
static int parse_key_fields(const char *s, size_t len, char name[SW_LEDGER_NAME_MAX + 1],
                            uint8_t id[4], uint8_t raw[33])
{
    const char *p1 = memchr(s, '+', len);
    if (!p1) return SW_EFORMAT;
    size_t nlen = (size_t)(p1 - s);
    if (!sw_note_name_ok(s, nlen)) return SW_EFORMAT;
    const char *h = p1 + 1;
    size_t rest = len - nlen - 1;
    if (rest < 10 || h[8] != '+') return SW_EFORMAT;
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        char c = h[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else
            return SW_EFORMAT;
        v = v << 4 | d;
    }
    if (sw_note_b64_decode(h + 9, rest - 9, raw, 33) || !alg_ok(raw[0])) return SW_EFORMAT;
    memcpy(name, s, nlen);
    name[nlen] = '\0';
    id[0] = (uint8_t)(v >> 24);
    id[1] = (uint8_t)(v >> 16);
    id[2] = (uint8_t)(v >> 8);
    id[3] = (uint8_t)v;
    return SW_OK;
}

int sw_ledger_pub_parse(const char *text, size_t len, struct sw_ledger_pub *out)
{
    uint8_t raw[33];
    memset(out, 0, sizeof *out);
    len = trim_len(text, len);
    if (len > KEY_FILE_MAX || memchr(text, '\n', len)) return SW_EFORMAT;
    int rc = parse_key_fields(text, len, out->name, out->keyid, raw);
    if (rc) return rc;
    memcpy(out->pk, raw + 1, 32);
    out->alg = raw[0];
    uint8_t want[4];
    key_id(out->name, out->alg, out->pk, want);
    return memcmp(want, out->keyid, 4) == 0 ? SW_OK : SW_EVERIFY;
}

int sw_ledger_key_parse(const char *text, size_t len, struct sw_ledger_key *out)
{
    static const char tag[] = "PRIVATE+KEY+";
    uint8_t raw[33];
    int rc;
    memset(out, 0, sizeof *out);
    len = trim_len(text, len);
    if (len > KEY_FILE_MAX || len < sizeof tag || memcmp(text, tag, sizeof tag - 1) ||
        memchr(text, '\n', len))
        return SW_EFORMAT;
    rc = parse_key_fields(text + sizeof tag - 1, len - (sizeof tag - 1), out->pub.name,
                          out->pub.keyid, raw);
    if (rc) goto fail;
    if (sodium_init() < 0) {
        rc = SW_ECRYPTO;
        goto fail;
    }
    if (crypto_sign_seed_keypair(out->pub.pk, out->sk, raw + 1)) {
        rc = SW_ECRYPTO;
        goto fail;
    }
    uint8_t want[4];
    out->pub.alg = raw[0];
    key_id(out->pub.name, out->pub.alg, out->pub.pk, want);
    if (memcmp(want, out->pub.keyid, 4)) {
        rc = SW_EVERIFY;
        goto fail;
    }
    sodium_memzero(raw, sizeof raw);
    return SW_OK;
fail:
    sodium_memzero(raw, sizeof raw);
    sw_ledger_key_wipe(out);
    return rc;
}

/* Read a whole small file; if secret, insist on owner-only permissions. */
static int read_small(const char *path, int secret, char *buf, size_t cap, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return SW_EIO;
    struct stat st;
    int rc = SW_OK;
    if (fstat(fd, &st)) {
        rc = SW_EIO;
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) { /* read(2) would say EISDIR: say it the same way */
        errno = EISDIR;
        rc = SW_EIO;
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        rc = SW_EINVAL;
        goto fail;
    }
    if (secret && (st.st_mode & 077)) {
        errno = EPERM;
        rc = SW_EINVAL;
        goto fail;
    }
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = SW_EIO;
            goto fail;
        }
        if (r == 0) break;
        n += (size_t)r;
        if (n == cap) {
            rc = SW_ETOOBIG;
            goto fail;
        }
    }
    *len = n;
fail:
    close(fd);
    return rc;
}

int sw_ledger_key_load(const char *path, struct sw_ledger_key *out)
{
    char buf[KEY_FILE_MAX];
    size_t len = 0;
    memset(out, 0, sizeof *out);
    int rc = read_small(path, 1, buf, sizeof buf, &len);
    if (rc == SW_OK) rc = sw_ledger_key_parse(buf, len, out);
    sodium_memzero(buf, sizeof buf);
    return rc;
}

int sw_ledger_pub_load(const char *path, struct sw_ledger_pub *out)
{
    char buf[KEY_FILE_MAX];
    size_t len = 0;
    memset(out, 0, sizeof *out);
    int rc = read_small(path, 0, buf, sizeof buf, &len);
    if (rc) return rc;
    return sw_ledger_pub_parse(buf, len, out);
}

int sw_ledger_key_save(const char *path, const struct sw_ledger_key *k)
{
    char *text = NULL;
    int rc = sw_ledger_key_format(k, &text);
    if (rc) return rc;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = errno == EEXIST ? SW_EEXISTS : SW_EIO;
        goto fail;
    }
    rc = sw_write_all(fd, text, strlen(text));
    if (rc == SW_OK && fsync(fd)) rc = SW_EIO;
    if (close(fd) && rc == SW_OK) rc = SW_EIO;
fail:
    if (text) {
        sodium_memzero(text, strlen(text));
        free(text);
    }
    return rc;
}

/* ------------------------------------------------------------------ checkpoints */

static int body_format(const struct sw_checkpoint *c, struct sw_buf *b)
{
    char root[64], t[32];
    if (!sw_note_name_ok(c->origin, strlen(c->origin))) return SW_EINVAL;
    sw_note_b64_encode(root, sizeof root, c->root, SW_HASH_LEN);
    int rc = sw_buf_printf(b, "%s\n%llu\n%s\n", c->origin, (unsigned long long)c->size, root);
    if (!rc && c->time_ms != SW_TIME_NONE)
        rc = sw_buf_printf(b, "timestamp %s\n", sw_time_format(c->time_ms, 1, t));
    return rc;
}

int sw_note_sign(const char *text, size_t len, const struct sw_ledger_key *k, char **out)
{
    struct sw_buf b;
    uint8_t sig[4 + crypto_sign_BYTES];
    char b64[128];
    *out = NULL;
    if (len == 0 || text[len - 1] != '\n' || k->pub.alg != SW_NOTE_ED25519) return SW_EINVAL;
    sw_buf_init(&b, SW_CHECKPOINT_MAX);
    int rc = sw_buf_append(&b, text, len);
    if (rc) goto fail;
    memcpy(sig, k->pub.keyid, 4);
    if (sodium_init() < 0 ||
        crypto_sign_detached(sig + 4, NULL, (const unsigned char *)text, len, k->sk)) {
        rc = SW_ECRYPTO;
        goto fail;
    }
    sw_note_b64_encode(b64, sizeof b64, sig, sizeof sig);
    if ((rc = sw_buf_printf(&b, "\n" SIG_DASH "%s %s\n", k->pub.name, b64))) goto fail;
    *out = sw_buf_detach(&b, NULL);
    return SW_OK;
fail:
    sw_buf_release(&b);
    return rc;
}

/* The message a cosignature/v1 signs: "cosignature/v1\ntime <ts>\n" || text. */
static int cosig_message(const char *text, size_t len, uint64_t ts, struct sw_buf *m)
{
    int rc = sw_buf_printf(m, "cosignature/v1\ntime %llu\n", (unsigned long long)ts);
    return rc ? rc : sw_buf_append(m, text, len);
}

int sw_cosig_sign(const char *text, size_t len, const struct sw_ledger_key *k, uint64_t ts,
                  char **line)
{
    struct sw_buf m, b;
    uint8_t sig[SW_COSIG_LEN];
    char b64[160];
    *line = NULL;
    if (len == 0 || text[len - 1] != '\n' || k->pub.alg != SW_NOTE_COSIG_V1 ||
        ts > (uint64_t)INT64_MAX)
        return SW_EINVAL;
    sw_buf_init(&m, SW_CHECKPOINT_MAX + 64);
    sw_buf_init(&b, 1024);
    int rc = cosig_message(text, len, ts, &m);
    if (rc) goto done;
    memcpy(sig, k->pub.keyid, 4);
    for (int i = 0; i < 8; i++)
        sig[4 + i] = (uint8_t)(ts >> (56 - 8 * i));
    if (sodium_init() < 0 ||
        crypto_sign_detached(sig + 12, NULL, (const unsigned char *)m.data, m.len, k->sk)) {
        rc = SW_ECRYPTO;
        goto done;
    }
    sw_note_b64_encode(b64, sizeof b64, sig, sizeof sig);
    if ((rc = sw_buf_printf(&b, SIG_DASH "%s %s\n", k->pub.name, b64))) goto done;
    *line = sw_buf_detach(&b, NULL);
done:
    sw_buf_release(&m);
    sw_buf_release(&b);
    return rc;
}

int sw_checkpoint_sign(const struct sw_checkpoint *c, const struct sw_ledger_key *k, char **out)
{
    struct sw_buf b;
    *out = NULL;
    sw_buf_init(&b, SW_CHECKPOINT_MAX);
    int rc = body_format(c, &b);
    if (rc == SW_OK) rc = sw_note_sign(b.data, b.len, k, out);
    sw_buf_release(&b);
    return rc;
}

int sw_note_parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20 || (len > 1 && s[0] == '0')) return SW_EFORMAT;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return SW_EFORMAT;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return SW_EFORMAT;
        v = v * 10 + d;
    }
    *out = v;
    return SW_OK;
}

/* Split a note into its text (ending with '\n') and its signature block. */
static int note_text(const char *note, size_t len, size_t *text_len)
{
    if (len < 4 || len > SW_CHECKPOINT_MAX || note[len - 1] != '\n') return SW_EFORMAT;
    /* The signature block starts after the last "\n\n". */
    size_t split = 0;
    int found = 0;
    for (size_t i = len - 1; i > 0; i--)
        if (note[i] == '\n' && note[i - 1] == '\n') {
            split = i - 1;
            found = 1;
            break;
        }
    if (!found || split == 0) return SW_EFORMAT;
    *text_len = split + 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)note[i];
        if ((ch < 0x20 && ch != '\n') || ch == 0x7f) return SW_EFORMAT;
    }
    return SW_OK;
}

/* Split a note and parse its text as a checkpoint. */
static int note_split(const char *note, size_t len, size_t *text_len, struct sw_checkpoint *c)
{
    int rc = note_text(note, len, text_len);
    if (rc) return rc;
    /* Body lines. */
    const char *p = note, *end = note + *text_len;
    const char *line[3];
    size_t ll[3];
    for (int i = 0; i < 3; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return SW_EFORMAT;
        line[i] = p;
        ll[i] = (size_t)(nl - p);
        p = nl + 1;
    }
    memset(c, 0, sizeof *c);
    c->time_ms = SW_TIME_NONE;
    if (!sw_note_name_ok(line[0], ll[0])) return SW_EFORMAT;
    memcpy(c->origin, line[0], ll[0]);
    c->origin[ll[0]] = '\0';
    if (sw_note_parse_u64(line[1], ll[1], &c->size) || c->size > SW_MERKLE_MAX_SIZE)
        return SW_EFORMAT;
    if (sw_note_b64_decode(line[2], ll[2], c->root, SW_HASH_LEN)) return SW_EFORMAT;
    while (p < end) { /* extension lines: non-empty; "timestamp " is ours */
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)(nl - p);
        if (n == 0) return SW_EFORMAT;
        if (n > 10 && !memcmp(p, "timestamp ", 10)) {
            if (c->time_ms != SW_TIME_NONE || sw_time_parse(p + 10, n - 10, &c->time_ms))
                return SW_EFORMAT;
        }
        p = nl + 1;
    }
    return SW_OK;
}

int sw_checkpoint_parse(const char *note, size_t len, struct sw_checkpoint *out)
{
    size_t tl;
    return note_split(note, len, &tl, out);
}

/* Check one signature (key id first) of pub over the note text. */
static int sig_check(const char *note, size_t tl, const struct sw_ledger_pub *pub,
                     const uint8_t *sig, uint64_t *ts)
{
    if (pub->alg == SW_NOTE_ED25519)
        return crypto_sign_verify_detached(sig + 4, (const unsigned char *)note, tl, pub->pk)
                   ? SW_EVERIFY
                   : SW_OK;
    uint64_t t = 0;
    for (int i = 0; i < 8; i++)
        t = t << 8 | sig[4 + i];
    if (t > (uint64_t)INT64_MAX) return SW_EVERIFY;
    struct sw_buf m;
    sw_buf_init(&m, SW_CHECKPOINT_MAX + 64);
    int rc = cosig_message(note, tl, t, &m);
    if (rc == SW_OK &&
        crypto_sign_verify_detached(sig + 12, (const unsigned char *)m.data, m.len, pub->pk))
        rc = SW_EVERIFY;
    sw_buf_release(&m);
    if (rc == SW_OK) *ts = t;
    return rc;
}

int sw_note_verify_sig(const char *note, size_t len, const struct sw_ledger_pub *pub,
                       size_t *text_len, struct sw_note_sig *out)
{
    size_t tl;
    int rc = note_text(note, len, &tl);
    if (rc) return rc;
    if (text_len) *text_len = tl;
    if (!alg_ok(pub->alg)) return SW_EINVAL;
    if (sodium_init() < 0) return SW_ECRYPTO;
    const char *p = note + tl + 1, *end = note + len;
    size_t nlen = strlen(pub->name);
    size_t siglen = pub->alg == SW_NOTE_ED25519 ? 4 + crypto_sign_BYTES : SW_COSIG_LEN;
    size_t b64len = sodium_base64_ENCODED_LEN(siglen, sodium_base64_VARIANT_ORIGINAL) - 1;
    int lines = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)(nl - p);
        if (++lines > SW_NOTE_MAX_SIGS || n < 4 || memcmp(p, SIG_DASH, 4)) return SW_EFORMAT;
        const char *name = p + 4;
        const char *sp = memchr(name, ' ', (size_t)(nl - name));
        if (!sp || !sw_note_name_ok(name, (size_t)(sp - name))) return SW_EFORMAT;
        const char *b64 = sp + 1;
        size_t blen = (size_t)(nl - b64);
        uint8_t sig[SW_COSIG_LEN];
        if ((size_t)(sp - name) == nlen && !memcmp(name, pub->name, nlen) && blen == b64len &&
            sw_note_b64_decode(b64, blen, sig, siglen) == SW_OK && !memcmp(sig, pub->keyid, 4)) {
            /* The first line naming our key decides (as signed-note verifiers do). */
            uint64_t ts = 0;
            if (sig_check(note, tl, pub, sig, &ts)) return SW_EVERIFY;
            if (out) {
                out->timestamp = ts;
                out->line_off = (size_t)(p - note);
                out->line_len = n + 1;
            }
            return SW_OK;
        }
        p = nl + 1;
    }
    return lines == 0 ? SW_EFORMAT : SW_ENOTFOUND;
}

int sw_note_verify(const char *note, size_t len, const struct sw_ledger_pub *pub, size_t *text_len)
{
    int rc = sw_note_verify_sig(note, len, pub, text_len, NULL);
    return rc == SW_ENOTFOUND ? SW_EVERIFY : rc;
}

int sw_checkpoint_verify(const char *note, size_t len, const struct sw_ledger_pub *pub,
                         struct sw_checkpoint *out)
{
    size_t tl;
    int rc = note_split(note, len, &tl, out);
    if (rc) return rc;
    return sw_note_verify(note, len, pub, NULL);
}
