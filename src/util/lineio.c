/* Line reader. gzip input goes through zlib's gzread; a regular file that does not start
 * with the gzip magic (the test zlib itself makes) is read with read() straight into the
 * line buffer, which saves gzread's copy of every byte. Pipes and stdin always go through
 * gzread, whose transparent mode passes plain text unchanged. A regular file that starts
 * with the magic of zip, bzip2, xz or zstd, or is a tar archive, is read through libarchive,
 * member after member (a single compressed stream is one member). */
#include "sanctwatch/lineio.h"
#include "sanctwatch/buf.h"
#include "sanctwatch/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct sw_lines {
    struct archive *ar; /* archives (zip, tar, bzip2, xz, zstd): libarchive */
    uint32_t member;    /* archives: 1-based number of the member being read */
    char member_name[256];
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

/* zip (PK\3\4, or PK\5\6 for an empty one), bzip2, xz, zstd, or tar ("ustar" at 257). */
static int is_archive(const unsigned char *m, size_t n)
{
    return (n >= 4 && m[0] == 'P' && m[1] == 'K' &&
            ((m[2] == 3 && m[3] == 4) || (m[2] == 5 && m[3] == 6))) ||
           (n >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') ||
           (n >= 6 && !memcmp(m,
                              "\xfd"
                              "7zXZ\0",
                              6)) ||
           (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) ||
           (n >= 262 && !memcmp(m + 257, "ustar", 5));
}

/* Map libarchive's failure to ours: a stream that ends early is truncated. */
static int archive_err(struct archive *a)
{
    const char *m = archive_error_string(a);
    if (m && (strstr(m, "runcated") || strstr(m, "end of file") || strstr(m, "Premature")))
        return SW_ETRUNCATED;
    return archive_errno(a) == ENOMEM ? SW_ENOMEM : SW_EFORMAT;
}

/* The next regular member; SW_OK, SW_EOF after the last, or an error. */
static int next_member(struct sw_lines *l)
{
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(l->ar, &e);
        if (r == ARCHIVE_EOF) return SW_EOF;
        if (r < ARCHIVE_WARN) return archive_err(l->ar);
        if (archive_entry_filetype(e) != AE_IFREG && archive_entry_filetype(e) != 0) continue;
        const char *name = archive_entry_pathname(e);
        snprintf(l->member_name, sizeof l->member_name, "%s", name ? name : "");
        l->member++;
        l->eof = 0;
        return SW_OK;
    }
}

static int open_archive(struct sw_lines **out, struct sw_lines *l)
{
    int rc = SW_ENOMEM;
    l->ar = archive_read_new();
    if (l->ar && archive_read_support_filter_all(l->ar) == ARCHIVE_OK &&
        archive_read_support_format_zip(l->ar) == ARCHIVE_OK &&
        archive_read_support_format_tar(l->ar) == ARCHIVE_OK &&
        archive_read_support_format_raw(l->ar) == ARCHIVE_OK) {
        rc =
            archive_read_open_fd(l->ar, l->fd, 1u << 18) == ARCHIVE_OK ? SW_OK : archive_err(l->ar);
        if (!rc) rc = next_member(l);
        if (rc == SW_EOF) { /* an archive without a file: no lines */
            l->eof = 1;
            l->member_name[0] = '\0';
            rc = SW_OK;
        }
    }
    if (rc) {
        sw_lines_free(l);
        return rc;
    }
    *out = l;
    return SW_OK;
}

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
        /* a regular file: an archive by its magic, plain unless it starts with the gzip
         * magic 1f 8b */
        unsigned char magic[264];
        off_t pos = lseek(fd, 0, SEEK_CUR);
        ssize_t n = pos < 0 ? -1 : pread(fd, magic, sizeof magic, pos);
        if (n > 0 && is_archive(magic, (size_t)n)) return open_archive(out, l);
        if (n >= 0 && !(n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)) {
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
    if (l->ar) archive_read_free(l->ar); /* does not close the fd */
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
    if (l->ar) {
        la_ssize_t n = archive_read_data(l->ar, l->buf + l->end, room);
        if (n < 0) return archive_err(l->ar);
        l->end += (size_t)n;
        return (int)n; /* 0: the end of this member */
    }
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
            if (l->skipping) { /* an over-long line ends with its file or member */
                l->skipping = 0;
                l->start = l->end = 0;
            }
            if (l->start == l->end && l->ar && l->member) { /* the next member, if any */
                int r = next_member(l);
                if (r == SW_OK) continue;
                l->member_name[0] = '\0';
                if (r != SW_EOF) return r;
                l->member = 0; /* after the last member: end of input from now on */
            }
            if (l->start == l->end) return SW_EOF;
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

uint32_t sw_lines_member(const struct sw_lines *l)
{
    return l->ar ? l->member : 0;
}

const char *sw_lines_member_name(const struct sw_lines *l)
{
    return l->ar ? l->member_name : "";
}

uint64_t sw_lines_offset(const struct sw_lines *l)
{
    if (l->ar) {
        la_int64_t b = archive_filter_bytes(l->ar, -1);
        return b < 0 ? 0 : (uint64_t)b;
    }
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
