/*
 * Fuzz target for the XML list importers: the UN consolidated list and OFAC's sdnList, both
 * through the bounded, DTD-refusing xmlReader walk (src/lists/xmlwalk.c). Every input goes
 * through format detection and both parsers; a failure must come with an error message.
 */
#include "fuzz_lists.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)sw_lists_detect(data, size);
    check(SW_LIST_FMT_UN_XML, data, size);
    check(SW_LIST_FMT_OFAC_XML, data, size);
    return 0;
}
