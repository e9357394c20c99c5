/*
 * Fuzz target for the FollowTheMoney JSON-lines importer (jansson per line; auxiliary
 * Address, Ownership, Sanction... entities attached to the entries they name at the end).
 * Every input goes through format detection and the parser; a failure must come with an
 * error message.
 */
#include "fuzz_lists.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)sw_lists_detect(data, size);
    check(SW_LIST_FMT_FTM_JSON, data, size);
    return 0;
}
