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
 * a bus_wait that timed out). */
void bus_acks(struct bus *b, uint64_t *stored, uint64_t *dups, uint64_t *failed);

#endif
