/*
 * The event stream hub (Server-Sent Events): the writer publishes each committed event,
 * review, alert and head once, formatted, into a ring; every client connection streams the
 * ring from its own position. A client with nothing to send is suspended (libmicrohttpd's
 * suspend/resume: no worker thread waits for it) and resumed when a message is published,
 * for a keep-alive comment every SRV_PING_MS, and at shutdown. A client that falls a whole
 * ring behind is ended: its browser reconnects with Last-Event-ID and the missed messages are
 * replayed from the store (api_stream). Each message's id is the stream position after it,
 * "<ledger size>.<last alert id>", which only grows.
 */
#include "serve_int.h"

#include "sanctwatch/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_MAX (32 * 1024)

struct msg {
    char *text;
    size_t len;
};

struct client {
    struct srv_hub *h;
    struct MHD_Connection *c;
    uint64_t next; /* the next ring sequence number to send */
    struct sw_buf replay;
    size_t replay_off;
    int suspended;
    int64_t last_ms;
    struct client *prev, *nextc;
};

struct srv_hub {
    pthread_mutex_t mu;
    struct msg ring[SRV_RING];
    uint64_t head; /* sequence number of the next message */
    struct client *clients;
    size_t nclients;
    int closing;
    uint64_t pos_ledger;
    int64_t pos_alert;
};

int srv_hub_new(struct srv_hub **out)
{
    struct srv_hub *h = calloc(1, sizeof *h);
    if (!h) return SW_ENOMEM;
    pthread_mutex_init(&h->mu, NULL);
    *out = h;
    return SW_OK;
}

void srv_hub_free(struct srv_hub *h)
{
    if (!h) return;
    for (size_t i = 0; i < SRV_RING; i++)
        free(h->ring[i].text);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

void srv_hub_set_position(struct srv_hub *h, uint64_t ledger, int64_t alert)
{
    pthread_mutex_lock(&h->mu);
    h->pos_ledger = ledger;
    h->pos_alert = alert;
    pthread_mutex_unlock(&h->mu);
}

void srv_hub_position(struct srv_hub *h, uint64_t *ledger, int64_t *alert, uint64_t *seq)
{
    pthread_mutex_lock(&h->mu);
    *ledger = h->pos_ledger;
    *alert = h->pos_alert;
    if (seq) *seq = h->head;
    pthread_mutex_unlock(&h->mu);
}

size_t srv_hub_clients(struct srv_hub *h)
{
    pthread_mutex_lock(&h->mu);
    size_t n = h->nclients;
    pthread_mutex_unlock(&h->mu);
    return n;
}

/* Resume the suspended clients (outside the hub's lock: a suspended connection cannot be
 * freed until it is resumed, so the pointers stay valid). */
static void resume(struct srv_hub *h)
{
    struct MHD_Connection *stack[64], **list = stack;
    size_t n = 0, cap = 64;
    pthread_mutex_lock(&h->mu);
    if (h->nclients > cap) {
        struct MHD_Connection **l = malloc(h->nclients * sizeof *l);
        if (l) list = l, cap = h->nclients;
    }
    for (struct client *c = h->clients; c && n < cap; c = c->nextc)
        if (c->suspended) {
            c->suspended = 0;
            list[n++] = c->c;
        }
    pthread_mutex_unlock(&h->mu);
    for (size_t i = 0; i < n; i++)
        MHD_resume_connection(list[i]);
    if (list != stack) free(list);
}

void srv_hub_publish(struct srv_hub *h, const char *event, const char *id, const char *data)
{
    size_t dl = strlen(data);
    if (dl > MSG_MAX) return; /* never: messages are summaries */
    size_t cap = dl + strlen(event) + strlen(id) + 32;
    char *t = malloc(cap);
    if (!t) return;
    int n = snprintf(t, cap, "id: %s\nevent: %s\ndata: %s\n\n", id, event, data);
    pthread_mutex_lock(&h->mu);
    struct msg *m = &h->ring[h->head % SRV_RING];
    free(m->text);
    m->text = t;
    m->len = (size_t)n;
    h->head++;
    unsigned long long l = 0;
    long long a = 0;
    if (sscanf(id, "%llu.%lld", &l, &a) == 2) {
        h->pos_ledger = l;
        h->pos_alert = a;
    }
    pthread_mutex_unlock(&h->mu);
    resume(h);
}

void srv_hub_wake(struct srv_hub *h, int closing)
{
    if (closing) {
        pthread_mutex_lock(&h->mu);
        h->closing = 1;
        pthread_mutex_unlock(&h->mu);
    }
    resume(h);
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct client *c = cls;
    struct srv_hub *h = c->h;
    size_t n = 0;
    int64_t now = sw_time_mono_ms();
    pthread_mutex_lock(&h->mu);
    if (h->closing) {
        pthread_mutex_unlock(&h->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (c->replay_off < c->replay.len) {
        n = c->replay.len - c->replay_off;
        if (n > max) n = max;
        memcpy(buf, c->replay.data + c->replay_off, n);
        c->replay_off += n;
        pthread_mutex_unlock(&h->mu);
        return (ssize_t)n;
    }
    if (h->head > SRV_RING && c->next < h->head - SRV_RING) { /* a whole ring behind */
        pthread_mutex_unlock(&h->mu);
        return MHD_CONTENT_READER_END_WITH_ERROR; /* it reconnects and is replayed */
    }
    while (c->next < h->head) {
        const struct msg *m = &h->ring[c->next % SRV_RING];
        if (n + m->len > max) break;
        memcpy(buf + n, m->text, m->len);
        n += m->len;
        c->next++;
    }
    if (!n && now - c->last_ms >= SRV_PING_MS && max >= 8) {
        memcpy(buf, ": ping\n\n", 8);
        n = 8;
    }
    if (n) {
        c->last_ms = now;
        pthread_mutex_unlock(&h->mu);
        return (ssize_t)n;
    }
    c->suspended = 1;
    MHD_suspend_connection(c->c);
    pthread_mutex_unlock(&h->mu);
    return 0;
}

static void reader_free(void *cls)
{
    struct client *c = cls;
    struct srv_hub *h = c->h;
    pthread_mutex_lock(&h->mu);
    if (c->prev)
        c->prev->nextc = c->nextc;
    else
        h->clients = c->nextc;
    if (c->nextc) c->nextc->prev = c->prev;
    h->nclients--;
    pthread_mutex_unlock(&h->mu);
    sw_buf_release(&c->replay);
    free(c);
}

struct MHD_Response *srv_hub_response(struct srv_hub *h, struct MHD_Connection *conn,
                                      struct sw_buf *replay, uint64_t seq)
{
    struct client *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->h = h;
    c->c = conn;
    c->last_ms = sw_time_mono_ms();
    sw_buf_init(&c->replay, 1);
    if (replay) {
        c->replay = *replay;
        memset(replay, 0, sizeof *replay);
    }
    pthread_mutex_lock(&h->mu);
    c->next = seq;
    c->nextc = h->clients;
    if (h->clients) h->clients->prev = c;
    h->clients = c;
    h->nclients++;
    pthread_mutex_unlock(&h->mu);
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, reader, c, reader_free);
    if (!r) reader_free(c);
    return r;
}
