/*
 * Fuzz target for the FollowTheMoney JSON-lines importer (jansson per line; auxiliary
 * Address, Ownership, Sanction... entities attached to the entries they name at the end).
 * Every input goes through format detection and the parser; a failure must come with an
 * error message.
 */
#include "sanctwatch/error.h"
#include "sanctwatch/lists.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(enum sw_list_format f, const uint8_t *data, size_t size)
{
    char err[320];
    long n = -1;
    int rc = sw_lists_parse_mem(f, data, size, &n, err);
    if (n < 0 || (rc && !err[0]) || (!rc && err[0]) || rc > 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)sw_lists_detect(data, size);
    check(SW_LIST_FMT_FTM_JSON, data, size);
    return 0;
}
