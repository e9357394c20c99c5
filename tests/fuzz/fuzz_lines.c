/*
 * Fuzz target for the line reader on files (sanctwatch/lineio.h): the input is written to a
 * temporary regular file, so that plain, gzip and the archives told by their magic (zip,
 * tar, bzip2, xz, zstd through libarchive) are all reached, then read line by line to the
 * end with a small line maximum. Checks that every line is within the maximum, that member
 * numbers only grow, and that an error ends the reading (no endless loop).
 */
#include "sanctwatch/error.h"
#include "sanctwatch/lineio.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/sw_fuzz_lines_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 0;
    unlink(path);
    if (sw_write_all(fd, data, size) || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return 0;
    }
    struct sw_lines *l = NULL;
    if (sw_lines_open_fd(&l, fd, 256) != SW_OK) return 0; /* it closed fd */
    const char *line;
    size_t len;
    uint32_t member = 0;
    for (long n = 0; n < 1000000; n++) {
        int rc = sw_lines_next(l, &line, &len);
        if (rc == SW_EOF) break;
        if (rc == SW_ETOOBIG) continue;
        if (rc != SW_OK) {
            /* an error is final: the next call must not loop on the damaged data forever */
            rc = sw_lines_next(l, &line, &len);
            (void)rc;
            break;
        }
        if (len > 256 || line[len] != '\0') abort();
        uint32_t m = sw_lines_member(l);
        if (m && m < member) abort();
        if (m) member = m;
        (void)sw_lines_member_name(l);
    }
    sw_lines_free(l);
    return 0;
}
