/*
 * Fuzz target for the OFAC SDN CSV importer: sdn.csv and its add, alt and comments files,
 * each parsed alone (companions without their sdn.csv count as orphans). Every input goes
 * through format detection and the four parsers; a failure must come with an error message.
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
    check(SW_LIST_FMT_OFAC_SDN, data, size);
    check(SW_LIST_FMT_OFAC_ADD, data, size);
    check(SW_LIST_FMT_OFAC_ALT, data, size);
    check(SW_LIST_FMT_OFAC_COMMENTS, data, size);
    return 0;
}
