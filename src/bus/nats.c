/*
 * The JetStream side of the bus (src/bus/bus_int.h): one connection, the stream made sure
 * of, asynchronous publishes with a bounded number of acks outstanding, the acks counted by
 * the client library's callback thread (hence the mutex).
 */
#include "bus_int.h"

#include "sanctwatch/error.h"

#include <nats/nats.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JetStream API error codes (the server's, stable): stream not found, name in use. */
#define JS_STREAM_NOT_FOUND 10059
#define JS_STREAM_NAME_IN_USE 10058

struct bus {
    natsConnection *nc;
    jsCtx *js;
    int64_t stall_ms; /* how long one publish may wait for room among the pending acks */
    pthread_mutex_t mu;
    uint64_t stored, dups, failed;
    char ack_err[SW_ERRMAX]; /* the first refusal */
};

static void ack_handler(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
    struct bus *b = closure;
    pthread_mutex_lock(&b->mu);
    if (pa && pa->Duplicate) {
        b->dups++;
    } else if (pa) {
        b->stored++;
    } else {
        b->failed++;
        if (!b->ack_err[0])
            snprintf(b->ack_err, sizeof b->ack_err, "the server refused message '%s': %s",
                     msg ? natsMsg_GetSubject(msg) : "?",
                     pae && pae->ErrText ? pae->ErrText
                                         : natsStatus_GetText(pae ? pae->Err : NATS_ERR));
    }
    pthread_mutex_unlock(&b->mu);
    natsMsg_Destroy(msg);
}

/* The library's last error, without its "(file.c:line): " prefix, or the status's text. */
static int nats_fail(char *err, const char *what, const char *arg, natsStatus s)
{
    const char *text = nats_GetLastError(NULL);
    if (text && text[0] == '(' && strstr(text, "): ")) text = strstr(text, "): ") + 3;
    snprintf(err, SW_ERRMAX, "%s '%s': %s", what, arg,
             text && *text ? text : natsStatus_GetText(s));
    return s == NATS_NO_MEMORY ? SW_ENOMEM : SW_ENET;
}

static int connect_to(struct bus *b, const struct sw_feed_config *cfg, char *err)
{
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK) s = natsOptions_SetURL(o, cfg->url);
    if (s == NATS_OK) s = natsOptions_SetName(o, "sanctwatch feed");
    if (s == NATS_OK) s = natsOptions_SetTimeout(o, 5000);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, 10);
    if (s == NATS_OK) s = natsConnection_Connect(&b->nc, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK) return nats_fail(err, "cannot connect to", cfg->url, s);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = 10000;
    jo.PublishAsync.MaxPending = cfg->max_pending;
    jo.PublishAsync.AckHandler = ack_handler;
    jo.PublishAsync.AckHandlerClosure = b;
    jo.PublishAsync.StallWait = 1000;
    if ((s = natsConnection_JetStream(&b->js, b->nc, &jo)) != NATS_OK)
        return nats_fail(err, "cannot use JetStream on", cfg->url, s);
    return SW_OK;
}

/* The stream's description records its partitioning; an existing stream must agree. */
static void describe(char *d, size_t n, unsigned partitions)
{
    snprintf(d, n, "sanctwatch raw AIS, partitions=%u", partitions);
}

static int check_stream(const jsStreamInfo *si, const struct sw_feed_config *cfg,
                        const char *want_subject, char *err)
{
    const jsStreamConfig *sc = si->Config;
    int has = 0;
    for (int i = 0; sc && i < sc->SubjectsLen; i++)
        if (sc->Subjects[i] && strcmp(sc->Subjects[i], want_subject) == 0) has = 1;
    if (!has) {
        snprintf(err, SW_ERRMAX, "stream '%s' does not take subjects '%.100s'", cfg->stream,
                 want_subject);
        return SW_EINVAL;
    }
    char want[96];
    describe(want, sizeof want, cfg->partitions);
    if (!sc->Description || strcmp(sc->Description, want) != 0) {
        snprintf(err, SW_ERRMAX, "stream '%s' is not partitioned as asked (it says '%s', not '%s')",
                 cfg->stream, sc->Description ? sc->Description : "", want);
        return SW_EINVAL;
    }
    return SW_OK;
}

