/* Large arrays read at random (the dedup table, the reorder buffer, the vessel table). */
#ifndef SANCTWATCH_HUGE_H
#define SANCTWATCH_HUGE_H

#include <stddef.h>

/* n bytes on 2 MB pages where the kernel offers them on request (transparent huge pages in
 * madvise mode), so that a random lookup does not also miss the TLB; below 2 MB, ordinary
 * memory. Always aligned to a 64-byte cache line at least. Freed with free(). */
void *sw_huge_alloc(size_t n);

#endif
