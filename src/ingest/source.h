/*
 * Line sources for ingest (internal to src/ingest): files, .gz and stdin through the line
 * reader, a TCP client that reconnects with backoff, and a UDP listener that counts the
 * datagrams the kernel dropped. Every source hands out lines the same way.
 */
#ifndef SW_INGEST_SOURCE_H
#define SW_INGEST_SOURCE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct sw_source;

struct sw_source_stats {
    uint64_t dropped;    /* UDP datagrams dropped by the kernel (SO_RXQ_OVFL) */
    uint64_t truncated;  /* UDP datagrams longer than the receive buffer */
    uint64_t reconnects; /* TCP connections established */
    uint64_t toolong;    /* over-long lines from a socket */
};

/* spec: path, "-", "tcp://HOST:PORT" or "udp://ADDR:PORT". idle_exit_ms: a live source
 * reports SW_EOF after that long without data (0: never). err gets a message (SW_ERRMAX bytes).
 * Caller frees with sw_source_free(). */
int sw_source_open(struct sw_source **out, const char *spec, size_t max_line, int64_t idle_exit_ms,
                   char *err);
void sw_source_free(struct sw_source *s);
/* Next line: SW_OK (*line valid until the next call, NUL-terminated), SW_EOF, SW_ETOOBIG
 * (over-long line skipped), SW_EAGAIN (a live source had nothing for a moment: check the stop
 * flag and call again), or a read error. */
int sw_source_next(struct sw_source *s, const char **line, size_t *len);
int sw_source_live(const struct sw_source *s);
/* Archives: the 1-based member the last line came from (sw_lines_member), else 0. */
uint32_t sw_source_member(const struct sw_source *s);
uint64_t sw_source_lineno(const struct sw_source *s);
uint64_t sw_source_offset(const struct sw_source *s);
uint64_t sw_source_size(const struct sw_source *s);
/* Counters so far (for UDP, the kernel's drop count is read again now). */
const struct sw_source_stats *sw_source_stats(struct sw_source *s);

#endif
