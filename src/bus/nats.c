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

static int connect_to(struct bus *b, const char *url, const char *name, int max_pending, char *err)
{
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK) s = natsOptions_SetURL(o, url);
    if (s == NATS_OK) s = natsOptions_SetName(o, name);
    if (s == NATS_OK) s = natsOptions_SetTimeout(o, 5000);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, 10);
    if (s == NATS_OK) s = natsConnection_Connect(&b->nc, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK) return nats_fail(err, "cannot connect to", url, s);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = 10000;
    jo.PublishAsync.MaxPending = max_pending;
    jo.PublishAsync.AckHandler = ack_handler;
    jo.PublishAsync.AckHandlerClosure = b;
    jo.PublishAsync.StallWait = 1000;
    if ((s = natsConnection_JetStream(&b->js, b->nc, &jo)) != NATS_OK)
        return nats_fail(err, "cannot use JetStream on", url, s);
    return SW_OK;
}

/* The stream's description records its partitioning; an existing stream must agree. */
static void describe(char *d, size_t n, unsigned partitions)
{
    snprintf(d, n, "sanctwatch raw AIS, partitions=%u", partitions);
}

static int check_stream(const jsStreamInfo *si, const char *stream, unsigned partitions,
                        const char *want_subject, char *err)
{
    const jsStreamConfig *sc = si->Config;
    int has = 0;
    for (int i = 0; sc && i < sc->SubjectsLen; i++)
        if (sc->Subjects[i] && strcmp(sc->Subjects[i], want_subject) == 0) has = 1;
    if (!has) {
        snprintf(err, SW_ERRMAX, "stream '%s' does not take subjects '%.100s'", stream,
                 want_subject);
        return SW_EINVAL;
    }
    char want[96];
    describe(want, sizeof want, partitions);
    if (!sc->Description || strcmp(sc->Description, want) != 0) {
        snprintf(err, SW_ERRMAX, "stream '%s' is not partitioned as asked (it says '%s', not '%s')",
                 stream, sc->Description ? sc->Description : "", want);
        return SW_EINVAL;
    }
    return SW_OK;
}

/* The answer to a stream info or creation (s, si): an error (what failed, or no JetStream),
 * else the stream checked against the partitions and subject wanted. si is freed. */
static int stream_checked(natsStatus s, jsStreamInfo *si, const char *what, const char *url,
                          const char *stream, unsigned partitions, const char *subject, char *err)
{
    if (s != NATS_OK) {
        int rc = nats_fail(err, what, stream, s);
        if (s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS)
            snprintf(err, SW_ERRMAX, "no JetStream at '%s' (is the server run with -js?)", url);
        return rc;
    }
    int rc = check_stream(si, stream, partitions, subject, err);
    jsStreamInfo_Destroy(si);
    return rc;
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
    return stream_checked(s, si, "cannot find or create the stream", cfg->url, cfg->stream,
                          cfg->partitions, subject, err);
}

int bus_open(struct bus **out, const struct sw_feed_config *cfg, char *err)
{
    *out = NULL;
    struct bus *b = calloc(1, sizeof *b);
    if (!b) return SW_ENOMEM;
    pthread_mutex_init(&b->mu, NULL);
    b->stall_ms = cfg->ack_timeout_ms;
    int rc = connect_to(b, cfg->url, "sanctwatch feed", cfg->max_pending, err);
    if (rc == SW_OK) rc = ensure_stream(b, cfg, err);
    if (rc != SW_OK) {
        bus_close(b);
        return rc;
    }
    *out = b;
    return SW_OK;
}

/* The connection and the lock, not the object. */
static void disconnect(struct bus *b)
{
    jsCtx_Destroy(b->js);
    natsConnection_Destroy(b->nc);
    pthread_mutex_destroy(&b->mu);
}

