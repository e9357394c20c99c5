/*
 * Internal to src/bus: the JetStream side (nats.c) under the feed's reader (feed.c). Only
 * nats.c includes <nats/nats.h>.
 */
#ifndef SW_BUS_INT_H
#define SW_BUS_INT_H

#include "sanctwatch/bus.h"

#include <stddef.h>
#include <stdint.h>

struct bus;

/* A header of a message: name and value (the value NUL-terminated, without CR or LF). */
struct bus_hdr {
    const char *name;
    const char *value;
};

/* Connect and make sure the stream exists (see sw_feed_new). Caller frees with bus_close. */
int bus_open(struct bus **out, const struct sw_feed_config *cfg, char *err);
/* Disconnects; acks still outstanding are not waited for (bus_wait first). */
void bus_close(struct bus *b);
/* Publish asynchronously to subject with message id id and nh headers; blocks while
 * max_pending acks are outstanding. SW_OK, or SW_ENET with err. */
int bus_publish(struct bus *b, const char *subject, const char *id, const struct bus_hdr *h,
                size_t nh, const void *body, size_t len, char *err);
/* Wait until every publish is acknowledged or timeout_ms passed. SW_OK when all were acked
 * as stored or duplicate; SW_ENET with err when one failed or some are still outstanding. */
int bus_wait(struct bus *b, int64_t timeout_ms, char *err);
/* Acks so far: stored, duplicates, failed (failed includes those never acknowledged after
 * a bus_wait that timed out); messages sent again after a retryable failure (no responders,
 * no ack in time, the connection lost: a leader election or a node gone), and of those, the
 * ones the stream took after a later message (stored out of feed's order). */
void bus_acks(struct bus *b, uint64_t *stored, uint64_t *dups, uint64_t *failed, uint64_t *resent,
              uint64_t *late);

/* The worker's side (worker.c over nats.c): one durable pull consumer with acks of all before
 * a message (AckAll). */
struct bus_sub;
struct bus_msg {
    const char *subject;
    const char *data; /* the body, len bytes (not NUL-terminated) */
    size_t len;
    uint64_t seq;    /* the stream's sequence number */
    int redelivered; /* delivered before */
};
/* Connect, check the stream (it must exist, take PREFIX.> and say cfg->partitions), make the
 * durable consumer on filter afresh to start after stream sequence start_seq, subscribe.
 * SW_ENET, SW_ENOTFOUND (no such stream), SW_EINVAL (other partitions), with err. With more
 * than one server known, a request that times out or finds no responder (an election) is
 * tried again for up to cfg->bus_timeout_ms. */
int bus_sub_open(struct bus_sub **out, const struct sw_worker_config *cfg, const char *durable,
                 const char *filter, uint64_t start_seq, char *err);
void bus_sub_close(struct bus_sub *s);
/* Up to batch messages, waiting at most timeout_ms: *n of them (0 when none came), each the
 * consumer's next delivery. The messages of the previous fetch are released. SW_EAGAIN, with
 * err, when the consumer cannot be read or missed a delivery (lost with a connection or a
 * leader): make it again with bus_sub_reset. */
int bus_sub_fetch(struct bus_sub *s, int batch, int64_t timeout_ms, int *n, char *err);
/* After a fetch that took nothing: whether the stream is known to hold nothing more for the
 * consumer (not merely nothing delivered yet). */
int bus_sub_idle(const struct bus_sub *s);
/* Make the consumer afresh to start after stream sequence start_seq, and subscribe again
 * (the messages of the last fetch and the one kept are dropped). SW_OK or SW_EAGAIN. */
int bus_sub_reset(struct bus_sub *s, uint64_t start_seq, char *err);
/* Message i of the last fetch (valid until the next fetch); SW_EFORMAT when it is not a
 * JetStream message (no sequence). */
int bus_sub_msg(struct bus_sub *s, int i, struct bus_msg *out);
/* Header name of message i, NULL when absent (valid until the next fetch). */
const char *bus_sub_header(struct bus_sub *s, int i, const char *name);
/* Message i is the last applied one: bus_sub_ack acknowledges it and all before it. */
void bus_sub_keep(struct bus_sub *s, int i);
/* SW_OK, or SW_EAGAIN with err when the ack did not reach the consumer. */
int bus_sub_ack(struct bus_sub *s, char *err);
void bus_sub_release(struct bus_sub *s);

#endif
