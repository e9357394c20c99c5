/* Large arrays that are read at random (the dedup table, the reorder buffer): internal. */
#ifndef SW_INGEST_HUGE_H
#define SW_INGEST_HUGE_H

#include <stddef.h>

/* n bytes on 2 MB pages where the kernel offers them on request (transparent huge pages in
 * madvise mode), so that a random lookup does not also miss the TLB; plain malloc below
 * 2 MB. Freed with free(). */
void *sw_ingest_huge_alloc(size_t n);

#endif
