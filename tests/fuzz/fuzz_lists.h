/*
 * Shared by the list-importer fuzz targets (fuzz_lists_*.c): parse the input as one format
 * and abort on a broken contract: a negative count, a failure without an error message, a
 * message without a failure, or a positive return code.
 */
#ifndef SW_FUZZ_LISTS_H
#define SW_FUZZ_LISTS_H

#include "sanctwatch/error.h"
#include "sanctwatch/lists.h"

#include <stdint.h>
#include <stdlib.h>

static void check(enum sw_list_format f, const uint8_t *data, size_t size)
{
    char err[SW_ERRMAX];
    long n = -1;
    int rc = sw_lists_parse_mem(f, data, size, &n, err);
    if (n < 0 || (rc && !err[0]) || (!rc && err[0]) || rc > 0) abort();
}

#endif
