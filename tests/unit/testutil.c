/* Test helpers: locating shared data and the built program. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *sw_test_root(const char *rel)
{
    static char path[4096];
    const char *root = getenv("SW_ROOT");
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
    return path;
}

const char *sw_test_shared(const char *rel)
{
    static char path[4096];
    const char *sh = getenv("SW_SHARED");
    if (sh)
        snprintf(path, sizeof path, "%s/%s", sh, rel);
    else
        snprintf(path, sizeof path, "%s/../shared/%s", getenv("SW_ROOT") ? getenv("SW_ROOT") : ".",
                 rel);
    return access(path, R_OK) == 0 ? path : NULL;
}

const char *sw_test_bin(void)
{
    const char *b = getenv("SW_BIN");
    return b ? b : "build/sanctwatch";
}

const char *sw_test_tmpdir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/swtest.XXXXXX");
    if (!mkdtemp(dir)) return "/tmp";
    return dir;
}

uint64_t sw_test_rand64(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}
