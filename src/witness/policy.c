/*
 * Which witnesses a log submits to and a verifier trusts (the policy), counting the valid
 * cosignatures of a note against it, and key-rotation statements. Policy files and
 * statements come from partners and are parsed as hostile text.
 */
#include "sanctwatch/witness.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_MAX (1u << 20)

int sw_witness_policy_add(struct sw_witness_policy *p, const char *name, const char *vkey,
                          const char *url)
{
    struct sw_ledger_pub pub;
    if (p->n == SW_WITNESS_MAX_PEERS) return SW_ERANGE;
    if (sw_ledger_pub_parse(vkey, strlen(vkey), &pub) || pub.alg != SW_NOTE_COSIG_V1)
        return SW_EFORMAT;
    if (name && strcmp(name, pub.name)) return SW_EINVAL;
    if (url && strlen(url) > SW_WITNESS_URL_MAX) return SW_ERANGE;
    struct sw_witness_peer *w = &p->peer[p->n++];
    memset(w, 0, sizeof *w);
    memcpy(w->name, pub.name, sizeof w->name);
    w->pub = pub;
    if (url) memcpy(w->url, url, strlen(url) + 1);
    return SW_OK;
}

unsigned sw_witness_policy_names(const struct sw_witness_policy *p)
{
    unsigned n = 0;
    for (size_t i = 0; i < p->n; i++) {
        size_t j = 0;
        while (j < i && strcmp(p->peer[j].name, p->peer[i].name))
            j++;
        if (j == i) n++;
    }
    return n;
}

/* Split a line into at most max space-separated fields (NUL-terminating them in place). */
static int fields(char *s, char **f, int max)
{
    int n = 0;
    for (char *t = s; *t;) {
        while (*t == ' ' || *t == '\t')
            *t++ = '\0';
        if (!*t) break;
        if (n == max) return -1;
        f[n++] = t;
        while (*t && *t != ' ' && *t != '\t')
            t++;
    }
    return n;
}

static int policy_line(struct sw_witness_policy *out, char *s, unsigned no, char *err)
{
    char *f[5];
    int n = fields(s, f, 4);
    if (n == 0) return SW_OK;
    if (n == 2 && !strcmp(f[0], "quorum")) {
        uint64_t q;
        if (sw_note_parse_u64(f[1], strlen(f[1]), &q) || q == 0 || q > SW_WITNESS_MAX_PEERS) {
            if (err)
                snprintf(err, SW_ERRMAX, "line %u: quorum must be 1 to %d", no,
                         SW_WITNESS_MAX_PEERS);
            return SW_EFORMAT;
        }
        out->quorum = (unsigned)q;
        return SW_OK;
    }
    if ((n == 3 || n == 4) && !strcmp(f[0], "witness")) {
        int rc = sw_witness_policy_add(out, f[1], f[2], n == 4 ? f[3] : NULL);
        if (rc && err)
            snprintf(err, SW_ERRMAX, "line %u: %s", no,
                     rc == SW_EINVAL   ? "the witness name is not its key's name"
                     : rc == SW_ERANGE ? "too many witnesses, or URL too long"
                                       : "not a witness verifier key (type 0x04 vkey)");
        return rc ? SW_EFORMAT : SW_OK;
    }
    if (err)
        snprintf(err, SW_ERRMAX, "line %u: expected 'witness NAME VKEY [URL]' or 'quorum K'", no);
    return SW_EFORMAT;
}

int sw_witness_policy_parse(const char *text, size_t len, struct sw_witness_policy *out, char *err)
{
    memset(out, 0, sizeof *out);
    if (len > POLICY_MAX) return SW_ETOOBIG;
    char line[2048];
    unsigned no = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        no++;
        if (n >= sizeof line || memchr(p, '\0', n)) {
            if (err) snprintf(err, SW_ERRMAX, "line %u: too long or not text", no);
            return SW_EFORMAT;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        if (n && line[n - 1] == '\r') line[n - 1] = '\0';
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        int rc = policy_line(out, line, no, err);
        if (rc) return rc;
        p += n + (nl ? 1 : 0);
    }
    return SW_OK;
}

int sw_witness_count(const char *note, size_t len, const struct sw_witness_policy *p,
                     unsigned *count, int *signed_by, uint64_t *ts, size_t *bad_key)
{
    int ok[SW_WITNESS_MAX_PEERS] = {0};
    *count = 0;
    for (size_t i = 0; i < p->n; i++) {
        struct sw_note_sig sig;
        int rc = sw_note_verify_sig(note, len, &p->peer[i].pub, NULL, &sig);
        if (rc == SW_ENOTFOUND) continue; /* this key did not cosign */
        if (rc == SW_EVERIFY && bad_key) *bad_key = i;
        if (rc) return rc;
        ok[i] = 1;
        if (ts) ts[i] = sig.timestamp;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (signed_by) signed_by[i] = ok[i];
        if (!ok[i]) continue;
        size_t j = 0;
        while (j < i && !(ok[j] && !strcmp(p->peer[j].name, p->peer[i].name)))
            j++;
        if (j == i) (*count)++;
    }
    return SW_OK;
}

