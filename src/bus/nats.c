/*
 * The JetStream side of the bus (src/bus/bus_int.h): one connection, the stream made sure
 * of, asynchronous publishes with a bounded number of acks outstanding, the acks counted by
 * the client library's callback thread (hence the mutex).
 */
#include "bus_int.h"

#include "sanctwatch/error.h"
#include "sanctwatch/timeutil.h" /* sw_time_mono_ms for waits: nats_Now() is the wall clock */

#include <nats/nats.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* JetStream API error codes (the server's, stable): stream not found, name in use, JetStream
 * (cluster) temporarily unavailable. */
#define JS_STREAM_NOT_FOUND 10059
#define JS_STREAM_NAME_IN_USE 10058
#define JS_CLUSTER_NOT_AVAIL 10008
#define JS_NO_MESSAGE_FOUND 10037
/* How long one asynchronous publish waits for its ack before it is taken back to be sent
 * again, and how often a failed resend or reconnection is tried. */
#define ACK_WAIT_MS 5000
#define RETRY_MS 250
/* Reconnection to the servers of the list (or discovered from them): every 0.5 s, without
 * end; the limits are feed's ack timeout and the worker's bus timeout. */
#define RECONNECT_WAIT_MS 500

/* A publish awaiting its ack (PENDING: the library holds m), taken back to be sent again
 * (RETRY: we hold m), or done (acknowledged, refused, or given up). */
enum { SLOT_DONE, SLOT_PENDING, SLOT_RETRY };
struct slot {
    natsMsg *m;
    unsigned char state;
    unsigned char late; /* sent again after a later message was stored */
};

/* The publishes in the order feed made them, at most cap outstanding: ring[i % cap] for
 * i in [tail, head). A retryable failure (no responders, no ack in time, the connection lost)
 * sets trouble: nothing new is published until every outstanding message came back and those
 * that failed were sent again in their order (recover), so that the stream keeps feed's
 * order across a leader election. */
struct bus {
    natsConnection *nc;
    jsCtx *js;
    int64_t ack_timeout_ms; /* how long feed waits for acks, and a recovery at most */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t stored, dups, failed, resent, late;
    char ack_err[SW_ERRMAX]; /* the first refusal */
    struct slot *ring;
    uint64_t cap, tail, head;
    int trouble;
    int closed; /* the library's closed callback ran: no callback of this connection follows */
};

static int retryable(natsStatus s, jsErrCode e)
{
    return s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS || s == NATS_CONNECTION_CLOSED ||
           s == NATS_CONNECTION_DISCONNECTED || s == NATS_STALE_CONNECTION ||
           e == JS_CLUSTER_NOT_AVAIL;
}

/* The outstanding slot of m, or NULL. Acks come mostly in order: searched from the oldest. */
static struct slot *slot_of(struct bus *b, const natsMsg *m)
{
    for (uint64_t i = b->tail; m && i < b->head; i++)
        if (b->ring[i % b->cap].m == m && b->ring[i % b->cap].state == SLOT_PENDING)
            return &b->ring[i % b->cap];
    return NULL;
}

/* An ack (pa), or a failure (s, e, text) of msg; under b->mu. Returns whether msg is kept. */
static int resolved(struct bus *b, natsMsg *msg, const jsPubAck *pa, natsStatus s, jsErrCode e,
                    const char *text)
{
    struct slot *sl = slot_of(b, msg);
    int keep = 0;
    if (pa) {
        if (pa->Duplicate)
            b->dups++;
        else
            b->stored++;
        if (sl && sl->late && !pa->Duplicate) b->late++;
    } else if (sl && retryable(s, e)) {
        sl->state = SLOT_RETRY;
        b->trouble = 1;
        keep = 1;
    } else {
        b->failed++;
        if (!b->ack_err[0])
            snprintf(b->ack_err, sizeof b->ack_err, "the server refused message '%s': %s",
                     msg ? natsMsg_GetSubject(msg) : "?", text ? text : natsStatus_GetText(s));
    }
    if (sl && !keep) {
        sl->state = SLOT_DONE;
        sl->m = NULL;
    }
    pthread_cond_broadcast(&b->cv);
    return keep;
}

