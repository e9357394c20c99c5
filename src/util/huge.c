/* sw_huge_alloc: see sanctwatch/huge.h. */
#include "sanctwatch/huge.h"

#include <stdlib.h>
#include <sys/mman.h>

void *sw_huge_alloc(size_t n)
{
    const size_t huge = (size_t)2 << 20, line = 64;
    if (n < huge) return aligned_alloc(line, (n + line - 1) / line * line);
    size_t size = (n + huge - 1) / huge * huge;
    void *p = aligned_alloc(huge, size);
#ifdef MADV_HUGEPAGE
    if (p) madvise(p, size, MADV_HUGEPAGE);
#endif
    return p;
}
