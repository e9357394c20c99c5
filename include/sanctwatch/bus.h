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
/* A --bus address: nats://HOST:PORT, or up to SW_BUS_SERVERS_MAX of them separated by commas
 * (the seed servers of a cluster), SW_BUS_URL_MAX bytes at most. */
#define SW_BUS_SERVERS_MAX 16
#define SW_BUS_URL_MAX 2048
#define SW_BUS_REPLICAS_MAX 5
/* How long a worker waits for the bus to answer again (a leader election, a node gone). */
#define SW_BUS_TIMEOUT_MS (180 * 1000LL)
/* The longest body published (the raw lines of one message) and the longest line kept as a
 * pending fragment of a multi-sentence message. */
#define SW_BUS_BODY_MAX 16384
#define SW_BUS_FRAGMENT_MAX 1024

/* The partition of a vessel: splitmix64(MMSI) modulo n (the MMSI plus 0x9E3779B97F4A7C15, then
 * splitmix64's finalizer), the per-vessel partitioning of docs/scale.md. Every stage that
 * partitions by vessel uses this function. */
unsigned sw_bus_partition(uint32_t mmsi, unsigned n);

/* A --bus address: nats://HOST:PORT[,nats://HOST:PORT...] (PORT 1..65535, HOST without '/',
 * '@', ',' or spaces; at most SW_BUS_SERVERS_MAX). SW_OK, or SW_EINVAL with err naming the
 * entry at fault. */
int sw_bus_check_url(const char *url, char *err);

struct sw_feed_config {
    const char *url;             /* nats://HOST:PORT[,...] (required; sw_bus_check_url) */
    const char *stream;          /* SW_BUS_STREAM when NULL */
    const char *prefix;          /* SW_BUS_PREFIX when NULL */
    unsigned partitions;         /* SW_BUS_PARTITIONS when 0 */
    int replicas;                /* replicas of a stream feed creates, 1..5 (0: 1); an existing
                                    stream must have as many */
    int64_t dup_window_ms;       /* duplicate window of a stream feed creates; 0: the default */
    int max_pending;             /* publishes awaiting their ack at most; 0: SW_BUS_MAX_PENDING */
    int64_t ack_timeout_ms;      /* how long the end waits for the last acks, and a recovery
                                    from lost acks (an election) at most; 0: 30 s */
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
    uint64_t resent;     /* sent again after no ack, no responders or a lost connection (the
                            stream's duplicate window keeps them once) */
    uint64_t late;       /* of those, stored after a later message: out of feed's order */
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

/* ---- the worker: analysis from the stream (docs/bus.md, "The worker")
 *
 * sw_worker_run takes the messages of partitions first..last of the stream from a durable
 * pull consumer, in stream order, and applies each to an open pipeline as the same lines read
 * from a file would be (sw_pipeline_stream_msg: the body through the framer or the CSV
 * reader, the headers' time, time source and receiver). The pipeline's checkpoints hold the
 * stream sequence of the last message applied; messages are acknowledged (AckAll) only after
 * the commit that holds their effect, and a worker resumes after the committed sequence, so a
 * crash at any moment applies every message exactly once. */
#define SW_WORKER_ALL 0xffffffffu
#define SW_WORKER_BATCH 256
#define SW_WORKER_ACK_PENDING 1000000 /* the consumer's unacknowledged messages at most */

struct sw_pipeline;

struct sw_worker_config {
    const char *url;             /* nats://HOST:PORT[,...] (required; sw_bus_check_url) */
    const char *stream;          /* SW_BUS_STREAM when NULL */
    const char *prefix;          /* SW_BUS_PREFIX when NULL */
    unsigned partitions;         /* the stream's partitions, checked (SW_BUS_PARTITIONS when 0) */
    int64_t bus_timeout_ms;      /* the bus unanswering this long ends the run (0: default) */
    unsigned first, last;        /* the partitions taken; last SW_WORKER_ALL: to the end */
    const char *durable;         /* consumer name; NULL: sanctwatch-STREAM-FIRST-LAST */
    int batch;                   /* messages a fetch asks for; 0: SW_WORKER_BATCH */
    int64_t idle_exit_ms;        /* end when the stream had nothing new this long (0: never) */
    volatile sig_atomic_t *stop; /* set non-zero (by a signal handler) to end cleanly */
};
void sw_worker_config_default(struct sw_worker_config *c);

/* What the worker counted (the pipeline counts the records, as analyze does). */
struct sw_worker_counts {
    uint64_t received;        /* messages fetched */
    uint64_t applied;         /* given to the pipeline */
    uint64_t seen;            /* at or before the committed position: not applied again */
    uint64_t other_partition; /* of partitions outside first..last (filter PREFIX.>) */
    uint64_t bad_header;      /* Sw-Mmsi, Sw-Time, Sw-Time-Src, Sw-Receiver missing/malformed */
    uint64_t bad_format;      /* Sw-Format missing or unknown, or CSV without a known header */
    uint64_t oversized;       /* body over SW_BUS_BODY_MAX */
    uint64_t wrong_partition; /* subject's partition is not that of Sw-Mmsi */
    uint64_t mmsi_mismatch;   /* the body's MMSI is not Sw-Mmsi */
    uint64_t no_frame;        /* the body gave no message (framer counts say why) */
    uint64_t acks;            /* acknowledgements sent (each after a commit) */
    uint64_t resets;          /* consumer made again after the bus failed (election, node) */
    uint64_t resumed_after;   /* the stream sequence the run started after */
    uint64_t position;        /* the stream sequence of the last message taken */
};

/* Run until the stream has had nothing new for idle_exit_ms or stop is set, then commit a
 * checkpoint and acknowledge. SW_OK, or SW_EINVAL (bad configuration, a stream of other
 * partitions), SW_ENOTFOUND (no such stream), SW_ENET (server unreachable, or no answer for
 * bus_timeout_ms: what was taken is committed; the same call resumes), an error
 * of the pipeline (SW_EDB, ...), with err. Bad messages are counted, never an error. */
int sw_worker_run(struct sw_pipeline *p, const struct sw_worker_config *cfg,
                  struct sw_worker_counts *counts, char *err);

/* Release the NATS client library's global state (threads, buffers): call once at the end of
 * the program, after every sw_feed is freed. */
void sw_bus_shutdown(void);

#endif