static void ack_handler(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
    struct bus *b = closure;
    (void)js;
    pthread_mutex_lock(&b->mu);
    int keep = resolved(b, msg, pa, pae ? pae->Err : NATS_ERR, pae ? pae->ErrCode : 0,
                        pae && pae->ErrText && *pae->ErrText ? pae->ErrText : NULL);
    pthread_mutex_unlock(&b->mu);
    if (!keep) natsMsg_Destroy(msg);
}

static void disconnected(natsConnection *nc, void *closure)
{
    struct bus *b = closure;
    (void)nc;
    pthread_mutex_lock(&b->mu);
    b->trouble = 1; /* what was in flight may be lost: publish nothing new before it is back */
    pthread_mutex_unlock(&b->mu);
}

static void closed(natsConnection *nc, void *closure)
{
    struct bus *b = closure;
    (void)nc;
    pthread_mutex_lock(&b->mu);
    b->closed = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
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

/* The servers of a --bus list (checked by sw_bus_check_url) into out[], n at most. */
static int split_servers(char *copy, const char *list, size_t cap, const char **out, int n)
{
    int k = 0;
    snprintf(copy, cap, "%s", list);
    for (char *p = copy; p && k < n;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        out[k++] = p;
        p = comma ? comma + 1 : NULL;
    }
    return k;
}

static int connect_to(struct bus *b, const char *url, const char *name, int max_pending, char *err)
{
    natsOptions *o = NULL;
    char copy[SW_BUS_URL_MAX + 1];
    const char *servers[SW_BUS_SERVERS_MAX];
    int n = split_servers(copy, url, sizeof copy, servers, SW_BUS_SERVERS_MAX);
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK) s = natsOptions_SetServers(o, servers, n);
    if (s == NATS_OK) s = natsOptions_SetName(o, name);
    if (s == NATS_OK) s = natsOptions_SetTimeout(o, 5000);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(o, RECONNECT_WAIT_MS);
    if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(o, disconnected, b);
    if (s == NATS_OK) s = natsOptions_SetClosedCB(o, closed, b);
    if (s == NATS_OK) s = natsConnection_Connect(&b->nc, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK) return nats_fail(err, "cannot connect to", url, s);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = 10000;
    jo.PublishAsync.MaxPending = max_pending + 1; /* the ring keeps at most max_pending */
    jo.PublishAsync.AckHandler = ack_handler;
    jo.PublishAsync.AckHandlerClosure = b;
    jo.PublishAsync.StallWait = 1000;
    if ((s = natsConnection_JetStream(&b->js, b->nc, &jo)) != NATS_OK)
        return nats_fail(err, "cannot use JetStream on", url, s);
    return SW_OK;
}

/* Whether the connection knows more than one server (a list, or a cluster's): then a request
 * that times out or finds no responder may be a leader election, and is tried again. */
static int clustered(struct bus *b)
{
    char **list = NULL;
    int n = 0;
    if (natsConnection_GetServers(b->nc, &list, &n) != NATS_OK) return 0;
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    return n > 1;
}

/* The stream's description records its partitioning; an existing stream must agree. */
static void describe(char *d, size_t n, unsigned partitions)
{
    snprintf(d, n, "sanctwatch raw AIS, partitions=%u", partitions);
}

static int check_stream(const jsStreamInfo *si, const char *stream, unsigned partitions,
                        int replicas, const char *want_subject, char *err)
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
    int has_r = sc->Replicas > 0 ? (int)sc->Replicas : 1;
    if (replicas && has_r != replicas) {
        snprintf(err, SW_ERRMAX,
                 "stream '%s' is not replicated as asked (it has %d replicas, not %d)", stream,
                 has_r, replicas);
        return SW_EINVAL;
    }
    return SW_OK;
}

/* The answer to a stream info or creation (s, si): an error (what failed, or no JetStream),
 * else the stream checked against the partitions, replicas (0: any) and subject wanted. si is
 * freed. */
static int stream_checked(natsStatus s, jsStreamInfo *si, const char *what, const char *url,
                          const char *stream, unsigned partitions, int replicas,
                          const char *subject, char *err)
{
    if (s != NATS_OK) {
        int rc = nats_fail(err, what, stream, s);
        if (s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS)
            snprintf(err, SW_ERRMAX, "no JetStream at '%s' (is the server run with -js?)", url);
        return rc;
    }
    int rc = check_stream(si, stream, partitions, replicas, subject, err);
    jsStreamInfo_Destroy(si);
    return rc;
}

