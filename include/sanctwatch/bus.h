/*
 * The bus: AIS input published to a NATS JetStream stream, the first piece of running the
 * engine on many machines (DESIGN.md, "Scale beyond one machine"; docs/bus.md).
 *
 * sw_feed reads inputs the way analyze does (the line reader, sanctwatch/lineio.h: files,
 * .gz, .bz2, .xz, .zst, zip and tar archives, stdin; NMEA through the framer, MarineCadastre
 * and aisdk CSV by their header), decodes each message only as far as its MMSI, and publishes
 * it, raw lines and all, to the subject PREFIX.<partition> of the stream, partition =
 * sw_bus_partition(MMSI, partitions). Each message carries a deterministic Nats-Msg-Id, so
 * that feeding the same input again within the stream's duplicate window stores nothing twice.
 *
 * Ownership: sw_feed_new's object is freed by sw_feed_free; counters returned are valid while
 * it lives. err parameters are SW_ERRMAX bytes.
 */
#ifndef SANCTWATCH_BUS_H
#define SANCTWATCH_BUS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Defaults: stream name, subject prefix, partitions, duplicate window, acks outstanding. */
#define SW_BUS_STREAM "AIS"
#define SW_BUS_PREFIX "ais.raw"
#define SW_BUS_PARTITIONS 256
#define SW_BUS_PARTITIONS_MAX 4096
#define SW_BUS_DUP_WINDOW_MS (3600 * 1000LL)
#define SW_BUS_MAX_PENDING 4096
/* The longest body published (the raw lines of one message) and the longest line kept as a
 * pending fragment of a multi-sentence message. */
#define SW_BUS_BODY_MAX 16384
#define SW_BUS_FRAGMENT_MAX 1024

/* The partition of a vessel: splitmix64(MMSI) modulo n (the MMSI plus 0x9E3779B97F4A7C15, then
 * splitmix64's finalizer), the per-vessel partitioning of docs/scale.md. Every stage that
 * partitions by vessel uses this function. */
unsigned sw_bus_partition(uint32_t mmsi, unsigned n);

struct sw_feed_config {
    const char *url;             /* nats://HOST:PORT (required) */
    const char *stream;          /* SW_BUS_STREAM when NULL */
    const char *prefix;          /* SW_BUS_PREFIX when NULL */
    unsigned partitions;         /* SW_BUS_PARTITIONS when 0 */
    int64_t dup_window_ms;       /* duplicate window of a stream feed creates; 0: the default */
    int max_pending;             /* publishes awaiting their ack at most; 0: SW_BUS_MAX_PENDING */
    int64_t ack_timeout_ms;      /* how long the end waits for the last acks; 0: 30 s */
    int lenient;                 /* accept NMEA with bad checksums, as analyze --lenient */
    volatile sig_atomic_t *stop; /* set non-zero (by a signal handler) to stop reading */
};
void sw_feed_config_default(struct sw_feed_config *c);

/* What feed counted. lines..bad_mmsi are named and counted as analyze counts them
 * (sw_ingest_counter_name); the framer's per-reason line counts are apart (sw_feed_nmea). */
struct sw_feed_counts {
    uint64_t lines, bytes, messages, decode_error, bad_row, bad_mmsi, toolong, input_errors;
    uint64_t published;  /* messages handed to the bus */
    uint64_t stored;     /* acknowledged as stored by the server */
    uint64_t duplicates; /* acknowledged as duplicates (an id seen within the window) */
    uint64_t failed;     /* refused by the server, or no ack in time */
    uint64_t rebuilt;    /* multi-sentence messages whose raw lines could not be told apart:
                            published as one sentence rebuilt from the payload */
};

struct sw_feed;

/* Connect to cfg->url and make sure the stream exists (created with file storage, subjects
 * PREFIX.>, the duplicate window; an existing one must hold PREFIX.> and the same number of
 * partitions). Errors: SW_ENET (connection refused, no server, JetStream not enabled),
 * SW_EINVAL (bad configuration, a stream of other partitions), SW_ENOMEM; err says which. */
int sw_feed_new(struct sw_feed **out, const struct sw_feed_config *cfg, char *err);
/* Waits for outstanding acks (as sw_feed_finish) only if finish was not called. */
void sw_feed_free(struct sw_feed *f);

/* Publish one input ("-" is stdin). SW_OK, or an error with err: SW_EIO, SW_EFORMAT,
 * SW_ETRUNCATED (cannot open or read it; a read error is also counted in input_errors; what
 * was read before it was published), SW_ENET (a publish failed or was refused), SW_EAGAIN
 * (cfg->stop was set). Malformed input is counted, never an error. */
int sw_feed_input(struct sw_feed *f, const char *input, char *err);
/* Wait for every outstanding ack. SW_OK when every message published was acknowledged
 * (stored or duplicate); SW_ENET, with err, when some failed or did not come in time. */
int sw_feed_finish(struct sw_feed *f, char *err);

const struct sw_feed_counts *sw_feed_counts(const struct sw_feed *f);
/* The framer's per-reason line counts (SW_NMEA_NREASONS entries, sanctwatch/nmea.h). */
const uint64_t *sw_feed_nmea(const struct sw_feed *f);

/* Release the NATS client library's global state (threads, buffers): call once at the end of
 * the program, after every sw_feed is freed. */
void sw_bus_shutdown(void);

#endif
