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
static const char seg_magic[8] = {'S', 'W', 'S', 'E', 'G', 'M', 'T', '1'};

int sw_sf_path(const char *db, int index, char *out, size_t size)
{
    int n = snprintf(out, size, "%s-ingest.%d", db, index);
    return n < 0 || (size_t)n >= size ? SW_ETOOBIG : SW_OK;
}

/* A file or segment header: its magic, then three 64-bit numbers. */
static void pack_header(unsigned char *h, const char *magic, uint64_t a, uint64_t b, uint64_t c)
{
    memcpy(h, magic, 8);
    memcpy(h + 8, &a, 8);
    memcpy(h + 16, &b, 8);
    memcpy(h + 24, &c, 8);
}

static void header(unsigned char *h, int64_t layout, int64_t run_id, int64_t gen)
{
    pack_header(h, file_magic, (uint64_t)layout, (uint64_t)run_id, (uint64_t)gen);
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

int sw_sf_load(const char *path, uint64_t len, int64_t layout, int64_t run_id, int64_t gen,
               size_t state_size, int (*state)(void *ctx, const unsigned char *states, size_t n),
               int (*pending)(void *ctx, const void *reorder, size_t rlen, const void *dedup,
                              size_t dlen),
               void *ctx)
{
    unsigned char h[SW_SF_HEADER], want[SW_SF_HEADER], *buf = NULL, *rb = NULL, *db = NULL;
    uint64_t off = SW_SF_HEADER, rlen = 0, dlen = 0, blobs = 0;
    const size_t per = BUF_SIZE / state_size;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = SW_EFORMAT;
    if (fd < 0) return SW_EIO;
    header(want, layout, run_id, gen);
    if (len <= SW_SF_HEADER || read_all(fd, h, sizeof h, 0) != SW_OK || memcmp(h, want, sizeof h))
        goto done;
    rc = SW_ENOMEM;
    if (!(buf = malloc(per * state_size))) goto done;
    while (off < len) {
        unsigned char s[SW_SF_SEGHDR];
        uint64_t n;
        rc = SW_EFORMAT;
        if (len - off < SW_SF_SEGHDR || read_all(fd, s, sizeof s, off) != SW_OK ||
            memcmp(s, seg_magic, 8) != 0)
            goto done;
        memcpy(&n, s + 8, 8);
        memcpy(&rlen, s + 16, 8);
        memcpy(&dlen, s + 24, 8);
        off += SW_SF_SEGHDR;
        if (n > (len - off) / state_size || rlen > len - off - n * state_size ||
            dlen > len - off - n * state_size - rlen)
            goto done;
        for (uint64_t i = 0; i < n;) {
            size_t k = n - i < per ? (size_t)(n - i) : per;
            if ((rc = read_all(fd, buf, k * state_size, off)) != SW_OK ||
                (rc = state(ctx, buf, k)) != SW_OK)
                goto done;
            off += k * state_size;
            i += k;
        }
        blobs = off; /* the pending records and dedup table of the last segment count */
        off += rlen + dlen;
    }
    rc = SW_ENOMEM;
    free(buf);
    buf = NULL;
    if (!(rb = malloc(rlen ? rlen : 1)) || !(db = malloc(dlen ? dlen : 1))) goto done;
    if ((rc = read_all(fd, rb, rlen, blobs)) != SW_OK ||
        (rc = read_all(fd, db, dlen, blobs + rlen)) != SW_OK)
        goto done;
    rc = pending(ctx, rb, rlen, db, dlen);
done:
    free(buf);
    free(rb);
    free(db);
    close(fd);
    return rc;
}

void sw_sf_segment_header(unsigned char *h, uint64_t n, uint64_t rlen, uint64_t dlen)
{
    pack_header(h, seg_magic, n, rlen, dlen);
}