/* The stream's info, tried again for up to timeout_ms while a cluster may be electing. */
static natsStatus stream_info(jsStreamInfo **si, struct bus *b, const char *stream,
                              int64_t timeout_ms, jsErrCode *jerr)
{
    int64_t start = sw_time_mono_ms();
    for (;;) {
        *jerr = 0;
        natsStatus s = js_GetStreamInfo(si, b->js, stream, NULL, jerr);
        if (s == NATS_OK || !retryable(s, *jerr) || sw_time_mono_ms() - start >= timeout_ms ||
            !clustered(b))
            return s;
        nats_Sleep(RETRY_MS);
    }
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
    natsStatus s = stream_info(&si, b, cfg->stream, cfg->ack_timeout_ms, &jerr);
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
        sc.Replicas = cfg->replicas;
        sc.Duplicates = cfg->dup_window_ms * 1000000; /* nanoseconds */
        jerr = 0;
        s = js_AddStream(&si, b->js, &sc, NULL, &jerr);
        if (s != NATS_OK && jerr == JS_STREAM_NAME_IN_USE) /* another feed made it first */
            s = stream_info(&si, b, cfg->stream, cfg->ack_timeout_ms, &jerr);
        else if (s != NATS_OK && jerr) /* the server's reason, e.g. too few servers */
            return nats_fail(err, "cannot create the stream", cfg->stream, s);
    }
    return stream_checked(s, si, "cannot find or create the stream", cfg->url, cfg->stream,
                          cfg->partitions, cfg->replicas, subject, err);
}

static int bus_init(struct bus *b, uint64_t cap)
{
    pthread_mutex_init(&b->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->cv, &ca);
    pthread_condattr_destroy(&ca);
    b->cap = cap;
    b->ring = calloc(cap, sizeof *b->ring);
    return b->ring ? SW_OK : SW_ENOMEM;
}

int bus_open(struct bus **out, const struct sw_feed_config *cfg, char *err)
{
    *out = NULL;
    struct bus *b = calloc(1, sizeof *b);
    if (!b) return SW_ENOMEM;
    int rc = bus_init(b, (uint64_t)cfg->max_pending);
    b->ack_timeout_ms = cfg->ack_timeout_ms;
    if (rc == SW_OK) rc = connect_to(b, cfg->url, "sanctwatch feed", cfg->max_pending, err);
    if (rc == SW_OK) rc = ensure_stream(b, cfg, err);
    if (rc != SW_OK) {
        bus_close(b);
        return rc;
    }
    *out = b;
    return SW_OK;
}

/* The connection, the lock, the messages held to be sent again; not the object. */
static void wait_ms(struct bus *b, int64_t ms);

static void disconnect(struct bus *b)
{
    if (b->nc) { /* the callbacks (disconnected, closed) run before b goes */
        natsConnection_Close(b->nc);
        pthread_mutex_lock(&b->mu);
        for (int i = 0; i < 50 && !b->closed; i++)
            wait_ms(b, 100);
        pthread_mutex_unlock(&b->mu);
    }
    jsCtx_Destroy(b->js);
    natsConnection_Destroy(b->nc);
    for (uint64_t i = b->tail; b->ring && i < b->head; i++)
        if (b->ring[i % b->cap].state == SLOT_RETRY) natsMsg_Destroy(b->ring[i % b->cap].m);
    free(b->ring);
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
}

void bus_close(struct bus *b)
{
    if (!b) return;
    disconnect(b);
    free(b);
}

/* The first refusal, if any, in err: SW_ENET. Under b->mu. */
static int refused_locked(struct bus *b, char *err)
{
    int rc = b->failed ? SW_ENET : SW_OK;
    if (rc) snprintf(err, SW_ERRMAX, "%s", b->ack_err);
    return rc;
}

/* Wait on the condition for at most ms; under b->mu. */
static void wait_ms(struct bus *b, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&b->cv, &b->mu, &ts);
}

/* A copy of m (subject, headers with its Nats-Msg-Id, body) to send again. */
static natsStatus clone_msg(natsMsg **out, natsMsg *m)
{
    const char **keys = NULL;
    int n = 0;
    natsStatus s = natsMsg_Create(out, natsMsg_GetSubject(m), NULL, natsMsg_GetData(m),
                                  natsMsg_GetDataLength(m));
    if (s == NATS_OK && natsMsgHeader_Keys(m, &keys, &n) == NATS_OK) {
        for (int i = 0; s == NATS_OK && i < n; i++) {
            const char *v = NULL;
            if (natsMsgHeader_Get(m, keys[i], &v) == NATS_OK)
                s = natsMsgHeader_Set(*out, keys[i], v);
        }
        free((void *)keys);
    }
    return s;
}

