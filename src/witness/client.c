/*
 * The log side of C2SP tlog-witness: submit a signed head to every witness of a policy at
 * once (libcurl multi), each with the consistency proof from the size that witness last
 * cosigned, retry once from the size a 409 names, and keep only cosignatures that verify
 * against the witness's key. Answers are hostile input: bounded, checked line by line.
 */
#include "sanctwatch/witness.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESPONSE_MAX (64 * 1024)

struct job {
    CURL *h;
    struct curl_slist *hdrs;
    struct sw_buf resp;
    char *req;
    size_t req_len;
    size_t idx;
    int done;
    CURLcode cc;
    char url[SW_WITNESS_URL_MAX + 32];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;
static void curl_setup(void)
{
    curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct job *j = ud;
    size_t n = size * nmemb;
    return sw_buf_append(&j->resp, ptr, n) == SW_OK ? n : 0;
}

/* Build the request of peer i claiming old size old. */
static int build(struct job *j, uint64_t old, const struct sw_checkpoint *c, const char *note,
                 size_t note_len, sw_witness_proof_fn proof, void *ctx, char *msg)
{
    uint8_t(*path)[SW_HASH_LEN] = NULL;
    size_t n = 0;
    int rc = SW_OK;
    free(j->req);
    j->req = NULL;
    if (old > 0 && old < c->size) {
        path = malloc(SW_MERKLE_MAX_PATH * sizeof *path);
        if (!path) return SW_ENOMEM;
        rc = proof(ctx, old, c->size, path, &n);
        if (rc)
            snprintf(msg, SW_ERRMAX, "no consistency proof from size %llu: %s",
                     (unsigned long long)old, sw_strerror(rc));
    }
    if (rc == SW_OK) {
        rc = sw_witness_request_format(old, (const uint8_t(*)[SW_HASH_LEN])path, n, note, note_len,
                                       &j->req, &j->req_len);
        if (rc) snprintf(msg, SW_ERRMAX, "cannot build the request: %s", sw_strerror(rc));
    }
    free(path);
    return rc;
}

static int start(CURLM *m, struct job *j, const char *url, unsigned timeout_ms)
{
    size_t ul = strlen(url);
    while (ul && url[ul - 1] == '/')
        ul--;
    snprintf(j->url, sizeof j->url, "%.*s/add-checkpoint", (int)ul, url);
    sw_buf_reset(&j->resp);
    j->done = 0;
    if (!j->h && !(j->h = curl_easy_init())) return SW_ENOMEM;
    if (!j->hdrs) {
        j->hdrs = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
        if (j->hdrs) j->hdrs = curl_slist_append(j->hdrs, "Expect:");
        if (!j->hdrs) return SW_ENOMEM;
    }
    CURL *h = j->h;
    curl_easy_setopt(h, CURLOPT_URL, j->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, j->req);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->req_len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, j->hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PRIVATE, j);
    return curl_multi_add_handle(m, h) == CURLM_OK ? SW_OK : SW_ENOMEM;
}

/* Run every started transfer to its end. */
static void run(CURLM *m)
{
    int running = 1;
    while (running) {
        if (curl_multi_perform(m, &running) != CURLM_OK) break;
        if (running && curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK) break;
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        struct job *j = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
        if (j) {
            j->done = 1;
            j->cc = msg->data.result;
        }
        curl_multi_remove_handle(m, msg->easy_handle);
    }
}

/* Check a 200 answer: every line a signature line, one of them the peer's valid cosignature. */
static int take_cosig(const struct sw_witness_peer *w, const char *note, size_t note_len,
                      const struct sw_buf *resp, struct sw_witness_outcome *o)
{
    struct sw_buf all;
    struct sw_note_sig sig;
    sw_buf_init(&all, SW_CHECKPOINT_MAX + RESPONSE_MAX);
    int rc = sw_buf_append(&all, note, note_len);
    if (!rc) rc = sw_buf_append(&all, resp->data ? resp->data : "", resp->len);
    if (!rc) rc = sw_note_verify_sig(all.data, all.len, &w->pub, NULL, &sig);
    if (rc == SW_OK && sig.line_off < note_len) rc = SW_ENOTFOUND; /* already in the note */
    if (rc == SW_OK) {
        o->line = strndup(all.data + sig.line_off, sig.line_len);
        o->timestamp = sig.timestamp;
        if (!o->line) rc = SW_ENOMEM;
    }
    if (rc)
        snprintf(o->msg, sizeof o->msg, "answered 200 without a valid cosignature of key '%s' (%s)",
                 w->name, sw_strerror(rc));
    sw_buf_release(&all);
    return rc ? SW_EVERIFY : SW_OK;
}

