/*
 * Fuzz target for the OFAC SDN CSV importer: sdn.csv and its add, alt and comments files,
 * each parsed alone (companions without their sdn.csv count as orphans). Every input goes
 * through format detection and the four parsers; a failure must come with an error message.
 */
#include "fuzz_lists.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)sw_lists_detect(data, size);
    check(SW_LIST_FMT_OFAC_SDN, data, size);
    check(SW_LIST_FMT_OFAC_ADD, data, size);
    check(SW_LIST_FMT_OFAC_ALT, data, size);
    check(SW_LIST_FMT_OFAC_COMMENTS, data, size);
    return 0;
}