/* Hand m to the library for slot i (the slot set PENDING with m first: the ack may come
 * before the call returns). A call refused at once is a resolution of its own. */
static void send_async(struct bus *b, uint64_t i, natsMsg *m)
{
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = ACK_WAIT_MS;
    pthread_mutex_lock(&b->mu);
    b->ring[i % b->cap].m = m;
    b->ring[i % b->cap].state = SLOT_PENDING;
    pthread_mutex_unlock(&b->mu);
    natsMsg *tmp = m;
    natsStatus s = js_PublishMsgAsync(b->js, &tmp, &po);
    if (s == NATS_OK) return;
    pthread_mutex_lock(&b->mu);
    int keep = resolved(b, m, NULL, s, 0, NULL);
    pthread_mutex_unlock(&b->mu);
    if (!keep) natsMsg_Destroy(m);
}

/* Every outstanding message still held to be sent again is given up: failed. Under b->mu. */
static int give_up(struct bus *b, int64_t ms, char *err)
{
    int n = 0;
    for (uint64_t i = b->tail; i < b->head; i++) {
        struct slot *sl = &b->ring[i % b->cap];
        if (sl->state == SLOT_DONE) continue;
        if (sl->state == SLOT_RETRY) natsMsg_Destroy(sl->m);
        sl->m = NULL; /* a pending one's late ack finds no slot and counts nothing */
        sl->state = SLOT_DONE;
        n++;
    }
    b->failed += (uint64_t)n;
    b->tail = b->head;
    snprintf(err, SW_ERRMAX, "%d messages were not acknowledged within %lld s", n,
             (long long)(ms / 1000));
    return SW_ENET;
}

/* The first message to send again, synchronously, until it is stored (a stream leader
 * answers) or the ack timeout since start has passed. Under b->mu, released while sending. */
static int resend_first(struct bus *b, struct slot *sl, int64_t start, char *err)
{
    natsMsg *m = sl->m, *c = NULL;
    for (;;) {
        jsPubAck *pa = NULL;
        jsErrCode jerr = 0;
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MaxWait = ACK_WAIT_MS;
        pthread_mutex_unlock(&b->mu);
        natsStatus s = clone_msg(&c, m);
        if (s == NATS_OK) s = js_PublishMsg(&pa, b->js, c, &po, &jerr);
        natsMsg_Destroy(c);
        pthread_mutex_lock(&b->mu);
        if (s == NATS_OK || !retryable(s, jerr)) {
            sl->state = SLOT_PENDING; /* resolved() finds it so */
            int keep = resolved(b, m, s == NATS_OK ? pa : NULL, s, jerr, NULL);
            jsPubAck_Destroy(pa);
            if (!keep) natsMsg_Destroy(m);
            return SW_OK;
        }
        if (sw_time_mono_ms() - start >= b->ack_timeout_ms)
            return give_up(b, b->ack_timeout_ms, err);
        pthread_mutex_unlock(&b->mu);
        nats_Sleep(RETRY_MS);
        pthread_mutex_lock(&b->mu);
    }
}

/* After a retryable failure: wait until every outstanding publish came back, then send those
 * that failed again in their order, the first alone until the stream takes it. A message sent
 * again after a later one was stored (an election ended between them) is marked late: if the
 * stream did not have it, the stream's order differs from feed's there (counted). Under b->mu. */
