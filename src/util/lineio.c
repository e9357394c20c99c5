/* Line reader. gzip input goes through zlib's gzread; a regular file that does not start
 * with the gzip magic (the test zlib itself makes) is read with read() straight into the
 * line buffer, which saves gzread's copy of every byte. Pipes and stdin always go through
 * gzread, whose transparent mode passes plain text unchanged. */
#include "sanctwatch/lineio.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct sw_lines {
    gzFile gz; /* NULL: plain regular file read with read() from fd */
    int fd;
    uint64_t offset; /* plain: file offset after the bytes read so far */
    char *buf;
    size_t cap, start, end;
    size_t max_line;
    uint64_t lineno;
    uint64_t size;
    int eof;
    int skipping; /* inside an over-long line, discarding until '\n' */
};

int sw_lines_open_fd(struct sw_lines **out, int fd, size_t max_line)
{
    struct sw_lines *l = calloc(1, sizeof *l);
    if (!l) {
        close(fd);
        return SW_ENOMEM;
    }
    l->max_line = max_line ? max_line : SW_LINES_DEFAULT_MAX;
    l->cap = l->max_line + (1u << 20);
    l->buf = malloc(l->cap + 1);
    struct stat st;
    int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (regular) l->size = (uint64_t)st.st_size;
    if (!l->buf) {
        close(fd);
        free(l);
        return SW_ENOMEM;
    }
    l->fd = fd;
    if (regular) {
        /* a regular file: plain unless it starts with the gzip magic 1f 8b */
        unsigned char magic[2];
        off_t pos = lseek(fd, 0, SEEK_CUR);
        ssize_t n = pos < 0 ? -1 : pread(fd, magic, 2, pos);
        if (n >= 0 && !(n == 2 && magic[0] == 0x1f && magic[1] == 0x8b)) {
            l->offset = (uint64_t)pos;
            *out = l;
            return SW_OK;
        }
    }
    l->gz = gzdopen(fd, "rb");
    if (!l->gz) {
        close(fd);
        free(l->buf);
        free(l);
        return SW_ENOMEM;
    }
    gzbuffer(l->gz, 1u << 18);
    *out = l;
    return SW_OK;
}

int sw_lines_open(struct sw_lines **out, const char *path, size_t max_line)
{
    int fd;
    if (strcmp(path, "-") == 0)
        fd = dup(STDIN_FILENO);
    else
        fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return SW_EIO;
    return sw_lines_open_fd(out, fd, max_line);
}

void sw_lines_free(struct sw_lines *l)
{
    if (!l) return;
    if (l->gz)
        gzclose(l->gz);
    else
        close(l->fd);
    free(l->buf);
    free(l);
}

/* Refill after moving the unread tail to the front. Returns bytes read, 0 at EOF, <0 error. */
static int fill(struct sw_lines *l)
{
    if (l->start > 0) {
        memmove(l->buf, l->buf + l->start, l->end - l->start);
        l->end -= l->start;
        l->start = 0;
    }
    size_t room = l->cap - l->end;
    if (room == 0) return 0;
    if (!l->gz) {
        ssize_t r;
        do
            r = read(l->fd, l->buf + l->end, room > (1u << 30) ? (1u << 30) : room);
        while (r < 0 && errno == EINTR);
        if (r < 0) return SW_EIO;
        l->end += (size_t)r;
        l->offset += (uint64_t)r;
        return (int)r;
    }
    int n = gzread(l->gz, l->buf + l->end, (unsigned)(room > (1u << 30) ? (1u << 30) : room));
    if (n < 0) {
        int zerr;
        gzerror(l->gz, &zerr);
        return zerr == Z_DATA_ERROR ? SW_EFORMAT : SW_EIO;
    }
    if (n == 0) {
        int zerr;
        gzerror(l->gz, &zerr);
        if (zerr == Z_BUF_ERROR) /* truncated gzip stream */
            return SW_ETRUNCATED;
    }
    l->end += (size_t)n;
    return n;
}

int sw_lines_next(struct sw_lines *l, const char **line, size_t *len)
{
    for (;;) {
        char *p = l->start < l->end ? memchr(l->buf + l->start, '\n', l->end - l->start) : NULL;
        if (p) {
            size_t s = l->start, e = (size_t)(p - l->buf);
            l->start = e + 1;
            if (l->skipping) {
                l->skipping = 0;
                continue; /* the tail of an over-long line, already reported */
            }
            l->lineno++;
            if (e - s > l->max_line) return SW_ETOOBIG;
            if (e > s && l->buf[e - 1] == '\r') e--;
            l->buf[e] = '\0';
            *line = l->buf + s;
            *len = e - s;
            return SW_OK;
        }
        size_t pending = l->end - l->start;
        if (!l->skipping && pending > l->max_line) {
            /* No terminator within max_line bytes: report, then drop until the next '\n'. */
            l->skipping = 1;
            l->start = l->end = 0;
            l->lineno++;
            return SW_ETOOBIG;
        }
        if (l->skipping) l->start = l->end = 0;
        if (l->eof) {
            if (l->start == l->end) return SW_EOF;
            if (l->skipping) {
                l->start = l->end = 0;
                return SW_EOF;
            }
            size_t s = l->start, e = l->end;
            l->start = l->end;
            l->lineno++;
            if (e > s && l->buf[e - 1] == '\r') e--;
            l->buf[e] = '\0';
            *line = l->buf + s;
            *len = e - s;
            return SW_OK;
        }
        int n = fill(l);
        if (n < 0) return n;
        if (n == 0) l->eof = 1;
    }
}

uint64_t sw_lines_lineno(const struct sw_lines *l)
{
    return l->lineno;
}

uint64_t sw_lines_offset(const struct sw_lines *l)
{
    if (!l->gz) return l->offset;
    z_off_t o = gzoffset(l->gz);
    return o < 0 ? 0 : (uint64_t)o;
}

uint64_t sw_lines_size(const struct sw_lines *l)
{
    return l->size;
}

/* Whole file into b (see lineio.h). */
int sw_read_file(const char *path, struct sw_buf *b)
{
    int fd = !strcmp(path, "-") ? dup(0) : open(path, O_RDONLY);
    if (fd < 0) return SW_EIO;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return SW_EIO;
    }
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return SW_ENOMEM;
    }
    gzbuffer(gz, 1 << 17);
    int rc = SW_OK;
    for (;;) {
        /* read at most up to the maximum, then one byte more to tell a file of exactly the
         * maximum from a larger one */
        size_t room = b->max - b->len, want = room < (1 << 16) ? room : (1 << 16);
        char probe;
        if (want && (rc = sw_buf_grow(b, want))) break;
        int n = want ? gzread(gz, b->data + b->len, (unsigned)want) : gzread(gz, &probe, 1);
        if (n < 0) {
            int zerr;
            gzerror(gz, &zerr);
            rc = zerr == Z_BUF_ERROR ? SW_ETRUNCATED : zerr == Z_ERRNO ? SW_EIO : SW_EFORMAT;
            break;
        }
        if (n == 0) break;
        if (!want) {
            rc = SW_ETOOBIG;
            break;
        }
        b->len += (size_t)n;
        b->data[b->len] = '\0';
    }
    int zerr = 0;
    gzerror(gz, &zerr);
    if (!rc && zerr == Z_BUF_ERROR) rc = SW_ETRUNCATED; /* gzip stream cut short */
    gzclose(gz);
    if (!rc && b->data) b->data[b->len] = '\0';
    return rc;
}

int sw_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (w == 0) errno = EIO;
            return SW_EIO;
        }
        c += w;
        n -= (size_t)w;
    }
    return SW_OK;
}