static int ensure_stream(struct bus *b, const struct sw_feed_config *cfg, char *err)
{
    char subject[256], desc[96];
    if ((size_t)snprintf(subject, sizeof subject, "%s.>", cfg->prefix) >= sizeof subject) {
        snprintf(err, SW_ERRMAX, "subject prefix '%s' is too long", cfg->prefix);
        return SW_EINVAL;
    }
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetStreamInfo(&si, b->js, cfg->stream, NULL, &jerr);
    if (s != NATS_OK && jerr == JS_STREAM_NOT_FOUND) {
        jsStreamConfig sc;
        const char *subjects[1] = {subject};
        jsStreamConfig_Init(&sc);
        describe(desc, sizeof desc, cfg->partitions);
        sc.Name = cfg->stream;
        sc.Description = desc;
        sc.Subjects = subjects;
        sc.SubjectsLen = 1;
        sc.Storage = js_FileStorage;
        sc.Duplicates = cfg->dup_window_ms * 1000000; /* nanoseconds */
        jerr = 0;
        s = js_AddStream(&si, b->js, &sc, NULL, &jerr);
        if (s != NATS_OK && jerr == JS_STREAM_NAME_IN_USE) /* another feed made it first */
            s = js_GetStreamInfo(&si, b->js, cfg->stream, NULL, &jerr);
    }
    if (s != NATS_OK) {
        int rc = nats_fail(err, "cannot find or create the stream", cfg->stream, s);
        if (s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS)
            snprintf(err, SW_ERRMAX, "no JetStream at '%s' (is the server run with -js?)",
                     cfg->url);
        return rc;
    }
    int rc = check_stream(si, cfg, subject, err);
    jsStreamInfo_Destroy(si);
    return rc;
}

int bus_open(struct bus **out, const struct sw_feed_config *cfg, char *err)
{
    *out = NULL;
    struct bus *b = calloc(1, sizeof *b);
    if (!b) return SW_ENOMEM;
    pthread_mutex_init(&b->mu, NULL);
    b->stall_ms = cfg->ack_timeout_ms;
    int rc = connect_to(b, cfg, err);
    if (rc == SW_OK) rc = ensure_stream(b, cfg, err);
    if (rc != SW_OK) {
        bus_close(b);
        return rc;
    }
    *out = b;
    return SW_OK;
}

void bus_close(struct bus *b)
{
    if (!b) return;
    jsCtx_Destroy(b->js);
    natsConnection_Destroy(b->nc);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

/* The first refusal, if any, in err: SW_ENET. */
static int refused(struct bus *b, char *err)
{
    pthread_mutex_lock(&b->mu);
    int rc = b->failed ? SW_ENET : SW_OK;
    if (rc) snprintf(err, SW_ERRMAX, "%s", b->ack_err);
    pthread_mutex_unlock(&b->mu);
    return rc;
}

int bus_publish(struct bus *b, const char *subject, const char *id, const struct bus_hdr *h,
                size_t nh, const void *body, size_t len, char *err)
{
    natsMsg *m = NULL;
    int rc = refused(b, err);
    if (rc != SW_OK) return rc;
    natsStatus s = natsMsg_Create(&m, subject, NULL, body, (int)len);
    for (size_t i = 0; s == NATS_OK && i < nh; i++)
        s = natsMsgHeader_Set(m, h[i].name, h[i].value);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id;
    /* room among the pending acks: the library waits StallWait (1 s) a call; retried until
     * the ack timeout has passed */
    for (int64_t waited = 0; s == NATS_OK; waited += 1000) {
        s = js_PublishMsgAsync(b->js, &m, &po);
        if (s != NATS_TIMEOUT || waited >= b->stall_ms) break;
    }
    natsMsg_Destroy(m);
    if (s != NATS_OK) return nats_fail(err, "cannot publish to", subject, s);
    return SW_OK;
}

int bus_wait(struct bus *b, int64_t timeout_ms, char *err)
{
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = timeout_ms;
    natsStatus s = js_PublishAsyncComplete(b->js, &po);
    if (s == NATS_TIMEOUT) {
        natsMsgList pending = {0};
        int n = 0;
        if (js_PublishAsyncGetPendingList(&pending, b->js) == NATS_OK) {
            n = pending.Count;
            natsMsgList_Destroy(&pending);
        }
        pthread_mutex_lock(&b->mu);
        b->failed += (uint64_t)n;
        pthread_mutex_unlock(&b->mu);
        snprintf(err, SW_ERRMAX, "%d messages were not acknowledged within %lld s", n,
                 (long long)(timeout_ms / 1000));
        return SW_ENET;
    }
    if (s != NATS_OK) return nats_fail(err, "cannot wait for the acks of", "publish", s);
    return refused(b, err);
}

void bus_acks(struct bus *b, uint64_t *stored, uint64_t *dups, uint64_t *failed)
{
    pthread_mutex_lock(&b->mu);
    *stored = b->stored;
    *dups = b->dups;
    *failed = b->failed;
    pthread_mutex_unlock(&b->mu);
}

void sw_bus_shutdown(void)
{
    nats_CloseAndWait(2000);
}