static int recover(struct bus *b, char *err)
{
    int64_t start = sw_time_mono_ms();
    for (;;) {
        int pending = 0;
        for (uint64_t i = b->tail; i < b->head; i++)
            pending += b->ring[i % b->cap].state == SLOT_PENDING;
        if (!pending) break;
        if (sw_time_mono_ms() - start >= b->ack_timeout_ms + ACK_WAIT_MS)
            return give_up(b, b->ack_timeout_ms, err);
        wait_ms(b, 100);
    }
    b->trouble = 0;
    int first = 1, later_done = 0;
    uint64_t head = b->head;
    for (uint64_t i = b->head; i-- > b->tail;) { /* from the newest: a later one was stored? */
        struct slot *sl = &b->ring[i % b->cap];
        if (sl->state == SLOT_RETRY && later_done) sl->late = 1;
        if (sl->state == SLOT_DONE) later_done = 1;
    }
    for (uint64_t i = b->tail; i < head; i++) {
        struct slot *sl = &b->ring[i % b->cap];
        if (sl->state != SLOT_RETRY) continue;
        b->resent++;
        if (first) {
            first = 0;
            int rc = resend_first(b, sl, start, err);
            if (rc != SW_OK) return rc;
            continue;
        }
        natsMsg *m = sl->m, *c = NULL;
        pthread_mutex_unlock(&b->mu);
        natsStatus s = clone_msg(&c, m);
        natsMsg_Destroy(m);
        if (s == NATS_OK) send_async(b, i, c);
        pthread_mutex_lock(&b->mu);
        if (s != NATS_OK) return nats_fail(err, "cannot publish again to", "stream", s);
    }
    return SW_OK;
}

/* Room for one more publish: the done ones at the tail reclaimed, a recovery when in trouble.
 * Under b->mu. */
static int make_room(struct bus *b, int all, int64_t timeout_ms, char *err)
{
    int64_t start = sw_time_mono_ms();
    for (;;) {
        int rc = refused_locked(b, err);
        if (rc != SW_OK) return rc;
        while (b->tail < b->head && b->ring[b->tail % b->cap].state == SLOT_DONE)
            b->ring[b->tail++ % b->cap].late = 0;
        if (b->trouble) {
            if ((rc = recover(b, err)) != SW_OK) return rc;
            start = sw_time_mono_ms();
            continue;
        }
        if (all ? b->tail == b->head : b->head - b->tail < b->cap) return SW_OK;
        if (sw_time_mono_ms() - start >= timeout_ms + ACK_WAIT_MS)
            return give_up(b, timeout_ms, err);
        wait_ms(b, 200);
    }
}

int bus_publish(struct bus *b, const char *subject, const char *id, const struct bus_hdr *h,
                size_t nh, const void *body, size_t len, char *err)
{
    natsMsg *m = NULL;
    natsStatus s = natsMsg_Create(&m, subject, NULL, body, (int)len);
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Nats-Msg-Id", id);
    for (size_t i = 0; s == NATS_OK && i < nh; i++)
        s = natsMsgHeader_Set(m, h[i].name, h[i].value);
    if (s != NATS_OK) {
        natsMsg_Destroy(m);
        return nats_fail(err, "cannot publish to", subject, s);
    }
    pthread_mutex_lock(&b->mu);
    int rc = make_room(b, 0, b->ack_timeout_ms, err);
    uint64_t i = b->head;
    if (rc == SW_OK) b->head++;
    pthread_mutex_unlock(&b->mu);
    if (rc != SW_OK) {
        natsMsg_Destroy(m);
        return rc;
    }
    send_async(b, i, m);
    return SW_OK;
}

int bus_wait(struct bus *b, int64_t timeout_ms, char *err)
{
    pthread_mutex_lock(&b->mu);
    int rc = make_room(b, 1, timeout_ms, err);
    pthread_mutex_unlock(&b->mu);
    return rc;
}

void bus_acks(struct bus *b, uint64_t *stored, uint64_t *dups, uint64_t *failed, uint64_t *resent,
              uint64_t *late)
{
    pthread_mutex_lock(&b->mu);
    *stored = b->stored;
    *dups = b->dups;
    *failed = b->failed;
    *resent = b->resent;
    *late = b->late;
    pthread_mutex_unlock(&b->mu);
}

/* ---- the worker's side: one durable pull consumer */

struct bus_sub {
    struct bus b;
    natsSubscription *sub;
    natsMsgList list; /* the last fetch */
    natsMsg *keep;    /* the last message applied, acked (with all before it) by bus_sub_ack */
    char *stream, *durable, *filter;
    uint64_t cseq;   /* the consumer sequence of the last message received */
    uint64_t sseq;   /* its stream sequence (or where the consumer was made to start after) */
    int strikes;     /* empty fetches in a row with messages delivered or waiting */
    int broken;      /* a delivery was missed: the consumer must be made again */
    int64_t wait_ms; /* the bus timeout: how long a cluster may take to answer again */
};