/* Read a finished exchange into o. Returns 1 when it should be retried from o->size. */
static int judge(const struct sw_witness_peer *w, struct job *j, const struct sw_checkpoint *c,
                 const char *note, size_t note_len, int may_retry, struct sw_witness_outcome *o)
{
    long code = 0;
    double secs = 0;
    char *type = NULL;
    curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(j->h, CURLINFO_TOTAL_TIME, &secs);
    curl_easy_getinfo(j->h, CURLINFO_CONTENT_TYPE, &type);
    o->seconds += secs;
    o->status = (int)code;
    if (!j->done || j->cc != CURLE_OK) {
        o->err = SW_ENET;
        snprintf(o->msg, sizeof o->msg, "%s: %s", j->url,
                 j->done ? curl_easy_strerror(j->cc) : "no answer");
        return 0;
    }
    if (code == 200) {
        o->err = take_cosig(w, note, note_len, &j->resp, o);
        if (o->err == SW_OK) o->size = c->size;
        return 0;
    }
    uint64_t size;
    size_t len = j->resp.len;
    const char *b = j->resp.data ? j->resp.data : "";
    if (code == 409 && type && !strncmp(type, SW_WITNESS_SIZE_TYPE, strlen(SW_WITNESS_SIZE_TYPE)) &&
        len >= 2 && b[len - 1] == '\n' && sw_note_parse_u64(b, len - 1, &size) == SW_OK) {
        o->size = size;
        if (may_retry && size != o->old && size <= c->size) return 1;
        o->err = SW_EVERIFY;
        snprintf(o->msg, sizeof o->msg,
                 size > c->size || size == o->old
                     ? "refused (409): it cosigned size %llu, which this head of size %llu does "
                       "not extend: a split view or a rollback"
                     : "refused (409) again, now at size %llu (head %llu)",
                 (unsigned long long)size, (unsigned long long)c->size);
        return 0;
    }
    o->err = SW_EVERIFY;
    int n = 0;
    while ((size_t)n < len && n < 160 && b[n] >= 0x20 && b[n] < 0x7f)
        n++;
    snprintf(o->msg, sizeof o->msg, "refused (%ld): %.*s", code, n, b);
    return 0;
}

static void release_jobs(CURLM *m, struct job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].h) curl_easy_cleanup(jobs[i].h);
        curl_slist_free_all(jobs[i].hdrs);
        sw_buf_release(&jobs[i].resp);
        free(jobs[i].req);
    }
    free(jobs);
    if (m) curl_multi_cleanup(m);
}

/* One round: start every peer flagged in want, run them together, judge. */
static void round_trip(CURLM *m, const struct sw_witness_policy *p, struct job *jobs, int *want,
                       const struct sw_checkpoint *c, const char *note, size_t note_len,
                       sw_witness_proof_fn proof, void *ctx, unsigned timeout_ms, int may_retry,
                       struct sw_witness_outcome *out)
{
    for (size_t i = 0; i < p->n; i++) {
        if (!want[i]) continue;
        out[i].err = build(&jobs[i], out[i].old, c, note, note_len, proof, ctx, out[i].msg);
        if (out[i].err == SW_OK) out[i].err = start(m, &jobs[i], p->peer[i].url, timeout_ms);
        if (out[i].err) want[i] = 0;
    }
    run(m);
    for (size_t i = 0; i < p->n; i++) {
        if (!want[i]) continue;
        want[i] = judge(&p->peer[i], &jobs[i], c, note, note_len, may_retry, &out[i]);
        if (want[i]) out[i].old = out[i].size;
    }
}

int sw_witness_collect(const struct sw_witness_policy *p, const uint64_t *known, const char *note,
                       size_t note_len, sw_witness_proof_fn proof, void *ctx, unsigned timeout_ms,
                       struct sw_witness_outcome *out, char **cosigned)
{
    struct sw_checkpoint c;
    int want[SW_WITNESS_MAX_PEERS] = {0};
    if (cosigned) *cosigned = NULL;
    memset(out, 0, p->n * sizeof *out);
    if (sw_checkpoint_parse(note, note_len, &c)) return SW_EFORMAT;
    pthread_once(&curl_once, curl_setup);
    if (!curl_ok) return SW_ENET;
    CURLM *m = curl_multi_init();
    struct job *jobs = calloc(p->n ? p->n : 1, sizeof *jobs);
    if (!m || !jobs) {
        release_jobs(m, jobs, 0);
        return SW_ENOMEM;
    }
    for (size_t i = 0; i < p->n; i++) {
        sw_buf_init(&jobs[i].resp, RESPONSE_MAX);
        out[i].err = SW_ENOTFOUND;
        if (!p->peer[i].url[0]) {
            snprintf(out[i].msg, sizeof out[i].msg, "no URL for witness '%s'", p->peer[i].name);
            continue;
        }
        out[i].old = known && known[i] <= c.size ? known[i] : 0;
        want[i] = 1;
    }
    round_trip(m, p, jobs, want, &c, note, note_len, proof, ctx, timeout_ms, 1, out);
    round_trip(m, p, jobs, want, &c, note, note_len, proof, ctx, timeout_ms, 0, out);
    release_jobs(m, jobs, p->n);
    if (!cosigned) return SW_OK;
    struct sw_buf b;
    sw_buf_init(&b, SW_CHECKPOINT_MAX);
    int rc = sw_buf_append(&b, note, note_len);
    for (size_t i = 0; rc == SW_OK && i < p->n; i++)
        if (out[i].err == SW_OK) rc = sw_buf_puts(&b, out[i].line);
    if (rc == SW_OK) *cosigned = sw_buf_detach(&b, NULL);
    sw_buf_release(&b);
    return rc;
}

void sw_witness_outcome_release(struct sw_witness_outcome *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(out[i].line);
        out[i].line = NULL;
    }
}
