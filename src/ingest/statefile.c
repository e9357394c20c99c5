/*
 * The unfinished run's bulk state in a file beside the database: see statefile.h. Written
 * through a 1 MB buffer, so that a checkpoint of 100k vessels (about 80 MB with the pending
 * records) costs a few dozen write calls instead of the tens of thousands of page writes,
 * reads and copies it costs as SQLite overflow pages in the WAL.
 */
#include "statefile.h"

#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE ((size_t)1 << 20)
static const char file_magic[8] = {'S', 'W', 'I', 'N', 'G', 'S', 'T', '1'};
static const char seg_magic[8] = {'S', 'W', 'S', 'E', 'G', 'M', 'T', '2'};

int sw_sf_path(const char *db, int index, char *out, size_t size)
{
    int n = snprintf(out, size, "%s-ingest.%d", db, index);
    return n < 0 || (size_t)n >= size ? SW_ETOOBIG : SW_OK;
}

/* The file header: its magic, then layout, run id and generation. */
static void header(unsigned char *h, int64_t layout, int64_t run_id, int64_t gen)
{
    memcpy(h, file_magic, 8);
    memcpy(h + 8, &layout, 8);
    memcpy(h + 16, &run_id, 8);
    memcpy(h + 24, &gen, 8);
}

static int read_all(int fd, unsigned char *p, size_t n, uint64_t off)
{
    while (n > 0) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return SW_EIO;
        if (r == 0) return SW_EFORMAT; /* shorter than the committed length */
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return SW_OK;
}

static int open_buf(struct sw_sf *f)
{
    f->n = 0;
    f->buf = malloc(BUF_SIZE);
    return f->buf ? SW_OK : SW_ENOMEM;
}

int sw_sf_create(struct sw_sf *f, const char *path, int64_t layout, int64_t run_id, int64_t gen)
{
    unsigned char h[SW_SF_HEADER];
    f->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    f->buf = NULL;
    if (f->fd < 0) return SW_EIO;
    f->off = 0;
    if (open_buf(f) != SW_OK) {
        sw_sf_close(f);
        return SW_ENOMEM;
    }
    header(h, layout, run_id, gen);
    return sw_sf_put(f, h, sizeof h);
}

int sw_sf_reopen(struct sw_sf *f, const char *path, uint64_t len, int64_t layout, int64_t run_id,
                 int64_t gen)
{
    unsigned char h[SW_SF_HEADER], want[SW_SF_HEADER];
    f->buf = NULL;
    f->fd = open(path, O_RDWR | O_CLOEXEC);
    if (f->fd < 0) return SW_EIO;
    header(want, layout, run_id, gen);
    if (len < SW_SF_HEADER || read_all(f->fd, h, sizeof h, 0) != SW_OK ||
        memcmp(h, want, sizeof h) != 0) {
        sw_sf_close(f);
        return SW_EFORMAT;
    }
    f->off = len; /* anything after it never committed: overwritten */
    if (lseek(f->fd, (off_t)len, SEEK_SET) < 0) {
        sw_sf_close(f);
        return SW_EIO;
    }
    if (open_buf(f) != SW_OK) {
        sw_sf_close(f);
        return SW_ENOMEM;
    }
    return SW_OK;
}

/* Writes are sequential: the file position is always f->off - f->n. */
static int flush(struct sw_sf *f)
{
    int rc = sw_write_all(f->fd, f->buf, f->n);
    f->n = 0;
    return rc;
}

int sw_sf_put(struct sw_sf *f, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        if (f->n == BUF_SIZE) {
            int rc = flush(f);
            if (rc != SW_OK) return rc;
        }
        if (f->n == 0 && len >= BUF_SIZE) { /* large: straight from the caller's memory */
            int rc = sw_write_all(f->fd, p, len);
            if (rc == SW_OK) f->off += len;
            return rc;
        }
        size_t k = BUF_SIZE - f->n < len ? BUF_SIZE - f->n : len;
        memcpy(f->buf + f->n, p, k);
        f->n += k;
        f->off += k;
        p += k;
        len -= k;
    }
    return SW_OK;
}

int sw_sf_patch(struct sw_sf *f, uint64_t off, const void *data, size_t len)
{
    if (f->n && flush(f) != SW_OK) return SW_EIO;
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t w = pwrite(f->fd, p, len, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return SW_EIO;
        p += w;
        len -= (size_t)w;
        off += (uint64_t)w;
    }
    return SW_OK;
}

int sw_sf_sync(struct sw_sf *f)
{
    int rc = f->n ? flush(f) : SW_OK;
    if (rc == SW_OK && fdatasync(f->fd) != 0) rc = SW_EIO;
    return rc;
}