/* The stream must exist, take PREFIX.> and say the worker's partitions. */
static int worker_stream(struct bus_sub *s, const struct sw_worker_config *cfg, char *err)
{
    char subject[256];
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    snprintf(subject, sizeof subject, "%s.>", cfg->prefix);
    natsStatus st = stream_info(&si, &s->b, cfg->stream, s->wait_ms, &jerr);
    if (st != NATS_OK && jerr == JS_STREAM_NOT_FOUND) {
        snprintf(err, SW_ERRMAX, "no stream '%s' at '%s' (sanctwatch feed --bus makes it)",
                 cfg->stream, cfg->url);
        return SW_ENOTFOUND;
    }
    return stream_checked(st, si, "cannot read the stream", cfg->url, cfg->stream, cfg->partitions,
                          0, subject, err);
}

/* The durable consumer, made afresh to start after start_seq (the checkpoint decides where a
 * worker resumes, not the consumer's acks), and a pull subscription bound to it. The messages
 * of the previous one are dropped. SW_OK, or SW_EAGAIN with err (the server did not do it:
 * an election, a lost connection, a consumer of the name still there). */
int bus_sub_reset(struct bus_sub *s, uint64_t start_seq, char *err)
{
    jsErrCode jerr = 0;
    jsConsumerConfig cc;
    jsConsumerInfo *ci = NULL;
    bus_sub_release(s);
    natsMsg_Destroy(s->keep);
    s->keep = NULL;
    natsSubscription_Destroy(s->sub);
    s->sub = NULL;
    s->cseq = 0;
    s->sseq = start_seq;
    s->strikes = 0;
    s->broken = 0;
    js_DeleteConsumer(s->b.js, s->stream, s->durable, NULL, &jerr); /* absent: fine */
    jsConsumerConfig_Init(&cc);
    cc.Durable = s->durable;
    cc.Description = "sanctwatch analyze worker";
    cc.AckPolicy = js_AckAll;
    cc.DeliverPolicy = start_seq ? js_DeliverByStartSequence : js_DeliverAll;
    cc.OptStartSeq = start_seq ? start_seq + 1 : 0;
    cc.FilterSubject = s->filter;
    cc.AckWait = 300 * 1000000000LL; /* redeliveries are recognised anyway */
    cc.MaxAckPending = SW_WORKER_ACK_PENDING;
    jerr = 0;
    natsStatus st = js_AddConsumer(&ci, s->b.js, s->stream, &cc, NULL, &jerr);
    if (st != NATS_OK) {
        nats_fail(err, "cannot create the consumer", s->durable, st);
        return SW_EAGAIN;
    }
    jsConsumerInfo_Destroy(ci);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = s->stream;
    so.Consumer = s->durable;
    so.ManualAck = true;
    st = js_PullSubscribe(&s->sub, s->b.js, s->filter, s->durable, NULL, &so, &jerr);
    if (st != NATS_OK) {
        nats_fail(err, "cannot subscribe to the consumer", s->durable, st);
        return SW_EAGAIN;
    }
    return SW_OK;
}

int bus_sub_open(struct bus_sub **out, const struct sw_worker_config *cfg, const char *durable,
                 const char *filter, uint64_t start_seq, char *err)
{
    *out = NULL;
    struct bus_sub *s = calloc(1, sizeof *s);
    if (!s) return SW_ENOMEM;
    int rc = bus_init(&s->b, 1);
    s->stream = strdup(cfg->stream);
    s->durable = strdup(durable);
    s->filter = strdup(filter);
    s->wait_ms = cfg->bus_timeout_ms;
    if (rc == SW_OK && !(s->stream && s->durable && s->filter)) rc = SW_ENOMEM;
    if (rc == SW_OK) rc = connect_to(&s->b, cfg->url, "sanctwatch analyze", 1, err);
    if (rc == SW_OK) rc = worker_stream(s, cfg, err);
    for (int64_t start = sw_time_mono_ms(); rc == SW_OK;) {
        rc = bus_sub_reset(s, start_seq, err);
        if (rc != SW_EAGAIN) break;
        if (!clustered(&s->b) || sw_time_mono_ms() - start >= s->wait_ms) {
            rc = SW_ENET;
            break;
        }
        rc = SW_OK;
        nats_Sleep(RETRY_MS);
    }
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
    free(s->filter);
    free(s);
}

