/*
 * The bulk part of an unfinished run's saved state (internal to src/ingest): the vessel
 * states, the pending records of the reorder buffer and the dedup table, kept in a file beside
 * the database (DB-ingest.0 or DB-ingest.1) and written with large sequential writes instead
 * of as SQLite overflow pages. The database row `ingest_pending` says which file, how many of
 * its bytes are committed and which file generation it is; bytes past that length (a
 * checkpoint that never committed) are ignored. See docs/ingest.md.
 *
 * A file: a header {magic, layout, run id, generation}, then segments, one per checkpoint:
 * {magic, vessel states n, reorder bytes, dedup bytes}, n vessel states, the reorder blob and
 * the dedup blob. Loading applies the vessel states of every committed segment in order (a
 * later state of a vessel replaces an earlier one) and takes the pending records and the dedup
 * table of the last one.
 */
#ifndef SW_INGEST_STATEFILE_H
#define SW_INGEST_STATEFILE_H

#include <stddef.h>
#include <stdint.h>

#define SW_SF_HEADER 32
#define SW_SF_SEGHDR 32

/* A file being written: writes go through a buffer to fd at off. */
struct sw_sf {
    int fd;
    uint64_t off; /* end of what was handed to sw_sf_put */
    size_t n;     /* bytes buffered */
    unsigned char *buf;
};

/* path of state file `index` (0 or 1) of database file db into out (size bytes); SW_ETOOBIG
 * when it does not fit. */
int sw_sf_path(const char *db, int index, char *out, size_t size);
/* Create (truncate) a state file and write its header. */
int sw_sf_create(struct sw_sf *f, const char *path, int64_t layout, int64_t run_id, int64_t gen);
/* Reopen a state file to append after its committed length len (checks its header). */
int sw_sf_reopen(struct sw_sf *f, const char *path, uint64_t len, int64_t layout, int64_t run_id,
                 int64_t gen);
/* Buffered write at the end. */
int sw_sf_put(struct sw_sf *f, const void *data, size_t len);
/* Write what is buffered and make the file durable (fdatasync). */
int sw_sf_sync(struct sw_sf *f);
/* Close without writing what is still buffered (a checkpoint that failed or never synced). */
void sw_sf_close(struct sw_sf *f);
/* A segment's header (SW_SF_SEGHDR bytes) for n vessel states and blobs of rlen and dlen bytes:
 * the writer puts it, then the states, then the two blobs. */
void sw_sf_segment_header(unsigned char *h, uint64_t n, uint64_t rlen, uint64_t dlen);

/* Reading a committed file: calls state(ctx, states, n) for the vessel states of each segment
 * (in pieces), then pending(ctx, reorder, rlen, dedup, dlen) once with the last segment's
 * blobs. Returns SW_OK, SW_EFORMAT (damaged, another layout, run or generation), SW_EIO, or
 * a callback's error. */
int sw_sf_load(const char *path, uint64_t len, int64_t layout, int64_t run_id, int64_t gen,
               size_t state_size, int (*state)(void *ctx, const unsigned char *states, size_t n),
               int (*pending)(void *ctx, const void *reorder, size_t rlen, const void *dedup,
                              size_t dlen),
               void *ctx);

#endif
