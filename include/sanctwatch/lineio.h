/*
 * Line reader for files, gzip archives and stdin. Plain and gzip input are told apart by
 * their first two bytes (the gzip magic, the test zlib makes), so "x.nmea", "x.nmea.gz" and
 * a gzip stream on stdin all read the same way. A regular file that is a zip or tar archive
 * or a bzip2, xz or zstd stream (told by its magic, not its name) is read through libarchive
 * member after member: the lines of each member in turn, a line never spanning two members,
 * line numbers running on across them (sw_lines_member says which member a line is from). A plain
 * regular file is read with read() straight into the line buffer; gzip files, pipes and stdin go
 * through zlib's gzread. Lines end at '\n'; a trailing '\r' is dropped. A line longer than the
 * maximum is skipped whole and reported once as SW_ETOOBIG, so hostile input cannot grow memory.
 */
#ifndef SANCTWATCH_LINEIO_H
#define SANCTWATCH_LINEIO_H

#include <stddef.h>
#include <stdint.h>

struct sw_lines;

#define SW_LINES_DEFAULT_MAX 65536

/* path "-" means stdin. max_line 0 means SW_LINES_DEFAULT_MAX. Caller frees with
 * sw_lines_free(). Errors: SW_EIO (errno is kept for the caller's message), SW_ENOMEM. */
int sw_lines_open(struct sw_lines **out, const char *path, size_t max_line);
/* Takes ownership of fd. */
int sw_lines_open_fd(struct sw_lines **out, int fd, size_t max_line);
void sw_lines_free(struct sw_lines *l);

/* Next line, without its terminator. *line is valid until the next call and is NUL
 * terminated (it may also contain NUL bytes: use *len). Returns SW_OK, SW_EOF at the end,
 * SW_ETOOBIG for an over-long line (skipped; the next call continues after it), SW_EIO
 * or SW_EFORMAT (corrupt gzip or archive), SW_ETRUNCATED (an archive cut short) on a read
 * error. */
int sw_lines_next(struct sw_lines *l, const char **line, size_t *len);

/* Archives: the 1-based number of the member the last line came from (it changes when a
 * line of the next member is returned), 0 for other input and after the last member; its
 * name in the archive ("" when not an archive). Valid until the next call. */
uint32_t sw_lines_member(const struct sw_lines *l);
const char *sw_lines_member_name(const struct sw_lines *l);

/* 1-based number of the line last returned (over-long lines count). */
uint64_t sw_lines_lineno(const struct sw_lines *l);
/* Bytes consumed from the underlying file so far (compressed bytes for gzip), and the file
 * size or 0 when unknown (stdin, pipes): for progress and ETA. */
uint64_t sw_lines_offset(const struct sw_lines *l);
uint64_t sw_lines_size(const struct sw_lines *l);

struct sw_buf;
/* A whole file (path "-" is stdin; gzip read transparently) appended to b, which is then
 * NUL-terminated. Bounded by b's maximum: SW_ETOOBIG past it. Errors: SW_EIO (errno kept;
 * EISDIR for a directory), SW_ETRUNCATED (gzip stream cut short), SW_EFORMAT (corrupt gzip),
 * SW_ENOMEM. */
int sw_read_file(const char *path, struct sw_buf *b);
/* All n bytes of p to fd at its position, again after a partial write or EINTR. SW_OK, or
 * SW_EIO with errno set. */
int sw_write_all(int fd, const void *p, size_t n);

#endif
