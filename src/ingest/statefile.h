/*
 * The bulk part of an unfinished run's saved state (internal to src/ingest): the vessel
 * records (each vessel's state and its stages' per-vessel state), the pending records of the
 * reorder buffer, the dedup table and the stages' other state, kept in a file beside the
 * database (DB-ingest.0 or DB-ingest.1) and written with large sequential writes instead of
 * as SQLite overflow pages. The database row `ingest_pending` says which file, how many of
 * its bytes are committed and which file generation it is; bytes past that length (a
 * checkpoint that never committed) are ignored. See docs/ingest.md.
 *
 * A file: a header {magic, layout, run id, generation}, then segments, one per checkpoint:
 * {magic, records n, their bytes, reorder bytes, dedup bytes, stage bytes}, the n records
 * ([u32 length][payload] each), then the three blobs. Loading hands over the records of every
 * committed segment in order (a later record of a vessel replaces an earlier one) and the
 * blobs of the last one.
 */
#ifndef SW_INGEST_STATEFILE_H
#define SW_INGEST_STATEFILE_H

#include <stddef.h>
#include <stdint.h>

#define SW_SF_HEADER 32
#define SW_SF_SEGHDR 48
#define SW_SF_RECORD_MAX (1u << 20) /* longest vessel record */

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
/* Overwrite len bytes at off, before the end (a header whose counts are known only after what
 * follows it was put); what is buffered is written first. */
int sw_sf_patch(struct sw_sf *f, uint64_t off, const void *data, size_t len);
/* Write what is buffered and make the file durable (fdatasync). */
int sw_sf_sync(struct sw_sf *f);
/* Close without writing what is still buffered (a checkpoint that failed or never synced). */
void sw_sf_close(struct sw_sf *f);
/* A segment's header (SW_SF_SEGHDR bytes) for n records of recbytes bytes in all and blobs of
 * rlen, dlen and slen bytes: the writer puts it, then the records, then the three blobs. */
void sw_sf_segment_header(unsigned char *h, uint64_t n, uint64_t recbytes, uint64_t rlen,
                          uint64_t dlen, uint64_t slen);

/* The blobs of the last committed segment (valid during the call). */
struct sw_sf_blobs {
    const void *reorder;
    size_t rlen;
    const void *dedup;
    size_t dlen;
    const void *stages;
    size_t slen;
};
/* Reading a committed file: record(ctx, payload, len) for each record of each segment, in
 * order, then pending(ctx, blobs) once with the last segment's blobs. Returns SW_OK,
 * SW_EFORMAT (damaged, another layout, run or generation), SW_EIO, or a callback's error. */
int sw_sf_load(const char *path, uint64_t len, int64_t layout, int64_t run_id, int64_t gen,
               int (*record)(void *ctx, const unsigned char *rec, size_t len),
               int (*pending)(void *ctx, const struct sw_sf_blobs *b), void *ctx);

#endif