int sw_witness_cosigners(const char *note, size_t len, struct sw_cosigner *out, size_t max,
                         size_t *n)
{
    struct sw_checkpoint c;
    *n = 0;
    if (sw_checkpoint_parse(note, len, &c)) return SW_EFORMAT;
    /* The signature block follows the last blank line. */
    size_t i = len - 1;
    while (i > 0 && !(note[i] == '\n' && note[i - 1] == '\n'))
        i--;
    const char *p = note + i + 1, *end = note + len;
    while (p < end && *n < max) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *sp = memchr(p, ' ', (size_t)(nl - p));
        if (nl - p > 4 && sp && (sp = memchr(sp + 1, ' ', (size_t)(nl - sp - 1)))) {
            const char *name = p + 4; /* after the em dash and its space */
            size_t nlen = (size_t)(sp - name);
            uint8_t sig[SW_COSIG_LEN];
            if (sw_note_b64_decode(sp + 1, (size_t)(nl - sp - 1), sig, sizeof sig) == SW_OK &&
                nlen <= SW_LEDGER_NAME_MAX) {
                struct sw_cosigner *o = &out[(*n)++];
                memcpy(o->name, name, nlen);
                o->name[nlen] = '\0';
                o->timestamp = 0;
                for (int k = 0; k < 8; k++)
                    o->timestamp = o->timestamp << 8 | sig[4 + k];
            }
        }
        p = nl + 1;
    }
    return SW_OK;
}

/* ------------------------------------------------------------------- key rotation */

#define ROT_HEADER "sanctwatch-key-rotation/v1\n"

/* The statement's signer: the same key pair as a plain Ed25519 note key. */
static void as_note_key(const struct sw_ledger_key *k, struct sw_ledger_key *out)
{
    *out = *k;
    sw_ledger_pub_retype(&out->pub, SW_NOTE_ED25519);
}

int sw_key_rotation_sign(const struct sw_ledger_key *old, const struct sw_ledger_key *next,
                         int64_t time_ms, char **out)
{
    char *ov = NULL, *nv = NULL, *n1 = NULL, *n2 = NULL, t[32];
    struct sw_ledger_key ko, kn;
    struct sw_buf b;
    *out = NULL;
    if (old->pub.alg != next->pub.alg) return SW_EINVAL;
    sw_buf_init(&b, SW_CHECKPOINT_MAX);
    int rc = sw_ledger_pub_format(&old->pub, &ov);
    if (!rc) rc = sw_ledger_pub_format(&next->pub, &nv);
    if (!rc)
        rc = sw_buf_printf(&b, ROT_HEADER "old %snew %stime %s\n", ov, nv,
                           sw_time_format(time_ms, 1, t));
    as_note_key(old, &ko);
    as_note_key(next, &kn);
    if (!rc) rc = sw_note_sign(b.data, b.len, &ko, &n1);
    if (!rc) rc = sw_note_sign(b.data, b.len, &kn, &n2);
    if (!rc) {
        /* One note, two signature lines: append the second line to the first note. */
        const char *start = n2 + b.len + 1; /* after the text and the blank line */
        sw_buf_reset(&b);
        rc = sw_buf_puts(&b, n1);
        if (!rc) rc = sw_buf_puts(&b, start);
    }
    if (!rc) *out = sw_buf_detach(&b, NULL);
    sw_buf_release(&b);
    sw_ledger_key_wipe(&ko);
    sw_ledger_key_wipe(&kn);
    free(ov);
    free(nv);
    free(n1);
    free(n2);
    return rc;
}

/* The vkey after "<tag> " on one line of the statement. */
static int rot_key(const char **p, const char *end, const char *tag, struct sw_ledger_pub *out)
{
    size_t tl = strlen(tag);
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl || (size_t)(nl - *p) <= tl || memcmp(*p, tag, tl)) return SW_EFORMAT;
    int rc = sw_ledger_pub_parse(*p + tl, (size_t)(nl - *p - tl), out);
    *p = nl + 1;
    return rc ? SW_EFORMAT : SW_OK;
}

int sw_key_rotation_verify(const char *text, size_t len, const struct sw_ledger_pub *old,
                           struct sw_ledger_pub *next)
{
    struct sw_ledger_pub so, sn, vo, vn;
    size_t tl;
    memset(next, 0, sizeof *next);
    if (len > SW_CHECKPOINT_MAX || len < sizeof ROT_HEADER ||
        memcmp(text, ROT_HEADER, sizeof ROT_HEADER - 1))
        return SW_EFORMAT;
    const char *p = text + sizeof ROT_HEADER - 1, *end = text + len;
    if (rot_key(&p, end, "old ", &so) || rot_key(&p, end, "new ", &sn) || so.alg != sn.alg ||
        strcmp(so.name, sn.name))
        return SW_EFORMAT;
    if (so.alg != old->alg || memcmp(so.pk, old->pk, 32) || strcmp(so.name, old->name))
        return SW_ENOTFOUND;
    vo = so;
    vn = sn;
    sw_ledger_pub_retype(&vo, SW_NOTE_ED25519);
    sw_ledger_pub_retype(&vn, SW_NOTE_ED25519);
    int rc = sw_note_verify(text, len, &vo, &tl);
    if (rc) return rc;
    /* The statement text must be exactly header, old, new, time. */
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    int64_t ms;
    if (!nl || (size_t)(nl + 1 - text) != tl || nl - p < 6 || memcmp(p, "time ", 5) ||
        sw_time_parse(p + 5, (size_t)(nl - p - 5), &ms))
        return SW_EFORMAT;
    rc = sw_note_verify(text, len, &vn, NULL);
    if (rc) return rc;
    *next = sn;
    return SW_OK;
}