/* The stream sequence of the stream's last message on the consumer's subjects (0: none), as
 * its leader answers. SW_EAGAIN when it does not. */
static int stream_last(struct bus_sub *s, uint64_t *last, char *err)
{
    natsMsg *m = NULL;
    jsErrCode jerr = 0;
    natsStatus st = js_GetLastMsg(&m, s->b.js, s->stream, s->filter, NULL, &jerr);
    *last = 0;
    if (st == NATS_OK) {
        *last = natsMsg_GetSequence(m);
        natsMsg_Destroy(m);
        return SW_OK;
    }
    if (jerr == JS_NO_MESSAGE_FOUND) return SW_OK;
    nats_fail(err, "cannot read the stream's last message on", s->filter, st);
    return SW_EAGAIN;
}

/* After an empty fetch: was something delivered that never came (lost with a connection or
 * a consumer leader), does the consumer hold messages it does not deliver (a leader that
 * lost its pull requests), or does the stream hold messages after the last one received that
 * the consumer does not count (seen once after a node of a cluster was killed: the consumer
 * answered "nothing waiting" for 15 s while the stream stored 35,000 messages more)? Seen
 * twice in a row, the consumer must be made again: SW_EAGAIN. So a worker is idle only when
 * the stream itself holds nothing more for it. */
static int probe(struct bus_sub *s, char *err)
{
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    uint64_t last = 0;
    natsStatus st = js_GetConsumerInfo(&ci, s->b.js, s->stream, s->durable, NULL, &jerr);
    if (st != NATS_OK) {
        nats_fail(err, "cannot read the consumer", s->durable, st);
        return SW_EAGAIN;
    }
    uint64_t delivered = ci->Delivered.Consumer, waiting = ci->NumPending;
    jsConsumerInfo_Destroy(ci);
    if (delivered <= s->cseq && waiting == 0) {
        int rc = stream_last(s, &last, err);
        if (rc != SW_OK) return rc;
        if (last <= s->sseq) {
            s->strikes = 0;
            return SW_OK;
        }
    }
    if (s->strikes++) {
        if (last)
            snprintf(err, SW_ERRMAX,
                     "consumer '%s' delivers nothing after stream sequence %llu, the stream's "
                     "last message %llu",
                     s->durable, (unsigned long long)s->sseq, (unsigned long long)last);
        else
            snprintf(err, SW_ERRMAX, "consumer '%s' delivered up to %llu (%llu came), %llu waiting",
                     s->durable, (unsigned long long)delivered, (unsigned long long)s->cseq,
                     (unsigned long long)waiting);
        return SW_EAGAIN;
    }
    return SW_OK; /* it may still be on its way: look again after the next fetch */
}

int bus_sub_fetch(struct bus_sub *s, int batch, int64_t timeout_ms, int *n, char *err)
{
    jsErrCode jerr = 0;
    bus_sub_release(s);
    *n = 0;
    if (s->broken) {
        snprintf(err, SW_ERRMAX, "consumer '%s' skipped a delivery", s->durable);
        return SW_EAGAIN;
    }
    natsStatus st = natsSubscription_Fetch(&s->list, s->sub, batch, timeout_ms, &jerr);
    if (st == NATS_TIMEOUT) return probe(s, err);
    if (st != NATS_OK) {
        nats_fail(err, "cannot fetch from the consumer", s->durable, st);
        return SW_EAGAIN;
    }
    /* the messages up to the first that does not follow the last one received */
    for (int i = 0; i < s->list.Count; i++) {
        jsMsgMetaData *md = NULL;
        if (natsMsg_GetMetaData(&md, s->list.Msgs[i]) == NATS_OK) {
            uint64_t c = md->Sequence.Consumer, q = md->Sequence.Stream;
            jsMsgMetaData_Destroy(md);
            if (c != s->cseq + 1) {
                s->broken = 1;
                break;
            }
            s->cseq = c;
            s->sseq = q > s->sseq ? q : s->sseq;
        }
        (*n)++;
    }
    if (*n) s->strikes = 0;
    return SW_OK;
}

int bus_sub_idle(const struct bus_sub *s)
{
    return !s->strikes && !s->broken;
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
    if (st != NATS_OK) {
        nats_fail(err, "cannot acknowledge to the consumer", s->durable, st);
        return SW_EAGAIN;
    }
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