void bus_close(struct bus *b)
{
    if (!b) return;
    disconnect(b);
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

/* ---- the worker's side: one durable pull consumer */

struct bus_sub {
    struct bus b;
    natsSubscription *sub;
    natsMsgList list; /* the last fetch */
    natsMsg *keep;    /* the last message applied, acked (with all before it) by bus_sub_ack */
    char *stream, *durable;
};

/* The stream must exist, take PREFIX.> and say the worker's partitions. */
static int worker_stream(struct bus_sub *s, const struct sw_worker_config *cfg, char *err)
{
    char subject[256];
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    snprintf(subject, sizeof subject, "%s.>", cfg->prefix);
    natsStatus st = js_GetStreamInfo(&si, s->b.js, cfg->stream, NULL, &jerr);
    if (st != NATS_OK && jerr == JS_STREAM_NOT_FOUND) {
        snprintf(err, SW_ERRMAX, "no stream '%s' at '%s' (sanctwatch feed --bus makes it)",
                 cfg->stream, cfg->url);
        return SW_ENOTFOUND;
    }
    return stream_checked(st, si, "cannot read the stream", cfg->url, cfg->stream, cfg->partitions,
                          subject, err);
}

/* The durable consumer, made afresh to start after start_seq (the checkpoint decides where a
 * worker resumes, not the consumer's acks), and a pull subscription bound to it. */
static int worker_consumer(struct bus_sub *s, const struct sw_worker_config *cfg,
                           const char *filter, uint64_t start_seq, char *err)
{
    jsErrCode jerr = 0;
    jsConsumerConfig cc;
    jsConsumerInfo *ci = NULL;
    js_DeleteConsumer(s->b.js, cfg->stream, s->durable, NULL, &jerr); /* absent: fine */
    jsConsumerConfig_Init(&cc);
    cc.Durable = s->durable;
    cc.Description = "sanctwatch analyze worker";
    cc.AckPolicy = js_AckAll;
    cc.DeliverPolicy = start_seq ? js_DeliverByStartSequence : js_DeliverAll;
    cc.OptStartSeq = start_seq ? start_seq + 1 : 0;
    cc.FilterSubject = filter;
    cc.AckWait = 300 * 1000000000LL; /* redeliveries are recognised anyway */
    cc.MaxAckPending = SW_WORKER_ACK_PENDING;
    natsStatus st = js_AddConsumer(&ci, s->b.js, cfg->stream, &cc, NULL, &jerr);
    if (st != NATS_OK) return nats_fail(err, "cannot create the consumer", s->durable, st);
    jsConsumerInfo_Destroy(ci);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = cfg->stream;
    so.Consumer = s->durable;
    so.ManualAck = true;
    st = js_PullSubscribe(&s->sub, s->b.js, filter, s->durable, NULL, &so, &jerr);
    if (st != NATS_OK) return nats_fail(err, "cannot subscribe to the consumer", s->durable, st);
    return SW_OK;
}

int bus_sub_open(struct bus_sub **out, const struct sw_worker_config *cfg, const char *durable,
                 const char *filter, uint64_t start_seq, char *err)
{
    *out = NULL;
    struct bus_sub *s = calloc(1, sizeof *s);
    if (!s) return SW_ENOMEM;
    pthread_mutex_init(&s->b.mu, NULL);
    s->stream = strdup(cfg->stream);
    s->durable = strdup(durable);
    int rc = s->stream && s->durable ? SW_OK : SW_ENOMEM;
    if (rc == SW_OK) rc = connect_to(&s->b, cfg->url, "sanctwatch analyze", 1, err);
    if (rc == SW_OK) rc = worker_stream(s, cfg, err);
    if (rc == SW_OK) rc = worker_consumer(s, cfg, filter, start_seq, err);
    if (rc != SW_OK) {
        bus_sub_close(s);
        return rc;
    }
    *out = s;
    return SW_OK;
}

void bus_sub_close(struct bus_sub *s)
{
    if (!s) return;
    bus_sub_release(s);
    natsMsg_Destroy(s->keep);
    natsSubscription_Destroy(s->sub);
    disconnect(&s->b);
    free(s->stream);
    free(s->durable);
    free(s);
}

int bus_sub_fetch(struct bus_sub *s, int batch, int64_t timeout_ms, int *n, char *err)
{
    jsErrCode jerr = 0;
    bus_sub_release(s);
    *n = 0;
    natsStatus st = natsSubscription_Fetch(&s->list, s->sub, batch, timeout_ms, &jerr);
    if (st == NATS_TIMEOUT) return SW_OK;
    if (st != NATS_OK) return nats_fail(err, "cannot fetch from the consumer", s->durable, st);
    *n = s->list.Count;
    return SW_OK;
}

int bus_sub_msg(struct bus_sub *s, int i, struct bus_msg *out)
{
    natsMsg *m = s->list.Msgs[i];
    jsMsgMetaData *md = NULL;
    memset(out, 0, sizeof *out);
    out->subject = natsMsg_GetSubject(m);
    out->data = natsMsg_GetData(m);
    out->len = (size_t)natsMsg_GetDataLength(m);
    if (!out->data) out->data = "";
    if (natsMsg_GetMetaData(&md, m) != NATS_OK) return SW_EFORMAT;
    out->seq = md->Sequence.Stream;
    out->redelivered = md->NumDelivered > 1;
    jsMsgMetaData_Destroy(md);
    return SW_OK;
}

const char *bus_sub_header(struct bus_sub *s, int i, const char *name)
{
    const char *v = NULL;
    if (natsMsgHeader_Get(s->list.Msgs[i], name, &v) != NATS_OK) return NULL;
    return v;
}

void bus_sub_keep(struct bus_sub *s, int i)
{
    natsMsg_Destroy(s->keep);
    s->keep = s->list.Msgs[i];
    s->list.Msgs[i] = NULL;
}

int bus_sub_ack(struct bus_sub *s, char *err)
{
    if (!s->keep) return SW_OK;
    jsErrCode jerr = 0;
    natsStatus st = natsMsg_AckSync(s->keep, NULL, &jerr);
    natsMsg_Destroy(s->keep);
    s->keep = NULL;
    if (st != NATS_OK) return nats_fail(err, "cannot acknowledge to the consumer", s->durable, st);
    return SW_OK;
}

void bus_sub_release(struct bus_sub *s)
{
    if (s->list.Msgs) natsMsgList_Destroy(&s->list);
    memset(&s->list, 0, sizeof s->list);
}

void sw_bus_shutdown(void)
{
    nats_CloseAndWait(2000);
}