void sw_sf_close(struct sw_sf *f)
{
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
    free(f->buf);
    f->buf = NULL;
    f->n = 0;
}

/* Read [u32 len][payload] records from recbytes bytes at *off, a buffer at a time, handing each
 * payload to record(). */
static int load_records(int fd, uint64_t *off, uint64_t n, uint64_t recbytes, unsigned char *buf,
                        int (*record)(void *ctx, const unsigned char *rec, size_t len), void *ctx)
{
    uint64_t end = *off + recbytes, pos = *off, done = 0;
    size_t have = 0, at = 0; /* bytes in buf, and where the next record starts */
    int rc;
    while (done < n) {
        uint32_t len;
        if (have - at < 4 || (memcpy(&len, buf + at, 4), have - at - 4 < len)) {
            /* refill: keep the partial record, read what follows */
            memmove(buf, buf + at, have - at);
            have -= at;
            at = 0;
            size_t k = end - pos < BUF_SIZE - have ? (size_t)(end - pos) : BUF_SIZE - have;
            if (k == 0) return SW_EFORMAT; /* a record runs past the records */
            if ((rc = read_all(fd, buf + have, k, pos)) != SW_OK) return rc;
            have += k;
            pos += k;
            continue;
        }
        if (len == 0 || len > SW_SF_RECORD_MAX) return SW_EFORMAT;
        if ((rc = record(ctx, buf + at + 4, len)) != SW_OK) return rc;
        at += 4 + (size_t)len;
        done++;
    }
    if (pos - (have - at) != end) return SW_EFORMAT; /* bytes left over */
    *off = end;
    return SW_OK;
}

int sw_sf_load(const char *path, uint64_t len, int64_t layout, int64_t run_id, int64_t gen,
               int (*record)(void *ctx, const unsigned char *rec, size_t len),
               int (*pending)(void *ctx, const struct sw_sf_blobs *b), void *ctx)
{
    unsigned char h[SW_SF_HEADER], want[SW_SF_HEADER], *buf = NULL, *blob = NULL;
    uint64_t off = SW_SF_HEADER, blobs = 0, bl[3] = {0, 0, 0};
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = SW_EFORMAT;
    if (fd < 0) return SW_EIO;
    header(want, layout, run_id, gen);
    if (len <= SW_SF_HEADER || read_all(fd, h, sizeof h, 0) != SW_OK || memcmp(h, want, sizeof h))
        goto done;
    rc = SW_ENOMEM;
    if (!(buf = malloc(BUF_SIZE))) goto done;
    while (off < len) {
        unsigned char s[SW_SF_SEGHDR];
        uint64_t n, recbytes;
        rc = SW_EFORMAT;
        if (len - off < SW_SF_SEGHDR || read_all(fd, s, sizeof s, off) != SW_OK ||
            memcmp(s, seg_magic, 8) != 0)
            goto done;
        memcpy(&n, s + 8, 8);
        memcpy(&recbytes, s + 16, 8);
        memcpy(bl, s + 24, 24);
        off += SW_SF_SEGHDR;
        if (recbytes > len - off || n > recbytes / 5 || bl[0] > len - off - recbytes ||
            bl[1] > len - off - recbytes - bl[0] || bl[2] > len - off - recbytes - bl[0] - bl[1])
            goto done;
        if ((rc = load_records(fd, &off, n, recbytes, buf, record, ctx)) != SW_OK) goto done;
        blobs = off; /* the blobs of the last segment count */
        off += bl[0] + bl[1] + bl[2];
    }
    rc = SW_ENOMEM;
    free(buf);
    buf = NULL;
    if (!(blob = malloc(bl[0] + bl[1] + bl[2] + 1))) goto done;
    if ((rc = read_all(fd, blob, bl[0] + bl[1] + bl[2], blobs)) != SW_OK) goto done;
    struct sw_sf_blobs b = {blob, bl[0], blob + bl[0], bl[1], blob + bl[0] + bl[1], bl[2]};
    rc = pending(ctx, &b);
done:
    free(buf);
    free(blob);
    close(fd);
    return rc;
}

void sw_sf_segment_header(unsigned char *h, uint64_t n, uint64_t recbytes, uint64_t rlen,
                          uint64_t dlen, uint64_t slen)
{
    memcpy(h, seg_magic, 8);
    memcpy(h + 8, &n, 8);
    memcpy(h + 16, &recbytes, 8);
    memcpy(h + 24, &rlen, 8);
    memcpy(h + 32, &dlen, 8);
    memcpy(h + 40, &slen, 8);
}
